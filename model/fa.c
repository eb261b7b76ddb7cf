/* fa.c — principal axis factoring and varimax as in R psych::fa(fm = "pa", rotate = "varimax").
 *
 * Every step copies psych 2.2.9 / stats::varimax (R 4.2) closely, including the odd parts, because
 * users compare our factors with R: the PAF loop stops on the change of the SUMMED communalities, not
 * the largest change; signs are made positive by column sums before and after rotation; factors are
 * ordered by decreasing sum of squared loadings. Inputs are small (p up to a few hundred), so this file
 * allocates freely; nothing here is on a per-row path.
 */
#include "fa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>

#include "status.h"

void fa_params_default(fa_params *par)
{
    par->method = FA_PAF;
    par->min_err = 0.001;
    par->max_iter = 50;
    par->rotate = 1;
    par->varimax_normalize = 1;
    par->varimax_eps = 1e-5;
}

fa_result *fa_result_alloc(size_t p, size_t k)
{
    if (p == 0 || k == 0 || k > p) return NULL;
    fa_result *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->p = p;
    r->k = k;
    r->eigenvalues = gsl_vector_calloc(p);
    r->kmo_var = gsl_vector_calloc(p);
    r->loadings0 = gsl_matrix_calloc(p, k);
    r->loadings = gsl_matrix_calloc(p, k);
    r->rotation = gsl_matrix_calloc(k, k);
    r->communality = gsl_vector_calloc(p);
    r->uniqueness = gsl_vector_calloc(p);
    r->ss_loadings = gsl_vector_calloc(k);
    r->prop_var = gsl_vector_calloc(k);
    r->cum_var = gsl_vector_calloc(k);
    r->score_coef = gsl_matrix_calloc(p, k);
    if (!r->eigenvalues || !r->kmo_var || !r->loadings0 || !r->loadings || !r->rotation ||
        !r->communality || !r->uniqueness || !r->ss_loadings || !r->prop_var || !r->cum_var ||
        !r->score_coef) {
        fa_result_free(r);
        return NULL;
    }
    return r;
}

void fa_result_free(fa_result *r)
{
    if (!r) return;
    if (r->eigenvalues) gsl_vector_free(r->eigenvalues);
    if (r->kmo_var) gsl_vector_free(r->kmo_var);
    if (r->loadings0) gsl_matrix_free(r->loadings0);
    if (r->loadings) gsl_matrix_free(r->loadings);
    if (r->rotation) gsl_matrix_free(r->rotation);
    if (r->communality) gsl_vector_free(r->communality);
    if (r->uniqueness) gsl_vector_free(r->uniqueness);
    if (r->ss_loadings) gsl_vector_free(r->ss_loadings);
    if (r->prop_var) gsl_vector_free(r->prop_var);
    if (r->cum_var) gsl_vector_free(r->cum_var);
    if (r->score_coef) gsl_matrix_free(r->score_coef);
    free(r);
}

static int check_square(const gsl_matrix *R, const char *who)
{
    if (!R || R->size1 != R->size2 || R->size1 == 0)
        return CS_ERROR(CS_EINVAL, "%s: matrix is not square", who);
    return CS_OK;
}

int fa_eigen(const gsl_matrix *R, gsl_vector *eval, gsl_matrix *evec)
{
    CS_TRY(check_square(R, "fa_eigen"));
    size_t p = R->size1;
    if (!eval || eval->size != p || (evec && (evec->size1 != p || evec->size2 != p)))
        return CS_ERROR(CS_EINVAL, "fa_eigen: output sizes do not match p = %zu", p);
    gsl_matrix *a = gsl_matrix_alloc(p, p);
    gsl_matrix *v = evec ? NULL : gsl_matrix_alloc(p, p);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(p);
    int rc = CS_OK;
    if (!a || (!evec && !v) || !ws) {
        rc = CS_ERROR(CS_ENOMEM, "fa_eigen: cannot allocate for p = %zu", p);
        goto done;
    }
    gsl_matrix_memcpy(a, R);
    gsl_matrix *vv = evec ? evec : v;
    if (gsl_eigen_symmv(a, eval, vv, ws) != GSL_SUCCESS) {
        rc = CS_ERROR(CS_ENUM, "fa_eigen: eigen decomposition failed");
        goto done;
    }
    gsl_eigen_symmv_sort(eval, vv, GSL_EIGEN_SORT_VAL_DESC);
done:
    if (a) gsl_matrix_free(a);
    if (v) gsl_matrix_free(v);
    if (ws) gsl_eigen_symmv_free(ws);
    return rc;
}

