/* train_gbm.c — boosted trees on the design rows, data-parallel like LightGBM's learner.
 *
 * The trees see the same design columns as the logistic model (factor scores or screened indicators,
 * signals, lifecycle flags, brand dummies), so scoring and reason codes need nothing new. The fit
 * uses a hash-of-id sample of the training rows (at most --gbm-rows, all of them on small data), held
 * in memory binned to uint8: the sample is bounded whatever N. Per tree level every rank builds the
 * gradient/hessian histograms of its rows; the histograms are summed across ranks with an exact sum
 * (gradients and hessians are quantised to multiples of 2^-30 and the sample is capped, so every
 * partial sum is exact and the bits do not depend on the rank count) and every rank picks the same
 * splits from the same sums (model/gbm.h). Cut points come from a sample gathered to rank 0 in global
 * row order, so they too are the same for any rank count.
 */
#include "train_gbm.h"

#include "calib.h"
#include "comm.h"
#include "gather.h"
#include "idhash.h"
#include "log.h"
#include "metrics.h"
#include "reduce.h"
#include "salts.h"
#include "status.h"

#include <stdio.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Rows collected from one pass: the boosting sample and (for --model auto) the validation rows. */
typedef struct {
    size_t cols;     /* design columns without the intercept */
    float *sx;       /* sample design rows [ns * cols] */
    double *sy;      /* labels */
    size_t ns, scap;
    double frac;     /* keep a training row for boosting when its hash is below this */
    train_valrows v; /* the validation rows (full width, for cmodel_predict) */
} gbm_collect;

static int gbm_grow(void **p, size_t elem, size_t cap)
{
    void *q = realloc(*p, elem * cap);
    if (!q) return CS_ERROR(CS_ENOMEM, "out of memory collecting the boosting sample");
    *p = q;
    return CS_OK;
}

static int gbm_collect_block(train_run *t, const cmodel *m, uint64_t block, const float *X,
                             const int8_t *y, const int8_t *ct, const uint8_t *hold,
                             const uint64_t *id, const float *truth, size_t n, void *argp)
{
    gbm_collect *c = argp;
    (void)ct;
    size_t w = m->n_coef;
    CS_TRY(train_valrows_add(t, &c->v, X, y, hold, id, n));
    for (size_t i = 0; i < n; i++) {
        if (hold[i] || (y[i] != 0 && y[i] != 1) || train_is_validation(t, id[i])) continue;
        if (idhash_unit(id[i], SALT_GBM) >= c->frac) continue;
        if (c->ns == c->scap) {
            c->scap = c->scap ? 2 * c->scap : 4096;
            CS_TRY(gbm_grow((void **)&c->sx, c->cols * sizeof(float), c->scap));
            CS_TRY(gbm_grow((void **)&c->sy, sizeof(double), c->scap));
        }
        memcpy(c->sx + c->ns * c->cols, X + i * w + 1, c->cols * sizeof(float));
        c->sy[c->ns] = (double)y[i];
        c->ns++;
    }
    (void)block;
    (void)truth;
    return CS_OK;
}

/* Cut points: rank 0 gathers (in row order) up to 200,000 sample rows, computes the cuts of every
 * column and broadcasts them. */
