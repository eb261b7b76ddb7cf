/* segment_fit.c — see segment_fit.h.
 *
 * Why the largest K within 1% of the best silhouette: the silhouette rewards groups that are apart
 * from each other, which is what a front line can act on, but on customer data (no true clusters,
 * one continuum of behaviour) it is flat near its maximum, and among K that separate about equally
 * well the finer split names more distinct groups. 1% of the best value is well inside the
 * silhouette's sampling noise on 1,500 rows, so it only breaks near-ties. The elbow of the inertia
 * curve was the other candidate; it has no single definition (every elbow rule picks a different
 * K on a smooth curve) and a fixed tolerance rule on the silhouette is one line to state.
 */
#include "segment_fit.h"

#include "comm.h"
#include "gather.h"
#include "kmeans.h"
#include "log.h"
#include "reduce.h"
#include "segment.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The seed of every k-means++ draw (the same for every brand, so a brand's fit does not depend on
 * the brands before it). */
#define SEGFIT_SEED 0x7365676d656e7473ull
#define SEGFIT_NK (SEGMENT_AUTO_MAX + 1)

void segfit_params_default(segfit_params *p)
{
    p->k = 0;
    p->init_rows = 4000;
    p->sil_rows = 1500;
    p->n_init = 10;
    p->max_iter = 100;
    p->min_rows = 20;
}

void segfit_result_clear(segfit_result *r)
{
    if (!r) return;
    free(r->k);
    free(r->first);
    free(r->C);
    free(r->silhouette);
    free(r->label);
    memset(r, 0, sizeof *r);
}

/* Rank 0: the fit of one brand's seeding rows x [n * d]: its K into *kb, centroids into C (room for
 * SEGMENT_MAX_K * d), silhouettes by K into sil [SEGFIT_NK]. */
static int segfit_seed_brand(const float *x, size_t n, size_t d, const segfit_params *p, int32_t *kb,
                             double *C, double *sil)
{
    size_t kmax_rows = n / (p->min_rows ? p->min_rows : 1);
    *kb = 0;
    if (n == 0) return CS_OK;
    int32_t *label = malloc(n * sizeof(int32_t));
    double *Ck = malloc(SEGMENT_MAX_K * (d ? d : 1) * sizeof(double));
    double *work = malloc(2 * SEGMENT_MAX_K * sizeof(double));
    /* the silhouette's distances, once for all K (auto only) */
    size_t ns = n < p->sil_rows ? n : p->sil_rows;
    double *D = p->k > 0 ? NULL : malloc((ns * ns + 1) * sizeof(double));
    if (!label || !Ck || !work || (p->k == 0 && !D)) {
        free(label);
        free(Ck);
        free(work);
        free(D);
        return CS_ERROR(CS_ENOMEM, "out of memory for the segment seeding");
    }
    int rc = CS_OK;
    double inertia;
    if (p->k > 0) {
        size_t k = (size_t)p->k < kmax_rows ? (size_t)p->k : kmax_rows;
        if (k < 1) k = 1;
        kmeans_rng rng = {SEGFIT_SEED};
        rc = kmeans_fit_local(x, n, d, k, p->n_init, p->max_iter, &rng, C, label, &inertia);
        *kb = (int32_t)k;
    } else {
        size_t hi = SEGMENT_AUTO_MAX < kmax_rows ? SEGMENT_AUTO_MAX : kmax_rows;
        double best = -INFINITY;
        if (hi >= SEGMENT_AUTO_MIN) kmeans_distances(x, ns, d, D);
        for (size_t k = SEGMENT_AUTO_MIN; rc == CS_OK && k <= hi; k++) {
            kmeans_rng rng = {SEGFIT_SEED};
            /* each candidate from 3 starts (the silhouette only ranks the K); the chosen K from all */
            rc = kmeans_fit_local(x, n, d, k, p->n_init < 3 ? p->n_init : 3, p->max_iter, &rng, Ck, label,
                                  &inertia);
            double s = NAN;
            /* the first ns rows: a fixed subset of a hash sample, itself a hash sample. Fewer than
             * two clusters among them leaves this K's silhouette NaN (not chosen). */
            if (rc == CS_OK && kmeans_silhouette_d(D, ns, label, k, work, &s) != CS_OK) s = NAN;
            sil[k] = s;
            if (s > best) best = s;
        }
        /* the largest K within 1% of the best (see the top of the file) */
        size_t pick = 0;
        for (size_t k = SEGMENT_AUTO_MIN; k <= hi; k++)
            if (isfinite(sil[k]) && sil[k] >= best - 0.01 * fabs(best)) pick = k;
        if (pick == 0) pick = 1; /* too few rows for two segments: one, the brand itself */
        kmeans_rng rng = {SEGFIT_SEED};
        if (rc == CS_OK) rc = kmeans_fit_local(x, n, d, pick, p->n_init, p->max_iter, &rng, C, label, &inertia);
        *kb = (int32_t)pick;
    }
    free(label);
    free(Ck);
    free(work);
    free(D);
    return rc;
}

