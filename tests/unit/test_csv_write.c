/* test_csv_write.c — unit tests for io/csv_write.c: the writer's quoting and spreadsheet-formula
 * escaping, a round trip through the reader, and write errors reported with the file and errno (the
 * reader's tests are in test_csv.c). */
#include "testutil.h"

#include "csv.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------------- */
/* Writing                                                                                        */

static char *mem_text;
static size_t mem_len;

static FILE *mem_open(void)
{
    free(mem_text);
    mem_text = NULL;
    FILE *f = open_memstream(&mem_text, &mem_len);
    assert_non_null(f);
    return f;
}

static void write_texts(csv_writer *w, const char *const *s, size_t n)
{
    for (size_t i = 0; i < n; i++) assert_int_equal(csv_write_text(w, s[i], strlen(s[i])), CS_OK);
    assert_int_equal(csv_write_row_end(w), CS_OK);
}

static void test_writer_quoting(void **state)
{
    (void)state;
    FILE *f = mem_open();
    csv_writer w;
    assert_int_equal(csv_writer_init(&w, f, "out.csv", ',', 0), CS_OK);
    const char *row1[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\rx", "", "NA", "NAN", " sp "};
    write_texts(&w, row1, 9);
    fclose(f);
    assert_string_equal(mem_text, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rx\",\"\",\"NA\","
                                  "NAN, sp \n");

    /* Spreadsheet formula escaping: = + - @ TAB CR at the start get an apostrophe; elsewhere not. */
    f = mem_open();
    assert_int_equal(csv_writer_init(&w, f, "out.csv", ';', 1), CS_OK);
    const char *row2[] = {"=SUM(A1)", "+1", "-2.385", "@cmd", "\tx", "\ry", "a=b", "'q"};
    write_texts(&w, row2, 8);
    fclose(f);
    assert_string_equal(mem_text, "'=SUM(A1);'+1;'-2.385;'@cmd;'\tx;\"'\ry\";a=b;'q\r\n");

    /* Numbers through the numeric path are never altered; NaN is missing; a lone missing value
     * becomes "" so that the row is not an empty line. */
    f = mem_open();
    assert_int_equal(csv_writer_init(&w, f, "out.csv", ',', 0), CS_OK);
    assert_int_equal(csv_write_double(&w, -2.385), CS_OK);
    assert_int_equal(csv_write_double(&w, 0.1), CS_OK);
    assert_int_equal(csv_write_double(&w, 1.0 / 3.0), CS_OK);
    assert_int_equal(csv_write_double(&w, -1e-300), CS_OK);
    assert_int_equal(csv_write_double(&w, 0.1 + 0.2), CS_OK); /* needs all 17 digits */
    assert_int_equal(csv_write_double(&w, NAN), CS_OK);
    assert_int_equal(csv_write_long(&w, -9007199254740993LL), CS_OK);
    assert_int_equal(csv_write_missing(&w), CS_OK);
    assert_int_equal(csv_write_row_end(&w), CS_OK);
    assert_int_equal(csv_write_missing(&w), CS_OK);
    assert_int_equal(csv_write_row_end(&w), CS_OK);
    assert_int_equal(csv_write_double(&w, NAN), CS_OK);
    assert_int_equal(csv_write_row_end(&w), CS_OK);
    status_clear();
    assert_int_equal(csv_write_double(&w, -INFINITY), CS_EDATA);
    assert_message_has("out.csv", "infinite");
    fclose(f);
    assert_string_equal(mem_text, "-2.385,0.1,0.3333333333333333,-1e-300,0.30000000000000004,,"
                                  "-9007199254740993,\n\"\"\n\"\"\n");

    const char bad[] = {'"', '\n', '\r', '\0', '7', '.', '-', '+', 'e', 'E', (char)0xA0};
    for (size_t i = 0; i < sizeof bad; i++)
        assert_int_equal(csv_writer_init(&w, stdout, "out.csv", bad[i], 0), CS_EINVAL);
    free(mem_text);
    mem_text = NULL;
}

/* What the writer writes, the reader reads back (apostrophes aside), numbers bit for bit. */
static void test_writer_roundtrip(void **state)
{
    (void)state;
    FILE *f = mem_open();
    csv_writer w;
    assert_int_equal(csv_writer_init(&w, f, "rt.csv", '|', 0), CS_OK);
    const char *texts[] = {"a|b", "\"", "x\r\ny", "", "NA", "\xEF\xBB\xBF" "bom", "caf\xC3\xA9"};
    const double nums[] = {2.385, -0.0, 1e-310, 123456.789, 0.1 + 0.2};
    for (size_t i = 0; i < 7; i++) assert_int_equal(csv_write_text(&w, texts[i], strlen(texts[i])), CS_OK);
    for (size_t i = 0; i < 5; i++) assert_int_equal(csv_write_double(&w, nums[i]), CS_OK);
    assert_int_equal(csv_write_row_end(&w), CS_OK);
    fclose(f);

    csv_reader *r = testutil_csv_open(mem_text, '|', 0);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CS_OK);
    assert_int_equal(rec.nfields, 12);
    for (size_t i = 0; i < 7; i++) testutil_csv_field(&rec.fields[i], texts[i], i < 6); /* not café */
    assert_false(csv_field_missing(&rec.fields[4]));
    for (size_t i = 0; i < 5; i++) {
        double v;
        assert_true(csv_parse_double(rec.fields[7 + i].data, rec.fields[7 + i].len, &v));
        assert_memory_equal(&v, &nums[i], sizeof v);
    }
    csv_reader_free(r);
    free(mem_text);
    mem_text = NULL;
}

static void test_writer_io_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f) skip();
    setvbuf(f, NULL, _IONBF, 0); /* unbuffered, so the write itself fails with ENOSPC */
    csv_writer w;
    assert_int_equal(csv_writer_init(&w, f, "full.csv", ',', 0), CS_OK);
    status_clear();
    assert_int_equal(csv_write_text(&w, "x", 1), CS_EIO);
    assert_message_has("no space left on device: full.csv", NULL); /* /dev/full: ENOSPC */
    assert_int_equal(csv_write_double(&w, 2.385), CS_EIO);
    assert_int_equal(csv_write_long(&w, 7), CS_EIO);
    assert_int_equal(csv_write_row_end(&w), CS_EIO);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_quoting),
        cmocka_unit_test(test_writer_roundtrip),
        cmocka_unit_test(test_writer_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
