/* cmodel.c — design rows, probabilities and reasons of a churn model (see cmodel.h). */
#include "cmodel.h"

#include "calib.h"

#include "status.h"

#include <gsl/gsl_cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t cmodel_design_width(const cmodel *m)
{
    size_t w = 1;
    if (m->inputs == CMODEL_INPUTS_FACTORS || m->inputs == CMODEL_INPUTS_BOTH) w += m->k;
    if (m->inputs == CMODEL_INPUTS_RAW || m->inputs == CMODEL_INPUTS_BOTH) w += m->p_fa;
    w += m->n_signal;
    w += (m->tenure_idx >= 0) + (m->contract_idx >= 0);
    w += m->n_brands > 1 ? m->n_brands - 1 : 0;
    return w;
}

int cmodel_name_columns(cmodel *m)
{
    size_t w = cmodel_design_width(m);
    m->n_coef = w;
    m->coef_names = calloc(w, sizeof(char *));
    m->coef_kind = calloc(w, sizeof(int32_t));
    if (!m->coef_names || !m->coef_kind) return CS_ERROR(CS_ENOMEM, "out of memory");
    size_t c = 0;
    char buf[512];
    m->coef_names[c] = strdup("(intercept)");
    m->coef_kind[c++] = CMODEL_COL_INTERCEPT;
    if (m->inputs != CMODEL_INPUTS_RAW)
        for (size_t f = 0; f < m->k; f++) {
            snprintf(buf, sizeof buf, "factor%zu:%s", f + 1, m->factor_labels ? m->factor_labels[f] : "");
            m->coef_names[c] = strdup(buf);
            m->coef_kind[c++] = CMODEL_COL_FACTOR;
        }
    if (m->inputs != CMODEL_INPUTS_FACTORS)
        for (size_t j = 0; j < m->p_fa; j++) {
            m->coef_names[c] = strdup(m->in_names[m->fa_idx[j]]);
            m->coef_kind[c++] = CMODEL_COL_INDICATOR;
        }
    for (size_t j = 0; j < m->n_signal; j++) {
        m->coef_names[c] = strdup(m->in_names[m->signal_idx[j]]);
        m->coef_kind[c++] = CMODEL_COL_SIGNAL;
    }
    if (m->tenure_idx >= 0) {
        m->coef_names[c] = strdup("onboarding");
        m->coef_kind[c++] = CMODEL_COL_LIFECYCLE;
    }
    if (m->contract_idx >= 0) {
        m->coef_names[c] = strdup("contract_ending");
        m->coef_kind[c++] = CMODEL_COL_LIFECYCLE;
    }
    for (size_t b = 1; b < m->n_brands; b++) {
        snprintf(buf, sizeof buf, "brand%zu", b);
        m->coef_names[c] = strdup(buf);
        m->coef_kind[c++] = CMODEL_COL_BRAND;
    }
    for (size_t i = 0; i < w; i++)
        if (!m->coef_names[i]) return CS_ERROR(CS_ENOMEM, "out of memory");
    return CS_OK;
}

size_t cmodel_work_len(const cmodel *m, size_t n)
{
    return n * (m->p_fa + m->k + 1);
}

