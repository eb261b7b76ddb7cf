/* derived.h — derived indicators: new columns computed from a subscriber's own indicators, row by row,
 * at train and at score time (issue 21, seed 001's 衍生指标: "various shares, to bring out each
 * business trait").
 *
 * A derived indicator is a name and a formula in the condition language of the tag rules (expr.h:
 * arithmetic, mean/min/max/change of a family), so a site's own formulas (`train --derived FILE`)
 * and the built-in ones are one mechanism. The built-in set (derived_default) is made from the names
 * a snapshot has; docs/formats.md ("Derived indicators") lists it:
 *   for every family F with F_m1, F_m2 and F_m3 (m3 the latest month):
 *     F_chg      F_m3 - (F_m1 + F_m2) / 2   the fall (or rise) of the last month against the two before
 *     F_chg_rel  change(F)                  the same relative to the two months before
 *     F_mean3    mean(F)                    the 3-month mean of the months present
 *     F_min3     min(F)                     the lowest month
 *   data_voice_share_m3 = data_mb_m3 / (data_mb_m3 + mou_m3)        (both present)
 *   offnet_share_X      = offnet_X / (onnet_X + offnet_X)           (every onnet_X, offnet_X pair)
 *   days_no_outgoing_share_m3 = days_no_outgoing_m3 / days_in_month (the snapshot month's length)
 * A built-in name the snapshot already has is left to the snapshot's column.
 *
 * The result of a formula is stored as float32 like every indicator; an infinity (a division by 0)
 * becomes NaN, the missing value, which the model imputes like any other. The formulas see only the
 * snapshot's own indicators (not each other), so their order does not matter. Pure: no MPI, no I/O;
 * io/snapshot.c appends the columns to every block it reads (snap_derive).
 */
#ifndef CS_DERIVED_H
#define CS_DERIVED_H

#include "expr.h"

#include <stddef.h>

#define DERIVED_MAX 256          /* derived indicators in one set */
#define DERIVED_MAX_NAME 64      /* bytes of a name */
#define DERIVED_CHUNK 512        /* rows evaluated at a time (the work buffer's height) */

typedef struct {
    size_t n;
    char **names;     /* [n] */
    char **formulas;  /* [n] as written */
    expr **e;         /* [n] parsed */
    /* after derived_bind: the snapshot columns the formulas read, each once, in slot order; slot
     * nsrc holds days_in_month */
    size_t *src, nsrc;
    double days_in_month;
    const double **colp; /* [nsrc + 1] column pointers into the caller's work (derived_eval) */
    int bound;
} derived_set;

derived_set *derived_alloc(void); /* NULL when memory is short */
void derived_free(derived_set *d); /* accepts NULL */

/* Adds one derived indicator. CS_EDATA with *err filled on a formula that does not parse (err's
 * offset is into formula), a name that is not a word ([A-Za-z_][A-Za-z0-9_]*, at most
 * DERIVED_MAX_NAME - 1 bytes), a name already in the set, or more than DERIVED_MAX; CS_ENOMEM. */
int derived_add(derived_set *d, const char *name, const char *formula, expr_error *err);

/* Adds the built-in set for a snapshot with these indicator names (see above). CS_ENOMEM. */
int derived_default(derived_set *d, const char *const *names, size_t p);

/* Adds the indicators of a site file: one `name = formula` per line; '#' starts a comment, blank
 * lines are skipped. CS_EDATA naming source, the line and the column of the error; CS_ENOMEM. */
int derived_parse(derived_set *d, const char *text, size_t len, const char *source);

/* Resolves every formula against a snapshot's p indicator names: CS_EDATA naming source when a
 * formula names an indicator the snapshot does not have, or a derived name is already one of the
 * snapshot's (for a site file; derived_default never makes such a name). days_in_month is what the
 * name days_in_month reads. CS_ENOMEM. */
int derived_bind(derived_set *d, const char *const *names, size_t p, double days_in_month,
                 const char *source);

/* Doubles of work derived_eval needs. */
size_t derived_work_len(const derived_set *d);

/* After derived_bind: for each of the n rows of rows (stride floats apart, the snapshot's p0
 * indicators first), writes the d->n derived values into columns p0 .. p0 + d->n - 1. work holds
 * derived_work_len(d) doubles. */
void derived_eval(const derived_set *d, float *rows, size_t n, size_t p0, size_t stride, double *work);

/* The number of days of a month written YYYY-MM (28..31), or 30 when it does not read as one. */
double derived_month_days(const char *month);

#endif
