/* part.h — which rows each rank owns, and which rank owns a piece of work.
 *
 * Rows are grouped into fixed global reduction blocks of PART_BLOCK_ROWS rows; a rank owns a
 * contiguous run of whole blocks. Because block boundaries never depend on the rank count, a partial
 * sum computed per block is the same whatever rank computes it, which is what makes the reductions in
 * reduce.h rank-independent. Ranks may own no rows (N smaller than the ranks, or N = 0).
 */
#ifndef CS_PART_H
#define CS_PART_H

#include <stdint.h>
#include <stddef.h>

/* Fixed forever for a given model format: changing it changes the bits of every reduced sum. */
#define PART_BLOCK_ROWS 8192u

typedef struct {
    uint64_t n;           /* global rows */
    uint64_t nblocks;     /* global reduction blocks: ceil(n / PART_BLOCK_ROWS) */
    uint64_t block0;      /* first block of this rank */
    uint64_t block1;      /* one past the last block of this rank */
    uint64_t row0;        /* first row of this rank */
    uint64_t rows;        /* rows of this rank (may be 0) */
} part_range;

/* Fills *out with rank's share of n rows among nranks. Blocks are spread as evenly as possible. */
void part_compute(uint64_t n, int nranks, int rank, part_range *out);

/* Rows in global block b (the last block may be short). */
uint64_t part_block_rows(uint64_t n, uint64_t b);

/* Assigns n tasks of sizes load[0..n) (>= 0) to nranks ranks by the longest-processing-time greedy:
 * tasks in decreasing load, ties by lower index, each to the rank with the least load so far, ties
 * by lower rank. Pure arithmetic on the same inputs, so every rank computes the same owner[0..n)
 * without a message. CS_ENOMEM. */
int part_owners(const int64_t *load, size_t n, int nranks, int *owner);

#endif
