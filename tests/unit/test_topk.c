/* test_topk.c — bounded per-group top-K (model/topk.h) against a brute-force sort on random data
 * with many tied keys and two bands, in several arrival orders; a K per group, K larger than a group;
 * unbounded groups; the error returns; the k-way merge of sorted runs (any split, any run order, a
 * limit, a failing sink). Also the list helpers of io/lists.h that need no MPI: safe file names for
 * any region name and queue and masked ids, a region CSV whose texts would otherwise start formulas
 * (with its byte order mark, action, channel, indicators, in English and Chinese), the directory and
 * its probe. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lists.h"
#include "playbook.h"
#include "queue.h"
#include "status.h"
#include "rules.h"
#include "topk.h"

static uint64_t rng_state = 2385;
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int cmp_items(const void *a, const void *b)
{
    const topk_item *x = a, *y = b;
    return topk_before(x, y) ? -1 : topk_before(y, x) ? 1 : 0;
}

static void test_order(void **state)
{
    (void)state;
    topk_item a = {.key = 0.385, .id = 17, .row = 4}, b = a;
    assert_false(topk_before(&a, &b)); /* irreflexive */
    b.key = 0.384;
    assert_true(topk_before(&a, &b));
    b.key = 0.385;
    b.id = 16;
    assert_true(topk_before(&b, &a)); /* ties: smaller id first */
    b.id = 17;
    b.row = 3;
    assert_true(topk_before(&b, &a)); /* then smaller row */
    b.key = NAN;
    assert_true(topk_before(&a, &b)); /* NaN last */
    assert_false(topk_before(&b, &a));
    /* the band is compared first: an alarm (band 1) before every warning, whatever the key */
    b.key = 0.01;
    b.band = 1;
    assert_true(topk_before(&b, &a));
    assert_false(topk_before(&a, &b));
    a.band = 1;
    assert_true(topk_before(&a, &b)); /* same band: the key again */
    b.key = NAN;
    a.band = 0;
    assert_true(topk_before(&b, &a)); /* a NaN key in the higher band still comes first */
}

/* n items in groups, keys from a small set (many ties), pushed in the order given by perm. */
static void check_random(size_t n, size_t groups, uint64_t k, int shuffle)
{
    topk_item *it = malloc(n * sizeof *it);
    size_t *perm = malloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++) {
        memset(&it[i], 0, sizeof it[i]);
        it[i].key = (double)(rng() % 37) / 37.0;
        it[i].id = 1000 + rng() % (n / 2 + 1); /* duplicate ids on purpose: row breaks those ties */
        it[i].row = i;
        it[i].region = (uint16_t)(rng() % groups);
        it[i].band = (uint8_t)(rng() % 4 == 0); /* a quarter in band 1, mixed in */
        it[i].prob = it[i].key;
        perm[i] = i;
    }
    if (shuffle)
        for (size_t i = n; i > 1; i--) {
            size_t j = rng() % i, t = perm[i - 1];
            perm[i - 1] = perm[j];
            perm[j] = t;
        }
    /* group g holds at most k + (g % 3) items: a bound per group (0 stays unbounded) */
    uint64_t *kg = malloc(groups * sizeof *kg);
    for (size_t g = 0; g < groups; g++) kg[g] = k ? k + g % 3 : 0;
    topk *t = topk_alloc(groups, kg);
    free(kg);
    assert_non_null(t);
    for (size_t i = 0; i < n; i++) assert_int_equal(topk_push(t, it[perm[i]].region, &it[perm[i]]), CS_OK);
    topk_sort(t);
    uint64_t total = 0;
    for (size_t g = 0; g < groups; g++) {
        /* brute force: all of the group, sorted, cut at k */
        topk_item *ref = malloc((n + 1) * sizeof *ref);
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (it[i].region == g) ref[m++] = it[i];
        qsort(ref, m, sizeof *ref, cmp_items);
        size_t kk = k ? (size_t)k + g % 3 : 0;
        size_t want = kk && kk < m ? kk : m, got = 0;
        topk_item *v = topk_group(t, g, &got);
        assert_int_equal(got, want);
        for (size_t i = 0; i < want; i++) {
            assert_int_equal(v[i].row, ref[i].row);
            assert_int_equal(v[i].id, ref[i].id);
            if (i > 0) assert_true(v[i - 1].band >= v[i].band); /* band 1 all first */
        }
        total += got;
        free(ref);
    }
    assert_int_equal(topk_count(t), total);
    assert_true(topk_bytes(t) >= total * sizeof(topk_item));
    topk_free(t);
    free(it);
    free(perm);
}

