/* csv.c — streaming RFC 4180 CSV reader, strict number parser and writer (see csv.h).
 *
 * The reader keeps one buffer. A record is parsed in place, from its first byte, by scanning for the
 * few bytes that matter (delimiter, quote, CR, LF, and bytes >= 0x80 that start a UTF-8 sequence)
 * through a 256-entry class table, so that plain numeric text costs one table load per byte and no
 * function call. Fields are views into the buffer; only quoted fields with doubled quotes are copied,
 * collapsed, into a scratch area. When a record runs past the bytes read so far, its parse is
 * abandoned, the unread tail is moved to the front of the buffer, the buffer is filled, and the record
 * is parsed again from its start: a record is re-parsed at most once per buffer fill, and the parse
 * needs no state that survives a refill. The buffer grows only while one record does not fit in half
 * of it, up to max_record, so memory is bounded by the longest record, not by the file.
 *
 * The in-memory reader is the same code with the whole input as its buffer and the end of the file
 * already reached, which is what lets the fuzz target (tests/fuzz/fuzz_csv.c) check that the streaming
 * path gives exactly the answers of the in-memory one for every buffer size.
 */
#include "csv.h"

#include "commit.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define NEED_MORE (-2) /* internal: the record continues past the bytes read so far */

enum { SRC_MEM, SRC_FD, SRC_FILE };

/* Byte classes for the scanning loops; 0 means "ordinary byte, keep going". */
enum { C_NONE = 0, C_DELIM, C_QUOTE, C_LF, C_CR, C_HIGH };

/* Recoverable faults found while parsing a record; the first one is reported once the record's end
 * is known, so that the reader can resume after it. */
enum { E_NONE = 0, E_UTF8, E_AFTER_QUOTE, E_BARE_QUOTE };

struct csv_reader {
    unsigned char *buf; /* owned unless src == SRC_MEM */
    size_t cap;         /* allocated bytes of buf */
    size_t cap_max;     /* buf never grows past this */
    size_t pos, len;    /* unparsed bytes are buf[pos..len) */
    uint64_t base;      /* offset in the input of buf[0] */
    int eof;            /* no bytes are left to read beyond buf[len) */
    int src;
    int fd;
    int own_fd;
    FILE *file;
    char *name;

    unsigned char ucls[256]; /* classes outside quotes */
    unsigned char qcls[256]; /* classes inside quotes */
    unsigned char delim;
    size_t max_record, max_fields;

    size_t line;     /* physical line of buf[pos] */
    size_t rec_line; /* line where the last record returned or rejected starts */
    size_t ncols;    /* expected field count, 0 until known */
    size_t cur_nf;   /* fields of the last record parsed */
    int fatal;       /* sticky final error, CS_OK while usable */

    csv_field *fields; /* the current record's fields */
    size_t fcap;
    char *scratch; /* collapsed copies of quoted fields with doubled quotes */
    size_t scap;

    int has_header;
    csv_record header;
    csv_field *hfields;
    char *hdata;
};

/* ---------------------------------------------------------------------------------------------- */
/* Opening and freeing                                                                            */

void csv_options_init(csv_options *opt)
{
    opt->delim = ',';
    opt->header = 1;
    opt->buffer_size = CSV_BUFFER_SIZE;
    opt->max_record = CSV_MAX_RECORD;
    opt->max_fields = CSV_MAX_FIELDS;
}

void csv_reader_free(csv_reader *r)
{
    if (!r) return;
    if (r->src != SRC_MEM) free(r->buf);
    if (r->own_fd) close(r->fd);
    free(r->name);
    free(r->fields);
    free(r->scratch);
    free(r->hfields);
    free(r->hdata);
    free(r);
}

static int delim_ok(unsigned char d)
{
    return d != '"' && d != '\r' && d != '\n' && d != '\0' && d < 0x80;
}

/* Reads until the buffer is full or the input ends: a short read from a pipe must not make a long
 * record be re-parsed once per pipe chunk. */