/* Cholesky factor of R into a fresh matrix (caller frees); CS_ENUM if not positive definite. */
static int chol_copy(const gsl_matrix *R, gsl_matrix **out, const char *who)
{
    size_t p = R->size1;
    gsl_matrix *c = gsl_matrix_alloc(p, p);
    if (!c) return CS_ERROR(CS_ENOMEM, "%s: cannot allocate %zu x %zu", who, p, p);
    gsl_matrix_memcpy(c, R);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int g = gsl_linalg_cholesky_decomp1(c);
    gsl_set_error_handler(old);
    if (g != GSL_SUCCESS) {
        gsl_matrix_free(c);
        return CS_ERROR(CS_ENUM,
                        "%s: the correlation matrix is singular (not positive definite); some "
                        "columns are exact linear combinations of others: tighten the collinearity "
                        "screen or drop them",
                        who);
    }
    *out = c;
    return CS_OK;
}

/* R^{-1} into a fresh matrix. */
static int inverse_copy(const gsl_matrix *R, gsl_matrix **out, const char *who)
{
    gsl_matrix *c = NULL;
    CS_TRY(chol_copy(R, &c, who));
    gsl_linalg_cholesky_invert(c);
    *out = c;
    return CS_OK;
}

int fa_kmo(const gsl_matrix *R, double *kmo, gsl_vector *kmo_var)
{
    CS_TRY(check_square(R, "fa_kmo"));
    size_t p = R->size1;
    if (kmo_var && kmo_var->size != p)
        return CS_ERROR(CS_EINVAL, "fa_kmo: kmo_var has length %zu, p = %zu", kmo_var->size, p);
    gsl_matrix *Q = NULL;
    CS_TRY(inverse_copy(R, &Q, "fa_kmo"));
    /* Partial correlations: q_ij / sqrt(q_ii q_jj) (sign irrelevant, only squares are used). */
    double sr = 0, sq = 0;
    for (size_t j = 0; j < p; j++) {
        double cr = 0, cq = 0;
        for (size_t i = 0; i < p; i++) {
            if (i == j) continue;
            double r = gsl_matrix_get(R, i, j);
            double q = gsl_matrix_get(Q, i, j) /
                       sqrt(gsl_matrix_get(Q, i, i) * gsl_matrix_get(Q, j, j));
            cr += r * r;
            cq += q * q;
        }
        if (kmo_var) gsl_vector_set(kmo_var, j, cr / (cr + cq));
        sr += cr;
        sq += cq;
    }
    if (kmo) *kmo = sr / (sr + sq);
    gsl_matrix_free(Q);
    return CS_OK;
}

int fa_bartlett(const gsl_matrix *R, double n, double *chi2, double *df, double *pval)
{
    CS_TRY(check_square(R, "fa_bartlett"));
    double p = (double)R->size1;
    double mult = n - 1 - (2 * p + 5) / 6;
    if (!(mult > 0))
        return CS_ERROR(CS_EINVAL, "fa_bartlett: %.0f rows are too few for %.0f variables", n, p);
    gsl_matrix *c = NULL;
    CS_TRY(chol_copy(R, &c, "fa_bartlett"));
    double logdet = 0; /* ln det R = 2 sum ln L_ii, no overflow for large p */
    for (size_t i = 0; i < R->size1; i++) logdet += 2 * log(gsl_matrix_get(c, i, i));
    gsl_matrix_free(c);
    double x = -logdet * mult, d = p * (p - 1) / 2;
    if (chi2) *chi2 = x;
    if (df) *df = d;
    if (pval) *pval = d > 0 ? gsl_cdf_chisq_Q(x, d) : NAN;
    return CS_OK;
}