static void test_random(void **state)
{
    (void)state;
    check_random(5000, 7, 25, 0);
    check_random(5000, 7, 25, 1);
    check_random(5000, 3, 1, 1);
    check_random(5000, 7, 0, 1);      /* unbounded: everything, sorted */
    check_random(300, 18, 1000, 1);   /* K larger than every group */
    check_random(10, 18, 4, 1);       /* most groups empty */
}

/* topk_merge: a sink that records the rows it is handed, failing at fail_at. */
typedef struct {
    uint64_t *row;
    uint64_t n, fail_at;
} merge_rec;

static int merge_sink(void *arg, uint64_t pos, const topk_item *it)
{
    merge_rec *m = arg;
    assert_int_equal(pos, m->n);
    if (pos == m->fail_at) return CS_EIO;
    m->row[m->n++] = it->row;
    return CS_OK;
}

/* n items with many tied keys and ids split at random over runs (as over ranks), each run sorted:
 * the merge equals the sort of all items, cut at limit, in either order of the runs. */
static void check_merge(size_t n, size_t nruns, uint64_t limit)
{
    topk_item *it = malloc((n + 1) * sizeof *it), *by = malloc((n + 1) * sizeof *by);
    size_t *cnt = calloc(nruns, sizeof *cnt), *heap = malloc(nruns * sizeof *heap);
    uint8_t *which = malloc(n + 1);
    topk_run *runs = malloc(nruns * sizeof *runs);
    merge_rec m = {.row = malloc((n + 1) * sizeof(uint64_t)), .fail_at = UINT64_MAX};
    for (size_t i = 0; i < n; i++) {
        memset(&it[i], 0, sizeof it[i]);
        it[i].key = rng() % 11 == 0 ? NAN : (double)(rng() % 13) / 13.0;
        it[i].id = 500 + rng() % (n / 3 + 1);
        it[i].row = 7 * i + 3;
        it[i].band = (uint8_t)(rng() % 3 == 0);
        which[i] = (uint8_t)(rng() % nruns);
        cnt[which[i]]++;
    }
    /* the runs, contiguous in by[], each sorted */
    size_t at = 0;
    for (size_t q = 0; q < nruns; q++) {
        runs[q].v = by + at;
        runs[q].n = 0;
        for (size_t i = 0; i < n; i++)
            if (which[i] == q) by[at + runs[q].n++] = it[i];
        qsort(by + at, runs[q].n, sizeof *by, cmp_items);
        at += runs[q].n;
    }
    qsort(it, n, sizeof *it, cmp_items);
    uint64_t want = limit < n ? limit : n, merged = 99;
    for (int rev = 0; rev < 2; rev++) {
        topk_run *r = malloc(nruns * sizeof *r);
        for (size_t q = 0; q < nruns; q++) r[q] = runs[rev ? nruns - 1 - q : q];
        m.n = 0;
        assert_int_equal(topk_merge(r, nruns, limit, heap, merge_sink, &m, &merged), CS_OK);
        assert_int_equal(merged, want);
        assert_int_equal(m.n, want);
        for (uint64_t i = 0; i < want; i++) assert_int_equal(m.row[i], it[i].row);
        free(r);
    }
    free(it);
    free(by);
    free(cnt);
    free(heap);
    free(which);
    free(runs);
    free(m.row);
}

