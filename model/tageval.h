/* tageval.h — every subscriber's tags, one bit each, and its value grade: the per-row half of the tag
 * rules (issue 17, seed 004).
 *
 * io/tagconf.h reads jobs/tags.conf and binds each tag's condition (model/expr.h) to the snapshot's
 * columns; what it hands over is a tageval: the conditions in an order where a tag another tag names
 * comes first, and the snapshot columns they read. tageval_block turns a block of float rows into a
 * 64-bit set per row (bit k = the k-th active tag of the file). The grade helpers are here too
 * because the grade is a per-row function of a value and cut-offs the pipeline found across ranks.
 * Pure: no MPI, no files.
 */
#ifndef CS_TAGEVAL_H
#define CS_TAGEVAL_H

#include "expr.h"

#include <stddef.h>
#include <stdint.h>

#define TAGEVAL_MAX_TAGS 64
/* Slots of a bound condition: 0..63 the result of tag k (0 or 1), TAGEVAL_COL0 + c the c-th
 * column of tageval.col. */
#define TAGEVAL_COL0 TAGEVAL_MAX_TAGS

/* The value grades: 1 (most valuable) .. TAGEVAL_N_GRADES; 0 = value unknown. */
#define TAGEVAL_N_GRADES 5

typedef struct {
    size_t n_tags;                       /* active tags; tag k is bit k */
    const expr *cond[TAGEVAL_MAX_TAGS];  /* borrowed from the tag file (io/tagconf.h) */
    size_t order[TAGEVAL_MAX_TAGS];      /* evaluation order: a tag after the tags it names */
    size_t n_cols;
    long *col;                           /* [n_cols] snapshot column of slot TAGEVAL_COL0 + c */
    size_t rows;                         /* the most rows a block may have */
    double *ws;                          /* [(64 + n_cols + 1) * rows] */
    const double **cols;                 /* [64 + n_cols] */
} tageval;

/* A tageval for n_tags tags reading n_cols columns, blocks of at most rows rows; col is filled by the
 * caller. NULL when out of memory. */
tageval *tageval_alloc(size_t n_tags, size_t n_cols, size_t rows);
void tageval_free(tageval *tv); /* accepts NULL */

/* bits[i] = the tags of row i of x (n rows of p floats, n <= tv->rows). Without tags (tv NULL or no
 * tag) every bits[i] is 0. */
void tageval_block(tageval *tv, const float *x, size_t p, size_t n, uint64_t *bits);

/* The grade of value v (NaN: 0). With thresholds, cut[g-1] is the least value of grade g (g = 1..4,
 * non-increasing) and the rest are grade 5; without, cut are the ascending quintile cut-offs and the
 * grade is 5 - (the number of cut-offs strictly below v), so grade 1 is the top fifth — the same
 * partition as the tiers before issue 17, numbered the way operators number their grades. */
int tageval_grade(const double cut[TAGEVAL_N_GRADES - 1], int thresholds, double v);

/* Contribution: arpu - cost where the site has a cost indicator (has_cost), else arpu; NaN when
 * either is unknown. */
double tageval_contribution(double arpu, int has_cost, double cost);

#endif
