/* fuzz_csv.c — libFuzzer target for the CSV reader (io/csv_*.c). Built and run by scripts/fuzz-csv.sh.
 *
 * Each input is two control bytes followed by the CSV text. The control bytes pick the delimiter,
 * whether there is a header, a small read buffer and sometimes small record and field limits. The
 * text is read twice in lockstep: by the in-memory reader and by the streaming reader through a
 * FILE* with that small buffer, so every record straddles refills somewhere. The two must agree on
 * every return code, message, line, offset and field. Beyond the sanitizers, the target also checks
 * that every field handed out is valid UTF-8 (with a decoder written independently of csv.c), that
 * csv_parse_double accepts exactly what strtod parses completely to a finite value over the number
 * alphabet and returns the same bits, that csv_write_double writes every such number so that it
 * parses back to the same bits, and that a record written by csv_writer reads back the same; and
 * that the input cut into parts at record boundaries found by quote parity, as a parallel import
 * reads it, gives the same records and messages (check_parts).
 */
#include "csv.h"
#include "status.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_csv.c:%d: check failed: %s (status: %s)\n", __LINE__, #cond,    \
                    status_message());                                                             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Independent UTF-8 check: decode each sequence and reject overlongs, surrogates and > U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (i + k >= n) return 0; /* truncated */
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += k + 1;
    }
    return 1;
}

/* Reference for csv_parse_double: strtod consumes everything, the result is finite, and only the
 * characters of decimal numbers occur (which rules out spaces, hex, inf and nan). */
