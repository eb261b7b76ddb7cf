/* test_fa.c — factor analysis against R psych::fa on two fixed formula datasets, plus the pieces
 * (varimax, score coefficients, congruence matching) and every error return of fa.h.
 *
 * Reference numbers: R 4.2.2 Patched (2022-11-10 r83330), psych 2.2.9 (Debian 12 r-base-core,
 * r-cran-psych), computed with (data built by the same formulas as make2/make3 below):
 *
 *   i <- 1:200; f1 <- 1.4 * sin(1.7 * i); f2 <- 1.4 * cos(2.3 * i + 0.5)
 *   l1 <- c(0.9, 0.8, 0.7, 0.6, 0.1, 0.2, 0.0, 0.3); l2 <- c(0.1, 0.0, 0.2, 0.3, 0.9, 0.8, 0.7, 0.6)
 *   X <- sapply(0:7, function(j) l1[j + 1] * f1 + l2[j + 1] * f2 + 0.7 * sin(0.913 * i * (j + 3) + j))
 *   r <- fa(X, nfactors = 2, fm = "pa", rotate = "varimax")
 *   r$loadings; r$communality; r$e.values; r$weights; KMO(r$r); cortest.bartlett(r$r, n = 200)
 *   length(r$communality.iterations)
 *   fa(X, nfactors = 3, fm = "pa", rotate = "varimax")   # fails in R: negative eigenvalue
 *
 *   i <- 1:150; f1 <- sin(1.7 * i); f2 <- cos(2.3 * i + 0.5); f3 <- sin(3.1 * i + 1.2)
 *   L <- rbind(c(0.2, 0.9, 0.1), c(0.1, 0.8, 0.0), c(0.3, 0.7, 0.2), c(0.8, 0.1, 0.2),
 *              c(0.7, 0.2, 0.1), c(0.9, 0.0, 0.3), c(0.1, 0.1, 0.6), c(0.0, 0.2, 0.5),
 *              c(0.2, 0.3, 0.7))
 *   X <- sapply(0:8, function(j) 1.4 * (L[j + 1, 1] * f1 + L[j + 1, 2] * f2 + L[j + 1, 3] * f3) +
 *                                0.5 * sin(0.913 * i * (j + 3) + j))
 *   fa(X, nfactors = 3, fm = "pa", rotate = "varimax")$loadings
 *   fa(X, nfactors = 1, fm = "pa")$loadings
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>

#include "fa.h"
#include "status.h"

/* Pearson correlation of the n x p row-major data, two-pass. */
static gsl_matrix *corr_of(const double *x, size_t n, size_t p)
{
    gsl_matrix *R = gsl_matrix_alloc(p, p);
    double *m = calloc(p, sizeof *m);
    for (size_t j = 0; j < p; j++) {
        for (size_t i = 0; i < n; i++) m[j] += x[i * p + j];
        m[j] /= (double)n;
    }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++) {
            double sab = 0, saa = 0, sbb = 0;
            for (size_t i = 0; i < n; i++) {
                double u = x[i * p + a] - m[a], v = x[i * p + b] - m[b];
                sab += u * v, saa += u * u, sbb += v * v;
            }
            gsl_matrix_set(R, a, b, sab / sqrt(saa * sbb));
        }
    free(m);
    return R;
}

static gsl_matrix *make2(void)
{
    static double x[200 * 8];
    const double l1[8] = {0.9, 0.8, 0.7, 0.6, 0.1, 0.2, 0.0, 0.3};
    const double l2[8] = {0.1, 0.0, 0.2, 0.3, 0.9, 0.8, 0.7, 0.6};
    for (int i = 1; i <= 200; i++) {
        double f1 = 1.4 * sin(1.7 * i), f2 = 1.4 * cos(2.3 * i + 0.5);
        for (int j = 0; j < 8; j++)
            x[(i - 1) * 8 + j] = l1[j] * f1 + l2[j] * f2 + 0.7 * sin(0.913 * i * (j + 3) + j);
    }
    return corr_of(x, 200, 8);
}

