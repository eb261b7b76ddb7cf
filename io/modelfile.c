/* modelfile.c — writer and reader of the model file (see modelfile.h, docs/formats.md): writes the
 * current version (MODELFILE_VERSION), reads every earlier one (a version 1 file has no /types: a
 * model without churn types; versions 1 and 2 have no /segments: a model without segments). The
 * parts with a file of their own: the trees (modelfile_gbm.c), the churn types (modelfile_types.c),
 * the segments (modelfile_seg.c), the derived indicators (modelfile_derived.c) and what only the
 * reports read (modelfile_report.c). */
#include "modelfile.h"

#include "h5util.h"
#include "modelfile_int.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void modelfile_story_init(modelfile_story *s)
{
    memset(s, 0, sizeof *s);
    s->kmo = s->bartlett_chi2 = s->bartlett_df = s->bartlett_p = NAN;
    s->auc = s->lift10 = s->capture5 = s->capture10 = s->capture20 = s->ks = s->brier = NAN;
    s->oracle_auc = s->loglik = NAN;
    s->cand_auc[0] = s->cand_auc[1] = s->cand_auc[2] = NAN;
    for (int i = 0; i < 10; i++) s->cal_pred[i] = s->cal_obs[i] = s->cal_pred_raw[i] = NAN;
    for (int t = 0; t < CMODEL_N_TYPES; t++) {
        modelfile_type_story *y = &s->types[t];
        y->auc = y->capture5 = y->capture10 = y->expected_observed = y->loglik = NAN;
        for (int i = 0; i < 10; i++) y->cal_pred[i] = y->cal_obs[i] = NAN;
    }
}

const char *modelfile_type_name(int type)
{
    return type == CMODEL_TYPE_VOLUNTARY ? "voluntary" : type == CMODEL_TYPE_INVOLUNTARY ? "involuntary" : "?";
}

/* A decile's expected/observed, or "-" where it had no leaver (a ratio over 0 is no figure). */
static void mf_ratio(char *buf, size_t cap, double pred, double obs)
{
    if (!(obs > 0) || isnan(pred)) snprintf(buf, cap, "-");
    else snprintf(buf, cap, "%.3f", pred / obs);
}

void modelfile_type_story_format(const modelfile_type_story *t, char *buf, size_t cap)
{
    if (t->pos == 0) {
        snprintf(buf, cap, "0 leavers: too few to measure");
        return;
    }
    char d[3][16];
    for (int i = 0; i < 3; i++) mf_ratio(d[i], sizeof d[i], t->cal_pred[9 - i], t->cal_obs[9 - i]);
    snprintf(buf, cap, "%llu leavers: AUC %.4f, capture@5%% %.3f, expected/observed %.3f (top deciles %s %s %s)",
             (unsigned long long)t->pos, t->auc, t->capture5, t->expected_observed, d[0], d[1], d[2]);
}

