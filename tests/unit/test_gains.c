/* test_gains.c — the report's curves (gains.h) and what the trees are (gbm_info.c): the gains at
 * every percent, the KS and where it is, and the confusion matrix, checked against brute force on
 * tied random scores and against metrics.h's own lift, capture and KS; every error return; the
 * trees' split gains as gbm_level_split keeps them (the gain formula by hand), their importance and
 * size on a hand-made ensemble, and an unknown gain (an older model file) read as "not known". */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gains.h"
#include "gbm.h"
#include "metrics.h"
#include "status.h"

/* splitmix64, for reproducible tied scores */
static uint64_t sm_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void test_curves(void **state)
{
    (void)state;
    for (size_t n = 7; n <= 2385; n = n * 3 + 1) {
        double *s = malloc(n * sizeof(double));
        unsigned char *l = malloc(n);
        uint64_t seed = n;
        for (size_t i = 0; i < n; i++) {
            s[i] = (double)(sm_next(&seed) % 40) / 40.0; /* many ties */
            l[i] = (unsigned char)(sm_next(&seed) % 100 < 20 + 40 * s[i]);
        }
        l[0] = 1;
        l[1] = 0;
        metrics_work *w = metrics_work_alloc(n);
        metrics_report rep;
        assert_int_equal(metrics_evaluate(s, l, NULL, n, &rep, w), CS_OK);
        const double *ss = metrics_work_sorted(w);
        const unsigned char *sl = metrics_work_labels(w);
        double cut = 0.6125;
        gains_report g;
        assert_int_equal(gains_compute(ss, sl, n, cut, &g), CS_OK);
        assert_int_equal(g.n, n);
        assert_int_equal(g.npos, rep.npos);
        /* by brute force: the top ceil(q n / 100) rows of the sorted order */
        for (unsigned q = 0; q < GAINS_POINTS; q++) {
            uint64_t top = (n * q + 99) / 100, pos = 0;
            for (uint64_t i = 0; i < top; i++) pos += sl[i];
            assert_int_equal(g.top_n[q], top);
            assert_int_equal(g.top_pos[q], pos);
        }
        /* metrics' own figures from the same counts */
        assert_close(((double)g.top_pos[10] / (double)g.top_n[10]) / rep.base_rate, rep.lift10, 1e-15);
        assert_close((double)g.top_pos[20] / (double)g.npos, rep.capture20, 1e-15);
        assert_close(g.ks, rep.ks, 1e-15);
        assert_close(fabs(g.ks_tpr - g.ks_fpr), rep.ks, 1e-12);
        /* the KS point is at the end of a tie group */
        size_t at = (size_t)llround(g.ks_share * (double)n);
        assert_true(at >= 1 && at <= n);
        assert_true(at == n || ss[at] != ss[at - 1]);
        /* the confusion matrix at the cut-off */
        uint64_t tp = 0, fp = 0, fn = 0, tn = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] >= cut) l[i] ? tp++ : fp++;
            else l[i] ? fn++ : tn++;
        }
        assert_int_equal(g.tp, tp);
        assert_int_equal(g.fp, fp);
        assert_int_equal(g.fn, fn);
        assert_int_equal(g.tn, tn);
        assert_close(g.cutoff, cut, 0);
        metrics_work_free(w);
        free(s);
        free(l);
    }
}

static void test_errors(void **state)
{
    (void)state;
    const double s[3] = {0.9, 0.5, 0.1}, up[3] = {0.1, 0.5, 0.9};
    const unsigned char l[3] = {1, 0, 1}, bad[3] = {1, 2, 0}, ones[3] = {1, 1, 1};
    gains_report g;
    assert_int_equal(gains_compute(s, l, 0, 0.5, &g), CS_EINVAL);
    assert_int_equal(gains_compute(s, bad, 3, 0.5, &g), CS_EINVAL);
    assert_message_has("label of row 1", NULL);
    assert_int_equal(gains_compute(up, l, 3, 0.5, &g), CS_EINVAL);
    assert_message_has("not sorted", NULL);
    assert_int_equal(gains_compute(s, ones, 3, 0.5, &g), CS_EDATA);
    assert_message_has("one class only", NULL);
    const double nan3[3] = {0.9, NAN, 0.1};
    assert_int_equal(gains_compute(nan3, l, 3, 0.5, &g), CS_EINVAL);
}

