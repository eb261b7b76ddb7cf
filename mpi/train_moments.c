/* train_moments.c — see train_moments.h. Every rank sums its own rows per reduction block through
 * the fixed tree of reduce.h, so the moments, and with them screening, the correlation matrix and
 * the factor analysis, are the same bits for any rank count. This pass comes before the model has a
 * structure, so it reads the snapshot's indicators directly rather than design rows (train_pass). */
#include "train_moments.h"

#include "reduce.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

int train_moments_budget(const train_run *t)
{
    const train_opts *o = &t->o;
    size_t io = (size_t)((o->block + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS * PART_BLOCK_ROWS);
    double need = train_need_wide(t->p, t->pr.rows, io ? io : PART_BLOCK_ROWS, t->pr.nblocks);
    if (need > (double)o->memory)
        return CS_ERROR(CS_ENOMEM, "%s: --memory %.0fM is too small for %zu indicators: passes 1 and 2 "
                        "need about %.0fM per rank (the moment sums, correlation and factor analysis grow "
                        "with the square of the indicators, the read blocks with --block-rows): raise "
                        "--memory to at least %.0fM, or leave indicators out of the snapshot (import "
                        "--ignore)", o->in, (double)o->memory / 1048576, t->p, need / 1048576,
                        ceil(need / 1048576));
    return CS_OK;
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

/* Stage 1: the fused moments pass over the training rows (holdout excluded). Collective, agreed. */
static int train_moments_pass(train_run *t, train_stats *st)
{
    size_t p = t->p, len = moments_sum_len(p);
    red_tree *tree = red_tree_alloc(len);
    double *part = malloc(len * sizeof(double));
    float *rows = malloc(PART_BLOCK_ROWS * p * sizeof(float));
    moments_work *w = moments_work_alloc(PART_BLOCK_ROWS, p);
    int rc = (tree && part && rows && w) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for %zu indicators", p);
    for (size_t j = 0; j < p; j++) {
        st->mins[j] = INFINITY;
        st->maxs[j] = -INFINITY;
    }
    int64_t *counts = st->counts, *tcounts = st->type_counts;
    memset(counts, 0, 4 * sizeof(int64_t));
    memset(tcounts, 0, 4 * sizeof(int64_t));
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
                /* churn_type 1 or 2 only beside churned 1 (scan_next checked it) */
                if (t->sc.churn_type && y == 1) tcounts[(ho ? 2 : 0) + (t->sc.churn_type[i] - 1)]++;
                if (ho) continue;
                memcpy(rows + k * p, t->sc.features + i * p, p * sizeof(float));
                k++;
            }
            memset(part, 0, len * sizeof(double));
            if (k) rc = moments_accumulate(rows, k, p, st->shift, st->mode, part, st->mins, st->maxs, w);
            if (rc == CS_OK) rc = red_tree_add(tree, (t->sc.row0 + off) / PART_BLOCK_ROWS, part);
        }
    }
    rc = red_agree(t->ctx->comm, rc);
    if (rc == CS_OK) rc = red_tree_allreduce(tree, t->ctx->comm, t->pr.nblocks, st->sums);
    if (rc == CS_OK) rc = red_min_f64(t->ctx->comm, st->mins, p);
    if (rc == CS_OK) rc = red_max_f64(t->ctx->comm, st->maxs, p);
    if (rc == CS_OK) rc = red_sum_i64(t->ctx->comm, counts, 4);
    if (rc == CS_OK) rc = red_sum_i64(t->ctx->comm, tcounts, 4);
    red_tree_free(tree);
    free(part);
    free(rows);
    moments_work_free(w);
    return rc;
}

int train_moments(train_run *t, train_stats *st)
{
    const train_opts *o = &t->o;
    size_t p = t->p;
    int rc = CS_OK;
    st->shift = calloc(p, sizeof(double));
    st->mins = malloc(p * sizeof(double));
    st->maxs = malloc(p * sizeof(double));
    st->sums = malloc(moments_sum_len(p) * sizeof(double));
    st->mode = malloc(p * sizeof(float));
    st->ms = moments_summary_alloc(p);
    if (!st->shift || !st->mins || !st->maxs || !st->sums || !st->mode || !st->ms)
        rc = CS_ERROR(CS_ENOMEM, "out of memory for %zu indicators", p);
    if (rc == CS_OK) rc = train_sample(t, st->shift, st->mode);
    rc = red_agree(t->ctx->comm, rc);
    if (rc == CS_OK) rc = train_moments_pass(t, st);
    const int64_t *counts = st->counts;
    st->n_train = (uint64_t)(counts[0] + counts[1]);
    st->n_hold = (uint64_t)(counts[2] + counts[3]);
    t->n_fit = t->validation ? (uint64_t)((double)st->n_train * (1 - TRAIN_VALIDATION_SHARE)) : st->n_train;
    if (rc == CS_OK && st->n_train == 0)
        rc = CS_ERROR(CS_EDATA, "%s: no labelled training rows (%llu subscribers, %llu held out): "
                      "nothing to train on", o->in, (unsigned long long)t->s->n, (unsigned long long)st->n_hold);
    if (rc == CS_OK) rc = moments_finalize(st->sums, st->mins, st->maxs, st->shift, st->mode, p, st->ms);
    if (rc == CS_OK) {
        if (counts[1] == 0 || counts[0] == 0)
            rc = CS_ERROR(CS_EDATA, "%s: the training rows hold one class only (%lld churned, %lld "
                          "stayed): a churn model needs both", o->in, (long long)counts[1], (long long)counts[0]);
        else if (st->n_train <= p)
            rc = CS_ERROR(CS_EDATA, "%s: %llu labelled training rows for %zu indicators: need more rows "
                          "than indicators", o->in, (unsigned long long)st->n_train, p);
    }
    return rc;
}

void train_stats_clear(train_stats *st)
{
    free(st->shift);
    free(st->mins);
    free(st->maxs);
    free(st->sums);
    free(st->mode);
    moments_summary_free(st->ms);
    memset(st, 0, sizeof *st);
}
