/* scan.h — a rank's pass over its own rows of a snapshot, in bounded blocks.
 *
 * Every pipeline reads the same way: the rank's rows (part.h) in I/O blocks of a whole number of
 * reduction blocks, so that per-block partial sums line up with the global blocks of reduce.h, and
 * never more than one I/O block in memory. scan also prints progress (stage, rows done, rows/s) from
 * rank 0 on long passes and counts passes over the snapshot for the run summary.
 */
#ifndef CS_SCAN_H
#define CS_SCAN_H

#include "part.h"
#include "snapshot.h"

#include <mpi.h>

/* SCAN_CHURN_TYPE reads /subscribers/churn_type where the snapshot has it (else churn_type stays
 * NULL, so a caller may always ask for it) and checks it row by row against the labels read with
 * SCAN_CHURNED (snap_read_churn_type): a disagreement stops the pass with CS_EDATA naming the row. */
enum { SCAN_ID = 1, SCAN_REGION = 2, SCAN_BRAND = 4, SCAN_FEATURES = 8, SCAN_CHURNED = 16,
       SCAN_TRUTH = 32, SCAN_CHURN_TYPE = 64 };

typedef struct {
    snap_reader *r;
    part_range pr;
    size_t io_rows;       /* rows per read, a multiple of PART_BLOCK_ROWS */
    unsigned what;        /* SCAN_* flags */
    const char *stage;    /* for progress lines */
    uint64_t next;        /* next row to read */
    double t0, last_report;
    int nranks;
    /* the current block */
    uint64_t row0;
    size_t n;
    uint64_t *id;
    uint16_t *region;
    uint8_t *brand;
    float *features;
    int8_t *churned;
    int8_t *churn_type;   /* SCAN_CHURN_TYPE on a snapshot with churn types, else NULL */
    float *truth;
} scan_state;

/* Allocates buffers for io_rows rows (rounded up to a multiple of PART_BLOCK_ROWS) of the datasets
 * in what. CS_ENOMEM on failure (buffers freed). */
int scan_init(scan_state *s, snap_reader *r, const part_range *pr, size_t io_rows, unsigned what,
              int nranks);
/* Collective when the snapshot was opened with a communicator (every rank decides alike: same file,
 * same budget). Checks the layout of /subscribers/features for the cost trap of issue 12: compressed
 * chunks taller than a read (h5py's column chunks, N x 1) are decompressed once per read that touches
 * them, so a pass costs rows^2 / io_rows. When one band of chunks fits in budget bytes, reopens the
 * dataset with a chunk cache that holds it (each chunk decompressed once per pass) and says so; else
 * prints a warning (rank 0) with the cost and the h5repack command that fixes the file. *cache_bytes
 * gets the cache's size (0: none). Errors: CS_EIO from HDF5. */
int scan_layout(scan_state *s, uint64_t budget, size_t *cache_bytes);
void scan_clear(scan_state *s);
/* Starts a new pass (counts it) named stage. */
void scan_begin(scan_state *s, const char *stage);
/* Reads the next block into the buffers: returns CS_OK with s->n > 0, CS_OK with s->n == 0 at the
 * end of the rank's rows, or an error. */
int scan_next(scan_state *s);
/* Passes started since scan_init. */
int scan_passes(const scan_state *s);

#endif
