/* h5util_data.c — numeric HDF5 datasets (see h5util.h): small whole ones (a model's parameters,
 * summaries) written and read at once, and the row datasets of snapshots and scores, created
 * allocated so that ranks write their own rows independently, and read or written by hyperslab. The
 * readers check type and shape first and take integers of any width exactly.
 */
#include "h5util.h"
#include "h5util_int.h"

#include "status.h"
#include "commit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int h5util_write_whole(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *v,
                       size_t d0, size_t d1)
{
    hsize_t d[2] = {d0, d1};
    hid_t sp = H5Screate_simple(d1 ? 2 : 1, d, NULL);
    hid_t ds = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = ds < 0 ? -1 : ((d0 && v) ? H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) : 0);
    if (e >= 0) e = H5Dclose(ds);
    else if (ds >= 0) {
        int rc = h5util_fail(loc, NULL, "cannot write dataset %s", name);
        H5Dclose(ds);
        H5Sclose(sp);
        return rc;
    }
    H5Sclose(sp);
    if (e < 0) return h5util_fail(loc, NULL, "cannot write dataset %s", name);
    return CS_OK;
}
/* Opens dataset name of loc, or says which file lacks it, or holds something else under its name. */
int h5util_open_ds(hid_t loc, const char *name, const char *file, hid_t *ds)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return CS_ERROR(CS_EFORMAT, "%s: dataset %s is missing", file, name);
    *ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (*ds < 0) return CS_ERROR(CS_EFORMAT, "%s: %s is not a dataset", file, name);
    return CS_OK;
}

int h5util_write_f64(hid_t loc, const char *name, const double *v, size_t d0, size_t d1)
{
    return h5util_write_whole(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v, d0, d1);
}

int h5util_read_f64(hid_t loc, const char *name, const char *file, double **out, size_t *d0,
                    size_t *d1)
{
    *out = NULL;
    hid_t ds;
    CS_TRY(h5util_open_ds(loc, name, file, &ds));
    hid_t sp = H5Dget_space(ds);
    hid_t ft = H5Dget_type(ds);
    int rank = H5Sget_simple_extent_ndims(sp);
    hsize_t d[2] = {0, 0};
    int rc = CS_OK;
    if ((H5Tget_class(ft) != H5T_FLOAT && H5Tget_class(ft) != H5T_INTEGER) || rank < 1 || rank > 2) {
        rc = CS_ERROR(CS_EFORMAT, "%s: %s must be a numeric 1-D or 2-D dataset", file, name);
    } else {
        H5Sget_simple_extent_dims(sp, d, NULL);
        size_t cnt = d[0] * (rank == 2 ? d[1] : 1);
        double *v = malloc((cnt ? cnt : 1) * sizeof(double));
        if (!v) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        else if (cnt && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
            free(v);
            rc = CS_ERROR(CS_EFORMAT, "%s: %s cannot be read", file, name);
        } else {
            *out = v;
            *d0 = d[0];
            if (d1) *d1 = rank == 2 ? d[1] : 0;
        }
    }
    H5Tclose(ft);
    H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}


int h5util_write_i32(hid_t loc, const char *name, const int32_t *v, size_t n)
{
    return h5util_write_whole(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT32, v, n, 0);
}

int h5util_write_i64(hid_t loc, const char *name, const int64_t *v, size_t n)
{
    return h5util_write_whole(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, v, n, 0);
}

int h5util_read_i32(hid_t loc, const char *name, const char *file, int32_t **out, size_t *n)
{
    double *v = NULL;
    size_t d0 = 0, d1 = 0;
    CS_TRY(h5util_read_f64(loc, name, file, &v, &d0, &d1));
    int32_t *r = malloc((d0 ? d0 : 1) * sizeof(int32_t));
    if (!r) {
        free(v);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < d0; i++) {
        /* int32 parameters (indices into a model's arrays) are whole numbers in range: a cast
         * would turn 1e10 or 2.5 into some other index */
        if (!(v[i] == floor(v[i]) && v[i] >= INT32_MIN && v[i] <= INT32_MAX)) {
            int rc = CS_ERROR(CS_EFORMAT, "%s: %s row %zu: %.17g is not a 32-bit integer", file,
                              name, i, v[i]);
            free(v);
            free(r);
            return rc;
        }
        r[i] = (int32_t)v[i];
    }
    free(v);
    *out = r;
    *n = d0;
    return CS_OK;
}

