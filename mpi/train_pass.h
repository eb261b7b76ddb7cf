/* train_pass.h — the training run and the one thing every training stage does: a pass over the
 * rank's design rows.
 *
 * The stages (train_moments.c, train_fa.c, train_structure.c, train_irls.c, train_gbm.c,
 * train_holdout.c, train_write.c) share the options and the run state below; cmd_train.c runs them
 * in order. A row's role (training, validation, holdout) comes from the hash of its id alone, so it
 * is the same for any rank count. The design rows of a pass come from one of three sources behind
 * one small table of functions in train_pass.c (as ior does its backends in aiori.h): the snapshot
 * itself (read, inputs picked, design rows built; the first such pass can fill the cache), the
 * float32 cache of every own row when it fits --memory, or the in-memory warm-start sample of IRLS.
 * Whatever the source, the callback sees the same rows of the same reduction blocks, so the sums do
 * not depend on where the rows came from.
 */
#ifndef CS_TRAIN_PASS_H
#define CS_TRAIN_PASS_H

#include "cmd.h"
#include "cmodel.h"
#include "part.h"
#include "scan.h"

#include <stdint.h>

/* Share of the training rows kept out of both fits as the validation part (--model-kind auto). */
#define TRAIN_VALIDATION_SHARE 0.2

typedef struct {
    const char *in, *model, *report, *factors_s, *inputs_s, *cache, *kind, *extraction;
    const char *playbook; /* --playbook: checked before anything else, not used by the model */
    const char *lang; /* the HTML report's language (--lang en|zh) */
    double holdout, l2, class_weight, max_missing, max_mode, max_corr, kmo_min;
    double onboarding, contract_ending, warn_cutoff, warn_top;
    uint64_t block, memory, validate_max;
    long max_iter;
    /* boosted trees */
    long trees, depth, bins;
    double eta, tree_l2, min_leaf;
    uint64_t gbm_rows, warm_rows;
    uint64_t candidate_rows; /* --candidate-rows: the inputs candidates' sample (train_candidates.c) */
    const char *segments; /* --segments K|auto|none */
    uint64_t segment_rows;
    const char *derived;  /* --derived none|default|FILE (model/derived.h) */
} train_opts;

/* Design rows held in memory, width n_coef: the cache (every own row, truth when the snapshot has
 * it) or the warm-start sample (chosen rows with their reduction block in blk). */
typedef struct {
    float *X;       /* n x n_coef */
    int8_t *y;      /* labels */
    int8_t *ct;     /* churn types (snapshot churn_type), NULL when the snapshot has none */
    uint8_t *hold;  /* holdout flags */
    uint64_t *id;
    float *truth;   /* cache only, NULL without truth */
    uint64_t *blk;  /* sample only: the reduction block of each row */
    size_t n, cap;
} train_rowset;

/* The design cache's state: none (does not fit, or --cache no), being filled by the first pass over
 * the snapshot, or complete (every later pass reads it). */
typedef enum { TRAIN_CACHE_NONE, TRAIN_CACHE_FILLING, TRAIN_CACHE_READY } train_cache_state;

typedef struct train_run train_run;
/* One block of a pass (train_pass below). */
typedef int (*train_block_fn)(train_run *t, const cmodel *m, uint64_t block, const float *X,
                              const int8_t *y, const int8_t *ct, const uint8_t *hold,
                              const uint64_t *id, const float *truth, size_t n, void *arg);

/* Everything a rank needs during the passes. */
struct train_run {
    const cmd_ctx *ctx;
    train_opts o;
    uint64_t n_fit;  /* labelled training rows fitted (from pass 1, less the validation part) */
    int validation;  /* --model-kind auto: keep a validation part of the training rows out of the fits */
    snap_reader *r;
    const snap_schema *s;
    derived_set *derived; /* appended to every row r reads (NULL with --derived none) */
    part_range pr;
    scan_state sc;
    size_t p;
    /* the design rows of one read block */
    size_t *in_col;  /* snapshot column of each model input */
    float *xin;      /* io_rows x p_in */
    float *X;        /* io_rows x n_coef */
    double *ws;      /* cmodel workspace */
    train_cache_state cache_state;
    train_rowset cache;
    /* IRLS warm start: passes read the sample while sample_mode is set */
    int sample_mode;
    double sfrac;    /* share of the training rows drawn into the sample */
    int sample_drawn; /* 0: not drawn yet; else 1 + the t->validation it was drawn under */
    train_rowset sample;
    /* a second consumer of the next passes' blocks (train_segments.c collects its sample from the
     * holdout's pass so): called after the stage's own fn, for every block but those of the
     * warm-start sample; NULL for none */
    train_block_fn tap;
    void *tap_arg;
    /* during train_pass_snapshot: the raw indicators (width p) of the block fn is given */
    const float *feat_block;
};

