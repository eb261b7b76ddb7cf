/* test_where.c — the where dialect of the condition language (model/expr.h, `churnscore select
 * --where`, issue 16): '=', quoted texts, UTF-8 words, in-lists, tags membership, names of names
 * turned into codes at binding; and every error the brief names located by its column: an unknown
 * name, an unclosed quote, a region that does not exist, a name of names compared with a number, a
 * text compared with a number, an order or a calculation on a name of names. The tag rules' dialect
 * keeps refusing what only the where dialect allows ('=' alone, a Chinese word). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "status.h"

/* Columns: region, phase, tier, x, suspended_arrears, tag vip, tag sensitive: 4 rows. */
enum { C_REGION, C_PHASE, C_TIER, C_X, C_SUSP, C_VIP, C_SENS, C_N };

static const char *const regions[3] = {"北京", "河南", "New York"};
static const char *const phases[3] = {"healthy", "warning", "alarm"};
static const char *const grades[2] = {"gold", "silver"}; /* grades 1 and 2 */

static int w_name(void *arg, const char *name, size_t *slot, int *kind, char *why, size_t cap)
{
    (void)arg;
    static const struct { const char *n; size_t slot; int kind; } t[] = {
        {"region", C_REGION, EXPR_KIND_NAMES}, {"phase", C_PHASE, EXPR_KIND_NAMES},
        {"tier", C_TIER, EXPR_KIND_GRADE},     {"x", C_X, EXPR_KIND_NUMBER},
        {"suspended_arrears", C_SUSP, EXPR_KIND_NUMBER}, {"plan=5G 套餐", C_SUSP, EXPR_KIND_NUMBER}};
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strcmp(name, t[k].n) == 0) {
            *slot = t[k].slot;
            *kind = t[k].kind;
            return 1;
        }
    if (strcmp(name, "area") == 0) snprintf(why, cap, "the snapshot has no areas");
    return 0;
}

static int w_value(void *arg, const char *name, const char *value, double *code, char *why, size_t cap)
{
    (void)arg;
    const char *const *v = NULL;
    size_t n = 0;
    double base = 0;
    if (strcmp(name, "region") == 0) v = regions, n = 3;
    if (strcmp(name, "phase") == 0) v = phases, n = 3;
    if (strcmp(name, "tier") == 0) v = grades, n = 2, base = 1;
    for (size_t k = 0; k < n; k++)
        if (strcmp(v[k], value) == 0) {
            *code = base + (double)k;
            return 1;
        }
    snprintf(why, cap, "there are %zu", n);
    return 0;
}

static int w_tag(void *arg, const char *key, size_t *slot, char *why, size_t cap)
{
    (void)arg;
    (void)why;
    (void)cap;
    if (strcmp(key, "vip") == 0 || strcmp(key, "贵宾") == 0) *slot = C_VIP;
    else if (strcmp(key, "sensitive") == 0) *slot = C_SENS;
    else return 0;
    return 1;
}

static const expr_where_names names = {w_name, w_value, w_tag};

/* rows:                  0     1     2     3 */
static const double v[C_N][4] = {
    /* region */ {1, 0, 1, 2},
    /* phase  */ {2, 2, 1, 0},
    /* tier   */ {1, 2, 0, 1},
    /* x      */ {2.385, -1, NAN, 40},
    /* susp   */ {1, 0, 1, 0},
    /* vip    */ {1, 0, 0, 1},
    /* sens   */ {0, 1, 1, 0},
};

/* The rows (a bit mask) text selects. */
static unsigned rows_of(const char *text)
{
    expr *e = NULL;
    expr_error err;
    if (expr_parse_where(text, strlen(text), &e, &err) != CS_OK) fail_msg("'%s': parse: %s", text, err.message);
    if (expr_bind_where(e, &names, NULL, &err) != CS_OK) fail_msg("'%s': bind: %s", text, err.message);
    const double *cols[C_N];
    for (int k = 0; k < C_N; k++) cols[k] = v[k];
    double out[4];
    expr_eval(e, cols, 4, out);
    expr_free(e);
    unsigned m = 0;
    for (int i = 0; i < 4; i++)
        if (expr_true(out[i])) m |= 1u << i;
    return m;
}