static void test_merge(void **state)
{
    (void)state;
    check_merge(4000, 5, UINT64_MAX);
    check_merge(4000, 16, 333);  /* stops at the limit */
    check_merge(3, 7, UINT64_MAX); /* most runs empty */
    check_merge(500, 1, UINT64_MAX);
    check_merge(0, 3, UINT64_MAX);
    /* no runs, limit 0 */
    uint64_t merged = 99;
    merge_rec m = {.row = NULL, .fail_at = UINT64_MAX};
    assert_int_equal(topk_merge(NULL, 0, UINT64_MAX, NULL, merge_sink, &m, &merged), CS_OK);
    assert_int_equal(merged, 0);
    topk_item a[2] = {{.key = 0.75, .id = 2, .row = 9}, {.key = 0.25, .id = 1, .row = 4}};
    topk_run r = {a, 2};
    size_t heap[1];
    assert_int_equal(topk_merge(&r, 1, 0, heap, merge_sink, &m, &merged), CS_OK);
    assert_int_equal(merged, 0);
    /* the sink's failure stops the merge and is returned */
    uint64_t rows[2];
    merge_rec f = {.row = rows, .fail_at = 1};
    assert_int_equal(topk_merge(&r, 1, UINT64_MAX, heap, merge_sink, &f, &merged), CS_EIO);
    assert_int_equal(merged, 1);
    assert_int_equal(rows[0], 9);
}

static void test_errors(void **state)
{
    (void)state;
    const uint64_t k5[3] = {5, 5, 5};
    assert_null(topk_alloc(0, k5));
    topk *t = topk_alloc(3, k5);
    topk_item it = {.key = 0.5, .id = 1};
    assert_int_equal(topk_push(t, 3, &it), CS_EINVAL);
    assert_non_null(strstr(status_reason(), "group 3 out of range"));
    size_t n = 7;
    assert_null(topk_group(t, 3, &n));
    assert_int_equal(n, 0);
    /* a bounded group never grows beyond K */
    for (int i = 0; i < 1000; i++) {
        it.id = (uint64_t)i;
        it.key = (double)(i % 13);
        assert_int_equal(topk_push(t, 1, &it), CS_OK);
    }
    assert_int_equal(topk_count(t), 5);
    assert_true(topk_bytes(t) <= 64 * sizeof(topk_item));
    topk_free(t);
    topk_free(NULL);
}

static void test_file_names(void **state)
{
    (void)state;
    char b[256];
    lists_file_name(3, 18, "北京", QUEUE_RETENTION, b, sizeof b);
    assert_string_equal(b, "03-北京-retention.csv");
    lists_file_name(3, 18, "北京", QUEUE_COLLECTIONS, b, sizeof b);
    assert_string_equal(b, "03-北京-collections.csv");
    lists_file_name(3, 18, "北京", QUEUE_BILLING, b, sizeof b);
    assert_string_equal(b, "03-北京-billing.csv");
    lists_file_name(7, 18, "内蒙古 自治区", QUEUE_RETENTION, b, sizeof b);
    assert_string_equal(b, "07-内蒙古_自治区-retention.csv");
    lists_file_name(12, 150, "../../etc/passwd", QUEUE_RETENTION, b, sizeof b);
    assert_string_equal(b, "012-etcpasswd-retention.csv"); /* no separators, no leading dots */
    lists_file_name(0, 2, "a\tb\nc\x7f:d*e?f\"g<h>i|j\\k", QUEUE_BILLING, b, sizeof b);
    assert_string_equal(b, "00-abcdefghijk-billing.csv");
    lists_file_name(1, 2, "\xff\xfe bad \xe5\x8c", QUEUE_RETENTION, b, sizeof b); /* invalid UTF-8 dropped */
    assert_string_equal(b, "01-_bad_-retention.csv");
    lists_file_name(4, 5, "...", QUEUE_COLLECTIONS, b, sizeof b);
    assert_string_equal(b, "04-region-collections.csv");
    lists_file_name(4, 5, NULL, QUEUE_RETENTION, b, sizeof b);
    assert_string_equal(b, "04-region-retention.csv");
    /* long names are cut on a character boundary */
    char longname[600] = "";
    for (int i = 0; i < 100; i++) strcat(longname, "广");
    lists_file_name(9, 10, longname, QUEUE_COLLECTIONS, b, sizeof b);
    const size_t tail = strlen("-collections.csv");
    assert_true(strlen(b) <= 3 + 120 + tail);
    assert_int_equal((strlen(b) - 3 - tail) % 3, 0);
    assert_string_equal(b + strlen(b) - tail, "-collections.csv");
}

