/* train_fa.c — see train_fa.h. Nothing here talks to the other ranks: every rank holds the same
 * reduced moments, so each reaches the same screening, roles and factors; an allocation that fails
 * on one rank is caught by the agreement that ends the model's structure (cmd_train.c). */
#include "train_fa.h"

#include "cmodel.h"
#include "diag.h"
#include "status.h"

#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Screening and the roles; CS_EDATA, with what was wrong with the indicators, when none is left. */
static int train_screen(const train_run *t, const train_stats *st, train_choice *c)
{
    const train_opts *o = &t->o;
    const char *const *names = (const char *const *)t->s->feature_names;
    size_t p = t->p;
    screen_params sp;
    screen_params_default(&sp);
    sp.max_missing_share = o->max_missing;
    sp.max_mode_share = o->max_mode;
    sp.max_abs_corr = o->max_corr;
    c->sr = screen_result_alloc(p);
    c->in = inputs_choice_alloc(p);
    if (!c->sr || !c->in) return CS_ERROR(CS_ENOMEM, "out of memory");
    CS_TRY(screen_run(st->ms, names, &sp, c->sr));
    CS_TRY(inputs_choose(names, st->ms, c->sr, o->max_missing, c->in));
    if (!inputs_none(c->in, st->ms)) return CS_OK;
    if (c->in->n_constant == p)
        return CS_ERROR(CS_EDATA, "%s: no indicator varies: all %zu are constant over the %llu "
                        "training rows, so no model can tell leavers from stayers (is the "
                        "snapshot filled from the right source?)", o->in, p, (unsigned long long)st->n_train);
    return CS_ERROR(CS_EDATA, "%s: every indicator was dropped by screening (no indicator survives): "
                    "of %zu, %zu are constant, %zu missing in more than --max-missing %g of the "
                    "rows, the others near-constant (--max-mode-share %g) or collinear "
                    "(--max-corr %g): nothing to fit on", o->in, p, c->in->n_constant, c->in->n_missing,
                    o->max_missing, o->max_mode, o->max_corr);
}

/* Bartlett's test and the eigenvalues of R into the story: failing eigenvalues only leave the report
 * without them, so that message is forgotten. CS_ENOMEM only. */
static int train_fa_story(const gsl_matrix *R, size_t npool, double n_train, modelfile_story *story)
{
    double chi2, df, pv;
    if (fa_bartlett(R, n_train, &chi2, &df, &pv) == CS_OK) {
        story->bartlett_chi2 = chi2;
        story->bartlett_df = df;
        story->bartlett_p = pv;
    }
    int rc = CS_OK;
    gsl_vector *ev = gsl_vector_alloc(npool);
    gsl_matrix *evec = gsl_matrix_alloc(npool, npool);
    if (!ev || !evec) rc = CS_ERROR(CS_ENOMEM, "out of memory for the eigenvalues of %zu indicators", npool);
    else if (fa_eigen(R, ev, evec) == CS_OK) {
        story->eigenvalues = malloc(npool * sizeof(double));
        if (!story->eigenvalues) rc = CS_ERROR(CS_ENOMEM, "out of memory for the eigenvalues");
        else story->n_eigen = npool;
        for (size_t i = 0; i < story->n_eigen; i++) story->eigenvalues[i] = gsl_vector_get(ev, i);
    } else {
        status_clear();
    }
    gsl_vector_free(ev);
    gsl_matrix_free(evec);
    return rc;
}

/* The factor-analysis diagnostics of c->fa into the story, each with what is done: a solution that
 * did not converge and a Heywood case are kept (psych keeps them too, with a warning); an
 * ultra-Heywood case is an improper solution, so --inputs auto drops the factor analysis for the
 * screened indicators, while an explicit --inputs keeps it as asked. CS_ENOMEM only. */
static int train_fa_diagnose(const train_run *t, int inputs_auto, modelfile_story *story, train_choice *c)
{
    const train_opts *o = &t->o;
    size_t npool = c->in->npool;
    const char **names = malloc((npool ? npool : 1) * sizeof *names);
    if (!names) return CS_ERROR(CS_ENOMEM, "out of memory for the diagnostics");
    for (size_t i = 0; i < npool; i++) names[i] = t->s->feature_names[c->in->pool[i]];
    size_t first = story->diag.n;
    diag_fa(c->fa, names, &story->diag);
    free(names);
    int drop = 0;
    for (size_t i = first; i < story->diag.n; i++) {
        int at = (int)i;
        switch (story->diag.e[i].kind) {
        case DIAG_FA_NOT_CONVERGED:
            diag_set_action(&story->diag, at, "kept: the loadings of the last iteration are used (as psych does); "
                            "fewer --factors or the other --extraction may converge");
            break;
        case DIAG_HEYWOOD:
            diag_set_action(&story->diag, at, "kept: such an indicator is almost all common variance, so its "
                            "factor-score weight is large; fewer --factors usually removes the case");
            break;
        case DIAG_ULTRA_HEYWOOD:
            if (inputs_auto) {
                drop = 1;
                diag_set_action(&story->diag, at, "factor analysis not used (--inputs auto): the solution is "
                                "improper, the model takes the screened indicators");
            } else {
                diag_set_action(&story->diag, at, "kept as asked (--inputs %s): the factor-score coefficients are "
                                "probably wrong (psych warns the same); fewer --factors or --extraction ml avoid it",
                                o->inputs_s);
            }
            break;
        }
    }
    if (drop) {
        snprintf(c->reason, sizeof c->reason, "ultra-Heywood case in the factor analysis (a communality above "
                 "1): factor analysis not advisable, fitted on the screened indicators");
        c->inputs = CMODEL_INPUTS_RAW;
        fa_result_free(c->fa);
        c->fa = NULL;
    }
    return CS_OK;
}

