/* test_diag.c — each numerical diagnostic of diag.h provoked on a hand-made matrix or data set:
 * a singular and a near-singular correlation, a factor analysis stopped before convergence, a
 * Heywood case (communality 0.998) and an ultra-Heywood case (communality 81/70 > 1, the textbook
 * three-variable example), separation in an unpenalised logistic fit, a logistic fit stopped at its
 * iteration limit; and, for contrast, the same checks passing on well-behaved inputs, plus the list's
 * own limits. Each goes through the real function (fa_kmo, fa_eigen, fa_fit, logit_fit,
 * logit_accumulate) before the check reads its result. Not provoked: the maximum-likelihood branch of
 * fa_not_converged (a BFGS gradient left above 1e-6); no small matrix tried stops it short (the
 * ultra-Heywood one converges at the bound, an equicorrelation with 2 factors in 11 steps). */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "diag.h"
#include "fa.h"
#include "logit.h"
#include "status.h"

/* R_ij = l_i l_j off the diagonal (a one-factor structure), 1 on it. */
static gsl_matrix *one_factor(const double *l, size_t p)
{
    gsl_matrix *R = gsl_matrix_alloc(p, p);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) gsl_matrix_set(R, i, j, i == j ? 1.0 : l[i] * l[j]);
    return R;
}

static void eigen_of(const gsl_matrix *R, double *ev)
{
    gsl_vector *e = gsl_vector_alloc(R->size1);
    assert_int_equal(fa_eigen(R, e, NULL), CS_OK);
    for (size_t i = 0; i < R->size1; i++) ev[i] = gsl_vector_get(e, i);
    gsl_vector_free(e);
}

static void test_correlation(void **state)
{
    (void)state;
    diag_list d;
    double ev[3];
    /* x3 = (x1 + x2) / sqrt(2 + 2 r12) exactly: singular, Cholesky (KMO) refuses it */
    double r12 = 0.385, r13 = sqrt((1 + r12) / 2);
    double a[9] = {1, r12, r13, r12, 1, r13, r13, r13, 1};
    gsl_matrix_view S = gsl_matrix_view_array(a, 3, 3);
    double kmo;
    int krc = fa_kmo(&S.matrix, &kmo, NULL);
    status_clear();
    eigen_of(&S.matrix, ev);
    diag_list_init(&d);
    int i = diag_correlation(ev, 3, krc != CS_OK, &d);
    assert_int_equal(i, 0);
    assert_int_equal(d.e[0].kind, DIAG_CORR_SINGULAR);
    assert_non_null(strstr(d.e[0].found, "singular"));
    /* r = 1 - 2.385e-8: positive definite, condition number 8.4e7 */
    double r = 1 - 2.385e-8, b[4] = {1, r, r, 1};
    gsl_matrix_view N = gsl_matrix_view_array(b, 2, 2);
    assert_int_equal(fa_kmo(&N.matrix, &kmo, NULL), CS_OK);
    eigen_of(&N.matrix, ev);
    assert_close(diag_rcond(ev, 2), 2.385e-8 / (2 - 2.385e-8), 1e-6);
    diag_list_init(&d);
    assert_int_equal(diag_correlation(ev, 2, 0, &d), 0);
    assert_int_equal(d.e[0].kind, DIAG_CORR_NEAR_SINGULAR);
    assert_string_equal(diag_kind_name(d.e[0].kind), "correlation_near_singular");
    /* r = 0.617: well conditioned, nothing added */
    double c[4] = {1, 0.617, 0.617, 1};
    gsl_matrix_view W = gsl_matrix_view_array(c, 2, 2);
    eigen_of(&W.matrix, ev);
    diag_list_init(&d);
    assert_int_equal(diag_correlation(ev, 2, 0, &d), -1);
    assert_int_equal(d.n, 0);
    assert_true(isnan(diag_rcond(NULL, 0)));
}

