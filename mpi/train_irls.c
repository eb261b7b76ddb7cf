/* train_irls.c — the logistic churn model by Newton/IRLS over every rank's rows (stage 3 of cmd_train.c).
 *
 * Each pass, every rank accumulates X'WX, X'(y - p), the log-likelihood and the column sums of its
 * training rows per reduction block (model/logit.h); the sums go through the fixed-tree reduction, so
 * every rank solves the same Newton step from the same bits. A step that lowers the penalised
 * log-likelihood is halved, as glm.fit does. On more than 2 * --warm-rows training rows the fit first
 * converges on an in-memory hash sample of them, then polishes on all rows.
 */
#include "train_irls.h"

#include "idhash.h"
#include "log.h"
#include "logit.h"
#include "reduce.h"
#include "salts.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* IRLS accumulation of one block: hess (k*k), grad (k), loglik (1), column sums (k), count (1), from
 * the block's training rows compacted into Xd, yd, wd (double). */
typedef struct {
    red_tree *tree;
    double *part;
    const double *beta;
    logit_work *lw;
    double *Xd, *yd, *wd;
} train_irls_arg;

static int train_irls_block(train_run *t, const cmodel *m, uint64_t block, const float *X,
                            const int8_t *y, const uint8_t *hold, const uint64_t *id,
                            const float *truth, size_t n, void *argp)
{
    train_irls_arg *a = argp;
    size_t k = m->n_coef;
    size_t len = k * k + 2 * k + 2;
    memset(a->part, 0, len * sizeof(double));
    size_t q = 0;
    for (size_t i = 0; i < n; i++) {
        if (hold[i] || (y[i] != 0 && y[i] != 1) || train_is_validation(t, id[i])) continue;
        for (size_t j = 0; j < k; j++) a->Xd[q * k + j] = (double)X[i * k + j];
        a->yd[q] = (double)y[i];
        a->wd[q] = y[i] == 1 ? t->o.class_weight : 1.0;
        q++;
    }
    double *hess = a->part, *grad = hess + k * k, *ll = grad + k, *cs = ll + 1, *cnt = cs + k;
    if (q) {
        CS_TRY(logit_accumulate(a->Xd, a->yd, a->wd, q, k, a->beta, hess, grad, ll, a->lw));
        for (size_t i = 0; i < q; i++)
            for (size_t j = 0; j < k; j++) cs[j] += a->Xd[i * k + j];
        *cnt = (double)q;
    }
    (void)id;
    (void)truth;
    return red_tree_add(a->tree, block, a->part);
}


/* Warm-start sample: design rows of a hash sample of the training rows, with their block. */
static int train_warm_block(train_run *t, const cmodel *m, uint64_t block, const float *X,
                            const int8_t *y, const uint8_t *hold, const uint64_t *id,
                            const float *truth, size_t n, void *argp)
{
    size_t w = m->n_coef;
    train_rowset *s = &t->sample;
    for (size_t i = 0; i < n; i++) {
        if (hold[i] || (y[i] != 0 && y[i] != 1) || train_is_validation(t, id[i])) continue;
        if (idhash_unit(id[i], SALT_WARM) >= t->sfrac) continue;
        if (s->n == s->cap) CS_TRY(train_rowset_grow(s, w, "the warm-start sample"));
        memcpy(s->X + s->n * w, X + i * w, w * sizeof(float));
        s->y[s->n] = y[i];
        s->hold[s->n] = 0;
        s->id[s->n] = id[i];
        s->blk[s->n] = block;
        s->n++;
    }
    (void)truth;
    return CS_OK;
}


