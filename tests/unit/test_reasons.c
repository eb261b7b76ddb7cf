/* test_reasons.c — the reasons of model/rules.h: every fact's text in English and Chinese, and the
 * facts rules_reasons finds behind a hand-made model's contributions, on hand-made rows (a factor
 * names the dominant indicator the row shows, or nothing; idle days below --idle-days, no complaint,
 * another brand, an onboarding row's contract say nothing; no code twice; a hard signal always
 * said) and on 4000 rows of random values, where every fact's claim is checked against the row
 * values it states and against the row's stage. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmodel.h"
#include "idhash.h"
#include "rules.h"
#include "status.h"

/* ---- texts ---- */

static void test_fact_texts(void **state)
{
    (void)state;
    char b[256];
    const struct { int code; double v; const char *en, *zh; } t[] = {
        {RULES_FACT_DUAL_SIM, 1, "competitor SIM in the same handset", "手机中插有竞争对手的SIM卡"},
        {RULES_FACT_COMPETITOR_CALLS, 3, "3 calls to a competitor's service line", "拨打竞争对手客服热线3次"},
        {RULES_FACT_COMPETITOR_CALLS, 1, "1 call to a competitor's service line", "拨打竞争对手客服热线1次"},
        {RULES_FACT_FORWARD, 2, "forwards calls to a competitor", "呼叫转移至竞争对手号码"},
        {RULES_FACT_SUSP_VOLUNTARY, 1, "asked for a voluntary suspension", "主动申请停机"},
        {RULES_FACT_SUSP_ARREARS, 1, "suspended for unpaid bills", "欠费停机"},
        {RULES_FACT_SUSP_HIGH_BILL, 1, "suspended after a high bill", "高额账单停机"},
        {RULES_FACT_IDLE_DAYS, 22, "no outgoing call for 22 days", "22天无呼出"},
        {RULES_FACT_IDLE_DAYS, 1, "no outgoing call for 1 day", "1天无呼出"},
        /* a fall is printed as the whole percent at or below it: never more than the row fell */
        {RULES_FACT_MINUTES_DOWN, 0.7891, "call minutes down 78% against the two months before",
         "通话分钟数较前两个月下降78%"},
        {RULES_FACT_MINUTES_DOWN, 0.78, "call minutes down 78% against the two months before",
         "通话分钟数较前两个月下降78%"},
        {RULES_FACT_CALLS_DOWN, 1.0, "outgoing calls down 100% against the two months before",
         "呼出次数较前两个月下降100%"},
        {RULES_FACT_DATA_DOWN, 0.999, "mobile data down 99% against the two months before",
         "手机流量较前两个月下降99%"},
        {RULES_FACT_SMS_DOWN, 0.5625, "text messages down 56% against the two months before",
         "短信量较前两个月下降56%"},
        {RULES_FACT_SPEND_DOWN, 0.61, "monthly spend down 61% against the two months before",
         "月消费较前两个月下降61%"},
        {RULES_FACT_COMPLAINTS, 2, "2 complaints last month", "上月投诉2次"},
        {RULES_FACT_COMPLAINTS, 1, "1 complaint last month", "上月投诉1次"},
        {RULES_FACT_CONTRACT_ENDS, 3, "contract ends in 3 months", "合约3个月后到期"},
        {RULES_FACT_CONTRACT_ENDS, 1, "contract ends in 1 month", "合约1个月后到期"},
        {RULES_FACT_CONTRACT_ENDS, 0, "contract ends this month", "合约本月到期"},
        {RULES_FACT_NEW_SUBSCRIBER, 2, "new subscriber: 2 months with us", "新入网用户，在网2个月"},
        {RULES_FACT_NO_FAMILY_PLAN, 0, "not on a family plan", "未办理家庭套餐"},
        {RULES_FACT_NO_GROUP, 0, "not in a group plan", "未加入集团套餐"},
        {RULES_FACT_NO_BROADBAND, 0, "no broadband bundle", "未捆绑宽带"},
        {RULES_FACT_HANDSET_PAID, 0, "handset paid off (no instalments left)", "购机分期已还清"},
        {RULES_FACT_BRAND, 1, "on a brand with more leavers", "所属品牌流失较多"},
        {RULES_FACT_LEVEL + 2 * RULES_MEASURE_SERVICE_CALLS, 12, "high calls to our service line last month: 12",
         "上月拨打客服次数偏高：12"},
        {RULES_FACT_LEVEL + 2 * RULES_MEASURE_NPS + 1, 3, "low satisfaction score (of 10): 3", "满意度评分(满分10)偏低：3"},
        {RULES_FACT_LEVEL + 2 * RULES_MEASURE_DROP_RATE, 2.385, "high dropped-call rate: 2.385", "掉话率偏高：2.385"},
        {RULES_FACT_LEVEL + 2 * RULES_MEASURE_OFFNET_CALLS, 0.574, "high share of calls to other networks: 57%",
         "网外通话占比偏高：57%"},
        {RULES_FACT_LEVEL + 2 * RULES_MEASURE_SPEND + 1, 12.5, "low spend last month: 12.50", "上月消费偏低：12.50"},
        {RULES_FACT_LEVEL + 2 * RULES_MEASURE_MINUTES + 1, 35, "low call minutes last month: 35", "上月通话分钟数偏低：35"},
        {RULES_FACT_LEVEL + 2 * RULES_MEASURE_APP + 1, 0.5, "low app logins last month: 0.5", "上月APP登录次数偏低：0.5"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = rules_fact_text(t[i].code, t[i].v, LANG_EN, b, sizeof b);
        assert_string_equal(b, t[i].en);
        assert_int_equal(n, strlen(t[i].en));
        rules_fact_text(t[i].code, t[i].v, LANG_ZH, b, sizeof b);
        assert_string_equal(b, t[i].zh);
    }
    /* the model's own indicators under their names; a category level is had or lacked */
    const char *const names[] = {"age", "total_day_minutes", "international_plan=yes", "=HYPERLINK(\"x\")"};
    const struct { int code; double v; const char *en, *zh; } g[] = {
        {RULES_FACT_INDICATOR + 2, 265.13, "high total_day_minutes: 265.1", "指标total_day_minutes偏高：265.1"},
        {RULES_FACT_INDICATOR + 3, 12, "low total_day_minutes: 12", "指标total_day_minutes偏低：12"},
        {RULES_FACT_INDICATOR + 4, 1, "has international_plan=yes", "有international_plan=yes"},
        {RULES_FACT_INDICATOR + 5, 0, "lacks international_plan=yes", "无international_plan=yes"},
        {RULES_FACT_INDICATOR + 6, 3, "high =HYPERLINK(\"x\"): 3", "指标=HYPERLINK(\"x\")偏高：3"},
        {RULES_FACT_INDICATOR + 8, 3, "high indicator 5: 3", "指标5偏高：3"}, /* no such name */
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++) {
        rules_fact_text_named(g[i].code, g[i].v, names, 4, LANG_EN, b, sizeof b);
        assert_string_equal(b, g[i].en);
        rules_fact_text_named(g[i].code, g[i].v, names, 4, LANG_ZH, b, sizeof b);
        assert_string_equal(b, g[i].zh);
    }
    /* no fact, no text */
    const int none[] = {-1, RULES_N_FACTS, RULES_FACT_LEVEL - 1, INT16_MAX + 1, -32768};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_int_equal(rules_fact_text(none[i], 1, LANG_EN, b, sizeof b), 0);
        assert_string_equal(b, "");
    }
    /* truncation behaves like snprintf */
    char small[8];
    assert_int_equal(rules_fact_text(RULES_FACT_DUAL_SIM, 1, LANG_EN, small, sizeof small),
                     strlen("competitor SIM in the same handset"));
    assert_string_equal(small, "competi");
    /* the code table of SCORES.h5: a machine name and an English template for every code */
    size_t n = rules_fact_count(4);
    assert_int_equal(n, RULES_FACT_INDICATOR + 8);
    for (size_t c = 0; c < n; c++) {
        char nm[256], tp[256];
        rules_fact_name((int)c, names, 4, nm, sizeof nm);
        rules_fact_template((int)c, names, 4, tp, sizeof tp);
        assert_true(nm[0] != '\0');
        if (c < RULES_N_FACTS || c >= RULES_FACT_LEVEL) {
            assert_true(tp[0] != '\0');
            /* no text can start a spreadsheet formula, whatever the name (the values a fact shows are
             * positive, or 0 for a plan it lacks) */
            for (int l = 0; l < 2; l++) {
                rules_fact_text_named((int)c, 2.385, names, 4, (cs_lang)l, b, sizeof b);
                assert_true(b[0] != '=' && b[0] != '+' && b[0] != '-' && b[0] != '@' && b[0] != '\t' &&
                            b[0] != '\r' && b[0] != '\0');
            }
        }
    }
    rules_fact_template(RULES_FACT_IDLE_DAYS, NULL, 0, b, sizeof b);
    assert_string_equal(b, "no outgoing call for N days");
    rules_fact_template(RULES_FACT_MINUTES_DOWN, NULL, 0, b, sizeof b);
    assert_string_equal(b, "call minutes down N% against the two months before");
    rules_fact_name(RULES_FACT_LEVEL + 2 * RULES_MEASURE_NPS + 1, NULL, 0, b, sizeof b);
    assert_string_equal(b, "level_low:satisfaction");
    rules_fact_name(RULES_FACT_INDICATOR + 2, names, 4, b, sizeof b);
    assert_string_equal(b, "indicator_high:total_day_minutes");
}

