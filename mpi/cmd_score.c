/* cmd_score.c — `churnscore score`: every subscriber scored, ranked early-warning lists per region.
 *
 * The pipeline, every rank over its own rows (part.h), in phases that each end with red_agree:
 *   0. read the model (each rank, it is small), open the snapshot and match the model's indicators
 *      to the snapshot's columns BY NAME (another order and extra columns are fine; a missing one is
 *      an error naming it); rank 0 prepares "DIR.tmp"; all create "SCORES.h5.tmp";
 *   1. one pass over the rank's rows: per fixed reduction block (so a BLAS call sees the same rows
 *      for any rank count) design rows, probabilities and reasons (model/cmodel.h), stage and phase
 *      (model/rules.h), value at risk; rows go to SCORES.h5 as they are done; alarm and warning
 *      subscribers go to per-region candidate lists (model/topk.h: bounded heaps with --top K);
 *      per-region sums go into the fixed-tree reduction (reduce.h); labelled rows, or a hash-of-id
 *      sample of them, are kept for the validation; each row's ARPU is kept (4 bytes) for the tiers;
 *   2. ARPU quintile cut-offs by an exact radix select across ranks (select.h), tiers written;
 *   3. each region gets an owner rank (by its candidate count, part.h); every rank sends its sorted
 *      candidates of a region to the owner in one exchange (gather.h), and the owners merge and
 *      write the regions' CSVs in parallel. Where some rank does not see DIR.tmp or an owner would
 *      exceed --memory, rank 0 instead k-way merges every region in chunks and writes it alone;
 *   4. with labels, the validation rows are gathered to rank 0 in global row order and evaluated
 *      exactly (model/metrics.h), overall and per region;
 *   5. rank 0 writes the summaries; SCORES.h5 and DIR are renamed into place only if all went well.
 * Everything a user sees (lists, summaries, validation, the datasets of SCORES.h5) is the same bit for
 * bit for any rank count.
 */
#include "cmd.h"
#include "commit.h"
#include "drift.h"
#include "dupcheck.h"
#include "cmodel.h"
#include "gather.h"
#include "idhash.h"
#include "lists.h"
#include "log.h"
#include "metrics.h"
#include "modelfile.h"
#include "opts.h"
#include "outguard.h"
#include "part.h"
#include "reduce.h"
#include "rules.h"
#include "scan.h"
#include "scores.h"
#include "select.h"
#include "snapshot.h"
#include "status.h"
#include "topk.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    const char *in, *model, *out, *lists, *rank_by_s;
    uint64_t top, block, memory, validate_max;
    double horizon, warn_cutoff;
    int mask_ids, bom, read_only, rank_by_var;
    rules_params rp;
} score_opts;

/* One validation row: travels to rank 0 as raw bytes (gather.h). */
typedef struct {
    uint64_t hash;
    double prob;
    int64_t id;
    uint16_t region;
    uint8_t label;
} score_vrow;

/* Everything the pass needs. */
typedef struct {
    const cmd_ctx *ctx;
    score_opts o;
    cmodel m;
    snap_reader *r;
    const snap_schema *s;
    part_range pr;
    long *pick;             /* [p_in] snapshot column of each model input */
    rules_cols rc;
    char **reason_text;     /* [2 n_coef]: column c in the direction of its coefficient, then (at
                             * n_coef + c) in the opposite one, which boosted trees can also push */
    const char **reason_col; /* [2 n_coef] the design column of each entry */
    size_t nreg;
    /* per block buffers */
    float *xin, *X;
    double *ws, *prob, *var;
    uint8_t *stage, *phase, *tier8;
    int16_t *reason;
    float *arpu_blk;
    /* per own row */
    int64_t *arpu_hist;     /* [65536] own rows by the top 16 bits of the ARPU key */
    /* results */
    topk *cand;
    red_tree *tree;         /* per block: [sum prob, sum var] per region */
    double *part, *sums;    /* [2 nreg] */
    int64_t *cnt;           /* [3 nreg]: subscribers, alarm, warning */
    score_vrow *vrows;
    size_t nv, cap_v;
    size_t io_bytes;     /* the pass's block buffers (scan and score_alloc), counted in --memory */
    uint64_t vthr;          /* keep validation rows with hash < vthr (UINT64_MAX: all) */
    int64_t labelled;
    double t_read, t_compute, t_write;
    modelfile_story story; /* the model's story: drift reference */
    uint8_t *brand_map;    /* snapshot brand -> model brand */
    uint8_t bbuf[PART_BLOCK_ROWS];
    drift_acc drift;
} score_job;

static void score_job_free(score_job *j)
{
    drift_clear(&j->drift);
    free(j->brand_map);
    modelfile_story_clear(&j->story);
    free(j->pick);
    if (j->reason_text)
        for (size_t i = 0; i < 2 * j->m.n_coef; i++) free(j->reason_text[i]);
    free(j->reason_text);
    free(j->reason_col);
    free(j->xin);
    free(j->X);
    free(j->ws);
    free(j->prob);
    free(j->var);
    free(j->stage);
    free(j->phase);
    free(j->tier8);
    free(j->reason);
    free(j->arpu_blk);
    free(j->arpu_hist);
    topk_free(j->cand);
    red_tree_free(j->tree);
    free(j->part);
    free(j->sums);
    free(j->cnt);
    free(j->vrows);
    cmodel_clear(&j->m);
    snap_close(j->r);
}

/* The sign of factor f's loading on the first indicator named in its label (or on its largest
 * loading): a reason text speaks of the indicator, so the factor's direction must be folded in. */
static double score_factor_sign(const cmodel *m, size_t f)
{
    const char *lab = m->factor_labels ? m->factor_labels[f] : "";
    size_t best = 0;
    double bl = -1;
    for (size_t j = 0; j < m->p_fa; j++) {
        const char *nm = m->in_names[m->fa_idx[j]];
        const char *hit = strstr(lab, nm);
        size_t len = strlen(nm);
        if (hit && (hit == lab || !(hit[-1] == '_' || (hit[-1] >= 'a' && hit[-1] <= 'z') ||
                                    (hit[-1] >= '0' && hit[-1] <= '9'))) &&
            !(hit[len] == '_' || (hit[len] >= 'a' && hit[len] <= 'z') || (hit[len] >= '0' && hit[len] <= '9')))
            return m->loadings[j * m->k + f] < 0 ? -1.0 : 1.0;
        double a = fabs(m->loadings[j * m->k + f]);
        if (a > bl) bl = a, best = j;
    }
    return (m->p_fa && m->loadings[best * m->k + f] < 0) ? -1.0 : 1.0;
}

static int score_reason_texts(score_job *j)
{
    const cmodel *m = &j->m;
    size_t K = m->n_coef;
    j->reason_text = calloc(K ? 2 * K : 1, sizeof(char *));
    j->reason_col = calloc(K ? 2 * K : 1, sizeof(char *));
    if (!j->reason_text || !j->reason_col) return CS_ERROR(CS_ENOMEM, "out of memory");
    size_t f = 0;
    char buf[256];
    for (size_t c = 0; c < m->n_coef; c++) {
        double b = m->beta[c];
        if (m->coef_kind[c] == CMODEL_COL_FACTOR) b *= score_factor_sign(m, f++);
        for (int side = 0; side < 2; side++) {
            if (m->coef_kind[c] == CMODEL_COL_INTERCEPT) snprintf(buf, sizeof buf, "baseline");
            else rules_reason_text(m->coef_names[c], side ? -b : b, buf, sizeof buf);
            if (!(j->reason_text[side * K + c] = strdup(buf))) return CS_ERROR(CS_ENOMEM, "out of memory");
            j->reason_col[side * K + c] = m->coef_names[c];
        }
    }
    return CS_OK;
}

