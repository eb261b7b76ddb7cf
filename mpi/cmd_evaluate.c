/* cmd_evaluate.c — `churnscore evaluate`: how last month's early-warning lists did.
 *
 * The lists (io/listin.h) are small and bounded by --top: rank 0 reads them and every rank holds
 * them, indexed by id. The outcome snapshot is large: every rank streams its own rows (scan.h) and
 * counts, per cell (list region, phase, tier), how many listed subscribers it met and how many of
 * them left, and per region how many subscribers left; the counts are integers, summed exactly by
 * red_sum_i64, so the result is the same for any rank count. io/evalrep.h turns them into precision,
 * recall and lift and writes them.
 *
 * What "left" means (docs/operations.md, "Monthly operation"):
 *   - by default the outcome snapshot is the scored month's own snapshot with its labels filled in
 *     (/subscribers/churned = 1: left within the churn window): the operator's labelled extract of
 *     that month, which arrives once the window has passed — the same file the next retraining uses;
 *   - with --absent-means-churned it is a later month's snapshot, and a listed subscriber absent from
 *     it has left (`generate --follows` drops exactly the previous month's leavers). That snapshot
 *     does not hold the leavers, so their number per region — for recall — needs the scored month's
 *     population: --previous SNAPSHOT. Each id of the later month is sent to an owner rank chosen by
 *     a hash of the id, then each id of the scored month is sent to the same owner, which says
 *     whether it is still there: a distributed hash join holding 16 to 32 bytes per subscriber / R
 *     per rank, and never a whole snapshot. When that exceeds half of --memory the id space is cut
 *     by a hash into as many parts as needed and the join runs once per part, re-reading both
 *     snapshots (the counts of the listed ids are taken in the first pass only).
 */
#include "cmd.h"
#include "comm.h"
#include "eval_tags.h"
#include "eval_effect.h"
#include "eval_groups.h"
#include "eval_join.h"
#include "evalrep.h"
#include "gather.h"
#include "idhash.h"
#include "listin.h"
#include "lang.h"
#include "log.h"
#include "opts.h"
#include "lang.h"
#include "outguard.h"
#include "part.h"
#include "reduce.h"
#include "scan.h"
#include "snapshot.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *lists, *outcomes, *out, *previous;
    const char *lang; /* of PREFIX.md */
    const char *tags; /* --tags: the tag rules the lists were scored with (issue 17) */
    const char *contacts, *scores;
    contacts_columns ccols;
    int json, absent, any_month;
    uint64_t block, memory;
} eval_opts;

/* ---- moving the lists to every rank ---- */

/* Collective: rank 0's table (*t, read from the lists) is copied to every rank, whose *t is
 * allocated here, and indexed. */
static int eval_share_lists(const cmd_ctx *ctx, listin_table **t)
{
    uint64_t hdr[3] = {0, 0, 0};
    size_t names_len = 0;
    char *names = NULL;
    int rc = CS_OK;
    if (ctx->rank == 0) {
        for (size_t r = 0; r < (*t)->n_regions; r++) names_len += strlen((*t)->region_names[r]) + 1;
        names = malloc(names_len + 1);
        if (!names) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        size_t o = 0;
        for (size_t r = 0; rc == CS_OK && r < (*t)->n_regions; r++) {
            size_t l = strlen((*t)->region_names[r]) + 1;
            memcpy(names + o, (*t)->region_names[r], l);
            o += l;
        }
        hdr[0] = (*t)->n;
        hdr[1] = (*t)->n_regions;
        hdr[2] = names_len;
    }
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) {
        free(names);
        return rc;
    }
    rc = red_agree(ctx->comm, comm_bcast(ctx->comm, 0, hdr, sizeof hdr));
    if (rc == CS_OK && ctx->rank != 0) {
        names_len = (size_t)hdr[2];
        names = malloc(names_len + 1);
        *t = listin_alloc();
        if (!names || !*t) rc = CS_ERROR(CS_ENOMEM, "out of memory for the lists");
        if (rc == CS_OK) rc = listin_reserve(*t, (size_t)hdr[0]);
    }
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) {
        listin_table *x = *t;
        rc = comm_bcast(ctx->comm, 0, x->month, sizeof x->month);
        if (rc == CS_OK) rc = comm_bcast(ctx->comm, 0, names, names_len);
        if (rc == CS_OK) rc = comm_bcast(ctx->comm, 0, x->id, x->n * sizeof *x->id);
        if (rc == CS_OK) rc = comm_bcast(ctx->comm, 0, x->region, x->n * sizeof *x->region);
        if (rc == CS_OK) rc = comm_bcast(ctx->comm, 0, x->phase, x->n);
        if (rc == CS_OK) rc = comm_bcast(ctx->comm, 0, x->tier, x->n);
        if (rc == CS_OK) rc = comm_bcast(ctx->comm, 0, x->arm, x->n);
        if (rc == CS_OK) rc = comm_bcast(ctx->comm, 0, x->worth, x->n * sizeof *x->worth);
        if (rc == CS_OK && ctx->rank != 0) {
            size_t o = 0, idx;
            for (uint64_t r = 0; rc == CS_OK && r < hdr[1]; r++) {
                rc = listin_region_add(x, names + o, &idx);
                o += strlen(names + o) + 1;
            }
            if (rc == CS_OK) rc = listin_index(x);
        }
    }
    free(names);
    return red_agree(ctx->comm, rc);
}