static int ref_parse(const char *s, size_t len, double *out)
{
    if (len == 0 || len > 4096) return -1; /* -1: no opinion */
    for (size_t i = 0; i < len; i++)
        if (!memchr("0123456789+-.eE", s[i], 15)) return 0;
    char *copy = malloc(len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    char *endp;
    double v = strtod(copy, &endp);
    int ok = endp == copy + len && isfinite(v);
    free(copy);
    if (ok) *out = v;
    return ok;
}

static void check_number(const csv_field *f)
{
    double a = 12.5, b = 0;
    int got = csv_parse_double(f->data, f->len, &a);
    int want = ref_parse(f->data, f->len, &b);
    if (want < 0) return;
    CHECK(got == want);
    if (!got) return;
    CHECK(memcmp(&a, &b, sizeof a) == 0);

    /* csv_write_double writes it back in a form that parses to the same bits. */
    char *text = NULL;
    size_t tlen = 0;
    FILE *m = open_memstream(&text, &tlen);
    CHECK(m);
    csv_writer w;
    CHECK(csv_writer_init(&w, m, "number", ',', 0) == CS_OK);
    CHECK(csv_write_double(&w, a) == CS_OK);
    fclose(m);
    double c = 0;
    CHECK(csv_parse_double(text, tlen, &c));
    CHECK(memcmp(&a, &c, sizeof a) == 0);
    free(text);
}

/* Writes rec with csv_writer and reads it back with the same delimiter. */
static void check_roundtrip(const csv_record *rec, char delim)
{
    char *text = NULL;
    size_t tlen = 0;
    FILE *m = open_memstream(&text, &tlen);
    CHECK(m);
    csv_writer w;
    CHECK(csv_writer_init(&w, m, "roundtrip", delim, delim == ';') == CS_OK);
    for (size_t i = 0; i < rec->nfields; i++)
        CHECK(csv_write_text(&w, rec->fields[i].data, rec->fields[i].len) == CS_OK);
    CHECK(csv_write_row_end(&w) == CS_OK);
    fclose(m);

    csv_options opt;
    csv_options_init(&opt);
    opt.delim = delim;
    opt.header = 0;
    csv_reader *r;
    CHECK(csv_reader_open_mem(text, tlen, "roundtrip", &opt, &r) == CS_OK);
    csv_record back;
    CHECK(csv_next(r, &back) == CS_OK);
    CHECK(back.nfields == rec->nfields);
    for (size_t i = 0; i < rec->nfields; i++) {
        const csv_field *o = &rec->fields[i], *b = &back.fields[i];
        int formula = o->len > 0 && memchr("=+-@\t\r", o->data[0], 6);
        CHECK(b->len == o->len + (size_t)formula);
        if (formula) CHECK(b->data[0] == '\'');
        CHECK(memcmp(b->data + formula, o->data, o->len) == 0);
    }
    CHECK(csv_next(r, &back) == CSV_END);
    csv_reader_free(r);
    free(text);
}

/* The parallel import's reading (issue 20): the data after the header cut at up to three offsets
 * picked from the input's bytes, each part's first record found by the quote-parity rule
 * (csv_split_count_mem, csv_split_find_mem) and read by a range reader. In lockstep with one reader
 * of the whole input, the parts must give the same records, errors, messages and lines, up to the
 * first final error, unless a part ends past the next one's start (the cut was not a record boundary:
 * the import then reads serially), which only a file with an error before it may cause. */
typedef struct {
    const char *text;
    size_t n, nparts, k;
    uint64_t start[5]; /* part k: records starting in [start[k], start[k+1]) */
    size_t line[5];
    const csv_options *opt;
    size_t ncols;
    csv_reader *r;
    int misaligned;
} parts;

static void parts_cut(parts *ps, const char *text, size_t n, const csv_options *opt, size_t ncols,
                      uint64_t data, size_t line0)
{
    memset(ps, 0, sizeof *ps);
    ps->text = text;
    ps->n = n;
    ps->opt = opt;
    ps->ncols = ncols;
    uint64_t cut[4] = {data, 0, 0, 0};
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)text[i]) * 16777619u;
    size_t nc = 1 + h % 3; /* 2 to 4 parts */
    for (size_t k = 1; k <= nc; k++) {
        h = h * 1103515245u + 12345u;
        cut[k] = data + (n > data ? (h >> 8) % (n - data + 1) : 0);
    }
    for (size_t a = 1; a <= nc; a++) /* sorted */
        for (size_t b = a + 1; b <= nc; b++)
            if (cut[b] < cut[a]) { uint64_t t = cut[a]; cut[a] = cut[b]; cut[b] = t; }
    /* quote parity and lines before each cut, then each range's first record start */
    csv_split_counts before = {0, 0};
    uint64_t found[5];
    size_t fline[5];
    for (size_t k = 0; k <= nc; k++) {
        uint64_t b0 = cut[k], b1 = k < nc ? cut[k + 1] : n;
        if (k == 0) {
            found[0] = data;
            fline[0] = line0;
        } else {
            csv_split_counts c = {0, 0};
            size_t i = csv_split_find_mem(text + b0, (size_t)(b1 - b0), b0 > 0 ? (uint8_t)text[b0 - 1] : -1,
                                          b1 < n ? (uint8_t)text[b1] : -1, (int)(before.quotes & 1), &c);
            found[k] = b0 + i < b1 ? b0 + i : UINT64_MAX;
            fline[k] = line0 + (size_t)before.lines + (size_t)c.lines;
        }
        csv_split_count_mem(text + b0, (size_t)(b1 - b0), b1 < n ? (uint8_t)text[b1] : -1, &before);
    }
    /* the count of the whole data equals the sum of the parts' */
    csv_split_counts all = {0, 0};
    csv_split_count_mem(text + data, n - data, -1, &all);
    CHECK(all.quotes == before.quotes && all.lines == before.lines);
    for (size_t k = 0; k <= nc; k++) {
        if (found[k] == UINT64_MAX) continue;
        ps->start[ps->nparts] = found[k];
        ps->line[ps->nparts] = fline[k];
        ps->nparts++;
    }
    ps->start[ps->nparts] = n;
}

