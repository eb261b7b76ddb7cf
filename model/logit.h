/* logit.h — L2-penalised logistic regression by Newton / IRLS, split for distributed fitting.
 *
 * Each Newton step needs X'WX, the gradient and the log-likelihood summed over all rows. Rows live on
 * many ranks, so the work is split: logit_accumulate adds one block's contribution to a Hessian,
 * gradient and log-likelihood that the caller reduces across ranks by addition (mpi/), then every rank
 * runs the same small logit_step on the reduced sums and gets the same new coefficients. logit_stats
 * gives standard errors, Wald z and p-values from the final Hessian. logit_fit is the serial driver
 * (tests, small data) built from the same three pieces.
 *
 * Conventions: we maximise  l(beta) - lambda/2 * sum_j m_j beta_j^2,  where m_j = penalize[j] (0/1).
 * hess accumulates the (negated) second derivative, i.e. the positive semi-definite X'WX; grad the
 * first derivative of l (the ascent direction); both are row-major and only the upper triangle of hess
 * (i <= j) is written. Determinism: with hess/grad/loglik zeroed first, one call depends only on that
 * block's rows (and the BLAS build); combine per-block partials in a fixed order for rank-count
 * independent results.
 */
#ifndef CS_LOGIT_H
#define CS_LOGIT_H

#include <stddef.h>

typedef struct logit_work logit_work;

/* Workspace for blocks of up to max_rows rows and k coefficients (a max_rows x k buffer and k x k for
 * the step). Returns NULL if max_rows or k is 0 or memory is short. */
logit_work *logit_work_alloc(size_t max_rows, size_t k);
void logit_work_free(logit_work *w); /* accepts NULL */

/* The rows of positive weight of the last logit_accumulate call (0 before any; partial after an
 * error) whose fitted probability was numerically 0 or 1 (below DIAG_P_EPS or above 1 - DIAG_P_EPS of diag.h, glm's
 * test): a sign of separation (diag_logit). 0 for NULL. */
size_t logit_work_extreme(const logit_work *w);

/* Adds block (X: n x k row-major, the intercept column, if any, is the caller's column of ones; y: n
 * labels in {0, 1}; w: n non-negative row weights or NULL for 1) at the current beta to
 *   hess += X' diag(w p (1 - p)) X   (upper triangle),  grad += X'(w (y - p)),
 *   loglik += sum w (y log p + (1 - y) log(1 - p)),     p = 1 / (1 + exp(-X beta)).
 * loglik may be NULL. Returns CS_EINVAL if n exceeds the workspace, k differs from it, a label is not
 * 0/1 or a weight is negative or not finite; CS_EDATA if X beta is not finite. */
int logit_accumulate(const double *X, const double *y, const double *w, size_t n, size_t k,
                     const double *beta, double *hess, double *grad, double *loglik, logit_work *work);

/* One Newton step on the reduced sums: solves (H + lambda D) delta = grad - lambda D beta by Cholesky
 * (D = diag(penalize), NULL penalize means every coefficient) and writes beta_out = beta + delta
 * (beta_out may equal beta). max_change (may be NULL) gets max_j |delta_j|. Only the upper triangle of
 * hess is read. Returns CS_ENUM if the penalised Hessian is not positive definite (collinear columns or
 * separation without a penalty), CS_EINVAL if lambda < 0 or k differs from the workspace's. */
int logit_step(const double *hess, const double *grad, const double *beta, double lambda,
               const unsigned char *penalize, size_t k, double *beta_out, double *max_change,
               logit_work *work);

/* Convergence test used by logit_fit: 1 if max_change < tol * (1 + max_j |beta_j|), else 0. */
int logit_converged(double max_change, const double *beta, size_t k, double tol);

/* Standard errors from the inverse of the penalised Hessian (H + lambda D)^{-1} at the final beta
 * (lambda = 0 gives the usual Wald standard errors), z = beta / se and two-sided normal p-values.
 * Any of se, z, pval may be NULL. Returns CS_ENUM if the Hessian is not positive definite. */
int logit_stats(const double *hess, const double *beta, double lambda, const unsigned char *penalize,
                size_t k, double *se, double *z, double *pval, logit_work *work);

/* Probabilities p_i = 1 / (1 + exp(-x_i beta)) for n rows of X (n x k). Never fails. */
void logit_predict(const double *X, size_t n, size_t k, const double *beta, double *prob);

/* Serial driver: Newton from beta (in: start, usually zeros; out: estimate) until logit_converged(tol)
 * or max_iter steps. iterations and loglik (at the returned beta) may be NULL. X is processed in
 * blocks of the workspace's max_rows rows, in order. Returns CS_ENUM if a step fails or max_iter is reached (in the unpenalised case this
 * is how complete separation shows: coefficients grow without bound), plus logit_accumulate's errors. */
int logit_fit(const double *X, const double *y, const double *w, size_t n, size_t k, double lambda,
              const unsigned char *penalize, double tol, size_t max_iter, double *beta,
              size_t *iterations, double *loglik, logit_work *work);

#endif
