/* train_report.c — the Markdown training report: what an analyst reads to trust (or not) a model.
 * Everything comes from the model and its story, so the report of a model file can be redone. The
 * text is composed in memory and written with one checked write: a stdio stream that fails in one of
 * its own flushes (the disk full halfway) keeps only ferror, not the errno that says why. */
#include "train_report.h"

#include "commit.h"
#include "segrep.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The trees that score: their size and the inputs they split on most (gbm_info.c). */
static void train_report_trees(FILE *f, const cmodel *m)
{
    const gbm_model *g = m->gbm;
    size_t splits = 0, leaves = 0;
    gbm_size(g, &splits, &leaves);
    fprintf(f, "\n## Boosted trees (the model that scores)\n\n%zu trees of depth %zu: %zu split nodes, %zu "
               "leaves.\n\n| input | share of the split gain |\n|---|---|\n", g->n_trees, g->max_depth, splits, leaves);
    double *imp = malloc((g->n_cols ? g->n_cols : 1) * sizeof(double));
    int *used = calloc(g->n_cols ? g->n_cols : 1, sizeof(int));
    double total = imp ? gbm_gain_importance(g, imp) : NAN;
    /* the ten largest, largest first (ties: the earlier column) */
    for (size_t k = 0; imp && used && total > 0 && k < g->n_cols && k < 10; k++) {
        size_t best = g->n_cols;
        for (size_t c = 0; c < g->n_cols; c++)
            if (!used[c] && (best == g->n_cols || imp[c] > imp[best])) best = c;
        used[best] = 1;
        fprintf(f, "| %s | %.1f%% |\n", m->coef_names[best + 1], 100 * imp[best] / total);
    }
    free(imp);
    free(used);
}

