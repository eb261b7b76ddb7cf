/* metrics.h — exact evaluation metrics for churn scores against 0/1 labels.
 *
 * The report that decides whether a model is any good must not depend on how many ranks computed it,
 * so everything that can be counted is counted in integers: AUC is the Mann-Whitney statistic with
 * ties as 1/2, kept as the exact integer U2 = sum over positives of (2 #negatives below + #negatives
 * tied), and AUC = U2 / (2 npos nneg). Only the final division is floating point.
 *
 * Two layers. The segment layer works on a run of rows already sorted by decreasing score (ties broken
 * by the caller's secondary key): metrics_segment_summarize gives integer counts that merge exactly
 * and associatively (metrics_segment_merge, in global order), and the prefix functions take the counts
 * of positives/negatives that come before the segment. That is what a distributed sort followed by an
 * exclusive scan needs. metrics_evaluate is the serial all-in-one report built on the same functions.
 * Scores are double; float scores convert exactly.
 */
#ifndef CS_METRICS_H
#define CS_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* ---- segment layer: arrays sorted by decreasing score ---- */

/* Exact summary of a sorted segment. Tie groups split across a segment boundary are handled by
 * remembering the leading and trailing tie groups. */
typedef struct {
    uint64_t npos, nneg;        /* labels in the segment */
    uint64_t u2;                /* U2 of the segment alone (mod 2^64 while merging; exact at the end) */
    double first, last;         /* first (highest) and last (lowest) score; NaN when empty */
    uint64_t lead_pos, lead_neg;   /* labels in the leading tie group (score == first) */
    uint64_t trail_pos, trail_neg; /* labels in the trailing tie group (score == last) */
} metrics_segment;

/* Summarises n rows (score non-increasing, label 0/1). n may be 0. Returns CS_EINVAL if a score is NaN,
 * the scores increase somewhere, or a label is not 0/1. */
int metrics_segment_summarize(const double *score, const unsigned char *label, size_t n,
                              metrics_segment *out);

/* out = a followed by b (out may alias a or b). Returns CS_EINVAL if a.last < b.first (not sorted). */
int metrics_segment_merge(const metrics_segment *a, const metrics_segment *b, metrics_segment *out);

/* AUC = u2 / (2 npos nneg) of a complete (merged) summary. Returns CS_EDATA if npos or nneg is 0. */
int metrics_segment_auc(const metrics_segment *s, double *auc);

/* Positives among the first `cut` rows of the whole sorted order, counted within a segment of n rows
 * that starts at global position `start`: the caller sums this over segments. */
uint64_t metrics_segment_top_pos(const unsigned char *label, size_t n, uint64_t start, uint64_t cut);

/* Kolmogorov-Smirnov statistic contribution of a sorted segment: the largest
 * |TPR(t) - FPR(t)| over thresholds t at the end of each tie group inside the segment, given the
 * positives/negatives before the segment, the totals, and next_score, the first score after the
 * segment (NaN if none), which says whether the segment's last tie group continues. The global KS is
 * the max over segments. Returns CS_EDATA if npos_total or nneg_total is 0. */
int metrics_segment_ks(const double *score, const unsigned char *label, size_t n, uint64_t pos_before,
                       uint64_t neg_before, uint64_t npos_total, uint64_t nneg_total,
                       double next_score, double *ks);

/* Number of rows in the top `percent`% of n: ceil(n * percent / 100), exact in integers. */
uint64_t metrics_top_count(uint64_t n, unsigned percent);

/* ---- serial layer ---- */

#define METRICS_NBINS 10

typedef struct {
    uint64_t n, npos, nneg;
    uint64_t u2;
    double auc;
    double base_rate;         /* npos / n */
    double lift10;            /* churn rate in the top ceil(10%) over base_rate */
    double capture5, capture10, capture20; /* share of all positives in the top ceil(x%) */
    double ks;
    double brier;             /* mean (score - label)^2 */
    /* calibration by score decile, bin 0 = lowest scores; bin b holds the rows of ascending rank
     * r with floor(10 r / n) == b */
    uint64_t cal_n[METRICS_NBINS];
    double cal_pred[METRICS_NBINS]; /* mean score in the bin (NaN if empty) */
    double cal_obs[METRICS_NBINS];  /* positive rate in the bin (NaN if empty) */
} metrics_report;

typedef struct metrics_work metrics_work;

/* Workspace for up to max_n rows. Returns NULL if max_n is 0 or memory is short. */
metrics_work *metrics_work_alloc(size_t max_n);
void metrics_work_free(metrics_work *w); /* accepts NULL */

/* Writes to order[0..n) the row indices sorted by decreasing score, ties by increasing key (key may be
 * NULL), then increasing row index: a total order, so the result is deterministic. Returns CS_EINVAL if
 * n exceeds the workspace or a score is NaN. */
int metrics_order(const double *score, const int64_t *key, size_t n, size_t *order, metrics_work *w);

/* The whole report for n rows (score, label 0/1, key as in metrics_order or NULL). Returns CS_EINVAL
 * as metrics_order or on a label not 0/1, CS_EDATA if there are no positives or no negatives. */
int metrics_evaluate(const double *score, const unsigned char *label, const int64_t *key, size_t n,
                     metrics_report *out, metrics_work *w);

/* The scores of the last successful metrics_evaluate on w, in its order (decreasing): lets a caller
 * read quantiles of the same rows without sorting them again. Valid until w is used again. */
const double *metrics_work_sorted(const metrics_work *w);
/* Their labels, in the same order (for the curves of gains.h). Valid as metrics_work_sorted. */
const unsigned char *metrics_work_labels(const metrics_work *w);

#endif
