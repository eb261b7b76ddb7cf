/* rules_facts.c — the words of the reasons: every fact code of rules.h in English and Chinese.
 *
 * A reason says what the row shows, in its own numbers ("no outgoing call for 22 days", "通话分钟数
 * 较前两个月下降78%"), so each code has one sentence per language with the value put in; which facts
 * a row shows is decided in rules_reasons.c, and nothing here judges a value. Numbers are printed so
 * that the text never claims more than the value: a fall is printed as the whole percent below it
 * (0.789 is "down 78%"), counts as integers (other values with four significant digits), shares as
 * percents, money with two decimals. The same table gives SCORES.h5 its machine names and English
 * templates (rules_fact_name, rules_fact_template). No text starts with a character that could start
 * a spreadsheet formula: each begins with a fixed word, never with a value or a name.
 */
#include "rules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* How a value is printed. */
enum { FMT_NONE, FMT_COUNT, FMT_FALL, FMT_SHARE, FMT_MONEY, FMT_REAL };

/* A fact of its own: its machine name, the value's format, and the sentence in each language with
 * one %s for the value (singular forms where English needs one). */
typedef struct {
    const char *name;
    int fmt;
    const char *en, *en_one, *zh;
} rules_fact_words;

static const rules_fact_words rules_facts[RULES_N_FACTS] = {
    [RULES_FACT_DUAL_SIM] = {"dual_sim", FMT_NONE, "competitor SIM in the same handset", NULL,
                             "手机中插有竞争对手的SIM卡"},
    [RULES_FACT_COMPETITOR_CALLS] = {"competitor_calls", FMT_COUNT, "%s calls to a competitor's service line",
                                     "1 call to a competitor's service line", "拨打竞争对手客服热线%s次"},
    [RULES_FACT_FORWARD] = {"forward_to_competitor", FMT_NONE, "forwards calls to a competitor", NULL,
                            "呼叫转移至竞争对手号码"},
    [RULES_FACT_SUSP_VOLUNTARY] = {"suspended_voluntary", FMT_NONE, "asked for a voluntary suspension", NULL,
                                   "主动申请停机"},
    [RULES_FACT_SUSP_ARREARS] = {"suspended_arrears", FMT_NONE, "suspended for unpaid bills", NULL, "欠费停机"},
    [RULES_FACT_SUSP_HIGH_BILL] = {"suspended_high_bill", FMT_NONE, "suspended after a high bill", NULL,
                                   "高额账单停机"},
    [RULES_FACT_IDLE_DAYS] = {"idle_days", FMT_COUNT, "no outgoing call for %s days", "no outgoing call for 1 day",
                              "%s天无呼出"},
    [RULES_FACT_MINUTES_DOWN] = {"minutes_down", FMT_FALL, "call minutes down %s against the two months before",
                                 NULL, "通话分钟数较前两个月下降%s"},
    [RULES_FACT_CALLS_DOWN] = {"calls_down", FMT_FALL, "outgoing calls down %s against the two months before",
                               NULL, "呼出次数较前两个月下降%s"},
    [RULES_FACT_DATA_DOWN] = {"data_down", FMT_FALL, "mobile data down %s against the two months before", NULL,
                              "手机流量较前两个月下降%s"},
    [RULES_FACT_SMS_DOWN] = {"sms_down", FMT_FALL, "text messages down %s against the two months before", NULL,
                             "短信量较前两个月下降%s"},
    [RULES_FACT_SPEND_DOWN] = {"spend_down", FMT_FALL, "monthly spend down %s against the two months before",
                               NULL, "月消费较前两个月下降%s"},
    [RULES_FACT_COMPLAINTS] = {"complaints", FMT_COUNT, "%s complaints last month", "1 complaint last month",
                               "上月投诉%s次"},
    [RULES_FACT_CONTRACT_ENDS] = {"contract_ends", FMT_COUNT, "contract ends in %s months",
                                  "contract ends in 1 month", "合约%s个月后到期"},
    [RULES_FACT_NEW_SUBSCRIBER] = {"new_subscriber", FMT_COUNT, "new subscriber: %s months with us",
                                   "new subscriber: 1 month with us", "新入网用户，在网%s个月"},
    [RULES_FACT_NO_FAMILY_PLAN] = {"no_family_plan", FMT_NONE, "not on a family plan", NULL, "未办理家庭套餐"},
    [RULES_FACT_NO_GROUP] = {"no_group_plan", FMT_NONE, "not in a group plan", NULL, "未加入集团套餐"},
    [RULES_FACT_NO_BROADBAND] = {"no_broadband", FMT_NONE, "no broadband bundle", NULL, "未捆绑宽带"},
    [RULES_FACT_HANDSET_PAID] = {"handset_paid_off", FMT_NONE, "handset paid off (no instalments left)", NULL,
                                 "购机分期已还清"},
    [RULES_FACT_BRAND] = {"brand", FMT_NONE, "on a brand with more leavers", NULL, "所属品牌流失较多"},
};