static int reader_fill(csv_reader *r)
{
    if (r->pos > 0) {
        size_t keep = r->len - r->pos;
        memmove(r->buf, r->buf + r->pos, keep);
        r->base += r->pos;
        r->len = keep;
        r->pos = 0;
    }
    /* Grow while the pending record fills more than half the buffer, so each refill brings at least
     * half a buffer of new bytes. cap_max leaves room past max_record for the bytes a parse must see
     * to decide that the record is too long. */
    if (r->len > r->cap / 2 && r->cap < r->cap_max) {
        size_t ncap = r->cap * 2 < r->cap_max ? r->cap * 2 : r->cap_max;
        unsigned char *nbuf = realloc(r->buf, ncap);
        if (!nbuf)
            return CS_ERROR(CS_ENOMEM, "%s: cannot grow the read buffer to %zu bytes", r->name, ncap);
        r->buf = nbuf;
        r->cap = ncap;
    }
    if (r->len == r->cap)
        return CS_ERROR(CS_EINTERNAL, "%s, line %zu: read buffer full without a record limit error",
                        r->name, r->line);
    while (r->len < r->cap) {
        size_t want = r->cap - r->len;
        size_t got;
        if (r->src == SRC_FD) {
            ssize_t n = read(r->fd, r->buf + r->len, want);
            if (n < 0) {
                if (errno == EINTR) continue;
                return CS_ERROR(CS_EIO, "%s: read failed: %s", r->name, strerror(errno));
            }
            got = (size_t)n;
        } else {
            got = fread(r->buf + r->len, 1, want, r->file);
            if (got == 0 && ferror(r->file))
                return CS_ERROR(CS_EIO, "%s: read failed: %s", r->name, strerror(errno));
        }
        if (got == 0) {
            r->eof = 1;
            break;
        }
        r->len += got;
    }
    return CS_OK;
}

static int parse_record(csv_reader *r);

/* Parses the next record, refilling the buffer as often as it takes. */
static int reader_next(csv_reader *r)
{
    for (;;) {
        int rc = parse_record(r);
        if (rc != NEED_MORE) return rc;
        rc = reader_fill(r);
        if (rc != CS_OK) return rc;
    }
}

/* Copies the header record so that it outlives the buffer; field data become NUL-terminated. */
static int header_keep(csv_reader *r)
{
    size_t n = r->header.nfields, bytes = 0;
    for (size_t i = 0; i < n; i++) bytes += r->fields[i].len + 1;
    r->hfields = malloc(n * sizeof *r->hfields);
    r->hdata = malloc(bytes);
    if (!r->hfields || !r->hdata)
        return CS_ERROR(CS_ENOMEM, "%s: cannot allocate the header (%zu fields)", r->name, n);
    char *d = r->hdata;
    for (size_t i = 0; i < n; i++) {
        memcpy(d, r->fields[i].data, r->fields[i].len);
        d[r->fields[i].len] = '\0';
        r->hfields[i] = r->fields[i];
        r->hfields[i].data = d;
        d += r->fields[i].len + 1;
    }
    r->header.fields = r->hfields;
    return CS_OK;
}