int fa_varimax(gsl_matrix *L, gsl_matrix *rot, int normalize, double eps)
{
    size_t p = L->size1, k = L->size2;
    if (rot && (rot->size1 != k || rot->size2 != k))
        return CS_ERROR(CS_EINVAL, "fa_varimax: rotation must be %zu x %zu", k, k);
    if (rot) gsl_matrix_set_identity(rot);
    if (k < 2) return CS_OK;
    gsl_vector *sc = gsl_vector_alloc(p);
    gsl_matrix *x = gsl_matrix_alloc(p, k), *z = gsl_matrix_alloc(p, k), *g = gsl_matrix_alloc(p, k);
    gsl_matrix *TT = gsl_matrix_alloc(k, k), *B = gsl_matrix_alloc(k, k), *V = gsl_matrix_alloc(k, k);
    gsl_vector *S = gsl_vector_alloc(k), *work = gsl_vector_alloc(k), *cs = gsl_vector_alloc(k);
    int rc = CS_OK;
    if (!sc || !x || !z || !g || !TT || !B || !V || !S || !work || !cs) {
        rc = CS_ERROR(CS_ENOMEM, "fa_varimax: cannot allocate for %zu x %zu", p, k);
        goto done;
    }
    gsl_matrix_memcpy(x, L);
    for (size_t i = 0; i < p; i++) {
        gsl_vector_view row = gsl_matrix_row(x, i);
        double s = normalize ? gsl_blas_dnrm2(&row.vector) : 1.0;
        if (!(s > 0)) {
            rc = CS_ERROR(CS_ENUM, "fa_varimax: variable %zu has all loadings zero", i);
            goto done;
        }
        gsl_vector_set(sc, i, s);
        gsl_vector_scale(&row.vector, 1.0 / s);
    }
    gsl_matrix_set_identity(TT);
    double d = 0;
    for (int it = 0; it < 1000; it++) {
        /* z = x TT; g = z^3 - z diag(colSums(z^2)) / p; B = x' g */
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, x, TT, 0.0, z);
        for (size_t j = 0; j < k; j++) {
            double s = 0;
            for (size_t i = 0; i < p; i++) s += gsl_matrix_get(z, i, j) * gsl_matrix_get(z, i, j);
            gsl_vector_set(cs, j, s);
        }
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < k; j++) {
                double v = gsl_matrix_get(z, i, j);
                gsl_matrix_set(g, i, j, v * v * v - v * gsl_vector_get(cs, j) / (double)p);
            }
        gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, x, g, 0.0, B);
        gsl_error_handler_t *old = gsl_set_error_handler_off();
        int gs = gsl_linalg_SV_decomp(B, V, S, work); /* B <- U */
        gsl_set_error_handler(old);
        if (gs != GSL_SUCCESS) {
            rc = CS_ERROR(CS_ENUM, "fa_varimax: SVD failed at iteration %d", it + 1);
            goto done;
        }
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, B, V, 0.0, TT);
        double dpast = d;
        d = 0;
        for (size_t j = 0; j < k; j++) d += gsl_vector_get(S, j);
        if (d < dpast * (1 + eps)) break;
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, x, TT, 0.0, L);
    for (size_t i = 0; i < p; i++) {
        gsl_vector_view row = gsl_matrix_row(L, i);
        gsl_vector_scale(&row.vector, gsl_vector_get(sc, i));
    }
    if (rot) gsl_matrix_memcpy(rot, TT);
done:
    if (sc) gsl_vector_free(sc);
    if (x) gsl_matrix_free(x);
    if (z) gsl_matrix_free(z);
    if (g) gsl_matrix_free(g);
    if (TT) gsl_matrix_free(TT);
    if (B) gsl_matrix_free(B);
    if (V) gsl_matrix_free(V);
    if (S) gsl_vector_free(S);
    if (work) gsl_vector_free(work);
    if (cs) gsl_vector_free(cs);
    return rc;
}

int fa_score_coef(const gsl_matrix *R, const gsl_matrix *L, gsl_matrix *W)
{
    CS_TRY(check_square(R, "fa_score_coef"));
    size_t p = R->size1;
    if (L->size1 != p || W->size1 != p || W->size2 != L->size2)
        return CS_ERROR(CS_EINVAL, "fa_score_coef: shapes do not match p = %zu", p);
    gsl_matrix *c = NULL;
    CS_TRY(chol_copy(R, &c, "fa_score_coef"));
    for (size_t j = 0; j < L->size2; j++) {
        gsl_vector_const_view b = gsl_matrix_const_column(L, j);
        gsl_vector_view x = gsl_matrix_column(W, j);
        gsl_linalg_cholesky_solve(c, &b.vector, &x.vector);
    }
    gsl_matrix_free(c);
    return CS_OK;
}

