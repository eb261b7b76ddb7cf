/* score_tiers.h — phase 2 of `churnscore score`: the value tiers (score_tiers.c). */
#ifndef CS_SCORE_TIERS_H
#define CS_SCORE_TIERS_H

#include "score_job.h"
#include "scores.h"

/* Collective, after score_pass. The ARPU quintile cut-offs over all ranks' subscribers into
 * j->res.cut (NaN when no subscriber has an ARPU), exact and the same for any rank count; then the
 * tier of every own row written to w and set in j->cand's items. Reads the own rows' ARPU back from
 * w. CS_ENOMEM, or what scores_read_arpu and scores_write_tier return. Agreed. */
int score_tiers(score_job *j, scores_writer *w);

#endif