int train_report_write(const char *path, const cmodel *m, const modelfile_story *s)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) return CS_ERROR(CS_ENOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    if (!f) {
        free(tmp);
        return CS_ERROR(CS_ENOMEM, "out of memory for the report");
    }
    fprintf(f, "# Churn model report\n\n");
    fprintf(f, "- training snapshot: `%s` (month %s), %llu subscribers: %llu fitted, %llu held out\n",
            s->snapshot, s->month, (unsigned long long)s->n_rows, (unsigned long long)s->n_train,
            (unsigned long long)s->n_holdout);
    fprintf(f, "- built by %s at %s\n", s->version, s->created);
    fprintf(f, "- options: `%s`\n", s->options);
    fprintf(f, "- inputs: %s\n", s->inputs_reason);
    fprintf(f, "- logistic fit: %d IRLS iterations, log-likelihood %.4f, L2 %.4g\n", s->irls_iterations,
            s->loglik, s->lambda);
    int gbm = m->kind == CMODEL_KIND_GBM && m->gbm;
    fprintf(f, "- model that scores: %s%s%s\n", gbm ? "boosted trees" : "logistic model",
            s->model_choice[0] ? " — " : "", s->model_choice);
    fprintf(f, "- warning cut-off: probability >= %.5f\n", m->warn_cutoff);
    if (m->has_types && m->coll_cutoff >= 0)
        fprintf(f, "- collections cut-off: involuntary probability >= %.5f (and above the voluntary one)\n",
                m->coll_cutoff);
    fprintf(f, "\n");
    if (s->cand_rows) {
        /* --inputs best's comparison (mpi/train_candidates.c) */
        static const char *const cn[3] = {"factor scores", "raw indicators", "factors and raw indicators"};
        static const int ci[3] = {CMODEL_INPUTS_FACTORS, CMODEL_INPUTS_RAW, CMODEL_INPUTS_BOTH};
        fprintf(f, "## Inputs compared\n\nLogistic models fitted on a hash sample of %llu training rows, "
                "compared by their AUC on the validation rows (a candidate with more columns must gain "
                "more than 0.0005):\n\n| inputs | validation AUC | |\n|---|---:|---|\n",
                (unsigned long long)s->cand_rows);
        for (int c = 0; c < 3; c++)
            fprintf(f, "| %s | %.4f | %s |\n", cn[c], s->cand_auc[c], m->inputs == ci[c] ? "chosen" : "");
        fprintf(f, "\n");
    }
    /* what the checks of model/diag.h found and what training did about each */
    fprintf(f, "## Diagnostics\n\n");
    if (s->diag.n == 0)
        fprintf(f, "None: the correlation matrix is well conditioned, the factor analysis (where used) converged "
                "without Heywood cases, the logistic fit shows no separation.\n\n");
    else
        fprintf(f, "| check | found | done |\n|---|---|---|\n");
    for (size_t i = 0; i < s->diag.n; i++)
        fprintf(f, "| %s | %s | %s |\n%s", diag_kind_name(s->diag.e[i].kind), s->diag.e[i].found,
                s->diag.e[i].action, i + 1 == s->diag.n ? "\n" : "");

    fprintf(f, "## Holdout metrics\n\n| metric | value |\n|---|---|\n");
    fprintf(f, "| subscribers evaluated | %llu (%llu churned) |\n", (unsigned long long)s->ho_n,
            (unsigned long long)s->ho_pos);
    fprintf(f, "| AUC | %.4f |\n", s->auc);
    if (!isnan(s->oracle_auc)) fprintf(f, "| oracle AUC (true probabilities) | %.4f |\n", s->oracle_auc);
    fprintf(f, "| top-decile lift | %.3f |\n| capture at 5%% / 10%% / 20%% | %.3f / %.3f / %.3f |\n",
            s->lift10, s->capture5, s->capture10, s->capture20);
    fprintf(f, "| KS | %.4f |\n| Brier score | %.5f |\n\n", s->ks, s->brier);
    /* before and after the calibration (model/calib.h), on the same bins: the order is the same */
    int raw = !isnan(s->cal_pred_raw[0]);
    fprintf(f, "Calibration: %s.\n\n", s->calibration[0] ? s->calibration : "none");
    double ex = 0, ex0 = 0, ob = 0;
    for (int b = 0; b < 10; b++) {
        ex += (double)s->cal_n[b] * s->cal_pred[b];
        ex0 += (double)s->cal_n[b] * s->cal_pred_raw[b];
        ob += (double)s->cal_n[b] * s->cal_obs[b];
    }
    if (raw)
        fprintf(f, "Expected over observed leavers on the holdout: %.3f before calibration, %.3f after (%.1f and "
                "%.1f expected, %.0f observed).\n\n", ex0 / ob, ex / ob, ex0, ex, ob);
    else
        fprintf(f, "Expected over observed leavers on the holdout: %.3f (%.1f expected, %.0f observed).\n\n",
                ex / ob, ex, ob);
    fprintf(f, "Calibration by score decile (1 = lowest scores):\n\n| decile | n |%s mean predicted | observed |\n"
            "|---|---|%s---|---|\n", raw ? " before calibration | after:" : "", raw ? "---|" : "");
    for (int b = 0; b < 10; b++) {
        fprintf(f, "| %d | %llu |", b + 1, (unsigned long long)s->cal_n[b]);
        if (raw) fprintf(f, " %.5f |", s->cal_pred_raw[b]);
        fprintf(f, " %.5f | %.5f |\n", s->cal_pred[b], s->cal_obs[b]);
    }

    fprintf(f, "\n## Churn types\n\n");
    if (!m->has_types) {
        fprintf(f, "None: %s. The retention ranking uses the probability of any churn.\n", s->types_reason);
    } else {
        fprintf(f, "Fitted: %s. Each type's probability is calibrated: expected over observed leavers of the "
                "type on the holdout, overall and in the top three deciles of its probability (1.000 is "
                "exact).\n\n", s->types_reason);
        fprintf(f, "| metric | voluntary | involuntary |\n|---|---|---|\n");
        const modelfile_type_story *v = &s->types[CMODEL_TYPE_VOLUNTARY], *q = &s->types[CMODEL_TYPE_INVOLUNTARY];
        fprintf(f, "| leavers in the holdout | %llu | %llu |\n", (unsigned long long)v->pos,
                (unsigned long long)q->pos);
        fprintf(f, "| AUC | %.4f | %.4f |\n", v->auc, q->auc);
        fprintf(f, "| capture at 5%% / 10%% | %.3f / %.3f | %.3f / %.3f |\n", v->capture5, v->capture10,
                q->capture5, q->capture10);
        fprintf(f, "| expected / observed | %.3f | %.3f |\n", v->expected_observed, q->expected_observed);
        for (int b = 9; b >= 7; b--)
            fprintf(f, "| expected / observed, decile %d | %.3f (%.5f / %.5f) | %.3f (%.5f / %.5f) |\n", b + 1,
                    v->cal_pred[b] / v->cal_obs[b], v->cal_pred[b], v->cal_obs[b], q->cal_pred[b] / q->cal_obs[b],
                    q->cal_pred[b], q->cal_obs[b]);
        fprintf(f, "| IRLS iterations, log-likelihood | %d, %.4f | %d, %.4f |\n", v->irls_iterations,
                v->loglik, q->irls_iterations, q->loglik);
        fprintf(f, "\nCoefficients (where the two together exceed 1, both probabilities are scaled down "
                "to sum to 1):\n\n| input | voluntary | z | involuntary | z |\n|---|---|---|---|---|\n");
        for (size_t j = 0; j < m->n_coef; j++)
            fprintf(f, "| %s | %.5f | %.2f | %.5f | %.2f |\n", m->coef_names[j],
                    m->type_beta[CMODEL_TYPE_VOLUNTARY][j], m->type_z[CMODEL_TYPE_VOLUNTARY][j],
                    m->type_beta[CMODEL_TYPE_INVOLUNTARY][j], m->type_z[CMODEL_TYPE_INVOLUNTARY][j]);
    }

    segrep_markdown(f, m);

    fprintf(f, "\n## Screening\n\n| indicator | missing | mean | sd | min | max | mode share | decision |\n|---|---|---|---|---|---|---|---|\n");
    for (size_t j = 0; j < s->p_all; j++)
        fprintf(f, "| %s | %.2f%% | %.4g | %.4g | %.4g | %.4g | %.3f | %s |\n", s->all_names[j],
                100 * s->missing_share[j], s->mean[j], s->sd[j], s->min[j], s->max[j], s->mode_share[j],
                s->drop_reason[j][0] ? s->drop_reason[j] : "kept");

    if (m->k > 0) {
        fprintf(f, "\n## Factor analysis\n\nKMO %.3f; Bartlett's test chi2 %.1f, df %.0f, p %.3g. "
                "Extraction: %s; varimax rotation (Kaiser normalisation); regression (Thurstone) scores.\n\n",
                s->kmo, s->bartlett_chi2, s->bartlett_df, s->bartlett_p,
                strstr(s->options, "extraction=ml") ? "maximum likelihood (as stats::factanal)"
                                                    : "iterated principal axis (as psych::fa, fm = \"pa\")");
        fprintf(f, "| indicator |");
        for (size_t k = 0; k < m->k; k++) fprintf(f, " F%zu |", k + 1);
        fprintf(f, " communality |\n|---|");
        for (size_t k = 0; k <= m->k; k++) fprintf(f, "---|");
        fprintf(f, "\n");
        for (size_t j = 0; j < m->p_fa; j++) {
            fprintf(f, "| %s |", m->in_names[m->fa_idx[j]]);
            for (size_t k = 0; k < m->k; k++) {
                double v = m->loadings[j * m->k + k];
                fprintf(f, fabs(v) >= 0.4 ? " **%.3f** |" : " %.3f |", v);
            }
            fprintf(f, " %.3f |\n", s->communality ? s->communality[j] : NAN);
        }
        fprintf(f, "| SS loadings |");
        for (size_t k = 0; k < m->k; k++) fprintf(f, " %.3f |", s->ss_loadings ? s->ss_loadings[k] : NAN);
        fprintf(f, " |\n| proportion of variance |");
        for (size_t k = 0; k < m->k; k++) fprintf(f, " %.3f |", s->prop_var ? s->prop_var[k] : NAN);
        fprintf(f, " |\n\nFactor labels:");
        for (size_t k = 0; k < m->k; k++) fprintf(f, " F%zu = %s;", k + 1, m->factor_labels[k]);
        fprintf(f, "\n");
    }

    if (gbm) train_report_trees(f, m);
    fprintf(f, "\n## Logistic coefficients%s\n\n| input | coefficient | std. error | z | p |\n|---|---|---|---|---|\n",
            gbm ? " (compared with the trees; not used for scoring)" : "");
    for (size_t j = 0; j < m->n_coef; j++)
        fprintf(f, "| %s | %.5f | %.5f | %.2f | %.3g |\n", m->coef_names[j], m->beta[j], m->se[j],
                m->zval[j], m->pval[j]);
    /* composed in memory, then one checked write (commit_memstream_save says why) */
    int rc = commit_memstream_save(f, &text, &text_len, tmp);
    free(tmp);
    return rc;
}
