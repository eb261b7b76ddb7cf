/* test_screen.c — screening rules on a hand-made summary: each reason, the collinearity tie rules and
 * the reason strings, and every error return of screen.h. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "screen.h"
#include "status.h"

enum { P = 7 };

static moments_summary *make_summary(void)
{
    moments_summary *s = moments_summary_alloc(P);
    s->n_rows = 1000;
    for (size_t j = 0; j < P; j++) {
        s->n_present[j] = 1000;
        s->missing_share[j] = 0.0;
        s->sd[j] = 2.385;
        s->mode[j] = 0;
        s->mode_share[j] = 0.1;
        for (size_t k = 0; k < P; k++) gsl_matrix_set(s->corr, j, k, j == k ? 1.0 : 0.1);
    }
    s->missing_share[0] = 0.612; /* 0: mostly missing */
    s->n_present[0] = 388;
    s->sd[1] = 0.0;              /* 1: constant */
    s->mode_share[2] = 0.971;    /* 2: near-constant */
    /* 3, 4, 6 collinear; 4 and 6 more complete than 3; 4 and 6 tie on missing share */
    s->missing_share[3] = 0.02;
    double r34 = 0.99999, r36 = -0.97, r46 = 0.96;
    gsl_matrix_set(s->corr, 3, 4, r34), gsl_matrix_set(s->corr, 4, 3, r34);
    gsl_matrix_set(s->corr, 3, 6, r36), gsl_matrix_set(s->corr, 6, 3, r36);
    gsl_matrix_set(s->corr, 4, 6, r46), gsl_matrix_set(s->corr, 6, 4, r46);
    /* a dropped column's large correlation must not count */
    gsl_matrix_set(s->corr, 2, 5, 0.999), gsl_matrix_set(s->corr, 5, 2, 0.999);
    return s;
}

static void test_rules(void **state)
{
    (void)state;
    moments_summary *s = make_summary();
    const char *names[P] = {"a", "b", "c", "d", "total_day_minutes", "f", "g"};
    screen_params par;
    screen_params_default(&par);
    screen_result *r = screen_result_alloc(P);
    assert_int_equal(screen_run(s, names, &par, r), CS_OK);
    assert_int_equal(r->reason[0], SCREEN_MISSING);
    assert_string_equal(screen_result_text(r, 0), "mostly missing: 61.2% missing");
    assert_int_equal(r->reason[1], SCREEN_CONSTANT);
    assert_string_equal(screen_result_text(r, 1), "constant (sd = 0)");
    assert_int_equal(r->reason[2], SCREEN_CONSTANT);
    assert_string_equal(screen_result_text(r, 2), "near-constant: 97.1% equal to 0");
    /* pairs by |r|: (3,4) first -> 3 has more missing, dropped; (3,6) skipped; (4,6) tie -> 6 dropped */
    assert_int_equal(r->reason[3], SCREEN_COLLINEAR);
    assert_int_equal(r->partner[3], 4);
    assert_string_equal(screen_result_text(r, 3), "collinear with total_day_minutes (r = 0.99999)");
    assert_int_equal(r->reason[6], SCREEN_COLLINEAR);
    assert_int_equal(r->partner[6], 4);
    assert_close(r->value[6], 0.96, 0);
    assert_int_equal(r->kept[4], 1);
    assert_int_equal(r->kept[5], 1);
    assert_string_equal(screen_result_text(r, 5), "kept");
    assert_int_equal(r->n_kept, 2);
    size_t idx[P];
    assert_int_equal(screen_kept_index(r, idx), 2);
    assert_int_equal(idx[0], 4);
    assert_int_equal(idx[1], 5);

    /* without names, and with a looser threshold: nothing collinear */
    par.max_abs_corr = 0.999999;
    assert_int_equal(screen_run(s, NULL, &par, r), CS_OK);
    assert_int_equal(r->kept[3], 1);
    assert_int_equal(r->kept[6], 1);
    par.max_abs_corr = 0.965;
    assert_int_equal(screen_run(s, NULL, &par, r), CS_OK);
    assert_string_equal(screen_result_text(r, 3), "collinear with column 4 (r = 0.99999)");
    assert_int_equal(r->kept[6], 1);
    screen_result_free(r);
    moments_summary_free(s);
}

static void test_errors(void **state)
{
    (void)state;
    assert_null(screen_result_alloc(0));
    screen_result_free(NULL);
    moments_summary *s = make_summary();
    screen_result *r = screen_result_alloc(P - 1);
    screen_params par;
    screen_params_default(&par);
    assert_int_equal(screen_run(s, NULL, &par, r), CS_EINVAL);
    screen_result_free(r);
    r = screen_result_alloc(P);
    par.max_mode_share = 1.5;
    assert_int_equal(screen_run(s, NULL, &par, r), CS_EINVAL);
    par.max_mode_share = NAN;
    assert_int_equal(screen_run(s, NULL, &par, r), CS_EINVAL);
    screen_result_free(r);
    moments_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
