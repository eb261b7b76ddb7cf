/* train_structure.c — see train_structure.h. The model reads its inputs in snapshot column order
 * (the pool, the signals and the lifecycle sources interleaved as the snapshot has them); the index
 * arrays of the pool and the signals (fa_idx, signal_idx) point into that list of inputs. */
#include "train_structure.h"

#include "status.h"

#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns CS_ENOMEM (the labels built so far stay in m, freed by cmodel_clear) when out of memory. */
static int train_factor_labels(cmodel *m, char *const *names)
{
    m->factor_labels = calloc(m->k ? m->k : 1, sizeof(char *));
    if (!m->factor_labels) return CS_ERROR(CS_ENOMEM, "out of memory for the factor labels");
    for (size_t f = 0; f < m->k; f++) {
        /* the two indicators with the largest absolute loading name the factor */
        size_t b1 = 0, b2 = 0;
        double v1 = -1, v2 = -1;
        for (size_t j = 0; j < m->p_fa; j++) {
            double v = fabs(m->loadings[j * m->k + f]);
            if (v > v1) {
                v2 = v1;
                b2 = b1;
                v1 = v;
                b1 = j;
            } else if (v > v2) {
                v2 = v;
                b2 = j;
            }
        }
        char buf[256];
        if (m->p_fa > 1)
            snprintf(buf, sizeof buf, "%s+%s", names[m->fa_idx[b1]], names[m->fa_idx[b2]]);
        else
            snprintf(buf, sizeof buf, "%s", m->p_fa ? names[m->fa_idx[b1]] : "");
        m->factor_labels[f] = strdup(buf);
        if (!m->factor_labels[f]) return CS_ERROR(CS_ENOMEM, "out of memory for the factor labels");
    }
    return CS_OK;
}

/* The factor analysis into the model (loadings, score coefficients, labels) and the story. */
static int train_structure_fa(const fa_result *fa, cmodel *m, modelfile_story *story)
{
    size_t npool = m->p_fa;
    for (size_t i = 0; i < npool; i++)
        for (size_t f = 0; f < m->k; f++) {
            m->loadings[i * m->k + f] = gsl_matrix_get(fa->loadings, i, f);
            m->score_coef[i * m->k + f] = gsl_matrix_get(fa->score_coef, i, f);
        }
    int rc = train_factor_labels(m, m->in_names);
    for (size_t i = 0; i < npool; i++) {
        story->communality[i] = gsl_vector_get(fa->communality, i);
        story->uniqueness[i] = gsl_vector_get(fa->uniqueness, i);
    }
    for (size_t f = 0; f < m->k; f++) {
        story->ss_loadings[f] = gsl_vector_get(fa->ss_loadings, f);
        story->prop_var[f] = gsl_vector_get(fa->prop_var, f);
    }
    return rc;
}

/* The inputs in column order, with the index maps of the pool, the signals and the lifecycle
 * sources into them. map[p] is scratch. */
static int train_structure_inputs(train_run *t, const moments_summary *ms, const inputs_choice *in,
                                  long *map, cmodel *m)
{
    size_t p = t->p;
    int rc = CS_OK;
    for (size_t j = 0; rc == CS_OK && j < p; j++) {
        map[j] = -1;
        if (!inputs_used(in, j)) continue;
        map[j] = (long)m->p_in;
        t->in_col[m->p_in] = j;
        m->in_names[m->p_in] = strdup(t->s->feature_names[j]);
        if (!m->in_names[m->p_in]) rc = CS_ERROR(CS_ENOMEM, "out of memory for the input names");
        m->impute[m->p_in] = ms->mean[j];
        /* the correlation's own sd (mean-imputed column), not the present values' */
        moments_standardisation(ms, j, &m->center[m->p_in], &m->scale[m->p_in]);
        m->p_in++;
    }
    if (rc != CS_OK) return rc; /* map is complete only when every input is in */
    for (size_t i = 0; i < in->npool; i++) m->fa_idx[i] = (int32_t)map[in->pool[i]];
    for (size_t i = 0; i < in->nsig; i++) m->signal_idx[i] = (int32_t)map[in->sig[i]];
    m->tenure_idx = in->tenure >= 0 ? (int32_t)map[in->tenure] : -1;
    m->contract_idx = in->contract >= 0 ? (int32_t)map[in->contract] : -1;
    return CS_OK;
}

