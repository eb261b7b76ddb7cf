/* test_opts.c — option values (mpi/opts.c): integers are whole numbers, sizes whole bytes, nan and
 * inf refused for every kind, ranges from the table checked and printed, and the message names the
 * option and the value. opts.c is in cs_mpi but needs no MPI for parsing (CMakeLists links it). */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "rules.h"
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

/* Storage for every row of the option table, bound by name, as a command binds its struct. */
typedef union {
    const char *s;
    long l;
    uint64_t u;
    double d;
    int f;
} table_slot;
static table_slot slots[256];
static opt_bind binds[257];

static void bind_all(unsigned cmd)
{
    size_t n = 0;
    for (size_t i = 0; options_table[i].name; i++)
        if (options_table[i].cmds & cmd) {
            binds[n] = (opt_bind){options_table[i].name, &slots[i]};
            n++;
        }
    binds[n] = (opt_bind){NULL, NULL};
}

static const table_slot *slot_of(unsigned cmd, const char *name)
{
    for (size_t i = 0; options_table[i].name; i++)
        if ((options_table[i].cmds & cmd) && strcmp(options_table[i].name, name) == 0) return &slots[i];
    fail_msg("no --%s", name);
    return NULL;
}

/* every row's default reads back through its own kind and range (options_parse refuses a bad one
 * with CS_EINTERNAL), a name appears once per command, and every numeric row has a range */
static void test_table_defaults(void **st)
{
    (void)st;
    const unsigned cmds[] = {OPT_CMD_GENERATE, OPT_CMD_INSPECT, OPT_CMD_TRAIN, OPT_CMD_SCORE,
                             OPT_CMD_IMPORT, OPT_CMD_EVALUATE};
    for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
        bind_all(cmds[c]);
        opt_table t;
        char *argv[] = {"churnscore", "cmd", NULL};
        status_clear();
        int rc = options_parse(cmds[c], binds, &t, 2, argv, NULL, 0, NULL);
        /* the only failure without arguments: a required option missing */
        if (rc != CS_OK && !strstr(status_reason(), "is required")) fail_msg("%u: %s", cmds[c], status_reason());
        for (size_t i = 0; options_table[i].name; i++) {
            const opt_spec *a = &options_table[i];
            if (!(a->cmds & cmds[c])) continue;
            for (size_t k = i + 1; options_table[k].name; k++)
                if ((options_table[k].cmds & cmds[c]) && strcmp(options_table[k].name, a->name) == 0)
                    fail_msg("--%s twice in command %u", a->name, cmds[c]);
            if (a->kind == OPT_INT || a->kind == OPT_U64 || a->kind == OPT_DOUBLE || a->kind == OPT_BYTES)
                if (a->lo == 0 && a->hi == 0) fail_msg("--%s has no range", a->name);
        }
    }
    /* a binding without a row, or a row without a binding, is a bug the command cannot run with */
    bind_all(OPT_CMD_INSPECT);
    binds[0].name = "no-such-option";
    opt_table t;
    char *argv[] = {"churnscore", "inspect", NULL};
    assert_int_equal(options_parse(OPT_CMD_INSPECT, binds, &t, 2, argv, NULL, 0, NULL), CS_EINTERNAL);
}

/* score's rule options default to what model/rules.c calls the defaults */
static void test_table_rules(void **st)
{
    (void)st;
    bind_all(OPT_CMD_SCORE);
    opt_table t;
    char *argv[] = {"churnscore", "score", "--in", "x", NULL};
    assert_int_equal(options_parse(OPT_CMD_SCORE, binds, &t, 4, argv, NULL, 0, NULL), CS_OK);
    rules_params rp;
    rules_params_default(&rp);
    assert_true(slot_of(OPT_CMD_SCORE, "onboarding-months")->d == rp.onboarding_months);
    assert_true(slot_of(OPT_CMD_SCORE, "growth-months")->d == rp.growth_months);
    assert_true(slot_of(OPT_CMD_SCORE, "contract-ending-months")->d == rp.contract_ending_months);
    assert_true(slot_of(OPT_CMD_SCORE, "traffic-fall")->d == rp.traffic_fall);
    assert_true(slot_of(OPT_CMD_SCORE, "idle-days")->d == rp.idle_days);
    assert_true(slot_of(OPT_CMD_SCORE, "collapse")->d == rp.collapse);
    assert_true(slot_of(OPT_CMD_SCORE, "collapse-min")->d == rp.collapse_min);
    assert_true(slot_of(OPT_CMD_SCORE, "memory")->u == (uint64_t)2 << 30);
    char *desc = options_describe(&t);
    assert_non_null(desc);
    assert_non_null(strstr(desc, "memory=2G"));
    assert_non_null(strstr(desc, "in=x"));
    free(desc);
}

/* choices, special values, open bounds and months are checked by the parser */
static void test_table_checks(void **st)
{
    (void)st;
    bind_all(OPT_CMD_TRAIN);
    opt_table t;
    struct {
        const char *opt, *val, *msg;
    } bad[] = {
        {"--inputs", "rows", "option --inputs: 'rows' is not auto, factors, raw, both or best"},
        {"--factors", "0", "option --factors: '0' is out of range (>= 1, or auto)"},
        {"--factors", "two", "option --factors: 'two' is out of range (>= 1, or auto)"},
        {"--holdout", "1", "option --holdout: '1' is out of range (>= 0 and < 1)"},
        {"--class-weight", "0", "option --class-weight: '0' is out of range (> 0)"},
        {"--warn-cutoff", "-0.5", "option --warn-cutoff: '-0.5' is out of range (0 to 1, or -1)"},
        {"--bins", "65", "option --bins: '65' is out of range (2 to 64)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {"churnscore", "train", "--in", "x", "--model", "y", (char *)bad[i].opt,
                        (char *)bad[i].val, NULL};
        status_clear();
        assert_int_equal(options_parse(OPT_CMD_TRAIN, binds, &t, 8, argv, NULL, 0, NULL), CS_EINVAL);
        assert_string_equal(status_reason(), bad[i].msg);
    }
    char *ok[] = {"churnscore", "train", "--in", "x", "--model", "y", "--factors", "3", "--warn-cutoff",
                  "-1", "--holdout", "0", NULL};
    assert_int_equal(options_parse(OPT_CMD_TRAIN, binds, &t, 12, ok, NULL, 0, NULL), CS_OK);
    assert_string_equal(slot_of(OPT_CMD_TRAIN, "factors")->s, "3");
    assert_true(slot_of(OPT_CMD_TRAIN, "warn-cutoff")->d == -1);
    bind_all(OPT_CMD_IMPORT);
    char *mon[] = {"churnscore", "import", "--csv", "c", "--out", "o", "--month", "2026-00", NULL};
    status_clear();
    assert_int_equal(options_parse(OPT_CMD_IMPORT, binds, &t, 8, mon, NULL, 0, NULL), CS_EINVAL);
    assert_string_equal(status_reason(), "option --month: '2026-00' is not YYYY-MM");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_table_defaults),
        cmocka_unit_test(test_table_rules),
        cmocka_unit_test(test_table_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
