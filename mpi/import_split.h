/* import_split.h — which part of a CSV extract each rank of a parallel import reads (issue 20).
 *
 * The data records of the file (after the header) are cut into one part per rank at exact record
 * boundaries (the quote-parity rule of io/csv.h's csv_split_*): each rank counts the quotes and line
 * ends of its byte range, an exclusive scan through the reduction module (reduce.h) gives each range
 * its quote state and first line, each rank finds its range's first record start, and the starts are
 * shared, so rank k reads the records that start in [start_k, start_k+1). A range without a record
 * start (inside one long quoted field) gives an empty part. Serial mode gives rank 0 the whole file.
 */
#ifndef CS_IMPORT_SPLIT_H
#define CS_IMPORT_SPLIT_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t offset, limit; /* the records that start in [offset, limit) */
    size_t line;            /* the physical line at offset */
    double split_s;         /* seconds spent finding the parts (for the log) */
    int stream;             /* not a regular file (a named pipe): rank 0 reads it from its start,
                             * through the header, as one stream; offset and limit are unused */
    /* with guess: the part's data records and the file's, if every line is one record (no quote in
     * the data, so no line break inside a field, and no blank line), else IMP_NO_GUESS; what a read
     * finds may still differ (a bad or blank line), so the import checks it (issue 20: it writes the
     * rows where the guess puts them while it reads, and reads again where the guess was wrong) */
    uint64_t rows_guess, total_guess;
} imp_part;

#define IMP_NO_GUESS UINT64_MAX

/* Collective. data and line0: where the data records start (after the header) and that line; size:
 * the file's length. part_bytes > 0 (the hidden knob CS_IMPORT_PART_BYTES, for tests) makes every
 * range but the last part_bytes long instead of an even share, so that tests can put the cuts inside
 * quoted fields at will. serial: rank 0 reads everything. guess: fill rows_guess and total_guess
 * (on one rank this costs a count of the file's quotes and line ends). Errors (CS_EIO reading the
 * file) agreed. */
int imp_split(MPI_Comm comm, const char *path, uint64_t data, size_t line0, uint64_t size,
              uint64_t part_bytes, int serial, int guess, imp_part *out);

#endif
