/* test_fscores.c — the factor scores of a fixed data matrix, from the rows to the design row, against
 * R psych::factor.scores(method = "Thurstone"): the standardisation of the scores is the one the
 * correlation used (mean and sd of the mean-imputed columns, moments_standardisation), so the scores
 * are psych's on the imputed data, on complete data and with missing cells. Principal axis to 1e-6
 * (measured: loadings 5e-13, scores 6e-8, the float32 rounding of the design row); maximum likelihood
 * to 1e-4, the two optimisers' agreement (psych's optim and our BFGS stop apart: loadings 7e-6,
 * scores 6e-5).
 *
 * Reference numbers: R 4.2.2 Patched (2022-11-10 r83330), psych 2.2.9 (Debian 12 r-base-core,
 * r-cran-psych), printed with %.12g by the script below (saved as cref.R: Rscript cref.R); X is DATA, the
 * missing cells are those of MISSING (1-based in R):
 *
 *   suppressMessages(library(psych))
 *   set.seed(21); n <- 24; f1 <- rnorm(n); f2 <- rnorm(n)
 *   L <- rbind(c(.8,.1),c(.7,.2),c(.75,0),c(.1,.8),c(.2,.7),c(0,.65))
 *   X <- sapply(1:6, function(j) L[j,1]*f1 + L[j,2]*f2 + sqrt(1-sum(L[j,]^2))*rnorm(n))
 *   X <- round(4 * (X * c(3, 2, 5, 1.5, 4, 2.5)[col(X)] + c(10, 5, 20, 3, 12, 7)[col(X)])) / 4
 *   Xm <- X; Xm[cbind(c(2,5,9,13,17,20,22,11), c(1,3,4,6,2,5,1,3))] <- NA
 *   Xi <- Xm; for (j in 1:6) Xi[is.na(Xi[, j]), j] <- mean(Xm[, j], na.rm = TRUE)
 *   cm <- function(name, m) cat(name, " = {", paste(sprintf("%.12g", t(m)), collapse = ", "), "};\n")
 *   for (d in list(list("c", X), list("m", Xi))) {
 *     x <- d[[2]]; p <- fa(x, nfactors = 2, fm = "pa", rotate = "varimax")
 *     s <- factor.scores(x, p, method = "Thurstone")
 *     cm(paste0(d[[1]], "_center"), colMeans(x)); cm(paste0(d[[1]], "_scale"), apply(x, 2, sd))
 *     cm(paste0(d[[1]], "_pa_loadings"), unclass(p$loadings)); cm(paste0(d[[1]], "_pa_weights"), s$weights)
 *     cm(paste0(d[[1]], "_pa_scores"), s$scores)
 *     ml <- fa(x, nfactors = 2, fm = "ml", rotate = "varimax")
 *     sm <- factor.scores(x, ml, method = "Thurstone")
 *     cm(paste0(d[[1]], "_ml_loadings"), unclass(ml$loadings)); cm(paste0(d[[1]], "_ml_scores"), sm$scores)
 *   }
 *
 * (psych's own factor.scores(Xm, p, missing = TRUE, impute = "mean") rescales the weights row by row
 * (factorScoresSapa) and is not the regression score of the imputed row; the scores of the imputed
 * matrix are.) The sd of the present values, which scoring used before, moves these scores by up to
 * 0.072 on this matrix; test_missing checks that the test tells the two apart. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "cmodel.h"
#include "fa.h"
#include "moments.h"
#include "status.h"

enum { NR = 24, NP = 6, K = 2 };

/* X of the R script: quarter steps, exact in float32, so R and we read the same numbers */
static const float DATA[NR * NP] = {
    12.5f, 6.75f, 28.0f, 2.5f, 10.25f, 3.25f,    9.25f, 3.75f, 21.75f, 3.5f, 10.0f, 7.5f,
    13.25f, 8.25f, 26.5f, 3.75f, 16.5f, 9.75f,   9.75f, 3.0f, 8.25f, 1.75f, 5.25f, 2.25f,
    14.75f, 8.0f, 25.5f, 2.5f, 11.0f, 5.0f,      10.25f, 6.5f, 12.0f, 3.25f, 12.25f, 1.75f,
    6.75f, 1.25f, 14.0f, -0.25f, 7.0f, 2.75f,    9.5f, 4.0f, 15.25f, 1.5f, 8.25f, 5.5f,
    10.0f, 6.5f, 20.25f, 2.75f, 8.5f, 6.5f,      8.75f, 5.75f, 21.75f, 5.25f, 14.75f, 9.25f,
    6.75f, 2.0f, 9.25f, 5.0f, 16.5f, 10.5f,      14.0f, 5.75f, 26.25f, 4.5f, 14.5f, 4.0f,
    8.5f, 5.0f, 21.5f, 5.0f, 19.25f, 10.0f,      12.0f, 4.0f, 23.25f, 4.25f, 10.0f, 6.25f,
    8.0f, 5.75f, 17.25f, 5.0f, 17.75f, 9.25f,    11.0f, 6.25f, 28.75f, 6.5f, 14.0f, 8.5f,
    14.75f, 4.75f, 16.25f, 2.0f, 13.25f, 6.0f,   13.75f, 7.75f, 23.25f, 1.25f, 8.75f, 4.75f,
    7.25f, 3.5f, 16.0f, 1.5f, 10.75f, 7.25f,     12.25f, 5.25f, 19.25f, 1.75f, 7.0f, 7.0f,
    11.0f, 6.75f, 17.0f, 6.25f, 17.0f, 10.5f,    7.25f, 5.25f, 19.75f, 2.5f, 14.25f, 8.5f,
    8.0f, 5.25f, 14.75f, 2.5f, 17.75f, 9.0f,     5.5f, 3.25f, 15.5f, 5.75f, 18.0f, 11.0f,
};

