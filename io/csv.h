/* csv.h — streaming RFC 4180 CSV reader, strict number parser and CSV writer.
 *
 * CSV is how customer tables arrive and how scores leave, so this is the one place that knows CSV's
 * rules: quoted fields holding delimiters, doubled quotes and newlines; CRLF, LF or lone CR line ends;
 * a UTF-8 byte order mark (stripped); a configurable delimiter. The reader streams through a fixed
 * read buffer, so its memory depends on the longest record (bounded by csv_options.max_record), never
 * on the length of the file; it hands out views into that buffer instead of copies. It validates UTF-8
 * and the field count of every record, and after a bad record it can go on with the next one, which
 * is what `--on-bad-row skip` needs. What a field means (missing, number, category) is decided by the
 * caller: the reader says only what the bytes were and whether they were quoted; csv_field_missing and
 * csv_parse_double are the helpers for that decision. The schema checks live elsewhere in io/.
 *
 * Errors are reported through model/status.h; messages name the file, the physical line (1-based,
 * the header is line 1) and, where it helps, the column (1-based, in characters).
 */
#ifndef CS_CSV_H
#define CS_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Returned by csv_next at the end of the input. Not an error (the status message is untouched); it
 * is negative so it can never be mistaken for a code of the status enum. */
#define CSV_END (-1)

#define CSV_BUFFER_SIZE ((size_t)1 << 20) /* default read buffer: 1 MiB */
#define CSV_MAX_RECORD ((size_t)16 << 20) /* default limit on one record: 16 MiB */
#define CSV_MAX_FIELDS ((size_t)1 << 20)  /* default limit on the fields of one record */

/* One field: a view of its bytes, without the enclosing quotes and with doubled quotes collapsed.
 * Not NUL-terminated (except in csv_header's copy); may contain any byte but holds valid UTF-8. */
typedef struct {
    const char *data;
    size_t len;
    int quoted; /* 1 if the field was enclosed in quotes: "" and "NA" are then text, not missing */
} csv_field;

/* One record. Views stay valid until the next csv_next call or csv_reader_free. */
typedef struct {
    const csv_field *fields;
    size_t nfields;
    size_t line; /* physical line where the record starts (1-based; the header is line 1) */
} csv_record;

typedef struct {
    char delim;         /* field delimiter; not '"', CR, LF, NUL or a byte >= 0x80 (default ',') */
    int header;         /* 1 (default): the first record is a header, read by the open call */
    size_t buffer_size; /* bytes read at a time (default CSV_BUFFER_SIZE; values below 16 act as 16) */
    size_t max_record;  /* longest record in bytes, terminator excluded (default CSV_MAX_RECORD) */
    size_t max_fields;  /* most fields in one record (default CSV_MAX_FIELDS) */
} csv_options;

typedef struct csv_reader csv_reader;

/* Fills opt with the defaults above. */
void csv_options_init(csv_options *opt);

/* Opens path for reading ("-" is standard input, which is not closed by csv_reader_free). opt may be
 * NULL for the defaults. When opt->header is set, the header is read here, and an empty file, or a
 * header with bad UTF-8 or quoting, fails the open. On success *out owns the file and is freed with
 * csv_reader_free. On failure *out is NULL and the code is CS_EINVAL (bad option), CS_EIO (cannot
 * open or read), CS_ENOMEM, CS_EFORMAT or CS_EDATA (bad header). */
int csv_reader_open(const char *path, const csv_options *opt, csv_reader **out);

/* As csv_reader_open, reading an open file descriptor with read(2) or a stream with fread; name is
 * used in messages and copied. The descriptor or stream is borrowed: the caller closes it after
 * csv_reader_free. Reading a stream others also read from gives undefined results. */
int csv_reader_open_fd(int fd, const char *name, const csv_options *opt, csv_reader **out);
int csv_reader_open_file(FILE *f, const char *name, const csv_options *opt, csv_reader **out);

