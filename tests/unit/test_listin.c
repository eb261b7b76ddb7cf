/* test_listin.c — reading lists back (io/listin.h) and the evaluation's figures and files
 * (io/evalrep.h): columns found by name in any order, the spreadsheet apostrophe undone, regions from
 * summary.csv, the month from summary.json, the id index; every error return of listin_read; the
 * ratios with their undefined cases; evalrep_write leaving nothing behind when it cannot write. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evalrep.h"
#include "listin.h"
#include "status.h"

static void put(const char *dir, const char *name, const char *text)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_read(void **state)
{
    (void)state;
    char *d = testutil_tmpdir();
    put(d, "summary.csv", "region_index,region,file\n0,north,00-north.csv\n1,'=east,01-east.csv\n2,empty,02-empty.csv\n");
    put(d, "summary.json", "{\n  \"kind\": \"lists\",\n  \"month\": \"2026-10\",\n  \"regions\": []\n}\n");
    /* a byte order mark, columns in another order, an extra column, CRLF */
    put(d, "00-north.csv", "\xef\xbb\xbfphase,grade,extra,id,region\r\nalarm,basic,x,18446744073709551615,north\r\n"
                           "warning,,y,0,north\r\n");
    put(d, "01-east.csv", "rank,id,region,phase,grade\n1,4711,'=east,healthy,3\n");
    put(d, "02-empty.csv", "rank,id,region,phase,grade\n");
    put(d, "notes.txt", "not a list\n");
    listin_table *t = NULL;
    assert_int_equal(listin_read(d, &t), CS_OK);
    assert_int_equal(t->n, 3);
    assert_int_equal(t->n_files, 3);
    assert_string_equal(t->month, "2026-10");
    assert_int_equal(t->n_regions, 3);
    assert_string_equal(t->region_names[0], "north");
    assert_string_equal(t->region_names[1], "=east");
    assert_string_equal(t->region_names[2], "empty");
    long k = listin_find(t, UINT64_MAX);
    assert_int_equal(k, 0);
    assert_int_equal(t->phase[k], LISTIN_ALARM);
    assert_int_equal(t->tier[k], 5);
    k = listin_find(t, 0);
    assert_int_equal(k, 1);
    assert_int_equal(t->tier[k], 0);
    k = listin_find(t, 4711);
    assert_int_equal(t->region[k], 1);
    assert_int_equal(t->phase[k], LISTIN_HEALTHY);
    assert_int_equal(listin_find(t, 4712), -1);
    assert_int_equal(listin_region_find(t, "nowhere"), -1);
    listin_free(t);
    listin_free(NULL);
    free(d);
}

/* Lists written in Chinese (score --lang zh): the headers and phases are found by their Chinese names,
 * the three queues' files of a region are all read, and a Chinese summary.csv gives the regions (its
 * total row, without a region index, is no region: issue 15). */
static void test_read_zh(void **state)
{
    (void)state;
    char *d = testutil_tmpdir();
    put(d, "summary.csv", "\xef\xbb\xbf地区序号,地区,用户数\n0,北京,10\n1,上海,0\n,合计,10\n");
    put(d, "00-北京-retention.csv", "\xef\xbb\xbf排名,队列,用户编号,地区,预警状态,价值等级\n1,挽留,17,北京,告警期,基础\n"
                                   "2,挽留,18,北京,预警期,\n");
    put(d, "00-北京-collections.csv", "\xef\xbb\xbf排名,队列,用户编号,地区,预警状态,价值等级\n1,催缴,19,北京,健康期,2\n");
    put(d, "00-北京-billing.csv", "\xef\xbb\xbf排名,队列,用户编号,地区,预警状态,价值等级\n");
    listin_table *t = NULL;
    assert_int_equal(listin_read(d, &t), CS_OK);
    assert_int_equal(t->n, 3);
    assert_int_equal(t->n_files, 3);
    assert_int_equal(t->n_regions, 2);
    assert_string_equal(t->region_names[1], "上海");
    long k = listin_find(t, 17);
    assert_int_equal(t->phase[k], LISTIN_ALARM);
    assert_int_equal(t->tier[k], 5);
    assert_int_equal(t->phase[listin_find(t, 18)], LISTIN_WARNING);
    k = listin_find(t, 19);
    assert_int_equal(t->phase[k], LISTIN_HEALTHY);
    assert_int_equal(t->region[k], 0);
    assert_int_equal(listin_phase_code("告警期", strlen("告警期")), LISTIN_ALARM);
    assert_int_equal(listin_phase_code("告警", strlen("告警")), -1);
    listin_free(t);
    free(d);
}

/* Lists written before issue 17: a "tier" column numbered the other way (5 the top fifth) is read as
 * the grade (1 the most valuable); a site's grade names are read through its tag rules. */
