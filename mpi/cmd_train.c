/* cmd_train.c — `churnscore train`: screening, correlation, factor analysis, logistic churn model,
 * boosted trees, and the choice between the two.
 *
 * The pipeline, every rank over its own rows, every sum through the rank-independent reductions of
 * reduce.h so that the model file is the same bit for bit for any rank count; each stage in the file
 * named for it:
 *   0. a sample of the first rows (the same rows on every rank) gives each indicator a shift and a
 *      candidate mode, so that pass 1 can accumulate shifted sums (accurate) and the mode share;
 *   1. one fused pass: screening statistics and the imputed covariance (train_moments.c);
 *   2. on every rank, identically: screening, each indicator's role (model/inputs.c), correlation,
 *      KMO/Bartlett, factor analysis with varimax and regression score coefficients, or raw
 *      indicators where FA is not advisable (train_fa.c); the model's structure (train_structure.c);
 *   3. the logistic model by IRLS (train_irls.c); the design rows come from train_pass.c, cached in
 *      float32 between passes when they fit the --memory budget;
 *   3b. boosted trees on the same design columns (train_gbm.c), kept when they beat the logistic
 *      model on a validation part of the training rows (--model-kind auto);
 *   3c. where the snapshot says how each leaver left (churn_type), a logistic model of each churn
 *      type, voluntary and involuntary, on the same design (train_irls.c);
 *   4. the holdout is scored, its exact metrics, warning cut-off and drift reference computed
 *      (train_holdout.c); rank 0 writes the model file and the report (train_write.c,
 *      train_report.c), and prints the summary.
 * This file holds the options and runs the stages in order. Each stage ends agreed across ranks
 * (red_agree), or is local and followed by an agreement here, so a failure stops every rank
 * together. */
#include "cmd.h"
#include "comm.h"
#include "dupcheck.h"
#include "gbm.h"
#include "log.h"
#include "opts.h"
#include "html.h"
#include "outguard.h"
#include "playbook.h"
#include "reduce.h"
#include "status.h"
#include "train_candidates.h"
#include "train_fa.h"
#include "train_gbm.h"
#include "train_holdout.h"
#include "train_irls.h"
#include "train_moments.h"
#include "train_pass.h"
#include "train_segments.h"
#include "train_structure.h"
#include "train_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Ends the timing of a stage: its seconds and the passes over the snapshot so far (sc NULL before
 * the scan exists). */
static void train_lap(train_outcome *out, int stage, double *t_stage, const scan_state *sc)
{
    double now = comm_now();
    out->secs[stage] = now - *t_stage;
    out->passes[stage] = sc ? scan_passes(sc) : 0;
    *t_stage = now;
}

