/* train_irls.c — the logistic churn model by Newton/IRLS over every rank's rows (stage 3 of
 * cmd_train.c), and the same fit of each churn type's model (stage 3c).
 *
 * Each pass, every rank accumulates X'WX, X'(y - p), the log-likelihood and the column sums of its
 * training rows per reduction block (model/logit.h); the sums go through the fixed-tree reduction, so
 * every rank solves the same Newton step from the same bits. A step that lowers the penalised
 * log-likelihood is halved, as glm.fit does. On more than 2 * --warm-rows training rows the fit first
 * converges on an in-memory hash sample of them, then polishes on all rows.
 *
 * The churn types (stage 3c, where the snapshot has /subscribers/churn_type): one binary logistic
 * model per type on the same design rows, label "left this way" against everything else (stayers
 * and leavers of the other type), by the same code. Two binary models rather than a multinomial one
 * because each is then exactly the fit the churn model is (same IRLS, same standard errors, same
 * checks) and its intercept makes it calibrated on the training rows: with weight 1 on every row
 * (--class-weight is for the churn model's ranking, and would inflate a probability we promise to be
 * calibrated) the fitted probabilities of each type sum to its count of leavers. They are fitted on
 * every training row (a validation part of --model-kind auto chose the churn model and has no
 * further use here); cmodel_predict_types keeps their sum at most 1.
 */
#include "train_irls.h"

#include "idhash.h"
#include "log.h"
#include "logit.h"
#include "modelfile.h"
#include "reduce.h"
#include "salts.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* IRLS accumulation of one block: hess (k*k), grad (k), loglik (1), column sums (k), count (1), rows
 * with a fitted probability numerically 0 or 1 (1, for the separation diagnostic), from the block's
 * training rows compacted into Xd, yd, wd (double). */
typedef struct {
    red_tree *tree;
    double *part;
    const double *beta;
    logit_work *lw;
    double *Xd, *yd, *wd;
    int target; /* TRAIN_TARGET_CHURN or a CMODEL_TYPE_* */
    const size_t *cols; /* the design columns fitted (a candidate's, train_candidates.c); NULL: all */
    size_t kc;
} train_irls_arg;

static int train_irls_block(train_run *t, const cmodel *m, uint64_t block, const float *X,
                            const int8_t *y, const int8_t *ct, const uint8_t *hold, const uint64_t *id,
                            const float *truth, size_t n, void *argp)
{
    train_irls_arg *a = argp;
    size_t kx = m->n_coef, k = a->cols ? a->kc : kx;
    size_t len = k * k + 2 * k + 3;
    int target = a->target;
    if (target != TRAIN_TARGET_CHURN && !ct && n)
        return CS_ERROR(CS_EINTERNAL, "a churn-type fit without churn types");
    memset(a->part, 0, len * sizeof(double));
    size_t q = 0;
    for (size_t i = 0; i < n; i++) {
        if (hold[i] || (y[i] != 0 && y[i] != 1) || train_is_validation(t, id[i])) continue;
        if (a->cols)
            for (size_t j = 0; j < k; j++) a->Xd[q * k + j] = (double)X[i * kx + a->cols[j]];
        else
            for (size_t j = 0; j < k; j++) a->Xd[q * k + j] = (double)X[i * kx + j];
        if (target == TRAIN_TARGET_CHURN) {
            a->yd[q] = (double)y[i];
            a->wd[q] = y[i] == 1 ? t->o.class_weight : 1.0;
        } else {
            a->yd[q] = y[i] == 1 && ct[i] == target + 1 ? 1.0 : 0.0;
            a->wd[q] = 1.0;
        }
        q++;
    }
    double *hess = a->part, *grad = hess + k * k, *ll = grad + k, *cs = ll + 1, *cnt = cs + k, *ext = cnt + 1;
    if (q) {
        CS_TRY(logit_accumulate(a->Xd, a->yd, a->wd, q, k, a->beta, hess, grad, ll, a->lw));
        *ext = (double)logit_work_extreme(a->lw);
        for (size_t i = 0; i < q; i++)
            for (size_t j = 0; j < k; j++) cs[j] += a->Xd[i * k + j];
        *cnt = (double)q;
    }
    (void)id;
    (void)truth;
    return red_tree_add(a->tree, block, a->part);
}


