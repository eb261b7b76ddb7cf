/* score_job.h — what one `churnscore score` run holds, from the options to the summary, in parts
 * named for the stage that fills them.
 *
 * cmd_score.c runs the stages in order (score_open, score_pass, score_tiers, score_lists,
 * score_validate, score_summary, score_outputs: one file each) and every stage reads the parts the
 * earlier ones filled. Keeping them in one struct lets the run free everything in one place
 * (score_close) whatever stage failed; splitting it into parts says who writes what:
 *   score_opts       the options (cmd_score.c's table);
 *   score_inputs     the model matched to the snapshot by name (score_open.c);
 *   score_bufs       one read block's per-row values (score_pass.c), reused by the tiers;
 *   score_totals     per-region sums and counts over all ranks (score_pass.c);
 *   score_vsample    the labelled rows kept for the validation (score_pass.c, cut in score_validate.c);
 *   score_results    what the later stages hand to the summaries and SCORES.h5's final values.
 */
#ifndef CS_SCORE_JOB_H
#define CS_SCORE_JOB_H

#include "cmd.h"
#include "cmodel.h"
#include "drift.h"
#include "metrics.h"
#include "modelfile.h"
#include "part.h"
#include "playbook.h"
#include "queue.h"
#include "reduce.h"
#include "rules.h"
#include "scorein.h"
#include "snapshot.h"
#include "tagconf.h"
#include "topk.h"

#include <stddef.h>
#include <stdint.h>

/* The 32-bit ARPU keys (rules_arpu_key) are histogrammed by their top 16 bits during the pass and by
 * their low 16 bits inside the quantiles' buckets afterwards (score_tiers.c). */
#define SCORE_KEY_HALF_BITS 16
#define SCORE_ARPU_BUCKETS (1u << SCORE_KEY_HALF_BITS)
/* The quintile cut-offs between the value tiers (rules_tier). */
#define SCORE_TIER_CUTS (RULES_N_TIERS - 1)

/* Per region g, score_totals.sums[SCORE_NSUMS * g + ...] and .count[SCORE_NCOUNTS * g + ...]; the
 * subscribers of queue q (QUEUE_RETENTION..) at SCORE_COUNT_QUEUE + q - 1. */
enum { SCORE_SUM_LEAVERS, SCORE_SUM_RISK, SCORE_NSUMS };
enum { SCORE_COUNT_SUBSCRIBERS, SCORE_COUNT_ALARM, SCORE_COUNT_WARNING, SCORE_COUNT_QUEUE,
       SCORE_NCOUNTS = SCORE_COUNT_QUEUE + QUEUE_N_LISTED };

/* The lists are groups of the candidates (model/topk.h), one per queue and region: queue q
 * (QUEUE_RETENTION..QUEUE_BILLING) of region r is group (q - 1) x nreg + r, so the groups of one
 * queue are in region order. */
static inline size_t score_group(int queue, size_t region, size_t nreg)
{
    return (size_t)(queue - QUEUE_RETENTION) * nreg + region;
}
#define SCORE_NGROUPS(nreg) ((size_t)QUEUE_N_LISTED * (nreg))

/* The options, as cmd_score.c's table fills them. */
typedef struct {
    const char *in, *model, *out, *lists, *rank_by_s;
    const char *capacity, *playbook, *list_columns, *lang_s;
    const char *tags;         /* --tags (issue 17); NULL: the built-in jobs/tags.conf */
    const char *previous_scores; /* --previous-scores (issue 15): last month's SCORES.h5, or NULL */
    uint64_t top, block, memory, validate_max;
    double horizon, warn_cutoff;
    double control; /* --control: the share of each retention list held out (model/control.h) */
    double collections_cutoff; /* --collections-cutoff; the warning cut-off when -1 */
    int mask_ids, bom, no_bom, read_only;
    int rank_by_risk; /* --rank-by value_at_risk (else by probability) */
    cs_lang lang;     /* --lang: every text people read in the lists and summaries */
    rules_params rp;
} score_opts;

/* The model matched to the snapshot (score_open.c). */
typedef struct {
    cmodel m;
    modelfile_story story;  /* the model's story: the drift reference */
    snap_reader *r;
    const snap_schema *s;
    derived_set *derived;   /* the model's derived indicators, appended to every row r reads */
    part_range pr;          /* this rank's rows */
    size_t nreg;
    long *pick;             /* [p_in] snapshot column of each model input */
    uint8_t *brand_map;     /* snapshot brand -> model brand */
    rules_cols cols;        /* the snapshot columns the stage, phase and ARPU rules read */
    rules_reasoner *reasoner; /* which facts of a row back the model's contributions (rules.h) */
    size_t n_reason_codes;  /* rules_fact_count(p_in): the reason codes a row can carry */
    char **reason_text;     /* [n_reason_codes] each code's English template (SCORES.h5 /reasons/text) */
    char **reason_name;     /* [n_reason_codes] and its machine name (/reasons/name) */
    int has_types;          /* the model has churn types (cmodel.has_types): per row pvol, pinv */
    playbook *pb;           /* --playbook, or the built-in one */
    long online_col;        /* the playbook's e-channel indicator in the snapshot, -1 when absent */
    size_t n_extra;         /* --list-columns */
    long extra_col[TOPK_MAX_EXTRA];
    const char *extra_name[TOPK_MAX_EXTRA]; /* the snapshot's names (borrowed from the schema) */
    uint64_t *k;            /* [SCORE_NGROUPS(nreg)] each list's bound: --top or --capacity (0: all) */
    tagconf *tc;            /* the tag rules and grade names (score_tags.c) */
    tageval *tv;            /* their conditions bound to the snapshot */
} score_inputs;

