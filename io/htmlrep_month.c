/* htmlrep_month.c — the month report as HTML (htmlrep.h), built from the month's own files the way
 * jobs/month-steps.sh builds report.md from them: month.json (what ran), lists/summary.json (the
 * lists by region and the validation), lists/drift.csv (the population stability index),
 * evaluation.json (last month's lists), model.h5 (which model scores, and the whole model report
 * when the month retrained), and, for the trend across months, the same files of the completed
 * months before it in the runs directory. A file of this month that cannot be read, or is not what
 * churnscore writes, stops the report with a message naming it before anything is written; a
 * completed earlier month whose files cannot be read only leaves a gap in the trend. */
#include "htmlrep.h"

#include "csv.h"
#include "fmt.h"
#include "jsonread.h"
#include "queue.h"
#include "reptext.h"
#include "status.h"
#include "svg.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define T(k) rt(d->lang, RT_##k)
#define MR_MAX_TREND 36 /* months in the trend: three years */

typedef struct {
    char month[8];
    double auc, lift, precision, psi_score, psi_max;
} mr_point;

typedef struct {
    const htmlrep_month_opts *o;
    jv *month, *summary, *eval;
    /* lists/drift.csv */
    size_t n_drift;
    char **drift_name, **drift_status;
    double *drift_psi;
    /* model.h5 */
    cmodel m;
    modelfile_story s;
    int have_model;
    /* the trend, oldest first, this month last */
    size_t n_trend;
    mr_point trend[MR_MAX_TREND];
    /* evaluation.json read back */
    evalview ev;
    int have_eval;
    char **ev_names;
} mr_data;

