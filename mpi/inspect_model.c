/* inspect_model.c — `churnscore inspect MODEL.h5 [--json]`: what a model was built from, on what
 * inputs, which model scores (logistic or boosted trees, and why), the trees' size and the inputs
 * they split on most, and how it did on its holdout; with churn types, both type models and their
 * holdout metrics; --json also gives the curves, calibration and loadings the HTML report draws
 * (htmlrep_train.c), so a chart can be checked against them. Serial work on rank 0; the other ranks
 * only agree. */
#include "cmodel.h"
#include "inspect.h"
#include "json.h"
#include "modelfile.h"
#include "reduce.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The trees' inputs by gain, largest first: order[0..n_cols) and share[] of the total gain. Returns
 * 0 (nothing filled) when the gains are not known or out of memory. */
typedef struct {
    double share;
    size_t col;
} im_imp;

static int im_imp_cmp(const void *pa, const void *pb)
{
    const im_imp *a = pa, *b = pb;
    if (a->share != b->share) return a->share > b->share ? -1 : 1;
    return a->col < b->col ? -1 : a->col > b->col;
}

static im_imp *im_importance(const gbm_model *g)
{
    double *imp = malloc((g->n_cols ? g->n_cols : 1) * sizeof(double));
    im_imp *r = malloc((g->n_cols ? g->n_cols : 1) * sizeof *r);
    double total = imp ? gbm_gain_importance(g, imp) : NAN;
    if (!imp || !r || !(total > 0)) {
        free(imp);
        free(r);
        return NULL;
    }
    for (size_t c = 0; c < g->n_cols; c++) r[c] = (im_imp){imp[c] / total, c};
    qsort(r, g->n_cols, sizeof *r, im_imp_cmp);
    free(imp);
    return r;
}

static void im_json_extra(json_writer *w, const cmodel *m, const modelfile_story *s)
{
    json_str(w, "scoring_model", m->kind == CMODEL_KIND_GBM ? "gbm" : "logit");
    json_str(w, "model_choice", s->model_choice);
    json_obj_begin(w, "calibration");
    json_str(w, "kind", m->cal == CMODEL_CAL_PLATT ? "platt" : "none");
    if (m->cal == CMODEL_CAL_PLATT) {
        json_num(w, "a", m->cal_a);
        json_num(w, "b", m->cal_b);
    }
    json_str(w, "reason", s->calibration);
    json_obj_end(w);
    json_arr_begin(w, "diagnostics");
    for (size_t i = 0; i < s->diag.n; i++) {
        json_obj_begin(w, NULL);
        json_str(w, "kind", diag_kind_name(s->diag.e[i].kind));
        json_str(w, "found", s->diag.e[i].found);
        json_str(w, "action", s->diag.e[i].action);
        json_obj_end(w);
    }
    json_arr_end(w);
    if (m->kind == CMODEL_KIND_GBM && m->gbm) {
        size_t splits = 0, leaves = 0;
        gbm_size(m->gbm, &splits, &leaves);
        json_obj_begin(w, "trees");
        json_int(w, "n_trees", (int64_t)m->gbm->n_trees);
        json_int(w, "max_depth", (int64_t)m->gbm->max_depth);
        json_int(w, "split_nodes", (int64_t)splits);
        json_int(w, "leaves", (int64_t)leaves);
        im_imp *r = im_importance(m->gbm);
        json_arr_begin(w, "importance");
        for (size_t k = 0; r && k < m->gbm->n_cols; k++) {
            json_obj_begin(w, NULL);
            json_str(w, "name", m->coef_names[r[k].col + 1]);
            json_num(w, "gain_share", r[k].share);
            json_obj_end(w);
        }
        json_arr_end(w);
        free(r);
        json_obj_end(w);
    }
    json_arr_begin(w, "factor_loadings");
    for (size_t j = 0; m->k && j < m->p_fa; j++) {
        json_obj_begin(w, NULL);
        json_str(w, "indicator", m->in_names[m->fa_idx[j]]);
        json_arr_begin(w, "loadings");
        for (size_t k = 0; k < m->k; k++) json_num(w, NULL, m->loadings[j * m->k + k]);
        json_arr_end(w);
        json_obj_end(w);
    }
    json_arr_end(w);
}

