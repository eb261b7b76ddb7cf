/* h5util.c — see h5util.h. */
#define _GNU_SOURCE /* memfd_create */
#include "h5util.h"

#include "commit.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void h5util_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* H5Ewalk2 callback: a write that failed for want of space. HDF5 keeps errno only in the text of its
 * error stack (sec2: "errno = 28, error message = 'No space left on device'"; MPI-IO: the MPI error
 * string). */
static herr_t h5util_walk_nospace(unsigned n, const H5E_error2_t *e, void *arg)
{
    (void)n;
    const char *d = e->desc ? e->desc : "";
    if (strstr(d, "errno = 28,") || strstr(d, "No space left") || strstr(d, "no space left") ||
        strstr(d, "MPI_ERR_NO_SPACE") || strstr(d, "MPI_ERR_QUOTA") || strstr(d, "errno = 122,"))
        *(int *)arg = 1;
    return 0;
}

/* Records a failed HDF5 write on obj (of file path; NULL: asked of obj) and returns CS_EIO: "no space
 * left on device: FILE (what)" when the error stack or the file system says so, else "FILE: what".
 * Call it right after the failing call: any HDF5 call clears the error stack. */
static int h5util_fail(hid_t obj, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int h5util_fail(hid_t obj, const char *path, const char *fmt, ...)
{
    int nospace = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, h5util_walk_nospace, &nospace);
    char what[512], file[1024] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (path) snprintf(file, sizeof file, "%s", path);
    else if (obj >= 0 && H5Fget_name(obj, file, sizeof file) < 0) file[0] = '\0';
    if (!nospace && file[0]) nospace = commit_fs_full(file, 0);
    if (nospace) return CS_ERROR(CS_EIO, "no space left on device: %s (%s)", file[0] ? file : "?", what);
    if (file[0]) return CS_ERROR(CS_EIO, "%s: %s", file, what);
    return CS_ERROR(CS_EIO, "%s", what);
}

/* Closes every dataset, group, named datatype and attribute still open in f (an error path that
 * left one): with one open, H5Fclose would only mark the file for closing, and its real close
 * would come later inside H5close or MPI_Finalize. */
static void h5util_close_objects(hid_t f)
{
    unsigned types = H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL;
    ssize_t n = H5Fget_obj_count(f, types);
    if (n <= 0) return;
    hid_t *ids = malloc((size_t)n * sizeof(hid_t));
    if (!ids) return;
    n = H5Fget_obj_ids(f, types, (size_t)n, ids);
    for (ssize_t i = 0; i < n; i++) {
        H5I_type_t t = H5Iget_type(ids[i]);
        if (t == H5I_DATASET) H5Dclose(ids[i]);
        else if (t == H5I_GROUP) H5Gclose(ids[i]);
        else if (t == H5I_DATATYPE) H5Tclose(ids[i]);
        else if (t == H5I_ATTR) H5Aclose(ids[i]);
    }
    free(ids);
}

int h5util_close_file(hid_t f, const char *path)
{
    if (f < 0) return CS_OK;
    haddr_t eoa = 0;
    int rc = CS_OK;
    unsigned intent = 0;
    if (H5Fget_intent(f, &intent) >= 0 && (intent & H5F_ACC_RDWR)) {
        /* The close writes the metadata cache out, at addresses below the end of allocation: with
         * those bytes allocated it cannot run out of space. HDF5 1.10 does not survive a failed
         * flush (the id stays half-closed and H5close or MPI_Finalize segfaults in H5F__close_cb),
         * so where they cannot be allocated the file is abandoned instead: its descriptor is
         * pointed at an anonymous memory file, the close "succeeds" there, and the caller removes
         * the temporary file. */
        if (H5Fget_eoa(f, &eoa) < 0) rc = CS_ERROR(CS_EIO, "%s: cannot size the file", path);
        else rc = commit_reserve(path, (uint64_t)eoa);
        if (rc != CS_OK) {
            hid_t fapl = H5Fget_access_plist(f);
            int *fd = NULL;
            int mfd = -1;
            if (fapl >= 0 && H5Pget_driver(fapl) == H5FD_SEC2 &&
                H5Fget_vfd_handle(f, fapl, (void **)&fd) >= 0 && fd &&
                (mfd = memfd_create("cs-abandoned", 0)) >= 0) {
                dup2(mfd, *fd);
                close(mfd);
            }
            if (fapl >= 0) H5Pclose(fapl);
        }
    }
    h5util_close_objects(f);
    if (H5Fclose(f) < 0 && rc == CS_OK) rc = h5util_fail(-1, path, "cannot close (flush) the file");
    return rc;
}

