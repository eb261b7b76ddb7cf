/* cmd_analyze.c — `churnscore analyze`: the operator's monthly analyses (seeds 000 and 002).
 *
 * One pass over last month's snapshot (--previous) and one over this month's, with this month's
 * scores (--scores) read beside it row by row: per reduction block the sums of model/analyze.h,
 * reduced by the fixed tree (reduce.h) so the reports have the same bits for any rank count; with
 * --previous the id join of analyze_join.h counts who is new and who is gone, in integers. Then rank
 * 0 writes the reports (io/anlrep.h) into DIR.tmp and renames it to DIR. Memory per rank: the
 * blocks being read, the tree (a few vectors of the layout's length) and the join's share of last
 * month's ids; none of it grows with the subscribers but the join, which is checked up front.
 */
#include "analyze_pass.h"
#include "anlrep.h"
#include "cmd.h"
#include "comm.h"
#include "commit.h"
#include "log.h"
#include "opts.h"
#include "outguard.h"
#include "part.h"
#include "reduce.h"
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const char *in, *previous, *scores, *out, *lang;
    double pct;
    uint64_t block, memory;
} anl_opts;

/* ---- the output directory ---- */

/* Removes the files analyze writes from dir, then dir; leaves anything else (and then dir). */
static void anl_dir_drop(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        if (!anlrep_name_ours(e->d_name)) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* CS_OK when dir is absent or holds only analyze's files; else CS_EIO naming the first other. */
static int anl_dir_ours(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0) return errno == ENOENT ? CS_OK : commit_errno(errno, dir, "inspect");
    if (!S_ISDIR(st.st_mode))
        return CS_ERROR(CS_EIO, "%s: exists and is not a directory: analyze writes a directory there", dir);
    DIR *d = opendir(dir);
    if (!d) return commit_errno(errno, dir, "open");
    struct dirent *e;
    int rc = CS_OK;
    while (rc == CS_OK && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || anlrep_name_ours(e->d_name)) continue;
        rc = CS_ERROR(CS_EIO, "%s: holds '%s', which analyze did not write: not replacing it", dir, e->d_name);
    }
    closedir(d);
    return rc;
}

/* Rank 0: checks DIR, clears a stale DIR.tmp of a killed run and creates it. *tmp is malloc'd. */
static int anl_dir_begin(const char *dir, char **tmp)
{
    *tmp = NULL;
    CS_TRY(anl_dir_ours(dir));
    char *t = malloc(strlen(dir) + 5);
    if (!t) return CS_ERROR(CS_ENOMEM, "out of memory");
    sprintf(t, "%s.tmp", dir);
    int rc = anl_dir_ours(t);
    if (rc == CS_OK) anl_dir_drop(t);
    if (rc == CS_OK && mkdir(t, 0777) != 0) rc = commit_errno(errno, t, "create");
    if (rc != CS_OK) {
        free(t);
        return rc;
    }
    *tmp = t;
    return CS_OK;
}

/* ---- the command ---- */

typedef struct {
    anl_opts o;
    snap_reader *cur, *prev;
    scr_reader *scr;
    anl_cols cols;
    anl_layout l;
    anp_run run;
    red_tree *t, *pt;
    double *v, *pv;
    int64_t *counts; /* new_join [cells], gone [cells], unmatched rows, unmatched gone */
    anj_join *join;
} anl_state;

static void anl_state_free(anl_state *s)
{
    snap_close(s->cur);
    snap_close(s->prev);
    scr_close(s->scr);
    red_tree_free(s->t);
    red_tree_free(s->pt);
    free(s->v);
    free(s->pv);
    free(s->counts);
    anj_free(s->join);
    free(s->run.pgroup);
    free(s->run.pbrand);
    free(s->run.pcol);
}