int cmd_train(const cmd_ctx *ctx, int argc, char **argv)
{
    train_run t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx;
    train_opts *o = &t.o;
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"in", &o->in}, {"model", &o->model}, {"factors", &o->factors_s}, {"extraction", &o->extraction},
        {"inputs", &o->inputs_s}, {"holdout", &o->holdout}, {"l2", &o->l2},
        {"class-weight", &o->class_weight}, {"max-missing", &o->max_missing},
        {"max-mode-share", &o->max_mode}, {"max-corr", &o->max_corr}, {"kmo-min", &o->kmo_min},
        {"onboarding-months", &o->onboarding}, {"contract-ending-months", &o->contract_ending},
        {"warn-cutoff", &o->warn_cutoff}, {"warn-top", &o->warn_top}, {"max-iter", &o->max_iter},
        {"block-rows", &o->block}, {"memory", &o->memory}, {"warm-rows", &o->warm_rows},
        {"cache", &o->cache}, {"validate-max", &o->validate_max}, {"report", &o->report},
        {"model-kind", &o->kind}, {"trees", &o->trees}, {"depth", &o->depth}, {"eta", &o->eta},
        {"tree-l2", &o->tree_l2}, {"min-leaf", &o->min_leaf}, {"bins", &o->bins},
        {"gbm-rows", &o->gbm_rows}, {"candidate-rows", &o->candidate_rows}, {"playbook", &o->playbook}, {"lang", &o->lang},
        {"segments", &o->segments}, {"segment-rows", &o->segment_rows},
        {"derived", &o->derived}, {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_TRAIN, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    long kfix = 0;
    int inputs_auto = 0, inputs_best = 0, inputs = CMODEL_INPUTS_FACTORS;
    if (rc == CS_OK) {
        /* values are checked by the table; here they become what the pipeline reads */
        if (strcmp(o->factors_s, "auto") != 0) kfix = strtol(o->factors_s, NULL, 10);
        /* best: auto's rules (KMO, a proper solution), then the three candidates compared */
        inputs_best = strcmp(o->inputs_s, "best") == 0;
        if (strcmp(o->inputs_s, "auto") == 0 || inputs_best) inputs_auto = 1;
        else if (strcmp(o->inputs_s, "raw") == 0) inputs = CMODEL_INPUTS_RAW;
        else if (strcmp(o->inputs_s, "both") == 0) inputs = CMODEL_INPUTS_BOTH;
        if (rc == CS_OK) {
            gbm_params gp;
            train_gbm_params(o, &gp);
            if (gbm_params_check(&gp) != CS_OK)
                rc = CS_ERROR(CS_EINVAL, "boosted-tree options: %s", status_reason());
        }
        t.validation = strcmp(o->kind, "auto") == 0;
    }
    /* the playbook the month's score will use, refused now (a hole, an unknown word) rather than
     * after the training: every rank reads the page of text and the ranks agree */
    if (rc == CS_OK && o->playbook) {
        playbook *pb = NULL;
        rc = playbook_read(o->playbook, &pb);
        playbook_free(pb);
    }
    /* before anything is written: no output may touch --in or the other output, and each is locked
     * against a second run (outguard.h); rank 0 decides and holds the locks */
    outguard *guard = NULL;
    /* the HTML report goes beside the Markdown one (R.md -> R.html) */
    char *html = rc == CS_OK && o->report ? html_path_beside(o->report) : NULL;
    if (rc == CS_OK && o->report && !html) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    /* --derived FILE is an input like the playbook; none and default name no file (a NULL path is
     * skipped, as an absent --playbook is) */
    const char *derived_file = rc == CS_OK && o->derived && strcmp(o->derived, "none") != 0 &&
                               strcmp(o->derived, "default") != 0 ? o->derived : NULL;
    outguard_path paths[] = {{"--in", o->in, OUTGUARD_INPUT}, {"--model", o->model, OUTGUARD_OUTPUT},
                             {"--report", o->report, OUTGUARD_OUTPUT}, {"--report", html, OUTGUARD_OUTPUT},
                             {"--playbook", o->playbook, OUTGUARD_INPUT},
                             {"--derived", derived_file, OUTGUARD_INPUT}};
    if (rc == CS_OK && ctx->rank == 0) rc = outguard_acquire(paths, sizeof paths / sizeof paths[0], &guard);
    free(html);
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;
    /* the total counts from the opening of the snapshot, as in score: the id check is work too */
    double t_start = comm_now(), t_stage = t_start;
    if (rc == CS_OK) rc = train_open(&t);
    if (rc == CS_OK) rc = train_moments_budget(&t); /* each decides for its rows, agreed below */
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = dup_check(ctx, t.r, o->memory);
    if (rc != CS_OK) {
        train_run_clear(&t);
        outguard_release(guard);
        return rc;
    }
    train_outcome out;
    memset(&out, 0, sizeof out);
    train_lap(&out, TRAIN_T_IDS, &t_stage, NULL);
    log_info("train: %s: %llu subscribers, %zu indicators, month %s, %d ranks", o->in,
             (unsigned long long)t.s->n, t.p, t.s->month, ctx->nranks);
    size_t feat_cache = 0;
    rc = train_scan_open(&t, &feat_cache);

    /* ---- stages 0 and 1: shifts and modes, then the moments pass ---- */
    train_stats st;
    memset(&st, 0, sizeof st);
    if (rc == CS_OK) rc = train_moments(&t, &st);
    train_lap(&out, TRAIN_T_PASS1, &t_stage, &t.sc);
    if (rc == CS_OK)
        log_info("train: pass 1 (screening + correlation) %.2f s: %llu training rows (%lld churned), "
                 "%llu holdout rows", out.secs[TRAIN_T_PASS1], (unsigned long long)st.n_train,
                 (long long)st.counts[1], (unsigned long long)st.n_hold);

    /* ---- stage 2 and the model's structure (identical on every rank) ---- */
    cmodel m;
    memset(&m, 0, sizeof m);
    m.tenure_idx = m.contract_idx = -1;
    modelfile_story story;
    modelfile_story_init(&story);
    train_choice ch;
    memset(&ch, 0, sizeof ch);
    if (rc == CS_OK) rc = train_choose(&t, &st, kfix, inputs_auto, inputs, &story, &ch);
    /* the same on every rank so far; the candidates' fits are collective */
    rc = red_agree(ctx->comm, rc);
    train_lap(&out, TRAIN_T_FA, &t_stage, &t.sc);
    if (rc == CS_OK && inputs_best) rc = train_candidates(&t, &st, &ch, &story, feat_cache);
    train_lap(&out, TRAIN_T_CAND, &t_stage, &t.sc);
    if (rc == CS_OK) rc = train_structure(&t, &st, &ch, &m, &story);
    /* the same arithmetic on every rank, but an allocation can fail on one: agree before the design
     * blocks are sized from m */
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK)
        log_info("train: screening kept %zu of %zu indicators (+%zu signals); %s; %zu model inputs "
                 "(%.2f s)", ch.in->npool, t.p, ch.in->nsig, ch.reason, m.n_coef, out.secs[TRAIN_T_FA] + out.secs[TRAIN_T_CAND]);

    /* ---- stage 3: the logistic model ---- */
    if (rc == CS_OK) rc = train_design_alloc(&t, &m, feat_cache, &out.all_cached);
    out.irls.loglik = NAN;
    if (rc == CS_OK) rc = train_irls(&t, &m, (double)st.counts[1] / (double)st.n_train, &out.irls);
    train_lap(&out, TRAIN_T_IRLS, &t_stage, &t.sc);

    /* ---- stage 3b: boosted trees, and the choice between the two ---- */
    if (rc == CS_OK)
        rc = train_gbm_choose(&t, &m, st.n_train, (double)st.counts[1] / (double)st.n_train, &out.irls,
                              out.choice, sizeof out.choice, story.calibration, sizeof story.calibration);
    train_lap(&out, TRAIN_T_GBM, &t_stage, &t.sc);

    /* ---- stage 3c: the churn types ---- */
    if (rc == CS_OK)
        rc = train_irls_types(&t, &m, st.type_counts, st.n_train, out.types, story.types_reason,
                              sizeof story.types_reason);
    train_lap(&out, TRAIN_T_TYPES, &t_stage, &t.sc);

    /* ---- stage 4: holdout (its pass also collects the segment sample) ---- */
    train_seg seg;
    memset(&seg, 0, sizeof seg);
    if (rc == CS_OK) rc = red_agree(ctx->comm, train_segments_prepare(&t, &m, o->segments, o->segment_rows, &seg));
    if (rc == CS_OK) rc = train_holdout(&t, &m, st.n_hold, &story);
    train_lap(&out, TRAIN_T_HOLD, &t_stage, &t.sc);

    /* ---- stage 5: segments within each brand (one pass over the snapshot) ---- */
    if (rc == CS_OK) rc = train_segments(&t, &m, &seg);
    else train_seg_clear(&seg);
    train_lap(&out, TRAIN_T_SEG, &t_stage, &t.sc);

    /* ---- the model and the report (rank 0), the summary ---- */
    if (rc == CS_OK) {
        char *desc = options_describe(&defs);
        rc = train_write(&t, &st, &ch, &m, &out, desc, &story);
        free(desc);
    }
    train_lap(&out, TRAIN_T_WRITE, &t_stage, &t.sc);
    train_summary(&t, &ch, &m, &story, &out, comm_now() - t_start, rc);

    train_choice_clear(&ch);
    train_stats_clear(&st);
    cmodel_clear(&m);
    modelfile_story_clear(&story);
    train_run_clear(&t);
    outguard_release(guard);
    return rc;
}
