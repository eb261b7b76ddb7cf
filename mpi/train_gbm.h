/* train_gbm.h — stage 3b of training: boosted trees on the design columns (train_gbm.c) and, with
 * --model-kind auto, the choice between them and the logistic model. */
#ifndef CS_TRAIN_GBM_H
#define CS_TRAIN_GBM_H

#include "cmodel.h"
#include "gbm.h"
#include "train_pass.h"

#include <stddef.h>
#include <stdint.h>

/* The boosted-tree parameters of the options. */
void train_gbm_params(const train_opts *o, gbm_params *gp);

/* Collective. Fits the boosted trees on the design rows into m->gbm; with t->validation set also
 * returns, on every rank, the validation AUC of the logistic model already in m and of the trees. */
int train_gbm(train_run *t, cmodel *m, double *auc_logit, double *auc_gbm);

/* Collective. Stage 3b as --model-kind asks: m->kind CMODEL_KIND_LOGIT (trees not fitted, or fitted
 * and lost on the validation rows) or CMODEL_KIND_GBM (for auto refitted on all n_train training
 * rows); choice[len] says which and why. */
int train_gbm_choose(train_run *t, cmodel *m, uint64_t n_train, char *choice, size_t len);

#endif
