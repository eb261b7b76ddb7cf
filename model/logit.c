/* logit.c — the Newton / IRLS pieces of logit.h.
 *
 * logit_accumulate scales each row of X by sqrt(w p (1 - p)) into a workspace and lets dsyrk form the
 * block's X'WX; gradient and log-likelihood are plain loops over the same rows. logit_step and
 * logit_stats work on the reduced k x k sums with a Cholesky factorisation (never an explicit inverse
 * for the step). The log-likelihood uses log1p(exp(-|eta|)) forms so that large |eta| neither
 * overflows nor loses the small probability.
 */
#include "logit.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "diag.h"
#include "status.h"

struct logit_work {
    size_t max_rows, k;
    double *z;   /* max_rows x k scaled rows */
    double *h;   /* k x k penalised Hessian / its factor */
    double *rhs; /* k */
    size_t extreme; /* rows of the last logit_accumulate with p numerically 0 or 1 */
};

logit_work *logit_work_alloc(size_t max_rows, size_t k)
{
    if (max_rows == 0 || k == 0 || max_rows > SIZE_MAX / sizeof(double) / k) return NULL;
    logit_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->max_rows = max_rows;
    w->k = k;
    w->z = malloc(max_rows * k * sizeof(double));
    w->h = malloc(k * k * sizeof(double));
    w->rhs = malloc(k * sizeof(double));
    if (!w->z || !w->h || !w->rhs) {
        logit_work_free(w);
        return NULL;
    }
    return w;
}

size_t logit_work_extreme(const logit_work *w)
{
    return w ? w->extreme : 0;
}

void logit_work_free(logit_work *w)
{
    if (!w) return;
    free(w->z);
    free(w->h);
    free(w->rhs);
    free(w);
}

int logit_accumulate(const double *X, const double *y, const double *w, size_t n, size_t k,
                     const double *beta, double *hess, double *grad, double *loglik, logit_work *work)
{
    if (!work || k != work->k)
        return CS_ERROR(CS_EINVAL, "logit: %zu coefficients, workspace has %zu", k,
                        work ? work->k : 0);
    if (n > work->max_rows)
        return CS_ERROR(CS_EINVAL, "logit: block of %zu rows exceeds workspace (%zu)", n,
                        work->max_rows);
    work->extreme = 0;
    if (n == 0) return CS_OK;
    if (n > INT_MAX || k > INT_MAX) /* CBLAS takes int dimensions */
        return CS_ERROR(CS_EINVAL, "logit: block %zu x %zu too large for CBLAS", n, k);
    double ll = 0;
    for (size_t i = 0; i < n; i++) {
        const double *xi = X + i * k;
        double wi = w ? w[i] : 1.0;
        if (y[i] != 0.0 && y[i] != 1.0)
            return CS_ERROR(CS_EINVAL, "logit: label of row %zu is %g, not 0 or 1", i, y[i]);
        if (!(wi >= 0) || !isfinite(wi))
            return CS_ERROR(CS_EINVAL, "logit: weight of row %zu is %g", i, wi);
        double eta = 0;
        for (size_t j = 0; j < k; j++) eta += xi[j] * beta[j];
        if (!isfinite(eta))
            return CS_ERROR(CS_EDATA, "logit: linear predictor of row %zu is not finite", i);
        /* p = 1/(1+e^-eta); log p = -log1p(e^-eta), log(1-p) = -eta - log1p(e^-eta), in the
         * form that keeps the exponent non-positive. */
        double e = exp(-fabs(eta));
        double l1pe = log1p(e);
        double p = eta >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
        double logp = eta >= 0 ? -l1pe : eta - l1pe;
        double log1mp = eta >= 0 ? -eta - l1pe : -l1pe;
        ll += wi * (y[i] * logp + (1.0 - y[i]) * log1mp);
        /* glm.fit's warning test, on the probability as computed (1 - p from e for eta >= 0 would
         * see further, but then a row could count here that glm would not flag) */
        if (wi > 0 && (p < DIAG_P_EPS || p > 1.0 - DIAG_P_EPS)) work->extreme++;
        double r = wi * (y[i] - p);
        for (size_t j = 0; j < k; j++) grad[j] += r * xi[j];
        double s = sqrt(wi * p * (1.0 - p));
        double *zi = work->z + i * k;
        for (size_t j = 0; j < k; j++) zi[j] = s * xi[j];
    }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)k, (int)n, 1.0, work->z, (int)k, 1.0,
                hess, (int)k);
    if (loglik) *loglik += ll;
    return CS_OK;
}

/* Cholesky-factors H + lambda D (from the upper triangle of hess) in work->h. */
static int logit_factor(const double *hess, double lambda, const unsigned char *penalize, size_t k,
                        logit_work *work, const char *who)
{
    if (!work || k != work->k)
        return CS_ERROR(CS_EINVAL, "%s: %zu coefficients, workspace has %zu", who, k,
                        work ? work->k : 0);
    if (!(lambda >= 0)) return CS_ERROR(CS_EINVAL, "%s: lambda = %g must be >= 0", who, lambda);
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < k; j++) {
            double v = hess[i * k + j];
            if (i == j && (!penalize || penalize[i])) v += lambda;
            work->h[i * k + j] = work->h[j * k + i] = v;
        }
    gsl_matrix_view H = gsl_matrix_view_array(work->h, k, k);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int g = gsl_linalg_cholesky_decomp1(&H.matrix);
    gsl_set_error_handler(old);
    if (g != GSL_SUCCESS)
        return CS_ERROR(CS_ENUM,
                        "%s: the Hessian is not positive definite: predictors are collinear or the "
                        "classes are separable; drop collinear predictors or use lambda > 0",
                        who);
    return CS_OK;
}

