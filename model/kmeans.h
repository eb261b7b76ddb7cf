/* kmeans.h — the numerics of k-means: nearest centroid, per-cluster partial sums, the centroid
 * update, greedy k-means++ seeding, Lloyd's iterations on rows held in one place, inertia and the
 * silhouette.
 *
 * Pure arithmetic on float rows (the design rows training caches are float32) with double
 * accumulators: no MPI, no files. The distributed fit (mpi/segment_fit.c) calls kmeans_accumulate
 * on each reduction block and sums the blocks through the fixed tree of mpi/reduce.h, so that every
 * rank takes the same update from the same bits; the seeding and the choice of K run on rank 0 over
 * a small sample with kmeans_fit_local and kmeans_silhouette. Rows are row-major, d floats each;
 * centroids are row-major, d doubles each. Ties between equally near centroids go to the lower
 * index, so an assignment depends on nothing but the bits of the row and the centroids.
 */
#ifndef CS_KMEANS_H
#define CS_KMEANS_H

#include <stddef.h>
#include <stdint.h>

/* The layout of one cluster's partial sums: d coordinate sums, then the row count. */
#define KMEANS_SUM_LEN(d) ((d) + 1)

/* Index of the nearest of k centroids to row x (k >= 1); its squared distance into *dist2 when not
 * NULL. */
size_t kmeans_nearest(const float *x, size_t d, const double *C, size_t k, double *dist2);

/* Assigns each of n rows to its nearest of k centroids: label[i] = off + the centroid's index, and
 * adds the row to sums (k * KMEANS_SUM_LEN(d), the caller zeroes it) and its squared distance to
 * *inertia. Returns the number of rows whose label changed (label holds the previous assignment,
 * any negative value for none). */
size_t kmeans_accumulate(const float *x, size_t n, size_t d, const double *C, size_t k, int32_t off,
                         int32_t *label, double *sums, double *inertia);

/* C[c] = the mean of cluster c's rows from sums (k * KMEANS_SUM_LEN(d)); an empty cluster keeps
 * its centroid. Returns the number of empty clusters. */
size_t kmeans_update(const double *sums, size_t k, size_t d, double *C);

/* Sum over n rows of the squared distance to the nearest of k centroids. */
double kmeans_inertia(const float *x, size_t n, size_t d, const double *C, size_t k);

/* A small deterministic generator (splitmix64) for the seeding: the same seed, the same draws. */
typedef struct {
    uint64_t s;
} kmeans_rng;
double kmeans_rng_unit(kmeans_rng *r); /* uniform in [0, 1) */

/* Greedy k-means++ (Arthur and Vassilvitskii; the greedy variant of scikit-learn): the first
 * centroid a uniform draw, each next one the best, by the inertia it leaves, of 2 + floor(ln k)
 * candidates drawn with probability proportional to the squared distance to the nearest centroid
 * so far. C is k * d; work is n doubles. CS_EINVAL when k is 0 or n < k. */
int kmeans_pp(const float *x, size_t n, size_t d, size_t k, kmeans_rng *rng, double *C, double *work);

/* Lloyd's iterations from the centroids in C (k * d, updated in place) until no label changes or
 * max_iter iterations: label [n] the final assignment (rows to the C returned), *inertia its sum
 * of squared distances, *iters the iterations taken. work is k * KMEANS_SUM_LEN(d) doubles. */
void kmeans_lloyd(const float *x, size_t n, size_t d, size_t k, int max_iter, double *C, int32_t *label,
                  double *work, double *inertia, int *iters);

/* The best by inertia of n_init runs of kmeans_pp then kmeans_lloyd (seeds drawn from rng in
 * turn), into C (k * d) and label [n]; *inertia its inertia. Allocates its work (this runs once
 * per K on a sample, never in a pass). CS_EINVAL (n < k, k or n_init 0), CS_ENOMEM. */
int kmeans_fit_local(const float *x, size_t n, size_t d, size_t k, int n_init, int max_iter,
                     kmeans_rng *rng, double *C, int32_t *label, double *inertia);

/* The mean silhouette of n labelled rows (labels 0..k-1): for each row, a = mean distance to the
 * other rows of its cluster, b = the least mean distance to the rows of another cluster, s = (b -
 * a) / max(a, b), 0 for a row alone in its cluster (as scikit-learn's silhouette_score). Euclidean
 * distances; O(n^2 d), meant for a sample. work is k doubles (sums) + k (counts). CS_EINVAL when
 * fewer than 2 clusters have rows. */
int kmeans_silhouette(const float *x, size_t n, size_t d, const int32_t *label, size_t k, double *work,
                      double *out);
/* The pairwise Euclidean distances of n rows into D [n * n] (symmetric, 0 on the diagonal), and the
 * same silhouette from them: for several labellings of one sample (each K tried), the distances
 * are computed once. */
void kmeans_distances(const float *x, size_t n, size_t d, double *D);
int kmeans_silhouette_d(const double *D, size_t n, const int32_t *label, size_t k, double *work, double *out);

#endif
