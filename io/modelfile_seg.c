/* modelfile_seg.c — the /segments group of the model file (format version 3; see docs/formats.md):
 * the segments within each brand (model/segment.h), which scoring assigns and the reports profile.
 * A file without the group (versions 1 and 2, or --segments none) reads as a model without
 * segments. The reader checks every index and shape against the model it belongs to, so a damaged
 * file is refused with the dataset's name rather than read out of bounds while scoring. */
#include "modelfile_int.h"

#include "h5util.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEGW(expr)                                                                                 \
    do {                                                                                           \
        if (rc == CS_OK) rc = (expr);                                                              \
    } while (0)

int mf_seg_write(hid_t f, const cmodel *m)
{
    const segment_model *s = m->seg;
    if (!s) return CS_OK;
    hid_t g = H5Gcreate2(f, "/segments", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return CS_ERROR(CS_EIO, "cannot create /segments");
    int rc = CS_OK;
    SEGW(h5util_attr_write_str(g, "space", s->space == SEGMENT_SPACE_FACTORS ? "factors" : "indicators"));
    SEGW(h5util_attr_write_i64(g, "brand_column", s->brand_col));
    SEGW(h5util_attr_write_str(g, "criterion", s->criterion));
    SEGW(h5util_write_i32(g, "columns", s->cols, s->d));
    SEGW(h5util_write_i32(g, "k", s->k, s->n_brands));
    SEGW(h5util_write_f64(g, "centroids", s->centroids, s->n_seg, s->d));
    SEGW(h5util_write_f64(g, "silhouette", s->silhouette, s->n_brands, SEGMENT_AUTO_MAX + 1));
    SEGW(h5util_write_strings(g, "profile_names", (const char *const *)s->prof_names, s->p_prof));
    SEGW(h5util_write_f64(g, "profile_sd", s->prof_sd, s->p_prof, 0));
    SEGW(h5util_write_f64(g, "size", s->size, s->n_seg, 0));
    SEGW(h5util_write_f64(g, "labelled", s->labelled, s->n_seg, 0));
    SEGW(h5util_write_f64(g, "churned", s->churned, s->n_seg, 0));
    SEGW(h5util_write_f64(g, "value", s->value, s->n_seg, 0));
    SEGW(h5util_write_f64(g, "mean", s->mean, s->n_seg, s->p_prof));
    SEGW(h5util_write_f64(g, "brand_mean", s->brand_mean, s->n_brands, s->p_prof));
    SEGW(h5util_write_strings(g, "name_en", (const char *const *)s->name_en, s->n_seg));
    SEGW(h5util_write_strings(g, "name_zh", (const char *const *)s->name_zh, s->n_seg));
    H5Gclose(g);
    return rc;
}

/* A f64 dataset of exactly d0 x d1 (d1 0: 1-D) copied into dst. */
static int seg_read_f64(hid_t g, const char *name, const char *path, size_t d0, size_t d1, double *dst)
{
    double *v = NULL;
    size_t a = 0, b = 0;
    CS_TRY(h5util_read_f64(g, name, path, &v, &a, &b));
    size_t want1 = d1 ? d1 : 1, got1 = b ? b : 1;
    int rc = CS_OK;
    if (a * got1 != d0 * want1 || (d0 && a != d0))
        rc = CS_ERROR(CS_EFORMAT, "%s: /segments/%s has %zu x %zu values, not %zu x %zu", path, name, a, got1, d0,
                      want1);
    else if (d0 > 0)
        memcpy(dst, v, d0 * want1 * sizeof(double));
    free(v);
    return rc;
}

static int seg_read_strs(hid_t g, const char *name, const char *path, size_t n, char **dst)
{
    char **v = NULL;
    size_t got = 0;
    CS_TRY(h5util_read_strings(g, name, path, &v, &got));
    int rc = got == n ? CS_OK : CS_ERROR(CS_EFORMAT, "%s: /segments/%s has %zu names, not %zu", path, name, got, n);
    for (size_t i = 0; i < got; i++) {
        if (rc == CS_OK) dst[i] = v[i];
        else free(v[i]);
    }
    free(v);
    return rc;
}

int mf_seg_read(hid_t f, const char *path, cmodel *m)
{
    if (H5Lexists(f, "/segments", H5P_DEFAULT) <= 0) return CS_OK;
    hid_t g = H5Gopen2(f, "/segments", H5P_DEFAULT);
    if (g < 0) return CS_ERROR(CS_EFORMAT, "%s: cannot open /segments", path);
    int32_t *cols = NULL, *k = NULL;
    size_t d = 0, nb = 0, pp = 0;
    char **pn = NULL;
    segment_model *s = NULL;
    char space[32] = "";
    int64_t bcol = -1;
    int rc = h5util_read_i32(g, "columns", path, &cols, &d);
    if (rc == CS_OK) rc = h5util_read_i32(g, "k", path, &k, &nb);
    if (rc == CS_OK) rc = h5util_read_strings(g, "profile_names", path, &pn, &pp);
    if (rc == CS_OK && h5util_attr_read_str(g, "space", space, sizeof space) != CS_OK)
        rc = CS_ERROR(CS_EFORMAT, "%s: /segments has no 'space' attribute", path);
    if (rc == CS_OK && h5util_attr_read_i64(g, "brand_column", &bcol) != CS_OK)
        rc = CS_ERROR(CS_EFORMAT, "%s: /segments has no 'brand_column' attribute", path);
    size_t want_nb = m->n_brands ? m->n_brands : 1;
    if (rc == CS_OK && (d == 0 || d > SEGMENT_MAX_D || nb != want_nb))
        rc = CS_ERROR(CS_EFORMAT, "%s: /segments has %zu columns and %zu brands (the model: %zu brands)", path, d, nb,
                      want_nb);
    for (size_t j = 0; rc == CS_OK && j < d; j++)
        if (cols[j] < 0 || (size_t)cols[j] >= m->n_coef)
            rc = CS_ERROR(CS_EFORMAT, "%s: /segments/columns[%zu] = %d is not a design column (0..%zu)", path, j,
                          cols[j], m->n_coef - 1);
    if (rc == CS_OK && (bcol < -1 || (bcol >= 0 && (size_t)bcol + nb - 1 > m->n_coef)))
        rc = CS_ERROR(CS_EFORMAT, "%s: /segments brand_column %lld is out of range", path, (long long)bcol);
    for (size_t b = 0; rc == CS_OK && b < nb; b++)
        if (k[b] < 0 || k[b] > SEGMENT_MAX_K)
            rc = CS_ERROR(CS_EFORMAT, "%s: /segments/k[%zu] = %d is not 0..%d", path, b, k[b], SEGMENT_MAX_K);
    if (rc == CS_OK) {
        s = segment_model_alloc(nb, d, k, pp, (const char *const *)pn);
        if (!s) rc = CS_ERROR(CS_ENOMEM, "out of memory reading %s", path);
    }
    if (rc == CS_OK) {
        s->space = strcmp(space, "factors") == 0 ? SEGMENT_SPACE_FACTORS : SEGMENT_SPACE_INDICATORS;
        s->brand_col = (int32_t)bcol;
        memcpy(s->cols, cols, d * sizeof(int32_t));
        h5util_attr_read_str(g, "criterion", s->criterion, sizeof s->criterion);
        size_t ns = s->n_seg;
        rc = seg_read_f64(g, "centroids", path, ns, d, s->centroids);
        if (rc == CS_OK) rc = seg_read_f64(g, "silhouette", path, nb, SEGMENT_AUTO_MAX + 1, s->silhouette);
        if (rc == CS_OK) rc = seg_read_f64(g, "profile_sd", path, pp, 0, s->prof_sd);
        if (rc == CS_OK) rc = seg_read_f64(g, "size", path, ns, 0, s->size);
        if (rc == CS_OK) rc = seg_read_f64(g, "labelled", path, ns, 0, s->labelled);
        if (rc == CS_OK) rc = seg_read_f64(g, "churned", path, ns, 0, s->churned);
        if (rc == CS_OK) rc = seg_read_f64(g, "value", path, ns, 0, s->value);
        if (rc == CS_OK) rc = seg_read_f64(g, "mean", path, ns, pp, s->mean);
        if (rc == CS_OK) rc = seg_read_f64(g, "brand_mean", path, nb, pp, s->brand_mean);
        if (rc == CS_OK) rc = seg_read_strs(g, "name_en", path, ns, s->name_en);
        if (rc == CS_OK) rc = seg_read_strs(g, "name_zh", path, ns, s->name_zh);
        for (size_t i = 0; rc == CS_OK && i < ns * d; i++)
            if (!isfinite(s->centroids[i]))
                rc = CS_ERROR(CS_EFORMAT, "%s: /segments/centroids holds a value that is not finite", path);
    }
    H5Gclose(g);
    free(cols);
    free(k);
    if (pn)
        for (size_t j = 0; j < pp; j++) free(pn[j]);
    free(pn);
    if (rc == CS_OK) cmodel_set_segments(m, s);
    else segment_model_free(s);
    return rc;
}