static void test_read_legacy_and_names(void **state)
{
    (void)state;
    char *d = testutil_tmpdir();
    put(d, "00-a.csv", "id,region,phase,tier\n1,a,alarm,5\n2,a,alarm,1\n3,a,alarm,0\n4,a,alarm,\n");
    listin_table *t = NULL;
    assert_int_equal(listin_read(d, &t), CS_OK);
    assert_int_equal(t->tier[listin_find(t, 1)], 1);
    assert_int_equal(t->tier[listin_find(t, 2)], 5);
    assert_int_equal(t->tier[listin_find(t, 3)], 0);
    assert_int_equal(t->tier[listin_find(t, 4)], 0);
    listin_free(t);
    put(d, "00-a.csv", "id,region,phase,grade\n1,a,alarm,翡翠\n2,a,alarm,basic\n");
    static const char rules[] = "grade 1 翡翠 jade\ngrade 2 b c\ngrade 3 d e\ngrade 4 f g\ngrade 5 h i\n";
    tagconf *tc = NULL;
    assert_int_equal(tagconf_parse(rules, strlen(rules), "site.conf", &tc), CS_OK);
    assert_int_equal(listin_read_graded(d, tc, &t), CS_EDATA); /* basic is not this site's name */
    assert_message_has("grade 'basic' is not a grade name of site.conf", NULL);
    put(d, "00-a.csv", "id,region,phase,grade\n1,a,alarm,翡翠\n2,a,alarm,i\n");
    assert_int_equal(listin_read_graded(d, tc, &t), CS_OK);
    assert_int_equal(t->tier[listin_find(t, 1)], 1);
    assert_int_equal(t->tier[listin_find(t, 2)], 5);
    listin_free(t);
    tagconf_free(tc);
    free(d);
}

/* Writes one list file with body into a fresh directory and expects listin_read to fail. */
static void expect_fail(const char *body, int code, const char *pattern)
{
    char *d = testutil_tmpdir();
    if (body) put(d, "00-a.csv", body);
    listin_table *t = (listin_table *)1;
    assert_int_equal(listin_read(d, &t), code);
    assert_null(t);
    if (!strstr(status_reason(), pattern)) fail_msg("'%s' lacks '%s'", status_reason(), pattern);
    free(d);
}

static void test_errors(void **state)
{
    (void)state;
    expect_fail(NULL, CS_EFORMAT, "holds no list");
    expect_fail("rank,id,region\n1,5,x\n", CS_EFORMAT, "needs id, region and phase columns");
    expect_fail("id,region,phase\n******1234,x,alarm\n", CS_EINVAL, "line 2: the ids are masked");
    expect_fail("id,region,phase\n12a,x,alarm\n", CS_EDATA, "id '12a' is not a subscriber id");
    expect_fail("id,region,phase\n18446744073709551616,x,alarm\n", CS_EDATA, "is not a subscriber id");
    expect_fail("id,region,phase\n,x,alarm\n", CS_EDATA, "is not a subscriber id");
    expect_fail("id,region,phase\n5,x,Alarm\n", CS_EDATA, "line 2: phase 'Alarm'");
    expect_fail("id,region,phase,grade\n5,x,alarm,6\n", CS_EDATA, "grade '6' is not a grade name");
    expect_fail("id,region,phase,grade\n5,x,alarm,2.5\n", CS_EDATA, "grade '2.5'");
    expect_fail("id,region,phase,grade\n5,x,alarm,platinum\n", CS_EDATA, "grade 'platinum'");
    expect_fail("id,region,phase\n5,x,alarm\n6,y,warning\n5,y,warning\n", CS_EDATA, "id 5 is listed twice (in x and y)");
    expect_fail("id,region,phase\n5,x,alarm,extra\n", CS_EDATA, "line 2");
    char *d = testutil_tmpdir();
    char missing[4200], tmp[4200];
    snprintf(missing, sizeof missing, "%s/lists", d);
    snprintf(tmp, sizeof tmp, "%s/lists.tmp", d);
    listin_table *t = NULL;
    assert_int_equal(listin_read(missing, &t), CS_EIO);
    assert_null(strstr(status_reason(), "did not finish"));
    assert_int_equal(mkdir(tmp, 0755), 0);
    assert_int_equal(listin_read(missing, &t), CS_EIO);
    assert_non_null(strstr(status_reason(), "did not finish"));
    free(d);
}

static void test_index(void **state)
{
    (void)state;
    listin_table *t = listin_alloc();
    assert_non_null(t);
    assert_int_equal(listin_find(t, 1), -1); /* not indexed yet */
    enum { N = 5000 };
    assert_int_equal(listin_reserve(t, N), CS_OK);
    size_t r;
    assert_int_equal(listin_region_add(t, "a", &r), CS_OK);
    for (size_t i = 0; i < N; i++) {
        /* ids sharing their low bits, the case a plain modulo would cluster */
        t->id[i] = (uint64_t)i << 32;
        t->region[i] = 0;
        t->phase[i] = LISTIN_WARNING;
        t->tier[i] = 1;
    }
    assert_int_equal(listin_index(t), CS_OK);
    for (size_t i = 0; i < N; i++) assert_int_equal(listin_find(t, (uint64_t)i << 32), (long)i);
    assert_int_equal(listin_find(t, 1), -1);
    assert_int_equal(listin_phase_code("warning", 7), LISTIN_WARNING);
    assert_int_equal(listin_phase_code("warn", 4), -1);
    assert_string_equal(listin_phase_name(LISTIN_ALARM), "alarm");
    assert_string_equal(listin_phase_name(9), "?");
    listin_free(t);
}