/* ---- the passes ---- */

typedef struct {
    const cmd_ctx *ctx;
    const eval_opts *o;
    listin_table *t;          /* the lists, regions extended by the snapshots' regions */
    snap_reader *out_r, *prev_r;
    size_t *out_map, *prev_map; /* snapshot region -> table region */
    size_t nreg;
    int64_t *counts;          /* found, known, caught [nreg * CELLS each], subscribers, leavers [nreg] */
    eval_tags tags;           /* issue 17: per tag, from the scored month's indicators (eval_tags.h) */
    int tags_on;              /* computed: labels mode, or the absent mode with --previous */
    eval_effect fx;           /* the retention effect's counts (eval_effect.h) */
    eval_groups gr;           /* --scores: each group's subscribers and leavers (eval_groups.h) */
} eval_run;

static int64_t *eval_found(eval_run *e) { return e->counts; }
static int64_t *eval_known(eval_run *e) { return e->counts + e->nreg * EVALREP_CELLS; }
static int64_t *eval_caught(eval_run *e) { return e->counts + 2 * e->nreg * EVALREP_CELLS; }
static int64_t *eval_subs(eval_run *e) { return e->counts + 3 * e->nreg * EVALREP_CELLS; }
static int64_t *eval_leavers(eval_run *e) { return e->counts + 3 * e->nreg * EVALREP_CELLS + e->nreg; }

static size_t eval_cell(const listin_table *t, size_t k)
{
    return ((size_t)t->region[k] * LISTIN_N_PHASES + t->phase[k]) * LISTIN_N_TIERS + t->tier[k];
}

/* Number of I/O blocks a rank reads, the most over ranks: every rank takes part in that many
 * exchange rounds. Collective. */
static uint64_t eval_rounds(const part_range *pr, size_t io_rows, MPI_Comm comm)
{
    uint64_t mine = (pr->rows + io_rows - 1) / io_rows, most = 0;
    most = mine;
    red_max_u64(comm, &most, 1);
    return most;
}

/* Collective. Pass over the outcome snapshot: listed ids met and how they turned out, leavers per
 * region (labels mode), counted when count is set; with set, the ids of part `part` of `parts` are
 * also sent to their owners of the join. */