static void test_fa_converged_and_not(void **state)
{
    (void)state;
    const double l[5] = {0.83, 0.71, 0.64, 0.52, 0.47};
    const char *names[5] = {"mou_m1", "mou_m2", "mou_m3", "rev_m1", "rev_m2"};
    gsl_matrix *R = one_factor(l, 5);
    fa_params par;
    fa_params_default(&par);
    fa_result *r = fa_result_alloc(5, 1);
    assert_int_equal(fa_fit(R, 500, &par, r), CS_OK);
    assert_true(r->converged);
    diag_list d;
    diag_list_init(&d);
    assert_int_equal(diag_fa(r, names, &d), 0);
    /* two iterations are not enough from the squared multiple correlations */
    par.max_iter = 2;
    assert_int_equal(fa_fit(R, 500, &par, r), CS_OK);
    assert_false(r->converged);
    assert_int_equal(diag_fa(r, names, &d), 1);
    assert_int_equal(d.e[0].kind, DIAG_FA_NOT_CONVERGED);
    assert_non_null(strstr(d.e[0].found, "2 iterations"));
    fa_result_free(r);
    gsl_matrix_free(R);
}

static void test_heywood(void **state)
{
    (void)state;
    /* one loading of 0.999: PAF converges to a communality of 0.998, uniqueness 0.002 */
    const double l[4] = {0.999, 0.81, 0.72, 0.63};
    const char *names[4] = {"data_m3", "data_m2", "data_m1", "sms_m3"};
    gsl_matrix *R = one_factor(l, 4);
    fa_params par;
    fa_params_default(&par);
    par.min_err = 1e-9;
    par.max_iter = 1000;
    fa_result *r = fa_result_alloc(4, 1);
    assert_int_equal(fa_fit(R, 1000, &par, r), CS_OK);
    assert_close(gsl_vector_get(r->communality, 0), 0.998001, 1e-4);
    diag_list d;
    diag_list_init(&d);
    assert_int_equal(diag_fa(r, names, &d), 1);
    assert_int_equal(d.e[0].kind, DIAG_HEYWOOD);
    assert_non_null(strstr(d.e[0].found, "data_m3"));
    assert_null(strstr(d.e[0].found, "data_m2"));
    /* maximum likelihood stops at factanal's bound: the same case */
    par.method = FA_ML;
    assert_int_equal(fa_fit(R, 1000, &par, r), CS_OK);
    diag_list_init(&d);
    diag_fa(r, names, &d);
    assert_int_not_equal(diag_find(&d, DIAG_HEYWOOD), -1);
    assert_int_equal(diag_find(&d, DIAG_ULTRA_HEYWOOD), -1);
    fa_result_free(r);
    gsl_matrix_free(R);
}

static void test_ultra_heywood(void **state)
{
    (void)state;
    /* r12 = r13 = 0.9, r23 = 0.7: one factor needs l1^2 = r12 r13 / r23 = 81/70 > 1, and R is
     * positive definite (det 0.024), so PAF runs and lands above 1 */
    double a[9] = {1, 0.9, 0.9, 0.9, 1, 0.7, 0.9, 0.7, 1};
    gsl_matrix_view R = gsl_matrix_view_array(a, 3, 3);
    const char *names[3] = {"arpu", "rev_m1", "rev_m2"};
    fa_params par;
    fa_params_default(&par);
    par.min_err = 1e-10;
    par.max_iter = 5000;
    fa_result *r = fa_result_alloc(3, 1);
    assert_int_equal(fa_fit(&R.matrix, 300, &par, r), CS_OK);
    assert_close(gsl_vector_get(r->communality, 0), 81.0 / 70.0, 1e-3);
    diag_list d;
    diag_list_init(&d);
    diag_fa(r, names, &d);
    int u = diag_find(&d, DIAG_ULTRA_HEYWOOD);
    assert_int_not_equal(u, -1);
    assert_non_null(strstr(d.e[u].found, "arpu"));
    assert_int_equal(diag_find(&d, DIAG_HEYWOOD), -1);
    fa_result_free(r);
}

