/* test_csv.c — unit tests for io/csv_*.c: the RFC 4180 reader (fields, quoting, line ends, byte order
 * mark, line counting, every error and the recovery after the recoverable ones), streaming through
 * buffers much smaller than the input and than one record, the strict number parser, (the writer is in
 * test_csv_write.c). The fuzz target tests/fuzz/fuzz_csv.c checks the same
 * code against itself and strtod on arbitrary bytes; these tests pin the exact answers. */
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
/* Helpers                                                                                        */

static char *write_file(const char *dir, const char *name, const char *data, size_t len)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* ---------------------------------------------------------------------------------------------- */
/* Reading                                                                                        */

static void test_header_and_records(void **state)
{
    (void)state;
    csv_reader *r = testutil_csv_open("id,tenure,charges\n7,12,70.35\n8,,NA\n", ',', 1);
    const csv_record *h = csv_header(r);
    assert_non_null(h);
    assert_int_equal(h->nfields, 3);
    assert_int_equal(h->line, 1);
    assert_string_equal(h->fields[0].data, "id"); /* header copies are NUL-terminated */
    assert_string_equal(h->fields[2].data, "charges");
    assert_int_equal(csv_nfields(r), 3);
    assert_string_equal(csv_name(r), "t.csv");

    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CS_OK);
    assert_int_equal(rec.nfields, 3);
    assert_int_equal(rec.line, 2);
    testutil_csv_field(&rec.fields[0], "7", 0);
    testutil_csv_field(&rec.fields[2], "70.35", 0);
    assert_false(csv_field_missing(&rec.fields[2]));

    assert_int_equal(csv_next(r, &rec), CS_OK);
    assert_int_equal(rec.line, 3);
    assert_int_equal(csv_line(r), 3);
    assert_true(csv_field_missing(&rec.fields[1]));
    assert_true(csv_field_missing(&rec.fields[2]));
    assert_int_equal(csv_next(r, &rec), CSV_END);
    assert_int_equal(csv_next(r, &rec), CSV_END); /* stays at the end */
    assert_int_equal(csv_offset(r), strlen("id,tenure,charges\n7,12,70.35\n8,,NA\n"));
    csv_reader_free(r);
    csv_reader_free(NULL);
}

static void test_quoted_fields(void **state)
{
    (void)state;
    /* Embedded delimiter, doubled quotes, embedded LF and CRLF: the line numbers of the records
     * after them count physical lines. */
    const char *text = "id,note\n"
                       "1,\"a, b\"\n"
                       "2,\"say \"\"hi\"\"\"\n"
                       "3,\"two\nlines\"\n"
                       "4,\"crlf\r\ninside\"\n"
                       "5,\"\"\n"
                       "\"6\",\"NA\"\n"
                       "7,\"\"\"\"\n";
    csv_reader *r = testutil_csv_open(text, ',', 1);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "a, b", 1);
    assert_int_equal(rec.line, 2);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "say \"hi\"", 1);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "two\nlines", 1);
    assert_int_equal(rec.line, 4);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "crlf\r\ninside", 1);
    assert_int_equal(rec.line, 6);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    assert_int_equal(rec.line, 8);
    testutil_csv_field(&rec.fields[1], "", 1);
    assert_true(csv_field_missing(&rec.fields[1])); /* empty, quoted or not */
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[0], "6", 1);
    testutil_csv_field(&rec.fields[1], "NA", 1);
    assert_false(csv_field_missing(&rec.fields[1])); /* a quoted NA is text */
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "\"", 1);
    assert_int_equal(rec.line, 10);
    assert_int_equal(csv_next(r, &rec), CSV_END);
    csv_reader_free(r);
}

