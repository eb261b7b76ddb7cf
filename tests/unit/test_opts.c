/* test_opts.c — option values (mpi/opts.c): integers are whole numbers, sizes whole bytes, nan and
 * inf refused for every kind, ranges from the table checked and printed, and the message names the
 * option and the value. opts.c is in cs_mpi but needs no MPI for parsing (CMakeLists links it). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "status.h"

static long li;
static uint64_t u, bytes;
static double d, share;

/* Parses one "--name value" pair against a fresh table; returns the status. */
static int parse1(const char *name, const char *value)
{
    li = 7;
    u = 11;
    bytes = 13;
    d = 2.385;
    share = 0.5;
    opt_def defs[] = {
        {.name = "count", .kind = OPT_INT, .value = &li, .help = "a long", .lo = 0, .hi = 0},
        {.name = "top", .kind = OPT_U64, .value = &u, .help = "a count", .lo = 0, .hi = 0},
        {.name = "rows", .kind = OPT_U64, .value = &u, .help = "a count >= 1", .lo = 1, .hi = HUGE_VAL},
        {.name = "memory", .kind = OPT_BYTES, .value = &bytes, .help = "a size", .lo = 0, .hi = 0},
        {.name = "budget", .kind = OPT_BYTES, .value = &bytes, .help = "a size >= 1M", .lo = 1048576, .hi = HUGE_VAL},
        {.name = "horizon", .kind = OPT_DOUBLE, .value = &d, .help = "a double", .lo = 0, .hi = 0},
        {.name = "share", .kind = OPT_DOUBLE, .value = &share, .help = "a share", .lo = 0, .hi = 1},
        {.name = NULL},
    };
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", name);
    char *argv[] = {"churnscore", opt, (char *)value, NULL};
    status_clear();
    return opt_parse(defs, 3, argv, 1, "test", NULL, 0, NULL);
}

static void refused(const char *name, const char *value, const char *why)
{
    assert_int_equal(parse1(name, value), CS_EINVAL);
    char expect[128];
    snprintf(expect, sizeof expect, "option --%s: '%s' %s", name, value, why);
    if (!strstr(status_reason(), expect)) fail_msg("'%s' lacks '%s'", status_reason(), expect);
}

static void test_integers(void **st)
{
    (void)st;
    assert_int_equal(parse1("top", "250"), CS_OK);
    assert_int_equal(u, 250);
    assert_int_equal(parse1("top", "1e6"), CS_OK); /* a whole number in exponent form */
    assert_int_equal(u, 1000000);
    assert_int_equal(parse1("top", "0"), CS_OK);
    assert_int_equal(u, 0);
    refused("top", "0.7", "is not a whole number");
    refused("top", "1.9", "is not a whole number");
    refused("top", "-3", "is not a whole number");
    refused("top", "nan", "is not a whole number");
    refused("top", "inf", "is not a whole number");
    refused("top", "1e300", "is not a whole number"); /* beyond what a double holds exactly */
    refused("top", "12x", "is not a whole number");
    assert_int_equal(u, 11); /* a refused value leaves the default */
    assert_int_equal(parse1("count", "-42"), CS_OK);
    assert_int_equal(li, -42);
    refused("count", "4.5", "is not a whole number");
    refused("count", "nan", "is not a whole number");
    refused("rows", "0", "is out of range (>= 1)");
    assert_int_equal(parse1("rows", "1"), CS_OK);
}

static void test_sizes(void **st)
{
    (void)st;
    assert_int_equal(parse1("memory", "2G"), CS_OK);
    assert_true(bytes == 2ULL << 30);
    assert_int_equal(parse1("memory", "512M"), CS_OK);
    assert_true(bytes == 512ULL << 20);
    assert_int_equal(parse1("memory", "1.5GiB"), CS_OK);
    assert_true(bytes == 3ULL << 29);
    assert_int_equal(parse1("memory", "123456789"), CS_OK);
    assert_true(bytes == 123456789ULL);
    assert_int_equal(parse1("memory", "64KB"), CS_OK);
    assert_true(bytes == 65536ULL);
    refused("memory", "0.1", "is not a size in bytes");
    refused("memory", "nan", "is not a size in bytes");
    refused("memory", "inf", "is not a size in bytes");
    refused("memory", "-1G", "is not a size in bytes");
    refused("memory", "2X", "is not a size in bytes");
    refused("memory", "9000000T", "is not a size in bytes"); /* 2^63 and beyond */
    refused("budget", "512K", "is out of range (>= 1048576)");
    assert_int_equal(parse1("budget", "1M"), CS_OK);
    uint64_t b = 0;
    assert_int_equal(opt_parse_bytes("0.5K", &b), CS_OK);
    assert_true(b == 512);
    assert_int_equal(opt_parse_bytes("0.3K", &b), CS_EINVAL); /* 307.2 bytes */
}

static void test_doubles(void **st)
{
    (void)st;
    assert_int_equal(parse1("horizon", "2.385"), CS_OK);
    assert_close(d, 2.385, 0);
    assert_int_equal(parse1("horizon", "-1e-3"), CS_OK);
    refused("horizon", "nan", "is not a finite number");
    refused("horizon", "inf", "is not a finite number");
    refused("horizon", "-INF", "is not a finite number");
    refused("horizon", "1e400", "is not a finite number"); /* overflows to inf */
    refused("horizon", "3,5", "is not a finite number");
    assert_int_equal(parse1("share", "1"), CS_OK);
    refused("share", "1.01", "is out of range (0 to 1)");
    refused("share", "-0.2", "is out of range (0 to 1)");
    assert_close(share, 0.5, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_doubles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
