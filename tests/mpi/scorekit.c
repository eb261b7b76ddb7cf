/* scorekit.c — test fixtures for test_score.sh, made without `churnscore train`:
 *
 *   scorekit model SNAP.h5 OUT.h5 NAME[=BETA] ...
 *       a hand-made model on raw inputs: the named snapshot indicators in the order given (so the
 *       model's order differs from the snapshot's), standardised with the mean and sd of the first
 *       rows of SNAP (a name the snapshot lacks gets mean 0, sd 1: for the missing-indicator test);
 *       the known alarm signals enter as they are, tenure_months / contract_months_left become the
 *       lifecycle flags. BETA defaults to 0.5; the intercept is -3.5; warning cut-off 0.05.
 *   scorekit permute IN.h5 OUT.h5 [--empty-region R] [--drop-labels]
 *       the same subscribers with the indicator columns in reverse order; with --empty-region the
 *       rows of region R move to region R-1 (or R+1 for R = 0), leaving R without subscribers;
 *       with --drop-labels /subscribers/churned is left out.
 * Serial (run it without mpirun or with one rank).
 */
#include "cmodel.h"
#include "h5shared.h"
#include "modelfile.h"
#include "snapshot.h"
#include "status.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kit_signals[] = {"dual_sim", "competitor_service_calls_m3",
                                          "forward_to_competitor_m3", "suspended_voluntary",
                                          "suspended_arrears", "suspended_high_bill", NULL};

static int kit_is_signal(const char *n)
{
    for (const char *const *s = kit_signals; *s; s++)
        if (strcmp(*s, n) == 0) return 1;
    return 0;
}

static void kit_die(const char *what)
{
    fprintf(stderr, "scorekit: %s: %s\n", what, status_message());
    MPI_Abort(MPI_COMM_WORLD, 2);
}

static int kit_model(const char *snap, const char *out, int nn, char **names)
{
    snap_reader *r = NULL;
    if (snap_open(snap, MPI_COMM_NULL, &r) != CS_OK) kit_die("open");
    const snap_schema *s = snap_schema_of(r);
    size_t n = s->n < 50000 ? (size_t)s->n : 50000, p = s->p;
    float *x = malloc(n * p * sizeof(float) + 1);
    uint8_t *brand = malloc(n + 1);
    if (snap_read(r, 0, n, NULL, NULL, brand, x, NULL) != CS_OK) kit_die("read");

    cmodel m;
    memset(&m, 0, sizeof m);
    m.tenure_idx = m.contract_idx = -1;
    m.inputs = CMODEL_INPUTS_RAW;
    m.p_in = (size_t)nn;
    m.in_names = calloc(m.p_in, sizeof(char *));
    m.impute = calloc(m.p_in, sizeof(double));
    m.center = calloc(m.p_in, sizeof(double));
    m.scale = calloc(m.p_in, sizeof(double));
    m.fa_idx = calloc(m.p_in, sizeof(int32_t));
    m.signal_idx = calloc(m.p_in, sizeof(int32_t));
    double *beta_in = calloc(m.p_in, sizeof(double));
    for (int i = 0; i < nn; i++) {
        char *eq = strchr(names[i], '=');
        beta_in[i] = eq ? atof(eq + 1) : 0.5;
        m.in_names[i] = eq ? strndup(names[i], (size_t)(eq - names[i])) : strdup(names[i]);
        long c = snap_feature_index(s, m.in_names[i]);
        double sum = 0, sq = 0, cnt = 0;
        for (size_t k = 0; c >= 0 && k < n; k++) {
            double v = x[k * p + (size_t)c];
            if (isnan(v)) continue;
            sum += v;
            sq += v * v;
            cnt++;
        }
        double mean = cnt ? sum / cnt : 0, var = cnt ? sq / cnt - mean * mean : 1;
        m.center[i] = m.impute[i] = mean;
        m.scale[i] = var > 1e-12 ? sqrt(var) : 1.0;
        if (strcmp(m.in_names[i], "tenure_months") == 0) m.tenure_idx = i;
        else if (strcmp(m.in_names[i], "contract_months_left") == 0) m.contract_idx = i;
        else if (kit_is_signal(m.in_names[i])) m.signal_idx[m.n_signal++] = i;
        else m.fa_idx[m.p_fa++] = i;
    }
    m.onboarding_months = 3;
    m.contract_ending_months = 1;
    m.n_brands = s->n_brands;
    m.warn_cutoff = 0.05;
    if (cmodel_name_columns(&m) != CS_OK) kit_die("columns");
    size_t w = m.n_coef;
    m.beta = calloc(w, sizeof(double));
    m.se = calloc(w, sizeof(double));
    m.zval = calloc(w, sizeof(double));
    m.pval = calloc(w, sizeof(double));
    m.coef_mean = calloc(w, sizeof(double));
    /* coefficients by design column name: the input's BETA, 1.2 for the lifecycle flags, 0.3 per
     * brand step */
    m.beta[0] = -3.5;
    for (size_t c = 1; c < w; c++) {
        m.beta[c] = 0.3;
        for (size_t i = 0; i < m.p_in; i++)
            if (strcmp(m.coef_names[c], m.in_names[i]) == 0) m.beta[c] = beta_in[i];
        if (m.coef_kind[c] == CMODEL_COL_LIFECYCLE) m.beta[c] = 1.2;
    }
    /* column means over the sample rows, as training would store them */
    float *xin = malloc(n * m.p_in * sizeof(float) + 1), *X = malloc(n * w * sizeof(float) + 1);
    double *ws = malloc((cmodel_work_len(&m, n) + 1) * sizeof(double));
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < m.p_in; i++) {
            long c = snap_feature_index(s, m.in_names[i]);
            xin[k * m.p_in + i] = c >= 0 ? x[k * p + (size_t)c] : NAN;
        }
    cmodel_design(&m, xin, brand, n, X, ws);
    for (size_t c = 0; c < w; c++) {
        double sum = 0;
        for (size_t k = 0; k < n; k++) sum += X[k * w + c];
        m.coef_mean[c] = n ? sum / (double)n : 0;
    }
    modelfile_story st;
    modelfile_story_init(&st);
    snprintf(st.snapshot, sizeof st.snapshot, "%s", snap);
    snprintf(st.version, sizeof st.version, "scorekit");
    if (modelfile_write(out, &m, &st) != CS_OK) kit_die("write");
    cmodel_clear(&m);
    free(beta_in);
    free(xin);
    free(X);
    free(ws);
    free(x);
    free(brand);
    snap_close(r);
    return 0;
}