static char *mr_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int mr_exists(const char *dir, const char *name)
{
    char *p = mr_path(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    free(p);
    return ok;
}

static int mr_json(const char *dir, const char *name, jv **out)
{
    char *p = mr_path(dir, name);
    if (!p) return CS_ERROR(CS_ENOMEM, "out of memory");
    int rc = jv_read_file(p, out);
    free(p);
    return rc;
}

/* A JSON document of ours must say which kind it is. */
static int mr_kind(const jv *v, const char *dir, const char *name, const char *kind)
{
    const char *k = jv_str(jv_get(v, "kind"));
    if (!k || strcmp(k, kind) != 0)
        return CS_ERROR(CS_EFORMAT, "%s/%s: not a churnscore '%s' document (its kind is '%s')", dir, name, kind,
                        k ? k : "missing");
    return CS_OK;
}

static void mr_drift_free(mr_data *r)
{
    for (size_t i = 0; i < r->n_drift; i++) {
        if (r->drift_name) free(r->drift_name[i]);
        if (r->drift_status) free(r->drift_status[i]);
    }
    free(r->drift_name);
    free(r->drift_status);
    free(r->drift_psi);
    r->drift_name = r->drift_status = NULL;
    r->drift_psi = NULL;
    r->n_drift = 0;
}

/* lists/drift.csv (input, psi, status) of dir into names/psi/status (each may be NULL when only the
 * PSI is wanted). */
static int mr_read_drift(const char *dir, size_t *n_out, char ***names, double **psi, char ***status)
{
    char *p = mr_path(dir, "lists/drift.csv");
    if (!p) return CS_ERROR(CS_ENOMEM, "out of memory");
    csv_reader *cr = NULL;
    int rc = csv_reader_open(p, NULL, &cr);
    size_t cap = 0, n = 0;
    *names = NULL;
    *psi = NULL;
    if (status) *status = NULL;
    if (rc == CS_OK) {
        const csv_record *h = csv_header(cr);
        if (h->nfields < 3 || h->fields[0].len != 5 || memcmp(h->fields[0].data, "input", 5) != 0 ||
            h->fields[1].len != 3 || memcmp(h->fields[1].data, "psi", 3) != 0)
            rc = CS_ERROR(CS_EFORMAT, "%s: not churnscore's drift table (columns input, psi, status)", p);
    }
    csv_record rec;
    while (rc == CS_OK) {
        int nrc = csv_next(cr, &rec);
        if (nrc == CSV_END) break;
        if (nrc != CS_OK) {
            rc = nrc;
            break;
        }
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 32;
            char **a = realloc(*names, nc * sizeof *a);
            if (a) *names = a;
            double *b = realloc(*psi, nc * sizeof *b);
            if (b) *psi = b;
            char **c = status ? realloc(*status, nc * sizeof *c) : NULL;
            if (c) *status = c;
            if (!a || !b || (status && !c)) {
                rc = CS_ERROR(CS_ENOMEM, "out of memory");
                break;
            }
            cap = nc;
        }
        double v;
        if (!csv_parse_double(rec.fields[1].data, rec.fields[1].len, &v)) {
            rc = CS_ERROR(CS_EFORMAT, "%s: line %zu: column psi: '%.*s' is not a number", p, rec.line,
                          (int)(rec.fields[1].len > 40 ? 40 : rec.fields[1].len), rec.fields[1].data);
            break;
        }
        (*names)[n] = strndup(rec.fields[0].data, rec.fields[0].len);
        if (status) (*status)[n] = strndup(rec.fields[2].data, rec.fields[2].len);
        (*psi)[n] = v;
        n++;
        if (!(*names)[n - 1] || (status && !(*status)[n - 1])) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    csv_reader_free(cr);
    free(p);
    *n_out = n;
    return rc;
}

/* The stats of one scope of evaluation.json. */
static void mr_stats(const jv *o, evalrep_stats *s)
{
    memset(s, 0, sizeof *s);
    s->listed = (int64_t)jv_num(jv_get(o, "listed"));
    s->caught = (int64_t)jv_num(jv_get(o, "caught"));
    double l = jv_num(jv_get(o, "leavers")), sub = jv_num(jv_get(o, "subscribers"));
    s->leavers = isnan(l) ? 0 : (int64_t)l;
    s->subscribers = isnan(sub) ? 0 : (int64_t)sub;
    s->precision = jv_num(jv_get(o, "precision"));
    s->recall = jv_num(jv_get(o, "recall"));
    s->base_rate = jv_num(jv_get(o, "base_rate"));
    s->lift = jv_num(jv_get(o, "lift"));
    double nio = jv_num(jv_get(o, "not_in_outcomes"));
    s->found = s->listed - (isnan(nio) ? 0 : (int64_t)nio);
    s->known = s->found;
}

/* evaluation.json into r->ev (the names point into the JSON tree, which lives as long as r). */
static int mr_eval_view(mr_data *r, const char *path)
{
    const jv *e = r->eval;
    evalview *v = &r->ev;
    memset(v, 0, sizeof *v);
    v->lists = jv_str(jv_get(e, "lists"));
    v->lists_month = jv_str(jv_get(e, "lists_month"));
    v->outcomes = jv_str(jv_get(e, "outcomes"));
    v->outcomes_month = jv_str(jv_get(e, "outcomes_month"));
    v->previous = jv_str(jv_get(e, "previous"));
    const char *how = jv_str(jv_get(e, "outcome"));
    v->absent = how && strstr(how, "absent") != NULL;
    const jv *ov = jv_get(e, "overall");
    if (!ov || ov->type != JV_OBJ) return CS_ERROR(CS_EFORMAT, "%s: no 'overall' object", path);
    v->have_population = jv_get(ov, "subscribers") && jv_get(ov, "subscribers")->type == JV_NUM;
    mr_stats(ov, &v->overall);
    static const char *const pn[3] = {"alarm", "warning", "healthy"};
    const jv *bp = jv_get(ov, "by_phase"), *bt = jv_get(ov, "by_tier");
    for (int k = 0; k < 3; k++) {
        const jv *p = jv_get(bp, pn[k]);
        v->has_phase[k] = p != NULL;
        mr_stats(p, &v->phase[k]);
    }
    for (int t = 0; t < LISTIN_N_TIERS; t++) {
        char key[8];
        if (t == 0) snprintf(key, sizeof key, "unknown");
        else snprintf(key, sizeof key, "%d", t);
        const jv *p = jv_get(bt, key);
        v->has_tier[t] = p != NULL;
        mr_stats(p, &v->tier[t]);
    }
    const jv *regs = jv_get(e, "regions");
    size_t n = jv_len(regs);
    v->n_regions = n;
    r->ev_names = calloc(n ? n : 1, sizeof(char *));
    v->region = calloc(n ? n : 1, sizeof *v->region);
    v->region_alarm = calloc(n ? n : 1, sizeof *v->region_alarm);
    v->region_warning = calloc(n ? n : 1, sizeof *v->region_warning);
    if (!r->ev_names || !v->region || !v->region_alarm || !v->region_warning) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const jv *g = jv_at(regs, i);
        const char *name = jv_str(jv_get(g, "region"));
        if (!name) return CS_ERROR(CS_EFORMAT, "%s: regions row %zu has no region name", path, i);
        r->ev_names[i] = (char *)name;
        mr_stats(g, &v->region[i]);
        mr_stats(jv_get(jv_get(g, "by_phase"), "alarm"), &v->region_alarm[i]);
        mr_stats(jv_get(jv_get(g, "by_phase"), "warning"), &v->region_warning[i]);
    }
    v->region_names = (const char *const *)r->ev_names;
    r->have_eval = 1;
    return CS_OK;
}