/* KMO, Bartlett, eigenvalues and, unless the inputs are raw, the factor analysis of the pool. */
static int train_factor(const train_run *t, const train_stats *st, long kfix, int inputs_auto,
                        modelfile_story *story, train_choice *c)
{
    const train_opts *o = &t->o;
    size_t npool = c->in->npool;
    double n_train = (double)st->n_train;
    int rc = CS_OK;
    gsl_matrix *R = gsl_matrix_alloc(npool, npool);
    gsl_vector *kv = gsl_vector_alloc(npool);
    double kmo = NAN;
    if (!R || !kv) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = moments_correlation_subset(st->ms, c->in->pool, npool, R);
    int krc = rc == CS_OK ? fa_kmo(R, &kmo, kv) : rc;
    /* a singular R is an answer (no factor analysis), not a failure: forget its message, but only
     * then, or the message of a real failure (out of memory above) would be lost */
    if (rc == CS_OK) status_clear();
    story->kmo = kmo;
    if (rc == CS_OK) rc = train_fa_story(R, npool, n_train, story);
    int dc = rc == CS_OK ? diag_correlation(story->eigenvalues, story->n_eigen, krc != CS_OK, &story->diag) : -1;
    int near = dc >= 0 && story->diag.e[dc].kind == DIAG_CORR_NEAR_SINGULAR;
    if (dc >= 0) {
        if (inputs_auto)
            diag_set_action(&story->diag, dc, "factor analysis not used (--inputs auto): the model takes the "
                            "screened indicators%s", o->l2 > 0 ? ", the L2 penalty keeping their logistic fit well posed"
                            : "; with --l2 0 their coefficients are unstable: use --l2 > 0 or a lower --max-corr");
        else if (near)
            diag_set_action(&story->diag, dc, "kept as asked (--inputs %s): the factor-score coefficients may "
                            "carry few correct digits; a lower --max-corr drops the near-collinear indicators",
                            o->inputs_s);
        else
            diag_set_action(&story->diag, dc, "none possible: --inputs %s needs the inverse of the correlation "
                            "matrix (the training stops)", o->inputs_s);
    }
    if (rc == CS_OK && inputs_auto) {
        if (krc != CS_OK)
            snprintf(c->reason, sizeof c->reason, "the correlation matrix of the %zu screened indicators is "
                     "singular: factor analysis not advisable, fitted on the screened indicators", npool);
        else if (near)
            snprintf(c->reason, sizeof c->reason, "the correlation matrix of the %zu screened indicators is "
                     "near-singular (smallest/largest eigenvalue %.3g < %.0e): factor analysis not advisable, "
                     "fitted on the screened indicators", npool, diag_rcond(story->eigenvalues, story->n_eigen),
                     DIAG_RCOND_MIN);
        else if (kmo < o->kmo_min)
            snprintf(c->reason, sizeof c->reason, "KMO %.3f < %.2f: factor analysis not advisable, fitted on "
                     "the screened indicators", kmo, o->kmo_min);
        c->inputs = c->reason[0] ? CMODEL_INPUTS_RAW : CMODEL_INPUTS_FACTORS;
    }
    if (rc == CS_OK && c->inputs != CMODEL_INPUTS_RAW) {
        size_t k = inputs_factor_count(story->eigenvalues, story->n_eigen, kfix, npool);
        fa_params fp;
        fa_params_default(&fp);
        fp.method = strcmp(o->extraction, "ml") == 0 ? FA_ML : FA_PAF;
        c->fa = fa_result_alloc(npool, k);
        rc = c->fa ? fa_fit(R, n_train, &fp, c->fa) : CS_ERROR(CS_ENOMEM, "out of memory");
        if (rc != CS_OK && rc != CS_ENOMEM && inputs_auto) {
            snprintf(c->reason, sizeof c->reason, "factor analysis failed (%s): fitted on the screened "
                     "indicators", status_reason());
            status_clear();
            rc = CS_OK;
            c->inputs = CMODEL_INPUTS_RAW;
            fa_result_free(c->fa);
            c->fa = NULL;
        } else if (rc == CS_OK) {
            rc = train_fa_diagnose(t, inputs_auto, story, c);
        }
        if (rc == CS_OK && c->fa) {
            if (!c->reason[0])
                snprintf(c->reason, sizeof c->reason, "KMO %.3f: %zu factors by %s from %zu screened "
                         "indicators, %s extraction, varimax", kmo, k, kfix > 0 ? "--factors" : "the Kaiser criterion",
                         npool, fp.method == FA_ML ? "maximum likelihood" : "principal axis");
            c->k = k;
        }
    }
    gsl_matrix_free(R);
    gsl_vector_free(kv);
    return rc;
}

int train_choose(const train_run *t, const train_stats *st, long kfix, int inputs_auto, int inputs,
                 modelfile_story *story, train_choice *c)
{
    c->inputs = inputs;
    int rc = train_screen(t, st, c);
    if (rc == CS_OK && c->in->npool > 0 && (c->inputs != CMODEL_INPUTS_RAW || inputs_auto))
        rc = train_factor(t, st, kfix, inputs_auto, story, c);
    if (!c->reason[0]) snprintf(c->reason, sizeof c->reason, "inputs %s as asked", inputs_mode_name(c->inputs));
    return rc;
}

void train_choice_clear(train_choice *c)
{
    screen_result_free(c->sr);
    inputs_choice_free(c->in);
    fa_result_free(c->fa);
    memset(c, 0, sizeof *c);
}
