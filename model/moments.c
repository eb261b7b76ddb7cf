/* moments.c — the one-pass column statistics of moments.h.
 *
 * Each block is converted once into two double buffers: A (shifted values, 0 where missing) and Mk
 * (missing indicators). Three BLAS-3 products then give every cross term the imputed covariance needs:
 * S += A'A and C += Mk'Mk by dsyrk, M += A'Mk by dgemm. The per-column counts come from the same
 * conversion loop. The algebra that turns S, M and C into the covariance after mean imputation is in
 * moments_finalize and docs/numerics.md.
 */
#include "moments.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h>

#include "status.h"

struct moments_work {
    size_t max_rows, p;
    double *a;  /* max_rows x p shifted values, 0 where missing */
    double *mk; /* max_rows x p missing indicators */
};

size_t moments_sum_len(size_t p)
{
    if (p == 0) return 0;
    if (p > SIZE_MAX / p / 4) return 0;
    return 4 * p + 3 * p * p;
}

void moments_init(double *sums, double *mins, double *maxs, size_t p)
{
    if (sums) {
        size_t len = moments_sum_len(p);
        for (size_t i = 0; i < len; i++) sums[i] = 0.0;
    }
    for (size_t j = 0; j < p; j++) {
        if (mins) mins[j] = INFINITY;
        if (maxs) maxs[j] = -INFINITY;
    }
}

void moments_merge(double *dst_sums, double *dst_mins, double *dst_maxs, const double *src_sums,
                   const double *src_mins, const double *src_maxs, size_t p)
{
    size_t len = moments_sum_len(p);
    for (size_t i = 0; i < len; i++) dst_sums[i] += src_sums[i];
    if (!dst_mins || !dst_maxs || !src_mins || !src_maxs) return;
    for (size_t j = 0; j < p; j++) {
        if (src_mins[j] < dst_mins[j]) dst_mins[j] = src_mins[j];
        if (src_maxs[j] > dst_maxs[j]) dst_maxs[j] = src_maxs[j];
    }
}

moments_work *moments_work_alloc(size_t max_rows, size_t p)
{
    if (max_rows == 0 || p == 0 || max_rows > SIZE_MAX / sizeof(double) / p) return NULL;
    moments_work *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->max_rows = max_rows;
    w->p = p;
    w->a = malloc(max_rows * p * sizeof(double));
    w->mk = malloc(max_rows * p * sizeof(double));
    if (!w->a || !w->mk) {
        moments_work_free(w);
        return NULL;
    }
    return w;
}

void moments_work_free(moments_work *w)
{
    if (!w) return;
    free(w->a);
    free(w->mk);
    free(w);
}

