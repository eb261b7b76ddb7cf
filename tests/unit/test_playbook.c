/* test_playbook.c — the playbook (io/playbook.h) and the capacity file (io/capacity.h), the two
 * site-edited inputs of the lists: the built-in playbook is the shipped file and gives the seeds'
 * actions; first match wins; wildcards and tier ranges; the online channel; a byte order mark and
 * CRLF are fine; every refusal (unknown word, missing or extra field, undefined or repeated action,
 * bad text, a hole) names the file and line or the combination. Capacity: K per region and per queue
 * (a queue's own line wins), regions it does not name keep --top, and each refusal names file and
 * line, leaving the bounds as they were. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capacity.h"
#include "playbook.h"
#include "queue.h"
#include "status.h"

static const char *code_of(const playbook *pb, int stage, int phase, int queue, int tier)
{
    const playbook_action *a = playbook_lookup(pb, stage, phase, queue, tier);
    assert_non_null(a);
    return a->code;
}

/* The shipped defaults: the seeds' actions (000, 001, 003, 004). */
static void test_builtin(void **state)
{
    (void)state;
    playbook *pb = NULL;
    assert_int_equal(playbook_builtin(&pb), CS_OK);
    assert_string_equal(code_of(pb, RULES_MATURITY, RULES_ALARM, QUEUE_BILLING, 5), "BILL_REVIEW");
    assert_string_equal(code_of(pb, RULES_GROWTH, RULES_HEALTHY, QUEUE_COLLECTIONS, 0), "COLLECT");
    /* grade 1 is the most valuable (issue 17) */
    assert_string_equal(code_of(pb, RULES_ONBOARDING, RULES_WARNING, QUEUE_RETENTION, 1), "ACCOUNT_MGR");
    assert_string_equal(code_of(pb, RULES_ONBOARDING, RULES_WARNING, QUEUE_RETENTION, 5), "ONB_WELCOME");
    assert_string_equal(code_of(pb, RULES_ONBOARDING, RULES_ALARM, QUEUE_RETENTION, 3), "RET_MATCH");
    assert_string_equal(code_of(pb, RULES_ONBOARDING, RULES_WARNING, QUEUE_RETENTION, 3), "ONB_WELCOME");
    assert_string_equal(code_of(pb, RULES_GROWTH, RULES_WARNING, QUEUE_RETENTION, 0), "GROW_VAS");
    assert_string_equal(code_of(pb, RULES_MATURITY, RULES_WARNING, QUEUE_RETENTION, 4), "MAT_BUNDLE");
    assert_string_equal(code_of(pb, RULES_DECLINE, RULES_WARNING, QUEUE_RETENTION, 5), "DEC_RENEW");
    const playbook_action *a = playbook_lookup(pb, RULES_DECLINE, RULES_WARNING, QUEUE_RETENTION, 5);
    assert_int_equal(a->channel, PB_PHONE);
    assert_int_equal(a->online_channel, PB_APP);
    assert_non_null(strstr(a->text[LANG_EN], "Renewal"));
    assert_non_null(strstr(a->text[LANG_ZH], "续约"));
    assert_true(pb->has_online);
    assert_string_equal(pb->online_indicator, "e_channel_use");
    assert_int_equal(playbook_online(pb, pb->online_min), 1);
    assert_int_equal(playbook_online(pb, pb->online_min - 0.5), 0);
    assert_int_equal(playbook_online(pb, NAN), 0);
    /* out of range: no action */
    assert_null(playbook_lookup(pb, RULES_N_STAGES, 0, QUEUE_RETENTION, 0));
    assert_null(playbook_lookup(pb, 0, 0, QUEUE_NONE, 0));
    assert_null(playbook_lookup(pb, 0, 0, QUEUE_RETENTION, PLAYBOOK_N_TIERS));
    assert_null(playbook_lookup(NULL, 0, 0, QUEUE_RETENTION, 0));
    playbook_free(pb);
    playbook_free(NULL);
    assert_int_equal(playbook_online(NULL, 99), 0);
}

static int parse(const char *text, playbook **pb)
{
    return playbook_parse(text, strlen(text), "site.conf", pb);
}