/* As csv_reader_open over len bytes in memory, without copying them: buf must outlive the reader
 * and is never written. opt->buffer_size is ignored. For tests, fuzzing and small inputs. */
int csv_reader_open_mem(const char *buf, size_t len, const char *name, const csv_options *opt,
                        csv_reader **out);

/* One part of a file read in parallel (csv_split.c finds the parts): the records that start in
 * [offset, limit). offset is where a record starts, line its physical line, ncols the header's field
 * count (0: taken from the first record). The last record may run past limit; a record starting at
 * or past limit is the next part's, so csv_next returns CSV_END there, and csv_position then tells
 * whether the part ended exactly at limit (a last record that ran past it means the parts were not
 * cut at record boundaries, which only a file with misplaced quotes can cause). */
typedef struct {
    uint64_t offset, limit;
    size_t line;
    size_t ncols;
} csv_range;

/* As csv_reader_open (not standard input) and csv_reader_open_mem, reading the records of rg: no byte
 * order mark, no header (csv_header gives NULL), field counts checked against rg->ncols, lines
 * counted from rg->line, offsets (csv_offset) those of the whole input. csv_reader_open_mem_range with
 * rg NULL is csv_reader_open_mem. */
int csv_reader_open_range(const char *path, const csv_options *opt, const csv_range *rg,
                          csv_reader **out);
int csv_reader_open_mem_range(const char *buf, size_t len, const char *name, const csv_options *opt,
                              const csv_range *rg, csv_reader **out);

/* The input offset and physical line of the first byte not consumed yet: after the open call, where
 * the data records start. */
void csv_position(const csv_reader *r, uint64_t *offset, size_t *line);

/* ---- Splitting a file into parts at record boundaries (csv_split.c) ----
 * In RFC 4180 a byte lies inside quotes exactly when an odd number of quote characters come before
 * it, so a part's starting quote state is the parity of the quotes of all parts before it (an
 * exclusive scan of csv_split_count's counts), and its first record starts right after its first line
 * end outside quotes. Line numbers are counted the same way: a line end is an LF, or a CR not followed
 * by an LF, inside quotes or not. */
typedef struct {
    uint64_t quotes; /* quote bytes */
    uint64_t lines;  /* line ends */
} csv_split_counts;

/* Counts the quotes and line ends of buf[0..n); next is the byte after it (-1: the end of the input),
 * which decides whether a CR at the end is a line end. Adds to *c. */
void csv_split_count_mem(const char *buf, size_t n, int next, csv_split_counts *c);
/* The first record start p in buf[0..n): the byte before p (prev for p = 0, -1 when there is none) is
 * a line end outside quotes. inquote is the quote parity before buf[0]. Returns p, or n when there is
 * none (then *c holds the counts of all of buf); *c receives the quotes and line ends of buf[0..p). */
size_t csv_split_find_mem(const char *buf, size_t n, int prev, int next, int inquote,
                          csv_split_counts *c);
/* The same over bytes [from, to) of a file, read with pread (CS_EIO naming the file). count adds to
 * *c; find zeroes *c first, and sets *start to to when there is no record start in the part (from 0
 * never holds one: the caller knows where the data starts). */
int csv_split_count_file(const char *path, uint64_t from, uint64_t to, csv_split_counts *c);
/* count_file maps the part window bytes at a time (64 MiB: what stays resident); for the tests. */
int csv_split_count_file_window(const char *path, uint64_t from, uint64_t to, uint64_t window,
                                csv_split_counts *c);
int csv_split_find_file(const char *path, uint64_t from, uint64_t to, int inquote, uint64_t *start,
                        csv_split_counts *c);

/* Frees the reader and everything it handed out; closes the file only if csv_reader_open opened it.
 * Accepts NULL. */
void csv_reader_free(csv_reader *r);

