/* rules.c — lifecycle stage, warning phase, value tier and the names of stages and phases (see
 * rules.h). The reasons are in rules_reasons.c (which facts a row shows) and rules_facts.c (their
 * words in both languages). */
#include "rules.h"

#include "status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void rules_params_default(rules_params *p)
{
    p->onboarding_months = 3.0;
    p->growth_months = 12.0;
    p->contract_ending_months = 3.0;
    p->traffic_fall = 0.5;
    p->idle_days = 15.0;
    p->collapse = 0.5;
    p->collapse_min = 30.0;
    p->warn_cutoff = 0.1;
}

int rules_params_check(const rules_params *p)
{
    struct { const char *name; double v, lo, hi; } t[] = {
        {"onboarding-months", p->onboarding_months, 0, 1200},
        {"growth-months", p->growth_months, 0, 1200},
        {"contract-ending-months", p->contract_ending_months, 0, 1200},
        {"traffic-fall", p->traffic_fall, 0, 1},
        {"idle-days", p->idle_days, 0, 31},
        {"collapse", p->collapse, 0, 1},
        {"collapse-min", p->collapse_min, 0, 1e12},
        {"warn-cutoff", p->warn_cutoff, 0, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!(t[i].v >= t[i].lo && t[i].v <= t[i].hi)) /* also catches NaN */
            return CS_ERROR(CS_EINVAL, "option --%s: %g is outside [%g, %g]", t[i].name, t[i].v,
                            t[i].lo, t[i].hi);
    if (p->growth_months < p->onboarding_months)
        return CS_ERROR(CS_EINVAL, "option --growth-months (%g) is below --onboarding-months (%g)",
                        p->growth_months, p->onboarding_months);
    return CS_OK;
}

static long rules_find(const char *const *names, size_t p, const char *name)
{
    for (size_t j = 0; j < p; j++)
        if (names[j] && strcmp(names[j], name) == 0) return (long)j;
    return -1;
}

void rules_cols_find(const char *const *names, size_t p, rules_cols *c)
{
    char buf[32];
    c->tenure = rules_find(names, p, "tenure_months");
    c->contract_left = rules_find(names, p, "contract_months_left");
    c->days_no_out = rules_find(names, p, "days_no_outgoing_m3");
    int have_mou = 1;
    for (int m = 0; m < 3; m++) {
        snprintf(buf, sizeof buf, "mou_m%d", m + 1);
        c->traffic[m] = rules_find(names, p, buf);
        if (c->traffic[m] < 0) have_mou = 0;
        snprintf(buf, sizeof buf, "arpu_m%d", m + 1);
        c->arpu[m] = rules_find(names, p, buf);
    }
    if (!have_mou)
        for (int m = 0; m < 3; m++) {
            snprintf(buf, sizeof buf, "out_calls_m%d", m + 1);
            c->traffic[m] = rules_find(names, p, buf);
        }
    c->dual_sim = rules_find(names, p, "dual_sim");
    c->competitor_calls = rules_find(names, p, "competitor_service_calls_m3");
    c->forward = rules_find(names, p, "forward_to_competitor_m3");
    c->susp_voluntary = rules_find(names, p, "suspended_voluntary");
    c->susp_arrears = rules_find(names, p, "suspended_arrears");
    c->susp_high_bill = rules_find(names, p, "suspended_high_bill");
}

/* The value of column j, NaN when the snapshot lacks the column. */
static double rules_val(const float *row, long j)
{
    return j >= 0 ? (double)row[j] : NAN;
}

int rules_traffic(const rules_cols *c, const float *row, double *base, double *m3)
{
    double a = rules_val(row, c->traffic[0]), b = rules_val(row, c->traffic[1]);
    *m3 = rules_val(row, c->traffic[2]);
    *base = 0.5 * (a + b);
    return !isnan(*base) && !isnan(*m3);
}

/* The collapse of seed 001's alarm: m3 at most `collapse` times a baseline of at least collapse_min
 * (a subscriber who never called has not collapsed). */
static int rules_collapsed(const rules_params *p, const rules_cols *c, const float *row)
{
    double base, m3;
    return rules_traffic(c, row, &base, &m3) && base >= p->collapse_min && base > 0 &&
           m3 <= p->collapse * base;
}

int rules_stage(const rules_params *p, const rules_cols *c, const float *row)
{
    double tenure = rules_val(row, c->tenure);
    if (tenure <= p->onboarding_months) return RULES_ONBOARDING; /* false for NaN */
    double left = rules_val(row, c->contract_left);
    if (left >= 0 && left <= p->contract_ending_months) return RULES_DECLINE;
    /* the usage of a subscriber about to leave, contract or not */
    double base, m3;
    if (rules_traffic(c, row, &base, &m3) && base > 0 && m3 < (1.0 - p->traffic_fall) * base)
        return RULES_DECLINE;
    if (rules_collapsed(p, c, row)) return RULES_DECLINE;
    if (rules_val(row, c->days_no_out) >= p->idle_days) return RULES_DECLINE;
    if (left >= 0) return tenure < left ? RULES_GROWTH : RULES_MATURITY;
    if (tenure <= p->growth_months) return RULES_GROWTH;
    return RULES_MATURITY;
}

unsigned rules_signals(const rules_params *p, const rules_cols *c, const float *row)
{
    unsigned s = 0;
    if (rules_val(row, c->dual_sim) > 0) s |= RULES_SIG_DUAL_SIM;
    if (rules_val(row, c->competitor_calls) >= 1) s |= RULES_SIG_COMPETITOR_CALLS;
    if (rules_val(row, c->forward) > 0) s |= RULES_SIG_FORWARD;
    if (rules_collapsed(p, c, row)) s |= RULES_SIG_COLLAPSE;
    if (rules_val(row, c->susp_voluntary) > 0) s |= RULES_SIG_SUSP_VOLUNTARY;
    if (rules_val(row, c->susp_arrears) > 0) s |= RULES_SIG_SUSP_ARREARS;
    if (rules_val(row, c->susp_high_bill) > 0) s |= RULES_SIG_SUSP_HIGH_BILL;
    return s;
}

int rules_phase_of(const rules_params *p, unsigned signals, double pvol)
{
    if (signals & RULES_SIG_ALARM) return RULES_ALARM;
    if (pvol >= p->warn_cutoff) return RULES_WARNING;
    return RULES_HEALTHY;
}

int rules_phase(const rules_params *p, const rules_cols *c, const float *row, double pvol)
{
    return rules_phase_of(p, rules_signals(p, c, row), pvol);
}

double rules_arpu(const rules_cols *c, const float *row)
{
    double s = 0.0;
    int n = 0;
    for (int m = 0; m < 3; m++) {
        double v = rules_val(row, c->arpu[m]);
        if (isnan(v)) continue;
        s += v;
        n++;
    }
    return n ? s / n : NAN;
}

uint32_t rules_arpu_key(float arpu)
{
    uint32_t b;
    memcpy(&b, &arpu, sizeof b);
    if (arpu == 0.0f) b = 0; /* -0 and +0 are one value */
    /* IEEE order: negatives reversed below positives */
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

float rules_key_arpu(uint32_t key)
{
    uint32_t b = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}

int rules_tier(const double cut[4], double arpu)
{
    if (isnan(arpu)) return 0;
    int t = 1;
    for (int k = 0; k < 4; k++)
        if (arpu > cut[k]) t++;
    return t;
}

double rules_value_at_risk(double prob, double arpu, double horizon_months)
{
    if (!(arpu > 0)) return 0.0;
    return prob * arpu * horizon_months;
}

const char *rules_stage_name(int stage)
{
    static const char *const n[RULES_N_STAGES] = {"onboarding", "growth", "maturity", "decline"};
    return stage >= 0 && stage < RULES_N_STAGES ? n[stage] : "?";
}

const char *rules_phase_name(int phase)
{
    static const char *const n[RULES_N_PHASES] = {"healthy", "warning", "alarm"};
    return phase >= 0 && phase < RULES_N_PHASES ? n[phase] : "?";
}

const char *rules_stage_label(int stage, cs_lang lang)
{
    static const char *const n[LANG_N][RULES_N_STAGES] = {
        {"onboarding", "growth", "maturity", "decline"},
        {"入网期", "成长期", "成熟期", "衰退期"},
    };
    return stage >= 0 && stage < RULES_N_STAGES ? n[lang == LANG_ZH ? LANG_ZH : LANG_EN][stage] : "";
}

const char *rules_phase_label(int phase, cs_lang lang)
{
    static const char *const n[LANG_N][RULES_N_PHASES] = {
        {"healthy", "warning", "alarm"},
        {"健康期", "预警期", "告警期"},
    };
    return phase >= 0 && phase < RULES_N_PHASES ? n[lang == LANG_ZH ? LANG_ZH : LANG_EN][phase] : "";
}