static int gbm_cuts(train_run *t, gbm_model *g, const gbm_collect *c, uint64_t ns_all)
{
    MPI_Comm comm = t->ctx->comm;
    size_t cols = c->cols;
    const uint64_t cap = 200000;
    /* every step-th row of the global sample order (rank order = row order): rank-independent */
    uint64_t step = ns_all > cap ? (ns_all + cap - 1) / cap : 1, before = 0, mine_n = c->ns;
    before = red_exscan_u64(comm, mine_n);
    size_t nk = 0;
    float *mine = malloc((c->ns ? c->ns : 1) * cols * sizeof(float));
    int rc = red_agree(comm, mine ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the cut-point sample"));
    if (rc != CS_OK) return rc;
    for (size_t i = 0; i < c->ns; i++) {
        if ((before + i) % step != 0) continue;
        memcpy(mine + nk * cols, c->sx + i * cols, cols * sizeof(float));
        nk++;
    }
    void *all = NULL;
    uint64_t total = 0;
    rc = gat_rows_to_root(comm, mine, nk, cols * sizeof(float), &all, &total);
    free(mine);
    if (rc != CS_OK) return rc;
    if (t->ctx->rank == 0) {
        const float *rows = all;
        float *col = malloc(((size_t)total ? (size_t)total : 1) * sizeof(float));
        if (!col) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        for (size_t j = 0; rc == CS_OK && j < cols; j++) {
            for (size_t i = 0; i < (size_t)total; i++) col[i] = rows[i * cols + j];
            rc = gbm_set_cuts(g, j, col, (size_t)total, (size_t)t->o.bins);
        }
        free(col);
    }
    free(all);
    rc = red_agree(comm, rc);
    if (rc != CS_OK) return rc;
    rc = comm_bcast(comm, 0, g->n_cuts, cols * sizeof *g->n_cuts);
    if (rc == CS_OK) rc = comm_bcast(comm, 0, g->cuts, cols * (GBM_MAX_BINS - 1) * sizeof *g->cuts);
    return rc;
}

/* The two validation AUCs of the model choice: the logistic one on rank 0 and the trees' one on the
 * helper rank at the same time (each over the same rows in global row order, so the same bits as
 * one after the other on rank 0), then both broadcast; with them each model's Platt calibration on
 * the same rows (model/calib.h; a fit that fails leaves ok 0: that model stays uncalibrated). */
static int gbm_val_aucs(train_run *t, const double *pl, const double *pg, const gbm_collect *c,
                        double *auc_l, double *auc_g, train_gbm_val *v)
{
    MPI_Comm comm = t->ctx->comm;
    int h = gat_helper_rank(comm);
    double a[2];
    /* both gathers first, so that rank 0 and the helper then evaluate concurrently */
    void *ap[2] = {NULL, NULL}, *al[2] = {NULL, NULL}, *ai[2] = {NULL, NULL};
    uint64_t tot[2] = {0, 0};
    const double *p[2] = {pl, pg};
    int root[2] = {0, h}, rc = CS_OK;
    for (int k = 0; k < 2; k++) {
        if (rc == CS_OK) rc = gat_rows_to_rank(comm, root[k], p[k], c->v.n, sizeof(double), &ap[k], &tot[k]);
        if (rc == CS_OK) rc = gat_rows_to_rank(comm, root[k], c->v.y, c->v.n, 1, &al[k], &tot[k]);
        if (rc == CS_OK) rc = gat_rows_to_rank(comm, root[k], c->v.id, c->v.n, sizeof(int64_t), &ai[k], &tot[k]);
    }
    double cal[2][5] = {{0, 1, 0, 0, NAN}, {0, 1, 0, 0, NAN}}; /* ok, a, b, rows, likelihood ratio */
    for (int k = 0; k < 2; k++) {
        a[k] = NAN;
        if (rc == CS_OK && t->ctx->rank == root[k] && tot[k] > 0) {
            metrics_report rep;
            metrics_work *mw = metrics_work_alloc((size_t)tot[k]);
            if (mw && metrics_evaluate(ap[k], al[k], ai[k], (size_t)tot[k], &rep, mw) == CS_OK) a[k] = rep.auc;
            metrics_work_free(mw);
            double ca = 1, cb = 0, lr = NAN;
            if (calib_platt_fit(ap[k], al[k], (size_t)tot[k], &ca, &cb, &lr) == CS_OK) {
                cal[k][0] = 1, cal[k][1] = ca, cal[k][2] = cb, cal[k][4] = lr;
            } else {
                log_info("train: no calibration of the %s: %s", k ? "trees" : "logistic model", status_reason());
                status_clear();
            }
            cal[k][3] = (double)tot[k];
        }
        free(ap[k]);
        free(al[k]);
        free(ai[k]);
    }
    if (rc == CS_OK) rc = comm_bcast(comm, 0, &a[0], sizeof a[0]);
    if (rc == CS_OK) rc = comm_bcast(comm, h, &a[1], sizeof a[1]);
    if (rc == CS_OK) rc = comm_bcast(comm, 0, cal[0], sizeof cal[0]);
    if (rc == CS_OK) rc = comm_bcast(comm, h, cal[1], sizeof cal[1]);
    *auc_l = a[0];
    *auc_g = a[1];
    for (int k = 0; v && k < 2; k++) {
        v->cal_ok[k] = cal[k][0] != 0;
        v->cal_a[k] = cal[k][1];
        v->cal_b[k] = cal[k][2];
        v->rows = (uint64_t)cal[k][3];
        v->cal_lr[k] = cal[k][4];
    }
    return rc;
}

void train_gbm_params(const train_opts *o, gbm_params *gp)
{
    gbm_params_default(gp);
    gp->n_trees = (size_t)o->trees;
    gp->max_depth = (size_t)o->depth;
    gp->learning_rate = o->eta;
    gp->lambda = o->tree_l2;
    gp->min_child_rows = o->min_leaf;
    gp->max_bins = (size_t)o->bins;
}

/* The slots of the level below level L (the one just split), for histogram subtraction: only the
 * smaller child of each split parent gets a slot (is accumulated and summed across ranks); the larger
 * is the parent's summed histogram minus it. The sums are exact (see red_sum_exact_f64), so the
 * difference is exactly what accumulating the larger child would have given: the trees are the same
 * bits, with about half the histogram work and half the bytes reduced per level. Known before the
 * rows move down, so that gbm_route_rows can list the rows to accumulate. split: level L's flags;
 * hist: level L's summed histogram. Returns the number of slots. */
static int32_t gbm_child_slots(const gbm_model *g, size_t tr, size_t level, const int *split,
                               const double *hist, int32_t *slot)
{
    const size_t nodes = (size_t)1 << level, stride = gbm_hist_len(g, 1);
    int32_t nsl = 0;
    for (size_t k = 0; k < nodes; k++) {
        slot[2 * k] = slot[2 * k + 1] = -1;
        if (!split[k]) continue; /* a leaf: no children */
        const double *pc0 = hist + k * stride;
        double nall = 0;
        for (size_t b = 0; b < GBM_MAX_BINS; b++) nall += pc0[GBM_HIST_CELL * b + 2];
        double nl = gbm_left_rows(g, tr, level, k, hist);
        slot[nl <= nall - nl ? 2 * k : 2 * k + 1] = nsl++;
    }
    return nsl;
}

/* One level below the root: the listed rows (gbm_route_rows) of the slotted children accumulated and
 * summed across ranks, the siblings by subtraction from the parent level's summed histogram phist.
 * On the last level only column 0 is needed (the leaf totals). hist: this level's, as
 * gbm_level_split reads it. */
static int gbm_level_by_subtraction(MPI_Comm comm, gbm_model *g, size_t level, int last, const uint8_t *bins,
                                    const double *gr, const double *he, const int32_t *node, const int32_t *rows,
                                    size_t nrows, const int *active, const int32_t *slot, int32_t nsl,
                                    const double *phist, double *chist, int64_t *work, double *hist)
{
    const size_t nodes = (size_t)1 << level, stride = gbm_hist_len(g, 1);
    const size_t ncu = last ? 1 : g->n_cols, cs = ncu * GBM_MAX_BINS * GBM_HIST_CELL;
    memset(chist, 0, (size_t)nsl * cs * sizeof(double));
    gbm_hist_accumulate_q(g, bins, gr, he, node, rows, nrows, slot, (size_t)nsl, ncu, work, chist);
    CS_TRY(red_sum_exact_f64(comm, chist, (size_t)nsl * cs));
    memset(hist, 0, nodes * stride * sizeof(double));
    for (size_t k = 0; k < nodes / 2; k++) {
        if (!active[2 * k]) continue;
        size_t small = slot[2 * k] >= 0 ? 2 * k : 2 * k + 1, large = small ^ 1;
        const double *c = chist + (size_t)slot[small] * cs, *p = phist + k * stride;
        double *hs = hist + small * stride, *hl = hist + large * stride;
        for (size_t j = 0; j < cs; j++) {
            hs[j] = c[j];
            hl[j] = p[j] - c[j];
        }
    }
    return CS_OK;
}

int train_gbm(train_run *t, cmodel *m, double *auc_logit, double *auc_gbm, train_gbm_val *val)
{
    MPI_Comm comm = t->ctx->comm;
    const train_opts *o = &t->o;
    size_t cols = m->n_coef - 1;
    gbm_params gp;
    train_gbm_params(o, &gp);
    *auc_logit = *auc_gbm = NAN;

    /* the boosting sample: training rows (not holdout, not validation), at most gbm_rows of them */
    int64_t cnt[2] = {0, 0};
    gbm_collect c;
    memset(&c, 0, sizeof c);
    c.cols = cols;
    c.v.w = m->n_coef;
    uint64_t cap = o->gbm_rows < RED_EXACT_MAX_TERMS ? o->gbm_rows : RED_EXACT_MAX_TERMS;
    c.frac = 1.0;
    {
        /* the training row count is known from pass 1; the caller stores it in t->n_fit */
        double nfit = (double)t->n_fit;
        if (nfit > (double)cap) c.frac = (double)cap / nfit * 0.98; /* margin: the hash is random */
        double nval = nfit * TRAIN_VALIDATION_SHARE;
        c.v.vfrac = nval > (double)o->validate_max ? (double)o->validate_max / nval : 1.0;
    }
    int rc = train_pass(t, m, "train: collecting the boosting sample", gbm_collect_block, &c);
    rc = red_agree(comm, rc);
    for (size_t i = 0; i < c.ns; i++) cnt[c.sy[i] > 0.5]++;
    if (rc == CS_OK) rc = red_sum_i64(comm, cnt, 2);
    uint64_t ns_all = (uint64_t)(cnt[0] + cnt[1]);
    if (rc == CS_OK && ns_all > RED_EXACT_MAX_TERMS)
        rc = CS_ERROR(CS_EINTERNAL, "boosting sample of %llu rows exceeds the exact-sum bound",
                      (unsigned long long)ns_all);
    if (rc == CS_OK && (cnt[0] == 0 || cnt[1] == 0))
        rc = CS_ERROR(CS_EDATA, "%s: the boosting sample holds one class only", o->in);
    gbm_model *g = rc == CS_OK ? gbm_model_alloc(cols, gp.n_trees, gp.max_depth) : NULL;
    if (rc == CS_OK && !g) rc = CS_ERROR(CS_ENOMEM, "out of memory for %ld trees", o->trees);
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = gbm_cuts(t, g, &c, ns_all);
    log_info("train: boosting %zu trees of depth %zu on %llu rows x %zu columns",
             gp.n_trees, gp.max_depth, (unsigned long long)ns_all, cols);

    size_t ns = c.ns;
    uint8_t *bins = malloc((ns ? ns : 1) * cols), *bins_cm = NULL;
    double *F = malloc((ns ? ns : 1) * sizeof(double));
    double *gr = malloc((ns ? ns : 1) * sizeof(double));
    double *he = malloc((ns ? ns : 1) * sizeof(double));
    int32_t *node = malloc((ns ? ns : 1) * sizeof(int32_t));
    int32_t *rows = malloc((ns ? ns : 1) * sizeof(int32_t));
    size_t maxnodes = (size_t)1 << gp.max_depth;
    size_t hlen = rc == CS_OK ? gbm_hist_len(g, maxnodes) : 1;
    double *hist = malloc(hlen * sizeof(double)), *phist = malloc(hlen * sizeof(double));
    double *chist = malloc(hlen * sizeof(double));
    int64_t *work = malloc((rc == CS_OK ? gbm_hist_work_len(g, maxnodes) : 1) * sizeof(int64_t));
    int32_t *slot = malloc(2 * maxnodes * sizeof(int32_t));
    int *active = malloc(maxnodes * sizeof(int)), *split = malloc(maxnodes * sizeof(int));
    int *next_active = malloc(maxnodes * 2 * sizeof(int));
    if (rc == CS_OK && (!bins || !F || !gr || !he || !node || !rows || !hist || !phist || !chist || !work || !slot || !active ||
                        !split || !next_active))
        rc = CS_ERROR(CS_ENOMEM, "out of memory for the boosting sample (%zu rows)", ns);
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        g->base_score = log((double)cnt[1] / (double)cnt[0]);
        gbm_bin_rows(g, c.sx, ns, cols, 0, bins);
        /* a column-major copy for routing (gbm_route_rows; the histograms read whole rows), in the
         * place of the float rows, which are done with: no more memory than before it */
        free(c.sx);
        c.sx = NULL;
        bins_cm = malloc((ns ? ns : 1) * cols);
        if (bins_cm)
            for (size_t i = 0; i < ns; i++)
                for (size_t j = 0; j < cols; j++) bins_cm[j * ns + i] = bins[i * cols + j];
        else
            rc = CS_ERROR(CS_ENOMEM, "out of memory for the boosting sample (%zu rows)", ns);
    }
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        for (size_t i = 0; i < ns; i++) F[i] = g->base_score;
    }
    double t0 = comm_now(), last = t0;
    for (size_t tr = 0; rc == CS_OK && tr < gp.n_trees; tr++) {
        for (size_t i = 0; i < ns; i++) {
            double p = 1.0 / (1.0 + exp(-F[i]));
            gr[i] = red_quantize(p - c.sy[i]);
            he[i] = red_quantize(p * (1.0 - p));
            node[i] = 0;
        }
        active[0] = 1;
        size_t nodes = 1, nrows = 0;
        int32_t nsl = 0;
        for (size_t level = 0; rc == CS_OK && level <= gp.max_depth; level++) {
            size_t len = gbm_hist_len(g, nodes);
            if (level == 0) {
                memset(hist, 0, len * sizeof(double));
                const int32_t root_slot = 0;
                gbm_hist_accumulate_q(g, bins, gr, he, node, NULL, ns, &root_slot, 1, cols, work, hist);
                rc = red_sum_exact_f64(comm, hist, len);
            } else {
                rc = gbm_level_by_subtraction(comm, g, level, level == gp.max_depth, bins, gr, he, node, rows,
                                              nrows, active, slot, nsl, phist, chist, work, hist);
            }
            if (rc == CS_OK) rc = gbm_level_split(g, tr, level, hist, active, split, &gp);
            if (rc != CS_OK) break;
            int any = 0;
            for (size_t k = 0; k < nodes; k++) {
                next_active[2 * k] = next_active[2 * k + 1] = split[k];
                any |= split[k];
            }
            if (level == gp.max_depth || !any) {
                /* every row left is in a leaf of this level: its value goes into F */
                gbm_route_rows(g, tr, level, bins_cm, ns, node, F, NULL, NULL);
                break;
            }
            /* rows reaching a leaf here get its value; the rest move down, listed when in a slot */
            nsl = gbm_child_slots(g, tr, level, split, hist, slot);
            nrows = gbm_route_rows(g, tr, level, bins_cm, ns, node, F, slot, rows);
            double *sw = phist;
            phist = hist;
            hist = sw;
            memcpy(active, next_active, 2 * nodes * sizeof(int));
            nodes *= 2;
        }
        if (rc != CS_OK) break;
        g->n_trees = tr + 1;
        double now = comm_now();
        if (now - last > 10.0) {
            log_info("train: boosting: %zu of %zu trees (%.1f trees/s)", tr + 1, gp.n_trees,
                     (double)(tr + 1) / (now - t0));
            last = now;
        }
    }
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        m->gbm = g;
        g = NULL;
        if (t->validation) {
            double *pl = malloc((c.v.n ? c.v.n : 1) * sizeof(double));
            double *pg = malloc((c.v.n ? c.v.n : 1) * sizeof(double));
            rc = red_agree(comm, pl && pg ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the validation rows"));
            if (rc == CS_OK) {
                int kind = m->kind;
                m->kind = CMODEL_KIND_LOGIT;
                cmodel_predict(m, c.v.x, c.v.n, pl);
                m->kind = CMODEL_KIND_GBM;
                cmodel_predict(m, c.v.x, c.v.n, pg);
                m->kind = kind;
                rc = gbm_val_aucs(t, pl, pg, &c, auc_logit, auc_gbm, val);
            }
            free(pl);
            free(pg);
        }
    }
    gbm_model_free(g);
    free(bins);
    free(bins_cm);
    free(F);
    free(gr);
    free(he);
    free(node);
    free(rows);
    free(hist);
    free(phist);
    free(chist);
    free(work);
    free(slot);
    free(active);
    free(split);
    free(next_active);
    free(c.sx);
    free(c.sy);
    train_valrows_clear(&c.v);
    return rc;
}

