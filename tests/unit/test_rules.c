/* test_rules.c — lifecycle stage, warning phase and signal bits, stage and phase names in both
 * languages, ARPU, tiers and value at risk of model/rules.h on hand-made rows, plus every error return
 * of rules_params_check. The reasons (facts of the row) are tested in test_reasons.c. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "status.h"

/* A snapshot's columns in an order of our own, with one unrelated column first. */
static const char *const NAMES[] = {"age", "mou_m3", "tenure_months", "contract_months_left",
                                    "mou_m1", "mou_m2", "days_no_outgoing_m3", "dual_sim",
                                    "competitor_service_calls_m3", "forward_to_competitor_m3",
                                    "suspended_voluntary", "suspended_arrears", "suspended_high_bill",
                                    "arpu_m1", "arpu_m2", "arpu_m3"};
enum { AGE, MOU3, TEN, CON, MOU1, MOU2, DAYS, DUAL, COMP, FWD, SVOL, SARR, SBILL, A1, A2, A3, P };

/* A healthy, mature subscriber without a contract and with steady traffic. */
static void base_row(float *x)
{
    static const float v[P] = {41, 212.5f, 37, -1, 230.25f, 218.75f, 0, 0, 0, 0, 0, 0, 0, 58.4f, 61.2f, 60.7f};
    memcpy(x, v, sizeof v);
}

static void test_cols(void **state)
{
    (void)state;
    rules_cols c;
    rules_cols_find(NAMES, P, &c);
    assert_int_equal(c.tenure, TEN);
    assert_int_equal(c.contract_left, CON);
    assert_int_equal(c.traffic[0], MOU1);
    assert_int_equal(c.traffic[2], MOU3);
    assert_int_equal(c.arpu[1], A2);
    assert_int_equal(c.susp_high_bill, SBILL);
    /* without minutes, outgoing calls stand for traffic; absent signals are -1 */
    const char *const other[] = {"out_calls_m1", "out_calls_m2", "out_calls_m3", "mou_m3"};
    rules_cols_find(other, 4, &c);
    assert_int_equal(c.traffic[0], 0);
    assert_int_equal(c.traffic[2], 2);
    assert_int_equal(c.dual_sim, -1);
    assert_int_equal(c.tenure, -1);
}

static void test_stage(void **state)
{
    (void)state;
    rules_params p;
    rules_params_default(&p);
    rules_cols c;
    rules_cols_find(NAMES, P, &c);
    float x[P];
    base_row(x);
    assert_int_equal(rules_stage(&p, &c, x), RULES_MATURITY);
    x[TEN] = 2.5f;
    assert_int_equal(rules_stage(&p, &c, x), RULES_ONBOARDING);
    x[TEN] = 3;
    assert_int_equal(rules_stage(&p, &c, x), RULES_ONBOARDING); /* "first 1-3 months": inclusive */
    x[CON] = 0; /* onboarding wins over a contract ending (seed 003: no row is both) */
    assert_int_equal(rules_stage(&p, &c, x), RULES_ONBOARDING);
    x[TEN] = 7.5f;
    assert_int_equal(rules_stage(&p, &c, x), RULES_DECLINE);
    x[CON] = 3;
    assert_int_equal(rules_stage(&p, &c, x), RULES_DECLINE);
    /* with a contract: growth while the months served are fewer than the months left (the first
     * half of a first term), maturity after */
    x[CON] = 8;
    assert_int_equal(rules_stage(&p, &c, x), RULES_GROWTH);
    x[CON] = 4;
    assert_int_equal(rules_stage(&p, &c, x), RULES_MATURITY);
    x[TEN] = 12;
    x[CON] = 12; /* renewed at 12 months: tenure equals the months left */
    assert_int_equal(rules_stage(&p, &c, x), RULES_MATURITY);
    x[TEN] = 11;
    assert_int_equal(rules_stage(&p, &c, x), RULES_GROWTH);
    /* a renewed subscriber (tenure above any term) is mature whatever the months left */
    x[TEN] = 37;
    x[CON] = 23;
    assert_int_equal(rules_stage(&p, &c, x), RULES_MATURITY);
    /* without a contract: growth up to --growth-months */
    x[CON] = -1;
    x[TEN] = 12;
    assert_int_equal(rules_stage(&p, &c, x), RULES_GROWTH);
    x[TEN] = 12.5f;
    assert_int_equal(rules_stage(&p, &c, x), RULES_MATURITY);
    /* a clear traffic fall is decline: m3 below half the m1-m2 mean (224.5 / 2 = 112.25) */
    x[MOU3] = 112.0f;
    assert_int_equal(rules_stage(&p, &c, x), RULES_DECLINE);
    x[MOU3] = 112.5f;
    assert_int_equal(rules_stage(&p, &c, x), RULES_MATURITY);
    /* ... with a contract running too: a contract does not keep a subscriber whose usage fell */
    x[CON] = 20;
    x[MOU3] = 112.0f;
    assert_int_equal(rules_stage(&p, &c, x), RULES_DECLINE);
    x[CON] = -1;
    x[MOU3] = 212.5f;
    /* or many days without an outgoing call */
    x[DAYS] = 15;
    assert_int_equal(rules_stage(&p, &c, x), RULES_DECLINE);
    x[CON] = 20;
    assert_int_equal(rules_stage(&p, &c, x), RULES_DECLINE);
    x[DAYS] = 14; /* 12.5 months served, 20 left */
    assert_int_equal(rules_stage(&p, &c, x), RULES_GROWTH);
    /* a collapse is decline even where --traffic-fall asks for a deeper fall */
    p.traffic_fall = 0.9;
    x[MOU3] = 100.0f; /* <= 0.5 x 224.5, not below 0.1 x 224.5 */
    assert_int_equal(rules_signals(&p, &c, x), RULES_SIG_COLLAPSE);
    assert_int_equal(rules_stage(&p, &c, x), RULES_DECLINE);
    rules_params_default(&p);
    /* unknown contract counts as no contract; unknown tenure is maturity */
    base_row(x);
    x[CON] = NAN;
    x[TEN] = 10;
    assert_int_equal(rules_stage(&p, &c, x), RULES_GROWTH);
    x[DAYS] = 20;
    assert_int_equal(rules_stage(&p, &c, x), RULES_DECLINE);
    base_row(x);
    x[TEN] = NAN;
    assert_int_equal(rules_stage(&p, &c, x), RULES_MATURITY);
    x[MOU1] = NAN; /* a missing month (a new subscriber's history) switches the traffic rule off */
    x[MOU3] = 0;
    assert_int_equal(rules_stage(&p, &c, x), RULES_MATURITY);
    assert_int_equal(rules_signals(&p, &c, x), 0);
    /* thresholds are options */
    base_row(x);
    p.growth_months = 40;
    assert_int_equal(rules_stage(&p, &c, x), RULES_GROWTH);
    p.onboarding_months = 37;
    assert_int_equal(rules_stage(&p, &c, x), RULES_ONBOARDING);
}

