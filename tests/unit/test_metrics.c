/* test_metrics.c — hand-checked metrics on ten rows with ties, a brute-force O(n^2) check of U2 and
 * KS on random tied data, segment summaries split and merged at every boundary, and every error return
 * of metrics.h. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "status.h"

/* ten rows; by hand: npos = nneg = 5, U2 = 10 + 9 + 8 + 6 + 1 = 34, AUC = 0.68, KS = 0.4 (after the
 * 0.7 group: TPR 3/5, FPR 1/5), Brier = 2.39 / 10 */
static const double S10[10] = {0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.5, 0.2, 0.1, 0.1};
static const unsigned char L10[10] = {1, 1, 0, 1, 0, 1, 0, 0, 1, 0};

static void test_hand(void **state)
{
    (void)state;
    metrics_work *w = metrics_work_alloc(10);
    assert_non_null(w);
    metrics_report r;
    /* shuffle the input order: the report must not depend on it */
    const size_t perm[10] = {3, 7, 0, 9, 5, 1, 8, 2, 6, 4};
    double s[10];
    unsigned char l[10];
    int64_t key[10];
    for (size_t i = 0; i < 10; i++) s[i] = S10[perm[i]], l[i] = L10[perm[i]], key[i] = (int64_t)perm[i];
    assert_int_equal(metrics_evaluate(s, l, key, 10, &r, w), CS_OK);
    assert_int_equal(r.n, 10);
    assert_int_equal(r.npos, 5);
    assert_int_equal(r.u2, 34);
    assert_close(r.auc, 0.68, 1e-15);
    assert_close(r.base_rate, 0.5, 0);
    assert_close(r.lift10, 2.0, 0);   /* top ceil(1.0) = 1 row, a positive */
    assert_close(r.capture5, 0.2, 0);
    assert_close(r.capture10, 0.2, 0);
    assert_close(r.capture20, 0.4, 0); /* the 0.8 tie broken by key: row 1 (positive) first */
    assert_close(r.ks, 0.4, 1e-15);
    assert_close(r.brier, 0.239, 1e-15);
    for (size_t b = 0; b < METRICS_NBINS; b++) assert_int_equal(r.cal_n[b], 1);
    assert_close(r.cal_pred[0], 0.1, 0);
    assert_close(r.cal_obs[0], 0.0, 0); /* the 0.1 tie: key 8 (positive) ranks above key 9 */
    assert_close(r.cal_obs[1], 1.0, 0);
    assert_close(r.cal_pred[9], 0.9, 0);
    assert_close(r.cal_obs[9], 1.0, 0);
    /* the sorted scores of that evaluation: S10 is in decreasing order, the input was shuffled */
    for (size_t i = 0; i < 10; i++) assert_close(metrics_work_sorted(w)[i], S10[i], 0);

    /* reversed keys flip the tie at 0.8: capture20 drops to 1/5 but AUC is unchanged */
    for (size_t i = 0; i < 10; i++) key[i] = -(int64_t)perm[i];
    assert_int_equal(metrics_evaluate(s, l, key, 10, &r, w), CS_OK);
    assert_close(r.capture20, 0.2, 0);
    assert_int_equal(r.u2, 34);

    size_t order[10];
    assert_int_equal(metrics_order(S10, NULL, 10, order, w), CS_OK);
    for (size_t i = 0; i < 10; i++) assert_int_equal(order[i], i); /* already sorted, ties by index */
    assert_int_equal(metrics_top_count(10, 5), 1);
    assert_int_equal(metrics_top_count(101, 10), 11);
    assert_int_equal(metrics_top_count(100, 10), 10);
    metrics_work_free(w);
}

