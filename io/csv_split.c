/* csv_split.c — cutting a CSV file into parts at record boundaries, exactly, for a parallel import.
 *
 * A CSV has no index, and a quoted field may hold line breaks, so a byte offset alone does not say
 * where a record starts. RFC 4180 does: a byte is inside quotes exactly when an odd number of quote
 * characters come before it (a quoted field opens and closes with one quote and doubles the ones it
 * holds). So each part's quotes are counted (csv_split_count_*: one pass at memory speed, no parse),
 * an exclusive scan of the counts across the parts gives each part the quote state at its first byte,
 * and its first record starts right after its first line end outside quotes (csv_split_find_*). The
 * line ends are counted in the same pass, so that every part knows the physical line of its first
 * record and messages name the same lines as a serial read. A file with a misplaced quote breaks the
 * parity rule; the range reader (csv_reader_open_range) then finds its part ending past the next
 * part's start, which mpi/cmd_import.c turns into a serial read. MPI stays out of io/: the scan and
 * the exchange of the starts are the caller's.
 */
#include "csv.h"

#include "status.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPLIT_BLOCK ((size_t)4 << 20) /* bytes read at a time */

#if defined(__SSE2__)
#include <emmintrin.h>
/* The sums of the byte counters of acc (each at most 255) into *s, and acc cleared. */
static inline void split_flush(__m128i *acc, uint64_t *s)
{
    __m128i t = _mm_sad_epu8(*acc, _mm_setzero_si128());
    *s += (uint64_t)_mm_cvtsi128_si64(t) + (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(t, t));
    *acc = _mm_setzero_si128();
}
#endif

/* CR LF pairs of p[0..n) whose CR is before n (next: the byte at n, -1 at the end of the input). */
static uint64_t split_crlf(const unsigned char *p, size_t n, int next)
{
    uint64_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\r') k += (i + 1 < n ? p[i + 1] : next) == '\n';
    return k;
}

void csv_split_count_mem(const char *buf, size_t n, int next, csv_split_counts *c)
{
    const unsigned char *p = (const unsigned char *)buf;
    uint64_t q = 0, lf = 0, cr = 0, crlf = 0;
    size_t i = 0;
#if defined(__SSE2__)
    /* 32 bytes a step into byte-wide counters per class (two matches add -2, subtracted), summed
     * every 127 steps before a counter can wrap. SSE2 alone: the popcount of 64-bit masks this did
     * before was a libgcc call on the baseline x86-64 a Debian package is built for, and the
     * counting was a tenth of a 2-rank import (issue 20). CR LF pairs are counted only in the runs of 127 steps that
     * hold a CR, after them (a byte loop over 4 KiB in cache): most extracts have none, and the
     * second load and compare this took for every 16 bytes were a third of the count. */
    const __m128i vq = _mm_set1_epi8('"'), vl = _mm_set1_epi8('\n'), vc = _mm_set1_epi8('\r');
    while (i + 32 <= n) {
        __m128i aq = _mm_setzero_si128(), al = aq, ac = aq;
        size_t i0 = i;
        for (int steps = 0; steps < 127 && i + 32 <= n; steps++, i += 32) {
            __m128i b0 = _mm_loadu_si128((const __m128i *)(p + i));
            __m128i b1 = _mm_loadu_si128((const __m128i *)(p + i + 16));
            aq = _mm_sub_epi8(aq, _mm_add_epi8(_mm_cmpeq_epi8(b0, vq), _mm_cmpeq_epi8(b1, vq)));
            al = _mm_sub_epi8(al, _mm_add_epi8(_mm_cmpeq_epi8(b0, vl), _mm_cmpeq_epi8(b1, vl)));
            ac = _mm_sub_epi8(ac, _mm_add_epi8(_mm_cmpeq_epi8(b0, vc), _mm_cmpeq_epi8(b1, vc)));
        }
        uint64_t nc = 0;
        split_flush(&aq, &q);
        split_flush(&al, &lf);
        split_flush(&ac, &nc);
        cr += nc;
        if (nc) crlf += split_crlf(p + i0, i - i0, i < n ? p[i] : next);
    }
#endif
    crlf += split_crlf(p + i, n - i, next);
    for (; i < n; i++) {
        q += p[i] == '"';
        lf += p[i] == '\n';
        cr += p[i] == '\r';
    }
    c->quotes += q;
    c->lines += lf + cr - crlf;
}

size_t csv_split_find_mem(const char *buf, size_t n, int prev, int next, int inquote,
                          csv_split_counts *c)
{
    const unsigned char *p = (const unsigned char *)buf;
    int inq = inquote & 1;
    for (size_t i = 0; i < n; i++) {
        /* a record starts at i when the byte before it ends a line outside quotes (the parity does
         * not change across a line end, so the parity before i is that of the byte before) */
        if (!inq && (prev == '\n' || (prev == '\r' && p[i] != '\n'))) return i;
        if (p[i] == '"') {
            inq ^= 1;
            c->quotes++;
        } else if (p[i] == '\n' || (p[i] == '\r' && (i + 1 < n ? p[i + 1] : next) != '\n')) {
            c->lines++;
        }
        prev = p[i];
    }
    return n;
}

