/* diag.h — the numerical diagnostics of a training: what went wrong or nearly wrong in the
 * correlation matrix, the factor analysis and the logistic fit, and what the pipeline did about it.
 *
 * The checks are pure functions of the fitted results (fa.h, the eigenvalues of the correlation
 * matrix, the logistic fit's counts), so every rank reaches the same list; the pipeline (mpi/)
 * fills in what it did, and io/ stores the list in the model file and the reports. A list holds at
 * most DIAG_MAX entries: a check adds one entry per kind, naming the first few indicators involved.
 * Thresholds and definitions are in docs/numerics.md ("Diagnostics").
 */
#ifndef CS_DIAG_H
#define CS_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "fa.h"

enum {
    DIAG_CORR_SINGULAR = 0,      /* the correlation matrix is not positive definite */
    DIAG_CORR_NEAR_SINGULAR = 1, /* smallest / largest eigenvalue below DIAG_RCOND_MIN */
    DIAG_FA_NOT_CONVERGED = 2,   /* PAF reached max_iter, or ML stopped with a large gradient */
    DIAG_HEYWOOD = 3,            /* a communality at 1 (uniqueness < DIAG_HEYWOOD_UNIQ) */
    DIAG_ULTRA_HEYWOOD = 4,      /* a communality above 1 (negative uniqueness): improper */
    DIAG_SEPARATION = 5,         /* fitted probabilities numerically 0 or 1 (glm's test) */
    DIAG_LOGIT_NOT_CONVERGED = 6,/* IRLS ran out of iterations */
    DIAG_N_KINDS = 7
};

#define DIAG_MAX 16
/* near-singular: the design rows are float32 (7 digits), so a condition number above 1e6 leaves the
 * factor scores (R^-1 Lambda applied to rounded rows) without a correct digit */
#define DIAG_RCOND_MIN 1e-6
/* Heywood: uniqueness within 0.001 of factanal's lower bound 0.005 (where ML stops: psi = 0.005 +
 * exp(u) only approaches it) or below */
#define DIAG_HEYWOOD_UNIQ 0.006
/* ultra-Heywood: a communality above 1 by more than rounding */
#define DIAG_ULTRA_EPS 1e-9
/* glm.fit's "fitted probabilities numerically 0 or 1": p < eps or p > 1 - eps, eps = 10 DBL_EPSILON */
#define DIAG_P_EPS (10 * 2.220446049250313e-16)

typedef struct {
    int kind;          /* DIAG_* */
    char found[400];   /* what was found, with the numbers and the indicators */
    char action[400];  /* what was done about it ("" until the pipeline says) */
} diag_entry;

typedef struct {
    size_t n;
    diag_entry e[DIAG_MAX];
} diag_list;

void diag_list_init(diag_list *d); /* empty */

/* "correlation_singular", "heywood", ...: the stable name of a DIAG_* in files and JSON; "?" for
 * an unknown kind. */
const char *diag_kind_name(int kind);

/* Appends an entry of kind with found (printf-style) and an empty action; returns its index, or -1
 * when the list is full or kind is unknown (nothing is added then). */
int diag_add(diag_list *d, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets the action of entry i (printf-style); ignores i out of range. */
void diag_set_action(diag_list *d, int i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The index of the first entry of kind, or -1. */
int diag_find(const diag_list *d, int kind);

/* Reciprocal condition number of a correlation matrix from its eigenvalues (decreasing, n of them):
 * smallest / largest, 0 when the smallest is <= 0, NaN when n is 0 or the largest is not > 0. */
double diag_rcond(const double *eigen, size_t n);

/* The correlation check: adds DIAG_CORR_NEAR_SINGULAR when 0 < rcond < DIAG_RCOND_MIN, or
 * DIAG_CORR_SINGULAR when singular is set (the Cholesky factorisation failed) or rcond <= 0.
 * eigen may be NULL (n 0) when the eigen-decomposition failed. Returns the index added or -1. */
int diag_correlation(const double *eigen, size_t n, int singular, diag_list *d);

/* The factor-analysis checks on a fitted result (names[i]: indicator i of the analysis): adds
 * DIAG_FA_NOT_CONVERGED, DIAG_ULTRA_HEYWOOD (communality > 1 + DIAG_ULTRA_EPS) and DIAG_HEYWOOD
 * (uniqueness < DIAG_HEYWOOD_UNIQ, not ultra), each at most once, naming up to three indicators.
 * Returns how many entries were added. */
size_t diag_fa(const fa_result *r, const char *const *names, diag_list *d);

/* The logistic fit's checks: extreme = training rows whose fitted probability was numerically 0 or
 * 1 (DIAG_P_EPS) at the final coefficients, of n_rows; converged, iters: how IRLS ended; beta
 * (k coefficients named names, the intercept first) names the largest |coefficient| as the likely
 * separating column. what ("", "voluntary ") prefixes the found text. Adds DIAG_SEPARATION and
 * DIAG_LOGIT_NOT_CONVERGED as they apply; returns how many were added. */
size_t diag_logit(uint64_t extreme, uint64_t n_rows, int converged, int iters, const double *beta,
                  const char *const *names, size_t k, const char *what, diag_list *d);

#endif