/* Two regions; cells (region, phase, tier). */
static void fill(int64_t *v, size_t r, int p, int t, int64_t x)
{
    v[(r * LISTIN_N_PHASES + (size_t)p) * LISTIN_N_TIERS + (size_t)t] = x;
}

static void test_stats(void **state)
{
    (void)state;
    enum { C = 2 * EVALREP_CELLS };
    int64_t listed[C] = {0}, found[C] = {0}, known[C] = {0}, caught[C] = {0};
    int64_t subs[2] = {4000, 1000}, leavers[2] = {80, 0};
    const char *names[2] = {"north", "south"};
    fill(listed, 0, LISTIN_ALARM, 5, 30), fill(found, 0, LISTIN_ALARM, 5, 29), fill(known, 0, LISTIN_ALARM, 5, 27),
        fill(caught, 0, LISTIN_ALARM, 5, 12);
    fill(listed, 0, LISTIN_WARNING, 1, 70), fill(found, 0, LISTIN_WARNING, 1, 70),
        fill(known, 0, LISTIN_WARNING, 1, 70), fill(caught, 0, LISTIN_WARNING, 1, 7);
    fill(listed, 1, LISTIN_WARNING, 2, 3); /* none found: nothing known */
    evalrep_data d = {.lists = "L", .lists_month = "2026-10", .outcomes = "o.h5", .outcomes_month = "2026-10",
                      .have_population = 1, .n_regions = 2, .region_names = names, .listed = listed,
                      .found = found, .known = known, .caught = caught, .subscribers = subs,
                      .leavers = leavers};
    evalrep_stats s;
    evalrep_stats_of(&d, -1, -1, -1, &s);
    assert_int_equal(s.listed, 103);
    assert_int_equal(s.caught, 19);
    assert_close(s.precision, 19.0 / 97.0, 1e-15);
    assert_close(s.recall, 19.0 / 80.0, 1e-15);
    assert_close(s.base_rate, 80.0 / 5000.0, 1e-15);
    assert_close(s.lift, (19.0 / 97.0) / (80.0 / 5000.0), 1e-14);
    evalrep_stats_of(&d, 0, LISTIN_ALARM, -1, &s);
    assert_close(s.precision, 12.0 / 27.0, 1e-15);
    assert_close(s.recall, 12.0 / 80.0, 1e-15); /* share of the region's leavers */
    evalrep_stats_of(&d, 1, -1, -1, &s);
    assert_true(isnan(s.precision)); /* nothing known */
    assert_true(isnan(s.recall));    /* no leavers */
    assert_close(s.base_rate, 0.0, 0);
    assert_true(isnan(s.lift));
    evalrep_stats_of(&d, -1, -1, 5, &s);
    assert_int_equal(s.listed, 30);
    d.have_population = 0;
    evalrep_stats_of(&d, -1, -1, -1, &s);
    assert_true(isnan(s.recall) && isnan(s.base_rate) && isnan(s.lift));
    assert_close(s.precision, 19.0 / 97.0, 1e-15);
    d.have_population = 1;

    char *dir = testutil_tmpdir();
    char prefix[4200], p[4300];
    snprintf(prefix, sizeof prefix, "%s/ev", dir);
    assert_int_equal(evalrep_write(&d, prefix), CS_OK);
    static const char *const ext[] = {".csv", ".json", ".md"};
    for (int k = 0; k < 3; k++) {
        snprintf(p, sizeof p, "%s%s", prefix, ext[k]);
        assert_int_equal(access(p, R_OK), 0);
        snprintf(p, sizeof p, "%s%s.tmp", prefix, ext[k]);
        assert_int_not_equal(access(p, F_OK), 0);
    }
    snprintf(p, sizeof p, "%s.csv", prefix);
    FILE *f = fopen(p, "rb");
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    /* the overall row: 103 listed, 19 caught, 80 leavers of 5000 (4 not in the outcomes, 2 unknown) */
    assert_int_equal(strncmp(line, "overall,,all,all,103,19,0.1958762886597938,80,0.2375,5000,0.016,", 64), 0);
    /* a prefix in a directory that does not exist: CS_EIO and no file */
    snprintf(prefix, sizeof prefix, "%s/no/ev", dir);
    assert_int_equal(evalrep_write(&d, prefix), CS_EIO);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_read_zh),
        cmocka_unit_test(test_read_legacy_and_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_index),
        cmocka_unit_test(test_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
