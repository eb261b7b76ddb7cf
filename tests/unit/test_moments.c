/* test_moments.c — the one-pass moments against a naive two-pass computation on random data with
 * missing values, accumulated in uneven blocks; and every error return of moments.h. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moments.h"
#include "status.h"

static uint64_t lcg_state;
static double lcg_unif(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) / 9007199254740992.0;
}

enum { NR = 537, NP = 7 };

/* Columns with large offsets (so the shift matters), a near-constant column, correlated columns and
 * per-column missing rates. */
static void make_data(float *x)
{
    lcg_state = 2385;
    const double miss[NP] = {0.0, 0.1, 0.3, 0.05, 0.6, 0.2, 0.15};
    for (size_t r = 0; r < NR; r++) {
        double z = lcg_unif() - 0.5;
        for (size_t j = 0; j < NP; j++) {
            double v;
            switch (j) {
            case 0: v = 1000.0 + 3.7 * z + 0.2 * lcg_unif(); break;
            case 1: v = -2.385 * z + lcg_unif(); break;
            case 2: v = lcg_unif() < 0.9 ? 0.0 : 5.5 * lcg_unif(); break;
            case 3: v = 1e4 * lcg_unif(); break;
            case 4: v = z * z + 0.1 * lcg_unif(); break;
            case 5: v = 42.0 + 7.0 * z; break;
            default: v = floorf((float)(10 * lcg_unif())); break;
            }
            x[r * NP + j] = lcg_unif() < miss[j] ? NAN : (float)v;
        }
    }
}

static void naive(const float *x, double *mean, double *sd, double *cov, double *nmiss)
{
    double xi[NR][NP];
    for (size_t j = 0; j < NP; j++) {
        double s = 0, n = 0;
        for (size_t r = 0; r < NR; r++)
            if (!isnan(x[r * NP + j])) s += x[r * NP + j], n++;
        mean[j] = s / n;
        nmiss[j] = NR - n;
        double ss = 0;
        for (size_t r = 0; r < NR; r++)
            if (!isnan(x[r * NP + j])) ss += (x[r * NP + j] - mean[j]) * (x[r * NP + j] - mean[j]);
        sd[j] = sqrt(ss / (n - 1));
        for (size_t r = 0; r < NR; r++) xi[r][j] = isnan(x[r * NP + j]) ? mean[j] : x[r * NP + j];
    }
    for (size_t a = 0; a < NP; a++)
        for (size_t b = 0; b < NP; b++) {
            double s = 0;
            for (size_t r = 0; r < NR; r++) s += (xi[r][a] - mean[a]) * (xi[r][b] - mean[b]);
            cov[a * NP + b] = s / (NR - 1);
        }
}

