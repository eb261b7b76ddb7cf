/* eval_groups.c — each group's subscribers and leavers from SCORES.h5 (see eval_groups.h). */
#include "eval_groups.h"

#include "eval_join.h"
#include "evalrep.h"
#include "part.h"
#include "reduce.h"
#include "scan.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int eval_groups_open(const cmd_ctx *ctx, const char *path, listin_table *t, int any_month, eval_groups *g)
{
    memset(g, 0, sizeof *g);
    int rc = scorein_open(path, &g->sc);
    if (rc == CS_OK && !any_month && *t->month && strcmp(scorein_month(g->sc), t->month) != 0)
        rc = CS_ERROR(CS_EINVAL, "the lists are of %s but --scores %s is of %s: it must be the scores the lists "
                      "were written with (--any-month to evaluate anyway)", t->month, path, scorein_month(g->sc));
    size_t nr = rc == CS_OK ? scorein_n_regions(g->sc) : 0;
    if (rc == CS_OK && !(g->map = malloc((nr ? nr : 1) * sizeof *g->map))) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == CS_OK && i < nr; i++) rc = listin_region_add(t, scorein_region_names(g->sc)[i], &g->map[i]);
    return red_agree(ctx->comm, rc);
}

void eval_groups_clear(eval_groups *g)
{
    scorein_close(g->sc);
    free(g->map);
    free(g->subs);
    free(g->leavers);
    free(g->action);
    memset(g, 0, sizeof *g);
}

/* Rounds every rank takes part in: the most blocks any rank reads. */
static uint64_t eval_groups_rounds(uint64_t rows, uint64_t block, MPI_Comm comm)
{
    uint64_t r = (rows + block - 1) / block;
    red_max_u64(comm, &r, 1);
    return r;
}

/* Collective. The outcome ids of part `part` to their owners: known (labels 0/1, or present in the
 * later month) and, with labels, left. */
static int eval_groups_outcomes(const cmd_ctx *ctx, snap_reader *out, int absent, uint64_t block, uint64_t part,
                                uint64_t parts, eval_set *known, eval_set *left)
{
    part_range pr;
    part_compute(snap_schema_of(out)->n, ctx->nranks, ctx->rank, &pr);
    scan_state sc;
    int rc = scan_init(&sc, out, &pr, block, SCAN_ID | (absent ? 0 : SCAN_CHURNED), ctx->nranks);
    eval_xchg x = {0};
    int *owner = NULL;
    uint64_t *items = NULL;
    if (rc == CS_OK) {
        rc = eval_xchg_init(&x, ctx->nranks, 2, sc.io_rows);
        owner = malloc(sc.io_rows * sizeof *owner);
        items = malloc(2 * sc.io_rows * sizeof *items);
        if (rc == CS_OK && (!owner || !items)) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    rc = red_agree(ctx->comm, rc);
    uint64_t rounds = rc == CS_OK ? eval_groups_rounds(pr.rows, sc.io_rows, ctx->comm) : 0;
    if (rc == CS_OK) scan_begin(&sc, "evaluate --scores: outcomes");
    for (uint64_t round = 0; rc == CS_OK && round < rounds; round++) {
        int lrc = scan_next(&sc);
        size_t n = lrc == CS_OK ? sc.n : 0;
        rc = red_agree(ctx->comm, lrc);
        if (rc != CS_OK) break;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            int c = absent ? 0 : sc.churned[i];
            if ((c != 0 && c != 1) || eval_part(sc.id[i], parts) != part) continue;
            owner[m] = eval_owner(sc.id[i], ctx->nranks);
            items[2 * m] = sc.id[i];
            items[2 * m + 1] = (uint64_t)c;
            m++;
        }
        size_t nrecv = 0;
        rc = eval_xchg_run(&x, items, owner, m, ctx->comm, &nrecv);
        int src = CS_OK;
        for (size_t i = 0; rc == CS_OK && src == CS_OK && i < nrecv; i++) {
            src = eval_set_insert(known, x.recv[2 * i]);
            if (src == CS_OK && x.recv[2 * i + 1] == 1) src = eval_set_insert(left, x.recv[2 * i]);
        }
        rc = red_agree(ctx->comm, rc != CS_OK ? rc : src);
    }
    scan_clear(&sc);
    eval_xchg_clear(&x);
    free(owner);
    free(items);
    return rc;
}

