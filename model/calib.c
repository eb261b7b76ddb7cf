/* calib.c — see calib.h. */
#include "calib.h"

#include <math.h>
#include <stdlib.h>

#include "logit.h"
#include "status.h"

double calib_logit(double p)
{
    const double lo = 1e-15;
    if (!(p > lo)) p = lo;
    if (p > 1 - lo) p = 1 - lo;
    return log(p / (1 - p));
}

int calib_platt_fit(const double *prob, const uint8_t *label, size_t n, double *a, double *b, double *lr)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) pos += label[i] == 1;
    if (pos == 0 || pos == n) return CS_ERROR(CS_EDATA, "calibration: the validation rows hold one class only");
    /* blocks of at most 65536 rows: logit_fit walks X in the workspace's blocks, in order */
    size_t blk = n < 65536 ? n : 65536;
    double *X = malloc(2 * n * sizeof(double)), *y = malloc(n * sizeof(double));
    logit_work *w = logit_work_alloc(blk, 2);
    int rc = CS_OK;
    if (!X || !y || !w) rc = CS_ERROR(CS_ENOMEM, "calibration: out of memory for %zu rows", n);
    for (size_t i = 0; rc == CS_OK && i < n; i++) {
        X[2 * i] = 1.0;
        X[2 * i + 1] = calib_logit(prob[i]);
        y[i] = label[i] == 1 ? 1.0 : 0.0;
    }
    /* plain Newton (logit_fit does not halve steps) from the null model, as glm starts: from the
     * identity map it overshoots and diverges when the model is far off (slope 1/3) */
    double beta[2] = {log((double)pos / (double)(n - pos)), 0.0}, ll1 = 0, ll0 = 0;
    size_t it = 0;
    if (rc == CS_OK) rc = logit_fit(X, y, NULL, n, 2, 0.0, NULL, 1e-10, 100, beta, &it, &ll1, w);
    /* the log-likelihood of the identity map, in the same clamped log-odds */
    for (size_t i = 0; rc == CS_OK && i < n; i++) {
        double e = X[2 * i + 1], l1pe = log1p(exp(-fabs(e)));
        ll0 += y[i] ? (e >= 0 ? -l1pe : e - l1pe) : (e >= 0 ? -e - l1pe : -l1pe);
    }
    if (rc == CS_OK && lr) *lr = 2 * (ll1 - ll0);
    if (rc == CS_OK && !(beta[1] > 0 && isfinite(beta[0])))
        rc = CS_ERROR(CS_ENUM, "calibration: the fitted slope %g is not positive", beta[1]);
    if (rc == CS_OK) {
        *b = beta[0];
        *a = beta[1];
    }
    free(X);
    free(y);
    logit_work_free(w);
    return rc;
}

void calib_platt_uncalibrated_bins(const double *sorted, size_t n, double a, double b, double pred[10])
{
    double s[10] = {0};
    uint64_t c[10] = {0};
    for (size_t i = n; i-- > 0;) {
        uint64_t r = (uint64_t)(n - 1 - i);
        size_t bin = (size_t)(r * 10 / n);
        double eta = (calib_logit(sorted[i]) - b) / a;
        s[bin] += eta >= 0 ? 1.0 / (1.0 + exp(-eta)) : exp(eta) / (1.0 + exp(eta));
        c[bin]++;
    }
    for (int k = 0; k < 10; k++) pred[k] = c[k] ? s[k] / (double)c[k] : NAN;
}