/* The next record of the parts, as csv_next; -100 once a part ended past the next one's start. */
static int parts_next(parts *ps, csv_record *rec)
{
    for (;;) {
        if (ps->k == ps->nparts) return CSV_END;
        if (!ps->r) {
            csv_range rg = {.offset = ps->start[ps->k], .limit = ps->start[ps->k + 1],
                            .line = ps->line[ps->k], .ncols = ps->ncols};
            CHECK(csv_reader_open_mem_range(ps->text, ps->n, "fuzz", ps->opt, &rg, &ps->r) == CS_OK);
        }
        int rc = csv_next(ps->r, rec);
        if (rc != CSV_END) return rc;
        uint64_t off;
        size_t line;
        csv_position(ps->r, &off, &line);
        csv_reader_free(ps->r);
        ps->r = NULL;
        if (off != ps->start[ps->k + 1]) {
            ps->misaligned = 1;
            return -100;
        }
        ps->k++;
    }
}

static void check_parts(const char *text, size_t n, const csv_options *opt)
{
    csv_reader *a = NULL;
    status_clear();
    if (csv_reader_open_mem(text, n, "fuzz", opt, &a) != CS_OK) return;
    uint64_t data;
    size_t line0;
    csv_position(a, &data, &line0);
    parts ps;
    parts_cut(&ps, text, n, opt, csv_nfields(a), data, line0);
    int errors = 0;
    char msg[2048];
    for (int steps = 0; steps < 100000; steps++) {
        csv_record x, y;
        status_clear();
        int rx = csv_next(a, &x);
        snprintf(msg, sizeof msg, "%s", status_reason());
        int final = rx != CS_OK && rx != CSV_END && (rx != CS_EDATA || csv_failed(a));
        status_clear();
        int ry = parts_next(&ps, &y);
        if (ry == -100) {
            CHECK(errors > 0); /* a wrong cut needs a misplaced quote before it */
            break;
        }
        CHECK(rx == ry);
        CHECK(strcmp(msg, status_reason()) == 0);
        if (rx == CS_OK) {
            CHECK(x.nfields == y.nfields && x.line == y.line);
            for (size_t i = 0; i < x.nfields; i++) {
                CHECK(x.fields[i].len == y.fields[i].len && x.fields[i].quoted == y.fields[i].quoted);
                CHECK(memcmp(x.fields[i].data, y.fields[i].data, x.fields[i].len) == 0);
            }
        }
        errors += rx != CS_OK && rx != CSV_END;
        if (rx == CSV_END || final) break;
    }
    csv_reader_free(ps.r);
    csv_reader_free(a);
}

/* The input as a file of its own, opened by path: a regular file is read through a mapped window
 * (SRC_MAP in csv_read.c), which must give what the in-memory reader gives. Its messages name the
 * path where the others name "fuzz" (same_msg). */
static char fuzz_path[64];
static void unlink_path(void) { unlink(fuzz_path); }

static int open_path(const char *text, size_t n, const csv_options *opt, csv_reader **r)
{
    if (!fuzz_path[0]) {
        snprintf(fuzz_path, sizeof fuzz_path, "/tmp/fuzz_csv_%ld.csv", (long)getpid());
        atexit(unlink_path);
    }
    FILE *f = fopen(fuzz_path, "wb");
    CHECK(f && fwrite(text, 1, n, f) == n && fclose(f) == 0);
    return csv_reader_open(fuzz_path, opt, r);
}

/* Whether the path reader's message m is a's message am, the name "fuzz" read as the path. */
static int same_msg(const char *am, const char *m)
{
    if (strncmp(am, "fuzz", 4) != 0) return strcmp(am, m) == 0;
    size_t pl = strlen(fuzz_path);
    return strncmp(m, fuzz_path, pl) == 0 && strcmp(am + 4, m + pl) == 0;
}

/* The next record of reader o against a's (rx, *x, a's message amsg): the same code, message (by
 * path: the path where a says "fuzz"), line, offset and fields. */
