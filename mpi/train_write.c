/* train_write.c — see train_write.h. The story is built on every rank (each holds the same
 * statistics), so that an allocation failing on one is agreed on before rank 0 writes anything. */
#include "train_write.h"

#include "cmd.h"
#include "commit.h"
#include "h5util.h"
#include "html.h"
#include "htmlrep.h"
#include "inputs.h"
#include "log.h"
#include "reduce.h"
#include "status.h"
#include "train_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Rank 0: the model and the reports (Markdown and HTML) commit together (commit.h): all are written
 * complete under their temporary names first, so a report that cannot be written leaves no new
 * model either. */
static int train_write_outputs(const train_opts *o, const cmodel *m, const modelfile_story *story)
{
    char *mtmp = h5util_tmpname(o->model), *rtmp = o->report ? h5util_tmpname(o->report) : NULL;
    char *html = o->report ? html_path_beside(o->report) : NULL, *htmp = html ? h5util_tmpname(html) : NULL;
    commit_set *cs = commit_set_alloc();
    int rc = mtmp && cs && ((rtmp && htmp) || !o->report) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = modelfile_write_tmp(mtmp, o->model, m, story);
    if (rc == CS_OK) rc = commit_set_add(cs, mtmp, o->model, NULL);
    else if (mtmp) unlink(mtmp);
    if (rc == CS_OK && o->report) {
        rc = train_report_write(o->report, m, story);
        if (rc == CS_OK) rc = commit_set_add(cs, rtmp, o->report, NULL);
        /* the same report as a page with charts, in the --lang language */
        if (rc == CS_OK) rc = htmlrep_train_write(htmp, m, story, lang_parse(o->lang) == LANG_ZH ? LANG_ZH : LANG_EN);
        if (rc == CS_OK) rc = commit_set_add(cs, htmp, html, NULL);
    }
    if (rc == CS_OK) rc = commit_set_apply(cs);
    commit_set_free(cs); /* removes the temporary files of a failed run */
    free(mtmp);
    free(rtmp);
    free(html);
    free(htmp);
    return rc;
}

/* Every indicator's statistics and role, for the report. CS_ENOMEM on failure (what was built stays
 * in the story, freed by modelfile_story_clear). */
static int train_story_indicators(const train_run *t, const train_stats *st, const train_choice *c,
                                  modelfile_story *story)
{
    const moments_summary *ms = st->ms;
    const char *const *names = (const char *const *)t->s->feature_names;
    size_t p = t->p;
    story->p_all = p;
    story->all_names = calloc(p, sizeof(char *));
    story->drop_reason = calloc(p, sizeof(char *));
    story->kept = malloc(p * sizeof(int32_t));
    story->missing_share = malloc(p * sizeof(double));
    story->mean = malloc(p * sizeof(double));
    story->sd = malloc(p * sizeof(double));
    story->min = malloc(p * sizeof(double));
    story->max = malloc(p * sizeof(double));
    story->mode_share = malloc(p * sizeof(double));
    if (!story->all_names || !story->drop_reason || !story->kept || !story->missing_share || !story->mean ||
        !story->sd || !story->min || !story->max || !story->mode_share)
        return CS_ERROR(CS_ENOMEM, "out of memory for the report of %zu indicators", p);
    int rc = CS_OK;
    for (size_t j = 0; rc == CS_OK && j < p; j++) {
        story->all_names[j] = strdup(names[j]);
        story->kept[j] = inputs_used(c->in, j);
        story->drop_reason[j] = strdup(inputs_why(c->in, names, c->sr, j));
        if (!story->all_names[j] || !story->drop_reason[j])
            rc = CS_ERROR(CS_ENOMEM, "out of memory for the report of %zu indicators", p);
        story->missing_share[j] = ms->missing_share[j];
        story->mean[j] = ms->mean[j];
        story->sd[j] = ms->sd[j];
        story->min[j] = ms->min[j];
        story->max[j] = ms->max[j];
        story->mode_share[j] = ms->mode_share[j];
    }
    return rc;
}

/* The logistic fits' diagnostics (model/diag.h) into the story, with what was done: the fits are
 * kept either way (a penalised fit is finite; an unpenalised one is what --l2 0 asked for). */