static int mr_month_name_ok(const char *s)
{
    return strlen(s) == 7 && s[4] == '-' && strspn(s, "0123456789") == 4 && strspn(s + 5, "0123456789") == 2;
}

static int mr_cmp_month(const void *a, const void *b) { return strcmp(a, b); }

/* One month's point of the trend, from its directory; unreadable parts stay NaN. */
static void mr_point_of(const char *dir, const char *month, mr_point *p)
{
    snprintf(p->month, sizeof p->month, "%s", month);
    p->auc = p->lift = p->precision = p->psi_score = p->psi_max = NAN;
    jv *v = NULL;
    if (mr_json(dir, "lists/summary.json", &v) == CS_OK)
        p->auc = jv_num(jv_get(jv_get(v, "validation"), "auc"));
    jv_free(v);
    v = NULL;
    if (mr_exists(dir, "evaluation.json") && mr_json(dir, "evaluation.json", &v) == CS_OK) {
        p->lift = jv_num(jv_get(jv_get(v, "overall"), "lift"));
        p->precision = jv_num(jv_get(jv_get(v, "overall"), "precision"));
    }
    jv_free(v);
    size_t n = 0;
    char **names = NULL;
    double *psi = NULL;
    if (mr_exists(dir, "lists/drift.csv") && mr_read_drift(dir, &n, &names, &psi, NULL) == CS_OK && n > 0) {
        p->psi_score = psi[0];
        for (size_t i = 1; i < n; i++)
            if (isnan(p->psi_max) || psi[i] > p->psi_max) p->psi_max = psi[i];
    }
    for (size_t i = 0; names && i < n; i++) free(names[i]);
    free(names);
    free(psi);
    status_clear(); /* a gap in the trend is not this report's error */
}

/* The completed months of the runs directory before this one, then this month. */
static void mr_trend(mr_data *r, const char *month)
{
    char (*found)[8] = malloc(1024 * sizeof *found);
    size_t nf = 0;
    DIR *dp = r->o->runs && found ? opendir(r->o->runs) : NULL;
    for (struct dirent *e; dp && (e = readdir(dp)) != NULL && nf < 1024;) {
        if (!mr_month_name_ok(e->d_name) || strcmp(e->d_name, month) >= 0) continue;
        char *md = mr_path(r->o->runs, e->d_name);
        if (md && mr_exists(md, "month.json")) memcpy(found[nf++], e->d_name, 8); /* YYYY-MM and its NUL */
        free(md);
    }
    if (dp) closedir(dp);
    if (found) qsort(found, nf, sizeof *found, mr_cmp_month);
    size_t first = nf > MR_MAX_TREND - 1 ? nf - (MR_MAX_TREND - 1) : 0;
    r->n_trend = 0;
    for (size_t i = first; i < nf; i++) {
        char *md = mr_path(r->o->runs, found[i]);
        if (md) mr_point_of(md, found[i], &r->trend[r->n_trend++]);
        free(md);
    }
    free(found);
    mr_point_of(r->o->dir, month, &r->trend[r->n_trend++]);
}