static void im_json_curves(json_writer *w, const modelfile_story *s)
{
    json_obj_begin(w, "calibration");
    json_arr_begin(w, "n");
    for (int b = 0; b < 10; b++) json_int(w, NULL, (int64_t)s->cal_n[b]);
    json_arr_end(w);
    json_arr_begin(w, "predicted");
    for (int b = 0; b < 10; b++) json_num(w, NULL, s->cal_pred[b]);
    json_arr_end(w);
    json_arr_begin(w, "observed");
    for (int b = 0; b < 10; b++) json_num(w, NULL, s->cal_obs[b]);
    json_arr_end(w);
    json_obj_end(w);
    if (!s->has_gains) {
        json_null(w, "gains");
        json_null(w, "confusion");
        return;
    }
    const gains_report *g = &s->gains;
    json_obj_begin(w, "gains");
    json_arr_begin(w, "rows");
    for (int q = 0; q < GAINS_POINTS; q++) json_int(w, NULL, (int64_t)g->top_n[q]);
    json_arr_end(w);
    json_arr_begin(w, "churned");
    for (int q = 0; q < GAINS_POINTS; q++) json_int(w, NULL, (int64_t)g->top_pos[q]);
    json_arr_end(w);
    json_num(w, "ks_share", g->ks_share);
    json_num(w, "ks_tpr", g->ks_tpr);
    json_num(w, "ks_fpr", g->ks_fpr);
    json_obj_end(w);
    json_obj_begin(w, "confusion");
    json_num(w, "cutoff", g->cutoff);
    json_int(w, "tp", (int64_t)g->tp);
    json_int(w, "fp", (int64_t)g->fp);
    json_int(w, "fn", (int64_t)g->fn);
    json_int(w, "tn", (int64_t)g->tn);
    json_obj_end(w);
}

static void im_num_or_null(json_writer *w, const char *k, double v)
{
    if (isnan(v)) json_null(w, k);
    else json_num(w, k, v);
}

/* "churn_types": null, or each type's coefficients and holdout metrics. */
static void im_types_json(json_writer *w, const cmodel *m, const modelfile_story *s)
{
    if (!m->has_types) {
        json_null(w, "churn_types");
        json_str(w, "churn_types_reason", s->types_reason);
        return;
    }
    json_obj_begin(w, "churn_types");
    for (int y = 0; y < CMODEL_N_TYPES; y++) {
        const modelfile_type_story *t = &s->types[y];
        json_obj_begin(w, modelfile_type_name(y));
        json_arr_begin(w, "coefficients");
        for (size_t j = 0; j < m->n_coef; j++) {
            json_obj_begin(w, NULL);
            json_str(w, "name", m->coef_names[j]);
            json_num(w, "beta", m->type_beta[y][j]);
            im_num_or_null(w, "se", m->type_se[y][j]);
            im_num_or_null(w, "z", m->type_z[y][j]);
            json_obj_end(w);
        }
        json_arr_end(w);
        json_obj_begin(w, "holdout");
        json_int(w, "n", (int64_t)t->n);
        json_int(w, "leavers", (int64_t)t->pos);
        im_num_or_null(w, "auc", t->auc);
        im_num_or_null(w, "capture5", t->capture5);
        im_num_or_null(w, "capture10", t->capture10);
        im_num_or_null(w, "expected_observed", t->expected_observed);
        json_arr_begin(w, "expected_observed_top3");
        for (int b = 9; b >= 7; b--) im_num_or_null(w, NULL, t->cal_pred[b] / t->cal_obs[b]);
        json_arr_end(w);
        /* the whole calibration table, which the HTML report draws */
        json_obj_begin(w, "calibration");
        json_arr_begin(w, "n");
        for (int b = 0; b < 10; b++) json_int(w, NULL, (int64_t)t->cal_n[b]);
        json_arr_end(w);
        json_arr_begin(w, "predicted");
        for (int b = 0; b < 10; b++) json_num(w, NULL, t->cal_pred[b]);
        json_arr_end(w);
        json_arr_begin(w, "observed");
        for (int b = 0; b < 10; b++) json_num(w, NULL, t->cal_obs[b]);
        json_arr_end(w);
        json_obj_end(w);
        json_obj_end(w);
        json_obj_end(w);
    }
    json_obj_end(w);
}