static void test_line_ends_and_blank_lines(void **state)
{
    (void)state;
    /* CRLF, LF and lone CR mixed; blank lines skipped but counted; no final line end. */
    csv_reader *r = testutil_csv_open("a,b\r\n1,2\r\n\r\n3,4\n\n5,6\r7,8", ',', 1);
    csv_record rec;
    const size_t lines[] = {2, 4, 6, 7};
    const char *first[] = {"1", "3", "5", "7"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(csv_next(r, &rec), CS_OK);
        assert_int_equal(rec.line, lines[i]);
        testutil_csv_field(&rec.fields[0], first[i], 0);
        assert_int_equal(rec.fields[1].len, 1);
    }
    assert_int_equal(csv_next(r, &rec), CSV_END);
    csv_reader_free(r);

    /* A last field that is empty, with and without a final line end. */
    r = testutil_csv_open("a,b\n1,\n2,", ',', 1);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "", 0);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "", 0);
    assert_int_equal(csv_next(r, &rec), CSV_END);
    csv_reader_free(r);
}

static void test_bom_and_utf8(void **state)
{
    (void)state;
    csv_reader *r = testutil_csv_open("\xEF\xBB\xBFname,city\n\xC3\xA9t\xC3\xA9,\xE6\x97\xA5\xE6\x9C\xAC "
                              "\xF0\x9F\x98\x80\n",
                              ',', 1);
    assert_string_equal(csv_header(r)->fields[0].data, "name"); /* the BOM is stripped */
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[0], "\xC3\xA9t\xC3\xA9", 0);
    testutil_csv_field(&rec.fields[1], "\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80", 0);
    csv_reader_free(r);

    /* A BOM-like sequence after the start is an ordinary character (U+FEFF). */
    r = testutil_csv_open("a\n\xEF\xBB\xBFx\n", ',', 1);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[0], "\xEF\xBB\xBFx", 0);
    csv_reader_free(r);
}

static void test_bad_utf8(void **state)
{
    (void)state;
    /* The column counts characters: "é" is one. In the multi-line record the bad byte is on the
     * record's second physical line. Each bad record is consumed and reading goes on. */
    const char *text = "a,b\n"
                       "\xC3\xA9x,y\xFFz\n"               /* line 2: 0xFF at column 5 */
                       "1,\"q\nw\xC0\xAF\"\n"             /* lines 3-4: overlong '/' at line 4 col 2 */
                       "2,\xED\xA0\x80\n"                 /* line 5: a surrogate at column 3 */
                       "3,4\n"                            /* line 6: good */
                       "5,\xE6\x97\n";                    /* line 7: truncated sequence */
    csv_reader *r = testutil_csv_open(text, ',', 1);
    csv_record rec;
    status_clear();
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("t.csv, line 2, column 5", "invalid UTF-8 (byte 0xFF)");
    assert_int_equal(csv_line(r), 2);
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("line 4, column 2", "0xC0");
    assert_int_equal(csv_line(r), 3);
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("line 5, column 3", "0xED");
    assert_int_equal(csv_next(r, &rec), CS_OK);
    assert_int_equal(rec.line, 6);
    testutil_csv_field(&rec.fields[0], "3", 0);
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("line 7, column 3", "0xE6");
    assert_int_equal(csv_next(r, &rec), CSV_END);
    csv_reader_free(r);

    /* Truncated at the very end of the input, without a line end. */
    r = testutil_csv_open("a\n\xF0\x9F\x98", ',', 1);
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("line 2, column 1", "0xF0");
    assert_int_equal(csv_next(r, &rec), CSV_END);
    csv_reader_free(r);
}

static void test_ragged_rows(void **state)
{
    (void)state;
    csv_reader *r = testutil_csv_open("a,b,c\n1,2,3\n4,5\n\"6\n\",7,8,9\n10,11,12\n", ',', 1);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CS_OK);
    status_clear();
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("t.csv, line 3: 2 fields", "the header has 3");
    assert_int_equal(csv_line(r), 3);
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("line 4: 4 fields", "the header has 3");
    assert_int_equal(csv_next(r, &rec), CS_OK); /* skipping bad rows goes on */
    assert_int_equal(rec.line, 6);
    testutil_csv_field(&rec.fields[2], "12", 0);
    assert_int_equal(csv_next(r, &rec), CSV_END);
    csv_reader_free(r);

    /* Without a header, the first record sets the count. */
    r = testutil_csv_open("1;2\n3\n", ';', 0);
    assert_null(csv_header(r));
    assert_int_equal(csv_nfields(r), 0);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    assert_int_equal(rec.line, 1);
    assert_int_equal(csv_nfields(r), 2);
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("line 2: 1 field where", "the first record has 2");
    csv_reader_free(r);
}