/* Whether f was opened through MPI-IO (a file shared by several ranks). */
static int h5util_is_mpio(hid_t f)
{
    hid_t fapl = H5Fget_access_plist(f);
    int mpio = fapl >= 0 && H5Pget_driver(fapl) == H5FD_MPIO;
    if (fapl >= 0) H5Pclose(fapl);
    return mpio;
}

int h5util_close_shared(hid_t f, const char *path)
{
    if (!h5util_is_mpio(f)) return h5util_close_file(f, path);
    /* MPI-IO: the bytes were reserved when rank 0 created the file (h5util_create_laid_out) and
     * the ranks wrote raw rows only, so the close has no metadata of its own to place */
    h5util_close_objects(f);
    if (H5Fclose(f) < 0) return h5util_fail(-1, path, "cannot close (flush) the file");
    return CS_OK;
}

/* A file access list: MPI-IO over comm, or the default (POSIX) driver for MPI_COMM_NULL. */
static hid_t h5util_fapl(MPI_Comm comm)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (comm != MPI_COMM_NULL) H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    return fapl;
}

int h5util_open_read(const char *path, MPI_Comm comm, hid_t *out)
{
    if (access(path, R_OK) != 0)
        return CS_ERROR(CS_EIO, "%s: cannot open: %s", path, strerror(errno));
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) return CS_ERROR(CS_EFORMAT, "%s: not an HDF5 file", path);
    hid_t fapl = h5util_fapl(comm);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f < 0) return CS_ERROR(CS_EIO, "%s: cannot open as HDF5", path);
    *out = f;
    return CS_OK;
}

int h5util_create(const char *tmp_path, hid_t *out)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* Objects of 64 KiB and more start on a 4 KiB file-system block. (1 MiB alignment, tried
     * first, left a hole after every 1.5 MB feature chunk: files 40% larger than their data.) */
    H5Pset_alignment(fapl, 1 << 16, 1 << 12);
    hid_t f = H5Fcreate(tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f < 0) {
        if (commit_fs_full(tmp_path, 0))
            return CS_ERROR(CS_EIO, "no space left on device: %s", tmp_path);
        return CS_ERROR(CS_EIO, "%s: cannot create (directory missing or not writable?)", tmp_path);
    }
    *out = f;
    return CS_OK;
}

int h5util_create_laid_out(const char *tmp_path, h5util_layout_fn layout, void *arg)
{
    hid_t f = -1;
    int rc = h5util_create(tmp_path, &f);
    if (rc == CS_OK) {
        rc = layout(f, arg);
        /* reserves every byte of the file, the rows every rank writes later included (they are
         * allocated at creation): a disk too small fails here, before any work */
        int crc = h5util_close_file(f, tmp_path);
        if (rc == CS_OK) rc = crc;
        if (rc != CS_OK) unlink(tmp_path);
    }
    return rc;
}

