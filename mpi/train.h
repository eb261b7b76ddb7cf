/* train.h — pieces of the training pipeline shared between its files (cmd_train.c and
 * train_report.c) and with scoring (the holdout hash). */
#ifndef CS_TRAIN_H
#define CS_TRAIN_H

#include "cmd.h"
#include "cmodel.h"
#include "gbm.h"
#include "idhash.h"
#include "modelfile.h"
#include "part.h"
#include "scan.h"

#include <mpi.h>
#include <stdint.h>

/* Salts of the id hashes that pick the holdout, the validation part of the training rows (model
 * selection), the evaluated holdout sample and the boosting sample: independent draws. */
#define TRAIN_SALT_HOLDOUT 0x686f6c646f7574ull
#define TRAIN_SALT_VALIDATION 0x76616c6964ull
#define TRAIN_SALT_SAMPLE 0x73616d706c65ull
#define TRAIN_SALT_GBM 0x67626dull
#define TRAIN_SALT_DRIFT 0x6472696674ull
#define TRAIN_SALT_WARM 0x7761726dull
#define TRAIN_VALIDATION_SHARE 0.2

typedef struct {
    const char *in, *model, *report, *factors_s, *inputs_s, *cache, *kind, *extraction;
    double holdout, l2, class_weight, max_missing, max_mode, max_corr, kmo_min;
    double onboarding, contract_ending, warn_cutoff, warn_top;
    uint64_t block, memory, validate_max;
    long max_iter;
    /* boosted trees */
    long trees, depth, bins;
    double eta, tree_l2, min_leaf;
    uint64_t gbm_rows, warm_rows;
} train_opts;

/* Everything a rank needs during the passes. */
typedef struct {
    const cmd_ctx *ctx;
    train_opts o;
    uint64_t n_fit;  /* labelled training rows (from pass 1) */
    int validation;  /* --model auto: keep a validation part of the training rows out of the fits */
    snap_reader *r;
    const snap_schema *s;
    part_range pr;
    scan_state sc;
    size_t p;
    /* column picking: snapshot column of each model input */
    size_t *in_col;
    /* per-block scratch */
    float *xin;      /* io_rows x p_in */
    float *X;        /* io_rows x n_coef */
    double *ws;      /* cmodel workspace */
    double *Xd, *yd, *wd; /* compacted training rows of one reduction block, double */
    /* design cache (float32, every own row) */
    int cached;
    float *cX;
    int8_t *cy;
    uint8_t *chold;
    uint64_t *cid;
    float *ctruth;
    /* IRLS warm start when the cache does not fit: a hash sample of training rows, in memory */
    int sample_mode;
    float *sX;
    int8_t *sy;
    uint8_t *shold;
    uint64_t *sid, *sblk;
    size_t sn, scap;
    double sfrac;
} train_run;

/* Row roles, from the id hash: holdout rows are never fitted; with --model auto a validation part of
 * the training rows is kept out of both fits to choose between them. */
int train_is_holdout(const train_run *t, uint64_t id);
int train_is_validation(const train_run *t, uint64_t id);

/* Picks the model's inputs out of the current scan block and builds its design rows into t->X. */
void train_design_block(train_run *t, const cmodel *m, size_t n);

/* One pass over the rank's design rows, block by reduction block (from the cache when there is one;
 * the first pass fills the cache when the budget allows): fn gets each block's design rows, labels,
 * holdout flags, ids and truth (or NULL). Collective only through what fn does. */
typedef int (*train_block_fn)(train_run *t, const cmodel *m, uint64_t block, const float *X,
                              const int8_t *y, const uint8_t *hold, const uint64_t *id,
                              const float *truth, size_t n, void *arg);
int train_pass(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg);


/* Collective. Fits the logistic model's coefficients, standard errors and column means into m
 * (train_irls.c), starting from the intercept of base_rate. */
typedef struct {
    int iters, passes, converged;
    double loglik;
} train_irls_info;
int train_irls(train_run *t, cmodel *m, double base_rate, train_irls_info *info);

/* Collective. Scores the holdout, fills story's holdout metrics and drift reference and
 * m->warn_cutoff (train_holdout.c). */
int train_holdout(train_run *t, cmodel *m, uint64_t n_hold, modelfile_story *story);

/* The boosted-tree parameters of the options. */
void train_gbm_params(const train_opts *o, gbm_params *gp);

/* Collective. Fits the boosted trees on the design rows (see train_gbm.c) into m->gbm; with
 * t->validation set also returns, on every rank, the validation AUC of the logistic model already in
 * m and of the trees (for --model auto). */
int train_gbm(train_run *t, cmodel *m, double *auc_logit, double *auc_gbm);

/* Rank 0: the Markdown report (screening, loadings, coefficients, holdout metrics), written complete
 * to "<path>.tmp" (removed on failure), which the caller commits with the model (commit.h). */
int train_report_write(const char *path, const cmodel *m, const modelfile_story *s);

#endif
