/* htmlrep_eval.c — how last month's lists did, as HTML (htmlrep.h): the evaluation page evaluate
 * writes beside its .csv, .json and .md, and the evaluation section of the month report. Both draw
 * from an evalview, filled here from evaluate's exact counts or in htmlrep_month.c from
 * evaluation.json, so the two pages say the same. */
#include "htmlrep.h"

#include "fmt.h"
#include "reptext.h"
#include "status.h"
#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define T(k) rt(d->lang, RT_##k)

/* The phases in reading order (alarm first), as evalrep.c shows them. */
static const int ev_phase_of[3] = {LISTIN_ALARM, LISTIN_WARNING, LISTIN_HEALTHY};

int evalview_from_data(const evalrep_data *d, evalview *v)
{
    memset(v, 0, sizeof *v);
    v->lists = d->lists;
    v->lists_month = d->lists_month;
    v->outcomes = d->outcomes;
    v->outcomes_month = d->outcomes_month;
    v->previous = d->previous;
    v->absent = d->absent;
    v->have_population = d->have_population;
    evalrep_stats_of(d, -1, -1, -1, &v->overall);
    for (int k = 0; k < 3; k++) {
        evalrep_stats_of(d, -1, ev_phase_of[k], -1, &v->phase[k]);
        /* the healthy phase only where someone was listed in it (evalrep.c does the same) */
        v->has_phase[k] = ev_phase_of[k] != LISTIN_HEALTHY || v->phase[k].listed > 0;
    }
    for (int t = 0; t < LISTIN_N_TIERS; t++) {
        evalrep_stats_of(d, -1, -1, t, &v->tier[t]);
        v->has_tier[t] = t != 0 || v->tier[t].listed > 0;
    }
    size_t n = d->n_regions;
    v->n_regions = n;
    v->region_names = d->region_names;
    v->region = malloc((n ? n : 1) * sizeof *v->region);
    v->region_alarm = malloc((n ? n : 1) * sizeof *v->region_alarm);
    v->region_warning = malloc((n ? n : 1) * sizeof *v->region_warning);
    if (!v->region || !v->region_alarm || !v->region_warning) {
        evalview_clear(v);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t r = 0; r < n; r++) {
        evalrep_stats_of(d, (long)r, -1, -1, &v->region[r]);
        evalrep_stats_of(d, (long)r, LISTIN_ALARM, -1, &v->region_alarm[r]);
        evalrep_stats_of(d, (long)r, LISTIN_WARNING, -1, &v->region_warning[r]);
    }
    return CS_OK;
}

void evalview_clear(evalview *v)
{
    free(v->region);
    free(v->region_alarm);
    free(v->region_warning);
    v->region = v->region_alarm = v->region_warning = NULL;
}

static const char *ev_or_q(const char *s) { return s && *s ? s : "?"; }

/* One bar chart of a measure by region (values NaN are left out of the chart, not drawn as 0). */
static void ev_bars(html_doc *d, const evalview *v, const char *id, const char *title, const char *xlabel,
                    int which, const char *caption)
{
    size_t n = v->n_regions;
    double *val = malloc((n ? n : 1) * sizeof(double));
    if (!val) return;
    double ref = which == 0 ? v->overall.precision : which == 1 ? v->overall.recall : v->overall.lift;
    for (size_t r = 0; r < n; r++)
        val[r] = which == 0 ? v->region[r].precision : which == 1 ? v->region[r].recall : v->region[r].lift;
    char lab[128], a[FMT_BUF];
    if (which == 2) snprintf(lab, sizeof lab, "%s %s", T(ALL_REGIONS), fmt_fix(a, sizeof a, ref, 2));
    else snprintf(lab, sizeof lab, "%s %s", T(ALL_REGIONS), fmt_pct(a, sizeof a, ref, 1));
    svg_ref rl = {.v = ref, .vertical = 1, .label = lab};
    svg_bars b = {.id = id, .title = title, .xlabel = xlabel, .labels = (const char *const *)v->region_names,
                  .v = val, .n = n, .fmt = which == 2 ? SVG_FMT_NUM : SVG_FMT_PCT, .refs = isfinite(ref) ? &rl : NULL,
                  .nr = isfinite(ref) ? 1 : 0, .width = 460};
    fputs("<figure>\n", d->f);
    svg_bar_chart(d->f, &b);
    fputs("<figcaption>", d->f);
    html_esc(d->f, caption);
    fputs("</figcaption>\n</figure>\n", d->f);
    free(val);
}

static void ev_stats_cells(html_doc *d, const evalview *v, const evalrep_stats *s, int phases,
                           const evalrep_stats *al, const evalrep_stats *wa)
{
    char c[8][FMT_BUF];
    html_td(d, fmt_int(c[0], sizeof c[0], s->listed));
    html_td(d, fmt_int(c[1], sizeof c[1], s->caught));
    html_td(d, fmt_pct(c[2], sizeof c[2], s->precision, 1));
    if (phases) {
        html_td(d, fmt_pct(c[3], sizeof c[3], al->precision, 1));
        html_td(d, fmt_pct(c[4], sizeof c[4], wa->precision, 1));
    }
    html_td(d, v->have_population ? fmt_int(c[5], sizeof c[5], s->leavers) : FMT_NA);
    html_td(d, fmt_pct(c[6], sizeof c[6], s->recall, 1));
    if (phases) html_td(d, fmt_pct(c[7], sizeof c[7], s->base_rate, 2));
    html_td(d, fmt_fix(c[7], sizeof c[7], s->lift, 2));
}

