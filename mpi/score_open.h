/* score_open.h — phase 0 of `churnscore score` on every rank: the model read and matched to the
 * snapshot by name, and the release of everything a run holds (score_open.c). */
#ifndef CS_SCORE_OPEN_H
#define CS_SCORE_OPEN_H

#include "score_job.h"

/* Zeroes j for a run of the command ctx (before the options are parsed into j->o). */
void score_job_init(score_job *j, const cmd_ctx *ctx);

/* Opens j->o.in and fills j->in: the snapshot's schema and this rank's rows; unless --read-only,
 * the model (each rank reads it, it is small) with the snapshot column of each of its inputs,
 * matched BY NAME (another order and extra columns are fine), the brand map, the reason texts, the
 * drift accumulator and j->res. CS_EFORMAT naming the file where the model does not fit the
 * snapshot (a missing indicator, a non-finite coefficient, a warn_cutoff that is no probability,
 * too many design columns for the int16 reason codes), CS_ENOMEM. Local: follow with red_agree. */
int score_open(score_job *j);

/* Frees everything j holds, whatever stage it reached. */
void score_close(score_job *j);

#endif
