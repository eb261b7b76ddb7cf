/* cmd_train.c — `churnscore train`: screening, correlation, factor analysis, logistic churn model,
 * boosted trees, and the choice between the two.
 *
 * The pipeline, every rank over its own rows, every sum through the rank-independent reductions of
 * reduce.h so that the model file is the same bit for bit for any rank count:
 *   0. a sample of the first rows (the same rows on every rank) gives each indicator a shift and a
 *      candidate mode, so that pass 1 can accumulate shifted sums (accurate) and the mode share;
 *   1. one fused pass: screening statistics and the imputed covariance (model/moments.h);
 *   2. on every rank, identically: screening, correlation, KMO/Bartlett, factor analysis with varimax
 *      and regression score coefficients (model/fa.h), or raw indicators where FA is not advisable;
 *   3. the logistic model by IRLS (train_irls.c); the design matrix is cached in float32 between
 *      passes when it fits the --memory budget;
 *   3b. boosted trees on the same design columns (train_gbm.c), kept when they beat the logistic
 *      model on a validation part of the training rows (--model-kind auto);
 *   4. the holdout is scored, its exact metrics, warning cut-off and drift reference computed
 *      (train_holdout.c); rank 0 writes the model file and the report (train_report.c).
 * This file holds the options, stages 0-2, the model's structure, and the summary. */
#include "cmd.h"
#include "commit.h"
#include "h5util.h"
#include "cmodel.h"
#include "dupcheck.h"
#include "fa.h"
#include "gbm.h"
#include "log.h"
#include "logit.h"
#include "metrics.h"
#include "modelfile.h"
#include "moments.h"
#include "opts.h"
#include "outguard.h"
#include "part.h"
#include "reduce.h"
#include "scan.h"
#include "screen.h"
#include "status.h"
#include "train.h"

#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Hard alarm signals: used in the model as they are, never screened as near-constant (they are rare
 * by nature) and never folded into factors. */
static const char *const train_signal_names[] = {
    "dual_sim", "competitor_service_calls_m3", "forward_to_competitor_m3", "suspended_voluntary",
    "suspended_arrears", "suspended_high_bill", "days_no_outgoing_m3", NULL};
/* Lifecycle columns: turned into flags, not factors. */
static const char *const train_lifecycle_names[] = {"tenure_months", "contract_months_left",
                                                    "contract_ending", "new_subscriber", NULL};

static int train_in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0) return 1;
    return 0;
}

int train_is_holdout(const train_run *t, uint64_t id)
{
    return idhash_unit(id, TRAIN_SALT_HOLDOUT) < t->o.holdout;
}

int train_is_validation(const train_run *t, uint64_t id)
{
    return t->validation && idhash_unit(id, TRAIN_SALT_VALIDATION) < TRAIN_VALIDATION_SHARE;
}

static int train_cmpf(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Stage 0: shift (mean of present values) and candidate mode (most frequent value) of each column,
 * from the first rows of the file: every rank reads the same rows, so all agree without talking. */
static int train_sample(train_run *t, double *shift, float *mode)
{
    size_t p = t->p;
    size_t n = t->s->n < PART_BLOCK_ROWS ? (size_t)t->s->n : PART_BLOCK_ROWS;
    float *x = malloc((n ? n : 1) * (p ? p : 1) * sizeof(float));
    float *col = malloc((n ? n : 1) * sizeof(float));
    if (!x || !col) {
        free(x);
        free(col);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    int rc = snap_read(t->r, 0, n, NULL, NULL, NULL, x, NULL);
    for (size_t j = 0; rc == CS_OK && j < p; j++) {
        size_t m = 0;
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
            float v = x[i * p + j];
            if (isnan(v)) continue;
            col[m++] = v;
            sum += v;
        }
        shift[j] = m ? sum / (double)m : 0.0;
        /* most frequent value: sort, longest run, ties to the smallest value */
        qsort(col, m, sizeof(float), train_cmpf);
        float best = m ? col[0] : NAN;
        size_t bestn = 0;
        for (size_t i = 0; i < m;) {
            size_t k = i;
            while (k < m && col[k] == col[i]) k++;
            if (k - i > bestn) {
                bestn = k - i;
                best = col[i];
            }
            i = k;
        }
        mode[j] = best;
    }
    free(x);
    free(col);
    return rc;
}

/* Stage 1: the fused moments pass over the training rows (holdout excluded). */
static int train_moments(train_run *t, const double *shift, const float *mode, double *sums,
                         double *mins, double *maxs, int64_t *counts)
{
    size_t p = t->p, len = moments_sum_len(p);
    red_tree *tree = red_tree_alloc(len);
    double *part = malloc(len * sizeof(double));
    float *rows = malloc(PART_BLOCK_ROWS * p * sizeof(float));
    moments_work *w = moments_work_alloc(PART_BLOCK_ROWS, p);
    int rc = (tree && part && rows && w) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for %zu indicators", p);
    for (size_t j = 0; j < p; j++) {
        mins[j] = INFINITY;
        maxs[j] = -INFINITY;
    }
    memset(counts, 0, 4 * sizeof(int64_t));
    scan_begin(&t->sc, "train: screening and correlation pass");
    while (rc == CS_OK) {
        rc = scan_next(&t->sc);
        if (rc != CS_OK || t->sc.n == 0) break;
        for (size_t off = 0; rc == CS_OK && off < t->sc.n; off += PART_BLOCK_ROWS) {
            size_t m = t->sc.n - off < PART_BLOCK_ROWS ? t->sc.n - off : PART_BLOCK_ROWS;
            size_t k = 0;
            for (size_t i = off; i < off + m; i++) {
                int ho = train_is_holdout(t, t->sc.id[i]);
                int8_t y = t->sc.churned[i];
                if (y == 0 || y == 1) counts[(ho ? 2 : 0) + (y == 1)]++;
                if (ho) continue;
                memcpy(rows + k * p, t->sc.features + i * p, p * sizeof(float));
                k++;
            }
            memset(part, 0, len * sizeof(double));
            if (k) rc = moments_accumulate(rows, k, p, shift, mode, part, mins, maxs, w);
            if (rc == CS_OK) rc = red_tree_add(tree, (t->sc.row0 + off) / PART_BLOCK_ROWS, part);
        }
    }
    rc = red_agree(t->ctx->comm, rc);
    if (rc == CS_OK) rc = red_tree_allreduce(tree, t->ctx->comm, t->pr.nblocks, sums);
    if (rc == CS_OK) rc = red_min_f64(t->ctx->comm, mins, p);
    if (rc == CS_OK) rc = red_max_f64(t->ctx->comm, maxs, p);
    if (rc == CS_OK) rc = red_sum_i64(t->ctx->comm, counts, 4);
    red_tree_free(tree);
    free(part);
    free(rows);
    moments_work_free(w);
    return rc;
}

/* Picks the model inputs out of the current block into t->xin and builds design rows into t->X. */
void train_design_block(train_run *t, const cmodel *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const float *src = t->sc.features + i * t->p;
        float *dst = t->xin + i * m->p_in;
        for (size_t c = 0; c < m->p_in; c++) dst[c] = src[t->in_col[c]];
    }
    cmodel_design(m, t->xin, t->sc.brand, n, t->X, t->ws);
}

