/* test_gbm.c — the boosted-tree numerics of gbm.h without MPI (the cut points are in
 * test_gbm_cuts.c): a serial boosting loop (one "rank", histograms over all rows) that must learn a
 * step with an interaction, histograms accumulated in pieces against one pass, split choice by hand
 * (ties, child constraints, min_gain, the last level), bins versus floats routing bit for bit, the
 * sum of the path contributions, and every error return. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbm.h"
#include "idhash.h"
#include "metrics.h"
#include "status.h"

/* splitmix64 (idhash.h): a fixed pseudo-random stream, so every run sees the same data */
static uint64_t rng_next(uint64_t *s) { return idhash_mix(*s += UINT64_C(0x9e3779b97f4a7c15)); }
static float rng_unit(uint64_t *s) { return (float)(rng_next(s) >> 40) * 0x1p-24f; }


/* ---- a serial boosting loop: one "rank" that holds every row ---- */

enum { NC = 3, STRIDE = NC + 1 }; /* design rows: intercept, x0, x1, x2 (noise) */

typedef struct {
    size_t n;
    float *X;       /* [n * STRIDE] */
    unsigned char *y;
    uint8_t *bins;  /* [n * NC] */
    double *raw;    /* running raw score from the binned trees */
} dataset;

static void data_make(dataset *d, size_t n, uint64_t seed)
{
    d->n = n;
    d->X = malloc(n * STRIDE * sizeof *d->X);
    d->y = malloc(n);
    d->bins = malloc(n * NC);
    d->raw = malloc(n * sizeof *d->raw);
    assert_true(d->X && d->y && d->bins && d->raw);
    for (size_t i = 0; i < n; i++) {
        float *x = d->X + i * STRIDE;
        x[0] = 1.0f;
        for (size_t c = 1; c <= NC; c++) x[c] = rng_unit(&seed);
        /* a step at x0 = 0.3 with an interaction that switches it off for x0 > 0.5 and x1 > 0.5 */
        d->y[i] = (unsigned char)((x[1] > 0.3f) ^ (x[1] > 0.5f && x[2] > 0.5f));
    }
}

static void data_free(dataset *d)
{
    free(d->X);
    free(d->y);
    free(d->bins);
    free(d->raw);
}

static void check(int rc) { assert_int_equal(rc, CS_OK); }

/* Trains m on d the way the pipeline will, but with every row local. */
static void train_serial(gbm_model *m, dataset *d, const gbm_params *p)
{
    size_t n = d->n, npos = 0;
    float *col = malloc(n * sizeof *col);
    double *g = malloc(n * sizeof *g), *h = malloc(n * sizeof *h);
    int32_t *node = malloc(n * sizeof *node);
    double *hist = malloc(gbm_hist_len(m, (size_t)1 << p->max_depth) * sizeof *hist);
    int active[1 << GBM_MAX_DEPTH], split[1 << GBM_MAX_DEPTH];
    assert_true(col && g && h && node && hist);
    for (size_t c = 0; c < NC; c++) {
        for (size_t i = 0; i < n; i++) col[i] = d->X[i * STRIDE + 1 + c];
        check(gbm_set_cuts(m, c, col, n, p->max_bins));
    }
    gbm_bin_rows(m, d->X, n, STRIDE, 1, d->bins);
    for (size_t i = 0; i < n; i++) npos += d->y[i];
    m->base_score = log((double)npos / (double)(n - npos));
    for (size_t i = 0; i < n; i++) d->raw[i] = m->base_score;

    for (size_t t = 0; t < p->n_trees; t++) {
        for (size_t i = 0; i < n; i++) {
            double pr = 1.0 / (1.0 + exp(-d->raw[i]));
            g[i] = pr - d->y[i];
            h[i] = pr * (1.0 - pr);
            node[i] = 0;
        }
        active[0] = 1;
        for (size_t level = 0; level <= p->max_depth; level++) {
            size_t nn = (size_t)1 << level;
            size_t len = gbm_hist_len(m, nn);
            memset(hist, 0, len * sizeof *hist);
            gbm_hist_accumulate(m, d->bins, g, h, node, n, nn, hist);
            check(gbm_level_split(m, t, level, hist, active, split, p));
            gbm_route(m, t, level, d->bins, n, node);
            for (size_t i = 0; i < nn; i++) active[2 * i] = active[2 * i + 1] = split[i];
        }
        for (size_t i = 0; i < n; i++) assert_int_equal(node[i], -1);
        m->n_trees = t + 1;
        for (size_t i = 0; i < n; i++) d->raw[i] += gbm_tree_value_bins(m, t, d->bins + i * NC);
    }
    free(col);
    free(g);
    free(h);
    free(node);
    free(hist);
}