/* the missing cells of Xm (0-based row, column) */
static const int MISSING[8][2] = {{1, 0}, {4, 2}, {8, 3}, {12, 5}, {16, 1}, {19, 4}, {21, 0}, {10, 2}};

/* psych's numbers for X (c_) and the imputed Xm (m_); matrices row-major (rows = indicators or
 * rows of X, columns = factors) */
static const double c_center[NP] = {
    10.1979166667, 5.17708333333, 19.21875, 3.34375, 12.6041666667, 6.91666666667,
};
static const double c_scale[NP] = {
    2.72964718084, 1.82298007136, 5.66564422255, 1.77667939536, 4.07532118411, 2.79913288851,
};
static const double c_pa_loadings[NP * K] = {
    -0.306853433722, 0.826280945527, 0.133657990811, 0.838932859054,
    0.129191974491, 0.738227136922, 0.793289431977, 0.140326037572,
    0.89236760479, 0.0254699229778, 0.848397291025, -0.118839360228,
};
static const double c_pa_weights[NP * K] = {
    -0.112389506546, 0.457360966188, 0.041828033289, 0.389529402168,
    0.0618723599298, 0.212261029718, 0.223860628217, 0.07476508974,
    0.452949205845, 0.00623923247506, 0.317560677668, -0.0128578827445,
};
static const double c_pa_scores[NR * K] = {
    -0.746744685987, 1.02853634404, -0.169644440914, -0.369020714016,
    0.829986181301, 1.45083264277, -1.69891405995, -1.00807257688,
    -0.556110624559, 1.5720755998, -0.687956235633, 0.0402023025972,
    -1.55352441967, -1.75302611647, -0.91858663577, -0.594887828467,
    -0.528473099904, 0.258795781866, 0.843804047186, 0.0474331212243,
    1.00841524727, -1.57085331111, -0.0411111696107, 1.08785000559,
    1.38789592115, -0.171155339504, -0.308067285594, 0.238669557257,
    1.12747487108, -0.252749787681, 0.828133901896, 0.848417059888,
    -0.431172315101, 0.508887531723, -0.981181274295, 1.21190978901,
    -0.352829960378, -1.05483381233, -0.896706740367, 0.28455458761,
    1.24012174128, 0.499932328882, 0.385092882432, -0.498708499595,
    0.745339840186, -0.557304918777, 1.47475831395, -1.24748374742,
};
static const double c_ml_loadings[NP * K] = {
    -0.307160068728, 0.830783494074, 0.142337378993, 0.840099076417,
    0.118763699303, 0.730497684483, 0.792303631368, 0.136342580137,
    0.89527547583, 0.0342954039355, 0.846535240636, -0.127238476582,
};
static const double c_ml_scores[NR * K] = {
    -0.761917705437, 1.03507339161, -0.202708615964, -0.4079038833,
    0.834827248339, 1.45376051748, -1.67711235967, -1.00548399754,
    -0.547952868353, 1.58085636567, -0.625871011775, 0.0956341324065,
    -1.58161456285, -1.74064854484, -0.917606921386, -0.606441428248,
    -0.512175510234, 0.216807739613, 0.842848778752, 0.0207986486527,
    1.00730254494, -1.56450160062, -0.0661743627013, 1.13066257778,
    1.37575282806, -0.153787515267, -0.347216660993, 0.215509599797,
    1.14870344024, -0.241164168572, 0.800736394318, 0.808181213223,
    -0.434249150522, 0.562136530476, -0.965647000852, 1.20859372854,
    -0.360844358416, -1.06683995229, -0.902601118846, 0.245304171583,
    1.27079980045, 0.493631429774, 0.387005782888, -0.504998357771,
    0.767880573932, -0.518862399008, 1.46783481607, -1.25631819916,
};
static const double m_center[NP] = {
    10.375, 5.19565217391, 19.3863636364, 3.36956521739, 12.847826087, 6.78260869565,
};
static const double m_scale[NP] = {
    2.64652150699, 1.82070895434, 5.1026033811, 1.77217252635, 3.89658373955, 2.720997607,
};
static const double m_pa_loadings[NP * K] = {
    -0.330118648247, 0.916253899708, 0.10994445078, 0.775276134944,
    0.26600508895, 0.590069783189, 0.794371723455, 0.157738602571,
    0.851063330736, 0.0685869263567, 0.826920748442, -0.0768166800783,
};
static const double m_pa_weights[NP * K] = {
    -0.216804544515, 0.86321974195, 0.0874655080622, 0.119377181519,
    0.0930742877933, 0.0576125781663, 0.277242213892, 0.157471123626,
    0.36491087296, 0.06506710761, 0.299976123494, 0.0554430164271,
};
static const double m_pa_scores[NR * K] = {
    -0.711066281449, 0.69965446637, -0.193535666203, -0.0894454347002,
    0.769641513331, 1.37357794216, -1.72200380827, -0.836696145443,
    -0.729290666403, 1.46642494781, -0.691341615958, -0.161799715782,
    -1.54930358009, -2.00333428783, -0.925668350653, -0.679533897848,
    -0.329192085149, -0.105402454719, 0.94719824434, -0.21786461164,
    1.15035938337, -1.11029063962, -0.120331748852, 1.36755234268,
    1.03738114077, -0.348751616368, -0.307760582328, 0.515084239553,
    1.16839246987, -0.485420801092, 0.957212568128, 0.711106260768,
    -0.678484467998, 1.26066084964, -1.02272886833, 1.01374783491,
    -0.324635397211, -1.36033045797, -0.382879320495, 0.474113956523,
    1.22923182627, 0.67985534294, 0.193852954097, -0.0111906521662,
    0.680105242095, -0.773669185919, 1.55484709711, -1.37804828226,
};
static const double m_ml_loadings[NP * K] = {
    -0.329963391774, 0.913601696748, 0.114013139377, 0.784041996445,
    0.250957175663, 0.588895342058, 0.784701677429, 0.13385941198,
    0.863434828844, 0.0842803767544, 0.826648544987, -0.0705739739737,
};
static const double m_ml_scores[NR * K] = {
    -0.734743887464, 0.722523200157, -0.237778774264, -0.140822334915,
    0.784562068441, 1.44341064835, -1.73234851229, -0.931641769824,
    -0.711458393953, 1.47007502611, -0.653797754663, -0.180546017214,
    -1.54718245644, -1.96492834005, -0.932592187617, -0.68323359405,
    -0.37121525108, -0.14494207326, 0.922447467826, -0.241449013924,
    1.13508969937, -1.12926238973, -0.12612716472, 1.33555886686,
    1.06485578276, -0.311183403157, -0.35999767886, 0.424007502083,
    1.19034741492, -0.465635374164, 0.89214001175, 0.632028095326,
    -0.631704457533, 1.27735917514, -1.02488733627, 1.05728394317,
    -0.320867140909, -1.31199862361, -0.355113503943, 0.528069899135,
    1.23380366562, 0.623603161003, 0.214663181481, 0.0491676821707,
    0.745495847791, -0.66124843637, 1.55640936003, -1.39619582923,
};

