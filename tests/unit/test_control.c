/* test_control.c — the control group's draw (model/control.h) and the uplift's interval
 * (model/effect.h): the quota keeps every phase x tier stratum within one subscriber of share x
 * size at every prefix of a list; the draw depends on id and month only (the same ids in another
 * order of the strata give the same group when the quota does not bind; another month another
 * group); share 0 holds nobody out; the interval against scipy; an empty or small arm is "too small". */
#include "testutil.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "control.h"
#include "effect.h"
#include "idhash.h"

static uint64_t rng_state = 2385;
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void test_quota(void **state)
{
    (void)state;
    const double shares[] = {0.05, 0.1, 0.137, 0.5};
    for (size_t k = 0; k < sizeof shares / sizeof *shares; k++) {
        control_state st;
        control_init(&st, shares[k], control_month_key("2026-10"));
        uint64_t n[CONTROL_STRATA] = {0}, held[CONTROL_STRATA] = {0};
        for (int i = 0; i < 20000; i++) {
            int phase = (int)(rng() % 3), tier = (int)(rng() % 6);
            uint64_t id = 13000000000ull + (rng() >> 30);
            unsigned s = control_stratum(phase, tier);
            held[s] += (uint64_t)control_pick(&st, id, phase, tier);
            n[s]++;
            /* at every prefix, not only at the end */
            assert_true(fabs((double)held[s] - shares[k] * (double)n[s]) < 1.0);
        }
        uint64_t total = 0;
        for (unsigned s = 0; s < CONTROL_STRATA; s++) {
            assert_int_equal(st.n[s], n[s]);
            assert_int_equal(st.held[s], held[s]);
            total += held[s];
        }
        assert_int_equal(control_held(&st), total);
    }
}

static void test_hash_decides(void **state)
{
    (void)state;
    /* one stratum, share 0.2: the quota only corrects; most picks are the hash's, so two months
     * choose different subscribers and the same month the same ones */
    enum { N = 5000 };
    uint64_t *ids = malloc(N * sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < N; i++) ids[i] = 13000000000ull + (rng() >> 30);
    control_state a, b, c;
    control_init(&a, 0.2, control_month_key("2026-10"));
    control_init(&b, 0.2, control_month_key("2026-10"));
    control_init(&c, 0.2, control_month_key("2026-11"));
    int same_ab = 1, differ_ac = 0, agree_hash = 0;
    for (int i = 0; i < N; i++) {
        int pa = control_pick(&a, ids[i], 2, 3), pb = control_pick(&b, ids[i], 2, 3),
            pc = control_pick(&c, ids[i], 2, 3);
        same_ab &= pa == pb;
        differ_ac += pa != pc;
        agree_hash += pa == (idhash_unit(ids[i], a.key) < 0.2);
    }
    assert_true(same_ab);
    assert_true(differ_ac > N / 10);
    /* most rows follow their hash: the quota forces a minority */
    assert_true(agree_hash > N * 6 / 10);
    assert_int_equal(control_held(&a), 1000);
    free(ids);
}

static void test_share_zero(void **state)
{
    (void)state;
    control_state st;
    control_init(&st, 0, control_month_key(NULL));
    for (int i = 0; i < 100; i++) assert_int_equal(control_pick(&st, rng(), 1, 2), 0);
    assert_int_equal(control_held(&st), 0);
    /* out of range: clamped to [0, 0.5]; strata clamped */
    control_init(&st, 0.9, 1);
    assert_close(st.share, 0.5, 0);
    assert_int_equal(control_stratum(-1, 99), CONTROL_TIERS - 1);
    assert_int_equal(control_stratum(7, 2), (CONTROL_PHASES - 1) * CONTROL_TIERS + 2);
}

static void test_interval(void **state)
{
    (void)state;
    effect_est e;
    /* python3 -c "from scipy.stats import norm; import math; nt,lt,nc,lc=9000,981,1000,143;
     *   pt,pc=lt/nt,lc/nc; se=math.sqrt(pt*(1-pt)/nt+pc*(1-pc)/nc); z=norm.ppf(0.975);
     *   print(pc-pt, se, pc-pt-z*se, pc-pt+z*se)"   (scipy 1.10.1, numpy 1.24.2) */
    effect_estimate(9000, 981, 1000, 143, &e);
    assert_close(e.uplift, 0.03399999999999999, 1e-12);
    assert_close(e.se, 0.011547380655369425, 1e-12);
    assert_close(e.lo, 0.01136754979970139, 1e-12);
    assert_close(e.hi, 0.056632450200298584, 1e-12);
    assert_false(e.too_small);
    /* an empty arm */
    effect_estimate(500, 20, 0, 0, &e);
    assert_true(isnan(e.uplift) && isnan(e.lo) && e.too_small);
    /* enough subscribers, too few leavers in the smaller arm (40 x 3/440 < 5) */
    effect_estimate(400, 3, 40, 0, &e);
    assert_true(e.too_small);
    assert_close(e.uplift, -0.0075, 1e-15);
    /* an arm under EFFECT_MIN_N */
    effect_estimate(4000, 1000, 29, 10, &e);
    assert_true(e.too_small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quota),
        cmocka_unit_test(test_hash_decides),
        cmocka_unit_test(test_share_zero),
        cmocka_unit_test(test_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
