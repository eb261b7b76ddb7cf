/* rules_reasons.c — which facts a row shows, behind the model's largest contributions (see rules.h).
 *
 * The model explains a score by its design columns (cmodel_reasons: beta * (x - mean), or the trees'
 * path contributions); an agent needs what the subscriber did. So every candidate column is turned
 * into a fact of this row and kept only when the row has it:
 *   - a factor names its dominant indicators (|loading| >= RULES_DOMINANT, largest first) in the
 *     direction the factor pushes this row (the column above or below its training mean, times the
 *     sign of the loading); the first of them the row shows gives the fact;
 *   - a raw indicator or a hard signal is its own single candidate, in the direction of its value;
 *   - the lifecycle flags are the onboarding and contract-ending facts, only when the stage rules
 *     of rules.c hold (so no onboarding row says its contract ends, and a contract-ending fact means
 *     the decline stage);
 *   - a brand dummy only when the row is of that brand (its dummy is 1) and it raised the score: a
 *     row of another brand is never told that "its" brand has fewer leavers.
 * What "shows" means, per indicator (by name; docs/rules.md): a hard signal present (> 0, or at least
 * one call); days without an outgoing call >= --idle-days; a monthly measure that fell, m3 below
 * (1 - --traffic-fall) times the m1-m2 mean (for any month of it that pushes low, and for m1 or m2
 * pushing high against m3); no family plan, group or broadband, no instalments left (a value of 0); and for every
 * other indicator a level at least one training standard deviation beyond the training mean on the
 * side that raises the risk (center +- scale of cmodel.h; a category level: had or lacked). A missing
 * value (NaN) shows nothing. The same code never appears twice in a row. Then the row's hard
 * signals fill the slots the model left: the suspensions (the queues' facts) and the alarms, so
 * that a row raised by a signal says which.
 */
#include "rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A factor names the indicators that load on it at least this much. */
#define RULES_DOMINANT 0.4
/* ... at most this many of them, largest first. */
#define RULES_MAX_DOMINANT 6
/* Candidates asked of the model (cmodel_reasons keeps at most 8). */
#define RULES_CANDIDATES 8

/* When a fact of its own shows. */
enum { C_NONE, C_POS, C_GE1, C_ZERO, C_IDLE, C_ONBOARD, C_CONTRACT };

/* What an indicator (by its snapshot name) can show: facts of its own for a high value and for a low
 * one that raises the risk, the fall of a monthly measure (name = stem + 1..3), a level measure. */
typedef struct {
    const char *name;
    int trend;
    int fall;
    int hi, hi_cond, lo, lo_cond;
    int measure;
} rules_rule;

