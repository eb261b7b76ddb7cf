/* scorelist.h — SCORES.h5 read back as list rows (`churnscore select`, issue 16).
 *
 * A list row (io/lists.h) needs more of a scored subscriber than scorerows.h gives analyze: every
 * per-row dataset score wrote (queue, stage, phase, grade, the three reasons with their values, tags,
 * segment, each churn type's probability), and the tables that name them: regions, brands, the
 * model's inputs (recovered from /reasons/name, whose indicator codes name them, so that a reason
 * reads as it did in the lists), the tag table and grade names (rebuilt as a tagconf, so that the
 * row writer labels tags and grades exactly as score did), the segments. The rows are the
 * snapshot's rows in its order (score writes row i of the snapshot as row i), so the join is by
 * position and checked by id, as in scorerows.h. Every rank opens the file itself (POSIX driver).
 */
#ifndef CS_SCORELIST_H
#define CS_SCORELIST_H

#include "segment.h"
#include "tagconf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct scl_file scl_file;

/* What the file says about itself: views valid until scl_close. */
typedef struct {
    uint64_t n;
    char month[16], rank_by[32];
    double horizon;                  /* months of ARPU at risk (score --horizon) */
    size_t n_regions, n_brands;
    const char *const *region_names, *const *brand_names;
    size_t n_fact_names;             /* the model's inputs, which name the indicator reasons */
    const char *const *fact_names;
    const tagconf *tc;               /* the tags (key, labels; bit k = entry k) and grade names */
    const segment_model *seg;        /* names of the segments (label only); NULL without */
    int has_types;                   /* p_voluntary / p_involuntary present */
} scl_meta;

/* One block of rows, buffers of the caller: [n], reason and fact [n * 3]; pvol, pinv and segment
 * are filled only when the file has them (else pvol = prob, pinv = NaN, segment = -1, as score's
 * candidates have them). */
typedef struct {
    uint64_t *id;
    uint16_t *region;
    uint8_t *brand, *stage, *phase, *tier, *queue;
    double *prob, *pvol, *pinv;
    float *arpu, *contrib, *fact;
    uint64_t *tags;
    int16_t *reason, *segment;
} scl_rows;

/* Opens path and checks kind, version, n rows (the snapshot's count) and that it has
 * /subscribers/queue (a file of a churnscore before issue 16 has not: score the month again).
 * CS_EIO, CS_EFORMAT naming the file and dataset; CS_ENOMEM. */
int scl_open(const char *path, uint64_t n, scl_file **out);
const scl_meta *scl_meta_of(const scl_file *f);
void scl_close(scl_file *f); /* accepts NULL */

/* Reads rows [row0, row0+n) and checks each id against the snapshot's (snap_id, the same rows):
 * CS_EDATA naming the row and both ids; a region, brand, stage, phase, grade or queue out of its
 * range is CS_EDATA naming the row too. */
int scl_read(scl_file *f, uint64_t row0, size_t n, const uint64_t *snap_id, scl_rows *r);

#endif