/* Multiplies column j of L (and of rot, if given) by -1 where the column sum is negative. */
static void fa_sign_by_colsums(gsl_matrix *L, gsl_matrix *rot)
{
    for (size_t j = 0; j < L->size2; j++) {
        double s = 0;
        for (size_t i = 0; i < L->size1; i++) s += gsl_matrix_get(L, i, j);
        if (s < 0) {
            gsl_vector_view c = gsl_matrix_column(L, j);
            gsl_vector_scale(&c.vector, -1.0);
            if (rot) {
                gsl_vector_view r = gsl_matrix_column(rot, j);
                gsl_vector_scale(&r.vector, -1.0);
            }
        }
    }
}

/* ---- maximum likelihood extraction (stats::factanal's objective) ----
 * For uniquenesses psi, with S* = Psi^{-1/2} R Psi^{-1/2} and e its eigenvalues (decreasing),
 *     F(psi) = -sum_{j > k} (log e_j - e_j) - k + p      (minimised),
 * gradient dF/dpsi = diag(L L' + Psi - R) / psi^2 with L = Psi^{1/2} V_k diag(sqrt(max(e_k - 1, 0))).
 * The bound psi >= 0.005 of factanal is kept by optimising u with psi = 0.005 + exp(u). */
typedef struct {
    const gsl_matrix *R;
    size_t k;
    gsl_matrix *S, *V;
    gsl_vector *e;
    gsl_eigen_symmv_workspace *ws;
    double *psi;
    int failed;
} fa_ml_ctx;

#define FA_ML_LOWER 0.005

/* Eigen-decomposition of S* for u; fills psi. Eigenvalues in decreasing order. */
static int fa_ml_eigen(fa_ml_ctx *c, const gsl_vector *u)
{
    size_t p = c->R->size1;
    for (size_t i = 0; i < p; i++) c->psi[i] = FA_ML_LOWER + exp(gsl_vector_get(u, i));
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(c->S, i, j, gsl_matrix_get(c->R, i, j) / sqrt(c->psi[i] * c->psi[j]));
    if (gsl_eigen_symmv(c->S, c->e, c->V, c->ws) != GSL_SUCCESS) return 1;
    gsl_eigen_symmv_sort(c->e, c->V, GSL_EIGEN_SORT_VAL_DESC);
    return 0;
}

static double fa_ml_f(const gsl_vector *u, void *arg)
{
    fa_ml_ctx *c = arg;
    if (fa_ml_eigen(c, u)) {
        c->failed = 1;
        return GSL_NAN;
    }
    size_t p = c->R->size1;
    double s = 0;
    for (size_t j = c->k; j < p; j++) {
        double ev = gsl_vector_get(c->e, j);
        if (!(ev > 0)) return GSL_POSINF;
        s += log(ev) - ev;
    }
    return -(s - (double)c->k + (double)p);
}

static void fa_ml_df(const gsl_vector *u, void *arg, gsl_vector *g)
{
    fa_ml_ctx *c = arg;
    size_t p = c->R->size1, k = c->k;
    if (fa_ml_eigen(c, u)) {
        c->failed = 1;
        gsl_vector_set_all(g, 0);
        return;
    }
    for (size_t i = 0; i < p; i++) {
        /* (L L')_ii = psi_i * sum_f V_if^2 max(e_f - 1, 0) */
        double ll = 0;
        for (size_t f = 0; f < k; f++) {
            double ev = gsl_vector_get(c->e, f) - 1.0;
            double v = gsl_matrix_get(c->V, i, f);
            ll += v * v * (ev > 0 ? ev : 0);
        }
        ll *= c->psi[i];
        double dpsi = (ll + c->psi[i] - gsl_matrix_get(c->R, i, i)) / (c->psi[i] * c->psi[i]);
        gsl_vector_set(g, i, dpsi * (c->psi[i] - FA_ML_LOWER)); /* chain rule: dpsi/du = exp(u) */
    }
}

static void fa_ml_fdf(const gsl_vector *u, void *arg, double *f, gsl_vector *g)
{
    *f = fa_ml_f(u, arg);
    fa_ml_df(u, arg, g);
}

