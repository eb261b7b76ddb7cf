/* score_pass.c — phase 1 of `churnscore score`: one pass over a rank's rows.
 *
 * Per fixed reduction block (part.h, so a BLAS call sees the same rows for any rank count): the
 * model's inputs picked by name, design rows and probabilities (model/cmodel.h), the reasons (the
 * facts of the row behind the model's largest contributions), stage and phase (model/rules.h), value
 * at risk. Rows go to SCORES.h5 as they are done; alarm and warning
 * subscribers go to the per-region candidate lists (model/topk.h: bounded heaps with --top K);
 * per-region sums go into the fixed-tree reduction (reduce.h); labelled rows, or a hash-of-id sample
 * of them, are kept for the validation; each row's ARPU key is histogrammed for the tiers
 * (score_tiers.c), which read the ARPU back from SCORES.h5 rather than keep it. Nothing here talks
 * to another rank except the scan's layout check and score_totals_reduce at the end.
 */
#include "score_pass.h"

#include "comm.h"
#include "idhash.h"
#include "log.h"
#include "scan.h"
#include "score_tags.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the candidates carry the row's reason codes and values as they are */
_Static_assert(sizeof(((topk_item *)0)->reason) == SCORES_NREASONS * sizeof(int16_t),
               "topk_item.reason holds SCORES_NREASONS codes");
_Static_assert(sizeof(((topk_item *)0)->fact) == SCORES_NREASONS * sizeof(float),
               "topk_item.fact holds SCORES_NREASONS values");

static int score_alloc(score_job *j, size_t io)
{
    const cmodel *m = &j->in.m;
    score_bufs *b = &j->buf;
    size_t nreg = j->in.nreg, w = m->n_coef;
    b->xin = malloc(PART_BLOCK_ROWS * (m->p_in ? m->p_in : 1) * sizeof(float));
    b->X = malloc(PART_BLOCK_ROWS * (w ? w : 1) * sizeof(float));
    b->ws = malloc((cmodel_work_len(m, PART_BLOCK_ROWS) + 1) * sizeof(double));
    b->prob = malloc(io * sizeof(double));
    b->value_at_risk = malloc(io * sizeof(double));
    b->pvol = malloc(io * sizeof(double));
    b->pinv = malloc(io * sizeof(double));
    b->stage = malloc(io);
    b->phase = malloc(io);
    b->tier = malloc(io);
    b->queue = malloc(io);
    b->segment = malloc(io * sizeof(int16_t));
    b->reason = malloc(io * SCORES_NREASONS * sizeof(int16_t));
    b->fact = malloc(io * SCORES_NREASONS * sizeof(float));
    b->arpu = malloc(io * sizeof(float));
    b->tags = malloc(io * sizeof(uint64_t));
    b->contrib = malloc(io * sizeof(float));
    /* issue 16: the area column of the lists, where the snapshot has areas */
    b->area = j->in.s->n_areas ? malloc(io * sizeof *b->area) : NULL;
    if (j->in.s->n_areas && !b->area) return CS_ERROR(CS_ENOMEM, "out of memory for the areas");
    j->arpu_hist = calloc(SCORE_ARPU_BUCKETS, sizeof(int64_t));
    j->cand = topk_alloc(nreg ? SCORE_NGROUPS(nreg) : 1, j->in.k);
    j->tot.tree = red_tree_alloc(SCORE_NSUMS * nreg);
    j->tot.block = calloc(SCORE_NSUMS * nreg + 1, sizeof(double));
    j->tot.sums = calloc(SCORE_NSUMS * nreg + 1, sizeof(double));
    j->tot.count = calloc(SCORE_NCOUNTS * nreg + 1, sizeof(int64_t));
    if (!b->xin || !b->X || !b->ws || !b->prob || !b->value_at_risk || !b->pvol || !b->pinv || !b->stage ||
        !b->phase || !b->tier || !b->queue || !b->segment || !b->reason || !b->fact || !b->arpu || !b->tags || !b->contrib || !j->arpu_hist || !j->cand ||
        !j->tot.tree || !j->tot.block ||
        !j->tot.sums || !j->tot.count)
        return CS_ERROR(CS_ENOMEM, "out of memory for scoring buffers (%zu rows per block, %llu own rows)",
                        io, (unsigned long long)j->in.pr.rows);
    return CS_OK;
}

