/* snapshot.c — reader and writer of the snapshot format v2, reader of v1 (see snapshot.h,
 * docs/formats.md). Version 2 adds the optional /subscribers/churn_type and the truth of each churn
 * type; a v1 file is read as it always was. */
#include "snapshot.h"

#include "h5util.h"
#include "snapshot_int.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct snap_writer {
    char *path, *tmp;
    MPI_Comm comm;
    hid_t file;
    hid_t d_id, d_region, d_brand, d_feat, d_churn, d_truth, d_leaver, d_ctype, d_tvol, d_tinv, d_treated, d_area;
    size_t p;
};

void snap_schema_clear(snap_schema *s)
{
    if (!s) return;
    h5util_strings_free(s->feature_names, s->p);
    h5util_strings_free(s->region_names, s->n_regions);
    h5util_strings_free(s->brand_names, s->n_brands);
    h5util_strings_free(s->truth_factor_names, s->truth_factors);
    h5util_strings_free(s->area_names, s->n_areas);
    free(s->area_region);
    free(s->truth_loadings);
    memset(s, 0, sizeof *s);
}

long snap_feature_index(const snap_schema *s, const char *name)
{
    for (size_t j = 0; j < s->p; j++)
        if (strcmp(s->feature_names[j], name) == 0) return (long)j;
    return -1;
}

static void snap_close_ds(hid_t *d)
{
    if (*d > 0) H5Dclose(*d);
    *d = -1;
}

void snap_close(snap_reader *r)
{
    if (!r) return;
    snap_close_ds(&r->d_id);
    snap_close_ds(&r->d_region);
    snap_close_ds(&r->d_brand);
    snap_close_ds(&r->d_feat);
    snap_close_ds(&r->d_churn);
    snap_close_ds(&r->d_truth);
    snap_close_ds(&r->d_ctype);
    snap_close_ds(&r->d_tvol);
    snap_close_ds(&r->d_tinv);
    snap_close_ds(&r->d_area);
    if (r->file > 0) H5Fclose(r->file);
    snap_schema_clear(&r->s);
    free(r->dwork);
    free(r->scratch);
    free(r->path);
    free(r);
}

const snap_schema *snap_schema_of(const snap_reader *r) { return &r->s; }

const char *snap_path(const snap_reader *r) { return r->path; }

/* The attribute reader's reason (missing, wrong type and what is expected, not UTF-8) with the file
 * in front. The reason is copied first: it lives in the buffer the new message is formatted into. */
static int snap_attr_error(const char *f)
{
    char why[512];
    snprintf(why, sizeof why, "%s", status_reason());
    return CS_ERROR(CS_EFORMAT, "%s: %s", f, why);
}

/* The optional areas below the regions (version 3): names, each with its parent region, and one
 * index a row. Read only from a version 3 file, so that a v1 or v2 file reads as it always did. */
static int snap_validate_areas(snap_reader *r)
{
    const char *f = r->path;
    int has = H5Lexists(r->file, "/subscribers/area", H5P_DEFAULT) > 0;
    if (!has || r->s.version < SNAP_VERSION_AREAS) return CS_OK;
    CS_TRY(h5util_read_strings(r->file, "/areas/name", f, &r->s.area_names, &r->s.n_areas));
    if (r->s.n_areas == 0 || r->s.n_areas > SNAP_MAX_AREAS)
        return CS_ERROR(CS_EFORMAT, "%s: /areas/name must hold 1 to %d names", f, SNAP_MAX_AREAS);
    CS_TRY(h5util_names_unique(f, "/areas/name", r->s.area_names, r->s.n_areas));
    hid_t d = -1;
    CS_TRY(h5util_open_checked(r->file, "/areas/region", f, H5T_INTEGER, 0, 1, r->s.n_areas, 0, &d));
    int64_t *v = malloc(r->s.n_areas * sizeof *v);
    r->s.area_region = malloc(r->s.n_areas * sizeof *r->s.area_region);
    uint64_t big = 0;
    int rc = v && r->s.area_region ? h5util_read_rows_int(d, h5util_int_is_signed(d), 0, r->s.n_areas,
                                                          v, &big)
                                   : CS_ERROR(CS_ENOMEM, "out of memory");
    H5Dclose(d);
    for (size_t a = 0; rc == CS_OK && a < r->s.n_areas; a++) {
        if (v[a] < 0 || (uint64_t)v[a] >= r->s.n_regions || big == a)
            rc = CS_ERROR(CS_EFORMAT, "%s: /areas/region row %zu (%s): region %lld out of range (0 to "
                          "%zu)", f, a, r->s.area_names[a], (long long)v[a], r->s.n_regions - 1);
        else
            r->s.area_region[a] = (uint16_t)v[a];
    }
    free(v);
    CS_TRY(rc);
    CS_TRY(h5util_open_checked(r->file, "/subscribers/area", f, H5T_INTEGER, 0, 1, r->s.n, 0, &r->d_area));
    r->sg_area = h5util_int_is_signed(r->d_area);
    return CS_OK;
}