/* Unrotated ML loadings into L (p x k). */
static int fa_ml_loadings(const gsl_matrix *R, const gsl_matrix *Rinv, size_t k, gsl_matrix *L,
                          size_t *iterations, int *converged)
{
    size_t p = R->size1;
    fa_ml_ctx c = {R, k, gsl_matrix_alloc(p, p), gsl_matrix_alloc(p, p), gsl_vector_alloc(p),
                   gsl_eigen_symmv_alloc(p), malloc(p * sizeof(double)), 0};
    gsl_vector *u = gsl_vector_alloc(p);
    gsl_multimin_fdfminimizer *mz = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, p);
    int rc = CS_OK;
    if (!c.S || !c.V || !c.e || !c.ws || !c.psi || !u || !mz) {
        rc = CS_ERROR(CS_ENOMEM, "fa_fit (ml): cannot allocate for p = %zu", p);
        goto done;
    }
    /* factanal's start: psi = (1 - k / (2p)) / diag(R^{-1}) */
    for (size_t i = 0; i < p; i++) {
        double s = (1.0 - 0.5 * (double)k / (double)p) / gsl_matrix_get(Rinv, i, i);
        if (s < 2 * FA_ML_LOWER) s = 2 * FA_ML_LOWER;
        gsl_vector_set(u, i, log(s - FA_ML_LOWER));
    }
    gsl_multimin_function_fdf fn = {fa_ml_f, fa_ml_df, fa_ml_fdf, p, &c};
    gsl_multimin_fdfminimizer_set(mz, &fn, u, 0.01, 0.1);
    size_t it = 0;
    int status = GSL_CONTINUE;
    *converged = 0;
    while (status == GSL_CONTINUE && it < 1000) {
        it++;
        if (gsl_multimin_fdfminimizer_iterate(mz) != GSL_SUCCESS) break; /* no further progress */
        status = gsl_multimin_test_gradient(mz->gradient, 1e-9);
    }
    /* a stalled line search at the optimum is convergence too: judge by the gradient */
    *converged = gsl_multimin_test_gradient(mz->gradient, 1e-6) == GSL_SUCCESS;
    *iterations = it;
    if (c.failed || fa_ml_eigen(&c, mz->x)) {
        rc = CS_ERROR(CS_ENUM, "fa_fit (ml): eigen-decomposition failed");
        goto done;
    }
    for (size_t f = 0; f < k; f++) {
        double ev = gsl_vector_get(c.e, f) - 1.0;
        double s = sqrt(ev > 0 ? ev : 0);
        for (size_t i = 0; i < p; i++) gsl_matrix_set(L, i, f, sqrt(c.psi[i]) * gsl_matrix_get(c.V, i, f) * s);
    }
done:
    gsl_multimin_fdfminimizer_free(mz);
    gsl_vector_free(u);
    gsl_matrix_free(c.S);
    gsl_matrix_free(c.V);
    gsl_vector_free(c.e);
    gsl_eigen_symmv_free(c.ws);
    free(c.psi);
    return rc;
}