static void check_next_same(csv_reader *a, int rx, const csv_record *x, const char *amsg, csv_reader *o,
                            int by_path)
{
    csv_record y;
    status_clear();
    int ry = csv_next(o, &y);
    CHECK(rx == ry);
    CHECK(by_path ? same_msg(amsg, status_reason()) : strcmp(amsg, status_reason()) == 0);
    CHECK(csv_line(a) == csv_line(o));
    CHECK(csv_offset(a) == csv_offset(o));
    if (rx != CS_OK) return;
    CHECK(x->nfields == y.nfields && x->line == y.line);
    for (size_t i = 0; i < x->nfields; i++) {
        CHECK(x->fields[i].len == y.fields[i].len);
        CHECK(x->fields[i].quoted == y.fields[i].quoted);
        CHECK(memcmp(x->fields[i].data, y.fields[i].data, x->fields[i].len) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[8] = {',', ';', '\t', '|', ' ', ':', 'x', '\x01'};
    if (size < 2) return 0;
    csv_options opt;
    csv_options_init(&opt);
    opt.delim = delims[data[0] & 7];
    opt.header = data[1] & 1;
    opt.buffer_size = 16 + ((data[1] >> 1) & 63);
    if (data[1] & 0x80) {
        opt.max_record = 1 + (data[0] >> 3);       /* 1 to 32 bytes */
        opt.max_fields = 1 + ((data[0] >> 3) & 7); /* 1 to 8 fields */
    }
    const char *text = (const char *)data + 2;
    size_t n = size - 2;

    csv_reader *a = NULL, *b = NULL;
    FILE *f = n > 0 ? fmemopen((void *)(uintptr_t)text, n, "r") : NULL;
    status_clear();
    int ra = csv_reader_open_mem(text, n, "fuzz", &opt, &a);
    char msg[2048];
    snprintf(msg, sizeof msg, "%s", status_reason());
    if (f) {
        status_clear();
        int rb = csv_reader_open_file(f, "fuzz", &opt, &b);
        CHECK(ra == rb);
        CHECK(strcmp(msg, status_reason()) == 0);
    }
    csv_reader *c = NULL;
    status_clear();
    int rc0 = open_path(text, n, &opt, &c);
    CHECK(ra == rc0);
    CHECK(same_msg(msg, status_reason()));
    if (ra != CS_OK) {
        CHECK(!a && !b && !c);
        if (f) fclose(f);
        return 0;
    }
    if (opt.header) {
        const csv_record *ha = csv_header(a);
        CHECK(ha && ha->nfields == csv_nfields(a) && ha->line >= 1);
        for (size_t i = 0; i < ha->nfields; i++) {
            CHECK(ha->fields[i].data[ha->fields[i].len] == '\0');
            CHECK(utf8_valid((const unsigned char *)ha->fields[i].data, ha->fields[i].len));
        }
        if (b) CHECK(csv_header(b)->nfields == ha->nfields);
        CHECK(csv_header(c)->nfields == ha->nfields);
    } else {
        CHECK(csv_header(a) == NULL);
    }

    for (int steps = 0; steps < 100000; steps++) {
        csv_record x;
        status_clear();
        int rx = csv_next(a, &x);
        snprintf(msg, sizeof msg, "%s", status_reason());
        if (b) check_next_same(a, rx, &x, msg, b, 0);
        check_next_same(a, rx, &x, msg, c, 1);
        if (rx == CS_OK) {
            CHECK(x.nfields == csv_nfields(a) && x.nfields >= 1 && x.line == csv_line(a));
            for (size_t i = 0; i < x.nfields; i++) {
                CHECK(utf8_valid((const unsigned char *)x.fields[i].data, x.fields[i].len));
                check_number(&x.fields[i]);
                (void)csv_field_missing(&x.fields[i]);
            }
            if (opt.delim != 'x' && opt.delim != '\x01') check_roundtrip(&x, opt.delim);
            continue;
        }
        if (rx == CS_EDATA && !csv_failed(a)) continue;
        CHECK(rx == CSV_END || rx == CS_EFORMAT || rx == CS_ENOMEM || rx == CS_EDATA);
        if (rx != CSV_END) { /* final: the same code again */
            CHECK(csv_next(a, &x) == rx);
        } else {
            CHECK(csv_offset(a) == n);
        }
        break;
    }
    csv_reader_free(a);
    csv_reader_free(b);
    csv_reader_free(c);
    if (f) fclose(f);
    if (opt.header) check_parts(text, n, &opt); /* the import always has a header */
    return 0;
}
