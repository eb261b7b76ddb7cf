/* train_moments.h — stages 0 and 1 of training: every indicator's shift and candidate mode from a
 * sample of the first rows, then the one fused pass of screening statistics and imputed covariance
 * (model/moments.h) over the training rows, with the class counts of training and holdout rows. */
#ifndef CS_TRAIN_MOMENTS_H
#define CS_TRAIN_MOMENTS_H

#include "moments.h"
#include "train_pass.h"

#include <stdint.h>

typedef struct {
    double *shift, *mins, *maxs, *sums; /* stage 0 shifts; pass 1 extremes and moment sums */
    float *mode;                        /* stage 0 candidate modes */
    int64_t counts[4];                  /* training stayed, churned; holdout stayed, churned */
    int64_t type_counts[4];             /* training voluntary, involuntary; holdout the same (the
                                         * snapshot's churn_type; 0 without it) */
    uint64_t n_train, n_hold;           /* labelled training and holdout rows */
    moments_summary *ms;                /* the finalised statistics */
} train_stats;

/* Passes 1 and 2 against --memory: CS_ENOMEM with what to change when wide data (many indicators)
 * would not fit. The same on every rank but for its rows; the caller agrees. */
int train_moments_budget(const train_run *t);

/* Collective. Stages 0 and 1 into st (zeroed by the caller, freed with train_stats_clear), and
 * t->n_fit. Errors: CS_ENOMEM; CS_EDATA (agreed, every rank alike) when there are no labelled
 * training rows, one class only, or no more rows than indicators. The arithmetic after the last
 * reduction is the same on every rank, so a failure there is too, but for an allocation: the caller
 * agrees before the next collective step. */
int train_moments(train_run *t, train_stats *st);

void train_stats_clear(train_stats *st);

#endif