static gsl_matrix *make3(void)
{
    static double x[150 * 9];
    const double L[9][3] = {{0.2, 0.9, 0.1}, {0.1, 0.8, 0.0}, {0.3, 0.7, 0.2},
                            {0.8, 0.1, 0.2}, {0.7, 0.2, 0.1}, {0.9, 0.0, 0.3},
                            {0.1, 0.1, 0.6}, {0.0, 0.2, 0.5}, {0.2, 0.3, 0.7}};
    for (int i = 1; i <= 150; i++) {
        double f1 = sin(1.7 * i), f2 = cos(2.3 * i + 0.5), f3 = sin(3.1 * i + 1.2);
        for (int j = 0; j < 9; j++)
            x[(i - 1) * 9 + j] = 1.4 * (L[j][0] * f1 + L[j][1] * f2 + L[j][2] * f3) +
                                 0.5 * sin(0.913 * i * (j + 3) + j);
    }
    return corr_of(x, 150, 9);
}

static const double psych2_loadings[8][2] = {
    {0.0764649795, 0.8799761702},  {-0.0175254934, 0.8534491005}, {0.2908717071, 0.6849613184},
    {0.3494153477, 0.7184672755},  {0.8683104665, 0.1021505594},  {0.8287076541, 0.2073575280},
    {0.8131406571, 0.0164991051},  {0.7232811046, 0.3477644430}};
static const double psych2_comm[8] = {0.7802049532, 0.7286825101, 0.5537783577, 0.6382863112,
                                      0.7643978030, 0.7297535205, 0.6614699486, 0.6440756640};
static const double psych2_evals[8] = {4.0984070240, 2.0041037547, 0.4201423817, 0.3494142766,
                                       0.3362673680, 0.3048416317, 0.2489077780, 0.2379157852};
static const double psych2_msai[8] = {0.8034259339, 0.7962005156, 0.9233993192, 0.9110721193,
                                      0.8419707409, 0.8721817770, 0.8636367037, 0.9171912077};
static const double psych2_weights[8][2] = {
    {-0.0929017248, 0.4186698341}, {-0.1056542799, 0.3373597173}, {0.0197143301, 0.1449633023},
    {0.0374421323, 0.1856910317},  {0.3640941196, -0.0723010333}, {0.2900090859, -0.0169050675},
    {0.2448647787, -0.0697707496}, {0.1773108567, 0.0440844144}};