int train_irls(train_run *t, cmodel *m, double base_rate, train_irls_info *info)
{
    const train_opts *o = &t->o;
    size_t K = m->n_coef;
    int rc = CS_OK;
    double *beta = calloc(K ? K : 1, sizeof(double)), *beta2 = calloc(K ? K : 1, sizeof(double));
    size_t vlen = K * K + 2 * K + 2;
    double *vec = malloc(vlen * sizeof(double));
    train_irls_arg ia = {red_tree_alloc(vlen), malloc(vlen * sizeof(double)), beta, logit_work_alloc(PART_BLOCK_ROWS, K),
                         malloc(PART_BLOCK_ROWS * K * sizeof(double)), malloc(PART_BLOCK_ROWS * sizeof(double)),
                         malloc(PART_BLOCK_ROWS * sizeof(double))};
    unsigned char *pen = malloc(K ? K : 1);
    double *beta_prev = malloc((K ? K : 1) * sizeof(double)), obj_prev = -INFINITY;
    if (!beta || !beta2 || !vec || !ia.tree || !ia.part || !ia.lw || !pen || !ia.Xd || !ia.yd || !ia.wd || !beta_prev)
        rc = CS_ERROR(CS_ENOMEM, "out of memory for the logistic fit of %zu coefficients", K);
    /* before the first pass, whose agreement a rank that failed here would never reach */
    rc = red_agree(t->ctx->comm, rc);
    int iters = 0, converged = 0;
    double loglik = NAN;
    if (rc == CS_OK) {
        for (size_t j = 0; j < K; j++) pen[j] = m->coef_kind[j] != CMODEL_COL_INTERCEPT;
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
    if (rc == CS_OK && t->n_fit > 2 * o->warm_rows) {
        t->sfrac = (double)o->warm_rows / (double)t->n_fit;
        int lrc = train_pass(t, m, "train: warm-start sample", train_warm_block, NULL);
        rc = red_agree(t->ctx->comm, lrc);
        if (rc == CS_OK) t->sample_mode = 1;
    }
    while (rc == CS_OK && (t->sample_mode || (iters < o->max_iter && !converged))) {
        if (t->sample_mode && (converged || warm_iters >= o->max_iter)) {
            /* the sample has converged: go on from there on every row */
            t->sample_mode = 0;
            converged = 0;
            obj_prev = -INFINITY;
            halvings = 0;
            log_info("train: warm start converged on the sample after %d iterations; polishing on all rows",
                     warm_iters);
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
            log_info("train: IRLS step halved (log-likelihood %.6f below %.6f)", obj, obj_prev);
            continue;
        }
        halvings = 0;
        obj_prev = obj;
        memcpy(beta_prev, beta, K * sizeof(double));
        double maxch = 0;
        rc = logit_step(vec, vec + K * K, beta, o->l2, pen, K, beta2, &maxch, ia.lw);
        if (rc != CS_OK) {
            rc = CS_ERROR(rc, "%s: the logistic fit failed at iteration %d (%s); try --l2 > 0",
                          o->in, iters + 1, status_reason());
            break;
        }
        if (t->sample_mode) warm_iters++;
        else iters++;
        converged = logit_converged(maxch, beta, K, t->sample_mode ? 1e-6 : 1e-8);
        log_info("train: IRLS iteration %d%s: log-likelihood %.6f, largest change %.3g",
                 t->sample_mode ? warm_iters : iters, t->sample_mode ? " (sample)" : "", loglik, maxch);
        for (size_t j = 0; j < K; j++)
            log_debug("  %-40s beta %.6g  grad %.6g  H_jj %.6g", m->coef_names[j], beta[j],
                      vec[K * K + j], vec[j * K + j]);
        /* after convergence keep beta where the Hessian in vec was evaluated: the standard errors
         * then belong to the reported coefficients */
        if (!converged || t->sample_mode) memcpy(beta, beta2, K * sizeof(double));
    }
    free(beta_prev);
    if (rc == CS_OK) {
        m->beta = malloc(K * sizeof(double));
        m->se = malloc(K * sizeof(double));
        m->zval = malloc(K * sizeof(double));
        m->pval = malloc(K * sizeof(double));
        m->coef_mean = malloc(K * sizeof(double));
        if (!m->beta || !m->se || !m->zval || !m->pval || !m->coef_mean)
            rc = CS_ERROR(CS_ENOMEM, "out of memory for the coefficients");
    }
    if (rc == CS_OK) {
        memcpy(m->beta, beta, K * sizeof(double));
        double cnt = vec[K * K + 2 * K + 1];
        for (size_t j = 0; j < K; j++) m->coef_mean[j] = vec[K * K + K + 1 + j] / cnt;
        rc = logit_stats(vec, beta, o->l2, pen, K, m->se, m->zval, m->pval, ia.lw);
        if (rc != CS_OK) {
            status_clear();
            rc = CS_OK;
            for (size_t j = 0; j < K; j++) m->se[j] = m->zval[j] = m->pval[j] = NAN;
        }
        if (!converged) log_info("train: IRLS stopped after %d iterations without converging", iters);
    }
    /* the coefficients' allocations are this rank's own: agree before the next stage's passes */
    rc = red_agree(t->ctx->comm, rc);
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
