/* analyze.c — the per-block sums of the monthly analyses and the traffic-change profile (see
 * analyze.h). A row adds ones and values into the cells it belongs to; NaN indicators add nothing
 * (a missing ARPU is no value, a missing suspension flag is no suspension).
 */
#include "analyze.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long anl_find(const char *const *names, size_t p, const char *name)
{
    for (size_t j = 0; j < p; j++)
        if (strcmp(names[j], name) == 0) return (long)j;
    return -1;
}

void anl_cols_find(anl_cols *c, const char *const *names, size_t p)
{
    memset(c, 0, sizeof *c);
    static const char *const susp[ANL_N_SUSP] = {"suspended_voluntary", "suspended_arrears",
                                                 "suspended_high_bill"};
    c->tenure = anl_find(names, p, "tenure_months");
    c->arpu = anl_find(names, p, "arpu_m3");
    for (int k = 0; k < ANL_N_SUSP; k++) c->susp[k] = anl_find(names, p, susp[k]);
    char buf[96];
    for (int m = 0; m < 3; m++) {
        snprintf(buf, sizeof buf, "mou_m%d", m + 1);
        c->mou[m] = anl_find(names, p, buf);
        snprintf(buf, sizeof buf, "data_mb_m%d", m + 1);
        c->data[m] = anl_find(names, p, buf);
    }
    c->fwd_all = anl_find(names, p, "forward_to_competitor_m3");
    c->calls_all = anl_find(names, p, "competitor_service_calls_m3");
    c->dual_all = anl_find(names, p, "dual_sim");
    /* competitors in the snapshot's column order, so the order is the file's, not ours */
    for (size_t j = 0; j < p && c->n_comp < ANL_MAX_COMPETITORS; j++) {
        const char *s = names[j];
        size_t len = strlen(s);
        if (strncmp(s, "forward_to_", 11) != 0 || len <= 14 || strcmp(s + len - 3, "_m3") != 0) continue;
        size_t klen = len - 14;
        if (klen >= sizeof c->comp[0] || (klen == 10 && strncmp(s + 11, "competitor", 10) == 0)) continue;
        char *k = c->comp[c->n_comp];
        memcpy(k, s + 11, klen);
        k[klen] = '\0';
        c->fwd[c->n_comp] = (long)j;
        snprintf(buf, sizeof buf, "competitor_service_calls_%s_m3", k);
        c->calls[c->n_comp] = anl_find(names, p, buf);
        snprintf(buf, sizeof buf, "dual_sim_%s", k);
        c->dual[c->n_comp] = anl_find(names, p, buf);
        c->n_comp++;
    }
    /* the plan: the first of these category columns in column order */
    static const char *const plan_cols[] = {"plan", "product", "tariff", "package"};
    for (size_t j = 0; j < p && !c->plan_col[0]; j++)
        for (size_t k = 0; k < sizeof plan_cols / sizeof plan_cols[0]; k++) {
            size_t n = strlen(plan_cols[k]);
            if (strncmp(names[j], plan_cols[k], n) == 0 && names[j][n] == '=' && names[j][n + 1]) {
                snprintf(c->plan_col, sizeof c->plan_col, "%s", plan_cols[k]);
                break;
            }
        }
    size_t n = strlen(c->plan_col);
    for (size_t j = 0; n && j < p && c->n_plan < ANL_MAX_PLANS; j++) {
        if (strncmp(names[j], c->plan_col, n) != 0 || names[j][n] != '=' || !names[j][n + 1]) continue;
        snprintf(c->plan_name[c->n_plan], sizeof c->plan_name[0], "%s", names[j] + n + 1);
        c->plan[c->n_plan++] = (long)j;
    }
}

void anl_layout_init(anl_layout *l, size_t groups, size_t brands, size_t p, size_t comps, double threshold)
{
    l->groups = groups;
    l->brands = brands;
    l->p = p;
    l->comps = comps;
    l->threshold = threshold;
    size_t cells = groups * brands;
    l->off_churn = 0;
    l->off_susp = l->off_churn + cells * ANL_CH_N;
    l->off_fwd = l->off_susp + ANL_N_SUSP * cells * ANL_SU_N;
    l->off_traffic = l->off_fwd + (comps + 1) * cells * ANL_FW_N;
    l->off_grid = l->off_traffic + ANL_N_TRAFFIC * (ANL_TR_HEAD + 3 * p);
    l->products = 1;
    l->len = l->off_grid + ANL_N_BANDS * ANL_N_TIERS * brands * ANL_GR_N;
}

void anl_layout_products(anl_layout *l, size_t n)
{
    l->products = n ? n : 1;
    l->len = l->off_grid + ANL_N_BANDS * ANL_N_TIERS * l->brands * l->products * ANL_GR_N;
}

