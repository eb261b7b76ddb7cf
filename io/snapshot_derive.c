/* snapshot_derive.c — derived indicators appended to a snapshot reader's rows (snap_derive,
 * model/derived.h): the schema grows by the set's names, and snap_read widens each block it reads
 * and fills the new columns. */
#include "snapshot_int.h"

#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int snap_derive(snap_reader *r, derived_set *d)
{
    if (r->derived) return CS_ERROR(CS_EINVAL, "%s: derived indicators attached twice", r->path);
    if (!d || d->n == 0) return CS_OK;
    CS_TRY(derived_bind(d, (const char *const *)r->s.feature_names, r->s.p, derived_month_days(r->s.month),
                        r->path));
    size_t p = r->s.p, q = p + d->n, f = r->s.truth_factors;
    /* what can fail first, the names last: nothing then needs undoing (a grown array is harmless) */
    r->dwork = malloc(derived_work_len(d) * sizeof(double));
    if (!r->dwork) return CS_ERROR(CS_ENOMEM, "out of memory");
    if (r->s.truth_loadings && f) {
        /* a derived indicator has no true loadings: NaN rows keep the [p, factors] shape */
        double *tl = realloc(r->s.truth_loadings, q * f * sizeof *tl);
        if (!tl) return CS_ERROR(CS_ENOMEM, "out of memory");
        for (size_t i = p * f; i < q * f; i++) tl[i] = NAN;
        r->s.truth_loadings = tl;
    }
    char **names = realloc(r->s.feature_names, q * sizeof *names);
    if (!names) return CS_ERROR(CS_ENOMEM, "out of memory");
    r->s.feature_names = names;
    for (size_t k = 0; k < d->n; k++) {
        names[p + k] = strdup(d->names[k]);
        if (!names[p + k]) {
            for (size_t i = 0; i < k; i++) free(names[p + i]);
            return CS_ERROR(CS_ENOMEM, "out of memory");
        }
    }
    r->p_file = p;
    r->s.p = q;
    r->derived = d;
    return CS_OK;
}
