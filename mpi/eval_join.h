/* eval_join.h — the distributed id join of `churnscore evaluate` and `score --previous-scores`:
 * each id goes to an owner rank chosen by a hash of the id, which keeps it in an open-addressing set
 * (or map: a value beside each id); a second file's ids go to the same owners, which ask the set.
 * Used by evaluate's --previous (cmd_evaluate.c) and --scores (eval_groups.c), and by score's
 * month-over-month join (score_prev.c), which also sends the answers back to the ranks that asked
 * (eval_xchg_sources); the set is split into parts by another hash when it would not fit --memory.
 */
#ifndef CS_EVAL_JOIN_H
#define CS_EVAL_JOIN_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* Open addressing, linear probing; 0 marks an empty slot, so id 0 is kept apart. A set filled by
 * eval_set_put is a map: val[i] beside slot[i] (NULL for a set of eval_set_insert alone). */
typedef struct {
    uint64_t *slot;
    uint64_t *val;
    size_t slots, n;
    int has_zero;
    uint64_t zero_val;
} eval_set;

/* The buffers of one exchange round of items of `width` uint64 each (gat_exchange does the moving
 * and its agreement): the items binned by owner rank, their counts, and what arrived. */
typedef struct {
    int nranks, width;
    uint64_t *nsend, *nrecv, *fill; /* [nranks] each, one allocation */
    uint64_t *send;                 /* [rows * width] */
    uint64_t *recv;                 /* gat_exchange's buffer of the last round */
} eval_xchg;

/* The owner rank of an id, and which of `parts` passes takes it. */
int eval_owner(uint64_t id, int nranks);
uint64_t eval_part(uint64_t id, uint64_t parts);

void eval_set_clear(eval_set *s);
/* CS_ENOMEM. */
int eval_set_insert(eval_set *s, uint64_t id);
int eval_set_has(const eval_set *s, uint64_t id);
/* The map: id -> v (a second put of an id replaces its value); CS_ENOMEM. eval_set_get: 1 and *v
 * when id is there, else 0. Do not mix eval_set_insert and eval_set_put on one set. */
int eval_set_put(eval_set *s, uint64_t id, uint64_t v);
int eval_set_get(const eval_set *s, uint64_t id, uint64_t *v);
/* Bytes per id a map holds at most (slots at load 1/2, and the old table while it doubles). */
#define EVAL_MAP_BYTES_PER_ID 64

void eval_xchg_clear(eval_xchg *x);
/* Buffers for rounds of up to rows items of width uint64 each. CS_ENOMEM. */
int eval_xchg_init(eval_xchg *x, int nranks, int width, size_t rows);
/* Collective. Sends items[i] (width uint64 each, n of them) to rank owner[i]; on return x->recv holds
 * *nrecv items. Every rank calls it the same number of times (n may be 0); a failure is agreed. */
int eval_xchg_run(eval_xchg *x, const uint64_t *items, const int *owner, size_t n, MPI_Comm comm,
                  size_t *nrecv);
/* After eval_xchg_run: the rank each of the *nrecv received items came from, into src[nrecv]. Items
 * answered in the order they arrived with src as the owners of a second eval_xchg_run reach their
 * senders in the order the senders sent them (the binning is stable). */
void eval_xchg_sources(const eval_xchg *x, int *src);

#endif