/* Phase 0 on every rank: model, snapshot, matching by name, buffers. */
static int score_open(score_job *j)
{
    const score_opts *o = &j->o;
    CS_TRY(snap_open(o->in, snap_read_comm(j->ctx->comm), &j->r));
    j->s = snap_schema_of(j->r);
    j->nreg = j->s->n_regions;
    part_compute(j->s->n, j->ctx->nranks, j->ctx->rank, &j->pr);
    rules_cols_find((const char *const *)j->s->feature_names, j->s->p, &j->rc);
    if (o->read_only) return CS_OK;
    CS_TRY(modelfile_read(o->model, &j->m, &j->story));
    CS_TRY(drift_init(&j->drift, &j->story, j->s->n));
    cmodel *m = &j->m;
    if (2 * m->n_coef > INT16_MAX)
        return CS_ERROR(CS_EFORMAT, "%s: %zu design columns do not fit the int16 reason codes", o->model,
                        m->n_coef);
    for (size_t c = 0; c < m->n_coef; c++)
        if (!isfinite(m->beta[c]))
            return CS_ERROR(CS_EFORMAT, "%s: coefficient %s is not finite", o->model, m->coef_names[c]);
    if (isnan(j->o.warn_cutoff)) {
        if (!(m->warn_cutoff >= 0 && m->warn_cutoff <= 1))
            return CS_ERROR(CS_EFORMAT, "%s: warn_cutoff %g is not a probability", o->model, m->warn_cutoff);
        j->o.rp.warn_cutoff = m->warn_cutoff;
    }
    CS_TRY(rules_params_check(&j->o.rp));
    j->pick = malloc((m->p_in ? m->p_in : 1) * sizeof(long));
    if (!j->pick) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->p_in; i++) {
        j->pick[i] = snap_feature_index(j->s, m->in_names[i]);
        if (j->pick[i] < 0)
            return CS_ERROR(CS_EFORMAT, "%s: indicator '%s' needed by %s is missing", o->in,
                            m->in_names[i], o->model);
    }
    /* the snapshot's brand codes -> the model's, by name (an import of another month may order
     * brands differently); a brand the model never saw scores as the model's first brand */
    j->brand_map = malloc((j->s->n_brands ? j->s->n_brands : 1) * sizeof(uint8_t));
    if (!j->brand_map) return CS_ERROR(CS_ENOMEM, "out of memory");
    size_t unknown = 0;
    for (size_t b = 0; b < j->s->n_brands; b++) {
        long at = -1;
        for (size_t q = 0; m->brand_names && q < m->n_brands; q++)
            if (strcmp(m->brand_names[q], j->s->brand_names[b]) == 0) at = (long)q;
        if (!m->brand_names) at = b < m->n_brands ? (long)b : -1; /* older model files: by position */
        if (at < 0) unknown++;
        j->brand_map[b] = (uint8_t)(at < 0 ? 0 : at);
    }
    if (unknown)
        log_info("score: %zu brand(s) of %s are unknown to the model: they score as '%s'", unknown, o->in,
                 m->brand_names && m->n_brands ? m->brand_names[0] : "brand 0");
    CS_TRY(score_reason_texts(j));
    return CS_OK;
}

static int score_alloc(score_job *j, size_t io)
{
    cmodel *m = &j->m;
    size_t b = PART_BLOCK_ROWS, w = m->n_coef;
    j->xin = malloc(b * (m->p_in ? m->p_in : 1) * sizeof(float));
    j->X = malloc(b * (w ? w : 1) * sizeof(float));
    j->ws = malloc((cmodel_work_len(m, b) + 1) * sizeof(double));
    j->prob = malloc(io * sizeof(double));
    j->var = malloc(io * sizeof(double));
    j->stage = malloc(io);
    j->phase = malloc(io);
    j->tier8 = malloc(io);
    j->reason = malloc(io * 3 * sizeof(int16_t));
    j->arpu_blk = malloc(io * sizeof(float));
    j->arpu_hist = calloc(65536, sizeof(int64_t));
    j->cand = topk_alloc(j->nreg ? j->nreg : 1, j->o.top);
    j->tree = red_tree_alloc(2 * j->nreg);
    j->part = calloc(2 * j->nreg + 1, sizeof(double));
    j->sums = calloc(2 * j->nreg + 1, sizeof(double));
    j->cnt = calloc(3 * j->nreg + 1, sizeof(int64_t));
    if (!j->xin || !j->X || !j->ws || !j->prob || !j->var || !j->stage || !j->phase || !j->tier8 ||
        !j->reason || !j->arpu_blk || !j->arpu_hist || !j->cand || !j->tree || !j->part || !j->sums || !j->cnt)
        return CS_ERROR(CS_ENOMEM, "out of memory for scoring buffers (%zu rows per block, %llu own rows)",
                        io, (unsigned long long)j->pr.rows);
    return CS_OK;
}

static size_t score_mem_in_use(const score_job *j)
{
    return j->io_bytes + topk_bytes(j->cand) + j->cap_v * sizeof(score_vrow);
}

static int score_keep_vrow(score_job *j, const score_vrow *v)
{
    if (j->nv == j->cap_v) {
        size_t cap = j->cap_v ? j->cap_v * 2 : 4096;
        score_vrow *p = realloc(j->vrows, cap * sizeof *p);
        if (!p) return CS_ERROR(CS_ENOMEM, "out of memory for %zu validation rows (lower --validate-max)", cap);
        j->vrows = p;
        j->cap_v = cap;
    }
    j->vrows[j->nv++] = *v;
    return CS_OK;
}

/* One reduction block of m rows starting at offset off of the scan buffers. */
static int score_block(score_job *j, scan_state *sc, size_t off, size_t n)
{
    const cmodel *m = &j->m;
    const snap_schema *s = j->s;
    size_t p = s->p, pin = m->p_in;
    for (size_t i = 0; i < n; i++) {
        const float *x = sc->features + (off + i) * p;
        float *xi = j->xin + i * pin;
        for (size_t c = 0; c < pin; c++) xi[c] = x[j->pick[c]];
    }
    for (size_t i = 0; i < n; i++) j->bbuf[i] = j->brand_map[sc->brand[off + i]];
    cmodel_design(m, j->xin, j->bbuf, n, j->X, j->ws);
    cmodel_predict(m, j->X, n, j->prob + off);
    drift_add(&j->drift, &j->story, j->X, m->n_coef, j->prob + off, sc->id + off, n);
    memset(j->part, 0, 2 * j->nreg * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        size_t r = off + i;
        const float *x = sc->features + r * p;
        double pr = j->prob[r];
        int32_t top[3];
        const float *xr = j->X + i * m->n_coef;
        size_t nr = cmodel_reasons(m, xr, 3, top);
        for (size_t k = 0; k < 3; k++) {
            int16_t code = -1;
            if (k < nr) {
                /* a value on the other side of the mean than the coefficient points (only boosted
                 * trees produce such a reason) speaks of the opposite direction */
                size_t col = (size_t)top[k];
                code = (int16_t)col;
                if (((double)xr[col] - m->coef_mean[col]) * m->beta[col] < 0) code = (int16_t)(col + m->n_coef);
            }
            j->reason[r * 3 + k] = code;
        }
        int st = rules_stage(&j->o.rp, &j->rc, x);
        int ph = rules_phase(&j->o.rp, &j->rc, x, pr);
        float arpu = (float)rules_arpu(&j->rc, x);
        double var = rules_value_at_risk(pr, (double)arpu, j->o.horizon);
        j->stage[r] = (uint8_t)st;
        j->phase[r] = (uint8_t)ph;
        j->arpu_blk[r] = arpu;
        j->var[r] = var;
        if (!isnan(arpu)) j->arpu_hist[rules_arpu_key(arpu) >> 16]++;
        uint16_t g = sc->region[r];
        j->part[2 * g] += pr;
        j->part[2 * g + 1] += var;
        j->cnt[3 * g]++;
        if (ph == RULES_ALARM) j->cnt[3 * g + 1]++;
        if (ph == RULES_WARNING) j->cnt[3 * g + 2]++;
        if (ph != RULES_HEALTHY) {
            topk_item it = {.key = j->o.rank_by_var ? var : pr, .id = sc->id[r], .row = sc->row0 + r,
                            .prob = pr, .var = var, .arpu = arpu, .region = g, .brand = sc->brand[r],
                            .stage = (uint8_t)st, .phase = (uint8_t)ph, .tier = 0};
            for (int k = 0; k < 3; k++) it.reason[k] = j->reason[r * 3 + k];
            CS_TRY(topk_push(j->cand, g, &it));
        }
        if (sc->churned && (sc->churned[r] == 0 || sc->churned[r] == 1)) {
            j->labelled++;
            score_vrow v = {.hash = idhash_splitmix(sc->id[r]), .prob = pr, .id = (int64_t)sc->id[r],
                            .region = g, .label = (uint8_t)sc->churned[r]};
            if (v.hash < j->vthr || j->vthr == UINT64_MAX) CS_TRY(score_keep_vrow(j, &v));
        }
    }
    return red_tree_add(j->tree, (sc->row0 + off) / PART_BLOCK_ROWS, j->part);
}