static void params_small(gbm_params *p)
{
    gbm_params_default(p);
    p->n_trees = 40;
    p->max_depth = 3;
    p->learning_rate = 0.3;
    p->min_child_rows = 5;
}

static void test_boost(void **state)
{
    (void)state;
    enum { N = 2000 };
    dataset d;
    data_make(&d, N, 2385);
    gbm_params p;
    params_small(&p);
    gbm_model *m = gbm_model_alloc(NC, p.n_trees, p.max_depth);
    assert_non_null(m);
    train_serial(m, &d, &p);
    assert_int_equal(m->n_trees, p.n_trees);

    metrics_work *w = metrics_work_alloc(N);
    assert_non_null(w);
    metrics_report r;
    assert_int_equal(metrics_evaluate(d.raw, d.y, NULL, N, &r, w), CS_OK);
    assert_true(r.auc > 0.95);
    /* the first split of the first tree is the step on x0 (column 0), near 0.3 */
    assert_int_equal(m->nodes[0].col, 0);
    assert_true(fabs(m->nodes[0].thr - 0.3f) < 0.05f);
    /* while the signal is strong the noise column x2 is never the root split (later trees, left with
     * residual noise, may pick it) */
    for (size_t t = 0; t < 10; t++) assert_int_not_equal(m->nodes[t * m->nodes_per_tree].col, 2);

    /* floats predict what the binned training run accumulated, bit for bit */
    double *raw = malloc(N * sizeof *raw);
    assert_non_null(raw);
    gbm_predict_raw(m, d.X, N, STRIDE, 1, raw);
    assert_memory_equal(raw, d.raw, N * sizeof *raw);

    /* the same data trained again gives the same model (no hidden state) */
    gbm_model *m2 = gbm_model_alloc(NC, p.n_trees, p.max_depth);
    assert_non_null(m2);
    train_serial(m2, &d, &p);
    for (size_t i = 0; i < m->n_trees * m->nodes_per_tree; i++) {
        assert_int_equal(m->nodes[i].col, m2->nodes[i].col);
        assert_int_equal(m->nodes[i].bin, m2->nodes[i].bin);
        assert_true(m->nodes[i].thr == m2->nodes[i].thr);
        assert_true(m->nodes[i].value == m2->nodes[i].value);
    }
    free(raw);
    gbm_model_free(m);
    gbm_model_free(m2);
    metrics_work_free(w);
    data_free(&d);
}

/* Histograms in two halves (the way blocks or ranks see rows) equal one pass: integer-valued g and h
 * keep every partial sum exact, so the comparison is bitwise. */