static void test_psych_two_factors(void **state)
{
    (void)state;
    gsl_matrix *R = make2();
    fa_params par;
    fa_params_default(&par);
    fa_result *r = fa_result_alloc(8, 2);
    assert_non_null(r);
    assert_int_equal(fa_fit(R, 200, &par, r), CS_OK);
    for (size_t i = 0; i < 8; i++) {
        for (size_t f = 0; f < 2; f++) {
            assert_close(gsl_matrix_get(r->loadings, i, f), psych2_loadings[i][f], 1e-3);
            /* same algorithm, same stopping rule: in practice agrees far below the 1e-3 we promise */
            assert_close(gsl_matrix_get(r->loadings, i, f), psych2_loadings[i][f], 1e-7);
            assert_close(gsl_matrix_get(r->score_coef, i, f), psych2_weights[i][f], 1e-6);
        }
        assert_close(gsl_vector_get(r->communality, i), psych2_comm[i], 1e-7);
        assert_close(gsl_vector_get(r->uniqueness, i), 1 - psych2_comm[i], 1e-7);
        assert_close(gsl_vector_get(r->eigenvalues, i), psych2_evals[i], 1e-9);
        assert_close(gsl_vector_get(r->kmo_var, i), psych2_msai[i], 1e-9);
    }
    assert_int_equal(r->iterations, 7);
    assert_true(r->converged);
    assert_int_equal(r->heywood, 0);
    assert_int_equal(r->kaiser, 2);
    assert_close(r->kmo, 0.8665638279, 1e-9);
    assert_close(r->bartlett_chi2, 961.3099073049, 1e-9);
    assert_close(r->bartlett_df, 28, 0);
    assert_true(r->bartlett_p < 1e-100);
    assert_close(gsl_vector_get(r->ss_loadings, 0), 2.8379041978, 1e-7);
    assert_close(gsl_vector_get(r->ss_loadings, 1), 2.6627448706, 1e-7);
    assert_close(gsl_vector_get(r->prop_var, 0), 2.8379041978 / 8, 1e-7);
    assert_close(gsl_vector_get(r->cum_var, 1), (2.8379041978 + 2.6627448706) / 8, 1e-7);

    /* loadings = loadings0 * rotation, and the rotation is orthogonal */
    gsl_matrix *LR = gsl_matrix_alloc(8, 2), *RtR = gsl_matrix_alloc(2, 2);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, r->loadings0, r->rotation, 0.0, LR);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, r->rotation, r->rotation, 0.0, RtR);
    for (size_t i = 0; i < 8; i++)
        for (size_t f = 0; f < 2; f++)
            assert_close(gsl_matrix_get(LR, i, f), gsl_matrix_get(r->loadings, i, f), 1e-12);
    for (size_t a = 0; a < 2; a++)
        for (size_t b = 0; b < 2; b++) assert_close(gsl_matrix_get(RtR, a, b), a == b, 1e-12);

    /* congruence with the generating loadings: factor 1 of ours is the l1 factor */
    gsl_matrix *T = gsl_matrix_alloc(8, 2);
    const double l1[8] = {0.9, 0.8, 0.7, 0.6, 0.1, 0.2, 0.0, 0.3};
    const double l2[8] = {0.1, 0.0, 0.2, 0.3, 0.9, 0.8, 0.7, 0.6};
    for (size_t i = 0; i < 8; i++) gsl_matrix_set(T, i, 0, l1[i]), gsl_matrix_set(T, i, 1, -l2[i]);
    size_t match[2];
    double phi[2];
    assert_int_equal(fa_match(r->loadings, T, match, phi), CS_OK);
    /* psych's first factor (largest SS) is the l2 one; T's column 1 is -l2 */
    assert_int_equal(match[0], 1);
    assert_int_equal(match[1], 0);
    assert_true(phi[0] < -0.95); /* the sign flip is reported, not hidden */
    assert_true(phi[1] > 0.95);

    gsl_matrix_free(LR);
    gsl_matrix_free(RtR);
    gsl_matrix_free(T);
    fa_result_free(r);

    /* three factors from this matrix: psych stops with an imaginary eigenvalue; we say CS_ENUM */
    fa_result *r3 = fa_result_alloc(8, 3);
    assert_int_equal(fa_fit(R, 200, &par, r3), CS_ENUM);
    fa_result_free(r3);
    gsl_matrix_free(R);
}

static const double psych3_loadings[9][3] = {
    {0.9139014105, 0.1720468948, 0.1604153302},  {0.9105637596, 0.0756158269, 0.1006629894},
    {0.8509935000, 0.1045209363, 0.3434392698},  {0.1063742141, 0.8998571267, 0.1579986298},
    {0.2544633371, 0.8538475379, 0.0839985607},  {-0.0063030415, 0.9085028274, 0.2234355610},
    {0.0642212296, 0.1921907474, 0.8372905791},  {0.2245547322, 0.0386303410, 0.8020550968},
    {0.2811233949, 0.2716404129, 0.8212886439}};
static const double psych3_k1[9] = {0.7055222226, 0.6091402107, 0.7539117242,
                                    0.5997008052, 0.6329860071, 0.5667512400,
                                    0.5978891937, 0.5984917183, 0.7890273284};

static void test_psych_three_and_one(void **state)
{
    (void)state;
    gsl_matrix *R = make3();
    fa_params par;
    fa_params_default(&par);
    fa_result *r = fa_result_alloc(9, 3);
    assert_int_equal(fa_fit(R, 150, &par, r), CS_OK);
    for (size_t i = 0; i < 9; i++)
        for (size_t f = 0; f < 3; f++)
            assert_close(gsl_matrix_get(r->loadings, i, f), psych3_loadings[i][f], 1e-3);
    assert_int_equal(r->iterations, 7);
    fa_result_free(r);

    fa_result *r1 = fa_result_alloc(9, 1);
    assert_int_equal(fa_fit(R, 150, &par, r1), CS_OK);
    for (size_t i = 0; i < 9; i++) assert_close(gsl_matrix_get(r1->loadings, i, 0), psych3_k1[i], 1e-3);
    assert_int_equal(r1->iterations, 5);
    assert_close(gsl_matrix_get(r1->rotation, 0, 0), 1.0, 0);

    /* max_iter reached: reported, not an error */
    par.max_iter = 2;
    assert_int_equal(fa_fit(R, 150, &par, r1), CS_OK);
    assert_false(r1->converged);
    assert_int_equal(r1->iterations, 2);
    fa_result_free(r1);
    gsl_matrix_free(R);
}

