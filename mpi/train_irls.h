/* train_irls.h — stage 3 of training: the logistic churn model by Newton/IRLS (train_irls.c). */
#ifndef CS_TRAIN_IRLS_H
#define CS_TRAIN_IRLS_H

#include "cmodel.h"
#include "train_pass.h"

typedef struct {
    int iters, passes, converged;
    double loglik;
} train_irls_info;

/* Collective. Fits the logistic model's coefficients, standard errors and column means into m,
 * starting from the intercept of base_rate; info says how the fit went. */
int train_irls(train_run *t, cmodel *m, double base_rate, train_irls_info *info);

#endif
