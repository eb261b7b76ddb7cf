/* fa.h — exploratory factor analysis of a correlation matrix, matching R psych::fa(fm = "pa",
 * rotate = "varimax").
 *
 * The pipeline reduces many correlated usage columns to a few factors before the logistic model. This
 * module works only on the p x p correlation matrix that moments.h produced (after screening), so it is
 * serial and tiny: every rank may run it on the same matrix and get the same answer. It gives the
 * adequacy diagnostics (eigenvalues, Kaiser count, KMO, Bartlett), the iterated principal axis solution,
 * the varimax rotation, variance explained and the regression (Thurstone) factor-score coefficients
 * that turn standardised rows into factor scores. Factor signs and order follow psych so that results
 * can be checked against R. Formulas are in docs/numerics.md.
 */
#ifndef CS_FA_H
#define CS_FA_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

enum { FA_PAF = 0, FA_ML = 1 };

typedef struct {
    int method;            /* FA_PAF (default): iterated principal axis, as psych::fa(fm = "pa");
                            * FA_ML: maximum likelihood, as stats::factanal (uniquenesses >= 0.005) */
    double min_err;        /* PAF stops when |change of the summed communalities| < min_err (0.001) */
    size_t max_iter;       /* PAF iteration limit (50); reaching it is reported, not an error */
    int rotate;            /* 1: varimax (default), 0: none */
    int varimax_normalize; /* Kaiser normalisation (1) */
    double varimax_eps;    /* stats::varimax relative tolerance (1e-5) */
} fa_params;

/* Fills the psych/stats defaults above. */
void fa_params_default(fa_params *par);

typedef struct {
    size_t p, k;
    gsl_vector *eigenvalues;  /* p eigenvalues of R, decreasing */
    size_t kaiser;            /* number of eigenvalues > 1 */
    double kmo;               /* overall KMO measure of sampling adequacy */
    gsl_vector *kmo_var;      /* p per-variable MSA */
    double bartlett_chi2, bartlett_df, bartlett_p;
    gsl_matrix *loadings0;    /* p x k unrotated PAF loadings (psych sign convention) */
    gsl_matrix *loadings;     /* p x k final loadings (rotated if par->rotate), psych sign and order */
    gsl_matrix *rotation;     /* k x k: loadings = loadings0 * rotation (identity if not rotated) */
    gsl_vector *communality;  /* p: row sums of squared loadings */
    gsl_vector *uniqueness;   /* p: 1 - communality */
    gsl_vector *ss_loadings;  /* k: column sums of squared loadings */
    gsl_vector *prop_var;     /* k: ss_loadings / p */
    gsl_vector *cum_var;      /* k: cumulative prop_var */
    gsl_matrix *score_coef;   /* p x k: W = R^{-1} loadings; scores = Z W for standardised rows Z */
    size_t iterations;        /* PAF iterations done */
    int converged;            /* 0 if max_iter was reached */
    size_t heywood;           /* number of variables with communality >= 1 (Heywood cases) */
} fa_result;

/* Returns NULL if p or k is 0, k > p, or memory is short. */
fa_result *fa_result_alloc(size_t p, size_t k);
void fa_result_free(fa_result *r); /* accepts NULL */

/* Eigenvalues of the symmetric matrix R in decreasing order into eval (length p); vectors into evec
 * (p x p, columns, may be NULL). Uses gsl_eigen_symmv; R is not modified. Returns CS_EINVAL on a size
 * mismatch, CS_ENOMEM. */
int fa_eigen(const gsl_matrix *R, gsl_vector *eval, gsl_matrix *evec);

/* Kaiser-Meyer-Olkin measure: overall and per variable (kmo_var may be NULL). Returns CS_ENUM if R is
 * singular (not positive definite), CS_EINVAL on a size mismatch, CS_ENOMEM. */
int fa_kmo(const gsl_matrix *R, double *kmo, gsl_vector *kmo_var);

/* Bartlett's test of sphericity for a correlation matrix from n rows: chi2 = -(n - 1 - (2p + 5)/6)
 * ln det R, df = p(p - 1)/2, p-value upper tail. Returns CS_ENUM if R is not positive definite,
 * CS_EINVAL on a size mismatch or if n - 1 - (2p + 5)/6 <= 0, CS_ENOMEM. */
int fa_bartlett(const gsl_matrix *R, double n, double *chi2, double *df, double *pval);

/* The full analysis of R (p x p correlation matrix, symmetric, unit diagonal) from n rows, k = out->k
 * factors: fills every field of out. Returns CS_EINVAL on a size mismatch or bad params, CS_ENUM if R
 * is singular (KMO, Bartlett and the score coefficients need R^{-1}) or PAF produces a negative
 * eigenvalue among the first k, CS_ENOMEM. Non-convergence and Heywood cases are reported in out, not
 * errors. */
int fa_fit(const gsl_matrix *R, double n, const fa_params *par, fa_result *out);

/* stats::varimax in place on L (p x k): rotation into rot (k x k, may be NULL), so that
 * L_out = L_in rot. normalize: Kaiser row normalisation. Stops when the criterion grows by less than
 * a relative eps, after at most 1000 iterations (as R). k == 1 leaves L alone and rot = 1. Returns
 * CS_ENUM if the SVD fails or a row of L is zero with normalize, CS_ENOMEM. */
int fa_varimax(gsl_matrix *L, gsl_matrix *rot, int normalize, double eps);

/* Regression (Thurstone) factor-score coefficients W = R^{-1} L by Cholesky solves (no explicit
 * inverse). W is p x k. Returns CS_ENUM if R is not positive definite (e.g. collinear columns survived
 * screening), CS_EINVAL on a size mismatch, CS_ENOMEM. */
int fa_score_coef(const gsl_matrix *R, const gsl_matrix *L, gsl_matrix *W);

/* Tucker's congruence coefficient between columns a and b of two loading matrices:
 * sum(x y) / sqrt(sum(x^2) sum(y^2)); NaN if a column is zero. */
double fa_congruence(const gsl_matrix *A, size_t a, const gsl_matrix *B, size_t b);

/* Matches the factors of A (p x k) to those of B (p x k) maximising the summed |congruence|: optimal
 * by enumeration for k <= 8, greedy (largest |phi| first) above. match[i] is the column of B matched to
 * column i of A, phi[i] the signed congruence of that pair (either may be NULL). Returns CS_EINVAL on a
 * shape mismatch. */
int fa_match(const gsl_matrix *A, const gsl_matrix *B, size_t *match, double *phi);

#endif
