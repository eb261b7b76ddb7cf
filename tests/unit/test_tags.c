/* test_tags.c — the condition language (model/expr.h), the tag rule file (io/tagconf.h) and the
 * value grades (model/tageval.h): precedence, the missing-value rules, the month families, every
 * syntax error located by line and column; the shipped rules parse and bind to a generated month
 * (the optional cost and identity tags skipped, saying what they need); duplicate keys, cycles,
 * unknown indicators and bad grade lines refused with file:line:column; grades numbered from the
 * most valuable, by quintile cut-offs and by thresholds. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "status.h"
#include "synth.h"
#include "tagconf.h"
#include "tageval.h"

/* names a, b, c, x_m1, x_m2, x_m3 are slots 0..5 */
static const char *const cols_names[6] = {"a", "b", "c", "x_m1", "x_m2", "x_m3"};

static int resolve6(void *arg, const char *name, size_t *slot)
{
    (void)arg;
    for (size_t k = 0; k < 6; k++)
        if (strcmp(name, cols_names[k]) == 0) {
            *slot = k;
            return 1;
        }
    return 0;
}

/* The value of text on rows given as 6 columns of 3 rows. */
static void eval3(const char *text, const double v[6][3], double out[3])
{
    expr *e = NULL;
    expr_error err;
    if (expr_parse(text, strlen(text), &e, &err) != CS_OK) fail_msg("'%s': %s", text, err.message);
    assert_int_equal(expr_bind(e, resolve6, NULL, &err), CS_OK);
    const double *cols[6];
    for (int k = 0; k < 6; k++) cols[k] = v[k];
    expr_eval(e, cols, 3, out);
    expr_free(e);
}

static void test_eval(void **state)
{
    (void)state;
    /* rows: (a, b, c, x_m1, x_m2, x_m3) */
    const double v[6][3] = {{2.5, -1.25, NAN}, {4, 0, 3}, {0, 1, 1}, {10, NAN, 4}, {20, NAN, 4}, {45, 7, NAN}};
    double o[3];
    eval3("a + b * 2 - -c", v, o); /* * before +, unary minus */
    assert_close(o[0], 10.5, 0);
    assert_close(o[1], -1.25 + 0 + 1, 0);
    assert_true(isnan(o[2]));
    eval3("(a + b) * 2", v, o);
    assert_close(o[0], 13, 0);
    eval3("a < b and not c or b == 0", v, o); /* ((a < b) and (not c)) or (b == 0) */
    assert_close(o[0], 1, 0);
    assert_close(o[1], 1, 0);
    assert_close(o[2], 0, 0); /* NaN < 3 is false, 3 == 0 false */
    eval3("a != 1", v, o);    /* a comparison with a missing value is false, != included */
    assert_close(o[0], 1, 0);
    assert_close(o[2], 0, 0);
    eval3("not (a > 100)", v, o); /* but not of a false comparison is true */
    assert_close(o[2], 1, 0);
    eval3("mean(x)", v, o); /* present months only */
    assert_close(o[0], 25, 0);
    assert_close(o[1], 7, 0);
    assert_close(o[2], 4, 0);
    eval3("min(x) + 1000 * max(x)", v, o);
    assert_close(o[0], 10 + 45000, 0);
    assert_close(o[1], 7 + 7000, 0);
    eval3("change(x)", v, o); /* (m3 - mean(m1, m2)) / mean(m1, m2) */
    assert_close(o[0], (45 - 15) / 15.0, 1e-15);
    assert_true(isnan(o[1]) && isnan(o[2]));
    eval3("a / c", v, o); /* IEEE: 2.5 / 0 is +inf, true */
    assert_true(isinf(o[0]) && o[0] > 0);
    eval3("1.5e1 >= 15 and .5 == 0.5", v, o);
    assert_close(o[0], 1, 0);
    assert_true(expr_true(-0.5) && !expr_true(0) && !expr_true(NAN));
}

static void syntax(const char *text, size_t line, size_t col, const char *want)
{
    expr *e = NULL;
    expr_error err;
    assert_int_equal(expr_parse(text, strlen(text), &e, &err), CS_EDATA);
    assert_null(e);
    if (err.line != line || err.column != col || !strstr(err.message, want))
        fail_msg("'%s': %zu:%zu %s; want %zu:%zu %s", text, err.line, err.column, err.message, line, col, want);
}

