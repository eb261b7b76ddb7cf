/* part.c — see part.h. */
#include "part.h"

void part_compute(uint64_t n, int nranks, int rank, part_range *out)
{
    uint64_t nb = (n + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS;
    uint64_t R = (uint64_t)nranks, r = (uint64_t)rank;
    /* floor(r * nb / R) without overflow for any realistic n (nb < 2^40, R < 2^20) */
    uint64_t b0 = (nb / R) * r + (nb % R) * r / R;
    uint64_t b1 = (nb / R) * (r + 1) + (nb % R) * (r + 1) / R;
    out->n = n;
    out->nblocks = nb;
    out->block0 = b0;
    out->block1 = b1;
    out->row0 = b0 * PART_BLOCK_ROWS;
    uint64_t end = b1 * PART_BLOCK_ROWS;
    if (end > n) end = n;
    if (out->row0 > n) out->row0 = n;
    out->rows = end > out->row0 ? end - out->row0 : 0;
}

uint64_t part_block_rows(uint64_t n, uint64_t b)
{
    uint64_t start = b * PART_BLOCK_ROWS;
    if (start >= n) return 0;
    uint64_t left = n - start;
    return left < PART_BLOCK_ROWS ? left : PART_BLOCK_ROWS;
}