static void test_quote_errors(void **state)
{
    (void)state;
    csv_reader *r = testutil_csv_open("a,b\n1,\"ab\"c\n2,ab\"c\n3,4\n", ',', 1);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("line 2, column 7", "text after a closing quote");
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("line 3, column 5", "a quote inside an unquoted field");
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "4", 0);
    csv_reader_free(r);

    /* Unterminated quote: final, names where the quote opened. */
    r = testutil_csv_open("a,b\n1,2\n3,x\n4,\"never closed\n5,6\n", ',', 1);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    status_clear();
    assert_int_equal(csv_next(r, &rec), CS_EFORMAT);
    assert_message_has("t.csv, line 4, column 3", "never closed");
    assert_int_equal(csv_line(r), 4);
    assert_int_equal(csv_next(r, &rec), CS_EFORMAT); /* sticky */
    assert_message_has("reading stopped", NULL);
    csv_reader_free(r);
}

static void test_empty_inputs(void **state)
{
    (void)state;
    csv_options opt;
    csv_options_init(&opt);
    csv_reader *r = (csv_reader *)&opt; /* must be reset to NULL on failure */
    assert_int_equal(csv_reader_open_mem("", 0, "e.csv", NULL, &r), CS_EFORMAT);
    assert_null(r);
    assert_message_has("e.csv: the file is empty", NULL);
    assert_int_equal(csv_reader_open_mem("\xEF\xBB\xBF\r\n\n", 5, "b.csv", NULL, &r), CS_EFORMAT);
    assert_int_equal(csv_reader_open_mem(NULL, 0, "n.csv", NULL, &r), CS_EFORMAT);

    opt.header = 0;
    assert_int_equal(csv_reader_open_mem("", 0, "e.csv", &opt, &r), CS_OK);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CSV_END);
    csv_reader_free(r);

    /* A bad header fails the open. */
    assert_int_equal(csv_reader_open_mem("a,\xFF\n1,2\n", 8, "h.csv", NULL, &r), CS_EDATA);
    assert_null(r);
    assert_message_has("h.csv, line 1, column 3", "UTF-8");
}

static void test_options(void **state)
{
    (void)state;
    csv_reader *r = testutil_csv_open("a\tb c\n\"x\ty\"\t2.385\n", '\t', 1);
    csv_record rec;
    testutil_csv_field(&csv_header(r)->fields[1], "b c", 0);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[0], "x\ty", 1);
    testutil_csv_field(&rec.fields[1], "2.385", 0);
    csv_reader_free(r);

    csv_options opt;
    csv_options_init(&opt);
    assert_int_equal(opt.delim, ',');
    assert_int_equal(opt.header, 1);
    assert_int_equal(opt.buffer_size, CSV_BUFFER_SIZE);
    const char bad[] = {'"', '\n', '\r', '\0', (char)0xC3};
    for (size_t i = 0; i < sizeof bad; i++) {
        opt.delim = bad[i];
        assert_int_equal(csv_reader_open_mem("a\n", 2, "o.csv", &opt, &r), CS_EINVAL);
        assert_null(r);
    }
    opt.delim = ',';
    opt.max_fields = 0;
    assert_int_equal(csv_reader_open_mem("a\n", 2, "o.csv", &opt, &r), CS_EINVAL);
}

/* Limits: a record over max_record bytes or max_fields fields is a final CS_EDATA (csv_failed set), in memory and
 * streaming alike, whatever the buffer size. */
