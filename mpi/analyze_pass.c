/* analyze_pass.c — the passes of `churnscore analyze` (see analyze_pass.h): one over last month's
 * snapshot, one over this month's with its scores beside it.
 *
 * A rank streams its own rows (scan.h) in I/O blocks of whole reduction blocks; each reduction block
 * becomes one partial vector of model/analyze.h, added to the fixed tree of reduce.h, so the sums
 * do not depend on how many ranks there are. Last month's rows are put into this month's cells (by
 * the names of their region, area and brand) and their indicators into this month's columns (by
 * name), so both months sum into the same layout and every change is a difference of like with
 * like. With --previous every block also feeds the id join (analyze_join.h).
 */
#include "analyze_pass.h"

#include "log.h"
#include "reduce.h"
#include "scan.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Buffers of one I/O block. */
typedef struct {
    size_t io;
    uint16_t *area;
    size_t *group;
    uint8_t *brand;
    float *x;         /* last month: the indicators in this month's columns */
    uint64_t *sid;    /* scores' ids */
    uint8_t *phase, *tier;
    double *prob, *var;
    float *sarpu;
    uint32_t *cell;
    uint8_t *tnew;
    double *bv;       /* one block's partial sums */
} anp_bufs;

static void anp_bufs_free(anp_bufs *b)
{
    free(b->area);
    free(b->group);
    free(b->brand);
    free(b->x);
    free(b->sid);
    free(b->phase);
    free(b->tier);
    free(b->prob);
    free(b->var);
    free(b->sarpu);
    free(b->cell);
    free(b->tnew);
    free(b->bv);
    memset(b, 0, sizeof *b);
}

static int anp_bufs_alloc(anp_bufs *b, size_t io, size_t p, size_t len)
{
    memset(b, 0, sizeof *b);
    b->io = io;
    b->area = malloc(io * sizeof *b->area);
    b->group = malloc(io * sizeof *b->group);
    b->brand = malloc(io);
    b->x = malloc(io * (p ? p : 1) * sizeof(float));
    b->sid = malloc(io * sizeof *b->sid);
    b->phase = malloc(io);
    b->tier = malloc(io);
    b->prob = malloc(io * sizeof(double));
    b->var = malloc(io * sizeof(double));
    b->sarpu = malloc(io * sizeof(float));
    b->cell = malloc(io * sizeof *b->cell);
    b->tnew = malloc(io);
    b->bv = malloc(len * sizeof(double));
    if (!b->area || !b->group || !b->brand || !b->x || !b->sid || !b->phase || !b->tier || !b->prob ||
        !b->var || !b->sarpu || !b->cell || !b->tnew || !b->bv) {
        anp_bufs_free(b);
        return CS_ERROR(CS_ENOMEM, "out of memory for analyze's buffers (%zu rows a block)", io);
    }
    return CS_OK;
}

/* I/O blocks of the rank with the most: every rank takes part in that many exchange rounds. */
static uint64_t anp_rounds(const part_range *pr, size_t io_rows, MPI_Comm comm)
{
    uint64_t most = (pr->rows + io_rows - 1) / io_rows;
    red_max_u64(comm, &most, 1);
    return most;
}

/* The cells and (last month) the remapped indicators of one I/O block already read into sc. */
static int anp_place(const anp_run *a, int prev, scan_state *sc, anp_bufs *b, int64_t *unmatched)
{
    const snap_schema *s = snap_schema_of(sc->r);
    size_t n = sc->n;
    size_t B = a->l->brands;
    int areas = a->areas;
    if (areas) CS_TRY(snap_read_area(sc->r, sc->row0, n, sc->region, b->area));
    for (size_t i = 0; i < n; i++) {
        size_t g = areas ? b->area[i] : sc->region[i];
        size_t br = sc->brand[i];
        if (prev) {
            g = a->pgroup[g];
            br = a->pbrand[br];
        }
        if (g == SIZE_MAX || br == SIZE_MAX) {
            b->group[i] = SIZE_MAX;
            b->brand[i] = 0;
            b->cell[i] = ANJ_NO_CELL;
            (*unmatched)++;
            continue;
        }
        b->group[i] = g;
        b->brand[i] = (uint8_t)br;
        b->cell[i] = (uint32_t)(g * B + br);
    }
    const float *x = sc->features;
    if (prev) {
        /* only the columns the cells read: the rest of b->x is NaN from the start and never read */
        size_t P = a->l->p, pp = s->p;
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < a->n_need; k++) {
                size_t j = (size_t)a->need[k];
                b->x[i * P + j] = a->pcol[j] >= 0 ? sc->features[i * pp + (size_t)a->pcol[j]] : NAN;
            }
        x = b->x;
    }
    for (size_t i = 0; i < n; i++) b->tnew[i] = (uint8_t)anl_new_by_tenure(a->c, x + i * a->l->p);
    return CS_OK;
}