/* Opens the inputs and sets up the layout and the buffers (every rank alike). */
static int anl_setup(const cmd_ctx *ctx, anl_state *s)
{
    const anl_opts *o = &s->o;
    CS_TRY(snap_open(o->in, MPI_COMM_NULL, &s->cur));
    const snap_schema *c = snap_schema_of(s->cur);
    if (o->previous) CS_TRY(snap_open(o->previous, MPI_COMM_NULL, &s->prev));
    if (o->scores) CS_TRY(scr_open(o->scores, c->n, &s->scr));
    if (s->prev && strcmp(snap_schema_of(s->prev)->month, c->month) == 0 && strcmp(c->month, "0000-00") != 0)
        return CS_ERROR(CS_EINVAL, "--previous %s is of %s, the month of --in %s: it must be last month's "
                        "snapshot", o->previous, c->month, o->in);
    anl_cols_find(&s->cols, (const char *const *)c->feature_names, c->p);
    size_t groups = c->n_areas ? c->n_areas : c->n_regions;
    anl_layout_init(&s->l, groups, c->n_brands, c->p, s->cols.n_comp, o->pct / 100.0);
    if (s->cols.n_plan) anl_layout_products(&s->l, s->cols.n_plan + 1); /* the grid by product */
    s->run = (anp_run){.ctx = ctx, .cur = s->cur, .prev = s->prev, .scr = s->scr, .c = &s->cols,
                       .l = &s->l, .areas = c->n_areas > 0, .block = o->block};
    if (s->prev) CS_TRY(anp_map_previous(&s->run));
    size_t cells = groups * c->n_brands;
    s->t = red_tree_alloc(s->l.len);
    s->pt = red_tree_alloc(s->l.len);
    s->v = calloc(s->l.len, sizeof(double));
    s->pv = calloc(s->l.len, sizeof(double));
    s->counts = calloc(2 * cells + 2, sizeof(int64_t));
    if (!s->t || !s->pt || !s->v || !s->pv || !s->counts) return CS_ERROR(CS_ENOMEM, "out of memory");
    if (s->prev) {
        /* the join's share of last month's ids, a tenth more for the hash's unevenness; the same
         * on every rank (it depends on n and R only) */
        double share = 1.1 * (double)snap_schema_of(s->prev)->n / ctx->nranks + 1024;
        double need = share * ANJ_BYTES_PER_ID;
        if (need > (double)o->memory / 2)
            return CS_ERROR(CS_ENOMEM, "the --previous join needs about %.0f MB per rank, more than half "
                            "of --memory (%.0f MB): use more ranks or a larger --memory", need / 1e6,
                            (double)o->memory / 1e6);
        size_t io = (size_t)((o->block + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS * PART_BLOCK_ROWS);
        s->join = anj_alloc(ctx->nranks, io, (uint64_t)share);
        if (!s->join) return CS_ERROR(CS_ENOMEM, "out of memory for the join");
    }
    return CS_OK;
}

/* Collective: both passes and their reductions. */
static int anl_passes(const cmd_ctx *ctx, anl_state *s)
{
    const snap_schema *c = snap_schema_of(s->cur);
    size_t cells = s->l.groups * s->l.brands;
    int64_t *new_join = s->counts, *gone = s->counts + cells, *unmatched = s->counts + 2 * cells;
    int rc = CS_OK;
    if (s->prev) {
        rc = anp_pass(&s->run, 1, s->pt, s->join, NULL, &unmatched[0]);
        if (rc == CS_OK) rc = red_tree_allreduce(s->pt, ctx->comm, snap_schema_of(s->prev)->n ?
                                                 (snap_schema_of(s->prev)->n + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS : 0, s->pv);
    }
    if (rc == CS_OK) rc = anp_pass(&s->run, 0, s->t, s->join, new_join, &unmatched[1]);
    if (rc == CS_OK) rc = red_tree_allreduce(s->t, ctx->comm, (c->n + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS, s->v);
    /* this month's rows all have a cell: unmatched[1] stays 0 and takes the gone of no cell */
    if (rc == CS_OK && s->join) anj_count_gone(s->join, gone, &unmatched[1]);
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, s->counts, 2 * cells + 2);
    return red_agree(ctx->comm, rc);
}

static int anl_write(const anl_state *s, const char *tmp)
{
    const snap_schema *c = snap_schema_of(s->cur);
    size_t cells = s->l.groups * s->l.brands;
    anlrep_in in = {
        .l = &s->l, .c = &s->cols, .v = s->v, .pv = s->prev ? s->pv : NULL,
        .new_join = s->prev ? s->counts : NULL, .gone = s->prev ? s->counts + cells : NULL,
        .n_regions = c->n_regions, .region_names = (const char *const *)c->region_names,
        .n_areas = c->n_areas, .area_names = (const char *const *)c->area_names,
        .area_region = c->area_region, .brand_names = (const char *const *)c->brand_names,
        .feature_names = (const char *const *)c->feature_names, .month = c->month,
        .prev_month = s->prev ? snap_schema_of(s->prev)->month : NULL, .has_labels = c->has_labels,
        .has_types = c->has_churn_type, .has_scores = s->scr != NULL,
        .prev_unmatched = s->prev ? (uint64_t)s->counts[2 * cells] : 0,
        .zh = s->o.lang && strcmp(s->o.lang, "zh") == 0,
    };
    return anlrep_write(&in, tmp);
}

int cmd_analyze(const cmd_ctx *ctx, int argc, char **argv)
{
    anl_state s;
    memset(&s, 0, sizeof s);
    anl_opts *o = &s.o;
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"in", &o->in}, {"previous", &o->previous}, {"scores", &o->scores}, {"out", &o->out},
        {"traffic-change", &o->pct}, {"block-rows", &o->block}, {"memory", &o->memory}, {"lang", &o->lang},
        {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_ANALYZE, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    /* before anything is read or written: DIR must not touch an input, and is locked against a
     * second run; rank 0 decides and holds the lock, and begins DIR.tmp */
    outguard *guard = NULL;
    outguard_path paths[] = {{"--in", o->in, OUTGUARD_INPUT}, {"--previous", o->previous, OUTGUARD_INPUT},
                             {"--scores", o->scores, OUTGUARD_INPUT}, {"--out", o->out, OUTGUARD_OUTPUT_DIR}};
    char *tmp = NULL;
    if (rc == CS_OK && ctx->rank == 0) rc = outguard_acquire(paths, 4, &guard);
    if (rc == CS_OK && ctx->rank == 0) rc = anl_dir_begin(o->out, &tmp);
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = anl_setup(ctx, &s);
    rc = red_agree(ctx->comm, rc);
    double t0 = comm_now();
    if (rc == CS_OK) {
        const snap_schema *c = snap_schema_of(s.cur);
        log_info("analyze: %s (month %s, %llu subscribers, %zu %s, %zu competitors)%s%s%s%s, %d ranks", o->in,
                 c->month, (unsigned long long)c->n, s.l.groups, c->n_areas ? "areas" : "regions",
                 s.cols.n_comp, o->previous ? " against " : "", o->previous ? o->previous : "",
                 o->scores ? " with " : "", o->scores ? o->scores : "", ctx->nranks);
        rc = anl_passes(ctx, &s);
    }
    int wrc = CS_OK;
    if (rc == CS_OK && ctx->rank == 0) {
        wrc = anl_write(&s, tmp);
        commit_set *cs = wrc == CS_OK ? commit_set_alloc() : NULL;
        if (wrc == CS_OK && !cs) wrc = CS_ERROR(CS_ENOMEM, "out of memory");
        if (wrc == CS_OK) wrc = commit_set_add(cs, tmp, o->out, anl_dir_drop);
        if (wrc == CS_OK) wrc = commit_set_apply(cs);
        commit_set_free(cs);
    }
    if (rc == CS_OK) rc = red_agree(ctx->comm, wrc);
    if (rc != CS_OK && ctx->rank == 0 && tmp) anl_dir_drop(tmp);
    if (rc == CS_OK)
        log_info("analyze: wrote %s (5 reports, CSV and JSON, and report.md) in %.2f s", o->out, comm_now() - t0);
    free(tmp);
    anl_state_free(&s);
    outguard_release(guard);
    return rc;
}
