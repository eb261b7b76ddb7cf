/* select.h — exact order statistics across ranks, the same for any rank count.
 *
 * Quantiles over all subscribers (the ARPU cut-offs of the value tiers, the hash threshold of the
 * validation sample) must not depend on how the rows are spread. A radix select does it with
 * integer counts only: the keys are unsigned integers (floats are mapped to order-preserving keys
 * by the caller), each round histograms the next 16 bits of the keys that share the prefix found so
 * far, the histograms are summed exactly across ranks (red_sum_i64 of reduce.h) and the digit where
 * the wanted rank falls is fixed. key_bits / 16 rounds, each one pass over the local keys and one
 * allreduce of 65536 counts per query. No rank ever sees another rank's keys.
 */
#ifndef CS_SELECT_H
#define CS_SELECT_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* Collective. For each of the nq queries, out[q] is the k[q]-th smallest (0-based) of the keys of all
 * ranks together (keys[0..n) on this rank). key_bits is 16, 32, 48 or 64: keys must be below
 * 2^key_bits. Every rank must pass the same nq, k and key_bits. CS_EINVAL when a k[q] is not below
 * the total number of keys (the status is agreed: every rank returns the same), CS_ENOMEM. */
int sel_kth_u64(MPI_Comm comm, const uint64_t *keys, size_t n, int key_bits, size_t nq,
                const uint64_t *k, uint64_t *out);

#endif