/* Shared tail of the open calls: tables, first fill, byte order mark, header. Frees r on failure. */
static int reader_start(csv_reader *r, const char *name, const csv_options *opt, csv_reader **out)
{
    csv_options def;
    if (!opt) {
        csv_options_init(&def);
        opt = &def;
    }
    int rc = CS_OK;
    r->name = strdup(name ? name : "(csv)");
    if (!r->name) {
        rc = CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader");
        goto fail;
    }
    if (!delim_ok((unsigned char)opt->delim)) {
        rc = CS_ERROR(CS_EINVAL, "%s: the CSV delimiter cannot be byte 0x%02x (a quote, CR, LF, NUL or "
                      "non-ASCII byte)", r->name, (unsigned char)opt->delim);
        goto fail;
    }
    if (opt->max_record == 0 || opt->max_fields == 0) {
        rc = CS_ERROR(CS_EINVAL, "%s: max_record and max_fields must be positive", r->name);
        goto fail;
    }
    r->delim = (unsigned char)opt->delim;
    r->max_record = opt->max_record;
    r->max_fields = opt->max_fields;
    for (int c = 0x80; c < 256; c++) r->ucls[c] = r->qcls[c] = C_HIGH;
    r->ucls['\n'] = r->qcls['\n'] = C_LF;
    r->ucls['\r'] = r->qcls['\r'] = C_CR;
    r->ucls['"'] = r->qcls['"'] = C_QUOTE;
    r->ucls[r->delim] = C_DELIM;
    r->line = 1;
    r->rec_line = 1;

    if (r->src != SRC_MEM) {
        size_t bs = opt->buffer_size < 16 ? 16 : opt->buffer_size;
        r->cap_max = r->max_record + 8 > bs ? r->max_record + 8 : bs;
        if (r->cap_max < r->max_record) r->cap_max = SIZE_MAX; /* max_record + 8 overflowed */
        r->buf = malloc(bs);
        if (!r->buf) {
            rc = CS_ERROR(CS_ENOMEM, "%s: cannot allocate a %zu-byte read buffer", r->name, bs);
            goto fail;
        }
        r->cap = bs;
        if ((rc = reader_fill(r)) != CS_OK) goto fail;
    }
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;

    r->has_header = opt->header != 0;
    if (r->has_header) {
        rc = reader_next(r);
        if (rc == CSV_END) {
            rc = CS_ERROR(CS_EFORMAT, "%s: the file is empty (a header row was expected)", r->name);
            goto fail;
        }
        if (rc != CS_OK) goto fail;
        r->header.nfields = r->ncols;
        r->header.line = r->rec_line;
        if ((rc = header_keep(r)) != CS_OK) goto fail;
    }
    *out = r;
    return CS_OK;
fail:
    csv_reader_free(r);
    *out = NULL;
    return rc;
}

static csv_reader *reader_alloc(int src)
{
    csv_reader *r = calloc(1, sizeof *r);
    if (r) {
        r->src = src;
        r->fd = -1;
    }
    return r;
}

int csv_reader_open(const char *path, const csv_options *opt, csv_reader **out)
{
    *out = NULL;
    csv_reader *r = reader_alloc(SRC_FD);
    if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader for %s", path);
    if (strcmp(path, "-") == 0) {
        r->fd = STDIN_FILENO;
        return reader_start(r, "(standard input)", opt, out);
    }
    r->fd = open(path, O_RDONLY);
    if (r->fd < 0) {
        int e = errno;
        free(r);
        return CS_ERROR(CS_EIO, "cannot open %s: %s", path, strerror(e));
    }
    r->own_fd = 1;
    return reader_start(r, path, opt, out);
}

int csv_reader_open_fd(int fd, const char *name, const csv_options *opt, csv_reader **out)
{
    *out = NULL;
    csv_reader *r = reader_alloc(SRC_FD);
    if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader");
    r->fd = fd;
    return reader_start(r, name, opt, out);
}

int csv_reader_open_file(FILE *f, const char *name, const csv_options *opt, csv_reader **out)
{
    *out = NULL;
    csv_reader *r = reader_alloc(SRC_FILE);
    if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader");
    r->file = f;
    return reader_start(r, name, opt, out);
}

int csv_reader_open_mem(const char *buf, size_t len, const char *name, const csv_options *opt,
                        csv_reader **out)
{
    *out = NULL;
    csv_reader *r = reader_alloc(SRC_MEM);
    if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader");
    /* Never written through: SRC_MEM readers never fill, unescape in place or free the buffer. An
     * empty input may come as NULL, and NULL + 0 is undefined. */
    r->buf = (unsigned char *)(uintptr_t)(buf ? buf : "");
    r->cap = r->len = len;
    r->eof = 1;
    return reader_start(r, name, opt, out);
}