static void train_diag_logit(const train_run *t, const cmodel *m, const train_outcome *out, modelfile_story *story)
{
    const train_opts *o = &t->o;
    diag_list *d = &story->diag;
    const char *const *names = (const char *const *)m->coef_names;
    const char *scoring = m->kind == CMODEL_KIND_GBM ? " (the boosted trees score; the logistic model is "
                                                       "their comparison)" : "";
    for (int y = -1; y < CMODEL_N_TYPES; y++) {
        if (y >= 0 && !m->has_types) break;
        const train_irls_info *inf = y < 0 ? &out->irls : &out->types[y];
        const double *beta = y < 0 ? m->beta : m->type_beta[y];
        char what[32] = "";
        if (y >= 0) snprintf(what, sizeof what, "%s ", modelfile_type_name(y));
        size_t first = d->n;
        diag_logit(inf->extreme, inf->n_rows, inf->converged, inf->iters, beta, names, m->n_coef, what, d);
        for (size_t i = first; i < d->n; i++) {
            if (d->e[i].kind == DIAG_SEPARATION && o->l2 > 0)
                diag_set_action(d, (int)i, "kept: the L2 penalty (--l2 %g) keeps the coefficients finite; their "
                                "standard errors are the penalised ones%s", o->l2, y < 0 ? scoring : "");
            else if (d->e[i].kind == DIAG_SEPARATION)
                diag_set_action(d, (int)i, "kept as asked (--l2 0), but the separating inputs' coefficients are "
                                "not finite estimates and their standard errors mean nothing: use --l2 > 0%s",
                                y < 0 ? scoring : "");
            else
                diag_set_action(d, (int)i, "kept: the coefficients of the last iteration are used; a larger "
                                "--max-iter or --l2 > 0 lets it converge%s", y < 0 ? scoring : "");
        }
    }
}