int anp_pass(const anp_run *a, int prev, red_tree *t, anj_join *join, int64_t *new_join, int64_t *unmatched)
{
    const cmd_ctx *ctx = a->ctx;
    snap_reader *r = prev ? a->prev : a->cur;
    const snap_schema *s = snap_schema_of(r);
    part_range pr;
    part_compute(s->n, ctx->nranks, ctx->rank, &pr);
    unsigned what = SCAN_ID | SCAN_REGION | SCAN_BRAND | SCAN_FEATURES |
                    (s->has_labels ? SCAN_CHURNED | SCAN_CHURN_TYPE : 0);
    scan_state sc;
    anp_bufs b = {0};
    int rc = scan_init(&sc, r, &pr, a->block, what, ctx->nranks);
    if (rc == CS_OK) rc = anp_bufs_alloc(&b, sc.io_rows, a->l->p, a->l->len);
    if (rc == CS_OK && prev)
        for (size_t i = 0; i < sc.io_rows * a->l->p; i++) b.x[i] = NAN;
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) {
        scan_clear(&sc);
        anp_bufs_free(&b);
        return rc;
    }
    uint64_t rounds = anp_rounds(&pr, sc.io_rows, ctx->comm);
    scan_begin(&sc, prev ? "analyze: last month's snapshot" : "analyze: this month's snapshot");
    scr_reader *scr = prev ? NULL : a->scr;
    for (uint64_t round = 0; rc == CS_OK && round < rounds; round++) {
        int lrc = scan_next(&sc);
        size_t n = lrc == CS_OK ? sc.n : 0;
        if (lrc == CS_OK && n) lrc = anp_place(a, prev, &sc, &b, unmatched);
        if (lrc == CS_OK && n && scr)
            lrc = scr_read(scr, sc.row0, n, sc.id, b.sid, b.phase, b.tier, b.prob, b.var, b.sarpu);
        const float *x = prev ? b.x : sc.features;
        for (size_t off = 0; lrc == CS_OK && off < n; off += PART_BLOCK_ROWS) {
            size_t m = n - off < PART_BLOCK_ROWS ? n - off : PART_BLOCK_ROWS;
            anl_rows rows = {
                .n = m, .group = b.group + off, .brand = b.brand + off, .x = x + off * a->l->p,
                .churned = sc.churned ? sc.churned + off : NULL,
                .ctype = sc.churn_type ? sc.churn_type + off : NULL,
                .phase = scr ? b.phase + off : NULL, .tier = scr ? b.tier + off : NULL,
                .prob = scr ? b.prob + off : NULL, .var = scr ? b.var + off : NULL,
                .sarpu = scr ? b.sarpu + off : NULL, .cells_only = prev,
            };
            memset(b.bv, 0, a->l->len * sizeof(double));
            anl_block_add(a->l, a->c, &rows, b.bv);
            lrc = red_tree_add(t, (sc.row0 + off) / PART_BLOCK_ROWS, b.bv);
        }
        /* agreed before the exchange: a rank that failed to read must not leave the others in it */
        rc = red_agree(ctx->comm, lrc);
        if (rc != CS_OK || !join) continue;
        if (prev) rc = anj_add_previous(join, ctx->comm, sc.id, b.cell, n);
        else rc = anj_check_current(join, ctx->comm, sc.id, b.cell, b.tnew, n, new_join);
        rc = red_agree(ctx->comm, rc);
    }
    scan_clear(&sc);
    anp_bufs_free(&b);
    return rc;
}

/* ---- last month in this month's terms ---- */

static long anp_name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return (long)i;
    return -1;
}

int anp_map_previous(anp_run *a)
{
    const snap_schema *c = snap_schema_of(a->cur), *p = snap_schema_of(a->prev);
    const char *pf = snap_path(a->prev);
    if (a->areas && !p->n_areas)
        return CS_ERROR(CS_EFORMAT, "%s: has no areas (/subscribers/area) but %s has: last month's "
                        "figures could not be drilled down the same way", pf, snap_path(a->cur));
    size_t pg = a->areas ? p->n_areas : p->n_regions;
    a->pgroup = malloc(pg * sizeof *a->pgroup);
    a->pbrand = malloc(p->n_brands * sizeof *a->pbrand);
    a->pcol = malloc((a->l->p ? a->l->p : 1) * sizeof *a->pcol);
    if (!a->pgroup || !a->pbrand || !a->pcol) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t g = 0; g < pg; g++) {
        long k;
        if (a->areas) {
            /* an area is itself only in the same region: 朝阳区 of 北京 is not 朝阳市 of 辽宁 */
            k = anp_name_index((const char *const *)c->area_names, c->n_areas, p->area_names[g]);
            if (k >= 0 && strcmp(c->region_names[c->area_region[k]], p->region_names[p->area_region[g]]) != 0)
                k = -1;
        } else {
            k = anp_name_index((const char *const *)c->region_names, c->n_regions, p->region_names[g]);
        }
        a->pgroup[g] = k < 0 ? SIZE_MAX : (size_t)k;
    }
    for (size_t b = 0; b < p->n_brands; b++) {
        long k = anp_name_index((const char *const *)c->brand_names, c->n_brands, p->brand_names[b]);
        a->pbrand[b] = k < 0 ? SIZE_MAX : (size_t)k;
    }
    for (size_t j = 0; j < a->l->p; j++)
        a->pcol[j] = snap_feature_index(p, c->feature_names[j]);
    a->n_need = anl_cell_cols(a->c, a->need);
    return CS_OK;
}
