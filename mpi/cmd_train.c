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
#include "outguard.h"
#include "reduce.h"
#include "status.h"
#include "train_fa.h"
#include "train_gbm.h"
#include "train_holdout.h"
#include "train_irls.h"
#include "train_moments.h"
#include "train_pass.h"
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
    o->factors_s = "auto";
    o->inputs_s = "auto";
    o->extraction = "pa";
    o->cache = "auto";
    o->holdout = 0.2;
    o->l2 = 1.0;
    o->class_weight = 1.0;
    o->max_missing = 0.5;
    o->max_mode = 0.95;
    o->max_corr = 0.95;
    o->kmo_min = 0.6;
    o->onboarding = 3;
    o->contract_ending = 1;
    o->warn_cutoff = -1;
    o->warn_top = 0.05;
    o->block = 65536;
    o->memory = (uint64_t)2 << 30;
    o->validate_max = 1000000;
    o->max_iter = 30;
    o->kind = "auto";
    o->trees = 300;
    o->depth = 4;
    o->eta = 0.05;
    o->tree_l2 = 1.0;
    o->min_leaf = 20;
    o->bins = 64;
    o->gbm_rows = 250000;
    o->warm_rows = 1000000;
    opt_def defs[] = {
        {"in", OPT_STR, &o->in, "labelled snapshot to train on", 1, 0},
        {"model", OPT_STR, &o->model, "model file to write", 1, 0},
        {"factors", OPT_STR, &o->factors_s, "number of factors, or auto (Kaiser: eigenvalue > 1)", 0, 0},
        {"extraction", OPT_STR, &o->extraction, "pa|ml: principal axis (psych::fa) or maximum likelihood (factanal)", 0, 0},
        {"inputs", OPT_STR, &o->inputs_s, "auto|factors|raw|both: what the logistic model is fitted on", 0, 0},
        {"holdout", OPT_DOUBLE, &o->holdout, "share of subscribers (by id hash) kept out for evaluation", 0, 0},
        {"l2", OPT_DOUBLE, &o->l2, "L2 penalty on the coefficients (not the intercept)", 0, 0},
        {"class-weight", OPT_DOUBLE, &o->class_weight, "weight of a churner relative to a stayer", 0, 0},
        {"max-missing", OPT_DOUBLE, &o->max_missing, "drop indicators with a larger missing share", 0, 0, 0, 1},
        {"max-mode-share", OPT_DOUBLE, &o->max_mode, "drop near-constant indicators (share of the most frequent value)", 0, 0, 0, 1},
        {"max-corr", OPT_DOUBLE, &o->max_corr, "of two indicators correlated above this keep one", 0, 0, 0, 1},
        {"kmo-min", OPT_DOUBLE, &o->kmo_min, "inputs auto: factor analysis only when KMO is at least this", 0, 0, 0, 1},
        {"onboarding-months", OPT_DOUBLE, &o->onboarding, "tenure up to this is onboarding", 0, 0},
        {"contract-ending-months", OPT_DOUBLE, &o->contract_ending, "contract ending: months left up to this", 0, 0},
        {"warn-cutoff", OPT_DOUBLE, &o->warn_cutoff, "probability for the warning phase (<0: from --warn-top)", 0, 0},
        {"warn-top", OPT_DOUBLE, &o->warn_top, "without --warn-cutoff: the cut-off flags this share of the holdout", 0, 0, 0, 1},
        {"max-iter", OPT_INT, &o->max_iter, "IRLS iteration limit", 0, 0, 1, 10000},
        {"block-rows", OPT_U64, &o->block, "rows per read", 0, 0, 1, HUGE_VAL},
        {"memory", OPT_BYTES, &o->memory, "memory budget per rank (e.g. 2G)", 0, 0},
        {"warm-rows", OPT_U64, &o->warm_rows, "IRLS first converges on a sample of this many rows (when there are more than twice as many)", 0, 0},
        {"cache", OPT_STR, &o->cache, "auto|no: keep the design matrix in memory between passes when it fits", 0, 0},
        {"validate-max", OPT_U64, &o->validate_max, "holdout rows evaluated, and validation rows for the model choice, at most (hash samples)", 0, 0},
        {"report", OPT_STR, &o->report, "write a Markdown report here", 0, 0},
        {"model-kind", OPT_STR, &o->kind, "auto|logit|gbm: logistic model, boosted trees, or the better of the two on a validation part of the training rows", 0, 0},
        {"trees", OPT_INT, &o->trees, "boosted trees: rounds", 0, 0},
        {"depth", OPT_INT, &o->depth, "boosted trees: depth", 0, 0},
        {"eta", OPT_DOUBLE, &o->eta, "boosted trees: learning rate", 0, 0},
        {"tree-l2", OPT_DOUBLE, &o->tree_l2, "boosted trees: L2 penalty on leaf values", 0, 0},
        {"min-leaf", OPT_DOUBLE, &o->min_leaf, "boosted trees: minimum rows in a leaf", 0, 0},
        {"bins", OPT_INT, &o->bins, "boosted trees: histogram bins per input (<= 64)", 0, 0},
        {"gbm-rows", OPT_U64, &o->gbm_rows, "boosted trees: fitted on a hash sample of at most this many rows", 0, 0},
        {NULL, 0, NULL, NULL, 0, 0},
    };
    int rc = opt_parse(defs, argc, argv, 2, "churnscore train --in SNAPSHOT.h5 --model MODEL.h5 [options]",
                       NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    long kfix = 0;
    int inputs_auto = 0, inputs = CMODEL_INPUTS_FACTORS;
    if (rc == CS_OK) {
        if (strcmp(o->factors_s, "auto") != 0) {
            char *end;
            kfix = strtol(o->factors_s, &end, 10);
            if (*end || kfix <= 0) rc = CS_ERROR(CS_EINVAL, "option --factors: '%s' is not a positive count or auto", o->factors_s);
        }
        if (strcmp(o->inputs_s, "auto") == 0) inputs_auto = 1;
        else if (strcmp(o->inputs_s, "factors") == 0) inputs = CMODEL_INPUTS_FACTORS;
        else if (strcmp(o->inputs_s, "raw") == 0) inputs = CMODEL_INPUTS_RAW;
        else if (strcmp(o->inputs_s, "both") == 0) inputs = CMODEL_INPUTS_BOTH;
        else rc = CS_ERROR(CS_EINVAL, "option --inputs: '%s' is not auto, factors, raw or both", o->inputs_s);
        if (rc == CS_OK && strcmp(o->extraction, "pa") != 0 && strcmp(o->extraction, "ml") != 0)
            rc = CS_ERROR(CS_EINVAL, "option --extraction: '%s' is not pa or ml", o->extraction);
        if (rc == CS_OK && !(o->holdout >= 0 && o->holdout < 1))
            rc = CS_ERROR(CS_EINVAL, "option --holdout must be in [0, 1)");
        if (rc == CS_OK && !(o->l2 >= 0)) rc = CS_ERROR(CS_EINVAL, "option --l2 must be >= 0");
        if (rc == CS_OK && !(o->class_weight > 0)) rc = CS_ERROR(CS_EINVAL, "option --class-weight must be > 0");
        if (rc == CS_OK && strcmp(o->kind, "auto") && strcmp(o->kind, "logit") && strcmp(o->kind, "gbm"))
            rc = CS_ERROR(CS_EINVAL, "option --model-kind: '%s' is not auto, logit or gbm", o->kind);
        if (rc == CS_OK && (o->trees < 1 || o->depth < 1 || o->depth > GBM_MAX_DEPTH || o->bins < 2 ||
                            o->bins > GBM_MAX_BINS || !(o->eta > 0) || o->gbm_rows < 100))
            rc = CS_ERROR(CS_EINVAL, "boosted-tree options out of range (trees >= 1, depth 1..%d, bins 2..%d, "
                          "eta > 0, gbm-rows >= 100)", GBM_MAX_DEPTH, GBM_MAX_BINS);
        if (rc == CS_OK) {
            gbm_params gp;
            train_gbm_params(o, &gp);
            if (gbm_params_check(&gp) != CS_OK)
                rc = CS_ERROR(CS_EINVAL, "boosted-tree options: %s", status_reason());
        }
        t.validation = strcmp(o->kind, "auto") == 0;
    }
    /* before anything is written: no output may touch --in or the other output, and each is locked
     * against a second run (outguard.h); rank 0 decides and holds the locks */
    outguard *guard = NULL;
    outguard_path paths[] = {{"--in", o->in, OUTGUARD_INPUT}, {"--model", o->model, OUTGUARD_OUTPUT},
                             {"--report", o->report, OUTGUARD_OUTPUT}};
    if (rc == CS_OK && ctx->rank == 0) rc = outguard_acquire(paths, 3, &guard);
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
    if (rc == CS_OK) rc = train_structure(&t, &st, &ch, &m, &story);
    /* the same arithmetic on every rank, but an allocation can fail on one: agree before the design
     * blocks are sized from m */
    rc = red_agree(ctx->comm, rc);
    train_lap(&out, TRAIN_T_FA, &t_stage, &t.sc);
    if (rc == CS_OK)
        log_info("train: screening kept %zu of %zu indicators (+%zu signals); %s; %zu model inputs "
                 "(%.2f s)", ch.in->npool, t.p, ch.in->nsig, ch.reason, m.n_coef, out.secs[TRAIN_T_FA]);

    /* ---- stage 3: the logistic model ---- */
    if (rc == CS_OK) rc = train_design_alloc(&t, &m, feat_cache, &out.all_cached);
    out.irls.loglik = NAN;
    if (rc == CS_OK) rc = train_irls(&t, &m, (double)st.counts[1] / (double)st.n_train, &out.irls);
    train_lap(&out, TRAIN_T_IRLS, &t_stage, &t.sc);

    /* ---- stage 3b: boosted trees, and the choice between the two ---- */
    if (rc == CS_OK) rc = train_gbm_choose(&t, &m, st.n_train, out.choice, sizeof out.choice);
    train_lap(&out, TRAIN_T_GBM, &t_stage, &t.sc);

    /* ---- stage 4: holdout ---- */
    if (rc == CS_OK) rc = train_holdout(&t, &m, st.n_hold, &story);
    train_lap(&out, TRAIN_T_HOLD, &t_stage, &t.sc);

    /* ---- the model and the report (rank 0), the summary ---- */
    if (rc == CS_OK) {
        char *desc = opt_describe(defs);
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