static void test_hist_halves(void **state)
{
    (void)state;
    enum { N = 1001, NN = 4 };
    gbm_model *m = gbm_model_alloc(NC, 1, 2);
    assert_non_null(m);
    uint64_t seed = 77;
    uint8_t bins[N * NC];
    double g[N], h[N];
    int32_t node[N];
    for (size_t i = 0; i < N; i++) {
        for (size_t c = 0; c < NC; c++) bins[i * NC + c] = (uint8_t)(rng_next(&seed) % GBM_MAX_BINS);
        g[i] = (double)(int)(rng_next(&seed) % 7) - 3.0;
        h[i] = (double)(1 + rng_next(&seed) % 4);
        node[i] = (int32_t)(rng_next(&seed) % (NN + 1)) - 1; /* -1 .. 3 */
    }
    size_t len = gbm_hist_len(m, NN);
    assert_int_equal(len, NN * NC * GBM_MAX_BINS * GBM_HIST_CELL);
    double *one = calloc(len, sizeof *one), *two = calloc(len, sizeof *two),
           *a = calloc(len, sizeof *a), *b = calloc(len, sizeof *b);
    assert_true(one && two && a && b);
    gbm_hist_accumulate(m, bins, g, h, node, N, NN, one);
    gbm_hist_accumulate(m, bins, g, h, node, 400, NN, two);
    gbm_hist_accumulate(m, bins + 400 * NC, g + 400, h + 400, node + 400, N - 400, NN, two);
    assert_memory_equal(one, two, len * sizeof *one);
    gbm_hist_accumulate(m, bins, g, h, node, 613, NN, a);
    gbm_hist_accumulate(m, bins + 613 * NC, g + 613, h + 613, node + 613, N - 613, NN, b);
    for (size_t k = 0; k < len; k++) a[k] += b[k];
    assert_memory_equal(one, a, len * sizeof *one);

    /* spot check the layout against a direct count */
    size_t k = 2, c = 1, bin = 17;
    double sg = 0, sh = 0, cnt = 0;
    for (size_t i = 0; i < N; i++)
        if (node[i] == (int32_t)k && bins[i * NC + c] == bin) sg += g[i], sh += h[i], cnt += 1;
    const double *q = one + ((k * NC + c) * GBM_MAX_BINS + bin) * GBM_HIST_CELL;
    assert_close(q[0], sg, 0);
    assert_close(q[1], sh, 0);
    assert_close(q[2], cnt, 0);
    /* every row in the tree counted once per column */
    double tot = 0, in = 0;
    for (size_t i = 0; i < N; i++) in += node[i] >= 0;
    for (size_t kk = 0; kk < NN; kk++)
        for (size_t bb = 0; bb < GBM_MAX_BINS; bb++)
            tot += one[((kk * NC + 2) * GBM_MAX_BINS + bb) * GBM_HIST_CELL + 2];
    assert_close(tot, in, 0);
    free(one);
    free(two);
    free(a);
    free(b);
    gbm_model_free(m);
}

/* Histogram subtraction: nodes 0 and 1 are the children of one parent, 2 and 3 of another. The parent
 * histograms (rows of both children accumulated as one node) minus the slot histogram of the smaller
 * child equal, bit for bit, the larger child accumulated directly (integer-valued g and h, so every
 * sum is exact, as the quantised gradients are in training). With one column used, only column 0 is
 * filled, in slots of one column's width. gbm_left_rows counts a split node's left rows. */
static void test_hist_subtraction(void **state)
{
    (void)state;
    enum { N = 1001, NN = 4 };
    gbm_model *m = gbm_model_alloc(NC, 1, 2);
    assert_non_null(m);
    uint64_t seed = 91;
    uint8_t bins[N * NC];
    double g[N], h[N];
    int32_t node[N], parent[N];
    for (size_t i = 0; i < N; i++) {
        for (size_t c = 0; c < NC; c++) bins[i * NC + c] = (uint8_t)(rng_next(&seed) % GBM_MAX_BINS);
        g[i] = (double)(int)(rng_next(&seed) % 7) - 3.0;
        h[i] = (double)(1 + rng_next(&seed) % 4);
        node[i] = (int32_t)(rng_next(&seed) % (NN + 1)) - 1; /* -1 .. 3 */
        parent[i] = node[i] < 0 ? -1 : node[i] / 2;
    }
    size_t len = gbm_hist_len(m, NN), stride = gbm_hist_len(m, 1);
    double *direct = calloc(len, sizeof *direct), *par = calloc(len, sizeof *par),
           *slots = calloc(len, sizeof *slots);
    assert_true(direct && par && slots);
    gbm_hist_accumulate(m, bins, g, h, node, N, NN, direct);
    gbm_hist_accumulate(m, bins, g, h, parent, N, NN / 2, par);
    const int32_t slot[NN] = {-1, 0, 1, -1}; /* accumulate node 1 (parent 0) and node 2 (parent 1) */
    gbm_hist_accumulate_slots(m, bins, g, h, node, N, slot, NN, NC, slots);
    assert_memory_equal(slots, direct + 1 * stride, stride * sizeof(double));
    assert_memory_equal(slots + stride, direct + 2 * stride, stride * sizeof(double));
    for (size_t j = 0; j < stride; j++) {
        assert_true(par[j] - slots[j] == direct[j]);                       /* node 0 */
        assert_true(par[stride + j] - slots[stride + j] == direct[3 * stride + j]); /* node 3 */
    }
    /* one column: slots of GBM_MAX_BINS * GBM_HIST_CELL doubles, column 0 only */
    memset(slots, 0, len * sizeof *slots);
    gbm_hist_accumulate_slots(m, bins, g, h, node, N, slot, NN, 1, slots);
    assert_memory_equal(slots, direct + 1 * stride, GBM_MAX_BINS * GBM_HIST_CELL * sizeof(double));
    assert_memory_equal(slots + GBM_MAX_BINS * GBM_HIST_CELL, direct + 2 * stride, GBM_MAX_BINS * GBM_HIST_CELL * sizeof(double));
    assert_true(slots[2 * GBM_MAX_BINS * GBM_HIST_CELL] == 0.0); /* nothing beyond the two slots */

    /* left rows of a split of root node 0 at column 2, bin 9: rows of the node with bin <= 9 */
    gbm_node *root = m->nodes;
    root->col = 2;
    root->bin = 9;
    double want = 0;
    for (size_t i = 0; i < N; i++) want += parent[i] == 0 && bins[i * NC + 2] <= 9;
    assert_close(gbm_left_rows(m, 0, 0, 0, par), want, 0);
    free(direct);
    free(par);
    free(slots);
    gbm_model_free(m);
}

