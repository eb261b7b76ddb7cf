/* kmeans.c — see kmeans.h. Distances are accumulated in double in coordinate order, so a row's
 * distance to a centroid is one fixed sequence of operations wherever it is computed (training's
 * sample, training's profile pass, scoring). */
#include "kmeans.h"

#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double km_dist2(const float *x, const double *c, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double e = (double)x[j] - c[j];
        s += e * e;
    }
    return s;
}

static double km_dist2_rows(const float *x, const float *y, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double e = (double)x[j] - (double)y[j];
        s += e * e;
    }
    return s;
}

size_t kmeans_nearest(const float *x, size_t d, const double *C, size_t k, double *dist2)
{
    size_t best = 0;
    double bd = INFINITY;
    for (size_t c = 0; c < k; c++) {
        double e = km_dist2(x, C + c * d, d);
        /* strictly less: ties go to the lower index */
        if (e < bd) {
            bd = e;
            best = c;
        }
    }
    if (dist2) *dist2 = bd;
    return best;
}

size_t kmeans_accumulate(const float *x, size_t n, size_t d, const double *C, size_t k, int32_t off,
                         int32_t *label, double *sums, double *inertia)
{
    size_t changed = 0, w = KMEANS_SUM_LEN(d);
    for (size_t i = 0; i < n; i++) {
        const float *r = x + i * d;
        double e;
        size_t c = kmeans_nearest(r, d, C, k, &e);
        int32_t l = off + (int32_t)c;
        if (label[i] != l) changed++;
        label[i] = l;
        double *s = sums + c * w;
        for (size_t j = 0; j < d; j++) s[j] += (double)r[j];
        s[d] += 1;
        *inertia += e;
    }
    return changed;
}

size_t kmeans_update(const double *sums, size_t k, size_t d, double *C)
{
    size_t empty = 0, w = KMEANS_SUM_LEN(d);
    for (size_t c = 0; c < k; c++) {
        const double *s = sums + c * w;
        if (s[d] <= 0) {
            empty++;
            continue;
        }
        for (size_t j = 0; j < d; j++) C[c * d + j] = s[j] / s[d];
    }
    return empty;
}

double kmeans_inertia(const float *x, size_t n, size_t d, const double *C, size_t k)
{
    double s = 0, e;
    for (size_t i = 0; i < n; i++) {
        kmeans_nearest(x + i * d, d, C, k, &e);
        s += e;
    }
    return s;
}

double kmeans_rng_unit(kmeans_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-53;
}

/* The row whose cumulative weight first exceeds r (the last row with weight if rounding runs past
 * the end). */
static size_t km_pick(const double *w, size_t n, double r)
{
    double acc = 0;
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        if (w[i] <= 0) continue;
        acc += w[i];
        last = i;
        if (acc > r) return i;
    }
    return last;
}

static void km_copy_row(double *c, const float *x, size_t d)
{
    for (size_t j = 0; j < d; j++) c[j] = (double)x[j];
}

int kmeans_pp(const float *x, size_t n, size_t d, size_t k, kmeans_rng *rng, double *C, double *work)
{
    if (k == 0 || n < k) return CS_ERROR(CS_EINVAL, "k-means++: %zu rows for %zu clusters", n, k);
    double *closest = work;
    size_t first = (size_t)(kmeans_rng_unit(rng) * (double)n);
    if (first >= n) first = n - 1;
    km_copy_row(C, x + first * d, d);
    double pot = 0;
    for (size_t i = 0; i < n; i++) pot += closest[i] = km_dist2(x + i * d, C, d);
    size_t trials = 2 + (size_t)floor(log((double)k));
    for (size_t c = 1; c < k; c++) {
        size_t best = SIZE_MAX;
        double best_pot = INFINITY;
        for (size_t t = 0; t < trials; t++) {
            size_t idx;
            if (pot > 0) idx = km_pick(closest, n, kmeans_rng_unit(rng) * pot);
            else {
                /* every row sits on a centroid already (duplicates): any row will do */
                idx = (size_t)(kmeans_rng_unit(rng) * (double)n);
                if (idx >= n) idx = n - 1;
            }
            double p = 0;
            for (size_t i = 0; i < n; i++) {
                double e = km_dist2_rows(x + i * d, x + idx * d, d);
                p += e < closest[i] ? e : closest[i];
            }
            if (p < best_pot) {
                best_pot = p;
                best = idx;
            }
        }
        km_copy_row(C + c * d, x + best * d, d);
        pot = 0;
        for (size_t i = 0; i < n; i++) {
            double e = km_dist2_rows(x + i * d, x + best * d, d);
            if (e < closest[i]) closest[i] = e;
            pot += closest[i];
        }
    }
    return CS_OK;
}