static void test_ids(void **state)
{
    (void)state;
    char b[24];
    lists_format_id(13812345678ull, 0, b);
    assert_string_equal(b, "13812345678");
    lists_format_id(13812345678ull, 1, b);
    assert_string_equal(b, "*******5678");
    lists_format_id(42, 1, b);
    assert_string_equal(b, "42");
    lists_format_id(UINT64_MAX, 1, b);
    assert_string_equal(b, "****************1615");
}

/* A small playbook for the list tests: two actions, every combination covered. */
static const char test_pb[] =
    "online e_channel_use 15\n"
    "action RET_MATCH phone phone | Matching offer, by a senior agent | 资深客服对标挽留\n"
    "action COLLECT sms app | Collections: reminder | 欠费催缴\n"
    "rule * * retention * RET_MATCH\n"
    "rule * * * * COLLECT\n";

static char *read_all(const char *path)
{
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    buf[n] = '\0';
    fclose(in);
    return buf;
}

/* A region CSV with texts that would start formulas, read back byte for byte, in both languages: the
 * byte order mark, the queue, the action and channel from the playbook (the online channel for a
 * subscriber who prefers it), an unknown p_involuntary empty, the indicators of --list-columns as
 * the snapshot holds them (a negative one as a number, NaN empty), and (issue 15) the month-over-month
 * cells: empty without last month, else new_on_list, months_on_list, last month's probability and phase. */
