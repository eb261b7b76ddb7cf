/* modelfile_report.c — the parts of the model file that only the reports read (modelfile_int.h):
 * the holdout's curves and the trees' split gains (what the model report draws: gains, lift, ROC,
 * KS, the confusion matrix at the cut-off, the feature importance), and the story's tables that
 * scoring never needs (factor diagnostics, the screening's ranges), read back so that the report of a
 * model file (the month report, `churnscore report`) is the one train wrote, and `inspect --json`
 * gives the numbers a chart shows. Kept apart from modelfile.c, whose layout it only adds to
 * (docs/formats.md, "Model file"). */
#include "modelfile_int.h"

#include "h5util.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int mf_gains_write(hid_t holdout, const modelfile_story *s)
{
    if (!s->has_gains) return CS_OK;
    const gains_report *g = &s->gains;
    double rows[GAINS_POINTS], pos[GAINS_POINTS];
    for (int q = 0; q < GAINS_POINTS; q++) rows[q] = (double)g->top_n[q], pos[q] = (double)g->top_pos[q];
    const double conf[4] = {(double)g->tp, (double)g->fp, (double)g->fn, (double)g->tn};
    int rc = h5util_write_f64(holdout, "gains_rows", rows, GAINS_POINTS, 0);
    if (rc == CS_OK) rc = h5util_write_f64(holdout, "gains_churned", pos, GAINS_POINTS, 0);
    if (rc == CS_OK) rc = h5util_write_f64(holdout, "confusion", conf, 4, 0);
    static const char *const names[] = {"ks_share", "ks_tpr", "ks_fpr", "confusion_cutoff"};
    const double v[] = {g->ks_share, g->ks_tpr, g->ks_fpr, g->cutoff};
    if (rc == CS_OK) rc = h5util_attr_write_f64s(holdout, "", names, v, 4);
    return rc;
}

/* A count stored as a double: whole, 0 <= v <= max. */
static int mf_count(double v, double max, uint64_t *out)
{
    if (!(v >= 0) || !(v <= max) || v != floor(v)) return 0;
    *out = (uint64_t)v;
    return 1;
}

int mf_gains_read(hid_t holdout, const char *path, modelfile_story *s)
{
    if (H5Lexists(holdout, "gains_rows", H5P_DEFAULT) <= 0) return CS_OK;
    double *rows = NULL, *pos = NULL, *conf = NULL;
    size_t a0 = 0, a1 = 0, b0 = 0, b1 = 0, c0 = 0, c1 = 0;
    int rc = h5util_read_f64(holdout, "gains_rows", path, &rows, &a0, &a1);
    if (rc == CS_OK) rc = h5util_read_f64(holdout, "gains_churned", path, &pos, &b0, &b1);
    if (rc == CS_OK) rc = h5util_read_f64(holdout, "confusion", path, &conf, &c0, &c1);
    if (rc == CS_OK && (a0 != GAINS_POINTS || b0 != GAINS_POINTS || c0 != 4 || a1 || b1 || c1))
        rc = CS_ERROR(CS_EFORMAT, "%s: /holdout/gains_rows, gains_churned and confusion must have %d, %d "
                      "and 4 values", path, GAINS_POINTS, GAINS_POINTS);
    gains_report *g = &s->gains;
    memset(g, 0, sizeof *g);
    double n = rc == CS_OK ? rows[GAINS_POINTS - 1] : 0;
    for (int q = 0; rc == CS_OK && q < GAINS_POINTS; q++)
        if (!mf_count(rows[q], n, &g->top_n[q]) || !mf_count(pos[q], rows[q], &g->top_pos[q]) ||
            (q > 0 && (g->top_n[q] < g->top_n[q - 1] || g->top_pos[q] < g->top_pos[q - 1])))
            rc = CS_ERROR(CS_EFORMAT, "%s: /holdout/gains_rows or gains_churned row %d: not a growing count "
                          "within the holdout", path, q);
    uint64_t c[4] = {0, 0, 0, 0};
    for (int k = 0; rc == CS_OK && k < 4; k++)
        if (!mf_count(conf[k], n, &c[k]))
            rc = CS_ERROR(CS_EFORMAT, "%s: /holdout/confusion row %d: not a count within the holdout", path, k);
    if (rc == CS_OK && c[0] + c[1] + c[2] + c[3] != g->top_n[GAINS_POINTS - 1])
        rc = CS_ERROR(CS_EFORMAT, "%s: /holdout/confusion does not add up to the %llu rows of the gains",
                      path, (unsigned long long)g->top_n[GAINS_POINTS - 1]);
    if (rc == CS_OK) {
        g->n = g->top_n[GAINS_POINTS - 1];
        g->npos = g->top_pos[GAINS_POINTS - 1];
        g->tp = c[0], g->fp = c[1], g->fn = c[2], g->tn = c[3];
        g->ks = s->ks;
        g->ks_share = g->ks_tpr = g->ks_fpr = g->cutoff = NAN;
        h5util_attr_read_f64(holdout, "ks_share", &g->ks_share);
        h5util_attr_read_f64(holdout, "ks_tpr", &g->ks_tpr);
        h5util_attr_read_f64(holdout, "ks_fpr", &g->ks_fpr);
        h5util_attr_read_f64(holdout, "confusion_cutoff", &g->cutoff);
        s->has_gains = 1;
    }
    free(rows);
    free(pos);
    free(conf);
    return rc;
}

