/* test_import.c — unit tests for io/import_*.c, the CSV-to-snapshot schema: roles of the columns, type
 * detection (numbers, text, numbers then text, --categorical, missing values), levels in byte order
 * and their indicators, region and brand names, labels, ids, the encoding of records, --like (with
 * and without the earlier snapshot's /import description: unseen levels, missing and extra columns,
 * new regions) and every error the schema raises. The CSV passes are driven here as cmd_import.c
 * drives them, over in-memory text (import_kit.h, shared with test_import_ctype.c, which tests the
 * churn-type column). The HDF5 side (imp_meta_write, imp_ref_read) is exercised by
 * tests/mpi/test_import.sh. */
#include "testutil.h"

#include "csv.h"
#include "import.h"
#include "import_int.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_kit.h"

/* ---------------------------------------------------------------------------------------------- */
/* Types and levels                                                                               */

static void test_types_and_levels(void **state)
{
    (void)state;
    const char *text = "msisdn,state,minutes,plan,code,flag,churn\n"
                       "1001,KS,265.1,basic,415,,yes\n"
                       "1002,\"OH\",161.6,\"gold, plus\",408,NA,no\n"
                       "1003,北京,NA,basic,510,\"NA\",\n"
                       "1004,KS,-2.385e1,Basic,415,\"\",no\n";
    imp_options o = opts();
    const char *cat[] = {"code"};
    o.label = "churn";
    o.positive = "yes";
    o.id = "msisdn";
    o.region = "state";
    o.categorical = cat;
    o.n_categorical = 1;
    imp_schema *s = NULL;
    int rc = import_text(text, &o, NULL, 0, NULL, &s);
    if (rc != CS_OK) print_error("%s\n", status_message());
    assert_int_equal(rc, CS_OK);
    assert_int_equal(s->rows, 4);
    assert_int_equal(col_named(s, "msisdn")->kind, IMP_ID);
    assert_int_equal(col_named(s, "state")->kind, IMP_REGION);
    assert_int_equal(col_named(s, "minutes")->kind, IMP_NUMERIC);
    assert_int_equal(col_named(s, "minutes")->missing, 1);
    assert_int_equal(col_named(s, "plan")->kind, IMP_CATEGORY);
    assert_int_equal(col_named(s, "code")->kind, IMP_CATEGORY); /* numbers, but --categorical */
    /* flag: empty and NA are missing, a quoted "NA" is the text NA: a category of one level */
    assert_int_equal(col_named(s, "flag")->kind, IMP_CATEGORY);
    assert_int_equal(col_named(s, "flag")->missing, 3);
    assert_int_equal(col_named(s, "flag")->n_levels, 1);
    assert_int_equal(col_named(s, "churn")->kind, IMP_LABEL);

    /* levels in byte order: "Basic" < "basic" < "gold, plus"; the first has no indicator */
    assert_int_equal(s->p, 1 + 2 + 2);
    assert_string_equal(s->feature_names[0], "minutes");
    assert_string_equal(s->feature_names[1], "plan=basic");
    assert_string_equal(s->feature_names[2], "plan=gold, plus");
    assert_string_equal(s->feature_names[3], "code=415");
    assert_string_equal(s->feature_names[4], "code=510");
    assert_int_equal(s->n_regions, 3);
    assert_string_equal(s->region_names[0], "KS");
    assert_string_equal(s->region_names[1], "OH");
    assert_string_equal(s->region_names[2], "北京");
    assert_int_equal(s->n_brands, 1);
    assert_string_equal(s->brand_names[0], "all");
    assert_int_equal(s->n_pos, 1);
    assert_int_equal(s->n_neg, 2);
    assert_int_equal(s->n_unlabelled, 1);

    rows_t rw;
    encode_text(text, s, &rw);
    assert_int_equal(rw.n, 4);
    const uint64_t ids[4] = {1001, 1002, 1003, 1004};
    const uint16_t reg[4] = {0, 1, 2, 0};
    const int8_t lab[4] = {1, 0, -1, 0};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(rw.id[i], ids[i]);
        assert_int_equal(rw.region[i], reg[i]);
        assert_int_equal(rw.brand[i], 0);
        assert_int_equal(rw.label[i], lab[i]);
    }
    const float *x = rw.x;
    assert_close(x[0], 265.1f, 0);
    assert_true(isnan(x[2 * 5 + 0]));
    assert_close(x[3 * 5 + 0], -23.85f, 0);
    /* plan: basic, gold plus, basic, Basic (the first level: all zero) */
    const float plan[4][2] = {{1, 0}, {0, 1}, {1, 0}, {0, 0}};
    const float code[4][2] = {{1, 0}, {0, 0}, {0, 1}, {1, 0}};
    for (size_t i = 0; i < 4; i++) {
        assert_close(x[i * 5 + 1], plan[i][0], 0);
        assert_close(x[i * 5 + 2], plan[i][1], 0);
        assert_close(x[i * 5 + 3], code[i][0], 0);
        assert_close(x[i * 5 + 4], code[i][1], 0);
    }
    char *rep = report_of(s);
    assert_non_null(strstr(rep, "4 rows"));
    assert_non_null(strstr(rep, "notice: column 'flag' has one level"));
    assert_non_null(strstr(rep, "Basic | basic | gold, plus"));
    free(rep);
    imp_schema_free(s);
    imp_schema_free(NULL);
}

