/* test_gbm_cuts.c — the cut points of gbm.h on flag, count and continuous columns, and on adjacent
 * floats, where a rounded midpoint could swallow a value (the rest of the boosted-tree numerics is
 * in test_gbm.c). */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gbm.h"
#include "idhash.h"
#include "metrics.h"
#include "status.h"

/* splitmix64 (idhash.h): a fixed pseudo-random stream, so every run sees the same data */
static uint64_t rng_next(uint64_t *s) { return idhash_mix(*s += UINT64_C(0x9e3779b97f4a7c15)); }
static float rng_unit(uint64_t *s) { return (float)(rng_next(s) >> 40) * 0x1p-24f; }

static uint8_t bin_of(const gbm_model *m, size_t c, float v)
{
    float x[1] = {v};
    uint8_t b;
    gbm_model one = *m;
    /* bin a single value of column c through the public API: a one-column view of the model */
    one.n_cols = 1;
    one.n_cuts = m->n_cuts + c;
    one.cuts = m->cuts + c * (GBM_MAX_BINS - 1);
    gbm_bin_rows(&one, x, 1, 1, 0, &b);
    return b;
}

static void test_cuts_binary(void **state)
{
    (void)state;
    gbm_model *m = gbm_model_alloc(2, 1, 2);
    assert_non_null(m);
    float s[100];
    for (size_t i = 0; i < 100; i++) s[i] = (i * 7 % 10) < 3 ? 1.0f : 0.0f;
    assert_int_equal(gbm_set_cuts(m, 1, s, 100, 64), CS_OK);
    assert_int_equal(m->n_cuts[1], 1);
    assert_close(m->cuts[1 * (GBM_MAX_BINS - 1)], 0.5, 0);
    assert_int_equal(bin_of(m, 1, 0.0f), 0);
    assert_int_equal(bin_of(m, 1, 1.0f), 1);
    assert_int_equal(bin_of(m, 1, NAN), 0);
    /* a constant and an empty sample: no cut, everything in bin 0 */
    for (size_t i = 0; i < 100; i++) s[i] = 2.385f;
    assert_int_equal(gbm_set_cuts(m, 0, s, 100, 64), CS_OK);
    assert_int_equal(m->n_cuts[0], 0);
    assert_int_equal(bin_of(m, 0, 2.385f), 0);
    assert_int_equal(gbm_set_cuts(m, 0, NULL, 0, 64), CS_OK);
    assert_int_equal(m->n_cuts[0], 0);
    gbm_model_free(m);
}