static int eval_outcome_pass(eval_run *e, eval_set *set, int count, uint64_t part, uint64_t parts)
{
    const cmd_ctx *ctx = e->ctx;
    part_range pr;
    part_compute(snap_schema_of(e->out_r)->n, ctx->nranks, ctx->rank, &pr);
    scan_state sc;
    unsigned what = SCAN_ID | SCAN_REGION | (e->o->absent ? 0 : SCAN_CHURNED | SCAN_CHURN_TYPE);
    int tags = e->tags_on && !e->o->absent && count; /* the labels mode: the tags of this snapshot's rows */
    if (tags) what |= SCAN_FEATURES;
    int rc = scan_init(&sc, e->out_r, &pr, e->o->block, what, ctx->nranks);
    eval_xchg x = {0};
    int *owner = NULL;
    uint64_t *ids = NULL;
    if (rc == CS_OK && set) {
        rc = eval_xchg_init(&x, ctx->nranks, 1, sc.io_rows);
        owner = malloc(sc.io_rows * sizeof(int));
        ids = malloc(sc.io_rows * sizeof(uint64_t));
        if (rc == CS_OK && (!owner || !ids)) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) {
        scan_clear(&sc);
        eval_xchg_clear(&x);
        free(owner);
        free(ids);
        return rc;
    }
    uint64_t rounds = eval_rounds(&pr, sc.io_rows, ctx->comm);
    int64_t *found = eval_found(e), *known = eval_known(e), *caught = eval_caught(e),
            *subs = eval_subs(e), *leavers = eval_leavers(e);
    scan_begin(&sc, "evaluate: outcome snapshot");
    for (uint64_t round = 0; rc == CS_OK && round < rounds; round++) {
        int lrc = scan_next(&sc);
        size_t n = lrc == CS_OK ? sc.n : 0;
        size_t p = snap_schema_of(e->out_r)->p;
        for (size_t i = 0; count && i < n; i++) {
            if (tags && i % PART_BLOCK_ROWS == 0)
                eval_tags_block(&e->tags, sc.features + i * p, p, n - i < PART_BLOCK_ROWS ? n - i : PART_BLOCK_ROWS);
            int c = e->o->absent ? 0 : sc.churned[i];
            int labelled = c == 0 || c == 1;
            if (!e->o->absent && labelled) {
                size_t u = e->out_map[sc.region[i]];
                subs[u]++;
                leavers[u] += c;
            }
            long k = listin_find(e->t, sc.id[i]);
            if (tags && labelled)
                eval_tags_add(&e->tags, e->tags.bits[i % PART_BLOCK_ROWS], e->out_map[sc.region[i]], k >= 0, c == 1,
                              sc.churn_type && sc.churn_type[i] == 1);
            if (k < 0) continue;
            size_t cell = eval_cell(e->t, (size_t)k);
            found[cell]++;
            eval_effect_row(&e->fx, e->t, (size_t)k, e->o->absent ? 1 : labelled, c == 1,
                            sc.churn_type ? sc.churn_type[i] : 0);
            if (!e->o->absent && labelled) {
                known[cell]++;
                caught[cell] += c;
            }
        }
        /* agree before the exchange: a rank that failed to read must not leave the others waiting
         * in it */
        rc = red_agree(ctx->comm, lrc);
        if (rc != CS_OK || !set) continue;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (eval_part(sc.id[i], parts) != part) continue;
            ids[m] = sc.id[i];
            owner[m++] = eval_owner(sc.id[i], ctx->nranks);
        }
        size_t nrecv = 0;
        rc = eval_xchg_run(&x, ids, owner, m, ctx->comm, &nrecv);
        int src = CS_OK;
        for (size_t i = 0; rc == CS_OK && src == CS_OK && i < nrecv; i++) src = eval_set_insert(set, x.recv[i]);
        rc = red_agree(ctx->comm, rc != CS_OK ? rc : src);
    }
    scan_clear(&sc);
    eval_xchg_clear(&x);
    free(owner);
    free(ids);
    return rc;
}

/* Collective. Pass over the scored month's snapshot (--previous): each id of part `part` goes with
 * its region to the owner, which counts it and, when it is not in the later month, counts a leaver. */
