/* import_meta.c — the /import description in a snapshot, written and read back.
 *
 * After the rows are written, imp_meta_write adds to the snapshot what the import decided (the
 * options' roles, each column's kind and levels), so that a later month can be imported --like it:
 * imp_ref_read reads that description (or, for a snapshot that was generated, just its feature,
 * region and brand names) into an imp_ref.
 */
#include "import_int.h"

#include "h5util.h"
#include "snapshot.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* The /import description                                                                        */

void imp_ref_free(imp_ref *r)
{
    if (!r) return;
    h5util_strings_free(r->feature_names, r->p);
    h5util_strings_free(r->region_names, r->n_regions);
    h5util_strings_free(r->brand_names, r->n_brands);
    h5util_strings_free(r->col_names, r->ncols);
    h5util_strings_free(r->levels, r->n_levels);
    free(r->col_kind);
    free(r->level_count);
    free(r->file);
    free(r);
}

static int imp_ref_names(imp_ref *r, const snap_schema *sc)
{
    r->p = sc->p;
    r->n_regions = sc->n_regions;
    r->n_brands = sc->n_brands;
    r->feature_names = calloc(sc->p ? sc->p : 1, sizeof(char *));
    r->region_names = calloc(sc->n_regions ? sc->n_regions : 1, sizeof(char *));
    r->brand_names = calloc(sc->n_brands ? sc->n_brands : 1, sizeof(char *));
    if (!r->feature_names || !r->region_names || !r->brand_names)
        return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t j = 0; j < sc->p; j++)
        if (!(r->feature_names[j] = strdup(sc->feature_names[j]))) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t j = 0; j < sc->n_regions; j++)
        if (!(r->region_names[j] = strdup(sc->region_names[j]))) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t j = 0; j < sc->n_brands; j++)
        if (!(r->brand_names[j] = strdup(sc->brand_names[j]))) return CS_ERROR(CS_ENOMEM, "out of memory");
    return CS_OK;
}

static int imp_ref_meta(imp_ref *r, hid_t f)
{
    const char *fn = r->file;
    size_t nk = 0, nc = 0, nl = 0;
    char **kinds = NULL;
    CS_TRY(h5util_read_strings(f, "/import/columns", fn, &r->col_names, &r->ncols));
    CS_TRY(h5util_read_strings(f, "/import/kind", fn, &kinds, &nk));
    int rc = h5util_read_i32(f, "/import/level_count", fn, &r->level_count, &nc);
    if (rc == CS_OK) rc = h5util_read_strings(f, "/import/levels", fn, &r->levels, &r->n_levels);
    if (rc == CS_OK && (nk != r->ncols || nc != r->ncols))
        rc = CS_ERROR(CS_EFORMAT, "%s: /import/columns, kind and level_count differ in length", fn);
    if (rc == CS_OK) {
        r->col_kind = malloc((r->ncols ? r->ncols : 1) * sizeof(int32_t));
        if (!r->col_kind) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t c = 0; rc == CS_OK && c < r->ncols; c++) {
        if (strcmp(kinds[c], "numeric") == 0) r->col_kind[c] = IMP_NUMERIC;
        else if (strcmp(kinds[c], "category") == 0) r->col_kind[c] = IMP_CATEGORY;
        else rc = CS_ERROR(CS_EFORMAT, "%s: /import/kind: '%s' is not numeric or category", fn, kinds[c]);
        if (rc == CS_OK && (r->level_count[c] < 0 ||
                            (r->col_kind[c] == IMP_CATEGORY) != (r->level_count[c] > 0)))
            rc = CS_ERROR(CS_EFORMAT, "%s: /import/level_count of '%s' is %d", fn, r->col_names[c],
                          (int)r->level_count[c]);
        if (rc == CS_OK) nl += (size_t)r->level_count[c];
    }
    if (rc == CS_OK && nl != r->n_levels)
        rc = CS_ERROR(CS_EFORMAT, "%s: /import/levels holds %zu names, level_count sums to %zu", fn,
                      r->n_levels, nl);
    const char *an[9] = {"label", "positive", "id", "region", "brand", "churn_type", "voluntary",
                         "involuntary", "stayed"};
    char *dst[9] = {r->label, r->positive, r->id, r->region, r->brand, r->churn_type, r->voluntary,
                    r->involuntary, r->stayed};
    const size_t len[9] = {256, 256, 256, 256, 256, sizeof r->churn_type, sizeof r->voluntary,
                           sizeof r->involuntary, sizeof r->stayed};
    hid_t g = rc == CS_OK ? H5Gopen2(f, "/import", H5P_DEFAULT) : -1;
    for (int k = 0; rc == CS_OK && k < 9; k++)
        if (h5util_attr_exists(g, an[k]) > 0) rc = h5util_attr_read_str(g, an[k], dst[k], len[k]);
    if (g >= 0) H5Gclose(g);
    h5util_strings_free(kinds, nk);
    return rc;
}