static void test_cuts_few_values(void **state)
{
    (void)state;
    gbm_model *m = gbm_model_alloc(1, 1, 2);
    assert_non_null(m);
    /* five distinct values with very uneven counts: each still gets its own bin, even at max_bins 5 */
    const float v[5] = {-1.25f, 0.0f, 2.385f, 3.0f, 7.5f};
    const size_t cnt[5] = {3, 400, 1, 50, 2};
    float s[456];
    size_t n = 0;
    for (size_t k = 0; k < 5; k++)
        for (size_t r = 0; r < cnt[k]; r++) s[n++] = v[k];
    for (size_t i = 0; i + 1 < n; i += 2) { /* scramble the order */
        float t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
    const size_t max_bins[2] = {5, 64};
    for (size_t q = 0; q < 2; q++) {
        size_t mb = max_bins[q];
        float w[456];
        memcpy(w, s, sizeof w);
        assert_int_equal(gbm_set_cuts(m, 0, w, n, mb), CS_OK);
        assert_int_equal(m->n_cuts[0], 4);
        for (size_t k = 0; k < 5; k++) assert_int_equal(bin_of(m, 0, v[k]), k);
        assert_close(m->cuts[0], -0.625, 0);
        assert_close(m->cuts[3], 5.25, 0);
    }
    /* service calls 0..9 with max_bins 10: ten bins, one per count */
    float calls[200];
    for (size_t i = 0; i < 200; i++) calls[i] = (float)((i * 13) % 10);
    assert_int_equal(gbm_set_cuts(m, 0, calls, 200, 10), CS_OK);
    assert_int_equal(m->n_cuts[0], 9);
    for (size_t k = 0; k < 10; k++) assert_int_equal(bin_of(m, 0, (float)k), k);
    /* eleven distinct values at max_bins 10: the quantile path, at most 9 cuts, values kept apart
     * in order (bin non-decreasing) */
    for (size_t i = 0; i < 200; i++) calls[i] = (float)((i * 13) % 11);
    assert_int_equal(gbm_set_cuts(m, 0, calls, 200, 10), CS_OK);
    assert_true(m->n_cuts[0] <= 9 && m->n_cuts[0] >= 5);
    for (size_t k = 1; k < 11; k++)
        assert_true(bin_of(m, 0, (float)k) >= bin_of(m, 0, (float)(k - 1)));
    gbm_model_free(m);
}

static void test_cuts_continuous(void **state)
{
    (void)state;
    enum { N = 10000, B = 16 };
    gbm_model *m = gbm_model_alloc(1, 1, 2);
    assert_non_null(m);
    float *s = malloc(N * sizeof *s), *orig = malloc(N * sizeof *orig);
    assert_non_null(s);
    assert_non_null(orig);
    uint64_t seed = 2385;
    for (size_t i = 0; i < N; i++) orig[i] = s[i] = 100.0f * rng_unit(&seed) - 37.5f;
    assert_int_equal(gbm_set_cuts(m, 0, s, N, B), CS_OK);
    assert_int_equal(m->n_cuts[0], B - 1);
    for (size_t k = 1; k < B - 1; k++) assert_true(m->cuts[k] > m->cuts[k - 1]);
    size_t count[B] = {0};
    uint8_t *bins = malloc(N);
    assert_non_null(bins);
    gbm_bin_rows(m, orig, N, 1, 0, bins);
    for (size_t i = 0; i < N; i++) {
        assert_true(bins[i] < B);
        count[bins[i]]++;
    }
    /* j = floor(i N / B) puts N/B = 625 values in each bin, one more in the first, one fewer in the
     * last (duplicates among 2^24-step floats could move a few) */
    for (size_t b = 0; b < B; b++) assert_true(count[b] >= 620 && count[b] <= 630);
    /* the same sample in another order gives the same cuts */
    float c1[B - 1];
    memcpy(c1, m->cuts, sizeof c1);
    for (size_t i = 0; i < N; i++) s[i] = orig[N - 1 - i];
    assert_int_equal(gbm_set_cuts(m, 0, s, N, B), CS_OK);
    assert_memory_equal(c1, m->cuts, sizeof c1);

    /* 70% ties at one value among continuous ones: deduplicated cuts, the tied value alone in a bin */
    for (size_t i = 0; i < N; i++) s[i] = orig[i] = (i % 10) < 7 ? 2.385f : orig[i];
    assert_int_equal(gbm_set_cuts(m, 0, s, N, B), CS_OK);
    assert_true(m->n_cuts[0] < B - 1);
    for (size_t k = 1; k < m->n_cuts[0]; k++) assert_true(m->cuts[k] > m->cuts[k - 1]);
    uint8_t bt = bin_of(m, 0, 2.385f);
    assert_true(bt > 0 && bt < m->n_cuts[0]);
    /* its bin holds the 7000 tied rows and at most about one quantile's worth of others */
    gbm_bin_rows(m, orig, N, 1, 0, bins);
    size_t in_bt = 0;
    for (size_t i = 0; i < N; i++) in_bt += bins[i] == bt;
    assert_true(in_bt >= 7000 && in_bt <= 7000 + 700);
    free(s);
    free(orig);
    free(bins);
    gbm_model_free(m);
}

/* Adjacent floats: the double midpoint is a tie that rounds to even, sometimes onto the upper value;
 * the cut must still separate them. Also huge magnitudes and exactly max_bins distinct values. */
static void test_cuts_adjacent(void **state)
{
    (void)state;
    gbm_model *m = gbm_model_alloc(1, 1, 2);
    assert_non_null(m);
    const float lows[4] = {1.0f, nextafterf(1.0f, 2.0f), -nextafterf(1.0f, 2.0f), 2.385e30f};
    for (size_t k = 0; k < 4; k++) {
        float a = lows[k], b = nextafterf(a, INFINITY);
        float s[6] = {b, a, a, b, a, b};
        assert_int_equal(gbm_set_cuts(m, 0, s, 6, 2), CS_OK);
        assert_int_equal(m->n_cuts[0], 1);
        assert_int_equal(bin_of(m, 0, a), 0);
        assert_int_equal(bin_of(m, 0, b), 1);
        assert_true(m->cuts[0] >= a && m->cuts[0] < b);
    }
    /* 1 + 2^-23 and 1 + 2^-22: the midpoint rounds to the upper value; the cut falls back to the
     * lower one */
    {
        float a = nextafterf(1.0f, 2.0f), b = nextafterf(a, 2.0f);
        assert_true((float)(0.5 * ((double)a + (double)b)) == b);
        float s[2] = {a, b};
        assert_int_equal(gbm_set_cuts(m, 0, s, 2, 64), CS_OK);
        assert_true(m->cuts[0] == a);
    }
    {
        float s[3] = {-3.0e38f, 0.0f, 3.0e38f};
        assert_int_equal(gbm_set_cuts(m, 0, s, 3, 64), CS_OK);
        assert_int_equal(m->n_cuts[0], 2);
        assert_int_equal(bin_of(m, 0, -3.0e38f), 0);
        assert_int_equal(bin_of(m, 0, 0.0f), 1);
        assert_int_equal(bin_of(m, 0, 3.0e38f), 2);
    }
    /* exactly 64 distinct values at max_bins 64: 63 cuts, value k in bin k */
    {
        float s[64 * 3];
        for (size_t i = 0; i < 64 * 3; i++) s[i] = 0.125f * (float)((i * 5) % 64);
        assert_int_equal(gbm_set_cuts(m, 0, s, 64 * 3, 64), CS_OK);
        assert_int_equal(m->n_cuts[0], 63);
        for (size_t k = 0; k < 64; k++) assert_int_equal(bin_of(m, 0, 0.125f * (float)k), k);
    }
    gbm_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cuts_binary),
        cmocka_unit_test(test_cuts_few_values),
        cmocka_unit_test(test_cuts_continuous),
        cmocka_unit_test(test_cuts_adjacent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
