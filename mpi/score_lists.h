/* score_lists.h — phase 3 of `churnscore score`: the per-region early-warning lists (score_lists.c). */
#ifndef CS_SCORE_LISTS_H
#define CS_SCORE_LISTS_H

#include "lists.h"
#include "score_job.h"

/* Collective, after score_tiers. Writes every region's list CSV into tmpdir (DIR.tmp, which rank 0
 * created and every rank knows the name of) from every rank's candidates j->cand, which it consumes;
 * j->res.listed[g] is the number of rows of region g's list on every rank. The bytes are the same
 * whichever rank writes a region and for any rank count. CS_ENOMEM, CS_EIO (a region file that
 * cannot be written). Agreed. */
int score_lists(score_job *j, const lists_ctx *lc, const char *tmpdir);

#endif
