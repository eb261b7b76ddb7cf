/* score_open.c — phase 0 of `churnscore score`: the model matched to the snapshot, and the run's
 * release.
 *
 * A model is trained on one month and scores another, perhaps imported by another tool: the inputs
 * are found in the snapshot by name, brands are mapped by name, the reasons' preparation is made
 * once (rules_reasoner: which facts back each design column), and every reason code a scored row
 * can carry gets its text here, once, so the pass (score_pass.c) only copies int16 codes and the
 * lists and SCORES.h5 print the same texts. Everything the later stages allocate is freed by
 * score_close, so cmd_score.c can leave from any stage through one call.
 */
#include "score_open.h"

#include "capacity.h"
#include "log.h"
#include "score_prev.h"
#include "score_tags.h"
#include "status.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void score_job_init(score_job *j, const cmd_ctx *ctx)
{
    memset(j, 0, sizeof *j);
    j->ctx = ctx;
    j->in.m.tenure_idx = j->in.m.contract_idx = -1;
}

void score_close(score_job *j)
{
    score_inputs *in = &j->in;
    score_bufs *b = &j->buf;
    drift_clear(&j->drift);
    score_prev_clear(j);
    free(in->brand_map);
    modelfile_story_clear(&in->story);
    free(in->pick);
    for (size_t i = 0; i < in->n_reason_codes; i++) {
        if (in->reason_text) free(in->reason_text[i]);
        if (in->reason_name) free(in->reason_name[i]);
    }
    free(in->reason_text);
    free(in->reason_name);
    rules_reasoner_free(in->reasoner);
    free(b->xin);
    free(b->X);
    free(b->ws);
    free(b->prob);
    free(b->value_at_risk);
    free(b->pvol);
    free(b->pinv);
    free(b->stage);
    free(b->phase);
    free(b->tier);
    free(b->queue);
    free(b->segment);
    free(b->reason);
    free(b->fact);
    free(b->arpu);
    free(b->tags);
    free(b->contrib);
    tageval_free(in->tv);
    tagconf_free(in->tc);
    free(b->area);
    free(j->arpu_hist);
    topk_free(j->cand);
    red_tree_free(j->tot.tree);
    free(j->tot.block);
    free(j->tot.sums);
    free(j->tot.count);
    free(j->vs.rows);
    free(j->res.psi);
    free(j->res.listed);
    free(j->res.listed_region);
    free(j->res.held);
    playbook_free(in->pb);
    free(in->k);
    free(j->res.val.region);
    free(j->res.val.region_ok);
    cmodel_clear(&in->m);
    snap_close(in->r);
    derived_free(in->derived);
}

/* The model's derived indicators (model/derived.h), computed on this snapshot's rows as train
 * computed them on its own: their formulas are in the model file. */
static int score_derived(score_inputs *in, const char *model)
{
    const cmodel *m = &in->m;
    if (!m->n_derived) return CS_OK;
    in->derived = derived_alloc();
    if (!in->derived) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t k = 0; k < m->n_derived; k++) {
        expr_error err;
        if (derived_add(in->derived, m->derived_names[k], m->derived_formulas[k], &err) != CS_OK)
            return CS_ERROR(CS_EFORMAT, "%s: /inputs/derived_formulas row %zu (%s = %s): %s", model, k,
                            m->derived_names[k], m->derived_formulas[k], err.message);
    }
    return snap_derive(in->r, in->derived);
}

/* The reasons' preparation, and the table of every code a row can carry (SCORES.h5 /reasons): the
 * English template and the machine name of each, the model's inputs naming the indicator codes. */
