/* score_tiers.h — phase 2 of `churnscore score`: the value tiers (score_tiers.c). */
#ifndef CS_SCORE_TIERS_H
#define CS_SCORE_TIERS_H

#include "score_job.h"
#include "scores.h"

/* Collective, after score_pass. The contribution quintile cut-offs over all ranks' subscribers into
 * j->res.cut (NaN when no subscriber has a known contribution), exact and the same for any rank
 * count, or the tag rules' thresholds; then the grade (1 = most valuable; an identity tag lifts to
 * 1) of every own row written to w and set in j->cand's items. Reads the own rows' contribution and
 * tags back from w. CS_ENOMEM, or what scores_read_tags and scores_write_tier return. Agreed. */
int score_tiers(score_job *j, scores_writer *w);

#endif