static void test_phase(void **state)
{
    (void)state;
    rules_params p;
    rules_params_default(&p);
    p.warn_cutoff = 0.0385;
    rules_cols c;
    rules_cols_find(NAMES, P, &c);
    float x[P];
    base_row(x);
    assert_int_equal(rules_signals(&p, &c, x), 0);
    assert_int_equal(rules_phase(&p, &c, x, 0.0384), RULES_HEALTHY);
    assert_int_equal(rules_phase(&p, &c, x, 0.0385), RULES_WARNING);
    assert_int_equal(rules_phase(&p, &c, x, 0.97), RULES_WARNING);
    const struct { int col; float v; unsigned sig; int alarm; } hard[] = {
        {DUAL, 1, RULES_SIG_DUAL_SIM, 1}, {COMP, 1, RULES_SIG_COMPETITOR_CALLS, 1},
        {FWD, 1, RULES_SIG_FORWARD, 1}, {SVOL, 1, RULES_SIG_SUSP_VOLUNTARY, 1},
        {MOU3, 112.2f, RULES_SIG_COLLAPSE, 1}, /* at most 0.5 x 224.5 = 112.25: traffic halved */
        /* suspensions for arrears and after a high bill are the queues' business, not alarms */
        {SARR, 1, RULES_SIG_SUSP_ARREARS, 0}, {SBILL, 1, RULES_SIG_SUSP_HIGH_BILL, 0},
    };
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) {
        base_row(x);
        x[hard[i].col] = hard[i].v;
        assert_int_equal(rules_signals(&p, &c, x), hard[i].sig);
        assert_int_equal((rules_signals(&p, &c, x) & RULES_SIG_ALARM) != 0, hard[i].alarm);
        /* an alarm whatever the probability; otherwise the voluntary probability decides */
        assert_int_equal(rules_phase(&p, &c, x, 0.001), hard[i].alarm ? RULES_ALARM : RULES_HEALTHY);
        assert_int_equal(rules_phase(&p, &c, x, 0.2385), hard[i].alarm ? RULES_ALARM : RULES_WARNING);
    }
    assert_int_equal(RULES_SIG_ALARM, 31);
    /* every bit at once */
    base_row(x);
    x[DUAL] = x[COMP] = x[FWD] = x[SVOL] = x[SARR] = x[SBILL] = 2;
    x[MOU3] = 0;
    assert_int_equal(rules_signals(&p, &c, x), 127u);
    base_row(x);
    x[COMP] = 0.5f; /* a fraction of a call is not a call */
    x[MOU3] = 112.3f; /* just above the collapse line */
    assert_int_equal(rules_phase(&p, &c, x, 0.01), RULES_HEALTHY);
    /* a collapse needs a baseline: a subscriber who never called has not collapsed */
    x[MOU1] = x[MOU2] = 20;
    x[MOU3] = 0;
    assert_int_equal(rules_signals(&p, &c, x), 0);
    x[DUAL] = NAN; /* unknown is not a signal */
    assert_int_equal(rules_phase(&p, &c, x, 0.01), RULES_HEALTHY);
    double base, m3;
    assert_int_equal(rules_traffic(&c, x, &base, &m3), 1);
    assert_close(base, 20, 0);
    x[MOU2] = NAN;
    assert_int_equal(rules_traffic(&c, x, &base, &m3), 0);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(rules_phase_name(RULES_ALARM), "alarm");
    assert_string_equal(rules_stage_name(RULES_DECLINE), "decline");
    assert_string_equal(rules_stage_name(9), "?");
    assert_string_equal(rules_phase_name(-1), "?");
    const char *const stage[2][4] = {{"onboarding", "growth", "maturity", "decline"},
                                     {"入网期", "成长期", "成熟期", "衰退期"}};
    const char *const phase[2][3] = {{"healthy", "warning", "alarm"}, {"健康期", "预警期", "告警期"}};
    for (int l = 0; l < 2; l++) {
        for (int s = 0; s < 4; s++) assert_string_equal(rules_stage_label(s, (cs_lang)l), stage[l][s]);
        for (int s = 0; s < 3; s++) assert_string_equal(rules_phase_label(s, (cs_lang)l), phase[l][s]);
        assert_string_equal(rules_stage_label(4, (cs_lang)l), "");
        assert_string_equal(rules_phase_label(-1, (cs_lang)l), "");
    }
}

