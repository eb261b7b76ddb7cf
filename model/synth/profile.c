/* profile.c — who a subscriber of the synthetic operator is: the persistent profile behind a row.
 *
 * Six latent behaviour factors, standard normal and keyed by the subscriber's id so that they persist
 * from one month to the next, drifting by `drift` per month (a mean shift along drift_dir and a month
 * wobble); then the region (by population), age, brand, tenure and contract. The indicators (indicators.c) and the churn draw
 * (churn.c) build on what is drawn here. Also the names of factors, regions and brands, and the
 * per-call context (synth_ctx_init) that every piece reads.
 */
#include "synth_impl.h"

#include <math.h>

static const char *const factor_names[F] = {"usage",           "value",          "engagement",
                                            "dissatisfaction", "competitor_pull", "lock_in"};

size_t synth_n_factors(const synth_params *p) { return F; }

const char *synth_factor_name(const synth_params *p, size_t k)
{
    return k < F ? factor_names[k] : NULL;
}

/* Drift direction of the factor means per month (times drift): traffic and digital engagement grow,
 * competitors push a little harder. */
static const double drift_dir[F] = {1.0, 0.0, 0.5, 0.0, 0.3, 0.0};

/* ---------------------------------------------------------------- names */

static const char *const region_names[SYNTH_MAX_REGIONS] = {
    "北京", "上海", "广东", "江苏", "浙江", "山东", "河南", "四川", "湖北", "湖南", "河北",
    "福建", "安徽", "辽宁", "陕西", "重庆", "江西", "广西", "天津", "山西", "内蒙古", "吉林",
    "黑龙江", "海南", "贵州", "云南", "西藏", "甘肃", "青海", "宁夏", "新疆"};
/* 2020 census population, millions: the relative region sizes. */
static const double region_weight[SYNTH_MAX_REGIONS] = {
    21.9, 24.9, 126.0, 84.7, 64.6, 101.5, 99.4, 83.7, 57.8, 66.4, 74.6, 41.5, 61.0, 42.6, 39.5, 32.1,
    45.2, 50.1, 13.9,  34.9, 24.0, 24.1,  31.9, 10.1, 38.6, 47.2, 3.6,  25.0, 5.9,  7.2,  25.9};
static const char *const brand_names[SYNTH_N_BRANDS] = {"全球通", "动感地带", "神州行"};
static const char *const brand_latin[SYNTH_N_BRANDS] = {"GoTone", "M-Zone", "Easyown"};

const char *synth_region_name(unsigned i) { return i < SYNTH_MAX_REGIONS ? region_names[i] : NULL; }
const char *synth_brand_name(unsigned i) { return i < SYNTH_N_BRANDS ? brand_names[i] : NULL; }
const char *synth_brand_name_latin(unsigned i)
{
    return i < SYNTH_N_BRANDS ? brand_latin[i] : NULL;
}

/* ---------------------------------------------------------------- the context of a call */

void synth_ctx_init(const synth_params *p, synth_ctx *c)
{
    c->seedkey = idhash_mix(p->seed + UINT64_C(0x5851f42d4c957f2d));
    c->month = p->month_index;
    c->wobble = p->drift;
    c->shrink = 1.0 / sqrt(1.0 + p->drift * p->drift);
    for (int k = 0; k < F; k++) c->fmean[k] = p->drift * p->month_index * drift_dir[k];
    for (int j = 0; j < P_COLS; j++) {
        double s = 0.0;
        for (int k = 0; k < F; k++) s += synth_cols[j].lam[k] * synth_cols[j].lam[k];
        c->psi[j] = sqrt(1.0 - s);
        c->sp[j] = sqrt(synth_cols[j].persist);
        c->sm[j] = sqrt(1.0 - synth_cols[j].persist);
        c->inv_step[j] = synth_cols[j].step > 0.0 ? 1.0 / synth_cols[j].step : 0.0;
    }
    /* a provincial operator's prefectures: the capital biggest, then falling */
    double tot = 0.0;
    for (unsigned r = 0; r < p->n_regions; r++)
        tot += p->province < 0 ? region_weight[r] : 1.0 / (1.0 + 0.25 * r);
    double acc = 0.0;
    for (unsigned r = 0; r < p->n_regions; r++) {
        acc += p->province < 0 ? region_weight[r] : 1.0 / (1.0 + 0.25 * r);
        c->cumw[r] = acc / tot;
    }
    synth_areas_init(p, c);
    c->n_regions = p->n_regions;
    c->window = p->window_months;
    c->churn0 = p->churn_intercept;
    c->active0 = p->active_intercept;
    c->n_base = p->n_base;
    c->joiners = p->joiners_per_month;
}

