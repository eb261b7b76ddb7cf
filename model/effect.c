/* effect.c — the uplift of a retention action against its control group (see effect.h). */
#include "effect.h"

#include <math.h>

void effect_estimate(int64_t n_treated, int64_t left_treated, int64_t n_control, int64_t left_control,
                     effect_est *e)
{
    e->rate_treated = n_treated > 0 ? (double)left_treated / (double)n_treated : NAN;
    e->rate_control = n_control > 0 ? (double)left_control / (double)n_control : NAN;
    e->uplift = e->rate_control - e->rate_treated;
    if (n_treated <= 0 || n_control <= 0) {
        e->se = e->lo = e->hi = NAN;
        e->too_small = 1;
        return;
    }
    double pt = e->rate_treated, pc = e->rate_control;
    e->se = sqrt(pt * (1 - pt) / (double)n_treated + pc * (1 - pc) / (double)n_control);
    e->lo = e->uplift - EFFECT_Z95 * e->se;
    e->hi = e->uplift + EFFECT_Z95 * e->se;
    /* the normal approximation needs both outcomes expected often enough in the smaller arm */
    double pooled = (double)(left_treated + left_control) / (double)(n_treated + n_control);
    double small = (double)(n_treated < n_control ? n_treated : n_control);
    e->too_small = n_treated < EFFECT_MIN_N || n_control < EFFECT_MIN_N ||
                   small * pooled < EFFECT_MIN_EXPECTED || small * (1 - pooled) < EFFECT_MIN_EXPECTED;
}