static int snap_validate(snap_reader *r)
{
    const char *f = r->path;
    char kind[64] = "";
    if (h5util_attr_read_str(r->file, "format", kind, sizeof kind) != CS_OK)
        return CS_ERROR(CS_EFORMAT, "%s: not a churnscore file (no 'format' attribute)", f);
    if (strcmp(kind, SNAP_FORMAT) != 0)
        return CS_ERROR(CS_EFORMAT, "%s: is a '%s' file, expected a snapshot ('%s')", f, kind,
                        SNAP_FORMAT);
    int64_t ver = 0;
    if (h5util_attr_read_i64(r->file, "format_version", &ver) != CS_OK) return snap_attr_error(f);
    if (ver < SNAP_VERSION_MIN || ver > SNAP_VERSION_AREAS)
        return CS_ERROR(CS_EFORMAT, "%s: snapshot format version %lld is not supported (this "
                        "build reads versions %d to %d)", f, (long long)ver, SNAP_VERSION_MIN,
                        SNAP_VERSION_AREAS);
    r->s.version = (int)ver;
    if (h5util_attr_read_str(r->file, "month", r->s.month, sizeof r->s.month) != CS_OK)
        return snap_attr_error(f);
    if (h5util_attr_read_i64(r->file, "churn_window_months", &r->s.window) != CS_OK)
        return snap_attr_error(f);

    CS_TRY(h5util_read_strings(r->file, "/subscribers/feature_names", f, &r->s.feature_names, &r->s.p));
    CS_TRY(h5util_read_strings(r->file, "/regions/name", f, &r->s.region_names, &r->s.n_regions));
    CS_TRY(h5util_read_strings(r->file, "/brands/name", f, &r->s.brand_names, &r->s.n_brands));
    if (r->s.n_regions == 0 || r->s.n_regions > 65535)
        return CS_ERROR(CS_EFORMAT, "%s: /regions/name must hold 1 to 65535 names", f);
    if (r->s.n_brands == 0 || r->s.n_brands > 255)
        return CS_ERROR(CS_EFORMAT, "%s: /brands/name must hold 1 to 255 names", f);
    /* region and brand names name output files and rows of reports, feature names select columns:
     * two equal names would merge two groups or hide a column */
    CS_TRY(h5util_names_unique(f, "/regions/name", r->s.region_names, r->s.n_regions));
    CS_TRY(h5util_names_unique(f, "/brands/name", r->s.brand_names, r->s.n_brands));
    CS_TRY(h5util_names_unique(f, "/subscribers/feature_names", r->s.feature_names, r->s.p));

    /* N comes from the id dataset; every other per-subscriber dataset must agree with it. */
    if (H5Lexists(r->file, "/subscribers/id", H5P_DEFAULT) <= 0)
        return CS_ERROR(CS_EFORMAT, "%s: dataset /subscribers/id is missing", f);
    {
        hid_t ds = H5Dopen2(r->file, "/subscribers/id", H5P_DEFAULT);
        hid_t sp = H5Dget_space(ds);
        hsize_t d = 0;
        int rank = H5Sget_simple_extent_ndims(sp);
        if (rank == 1) H5Sget_simple_extent_dims(sp, &d, NULL);
        H5Sclose(sp);
        H5Dclose(ds);
        if (rank != 1) return CS_ERROR(CS_EFORMAT, "%s: /subscribers/id must be 1-D", f);
        r->s.n = d;
    }
    uint64_t n = r->s.n;
    /* Integers of any width and signedness (h5py writes what numpy holds: int8, uint16, int32,
     * uint64...): snap_read converts them exactly and checks their range. Indicators of any float
     * width: a float64 value beyond float32's range becomes an infinity, which snap_read refuses. */
    CS_TRY(h5util_open_checked(r->file, "/subscribers/id", f, H5T_INTEGER, 0, 1, n, 0, &r->d_id));
    CS_TRY(h5util_open_checked(r->file, "/subscribers/region", f, H5T_INTEGER, 0, 1, n, 0, &r->d_region));
    CS_TRY(h5util_open_checked(r->file, "/subscribers/brand", f, H5T_INTEGER, 0, 1, n, 0, &r->d_brand));
    CS_TRY(h5util_open_checked(r->file, "/subscribers/features", f, H5T_FLOAT, 0, 2, n, r->s.p, &r->d_feat));
    r->sg_id = h5util_int_is_signed(r->d_id);
    r->sg_region = h5util_int_is_signed(r->d_region);
    r->sg_brand = h5util_int_is_signed(r->d_brand);
    if (H5Lexists(r->file, "/subscribers/churned", H5P_DEFAULT) > 0) {
        CS_TRY(h5util_open_checked(r->file, "/subscribers/churned", f, H5T_INTEGER, 0, 1, n, 0, &r->d_churn));
        r->sg_churn = h5util_int_is_signed(r->d_churn);
        r->s.has_labels = 1;
    }
    if (H5Lexists(r->file, "/subscribers/churn_type", H5P_DEFAULT) > 0) {
        /* how a leaver left means nothing without who left: the pair is checked row by row */
        if (!r->s.has_labels)
            return CS_ERROR(CS_EFORMAT, "%s: /subscribers/churn_type without /subscribers/churned "
                            "(the churn type is only read beside the labels)", f);
        CS_TRY(h5util_open_checked(r->file, "/subscribers/churn_type", f, H5T_INTEGER, 0, 1, n, 0,
                                   &r->d_ctype));
        r->sg_ctype = h5util_int_is_signed(r->d_ctype);
        r->s.has_churn_type = 1;
    }
    CS_TRY(snap_validate_areas(r));
    if (H5Lexists(r->file, "/truth", H5P_DEFAULT) > 0 &&
        H5Lexists(r->file, "/truth/churn_prob", H5P_DEFAULT) > 0) {
        CS_TRY(h5util_open_checked(r->file, "/truth/churn_prob", f, H5T_FLOAT, 4, 1, n, 0, &r->d_truth));
        r->s.has_truth = 1;
        if (H5Lexists(r->file, "/truth/p_voluntary", H5P_DEFAULT) > 0 &&
            H5Lexists(r->file, "/truth/p_involuntary", H5P_DEFAULT) > 0) {
            CS_TRY(h5util_open_checked(r->file, "/truth/p_voluntary", f, H5T_FLOAT, 0, 1, n, 0, &r->d_tvol));
            CS_TRY(h5util_open_checked(r->file, "/truth/p_involuntary", f, H5T_FLOAT, 0, 1, n, 0, &r->d_tinv));
            r->s.has_truth_types = 1;
        }
        if (H5Lexists(r->file, "/truth/loadings", H5P_DEFAULT) > 0) {
            size_t d0 = 0, d1 = 0;
            CS_TRY(h5util_read_f64(r->file, "/truth/loadings", f, &r->s.truth_loadings, &d0, &d1));
            size_t nf = 0;
            CS_TRY(h5util_read_strings(r->file, "/truth/factor_names", f, &r->s.truth_factor_names, &nf));
            if (d0 != r->s.p || d1 != nf)
                return CS_ERROR(CS_EFORMAT, "%s: /truth/loadings must be [%zu, %zu]", f, r->s.p, nf);
            r->s.truth_factors = nf;
        }
    }
    return CS_OK;
}

