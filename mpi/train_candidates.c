/* train_candidates.c — with --inputs best, which inputs the logistic model takes: the factor scores,
 * the raw screened indicators, or both, chosen by their AUC on the same validation rows (issue 21).
 *
 * KMO alone used to decide (factors whenever KMO >= --kmo-min), and on generated data the factors
 * cost 0.004 AUC against the raw indicators. Comparing the three by full fits would triple the IRLS
 * stage, so they share one structure and one pass: the structure of "both" (factor scores, raw
 * indicators, signals, lifecycle flags, brand dummies) holds every column any candidate uses, each
 * candidate being a subset of its columns; one pass over the snapshot draws a hash sample of at most
 * --candidate-rows training rows (the validation part out) and the validation rows (at most
 * --validate-max); each candidate is fitted by the same IRLS on the sample alone; each one's AUC on the
 * validation rows is exact on rank 0 (gathered in row order, as the trees' are). The winner is the
 * highest AUC, a candidate with more columns (factors, then raw, then both) having to beat the one
 * before by CAND_AUC_MARGIN, and the training goes
 * on with its structure as if asked for it: fitted on all rows and then compared with the trees.
 * Everything is rank-independent: the sample and the validation rows are chosen by id, the fits'
 * sums go through the fixed reduction tree, and the AUC is computed on one rank.
 */
#include "train_candidates.h"

#include "comm.h"
#include "gather.h"
#include "log.h"
#include "metrics.h"
#include "reduce.h"
#include "status.h"
#include "train_irls.h"
#include "train_structure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CAND_FACTORS, CAND_RAW, CAND_BOTH, CAND_N };
/* The AUC a candidate with more design columns must gain to be chosen: one rule for every data set.
 * It keeps the smaller model where the two rank alike (differences below this are below the run-to-run
 * spread of a sample's fit), and the trees, which take the same columns, the cheaper. */
#define CAND_AUC_MARGIN 0.0005
static const int cand_inputs[CAND_N] = {CMODEL_INPUTS_FACTORS, CMODEL_INPUTS_RAW, CMODEL_INPUTS_BOTH};

/* One pass: the candidates' sample and the validation rows (train_pass.h). */
static int cand_block(train_run *t, const cmodel *m, uint64_t block, const float *X, const int8_t *y,
                      const int8_t *ct, const uint8_t *hold, const uint64_t *id, const float *truth, size_t n,
                      void *argp)
{
    CS_TRY(train_irls_sample_block(t, m, block, X, y, ct, hold, id, truth, n, NULL));
    return train_valrows_add(t, argp, X, y, hold, id, n);
}

/* The AUC of scores (this rank's validation rows) over all ranks' rows, the same on every rank. */
static int cand_auc(const train_run *t, const train_valrows *v, const double *score, double *auc)
{
    MPI_Comm comm = t->ctx->comm;
    void *ap = NULL, *al = NULL, *ai = NULL;
    uint64_t tot = 0;
    int rc = gat_rows_to_rank(comm, 0, score, v->n, sizeof(double), &ap, &tot);
    if (rc == CS_OK) rc = gat_rows_to_rank(comm, 0, v->y, v->n, 1, &al, &tot);
    if (rc == CS_OK) rc = gat_rows_to_rank(comm, 0, v->id, v->n, sizeof(int64_t), &ai, &tot);
    double a = NAN;
    if (rc == CS_OK && t->ctx->rank == 0 && tot > 0) {
        metrics_report rep;
        metrics_work *mw = metrics_work_alloc((size_t)tot);
        if (mw && metrics_evaluate(ap, al, ai, (size_t)tot, &rep, mw) == CS_OK) a = rep.auc;
        else status_clear(); /* one class only among the validation rows: no comparison */
        metrics_work_free(mw);
    }
    free(ap);
    free(al);
    free(ai);
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = comm_bcast(comm, 0, &a, sizeof a);
    *auc = a;
    return rc;
}

