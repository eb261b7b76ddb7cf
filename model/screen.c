/* screen.c — the column screening rules of screen.h.
 *
 * Rules run in a fixed order (missing, constant, collinear) and collinear pairs are visited in a fixed
 * order, so the outcome is a pure function of the summary and the thresholds: every rank decides the
 * same without communication, and reruns decide the same.
 */
#include "screen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

void screen_params_default(screen_params *par)
{
    par->max_missing_share = 0.5;
    par->max_mode_share = 0.95;
    par->max_abs_corr = 0.95;
}

screen_result *screen_result_alloc(size_t p)
{
    if (p == 0) return NULL;
    screen_result *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->p = p;
    r->kept = calloc(p, sizeof *r->kept);
    r->reason = calloc(p, sizeof *r->reason);
    r->partner = calloc(p, sizeof *r->partner);
    r->value = calloc(p, sizeof *r->value);
    r->text = calloc(p, SCREEN_TEXT_LEN);
    if (!r->kept || !r->reason || !r->partner || !r->value || !r->text) {
        screen_result_free(r);
        return NULL;
    }
    return r;
}

void screen_result_free(screen_result *r)
{
    if (!r) return;
    free(r->kept);
    free(r->reason);
    free(r->partner);
    free(r->value);
    free(r->text);
    free(r);
}

const char *screen_result_text(const screen_result *r, size_t i) { return r->text + i * SCREEN_TEXT_LEN; }

typedef struct {
    double absr;
    size_t i, j;
} screen_pair;

static int screen_pair_cmp(const void *pa, const void *pb)
{
    const screen_pair *a = pa, *b = pb;
    if (a->absr != b->absr) return a->absr > b->absr ? -1 : 1;
    if (a->i != b->i) return a->i < b->i ? -1 : 1;
    return a->j < b->j ? -1 : a->j > b->j;
}

static void screen_name(const char *const *names, size_t j, char *buf, size_t len)
{
    if (names && names[j]) snprintf(buf, len, "%s", names[j]);
    else snprintf(buf, len, "column %zu", j);
}

int screen_run(const moments_summary *s, const char *const *names, const screen_params *par,
               screen_result *out)
{
    if (!s || !out || s->p != out->p)
        return CS_ERROR(CS_EINVAL, "screen_run: summary and result sizes differ");
    double th[3] = {par->max_missing_share, par->max_mode_share, par->max_abs_corr};
    for (int t = 0; t < 3; t++)
        if (!(th[t] >= 0 && th[t] <= 1))
            return CS_ERROR(CS_EINVAL, "screen_run: thresholds must lie in [0, 1], got %g", th[t]);
    size_t p = s->p;
    for (size_t j = 0; j < p; j++) {
        char *txt = out->text + j * SCREEN_TEXT_LEN;
        out->kept[j] = 0;
        out->partner[j] = (size_t)-1;
        if (s->n_present[j] == 0 || s->missing_share[j] > par->max_missing_share) {
            out->reason[j] = SCREEN_MISSING;
            out->value[j] = s->missing_share[j];
            snprintf(txt, SCREEN_TEXT_LEN, "mostly missing: %.1f%% missing",
                     100 * s->missing_share[j]);
        } else if (!(s->sd[j] > 0)) {
            out->reason[j] = SCREEN_CONSTANT;
            out->value[j] = 1.0;
            snprintf(txt, SCREEN_TEXT_LEN, "constant (sd = 0)");
        } else if (s->mode_share[j] >= par->max_mode_share) {
            out->reason[j] = SCREEN_CONSTANT;
            out->value[j] = s->mode_share[j];
            snprintf(txt, SCREEN_TEXT_LEN, "near-constant: %.1f%% equal to %.6g",
                     100 * s->mode_share[j], s->mode[j]);
        } else {
            out->kept[j] = 1;
            out->reason[j] = SCREEN_KEPT;
            out->value[j] = NAN;
            snprintf(txt, SCREEN_TEXT_LEN, "kept");
        }
    }
    size_t np = 0;
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            if (out->kept[i] && out->kept[j] && fabs(gsl_matrix_get(s->corr, i, j)) > par->max_abs_corr)
                np++;
    screen_pair *pairs = NULL;
    if (np) {
        pairs = malloc(np * sizeof *pairs);
        if (!pairs) return CS_ERROR(CS_ENOMEM, "screen_run: cannot allocate %zu pairs", np);
        size_t q = 0;
        for (size_t i = 0; i < p; i++)
            for (size_t j = i + 1; j < p; j++) {
                double r = gsl_matrix_get(s->corr, i, j);
                if (out->kept[i] && out->kept[j] && fabs(r) > par->max_abs_corr)
                    pairs[q++] = (screen_pair){fabs(r), i, j};
            }
        qsort(pairs, np, sizeof *pairs, screen_pair_cmp);
    }
    for (size_t q = 0; q < np; q++) {
        size_t i = pairs[q].i, j = pairs[q].j;
        if (!out->kept[i] || !out->kept[j]) continue;
        /* keep the more complete column; on a tie the lower index (i < j) */
        size_t drop = s->missing_share[j] < s->missing_share[i] ? i : j;
        size_t keep = drop == i ? j : i;
        double r = gsl_matrix_get(s->corr, i, j);
        char nm[96];
        screen_name(names, keep, nm, sizeof nm);
        out->kept[drop] = 0;
        out->reason[drop] = SCREEN_COLLINEAR;
        out->partner[drop] = keep;
        out->value[drop] = r;
        snprintf(out->text + drop * SCREEN_TEXT_LEN, SCREEN_TEXT_LEN, "collinear with %s (r = %.5f)",
                 nm, r);
    }
    free(pairs);
    out->n_kept = 0;
    for (size_t j = 0; j < p; j++) out->n_kept += out->kept[j] != 0;
    return CS_OK;
}

size_t screen_kept_index(const screen_result *r, size_t *idx)
{
    size_t m = 0;
    for (size_t j = 0; j < r->p; j++)
        if (r->kept[j]) idx[m++] = j;
    return m;
}
