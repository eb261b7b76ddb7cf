/* test_kmeans.c — the k-means numerics (model/kmeans.h) and the segment model (model/segment.h) on
 * hand-made data whose answers are worked out by hand below: nearest centroid and its ties, partial
 * sums, the update and its empty clusters, Lloyd's iterations to the groups' exact means, the
 * seeding of k-means++, the silhouette, a design row's segment, the marks and names; and every
 * error return. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans.h"
#include "segment.h"
#include "status.h"

/* Three groups in 2-D, 4 rows each, far apart: their means are (1.2385, -0.75), (10.5, 3.125),
 * (-6.25, 8.0) (each row is its mean plus one of four offsets that sum to zero). */
static void three_groups(float *x)
{
    static const double mean[3][2] = {{1.2385, -0.75}, {10.5, 3.125}, {-6.25, 8.0}};
    static const double off[4][2] = {{0.375, 0.25}, {-0.5, 0.125}, {0.25, -0.625}, {-0.125, 0.25}};
    for (int g = 0; g < 3; g++)
        for (int r = 0; r < 4; r++)
            for (int j = 0; j < 2; j++) x[(g * 4 + r) * 2 + j] = (float)(mean[g][j] + off[r][j]);
}

static void test_nearest_ties(void **state)
{
    (void)state;
    const float x[2] = {1.5f, 0.0f};
    /* (0,0) and (3,0) are both at distance 1.5: the lower index wins */
    const double C[6] = {3.0, 0.0, 0.0, 0.0, 1.5, 2.385};
    double e;
    assert_int_equal(kmeans_nearest(x, 2, C, 2, &e), 0);
    assert_close(e, 2.25, 1e-15);
    assert_int_equal(kmeans_nearest(x, 2, C + 2, 2, &e), 0);
    assert_int_equal(kmeans_nearest(x, 2, C, 3, &e), 0);
    const float y[2] = {1.5f, 2.0f};
    assert_int_equal(kmeans_nearest(y, 2, C, 3, &e), 2);
    assert_close(e, 0.385 * 0.385, 1e-7);
}

static void test_accumulate_update(void **state)
{
    (void)state;
    float x[24];
    three_groups(x);
    const double C[6] = {0.0, 0.0, 9.0, 2.0, -5.0, 7.0};
    double sums[9] = {0}, in = 0;
    int32_t label[12];
    for (int i = 0; i < 12; i++) label[i] = i < 4 ? 5 : -1; /* off 5: the first four keep their label */
    size_t ch = kmeans_accumulate(x, 12, 2, C, 3, 5, label, sums, &in);
    assert_int_equal(ch, 8);
    for (int i = 0; i < 12; i++) assert_int_equal(label[i], 5 + i / 4);
    /* counts 4 each, sums 4 x the group means */
    assert_close(sums[2], 4, 0);
    assert_close(sums[5], 4, 0);
    assert_close(sums[0], 4 * 1.2385, 1e-6);
    assert_close(sums[4], 4 * 3.125, 1e-6);
    assert_close(sums[7], 4 * 8.0, 1e-6);
    /* inertia: sum over rows of |row - C|^2, by hand as (n |mean - C|^2 + sum |offsets|^2) per group */
    double offs = 0.375 * 0.375 + 0.25 * 0.25 + 0.5 * 0.5 + 0.125 * 0.125 + 0.25 * 0.25 + 0.625 * 0.625 +
                  0.125 * 0.125 + 0.25 * 0.25;
    double want = 4 * (1.2385 * 1.2385 + 0.75 * 0.75) + 4 * (1.5 * 1.5 + 1.125 * 1.125) + 4 * (1.25 * 1.25 + 1.0) + 3 * offs;
    assert_close(in, want, 1e-6);
    double U[6];
    memcpy(U, C, sizeof U);
    assert_int_equal(kmeans_update(sums, 3, 2, U), 0);
    assert_close(U[0], 1.2385, 1e-6);
    assert_close(U[3], 3.125, 1e-6);
    assert_close(U[4], -6.25, 1e-6);
    /* an empty cluster keeps its centroid */
    double s2[9] = {2.385, 4.77, 2.0, 0, 0, 0, 1.0, -1.0, 1.0};
    double V[6] = {9, 9, 7.5, -3.25, 9, 9};
    assert_int_equal(kmeans_update(s2, 3, 2, V), 1);
    assert_close(V[0], 1.1925, 1e-15);
    assert_close(V[1], 2.385, 1e-15);
    assert_close(V[2], 7.5, 0);
    assert_close(V[3], -3.25, 0);
    assert_close(V[4], 1.0, 0);
    assert_close(kmeans_inertia(x, 12, 2, C, 3), want, 1e-6);
}

