/* score_summary.c — phase 5 of `churnscore score`: what a run found, per region and in total.
 *
 * The same numbers reach three places: DIR's summary.csv / summary.json (io/lists.c), the final
 * attributes of SCORES.h5 (io/scores.c) and the table rank 0 prints. They are gathered here once,
 * into per-region columns, from the totals the pass reduced (score_totals), the lists' lengths and
 * the validation, so the three cannot disagree. Only rank 0 writes and prints; the timings printed
 * are the slowest rank's.
 */
#include "score_summary.h"

#include "comm.h"
#include "log.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(((scores_final *)0)->tier_cut) == SCORE_TIER_CUTS * sizeof(double),
               "scores_final.tier_cut holds the SCORE_TIER_CUTS cut-offs");

void score_columns_free(score_columns *c)
{
    free(c->subscribers);
    free(c->alarm);
    free(c->warning);
    free(c->queued);
    free(c->expected_leavers);
    free(c->value_at_risk);
    free(c->auc);
    free(c->lift10);
    memset(c, 0, sizeof *c);
}

int score_columns_alloc(score_columns *c, const score_job *j)
{
    size_t nreg = j->in.nreg;
    const score_validation *val = &j->res.val;
    c->subscribers = calloc(nreg + 1, sizeof(int64_t));
    c->alarm = calloc(nreg + 1, sizeof(int64_t));
    c->warning = calloc(nreg + 1, sizeof(int64_t));
    c->queued = calloc(SCORE_NGROUPS(nreg) + 1, sizeof(int64_t));
    c->expected_leavers = calloc(nreg + 1, sizeof(double));
    c->value_at_risk = calloc(nreg + 1, sizeof(double));
    c->auc = calloc(nreg + 1, sizeof(double));
    c->lift10 = calloc(nreg + 1, sizeof(double));
    if (!c->subscribers || !c->alarm || !c->warning || !c->queued || !c->expected_leavers || !c->value_at_risk || !c->auc ||
        !c->lift10) {
        score_columns_free(c);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t g = 0; g < nreg; g++) {
        const double *sum = j->tot.sums + SCORE_NSUMS * g;
        const int64_t *count = j->tot.count + SCORE_NCOUNTS * g;
        int ok = val->validated && val->region_ok[g];
        c->auc[g] = ok ? val->region[g].auc : NAN;
        c->lift10[g] = ok ? val->region[g].lift10 : NAN;
        c->expected_leavers[g] = sum[SCORE_SUM_LEAVERS];
        c->value_at_risk[g] = sum[SCORE_SUM_RISK];
        c->subscribers[g] = count[SCORE_COUNT_SUBSCRIBERS];
        c->alarm[g] = count[SCORE_COUNT_ALARM];
        c->warning[g] = count[SCORE_COUNT_WARNING];
        for (int q = QUEUE_RETENTION; q < QUEUE_N; q++)
            c->queued[score_group(q, g, nreg)] = count[SCORE_COUNT_QUEUE + q - QUEUE_RETENTION];
    }
    return CS_OK;
}

/* drift.csv: the score's drift, then each design column's. */
static int score_drift_write(const score_job *j, const char *tmpdir)
{
    const cmodel *m = &j->in.m;
    size_t cols = j->drift.cols;
    const char **names = malloc(cols * sizeof(char *));
    if (!names) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t c = 0; c < cols; c++) names[c] = c == 0 ? "churn probability" : c < m->n_coef ? m->coef_names[c] : "?";
    int rc = drift_report(tmpdir, names, j->res.psi, cols);
    free(names);
    return rc;
}

int score_summary_write(const score_job *j, const score_columns *c, const lists_ctx *lc, const char *tmpdir)
{
    const score_validation *val = &j->res.val;
    const metrics_report *ov = &val->overall;
    lists_summary ls = {.month = j->in.s->month, .rank_by = j->o.rank_by_s, .top = j->o.top, .k = j->in.k,
                        .subscribers = c->subscribers, .alarm = c->alarm, .warning = c->warning,
                        .queued = c->queued, .listed = j->res.listed, .held = j->res.held,
                        .control = j->o.control, .expected_leavers = c->expected_leavers,
                        .value_at_risk = c->value_at_risk, .validated = val->validated, .val_n = ov->n,
                        .val_npos = ov->npos, .labelled = val->labelled, .auc = ov->auc, .lift10 = ov->lift10,
                        .capture5 = ov->capture5, .capture10 = ov->capture10, .capture20 = ov->capture20,
                        .ks = ov->ks, .brier = ov->brier, .region_auc = c->auc, .region_lift10 = c->lift10};
    /* issue 15: month over month, with last month's scores */
    const score_prev_state *p = &j->prev;
    size_t nreg = j->in.nreg;
    if (p->sc && p->fig) {
        ls.has_prev = 1;
        ls.prev_month = p->month;
        ls.new_listed = p->new_listed;
        ls.prev_subscribers = p->fig + SCORE_PREV_SUBSCRIBERS * nreg;
        ls.prev_listed = p->fig + SCORE_PREV_LISTED * nreg;
        ls.prev_expected_leavers = p->fig + SCORE_PREV_LEAVERS * nreg;
        ls.prev_value_at_risk = p->fig + SCORE_PREV_RISK * nreg;
        ls.prev_alarm = p->fig + SCORE_PREV_ALARM * nreg;
        ls.prev_warning = p->fig + SCORE_PREV_WARNING * nreg;
    }
    CS_TRY(lists_summary_write(lc, tmpdir, &ls));
    return j->drift.cols ? score_drift_write(j, tmpdir) : CS_OK;
}