/* Collective. Stage 1: the seeding sample to rank 0, each brand's K and centroids, broadcast. */
static int segfit_seed(MPI_Comm comm, const segfit_rows *rows, size_t nb, const segfit_params *p,
                       segfit_result *r)
{
    size_t d = rows->d, rec = (d + 1) * sizeof(float);
    int64_t *cnt = calloc(nb, sizeof(int64_t));
    int rc = cnt ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == CS_OK && i < rows->n; i++) cnt[rows->brand[i]]++;
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = red_sum_i64(comm, cnt, nb);
    /* the seeding share of each brand: about init_rows of its rows */
    size_t mine = 0;
    float *send = NULL;
    if (rc == CS_OK) {
        for (size_t i = 0; i < rows->n; i++) {
            double f = (double)p->init_rows / (double)cnt[rows->brand[i]];
            mine += rows->u[i] < f;
        }
        send = malloc((mine ? mine : 1) * rec);
        if (!send) rc = CS_ERROR(CS_ENOMEM, "out of memory for the segment seeding rows");
    }
    if (send) {
        size_t q = 0;
        for (size_t i = 0; i < rows->n; i++) {
            if (!(rows->u[i] < (double)p->init_rows / (double)cnt[rows->brand[i]])) continue;
            memcpy(send + q * (d + 1), rows->x + i * d, d * sizeof(float));
            send[q * (d + 1) + d] = (float)rows->brand[i];
            q++;
        }
    }
    rc = red_agree(comm, rc);
    void *all = NULL;
    uint64_t total = 0;
    if (rc == CS_OK) rc = gat_rows_to_root(comm, send, mine, rec, &all, &total);
    free(send);
    double *Cb = NULL;
    if (rc == CS_OK && comm_rank(comm) == 0) {
        r->seed_rows = total;
        const float *a = all;
        float *xb = malloc((total ? total : 1) * d * sizeof(float) + 1);
        Cb = malloc(nb * SEGMENT_MAX_K * (d ? d : 1) * sizeof(double));
        if (!xb || !Cb) rc = CS_ERROR(CS_ENOMEM, "out of memory for %llu seeding rows", (unsigned long long)total);
        for (size_t b = 0; rc == CS_OK && b < nb; b++) {
            size_t n = 0;
            for (uint64_t i = 0; i < total; i++)
                if ((size_t)a[i * (d + 1) + d] == b) memcpy(xb + (n++) * d, a + i * (d + 1), d * sizeof(float));
            rc = segfit_seed_brand(xb, n, d, p, &r->k[b], Cb + b * SEGMENT_MAX_K * d, r->silhouette + b * SEGFIT_NK);
        }
        free(xb);
    }
    free(all);
    free(cnt);
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = comm_bcast(comm, 0, r->k, nb * sizeof(int32_t));
    if (rc == CS_OK) rc = comm_bcast(comm, 0, r->silhouette, nb * SEGFIT_NK * sizeof(double));
    if (rc == CS_OK) rc = comm_bcast(comm, 0, &r->seed_rows, sizeof r->seed_rows);
    if (rc == CS_OK) {
        r->n_seg = 0;
        for (size_t b = 0; b < nb; b++) {
            r->first[b] = (int32_t)r->n_seg;
            r->n_seg += (size_t)r->k[b];
        }
        r->C = malloc((r->n_seg * d + 1) * sizeof(double));
        if (!r->C) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    rc = red_agree(comm, rc);
    if (rc == CS_OK && comm_rank(comm) == 0)
        for (size_t b = 0; b < nb; b++)
            memcpy(r->C + (size_t)r->first[b] * d, Cb + b * SEGMENT_MAX_K * d, (size_t)r->k[b] * d * sizeof(double));
    free(Cb);
    if (rc == CS_OK) rc = comm_bcast(comm, 0, r->C, r->n_seg * d * sizeof(double));
    return red_agree(comm, rc);
}

