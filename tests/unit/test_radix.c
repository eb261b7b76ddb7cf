/* test_radix.c — radix_sort_hi32 against a stable comparison sort, and the float keys' order. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "radix.h"

/* ascending by the upper half, then by position: the stable order */
static int ref_cmp(const void *pa, const void *pb)
{
    const uint64_t *a = pa, *b = pb;
    uint32_t ka = (uint32_t)(*a >> 32), kb = (uint32_t)(*b >> 32);
    if (ka != kb) return ka < kb ? -1 : 1;
    uint32_t ia = (uint32_t)*a, ib = (uint32_t)*b;
    return (ia > ib) - (ia < ib);
}

static void test_sort_stable(void **state)
{
    (void)state;
    enum { N = 30011 };
    uint64_t *a = malloc(N * sizeof(uint64_t)), *t = malloc(N * sizeof(uint64_t));
    uint64_t *r = malloc(N * sizeof(uint64_t));
    assert_non_null(a);
    assert_non_null(t);
    assert_non_null(r);
    uint64_t x = 77;
    /* keys spread over all three digits, with heavy repeats; the position in the lower half shows
     * whether equal keys kept their input order */
    for (int mode = 0; mode < 3; mode++) {
        for (uint32_t i = 0; i < N; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            uint32_t k = mode == 0 ? (uint32_t)(x >> 32) : mode == 1 ? (uint32_t)((x >> 40) % 37) << 20
                                                                     : 0x80000000u; /* one key */
            r[i] = a[i] = (uint64_t)k << 32 | i;
        }
        qsort(r, N, sizeof *r, ref_cmp);
        const uint64_t *s = radix_sort_hi32(a, t, N);
        assert_memory_equal(s, r, N * sizeof(uint64_t));
    }
    free(a);
    free(t);
    free(r);
}

static void test_float_keys(void **state)
{
    (void)state;
    const float v[] = {-INFINITY, -3.3e38f, -2.0f, -1e-40f, -0.0f, 0.0f, 1e-40f, 1e-30f, 0.5f, 1.0f,
                       2.385f, 3.3e38f, INFINITY};
    size_t n = sizeof v / sizeof v[0];
    for (size_t i = 0; i < n; i++) {
        float back = radix_float_of_key(radix_key_float(v[i]));
        assert_memory_equal(&back, &v[i], sizeof(float)); /* bit for bit, -0.0 included */
        if (i > 0) assert_true(radix_key_float(v[i - 1]) < radix_key_float(v[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_stable),
        cmocka_unit_test(test_float_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