/* Warm-start sample: design rows of a hash sample of the training rows, with their block. */
int train_irls_sample_block(train_run *t, const cmodel *m, uint64_t block, const float *X,
                            const int8_t *y, const int8_t *ct, const uint8_t *hold, const uint64_t *id,
                            const float *truth, size_t n, void *argp)
{
    size_t w = m->n_coef;
    train_rowset *s = &t->sample;
    int types = t->s->has_churn_type;
    for (size_t i = 0; i < n; i++) {
        if (hold[i] || (y[i] != 0 && y[i] != 1) || train_is_validation(t, id[i])) continue;
        if (idhash_unit(id[i], SALT_WARM) >= t->sfrac) continue;
        if (s->n == s->cap) CS_TRY(train_rowset_grow(s, w, types, "the warm-start sample"));
        memcpy(s->X + s->n * w, X + i * w, w * sizeof(float));
        s->y[s->n] = y[i];
        if (types) s->ct[s->n] = ct ? ct[i] : 0;
        s->hold[s->n] = 0;
        s->id[s->n] = id[i];
        s->blk[s->n] = block;
        s->n++;
    }
    (void)truth;
    return CS_OK;
}


/* Collective. One fit for target (what: "" for the churn model, "voluntary " ...: the log's words)
 * from the intercept of base_rate into beta, se, z, p (K each, the caller's) and, when colmean is not
 * NULL, the training mean of each design column. */
