/* eval_tags.h — `churnscore evaluate`'s validation of each tag by outcomes (issue 17; eval_tags.c). */
#ifndef CS_EVAL_TAGS_H
#define CS_EVAL_TAGS_H

#include "evalrep.h"
#include "snapshot.h"
#include "tagconf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    tagconf *tc;
    tageval *tv;
    size_t nt, nreg;
    int64_t *count;  /* [(nt + 1) * nreg * EVALREP_TAG_NCOUNTS]; tag nt is every subscriber */
    uint64_t *bits;  /* [PART_BLOCK_ROWS] one chunk's tag bits */
} eval_tags;

/* Every rank: the tag rules (path, or the built-in ones when NULL) bound to the snapshot s whose
 * indicators the tags are computed from (the scored month's), for nreg regions. Skipped tags are
 * logged once (rank 0's log). CS_EDATA (file:line:column), CS_EIO, CS_ENOMEM. */
int eval_tags_open(eval_tags *et, const char *path, const snap_schema *s, size_t nreg);
void eval_tags_clear(eval_tags *et);

/* The bits of n rows of p features (n <= PART_BLOCK_ROWS) into et->bits. */
void eval_tags_block(eval_tags *et, const float *x, size_t p, size_t n);

/* Counts one subscriber of table region u with tag bits, on a list or not, left or not, and how
 * (churn type 1 voluntary; 0 when unknown). */
void eval_tags_add(eval_tags *et, uint64_t bits, size_t u, int listed, int left, int voluntary);

/* Collective: the counts summed over every rank (exact integers, any rank count). */
int eval_tags_reduce(eval_tags *et, MPI_Comm comm);

/* Fills d's tag fields (labels borrowed from et, in d->lang). */
void eval_tags_report(const eval_tags *et, int have_types, evalrep_data *d);

#endif