int fa_fit(const gsl_matrix *R, double n, const fa_params *par, fa_result *out)
{
    CS_TRY(check_square(R, "fa_fit"));
    size_t p = R->size1, k = out->k;
    if (out->p != p) return CS_ERROR(CS_EINVAL, "fa_fit: R is %zu x %zu, result has p = %zu", p, p, out->p);
    if (!(par->min_err > 0) || par->max_iter == 0 || !(par->varimax_eps > 0))
        return CS_ERROR(CS_EINVAL, "fa_fit: min_err and varimax_eps must be > 0, max_iter >= 1");

    CS_TRY(fa_eigen(R, out->eigenvalues, NULL));
    out->kaiser = 0;
    for (size_t i = 0; i < p; i++)
        if (gsl_vector_get(out->eigenvalues, i) > 1.0) out->kaiser++;
    CS_TRY(fa_kmo(R, &out->kmo, out->kmo_var));
    CS_TRY(fa_bartlett(R, n, &out->bartlett_chi2, &out->bartlett_df, &out->bartlett_p));

    gsl_matrix *rmat = NULL, *inv = NULL, *evec = gsl_matrix_alloc(p, p);
    gsl_vector *eval = gsl_vector_alloc(p);
    int rc = CS_OK;
    if (!evec || !eval) {
        rc = CS_ERROR(CS_ENOMEM, "fa_fit: cannot allocate for p = %zu", p);
        goto done;
    }
    if ((rc = inverse_copy(R, &inv, "fa_fit")) != CS_OK) goto done;
    if (par->method == FA_ML) {
        int conv = 0;
        size_t iters = 0;
        if ((rc = fa_ml_loadings(R, inv, k, out->loadings0, &iters, &conv)) != CS_OK) goto done;
        out->iterations = iters;
        out->converged = conv;
        fa_sign_by_colsums(out->loadings0, NULL);
        goto rotate;
    }
    rmat = gsl_matrix_alloc(p, p);
    if (!rmat) {
        rc = CS_ERROR(CS_ENOMEM, "fa_fit: cannot allocate for p = %zu", p);
        goto done;
    }
    gsl_matrix_memcpy(rmat, R);
    /* Initial communalities: squared multiple correlations 1 - 1/(R^{-1})_jj, clamped to [0, 1] as
     * psych::smc does. */
    double comm = 0;
    for (size_t j = 0; j < p; j++) {
        double s = 1.0 - 1.0 / gsl_matrix_get(inv, j, j);
        if (s > 1) s = 1;
        if (s < 0) s = 0;
        gsl_matrix_set(rmat, j, j, s);
        comm += s;
    }
    /* psych's loop: err starts at the summed communality, so at least one iteration runs. */
    double err = comm;
    size_t it = 0;
    out->converged = 1;
    gsl_matrix *L = out->loadings0;
    while (err > par->min_err) {
        if ((rc = fa_eigen(rmat, eval, evec)) != CS_OK) goto done;
        for (size_t f = 0; f < k; f++) {
            double ev = gsl_vector_get(eval, f);
            if (ev < 0) {
                rc = CS_ERROR(CS_ENUM,
                              "fa_fit: eigenvalue %zu of the reduced correlation matrix is negative "
                              "(%g) at iteration %zu: too many factors (%zu) for these data",
                              f + 1, ev, it + 1, k);
                goto done;
            }
            double s = sqrt(ev);
            for (size_t i = 0; i < p; i++) gsl_matrix_set(L, i, f, gsl_matrix_get(evec, i, f) * s);
        }
        double comm1 = 0;
        for (size_t i = 0; i < p; i++) {
            double h = 0;
            for (size_t f = 0; f < k; f++) h += gsl_matrix_get(L, i, f) * gsl_matrix_get(L, i, f);
            gsl_matrix_set(rmat, i, i, h);
            comm1 += h;
        }
        err = fabs(comm - comm1);
        comm = comm1;
        it++;
        if (it + 1 > par->max_iter) { /* psych: i > max.iter with i = iterations + 1 */
            out->converged = err <= par->min_err;
            break;
        }
    }
    out->iterations = it;
    fa_sign_by_colsums(L, NULL);

rotate:
    gsl_matrix_memcpy(out->loadings, out->loadings0);
    gsl_matrix_set_identity(out->rotation);
    if (par->rotate && k > 1) {
        if ((rc = fa_varimax(out->loadings, out->rotation, par->varimax_normalize,
                             par->varimax_eps)) != CS_OK)
            goto done;
    }
    fa_sign_by_colsums(out->loadings, out->rotation);
    /* Order factors by decreasing SS loadings; a stable selection sort keeps ties in place like R's
     * order(). */
    for (size_t f = 0; f < k; f++) {
        double s = 0;
        for (size_t i = 0; i < p; i++)
            s += gsl_matrix_get(out->loadings, i, f) * gsl_matrix_get(out->loadings, i, f);
        gsl_vector_set(out->ss_loadings, f, s);
    }
    for (size_t a = 0; a < k; a++) {
        size_t best = a;
        for (size_t b = a + 1; b < k; b++)
            if (gsl_vector_get(out->ss_loadings, b) > gsl_vector_get(out->ss_loadings, best)) best = b;
        if (best != a) {
            /* move column best to position a, shifting a..best-1 right (stable) */
            for (size_t b = best; b > a; b--) {
                gsl_matrix_swap_columns(out->loadings, b, b - 1);
                gsl_matrix_swap_columns(out->rotation, b, b - 1);
                gsl_vector_swap_elements(out->ss_loadings, b, b - 1);
            }
        }
    }
    out->heywood = 0;
    for (size_t i = 0; i < p; i++) {
        double h = 0;
        for (size_t f = 0; f < k; f++)
            h += gsl_matrix_get(out->loadings, i, f) * gsl_matrix_get(out->loadings, i, f);
        gsl_vector_set(out->communality, i, h);
        gsl_vector_set(out->uniqueness, i, 1.0 - h);
        if (h >= 1.0) out->heywood++;
    }
    double cum = 0;
    for (size_t f = 0; f < k; f++) {
        double pv = gsl_vector_get(out->ss_loadings, f) / (double)p;
        cum += pv;
        gsl_vector_set(out->prop_var, f, pv);
        gsl_vector_set(out->cum_var, f, cum);
    }
    rc = fa_score_coef(R, out->loadings, out->score_coef);
done:
    if (rmat) gsl_matrix_free(rmat);
    if (inv) gsl_matrix_free(inv);
    if (evec) gsl_matrix_free(evec);
    if (eval) gsl_vector_free(eval);
    return rc;
}

