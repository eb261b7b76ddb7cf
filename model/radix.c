/* radix.c — see radix.h. */
#include "radix.h"

#include <string.h>

uint64_t *radix_sort_hi32(uint64_t *a, uint64_t *tmp, size_t n)
{
    enum { BITS = 11, NB = 1 << BITS };
    size_t cnt[NB];
    uint64_t *b = tmp;
    if (n < 2) return a;
    for (int shift = 32; shift < 64; shift += BITS) {
        memset(cnt, 0, sizeof cnt);
        unsigned first = (unsigned)(a[0] >> shift) & (NB - 1);
        int same = 1;
        for (size_t i = 0; i < n; i++) {
            unsigned d = (unsigned)(a[i] >> shift) & (NB - 1);
            same &= d == first;
            cnt[d]++;
        }
        if (same) continue; /* this digit orders nothing */
        size_t sum = 0;
        for (size_t d = 0; d < NB; d++) {
            size_t t = cnt[d];
            cnt[d] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) b[cnt[(a[i] >> shift) & (NB - 1)]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    return a;
}