void score_summary_final(const score_job *j, const score_columns *c, scores_final *fin)
{
    const score_validation *val = &j->res.val;
    *fin = (scores_final){.subscribers = c->subscribers, .alarm = c->alarm, .warning = c->warning,
                          .listed = j->res.listed_region, .expected_leavers = c->expected_leavers,
                          .value_at_risk = c->value_at_risk, .validated = val->validated,
                          .labelled = val->labelled, .overall = &val->overall, .region = val->region,
                          .region_ok = val->region_ok};
    memcpy(fin->tier_cut, j->res.cut, sizeof fin->tier_cut);
}

static void score_print_row(const char *name, int64_t subscribers, double leavers, int64_t alarm,
                            int64_t warning, int64_t listed, double at_risk)
{
    printf("%-24s %12lld %12.2f %9lld %9lld %9lld %16.2f\n", name, (long long)subscribers, leavers,
           (long long)alarm, (long long)warning, (long long)listed, at_risk);
}

/* Rank 0: the per-region table, the tier cut-offs and the validation. */
static void score_print_table(const score_job *j, const score_columns *c)
{
    const snap_schema *s = j->in.s;
    const int64_t *listed = j->res.listed_region;
    const double *cut = j->res.cut;
    const score_validation *val = &j->res.val;
    const metrics_report *ov = &val->overall;
    printf("\n%-24s %12s %12s %9s %9s %9s %16s\n", "region", "subscribers", "exp.leavers", "alarm",
           "warning", "listed", "value_at_risk");
    int64_t ts = 0, ta = 0, tw = 0, tl = 0;
    double te = 0, tv = 0;
    for (size_t g = 0; g < j->in.nreg; g++) {
        score_print_row(s->region_names[g], c->subscribers[g], c->expected_leavers[g], c->alarm[g],
                        c->warning[g], listed[g], c->value_at_risk[g]);
        ts += c->subscribers[g];
        ta += c->alarm[g];
        tw += c->warning[g];
        tl += listed[g];
        te += c->expected_leavers[g];
        tv += c->value_at_risk[g];
    }
    score_print_row("total", ts, te, ta, tw, tl, tv);
    /* issue 17: grade 1 the most valuable; a grade holds contributions above the next one's cut-off */
    const tagconf *tc = j->in.tc;
    printf("value grades by contribution (%s, %s): %s >%s %.2f, %s >%s %.2f, %s >%s %.2f, %s >%s %.2f, %s the rest\n",
           tc->has_cost ? "ARPU - cost" : "ARPU", tc->thresholds ? "thresholds" : "quintiles",
           tagconf_grade_name(tc, 1, LANG_EN), tc->thresholds ? "=" : "", cut[tc->thresholds ? 0 : 3],
           tagconf_grade_name(tc, 2, LANG_EN), tc->thresholds ? "=" : "", cut[tc->thresholds ? 1 : 2],
           tagconf_grade_name(tc, 3, LANG_EN), tc->thresholds ? "=" : "", cut[tc->thresholds ? 2 : 1],
           tagconf_grade_name(tc, 4, LANG_EN), tc->thresholds ? "=" : "", cut[tc->thresholds ? 3 : 0],
           tagconf_grade_name(tc, 5, LANG_EN));
    if (val->validated)
        printf("validation on %llu of %llu labelled subscribers (%llu churned): AUC %.4f, lift@10%% %.2f, "
               "capture 5/10/20%% %.3f/%.3f/%.3f, KS %.4f, Brier %.5f\n",
               (unsigned long long)ov->n, (unsigned long long)val->labelled, (unsigned long long)ov->npos,
               ov->auc, ov->lift10, ov->capture5, ov->capture10, ov->capture20, ov->ks, ov->brier);
    else
        printf("validation: none (the snapshot has no usable labels)\n");
    fflush(stdout);
}

void score_summary_print(const score_job *j, const score_columns *c, const score_times *tm, int ok)
{
    MPI_Comm comm = j->ctx->comm;
    const score_opts *o = &j->o;
    double pass[3] = {j->t.read, j->t.compute, j->t.write};
    red_max_f64(comm, pass, 3);
    double rss[2] = {log_peak_rss(), -log_peak_rss()}; /* the max of both: the largest and smallest */
    red_max_f64(comm, rss, 2);
    if (!ok || j->ctx->rank != 0) return;
    score_print_table(j, c);
    double total = comm_now() - tm->start;
    log_info("score: wrote %s and %s/ in %.2f s: pass %.2f s (read %.2f, compute %.2f, write %.2f; "
             "max over ranks), tiers %.2f s, lists %.2f s, validation %.2f s (%.0f rows/s)",
             o->out, o->lists, total, tm->pass, pass[0], pass[1], pass[2], tm->tiers, tm->lists, tm->validation,
             total > 0 ? (double)j->in.s->n / total : 0.0);
    printf("passes: 1 over the snapshot; 2 over the ARPU column of %s (tiers)\n", o->out);
    printf("peak memory per rank: %.1f MB (max), %.1f MB (min), budget %.0f MB\n", rss[0] / 1e6,
           -rss[1] / 1e6, (double)o->memory / 1e6);
    printf("timing_seconds total %.3f pass %.3f read %.3f compute %.3f write %.3f tiers %.3f "
           "lists %.3f validation %.3f\n", total, tm->pass, pass[0], pass[1], pass[2], tm->tiers, tm->lists,
           tm->validation);
    fflush(stdout);
}