/* A measure of the level facts: machine name, format, label in each language. */
typedef struct {
    const char *name;
    int fmt;
    const char *en, *zh;
} rules_measure_words;

static const rules_measure_words rules_measures[RULES_N_MEASURES] = {
    [RULES_MEASURE_MINUTES] = {"call_minutes", FMT_COUNT, "call minutes last month", "上月通话分钟数"},
    [RULES_MEASURE_CALLS] = {"outgoing_calls", FMT_COUNT, "outgoing calls last month", "上月呼出次数"},
    [RULES_MEASURE_DATA] = {"mobile_data", FMT_REAL, "mobile data last month (MB)", "上月手机流量(MB)"},
    [RULES_MEASURE_SMS] = {"text_messages", FMT_COUNT, "text messages last month", "上月短信条数"},
    [RULES_MEASURE_SPEND] = {"spend", FMT_MONEY, "spend last month", "上月消费"},
    [RULES_MEASURE_SERVICE_CALLS] = {"service_calls", FMT_COUNT, "calls to our service line last month",
                                     "上月拨打客服次数"},
    [RULES_MEASURE_DROP_RATE] = {"drop_rate", FMT_REAL, "dropped-call rate", "掉话率"},
    [RULES_MEASURE_NPS] = {"satisfaction", FMT_COUNT, "satisfaction score (of 10)", "满意度评分(满分10)"},
    [RULES_MEASURE_OFFNET_CALLS] = {"offnet_call_share", FMT_SHARE, "share of calls to other networks",
                                    "网外通话占比"},
    [RULES_MEASURE_OFFNET_SMS] = {"offnet_sms_share", FMT_SHARE, "share of texts to other networks",
                                  "网外短信占比"},
    [RULES_MEASURE_COVERAGE] = {"competitor_coverage", FMT_REAL, "competitor coverage index", "竞争对手覆盖指数"},
    [RULES_MEASURE_VAS] = {"value_added_services", FMT_COUNT, "value-added services", "增值业务数"},
    [RULES_MEASURE_POINTS] = {"loyalty_points", FMT_COUNT, "loyalty points", "积分余额"},
    [RULES_MEASURE_INSTALMENTS] = {"handset_instalments", FMT_COUNT, "handset instalments left", "剩余购机分期"},
    [RULES_MEASURE_E_CHANNEL] = {"online_channel_use", FMT_COUNT, "online channel use", "电子渠道使用"},
    [RULES_MEASURE_APP] = {"app_logins", FMT_COUNT, "app logins last month", "上月APP登录次数"},
    [RULES_MEASURE_ONLINE_PAY] = {"online_pay_share", FMT_SHARE, "share of payments online", "线上缴费占比"},
    [RULES_MEASURE_AGE] = {"age", FMT_COUNT, "age", "年龄"},
    [RULES_MEASURE_ROAMING] = {"roaming_data", FMT_REAL, "roaming data last month (MB)", "上月漫游流量(MB)"},
    [RULES_MEASURE_INTL] = {"international_calls", FMT_COUNT, "international calls last month", "上月国际通话次数"},
    [RULES_MEASURE_CHARGE] = {"call_charges", FMT_MONEY, "call charges last month", "上月通话费"},
};

size_t rules_fact_count(size_t p_in)
{
    return (size_t)RULES_FACT_INDICATOR + 2 * p_in;
}

/* The value as the text shows it ("N" in a template). */
static void rules_format(int fmt, double v, int tmpl, char *b, size_t size)
{
    if (tmpl) {
        snprintf(b, size, fmt == FMT_FALL || fmt == FMT_SHARE ? "N%%" : "N");
        return;
    }
    switch (fmt) {
    case FMT_FALL: {
        /* the whole percent at or below the fall: never more than the row fell */
        double pc = floor(100.0 * v + 1e-9);
        if (pc > 100) pc = 100;
        if (!(pc >= 0)) pc = 0;
        snprintf(b, size, "%.0f%%", pc);
        break;
    }
    case FMT_SHARE: snprintf(b, size, "%.0f%%", 100.0 * v); break;
    case FMT_MONEY: snprintf(b, size, "%.2f", v); break;
    case FMT_COUNT:
        /* a count that is not whole is printed as it is */
        snprintf(b, size, v == floor(v) && fabs(v) < 1e15 ? "%.0f" : "%.4g", v);
        break;
    default: snprintf(b, size, "%.4g", v); break;
    }
    if (strcmp(b, "-0") == 0) snprintf(b, size, "0");
}