/* ---------------------------------------------------------------- the profile of a row */

static inline uint64_t month_key(uint64_t kp, int cal)
{
    return idhash_mix(kp ^ idhash_mix((uint64_t)(int64_t)cal * UINT64_C(0xd1b54a32d192ed03) + 0x1234567));
}

void synth_profile(const synth_ctx *c, uint64_t row, uint64_t id, synth_draw *d)
{
    double *x = d->x, *f = d->f;
    const uint64_t kp = d->kp = idhash_mix(c->seedkey ^ id);
    const int M = c->month;
    for (int t = 0; t < 3; t++) d->kc[t] = month_key(kp, M - 2 + t);
    const uint64_t km = d->km = d->kc[2];

    for (int k = 0; k < F; k++) {
        double f0 = gauss(kp, D_F0 + k);
        if (c->wobble > 0.0) f0 = c->shrink * (f0 + c->wobble * gauss(km, D_WOBBLE + k));
        f[k] = f0 + c->fmean[k];
    }

    /* Region, age, brand. Youth take 动感地带, high value takes 全球通, the rest prepaid 神州行. */
    double u = unif(kp, D_REGION);
    unsigned r = 0;
    while (r + 1 < c->n_regions && u > c->cumw[r]) r++;
    double age = clampd(floor(38.0 + 13.0 * gauss(kp, D_AGE) + 0.5), 16.0, 85.0);
    int youth = age < 27.0;
    u = unif(kp, D_BRAND);
    double p_go = logistic(-1.0 + 1.2 * f[FV] - (youth ? 1.0 : 0.0));
    int brand = u < p_go ? 0 : ((u - p_go) / (1.0 - p_go) < (youth ? 0.75 : 0.2) ? 1 : 2);

    /* Lifecycle. Base subscribers joined before month 0 (8% in their first three months then); joiners
     * of month j have tenure M - j + 1. A contract of 12 or 24 months starts when the subscriber joins
     * and renews at its end, so the months left follow from the tenure: L - (tenure mod L), 1..L (an
     * onboarding subscriber's contract has at least L - 3 months to run). The prepaid brand (神州行)
     * has no contract. */
    double tenure;
    if (c->n_base > 0 && row >= c->n_base) {
        uint64_t j = 1 + (row - c->n_base) / c->joiners;
        tenure = (double)((uint64_t)M - j + 1);
    } else {
        double ut = unif(kp, D_TENURE), ut2 = unif(kp, D_TENURE2);
        double t0 = ut < 0.08 ? 1.0 + floor(3.0 * ut2) : 4.0 + floor(-50.0 * log(ut2));
        tenure = (t0 > 300.0 ? 300.0 : t0) + M;
    }
    static const double p_contract[SYNTH_N_BRANDS] = {0.7, 0.35, 0.0};
    double left = -1.0;
    if (unif(kp, D_CONTRACT) < p_contract[brand]) {
        int len = unif(kp, D_CONTRACT_LEN) < 0.5 ? 12 : 24;
        left = (double)(len - (int64_t)tenure % len);
    }
    int ending = left >= 0.0 && left <= 1.0;
    int newsub = tenure <= 3.0;
    x[C_TENURE] = tenure;
    x[C_CONTRACT_LEFT] = left;
    x[C_CONTRACT_ENDING] = ending;
    x[C_NEW_SUB] = newsub;
    x[C_AGE] = age;
    d->region = r;
    d->brand = brand;
    d->ending = ending;
    d->newsub = newsub;
}
