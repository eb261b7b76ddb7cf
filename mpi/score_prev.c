/* score_prev.c — month over month in `churnscore score` (see score_prev.h).
 *
 * The join is eval_join.h's, which `evaluate` uses for its --previous and --scores: an id's owner
 * rank (eval_owner) is where this month's candidate and last month's row of that id meet. Here the
 * owner also answers: it keeps the candidates' ids in a map (id -> where the asking item arrived),
 * fills each answer while last month's rows stream past in blocks, and sends the answers back to
 * the ranks that asked, in the order they asked (eval_xchg_sources). The map holds about a 1/R share
 * of the candidates; when that would not fit the --memory left after the pass, the candidates are
 * split into parts by another hash of the id (eval_part) and last month's file is read once per part.
 */
#include "score_prev.h"

#include "eval_join.h"
#include "log.h"
#include "part.h"
#include "reduce.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An answer's second word: last month's phase (TOPK_NO_PREV: not scored) and months on the lists. */
static uint64_t score_prev_pack(uint8_t phase, uint16_t months) { return (uint64_t)phase | (uint64_t)months << 8; }

static uint64_t score_prev_bits(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double score_prev_double(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

void score_prev_clear(score_job *j)
{
    score_prev_state *p = &j->prev;
    scorein_close(p->sc);
    free(p->fig);
    free(p->rec);
    free(p->last);
    free(p->new_listed);
    memset(p, 0, sizeof *p);
}

/* Rank 0: last month's per-region figures (its SCORES.h5 summary) on this month's regions, by name. */
static int score_prev_figures(score_job *j, const char *path)
{
    size_t nreg = j->in.nreg;
    score_prev_state *p = &j->prev;
    p->fig = malloc(SCORE_PREV_FIGS * (nreg ? nreg : 1) * sizeof *p->fig);
    if (!p->fig) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t k = 0; k < SCORE_PREV_FIGS * nreg; k++) p->fig[k] = NAN;
    scores_info info;
    CS_TRY(scores_info_read(path, &info));
    for (size_t r = 0; r < nreg; r++)
        for (size_t q = 0; q < info.n_regions; q++) {
            if (strcmp(j->in.s->region_names[r], info.region_names[q]) != 0) continue;
            const double *v[SCORE_PREV_FIGS] = {info.subscribers, info.listed, info.expected_leavers,
                                                info.value_at_risk, info.alarm, info.warning};
            for (int k = 0; k < SCORE_PREV_FIGS; k++) p->fig[(size_t)k * nreg + r] = v[k] ? v[k][q] : NAN;
            break;
        }
    scores_info_clear(&info);
    return CS_OK;
}

int score_prev_open(score_job *j)
{
    const cmd_ctx *ctx = j->ctx;
    score_prev_state *p = &j->prev;
    size_t ng = SCORE_NGROUPS(j->in.nreg);
    p->last = calloc(ng, sizeof *p->last);
    p->new_listed = calloc(j->in.nreg + 1, sizeof *p->new_listed);
    int rc = p->last && p->new_listed ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    const char *path = j->o.previous_scores;
    if (rc == CS_OK && path) rc = scorein_open(path, &p->sc);
    if (rc == CS_OK && path) {
        const char *now = j->in.s->month, *then = scorein_month(p->sc);
        snprintf(p->month, sizeof p->month, "%s", then);
        /* "0000-00": a snapshot imported without --month, whose month is unknown */
        int known = strcmp(now, "0000-00") != 0 && strcmp(then, "0000-00") != 0 && *now && *then;
        if (known && strcmp(then, now) >= 0)
            rc = CS_ERROR(CS_EINVAL, "--previous-scores %s is of %s, not before this snapshot's month %s: it "
                          "must be last month's scores", path, then, now);
    }
    if (rc == CS_OK && path) {
        /* the dataset month over month needs, checked now rather than after the pass */
        double pr;
        uint16_t mo;
        if (scorein_rows(p->sc) > 0) rc = scorein_read_prev(p->sc, 0, 1, &pr, &mo);
    }
    if (rc == CS_OK && path && ctx->rank == 0) rc = score_prev_figures(j, path);
    return red_agree(ctx->comm, rc);
}

/* Rounds every rank takes part in: the most blocks any rank reads. */
static uint64_t score_prev_rounds(uint64_t rows, uint64_t block, MPI_Comm comm)
{
    uint64_t r = (rows + block - 1) / block;
    red_max_u64(comm, &r, 1);
    return r;
}

/* Bytes per row of the block buffers of last month's rows: the row, its outgoing item and owner,
 * the send and receive buffers of its exchange. */
#define SCORE_PREV_BLOCK_BYTES (22 + 24 + 4 + 24 + 24)

/* The working set of one part on one rank. */
typedef struct {
    eval_set map;        /* the asked ids -> their arrival index */
    eval_xchg ask, rows, reply;
    uint64_t *ans;       /* [2 * asked] per asked item: probability bits, packed phase and months */
    uint64_t *items;     /* [3 * io] one block's outgoing items */
    int *owner;          /* [io] */
    uint64_t *id;        /* [io] last month's block: */
    uint16_t *region, *months;
    uint8_t *phase, *tier;
    double *prob;
} score_prev_work;

static void score_prev_work_clear(score_prev_work *w)
{
    eval_set_clear(&w->map);
    eval_xchg_clear(&w->ask);
    eval_xchg_clear(&w->rows);
    eval_xchg_clear(&w->reply);
    free(w->ans);
    free(w->items);
    free(w->owner);
    free(w->id);
    free(w->region);
    free(w->months);
    free(w->phase);
    free(w->tier);
    free(w->prob);
    memset(w, 0, sizeof *w);
}

/* Collective. Part `part` of the join: this rank's candidates ptr[0..n) whose id falls in it get
 * last month's values. */
static int score_prev_part(score_job *j, topk_item **ptr, size_t n, uint64_t part, uint64_t parts, size_t io)
{
    const cmd_ctx *ctx = j->ctx;
    MPI_Comm comm = ctx->comm;
    score_prev_work w = {0};
    size_t want = 0;
    for (size_t k = 0; k < n; k++) want += eval_part(ptr[k]->id, parts) == part;
    size_t big = want > io ? want : io;
    int rc = eval_xchg_init(&w.ask, ctx->nranks, 2, want);
    if (rc == CS_OK) rc = eval_xchg_init(&w.rows, ctx->nranks, 3, io);
    w.items = malloc(3 * (big ? big : 1) * sizeof *w.items);
    w.owner = malloc((big ? big : 1) * sizeof *w.owner);
    w.id = malloc(io * sizeof *w.id);
    w.region = malloc(io * sizeof *w.region);
    w.months = malloc(io * sizeof *w.months);
    w.phase = malloc(io);
    w.tier = malloc(io);
    w.prob = malloc(io * sizeof *w.prob);
    if (rc == CS_OK && (!w.items || !w.owner || !w.id || !w.region || !w.months || !w.phase || !w.tier || !w.prob))
        rc = CS_ERROR(CS_ENOMEM, "rank %d: out of memory for the month-over-month join", ctx->rank);
    rc = red_agree(comm, rc);
    /* 1. the asking ids to their owners, which map each to where it arrived */
    size_t m = 0, asked = 0;
    if (rc == CS_OK) {
        for (size_t k = 0; k < n; k++) {
            if (eval_part(ptr[k]->id, parts) != part) continue;
            w.owner[m] = eval_owner(ptr[k]->id, ctx->nranks);
            w.items[2 * m] = ptr[k]->id;
            w.items[2 * m + 1] = k;
            m++;
        }
        rc = eval_xchg_run(&w.ask, w.items, w.owner, m, comm, &asked);
    }
    int lrc = CS_OK;
    if (rc == CS_OK) {
        w.ans = malloc(2 * (asked ? asked : 1) * sizeof *w.ans);
        if (!w.ans) lrc = CS_ERROR(CS_ENOMEM, "rank %d: out of memory for %zu answers of the join", ctx->rank, asked);
        for (size_t i = 0; lrc == CS_OK && i < asked; i++) {
            w.ans[2 * i] = score_prev_bits(NAN);
            w.ans[2 * i + 1] = score_prev_pack(TOPK_NO_PREV, 0);
            lrc = eval_set_put(&w.map, w.ask.recv[2 * i], i);
        }
        rc = red_agree(comm, lrc);
    }
    /* 2. last month's rows, block by block, to the same owners, which fill the answers */
    part_range pr;
    part_compute(rc == CS_OK ? scorein_rows(j->prev.sc) : 0, ctx->nranks, ctx->rank, &pr);
    uint64_t rounds = rc == CS_OK ? score_prev_rounds(pr.rows, io, comm) : 0;
    for (uint64_t round = 0; rc == CS_OK && round < rounds; round++) {
        uint64_t a = round * io;
        size_t nb = a < pr.rows ? (size_t)(pr.rows - a < io ? pr.rows - a : io) : 0;
        lrc = nb ? scorein_read(j->prev.sc, pr.row0 + a, nb, w.id, w.region, w.phase, w.tier) : CS_OK;
        if (lrc == CS_OK && nb) lrc = scorein_read_prev(j->prev.sc, pr.row0 + a, nb, w.prob, w.months);
        rc = red_agree(comm, lrc);
        if (rc != CS_OK) break;
        m = 0;
        for (size_t i = 0; i < nb; i++) {
            if (eval_part(w.id[i], parts) != part) continue;
            w.owner[m] = eval_owner(w.id[i], ctx->nranks);
            w.items[3 * m] = w.id[i];
            w.items[3 * m + 1] = score_prev_bits(w.prob[i]);
            w.items[3 * m + 2] = score_prev_pack(w.phase[i], w.months[i]);
            m++;
        }
        size_t got = 0;
        rc = eval_xchg_run(&w.rows, w.items, w.owner, m, comm, &got);
        for (size_t i = 0; rc == CS_OK && i < got; i++) {
            uint64_t at;
            if (!eval_set_get(&w.map, w.rows.recv[3 * i], &at)) continue;
            w.ans[2 * at] = w.rows.recv[3 * i + 1];
            w.ans[2 * at + 1] = w.rows.recv[3 * i + 2];
        }
    }
    /* 3. the answers back to the ranks that asked, in the order they asked */
    if (rc == CS_OK) {
        eval_set_clear(&w.map);
        free(w.items);
        free(w.owner);
        w.items = malloc(3 * (asked ? asked : 1) * sizeof *w.items);
        w.owner = malloc((asked ? asked : 1) * sizeof *w.owner);
        lrc = w.items && w.owner ? eval_xchg_init(&w.reply, ctx->nranks, 3, asked)
                                 : CS_ERROR(CS_ENOMEM, "rank %d: out of memory for the join's answers", ctx->rank);
        rc = red_agree(comm, lrc);
    }
    size_t back = 0;
    if (rc == CS_OK) {
        eval_xchg_sources(&w.ask, w.owner);
        for (size_t i = 0; i < asked; i++) {
            w.items[3 * i] = w.ask.recv[2 * i + 1]; /* the asker's index k */
            w.items[3 * i + 1] = w.ans[2 * i];
            w.items[3 * i + 2] = w.ans[2 * i + 1];
        }
        rc = eval_xchg_run(&w.reply, w.items, w.owner, asked, comm, &back);
    }
    lrc = CS_OK;
    for (size_t i = 0; rc == CS_OK && lrc == CS_OK && i < back; i++) {
        uint64_t k = w.reply.recv[3 * i], ph = w.reply.recv[3 * i + 2];
        if (k >= n) {
            lrc = CS_ERROR(CS_EINTERNAL, "rank %d: an answer of the join for candidate %llu of %zu", ctx->rank,
                           (unsigned long long)k, n);
            break;
        }
        ptr[k]->prev_prob = score_prev_double(w.reply.recv[3 * i + 1]);
        ptr[k]->prev_phase = (uint8_t)(ph & 0xff);
        ptr[k]->prev_months = (uint16_t)(ph >> 8);
    }
    if (rc == CS_OK && lrc == CS_OK && back != want)
        lrc = CS_ERROR(CS_EINTERNAL, "rank %d: %zu answers of the join for %zu candidates", ctx->rank, back, want);
    if (rc == CS_OK) rc = red_agree(comm, lrc);
    score_prev_work_clear(&w);
    return rc;
}

/* Passes of the join: the candidates one rank owns (their total / R, a tenth more for the hash's
 * unevenness) at EVAL_MAP_BYTES_PER_ID for the map and 96 bytes for the asked item, its answer and
 * the reply, in half of what --memory leaves after the pass and the block buffers (at least 1 MiB, so
 * that a budget spent elsewhere still gives a finite number of parts). The same number on every rank
 * (in_use is the largest rank's). */
static uint64_t score_prev_parts(const score_job *j, uint64_t total, uint64_t in_use)
{
    /* test hook, read on every rank alike: CS_TEST_PREV_PARTS=n forces n parts (the tests check that
     * the lists do not depend on them) */
    const char *force = getenv("CS_TEST_PREV_PARTS");
    if (force && atoi(force) > 0) return (uint64_t)atoi(force);
    double per_rank = 1.1 * (double)total / (double)j->ctx->nranks + 1024;
    double left = (double)j->o.memory - (double)in_use - SCORE_PREV_BLOCK_BYTES * 65536.0;
    double budget = left / 2 > 1048576 ? left / 2 : 1048576;
    double parts = ceil(per_rank * (EVAL_MAP_BYTES_PER_ID + 96) / budget);
    return parts < 1 ? 1 : (uint64_t)parts;
}

int score_prev_join(score_job *j)
{
    const cmd_ctx *ctx = j->ctx;
    score_prev_state *p = &j->prev;
    size_t ng = SCORE_NGROUPS(j->in.nreg);
    size_t n = (size_t)topk_count(j->cand);
    topk_item **ptr = malloc((n ? n : 1) * sizeof *ptr);
    p->rec = malloc((n ? n : 1) * sizeof *p->rec);
    int rc = ptr && p->rec ? CS_OK : CS_ERROR(CS_ENOMEM, "rank %d: out of memory for %zu candidates' months on the "
                                             "lists", ctx->rank, n);
    size_t k = 0;
    for (size_t g = 0; rc == CS_OK && g < ng; g++) {
        size_t m = 0;
        topk_item *it = topk_group(j->cand, g, &m);
        for (size_t i = 0; i < m; i++) {
            it[i].prev_known = p->sc != NULL;
            ptr[k++] = &it[i];
        }
    }
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK && p->sc) {
        int64_t total = (int64_t)n;
        rc = red_sum_i64(ctx->comm, &total, 1);
        uint64_t in_use = score_mem_in_use(j) + n * (sizeof *ptr + sizeof *p->rec);
        red_max_u64(ctx->comm, &in_use, 1);
        uint64_t parts = score_prev_parts(j, (uint64_t)total, in_use);
        size_t io = j->o.block < 4096 ? 4096 : j->o.block > 65536 ? 65536 : (size_t)j->o.block;
        if (rc == CS_OK && ctx->rank == 0)
            log_info("score: month over month: %lld candidates joined by id with %s (%s), %llu part(s)",
                     (long long)total, j->o.previous_scores, p->month, (unsigned long long)parts);
        for (uint64_t part = 0; rc == CS_OK && part < parts; part++) rc = score_prev_part(j, ptr, n, part, parts, io);
    }
    k = 0;
    for (size_t g = 0; rc == CS_OK && g < ng; g++) {
        size_t m = 0;
        const topk_item *it = topk_group(j->cand, g, &m);
        for (size_t i = 0; i < m; i++) {
            /* the action the list writer gives it (lists_region_row), held out or not */
            const playbook_action *act =
                playbook_lookup_tagged(j->in.pb, it[i].stage, it[i].phase, it[i].queue, it[i].tier, it[i].tags);
            p->rec[k++] = (score_prev_rec){.row = it[i].row, .id = it[i].id, .key = it[i].key, .group = (uint32_t)g,
                                           .prev_months = it[i].prev_months, .band = it[i].band,
                                           .action = act ? (int16_t)(act - j->in.pb->actions) : -1};
        }
    }
    p->n_rec = rc == CS_OK ? n : 0;
    free(ptr);
    return rc;
}