/* A hand-made level-0 histogram: column 0 with four bins, g = (-2, 0, 0, 2), h = 1 each; with
 * lambda 1 the splits at bins 0 and 2 both gain 4/2 + 4/4 - 0 = 3 exactly, bin 1 gains 8/3.
 * Column 1 repeats column 0, so every tie must resolve to column 0, bin 0. */
static void fill_hand(const gbm_model *m, double *hist)
{
    static const double G[4] = {-2, 0, 0, 2};
    memset(hist, 0, gbm_hist_len(m, 1) * sizeof *hist);
    for (size_t c = 0; c < 2; c++)
        for (size_t b = 0; b < 4; b++) {
            double *q = hist + (c * GBM_MAX_BINS + b) * GBM_HIST_CELL;
            q[0] = G[b], q[1] = 1, q[2] = 1;
        }
}

static void test_split_hand(void **state)
{
    (void)state;
    gbm_params p;
    gbm_params_default(&p);
    p.max_depth = 2;
    p.learning_rate = 0.5;
    p.min_child_rows = 1;
    p.min_child_hess = 0;
    gbm_model *m = gbm_model_alloc(2, 2, 2);
    assert_non_null(m);
    for (size_t c = 0; c < 2; c++) {
        float s[4] = {3.0f, 0.0f, 2.0f, 1.0f};
        check(gbm_set_cuts(m, c, s, 4, 64));
        assert_int_equal(m->n_cuts[c], 3);
    }
    double *hist = malloc(gbm_hist_len(m, 1) * sizeof *hist);
    assert_non_null(hist);
    fill_hand(m, hist);
    int active[1] = {1}, split[1] = {-7};
    check(gbm_level_split(m, 0, 0, hist, active, split, &p));
    assert_int_equal(split[0], 1);
    assert_int_equal(m->nodes[0].col, 0);
    assert_int_equal(m->nodes[0].bin, 0);
    assert_true(m->nodes[0].thr == 0.5f);
    assert_close(m->nodes[0].value, 0.0, 0); /* G = 0 */

    /* children need hessian 2: bins 0 and 2 leave a child with 1, so bin 1 wins */
    p.min_child_hess = 2;
    check(gbm_level_split(m, 0, 0, hist, active, split, &p));
    assert_int_equal(split[0], 1);
    assert_int_equal(m->nodes[0].col, 0);
    assert_int_equal(m->nodes[0].bin, 1);
    assert_true(m->nodes[0].thr == 1.5f);
    /* the same through the row count */
    p.min_child_hess = 0;
    p.min_child_rows = 2;
    check(gbm_level_split(m, 0, 0, hist, active, split, &p));
    assert_int_equal(m->nodes[0].bin, 1);
    /* gain must exceed min_gain: 8/3 is not > 3 */
    p.min_gain = 3.0;
    check(gbm_level_split(m, 0, 0, hist, active, split, &p));
    assert_int_equal(split[0], 0);
    assert_int_equal(m->nodes[0].col, -1);
    p.min_gain = 2.6;
    check(gbm_level_split(m, 0, 0, hist, active, split, &p));
    assert_int_equal(split[0], 1);

    /* a level-1 histogram: node 0 inactive, node 1 with G = -1.5, H = 2.385 at the last level */
    p.min_gain = 0;
    p.min_child_rows = 1;
    p.max_depth = 1;
    gbm_model *m1 = gbm_model_alloc(2, 1, 1);
    assert_non_null(m1);
    double *h2 = calloc(gbm_hist_len(m1, 2), sizeof *h2);
    assert_non_null(h2);
    for (size_t c = 0; c < 2; c++) {
        double *q = h2 + ((1 * 2 + c) * GBM_MAX_BINS + 0) * GBM_HIST_CELL;
        q[0] = -1.5, q[1] = 2.385, q[2] = 30;
    }
    int act2[2] = {0, 1}, sp2[2] = {5, 5};
    check(gbm_level_split(m1, 0, 1, h2, act2, sp2, &p));
    assert_int_equal(sp2[0], 0);
    assert_int_equal(sp2[1], 0);
    assert_int_equal(m1->nodes[1].col, -1);
    assert_close(m1->nodes[1].value, 0.0, 0);
    assert_int_equal(m1->nodes[2].col, -1);
    assert_close(m1->nodes[2].value, 0.5 * 1.5 / (2.385 + 1.0), 1e-15);

    /* a node whose rows all share one bin cannot split (b = n_cuts is not a split) */
    p.max_depth = 2;
    memset(hist, 0, gbm_hist_len(m, 1) * sizeof *hist);
    for (size_t c = 0; c < 2; c++) {
        double *q = hist + (c * GBM_MAX_BINS + 3) * GBM_HIST_CELL;
        q[0] = 5, q[1] = 2, q[2] = 40;
    }
    check(gbm_level_split(m, 1, 0, hist, active, split, &p));
    assert_int_equal(split[0], 0);
    assert_close(m->nodes[m->nodes_per_tree].value, -0.5 * 5 / 3.0, 1e-15);
    free(hist);
    free(h2);
    gbm_model_free(m);
    gbm_model_free(m1);
}


