/* train_gbm.h — stage 3b of training: boosted trees on the design columns (train_gbm.c) and, with
 * --model-kind auto, the choice between them and the logistic model. */
#ifndef CS_TRAIN_GBM_H
#define CS_TRAIN_GBM_H

#include "cmodel.h"
#include "gbm.h"
#include "train_irls.h"
#include "train_pass.h"

#include <stddef.h>
#include <stdint.h>

/* The boosted-tree parameters of the options. */
void train_gbm_params(const train_opts *o, gbm_params *gp);

/* The validation rows' Platt calibration of each candidate (0 logistic, 1 trees): cal_ok 0 where the
 * fit failed; rows: how many validation rows it was fitted on (calib.h). */
typedef struct {
    int cal_ok[2];
    double cal_a[2], cal_b[2];
    double cal_lr[2]; /* likelihood ratio of the map against the model's own probabilities */
    uint64_t rows;
} train_gbm_val;

/* Collective. Fits the boosted trees on the design rows into m->gbm; with t->validation set also
 * returns, on every rank, the validation AUC of the logistic model already in m and of the trees,
 * and (val, may be NULL) each one's calibration on those rows. */
int train_gbm(train_run *t, cmodel *m, double *auc_logit, double *auc_gbm, train_gbm_val *val);

/* Collective. Stage 3b as --model-kind asks: m->kind CMODEL_KIND_LOGIT (trees not fitted, or fitted
 * and lost on the validation rows) or CMODEL_KIND_GBM; for auto the winner is calibrated (m->cal) on
 * the validation rows by the fit made without them, then refitted on all n_train training rows (the
 * logistic model from the intercept of base_rate, its fit described in irls). choice[len] says which
 * model and why, cal_why[cal_len] how it was calibrated or why not. */
int train_gbm_choose(train_run *t, cmodel *m, uint64_t n_train, double base_rate, train_irls_info *irls,
                     char *choice, size_t len, char *cal_why, size_t cal_len);

#endif
