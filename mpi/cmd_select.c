/* cmd_select.c — `churnscore select`: any group of a scored month saved as a list (issue 16, seed
 * 000's "saved as a retention list").
 *
 * One pass over the month's snapshot with its SCORES.h5 beside it, row by row (the same rows in the
 * same order, checked by id): each rank evaluates the --where condition (mpi/pick.h, model/expr.h)
 * on its own rows in blocks and keeps the chosen as list candidates, one sorted run per queue
 * (retention, collections, billing, then the rows in no queue), bounded by --top where given; then
 * rank 0 merges every rank's runs in the lists' one total order (model/topk.h; gather.h's chunked
 * merge: ranks x 4096 items on rank 0) and writes the list's CSV with the lists' own row writer
 * (io/lists.h: the same columns, formula-safe text, BOM, language) as FILE.tmp, renamed to FILE
 * when complete. The bytes do not depend on the rank count. Memory per rank: the blocks being
 * read and its chosen rows (checked against --memory; --top bounds them).
 */
#include "cmd.h"
#include "comm.h"
#include "commit.h"
#include "gather.h"
#include "lang.h"
#include "lists.h"
#include "log.h"
#include "opts.h"
#include "outguard.h"
#include "part.h"
#include "pick.h"
#include "queue.h"
#include "reduce.h"
#include "scan.h"
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const char *scores, *snapshot, *where, *out, *lang, *playbook, *list_columns;
    uint64_t top, block, memory;
    int no_bom, mask_ids;
} sel_opts;

typedef struct {
    snap_reader *r;
    scl_file *sf;
    playbook *pb;
    pick_where w;
    topk *cand;
    scl_rows rows;
    uint16_t *area;
    uint8_t *chosen;
    size_t io_bytes;
} sel_state;

static void sel_state_free(sel_state *s)
{
    scl_rows *r = &s->rows;
    void *b[] = {r->id, r->region, r->brand, r->stage, r->phase, r->tier, r->queue, r->prob, r->pvol, r->pinv,
                 r->arpu, r->contrib, r->fact, r->tags, r->reason, r->segment, s->area, s->chosen};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) free(b[i]);
    pick_where_clear(&s->w);
    topk_free(s->cand);
    playbook_free(s->pb);
    scl_close(s->sf);
    snap_close(s->r);
}

static int sel_bufs(sel_state *s, size_t io)
{
    scl_rows *r = &s->rows;
    r->id = malloc(io * sizeof *r->id);
    r->region = malloc(io * sizeof *r->region);
    r->brand = malloc(io);
    r->stage = malloc(io);
    r->phase = malloc(io);
    r->tier = malloc(io);
    r->queue = malloc(io);
    r->prob = malloc(io * sizeof(double));
    r->pvol = malloc(io * sizeof(double));
    r->pinv = malloc(io * sizeof(double));
    r->arpu = malloc(io * sizeof(float));
    r->contrib = malloc(io * sizeof(float));
    r->fact = malloc(io * 3 * sizeof(float));
    r->tags = malloc(io * sizeof(uint64_t));
    r->reason = malloc(io * 3 * sizeof(int16_t));
    r->segment = malloc(io * sizeof(int16_t));
    s->area = malloc(io * sizeof *s->area);
    s->chosen = malloc(io);
    s->io_bytes = io * (8 + 2 + 5 + 3 * 8 + 2 * 4 + 3 * 4 + 8 + 3 * 2 + 2 + 2 + 1);
    if (!r->id || !r->region || !r->brand || !r->stage || !r->phase || !r->tier || !r->queue || !r->prob ||
        !r->pvol || !r->pinv || !r->arpu || !r->contrib || !r->fact || !r->tags || !r->reason || !r->segment ||
        !s->area || !s->chosen)
        return CS_ERROR(CS_ENOMEM, "out of memory for select's buffers (%zu rows a block)", io);
    return CS_OK;
}

/* The bit of a tag key the playbook names (playbook_bind_tags): a tag the scores file lacks was
 * not computed for this month, so the rule is off (-1), as score has it. */
static int sel_tag_bit(void *arg, const char *key)
{
    const tagconf *tc = arg;
    for (size_t t = 0; t < tc->n; t++)
        if (strcmp(tc->tag[t].key, key) == 0) return tc->tag[t].bit;
    return -1;
}

