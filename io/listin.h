/* listin.h — last month's early-warning lists read back, for `churnscore evaluate`.
 *
 * io/lists.c writes the lists an agent opens (one CSV per region, ranked, plus summary.csv and
 * summary.json); this module reads such a directory back into a flat table (id, region, phase, tier
 * per listed subscriber) with a hash index on the id, so that a pass over an outcome snapshot can ask
 * "was this subscriber on a list, and where?" in constant time. Columns are found by their header
 * names in either language of the lists (id, region, phase; tier when present: lists.h's
 * lists_column_label), and phases by their names in either language, so hand-made lists with other
 * columns work too; every queue's file counts (a subscriber is in one queue). The
 * lists are bounded by their size (--top K per region), so the whole table lives in memory; the
 * snapshot it is compared with is never held. Serial: mpi/cmd_evaluate.c reads on rank 0 and sends
 * the flat arrays to the other ranks, which rebuild the index with listin_index.
 */
#ifndef CS_LISTIN_H
#define CS_LISTIN_H

#include "tagconf.h"

#include <stddef.h>
#include <stdint.h>

/* Warning phases as the lists spell them ("healthy", "warning", "alarm", or in Chinese); the same
 * codes as model/rules.h. */
enum { LISTIN_HEALTHY = 0, LISTIN_WARNING = 1, LISTIN_ALARM = 2, LISTIN_N_PHASES = 3 };
/* The file a row came from: a retention list "*-retention.csv" (the treated), its control group
 * "*-retention-control.csv" (score --control: not contacted), or another queue's list. */
enum { LISTIN_ARM_OTHER = 0, LISTIN_ARM_LISTED = 1, LISTIN_ARM_CONTROL = 2, LISTIN_N_ARMS = 3 };

/* Value tiers 1..5; 0 where the list has no tier or the tier was unknown. */
#define LISTIN_N_TIERS 6

typedef struct {
    size_t n;                /* listed subscribers */
    uint64_t *id;            /* [n] */
    uint32_t *region;        /* [n] index into region_names */
    uint8_t *phase;          /* [n] LISTIN_* */
    uint8_t *tier;           /* [n] 0..5 */
    uint8_t *arm;            /* [n] LISTIN_ARM_*: which file the row came from (issue 15) */
    float *worth;            /* [n] ARPU x horizon: value_at_risk / its queue's probability (0 unknown) */
    size_t n_regions;
    char **region_names;     /* [n_regions], UTF-8, in order of first appearance */
    char month[16];          /* the lists' month from summary.json; "" when unknown */
    size_t n_files;          /* region files read */
    /* private: growth and the hash index */
    size_t cap, region_cap;
    size_t slots;            /* power of two, >= 2n; 0 until listin_index */
    uint32_t *slot;          /* entry index + 1, 0 = empty */
} listin_table;

/* An empty table (for the receiving ranks: fill with listin_reserve and listin_region_add, then
 * listin_index). NULL when out of memory. */
listin_table *listin_alloc(void);
/* Frees t and everything it holds; accepts NULL. */
void listin_free(listin_table *t);

/* Makes room for n entries and sets t->n = n (entries uninitialised). CS_ENOMEM. */
int listin_reserve(listin_table *t, size_t n);
/* Index of region name, added when new (names are copied). *index set on success. CS_ENOMEM. */
int listin_region_add(listin_table *t, const char *name, size_t *index);
/* Index of region name or -1. */
long listin_region_find(const listin_table *t, const char *name);

/* Builds the hash index over t->id[0..n). CS_ENOMEM; CS_EDATA naming the id when an id is listed
 * twice (a subscriber is on one list once). */
int listin_index(listin_table *t);
/* The entry of id, or -1 when it is not listed. Needs listin_index. */
long listin_find(const listin_table *t, uint64_t id);

/* Reads every list CSV of dir (every *.csv but summary.csv, in byte order of their names) into a new
 * table and indexes it; summary.csv (when present) adds the regions whose lists are empty, and
 * summary.json the month. On success *out owns the table (listin_free). Errors, each naming the file
 * and line: CS_EIO (dir or a file cannot be read; a leftover "dir.tmp" of a killed run is mentioned),
 * CS_EFORMAT (a file lacks an id, region or phase column; no list file at all), CS_EINVAL (ids masked
 * by score --mask-ids: they cannot be matched), CS_EDATA (an id that is not a number, an unknown
 * phase, a grade that is no grade name nor 0..5, an id listed twice), CS_ENOMEM. *out is NULL on failure. */
int listin_read(const char *dir, listin_table **out);
/* The same, reading the grade column's names through tc's grade names (NULL: the built-in ones). */
int listin_read_graded(const char *dir, const tagconf *tc, listin_table **out);

/* The phase code of a name in either language ("alarm", "告警期" ...) or -1; the English name of a
 * code ("?" out of range). */
int listin_phase_code(const char *s, size_t len);
const char *listin_phase_name(int phase);

#endif
