/* eval_effect.h — the retention effect inside `churnscore evaluate` (issue 15): the counts of each
 * arm (io/effectrep.h) taken in the outcome pass, and --contacts read and shared.
 *
 * cmd_evaluate.c calls eval_effect_row for every listed subscriber it meets in the outcome snapshot,
 * sums the counts with the others (red_sum_i64: integers, so the same for any rank count), then
 * eval_effect_finish adds what the lists themselves say (the listed of each arm, their worth) and,
 * with --absent-means-churned, turns "met in the later month" into "stayed".
 */
#ifndef CS_EVAL_EFFECT_H
#define CS_EVAL_EFFECT_H

#include "cmd.h"
#include "contacts.h"
#include "effectrep.h"
#include "listin.h"

typedef struct {
    size_t nreg;
    int64_t *counts;  /* effectrep_data's counts */
    double *worth;    /* effectrep_data's worth */
    uint8_t *contact; /* [t->n] CONTACTS_* flags, NULL without --contacts */
    contacts_stats cst;
    /* issue 15, by action: each listed row's outcome (EVAL_EFFECT_* bits, set on the one rank that met
     * it, then summed over ranks), and the counts and worth per action (eval_effect_actions) */
    int64_t *row_state;  /* [t->n] */
    size_t n_actions;
    int64_t *counts_action; /* effectrep_data's */
    double *worth_action;
} eval_effect;

enum { EVAL_EFFECT_MET = 1, EVAL_EFFECT_KNOWN = 2, EVAL_EFFECT_LEFT = 4, EVAL_EFFECT_VOL = 8, EVAL_EFFECT_INV = 16 };

/* Counts for nreg regions and the n_rows listed rows, zeroed. CS_ENOMEM. */
int eval_effect_init(eval_effect *x, size_t nreg, size_t n_rows);
void eval_effect_clear(eval_effect *x);

/* Collective: rank 0 reads the contacts file against the lists t (same on every rank) and every
 * rank gets the flags. The errors of contacts_read, agreed. */
int eval_effect_contacts(const cmd_ctx *ctx, const char *path, const contacts_columns *cols,
                         const listin_table *t, eval_effect *x);

/* Entry k of t was met in the outcome snapshot: known (a label 0/1, or present in the later month),
 * left (label 1) and its churn type (0 none or unknown, 1 voluntary, 2 involuntary). */
void eval_effect_row(eval_effect *x, const listin_table *t, size_t k, int known, int left, int ctype);

/* After the counts are summed over ranks: the listed and the worth of each arm from the lists, and
 * with absent (the later month's snapshot) every listed subscriber known, those not met left. */
void eval_effect_finish(eval_effect *x, const listin_table *t, int absent);

/* After eval_effect_finish, with row_state summed over ranks: the counts per action of n_actions,
 * action[k] being listed row k's action + 1 (0: unknown, the row counts under no action). CS_ENOMEM. */
int eval_effect_actions(eval_effect *x, const listin_table *t, int absent, const int64_t *action, size_t n_actions);

#endif
