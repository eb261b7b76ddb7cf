/* moments.h — one-pass screening and correlation statistics over blocks of float32 rows.
 *
 * The scoring pipeline reads the snapshot once. While it streams blocks of rows it needs, per column,
 * the counts, mean, sd, min, max and mode share that the screening step (screen.h) uses, and the
 * correlation matrix of the columns after mean imputation that factor analysis (fa.h) uses. Both are
 * gathered in the same pass: moments_accumulate adds one block's contribution to a FLAT double vector
 * `sums` that the caller reduces across ranks by addition, plus `mins`/`maxs` reduced by min/max.
 * Nothing here knows about MPI: mpi/ reduces the vectors, then moments_finalize turns them into a
 * summary.
 *
 * The imputed covariance cannot be accumulated directly because the imputation value (the final column
 * mean) is not known until the pass ends. Instead we accumulate shifted sums with missing values as
 * zero plus two cross terms with the missing indicators and derive the imputed covariance algebraically
 * (docs/numerics.md). The caller supplies the shift per column (a rough mean from a sample of the first
 * rows, identical on every rank) so that the second moments do not cancel catastrophically.
 *
 * Layout of sums (length moments_sum_len(p) = 4p + 3p^2), offsets given by the MOMENTS_OFF_* macros:
 *   [0, p)        n_present_j
 *   [p, 2p)       n_missing_j
 *   [2p, 3p)      sum_j (x - shift_j) over present values
 *   [3p, 4p)      n_mode_j: count of present values equal to mode_j
 *   S  (p x p)    S_ij = sum_r a_ri a_rj, a = x - shift if present else 0   (upper triangle, i <= j)
 *   M  (p x p)    M_ij = sum_r a_ri [x_rj missing]                          (full)
 *   C  (p x p)    C_ij = sum_r [x_ri missing][x_rj missing]                 (upper triangle, i <= j)
 * Matrices are row-major; the strict lower triangles of S and C are never written, so they stay at
 * whatever the caller initialised them to (moments_init sets zero). Sum_j (x - shift)^2 is S_jj.
 *
 * Determinism: moments_accumulate(block) with sums zeroed first depends only on that block's rows (and
 * the BLAS build). For results independent of the rank count, zero a partial per block and combine the
 * partials with moments_merge in global block order.
 */
#ifndef CS_MOMENTS_H
#define CS_MOMENTS_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#define MOMENTS_OFF_NPRESENT(p) ((size_t)0)
#define MOMENTS_OFF_NMISSING(p) ((size_t)(p))
#define MOMENTS_OFF_SUM(p) ((size_t)2 * (p))
#define MOMENTS_OFF_NMODE(p) ((size_t)3 * (p))
#define MOMENTS_OFF_S(p) ((size_t)4 * (p))
#define MOMENTS_OFF_M(p) ((size_t)4 * (p) + (size_t)(p) * (p))
#define MOMENTS_OFF_C(p) ((size_t)4 * (p) + (size_t)2 * (p) * (p))

/* Length of the flat sums vector for p columns: 4p + 3p^2. 0 if that overflows size_t. */
size_t moments_sum_len(size_t p);

/* Sets sums (moments_sum_len(p) doubles) to 0, mins to +inf and maxs to -inf (p each). Any pointer may
 * be NULL to skip it. */
void moments_init(double *sums, double *mins, double *maxs, size_t p);

/* dst += src for sums, dst = min/max for mins/maxs: the serial form of the cross-rank reduction, for
 * combining per-block partials in a fixed order. mins/maxs pointers may be NULL (all four together). */
void moments_merge(double *dst_sums, double *dst_mins, double *dst_maxs, const double *src_sums,
                   const double *src_mins, const double *src_maxs, size_t p);

/* Workspace for blocks of up to max_rows rows of p columns (two max_rows x p double buffers). */
typedef struct moments_work moments_work;

/* Returns NULL if max_rows or p is 0 or memory is short. */
moments_work *moments_work_alloc(size_t max_rows, size_t p);
void moments_work_free(moments_work *w); /* accepts NULL */

/* Adds the contribution of block x (n rows x p columns, row-major float32, NaN = missing) to sums and
 * updates mins/maxs with the present values. shift (p doubles, finite) is the per-column shift; mode
 * (p floats) the per-column candidate mode (NaN: count nothing). n may be 0 (nothing happens).
 * Returns CS_EINVAL if n exceeds the workspace's max_rows, p differs from the workspace's, a shift is
 * not finite or a value is +-inf (the caller's reader should turn those into NaN or reject them).
 * On error sums may be partly updated (the per-column counts are updated before the matrices). */
int moments_accumulate(const float *x, size_t n, size_t p, const double *shift, const float *mode,
                       double *sums, double *mins, double *maxs, moments_work *w);

/* The finalised statistics. Arrays have length p; matrices are p x p. */
typedef struct {
    size_t p;
    double n_rows;        /* N, rows seen (n_present + n_missing of any column) */
    double *n_present;    /* present (non-missing) values per column */
    double *missing_share;/* n_missing / N */
    double *mean;         /* mean of present values (NaN when none present) */
    double *sd;           /* sample sd of present values, divisor n_present - 1 (NaN when < 2) */
    double *min, *max;    /* of present values (+inf / -inf when none present) */
    double *mode;         /* the candidate mode given to moments_finalize (NaN if none was given) */
    double *mode_share;   /* n_mode / n_present (NaN when none present) */
    gsl_matrix *cov;      /* covariance after mean imputation, divisor N - 1 */
    gsl_matrix *corr;     /* correlation after mean imputation; NaN in row/col j if var_j == 0 */
} moments_summary;

/* Returns NULL if p is 0 or memory is short (a failed allocation frees what it built). */
moments_summary *moments_summary_alloc(size_t p);
void moments_summary_free(moments_summary *s); /* accepts NULL */

/* Computes the summary from fully reduced sums/mins/maxs; shift is the one given to every
 * moments_accumulate call. mode (p floats, may be NULL) is only copied into out->mode for the
 * screening report. Returns CS_EINVAL if p differs from out->p, CS_EDATA if the
 * counts are inconsistent (n_present + n_missing differing between columns, or negative), CS_EDATA if
 * fewer than 2 rows were seen. */
int moments_finalize(const double *sums, const double *mins, const double *maxs, const double *shift,
                     const float *mode, size_t p, moments_summary *out);

/* The standardisation of column j that goes with the correlation: *center = mean_j and *scale =
 * sqrt(cov_jj), the sd of the mean-imputed column (divisor N - 1), 1 where that is 0 or NaN. The
 * correlation divides by the same sd, so the regression factor scores z' R^{-1} Lambda of the
 * standardised training rows are those of psych::factor.scores on the imputed data; the sd of the
 * present values (s->sd, the screening report's) is larger by sqrt((N - 1) / (n_present - 1)) where
 * values are missing. Equal to s->sd bit for bit on a column without missing values. */
void moments_standardisation(const moments_summary *s, size_t j, double *center, double *scale);

/* Copies the imputed correlation of the m columns idx[0..m) (indices into 0..p) into out (m x m).
 * Because imputation acts per column, this equals the correlation computed on those columns alone.
 * Returns CS_EINVAL on a bad index, size mismatch, or CS_ENUM if a chosen column has zero variance. */
int moments_correlation_subset(const moments_summary *s, const size_t *idx, size_t m, gsl_matrix *out);

#endif