static int eval_previous_pass(eval_run *e, eval_set *set, uint64_t part, uint64_t parts)
{
    const cmd_ctx *ctx = e->ctx;
    part_range pr;
    part_compute(snap_schema_of(e->prev_r)->n, ctx->nranks, ctx->rank, &pr);
    scan_state sc;
    int tags = e->tags_on; /* the tags of the scored month's rows: each id is counted in its own part */
    int rc = scan_init(&sc, e->prev_r, &pr, e->o->block, SCAN_ID | SCAN_REGION | (tags ? SCAN_FEATURES : 0),
                       ctx->nranks);
    eval_xchg x = {0};
    int *owner = NULL;
    uint64_t *items = NULL;
    if (rc == CS_OK) {
        rc = eval_xchg_init(&x, ctx->nranks, 3, sc.io_rows);
        owner = malloc(sc.io_rows * sizeof(int));
        items = malloc(3 * sc.io_rows * sizeof(uint64_t));
        if (rc == CS_OK && (!owner || !items)) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    rc = red_agree(ctx->comm, rc);
    uint64_t rounds = rc == CS_OK ? eval_rounds(&pr, sc.io_rows, ctx->comm) : 0;
    int64_t *subs = eval_subs(e), *leavers = eval_leavers(e);
    scan_begin(&sc, "evaluate: scored month's snapshot");
    for (uint64_t round = 0; rc == CS_OK && round < rounds; round++) {
        int lrc = scan_next(&sc);
        size_t n = lrc == CS_OK ? sc.n : 0;
        rc = red_agree(ctx->comm, lrc);
        if (rc != CS_OK) break;
        size_t m = 0, p = snap_schema_of(e->prev_r)->p;
        for (size_t i = 0; i < n; i++) {
            if (tags && i % PART_BLOCK_ROWS == 0)
                eval_tags_block(&e->tags, sc.features + i * p, p, n - i < PART_BLOCK_ROWS ? n - i : PART_BLOCK_ROWS);
            if (eval_part(sc.id[i], parts) != part) continue;
            owner[m] = eval_owner(sc.id[i], ctx->nranks);
            items[3 * m] = sc.id[i];
            items[3 * m + 1] = e->prev_map[sc.region[i]];
            items[3 * m + 2] = tags ? e->tags.bits[i % PART_BLOCK_ROWS] : 0;
            m++;
        }
        size_t nrecv = 0;
        rc = eval_xchg_run(&x, items, owner, m, ctx->comm, &nrecv);
        for (size_t i = 0; rc == CS_OK && i < nrecv; i++) {
            size_t u = (size_t)x.recv[3 * i + 1];
            int left = !eval_set_has(set, x.recv[3 * i]);
            subs[u]++;
            leavers[u] += left;
            /* the later month tells who left, not how: no voluntary share */
            if (tags) eval_tags_add(&e->tags, x.recv[3 * i + 2], u, listin_find(e->t, x.recv[3 * i]) >= 0, left, 0);
        }
        rc = red_agree(ctx->comm, rc);
    }
    scan_clear(&sc);
    eval_xchg_clear(&x);
    free(owner);
    free(items);
    return rc;
}

/* Passes of the --previous join: the later month's ids owned by one rank (about n / R, a tenth more
 * for the hash's unevenness) at up to 32 bytes each (16-byte slots at load 1/2, and the old table
 * while it doubles) in half of --memory. The same number on every rank: it depends on n and R only. */
static uint64_t eval_join_parts(const eval_run *e)
{
    double per_rank = 1.1 * (double)snap_schema_of(e->out_r)->n / (double)e->ctx->nranks + 1024;
    double budget = (double)e->o->memory / 2;
    double parts = ceil(per_rank * 32 / budget);
    return parts < 1 ? 1 : (uint64_t)parts;
}

/* The snapshot's regions joined to the table's (by name); map[i] is the table index of region i. */
static int eval_map_regions(listin_table *t, const snap_schema *s, size_t **map)
{
    *map = malloc((s->n_regions ? s->n_regions : 1) * sizeof(size_t));
    if (!*map) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; i < s->n_regions; i++) CS_TRY(listin_region_add(t, s->region_names[i], &(*map)[i]));
    return CS_OK;
}

/* The months must say the files belong together: the labels of the lists' own month, or a later
 * month whose absentees left. Empty months (hand-made lists) are not checked. */
static int eval_check_months(const eval_opts *o, const char *lists_month, const char *out_month,
                             const char *prev_month)
{
    if (o->any_month || !*lists_month) return CS_OK;
    const char *hint = " (--any-month to evaluate anyway)";
    if (!o->absent && *out_month && strcmp(out_month, lists_month) != 0)
        return CS_ERROR(CS_EINVAL, "the lists are of %s but %s is of %s: the outcomes are the labels "
                        "of the scored month's own snapshot; for a later month's snapshot, whose "
                        "absentees left, add --absent-means-churned%s", lists_month, o->outcomes,
                        out_month, hint);
    if (o->absent && *out_month && strcmp(out_month, lists_month) <= 0)
        return CS_ERROR(CS_EINVAL, "the lists are of %s but %s is of %s: with --absent-means-churned "
                        "the outcome snapshot must be a later month%s", lists_month, o->outcomes,
                        out_month, hint);
    if (prev_month && *prev_month && strcmp(prev_month, lists_month) != 0)
        return CS_ERROR(CS_EINVAL, "the lists are of %s but --previous %s is of %s: it must be the "
                        "snapshot the lists were scored from%s", lists_month, o->previous, prev_month,
                        hint);
    return CS_OK;
}