int mf_gbm_gain_write(hid_t gg, const gbm_model *g)
{
    size_t nn = g->n_trees * g->nodes_per_tree;
    double *v = malloc((nn ? nn : 1) * sizeof(double));
    if (!v) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; i < nn; i++) v[i] = g->nodes[i].gain;
    int rc = h5util_write_f64(gg, "node_gain", v, nn, 0);
    free(v);
    return rc;
}

int mf_gbm_gain_read(hid_t gg, const char *path, gbm_model *g)
{
    size_t nn = g->n_trees * g->nodes_per_tree;
    if (H5Lexists(gg, "node_gain", H5P_DEFAULT) <= 0) {
        for (size_t i = 0; i < nn; i++) g->nodes[i].gain = NAN;
        return CS_OK;
    }
    double *v = NULL;
    size_t d0 = 0, d1 = 0;
    CS_TRY(h5util_read_f64(gg, "node_gain", path, &v, &d0, &d1));
    int rc = CS_OK;
    if (d0 != nn || d1)
        rc = CS_ERROR(CS_EFORMAT, "%s: /gbm/node_gain has %zu values, expected %zu (one per node)", path, d0, nn);
    for (size_t i = 0; rc == CS_OK && i < nn; i++) {
        if (v[i] < 0 || isinf(v[i]))
            rc = CS_ERROR(CS_EDATA, "%s: /gbm/node_gain row %zu is %g (a gain is >= 0)", path, i, v[i]);
        g->nodes[i].gain = v[i];
    }
    free(v);
    return rc;
}

/* An optional vector of doubles: absent leaves *out NULL; present with another length than expect
 * is a format error. */
static int mf_opt_vec(hid_t f, const char *name, const char *path, size_t expect, double **out)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return CS_OK;
    size_t d0 = 0, d1 = 0;
    CS_TRY(h5util_read_f64(f, name, path, out, &d0, &d1));
    if (expect != (size_t)-1 && d0 * (d1 ? d1 : 1) != expect) {
        free(*out);
        *out = NULL;
        return CS_ERROR(CS_EFORMAT, "%s: %s has %zu values, expected %zu", path, name, d0 * (d1 ? d1 : 1), expect);
    }
    return CS_OK;
}

int mf_story_extra_read(hid_t f, const char *path, const cmodel *m, modelfile_story *s)
{
    if (H5Lexists(f, "/factors", H5P_DEFAULT) > 0) {
        hid_t g = H5Gopen2(f, "/factors", H5P_DEFAULT);
        h5util_attr_read_f64(g, "bartlett_df", &s->bartlett_df);
        H5Gclose(g);
        if (H5Lexists(f, "/factors/eigenvalues", H5P_DEFAULT) > 0) {
            size_t d0 = 0, d1 = 0;
            CS_TRY(h5util_read_f64(f, "/factors/eigenvalues", path, &s->eigenvalues, &d0, &d1));
            s->n_eigen = d0 * (d1 ? d1 : 1);
        }
        if (m->k) {
            CS_TRY(mf_opt_vec(f, "/factors/communality", path, m->p_fa, &s->communality));
            CS_TRY(mf_opt_vec(f, "/factors/uniqueness", path, m->p_fa, &s->uniqueness));
            CS_TRY(mf_opt_vec(f, "/factors/ss_loadings", path, m->k, &s->ss_loadings));
            CS_TRY(mf_opt_vec(f, "/factors/proportion_variance", path, m->k, &s->prop_var));
        }
    }
    if (s->p_all) {
        CS_TRY(mf_opt_vec(f, "/screening/min", path, s->p_all, &s->min));
        CS_TRY(mf_opt_vec(f, "/screening/max", path, s->p_all, &s->max));
        CS_TRY(mf_opt_vec(f, "/screening/mode_share", path, s->p_all, &s->mode_share));
    }
    return CS_OK;
}
