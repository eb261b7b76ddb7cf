/* train_pass.c — see train_pass.h: row roles, the run's snapshot and scan, the design blocks and
 * cache, and one pass over the rank's design rows from one of three sources.
 *
 * The sources sit behind train_source (a name and a pass function), picked per pass from the run's
 * state: the warm-start sample while IRLS converges on it, the cache once it is complete, else the
 * snapshot. Each hands every owned reduction block to the callback in increasing order, empty ones
 * too, since the reduction tree (reduce.h) pairs blocks by index.
 */
#include "train_pass.h"

#include "gbm.h"
#include "idhash.h"
#include "log.h"
#include "moments.h"
#include "reduce.h"
#include "salts.h"
#include "status.h"
#include "textfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int train_is_holdout(const train_run *t, uint64_t id)
{
    return idhash_unit(id, SALT_HOLDOUT) < t->o.holdout;
}

int train_is_validation(const train_run *t, uint64_t id)
{
    return t->validation && idhash_unit(id, SALT_VALIDATION) < TRAIN_VALIDATION_SHARE;
}

int train_valrows_add(const train_run *t, train_valrows *v, const float *X, const int8_t *y,
                      const uint8_t *hold, const uint64_t *id, size_t n)
{
    size_t w = v->w;
    for (size_t i = 0; i < n; i++) {
        if (hold[i] || (y[i] != 0 && y[i] != 1) || !train_is_validation(t, id[i])) continue;
        if (idhash_unit(id[i], SALT_SAMPLE) >= v->vfrac) continue;
        if (v->n == v->cap) {
            size_t cap = v->cap ? 2 * v->cap : 4096;
            float *x = realloc(v->x, cap * w * sizeof(float));
            if (x) v->x = x;
            uint8_t *yy = x ? realloc(v->y, cap) : NULL;
            if (yy) v->y = yy;
            int64_t *ii = yy ? realloc(v->id, cap * sizeof(int64_t)) : NULL;
            if (!ii) return CS_ERROR(CS_ENOMEM, "out of memory collecting the validation rows");
            v->id = ii;
            v->cap = cap;
        }
        memcpy(v->x + v->n * w, X + i * w, w * sizeof(float));
        v->y[v->n] = (uint8_t)y[i];
        v->id[v->n] = (int64_t)id[i];
        v->n++;
    }
    return CS_OK;
}

void train_valrows_clear(train_valrows *v)
{
    free(v->x);
    free(v->y);
    free(v->id);
    memset(v, 0, sizeof *v);
}

int train_open(train_run *t)
{
    const train_opts *o = &t->o;
    CS_TRY(snap_open(o->in, snap_read_comm(t->ctx->comm), &t->r));
    t->s = snap_schema_of(t->r);
    CS_TRY(train_derived_open(t));
    t->p = t->s->p;
    if (!t->s->has_labels)
        return CS_ERROR(CS_EFORMAT, "%s: has no labels (/subscribers/churned): train needs a month "
                        "whose outcomes are known", o->in);
    if (t->p == 0) return CS_ERROR(CS_EFORMAT, "%s: has no indicators", o->in);
    part_compute(t->s->n, t->ctx->nranks, t->ctx->rank, &t->pr);
    return CS_OK;
}

int train_scan_open(train_run *t, size_t *feat_cache)
{
    const cmd_ctx *ctx = t->ctx;
    /* the region is not a model input, but it is read (2 bytes a row) so that a snapshot whose
     * region column is out of range is refused by train as by score and inspect, not fitted */
    int rc = scan_init(&t->sc, t->r, &t->pr, t->o.block,
                       SCAN_ID | SCAN_REGION | SCAN_BRAND | SCAN_FEATURES | SCAN_CHURNED | SCAN_CHURN_TYPE |
                           (t->s->has_truth ? SCAN_TRUTH : 0),
                       ctx->nranks);
    /* a quarter of --memory for the chunk cache of a badly chunked file (scan_layout): agreed first,
     * since reopening the dataset is collective under CS_READ_MPIO */
    rc = red_agree(ctx->comm, rc);
    *feat_cache = 0;
    if (rc == CS_OK) rc = red_agree(ctx->comm, scan_layout(&t->sc, t->o.memory / 4, feat_cache));
    return rc;
}