/* The training loop's fast paths against the plain ones, bit for bit: gbm_hist_accumulate_q
 * (integer sums, over several chunks of rows) equals gbm_hist_accumulate / _slots on quantised
 * gradients, over all rows (rows NULL) and over a row list; gbm_route_rows moves rows as gbm_route
 * does, lists exactly the rows of the slotted children, and adds each row's leaf value to F as
 * gbm_tree_value_bins gives it once the tree is routed to the bottom. */
static void test_hist_quantised(void **state)
{
    (void)state;
    enum { N = 40000, NN = 4 };
    gbm_model *m = gbm_model_alloc(NC, 1, 2);
    assert_non_null(m);
    uint64_t seed = 5;
    uint8_t *bins = malloc(N * NC), *bcm = malloc(N * NC);
    double *g = malloc(N * sizeof *g), *h = malloc(N * sizeof *h), *F = malloc(N * sizeof *F);
    int32_t *node = malloc(N * sizeof *node), *zero = calloc(N, sizeof *zero), *rows = malloc(N * sizeof *rows);
    int32_t *nd2 = malloc(N * sizeof *nd2);
    size_t len = gbm_hist_len(m, NN);
    double *a = calloc(len, sizeof *a), *b = calloc(len, sizeof *b);
    int64_t *work = malloc(gbm_hist_work_len(m, NN) * sizeof *work);
    assert_true(bins && bcm && g && h && F && node && zero && rows && nd2 && a && b && work);
    for (size_t i = 0; i < N; i++) {
        for (size_t c = 0; c < NC; c++)
            bins[i * NC + c] = bcm[c * N + i] = (uint8_t)(rng_next(&seed) % (c == 2 ? 2 : GBM_MAX_BINS));
        g[i] = (double)((int64_t)(rng_next(&seed) % ((1u << 31) + 1)) - (1 << 30)) * 0x1p-30; /* -1 .. 1 */
        h[i] = (double)(rng_next(&seed) % ((1u << 28) + 1)) * 0x1p-30;                       /* 0 .. 1/4 */
        node[i] = (int32_t)(rng_next(&seed) % (NN + 1)) - 1;
    }
    /* the root: every row */
    const int32_t root = 0;
    gbm_hist_accumulate(m, bins, g, h, zero, N, 1, a);
    gbm_hist_accumulate_q(m, bins, g, h, zero, NULL, N, &root, 1, NC, work, b);
    assert_memory_equal(a, b, gbm_hist_len(m, 1) * sizeof *a);
    /* two slotted nodes, listed rows, all columns and column 0 alone */
    const int32_t slot[NN] = {-1, 1, 0, -1};
    size_t nr = 0;
    for (size_t i = 0; i < N; i++)
        if (node[i] >= 0 && slot[node[i]] >= 0) rows[nr++] = (int32_t)i;
    for (size_t ncu = NC; ncu >= 1; ncu = ncu == NC ? 1 : 0) {
        memset(a, 0, len * sizeof *a);
        memset(b, 0, len * sizeof *b);
        gbm_hist_accumulate_slots(m, bins, g, h, node, N, slot, NN, ncu, a);
        gbm_hist_accumulate_q(m, bins, g, h, node, rows, nr, slot, 2, ncu, work, b);
        assert_memory_equal(a, b, len * sizeof *a);
    }

    /* a depth-2 tree: root on column 0 at bin 20; node 1 on column 2 at bin 0; node 2 a leaf */
    gbm_node *t = m->nodes;
    t[0] = (gbm_node){.col = 0, .bin = 20, .value = 0.5};
    t[1] = (gbm_node){.col = 2, .bin = 0, .value = 0.25};
    t[2] = (gbm_node){.col = -1, .value = -0.125};
    t[3] = (gbm_node){.col = -1, .value = 1.0 / 3};
    t[4] = (gbm_node){.col = -1, .value = -0.75};
    for (size_t i = 0; i < N; i++) node[i] = nd2[i] = 0, F[i] = 0.1 * (double)(i % 7);
    const int32_t next[2] = {-1, 0}; /* list the rows of node 2 (root's right child) */
    size_t listed = gbm_route_rows(m, 0, 0, bcm, N, node, F, next, rows);
    gbm_route(m, 0, 0, bins, N, nd2);
    assert_memory_equal(node, nd2, N * sizeof *node);
    size_t want = 0;
    for (size_t i = 0; i < N; i++) want += node[i] == 1;
    assert_int_equal(listed, want);
    for (size_t r = 0; r < listed; r++) assert_int_equal(node[rows[r]], 1);
    for (size_t level = 1; level <= 2; level++) {
        gbm_route_rows(m, 0, level, bcm, N, node, F, NULL, NULL);
        gbm_route(m, 0, level, bins, N, nd2);
        assert_memory_equal(node, nd2, N * sizeof *node);
    }
    m->n_trees = 1;
    for (size_t i = 0; i < N; i++) {
        double f = 0.1 * (double)(i % 7);
        f += gbm_tree_value_bins(m, 0, bins + i * NC);
        assert_true(F[i] == f);
        assert_int_equal(node[i], -1);
    }
    free(bins), free(bcm), free(g), free(h), free(F), free(node), free(zero), free(rows), free(nd2);
    free(a), free(b), free(work);
    gbm_model_free(m);
}

