/* csv_parse.c — one CSV record parsed in place (the reader's inner loop; see csv_read.c for how the
 * buffer around it is filled and why a record that runs past it is parsed again from its start).
 *
 * The few bytes that matter (delimiter, quote, CR, LF, and bytes >= 0x80 that start a UTF-8
 * sequence) are found through a 256-entry class table, so plain numeric text costs one table load per
 * byte. Faults that leave the stream readable (invalid UTF-8, a bare quote, text after a closing
 * quote, too many fields) reject the record once its end is known, so the reader resumes after it;
 * a record longer than max_record stops the reader.
 */
#include "csv_int.h"

#include "status.h"

#include <stdlib.h>
#include <string.h>

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

/* The first byte of [p, end) whose class in cls is not 0 (or end). With SSE2 the bytes that matter
 * are found 64 at a time as bit masks (a quote, CR or LF, or a byte with the high bit set, which
 * starts a UTF-8 sequence; and, outside quotes, the delimiter): exactly the bytes of a non-zero class,
 * so the answer is the table's. One window of masks serves every field it covers, so a short field
 * costs a shift and a count of trailing zeros instead of a pass over its bytes (issue 20: the table
 * loop was a quarter of an import). The window lives in one parse of one record: a refill moves the
 * buffer between parses, never during one. */
#if defined(__SSE2__)
#include <emmintrin.h>
typedef struct {
    const unsigned char *base; /* NULL: no window yet */
    uint64_t other, delim;     /* bit i: base[i] is special inside quotes / is the delimiter */
} scan_win;

static inline uint32_t win_bits(__m128i b, __m128i vq, __m128i vl, __m128i vc)
{
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, vq), _mm_cmpeq_epi8(b, vl)), _mm_cmpeq_epi8(b, vc));
    return (uint32_t)_mm_movemask_epi8(_mm_or_si128(m, b)); /* b: its high bits */
}

static inline void win_load(scan_win *w, const unsigned char *p, __m128i vd)
{
    const __m128i vq = _mm_set1_epi8('"'), vl = _mm_set1_epi8('\n'), vc = _mm_set1_epi8('\r');
    uint64_t o = 0, d = 0;
    for (int k = 0; k < 4; k++) {
        __m128i b = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        o |= (uint64_t)win_bits(b, vq, vl, vc) << (16 * k);
        d |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vd)) << (16 * k);
    }
    w->base = p;
    w->other = o;
    w->delim = d;
}

static inline const unsigned char *win_skip(scan_win *w, const unsigned char *p, const unsigned char *end,
                                            const unsigned char *cls, __m128i vd, int quoted)
{
    for (;;) {
        if (!w->base || p < w->base || p >= w->base + 64) {
            if (end - p < 64) {
                while (p < end && !cls[*p]) p++;
                return p;
            }
            win_load(w, p, vd);
        }
        uint64_t m = (quoted ? w->other : (w->other | w->delim)) >> (p - w->base);
        if (m) return p + __builtin_ctzll(m);
        p = w->base + 64;
    }
}
#define SKIP_PLAIN(p, end, cls, quoted) win_skip(&win, (p), (end), (cls), vdelim, (quoted))
#else
static inline const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end,
                                              const unsigned char *cls)
{
    while (p < end && !cls[*p]) p++;
    return p;
}
#define SKIP_PLAIN(p, end, cls, quoted) skip_plain((p), (end), (cls))
#endif

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
int csv_parse_record(csv_reader *r)
{
    const unsigned char *const buf = r->buf;
    const unsigned char *p = buf + r->pos;
    const unsigned char *const end = buf + r->len;
    const unsigned char *const ucls = r->ucls, *const qcls = r->qcls;
    const unsigned char delim = r->delim;
    const int eof = r->eof;
#if defined(__SSE2__)
    const __m128i vdelim = _mm_set1_epi8((char)delim);
    scan_win win = {NULL, 0, 0};
#endif

    /* Empty physical lines carry no record. A range reader stops where the next range's first
     * record starts (csv_split.c); that offset is never between a CR and its LF. */
    for (;;) {
        if (r->base + (uint64_t)(p - buf) >= r->limit) {
            r->pos = (size_t)(p - buf);
            return CSV_END;
        }
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
#if defined(__SSE2__)
        /* Runs of plain fields inside the current window: a field whose next special byte is the
         * delimiter holds no quote, CR, LF or UTF-8 to check, so it is the bytes up to that bit.
         * Whatever else comes next (a quote, the record's end, a field past the window) takes the
         * loop below. Taking the bits straight from the masks skips the class table and the window
         * checks per field: the field loop was a seventh of an import (issue 20). */
        if (win.base && p >= win.base) {
            size_t at = (size_t)(p - win.base);
            while (at < 64 && nf < r->fcap) {
                uint64_t rest = (win.other | win.delim) >> at;
                if (!rest) break;
                unsigned k = (unsigned)__builtin_ctzll(rest);
                if (!((win.delim >> (at + k)) & 1)) break;
                fields[nf].data = (const char *)p;
                fields[nf].len = k;
                fields[nf].quoted = 0;
                nf++;
                p += k + 1;
                at += k + 1;
            }
        }
#endif
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
                p = SKIP_PLAIN(p, end, qcls, 1);
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
            p = SKIP_PLAIN(p, end, ucls, 0);
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
                        r->rec_line, nf, nf == 1 ? "" : "s", r->has_header || r->header_known ? "header" : "first record",
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