static void test_limits(void **state)
{
    (void)state;
    char *dir = testutil_tmpdir();
    assert_non_null(dir);
    const char *text = "a,b\n1,2\n3,\"0123456789012345678901234567890123456789\"\n4,5\n";
    char *path = write_file(dir, "big.csv", text, strlen(text));
    for (int streaming = 0; streaming < 2; streaming++) {
        csv_options opt;
        csv_options_init(&opt);
        opt.max_record = 30;
        opt.buffer_size = 16;
        csv_reader *r;
        if (streaming)
            assert_int_equal(csv_reader_open(path, &opt, &r), CS_OK);
        else
            assert_int_equal(csv_reader_open_mem(text, strlen(text), path, &opt, &r), CS_OK);
        csv_record rec;
        assert_int_equal(csv_next(r, &rec), CS_OK);
        status_clear();
        assert_int_equal(csv_failed(r), 0);
        assert_int_equal(csv_next(r, &rec), CS_EDATA);
        assert_message_has("big.csv, line 3", "longer than the limit of 30 bytes");
        assert_int_equal(csv_failed(r), CS_EDATA);
        assert_int_equal(csv_line(r), 3);
        assert_int_equal(csv_next(r, &rec), CS_EDATA);
        csv_reader_free(r);
    }
    /* A record of exactly max_record bytes is fine. */
    csv_options opt;
    csv_options_init(&opt);
    opt.max_record = 7;
    opt.buffer_size = 16;
    csv_reader *r;
    assert_int_equal(csv_reader_open_mem("abc,def\n1234,67\n", 16, "x.csv", &opt, &r), CS_OK);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CS_OK);
    csv_reader_free(r);

    csv_options_init(&opt);
    opt.max_fields = 3;
    assert_int_equal(csv_reader_open_mem("a,b,c\n1,2,3,4\n", 14, "f.csv", &opt, &r), CS_OK);
    assert_int_equal(csv_next(r, &rec), CS_EDATA);
    assert_message_has("f.csv, line 2", "more than 3 fields");
    assert_int_equal(csv_failed(r), CS_EDATA);
    csv_reader_free(r);

    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* Generates a file of several MiB whose records carry quoted delimiters, doubled quotes, embedded
 * newlines and multi-byte characters, plus one record of 200 kB, and reads it back through buffers
 * of 4 KiB and 1 MiB, by path, file descriptor and FILE*. */
static char *gen_field(unsigned i, char *buf)
{
    switch (i % 5) {
    case 0: sprintf(buf, "%u", i * 2654435761u); break;
    case 1: sprintf(buf, "%.3f", i * 2.385); break;
    case 2: sprintf(buf, "say \"hi\", %u", i); break;
    case 3: sprintf(buf, "l\xC3\xADne\n%u\r\nend", i); break;
    default: buf[0] = '\0'; break;
    }
    return buf;
}