static void test_varimax_and_scores(void **state)
{
    (void)state;
    /* stats::varimax on a fixed matrix; R 4.2.2:
     *   L <- matrix(c(0.71,0.62,0.55,0.48,0.52,0.66, 0.31,0.22,-0.35,-0.41,0.12,-0.28,
     *                 0.05,-0.21,0.18,0.09,0.44,-0.13), 6, 3)
     *   varimax(L)$loadings; varimax(L[, 1:2], normalize = FALSE)$loadings */
    const double in[6][3] = {{0.71, 0.31, 0.05},  {0.62, 0.22, -0.21}, {0.55, -0.35, 0.18},
                             {0.48, -0.41, 0.09}, {0.52, 0.12, 0.44},  {0.66, -0.28, -0.13}};
    const double out3[6][3] = {{0.638428541566, -0.163785837906, 0.410223349671},
                               {0.656165218666, -0.177641300484, 0.121617326792},
                               {0.131157885877, -0.609614478128, 0.261854534101},
                               {0.095102008893, -0.615168696334, 0.138286235597},
                               {0.217069869619, -0.217265354572, 0.619739007491},
                               {0.396300864873, -0.608952603374, 0.054975916040}};
    const double out2[6][2] = {{0.749256490298, -0.197014496284}, {0.622841515830, -0.211821732025},
                               {0.214497261448, -0.615622388182}, {0.122374933458, -0.619293448747},
                               {0.482380433088, -0.228274216182}, {0.344202732747, -0.628907368990}};
    gsl_matrix *L3v = gsl_matrix_alloc(6, 3), *rot3 = gsl_matrix_alloc(3, 3);
    gsl_matrix *L = gsl_matrix_alloc(6, 2), *rot = gsl_matrix_alloc(2, 2);
    for (size_t i = 0; i < 6; i++)
        for (size_t f = 0; f < 3; f++) {
            gsl_matrix_set(L3v, i, f, in[i][f]);
            if (f < 2) gsl_matrix_set(L, i, f, in[i][f]);
        }
    assert_int_equal(fa_varimax(L3v, rot3, 1, 1e-5), CS_OK);
    assert_int_equal(fa_varimax(L, rot, 0, 1e-5), CS_OK);
    for (size_t i = 0; i < 6; i++)
        for (size_t f = 0; f < 3; f++) {
            assert_close(gsl_matrix_get(L3v, i, f), out3[i][f], 1e-9);
            if (f < 2) assert_close(gsl_matrix_get(L, i, f), out2[i][f], 1e-9);
        }
    gsl_matrix_free(L3v);
    gsl_matrix_free(rot3);
    gsl_matrix *bad = gsl_matrix_alloc(3, 3);
    assert_int_equal(fa_varimax(L, bad, 1, 1e-5), CS_EINVAL);
    gsl_matrix_set(L, 2, 0, 0.0);
    gsl_matrix_set(L, 2, 1, 0.0);
    assert_int_equal(fa_varimax(L, NULL, 1, 1e-5), CS_ENUM);

    /* score coefficients: R W == L */
    gsl_matrix *R = make2(), *W = gsl_matrix_alloc(8, 2), *RW = gsl_matrix_alloc(8, 2);
    gsl_matrix *L8 = gsl_matrix_alloc(8, 2);
    for (size_t i = 0; i < 8; i++)
        for (size_t f = 0; f < 2; f++) gsl_matrix_set(L8, i, f, psych2_loadings[i][f]);
    assert_int_equal(fa_score_coef(R, L8, W), CS_OK);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, R, W, 0.0, RW);
    for (size_t i = 0; i < 8; i++)
        for (size_t f = 0; f < 2; f++)
            assert_close(gsl_matrix_get(RW, i, f), psych2_loadings[i][f], 1e-12);
    assert_int_equal(fa_score_coef(R, L, W), CS_EINVAL);

    /* a singular R: column 1 duplicates column 0 */
    gsl_matrix *S = gsl_matrix_alloc(3, 3);
    const double sv[9] = {1, 1, 0.3, 1, 1, 0.3, 0.3, 0.3, 1};
    for (size_t a = 0; a < 9; a++) S->data[a / 3 * S->tda + a % 3] = sv[a];
    gsl_matrix *W3 = gsl_matrix_alloc(3, 1), *L3 = gsl_matrix_alloc(3, 1);
    gsl_matrix_set_all(L3, 0.5);
    assert_int_equal(fa_score_coef(S, L3, W3), CS_ENUM);
    double kmo, chi2, df, pv;
    assert_int_equal(fa_kmo(S, &kmo, NULL), CS_ENUM);
    assert_int_equal(fa_bartlett(S, 100, &chi2, &df, &pv), CS_ENUM);
    fa_params par;
    fa_params_default(&par);
    fa_result *r = fa_result_alloc(3, 1);
    assert_int_equal(fa_fit(S, 100, &par, r), CS_ENUM);
    fa_result_free(r);

    gsl_matrix_free(L);
    gsl_matrix_free(rot);
    gsl_matrix_free(bad);
    gsl_matrix_free(R);
    gsl_matrix_free(W);
    gsl_matrix_free(RW);
    gsl_matrix_free(L8);
    gsl_matrix_free(S);
    gsl_matrix_free(W3);
    gsl_matrix_free(L3);
}

