/* pick.h — the rows of `churnscore select --where EXPR` (issue 16): the condition's names bound to a
 * month's snapshot and scores, and each chosen row made into a list row as score made its own.
 *
 * model/expr.h parses and evaluates the condition; this module says what its names are: region,
 * area, brand, stage, phase, queue (names of names, compared with their names in English or
 * Chinese), tier or grade (a grade: 1..5 or its name), the list's numbers (probability,
 * p_voluntary, p_involuntary, value_at_risk, arpu, contribution), every indicator of the snapshot
 * by name, and `tags has KEY` (a tag of the scores file by key or label). Per block of rows it fills
 * one double column per name the condition uses, evaluates, and turns each chosen row into the
 * topk_item a list row is written from: the queue stored in SCORES.h5, its key and band exactly as
 * mpi/score_pass.c computes them (model/queue.h), the reasons, tags, grade and segment as stored.
 * Rows in no queue (a healthy subscriber) are ranked by their probability of leaving at all (or its
 * value at risk with rank_by value_at_risk), band 0. Local: no MPI.
 */
#ifndef CS_PICK_H
#define CS_PICK_H

#include "expr.h"
#include "playbook.h"
#include "rules.h"
#include "scorelist.h"
#include "snapshot.h"
#include "topk.h"

#include <stddef.h>
#include <stdint.h>

#define PICK_MAX_COLS 256

typedef struct {
    const snap_schema *s;
    const scl_meta *m;
    expr *e;
    size_t n_cols;            /* the columns the condition reads, one per distinct name */
    int src[PICK_MAX_COLS];   /* PICK_SRC_* of pick.c, or an indicator or a tag */
    uint16_t *area_class;     /* [n_areas] the first area of the same name: area = 朝阳区 is every one */
    double *col;              /* [n_cols * io] */
    double *res;              /* [io] the condition's value of each row */
    size_t io;
    /* the list rows */
    rules_cols rc;            /* the snapshot's suspension columns: the collections band */
    long online_col;          /* the playbook's e-channel indicator (-1: none) */
    const playbook *pb;
    size_t n_extra;           /* --list-columns */
    long extra_col[TOPK_MAX_EXTRA];
    int by_value;             /* rank_by value_at_risk */
} pick_where;

/* One block's inputs: the scores' rows, the snapshot's features [n * p] and areas (NULL without). */
typedef struct {
    size_t n;
    uint64_t row0;
    const scl_rows *sc;
    const float *x;
    const uint16_t *area;
} pick_block;

/* Parses and binds text for blocks of up to io rows. CS_EDATA with *err (the column of the error)
 * for a condition that is wrong; CS_ENOMEM. On success free with pick_where_clear. */
int pick_where_init(pick_where *w, const char *text, const snap_schema *s, const scl_meta *m,
                    const playbook *pb, size_t io, expr_error *err);
void pick_where_clear(pick_where *w); /* accepts a zeroed or cleared one */

/* --list-columns (names separated by commas): CS_EINVAL naming the option (unknown, empty,
 * repeated name, more than TOPK_MAX_EXTRA); names[] get the snapshot's names. */
int pick_list_columns(pick_where *w, const char *list, const char *snapshot, const char **names);

/* out[i] = 1 when row i of b is chosen, else 0. */
void pick_where_eval(pick_where *w, const pick_block *b, uint8_t *out);

/* The list row of row i of b (its global row is b->row0 + i). */
void pick_item(const pick_where *w, const pick_block *b, size_t i, topk_item *it);

/* The group of a chosen item in the output's order: retention 0, collections 1, billing 2, none 3. */
#define PICK_GROUPS 4
size_t pick_group(const topk_item *it);

#endif
