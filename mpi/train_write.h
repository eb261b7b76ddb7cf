/* train_write.h — the outputs of training: the model file and the report, committed together by
 * rank 0, and the summary printed at the end (train_write.c). */
#ifndef CS_TRAIN_WRITE_H
#define CS_TRAIN_WRITE_H

#include "cmodel.h"
#include "modelfile.h"
#include "train_fa.h"
#include "train_irls.h"
#include "train_moments.h"
#include "train_pass.h"

/* The timed stages, in pipeline order. */
enum { TRAIN_T_IDS, TRAIN_T_PASS1, TRAIN_T_FA, TRAIN_T_CAND, TRAIN_T_IRLS, TRAIN_T_GBM, TRAIN_T_TYPES, TRAIN_T_HOLD,
       TRAIN_T_SEG, TRAIN_T_WRITE, TRAIN_T_N };

/* How the run went, beyond the model and its story: for the story and the summary. */
typedef struct {
    train_irls_info irls;
    train_irls_info types[CMODEL_N_TYPES]; /* the churn-type fits (when the model has them) */
    char choice[256];      /* the model kind and why (train_gbm_choose) */
    int all_cached;        /* every rank kept the design matrix in memory */
    double secs[TRAIN_T_N]; /* seconds per stage */
    int passes[TRAIN_T_N]; /* passes over the snapshot when each stage ended */
} train_outcome;

/* Collective. Completes the story (the snapshot, the run, options: the settings in words, every
 * indicator's statistics and role), agrees, and rank 0 writes the model and, with --report, the
 * report: both complete under temporary names, then renamed together (commit.h), so a report that
 * cannot be written leaves no new model either. Agreed. */
int train_write(const train_run *t, const train_stats *st, const train_choice *c, const cmodel *m,
                const train_outcome *out, const char *options, modelfile_story *story);

/* Collective (the peak memory of every rank). With rc CS_OK, rank 0 prints the summary; total: the
 * seconds since the snapshot was opened. */
void train_summary(const train_run *t, const train_choice *c, const cmodel *m,
                   const modelfile_story *story, const train_outcome *out, double total, int rc);

#endif