/* Collective. Stage 2: Lloyd's iterations over every rank's rows, sums through the fixed tree. */
static int segfit_lloyd(MPI_Comm comm, const segfit_rows *rows, const segfit_params *p, segfit_result *r)
{
    size_t d = rows->d, w = KMEANS_SUM_LEN(d), L = r->n_seg * w + 1;
    red_tree *tree = red_tree_alloc(L);
    double *part = malloc(L * sizeof(double)), *tot = malloc(L * sizeof(double));
    int rc = tree && part && tot ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the segment sums");
    for (size_t i = 0; i < rows->n; i++) r->label[i] = -1;
    for (size_t i = 1; rc == CS_OK && i < rows->n; i++)
        if (rows->block[i] < rows->block[i - 1]) rc = CS_ERROR(CS_EINTERNAL, "segment rows out of block order");
    rc = red_agree(comm, rc);
    int it = 0;
    while (rc == CS_OK) {
        red_tree_reset(tree);
        int64_t changed = 0;
        size_t i = 0;
        for (uint64_t b = rows->block0; rc == CS_OK && b < rows->block1; b++) {
            memset(part, 0, L * sizeof(double));
            /* every owned block, empty ones too: the tree pairs blocks by index */
            for (; i < rows->n && rows->block[i] == b; i++) {
                size_t br = rows->brand[i];
                if (r->k[br] == 0) continue;
                size_t f = (size_t)r->first[br];
                changed += (int64_t)kmeans_accumulate(rows->x + i * d, 1, d, r->C + f * d, (size_t)r->k[br],
                                                      (int32_t)f, r->label + i, part + f * w, part + L - 1);
            }
            rc = red_tree_add(tree, b, part);
        }
        rc = red_agree(comm, rc);
        if (rc == CS_OK) rc = red_tree_allreduce(tree, comm, rows->nblocks, tot);
        if (rc == CS_OK) rc = red_sum_i64(comm, &changed, 1);
        rc = red_agree(comm, rc);
        if (rc != CS_OK) break;
        r->inertia = tot[L - 1];
        /* no change: the centroids are the means of these assignments already */
        if (changed == 0 || it >= p->max_iter) break;
        kmeans_update(tot, r->n_seg, d, r->C);
        it++;
    }
    r->iterations = it;
    red_tree_free(tree);
    free(part);
    free(tot);
    return rc;
}

int segfit_run(MPI_Comm comm, const segfit_rows *rows, size_t n_brands, const segfit_params *p,
               segfit_result *r)
{
    int rc = CS_OK;
    if (n_brands == 0 || n_brands > 255 || p->k < 0 || p->k > SEGMENT_MAX_K || p->n_init < 1 || p->max_iter < 1 ||
        rows->d == 0 || rows->d > SEGMENT_MAX_D)
        rc = CS_ERROR(CS_EINVAL, "segments: %zu brands, K %d, %zu dimensions: out of range", n_brands, p->k,
                      rows->d);
    r->n_brands = n_brands;
    r->d = rows->d;
    r->k = calloc(n_brands ? n_brands : 1, sizeof(int32_t));
    r->first = calloc(n_brands ? n_brands : 1, sizeof(int32_t));
    r->silhouette = malloc((n_brands ? n_brands : 1) * SEGFIT_NK * sizeof(double));
    r->label = malloc((rows->n ? rows->n : 1) * sizeof(int32_t));
    if (rc == CS_OK && (!r->k || !r->first || !r->silhouette || !r->label))
        rc = CS_ERROR(CS_ENOMEM, "out of memory for the segments");
    for (size_t i = 0; rc == CS_OK && i < n_brands * SEGFIT_NK; i++) r->silhouette[i] = NAN;
    for (size_t i = 0; rc == CS_OK && i < rows->n; i++)
        if (rows->brand[i] >= n_brands) rc = CS_ERROR(CS_EINTERNAL, "segment row of brand %u", rows->brand[i]);
    rc = red_agree(comm, rc);
    double t0 = comm_now();
    if (rc == CS_OK) rc = segfit_seed(comm, rows, n_brands, p, r);
    double t1 = comm_now();
    if (rc == CS_OK) rc = segfit_lloyd(comm, rows, p, r);
    if (rc == CS_OK)
        log_debug("segments: seeding on %llu rows %.2f s, %d Lloyd iterations %.2f s, inertia %.6g",
                  (unsigned long long)r->seed_rows, t1 - t0, r->iterations, comm_now() - t1, r->inertia);
    return rc;
}