const csv_record *csv_header(const csv_reader *r) { return r->has_header ? &r->header : NULL; }
size_t csv_line(const csv_reader *r) { return r->rec_line; }
uint64_t csv_offset(const csv_reader *r) { return r->base + r->pos; }
size_t csv_nfields(const csv_reader *r) { return r->ncols; }
const char *csv_name(const csv_reader *r) { return r->name; }

int csv_field_missing(const csv_field *f)
{
    return f->len == 0 || (!f->quoted && f->len == 2 && f->data[0] == 'N' && f->data[1] == 'A');
}

/* ---------------------------------------------------------------------------------------------- */
/* Parsing                                                                                        */

/* Length (2 to 4) of the valid UTF-8 sequence whose lead byte (>= 0x80) is at p; 0 if it is invalid
 * (overlong, surrogate, above U+10FFFF, stray continuation); -1 if the bytes up to end are a valid
 * but incomplete prefix, so the answer depends on bytes not read yet. */
static int utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    int n;
    if (c < 0xC2) return 0;
    if (c < 0xE0) {
        n = 2;
    } else if (c < 0xF0) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        else if (c == 0xED) hi = 0x9F;
    } else if (c < 0xF5) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        else if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if (p + i == end) return -1;
        unsigned b = p[i];
        if (i == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return 0;
    }
    return n;
}

/* Line and 1-based character column of byte at, in a record starting at start on line line0. Only on
 * error paths. The bytes before at are valid UTF-8 (the first fault is the one reported), so
 * counting the bytes that are not continuation bytes counts characters. */
static void locate(const unsigned char *start, size_t line0, const unsigned char *at, size_t *line,
                   size_t *col)
{
    const unsigned char *ls = start;
    size_t l = line0;
    for (const unsigned char *q = start; q < at; q++) {
        if (*q == '\n' || (*q == '\r' && !(q + 1 < at && q[1] == '\n'))) {
            l++;
            ls = q + 1;
        }
    }
    size_t c = 1;
    for (const unsigned char *q = ls; q < at; q++) c += (*q & 0xC0) != 0x80;
    *line = l;
    *col = c;
}

/* Over a limit is wrong data (exit 5), not a failed allocation: the 17 MB record of issue 12 was
 * reported as "out of memory". It stays final (the reader cannot find the record's end without
 * buffering it), which csv_failed tells a caller that skips bad records. */
static int record_too_long(csv_reader *r, size_t line)
{
    r->fatal = CS_EDATA;
    r->rec_line = line;
    return CS_ERROR(CS_EDATA, "%s, line %zu: the record is longer than the limit of %zu bytes (is a "
                    "quote left open?)", r->name, line, r->max_record);
}

/* Collapses doubled quotes of the record's quoted fields into scratch. Called once the record is
 * complete, so that growing scratch cannot move bytes a field already points to. */
static int record_unescape(csv_reader *r, size_t nf, size_t span)
{
    if (r->scap < span) {
        char *s = realloc(r->scratch, span);
        if (!s) {
            r->fatal = CS_ENOMEM;
            return CS_ERROR(CS_ENOMEM, "%s, line %zu: cannot allocate %zu bytes for a record", r->name,
                            r->rec_line, span);
        }
        r->scratch = s;
        r->scap = span;
    }
    char *d = r->scratch;
    for (size_t i = 0; i < nf; i++) {
        csv_field *f = &r->fields[i];
        if (!f->quoted || !memchr(f->data, '"', f->len)) continue;
        char *fs = d;
        for (size_t k = 0; k < f->len; k++) {
            *d++ = f->data[k];
            if (f->data[k] == '"') k++; /* the parse checked that every quote here is doubled */
        }
        f->data = fs;
        f->len = (size_t)(d - fs);
    }
    return CS_OK;
}

/* Parses one record starting at buf[pos]. Returns CS_OK (fields in r->fields, ncols checked),
 * CSV_END, NEED_MORE (nothing consumed but blank lines), CS_EDATA (record consumed) or a final error.
 * Bytes past len are never read, and buf[pos..) is not modified, so a NEED_MORE parse can be repeated
 * after a refill. */