/* The chunk cache a badly chunked snapshot may have (scan_layout): a quarter of --memory, 512 MiB
 * when --memory is 0 (no budget). */
static uint64_t score_cache_budget(const score_job *j)
{
    return j->o.memory ? j->o.memory / 4 : (uint64_t)512 << 20;
}

/* Phase 1: the pass. */
static int score_pass(score_job *j, scores_writer *w)
{
    scan_state sc;
    unsigned what = SCAN_ID | SCAN_REGION | SCAN_BRAND | SCAN_FEATURES | (j->s->has_labels ? SCAN_CHURNED : 0);
    /* agreed before scan_layout, which is collective under CS_READ_MPIO */
    CS_TRY(red_agree(j->ctx->comm, scan_init(&sc, j->r, &j->pr, (size_t)j->o.block, what, j->ctx->nranks)));
    size_t cache_b = 0;
    int rc = scan_layout(&sc, score_cache_budget(j), &cache_b);
    if (rc == CS_OK) rc = score_alloc(j, sc.io_rows);
    /* a block of io rows: the scan's id, region, brand, features and labels, and the per-row outputs */
    j->io_bytes = sc.io_rows * (sizeof(uint64_t) + sizeof(uint16_t) + 2 + j->s->p * sizeof(float) +
                                2 * sizeof(double) + 3 + 3 * sizeof(int16_t) + sizeof(float));
    if (rc == CS_OK && j->o.memory && score_mem_in_use(j) > j->o.memory)
        rc = CS_ERROR(CS_ENOMEM, "rank %d: the block buffers of --block-rows %zu take %zu bytes, over "
                      "--memory %llu: lower --block-rows, or give a larger --memory",
                      j->ctx->rank, sc.io_rows, score_mem_in_use(j), (unsigned long long)j->o.memory);
    if (rc == CS_OK && j->s->has_labels && j->pr.rows > 0) {
        /* the expected number kept (all rows, or the sampled share plus slack): one allocation
         * instead of a doubling series of copies */
        double share = j->vthr == UINT64_MAX ? 1.0 : (double)j->vthr / 18446744073709551616.0;
        size_t want = (size_t)((double)j->pr.rows * share * 1.02) + 1024;
        if (want > j->pr.rows) want = (size_t)j->pr.rows;
        j->vrows = malloc(want * sizeof(score_vrow));
        j->cap_v = j->vrows ? want : 0;
    }
    scan_begin(&sc, "score");
    while (rc == CS_OK) {
        double t0 = MPI_Wtime();
        rc = scan_next(&sc);
        double t1 = MPI_Wtime();
        j->t_read += t1 - t0;
        if (rc != CS_OK || sc.n == 0) break;
        for (size_t off = 0; rc == CS_OK && off < sc.n; off += PART_BLOCK_ROWS) {
            size_t n = sc.n - off < PART_BLOCK_ROWS ? sc.n - off : PART_BLOCK_ROWS;
            rc = score_block(j, &sc, off, n);
        }
        double t2 = MPI_Wtime();
        j->t_compute += t2 - t1;
        if (rc == CS_OK)
            rc = scores_write(w, sc.row0, sc.n, sc.id, sc.region, sc.brand, j->prob, j->stage, j->phase,
                              j->arpu_blk, j->var, j->reason);
        j->t_write += MPI_Wtime() - t2;
        if (rc == CS_OK && j->o.memory && score_mem_in_use(j) > j->o.memory)
            rc = CS_ERROR(CS_ENOMEM, "rank %d: the block buffers, lists and per-row values take %zu bytes, over "
                          "--memory %llu: use --top K, more ranks or a larger --memory",
                          j->ctx->rank, score_mem_in_use(j), (unsigned long long)j->o.memory);
    }
    scan_clear(&sc);
    return rc;
}

/* Phase 2 (collective): quintile cut-offs of the ARPU keys of all ranks, then each own row's tier. */
static int score_tiers(score_job *j, scores_writer *w, double cut[4])
{
    /* Exact quintiles of the 32-bit ARPU keys with integer counts only, and without holding the
     * partition's ARPU: the pass histogrammed the top 16 bits; the bucket of each quantile is found
     * from the summed histogram, then the ARPU column is read back from SCORES.h5 (own rows, in
     * blocks) to histogram the low 16 bits inside those buckets. */
    MPI_Comm comm = j->ctx->comm;
    int64_t *lo = calloc(4 * 65536, sizeof(int64_t));
    size_t io = (size_t)j->o.block < PART_BLOCK_ROWS ? PART_BLOCK_ROWS : (size_t)j->o.block;
    io = (io + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS * PART_BLOCK_ROWS;
    int rc = lo ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the ARPU histograms");
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = red_sum_i64(comm, j->arpu_hist, 65536);
    int64_t total = 0;
    for (size_t b = 0; rc == CS_OK && b < 65536; b++) total += j->arpu_hist[b];
    for (int k = 0; k < 4; k++) cut[k] = NAN;
    uint32_t pre[4] = {0, 0, 0, 0};
    int64_t rank_in[4] = {0, 0, 0, 0};
    if (rc == CS_OK && total > 0) {
        for (int k = 0; k < 4; k++) {
            /* the lower k/5 quantile: the ceil(k N / 5)-th smallest value (1-based) */
            int64_t want = ((int64_t)(k + 1) * total + 4) / 5 - 1, below = 0;
            uint32_t b = 0;
            while (below + j->arpu_hist[b] <= want) below += j->arpu_hist[b++];
            pre[k] = b;
            rank_in[k] = want - below;
        }
        int lrc = CS_OK;
        for (uint64_t a = 0; lrc == CS_OK && a < j->pr.rows; a += io) {
            size_t n = j->pr.rows - a < io ? (size_t)(j->pr.rows - a) : io;
            lrc = scores_read_arpu(w, j->pr.row0 + a, n, j->arpu_blk);
            for (size_t i = 0; lrc == CS_OK && i < n; i++) {
                if (isnan(j->arpu_blk[i])) continue;
                uint32_t key = rules_arpu_key(j->arpu_blk[i]);
                for (int k = 0; k < 4; k++)
                    if (key >> 16 == pre[k]) lo[k * 65536 + (key & 0xFFFFu)]++;
            }
        }
        rc = red_agree(comm, lrc);
        if (rc == CS_OK) rc = red_sum_i64(comm, lo, 4 * 65536);
        for (int k = 0; rc == CS_OK && k < 4; k++) {
            int64_t below = 0;
            uint32_t b = 0;
            while (below + lo[k * 65536 + b] <= rank_in[k]) below += lo[k * 65536 + b++];
            cut[k] = (double)rules_key_arpu((pre[k] << 16) | b);
        }
    }
    free(lo);
    if (rc != CS_OK) return rc;
    /* tiers of own rows, written in blocks */
    int lrc = CS_OK;
    for (uint64_t a = 0; lrc == CS_OK && a < j->pr.rows; a += io) {
        size_t n = j->pr.rows - a < io ? (size_t)(j->pr.rows - a) : io;
        lrc = scores_read_arpu(w, j->pr.row0 + a, n, j->arpu_blk);
        for (size_t i = 0; lrc == CS_OK && i < n; i++) j->tier8[i] = (uint8_t)rules_tier(cut, j->arpu_blk[i]);
        if (lrc == CS_OK) lrc = scores_write_tier(w, j->pr.row0 + a, n, j->tier8);
    }
    for (size_t g = 0; g < j->nreg; g++) {
        size_t n = 0;
        topk_item *it = topk_group(j->cand, g, &n);
        for (size_t i = 0; i < n; i++) it[i].tier = (uint8_t)rules_tier(cut, it[i].arpu);
    }
    return red_agree(comm, lrc);
}

typedef struct {
    lists_file *f;
} score_sink_arg;

static int score_sink(void *arg, uint64_t pos, const topk_item *it)
{
    return lists_region_row(((score_sink_arg *)arg)->f, pos + 1, it);
}

/* Test hooks of the lists stage, read from the environment on every rank:
 *   CS_LISTS_ON_ROOT=1 takes rank 0's path for every region (the tests compare both paths);
 *   CS_TEST_LISTS_FAIL_RANK=r fails rank r's first region write, as a full disk would. */
static int score_env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : dflt;
}

