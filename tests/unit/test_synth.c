/* test_synth.c — unit tests of the synthetic operator (model/synth/synth.h).
 *
 * The property everything rests on is that a row depends only on the parameters and its global index,
 * so the first tests compare bytes across different splits of the same rows. The others check the
 * simulated month against what the product promises: unique ids, a churn rate near 2% that matches the
 * mean true probability, about one active port-out per four passive leavers, alarm signals concentrated
 * among leavers, the missing shares, the near-constant and collinear columns, the factor structure
 * against synth_true_loadings, and the following month. Statistical checks use fixed seeds (so they
 * are deterministic) and tolerances of several standard errors. The speed of 1M rows is printed.
 */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "status.h"
#include "synth.h"

#define NF SYNTH_N_FACTORS

static size_t P;

static long col(const synth_params *p, const char *name)
{
    long j = synth_feature_index(p, name);
    if (j < 0) fail_msg("no feature %s", name);
    return j;
}

/* A fresh synth_out for n rows, generated from row0; aborts the test on failure. */
static synth_out *gen(const synth_params *p, uint64_t row0, size_t n)
{
    synth_out *o = synth_out_alloc(p, n);
    assert_non_null(o);
    assert_int_equal(synth_rows(p, row0, n, o), CS_OK);
    return o;
}

static double pearson(const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= n;
    my /= n;
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    return sxy / sqrt(sxx * syy);
}

/* Column j of the features as doubles, rows with a missing value in j or k dropped (pairwise). */
static size_t column_pair(const synth_out *o, size_t n, long j, long k, double *x, double *y)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        float a = o->features[i * P + (size_t)j], b = o->features[i * P + (size_t)k];
        if (isnan(a) || isnan(b)) continue;
        x[m] = a;
        y[m] = b;
        m++;
    }
    return m;
}

typedef struct scored {
    double p;
    int y;
} scored;

static int scored_cmp(const void *a, const void *b)
{
    double x = ((const scored *)a)->p, y = ((const scored *)b)->p;
    return (x > y) - (x < y);
}

/* AUC by the rank-sum formula with mid-ranks for ties. */
static double auc(const double *p, const int8_t *y, size_t n)
{
    scored *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) v[i] = (scored){p[i], y[i]};
    qsort(v, n, sizeof *v, scored_cmp);
    double ranks = 0.0, npos = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].p == v[i].p) j++;
        double r = 0.5 * (double)(i + 1 + j);
        for (size_t k = i; k < j; k++)
            if (v[k].y) {
                ranks += r;
                npos += 1.0;
            }
        i = j;
    }
    free(v);
    double nneg = (double)n - npos;
    return (ranks - npos * (npos + 1.0) / 2.0) / (npos * nneg);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---------------------------------------------------------------------------------------------- */

