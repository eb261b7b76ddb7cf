/* score_prev.h — month over month in `churnscore score` (issue 15): each list row joined by id
 * with last month's scores (score --previous-scores LAST/scores.h5), and this month's months on the
 * lists stored in SCORES.h5 for next month (score_prev.c).
 *
 * Three steps, each collective, in cmd_score.c's order:
 *   score_prev_open    before the pass: last month's SCORES.h5 opened on every rank and checked (an
 *                      earlier month, with /subscribers/months_on_list); rank 0 reads its per-region
 *                      summary, mapped onto this month's regions by name, for summary.csv;
 *   score_prev_join    after the tiers, before the lists: every candidate (model/topk.h) gets last
 *                      month's probability, phase and months on the lists, through the distributed id
 *                      join of eval_join.h (the candidates' ids and last month's rows meet at the id's
 *                      owner rank, which sends the answers back), in parts that fit --memory;
 *   score_prev_months  after the lists: which of this rank's candidates made their list (every
 *                      list's last row, known to all ranks, cuts it: topk_before is a total order),
 *                      written as /subscribers/months_on_list of this rank's rows with each listed
 *                      row's playbook action (/subscribers/action: a control row's would-be one, for
 *                      evaluate's effect by action), and each region's listed rows new this month.
 * Without --previous-scores the join is skipped (the list cells stay empty) and the months start at 1.
 * Everything is the same for any rank count: the join answers by id, the counts are integers.
 */
#ifndef CS_SCORE_PREV_H
#define CS_SCORE_PREV_H

#include "score_job.h"
#include "scores.h"

/* Collective. Opens o->previous_scores when given (j->prev). CS_EIO, CS_EFORMAT, CS_EINVAL (a month
 * not before this one). Agreed. */
int score_prev_open(score_job *j);

/* Collective, after score_tiers. Fills the prev_* fields of every candidate and keeps what
 * score_prev_months needs. CS_ENOMEM, CS_EIO, CS_EFORMAT. Agreed. */
int score_prev_join(score_job *j);

/* Collective, after score_lists, which recorded each list's last row in j->prev.last. Writes this
 * rank's rows of /subscribers/months_on_list and reduces j->prev.new_listed. CS_EIO, CS_ENOMEM.
 * Agreed. */
int score_prev_months(score_job *j, scores_writer *w);

/* Frees j->prev (score_close calls it). */
void score_prev_clear(score_job *j);

#endif
