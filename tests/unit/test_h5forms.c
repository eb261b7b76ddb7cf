/* test_h5forms.c — the HDF5 forms io/h5util.c reads (no MPI, serial HDF5 files written here with the
 * C API in the forms h5py writes): fixed-length strings with each padding, a NULLPAD string that fills
 * every byte (numpy 'S', which once lost its last byte), variable-length ASCII; strings that are not
 * UTF-8 refused with the row; attributes of the wrong type named; integers of every width read
 * exactly (int8 -7 stays -7, uint8 255 stays 255, a uint64 beyond int64 flagged); the UTF-8 check. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "h5util.h"
#include "status.h"

static char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* Writes n fixed-length strings of w bytes (raw, padding included) with the given pad and cset. */
static void write_fixed(hid_t f, const char *name, const char *raw, size_t n, size_t w, H5T_str_t pad,
                        H5T_cset_t cset)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, w);
    H5Tset_strpad(t, pad);
    H5Tset_cset(t, cset);
    hsize_t d = n;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    hid_t ds = H5Dcreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(ds >= 0);
    assert_true(H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Tclose(t);
}

static void test_fixed_strings(void **st)
{
    (void)st;
    h5util_quiet();
    char *dir = testutil_tmpdir(), *p = path_in(dir, "s.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    /* numpy 'S7' of "2026-10" fills all 7 bytes: no NUL at all */
    write_fixed(f, "nullpad", "2026-10" "ab\0\0\0\0\0", 2, 7, H5T_STR_NULLPAD, H5T_CSET_ASCII);
    /* fixed UTF-8: "00-北" is 6 bytes, exactly the width */
    write_fixed(f, "utf8", "00-\xe5\x8c\x97" "x\0\0\0\0\0", 2, 6, H5T_STR_NULLPAD, H5T_CSET_UTF8);
    write_fixed(f, "spacepad", "gold  " "a b   ", 2, 6, H5T_STR_SPACEPAD, H5T_CSET_ASCII);
    write_fixed(f, "nullterm", "abc\0\0\0" "hello\0", 2, 6, H5T_STR_NULLTERM, H5T_CSET_ASCII);
    write_fixed(f, "gbk", "ok\0\0" "\xb1\xb1\xbe\xa9", 2, 4, H5T_STR_NULLPAD, H5T_CSET_ASCII); /* 北京 in GBK */
    H5Fclose(f);

    assert_int_equal(h5util_open_read(p, MPI_COMM_NULL, &f), CS_OK);
    char **s = NULL;
    size_t n = 0;
    assert_int_equal(h5util_read_strings(f, "nullpad", p, &s, &n), CS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(s[0], "2026-10");
    assert_string_equal(s[1], "ab");
    h5util_strings_free(s, n);
    assert_int_equal(h5util_read_strings(f, "utf8", p, &s, &n), CS_OK);
    assert_string_equal(s[0], "00-\xe5\x8c\x97");
    assert_string_equal(s[1], "x");
    h5util_strings_free(s, n);
    assert_int_equal(h5util_read_strings(f, "spacepad", p, &s, &n), CS_OK);
    assert_string_equal(s[0], "gold");
    assert_string_equal(s[1], "a b"); /* inner spaces stay */
    h5util_strings_free(s, n);
    assert_int_equal(h5util_read_strings(f, "nullterm", p, &s, &n), CS_OK);
    assert_string_equal(s[0], "abc");
    assert_string_equal(s[1], "hello");
    h5util_strings_free(s, n);
    s = NULL;
    assert_int_equal(h5util_read_strings(f, "gbk", p, &s, &n), CS_EFORMAT);
    assert_null(s);
    assert_non_null(strstr(status_reason(), "gbk row 1: not valid UTF-8"));
    H5Fclose(f);
    remove(p);
    free(p);
    free(dir);
}

static void test_attributes(void **st)
{
    (void)st;
    char *dir = testutil_tmpdir(), *p = path_in(dir, "a.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sp = H5Screate(H5S_SCALAR);
    int64_t v = 202610;
    hid_t a = H5Acreate2(f, "month_int", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT64, &v);
    H5Aclose(a);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 7);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    a = H5Acreate2(f, "month_S", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, "2026-10");
    H5Aclose(a);
    H5Tclose(t);
    double half = 2.5, whole = 3.0;
    a = H5Acreate2(f, "half", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &half);
    H5Aclose(a);
    a = H5Acreate2(f, "whole", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &whole);
    H5Aclose(a);
    int8_t small = -3;
    a = H5Acreate2(f, "i8", H5T_STD_I8LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT8, &small);
    H5Aclose(a);
    H5Sclose(sp);

    char buf[32];
    assert_int_equal(h5util_attr_read_str(f, "month_S", buf, sizeof buf), CS_OK);
    assert_string_equal(buf, "2026-10");
    assert_int_equal(h5util_attr_read_str(f, "month_int", buf, sizeof buf), CS_EFORMAT);
    assert_non_null(strstr(status_reason(), "attribute month_int has the wrong type (integer), expected a string"));
    assert_int_equal(h5util_attr_read_str(f, "nothing", buf, sizeof buf), CS_EFORMAT);
    assert_non_null(strstr(status_reason(), "attribute nothing is missing"));
    int64_t i = 0;
    assert_int_equal(h5util_attr_read_i64(f, "i8", &i), CS_OK);
    assert_int_equal(i, -3);
    assert_int_equal(h5util_attr_read_i64(f, "whole", &i), CS_OK);
    assert_int_equal(i, 3);
    assert_int_equal(h5util_attr_read_i64(f, "half", &i), CS_EFORMAT);
    assert_non_null(strstr(status_reason(), "is not a whole number"));
    assert_int_equal(h5util_attr_read_i64(f, "month_S", &i), CS_EFORMAT);
    assert_non_null(strstr(status_reason(), "has the wrong type (string), expected an integer"));
    H5Fclose(f);
    remove(p);
    free(p);
    free(dir);
}

static void write_ints(hid_t f, const char *name, hid_t ftype, hid_t mtype, const void *v, size_t n)
{
    hsize_t d = n;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    hid_t ds = H5Dcreate2(f, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(ds);
    H5Sclose(sp);
}

static void test_integers(void **st)
{
    (void)st;
    char *dir = testutil_tmpdir(), *p = path_in(dir, "i.h5");
    hid_t f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    int8_t i8[3] = {-7, 0, 127};
    uint8_t u8[3] = {255, 1, 0};
    uint16_t u16[3] = {65535, 2, 3};
    uint64_t u64[3] = {5, UINT64_MAX, 9};
    write_ints(f, "i8", H5T_STD_I8LE, H5T_NATIVE_INT8, i8, 3);
    write_ints(f, "u8", H5T_STD_U8LE, H5T_NATIVE_UINT8, u8, 3);
    write_ints(f, "u16", H5T_STD_U16BE, H5T_NATIVE_UINT16, u16, 3); /* big-endian too */
    write_ints(f, "u64", H5T_STD_U64LE, H5T_NATIVE_UINT64, u64, 3);
    int64_t buf[3];
    uint64_t big;
    const char *names[] = {"i8", "u8", "u16", "u64"};
    int64_t expect[4][3] = {{-7, 0, 127}, {255, 1, 0}, {65535, 2, 3}, {5, 0, 9}};
    for (int k = 0; k < 4; k++) {
        hid_t ds;
        assert_int_equal(h5util_open_checked(f, names[k], p, H5T_INTEGER, 0, 1, 3, 0, &ds), CS_OK);
        int sg = h5util_int_is_signed(ds);
        assert_int_equal(sg, k == 0);
        assert_int_equal(h5util_read_rows_int(ds, sg, 0, 3, buf, &big), CS_OK);
        if (k == 3) {
            assert_true(big == 1); /* UINT64_MAX does not fit int64: flagged, not wrapped silently */
            assert_true((uint64_t)buf[1] == UINT64_MAX);
        } else {
            assert_true(big == UINT64_MAX);
        }
        for (int i = 0; i < 3; i++)
            if (!(k == 3 && i == 1)) assert_int_equal(buf[i], expect[k][i]);
        H5Dclose(ds);
    }
    /* a size given is still enforced, with both sizes in the message */
    hid_t ds;
    assert_int_equal(h5util_open_checked(f, "u16", p, H5T_INTEGER, 1, 1, 3, 0, &ds), CS_EFORMAT);
    assert_non_null(strstr(status_reason(), "wrong type (2-byte integer, expected 1-byte integer)"));
    assert_int_equal(h5util_open_checked(f, "u16", p, H5T_FLOAT, 0, 1, 3, 0, &ds), CS_EFORMAT);
    assert_non_null(strstr(status_reason(), "wrong type (integer, expected float)"));
    H5Fclose(f);
    remove(p);
    free(p);
    free(dir);
}

static void test_utf8(void **st)
{
    (void)st;
    const char *good[] = {"", "abc", "\xe5\x8c\x97\xe4\xba\xac", "\xc3\xa9", "\xf0\x9f\x98\x80", "\xef\xbb\xbf"};
    const char *bad[] = {"\xb1\xb1\xbe\xa9",  /* GBK */
                         "\xe9t\xe9",         /* Latin-1 */
                         "\xc0\xaf",          /* overlong '/' */
                         "\xed\xa0\x80",      /* surrogate U+D800 */
                         "\xf4\x90\x80\x80",  /* above U+10FFFF */
                         "\xe5\x8c",          /* cut short */
                         "\x80"};             /* stray continuation */
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) assert_true(h5util_utf8_valid(good[i], strlen(good[i])));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_false(h5util_utf8_valid(bad[i], strlen(bad[i])));
}

/* A layout for h5util_create_laid_out: three metric attributes from a name table, then (when *arg
 * says so) a failure, as a layout that runs out of something would return. */
static int layout_metrics(hid_t f, const char *tmp, const void *arg)
{
    static const char *const names[] = {"auc", "ks", "brier"};
    const double v[] = {0.7385, 0.2385, 0.1385};
    int rc = h5util_attr_write_f64s(f, "validation_", names, v, 3);
    if (rc == CS_OK && *(const int *)arg) rc = CS_ERROR(CS_EIO, "%s: layout failed on purpose", tmp);
    return rc;
}

/* The serial half of a shared file (what rank 0 does; mpi/h5shared.c adds the agreement): a failed
 * layout leaves no file, a good one a closed "<path>.tmp" that h5util_commit_local renames, or
 * removes when not ok. */
static void test_laid_out(void **st)
{
    (void)st;
    h5util_quiet();
    char *dir = testutil_tmpdir(), *p = path_in(dir, "m.h5"), *tmp = h5util_tmpname(p);
    int fail = 1;
    assert_int_equal(h5util_create_laid_out(p, layout_metrics, &fail), CS_EIO);
    assert_non_null(strstr(status_reason(), "layout failed on purpose"));
    assert_int_not_equal(access(tmp, F_OK), 0);

    fail = 0;
    assert_int_equal(h5util_create_laid_out(p, layout_metrics, &fail), CS_OK);
    assert_int_equal(access(tmp, F_OK), 0);
    assert_int_not_equal(access(p, F_OK), 0);
    assert_int_equal(h5util_commit_local(tmp, p, 1), CS_OK);
    assert_int_not_equal(access(tmp, F_OK), 0);
    hid_t f;
    assert_int_equal(h5util_open_read(p, MPI_COMM_NULL, &f), CS_OK);
    double v = 0;
    assert_int_equal(h5util_attr_read_f64(f, "validation_ks", &v), CS_OK);
    assert_true(v == 0.2385);
    assert_int_equal(h5util_attr_read_f64(f, "validation_brier", &v), CS_OK);
    assert_true(v == 0.1385);
    assert_int_equal(h5util_attr_read_f64(f, "auc", &v), CS_EFORMAT); /* the prefix is part of the name */
    H5Fclose(f);

    /* not ok: the temporary file goes, the committed one stays */
    assert_int_equal(h5util_create_laid_out(p, layout_metrics, &fail), CS_OK);
    assert_int_equal(h5util_commit_local(tmp, p, 0), CS_OK);
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_int_equal(access(p, F_OK), 0);

    char *names[] = {"north", "south", "east", "south"};
    assert_int_equal(h5util_names_unique(p, "/regions/name", names, 3), CS_OK);
    assert_int_equal(h5util_names_unique(p, "/regions/name", names, 4), CS_EFORMAT);
    assert_non_null(strstr(status_reason(), "/regions/name row 3: name 'south' repeats row 1"));
    unlink(p);
    free(tmp);
    free(p);
    rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_strings),
        cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_laid_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