/* ---- a hand-made model ---- */

/* The snapshot's columns (in an order of their own). */
static const char *const SN[] = {
    "age", "tenure_months", "contract_months_left", "mou_m1", "mou_m2", "mou_m3", "days_no_outgoing_m3",
    "dual_sim", "competitor_service_calls_m3", "forward_to_competitor_m3", "suspended_voluntary",
    "suspended_arrears", "suspended_high_bill", "complaints_m3", "service_calls_m3", "nps_score",
    "network_drop_rate_m3", "family_plan", "total_day_minutes", "plan=yes"};
enum { S_AGE, S_TEN, S_CON, S_M1, S_M2, S_M3, S_DAYS, S_DUAL, S_COMP, S_FWD, S_SVOL, S_SARR, S_SBILL,
       S_COMPL, S_SERV, S_NPS, S_DROP, S_FAM, S_TDM, S_PLAN, SP };

/* The inputs of the factor model, their mean and sd: usage (mou), dissatisfaction (complaints,
 * service calls, nps, drop rate), a lock-in indicator, then the signals and the lifecycle. */
static const char *const IN[] = {"mou_m1", "mou_m2", "mou_m3", "complaints_m3", "service_calls_m3",
                                 "nps_score", "network_drop_rate_m3", "family_plan", "dual_sim",
                                 "competitor_service_calls_m3", "forward_to_competitor_m3",
                                 "suspended_voluntary", "suspended_arrears", "suspended_high_bill",
                                 "days_no_outgoing_m3", "tenure_months", "contract_months_left"};