static int mr_load(mr_data *r)
{
    const char *dir = r->o->dir;
    CS_TRY(mr_json(dir, "month.json", &r->month));
    CS_TRY(mr_kind(r->month, dir, "month.json", "month"));
    const char *month = jv_str(jv_get(r->month, "month"));
    if (!month || !mr_month_name_ok(month))
        return CS_ERROR(CS_EFORMAT, "%s/month.json: 'month' is not YYYY-MM", dir);
    CS_TRY(mr_json(dir, "lists/summary.json", &r->summary));
    CS_TRY(mr_kind(r->summary, dir, "lists/summary.json", "lists"));
    if (!jv_get(r->summary, "regions") || jv_get(r->summary, "regions")->type != JV_ARR)
        return CS_ERROR(CS_EFORMAT, "%s/lists/summary.json: no 'regions' array", dir);
    for (size_t i = 0; i < jv_len(jv_get(r->summary, "regions")); i++)
        if (!jv_str(jv_get(jv_at(jv_get(r->summary, "regions"), i), "region")))
            return CS_ERROR(CS_EFORMAT, "%s/lists/summary.json: regions row %zu has no region name", dir, i);
    if (mr_exists(dir, "lists/drift.csv"))
        CS_TRY(mr_read_drift(dir, &r->n_drift, &r->drift_name, &r->drift_psi, &r->drift_status));
    if (jv_true(jv_get(r->month, "evaluated"))) {
        CS_TRY(mr_json(dir, "evaluation.json", &r->eval));
        CS_TRY(mr_kind(r->eval, dir, "evaluation.json", "evaluation"));
        char *p = mr_path(dir, "evaluation.json");
        int rc = p ? mr_eval_view(r, p) : CS_ERROR(CS_ENOMEM, "out of memory");
        free(p);
        CS_TRY(rc);
    }
    char *mp = mr_path(dir, "model.h5");
    if (!mp) return CS_ERROR(CS_ENOMEM, "out of memory");
    int rc = modelfile_read(mp, &r->m, &r->s);
    free(mp);
    CS_TRY(rc);
    r->have_model = 1;
    mr_trend(r, month);
    return CS_OK;
}

static void mr_free(mr_data *r)
{
    jv_free(r->month);
    jv_free(r->summary);
    jv_free(r->eval);
    mr_drift_free(r);
    if (r->have_model) {
        cmodel_clear(&r->m);
        modelfile_story_clear(&r->s);
    }
    evalview_clear(&r->ev);
    free(r->ev_names);
}

/* ---- the page ---- */

static void mr_fact(html_doc *d, const char *k, const char *v)
{
    html_tr(d);
    html_th_row(d, k);
    html_td(d, v);
}

static void mr_about(html_doc *d, const mr_data *r)
{
    const jv *mj = r->month;
    char buf[2048];
    const char *heads[2] = {T(ITEM), T(VALUE)};
    html_table_begin(d, "facts", NULL, heads, 2, "ll");
    mr_fact(d, T(COMPLETED), jv_str(jv_get(mj, "completed")) ? jv_str(jv_get(mj, "completed")) : FMT_NA);
    mr_fact(d, T(SNAPSHOT), jv_str(jv_get(mj, "snapshot")) ? jv_str(jv_get(mj, "snapshot")) : FMT_NA);
    const char *mm = jv_str(jv_get(mj, "model_month"));
    snprintf(buf, sizeof buf, "%s — %s %s, %s%s%s", htmlrep_model_name(&r->m, d->lang), T(TRAINED_IN), mm ? mm : "?",
             jv_true(jv_get(mj, "retrained")) ? T(RETRAINED_THIS_MONTH) : T(REUSED),
             r->s.model_choice[0] ? "; " : "", r->s.model_choice);
    mr_fact(d, T(SCORING_MODEL), buf);
    mr_fact(d, T(OUTPUTS), "model.h5, scores.h5, lists/");
    const char *prev = jv_str(jv_get(mj, "previous_month"));
    if (r->have_eval) snprintf(buf, sizeof buf, "%s %s: evaluation.json, evaluation.html", T(LISTS_OF), prev ? prev : "?");
    else snprintf(buf, sizeof buf, "%s", T(NO_EVALUATION));
    mr_fact(d, T(EVALUATION), buf);
    mr_fact(d, T(STEPS), jv_str(jv_get(mj, "steps")) ? jv_str(jv_get(mj, "steps")) : FMT_NA);
    html_table_end(d);
}

