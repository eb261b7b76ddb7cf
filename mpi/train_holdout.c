/* train_holdout.c — scoring the held-out subscribers after the fit (stage 4 of cmd_train.c).
 *
 * The holdout (picked by a hash of the id) is scored on every rank; a bounded hash sample of it is
 * gathered in global row order, so the exact metrics (model/metrics.h) see the same input for any
 * rank count: on rank 0 AUC, lift, capture, KS, Brier, calibration, the warning cut-off and the
 * report's curves (gains.h: gains, lift, ROC, KS, the confusion matrix at the cut-off); on the
 * helper rank (gat_helper_rank), at the same time, the oracle AUC of the true probabilities where
 * the snapshot has them, and the drift reference (deciles of the score and of every model input, on
 * a smaller sample of design rows) stored in the model. Where the model has churn types, rank 0
 * also evaluates each type's probability against the held-out leavers of that type: AUC, capture at
 * 5% and 10%, and calibration (expected over observed leavers, overall and by decile).
 */
#include "train_holdout.h"

#include "calib.h"

#include "comm.h"
#include "gains.h"
#include "gather.h"
#include "idhash.h"
#include "log.h"
#include "metrics.h"
#include "reduce.h"
#include "salts.h"
#include "status.h"

#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_statistics_float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Holdout collection: probabilities, labels, ids (and truth) of the sampled holdout rows. */
typedef struct {
    double *prob;
    double *truth;
    uint8_t *label;
    int64_t *id;
    double *pv, *pi;  /* with types: each type's probability */
    int8_t *ct;       /* with types: the row's churn type */
    size_t n, cap;
    double sample; /* keep a holdout row when its second hash is below this */
    double pbuf[PART_BLOCK_ROWS];
    double vbuf[PART_BLOCK_ROWS], ibuf[PART_BLOCK_ROWS];
    /* drift reference: design rows of a small holdout sample, column 0 replaced by the score */
    float *dx;
    size_t nd, dcap;
    double dfrac;
    int use_train; /* no holdout (--holdout 0): the cut-off and drift reference come from training rows */
} train_hold_arg;

static int train_hold_block(train_run *t, const cmodel *m, uint64_t block, const float *X,
                            const int8_t *y, const int8_t *ct, const uint8_t *hold, const uint64_t *id,
                            const float *truth, size_t n, void *argp)
{
    train_hold_arg *a = argp;
    int types = m->has_types && ct;
    cmodel_predict(m, X, n, a->pbuf);
    if (types) cmodel_predict_types(m, X, n, a->pbuf, a->vbuf, a->ibuf);
    for (size_t i = 0; i < n; i++) {
        if ((a->use_train ? hold[i] : !hold[i]) || (y[i] != 0 && y[i] != 1)) continue;
        if (idhash_unit(id[i], SALT_SAMPLE) >= a->sample) continue;
        if (a->n == a->cap) {
            size_t nc = a->cap ? 2 * a->cap : 65536;
            double *p2 = realloc(a->prob, nc * sizeof(double));
            if (p2) a->prob = p2;
            double *t2 = realloc(a->truth, nc * sizeof(double));
            if (t2) a->truth = t2;
            uint8_t *l2 = realloc(a->label, nc);
            if (l2) a->label = l2;
            int64_t *i2 = realloc(a->id, nc * sizeof(int64_t));
            if (i2) a->id = i2;
            double *v2 = types ? realloc(a->pv, nc * sizeof(double)) : NULL;
            if (v2) a->pv = v2;
            double *q2 = types ? realloc(a->pi, nc * sizeof(double)) : NULL;
            if (q2) a->pi = q2;
            int8_t *c2 = types ? realloc(a->ct, nc) : NULL;
            if (c2) a->ct = c2;
            if (!p2 || !t2 || !l2 || !i2 || (types && (!v2 || !q2 || !c2)))
                return CS_ERROR(CS_ENOMEM, "out of memory for the holdout");
            a->cap = nc;
        }
        if (idhash_unit(id[i], SALT_DRIFT) < a->dfrac) {
            size_t k = m->n_coef;
            if (a->nd == a->dcap) {
                size_t nc = a->dcap ? 2 * a->dcap : 4096;
                float *d2 = realloc(a->dx, nc * k * sizeof(float));
                if (!d2) return CS_ERROR(CS_ENOMEM, "out of memory for the drift reference");
                a->dx = d2;
                a->dcap = nc;
            }
            memcpy(a->dx + a->nd * k, X + i * k, k * sizeof(float));
            a->dx[a->nd * k] = (float)a->pbuf[i];
            a->nd++;
        }
        a->prob[a->n] = a->pbuf[i];
        a->truth[a->n] = truth ? (double)truth[i] : NAN;
        a->label[a->n] = (uint8_t)y[i];
        a->id[a->n] = (int64_t)id[i];
        if (types) {
            a->pv[a->n] = a->vbuf[i];
            a->pi[a->n] = a->ibuf[i];
            a->ct[a->n] = ct[i];
        }
        a->n++;
    }
    (void)block;
    (void)t;
    return CS_OK;
}