#define NIN 17
#define NFA 8
static const double CENTER[NIN] = {300, 300, 300, 0.2, 6, 6.8, 1.2, 0.3, 0, 0, 0, 0, 0, 0, 0.65, 40, 5};
static const double SCALE[NIN] = {150, 150, 150, 0.5, 2.5, 1.8, 0.35, 0.46, 1, 1, 1, 1, 1, 1, 2, 30, 7};
/* loadings [NFA][2]: usage, dissatisfaction */
static const double LOAD[NFA][2] = {{.9, .05}, {.9, .05}, {.9, .05}, {.05, .8},
                                    {.05, .9}, {-.05, -.9}, {.05, .85}, {.1, .1}};

static char *dup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

/* The factor model (inputs factors), or the raw one over total_day_minutes, plan=yes, family_plan
 * and the signals. Betas push as the seeds say: low usage, dissatisfaction, signals, onboarding,
 * a contract ending; brand 1 more leavers, brand 2 fewer. */
static void make_model(cmodel *m, int raw)
{
    memset(m, 0, sizeof *m);
    static const char *const RAW_IN[] = {"total_day_minutes", "plan=yes", "family_plan", "dual_sim",
                                         "suspended_arrears", "suspended_high_bill", "days_no_outgoing_m3"};
    static const double RC[] = {180, 0.1, 0.3, 0, 0, 0, 0.65}, RS[] = {50, 0.3, 0.46, 1, 1, 1, 2};
    size_t p = raw ? 7 : NIN;
    m->p_in = p;
    m->in_names = calloc(p, sizeof(char *));
    m->impute = calloc(p, sizeof(double));
    m->center = calloc(p, sizeof(double));
    m->scale = calloc(p, sizeof(double));
    m->fa_idx = calloc(p, sizeof(int32_t));
    m->signal_idx = calloc(p, sizeof(int32_t));
    for (size_t i = 0; i < p; i++) {
        m->in_names[i] = dup(raw ? RAW_IN[i] : IN[i]);
        m->center[i] = m->impute[i] = raw ? RC[i] : CENTER[i];
        m->scale[i] = raw ? RS[i] : SCALE[i];
    }
    m->tenure_idx = m->contract_idx = -1;
    m->onboarding_months = 3;
    m->contract_ending_months = 1;
    m->n_brands = 3;
    if (raw) {
        m->inputs = CMODEL_INPUTS_RAW;
        m->p_fa = 3;
        for (int j = 0; j < 3; j++) m->fa_idx[j] = j;
        m->n_signal = 4;
        for (int j = 0; j < 4; j++) m->signal_idx[j] = 3 + j;
    } else {
        m->inputs = CMODEL_INPUTS_FACTORS;
        m->p_fa = NFA;
        m->k = 2;
        for (int j = 0; j < NFA; j++) m->fa_idx[j] = j;
        m->loadings = calloc(NFA * 2, sizeof(double));
        m->score_coef = calloc(NFA * 2, sizeof(double));
        for (int j = 0; j < NFA; j++)
            for (int f = 0; f < 2; f++) {
                m->loadings[j * 2 + f] = LOAD[j][f];
                m->score_coef[j * 2 + f] = LOAD[j][f] / 3.0;
            }
        m->factor_labels = calloc(2, sizeof(char *));
        m->factor_labels[0] = dup("mou_m2+mou_m3");
        m->factor_labels[1] = dup("service_calls_m3+nps_score");
        m->n_signal = 7;
        for (int j = 0; j < 7; j++) m->signal_idx[j] = 8 + j;
        m->tenure_idx = 15;
        m->contract_idx = 16;
    }
    m->n_coef = cmodel_design_width(m);
    assert_int_equal(cmodel_name_columns(m), CS_OK);
    size_t w = m->n_coef;
    m->beta = calloc(w, sizeof(double));
    m->coef_mean = calloc(w, sizeof(double));
    for (size_t c = 0; c < w; c++) {
        const char *nm = m->coef_names[c];
        double b = 0, mean = 0;
        if (strcmp(nm, "(intercept)") == 0) b = -3, mean = 1;
        else if (strncmp(nm, "factor1", 7) == 0) b = -0.5;
        else if (strncmp(nm, "factor2", 7) == 0) b = 0.6;
        else if (strcmp(nm, "days_no_outgoing_m3") == 0) b = 0.1, mean = 0.65;
        else if (strcmp(nm, "suspended_high_bill") == 0) b = 0.5, mean = 0.004;
        else if (m->coef_kind[c] == CMODEL_COL_SIGNAL) b = 1.5, mean = 0.003;
        else if (strcmp(nm, "onboarding") == 0) b = 0.8, mean = 0.08;
        else if (strcmp(nm, "contract_ending") == 0) b = 1.0, mean = 0.05;
        else if (strcmp(nm, "brand1") == 0) b = 0.4, mean = 0.3;
        else if (strcmp(nm, "brand2") == 0) b = -0.3, mean = 0.3;
        else if (strcmp(nm, "total_day_minutes") == 0) b = 0.7;
        else if (strcmp(nm, "plan=yes") == 0) b = 0.9;
        else if (strcmp(nm, "family_plan") == 0) b = -0.4;
        m->beta[c] = b;
        m->coef_mean[c] = mean;
    }
}