/* One read block's buffers (score_pass.c): [io rows] unless said otherwise. */
typedef struct {
    float *xin, *X;          /* one reduction block's model inputs and design rows */
    double *ws;              /* cmodel_design's workspace */
    double *prob, *value_at_risk;
    double *pvol, *pinv;     /* each churn type's probability (cmodel_predict_types: without types
                              * pvol = prob, pinv = NaN) */
    uint8_t *stage, *phase, *tier;
    uint8_t *queue;          /* issue 16: each row's queue (QUEUE_*), for SCORES.h5 */
    int16_t *segment;        /* the model's segment of each row (-1: none, or a model without) */
    int16_t *reason;         /* [io rows][SCORES_NREASONS] fact codes (rules.h) */
    float *fact;             /* [io rows][SCORES_NREASONS] their values */
    float *arpu;
    uint64_t *tags;          /* each row's tag bits (score_tags.c) */
    float *contrib;          /* its contribution: ARPU, less the cost where the site has one */
    uint16_t *area;          /* issue 16: [io rows] each row's area (NULL: the snapshot has none) */
    uint8_t brand[PART_BLOCK_ROWS]; /* one reduction block's brands in the model's codes */
    size_t io_bytes;         /* these and the scan's buffers, counted in --memory */
} score_bufs;

/* Per-region sums over all subscribers, the same bits for any rank count: each reduction block's
 * partial sums go into the fixed tree (reduce.h); the counts are exact integers. */
typedef struct {
    red_tree *tree;
    double *block;   /* [SCORE_NSUMS nreg] the current block's partial sums */
    double *sums;    /* [SCORE_NSUMS nreg] after score_totals_reduce: over every rank's rows */
    int64_t *count;  /* [SCORE_NCOUNTS nreg] own rows, then (score_totals_reduce) all rows */
} score_totals;

/* One validation row: travels to rank 0 as raw bytes (gather.h). */
typedef struct {
    uint64_t hash;
    double prob;
    int64_t id;
    uint16_t region;
    uint8_t label;
} score_vrow;

/* The labelled rows kept for the validation: all, or a hash-of-id sample when there are more than
 * --validate-max (score_validate_threshold). */
typedef struct {
    score_vrow *rows;
    size_t n, cap;
    uint64_t thr;     /* keep rows whose id hash is below thr (UINT64_MAX: all) */
    int64_t labelled; /* own labelled rows, kept or not */
} score_vsample;

/* What the validation finds, the same on every rank (score_validate.c). */
typedef struct {
    metrics_report overall;
    metrics_report *region; /* [nreg] */
    int *region_ok;         /* [nreg] 1 where the region had both classes */
    int validated;          /* 0: no labels, or only one class */
    uint64_t labelled;      /* labelled rows over all ranks */
} score_validation;

/* What the stages after the pass hand to the summaries and SCORES.h5's final values. */
typedef struct {
    double cut[SCORE_TIER_CUTS]; /* contribution quintile cut-offs or the site's thresholds (score_tiers.c);
                                  * NaN without a known contribution */
    double *psi;                 /* [drift.cols] population stability (score_totals_reduce) */
    int64_t *listed;             /* [SCORE_NGROUPS(nreg)] rows of each list (score_lists.c) */
    int64_t *listed_region;      /* [nreg] rows of a region's lists together */
    int64_t *held;               /* [nreg] of a region's retention list, held out (--control) */
    score_validation val;
} score_results;

/* Seconds each rank spent in the pass's reads, scoring and writes (the summary prints the slowest). */
typedef struct {
    double read, compute, write;
} score_pass_times;

/* issue 15, month over month (score_prev.c): one of this rank's candidates, kept past the lists
 * (which consume the candidates) to tell whether it made its list. */
typedef struct {
    uint64_t row, id;
    double key;
    uint32_t group;       /* score_group */
    uint16_t prev_months; /* months on a list up to last month */
    int16_t action;       /* its playbook action (an index into the playbook's actions), -1 none */
    uint8_t band;
} score_prev_rec;

/* Last month's figures per region, in summary.csv's order: SCORE_PREV_FIGS x nreg. */
enum { SCORE_PREV_SUBSCRIBERS, SCORE_PREV_LISTED, SCORE_PREV_LEAVERS, SCORE_PREV_RISK, SCORE_PREV_ALARM,
       SCORE_PREV_WARNING, SCORE_PREV_FIGS };

typedef struct {
    scorein *sc;          /* --previous-scores on every rank; NULL without */
    char month[16];       /* its month */
    double *fig;          /* rank 0: [SCORE_PREV_FIGS * nreg] last month's figures, NaN for a region
                           * last month did not have */
    score_prev_rec *rec;  /* [n_rec] this rank's candidates */
    size_t n_rec;
    topk_item *last;      /* [SCORE_NGROUPS(nreg)] each list's last row, on the rank that wrote it */
    int64_t *new_listed;  /* [nreg] listed rows on no list of last month (after score_prev_months) */
} score_prev_state;

typedef struct {
    const cmd_ctx *ctx;
    score_opts o;
    score_inputs in;
    score_bufs buf;
    int64_t *arpu_hist;    /* [SCORE_ARPU_BUCKETS] own rows by the top half of their contribution key */
    topk *cand;            /* per queue and region (score_group): the candidates for the lists */
    score_totals tot;
    score_vsample vs;
    drift_acc drift;
    score_results res;
    score_prev_state prev;
    score_pass_times t;
} score_job;

/* Bytes this rank holds for the --memory budget: the block buffers, and what grows with its rows
 * (the candidates and the validation rows). */
static inline size_t score_mem_in_use(const score_job *j)
{
    return j->buf.io_bytes + topk_bytes(j->cand) + j->vs.cap * sizeof(score_vrow) +
           j->prev.n_rec * sizeof(score_prev_rec);
}

#endif