static void test_lloyd_and_pp(void **state)
{
    (void)state;
    float x[24];
    three_groups(x);
    double work[24];
    /* greedy k-means++ from any seed puts one seed in each far group */
    for (uint64_t seed = 1; seed < 40; seed += 7) {
        kmeans_rng rng = {seed};
        double C[6];
        assert_int_equal(kmeans_pp(x, 12, 2, 3, &rng, C, work), CS_OK);
        int seen[3] = {0, 0, 0};
        for (int c = 0; c < 3; c++) {
            float p[2] = {(float)C[c * 2], (float)C[c * 2 + 1]};
            seen[p[0] > 5 ? 1 : p[1] > 4 ? 2 : 0]++;
        }
        assert_int_equal(seen[0], 1);
        assert_int_equal(seen[1], 1);
        assert_int_equal(seen[2], 1);
    }
    /* Lloyd from poor centroids ends on the groups' exact means */
    double C[6] = {0.5, 0.5, 8.0, 1.0, -2.0, 3.0};
    int32_t label[12];
    double in;
    int it;
    kmeans_lloyd(x, 12, 2, 3, 50, C, label, work, &in, &it);
    assert_true(it >= 1 && it < 50);
    assert_close(C[0], 1.2385, 1e-6);
    assert_close(C[1], -0.75, 1e-6);
    assert_close(C[2], 10.5, 1e-6);
    assert_close(C[5], 8.0, 1e-6);
    double offs = 0.375 * 0.375 + 0.25 * 0.25 + 0.5 * 0.5 + 0.125 * 0.125 + 0.25 * 0.25 + 0.625 * 0.625 +
                  0.125 * 0.125 + 0.25 * 0.25;
    assert_close(in, 3 * offs, 1e-5);
    /* the best of several starts: the same inertia, and labels in groups of four */
    kmeans_rng rng = {2385};
    double D[6];
    assert_int_equal(kmeans_fit_local(x, 12, 2, 3, 4, 50, &rng, D, label, &in), CS_OK);
    assert_close(in, 3 * offs, 1e-5);
    for (int g = 0; g < 3; g++)
        for (int r = 1; r < 4; r++) assert_int_equal(label[g * 4 + r], label[g * 4]);
    assert_int_not_equal(label[0], label[4]);
    assert_int_not_equal(label[4], label[8]);
    /* errors */
    assert_int_equal(kmeans_pp(x, 2, 2, 3, &rng, C, work), CS_EINVAL);
    assert_int_equal(kmeans_pp(x, 12, 2, 0, &rng, C, work), CS_EINVAL);
    assert_int_equal(kmeans_fit_local(x, 12, 2, 3, 0, 50, &rng, D, label, &in), CS_EINVAL);
    assert_int_equal(kmeans_fit_local(x, 2, 2, 3, 1, 50, &rng, D, label, &in), CS_EINVAL);
    assert_message_has("2 rows for 3 clusters", NULL);
}

static void test_rng(void **state)
{
    (void)state;
    kmeans_rng a = {2385}, b = {2385};
    for (int i = 0; i < 100; i++) {
        double u = kmeans_rng_unit(&a);
        assert_true(u >= 0 && u < 1);
        assert_true(u == kmeans_rng_unit(&b));
    }
}

static void test_silhouette(void **state)
{
    (void)state;
    /* 1-D: {0, 1.5} and {10, 12.385}. By hand: s = (b - a) / max(a, b) per row,
     * (11.1925 - 1.5) / 11.1925, (9.6925 - 1.5) / 9.6925, (9.25 - 2.385) / 9.25,
     * (11.635 - 2.385) / 11.635; their mean 0.8121000132501612 */
    const float x[4] = {0.0f, 1.5f, 10.0f, 12.385f};
    const int32_t label[4] = {0, 0, 1, 1};
    double work[4], s;
    assert_int_equal(kmeans_silhouette(x, 4, 1, label, 2, work, &s), CS_OK);
    assert_close(s, 0.8121000132501612, 1e-6);
    double D[16], s2;
    kmeans_distances(x, 4, 1, D);
    assert_close(D[1 * 4 + 3], 10.885, 1e-6);
    assert_close(D[3 * 4 + 1], 10.885, 1e-6);
    assert_close(D[2 * 4 + 2], 0, 0);
    assert_int_equal(kmeans_silhouette_d(D, 4, label, 2, work, &s2), CS_OK);
    assert_close(s2, 0.8121000132501612, 1e-6);
    /* a row alone in its cluster scores 0: {0, 1.5}, {10}: rows 0, 1 as above with b over {10} */
    const int32_t l3[3] = {0, 0, 1};
    assert_int_equal(kmeans_silhouette(x, 3, 1, l3, 2, work, &s), CS_OK);
    assert_close(s, ((10 - 1.5) / 10 + (8.5 - 1.5) / 8.5 + 0) / 3, 1e-6);
    const int32_t one[4] = {1, 1, 1, 1};
    assert_int_equal(kmeans_silhouette(x, 4, 1, one, 2, work, &s), CS_EINVAL);
    const int32_t bad[4] = {0, 0, 1, 2};
    assert_int_equal(kmeans_silhouette(x, 4, 1, bad, 2, work, &s), CS_EINVAL);
    assert_message_has("label 2 of row 3", NULL);
}

