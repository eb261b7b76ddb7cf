/* score_validate.h — phase 4 of `churnscore score`: the scores checked against the snapshot's own
 * labels, overall and per region (score_validate.c). */
#ifndef CS_SCORE_VALIDATE_H
#define CS_SCORE_VALIDATE_H

#include "score_job.h"

/* The hash threshold of the validation sample (score_vsample.thr) for a snapshot s: UINT64_MAX
 * (keep every labelled row) unless s has more rows than validate_max, then a hash-of-id share a
 * little above validate_max / n, cut exactly to validate_max after the pass (score_validate). */
uint64_t score_validate_threshold(const snap_schema *s, uint64_t validate_max);

/* Collective, after the pass, with labels. Cuts j->vs to the --validate-max smallest id hashes over
 * all ranks where it holds more, gathers the rows to rank 0 (all rows) and the helper rank (per
 * region) in global row order and evaluates them exactly (model/metrics.h), so the reports are the
 * bits one rank would compute. j->res.val on every rank, but for .overall, on rank 0 only (which
 * alone writes the summaries). One class only is no error: validated = 0 (region_ok[g] = 0 for such
 * a region). CS_ENOMEM, CS_EMPI. Agreed. */
int score_validate(score_job *j);

#endif