/* Opens region g's CSV for writing (with the failure hook). */
static int score_region_open(const score_job *j, const lists_ctx *lc, const char *tmpdir, size_t g,
                             lists_file **f)
{
    CS_TRY(lists_region_open(lc, tmpdir, g, f));
    if (score_env_int("CS_TEST_LISTS_FAIL_RANK", -1) == j->ctx->rank)
        return CS_ERROR(CS_EIO, "rank %d: list of region %zu: cannot write: failure injected by "
                        "CS_TEST_LISTS_FAIL_RANK", j->ctx->rank, g);
    return CS_OK;
}

/* Rank 0's path (collective): per region, rank 0 k-way merges the ranks' sorted candidates in chunks
 * (gather.h) and writes the CSV alone. Memory is ranks x 4096 items on rank 0, whatever the lists,
 * and no other rank touches the directory; but rank 0 formats every row. listed[g] on rank 0. */
static int score_lists_root(score_job *j, const lists_ctx *lc, const char *tmpdir, int64_t *listed)
{
    int rc = CS_OK;
    for (size_t g = 0; g < j->nreg; g++) {
        size_t n = 0;
        topk_item *it = topk_group(j->cand, g, &n);
        score_sink_arg a = {NULL};
        if (j->ctx->rank == 0 && rc == CS_OK) rc = score_region_open(j, lc, tmpdir, g, &a.f);
        uint64_t merged = 0;
        /* after a failure on rank 0 the merges still run (limit 0) so that no rank waits forever */
        int mrc = gat_merge_sorted(j->ctx->comm, it, n, rc == CS_OK ? (j->o.top ? j->o.top : UINT64_MAX) : 0,
                                   score_sink, &a, &merged);
        if (rc == CS_OK) rc = mrc;
        int crc = lists_region_close(a.f);
        if (rc == CS_OK) rc = crc;
        listed[g] = (int64_t)merged;
    }
    return red_agree(j->ctx->comm, rc);
}

/* This rank's candidates in the order gat_exchange sends them: by owner rank and, for one owner, by
 * increasing region, each region's run sorted. *send is malloc'd (caller frees); nsend[q] items go
 * to rank q. CS_ENOMEM. */
static int score_lists_pack(score_job *j, const int *owner, topk_item **send, uint64_t *nsend)
{
    size_t R = (size_t)j->ctx->nranks, total = (size_t)topk_count(j->cand);
    topk_item *buf = malloc((total ? total : 1) * sizeof *buf);
    uint64_t *at = calloc(R, sizeof *at);
    if (!buf || !at) {
        free(buf);
        free(at);
        return CS_ERROR(CS_ENOMEM, "rank %d: out of memory packing %zu list candidates", j->ctx->rank, total);
    }
    for (size_t q = 0; q < R; q++) nsend[q] = 0;
    for (size_t g = 0; g < j->nreg; g++) {
        size_t n = 0;
        topk_group(j->cand, g, &n);
        nsend[owner[g]] += n;
    }
    for (size_t q = 1; q < R; q++) at[q] = at[q - 1] + nsend[q - 1];
    /* regions in increasing order, so each owner's share lists its regions in increasing order */
    for (size_t g = 0; g < j->nreg; g++) {
        size_t n = 0;
        const topk_item *it = topk_group(j->cand, g, &n);
        if (n) memcpy(buf + at[owner[g]], it, n * sizeof *it);
        at[owner[g]] += n;
    }
    free(at);
    *send = buf;
    return CS_OK;
}

/* Merges and writes this rank's regions from what it received: nrecv[q] items from rank q, one after
 * the other, each rank's share holding the runs of this rank's regions in increasing region order
 * (score_lists_pack). A run ends where the items' region changes; a region a sender has no
 * candidates of is an empty run. Local: no message, so a failure here cannot hang anyone. */
static int score_lists_write_owned(score_job *j, const lists_ctx *lc, const char *tmpdir, const int *owner,
                                   const topk_item *items, uint64_t *nrecv, int64_t *listed)
{
    size_t R = (size_t)j->ctx->nranks;
    topk_run *runs = malloc(R * sizeof *runs);
    size_t *heap = malloc(R * sizeof *heap);
    uint64_t *at = malloc(R * sizeof *at);
    int rc = runs && heap && at ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the list merge");
    for (size_t q = 0; rc == CS_OK && q < R; q++) at[q] = q ? at[q - 1] + nrecv[q - 1] : 0;
    uint64_t limit = j->o.top ? j->o.top : UINT64_MAX;
    for (size_t g = 0; rc == CS_OK && g < j->nreg; g++) {
        if (owner[g] != j->ctx->rank) continue;
        for (size_t q = 0; q < R; q++) {
            size_t n = 0;
            while (n < nrecv[q] && items[at[q] + n].region == g) n++;
            runs[q] = (topk_run){items + at[q], n};
            at[q] += n;
            nrecv[q] -= n;
        }
        score_sink_arg a = {NULL};
        uint64_t merged = 0;
        rc = score_region_open(j, lc, tmpdir, g, &a.f);
        if (rc == CS_OK) rc = topk_merge(runs, R, limit, heap, score_sink, &a, &merged);
        int crc = lists_region_close(a.f);
        if (rc == CS_OK) rc = crc;
        listed[g] = (int64_t)merged;
    }
    for (size_t q = 0; rc == CS_OK && q < R; q++)
        if (nrecv[q] != 0)
            rc = CS_ERROR(CS_EINTERNAL, "rank %d: %llu list items from rank %zu belong to no region of "
                          "this rank", j->ctx->rank, (unsigned long long)nrecv[q], q);
    free(runs);
    free(heap);
    free(at);
    return rc;
}

/* The owners' path (collective): every rank sends its candidates of region g to owner[g] in one
 * exchange; each owner merges the runs it received and writes its regions' CSVs, so the formatting,
 * the bulk of the work, runs on all ranks at once. listed[g] on g's owner. */