int logit_step(const double *hess, const double *grad, const double *beta, double lambda,
               const unsigned char *penalize, size_t k, double *beta_out, double *max_change,
               logit_work *work)
{
    CS_TRY(logit_factor(hess, lambda, penalize, k, work, "logit_step"));
    for (size_t j = 0; j < k; j++)
        work->rhs[j] = grad[j] - ((!penalize || penalize[j]) ? lambda * beta[j] : 0.0);
    gsl_matrix_view H = gsl_matrix_view_array(work->h, k, k);
    gsl_vector_view r = gsl_vector_view_array(work->rhs, k);
    gsl_linalg_cholesky_svx(&H.matrix, &r.vector); /* rhs <- delta */
    double mc = 0;
    for (size_t j = 0; j < k; j++) {
        double d = work->rhs[j];
        if (!isfinite(d)) return CS_ERROR(CS_ENUM, "logit_step: the Newton step is not finite");
        if (fabs(d) > mc) mc = fabs(d);
        beta_out[j] = beta[j] + d;
    }
    if (max_change) *max_change = mc;
    return CS_OK;
}

int logit_converged(double max_change, const double *beta, size_t k, double tol)
{
    double m = 0;
    for (size_t j = 0; j < k; j++)
        if (fabs(beta[j]) > m) m = fabs(beta[j]);
    return max_change < tol * (1.0 + m);
}

int logit_stats(const double *hess, const double *beta, double lambda, const unsigned char *penalize,
                size_t k, double *se, double *z, double *pval, logit_work *work)
{
    CS_TRY(logit_factor(hess, lambda, penalize, k, work, "logit_stats"));
    gsl_matrix_view H = gsl_matrix_view_array(work->h, k, k);
    gsl_linalg_cholesky_invert(&H.matrix);
    for (size_t j = 0; j < k; j++) {
        double s = sqrt(work->h[j * k + j]);
        double zz = beta[j] / s;
        if (se) se[j] = s;
        if (z) z[j] = zz;
        if (pval) pval[j] = 2.0 * gsl_cdf_ugaussian_Q(fabs(zz));
    }
    return CS_OK;
}

void logit_predict(const double *X, size_t n, size_t k, const double *beta, double *prob)
{
    for (size_t i = 0; i < n; i++) {
        double eta = 0;
        for (size_t j = 0; j < k; j++) eta += X[i * k + j] * beta[j];
        double e = exp(-fabs(eta));
        prob[i] = eta >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    }
}

/* Sums the Hessian, gradient and log-likelihood over all of X in workspace-sized blocks. */
static int logit_sums(const double *X, const double *y, const double *w, size_t n, size_t k,
                      const double *beta, double *hess, double *grad, double *ll, logit_work *work)
{
    memset(hess, 0, k * k * sizeof *hess);
    memset(grad, 0, k * sizeof *grad);
    *ll = 0;
    for (size_t r0 = 0; r0 < n; r0 += work->max_rows) {
        size_t m = n - r0 < work->max_rows ? n - r0 : work->max_rows;
        CS_TRY(logit_accumulate(X + r0 * k, y + r0, w ? w + r0 : NULL, m, k, beta, hess, grad, ll,
                                work));
    }
    return CS_OK;
}

int logit_fit(const double *X, const double *y, const double *w, size_t n, size_t k, double lambda,
              const unsigned char *penalize, double tol, size_t max_iter, double *beta,
              size_t *iterations, double *loglik, logit_work *work)
{
    if (!work || k != work->k)
        return CS_ERROR(CS_EINVAL, "logit_fit: %zu coefficients, workspace has %zu", k,
                        work ? work->k : 0);
    double *hess = malloc(k * k * sizeof *hess), *grad = malloc(k * sizeof *grad);
    if (!hess || !grad) {
        free(hess), free(grad);
        return CS_ERROR(CS_ENOMEM, "logit_fit: cannot allocate for k = %zu", k);
    }
    int rc = CS_OK;
    size_t it = 0;
    double ll = 0, mc = 0;
    for (;;) {
        if ((rc = logit_sums(X, y, w, n, k, beta, hess, grad, &ll, work)) != CS_OK) break;
        if (it == max_iter) {
            rc = CS_ERROR(CS_ENUM,
                          "logit_fit: no convergence after %zu Newton steps (last change %g): the "
                          "classes may be separable; use lambda > 0",
                          max_iter, mc);
            break;
        }
        if ((rc = logit_step(hess, grad, beta, lambda, penalize, k, beta, &mc, work)) != CS_OK) break;
        it++;
        if (logit_converged(mc, beta, k, tol)) {
            rc = logit_sums(X, y, w, n, k, beta, hess, grad, &ll, work);
            break;
        }
    }
    if (iterations) *iterations = it;
    if (loglik) *loglik = ll;
    free(hess);
    free(grad);
    return rc;
}