int moments_accumulate(const float *x, size_t n, size_t p, const double *shift, const float *mode,
                       double *sums, double *mins, double *maxs, moments_work *w)
{
    if (!w || p != w->p)
        return CS_ERROR(CS_EINVAL, "moments: %zu columns, workspace has %zu", p, w ? w->p : 0);
    if (n > w->max_rows)
        return CS_ERROR(CS_EINVAL, "moments: block of %zu rows exceeds workspace (%zu)", n,
                        w->max_rows);
    if (n == 0) return CS_OK;
    if (n > INT_MAX || p > INT_MAX) /* CBLAS takes int dimensions */
        return CS_ERROR(CS_EINVAL, "moments: block %zu x %zu too large for CBLAS", n, p);
    for (size_t j = 0; j < p; j++)
        if (!isfinite(shift[j]))
            return CS_ERROR(CS_EINVAL, "moments: shift of column %zu is not finite", j);

    double *npres = sums + MOMENTS_OFF_NPRESENT(p), *nmiss = sums + MOMENTS_OFF_NMISSING(p);
    double *s1 = sums + MOMENTS_OFF_SUM(p), *nmode = sums + MOMENTS_OFF_NMODE(p);
    /* Column counts are kept per block as integers in doubles: exact up to 2^53 rows. */
    for (size_t r = 0; r < n; r++) {
        const float *row = x + r * p;
        double *arow = w->a + r * p, *mrow = w->mk + r * p;
        for (size_t j = 0; j < p; j++) {
            float v = row[j];
            if (isnan(v)) {
                arow[j] = 0.0;
                mrow[j] = 1.0;
                nmiss[j] += 1.0;
                continue;
            }
            if (isinf(v))
                return CS_ERROR(CS_EINVAL, "moments: infinite value in row %zu, column %zu", r, j);
            double d = (double)v - shift[j];
            arow[j] = d;
            mrow[j] = 0.0;
            npres[j] += 1.0;
            s1[j] += d;
            if (mode && v == mode[j]) nmode[j] += 1.0;
            if ((double)v < mins[j]) mins[j] = v;
            if ((double)v > maxs[j]) maxs[j] = v;
        }
    }
    int ip = (int)p, in = (int)n;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, ip, in, 1.0, w->a, ip, 1.0,
                sums + MOMENTS_OFF_S(p), ip);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, ip, ip, in, 1.0, w->a, ip, w->mk, ip, 1.0,
                sums + MOMENTS_OFF_M(p), ip);
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, ip, in, 1.0, w->mk, ip, 1.0,
                sums + MOMENTS_OFF_C(p), ip);
    return CS_OK;
}

moments_summary *moments_summary_alloc(size_t p)
{
    if (p == 0) return NULL;
    moments_summary *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->p = p;
    double **arrays[] = {&s->n_present, &s->missing_share, &s->mean, &s->sd,
                         &s->min,       &s->max,           &s->mode, &s->mode_share};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        *arrays[i] = calloc(p, sizeof(double));
        if (!*arrays[i]) goto fail;
    }
    s->cov = gsl_matrix_calloc(p, p);
    s->corr = gsl_matrix_calloc(p, p);
    if (!s->cov || !s->corr) goto fail;
    return s;
fail:
    moments_summary_free(s);
    return NULL;
}

void moments_summary_free(moments_summary *s)
{
    if (!s) return;
    free(s->n_present);
    free(s->missing_share);
    free(s->mean);
    free(s->sd);
    free(s->min);
    free(s->max);
    free(s->mode);
    free(s->mode_share);
    if (s->cov) gsl_matrix_free(s->cov);
    if (s->corr) gsl_matrix_free(s->corr);
    free(s);
}

/* Upper-triangle element of a symmetric row-major matrix stored with only i <= j written. */
static double sym_upper(const double *m, size_t p, size_t i, size_t j)
{
    return i <= j ? m[i * p + j] : m[j * p + i];
}