static int score_lists_owned(score_job *j, const lists_ctx *lc, const char *tmpdir, const int *owner,
                             int64_t *listed)
{
    MPI_Comm comm = j->ctx->comm;
    size_t R = (size_t)j->ctx->nranks;
    uint64_t *nsend = calloc(R, sizeof *nsend), *nrecv = calloc(R, sizeof *nrecv);
    topk_item *send = NULL;
    void *recv = NULL;
    int rc = nsend && nrecv ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = score_lists_pack(j, owner, &send, nsend);
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        /* the packed copy is all that is needed from here: free the candidates before receiving, so
         * a rank holds its own candidates twice only while packing (score_lists_plan counts both) */
        topk_free(j->cand);
        j->cand = NULL;
        rc = gat_exchange(comm, send, nsend, sizeof(topk_item), &recv, nrecv);
    }
    free(send);
    if (rc == CS_OK) rc = score_lists_write_owned(j, lc, tmpdir, owner, recv, nrecv, listed);
    free(recv);
    free(nsend);
    free(nrecv);
    /* an owner's failed write stops everyone here, before rank 0 writes the summaries; cmd_score
     * then removes DIR.tmp instead of committing it */
    return red_agree(comm, rc);
}

/* A token only this run knows, for the probe file. */
static uint64_t score_token(void)
{
    uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(MPI_Wtime() * 1e9);
    return idhash_splitmix(t) | 1;
}

/* Collective. Which path the lists take, the same on every rank, logged by rank 0: *owned is 1 for
 * the owners' path. It needs
 *  - every rank to see rank 0's DIR.tmp: on a cluster with node-local disks the other nodes would
 *    write their CSVs into a directory rank 0 never commits. Rank 0 writes a probe holding a token
 *    only this run knows (a stale DIR.tmp of an earlier run on another node's disk holds another)
 *    and every rank reads it back;
 *  - every rank's candidates, packed copy and received candidates to fit --memory (and MPI's int
 *    counts): an owner may receive a large region from every rank, where rank 0's chunked merge
 *    holds only ranks x 4096 items;
 *  - CS_LISTS_ON_ROOT not to ask for rank 0's path. */
static int score_lists_plan(score_job *j, const char *tmpdir, const int64_t *count, const int *owner,
                            int *owned)
{
    MPI_Comm comm = j->ctx->comm;
    int me = j->ctx->rank;
    *owned = 0;
    uint64_t token = 0;
    int rc = CS_OK;
    if (me == 0) {
        token = score_token();
        rc = lists_probe_write(tmpdir, token);
    }
    rc = red_agree(comm, rc);
    /* rank 0's token to every rank: the others hold 0 */
    if (rc == CS_OK) rc = red_max_u64(comm, &token, 1);
    if (rc != CS_OK) return rc;
    uint64_t mine = topk_count(j->cand), recv = 0;
    for (size_t g = 0; g < j->nreg; g++)
        if (owner[g] == me) recv += (uint64_t)count[g];
    uint64_t need = (uint64_t)score_mem_in_use(j) + (mine + recv) * sizeof(topk_item);
    int ok[4] = {score_env_int("CS_LISTS_ON_ROOT", 0) != 1, lists_probe_seen(tmpdir, token),
                 !j->o.memory || need <= j->o.memory, mine <= INT_MAX && recv <= INT_MAX};
    rc = red_min_int(comm, ok, 4);
    if (rc == CS_OK) rc = red_max_u64(comm, &need, 1);
    /* every rank has read the probe (the reductions above wait for all) */
    if (me == 0) lists_probe_remove(tmpdir);
    if (rc != CS_OK) return rc;
    *owned = ok[0] && ok[1] && ok[2] && ok[3];
    unsigned long long need_b = (unsigned long long)need, budget = (unsigned long long)j->o.memory;
    if (*owned)
        log_info("score: lists: each region merged and written by its owner rank (%zu regions over %d "
                 "ranks; list memory up to %llu bytes per rank, --memory %llu)", j->nreg, j->ctx->nranks,
                 need_b, budget);
    else if (!ok[0])
        log_info("score: lists: merged and written by rank 0 (CS_LISTS_ON_ROOT=1)");
    else if (!ok[1])
        log_info("score: lists: merged and written by rank 0: not every rank sees %s (node-local disks?)",
                 tmpdir);
    else if (!ok[2])
        log_info("score: lists: merged and written by rank 0 in chunks: a region owner would hold %llu "
                 "bytes of lists, over --memory %llu", need_b, budget);
    else
        log_info("score: lists: merged and written by rank 0 in chunks: a region owner would receive "
                 "more candidates than MPI's int counts");
    return CS_OK;
}

/* Phase 3 (collective): the per-region lists into DIR.tmp. The regions are spread over the ranks by
 * their global candidate counts (part_owners: longest first, each to the least-loaded rank); each
 * rank sends its sorted candidates of a region to the region's owner, which merges and writes them
 * (score_lists_owned), unless score_lists_plan finds that unsafe, when rank 0 merges and writes
 * every region as before (score_lists_root). Both merge by topk_before, a total order, so the bytes
 * are the same on either path and for any rank count. listed[g] ends up on every rank. */
static int score_lists(score_job *j, const lists_ctx *lc, const char *tmpdir, int64_t *listed)
{
    MPI_Comm comm = j->ctx->comm;
    topk_sort(j->cand);
    int64_t *count = calloc(j->nreg + 1, sizeof *count);
    int *owner = calloc(j->nreg + 1, sizeof *owner);
    int rc = count && owner ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(comm, rc);
    for (size_t g = 0; rc == CS_OK && g < j->nreg; g++) {
        size_t n = 0;
        topk_group(j->cand, g, &n);
        count[g] = (int64_t)n;
    }
    if (rc == CS_OK) rc = red_sum_i64(comm, count, j->nreg);
    if (rc == CS_OK) rc = red_agree(comm, part_owners(count, j->nreg, j->ctx->nranks, owner));
    int owned = 0;
    if (rc == CS_OK) rc = score_lists_plan(j, tmpdir, count, owner, &owned);
    if (rc == CS_OK)
        rc = owned ? score_lists_owned(j, lc, tmpdir, owner, listed) : score_lists_root(j, lc, tmpdir, listed);
    /* each region's count is non-zero on the one rank that wrote it */
    if (rc == CS_OK) rc = red_sum_i64(comm, listed, j->nreg);
    free(count);
    free(owner);
    return rc;
}

/* The columns metrics_evaluate takes, for up to n validation rows, and its workspace. */
typedef struct {
    double *score;
    unsigned char *label;
    int64_t *key;
    metrics_work *mw;
} score_eval_buf;

static void score_eval_free(score_eval_buf *b)
{
    free(b->score);
    free(b->label);
    free(b->key);
    metrics_work_free(b->mw);
}

static int score_eval_alloc(score_eval_buf *b, uint64_t n)
{
    b->score = malloc((n ? n : 1) * sizeof(double));
    b->label = malloc(n ? n : 1);
    b->key = malloc((n ? n : 1) * sizeof(int64_t));
    b->mw = metrics_work_alloc(n ? n : 1);
    if (b->score && b->label && b->key && b->mw) return CS_OK;
    score_eval_free(b);
    return CS_ERROR(CS_ENOMEM, "out of memory for the validation of %llu rows", (unsigned long long)n);
}

/* Evaluates the m rows v[idx[0..m)] (v[0..m) when idx is NULL) into *rep: CS_EDATA when they hold
 * one class only. */
static int score_eval_rows(score_eval_buf *b, const score_vrow *v, const uint64_t *idx, size_t m,
                           metrics_report *rep)
{
    for (size_t i = 0; i < m; i++) {
        const score_vrow *x = &v[idx ? idx[i] : i];
        b->score[i] = x->prob;
        b->label[i] = x->label;
        b->key[i] = x->id;
    }
    return metrics_evaluate(b->score, b->label, b->key, m, rep, b->mw);
}

