/* test_logit.c — the Newton/IRLS logistic regression against R glm, the penalised optimality
 * condition, separation and collinearity, and every error return of logit.h.
 *
 * Reference: R 4.2.2 Patched (2022-11-10 r83330), stats::glm, with
 *   i <- 1:80; x1 <- 2 * sin(1.3 * i); x2 <- cos(0.7 * i + 0.3) + 0.5 * sin(2.9 * i)
 *   u <- (sin(i * 12.9898) * 43758.5453) %% 1
 *   y <- as.integer(u < plogis(0.3 + 1.2 * x1 - 0.8 * x2))          # printed and stored as Y below
 *   m <- glm(y ~ x1 + x2, family = binomial, control = glm.control(epsilon = 1e-14, maxit = 100))
 *   summary(m)$coefficients; logLik(m)
 *   w <- 0.5 + (i %% 3)
 *   coef(glm(y ~ x1 + x2, family = quasibinomial, weights = w,
 *            control = glm.control(epsilon = 1e-14, maxit = 100)))
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logit.h"
#include "status.h"

enum { N = 80, K = 3 };
static const unsigned char Y[N] = {
    0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1,
    0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1,
    0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0};
static const double glm_beta[K] = {0.395018327201657, 0.932603713192802, -0.555473267410279};
static const double glm_se[K] = {0.274450114469554, 0.216560338329577, 0.352893424036443};
static const double glm_p[K] = {0.150063192768417, 1.65904252731647e-05, 0.115474990951261};
static const double glm_loglik = -41.3983918986169;
static const double glm_wbeta[K] = {0.238277036738587, 1.08335576199467, -0.718992185928143};

static double X[N * K], y[N], wt[N];

static void make_data(void)
{
    for (int i = 1; i <= N; i++) {
        X[(i - 1) * K + 0] = 1.0;
        X[(i - 1) * K + 1] = 2 * sin(1.3 * i);
        X[(i - 1) * K + 2] = cos(0.7 * i + 0.3) + 0.5 * sin(2.9 * i);
        y[i - 1] = Y[i - 1];
        wt[i - 1] = 0.5 + (i % 3);
    }
}

static void test_glm_reference(void **state)
{
    (void)state;
    make_data();
    logit_work *w = logit_work_alloc(17, K); /* uneven blocks inside logit_fit */
    assert_non_null(w);
    double beta[K] = {0, 0, 0}, ll;
    size_t it;
    assert_int_equal(logit_fit(X, y, NULL, N, K, 0.0, NULL, 1e-12, 50, beta, &it, &ll, w), CS_OK);
    assert_true(it < 15);
    for (size_t j = 0; j < K; j++) assert_close(beta[j], glm_beta[j], 1e-6 * fabs(glm_beta[j]));
    assert_close(ll, glm_loglik, 1e-9);

    double hess[K * K] = {0}, grad[K] = {0}, se[K], z[K], pv[K];
    assert_int_equal(logit_accumulate(X, y, NULL, 17, K, beta, hess, grad, NULL, w), CS_OK);
    /* the rest in one more workspace-sized pass */
    logit_work *wall = logit_work_alloc(N, K);
    memset(hess, 0, sizeof hess), memset(grad, 0, sizeof grad);
    assert_int_equal(logit_accumulate(X, y, NULL, N, K, beta, hess, grad, NULL, wall), CS_OK);
    assert_int_equal(logit_stats(hess, beta, 0.0, NULL, K, se, z, pv, wall), CS_OK);
    for (size_t j = 0; j < K; j++) {
        assert_close(se[j], glm_se[j], 1e-6 * glm_se[j]);
        assert_close(z[j], beta[j] / se[j], 1e-15);
        assert_close(pv[j], glm_p[j], 1e-6 * glm_p[j]);
        assert_close(grad[j], 0.0, 1e-9);
    }

    /* weights */
    double bw[K] = {0, 0, 0};
    assert_int_equal(logit_fit(X, y, wt, N, K, 0.0, NULL, 1e-12, 50, bw, NULL, NULL, w), CS_OK);
    for (size_t j = 0; j < K; j++) assert_close(bw[j], glm_wbeta[j], 1e-6 * fabs(glm_wbeta[j]));

    /* a block split gives the same sums to rounding; a block partial depends only on its rows */
    double h1[K * K] = {0}, g1[K] = {0}, l1 = 0, h2[K * K] = {0}, g2[K] = {0}, l2 = 0;
    assert_int_equal(logit_accumulate(X, y, wt, 40, K, glm_beta, h1, g1, &l1, wall), CS_OK);
    assert_int_equal(logit_accumulate(X + 40 * K, y + 40, wt + 40, 40, K, glm_beta, h1, g1, &l1, wall),
                     CS_OK);
    assert_int_equal(logit_accumulate(X, y, wt, N, K, glm_beta, h2, g2, &l2, wall), CS_OK);
    for (size_t a = 0; a < K; a++) {
        assert_close(g1[a], g2[a], 1e-12);
        for (size_t b = a; b < K; b++) assert_close(h1[a * K + b], h2[a * K + b], 1e-12);
    }
    assert_close(l1, l2, 1e-12);

    double p[3];
    logit_predict(X, 3, K, glm_beta, p);
    for (size_t i = 0; i < 3; i++) {
        double eta = glm_beta[0] + glm_beta[1] * X[i * K + 1] + glm_beta[2] * X[i * K + 2];
        assert_close(p[i], 1 / (1 + exp(-eta)), 1e-15);
    }
    logit_work_free(w);
    logit_work_free(wall);
}