/* CS_READ_MPIO=1 used to turn every MPI_COMM_NULL open into a collective one on MPI_COMM_WORLD, so
 * a file that only rank 0 opens (import --like, inspect) left rank 0 alone in a collective H5Fopen:
 * a crash or a hang with 2 ranks. Only a caller knows whether every rank opens together, so the knob
 * now applies only where the caller asks for it through this function. */
MPI_Comm snap_read_comm(MPI_Comm all)
{
    const char *mp = getenv("CS_READ_MPIO");
    return mp && strcmp(mp, "1") == 0 ? all : MPI_COMM_NULL;
}

int snap_open(const char *path, MPI_Comm comm, snap_reader **out)
{
    *out = NULL;
    snap_reader *r = calloc(1, sizeof *r);
    if (!r) return CS_ERROR(CS_ENOMEM, "out of memory");
    r->d_id = r->d_region = r->d_brand = r->d_feat = r->d_churn = r->d_truth = -1;
    r->d_ctype = r->d_tvol = r->d_tinv = r->d_area = -1;
    r->path = strdup(path);
    int rc = h5util_open_read(path, comm, &r->file);
    if (rc == CS_OK) rc = snap_validate(r);
    if (rc != CS_OK) {
        snap_close(r);
        return rc;
    }
    *out = r;
    return CS_OK;
}

/* Rows of an integer dataset of any width as int64 in r's scratch (*out). A uint64 value too large
 * for int64 is out of range for every dataset read this way. */
static int snap_read_ints(snap_reader *r, hid_t ds, int sg, const char *name, uint64_t row0, size_t n,
                          int64_t **out)
{
    if (n > r->scratch_n) {
        int64_t *t = realloc(r->scratch, n * sizeof *t);
        if (!t) return CS_ERROR(CS_ENOMEM, "out of memory (%zu rows of %s)", n, name);
        r->scratch = t;
        r->scratch_n = n;
    }
    uint64_t big;
    CS_TRY(h5util_read_rows_int(ds, sg, row0, n, r->scratch, &big));
    if (big != UINT64_MAX)
        return CS_ERROR(CS_EDATA, "%s: %s row %llu: value %llu out of range", r->path, name,
                        (unsigned long long)(row0 + big), (unsigned long long)r->scratch[big]);
    *out = r->scratch;
    return CS_OK;
}