/* The overall validation report of n gathered rows; *validated = 0 when they hold one class. */
static int score_validate_all(const score_vrow *v, uint64_t n, metrics_report *overall, int *validated)
{
    score_eval_buf b;
    CS_TRY(score_eval_alloc(&b, n));
    int rc = score_eval_rows(&b, v, NULL, (size_t)n, overall);
    if (rc == CS_OK) *validated = 1;
    else if (rc == CS_EDATA) {
        status_clear();
        rc = CS_OK;
        log_info("score: validation skipped: the labelled rows hold only one class");
    }
    score_eval_free(&b);
    return rc;
}

/* The per-region reports of n gathered rows (reg_ok[g] = 0 where a region has one class or no row);
 * nothing when the rows as a whole hold one class (no validation at all then). */
static int score_validate_regions(const score_job *j, const score_vrow *v, uint64_t n,
                                  metrics_report *reg, int *reg_ok)
{
    for (size_t g = 0; g < j->nreg; g++) reg_ok[g] = 0;
    uint64_t npos = 0;
    for (uint64_t i = 0; i < n; i++) npos += v[i].label == 1;
    if (npos == 0 || npos == n) return CS_OK;
    score_eval_buf b;
    CS_TRY(score_eval_alloc(&b, n));
    uint64_t *start = calloc(j->nreg + 1, sizeof(uint64_t));
    uint64_t *perm = malloc((n ? n : 1) * sizeof(uint64_t));
    int rc = start && perm ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the validation of %llu rows",
                                              (unsigned long long)n);
    if (rc == CS_OK) {
        /* a counting sort by region, stable, so each region keeps the global row order (the report
         * does not depend on the order, but the input stays fixed) */
        for (uint64_t i = 0; i < n; i++) start[v[i].region + 1]++;
        for (size_t g = 0; g < j->nreg; g++) start[g + 1] += start[g];
        for (uint64_t i = 0; i < n; i++) perm[start[v[i].region]++] = i;
        /* start[g] is now the end of region g */
        for (size_t g = 0; rc == CS_OK && g < j->nreg; g++) {
            uint64_t a = g ? start[g - 1] : 0;
            size_t m = (size_t)(start[g] - a);
            if (m == 0) continue;
            int erc = score_eval_rows(&b, v, perm + a, m, &reg[g]);
            if (erc == CS_OK) reg_ok[g] = 1;
            else if (erc == CS_EDATA) status_clear(); /* one class only: no AUC */
            else rc = erc;
        }
    }
    free(start);
    free(perm);
    score_eval_free(&b);
    return rc;
}

/* Phase 4 (collective): validation over the labelled rows (or the sample). */
static int score_validate(score_job *j, metrics_report *overall, metrics_report *reg, int *reg_ok,
                          int *validated, uint64_t *labelled)
{
    int64_t lab = j->labelled, kept = (int64_t)j->nv;
    int64_t t[2] = {lab, kept};
    CS_TRY(red_sum_i64(j->ctx->comm, t, 2));
    *labelled = (uint64_t)t[0];
    *validated = 0;
    if (t[0] == 0) return CS_OK;
    /* more kept than allowed: keep the validate_max smallest hashes, found exactly across ranks */
    if ((uint64_t)t[1] > j->o.validate_max) {
        uint64_t *h = malloc((j->nv ? j->nv : 1) * sizeof(uint64_t));
        int rc = h ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
        rc = red_agree(j->ctx->comm, rc);
        if (rc != CS_OK) {
            free(h);
            return rc;
        }
        for (size_t i = 0; i < j->nv; i++) h[i] = j->vrows[i].hash;
        uint64_t want = j->o.validate_max - 1, thr = 0;
        rc = sel_kth_u64(j->ctx->comm, h, j->nv, 64, 1, &want, &thr);
        free(h);
        if (rc != CS_OK) return rc;
        size_t k = 0;
        for (size_t i = 0; i < j->nv; i++)
            if (j->vrows[i].hash <= thr) j->vrows[k++] = j->vrows[i];
        j->nv = k;
    }
    /* Rank 0 evaluates all rows while the helper rank (rank 1 when there is one) evaluates each
     * region: both get the rows in global row order, so the reports are the bits one rank would
     * compute; the helper then broadcasts the regions' reports. */
    MPI_Comm comm = j->ctx->comm;
    int me = j->ctx->rank, h = gat_helper_rank(comm);
    void *all = NULL, *allh = NULL;
    uint64_t n = 0, nh = 0;
    CS_TRY(gat_rows_to_root(comm, j->vrows, j->nv, sizeof(score_vrow), &all, &n));
    if (h != 0) {
        int grc = gat_rows_to_rank(comm, h, j->vrows, j->nv, sizeof(score_vrow), &allh, &nh);
        if (grc != CS_OK) {
            free(all);
            return grc;
        }
    } else {
        allh = all;
        nh = n;
    }
    int rc = CS_OK;
    if (me == 0) rc = score_validate_all(all, n, overall, validated);
    if (me == h && rc == CS_OK) rc = score_validate_regions(j, allh, nh, reg, reg_ok);
    if (allh != all) free(allh);
    free(all);
    rc = red_agree(comm, rc);
    MPI_Bcast(validated, 1, MPI_INT, 0, comm);
    if (rc == CS_OK && h != 0) {
        MPI_Bcast(reg_ok, (int)j->nreg, MPI_INT, h, comm);
        MPI_Bcast(reg, (int)(j->nreg * sizeof *reg), MPI_BYTE, h, comm);
    }
    if (!*validated)
        for (size_t g = 0; g < j->nreg; g++) reg_ok[g] = 0;
    return rc;
}

/* --read-only: the same datasets, read the same way, nothing computed. */
static int score_read_only(score_job *j)
{
    scan_state sc;
    unsigned what = SCAN_ID | SCAN_REGION | SCAN_BRAND | SCAN_FEATURES | (j->s->has_labels ? SCAN_CHURNED : 0);
    int rc = scan_init(&sc, j->r, &j->pr, (size_t)j->o.block, what, j->ctx->nranks);
    rc = red_agree(j->ctx->comm, rc);
    size_t cache_b = 0;
    if (rc == CS_OK) rc = red_agree(j->ctx->comm, scan_layout(&sc, score_cache_budget(j), &cache_b));
    if (rc != CS_OK) {
        scan_clear(&sc);
        return rc;
    }
    MPI_Barrier(j->ctx->comm);
    double t0 = MPI_Wtime();
    scan_begin(&sc, "read");
    while (rc == CS_OK) {
        rc = scan_next(&sc);
        if (rc != CS_OK || sc.n == 0) break;
    }
    scan_clear(&sc);
    rc = red_agree(j->ctx->comm, rc);
    double dt = MPI_Wtime() - t0;
    if (rc == CS_OK) rc = red_max_f64(j->ctx->comm, &dt, 1);
    if (rc == CS_OK) {
        double bytes = (double)j->s->n * (double)(j->s->p * 4 + 8 + 2 + 1 + (j->s->has_labels ? 1 : 0));
        log_info("score --read-only: read %llu rows in %.3f s (%.0f rows/s, %.0f MB/s) with %d ranks",
                 (unsigned long long)j->s->n, dt, dt > 0 ? (double)j->s->n / dt : 0.0,
                 dt > 0 ? bytes / dt / 1e6 : 0.0, j->ctx->nranks);
        if (j->ctx->rank == 0) {
            printf("read_seconds %.3f\n", dt);
            fflush(stdout);
        }
    }
    return rc;
}

