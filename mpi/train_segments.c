/* train_segments.c — see train_segments.h. */
#include "train_segments.h"

#include "comm.h"
#include "idhash.h"
#include "log.h"
#include "reduce.h"
#include "rules.h"
#include "salts.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void train_seg_clear(train_seg *g)
{
    free(g->x);
    free(g->brand);
    free(g->blk);
    free(g->u);
    g->x = NULL;
    g->brand = NULL;
    g->blk = NULL;
    g->u = NULL;
    g->n = g->cap = 0;
}

static size_t tseg_row_brand(const train_seg *g, const float *xrow)
{
    if (g->brand_col < 0) return 0;
    for (size_t b = 1; b < g->n_brands; b++)
        if (xrow[(size_t)g->brand_col + b - 1] == 1.0f) return b;
    return 0;
}

/* The tap: the sampled rows of one block, every row of the snapshot alike (training, validation and
 * holdout rows, labelled or not: segments describe the base, not the fit). */
static int tseg_collect(train_run *t, const cmodel *m, uint64_t block, const float *X, const int8_t *y,
                        const int8_t *ct, const uint8_t *hold, const uint64_t *id, const float *truth,
                        size_t n, void *arg)
{
    train_seg *g = arg;
    size_t w = m->n_coef, d = g->d;
    for (size_t i = 0; i < n; i++) {
        if (idhash_unit(id[i], SALT_SEGMENT) >= g->frac) continue;
        if (g->n == g->cap) {
            size_t nc = g->cap ? 2 * g->cap : 16384;
            float *a = realloc(g->x, nc * d * sizeof(float));
            if (a) g->x = a;
            uint8_t *b = realloc(g->brand, nc);
            if (b) g->brand = b;
            uint64_t *c = realloc(g->blk, nc * sizeof(uint64_t));
            if (c) g->blk = c;
            double *e = realloc(g->u, nc * sizeof(double));
            if (e) g->u = e;
            if (!a || !b || !c || !e) return CS_ERROR(CS_ENOMEM, "out of memory for the segment sample");
            g->cap = nc;
        }
        const float *r = X + i * w;
        for (size_t j = 0; j < d; j++) g->x[g->n * d + j] = r[g->cols[j]];
        g->brand[g->n] = (uint8_t)tseg_row_brand(g, r);
        g->blk[g->n] = block;
        g->u[g->n] = idhash_unit(id[i], SALT_SEGMENT_SEED);
        g->n++;
    }
    (void)t;
    (void)y;
    (void)ct;
    (void)hold;
    (void)truth;
    return CS_OK;
}

int train_segments_prepare(train_run *t, const cmodel *m, const char *segments, uint64_t seg_rows,
                           train_seg *g)
{
    memset(g, 0, sizeof *g);
    segfit_params_default(&g->fp);
    g->brand_col = -1;
    if (strcmp(segments, "none") == 0 || strcmp(segments, "0") == 0) {
        snprintf(g->reason, sizeof g->reason, "segments off (--segments %s)", segments);
        return CS_OK;
    }
    g->fp.k = strcmp(segments, "auto") == 0 ? 0 : (int)strtol(segments, NULL, 10);
    /* the space: factor scores where the model has them, else its standardised indicators */
    int want = m->k > 0 ? CMODEL_COL_FACTOR : CMODEL_COL_INDICATOR;
    g->space = m->k > 0 ? SEGMENT_SPACE_FACTORS : SEGMENT_SPACE_INDICATORS;
    for (size_t c = 0; c < m->n_coef; c++) {
        if (m->coef_kind[c] == want && g->d < SEGMENT_MAX_D) g->cols[g->d++] = (int32_t)c;
        if (m->coef_kind[c] == CMODEL_COL_BRAND && g->brand_col < 0) g->brand_col = (int32_t)c;
    }
    g->n_brands = m->n_brands ? m->n_brands : 1;
    if (g->d == 0) {
        snprintf(g->reason, sizeof g->reason, "no segments: the model has neither factors nor screened indicators");
        return CS_OK;
    }
    g->on = 1;
    uint64_t n = t->s->n;
    g->frac = n > seg_rows ? (double)seg_rows / (double)n : 1.0;
    /* the expected share of this rank's rows and 5% slack (what train_design_alloc counted), so
     * that one allocation serves; tseg_collect still grows it if the share runs over */
    size_t cap = (size_t)(g->frac * (double)t->pr.rows * 1.05) + 1024;
    g->x = malloc(cap * g->d * sizeof(float));
    g->brand = malloc(cap);
    g->blk = malloc(cap * sizeof(uint64_t));
    g->u = malloc(cap * sizeof(double));
    if (!g->x || !g->brand || !g->blk || !g->u) {
        train_seg_clear(g);
        return CS_ERROR(CS_ENOMEM, "out of memory for the segment sample (%zu rows)", cap);
    }
    g->cap = cap;
    t->tap = tseg_collect;
    t->tap_arg = g;
    return CS_OK;
}