/* First match wins, wildcards, tier ranges, the order of action and rule lines, comments, CRLF. */
static void test_rules(void **state)
{
    (void)state;
    const char *text =
        "\xef\xbb\xbf# a site's playbook\r\n"
        "rule decline alarm retention 4-5 VIP\r\n"
        "  rule * * * * ALL   \r\n"
        "rule decline * * * NEVER\r\n" /* shadowed: the rule above already covers everything */
        "\r\n"
        "action VIP visit phone | Account manager | 客户经理\r\n"
        "action ALL sms app|Text|短信\r\n"
        "action NEVER store store | In store | 营业厅\r\n";
    playbook *pb = NULL;
    assert_int_equal(parse(text, &pb), CS_OK);
    assert_string_equal(code_of(pb, RULES_DECLINE, RULES_ALARM, QUEUE_RETENTION, 4), "VIP");
    assert_string_equal(code_of(pb, RULES_DECLINE, RULES_ALARM, QUEUE_RETENTION, 5), "VIP");
    assert_string_equal(code_of(pb, RULES_DECLINE, RULES_ALARM, QUEUE_RETENTION, 3), "ALL");
    assert_string_equal(code_of(pb, RULES_DECLINE, RULES_ALARM, QUEUE_BILLING, 5), "ALL");
    assert_string_equal(code_of(pb, RULES_DECLINE, RULES_HEALTHY, QUEUE_COLLECTIONS, 0), "ALL");
    const playbook_action *a = playbook_lookup(pb, RULES_GROWTH, RULES_WARNING, QUEUE_RETENTION, 2);
    assert_string_equal(a->text[LANG_EN], "Text");
    assert_string_equal(a->text[LANG_ZH], "短信");
    assert_int_equal(a->online_channel, PB_APP);
    assert_int_equal(pb->has_online, 0);
    assert_int_equal(playbook_online(pb, 1e9), 0); /* no online line: nobody */
    assert_string_equal(playbook_channel_name(PB_VISIT), "visit");
    assert_string_equal(playbook_channel_label(PB_SMS, LANG_ZH), "短信");
    assert_string_equal(playbook_channel_label(PB_N_CHANNELS, LANG_EN), "?");
    playbook_free(pb);
}

/* text must be refused with CS_EDATA and a message holding want. */
/* Rules keyed on a tag (issue 17): checked before the table in file order, only for rows with the
 * tag; a key the tag rules do not know is refused with the line; a tag skipped on this snapshot
 * turns its rule off. */
static int fake_bit(void *arg, const char *key)
{
    (void)arg;
    return strcmp(key, "vip") == 0 ? 3 : strcmp(key, "family") == 0 ? 0 : strcmp(key, "identity") == 0 ? -1 : -2;
}

static void test_tag_rules(void **state)
{
    (void)state;
    static const char text[] = "action A phone phone | a | 甲\naction V visit visit | v | 贵\naction F sms app | f | 家\n"
                               "action I visit visit | i | 身\n"
                               "rule * alarm retention 1-2 V vip\nrule * * * * F family\nrule * * * * I identity\n"
                               "rule * * * * A\n";
    playbook *pb = NULL;
    assert_int_equal(playbook_parse(text, strlen(text), "t.conf", &pb), CS_OK);
    assert_int_equal(pb->n_tag_rules, 3);
    size_t off = 0;
    assert_int_equal(playbook_bind_tags(pb, fake_bit, NULL, &off), CS_OK);
    assert_int_equal(off, 1);
    const uint64_t vip = 1u << 3, family = 1;
    assert_string_equal(playbook_lookup_tagged(pb, RULES_GROWTH, RULES_ALARM, QUEUE_RETENTION, 2, vip)->code, "V");
    assert_string_equal(playbook_lookup_tagged(pb, RULES_GROWTH, RULES_ALARM, QUEUE_RETENTION, 3, vip)->code, "A");
    assert_string_equal(playbook_lookup_tagged(pb, RULES_GROWTH, RULES_WARNING, QUEUE_RETENTION, 1, vip)->code, "A");
    /* first match wins: vip before family */
    assert_string_equal(playbook_lookup_tagged(pb, RULES_GROWTH, RULES_ALARM, QUEUE_RETENTION, 1, vip | family)->code, "V");
    assert_string_equal(playbook_lookup_tagged(pb, RULES_GROWTH, RULES_WARNING, QUEUE_BILLING, 0, vip | family)->code, "F");
    assert_string_equal(playbook_lookup_tagged(pb, RULES_GROWTH, RULES_WARNING, QUEUE_BILLING, 0, 0)->code, "A");
    assert_string_equal(playbook_lookup_tagged(pb, RULES_GROWTH, RULES_WARNING, QUEUE_BILLING, 0, ~(uint64_t)0 & ~vip & ~family)->code, "A");
    playbook_free(pb);
    static const char bad[] = "action A phone phone | a | 甲\nrule * * * * A\nrule * * * * A nosuch\n";
    assert_int_equal(playbook_parse(bad, strlen(bad), "t.conf", &pb), CS_OK);
    assert_int_equal(playbook_bind_tags(pb, fake_bit, NULL, &off), CS_EDATA);
    assert_message_has("t.conf:3: unknown tag 'nosuch'", NULL);
    playbook_free(pb);
}