static void test_arpu_tier_var(void **state)
{
    (void)state;
    rules_cols c;
    rules_cols_find(NAMES, P, &c);
    float x[P];
    base_row(x);
    assert_close(rules_arpu(&c, x), ((double)58.4f + (double)61.2f + (double)60.7f) / 3.0, 1e-15);
    x[A2] = NAN;
    assert_close(rules_arpu(&c, x), ((double)58.4f + (double)60.7f) / 2.0, 1e-15);
    x[A1] = x[A3] = NAN;
    assert_true(isnan(rules_arpu(&c, x)));
    const char *const none[] = {"age"};
    rules_cols_find(none, 1, &c);
    assert_true(isnan(rules_arpu(&c, x)));

    /* keys order floats like the numbers, negatives and zeros included */
    const float v[] = {-1e30f, -2.5f, -1e-40f, -0.0f, 0.0f, 1e-40f, 0.3f, 2.385f, 77.82f, 1e30f};
    for (size_t i = 0; i + 1 < sizeof v / sizeof v[0]; i++) {
        if (v[i] == v[i + 1]) assert_int_equal(rules_arpu_key(v[i]), rules_arpu_key(v[i + 1]));
        else assert_true(rules_arpu_key(v[i]) < rules_arpu_key(v[i + 1]));
        if (v[i] != 0) assert_true(rules_key_arpu(rules_arpu_key(v[i])) == v[i]);
    }

    const double cut[4] = {45.09, 54.59, 64.37, 77.82};
    assert_int_equal(rules_tier(cut, 12.5), 1);
    assert_int_equal(rules_tier(cut, 45.09), 1); /* a cut-off belongs to the tier below */
    assert_int_equal(rules_tier(cut, 45.1), 2);
    assert_int_equal(rules_tier(cut, 64.37), 3);
    assert_int_equal(rules_tier(cut, 77.83), 5);
    assert_int_equal(rules_tier(cut, NAN), 0);

    assert_close(rules_value_at_risk(0.2385, 61.4, 12), 0.2385 * 61.4 * 12, 1e-15);
    assert_close(rules_value_at_risk(0.2385, -3.5, 12), 0.0, 0); /* refunds are no risk */
    assert_close(rules_value_at_risk(0.2385, NAN, 12), 0.0, 0);
}

static void test_params_check(void **state)
{
    (void)state;
    rules_params p;
    rules_params_default(&p);
    assert_int_equal(rules_params_check(&p), CS_OK);
    const struct { size_t off; double v; const char *opt; } bad[] = {
        {offsetof(rules_params, onboarding_months), -1, "--onboarding-months"},
        {offsetof(rules_params, traffic_fall), 1.5, "--traffic-fall"},
        {offsetof(rules_params, collapse), NAN, "--collapse"},
        {offsetof(rules_params, warn_cutoff), 1.01, "--warn-cutoff"},
        {offsetof(rules_params, idle_days), 40, "--idle-days"},
        {offsetof(rules_params, collapse_min), -0.5, "--collapse-min"},
        {offsetof(rules_params, growth_months), 2, "--growth-months"}, /* below onboarding */
        {offsetof(rules_params, contract_ending_months), 2000, "--contract-ending-months"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rules_params q = p;
        *(double *)((char *)&q + bad[i].off) = bad[i].v;
        assert_int_equal(rules_params_check(&q), CS_EINVAL);
        assert_non_null(strstr(status_reason(), bad[i].opt));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cols),
        cmocka_unit_test(test_stage),
        cmocka_unit_test(test_phase),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_arpu_tier_var),
        cmocka_unit_test(test_params_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