static void test_numbers_then_text(void **state)
{
    (void)state;
    /* a column of numbers that holds text further down: a category whose levels include the numbers
     * seen before the text (the rescan pass); a missing categorical value leaves its indicators NaN */
    const char *text = "a,b\n2.5,1\n10,2\n2.5,x\nunknown,\n";
    imp_options o = opts();
    imp_schema *s = NULL;
    csv_reader *r = open_text(text);
    assert_int_equal(imp_schema_alloc(csv_header(r), &o, NULL, &s), CS_OK);
    csv_record rec;
    while (csv_next(r, &rec) == CS_OK) assert_int_equal(imp_schema_observe(s, &rec), CS_OK);
    csv_reader_free(r);
    assert_true(imp_schema_needs_rescan(s));
    imp_schema_free(s);

    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_OK);
    const imp_column *a = col_named(s, "a"), *b = col_named(s, "b");
    assert_int_equal(a->kind, IMP_CATEGORY);
    assert_int_equal(a->n_levels, 3); /* 10 < 2.5 < unknown in byte order */
    assert_int_equal(b->kind, IMP_CATEGORY);
    assert_int_equal(b->text_line, 4);
    assert_int_equal(b->missing, 1);
    assert_int_equal(s->p, 2 + 2);
    assert_string_equal(s->feature_names[0], "a=2.5");
    assert_string_equal(s->feature_names[1], "a=unknown");
    assert_string_equal(s->feature_names[2], "b=2");
    assert_string_equal(s->feature_names[3], "b=x");
    rows_t rw;
    encode_text(text, s, &rw);
    assert_int_equal(rw.n, 4);
    assert_int_equal(rw.id[0], 1); /* no --id: the data row numbers */
    assert_int_equal(rw.id[3], 4);
    assert_int_equal(rw.label[0], -7); /* no label column: untouched */
    const float *x = rw.x;
    assert_close(x[4 * 0 + 0], 1, 0);
    assert_close(x[4 * 1 + 0], 0, 0);
    assert_close(x[4 * 1 + 1], 0, 0);
    assert_close(x[4 * 3 + 1], 1, 0);
    assert_true(isnan(x[4 * 3 + 2]) && isnan(x[4 * 3 + 3]));
    char *rep = report_of(s);
    assert_non_null(strstr(rep, "holds numbers and text (first text at line 4: 'x')"));
    assert_non_null(strstr(rep, "label: none"));
    free(rep);
    imp_schema_free(s);
}