static void test_against_naive(void **state)
{
    (void)state;
    static float x[NR * NP];
    make_data(x);
    double shift[NP];
    float mode[NP] = {0, 0, 0.0f, 0, 0, 0, 3.0f};
    for (size_t j = 0; j < NP; j++) { /* shift from the first 20 present values, as the caller does */
        double s = 0;
        int n = 0;
        for (size_t r = 0; r < NR && n < 20; r++)
            if (!isnan(x[r * NP + j])) s += x[r * NP + j], n++;
        shift[j] = s / n;
    }
    size_t len = moments_sum_len(NP);
    assert_int_equal(len, 4 * NP + 3 * NP * NP);
    double *sums = malloc(len * sizeof *sums), *part = malloc(len * sizeof *part);
    double mins[NP], maxs[NP], pmin[NP], pmax[NP];
    moments_init(sums, mins, maxs, NP);
    moments_work *w = moments_work_alloc(100, NP);
    assert_non_null(w);
    /* uneven blocks, each a zeroed partial merged in order (the rank-count-independent recipe) */
    const size_t sizes[] = {1, 100, 37, 0, 99, 100, 100, 100};
    size_t r0 = 0;
    for (size_t b = 0; r0 < NR; b++) {
        size_t m = sizes[b % 8];
        if (m > NR - r0) m = NR - r0;
        moments_init(part, pmin, pmax, NP);
        assert_int_equal(moments_accumulate(x + r0 * NP, m, NP, shift, mode, part, pmin, pmax, w),
                         CS_OK);
        moments_merge(sums, mins, maxs, part, pmin, pmax, NP);
        r0 += m;
    }
    moments_summary *s = moments_summary_alloc(NP);
    assert_non_null(s);
    assert_int_equal(moments_finalize(sums, mins, maxs, shift, mode, NP, s), CS_OK);

    double mean[NP], sd[NP], cov[NP * NP], nmiss[NP];
    naive(x, mean, sd, cov, nmiss);
    assert_close(s->n_rows, NR, 0);
    for (size_t j = 0; j < NP; j++) {
        assert_close(s->missing_share[j], nmiss[j] / NR, 1e-15);
        assert_close(s->n_present[j], NR - nmiss[j], 0);
        assert_close(s->mean[j], mean[j], 1e-12);
        assert_close(s->sd[j], sd[j], 1e-10);
        double mn = INFINITY, mx = -INFINITY, nm = 0;
        for (size_t r = 0; r < NR; r++) {
            float v = x[r * NP + j];
            if (isnan(v)) continue;
            if (v < mn) mn = v;
            if (v > mx) mx = v;
            if (v == mode[j]) nm++;
        }
        assert_close(s->min[j], mn, 0);
        assert_close(s->max[j], mx, 0);
        assert_close(s->mode_share[j], nm / (NR - nmiss[j]), 1e-15);
        for (size_t k = 0; k < NP; k++) {
            double c = cov[j * NP + k];
            /* relative to the scale of the two variances, so that near-zero covariances count */
            double scale = sqrt(cov[j * NP + j] * cov[k * NP + k]);
            assert_close(gsl_matrix_get(s->cov, j, k) / scale, c / scale, 1e-10);
            assert_close(gsl_matrix_get(s->corr, j, k), c / scale, 1e-10);
        }
    }
    assert_true(s->mode_share[2] > 0.85);

    /* one block of everything gives the same answer to rounding */
    moments_work *w2 = moments_work_alloc(NR, NP);
    moments_init(part, pmin, pmax, NP);
    assert_int_equal(moments_accumulate(x, NR, NP, shift, mode, part, pmin, pmax, w2), CS_OK);
    moments_summary *s2 = moments_summary_alloc(NP);
    assert_int_equal(moments_finalize(part, pmin, pmax, shift, NULL, NP, s2), CS_OK);
    for (size_t j = 0; j < NP; j++)
        for (size_t k = 0; k < NP; k++)
            assert_close(gsl_matrix_get(s2->corr, j, k), gsl_matrix_get(s->corr, j, k), 1e-12);
    assert_true(isnan(s2->mode[0]));

    /* a subset is the submatrix */
    size_t idx[3] = {5, 0, 3};
    gsl_matrix *sub = gsl_matrix_alloc(3, 3);
    assert_int_equal(moments_correlation_subset(s, idx, 3, sub), CS_OK);
    for (size_t a = 0; a < 3; a++)
        for (size_t b = 0; b < 3; b++)
            assert_close(gsl_matrix_get(sub, a, b), gsl_matrix_get(s->corr, idx[a], idx[b]), 0);
    idx[1] = NP;
    assert_int_equal(moments_correlation_subset(s, idx, 3, sub), CS_EINVAL);
    gsl_matrix *sub2 = gsl_matrix_alloc(2, 2);
    assert_int_equal(moments_correlation_subset(s, idx, 3, sub2), CS_EINVAL);
    gsl_matrix_free(sub);
    gsl_matrix_free(sub2);

    moments_summary_free(s);
    moments_summary_free(s2);
    moments_work_free(w);
    moments_work_free(w2);
    free(sums);
    free(part);
}