/* Rows of a dataset of indices into a name table of count names (what: "regions"), in r's scratch:
 * CS_EDATA naming the row of an index out of range. */
static int snap_read_codes(snap_reader *r, hid_t ds, int sg, const char *name, size_t count,
                           const char *what, uint64_t row0, size_t n, int64_t **out)
{
    int64_t *v;
    CS_TRY(snap_read_ints(r, ds, sg, name, row0, n, &v));
    for (size_t i = 0; i < n; i++)
        if (v[i] < 0 || (uint64_t)v[i] >= count)
            return CS_ERROR(CS_EDATA, "%s: %s row %llu: index %lld out of range (0 to %zu: %zu %s)",
                            r->path, name, (unsigned long long)(row0 + i), (long long)v[i], count - 1,
                            count, what);
    *out = v;
    return CS_OK;
}

int snap_feature_chunks(const snap_reader *r, uint64_t *rows, uint64_t *cols, int *filtered)
{
    *rows = *cols = 0;
    *filtered = 0;
    hid_t dcpl = H5Dget_create_plist(r->d_feat);
    if (dcpl < 0) return CS_ERROR(CS_EFORMAT, "%s: cannot read the layout of /subscribers/features", r->path);
    if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t d[2] = {0, 0};
        if (H5Pget_chunk(dcpl, 2, d) == 2) {
            *rows = d[0];
            *cols = d[1];
        }
        *filtered = H5Pget_nfilters(dcpl) > 0;
    }
    H5Pclose(dcpl);
    return CS_OK;
}

int snap_feature_cache(snap_reader *r, size_t bytes, size_t slots)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    /* w0 = 1: a chunk read to its end (its last band of rows) is the first to go */
    if (dapl < 0 || H5Pset_chunk_cache(dapl, slots, bytes, 1.0) < 0) {
        if (dapl >= 0) H5Pclose(dapl);
        return CS_ERROR(CS_EIO, "%s: cannot set a %zu-byte chunk cache", r->path, bytes);
    }
    /* closed first: an open dataset is shared by every handle on it, and keeps the chunk cache it
     * was first opened with */
    snap_close_ds(&r->d_feat);
    r->d_feat = H5Dopen2(r->file, "/subscribers/features", dapl);
    H5Pclose(dapl);
    if (r->d_feat < 0) return CS_ERROR(CS_EIO, "%s: cannot reopen /subscribers/features", r->path);
    return CS_OK;
}

int snap_read(snap_reader *r, uint64_t row0, size_t n, uint64_t *id, uint16_t *region,
              uint8_t *brand, float *features, int8_t *churned)
{
    if (row0 + n > r->s.n)
        return CS_ERROR(CS_EINVAL, "%s: rows %llu..%llu past the end (%llu rows)", r->path,
                        (unsigned long long)row0, (unsigned long long)(row0 + n),
                        (unsigned long long)r->s.n);
    if (id) {
        if (r->sg_id) {
            /* int64 and narrower signed ids: read exactly, then refuse a negative one (ids are
             * unsigned 64-bit everywhere downstream: scores, lists, the duplicate check) */
            CS_TRY(h5util_read_rows(r->d_id, H5T_NATIVE_INT64, row0, n, 0, id));
            for (size_t i = 0; i < n; i++)
                if ((int64_t)id[i] < 0)
                    return CS_ERROR(CS_EDATA, "%s: /subscribers/id row %llu: id %lld is negative "
                                    "(ids are whole numbers from 0 to 2^64-1)", r->path,
                                    (unsigned long long)(row0 + i), (long long)(int64_t)id[i]);
        } else {
            CS_TRY(h5util_read_rows(r->d_id, H5T_NATIVE_UINT64, row0, n, 0, id));
        }
    }
    if (region) {
        int64_t *v;
        CS_TRY(snap_read_codes(r, r->d_region, r->sg_region, "/subscribers/region", r->s.n_regions,
                               "regions", row0, n, &v));
        for (size_t i = 0; i < n; i++) region[i] = (uint16_t)v[i];
    }
    if (brand) {
        int64_t *v;
        CS_TRY(snap_read_codes(r, r->d_brand, r->sg_brand, "/subscribers/brand", r->s.n_brands,
                               "brands", row0, n, &v));
        for (size_t i = 0; i < n; i++) brand[i] = (uint8_t)v[i];
    }
    if (features) {
        size_t p = r->derived ? r->p_file : r->s.p;
        CS_TRY(h5util_read_rows(r->d_feat, H5T_NATIVE_FLOAT, row0, n, p, features));
        /* NaN is the missing value; an infinity is not a measurement (it would turn every sum it
         * enters into NaN, and a NaN probability drops the subscriber from every list) */
        for (size_t k = 0; k < n * p; k++)
            if (isinf(features[k]))
                return CS_ERROR(CS_EDATA, "%s: /subscribers/features row %llu column %zu (%s): value "
                                "%s is not finite (NaN marks a missing value; infinities are not "
                                "allowed)", r->path, (unsigned long long)(row0 + k / p), k % p,
                                r->s.feature_names[k % p], features[k] > 0 ? "inf" : "-inf");
        if (r->derived) {
            /* widen the rows in place, last first (each moves to a higher offset), then fill the
             * derived columns */
            size_t w = r->s.p;
            for (size_t i = n; i-- > 1;) memmove(features + i * w, features + i * p, p * sizeof(float));
            derived_eval(r->derived, features, n, p, w, r->dwork);
        }
    }
    if (churned) {
        if (!r->s.has_labels)
            return CS_ERROR(CS_EFORMAT, "%s: has no labels (/subscribers/churned)", r->path);
        int64_t *v;
        CS_TRY(snap_read_ints(r, r->d_churn, r->sg_churn, "/subscribers/churned", row0, n, &v));
        for (size_t i = 0; i < n; i++) {
            if (v[i] < -1 || v[i] > 1)
                return CS_ERROR(CS_EDATA, "%s: /subscribers/churned row %llu: value %lld (must be "
                                "1, 0 or -1)", r->path, (unsigned long long)(row0 + i), (long long)v[i]);
            churned[i] = (int8_t)v[i];
        }
    }
    return CS_OK;
}