static void test_brand_and_empty_names(void **state)
{
    (void)state;
    /* an unnamed first column (R's row names) becomes column_1; brands in byte order; a column of
     * missing values only is numeric (all NaN); ignored columns are left out */
    const char *text = ",brand,v,junk,e\n1,神州行,1,zz,\n2,全球通,2,yy,NA\n";
    imp_options o = opts();
    const char *ign[] = {"junk"};
    o.brand = "brand";
    o.ignore = ign;
    o.n_ignore = 1;
    imp_schema *s = NULL;
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_OK);
    assert_string_equal(s->cols[0].name, "column_1");
    assert_int_equal(col_named(s, "junk")->kind, IMP_IGNORE);
    assert_int_equal(col_named(s, "e")->kind, IMP_NUMERIC);
    assert_int_equal(s->n_brands, 2);
    assert_string_equal(s->brand_names[0], "全球通");
    assert_string_equal(s->brand_names[1], "神州行");
    assert_int_equal(s->n_regions, 1);
    assert_string_equal(s->region_names[0], "all");
    rows_t rw;
    encode_text(text, s, &rw);
    assert_int_equal(rw.brand[0], 1);
    assert_int_equal(rw.brand[1], 0);
    assert_true(isnan(rw.x[feat(s, "e")]));
    imp_schema_free(s);
}

/* ---------------------------------------------------------------------------------------------- */
/* Bad rows and errors                                                                            */