static void mf_free_strs(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

void modelfile_story_clear(modelfile_story *s)
{
    if (!s) return;
    mf_free_strs(s->all_names, s->p_all);
    mf_free_strs(s->drop_reason, s->p_all);
    free(s->kept);
    free(s->missing_share);
    free(s->mean);
    free(s->sd);
    free(s->min);
    free(s->max);
    free(s->mode_share);
    free(s->eigenvalues);
    free(s->communality);
    free(s->uniqueness);
    free(s->ss_loadings);
    free(s->prop_var);
    free(s->drift_edges);
    free(s->drift_expected);
    modelfile_story_init(s);
}

static hid_t mf_group(hid_t f, const char *name)
{
    return H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

#define MF_W(expr)                                                                                 \
    do {                                                                                           \
        if (rc == CS_OK) rc = (expr);                                                              \
    } while (0)

/* /diagnostics: kind, found, action (one string each per diagnostic, empty datasets when every
 * check passed), so that h5py reads them as three columns. */
static int mf_diag_write(hid_t f, const diag_list *d)
{
    const char *kind[DIAG_MAX], *found[DIAG_MAX], *action[DIAG_MAX];
    for (size_t i = 0; i < d->n; i++) {
        kind[i] = diag_kind_name(d->e[i].kind);
        found[i] = d->e[i].found;
        action[i] = d->e[i].action;
    }
    hid_t g = mf_group(f, "/diagnostics");
    if (g < 0) return CS_ERROR(CS_EIO, "cannot create /diagnostics");
    int rc = h5util_attr_write_i64(g, "count", (int64_t)d->n);
    MF_W(h5util_write_strings(g, "kind", kind, d->n));
    MF_W(h5util_write_strings(g, "found", found, d->n));
    MF_W(h5util_write_strings(g, "action", action, d->n));
    H5Gclose(g);
    return rc;
}

/* Reads /diagnostics where present (files before it have none); a kind this build does not know (a
 * newer build's check) is skipped. */
static int mf_diag_read(hid_t f, const char *path, diag_list *d)
{
    diag_list_init(d);
    if (H5Lexists(f, "/diagnostics", H5P_DEFAULT) <= 0) return CS_OK;
    char **kind = NULL, **found = NULL, **action = NULL;
    size_t nk = 0, nf = 0, na = 0;
    int rc = h5util_read_strings(f, "/diagnostics/kind", path, &kind, &nk);
    if (rc == CS_OK) rc = h5util_read_strings(f, "/diagnostics/found", path, &found, &nf);
    if (rc == CS_OK) rc = h5util_read_strings(f, "/diagnostics/action", path, &action, &na);
    if (rc == CS_OK && (nf != nk || na != nk))
        rc = CS_ERROR(CS_EFORMAT, "%s: /diagnostics/kind, found and action differ in length (%zu, %zu, %zu)",
                      path, nk, nf, na);
    for (size_t i = 0; rc == CS_OK && i < nk; i++) {
        int k = 0;
        while (k < DIAG_N_KINDS && strcmp(diag_kind_name(k), kind[i]) != 0) k++;
        int at = diag_add(d, k, "%s", found[i]);
        diag_set_action(d, at, "%s", action[i]);
    }
    h5util_strings_free(kind, nk);
    h5util_strings_free(found, nf);
    h5util_strings_free(action, na);
    return rc;
}

static int mf_write_all(hid_t f, const cmodel *m, const modelfile_story *s)
{
    int rc = CS_OK;
    MF_W(h5util_attr_write_str(f, "format", MODELFILE_FORMAT));
    MF_W(h5util_attr_write_i64(f, "format_version", MODELFILE_VERSION));
    const char *inp = m->inputs == CMODEL_INPUTS_RAW ? "raw" : m->inputs == CMODEL_INPUTS_BOTH ? "both" : "factors";
    MF_W(h5util_attr_write_str(f, "inputs", inp));
    MF_W(h5util_attr_write_str(f, "model", m->kind == CMODEL_KIND_GBM ? "gbm" : "logit"));
    MF_W(h5util_attr_write_f64(f, "warn_cutoff", m->warn_cutoff));
    MF_W(h5util_attr_write_str(f, "calibration", m->cal == CMODEL_CAL_PLATT ? "platt" : "none"));
    if (m->cal == CMODEL_CAL_PLATT) {
        MF_W(h5util_attr_write_f64(f, "calibration_a", m->cal_a));
        MF_W(h5util_attr_write_f64(f, "calibration_b", m->cal_b));
    }
    MF_W(h5util_attr_write_i64(f, "n_brands", (int64_t)m->n_brands));
    MF_W(h5util_attr_write_i64(f, "n_factors", (int64_t)m->k));
    MF_W(h5util_attr_write_i64(f, "tenure_index", m->tenure_idx));
    MF_W(h5util_attr_write_i64(f, "contract_index", m->contract_idx));
    MF_W(h5util_attr_write_f64(f, "onboarding_months", m->onboarding_months));
    MF_W(h5util_attr_write_f64(f, "contract_ending_months", m->contract_ending_months));
    if (s) {
        MF_W(h5util_attr_write_str(f, "training_snapshot", s->snapshot));
        MF_W(h5util_attr_write_str(f, "training_month", s->month));
        MF_W(h5util_attr_write_i64(f, "training_rows", (int64_t)s->n_rows));
        MF_W(h5util_attr_write_i64(f, "training_fit_rows", (int64_t)s->n_train));
        MF_W(h5util_attr_write_i64(f, "training_holdout_rows", (int64_t)s->n_holdout));
        MF_W(h5util_attr_write_str(f, "version", s->version));
        MF_W(h5util_attr_write_str(f, "created", s->created));
        MF_W(h5util_attr_write_str(f, "options", s->options));
        MF_W(h5util_attr_write_str(f, "inputs_reason", s->inputs_reason));
        if (s->cand_rows) {
            MF_W(h5util_attr_write_f64(f, "inputs_candidate_auc_factors", s->cand_auc[0]));
            MF_W(h5util_attr_write_f64(f, "inputs_candidate_auc_raw", s->cand_auc[1]));
            MF_W(h5util_attr_write_f64(f, "inputs_candidate_auc_both", s->cand_auc[2]));
            MF_W(h5util_attr_write_i64(f, "inputs_candidate_rows", (int64_t)s->cand_rows));
        }
        MF_W(h5util_attr_write_str(f, "model_choice", s->model_choice));
        MF_W(h5util_attr_write_str(f, "calibration_reason", s->calibration));
        MF_W(h5util_attr_write_i64(f, "irls_iterations", s->irls_iterations));
        MF_W(h5util_attr_write_f64(f, "loglik", s->loglik));
        MF_W(h5util_attr_write_f64(f, "l2", s->lambda));
    }
    hid_t g = mf_group(f, "/inputs");
    MF_W(h5util_write_strings(g, "names", (const char *const *)m->in_names, m->p_in));
    MF_W(h5util_write_f64(g, "impute", m->impute, m->p_in, 0));
    MF_W(h5util_write_f64(g, "center", m->center, m->p_in, 0));
    MF_W(h5util_write_f64(g, "scale", m->scale, m->p_in, 0));
    MF_W(h5util_write_i32(g, "indicator_index", m->fa_idx, m->p_fa));
    MF_W(h5util_write_i32(g, "signal_index", m->signal_idx, m->n_signal));
    if (m->brand_names) MF_W(h5util_write_strings(g, "brand_names", (const char *const *)m->brand_names, m->n_brands));
    MF_W(mf_derived_write(g, m));
    H5Gclose(g);
    g = mf_group(f, "/factors");
    MF_W(h5util_write_f64(g, "loadings", m->loadings, m->k ? m->p_fa : 0, m->k));
    MF_W(h5util_write_f64(g, "score_coef", m->score_coef, m->k ? m->p_fa : 0, m->k));
    MF_W(h5util_write_strings(g, "labels", (const char *const *)m->factor_labels, m->k));
    if (s) {
        static const char *const fa_names[] = {"kmo", "bartlett_chi2", "bartlett_df", "bartlett_p"};
        const double fa[] = {s->kmo, s->bartlett_chi2, s->bartlett_df, s->bartlett_p};
        MF_W(h5util_attr_write_f64s(g, "", fa_names, fa, 4));
        MF_W(h5util_write_f64(g, "eigenvalues", s->eigenvalues, s->n_eigen, 0));
        if (s->communality && m->k) {
            MF_W(h5util_write_f64(g, "communality", s->communality, m->p_fa, 0));
            MF_W(h5util_write_f64(g, "uniqueness", s->uniqueness, m->p_fa, 0));
            MF_W(h5util_write_f64(g, "ss_loadings", s->ss_loadings, m->k, 0));
            MF_W(h5util_write_f64(g, "proportion_variance", s->prop_var, m->k, 0));
        }
    }
    H5Gclose(g);
    g = mf_group(f, "/logit");
    MF_W(h5util_write_strings(g, "names", (const char *const *)m->coef_names, m->n_coef));
    MF_W(h5util_write_i32(g, "kind", m->coef_kind, m->n_coef));
    MF_W(h5util_write_f64(g, "beta", m->beta, m->n_coef, 0));
    MF_W(h5util_write_f64(g, "se", m->se, m->n_coef, 0));
    MF_W(h5util_write_f64(g, "z", m->zval, m->n_coef, 0));
    MF_W(h5util_write_f64(g, "p", m->pval, m->n_coef, 0));
    MF_W(h5util_write_f64(g, "column_mean", m->coef_mean, m->n_coef, 0));
    H5Gclose(g);
    if (m->kind == CMODEL_KIND_GBM && m->gbm && rc == CS_OK) rc = mf_gbm_write(f, m->gbm);
    if (rc == CS_OK) rc = mf_seg_write(f, m);
    if (rc == CS_OK) rc = mf_types_write(f, m, s);
    if (s) {
        g = mf_group(f, "/screening");
        MF_W(h5util_write_strings(g, "names", (const char *const *)s->all_names, s->p_all));
        MF_W(h5util_write_i32(g, "kept", s->kept, s->p_all));
        MF_W(h5util_write_strings(g, "reason", (const char *const *)s->drop_reason, s->p_all));
        MF_W(h5util_write_f64(g, "missing_share", s->missing_share, s->p_all, 0));
        MF_W(h5util_write_f64(g, "mean", s->mean, s->p_all, 0));
        MF_W(h5util_write_f64(g, "sd", s->sd, s->p_all, 0));
        MF_W(h5util_write_f64(g, "min", s->min, s->p_all, 0));
        MF_W(h5util_write_f64(g, "max", s->max, s->p_all, 0));
        MF_W(h5util_write_f64(g, "mode_share", s->mode_share, s->p_all, 0));
        H5Gclose(g);
        g = mf_group(f, "/holdout");
        MF_W(h5util_attr_write_i64(g, "n", (int64_t)s->ho_n));
        MF_W(h5util_attr_write_i64(g, "churned", (int64_t)s->ho_pos));
        static const char *const ho_names[] = {"auc", "lift_top10", "capture5", "capture10",
                                               "capture20", "ks", "brier", "oracle_auc"};
        const double ho[] = {s->auc, s->lift10, s->capture5, s->capture10, s->capture20, s->ks,
                             s->brier, s->oracle_auc};
        MF_W(h5util_attr_write_f64s(g, "", ho_names, ho, 8));
        double cn[10];
        for (int i = 0; i < 10; i++) cn[i] = (double)s->cal_n[i];
        MF_W(h5util_write_f64(g, "calibration_n", cn, 10, 0));
        MF_W(h5util_write_f64(g, "calibration_predicted", s->cal_pred, 10, 0));
        MF_W(h5util_write_f64(g, "calibration_observed", s->cal_obs, 10, 0));
        if (m->cal != CMODEL_CAL_NONE)
            MF_W(h5util_write_f64(g, "calibration_predicted_uncalibrated", s->cal_pred_raw, 10, 0));
        for (int t = 0; m->has_types && t < CMODEL_N_TYPES && rc == CS_OK; t++) {
            const modelfile_type_story *y = &s->types[t];
            hid_t gy = H5Gcreate2(g, modelfile_type_name(t), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (gy < 0) rc = CS_ERROR(CS_EIO, "cannot create /holdout/%s", modelfile_type_name(t));
            MF_W(h5util_attr_write_i64(gy, "n", (int64_t)y->n));
            MF_W(h5util_attr_write_i64(gy, "leavers", (int64_t)y->pos));
            static const char *const ty_names[] = {"auc", "capture5", "capture10", "expected_observed"};
            const double tv[] = {y->auc, y->capture5, y->capture10, y->expected_observed};
            MF_W(h5util_attr_write_f64s(gy, "", ty_names, tv, 4));
            double tn[10];
            for (int i = 0; i < 10; i++) tn[i] = (double)y->cal_n[i];
            MF_W(h5util_write_f64(gy, "calibration_n", tn, 10, 0));
            MF_W(h5util_write_f64(gy, "calibration_predicted", y->cal_pred, 10, 0));
            MF_W(h5util_write_f64(gy, "calibration_observed", y->cal_obs, 10, 0));
            if (gy >= 0) H5Gclose(gy);
        }
        MF_W(mf_gains_write(g, s));
        H5Gclose(g);
        MF_W(mf_diag_write(f, &s->diag));
        if (s->drift_cols) {
            g = mf_group(f, "/drift");
            MF_W(h5util_write_f64(g, "edges", s->drift_edges, s->drift_cols, 9));
            MF_W(h5util_write_f64(g, "expected", s->drift_expected, s->drift_cols, 10));
            H5Gclose(g);
        }
    }
    return rc;
}

int modelfile_write_tmp(const char *tmp, const char *path, const cmodel *m, const modelfile_story *s)
{
    hid_t f = -1;
    int rc = h5util_create(tmp, &f);
    if (rc != CS_OK) {
        if (strncmp(status_reason(), "no space left", 13) == 0) return rc;
        return CS_ERROR(CS_EIO, "%s: cannot create the model file (directory missing or not writable?)", path);
    }
    rc = mf_write_all(f, m, s);
    /* closed so that a full disk cannot crash HDF5 (h5util_close_file) */
    int crc = h5util_close_file(f, tmp);
    if (rc == CS_OK) rc = crc;
    /* "no space left on device: PATH" stays the whole message: it says it all */
    if (rc != CS_OK && strncmp(status_reason(), "no space left", 13) != 0)
        rc = CS_ERROR(rc, "%s: writing the model failed: %s", path, status_reason());
    if (rc != CS_OK) unlink(tmp);
    return rc;
}

int modelfile_write(const char *path, const cmodel *m, const modelfile_story *s)
{
    char *tmp = h5util_tmpname(path);
    if (!tmp) return CS_ERROR(CS_ENOMEM, "out of memory");
    int rc = modelfile_write_tmp(tmp, path, m, s);
    if (rc == CS_OK) rc = h5util_commit_local(tmp, path, 1);
    free(tmp);
    return rc;
}

int mf_read_vec(hid_t loc, const char *name, const char *file, size_t expect, double **out)
{
    size_t d0 = 0, d1 = 0;
    CS_TRY(h5util_read_f64(loc, name, file, out, &d0, &d1));
    if (d0 * (d1 ? d1 : 1) != expect) {
        free(*out);
        *out = NULL;
        return CS_ERROR(CS_EFORMAT, "%s: %s has %zu values, expected %zu", file, name,
                        d0 * (d1 ? d1 : 1), expect);
    }
    return CS_OK;
}

int mf_read_i32(hid_t loc, const char *name, const char *file, size_t expect, int32_t **out,
                size_t bound)
{
    size_t n = 0;
    CS_TRY(h5util_read_i32(loc, name, file, out, &n));
    int rc = CS_OK;
    if (n != expect) rc = CS_ERROR(CS_EFORMAT, "%s: %s has %zu values, expected %zu", file, name, n, expect);
    for (size_t i = 0; rc == CS_OK && bound && i < n; i++)
        if ((*out)[i] < 0 || (size_t)(*out)[i] >= bound)
            rc = CS_ERROR(CS_EFORMAT, "%s: %s row %zu: %d out of range (0 to %zu)", file, name, i,
                          (*out)[i], bound - 1);
    if (rc != CS_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* Every value of a parameter vector a scorer computes with must be finite: a NaN coefficient would
 * turn every probability into NaN (and NaN probabilities fall out of every list). A non-finite value
 * is wrong data (CS_EDATA, exit 5, as in any other input), not a wrong structure. */
int mf_check_finite(const char *file, const char *name, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return CS_ERROR(CS_EDATA, "%s: %s row %zu: value %g is not finite", file, name, i, v[i]);
    return CS_OK;
}

/* Reads a string dataset that must hold exactly expect names into *out; on a mismatch nothing is
 * kept, so that cmodel_clear frees exactly what the counts in m say (a model whose n_brands
 * disagreed with its brand names once overflowed the heap in cmodel_free_strs). */
static int mf_read_names(hid_t f, const char *name, const char *file, size_t expect,
                         const char *what, char ***out)
{
    char **v = NULL;
    size_t n = 0;
    CS_TRY(h5util_read_strings(f, name, file, &v, &n));
    if (n != expect) {
        h5util_strings_free(v, n);
        return CS_ERROR(CS_EFORMAT, "%s: %s has %zu names, but the model has %zu %s", file, name, n,
                        expect, what);
    }
    *out = v;
    return CS_OK;
}

/* Checked on open: every count and index against the arrays it describes, every parameter the
 * scorer multiplies by finite. The message names the file and what disagrees (CS_EFORMAT; a
 * non-finite parameter CS_EDATA). */
static int mf_read_model(hid_t f, const char *path, cmodel *m)
{
    char buf[64];
    int64_t v = 0;
    CS_TRY(h5util_attr_read_str(f, "inputs", buf, sizeof buf));
    if (strcmp(buf, "raw") == 0) m->inputs = CMODEL_INPUTS_RAW;
    else if (strcmp(buf, "both") == 0) m->inputs = CMODEL_INPUTS_BOTH;
    else if (strcmp(buf, "factors") == 0) m->inputs = CMODEL_INPUTS_FACTORS;
    else return CS_ERROR(CS_EFORMAT, "%s: attribute inputs is '%s' (expected factors, raw or both)", path, buf);
    CS_TRY(h5util_attr_read_f64(f, "warn_cutoff", &m->warn_cutoff));
    if (!(m->warn_cutoff >= 0 && m->warn_cutoff <= 1))
        return CS_ERROR(CS_EFORMAT, "%s: attribute warn_cutoff is %g (expected a probability 0 to 1)",
                        path, m->warn_cutoff);
    CS_TRY(h5util_attr_read_i64(f, "n_brands", &v));
    if (v < 1 || v > 255)
        return CS_ERROR(CS_EFORMAT, "%s: attribute n_brands is %lld (expected 1 to 255)", path, (long long)v);
    size_t n_brands = (size_t)v;
    CS_TRY(h5util_attr_read_i64(f, "n_factors", &v));
    if (v < 0 || v > 100000)
        return CS_ERROR(CS_EFORMAT, "%s: attribute n_factors is %lld (expected 0 or more)", path, (long long)v);
    size_t k = (size_t)v;
    int64_t ti = 0, ci = 0;
    CS_TRY(h5util_attr_read_i64(f, "tenure_index", &ti));
    CS_TRY(h5util_attr_read_i64(f, "contract_index", &ci));
    CS_TRY(h5util_attr_read_f64(f, "onboarding_months", &m->onboarding_months));
    CS_TRY(h5util_attr_read_f64(f, "contract_ending_months", &m->contract_ending_months));
    CS_TRY(h5util_read_strings(f, "/inputs/names", path, &m->in_names, &m->p_in));
    size_t p = m->p_in;
    /* the scorer matches inputs and brands by name: each must appear once */
    CS_TRY(h5util_names_unique(path, "/inputs/names", m->in_names, p));
    if (ti < -1 || ti >= (int64_t)p || ci < -1 || ci >= (int64_t)p)
        return CS_ERROR(CS_EFORMAT, "%s: lifecycle index out of range (tenure_index %lld, "
                        "contract_index %lld: expected -1 to %zu)", path, (long long)ti, (long long)ci,
                        p ? p - 1 : 0);
    m->tenure_idx = (int32_t)ti;
    m->contract_idx = (int32_t)ci;
    CS_TRY(mf_derived_read(f, path, m));
    CS_TRY(mf_read_vec(f, "/inputs/impute", path, p, &m->impute));
    CS_TRY(mf_read_vec(f, "/inputs/center", path, p, &m->center));
    CS_TRY(mf_read_vec(f, "/inputs/scale", path, p, &m->scale));
    CS_TRY(mf_check_finite(path, "/inputs/impute", m->impute, p));
    CS_TRY(mf_check_finite(path, "/inputs/center", m->center, p));
    CS_TRY(mf_check_finite(path, "/inputs/scale", m->scale, p));
    for (size_t i = 0; i < p; i++)
        if (!(m->scale[i] > 0))
            return CS_ERROR(CS_EFORMAT, "%s: /inputs/scale row %zu: %g (a scale must be positive)", path,
                            i, m->scale[i]);
    size_t n = 0;
    CS_TRY(h5util_read_i32(f, "/inputs/indicator_index", path, &m->fa_idx, &n));
    m->p_fa = n;
    for (size_t i = 0; i < n; i++)
        if (m->fa_idx[i] < 0 || (size_t)m->fa_idx[i] >= p)
            return CS_ERROR(CS_EFORMAT, "%s: /inputs/indicator_index row %zu: %d out of range (%zu inputs)",
                            path, i, m->fa_idx[i], p);
    if (H5Lexists(f, "/inputs/brand_names", H5P_DEFAULT) > 0) {
        CS_TRY(mf_read_names(f, "/inputs/brand_names", path, n_brands, "brands (n_brands)", &m->brand_names));
        m->n_brands = n_brands;
        CS_TRY(h5util_names_unique(path, "/inputs/brand_names", m->brand_names, n_brands));
    }
    m->n_brands = n_brands;
    CS_TRY(h5util_read_i32(f, "/inputs/signal_index", path, &m->signal_idx, &n));
    m->n_signal = n;
    for (size_t i = 0; i < n; i++)
        if (m->signal_idx[i] < 0 || (size_t)m->signal_idx[i] >= p)
            return CS_ERROR(CS_EFORMAT, "%s: /inputs/signal_index row %zu: %d out of range (%zu inputs)",
                            path, i, m->signal_idx[i], p);
    CS_TRY(mf_read_vec(f, "/factors/loadings", path, m->p_fa * k, &m->loadings));
    CS_TRY(mf_read_vec(f, "/factors/score_coef", path, m->p_fa * k, &m->score_coef));
    CS_TRY(mf_check_finite(path, "/factors/score_coef", m->score_coef, m->p_fa * k));
    CS_TRY(mf_read_names(f, "/factors/labels", path, k, "factors (n_factors)", &m->factor_labels));
    m->k = k;
    CS_TRY(h5util_read_strings(f, "/logit/names", path, &m->coef_names, &m->n_coef));
    if (m->n_coef != cmodel_design_width(m))
        return CS_ERROR(CS_EFORMAT, "%s: %zu logistic coefficients, but the inputs make %zu columns",
                        path, m->n_coef, cmodel_design_width(m));
    CS_TRY(mf_read_i32(f, "/logit/kind", path, m->n_coef, &m->coef_kind, CMODEL_COL_BRAND + 1));
    CS_TRY(mf_read_vec(f, "/logit/beta", path, m->n_coef, &m->beta));
    CS_TRY(mf_read_vec(f, "/logit/se", path, m->n_coef, &m->se));
    CS_TRY(mf_read_vec(f, "/logit/z", path, m->n_coef, &m->zval));
    CS_TRY(mf_read_vec(f, "/logit/p", path, m->n_coef, &m->pval));
    CS_TRY(mf_read_vec(f, "/logit/column_mean", path, m->n_coef, &m->coef_mean));
    CS_TRY(mf_check_finite(path, "/logit/beta", m->beta, m->n_coef));
    CS_TRY(mf_check_finite(path, "/logit/column_mean", m->coef_mean, m->n_coef));
    char kind[16] = "logit";
    if (h5util_attr_exists(f, "model")) CS_TRY(h5util_attr_read_str(f, "model", kind, sizeof kind));
    if (strcmp(kind, "gbm") != 0 && strcmp(kind, "logit") != 0)
        return CS_ERROR(CS_EFORMAT, "%s: attribute model is '%s' (expected logit or gbm)", path, kind);
    m->kind = strcmp(kind, "gbm") == 0 ? CMODEL_KIND_GBM : CMODEL_KIND_LOGIT;
    if (m->kind == CMODEL_KIND_GBM) CS_TRY(mf_gbm_read(f, path, m->n_coef - 1, &m->gbm));
    /* the calibration (version 4; an older file has none and scores as it always did) */
    char cal[16] = "none";
    if (h5util_attr_exists(f, "calibration")) CS_TRY(h5util_attr_read_str(f, "calibration", cal, sizeof cal));
    if (strcmp(cal, "platt") == 0) {
        CS_TRY(h5util_attr_read_f64(f, "calibration_a", &m->cal_a));
        CS_TRY(h5util_attr_read_f64(f, "calibration_b", &m->cal_b));
        if (!(m->cal_a > 0) || !isfinite(m->cal_a) || !isfinite(m->cal_b))
            return CS_ERROR(CS_EFORMAT, "%s: calibration_a %g, calibration_b %g: the slope must be positive "
                            "and both finite", path, m->cal_a, m->cal_b);
        m->cal = CMODEL_CAL_PLATT;
    } else if (strcmp(cal, "none") != 0) {
        return CS_ERROR(CS_EFORMAT, "%s: attribute calibration is '%s' (expected none or platt)", path, cal);
    }
    CS_TRY(mf_types_read(f, path, m));
    return CS_OK;
}

static int mf_read_story(hid_t f, const char *path, modelfile_story *s)
{
    int64_t v;
    double *cal[3] = {NULL, NULL, NULL};
    h5util_attr_read_str(f, "training_snapshot", s->snapshot, sizeof s->snapshot);
    h5util_attr_read_str(f, "training_month", s->month, sizeof s->month);
    if (h5util_attr_read_i64(f, "training_rows", &v) == CS_OK) s->n_rows = (uint64_t)v;
    if (h5util_attr_read_i64(f, "training_fit_rows", &v) == CS_OK) s->n_train = (uint64_t)v;
    if (h5util_attr_read_i64(f, "training_holdout_rows", &v) == CS_OK) s->n_holdout = (uint64_t)v;
    h5util_attr_read_str(f, "version", s->version, sizeof s->version);
    h5util_attr_read_str(f, "created", s->created, sizeof s->created);
    h5util_attr_read_str(f, "options", s->options, sizeof s->options);
    h5util_attr_read_str(f, "inputs_reason", s->inputs_reason, sizeof s->inputs_reason);
    h5util_attr_read_str(f, "model_choice", s->model_choice, sizeof s->model_choice);
    if (h5util_attr_exists(f, "calibration_reason"))
        h5util_attr_read_str(f, "calibration_reason", s->calibration, sizeof s->calibration);
    if (h5util_attr_read_i64(f, "irls_iterations", &v) == CS_OK) s->irls_iterations = (int)v;
    h5util_attr_read_f64(f, "loglik", &s->loglik);
    h5util_attr_read_f64(f, "l2", &s->lambda);
    if (H5Lexists(f, "/holdout", H5P_DEFAULT) > 0) {
        hid_t g = H5Gopen2(f, "/holdout", H5P_DEFAULT);
        if (h5util_attr_read_i64(g, "n", &v) == CS_OK) s->ho_n = (uint64_t)v;
        if (h5util_attr_read_i64(g, "churned", &v) == CS_OK) s->ho_pos = (uint64_t)v;
        h5util_attr_read_f64(g, "auc", &s->auc);
        h5util_attr_read_f64(g, "lift_top10", &s->lift10);
        h5util_attr_read_f64(g, "capture5", &s->capture5);
        h5util_attr_read_f64(g, "capture10", &s->capture10);
        h5util_attr_read_f64(g, "capture20", &s->capture20);
        h5util_attr_read_f64(g, "ks", &s->ks);
        h5util_attr_read_f64(g, "brier", &s->brier);
        h5util_attr_read_f64(g, "oracle_auc", &s->oracle_auc);
        for (int t = 0; t < CMODEL_N_TYPES; t++) {
            const char *tn = modelfile_type_name(t);
            if (H5Lexists(g, tn, H5P_DEFAULT) <= 0) continue;
            modelfile_type_story *y = &s->types[t];
            hid_t gy = H5Gopen2(g, tn, H5P_DEFAULT);
            if (h5util_attr_read_i64(gy, "n", &v) == CS_OK) y->n = (uint64_t)v;
            if (h5util_attr_read_i64(gy, "leavers", &v) == CS_OK) y->pos = (uint64_t)v;
            h5util_attr_read_f64(gy, "auc", &y->auc);
            h5util_attr_read_f64(gy, "capture5", &y->capture5);
            h5util_attr_read_f64(gy, "capture10", &y->capture10);
            h5util_attr_read_f64(gy, "expected_observed", &y->expected_observed);
            double *cn = NULL, *cp = NULL, *co = NULL;
            int r1 = mf_read_vec(gy, "calibration_n", path, 10, &cn);
            int r2 = r1 == CS_OK ? mf_read_vec(gy, "calibration_predicted", path, 10, &cp) : r1;
            int r3 = r2 == CS_OK ? mf_read_vec(gy, "calibration_observed", path, 10, &co) : r2;
            if (r3 == CS_OK)
                for (int i = 0; i < 10; i++) {
                    y->cal_n[i] = (uint64_t)cn[i];
                    y->cal_pred[i] = cp[i];
                    y->cal_obs[i] = co[i];
                }
            free(cn);
            free(cp);
            free(co);
            H5Gclose(gy);
            if (r3 != CS_OK) return r3;
        }
        /* the calibration table is read only where it is (the report draws it) */
        int grc = H5Lexists(g, "calibration_n", H5P_DEFAULT) > 0 ? CS_OK : -1;
        if (grc == CS_OK) grc = mf_read_vec(g, "calibration_n", path, 10, &cal[0]);
        if (grc == CS_OK) grc = mf_read_vec(g, "calibration_predicted", path, 10, &cal[1]);
        if (grc == CS_OK) grc = mf_read_vec(g, "calibration_observed", path, 10, &cal[2]);
        for (int b = 0; grc == CS_OK && b < 10; b++) {
            s->cal_n[b] = cal[0][b] >= 0 && cal[0][b] <= 1e15 ? (uint64_t)cal[0][b] : 0;
            s->cal_pred[b] = cal[1][b];
            s->cal_obs[b] = cal[2][b];
        }
        if (grc == -1) grc = CS_OK;
        if (grc == CS_OK && H5Lexists(g, "calibration_predicted_uncalibrated", H5P_DEFAULT) > 0) {
            double *raw = NULL;
            grc = mf_read_vec(g, "calibration_predicted_uncalibrated", path, 10, &raw);
            for (int b = 0; grc == CS_OK && b < 10; b++) s->cal_pred_raw[b] = raw[b];
            free(raw);
        }
        if (grc == CS_OK) grc = mf_gains_read(g, path, s);
        for (int k = 0; k < 3; k++) free(cal[k]);
        H5Gclose(g);
        CS_TRY(grc);
    }
    h5util_attr_read_str(f, "churn_types_reason", s->types_reason, sizeof s->types_reason);
    for (int t = 0; t < CMODEL_N_TYPES; t++) {
        char name[64];
        snprintf(name, sizeof name, "/types/%s", modelfile_type_name(t));
        if (H5Lexists(f, "/types", H5P_DEFAULT) <= 0 || H5Lexists(f, name, H5P_DEFAULT) <= 0) continue;
        hid_t gy = H5Gopen2(f, name, H5P_DEFAULT);
        if (h5util_attr_read_i64(gy, "irls_iterations", &v) == CS_OK) s->types[t].irls_iterations = (int)v;
        h5util_attr_read_f64(gy, "loglik", &s->types[t].loglik);
        H5Gclose(gy);
    }
    if (H5Lexists(f, "/drift", H5P_DEFAULT) > 0) {
        size_t d0 = 0, d1 = 0, e0 = 0, e1 = 0;
        CS_TRY(h5util_read_f64(f, "/drift/edges", path, &s->drift_edges, &d0, &d1));
        CS_TRY(h5util_read_f64(f, "/drift/expected", path, &s->drift_expected, &e0, &e1));
        if (d1 != 9 || e1 != 10 || d0 != e0)
            return CS_ERROR(CS_EFORMAT, "%s: /drift/edges and /drift/expected have the wrong shape", path);
        s->drift_cols = d0;
    }
    if (H5Lexists(f, "/factors", H5P_DEFAULT) > 0) {
        hid_t g = H5Gopen2(f, "/factors", H5P_DEFAULT);
        h5util_attr_read_f64(g, "kmo", &s->kmo);
        h5util_attr_read_f64(g, "bartlett_chi2", &s->bartlett_chi2);
        h5util_attr_read_f64(g, "bartlett_p", &s->bartlett_p);
        H5Gclose(g);
    }
    CS_TRY(mf_diag_read(f, path, &s->diag));
    if (H5Lexists(f, "/screening", H5P_DEFAULT) > 0) {
        size_t n = 0;
        CS_TRY(h5util_read_strings(f, "/screening/names", path, &s->all_names, &s->p_all));
        CS_TRY(h5util_read_strings(f, "/screening/reason", path, &s->drop_reason, &n));
        CS_TRY(mf_read_i32(f, "/screening/kept", path, s->p_all, &s->kept, 0));
        CS_TRY(mf_read_vec(f, "/screening/missing_share", path, s->p_all, &s->missing_share));
        CS_TRY(mf_read_vec(f, "/screening/mean", path, s->p_all, &s->mean));
        CS_TRY(mf_read_vec(f, "/screening/sd", path, s->p_all, &s->sd));
    }
    return CS_OK;
}

int modelfile_read(const char *path, cmodel *m, modelfile_story *s)
{
    memset(m, 0, sizeof *m);
    m->tenure_idx = m->contract_idx = -1;
    if (s) modelfile_story_init(s);
    hid_t f = -1;
    CS_TRY(h5util_open_read(path, MPI_COMM_NULL, &f));
    char kind[64] = "";
    int rc = CS_OK;
    int64_t ver = 0;
    if (h5util_attr_read_str(f, "format", kind, sizeof kind) != CS_OK)
        rc = CS_ERROR(CS_EFORMAT, "%s: not a churnscore model (no 'format' attribute)", path);
    else if (strcmp(kind, MODELFILE_FORMAT) != 0)
        rc = CS_ERROR(CS_EFORMAT, "%s: is a '%s' file, not a model ('%s')", path, kind, MODELFILE_FORMAT);
    else if (h5util_attr_read_i64(f, "format_version", &ver) != CS_OK || ver < MODELFILE_VERSION_MIN ||
             ver > MODELFILE_VERSION)
        rc = CS_ERROR(CS_EFORMAT, "%s: model format version %lld is not supported (this build reads "
                      "versions %d to %d)", path, (long long)ver, MODELFILE_VERSION_MIN, MODELFILE_VERSION);
    if (rc == CS_OK) {
        rc = mf_read_model(f, path, m);
        if (rc == CS_OK) rc = mf_seg_read(f, path, m);
        if (rc != CS_OK && !strstr(status_reason(), path))
            rc = CS_ERROR(rc, "%s: %s", path, status_reason());
    }
    if (rc == CS_OK && s) rc = mf_read_story(f, path, s);
    if (rc == CS_OK && s) s->format_version = (int)ver;
    if (rc == CS_OK && s) rc = mf_story_extra_read(f, path, m, s);
    H5Fclose(f);
    if (rc != CS_OK) {
        cmodel_clear(m);
        if (s) modelfile_story_clear(s);
    }
    return rc;
}