static int score_keep_vrow(score_vsample *vs, const score_vrow *v)
{
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? vs->cap * 2 : 4096;
        score_vrow *p = realloc(vs->rows, cap * sizeof *p);
        if (!p) return CS_ERROR(CS_ENOMEM, "out of memory for %zu validation rows (lower --validate-max)", cap);
        vs->rows = p;
        vs->cap = cap;
    }
    vs->rows[vs->n++] = *v;
    return CS_OK;
}

/* The labelled rows kept: with a sample, its expected share plus slack, so that one allocation
 * serves instead of a doubling series of copies (score_keep_vrow grows it if the share runs over). */
static void score_vsample_reserve(score_job *j)
{
    score_vsample *vs = &j->vs;
    uint64_t rows = j->in.pr.rows;
    if (!j->in.s->has_labels || rows == 0) return;
    double share = vs->thr == UINT64_MAX ? 1.0 : (double)vs->thr / 0x1p64;
    size_t want = (size_t)((double)rows * share * 1.02) + 1024;
    if (want > rows) want = (size_t)rows;
    vs->rows = malloc(want * sizeof(score_vrow));
    vs->cap = vs->rows ? want : 0;
}

/* One reduction block of n rows starting at offset off of the scan buffers. */
static int score_block(score_job *j, scan_state *sc, size_t off, size_t n)
{
    const score_inputs *in = &j->in;
    const cmodel *m = &in->m;
    const rules_params *rp = &j->o.rp;
    score_bufs *b = &j->buf;
    score_totals *tot = &j->tot;
    size_t p = in->s->p, pin = m->p_in;
    for (size_t i = 0; i < n; i++) {
        const float *x = sc->features + (off + i) * p;
        float *xi = b->xin + i * pin;
        for (size_t c = 0; c < pin; c++) xi[c] = x[in->pick[c]];
    }
    for (size_t i = 0; i < n; i++) b->brand[i] = in->brand_map[sc->brand[off + i]];
    cmodel_design(m, b->xin, b->brand, n, b->X, b->ws);
    for (size_t i = 0; i < n; i++) b->segment[off + i] = m->seg ? (int16_t)segment_assign(m->seg, b->X + i * m->n_coef) : -1;
    cmodel_predict(m, b->X, n, b->prob + off);
    cmodel_predict_types(m, b->X, n, b->prob + off, b->pvol + off, b->pinv + off);
    drift_add(&j->drift, &in->story, b->X, m->n_coef, b->prob + off, sc->id + off, n);
    memset(tot->block, 0, SCORE_NSUMS * in->nreg * sizeof(double));
    score_tags_block(j, sc, off, n);
    for (size_t i = 0; i < n; i++) {
        size_t r = off + i;
        const float *x = sc->features + r * p;
        double prob = b->prob[r], pvol = b->pvol[r], pinv = b->pinv[r];
        int16_t *reason = b->reason + r * SCORES_NREASONS;
        float *fact = b->fact + r * SCORES_NREASONS;
        rules_reasons(in->reasoner, x, b->X + i * m->n_coef, reason, fact);
        int st = rules_stage(rp, &in->cols, x);
        /* the warning phase is retention's early care: it reads the voluntary probability */
        unsigned sig = rules_signals(rp, &in->cols, x);
        int ph = rules_phase_of(rp, sig, pvol);
        float arpu = (float)rules_arpu(&in->cols, x);
        double risk = rules_value_at_risk(prob, (double)arpu, j->o.horizon);
        b->stage[r] = (uint8_t)st;
        b->phase[r] = (uint8_t)ph;
        b->arpu[r] = arpu;
        b->value_at_risk[r] = risk;
        /* the grades are by contribution (issue 17): ARPU, less the cost where the site has one */
        float contrib = b->contrib[r] = score_tags_contrib(j, x, arpu);
        if (!isnan(contrib)) j->arpu_hist[rules_arpu_key(contrib) >> SCORE_KEY_HALF_BITS]++;
        uint16_t g = sc->region[r];
        tot->block[SCORE_NSUMS * g + SCORE_SUM_LEAVERS] += prob;
        tot->block[SCORE_NSUMS * g + SCORE_SUM_RISK] += risk;
        tot->count[SCORE_NCOUNTS * g + SCORE_COUNT_SUBSCRIBERS]++;
        if (ph == RULES_ALARM) tot->count[SCORE_NCOUNTS * g + SCORE_COUNT_ALARM]++;
        if (ph == RULES_WARNING) tot->count[SCORE_NCOUNTS * g + SCORE_COUNT_WARNING]++;
        int q = queue_of(sig, ph, pvol, pinv, j->o.collections_cutoff);
        b->queue[r] = (uint8_t)q;
        if (q != QUEUE_NONE) {
            tot->count[SCORE_NCOUNTS * g + SCORE_COUNT_QUEUE + q - QUEUE_RETENTION]++;
            double qp = queue_prob(q, prob, pvol, pinv);
            double qrisk = rules_value_at_risk(qp, (double)arpu, j->o.horizon);
            topk_item it = {.key = queue_key(q, j->o.rank_by_risk, qp, qrisk), .id = sc->id[r],
                            .row = sc->row0 + r, .prob = prob, .var = qrisk, .pvol = pvol, .pinv = pinv,
                            .arpu = arpu, .contrib = contrib, .tags = b->tags[r], .region = g, .area = b->area ? b->area[r] : TOPK_NO_AREA, .brand = sc->brand[r], .stage = (uint8_t)st,
                            .phase = (uint8_t)ph, .tier = 0, .queue = (uint8_t)q, .segment = b->segment[r],
                            .band = (uint8_t)queue_band(q, sig, ph),
                            .online = in->online_col >= 0 && playbook_online(in->pb, (double)x[in->online_col]),
                            .prev_phase = TOPK_NO_PREV, .prev_prob = NAN};
            memcpy(it.reason, reason, sizeof it.reason);
            for (size_t k = 0; k < in->n_extra; k++) it.extra[k] = x[in->extra_col[k]];
            memcpy(it.fact, fact, sizeof it.fact);
            CS_TRY(topk_push(j->cand, score_group(q, g, in->nreg), &it));
        }
        if (sc->churned && (sc->churned[r] == 0 || sc->churned[r] == 1)) {
            j->vs.labelled++;
            score_vrow v = {.hash = idhash_splitmix(sc->id[r]), .prob = prob, .id = (int64_t)sc->id[r],
                            .region = g, .label = (uint8_t)sc->churned[r]};
            if (v.hash < j->vs.thr || j->vs.thr == UINT64_MAX) CS_TRY(score_keep_vrow(&j->vs, &v));
        }
    }
    return red_tree_add(tot->tree, (sc->row0 + off) / PART_BLOCK_ROWS, tot->block);
}

