/* badfiles.c — makes broken copies of a good snapshot for test_badinput.sh:
 *   badfiles GOOD.h5 OUTDIR
 * writes OUTDIR/{version,nobrand,wrongtype,region,shape,kind,nolabels,oneclass,allnan,ctype_disagree,
 * ctype_range,ctype_alone}.h5, each wrong in one way (the last three need a snapshot with
 * /subscribers/churn_type, as generate writes). Uses the
 * HDF5 API directly (no h5py needed in CI). */
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy(const char *a, const char *b)
{
    FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
    if (!in || !out) exit(2);
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
}

static hid_t open_copy(const char *good, const char *dir, const char *name)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s.h5", dir, name);
    copy(good, p);
    hid_t f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) exit(3);
    return f;
}

static void set_attr_i64(hid_t f, const char *name, int64_t v)
{
    H5Adelete(f, name);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, name, H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT64, &v);
    H5Aclose(a);
    H5Sclose(sp);
}

/* Reads (write 0) or writes (write 1) *val, one int8 of a 1-D dataset at row. */
static void rw_i8(hid_t f, const char *name, hsize_t row, int8_t *val, int write)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0) exit(4);
    hsize_t one = 1;
    hid_t fs = H5Dget_space(ds);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &row, NULL, &one, NULL);
    hid_t ms = H5Screate_simple(1, &one, NULL);
    if (write) H5Dwrite(ds, H5T_NATIVE_INT8, ms, fs, H5P_DEFAULT, val);
    else H5Dread(ds, H5T_NATIVE_INT8, ms, fs, H5P_DEFAULT, val);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(ds);
}

