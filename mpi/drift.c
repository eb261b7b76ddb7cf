/* drift.c — see drift.h. */
#include "drift.h"

#include "commit.h"
#include "idhash.h"
#include "log.h"
#include "reduce.h"
#include "salts.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int drift_init(drift_acc *d, const modelfile_story *s, uint64_t n_rows)
{
    memset(d, 0, sizeof *d);
    if (!s || s->drift_cols == 0) return CS_OK;
    d->cols = s->drift_cols;
    d->frac = n_rows > 1000000 ? 1000000.0 / (double)n_rows : 1.0;
    d->cnt = calloc(d->cols * 10, sizeof(int64_t));
    if (!d->cnt) return CS_ERROR(CS_ENOMEM, "out of memory");
    return CS_OK;
}

void drift_clear(drift_acc *d)
{
    free(d->cnt);
    memset(d, 0, sizeof *d);
}

/* The number of edges below v. The edges ascend, unused ones are NaN at the end and a NaN compares
 * false, so counting the comparisons gives what a scan to the first edge not below v gives, without
 * its unpredictable branch (this runs for every column of a million sampled rows). */
static size_t drift_bin(const double *edges, double v)
{
    size_t b = 0;
    for (int k = 0; k < 9; k++) b += edges[k] < v;
    return b;
}

void drift_add(drift_acc *d, const modelfile_story *s, const float *X, size_t stride,
               const double *prob, const uint64_t *id, size_t n)
{
    if (!d->cols) return;
    for (size_t i = 0; i < n; i++) {
        if (d->frac < 1.0 && idhash_unit(id[i], SALT_DRIFT) >= d->frac) continue;
        const float *x = X + i * stride;
        /* column 0 is the score, as in the reference (train_holdout.c: train_drift_reference) */
        d->cnt[drift_bin(s->drift_edges, (float)prob[i])]++;
        for (size_t j = 1; j < d->cols; j++) d->cnt[j * 10 + drift_bin(s->drift_edges + j * 9, x[j])]++;
    }
}

int drift_finish(drift_acc *d, MPI_Comm comm, const modelfile_story *s, double *psi)
{
    if (!d->cols) return CS_OK;
    CS_TRY(red_sum_i64(comm, d->cnt, d->cols * 10));
    for (size_t j = 0; j < d->cols; j++) {
        int64_t tot = 0;
        for (int b = 0; b < 10; b++) tot += d->cnt[j * 10 + b];
        double v = 0;
        for (int b = 0; b < 10; b++) {
            double a = tot ? (double)d->cnt[j * 10 + b] / (double)tot : 0.0;
            double e = s->drift_expected[j * 10 + b];
            if (a < 1e-4) a = 1e-4;
            if (e < 1e-4) e = 1e-4;
            v += (a - e) * log(a / e);
        }
        psi[j] = tot ? v : NAN;
    }
    return CS_OK;
}

int drift_report(const char *dir, const char *const *names, const double *psi, size_t cols)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/drift.csv", dir);
    FILE *f = fopen(path, "w");
    if (!f) return commit_errno(errno, path, "create");
    fprintf(f, "input,psi,status\n");
    size_t over = 0;
    double worst = 0;
    size_t wj = 0;
    for (size_t j = 0; j < cols; j++) {
        const char *st = !(psi[j] <= DRIFT_RETRAIN) ? "retrain" : psi[j] > 0.1 ? "watch" : "stable";
        /* names come from the model (indicator names): quote them */
        fprintf(f, "\"%s\",%.6f,%s\n", names[j], psi[j], st);
        if (!(psi[j] <= DRIFT_RETRAIN)) over++;
        if (psi[j] > worst) {
            worst = psi[j];
            wj = j;
        }
    }
    /* the flush is where a full disk shows: its errno says so */
    int rc = CS_OK;
    if (fflush(f) != 0) rc = commit_errno(errno, path, "write");
    else if (ferror(f)) rc = commit_errno(EIO, path, "write");
    if (fclose(f) != 0 && rc == CS_OK) rc = commit_errno(errno, path, "close");
    if (rc != CS_OK) return rc;
    printf("drift (PSI against the training sample): score %.4f, largest %.4f (%s)\n", psi[0], worst,
           names[wj]);
    if (over)
        printf("WARNING: %zu of %zu model inputs or the score have PSI > %.2f: the population has "
               "shifted, the model needs retraining (details in drift.csv)\n", over, cols, DRIFT_RETRAIN);
    fflush(stdout);
    if (over) log_info("score: WARNING: drift above PSI %.2f in %zu inputs: retrain the model", DRIFT_RETRAIN, over);
    return CS_OK;
}
