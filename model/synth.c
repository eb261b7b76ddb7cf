/* synth.c — the synthetic operator (see synth.h for the model and the contracts).
 *
 * Every quantity of a row is drawn from a counter-based generator: draw k of key K is
 * splitmix64's finaliser applied to K + (k+1)*golden. The keys are
 *   kp      = mix(seed key ^ id)                 the subscriber's persistent profile
 *   kc(c)   = mix(kp ^ mix(calendar month c))    what happens to that subscriber in month c
 * so a row never depends on its neighbours (any rank can produce any row) and a subscriber keeps his
 * latent profile from one month to the next. Draw numbers are fixed per quantity (the D_* enum below):
 * adding a quantity must take a new number, never renumber, or every snapshot changes.
 *
 * Normals come from Acklam's rational approximation of the inverse normal CDF (relative error 1.2e-9,
 * one uniform per normal, log and sqrt only in the 5% tails) rather than Box-Muller: one draw per
 * normal, no rejection, and about a third of the cost. Poisson counts use inversion below a mean of 12
 * and a rounded normal above it. The per-row work is straight-line code over a static column table.
 */
#include "synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idhash.h"
#include "status.h"

#define F SYNTH_N_FACTORS
#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

enum { FU = 0, FV, FE, FD, FC, FL }; /* factor order, as in factor_names */

static const char *const factor_names[F] = {"usage",           "value",          "engagement",
                                            "dissatisfaction", "competitor_pull", "lock_in"};

/* ---------------------------------------------------------------- counter-based randomness */

/* Uniform in (0, 1), never 0 or 1 (the inverse normal needs both ends open). */
static inline double unif(uint64_t key, unsigned k)
{
    uint64_t u = idhash_mix(key + (uint64_t)(k + 1) * GOLDEN);
    return ((double)(u >> 11) + 0.5) * 0x1p-53;
}

