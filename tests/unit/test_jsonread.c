/* test_jsonread.c — the JSON reader the month report uses (jsonread.h): a document as json.c writes
 * it reads back with every value (numbers at full precision, escapes, UTF-8, nesting), the accessors
 * never fail on a missing key or a wrong type, and every malformed text is refused with its line. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonread.h"
#include "status.h"

static jv *parse_ok(const char *text)
{
    jv *v = NULL;
    assert_int_equal(jv_parse(text, strlen(text), "t.json", &v), CS_OK);
    assert_non_null(v);
    return v;
}

static void test_round_trip(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    json_writer w;
    json_init(&w, f, 1);
    json_obj_begin(&w, NULL);
    json_str(&w, "kind", "lists");
    json_str(&w, "region", "\xe5\x8c\x97\xe4\xba\xac \"q\" \\ \n\t\x01");
    json_num(&w, "auc", 0.7890652866254183);
    json_num(&w, "nan", NAN);
    json_int(&w, "listed", -1173);
    json_bool(&w, "ok", 1);
    json_arr_begin(&w, "regions");
    for (int i = 0; i < 3; i++) {
        json_obj_begin(&w, NULL);
        json_num(&w, "v", 2.385 * i);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_obj_end(&w);
    fclose(f);
    jv *v = parse_ok(buf);
    assert_string_equal(jv_str(jv_get(v, "kind")), "lists");
    assert_string_equal(jv_str(jv_get(v, "region")), "\xe5\x8c\x97\xe4\xba\xac \"q\" \\ \n\t\x01");
    assert_true(jv_num(jv_get(v, "auc")) == 0.7890652866254183); /* the same bits */
    assert_true(isnan(jv_num(jv_get(v, "nan"))));                /* null reads as NaN */
    assert_close(jv_num(jv_get(v, "listed")), -1173, 0);
    assert_true(jv_true(jv_get(v, "ok")));
    assert_int_equal(jv_len(jv_get(v, "regions")), 3);
    assert_close(jv_num(jv_get(jv_at(jv_get(v, "regions"), 2), "v")), 2.385 * 2, 0);
    /* nothing fails on what is not there */
    assert_null(jv_get(v, "missing"));
    assert_null(jv_at(jv_get(v, "regions"), 3));
    assert_null(jv_at(v, 0));
    assert_null(jv_str(jv_get(v, "auc")));
    assert_true(isnan(jv_num(NULL)));
    assert_int_equal(jv_len(jv_get(v, "kind")), 0);
    assert_false(jv_true(jv_get(v, "kind")));
    jv_free(v);
    free(buf);
}

static void test_escapes(void **state)
{
    (void)state;
    jv *v = parse_ok(" [\"\\u5317\\u4eac\", \"\\ud83d\\ude00\", \"a\\/b\\b\\f\\r\", 1e3, -0.5E-2, true, false, null, {}, []] ");
    assert_int_equal(jv_len(v), 10);
    assert_string_equal(jv_str(jv_at(v, 0)), "\xe5\x8c\x97\xe4\xba\xac");
    assert_string_equal(jv_str(jv_at(v, 1)), "\xf0\x9f\x98\x80");
    assert_string_equal(jv_str(jv_at(v, 2)), "a/b\b\f\r");
    assert_close(jv_num(jv_at(v, 3)), 1000, 0);
    assert_close(jv_num(jv_at(v, 4)), -0.005, 1e-15);
    assert_int_equal(jv_at(v, 7)->type, JV_NULL);
    assert_int_equal(jv_at(v, 8)->type, JV_OBJ);
    assert_int_equal(jv_len(jv_at(v, 9)), 0);
    jv_free(v);
    jv_free(NULL);
}

static void test_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text, *what;
    } bad[] = {
        {"", "the text ended"},
        {"{\"a\": 1", "',' or '}' expected"},
        {"{\"a\" 1}", "':' expected"},
        {"{a: 1}", "key must be a string"},
        {"[1, 2", "',' or ']' expected"},
        {"[1,]", "a value expected"},
        {"\"abc", "not closed"},
        {"\"a\x01\"", "control character"},
        {"\"\\x\"", "unknown escape"},
        {"\"\\u12\"", "four hex digits"},
        {"\"\\ud800\"", "lone surrogate"},
        {"\"\\udc00\"", "lone surrogate"},
        {"01", "text after the value"},
        {"1.", "digits expected after '.'"},
        {"1e", "digits expected in an exponent"},
        {"tru", "a value expected"},
        {"{} {}", "text after the value"},
        {"\n\n[nul]", "line 3"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        jv *v = (jv *)1;
        assert_int_equal(jv_parse(bad[i].text, strlen(bad[i].text), "t.json", &v), CS_EFORMAT);
        assert_null(v);
        assert_message_has("t.json: line ", bad[i].what);
    }
    /* nesting deeper than JV_MAX_DEPTH */
    char deep[2 * JV_MAX_DEPTH + 8];
    memset(deep, '[', JV_MAX_DEPTH + 1);
    memset(deep + JV_MAX_DEPTH + 1, ']', JV_MAX_DEPTH + 1);
    deep[2 * JV_MAX_DEPTH + 2] = '\0';
    jv *v = NULL;
    assert_int_equal(jv_parse(deep, strlen(deep), "t.json", &v), CS_EFORMAT);
    assert_message_has("nested too deeply", NULL);
    /* files */
    assert_int_equal(jv_read_file("/nonexistent/x.json", &v), CS_EIO);
    assert_message_has("/nonexistent/x.json: cannot open", NULL);
    char *dir = testutil_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/m.json", dir);
    FILE *f = fopen(path, "w");
    fputs("{\"kind\": \"month\", \"month\": \"2026-11\"}\n", f);
    fclose(f);
    assert_int_equal(jv_read_file(path, &v), CS_OK);
    assert_string_equal(jv_str(jv_get(v, "month")), "2026-11");
    jv_free(v);
    remove(path);
    remove(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