static void test_syntax(void **state)
{
    (void)state;
    syntax("", 1, 1, "empty");
    syntax("a >", 1, 4, "expected a value");
    syntax("a > > 3", 1, 5, "expected a value");
    syntax("(a > 3", 1, 7, "expected ')'");
    syntax("a > 3)", 1, 6, "without its '('");
    syntax("a = 3", 1, 3, "'=' alone");
    syntax("a < b < c", 1, 7, "do not chain");
    syntax("foo(x)", 1, 1, "unknown function");
    syntax("mean(3)", 1, 6, "family");
    syntax("a 3", 1, 3, "expected an operator");
    syntax("a and or b", 1, 7, "expected a value");
    syntax("3x", 1, 2, "a number followed");
    syntax("a > 3 $", 1, 7, "unexpected character");
    syntax("价 > 3", 1, 1, "unexpected character");
    syntax("a >\n +", 2, 2, "expected a value");
    char deep[200];
    memset(deep, '(', 100);
    strcpy(deep + 100, "a");
    syntax(deep, 1, 65, "nested");
    /* an unknown name is the binder's error, with its place */
    expr *e = NULL;
    expr_error err;
    assert_int_equal(expr_parse("a > 1 or zz", 11, &e, &err), CS_OK);
    assert_int_equal(expr_bind(e, resolve6, NULL, &err), CS_EDATA);
    assert_int_equal(err.column, 10);
    assert_non_null(strstr(err.message, "unknown indicator 'zz'"));
    expr_free(e);
    assert_int_equal(expr_parse("mean(y) > 1", 11, &e, &err), CS_OK);
    assert_int_equal(expr_bind(e, resolve6, NULL, &err), CS_EDATA);
    assert_non_null(strstr(err.message, "family 'y'"));
    expr_free(e);
}

static tagconf *parse_ok(const char *text)
{
    tagconf *tc = NULL;
    if (tagconf_parse(text, strlen(text), "t.conf", &tc) != CS_OK) fail_msg("%s", status_message());
    return tc;
}

static void refused(const char *text, const char *want_where, const char *want)
{
    tagconf *tc = NULL;
    assert_int_equal(tagconf_parse(text, strlen(text), "t.conf", &tc), CS_EDATA);
    assert_null(tc);
    assert_message_has(want_where, want);
}

#define TAG(k, cond) "tag " k "\n zh 甲\n en A\n when " cond "\n channel sms\n say.zh 说\n say.en say\n"

static void test_conf_refusals(void **state)
{
    (void)state;
    refused(TAG("a", "x >"), "t.conf:4:10:", "expected a value");
    refused(TAG("a", "x > 1") TAG("a", "y > 1"), "t.conf:8:5:", "duplicate tag key 'a'");
    refused(TAG("a", "b and x > 1") TAG("b", "c") TAG("c", "x > 2 or a"), "t.conf:18:16:", "a -> b -> c -> a");
    refused(TAG("a", "a"), "t.conf:4:7:", "a -> a");
    refused("tag a\n zh 甲\n", "t.conf:1:1:", "has no 'en'");
    refused(" when x > 1\n", "t.conf:1:2:", "outside a tag");
    refused("tagg a\n", "t.conf:1:1:", "unknown line kind");
    refused("tag A\n", "t.conf:1:5:", "a tag key");
    refused(TAG("a", "x > 1") " channel fax\n", "t.conf:8:2:", "a second 'channel'");
    refused("tag a\n channel fax\n", "t.conf:2:10:", "unknown channel");
    refused(TAG("a", "x > 1") "lift zz\n", "t.conf:8:6:", "lift names no tag 'zz'");
    refused("grade 1 钻石 diamond 100\ngrade 2 金 gold\n", "t.conf:2:", "thresholds on some grades only");
    refused("grade 1 钻石 diamond\n", "t.conf:", "name all 5");
    refused("grade 6 钻石 diamond\n", "t.conf:1:7:", "grade number");
    refused("grade 1 a b 10\ngrade 2 c d 20\ngrade 3 e f 5\ngrade 4 g h 1\ngrade 5 i j\n", "t.conf:2:1:",
            "above that of grade 1");
}