int train_write(const train_run *t, const train_stats *st, const train_choice *c, const cmodel *m,
                const train_outcome *out, const char *options, modelfile_story *story)
{
    const train_opts *o = &t->o;
    snprintf(story->snapshot, sizeof story->snapshot, "%s", o->in);
    snprintf(story->month, sizeof story->month, "%s", t->s->month);
    story->n_rows = t->s->n;
    story->n_train = st->n_train;
    story->n_holdout = st->n_hold;
    snprintf(story->version, sizeof story->version, "%s", cmd_version());
    time_t now = time(NULL);
    strftime(story->created, sizeof story->created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    snprintf(story->options, sizeof story->options, "%s", options ? options : "");
    snprintf(story->inputs_reason, sizeof story->inputs_reason, "%s", c->reason);
    snprintf(story->model_choice, sizeof story->model_choice, "%s", out->choice);
    story->irls_iterations = out->irls.iters;
    story->loglik = out->irls.loglik;
    story->lambda = o->l2;
    for (int y = 0; y < CMODEL_N_TYPES; y++) {
        story->types[y].irls_iterations = m->has_types ? out->types[y].iters : 0;
        story->types[y].loglik = m->has_types ? out->types[y].loglik : NAN;
    }
    train_diag_logit(t, m, out, story);
    for (size_t i = 0; i < story->diag.n; i++)
        log_info("train: warning: %s; %s", story->diag.e[i].found, story->diag.e[i].action);
    int rc = train_story_indicators(t, st, c, story);
    /* every rank built the story: agree on it before rank 0 writes (an allocation may fail on one) */
    rc = red_agree(t->ctx->comm, rc);
    if (rc == CS_OK && t->ctx->rank == 0) rc = train_write_outputs(o, m, story);
    return red_agree(t->ctx->comm, rc);
}

void train_summary(const train_run *t, const train_choice *c, const cmodel *m,
                   const modelfile_story *story, const train_outcome *out, double total, int rc)
{
    const cmd_ctx *ctx = t->ctx;
    const train_opts *o = &t->o;
    double rss = log_peak_rss(), rss_max = rss, rss_min = rss;
    red_max_f64(ctx->comm, &rss_max, 1);
    red_min_f64(ctx->comm, &rss_min, 1);
    if (rc != CS_OK) return;
    const inputs_choice *in = c->in;
    size_t p = t->p, nlife = (in->tenure >= 0) + (in->contract >= 0);
    size_t dropped = p - in->npool - in->nsig - nlife;
    const double *s = out->secs;
    const int *np = out->passes;
    log_info("train: done in %.2f s -> %s", total, o->model);
    if (ctx->rank != 0) return;
    printf("train summary\n");
    printf("  snapshot           %s (%s), %llu subscribers, %d ranks\n", o->in, t->s->month,
           (unsigned long long)t->s->n, ctx->nranks);
    printf("  indicators         %zu: %zu kept for the %s, %zu hard signals, %d lifecycle "
           "(tenure, contract), %zu dropped or unused (see the report)\n",
           p, in->npool, c->inputs == CMODEL_INPUTS_RAW ? "model" : "factor analysis", in->nsig,
           (int)nlife, dropped);
    printf("  inputs             %s (%s)\n", inputs_mode_name(c->inputs), c->reason);
    if (m->k) {
        printf("  factors            %zu:", m->k);
        for (size_t f = 0; f < m->k; f++) printf(" [%s]", m->factor_labels[f]);
        printf("\n");
    }
    printf("  logistic model     %zu coefficients, IRLS %d Newton steps in %d passes over the design rows (%s), L2 %.3g\n",
           m->n_coef, out->irls.iters, out->irls.passes, out->irls.converged ? "converged" : "NOT converged", o->l2);
    printf("  model              %s\n", out->choice);
    if (m->has_types)
        printf("  churn types        voluntary and involuntary: logistic models, IRLS %d and %d Newton steps "
               "(%s)\n", out->types[0].iters, out->types[1].iters,
               out->types[0].converged && out->types[1].converged ? "converged" : "NOT converged");
    else
        printf("  churn types        none: %s\n", story->types_reason);
    if (story->ho_n == 0) {
        printf("  holdout            none (no held-out labelled rows): cut-off and drift reference "
               "from the training rows\n");
    } else {
        printf("  holdout            n=%llu AUC %.4f", (unsigned long long)story->ho_n, story->auc);
        if (!isnan(story->oracle_auc)) printf(" (oracle %.4f)", story->oracle_auc);
        printf(", top-decile lift %.2f, capture@10%% %.3f, KS %.3f, Brier %.5f\n", story->lift10,
               story->capture10, story->ks, story->brier);
        for (int y = 0; m->has_types && y < CMODEL_N_TYPES; y++) {
            const modelfile_type_story *ty = &story->types[y];
            char line[256];
            modelfile_type_story_format(ty, line, sizeof line);
            printf("  holdout %-11s %s\n", modelfile_type_name(y), line);
        }
    }
    if (story->diag.n == 0)
        printf("  diagnostics        none of: a singular or near-singular correlation, a factor analysis that did "
               "not converge, a Heywood or ultra-Heywood case, separation or non-convergence in a logistic fit\n");
    for (size_t i = 0; i < story->diag.n; i++)
        printf("  diagnostic         %s: %s; %s\n", diag_kind_name(story->diag.e[i].kind), story->diag.e[i].found,
               story->diag.e[i].action);
    printf("  warning cut-off    %.5f\n", m->warn_cutoff);
    if (m->has_types && m->coll_cutoff >= 0)
        printf("  collections cut-off p_involuntary >= %.5f (the top %g by involuntary risk, as the warning cut-off by voluntary)\n",
               m->coll_cutoff, o->warn_top);
    if (m->seg) {
        const segment_model *sg = m->seg;
        printf("  segments           %zu in %zu brand(s) (", sg->n_seg, sg->n_brands);
        for (size_t b = 0; b < sg->n_brands; b++) printf("%s%d", b ? " " : "", sg->k[b]);
        printf(") on the %s; %s\n", sg->space == SEGMENT_SPACE_FACTORS ? "factor scores" : "standardised indicators",
               sg->criterion);
    } else {
        printf("  segments           none\n");
    }
    printf("  passes             %d over the snapshot: screening+correlation %d, inputs candidates %d, logistic %d, "
           "trees %d, churn types %d, holdout %d, segments %d (design matrix %s)\n", np[TRAIN_T_SEG], np[TRAIN_T_PASS1],
           np[TRAIN_T_CAND] - np[TRAIN_T_PASS1], np[TRAIN_T_IRLS] - np[TRAIN_T_CAND], np[TRAIN_T_GBM] - np[TRAIN_T_IRLS],
           np[TRAIN_T_TYPES] - np[TRAIN_T_GBM], np[TRAIN_T_HOLD] - np[TRAIN_T_TYPES], np[TRAIN_T_SEG] - np[TRAIN_T_HOLD],
           out->all_cached ? "cached in memory after the first IRLS pass" : "re-read each pass: over --memory");
    printf("  time               id check %.2f s, pass 1 %.2f s, screening+FA %.2f s, inputs candidates %.2f s, "
           "IRLS %.2f s, trees %.2f s, churn types %.2f s, holdout %.2f s, segments %.2f s, write %.2f s, total %.2f s "
           "(%.0f rows/s)\n",
           s[TRAIN_T_IDS], s[TRAIN_T_PASS1], s[TRAIN_T_FA], s[TRAIN_T_CAND], s[TRAIN_T_IRLS], s[TRAIN_T_GBM], s[TRAIN_T_TYPES],
           s[TRAIN_T_HOLD], s[TRAIN_T_SEG], s[TRAIN_T_WRITE], total,
           (double)t->s->n / total);
    printf("  peak memory/rank   %.1f MB (max), %.1f MB (min), budget %.0f MB\n", rss_max / 1e6,
           rss_min / 1e6, (double)o->memory / 1e6);
    fflush(stdout);
}