int train_pass(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg)
{
    size_t w = m->n_coef;
    int rc = CS_OK;
    if (t->sample_mode) {
        /* every owned block, empty ones too: the reduction tree pairs blocks by index */
        size_t i = 0;
        for (uint64_t b = t->pr.block0; rc == CS_OK && b < t->pr.block1; b++) {
            size_t j = i;
            while (j < t->sn && t->sblk[j] == b) j++;
            rc = fn(t, m, b, t->sX + i * w, t->sy + i, t->shold + i, t->sid + i, NULL, j - i, arg);
            i = j;
        }
        return rc;
    }
    if (t->cached == 1) {
        for (uint64_t r = 0; rc == CS_OK && r < t->pr.rows; r += PART_BLOCK_ROWS) {
            size_t n = t->pr.rows - r < PART_BLOCK_ROWS ? (size_t)(t->pr.rows - r) : PART_BLOCK_ROWS;
            rc = fn(t, m, (t->pr.row0 + r) / PART_BLOCK_ROWS, t->cX + r * w, t->cy + r, t->chold + r,
                    t->cid + r, t->ctruth ? t->ctruth + r : NULL, n, arg);
        }
        return rc;
    }
    uint8_t *hold = malloc(t->sc.io_rows);
    if (!hold) return CS_ERROR(CS_ENOMEM, "out of memory");
    scan_begin(&t->sc, stage);
    while (rc == CS_OK) {
        rc = scan_next(&t->sc);
        if (rc != CS_OK || t->sc.n == 0) break;
        train_design_block(t, m, t->sc.n);
        for (size_t i = 0; i < t->sc.n; i++) hold[i] = (uint8_t)train_is_holdout(t, t->sc.id[i]);
        size_t base = (size_t)(t->sc.row0 - t->pr.row0);
        if (t->cached == 2) { /* filling the cache on this pass */
            memcpy(t->cX + base * w, t->X, t->sc.n * w * sizeof(float));
            memcpy(t->cy + base, t->sc.churned, t->sc.n);
            memcpy(t->chold + base, hold, t->sc.n);
            memcpy(t->cid + base, t->sc.id, t->sc.n * sizeof(uint64_t));
            if (t->ctruth) memcpy(t->ctruth + base, t->sc.truth, t->sc.n * sizeof(float));
        }
        for (size_t off = 0; rc == CS_OK && off < t->sc.n; off += PART_BLOCK_ROWS) {
            size_t n = t->sc.n - off < PART_BLOCK_ROWS ? t->sc.n - off : PART_BLOCK_ROWS;
            rc = fn(t, m, (t->sc.row0 + off) / PART_BLOCK_ROWS, t->X + off * w, t->sc.churned + off,
                    hold + off, t->sc.id + off, t->sc.truth ? t->sc.truth + off : NULL, n, arg);
        }
    }
    free(hold);
    if (t->cached == 2 && rc == CS_OK) t->cached = 1;
    return rc;
}

/* Returns CS_ENOMEM (the labels built so far stay in m, freed by cmodel_clear) when out of memory. */
static int train_factor_labels(cmodel *m, char *const *names)
{
    m->factor_labels = calloc(m->k ? m->k : 1, sizeof(char *));
    if (!m->factor_labels) return CS_ERROR(CS_ENOMEM, "out of memory for the factor labels");
    for (size_t f = 0; f < m->k; f++) {
        /* the two indicators with the largest absolute loading name the factor */
        size_t b1 = 0, b2 = 0;
        double v1 = -1, v2 = -1;
        for (size_t j = 0; j < m->p_fa; j++) {
            double v = fabs(m->loadings[j * m->k + f]);
            if (v > v1) {
                v2 = v1;
                b2 = b1;
                v1 = v;
                b1 = j;
            } else if (v > v2) {
                v2 = v;
                b2 = j;
            }
        }
        char buf[256];
        if (m->p_fa > 1)
            snprintf(buf, sizeof buf, "%s+%s", names[m->fa_idx[b1]], names[m->fa_idx[b2]]);
        else
            snprintf(buf, sizeof buf, "%s", m->p_fa ? names[m->fa_idx[b1]] : "");
        m->factor_labels[f] = strdup(buf);
        if (!m->factor_labels[f]) return CS_ERROR(CS_ENOMEM, "out of memory for the factor labels");
    }
    return CS_OK;
}

/* Levels of the reduction tree a rank may hold at once for nblocks blocks (one node per level, plus
 * the one being merged); rank 0 also folds in the other ranks' nodes, one more. */
static double train_tree_nodes(uint64_t nblocks)
{
    double d = 2;
    for (uint64_t b = nblocks; b > 1; b >>= 1) d += 1;
    return d + 1;
}

/* Bytes a rank touches in passes 1 and 2 for p indicators: what grows with p^2 (the moment sums
 * 3p^2 + 4p doubles, held as the result, the rank's partial, each level of the reduction tree and,
 * on rank 0, the receive buffer; then the covariance and correlation, R, its eigenvectors and the
 * factor analysis' copies, 5 p x p matrices more) and what grows with p times the rows of a read (the
 * read block, the block of training rows, the two double work arrays of moments_accumulate). Measured
 * against log_peak_rss on 2,000 indicators x 3,000 rows (tests/mpi/test_costs.sh): within 10%, above.
 * Like the other checks against --memory it counts the data, not the ~40 MB of the libraries. Wide
 * data is where --memory broke (issue 12: 8.4 GB under --memory 256M with 10,000 indicators), so
 * train refuses before the first pass when this exceeds the budget. */
static double train_need_wide(size_t p, uint64_t rows, size_t io, uint64_t nblocks)
{
    double P = (double)p, L = (double)moments_sum_len(p) * 8;
    double touched = (double)(rows < io ? rows : io), blk = (double)(rows < PART_BLOCK_ROWS ? rows : PART_BLOCK_ROWS);
    double pass1 = touched * P * 4 + blk * P * (4 + 16) + L * (1 + train_tree_nodes(nblocks));
    double pass2 = L + 2 * 8 * P * P + 5 * 8 * P * P;
    return pass1 > pass2 ? pass1 : pass2;
}

static const char *train_mode_name(int inputs)
{
    return inputs == CMODEL_INPUTS_RAW ? "raw indicators" : inputs == CMODEL_INPUTS_BOTH ? "factors and raw indicators" : "factor scores";
}

/* Rank 0: the model and the report commit together (commit.h): both are written complete under
 * their temporary names first, so a report that cannot be written leaves no new model either. */
