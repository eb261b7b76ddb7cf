/* testutil.c — see testutil.h. */
#include "testutil.h"

#include "csv.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void testutil_close(double a, double b, double tol, const char *what, const char *file, int line)
{
    double scale = fabs(b) > 1.0 ? fabs(b) : 1.0;
    if (!(fabs(a - b) <= tol * scale)) {
        print_error("%s:%d: %s = %.17g, expected %.17g (tol %g)\n", file, line, what, a, b, tol);
        _fail(file, line);
    }
}

char *testutil_tmpdir(void)
{
    char tmpl[] = "/tmp/cs_test_XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

/* Fails unless the last status message contains every one of the given pieces. */
void assert_message_has(const char *a, const char *b)
{
    const char *m = status_message();
    if (!strstr(m, a) || (b && !strstr(m, b)))
        print_error("message \"%s\" lacks \"%s\" or \"%s\"\n", m, a, b ? b : "");
    assert_non_null(strstr(m, a));
    if (b) assert_non_null(strstr(m, b));
}


csv_reader *testutil_csv_open(const char *text, char delim, int header)
{
    csv_options opt;
    csv_options_init(&opt);
    opt.delim = delim;
    opt.header = header;
    csv_reader *r = NULL;
    int rc = csv_reader_open_mem(text, strlen(text), "t.csv", &opt, &r);
    if (rc != CS_OK) print_error("open failed: %s\n", status_message());
    assert_int_equal(rc, CS_OK);
    assert_non_null(r);
    return r;
}


void testutil_csv_field(const csv_field *f, const char *want, int quoted)
{
    size_t n = strlen(want);
    if (f->len != n || memcmp(f->data, want, n) != 0)
        print_error("field is \"%.*s\", expected \"%s\"\n", (int)f->len, f->data, want);
    assert_int_equal(f->len, n);
    assert_memory_equal(f->data, want, n);
    assert_int_equal(f->quoted, quoted);
}

