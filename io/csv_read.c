/* csv_read.c — the streaming RFC 4180 CSV reader: opening, the buffer, the header, csv_next (csv.h).
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
 * A regular file is not copied into the buffer but mapped a window at a time (SRC_MAP): the buffer
 * is then a read-only view of the page cache, and a refill maps a new window from the pending
 * record's first byte instead of moving it and reading after it. The same bytes reach the same parse,
 * without the copy read(2) makes (issue 20: a tenth of an import's time, and a second pass of the
 * bytes through the cache). Only the window is mapped, so memory stays what the buffer's was. The
 * file's size is taken at the open: bytes appended later are not read, and a file cut shorter while
 * it is read stops the program with SIGBUS, as any mapping of it would (CS_CSV_MMAP=0: read(2)).
 *
 * The in-memory reader is the same code with the whole input as its buffer and the end of the file
 * already reached, which is what lets the fuzz target (tests/fuzz/fuzz_csv.c) check that the streaming
 * path gives exactly the answers of the in-memory one for every buffer size.
 *
 * The parse of one record is in csv_parse.c, numbers in csv_number.c, the writer in csv_write.c.
 */
#include "csv_int.h"

#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (r->src == SRC_MAP) {
        if (r->maplen) munmap(r->map, r->maplen);
    } else if (r->src != SRC_MEM) {
        free(r->buf);
    }
    if (r->own_fd) close(r->fd);
    free(r->name);
    free(r->fields);
    free(r->scratch);
    free(r->hfields);
    free(r->hdata);
    free(r);
}

int csv_delim_ok(unsigned char d)
{
    return d != '"' && d != '\r' && d != '\n' && d != '\0' && d < 0x80;
}

/* SRC_MAP's refill: a window of up to cap bytes from the pending record's first byte (its start
 * rounded down to a page), mapped with its pages, the previous one unmapped. The window grows as the
 * buffer does, while the pending record fills more than half of it. */
static int reader_map(csv_reader *r)
{
    uint64_t at = r->base + r->pos;
    size_t pending = r->len - r->pos;
    if (pending > r->cap / 2 && r->cap < r->cap_max) r->cap = r->cap * 2 < r->cap_max ? r->cap * 2 : r->cap_max;
    if (pending == r->cap)
        return CS_ERROR(CS_EINTERNAL, "%s, line %zu: read buffer full without a record limit error",
                        r->name, r->line);
    uint64_t avail = r->fsize > at ? r->fsize - at : 0;
    size_t want = avail < r->cap ? (size_t)avail : r->cap;
    static size_t page;
    if (!page) page = (size_t)sysconf(_SC_PAGESIZE);
    uint64_t start = at / page * page;
    if (r->maplen) munmap(r->map, r->maplen);
    r->map = NULL;
    r->maplen = 0;
    r->buf = (unsigned char *)(uintptr_t)""; /* no bytes until the mapping below */
    r->base = at;
    r->pos = r->len = 0;
    if (want > 0) {
        size_t len = (size_t)(at - start) + want;
        void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, r->fd, (off_t)start);
        if (m == MAP_FAILED)
            return CS_ERROR(CS_EIO, "%s: cannot map bytes %llu to %llu: %s", r->name,
                            (unsigned long long)at, (unsigned long long)(at + want), strerror(errno));
        r->map = m;
        r->maplen = len;
        r->buf = (unsigned char *)m + (at - start);
        r->len = want;
        /* the next window's pages, read ahead while this one is parsed (nothing to do when cached) */
        if (at + want < r->fsize) (void)posix_fadvise(r->fd, (off_t)(at + want), (off_t)r->cap, POSIX_FADV_WILLNEED);
    }
    r->eof = at + want >= r->fsize;
    return CS_OK;
}

/* Reads until the buffer is full or the input ends: a short read from a pipe must not make a long
 * record be re-parsed once per pipe chunk. */