/* Rank 0: decile cut points of the score (column 0) and of each design column over the sample, and
 * the share of the sample in each resulting bin (bin = number of cuts below the value). */
static int train_drift_reference(const cmodel *m, const float *rows, size_t n, modelfile_story *s)
{
    size_t K = m->n_coef;
    s->drift_cols = K;
    s->drift_edges = malloc(K * 9 * sizeof(double));
    s->drift_expected = malloc(K * 10 * sizeof(double));
    float *col = malloc(n * sizeof(float));
    if (!s->drift_edges || !s->drift_expected || !col) {
        free(col);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < K; j++) {
        for (size_t i = 0; i < n; i++) col[i] = rows[i * K + j];
        size_t ne = 0;
        double *e = s->drift_edges + j * 9;
        for (int q = 1; q <= 9; q++) {
            /* the order statistic by selection (GSL's quickselect), not a full sort: the nine
             * deciles of 19 columns of 100k rows took 0.17 s with qsort, on the holdout's critical
             * path; the value is the same, whatever order the select leaves behind */
            double v = gsl_stats_float_select(col, 1, n, (size_t)((double)q / 10.0 * (double)(n - 1)));
            if (ne == 0 || v > e[ne - 1]) e[ne++] = v;
        }
        for (size_t q = ne; q < 9; q++) e[q] = NAN;
        double *x = s->drift_expected + j * 10;
        for (int b = 0; b < 10; b++) x[b] = 0;
        for (size_t i = 0; i < n; i++) {
            size_t b = 0;
            while (b < ne && e[b] < col[i]) b++;
            x[b] += 1.0 / (double)n;
        }
    }
    free(col);
    return CS_OK;
}

/* Rank 0: one churn type's holdout metrics from the gathered rows (prob: the type's probability,
 * ct: the churn types, label = ct == type + 1). A type without leavers (or only leavers) among the
 * rows keeps NaN metrics: there is nothing to rank. */
static int train_type_metrics(const double *prob, const int8_t *ct, const int64_t *id, size_t n, int type,
                              metrics_work *mw, modelfile_type_story *y)
{
    uint8_t *lab = calloc(n ? n : 1, 1);
    if (!lab) return CS_ERROR(CS_ENOMEM, "out of memory");
    double sp = 0, so = 0;
    for (size_t i = 0; i < n; i++) {
        lab[i] = ct[i] == type + 1;
        sp += prob[i];
        so += lab[i];
    }
    metrics_report rep;
    int rc = metrics_evaluate(prob, lab, id, n, &rep, mw);
    free(lab);
    y->n = n;
    y->pos = (uint64_t)so;
    y->expected_observed = so > 0 ? sp / so : NAN;
    if (rc == CS_EDATA) {
        status_clear();
        return CS_OK;
    }
    if (rc != CS_OK) return rc;
    y->auc = rep.auc;
    y->capture5 = rep.capture5;
    y->capture10 = rep.capture10;
    for (int b = 0; b < 10; b++) {
        y->cal_n[b] = rep.cal_n[b];
        y->cal_pred[b] = rep.cal_pred[b];
        y->cal_obs[b] = rep.cal_obs[b];
    }
    return CS_OK;
}

/* The i-th largest (0: the largest) of v[0..n) into *out, v untouched (gsl_stats_select reorders a
 * copy): the cut-offs that put a given share of the evaluated rows above them. */
static int train_nth_largest(const double *v, size_t n, size_t i, double *out)
{
    double *w = malloc(n * sizeof(double));
    if (!w) return CS_ERROR(CS_ENOMEM, "out of memory");
    memcpy(w, v, n * sizeof(double));
    *out = gsl_stats_select(w, 1, n, n - 1 - i);
    free(w);
    return CS_OK;
}