static int train_write_outputs(const train_opts *o, const cmodel *m, const modelfile_story *story)
{
    char *mtmp = h5util_tmpname(o->model), *rtmp = o->report ? h5util_tmpname(o->report) : NULL;
    commit_set *cs = commit_set_alloc();
    int rc = mtmp && cs && (rtmp || !o->report) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = modelfile_write_tmp(mtmp, o->model, m, story);
    if (rc == CS_OK) rc = commit_set_add(cs, mtmp, o->model, NULL);
    else if (mtmp) unlink(mtmp);
    if (rc == CS_OK && o->report) {
        rc = train_report_write(o->report, m, story);
        if (rc == CS_OK) rc = commit_set_add(cs, rtmp, o->report, NULL);
    }
    if (rc == CS_OK) rc = commit_set_apply(cs);
    commit_set_free(cs); /* removes the temporary files of a failed run */
    free(mtmp);
    free(rtmp);
    return rc;
}

int cmd_train(const cmd_ctx *ctx, int argc, char **argv)
{
    train_run t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx;
    train_opts *o = &t.o;
    o->factors_s = "auto";
    o->inputs_s = "auto";
    o->extraction = "pa";
    o->cache = "auto";
    o->holdout = 0.2;
    o->l2 = 1.0;
    o->class_weight = 1.0;
    o->max_missing = 0.5;
    o->max_mode = 0.95;
    o->max_corr = 0.95;
    o->kmo_min = 0.6;
    o->onboarding = 3;
    o->contract_ending = 1;
    o->warn_cutoff = -1;
    o->warn_top = 0.05;
    o->block = 65536;
    o->memory = (uint64_t)2 << 30;
    o->validate_max = 1000000;
    o->max_iter = 30;
    o->kind = "auto";
    o->trees = 300;
    o->depth = 4;
    o->eta = 0.05;
    o->tree_l2 = 1.0;
    o->min_leaf = 20;
    o->bins = 64;
    o->gbm_rows = 250000;
    o->warm_rows = 1000000;
    opt_def defs[] = {
        {"in", OPT_STR, &o->in, "labelled snapshot to train on", 1, 0},
        {"model", OPT_STR, &o->model, "model file to write", 1, 0},
        {"factors", OPT_STR, &o->factors_s, "number of factors, or auto (Kaiser: eigenvalue > 1)", 0, 0},
        {"extraction", OPT_STR, &o->extraction, "pa|ml: principal axis (psych::fa) or maximum likelihood (factanal)", 0, 0},
        {"inputs", OPT_STR, &o->inputs_s, "auto|factors|raw|both: what the logistic model is fitted on", 0, 0},
        {"holdout", OPT_DOUBLE, &o->holdout, "share of subscribers (by id hash) kept out for evaluation", 0, 0},
        {"l2", OPT_DOUBLE, &o->l2, "L2 penalty on the coefficients (not the intercept)", 0, 0},
        {"class-weight", OPT_DOUBLE, &o->class_weight, "weight of a churner relative to a stayer", 0, 0},
        {"max-missing", OPT_DOUBLE, &o->max_missing, "drop indicators with a larger missing share", 0, 0, 0, 1},
        {"max-mode-share", OPT_DOUBLE, &o->max_mode, "drop near-constant indicators (share of the most frequent value)", 0, 0, 0, 1},
        {"max-corr", OPT_DOUBLE, &o->max_corr, "of two indicators correlated above this keep one", 0, 0, 0, 1},
        {"kmo-min", OPT_DOUBLE, &o->kmo_min, "inputs auto: factor analysis only when KMO is at least this", 0, 0, 0, 1},
        {"onboarding-months", OPT_DOUBLE, &o->onboarding, "tenure up to this is onboarding", 0, 0},
        {"contract-ending-months", OPT_DOUBLE, &o->contract_ending, "contract ending: months left up to this", 0, 0},
        {"warn-cutoff", OPT_DOUBLE, &o->warn_cutoff, "probability for the warning phase (<0: from --warn-top)", 0, 0},
        {"warn-top", OPT_DOUBLE, &o->warn_top, "without --warn-cutoff: the cut-off flags this share of the holdout", 0, 0, 0, 1},
        {"max-iter", OPT_INT, &o->max_iter, "IRLS iteration limit", 0, 0, 1, 10000},
        {"block-rows", OPT_U64, &o->block, "rows per read", 0, 0, 1, HUGE_VAL},
        {"memory", OPT_BYTES, &o->memory, "memory budget per rank (e.g. 2G)", 0, 0},
        {"warm-rows", OPT_U64, &o->warm_rows, "IRLS first converges on a sample of this many rows (when there are more than twice as many)", 0, 0},
        {"cache", OPT_STR, &o->cache, "auto|no: keep the design matrix in memory between passes when it fits", 0, 0},
        {"validate-max", OPT_U64, &o->validate_max, "holdout rows evaluated, and validation rows for the model choice, at most (hash samples)", 0, 0},
        {"report", OPT_STR, &o->report, "write a Markdown report here", 0, 0},
        {"model-kind", OPT_STR, &o->kind, "auto|logit|gbm: logistic model, boosted trees, or the better of the two on a validation part of the training rows", 0, 0},
        {"trees", OPT_INT, &o->trees, "boosted trees: rounds", 0, 0},
        {"depth", OPT_INT, &o->depth, "boosted trees: depth", 0, 0},
        {"eta", OPT_DOUBLE, &o->eta, "boosted trees: learning rate", 0, 0},
        {"tree-l2", OPT_DOUBLE, &o->tree_l2, "boosted trees: L2 penalty on leaf values", 0, 0},
        {"min-leaf", OPT_DOUBLE, &o->min_leaf, "boosted trees: minimum rows in a leaf", 0, 0},
        {"bins", OPT_INT, &o->bins, "boosted trees: histogram bins per input (<= 64)", 0, 0},
        {"gbm-rows", OPT_U64, &o->gbm_rows, "boosted trees: fitted on a hash sample of at most this many rows", 0, 0},
        {NULL, 0, NULL, NULL, 0, 0},
    };
    int rc = opt_parse(defs, argc, argv, 2, "churnscore train --in SNAPSHOT.h5 --model MODEL.h5 [options]",
                       NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    long kfix = 0;
    int inputs_auto = 0, inputs = CMODEL_INPUTS_FACTORS;
    if (rc == CS_OK) {
        if (strcmp(o->factors_s, "auto") != 0) {
            char *end;
            kfix = strtol(o->factors_s, &end, 10);
            if (*end || kfix <= 0) rc = CS_ERROR(CS_EINVAL, "option --factors: '%s' is not a positive count or auto", o->factors_s);
        }
        if (strcmp(o->inputs_s, "auto") == 0) inputs_auto = 1;
        else if (strcmp(o->inputs_s, "factors") == 0) inputs = CMODEL_INPUTS_FACTORS;
        else if (strcmp(o->inputs_s, "raw") == 0) inputs = CMODEL_INPUTS_RAW;
        else if (strcmp(o->inputs_s, "both") == 0) inputs = CMODEL_INPUTS_BOTH;
        else rc = CS_ERROR(CS_EINVAL, "option --inputs: '%s' is not auto, factors, raw or both", o->inputs_s);
        if (rc == CS_OK && strcmp(o->extraction, "pa") != 0 && strcmp(o->extraction, "ml") != 0)
            rc = CS_ERROR(CS_EINVAL, "option --extraction: '%s' is not pa or ml", o->extraction);
        if (rc == CS_OK && !(o->holdout >= 0 && o->holdout < 1))
            rc = CS_ERROR(CS_EINVAL, "option --holdout must be in [0, 1)");
        if (rc == CS_OK && !(o->l2 >= 0)) rc = CS_ERROR(CS_EINVAL, "option --l2 must be >= 0");
        if (rc == CS_OK && !(o->class_weight > 0)) rc = CS_ERROR(CS_EINVAL, "option --class-weight must be > 0");
        if (rc == CS_OK && strcmp(o->kind, "auto") && strcmp(o->kind, "logit") && strcmp(o->kind, "gbm"))
            rc = CS_ERROR(CS_EINVAL, "option --model-kind: '%s' is not auto, logit or gbm", o->kind);
        if (rc == CS_OK && (o->trees < 1 || o->depth < 1 || o->depth > GBM_MAX_DEPTH || o->bins < 2 ||
                            o->bins > GBM_MAX_BINS || !(o->eta > 0) || o->gbm_rows < 100))
            rc = CS_ERROR(CS_EINVAL, "boosted-tree options out of range (trees >= 1, depth 1..%d, bins 2..%d, "
                          "eta > 0, gbm-rows >= 100)", GBM_MAX_DEPTH, GBM_MAX_BINS);
        if (rc == CS_OK) {
            gbm_params gp;
            train_gbm_params(o, &gp);
            if (gbm_params_check(&gp) != CS_OK)
                rc = CS_ERROR(CS_EINVAL, "boosted-tree options: %s", status_reason());
        }
        t.validation = strcmp(o->kind, "auto") == 0;
    }
    /* before anything is written: no output may touch --in or the other output, and each is locked
     * against a second run (outguard.h); rank 0 decides and holds the locks */
    outguard *guard = NULL;
    outguard_path paths[] = {{"--in", o->in, OUTGUARD_INPUT}, {"--model", o->model, OUTGUARD_OUTPUT},
                             {"--report", o->report, OUTGUARD_OUTPUT}};
    if (rc == CS_OK && ctx->rank == 0) rc = outguard_acquire(paths, 3, &guard);
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;
    /* the total counts from the opening of the snapshot, as in score: the id check is work too */
    double t_start = MPI_Wtime();
    if (rc == CS_OK) rc = snap_open(o->in, snap_read_comm(ctx->comm), &t.r);
    if (rc == CS_OK) {
        t.s = snap_schema_of(t.r);
        t.p = t.s->p;
        if (!t.s->has_labels)
            rc = CS_ERROR(CS_EFORMAT, "%s: has no labels (/subscribers/churned): train needs a month "
                          "whose outcomes are known", o->in);
        else if (t.p == 0)
            rc = CS_ERROR(CS_EFORMAT, "%s: has no indicators", o->in);
    }
    if (rc == CS_OK) {
        part_range pr;
        part_compute(t.s->n, ctx->nranks, ctx->rank, &pr);
        size_t io = (size_t)((o->block + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS * PART_BLOCK_ROWS);
        double need = train_need_wide(t.p, pr.rows, io ? io : PART_BLOCK_ROWS, pr.nblocks);
        /* the same on every rank but for its rows; each decides, red_agree takes the worst */
        if (need > (double)o->memory)
            rc = CS_ERROR(CS_ENOMEM, "%s: --memory %.0fM is too small for %zu indicators: passes 1 and 2 "
                          "need about %.0fM per rank (the moment sums, correlation and factor analysis grow "
                          "with the square of the indicators, the read blocks with --block-rows): raise "
                          "--memory to at least %.0fM, or leave indicators out of the snapshot (import "
                          "--ignore)", o->in, (double)o->memory / 1048576, t.p, need / 1048576,
                          ceil(need / 1048576));
    }
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = dup_check(ctx, t.r, o->memory);
    if (rc != CS_OK) {
        snap_close(t.r);
        outguard_release(guard);
        return rc;
    }
    double t_stage = MPI_Wtime(), t_ids = t_stage - t_start;
    size_t p = t.p;
    part_compute(t.s->n, ctx->nranks, ctx->rank, &t.pr);
    log_info("train: %s: %llu subscribers, %zu indicators, month %s, %d ranks", o->in,
             (unsigned long long)t.s->n, p, t.s->month, ctx->nranks);
    rc = scan_init(&t.sc, t.r, &t.pr, o->block, SCAN_ID | SCAN_BRAND | SCAN_FEATURES | SCAN_CHURNED |
                                                 (t.s->has_truth ? SCAN_TRUTH : 0), ctx->nranks);
    /* a quarter of --memory for the chunk cache of a badly chunked file (scan_layout): agreed first,
     * since reopening the dataset is collective under CS_READ_MPIO */
    rc = red_agree(ctx->comm, rc);
    size_t feat_cache = 0;
    if (rc == CS_OK) rc = red_agree(ctx->comm, scan_layout(&t.sc, o->memory / 4, &feat_cache));

    /* ---- stages 0 and 1 ---- */
    double *shift = calloc(p, sizeof(double)), *mins = malloc(p * sizeof(double)),
           *maxs = malloc(p * sizeof(double)), *sums = malloc(moments_sum_len(p) * sizeof(double));
    float *mode = malloc(p * sizeof(float));
    int64_t counts[4] = {0};
    moments_summary *ms = moments_summary_alloc(p);
    if (rc == CS_OK && (!shift || !mins || !maxs || !sums || !mode || !ms))
        rc = CS_ERROR(CS_ENOMEM, "out of memory for %zu indicators", p);
    if (rc == CS_OK) rc = train_sample(&t, shift, mode);
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = train_moments(&t, shift, mode, sums, mins, maxs, counts);
    uint64_t n_train = (uint64_t)(counts[0] + counts[1]), n_hold = (uint64_t)(counts[2] + counts[3]);
    t.n_fit = t.validation ? (uint64_t)((double)n_train * (1 - TRAIN_VALIDATION_SHARE)) : n_train;
    if (rc == CS_OK && n_train == 0)
        rc = CS_ERROR(CS_EDATA, "%s: no labelled training rows (%llu subscribers, %llu held out): "
                      "nothing to train on", o->in, (unsigned long long)t.s->n, (unsigned long long)n_hold);
    if (rc == CS_OK) rc = moments_finalize(sums, mins, maxs, shift, mode, p, ms);
    if (rc == CS_OK) {
        if (counts[1] == 0 || counts[0] == 0)
            rc = CS_ERROR(CS_EDATA, "%s: the training rows hold one class only (%lld churned, %lld "
                          "stayed): a churn model needs both", o->in, (long long)counts[1], (long long)counts[0]);
        else if (n_train <= p)
            rc = CS_ERROR(CS_EDATA, "%s: %llu labelled training rows for %zu indicators: need more rows "
                          "than indicators", o->in, (unsigned long long)n_train, p);
    }
    double t_pass1 = MPI_Wtime() - t_stage;
    int np1 = scan_passes(&t.sc);
    t_stage = MPI_Wtime();
    if (rc == CS_OK)
        log_info("train: pass 1 (screening + correlation) %.2f s: %llu training rows (%lld churned), "
                 "%llu holdout rows", t_pass1, (unsigned long long)n_train, (long long)counts[1],
                 (unsigned long long)n_hold);

    /* ---- stage 2: screening and factor analysis (identical on every rank) ---- */
    screen_params sp;
    screen_params_default(&sp);
    sp.max_missing_share = o->max_missing;
    sp.max_mode_share = o->max_mode;
    sp.max_abs_corr = o->max_corr;
    screen_result *sr = screen_result_alloc(p);
    cmodel m;
    memset(&m, 0, sizeof m);
    m.tenure_idx = m.contract_idx = -1;
    modelfile_story story;
    modelfile_story_init(&story);
    fa_result *fa = NULL;
    size_t *pool = malloc(p * sizeof(size_t)), npool = 0;
    size_t *sig = malloc(p * sizeof(size_t)), nsig = 0;
    long ten = -1, con = -1;
    if (rc == CS_OK && (!sr || !pool || !sig)) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = screen_run(ms, (const char *const *)t.s->feature_names, &sp, sr);
    if (rc == CS_OK) {
        for (size_t j = 0; j < p; j++) {
            const char *nm = t.s->feature_names[j];
            int usable = ms->n_present[j] > 0 && ms->missing_share[j] <= o->max_missing && ms->sd[j] > 0;
            if (train_in_list(train_signal_names, nm)) {
                if (usable) sig[nsig++] = j;
            } else if (train_in_list(train_lifecycle_names, nm)) {
                if (strcmp(nm, "tenure_months") == 0 && ms->n_present[j] > 0) ten = (long)j;
                if (strcmp(nm, "contract_months_left") == 0 && ms->n_present[j] > 0) con = (long)j;
            } else if (sr->kept[j]) {
                pool[npool++] = j;
            }
        }
        /* A constant tenure or contract column makes constant lifecycle flags: with nothing else
         * the fit is an intercept (and brand) model with AUC about 0.5, which must not pass as a
         * model. */
        size_t nconst = 0, nmiss = 0;
        for (size_t j = 0; j < p; j++) {
            if (!(ms->n_present[j] > 0) || ms->missing_share[j] > o->max_missing) nmiss++;
            else if (!(ms->sd[j] > 0)) nconst++;
        }
        int lc_varies = (ten >= 0 && ms->sd[ten] > 0) || (con >= 0 && ms->sd[con] > 0);
        if (npool == 0 && nsig == 0 && !lc_varies) {
            if (nconst == p)
                rc = CS_ERROR(CS_EDATA, "%s: no indicator varies: all %zu are constant over the %llu "
                              "training rows, so no model can tell leavers from stayers (is the "
                              "snapshot filled from the right source?)", o->in, p,
                              (unsigned long long)n_train);
            else
                rc = CS_ERROR(CS_EDATA, "%s: every indicator was dropped by screening (no indicator survives): "
                              "of %zu, %zu are constant, %zu missing in more than --max-missing %g of the "
                              "rows, the others near-constant (--max-mode-share %g) or collinear "
                              "(--max-corr %g): nothing to fit on", o->in, p, nconst, nmiss, o->max_missing, o->max_mode,
                              o->max_corr);
        }
    }
    char reason[512] = "";
    if (rc == CS_OK && npool > 0 && (inputs != CMODEL_INPUTS_RAW || inputs_auto)) {
        gsl_matrix *R = gsl_matrix_alloc(npool, npool);
        gsl_vector *kv = gsl_vector_alloc(npool);
        double kmo = NAN;
        if (!R || !kv) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        if (rc == CS_OK) rc = moments_correlation_subset(ms, pool, npool, R);
        int krc = rc == CS_OK ? fa_kmo(R, &kmo, kv) : rc;
        /* a singular R is an answer (no factor analysis), not a failure: forget its message, but only
         * then, or the message of a real failure (out of memory above) would be lost */
        if (rc == CS_OK) status_clear();
        story.kmo = kmo;
        if (rc == CS_OK) {
            double chi2, df, pv;
            if (fa_bartlett(R, (double)n_train, &chi2, &df, &pv) == CS_OK) {
                story.bartlett_chi2 = chi2;
                story.bartlett_df = df;
                story.bartlett_p = pv;
            }
            gsl_vector *ev = gsl_vector_alloc(npool);
            gsl_matrix *evec = gsl_matrix_alloc(npool, npool);
            if (!ev || !evec) rc = CS_ERROR(CS_ENOMEM, "out of memory for the eigenvalues of %zu indicators", npool);
            /* failing eigenvalues only leave the report without them: that message is forgotten */
            else if (fa_eigen(R, ev, evec) == CS_OK) {
                story.eigenvalues = malloc(npool * sizeof(double));
                if (!story.eigenvalues) rc = CS_ERROR(CS_ENOMEM, "out of memory for the eigenvalues");
                else story.n_eigen = npool;
                for (size_t i = 0; i < story.n_eigen; i++) story.eigenvalues[i] = gsl_vector_get(ev, i);
            } else {
                status_clear();
            }
            gsl_vector_free(ev);
            gsl_matrix_free(evec);
        }
        if (rc == CS_OK && inputs_auto) {
            if (krc != CS_OK)
                snprintf(reason, sizeof reason, "the correlation matrix of the %zu screened indicators is "
                         "singular: factor analysis not advisable, fitted on the screened indicators", npool);
            else if (kmo < o->kmo_min)
                snprintf(reason, sizeof reason, "KMO %.3f < %.2f: factor analysis not advisable, fitted on "
                         "the screened indicators", kmo, o->kmo_min);
            inputs = reason[0] ? CMODEL_INPUTS_RAW : CMODEL_INPUTS_FACTORS;
        }
        if (rc == CS_OK && inputs != CMODEL_INPUTS_RAW) {
            size_t kaiser = 0;
            for (size_t i = 0; i < story.n_eigen; i++) kaiser += story.eigenvalues[i] > 1.0;
            size_t k = kfix > 0 ? (size_t)kfix : (kaiser ? kaiser : 1);
            if (k >= npool) k = npool > 1 ? npool - 1 : 1;
            fa_params fp;
            fa_params_default(&fp);
            fp.method = strcmp(o->extraction, "ml") == 0 ? FA_ML : FA_PAF;
            fa = fa_result_alloc(npool, k);
            rc = fa ? fa_fit(R, (double)n_train, &fp, fa) : CS_ERROR(CS_ENOMEM, "out of memory");
            if (rc != CS_OK && rc != CS_ENOMEM && inputs_auto) {
                snprintf(reason, sizeof reason, "factor analysis failed (%s): fitted on the screened "
                         "indicators", status_reason());
                status_clear();
                rc = CS_OK;
                inputs = CMODEL_INPUTS_RAW;
                fa_result_free(fa);
                fa = NULL;
            } else if (rc == CS_OK) {
                if (!reason[0])
                    snprintf(reason, sizeof reason, "KMO %.3f: %zu factors by %s from %zu screened indicators, "
                             "%s extraction, varimax", kmo, k, kfix > 0 ? "--factors" : "the Kaiser criterion",
                             npool, fp.method == FA_ML ? "maximum likelihood" : "principal axis");
                m.k = k;
            }
        }
        gsl_matrix_free(R);
        gsl_vector_free(kv);
    }
    if (!reason[0]) snprintf(reason, sizeof reason, "inputs %s as asked", train_mode_name(inputs));

    /* ---- the model's structure ---- */
    if (rc == CS_OK) {
        /* inputs read from the snapshot: the pool, the signals, the lifecycle sources, in column order */
        int *use = calloc(p, sizeof(int));
        long *map = malloc(p * sizeof(long));
        m.in_names = calloc(p, sizeof(char *));
        m.impute = malloc(p * sizeof(double));
        m.center = malloc(p * sizeof(double));
        m.scale = malloc(p * sizeof(double));
        t.in_col = malloc(p * sizeof(size_t));
        m.fa_idx = malloc((npool ? npool : 1) * sizeof(int32_t));
        m.signal_idx = malloc((nsig ? nsig : 1) * sizeof(int32_t));
        m.n_brands = t.s->n_brands;
        m.brand_names = calloc(m.n_brands ? m.n_brands : 1, sizeof(char *));
        if (fa) {
            m.loadings = malloc(npool * m.k * sizeof(double));
            m.score_coef = malloc(npool * m.k * sizeof(double));
            story.communality = malloc(npool * sizeof(double));
            story.uniqueness = malloc(npool * sizeof(double));
            story.ss_loadings = malloc(m.k * sizeof(double));
            story.prop_var = malloc(m.k * sizeof(double));
        }
        if (!use || !map || !m.in_names || !m.impute || !m.center || !m.scale || !t.in_col || !m.fa_idx ||
            !m.signal_idx || !m.brand_names ||
            (fa && (!m.loadings || !m.score_coef || !story.communality || !story.uniqueness ||
                    !story.ss_loadings || !story.prop_var))) {
            free(use);
            free(map);
            rc = CS_ERROR(CS_ENOMEM, "out of memory for the model's structure (%zu indicators)", p);
            goto structure_done;
        }
        for (size_t i = 0; i < npool; i++) use[pool[i]] = 1;
        for (size_t i = 0; i < nsig; i++) use[sig[i]] = 1;
        if (ten >= 0) use[ten] = 1;
        if (con >= 0) use[con] = 1;
        for (size_t j = 0; rc == CS_OK && j < p; j++) {
            map[j] = -1;
            if (!use[j]) continue;
            map[j] = (long)m.p_in;
            t.in_col[m.p_in] = j;
            m.in_names[m.p_in] = strdup(t.s->feature_names[j]);
            if (!m.in_names[m.p_in]) rc = CS_ERROR(CS_ENOMEM, "out of memory for the input names");
            m.impute[m.p_in] = ms->mean[j];
            m.center[m.p_in] = ms->mean[j];
            m.scale[m.p_in] = ms->sd[j] > 0 ? ms->sd[j] : 1.0;
            m.p_in++;
        }
        m.inputs = inputs;
        m.p_fa = npool;
        m.n_signal = nsig;
        if (rc == CS_OK) { /* map is complete only then */
            for (size_t i = 0; i < npool; i++) m.fa_idx[i] = (int32_t)map[pool[i]];
            for (size_t i = 0; i < nsig; i++) m.signal_idx[i] = (int32_t)map[sig[i]];
            m.tenure_idx = ten >= 0 ? (int32_t)map[ten] : -1;
            m.contract_idx = con >= 0 ? (int32_t)map[con] : -1;
        }
        m.onboarding_months = o->onboarding;
        m.contract_ending_months = o->contract_ending;
        for (size_t b = 0; rc == CS_OK && b < m.n_brands; b++)
            if (!(m.brand_names[b] = strdup(t.s->brand_names[b])))
                rc = CS_ERROR(CS_ENOMEM, "out of memory for the brand names");
        if (fa && rc == CS_OK) {
            for (size_t i = 0; i < npool; i++)
                for (size_t f = 0; f < m.k; f++) {
                    m.loadings[i * m.k + f] = gsl_matrix_get(fa->loadings, i, f);
                    m.score_coef[i * m.k + f] = gsl_matrix_get(fa->score_coef, i, f);
                }
            rc = train_factor_labels(&m, m.in_names);
            for (size_t i = 0; i < npool; i++) {
                story.communality[i] = gsl_vector_get(fa->communality, i);
                story.uniqueness[i] = gsl_vector_get(fa->uniqueness, i);
            }
            for (size_t f = 0; f < m.k; f++) {
                story.ss_loadings[f] = gsl_vector_get(fa->ss_loadings, f);
                story.prop_var[f] = gsl_vector_get(fa->prop_var, f);
            }
        } else if (rc == CS_OK) {
            m.k = 0;
            m.factor_labels = calloc(1, sizeof(char *));
            if (!m.factor_labels) rc = CS_ERROR(CS_ENOMEM, "out of memory for the factor labels");
        }
        free(use);
        free(map);
        if (rc == CS_OK) rc = cmodel_name_columns(&m);
    }
structure_done:
    /* stage 2 and the structure are the same arithmetic on every rank, but an allocation can fail on
     * one: agree before the design blocks are sized from m */
    rc = red_agree(ctx->comm, rc);
    double t_fa = MPI_Wtime() - t_stage;
    t_stage = MPI_Wtime();
    if (rc == CS_OK)
        log_info("train: screening kept %zu of %zu indicators (+%zu signals); %s; %zu model inputs "
                 "(%.2f s)", npool, p, nsig, reason, m.n_coef, t_fa);

    /* ---- stage 3: IRLS ---- */
    size_t K = m.n_coef;
    size_t io = t.sc.io_rows;
    t.xin = malloc(io * (m.p_in ? m.p_in : 1) * sizeof(float));
    t.X = malloc(io * K * sizeof(float));
    t.ws = malloc((cmodel_work_len(&m, io) + 1) * sizeof(double));
    t.Xd = malloc(PART_BLOCK_ROWS * K * sizeof(double));
    t.yd = malloc(PART_BLOCK_ROWS * sizeof(double));
    t.wd = malloc(PART_BLOCK_ROWS * sizeof(double));
    if (rc == CS_OK && (!t.xin || !t.X || !t.ws || !t.Xd || !t.yd || !t.wd))
        rc = CS_ERROR(CS_ENOMEM, "out of memory for the design blocks");
    /* the cache: float32 design rows + label + holdout flag + id (+ truth) per own row */
    double per_row = (double)K * 4 + 1 + 1 + 8 + (t.s->has_truth ? 4 : 0);
    /* what stages 3 and 3b hold besides the cache: the read and design blocks, the moment sums and
     * summary still allocated, the IRLS vectors of K^2 + 2K + 2 doubles (result, partial, each level
     * of the tree, Hessian copy) and work arrays, the trees' three histograms of 2^depth x K x 64 x 3
     * doubles and their binned sample, and the chunk cache (this replaces a flat 40 copies of the
     * moment sums, which refused 2,000 indicators under 4 GB for memory never used at once) */
    double Kd = (double)K, Pd = (double)p;
    double irls_b = (Kd * Kd + 2 * Kd + 2) * 8 * (train_tree_nodes(t.pr.nblocks) + 3) +
                  (double)PART_BLOCK_ROWS * Kd * 8 * 2;
    double gbm_b = 0;
    if (strcmp(o->kind, "logit") != 0) {
        double ns = (double)(o->gbm_rows < t.pr.rows ? o->gbm_rows : t.pr.rows);
        gbm_b = 3.0 * (double)((size_t)1 << o->depth) * Kd * GBM_MAX_BINS * 3 * 8 + ns * (Kd * 5 + 40);
    }
    /* pages of the read blocks past this rank's rows are never touched: count the rows it has */
    double io_t = (double)(t.pr.rows < io ? t.pr.rows : io);
    double fixed = io_t * (Pd * 4 + (double)m.p_in * 4 + Kd * 4 + 16) +
                   (double)moments_sum_len(p) * 8 + 16 * Pd * Pd + (irls_b > gbm_b ? irls_b : gbm_b) +
                   (double)feat_cache;
    if (rc == CS_OK && strcmp(o->cache, "no") != 0 &&
        (double)t.pr.rows * per_row + fixed <= (double)o->memory * 0.8) {
        size_t nr = (size_t)t.pr.rows;
        t.cX = malloc((nr ? nr : 1) * K * sizeof(float));
        t.cy = malloc(nr ? nr : 1);
        t.chold = malloc(nr ? nr : 1);
        t.cid = malloc((nr ? nr : 1) * sizeof(uint64_t));
        t.ctruth = t.s->has_truth ? malloc((nr ? nr : 1) * sizeof(float)) : NULL;
        if (t.cX && t.cy && t.chold && t.cid && (t.ctruth || !t.s->has_truth)) t.cached = 2;
    }
    /* every rank must take the same path only for logging; the arithmetic is the same either way */
    int any_cached = t.cached ? 1 : 0, all_cached = 0;
    all_cached = any_cached;
    int crc = red_min_int(ctx->comm, &all_cached, 1);
    if (rc == CS_OK) rc = crc;
    if (rc == CS_OK && (double)fixed > (double)o->memory)
        rc = CS_ERROR(CS_ENOMEM, "%s: --memory %.0fM is too small for %zu design columns and blocks of "
                      "%zu rows: they need about %.0fM per rank: raise --memory to at least %.0fM, lower "
                      "--block-rows, or use fewer inputs (--inputs factors, --model-kind logit)", o->in,
                      (double)o->memory / 1048576, K, io, fixed / 1048576, ceil(fixed / 1048576));
    rc = red_agree(ctx->comm, rc);

    train_irls_info irls = {0, 0, 0, NAN};
    if (rc == CS_OK) rc = train_irls(&t, &m, (double)counts[1] / (double)n_train, &irls);
    double t_irls = MPI_Wtime() - t_stage;
    int np2 = scan_passes(&t.sc);
    t_stage = MPI_Wtime();

    /* ---- stage 3b: boosted trees, and the choice between the two ---- */
    double auc_l = NAN, auc_g = NAN;
    char choice[256] = "logistic model (--model-kind logit)";
    m.kind = CMODEL_KIND_LOGIT;
    if (rc == CS_OK && strcmp(o->kind, "logit") != 0) {
        rc = train_gbm(&t, &m, &auc_l, &auc_g);
        if (rc == CS_OK) {
            if (strcmp(o->kind, "gbm") == 0) {
                m.kind = CMODEL_KIND_GBM;
                snprintf(choice, sizeof choice, "boosted trees (--model-kind gbm)");
            } else if (auc_g > auc_l) {
                m.kind = CMODEL_KIND_GBM;
                snprintf(choice, sizeof choice, "boosted trees: validation AUC %.4f > logistic %.4f; "
                         "refitted on all training rows", auc_g, auc_l);
                /* the validation rows chose the model; now they help fit it */
                gbm_model_free(m.gbm);
                m.gbm = NULL;
                t.validation = 0;
                t.n_fit = n_train;
                double a1, a2;
                rc = train_gbm(&t, &m, &a1, &a2);
            } else {
                snprintf(choice, sizeof choice, "logistic model: validation AUC %.4f >= boosted trees %.4f", auc_l, auc_g);
                gbm_model_free(m.gbm);
                m.gbm = NULL;
            }
            log_info("train: %s", choice);
        }
    }
    double t_gbm = MPI_Wtime() - t_stage;
    int np3 = scan_passes(&t.sc);
    t_stage = MPI_Wtime();

    /* ---- stage 4: holdout ---- */
    if (rc == CS_OK) rc = train_holdout(&t, &m, n_hold, &story);
    double t_hold = MPI_Wtime() - t_stage;
    int np4 = scan_passes(&t.sc);
    t_stage = MPI_Wtime();

    /* ---- write the model and the report (rank 0) ---- */
    if (rc == CS_OK) {
        snprintf(story.snapshot, sizeof story.snapshot, "%s", o->in);
        snprintf(story.month, sizeof story.month, "%s", t.s->month);
        story.n_rows = t.s->n;
        story.n_train = n_train;
        story.n_holdout = n_hold;
        snprintf(story.version, sizeof story.version, "%s", cmd_version());
        time_t now = time(NULL);
        strftime(story.created, sizeof story.created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        char *desc = opt_describe(defs);
        snprintf(story.options, sizeof story.options, "%s", desc ? desc : "");
        free(desc);
        snprintf(story.inputs_reason, sizeof story.inputs_reason, "%s", reason);
        snprintf(story.model_choice, sizeof story.model_choice, "%s", choice);
        story.irls_iterations = irls.iters;
        story.loglik = irls.loglik;
        story.lambda = o->l2;
        story.p_all = p;
        story.all_names = calloc(p, sizeof(char *));
        story.drop_reason = calloc(p, sizeof(char *));
        story.kept = malloc(p * sizeof(int32_t));
        story.missing_share = malloc(p * sizeof(double));
        story.mean = malloc(p * sizeof(double));
        story.sd = malloc(p * sizeof(double));
        story.min = malloc(p * sizeof(double));
        story.max = malloc(p * sizeof(double));
        story.mode_share = malloc(p * sizeof(double));
        int lrc = CS_OK;
        if (!story.all_names || !story.drop_reason || !story.kept || !story.missing_share || !story.mean ||
            !story.sd || !story.min || !story.max || !story.mode_share)
            lrc = CS_ERROR(CS_ENOMEM, "out of memory for the report of %zu indicators", p);
        for (size_t j = 0; lrc == CS_OK && j < p; j++) {
            const char *nm = t.s->feature_names[j];
            story.all_names[j] = strdup(nm);
            int is_sig = 0, is_life = train_in_list(train_lifecycle_names, nm);
            for (size_t i = 0; i < nsig; i++) is_sig |= sig[i] == j;
            int used = is_sig || (long)j == ten || (long)j == con;
            for (size_t i = 0; i < npool; i++) used |= pool[i] == j;
            story.kept[j] = used;
            const char *why = used ? (is_sig ? "kept: hard signal, used as it is" : is_life ? "kept: lifecycle flag" : "")
                                   : is_life ? "not used: replaced by the lifecycle flags"
                                   : train_in_list(train_signal_names, nm) ? "dropped: signal without variation or mostly missing"
                                   : screen_result_text(sr, j);
            story.drop_reason[j] = strdup(why ? why : "");
            if (!story.all_names[j] || !story.drop_reason[j])
                lrc = CS_ERROR(CS_ENOMEM, "out of memory for the report of %zu indicators", p);
            story.missing_share[j] = ms->missing_share[j];
            story.mean[j] = ms->mean[j];
            story.sd[j] = ms->sd[j];
            story.min[j] = ms->min[j];
            story.max[j] = ms->max[j];
            story.mode_share[j] = ms->mode_share[j];
        }
        /* every rank built the story: agree on it before rank 0 writes (an allocation may fail on one) */
        lrc = red_agree(ctx->comm, lrc);
        if (lrc == CS_OK && ctx->rank == 0) lrc = train_write_outputs(o, &m, &story);
        rc = red_agree(ctx->comm, lrc);
    }
    double t_write = MPI_Wtime() - t_stage;

    /* ---- summary ---- */
    double rss = log_peak_rss(), rss_max = 0, rss_min = 0;
    rss_max = rss_min = rss;
    red_max_f64(ctx->comm, &rss_max, 1);
    red_min_f64(ctx->comm, &rss_min, 1);
    if (rc == CS_OK) {
        double total = MPI_Wtime() - t_start;
        size_t dropped = p - npool - nsig - (ten >= 0) - (con >= 0);
        log_info("train: done in %.2f s -> %s", total, o->model);
        if (ctx->rank == 0) {
            printf("train summary\n");
            printf("  snapshot           %s (%s), %llu subscribers, %d ranks\n", o->in, t.s->month,
                   (unsigned long long)t.s->n, ctx->nranks);
            printf("  indicators         %zu: %zu kept for the %s, %zu hard signals, %d lifecycle "
                   "(tenure, contract), %zu dropped or unused (see the report)\n",
                   p, npool, inputs == CMODEL_INPUTS_RAW ? "model" : "factor analysis", nsig,
                   (ten >= 0) + (con >= 0), dropped);
            printf("  inputs             %s (%s)\n", train_mode_name(inputs), reason);
            if (m.k) {
                printf("  factors            %zu:", m.k);
                for (size_t f = 0; f < m.k; f++) printf(" [%s]", m.factor_labels[f]);
                printf("\n");
            }
            printf("  logistic model     %zu coefficients, IRLS %d Newton steps in %d passes over the design rows (%s), L2 %.3g\n",
                   K, irls.iters, irls.passes, irls.converged ? "converged" : "NOT converged", o->l2);
            printf("  model              %s\n", choice);
            if (story.ho_n == 0) {
                printf("  holdout            none (no held-out labelled rows): cut-off and drift reference "
                       "from the training rows\n");
            } else {
                printf("  holdout            n=%llu AUC %.4f", (unsigned long long)story.ho_n, story.auc);
                if (!isnan(story.oracle_auc)) printf(" (oracle %.4f)", story.oracle_auc);
                printf(", top-decile lift %.2f, capture@10%% %.3f, KS %.3f, Brier %.5f\n", story.lift10,
                       story.capture10, story.ks, story.brier);
            }
            printf("  warning cut-off    %.5f\n", m.warn_cutoff);
            printf("  passes             %d over the snapshot: screening+correlation %d, logistic %d, "
                   "trees %d, holdout %d (design matrix %s)\n", np4, np1, np2 - np1, np3 - np2, np4 - np3,
                   all_cached ? "cached in memory after the first IRLS pass" : "re-read each pass: over --memory");
            printf("  time               id check %.2f s, pass 1 %.2f s, screening+FA %.2f s, IRLS %.2f s, trees %.2f s, "
                   "holdout %.2f s, write %.2f s, total %.2f s (%.0f rows/s)\n", t_ids, t_pass1, t_fa, t_irls,
                   t_gbm, t_hold, t_write, total, (double)t.s->n / total);
            printf("  peak memory/rank   %.1f MB (max), %.1f MB (min), budget %.0f MB\n", rss_max / 1e6,
                   rss_min / 1e6, (double)o->memory / 1e6);
            fflush(stdout);
        }
    }

    free(t.xin);
    free(t.X);
    free(t.ws);
    free(t.Xd);
    free(t.yd);
    free(t.wd);
    free(t.cX);
    free(t.cy);
    free(t.chold);
    free(t.cid);
    free(t.ctruth);
    free(t.sX);
    free(t.sy);
    free(t.shold);
    free(t.sid);
    free(t.sblk);
    free(t.in_col);
    free(pool);
    free(sig);
    fa_result_free(fa);
    screen_result_free(sr);
    moments_summary_free(ms);
    free(shift);
    free(mins);
    free(maxs);
    free(sums);
    free(mode);
    cmodel_clear(&m);
    modelfile_story_clear(&story);
    scan_clear(&t.sc);
    snap_close(t.r);
    outguard_release(guard);
    return rc;
}