static void test_split_identical(void **state)
{
    synth_params p;
    synth_params_default(&p);
    p.seed = 20261031;
    const size_t n = 1000;
    static const size_t pieces[] = {1, 7, 333, 2, 64, 593}; /* sums to 1000 */
    /* two starting points: the first rows and rows far out in the id space */
    static const uint64_t starts[] = {0, UINT64_C(3141592653)};
    for (size_t s = 0; s < 2; s++) {
        synth_out *all = gen(&p, starts[s], n);
        synth_out *part = synth_out_alloc(&p, n);
        assert_non_null(part);
        size_t at = 0;
        for (size_t k = 0; k < sizeof pieces / sizeof *pieces; k++) {
            synth_out v = {part->id + at,       part->region + at,  part->brand + at,
                           part->features + at * P, part->churned + at, part->prob + at,
                           part->leaver + at,   part->factors + at * NF, part->pvol + at,
                           part->pinv + at, NULL};
            assert_int_equal(synth_rows(&p, starts[s] + at, pieces[k], &v), CS_OK);
            at += pieces[k];
        }
        assert_int_equal(at, n);
        assert_memory_equal(all->id, part->id, n * sizeof *all->id);
        assert_memory_equal(all->region, part->region, n * sizeof *all->region);
        assert_memory_equal(all->brand, part->brand, n * sizeof *all->brand);
        assert_memory_equal(all->features, part->features, n * P * sizeof *all->features);
        assert_memory_equal(all->churned, part->churned, n * sizeof *all->churned);
        assert_memory_equal(all->prob, part->prob, n * sizeof *all->prob);
        assert_memory_equal(all->leaver, part->leaver, n * sizeof *all->leaver);
        assert_memory_equal(all->factors, part->factors, n * NF * sizeof *all->factors);
        assert_memory_equal(all->pvol, part->pvol, n * sizeof *all->pvol);
        assert_memory_equal(all->pinv, part->pinv, n * sizeof *all->pinv);

        /* NULL outputs are skipped and do not change the others */
        synth_out only = {0};
        only.features = part->features;
        memset(part->features, 0, n * P * sizeof *part->features);
        assert_int_equal(synth_rows(&p, starts[s], n, &only), CS_OK);
        assert_memory_equal(all->features, part->features, n * P * sizeof *all->features);
        synth_out_free(all);
        synth_out_free(part);
    }

    /* a different seed gives different rows */
    synth_out *a = gen(&p, 0, 10);
    p.seed++;
    synth_out *b = gen(&p, 0, 10);
    assert_memory_not_equal(a->features, b->features, 10 * P * sizeof *a->features);
    synth_out_free(a);
    synth_out_free(b);
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void test_ids_unique(void **state)
{
    synth_params p;
    synth_params_default(&p);
    const size_t n = 100000;
    uint64_t *ids = malloc(n * sizeof *ids);
    assert_non_null(ids);
    synth_out o = {0};
    o.id = ids;
    assert_int_equal(synth_rows(&p, 0, n, &o), CS_OK);
    size_t same = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(ids[i] >= SYNTH_ID_BASE && ids[i] - SYNTH_ID_BASE < SYNTH_MAX_ROWS);
        assert_int_equal(ids[i], synth_id_of_row(&p, i));
        uint64_t row;
        assert_int_equal(synth_row_of_id(&p, ids[i], &row), CS_OK);
        assert_int_equal(row, i);
        same += ids[i] - SYNTH_ID_BASE == i;
    }
    assert_true(same < 10); /* scrambled, not the row index */
    qsort(ids, n, sizeof *ids, u64_cmp);
    for (size_t i = 1; i < n; i++) assert_true(ids[i] > ids[i - 1]);

    /* the inverse holds at the far end of the id space too */
    uint64_t row, last = SYNTH_MAX_ROWS - 1;
    assert_int_equal(synth_row_of_id(&p, synth_id_of_row(&p, last), &row), CS_OK);
    assert_int_equal(row, last);
    assert_int_equal(synth_id_of_row(&p, SYNTH_MAX_ROWS), 0);
    free(ids);
}

