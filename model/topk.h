/* topk.h — bounded top-K lists per group (a queue of a region), in one deterministic order.
 *
 * Scoring keeps, per queue and region (model/queue.h), the subscribers an agent should call first.
 * The order is a total order: band descending (a row a hard signal raised, band 1, before a row the
 * model alone raised, band 0: in the retention list every alarm before every warning), then key
 * descending (the queue's probability or value at risk), then id ascending, then global row
 * ascending, so the list is the same whatever rank saw which row and in what order. Each group has
 * its own bound K (--top, or the region's line of --capacity); with a bound each group is a binary
 * heap whose root is the item that would drop out next, so memory is the sum of the K items
 * whatever the number of rows; with K = 0 (all) the group grows as needed and the caller bounds it
 * (mpi/score_pass.c checks its --memory budget). topk_sort turns each group into its ranked list in
 * place; after that the caller reads groups with topk_group. Pure: no MPI.
 */
#ifndef CS_TOPK_H
#define CS_TOPK_H

#include <stddef.h>
#include <stdint.h>

/* Snapshot indicators a list may carry beside its own columns (score --list-columns). */
#define TOPK_MAX_EXTRA 16

/* One listed subscriber: the ranking key and everything a list row shows. The struct travels
 * between ranks as raw bytes (mpi/score_lists.c), so it holds no pointer. */
#define TOPK_NO_AREA UINT16_MAX
/* prev_phase of a subscriber last month's scores do not hold (issue 15). */
#define TOPK_NO_PREV UINT8_MAX

typedef struct {
    double key;         /* ranking key, larger first */
    uint64_t id;        /* first tie-break, smaller first */
    uint64_t row;       /* global row: last tie-break, smaller first */
    double prob, var;   /* probability (of leaving at all) and the queue's value at risk */
    double pvol, pinv;  /* probability of leaving voluntarily / involuntarily (without churn types:
                         * pvol = prob, pinv = NaN) */
    float arpu;         /* monthly ARPU */
    float contrib;      /* contribution (for the grade, known only after the pass) */
    uint64_t tags;      /* the tag bits (issue 17, model/tageval.h) */
    float extra[TOPK_MAX_EXTRA]; /* the --list-columns indicators, as in the snapshot */
    int16_t reason[3];  /* reason codes: facts of the row (RULES_FACT_* of model/rules.h), -1 = none */
    float fact[3];      /* the facts' values (NaN = none) */
    uint16_t region;
    uint16_t area;      /* issue 16: the area below the region (TOPK_NO_AREA without areas) */
    uint8_t brand, stage, phase, tier; /* tier: the value grade, 1 = most valuable, 0 unknown */
    uint8_t queue;      /* QUEUE_* of model/queue.h */
    uint8_t band;       /* compared first: 1 raised by a hard signal, 0 by the model alone */
    uint8_t online;     /* 1: prefers online channels (the playbook's e-channel rule) */
    int16_t segment;    /* the model's segment within the brand (model/segment.h), -1: none */
    /* issue 15, month over month (mpi/score_prev.c): from last month's scores, joined by id */
    uint8_t prev_known; /* 1: the run had last month's scores (score --previous-scores) */
    uint8_t prev_phase; /* last month's phase, TOPK_NO_PREV when last month did not score the id */
    uint16_t prev_months; /* months on a list up to last month (0: not listed last month) */
    double prev_prob;   /* last month's probability, NaN when not scored */
} topk_item;

/* 1 when a ranks before b in the list order (band desc, key desc, id asc, row asc). NaN keys rank
 * last within their band. */
int topk_before(const topk_item *a, const topk_item *b);

typedef struct topk topk;

/* n_groups groups, group g of at most k[g] items (k[g] = 0: unbounded); k is copied. NULL when out
 * of memory or n_groups is 0. */
topk *topk_alloc(size_t n_groups, const uint64_t *k);
void topk_free(topk *t); /* accepts NULL */

/* Offers it to group g (g < n_groups, else CS_EINVAL): kept when the group has room or it ranks
 * before the group's last kept item, which then drops out. CS_ENOMEM when an unbounded group cannot
 * grow (the item is not kept). */
int topk_push(topk *t, size_t g, const topk_item *it);

/* Items currently held in all groups, and the bytes they take (for a memory budget). */
uint64_t topk_count(const topk *t);
size_t topk_bytes(const topk *t);

/* Sorts every group into list order (best first). After this, topk_push must not be called. */
void topk_sort(topk *t);

/* A view of group g's items (sorted after topk_sort) and their number; valid until topk_free. */
topk_item *topk_group(topk *t, size_t g, size_t *n);

/* One sorted run of a k-way merge: a view of n items in list order. */
typedef struct {
    const topk_item *v;
    size_t n;
} topk_run;

/* Receives each merged item in order with its 0-based position; a non-zero return stops the merge. */
typedef int (*topk_sink)(void *arg, uint64_t pos, const topk_item *it);

/* Merges runs[0..n_runs), each sorted by topk_before, into list order and hands the first limit
 * items (UINT64_MAX: all) to sink. Because topk_before is a total order, the result does not depend
 * on how the items were split into runs or on the order of the runs. heap is a workspace of n_runs
 * entries; the runs are consumed (v and n advance). *merged is the number handed to sink. Returns
 * CS_OK, or the sink's first non-zero status. */
int topk_merge(topk_run *runs, size_t n_runs, uint64_t limit, size_t *heap, topk_sink sink, void *arg,
               uint64_t *merged);

#endif