static int parse_record(csv_reader *r)
{
    const unsigned char *const buf = r->buf;
    const unsigned char *p = buf + r->pos;
    const unsigned char *const end = buf + r->len;
    const unsigned char *const ucls = r->ucls, *const qcls = r->qcls;
    const unsigned char delim = r->delim;
    const int eof = r->eof;

    /* Empty physical lines carry no record. */
    for (;;) {
        if (p == end) {
            r->pos = (size_t)(p - buf);
            return eof ? CSV_END : NEED_MORE;
        }
        if (*p == '\n') {
            p++;
        } else if (*p == '\r') {
            if (p + 1 == end && !eof) {
                r->pos = (size_t)(p - buf);
                return NEED_MORE;
            }
            p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
        } else {
            break;
        }
        r->line++;
    }
    r->pos = (size_t)(p - buf);

    const unsigned char *const start = p;
    size_t line = r->line; /* advanced by line breaks inside quotes and by the terminator */
    size_t nf = 0;
    int esc = 0;              /* some quoted field holds a doubled quote */
    int err = E_NONE;         /* first recoverable fault */
    const unsigned char *err_at = NULL;
    csv_field *fields = r->fields;

    for (;;) { /* one field per iteration */
        if (nf == r->fcap) {
            if (r->fcap >= r->max_fields) {
                /* A record over both limits reports its length, whichever limit the scan reaches
                 * first, so the streaming and in-memory readers agree. */
                if ((size_t)(p - start) > r->max_record) return record_too_long(r, r->line);
                r->fatal = CS_EDATA;
                r->rec_line = r->line;
                return CS_ERROR(CS_EDATA, "%s, line %zu: the record has more than %zu fields",
                                r->name, r->line, r->max_fields);
            }
            size_t ncap = r->fcap ? r->fcap * 2 : 64;
            if (ncap > r->max_fields) ncap = r->max_fields;
            fields = realloc(r->fields, ncap * sizeof *fields);
            if (!fields) {
                r->fatal = CS_ENOMEM;
                return CS_ERROR(CS_ENOMEM, "%s, line %zu: cannot allocate %zu fields", r->name,
                                r->line, ncap);
            }
            r->fields = fields;
            r->fcap = ncap;
        }
        csv_field *f = &fields[nf++];

        if (p < end && *p == '"') {
            const unsigned char *open = p++;
            f->data = (const char *)p;
            f->quoted = 1;
            for (;;) {
                while (p < end && !qcls[*p]) p++;
                if (p == end) {
                    if (!eof) goto need_more;
                    if ((size_t)(p - start) > r->max_record) return record_too_long(r, r->line);
                    size_t l, c;
                    locate(start, r->line, open, &l, &c);
                    r->rec_line = r->line;
                    r->pos = r->len;
                    r->line = line;
                    r->fatal = CS_EFORMAT;
                    return CS_ERROR(CS_EFORMAT, "%s, line %zu, column %zu: this quote is never closed "
                                    "before the end of the file", r->name, l, c);
                }
                switch (qcls[*p]) {
                case C_QUOTE:
                    if (p + 1 == end && !eof) goto need_more;
                    if (p + 1 < end && p[1] == '"') {
                        esc = 1;
                        p += 2;
                        continue;
                    }
                    break;
                case C_LF:
                    line++;
                    p++;
                    continue;
                case C_CR:
                    if (p + 1 == end && !eof) goto need_more;
                    if (!(p + 1 < end && p[1] == '\n')) line++;
                    p++;
                    continue;
                default: { /* C_HIGH */
                    int n = utf8_seq(p, end);
                    if (n < 0 && !eof) goto need_more;
                    if (n <= 0) {
                        if (!err) err = E_UTF8, err_at = p;
                        n = 1;
                    }
                    p += n;
                    continue;
                }
                }
                break; /* closing quote */
            }
            f->len = (size_t)(p - (const unsigned char *)f->data);
            p++;
            if (p == end) {
                if (!eof) goto need_more;
                goto record_end;
            }
            if (*p == delim) {
                p++;
                continue;
            }
            if (*p == '\n' || *p == '\r') goto record_end;
            if (!err) err = E_AFTER_QUOTE, err_at = p;
            /* The record is rejected; scan the rest of this field as unquoted text to find its end. */
        } else {
            f->data = (const char *)p;
            f->quoted = 0;
        }

        for (;;) { /* unquoted text (or the tail of a bad quoted field) */
            while (p < end && !ucls[*p]) p++;
            if (p == end) {
                if (!eof) goto need_more;
                if (!f->quoted) f->len = (size_t)(p - (const unsigned char *)f->data);
                goto record_end;
            }
            int c = ucls[*p];
            if (c == C_DELIM || c == C_LF || c == C_CR) {
                if (!f->quoted) f->len = (size_t)(p - (const unsigned char *)f->data);
                break;
            }
            if (c == C_QUOTE) {
                if (!err) err = E_BARE_QUOTE, err_at = p;
                p++;
                continue;
            }
            int n = utf8_seq(p, end); /* C_HIGH */
            if (n < 0 && !eof) goto need_more;
            if (n <= 0) {
                if (!err) err = E_UTF8, err_at = p;
                n = 1;
            }
            p += n;
        }
        if (*p == delim) {
            p++;
            continue;
        }
        goto record_end;
    }

record_end: {
    /* p is at the terminator (CR or LF) or at the end of the input. */
    size_t span = (size_t)(p - start);
    if (span > r->max_record) return record_too_long(r, r->line);
    if (p < end) {
        if (*p == '\r') {
            if (p + 1 == end && !eof) goto need_more;
            p += (p + 1 < end && p[1] == '\n') ? 2 : 1;
        } else {
            p++;
        }
        line++;
    }
    r->rec_line = r->line;
    r->line = line;
    r->pos = (size_t)(p - buf);

    if (err) {
        size_t l, c;
        locate(start, r->rec_line, err_at, &l, &c);
        if (err == E_UTF8)
            return CS_ERROR(CS_EDATA, "%s, line %zu, column %zu: invalid UTF-8 (byte 0x%02X)",
                            r->name, l, c, *err_at);
        if (err == E_AFTER_QUOTE)
            return CS_ERROR(CS_EDATA, "%s, line %zu, column %zu: text after a closing quote (a quote "
                            "inside a quoted field must be doubled)", r->name, l, c);
        return CS_ERROR(CS_EDATA, "%s, line %zu, column %zu: a quote inside an unquoted field (quote "
                        "the whole field and double the quote)", r->name, l, c);
    }
    if (r->ncols == 0) {
        r->ncols = nf;
    } else if (nf != r->ncols) {
        return CS_ERROR(CS_EDATA, "%s, line %zu: %zu field%s where the %s has %zu", r->name,
                        r->rec_line, nf, nf == 1 ? "" : "s", r->has_header ? "header" : "first record",
                        r->ncols);
    }
    if (esc) CS_TRY(record_unescape(r, nf, span));
    r->cur_nf = nf;
    return CS_OK;
}

need_more:
    if ((size_t)(p - start) > r->max_record) return record_too_long(r, r->line);
    return NEED_MORE;
}