static void test_region_csv(void **state)
{
    (void)state;
    char *dir = testutil_tmpdir();
    assert_non_null(dir);
    const char *regions[] = {"=cmd|' /C calc'!A0", "上海"};
    const char *brands[] = {"+brand", "神州行"};
    const char *inputs[] = {"-minus", "mou_m3"};
    const char *extra[] = {"arpu_m1", "contract_months_left"};
    playbook *pb = NULL;
    assert_int_equal(playbook_parse(test_pb, strlen(test_pb), "test.conf", &pb), CS_OK);
    /* two tags (issue 17), the second with a label a spreadsheet would read as a formula */
    static const char tags_text[] = "tag a\n zh 甲类\n en kind a\n when x > 1\n channel sms\n say.zh 说\n say.en s\n"
                                    "tag b\n zh 乙\n en =b\n when x < 1\n channel sms\n say.zh 说\n say.en s\n";
    tagconf *tc = NULL;
    tageval *tv = NULL;
    const char *const xname[1] = {"x"};
    assert_int_equal(tagconf_parse(tags_text, strlen(tags_text), "t.conf", &tc), CS_OK);
    assert_int_equal(tagconf_bind(tc, xname, 1, 1, &tv), CS_OK);
    lists_ctx c = {.mask_ids = 1, .bom = 1, .n_regions = 2, .region_names = regions, .n_brands = 2,
                   .brand_names = brands, .n_fact_names = 2, .fact_names = inputs, .pb = pb, .n_extra = 2,
                   .extra_names = extra, .tc = tc};
    /* the grade (tier 4: the fourth most valuable) by its name, the tags by their labels */
    static const char *const want[LANG_N] = {
        "\xef\xbb\xbfrank,queue,id,region,brand,probability,p_voluntary,p_involuntary,value_at_risk,stage,phase,"
        "grade,action_code,action,channel,reason_1,reason_2,reason_3,tags,new_on_list,months_on_list,prev_probability,"
        "prev_phase,segment,arpu_m1,contract_months_left\n"
        "1,retention,*******5678,'=cmd|' /C calc'!A0,'+brand,0.238500,0.238500,,172.50,decline,alarm,standard,"
        "RET_MATCH,\"Matching offer, by a senior agent\",phone call,3 calls to a competitor's service line,high -minus: 2.385,,"
        "kind a;=b,,,,,,88.5,-1\n"
        "2,collections,*******5678,'=cmd|' /C calc'!A0,神州行,0.238500,0.238500,0.610000,0.00,decline,alarm,standard,"
        "COLLECT,Collections: reminder,app message,3 calls to a competitor's service line,high -minus: 2.385,,'=b,0,4,0.238500,"
        "warning,,,0.1\n"
        "3,collections,*******5678,'=cmd|' /C calc'!A0,神州行,0.238500,0.238500,0.610000,0.00,decline,alarm,standard,"
        "COLLECT,Collections: reminder,app message,3 calls to a competitor's service line,high -minus: 2.385,,'=b,1,1,,,,,0.1\n",
        "\xef\xbb\xbf排名,队列,用户编号,地区,品牌,流失概率,主动流失概率,被动流失概率,风险价值,生命周期,预警状态,"
        "价值等级,行动代码,建议行动,渠道,原因1,原因2,原因3,客户标签,本月新上榜,连续上榜月数,上月流失概率,上月预警状态,"
        "细分群,arpu_m1,contract_months_left\n"
        "1,挽留,*******5678,'=cmd|' /C calc'!A0,'+brand,0.238500,0.238500,,172.50,衰退期,告警期,普通,"
        "RET_MATCH,资深客服对标挽留,电话外呼,拨打竞争对手客服热线3次,指标-minus偏高：2.385,,甲类;乙,,,,,,88.5,-1\n"
        "2,催缴,*******5678,'=cmd|' /C calc'!A0,神州行,0.238500,0.238500,0.610000,0.00,衰退期,告警期,普通,"
        "COLLECT,欠费催缴,手机营业厅推送,拨打竞争对手客服热线3次,指标-minus偏高：2.385,,乙,0,4,0.238500,预警期,,,0.1\n"
        "3,催缴,*******5678,'=cmd|' /C calc'!A0,神州行,0.238500,0.238500,0.610000,0.00,衰退期,告警期,普通,"
        "COLLECT,欠费催缴,手机营业厅推送,拨打竞争对手客服热线3次,指标-minus偏高：2.385,,乙,1,1,,,,,0.1\n",
    };
    for (int lang = 0; lang < LANG_N; lang++) {
        c.lang = (cs_lang)lang;
        lists_file *f = NULL;
        assert_int_equal(lists_region_open(&c, dir, 0, QUEUE_RETENTION, &f), CS_OK);
        topk_item it = {.key = 0.2385, .id = 13812345678ull, .prob = 0.2385, .var = 172.5, .pvol = 0.2385,
                        .pinv = NAN, .reason = {RULES_FACT_COMPETITOR_CALLS, RULES_FACT_INDICATOR, -1},
                        .fact = {3, 2.385f, NAN}, .region = 0, .brand = 0, .stage = 3, .phase = 2,
                        .tier = 4, .queue = QUEUE_RETENTION, .band = 1, .online = 1,
                        .extra = {88.5f, -1.0f}, .tags = 3};
        assert_int_equal(lists_region_row(f, 1, &it), CS_OK);
        it.var = -0.0;
        it.brand = 1;
        it.pinv = 0.61;
        it.queue = QUEUE_COLLECTIONS; /* one file holds one queue; here only the texts are checked */
        it.extra[0] = NAN;
        it.extra[1] = 0.1f;
        it.tags = 2;
        /* issue 15: last month's scores known: on a list for 3 months up to last month, in warning */
        it.prev_known = 1;
        it.prev_months = 3;
        it.prev_prob = 0.2385;
        it.prev_phase = 1;
        assert_int_equal(lists_region_row(f, 2, &it), CS_OK);
        /* and not scored last month: new, its first month, the last month's cells empty */
        it.prev_months = 0;
        it.prev_prob = NAN;
        it.prev_phase = TOPK_NO_PREV;
        assert_int_equal(lists_region_row(f, 3, &it), CS_OK);
        assert_int_equal(lists_region_close(f), CS_OK);
        char path[512], name[256];
        lists_file_name(0, 2, regions[0], QUEUE_RETENTION, name, sizeof name);
        assert_string_equal(name, "00-=cmd'_C_calc'!A0-retention.csv");
        snprintf(path, sizeof path, "%s/%s", dir, name);
        assert_string_equal(read_all(path), want[lang]);
        unlink(path);
    }
    /* without the byte order mark (--no-bom) the file starts with the header */
    c.bom = 0;
    c.lang = LANG_EN;
    lists_file *f = NULL;
    assert_int_equal(lists_region_open(&c, dir, 1, QUEUE_BILLING, &f), CS_OK);
    assert_int_equal(lists_region_close(f), CS_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/01-上海-billing.csv", dir);
    assert_int_equal(strncmp(read_all(path), "rank,queue,id,", 14), 0);
    unlink(path);
    /* the labels the reader of the lists relies on */
    assert_string_equal(lists_column_label(LISTS_COL_PHASE, LANG_ZH), "预警状态");
    assert_null(lists_column_label(LISTS_N_COLS, LANG_EN));
    assert_string_equal(rules_phase_label(RULES_WARNING, LANG_ZH), "预警期");
    assert_string_equal(rules_stage_label(RULES_ONBOARDING, LANG_ZH), "入网期");
    assert_string_equal(rules_stage_label(9, LANG_EN), "");
    /* a directory that cannot be written: a clear error, nothing left */
    assert_int_equal(lists_region_open(&c, "/nonexistent/dir", 1, QUEUE_RETENTION, &f), CS_EIO);
    assert_null(f);
    assert_non_null(strstr(status_reason(), "cannot create"));
    playbook_free(pb);
    tageval_free(tv);
    tagconf_free(tc);
    rmdir(dir);
    free(dir);
}

/* The directory dance: begin, commit, replace a lists directory, refuse anything else. */
/* summary.csv with last month (issue 15): per region last month's figure and the signed change (a
 * change of 0.00 not "-0.00"; a region last month did not have: both empty), and the total row (no
 * region index, the regions' sums, last month's total over the regions that had one, the overall
 * AUC). Read back byte for byte below the header. */
static void test_summary_previous(void **state)
{
    (void)state;
    char *dir = testutil_tmpdir();
    assert_non_null(dir);
    const char *regions[] = {"north", "south"};
    lists_ctx c = {.n_regions = 2, .region_names = regions, .lang = LANG_EN};
    const int64_t subs[] = {120, 80}, alarm[] = {7, 2}, warning[] = {11, 3}, newl[] = {4, 6};
    /* queue-major: retention of both regions, then collections, then billing */
    const int64_t queued[] = {20, 8, 5, 2, 1, 0}, listed[] = {9, 4, 5, 2, 1, 0};
    const double leavers[] = {3.385, 1.25}, risk[] = {1234.5678, 500.25}, auc[] = {0.71, NAN}, lift[] = {2.5, NAN};
    const double p_subs[] = {118, NAN}, p_listed[] = {17, NAN}, p_leavers[] = {3.9, NAN}, p_risk[] = {1234.5678, NAN},
                 p_alarm[] = {7, NAN}, p_warning[] = {13, NAN};
    lists_summary sm = {.month = "2026-11", .rank_by = "probability", .subscribers = subs, .alarm = alarm,
                        .warning = warning, .queued = queued, .listed = listed, .expected_leavers = leavers,
                        .value_at_risk = risk, .validated = 1, .auc = 0.7, .region_auc = auc, .region_lift10 = lift,
                        .has_prev = 1, .new_listed = newl, .prev_subscribers = p_subs, .prev_listed = p_listed,
                        .prev_expected_leavers = p_leavers, .prev_value_at_risk = p_risk, .prev_alarm = p_alarm,
                        .prev_warning = p_warning, .prev_month = "2026-10"};
    assert_int_equal(lists_summary_write(&c, dir, &sm), CS_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    const char *all = read_all(path);
    assert_int_equal(strncmp(all, "region_index,region,subscribers,", 32), 0);
    assert_non_null(strstr(all, ",validation_auc,new_on_list,subscribers_last_month,subscribers_change,"
                                "listed_last_month,listed_change,expected_leavers_last_month,expected_leavers_change,"
                                "value_at_risk_last_month,value_at_risk_change,alarm_last_month,alarm_change,"
                                "warning_last_month,warning_change\n"));
    assert_string_equal(strchr(all, '\n') + 1,
        "0,north,120,3.385000,7,11,1234.57,20,9,00-north-retention.csv,5,5,00-north-collections.csv,1,1,"
        "00-north-billing.csv,15,0.710000,4,118,2,17,-2,3.900000,-0.515000,1234.57,0.00,7,0,13,-2\n"
        "1,south,80,1.250000,2,3,500.25,8,4,01-south-retention.csv,2,2,01-south-collections.csv,0,0,"
        "01-south-billing.csv,6,,6,,,,,,,,,,,,\n"
        ",total,200,4.635000,9,14,1734.82,28,13,,7,7,,1,1,,21,0.700000,10,118,82,17,4,3.900000,0.735000,"
        "1234.57,500.25,7,2,13,1\n");
    /* without last month the month-over-month cells stay empty */
    sm.has_prev = 0;
    assert_int_equal(lists_summary_write(&c, dir, &sm), CS_OK);
    all = read_all(path);
    assert_non_null(strstr(all, "00-north-billing.csv,15,0.710000,,,,,,,,,,,,,\n"));
    unlink(path);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    unlink(path);
    rmdir(dir);
    free(dir);
}

static void test_dir(void **state)
{
    (void)state;
    char *base = testutil_tmpdir();
    char dir[512], p[600];
    snprintf(dir, sizeof dir, "%s/L", base);
    char *tmp = NULL;
    assert_int_equal(lists_dir_begin(dir, &tmp), CS_OK);
    snprintf(p, sizeof p, "%s/summary.json", tmp);
    FILE *f = fopen(p, "w");
    fputs("{}\n", f);
    fclose(f);
    /* the probe: its name, seen with the right token only, gone after removal */
    char *t2 = lists_dir_tmp(dir);
    assert_string_equal(t2, tmp);
    free(t2);
    assert_int_equal(lists_probe_seen(tmp, 0x2385u), 0);
    assert_int_equal(lists_probe_write(tmp, 0xfedcba9876543210ull), CS_OK);
    assert_int_equal(lists_probe_seen(tmp, 0xfedcba9876543210ull), 1);
    assert_int_equal(lists_probe_seen(tmp, 0xfedcba9876543211ull), 0);
    lists_probe_remove(tmp);
    assert_int_equal(lists_probe_seen(tmp, 0xfedcba9876543210ull), 0);
    snprintf(p, sizeof p, "%s/no-such-dir", tmp);
    assert_int_equal(lists_probe_write(p, 1), CS_EIO);
    assert_int_equal(lists_dir_commit(dir, tmp, 1), CS_OK);
    free(tmp);
    snprintf(p, sizeof p, "%s/summary.json", dir);
    assert_int_equal(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/.probe", dir);
    assert_int_equal(access(p, F_OK), -1);
    snprintf(p, sizeof p, "%s/summary.json", dir);
    /* a second run replaces it; a failed one leaves the first in place */
    assert_int_equal(lists_dir_begin(dir, &tmp), CS_OK);
    assert_int_equal(lists_dir_commit(dir, tmp, 0), CS_OK);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(access(p, F_OK), 0);
    free(tmp);
    assert_int_equal(lists_dir_begin(dir, &tmp), CS_OK);
    assert_int_equal(lists_dir_commit(dir, tmp, 1), CS_OK);
    assert_int_equal(access(p, F_OK), -1); /* the new (empty) one replaced it */
    free(tmp);
    /* a directory with someone else's files is never replaced; a file is not a directory */
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    f = fopen(p, "w");
    fputs("precious\n", f);
    fclose(f);
    assert_int_equal(lists_dir_begin(dir, &tmp), CS_EIO);
    assert_null(tmp);
    assert_non_null(strstr(status_reason(), "not a lists directory"));
    assert_int_equal(lists_dir_begin(p, &tmp), CS_EIO);
    assert_non_null(strstr(status_reason(), "not a directory"));
    assert_int_equal(lists_dir_begin("", &tmp), CS_EINVAL);
    unlink(p);
    rmdir(dir);
    rmdir(base);
    free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),     cmocka_unit_test(test_random),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_errors),    cmocka_unit_test(test_file_names),
        cmocka_unit_test(test_ids),       cmocka_unit_test(test_region_csv),
        cmocka_unit_test(test_dir),       cmocka_unit_test(test_summary_previous),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