/* ---- the profile pass ---- */

/* Per segment: rows, labelled, churned, ARPU sum, ARPU count, then per profiled indicator its sum
 * and count (missing values left out). */
enum { TS_ROWS, TS_LAB, TS_CHURN, TS_ARPU, TS_ARPU_N, TS_FIXED };
#define TS_LEN(pp) (TS_FIXED + 2 * (pp))

typedef struct {
    const segment_model *sm;
    const size_t *col;   /* [p_prof] snapshot column of each profiled indicator */
    rules_cols rc;
    red_tree *tree;
    double *part;
    int64_t *count;      /* [n_seg] exact counts, for the log */
} tseg_prof;

static int tseg_profile_block(train_run *t, const cmodel *m, uint64_t block, const float *X, const int8_t *y,
                              const int8_t *ct, const uint8_t *hold, const uint64_t *id, const float *truth,
                              size_t n, void *arg)
{
    tseg_prof *a = arg;
    const segment_model *s = a->sm;
    size_t w = m->n_coef, pp = s->p_prof, L = TS_LEN(pp);
    memset(a->part, 0, s->n_seg * L * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        int32_t g = segment_assign(s, X + i * w);
        if (g < 0) continue;
        const float *raw = t->feat_block + i * t->p;
        double *v = a->part + (size_t)g * L;
        v[TS_ROWS] += 1;
        a->count[g]++;
        if (y[i] == 0 || y[i] == 1) {
            v[TS_LAB] += 1;
            v[TS_CHURN] += y[i];
        }
        double arpu = rules_arpu(&a->rc, raw);
        if (!isnan(arpu)) {
            v[TS_ARPU] += arpu;
            v[TS_ARPU_N] += 1;
        }
        for (size_t j = 0; j < pp; j++) {
            float x = raw[a->col[j]];
            if (isnan(x)) continue;
            v[TS_FIXED + 2 * j] += (double)x;
            v[TS_FIXED + 2 * j + 1] += 1;
        }
    }
    (void)ct;
    (void)hold;
    (void)id;
    (void)truth;
    return red_tree_add(a->tree, block, a->part);
}

/* Fills the profile of s from the reduced sums tot (n_seg * TS_LEN). */
static void tseg_profile_fill(segment_model *s, const double *tot)
{
    size_t pp = s->p_prof, L = TS_LEN(pp);
    for (size_t g = 0; g < s->n_seg; g++) {
        const double *v = tot + g * L;
        s->size[g] = v[TS_ROWS];
        s->labelled[g] = v[TS_LAB];
        s->churned[g] = v[TS_CHURN];
        s->value[g] = v[TS_ARPU_N] > 0 ? v[TS_ARPU] / v[TS_ARPU_N] : NAN;
        for (size_t j = 0; j < pp; j++)
            s->mean[g * pp + j] = v[TS_FIXED + 2 * j + 1] > 0 ? v[TS_FIXED + 2 * j] / v[TS_FIXED + 2 * j + 1] : NAN;
    }
    /* each brand's mean: its segments' sums together, in segment order */
    for (size_t b = 0; b < s->n_brands; b++)
        for (size_t j = 0; j < pp; j++) {
            double sum = 0, cnt = 0;
            for (int32_t c = 0; c < s->k[b]; c++) {
                const double *v = tot + (size_t)(s->first[b] + c) * L;
                sum += v[TS_FIXED + 2 * j];
                cnt += v[TS_FIXED + 2 * j + 1];
            }
            s->brand_mean[b * pp + j] = cnt > 0 ? sum / cnt : NAN;
        }
}

