/* churn.c — who leaves the synthetic operator this month, and how.
 *
 * Two rare latent states of the month: "shopping around" (about 0.4% of subscribers) makes the
 * competitor signals (dual_sim, competitor_service_calls_m3, forward_to_competitor_m3) and a slight
 * usage softening; "fading" (about 0.9%) makes traffic collapse, days_no_outgoing_m3 high and
 * suspended_arrears. The true churn probability is logistic, linear in the factors and in observed
 * columns (the signals, complaints_m3, contract_ending, new_subscriber), so a logistic model on factor
 * scores and those columns can approach the oracle; for a window of other than one month it is a
 * monotone function of that logistic. churned ~ Bernoulli(prob). Given churn, the leaver type (active
 * port-out or passive) is a second logistic draw on the same signals: the snapshot's churn_type 1
 * (voluntary) and 2 (involuntary), and the true probability of each type is the churn probability
 * times that of the type given churn. The default intercepts
 * (synth_impl.h) give a mean probability of about 0.02 with one leaver in five active.
 */
#include "synth_impl.h"

#include <math.h>

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

void synth_states(const synth_ctx *c, synth_draw *d)
{
    const double *f = d->f;
    const uint64_t km = d->km;
    d->shop = unif(km, D_SHOP) <
              logistic(SHOP0 + 0.9 * f[FC] + 0.6 * f[FD] - 0.5 * f[FL] + 1.0 * d->ending);
    d->fade = unif(km, D_FADE) < logistic(FADE0 - 0.6 * f[FV] - 0.6 * f[FE] - 0.3 * f[FU] +
                                          1.3 * d->newsub + 0.7 * (d->brand == 2));
}

/* Frequent in the states, rare (0.1-0.4%) otherwise. */
void synth_signals(const synth_ctx *c, synth_draw *d)
{
    const uint64_t km = d->km;
    const int shop = d->shop, fade = d->fade;
    double *x = d->x;
    double dual = unif(km, D_DUAL) < (shop ? 0.5 : 0.001);
    double compcalls = 0.0;
    double u = unif(km, D_COMPCALLS);
    if (shop ? u < 0.6 : u < 0.001)
        compcalls = 1.0 + (shop ? synth_poisson(0.8, unif(km, D_COMPCALLS2)) : 0.0);
    double fwd = unif(km, D_FORWARD) < (shop ? 0.3 : 0.001);
    double svol = unif(km, D_SUSP_VOL) < (fade ? 0.06 : (shop ? 0.04 : 0.003));
    double sarr = unif(km, D_SUSP_ARR) < (fade ? 0.35 : 0.002);
    /* the prepaid brand (神州行) has no bill, so no suspension after a high one */
    double sbill = d->brand != 2 && unif(km, D_SUSP_BILL) < (fade ? 0.03 : 0.004);
    double days;
    if (fade) {
        days = 10.0 + floor(21.0 * unif(km, D_DAYS));
    } else {
        days = unif(km, D_DAYS) < 0.85 ? 0.0 : 1.0 + floor(5.0 * unif(km, D_DAYS2));
    }
    if (shop && unif(km, D_COMPLAINT_X) < 0.3) x[C_COMPLAINTS] += 1.0;
    x[C_DUAL_SIM] = d->dual = dual;
    x[C_COMP_CALLS] = d->compcalls = compcalls;
    x[C_FORWARD] = d->fwd = fwd;
    x[C_SUSP_VOL] = d->svol = svol;
    x[C_SUSP_ARR] = d->sarr = sarr;
    x[C_SUSP_BILL] = d->sbill = sbill;
    x[C_DAYS_NO_OUT] = d->days = days;
}

/* The truth: churn logit linear in the factors and in observed columns. */
void synth_churn(const synth_ctx *c, synth_draw *d)
{
    const double dual = d->dual, compcalls = d->compcalls, fwd = d->fwd, days = d->days,
                 sarr = d->sarr, svol = d->svol, sbill = d->sbill;
    const int ending = d->ending, newsub = d->newsub;
    const uint64_t km = d->km;
    double eta = c->churn0 + B_DUAL * dual + B_COMPCALLS * compcalls +
                 B_FORWARD * fwd + B_DAYS * days + B_ARREARS * sarr + B_SUSP_VOL * svol +
                 B_SUSP_BILL * sbill + B_ENDING * ending + B_NEWSUB * newsub +
                 B_COMPLAINTS * d->x[C_COMPLAINTS];
    for (int k = 0; k < F; k++) eta += b_factor[k] * d->f[k];
    double pr = logistic(eta);
    /* a window of w months at this monthly hazard; a monotone map, so rankings are unchanged */
    if (c->window != 1.0) pr = -expm1(c->window * log1p(-pr));
    int ch = unif(km, D_CHURN) < pr;
    int type = 0;
    /* computed for every row (it draws nothing): the true probability of each leaver type is
     * pr * pa and pr * (1 - pa) (snapshot /truth/p_voluntary, /truth/p_involuntary) */
    double zeta = c->active0 + A_DUAL * dual + A_COMPCALLS * compcalls + A_FORWARD * fwd +
                  A_DAYS * days + A_ARREARS * sarr + A_ENDING * ending + A_NEWSUB * newsub +
                  A_COMP * d->f[FC];
    double pa = logistic(zeta);
    if (ch) type = unif(km, D_TYPE) < pa ? 1 : 2;
    d->pactive = pa;
    d->prob = pr;
    d->churned = ch;
    d->leaver = type;
}
