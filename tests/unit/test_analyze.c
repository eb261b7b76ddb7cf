/* test_analyze.c — the sums of the monthly analyses (model/analyze.h) on hand-made rows whose every
 * figure is worked out here by hand: the columns found by name (competitors in column order, the
 * aggregate "competitor" columns not taken for a competitor), the traffic groups at and around the
 * threshold (NaN history, a zero base), a row of no cell, and the traffic profile against a
 * two-pass computation with its ranking (NaN last, ties by index). */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

static const char *const names[] = {
    "tenure_months", "arpu_m3", "suspended_voluntary", "suspended_arrears", "suspended_high_bill",
    "mou_m1", "mou_m2", "mou_m3", "data_mb_m1", "data_mb_m2", "data_mb_m3",
    "forward_to_competitor_m3", "forward_to_unicom_m3", "dual_sim_unicom", "forward_to_telecom_m3",
    "competitor_service_calls_telecom_m3"};
#define P (sizeof names / sizeof names[0])

static void test_cols(void **state)
{
    (void)state;
    anl_cols c;
    anl_cols_find(&c, names, P);
    assert_int_equal(c.tenure, 0);
    assert_int_equal(c.arpu, 1);
    assert_int_equal(c.susp[2], 4);
    assert_int_equal(c.mou[2], 7);
    assert_int_equal(c.data[0], 8);
    assert_int_equal(c.fwd_all, 11);
    assert_int_equal(c.calls_all, -1);
    assert_int_equal(c.dual_all, -1);
    /* the snapshot's column order, not alphabetical; "competitor" is the aggregate */
    assert_int_equal(c.n_comp, 2);
    assert_string_equal(c.comp[0], "unicom");
    assert_string_equal(c.comp[1], "telecom");
    assert_int_equal(c.fwd[0], 12);
    assert_int_equal(c.dual[0], 13);
    assert_int_equal(c.calls[0], -1);
    assert_int_equal(c.calls[1], 15);
    assert_int_equal(c.dual[1], -1);
}

/* A row with the given minutes and data (m1, m2, m3), the rest zero. */
static void row(float *x, const float mou[3], const float data[3])
{
    memset(x, 0, P * sizeof *x);
    for (int m = 0; m < 3; m++) {
        x[5 + m] = mou[m];
        x[8 + m] = data[m];
    }
}

static void test_traffic_group(void **state)
{
    (void)state;
    anl_cols c;
    anl_cols_find(&c, names, P);
    float x[P];
    const float flat[3] = {100, 100, 100};
    /* exactly +30% (130 against 100) is in, 129.9 is not */
    row(x, (const float[3]){100, 100, 130}, flat);
    assert_int_equal(anl_traffic_group(&c, x, 0.3), 1);
    row(x, (const float[3]){90, 110, 129.9f}, flat);
    assert_int_equal(anl_traffic_group(&c, x, 0.3), 0);
    /* minutes up, data down: both */
    row(x, (const float[3]){100, 100, 200}, (const float[3]){100, 100, 10});
    assert_int_equal(anl_traffic_group(&c, x, 0.3), 3);
    /* minutes without history, data fell: fell */
    row(x, (const float[3]){NAN, 100, 500}, (const float[3]){200, 200, 140});
    assert_int_equal(anl_traffic_group(&c, x, 0.3), 2);
    /* a zero base and a NaN history: not comparable */
    row(x, (const float[3]){0, 0, 50}, (const float[3]){NAN, NAN, 1});
    assert_int_equal(anl_traffic_group(&c, x, 0.3), -1);
}