int cmd_evaluate(const cmd_ctx *ctx, int argc, char **argv)
{
    eval_opts o = {0};
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"lists", &o.lists}, {"outcomes", &o.outcomes}, {"out", &o.out}, {"json", &o.json},
        {"absent-means-churned", &o.absent}, {"previous", &o.previous}, {"any-month", &o.any_month},
        {"block-rows", &o.block}, {"memory", &o.memory}, {"lang", &o.lang}, {"tags", &o.tags},
        {"contacts", &o.contacts}, {"scores", &o.scores},
        {"contacts-id", &o.ccols.id}, {"contacts-contacted", &o.ccols.contacted},
        {"contacts-accepted", &o.ccols.accepted}, {"contacts-action", &o.ccols.action},
        {"contacts-date", &o.ccols.date}, {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_EVALUATE, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    if (rc == CS_OK && o.previous && !o.absent)
        rc = CS_ERROR(CS_EINVAL, "option --previous goes with --absent-means-churned (with labels the "
                      "outcome snapshot is itself the scored month's population)");

    /* before anything is read or written: the report files must not touch an input, and each is
     * locked against a second run (outguard.h); rank 0 decides and holds the locks */
    outguard *guard = NULL;
    char *outs[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    static const char *const ext[6] = {".csv", ".json", ".md", ".html", "-effect.csv", "-effect.json"};
    for (int k = 0; rc == CS_OK && o.out && k < 6; k++) {
        outs[k] = malloc(strlen(o.out) + 14);
        if (!outs[k]) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        else sprintf(outs[k], "%s%s", o.out, ext[k]);
    }
    outguard_path paths[] = {{"--lists", o.lists, OUTGUARD_INPUT}, {"--outcomes", o.outcomes, OUTGUARD_INPUT},
                             {"--tags", o.tags, OUTGUARD_INPUT},
                             {"--previous", o.previous, OUTGUARD_INPUT}, {"--out", outs[0], OUTGUARD_OUTPUT},
                             {"--out", outs[1], OUTGUARD_OUTPUT}, {"--out", outs[2], OUTGUARD_OUTPUT},
                             {"--out", outs[3], OUTGUARD_OUTPUT}, {"--out", outs[4], OUTGUARD_OUTPUT},
                             {"--out", outs[5], OUTGUARD_OUTPUT}, {"--contacts", o.contacts, OUTGUARD_INPUT},
                             {"--scores", o.scores, OUTGUARD_INPUT}};
    if (rc == CS_OK && ctx->rank == 0) rc = outguard_acquire(paths, sizeof paths / sizeof paths[0], &guard);
    for (int k = 0; k < 6; k++) free(outs[k]);
    eval_run e = {.ctx = ctx, .o = &o};
    /* rank 0 reads the lists; the others wait for the agreement inside eval_share_lists */
    if (rc == CS_OK && ctx->rank == 0) {
        /* the grade column by the names of the tag rules the lists were scored with (issue 17) */
        tagconf *names = NULL;
        rc = o.tags ? tagconf_read(o.tags, &names) : tagconf_builtin(&names);
        if (rc == CS_OK) rc = listin_read_graded(o.lists, names, &e.t);
        tagconf_free(names);
    }
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = eval_share_lists(ctx, &e.t);
    if (rc == CS_OK) rc = snap_open(o.outcomes, MPI_COMM_NULL, &e.out_r);
    if (rc == CS_OK && !o.absent && !snap_schema_of(e.out_r)->has_labels)
        rc = CS_ERROR(CS_EFORMAT, "%s: has no labels (/subscribers/churned): pass the scored month's "
                      "labelled snapshot, or a later month's snapshot with --absent-means-churned",
                      o.outcomes);
    if (rc == CS_OK && o.previous) rc = snap_open(o.previous, MPI_COMM_NULL, &e.prev_r);
    if (rc == CS_OK)
        rc = eval_check_months(&o, e.t->month, snap_schema_of(e.out_r)->month,
                               e.prev_r ? snap_schema_of(e.prev_r)->month : NULL);
    /* every rank extends the table the same way, so region indices agree without communication */
    if (rc == CS_OK) rc = eval_map_regions(e.t, snap_schema_of(e.out_r), &e.out_map);
    if (rc == CS_OK && e.prev_r) rc = eval_map_regions(e.t, snap_schema_of(e.prev_r), &e.prev_map);
    /* issue 17: the tags of the scored month's subscribers (its own labelled snapshot, or --previous) */
    e.tags_on = !o.absent || e.prev_r != NULL;
    if (rc == CS_OK && e.tags_on)
        rc = eval_tags_open(&e.tags, o.tags, snap_schema_of(e.prev_r ? e.prev_r : e.out_r), e.t->n_regions);
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK && o.scores) rc = eval_groups_open(ctx, o.scores, e.t, o.any_month, &e.gr);
    size_t ncounts = 0;
    if (rc == CS_OK) {
        e.nreg = e.t->n_regions;
        ncounts = 3 * e.nreg * EVALREP_CELLS + 2 * e.nreg;
        e.counts = calloc(ncounts, sizeof(int64_t));
        if (!e.counts) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        if (rc == CS_OK) rc = eval_effect_init(&e.fx, e.nreg, e.t->n);
    }
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK && o.contacts) rc = eval_effect_contacts(ctx, o.contacts, &o.ccols, e.t, &e.fx);
    rc = red_agree(ctx->comm, rc);
    double t0 = comm_now();
    if (rc == CS_OK) {
        log_info("evaluate: %zu listed subscribers in %zu files of %s (month %s) against %s (month %s, "
                 "%llu subscribers)%s, %d ranks", e.t->n, e.t->n_files, o.lists,
                 *e.t->month ? e.t->month : "?", o.outcomes, snap_schema_of(e.out_r)->month,
                 (unsigned long long)snap_schema_of(e.out_r)->n,
                 o.absent ? ", absent means churned" : "", ctx->nranks);
        uint64_t parts = e.prev_r ? eval_join_parts(&e) : 1;
        if (parts > 1)
            log_info("evaluate: the id join in %llu passes over both snapshots (--memory %llu per rank)",
                     (unsigned long long)parts, (unsigned long long)o.memory);
        for (uint64_t part = 0; rc == CS_OK && part < parts; part++) {
            eval_set set = {0};
            rc = eval_outcome_pass(&e, e.prev_r ? &set : NULL, part == 0, part, parts);
            if (rc == CS_OK && e.prev_r) rc = eval_previous_pass(&e, &set, part, parts);
            eval_set_clear(&set);
        }
    }
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, e.counts, ncounts);
    if (rc == CS_OK && e.tags_on) rc = eval_tags_reduce(&e.tags, ctx->comm);
    if (rc == CS_OK)
        rc = red_sum_i64(ctx->comm, e.fx.counts, EFX_N_ARMS * e.nreg * EFX_CELLS * EFX_N_COUNTS);
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, e.fx.row_state, e.t->n);
    if (rc == CS_OK) eval_effect_finish(&e.fx, e.t, o.absent);
    if (rc == CS_OK && o.scores)
        rc = eval_groups_count(ctx, &e.gr, e.t, e.out_r, o.absent, e.nreg, o.block, o.memory);
    /* issue 15: the effect by playbook action, where the scores say each listed row's action */
    if (rc == CS_OK && e.gr.action)
        rc = red_agree(ctx->comm, eval_effect_actions(&e.fx, e.t, o.absent, e.gr.action, scorein_n_actions(e.gr.sc)));

    /* the lists' own counts, then the absent mode's reading of "found" */
    int64_t *listed = NULL;
    if (rc == CS_OK) {
        listed = calloc(e.nreg * EVALREP_CELLS, sizeof(int64_t));
        if (!listed) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        for (size_t k = 0; rc == CS_OK && k < e.t->n; k++) listed[eval_cell(e.t, k)]++;
        int64_t *found = eval_found(&e), *known = eval_known(&e), *caught = eval_caught(&e);
        for (size_t c = 0; rc == CS_OK && c < e.nreg * EVALREP_CELLS; c++) {
            if (found[c] > listed[c]) {
                rc = CS_ERROR(CS_EDATA, "%s: holds a listed id more than once: subscriber ids must be "
                              "unique", o.outcomes);
                break;
            }
            if (o.absent) {
                known[c] = listed[c];
                caught[c] = listed[c] - found[c];
            }
        }
    }
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) {
        evalrep_data d = {
            .lists = o.lists, .lists_month = e.t->month, .outcomes = o.outcomes,
            .outcomes_month = snap_schema_of(e.out_r)->month, .previous = o.previous,
            .absent = o.absent, .have_population = !o.absent || e.prev_r != NULL,
            .n_regions = e.nreg, .region_names = (const char *const *)e.t->region_names,
            .listed = listed, .found = eval_found(&e), .known = eval_known(&e),
            .caught = eval_caught(&e), .subscribers = eval_subs(&e), .leavers = eval_leavers(&e),
            .group_subscribers = e.gr.subs, .group_leavers = e.gr.leavers,
            .lang = lang_parse(o.lang) == LANG_ZH ? LANG_ZH : LANG_EN, /* the table checked it */
        };
        if (e.tags_on) eval_tags_report(&e.tags, !o.absent && snap_schema_of(e.out_r)->has_churn_type, &d);
        for (int g = 0; g < LISTIN_N_TIERS; g++) d.grade_name[g] = tagconf_grade_name(e.tags.tc, g, d.lang);
        /* the retention effect: where the lists have a control group, or --contacts says who was reached */
        int64_t n_control = 0;
        for (size_t k = 0; k < e.t->n; k++) n_control += e.t->arm[k] == LISTIN_ARM_CONTROL;
        effectrep_data fd = {
            .n_regions = e.nreg, .region_names = (const char *const *)e.t->region_names,
            .have_types = !o.absent && snap_schema_of(e.out_r)->has_churn_type, .have_contacts = o.contacts != NULL,
            .counts = e.fx.counts, .worth = e.fx.worth, .contact_rows = e.fx.cst.rows,
            .contact_unknown = e.fx.cst.unknown, .contacted = e.fx.cst.contacted,
            .control_contacted = e.fx.cst.control_contacted,
            .n_actions = e.fx.n_actions, .action_codes = e.gr.sc ? scorein_action_codes(e.gr.sc) : NULL,
            .counts_action = e.fx.counts_action, .worth_action = e.fx.worth_action,
        };
        int with_effect = n_control > 0 || o.contacts;
        int lrc = CS_OK;
        if (ctx->rank == 0) {
            char *etmp[2] = {NULL, NULL};
            if (o.out && with_effect) lrc = effectrep_write_tmp(&fd, o.out, etmp);
            if (o.out && lrc == CS_OK) lrc = evalrep_write(&d, o.out);
            if (o.out && with_effect) {
                int crc = effectrep_commit(etmp, lrc == CS_OK);
                if (lrc == CS_OK) lrc = crc;
            }
            if (o.json) evalrep_json(&d, stdout);
            else evalrep_print(&d, stdout);
            if (!o.json && with_effect) effectrep_print(&fd, stdout);
            if (with_effect && n_control == 0)
                log_info("evaluate: warning: %s has no control group (score --control): the effect cannot be measured",
                         o.lists);
            if (o.contacts && e.fx.cst.unknown)
                log_info("evaluate: warning: %s: %llu of %llu rows name ids on no list: ignored", o.contacts,
                         (unsigned long long)e.fx.cst.unknown, (unsigned long long)e.fx.cst.rows);
            fflush(stdout);
        }
        rc = red_agree(ctx->comm, lrc);
        evalrep_stats s;
        evalrep_stats_of(&d, -1, -1, -1, &s);
        if (rc == CS_OK)
            log_info("evaluate: %lld listed, %lld left (precision %.4f)%s in %.2f s", (long long)s.listed,
                     (long long)s.caught, s.precision, o.out ? ", wrote the .csv, .json, .md and .html" : "",
                     comm_now() - t0);
    }
    free(listed);
    eval_tags_clear(&e.tags);
    eval_effect_clear(&e.fx);
    eval_groups_clear(&e.gr);
    free(e.counts);
    free(e.out_map);
    free(e.prev_map);
    snap_close(e.out_r);
    snap_close(e.prev_r);
    listin_free(e.t);
    outguard_release(guard);
    return rc;
}