static int reader_fill(csv_reader *r)
{
    if (r->src == SRC_MAP) return reader_map(r);
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

/* Parses the next record, refilling the buffer as often as it takes. */
static int reader_next(csv_reader *r)
{
    for (;;) {
        int rc = csv_parse_record(r);
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
static int reader_start(csv_reader *r, const char *name, const csv_options *opt,
                        const csv_range *rg, csv_reader **out)
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
    if (!csv_delim_ok((unsigned char)opt->delim)) {
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
    if (rg) {
        /* a range of a file whose header another reader read: no byte order mark, no header */
        r->line = r->rec_line = rg->line;
        r->limit = rg->limit;
        r->ncols = rg->ncols;
        r->header_known = rg->ncols > 0;
        if (r->src == SRC_MEM) {
            if (rg->offset > r->len) {
                rc = CS_ERROR(CS_EINVAL, "%s: range offset %llu past the end", r->name,
                              (unsigned long long)rg->offset);
                goto fail;
            }
            r->pos = (size_t)rg->offset;
        } else {
            r->base = rg->offset;
        }
    }

    if (r->src != SRC_MEM) {
        size_t bs = opt->buffer_size < 16 ? 16 : opt->buffer_size;
        r->cap_max = r->max_record + 8 > bs ? r->max_record + 8 : bs;
        if (r->cap_max < r->max_record) r->cap_max = SIZE_MAX; /* max_record + 8 overflowed */
        r->buf = r->src == SRC_MAP ? (unsigned char *)(uintptr_t)"" : malloc(bs);
        if (!r->buf) {
            rc = CS_ERROR(CS_ENOMEM, "%s: cannot allocate a %zu-byte read buffer", r->name, bs);
            goto fail;
        }
        r->cap = bs;
        if ((rc = reader_fill(r)) != CS_OK) goto fail;
    }
    if (rg) {
        *out = r;
        return CS_OK;
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
        r->limit = UINT64_MAX;
    }
    return r;
}

/* A reader of the file at path, opened and owned (not yet started); NULL and an error status when it
 * cannot be allocated or opened. Shared by the whole-file and the range readers. */
static int reader_open_path(const char *path, csv_reader **rp)
{
    *rp = NULL;
    csv_reader *r = reader_alloc(SRC_FD);
    if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader for %s", path);
    r->fd = open(path, O_RDONLY);
    if (r->fd < 0) {
        int e = errno;
        free(r);
        return CS_ERROR(CS_EIO, "cannot open %s: %s", path, strerror(e));
    }
    r->own_fd = 1;
    /* a regular file that is not empty is mapped a window at a time (SRC_MAP above) */
    struct stat st;
    const char *env = getenv("CS_CSV_MMAP");
    if (!(env && strcmp(env, "0") == 0) && fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        r->src = SRC_MAP;
        r->fsize = (uint64_t)st.st_size;
    }
    *rp = r;
    return CS_OK;
}

int csv_reader_open(const char *path, const csv_options *opt, csv_reader **out)
{
    *out = NULL;
    if (strcmp(path, "-") == 0) {
        csv_reader *r = reader_alloc(SRC_FD);
        if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader for %s", path);
        r->fd = STDIN_FILENO;
        return reader_start(r, "(standard input)", opt, NULL, out);
    }
    csv_reader *r;
    CS_TRY(reader_open_path(path, &r));
    return reader_start(r, path, opt, NULL, out);
}

int csv_reader_open_fd(int fd, const char *name, const csv_options *opt, csv_reader **out)
{
    *out = NULL;
    csv_reader *r = reader_alloc(SRC_FD);
    if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader");
    r->fd = fd;
    return reader_start(r, name, opt, NULL, out);
}

int csv_reader_open_file(FILE *f, const char *name, const csv_options *opt, csv_reader **out)
{
    *out = NULL;
    csv_reader *r = reader_alloc(SRC_FILE);
    if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader");
    r->file = f;
    return reader_start(r, name, opt, NULL, out);
}

int csv_reader_open_mem(const char *buf, size_t len, const char *name, const csv_options *opt,
                        csv_reader **out)
{
    return csv_reader_open_mem_range(buf, len, name, opt, NULL, out);
}

int csv_reader_open_range(const char *path, const csv_options *opt, const csv_range *rg,
                          csv_reader **out)
{
    *out = NULL;
    csv_reader *r;
    CS_TRY(reader_open_path(path, &r));
    if (rg->offset > 0 && lseek(r->fd, (off_t)rg->offset, SEEK_SET) < 0) {
        int e = errno;
        close(r->fd);
        free(r);
        return CS_ERROR(CS_EIO, "%s: cannot seek to byte %llu: %s", path,
                        (unsigned long long)rg->offset, strerror(e));
    }
    return reader_start(r, path, opt, rg, out);
}

int csv_reader_open_mem_range(const char *buf, size_t len, const char *name, const csv_options *opt,
                              const csv_range *rg, csv_reader **out)
{
    *out = NULL;
    csv_reader *r = reader_alloc(SRC_MEM);
    if (!r) return CS_ERROR(CS_ENOMEM, "cannot allocate a CSV reader");
    /* Never written through: SRC_MEM readers never fill, unescape in place or free the buffer. An
     * empty input may come as NULL, and NULL + 0 is undefined. rg NULL: the whole buffer. */
    r->buf = (unsigned char *)(uintptr_t)(buf ? buf : "");
    r->cap = r->len = len;
    r->eof = 1;
    return reader_start(r, name, opt, rg, out);
}

void csv_position(const csv_reader *r, uint64_t *offset, size_t *line)
{
    *offset = r->base + r->pos;
    *line = r->line;
}

const csv_record *csv_header(const csv_reader *r) { return r->has_header ? &r->header : NULL; }
size_t csv_line(const csv_reader *r) { return r->rec_line; }
uint64_t csv_offset(const csv_reader *r) { return r->base + r->pos; }
size_t csv_nfields(const csv_reader *r) { return r->ncols; }
const char *csv_name(const csv_reader *r) { return r->name; }



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
        r->fatal = rc; /* read and allocation failures raised outside csv_parse_record */
    }
    return rc;
}