/* The validation rows one pass collects (the trees' comparison with the logistic model, train_gbm.c,
 * and the inputs candidates', train_candidates.c): labelled, not holdout, in the validation part,
 * and with a sample hash below vfrac; their design rows at full width w, labels and ids. */
typedef struct {
    double vfrac;
    size_t w;
    float *x;
    uint8_t *y;
    int64_t *id;
    size_t n, cap;
} train_valrows;

/* Row roles, from the id hash: holdout rows are never fitted; with --model-kind auto a validation
 * part of the training rows is kept out of both fits to choose between them. */
int train_is_holdout(const train_run *t, uint64_t id);
int train_is_validation(const train_run *t, uint64_t id);

/* Adds the validation rows (above) of a block of n design rows to v. CS_ENOMEM. */
int train_valrows_add(const train_run *t, train_valrows *v, const float *X, const int8_t *y,
                      const uint8_t *hold, const uint64_t *id, size_t n);
void train_valrows_clear(train_valrows *v);

/* Opens o.in, checks that it has labels and indicators, and sets t->r, t->s, t->p and t->pr. Local;
 * the caller agrees. */
int train_open(train_run *t);
/* Part of train_open: the derived indicators of --derived (none, the built-in set of
 * derived_default, or a site file's formulas) appended to every row t->r reads; local. */
int train_derived_open(train_run *t);

/* The read and design blocks of m alone (no cache): for a structure that is fitted on a sample and
 * then dropped (train_candidates.c); train_design_release frees them, the input columns and the
 * sample, so that the model's own structure starts afresh. Local. */
int train_design_blocks(train_run *t, const cmodel *m);
/* The bytes train_design_alloc would refuse m's design above (without the cache) on a rank that held
 * every row: a bound the same for any rank count. */
double train_design_need_whole(const train_run *t, const cmodel *m, size_t feat_cache);
void train_design_release(train_run *t);

/* Collective. The scan of the rank's rows (ids, brands, indicators, labels, truth) and its chunk
 * cache (a quarter of --memory, scan_layout: *feat_cache bytes); agreed. */
int train_scan_open(train_run *t, size_t *feat_cache);

/* Levels of the reduction tree a rank may hold at once for nblocks blocks (one node per level, plus
 * the one being merged); rank 0 also folds in the other ranks' nodes, one more. For the memory
 * estimates of the passes. */
double train_tree_nodes(uint64_t nblocks);

/* Collective. The design blocks for model m, and the design cache when it fits the --memory budget
 * beside what the fits need (feat_cache: the scan's chunk cache); CS_ENOMEM, agreed, when even the
 * blocks do not fit. *all_cached is 1 when every rank caches. */
int train_design_alloc(train_run *t, const cmodel *m, size_t feat_cache, int *all_cached);

/* Makes room for one more row in a rowset of width w (doubling), churn types too when types. CS_ENOMEM
 * with what in the message. */
int train_rowset_grow(train_rowset *r, size_t w, int types, const char *what);

/* One pass over the rank's design rows, block by reduction block, from the source the run is in
 * (the first pass over the snapshot fills the cache when there is one): fn gets each block's design
 * rows, labels, churn types (or NULL: the snapshot has none), holdout flags, ids and truth (or
 * NULL). Collective only through what fn does. */
int train_pass(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg);
/* The same, always from the snapshot (never the cache, which holds no raw indicators), with
 * t->feat_block set to the raw indicators of the block fn is given. */
int train_pass_snapshot(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg);

/* Frees what the run holds and closes the snapshot, once; t may be partly set up. */
void train_run_clear(train_run *t);

#endif