typedef struct {
    cmodel m;
    long pick[NIN];
    rules_reasoner *r;
    rules_params rp;
    rules_cols cols;
} kit;

static void kit_init(kit *k, int raw)
{
    make_model(&k->m, raw);
    for (size_t i = 0; i < k->m.p_in; i++) {
        k->pick[i] = -1;
        for (size_t j = 0; j < SP; j++)
            if (strcmp(SN[j], k->m.in_names[i]) == 0) k->pick[i] = (long)j;
        assert_true(k->pick[i] >= 0);
    }
    rules_params_default(&k->rp);
    k->r = rules_reasoner_alloc(&k->m, k->pick, SN, SP, &k->rp);
    assert_non_null(k->r);
    rules_cols_find(SN, SP, &k->cols);
}

static void kit_clear(kit *k)
{
    rules_reasoner_free(k->r);
    cmodel_clear(&k->m);
}

/* The reasons of one row of brand b. */
static size_t kit_reasons(const kit *k, const float *x, uint8_t b, int16_t code[3], float fact[3])
{
    float xin[NIN], X[64];
    double ws[64];
    for (size_t i = 0; i < k->m.p_in; i++) xin[i] = x[k->pick[i]];
    assert_true(k->m.n_coef <= 64);
    cmodel_design(&k->m, xin, &b, 1, X, ws);
    size_t n = rules_reasons(k->r, x, X, code, fact);
    for (size_t a = 0; a < 3; a++) {
        if (a >= n) {
            assert_int_equal(code[a], -1);
            assert_true(isnan(fact[a]));
        }
        for (size_t c = a + 1; c < n; c++) assert_int_not_equal(code[a], code[c]); /* never twice */
    }
    return n;
}

