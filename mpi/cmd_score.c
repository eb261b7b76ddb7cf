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
 *      rank 0;
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
    /* 3. the lists */
    t = comm_now();
    if (rc == CS_OK) rc = score_lists(j, &out.lc, out.tmpdir);
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
    o->rank_by_s = "probability";
    o->block = 65536;
    o->validate_max = 1000000;
    o->memory = (uint64_t)2 << 30;
    o->horizon = 12;
    o->warn_cutoff = NAN;
    rules_params_default(&o->rp);
    double warn = -1;
    char *lists_arg = NULL; /* --lists without trailing slashes, when it had them */
    opt_def defs[] = {
        {"in", OPT_STR, &o->in, "snapshot to score (required)", 1, 0},
        {"model", OPT_STR, &o->model, "model file from churnscore train (required)", 0, 0},
        {"out", OPT_STR, &o->out, "scores file to write (required)", 0, 0},
        {"lists", OPT_STR, &o->lists, "directory for the per-region lists (required)", 0, 0},
        {"top", OPT_U64, &o->top, "list at most K subscribers per region (0: all alarm and warning)", 0, 0},
        {"rank-by", OPT_STR, &o->rank_by_s, "order of the lists: probability or value_at_risk", 0, 0},
        {"mask-ids", OPT_FLAG, &o->mask_ids, "mask all but the last 4 digits of ids in the lists", 0, 0},
        {"bom", OPT_FLAG, &o->bom, "start the CSV files with a UTF-8 byte order mark (for Excel)", 0, 0},
        {"horizon", OPT_DOUBLE, &o->horizon, "months of ARPU at risk: value at risk = p x ARPU x horizon", 0, 0, 0, 1200},
        {"warn-cutoff", OPT_DOUBLE, &warn, "warning phase at probability >= this (-1: the model's)", 0, 0},
        {"onboarding-months", OPT_DOUBLE, &o->rp.onboarding_months, "onboarding stage: tenure <= this", 0, 0},
        {"growth-months", OPT_DOUBLE, &o->rp.growth_months, "growth stage: tenure <= this", 0, 0},
        {"contract-ending-months", OPT_DOUBLE, &o->rp.contract_ending_months,
         "decline stage: contract ends within this many months", 0, 0},
        {"traffic-fall", OPT_DOUBLE, &o->rp.traffic_fall,
         "decline (no contract): minutes of m3 below (1 - this) x the m1-m2 mean", 0, 0},
        {"idle-days", OPT_DOUBLE, &o->rp.idle_days, "decline (no contract): days without an outgoing call >= this", 0, 0},
        {"collapse", OPT_DOUBLE, &o->rp.collapse, "alarm: traffic of m3 <= this x the m1-m2 mean", 0, 0},
        {"collapse-min", OPT_DOUBLE, &o->rp.collapse_min, "... when the m1-m2 mean is at least this", 0, 0},
        {"validate-max", OPT_U64, &o->validate_max, "labelled rows gathered for the validation (a hash-of-id sample beyond)", 0, 0, 1, 100000000},
        {"block-rows", OPT_U64, &o->block, "rows per read", 0, 0, 1, HUGE_VAL},
        {"memory", OPT_BYTES, &o->memory, "per-rank budget for lists and per-row values, e.g. 2G (0: none)", 0, 0},
        {"read-only", OPT_FLAG, &o->read_only, "only read the datasets scoring reads and print the time", 0, 0},
        {NULL, 0, NULL, NULL, 0, 0},
    };
    int rc = opt_parse(defs, argc, argv, 2,
                       "churnscore score --in SNAPSHOT.h5 --model MODEL.h5 --out SCORES.h5 --lists DIR [options]",
                       NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    if (rc == CS_OK && !o->read_only) {
        if (!o->model) rc = CS_ERROR(CS_EINVAL, "option --model is required");
        else if (!o->out) rc = CS_ERROR(CS_EINVAL, "option --out is required");
        else if (!o->lists) rc = CS_ERROR(CS_EINVAL, "option --lists is required");
    }
    if (rc == CS_OK) {
        if (strcmp(o->rank_by_s, "probability") == 0) o->rank_by_risk = 0;
        else if (strcmp(o->rank_by_s, "value_at_risk") == 0) o->rank_by_risk = 1;
        else rc = CS_ERROR(CS_EINVAL, "option --rank-by: '%s' is not probability or value_at_risk", o->rank_by_s);
    }
    if (rc == CS_OK && !(o->horizon >= 0 && o->horizon <= 1200))
        rc = CS_ERROR(CS_EINVAL, "option --horizon: %g is outside [0, 1200] months", o->horizon);
    if (rc == CS_OK && o->validate_max == 0) rc = CS_ERROR(CS_EINVAL, "option --validate-max must be > 0");
    if (rc == CS_OK && o->validate_max > 100000000)
        rc = CS_ERROR(CS_EINVAL, "option --validate-max: at most 100000000 rows");
    if (rc == CS_OK && o->block == 0) rc = CS_ERROR(CS_EINVAL, "option --block-rows must be > 0");
    if (rc == CS_OK && warn != -1) {
        if (!(warn >= 0 && warn <= 1)) rc = CS_ERROR(CS_EINVAL, "option --warn-cutoff: %g is not in [0, 1]", warn);
        o->warn_cutoff = o->rp.warn_cutoff = warn;
    }
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
        outguard_path paths[] = {{"--in", o->in, OUTGUARD_INPUT}, {"--model", o->model, OUTGUARD_INPUT},
                                 {"--out", o->out, OUTGUARD_OUTPUT}, {"--lists", o->lists, OUTGUARD_OUTPUT_DIR}};
        if (ctx->rank == 0) rc = outguard_acquire(paths, sizeof paths / sizeof paths[0], &guard);
        rc = red_agree(ctx->comm, rc);
        if (rc != CS_OK) {
            free(lists_arg);
            return rc;
        }
    }

    score_times tm = {.start = comm_now()};
    /* 0. inputs; duplicate ids would put one subscriber twice on a list */
    rc = red_agree(ctx->comm, score_open(&j));
    if (rc == CS_OK && !o->read_only) rc = dup_check(ctx, j.in.r, o->memory ? o->memory : (uint64_t)1 << 30);
    char *settings = opt_describe(defs);
    if (rc == CS_OK) rc = o->read_only ? score_read_only(&j) : score_run(&j, settings, &tm);
    free(settings);
    score_close(&j);
    outguard_release(guard);
    free(lists_arg);
    return rc;
}
