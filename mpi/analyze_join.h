/* analyze_join.h — the id join of `churnscore analyze --previous`: who is new this month, who is
 * gone since last month.
 *
 * Each id of last month is sent to an owner rank chosen by a hash of the id, with its cell (area or
 * region, and brand, in this month's cells); each id of this month then goes to the same owner,
 * which says whether it was there last month and marks it seen; at the end each owner counts the
 * ids of last month never seen, per cell. Counts are integers, summed exactly (red_sum_i64), so the
 * result is the same for any rank count. Memory: 16-byte slots, sized up front for the expected
 * share (a tenth more than last month's subscribers / R) at a load of 1/2: about 32 bytes per id
 * (10M ids on 1 rank: 352 MB of slots; a power of two, before issue 16's speed work, took up to
 * 537 MB), more only when a rank's share exceeds the expectation (the table then doubles). The
 * caller checks ANJ_BYTES_PER_ID x the share against --memory before the pass (the bound keeps the
 * doubling's room).
 * The same design as evaluate's --previous join (cmd_evaluate.c), with a cell per id.
 */
#ifndef CS_ANALYZE_JOIN_H
#define CS_ANALYZE_JOIN_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#define ANJ_NO_CELL UINT32_MAX
#define ANJ_BYTES_PER_ID 70

typedef struct anj_join anj_join;

/* expect: the ids this rank is expected to own (the table is sized for them once, so it does not
 * double, and hold the old and the new table at once, while it fills). NULL when out of memory. */
anj_join *anj_alloc(int nranks, size_t io_rows, uint64_t expect);
void anj_free(anj_join *j); /* accepts NULL */

/* Collective, once per I/O block of last month's snapshot (every rank the same number of times, n
 * may be 0): ids[i] with cell[i] (ANJ_NO_CELL: a cell this month lacks) go to their owners, which
 * keep them. CS_ENOMEM or an exchange failure, agreed. */
int anj_add_previous(anj_join *j, MPI_Comm comm, const uint64_t *ids, const uint32_t *cell, size_t n);
/* Collective, once per I/O block of this month: ids[i] in cell[i]; tenure_new[i] set when the row
 * is new by its own tenure (then it is counted there, not here). The owner counts in new_join[cell]
 * each id that last month did not have and that is not new by tenure. Agreed. */
int anj_check_current(anj_join *j, MPI_Comm comm, const uint64_t *ids, const uint32_t *cell,
                      const uint8_t *tenure_new, size_t n, int64_t *new_join);
/* Local: adds to gone[cell] each of this owner's last-month ids never seen this month (those of no
 * cell are counted in *unmatched). */
void anj_count_gone(const anj_join *j, int64_t *gone, int64_t *unmatched);

#endif