static int has_code(const int16_t *code, size_t n, int c)
{
    for (size_t k = 0; k < n; k++)
        if (code[k] == c) return 1;
    return 0;
}

/* A settled, unremarkable subscriber without a contract. */
static void plain_row(float *x)
{
    static const float v[SP] = {41, 37, -1, 300, 310, 295, 0, 0, 0, 0, 0, 0, 0, 0, 6, 7, 1.2f, 1, 170, 0};
    memcpy(x, v, sizeof v);
}

static void test_factor_facts(void **state)
{
    (void)state;
    kit k;
    kit_init(&k, 0);
    float x[SP];
    int16_t code[3];
    float fact[3];
    char b[256];
    /* dissatisfied by many service calls but no complaint: the service calls are the fact, never
     * "complaints" */
    plain_row(x);
    x[S_SERV] = 14;
    size_t n = kit_reasons(&k, x, 0, code, fact);
    int serv = RULES_FACT_LEVEL + 2 * RULES_MEASURE_SERVICE_CALLS;
    assert_true(n >= 1);
    assert_int_equal(code[0], serv);
    assert_close(fact[0], 14, 0);
    assert_false(has_code(code, n, RULES_FACT_COMPLAINTS));
    rules_fact_text(code[0], fact[0], LANG_EN, b, sizeof b);
    assert_string_equal(b, "high calls to our service line last month: 14");
    /* a low satisfaction score (the next dominant indicator) when the calls are usual */
    x[S_SERV] = 6;
    x[S_NPS] = 2;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(code[0], RULES_FACT_LEVEL + 2 * RULES_MEASURE_NPS + 1);
    assert_close(fact[0], 2, 0);
    /* dissatisfied on balance, but no single indicator shows: no reason at all */
    x[S_NPS] = 5.5f;
    x[S_DROP] = 1.5f;
    x[S_SERV] = 8;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(n, 0);
    /* two complaints: said with their number */
    plain_row(x);
    x[S_COMPL] = 2;
    x[S_SERV] = 7;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_true(has_code(code, n, RULES_FACT_COMPLAINTS));
    /* usage: a traffic fall, said once although the factor and the collapse both name it */
    plain_row(x);
    x[S_M3] = 62;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(code[0], RULES_FACT_MINUTES_DOWN);
    assert_close(fact[0], 1.0 - 62.0 / 305.0, 1e-6);
    rules_fact_text(code[0], fact[0], LANG_EN, b, sizeof b);
    assert_string_equal(b, "call minutes down 79% against the two months before");
    /* a new subscriber's usage without history: low minutes, no fall claimed */
    x[S_M1] = x[S_M2] = NAN;
    x[S_TEN] = 1;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_false(has_code(code, n, RULES_FACT_MINUTES_DOWN));
    assert_true(has_code(code, n, RULES_FACT_LEVEL + 2 * RULES_MEASURE_MINUTES + 1));
    assert_true(has_code(code, n, RULES_FACT_NEW_SUBSCRIBER));
    kit_clear(&k);
}