static int score_reason_texts(score_job *j)
{
    score_inputs *in = &j->in;
    const cmodel *m = &in->m;
    in->reasoner = rules_reasoner_alloc(m, in->pick, (const char *const *)in->s->feature_names, in->s->p,
                                        &j->o.rp);
    size_t n = rules_fact_count(m->p_in);
    in->reason_text = calloc(n, sizeof(char *));
    in->reason_name = calloc(n, sizeof(char *));
    if (!in->reasoner || !in->reason_text || !in->reason_name) return CS_ERROR(CS_ENOMEM, "out of memory");
    in->n_reason_codes = n;
    const char *const *names = (const char *const *)m->in_names;
    char buf[512];
    for (size_t c = 0; c < n; c++) {
        rules_fact_template((int)c, names, m->p_in, buf, sizeof buf);
        in->reason_text[c] = strdup(buf);
        rules_fact_name((int)c, names, m->p_in, buf, sizeof buf);
        in->reason_name[c] = strdup(buf);
        if (!in->reason_text[c] || !in->reason_name[c]) return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    return CS_OK;
}

/* The snapshot's brand codes -> the model's, by name (an import of another month may order brands
 * differently); a brand the model never saw scores as the model's first brand. */
static int score_brand_map(score_inputs *in, const char *snapshot)
{
    const cmodel *m = &in->m;
    const snap_schema *s = in->s;
    in->brand_map = malloc((s->n_brands ? s->n_brands : 1) * sizeof(uint8_t));
    if (!in->brand_map) return CS_ERROR(CS_ENOMEM, "out of memory");
    size_t unknown = 0;
    for (size_t b = 0; b < s->n_brands; b++) {
        long at = -1;
        for (size_t q = 0; m->brand_names && q < m->n_brands; q++)
            if (strcmp(m->brand_names[q], s->brand_names[b]) == 0) at = (long)q;
        if (!m->brand_names) at = b < m->n_brands ? (long)b : -1; /* older model files: by position */
        if (at < 0) unknown++;
        in->brand_map[b] = (uint8_t)(at < 0 ? 0 : at);
    }
    if (unknown)
        log_info("score: %zu brand(s) of %s are unknown to the model: they score as '%s'", unknown, snapshot,
                 m->brand_names && m->n_brands ? m->brand_names[0] : "brand 0");
    return CS_OK;
}

/* The arrays the stages after the pass fill (score_results). */
static int score_results_alloc(score_job *j)
{
    size_t nreg = j->in.nreg;
    score_results *res = &j->res;
    for (int k = 0; k < SCORE_TIER_CUTS; k++) res->cut[k] = NAN;
    res->psi = calloc(j->drift.cols + 1, sizeof(double));
    res->listed = calloc(SCORE_NGROUPS(nreg) + 1, sizeof(int64_t));
    res->listed_region = calloc(nreg + 1, sizeof(int64_t));
    res->held = calloc(nreg + 1, sizeof(int64_t));
    res->val.region = calloc(nreg + 1, sizeof(metrics_report));
    res->val.region_ok = calloc(nreg + 1, sizeof(int));
    if (!res->psi || !res->listed || !res->listed_region || !res->held || !res->val.region || !res->val.region_ok)
        return CS_ERROR(CS_ENOMEM, "out of memory");
    return CS_OK;
}

/* --list-columns: the snapshot columns copied into the lists, by name. CS_EINVAL naming the option
 * (an unknown, empty or repeated name, more than TOPK_MAX_EXTRA). */
static int score_list_columns(score_inputs *in, const score_opts *o)
{
    in->n_extra = 0;
    if (!o->list_columns) return CS_OK;
    const char *p = o->list_columns;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0)
            return CS_ERROR(CS_EINVAL, "option --list-columns: an empty name in '%s' (names separated by commas)",
                            o->list_columns);
        if (in->n_extra == TOPK_MAX_EXTRA)
            return CS_ERROR(CS_EINVAL, "option --list-columns: at most %d indicators", TOPK_MAX_EXTRA);
        long col = -1;
        for (size_t c = 0; c < in->s->p && col < 0; c++)
            if (strlen(in->s->feature_names[c]) == len && memcmp(in->s->feature_names[c], p, len) == 0) col = (long)c;
        if (col < 0)
            return CS_ERROR(CS_EINVAL, "option --list-columns: no indicator '%.*s' in %s", (int)len, p, o->in);
        for (size_t k = 0; k < in->n_extra; k++)
            if (in->extra_col[k] == col)
                return CS_ERROR(CS_EINVAL, "option --list-columns: '%.*s' is named twice", (int)len, p);
        in->extra_col[in->n_extra] = col;
        in->extra_name[in->n_extra++] = in->s->feature_names[col];
        if (!e) return CS_OK;
        p = e + 1;
    }
}

/* What the lists need beyond the scores: the playbook and its e-channel indicator, the
 * --list-columns, each list's bound (--top, then --capacity) and the collections cut-off. Every
 * rank reads the two small files itself. */