double train_tree_nodes(uint64_t nblocks)
{
    double d = 2;
    for (uint64_t b = nblocks; b > 1; b >>= 1) d += 1;
    return d + 1;
}

static void train_rowset_clear(train_rowset *r)
{
    free(r->X);
    free(r->y);
    free(r->ct);
    free(r->hold);
    free(r->id);
    free(r->truth);
    free(r->blk);
    memset(r, 0, sizeof *r);
}

/* The cache: every own row, with truth and churn types when the snapshot has them. 0 when it cannot
 * be allocated (nothing kept: the passes then read the snapshot). */
static int train_cache_alloc(train_rowset *r, size_t rows, size_t w, int truth, int types)
{
    size_t nr = rows ? rows : 1;
    r->X = malloc(nr * w * sizeof(float));
    r->y = malloc(nr);
    r->ct = types ? malloc(nr) : NULL;
    r->hold = malloc(nr);
    r->id = malloc(nr * sizeof(uint64_t));
    r->truth = truth ? malloc(nr * sizeof(float)) : NULL;
    if (r->X && r->y && r->hold && r->id && (r->truth || !truth) && (r->ct || !types)) {
        r->n = r->cap = rows;
        return 1;
    }
    train_rowset_clear(r);
    return 0;
}

int train_rowset_grow(train_rowset *r, size_t w, int types, const char *what)
{
    size_t nc = r->cap ? 2 * r->cap : 65536;
    float *a = realloc(r->X, nc * w * sizeof(float));
    if (a) r->X = a;
    int8_t *b = realloc(r->y, nc);
    if (b) r->y = b;
    uint8_t *c = realloc(r->hold, nc);
    if (c) r->hold = c;
    uint64_t *d = realloc(r->id, nc * sizeof(uint64_t));
    if (d) r->id = d;
    uint64_t *e = realloc(r->blk, nc * sizeof(uint64_t));
    if (e) r->blk = e;
    int8_t *f = types ? realloc(r->ct, nc) : NULL;
    if (f) r->ct = f;
    if (!a || !b || !c || !d || !e || (types && !f)) return CS_ERROR(CS_ENOMEM, "out of memory for %s", what);
    r->cap = nc;
    return CS_OK;
}

/* What stages 3 and 3b hold per rank besides the cache, for m's design (bytes); *per_row: the cache's
 * bytes per own row. */