static void test_lifecycle_brand_signal_facts(void **state)
{
    (void)state;
    kit k;
    kit_init(&k, 0);
    float x[SP];
    int16_t code[3];
    float fact[3];
    /* a few idle days push the score, but below --idle-days they are no reason */
    plain_row(x);
    x[S_DAYS] = 3;
    size_t n = kit_reasons(&k, x, 0, code, fact);
    assert_false(has_code(code, n, RULES_FACT_IDLE_DAYS));
    x[S_DAYS] = 22;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(code[0], RULES_FACT_IDLE_DAYS);
    assert_close(fact[0], 22, 0);
    /* brands: the row's own brand with more leavers; never "fewer leavers" for another brand */
    plain_row(x);
    n = kit_reasons(&k, x, 0, code, fact); /* brand 0: only brand2's absence pushes */
    assert_false(has_code(code, n, RULES_FACT_BRAND));
    n = kit_reasons(&k, x, 2, code, fact);
    assert_false(has_code(code, n, RULES_FACT_BRAND));
    n = kit_reasons(&k, x, 1, code, fact);
    assert_true(has_code(code, n, RULES_FACT_BRAND));
    /* an onboarding subscriber whose (imported) contract ends: new, never "contract ends" */
    plain_row(x);
    x[S_TEN] = 2;
    x[S_CON] = 1;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_true(has_code(code, n, RULES_FACT_NEW_SUBSCRIBER));
    assert_false(has_code(code, n, RULES_FACT_CONTRACT_ENDS));
    assert_int_equal(rules_stage(&k.rp, &k.cols, x), RULES_ONBOARDING);
    x[S_TEN] = 30;
    x[S_CON] = 1;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(code[0], RULES_FACT_CONTRACT_ENDS);
    assert_close(fact[0], 1, 0);
    assert_int_equal(rules_stage(&k.rp, &k.cols, x), RULES_DECLINE);
    /* the model's flag says "ending" for 1 month, the stage rule for 3: the fact follows the stage */
    x[S_CON] = 2;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_false(has_code(code, n, RULES_FACT_CONTRACT_ENDS));
    /* hard signals: each said, those the model ranks low too */
    plain_row(x);
    x[S_SARR] = 1;
    x[S_DUAL] = 1;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_true(has_code(code, n, RULES_FACT_SUSP_ARREARS));
    assert_true(has_code(code, n, RULES_FACT_DUAL_SIM));
    /* a high-bill suspension, the model's fourth contribution: it takes the last slot */
    plain_row(x);
    x[S_SBILL] = 1;
    x[S_DAYS] = 25;
    x[S_SERV] = 16;
    x[S_TEN] = 2;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(n, 3);
    assert_int_equal(code[2], RULES_FACT_SUSP_HIGH_BILL);
    assert_int_equal(code[0], RULES_FACT_IDLE_DAYS);
    /* no signal, no contribution: nothing */
    plain_row(x);
    x[S_M1] = x[S_M2] = x[S_M3] = 700;
    x[S_SERV] = 2;
    x[S_NPS] = 9;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(n, 0);
    kit_clear(&k);
}

static void test_raw_facts(void **state)
{
    (void)state;
    kit k;
    kit_init(&k, 1);
    float x[SP];
    int16_t code[3];
    float fact[3];
    char b[256];
    plain_row(x);
    x[S_TDM] = 265.13f;
    x[S_PLAN] = 1;
    x[S_FAM] = 0;
    size_t n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(n, 3);
    const char *const *names = (const char *const *)k.m.in_names;
    const char *const want[] = {"has plan=yes", "high total_day_minutes: 265.1", "not on a family plan"};
    for (int a = 0; a < 3; a++) {
        rules_fact_text_named(code[a], fact[a], names, k.m.p_in, LANG_EN, b, sizeof b);
        assert_string_equal(b, want[a]);
    }
    /* below one sd above the mean: the minutes are no reason; without the plan, none either */
    x[S_TDM] = 229;
    x[S_PLAN] = 0;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(n, 1);
    assert_int_equal(code[0], RULES_FACT_NO_FAMILY_PLAN);
    x[S_TDM] = NAN; /* missing shows nothing (the model imputes the mean) */
    x[S_FAM] = NAN;
    n = kit_reasons(&k, x, 0, code, fact);
    assert_int_equal(n, 0);
    kit_clear(&k);
}

