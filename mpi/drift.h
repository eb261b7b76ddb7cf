/* drift.h — population stability of the model's inputs and score between training and scoring.
 *
 * The model file carries, for the score and each design column, the training deciles and the share
 * of a training sample in each bin (train: modelfile_story.drift_*). While scoring, a hash-of-id
 * sample of about a million subscribers is binned the same way; the integer bin counts are summed
 * across ranks (exact, so the PSI is the same for any rank count) and
 *     PSI = sum over bins (actual - expected) * ln(actual / expected)
 * with both shares floored at 1e-4. Above 0.25 the population has shifted enough that the model
 * needs retraining (the usual reading: < 0.1 stable, 0.1-0.25 watch, > 0.25 retrain).
 */
#ifndef CS_DRIFT_H
#define CS_DRIFT_H

#include "cmodel.h"
#include "modelfile.h"

#include <mpi.h>
#include <stdint.h>

#define DRIFT_RETRAIN 0.25

typedef struct {
    size_t cols;     /* score + design columns 1..K-1 (0 when the model has no reference) */
    double frac;     /* share of subscribers sampled */
    int64_t *cnt;    /* [cols * 10] */
} drift_acc;

/* Sets up the counts for a model; n_rows is the snapshot's size (for the sample share). */
int drift_init(drift_acc *d, const modelfile_story *s, uint64_t n_rows);
void drift_clear(drift_acc *d);
/* Adds n design rows X (stride = n_coef) with their probabilities and ids. */
void drift_add(drift_acc *d, const modelfile_story *s, const float *X, size_t stride,
               const double *prob, const uint64_t *id, size_t n);
/* Collective. Sums the counts and computes psi[cols] on every rank. */
int drift_finish(drift_acc *d, MPI_Comm comm, const modelfile_story *s, double *psi);
/* Rank 0: writes dir/drift.csv (column, psi, status) and prints the table; names[0] is the score's. */
int drift_report(const char *dir, const char *const *names, const double *psi, size_t cols);

#endif
