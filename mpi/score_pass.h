/* score_pass.h — phase 1 of `churnscore score`: one pass over a rank's rows (score_pass.c), its
 * --read-only twin, and the reduction of what the pass summed. */
#ifndef CS_SCORE_PASS_H
#define CS_SCORE_PASS_H

#include "score_job.h"
#include "scores.h"

/* Scores every own row of the snapshot, block by block, and writes the rows to w as they are done
 * (all but the tier, which needs every rank's ARPU: score_tiers). Fills j->buf, j->arpu_hist,
 * j->cand, j->tot (own rows), j->vs (with j->vs.thr set beforehand) and j->t. Collective (the
 * snapshot's layout check is); CS_ENOMEM when the lists and per-row values outgrow --memory, or
 * what scan_next and scores_write return. Follow with red_agree. */
int score_pass(score_job *j, scores_writer *w);

/* Collective. --read-only: reads the datasets score_pass reads, the same way, computes nothing, and
 * logs and prints (rank 0: "read_seconds S") the slowest rank's time. Agreed. */
int score_read_only(score_job *j);

/* Collective. After the pass: the per-region sums (the fixed tree) and counts over all ranks into
 * j->tot.sums and j->tot.count, and the drift of the model's inputs into j->res.psi. Agreed. */
int score_totals_reduce(score_job *j);

#endif
