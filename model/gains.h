/* gains.h — the curves behind the model report's charts: cumulative gains (and so lift and ROC) at
 * every percent of the population, where the KS statistic is reached, and the confusion matrix at
 * the warning cut-off.
 *
 * metrics.h gives the exact single figures (AUC, KS, lift at 10%); a chart needs the whole curve. It
 * is computed on rank 0 from the same gathered, sorted holdout sample (train_holdout.c), in integers:
 * for q = 0..100 the rows in the top ceil(q% of n) and the leavers among them (the same top-count rule
 * as metrics_top_count), so the decile table, the gains, lift and ROC curves and the figures of
 * metrics.h agree exactly (top_pos[10] / top_n[10] over the base rate is metrics' lift10). The curve
 * is 101 points whatever the sample's size, so the model file and the report stay small. Pure: no
 * MPI, no files.
 */
#ifndef CS_GAINS_H
#define CS_GAINS_H

#include <stddef.h>
#include <stdint.h>

#define GAINS_POINTS 101 /* q = 0, 1, .., 100 percent */

typedef struct {
    uint64_t n, npos;                   /* rows and leavers evaluated */
    uint64_t top_n[GAINS_POINTS];       /* rows in the top q% (ceil), q = 0..100 */
    uint64_t top_pos[GAINS_POINTS];     /* leavers among them */
    double ks;                          /* max |TPR - FPR| over the ends of tie groups (= metrics' KS) */
    double ks_share;                    /* share of the rows above that threshold */
    double ks_tpr, ks_fpr;              /* the two rates there */
    double cutoff;                      /* the warning cut-off: flagged when score >= cutoff */
    uint64_t tp, fp, fn, tn;            /* confusion matrix at the cut-off */
} gains_report;

/* From n rows sorted by decreasing score (score[], label[] 0/1, as metrics_work_sorted and
 * metrics_work_labels give them) and the warning cut-off. CS_EINVAL for n = 0, a label not 0/1, or
 * scores that increase somewhere; CS_EDATA when one class is missing (no curve to draw). */
int gains_compute(const double *score, const unsigned char *label, size_t n, double cutoff,
                  gains_report *out);

#endif
