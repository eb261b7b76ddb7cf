/* screen.h — which columns go on to factor analysis and the model, and why the others do not.
 *
 * Screening turns the moments summary (moments.h) into one decision per column: kept, or dropped as
 * mostly missing, near-constant, or collinear with an earlier kept column. The rules are deterministic
 * (they depend only on the summary and the thresholds) so every rank reaches the same decision without
 * talking. Each decision carries a human-readable reason that the pipeline prints and stores.
 */
#ifndef CS_SCREEN_H
#define CS_SCREEN_H

#include <stddef.h>

#include "moments.h"

typedef struct {
    double max_missing_share; /* drop if missing share > this (default 0.5) */
    double max_mode_share;    /* drop if mode share >= this (default 0.95), or sd == 0 */
    double max_abs_corr;      /* drop one of a pair with |r| > this (default 0.95) */
} screen_params;

/* Fills the defaults above. */
void screen_params_default(screen_params *par);

typedef enum {
    SCREEN_KEPT = 0,
    SCREEN_MISSING = 1,   /* missing share above the threshold (or nothing present) */
    SCREEN_CONSTANT = 2,  /* mode share at or above the threshold, or sd == 0 */
    SCREEN_COLLINEAR = 3  /* |r| above the threshold with `partner`, which was kept */
} screen_reason;

#define SCREEN_TEXT_LEN 160

typedef struct {
    size_t p;
    int *kept;              /* 1 kept, 0 dropped */
    screen_reason *reason;
    size_t *partner;        /* for SCREEN_COLLINEAR: the kept column; else (size_t)-1 */
    double *value;          /* the statistic that decided: missing share, mode share, r; NaN if kept */
    char *text;             /* p strings of SCREEN_TEXT_LEN bytes; use screen_result_text */
    size_t n_kept;
} screen_result;

/* Returns NULL if p is 0 or memory is short. */
screen_result *screen_result_alloc(size_t p);
void screen_result_free(screen_result *r); /* accepts NULL */

/* Column i's reason, e.g. "kept", "mostly missing: 61.2% missing",
 * "near-constant: 97.1% equal to 0", "constant (sd = 0)",
 * "collinear with total_day_minutes (r = 0.99999)". Never NULL for i < p. */
const char *screen_result_text(const screen_result *r, size_t i);

/* Decides every column. names (p strings, may be NULL: "column <j>" is used) feed the reason strings.
 * Order of rules: missing, then constant, then collinear among the columns still kept. Collinear pairs
 * are visited in decreasing |r| (ties: lower i, then lower j); when both are still kept, the one with
 * more missing values is dropped (ties: the higher index), so the earlier, more complete column wins.
 * Returns CS_EINVAL on a size mismatch or a threshold outside [0, 1], CS_ENOMEM if the pair list cannot
 * be allocated. */
int screen_run(const moments_summary *s, const char *const *names, const screen_params *par,
               screen_result *out);

/* Writes the indices of the kept columns in increasing order to idx (room for r->p) and returns how
 * many there are. */
size_t screen_kept_index(const screen_result *r, size_t *idx);

#endif