/* A flag column: set when present and > 0 (NaN and absent columns are not set). */
static int anl_on(const float *x, long j) { return j >= 0 && x[j] > 0.0f; }

int anl_new_by_tenure(const anl_cols *c, const float *x) { return c->tenure >= 0 && x[c->tenure] <= 1.0f; }

size_t anl_product(const anl_cols *c, const float *x)
{
    for (size_t k = 0; k < c->n_plan; k++)
        if (anl_on(x, c->plan[k])) return k;
    return c->n_plan;
}

/* Change of the latest month against the mean of the two before: NaN when one is missing or the
 * base is not positive. */
static double anl_change(const float *x, const long *m)
{
    if (m[0] < 0 || m[1] < 0 || m[2] < 0) return NAN;
    double a = x[m[0]], b = x[m[1]], z = x[m[2]];
    double base = 0.5 * (a + b);
    if (isnan(a) || isnan(b) || isnan(z) || !(base > 0.0)) return NAN;
    return (z - base) / base;
}

int anl_traffic_group(const anl_cols *c, const float *x, double t)
{
    double dm = anl_change(x, c->mou), dd = anl_change(x, c->data);
    if (isnan(dm) && isnan(dd)) return -1;
    /* the small tolerance keeps a change of exactly N% (30 minutes of 100) in the group although
     * the float32 inputs make it 0.29999999 */
    const double eps = 1e-9;
    int g = 0;
    if ((!isnan(dm) && dm >= t - eps) || (!isnan(dd) && dd >= t - eps)) g |= 1;
    if ((!isnan(dm) && dm <= -t + eps) || (!isnan(dd) && dd <= -t + eps)) g |= 2;
    return g;
}

static void anl_traffic_add(const anl_layout *l, double *tr, int g, const float *x, int lab, int left)
{
    double *t = tr + (size_t)g * (ANL_TR_HEAD + 3 * l->p);
    t[ANL_TR_N] += 1.0;
    t[ANL_TR_LABELLED] += lab;
    t[ANL_TR_LEAVERS] += left;
    for (size_t j = 0; j < l->p; j++) {
        double v = x[j];
        if (isnan(v)) continue;
        double *s = t + ANL_TR_HEAD + 3 * j;
        s[0] += 1.0;
        s[1] += v;
        s[2] += v * v;
    }
}

size_t anl_cell_cols(const anl_cols *c, long *out)
{
    long all[ANL_MAX_CELL_COLS];
    size_t n = 0, k = 0;
    all[n++] = c->tenure;
    all[n++] = c->arpu;
    for (int s = 0; s < ANL_N_SUSP; s++) all[n++] = c->susp[s];
    for (size_t q = 0; q < c->n_comp; q++) {
        all[n++] = c->fwd[q];
        all[n++] = c->calls[q];
        all[n++] = c->dual[q];
    }
    all[n++] = c->fwd_all;
    all[n++] = c->calls_all;
    all[n++] = c->dual_all;
    for (size_t i = 0; i < n; i++) {
        int seen = all[i] < 0;
        for (size_t j = 0; j < k && !seen; j++) seen = out[j] == all[i];
        if (!seen) out[k++] = all[i];
    }
    return k;
}