static void test_churn_calibration(void **state)
{
    synth_params p;
    synth_params_default(&p);
    const size_t n = 200000;
    synth_out *o = gen(&p, 0, n);
    double sum_p = 0.0, sum_vol = 0.0, sum_inv = 0.0;
    size_t churned = 0, active = 0, passive = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(o->prob[i] > 0.0 && o->prob[i] < 1.0);
        /* the probabilities of the two leaver types split the churn probability */
        assert_true(o->pvol[i] > 0.0 && o->pinv[i] > 0.0);
        assert_close(o->pvol[i] + o->pinv[i], o->prob[i], 1e-15);
        sum_vol += o->pvol[i];
        sum_inv += o->pinv[i];
        assert_true(o->churned[i] == 0 || o->churned[i] == 1);
        assert_true(o->churned[i] ? (o->leaver[i] == 1 || o->leaver[i] == 2) : o->leaver[i] == 0);
        sum_p += o->prob[i];
        churned += (size_t)o->churned[i];
        active += o->leaver[i] == 1;
        passive += o->leaver[i] == 2;
    }
    double rate = (double)churned / n, mean_p = sum_p / n;
    double share_active = (double)active / (double)churned;
    double a = auc(o->prob, o->churned, n);
    print_message("churn rate %.4f, mean true prob %.4f, active share %.3f (%zu active, %zu passive), "
                  "oracle AUC %.4f\n",
                  rate, mean_p, share_active, active, passive, a);
    assert_true(rate >= 0.015 && rate <= 0.025);
    /* standard error of the rate is sqrt(0.02 * 0.98 / 2e5) = 3.1e-4: 5 of them */
    assert_close(mean_p, rate, 0.0016);
    assert_close(mean_p, 0.02, 0.002);
    assert_true(share_active > 0.14 && share_active < 0.27); /* ~1:4, 4000 leavers */
    /* the true type probabilities are calibrated on the drawn types: counts of about 800 and 3200,
     * Poisson sd sqrt(count), within 5 of them */
    print_message("expected %.1f active, %.1f passive\n", sum_vol, sum_inv);
    assert_true(fabs(sum_vol - (double)active) < 5.0 * sqrt((double)active));
    assert_true(fabs(sum_inv - (double)passive) < 5.0 * sqrt((double)passive));
    assert_true(a > 0.72 && a < 0.88);

    /* a 3-month window: 1 - (1 - p)^3 per row */
    p.window_months = 3.0;
    synth_params p1 = p;
    p1.window_months = 1.0;
    synth_out *w = gen(&p, 0, 50000), *w1 = gen(&p1, 0, 50000);
    double sw = 0.0, s1 = 0.0;
    for (size_t i = 0; i < 50000; i++) {
        sw += w->prob[i];
        s1 += w1->prob[i];
        assert_close(w->prob[i], 1.0 - pow(1.0 - w1->prob[i], 3.0), 1e-12);
    }
    print_message("3-month window: mean true prob %.4f (%.2f times one month's)\n", sw / 50000,
                  sw / s1);
    /* the few subscribers with a high monthly probability saturate */
    assert_true(sw / s1 > 2.2 && sw / s1 < 3.0);
    synth_out_free(w1);
    synth_out_free(w);
    synth_out_free(o);
}

static void test_alarm_signals(void **state)
{
    synth_params p;
    synth_params_default(&p);
    p.seed = 7;
    const size_t n = 200000;
    synth_out *o = gen(&p, 0, n);
    const char *sig[] = {"dual_sim", "competitor_service_calls_m3", "forward_to_competitor_m3",
                         "suspended_arrears", "days_no_outgoing_m3"};
    /* share with the signal (>0, or >= 10 days) among stayers, active and passive leavers */
    double cnt[5][3] = {{0}}, grp[3] = {0};
    double mou_drop[3] = {0}, ending[3] = {0}, complaints[3] = {0};
    long jm1 = col(&p, "mou_m1"), jm3 = col(&p, "mou_m3"), jend = col(&p, "contract_ending"),
         jc = col(&p, "complaints_m3");
    for (size_t i = 0; i < n; i++) {
        int g = o->leaver[i];
        const float *x = o->features + i * P;
        grp[g] += 1.0;
        for (int s = 0; s < 5; s++) {
            float v = x[col(&p, sig[s])];
            cnt[s][g] += s == 4 ? v >= 10.0f : v > 0.0f;
        }
        mou_drop[g] += x[jm3] < 0.5f * x[jm1];
        ending[g] += x[jend];
        complaints[g] += x[jc];
    }
    for (int s = 0; s < 5; s++) {
        double st = cnt[s][0] / grp[0], ac = cnt[s][1] / grp[1], pa = cnt[s][2] / grp[2];
        print_message("%-28s stayers %.4f  active %.3f  passive %.3f\n", sig[s], st, ac, pa);
        assert_true(st < 0.006); /* rare among stayers */
        if (s < 3) assert_true(ac > 30.0 * st && ac > 3.0 * pa);
        else assert_true(pa > 20.0 * st && pa > 5.0 * ac);
    }
    /* traffic collapse, contracts ending and complaints are more frequent among leavers */
    assert_true(mou_drop[2] / grp[2] > 10.0 * mou_drop[0] / grp[0]);
    assert_true(ending[1] / grp[1] > 2.0 * ending[0] / grp[0]);
    assert_true(complaints[1] / grp[1] > 1.5 * complaints[0] / grp[0]);
    synth_out_free(o);
}

