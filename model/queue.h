/* queue.h — which team's list a scored subscriber goes to: retention, collections or billing check.
 *
 * One mixed list sent retention offers to non-payers (issue 14): voluntary and involuntary leavers
 * are about 2 : 8 and only the voluntary ones are retention's business (seed 000), while arrears
 * suspensions are the collections team's and high-bill suspensions a billing check of their own
 * (seed 000 counts the three kinds of suspension apart). So every subscriber is in at most one queue,
 * decided by one rule (queue_of), and each queue is ranked by its own key (queue_key): retention by
 * the voluntary risk or the voluntary value at risk, collections by the involuntary risk, billing by
 * the value at risk of the bill. Inside a list, rows a hard fact raised come first (queue_band: the
 * one ordering rule, model/topk.h). Pure: no MPI, no files; mpi/score_pass.c applies it per row.
 */
#ifndef CS_QUEUE_H
#define CS_QUEUE_H

#include "lang.h"

enum { QUEUE_NONE = 0, QUEUE_RETENTION = 1, QUEUE_COLLECTIONS = 2, QUEUE_BILLING = 3, QUEUE_N = 4 };
/* The queues with a list: QUEUE_RETENTION .. QUEUE_BILLING. */
#define QUEUE_N_LISTED 3

/* signals are model/rules.h's rules_signals bits (RULES_SIG_SUSP_ARREARS, RULES_SIG_SUSP_HIGH_BILL).
 * The queue of one subscriber: QUEUE_BILLING with a high-bill suspension; else QUEUE_COLLECTIONS
 * with an arrears suspension, or when the types are known (pinv not NaN) and pinv >= cutoff and
 * pinv > pvol; else QUEUE_RETENTION when phase is not healthy (model/rules.h); else QUEUE_NONE. */
int queue_of(unsigned signals, int phase, double pvol, double pinv, double cutoff);

/* The band compared first in the list order: 1 for a row a hard fact put there (retention: the alarm
 * phase; collections: an arrears suspension; billing: always, the suspension itself), 0 for a row the
 * model alone raised (a warning; a predicted non-payer). */
int queue_band(int queue, unsigned signals, int phase);

/* The probability a queue is about: retention pvol, collections pinv (prob when pinv is NaN: the
 * types unknown), billing prob (leaving at all). NaN for QUEUE_NONE. */
double queue_prob(int queue, double prob, double pvol, double pinv);

/* The ranking key of a listed row: retention by queue_prob, or (by_value) by the value at risk
 * queue_prob x max(arpu, 0) x horizon; collections by queue_prob; billing by the value at risk
 * (value_at_risk is that value, computed by the caller with rules_value_at_risk). */
double queue_key(int queue, int by_value, double qprob, double value_at_risk);

/* "retention", "collections", "billing" ("none" for QUEUE_NONE, "?" out of range): the machine names
 * (file names, summary.json, the playbook). queue_parse is the inverse over the three listed queues:
 * the QUEUE_* code, or -1. */
const char *queue_name(int queue);
int queue_parse(const char *s);

/* The queue's name for people, in the list's language ("retention" / "挽留"). */
const char *queue_label(int queue, cs_lang lang);

#endif