static void mr_regions(html_doc *d, const mr_data *r)
{
    const jv *regs = jv_get(r->summary, "regions"), *tot = jv_get(r->summary, "total");
    size_t n = jv_len(regs);
    const char *cur = r->o->currency ? r->o->currency : "";
    char a[FMT_BUF];
    html_fig_begin(d);
    html_fig(d, T(SUBSCRIBERS), fmt_int(a, sizeof a, (long long)jv_num(jv_get(tot, "subscribers"))));
    html_fig(d, T(LISTED), fmt_int(a, sizeof a, (long long)jv_num(jv_get(tot, "listed"))));
    html_fig(d, T(PHASE_ALARM), fmt_int(a, sizeof a, (long long)jv_num(jv_get(tot, "alarm"))));
    html_fig(d, T(PHASE_WARNING), fmt_int(a, sizeof a, (long long)jv_num(jv_get(tot, "warning"))));
    html_fig(d, T(EXPECTED_LEAVERS), fmt_fix(a, sizeof a, jv_num(jv_get(tot, "expected_leavers")), 0));
    html_fig(d, T(VALUE_AT_RISK), fmt_money(a, sizeof a, jv_num(jv_get(tot, "value_at_risk")), cur));
    const jv *val = jv_get(r->summary, "validation");
    if (val) html_fig(d, T(VALIDATION_AUC), fmt_fix(a, sizeof a, jv_num(jv_get(val, "auc")), 3));
    html_fig_end(d);

    html_h(d, 2, "regions", T(LISTS_BY_REGION));
    const char **labels = malloc((n ? n : 1) * sizeof *labels);
    double *v = malloc(3 * (n ? n : 1) * sizeof(double));
    if (labels && v && n) {
        static const char *const key[3] = {"listed", "expected_leavers", "value_at_risk"};
        for (size_t i = 0; i < n; i++) {
            labels[i] = jv_str(jv_get(jv_at(regs, i), "region"));
            for (int k = 0; k < 3; k++) v[k * n + i] = jv_num(jv_get(jv_at(regs, i), key[k]));
        }
        fputs("<div class=\"charts\">\n", d->f);
        const rt_key title[3] = {RT_LISTED_BY_REGION, RT_EXPECTED_BY_REGION, RT_VALUE_BY_REGION};
        const rt_key xl[3] = {RT_X_LISTED, RT_X_EXPECTED, RT_X_VALUE};
        static const char *const id[3] = {"regions-listed", "regions-expected", "regions-value"};
        const int fmt[3] = {SVG_FMT_INT, SVG_FMT_INT, SVG_FMT_MONEY};
        for (int k = 0; k < 3; k++) {
            svg_bars b = {.id = id[k], .title = rt(d->lang, title[k]), .xlabel = rt(d->lang, xl[k]), .labels = labels,
                          .v = v + k * n, .n = n, .fmt = fmt[k], .currency = cur, .width = 360};
            fputs("<figure>\n", d->f);
            svg_bar_chart(d->f, &b);
            fputs("<figcaption>", d->f);
            html_esc(d->f, rt(d->lang, title[k]));
            fputs("</figcaption>\n</figure>\n", d->f);
        }
        fputs("</div>\n", d->f);
    }
    free(labels);
    free(v);
    html_p(d, "note", T(UPLIFT_NOT_KNOWN));
    /* the listed of each queue (retention, collections, billing check), then the region's figures */
    const char *heads[13] = {T(REGION), T(SUBSCRIBERS), T(PHASE_ALARM), T(PHASE_WARNING),
                             queue_label(QUEUE_RETENTION, d->lang), queue_label(QUEUE_COLLECTIONS, d->lang),
                             queue_label(QUEUE_BILLING, d->lang), T(LISTED), T(EXPECTED_LEAVERS), T(VALUE_AT_RISK),
                             T(VALIDATION_AUC), T(TOP_DECILE_LIFT)};
    html_table_begin(d, NULL, T(LISTS_BY_QUEUE), heads, 12, "lrrrrrrrrrrr");
    for (size_t i = 0; i <= n; i++) {
        const jv *g = i < n ? jv_at(regs, i) : tot;
        char c[8][FMT_BUF];
        html_tr(d);
        if (i < n) html_td(d, jv_str(jv_get(g, "region")));
        else html_th_row(d, T(ALL_REGIONS));
        html_td(d, fmt_int(c[0], sizeof c[0], (long long)jv_num(jv_get(g, "subscribers"))));
        html_td(d, fmt_int(c[1], sizeof c[1], (long long)jv_num(jv_get(g, "alarm"))));
        html_td(d, fmt_int(c[2], sizeof c[2], (long long)jv_num(jv_get(g, "warning"))));
        for (int q = QUEUE_RETENTION; q <= QUEUE_BILLING; q++)
            html_td(d, fmt_int(c[3], sizeof c[3], (long long)jv_num(jv_get(jv_get(jv_get(g, "queues"), queue_name(q)), "listed"))));
        html_td(d, fmt_int(c[3], sizeof c[3], (long long)jv_num(jv_get(g, "listed"))));
        html_td(d, fmt_fix(c[4], sizeof c[4], jv_num(jv_get(g, "expected_leavers")), 1));
        html_td(d, fmt_money(c[5], sizeof c[5], jv_num(jv_get(g, "value_at_risk")), cur));
        const jv *src = i < n ? g : val;
        html_td(d, fmt_fix(c[6], sizeof c[6], jv_num(jv_get(src, i < n ? "validation_auc" : "auc")), 3));
        html_td(d, fmt_fix(c[7], sizeof c[7], jv_num(jv_get(src, i < n ? "validation_lift_top10" : "lift_top10")), 2));
    }
    html_table_end(d);
}