static void score_print_summary(const score_job *j, const int64_t *listed, const double *sums,
                                const double cut[4], int validated, const metrics_report *ov,
                                uint64_t labelled)
{
    const snap_schema *s = j->s;
    printf("\n%-24s %12s %12s %9s %9s %9s %16s\n", "region", "subscribers", "exp.leavers", "alarm",
           "warning", "listed", "value_at_risk");
    int64_t ts = 0, ta = 0, tw = 0, tl = 0;
    double te = 0, tv = 0;
    for (size_t g = 0; g < j->nreg; g++) {
        printf("%-24s %12lld %12.2f %9lld %9lld %9lld %16.2f\n", s->region_names[g],
               (long long)j->cnt[3 * g], sums[2 * g], (long long)j->cnt[3 * g + 1],
               (long long)j->cnt[3 * g + 2], (long long)listed[g], sums[2 * g + 1]);
        ts += j->cnt[3 * g];
        ta += j->cnt[3 * g + 1];
        tw += j->cnt[3 * g + 2];
        tl += listed[g];
        te += sums[2 * g];
        tv += sums[2 * g + 1];
    }
    printf("%-24s %12lld %12.2f %9lld %9lld %9lld %16.2f\n", "total", (long long)ts, te, (long long)ta,
           (long long)tw, (long long)tl, tv);
    printf("value tiers by monthly ARPU: cut-offs %.2f %.2f %.2f %.2f\n", cut[0], cut[1], cut[2], cut[3]);
    if (validated)
        printf("validation on %llu of %llu labelled subscribers (%llu churned): AUC %.4f, lift@10%% %.2f, "
               "capture 5/10/20%% %.3f/%.3f/%.3f, KS %.4f, Brier %.5f\n",
               (unsigned long long)ov->n, (unsigned long long)labelled, (unsigned long long)ov->npos,
               ov->auc, ov->lift10, ov->capture5, ov->capture10, ov->capture20, ov->ks, ov->brier);
    else
        printf("validation: none (the snapshot has no usable labels)\n");
    fflush(stdout);
}