int snap_read_area(snap_reader *r, uint64_t row0, size_t n, const uint16_t *region, uint16_t *area)
{
    if (!r->s.n_areas) return CS_ERROR(CS_EFORMAT, "%s: has no areas (/subscribers/area)", r->path);
    if (row0 + n > r->s.n)
        return CS_ERROR(CS_EINVAL, "%s: rows %llu..%llu past the end", r->path,
                        (unsigned long long)row0, (unsigned long long)(row0 + n));
    int64_t *v;
    CS_TRY(snap_read_codes(r, r->d_area, r->sg_area, "/subscribers/area", r->s.n_areas, "areas",
                           row0, n, &v));
    for (size_t i = 0; i < n; i++) {
        area[i] = (uint16_t)v[i];
        /* an area lies in one region: a row whose area belongs to another would count twice over */
        if (region && r->s.area_region[area[i]] != region[i])
            return CS_ERROR(CS_EDATA, "%s: /subscribers/area row %llu: area %u (%s) lies in region "
                            "%s, but the row's region is %s", r->path, (unsigned long long)(row0 + i),
                            area[i], r->s.area_names[area[i]],
                            r->s.region_names[r->s.area_region[area[i]]], r->s.region_names[region[i]]);
    }
    return CS_OK;
}

int snap_read_truth(snap_reader *r, uint64_t row0, size_t n, float *prob)
{
    if (!r->s.has_truth) return CS_ERROR(CS_EFORMAT, "%s: has no /truth/churn_prob", r->path);
    return h5util_read_rows(r->d_truth, H5T_NATIVE_FLOAT, row0, n, 0, prob);
}

const char *snap_churn_type_name(int v)
{
    return v == SNAP_STAYED ? "stayed" : v == SNAP_VOLUNTARY ? "voluntary"
         : v == SNAP_INVOLUNTARY ? "involuntary" : "?";
}

int snap_read_churn_type(snap_reader *r, uint64_t row0, size_t n, const int8_t *churned, int8_t *ct)
{
    if (!r->s.has_churn_type)
        return CS_ERROR(CS_EFORMAT, "%s: has no churn type (/subscribers/churn_type)", r->path);
    if (row0 + n > r->s.n)
        return CS_ERROR(CS_EINVAL, "%s: rows %llu..%llu past the end (%llu rows)", r->path,
                        (unsigned long long)row0, (unsigned long long)(row0 + n),
                        (unsigned long long)r->s.n);
    int64_t *v;
    CS_TRY(snap_read_ints(r, r->d_ctype, r->sg_ctype, "/subscribers/churn_type", row0, n, &v));
    for (size_t i = 0; i < n; i++) {
        unsigned long long row = (unsigned long long)(row0 + i);
        if (v[i] < SNAP_STAYED || v[i] > SNAP_INVOLUNTARY)
            return CS_ERROR(CS_EDATA, "%s: /subscribers/churn_type row %llu: value %lld (must be 0 "
                            "stayed, 1 voluntary or 2 involuntary)", r->path, row, (long long)v[i]);
        ct[i] = (int8_t)v[i];
        if (!churned) continue;
        /* a leaver has a type, a stayer (or a subscriber whose outcome is unknown) has none */
        int ok = churned[i] == 1 ? ct[i] != SNAP_STAYED : ct[i] == SNAP_STAYED;
        if (!ok)
            return CS_ERROR(CS_EDATA, "%s: /subscribers/churn_type row %llu: %d (%s), but "
                            "/subscribers/churned is %d%s", r->path, row, ct[i],
                            snap_churn_type_name(ct[i]), churned[i],
                            churned[i] == 1 ? " (a leaver needs type 1 or 2)"
                            : churned[i] == 0 ? "" : " (unknown: the type must be 0)");
    }
    return CS_OK;
}

