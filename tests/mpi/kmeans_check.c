/* kmeans_check.c — run under mpirun by test_segments.sh: the distributed k-means of
 * mpi/segment_fit.c on a fixed data set that every rank generates for its own rows (each row a
 * function of its index alone), so that the result can be compared across rank counts and against
 * scikit-learn.
 *
 *   kmeans_check N D K BRANDS OUT   (K 0: auto)
 *
 * The rows: a mixture of 7 anisotropic Gaussian groups in D dimensions, unequal weights, centres
 * close enough to overlap (like factor scores, which have no clean clusters). Rank 0 prints the
 * segments per brand, the inertia (%.17g) and the iterations, and writes OUT.labels (int32 per row,
 * row order, gathered) and, with one brand, OUT.data (float32 N x D, for scikit-learn). */
#include "gather.h"
#include "idhash.h"
#include "part.h"
#include "reduce.h"
#include "segment_fit.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double unit_of(uint64_t row, uint64_t salt) { return idhash_unit(row * 2654435761ull + 17, salt); }

static void make_row(uint64_t row, size_t d, size_t brands, float *x, uint8_t *brand)
{
    static const double weight[7] = {0.31, 0.22, 0.15, 0.12, 0.09, 0.07, 0.04};
    double u = unit_of(row, 1), acc = 0;
    size_t c = 0;
    for (; c < 6; c++) {
        acc += weight[c];
        if (u < acc) break;
    }
    for (size_t j = 0; j < d; j++) {
        /* Box-Muller from two draws of the row's own hash */
        double u1 = unit_of(row, 100 + 2 * j), u2 = unit_of(row, 101 + 2 * j);
        double z = sqrt(-2 * log(u1 > 0 ? u1 : 1e-300)) * cos(6.283185307179586 * u2);
        double centre = 2.385 * sin(1.7 * (double)(c + 1) * (double)(j + 1)) + 0.31 * (double)c;
        double scale = 0.45 + 0.37 * (double)((c + j) % 4);
        x[j] = (float)(centre + scale * z);
    }
    *brand = (uint8_t)(unit_of(row, 7) * (double)brands);
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, nranks;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (argc != 6) {
        if (rank == 0) fprintf(stderr, "usage: kmeans_check N D K BRANDS OUT\n");
        MPI_Finalize();
        return 2;
    }
    uint64_t N = strtoull(argv[1], NULL, 10);
    size_t d = strtoul(argv[2], NULL, 10), brands = strtoul(argv[4], NULL, 10);
    int K = atoi(argv[3]);
    const char *out = argv[5];
    part_range pr;
    part_compute(N, nranks, rank, &pr);
    size_t n = (size_t)pr.rows;
    float *x = malloc((n ? n : 1) * d * sizeof(float));
    uint8_t *br = malloc(n ? n : 1);
    uint64_t *blk = malloc((n ? n : 1) * sizeof(uint64_t));
    double *u = malloc((n ? n : 1) * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        uint64_t row = pr.row0 + i;
        make_row(row, d, brands, x + i * d, br + i);
        blk[i] = row / PART_BLOCK_ROWS;
        u[i] = unit_of(row, 9);
    }
    segfit_rows rows = {n, d, x, br, blk, u, pr.block0, pr.block1, pr.nblocks};
    segfit_params p;
    segfit_params_default(&p);
    p.k = K;
    segfit_result r;
    memset(&r, 0, sizeof r);
    int rc = segfit_run(MPI_COMM_WORLD, &rows, brands, &p, &r);
    void *all = NULL;
    uint64_t total = 0;
    if (rc == CS_OK) rc = gat_rows_to_root(MPI_COMM_WORLD, r.label, n, sizeof(int32_t), &all, &total);
    if (rc == CS_OK && rank == 0) {
        for (size_t b = 0; b < brands; b++) printf("brand %zu: %d segments\n", b, r.k[b]);
        printf("inertia %.17g\niterations %d\nseed_rows %llu\n", r.inertia, r.iterations,
               (unsigned long long)r.seed_rows);
        char path[4096];
        snprintf(path, sizeof path, "%s.labels", out);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(all, sizeof(int32_t), (size_t)total, f) != total) rc = CS_EIO;
        if (f) fclose(f);
        if (brands == 1 && rc == CS_OK) {
            snprintf(path, sizeof path, "%s.data", out);
            f = fopen(path, "wb");
            float row[64];
            uint8_t b;
            for (uint64_t i = 0; f && i < N; i++) {
                make_row(i, d, brands, row, &b);
                fwrite(row, sizeof(float), d, f);
            }
            if (!f || fclose(f) != 0) rc = CS_EIO;
        }
    }
    if (rc != CS_OK) fprintf(stderr, "[rank %d] kmeans_check: %s\n", rank, status_message());
    free(all);
    segfit_result_clear(&r);
    free(x);
    free(br);
    free(blk);
    free(u);
    MPI_Finalize();
    return rc == CS_OK ? 0 : 1;
}
