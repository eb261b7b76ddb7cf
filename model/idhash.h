/* idhash.h — the one hash of subscriber ids: every sample, split and hash table that picks by id.
 *
 * Samples must not depend on where a row sits (rank, block, file order), only on the subscriber, so
 * the holdout, the validation part, the boosting and warm-start samples, the drift sample and the
 * id tables of the duplicate check, the list reader and evaluate's join all hash the id. They used
 * to carry five private copies of the same splitmix64 arithmetic; this header is the one copy
 * (inline: it sits in the innermost loops of the passes). The values are exactly those of the
 * copies it replaced, so models and lists are unchanged.
 */
#ifndef CS_IDHASH_H
#define CS_IDHASH_H

#include <stdint.h>

/* splitmix64's finaliser: a bijection of 64-bit words that spreads sequential ids (or ids sharing
 * their high digits) over every bit, so tables indexed by the low or high bits do not cluster. */
static inline uint64_t idhash_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

/* One splitmix64 step: the golden-ratio increment, then the finaliser (a bijection too). */
static inline uint64_t idhash_splitmix(uint64_t x)
{
    return idhash_mix(x + UINT64_C(0x9e3779b97f4a7c15));
}

/* A uniform draw in [0, 1) from an id and a salt (independent draws for independent salts); 53
 * bits, so every value is a double exactly. */
static inline double idhash_unit(uint64_t id, uint64_t salt)
{
    return (double)(idhash_splitmix(id ^ salt) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