int snap_read_truth_types(snap_reader *r, uint64_t row0, size_t n, double *pvol, double *pinv)
{
    if (!r->s.has_truth_types)
        return CS_ERROR(CS_EFORMAT, "%s: has no /truth/p_voluntary and /truth/p_involuntary", r->path);
    if (pvol) CS_TRY(h5util_read_rows(r->d_tvol, H5T_NATIVE_DOUBLE, row0, n, 0, pvol));
    if (pinv) CS_TRY(h5util_read_rows(r->d_tinv, H5T_NATIVE_DOUBLE, row0, n, 0, pinv));
    return CS_OK;
}

/* ---- writer ---- */

/* Closes the datasets and the file (collective when the file is shared); this rank's status. */
static int snap_writer_close_all(snap_writer *w)
{
    hid_t *d[] = {&w->d_id,    &w->d_region, &w->d_brand, &w->d_feat, &w->d_churn,
                  &w->d_truth, &w->d_leaver, &w->d_ctype, &w->d_tvol, &w->d_tinv, &w->d_treated, &w->d_area};
    int rc = CS_OK;
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        if (*d[i] > 0 && H5Dclose(*d[i]) < 0 && rc == CS_OK)
            rc = CS_ERROR(CS_EIO, "%s: cannot close a dataset", w->tmp);
        *d[i] = -1;
    }
    if (w->file > 0) {
        int crc = h5util_close_shared(w->file, w->tmp);
        if (rc == CS_OK) rc = crc;
    }
    w->file = -1;
    return rc;
}

/* A dataset of n rows created now (allocated, so that ranks write into it later) and closed. */
static int snap_new_rows(hid_t f, const char *name, hid_t type, uint64_t n, uint64_t ncols,
                         uint64_t chunk)
{
    hid_t d;
    CS_TRY(h5util_create_rows(f, name, type, n, ncols, chunk, &d));
    H5Dclose(d);
    return CS_OK;
}

/* The names of a new snapshot: feature, region and brand names (areas 0), or the areas' names and
 * regions (areas 1, in a file that has /areas). */
static int snap_names(hid_t f, const snap_meta *m, int areas)
{
    if (!areas) {
        CS_TRY(h5util_write_strings(f, "/subscribers/feature_names", m->feature_names, m->p));
        CS_TRY(h5util_write_strings(f, "/regions/name", m->region_names, m->n_regions));
        return h5util_write_strings(f, "/brands/name", m->brand_names, m->n_brands);
    }
    CS_TRY(h5util_write_strings(f, "/areas/name", m->area_names, m->n_areas));
    hid_t d;
    CS_TRY(h5util_create_rows(f, "/areas/region", H5T_STD_U16LE, m->n_areas, 0, 0, &d));
    int wrc = h5util_write_rows(d, H5T_NATIVE_UINT16, 0, m->n_areas, 0, m->area_region);
    H5Dclose(d);
    return wrc;
}

/* Serially, on the one process that creates the file (h5util_create_laid_out): attributes, names,
 * datasets. */
