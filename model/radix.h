/* radix.h — a stable LSD radix sort of 64-bit words by their upper 32 bits.
 *
 * The callers put a monotonic 32-bit key of what they sort in the upper half (a float's bits, or a
 * score rounded to float) and whatever they need back in the lower half (a row index, or nothing).
 * Three passes of 11-bit digits keep the digit counts in L1; a digit that is the same in every word
 * is skipped. Stable: equal keys keep their input order.
 */
#ifndef CS_RADIX_H
#define CS_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* Sorts a[0..n) ascending by a[i] >> 32, using tmp[0..n) as the second buffer. Returns the buffer
 * (a or tmp) that holds the sorted words. */
uint64_t *radix_sort_hi32(uint64_t *a, uint64_t *tmp, size_t n);

/* Order-preserving unsigned key of a float (ascending): all bits flipped for negatives, the sign bit
 * set for the others. -0.0 lands just below 0.0; NaN is the caller's to exclude. */
static inline uint32_t radix_key_float(float f)
{
    union {
        float f;
        uint32_t u;
    } v = {.f = f};
    return (v.u >> 31) ? ~v.u : (v.u | 0x80000000u);
}

/* The float whose radix_key_float is k. */
static inline float radix_float_of_key(uint32_t k)
{
    union {
        float f;
        uint32_t u;
    } v = {.u = (k >> 31) ? (k & 0x7fffffffu) : ~k};
    return v.f;
}

#endif
