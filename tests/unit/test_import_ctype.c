/* test_import_ctype.c — unit tests of the churn-type column of an import (io/import_rows.c,
 * --churn-type with --voluntary, --involuntary, --stayed): the type of each leaver, the labels it gives
 * or must agree with, the report, and every refusal (a value of no list, a disagreement with the
 * label, the options). The passes are driven as in test_import.c (import_kit.h). */
#include "import_kit.h"

/* ---------------------------------------------------------------------------------------------- */
/* Churn types                                                                                    */

static const char *const ct_vol[] = {"port_out", "cancel"}, *const ct_inv[] = {"arrears"},
                         *const ct_st[] = {"none"};

static imp_options ct_opts(const char *label)
{
    imp_options o = opts();
    o.id = "id";
    o.label = label;
    o.positive = label ? "yes" : NULL;
    o.churn_type = "how";
    o.voluntary = ct_vol;
    o.n_voluntary = 2;
    o.involuntary = ct_inv;
    o.n_involuntary = 1;
    o.stayed = ct_st;
    o.n_stayed = 1;
    return o;
}

static void test_churn_type(void **state)
{
    (void)state;
    /* with --label: the type of each leaver, a missing label filled from the type, a --stayed value
     * and an empty field meaning no type; the column is no indicator */
    const char *text = "id,left,how,x\n1,yes,port_out,1.5\n2,no,,2\n3,yes,arrears,3\n4,,cancel,4\n"
                       "5,no,none,5\n6,,,6\n";
    imp_options o = ct_opts("left");
    imp_schema *s = NULL;
    int rc = import_text(text, &o, NULL, 0, NULL, &s);
    if (rc != CS_OK) print_error("%s\n", status_message());
    assert_int_equal(rc, CS_OK);
    assert_int_equal(col_named(s, "how")->kind, IMP_CHURN_TYPE);
    assert_int_equal(s->p, 1);
    assert_int_equal(s->n_voluntary, 2);
    assert_int_equal(s->n_involuntary, 1);
    assert_true(imp_schema_has_labels(s) && imp_schema_has_churn_type(s));
    rows_t rw;
    encode_text(text, s, &rw);
    assert_int_equal(rw.n, 6);
    const int8_t lab[6] = {1, 0, 1, 1, 0, -1}, ct[6] = {1, 0, 2, 1, 0, 0};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(rw.label[i], lab[i]);
        assert_int_equal(rw.ctype[i], ct[i]);
    }
    char *rep = report_of(s);
    assert_non_null(strstr(rep, "churn type 'how': 2 voluntary, 1 involuntary leavers"));
    free(rep);
    imp_schema_free(s);

    /* without --label the churn type is the label: a type is churned, none stayed */
    const char *text2 = "id,how,x\n1,port_out,1\n2,,2\n3,arrears,3\n4,none,4\n";
    o = ct_opts(NULL);
    assert_int_equal(import_text(text2, &o, NULL, 0, NULL, &s), CS_OK);
    assert_true(imp_schema_has_labels(s));
    encode_text(text2, s, &rw);
    assert_int_equal(rw.n, 4);
    const int8_t lab2[4] = {1, 0, 1, 0}, ct2[4] = {1, 0, 2, 0};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(rw.label[i], lab2[i]);
        assert_int_equal(rw.ctype[i], ct2[i]);
    }
    rep = report_of(s);
    assert_non_null(strstr(rep, "label: from the churn type"));
    free(rep);
    imp_schema_free(s);
}

static void test_churn_type_errors(void **state)
{
    (void)state;
    imp_schema *s = NULL;
    uint64_t bad = 0;
    /* a value of no list: the line, the column and what the values are */
    imp_options o = ct_opts("left");
    const char *unknown = "id,left,how\n1,yes,port_out\n2,yes,moved\n";
    assert_int_equal(import_text(unknown, &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("t.csv, line 3, column 3 (how): 'moved' is not a churn type (voluntary: port_out, "
                       "cancel; involuntary: arrears; stayed: none; or empty for none)", NULL);
    imp_schema_free(s);
    /* skipped like any bad row with --on-bad-row skip: both passes skip the same */
    assert_int_equal(import_text(unknown, &o, NULL, 1, &bad, &s), CS_OK);
    assert_int_equal(bad, 1);
    assert_int_equal(s->rows, 1);
    imp_schema_free(s);
    /* disagreeing with the label, either way */
    assert_int_equal(import_text("id,left,how\n1,yes,\n", &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("line 2, column 3 (how): says no churn type, but the label (column 2, left) says "
                       "the subscriber left", NULL);
    imp_schema_free(s);
    assert_int_equal(import_text("id,left,how\n1,no,arrears\n", &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("line 2, column 3 (how): 'arrears' is a churn type (involuntary), but the label "
                       "(column 2, left) says the subscriber stayed", NULL);
    imp_schema_free(s);
    /* the options: both lists needed, no value twice, no list without the column, the column there */
    const char *text = "id,left,how\n1,yes,port_out\n";
    o = ct_opts("left");
    o.n_involuntary = 0;
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_message_has("option --churn-type needs --voluntary and --involuntary", NULL);
    o = ct_opts("left");
    o.stayed = ct_inv;
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_message_has("value 'arrears' is given twice (--involuntary and --stayed)", NULL);
    o = ct_opts("left");
    o.churn_type = NULL;
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_message_has("need --churn-type", NULL);
    o = ct_opts("left");
    o.churn_type = "reason";
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_message_has("option --churn-type: no column 'reason'", NULL);
    o = ct_opts("left");
    o.churn_type = "left";
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_message_has("column 'left' is given two roles", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_churn_type),
        cmocka_unit_test(test_churn_type_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