/* Collective. The scored ids of part `part` with their cells to the owners, which count them. */
static int eval_groups_scores(const cmd_ctx *ctx, eval_groups *g, const listin_table *t, int absent, uint64_t block,
                              uint64_t part, uint64_t parts, const eval_set *known, const eval_set *left)
{
    part_range pr;
    part_compute(scorein_rows(g->sc), ctx->nranks, ctx->rank, &pr);
    size_t io = (size_t)(block < pr.rows ? block : (pr.rows ? pr.rows : 1));
    uint64_t *id = malloc(io * sizeof *id), *items = malloc(2 * io * sizeof *items);
    uint16_t *region = malloc(io * sizeof *region);
    uint8_t *phase = malloc(io), *tier = malloc(io);
    int *owner = malloc(io * sizeof *owner);
    int16_t *act = malloc(io * sizeof *act);
    eval_xchg x = {0};
    int rc = id && items && region && phase && tier && owner && act ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = eval_xchg_init(&x, ctx->nranks, 2, io);
    rc = red_agree(ctx->comm, rc);
    uint64_t rounds = rc == CS_OK ? eval_groups_rounds(pr.rows, io, ctx->comm) : 0;
    for (uint64_t round = 0; rc == CS_OK && round < rounds; round++) {
        uint64_t r0 = pr.row0 + round * io;
        size_t n = r0 < pr.row0 + pr.rows ? (size_t)(pr.row0 + pr.rows - r0 < io ? pr.row0 + pr.rows - r0 : io) : 0;
        int lrc = n ? scorein_read(g->sc, r0, n, id, region, phase, tier) : CS_OK;
        /* issue 15: the listed rows' actions, once (in the first part) */
        if (lrc == CS_OK && n && g->action && part == 0) {
            lrc = scorein_read_action(g->sc, r0, n, act);
            for (size_t i = 0; lrc == CS_OK && i < n; i++) {
                long k = act[i] >= 0 ? listin_find(t, id[i]) : -1;
                if (k >= 0) g->action[k] = act[i] + 1;
            }
        }
        rc = red_agree(ctx->comm, lrc);
        if (rc != CS_OK) break;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (eval_part(id[i], parts) != part) continue;
            owner[m] = eval_owner(id[i], ctx->nranks);
            items[2 * m] = id[i];
            items[2 * m + 1] = ((uint64_t)g->map[region[i]] * LISTIN_N_PHASES + phase[i]) * LISTIN_N_TIERS + tier[i];
            m++;
        }
        size_t nrecv = 0;
        rc = eval_xchg_run(&x, items, owner, m, ctx->comm, &nrecv);
        for (size_t i = 0; rc == CS_OK && i < nrecv; i++) {
            uint64_t who = x.recv[2 * i];
            size_t cell = (size_t)x.recv[2 * i + 1];
            /* labels: counted where the outcome is known; a later month: every scored subscriber,
             * who left when absent from it */
            int in = eval_set_has(known, who);
            if (absent) {
                g->subs[cell]++;
                g->leavers[cell] += !in;
            } else if (in) {
                g->subs[cell]++;
                g->leavers[cell] += eval_set_has(left, who);
            }
        }
        rc = red_agree(ctx->comm, rc);
    }
    eval_xchg_clear(&x);
    free(id);
    free(items);
    free(region);
    free(phase);
    free(tier);
    free(owner);
    free(act);
    return rc;
}

int eval_groups_count(const cmd_ctx *ctx, eval_groups *g, const listin_table *t, snap_reader *out, int absent,
                      size_t nreg, uint64_t block, uint64_t memory)
{
    size_t nc = nreg * EVALREP_CELLS;
    g->subs = calloc(nc + 1, sizeof *g->subs);
    g->leavers = calloc(nc + 1, sizeof *g->leavers);
    int ok = g->subs && g->leavers;
    if (ok && scorein_n_actions(g->sc) > 0) ok = (g->action = calloc(t->n + 1, sizeof *g->action)) != NULL;
    int rc = red_agree(ctx->comm, ok ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory"));
    /* two sets of up to n / R ids (a tenth more for the hash), 32 bytes an id, in half of --memory */
    double per_rank = 1.1 * (double)snap_schema_of(out)->n / (double)ctx->nranks + 1024;
    double p = ceil(2 * per_rank * 32 / ((double)memory / 2));
    uint64_t parts = p < 1 ? 1 : (uint64_t)p;
    for (uint64_t part = 0; rc == CS_OK && part < parts; part++) {
        eval_set known = {0}, left = {0};
        rc = eval_groups_outcomes(ctx, out, absent, block, part, parts, &known, &left);
        if (rc == CS_OK) rc = eval_groups_scores(ctx, g, t, absent, block, part, parts, &known, &left);
        eval_set_clear(&known);
        eval_set_clear(&left);
    }
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, g->subs, nc);
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, g->leavers, nc);
    if (rc == CS_OK && g->action) rc = red_sum_i64(ctx->comm, g->action, t->n);
    return rc;
}