/* Rows routed through every level by bins reach the leaf gbm_tree_value_bins finds, and the sum of
 * those leaves (in tree order, from base_score) equals gbm_predict_raw on the floats bit for bit —
 * including values sitting exactly on a cut and one float either side of it. */
static void test_predict_route(void **state)
{
    (void)state;
    dataset d;
    data_make(&d, 2000, 4242);
    gbm_params p;
    params_small(&p);
    p.n_trees = 12;
    p.max_depth = 4;
    gbm_model *m = gbm_model_alloc(NC, p.n_trees, p.max_depth);
    assert_non_null(m);
    train_serial(m, &d, &p);

    enum { M = 600 };
    float X[M * STRIDE];
    uint64_t seed = 99;
    for (size_t i = 0; i < M; i++) {
        float *x = X + i * STRIDE;
        x[0] = 1.0f;
        for (size_t c = 0; c < NC; c++) {
            size_t nc = m->n_cuts[c];
            float cut = m->cuts[c * (GBM_MAX_BINS - 1) + rng_next(&seed) % nc];
            switch (i % 4) {
            case 0: x[1 + c] = rng_unit(&seed); break;
            case 1: x[1 + c] = cut; break;
            case 2: x[1 + c] = nextafterf(cut, 2.0f); break;
            default: x[1 + c] = nextafterf(cut, -1.0f); break;
            }
        }
    }
    uint8_t bins[M * NC];
    gbm_bin_rows(m, X, M, STRIDE, 1, bins);
    double want[M], got[M];
    int32_t node[M], prev[M];
    for (size_t i = 0; i < M; i++) want[i] = m->base_score;
    for (size_t t = 0; t < m->n_trees; t++) {
        double leaf[M];
        for (size_t i = 0; i < M; i++) node[i] = 0;
        for (size_t level = 0; level <= m->max_depth; level++) {
            memcpy(prev, node, sizeof node);
            gbm_route(m, t, level, bins, M, node);
            for (size_t i = 0; i < M; i++)
                if (prev[i] >= 0 && node[i] < 0) {
                    size_t j = ((size_t)1 << level) - 1 + (size_t)prev[i];
                    leaf[i] = m->nodes[t * m->nodes_per_tree + j].value;
                }
        }
        for (size_t i = 0; i < M; i++) {
            assert_int_equal(node[i], -1);
            double v = gbm_tree_value_bins(m, t, bins + i * NC);
            assert_memory_equal(&v, &leaf[i], sizeof v);
            want[i] += v;
        }
    }
    gbm_predict_raw(m, X, M, STRIDE, 1, got);
    assert_memory_equal(got, want, sizeof got);
    gbm_model_free(m);
    data_free(&d);
}