static int kit_permute(const char *in, const char *out, long empty, int drop_labels, int rev_brands)
{
    snap_reader *r = NULL;
    if (snap_open(in, MPI_COMM_NULL, &r) != CS_OK) kit_die("open");
    const snap_schema *s = snap_schema_of(r);
    size_t n = (size_t)s->n, p = s->p;
    uint64_t *id = malloc(n * 8 + 8);
    uint16_t *reg = malloc(n * 2 + 2);
    uint8_t *br = malloc(n + 1);
    float *x = malloc(n * p * 4 + 4), *y = malloc(n * p * 4 + 4);
    int8_t *ch = malloc(n + 1);
    if (snap_read(r, 0, n, id, reg, br, x, s->has_labels ? ch : NULL) != CS_OK) kit_die("read");
    for (size_t k = 0; k < n; k++) {
        for (size_t j = 0; j < p; j++) y[k * p + j] = x[k * p + (p - 1 - j)];
        if (empty >= 0 && reg[k] == (uint16_t)empty) reg[k] = (uint16_t)(empty > 0 ? empty - 1 : empty + 1);
        if (rev_brands) br[k] = (uint8_t)(s->n_brands - 1 - br[k]);
    }
    const char **bn = malloc(s->n_brands * sizeof(char *));
    for (size_t b = 0; b < s->n_brands; b++) bn[b] = s->brand_names[rev_brands ? s->n_brands - 1 - b : b];
    const char **fn = malloc(p * sizeof(char *));
    for (size_t j = 0; j < p; j++) fn[j] = s->feature_names[p - 1 - j];
    snap_meta meta = {.n = n, .p = p, .feature_names = fn, .n_regions = s->n_regions,
                      .region_names = (const char *const *)s->region_names, .n_brands = s->n_brands,
                      .brand_names = bn, .month = s->month,
                      .window = s->window, .has_labels = s->has_labels && !drop_labels,
                      .generator = "scorekit permute"};
    snap_writer *w = NULL;
    if (snap_create(out, MPI_COMM_WORLD, &meta, &w) != CS_OK) kit_die("create");
    int rc = snap_write(w, 0, n, id, reg, br, y, meta.has_labels ? ch : NULL);
    if (snap_finish(w, rc == CS_OK) != CS_OK || rc != CS_OK) kit_die("write");
    free(fn);
    free(bn);
    free(id);
    free(reg);
    free(br);
    free(x);
    free(y);
    free(ch);
    snap_close(r);
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    int rc = 1;
    if (argc >= 5 && strcmp(argv[1], "model") == 0) {
        rc = kit_model(argv[2], argv[3], argc - 4, argv + 4);
    } else if (argc >= 4 && strcmp(argv[1], "permute") == 0) {
        long empty = -1;
        int drop = 0, revb = 0;
        for (int i = 4; i < argc; i++) {
            if (strcmp(argv[i], "--empty-region") == 0 && i + 1 < argc) empty = atol(argv[++i]);
            else if (strcmp(argv[i], "--drop-labels") == 0) drop = 1;
            else if (strcmp(argv[i], "--reverse-brands") == 0) revb = 1;
        }
        rc = kit_permute(argv[2], argv[3], empty, drop, revb);
    } else {
        fprintf(stderr, "usage: scorekit model SNAP.h5 OUT.h5 NAME[=BETA]... | "
                        "scorekit permute IN.h5 OUT.h5 [--empty-region R] [--drop-labels] [--reverse-brands]\n");
    }
    MPI_Finalize();
    return rc;
}