static const char *mr_status_word(html_doc *d, const char *s)
{
    if (!s) return "";
    if (strcmp(s, "retrain") == 0) return T(PSI_RETRAIN);
    if (strcmp(s, "watch") == 0) return T(PSI_WATCH);
    if (strcmp(s, "stable") == 0) return T(PSI_STABLE);
    return s;
}

static void mr_drift(html_doc *d, const mr_data *r)
{
    if (!r->n_drift) return;
    html_h(d, 2, "drift", T(DRIFT));
    int retrain = 0;
    for (size_t i = 0; i < r->n_drift; i++) retrain |= r->drift_psi[i] > 0.25;
    if (retrain) html_p(d, "warn", T(DRIFT_WARNING));
    html_p(d, NULL, T(DRIFT_TEXT));
    size_t n = r->n_drift;
    const char **labels = malloc(n * sizeof *labels), **notes = malloc(n * sizeof *notes);
    if (labels && notes) {
        for (size_t i = 0; i < n; i++) {
            labels[i] = i == 0 ? T(SCORE_PROBABILITY) : r->drift_name[i];
            notes[i] = strcmp(r->drift_status[i], "stable") == 0 ? NULL : mr_status_word(d, r->drift_status[i]);
        }
        svg_ref refs[2] = {{.v = 0.1, .vertical = 1, .label = "0.1"}, {.v = 0.25, .vertical = 1, .label = "0.25"}};
        svg_bars b = {.id = "psi", .title = T(PSI_TITLE), .xlabel = T(X_PSI), .labels = labels, .v = r->drift_psi,
                      .n = n, .fmt = SVG_FMT_NUM, .notes = notes, .refs = refs, .nr = 2, .width = 640};
        fputs("<figure>\n", d->f);
        svg_bar_chart(d->f, &b);
        fputs("<figcaption>", d->f);
        html_esc(d->f, T(CAP_PSI));
        fputs("</figcaption>\n</figure>\n", d->f);
    }
    free(labels);
    free(notes);
    const char *heads[3] = {T(INPUT), "PSI", T(STATUS)};
    html_table_begin(d, NULL, NULL, heads, 3, "lrl");
    for (size_t i = 0; i < n; i++) {
        char a[FMT_BUF];
        html_tr(d);
        html_td(d, i == 0 ? T(SCORE_PROBABILITY) : r->drift_name[i]);
        html_td(d, fmt_fix(a, sizeof a, r->drift_psi[i], 4));
        html_td(d, mr_status_word(d, r->drift_status[i]));
    }
    html_table_end(d);
}