/* Opens the inputs and binds the condition; every rank alike (each reads the files itself). */
static int sel_open(const sel_opts *o, sel_state *s, const char **extra_names)
{
    CS_TRY(snap_open(o->snapshot, MPI_COMM_NULL, &s->r));
    const snap_schema *sch = snap_schema_of(s->r);
    CS_TRY(scl_open(o->scores, sch->n, &s->sf));
    const scl_meta *m = scl_meta_of(s->sf);
    if (strcmp(m->month, sch->month) != 0)
        return CS_ERROR(CS_EINVAL, "--scores %s is of month %s, --snapshot %s of %s: give the snapshot it scored",
                        o->scores, m->month, o->snapshot, sch->month);
    CS_TRY(o->playbook ? playbook_read(o->playbook, &s->pb) : playbook_builtin(&s->pb));
    size_t off = 0;
    CS_TRY(playbook_bind_tags(s->pb, sel_tag_bit, (void *)m->tc, &off));
    size_t io = (size_t)((o->block + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS * PART_BLOCK_ROWS);
    expr_error err;
    int rc = pick_where_init(&s->w, o->where, sch, m, s->pb, io, &err);
    if (rc == CS_EDATA)
        return CS_ERROR(CS_EINVAL, "--where, column %zu: %s (in: %s)", err.column, err.message, o->where);
    CS_TRY(rc);
    CS_TRY(pick_list_columns(&s->w, o->list_columns, o->snapshot, extra_names));
    uint64_t k[PICK_GROUPS];
    for (int g = 0; g < PICK_GROUPS; g++) k[g] = o->top;
    s->cand = topk_alloc(PICK_GROUPS, k);
    if (!s->cand) return CS_ERROR(CS_ENOMEM, "out of memory");
    return sel_bufs(s, io);
}

/* This rank's pass: the chosen rows into s->cand, counted per group. Local (no message). */
static int sel_pass(const cmd_ctx *ctx, const sel_opts *o, sel_state *s, int64_t *chosen)
{
    const snap_schema *sch = snap_schema_of(s->r);
    part_range pr;
    part_compute(sch->n, ctx->nranks, ctx->rank, &pr);
    scan_state sc;
    int rc = scan_init(&sc, s->r, &pr, (size_t)o->block, SCAN_ID | SCAN_REGION | SCAN_BRAND | SCAN_FEATURES,
                       ctx->nranks);
    if (rc != CS_OK) return rc;
    scan_begin(&sc, "select");
    size_t cols_bytes = s->w.n_cols * s->w.io * sizeof(double) + s->w.io * sizeof(double);
    /* the scan's block (id, region, brand, indicators) beside select's own */
    size_t block_bytes = s->io_bytes + cols_bytes + sc.io_rows * (8 + 2 + 1 + sch->p * sizeof(float));
    if (block_bytes > o->memory)
        rc = CS_ERROR(CS_ENOMEM, "rank %d: the block buffers of --block-rows %llu take %zu bytes, over --memory "
                      "%llu: lower --block-rows, or give a larger --memory", ctx->rank,
                      (unsigned long long)o->block, block_bytes, (unsigned long long)o->memory);
    while (rc == CS_OK) {
        rc = scan_next(&sc);
        if (rc != CS_OK || sc.n == 0) break;
        size_t n = sc.n;
        if (sch->n_areas) rc = snap_read_area(s->r, sc.row0, n, sc.region, s->area);
        if (rc == CS_OK) rc = scl_read(s->sf, sc.row0, n, sc.id, &s->rows);
        if (rc != CS_OK) break;
        pick_block b = {.n = n, .row0 = sc.row0, .sc = &s->rows, .x = sc.features,
                        .area = sch->n_areas ? s->area : NULL};
        pick_where_eval(&s->w, &b, s->chosen);
        for (size_t i = 0; rc == CS_OK && i < n; i++) {
            if (!s->chosen[i]) continue;
            topk_item it;
            pick_item(&s->w, &b, i, &it);
            size_t g = pick_group(&it);
            chosen[g]++;
            rc = topk_push(s->cand, g, &it);
        }
        size_t in_use = block_bytes + topk_bytes(s->cand);
        if (rc == CS_OK && in_use > o->memory)
            rc = CS_ERROR(CS_ENOMEM, "rank %d: the chosen rows take %zu bytes, over --memory %llu: narrow --where, "
                          "or use --top K, more ranks or a larger --memory", ctx->rank, in_use,
                          (unsigned long long)o->memory);
    }
    scan_clear(&sc);
    return rc;
}

typedef struct {
    lists_file *f;
    uint64_t base; /* rows written before this run */
} sel_sink_arg;

static int sel_sink(void *arg, uint64_t pos, const topk_item *it)
{
    sel_sink_arg *a = arg;
    return lists_region_row(a->f, a->base + pos + 1, it);
}

/* Collective: rank 0 merges every group of every rank, in group order, into tmp. *written on every
 * rank. Agreed. */
static int sel_write(const cmd_ctx *ctx, const sel_opts *o, sel_state *s, const lists_ctx *lc, const char *tmp,
                     uint64_t *written)
{
    int rc = CS_OK;
    sel_sink_arg a = {NULL, 0};
    topk_sort(s->cand);
    if (ctx->rank == 0) rc = lists_file_open_path(lc, tmp, &a.f);
    rc = red_agree(ctx->comm, rc);
    for (size_t g = 0; g < PICK_GROUPS; g++) {
        size_t n = 0;
        const topk_item *it = topk_group(s->cand, g, &n);
        uint64_t limit = o->top ? o->top - a.base : UINT64_MAX;
        uint64_t merged = 0;
        /* after a failure the merges still run (limit 0), so that no rank waits forever */
        int mrc = gat_merge_sorted(ctx->comm, it, n, rc == CS_OK ? limit : 0, sel_sink, &a, &merged);
        if (rc == CS_OK) rc = mrc;
        rc = red_agree(ctx->comm, rc);
        /* rank 0 alone knows how many were written: all ranks need it for the next limit */
        int src = red_max_u64(ctx->comm, &merged, 1);
        if (rc == CS_OK) rc = src;
        a.base += merged;
    }
    int crc = lists_region_close(a.f);
    if (rc == CS_OK) rc = red_agree(ctx->comm, crc);
    *written = a.base;
    return rc;
}

int cmd_select(const cmd_ctx *ctx, int argc, char **argv)
{
    sel_opts o = {0};
    sel_state s;
    memset(&s, 0, sizeof s);
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"scores", &o.scores}, {"snapshot", &o.snapshot}, {"where", &o.where}, {"out", &o.out},
        {"top", &o.top}, {"lang", &o.lang}, {"no-bom", &o.no_bom}, {"mask-ids", &o.mask_ids},
        {"playbook", &o.playbook}, {"list-columns", &o.list_columns}, {"block-rows", &o.block},
        {"memory", &o.memory}, {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_SELECT, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    /* the output may not be, hold or lie in an input, and is locked against a second run */
    outguard *guard = NULL;
    outguard_path paths[] = {{"--scores", o.scores, OUTGUARD_INPUT}, {"--snapshot", o.snapshot, OUTGUARD_INPUT},
                             {"--playbook", o.playbook, OUTGUARD_INPUT}, {"--out", o.out, OUTGUARD_OUTPUT}};
    if (rc == CS_OK && ctx->rank == 0) rc = outguard_acquire(paths, 4, &guard);
    rc = red_agree(ctx->comm, rc);
    const char *extra_names[TOPK_MAX_EXTRA];
    if (rc == CS_OK) rc = sel_open(&o, &s, extra_names);
    rc = red_agree(ctx->comm, rc);
    int64_t chosen[PICK_GROUPS] = {0};
    double t0 = comm_now();
    if (rc == CS_OK) {
        log_info("select: %s with %s where %s, %d ranks", o.snapshot, o.scores, o.where, ctx->nranks);
        rc = red_agree(ctx->comm, sel_pass(ctx, &o, &s, chosen));
    }
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, chosen, PICK_GROUPS);
    char *tmp = NULL;
    uint64_t written = 0;
    if (rc == CS_OK) {
        tmp = malloc(strlen(o.out) + 5);
        rc = red_agree(ctx->comm, tmp ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory"));
    }
    if (rc == CS_OK) {
        sprintf(tmp, "%s.tmp", o.out);
        const snap_schema *sch = snap_schema_of(s.r);
        const scl_meta *m = scl_meta_of(s.sf);
        lists_ctx lc = {.mask_ids = o.mask_ids, .bom = !o.no_bom,
                        .lang = lang_parse(o.lang) == LANG_ZH ? LANG_ZH : LANG_EN,
                        .n_regions = m->n_regions, .region_names = m->region_names, .n_brands = m->n_brands,
                        .brand_names = m->brand_names, .n_fact_names = m->n_fact_names,
                        .fact_names = m->fact_names, .pb = s.pb, .n_extra = s.w.n_extra,
                        .extra_names = extra_names, .seg = m->seg, .tc = m->tc, .n_areas = sch->n_areas,
                        .area_names = (const char *const *)sch->area_names};
        rc = sel_write(ctx, &o, &s, &lc, tmp, &written);
    }
    if (rc == CS_OK && ctx->rank == 0) {
        commit_set *cs = commit_set_alloc();
        int wrc = cs ? commit_set_add(cs, tmp, o.out, NULL) : CS_ERROR(CS_ENOMEM, "out of memory");
        if (wrc == CS_OK) wrc = commit_set_apply(cs);
        commit_set_free(cs);
        rc = wrc;
    }
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK && ctx->rank == 0 && tmp) unlink(tmp);
    if (rc == CS_OK)
        log_info("select: %lld chosen (retention %lld, collections %lld, billing %lld, in no queue %lld); wrote %llu "
                 "rows to %s in %.2f s", (long long)(chosen[0] + chosen[1] + chosen[2] + chosen[3]),
                 (long long)chosen[0], (long long)chosen[1], (long long)chosen[2], (long long)chosen[3],
                 (unsigned long long)written, o.out, comm_now() - t0);
    free(tmp);
    sel_state_free(&s);
    outguard_release(guard);
    return rc;
}
