/* test_inputs.c — the roles of the indicators (model/inputs.h) on a hand-made summary: signals kept
 * even when screening calls them near-constant, lifecycle sources, the pool, the counts behind the
 * "nothing to fit on" refusal, the report's words for every role, the number of factors, and every
 * error return. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "cmodel.h"
#include "inputs.h"
#include "screen.h"
#include "status.h"

enum { P = 8 };

static const char *names[P] = {"dual_sim", "suspended_arrears", "tenure_months", "contract_months_left",
                               "new_subscriber", "calls", "sms", "data_mb"};

static moments_summary *make_summary(void)
{
    moments_summary *s = moments_summary_alloc(P);
    s->n_rows = 1000;
    for (size_t j = 0; j < P; j++) {
        s->n_present[j] = 1000;
        s->missing_share[j] = 0.0;
        s->mean[j] = 1.5;
        s->sd[j] = 2.385;
        s->mode[j] = 0;
        s->mode_share[j] = 0.1;
        for (size_t k = 0; k < P; k++) gsl_matrix_set(s->corr, j, k, j == k ? 1.0 : 0.1);
    }
    s->mode_share[0] = 0.97;  /* a rare signal: near-constant to screening, kept as a signal */
    s->sd[1] = 0.0;           /* a signal without variation */
    s->n_present[3] = 0;      /* contract months never present */
    s->missing_share[3] = 1.0;
    s->sd[3] = NAN;
    s->sd[6] = 0.0;           /* constant ordinary indicator */
    s->missing_share[7] = 0.612; /* mostly missing */
    s->n_present[7] = 388;
    return s;
}

static screen_result *make_screen(const moments_summary *s)
{
    screen_params par;
    screen_params_default(&par);
    screen_result *r = screen_result_alloc(P);
    assert_non_null(r);
    assert_int_equal(screen_run(s, names, &par, r), CS_OK);
    return r;
}

static void test_roles(void **state)
{
    (void)state;
    moments_summary *s = make_summary();
    screen_result *r = make_screen(s);
    assert_int_equal(r->kept[0], 0); /* screening alone would drop the rare signal */
    inputs_choice *c = inputs_choice_alloc(P);
    assert_non_null(c);
    assert_int_equal(inputs_choose(names, s, r, 0.5, c), CS_OK);
    assert_int_equal(c->nsig, 1);
    assert_int_equal(c->sig[0], 0);
    assert_int_equal(c->npool, 1);
    assert_int_equal(c->pool[0], 5);
    assert_int_equal(c->tenure, 2);
    assert_int_equal(c->contract, -1);
    assert_int_equal(c->n_constant, 2); /* suspended_arrears, sms */
    assert_int_equal(c->n_missing, 2);  /* contract_months_left, data_mb */
    assert_false(inputs_none(c, s));
    const int used[P] = {1, 0, 1, 0, 0, 1, 0, 0};
    for (size_t j = 0; j < P; j++) assert_int_equal(inputs_used(c, j), used[j]);
    assert_string_equal(inputs_why(c, names, r, 0), "kept: hard signal, used as it is");
    assert_string_equal(inputs_why(c, names, r, 1), "dropped: signal without variation or mostly missing");
    assert_string_equal(inputs_why(c, names, r, 2), "kept: lifecycle flag");
    assert_string_equal(inputs_why(c, names, r, 3), "not used: replaced by the lifecycle flags");
    assert_string_equal(inputs_why(c, names, r, 4), "not used: replaced by the lifecycle flags");
    assert_string_equal(inputs_why(c, names, r, 5), "");
    assert_string_equal(inputs_why(c, names, r, 6), "constant (sd = 0)");
    assert_string_equal(inputs_why(c, names, r, 7), "mostly missing: 61.2% missing");
    /* a stricter --max-missing than the signal's missing share drops the signal too */
    s->missing_share[0] = 0.3;
    assert_int_equal(inputs_choose(names, s, r, 0.25, c), CS_OK);
    assert_int_equal(c->nsig, 0);
    assert_int_equal(c->n_missing, 3);
    assert_int_equal(inputs_used(c, 0), 0);
    inputs_choice_free(c);
    screen_result_free(r);
    moments_summary_free(s);
}

static void test_nothing_to_fit(void **state)
{
    (void)state;
    moments_summary *s = make_summary();
    s->sd[0] = 0.0; /* no signal varies */
    s->sd[5] = 0.0; /* the one pooled indicator neither */
    screen_result *r = make_screen(s);
    inputs_choice *c = inputs_choice_alloc(P);
    assert_int_equal(inputs_choose(names, s, r, 0.5, c), CS_OK);
    assert_int_equal(c->npool, 0);
    assert_int_equal(c->nsig, 0);
    /* tenure still varies: the lifecycle flags carry a model */
    assert_false(inputs_none(c, s));
    s->sd[2] = 0.0;
    assert_true(inputs_none(c, s));
    assert_int_equal(c->n_constant, 4);
    inputs_choice_free(c);
    screen_result_free(r);
    moments_summary_free(s);
}

static void test_factor_count(void **state)
{
    (void)state;
    const double ev[4] = {2.385, 1.5, 0.9, 0.2}, flat[3] = {0.9, 0.6, 0.5};
    assert_int_equal(inputs_factor_count(ev, 4, 0, 4), 2);  /* Kaiser */
    assert_int_equal(inputs_factor_count(ev, 4, 3, 4), 3);  /* --factors */
    assert_int_equal(inputs_factor_count(ev, 4, 7, 4), 3);  /* at most npool - 1 */
    assert_int_equal(inputs_factor_count(flat, 3, 0, 3), 1); /* Kaiser finds none: one */
    assert_int_equal(inputs_factor_count(ev, 2, 0, 2), 1);
    assert_int_equal(inputs_factor_count(ev, 1, 0, 1), 1);
    assert_int_equal(inputs_factor_count(NULL, 0, 0, 5), 1); /* no eigenvalues (eigen failed) */
}

static void test_names_and_errors(void **state)
{
    (void)state;
    assert_true(inputs_is_signal("forward_to_competitor_m3"));
    assert_false(inputs_is_signal("tenure_months"));
    assert_true(inputs_is_lifecycle("contract_ending"));
    assert_false(inputs_is_lifecycle("dual_sim"));
    assert_string_equal(inputs_mode_name(CMODEL_INPUTS_FACTORS), "factor scores");
    assert_string_equal(inputs_mode_name(CMODEL_INPUTS_RAW), "raw indicators");
    assert_string_equal(inputs_mode_name(CMODEL_INPUTS_BOTH), "factors and raw indicators");
    assert_null(inputs_choice_alloc(0));
    inputs_choice_free(NULL);
    moments_summary *s = make_summary();
    screen_result *r = make_screen(s);
    inputs_choice *c = inputs_choice_alloc(P - 1); /* one column short */
    assert_int_equal(inputs_choose(names, s, r, 0.5, c), CS_EINVAL);
    assert_non_null(strstr(status_message(), "7 columns, but a summary of 8"));
    status_clear();
    inputs_choice_free(c);
    screen_result_free(r);
    moments_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_nothing_to_fit),
        cmocka_unit_test(test_factor_count),
        cmocka_unit_test(test_names_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