int h5util_reopen_shared(const char *tmp_path, MPI_Comm comm, hid_t *out)
{
    *out = -1;
    hid_t fapl = h5util_fapl(comm);
    hid_t f = H5Fopen(tmp_path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    if (f < 0) return CS_ERROR(CS_EIO, "%s: cannot reopen for writing", tmp_path);
    *out = f;
    return CS_OK;
}

char *h5util_tmpname(const char *path)
{
    size_t n = strlen(path) + 5;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s.tmp", path);
    return s;
}

int h5util_commit_local(const char *tmp, const char *path, int ok)
{
    int rc = CS_OK;
    if (ok) {
        commit_set *cs = commit_set_alloc();
        rc = cs ? commit_set_add(cs, tmp, path, NULL) : CS_ERROR(CS_ENOMEM, "out of memory");
        if (rc == CS_OK) rc = commit_set_apply(cs);
        commit_set_free(cs);
        if (rc != CS_OK) unlink(tmp);
    } else {
        unlink(tmp);
    }
    return rc;
}

static hid_t h5util_strtype(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

static int h5util_attr_write(hid_t obj, const char *name, hid_t type, const void *v)
{
    if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = a >= 0 ? H5Awrite(a, type, v) : -1;
    if (e < 0) {
        int rc = h5util_fail(obj, NULL, "cannot write attribute %s", name);
        if (a >= 0) H5Aclose(a);
        H5Sclose(sp);
        return rc;
    }
    e = H5Aclose(a);
    H5Sclose(sp);
    if (e < 0) return h5util_fail(obj, NULL, "cannot write attribute %s", name);
    return CS_OK;
}

int h5util_attr_write_str(hid_t obj, const char *name, const char *value)
{
    hid_t t = h5util_strtype();
    int rc = h5util_attr_write(obj, name, t, &value);
    H5Tclose(t);
    return rc;
}

int h5util_attr_write_i64(hid_t obj, const char *name, int64_t value)
{
    return h5util_attr_write(obj, name, H5T_NATIVE_INT64, &value);
}

int h5util_attr_write_f64(hid_t obj, const char *name, double value)
{
    return h5util_attr_write(obj, name, H5T_NATIVE_DOUBLE, &value);
}

int h5util_attr_exists(hid_t obj, const char *name) { return H5Aexists(obj, name) > 0; }

int h5util_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t k;
        unsigned min;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { k = 1; min = 0x80; c &= 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; min = 0x800; c &= 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; min = 0x10000; c &= 0x07; }
        else return 0;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (u[i + j] & 0xC0) != 0x80) return 0;
            c = (c << 6) | (u[i + j] & 0x3F);
        }
        /* overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 */
        if (c < min || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) return 0;
        i += k + 1;
    }
    return 1;
}

const char *h5util_class_name(H5T_class_t c)
{
    switch (c) {
    case H5T_INTEGER: return "integer";
    case H5T_FLOAT: return "float";
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    case H5T_ENUM: return "enum";
    case H5T_ARRAY: return "array";
    case H5T_VLEN: return "variable-length sequence";
    case H5T_BITFIELD: return "bitfield";
    case H5T_OPAQUE: return "opaque";
    case H5T_REFERENCE: return "reference";
    default: return "unknown";
    }
}

/* The length of a fixed-length string of w bytes once its padding is removed: NULLTERM and NULLPAD
 * end at the first NUL (a NULLPAD string that fills all w bytes has none); SPACEPAD loses its
 * trailing spaces (and any NULs a writer left). numpy's 'S' arrays are NULLPAD: reading them into a
 * NULLTERM memory type of the same size, as this file once did, dropped their last byte. */
static size_t h5util_fixed_len(const char *raw, size_t w, H5T_str_t pad)
{
    size_t len = strnlen(raw, w);
    if (pad == H5T_STR_SPACEPAD)
        while (len > 0 && raw[len - 1] == ' ') len--;
    return len;
}