static void test_missing_and_screening_targets(void **state)
{
    synth_params p;
    synth_params_default(&p);
    const size_t n = 100000;
    synth_out *o = gen(&p, 0, n);
    struct {
        const char *name;
        double share;
    } miss[] = {{"age", 0.015},           {"nps_score", 0.01},  {"network_drop_rate_m3", 0.008},
                {"points_balance", 0.01}, {"arpu_m1", 0.005}};
    size_t nmiss_cols = sizeof miss / sizeof *miss;
    long jt = col(&p, "tenure_months");
    size_t settled = 0, young[3] = {0};
    for (size_t i = 0; i < n; i++) {
        float t = o->features[i * P + (size_t)jt];
        if (t >= 3.0f) settled++;
        else young[(int)t]++;
    }
    assert_true(young[1] > n / 100 && young[2] > n / 100); /* ~2.7% each */
    for (size_t j = 0; j < P; j++) {
        const char *nm = synth_feature_name(&p, j);
        size_t len = strlen(nm);
        /* a monthly measure's m1 and m2: the months before a new subscriber joined */
        int month = len > 3 && nm[len - 3] == '_' && nm[len - 2] == 'm' ? nm[len - 1] - '0' : 3;
        size_t nan = 0;
        for (size_t i = 0; i < n; i++) {
            const float *x = o->features + i * P;
            int have = x[jt] > (float)(3 - month); /* joined before that month */
            if (!have) assert_true(isnan(x[j]));
            /* completely at random among the subscribers who have the month */
            else if (x[jt] >= 3.0f) nan += isnan(x[j]) != 0;
        }
        double expect = 0.0;
        for (size_t m = 0; m < nmiss_cols; m++)
            if (strcmp(nm, miss[m].name) == 0) expect = miss[m].share;
        /* binomial sd at 1.5% and 1e5 rows is 3.8e-4 */
        assert_close((double)nan / settled, expect, 0.0015);
    }
    /* a subscriber of two months has m2 (and m3) */
    long jm2 = col(&p, "mou_m2"), jm3 = col(&p, "mou_m3");
    for (size_t i = 0; i < n; i++) {
        const float *x = o->features + i * P;
        if (x[jt] == 2.0f) assert_false(isnan(x[jm2]));
        assert_false(isnan(x[jm3]));
    }

    /* near-constant columns: ~99% zero */
    const char *sparse[] = {"roaming_mb_m3", "intl_calls_m3"};
    for (int s = 0; s < 2; s++) {
        long j = col(&p, sparse[s]);
        assert_int_equal(synth_feature_role(&p, (size_t)j), SYNTH_ROLE_SPARSE);
        size_t zero = 0;
        for (size_t i = 0; i < n; i++) zero += o->features[i * P + (size_t)j] == 0.0f;
        assert_true((double)zero / n > 0.985 && (double)zero / n < 0.998);
    }

    /* a nearly collinear pair: the voice charge is minutes times a flat rate */
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    size_t m = column_pair(o, n, col(&p, "voice_charge_m3"), col(&p, "mou_m3"), x, y);
    double r = pearson(x, y, m);
    print_message("corr(voice_charge_m3, mou_m3) = %.7f\n", r);
    assert_true(r > 0.9999 && r < 1.0);
    free(x);
    free(y);
    synth_out_free(o);
}

