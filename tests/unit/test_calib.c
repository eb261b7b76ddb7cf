/* test_calib.c — Platt scaling (calib.h) on hand-made validation rows: an overconfident model's
 * probabilities (log-odds three times too large, drawn by a fixed rule) are recovered to a slope near
 * 1/3 and rejected by the likelihood ratio, calibrated ones are left alone (ratio small), the map
 * keeps the order, the before-calibration bins invert it, and every error return is provoked. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calib.h"
#include "status.h"

/* n rows with true log-odds t_i spread over [-4.385, 2.385] and a label drawn with a fixed
 * low-discrepancy sequence against the true probability; prob is the model's, log-odds scale * t. */
static void rows(size_t n, double scale, double *prob, uint8_t *label)
{
    for (size_t i = 0; i < n; i++) {
        double t = -4.385 + 6.77 * (double)((i * 7919) % n) / (double)n;
        double pt = 1 / (1 + exp(-t));
        double u = fmod((double)i * 0.6180339887498949, 1.0);
        label[i] = u < pt;
        prob[i] = 1 / (1 + exp(-scale * t));
    }
}

static void test_platt(void **state)
{
    (void)state;
    const size_t n = 20000;
    double *p = malloc(n * sizeof *p);
    uint8_t *y = malloc(n);
    double a, b, lr;
    rows(n, 3.0, p, y);
    int rc = calib_platt_fit(p, y, n, &a, &b, &lr);
    if (rc) print_message("%s\n", status_message());
    assert_int_equal(rc, CS_OK);
    assert_close(a, 1.0 / 3.0, 0.03);
    assert_true(fabs(b) < 0.05);
    assert_true(lr > CALIB_LR_1PCT);
    /* calibrated probabilities: the map is near the identity and not significant */
    rows(n, 1.0, p, y);
    assert_int_equal(calib_platt_fit(p, y, n, &a, &b, &lr), CS_OK);
    assert_close(a, 1.0, 0.05);
    assert_true(lr < CALIB_LR_1PCT);
    /* strictly increasing: the order of the log-odds is kept */
    for (double e = -6.385; e < 6; e += 0.5) assert_true(calib_platt_eta(a, b, e + 0.5) > calib_platt_eta(a, b, e));
    free(p);
    free(y);
}

static void test_uncalibrated_bins(void **state)
{
    (void)state;
    /* 20 calibrated probabilities in decreasing order, map a = 0.5, b = -0.25: each inverts to
     * logistic((logit(p) + 0.25) / 0.5) */
    double s[20], pred[10];
    for (int i = 0; i < 20; i++) s[i] = 0.9 - 0.04 * i;
    calib_platt_uncalibrated_bins(s, 20, 0.5, -0.25, pred);
    for (int k = 0; k < 10; k++) {
        double m = 0;
        for (int j = 0; j < 2; j++) {
            double p = s[19 - (2 * k + j)], e = (log(p / (1 - p)) + 0.25) / 0.5;
            m += 1 / (1 + exp(-e)) / 2;
        }
        assert_close(pred[k], m, 1e-12);
    }
    /* fewer rows than bins: the empty ones are NaN */
    calib_platt_uncalibrated_bins(s, 3, 1.0, 0.0, pred);
    assert_true(isnan(pred[1]));
    assert_close(pred[0], s[2], 1e-12);
    assert_close(calib_logit(0.0), log(1e-15 / (1 - 1e-15)), 1e-12);
    assert_close(calib_logit(1.0), -calib_logit(0.0), 1e-4); /* 1 - 1e-15 rounds */
}

static void test_errors(void **state)
{
    (void)state;
    double p[4] = {0.2, 0.4, 0.6, 0.8}, a = 7, b = 7;
    uint8_t none[4] = {0, 0, 0, 0};
    assert_int_equal(calib_platt_fit(p, none, 4, &a, &b, NULL), CS_EDATA);
    assert_message_has("one class", NULL);
    /* the labels fall as the probability rises: the slope would be negative, the order reversed */
    uint8_t anti8[8] = {1, 1, 1, 0, 1, 0, 0, 0};
    double p8[8] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
    assert_int_equal(calib_platt_fit(p8, anti8, 8, &a, &b, NULL), CS_ENUM);
    assert_message_has("not positive", NULL);
    assert_true(a == 7 && b == 7); /* left alone on failure */
    /* perfectly ordered labels: the fit runs away (separation) and fails */
    uint8_t sep[4] = {0, 0, 1, 1};
    assert_int_not_equal(calib_platt_fit(p, sep, 4, &a, &b, NULL), CS_OK);
    status_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_platt),
        cmocka_unit_test(test_uncalibrated_bins),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
