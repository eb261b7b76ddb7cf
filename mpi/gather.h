/* gather.h — bringing rows to rank 0 without anyone holding them all, or in a fixed order, or to
 * the rank that owns them.
 *
 * Three patterns, all collective and all independent of the rank count by construction:
 *  - gat_merge_sorted: each rank holds one already sorted list (its top-K candidates of a region);
 *    rank 0 k-way merges them into the one global order, pulling fixed-size chunks from each rank on
 *    demand, and hands the merged items to a callback (which writes the CSV as they come). Memory on
 *    rank 0 is ranks x chunk items, whatever the length of the lists; the merge stops at a limit.
 *  - gat_rows_to_root: MPI_Gatherv of fixed-size records in rank order. Ranks own contiguous
 *    increasing row ranges (part.h), so the result is in global row order for any rank count.
 *  - gat_exchange: MPI_Alltoallv of fixed-size records, each rank's share to the rank that owns it
 *    (the per-region lists go to the region's owner, which merges and writes them; see cmd_score.c).
 *    The receiver gets the senders' records in rank order; what it does with them must not depend
 *    on that order (the lists are merged by a total order).
 * Records travel as raw bytes: the job must run on machines of one architecture (as MPI jobs do).
 */
#ifndef CS_GATHER_H
#define CS_GATHER_H

#include "topk.h"

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* Called on rank 0 for each merged item in order, with its 0-based position. A non-zero return
 * stops the merge (the other ranks are released) and is returned by gat_merge_sorted. */
typedef topk_sink gat_sink;

/* Collective. items[0..n) is this rank's list, sorted by topk_before. Rank 0 receives the merge of
 * all ranks' lists, at most limit items (limit 0: none; UINT64_MAX: all), and passes each to sink.
 * On rank 0 *merged is the number handed to sink. Returns the sink's failure on rank 0 (CS_OK on
 * the other ranks): follow with red_agree. */
int gat_merge_sorted(MPI_Comm comm, const topk_item *items, size_t n, uint64_t limit, gat_sink sink,
                     void *arg, uint64_t *merged);

/* Collective. Gathers n records of size bytes each from every rank onto rank 0, in rank order.
 * On rank 0, *out is a malloc'd array of *total records (the caller frees it); elsewhere NULL and 0.
 * CS_ENOMEM on rank 0 when the buffer cannot be allocated (agreed: every rank returns it). */
int gat_rows_to_root(MPI_Comm comm, const void *recs, size_t n, size_t size, void **out,
                     uint64_t *total);
/* The same onto rank root. */
int gat_rows_to_rank(MPI_Comm comm, int root, const void *recs, size_t n, size_t size, void **out,
                     uint64_t *total);

/* The rank that shares rank 0's serial evaluation work (a second AUC, the drift reference, the
 * per-region validation): rank 1 when there is one, else 0. Each evaluation is one deterministic
 * function of rows gathered in global row order, so which rank computes it changes nothing in the
 * result, only how long rank 0 works alone. */
int gat_helper_rank(MPI_Comm comm);

/* Collective. Each rank sends nsend[q] records of size bytes to rank q, taken one destination after
 * the other (rank order) from send; nsend and nrecv are [nranks]. On return *out is a malloc'd
 * buffer (the caller frees) holding what every rank sent this one, in rank order, nrecv[q] records
 * from rank q. CS_EINVAL when what one rank sends or receives exceeds MPI's int counts, CS_ENOMEM;
 * either is agreed (every rank returns it, *out is NULL). */
int gat_exchange(MPI_Comm comm, const void *send, const uint64_t *nsend, size_t size, void **out,
                 uint64_t *nrecv);

/* Local (no communication). Lays out n records of size bytes for gat_exchange: record i of recs goes
 * to rank dest[i] (0 <= dest[i] < nranks). Writes them to send (n * size bytes, not overlapping recs)
 * one destination after the other, in their order within each, and their counts to nsend[nranks].
 * work is [nranks] scratch. Allocates nothing, so it cannot fail. */
void gat_bin(const void *recs, const int *dest, size_t n, size_t size, int nranks, void *send,
             uint64_t *nsend, uint64_t *work);

/* Collective. Every rank's n bytes mine[0..n) reach every rank: *all (malloc'd, the caller frees)
 * holds them one rank after the other, lens[q] (an array of nranks) the bytes of rank q. CS_ENOMEM,
 * CS_EINVAL over MPI's int counts, agreed (every rank returns it, *all NULL). */
int gat_allgather_bytes(MPI_Comm comm, const void *mine, size_t n, void **all, size_t *lens);

#endif