typedef struct {
    const double *center, *scale, *pa_loadings, *pa_weights, *pa_scores, *ml_loadings, *ml_scores;
} psych_ref;

static const psych_ref REF_COMPLETE = {c_center, c_scale, c_pa_loadings, c_pa_weights,
                                       c_pa_scores, c_ml_loadings, c_ml_scores};
static const psych_ref REF_IMPUTED = {m_center, m_scale, m_pa_loadings, m_pa_weights,
                                      m_pa_scores, m_ml_loadings, m_ml_scores};

/* The training pass in miniature: the moments of x (NaN = missing) in two uneven blocks, merged in
 * order as the pipeline merges its blocks. */
static moments_summary *summarise(const float *x)
{
    size_t len = moments_sum_len(NP);
    double *sums = calloc(len, sizeof *sums), *part = calloc(len, sizeof *part);
    double mins[NP], maxs[NP], pmin[NP], pmax[NP], shift[NP];
    for (size_t j = 0; j < NP; j++) shift[j] = x[j]; /* row 0 is complete: a rough mean */
    moments_work *w = moments_work_alloc(NR, NP);
    moments_summary *s = moments_summary_alloc(NP);
    assert_non_null(sums), assert_non_null(part), assert_non_null(w), assert_non_null(s);
    moments_init(sums, mins, maxs, NP);
    const size_t cut[3] = {0, 7, NR};
    for (int b = 0; b < 2; b++) {
        moments_init(part, pmin, pmax, NP);
        assert_int_equal(moments_accumulate(x + cut[b] * NP, cut[b + 1] - cut[b], NP, shift, NULL, part,
                                            pmin, pmax, w), CS_OK);
        moments_merge(sums, mins, maxs, part, pmin, pmax, NP);
    }
    assert_int_equal(moments_finalize(sums, mins, maxs, shift, NULL, NP, s), CS_OK);
    moments_work_free(w);
    free(sums);
    free(part);
    return s;
}

