/* capacity.h — how many subscribers each region's teams can call: score --capacity FILE.
 *
 * One --top K for every region lists as many subscribers for a region of two agents as for one of
 * two hundred (issue 14). A capacity file gives each region (and, where its teams differ, each queue
 * of a region) its own K; a region it does not name keeps --top. The file is a small CSV (csv.h: UTF-8,
 * a byte order mark is fine) with a header naming the columns region and k and optionally queue
 * (retention, collections or billing; empty for all three); K is a whole number, 0 meaning all. Read
 * on every rank (it is a page), before anything is written. No MPI.
 */
#ifndef CS_CAPACITY_H
#define CS_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

/* Reads path and fills k[(q - QUEUE_RETENTION) * n_regions + r] (the groups of mpi/score_job.h) for
 * the regions and queues it names; the other entries keep what the caller put there (--top). A line
 * with a queue wins over a line of the same region without one, whatever their order. Errors naming
 * the file and line: CS_EIO (cannot be read), CS_EFORMAT (no region or k column in the header, and
 * what csv.h refuses), CS_EDATA (a region the snapshot does not have, an unknown queue, a K that is
 * not a whole number from 0 to 2^53, a region and queue given twice). CS_ENOMEM. k is unchanged on
 * failure. */
int capacity_read(const char *path, const char *const *region_names, size_t n_regions, uint64_t *k);

#endif
