/* test_cmodel.c — the churn-type probabilities of model/cmodel.h (cmodel_predict_types): without
 * types the voluntary probability is the churn probability and the involuntary one NaN; with types
 * each is the logistic of its own coefficients, and where the two would sum past 1 both shrink in
 * proportion to a sum of at most 1, exactly, in double. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmodel.h"

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* A three-column design [1, x1, x2] with a type model of each kind. */
static void setup_types(cmodel *m, double *bv, double *bi)
{
    memset(m, 0, sizeof *m);
    m->n_coef = 3;
    m->has_types = 1;
    m->type_beta[CMODEL_TYPE_VOLUNTARY] = bv;
    m->type_beta[CMODEL_TYPE_INVOLUNTARY] = bi;
}

static void test_without_types(void **state)
{
    (void)state;
    cmodel m;
    memset(&m, 0, sizeof m);
    m.n_coef = 3;
    const float X[6] = {1, 0.25f, -2.385f, 1, 3.5f, 0};
    const double prob[2] = {0.0417, 0.9123};
    double pv[2], pi[2];
    cmodel_predict_types(&m, X, 2, prob, pv, pi);
    for (int i = 0; i < 2; i++) {
        assert_true(pv[i] == prob[i]);
        assert_true(isnan(pi[i]));
    }
}

static void test_with_types(void **state)
{
    (void)state;
    double bv[3] = {-3.1, 0.8, -0.25}, bi[3] = {-2.2, -0.4, 0.6};
    cmodel m;
    setup_types(&m, bv, bi);
    const float X[6] = {1, 0.25f, -2.385f, 1, -1.75f, 0.5f};
    double pv[2], pi[2];
    cmodel_predict_types(&m, X, 2, NULL, pv, pi);
    for (int i = 0; i < 2; i++) {
        const float *x = X + 3 * i;
        double ev = bv[0] + bv[1] * (double)x[1] + bv[2] * (double)x[2];
        double ei = bi[0] + bi[1] * (double)x[1] + bi[2] * (double)x[2];
        assert_close(pv[i], logistic(ev), 1e-14);
        assert_close(pi[i], logistic(ei), 1e-14);
        assert_true(pv[i] + pi[i] <= 1.0);
    }
}

/* Rows where both models are near certain: the sum is cut to 1 (never above, in double), the ratio
 * of the two kept. Many rows with varied values, so that the rounding of v / s is exercised. */
static void test_sum_at_most_one(void **state)
{
    (void)state;
    double bv[3] = {0.4, 1.0, 0.0}, bi[3] = {0.7, 0.0, 1.0};
    cmodel m;
    setup_types(&m, bv, bi);
    enum { N = 4000 };
    float *X = malloc(N * 3 * sizeof(float));
    double *pv = malloc(N * sizeof(double)), *pi = malloc(N * sizeof(double));
    assert_non_null(X);
    assert_non_null(pv);
    assert_non_null(pi);
    for (int i = 0; i < N; i++) {
        X[3 * i] = 1;
        X[3 * i + 1] = (float)(0.001 * i);
        X[3 * i + 2] = (float)(2.385 - 0.0007 * i);
    }
    cmodel_predict_types(&m, X, N, NULL, pv, pi);
    int scaled = 0;
    for (int i = 0; i < N; i++) {
        const float *x = X + 3 * i;
        double v = logistic(bv[0] + (double)x[1]), q = logistic(bi[0] + (double)x[2]);
        assert_true(pv[i] >= 0 && pi[i] >= 0);
        assert_true(pv[i] + pi[i] <= 1.0);
        if (v + q > 1.0) {
            scaled++;
            assert_close(pv[i], v / (v + q), 1e-15);
            assert_close(pi[i] / pv[i], q / v, 1e-12);
            assert_close(pv[i] + pi[i], 1.0, 1e-15);
        } else {
            assert_close(pv[i], v, 1e-15);
            assert_close(pi[i], q, 1e-15);
        }
    }
    assert_true(scaled > N / 2);
    free(X);
    free(pv);
    free(pi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_types),
        cmocka_unit_test(test_with_types),
        cmocka_unit_test(test_sum_at_most_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