/* A category level ("international_plan=yes", from import): had or lacked, no number. */
static int rules_is_level(const char *name)
{
    return name && name[0] && name[0] != '=' && strchr(name, '=') != NULL;
}

static size_t rules_render(int code, double value, const char *const *names, size_t n_names, cs_lang lang,
                           int tmpl, char *buf, size_t size)
{
    int zh = lang == LANG_ZH;
    char v[64];
    if (code >= 0 && code < RULES_N_FACTS) {
        const rules_fact_words *w = &rules_facts[code];
        if (w->fmt == FMT_NONE) return (size_t)snprintf(buf, size, "%s", zh ? w->zh : w->en);
        if (code == RULES_FACT_CONTRACT_ENDS && !tmpl && value == 0)
            return (size_t)snprintf(buf, size, "%s", zh ? "合约本月到期" : "contract ends this month");
        if (!zh && !tmpl && w->en_one && value == 1) return (size_t)snprintf(buf, size, "%s", w->en_one);
        rules_format(w->fmt, value, tmpl, v, sizeof v);
        return (size_t)snprintf(buf, size, zh ? w->zh : w->en, v);
    }
    if (code >= RULES_FACT_LEVEL && code < RULES_FACT_INDICATOR) {
        const rules_measure_words *w = &rules_measures[(code - RULES_FACT_LEVEL) / 2];
        int low = (code - RULES_FACT_LEVEL) % 2;
        rules_format(w->fmt, value, tmpl, v, sizeof v);
        if (zh) return (size_t)snprintf(buf, size, "%s%s：%s", w->zh, low ? "偏低" : "偏高", v);
        return (size_t)snprintf(buf, size, "%s %s: %s", low ? "low" : "high", w->en, v);
    }
    if (code >= RULES_FACT_INDICATOR && code <= INT16_MAX) {
        size_t i = (size_t)(code - RULES_FACT_INDICATOR) / 2;
        int low = (code - RULES_FACT_INDICATOR) % 2;
        char nm[48];
        const char *name = names && i < n_names && names[i] ? names[i] : NULL;
        if (!name) {
            snprintf(nm, sizeof nm, "%s%zu", zh ? "" : "indicator ", i + 1);
            name = nm;
        }
        if (rules_is_level(name)) {
            if (zh) return (size_t)snprintf(buf, size, "%s%s", low ? "无" : "有", name);
            return (size_t)snprintf(buf, size, "%s %s", low ? "lacks" : "has", name);
        }
        rules_format(FMT_REAL, value, tmpl, v, sizeof v);
        if (zh) return (size_t)snprintf(buf, size, "指标%s%s：%s", name, low ? "偏低" : "偏高", v);
        return (size_t)snprintf(buf, size, "%s %s: %s", low ? "low" : "high", name, v);
    }
    if (size) buf[0] = '\0';
    return 0;
}

size_t rules_fact_text_named(int code, double value, const char *const *names, size_t n_names, cs_lang lang,
                             char *buf, size_t size)
{
    return rules_render(code, value, names, n_names, lang, 0, buf, size);
}

size_t rules_fact_text(int code, double value, cs_lang lang, char *buf, size_t size)
{
    return rules_render(code, value, NULL, 0, lang, 0, buf, size);
}

size_t rules_fact_template(int code, const char *const *names, size_t n_names, char *buf, size_t size)
{
    return rules_render(code, 0, names, n_names, LANG_EN, 1, buf, size);
}

size_t rules_fact_name(int code, const char *const *names, size_t n_names, char *buf, size_t size)
{
    if (code >= 0 && code < RULES_N_FACTS) return (size_t)snprintf(buf, size, "%s", rules_facts[code].name);
    if (code >= RULES_FACT_LEVEL && code < RULES_FACT_INDICATOR) {
        int low = (code - RULES_FACT_LEVEL) % 2;
        return (size_t)snprintf(buf, size, "level_%s:%s", low ? "low" : "high",
                                rules_measures[(code - RULES_FACT_LEVEL) / 2].name);
    }
    if (code >= RULES_FACT_INDICATOR && code <= INT16_MAX) {
        size_t i = (size_t)(code - RULES_FACT_INDICATOR) / 2;
        int low = (code - RULES_FACT_INDICATOR) % 2;
        if (names && i < n_names && names[i])
            return (size_t)snprintf(buf, size, "indicator_%s:%s", low ? "low" : "high", names[i]);
        return (size_t)snprintf(buf, size, "indicator_%s:%zu", low ? "low" : "high", i + 1);
    }
    /* codes 20..31 are unused */
    return (size_t)snprintf(buf, size, "unused");
}