void kmeans_lloyd(const float *x, size_t n, size_t d, size_t k, int max_iter, double *C, int32_t *label,
                  double *work, double *inertia, int *iters)
{
    size_t w = k * KMEANS_SUM_LEN(d);
    for (size_t i = 0; i < n; i++) label[i] = -1;
    int it = 0;
    double in = 0;
    for (;;) {
        memset(work, 0, w * sizeof(double));
        in = 0;
        size_t changed = kmeans_accumulate(x, n, d, C, k, 0, label, work, &in);
        /* no change: C is already the mean of these labels (it was computed from them) */
        if (changed == 0 || it >= max_iter) break;
        kmeans_update(work, k, d, C);
        it++;
    }
    *inertia = in;
    *iters = it;
}

int kmeans_fit_local(const float *x, size_t n, size_t d, size_t k, int n_init, int max_iter,
                     kmeans_rng *rng, double *C, int32_t *label, double *inertia)
{
    if (k == 0 || n_init <= 0 || n < k)
        return CS_ERROR(CS_EINVAL, "k-means: %zu rows for %zu clusters (%d starts)", n, k, n_init);
    double *work = malloc((2 * n + k * KMEANS_SUM_LEN(d)) * sizeof(double));
    double *Ct = malloc(k * (d ? d : 1) * sizeof(double));
    int32_t *lt = malloc(n * sizeof(int32_t));
    if (!work || !Ct || !lt) {
        free(work);
        free(Ct);
        free(lt);
        return CS_ERROR(CS_ENOMEM, "out of memory for k-means on %zu rows", n);
    }
    double best = INFINITY;
    int rc = CS_OK;
    for (int s = 0; rc == CS_OK && s < n_init; s++) {
        rc = kmeans_pp(x, n, d, k, rng, Ct, work);
        if (rc != CS_OK) break;
        double in;
        int it;
        kmeans_lloyd(x, n, d, k, max_iter, Ct, lt, work, &in, &it);
        /* strictly better: the earlier start wins a tie, so the result is the same every time */
        if (in < best) {
            best = in;
            memcpy(C, Ct, k * d * sizeof(double));
            memcpy(label, lt, n * sizeof(int32_t));
        }
    }
    *inertia = best;
    free(work);
    free(Ct);
    free(lt);
    return rc;
}

void kmeans_distances(const float *x, size_t n, size_t d, double *D)
{
    for (size_t i = 0; i < n; i++) {
        D[i * n + i] = 0;
        for (size_t j = i + 1; j < n; j++) D[i * n + j] = D[j * n + i] = sqrt(km_dist2_rows(x + i * d, x + j * d, d));
    }
}

/* The silhouette's arithmetic, with the distance of rows i and j from x (D NULL) or from D. */
static int km_silhouette(const float *x, const double *D, size_t n, size_t d, const int32_t *label, size_t k,
                         double *work, double *out)
{
    double *sum = work, *cnt = work + k;
    memset(cnt, 0, k * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        if (label[i] < 0 || (size_t)label[i] >= k)
            return CS_ERROR(CS_EINVAL, "silhouette: label %d of row %zu is not below %zu", label[i], i, k);
        cnt[label[i]] += 1;
    }
    size_t used = 0;
    for (size_t c = 0; c < k; c++) used += cnt[c] > 0;
    if (used < 2) return CS_ERROR(CS_EINVAL, "silhouette: %zu of %zu clusters have rows (2 needed)", used, k);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        memset(sum, 0, k * sizeof(double));
        for (size_t j = 0; j < n; j++)
            if (j != i) sum[label[j]] += D ? D[i * n + j] : sqrt(km_dist2_rows(x + i * d, x + j * d, d));
        size_t li = (size_t)label[i];
        if (cnt[li] <= 1) continue; /* a row alone in its cluster scores 0 */
        double a = sum[li] / (cnt[li] - 1), b = INFINITY;
        for (size_t c = 0; c < k; c++)
            if (c != li && cnt[c] > 0 && sum[c] / cnt[c] < b) b = sum[c] / cnt[c];
        double m = a > b ? a : b;
        total += m > 0 ? (b - a) / m : 0;
    }
    *out = total / (double)n;
    return CS_OK;
}

int kmeans_silhouette(const float *x, size_t n, size_t d, const int32_t *label, size_t k, double *work,
                      double *out)
{
    return km_silhouette(x, NULL, n, d, label, k, work, out);
}

int kmeans_silhouette_d(const double *D, size_t n, const int32_t *label, size_t k, double *work, double *out)
{
    return km_silhouette(NULL, D, n, 0, label, k, work, out);
}
