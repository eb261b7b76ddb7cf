/* select.c — radix select over all ranks' keys (see select.h). */
#include "select.h"

#include "reduce.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

#define SEL_DIGITS 65536

int sel_kth_u64(MPI_Comm comm, const uint64_t *keys, size_t n, int key_bits, size_t nq,
                const uint64_t *k, uint64_t *out)
{
    int rc = CS_OK;
    if (key_bits <= 0 || key_bits > 64 || key_bits % 16 != 0)
        rc = CS_ERROR(CS_EINVAL, "select: key_bits %d is not 16, 32, 48 or 64", key_bits);
    int64_t total = (int64_t)n;
    /* The count check comes first, as one agreed collective, so that no rank starts the rounds
     * alone. */
    int rc2 = red_sum_i64(comm, &total, 1);
    if (rc == CS_OK) rc = rc2;
    for (size_t q = 0; rc == CS_OK && q < nq; q++)
        if (k[q] >= (uint64_t)total)
            rc = CS_ERROR(CS_EINVAL, "select: rank %llu asked of %lld keys", (unsigned long long)k[q],
                          (long long)total);
    int64_t *h = rc == CS_OK && nq ? calloc(nq * SEL_DIGITS, sizeof(int64_t)) : NULL;
    uint64_t *prefix = rc == CS_OK && nq ? calloc(nq, sizeof(uint64_t)) : NULL;
    uint64_t *want = rc == CS_OK && nq ? malloc(nq * sizeof(uint64_t)) : NULL;
    if (rc == CS_OK && nq && (!h || !prefix || !want)) rc = CS_ERROR(CS_ENOMEM, "select: out of memory");
    rc = red_agree(comm, rc);
    if (rc != CS_OK || nq == 0) {
        free(h);
        free(prefix);
        free(want);
        return rc;
    }
    memcpy(want, k, nq * sizeof(uint64_t));
    for (int done = 0; done < key_bits && rc == CS_OK; done += 16) {
        int shift = key_bits - done - 16;
        memset(h, 0, nq * SEL_DIGITS * sizeof(int64_t));
        for (size_t i = 0; i < n; i++) {
            uint64_t x = keys[i];
            /* done == 0: every key matches the empty prefix (a shift by 64 is undefined) */
            uint64_t top = done ? x >> (key_bits - done) : 0;
            size_t d = (size_t)((x >> shift) & 0xffffu);
            for (size_t q = 0; q < nq; q++)
                if (top == prefix[q]) h[q * SEL_DIGITS + d]++;
        }
        rc = red_sum_i64(comm, h, nq * SEL_DIGITS);
        for (size_t q = 0; rc == CS_OK && q < nq; q++) {
            const int64_t *hq = h + q * SEL_DIGITS;
            uint64_t below = 0;
            size_t d = 0;
            while (d < SEL_DIGITS && below + (uint64_t)hq[d] <= want[q]) below += (uint64_t)hq[d++];
            if (d == SEL_DIGITS) {
                rc = CS_ERROR(CS_EINTERNAL, "select: rank not found (keys above 2^%d?)", key_bits);
                break;
            }
            want[q] -= below;
            prefix[q] = (prefix[q] << 16) | d;
        }
    }
    if (rc == CS_OK) memcpy(out, prefix, nq * sizeof(uint64_t));
    free(h);
    free(prefix);
    free(want);
    return red_agree(comm, rc);
}