static void mr_trend_section(html_doc *d, const mr_data *r)
{
    size_t n = r->n_trend;
    html_h(d, 2, "trend", T(TREND));
    html_p(d, "note", T(TREND_TEXT));
    double x[MR_MAX_TREND], auc[MR_MAX_TREND], lift[MR_MAX_TREND], prec[MR_MAX_TREND], ps[MR_MAX_TREND], pm[MR_MAX_TREND];
    const char *cats[MR_MAX_TREND];
    double lmax = 1, pmax = 0.3;
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)i;
        cats[i] = r->trend[i].month;
        auc[i] = r->trend[i].auc;
        lift[i] = r->trend[i].lift;
        prec[i] = r->trend[i].precision;
        ps[i] = r->trend[i].psi_score;
        pm[i] = r->trend[i].psi_max;
        if (lift[i] > lmax) lmax = lift[i];
        if (ps[i] > pmax) pmax = ps[i];
        if (pm[i] > pmax) pmax = pm[i];
    }
    double xa = -0.5, xb = (double)n - 0.5;
    fputs("<div class=\"charts\">\n", d->f);
    svg_axes a1 = {.id = "trend-auc", .title = T(TREND_AUC), .xlabel = T(X_MONTH), .ylabel = T(Y_AUC), .x0 = xa,
                   .x1 = xb, .y0 = 0.5, .y1 = 1, .yfmt = SVG_FMT_NUM, .cats = cats, .ncat = n, .width = 360, .height = 260};
    svg_series s1 = {.name = T(VALIDATION_AUC), .x = x, .y = auc, .n = n, .style = SVG_SOLID, .ink = 1, .markers = 1};
    fputs("<figure>\n", d->f);
    svg_line_chart(d->f, &a1, &s1, 1, NULL, 0);
    fputs("</figure>\n", d->f);
    svg_axes a2 = a1;
    a2.id = "trend-lift";
    a2.title = T(TREND_LIFT);
    a2.ylabel = T(Y_LIFT);
    a2.y0 = 0;
    a2.y1 = svg_nice_ceil(lmax * 1.1);
    svg_series s2 = {.name = T(LIFT_OF_LISTS), .x = x, .y = lift, .n = n, .style = SVG_SOLID, .ink = 1, .markers = 1};
    svg_ref one = {.v = 1, .label = T(RANDOM)};
    fputs("<figure>\n", d->f);
    svg_line_chart(d->f, &a2, &s2, 1, &one, 1);
    fputs("</figure>\n", d->f);
    svg_axes a3 = a1;
    a3.id = "trend-psi";
    a3.title = T(TREND_PSI);
    a3.ylabel = "PSI";
    a3.y0 = 0;
    a3.y1 = svg_nice_ceil(pmax * 1.1);
    svg_series s3[2] = {{.name = T(SCORE_PROBABILITY), .x = x, .y = ps, .n = n, .style = SVG_SOLID, .ink = 1, .markers = 1},
                        {.name = T(PSI_MAX_INPUT), .x = x, .y = pm, .n = n, .style = SVG_DASH, .ink = 2, .markers = 1}};
    svg_ref pr[2] = {{.v = 0.1, .label = "0.1"}, {.v = 0.25, .label = "0.25"}};
    fputs("<figure>\n", d->f);
    svg_line_chart(d->f, &a3, s3, 2, pr, 2);
    fputs("</figure>\n", d->f);
    fputs("</div>\n", d->f);
    const char *heads[6] = {T(MONTH), T(VALIDATION_AUC), T(LIFT_OF_LISTS), T(PRECISION), T(SCORE_PROBABILITY) , T(PSI_MAX_INPUT)};
    html_table_begin(d, NULL, NULL, heads, 6, "lrrrrr");
    for (size_t i = 0; i < n; i++) {
        char c[5][FMT_BUF];
        html_tr(d);
        html_td(d, cats[i]);
        html_td(d, fmt_fix(c[0], sizeof c[0], auc[i], 3));
        html_td(d, fmt_fix(c[1], sizeof c[1], lift[i], 2));
        html_td(d, fmt_pct(c[2], sizeof c[2], prec[i], 1));
        html_td(d, fmt_fix(c[3], sizeof c[3], ps[i], 4));
        html_td(d, fmt_fix(c[4], sizeof c[4], pm[i], 4));
    }
    html_table_end(d);
}

