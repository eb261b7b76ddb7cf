/* analyze_pass.h — the passes of `churnscore analyze` over the snapshots (analyze_pass.c); the
 * command itself, its options and its output directory are cmd_analyze.c.
 */
#ifndef CS_ANALYZE_PASS_H
#define CS_ANALYZE_PASS_H

#include "analyze.h"
#include "analyze_join.h"
#include "cmd.h"
#include "reduce.h"
#include "scorerows.h"
#include "snapshot.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const cmd_ctx *ctx;
    snap_reader *cur, *prev;  /* prev NULL without --previous */
    scr_reader *scr;          /* NULL without --scores */
    const anl_cols *c;
    const anl_layout *l;
    int areas;                /* the cells are areas (this month has them) */
    size_t block;             /* rows a read */
    /* last month in this month's terms (anp_map_previous): its group (area or region) and brand
     * indices to this month's (SIZE_MAX: none), this month's column j to last month's (-1: none) */
    size_t *pgroup, *pbrand;
    long *pcol;
    /* the columns last month's pass reads (anl_cell_cols): only these are carried over, the
     * others stay NaN */
    long need[ANL_MAX_CELL_COLS];
    size_t n_need;
} anp_run;

/* Fills a->pgroup, pbrand and pcol (the caller frees them): regions, areas (within the same
 * region) and brands by name, indicators by name. CS_EFORMAT when this month has areas and last
 * month none; CS_ENOMEM. */
int anp_map_previous(anp_run *a);

/* Collective. One pass over this month's snapshot (prev = 0, with the scores beside it) or last
 * month's (prev = 1): every reduction block's partial sums into t; with join, the ids into the join
 * (new_join[cell] counts this month's ids that last month lacks). *unmatched counts last month's rows
 * of no cell of this month. Errors agreed. */
int anp_pass(const anp_run *a, int prev, red_tree *t, anj_join *join, int64_t *new_join, int64_t *unmatched);

#endif