static void refuse(const char *text, const char *want)
{
    playbook *pb = (playbook *)1;
    assert_int_equal(parse(text, &pb), CS_EDATA);
    assert_null(pb);
    if (!strstr(status_reason(), want)) fail_msg("'%s' lacks '%s'", status_reason(), want);
}

#define ALL_RULE "rule * * * * A\n"
#define ACT_A "action A phone phone | a | 甲\n"

static void test_refusals(void **state)
{
    (void)state;
    refuse(ACT_A "rule onbording * * * A\n" ALL_RULE, "site.conf:2: unknown stage 'onbording'");
    refuse(ACT_A "rule * alert * * A\n", "site.conf:2: unknown phase 'alert'");
    refuse(ACT_A "rule * * churn * A\n", "site.conf:2: unknown queue 'churn'");
    refuse(ACT_A "rule * * * 6 A\n", "site.conf:2: unknown tier '6'");
    refuse(ACT_A "rule * * * 4-2 A\n", "site.conf:2: unknown tier '4-2'");
    refuse(ACT_A "rule * * * top A\n", "site.conf:2: unknown tier 'top'");
    refuse(ACT_A "rule * * * * B\n", "site.conf:2: unknown action code 'B'");
    refuse(ACT_A "rule * * * *\n", "site.conf:2: a rule line is 'rule STAGE PHASE QUEUE TIER CODE [TAG]' (a field is missing)");
    refuse(ACT_A "rule * * * * A x y\n", "(too many fields)");
    refuse(ACT_A "rule * * * * A Vip\n", "site.conf:2: tag 'Vip' is not a tag key");
    refuse(ACT_A "when * * * * A\n", "site.conf:2: unknown line kind 'when'");
    refuse("action A fax phone | a | 甲\n" ALL_RULE, "site.conf:1: unknown channel 'fax'");
    refuse("action A phone | a | 甲\n" ALL_RULE, "site.conf:1: an action line has exactly CODE, CHANNEL");
    refuse("action A phone phone | a\n" ALL_RULE, "site.conf:1: an action line is");
    refuse("action A phone phone | a | b | c\n" ALL_RULE, "site.conf:1: an action line is");
    refuse("action A-1 phone phone | a | 甲\n" ALL_RULE, "site.conf:1: action code 'A-1'");
    refuse("action A phone phone |  | 甲\n" ALL_RULE, "site.conf:1: action A has no English text");
    refuse("action A phone phone | a | \xe5\x8c\n" ALL_RULE, "site.conf:1: the Chinese text of action A is not UTF-8");
    refuse(ACT_A "action A sms sms | b | 乙\n" ALL_RULE, "site.conf:2: action A is already defined (line 1)");
    refuse(ACT_A "online e_channel_use\n" ALL_RULE, "site.conf:2: the online line is 'online INDICATOR MIN'");
    refuse(ACT_A "online e_channel_use many\n" ALL_RULE, "site.conf:2: the online line's MIN 'many'");
    refuse(ACT_A "online a 1\nonline b 2\n" ALL_RULE, "site.conf:3: a second online line (the first is line 2)");
    /* holes: a combination that can occur and that no rule covers, named */
    refuse(ACT_A, "site.conf: a hole: no rule covers stage onboarding, phase warning, queue retention, tier 0");
    refuse(ACT_A "rule * * retention * A\nrule * * collections * A\n",
           "a hole: no rule covers stage onboarding, phase healthy, queue billing, tier 0");
    refuse(ACT_A "rule * * billing * A\nrule * * collections * A\nrule * warning retention * A\n"
                 "rule * alarm retention 1-5 A\n",
           "a hole: no rule covers stage onboarding, phase alarm, queue retention, tier 0");
    refuse("", "a hole");
    /* retention with phase healthy is no queue's: it needs no rule */
    playbook *pb = NULL;
    assert_int_equal(parse(ACT_A "rule * * billing * A\nrule * * collections * A\nrule * warning * * A\n"
                                 "rule * alarm * * A\n", &pb), CS_OK);
    assert_null(playbook_lookup(pb, RULES_GROWTH, RULES_HEALTHY, QUEUE_RETENTION, 3));
    playbook_free(pb);
    char many[8192] = "";
    for (int i = 0; i <= PLAYBOOK_MAX_ACTIONS; i++) {
        char l[64];
        snprintf(l, sizeof l, "action A%d phone phone | a | 甲\n", i);
        strcat(many, l);
    }
    refuse(many, "more than 64 actions");
    static const char nul[] = "action A phone phone | a | b\n\0" ALL_RULE;
    pb = (playbook *)1;
    assert_int_equal(playbook_parse(nul, sizeof nul - 1, "site.conf", &pb), CS_EDATA);
    assert_null(pb);
    assert_message_has("site.conf:2: a NUL byte", NULL);
}