static void test_degenerate_columns(void **state)
{
    (void)state;
    /* column 0 constant, column 1 all missing, column 2 ordinary */
    const float x[] = {2.5f, NAN, 1.0f, 2.5f, NAN, 3.25f, 2.5f, NAN, -0.5f, 2.5f, NAN, 7.0f};
    double shift[3] = {2.0, 0.0, 1.0};
    size_t len = moments_sum_len(3);
    double *sums = malloc(len * sizeof *sums), mins[3], maxs[3];
    moments_init(sums, mins, maxs, 3);
    moments_work *w = moments_work_alloc(4, 3);
    assert_int_equal(moments_accumulate(x, 4, 3, shift, NULL, sums, mins, maxs, w), CS_OK);
    moments_summary *s = moments_summary_alloc(3);
    assert_int_equal(moments_finalize(sums, mins, maxs, shift, NULL, 3, s), CS_OK);
    assert_close(s->sd[0], 0.0, 1e-15);
    assert_true(isnan(s->mean[1]));
    assert_true(isnan(s->sd[1]));
    assert_close(s->missing_share[1], 1.0, 0);
    assert_true(isnan(gsl_matrix_get(s->corr, 0, 2)));
    assert_true(isnan(gsl_matrix_get(s->corr, 1, 1)));
    assert_close(gsl_matrix_get(s->corr, 2, 2), 1.0, 0);
    size_t idx[2] = {2, 0};
    gsl_matrix *sub = gsl_matrix_alloc(2, 2);
    assert_int_equal(moments_correlation_subset(s, idx, 2, sub), CS_ENUM);
    gsl_matrix_free(sub);
    moments_summary_free(s);
    moments_work_free(w);
    free(sums);
}

static void test_errors(void **state)
{
    (void)state;
    assert_null(moments_work_alloc(0, 3));
    assert_null(moments_work_alloc(3, 0));
    assert_null(moments_summary_alloc(0));
    assert_int_equal(moments_sum_len(0), 0);
    moments_work_free(NULL);
    moments_summary_free(NULL);

    const float x[] = {1.5f, 2.0f, INFINITY, 4.0f};
    double shift[2] = {0, 0}, bad[2] = {0, NAN};
    size_t len = moments_sum_len(2);
    double *sums = malloc(len * sizeof *sums), mins[2], maxs[2];
    moments_init(sums, mins, maxs, 2);
    moments_work *w = moments_work_alloc(1, 2);
    assert_int_equal(moments_accumulate(x, 2, 2, shift, NULL, sums, mins, maxs, w), CS_EINVAL);
    assert_int_equal(moments_accumulate(x, 1, 3, shift, NULL, sums, mins, maxs, w), CS_EINVAL);
    assert_int_equal(moments_accumulate(x, 1, 2, bad, NULL, sums, mins, maxs, w), CS_EINVAL);
    assert_int_equal(moments_accumulate(x + 2, 1, 2, shift, NULL, sums, mins, maxs, w), CS_EINVAL);
    assert_int_equal(moments_accumulate(x, 0, 2, shift, NULL, sums, mins, maxs, w), CS_OK);

    moments_summary *s = moments_summary_alloc(2);
    moments_init(sums, mins, maxs, 2);
    assert_int_equal(moments_accumulate(x, 1, 2, shift, NULL, sums, mins, maxs, w), CS_OK);
    assert_int_equal(moments_finalize(sums, mins, maxs, shift, NULL, 2, s), CS_EDATA); /* 1 row */
    assert_int_equal(moments_finalize(sums, mins, maxs, shift, NULL, 3, s), CS_EINVAL);
    assert_int_equal(moments_accumulate(x, 1, 2, shift, NULL, sums, mins, maxs, w), CS_OK);
    sums[MOMENTS_OFF_NMISSING(2) + 1] += 1; /* inconsistent counts */
    assert_int_equal(moments_finalize(sums, mins, maxs, shift, NULL, 2, s), CS_EDATA);
    moments_summary_free(s);
    moments_work_free(w);
    free(sums);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_naive),
        cmocka_unit_test(test_degenerate_columns),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