static int split_open(const char *path, int *fd, unsigned char **buf)
{
    *fd = open(path, O_RDONLY);
    if (*fd < 0) return CS_ERROR(CS_EIO, "cannot open %s: %s", path, strerror(errno));
    *buf = malloc(SPLIT_BLOCK + 1);
    if (!*buf) {
        close(*fd);
        return CS_ERROR(CS_ENOMEM, "out of memory for a %zu-byte read buffer", SPLIT_BLOCK);
    }
    return CS_OK;
}

/* Reads up to want bytes at off (fewer only at the end of the file); *got receives the count. */
static int split_read(const char *path, int fd, unsigned char *buf, size_t want, uint64_t off,
                      size_t *got)
{
    size_t k = 0;
    while (k < want) {
        ssize_t r = pread(fd, buf + k, want - k, (off_t)(off + k));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return CS_ERROR(CS_EIO, "%s: read failed: %s", path, strerror(errno));
        if (r == 0) break;
        k += (size_t)r;
    }
    *got = k;
    return CS_OK;
}

/* Maps bytes [from, to) of the file, and the byte after them when there is one, read-only: the
 * page cache's pages themselves, without the copy a read makes (the count runs at memory speed, and
 * the copy was most of its time). *base and *maplen are what to unmap; *p points at byte from. */
static int split_map(const char *path, uint64_t from, uint64_t to, const unsigned char **p, int *next,
                     void **base, size_t *maplen)
{
    *base = NULL;
    *maplen = 0;
    *next = -1;
    *p = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return CS_ERROR(CS_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return CS_ERROR(CS_EIO, "cannot stat %s: %s", path, strerror(e));
    }
    uint64_t size = (uint64_t)st.st_size;
    if (to > size) to = size;
    if (from >= to) {
        close(fd);
        *p = NULL;
        return CS_OK;
    }
    uint64_t end = to < size ? to + 1 : to;
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start = from / page * page;
    void *m = mmap(NULL, (size_t)(end - start), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, (off_t)start);
    int e = errno;
    close(fd);
    if (m == MAP_FAILED) return CS_ERROR(CS_EIO, "%s: cannot map bytes %llu to %llu: %s", path,
                                         (unsigned long long)from, (unsigned long long)to, strerror(e));
    madvise(m, (size_t)(end - start), MADV_SEQUENTIAL);
    *base = m;
    *maplen = (size_t)(end - start);
    *p = (const unsigned char *)m + (from - start);
    if (end > to) *next = (*p)[to - from];
    return CS_OK;
}

/* The count maps the part a window at a time: a mapping of the whole part (9.6 GB a rank for a 19 GB
 * extract on 2 ranks) stayed resident until the end and made the import's peak RSS three times
 * --memory. Counts add up across windows (each window's CR sees the next window's first byte). */
#define SPLIT_WINDOW ((uint64_t)64 << 20)

int csv_split_count_file(const char *path, uint64_t from, uint64_t to, csv_split_counts *c)
{
    return csv_split_count_file_window(path, from, to, SPLIT_WINDOW, c);
}

int csv_split_count_file_window(const char *path, uint64_t from, uint64_t to, uint64_t window,
                                csv_split_counts *c)
{
    if (window == 0) return CS_ERROR(CS_EINVAL, "a window of 0 bytes");
    for (uint64_t w = from; w < to; w += window) {
        uint64_t we = to - w > window ? w + window : to;
        const unsigned char *p = NULL;
        int next;
        void *base;
        size_t maplen;
        CS_TRY(split_map(path, w, we, &p, &next, &base, &maplen));
        if (!p) break; /* past the end of the file */
        csv_split_count_mem((const char *)p, (size_t)(maplen - (size_t)(p - (const unsigned char *)base) - (next >= 0)),
                            next, c);
        if (base) munmap(base, maplen);
    }
    return CS_OK;
}

int csv_split_find_file(const char *path, uint64_t from, uint64_t to, int inquote, uint64_t *start,
                        csv_split_counts *c)
{
    int fd;
    unsigned char *buf;
    memset(c, 0, sizeof *c);
    *start = to;
    if (from == 0 || from >= to) return CS_OK;
    CS_TRY(split_open(path, &fd, &buf));
    int rc = CS_OK, prev = -1;
    size_t got = 0;
    /* the byte before the part, then the part block by block with one byte of look-ahead */
    rc = split_read(path, fd, buf, 1, from - 1, &got);
    if (rc == CS_OK && got == 1) prev = buf[0];
    for (uint64_t off = from; rc == CS_OK && off < to;) {
        size_t want = to - off < SPLIT_BLOCK ? (size_t)(to - off) : SPLIT_BLOCK;
        rc = split_read(path, fd, buf, want + 1, off, &got);
        if (rc != CS_OK || got == 0) break;
        size_t n = got < want ? got : want;
        /* the parity here: the quotes counted since from, on top of the state at from */
        int inq = (int)(((uint64_t)inquote + c->quotes) & 1);
        size_t i = csv_split_find_mem((const char *)buf, n, prev, got > n ? buf[n] : -1, inq, c);
        if (i < n) {
            *start = off + i;
            break;
        }
        prev = buf[n - 1];
        off += n;
        if (n < want) break;
    }
    free(buf);
    close(fd);
    return rc;
}