int train_candidates(train_run *t, const train_stats *st, train_choice *ch, modelfile_story *story,
                     size_t feat_cache)
{
    const train_opts *o = &t->o;
    MPI_Comm comm = t->ctx->comm;
    if (!ch->fa || ch->inputs != CMODEL_INPUTS_FACTORS) return CS_OK;
    /* the structure of "both": the choice shares ch's screening and factor analysis (not freed here) */
    train_choice cb = *ch;
    cb.inputs = CMODEL_INPUTS_BOTH;
    cmodel mb;
    memset(&mb, 0, sizeof mb);
    mb.tenure_idx = mb.contract_idx = -1;
    modelfile_story sb;
    modelfile_story_init(&sb);
    int rc = train_structure(t, st, &cb, &mb, &sb);
    rc = red_agree(comm, rc);
    /* decided on a bound that does not depend on the rank count (as if one rank held every row), so
     * that the model does not either; agreed all the same */
    double need = rc == CS_OK ? train_design_need_whole(t, &mb, feat_cache) : 0;
    int fits = need <= (double)o->memory;
    rc = red_min_int(comm, &fits, 1) == CS_OK ? rc : CS_ERROR(CS_EINTERNAL, "agreement failed");
    if (rc == CS_OK && !fits) {
        size_t l = strlen(ch->reason);
        snprintf(ch->reason + l, sizeof ch->reason - l, "; raw indicators and both not compared: their design "
                 "needs about %.0fM per rank, over --memory %.0fM", need / 1048576, (double)o->memory / 1048576);
        log_info("train: inputs candidates not compared (the design of both needs about %.0fM per rank, over "
                 "--memory %.0fM): factor scores", need / 1048576, (double)o->memory / 1048576);
        train_design_release(t); /* the input columns train_structure set */
        cmodel_clear(&mb);
        modelfile_story_clear(&sb);
        return CS_OK;
    }
    if (rc == CS_OK) rc = train_design_blocks(t, &mb);
    rc = red_agree(comm, rc);
    size_t K = mb.n_coef;
    size_t *cols[CAND_N] = {NULL, NULL, NULL}, kc[CAND_N] = {0, 0, 0};
    double *beta[CAND_N] = {NULL, NULL, NULL}, auc[CAND_N] = {NAN, NAN, NAN};
    double *score = NULL;
    train_valrows v;
    memset(&v, 0, sizeof v);
    for (int c = 0; rc == CS_OK && c < CAND_N; c++) {
        cols[c] = malloc((K ? K : 1) * sizeof(size_t));
        beta[c] = malloc((K ? K : 1) * sizeof(double));
        if (!cols[c] || !beta[c]) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        for (size_t j = 0; rc == CS_OK && j < K; j++) {
            int kind = mb.coef_kind[j];
            if ((c == CAND_FACTORS && kind == CMODEL_COL_INDICATOR) || (c == CAND_RAW && kind == CMODEL_COL_FACTOR))
                continue;
            cols[c][kc[c]++] = j;
        }
    }
    rc = red_agree(comm, rc);
    /* the validation part out of the fits, whether or not --model-kind auto keeps one */
    int validation = t->validation;
    uint64_t n_fit = t->n_fit;
    t->validation = 1;
    double n_rows = (double)st->n_train * (1 - TRAIN_VALIDATION_SHARE);
    t->sfrac = n_rows > (double)o->candidate_rows ? (double)o->candidate_rows / n_rows : 1.0;
    double n_val = (double)st->n_train * TRAIN_VALIDATION_SHARE;
    v.vfrac = n_val > (double)o->validate_max ? (double)o->validate_max / n_val : 1.0;
    v.w = K;
    if (rc == CS_OK) {
        t->sample.n = 0;
        rc = red_agree(comm, train_pass(t, &mb, "train: the inputs candidates' sample", cand_block, &v));
    }
    int64_t ns = (int64_t)t->sample.n;
    if (rc == CS_OK) rc = red_sum_i64(comm, &ns, 1);
    double base_rate = (double)st->counts[1] / (double)st->n_train;
    score = malloc((v.n ? v.n : 1) * sizeof(double));
    if (rc == CS_OK && !score) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(comm, rc);
    static const char *const what[CAND_N] = {"candidate factors: ", "candidate raw: ", "candidate both: "};
    for (int c = 0; rc == CS_OK && c < CAND_N; c++) {
        train_irls_info info;
        memset(&info, 0, sizeof info);
        rc = train_irls_sample_fit(t, &mb, cols[c], kc[c], what[c], base_rate, beta[c], &info);
        if (rc != CS_OK && rc != CS_ENOMEM) {
            /* a candidate that cannot be fitted on the sample (one class in it, a failed step) is not
             * compared; the training goes on (agreed inside the fit: every rank is here) */
            log_info("train: %sfit on the sample failed (%s): not compared", what[c], status_reason());
            status_clear();
            rc = CS_OK;
            continue;
        }
        for (size_t i = 0; rc == CS_OK && i < v.n; i++) {
            const float *x = v.x + i * K;
            double e = 0;
            for (size_t j = 0; j < kc[c]; j++) e += beta[c][j] * (double)x[cols[c][j]];
            score[i] = e;
        }
        if (rc == CS_OK) rc = cand_auc(t, &v, score, &auc[c]);
    }
    int win = CAND_FACTORS;
    if (rc == CS_OK) {
        /* in order of more columns: a larger candidate must beat the one so far by CAND_AUC_MARGIN */
        for (int c = 1; c < CAND_N; c++)
            if (!isnan(auc[c]) && (isnan(auc[win]) || auc[c] > auc[win] + CAND_AUC_MARGIN)) win = c;
        char add[256];
        snprintf(add, sizeof add, "; chosen by validation AUC after fits on a sample of %llu training rows: "
                 "factors %.4f, raw %.4f, both %.4f: %s", (unsigned long long)ns, auc[CAND_FACTORS], auc[CAND_RAW],
                 auc[CAND_BOTH], inputs_mode_name(cand_inputs[win]));
        size_t l = strlen(ch->reason);
        snprintf(ch->reason + l, sizeof ch->reason - l, "%s", add);
        log_info("train: inputs candidates (%zu, %zu, %zu design columns; %zu validation rows on rank 0's "
                 "side): factors %.4f, raw %.4f, both %.4f: %s", kc[0], kc[1], kc[2], v.n, auc[0], auc[1],
                 auc[2], inputs_mode_name(cand_inputs[win]));
        for (int c = 0; c < CAND_N; c++) story->cand_auc[c] = auc[c];
        story->cand_rows = (uint64_t)ns;
        ch->inputs = cand_inputs[win];
        if (win == CAND_RAW) {
            fa_result_free(ch->fa);
            ch->fa = NULL;
            ch->k = 0;
        }
    }
    for (int c = 0; c < CAND_N; c++) {
        free(cols[c]);
        free(beta[c]);
    }
    free(score);
    train_valrows_clear(&v);
    train_design_release(t);
    cmodel_clear(&mb);
    modelfile_story_clear(&sb);
    t->validation = validation;
    t->n_fit = n_fit;
    return red_agree(comm, rc);
}
