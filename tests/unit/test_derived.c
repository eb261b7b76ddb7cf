/* test_derived.c — derived indicators (model/derived.h, issue 21): the built-in set made from a
 * snapshot's names (families with all three months only; a name the snapshot has is left to it), the
 * values on hand-made rows against the formulas worked by hand (missing months, a zero base, 0/0 and
 * x/0 becoming NaN, the month's length), a site file's formulas, and each error with its line and
 * column: a line without '=', a bad name, a name twice, a formula that does not parse, an unknown
 * indicator at binding, a name the snapshot already has. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "derived.h"
#include "status.h"

static const char *const names[] = {"mou_m1", "mou_m2", "mou_m3", "data_mb_m3", "arpu_m1", "arpu_m3",
                                    "days_no_outgoing_m3", "onnet_mou", "offnet_mou", "sms_m1",
                                    "sms_m2", "sms_m3", "sms_min3"};
#define P (sizeof names / sizeof names[0])

static long find(const derived_set *d, const char *name)
{
    for (size_t k = 0; k < d->n; k++)
        if (strcmp(d->names[k], name) == 0) return (long)k;
    return -1;
}

static void test_default_names(void **state)
{
    (void)state;
    derived_set *d = derived_alloc();
    assert_non_null(d);
    assert_int_equal(derived_default(d, names, P), CS_OK);
    /* mou and sms have m1..m3; arpu lacks m2: no arpu_*; sms_min3 is the snapshot's own */
    const char *want[] = {"mou_chg", "mou_chg_rel", "mou_mean3", "mou_min3", "sms_chg", "sms_chg_rel",
                          "sms_mean3", "data_voice_share_m3", "offnet_share_mou", "days_no_outgoing_share_m3"};
    assert_int_equal(d->n, sizeof want / sizeof want[0]);
    for (size_t k = 0; k < d->n; k++) assert_string_equal(d->names[k], want[k]);
    assert_int_equal(find(d, "arpu_chg"), -1);
    assert_int_equal(find(d, "sms_min3"), -1);
    assert_string_equal(d->formulas[0], "mou_m3 - (mou_m1 + mou_m2) / 2");
    derived_free(d);
}

static void test_values(void **state)
{
    (void)state;
    derived_set *d = derived_alloc();
    assert_int_equal(derived_default(d, names, P), CS_OK);
    assert_int_equal(derived_bind(d, names, P, derived_month_days("2024-02"), "snap.h5"), CS_OK);
    size_t w = P + d->n;
    /* row 0: complete; row 1: mou_m1 missing, no data; row 2: mou_m1 = mou_m2 = 0 (the relative change
     * of a zero base: NaN), onnet + offnet 0 (0 / 0: NaN) */
    float rows[3 * (P + 16)];
    memset(rows, 0, sizeof rows);
    const float r0[P] = {100, 200, 90, 30, 50, 60, 3, 40, 10, 5, 7, 9, 1};
    const float r1[P] = {NAN, 0, 10, 0, 50, 60, 29, 0, 5, 5, NAN, NAN, 1};
    const float r2[P] = {0, 0, 10, 10, 50, 60, 0, 0, 0, 1, 2, 3, 1};
    memcpy(rows, r0, sizeof r0);
    memcpy(rows + w, r1, sizeof r1);
    memcpy(rows + 2 * w, r2, sizeof r2);
    double *work = malloc(derived_work_len(d) * sizeof(double));
    derived_eval(d, rows, 3, P, w, work);
    free(work);
#define V(row, name) rows[(row) * w + P + (size_t)find(d, name)]
    assert_close(V(0, "mou_chg"), 90 - 150, 1e-6);
    assert_close(V(0, "mou_chg_rel"), (90 - 150) / 150.0, 1e-6);
    assert_close(V(0, "mou_mean3"), 130, 1e-6);
    assert_close(V(0, "mou_min3"), 90, 1e-6);
    assert_close(V(0, "data_voice_share_m3"), 30 / 120.0, 1e-6);
    assert_close(V(0, "offnet_share_mou"), 10 / 50.0, 1e-6);
    assert_close(V(0, "days_no_outgoing_share_m3"), 3 / 29.0, 1e-6); /* February of a leap year */
    assert_close(V(0, "sms_chg"), 9 - 6, 1e-6);
    /* a missing month: the arithmetic change is missing, the mean and minimum take what is present */
    assert_true(isnan(V(1, "mou_chg")));
    assert_true(isnan(V(1, "mou_chg_rel")));
    assert_close(V(1, "mou_mean3"), 5, 1e-6);
    assert_close(V(1, "mou_min3"), 0, 1e-6);
    assert_close(V(1, "data_voice_share_m3"), 0, 0);
    assert_close(V(1, "offnet_share_mou"), 1, 1e-6);
    assert_close(V(1, "sms_mean3"), 5, 1e-6);
    assert_true(isnan(V(2, "mou_chg_rel")));           /* a zero base */
    assert_close(V(2, "mou_chg"), 10, 1e-6);
    assert_true(isnan(V(2, "offnet_share_mou")));
    assert_close(V(2, "data_voice_share_m3"), 0.5, 1e-6);
    /* the snapshot's own columns are untouched */
    assert_true(memcmp(rows, r0, sizeof r0) == 0);
#undef V
    derived_free(d);
    assert_close(derived_month_days("2023-02"), 28, 0);
    assert_close(derived_month_days("2026-12"), 31, 0);
    assert_close(derived_month_days("nonsense"), 30, 0);
}