/* Sorted segments merged at every split point give the same summary as the whole. */
static void test_segments_hand(void **state)
{
    (void)state;
    metrics_segment all, a, b, c, m;
    assert_int_equal(metrics_segment_summarize(S10, L10, 10, &all), CS_OK);
    assert_int_equal(all.u2, 34);
    for (size_t i = 0; i <= 10; i++)
        for (size_t j = i; j <= 10; j++) {
            assert_int_equal(metrics_segment_summarize(S10, L10, i, &a), CS_OK);
            assert_int_equal(metrics_segment_summarize(S10 + i, L10 + i, j - i, &b), CS_OK);
            assert_int_equal(metrics_segment_summarize(S10 + j, L10 + j, 10 - j, &c), CS_OK);
            assert_int_equal(metrics_segment_merge(&a, &b, &m), CS_OK);
            assert_int_equal(metrics_segment_merge(&m, &c, &m), CS_OK);
            assert_int_equal(m.u2, 34);
            assert_int_equal(m.npos, 5);
            assert_int_equal(m.lead_pos + m.lead_neg, 1);
            assert_int_equal(m.trail_pos, 1);
            assert_int_equal(m.trail_neg, 1);
            /* KS from per-segment prefix counts */
            double k1, k2, k3;
            double nb = j < 10 ? S10[j] : NAN, na = i < 10 ? S10[i] : NAN;
            assert_int_equal(metrics_segment_ks(S10, L10, i, 0, 0, 5, 5, na, &k1), CS_OK);
            assert_int_equal(metrics_segment_ks(S10 + i, L10 + i, j - i, a.npos, a.nneg, 5, 5, nb, &k2),
                             CS_OK);
            assert_int_equal(metrics_segment_ks(S10 + j, L10 + j, 10 - j, a.npos + b.npos,
                                                a.nneg + b.nneg, 5, 5, NAN, &k3),
                             CS_OK);
            assert_close(fmax(k1, fmax(k2, k3)), 0.4, 1e-15);
            uint64_t tp = metrics_segment_top_pos(L10, i, 0, 4) + metrics_segment_top_pos(L10 + i, j - i, i, 4) +
                          metrics_segment_top_pos(L10 + j, 10 - j, j, 4);
            assert_int_equal(tp, 3);
        }
    double auc;
    assert_int_equal(metrics_segment_auc(&all, &auc), CS_OK);
    assert_close(auc, 0.68, 1e-15);
}

