/* cmd_score.c — `churnscore score`: every subscriber scored, ranked early-warning lists per region.
 *
 * The options, and the pipeline, every rank over its own rows (part.h), each phase ending agreed
 * (red_agree) and each in the file named for it:
 *   0. score_open.c: the model (each rank reads it, it is small) matched to the snapshot's columns
 *      BY NAME; the ids checked unique (dupcheck.c); score_outputs.c: rank 0 prepares "DIR.tmp",
 *      all create "SCORES.h5.tmp";
 *   1. score_pass.c: one pass over the rank's rows: probabilities, reasons, stage, phase and value
 *      at risk per row, written as they are done; candidates for the lists, per-region sums, the
 *      validation rows and an ARPU histogram kept;
 *   2. score_tiers.c: ARPU quintile cut-offs exactly across ranks, tiers written; the per-region sums
 *      and the drift reduced (score_pass.c);
 *   3. score_lists.c: each region's list merged across ranks and written, by its owner rank or by
 *      rank 0; score_prev.c (issue 15) joins the candidates with last month's scores before and
 *      stores the months on the lists after;
 *   4. score_validate.c: with labels, the scores evaluated exactly, overall and per region;
 *   5. score_summary.c: rank 0 writes the summaries; score_outputs.c: SCORES.h5 and DIR are renamed
 *      into place together, only if all went well; the summary is printed.
 * Everything a user sees (lists, summaries, validation, the datasets of SCORES.h5) is the same bit for
 * bit for any rank count. The job's state, part by part, is in score_job.h.
 */
#include "cmd.h"
#include "comm.h"
#include "dupcheck.h"
#include "log.h"
#include "opts.h"
#include "outguard.h"
#include "reduce.h"
#include "score_job.h"
#include "score_lists.h"
#include "score_open.h"
#include "score_outputs.h"
#include "score_pass.h"
#include "score_prev.h"
#include "score_summary.h"
#include "score_tiers.h"
#include "score_validate.h"
#include "status.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collective. Phases 0 (the outputs begun) to 5 of a run whose inputs score_open matched; settings
 * are the option values SCORES.h5 records. */
static int score_run(score_job *j, const char *settings, score_times *tm)
{
    const cmd_ctx *ctx = j->ctx;
    const score_opts *o = &j->o;
    const snap_schema *s = j->in.s;
    score_outputs out;
    CS_TRY(score_prev_open(j)); /* before anything is written: a wrong --previous-scores writes nothing */
    CS_TRY(score_outputs_lists_begin(j, &out));
    j->vs.thr = score_validate_threshold(s, o->validate_max);
    int rc = score_outputs_scores_begin(j, settings, &out);
    char topdesc[32] = "all";
    if (o->top) snprintf(topdesc, sizeof topdesc, "%llu", (unsigned long long)o->top);
    if (rc == CS_OK)
        log_info("score: %llu subscribers, %zu regions, model with %zu inputs (%zu design columns), "
                 "warning at p >= %.4f, lists of %s per region by %s, %d ranks",
                 (unsigned long long)s->n, s->n_regions, j->in.m.p_in, j->in.m.n_coef, o->rp.warn_cutoff,
                 topdesc, o->rank_by_s, ctx->nranks);

    /* 1. the pass over each rank's rows */
    double t = comm_now();
    if (rc == CS_OK) rc = red_agree(ctx->comm, score_pass(j, out.w));
    tm->pass = comm_now() - t;
    /* 2. the value tiers; the per-region totals and the drift over all ranks */
    t = comm_now();
    if (rc == CS_OK) rc = score_tiers(j, out.w);
    tm->tiers = comm_now() - t;
    if (rc == CS_OK) rc = score_totals_reduce(j);
    /* 3. the lists, each row joined with last month's scores (issue 15), and the months on the
     * lists stored for next month */
    t = comm_now();
    if (rc == CS_OK) rc = score_prev_join(j);
    if (rc == CS_OK) rc = score_lists(j, &out.lc, out.tmpdir);
    if (rc == CS_OK) rc = score_prev_months(j, out.w);
    tm->lists = comm_now() - t;
    /* 4. the validation */
    t = comm_now();
    if (rc == CS_OK && s->has_labels) rc = score_validate(j);
    tm->validation = comm_now() - t;
    /* 5. the summaries, both outputs committed together, the printed summary */
    score_columns cols = {0};
    if (rc == CS_OK) rc = score_columns_alloc(&cols, j);
    t = comm_now();
    if (rc == CS_OK && ctx->rank == 0) rc = score_summary_write(j, &cols, &out.lc, out.tmpdir);
    rc = red_agree(ctx->comm, rc);
    scores_final fin;
    score_summary_final(j, &cols, &fin);
    rc = score_outputs_commit(j, &out, rc, &fin);
    tm->lists += comm_now() - t;
    score_summary_print(j, &cols, tm, rc == CS_OK);
    score_columns_free(&cols);
    return rc;
}

