/* score_tags.h — the tags and contribution of `churnscore score` (issue 17; score_tags.c). */
#ifndef CS_SCORE_TAGS_H
#define CS_SCORE_TAGS_H

#include "scan.h"
#include "score_job.h"

/* Phase 0, every rank: reads --tags (or the built-in rules) and binds them to the snapshot; rank 0
 * logs each skipped tag's notice once and whether contribution has a cost. CS_EDATA (file:line:column),
 * CS_EIO, CS_ENOMEM. */
int score_tags_open(score_job *j);

/* The tag bits of rows [off, off + n) of the scan's block (n <= PART_BLOCK_ROWS) into
 * j->buf.tags + off. */
void score_tags_block(score_job *j, const scan_state *sc, size_t off, size_t n);

/* A row's contribution (x its features, arpu its ARPU), rounded to float as SCORES.h5 holds it. */
float score_tags_contrib(const score_job *j, const float *x, float arpu);

#endif
