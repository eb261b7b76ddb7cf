/* reduce_check.c — run under mpirun by test_reduce.sh. For several global row counts it checks that
 * the partition covers every row exactly once (and that part_owners spreads tasks as worked by
 * hand), and that the tree reduction of pseudo-random block
 * sums equals a serial evaluation of the canonical tree (bit for bit), printing the result's bits so
 * the shell test can compare them across rank counts. Exits non-zero on any mismatch. */
#include "part.h"
#include "reduce.h"
#include "status.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEN 5

/* Deterministic, badly scaled values so that the grouping of additions changes the bits. */
static void block_values(uint64_t b, double *v)
{
    uint64_t x = b * 0x9E3779B97F4A7C15ull + 12345;
    for (int j = 0; j < LEN; j++) {
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 29;
        double u = (double)(x >> 11) / 9007199254740992.0;
        v[j] = (u - 0.37) * pow(10.0, (double)(x % 17) - 8.0);
    }
}

/* Canonical value of node (l, i) over nb blocks: left + right, or left alone. */
static void canon(int l, uint64_t i, uint64_t nb, double *out)
{
    if (l == 0) {
        block_values(i, out);
        return;
    }
    canon(l - 1, 2 * i, nb, out);
    uint64_t right_start = (2 * i + 1) << (l - 1);
    if (right_start < nb) {
        double r[LEN];
        canon(l - 1, 2 * i + 1, nb, r);
        for (int j = 0; j < LEN; j++) out[j] = out[j] + r[j];
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, nranks, fail = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    const uint64_t ns[] = {0, 1, 7, 8192, 8193, 3 * 8192 + 5, 100000, 1000003, 12345678};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        uint64_t n = ns[k];
        part_range pr;
        part_compute(n, nranks, rank, &pr);
        /* coverage: rows and blocks tile [0, n) in rank order */
        uint64_t ends[2] = {pr.row0, pr.row0 + pr.rows}, all[64];
        MPI_Allgather(ends, 2, MPI_UINT64_T, all, 2, MPI_UINT64_T, MPI_COMM_WORLD);
        uint64_t at = 0;
        for (int r = 0; r < nranks; r++) {
            if (all[2 * r] != at && all[2 * r + 1] != all[2 * r]) fail = 1;
            if (all[2 * r + 1] > all[2 * r]) at = all[2 * r + 1];
        }
        if (at != n) fail = 1;
        if (fail && rank == 0) fprintf(stderr, "partition of %" PRIu64 " rows does not cover them\n", n);

        red_tree *t = red_tree_alloc(LEN);
        double v[LEN], out[LEN], ref[LEN] = {0};
        for (uint64_t b = pr.block0; b < pr.block1; b++) {
            block_values(b, v);
            if (red_tree_add(t, b, v) != CS_OK) fail = 1;
        }
        if (red_tree_allreduce(t, MPI_COMM_WORLD, pr.nblocks, out) != CS_OK) fail = 1;
        red_tree_free(t);
        if (pr.nblocks > 0) {
            int L = 0;
            while ((1ull << L) < pr.nblocks) L++;
            canon(L, 0, pr.nblocks, ref);
        }
        if (memcmp(out, ref, sizeof out) != 0) {
            fail = 1;
            if (rank == 0) fprintf(stderr, "tree sum of %" PRIu64 " blocks differs from the canonical tree\n", pr.nblocks);
        }
        if (rank == 0) {
            printf("n=%" PRIu64 " blocks=%" PRIu64, n, pr.nblocks);
            for (int j = 0; j < LEN; j++) {
                uint64_t bits;
                memcpy(&bits, &out[j], 8);
                printf(" %016" PRIx64, bits);
            }
            printf("\n");
        }
    }
    /* owners by the longest-processing-time greedy: heaviest first (ties: lower index), each to the
     * least-loaded rank (ties: lower rank); worked by hand. With 8 ranks every task gets its own. */
    const int64_t load[6] = {5, 9, 9, 0, 3, 7};
    const int want3[6] = {2, 0, 1, 1, 0, 2}, want8[6] = {3, 0, 1, 5, 4, 2}, want1[6] = {0};
    int own[6];
    const struct { int nranks; const int *want; } lpt[] = {{3, want3}, {8, want8}, {1, want1}};
    for (size_t k = 0; k < sizeof lpt / sizeof lpt[0]; k++)
        if (part_owners(load, 6, lpt[k].nranks, own) != CS_OK || memcmp(own, lpt[k].want, sizeof own) != 0) {
            fail = 1;
            if (rank == 0) fprintf(stderr, "part_owners over %d ranks: wrong owners\n", lpt[k].nranks);
        }
    /* agreement: rank nranks-1 fails, everyone learns its message */
    int st = CS_OK;
    if (rank == nranks - 1) st = CS_ERROR(CS_EDATA, "planted failure on rank %d", rank);
    int agreed = red_agree(MPI_COMM_WORLD, st);
    if (agreed != CS_EDATA || !strstr(status_message(), "planted failure")) {
        fail = 1;
        fprintf(stderr, "rank %d: agreement gave %d '%s'\n", rank, agreed, status_message());
    }
    int anyfail = 0;
    MPI_Allreduce(&fail, &anyfail, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return anyfail;
}