static int score_prev_rec_cmp(const void *a, const void *b)
{
    uint64_t x = ((const score_prev_rec *)a)->row, y = ((const score_prev_rec *)b)->row;
    return (x > y) - (x < y);
}

/* Each list's last row as four words (band, key bits, id, row), zero on every rank but the one that
 * wrote the list, so that the maximum over the ranks is the writer's. */
enum { SCORE_PREV_CUT_WORDS = 4 };

int score_prev_months(score_job *j, scores_writer *w)
{
    const cmd_ctx *ctx = j->ctx;
    score_prev_state *p = &j->prev;
    size_t nreg = j->in.nreg, ng = SCORE_NGROUPS(nreg);
    uint64_t *cut = calloc(SCORE_PREV_CUT_WORDS * ng, sizeof *cut);
    size_t io = j->o.block < 4096 ? 4096 : j->o.block > 65536 ? 65536 : (size_t)j->o.block;
    uint16_t *months = malloc(io * sizeof *months);
    int16_t *action = malloc(io * sizeof *action);
    int rc = cut && months && action ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    for (size_t g = 0; rc == CS_OK && g < ng; g++) {
        const topk_item *l = &p->last[g]; /* all zero where this rank wrote no row of list g */
        uint64_t *c = cut + SCORE_PREV_CUT_WORDS * g;
        c[0] = l->band;
        c[1] = score_prev_bits(l->key);
        c[2] = l->id;
        c[3] = l->row;
    }
    if (rc == CS_OK) rc = red_max_u64(ctx->comm, cut, SCORE_PREV_CUT_WORDS * ng);
    /* a candidate made its list when the list's last row does not rank before it */
    for (size_t i = 0; rc == CS_OK && i < p->n_rec; i++) {
        score_prev_rec *r = &p->rec[i];
        const uint64_t *c = cut + SCORE_PREV_CUT_WORDS * r->group;
        topk_item last = {.band = (uint8_t)c[0], .key = score_prev_double(c[1]), .id = c[2], .row = c[3]};
        topk_item me = {.band = r->band, .key = r->key, .id = r->id, .row = r->row};
        int listed = j->res.listed[r->group] > 0 && !topk_before(&last, &me);
        /* months: this one included; 0 marks the rows off the lists */
        r->prev_months = listed ? (uint16_t)(r->prev_months + (r->prev_months < UINT16_MAX)) : 0;
        if (listed && r->prev_months == 1 && p->sc) p->new_listed[r->group % nreg]++;
    }
    if (rc == CS_OK) qsort(p->rec, p->n_rec, sizeof *p->rec, score_prev_rec_cmp);
    /* this rank's rows of /subscribers/months_on_list, block by block */
    int lrc = CS_OK;
    size_t at = 0;
    uint64_t row0 = j->in.pr.row0, rows = j->in.pr.rows;
    for (uint64_t a = 0; rc == CS_OK && lrc == CS_OK && a < rows; a += io) {
        size_t nb = rows - a < io ? (size_t)(rows - a) : io;
        memset(months, 0, nb * sizeof *months);
        for (size_t i = 0; i < nb; i++) action[i] = -1;
        for (; at < p->n_rec && p->rec[at].row < row0 + a + nb; at++) {
            size_t i = (size_t)(p->rec[at].row - row0 - a);
            months[i] = p->rec[at].prev_months;
            if (months[i]) action[i] = p->rec[at].action;
        }
        lrc = scores_write_listed(w, row0 + a, nb, months, action);
    }
    if (rc == CS_OK) rc = red_agree(ctx->comm, lrc);
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, p->new_listed, nreg);
    free(cut);
    free(months);
    free(action);
    return rc;
}
