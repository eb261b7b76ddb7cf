/* inspect_scores.c — `churnscore inspect SCORES.h5 [--json]`: what a scores file holds — subscribers,
 * the per-region summary, the tier cut-offs and, where the snapshot was labelled, the validation.
 * Serial work on rank 0 (the file's summary is small); the other ranks only agree. */
#include "inspect.h"
#include "json.h"
#include "reduce.h"
#include "scores.h"
#include "status.h"

#include <math.h>
#include <stdio.h>

static void is_num(json_writer *w, const char *k, double v)
{
    if (isnan(v)) json_null(w, k);
    else json_num(w, k, v);
}

static void is_json(const char *path, const scores_info *s)
{
    json_writer w;
    json_init(&w, stdout, 1);
    json_obj_begin(&w, NULL);
    json_str(&w, "kind", "scores");
    json_str(&w, "file", path);
    json_int(&w, "format_version", SCORES_VERSION);
    json_str(&w, "month", s->month);
    json_str(&w, "snapshot", s->snapshot);
    json_str(&w, "model", s->model);
    json_str(&w, "created", s->created);
    json_str(&w, "version", s->version);
    json_int(&w, "subscribers", (int64_t)s->n);
    json_str(&w, "rank_by", s->rank_by);
    json_num(&w, "horizon_months", s->horizon_months);
    json_num(&w, "warn_cutoff", s->warn_cutoff);
    json_num(&w, "collections_cutoff", s->collections_cutoff);
    json_bool(&w, "churn_types", s->has_types);
    json_int(&w, "segments", (int64_t)s->n_segments);
    json_arr_begin(&w, "tier_cutoffs");
    for (int k = 0; k < 4; k++) is_num(&w, NULL, s->tier_cut[k]);
    json_arr_end(&w);
    double al = 0, wa = 0, li = 0, ex = 0, va = 0;
    json_arr_begin(&w, "regions");
    for (size_t r = 0; r < s->n_regions; r++) {
        json_obj_begin(&w, NULL);
        json_str(&w, "name", s->region_names[r]);
        json_int(&w, "subscribers", (int64_t)s->subscribers[r]);
        json_num(&w, "expected_leavers", s->expected_leavers[r]);
        json_int(&w, "alarm", (int64_t)s->alarm[r]);
        json_int(&w, "warning", (int64_t)s->warning[r]);
        json_int(&w, "listed", (int64_t)s->listed[r]);
        json_num(&w, "value_at_risk", s->value_at_risk[r]);
        if (s->validated) {
            is_num(&w, "validation_auc", s->region_auc[r]);
            is_num(&w, "validation_lift_top10", s->region_lift10[r]);
        }
        json_obj_end(&w);
        al += s->alarm[r];
        wa += s->warning[r];
        li += s->listed[r];
        ex += s->expected_leavers[r];
        va += s->value_at_risk[r];
    }
    json_arr_end(&w);
    json_int(&w, "alarm", (int64_t)al);
    json_int(&w, "warning", (int64_t)wa);
    json_int(&w, "listed", (int64_t)li);
    json_num(&w, "expected_leavers", ex);
    json_num(&w, "value_at_risk", va);
    if (s->validated) {
        json_obj_begin(&w, "validation");
        json_int(&w, "labelled", (int64_t)s->labelled);
        json_int(&w, "n", (int64_t)s->val_n);
        json_int(&w, "churned", (int64_t)s->val_npos);
        json_num(&w, "auc", s->auc);
        json_num(&w, "lift_top10", s->lift10);
        json_num(&w, "capture5", s->capture5);
        json_num(&w, "capture10", s->capture10);
        json_num(&w, "capture20", s->capture20);
        json_num(&w, "ks", s->ks);
        json_num(&w, "brier", s->brier);
        json_arr_begin(&w, "calibration_predicted");
        for (int b = 0; b < METRICS_NBINS; b++) is_num(&w, NULL, s->cal_pred[b]);
        json_arr_end(&w);
        json_arr_begin(&w, "calibration_observed");
        for (int b = 0; b < METRICS_NBINS; b++) is_num(&w, NULL, s->cal_obs[b]);
        json_arr_end(&w);
        json_obj_end(&w);
    } else {
        json_null(&w, "validation");
    }
    json_obj_end(&w);
}

static void is_text(const char *path, const scores_info *s)
{
    printf("%s: churnscore scores, format version %d, month %s\n", path, SCORES_VERSION, s->month);
    printf("subscribers: %llu   snapshot: %s   model: %s\n", (unsigned long long)s->n, s->snapshot, s->model);
    printf("lists ranked by %s; warning at p >= %.4f; value at risk over %g months\n", s->rank_by,
           s->warn_cutoff, s->horizon_months);
    if (!isnan(s->collections_cutoff))
        printf("collections: predicted non-payers at p_involuntary >= %.4f (and above p_voluntary)\n",
               s->collections_cutoff);
    printf("value grade cut-offs (contribution, ascending; grade 1 the most valuable): %.2f %.2f %.2f %.2f\n", s->tier_cut[0], s->tier_cut[1],
           s->tier_cut[2], s->tier_cut[3]);
    printf("churn types: %s\n", s->has_types ? "/subscribers/p_voluntary and /subscribers/p_involuntary"
                                             : "none (the model has no churn types)");
    if (s->n_segments) printf("segments: %zu (/subscribers/segment; names in /segments/name)\n", s->n_segments);
    else printf("segments: none (the model has no segments)\n");
    printf("\n%-24s %12s %12s %9s %9s %9s %16s %8s\n", "region", "subscribers", "exp.leavers", "alarm",
           "warning", "listed", "value_at_risk", "AUC");
    for (size_t r = 0; r < s->n_regions; r++)
        printf("%-24s %12.0f %12.2f %9.0f %9.0f %9.0f %16.2f %8.4f\n", s->region_names[r],
               s->subscribers[r], s->expected_leavers[r], s->alarm[r], s->warning[r], s->listed[r],
               s->value_at_risk[r], s->validated ? s->region_auc[r] : NAN);
    if (s->validated)
        printf("\nvalidation on %llu of %llu labelled subscribers (%llu churned): AUC %.4f, lift@10%% %.2f, "
               "capture 5/10/20%% %.3f/%.3f/%.3f, KS %.4f, Brier %.5f\n",
               (unsigned long long)s->val_n, (unsigned long long)s->labelled,
               (unsigned long long)s->val_npos, s->auc, s->lift10, s->capture5, s->capture10,
               s->capture20, s->ks, s->brier);
    else
        printf("\nvalidation: none (the snapshot had no labels)\n");
}

int inspect_scores(const cmd_ctx *ctx, const char *path, int json)
{
    int rc = CS_OK;
    if (ctx->rank == 0) {
        scores_info s;
        rc = scores_info_read(path, &s);
        if (rc == CS_OK) {
            if (json) is_json(path, &s);
            else is_text(path, &s);
            fflush(stdout);
        }
        scores_info_clear(&s);
    }
    return red_agree(ctx->comm, rc);
}