int imp_ref_read(const char *path, imp_ref **out)
{
    *out = NULL;
    imp_ref *r = calloc(1, sizeof *r);
    if (!r || !(r->file = strdup(path))) {
        free(r);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    snap_reader *sr = NULL;
    int rc = snap_open(path, MPI_COMM_NULL, &sr);
    if (rc == CS_OK) rc = imp_ref_names(r, snap_schema_of(sr));
    snap_close(sr);
    hid_t f = -1;
    if (rc == CS_OK) rc = h5util_open_read(path, MPI_COMM_NULL, &f);
    if (rc == CS_OK && H5Lexists(f, "/import", H5P_DEFAULT) > 0) rc = imp_ref_meta(r, f);
    if (f >= 0) H5Fclose(f);
    if (rc != CS_OK) {
        imp_ref_free(r);
        return rc;
    }
    *out = r;
    return CS_OK;
}

int imp_meta_write(const char *path, const imp_schema *s)
{
    size_t nc = 0, nl = 0;
    for (size_t c = 0; c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        if (col->kind == IMP_NUMERIC) nc++;
        if (col->kind == IMP_CATEGORY) nc++, nl += col->levels.n;
    }
    const char **names = malloc((nc ? nc : 1) * sizeof(char *));
    const char **kinds = malloc((nc ? nc : 1) * sizeof(char *));
    int32_t *count = malloc((nc ? nc : 1) * sizeof(int32_t));
    const char **levels = malloc((nl ? nl : 1) * sizeof(char *));
    size_t *order = NULL;
    int rc = (names && kinds && count && levels) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    size_t k = 0, l = 0;
    for (size_t c = 0; rc == CS_OK && c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        if (col->kind != IMP_NUMERIC && col->kind != IMP_CATEGORY) continue;
        names[k] = col->name;
        kinds[k] = col->kind == IMP_NUMERIC ? "numeric" : "category";
        count[k] = col->kind == IMP_CATEGORY ? (int32_t)col->levels.n : 0;
        k++;
        if (col->kind != IMP_CATEGORY) continue;
        free(order);
        order = malloc((col->levels.n ? col->levels.n : 1) * sizeof *order);
        if (!order) {
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
            break;
        }
        for (size_t q = 0; q < col->levels.n; q++) order[col->levels.code[q]] = q;
        for (size_t q = 0; q < col->levels.n; q++) levels[l++] = imp_set_str(&col->levels, order[q]);
    }
    free(order);
    hid_t f = -1, g = -1;
    if (rc == CS_OK) {
        f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
        if (f < 0) rc = CS_ERROR(CS_EIO, "%s: cannot open to add /import", path);
    }
    if (rc == CS_OK) {
        g = H5Gcreate2(f, "/import", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0) rc = CS_ERROR(CS_EIO, "%s: cannot create /import", path);
    }
    const char *an[6] = {"csv", "label", "positive", "id", "region", "brand"};
    const char *av[6] = {s->o.file, s->o.label, s->o.positive, s->o.id, s->o.region, s->o.brand};
    for (int a = 0; rc == CS_OK && a < 6; a++)
        rc = h5util_attr_write_str(g, an[a], av[a] ? av[a] : "");
    /* the churn type's column and values, comma-joined, for --like */
    if (rc == CS_OK && s->ctype >= 0) {
        rc = h5util_attr_write_str(g, "churn_type", s->o.churn_type);
        const char *const *lists[3] = {s->o.voluntary, s->o.involuntary, s->o.stayed};
        const size_t nl[3] = {s->o.n_voluntary, s->o.n_involuntary, s->o.n_stayed};
        static const char *const ln[3] = {"voluntary", "involuntary", "stayed"};
        for (int a = 0; rc == CS_OK && a < 3; a++) {
            char buf[1024];
            size_t k = 0;
            buf[0] = '\0';
            for (size_t i = 0; i < nl[a] && k < sizeof buf; i++)
                k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? "," : "", lists[a][i]);
            if (k >= sizeof buf)
                rc = CS_ERROR(CS_EINVAL, "the --%s values are over %zu bytes", ln[a], sizeof buf - 1);
            else rc = h5util_attr_write_str(g, ln[a], buf);
        }
    }
    if (rc == CS_OK) rc = h5util_write_strings(f, "/import/columns", names, nc);
    if (rc == CS_OK) rc = h5util_write_strings(f, "/import/kind", kinds, nc);
    if (rc == CS_OK) rc = h5util_write_i32(f, "/import/level_count", count, nc);
    if (rc == CS_OK) rc = h5util_write_strings(f, "/import/levels", levels, nl);
    if (g >= 0) H5Gclose(g);
    if (f >= 0) {
        /* reserved, or abandoned, before the close: a full disk cannot crash HDF5 */
        int crc = h5util_close_file(f, path);
        if (rc == CS_OK) rc = crc;
    }
    if (rc != CS_OK && status_code() == CS_EIO && !strstr(status_message(), path)) {
        char why[512]; /* the reason lives in the buffer CS_ERROR writes */
        snprintf(why, sizeof why, "%s", status_reason());
        rc = CS_ERROR(CS_EIO, "%s: %s", path, why);
    }
    free(names);
    free(kinds);
    free(count);
    free(levels);
    return rc;
}