/* The segment model from the fit: space, centroids, K per brand, silhouettes, profiled indicators. */
static segment_model *tseg_model(const train_run *t, const cmodel *m, const train_seg *g, const segfit_result *r,
                                 size_t **col)
{
    size_t pp = m->p_fa;
    const char **names = malloc((pp ? pp : 1) * sizeof(char *));
    *col = malloc((pp ? pp : 1) * sizeof(size_t));
    segment_model *s = NULL;
    if (names && *col) {
        for (size_t j = 0; j < pp; j++) {
            names[j] = m->in_names[m->fa_idx[j]];
            (*col)[j] = t->in_col[m->fa_idx[j]];
        }
        s = segment_model_alloc(g->n_brands, g->d, r->k, pp, names);
    }
    free(names);
    if (!s) return NULL;
    s->space = g->space;
    s->brand_col = g->brand_col;
    memcpy(s->cols, g->cols, g->d * sizeof(int32_t));
    memcpy(s->centroids, r->C, r->n_seg * g->d * sizeof(double));
    memcpy(s->silhouette, r->silhouette, g->n_brands * (SEGMENT_AUTO_MAX + 1) * sizeof(double));
    for (size_t j = 0; j < pp; j++) s->prof_sd[j] = m->scale[m->fa_idx[j]];
    if (g->fp.k > 0)
        snprintf(s->criterion, sizeof s->criterion, "K = %d per brand (--segments %d)", g->fp.k, g->fp.k);
    else
        snprintf(s->criterion, sizeof s->criterion,
                 "auto: the largest K of %d..%d within 1%% of the best mean silhouette (on %zu rows a brand)",
                 SEGMENT_AUTO_MIN, SEGMENT_AUTO_MAX, g->fp.sil_rows);
    return s;
}

int train_segments(train_run *t, cmodel *m, train_seg *g)
{
    MPI_Comm comm = t->ctx->comm;
    t->tap = NULL;
    t->tap_arg = NULL;
    if (!g->on) {
        log_info("train: %s", g->reason);
        return CS_OK;
    }
    double t0 = comm_now();
    segfit_rows rows = {g->n, g->d, g->x, g->brand, g->blk, g->u, t->pr.block0, t->pr.block1, t->pr.nblocks};
    segfit_result r;
    memset(&r, 0, sizeof r);
    int rc = segfit_run(comm, &rows, g->n_brands, &g->fp, &r);
    int64_t nsample = (int64_t)g->n;
    if (rc == CS_OK) rc = red_sum_i64(comm, &nsample, 1);
    double t1 = comm_now();
    size_t *col = NULL;
    segment_model *s = rc == CS_OK ? tseg_model(t, m, g, &r, &col) : NULL;
    if (rc == CS_OK && !s) rc = CS_ERROR(CS_ENOMEM, "out of memory for the segments");
    rc = red_agree(comm, rc);
    tseg_prof a;
    memset(&a, 0, sizeof a);
    double *tot = NULL;
    if (rc == CS_OK) {
        size_t L = s->n_seg * TS_LEN(s->p_prof) + 1;
        a.sm = s;
        a.col = col;
        rules_cols_find((const char *const *)t->s->feature_names, t->p, &a.rc);
        a.tree = red_tree_alloc(L);
        a.part = calloc(L, sizeof(double));
        a.count = calloc(s->n_seg + 1, sizeof(int64_t));
        tot = malloc(L * sizeof(double));
        if (!a.tree || !a.part || !a.count || !tot) rc = CS_ERROR(CS_ENOMEM, "out of memory for the segment profile");
    }
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = red_agree(comm, train_pass_snapshot(t, m, "train: segment profile", tseg_profile_block, &a));
    if (rc == CS_OK) rc = red_tree_allreduce(a.tree, comm, t->pr.nblocks, tot);
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        tseg_profile_fill(s, tot);
        rc = segment_name_all(s);
    }
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        log_info("train: %zu segments in %zu brand(s) on %lld sample rows (%s, %zu dimensions), inertia %.6g, "
                 "%d Lloyd iterations; fit %.2f s, profile pass %.2f s", s->n_seg, s->n_brands,
                 (long long)nsample, s->space == SEGMENT_SPACE_FACTORS ? "factor scores" : "standardised indicators",
                 s->d, r.inertia, r.iterations, t1 - t0, comm_now() - t1);
        cmodel_set_segments(m, s);
        s = NULL;
    }
    segment_model_free(s);
    red_tree_free(a.tree);
    free(a.part);
    free(a.count);
    free(tot);
    free(col);
    segfit_result_clear(&r);
    train_seg_clear(g);
    return rc;
}
