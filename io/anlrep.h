/* anlrep.h — the files of `churnscore analyze`: per report a CSV and a JSON, and report.md with a
 * Markdown section per report (docs/formats.md, "Monthly analyses").
 *
 * The figures arrive reduced (model/analyze.h's vector, the same bits on every rank); this module
 * only sums cells into the drill-down rows (the operator, each region, each of its areas; each with
 * all brands and then each brand), takes rates and changes against last month and writes. One
 * process (rank 0) writes into the temporary directory the command commits.
 */
#ifndef CS_ANLREP_H
#define CS_ANLREP_H

#include "analyze.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const anl_layout *l;
    const anl_cols *c;
    const double *v;          /* this month's sums */
    const double *pv;         /* last month's, in this month's cells (NULL without --previous) */
    const int64_t *new_join;  /* [cells] rows with tenure > 1 absent from last month (NULL: none) */
    const int64_t *gone;      /* [cells] last month's subscribers absent this month (NULL: none) */
    size_t n_regions;
    const char *const *region_names;
    size_t n_areas;           /* 0: the groups are the regions */
    const char *const *area_names;
    const uint16_t *area_region;
    const char *const *brand_names;
    const char *const *feature_names;
    const char *month, *prev_month; /* prev_month NULL without --previous */
    int has_labels, has_types, has_scores;
    uint64_t prev_unmatched;  /* last month's rows of a region or area this month lacks */
    int zh;                   /* report.md in Chinese (the CSV and JSON stay English) */
} anlrep_in;

#define ANLREP_N_REPORTS 5
/* The report names, which are also the file names: churn, suspension, forwarding, traffic-change,
 * grid. */
extern const char *const anlrep_names[ANLREP_N_REPORTS];

/* Writes NAME.csv and NAME.json of every report and report.md into the existing directory dir.
 * CS_EIO naming the file (a full disk says so), CS_ENOMEM. */
int anlrep_write(const anlrep_in *in, const char *dir);

/* 1 when name is a file anlrep_write writes (what an existing output directory may hold). */
int anlrep_name_ours(const char *name);

#endif