static int train_irls_fit(train_run *t, const cmodel *m, int target, const char *what, double base_rate,
                          const size_t *cols, size_t kc, int sample_only,
                          double *beta_out, double *se_out, double *z_out, double *p_out, double *colmean,
                          train_irls_info *info)
{
    const train_opts *o = &t->o;
    size_t K = cols ? kc : m->n_coef;
    int rc = CS_OK;
    double *beta = calloc(K ? K : 1, sizeof(double)), *beta2 = calloc(K ? K : 1, sizeof(double));
    size_t vlen = K * K + 2 * K + 3;
    double *vec = malloc(vlen * sizeof(double));
    train_irls_arg ia = {red_tree_alloc(vlen), malloc(vlen * sizeof(double)), beta, logit_work_alloc(PART_BLOCK_ROWS, K),
                         malloc(PART_BLOCK_ROWS * K * sizeof(double)), malloc(PART_BLOCK_ROWS * sizeof(double)),
                         malloc(PART_BLOCK_ROWS * sizeof(double))};
    unsigned char *pen = malloc(K ? K : 1);
    double *beta_prev = malloc((K ? K : 1) * sizeof(double)), obj_prev = -INFINITY;
    ia.target = target;
    ia.cols = cols;
    ia.kc = K;
    if (!beta || !beta2 || !vec || !ia.tree || !ia.part || !ia.lw || !pen || !ia.Xd || !ia.yd || !ia.wd || !beta_prev)
        rc = CS_ERROR(CS_ENOMEM, "out of memory for the logistic fit of %zu coefficients", K);
    /* before the first pass, whose agreement a rank that failed here would never reach */
    rc = red_agree(t->ctx->comm, rc);
    int iters = 0, converged = 0;
    double loglik = NAN;
    if (rc == CS_OK) {
        for (size_t j = 0; j < K; j++) pen[j] = m->coef_kind[cols ? cols[j] : j] != CMODEL_COL_INTERCEPT;
        beta[0] = log(base_rate / (1 - base_rate));
    }
    /* Newton from the null model can overshoot when rare signals separate well (a step of +16 on
     * suspended_arrears): a step that lowers the penalised log-likelihood is halved and the point
     * re-evaluated, as glm.fit does. Every rank takes the same decisions from the same sums. */
    int halvings = 0, passes_irls = 0, warm_iters = 0;
    /* First converge on a hash sample of about a million training rows held in memory, then polish
     * on all rows: three or four passes over every row instead of seven to nine, which matters most
     * when each pass re-reads the snapshot. The sample is chosen by id, so the result is
     * rank-independent; and the warm start is taken whether or not the design matrix is cached:
     * caching depends on the rows per rank (the budget is per rank), so a model that took the warm
     * start only without the cache would differ in its last bits between 1 and 16 ranks (measured
     * on the 16-core machine: IRLS ends at a different rounding of the same optimum). The first
     * pass fills the cache when there is one. */
    if (rc == CS_OK && sample_only) {
        t->sample_mode = 1; /* the caller drew the sample */
    } else if (rc == CS_OK && t->n_fit > 2 * o->warm_rows) {
        /* drawn once for the fits that share the training rows (the churn types: both fits); the
         * rows drawn do not depend on the target, only on which rows are fitted */
        if (t->sample_drawn != 1 + t->validation) {
            t->sample.n = 0;
            t->sfrac = (double)o->warm_rows / (double)t->n_fit;
            int lrc = train_pass(t, m, "train: warm-start sample", train_irls_sample_block, NULL);
            rc = red_agree(t->ctx->comm, lrc);
            if (rc == CS_OK) t->sample_drawn = 1 + t->validation;
        }
        if (rc == CS_OK) t->sample_mode = 1;
    }
    while (rc == CS_OK && (t->sample_mode || (iters < o->max_iter && !converged))) {
        if (t->sample_mode && (converged || warm_iters >= o->max_iter)) {
            /* the sample has converged: go on from there on every row (a candidate stops here) */
            t->sample_mode = 0;
            if (sample_only) break;
            converged = 0;
            obj_prev = -INFINITY;
            halvings = 0;
            log_info("train: %swarm start converged on the sample after %d iterations; polishing on all rows",
                     what, warm_iters);
            continue;
        }
        red_tree_reset(ia.tree);
        ia.beta = beta;
        int lrc = train_pass(t, m, "train: logistic IRLS pass", train_irls_block, &ia);
        rc = red_agree(t->ctx->comm, lrc);
        if (rc == CS_OK) rc = red_tree_allreduce(ia.tree, t->ctx->comm, t->pr.nblocks, vec);
        if (rc != CS_OK) break;
        if (!t->sample_mode) passes_irls++;
        loglik = vec[K * K + K];
        double pen2 = 0;
        for (size_t j = 0; j < K; j++) pen2 += pen[j] ? beta[j] * beta[j] : 0.0;
        double obj = loglik - 0.5 * o->l2 * pen2;
        if (!(obj >= obj_prev - 1e-9 * fabs(obj_prev)) && halvings < 40) {
            for (size_t j = 0; j < K; j++) beta[j] = beta_prev[j] + 0.5 * (beta[j] - beta_prev[j]);
            halvings++;
            log_info("train: %sIRLS step halved (log-likelihood %.6f below %.6f)", what, obj, obj_prev);
            continue;
        }
        halvings = 0;
        obj_prev = obj;
        memcpy(beta_prev, beta, K * sizeof(double));
        double maxch = 0;
        rc = logit_step(vec, vec + K * K, beta, o->l2, pen, K, beta2, &maxch, ia.lw);
        if (rc != CS_OK) {
            rc = CS_ERROR(rc, "%s: the %slogistic fit failed at iteration %d (%s); try --l2 > 0",
                          o->in, what, iters + 1, status_reason());
            break;
        }
        if (t->sample_mode) warm_iters++;
        else iters++;
        converged = logit_converged(maxch, beta, K, t->sample_mode ? 1e-6 : 1e-8);
        log_info("train: %sIRLS iteration %d%s: log-likelihood %.6f, largest change %.3g", what,
                 t->sample_mode ? warm_iters : iters, t->sample_mode ? " (sample)" : "", loglik, maxch);
        for (size_t j = 0; j < K; j++)
            log_debug("  %-40s beta %.6g  grad %.6g  H_jj %.6g", m->coef_names[cols ? cols[j] : j], beta[j],
                      vec[K * K + j], vec[j * K + j]);
        /* after convergence keep beta where the Hessian in vec was evaluated: the standard errors
         * then belong to the reported coefficients */
        if (!converged || t->sample_mode) memcpy(beta, beta2, K * sizeof(double));
    }
    free(beta_prev);
    if (rc == CS_OK) {
        memcpy(beta_out, beta, K * sizeof(double));
        double cnt = vec[K * K + 2 * K + 1];
        info->n_rows = (uint64_t)cnt;
        info->extreme = (uint64_t)vec[K * K + 2 * K + 2];
        if (colmean)
            for (size_t j = 0; j < K; j++) colmean[j] = vec[K * K + K + 1 + j] / cnt;
        rc = logit_stats(vec, beta, o->l2, pen, K, se_out, z_out, p_out, ia.lw);
        if (rc != CS_OK) {
            status_clear();
            rc = CS_OK;
            for (size_t j = 0; j < K; j++) se_out[j] = z_out[j] = p_out[j] = NAN;
        }
        if (!converged) log_info("train: %sIRLS stopped after %d iterations without converging", what, iters);
    }
    info->iters = iters;
    info->passes = passes_irls;
    info->converged = converged;
    info->loglik = loglik;
    free(beta);
    free(beta2);
    free(vec);
    red_tree_free(ia.tree);
    free(ia.part);
    logit_work_free(ia.lw);
    free(ia.Xd);
    free(ia.yd);
    free(ia.wd);
    free(pen);
    return rc;
}