static void test_lifecycle_and_labels(void **state)
{
    synth_params p;
    synth_params_default(&p);
    p.n_regions = 5;
    const size_t n = 50000;
    synth_out *o = gen(&p, 0, n);
    long jt = col(&p, "tenure_months"), jl = col(&p, "contract_months_left"),
         je = col(&p, "contract_ending"), jn = col(&p, "new_subscriber");
    long jb = col(&p, "suspended_high_bill");
    size_t reg[5] = {0}, brand[3] = {0}, newsub = 0, contract = 0, ending = 0, bill = 0;
    for (size_t i = 0; i < n; i++) {
        const float *x = o->features + i * P;
        assert_true(o->region[i] < 5);
        assert_true(o->brand[i] < 3);
        reg[o->region[i]]++;
        brand[o->brand[i]]++;
        assert_true(x[jt] >= 1.0f);
        assert_true(x[jn] == (x[jt] <= 3.0f ? 1.0f : 0.0f));
        assert_true(x[je] == (x[jl] >= 0.0f && x[jl] <= 1.0f ? 1.0f : 0.0f));
        if (o->brand[i] == 2) assert_true(x[jl] == -1.0f); /* prepaid: no contract */
        if (o->brand[i] == 2) assert_true(x[jb] == 0.0f);  /* ... and no bill to suspend after */
        bill += x[jb] != 0.0f;
        /* a contract of 12 or 24 months from the day he joined, renewed at its end */
        if (x[jl] >= 0.0f) {
            int t = (int)x[jt], left = (int)x[jl];
            assert_true(left == 12 - t % 12 || left == 24 - t % 24);
            assert_true(left >= 1 && left <= 24);
            /* a new subscriber's contract is far from its end */
            if (x[jt] <= 3.0f) assert_true(left >= 9);
        }
        newsub += x[jn] != 0.0f;
        contract += x[jl] >= 0.0f;
        ending += x[je] != 0.0f;
    }
    assert_true(bill > 0);
    /* one month in 12 or 24 of a contract is its last */
    assert_true(ending > contract / 30 && ending < contract / 10);
    /* unequal regions (广东 is about six times 北京), all three brands, ~8% new subscribers */
    assert_true(reg[2] > 4 * reg[0]);
    for (int b = 0; b < 3; b++) assert_true(brand[b] > n / 10);
    assert_true(newsub > n * 6 / 100 && newsub < n * 10 / 100);
    assert_true(contract > n / 5 && contract < n / 2);
    synth_out_free(o);
}