static void test_split_gain(void **state)
{
    (void)state;
    gbm_model *m = gbm_model_alloc(1, 1, 1);
    assert_non_null(m);
    float sample[2] = {0.0f, 1.0f};
    assert_int_equal(gbm_set_cuts(m, 0, sample, 2, 64), CS_OK);
    /* room for level 1's two nodes too (the second call below) */
    double *hist = calloc(gbm_hist_len(m, 2), sizeof(double));
    /* bin 0: G -10.5, H 5.25, 30 rows; bin 1: G 7.5, H 4.75, 30 rows */
    hist[0] = -10.5, hist[1] = 5.25, hist[2] = 30;
    hist[GBM_HIST_CELL] = 7.5, hist[GBM_HIST_CELL + 1] = 4.75, hist[GBM_HIST_CELL + 2] = 30;
    gbm_params p;
    gbm_params_default(&p);
    p.max_depth = 1;
    p.lambda = 1.0;
    int active[1] = {1}, split[1] = {0};
    assert_int_equal(gbm_level_split(m, 0, 0, hist, active, split, &p), CS_OK);
    assert_int_equal(split[0], 1);
    double want = 10.5 * 10.5 / 6.25 + 7.5 * 7.5 / 5.75 - 3.0 * 3.0 / 11.0;
    assert_close(m->nodes[0].gain, want, 1e-14);
    int active1[2] = {1, 1}, split1[2];
    assert_int_equal(gbm_level_split(m, 0, 1, hist, active1, split1, &p), CS_OK); /* the leaves */
    assert_close(m->nodes[1].gain, 0, 0);
    m->n_trees = 1;
    double imp[1];
    assert_close(gbm_gain_importance(m, imp), want, 1e-14);
    assert_close(imp[0], want, 1e-14);
    free(hist);
    gbm_model_free(m);
}

static void test_importance_size(void **state)
{
    (void)state;
    /* two trees of depth 2 over 3 columns: tree 0 splits column 1 (gain 2.385) then column 0 (0.5)
     * on the left; tree 1 splits column 1 (1.25) only; a node under a leaf (stale) must not count */
    gbm_model *m = gbm_model_alloc(3, 2, 2);
    assert_non_null(m);
    m->n_trees = 2;
    gbm_node *t0 = m->nodes, *t1 = m->nodes + m->nodes_per_tree;
    t0[0] = (gbm_node){.col = 1, .gain = 2.385};
    t0[1] = (gbm_node){.col = 0, .gain = 0.5};
    t0[2] = (gbm_node){.col = -1};
    t0[3] = (gbm_node){.col = -1};
    t0[4] = (gbm_node){.col = -1};
    t0[5] = (gbm_node){.col = 2, .gain = 99}; /* under the leaf t0[2]: does not exist */
    t1[0] = (gbm_node){.col = 1, .gain = 1.25};
    t1[1] = (gbm_node){.col = -1};
    t1[2] = (gbm_node){.col = -1};
    double imp[3];
    assert_close(gbm_gain_importance(m, imp), 2.385 + 0.5 + 1.25, 1e-15);
    assert_close(imp[0], 0.5, 0);
    assert_close(imp[1], 2.385 + 1.25, 1e-15);
    assert_close(imp[2], 0, 0);
    size_t splits, leaves;
    gbm_size(m, &splits, &leaves);
    assert_int_equal(splits, 3);
    assert_int_equal(leaves, 5); /* tree 0: 3, 4, 2; tree 1: 1, 2 */
    /* a model file without gains: not known */
    t1[0].gain = NAN;
    assert_true(isnan(gbm_gain_importance(m, imp)));
    assert_true(isnan(imp[0]) && isnan(imp[2]));
    gbm_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curves),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_split_gain),
        cmocka_unit_test(test_importance_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