int train_irls(train_run *t, cmodel *m, double base_rate, train_irls_info *info)
{
    size_t K = m->n_coef;
    m->beta = malloc((K ? K : 1) * sizeof(double));
    m->se = malloc((K ? K : 1) * sizeof(double));
    m->zval = malloc((K ? K : 1) * sizeof(double));
    m->pval = malloc((K ? K : 1) * sizeof(double));
    m->coef_mean = malloc((K ? K : 1) * sizeof(double));
    int rc = m->beta && m->se && m->zval && m->pval && m->coef_mean
                 ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the coefficients");
    /* before the first pass, whose agreement a rank that failed here would never reach */
    rc = red_agree(t->ctx->comm, rc);
    if (rc == CS_OK)
        rc = train_irls_fit(t, m, TRAIN_TARGET_CHURN, "", base_rate, NULL, 0, 0, m->beta, m->se, m->zval, m->pval,
                            m->coef_mean, info);
    /* agreed inside, but for the last local steps: agree before the next stage's passes */
    return red_agree(t->ctx->comm, rc);
}

int train_irls_types(train_run *t, cmodel *m, const int64_t type_counts[CMODEL_N_TYPES], uint64_t n_train,
                     train_irls_info info[CMODEL_N_TYPES], char *reason, size_t len)
{
    m->has_types = 0;
    memset(info, 0, CMODEL_N_TYPES * sizeof *info);
    for (int y = 0; y < CMODEL_N_TYPES; y++) info[y].loglik = NAN;
    if (!t->s->has_churn_type) {
        snprintf(reason, len, "%s has no /subscribers/churn_type: the voluntary and involuntary "
                 "leavers cannot be told apart (every leaver counts as retention's)", t->o.in);
        log_info("train: notice: %s", reason);
        return CS_OK;
    }
    for (int y = 0; y < CMODEL_N_TYPES; y++)
        if (type_counts[y] == 0) {
            snprintf(reason, len, "the training rows of %s hold no %s leaver: the types cannot be told "
                     "apart (every leaver counts as retention's)", t->o.in, modelfile_type_name(y));
            log_info("train: warning: %s", reason);
            return CS_OK;
        }
    size_t K = m->n_coef;
    int rc = CS_OK;
    for (int y = 0; y < CMODEL_N_TYPES; y++) {
        m->type_beta[y] = malloc((K ? K : 1) * sizeof(double));
        m->type_se[y] = malloc((K ? K : 1) * sizeof(double));
        m->type_z[y] = malloc((K ? K : 1) * sizeof(double));
        m->type_p[y] = malloc((K ? K : 1) * sizeof(double));
        if (!m->type_beta[y] || !m->type_se[y] || !m->type_z[y] || !m->type_p[y])
            rc = CS_ERROR(CS_ENOMEM, "out of memory for the churn-type coefficients");
    }
    rc = red_agree(t->ctx->comm, rc);
    /* every training row, the validation part of --model-kind auto included */
    int validation = t->validation;
    uint64_t n_fit = t->n_fit;
    t->validation = 0;
    t->n_fit = n_train;
    for (int y = 0; rc == CS_OK && y < CMODEL_N_TYPES; y++) {
        char what[32];
        snprintf(what, sizeof what, "%s ", modelfile_type_name(y));
        double base = (double)type_counts[y] / (double)n_train;
        rc = train_irls_fit(t, m, y, what, base, NULL, 0, 0, m->type_beta[y], m->type_se[y], m->type_z[y],
                            m->type_p[y], NULL, &info[y]);
        rc = red_agree(t->ctx->comm, rc);
    }
    t->validation = validation;
    t->n_fit = n_fit;
    if (rc == CS_OK) {
        m->has_types = 1;
        snprintf(reason, len, "a logistic model of each churn type on the same design (%lld voluntary, "
                 "%lld involuntary training leavers)", (long long)type_counts[0], (long long)type_counts[1]);
        log_info("train: churn types: %s", reason);
    }
    return rc;
}

int train_irls_sample_fit(train_run *t, const cmodel *m, const size_t *cols, size_t kc, const char *what,
                          double base_rate, double *beta, train_irls_info *info)
{
    double *se = malloc((kc ? kc : 1) * 3 * sizeof(double));
    int rc = se ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(t->ctx->comm, rc);
    if (rc == CS_OK)
        rc = train_irls_fit(t, m, TRAIN_TARGET_CHURN, what, base_rate, cols, kc, 1, beta, se, se + kc, se + 2 * kc,
                            NULL, info);
    free(se);
    t->sample_mode = 0;
    return red_agree(t->ctx->comm, rc);
}