static void test_rows(void **state)
{
    (void)state;
    assert_int_equal(rows_of("phase = alarm and suspended_arrears = 1 and region = 河南"), 0x1);
    assert_int_equal(rows_of("region = '河南'"), 0x5);
    assert_int_equal(rows_of("region == \"New York\""), 0x8);
    assert_int_equal(rows_of("region != 北京"), 0xd);
    assert_int_equal(rows_of("region in (北京, 'New York')"), 0xa);
    assert_int_equal(rows_of("region not in (北京, 'New York')"), 0x5);
    assert_int_equal(rows_of("not region in (北京)"), 0xd);
    assert_int_equal(rows_of("x in (2.385, 40)"), 0x9);
    assert_int_equal(rows_of("tags has vip"), 0x9);
    assert_int_equal(rows_of("tags has '贵宾' and not tags has sensitive"), 0x9);
    assert_int_equal(rows_of("tags has sensitive or phase = healthy"), 0xe);
    assert_int_equal(rows_of("tier = gold"), 0x9);
    assert_int_equal(rows_of("tier <= 2 and tier >= 1"), 0xb);
    assert_int_equal(rows_of("tier = 'silver' or x * 2 > 4.5"), 0xb);
    assert_int_equal(rows_of("x > 0 and (phase = warning or region = 'New York')"), 0x8);
    /* a missing indicator is false in both directions */
    assert_int_equal(rows_of("x != 1"), 0xb);
    assert_int_equal(rows_of("phase=alarm"), 0x3);
    /* a name that is no word, in backquotes (import's column=level); a quoted keyword is a name */
    assert_int_equal(rows_of("`plan=5G 套餐` = 1 and `x` > 0"), 0x1);
}

static void bad(const char *text, size_t col, const char *want)
{
    expr *e = NULL;
    expr_error err;
    int rc = expr_parse_where(text, strlen(text), &e, &err);
    if (rc == CS_OK) {
        rc = expr_bind_where(e, &names, NULL, &err);
        expr_free(e);
    }
    assert_int_equal(rc, CS_EDATA);
    if (err.column != col || !strstr(err.message, want))
        fail_msg("'%s': column %zu '%s'; want column %zu '%s'", text, err.column, err.message, col, want);
}

static void test_errors(void **state)
{
    (void)state;
    /* the four of the issue */
    bad("regoin = 北京", 1, "unknown name 'regoin'");
    bad("phase = alarm and region = '河南", 28, "never closed");
    bad("phase = alarm and region = 湖南", 28, "no region '湖南'");
    bad("region = 3", 10, "compared with a number");
    bad("suspended_arrears = 'yes'", 21, "'yes' is a text, but suspended_arrears holds numbers");
    /* and the rest */
    bad("area = 朝阳区", 1, "the snapshot has no areas");
    bad("phase = alarm and phase = alarme", 27, "no phase 'alarme'");
    bad("region < 北京", 1, "not an order");
    bad("region + 1 > 2", 1, "no number or condition");
    bad("region and x > 1", 1, "no number or condition");
    bad("region = x + 1", 10, "not a calculation");
    bad("'北京' = 3", 1, "'北京' is a text compared with a number");
    bad("x > 1 and 'loose'", 11, "'loose' is a text");
    bad("tags = vip", 1, "tags has KEY");
    bad("tags has gold", 10, "no tag 'gold'");
    bad("tags has", 9, "expected a tag's key");
    bad("region in 北京", 11, "expected '(' after 'in'");
    bad("region in (北京 河南)", 15, "expected ',' or ')'");
    bad("region not 北京", 8, "not in");
    bad("x > 1,", 6, "expected an operator");
    bad("region = 北京 and and", 17, "expected a value");
    bad("region = \xe5\x8c", 10, "invalid UTF-8");
    bad("mean(region) > 1", 6, "family 'region'");
    bad("x > 1 or `plan=5G = 1", 10, "backquote opened here is never closed");
    bad("`` = 1", 1, "an empty name");
    bad("`and` = 1", 1, "unknown name 'and'");
    /* the leftmost error is the one reported */
    bad("zz = 1 and region = 湖南", 1, "unknown name 'zz'");
    bad("region = 湖南 and zz = 1", 10, "no region '湖南'");
}

/* The tag rules' dialect is unchanged: what only a where condition may hold stays an error there. */
static void test_tag_dialect(void **state)
{
    (void)state;
    const char *const only_where[] = {"a = 3", "b == '北京'", "北京 > 1", "a in (1, 2)"};
    for (size_t k = 0; k < 4; k++) {
        expr *e = NULL;
        expr_error err;
        assert_int_equal(expr_parse(only_where[k], strlen(only_where[k]), &e, &err), CS_EDATA);
        assert_null(e);
    }
    expr *e = NULL;
    expr_error err;
    assert_int_equal(expr_parse_where("x > 1", 5, &e, &err), CS_OK);
    assert_int_equal(expr_bind(e, NULL, NULL, &err), CS_EINVAL);
    expr_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_tag_dialect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