static void test_errors(void **state)
{
    (void)state;
    assert_null(fa_result_alloc(0, 1));
    assert_null(fa_result_alloc(3, 0));
    assert_null(fa_result_alloc(3, 4));
    fa_result_free(NULL);
    gsl_matrix *R = make2(), *rect = gsl_matrix_alloc(3, 2);
    gsl_vector *ev = gsl_vector_alloc(7);
    assert_int_equal(fa_eigen(R, ev, NULL), CS_EINVAL);
    assert_int_equal(fa_eigen(rect, ev, NULL), CS_EINVAL);
    double kmo, chi2, df, pv;
    assert_int_equal(fa_kmo(R, &kmo, ev), CS_EINVAL);
    assert_int_equal(fa_bartlett(R, 4, &chi2, &df, &pv), CS_EINVAL);
    fa_params par;
    fa_params_default(&par);
    fa_result *r = fa_result_alloc(7, 2);
    assert_int_equal(fa_fit(R, 200, &par, r), CS_EINVAL);
    fa_result_free(r);
    r = fa_result_alloc(8, 2);
    par.min_err = 0;
    assert_int_equal(fa_fit(R, 200, &par, r), CS_EINVAL);
    fa_result_free(r);
    assert_int_equal(fa_match(R, rect, NULL, NULL), CS_EINVAL);
    gsl_matrix *Z = gsl_matrix_calloc(8, 2);
    assert_true(isnan(fa_congruence(R, 0, Z, 0)));
    gsl_matrix_free(Z);
    gsl_matrix_free(R);
    gsl_matrix_free(rect);
    gsl_vector_free(ev);
}

static void test_match_greedy(void **state)
{
    (void)state;
    /* k = 9 > 8 uses the greedy path: a permuted, sign-flipped identity-like pattern is recovered */
    size_t k = 9, p = 18;
    gsl_matrix *A = gsl_matrix_calloc(p, k), *B = gsl_matrix_calloc(p, k);
    for (size_t f = 0; f < k; f++) {
        gsl_matrix_set(A, 2 * f, f, 0.8);
        gsl_matrix_set(A, 2 * f + 1, f, 0.6);
        size_t g = (f * 4) % k;
        double sg = f % 2 ? -1 : 1;
        gsl_matrix_set(B, 2 * f, g, sg * 0.79);
        gsl_matrix_set(B, 2 * f + 1, g, sg * 0.62);
        gsl_matrix_set(B, (2 * f + 5) % p, g, 0.05);
    }
    size_t match[9];
    double phi[9];
    assert_int_equal(fa_match(A, B, match, phi), CS_OK);
    for (size_t f = 0; f < k; f++) {
        assert_int_equal(match[f], (f * 4) % k);
        assert_true(fabs(phi[f]) > 0.99);
        assert_true((phi[f] < 0) == (f % 2 == 1));
    }
    gsl_matrix_free(A);
    gsl_matrix_free(B);
}