static void test_streaming(void **state)
{
    (void)state;
    char *dir = testutil_tmpdir();
    assert_non_null(dir);
    size_t n = strlen(dir) + 16;
    char *path = malloc(n);
    snprintf(path, n, "%s/stream.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    csv_writer w;
    assert_int_equal(csv_writer_init(&w, f, path, ',', 1), CS_OK);
    const unsigned nrec = 90000, big = 31337;
    char fb[64];
    for (int c = 0; c < 5; c++) {
        sprintf(fb, "col%d", c);
        assert_int_equal(csv_write_text(&w, fb, strlen(fb)), CS_OK);
    }
    assert_int_equal(csv_write_row_end(&w), CS_OK);
    char *huge = malloc(200001);
    for (size_t i = 0; i < 200000; i++) huge[i] = (char)('a' + i % 26);
    huge[7777] = '"';
    huge[200000] = '\0';
    for (unsigned i = 0; i < nrec; i++) {
        for (unsigned c = 0; c < 5; c++) {
            if (i == big && c == 2) {
                assert_int_equal(csv_write_text(&w, huge, 200000), CS_OK);
                continue;
            }
            gen_field(i * 5 + c, fb);
            assert_int_equal(csv_write_text(&w, fb, strlen(fb)), CS_OK);
        }
        assert_int_equal(csv_write_row_end(&w), CS_OK);
    }
    long size = ftell(f);
    assert_int_equal(fclose(f), 0);
    assert_true(size > 4 * (1 << 20)); /* several times the default buffer */

    /* by path: mapped a window at a time (how 0, 3) and, with CS_CSV_MMAP=0, read (how 4) */
    for (int how = 0; how < 5; how++) {
        csv_options opt;
        csv_options_init(&opt);
        if (how != 3) opt.buffer_size = 4096;
        csv_reader *r = NULL;
        int fd = -1;
        FILE *fp = NULL;
        if (how == 4) setenv("CS_CSV_MMAP", "0", 1);
        if (how == 0 || how == 3 || how == 4) {
            assert_int_equal(csv_reader_open(path, &opt, &r), CS_OK);
            unsetenv("CS_CSV_MMAP");
        } else if (how == 1) {
            fd = open(path, O_RDONLY);
            assert_true(fd >= 0);
            assert_int_equal(csv_reader_open_fd(fd, "fd", &opt, &r), CS_OK);
        } else {
            fp = fopen(path, "rb");
            assert_non_null(fp);
            assert_int_equal(csv_reader_open_file(fp, "fp", &opt, &r), CS_OK);
        }
        assert_string_equal(csv_header(r)->fields[4].data, "col4");
        csv_record rec;
        size_t line = 2;
        for (unsigned i = 0; i < nrec; i++) {
            int rc = csv_next(r, &rec);
            if (rc != CS_OK) print_error("record %u: %s\n", i, status_message());
            assert_int_equal(rc, CS_OK);
            assert_int_equal(rec.line, line);
            assert_int_equal(rec.nfields, 5);
            for (unsigned c = 0; c < 5; c++) {
                const char *want = (i == big && c == 2) ? huge : gen_field(i * 5 + c, fb);
                size_t wl = strlen(want);
                assert_int_equal(rec.fields[c].len, wl);
                assert_memory_equal(rec.fields[c].data, want, wl);
                if ((i * 5 + c) % 5 == 3) line += 2; /* the field's LF and CRLF */
            }
            line++;
        }
        assert_int_equal(csv_next(r, &rec), CSV_END);
        assert_int_equal(csv_offset(r), (uint64_t)size);
        csv_reader_free(r);
        if (fd >= 0) close(fd);
        if (fp) fclose(fp);
    }
    free(huge);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* A pipe delivers a few bytes per read(2): records split across short reads, and the reader must
 * keep reading until its buffer is full or the writer closes. */
static void test_pipe_short_reads(void **state)
{
    (void)state;
    const char *text = "id,x\r\n1,\"a\nb\"\r\n2,2.385\r\n3,\"\"\"\"\r\n";
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        for (size_t i = 0, n = strlen(text); i < n; i += 3) {
            if (write(fds[1], text + i, n - i < 3 ? n - i : 3) < 0) _exit(1);
            usleep(200);
        }
        _exit(0);
    }
    close(fds[1]);
    csv_options opt;
    csv_options_init(&opt);
    opt.buffer_size = 16;
    csv_reader *r;
    assert_int_equal(csv_reader_open_fd(fds[0], "pipe", &opt, &r), CS_OK);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "a\nb", 1);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    assert_int_equal(rec.line, 4);
    testutil_csv_field(&rec.fields[1], "2.385", 0);
    assert_int_equal(csv_next(r, &rec), CS_OK);
    testutil_csv_field(&rec.fields[1], "\"", 1);
    assert_int_equal(csv_next(r, &rec), CSV_END);
    csv_reader_free(r);
    close(fds[0]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_io_errors(void **state)
{
    (void)state;
    csv_reader *r = (csv_reader *)state;
    status_clear();
    assert_int_equal(csv_reader_open("/nonexistent/churn.csv", NULL, &r), CS_EIO);
    assert_null(r);
    assert_message_has("cannot open /nonexistent/churn.csv", NULL);
    /* read(2) on a directory fails with EISDIR: the first fill happens in the open. */
    assert_int_equal(csv_reader_open("/tmp", NULL, &r), CS_EIO);
    assert_null(r);
    assert_message_has("/tmp: read failed", NULL);
}

/* ---------------------------------------------------------------------------------------------- */
/* Numbers                                                                                        */

static void expect_number(const char *s, double want)
{
    double v = -7.25;
    int ok = csv_parse_double(s, strlen(s), &v);
    if (!ok) print_error("\"%s\" rejected\n", s);
    assert_true(ok);
    if (memcmp(&v, &want, sizeof v) != 0) print_error("\"%s\" -> %.17g, want %.17g\n", s, v, want);
    assert_memory_equal(&v, &want, sizeof v);
}

static void expect_reject(const char *s)
{
    double v = -7.25;
    if (csv_parse_double(s, strlen(s), &v)) print_error("\"%s\" accepted\n", s);
    assert_false(csv_parse_double(s, strlen(s), &v));
    assert_true(v == -7.25); /* untouched */
}

static void test_parse_double(void **state)
{
    (void)state;
    expect_number("0", 0.0);
    expect_number("-0", -0.0);
    expect_number("+2.385", 2.385);
    expect_number("-70.35", -70.35);
    expect_number("12", 12.0);
    expect_number("007", 7.0);
    expect_number(".5", 0.5);
    expect_number("5.", 5.0);
    expect_number("1e10", 1e10);
    expect_number("1E-5", 1e-5);
    expect_number("-3.25e+2", -325.0);
    expect_number("0.1", 0.1);
    expect_number("0.000001234", 1.234e-6);
    expect_number("9007199254740993", 9007199254740992.0); /* 2^53 + 1 rounds to even */
    expect_number("123456789012345678901234567890", 1.2345678901234568e29);
    expect_number("0.30000000000000004", 0.30000000000000004);
    expect_number("1.7976931348623157e308", DBL_MAX);
    expect_number("4.9e-324", 4.9e-324); /* the smallest subnormal */
    expect_number("1e-400", 0.0);         /* underflow gives zero */
    expect_number("0e999999999", 0.0);
    expect_number("2.2250738585072011e-308", 2.2250738585072011e-308);

    /* The same bits as strtod for a spread of values off the fast path. */
    const char *hard[] = {"3.14159265358979323846264338327950288", "1e23", "8.5e-310",
                          "123456789012345678e-30", "7.2057594037927933e16", "1.5e300"};
    for (size_t i = 0; i < sizeof hard / sizeof *hard; i++) expect_number(hard[i], strtod(hard[i], NULL));

    /* Not NUL-terminated: only len bytes count. */
    double v = 0;
    assert_true(csv_parse_double("2.385e1xyz", 7, &v));
    assert_close(v, 23.85, 0.0);
    assert_true(csv_parse_double("12345", 3, &v));
    assert_close(v, 123.0, 0.0);

    const char *bad[] = {"", "+", "-", ".", "+.", "e5", ".e5", "1e", "1e+", "1e-", "1.2.3", "1..2",
                         " 1", "1 ", "1,5", "0x10", "inf", "-inf", "nan", "NA", "1e400", "-1e400",
                         "1d5", "--1", "+-1", "1e5.5", "\xEF\xBC\x91", "1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) expect_reject(bad[i]);
    assert_false(csv_parse_double("1\0" "2", 3, &v)); /* an embedded NUL is not a number */

    /* A number longer than the stack copy in the slow path. */
    char longnum[400] = "0.";
    memset(longnum + 2, '7', sizeof longnum - 3);
    longnum[sizeof longnum - 1] = '\0';
    expect_number(longnum, strtod(longnum, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_records),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_line_ends_and_blank_lines),
        cmocka_unit_test(test_bom_and_utf8),
        cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_quote_errors),
        cmocka_unit_test(test_empty_inputs),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_streaming),
        cmocka_unit_test(test_pipe_short_reads),
        cmocka_unit_test(test_io_errors),
        cmocka_unit_test(test_parse_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