int cmd_score(const cmd_ctx *ctx, int argc, char **argv)
{
    score_job j;
    score_job_init(&j, ctx);
    score_opts *o = &j.o;
    rules_params_default(&o->rp); /* the model's warning cut-off; the options come from the table */
    o->warn_cutoff = NAN;
    double warn = -1;
    char *lists_arg = NULL; /* --lists without trailing slashes, when it had them */
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"in", &o->in}, {"model", &o->model}, {"out", &o->out}, {"lists", &o->lists}, {"top", &o->top},
        {"rank-by", &o->rank_by_s}, {"mask-ids", &o->mask_ids}, {"bom", &o->bom}, {"no-bom", &o->no_bom},
        {"capacity", &o->capacity}, {"playbook", &o->playbook}, {"list-columns", &o->list_columns},
        {"tags", &o->tags}, {"previous-scores", &o->previous_scores},
        {"lang", &o->lang_s}, {"collections-cutoff", &o->collections_cutoff},
        {"horizon", &o->horizon}, {"control", &o->control}, {"warn-cutoff", &warn},
        {"onboarding-months", &o->rp.onboarding_months}, {"growth-months", &o->rp.growth_months},
        {"contract-ending-months", &o->rp.contract_ending_months}, {"traffic-fall", &o->rp.traffic_fall},
        {"idle-days", &o->rp.idle_days}, {"collapse", &o->rp.collapse},
        {"collapse-min", &o->rp.collapse_min}, {"validate-max", &o->validate_max},
        {"block-rows", &o->block}, {"memory", &o->memory}, {"read-only", &o->read_only}, {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_SCORE, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    if (rc == CS_OK && !o->read_only) {
        if (!o->model) rc = CS_ERROR(CS_EINVAL, "option --model is required");
        else if (!o->out) rc = CS_ERROR(CS_EINVAL, "option --out is required");
        else if (!o->lists) rc = CS_ERROR(CS_EINVAL, "option --lists is required");
    }
    /* values are checked by the table; here they become what the pipeline reads */
    if (rc == CS_OK) o->rank_by_risk = strcmp(o->rank_by_s, "value_at_risk") == 0;
    if (rc == CS_OK) o->lang = lang_parse(o->lang_s) == LANG_ZH ? LANG_ZH : LANG_EN; /* the table checked it */
    if (rc == CS_OK && o->bom && o->no_bom) rc = CS_ERROR(CS_EINVAL, "options --bom and --no-bom contradict each other");
    if (rc == CS_OK && warn != -1) o->warn_cutoff = o->rp.warn_cutoff = warn;
    /* "L/" would make the temporary directory "L/.tmp", inside L itself */
    if (rc == CS_OK && o->lists) {
        size_t len = strlen(o->lists);
        while (len > 1 && o->lists[len - 1] == '/') len--;
        if (len < strlen(o->lists) && !(lists_arg = strndup(o->lists, len)))
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
        if (lists_arg) o->lists = lists_arg;
    }
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) {
        free(lists_arg);
        return rc;
    }
    /* before anything is written: no output may touch an input or another output, and each is
     * locked against a second run (outguard.h); rank 0 decides and holds the locks */
    outguard *guard = NULL;
    if (!o->read_only) {
        outguard_path paths[8] = {{"--in", o->in, OUTGUARD_INPUT}, {"--model", o->model, OUTGUARD_INPUT},
                                  {"--out", o->out, OUTGUARD_OUTPUT}, {"--lists", o->lists, OUTGUARD_OUTPUT_DIR}};
        size_t np = 4;
        if (o->playbook) paths[np++] = (outguard_path){"--playbook", o->playbook, OUTGUARD_INPUT};
        if (o->capacity) paths[np++] = (outguard_path){"--capacity", o->capacity, OUTGUARD_INPUT};
        if (o->tags) paths[np++] = (outguard_path){"--tags", o->tags, OUTGUARD_INPUT};
        if (o->previous_scores) paths[np++] = (outguard_path){"--previous-scores", o->previous_scores, OUTGUARD_INPUT};
        if (ctx->rank == 0) rc = outguard_acquire(paths, np, &guard);
        rc = red_agree(ctx->comm, rc);
        if (rc != CS_OK) {
            free(lists_arg);
            return rc;
        }
    }

    score_times tm = {.start = comm_now()};
    /* 0. inputs; duplicate ids would put one subscriber twice on a list */
    rc = red_agree(ctx->comm, score_open(&j));
    if (rc == CS_OK && !o->read_only) rc = dup_check(ctx, j.in.r, o->memory);
    char *settings = options_describe(&defs);
    if (rc == CS_OK) rc = o->read_only ? score_read_only(&j) : score_run(&j, settings, &tm);
    free(settings);
    score_close(&j);
    outguard_release(guard);
    free(lists_arg);
    return rc;
}