/* The header read by the open call (its fields are NUL-terminated copies owned by the reader), or
 * NULL when opt->header was 0. */
const csv_record *csv_header(const csv_reader *r);

/* Reads the next record into *rec (views valid until the next call). Empty physical lines are skipped
 * (so a one-column file must spell a missing value NA or ""). Returns:
 *   CS_OK      a record, with as many fields as the header (without a header: as the first record
 *              read without error);
 *   CSV_END    no more records;
 *   CS_EDATA   a bad record: wrong field count, invalid UTF-8, a quote inside an unquoted field or
 *              text after a closing quote. The message names the line (and column). The record has
 *              been consumed: the next call reads the record after it, so a caller may skip it;
 *   CS_EFORMAT an opening quote never closed before the end of the file (the message says where it
 *              opened). Skipping one row would silently drop the rest of the file, so this is final;
 *   CS_EDATA   (final, csv_failed(r) is then non-zero) a record longer than max_record bytes or with
 *              more than max_fields fields (often an unclosed quote too): the message names the line
 *              and the limit; it cannot be skipped, since its end is not known;
 *   CS_ENOMEM  an allocation failure; final;
 *   CS_EIO     a read failed; final.
 * After a final error every further call returns the same code. *rec is set only on CS_OK. */
int csv_next(csv_reader *r, csv_record *rec);
/* Non-zero (the code) once a final error stopped the reader: a CS_EDATA from csv_next is then not a
 * record that can be skipped. */
int csv_failed(const csv_reader *r);

/* The physical line where the last record returned or rejected by csv_next (or the header) starts. */
size_t csv_line(const csv_reader *r);

/* Bytes of the input consumed so far, the byte order mark included: for progress reports. */
uint64_t csv_offset(const csv_reader *r);

/* The number of fields every record must have (0 until the header or first good record is read). */
size_t csv_nfields(const csv_reader *r);

/* The name used in messages (the path, or the name given to the other open calls). */
const char *csv_name(const csv_reader *r);

/* 1 if the field is a missing value by churnscore's convention: empty (quoted or not) or an unquoted
 * NA. A quoted "NA" is the text NA. Callers with another convention test the field themselves. */
static inline int csv_field_missing(const csv_field *f)
{
    /* inline: it is asked of every field of every pass */
    return f->len == 0 || (!f->quoted && f->len == 2 && f->data[0] == 'N' && f->data[1] == 'A');
}

/* Parses s[0..len) as a decimal number: optional sign, digits with an optional decimal point (at
 * least one digit in all), optional exponent (e or E, optional sign, digits). Nothing else: no
 * spaces, no trailing text, no hex, inf or nan. Returns 1 and sets *out (correctly rounded, the same
 * bits as strtod) when the text is such a number and its value is finite (overflow returns 0;
 * underflow gives 0 or a subnormal); returns 0 otherwise, leaving *out alone and the status message
 * untouched, so that the caller can word the error with its line and column. s need not be
 * NUL-terminated. Most numbers take an exact fast path; the others go to strtod, which assumes the C
 * locale (churnscore never calls setlocale). */
static inline int csv_parse_double(const char *s, size_t len, double *out);
/* csv_parse_double without its inline fast path (csv_number.c): the same answers. */
int csv_parse_double_general(const char *s, size_t len, double *out);
extern const double csv_pow10_exact[23]; /* 10^0 .. 10^22, each an exact double */

/* The fast path of csv_parse_double, inline because an import asks it of every field (issue 20: the
 * call and its saved registers were a third of the parser's time): one digit; or a sign, at most 19
 * digits with at most one point, no exponent, in one loop whose only rare branch is the point. m <
 * 10^19 then holds every digit exactly, and Clinger's condition (m <= 2^53, one division by an exact
 * power of ten) gives strtod's bits. 0 leaves the field to the general parser, *out untouched. */