static void test_factor_structure(void **state)
{
    synth_params p;
    synth_params_default(&p);
    double *L = malloc(P * NF * sizeof *L);
    assert_non_null(L);
    assert_int_equal(synth_true_loadings(&p, L), CS_OK);

    /* the truth: each factor has >= 3 indicators loading 0.6-0.9; other roles have zero rows */
    for (int k = 0; k < NF; k++) {
        int strong = 0;
        for (size_t j = 0; j < P; j++) {
            double a = fabs(L[j * NF + k]);
            int role = synth_feature_role(&p, j);
            if (role != SYNTH_ROLE_INDICATOR && role != SYNTH_ROLE_DERIVED)
                assert_true(a == 0.0);
            if (role == SYNTH_ROLE_INDICATOR && a >= 0.6 && a <= 0.9) strong++;
        }
        assert_true(strong >= 3);
    }

    const size_t n = 60000;
    synth_out *o = gen(&p, 0, n);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    /* empirical corr(indicator, true factor) against the analytic loadings; the formula ignores
     * rounding, clamping and the softening of leavers, hence 0.03 (sampling sd is ~0.004) */
    for (size_t j = 0; j < P; j++) {
        if (synth_feature_role(&p, j) != SYNTH_ROLE_INDICATOR) continue;
        for (int k = 0; k < NF; k++) {
            size_t m = 0;
            for (size_t i = 0; i < n; i++) {
                float v = o->features[i * P + j];
                if (isnan(v)) continue;
                x[m] = v;
                y[m] = o->factors[i * NF + k];
                m++;
            }
            double r = pearson(x, y, m);
            if (fabs(r - L[j * NF + k]) > 0.03)
                fail_msg("%s on %s: corr %.3f, loading %.3f", synth_feature_name(&p, j),
                         synth_factor_name(&p, (size_t)k), r, L[j * NF + k]);
        }
    }
    /* indicators of one factor correlate with each other (both loading >= 0.6) */
    for (int k = 0; k < NF; k++)
        for (size_t a = 0; a < P; a++)
            for (size_t b = a + 1; b < P; b++) {
                if (synth_feature_role(&p, a) != SYNTH_ROLE_INDICATOR ||
                    synth_feature_role(&p, b) != SYNTH_ROLE_INDICATOR)
                    continue;
                if (fabs(L[a * NF + k]) < 0.6 || fabs(L[b * NF + k]) < 0.6) continue;
                size_t m = column_pair(o, n, (long)a, (long)b, x, y);
                double r = pearson(x, y, m) * (L[a * NF + k] * L[b * NF + k] < 0 ? -1.0 : 1.0);
                if (r <= 0.3)
                    fail_msg("corr(%s, %s) = %.3f", synth_feature_name(&p, a),
                             synth_feature_name(&p, b), r);
            }
    /* the latent factors are standard normal and nearly uncorrelated */
    for (int k = 0; k < NF; k++) {
        double s = 0.0, ss = 0.0;
        for (size_t i = 0; i < n; i++) {
            s += o->factors[i * NF + k];
            ss += o->factors[i * NF + k] * o->factors[i * NF + k];
        }
        assert_close(s / n, 0.0, 0.02);
        assert_close(ss / n, 1.0, 0.03);
    }
    free(x);
    free(y);
    free(L);
    synth_out_free(o);
}

static void test_follow(void **state)
{
    synth_params p0, p1, p2;
    synth_params_default(&p0);
    memcpy(p0.month, "2026-12", 8);
    p0.n_base = 2000;
    p0.joiners_per_month = 150;
    assert_int_equal(synth_params_follow(&p0, &p1), CS_OK);
    assert_string_equal(p1.month, "2027-01");
    assert_int_equal(p1.month_index, 1);
    assert_int_equal(synth_params_follow(&p1, &p2), CS_OK);
    assert_string_equal(p2.month, "2027-02");
    assert_int_equal(synth_n_rows(&p0), 2000);
    assert_int_equal(synth_n_rows(&p2), 2300);

    const size_t n = 2000;
    synth_out *a = gen(&p0, 0, n);
    synth_out *b = gen(&p1, 0, n);
    /* same subscribers, same ids; latent profile persists with a little drift */
    assert_memory_equal(a->id, b->id, n * sizeof *a->id);
    assert_memory_equal(a->region, b->region, n * sizeof *a->region);
    long jt = col(&p0, "tenure_months"), jm1 = col(&p0, "mou_m1"), jm2 = col(&p0, "mou_m2");
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (int k = 0; k < NF; k++) {
        for (size_t i = 0; i < n; i++) {
            x[i] = a->factors[i * NF + k];
            y[i] = b->factors[i * NF + k];
        }
        assert_true(pearson(x, y, n) > 0.99);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(b->features[i * P + jt] == a->features[i * P + jt] + 1.0f);
        /* a subscriber without last month's m2 (he joined this month) has no m1 now */
        float m2 = a->features[i * P + jm2], m1 = b->features[i * P + jm1];
        assert_true(isnan(m2) == isnan(m1));
        if (isnan(m2)) continue;
        /* last month's m2 is this month's m1 (same calendar month): close, not equal (drift) */
        x[m] = log1p(m2);
        y[m] = log1p(m1);
        m++;
    }
    assert_true(m > n * 9 / 10);
    assert_true(pearson(x, y, m) > 0.95);

    /* joiners: rows 2000..2149 joined in month 1, 2150..2299 in month 2 */
    synth_out *c = gen(&p2, 2000, 300);
    for (size_t i = 0; i < 300; i++)
        assert_true(c->features[i * P + jt] == (i < 150 ? 2.0f : 1.0f));
    synth_out_free(c);
    c = synth_out_alloc(&p2, 301);
    assert_non_null(c);
    assert_int_equal(synth_rows(&p2, 2000, 301, c), CS_EINVAL); /* row 2300 does not exist yet */
    assert_int_equal(synth_rows(&p0, 2000, 1, c), CS_EINVAL);
    assert_int_equal(synth_rows(&p0, 1999, 1, c), CS_OK);
    synth_out_free(c);
    free(x);
    free(y);
    synth_out_free(a);
    synth_out_free(b);
}