double fa_congruence(const gsl_matrix *A, size_t a, const gsl_matrix *B, size_t b)
{
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < A->size1; i++) {
        double x = gsl_matrix_get(A, i, a), y = gsl_matrix_get(B, i, b);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if (!(saa > 0) || !(sbb > 0)) return NAN;
    return sab / sqrt(saa * sbb);
}

/* Enumerates permutations of perm[pos..k) (Heap-free recursive swap), keeping the best total. */
static void fa_match_search(const double *absphi, size_t k, size_t pos, size_t *perm, double total,
                            double *best_total, size_t *best)
{
    if (pos == k) {
        if (total > *best_total) {
            *best_total = total;
            memcpy(best, perm, k * sizeof *perm);
        }
        return;
    }
    for (size_t i = pos; i < k; i++) {
        size_t t = perm[pos];
        perm[pos] = perm[i];
        perm[i] = t;
        fa_match_search(absphi, k, pos + 1, perm, total + absphi[pos * k + perm[pos]], best_total,
                        best);
        perm[i] = perm[pos];
        perm[pos] = t;
    }
}

int fa_match(const gsl_matrix *A, const gsl_matrix *B, size_t *match, double *phi)
{
    if (A->size1 != B->size1 || A->size2 != B->size2)
        return CS_ERROR(CS_EINVAL, "fa_match: loading matrices are %zu x %zu and %zu x %zu",
                        A->size1, A->size2, B->size1, B->size2);
    size_t k = A->size2;
    double *ph = calloc(k * k, sizeof *ph), *ab = calloc(k * k, sizeof *ab);
    size_t *perm = malloc(k * sizeof *perm), *best = malloc(k * sizeof *best);
    if (!ph || !ab || !perm || !best) {
        free(ph), free(ab), free(perm), free(best);
        return CS_ERROR(CS_ENOMEM, "fa_match: cannot allocate for k = %zu", k);
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            ph[i * k + j] = fa_congruence(A, i, B, j);
            ab[i * k + j] = isnan(ph[i * k + j]) ? 0 : fabs(ph[i * k + j]);
        }
    for (size_t i = 0; i < k; i++) perm[i] = best[i] = i;
    if (k <= 8) {
        double bt = -1;
        fa_match_search(ab, k, 0, perm, 0.0, &bt, best);
    } else {
        /* Greedy: repeatedly take the largest remaining |phi| (ties: lower i, then lower j). */
        unsigned char *usedA = calloc(k, 1), *usedB = calloc(k, 1);
        if (!usedA || !usedB) {
            free(usedA), free(usedB), free(ph), free(ab), free(perm), free(best);
            return CS_ERROR(CS_ENOMEM, "fa_match: cannot allocate for k = %zu", k);
        }
        for (size_t n = 0; n < k; n++) {
            size_t bi = 0, bj = 0;
            double bv = -1;
            for (size_t i = 0; i < k; i++)
                for (size_t j = 0; j < k && !usedA[i]; j++)
                    if (!usedB[j] && ab[i * k + j] > bv) bv = ab[i * k + j], bi = i, bj = j;
            usedA[bi] = usedB[bj] = 1;
            best[bi] = bj;
        }
        free(usedA);
        free(usedB);
    }
    for (size_t i = 0; i < k; i++) {
        if (match) match[i] = best[i];
        if (phi) phi[i] = ph[i * k + best[i]];
    }
    free(ph), free(ab), free(perm), free(best);
    return CS_OK;
}