static int score_lists_inputs(score_job *j)
{
    score_opts *o = &j->o;
    score_inputs *in = &j->in;
    CS_TRY(o->playbook ? playbook_read(o->playbook, &in->pb) : playbook_builtin(&in->pb));
    in->online_col = -1;
    if (in->pb->has_online) {
        in->online_col = snap_feature_index(in->s, in->pb->online_indicator);
        if (in->online_col < 0)
            log_info("score: %s has no indicator '%s' (the playbook's online line): every action takes its "
                     "first channel", o->in, in->pb->online_indicator);
    }
    CS_TRY(score_list_columns(in, o));
    size_t ng = SCORE_NGROUPS(in->nreg);
    in->k = malloc((ng ? ng : 1) * sizeof *in->k);
    if (!in->k) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t g = 0; g < ng; g++) in->k[g] = o->top;
    if (o->capacity)
        CS_TRY(capacity_read(o->capacity, (const char *const *)in->s->region_names, in->nreg, in->k));
    if (o->collections_cutoff < 0) {
        /* the model's own cut-off for the involuntary probability; a model trained before it was
         * kept is scored as it always was, with the warning cut-off */
        o->collections_cutoff = in->m.has_types && in->m.coll_cutoff >= 0 ? in->m.coll_cutoff : o->rp.warn_cutoff;
        if (in->m.has_types && in->m.coll_cutoff < 0)
            log_info("score: notice: %s has no collections cut-off (trained before it was kept): "
                     "p_involuntary is cut at the warning cut-off %.5f (train again, or give "
                     "--collections-cutoff)", o->model, o->collections_cutoff);
    }
    return CS_OK;
}

int score_open(score_job *j)
{
    const score_opts *o = &j->o;
    score_inputs *in = &j->in;
    CS_TRY(snap_open(o->in, snap_read_comm(j->ctx->comm), &in->r));
    in->s = snap_schema_of(in->r);
    in->nreg = in->s->n_regions;
    part_compute(in->s->n, j->ctx->nranks, j->ctx->rank, &in->pr);
    if (o->read_only) {
        rules_cols_find((const char *const *)in->s->feature_names, in->s->p, &in->cols);
        return CS_OK;
    }
    CS_TRY(modelfile_read(o->model, &in->m, &in->story));
    CS_TRY(score_derived(in, o->model));
    rules_cols_find((const char *const *)in->s->feature_names, in->s->p, &in->cols);
    CS_TRY(drift_init(&j->drift, &in->story, in->s->n));
    const cmodel *m = &in->m;
    if (rules_fact_count(m->p_in) > (size_t)INT16_MAX + 1)
        return CS_ERROR(CS_EFORMAT, "%s: %zu inputs do not fit the int16 reason codes", o->model, m->p_in);
    for (size_t c = 0; c < m->n_coef; c++)
        if (!isfinite(m->beta[c]))
            return CS_ERROR(CS_EFORMAT, "%s: coefficient %s is not finite", o->model, m->coef_names[c]);
    if (isnan(j->o.warn_cutoff)) {
        if (!(m->warn_cutoff >= 0 && m->warn_cutoff <= 1))
            return CS_ERROR(CS_EFORMAT, "%s: warn_cutoff %g is not a probability", o->model, m->warn_cutoff);
        j->o.rp.warn_cutoff = m->warn_cutoff;
    }
    CS_TRY(rules_params_check(&j->o.rp));
    in->pick = malloc((m->p_in ? m->p_in : 1) * sizeof(long));
    if (!in->pick) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->p_in; i++) {
        in->pick[i] = snap_feature_index(in->s, m->in_names[i]);
        if (in->pick[i] < 0)
            return CS_ERROR(CS_EFORMAT, "%s: indicator '%s' needed by %s is missing", o->in,
                            m->in_names[i], o->model);
    }
    in->has_types = m->has_types;
    if (!in->has_types)
        log_info("score: notice: %s has no churn types: the voluntary probability is the probability of "
                 "any churn and the involuntary one unknown (train on a snapshot with "
                 "/subscribers/churn_type to tell them apart)", o->model);
    CS_TRY(score_brand_map(in, o->in));
    CS_TRY(score_reason_texts(j));
    CS_TRY(score_lists_inputs(j));
    CS_TRY(score_tags_open(j));
    return score_results_alloc(j);
}