/* A factor-score model over the six columns as train_structure builds one: impute the mean,
 * standardise by moments_standardisation, score by the fit's coefficients. */
static void make_model(const moments_summary *s, const fa_result *r, cmodel *m)
{
    memset(m, 0, sizeof *m);
    m->p_in = m->p_fa = NP;
    m->k = K;
    m->inputs = CMODEL_INPUTS_FACTORS;
    m->tenure_idx = m->contract_idx = -1;
    m->n_brands = 1;
    m->impute = malloc(NP * sizeof(double));
    m->center = malloc(NP * sizeof(double));
    m->scale = malloc(NP * sizeof(double));
    m->fa_idx = malloc(NP * sizeof(int32_t));
    m->score_coef = malloc(NP * K * sizeof(double));
    assert_non_null(m->impute), assert_non_null(m->center), assert_non_null(m->scale);
    assert_non_null(m->fa_idx), assert_non_null(m->score_coef);
    for (size_t j = 0; j < NP; j++) {
        m->impute[j] = s->mean[j];
        moments_standardisation(s, j, &m->center[j], &m->scale[j]);
        m->fa_idx[j] = (int32_t)j;
        for (size_t f = 0; f < K; f++) m->score_coef[j * K + f] = gsl_matrix_get(r->score_coef, j, f);
    }
    m->n_coef = cmodel_design_width(m);
    assert_int_equal(m->n_coef, 1 + K);
}

/* The factor-score columns of the design rows of x (n_coef = 1 + K: the intercept, then the scores). */
static void design_scores(const cmodel *m, const float *x, double *scores)
{
    float X[NR * (1 + K)];
    double *ws = malloc(cmodel_work_len(m, NR) * sizeof(double));
    assert_non_null(ws);
    cmodel_design(m, x, NULL, NR, X, ws);
    for (size_t i = 0; i < NR; i++) {
        assert_true(X[i * (1 + K)] == 1.0f);
        for (size_t f = 0; f < K; f++) scores[i * K + f] = X[i * (1 + K) + 1 + f];
    }
    free(ws);
}

/* Fits x (complete or with missing cells) by method and compares every step with psych: the
 * standardisation, the loadings, the weights (principal axis) and the scores of the design rows.
 * tol_fit is the tolerance of the loadings and scores; the scores of the design rows are float32
 * (|score| < 2.1 here: rounding below 1.2e-7). Returns the fitted summary (caller frees). */
static moments_summary *check_case(const float *x, const psych_ref *ref, int method, double tol_fit)
{
    moments_summary *s = summarise(x);
    for (size_t j = 0; j < NP; j++) {
        double c, sc;
        moments_standardisation(s, j, &c, &sc);
        assert_close(c, ref->center[j], 1e-10);
        assert_close(sc, ref->scale[j], 1e-10);
    }
    size_t idx[NP] = {0, 1, 2, 3, 4, 5};
    gsl_matrix *R = gsl_matrix_alloc(NP, NP);
    assert_int_equal(moments_correlation_subset(s, idx, NP, R), CS_OK);
    fa_params par;
    fa_params_default(&par);
    par.method = method;
    fa_result *r = fa_result_alloc(NP, K);
    assert_int_equal(fa_fit(R, NR, &par, r), CS_OK);
    assert_true(r->converged);
    const double *load = method == FA_ML ? ref->ml_loadings : ref->pa_loadings;
    const double *want = method == FA_ML ? ref->ml_scores : ref->pa_scores;
    for (size_t j = 0; j < NP; j++)
        for (size_t f = 0; f < K; f++) {
            assert_close(gsl_matrix_get(r->loadings, j, f), load[j * K + f], tol_fit);
            if (method == FA_PAF)
                assert_close(gsl_matrix_get(r->score_coef, j, f), ref->pa_weights[j * K + f], 1e-6);
        }
    cmodel m;
    make_model(s, r, &m);
    double got[NR * K];
    design_scores(&m, x, got);
    for (size_t i = 0; i < NR * K; i++) assert_close(got[i], want[i], tol_fit);
    cmodel_clear(&m);
    fa_result_free(r);
    gsl_matrix_free(R);
    return s;
}