/* Calibrates m as v says for model k (0 logistic, 1 trees), into the story's words. The rule is the
 * model's, the same for every data set: boosted trees are not calibrated by construction (they fit
 * the training rows ever closer, and on new rows their probabilities are too extreme: the validation
 * rows held 7% more leavers than the trees promised on mlc_churn, 4% on the generated data), so they
 * are always mapped; the logistic model with --class-weight 1 is (its intercept's score equation
 * makes its probabilities sum to the leavers of all training rows after the refit, an estimate on
 * five times the validation rows), so it is left alone, unless --class-weight moved it. */
static void gbm_calibrate(cmodel *m, const train_gbm_val *v, int k, double class_weight, char *why, size_t len)
{
    m->cal = CMODEL_CAL_NONE;
    unsigned long long rows = (unsigned long long)v->rows;
    const char *sig = v->cal_lr[k] > CALIB_LR_1PCT ? "significant" : "not significant";
    if (k == 0 && class_weight == 1.0) {
        snprintf(why, len, "none: the logistic model (--class-weight 1) is calibrated by its intercept on all "
                 "training rows (a Platt fit on the %llu validation rows: log-odds %.4f eta %+.4f, likelihood "
                 "ratio %.2f, %s at 1%%)", rows, v->cal_a[k], v->cal_b[k], v->cal_lr[k], sig);
    } else if (!v->cal_ok[k]) {
        snprintf(why, len, "none: the Platt fit on the %llu validation rows failed (see the log)", rows);
    } else {
        m->cal = CMODEL_CAL_PLATT;
        m->cal_a = v->cal_a[k];
        m->cal_b = v->cal_b[k];
        snprintf(why, len, "Platt scaling of the %s, fitted on the %llu validation rows by the fit without them: "
                 "log-odds %.4f eta %+.4f (likelihood ratio %.2f, %s at 1%%; monotone: the ranking and the AUC "
                 "are unchanged)", k ? "boosted trees" : "class-weighted logistic model", rows, m->cal_a, m->cal_b,
                 v->cal_lr[k], sig);
    }
}