void cmodel_design(const cmodel *m, const float *xin, const uint8_t *brand, size_t n, float *X,
                   double *ws)
{
    size_t w = m->n_coef, pf = m->p_fa, k = m->k, pin = m->p_in;
    int use_f = m->inputs != CMODEL_INPUTS_RAW && k > 0;
    int use_raw = m->inputs != CMODEL_INPUTS_FACTORS;
    double *Z = ws;             /* n x p_fa standardised indicators */
    double *S = ws + n * pf;    /* n x k factor scores */
    /* Hot loop (every subscriber, every indicator): column constants hoisted, no branches but the
     * missing test. (v - center) / scale is kept as a division: it is what training computed, and
     * the design must be bitwise the same in both. */
    enum { CM_STACK = 256 };
    double cen[CM_STACK], sca[CM_STACK], imp[CM_STACK];
    int32_t col[CM_STACK];
    int small = pf <= CM_STACK;
    for (size_t j = 0; small && j < pf; j++) {
        col[j] = m->fa_idx[j];
        cen[j] = m->center[col[j]];
        sca[j] = m->scale[col[j]];
        imp[j] = m->impute[col[j]];
    }
    for (size_t i = 0; i < n; i++) {
        const float *x = xin + i * pin;
        double *z = Z + i * pf;
        if (small) {
            for (size_t j = 0; j < pf; j++) {
                double v = x[col[j]];
                if (v != v) v = imp[j];
                z[j] = (v - cen[j]) / sca[j];
            }
        } else {
            for (size_t j = 0; j < pf; j++) {
                size_t c = (size_t)m->fa_idx[j];
                double v = x[c];
                if (isnan(v)) v = m->impute[c];
                z[j] = (v - m->center[c]) / m->scale[c];
            }
        }
    }
    /* Factor scores for the whole block in one BLAS call: S = Z W. */
    if (use_f && n > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)k, (int)pf, 1.0, Z,
                    (int)pf, m->score_coef, (int)k, 0.0, S, (int)k);
    for (size_t i = 0; i < n; i++) {
        const float *x = xin + i * pin;
        float *o = X + i * w;
        size_t c = 0;
        o[c++] = 1.0f;
        if (use_f)
            for (size_t f = 0; f < k; f++) o[c++] = (float)S[i * k + f];
        if (use_raw)
            for (size_t j = 0; j < pf; j++) o[c++] = (float)Z[i * pf + j];
        for (size_t j = 0; j < m->n_signal; j++) {
            size_t s = (size_t)m->signal_idx[j];
            double v = x[s];
            o[c++] = (float)(isnan(v) ? m->impute[s] : v);
        }
        if (m->tenure_idx >= 0) {
            double t = x[m->tenure_idx];
            o[c++] = (!isnan(t) && t <= m->onboarding_months) ? 1.0f : 0.0f;
        }
        if (m->contract_idx >= 0) {
            double t = x[m->contract_idx];
            o[c++] = (!isnan(t) && t >= 0 && t <= m->contract_ending_months) ? 1.0f : 0.0f;
        }
        for (size_t b = 1; b < m->n_brands; b++) o[c++] = brand && brand[i] == b ? 1.0f : 0.0f;
    }
}