/* Two brands: brand 0 with 2 segments, brand 1 with 1; design rows [1, f1, f2, brand1 dummy]. */
static segment_model *two_brands(void)
{
    const int32_t k[2] = {2, 1};
    const char *names[3] = {"arpu_m3", "arpu_m1", "tenure_months"};
    segment_model *s = segment_model_alloc(2, 2, k, 3, names);
    assert_non_null(s);
    s->cols[0] = 1;
    s->cols[1] = 2;
    s->brand_col = 3;
    const double C[6] = {-1.25, 0.5, 2.385, -0.75, 0.0, 0.0};
    memcpy(s->centroids, C, sizeof C);
    const double sd[3] = {20.0, 20.0, 10.0};
    memcpy(s->prof_sd, sd, sizeof sd);
    /* brand 0's means 60, 60, 30; segment 0: arpu +1.5 sd, arpu_m1 +1.4 sd (same stem), tenure -0.6 sd;
     * segment 1: all within 0.25 sd; segment 2 (brand 1) the brand itself */
    const double bm[6] = {60, 60, 30, 55, 55, 40};
    memcpy(s->brand_mean, bm, sizeof bm);
    const double mean[9] = {90, 88, 24, 61, 62, 31.5, 55, 55, 40};
    memcpy(s->mean, mean, sizeof mean);
    return s;
}

static void test_segment_model(void **state)
{
    (void)state;
    segment_model *s = two_brands();
    assert_int_equal(s->n_seg, 3);
    assert_int_equal(s->first[1], 2);
    assert_int_equal(s->brand[2], 1);
    const float r0[4] = {1, -1.0f, 0.25f, 0}, r1[4] = {1, 2.0f, -1.0f, 0}, r2[4] = {1, 2.0f, -1.0f, 1};
    assert_int_equal(segment_row_brand(s, r0), 0);
    assert_int_equal(segment_row_brand(s, r2), 1);
    assert_int_equal(segment_assign(s, r0), 0);
    assert_int_equal(segment_assign(s, r1), 1);
    assert_int_equal(segment_assign(s, r2), 2);
    int32_t idx[SEGMENT_MARKS];
    double z[SEGMENT_MARKS];
    assert_int_equal(segment_marks(s, 0, idx, z), 2);
    assert_int_equal(idx[0], 0);
    assert_close(z[0], 1.5, 1e-12);
    assert_int_equal(idx[1], 2);
    assert_close(z[1], -0.6, 1e-12);
    assert_int_equal(segment_marks(s, 1, idx, z), 0);
    char b[128];
    segment_name(s, 0, LANG_EN, b, sizeof b);
    assert_string_equal(b, "high arpu / low tenure_months");
    segment_name(s, 0, LANG_ZH, b, sizeof b);
    assert_string_equal(b, "arpu高 / tenure_months低");
    segment_name(s, 1, LANG_EN, b, sizeof b);
    assert_string_equal(b, "typical");
    assert_int_equal(segment_name_all(s), CS_OK);
    segment_label(s, 0, LANG_EN, b, sizeof b);
    assert_string_equal(b, "1 high arpu / low tenure_months");
    segment_label(s, 2, LANG_ZH, b, sizeof b);
    assert_string_equal(b, "1 一般");
    segment_label(s, 3, LANG_EN, b, sizeof b);
    assert_string_equal(b, "");
    /* a brand without segments: its rows get none */
    s->k[1] = 0;
    assert_int_equal(segment_assign(s, r2), -1);
    segment_model_free(s);
    const int32_t too_many[1] = {SEGMENT_MAX_K + 1};
    assert_null(segment_model_alloc(1, 2, too_many, 0, NULL));
    assert_null(segment_model_alloc(0, 2, too_many, 0, NULL));
    segment_model_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nearest_ties),     cmocka_unit_test(test_accumulate_update),
        cmocka_unit_test(test_lloyd_and_pp),     cmocka_unit_test(test_rng),
        cmocka_unit_test(test_silhouette),       cmocka_unit_test(test_segment_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
