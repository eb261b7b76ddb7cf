/* score_summary.h — phase 5 of `churnscore score`: the per-region summary, written to DIR, into
 * SCORES.h5's final values and printed (score_summary.c). */
#ifndef CS_SCORE_SUMMARY_H
#define CS_SCORE_SUMMARY_H

#include "lists.h"
#include "score_job.h"
#include "scores.h"

/* The summary's per-region columns, [nreg] each (queued: [SCORE_NGROUPS(nreg)], by score_group), as
 * lists_summary and scores_final take them. */
typedef struct {
    int64_t *subscribers, *alarm, *warning, *queued;
    double *expected_leavers, *value_at_risk;
    double *auc, *lift10; /* NaN where the region was not validated */
} score_columns;

/* Wall-clock seconds of the stages, as the summary prints them. */
typedef struct {
    double start; /* comm_now() when the run began */
    double pass, tiers, lists, validation;
} score_times;

/* The columns from j's totals and validation. CS_ENOMEM (c is then freed). */
int score_columns_alloc(score_columns *c, const score_job *j);
void score_columns_free(score_columns *c);

/* Rank 0: DIR.tmp/summary.csv and summary.json (lists_summary_write) and, when the model carries a
 * drift reference, drift.csv (drift_report). CS_EIO, CS_ENOMEM. */
int score_summary_write(const score_job *j, const score_columns *c, const lists_ctx *lc, const char *tmpdir);

/* SCORES.h5's final values (scores_finish), pointing into c and j. */
void score_summary_final(const score_job *j, const score_columns *c, scores_final *fin);

/* Collective (the slowest rank's times and the ranks' peak memory are reduced). When ok, rank 0
 * prints the per-region table, the tier cut-offs, the validation and the timings to stdout. */
void score_summary_print(const score_job *j, const score_columns *c, const score_times *tm, int ok);

#endif