static void test_bind(void **state)
{
    (void)state;
    const char *text = TAG("hi", "x >= 2") TAG("both", "hi and mean(arpu) > 10")
        TAG("opt", "cost_m3 > 1 and hi") " optional\n needs a cost column\n" TAG("dep", "opt or x < 0") " optional\n"
        "lift both\ncost cost\n";
    tagconf *tc = parse_ok(text);
    const char *names[] = {"arpu_m1", "arpu_m2", "arpu_m3", "x"};
    tageval *tv = NULL;
    assert_int_equal(tagconf_bind(tc, names, 4, 4, &tv), CS_OK);
    assert_int_equal(tv->n_tags, 2);
    assert_int_equal(tagconf_n_active(tc), 2);
    assert_false(tc->tag[2].active);
    assert_non_null(strstr(tc->tag[2].note, "t.conf:18:7: tag opt skipped: unknown indicator 'cost_m3'"));
    assert_non_null(strstr(tc->tag[2].note, "(it needs a cost column)"));
    assert_non_null(strstr(tc->tag[3].note, "names tag 'opt', which is skipped"));
    assert_false(tc->has_cost);
    assert_int_equal(tc->lift_bits, 2);
    const float x[4][4] = {{10, 12, 14, 2}, {1, 1, 1, 3}, {NAN, NAN, 30, 1}, {20, 20, 20, NAN}};
    uint64_t bits[4];
    tageval_block(tv, &x[0][0], 4, 4, bits);
    assert_int_equal(bits[0], 3);
    assert_int_equal(bits[1], 1);
    assert_int_equal(bits[2], 0);
    assert_int_equal(bits[3], 0);
    char buf[64];
    tagconf_labels(tc, 3, LANG_ZH, ";", buf, sizeof buf);
    assert_string_equal(buf, "甲;甲");
    tageval_free(tv);
    /* not optional: refused at the name's place */
    const char *text2 = TAG("hi", "x >= 2 and zz") "";
    tagconf *tc2 = parse_ok(text2);
    assert_int_equal(tagconf_bind(tc2, names, 4, 4, &tv), CS_EDATA);
    assert_message_has("t.conf:4:18: tag hi: unknown indicator 'zz'", "optional");
    tagconf_free(tc2);
    /* a cost family */
    const char *names3[] = {"arpu_m1", "arpu_m2", "arpu_m3", "x", "cost_m1", "cost_m2", "cost_m3"};
    assert_int_equal(tagconf_bind(tc, names3, 7, 4, &tv), CS_OK);
    assert_true(tc->has_cost && tc->cost_family);
    assert_int_equal(tv->n_tags, 4);
    const float r[7] = {1, 2, 3, 4, 5, NAN, 8};
    assert_close(tagconf_cost(tc, r), 6.5, 0);
    tageval_free(tv);
    tagconf_free(tc);
}

static void test_builtin_and_grades(void **state)
{
    (void)state;
    tagconf *tc = NULL;
    assert_int_equal(tagconf_builtin(&tc), CS_OK);
    assert_true(tc->n >= 9);
    assert_string_equal(tagconf_grade_name(tc, 1, LANG_ZH), "钻石");
    assert_string_equal(tagconf_grade_name(tc, 5, LANG_EN), "basic");
    assert_int_equal(tagconf_grade_of(tc, "金"), 2);
    assert_int_equal(tagconf_grade_of(tc, "silver"), 3);
    assert_int_equal(tagconf_grade_of(tc, "4"), 4);
    assert_int_equal(tagconf_grade_of(tc, "platinum"), -1);
    /* the generator's indicators: every tag but the cost and identity ones binds */
    synth_params sp;
    synth_params_default(&sp);
    size_t p = synth_n_features(&sp);
    const char **names = malloc(p * sizeof *names);
    for (size_t c = 0; c < p; c++) names[c] = synth_feature_name(&sp, c);
    tageval *tv = NULL;
    assert_int_equal(tagconf_bind(tc, names, p, 16, &tv), CS_OK);
    assert_int_equal(tv->n_tags, tc->n - 2);
    for (size_t t = 0; t < tc->n; t++)
        if (!tc->tag[t].active) assert_non_null(strstr(tc->tag[t].note, "(it needs a "));
    tageval_free(tv);
    free(names);
    tagconf_free(tc);
    /* quintiles: grade 1 the top fifth; ties go down as the tiers did */
    const double cut[4] = {10, 20, 30, 40};
    assert_int_equal(tageval_grade(cut, 0, 45), 1);
    assert_int_equal(tageval_grade(cut, 0, 40), 2);
    assert_int_equal(tageval_grade(cut, 0, 10), 5);
    assert_int_equal(tageval_grade(cut, 0, NAN), 0);
    const double thr[4] = {400, 300, 200, 100};
    assert_int_equal(tageval_grade(thr, 1, 400), 1);
    assert_int_equal(tageval_grade(thr, 1, 399.5), 2);
    assert_int_equal(tageval_grade(thr, 1, -5), 5);
    assert_close(tageval_contribution(50, 1, 60), -10, 0);
    assert_close(tageval_contribution(50, 0, NAN), 50, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_conf_refusals),
        cmocka_unit_test(test_bind),
        cmocka_unit_test(test_builtin_and_grades),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
