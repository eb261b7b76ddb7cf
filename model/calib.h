/* calib.h — calibration of a model's probabilities on rows it was not fitted on (Platt scaling).
 *
 * The boosted trees (and the logistic model with --class-weight) rank well but their probabilities
 * are biased: summed over a month they promise too few or too many leavers. Platt scaling maps the
 * model's log-odds eta to a * eta + b, with a and b the maximum-likelihood logistic fit of the
 * validation rows' labels on eta; for a > 0 the map is strictly increasing, so the ranking, the
 * AUC and every list stay as they were (up to two probabilities rounding to the same double), and
 * with its intercept the calibrated probabilities of the validation rows sum to their leavers.
 * Why Platt and not isotonic regression, and which models are mapped: docs/numerics.md
 * ("Calibration"). Serial and small: the
 * pipeline (mpi/train_gbm.c) gathers the validation rows to one rank in global row order, fits
 * there and broadcasts the two numbers, so every rank count gives the same bits.
 */
#ifndef CS_CALIB_H
#define CS_CALIB_H

#include <stddef.h>
#include <stdint.h>

/* log(p / (1 - p)) with p clamped to [1e-15, 1 - 1e-15] (a probability that rounded to 0 or 1). */
double calib_logit(double p);

/* Fits a, b of p' = 1 / (1 + exp(-(a logit(p) + b))) to n probabilities prob and labels (0/1) by
 * Newton (model/logit.h, no penalty); lr (may be NULL) gets the likelihood-ratio statistic
 * 2 (l(a, b) - l(1, 0)) against the model's own probabilities, chi-squared with 2 degrees of freedom
 * when those are calibrated. Returns CS_EDATA when a class is missing, CS_ENUM when the fit fails or
 * gives a <= 0 (a map that would not keep the order: the caller then leaves the probabilities
 * alone), CS_ENOMEM. */
int calib_platt_fit(const double *prob, const uint8_t *label, size_t n, double *a, double *b, double *lr);

/* diagnostics for the report: the likelihood ratio of calib_platt_fit is chi-squared(2) at 1% above
 * this when the model's own probabilities are calibrated */
#define CALIB_LR_1PCT 9.2103403719761836

/* a * eta + b: the calibrated log-odds. */
static inline double calib_platt_eta(double a, double b, double eta) { return a * eta + b; }

/* The calibration table of the probabilities before calibration: sorted holds n calibrated
 * probabilities in decreasing order (as metrics_work_sorted gives them); their bins are those of
 * metrics.h (ascending rank r in bin floor(10 r / n)), the order being the same before and after,
 * and pred[10] gets the mean of the uncalibrated probabilities (the map inverted) in each bin, NaN
 * in an empty one. */
void calib_platt_uncalibrated_bins(const double *sorted, size_t n, double a, double b, double pred[10]);

#endif