static void test_names(void **state)
{
    synth_params p;
    synth_params_default(&p);
    static const char *required[] = {
        "tenure_months", "contract_months_left", "arpu_m1", "arpu_m2", "arpu_m3", "mou_m1",
        "mou_m2", "mou_m3", "out_calls_m1", "out_calls_m2", "out_calls_m3", "days_no_outgoing_m3",
        "data_mb_m1", "data_mb_m2", "data_mb_m3", "sms_m1", "sms_m2", "sms_m3", "complaints_m3",
        "service_calls_m3", "competitor_service_calls_m3", "forward_to_competitor_m3", "dual_sim",
        "suspended_voluntary", "suspended_arrears", "suspended_high_bill", "vas_count",
        "family_plan", "group_member", "e_channel_use", "points_balance", "age"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) col(&p, required[i]);
    assert_true(P >= 40 && P <= 48);
    for (size_t j = 0; j < P; j++) {
        assert_int_equal(synth_feature_index(&p, synth_feature_name(&p, j)), (long)j);
        assert_in_range(synth_feature_role(&p, j), SYNTH_ROLE_INDICATOR, SYNTH_ROLE_OTHER);
    }
    assert_null(synth_feature_name(&p, P));
    assert_int_equal(synth_feature_role(&p, P), -1);
    assert_int_equal(synth_feature_index(&p, "no_such_column"), -1);
    assert_int_equal(synth_feature_index(&p, NULL), -1);
    assert_int_equal(synth_n_factors(&p), NF);
    assert_string_equal(synth_factor_name(&p, 0), "usage");
    assert_string_equal(synth_factor_name(&p, 5), "lock_in");
    assert_null(synth_factor_name(&p, NF));
    assert_string_equal(synth_region_name(0), "北京");
    assert_string_equal(synth_region_name(2), "广东");
    assert_non_null(synth_region_name(SYNTH_MAX_REGIONS - 1));
    assert_null(synth_region_name(SYNTH_MAX_REGIONS));
    assert_string_equal(synth_brand_name(0), "全球通");
    assert_string_equal(synth_brand_name(2), "神州行");
    assert_string_equal(synth_brand_name_latin(1), "M-Zone");
    assert_null(synth_brand_name(3));
    assert_null(synth_brand_name_latin(3));
    assert_int_equal(p.seed, 42);
    assert_int_equal(p.n_regions, 18);
    assert_string_equal(p.month, "2026-10");
}