static uint64_t lcg_state = 2385;
static uint32_t lcg(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

static void test_random_bruteforce(void **state)
{
    (void)state;
    enum { NR = 700 };
    static double s[NR], ss[NR];
    static unsigned char l[NR], ls[NR];
    static size_t order[NR];
    metrics_work *w = metrics_work_alloc(NR);
    for (int rep = 0; rep < 5; rep++) {
        for (size_t i = 0; i < NR; i++) {
            s[i] = (double)(lcg() % 23) / 22.0; /* heavy ties */
            l[i] = (lcg() % 100) < 20 + 3 * s[i] * 20;
        }
        uint64_t u2 = 0, np = 0, nn = 0;
        for (size_t i = 0; i < NR; i++) {
            if (!l[i]) continue;
            np++;
            for (size_t j = 0; j < NR; j++)
                if (!l[j]) u2 += s[j] < s[i] ? 2 : s[j] == s[i] ? 1 : 0;
        }
        nn = NR - np;
        double ks = 0; /* brute force over distinct thresholds: predicted positive if score >= t */
        for (size_t t = 0; t < NR; t++) {
            double cp = 0, cn = 0;
            for (size_t i = 0; i < NR; i++)
                if (s[i] >= s[t]) l[i] ? cp++ : cn++;
            ks = fmax(ks, fabs(cp / (double)np - cn / (double)nn));
        }
        metrics_report r;
        assert_int_equal(metrics_evaluate(s, l, NULL, NR, &r, w), CS_OK);
        assert_int_equal(r.u2, u2);
        assert_close(r.auc, (double)u2 / (2.0 * (double)np * (double)nn), 1e-15);
        assert_close(r.ks, ks, 1e-15);
        uint64_t sum_n = 0;
        for (size_t b = 0; b < METRICS_NBINS; b++) sum_n += r.cal_n[b];
        assert_int_equal(sum_n, NR);

        /* random segmentation of the sorted order */
        assert_int_equal(metrics_order(s, NULL, NR, order, w), CS_OK);
        for (size_t i = 0; i < NR; i++) ss[i] = s[order[i]], ls[i] = l[order[i]];
        metrics_segment acc, seg;
        assert_int_equal(metrics_segment_summarize(ss, ls, 0, &acc), CS_OK);
        size_t pos = 0;
        while (pos < NR) {
            size_t m = 1 + lcg() % 60;
            if (m > NR - pos) m = NR - pos;
            assert_int_equal(metrics_segment_summarize(ss + pos, ls + pos, m, &seg), CS_OK);
            assert_int_equal(metrics_segment_merge(&acc, &seg, &acc), CS_OK);
            pos += m;
        }
        assert_int_equal(acc.u2, u2);
        assert_int_equal(acc.npos, np);
    }
    metrics_work_free(w);
}

static void test_errors(void **state)
{
    (void)state;
    assert_null(metrics_work_alloc(0));
    metrics_work_free(NULL);
    metrics_work *w = metrics_work_alloc(4);
    metrics_report r;
    size_t order[5];
    double s[5] = {0.3, NAN, 0.2, 0.1, 0.5};
    unsigned char l[5] = {1, 0, 2, 0, 1};
    assert_int_equal(metrics_order(s, NULL, 5, order, w), CS_EINVAL); /* too many rows */
    assert_int_equal(metrics_order(s, NULL, 2, order, w), CS_EINVAL); /* NaN */
    assert_int_equal(metrics_evaluate(s + 2, l + 2, NULL, 2, &r, w), CS_EINVAL); /* label 2 */
    unsigned char l0[2] = {0, 0};
    assert_int_equal(metrics_evaluate(s + 2, l0, NULL, 2, &r, w), CS_EDATA); /* one class */
    metrics_segment a, b, m;
    assert_int_equal(metrics_segment_summarize(s, l, 2, &a), CS_EINVAL);     /* NaN */
    assert_int_equal(metrics_segment_summarize(s + 2, l + 2, 2, &a), CS_EINVAL); /* label 2 */
    const double up[2] = {0.1, 0.2};
    assert_int_equal(metrics_segment_summarize(up, l0, 2, &a), CS_EINVAL);   /* increasing */
    assert_int_equal(metrics_segment_summarize(up, l0, 1, &a), CS_OK);
    assert_int_equal(metrics_segment_summarize(up + 1, l0, 1, &b), CS_OK);
    assert_int_equal(metrics_segment_merge(&a, &b, &m), CS_EINVAL);          /* out of order */
    assert_int_equal(metrics_segment_auc(&a, &(double){0}), CS_EDATA);
    double ks;
    assert_int_equal(metrics_segment_ks(up, l0, 1, 0, 0, 0, 1, NAN, &ks), CS_EDATA);
    metrics_work_free(w);
}

/* The radix path of metrics_order (n >= 4096) orders exactly as the comparator: score descending,
 * key ascending, index ascending; heavy ties, negative and positive keys and scores, -0.0 and 0.0;
 * then continuous scores in (0, 1) (every radix digit in use) with a few exact ties; then scores that
 * differ only below float precision (the radix pass sees one value, the comparator orders them). */
typedef struct {
    double s;
    int64_t k;
    size_t i;
} ref_item;

static int ref_cmp(const void *pa, const void *pb)
{
    const ref_item *a = pa, *b = pb;
    if (a->s != b->s) return a->s > b->s ? -1 : 1;
    if (a->k != b->k) return a->k < b->k ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static void test_radix_order(void **state)
{
    (void)state;
    size_t n = 20011;
    double *s = malloc(n * sizeof(double));
    int64_t *k = malloc(n * sizeof(int64_t));
    size_t *ord = malloc(n * sizeof(size_t));
    ref_item *r = malloc(n * sizeof(ref_item));
    uint64_t x = 2385;
    for (int mode = 0; mode < 3; mode++) {
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            int v = (int)((x >> 33) % 97) - 48;
            if (mode == 0) s[i] = v == 0 ? ((x >> 20) & 1 ? -0.0 : 0.0) : v * 0.0123;
            else if (mode == 1) s[i] = i % 101 == 7 && i > 200 ? s[i - 101] : (double)(x >> 11) / 9007199254740992.0;
            else s[i] = 0.25 + (double)((x >> 40) % 1000) * 1e-13; /* apart only below float precision */
            k[i] = (int64_t)((x >> 13) % 50) - 25 + (int64_t)((x >> 60) ? 0 : 1) * 4000000000LL;
            r[i].s = s[i];
            r[i].k = k[i];
            r[i].i = i;
        }
        metrics_work *w = metrics_work_alloc(n);
        assert_non_null(w);
        assert_int_equal(metrics_order(s, k, n, ord, w), CS_OK);
        qsort(r, n, sizeof *r, ref_cmp);
        for (size_t i = 0; i < n; i++) assert_int_equal(ord[i], r[i].i);
        metrics_work_free(w);
    }
    free(s);
    free(k);
    free(ord);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand),
        cmocka_unit_test(test_segments_hand),
        cmocka_unit_test(test_random_bruteforce),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_radix_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