static double train_design_need(const train_run *t, const cmodel *m, size_t feat_cache, uint64_t rows,
                                double *per_row)
{
    const train_opts *o = &t->o;
    size_t K = m->n_coef, p = t->p, io = t->sc.io_rows;
    /* the cache: float32 design rows + label + holdout flag + id (+ truth, + churn type) per own row */
    *per_row = (double)K * 4 + 1 + 1 + 8 + (t->s->has_truth ? 4 : 0) + (t->s->has_churn_type ? 1 : 0);
    /* what stages 3 and 3b hold besides the cache: the read and design blocks, the moment sums and
     * summary still allocated, the IRLS vectors of K^2 + 2K + 2 doubles (result, partial, each level
     * of the tree, Hessian copy) and work arrays, the trees' three histograms of 2^depth x K x 64 x 4
     * doubles and their binned sample, and the chunk cache (this replaces a flat 40 copies of the
     * moment sums, which refused 2,000 indicators under 4 GB for memory never used at once) */
    double Kd = (double)K, Pd = (double)p;
    double irls_b = (Kd * Kd + 2 * Kd + 2) * 8 * (train_tree_nodes(t->pr.nblocks) + 3) +
                    (double)PART_BLOCK_ROWS * Kd * 8 * 2;
    double gbm_b = 0;
    if (strcmp(o->kind, "logit") != 0) {
        double ns = (double)(o->gbm_rows < rows ? o->gbm_rows : rows);
        gbm_b = 3.0 * (double)((size_t)1 << o->depth) * Kd * GBM_MAX_BINS * GBM_HIST_CELL * 8 + ns * (Kd * 5 + 44);
    }
    /* the segment sample (train_segments.c), held from the holdout's pass to the end of the
     * segments, when neither the IRLS nor the trees' buffers are: its share of --segment-rows
     * (reserved with 5% slack) at its coordinates (fewer than K floats), brand, block, draw, label */
    double seg_b = 0;
    if (o->segments && strcmp(o->segments, "none") != 0 && strcmp(o->segments, "0") != 0) {
        double sr = (double)(o->segment_rows < t->s->n ? o->segment_rows : t->s->n);
        seg_b = (sr * (double)rows / (double)(t->s->n ? t->s->n : 1) * 1.05 + 1024) * (Kd * 4 + 1 + 8 + 8 + 4);
    }
    if (seg_b > irls_b && seg_b > gbm_b) irls_b = seg_b;
    /* pages of the read blocks past this rank's rows are never touched: count the rows it has */
    double io_t = (double)(rows < io ? rows : io);
    double fixed = io_t * (Pd * 4 + (double)m->p_in * 4 + Kd * 4 + 16) + (double)moments_sum_len(p) * 8 +
                   16 * Pd * Pd + (irls_b > gbm_b ? irls_b : gbm_b) + (double)feat_cache;
    return fixed;
}

double train_design_need_whole(const train_run *t, const cmodel *m, size_t feat_cache)
{
    double per_row;
    return train_design_need(t, m, feat_cache, t->s->n, &per_row);
}

int train_design_alloc(train_run *t, const cmodel *m, size_t feat_cache, int *all_cached)
{
    const train_opts *o = &t->o;
    size_t K = m->n_coef, io = t->sc.io_rows;
    int rc = train_design_blocks(t, m);
    double per_row, fixed = train_design_need(t, m, feat_cache, t->pr.rows, &per_row);
    if (rc == CS_OK && strcmp(o->cache, "no") != 0 &&
        (double)t->pr.rows * per_row + fixed <= (double)o->memory * 0.8 &&
        train_cache_alloc(&t->cache, (size_t)t->pr.rows, K, t->s->has_truth, t->s->has_churn_type))
        t->cache_state = TRAIN_CACHE_FILLING;
    /* the ranks may differ here (the budget is per rank), which changes only the summary's words:
     * the arithmetic is the same either way */
    *all_cached = t->cache_state != TRAIN_CACHE_NONE;
    int crc = red_min_int(t->ctx->comm, all_cached, 1);
    if (rc == CS_OK) rc = crc;
    if (rc == CS_OK && fixed > (double)o->memory)
        rc = CS_ERROR(CS_ENOMEM, "%s: --memory %.0fM is too small for %zu design columns and blocks of "
                      "%zu rows: they need about %.0fM per rank: raise --memory to at least %.0fM, lower "
                      "--block-rows, or use fewer inputs (--inputs factors, --model-kind logit)", o->in,
                      (double)o->memory / 1048576, K, io, fixed / 1048576, ceil(fixed / 1048576));
    return red_agree(t->ctx->comm, rc);
}

/* ---- the sources ---- */

typedef struct {
    const char *name; /* for the debug log */
    int (*pass)(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg);
} train_source;

/* The warm-start sample: every owned block, empty ones too. */
static int train_sample_pass(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg)
{
    const train_rowset *s = &t->sample;
    size_t w = m->n_coef, i = 0;
    int rc = CS_OK;
    for (uint64_t b = t->pr.block0; rc == CS_OK && b < t->pr.block1; b++) {
        size_t j = i;
        while (j < s->n && s->blk[j] == b) j++;
        rc = fn(t, m, b, s->X + i * w, s->y + i, s->ct ? s->ct + i : NULL, s->hold + i, s->id + i, NULL,
                j - i, arg);
        i = j;
    }
    return rc;
}