static void test_errors(void **state)
{
    synth_params good, p;
    synth_params_default(&good);
    synth_out *o = synth_out_alloc(&good, 4);
    assert_non_null(o);
    double L[64 * NF];
    uint64_t row;

#define BAD(stmt)                                                                                  \
    do {                                                                                           \
        p = good;                                                                                  \
        stmt;                                                                                      \
        status_clear();                                                                            \
        assert_int_equal(synth_params_check(&p), CS_EINVAL);                                       \
        assert_int_equal(synth_rows(&p, 0, 4, o), CS_EINVAL);                                      \
        assert_int_equal(synth_true_loadings(&p, L), CS_EINVAL);                                   \
        assert_int_equal(synth_params_follow(&p, &p), CS_EINVAL);                                  \
        assert_true(strlen(status_reason()) > 0);                                                  \
    } while (0)
    BAD(p.n_regions = 0);
    BAD(p.n_regions = SYNTH_MAX_REGIONS + 1);
    BAD(p.n_brands = 2);
    BAD(memcpy(p.month, "2026-13", 8));
    BAD(memcpy(p.month, "2026-00", 8));
    BAD(memcpy(p.month, "26-10\0\0", 8));
    BAD(memset(p.month, '1', 8)); /* no terminator */
    BAD(p.month_index = -1);
    BAD(p.drift = -0.25);
    BAD(p.drift = NAN);
    BAD(p.window_months = 0.0);
    BAD(p.window_months = 12.5);
    BAD(p.churn_intercept = INFINITY);
    BAD(p.active_intercept = NAN);
    BAD((p.n_base = SYNTH_MAX_ROWS + 1));
    BAD((p.n_base = 10, p.joiners_per_month = SYNTH_MAX_ROWS, p.month_index = 1));
#undef BAD

    assert_int_equal(synth_params_check(NULL), CS_EINVAL);
    assert_int_equal(synth_rows(&good, 0, 4, NULL), CS_EINVAL);
    assert_int_equal(synth_true_loadings(&good, NULL), CS_EINVAL);
    assert_int_equal(synth_rows(&good, SYNTH_MAX_ROWS - 2, 4, o), CS_EINVAL);
    assert_int_equal(synth_rows(&good, SYNTH_MAX_ROWS - 4, 4, o), CS_OK);
    assert_int_equal(synth_rows(&good, 0, 0, o), CS_OK);
    assert_int_equal(synth_row_of_id(&good, 12345, &row), CS_EINVAL);
    assert_int_equal(synth_row_of_id(&good, SYNTH_ID_BASE + SYNTH_MAX_ROWS, &row), CS_EINVAL);
    assert_int_equal(synth_row_of_id(&good, SYNTH_ID_BASE, NULL), CS_EINVAL);
    synth_params last = good;
    memcpy(last.month, "9999-12", 8);
    assert_int_equal(synth_params_follow(&last, &p), CS_EINVAL);
    assert_null(synth_out_alloc(&good, 0));
    assert_null(synth_out_alloc(&good, SIZE_MAX / 2));
    synth_out_free(NULL);
    synth_out_free(o);
}

/* Prints the generation speed; not asserted (it depends on the machine). Blocks of 10k rows reuse
 * one buffer, as the generate command does. */
static void test_speed_1m(void **state)
{
    synth_params p;
    synth_params_default(&p);
    const size_t block = 10000, n = 1000000;
    synth_out *o = synth_out_alloc(&p, block);
    assert_non_null(o);
    double t = now();
    for (size_t r = 0; r < n; r += block) assert_int_equal(synth_rows(&p, r, block, o), CS_OK);
    t = now() - t;
    print_message("generated %zu rows x %zu features in %.3f s (%.0f ns/row)\n", n, P, t,
                  1e9 * t / (double)n);
    synth_out_free(o);
}

int main(void)
{
    synth_params p;
    synth_params_default(&p);
    P = synth_n_features(&p);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_identical),
        cmocka_unit_test(test_ids_unique),
        cmocka_unit_test(test_churn_calibration),
        cmocka_unit_test(test_alarm_signals),
        cmocka_unit_test(test_missing_and_screening_targets),
        cmocka_unit_test(test_lifecycle_and_labels),
        cmocka_unit_test(test_factor_structure),
        cmocka_unit_test(test_follow),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_speed_1m),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