static inline int csv_parse_double_fast(const char *s, size_t len, double *out)
{
    const unsigned char *p = (const unsigned char *)s, *const end = p + len;
    if (len == 1 && (unsigned)(*p - '0') < 10) {
        *out = (double)(*p - '0');
        return 1;
    }
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    const unsigned char *d0 = p, *dot = NULL;
    uint64_t m = 0;
    for (; p < end; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d < 10) m = m * 10 + d;
        else if (*p == '.' && !dot) dot = p;
        else break;
    }
    size_t ndig = (size_t)(end - d0) - (dot != NULL);
    if (p != end || ndig < 1 || ndig > 19) return 0;
    long e10 = dot ? -(long)(end - dot - 1) : 0;
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return 1;
    }
    if (m > ((uint64_t)1 << 53) || e10 < -22) return 0;
    double v = (double)m;
    if (e10 < 0) v /= csv_pow10_exact[-e10];
    *out = neg ? -v : v;
    return 1;
}

static inline int csv_parse_double(const char *s, size_t len, double *out)
{
    return csv_parse_double_fast(s, len, out) || csv_parse_double_general(s, len, out);
}
/* 1 when s is a number that is not a finite double: by csv_parse_double's grammar but beyond the
 * double range (1e400, -2e308), or inf, infinity, nan (any case, optional sign); 0 otherwise. Such a
 * field is a number the file holds, out of range, not text that makes its column a category. */
int csv_number_overflows(const char *s, size_t len);

/* A CSV writer over a stream the caller owns (and opens under a temporary name, and renames when
 * complete). Fields are separated by delim and rows end in LF, or CRLF when crlf is set. The caller
 * owns the struct; there is nothing to free. */
typedef struct {
    FILE *out;
    const char *name; /* borrowed, for messages */
    char delim;
    int crlf;
    size_t col; /* fields written in the current row */
    int blank;  /* the last field written was missing (empty) */
} csv_writer;

/* Prepares w. Returns CS_EINVAL for a delimiter that could be confused with the quote, a line end or
 * a number: '"', CR, LF, NUL, bytes >= 0x80, digits, '.', '+', '-', 'e', 'E'. */
int csv_writer_init(csv_writer *w, FILE *out, const char *name, char delim, int crlf);

/* Writes a text field, quoted when RFC 4180 requires it (it holds the delimiter, a quote, CR or LF)
 * and also when it is empty or is NA, so that csv_field_missing does not read it back as missing, or
 * starts with U+FEFF, which would otherwise be stripped as a byte order mark at the start of a file.
 * Spreadsheet safety: text starting with = + - @ TAB or CR gets a leading apostrophe, so that a
 * spreadsheet shows it instead of running it as a formula (CWE-1236). Numbers must therefore be written
 * through csv_write_double or csv_write_long, which are never altered. Returns CS_EIO if the write
 * fails. */
int csv_write_text(csv_writer *w, const char *s, size_t len);

/* Writes a number in the shortest of %.15g, %.16g and %.17g that reads back to the same double; NaN
 * is written as a missing value (an empty field). Returns CS_EDATA for an infinity (it would not read
 * back) and CS_EIO if the write fails. */
int csv_write_double(csv_writer *w, double v);
int csv_write_long(csv_writer *w, long long v);

/* Writes s[0..len), a number the caller formatted itself (a fixed number of decimals, say), as it is:
 * never quoted, never given the apostrophe a text starting with '-' gets. CS_EINVAL when s is not a
 * finite number by csv_parse_double's grammar (so no text can pass as a number); CS_EIO. */
int csv_write_number(csv_writer *w, const char *s, size_t len);

/* Writes an empty field, read back as missing (a row holding only a missing value is written as "",
 * since readers skip empty lines). */
int csv_write_missing(csv_writer *w);

/* Ends the row (a row without fields is an empty line, which readers skip). Returns CS_EIO if the
 * write fails. */
int csv_write_row_end(csv_writer *w);

#endif