/* x separates y completely: no finite maximum; glm's test flags the rows and IRLS never settles */
static void test_separation(void **state)
{
    (void)state;
    const size_t n = 8, k = 2;
    double X[16], y[8];
    const double x[8] = {-2.385, -1.7, -1.1, -0.45, 0.35, 0.9, 1.55, 2.2};
    for (size_t i = 0; i < n; i++) {
        X[2 * i] = 1.0;
        X[2 * i + 1] = x[i];
        y[i] = x[i] > 0 ? 1.0 : 0.0;
    }
    logit_work *w = logit_work_alloc(n, k);
    assert_int_equal(logit_work_extreme(w), 0);
    double beta[2] = {0, 0}, H[4], g[2], ll;
    size_t it = 0;
    /* the coefficients grow without bound until p(1 - p) underflows and a Newton step fails: in
     * the pipeline that is the error "try --l2 > 0"; at the last coefficients glm's test fires */
    assert_int_equal(logit_fit(X, y, NULL, n, k, 0.0, NULL, 1e-10, 60, beta, &it, &ll, w), CS_ENUM);
    assert_true(it > 10 && it < 60);
    assert_true(fabs(beta[1]) > 50);
    status_clear();
    memset(H, 0, sizeof H), memset(g, 0, sizeof g), ll = 0;
    assert_int_equal(logit_accumulate(X, y, NULL, n, k, beta, H, g, &ll, w), CS_OK);
    size_t ext = logit_work_extreme(w);
    assert_true(ext > 0);
    const char *names[2] = {"(intercept)", "days_no_outgoing"};
    diag_list d;
    diag_list_init(&d);
    assert_int_equal(diag_logit(ext, n, 0, (int)it, beta, names, k, "", &d), 2);
    assert_int_equal(d.e[0].kind, DIAG_SEPARATION);
    assert_non_null(strstr(d.e[0].found, "days_no_outgoing"));
    assert_int_equal(d.e[1].kind, DIAG_LOGIT_NOT_CONVERGED);
    /* the same rows with two labels swapped overlap: a finite fit, nothing flagged */
    y[3] = 1.0, y[4] = 0.0;
    beta[0] = beta[1] = 0;
    assert_int_equal(logit_fit(X, y, NULL, n, k, 0.0, NULL, 1e-10, 60, beta, &it, &ll, w), CS_OK);
    assert_true(it < 60);
    memset(H, 0, sizeof H), memset(g, 0, sizeof g), ll = 0;
    assert_int_equal(logit_accumulate(X, y, NULL, n, k, beta, H, g, &ll, w), CS_OK);
    assert_int_equal(logit_work_extreme(w), 0);
    diag_list_init(&d);
    assert_int_equal(diag_logit(0, n, 1, (int)it, beta, names, k, "", &d), 0);
    /* the overlapping rows with too few Newton steps (--max-iter 2): not converged, no separation,
     * as the pipeline's IRLS stops at --max-iter */
    beta[0] = beta[1] = 0;
    assert_int_equal(logit_fit(X, y, NULL, n, k, 0.0, NULL, 1e-10, 2, beta, &it, &ll, w), CS_ENUM);
    assert_int_equal(it, 2);
    assert_message_has("no convergence after 2 Newton steps", NULL);
    status_clear();
    memset(H, 0, sizeof H), memset(g, 0, sizeof g), ll = 0;
    assert_int_equal(logit_accumulate(X, y, NULL, n, k, beta, H, g, &ll, w), CS_OK);
    diag_list_init(&d);
    assert_int_equal(diag_logit(logit_work_extreme(w), n, 0, (int)it, beta, names, k, "", &d), 1);
    assert_int_equal(d.e[0].kind, DIAG_LOGIT_NOT_CONVERGED);
    assert_non_null(strstr(d.e[0].found, "did not converge in 2 iterations"));
    logit_work_free(w);
}

static void test_list_limits(void **state)
{
    (void)state;
    diag_list d;
    diag_list_init(&d);
    assert_int_equal(diag_add(&d, DIAG_N_KINDS, "x"), -1);
    assert_int_equal(diag_add(&d, -1, "x"), -1);
    assert_string_equal(diag_kind_name(99), "?");
    for (int i = 0; i < DIAG_MAX; i++) assert_int_equal(diag_add(&d, DIAG_HEYWOOD, "case %d", i), i);
    assert_int_equal(diag_add(&d, DIAG_HEYWOOD, "one too many"), -1);
    assert_int_equal(d.n, DIAG_MAX);
    diag_set_action(&d, 3, "kept (%s)", "as asked");
    assert_string_equal(d.e[3].action, "kept (as asked)");
    diag_set_action(&d, DIAG_MAX, "ignored");
    assert_string_equal(d.e[2].found, "case 2");
    assert_int_equal(diag_find(&d, DIAG_SEPARATION), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correlation),   cmocka_unit_test(test_fa_converged_and_not),
        cmocka_unit_test(test_heywood),       cmocka_unit_test(test_ultra_heywood),
        cmocka_unit_test(test_separation),    cmocka_unit_test(test_list_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
