/* import_split.c — the part of a CSV extract each rank of a parallel import reads (import_split.h).
 *
 * Two collectives beyond the counting: the exclusive scans of the quote and line-end counts
 * (red_exscan_u64), and the sharing of each range's first record start, done as a maximum over a
 * vector with one slot per rank (red_max_u64: each rank fills its own slot, the others are 0), so that
 * every rank can take the next non-empty range's start as its own end.
 */
#include "import_split.h"

#include "comm.h"
#include "csv.h"
#include "reduce.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 1 when the file's last byte is a line end (or the file is empty): the last line then ends there
 * and adds no record of its own. */
static int split_ends_in_line_end(const char *path, uint64_t size, int *yes)
{
    *yes = 1;
    if (size == 0) return CS_OK;
    int fd = open(path, O_RDONLY);
    char c = 0;
    ssize_t n = fd >= 0 ? pread(fd, &c, 1, (off_t)(size - 1)) : -1;
    if (fd >= 0) close(fd);
    if (n != 1) return CS_ERROR(CS_EIO, "cannot read %s: %s", path, n < 0 ? strerror(errno) : "short read");
    *yes = c == '\n' || c == '\r';
    return CS_OK;
}

/* The guesses of import_split.h from the quotes and line ends of the whole data (quotes, lines) and
 * the lines at the part's start and end (end_line: the line at the next part's start, or for the last
 * part the line after the data's last line end). */
static void split_guess(imp_part *out, uint64_t quotes, uint64_t lines, uint64_t start_line,
                        uint64_t end_line, int last, int ends_in_line_end, uint64_t data, uint64_t size)
{
    out->rows_guess = out->total_guess = IMP_NO_GUESS;
    if (quotes != 0) return;
    int open_end = !ends_in_line_end && size > data; /* a last line without its line end */
    out->total_guess = lines + (uint64_t)open_end;
    out->rows_guess = out->offset >= out->limit ? 0 : end_line - start_line + (uint64_t)(last && open_end);
}

int imp_split(MPI_Comm comm, const char *path, uint64_t data, size_t line0, uint64_t size,
              uint64_t part_bytes, int serial, int guess, imp_part *out)
{
    int rank = comm_rank(comm), nranks = comm_size(comm);
    double t0 = comm_now();
    out->split_s = 0;
    out->stream = 0;
    out->rows_guess = out->total_guess = IMP_NO_GUESS;
    if (serial || nranks == 1) {
        out->offset = rank == 0 ? data : size;
        out->limit = size;
        out->line = line0;
        if (!guess || serial || rank != 0) return CS_OK;
        csv_split_counts c = {0, 0};
        int end_le = 1;
        int rc = csv_split_count_file(path, data, size, &c);
        if (rc == CS_OK) rc = split_ends_in_line_end(path, size, &end_le);
        if (rc != CS_OK) return rc;
        split_guess(out, c.quotes, c.lines, line0, line0 + c.lines, 1, end_le, data, size);
        out->split_s = comm_now() - t0;
        return CS_OK;
    }
    /* this rank's byte range [b0, b1) of the data */
    uint64_t span = size > data ? size - data : 0, b0, b1;
    if (part_bytes > 0) {
        b0 = data + (part_bytes * (uint64_t)rank < span ? part_bytes * (uint64_t)rank : span);
        b1 = rank == nranks - 1 ? size : data + (part_bytes * (uint64_t)(rank + 1) < span ? part_bytes * (uint64_t)(rank + 1) : span);
    } else {
        /* (span / n) * k + (span % n) * k / n: span * k / n without overflowing 64 bits */
        b0 = data + span / (uint64_t)nranks * (uint64_t)rank + span % (uint64_t)nranks * (uint64_t)rank / (uint64_t)nranks;
        uint64_t k1 = (uint64_t)rank + 1;
        b1 = data + span / (uint64_t)nranks * k1 + span % (uint64_t)nranks * k1 / (uint64_t)nranks;
    }
    csv_split_counts c = {0, 0};
    int rc = red_agree(comm, csv_split_count_file(path, b0, b1, &c));
    if (rc != CS_OK) return rc;
    uint64_t quotes = red_exscan_u64(comm, c.quotes), lines = red_exscan_u64(comm, c.lines);

    uint64_t start = b1;
    csv_split_counts f = {0, 0};
    if (rank == 0) start = data;
    else rc = csv_split_find_file(path, b0, b1, (int)(quotes & 1), &start, &f);
    rc = red_agree(comm, rc);
    if (rc != CS_OK) return rc;

    uint64_t *v = calloc(2 * (size_t)nranks, sizeof *v);
    if (!v) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(comm, rc);
    if (rc != CS_OK) {
        free(v);
        return rc;
    }
    if (start < b1 || rank == 0) {
        v[2 * rank] = start + 1; /* 0: no record starts in this range */
        v[2 * rank + 1] = (uint64_t)line0 + lines + f.lines;
    }
    rc = red_agree(comm, red_max_u64(comm, v, 2 * (size_t)nranks));
    if (rc == CS_OK) {
        out->offset = size;
        out->limit = size;
        out->line = line0;
        int k = rank;
        while (k < nranks && v[2 * k] == 0) k++;
        if (k < nranks) {
            out->offset = v[2 * k] - 1;
            out->line = (size_t)v[2 * k + 1];
        }
        /* a part ends where the next non-empty range's records start */
        int j = k + 1;
        while (j < nranks && v[2 * j] == 0) j++;
        if (k < nranks && j < nranks) out->limit = v[2 * j] - 1;
        if (k != rank) out->limit = out->offset; /* the records of range k are rank k's */
    }
    if (rc == CS_OK && guess) {
        /* the whole data's quotes and line ends: the scans' last values plus the last range's */
        int64_t tot[2] = {rank == nranks - 1 ? (int64_t)(quotes + c.quotes) : 0,
                          rank == nranks - 1 ? (int64_t)(lines + c.lines) : 0};
        int end_le = 1;
        int erc = split_ends_in_line_end(path, size, &end_le);
        rc = red_agree(comm, erc);
        if (rc == CS_OK) rc = red_agree(comm, red_sum_i64(comm, tot, 2));
        if (rc == CS_OK) {
            int j = rank + 1;
            while (j < nranks && v[2 * j] == 0) j++;
            uint64_t end_line = j < nranks ? v[2 * j + 1] : (uint64_t)line0 + (uint64_t)tot[1];
            split_guess(out, (uint64_t)tot[0], (uint64_t)tot[1], out->line, end_line, j >= nranks,
                        end_le, data, size);
        }
    }
    free(v);
    out->split_s = comm_now() - t0;
    return rc;
}