/* Collective. The scan of the datasets scoring reads (score_pass and score_read_only alike), its
 * layout checked with the chunk cache a badly chunked snapshot may have: a quarter of --memory
 * (which the option table keeps at 1 byte or more). Agreed; on failure sc is cleared. */
static int score_scan_open(score_job *j, scan_state *sc)
{
    MPI_Comm comm = j->ctx->comm;
    unsigned what = SCAN_ID | SCAN_REGION | SCAN_BRAND | SCAN_FEATURES | 
                    (j->in.s->has_labels ? SCAN_CHURNED | SCAN_CHURN_TYPE : 0);
    uint64_t cache_budget = j->o.memory / 4;
    size_t cache_b = 0;
    /* agreed before scan_layout, which is collective under CS_READ_MPIO */
    int rc = red_agree(comm, scan_init(sc, j->in.r, &j->in.pr, (size_t)j->o.block, what, j->ctx->nranks));
    if (rc == CS_OK) rc = red_agree(comm, scan_layout(sc, cache_budget, &cache_b));
    if (rc != CS_OK) scan_clear(sc);
    return rc;
}

int score_pass(score_job *j, scores_writer *w)
{
    scan_state sc;
    CS_TRY(score_scan_open(j, &sc));
    int rc = score_alloc(j, sc.io_rows);
    /* a block of io rows: the scan's id, region, brand, features and labels, and the per-row outputs */
    j->buf.io_bytes = sc.io_rows * (sizeof(uint64_t) + sizeof(uint16_t) + 2 + sizeof(int16_t) + j->in.s->p * sizeof(float) +
                                    4 * sizeof(double) + 4 + SCORES_NREASONS * (sizeof(int16_t) + sizeof(float)) +
                                    2 * sizeof(float) + sizeof(uint64_t));
    if (rc == CS_OK && score_mem_in_use(j) > j->o.memory)
        rc = CS_ERROR(CS_ENOMEM, "rank %d: the block buffers of --block-rows %zu take %zu bytes, over "
                      "--memory %llu: lower --block-rows, or give a larger --memory",
                      j->ctx->rank, sc.io_rows, score_mem_in_use(j), (unsigned long long)j->o.memory);
    if (rc == CS_OK) score_vsample_reserve(j);
    scan_begin(&sc, "score");
    const score_bufs *b = &j->buf;
    while (rc == CS_OK) {
        double t0 = comm_now();
        rc = scan_next(&sc);
        double t1 = comm_now();
        j->t.read += t1 - t0;
        if (rc != CS_OK || sc.n == 0) break;
        if (b->area) rc = snap_read_area(sc.r, sc.row0, sc.n, sc.region, b->area); /* issue 16 */
        for (size_t off = 0; rc == CS_OK && off < sc.n; off += PART_BLOCK_ROWS) {
            size_t n = sc.n - off < PART_BLOCK_ROWS ? sc.n - off : PART_BLOCK_ROWS;
            rc = score_block(j, &sc, off, n);
        }
        double t2 = comm_now();
        j->t.compute += t2 - t1;
        if (rc == CS_OK)
            rc = scores_write(w, sc.row0, sc.n, sc.id, sc.region, sc.brand, b->prob, b->stage, b->phase,
                              b->arpu, b->value_at_risk, b->reason, b->fact);
        if (rc == CS_OK && j->in.has_types) rc = scores_write_types(w, sc.row0, sc.n, b->pvol, b->pinv);
        if (rc == CS_OK && j->in.m.seg) rc = scores_write_segment(w, sc.row0, sc.n, b->segment);
        if (rc == CS_OK) rc = scores_write_tags(w, sc.row0, sc.n, b->tags, b->contrib);
        if (rc == CS_OK) rc = scores_write_queue(w, sc.row0, sc.n, b->queue);
        j->t.write += comm_now() - t2;
        if (rc == CS_OK && score_mem_in_use(j) > j->o.memory)
            rc = CS_ERROR(CS_ENOMEM, "rank %d: the block buffers, lists and per-row values take %zu bytes, over "
                          "--memory %llu: use --top K, more ranks or a larger --memory",
                          j->ctx->rank, score_mem_in_use(j), (unsigned long long)j->o.memory);
    }
    scan_clear(&sc);
    return rc;
}