static void test_contrib(void **state)
{
    (void)state;
    /* by hand: one depth-2 tree, root on column 1 at 0.5 (value 0.1); left child on column 0 at -1
     * (value 0.3) with leaves 0.7 / -0.2; right child a leaf (value -0.4) */
    gbm_model *m = gbm_model_alloc(2, 1, 2);
    assert_non_null(m);
    m->base_score = -1.25;
    m->n_trees = 1;
    gbm_node *nd = m->nodes;
    nd[0] = (gbm_node){.col = 1, .bin = 0, .thr = 0.5f, .value = 0.1};
    nd[1] = (gbm_node){.col = 0, .bin = 0, .thr = -1.0f, .value = 0.3};
    nd[2] = (gbm_node){.col = -1, .bin = 0, .thr = 0.0f, .value = -0.4};
    nd[3] = (gbm_node){.col = -1, .bin = 0, .thr = 0.0f, .value = 0.7};
    nd[4] = (gbm_node){.col = -1, .bin = 0, .thr = 0.0f, .value = -0.2};
    double c[2], raw;
    float x1[3] = {1.0f, -2.0f, 0.5f}; /* left (0.5 <= 0.5), left: leaf 0.7 */
    gbm_contrib(m, x1, 1, c);
    assert_close(c[1], 0.3 - 0.1, 1e-15);
    assert_close(c[0], 0.7 - 0.3, 1e-15);
    gbm_predict_raw(m, x1, 1, 3, 1, &raw);
    assert_close(raw, -1.25 + 0.7, 1e-15);
    assert_close(gbm_contrib_bias(m), -1.25 + 0.1, 1e-15);
    float x2[3] = {1.0f, 2.385f, 0.75f}; /* right: leaf -0.4, column 0 never used */
    gbm_contrib(m, x2, 1, c);
    assert_close(c[0], 0.0, 0);
    assert_close(c[1], -0.4 - 0.1, 1e-15);
    gbm_model_free(m);

    /* a trained model: contributions sum to raw - base_score - sum of root values */
    dataset d;
    data_make(&d, 2000, 1234);
    gbm_params p;
    params_small(&p);
    m = gbm_model_alloc(NC, p.n_trees, p.max_depth);
    assert_non_null(m);
    train_serial(m, &d, &p);
    double bias = m->base_score;
    for (size_t t = 0; t < m->n_trees; t++) bias += m->nodes[t * m->nodes_per_tree].value;
    assert_close(gbm_contrib_bias(m), bias, 1e-14);
    double cs[NC], mean2 = 0;
    for (size_t i = 0; i < d.n; i++) {
        gbm_contrib(m, d.X + i * STRIDE, 1, cs);
        double sum = 0;
        for (size_t k = 0; k < NC; k++) sum += cs[k];
        assert_close(sum, d.raw[i] - gbm_contrib_bias(m), 1e-12);
        mean2 += fabs(cs[2]);
    }
    /* the noise column earns little of the credit */
    double mean0 = 0;
    for (size_t i = 0; i < d.n; i++) {
        gbm_contrib(m, d.X + i * STRIDE, 1, cs);
        mean0 += fabs(cs[0]);
    }
    assert_true(mean2 < 0.2 * mean0);
    gbm_model_free(m);
    data_free(&d);
}