int train_gbm_choose(train_run *t, cmodel *m, uint64_t n_train, double base_rate, train_irls_info *irls,
                     char *choice, size_t len, char *cal_why, size_t cal_len)
{
    const train_opts *o = &t->o;
    snprintf(choice, len, "logistic model (--model-kind logit)");
    snprintf(cal_why, cal_len, "none: --model-kind %s keeps no validation rows to calibrate on", o->kind);
    m->kind = CMODEL_KIND_LOGIT;
    m->cal = CMODEL_CAL_NONE;
    if (strcmp(o->kind, "logit") == 0) return CS_OK;
    double auc_l = NAN, auc_g = NAN;
    train_gbm_val v;
    memset(&v, 0, sizeof v);
    int rc = train_gbm(t, m, &auc_l, &auc_g, &v);
    if (rc != CS_OK) return rc;
    if (strcmp(o->kind, "gbm") == 0) {
        m->kind = CMODEL_KIND_GBM;
        snprintf(choice, len, "boosted trees (--model-kind gbm)");
    } else if (auc_g > auc_l) {
        m->kind = CMODEL_KIND_GBM;
        snprintf(choice, len, "boosted trees: validation AUC %.4f > logistic %.4f; refitted on all "
                 "training rows", auc_g, auc_l);
        gbm_calibrate(m, &v, 1, o->class_weight, cal_why, cal_len);
        /* the validation rows chose the model; now they help fit it */
        gbm_model_free(m->gbm);
        m->gbm = NULL;
        t->validation = 0;
        t->n_fit = n_train;
        double a1, a2;
        rc = train_gbm(t, m, &a1, &a2, NULL);
    } else {
        snprintf(choice, len, "logistic model: validation AUC %.4f >= boosted trees %.4f; refitted on all "
                 "training rows", auc_l, auc_g);
        gbm_calibrate(m, &v, 0, o->class_weight, cal_why, cal_len);
        gbm_model_free(m->gbm);
        m->gbm = NULL;
        /* as the trees: the validation rows chose the model, now they help fit it, and the report's
         * standard errors belong to the rows it states */
        free(m->beta), free(m->se), free(m->zval), free(m->pval), free(m->coef_mean);
        m->beta = m->se = m->zval = m->pval = m->coef_mean = NULL;
        t->validation = 0;
        t->n_fit = n_train;
        log_info("train: refitting the logistic model on all %llu training rows", (unsigned long long)n_train);
        rc = train_irls(t, m, base_rate, irls);
    }
    log_info("train: %s", choice);
    log_info("train: calibration: %s", cal_why);
    return rc;
}