static int snap_layout(hid_t f, const char *tmp, const void *arg)
{
    const snap_meta *m = arg;
    CS_TRY(h5util_attr_write_str(f, "format", SNAP_FORMAT));
    CS_TRY(h5util_attr_write_i64(f, "format_version", m->n_areas ? SNAP_VERSION_AREAS : SNAP_VERSION));
    CS_TRY(h5util_attr_write_str(f, "month", m->month ? m->month : "0000-00"));
    CS_TRY(h5util_attr_write_i64(f, "churn_window_months", m->window));
    if (m->generator) CS_TRY(h5util_attr_write_str(f, "generator", m->generator));
    for (size_t i = 0; i < m->n_attrs; i++)
        CS_TRY(h5util_attr_write_f64(f, m->attr_names[i], m->attr_values[i]));
    hid_t g = H5Gcreate2(f, "/subscribers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t gr = H5Gcreate2(f, "/regions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t gb = H5Gcreate2(f, "/brands", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0 || gr < 0 || gb < 0) return CS_ERROR(CS_EIO, "%s: cannot create groups", tmp);
    H5Gclose(g);
    H5Gclose(gr);
    H5Gclose(gb);
    if (!m->names_later) CS_TRY(snap_names(f, m, 0));
    CS_TRY(snap_new_rows(f, "/subscribers/id", H5T_STD_U64LE, m->n, 0, 0));
    CS_TRY(snap_new_rows(f, "/subscribers/region", H5T_STD_U16LE, m->n, 0, 0));
    CS_TRY(snap_new_rows(f, "/subscribers/brand", H5T_STD_U8LE, m->n, 0, 0));
    if (m->n_areas) {
        hid_t ga = H5Gcreate2(f, "/areas", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (ga < 0) return CS_ERROR(CS_EIO, "%s: cannot create /areas", tmp);
        H5Gclose(ga);
        if (!m->names_later) CS_TRY(snap_names(f, m, 1));
        CS_TRY(snap_new_rows(f, "/subscribers/area", H5T_STD_U16LE, m->n, 0, 0));
    }
    /* CS_CHUNK_ROWS overrides the chunk height (a tuning knob for sites; see SNAP_CHUNK_ROWS) */
    const char *ch = getenv("CS_CHUNK_ROWS");
    uint64_t chunk = ch && atol(ch) > 0 ? (uint64_t)atol(ch) : SNAP_CHUNK_ROWS;
    CS_TRY(snap_new_rows(f, "/subscribers/features", H5T_IEEE_F32LE, m->n, m->p, chunk));
    if (m->has_labels) CS_TRY(snap_new_rows(f, "/subscribers/churned", H5T_STD_I8LE, m->n, 0, 0));
    if (m->has_labels && m->has_churn_type)
        CS_TRY(snap_new_rows(f, "/subscribers/churn_type", H5T_STD_I8LE, m->n, 0, 0));
    if (m->has_truth) {
        hid_t gt = H5Gcreate2(f, "/truth", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Gclose(gt);
        CS_TRY(snap_new_rows(f, "/truth/churn_prob", H5T_IEEE_F32LE, m->n, 0, 0));
        CS_TRY(snap_new_rows(f, "/truth/leaver_type", H5T_STD_I8LE, m->n, 0, 0));
        CS_TRY(snap_new_rows(f, "/truth/p_voluntary", H5T_IEEE_F64LE, m->n, 0, 0));
        CS_TRY(snap_new_rows(f, "/truth/p_involuntary", H5T_IEEE_F64LE, m->n, 0, 0));
        if (m->has_treated) CS_TRY(snap_new_rows(f, "/truth/treated", H5T_STD_I8LE, m->n, 0, 0));
        if (m->truth_factors > 0) {
            CS_TRY(h5util_write_f64(f, "/truth/loadings", m->truth_loadings, m->p, m->truth_factors));
            CS_TRY(h5util_write_strings(f, "/truth/factor_names", m->truth_factor_names,
                                        m->truth_factors));
        }
    }
    return CS_OK;
}

int snap_file_create(const char *path, const snap_meta *m)
{
    return h5util_create_laid_out(path, snap_layout, m);
}

int snap_file_add_names(const char *path, const snap_meta *m)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) return CS_ERROR(CS_EIO, "%s: cannot open to add the names", path);
    int rc = snap_names(f, m, 0);
    if (rc == CS_OK && m->n_areas) rc = snap_names(f, m, 1);
    int crc = h5util_close_file(f, path);
    return rc == CS_OK ? crc : rc;
}

static int snap_open_datasets(snap_writer *w, const snap_meta *m)
{
    hid_t f = w->file;
    w->d_id = H5Dopen2(f, "/subscribers/id", H5P_DEFAULT);
    w->d_region = H5Dopen2(f, "/subscribers/region", H5P_DEFAULT);
    w->d_brand = H5Dopen2(f, "/subscribers/brand", H5P_DEFAULT);
    w->d_feat = H5Dopen2(f, "/subscribers/features", H5P_DEFAULT);
    int ctype = m->has_labels && m->has_churn_type;
    if (m->n_areas) w->d_area = H5Dopen2(f, "/subscribers/area", H5P_DEFAULT);
    if (m->has_labels) w->d_churn = H5Dopen2(f, "/subscribers/churned", H5P_DEFAULT);
    if (ctype) w->d_ctype = H5Dopen2(f, "/subscribers/churn_type", H5P_DEFAULT);
    if (m->has_truth) {
        w->d_truth = H5Dopen2(f, "/truth/churn_prob", H5P_DEFAULT);
        w->d_leaver = H5Dopen2(f, "/truth/leaver_type", H5P_DEFAULT);
        w->d_tvol = H5Dopen2(f, "/truth/p_voluntary", H5P_DEFAULT);
        w->d_tinv = H5Dopen2(f, "/truth/p_involuntary", H5P_DEFAULT);
        if (m->has_treated && (w->d_treated = H5Dopen2(f, "/truth/treated", H5P_DEFAULT)) < 0)
            return CS_ERROR(CS_EIO, "%s: cannot reopen /truth/treated for parallel writing", w->tmp);
    }
    if (w->d_id < 0 || w->d_region < 0 || w->d_brand < 0 || w->d_feat < 0 ||
        (m->has_labels && w->d_churn < 0) || (m->n_areas && w->d_area < 0) || (ctype && w->d_ctype < 0) ||
        (m->has_truth && (w->d_truth < 0 || w->d_leaver < 0 || w->d_tvol < 0 || w->d_tinv < 0)))
        return CS_ERROR(CS_EIO, "%s: cannot reopen datasets for parallel writing", w->tmp);
    return CS_OK;
}

int snap_writer_open(const char *path, MPI_Comm comm, const snap_meta *m, snap_writer **out)
{
    *out = NULL;
    snap_writer *w = calloc(1, sizeof *w);
    if (!w) return CS_ERROR(CS_ENOMEM, "out of memory");
    w->d_id = w->d_region = w->d_brand = w->d_feat = w->d_churn = w->d_truth = w->d_leaver = -1;
    w->d_ctype = w->d_tvol = w->d_tinv = w->d_treated = w->d_area = -1;
    w->file = -1;
    w->comm = comm;
    w->p = m->p;
    w->path = strdup(path);
    w->tmp = h5util_tmpname(path);
    int rc = (w->path && w->tmp) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = h5util_reopen_shared(w->tmp, comm, &w->file);
    if (rc == CS_OK) rc = snap_open_datasets(w, m);
    /* on failure too: the caller frees it on every rank together, after agreeing (the close of a
     * file this rank did open is collective) */
    *out = w;
    return rc;
}

int snap_write(snap_writer *w, uint64_t row0, size_t n, const uint64_t *id, const uint16_t *region,
               const uint8_t *brand, const float *features, const int8_t *churned)
{
    CS_TRY(h5util_write_rows(w->d_id, H5T_NATIVE_UINT64, row0, n, 0, id));
    CS_TRY(h5util_write_rows(w->d_region, H5T_NATIVE_UINT16, row0, n, 0, region));
    CS_TRY(h5util_write_rows(w->d_brand, H5T_NATIVE_UINT8, row0, n, 0, brand));
    if (features) CS_TRY(h5util_write_rows(w->d_feat, H5T_NATIVE_FLOAT, row0, n, w->p, features));
    if (w->d_churn > 0) {
        if (!churned) return CS_ERROR(CS_EINVAL, "labels missing for a labelled snapshot");
        CS_TRY(h5util_write_rows(w->d_churn, H5T_NATIVE_INT8, row0, n, 0, churned));
    }
    return CS_OK;
}

int snap_write_features(snap_writer *w, uint64_t row0, size_t n, const float *features)
{
    return h5util_write_rows(w->d_feat, H5T_NATIVE_FLOAT, row0, n, w->p, features);
}

int snap_write_truth(snap_writer *w, uint64_t row0, size_t n, const float *prob,
                     const int8_t *leaver_type)
{
    if (w->d_truth < 0) return CS_ERROR(CS_EINVAL, "snapshot created without truth");
    CS_TRY(h5util_write_rows(w->d_truth, H5T_NATIVE_FLOAT, row0, n, 0, prob));
    if (leaver_type) CS_TRY(h5util_write_rows(w->d_leaver, H5T_NATIVE_INT8, row0, n, 0, leaver_type));
    return CS_OK;
}

int snap_write_area(snap_writer *w, uint64_t row0, size_t n, const uint16_t *area)
{
    if (w->d_area < 0) return CS_ERROR(CS_EINVAL, "snapshot created without areas");
    return h5util_write_rows(w->d_area, H5T_NATIVE_UINT16, row0, n, 0, area);
}

int snap_write_churn_type(snap_writer *w, uint64_t row0, size_t n, const int8_t *ct)
{
    if (w->d_ctype < 0) return CS_ERROR(CS_EINVAL, "snapshot created without churn types");
    return h5util_write_rows(w->d_ctype, H5T_NATIVE_INT8, row0, n, 0, ct);
}

int snap_write_truth_types(snap_writer *w, uint64_t row0, size_t n, const double *pvol,
                           const double *pinv)
{
    if (w->d_tvol < 0) return CS_ERROR(CS_EINVAL, "snapshot created without truth");
    CS_TRY(h5util_write_rows(w->d_tvol, H5T_NATIVE_DOUBLE, row0, n, 0, pvol));
    return h5util_write_rows(w->d_tinv, H5T_NATIVE_DOUBLE, row0, n, 0, pinv);
}

int snap_write_truth_treated(snap_writer *w, uint64_t row0, size_t n, const int8_t *treated)
{
    if (w->d_treated < 0) return CS_ERROR(CS_EINVAL, "snapshot created without /truth/treated");
    return h5util_write_rows(w->d_treated, H5T_NATIVE_INT8, row0, n, 0, treated);
}

int snap_close_writer(snap_writer *w) { return w ? snap_writer_close_all(w) : CS_OK; }

const char *snap_writer_tmp(const snap_writer *w) { return w->tmp; }
const char *snap_writer_path(const snap_writer *w) { return w->path; }
MPI_Comm snap_writer_comm(const snap_writer *w) { return w->comm; }

int snap_writer_free(snap_writer *w)
{
    if (!w) return CS_OK;
    int rc = snap_writer_close_all(w); /* CS_OK when snap_close_writer did it */
    free(w->path);
    free(w->tmp);
    free(w);
    return rc;
}