/* The complete cache: every own row, in reduction blocks. */
static int train_cache_pass(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg)
{
    const train_rowset *c = &t->cache;
    size_t w = m->n_coef;
    int rc = CS_OK;
    for (uint64_t r = 0; rc == CS_OK && r < t->pr.rows; r += PART_BLOCK_ROWS) {
        size_t n = t->pr.rows - r < PART_BLOCK_ROWS ? (size_t)(t->pr.rows - r) : PART_BLOCK_ROWS;
        rc = fn(t, m, (t->pr.row0 + r) / PART_BLOCK_ROWS, c->X + r * w, c->y + r, c->ct ? c->ct + r : NULL,
                c->hold + r, c->id + r, c->truth ? c->truth + r : NULL, n, arg);
    }
    return rc;
}

/* Picks the model inputs out of the current scan block into t->xin and builds design rows into t->X. */
static void train_design_block(train_run *t, const cmodel *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const float *src = t->sc.features + i * t->p;
        float *dst = t->xin + i * m->p_in;
        for (size_t c = 0; c < m->p_in; c++) dst[c] = src[t->in_col[c]];
    }
    cmodel_design(m, t->xin, t->sc.brand, n, t->X, t->ws);
}

/* The snapshot: read, design rows built per read block; fills the cache while it is being filled. */
static int train_scan_pass(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg)
{
    size_t w = m->n_coef;
    int rc = CS_OK, filling = t->cache_state == TRAIN_CACHE_FILLING;
    train_rowset *c = &t->cache;
    uint8_t *hold = malloc(t->sc.io_rows);
    if (!hold) return CS_ERROR(CS_ENOMEM, "out of memory");
    scan_begin(&t->sc, stage);
    while (rc == CS_OK) {
        rc = scan_next(&t->sc);
        if (rc != CS_OK || t->sc.n == 0) break;
        train_design_block(t, m, t->sc.n);
        for (size_t i = 0; i < t->sc.n; i++) hold[i] = (uint8_t)train_is_holdout(t, t->sc.id[i]);
        size_t base = (size_t)(t->sc.row0 - t->pr.row0);
        if (filling) {
            memcpy(c->X + base * w, t->X, t->sc.n * w * sizeof(float));
            memcpy(c->y + base, t->sc.churned, t->sc.n);
            if (c->ct) memcpy(c->ct + base, t->sc.churn_type, t->sc.n);
            memcpy(c->hold + base, hold, t->sc.n);
            memcpy(c->id + base, t->sc.id, t->sc.n * sizeof(uint64_t));
            if (c->truth) memcpy(c->truth + base, t->sc.truth, t->sc.n * sizeof(float));
        }
        for (size_t off = 0; rc == CS_OK && off < t->sc.n; off += PART_BLOCK_ROWS) {
            size_t n = t->sc.n - off < PART_BLOCK_ROWS ? t->sc.n - off : PART_BLOCK_ROWS;
            t->feat_block = t->sc.features + off * t->p;
            rc = fn(t, m, (t->sc.row0 + off) / PART_BLOCK_ROWS, t->X + off * w, t->sc.churned + off,
                    t->sc.churn_type ? t->sc.churn_type + off : NULL, hold + off, t->sc.id + off,
                    t->sc.truth ? t->sc.truth + off : NULL, n, arg);
        }
    }
    t->feat_block = NULL;
    free(hold);
    if (filling && rc == CS_OK) t->cache_state = TRAIN_CACHE_READY;
    return rc;
}

enum { TRAIN_SRC_SCAN, TRAIN_SRC_CACHE, TRAIN_SRC_SAMPLE };
static const train_source train_sources[] = {
    [TRAIN_SRC_SCAN] = {"snapshot", train_scan_pass},
    [TRAIN_SRC_CACHE] = {"design cache", train_cache_pass},
    [TRAIN_SRC_SAMPLE] = {"warm-start sample", train_sample_pass},
};

