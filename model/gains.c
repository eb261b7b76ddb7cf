/* gains.c — see gains.h. */
#include "gains.h"

#include "metrics.h"
#include "status.h"

#include <math.h>
#include <string.h>

int gains_compute(const double *score, const unsigned char *label, size_t n, double cutoff,
                  gains_report *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0) return CS_ERROR(CS_EINVAL, "gains: no rows");
    uint64_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        if (label[i] > 1) return CS_ERROR(CS_EINVAL, "gains: label of row %zu is %u, not 0 or 1", i, label[i]);
        if (i > 0 && !(score[i] <= score[i - 1]))
            return CS_ERROR(CS_EINVAL, "gains: scores not sorted decreasingly at row %zu", i);
        npos += label[i];
    }
    uint64_t nneg = (uint64_t)n - npos;
    if (npos == 0 || nneg == 0) return CS_ERROR(CS_EDATA, "gains: one class only (%llu leavers of %zu)",
                                                (unsigned long long)npos, n);
    out->n = n;
    out->npos = npos;
    out->cutoff = cutoff;
    for (unsigned q = 0; q < GAINS_POINTS; q++) out->top_n[q] = metrics_top_count(n, q);
    /* one walk: the prefix counts at each top count, the KS at the end of each tie group (as
     * metrics_segment_ks), the confusion matrix at the cut-off */
    uint64_t cp = 0, cn = 0;
    unsigned q = 0;
    while (q < GAINS_POINTS && out->top_n[q] == 0) out->top_pos[q++] = 0;
    double best = -1;
    for (size_t i = 0; i < n; i++) {
        if (label[i]) cp++;
        else cn++;
        if (score[i] >= cutoff) {
            if (label[i]) out->tp++;
            else out->fp++;
        } else {
            if (label[i]) out->fn++;
            else out->tn++;
        }
        while (q < GAINS_POINTS && out->top_n[q] == (uint64_t)i + 1) out->top_pos[q++] = cp;
        if (i + 1 < n && score[i + 1] == score[i]) continue;
        double tpr = (double)cp / (double)npos, fpr = (double)cn / (double)nneg, d = fabs(tpr - fpr);
        if (d > best) {
            best = d;
            out->ks = d;
            out->ks_share = (double)(i + 1) / (double)n;
            out->ks_tpr = tpr;
            out->ks_fpr = fpr;
        }
    }
    return CS_OK;
}