static void test_penalised(void **state)
{
    (void)state;
    make_data();
    logit_work *w = logit_work_alloc(N, K);
    const unsigned char pen[K] = {0, 1, 1}; /* the intercept is not penalised */
    const double lambda = 7.5;
    double beta[K] = {0, 0, 0};
    assert_int_equal(logit_fit(X, y, NULL, N, K, lambda, pen, 1e-13, 50, beta, NULL, NULL, w), CS_OK);
    double hess[K * K] = {0}, grad[K] = {0};
    assert_int_equal(logit_accumulate(X, y, NULL, N, K, beta, hess, grad, NULL, w), CS_OK);
    /* optimality: grad l(beta) = lambda D beta */
    for (size_t j = 0; j < K; j++) assert_close(grad[j], pen[j] ? lambda * beta[j] : 0.0, 1e-9);
    /* shrinkage: penalised slopes are smaller than glm's */
    assert_true(fabs(beta[1]) < fabs(glm_beta[1]));
    assert_true(fabs(beta[2]) < fabs(glm_beta[2]));
    double se[K];
    assert_int_equal(logit_stats(hess, beta, lambda, pen, K, se, NULL, NULL, w), CS_OK);
    assert_true(se[1] < glm_se[1]);
    logit_work_free(w);
}

static void test_separation_and_collinear(void **state)
{
    (void)state;
    make_data();
    double ys[N];
    for (size_t i = 0; i < N; i++) ys[i] = X[i * K + 1] > 0; /* x1 separates the classes */
    logit_work *w = logit_work_alloc(N, K);
    double beta[K] = {0, 0, 0};
    int rc = logit_fit(X, ys, NULL, N, K, 0.0, NULL, 1e-10, 40, beta, NULL, NULL, w);
    assert_int_equal(rc, CS_ENUM);
    assert_non_null(strstr(status_message(), "separa"));
    /* a ridge penalty makes the problem well posed */
    double bp[K] = {0, 0, 0};
    assert_int_equal(logit_fit(X, ys, NULL, N, K, 0.5, NULL, 1e-10, 50, bp, NULL, NULL, w), CS_OK);
    assert_true(bp[1] > 1 && bp[1] < 100);

    /* duplicated column: the Hessian is singular */
    double Xd[N * K];
    for (size_t i = 0; i < N; i++) {
        Xd[i * K] = 1;
        Xd[i * K + 1] = X[i * K + 1];
        Xd[i * K + 2] = 2 * X[i * K + 1];
    }
    double b0[K] = {0, 0, 0};
    assert_int_equal(logit_fit(Xd, y, NULL, N, K, 0.0, NULL, 1e-10, 50, b0, NULL, NULL, w), CS_ENUM);
    double hess[K * K] = {0}, grad[K] = {0}, se[K];
    assert_int_equal(logit_accumulate(Xd, y, NULL, N, K, b0, hess, grad, NULL, w), CS_OK);
    assert_int_equal(logit_step(hess, grad, b0, 0.0, NULL, K, b0, NULL, w), CS_ENUM);
    assert_int_equal(logit_stats(hess, b0, 0.0, NULL, K, se, NULL, NULL, w), CS_ENUM);
    logit_work_free(w);
}

static void test_errors(void **state)
{
    (void)state;
    make_data();
    assert_null(logit_work_alloc(0, 3));
    assert_null(logit_work_alloc(3, 0));
    logit_work_free(NULL);
    logit_work *w = logit_work_alloc(10, K);
    double hess[K * K] = {0}, grad[K] = {0}, beta[K] = {0.1, 0.2, 0.3}, out[K];
    assert_int_equal(logit_accumulate(X, y, NULL, 11, K, beta, hess, grad, NULL, w), CS_EINVAL);
    assert_int_equal(logit_accumulate(X, y, NULL, 5, 2, beta, hess, grad, NULL, w), CS_EINVAL);
    double ybad[2] = {1, 0.5}, wbad[2] = {1, -2.385};
    assert_int_equal(logit_accumulate(X, ybad, NULL, 2, K, beta, hess, grad, NULL, w), CS_EINVAL);
    assert_int_equal(logit_accumulate(X, y, wbad, 2, K, beta, hess, grad, NULL, w), CS_EINVAL);
    double binf[K] = {INFINITY, 0, 0};
    assert_int_equal(logit_accumulate(X, y, NULL, 2, K, binf, hess, grad, NULL, w), CS_EDATA);
    assert_int_equal(logit_accumulate(X, y, NULL, 0, K, beta, hess, grad, NULL, w), CS_OK);
    assert_int_equal(logit_accumulate(X, y, NULL, 10, K, beta, hess, grad, NULL, w), CS_OK);
    assert_int_equal(logit_step(hess, grad, beta, -1.0, NULL, K, out, NULL, w), CS_EINVAL);
    assert_int_equal(logit_step(hess, grad, beta, 0.0, NULL, 2, out, NULL, w), CS_EINVAL);
    assert_int_equal(logit_stats(hess, beta, -1.0, NULL, K, NULL, NULL, NULL, w), CS_EINVAL);
    assert_int_equal(logit_fit(X, y, NULL, N, 2, 0.0, NULL, 1e-8, 10, beta, NULL, NULL, w), CS_EINVAL);
    assert_int_equal(logit_converged(1e-9, beta, K, 1e-8), 1);
    assert_int_equal(logit_converged(1e-7, beta, K, 1e-8), 0);
    logit_work_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glm_reference),
        cmocka_unit_test(test_penalised),
        cmocka_unit_test(test_separation_and_collinear),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
