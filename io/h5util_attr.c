/* h5util_attr.c — text in HDF5 files: attributes (strings, integers, doubles) and 1-D string
 * datasets (see h5util.h). Strings are written as variable-length UTF-8, so that h5py and h5dump read
 * them as they are; they are read in every form other tools write (variable or fixed length,
 * NULLTERM, NULLPAD or SPACEPAD, ASCII or UTF-8), and text that is not valid UTF-8 is refused here,
 * before it can reach a CSV or JSON output that claims to be UTF-8.
 */
#include "h5util.h"
#include "h5util_int.h"

#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int h5util_attr_write_f64s(hid_t obj, const char *prefix, const char *const *names, const double *v,
                           size_t n)
{
    char name[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%s%s", prefix, names[i]);
        CS_TRY(h5util_attr_write_f64(obj, name, v[i]));
    }
    return CS_OK;
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

int h5util_write_strings(hid_t loc, const char *name, const char *const *s, size_t n)
{
    hid_t t = h5util_strtype();
    int rc = h5util_write_whole(loc, name, t, t, s, n, 0);
    H5Tclose(t);
    return rc;
}

void h5util_strings_free(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
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

int h5util_names_unique(const char *file, const char *dataset, char *const *names, size_t n)
{
    for (size_t j = 0; j < n; j++)
        for (size_t k = 0; k < j; k++)
            if (strcmp(names[j], names[k]) == 0)
                return CS_ERROR(CS_EFORMAT, "%s: %s row %zu: name '%s' repeats row %zu", file,
                                dataset, j, names[j], k);
    return CS_OK;
}