void htmlrep_eval_body(html_doc *d, const evalview *v, int lv)
{
    (void)lv; /* its tables carry captions, not headings: nothing below the caller's level */
    html_pf(d, NULL, "%s %s (%s %s) — %s %s (%s %s). %s", T(LISTS), v->lists, T(MONTH), ev_or_q(v->lists_month),
            T(AGAINST), v->outcomes, T(MONTH), ev_or_q(v->outcomes_month), v->absent ? T(ABSENT_MEANS_LEFT) : T(LABEL_MEANS_LEFT));
    if (!v->have_population) html_p(d, "note", T(NO_POPULATION));
    html_p(d, "note", T(EVAL_DEFINITIONS));
    const evalrep_stats *o = &v->overall;
    char a[FMT_BUF];
    html_fig_begin(d);
    html_fig(d, T(LISTED), fmt_int(a, sizeof a, o->listed));
    html_fig(d, T(CAUGHT), fmt_int(a, sizeof a, o->caught));
    html_fig(d, T(PRECISION), fmt_pct(a, sizeof a, o->precision, 1));
    html_fig(d, T(RECALL), fmt_pct(a, sizeof a, o->recall, 1));
    html_fig(d, T(BASE_RATE), fmt_pct(a, sizeof a, o->base_rate, 2));
    html_fig(d, T(LIFT), fmt_fix(a, sizeof a, o->lift, 2));
    html_fig_end(d);

    fputs("<div class=\"charts\">\n", d->f);
    ev_bars(d, v, "eval-precision", T(PRECISION_BY_REGION), T(X_PRECISION), 0, T(CAP_EVAL_PRECISION));
    if (v->have_population) {
        ev_bars(d, v, "eval-recall", T(RECALL_BY_REGION), T(X_RECALL), 1, T(CAP_EVAL_RECALL));
        ev_bars(d, v, "eval-lift", T(LIFT_BY_REGION), T(X_LIFT), 2, T(CAP_EVAL_LIFT));
    }
    fputs("</div>\n", d->f);

    const char *heads[10] = {T(REGION), T(LISTED), T(CAUGHT), T(PRECISION), T(ALARM_PRECISION), T(WARNING_PRECISION),
                             T(LEAVERS), T(RECALL), T(BASE_RATE), T(LIFT)};
    html_table_begin(d, NULL, T(BY_REGION), heads, 10, "lrrrrrrrrr");
    evalrep_stats oa = v->phase[0], ow = v->phase[1];
    html_tr(d);
    html_th_row(d, T(ALL_REGIONS));
    ev_stats_cells(d, v, o, 1, &oa, &ow);
    for (size_t r = 0; r < v->n_regions; r++) {
        html_tr(d);
        html_td(d, v->region_names[r]);
        ev_stats_cells(d, v, &v->region[r], 1, &v->region_alarm[r], &v->region_warning[r]);
    }
    html_table_end(d);

    const char *hp[7] = {T(PHASE), T(LISTED), T(CAUGHT), T(PRECISION), T(LEAVERS), T(RECALL), T(LIFT)};
    html_table_begin(d, NULL, T(BY_PHASE), hp, 7, "lrrrrrr");
    static const rt_key pk[3] = {RT_PHASE_ALARM, RT_PHASE_WARNING, RT_PHASE_HEALTHY};
    for (int k = 0; k < 3; k++) {
        if (!v->has_phase[k]) continue;
        html_tr(d);
        html_td(d, rt(d->lang, pk[k]));
        ev_stats_cells(d, v, &v->phase[k], 0, NULL, NULL);
    }
    html_table_end(d);
    hp[0] = T(VALUE_TIER);
    html_table_begin(d, NULL, T(BY_TIER), hp, 7, "lrrrrrr");
    for (int t = 1; t <= LISTIN_N_TIERS; t++) {
        int tier = t % LISTIN_N_TIERS; /* 1..5, then 0 (unknown) last */
        if (!v->has_tier[tier]) continue;
        html_tr(d);
        if (tier == 0) html_td(d, T(TIER_UNKNOWN));
        else html_tdf(d, "%d", tier);
        ev_stats_cells(d, v, &v->tier[tier], 0, NULL, NULL);
    }
    html_table_end(d);
    if (!v->absent && o->found < o->listed)
        html_pf(d, "note", "%s: %lld", T(NOT_IN_OUTCOMES), (long long)(o->listed - o->found));
}

static void ev_build(html_doc *d, const void *arg) { htmlrep_eval_body(d, arg, 2); }

int htmlrep_eval_write(const char *tmp, const evalview *v, cs_lang lang)
{
    char title[256];
    snprintf(title, sizeof title, rt(lang, RT_EVAL_TITLE_FMT), ev_or_q(v->lists_month), ev_or_q(v->outcomes_month));
    return html_write_file(tmp, lang, title, NULL, ev_build, v);
}