void anl_block_add(const anl_layout *l, const anl_cols *c, const anl_rows *r, double *v)
{
    size_t cells = l->groups * l->brands;
    double *tr = v + l->off_traffic;
    for (size_t i = 0; i < r->n; i++) {
        const float *x = r->x + i * l->p;
        int lab = r->churned && (r->churned[i] == 0 || r->churned[i] == 1);
        int left = r->churned && r->churned[i] == 1;
        int ct = r->ctype ? r->ctype[i] : 0;
        double arpu = c->arpu >= 0 && !isnan(x[c->arpu]) ? x[c->arpu] : 0.0;
        if (r->group[i] != SIZE_MAX) {
            size_t cell = r->group[i] * l->brands + r->brand[i];
            double *ch = v + l->off_churn + cell * ANL_CH_N;
            ch[ANL_CH_SUBS] += 1.0;
            ch[ANL_CH_NEW_TENURE] += anl_new_by_tenure(c, x);
            ch[ANL_CH_LABELLED] += lab;
            ch[ANL_CH_LEAVERS] += left;
            ch[ANL_CH_VOLUNTARY] += left && ct == 1;
            ch[ANL_CH_INVOLUNTARY] += left && ct == 2;
            ch[ANL_CH_VALUE] += arpu;
            if (left) ch[ANL_CH_LEAVERS_VALUE] += arpu;
            for (int k = 0; k < ANL_N_SUSP; k++) {
                if (!anl_on(x, c->susp[k])) continue;
                double *su = v + l->off_susp + ((size_t)k * cells + cell) * ANL_SU_N;
                su[ANL_SU_COUNT] += 1.0;
                su[ANL_SU_VALUE] += arpu;
                su[ANL_SU_LABELLED] += lab;
                su[ANL_SU_LEFT] += left;
            }
            /* each competitor, then the row "all": the aggregate columns where the snapshot has
             * them, else any competitor's */
            int any_f = 0, any_c = 0, any_d = 0;
            for (size_t k = 0; k <= l->comps; k++) {
                int f, sc, ds;
                if (k < l->comps) {
                    f = anl_on(x, c->fwd[k]);
                    sc = anl_on(x, c->calls[k]);
                    ds = anl_on(x, c->dual[k]);
                    any_f |= f;
                    any_c |= sc;
                    any_d |= ds;
                } else {
                    f = c->fwd_all >= 0 ? anl_on(x, c->fwd_all) : any_f;
                    sc = c->calls_all >= 0 ? anl_on(x, c->calls_all) : any_c;
                    ds = c->dual_all >= 0 ? anl_on(x, c->dual_all) : any_d;
                }
                double *fw = v + l->off_fwd + (k * cells + cell) * ANL_FW_N;
                fw[ANL_FW_SERVICE_CALLS] += sc;
                fw[ANL_FW_DUAL_SIM] += ds;
                if (!f) continue;
                fw[ANL_FW_COUNT] += 1.0;
                fw[ANL_FW_VALUE] += arpu;
                fw[ANL_FW_LABELLED] += lab;
                fw[ANL_FW_LEFT] += left;
            }
        }
        if (r->cells_only) continue;
        int g = anl_traffic_group(c, x, l->threshold);
        if (g == 0) anl_traffic_add(l, tr, 2, x, lab, left);
        if (g > 0 && (g & 1)) anl_traffic_add(l, tr, 0, x, lab, left);
        if (g > 0 && (g & 2)) anl_traffic_add(l, tr, 1, x, lab, left);
        int band = r->phase ? r->phase[i] : 3;
        int tier = r->tier ? r->tier[i] : 0;
        if (band > 3) band = 3;
        if (tier > 5) tier = 0;
        size_t prod = l->products > 1 ? anl_product(c, x) : 0;
        double *gr = v + l->off_grid +
                     ((((size_t)band * ANL_N_TIERS + (size_t)tier) * l->brands + r->brand[i]) * l->products + prod) *
                         ANL_GR_N;
        gr[ANL_GR_SUBS] += 1.0;
        double val = r->sarpu ? (isnan(r->sarpu[i]) ? 0.0 : r->sarpu[i]) : arpu;
        gr[ANL_GR_VALUE] += val;
        if (r->var) gr[ANL_GR_VAR] += r->var[i];
        if (r->prob) gr[ANL_GR_EXPECTED] += r->prob[i];
        gr[ANL_GR_LABELLED] += lab;
        gr[ANL_GR_LEAVERS] += left;
    }
}

/* 1 when indicator a goes before b: larger |d| first, NaN last, ties by index. */
static int anl_before(const double *d, size_t a, size_t b)
{
    double x = fabs(d[a]), y = fabs(d[b]);
    int xn = isnan(x), yn = isnan(y);
    if (xn != yn) return yn;
    if (!xn && x != y) return x > y;
    return a < b;
}

static void anl_moments(const double *s, double *mean, double *sd)
{
    if (!(s[0] > 0.0)) {
        *mean = *sd = NAN;
        return;
    }
    *mean = s[1] / s[0];
    double var = s[2] / s[0] - *mean * *mean;
    *sd = sqrt(var > 0.0 ? var : 0.0);
}

void anl_profile(const anl_layout *l, const double *tr, int g, double *mg, double *mr, double *sg,
                 double *sr, double *d, size_t *order)
{
    size_t w = ANL_TR_HEAD + 3 * l->p;
    const double *G = tr + (size_t)g * w, *R = tr + 2 * w;
    for (size_t j = 0; j < l->p; j++) {
        anl_moments(G + ANL_TR_HEAD + 3 * j, &mg[j], &sg[j]);
        anl_moments(R + ANL_TR_HEAD + 3 * j, &mr[j], &sr[j]);
        double pooled = sqrt(0.5 * (sg[j] * sg[j] + sr[j] * sr[j]));
        d[j] = pooled > 0.0 ? (mg[j] - mr[j]) / pooled : NAN;
    }
    /* insertion sort: a few hundred indicators at most, once per report, and nothing to allocate */
    for (size_t j = 0; j < l->p; j++) {
        size_t k = j;
        while (k > 0 && anl_before(d, j, order[k - 1])) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = j;
    }
}