void cmodel_predict(const cmodel *m, const float *X, size_t n, double *prob)
{
    size_t w = m->n_coef;
    int platt = m->cal == CMODEL_CAL_PLATT;
    if (m->kind == CMODEL_KIND_GBM && m->gbm) {
        gbm_predict_raw(m->gbm, X, n, w, 1, prob);
        for (size_t i = 0; i < n; i++) {
            double eta = platt ? calib_platt_eta(m->cal_a, m->cal_b, prob[i]) : prob[i];
            prob[i] = eta >= 0 ? 1.0 / (1.0 + exp(-eta)) : exp(eta) / (1.0 + exp(eta));
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * w;
        double eta = 0.0;
        for (size_t j = 0; j < w; j++) eta += m->beta[j] * (double)x[j];
        if (platt) eta = calib_platt_eta(m->cal_a, m->cal_b, eta);
        /* the stable form on both sides avoids exp overflow */
        prob[i] = eta >= 0 ? 1.0 / (1.0 + exp(-eta)) : exp(eta) / (1.0 + exp(eta));
    }
}

/* The logistic of beta . x in double, the stable form on both sides (as cmodel_predict). */
static double cmodel_logistic_row(const double *beta, const float *x, size_t w)
{
    double eta = 0.0;
    for (size_t j = 0; j < w; j++) eta += beta[j] * (double)x[j];
    return eta >= 0 ? 1.0 / (1.0 + exp(-eta)) : exp(eta) / (1.0 + exp(eta));
}

void cmodel_predict_types(const cmodel *m, const float *X, size_t n, const double *prob,
                          double *pvol, double *pinv)
{
    size_t w = m->n_coef;
    if (!m->has_types) {
        for (size_t i = 0; i < n; i++) {
            pvol[i] = prob[i];
            pinv[i] = NAN;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * w;
        double v = cmodel_logistic_row(m->type_beta[CMODEL_TYPE_VOLUNTARY], x, w);
        double q = cmodel_logistic_row(m->type_beta[CMODEL_TYPE_INVOLUNTARY], x, w);
        /* two binary models need not leave room for each other: where together they promise more
         * than certainty, both shrink in proportion (rare: each is a small probability) */
        double s = v + q;
        if (s > 1.0) {
            v /= s;
            /* the quotient q / s may round the sum above 1 by an ulp: q is what is left of 1,
             * lowered until the sum in double holds */
            q = 1.0 - v;
            while (v + q > 1.0) q = nextafter(q, 0.0);
        }
        pvol[i] = v;
        pinv[i] = q;
    }
}

size_t cmodel_reasons(const cmodel *m, const float *x, size_t nr, int32_t *top)
{
    double best[8];
    double contrib[512];
    int trees = m->kind == CMODEL_KIND_GBM && m->gbm && m->n_coef - 1 <= 512;
    size_t nb = 0;
    if (nr > 8) nr = 8;
    if (nr == 0) return 0;
    const double *beta = m->beta, *mean = m->coef_mean;
    if (trees) gbm_contrib(m->gbm, x, 1, contrib);
    if (nr == 3 && m->n_coef <= 513) {
        /* the scoring case: three reasons, kept in registers; contributions first in a loop the
         * compiler vectorises. Same order and ties as the general loop below. */
        if (!trees)
            for (size_t j = 1; j < m->n_coef; j++) contrib[j - 1] = beta[j] * ((double)x[j] - mean[j]);
        double b0 = 0, b1 = 0, b2 = 0;
        int32_t t0 = -1, t1 = -1, t2 = -1;
        for (size_t j = 1; j < m->n_coef; j++) {
            double v = contrib[j - 1];
            if (!(v > b2)) continue;
            if (v > b1) {
                b2 = b1;
                t2 = t1;
                if (v > b0) {
                    b1 = b0;
                    t1 = t0;
                    b0 = v;
                    t0 = (int32_t)j;
                } else {
                    b1 = v;
                    t1 = (int32_t)j;
                }
            } else {
                b2 = v;
                t2 = (int32_t)j;
            }
        }
        top[0] = t0;
        top[1] = t1;
        top[2] = t2;
        return (size_t)(t0 >= 0) + (t1 >= 0) + (t2 >= 0);
    }
    /* Keeps the nr largest positive contributions in best[0..nb), in decreasing order; a new value
     * enters only when it beats the smallest kept one (most do not), so the common case is one
     * comparison per column. Ties keep the lower column first. */
    for (size_t j = 1; j < m->n_coef; j++) {
        double c = trees ? contrib[j - 1] : beta[j] * ((double)x[j] - mean[j]);
        if (!(c > 0)) continue;
        if (nb == nr && !(c > best[nr - 1])) continue;
        size_t at = nb < nr ? nb : nr - 1;
        while (at > 0 && c > best[at - 1]) {
            best[at] = best[at - 1];
            top[at] = top[at - 1];
            at--;
        }
        best[at] = c;
        top[at] = (int32_t)j;
        if (nb < nr) nb++;
    }
    return nb;
}

static void cmodel_free_strs(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

void cmodel_set_segments(cmodel *m, segment_model *s)
{
    segment_model_free(m->seg);
    m->seg = s;
}

void cmodel_clear(cmodel *m)
{
    if (!m) return;
    segment_model_free(m->seg);
    m->seg = NULL;
    cmodel_free_strs(m->in_names, m->p_in);
    cmodel_free_strs(m->derived_names, m->n_derived);
    cmodel_free_strs(m->derived_formulas, m->n_derived);
    free(m->impute);
    free(m->center);
    free(m->scale);
    free(m->fa_idx);
    free(m->loadings);
    free(m->score_coef);
    cmodel_free_strs(m->factor_labels, m->k);
    free(m->signal_idx);
    cmodel_free_strs(m->coef_names, m->n_coef);
    cmodel_free_strs(m->brand_names, m->n_brands);
    free(m->coef_kind);
    free(m->beta);
    free(m->se);
    free(m->zval);
    free(m->pval);
    free(m->coef_mean);
    gbm_model_free(m->gbm);
    for (int t = 0; t < CMODEL_N_TYPES; t++) {
        free(m->type_beta[t]);
        free(m->type_se[t]);
        free(m->type_z[t]);
        free(m->type_p[t]);
    }
    memset(m, 0, sizeof *m);
    m->tenure_idx = m->contract_idx = -1;
}