/* Issue 17: the tags validated by outcomes (evaluation.json "tags", all regions), where evaluate
 * computed them. */
static void mr_tags(html_doc *d, const mr_data *r)
{
    const jv *tags = jv_get(r->eval, "tags");
    size_t n = jv_len(tags);
    if (!tags || tags->type != JV_ARR || n == 0) return;
    int zh = r->o->lang == LANG_ZH;
    html_h(d, 3, "tags", zh ? "客户标签的效果验证" : "Tags validated by outcomes");
    static const char *const en[7] = {"tag", "subscribers", "listed", "leavers", "churn rate", "lift",
                                      "voluntary share"};
    static const char *const cn[7] = {"标签", "用户数", "名单人数", "流失人数", "流失率", "提升度", "主动流失占比"};
    html_table_begin(d, NULL, NULL, zh ? cn : en, 7, "lrrrrrr");
    for (size_t i = 0; i < n; i++) {
        const jv *t = jv_at(tags, i);
        const char *label = jv_str(jv_get(t, "label"));
        char c[3][32];
        html_tr(d);
        html_th_row(d, label ? label : (zh ? "（全部用户）" : "(every subscriber)"));
        html_tdf(d, "%.0f", jv_num(jv_get(t, "subscribers")));
        html_tdf(d, "%.0f", jv_num(jv_get(t, "listed")));
        html_tdf(d, "%.0f", jv_num(jv_get(t, "leavers")));
        const jv *rate = jv_get(t, "churn_rate"), *lift = jv_get(t, "lift"), *vol = jv_get(t, "voluntary_share");
        html_td(d, rate && rate->type == JV_NUM ? fmt_pct(c[0], sizeof c[0], jv_num(rate), 2) : "-");
        html_td(d, lift && lift->type == JV_NUM ? fmt_fix(c[1], sizeof c[1], jv_num(lift), 2) : "-");
        html_td(d, vol && vol->type == JV_NUM ? fmt_pct(c[2], sizeof c[2], jv_num(vol), 1) : "-");
    }
    html_table_end(d);
}

static void mr_build(html_doc *d, const void *arg)
{
    const mr_data *r = arg;
    mr_about(d, r);
    mr_regions(d, r);
    if (r->have_eval) {
        html_h(d, 2, "evaluation", T(EVALUATION_SECTION));
        htmlrep_eval_body(d, &r->ev, 3);
        mr_tags(d, r);
    }
    mr_drift(d, r);
    mr_trend_section(d, r);
    if (jv_true(jv_get(r->month, "retrained"))) {
        html_h(d, 2, "model-report", T(MODEL_TRAINED_THIS_MONTH));
        htmlrep_train_body(d, &r->m, &r->s, 3);
    }
}

int htmlrep_month_write(const char *tmp, const htmlrep_month_opts *o)
{
    mr_data r;
    memset(&r, 0, sizeof r);
    r.o = o;
    int rc = mr_load(&r);
    if (rc == CS_OK) {
        char title[128];
        snprintf(title, sizeof title, rt(o->lang, RT_MONTH_TITLE_FMT), jv_str(jv_get(r.month, "month")));
        rc = html_write_file(tmp, o->lang, title, o->foot, mr_build, &r);
    }
    mr_free(&r);
    return rc;
}