int h5util_open_checked(hid_t loc, const char *name, const char *file, H5T_class_t cls, size_t size,
                        int rank, uint64_t n, uint64_t p, hid_t *out)
{
    hid_t ds;
    CS_TRY(h5util_open_ds(loc, name, file, &ds));
    hid_t ft = H5Dget_type(ds);
    hid_t sp = H5Dget_space(ds);
    int r = H5Sget_simple_extent_ndims(sp);
    hsize_t d[2] = {0, 0};
    if (r >= 1 && r <= 2) H5Sget_simple_extent_dims(sp, d, NULL);
    H5T_class_t c = H5Tget_class(ft);
    size_t sz = H5Tget_size(ft);
    H5Tclose(ft);
    H5Sclose(sp);
    const char *cname = cls == H5T_FLOAT ? "float" : "integer";
    int rc = CS_OK;
    if (c != cls)
        rc = CS_ERROR(CS_EFORMAT, "%s: %s has the wrong type (%s, expected %s)", file, name,
                      h5util_class_name(c), cname);
    else if (size && sz != size)
        rc = CS_ERROR(CS_EFORMAT, "%s: %s has the wrong type (%zu-byte %s, expected %zu-byte %s)",
                      file, name, sz, cname, size, cname);
    else if (r != rank)
        rc = CS_ERROR(CS_EFORMAT, "%s: %s has %d dimensions, expected %d", file, name, r, rank);
    else if (d[0] != n)
        rc = CS_ERROR(CS_EFORMAT, "%s: %s has %llu rows, expected %llu", file, name,
                      (unsigned long long)d[0], (unsigned long long)n);
    else if (rank == 2 && d[1] != p)
        rc = CS_ERROR(CS_EFORMAT, "%s: %s has %llu columns, expected %llu", file, name,
                      (unsigned long long)d[1], (unsigned long long)p);
    if (rc != CS_OK) {
        H5Dclose(ds);
        return rc;
    }
    *out = ds;
    return CS_OK;
}

static int h5util_rows_io(hid_t dset, hid_t mtype, uint64_t row0, uint64_t n, uint64_t ncols,
                          void *buf, int write)
{
    if (n == 0) return CS_OK;
    hsize_t start[2] = {row0, 0}, count[2] = {n, ncols};
    int rank = ncols ? 2 : 1;
    hid_t fsp = H5Dget_space(dset);
    H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
    hid_t msp = H5Screate_simple(rank, count, NULL);
    herr_t e = write ? H5Dwrite(dset, mtype, msp, fsp, H5P_DEFAULT, buf)
                     : H5Dread(dset, mtype, msp, fsp, H5P_DEFAULT, buf);
    int nospace = 0;
    if (e < 0 && write) H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, h5util_walk_nospace, &nospace);
    H5Sclose(msp);
    H5Sclose(fsp);
    if (e < 0) {
        char nm[256] = "?", file[1024] = "";
        H5Iget_name(dset, nm, sizeof nm);
        if (H5Fget_name(dset, file, sizeof file) < 0) file[0] = '\0';
        if (write && !nospace && file[0]) nospace = commit_fs_full(file, 0);
        if (nospace)
            return CS_ERROR(CS_EIO, "no space left on device: %s (writing rows %llu..%llu of %s)", file,
                            (unsigned long long)row0, (unsigned long long)(row0 + n - 1), nm);
        return CS_ERROR(CS_EIO, "cannot %s rows %llu..%llu of %s", write ? "write" : "read",
                        (unsigned long long)row0, (unsigned long long)(row0 + n - 1), nm);
    }
    return CS_OK;
}

int h5util_read_rows(hid_t dset, hid_t mtype, uint64_t row0, uint64_t n, uint64_t ncols, void *buf)
{
    return h5util_rows_io(dset, mtype, row0, n, ncols, buf, 0);
}

int h5util_write_rows(hid_t dset, hid_t mtype, uint64_t row0, uint64_t n, uint64_t ncols,
                      const void *buf)
{
    return h5util_rows_io(dset, mtype, row0, n, ncols, (void *)buf, 1);
}

int h5util_create_rows(hid_t loc, const char *name, hid_t ftype, uint64_t n, uint64_t ncols,
                       uint64_t chunk_rows, hid_t *out)
{
    hsize_t d[2] = {n, ncols};
    int rank = ncols ? 2 : 1;
    hid_t sp = H5Screate_simple(rank, d, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (chunk_rows > 0 && n > 0) {
        hsize_t c[2] = {chunk_rows < n ? chunk_rows : n, ncols ? ncols : 1};
        H5Pset_chunk(dcpl, rank, c);
    }
    /* Allocate at creation so ranks can write their rows independently in parallel. */
    H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    hid_t ds = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds < 0) {
        int rc = h5util_fail(loc, NULL, "cannot create dataset %s", name);
        H5Pclose(dcpl);
        H5Sclose(sp);
        return rc;
    }
    H5Pclose(dcpl);
    H5Sclose(sp);
    *out = ds;
    return CS_OK;
}

int h5util_int_is_signed(hid_t dset)
{
    hid_t ft = H5Dget_type(dset);
    int sg = H5Tget_sign(ft) != H5T_SGN_NONE;
    H5Tclose(ft);
    return sg;
}

int h5util_read_rows_int(hid_t dset, int is_signed, uint64_t row0, uint64_t n, int64_t *buf,
                         uint64_t *big)
{
    /* Read in the widest type of the stored signedness: HDF5's conversion is then exact for every
     * integer width (a narrower memory type would clip -7 to 0 or 255 to 127 without a word). */
    CS_TRY(h5util_read_rows(dset, is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64, row0, n, 0, buf));
    *big = UINT64_MAX;
    if (!is_signed)
        for (uint64_t i = 0; i < n; i++)
            if ((uint64_t)buf[i] > (uint64_t)INT64_MAX) {
                *big = i;
                break;
            }
    return CS_OK;
}