static void test_block(void **state)
{
    (void)state;
    anl_cols c;
    anl_cols_find(&c, names, P);
    anl_layout l;
    anl_layout_init(&l, 2, 2, P, c.n_comp, 0.3);
    float x[4 * P];
    const float flat[3] = {100, 100, 100};
    row(x, flat, flat);
    x[0] = 1;                       /* new by tenure */
    x[1] = 52.75f;
    x[3] = 1;                       /* arrears */
    x[12] = 2;                      /* forwards to unicom */
    row(x + P, (const float[3]){100, 100, 40}, flat);
    x[P + 0] = 40;
    x[P + 1] = NAN;                 /* no ARPU: no value */
    x[P + 11] = 1;                  /* the aggregate column says forwarding */
    x[P + 15] = 3;
    row(x + 2 * P, flat, flat);
    x[2 * P + 0] = 7;
    x[2 * P + 1] = 20.5f;
    x[2 * P + 2] = NAN;             /* a missing flag is no suspension */
    row(x + 3 * P, flat, flat);     /* of no cell: only the traffic and the grid see it */
    x[3 * P + 1] = 99;
    size_t group[4] = {1, 1, 0, SIZE_MAX};
    uint8_t brand[4] = {0, 0, 1, 1};
    int8_t churned[4] = {1, 0, -1, 1};
    int8_t ctype[4] = {2, 0, 0, 1};
    anl_rows r = {.n = 4, .group = group, .brand = brand, .x = x, .churned = churned, .ctype = ctype};
    double *v = calloc(l.len, sizeof *v);
    assert_non_null(v);
    anl_block_add(&l, &c, &r, v);
    size_t cells = 4;
    const double *ch = v + l.off_churn + (1 * 2 + 0) * ANL_CH_N; /* group 1, brand 0 */
    assert_close(ch[ANL_CH_SUBS], 2, 0);
    assert_close(ch[ANL_CH_NEW_TENURE], 1, 0);
    assert_close(ch[ANL_CH_LABELLED], 2, 0);
    assert_close(ch[ANL_CH_LEAVERS], 1, 0);
    assert_close(ch[ANL_CH_INVOLUNTARY], 1, 0);
    assert_close(ch[ANL_CH_VOLUNTARY], 0, 0);
    assert_close(ch[ANL_CH_VALUE], 52.75, 0);
    assert_close(ch[ANL_CH_LEAVERS_VALUE], 52.75, 0);
    const double *ch0 = v + l.off_churn + (0 * 2 + 1) * ANL_CH_N;
    assert_close(ch0[ANL_CH_SUBS], 1, 0);
    assert_close(ch0[ANL_CH_LABELLED], 0, 0);
    /* suspensions: arrears of the first row only */
    const double *su = v + l.off_susp + (1 * cells + 2) * ANL_SU_N;
    assert_close(su[ANL_SU_COUNT], 1, 0);
    assert_close(su[ANL_SU_VALUE], 52.75, 0);
    assert_close(su[ANL_SU_LEFT], 1, 0);
    assert_close(v[l.off_susp + (0 * cells + 1) * ANL_SU_N + ANL_SU_COUNT], 0, 0);
    /* forwarding: unicom (k 0) the first row; telecom (k 1) a service call of the second; "all" (k
     * 2) by the aggregate column: the second row only (the first forwards to unicom, but the
     * aggregate column, which the snapshot has, says 0) */
    const double *fu = v + l.off_fwd + (0 * cells + 2) * ANL_FW_N;
    assert_close(fu[ANL_FW_COUNT], 1, 0);
    assert_close(fu[ANL_FW_VALUE], 52.75, 0);
    assert_close(v[l.off_fwd + (1 * cells + 2) * ANL_FW_N + ANL_FW_SERVICE_CALLS], 1, 0);
    const double *fa = v + l.off_fwd + (2 * cells + 2) * ANL_FW_N;
    assert_close(fa[ANL_FW_COUNT], 1, 0);
    assert_close(fa[ANL_FW_VALUE], 0, 0);
    assert_close(fa[ANL_FW_LABELLED], 1, 0);
    assert_close(fa[ANL_FW_LEFT], 0, 0);
    /* traffic: the second row fell (40 against 100), three steady (the row of no cell too) */
    const double *tr = v + l.off_traffic;
    size_t w = ANL_TR_HEAD + 3 * P;
    assert_close(tr[0 * w + ANL_TR_N], 0, 0);
    assert_close(tr[1 * w + ANL_TR_N], 1, 0);
    assert_close(tr[2 * w + ANL_TR_N], 3, 0);
    assert_close(tr[2 * w + ANL_TR_LEAVERS], 2, 0);
    /* steady ARPU: 52.75 and 20.5 and 99 present (the NaN row fell) */
    assert_close(tr[2 * w + ANL_TR_HEAD + 3 * 1 + 0], 3, 0);
    assert_close(tr[2 * w + ANL_TR_HEAD + 3 * 1 + 1], 52.75 + 20.5 + 99, 1e-12);
    /* grid without scores: unscored, tier 0, value from arpu_m3 */
    const double *gr = v + l.off_grid + ((3 * ANL_N_TIERS + 0) * 2 + 1) * ANL_GR_N;
    assert_close(gr[ANL_GR_SUBS], 2, 0);
    assert_close(gr[ANL_GR_VALUE], 20.5 + 99, 1e-12);
    free(v);
}

static void test_profile(void **state)
{
    (void)state;
    /* three indicators: one apart (d known), one equal, one never present */
    anl_layout l;
    anl_layout_init(&l, 1, 1, 3, 0, 0.3);
    size_t w = ANL_TR_HEAD + 9;
    double *tr = calloc(3 * w, sizeof *tr);
    assert_non_null(tr);
    const double g0[] = {2.385, 4.5, 7.25}, s0[] = {1.0, 2.0, 3.0, 2.5};
    for (int i = 0; i < 3; i++) { /* group 0 (rose): indicator 0 the values g0, indicator 1 all 5 */
        double *t = tr + ANL_TR_HEAD;
        t[0] += 1, t[1] += g0[i], t[2] += g0[i] * g0[i];
        t[3] += 1, t[4] += 5, t[5] += 25;
    }
    for (int i = 0; i < 4; i++) {
        double *t = tr + 2 * w + ANL_TR_HEAD;
        t[0] += 1, t[1] += s0[i], t[2] += s0[i] * s0[i];
        t[3] += 1, t[4] += 5, t[5] += 25;
    }
    double mg[3], mr[3], sg[3], sr[3], d[3];
    size_t order[3];
    anl_profile(&l, tr, 0, mg, mr, sg, sr, d, order);
    double m1 = (2.385 + 4.5 + 7.25) / 3, m2 = 2.125;
    double v1 = ((2.385 - m1) * (2.385 - m1) + (4.5 - m1) * (4.5 - m1) + (7.25 - m1) * (7.25 - m1)) / 3;
    double v2 = (1.125 * 1.125 + 0.125 * 0.125 + 0.875 * 0.875 + 0.375 * 0.375) / 4;
    assert_close(mg[0], m1, 1e-12);
    assert_close(mr[0], m2, 1e-12);
    assert_close(sg[0], sqrt(v1), 1e-12);
    assert_close(d[0], (m1 - m2) / sqrt((v1 + v2) / 2), 1e-12);
    assert_true(isnan(d[1]));  /* no spread on either side */
    assert_true(isnan(mg[2]) && isnan(d[2]));
    assert_int_equal(order[0], 0);
    assert_int_equal(order[1], 1); /* NaN last, ties by index */
    assert_int_equal(order[2], 2);
    free(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cols),
        cmocka_unit_test(test_traffic_group),
        cmocka_unit_test(test_block),
        cmocka_unit_test(test_profile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