static const rules_rule rules_rules[] = {
    {"dual_sim", 0, -1, RULES_FACT_DUAL_SIM, C_POS, -1, C_NONE, -1},
    {"competitor_service_calls_m3", 0, -1, RULES_FACT_COMPETITOR_CALLS, C_GE1, -1, C_NONE, -1},
    {"forward_to_competitor_m3", 0, -1, RULES_FACT_FORWARD, C_POS, -1, C_NONE, -1},
    {"suspended_voluntary", 0, -1, RULES_FACT_SUSP_VOLUNTARY, C_POS, -1, C_NONE, -1},
    {"suspended_arrears", 0, -1, RULES_FACT_SUSP_ARREARS, C_POS, -1, C_NONE, -1},
    {"suspended_high_bill", 0, -1, RULES_FACT_SUSP_HIGH_BILL, C_POS, -1, C_NONE, -1},
    {"days_no_outgoing_m3", 0, -1, RULES_FACT_IDLE_DAYS, C_IDLE, -1, C_NONE, -1},
    {"complaints_m3", 0, -1, RULES_FACT_COMPLAINTS, C_POS, -1, C_NONE, -1},
    {"new_subscriber", 0, -1, RULES_FACT_NEW_SUBSCRIBER, C_ONBOARD, -1, C_NONE, -1},
    {"tenure_months", 0, -1, -1, C_NONE, RULES_FACT_NEW_SUBSCRIBER, C_ONBOARD, -1},
    {"contract_ending", 0, -1, RULES_FACT_CONTRACT_ENDS, C_CONTRACT, -1, C_NONE, -1},
    {"contract_months_left", 0, -1, -1, C_NONE, RULES_FACT_CONTRACT_ENDS, C_CONTRACT, -1},
    {"family_plan", 0, -1, -1, C_NONE, RULES_FACT_NO_FAMILY_PLAN, C_ZERO, -1},
    {"group_member", 0, -1, -1, C_NONE, RULES_FACT_NO_GROUP, C_ZERO, -1},
    {"broadband_bundle", 0, -1, -1, C_NONE, RULES_FACT_NO_BROADBAND, C_ZERO, -1},
    {"handset_installment_left", 0, -1, -1, C_NONE, RULES_FACT_HANDSET_PAID, C_ZERO, RULES_MEASURE_INSTALMENTS},
    {"mou_m", 1, RULES_FACT_MINUTES_DOWN, -1, C_NONE, -1, C_NONE, RULES_MEASURE_MINUTES},
    {"out_calls_m", 1, RULES_FACT_CALLS_DOWN, -1, C_NONE, -1, C_NONE, RULES_MEASURE_CALLS},
    {"data_mb_m", 1, RULES_FACT_DATA_DOWN, -1, C_NONE, -1, C_NONE, RULES_MEASURE_DATA},
    {"sms_m", 1, RULES_FACT_SMS_DOWN, -1, C_NONE, -1, C_NONE, RULES_MEASURE_SMS},
    {"arpu_m", 1, RULES_FACT_SPEND_DOWN, -1, C_NONE, -1, C_NONE, RULES_MEASURE_SPEND},
    {"service_calls_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_SERVICE_CALLS},
    {"network_drop_rate_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_DROP_RATE},
    {"nps_score", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_NPS},
    {"offnet_call_share_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_OFFNET_CALLS},
    {"offnet_sms_share_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_OFFNET_SMS},
    {"competitor_coverage_idx", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_COVERAGE},
    {"vas_count", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_VAS},
    {"points_balance", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_POINTS},
    {"e_channel_use", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_E_CHANNEL},
    {"app_logins_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_APP},
    {"online_pay_share_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_ONLINE_PAY},
    {"age", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_AGE},
    {"roaming_mb_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_ROAMING},
    {"intl_calls_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_INTL},
    {"voice_charge_m3", 0, -1, -1, C_NONE, -1, C_NONE, RULES_MEASURE_CHARGE},
};
#define RULES_N_RULES (sizeof rules_rules / sizeof rules_rules[0])

/* One indicator as the reasons read it: a model input, or one of the two lifecycle flags. */
typedef struct {
    long col;        /* snapshot column (-1: none) */
    int rule;        /* index into rules_rules, -1 for an indicator of no known name */
    int member;      /* a monthly measure's month 1..3, 0 otherwise */
    long tcol[3];    /* the measure's m1..m3 columns */
    long lcol;       /* the column a level fact reads (itself, or the measure's m3), -1: no level */
    double lo, hi;   /* a low level is <= lo, a high one >= hi */
    int level_hi, level_lo; /* the level facts' codes, -1 none */
    int dummy;       /* a category level (col=level): had (> center) or lacked (< center) */
} rules_ind;

/* One way a design column names an indicator: which one, and the sign of its loading. */
typedef struct {
    int32_t ind;
    int8_t sign;
} rules_ref;

struct rules_reasoner {
    const cmodel *m;
    rules_params rp;
    rules_cols cols;
    rules_ind *ind;    /* [p_in + 2]: the inputs, then the onboarding and contract-ending flags */
    rules_ref *ref;    /* the references of the design columns, column c at [start[c], start[c+1]) */
    size_t *start;     /* [n_coef + 1] */
    int32_t *brand;    /* [n_coef] the model's brand of a brand dummy, -1 otherwise */
    int fall_code;     /* the fall fact of the traffic the stage and collapse rules read */
};

static long rules_name_col(const char *const *names, size_t p, const char *name)
{
    for (size_t j = 0; j < p; j++)
        if (names[j] && strcmp(names[j], name) == 0) return (long)j;
    return -1;
}

/* The rule of a name and, for a monthly measure, its month (1..3). */
static int rules_rule_of(const char *name, int *member)
{
    *member = 0;
    for (size_t k = 0; k < RULES_N_RULES; k++) {
        const rules_rule *r = &rules_rules[k];
        size_t n = strlen(r->name);
        if (!r->trend) {
            if (strcmp(name, r->name) == 0) return (int)k;
        } else if (strncmp(name, r->name, n) == 0 && name[n] >= '1' && name[n] <= '3' && name[n + 1] == '\0') {
            *member = name[n] - '0';
            return (int)k;
        }
    }
    return -1;
}

/* Model input index of a name, -1 when the model does not read it. */
static long rules_input_of(const cmodel *m, const char *name)
{
    for (size_t i = 0; i < m->p_in; i++)
        if (strcmp(m->in_names[i], name) == 0) return (long)i;
    return -1;
}

static void rules_ind_init(rules_reasoner *r, size_t i, const long *pick, const char *const *names, size_t p)
{
    const cmodel *m = r->m;
    rules_ind *d = &r->ind[i];
    const char *name = m->in_names[i];
    d->col = pick[i];
    d->rule = rules_rule_of(name, &d->member);
    d->lcol = d->col;
    d->lo = m->center[i] - m->scale[i];
    d->hi = m->center[i] + m->scale[i];
    d->level_hi = d->level_lo = -1;
    d->dummy = 0;
    d->tcol[0] = d->tcol[1] = d->tcol[2] = -1;
    if (d->rule < 0) {
        /* an indicator of no known name: its level under its own name */
        d->level_hi = RULES_FACT_INDICATOR + 2 * (int)i;
        d->level_lo = d->level_hi + 1;
        const char *eq = strchr(name, '=');
        d->dummy = eq && eq != name;
        return;
    }
    const rules_rule *ru = &rules_rules[d->rule];
    if (ru->measure >= 0) {
        d->level_hi = RULES_FACT_LEVEL + 2 * ru->measure;
        d->level_lo = d->level_hi + 1;
    }
    if (d->member) {
        char buf[64];
        for (int t = 0; t < 3; t++) {
            snprintf(buf, sizeof buf, "%s%d", ru->name, t + 1);
            d->tcol[t] = rules_name_col(names, p, buf);
        }
        /* a level speaks of last month: the m3 column, with m3's training statistics */
        snprintf(buf, sizeof buf, "%s3", ru->name);
        long i3 = rules_input_of(m, buf);
        d->lcol = i3 >= 0 ? d->tcol[2] : -1;
        if (i3 >= 0) {
            d->lo = m->center[i3] - m->scale[i3];
            d->hi = m->center[i3] + m->scale[i3];
        }
    }
}

/* The pseudo-indicators of the lifecycle flags: the rule of the name, no level. */
static void rules_ind_flag(rules_ind *d, const char *name, long col)
{
    memset(d, 0, sizeof *d);
    d->col = col;
    d->rule = rules_rule_of(name, &d->member);
    d->lcol = -1;
    d->lo = d->hi = NAN;
    d->level_hi = d->level_lo = -1;
    d->tcol[0] = d->tcol[1] = d->tcol[2] = -1;
}

/* Factor f's dominant indicators into ref (at most RULES_MAX_DOMINANT, |loading| descending, ties by
 * position); returns how many. */
static size_t rules_dominant(const cmodel *m, size_t f, rules_ref *ref)
{
    size_t n = 0;
    double al[RULES_MAX_DOMINANT];
    for (size_t j = 0; j < m->p_fa; j++) {
        double l = m->loadings[j * m->k + f], a = fabs(l);
        if (!(a >= RULES_DOMINANT)) continue;
        if (n == RULES_MAX_DOMINANT && !(a > al[n - 1])) continue;
        size_t at = n < RULES_MAX_DOMINANT ? n : n - 1;
        while (at > 0 && a > al[at - 1]) {
            al[at] = al[at - 1];
            ref[at] = ref[at - 1];
            at--;
        }
        al[at] = a;
        ref[at] = (rules_ref){m->fa_idx[j], (int8_t)(l < 0 ? -1 : 1)};
        if (n < RULES_MAX_DOMINANT) n++;
    }
    return n;
}

rules_reasoner *rules_reasoner_alloc(const cmodel *m, const long *pick, const char *const *names, size_t p,
                                     const rules_params *rp)
{
    rules_reasoner *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    size_t w = m->n_coef;
    r->m = m;
    r->rp = *rp;
    rules_cols_find(names, p, &r->cols);
    r->ind = calloc(m->p_in + 2, sizeof *r->ind);
    r->start = calloc(w + 1, sizeof *r->start);
    r->brand = malloc((w ? w : 1) * sizeof *r->brand);
    /* at most RULES_MAX_DOMINANT references a column */
    r->ref = malloc((w ? w : 1) * RULES_MAX_DOMINANT * sizeof *r->ref);
    if (!r->ind || !r->start || !r->brand || !r->ref) {
        rules_reasoner_free(r);
        return NULL;
    }
    for (size_t i = 0; i < m->p_in; i++) rules_ind_init(r, i, pick, names, p);
    rules_ind_flag(&r->ind[m->p_in], "new_subscriber", r->cols.tenure);
    rules_ind_flag(&r->ind[m->p_in + 1], "contract_ending", r->cols.contract_left);
    /* the traffic the stage rules read: minutes, or outgoing calls without them */
    int dummy_member;
    const char *tn = r->cols.traffic[2] >= 0 ? names[r->cols.traffic[2]] : "";
    int tr = rules_rule_of(tn, &dummy_member);
    r->fall_code = tr >= 0 && rules_rules[tr].trend ? rules_rules[tr].fall : RULES_FACT_MINUTES_DOWN;
    size_t nref = 0, f = 0, raw = 0, sig = 0;
    for (size_t c = 0; c < w; c++) {
        r->start[c] = nref;
        r->brand[c] = -1;
        switch (m->coef_kind[c]) {
        case CMODEL_COL_FACTOR: nref += rules_dominant(m, f++, r->ref + nref); break;
        case CMODEL_COL_INDICATOR: r->ref[nref++] = (rules_ref){m->fa_idx[raw++], 1}; break;
        case CMODEL_COL_SIGNAL: r->ref[nref++] = (rules_ref){m->signal_idx[sig++], 1}; break;
        case CMODEL_COL_LIFECYCLE:
            r->ref[nref++] = (rules_ref){(int32_t)(m->p_in + (strcmp(m->coef_names[c], "onboarding") != 0)), 1};
            break;
        case CMODEL_COL_BRAND: r->brand[c] = (int32_t)atoi(m->coef_names[c] + strlen("brand")); break;
        default: break;
        }
    }
    r->start[w] = nref;
    return r;
}

void rules_reasoner_free(rules_reasoner *r)
{
    if (!r) return;
    free(r->ind);
    free(r->ref);
    free(r->start);
    free(r->brand);
    free(r);
}

static double rules_at(const float *row, long j)
{
    return j >= 0 ? (double)row[j] : NAN;
}

/* The fall of a monthly measure: 1 - m3 / mean(m1, m2), when m3 is below (1 - traffic_fall) times
 * that mean; NaN otherwise (a month missing, no baseline). */
static double rules_fall(const rules_params *p, const long *tcol, const float *row)
{
    double a = rules_at(row, tcol[0]), b = rules_at(row, tcol[1]), m3 = rules_at(row, tcol[2]);
    double base = 0.5 * (a + b);
    if (!(base > 0) || isnan(m3) || !(m3 < (1.0 - p->traffic_fall) * base)) return NAN;
    return 1.0 - m3 / base;
}

/* Whether a fact of its own shows on the row; *v its value. */
static int rules_cond(const rules_reasoner *r, int cond, long col, const float *row, double *v)
{
    const rules_params *p = &r->rp;
    double x = rules_at(row, col);
    double tenure = rules_at(row, r->cols.tenure);
    switch (cond) {
    case C_POS: *v = x; return x > 0;
    case C_GE1: *v = x; return x >= 1;
    case C_ZERO: *v = x; return x == 0;
    case C_IDLE: *v = x; return x >= p->idle_days && x >= 1;
    case C_ONBOARD: *v = tenure; return tenure <= p->onboarding_months;
    case C_CONTRACT: {
        double left = rules_at(row, r->cols.contract_left);
        *v = left;
        return left >= 0 && left <= p->contract_ending_months && !(tenure <= p->onboarding_months);
    }
    default: return 0;
    }
}

/* The codes taken so far. */
typedef struct {
    int16_t code[3];
    float fact[3];
    size_t n;
} rules_taken;

static int rules_has(const rules_taken *t, int code)
{
    for (size_t k = 0; k < t->n; k++)
        if (t->code[k] == code) return 1;
    return 0;
}

/* The first fact indicator d shows in direction dir (+1: a high value raises the risk) that is not
 * taken yet: a fact of its own, then a fall, then a level. 1 and *code, *v when found. */
static int rules_ind_fact(const rules_reasoner *r, const rules_ind *d, int dir, const float *row,
                          const rules_taken *t, int *code, double *v)
{
    if (d->rule >= 0) {
        const rules_rule *ru = &rules_rules[d->rule];
        int fc = dir > 0 ? ru->hi : ru->lo, cond = dir > 0 ? ru->hi_cond : ru->lo_cond;
        if (fc >= 0 && !rules_has(t, fc) && rules_cond(r, cond, d->col, row, v)) return *code = fc, 1;
        /* a fall: the measure low (a factor of usage, any month), or m1 or m2 high against m3; never
         * for m3 high */
        if (d->member && ru->fall >= 0 && !rules_has(t, ru->fall) && !(d->member == 3 && dir > 0)) {
            double fall = rules_fall(&r->rp, d->tcol, row);
            if (!isnan(fall)) return *v = fall, *code = ru->fall, 1;
        }
    }
    int lc = dir > 0 ? d->level_hi : d->level_lo;
    if (lc < 0 || d->lcol < 0 || rules_has(t, lc)) return 0;
    double x = rules_at(row, d->lcol);
    double mid = 0.5 * (d->lo + d->hi);
    int shows = d->dummy ? (dir > 0 ? x > mid : x < mid) : (dir > 0 ? x >= d->hi : x <= d->lo);
    if (!shows) return 0; /* false for NaN */
    *v = x;
    *code = lc;
    return 1;
}

static void rules_take(rules_taken *t, int code, double v)
{
    t->code[t->n] = (int16_t)code;
    t->fact[t->n] = (float)v;
    t->n++;
}

/* The row's hard signals as facts, in the order they fill the slots: the suspensions that decide
 * its queue (model/queue.h: billing, then collections), then the retention alarms. Returns how many. */
static size_t rules_signal_facts(const rules_reasoner *r, const float *row, int *code, double *v)
{
    const rules_cols *c = &r->cols;
    unsigned s = rules_signals(&r->rp, c, row);
    size_t n = 0;
    static const struct { unsigned bit; int code; } order[] = {
        {RULES_SIG_SUSP_HIGH_BILL, RULES_FACT_SUSP_HIGH_BILL}, {RULES_SIG_SUSP_ARREARS, RULES_FACT_SUSP_ARREARS},
        {RULES_SIG_DUAL_SIM, RULES_FACT_DUAL_SIM}, {RULES_SIG_COMPETITOR_CALLS, RULES_FACT_COMPETITOR_CALLS},
        {RULES_SIG_FORWARD, RULES_FACT_FORWARD}, {RULES_SIG_SUSP_VOLUNTARY, RULES_FACT_SUSP_VOLUNTARY},
        {RULES_SIG_COLLAPSE, -1},
    };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        if (!(s & order[k].bit)) continue;
        long col = -1;
        switch (order[k].bit) {
        case RULES_SIG_SUSP_HIGH_BILL: col = c->susp_high_bill; break;
        case RULES_SIG_SUSP_ARREARS: col = c->susp_arrears; break;
        case RULES_SIG_DUAL_SIM: col = c->dual_sim; break;
        case RULES_SIG_COMPETITOR_CALLS: col = c->competitor_calls; break;
        case RULES_SIG_FORWARD: col = c->forward; break;
        case RULES_SIG_SUSP_VOLUNTARY: col = c->susp_voluntary; break;
        default: break;
        }
        if (order[k].bit == RULES_SIG_COLLAPSE) {
            double base, m3;
            rules_traffic(c, row, &base, &m3); /* set: the collapse needs all three months */
            code[n] = r->fall_code;
            v[n++] = 1.0 - m3 / base;
        } else {
            code[n] = order[k].code;
            v[n++] = rules_at(row, col);
        }
    }
    return n;
}

size_t rules_reasons(const rules_reasoner *r, const float *row, const float *xd, int16_t code[3], float fact[3])
{
    const cmodel *m = r->m;
    rules_taken t = {.n = 0};
    int32_t top[RULES_CANDIDATES];
    size_t nc = cmodel_reasons(m, xd, RULES_CANDIDATES, top);
    for (size_t k = 0; k < nc && t.n < 3; k++) {
        size_t c = (size_t)top[k];
        double x = xd[c], mean = m->coef_mean[c];
        int dir = x > mean ? 1 : (x < mean ? -1 : (m->beta[c] < 0 ? -1 : 1));
        if (r->brand[c] >= 0) {
            /* the row's own brand, and it raised the score */
            if (x == 1.0f && !rules_has(&t, RULES_FACT_BRAND)) rules_take(&t, RULES_FACT_BRAND, r->brand[c]);
            continue;
        }
        for (size_t q = r->start[c]; q < r->start[c + 1]; q++) {
            int fc;
            double v;
            if (rules_ind_fact(r, &r->ind[r->ref[q].ind], dir * r->ref[q].sign, row, &t, &fc, &v)) {
                rules_take(&t, fc, v);
                break;
            }
        }
    }
    int sc[8];
    double sv[8];
    size_t ns = rules_signal_facts(r, row, sc, sv), have = 0;
    for (size_t k = 0; k < ns; k++) have += rules_has(&t, sc[k]);
    for (size_t k = 0; k < ns && t.n < 3; k++)
        if (!rules_has(&t, sc[k])) {
            rules_take(&t, sc[k], sv[k]);
            have++;
        }
    /* a row a hard signal raised says which, even where the model's facts filled the three */
    if (ns && !have) {
        t.n = 2;
        rules_take(&t, sc[0], sv[0]);
    }
    for (size_t k = 0; k < 3; k++) {
        code[k] = k < t.n ? t.code[k] : -1;
        fact[k] = k < t.n ? t.fact[k] : NAN;
    }
    return t.n;
}
