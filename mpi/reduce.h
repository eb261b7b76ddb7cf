/* reduce.h — every sum that crosses ranks, bitwise identical for any number of ranks.
 *
 * Floating-point addition is not associative, so a plain MPI_Allreduce gives different bits for
 * different rank counts. Here a sum over rows is defined once and for all as a fixed binary tree over
 * the global reduction blocks of part.h: a block's partial sum is computed from its rows only, and
 * node (l, i) = node(l-1, 2i) + node(l-1, 2i+1) (the left child alone where the right one lies past
 * the last block). Each rank folds its own blocks into the largest complete subtrees it owns (at most
 * about 2·log2(blocks) of them, so memory stays bounded), rank 0 gathers those subtrees and finishes
 * the same tree, and the result is broadcast. Whatever the partition, the additions are the same
 * additions in the same order. Integer counts, minima and maxima are exact under any order and go
 * through plain MPI_Allreduce.
 *
 * The module also owns error agreement (red_agree): each phase ends with one reduction of every
 * rank's status, so that all ranks go on or all stop, and the first failing rank's message is shared
 * so rank 0 can print it once. This is what stops a job cleanly instead of hanging it.
 */
#ifndef CS_REDUCE_H
#define CS_REDUCE_H

#include <math.h>
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

typedef struct red_tree red_tree;

/* A tree accumulator for vectors of len doubles. NULL when out of memory. */
red_tree *red_tree_alloc(size_t len);
void red_tree_free(red_tree *t);
/* Forget all blocks added so far (for a new pass over the same data). */
void red_tree_reset(red_tree *t);

/* Adds the partial sum v (len doubles) of global block b. Every owned block must be added, in
 * increasing order of b, each once (a block without rows adds zeros): the tree pairs siblings by
 * index, so a missing block would change the grouping. Returns CS_OK, CS_EINTERNAL on out-of-order blocks, CS_ENOMEM. */
int red_tree_add(red_tree *t, uint64_t b, const double *v);

/* Collective. Combines every rank's blocks into out (len doubles) on every rank: the sum over
 * nblocks global blocks by the fixed tree (zeros when nblocks is 0). */
int red_tree_allreduce(red_tree *t, MPI_Comm comm, uint64_t nblocks, double *out);

/* Collective helpers for exact, order-independent reductions (in place). */
int red_sum_i64(MPI_Comm comm, int64_t *v, size_t n);
int red_max_f64(MPI_Comm comm, double *v, size_t n);
int red_min_f64(MPI_Comm comm, double *v, size_t n);
int red_max_u64(MPI_Comm comm, uint64_t *v, size_t n);
int red_min_int(MPI_Comm comm, int *v, size_t n);
int red_min_u64(MPI_Comm comm, uint64_t *v, size_t n);
/* Collective. Sum of v over the ranks before this one (0 on rank 0): where a rank's rows go in an
 * output whose row counts differ per rank. */
uint64_t red_exscan_u64(MPI_Comm comm, uint64_t v);

/* Collective. Sums doubles whose every partial sum is exactly representable (the caller quantises
 * the terms to multiples of 2^-q and bounds their count, see red_quantize): then addition is exact,
 * hence associative, and a plain MPI_Allreduce gives the same bits for any rank count. Used by the
 * boosted trees, whose histograms per tree level would be too many for the block tree. */
int red_sum_exact_f64(MPI_Comm comm, double *v, size_t n);
/* Rounds x to a multiple of 2^-30: with |x| <= 1 and at most 2^22 terms, every partial sum of such
 * values needs at most 53 significant bits, so double addition of them is exact. Inline, and scaled
 * by multiplying with powers of two (exact here, so the same bits as ldexp): the trees call it twice
 * per sample row and tree, and the out-of-line ldexp pair cost 0.9 s of a 9.5 s training run. */
static inline double red_quantize(double x) { return nearbyint(x * 0x1p30) * 0x1p-30; }
#define RED_EXACT_MAX_TERMS (1u << 22)

/* Collective. Agrees on the worst status: returns CS_OK only if every rank passed CS_OK. Otherwise
 * returns the lowest failing rank's code on every rank and copies that rank's message into every
 * rank's status buffer (status_message()), so rank 0 can report it once. */
int red_agree(MPI_Comm comm, int status);

#endif
