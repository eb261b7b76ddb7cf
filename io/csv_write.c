/* csv_write.c — the CSV writer (csv.h): fields quoted only when they must be, doubles with the
 * fewest of 15 to 17 significant digits that read back to the same value, a missing value as an empty field, and a write
 * error (a full disk) reported once with the file's name (commit_errno).
 */
#include "csv_int.h"

#include "commit.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* Writing                                                                                        */

int csv_writer_init(csv_writer *w, FILE *out, const char *name, char delim, int crlf)
{
    unsigned char d = (unsigned char)delim;
    if (!csv_delim_ok(d) || (d >= '0' && d <= '9') || strchr(".+-eE", d))
        return CS_ERROR(CS_EINVAL, "%s: the CSV delimiter cannot be byte 0x%02x (a quote, line end, "
                        "non-ASCII byte or a character of numbers)", name ? name : "(csv)", d);
    w->out = out;
    w->name = name ? name : "(csv)";
    w->delim = delim;
    w->crlf = crlf != 0;
    w->col = 0;
    w->blank = 0;
    return CS_OK;
}

static int writer_failed(csv_writer *w)
{
    return commit_errno(errno, w->name, "write");
}

static int writer_sep(csv_writer *w)
{
    w->blank = 0;
    if (w->col++ > 0 && putc(w->delim, w->out) == EOF) return writer_failed(w);
    return CS_OK;
}

int csv_write_text(csv_writer *w, const char *s, size_t len)
{
    CS_TRY(writer_sep(w));
    int formula = len > 0 && memchr("=+-@\t\r", s[0], 6) != NULL;
    /* Quoted also: empty and NA, which read back as missing otherwise, and a leading U+FEFF, which a
     * reader would strip as a byte order mark if the field opened the file. */
    int quote = len == 0 || (len == 2 && s[0] == 'N' && s[1] == 'A') ||
                (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0);
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == w->delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    FILE *o = w->out;
    if (quote && putc('"', o) == EOF) return writer_failed(w);
    if (formula && putc('\'', o) == EOF) return writer_failed(w);
    if (!quote) {
        if (len > 0 && fwrite(s, 1, len, o) != len) return writer_failed(w);
        return CS_OK;
    }
    const char *q = s, *const e = s + len;
    while (q < e) { /* copy up to and including each quote, then double it */
        const char *dq = memchr(q, '"', (size_t)(e - q));
        size_t n = dq ? (size_t)(dq - q) + 1 : (size_t)(e - q);
        if (fwrite(q, 1, n, o) != n) return writer_failed(w);
        if (dq && putc('"', o) == EOF) return writer_failed(w);
        q += n;
    }
    if (putc('"', o) == EOF) return writer_failed(w);
    return CS_OK;
}

int csv_write_double(csv_writer *w, double v)
{
    if (isinf(v))
        return CS_ERROR(CS_EDATA, "%s: cannot write an infinite value to CSV", w->name);
    CS_TRY(writer_sep(w));
    if (isnan(v)) {
        w->blank = 1;
        return CS_OK;
    }
    char b[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (prec == 17 || strtod(b, NULL) == v) break;
    }
    if (fputs(b, w->out) == EOF) return writer_failed(w);
    return CS_OK;
}

int csv_write_number(csv_writer *w, const char *s, size_t len)
{
    double v;
    if (!csv_parse_double(s, len, &v))
        return CS_ERROR(CS_EINVAL, "%s: '%.*s' is not a number", w->name, (int)(len > 40 ? 40 : len), s);
    CS_TRY(writer_sep(w));
    if (fwrite(s, 1, len, w->out) != len) return writer_failed(w);
    return CS_OK;
}

int csv_write_long(csv_writer *w, long long v)
{
    CS_TRY(writer_sep(w));
    if (fprintf(w->out, "%lld", v) < 0) return writer_failed(w);
    return CS_OK;
}

int csv_write_missing(csv_writer *w)
{
    CS_TRY(writer_sep(w));
    w->blank = 1;
    return CS_OK;
}

int csv_write_row_end(csv_writer *w)
{
    /* A row of one missing value would be an empty line, which readers skip: write it as "". */
    int lone_blank = w->col == 1 && w->blank;
    w->col = 0;
    if (lone_blank && fputs("\"\"", w->out) == EOF) return writer_failed(w);
    if (fputs(w->crlf ? "\r\n" : "\n", w->out) == EOF) return writer_failed(w);
    return CS_OK;
}