/* Maximum likelihood extraction against R's stats::factanal.
 * Reference: R 4.2.2 Patched (2022-11-10 r83330), command:
 *   R <- matrix(c(1,.56,.48,.13,.12,.08, .56,1,.42,.10,.15,.11, .48,.42,1,.09,.06,.14,
 *                 .13,.10,.09,1,.50,.44, .12,.15,.06,.50,1,.39, .08,.11,.14,.44,.39,1), 6, 6)
 *   f <- factanal(covmat = R, factors = 2, rotation = "varimax", n.obs = 500)
 *   print(unclass(f$loadings), digits = 10); print(f$uniquenesses, digits = 10) */
static void test_ml_factanal(void **state)
{
    (void)state;
    static const double r[36] = {1.000, 0.560, 0.480, 0.130, 0.120, 0.080, 0.560, 1.000, 0.420,
                                 0.100, 0.150, 0.110, 0.480, 0.420, 1.000, 0.090, 0.060, 0.140,
                                 0.130, 0.100, 0.090, 1.000, 0.500, 0.440, 0.120, 0.150, 0.060,
                                 0.500, 1.000, 0.390, 0.080, 0.110, 0.140, 0.440, 0.390, 1.000};
    static const double ref[6][2] = {{0.7978120497, 0.02522650216}, {0.7003894778, 0.04743540177},
                                     {0.5997556842, 0.02743820664}, {0.1218512871, 0.73895231518},
                                     {0.1312649902, 0.65445743108}, {0.1140188398, 0.57570113426}};
    static const double uniq[6] = {0.3628586295, 0.5072070608, 0.6395420502,
                                   0.4391027950, 0.5544555946, 0.6555662618};
    gsl_matrix_const_view R = gsl_matrix_const_view_array(r, 6, 6);
    fa_params par;
    fa_params_default(&par);
    par.method = FA_ML;
    fa_result *res = fa_result_alloc(6, 2);
    assert_non_null(res);
    assert_int_equal(fa_fit(&R.matrix, 500, &par, res), CS_OK);
    assert_true(res->converged);
    /* both put the larger factor first here and make column sums positive */
    for (size_t i = 0; i < 6; i++) {
        for (size_t f = 0; f < 2; f++) assert_close(gsl_matrix_get(res->loadings, i, f), ref[i][f], 1e-4);
        assert_close(gsl_vector_get(res->uniqueness, i), uniq[i], 1e-4);
    }
    fa_result_free(res);
}

/* An exact two-factor structure R = L L' + Psi is recovered exactly by ML (up to the optimiser's
 * tolerance), uniquenesses included. */
static void test_ml_exact(void **state)
{
    (void)state;
    static const double lam[7][2] = {{0.85, 0.0}, {0.75, 0.1}, {0.65, 0.0}, {0.55, 0.15},
                                     {0.0, 0.8}, {0.1, 0.7}, {0.05, 0.6}};
    gsl_matrix *R = gsl_matrix_alloc(7, 7);
    for (size_t i = 0; i < 7; i++)
        for (size_t j = 0; j < 7; j++) {
            double v = lam[i][0] * lam[j][0] + lam[i][1] * lam[j][1];
            gsl_matrix_set(R, i, j, i == j ? 1.0 : v);
        }
    fa_params par;
    fa_params_default(&par);
    par.method = FA_ML;
    fa_result *res = fa_result_alloc(7, 2);
    assert_int_equal(fa_fit(R, 1000, &par, res), CS_OK);
    gsl_matrix_const_view T = gsl_matrix_const_view_array(&lam[0][0], 7, 2);
    size_t match[2];
    double phi[2];
    assert_int_equal(fa_match(&T.matrix, res->loadings, match, phi), CS_OK);
    for (int f = 0; f < 2; f++) assert_true(fabs(phi[f]) > 0.999);
    for (size_t i = 0; i < 7; i++) {
        double h = lam[i][0] * lam[i][0] + lam[i][1] * lam[i][1];
        assert_close(gsl_vector_get(res->communality, i), h, 1e-4);
    }
    fa_result_free(res);
    gsl_matrix_free(R);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psych_two_factors), cmocka_unit_test(test_psych_three_and_one),
        cmocka_unit_test(test_varimax_and_scores), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_match_greedy),
        cmocka_unit_test(test_ml_factanal), cmocka_unit_test(test_ml_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
