/* test_queue.c — the queue rule (model/queue.h): billing before collections before retention, arrears
 * and high-bill suspensions never retention's, a predicted non-payer in collections only with the
 * types known; the band (hard facts first), the probability and key of each queue; the names. */
#include "testutil.h"

#include <math.h>
#include <string.h>

#include "queue.h"
#include "rules.h"
#include "status.h"

static void test_queue_of(void **state)
{
    (void)state;
    const double cut = 0.125;
    /* a high bill wins over arrears and over any phase */
    assert_int_equal(queue_of(RULES_SIG_SUSP_HIGH_BILL | RULES_SIG_SUSP_ARREARS, RULES_ALARM, 0.9, 0.05, cut),
                     QUEUE_BILLING);
    assert_int_equal(queue_of(RULES_SIG_SUSP_HIGH_BILL, RULES_HEALTHY, 0.01, NAN, cut), QUEUE_BILLING);
    /* arrears: collections, even in the alarm phase and with a high voluntary risk */
    assert_int_equal(queue_of(RULES_SIG_SUSP_ARREARS | 1, RULES_ALARM, 0.9, 0.01, cut), QUEUE_COLLECTIONS);
    assert_int_equal(queue_of(RULES_SIG_SUSP_ARREARS, RULES_HEALTHY, 0.01, NAN, cut), QUEUE_COLLECTIONS);
    /* a predicted non-payer: pinv at the cut-off and above pvol */
    assert_int_equal(queue_of(0, RULES_WARNING, 0.2, 0.3, cut), QUEUE_COLLECTIONS);
    assert_int_equal(queue_of(0, RULES_HEALTHY, 0.01, cut, cut), QUEUE_COLLECTIONS);
    assert_int_equal(queue_of(0, RULES_HEALTHY, 0.01, 0.124, cut), QUEUE_NONE);      /* below the cut-off */
    assert_int_equal(queue_of(0, RULES_WARNING, 0.3, 0.3, cut), QUEUE_RETENTION);    /* not above pvol */
    assert_int_equal(queue_of(0, RULES_WARNING, 0.3, NAN, cut), QUEUE_RETENTION);    /* types unknown */
    assert_int_equal(queue_of(0, RULES_ALARM, 0.01, NAN, cut), QUEUE_RETENTION);
    assert_int_equal(queue_of(1 | 2 | 4 | 8 | 16, RULES_ALARM, 0.01, NAN, cut), QUEUE_RETENTION);
    assert_int_equal(queue_of(0, RULES_HEALTHY, 0.9, NAN, cut), QUEUE_NONE);
}

static void test_band_key(void **state)
{
    (void)state;
    assert_int_equal(queue_band(QUEUE_RETENTION, 0, RULES_ALARM), 1);
    assert_int_equal(queue_band(QUEUE_RETENTION, RULES_SIG_SUSP_ARREARS, RULES_WARNING), 0);
    assert_int_equal(queue_band(QUEUE_COLLECTIONS, RULES_SIG_SUSP_ARREARS, RULES_HEALTHY), 1);
    assert_int_equal(queue_band(QUEUE_COLLECTIONS, 0, RULES_ALARM), 0); /* predicted only */
    assert_int_equal(queue_band(QUEUE_BILLING, RULES_SIG_SUSP_HIGH_BILL, RULES_HEALTHY), 1);
    assert_int_equal(queue_band(QUEUE_NONE, 0, RULES_ALARM), 0);
    assert_close(queue_prob(QUEUE_RETENTION, 0.5, 0.375, 0.0625), 0.375, 0);
    assert_close(queue_prob(QUEUE_COLLECTIONS, 0.5, 0.375, 0.0625), 0.0625, 0);
    assert_close(queue_prob(QUEUE_COLLECTIONS, 0.5, 0.5, NAN), 0.5, 0); /* types unknown: any churn */
    assert_close(queue_prob(QUEUE_BILLING, 0.5, 0.375, 0.0625), 0.5, 0);
    assert_true(isnan(queue_prob(QUEUE_NONE, 0.5, 0.375, 0.0625)));
    assert_close(queue_key(QUEUE_RETENTION, 0, 0.375, 238.5), 0.375, 0);
    assert_close(queue_key(QUEUE_RETENTION, 1, 0.375, 238.5), 238.5, 0);
    assert_close(queue_key(QUEUE_COLLECTIONS, 1, 0.0625, 238.5), 0.0625, 0); /* --rank-by is retention's */
    assert_close(queue_key(QUEUE_BILLING, 0, 0.5, 238.5), 238.5, 0);
    assert_true(isnan(queue_key(QUEUE_NONE, 0, 0.5, 1)));
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(queue_name(QUEUE_RETENTION), "retention");
    assert_string_equal(queue_name(QUEUE_COLLECTIONS), "collections");
    assert_string_equal(queue_name(QUEUE_BILLING), "billing");
    assert_string_equal(queue_name(QUEUE_NONE), "none");
    assert_string_equal(queue_name(7), "?");
    for (int q = QUEUE_RETENTION; q < QUEUE_N; q++) assert_int_equal(queue_parse(queue_name(q)), q);
    assert_int_equal(queue_parse("none"), -1);
    assert_int_equal(queue_parse("Retention"), -1);
    assert_int_equal(queue_parse(NULL), -1);
    assert_string_equal(queue_label(QUEUE_RETENTION, LANG_ZH), "挽留");
    assert_string_equal(queue_label(QUEUE_COLLECTIONS, LANG_ZH), "催缴");
    assert_string_equal(queue_label(QUEUE_BILLING, LANG_ZH), "账单核查");
    assert_string_equal(queue_label(QUEUE_BILLING, LANG_EN), "billing check");
    assert_string_equal(queue_label(-1, LANG_EN), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_of),
        cmocka_unit_test(test_band_key),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
