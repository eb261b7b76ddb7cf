/* part.c — see part.h. */
#include "part.h"

#include "status.h"

#include <stdlib.h>

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

typedef struct {
    int64_t load;
    size_t idx; /* task index, or rank */
} part_slot;

/* Heaviest task first, then lower index. */
static int part_task_cmp(const void *a, const void *b)
{
    const part_slot *x = a, *y = b;
    if (x->load != y->load) return x->load > y->load ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The rank heap: least load at the root, then lower rank. */
static int part_rank_before(const part_slot *a, const part_slot *b)
{
    return a->load != b->load ? a->load < b->load : a->idx < b->idx;
}

static void part_rank_sift_down(part_slot *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && part_rank_before(&h[l], &h[w])) w = l;
        if (r < n && part_rank_before(&h[r], &h[w])) w = r;
        if (w == i) return;
        part_slot x = h[w];
        h[w] = h[i];
        h[i] = x;
        i = w;
    }
}

int part_owners(const int64_t *load, size_t n, int nranks, int *owner)
{
    size_t R = nranks > 0 ? (size_t)nranks : 1;
    part_slot *task = malloc((n ? n : 1) * sizeof *task), *rank = malloc(R * sizeof *rank);
    if (!task || !rank) {
        free(task);
        free(rank);
        return CS_ERROR(CS_ENOMEM, "out of memory assigning %zu tasks to %zu ranks", n, R);
    }
    for (size_t i = 0; i < n; i++) task[i] = (part_slot){load[i], i};
    qsort(task, n, sizeof *task, part_task_cmp);
    /* all loads 0 in rank order is already a heap */
    for (size_t q = 0; q < R; q++) rank[q] = (part_slot){0, q};
    for (size_t i = 0; i < n; i++) {
        owner[task[i].idx] = (int)rank[0].idx;
        rank[0].load += task[i].load;
        part_rank_sift_down(rank, R, 0);
    }
    free(task);
    free(rank);
    return CS_OK;
}