static void test_bad_rows(void **state)
{
    (void)state;
    /* a bad id, a missing region and a ragged row: errors naming line and column, or skipped and
     * counted; the skipped rows are skipped again in pass 2 */
    const char *text = "id,region,x\n"
                       "1,a,1.5\n"
                       "x7,a,2\n"
                       "3,,2\n"
                       "4,b\n"
                       "5,\"b\",3\n";
    imp_options o = opts();
    o.id = "id";
    o.region = "region";
    imp_schema *s = NULL;
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("t.csv, line 3, column 1 (id): 'x7' is not a subscriber id", NULL);
    imp_schema_free(s);
    uint64_t bad = 0;
    assert_int_equal(import_text(text, &o, NULL, 1, &bad, &s), CS_OK);
    assert_int_equal(bad, 3);
    assert_int_equal(s->rows, 2);
    rows_t rw;
    encode_text(text, s, &rw);
    assert_int_equal(rw.n, 2);
    assert_int_equal(rw.id[1], 5);
    assert_int_equal(rw.region[1], 1);
    imp_schema_free(s);

    const char *t2 = "id,region,x\n1,,1\n";
    assert_int_equal(import_text(t2, &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("line 2, column 2 (region): the region is missing", NULL);
    imp_schema_free(s);
    const char *t3 = "id,region,x\n,a,1\n";
    assert_int_equal(import_text(t3, &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("line 2, column 1 (id): the id is missing", NULL);
    imp_schema_free(s);
    const char *t4 = "id,region,x\n18446744073709551616,a,1\n";
    assert_int_equal(import_text(t4, &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("'18446744073709551616' is not a subscriber id", NULL);
    imp_schema_free(s);
    const char *t5 = "id,region,x\n18446744073709551615,a,1\n";
    assert_int_equal(import_text(t5, &o, NULL, 0, NULL, &s), CS_OK);
    encode_text(t5, s, &rw);
    assert_int_equal(rw.id[0], UINT64_MAX);
    imp_schema_free(s);
    o.brand = "x";
    const char *t6 = "id,region,x\n1,a,NA\n";
    assert_int_equal(import_text(t6, &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("line 2, column 3 (x): the brand is missing", NULL);
    imp_schema_free(s);
}

static void test_option_errors(void **state)
{
    (void)state;
    imp_schema *s = NULL;
    const char *text = "a,b,c\n1,2,3\n";
    imp_options o = opts();
    o.label = "nope";
    o.positive = "1";
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_null(s);
    assert_message_has("option --label: no column 'nope' in the header", NULL);
    o = opts();
    o.label = "a";
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_message_has("--label needs --positive", NULL);
    o = opts();
    o.id = "a";
    o.region = "a";
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_message_has("column 'a' is given two roles (id and --region)", NULL);
    o = opts();
    assert_int_equal(import_text("a,b,a\n1,2,3\n", &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("t.csv, line 1: column name 'a' appears twice (columns 1 and 3)", NULL);
    const char *cat[] = {"zz"};
    o.categorical = cat;
    o.n_categorical = 1;
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EINVAL);
    assert_message_has("option --categorical: no column 'zz'", NULL);
}

static void test_finish_errors(void **state)
{
    (void)state;
    imp_schema *s = NULL;
    imp_options o = opts();
    /* header only */
    assert_int_equal(import_text("a,b\n", &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("t.csv: no data rows", NULL);
    imp_schema_free(s);
    /* too many levels: stopped in pass 1, the message suggests --id / --ignore */
    o.max_levels = 3;
    assert_int_equal(import_text("name,v\nann,1\nbob,2\ncy,3\ndee,4\n", &o, NULL, 0, NULL, &s),
                     CS_EFORMAT);
    assert_message_has("column 'name' holds text (first at line 2: 'ann') and more than 3 distinct",
                       "--ignore");
    imp_schema_free(s);
    /* ... also when the text comes after numbers and the rescan finds the overflow */
    assert_int_equal(import_text("v\n1\n2\n3\nx\n", &o, NULL, 0, NULL, &s), CS_EFORMAT);
    assert_message_has("column 'v' holds text (first at line 5: 'x')", "fix line 5");
    imp_schema_free(s);
    const char *cat[] = {"v"};
    o.categorical = cat;
    o.n_categorical = 1;
    assert_int_equal(import_text("v\n1\n2\n3\n4\n", &o, NULL, 0, NULL, &s), CS_EFORMAT);
    assert_message_has("column 'v' (--categorical) has more than 3 distinct values", NULL);
    imp_schema_free(s);
    o = opts();
    /* beyond float32 */
    assert_int_equal(import_text("v\n1\n2.385e39\n", &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("t.csv, line 3, column 1 (v): '2.385e39' is beyond the float32 range", NULL);
    imp_schema_free(s);
    /* a numeric column named like a level of a category */
    assert_int_equal(import_text("a,a=c\nb,1\nc,2\n", &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("two indicators would be named 'a=c'", NULL);
    imp_schema_free(s);
    /* a NUL byte cannot be part of a name in the snapshot */
    static const char nul[] = "a\nx\ny\0z\n";
    csv_reader *r = NULL;
    assert_int_equal(csv_reader_open_mem(nul, sizeof nul - 1, "t.csv", NULL, &r), CS_OK);
    assert_int_equal(imp_schema_alloc(csv_header(r), &o, NULL, &s), CS_OK);
    csv_record rec;
    while (csv_next(r, &rec) == CS_OK) assert_int_equal(imp_schema_observe(s, &rec), CS_OK);
    csv_reader_free(r);
    assert_int_equal(imp_schema_finish(s), CS_EDATA);
    assert_message_has("column 'a': a value holds a NUL byte", NULL);
    imp_schema_free(s);
    /* whole numbers float32 cannot hold: a notice */
    assert_int_equal(import_text("msisdn\n13800138001\n13800138002\n", &o, NULL, 0, NULL, &s), CS_OK);
    char *rep = report_of(s);
    assert_non_null(strstr(rep, "2 whole numbers beyond 2^24 are rounded"));
    free(rep);
    imp_schema_free(s);
    /* the positive value never seen */
    o.label = "c";
    o.positive = "Yes";
    assert_int_equal(import_text("v,c\n1,yes\n2,no\n", &o, NULL, 0, NULL, &s), CS_OK);
    rep = report_of(s);
    assert_non_null(strstr(rep, "warning: the --positive value 'Yes' never appears"));
    free(rep);
    imp_schema_free(s);
}

static void test_too_many_indicators(void **state)
{
    (void)state;
    /* IMP_MAX_INDICATORS + 2 levels in one column */
    size_t n = IMP_MAX_INDICATORS + 2;
    char *text = malloc(16 * n + 16);
    size_t len = (size_t)sprintf(text, "v\n");
    for (size_t i = 0; i < n; i++) len += (size_t)sprintf(text + len, "L%zu\n", i);
    imp_options o = opts();
    o.max_levels = 65535;
    imp_schema *s = NULL;
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_EDATA);
    assert_message_has("more than 10000 indicators (column 'v'", NULL);
    imp_schema_free(s);
    free(text);
}

/* imp_set compares short strings as words (import_levels.c imp_same): strings of every length to 40
 * that differ from each other in one byte only, at each position, are each found at their own index,
 * and a string that is none of them (one byte changed, one byte longer) is not found. */
static void test_level_set(void **state)
{
    (void)state;
    imp_set t;
    memset(&t, 0, sizeof t);
    char buf[48];
    long want = 0;
    for (size_t n = 0; n <= 40; n++) {
        memset(buf, 'a', sizeof buf);
        assert_int_equal(imp_set_add(&t, buf, n, SIZE_MAX, SIZE_MAX), CS_OK);
        want++;
        for (size_t j = 0; j < n; j++) {
            buf[j] = 'b';
            assert_int_equal(imp_set_add(&t, buf, n, SIZE_MAX, SIZE_MAX), CS_OK);
            want++;
            buf[j] = 'a';
        }
    }
    assert_int_equal((long)t.n, want);
    long k = 0;
    for (size_t n = 0; n <= 40; n++) {
        memset(buf, 'a', sizeof buf);
        assert_int_equal(imp_set_find(&t, buf, n), k++);
        for (size_t j = 0; j < n; j++) {
            buf[j] = 'b';
            assert_int_equal(imp_set_find(&t, buf, n), k++);
            buf[j] = 'c';
            assert_int_equal(imp_set_find(&t, buf, n), -1);
            buf[j] = 'a';
        }
    }
    memset(buf, 'a', sizeof buf);
    assert_int_equal(imp_set_find(&t, buf, 41), -1);
    imp_set_clear(&t);
}

static void test_level_order(void **state)
{
    (void)state;
    /* 700 levels in a scrambled order, with prefixes of each other and multi-byte UTF-8: the
     * indicators come out in byte order (strcmp compares unsigned bytes) */
    static const char *const extra[] = {"ab", "a", "abc", "b", "北京", "上海", "Z", "a b"};
    size_t n = 700 + 8;
    char *text = malloc(24 * n + 16);
    size_t len = (size_t)sprintf(text, "v\n");
    for (size_t i = 0; i < 700; i++) len += (size_t)sprintf(text + len, "L%zu\n", (i * 337) % 700);
    for (size_t i = 0; i < 8; i++) len += (size_t)sprintf(text + len, "%s\n", extra[i]);
    imp_options o = opts();
    imp_schema *s = NULL;
    assert_int_equal(import_text(text, &o, NULL, 0, NULL, &s), CS_OK);
    assert_int_equal(col_named(s, "v")->n_levels, n);
    assert_int_equal(s->p, n - 1);
    for (size_t j = 1; j < s->p; j++)
        if (strcmp(s->feature_names[j - 1], s->feature_names[j]) >= 0)
            fail_msg("%s before %s", s->feature_names[j - 1], s->feature_names[j]);
    assert_string_equal(s->feature_names[0], "v=L1"); /* L0 is the first level: no indicator */
    assert_string_equal(s->feature_names[s->p - 1], "v=北京");
    imp_schema_free(s);
    free(text);
}

static void test_split_list(void **state)
{
    (void)state;
    size_t n = 9;
    char **v = imp_split_list("a,b c,,d", &n);
    assert_int_equal(n, 4);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[1], "b c");
    assert_string_equal(v[2], "");
    assert_string_equal(v[3], "d");
    assert_null(v[4]);
    free(v);
    v = imp_split_list("", &n);
    assert_int_equal(n, 0);
    assert_null(v[0]);
    free(v);
}

/* ---------------------------------------------------------------------------------------------- */
/* --like                                                                                         */

/* An earlier snapshot as imp_ref_read would return it, built from static strings (copied). */
static char **dup_all(const char *const *v, size_t n)
{
    char **d = calloc(n ? n : 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) d[i] = strdup(v[i]);
    return d;
}

static imp_ref *make_ref(int with_meta)
{
    imp_ref *r = calloc(1, sizeof *r);
    r->file = strdup("prev.h5");
    static const char *const feats[] = {"minutes", "plan=basic", "plan=gold", "calls"};
    static const char *const regs[] = {"OH", "KS"};
    static const char *const brands[] = {"all"};
    r->p = 4;
    r->feature_names = dup_all(feats, 4);
    r->n_regions = 2;
    r->region_names = dup_all(regs, 2);
    r->n_brands = 1;
    r->brand_names = dup_all(brands, 1);
    if (with_meta) {
        static const char *const cols[] = {"minutes", "plan", "calls"};
        static const char *const levels[] = {"Basic", "basic", "gold"};
        r->ncols = 3;
        r->col_names = dup_all(cols, 3);
        r->col_kind = malloc(3 * sizeof(int32_t));
        r->level_count = malloc(3 * sizeof(int32_t));
        r->col_kind[0] = IMP_NUMERIC, r->level_count[0] = 0;
        r->col_kind[1] = IMP_CATEGORY, r->level_count[1] = 3;
        r->col_kind[2] = IMP_NUMERIC, r->level_count[2] = 0;
        r->n_levels = 3;
        r->levels = dup_all(levels, 3);
    }
    return r;
}

static void test_like(void **state)
{
    (void)state;
    imp_ref *ref = make_ref(1);
    /* another column order, an extra column, a new level (silver), a new region (TX) */
    const char *text = "state,calls,extra,plan,minutes\n"
                       "KS,3,e,gold,1.5\n"
                       "TX,4,e,silver,2\n"
                       "OH,NA,e,Basic,3\n";
    imp_options o = opts();
    o.region = "state";
    imp_schema *s = NULL;
    int rc = import_text(text, &o, ref, 0, NULL, &s);
    if (rc != CS_OK) print_error("%s\n", status_message());
    assert_int_equal(rc, CS_OK);
    assert_int_equal(s->p, 4);
    for (size_t j = 0; j < 4; j++) assert_string_equal(s->feature_names[j], ref->feature_names[j]);
    assert_int_equal(col_named(s, "extra")->kind, IMP_IGNORE);
    assert_int_equal(col_named(s, "plan")->unseen, 1);
    assert_int_equal(s->unseen_rows, 1);
    assert_int_equal(s->n_regions, 3);
    assert_string_equal(s->region_names[0], "OH");
    assert_string_equal(s->region_names[1], "KS");
    assert_string_equal(s->region_names[2], "TX");
    rows_t rw;
    encode_text(text, s, &rw);
    assert_int_equal(rw.n, 3);
    const float want[3][4] = {{1.5f, 0, 1, 3}, {2, 0, 0, 4}, {3, 0, 0, NAN}};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++) {
            if (isnan(want[i][j])) assert_true(isnan(rw.x[i * 4 + j]));
            else assert_close(rw.x[i * 4 + j], want[i][j], 0);
        }
    assert_int_equal(rw.region[0], 1);
    assert_int_equal(rw.region[1], 2);
    assert_int_equal(rw.region[2], 0);
    char *rep = report_of(s);
    assert_non_null(strstr(rep, "column 'plan': 1 rows hold a level prev.h5 does not know (first at "
                                "line 3: 'silver')"));
    assert_non_null(strstr(rep, "notice: column 'extra' is not in prev.h5: ignored"));
    assert_non_null(strstr(rep, "notice: 1 region not in prev.h5, added after its 2"));
    free(rep);
    imp_schema_free(s);

    /* text in a column that was numeric: a bad row naming line and column */
    const char *t2 = "plan,minutes,calls\nbasic,1,2\ngold,lots,3\n";
    assert_int_equal(import_text(t2, &o, ref, 0, NULL, &s), CS_EINVAL); /* no state column */
    assert_message_has("option --region: no column 'state'", NULL);
    o.region = NULL;
    assert_int_equal(import_text(t2, &o, ref, 0, NULL, &s), CS_EDATA);
    assert_message_has("t.csv, line 3, column 2 (minutes): 'lots' is not a number", NULL);
    imp_schema_free(s);
    uint64_t bad = 0;
    assert_int_equal(import_text(t2, &o, ref, 1, &bad, &s), CS_OK);
    assert_int_equal(bad, 1);
    assert_int_equal(s->n_regions, 3); /* OH, KS and "all" */
    assert_string_equal(s->region_names[2], "all");
    encode_text(t2, s, &rw);
    assert_int_equal(rw.n, 1);
    assert_int_equal(rw.region[0], 2);
    imp_schema_free(s);

    /* a missing column */
    assert_int_equal(import_text("plan,minutes\nbasic,1\n", &o, ref, 0, NULL, &s), CS_EDATA);
    assert_message_has("column 'calls' of prev.h5 is missing", NULL);
    /* a column of the snapshot given another role here */
    o.id = "calls";
    assert_int_equal(import_text(t2, &o, ref, 0, NULL, &s), CS_EINVAL);
    assert_message_has("column 'calls' (feature 'calls' of prev.h5) is given another role", NULL);
    o.id = NULL;
    const char *cat[] = {"plan"};
    o.categorical = cat;
    o.n_categorical = 1;
    assert_int_equal(import_text(t2, &o, ref, 0, NULL, &s), CS_EINVAL);
    assert_message_has("--categorical cannot be used with --like", NULL);
    imp_ref_free(ref);
    imp_ref_free(NULL);
}

static void test_like_without_meta(void **state)
{
    (void)state;
    /* a snapshot without /import (e.g. generated): features by name, column=level for categories
     * whose first level is unknown; "Basic" reads as all zeros like any level it does not know */
    imp_ref *ref = make_ref(0);
    const char *text = "minutes,plan,calls\n1,gold,2\n2,Basic,3\n3,basic,4\n";
    imp_options o = opts();
    imp_schema *s = NULL;
    int rc = import_text(text, &o, ref, 0, NULL, &s);
    if (rc != CS_OK) print_error("%s\n", status_message());
    assert_int_equal(rc, CS_OK);
    assert_true(col_named(s, "plan")->like_partial);
    assert_int_equal(col_named(s, "plan")->unseen, 1);
    rows_t rw;
    encode_text(text, s, &rw);
    assert_close(rw.x[0 * 4 + 2], 1, 0);
    assert_close(rw.x[1 * 4 + 1], 0, 0);
    assert_close(rw.x[1 * 4 + 2], 0, 0);
    assert_close(rw.x[2 * 4 + 1], 1, 0);
    char *rep = report_of(s);
    assert_non_null(strstr(rep, "does not record the first level"));
    free(rep);
    imp_schema_free(s);
    assert_int_equal(import_text("minutes,calls\n1,2\n", &o, ref, 0, NULL, &s), CS_EDATA);
    assert_message_has("no column gives feature 'plan=basic' of prev.h5", NULL);
    imp_ref_free(ref);
}

static void test_like_bad_meta(void **state)
{
    (void)state;
    /* /import that does not agree with the features: a format error naming the file */
    imp_ref *ref = make_ref(1);
    free(ref->levels[2]);
    ref->levels[2] = strdup("silver");
    imp_schema *s = NULL;
    imp_options o = opts();
    assert_int_equal(import_text("minutes,plan,calls\n1,gold,2\n", &o, ref, 0, NULL, &s), CS_EFORMAT);
    assert_message_has("prev.h5: level 'silver' of column 'plan'", "'plan=silver' is not a feature");
    imp_ref_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_and_levels),
        cmocka_unit_test(test_numbers_then_text),
        cmocka_unit_test(test_brand_and_empty_names),
        cmocka_unit_test(test_bad_rows),
        cmocka_unit_test(test_option_errors),
        cmocka_unit_test(test_finish_errors),
        cmocka_unit_test(test_too_many_indicators),
        cmocka_unit_test(test_level_set),
        cmocka_unit_test(test_level_order),
        cmocka_unit_test(test_split_list),
        cmocka_unit_test(test_like),
        cmocka_unit_test(test_like_without_meta),
        cmocka_unit_test(test_like_bad_meta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