/* Every fact of 4000 random rows holds on the row values it states, and agrees with the row's stage. */
static void test_facts_hold(void **state)
{
    (void)state;
    for (int raw = 0; raw < 2; raw++) {
        kit k;
        kit_init(&k, raw);
        const rules_params *p = &k.rp;
        size_t counts[RULES_FACT_INDICATOR + 2 * NIN] = {0};
        uint64_t s = 0x2385;
        for (int row = 0; row < 4000; row++) {
            float x[SP];
            double u[SP];
            for (int j = 0; j < SP; j++) u[j] = (double)((s = idhash_mix(s + 0x9e37)) >> 11) * 0x1p-53;
            x[S_AGE] = (float)(18 + 60 * u[S_AGE]);
            x[S_TEN] = (float)floor(1 + 40 * u[S_TEN]);
            x[S_CON] = u[S_CON] < 0.5 ? -1.0f : (float)floor(24 * (2 * u[S_CON] - 1));
            for (int m = S_M1; m <= S_M3; m++) x[m] = (float)floor(600 * u[m]);
            if (x[S_TEN] <= 2) x[S_M1] = NAN;
            if (x[S_TEN] <= 1) x[S_M2] = NAN;
            x[S_DAYS] = u[S_DAYS] < 0.7 ? 0.0f : (float)floor(31 * u[S_DAYS]);
            for (int j = S_DUAL; j <= S_SBILL; j++) x[j] = u[j] < 0.9 ? 0.0f : (float)floor(1 + 3 * u[j]);
            x[S_COMPL] = u[S_COMPL] < 0.7 ? 0.0f : (float)floor(4 * u[S_COMPL]);
            x[S_SERV] = (float)floor(16 * u[S_SERV]);
            x[S_NPS] = (float)floor(11 * u[S_NPS]);
            x[S_DROP] = (float)(0.5 + 2 * u[S_DROP]);
            x[S_FAM] = u[S_FAM] < 0.5 ? 0.0f : 1.0f;
            x[S_TDM] = (float)(300 * u[S_TDM]);
            x[S_PLAN] = u[S_PLAN] < 0.5 ? 0.0f : 1.0f;
            uint8_t brand = (uint8_t)(row % 3);
            int16_t code[3];
            float fact[3];
            size_t n = kit_reasons(&k, x, brand, code, fact);
            int stage = rules_stage(p, &k.cols, x);
            unsigned sig = rules_signals(p, &k.cols, x);
            for (size_t a = 0; a < n; a++) {
                int c = code[a];
                double v = fact[a];
                counts[c]++;
                double base = 0.5 * ((double)x[S_M1] + x[S_M2]), m3 = x[S_M3];
                switch (c) {
                case RULES_FACT_DUAL_SIM: assert_true(x[S_DUAL] > 0); break;
                case RULES_FACT_COMPETITOR_CALLS: assert_true(x[S_COMP] >= 1 && v == x[S_COMP]); break;
                case RULES_FACT_FORWARD: assert_true(x[S_FWD] > 0); break;
                case RULES_FACT_SUSP_VOLUNTARY: assert_true(x[S_SVOL] > 0); break;
                case RULES_FACT_SUSP_ARREARS: assert_true(x[S_SARR] > 0); break;
                case RULES_FACT_SUSP_HIGH_BILL: assert_true(x[S_SBILL] > 0); break;
                case RULES_FACT_IDLE_DAYS:
                    assert_true(x[S_DAYS] >= p->idle_days && v == x[S_DAYS]);
                    assert_true(stage == RULES_DECLINE || stage == RULES_ONBOARDING);
                    break;
                case RULES_FACT_MINUTES_DOWN:
                    assert_true(base > 0 && (m3 < (1 - p->traffic_fall) * base || (sig & RULES_SIG_COLLAPSE)));
                    assert_close(v, 1 - m3 / base, 1e-6);
                    assert_true(stage == RULES_DECLINE || stage == RULES_ONBOARDING);
                    break;
                case RULES_FACT_COMPLAINTS: assert_true(x[S_COMPL] > 0 && v == x[S_COMPL]); break;
                case RULES_FACT_CONTRACT_ENDS:
                    assert_true(x[S_CON] >= 0 && x[S_CON] <= p->contract_ending_months && v == x[S_CON]);
                    assert_int_equal(stage, RULES_DECLINE);
                    break;
                case RULES_FACT_NEW_SUBSCRIBER:
                    assert_true(x[S_TEN] <= p->onboarding_months && v == x[S_TEN]);
                    assert_int_equal(stage, RULES_ONBOARDING);
                    break;
                case RULES_FACT_NO_FAMILY_PLAN: assert_true(x[S_FAM] == 0); break;
                case RULES_FACT_BRAND: assert_int_equal(brand, 1); break;
                case RULES_FACT_LEVEL + 2 * RULES_MEASURE_SERVICE_CALLS:
                    assert_true(v == x[S_SERV] && v >= CENTER[4] + SCALE[4]);
                    break;
                case RULES_FACT_LEVEL + 2 * RULES_MEASURE_NPS + 1:
                    assert_true(v == x[S_NPS] && v <= CENTER[5] - SCALE[5]);
                    break;
                case RULES_FACT_LEVEL + 2 * RULES_MEASURE_DROP_RATE:
                    assert_true(v == x[S_DROP] && v >= CENTER[6] + SCALE[6]);
                    break;
                case RULES_FACT_LEVEL + 2 * RULES_MEASURE_MINUTES + 1:
                    assert_true(v == x[S_M3] && v <= CENTER[2] - SCALE[2]);
                    break;
                case RULES_FACT_INDICATOR + 0: assert_true(raw && v == x[S_TDM] && v >= 180 + 50); break;
                case RULES_FACT_INDICATOR + 2: assert_true(raw && x[S_PLAN] == 1); break;
                default: fail_msg("unexpected fact %d", c);
                }
                char b[256];
                assert_true(rules_fact_text_named(c, v, (const char *const *)k.m.in_names, k.m.p_in, LANG_ZH, b,
                                                  sizeof b) > 0);
            }
            /* a hard signal is always said */
            if (sig) {
                int said = 0;
                for (size_t a = 0; a < n; a++)
                    said |= code[a] <= RULES_FACT_SUSP_HIGH_BILL || code[a] == RULES_FACT_MINUTES_DOWN;
                assert_true(said);
            }
        }
        /* the kinds of facts above all occur */
        const int seen[] = {RULES_FACT_DUAL_SIM, RULES_FACT_SUSP_ARREARS, RULES_FACT_IDLE_DAYS};
        for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
            if (!counts[seen[i]]) fail_msg("model %d: no fact %d in 4000 rows", raw, seen[i]);
        if (raw) {
            assert_true(counts[RULES_FACT_INDICATOR] > 0 && counts[RULES_FACT_INDICATOR + 2] > 0);
            assert_true(counts[RULES_FACT_NO_FAMILY_PLAN] > 0);
        } else {
            /* family_plan loads on no factor (0.1): the factor model never names it */
            assert_int_equal(counts[RULES_FACT_NO_FAMILY_PLAN], 0);
            const int f[] = {RULES_FACT_MINUTES_DOWN, RULES_FACT_COMPLAINTS, RULES_FACT_CONTRACT_ENDS,
                             RULES_FACT_NEW_SUBSCRIBER, RULES_FACT_BRAND,
                             RULES_FACT_LEVEL + 2 * RULES_MEASURE_SERVICE_CALLS};
            for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
                if (!counts[f[i]]) fail_msg("no fact %d in 4000 rows", f[i]);
        }
        kit_clear(&k);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fact_texts),
        cmocka_unit_test(test_factor_facts),
        cmocka_unit_test(test_lifecycle_brand_signal_facts),
        cmocka_unit_test(test_raw_facts),
        cmocka_unit_test(test_facts_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
