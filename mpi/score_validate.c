/* score_validate.c — phase 4 of `churnscore score`: the validation against the snapshot's labels.
 *
 * A month whose outcome is already known (the labels of a back-test) tells how good the scores
 * are: AUC, lift, capture, KS and Brier (model/metrics.h), over all labelled subscribers and per
 * region. The metrics sort their rows, so they are computed on one rank over rows gathered in global
 * row order (gather.h), which makes them the same bits for any rank count; rank 0 computes the
 * overall report while the helper rank (rank 1 when there is one) computes the regions', and
 * broadcasts them. Beyond --validate-max labelled rows, a hash-of-id sample keeps the gathered rows
 * bounded: the pass keeps a share a little above the target (score_validate_threshold) and the exact
 * --validate-max smallest hashes are found across ranks here (select.h).
 */
#include "score_validate.h"

#include "comm.h"
#include "gather.h"
#include "log.h"
#include "select.h"
#include "status.h"

#include <stdlib.h>

/* The sampled share of the rows above validate_max / n: the pass keeps a little more than the
 * target, so that the exact cut after it finds enough rows. */
#define SCORE_VALIDATE_SLACK 1.1

uint64_t score_validate_threshold(const snap_schema *s, uint64_t validate_max)
{
    if (!s->has_labels || s->n <= validate_max) return UINT64_MAX;
    double f = SCORE_VALIDATE_SLACK * (double)validate_max / (double)s->n;
    return f < 1.0 ? (uint64_t)(f * 0x1p64) : UINT64_MAX;
}

/* The columns metrics_evaluate takes, for up to n validation rows, and its workspace. */
typedef struct {
    double *score;
    unsigned char *label;
    int64_t *key;
    metrics_work *mw;
} score_eval_buf;

static void score_eval_free(score_eval_buf *b)
{
    free(b->score);
    free(b->label);
    free(b->key);
    metrics_work_free(b->mw);
}

static int score_eval_alloc(score_eval_buf *b, uint64_t n)
{
    b->score = malloc((n ? n : 1) * sizeof(double));
    b->label = malloc(n ? n : 1);
    b->key = malloc((n ? n : 1) * sizeof(int64_t));
    b->mw = metrics_work_alloc(n ? n : 1);
    if (b->score && b->label && b->key && b->mw) return CS_OK;
    score_eval_free(b);
    return CS_ERROR(CS_ENOMEM, "out of memory for the validation of %llu rows", (unsigned long long)n);
}

/* Evaluates the m rows v[idx[0..m)] (v[0..m) when idx is NULL) into *rep: CS_EDATA when they hold
 * one class only. */
static int score_eval_rows(score_eval_buf *b, const score_vrow *v, const uint64_t *idx, size_t m,
                           metrics_report *rep)
{
    for (size_t i = 0; i < m; i++) {
        const score_vrow *x = &v[idx ? idx[i] : i];
        b->score[i] = x->prob;
        b->label[i] = x->label;
        b->key[i] = x->id;
    }
    return metrics_evaluate(b->score, b->label, b->key, m, rep, b->mw);
}

/* The overall validation report of n gathered rows; *validated = 0 when they hold one class. */
static int score_validate_all(const score_vrow *v, uint64_t n, metrics_report *overall, int *validated)
{
    score_eval_buf b;
    CS_TRY(score_eval_alloc(&b, n));
    int rc = score_eval_rows(&b, v, NULL, (size_t)n, overall);
    if (rc == CS_OK) *validated = 1;
    else if (rc == CS_EDATA) {
        status_clear();
        rc = CS_OK;
        log_info("score: validation skipped: the labelled rows hold only one class");
    }
    score_eval_free(&b);
    return rc;
}

/* The per-region reports of n gathered rows (reg_ok[g] = 0 where a region has one class or no row);
 * nothing when the rows as a whole hold one class (no validation at all then). */