int csv_failed(const csv_reader *r) { return r->fatal; }

int csv_next(csv_reader *r, csv_record *rec)
{
    if (r->fatal)
        return CS_ERROR(r->fatal, "%s: reading stopped after an earlier error near line %zu", r->name,
                        r->rec_line);
    int rc = reader_next(r);
    if (rc == CS_OK) {
        rec->fields = r->fields;
        rec->nfields = r->cur_nf;
        rec->line = r->rec_line;
    } else if (rc != CSV_END && rc != CS_EDATA && !r->fatal) {
        r->fatal = rc; /* read and allocation failures raised outside parse_record */
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------- */
/* Numbers                                                                                        */

/* Powers of ten that are exact doubles (10^22 < 2^53 * 2^22 is the last one). */
static const double csv_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The strict grammar is checked first, so strtod only ever sees text it parses completely. */
static int parse_double_slow(const char *s, size_t len, double *out, int *overflow)
{
    char small[128];
    char *copy = len < sizeof small ? small : malloc(len + 1); /* rare: over 127 characters */
    if (!copy) return 0;
    memcpy(copy, s, len);
    copy[len] = '\0';
    char *endp;
    double v = strtod(copy, &endp);
    int ok = endp == copy + len && isfinite(v);
    if (overflow) *overflow = endp == copy + len && isinf(v);
    if (copy != small) free(copy);
    if (ok) *out = v;
    return ok;
}

static int parse_double(const char *s, size_t len, double *out, int *overflow);

int csv_parse_double(const char *s, size_t len, double *out) { return parse_double(s, len, out, NULL); }

int csv_number_overflows(const char *s, size_t len)
{
    double v;
    int ovf = 0;
    if (parse_double(s, len, &v, &ovf)) return 0;
    if (ovf) return 1;
    /* inf, -Infinity, NaN: what printf and numpy write for non-finite values */
    size_t i = len > 0 && (s[0] == '+' || s[0] == '-');
    const char *w[] = {"inf", "infinity", "nan"};
    for (int k = 0; k < 3; k++)
        if (len - i == strlen(w[k]) && strncasecmp(s + i, w[k], len - i) == 0) return 1;
    return 0;
}

static int parse_double(const char *s, size_t len, double *out, int *overflow)
{
    const unsigned char *p = (const unsigned char *)s, *const end = p + len;
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    uint64_t m = 0;   /* up to 19 significant digits */
    int nsig = 0;     /* significant digits in m */
    int ndig = 0;     /* mantissa digits seen */
    int inexact = 0;  /* a nonzero digit did not fit in m */
    long e10 = 0;     /* value = m * 10^e10 (when !inexact) */
    for (; p < end && (unsigned)(*p - '0') < 10; p++, ndig++) {
        if (nsig < 19) {
            m = m * 10 + (unsigned)(*p - '0');
            nsig += m != 0;
        } else {
            e10++;
            inexact |= *p != '0';
        }
    }
    if (p < end && *p == '.') {
        for (p++; p < end && (unsigned)(*p - '0') < 10; p++, ndig++) {
            if (nsig < 19) {
                m = m * 10 + (unsigned)(*p - '0');
                nsig += m != 0;
                e10--;
            } else {
                inexact |= *p != '0';
            }
        }
    }
    if (ndig == 0) return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (p == end || (unsigned)(*p - '0') >= 10) return 0;
        long ev = 0;
        for (; p < end && (unsigned)(*p - '0') < 10; p++)
            if (ev < 100000) ev = ev * 10 + (*p - '0'); /* far past any double's range */
        e10 += eneg ? -ev : ev;
    }
    if (p != end) return 0;
    /* Clinger's fast path: m and 10^|e10| are exact doubles, so one IEEE multiply or divide rounds
     * the exact decimal value correctly, giving strtod's bits. */
    if (!inexact && m <= ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)m;
        v = e10 < 0 ? v / csv_pow10[-e10] : v * csv_pow10[e10];
        *out = neg ? -v : v;
        return 1;
    }
    if (m == 0 && !inexact) {
        *out = neg ? -0.0 : 0.0;
        return 1;
    }
    return parse_double_slow(s, len, out, overflow);
}

/* ---------------------------------------------------------------------------------------------- */
/* Writing                                                                                        */

int csv_writer_init(csv_writer *w, FILE *out, const char *name, char delim, int crlf)
{
    unsigned char d = (unsigned char)delim;
    if (!delim_ok(d) || (d >= '0' && d <= '9') || strchr(".+-eE", d))
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