int h5util_attr_read_str(hid_t obj, const char *name, char *buf, size_t size)
{
    if (H5Aexists(obj, name) <= 0) return CS_ERROR(CS_EFORMAT, "attribute %s is missing", name);
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = H5Aget_type(a);
    hid_t sp = H5Aget_space(a);
    int rc = CS_OK;
    H5T_class_t c = H5Tget_class(ft);
    hssize_t npts = H5Sget_simple_extent_npoints(sp);
    buf[0] = '\0';
    if (c != H5T_STRING) {
        rc = CS_ERROR(CS_EFORMAT, "attribute %s has the wrong type (%s), expected a string", name,
                      h5util_class_name(c));
    } else if (npts != 1) {
        rc = CS_ERROR(CS_EFORMAT, "attribute %s holds %lld values, expected one string", name,
                      (long long)npts);
    } else if (H5Tis_variable_str(ft) > 0) {
        hid_t t = H5Tcopy(ft); /* same character set as stored: ASCII and UTF-8 both read */
        char *s = NULL;
        if (H5Aread(a, t, &s) < 0) rc = CS_ERROR(CS_EFORMAT, "attribute %s cannot be read", name);
        else if (s && !h5util_utf8_valid(s, strlen(s)))
            rc = CS_ERROR(CS_EFORMAT, "attribute %s is not valid UTF-8", name);
        else snprintf(buf, size, "%s", s ? s : "");
        if (s) H5free_memory(s);
        H5Tclose(t);
    } else {
        /* read in the stored form (no conversion, so no byte is lost to a terminator) and strip
         * the padding here */
        size_t n = H5Tget_size(ft);
        char *tmp = calloc(n + 1, 1);
        hid_t t = H5Tcopy(ft);
        if (!tmp || H5Aread(a, t, tmp) < 0) rc = CS_ERROR(CS_EFORMAT, "attribute %s cannot be read", name);
        else {
            size_t len = h5util_fixed_len(tmp, n, H5Tget_strpad(ft));
            if (!h5util_utf8_valid(tmp, len))
                rc = CS_ERROR(CS_EFORMAT, "attribute %s is not valid UTF-8", name);
            else snprintf(buf, size, "%.*s", (int)len, tmp);
        }
        free(tmp);
        H5Tclose(t);
    }
    H5Sclose(sp);
    H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

static int h5util_attr_read_num(hid_t obj, const char *name, int integral, double *v)
{
    if (H5Aexists(obj, name) <= 0) return CS_ERROR(CS_EFORMAT, "attribute %s is missing", name);
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = H5Aget_type(a);
    hid_t sp = H5Aget_space(a);
    H5T_class_t c = H5Tget_class(ft);
    hssize_t npts = H5Sget_simple_extent_npoints(sp);
    int rc = CS_OK;
    if (c != H5T_INTEGER && c != H5T_FLOAT)
        rc = CS_ERROR(CS_EFORMAT, "attribute %s has the wrong type (%s), expected %s", name,
                      h5util_class_name(c), integral ? "an integer" : "a number");
    else if (npts != 1)
        rc = CS_ERROR(CS_EFORMAT, "attribute %s holds %lld values, expected one", name, (long long)npts);
    else if (H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
        rc = CS_ERROR(CS_EFORMAT, "attribute %s cannot be read", name);
    /* an integer attribute stored as a float must hold a whole number (2^53 bounds what a double
     * carries exactly); float attributes may be NaN (a figure that was not computed) */
    else if (integral && !(*v == floor(*v) && fabs(*v) <= 9007199254740992.0))
        rc = CS_ERROR(CS_EFORMAT, "attribute %s: %.17g is not a whole number", name, *v);
    H5Sclose(sp);
    H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

int h5util_attr_read_i64(hid_t obj, const char *name, int64_t *value)
{
    double v = 0;
    CS_TRY(h5util_attr_read_num(obj, name, 1, &v));
    *value = (int64_t)v;
    return CS_OK;
}

int h5util_attr_read_f64(hid_t obj, const char *name, double *value)
{
    return h5util_attr_read_num(obj, name, 0, value);
}

/* A small whole 1-D dataset, file type ftype, memory type mtype: the integers and the strings. */
static int h5util_write_1d(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *v,
                           size_t n)
{
    hsize_t d = n;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    hid_t ds = H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = ds < 0 ? -1 : (n ? H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) : 0);
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

int h5util_write_strings(hid_t loc, const char *name, const char *const *s, size_t n)
{
    hid_t t = h5util_strtype();
    int rc = h5util_write_1d(loc, name, t, t, s, n);
    H5Tclose(t);
    return rc;
}

void h5util_strings_free(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}


/* Opens dataset name of loc, or says which file lacks it, or holds something else under its name. */
static int h5util_open_ds(hid_t loc, const char *name, const char *file, hid_t *ds)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return CS_ERROR(CS_EFORMAT, "%s: dataset %s is missing", file, name);
    *ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (*ds < 0) return CS_ERROR(CS_EFORMAT, "%s: %s is not a dataset", file, name);
    return CS_OK;
}

int h5util_read_strings(hid_t loc, const char *name, const char *file, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    hid_t ds;
    CS_TRY(h5util_open_ds(loc, name, file, &ds));
    hid_t ft = H5Dget_type(ds);
    hid_t sp = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_ndims(sp);
    hsize_t d = 0;
    int rc = CS_OK;
    if (H5Tget_class(ft) != H5T_STRING || rank != 1) {
        rc = CS_ERROR(CS_EFORMAT, "%s: %s must be a 1-D array of strings", file, name);
        goto done;
    }
    H5Sget_simple_extent_dims(sp, &d, NULL);
    char **res = calloc(d ? d : 1, sizeof(char *));
    if (!res) {
        rc = CS_ERROR(CS_ENOMEM, "out of memory");
        goto done;
    }
    if (H5Tis_variable_str(ft) > 0) {
        hid_t t = H5Tcopy(ft);
        char **tmp = calloc(d ? d : 1, sizeof(char *));
        if (!tmp) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        else if (d && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, tmp) < 0) {
            rc = CS_ERROR(CS_EFORMAT, "%s: %s cannot be read", file, name);
        } else {
            for (hsize_t i = 0; i < d && rc == CS_OK; i++) {
                res[i] = strdup(tmp[i] ? tmp[i] : "");
                if (!res[i]) rc = CS_ERROR(CS_ENOMEM, "out of memory");
            }
            H5Dvlen_reclaim(t, sp, H5P_DEFAULT, tmp);
        }
        free(tmp);
        H5Tclose(t);
    } else {
        /* read in the stored form, unconverted, and strip the padding here (h5util_fixed_len) */
        size_t w = H5Tget_size(ft);
        H5T_str_t pad = H5Tget_strpad(ft);
        char *tmp = calloc(d * w + 1, 1);
        hid_t t = H5Tcopy(ft);
        if (!tmp) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        else if (d && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, tmp) < 0)
            rc = CS_ERROR(CS_EFORMAT, "%s: %s cannot be read", file, name);
        for (hsize_t i = 0; i < d && rc == CS_OK; i++) {
            res[i] = strndup(tmp + i * w, h5util_fixed_len(tmp + i * w, w, pad));
            if (!res[i]) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        }
        free(tmp);
        H5Tclose(t);
    }
    /* names end up in CSV files and JSON: bytes that are not UTF-8 (GBK, Latin-1) are refused here
     * rather than copied into outputs that claim to be UTF-8 */
    for (hsize_t i = 0; i < d && rc == CS_OK; i++)
        if (!h5util_utf8_valid(res[i], strlen(res[i])))
            rc = CS_ERROR(CS_EFORMAT, "%s: %s row %llu: not valid UTF-8 (text must be UTF-8; "
                          "convert it, e.g. with iconv -f GBK -t UTF-8, before writing the file)",
                          file, name, (unsigned long long)i);
    if (rc != CS_OK) h5util_strings_free(res, d);
    else {
        *out = res;
        *n = d;
    }
done:
    H5Sclose(sp);
    H5Tclose(ft);
    H5Dclose(ds);
    return rc;
}

int h5util_write_f64(hid_t loc, const char *name, const double *v, size_t d0, size_t d1)
{
    hsize_t d[2] = {d0, d1};
    hid_t sp = H5Screate_simple(d1 ? 2 : 1, d, NULL);
    hid_t ds = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t e = ds < 0 ? -1 : ((d0 && v) ? H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) : 0);
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
    return h5util_write_1d(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT32, v, n);
}

int h5util_write_i64(hid_t loc, const char *name, const int64_t *v, size_t n)
{
    return h5util_write_1d(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, v, n);
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