static int score_validate_regions(size_t nreg, const score_vrow *v, uint64_t n, metrics_report *reg,
                                  int *reg_ok)
{
    for (size_t g = 0; g < nreg; g++) reg_ok[g] = 0;
    uint64_t npos = 0;
    for (uint64_t i = 0; i < n; i++) npos += v[i].label == 1;
    if (npos == 0 || npos == n) return CS_OK;
    score_eval_buf b;
    CS_TRY(score_eval_alloc(&b, n));
    uint64_t *start = calloc(nreg + 1, sizeof(uint64_t));
    uint64_t *perm = malloc((n ? n : 1) * sizeof(uint64_t));
    int rc = start && perm ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the validation of %llu rows",
                                              (unsigned long long)n);
    if (rc == CS_OK) {
        /* a counting sort by region, stable, so each region keeps the global row order (the report
         * does not depend on the order, but the input stays fixed) */
        for (uint64_t i = 0; i < n; i++) start[v[i].region + 1]++;
        for (size_t g = 0; g < nreg; g++) start[g + 1] += start[g];
        for (uint64_t i = 0; i < n; i++) perm[start[v[i].region]++] = i;
        /* start[g] is now the end of region g */
        for (size_t g = 0; rc == CS_OK && g < nreg; g++) {
            uint64_t a = g ? start[g - 1] : 0;
            size_t m = (size_t)(start[g] - a);
            if (m == 0) continue;
            int erc = score_eval_rows(&b, v, perm + a, m, &reg[g]);
            if (erc == CS_OK) reg_ok[g] = 1;
            else if (erc == CS_EDATA) status_clear(); /* one class only: no AUC */
            else rc = erc;
        }
    }
    free(start);
    free(perm);
    score_eval_free(&b);
    return rc;
}

/* Collective. Keeps the validate_max rows of smallest id hash over all ranks (the rows of vs are
 * validate_max or more: kept counts over all ranks). */
static int score_vsample_cut(MPI_Comm comm, score_vsample *vs, uint64_t validate_max)
{
    uint64_t *h = malloc((vs->n ? vs->n : 1) * sizeof(uint64_t));
    int rc = red_agree(comm, h ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory"));
    if (rc != CS_OK) {
        free(h);
        return rc;
    }
    for (size_t i = 0; i < vs->n; i++) h[i] = vs->rows[i].hash;
    uint64_t want = validate_max - 1, thr = 0;
    rc = sel_kth_u64(comm, h, vs->n, 64, 1, &want, &thr);
    free(h);
    if (rc != CS_OK) return rc;
    size_t k = 0;
    for (size_t i = 0; i < vs->n; i++)
        if (vs->rows[i].hash <= thr) vs->rows[k++] = vs->rows[i];
    vs->n = k;
    return CS_OK;
}

int score_validate(score_job *j)
{
    MPI_Comm comm = j->ctx->comm;
    size_t nreg = j->in.nreg;
    score_vsample *vs = &j->vs;
    score_validation *val = &j->res.val;
    int64_t t[2] = {vs->labelled, (int64_t)vs->n}; /* labelled and kept, over all ranks */
    CS_TRY(red_sum_i64(comm, t, 2));
    val->labelled = (uint64_t)t[0];
    val->validated = 0;
    if (t[0] == 0) return CS_OK;
    if ((uint64_t)t[1] > j->o.validate_max) CS_TRY(score_vsample_cut(comm, vs, j->o.validate_max));
    int me = j->ctx->rank, h = gat_helper_rank(comm);
    void *all = NULL, *allh = NULL;
    uint64_t n = 0, nh = 0;
    CS_TRY(gat_rows_to_root(comm, vs->rows, vs->n, sizeof(score_vrow), &all, &n));
    if (h != 0) {
        int grc = gat_rows_to_rank(comm, h, vs->rows, vs->n, sizeof(score_vrow), &allh, &nh);
        if (grc != CS_OK) {
            free(all);
            return grc;
        }
    } else {
        allh = all;
        nh = n;
    }
    int rc = CS_OK;
    if (me == 0) rc = score_validate_all(all, n, &val->overall, &val->validated);
    if (me == h && rc == CS_OK) rc = score_validate_regions(nreg, allh, nh, val->region, val->region_ok);
    if (allh != all) free(allh);
    free(all);
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = comm_bcast(comm, 0, &val->validated, sizeof val->validated);
    if (rc == CS_OK && h != 0) rc = comm_bcast(comm, h, val->region_ok, nreg * sizeof *val->region_ok);
    if (rc == CS_OK && h != 0) rc = comm_bcast(comm, h, val->region, nreg * sizeof *val->region);
    rc = red_agree(comm, rc);
    if (!val->validated)
        for (size_t g = 0; g < nreg; g++) val->region_ok[g] = 0;
    return rc;
}
