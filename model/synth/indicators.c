/* indicators.c — the observed columns of the synthetic operator: the column table and the draws.
 *
 * Most indicators are monotone transforms (linear, log-normal, Poisson-log-normal, threshold) of a
 * standard normal that loads on one factor with small cross-loadings (colspec in synth_impl.h); the
 * three months of a measure share a persistent noise and differ by a monthly one. The signal columns
 * are drawn by churn.c, the lifecycle ones by profile.c; here also the derived and sparse columns
 * (a charge that is minutes times a rate, roaming, international calls), missingness, and the true
 * loadings computed analytically from the same table. The per-row work is straight-line code over
 * the static table.
 */
#include "synth_impl.h"

#include <math.h>
#include <string.h>

#include "status.h"

#define LAM(u, v, e, d, c, l) {u, v, e, d, c, l}
#define NOL LAM(0, 0, 0, 0, 0, 0)
#define R_IND SYNTH_ROLE_INDICATOR
#define SPECIAL(nm, rl, miss_)                                                                     \
    {.name = nm, .role = rl, .kind = K_NONE, .lam = NOL, .group = -1, .tmonth = 3, .miss = miss_}
#define TRIPLET(base, kind_, loc_, scale_, step_, lam_, grp, miss1)                                  \
    {base "_m1", R_IND, kind_, loc_, scale_, step_, 0, HUGE_VAL, lam_, 0.2, grp, 1, miss1},         \
    {base "_m2", R_IND, kind_, loc_, scale_, step_, 0, HUGE_VAL, lam_, 0.2, grp, 2, 0},             \
    {base "_m3", R_IND, kind_, loc_, scale_, step_, 0, HUGE_VAL, lam_, 0.2, grp, 3, 0}

const colspec synth_cols[P_COLS] = {
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

size_t synth_n_features(const synth_params *p) { return P_COLS + 3 * (size_t)p->competitors; }

/* The per-competitor columns, in the order of areas.c's competitors (synth_competitor_column
 * composes the same names; test_synth checks that they agree). */
static const char *const comp_names[3 * SYNTH_MAX_COMPETITORS] = {
    "forward_to_telecom_m3",  "competitor_service_calls_telecom_m3",  "dual_sim_telecom",
    "forward_to_unicom_m3",   "competitor_service_calls_unicom_m3",   "dual_sim_unicom",
    "forward_to_broadnet_m3", "competitor_service_calls_broadnet_m3", "dual_sim_broadnet"};

const char *synth_feature_name(const synth_params *p, size_t j)
{
    if (j < P_COLS) return synth_cols[j].name;
    return j < synth_n_features(p) ? comp_names[j - P_COLS] : NULL;
}

/* a split of a signal column is a signal */
int synth_feature_role(const synth_params *p, size_t j)
{
    return j < P_COLS ? synth_cols[j].role : j < synth_n_features(p) ? SYNTH_ROLE_SIGNAL : -1;
}

long synth_feature_index(const synth_params *p, const char *name)
{
    if (!name) return -1;
    for (size_t j = 0; j < synth_n_features(p); j++)
        if (strcmp(synth_feature_name(p, j), name) == 0) return (long)j;
    return -1;
}

/* ---------------------------------------------------------------- the draws of a row */

/* Usage softening from m1 to m3 in the latent states (applied to the month's level). */
static const double soft_shop[3] = {1.0, 0.93, 0.8}, soft_fade[3] = {1.0, 0.7, 0.25};

void synth_indicators(const synth_ctx *c, synth_draw *d)
{
    const uint64_t kp = d->kp;
    const int shop = d->shop, fade = d->fade;
    const double *f = d->f;
    double *x = d->x, *pers = d->pers;
    for (int j = 0; j < P_COLS; j++) {
        const colspec *s = &synth_cols[j];
        if (s->kind == K_NONE) continue;
        int t = s->tmonth - 1;
        double z = 0.0;
        for (int k = 0; k < F; k++) z += s->lam[k] * f[k];
        double e = 0.0;
        /* a group's first column (its m1, or the column itself) draws the shared persistent part */
        if (s->group == j) pers[j] = s->persist > 0.0 ? gauss(kp, D_PERSIST + j) : 0.0;
        if (s->persist > 0.0) e += c->sp[j] * pers[s->group];
        /* keyed by (group, calendar month): this month's m2 is next month's m1 */
        if (s->persist < 1.0) e += c->sm[j] * gauss(d->kc[t], D_NOISE + s->group);
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
            v = synth_poisson(mult * exp(s->loc + s->scale * z), unif(d->kc[t], D_POIS + s->group));
            break;
        default: v = z > s->loc ? 1.0 : 0.0; break;
        }
        /* clamp first: lo >= 0 and hi a multiple of step keep the rounded value in range */
        x[j] = round_pos(clampd(v, s->lo, s->hi), s->step, c->inv_step[j]);
    }
}

/* A charge that is minutes times a flat rate plus rounding-size noise: screening must drop one. */
void synth_derived(const synth_ctx *c, synth_draw *d)
{
    const uint64_t km = d->km;
    double *x = d->x;
    x[C_VOICE_CHARGE] =
        round_pos(clampd(0.15 * x[C_MOU3] + 0.02 * gauss(km, D_CHARGE), 0.0, HUGE_VAL), 0.01, 100.0);
    x[C_ROAMING] =
        unif(km, D_ROAM) < 0.01 ? round_pos(exp(5.0 + gauss(km, D_ROAM2)), 0.1, 10.0) : 0.0;
    double u = unif(km, D_INTL);
    x[C_INTL] = u < 0.007 ? 1.0 + synth_poisson(2.0, unif(km, D_INTL2)) : 0.0;
}

/* Missing completely at random (the table's share per column), and the history a new subscriber
 * does not have: a subscriber of one month has no m1 and m2, one of two months no m1. */
void synth_missing(const synth_ctx *c, synth_draw *d)
{
    const double tenure = d->x[C_TENURE];
    for (int j = 0; j < P_COLS; j++) {
        const colspec *s = &synth_cols[j];
        if (s->miss > 0.0 && unif(d->km, D_MISS + j) < s->miss) d->x[j] = NAN;
        if (s->tmonth < 3 && tenure <= (double)(3 - s->tmonth)) d->x[j] = NAN;
    }
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
    synth_ctx_init(p, &c);
    for (size_t j = 0; j < P_COLS; j++) {
        const colspec *s = &synth_cols[j == C_VOICE_CHARGE ? C_MOU3 : j];
        double mu = 0.0;
        for (int k = 0; k < F; k++) mu += s->lam[k] * c.fmean[k];
        double g = transform_corr(s, mu);
        for (int k = 0; k < F; k++) out[j * F + k] = s->lam[k] * g;
    }
    for (size_t j = P_COLS; j < synth_n_features(p); j++) {
        for (int k = 0; k < F; k++) out[j * F + k] = 0.0;
    }
    return CS_OK;
}