int score_read_only(score_job *j)
{
    MPI_Comm comm = j->ctx->comm;
    const snap_schema *s = j->in.s;
    scan_state sc;
    CS_TRY(score_scan_open(j, &sc));
    int rc = comm_barrier(comm);
    double t0 = comm_now();
    scan_begin(&sc, "read");
    while (rc == CS_OK) {
        rc = scan_next(&sc);
        if (rc != CS_OK || sc.n == 0) break;
    }
    scan_clear(&sc);
    rc = red_agree(comm, rc);
    double dt = comm_now() - t0;
    if (rc == CS_OK) rc = red_max_f64(comm, &dt, 1);
    if (rc == CS_OK) {
        /* per row: the features, id, region, brand and label */
        double bytes = (double)s->n * (double)(s->p * 4 + 8 + 2 + 1 + (s->has_labels ? 1 : 0));
        log_info("score --read-only: read %llu rows in %.3f s (%.0f rows/s, %.0f MB/s) with %d ranks",
                 (unsigned long long)s->n, dt, dt > 0 ? (double)s->n / dt : 0.0,
                 dt > 0 ? bytes / dt / 1e6 : 0.0, j->ctx->nranks);
        if (j->ctx->rank == 0) {
            printf("read_seconds %.3f\n", dt);
            fflush(stdout);
        }
    }
    return rc;
}

int score_totals_reduce(score_job *j)
{
    MPI_Comm comm = j->ctx->comm;
    score_totals *tot = &j->tot;
    int rc = red_tree_allreduce(tot->tree, comm, j->in.pr.nblocks, tot->sums);
    if (rc == CS_OK) rc = red_sum_i64(comm, tot->count, SCORE_NCOUNTS * j->in.nreg);
    /* drift_finish is collective: a rank whose reductions failed must not stay out while the others
     * enter it */
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = drift_finish(&j->drift, comm, &j->in.story, j->res.psi);
    return red_agree(comm, rc);
}
