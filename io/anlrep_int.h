/* anlrep_int.h — what anlrep.c (the CSV and JSON files) and anlrep_md.c (report.md) share: the
 * drill-down rows, the tables both write from, the traffic profile. The public interface is
 * anlrep.h.
 */
#ifndef CS_ANLREP_INT_H
#define CS_ANLREP_INT_H

#include "anlrep.h"

#include <stdio.h>

enum { ANLREP_TOTAL = 0, ANLREP_REGION = 1, ANLREP_AREA = 2 };

/* One row of the drill-down: -1 is "all" (every region, every area of the region, every brand). */
typedef struct {
    int level;
    long region, area, brand;
} anlrep_spec;

/* A report as rows of key strings (borrowed names, "" for all) and doubles (NaN: not known). */
typedef struct {
    size_t nkeys, nvals, n, cap;
    const char *const *key_names;
    const char *const *val_names;
    const char **keys;
    double *vals;
} anlrep_table;

/* The traffic profile of one group against the steady one (model/analyze.h's anl_profile). */
typedef struct {
    double *mg, *mr, *sg, *sr, *d;
    size_t *order;
} anlrep_profile;

extern const char *const anlrep_susp_names[ANL_N_SUSP];
extern const char *const anlrep_band_names[ANL_N_BANDS];
extern const char *const anlrep_traffic_names[ANL_N_TRAFFIC];

int anlrep_specs(const anlrep_in *in, anlrep_spec **out, size_t *n);
size_t anlrep_region_of(const anlrep_in *in, size_t g);
void anlrep_sum(const anlrep_in *in, const anlrep_spec *s, const double *base, size_t K, double *out);
double anlrep_sum_i64(const anlrep_in *in, const anlrep_spec *s, const int64_t *cnt);
void anlrep_spec_keys(const anlrep_in *in, const anlrep_spec *s, const char **keys);
double anlrep_ratio(double a, double b);
const char *anlrep_comp_name(const anlrep_in *in, size_t k);
int anlrep_table_alloc(anlrep_table *t, size_t nkeys, const char *const *keys, size_t nvals,
                       const char *const *vals, size_t rows);
void anlrep_table_free(anlrep_table *t);
void anlrep_table_row(anlrep_table *t, const char ***keys, double **vals);
int anlrep_close(FILE *f, char *path, int rc);
/* The one-line reading of traffic group g: its size and churn against the steady group's, and the
 * three indicators that set it most apart (the minutes and data that define the groups left out). */
void anlrep_reading(const anlrep_in *in, const anlrep_profile *pr, int g, char *buf, size_t len);
/* The same in English (zh 0) or Chinese (report.md with --lang zh). */
void anlrep_reading_lang(const anlrep_in *in, const anlrep_profile *pr, int g, int zh, char *buf, size_t len);
/* report.md: one section per report (anlrep_md.c). */
int anlrep_markdown(const anlrep_in *in, const anlrep_table *t, const anlrep_profile *pr, const char *dir);

#endif