static void test_site_file(void **state)
{
    (void)state;
    const char *text = "# a site's formulas\n"
                       "mou_ratio = mou_m3 / mou_m1   # last against first\n"
                       "\n"
                       "heavy = mou_m3 > 100 and data_mb_m3 > 10\n"
                       "inf_ratio = arpu_m1 / days_no_outgoing_m3\n";
    derived_set *d = derived_alloc();
    assert_int_equal(derived_parse(d, text, strlen(text), "site.txt"), CS_OK);
    assert_int_equal(d->n, 3);
    assert_string_equal(d->formulas[0], "mou_m3 / mou_m1");
    assert_int_equal(derived_bind(d, names, P, 30, "snap.h5"), CS_OK);
    size_t w = P + d->n;
    float rows[2 * (P + 3)];
    const float r0[P] = {100, 200, 150, 30, 50, 60, 0, 40, 10, 5, 7, 9, 1};
    memcpy(rows, r0, sizeof r0);
    memcpy(rows + w, r0, sizeof r0);
    rows[w + 2] = 50; /* row 1: mou_m3 50, not heavy */
    double *work = malloc(derived_work_len(d) * sizeof(double));
    derived_eval(d, rows, 2, P, w, work);
    free(work);
    assert_close(rows[P], 1.5, 1e-6);
    assert_close(rows[P + 1], 1, 0);
    assert_true(isnan(rows[P + 2])); /* 50 / 0 = inf: not a measurement, so missing */
    assert_close(rows[w + P + 1], 0, 0);
    derived_free(d);
}

static void expect_parse_error(const char *text, const char *a, const char *b)
{
    derived_set *d = derived_alloc();
    status_clear();
    assert_int_equal(derived_parse(d, text, strlen(text), "site.txt"), CS_EDATA);
    assert_message_has(a, b);
    derived_free(d);
}

static void expect_bind_error(const char *text, const char *a, const char *b)
{
    derived_set *d = derived_alloc();
    assert_int_equal(derived_parse(d, text, strlen(text), "site.txt"), CS_OK);
    status_clear();
    assert_int_equal(derived_bind(d, names, P, 30, "snap.h5"), CS_EDATA);
    assert_message_has(a, b);
    derived_free(d);
}

static void test_errors(void **state)
{
    (void)state;
    expect_parse_error("a = mou_m1\nno formula here\n", "site.txt line 2", "expected 'name = formula'");
    expect_parse_error("2x = mou_m1\n", "site.txt line 1", "is not a name");
    expect_parse_error("a = mou_m1\na = mou_m2\n", "line 2", "defined twice");
    expect_parse_error("a = \n", "line 1", "no formula");
    /* the column counts from the line's start: 'x = mou_m1 +' has its missing operand at column 13 */
    expect_parse_error("\nx = mou_m1 +\n", "site.txt line 2 column 13", NULL);
    expect_parse_error("x = avg(mou)\n", "line 1 column 5", "unknown function");
    expect_bind_error("x = mou_m4 * 2\n", "snap.h5: derived indicator 'x'", "unknown indicator 'mou_m4'");
    expect_bind_error("x = mean(arpu)\n", "derived indicator 'x'", "arpu");
    expect_bind_error("sms_min3 = min(sms)\n", "'sms_min3'", "already has an indicator of that name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_names),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_site_file),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