static void test_errors(void **state)
{
    (void)state;
    gbm_model_free(NULL);
    assert_null(gbm_model_alloc(0, 10, 4));
    assert_null(gbm_model_alloc(3, 0, 4));
    assert_null(gbm_model_alloc(3, 10, GBM_MAX_DEPTH + 1));
    assert_null(gbm_model_alloc(3, SIZE_MAX / 2, GBM_MAX_DEPTH));

    gbm_params p;
    gbm_params_default(&p);
    assert_int_equal(p.max_bins, GBM_MAX_BINS);
    assert_int_equal(gbm_params_check(&p), CS_OK);
    assert_int_equal(gbm_params_check(NULL), CS_EINVAL);
    gbm_params q;
#define BAD(field, v)                                                                              \
    do {                                                                                           \
        q = p;                                                                                     \
        q.field = (v);                                                                             \
        status_clear();                                                                            \
        assert_int_equal(gbm_params_check(&q), CS_EINVAL);                                         \
        assert_true(strlen(status_message()) > 0);                                                 \
    } while (0)
    BAD(n_trees, 0);
    BAD(max_depth, 0);
    BAD(max_depth, GBM_MAX_DEPTH + 1);
    BAD(learning_rate, 0.0);
    BAD(learning_rate, NAN);
    BAD(learning_rate, INFINITY);
    BAD(lambda, -0.5);
    BAD(lambda, NAN);
    BAD(min_child_hess, -1e-3);
    BAD(min_child_rows, -2.385);
    BAD(min_gain, -1.0);
    BAD(min_gain, NAN);
    BAD(max_bins, 1);
    BAD(max_bins, GBM_MAX_BINS + 1);

    gbm_model *m = gbm_model_alloc(2, 3, 4);
    assert_non_null(m);
    float s[4] = {1.0f, 2.385f, NAN, 0.0f};
    assert_int_equal(gbm_set_cuts(NULL, 0, s, 2, 8), CS_EINVAL);
    assert_int_equal(gbm_set_cuts(m, 2, s, 2, 8), CS_EINVAL);
    assert_int_equal(gbm_set_cuts(m, 0, s, 2, 1), CS_EINVAL);
    assert_int_equal(gbm_set_cuts(m, 0, s, 2, GBM_MAX_BINS + 1), CS_EINVAL);
    assert_int_equal(gbm_set_cuts(m, 0, NULL, 2, 8), CS_EINVAL);
    assert_int_equal(gbm_set_cuts(m, 0, s, 4, 8), CS_EDATA);
    s[2] = -INFINITY;
    assert_int_equal(gbm_set_cuts(m, 0, s, 4, 8), CS_EDATA);

    double *hist = calloc(gbm_hist_len(m, 1), sizeof *hist);
    assert_non_null(hist);
    int active[1] = {1}, split[1];
    assert_int_equal(gbm_level_split(m, 0, 0, hist, active, split, &p), CS_OK); /* depth 4 = 4 */
    assert_int_equal(gbm_level_split(m, 0, 0, hist, active, split, NULL), CS_EINVAL);
    assert_int_equal(gbm_level_split(NULL, 0, 0, hist, active, split, &p), CS_EINVAL);
    assert_int_equal(gbm_level_split(m, 0, 0, NULL, active, split, &p), CS_EINVAL);
    assert_int_equal(gbm_level_split(m, 0, 0, hist, NULL, split, &p), CS_EINVAL);
    assert_int_equal(gbm_level_split(m, 0, 0, hist, active, NULL, &p), CS_EINVAL);
    assert_int_equal(gbm_level_split(m, 3, 0, hist, active, split, &p), CS_EINVAL); /* t >= cap */
    assert_int_equal(gbm_level_split(m, 0, 5, hist, active, split, &p), CS_EINVAL); /* level > 4 */
    q = p;
    q.max_depth = 3;
    assert_int_equal(gbm_level_split(m, 0, 0, hist, active, split, &q), CS_EINVAL);
    q = p;
    q.lambda = -1;
    assert_int_equal(gbm_level_split(m, 0, 0, hist, active, split, &q), CS_EINVAL);
    free(hist);
    gbm_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_subtraction),
        cmocka_unit_test(test_boost),
        cmocka_unit_test(test_hist_halves),
        cmocka_unit_test(test_hist_quantised),
        cmocka_unit_test(test_split_hand),
        cmocka_unit_test(test_predict_route),
        cmocka_unit_test(test_contrib),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