int main(int argc, char **argv)
{
    if (argc != 3) return 1;
    const char *g = argv[1], *d = argv[2];
    hid_t f = open_copy(g, d, "version");
    set_attr_i64(f, "format_version", 99);
    H5Fclose(f);

    f = open_copy(g, d, "nobrand");
    H5Ldelete(f, "/subscribers/brand", H5P_DEFAULT);
    H5Fclose(f);

    /* /subscribers/region as float32 instead of uint16 */
    f = open_copy(g, d, "wrongtype");
    hsize_t n = 0;
    {
        hid_t ds = H5Dopen2(f, "/subscribers/region", H5P_DEFAULT);
        hid_t sp = H5Dget_space(ds);
        H5Sget_simple_extent_dims(sp, &n, NULL);
        H5Sclose(sp);
        H5Dclose(ds);
    }
    H5Ldelete(f, "/subscribers/region", H5P_DEFAULT);
    {
        hid_t sp = H5Screate_simple(1, &n, NULL);
        hid_t ds = H5Dcreate2(f, "/subscribers/region", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        float *z = calloc(n, sizeof(float));
        H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, z);
        free(z);
        H5Dclose(ds);
        H5Sclose(sp);
    }
    H5Fclose(f);

    /* one region index out of range near the end: only the last rank sees it */
    f = open_copy(g, d, "region");
    {
        hid_t ds = H5Dopen2(f, "/subscribers/region", H5P_DEFAULT);
        hsize_t at = n - 3, one = 1;
        uint16_t v = 999;
        hid_t fs = H5Dget_space(ds);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &one, NULL);
        hid_t ms = H5Screate_simple(1, &one, NULL);
        H5Dwrite(ds, H5T_NATIVE_UINT16, ms, fs, H5P_DEFAULT, &v);
        H5Sclose(ms);
        H5Sclose(fs);
        H5Dclose(ds);
    }
    H5Fclose(f);

    /* churned with one row fewer than id */
    f = open_copy(g, d, "shape");
    H5Ldelete(f, "/subscribers/churned", H5P_DEFAULT);
    {
        hsize_t m = n - 1;
        hid_t sp = H5Screate_simple(1, &m, NULL);
        hid_t ds = H5Dcreate2(f, "/subscribers/churned", H5T_STD_I8LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        int8_t *z = calloc(m, 1);
        H5Dwrite(ds, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, z);
        free(z);
        H5Dclose(ds);
        H5Sclose(sp);
    }
    H5Fclose(f);

    /* another kind of file */
    f = open_copy(g, d, "kind");
    H5Adelete(f, "format");
    {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        hid_t sp = H5Screate(H5S_SCALAR);
        hid_t a = H5Acreate2(f, "format", t, sp, H5P_DEFAULT, H5P_DEFAULT);
        const char *s = "something-else";
        H5Awrite(a, t, &s);
        H5Aclose(a);
        H5Sclose(sp);
        H5Tclose(t);
    }
    H5Fclose(f);
    /* a duplicate id: row n-2 repeats row 5 */
    f = open_copy(g, d, "dupid");
    {
        hid_t ds = H5Dopen2(f, "/subscribers/id", H5P_DEFAULT);
        hsize_t at = 5, one = 1;
        uint64_t v;
        hid_t fs = H5Dget_space(ds);
        hid_t ms = H5Screate_simple(1, &one, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &one, NULL);
        H5Dread(ds, H5T_NATIVE_UINT64, ms, fs, H5P_DEFAULT, &v);
        at = n - 2;
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &at, NULL, &one, NULL);
        H5Dwrite(ds, H5T_NATIVE_UINT64, ms, fs, H5P_DEFAULT, &v);
        H5Sclose(ms);
        H5Sclose(fs);
        H5Dclose(ds);
    }
    H5Fclose(f);

    /* no labels: cannot train (and no churn type, which only stands beside them) */
    f = open_copy(g, d, "nolabels");
    H5Ldelete(f, "/subscribers/churned", H5P_DEFAULT);
    if (H5Lexists(f, "/subscribers/churn_type", H5P_DEFAULT) > 0)
        H5Ldelete(f, "/subscribers/churn_type", H5P_DEFAULT);
    H5Fclose(f);

    if (H5Fis_hdf5(g) > 0) {
        hid_t gf = H5Fopen(g, H5F_ACC_RDONLY, H5P_DEFAULT);
        int has_ct = H5Lexists(gf, "/subscribers/churn_type", H5P_DEFAULT) > 0;
        H5Fclose(gf);
        if (has_ct) {
            /* the last stayer near the end made an involuntary leaver in churn_type only: the last
             * rank sees the disagreement */
            f = open_copy(g, d, "ctype_disagree");
            hsize_t at = n - 1;
            int8_t c = 1;
            for (; at > 0; at--) {
                rw_i8(f, "/subscribers/churned", at, &c, 0);
                if (c == 0) break;
            }
            int8_t two = 2;
            rw_i8(f, "/subscribers/churn_type", at, &two, 1);
            printf("ctype_disagree row %llu\n", (unsigned long long)at);
            H5Fclose(f);
            /* a churn type out of range in the last row */
            f = open_copy(g, d, "ctype_range");
            int8_t seven = 7;
            rw_i8(f, "/subscribers/churn_type", n - 1, &seven, 1);
            H5Fclose(f);
            /* churn_type without churned */
            f = open_copy(g, d, "ctype_alone");
            H5Ldelete(f, "/subscribers/churned", H5P_DEFAULT);
            H5Fclose(f);
        }
    }

    /* one class only: nobody churned */
    f = open_copy(g, d, "oneclass");
    {
        hid_t ds = H5Dopen2(f, "/subscribers/churned", H5P_DEFAULT);
        int8_t *z = calloc(n, 1);
        H5Dwrite(ds, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, z);
        H5Dclose(ds);
        /* nobody left, so nobody left in either way */
        if (H5Lexists(f, "/subscribers/churn_type", H5P_DEFAULT) > 0) {
            ds = H5Dopen2(f, "/subscribers/churn_type", H5P_DEFAULT);
            H5Dwrite(ds, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, z);
            H5Dclose(ds);
        }
        free(z);
    }
    H5Fclose(f);

    /* every indicator missing: screening drops them all */
    f = open_copy(g, d, "allnan");
    {
        hid_t ds = H5Dopen2(f, "/subscribers/features", H5P_DEFAULT);
        hid_t sp = H5Dget_space(ds);
        hsize_t dims[2];
        H5Sget_simple_extent_dims(sp, dims, NULL);
        H5Sclose(sp);
        size_t cnt = (size_t)(dims[0] * dims[1]);
        float *z = malloc(cnt * sizeof(float));
        for (size_t i = 0; i < cnt; i++) z[i] = NAN;
        H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, z);
        free(z);
        H5Dclose(ds);
    }
    H5Fclose(f);
    return 0;
}