/* The formulas of the derived indicators the model reads (of those --derived appended), in in_names
 * order, so that score computes exactly these. */
static int train_structure_derived(const train_run *t, cmodel *m)
{
    const derived_set *d = t->derived;
    if (!d) return CS_OK;
    m->derived_names = calloc(d->n ? d->n : 1, sizeof(char *));
    m->derived_formulas = calloc(d->n ? d->n : 1, sizeof(char *));
    if (!m->derived_names || !m->derived_formulas) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->p_in; i++)
        for (size_t k = 0; k < d->n; k++) {
            if (strcmp(m->in_names[i], d->names[k]) != 0) continue;
            size_t at = m->n_derived++;
            m->derived_names[at] = strdup(d->names[k]);
            m->derived_formulas[at] = strdup(d->formulas[k]);
            if (!m->derived_names[at] || !m->derived_formulas[at]) return CS_ERROR(CS_ENOMEM, "out of memory");
        }
    return CS_OK;
}

int train_structure(train_run *t, const train_stats *st, const train_choice *c, cmodel *m,
                    modelfile_story *story)
{
    const train_opts *o = &t->o;
    const inputs_choice *in = c->in;
    const fa_result *fa = c->fa;
    size_t p = t->p, npool = in->npool, nsig = in->nsig;
    m->k = fa ? c->k : 0;
    long *map = malloc(p * sizeof(long));
    m->in_names = calloc(p, sizeof(char *));
    m->impute = malloc(p * sizeof(double));
    m->center = malloc(p * sizeof(double));
    m->scale = malloc(p * sizeof(double));
    t->in_col = malloc(p * sizeof(size_t));
    m->fa_idx = malloc((npool ? npool : 1) * sizeof(int32_t));
    m->signal_idx = malloc((nsig ? nsig : 1) * sizeof(int32_t));
    m->n_brands = t->s->n_brands;
    m->brand_names = calloc(m->n_brands ? m->n_brands : 1, sizeof(char *));
    if (fa) {
        m->loadings = malloc(npool * m->k * sizeof(double));
        m->score_coef = malloc(npool * m->k * sizeof(double));
        story->communality = malloc(npool * sizeof(double));
        story->uniqueness = malloc(npool * sizeof(double));
        story->ss_loadings = malloc(m->k * sizeof(double));
        story->prop_var = malloc(m->k * sizeof(double));
    }
    if (!map || !m->in_names || !m->impute || !m->center || !m->scale || !t->in_col || !m->fa_idx ||
        !m->signal_idx || !m->brand_names ||
        (fa && (!m->loadings || !m->score_coef || !story->communality || !story->uniqueness ||
                !story->ss_loadings || !story->prop_var))) {
        free(map);
        return CS_ERROR(CS_ENOMEM, "out of memory for the model's structure (%zu indicators)", p);
    }
    int rc = train_structure_inputs(t, st->ms, in, map, m);
    free(map);
    if (rc == CS_OK) rc = train_structure_derived(t, m);
    m->inputs = c->inputs;
    m->p_fa = npool;
    m->n_signal = nsig;
    m->onboarding_months = o->onboarding;
    m->contract_ending_months = o->contract_ending;
    for (size_t b = 0; rc == CS_OK && b < m->n_brands; b++)
        if (!(m->brand_names[b] = strdup(t->s->brand_names[b])))
            rc = CS_ERROR(CS_ENOMEM, "out of memory for the brand names");
    if (fa && rc == CS_OK) {
        rc = train_structure_fa(fa, m, story);
    } else if (rc == CS_OK) {
        m->k = 0;
        m->factor_labels = calloc(1, sizeof(char *));
        if (!m->factor_labels) rc = CS_ERROR(CS_ENOMEM, "out of memory for the factor labels");
    }
    if (rc == CS_OK) rc = cmodel_name_columns(m);
    return rc;
}