static void test_read(void **state)
{
    (void)state;
    playbook *pb = (playbook *)1;
    assert_int_equal(playbook_read("/nonexistent/playbook.conf", &pb), CS_EIO);
    assert_null(pb);
    assert_non_null(strstr(status_reason(), "/nonexistent/playbook.conf: cannot open the playbook"));
    char *d = testutil_tmpdir();
    char p[512];
    snprintf(p, sizeof p, "%s/pb.conf", d);
    FILE *f = fopen(p, "w");
    fputs(ACT_A "rule * * * 0-4 A\n", f);
    fclose(f);
    assert_int_equal(playbook_read(p, &pb), CS_EDATA);
    assert_non_null(strstr(status_reason(), "pb.conf: a hole: no rule covers stage onboarding, phase warning, "
                                            "queue retention, tier 5"));
    f = fopen(p, "w");
    fputs(ACT_A ALL_RULE, f);
    fclose(f);
    assert_int_equal(playbook_read(p, &pb), CS_OK);
    assert_string_equal(code_of(pb, RULES_DECLINE, RULES_ALARM, QUEUE_BILLING, 5), "A");
    playbook_free(pb);
    unlink(p);
    free(d);
}

/* ---- capacity ---- */

static const char *const regions[] = {"北京", "上海", "广东"};
#define NREG 3

static char *cap_file(const char *text)
{
    static char p[512];
    char *d = testutil_tmpdir();
    snprintf(p, sizeof p, "%s/capacity.csv", d);
    free(d);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

static uint64_t k_of(const uint64_t *k, int queue, size_t region)
{
    return k[(size_t)(queue - QUEUE_RETENTION) * NREG + region];
}

static void test_capacity(void **state)
{
    (void)state;
    uint64_t k[3 * NREG];
    for (size_t g = 0; g < 3 * NREG; g++) k[g] = 100; /* --top 100 */
    /* a queue's own line wins over its region's line, before or after it; 0 is all */
    char *p = cap_file("\xef\xbb\xbfRegion,K,queue\n上海,20,collections\n上海,7,\n北京,0,\n");
    assert_int_equal(capacity_read(p, regions, NREG, k), CS_OK);
    assert_int_equal(k_of(k, QUEUE_RETENTION, 0), 0);
    assert_int_equal(k_of(k, QUEUE_BILLING, 0), 0);
    assert_int_equal(k_of(k, QUEUE_RETENTION, 1), 7);
    assert_int_equal(k_of(k, QUEUE_COLLECTIONS, 1), 20);
    assert_int_equal(k_of(k, QUEUE_BILLING, 1), 7);
    for (int q = QUEUE_RETENTION; q < QUEUE_N; q++) assert_int_equal(k_of(k, q, 2), 100); /* not named */
    unlink(p);
    /* refusals name the file and line and leave k as it was */
    struct {
        const char *text, *want;
        int code;
    } bad[] = {
        {"region,k\n北京,5\n西藏,3\n", "capacity.csv: line 3: region '西藏' is not a region of the snapshot", CS_EDATA},
        {"region,k\n北京,2.5\n", "capacity.csv: line 2: k '2.5' of region '北京' is not a whole number", CS_EDATA},
        {"region,k\n北京,-1\n", "line 2: k '-1'", CS_EDATA},
        {"region,k\n北京,\n", "line 2: k ''", CS_EDATA},
        {"region,k\n北京,lots\n", "line 2: k 'lots'", CS_EDATA},
        {"region,k,queue\n北京,5,sales\n", "line 2: unknown queue 'sales'", CS_EDATA},
        {"region,k\n北京,5\n北京,6\n", "line 3: region '北京' is given twice (line 2)", CS_EDATA},
        {"region,k,queue\n北京,5,billing\n北京,6,billing\n", "line 3: region '北京', queue billing is given twice", CS_EDATA},
        {"region,size\n北京,5\n", "line 1: the header needs the columns region and k", CS_EFORMAT},
        {"region,k\n北京,5,6\n", "capacity.csv", CS_EDATA},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t k2[3 * NREG];
        memcpy(k2, k, sizeof k2);
        p = cap_file(bad[i].text);
        assert_int_equal(capacity_read(p, regions, NREG, k2), bad[i].code);
        if (!strstr(status_reason(), bad[i].want)) fail_msg("'%s' lacks '%s'", status_reason(), bad[i].want);
        assert_memory_equal(k2, k, sizeof k2);
        unlink(p);
    }
    assert_int_equal(capacity_read("/nonexistent/capacity.csv", regions, NREG, k), CS_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_tag_rules),
        cmocka_unit_test(test_read),
        cmocka_unit_test(test_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
