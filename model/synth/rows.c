/* rows.c — the synthetic operator's rows: each assembled from the pieces (synth_impl.h lists them)
 * and written to the caller's buffers, and the buffers themselves.
 *
 * A row is a pure function of the parameters and its global index: the pieces read only the row's
 * keys and what the earlier pieces drew for the same row, so synth_rows fills any range and a row's
 * bytes do not depend on the range it was produced in.
 */
#include "synth_impl.h"

#include <stdlib.h>

#include "status.h"

/* One row: features xout[P_COLS], factors fout[F], and the churn outcome (any pointer may be NULL). */
static void synth_row(const synth_params *p, const synth_ctx *c, uint64_t row, uint64_t id,
                      float *xout, double *fout, uint16_t *region, uint16_t *area, uint8_t *brand_out, double *prob, int8_t *churned,
                      uint8_t *leaver, double *pvol, double *pinv)
{
    synth_draw d;
    synth_profile(c, row, id, &d);
    synth_states(c, &d);
    synth_indicators(c, &d);
    synth_signals(c, &d);
    synth_derived(c, &d);
    synth_churn(c, &d);
    synth_missing(c, &d);

    if (xout) {
        for (int j = 0; j < P_COLS; j++) xout[j] = (float)d.x[j];
        if (p->competitors) synth_competitor_columns(p, &d, xout + P_COLS);
    }
    if (area && c->n_areas) *area = (uint16_t)synth_area_draw(c, d.kp, d.region);
    if (fout)
        for (int k = 0; k < F; k++) fout[k] = d.f[k];
    if (region) *region = (uint16_t)d.region;
    if (brand_out) *brand_out = (uint8_t)d.brand;
    if (prob) *prob = d.prob;
    if (churned) *churned = (int8_t)d.churned;
    if (leaver) *leaver = (uint8_t)d.leaver;
    if (pvol) *pvol = d.prob * d.pactive;
    if (pinv) *pinv = d.prob * (1.0 - d.pactive);
}

int synth_rows(const synth_params *p, uint64_t row0, size_t n, synth_out *out)
{
    CS_TRY(synth_params_check(p));
    if (!out) return CS_ERROR(CS_EINVAL, "synth: no output buffers");
    uint64_t nrows = synth_n_rows(p);
    if (row0 > nrows || (uint64_t)n > nrows - row0)
        return CS_ERROR(CS_EINVAL, "synth: rows [%llu, %llu) past the %llu rows of month %s",
                        (unsigned long long)row0, (unsigned long long)(row0 + n),
                        (unsigned long long)nrows, p->month);
    synth_ctx c;
    synth_ctx_init(p, &c);
    size_t P = synth_n_features(p);
    for (size_t i = 0; i < n; i++) {
        uint64_t row = row0 + i;
        uint64_t id = synth_id_of_row(p, row);
        if (out->id) out->id[i] = id;
        synth_row(p, &c, row, id, out->features ? out->features + i * P : NULL,
                  out->factors ? out->factors + i * F : NULL, out->region ? out->region + i : NULL,
                  out->area ? out->area + i : NULL,
                  out->brand ? out->brand + i : NULL, out->prob ? out->prob + i : NULL,
                  out->churned ? out->churned + i : NULL, out->leaver ? out->leaver + i : NULL,
                  out->pvol ? out->pvol + i : NULL, out->pinv ? out->pinv + i : NULL);
    }
    return CS_OK;
}

/* ---------------------------------------------------------------- buffers */

synth_out *synth_out_alloc(const synth_params *p, size_t n)
{
    size_t P = synth_n_features(p);
    if (n == 0 || n > SIZE_MAX / (P * sizeof(double))) return NULL;
    synth_out *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->id = malloc(n * sizeof *o->id);
    o->region = malloc(n * sizeof *o->region);
    o->brand = malloc(n * sizeof *o->brand);
    o->features = malloc(n * P * sizeof *o->features);
    o->area = malloc(n * sizeof *o->area);
    o->churned = malloc(n * sizeof *o->churned);
    o->prob = malloc(n * sizeof *o->prob);
    o->leaver = malloc(n * sizeof *o->leaver);
    o->factors = malloc(n * F * sizeof *o->factors);
    o->pvol = malloc(n * sizeof *o->pvol);
    o->pinv = malloc(n * sizeof *o->pinv);
    if (!o->id || !o->region || !o->area || !o->brand || !o->features || !o->churned || !o->prob ||
        !o->leaver || !o->factors || !o->pvol || !o->pinv) {
        synth_out_free(o);
        return NULL;
    }
    return o;
}

void synth_out_free(synth_out *out)
{
    if (!out) return;
    free(out->id);
    free(out->region);
    free(out->area);
    free(out->brand);
    free(out->features);
    free(out->churned);
    free(out->prob);
    free(out->leaver);
    free(out->factors);
    free(out->pvol);
    free(out->pinv);
    free(out);
}
