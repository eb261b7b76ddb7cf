/* inputs.h — which of the snapshot's indicators the churn model takes, and in which role.
 *
 * After screening (screen.h) every indicator gets one role: a hard alarm signal (used as it is, never
 * screened as near-constant, since such signals are rare by nature, and never folded into factors),
 * a lifecycle source (tenure and months left on the contract, turned into flags by cmodel.h), a
 * member of the pool that goes to factor analysis or into the model raw, or not used. The choice is
 * a pure function of the names, the moments summary and the screening result, the same on every
 * rank; the training pipeline (mpi/train_fa.c, mpi/train_structure.c) builds the model from it, and
 * the report states each indicator's role with inputs_why.
 */
#ifndef CS_INPUTS_H
#define CS_INPUTS_H

#include "moments.h"
#include "screen.h"

#include <stddef.h>

typedef struct {
    size_t p;
    size_t *pool, npool;  /* screened indicators (not signals or lifecycle), in column order */
    size_t *sig, nsig;    /* hard signals that vary and are present enough, in column order */
    long tenure, contract;/* the lifecycle sources' columns, -1 when absent or never present */
    size_t n_constant;    /* indicators present enough but without variation (sd 0 or NaN) */
    size_t n_missing;     /* indicators never present or missing in more than max_missing */
} inputs_choice;

/* NULL when p is 0 or memory is short. */
inputs_choice *inputs_choice_alloc(size_t p);
void inputs_choice_free(inputs_choice *c); /* accepts NULL */

/* 1 when name is one of the hard alarm signals / the lifecycle columns. */
int inputs_is_signal(const char *name);
int inputs_is_lifecycle(const char *name);

/* Gives each of the p = c->p columns its role: names[p] are the indicators, ms their summary, sr
 * the screening result of the same columns, max_missing the --max-missing share a signal must not
 * exceed. Returns CS_EINVAL on a size mismatch. */
int inputs_choose(const char *const *names, const moments_summary *ms, const screen_result *sr,
                  double max_missing, inputs_choice *c);

/* 1 when there is nothing to fit on: no pooled indicator, no signal, and the lifecycle sources
 * (where present) constant, so the lifecycle flags would be constant too and the fit an intercept
 * model that must not pass as a churn model. ms as given to inputs_choose. */
int inputs_none(const inputs_choice *c, const moments_summary *ms);

/* 1 when column j is read by the model (pool, signal or lifecycle source). */
int inputs_used(const inputs_choice *c, size_t j);

/* Column j's role in words for the report: "kept: hard signal, used as it is", "kept: lifecycle
 * flag", "" (a pooled indicator), or why it is not used (the screening reason for an ordinary one).
 * Never NULL for j < c->p. */
const char *inputs_why(const inputs_choice *c, const char *const *names, const screen_result *sr,
                       size_t j);

/* The number of factors: kfix when positive, else the Kaiser criterion (eigenvalues above 1, at least
 * one) over eigen[n_eigen]; at most npool - 1 (1 when npool <= 1). */
size_t inputs_factor_count(const double *eigen, size_t n_eigen, long kfix, size_t npool);

/* The words for a CMODEL_INPUTS_* mode: "factor scores", "raw indicators", "factors and raw
 * indicators". */
const char *inputs_mode_name(int inputs);

#endif