/* Collective: the helper rank h's oracle AUC and drift reference to every rank (rank 0 writes them). */
static int train_share_story(MPI_Comm comm, int h, modelfile_story *s)
{
    int me = comm_rank(comm);
    double head[2] = {s->oracle_auc, (double)s->drift_cols};
    int rc = red_agree(comm, comm_bcast(comm, h, head, sizeof head));
    if (rc != CS_OK) return rc;
    size_t K = (size_t)head[1];
    if (me != h) {
        s->oracle_auc = head[0];
        free(s->drift_edges);
        free(s->drift_expected);
        s->drift_cols = K;
        s->drift_edges = K ? malloc(K * 9 * sizeof(double)) : NULL;
        s->drift_expected = K ? malloc(K * 10 * sizeof(double)) : NULL;
        if (K && (!s->drift_edges || !s->drift_expected)) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    rc = red_agree(comm, rc);
    if (rc != CS_OK || !K) return rc;
    rc = comm_bcast(comm, h, s->drift_edges, K * 9 * sizeof(double));
    if (rc == CS_OK) rc = comm_bcast(comm, h, s->drift_expected, K * 10 * sizeof(double));
    return red_agree(comm, rc);
}

int train_holdout(train_run *t, cmodel *m, uint64_t n_hold, modelfile_story *story)
{
    const train_opts *o = &t->o;
    size_t K = m->n_coef;
    train_hold_arg ha;
    memset(&ha, 0, sizeof ha);
    /* Without a holdout the warning cut-off and the drift reference still need scored rows: the
     * training rows serve, and no holdout metrics are reported (they would be in-sample). */
    ha.use_train = n_hold == 0;
    uint64_t n_eval = ha.use_train ? t->n_fit : n_hold;
    ha.sample = n_eval > o->validate_max ? (double)o->validate_max / (double)n_eval : 1.0;
    ha.dfrac = n_eval > 100000 ? 100000.0 / (double)n_eval : 1.0;
    if (ha.use_train) log_info("train: no holdout: warning cut-off and drift reference from the training rows");
    int rc = CS_OK;
    {
        int lrc = train_pass(t, m, "train: scoring the holdout", train_hold_block, &ha);
        rc = red_agree(t->ctx->comm, lrc);
    }
    double cutoff = o->warn_cutoff, coll = -1;
    if (rc == CS_OK) {
        /* Rank 0 evaluates the holdout and reads the cut-off; the helper rank (rank 1 when there is
         * one) at the same time computes the oracle AUC and the drift reference, then broadcasts
         * them. All gathers come first, so that the two evaluate concurrently. */
        MPI_Comm comm = t->ctx->comm;
        int me = t->ctx->rank, h = gat_helper_rank(comm);
        int oracle = t->s->has_truth && !ha.use_train;
        void *ap = NULL, *al = NULL, *ai = NULL, *at = NULL, *alh = NULL, *aih = NULL, *dall = NULL;
        void *apv = NULL, *api = NULL, *act = NULL;
        uint64_t tot = 0, toth = 0, dtot = 0;
        /* every rank alike: the model and the snapshot are the same everywhere */
        int gtypes = m->has_types && t->s->has_churn_type, types = gtypes && !ha.use_train;
        /* every gather is collective and agreed, so a failure skips the rest on all ranks alike */
        int lrc = gat_rows_to_root(comm, ha.prob, ha.n, sizeof(double), &ap, &tot);
        if (lrc == CS_OK) lrc = gat_rows_to_root(comm, ha.label, ha.n, 1, &al, &tot);
        if (lrc == CS_OK) lrc = gat_rows_to_root(comm, ha.id, ha.n, sizeof(int64_t), &ai, &tot);
        if (lrc == CS_OK && gtypes) lrc = gat_rows_to_root(comm, ha.pv, ha.n, sizeof(double), &apv, &tot);
        if (lrc == CS_OK && gtypes) lrc = gat_rows_to_root(comm, ha.pi, ha.n, sizeof(double), &api, &tot);
        if (lrc == CS_OK && gtypes) lrc = gat_rows_to_root(comm, ha.ct, ha.n, 1, &act, &tot);
        if (lrc == CS_OK && oracle) {
            lrc = gat_rows_to_rank(comm, h, ha.truth, ha.n, sizeof(double), &at, &toth);
            if (lrc == CS_OK && h != 0) lrc = gat_rows_to_rank(comm, h, ha.label, ha.n, 1, &alh, &toth);
            if (lrc == CS_OK && h != 0) lrc = gat_rows_to_rank(comm, h, ha.id, ha.n, sizeof(int64_t), &aih, &toth);
        }
        if (lrc == CS_OK) lrc = gat_rows_to_rank(comm, h, ha.dx, ha.nd, K * sizeof(float), &dall, &dtot);

        if (lrc == CS_OK && me == 0 && tot > 0) {
            metrics_report rep;
            metrics_work *mw = metrics_work_alloc((size_t)tot);
            lrc = mw ? metrics_evaluate(ap, al, ai, (size_t)tot, &rep, mw) : CS_ERROR(CS_ENOMEM, "out of memory");
            /* the cut-offs leave warn_top of the evaluated rows at or above them: the at_i-th largest */
            size_t at_i = (size_t)floor(o->warn_top * (double)tot);
            if (at_i >= (size_t)tot) at_i = (size_t)tot - 1;
            if (lrc == CS_OK && cutoff < 0) {
                /* the probability's, read from the order metrics_evaluate has just sorted
                 * (decreasing score) */
                cutoff = metrics_work_sorted(mw)[at_i];
                /* with churn types the warning phase reads the voluntary probability (retention's
                 * early care): its cut-off is that probability's quantile, the same at_i-th largest */
                if (gtypes) lrc = train_nth_largest(apv, (size_t)tot, at_i, &cutoff);
            }
            /* the collections cut-off: the same share of the evaluated rows by involuntary risk */
            if (lrc == CS_OK && gtypes)
                lrc = train_nth_largest(api, (size_t)tot, at_i, &coll);
            if (lrc == CS_OK && !ha.use_train) {
                /* holdout metrics (never in-sample ones) */
                story->ho_n = rep.n;
                story->ho_pos = rep.npos;
                story->auc = rep.auc;
                story->lift10 = rep.lift10;
                story->capture5 = rep.capture5;
                story->capture10 = rep.capture10;
                story->capture20 = rep.capture20;
                story->ks = rep.ks;
                story->brier = rep.brier;
                for (int b = 0; b < 10; b++) {
                    story->cal_n[b] = rep.cal_n[b];
                    story->cal_pred[b] = rep.cal_pred[b];
                    story->cal_obs[b] = rep.cal_obs[b];
                }
                /* the same bins before calibration, for the report's before/after table */
                if (m->cal == CMODEL_CAL_PLATT)
                    calib_platt_uncalibrated_bins(metrics_work_sorted(mw), (size_t)tot, m->cal_a, m->cal_b,
                                                  story->cal_pred_raw);
                /* the report's curves, from the same sorted rows (both classes are there: the
                 * evaluation above needs them too) */
                story->has_gains = gains_compute(metrics_work_sorted(mw), metrics_work_labels(mw),
                                                 (size_t)tot, cutoff, &story->gains) == CS_OK;
            }
            if (lrc == CS_OK && types) {
                lrc = train_type_metrics(apv, act, ai, (size_t)tot, CMODEL_TYPE_VOLUNTARY, mw,
                                         &story->types[CMODEL_TYPE_VOLUNTARY]);
                if (lrc == CS_OK)
                    lrc = train_type_metrics(api, act, ai, (size_t)tot, CMODEL_TYPE_INVOLUNTARY, mw,
                                             &story->types[CMODEL_TYPE_INVOLUNTARY]);
            }
            metrics_work_free(mw);
        }
        if (lrc == CS_OK && me == h) {
            if (oracle && toth > 0) {
                metrics_report orc;
                metrics_work *mw = metrics_work_alloc((size_t)toth);
                if (mw && metrics_evaluate(at, h != 0 ? alh : al, h != 0 ? aih : ai, (size_t)toth, &orc, mw) == CS_OK)
                    story->oracle_auc = orc.auc;
                metrics_work_free(mw);
            }
            if (lrc == CS_OK && dtot > 0) lrc = train_drift_reference(m, dall, (size_t)dtot, story);
        }
        free(ap);
        free(al);
        free(ai);
        free(apv);
        free(api);
        free(act);
        free(at);
        free(alh);
        free(aih);
        free(dall);
        rc = red_agree(comm, lrc);
        if (rc == CS_OK && h != 0) rc = train_share_story(comm, h, story);
        if (rc == CS_OK) rc = red_agree(comm, comm_bcast(comm, 0, &cutoff, sizeof cutoff));
        if (rc == CS_OK) rc = red_agree(comm, comm_bcast(comm, 0, &coll, sizeof coll));
        if (cutoff < 0) cutoff = 0.5;
        m->warn_cutoff = cutoff;
        m->coll_cutoff = gtypes && coll >= 0 && coll <= 1 ? coll : -1;
    }
    free(ha.prob);
    free(ha.truth);
    free(ha.label);
    free(ha.id);
    free(ha.pv);
    free(ha.pi);
    free(ha.ct);
    free(ha.dx);
    return rc;
}
