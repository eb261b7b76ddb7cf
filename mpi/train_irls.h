/* train_irls.h — stage 3 of training: the logistic churn model by Newton/IRLS (train_irls.c). */
#ifndef CS_TRAIN_IRLS_H
#define CS_TRAIN_IRLS_H

#include "cmodel.h"
#include "train_pass.h"

typedef struct {
    int iters, passes, converged;
    double loglik;
    uint64_t n_rows;   /* training rows of the fit */
    uint64_t extreme;  /* of them, rows whose fitted probability was numerically 0 or 1 at the end */
} train_irls_info;

/* What a fit is of: the churn model (label churned) or a churn type (a CMODEL_TYPE_*, label: the
 * snapshot's churn_type is that type's). */
#define TRAIN_TARGET_CHURN (-1)

/* Collective. Fits the logistic model's coefficients, standard errors and column means into m,
 * starting from the intercept of base_rate; info says how the fit went. */
int train_irls(train_run *t, cmodel *m, double base_rate, train_irls_info *info);

/* A train_block_fn: adds the block's training rows (not holdout, not validation, labelled) whose id
 * hash is below t->sfrac to t->sample, with their reduction block (the warm-start sample, and the
 * candidates' sample of train_candidates.c). */
int train_irls_sample_block(train_run *t, const cmodel *m, uint64_t block, const float *X, const int8_t *y,
                            const int8_t *ct, const uint8_t *hold, const uint64_t *id, const float *truth,
                            size_t n, void *argp);

/* Collective. A candidate's fit (train_candidates.c): the churn model on the design columns
 * cols[0..kc) of m over the sample in t->sample alone (drawn by the caller), to convergence there;
 * beta gets its kc coefficients. */
int train_irls_sample_fit(train_run *t, const cmodel *m, const size_t *cols, size_t kc, const char *what,
                          double base_rate, double *beta, train_irls_info *info);

/* Collective, after train_irls (stage 3c). Where the snapshot has churn types and the training rows
 * hold leavers of each (type_counts, from pass 1, over n_train training rows): fits the logistic
 * model of each type on m's design by the same IRLS, on every training row with weight 1, into
 * m->type_* and sets m->has_types; info[type] says how each fit went. Otherwise leaves has_types 0
 * and says once (rank 0's log) that the types cannot be told apart. reason (len bytes) gets the
 * sentence for the model's story either way. Agreed. */
int train_irls_types(train_run *t, cmodel *m, const int64_t type_counts[CMODEL_N_TYPES], uint64_t n_train,
                     train_irls_info info[CMODEL_N_TYPES], char *reason, size_t len);

#endif