/* The stage's fn, then the tap, on each block. */
typedef struct {
    train_block_fn fn;
    void *arg;
} train_tapped;

static int train_tap_block(train_run *t, const cmodel *m, uint64_t block, const float *X, const int8_t *y,
                           const int8_t *ct, const uint8_t *hold, const uint64_t *id, const float *truth,
                           size_t n, void *argp)
{
    const train_tapped *a = argp;
    CS_TRY(a->fn(t, m, block, X, y, ct, hold, id, truth, n, a->arg));
    return t->tap(t, m, block, X, y, ct, hold, id, truth, n, t->tap_arg);
}

int train_pass_snapshot(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg)
{
    if (t->cache_state == TRAIN_CACHE_FILLING) t->cache_state = TRAIN_CACHE_NONE;
    return train_scan_pass(t, m, stage, fn, arg);
}

int train_pass(train_run *t, const cmodel *m, const char *stage, train_block_fn fn, void *arg)
{
    train_tapped tp = {fn, arg};
    if (t->tap && !t->sample_mode) {
        fn = train_tap_block;
        arg = &tp;
    }
    const train_source *src = &train_sources[t->sample_mode                           ? TRAIN_SRC_SAMPLE
                                             : t->cache_state == TRAIN_CACHE_READY ? TRAIN_SRC_CACHE
                                                                                   : TRAIN_SRC_SCAN];
    log_debug("%s: rows from the %s", stage, src->name);
    return src->pass(t, m, stage, fn, arg);
}

void train_run_clear(train_run *t)
{
    free(t->xin);
    free(t->X);
    free(t->ws);
    free(t->in_col);
    train_rowset_clear(&t->cache);
    train_rowset_clear(&t->sample);
    scan_clear(&t->sc);
    snap_close(t->r);
    t->r = NULL;
    derived_free(t->derived);
    t->derived = NULL;
}

int train_design_blocks(train_run *t, const cmodel *m)
{
    size_t io = t->sc.io_rows;
    t->xin = malloc(io * (m->p_in ? m->p_in : 1) * sizeof(float));
    t->X = malloc(io * m->n_coef * sizeof(float));
    t->ws = malloc((cmodel_work_len(m, io) + 1) * sizeof(double));
    if (!t->xin || !t->X || !t->ws) return CS_ERROR(CS_ENOMEM, "out of memory for the design blocks");
    return CS_OK;
}

void train_design_release(train_run *t)
{
    free(t->xin);
    free(t->X);
    free(t->ws);
    free(t->in_col);
    t->xin = NULL;
    t->X = NULL;
    t->ws = NULL;
    t->in_col = NULL;
    train_rowset_clear(&t->sample);
    t->sample_mode = 0;
    t->sample_drawn = 0;
}

int train_derived_open(train_run *t)
{
    const char *d = t->o.derived;
    if (!d || strcmp(d, "none") == 0) return CS_OK;
    t->derived = derived_alloc();
    if (!t->derived) return CS_ERROR(CS_ENOMEM, "out of memory");
    if (strcmp(d, "default") == 0) {
        CS_TRY(derived_default(t->derived, (const char *const *)t->s->feature_names, t->s->p));
    } else {
        char *buf;
        size_t n;
        CS_TRY(textfile_read(d, "--derived", "a file of derived indicators", 16, &buf, &n));
        int rc = derived_parse(t->derived, buf, n, d);
        free(buf);
        CS_TRY(rc);
        if (t->derived->n == 0)
            return CS_ERROR(CS_EDATA, "%s: no derived indicator in the file (lines 'name = formula'; "
                            "--derived none for none)", d);
    }
    size_t p0 = t->s->p;
    CS_TRY(snap_derive(t->r, t->derived));
    log_info("train: %zu derived indicators (--derived %s) after the snapshot's %zu", t->s->p - p0, d, p0);
    return CS_OK;
}
