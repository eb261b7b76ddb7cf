/* htmlrep_train.c — the model report as HTML (htmlrep.h): what a model risk reviewer looks at to
 * trust a model. The Markdown report (mpi/train_report.c) keeps the tables for diffing; this page
 * draws the holdout's gains, lift, ROC, KS and calibration (gains.h, metrics.h), the scoring model's
 * coefficients with their intervals or the trees' importance by gain, and the factor loadings as a
 * heat map, all from the model and its story, so the report of any model file can be redone. */
#include "segrep.h"
#include "htmlrep.h"

#include "fmt.h"
#include "reptext.h"
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define T(k) rt(d->lang, RT_##k)

const char *htmlrep_model_name(const cmodel *m, cs_lang lang)
{
    return rt(lang, m->kind == CMODEL_KIND_GBM ? RT_MODEL_GBM : RT_MODEL_LOGIT);
}

/* One row of a two-column table of facts. */
static void tr_fact(html_doc *d, const char *k, const char *v)
{
    html_tr(d);
    html_th_row(d, k);
    html_td(d, v);
}

static void tr_about(html_doc *d, const cmodel *m, const modelfile_story *s)
{
    char a[FMT_BUF], b[FMT_BUF], c[FMT_BUF], buf[1600];
    const char *heads[2] = {T(ITEM), T(VALUE)};
    html_table_begin(d, "facts", NULL, heads, 2, "ll");
    snprintf(buf, sizeof buf, "%s (%s %s)", s->snapshot, T(MONTH), s->month);
    tr_fact(d, T(TRAINING_SNAPSHOT), buf);
    snprintf(buf, sizeof buf, "%s: %s %s, %s %s", fmt_int(a, sizeof a, (long long)s->n_rows), fmt_int(b, sizeof b, (long long)s->n_train),
             T(FITTED), fmt_int(c, sizeof c, (long long)s->n_holdout), T(HELD_OUT));
    tr_fact(d, T(SUBSCRIBERS), buf);
    snprintf(buf, sizeof buf, "%s%s%s", htmlrep_model_name(m, d->lang), s->model_choice[0] ? " — " : "", s->model_choice);
    tr_fact(d, T(SCORING_MODEL), buf);
    tr_fact(d, T(INPUTS), s->inputs_reason);
    snprintf(buf, sizeof buf, "%d %s, %s %s, L2 %s", s->irls_iterations, T(IRLS_ITERATIONS), T(LOGLIK),
             fmt_fix(a, sizeof a, s->loglik, 2), fmt_sig(b, sizeof b, s->lambda, 4));
    tr_fact(d, T(LOGISTIC_FIT), buf);
    if (s->calibration[0]) tr_fact(d, T(CALIBRATION), s->calibration);
    /* each diagnostic as found, then what was done (model/diag.h; the words are the pipeline's) */
    if (s->diag.n == 0) tr_fact(d, T(DIAGNOSTICS), T(DIAG_NONE));
    for (size_t i = 0; i < s->diag.n; i++) {
        snprintf(buf, sizeof buf, "%s — %s", s->diag.e[i].found, s->diag.e[i].action);
        tr_fact(d, T(DIAGNOSTICS), buf);
    }
    snprintf(buf, sizeof buf, "%s %s", T(PROBABILITY_AT_LEAST), fmt_fix(a, sizeof a, m->warn_cutoff, 5));
    tr_fact(d, T(WARNING_CUTOFF), buf);
    snprintf(buf, sizeof buf, "%s, %s", s->version, s->created);
    tr_fact(d, T(BUILT_BY), buf);
    html_table_end(d);
    fputs("<details><summary>", d->f);
    html_esc(d->f, T(OPTIONS));
    fputs("</summary><p><code>", d->f);
    html_esc(d->f, s->options);
    fputs("</code></p></details>\n", d->f);
}

static void tr_metrics(html_doc *d, const modelfile_story *s)
{
    char a[FMT_BUF], b[FMT_BUF], c[FMT_BUF], buf[256];
    html_fig_begin(d);
    html_fig(d, T(EVALUATED), fmt_int(a, sizeof a, (long long)s->ho_n));
    html_fig(d, T(LEAVERS), fmt_int(a, sizeof a, (long long)s->ho_pos));
    html_fig(d, "AUC", fmt_fix(a, sizeof a, s->auc, 3));
    if (!isnan(s->oracle_auc)) html_fig(d, T(ORACLE_AUC), fmt_fix(a, sizeof a, s->oracle_auc, 3));
    html_fig(d, "KS", fmt_fix(a, sizeof a, s->ks, 3));
    html_fig(d, T(TOP_DECILE_LIFT), fmt_fix(a, sizeof a, s->lift10, 2));
    html_fig(d, "Brier", fmt_fix(a, sizeof a, s->brier, 4));
    html_fig_end(d);
    snprintf(buf, sizeof buf, "%s / %s / %s", fmt_pct(a, sizeof a, s->capture5, 1), fmt_pct(b, sizeof b, s->capture10, 1),
             fmt_pct(c, sizeof c, s->capture20, 1));
    html_pf(d, NULL, "%s: %s.", T(CAPTURE_5_10_20), buf);
}

/* Opens a <figure> whose caption is text. */
static void fig_open(html_doc *d) { fputs("<figure>\n", d->f); }
static void fig_close(html_doc *d, const char *caption)
{
    fputs("<figcaption>", d->f);
    html_esc(d->f, caption);
    fputs("</figcaption>\n</figure>\n", d->f);
}

static void tr_curves(html_doc *d, const modelfile_story *s, int lv)
{
    const gains_report *g = &s->gains;
    double x[GAINS_POINTS], gy[GAINS_POINTS], py[GAINS_POINTS], lift[GAINS_POINTS], one[GAINS_POINTS],
        tpr[GAINS_POINTS], fpr[GAINS_POINTS];
    double base = (double)g->npos / (double)g->n, nneg = (double)(g->n - g->npos);
    double lmax = 1;
    for (int q = 0; q < GAINS_POINTS; q++) {
        x[q] = (double)g->top_n[q] / (double)g->n;
        gy[q] = (double)g->top_pos[q] / (double)g->npos;
        py[q] = (double)(g->top_n[q] < g->npos ? g->top_n[q] : g->npos) / (double)g->npos;
        lift[q] = g->top_n[q] ? ((double)g->top_pos[q] / (double)g->top_n[q]) / base : NAN;
        one[q] = 1;
        tpr[q] = gy[q];
        fpr[q] = (double)(g->top_n[q] - g->top_pos[q]) / nneg;
        if (lift[q] > lmax) lmax = lift[q];
    }
    char buf[256], a[FMT_BUF];
    html_h(d, lv, "curves", T(GAINS_LIFT_ROC_KS));
    fputs("<div class=\"charts\">\n", d->f);
    /* cumulative gains */
    svg_axes ax = {.id = "gains", .title = T(CUMULATIVE_GAINS), .xlabel = T(X_SHARE_CONTACTED),
                   .ylabel = T(Y_SHARE_LEAVERS), .x0 = 0, .x1 = 1, .y0 = 0, .y1 = 1, .xfmt = SVG_FMT_PCT,
                   .yfmt = SVG_FMT_PCT, .width = 520, .height = 380, .square = 1};
    svg_series sg[3] = {{.name = T(MODEL), .x = x, .y = gy, .n = GAINS_POINTS, .style = SVG_SOLID, .ink = 1, .markers = 10},
                        {.name = T(PERFECT), .x = x, .y = py, .n = GAINS_POINTS, .style = SVG_DOT, .ink = 2},
                        {.name = T(RANDOM), .x = x, .y = x, .n = GAINS_POINTS, .style = SVG_DASH, .ink = 3}};
    fig_open(d);
    svg_line_chart(d->f, &ax, sg, 3, NULL, 0);
    fig_close(d, T(CAP_GAINS));
    /* lift */
    svg_axes al = ax;
    al.id = "lift";
    al.title = T(CUMULATIVE_LIFT);
    al.ylabel = T(Y_LIFT);
    al.y1 = svg_nice_ceil(lmax * 1.05);
    al.yfmt = SVG_FMT_NUM;
    al.square = 0;
    svg_series sl[2] = {{.name = T(MODEL), .x = x, .y = lift, .n = GAINS_POINTS, .style = SVG_SOLID, .ink = 1, .markers = 10},
                        {.name = T(RANDOM), .x = x, .y = one, .n = GAINS_POINTS, .style = SVG_DASH, .ink = 3}};
    fig_open(d);
    svg_line_chart(d->f, &al, sl, 2, NULL, 0);
    fig_close(d, T(CAP_LIFT));
    /* ROC */
    svg_axes ar = ax;
    ar.id = "roc";
    snprintf(buf, sizeof buf, "ROC (AUC %s)", fmt_fix(a, sizeof a, s->auc, 3));
    ar.title = buf;
    ar.xlabel = T(X_FPR);
    ar.ylabel = T(Y_TPR);
    char mname[128];
    snprintf(mname, sizeof mname, "%s, AUC %s", T(MODEL), a);
    svg_series sr[2] = {{.name = mname, .x = fpr, .y = tpr, .n = GAINS_POINTS, .style = SVG_SOLID, .ink = 1, .markers = 10},
                        {.name = T(RANDOM), .x = x, .y = x, .n = GAINS_POINTS, .style = SVG_DASH, .ink = 3}};
    fig_open(d);
    svg_line_chart(d->f, &ar, sr, 2, NULL, 0);
    fig_close(d, T(CAP_ROC));
    /* KS */
    svg_axes ak = ax;
    ak.id = "ks";
    char kt[128];
    snprintf(kt, sizeof kt, "KS %s", fmt_fix(a, sizeof a, g->ks, 3));
    ak.title = kt;
    ak.ylabel = T(Y_CUM_SHARE);
    ak.square = 0;
    svg_series sk[2] = {{.name = T(LEAVERS_CUM), .x = x, .y = tpr, .n = GAINS_POINTS, .style = SVG_SOLID, .ink = 1, .markers = 10},
                        {.name = T(STAYERS_CUM), .x = x, .y = fpr, .n = GAINS_POINTS, .style = SVG_DASH, .ink = 2, .markers = 10}};
    svg_ref kr = {.v = g->ks_share, .vertical = 1, .label = kt};
    fig_open(d);
    svg_line_chart(d->f, &ak, sk, 2, isfinite(g->ks_share) ? &kr : NULL, isfinite(g->ks_share) ? 1 : 0);
    fig_close(d, T(CAP_KS));
    fputs("</div>\n", d->f);

    /* the gains table by decile */
    const char *heads[7] = {T(DECILE), T(SUBSCRIBERS), T(LEAVERS), T(CHURN_RATE), T(CUM_CAPTURE), T(LIFT), T(CUM_LIFT)};
    html_table_begin(d, NULL, T(GAINS_TABLE), heads, 7, "rrrrrrr");
    for (int k = 1; k <= 10; k++) {
        uint64_t rows = g->top_n[10 * k] - g->top_n[10 * (k - 1)], pos = g->top_pos[10 * k] - g->top_pos[10 * (k - 1)];
        double rate = rows ? (double)pos / (double)rows : NAN;
        char c1[FMT_BUF], c2[FMT_BUF], c3[FMT_BUF], c4[FMT_BUF], c5[FMT_BUF], c6[FMT_BUF];
        html_tr(d);
        html_tdf(d, "%d", k);
        html_td(d, fmt_int(c1, sizeof c1, (long long)rows));
        html_td(d, fmt_int(c2, sizeof c2, (long long)pos));
        html_td(d, fmt_pct(c3, sizeof c3, rate, 2));
        html_td(d, fmt_pct(c4, sizeof c4, (double)g->top_pos[10 * k] / (double)g->npos, 1));
        html_td(d, fmt_fix(c5, sizeof c5, rate / base, 2));
        html_td(d, fmt_fix(c6, sizeof c6, lift[10 * k], 2));
    }
    html_table_end(d);

    /* the confusion matrix at the warning cut-off */
    char cut[FMT_BUF], t1[FMT_BUF], t2[FMT_BUF], t3[FMT_BUF];
    fmt_fix(cut, sizeof cut, g->cutoff, 5);
    char flagged[128], cap[256];
    snprintf(flagged, sizeof flagged, "%s (p ≥ %s)", T(FLAGGED), cut);
    snprintf(cap, sizeof cap, "%s %s", T(CONFUSION_AT_CUTOFF), cut);
    const char *ch[4] = {"", flagged, T(NOT_FLAGGED), T(TOTAL)};
    html_table_begin(d, "confusion", cap, ch, 4, "lrrr");
    html_tr(d);
    html_th_row(d, T(LEFT));
    html_td(d, fmt_int(t1, sizeof t1, (long long)g->tp));
    html_td(d, fmt_int(t2, sizeof t2, (long long)g->fn));
    html_td(d, fmt_int(t3, sizeof t3, (long long)(g->tp + g->fn)));
    html_tr(d);
    html_th_row(d, T(STAYED));
    html_td(d, fmt_int(t1, sizeof t1, (long long)g->fp));
    html_td(d, fmt_int(t2, sizeof t2, (long long)g->tn));
    html_td(d, fmt_int(t3, sizeof t3, (long long)(g->fp + g->tn)));
    html_tr(d);
    html_th_row(d, T(TOTAL));
    html_td(d, fmt_int(t1, sizeof t1, (long long)(g->tp + g->fp)));
    html_td(d, fmt_int(t2, sizeof t2, (long long)(g->fn + g->tn)));
    html_td(d, fmt_int(t3, sizeof t3, (long long)g->n));
    html_table_end(d);
    double prec = g->tp + g->fp ? (double)g->tp / (double)(g->tp + g->fp) : NAN;
    double rec = g->npos ? (double)g->tp / (double)g->npos : NAN;
    html_pf(d, NULL, "%s %s · %s %s · %s %s", T(PRECISION), fmt_pct(t1, sizeof t1, prec, 1), T(RECALL),
            fmt_pct(t2, sizeof t2, rec, 1), T(FLAGGED_SHARE),
            fmt_pct(t3, sizeof t3, (double)(g->tp + g->fp) / (double)g->n, 1));
}

static void tr_calibration(html_doc *d, const modelfile_story *s, int lv)
{
    html_h(d, lv, "calibration", T(CALIBRATION));
    /* with a calibration step (model/calib.h) a second curve: the same deciles before it */
    int raw = !isnan(s->cal_pred_raw[0]);
    double xp[10], yo[10], xr[10], mx = 0;
    size_t n = 0;
    for (int b = 0; b < 10; b++) {
        if (!s->cal_n[b] || isnan(s->cal_pred[b])) continue;
        xp[n] = s->cal_pred[b];
        xr[n] = raw ? s->cal_pred_raw[b] : NAN;
        yo[n] = s->cal_obs[b];
        if (xp[n] > mx) mx = xp[n];
        if (yo[n] > mx) mx = yo[n];
        if (raw && xr[n] > mx) mx = xr[n];
        n++;
    }
    if (n > 0) {
        double top = svg_nice_ceil(mx * 1.05), diag[2] = {0, top};
        svg_axes ax = {.id = "calibration", .title = T(CALIBRATION), .xlabel = T(X_PREDICTED),
                       .ylabel = T(Y_OBSERVED), .x0 = 0, .x1 = top, .y0 = 0, .y1 = top, .xfmt = SVG_FMT_PCT,
                       .yfmt = SVG_FMT_PCT, .width = 520, .height = 420, .square = 1};
        svg_series sc[3] = {{.name = T(BY_DECILE), .x = xp, .y = yo, .n = n, .style = SVG_SOLID, .ink = 1, .markers = 1},
                            {.name = T(PERFECT_CALIBRATION), .x = diag, .y = diag, .n = 2, .style = SVG_DASH, .ink = 3},
                            {.name = T(BEFORE_CALIBRATION), .x = xr, .y = yo, .n = n, .style = SVG_DOT, .ink = 2, .markers = 1}};
        fig_open(d);
        svg_line_chart(d->f, &ax, sc, raw ? 3 : 2, NULL, 0);
        fig_close(d, raw ? T(CAP_CALIBRATION_STEP) : T(CAP_CALIBRATION));
    }
    const char *heads[5] = {T(DECILE_LOW_FIRST), T(SUBSCRIBERS), T(BEFORE_CALIBRATION), T(MEAN_PREDICTED), T(OBSERVED)};
    const char *heads4[4] = {heads[0], heads[1], heads[3], heads[4]};
    html_table_begin(d, NULL, NULL, raw ? heads : heads4, raw ? 5 : 4, raw ? "rrrrr" : "rrrr");
    for (int b = 0; b < 10; b++) {
        char c1[FMT_BUF], c2[FMT_BUF], c3[FMT_BUF], c4[FMT_BUF];
        html_tr(d);
        html_tdf(d, "%d", b + 1);
        html_td(d, fmt_int(c1, sizeof c1, (long long)s->cal_n[b]));
        if (raw) html_td(d, fmt_pct(c4, sizeof c4, s->cal_pred_raw[b], 2));
        html_td(d, fmt_pct(c2, sizeof c2, s->cal_pred[b], 2));
        html_td(d, fmt_pct(c3, sizeof c3, s->cal_obs[b], 2));
    }
    html_table_end(d);
}

/* The logistic coefficients: interval chart (intercept left out: its scale would flatten the rest)
 * and the table. */
static void tr_coefficients(html_doc *d, const cmodel *m, const char *id)
{
    size_t n = m->n_coef > 0 ? m->n_coef - 1 : 0;
    const char **labels = malloc((n ? n : 1) * sizeof *labels);
    double *est = malloc((n ? n : 1) * sizeof(double)), *lo = malloc((n ? n : 1) * sizeof(double)),
           *hi = malloc((n ? n : 1) * sizeof(double));
    if (labels && est && lo && hi && n) {
        for (size_t j = 0; j < n; j++) {
            labels[j] = m->coef_names[j + 1];
            est[j] = m->beta[j + 1];
            lo[j] = m->beta[j + 1] - 1.959963984540054 * m->se[j + 1];
            hi[j] = m->beta[j + 1] + 1.959963984540054 * m->se[j + 1];
        }
        svg_intervals c = {.id = id, .title = T(COEFFICIENTS_95), .xlabel = T(X_COEF), .labels = labels,
                           .est = est, .lo = lo, .hi = hi, .n = n, .width = 640};
        fig_open(d);
        svg_interval_chart(d->f, &c);
        fig_close(d, T(CAP_COEF));
    }
    free(labels);
    free(est);
    free(lo);
    free(hi);
    const char *heads[6] = {T(INPUT), T(COEFFICIENT), T(STD_ERROR), "z", "p", T(INTERVAL_95)};
    html_table_begin(d, NULL, NULL, heads, 6, "lrrrrr");
    for (size_t j = 0; j < m->n_coef; j++) {
        char c1[FMT_BUF], c2[FMT_BUF], c3[FMT_BUF], c4[FMT_BUF], c5[FMT_BUF], c6[FMT_BUF];
        html_tr(d);
        html_td(d, m->coef_names[j]);
        html_td(d, fmt_fix(c1, sizeof c1, m->beta[j], 4));
        html_td(d, fmt_fix(c2, sizeof c2, m->se[j], 4));
        html_td(d, fmt_fix(c3, sizeof c3, m->zval[j], 2));
        html_td(d, fmt_sig(c4, sizeof c4, m->pval[j], 3));
        html_tdf(d, "%s … %s", fmt_fix(c5, sizeof c5, m->beta[j] - 1.959963984540054 * m->se[j], 4),
                 fmt_fix(c6, sizeof c6, m->beta[j] + 1.959963984540054 * m->se[j], 4));
    }
    html_table_end(d);
}

typedef struct {
    double v;
    size_t c;
} tr_rank;

static int tr_rank_cmp(const void *pa, const void *pb)
{
    const tr_rank *a = pa, *b = pb;
    if (a->v != b->v) return a->v > b->v ? -1 : 1;
    return a->c < b->c ? -1 : a->c > b->c;
}

static void tr_trees(html_doc *d, const cmodel *m)
{
    const gbm_model *g = m->gbm;
    size_t splits = 0, leaves = 0;
    gbm_size(g, &splits, &leaves);
    char a[FMT_BUF], b[FMT_BUF], c[FMT_BUF];
    html_fig_begin(d);
    html_fig(d, T(TREES), fmt_int(a, sizeof a, (long long)g->n_trees));
    html_fig(d, T(DEPTH), fmt_int(a, sizeof a, (long long)g->max_depth));
    html_fig(d, T(SPLITS), fmt_int(b, sizeof b, (long long)splits));
    html_fig(d, T(LEAVES_OF_TREES), fmt_int(c, sizeof c, (long long)leaves));
    html_fig_end(d);
    double *imp = malloc((g->n_cols ? g->n_cols : 1) * sizeof(double));
    tr_rank *r = malloc((g->n_cols ? g->n_cols : 1) * sizeof *r);
    double total = imp ? gbm_gain_importance(g, imp) : NAN;
    if (!imp || !r || !(total > 0)) {
        html_p(d, "note", T(NO_GAINS));
        free(imp);
        free(r);
        return;
    }
    for (size_t k = 0; k < g->n_cols; k++) r[k] = (tr_rank){imp[k] / total, k};
    qsort(r, g->n_cols, sizeof *r, tr_rank_cmp);
    size_t top = g->n_cols < 20 ? g->n_cols : 20;
    const char **labels = malloc((top ? top : 1) * sizeof *labels);
    double *v = malloc((top ? top : 1) * sizeof(double));
    if (labels && v) {
        for (size_t k = 0; k < top; k++) {
            labels[k] = m->coef_names[r[k].c + 1];
            v[k] = r[k].v;
        }
        svg_bars bc = {.id = "importance", .title = T(IMPORTANCE_GAIN), .xlabel = T(X_GAIN_SHARE), .labels = labels,
                       .v = v, .n = top, .fmt = SVG_FMT_PCT, .width = 640};
        fig_open(d);
        svg_bar_chart(d->f, &bc);
        fig_close(d, T(CAP_IMPORTANCE));
    }
    free(labels);
    free(v);
    const char *heads[3] = {T(RANK), T(INPUT), T(GAIN_SHARE)};
    html_table_begin(d, NULL, NULL, heads, 3, "rlr");
    for (size_t k = 0; k < g->n_cols; k++) {
        html_tr(d);
        html_tdf(d, "%zu", k + 1);
        html_td(d, m->coef_names[r[k].c + 1]);
        html_td(d, fmt_pct(a, sizeof a, r[k].v, 2));
    }
    html_table_end(d);
    free(imp);
    free(r);
}

static void tr_factors(html_doc *d, const cmodel *m, const modelfile_story *s, int lv)
{
    html_h(d, lv, "factors", T(FACTOR_ANALYSIS));
    char a[FMT_BUF], b[FMT_BUF], c[FMT_BUF], e[FMT_BUF];
    html_pf(d, NULL, "KMO %s; Bartlett χ² %s, df %s, p %s. %s", fmt_fix(a, sizeof a, s->kmo, 3),
            fmt_fix(b, sizeof b, s->bartlett_chi2, 1), fmt_fix(c, sizeof c, s->bartlett_df, 0),
            fmt_sig(e, sizeof e, s->bartlett_p, 3),
            strstr(s->options, "extraction=ml") ? T(EXTRACTION_ML) : T(EXTRACTION_PA));
    const char **rows = malloc((m->p_fa ? m->p_fa : 1) * sizeof *rows);
    char (*cols)[24] = malloc(m->k * sizeof *cols);
    const char **colp = malloc(m->k * sizeof *colp);
    if (rows && cols && colp) {
        for (size_t j = 0; j < m->p_fa; j++) rows[j] = m->in_names[m->fa_idx[j]];
        for (size_t k = 0; k < m->k; k++) {
            snprintf(cols[k], sizeof cols[k], "F%zu", k + 1);
            colp[k] = cols[k];
        }
        svg_heat h = {.id = "loadings", .title = T(LOADINGS), .rows = rows, .cols = colp, .nr = m->p_fa,
                      .nc = m->k, .v = m->loadings, .lim = 1, .bold = 0.4, .legend = T(HEAT_LEGEND)};
        fig_open(d);
        svg_heatmap(d->f, &h);
        fig_close(d, T(CAP_LOADINGS));
    }
    free(rows);
    free(cols);
    free(colp);
    const char *heads[4] = {T(FACTOR), T(LABEL), T(SS_LOADINGS), T(PROPORTION_VARIANCE)};
    html_table_begin(d, NULL, NULL, heads, 4, "llrr");
    for (size_t k = 0; k < m->k; k++) {
        html_tr(d);
        html_tdf(d, "F%zu", k + 1);
        html_td(d, m->factor_labels[k]);
        html_td(d, fmt_fix(a, sizeof a, s->ss_loadings ? s->ss_loadings[k] : NAN, 3));
        html_td(d, fmt_pct(b, sizeof b, s->prop_var ? s->prop_var[k] : NAN, 1));
    }
    html_table_end(d);
}

/* The churn-type models (voluntary, involuntary): their holdout figures and calibration, and their
 * coefficients (the scoring model's probability is split between them, htmlrep names them). */
static void tr_types(html_doc *d, const cmodel *m, const modelfile_story *s, int lv)
{
    html_h(d, lv, "churn-types", T(CHURN_TYPES));
    if (!m->has_types) {
        html_pf(d, "note", "%s %s", T(NO_TYPES), s->types_reason);
        return;
    }
    html_pf(d, NULL, "%s %s", T(TYPES_TEXT), s->types_reason);
    const rt_key tk[CMODEL_N_TYPES] = {RT_TYPE_VOLUNTARY, RT_TYPE_INVOLUNTARY};
    const char *heads[3] = {"", rt(d->lang, tk[0]), rt(d->lang, tk[1])};
    html_table_begin(d, NULL, NULL, heads, 3, "lrr");
    char a[FMT_BUF], b[FMT_BUF];
    const modelfile_type_story *v = &s->types[0], *q = &s->types[1];
    html_tr(d);
    html_th_row(d, T(LEAVERS));
    html_td(d, fmt_int(a, sizeof a, (long long)v->pos));
    html_td(d, fmt_int(b, sizeof b, (long long)q->pos));
    html_tr(d);
    html_th_row(d, "AUC");
    html_td(d, fmt_fix(a, sizeof a, v->auc, 3));
    html_td(d, fmt_fix(b, sizeof b, q->auc, 3));
    html_tr(d);
    html_th_row(d, T(CAPTURE_5));
    html_td(d, fmt_pct(a, sizeof a, v->capture5, 1));
    html_td(d, fmt_pct(b, sizeof b, q->capture5, 1));
    html_tr(d);
    html_th_row(d, T(CAPTURE_10));
    html_td(d, fmt_pct(a, sizeof a, v->capture10, 1));
    html_td(d, fmt_pct(b, sizeof b, q->capture10, 1));
    html_tr(d);
    html_th_row(d, T(EXPECTED_OBSERVED));
    html_td(d, fmt_fix(a, sizeof a, v->expected_observed, 3));
    html_td(d, fmt_fix(b, sizeof b, q->expected_observed, 3));
    html_table_end(d);
    /* each type's calibration by decile of its own probability */
    double xp[CMODEL_N_TYPES][10], yo[CMODEL_N_TYPES][10], mx = 0;
    size_t n[CMODEL_N_TYPES] = {0, 0};
    for (int t = 0; t < CMODEL_N_TYPES; t++)
        for (int k = 0; k < 10; k++) {
            const modelfile_type_story *y = &s->types[t];
            if (!y->cal_n[k] || isnan(y->cal_pred[k]) || isnan(y->cal_obs[k])) continue;
            xp[t][n[t]] = y->cal_pred[k];
            yo[t][n[t]] = y->cal_obs[k];
            mx = fmax(mx, fmax(y->cal_pred[k], y->cal_obs[k]));
            n[t]++;
        }
    if (n[0] + n[1] > 0) {
        double top = svg_nice_ceil(mx * 1.05), diag[2] = {0, top};
        svg_axes ax = {.id = "types-calibration", .title = T(TYPES_CALIBRATION), .xlabel = T(X_PREDICTED),
                       .ylabel = T(Y_OBSERVED), .x0 = 0, .x1 = top, .y0 = 0, .y1 = top, .xfmt = SVG_FMT_PCT,
                       .yfmt = SVG_FMT_PCT, .width = 520, .height = 420, .square = 1};
        svg_series sc[3] = {
            {.name = rt(d->lang, tk[0]), .x = xp[0], .y = yo[0], .n = n[0], .style = SVG_SOLID, .ink = 1, .markers = 1},
            {.name = rt(d->lang, tk[1]), .x = xp[1], .y = yo[1], .n = n[1], .style = SVG_DASH, .ink = 2, .markers = 1},
            {.name = T(PERFECT_CALIBRATION), .x = diag, .y = diag, .n = 2, .style = SVG_DOT, .ink = 3}};
        fig_open(d);
        svg_line_chart(d->f, &ax, sc, 3, NULL, 0);
        fig_close(d, T(CAP_TYPES_CALIBRATION));
    }
    fputs("<details><summary>", d->f);
    html_esc(d->f, T(TYPES_COEFFICIENTS));
    fputs("</summary>\n", d->f);
    const char *ch[5] = {T(INPUT), rt(d->lang, tk[0]), "z", rt(d->lang, tk[1]), "z"};
    html_table_begin(d, NULL, NULL, ch, 5, "lrrrr");
    for (size_t j = 0; j < m->n_coef; j++) {
        char c[4][FMT_BUF];
        html_tr(d);
        html_td(d, m->coef_names[j]);
        html_td(d, fmt_fix(c[0], sizeof c[0], m->type_beta[0][j], 4));
        html_td(d, fmt_fix(c[1], sizeof c[1], m->type_z[0][j], 2));
        html_td(d, fmt_fix(c[2], sizeof c[2], m->type_beta[1][j], 4));
        html_td(d, fmt_fix(c[3], sizeof c[3], m->type_z[1][j], 2));
    }
    html_table_end(d);
    fputs("</details>\n", d->f);
}

static void tr_drift_reference(html_doc *d, const modelfile_story *s, int lv)
{
    if (!s->drift_cols || !s->drift_edges || !s->drift_expected) return;
    html_h(d, lv, "drift-reference", T(DRIFT_REFERENCE));
    html_p(d, NULL, T(DRIFT_REFERENCE_TEXT));
    const char *heads[3] = {T(BIN), T(SCORE_UP_TO), T(TRAINING_SHARE)};
    html_table_begin(d, NULL, NULL, heads, 3, "rrr");
    for (int b = 0; b < 10; b++) {
        char a[FMT_BUF], c[FMT_BUF];
        double up = b < 9 ? s->drift_edges[b] : NAN;
        html_tr(d);
        html_tdf(d, "%d", b + 1);
        html_td(d, b < 9 && isfinite(up) ? fmt_fix(a, sizeof a, up, 5) : "∞");
        html_td(d, fmt_pct(c, sizeof c, s->drift_expected[b], 1));
    }
    html_table_end(d);
}

static void tr_screening(html_doc *d, const modelfile_story *s, int lv)
{
    if (!s->p_all) return;
    html_h(d, lv, "screening", T(SCREENING));
    const char *heads[8] = {T(INDICATOR), T(MISSING), T(MEAN), T(SD), T(MIN), T(MAX), T(MODE_SHARE), T(DECISION)};
    html_table_begin(d, NULL, NULL, heads, 8, "lrrrrrrl");
    for (size_t j = 0; j < s->p_all; j++) {
        char c[6][FMT_BUF];
        html_tr(d);
        html_td(d, s->all_names[j]);
        html_td(d, fmt_pct(c[0], sizeof c[0], s->missing_share ? s->missing_share[j] : NAN, 1));
        html_td(d, fmt_sig(c[1], sizeof c[1], s->mean ? s->mean[j] : NAN, 4));
        html_td(d, fmt_sig(c[2], sizeof c[2], s->sd ? s->sd[j] : NAN, 4));
        html_td(d, fmt_sig(c[3], sizeof c[3], s->min ? s->min[j] : NAN, 4));
        html_td(d, fmt_sig(c[4], sizeof c[4], s->max ? s->max[j] : NAN, 4));
        html_td(d, fmt_pct(c[5], sizeof c[5], s->mode_share ? s->mode_share[j] : NAN, 1));
        html_td(d, s->drop_reason && s->drop_reason[j] && s->drop_reason[j][0] ? s->drop_reason[j] : T(KEPT));
    }
    html_table_end(d);
}

void htmlrep_train_body(html_doc *d, const cmodel *m, const modelfile_story *s, int lv)
{
    tr_about(d, m, s);
    html_h(d, lv, "holdout", T(HOLDOUT));
    if (s->ho_n == 0) {
        html_p(d, "note", T(NO_HOLDOUT));
    } else {
        tr_metrics(d, s);
        if (s->has_gains) tr_curves(d, s, lv + 1);
        else html_p(d, "note", T(NO_CURVES));
        tr_calibration(d, s, lv + 1);
    }
    if (m->kind == CMODEL_KIND_GBM && m->gbm) {
        html_h(d, lv, "model", T(TREES_SECTION));
        tr_trees(d, m);
        fputs("<details><summary>", d->f);
        html_esc(d->f, T(LOGIT_CHALLENGER));
        fputs("</summary>\n", d->f);
        tr_coefficients(d, m, "coefficients");
        fputs("</details>\n", d->f);
    } else {
        html_h(d, lv, "model", T(LOGIT_SECTION));
        tr_coefficients(d, m, "coefficients");
    }
    tr_types(d, m, s, lv);
    segrep_html(d, m, lv);
    if (m->k > 0) tr_factors(d, m, s, lv);
    tr_drift_reference(d, s, lv);
    tr_screening(d, s, lv);
}

typedef struct {
    const cmodel *m;
    const modelfile_story *s;
} tr_page;

static void tr_build(html_doc *d, const void *arg)
{
    const tr_page *p = arg;
    htmlrep_train_body(d, p->m, p->s, 2);
}

int htmlrep_train_write(const char *tmp, const cmodel *m, const modelfile_story *s, cs_lang lang)
{
    tr_page p = {m, s};
    char title[128];
    snprintf(title, sizeof title, "%s %s", rt(lang, RT_TRAIN_TITLE), s->month);
    return html_write_file(tmp, lang, title, s->version, tr_build, &p);
}