/* Complete data: the imputed sd is the sd of the present values, bit for bit (models of complete
 * data did not move when scoring took the imputed one). */
static void test_complete(void **state)
{
    (void)state;
    moments_summary *s = check_case(DATA, &REF_COMPLETE, FA_PAF, 1e-6);
    for (size_t j = 0; j < NP; j++) {
        double c, sc;
        moments_standardisation(s, j, &c, &sc);
        assert_true(sc == s->sd[j]);
        assert_true(c == s->mean[j]);
    }
    moments_summary_free(s);
    moments_summary_free(check_case(DATA, &REF_COMPLETE, FA_ML, 1e-4));
}

/* Missing cells: the scores are psych's on the mean-imputed matrix, whose correlation the factor
 * analysis used; the sd of the present values (larger where values are missing) would miss them. */
static void test_missing(void **state)
{
    (void)state;
    float x[NR * NP];
    memcpy(x, DATA, sizeof x);
    for (size_t c = 0; c < 8; c++) x[MISSING[c][0] * NP + MISSING[c][1]] = NAN;
    moments_summary *s = check_case(x, &REF_IMPUTED, FA_PAF, 1e-6);
    size_t larger = 0;
    for (size_t j = 0; j < NP; j++) {
        double c, sc;
        moments_standardisation(s, j, &c, &sc);
        double q = s->n_rows - s->n_present[j];
        /* the present values' sd is sqrt((N - 1) / (n_present - 1)) times the imputed one */
        assert_close(s->sd[j], sc * sqrt((s->n_rows - 1) / (s->n_present[j] - 1)), 1e-12);
        larger += q > 0 && s->sd[j] > sc;
    }
    assert_int_equal(larger, NP); /* every column has a missing cell */
    /* scored with the present values' sd (the old convention) the rows are off by far more than the
     * tolerance: the comparison above tells the two conventions apart */
    size_t idx[NP] = {0, 1, 2, 3, 4, 5};
    gsl_matrix *R = gsl_matrix_alloc(NP, NP);
    assert_int_equal(moments_correlation_subset(s, idx, NP, R), CS_OK);
    fa_params par;
    fa_params_default(&par);
    fa_result *r = fa_result_alloc(NP, K);
    assert_int_equal(fa_fit(R, NR, &par, r), CS_OK);
    cmodel m;
    make_model(s, r, &m);
    for (size_t j = 0; j < NP; j++) m.scale[j] = s->sd[j];
    double old[NR * K], worst = 0;
    design_scores(&m, x, old);
    for (size_t i = 0; i < NR * K; i++) worst = fmax(worst, fabs(old[i] - m_pa_scores[i]));
    assert_true(worst > 0.05);
    cmodel_clear(&m);
    fa_result_free(r);
    gsl_matrix_free(R);
    moments_summary_free(s);
    moments_summary_free(check_case(x, &REF_IMPUTED, FA_ML, 1e-4));
}

/* A constant column standardises by 1 (as the model file requires scale > 0), not by 0 or NaN. */
static void test_constant_column(void **state)
{
    (void)state;
    float x[NR * NP];
    memcpy(x, DATA, sizeof x);
    for (size_t i = 0; i < NR; i++) x[i * NP + 3] = 4.5f;
    x[5 * NP + 3] = NAN; /* imputed by the mean: still constant */
    moments_summary *s = summarise(x);
    double c, sc;
    moments_standardisation(s, 3, &c, &sc);
    assert_true(c == 4.5);
    assert_true(sc == 1.0);
    moments_standardisation(s, 2, &c, &sc);
    assert_true(sc > 1.0 && sc == sqrt(gsl_matrix_get(s->cov, 2, 2)));
    moments_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_constant_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
