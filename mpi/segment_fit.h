/* segment_fit.h — k-means per brand over rows spread across the ranks, with the same centroids and
 * assignments for any rank count.
 *
 * The rows (in training: a hash-of-id sample of the design rows, mpi/train_segments.c) stay where
 * they are. The fit:
 *  1. seeding: the rows whose own hash draw u is below a per-brand share (about init_rows rows of
 *     each brand) are gathered to rank 0 in global row order; there, for each brand, greedy
 *     k-means++ and Lloyd's iterations run n_init times from a fixed seed and the best by inertia is
 *     kept (model/kmeans.h). With auto K, K = 2..8 are each fitted so, their mean silhouette is
 *     taken on the first sil_rows of the brand's seeding rows, and K is the largest whose
 *     silhouette is within 1% of the best one (see segment_fit.c for why). Rank 0 broadcasts K and
 *     the centroids;
 *  2. Lloyd's iterations over every rank's rows: per reduction block the per-cluster coordinate
 *     sums, counts and inertia (kmeans_accumulate), summed by the fixed tree of reduce.h; every rank
 *     updates the centroids from the same bits, until no row changes cluster (an exact integer
 *     count) or max_iter.
 * Nothing depends on the partition: the seeding rows arrive in row order, and the tree's additions
 * are the same for any rank count.
 */
#ifndef CS_SEGMENT_FIT_H
#define CS_SEGMENT_FIT_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* This rank's rows, in global row order. */
typedef struct {
    size_t n, d;
    const float *x;         /* [n * d] */
    const uint8_t *brand;   /* [n] below n_brands */
    const uint64_t *block;  /* [n] each row's global reduction block, nondecreasing */
    const double *u;        /* [n] a uniform draw per row from its id (the seeding sample) */
    uint64_t block0, block1; /* the blocks this rank owns: [block0, block1) */
    uint64_t nblocks;       /* blocks over all ranks */
} segfit_rows;

typedef struct {
    int k;           /* segments per brand; 0: auto */
    size_t init_rows; /* seeding rows per brand (about) */
    size_t sil_rows;  /* rows of the silhouette per brand */
    int n_init;      /* k-means++ starts on the seeding rows */
    int max_iter;    /* Lloyd's iterations at most (each of the two stages) */
    size_t min_rows; /* seeding rows per segment at least: fewer lower K for that brand */
} segfit_params;

/* Defaults: auto, 4,000 seeding rows, 1,500 silhouette rows, 10 starts, 100 iterations, 20 rows a
 * segment. */
void segfit_params_default(segfit_params *p);

typedef struct {
    size_t n_brands, d, n_seg;
    int32_t *k, *first;   /* [n_brands] */
    double *C;            /* [n_seg * d] */
    double *silhouette;   /* [n_brands * 9] by K (SEGMENT_AUTO_MAX + 1 entries per brand), NaN where not tried */
    int32_t *label;       /* [n] this rank's rows' global segment, -1 for a brand without segments */
    double inertia;       /* of the final assignment over all ranks' rows */
    int iterations;       /* of the distributed stage */
    uint64_t seed_rows;   /* seeding rows over all brands */
} segfit_result;

/* Collective. Fits r (zeroed by the caller; freed with segfit_result_clear, also after a failure).
 * Agreed: CS_ENOMEM, CS_EINVAL for a bad parameter, CS_EINTERNAL for rows out of block order. */
int segfit_run(MPI_Comm comm, const segfit_rows *rows, size_t n_brands, const segfit_params *p,
               segfit_result *r);
void segfit_result_clear(segfit_result *r);

#endif