int moments_finalize(const double *sums, const double *mins, const double *maxs, const double *shift,
                     const float *mode, size_t p, moments_summary *out)
{
    if (!out || p != out->p)
        return CS_ERROR(CS_EINVAL, "moments_finalize: %zu columns, summary has %zu", p,
                        out ? out->p : 0);
    const double *npres = sums + MOMENTS_OFF_NPRESENT(p), *nmiss = sums + MOMENTS_OFF_NMISSING(p);
    const double *s1 = sums + MOMENTS_OFF_SUM(p), *nmode = sums + MOMENTS_OFF_NMODE(p);
    const double *S = sums + MOMENTS_OFF_S(p), *M = sums + MOMENTS_OFF_M(p);
    const double *C = sums + MOMENTS_OFF_C(p);

    double N = npres[0] + nmiss[0];
    for (size_t j = 0; j < p; j++) {
        if (npres[j] < 0 || nmiss[j] < 0 || npres[j] + nmiss[j] != N)
            return CS_ERROR(CS_EDATA,
                            "moments_finalize: column %zu has %.0f present + %.0f missing rows, "
                            "column 0 has %.0f in all",
                            j, npres[j], nmiss[j], N);
    }
    if (N < 2) return CS_ERROR(CS_EDATA, "moments_finalize: %.0f rows seen, need at least 2", N);
    out->n_rows = N;

    /* d_j = mean_j - shift_j, the shifted imputation value; 0 for an all-missing column (whose
     * imputed column is then constant: its variance is 0 and its correlations NaN). */
    double *d = out->mean; /* holds d_j until the end, then shift_j is added */
    for (size_t j = 0; j < p; j++) {
        double nj = npres[j];
        out->n_present[j] = nj;
        out->missing_share[j] = nmiss[j] / N;
        out->min[j] = mins ? mins[j] : NAN;
        out->max[j] = maxs ? maxs[j] : NAN;
        out->mode[j] = mode ? (double)mode[j] : NAN;
        out->mode_share[j] = nj > 0 ? nmode[j] / nj : NAN;
        double dj = nj > 0 ? s1[j] / nj : 0.0;
        d[j] = dj;
        double ss = S[j * p + j] - nj * dj * dj; /* sum of squared deviations of present values */
        if (ss < 0) ss = 0; /* rounding on a constant column */
        out->sd[j] = nj >= 2 ? sqrt(ss / (nj - 1)) : NAN;
    }
    /* Imputed covariance: with e_ri = a_ri + m_ri d_i (shifted imputed value),
     *   sum_r e_ri e_rj = S_ij + d_j M_ij + d_i M_ji + d_i d_j C_ij,   sum_r e_ri = N d_i,
     * so cov_ij = (S_ij + d_j M_ij + d_i M_ji + d_i d_j C_ij - N d_i d_j) / (N - 1). */
    for (size_t i = 0; i < p; i++) {
        for (size_t j = i; j < p; j++) {
            double t = sym_upper(S, p, i, j) + d[j] * M[i * p + j] + d[i] * M[j * p + i] +
                       d[i] * d[j] * sym_upper(C, p, i, j) - N * d[i] * d[j];
            double c = t / (N - 1);
            if (i == j && c < 0) c = 0;
            gsl_matrix_set(out->cov, i, j, c);
            gsl_matrix_set(out->cov, j, i, c);
        }
    }
    for (size_t i = 0; i < p; i++) {
        double vi = gsl_matrix_get(out->cov, i, i);
        for (size_t j = i; j < p; j++) {
            double vj = gsl_matrix_get(out->cov, j, j);
            double r;
            if (vi <= 0 || vj <= 0)
                r = NAN;
            else if (i == j)
                r = 1.0;
            else
                r = gsl_matrix_get(out->cov, i, j) / sqrt(vi * vj);
            gsl_matrix_set(out->corr, i, j, r);
            gsl_matrix_set(out->corr, j, i, r);
        }
    }
    for (size_t j = 0; j < p; j++) out->mean[j] = npres[j] > 0 ? shift[j] + d[j] : NAN;
    return CS_OK;
}

void moments_standardisation(const moments_summary *s, size_t j, double *center, double *scale)
{
    double v = gsl_matrix_get(s->cov, j, j);
    *center = s->mean[j];
    *scale = v > 0 ? sqrt(v) : 1.0; /* NaN fails the test too */
}

int moments_correlation_subset(const moments_summary *s, const size_t *idx, size_t m, gsl_matrix *out)
{
    if (!s || !out || out->size1 != m || out->size2 != m)
        return CS_ERROR(CS_EINVAL, "moments_correlation_subset: output is not %zu x %zu", m, m);
    for (size_t a = 0; a < m; a++) {
        if (idx[a] >= s->p)
            return CS_ERROR(CS_EINVAL, "moments_correlation_subset: index %zu out of range (p = %zu)",
                            idx[a], s->p);
        if (!(gsl_matrix_get(s->cov, idx[a], idx[a]) > 0))
            return CS_ERROR(CS_ENUM, "moments_correlation_subset: column %zu has zero variance",
                            idx[a]);
    }
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b < m; b++)
            gsl_matrix_set(out, a, b, gsl_matrix_get(s->corr, idx[a], idx[b]));
    return CS_OK;
}