/* Acklam's inverse normal CDF. */
static double norm_inv(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};
    const double plow = 0.02425;
    if (p < plow) {
        double q = sqrt(-2.0 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    if (p > 1.0 - plow) {
        double q = sqrt(-2.0 * log(1.0 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    }
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
}

static inline double gauss(uint64_t key, unsigned k) { return norm_inv(unif(key, k)); }

/* Poisson(mu) from one uniform u: inversion for small means, a rounded normal above 12 (the skew it
 * loses is immaterial for a simulator, and it keeps the cost bounded). */
static double poisson(double mu, double u)
{
    if (mu <= 0.0) return 0.0;
    if (mu >= 12.0) {
        double x = mu + sqrt(mu) * norm_inv(u) + 0.5;
        return x < 0.0 ? 0.0 : (double)(int64_t)x;
    }
    double pk = exp(-mu), s = pk;
    int k = 0;
    while (u > s && k < 100) {
        k++;
        pk *= mu / k;
        s += pk;
    }
    return (double)k;
}

static inline double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Draw numbers. Profile draws (key kp) and month draws (key kc) have separate ranges. Never renumber. */
enum {
    /* profile */
    D_F0 = 0,        /* .. D_F0 + 5: latent factors */
    D_REGION = 8,
    D_AGE,
    D_BRAND,
    D_TENURE,
    D_TENURE2,
    D_CONTRACT,
    D_CONTRACT_LEN,
    D_CONTRACT_PHASE,
    D_PERSIST = 32,  /* .. + column index: persistent part of an indicator's noise (by group) */
    /* month */
    D_WOBBLE = 100,  /* .. + 5: month wobble of the factors */
    D_SHOP = 110,
    D_FADE,
    D_DUAL,
    D_COMPCALLS,
    D_COMPCALLS2,
    D_FORWARD,
    D_SUSP_VOL,
    D_SUSP_ARR,
    D_SUSP_BILL,
    D_DAYS,
    D_DAYS2,
    D_COMPLAINT_X,
    D_CHARGE,
    D_ROAM,
    D_ROAM2,
    D_INTL,
    D_INTL2,
    D_CHURN,
    D_TYPE,
    D_NOISE = 200,   /* .. + group: monthly part of an indicator's noise */
    D_POIS = 300,    /* .. + group: Poisson draw */
    D_MISS = 400     /* .. + column: missingness */
};

/* ---------------------------------------------------------------- the column table */

enum { K_NONE = 0, K_LIN, K_LOGN, K_POIS, K_BIN };

enum {
    C_TENURE = 0, C_CONTRACT_LEFT, C_CONTRACT_ENDING, C_NEW_SUB, C_AGE,
    C_ARPU1, C_ARPU2, C_ARPU3, C_MOU1, C_MOU2, C_MOU3, C_OUT1, C_OUT2, C_OUT3,
    C_DAYS_NO_OUT, C_DATA1, C_DATA2, C_DATA3, C_SMS1, C_SMS2, C_SMS3, C_VOICE_CHARGE,
    C_COMPLAINTS, C_SERVICE_CALLS, C_DROP_RATE, C_NPS, C_COMP_CALLS, C_FORWARD, C_DUAL_SIM,
    C_OFFNET_CALL, C_OFFNET_SMS, C_COMP_COVER, C_SUSP_VOL, C_SUSP_ARR, C_SUSP_BILL,
    C_VAS, C_POINTS, C_FAMILY, C_GROUP, C_BROADBAND, C_INSTALLMENT,
    C_ECHANNEL, C_APP_LOGINS, C_ONLINE_PAY, C_ROAMING, C_INTL,
    P_COLS
};

/* An indicator is g(z), z = sum_k lam_k f_k + psi * (sqrt(persist) s_group + sqrt(1-persist) e_month),
 * psi = sqrt(1 - sum lam^2), so z is standard normal around the factor means. g by kind:
 *   K_LIN  loc + scale z;  K_LOGN exp(loc + scale z);  K_POIS Poisson(exp(loc + scale z));
 *   K_BIN  z > loc.
 * then rounded to a multiple of step (if > 0) and clamped to [lo, hi]. The three months of a measure
 * share a group (persistent noise) and differ by tmonth (1..3, 3 = latest = the snapshot month). */
typedef struct colspec {
    const char *name;
    int role;
    int kind;
    double loc, scale, step, lo, hi;
    double lam[F];
    double persist;
    int group;
    int tmonth;
    double miss;
} colspec;

#define LAM(u, v, e, d, c, l) {u, v, e, d, c, l}
#define NOL LAM(0, 0, 0, 0, 0, 0)
#define R_IND SYNTH_ROLE_INDICATOR
#define SPECIAL(nm, rl, miss_)                                                                     \
    {.name = nm, .role = rl, .kind = K_NONE, .lam = NOL, .group = -1, .tmonth = 3, .miss = miss_}
#define TRIPLET(base, kind_, loc_, scale_, step_, lam_, grp, miss1)                                  \
    {base "_m1", R_IND, kind_, loc_, scale_, step_, 0, HUGE_VAL, lam_, 0.2, grp, 1, miss1},         \
    {base "_m2", R_IND, kind_, loc_, scale_, step_, 0, HUGE_VAL, lam_, 0.2, grp, 2, 0},             \
    {base "_m3", R_IND, kind_, loc_, scale_, step_, 0, HUGE_VAL, lam_, 0.2, grp, 3, 0}

static const colspec cols[P_COLS] = {
    SPECIAL("tenure_months", SYNTH_ROLE_LIFECYCLE, 0),
    SPECIAL("contract_months_left", SYNTH_ROLE_LIFECYCLE, 0),
    SPECIAL("contract_ending", SYNTH_ROLE_LIFECYCLE, 0),
    SPECIAL("new_subscriber", SYNTH_ROLE_LIFECYCLE, 0),
    SPECIAL("age", SYNTH_ROLE_OTHER, 0.015),
    TRIPLET("arpu", K_LOGN, 4.07108, 0.35, 0.01, LAM(0, .85, 0, 0, 0, 0), C_ARPU1, 0.005),
    TRIPLET("mou", K_LOGN, 5.88832, 0.5, 1, LAM(.88, 0, 0, 0, 0, 0), C_MOU1, 0),
    TRIPLET("out_calls", K_POIS, 4.52140, 0.45, 1, LAM(.85, 0, 0, 0, 0, 0), C_OUT1, 0),
    SPECIAL("days_no_outgoing_m3", SYNTH_ROLE_SIGNAL, 0),
    TRIPLET("data_mb", K_LOGN, 7.96405, 0.6, 0.1, LAM(.72, .25, 0, 0, 0, 0), C_DATA1, 0),
    TRIPLET("sms", K_POIS, 3.01037, 0.5, 1, LAM(.6, 0, -.2, 0, 0, 0), C_SMS1, 0),
    SPECIAL("voice_charge_m3", SYNTH_ROLE_DERIVED, 0),
    {"complaints_m3", R_IND, K_POIS, -2.12026, 0.8, 1, 0, HUGE_VAL, LAM(0, 0, 0, .8, 0, 0), 0.5,
     C_COMPLAINTS, 3, 0},
    {"service_calls_m3", R_IND, K_POIS, 1.61176, 0.6, 1, 0, HUGE_VAL, LAM(0, 0, 0, .9, 0, 0), 0.5,
     C_SERVICE_CALLS, 3, 0},
    {"network_drop_rate_m3", R_IND, K_LOGN, 0.18232, 0.3, 0.001, 0, HUGE_VAL,
     LAM(0, 0, 0, .85, 0, 0), 0.7, C_DROP_RATE, 3, 0.008},
    {"nps_score", R_IND, K_LIN, 6.8, 1.8, 1, 0, 10, LAM(0, 0, 0, -.9, 0, 0), 0.7, C_NPS, 3, 0.01},
    SPECIAL("competitor_service_calls_m3", SYNTH_ROLE_SIGNAL, 0),
    SPECIAL("forward_to_competitor_m3", SYNTH_ROLE_SIGNAL, 0),
    SPECIAL("dual_sim", SYNTH_ROLE_SIGNAL, 0),
    {"offnet_call_share_m3", R_IND, K_LIN, 0.35, 0.10, 0.001, 0, 1, LAM(0, 0, 0, 0, .9, 0), 0.6,
     C_OFFNET_CALL, 3, 0},
    {"offnet_sms_share_m3", R_IND, K_LIN, 0.30, 0.10, 0.001, 0, 1, LAM(0, 0, 0, 0, .85, 0), 0.6,
     C_OFFNET_SMS, 3, 0},
    {"competitor_coverage_idx", R_IND, K_LIN, 50, 12, 0.1, 0, 100, LAM(0, 0, 0, 0, .8, 0), 1.0,
     C_COMP_COVER, 3, 0},
    SPECIAL("suspended_voluntary", SYNTH_ROLE_SIGNAL, 0),
    SPECIAL("suspended_arrears", SYNTH_ROLE_SIGNAL, 0),
    SPECIAL("suspended_high_bill", SYNTH_ROLE_SIGNAL, 0),
    {"vas_count", R_IND, K_POIS, 0.34500, 0.5, 1, 0, HUGE_VAL, LAM(0, .75, 0, 0, 0, 0), 1.0, C_VAS,
     3, 0},
    {"points_balance", R_IND, K_LOGN, 7.61554, 0.5, 1, 0, HUGE_VAL, LAM(0, .75, .15, 0, 0, 0), 1.0,
     C_POINTS, 3, 0.01},
    {"family_plan", R_IND, K_BIN, 0.52440, 1, 0, 0, 1, LAM(0, 0, 0, 0, 0, .9), 1.0, C_FAMILY, 3, 0},
    {"group_member", R_IND, K_BIN, 0.67449, 1, 0, 0, 1, LAM(0, 0, 0, 0, 0, .75), 1.0, C_GROUP, 3, 0},
    {"broadband_bundle", R_IND, K_BIN, 0.25335, 1, 0, 0, 1, LAM(0, 0, 0, 0, 0, .9), 1.0,
     C_BROADBAND, 3, 0},
    {"handset_installment_left", R_IND, K_LIN, 8, 6, 1, 0, 24, LAM(0, 0, 0, 0, 0, .9), 1.0,
     C_INSTALLMENT, 3, 0},
    {"e_channel_use", R_IND, K_LIN, 10, 5, 1, 0, 30, LAM(0, 0, .9, 0, 0, 0), 0.6, C_ECHANNEL, 3, 0},
    {"app_logins_m3", R_IND, K_POIS, 2.45906, 0.6, 1, 0, HUGE_VAL, LAM(0, 0, .85, 0, 0, 0), 0.5,
     C_APP_LOGINS, 3, 0},
    {"online_pay_share_m3", R_IND, K_LIN, 0.45, 0.15, 0.001, 0, 1, LAM(0, 0, .9, 0, 0, 0), 0.6,
     C_ONLINE_PAY, 3, 0},
    SPECIAL("roaming_mb_m3", SYNTH_ROLE_SPARSE, 0),
    SPECIAL("intl_calls_m3", SYNTH_ROLE_SPARSE, 0),
};

/* Drift direction of the factor means per month (times drift): traffic and digital engagement grow,
 * competitors push a little harder. */
static const double drift_dir[F] = {1.0, 0.0, 0.5, 0.0, 0.3, 0.0};

/* Churn logit and P(active | churn) logit: coefficients on observed columns and true factors. */
#define B_DUAL 2.0
#define B_COMPCALLS 0.8
#define B_FORWARD 1.8
#define B_DAYS 0.18
#define B_ARREARS 2.2
#define B_SUSP_VOL 1.0
#define B_SUSP_BILL 0.5
#define B_ENDING 1.0
#define B_NEWSUB 0.8
#define B_COMPLAINTS 0.25
static const double b_factor[F] = {-0.1, -0.15, -0.25, 0.3, 0.3, -0.2};

#define A_DUAL 2.5
#define A_COMPCALLS 1.0
#define A_FORWARD 2.0
#define A_DAYS (-0.12)
#define A_ARREARS (-2.0)
#define A_ENDING 0.8
#define A_NEWSUB (-0.8)
#define A_COMP 0.5

/* Intercepts of the latent shopping-around and fading states (about 0.4% and 0.9% of subscribers). */
#define SHOP0 (-6.3)
#define FADE0 (-5.6)

/* Calibrated by bisection on 2M rows (seed 42, month 0, drift 0.05, defaults otherwise): mean prob
 * 0.0200, churn rate 0.0200, active share of leavers 0.20, oracle AUC 0.792. */
#define CHURN0_DEFAULT (-4.758)
#define ACTIVE0_DEFAULT (-1.40)

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

size_t synth_n_features(const synth_params *p) { return P_COLS; }

const char *synth_feature_name(const synth_params *p, size_t j)
{
    return j < P_COLS ? cols[j].name : NULL;
}

int synth_feature_role(const synth_params *p, size_t j) { return j < P_COLS ? cols[j].role : -1; }

long synth_feature_index(const synth_params *p, const char *name)
{
    if (!name) return -1;
    for (size_t j = 0; j < P_COLS; j++)
        if (strcmp(cols[j].name, name) == 0) return (long)j;
    return -1;
}

size_t synth_n_factors(const synth_params *p) { return F; }

const char *synth_factor_name(const synth_params *p, size_t k)
{
    return k < F ? factor_names[k] : NULL;
}

/* ---------------------------------------------------------------- parameters */

void synth_params_default(synth_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 42;
    p->n_regions = 18;
    p->n_brands = SYNTH_N_BRANDS;
    memcpy(p->month, "2026-10", 8);
    p->month_index = 0;
    p->drift = 0.05;
    p->window_months = 1.0;
    p->n_base = 0;
    p->joiners_per_month = 0;
    p->churn_intercept = CHURN0_DEFAULT;
    p->active_intercept = ACTIVE0_DEFAULT;
}

/* Parses "YYYY-MM" strictly; 0 on success. */
static int month_parse(const char *s, int *year, int *mon)
{
    for (int i = 0; i < 7; i++) {
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return -1;
    }
    if (s[7] != '\0') return -1;
    *year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *mon = (s[5] - '0') * 10 + (s[6] - '0');
    return (*mon >= 1 && *mon <= 12) ? 0 : -1;
}

int synth_params_check(const synth_params *p)
{
    int y, m;
    if (!p) return CS_ERROR(CS_EINVAL, "synth: no parameters");
    if (p->n_regions < 1 || p->n_regions > SYNTH_MAX_REGIONS)
        return CS_ERROR(CS_EINVAL, "synth: regions must be 1..%d, got %u", SYNTH_MAX_REGIONS,
                        p->n_regions);
    if (p->n_brands != SYNTH_N_BRANDS)
        return CS_ERROR(CS_EINVAL, "synth: brands must be %d, got %u", SYNTH_N_BRANDS, p->n_brands);
    if (memchr(p->month, '\0', sizeof p->month) == NULL || month_parse(p->month, &y, &m) != 0)
        return CS_ERROR(CS_EINVAL, "synth: month must be YYYY-MM");
    if (p->month_index < 0 || p->month_index > 1200)
        return CS_ERROR(CS_EINVAL, "synth: month index must be 0..1200, got %d", p->month_index);
    if (!(p->drift >= 0.0 && p->drift <= 1.0))
        return CS_ERROR(CS_EINVAL, "synth: drift must be in [0, 1], got %g", p->drift);
    if (!(p->window_months > 0.0 && p->window_months <= 12.0))
        return CS_ERROR(CS_EINVAL, "synth: churn window must be in (0, 12] months, got %g",
                        p->window_months);
    if (!isfinite(p->churn_intercept) || !isfinite(p->active_intercept))
        return CS_ERROR(CS_EINVAL, "synth: intercepts must be finite");
    if (p->n_base > 0) {
        uint64_t extra = p->joiners_per_month * (uint64_t)p->month_index;
        if (p->n_base > SYNTH_MAX_ROWS ||
            (p->month_index > 0 && p->joiners_per_month > SYNTH_MAX_ROWS / (uint64_t)p->month_index) ||
            extra > SYNTH_MAX_ROWS - p->n_base)
            return CS_ERROR(CS_EINVAL, "synth: population exceeds 2^%d rows", SYNTH_ID_BITS);
    }
    return CS_OK;
}

int synth_params_follow(const synth_params *prev, synth_params *next)
{
    int y, m;
    CS_TRY(synth_params_check(prev));
    synth_params tmp = *prev;
    month_parse(prev->month, &y, &m);
    if (++m > 12) {
        m = 1;
        y++;
    }
    if (y > 9999) return CS_ERROR(CS_EINVAL, "synth: month past 9999-12");
    tmp.month_index++;
    snprintf(tmp.month, sizeof tmp.month, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
    CS_TRY(synth_params_check(&tmp));
    *next = tmp;
    return CS_OK;
}

uint64_t synth_n_rows(const synth_params *p)
{
    if (p->n_base == 0) return SYNTH_MAX_ROWS;
    return p->n_base + p->joiners_per_month * (uint64_t)p->month_index;
}

/* ---------------------------------------------------------------- ids */

#define ID_MASK (SYNTH_MAX_ROWS - 1)
#define ID_M1 UINT64_C(0x2545F4914F)
#define ID_M2 UINT64_C(0x19E3779B97)

static uint64_t inv_odd(uint64_t a) /* inverse of odd a modulo 2^64 (Newton) */
{
    uint64_t x = a;
    for (int i = 0; i < 6; i++) x *= 2 - a * x;
    return x;
}

static uint64_t unxorshift(uint64_t y, unsigned s) /* inverse of y = x ^ (x >> s) on 34 bits */
{
    uint64_t x = y;
    for (unsigned i = 0; i * s < SYNTH_ID_BITS; i++) x = y ^ (x >> s);
    return x;
}

static void id_keys(uint64_t seed, uint64_t *k1, uint64_t *k2)
{
    *k1 = idhash_mix(seed ^ UINT64_C(0x6a09e667f3bcc908)) & ID_MASK;
    *k2 = idhash_mix(seed ^ UINT64_C(0xbb67ae8584caa73b)) & ID_MASK;
}

/* Each step (xor key, multiply by odd, xorshift, add key) is a bijection of [0, 2^34). */
uint64_t synth_id_of_row(const synth_params *p, uint64_t row)
{
    uint64_t k1, k2;
    if (row >= SYNTH_MAX_ROWS) return 0;
    id_keys(p->seed, &k1, &k2);
    uint64_t x = row ^ k1;
    x = (x * ID_M1) & ID_MASK;
    x ^= x >> 17;
    x = (x * ID_M2) & ID_MASK;
    x ^= x >> 13;
    x = (x + k2) & ID_MASK;
    return SYNTH_ID_BASE + x;
}

int synth_row_of_id(const synth_params *p, uint64_t id, uint64_t *row)
{
    uint64_t k1, k2;
    if (!p || !row) return CS_ERROR(CS_EINVAL, "synth: null argument");
    if (id < SYNTH_ID_BASE || id - SYNTH_ID_BASE >= SYNTH_MAX_ROWS)
        return CS_ERROR(CS_EINVAL, "synth: id %llu is outside the simulated id range",
                        (unsigned long long)id);
    id_keys(p->seed, &k1, &k2);
    uint64_t x = (id - SYNTH_ID_BASE - k2) & ID_MASK;
    x = unxorshift(x, 13);
    x = (x * inv_odd(ID_M2)) & ID_MASK;
    x = unxorshift(x, 17);
    x = (x * inv_odd(ID_M1)) & ID_MASK;
    *row = x ^ k1;
    return CS_OK;
}

/* ---------------------------------------------------------------- rows */

/* What is shared by all rows of one call, derived once from the parameters. */
typedef struct synth_ctx {
    uint64_t seedkey;
    int month;
    double wobble, shrink; /* f = shrink * (f0 + wobble * w) + mean */
    double fmean[F];
    double psi[P_COLS], sp[P_COLS], sm[P_COLS]; /* noise sd, persistent and monthly shares */
    double inv_step[P_COLS];
    double cumw[SYNTH_MAX_REGIONS];
    unsigned n_regions;
    double window;
    double churn0, active0;
    uint64_t n_base, joiners;
} synth_ctx;

static void ctx_init(const synth_params *p, synth_ctx *c)
{
    c->seedkey = idhash_mix(p->seed + UINT64_C(0x5851f42d4c957f2d));
    c->month = p->month_index;
    c->wobble = p->drift;
    c->shrink = 1.0 / sqrt(1.0 + p->drift * p->drift);
    for (int k = 0; k < F; k++) c->fmean[k] = p->drift * p->month_index * drift_dir[k];
    for (int j = 0; j < P_COLS; j++) {
        double s = 0.0;
        for (int k = 0; k < F; k++) s += cols[j].lam[k] * cols[j].lam[k];
        c->psi[j] = sqrt(1.0 - s);
        c->sp[j] = sqrt(cols[j].persist);
        c->sm[j] = sqrt(1.0 - cols[j].persist);
        c->inv_step[j] = cols[j].step > 0.0 ? 1.0 / cols[j].step : 0.0;
    }
    double tot = 0.0;
    for (unsigned r = 0; r < p->n_regions; r++) tot += region_weight[r];
    double acc = 0.0;
    for (unsigned r = 0; r < p->n_regions; r++) {
        acc += region_weight[r];
        c->cumw[r] = acc / tot;
    }
    c->n_regions = p->n_regions;
    c->window = p->window_months;
    c->churn0 = p->churn_intercept;
    c->active0 = p->active_intercept;
    c->n_base = p->n_base;
    c->joiners = p->joiners_per_month;
}

static inline uint64_t month_key(uint64_t kp, int cal)
{
    return idhash_mix(kp ^ idhash_mix((uint64_t)(int64_t)cal * UINT64_C(0xd1b54a32d192ed03) + 0x1234567));
}

/* Rounds x >= 0 to the nearest multiple of step given inv = 1/step (0: no rounding). Truncation instead
 * of floor() and a product instead of a division: this line was a sixth of the generation time. Values
 * here are below 1e9, far inside int64_t. */
static inline double round_pos(double x, double step, double inv)
{
    return inv > 0.0 ? (double)(int64_t)(x * inv + 0.5) * step : x;
}

static inline double clampd(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

/* One row: features x[P_COLS], factors f[F], and the churn outcome. */
static void synth_row(const synth_ctx *c, uint64_t row, uint64_t id, float *xout, double *fout,
                      uint16_t *region, uint8_t *brand_out, double *prob, int8_t *churned,
                      uint8_t *leaver)
{
    double x[P_COLS];
    double f[F];
    double pers[P_COLS];
    const uint64_t kp = idhash_mix(c->seedkey ^ id);
    const int M = c->month;
    uint64_t kc[3]; /* calendar months M-2, M-1, M: the window's m1, m2, m3 */
    for (int t = 0; t < 3; t++) kc[t] = month_key(kp, M - 2 + t);
    const uint64_t km = kc[2];

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
     * of month j have tenure M - j + 1. Contracts renew every 12 or 24 months from a random phase. */
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
        int phase = (int)(unif(kp, D_CONTRACT_PHASE) * len);
        left = (double)(((phase - M) % len + len) % len);
    }
    int ending = left >= 0.0 && left <= 1.0;
    int newsub = tenure <= 3.0;
    x[C_TENURE] = tenure;
    x[C_CONTRACT_LEFT] = left;
    x[C_CONTRACT_ENDING] = ending;
    x[C_NEW_SUB] = newsub;
    x[C_AGE] = age;

    /* Latent states of this month: shopping around (port-out risk) and fading (passive). */
    int shop = unif(km, D_SHOP) <
               logistic(SHOP0 + 0.9 * f[FC] + 0.6 * f[FD] - 0.5 * f[FL] + 1.0 * ending);
    int fade = unif(km, D_FADE) < logistic(FADE0 - 0.6 * f[FV] - 0.6 * f[FE] - 0.3 * f[FU] +
                                           1.3 * newsub + 0.7 * (brand == 2));

    /* Usage softening from m1 to m3 in those states (applied to the month's level). */
    static const double soft_shop[3] = {1.0, 0.93, 0.8}, soft_fade[3] = {1.0, 0.7, 0.25};

    for (int j = 0; j < P_COLS; j++) {
        const colspec *s = &cols[j];
        if (s->kind == K_NONE) continue;
        int t = s->tmonth - 1;
        double z = 0.0;
        for (int k = 0; k < F; k++) z += s->lam[k] * f[k];
        double e = 0.0;
        /* a group's first column (its m1, or the column itself) draws the shared persistent part */
        if (s->group == j) pers[j] = s->persist > 0.0 ? gauss(kp, D_PERSIST + j) : 0.0;
        if (s->persist > 0.0) e += c->sp[j] * pers[s->group];
        /* keyed by (group, calendar month): this month's m2 is next month's m1 */
        if (s->persist < 1.0) e += c->sm[j] * gauss(kc[t], D_NOISE + s->group);
        z += c->psi[j] * e;
        double mult = 1.0;
        if (s->group == C_MOU1 || s->group == C_OUT1 || s->group == C_DATA1) {
            if (shop) mult *= soft_shop[t];
            if (fade) mult *= soft_fade[t];
        } else if (s->group == C_SMS1) {
            if (fade) mult *= soft_fade[t];
        } else if (s->group == C_ARPU1) {
            if (fade && t == 2) mult *= 0.85;
        }
        double v;
        switch (s->kind) {
        case K_LIN: v = s->loc + s->scale * z; break;
        case K_LOGN: v = mult * exp(s->loc + s->scale * z); break;
        case K_POIS:
            v = poisson(mult * exp(s->loc + s->scale * z), unif(kc[t], D_POIS + s->group));
            break;
        default: v = z > s->loc ? 1.0 : 0.0; break;
        }
        /* clamp first: lo >= 0 and hi a multiple of step keep the rounded value in range */
        x[j] = round_pos(clampd(v, s->lo, s->hi), s->step, c->inv_step[j]);
    }

    /* Alarm signals: frequent in the states, rare (0.1-0.4%) otherwise. */
    double dual = unif(km, D_DUAL) < (shop ? 0.5 : 0.001);
    double compcalls = 0.0;
    u = unif(km, D_COMPCALLS);
    if (shop ? u < 0.6 : u < 0.001)
        compcalls = 1.0 + (shop ? poisson(0.8, unif(km, D_COMPCALLS2)) : 0.0);
    double fwd = unif(km, D_FORWARD) < (shop ? 0.3 : 0.001);
    double svol = unif(km, D_SUSP_VOL) < (fade ? 0.06 : (shop ? 0.04 : 0.003));
    double sarr = unif(km, D_SUSP_ARR) < (fade ? 0.35 : 0.002);
    double sbill = unif(km, D_SUSP_BILL) < (fade ? 0.03 : 0.004);
    double days;
    if (fade) {
        days = 10.0 + floor(21.0 * unif(km, D_DAYS));
    } else {
        days = unif(km, D_DAYS) < 0.85 ? 0.0 : 1.0 + floor(5.0 * unif(km, D_DAYS2));
    }
    if (shop && unif(km, D_COMPLAINT_X) < 0.3) x[C_COMPLAINTS] += 1.0;
    x[C_DUAL_SIM] = dual;
    x[C_COMP_CALLS] = compcalls;
    x[C_FORWARD] = fwd;
    x[C_SUSP_VOL] = svol;
    x[C_SUSP_ARR] = sarr;
    x[C_SUSP_BILL] = sbill;
    x[C_DAYS_NO_OUT] = days;

    /* A charge that is minutes times a flat rate plus rounding-size noise: screening must drop one. */
    x[C_VOICE_CHARGE] =
        round_pos(clampd(0.15 * x[C_MOU3] + 0.02 * gauss(km, D_CHARGE), 0.0, HUGE_VAL), 0.01, 100.0);
    x[C_ROAMING] =
        unif(km, D_ROAM) < 0.01 ? round_pos(exp(5.0 + gauss(km, D_ROAM2)), 0.1, 10.0) : 0.0;
    u = unif(km, D_INTL);
    x[C_INTL] = u < 0.007 ? 1.0 + poisson(2.0, unif(km, D_INTL2)) : 0.0;

    /* The truth: churn logit linear in the factors and in observed columns. */
    double eta = c->churn0 + B_DUAL * dual + B_COMPCALLS * compcalls +
                 B_FORWARD * fwd + B_DAYS * days + B_ARREARS * sarr + B_SUSP_VOL * svol +
                 B_SUSP_BILL * sbill + B_ENDING * ending + B_NEWSUB * newsub +
                 B_COMPLAINTS * x[C_COMPLAINTS];
    for (int k = 0; k < F; k++) eta += b_factor[k] * f[k];
    double pr = logistic(eta);
    /* a window of w months at this monthly hazard; a monotone map, so rankings are unchanged */
    if (c->window != 1.0) pr = -expm1(c->window * log1p(-pr));
    int ch = unif(km, D_CHURN) < pr;
    int type = 0;
    if (ch) {
        double zeta = c->active0 + A_DUAL * dual + A_COMPCALLS * compcalls + A_FORWARD * fwd +
                      A_DAYS * days + A_ARREARS * sarr + A_ENDING * ending + A_NEWSUB * newsub +
                      A_COMP * f[FC];
        type = unif(km, D_TYPE) < logistic(zeta) ? 1 : 2;
    }

    /* Missing completely at random, after the truth used the values. */
    for (int j = 0; j < P_COLS; j++)
        if (cols[j].miss > 0.0 && unif(km, D_MISS + j) < cols[j].miss) x[j] = NAN;

    if (xout)
        for (int j = 0; j < P_COLS; j++) xout[j] = (float)x[j];
    if (fout)
        for (int k = 0; k < F; k++) fout[k] = f[k];
    if (region) *region = (uint16_t)r;
    if (brand_out) *brand_out = (uint8_t)brand;
    if (prob) *prob = pr;
    if (churned) *churned = (int8_t)ch;
    if (leaver) *leaver = (uint8_t)type;
}

int synth_rows(const synth_params *p, uint64_t row0, size_t n, synth_out *out)
{
    CS_TRY(synth_params_check(p));
    if (!out) return CS_ERROR(CS_EINVAL, "synth: no output buffers");
    uint64_t nrows = synth_n_rows(p);
    if (row0 > nrows || (uint64_t)n > nrows - row0)
        return CS_ERROR(CS_EINVAL, "synth: rows [%llu, %llu) past the %llu rows of month %s",
                        (unsigned long long)row0, (unsigned long long)(row0 + n),
                        (unsigned long long)nrows, p->month);
    synth_ctx c;
    ctx_init(p, &c);
    for (size_t i = 0; i < n; i++) {
        uint64_t row = row0 + i;
        uint64_t id = synth_id_of_row(p, row);
        if (out->id) out->id[i] = id;
        synth_row(&c, row, id, out->features ? out->features + i * P_COLS : NULL,
                  out->factors ? out->factors + i * F : NULL, out->region ? out->region + i : NULL,
                  out->brand ? out->brand + i : NULL, out->prob ? out->prob + i : NULL,
                  out->churned ? out->churned + i : NULL, out->leaver ? out->leaver + i : NULL);
    }
    return CS_OK;
}

/* ---------------------------------------------------------------- buffers */

synth_out *synth_out_alloc(const synth_params *p, size_t n)
{
    if (n == 0 || n > SIZE_MAX / (P_COLS * sizeof(double))) return NULL;
    synth_out *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->id = malloc(n * sizeof *o->id);
    o->region = malloc(n * sizeof *o->region);
    o->brand = malloc(n * sizeof *o->brand);
    o->features = malloc(n * P_COLS * sizeof *o->features);
    o->churned = malloc(n * sizeof *o->churned);
    o->prob = malloc(n * sizeof *o->prob);
    o->leaver = malloc(n * sizeof *o->leaver);
    o->factors = malloc(n * F * sizeof *o->factors);
    if (!o->id || !o->region || !o->brand || !o->features || !o->churned || !o->prob ||
        !o->leaver || !o->factors) {
        synth_out_free(o);
        return NULL;
    }
    return o;
}

void synth_out_free(synth_out *out)
{
    if (!out) return;
    free(out->id);
    free(out->region);
    free(out->brand);
    free(out->features);
    free(out->churned);
    free(out->prob);
    free(out->leaver);
    free(out->factors);
    free(out);
}

/* ---------------------------------------------------------------- true loadings */

static double norm_pdf(double x) { return exp(-0.5 * x * x) / sqrt(2.0 * M_PI); }

/* corr(g(z), z) for z ~ N(mu, 1) and the column's transform g (see colspec). */
static double transform_corr(const colspec *s, double mu)
{
    double sg = s->scale;
    switch (s->kind) {
    case K_LIN: return 1.0;
    case K_LOGN: return sg / sqrt(expm1(sg * sg));
    case K_POIS: {
        /* cov(X, z) = sg E[mu(z)] (Stein), var X = m + m^2 (e^{sg^2} - 1) with m = E[mu(z)] */
        double m = exp(s->loc + sg * mu + 0.5 * sg * sg);
        return sg * m / sqrt(m + m * m * expm1(sg * sg));
    }
    case K_BIN: {
        double t = s->loc - mu;
        double q = 0.5 * erfc(t / sqrt(2.0));
        return norm_pdf(t) / sqrt(q * (1.0 - q));
    }
    default: return 0.0;
    }
}

int synth_true_loadings(const synth_params *p, double *out)
{
    CS_TRY(synth_params_check(p));
    if (!out) return CS_ERROR(CS_EINVAL, "synth: no output for the loadings");
    synth_ctx c;
    ctx_init(p, &c);
    for (size_t j = 0; j < P_COLS; j++) {
        const colspec *s = &cols[j == C_VOICE_CHARGE ? C_MOU3 : j];
        double mu = 0.0;
        for (int k = 0; k < F; k++) mu += s->lam[k] * c.fmean[k];
        double g = transform_corr(s, mu);
        for (int k = 0; k < F; k++) out[j * F + k] = s->lam[k] * g;
    }
    return CS_OK;
}