int inspect_model(const cmd_ctx *ctx, const char *path, int json)
{
    cmodel m;
    modelfile_story s;
    int rc = CS_OK;
    if (ctx->rank == 0) {
        rc = modelfile_read(path, &m, &s);
        if (rc == CS_OK) {
            const char *inp = m.inputs == CMODEL_INPUTS_RAW ? "raw" : m.inputs == CMODEL_INPUTS_BOTH ? "both" : "factors";
            if (json) {
                json_writer w;
                json_init(&w, stdout, 1);
                json_obj_begin(&w, NULL);
                json_str(&w, "kind", "model");
                json_str(&w, "file", path);
                json_int(&w, "format_version", s.format_version);
                json_str(&w, "training_snapshot", s.snapshot);
                json_str(&w, "training_month", s.month);
                json_int(&w, "training_rows", (int64_t)s.n_rows);
                json_str(&w, "version", s.version);
                json_str(&w, "created", s.created);
                json_str(&w, "inputs", inp);
                json_str(&w, "inputs_reason", s.inputs_reason);
                json_int(&w, "factors", (int64_t)m.k);
                json_int(&w, "features_used", (int64_t)m.p_in);
                json_arr_begin(&w, "feature_names");
                for (size_t j = 0; j < m.p_in; j++) json_str(&w, NULL, m.in_names[j]);
                json_arr_end(&w);
                json_arr_begin(&w, "factor_labels");
                for (size_t j = 0; j < m.k; j++) json_str(&w, NULL, m.factor_labels[j]);
                json_arr_end(&w);
                json_int(&w, "irls_iterations", s.irls_iterations);
                im_num_or_null(&w, "kmo", s.kmo);
                json_num(&w, "warn_cutoff", m.warn_cutoff);
                if (m.has_types && m.coll_cutoff >= 0) json_num(&w, "collections_cutoff", m.coll_cutoff);
                im_json_extra(&w, &m, &s);
                json_arr_begin(&w, "coefficients");
                for (size_t j = 0; j < m.n_coef; j++) {
                    json_obj_begin(&w, NULL);
                    json_str(&w, "name", m.coef_names[j]);
                    json_num(&w, "beta", m.beta[j]);
                    im_num_or_null(&w, "se", m.se[j]);
                    im_num_or_null(&w, "z", m.zval[j]);
                    im_num_or_null(&w, "p", m.pval[j]);
                    json_obj_end(&w);
                }
                json_arr_end(&w);
                json_obj_begin(&w, "holdout");
                json_int(&w, "n", (int64_t)s.ho_n);
                json_int(&w, "churned", (int64_t)s.ho_pos);
                im_num_or_null(&w, "auc", s.auc);
                im_num_or_null(&w, "lift_top10", s.lift10);
                im_num_or_null(&w, "capture5", s.capture5);
                im_num_or_null(&w, "capture10", s.capture10);
                im_num_or_null(&w, "capture20", s.capture20);
                im_num_or_null(&w, "ks", s.ks);
                im_num_or_null(&w, "brier", s.brier);
                im_num_or_null(&w, "oracle_auc", s.oracle_auc);
                im_json_curves(&w, &s);
                json_obj_end(&w);
                im_types_json(&w, &m, &s);
                inspect_segments_json(&w, &m);
                json_obj_end(&w);
            } else {
                printf("%s: churnscore model, format version %d\n", path, s.format_version);
                printf("trained on %s (month %s, %llu subscribers) by %s at %s\n", s.snapshot, s.month,
                       (unsigned long long)s.n_rows, s.version, s.created);
                printf("inputs: %s — %s\n", inp, s.inputs_reason);
                printf("indicators read: %zu; factors: %zu; coefficients: %zu; warning cut-off %.5f\n",
                       m.p_in, m.k, m.n_coef, m.warn_cutoff);
                if (m.has_types && m.coll_cutoff >= 0)
                    printf("collections cut-off: p_involuntary >= %.5f\n", m.coll_cutoff);
                /* the formulas score computes on every snapshot (model/derived.h) */
                for (size_t d = 0; d < m.n_derived; d++)
                    printf("derived indicator: %s = %s\n", m.derived_names[d], m.derived_formulas[d]);
                printf("holdout: n=%llu AUC %.4f lift@10%% %.3f KS %.3f Brier %.5f", (unsigned long long)s.ho_n,
                       s.auc, s.lift10, s.ks, s.brier);
                if (!isnan(s.oracle_auc)) printf(" (oracle AUC %.4f)", s.oracle_auc);
                int gbm = m.kind == CMODEL_KIND_GBM && m.gbm;
                printf("\nscoring model: %s%s%s\n", gbm ? "boosted trees" : "logistic model",
                       s.model_choice[0] ? " — " : "", s.model_choice);
                if (s.calibration[0]) printf("calibration: %s\n", s.calibration);
                for (size_t i = 0; i < s.diag.n; i++)
                    printf("diagnostic %s: %s; %s\n", diag_kind_name(s.diag.e[i].kind), s.diag.e[i].found,
                           s.diag.e[i].action);
                if (gbm) {
                    size_t splits = 0, leaves = 0;
                    gbm_size(m.gbm, &splits, &leaves);
                    printf("trees: %zu of depth %zu, %zu split nodes, %zu leaves\n", m.gbm->n_trees,
                           m.gbm->max_depth, splits, leaves);
                    im_imp *r = im_importance(m.gbm);
                    if (r) {
                        printf("top inputs by gain:");
                        for (size_t k = 0; k < m.gbm->n_cols && k < 10; k++)
                            printf("%s %s %.1f%%", k ? "," : "", m.coef_names[r[k].col + 1], 100 * r[k].share);
                        printf("\n");
                    } else {
                        printf("top inputs by gain: not known (a model file without split gains)\n");
                    }
                    free(r);
                }
                printf("\n%s\n", gbm ? "logistic coefficients (compared with the trees; not used for scoring):"
                                      : "logistic coefficients (the model that scores):");
                printf("%-48s %10s %10s %8s %10s\n", "input", "beta", "se", "z", "p");
                for (size_t j = 0; j < m.n_coef; j++)
                    printf("%-48s %10.4f %10.4f %8.2f %10.3g\n", m.coef_names[j], m.beta[j], m.se[j],
                           m.zval[j], m.pval[j]);
                if (!m.has_types) {
                    printf("\nchurn types: none (%s)\n", s.types_reason[0] ? s.types_reason
                                                                         : "a model of format version 1");
                } else {
                    printf("\nchurn types: a logistic model of each on the same design\n");
                    for (int y = 0; y < CMODEL_N_TYPES; y++) {
                        const modelfile_type_story *t = &s.types[y];
                        char line[256];
                        modelfile_type_story_format(t, line, sizeof line);
                        printf("holdout %s: %s\n", modelfile_type_name(y), line);
                    }
                    printf("\n%-48s %10s %8s %10s %8s\n", "input", "voluntary", "z", "involuntary", "z");
                    for (size_t j = 0; j < m.n_coef; j++)
                        printf("%-48s %10.4f %8.2f %10.4f %8.2f\n", m.coef_names[j],
                               m.type_beta[0][j], m.type_z[0][j], m.type_beta[1][j], m.type_z[1][j]);
                }
                inspect_segments_text(&m);
            }
            fflush(stdout);
            cmodel_clear(&m);
            modelfile_story_clear(&s);
        }
    }
    return red_agree(ctx->comm, rc);
}