int cmd_score(const cmd_ctx *ctx, int argc, char **argv)
{
    score_job j;
    memset(&j, 0, sizeof j);
    j.ctx = ctx;
    j.m.tenure_idx = j.m.contract_idx = -1;
    score_opts *o = &j.o;
    rules_params_default(&o->rp); /* the model's warning cut-off; the options come from the table */
    o->warn_cutoff = NAN;
    double warn = -1;
    char *lists_arg = NULL; /* --lists without trailing slashes, when it had them */
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"in", &o->in}, {"model", &o->model}, {"out", &o->out}, {"lists", &o->lists}, {"top", &o->top},
        {"rank-by", &o->rank_by_s}, {"mask-ids", &o->mask_ids}, {"bom", &o->bom},
        {"horizon", &o->horizon}, {"warn-cutoff", &warn},
        {"onboarding-months", &o->rp.onboarding_months}, {"growth-months", &o->rp.growth_months},
        {"contract-ending-months", &o->rp.contract_ending_months}, {"traffic-fall", &o->rp.traffic_fall},
        {"idle-days", &o->rp.idle_days}, {"collapse", &o->rp.collapse},
        {"collapse-min", &o->rp.collapse_min}, {"validate-max", &o->validate_max},
        {"block-rows", &o->block}, {"memory", &o->memory}, {"read-only", &o->read_only}, {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_SCORE, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    if (rc == CS_OK && !o->read_only) {
        if (!o->model) rc = CS_ERROR(CS_EINVAL, "option --model is required");
        else if (!o->out) rc = CS_ERROR(CS_EINVAL, "option --out is required");
        else if (!o->lists) rc = CS_ERROR(CS_EINVAL, "option --lists is required");
    }
    /* values are checked by the table; here they become what the pipeline reads */
    if (rc == CS_OK) o->rank_by_var = strcmp(o->rank_by_s, "value_at_risk") == 0;
    if (rc == CS_OK && warn != -1) o->warn_cutoff = o->rp.warn_cutoff = warn;
    /* "L/" would make the temporary directory "L/.tmp", inside L itself */
    if (rc == CS_OK && o->lists) {
        size_t len = strlen(o->lists);
        while (len > 1 && o->lists[len - 1] == '/') len--;
        if (len < strlen(o->lists) && !(lists_arg = strndup(o->lists, len)))
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
        if (lists_arg) o->lists = lists_arg;
    }
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) {
        free(lists_arg);
        return rc;
    }
    /* before anything is written: no output may touch an input or another output, and each is
     * locked against a second run (outguard.h); rank 0 decides and holds the locks */
    outguard *guard = NULL;
    if (!o->read_only) {
        outguard_path paths[] = {{"--in", o->in, OUTGUARD_INPUT}, {"--model", o->model, OUTGUARD_INPUT},
                                 {"--out", o->out, OUTGUARD_OUTPUT}, {"--lists", o->lists, OUTGUARD_OUTPUT_DIR}};
        if (ctx->rank == 0) rc = outguard_acquire(paths, sizeof paths / sizeof paths[0], &guard);
        rc = red_agree(ctx->comm, rc);
        if (rc != CS_OK) {
            free(lists_arg);
            return rc;
        }
    }

    double t_start = MPI_Wtime();
    rc = score_open(&j);
    rc = red_agree(ctx->comm, rc);
    /* duplicate ids would put one subscriber twice on a list */
    if (rc == CS_OK && !o->read_only) rc = dup_check(ctx, j.r, o->memory);
    if (rc == CS_OK && o->read_only) {
        rc = score_read_only(&j);
        score_job_free(&j);
        free(lists_arg);
        return rc;
    }
    /* rank 0 creates DIR.tmp; the others know its name, as region owners may write there too */
    char *tmpdir = NULL;
    if (rc == CS_OK && ctx->rank == 0) rc = lists_dir_begin(o->lists, &tmpdir);
    else if (rc == CS_OK && !(tmpdir = lists_dir_tmp(o->lists))) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) {
        if (ctx->rank == 0) lists_dir_commit(o->lists, tmpdir, 0);
        free(tmpdir);
        score_job_free(&j);
        outguard_release(guard);
        free(lists_arg);
        return rc;
    }
    const snap_schema *s = j.s;
    /* the validation sample: with more rows than --validate-max, keep a hash-of-id share a little
     * above the target, cut exactly to --validate-max after the pass */
    j.vthr = UINT64_MAX;
    if (s->has_labels && s->n > o->validate_max) {
        double f = 1.1 * (double)o->validate_max / (double)s->n;
        if (f < 1.0) j.vthr = (uint64_t)(f * 18446744073709551616.0);
    }
    char *optstr = options_describe(&defs);
    char created[32];
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    scores_meta meta = {
        .n = s->n, .n_regions = s->n_regions, .region_names = (const char *const *)s->region_names,
        .n_brands = s->n_brands, .brand_names = (const char *const *)s->brand_names,
        .n_reasons = 2 * j.m.n_coef, .reason_text = (const char *const *)j.reason_text,
        .reason_column = (const char *const *)j.reason_col, .snapshot = o->in, .model = o->model,
        .month = s->month, .version = cmd_version(), .created = created, .options = optstr,
        .horizon_months = o->horizon, .warn_cutoff = o->rp.warn_cutoff, .rank_by = o->rank_by_s,
    };
    scores_writer *w = NULL;
    rc = scores_create(o->out, ctx->comm, &meta, &w);
    free(optstr);
    rc = red_agree(ctx->comm, rc);
    char topdesc[32] = "all";
    if (o->top) snprintf(topdesc, sizeof topdesc, "%llu", (unsigned long long)o->top);
    if (rc == CS_OK)
        log_info("score: %llu subscribers, %zu regions, model with %zu inputs (%zu design columns), "
                 "warning at p >= %.4f, lists of %s per region by %s, %d ranks",
                 (unsigned long long)s->n, s->n_regions, j.m.p_in, j.m.n_coef, o->rp.warn_cutoff,
                 topdesc, o->rank_by_s, ctx->nranks);

    /* phase 1 */
    double t1 = MPI_Wtime();
    if (rc == CS_OK) rc = red_agree(ctx->comm, score_pass(&j, w));
    double t_pass = MPI_Wtime() - t1;
    /* phase 2 */
    double cut[4] = {NAN, NAN, NAN, NAN};
    double t2 = MPI_Wtime();
    if (rc == CS_OK) rc = score_tiers(&j, w, cut);
    double t_tiers = MPI_Wtime() - t2;
    if (rc == CS_OK) rc = red_tree_allreduce(j.tree, ctx->comm, j.pr.nblocks, j.sums);
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, j.cnt, 3 * j.nreg);
    double *psi = calloc(j.drift.cols + 1, sizeof(double));
    if (rc == CS_OK && !psi) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    /* drift_finish is collective: a rank whose psi failed must not stay out while the others enter it */
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = drift_finish(&j.drift, ctx->comm, &j.story, psi);
    rc = red_agree(ctx->comm, rc);
    /* phase 3 */
    int64_t *listed = calloc(j.nreg + 1, sizeof(int64_t));
    lists_ctx lc = {.mask_ids = o->mask_ids, .bom = o->bom, .n_regions = s->n_regions,
                    .region_names = (const char *const *)s->region_names, .n_brands = s->n_brands,
                    .brand_names = (const char *const *)s->brand_names, .n_reasons = 2 * j.m.n_coef,
                    .reason_text = (const char *const *)j.reason_text};
    double t3 = MPI_Wtime();
    if (rc == CS_OK && !listed) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = score_lists(&j, &lc, tmpdir, listed);
    double t_lists = MPI_Wtime() - t3;
    /* phase 4 */
    metrics_report overall;
    memset(&overall, 0, sizeof overall);
    metrics_report *reg = calloc(j.nreg + 1, sizeof *reg);
    int *reg_ok = calloc(j.nreg + 1, sizeof(int));
    int validated = 0;
    uint64_t labelled = 0;
    double t4 = MPI_Wtime();
    if (rc == CS_OK && (!reg || !reg_ok)) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK && s->has_labels) rc = score_validate(&j, &overall, reg, reg_ok, &validated, &labelled);
    double t_val = MPI_Wtime() - t4;
    /* phase 5 */
    double *region_auc = calloc(j.nreg + 1, sizeof(double)), *region_lift = calloc(j.nreg + 1, sizeof(double));
    double *expl = calloc(j.nreg + 1, sizeof(double)), *vart = calloc(j.nreg + 1, sizeof(double));
    int64_t *subs = calloc(j.nreg + 1, sizeof(int64_t)), *al = calloc(j.nreg + 1, sizeof(int64_t));
    int64_t *wa = calloc(j.nreg + 1, sizeof(int64_t));
    if (rc == CS_OK && (!region_auc || !region_lift || !expl || !vart || !subs || !al || !wa))
        rc = CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t g = 0; rc == CS_OK && g < j.nreg; g++) {
        region_auc[g] = validated && reg_ok[g] ? reg[g].auc : NAN;
        region_lift[g] = validated && reg_ok[g] ? reg[g].lift10 : NAN;
        expl[g] = j.sums[2 * g];
        vart[g] = j.sums[2 * g + 1];
        subs[g] = j.cnt[3 * g];
        al[g] = j.cnt[3 * g + 1];
        wa[g] = j.cnt[3 * g + 2];
    }
    double t5 = MPI_Wtime();
    if (rc == CS_OK && ctx->rank == 0) {
        lists_summary ls = {.month = s->month, .rank_by = o->rank_by_s, .top = o->top,
                            .subscribers = subs, .alarm = al, .warning = wa, .listed = listed,
                            .expected_leavers = expl, .value_at_risk = vart, .validated = validated,
                            .val_n = overall.n, .val_npos = overall.npos, .labelled = labelled,
                            .auc = overall.auc, .lift10 = overall.lift10, .capture5 = overall.capture5,
                            .capture10 = overall.capture10, .capture20 = overall.capture20,
                            .ks = overall.ks, .brier = overall.brier, .region_auc = region_auc,
                            .region_lift10 = region_lift};
        rc = lists_summary_write(&lc, tmpdir, &ls);
        if (rc == CS_OK && j.drift.cols) {
            const char **dn = malloc(j.drift.cols * sizeof(char *));
            if (!dn) rc = CS_ERROR(CS_ENOMEM, "out of memory");
            for (size_t c = 0; dn && c < j.drift.cols; c++)
                dn[c] = c == 0 ? "churn probability" : c < j.m.n_coef ? j.m.coef_names[c] : "?";
            if (dn) rc = drift_report(tmpdir, dn, psi, j.drift.cols);
            free(dn);
        }
    }
    rc = red_agree(ctx->comm, rc);
    scores_final fin = {.subscribers = subs, .alarm = al, .warning = wa, .listed = listed,
                        .expected_leavers = expl, .value_at_risk = vart, .validated = validated,
                        .labelled = labelled, .overall = &overall, .region = reg, .region_ok = reg_ok};
    memcpy(fin.tier_cut, cut, sizeof cut);
    /* SCORES.h5 and DIR commit together: the shared file is closed on every rank (that close writes
     * its metadata) and agreed, rank 0 adds the final values, and only when both are complete does
     * rank 0 rename both into place (commit.h: a failed second rename puts the first back) */
    int xrc = red_agree(ctx->comm, scores_close(w));
    if (rc == CS_OK) rc = xrc;
    commit_set *cs = ctx->rank == 0 ? commit_set_alloc() : NULL;
    if (rc == CS_OK && ctx->rank == 0 && !cs) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    int frc = scores_finish(w, rc == CS_OK, &fin, cs);
    rc = red_agree(ctx->comm, rc != CS_OK ? rc : frc);
    int drc = CS_OK;
    if (ctx->rank == 0) {
        if (rc == CS_OK) drc = lists_dir_seal(tmpdir); /* the manifest: which files are ours */
        if (rc == CS_OK && drc == CS_OK) drc = commit_set_add(cs, tmpdir, o->lists, lists_dir_drop);
        if (rc == CS_OK && drc == CS_OK) drc = commit_set_apply(cs);
        commit_set_free(cs); /* removes what was not committed */
        if (rc != CS_OK || drc != CS_OK) lists_dir_commit(o->lists, tmpdir, 0);
    }
    rc = red_agree(ctx->comm, rc != CS_OK ? rc : drc);
    t_lists += MPI_Wtime() - t5;

    double tm[3] = {j.t_read, j.t_compute, j.t_write};
    red_max_f64(ctx->comm, tm, 3);
    double rss[2] = {log_peak_rss(), -log_peak_rss()};
    red_max_f64(ctx->comm, rss, 2);
    if (rc == CS_OK && ctx->rank == 0) {
        score_print_summary(&j, listed, j.sums, cut, validated, &overall, labelled);
        double total = MPI_Wtime() - t_start;
        log_info("score: wrote %s and %s/ in %.2f s: pass %.2f s (read %.2f, compute %.2f, write %.2f; "
                 "max over ranks), tiers %.2f s, lists %.2f s, validation %.2f s (%.0f rows/s)",
                 o->out, o->lists, total, t_pass, tm[0], tm[1], tm[2], t_tiers, t_lists, t_val,
                 total > 0 ? (double)s->n / total : 0.0);
        printf("passes: 1 over the snapshot; 2 over the ARPU column of %s (tiers)\n", o->out);
        printf("peak memory per rank: %.1f MB (max), %.1f MB (min), budget %.0f MB\n", rss[0] / 1e6,
               -rss[1] / 1e6, (double)o->memory / 1e6);
        printf("timing_seconds total %.3f pass %.3f read %.3f compute %.3f write %.3f tiers %.3f "
               "lists %.3f validation %.3f\n", total, t_pass, tm[0], tm[1], tm[2], t_tiers, t_lists, t_val);
        fflush(stdout);
    }
    free(tmpdir);
    free(psi);
    free(listed);
    free(reg);
    free(reg_ok);
    free(region_auc);
    free(region_lift);
    free(expl);
    free(vart);
    free(subs);
    free(al);
    free(wa);
    score_job_free(&j);
    outguard_release(guard);
    free(lists_arg);
    return rc;
}
