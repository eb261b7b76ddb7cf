/* effect.h — the retention effect: how much less the treated left than their control group.
 *
 * `churnscore evaluate` counts, per group (region, phase, tier), the listed subscribers who were
 * treated (on the retention list, or contacted) and those of the control group (control.h), and how
 * many of each left. The difference of the two churn rates is the uplift: the share of the treated
 * the retention work kept. Its 95% interval is the normal (Wald) interval of a difference of two
 * proportions; it is trusted only where each arm has enough subscribers and enough leavers and
 * stayers for the normal approximation (at least EFFECT_MIN_N subscribers in each arm, at least
 * EFFECT_MIN_EXPECTED expected leavers and stayers in the smaller arm at the pooled rate); elsewhere
 * the figures are given but marked "too small to tell". Pure numerics: no MPI, no files.
 */
#ifndef CS_EFFECT_H
#define CS_EFFECT_H

#include <stdint.h>

#define EFFECT_MIN_N 30
#define EFFECT_MIN_EXPECTED 5.0
#define EFFECT_Z95 1.959963984540054 /* the standard normal's 97.5% quantile */

typedef struct {
    double rate_treated, rate_control; /* leavers / subscribers; NaN for an empty arm */
    double uplift;                     /* rate_control - rate_treated: leavers avoided per treated */
    double se, lo, hi;                 /* standard error and 95% interval of the uplift */
    int too_small;                     /* 1: too few subscribers or leavers to tell */
} effect_est;

/* The uplift of n_treated subscribers of whom left_treated left, against n_control of whom
 * left_control left. Counts must be 0 <= left <= n; an empty arm gives NaN figures, too_small 1. */
void effect_estimate(int64_t n_treated, int64_t left_treated, int64_t n_control, int64_t left_control,
                     effect_est *e);

#endif
