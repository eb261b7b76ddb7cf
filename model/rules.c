/* rules.c — lifecycle stage, warning phase, value tier and reason texts (see rules.h). */
#include "rules.h"

#include "status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void rules_params_default(rules_params *p)
{
    p->onboarding_months = 3.0;
    p->growth_months = 12.0;
    p->contract_ending_months = 3.0;
    p->traffic_fall = 0.5;
    p->idle_days = 15.0;
    p->collapse = 0.2;
    p->collapse_min = 30.0;
    p->warn_cutoff = 0.1;
}

int rules_params_check(const rules_params *p)
{
    struct { const char *name; double v, lo, hi; } t[] = {
        {"onboarding-months", p->onboarding_months, 0, 1200},
        {"growth-months", p->growth_months, 0, 1200},
        {"contract-ending-months", p->contract_ending_months, 0, 1200},
        {"traffic-fall", p->traffic_fall, 0, 1},
        {"idle-days", p->idle_days, 0, 31},
        {"collapse", p->collapse, 0, 1},
        {"collapse-min", p->collapse_min, 0, 1e12},
        {"warn-cutoff", p->warn_cutoff, 0, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!(t[i].v >= t[i].lo && t[i].v <= t[i].hi)) /* also catches NaN */
            return CS_ERROR(CS_EINVAL, "option --%s: %g is outside [%g, %g]", t[i].name, t[i].v,
                            t[i].lo, t[i].hi);
    if (p->growth_months < p->onboarding_months)
        return CS_ERROR(CS_EINVAL, "option --growth-months (%g) is below --onboarding-months (%g)",
                        p->growth_months, p->onboarding_months);
    return CS_OK;
}

static long rules_find(const char *const *names, size_t p, const char *name)
{
    for (size_t j = 0; j < p; j++)
        if (names[j] && strcmp(names[j], name) == 0) return (long)j;
    return -1;
}

void rules_cols_find(const char *const *names, size_t p, rules_cols *c)
{
    char buf[32];
    c->tenure = rules_find(names, p, "tenure_months");
    c->contract_left = rules_find(names, p, "contract_months_left");
    c->days_no_out = rules_find(names, p, "days_no_outgoing_m3");
    int have_mou = 1;
    for (int m = 0; m < 3; m++) {
        snprintf(buf, sizeof buf, "mou_m%d", m + 1);
        c->traffic[m] = rules_find(names, p, buf);
        if (c->traffic[m] < 0) have_mou = 0;
        snprintf(buf, sizeof buf, "arpu_m%d", m + 1);
        c->arpu[m] = rules_find(names, p, buf);
    }
    if (!have_mou)
        for (int m = 0; m < 3; m++) {
            snprintf(buf, sizeof buf, "out_calls_m%d", m + 1);
            c->traffic[m] = rules_find(names, p, buf);
        }
    c->dual_sim = rules_find(names, p, "dual_sim");
    c->competitor_calls = rules_find(names, p, "competitor_service_calls_m3");
    c->forward = rules_find(names, p, "forward_to_competitor_m3");
    c->susp_voluntary = rules_find(names, p, "suspended_voluntary");
    c->susp_arrears = rules_find(names, p, "suspended_arrears");
    c->susp_high_bill = rules_find(names, p, "suspended_high_bill");
}

/* The value of column j, NaN when the snapshot lacks the column. */
static double rules_val(const float *row, long j)
{
    return j >= 0 ? (double)row[j] : NAN;
}

/* Mean traffic of m1 and m2 and the m3 value; 0 when any of the three is unknown. */
static int rules_traffic(const rules_cols *c, const float *row, double *base, double *m3)
{
    double a = rules_val(row, c->traffic[0]), b = rules_val(row, c->traffic[1]);
    *m3 = rules_val(row, c->traffic[2]);
    *base = 0.5 * (a + b);
    return !isnan(*base) && !isnan(*m3);
}

int rules_stage(const rules_params *p, const rules_cols *c, const float *row)
{
    double tenure = rules_val(row, c->tenure);
    if (tenure <= p->onboarding_months) return RULES_ONBOARDING; /* false for NaN */
    double left = rules_val(row, c->contract_left);
    if (left >= 0 && left <= p->contract_ending_months) return RULES_DECLINE;
    /* without a contract (months left -1 or unknown) decline shows in the traffic */
    if (!(left >= 0)) {
        double base, m3;
        if (rules_traffic(c, row, &base, &m3) && base > 0 && m3 < (1.0 - p->traffic_fall) * base)
            return RULES_DECLINE;
        if (rules_val(row, c->days_no_out) >= p->idle_days) return RULES_DECLINE;
    }
    if (tenure <= p->growth_months) return RULES_GROWTH;
    return RULES_MATURITY;
}

unsigned rules_signals(const rules_params *p, const rules_cols *c, const float *row)
{
    unsigned s = 0;
    if (rules_val(row, c->dual_sim) > 0) s |= RULES_SIG_DUAL_SIM;
    if (rules_val(row, c->competitor_calls) >= 1) s |= RULES_SIG_COMPETITOR_CALLS;
    if (rules_val(row, c->forward) > 0) s |= RULES_SIG_FORWARD;
    if (rules_val(row, c->susp_voluntary) > 0 || rules_val(row, c->susp_arrears) > 0 ||
        rules_val(row, c->susp_high_bill) > 0)
        s |= RULES_SIG_SUSPENDED;
    double base, m3;
    if (rules_traffic(c, row, &base, &m3) && base >= p->collapse_min && base > 0 &&
        m3 <= p->collapse * base)
        s |= RULES_SIG_COLLAPSE;
    return s;
}

int rules_phase(const rules_params *p, const rules_cols *c, const float *row, double prob)
{
    if (rules_signals(p, c, row)) return RULES_ALARM;
    if (prob >= p->warn_cutoff) return RULES_WARNING;
    return RULES_HEALTHY;
}

double rules_arpu(const rules_cols *c, const float *row)
{
    double s = 0.0;
    int n = 0;
    for (int m = 0; m < 3; m++) {
        double v = rules_val(row, c->arpu[m]);
        if (isnan(v)) continue;
        s += v;
        n++;
    }
    return n ? s / n : NAN;
}

uint32_t rules_arpu_key(float arpu)
{
    uint32_t b;
    memcpy(&b, &arpu, sizeof b);
    if (arpu == 0.0f) b = 0; /* -0 and +0 are one value */
    /* IEEE order: negatives reversed below positives */
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

float rules_key_arpu(uint32_t key)
{
    uint32_t b = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}

int rules_tier(const double cut[4], double arpu)
{
    if (isnan(arpu)) return 0;
    int t = 1;
    for (int k = 0; k < 4; k++)
        if (arpu > cut[k]) t++;
    return t;
}

double rules_value_at_risk(double prob, double arpu, double horizon_months)
{
    if (!(arpu > 0)) return 0.0;
    return prob * arpu * horizon_months;
}

const char *rules_stage_name(int stage)
{
    static const char *const n[RULES_N_STAGES] = {"onboarding", "growth", "maturity", "decline"};
    return stage >= 0 && stage < RULES_N_STAGES ? n[stage] : "?";
}

const char *rules_phase_name(int phase)
{
    static const char *const n[RULES_N_PHASES] = {"healthy", "warning", "alarm"};
    return phase >= 0 && phase < RULES_N_PHASES ? n[phase] : "?";
}

/* Words for indicators, by name prefix: the text when a high value raises the score, and when a low
 * one does. The first matching prefix wins, so longer prefixes come before shorter ones. */
typedef struct {
    const char *stem;
    const char *high, *low;
} rules_words;

static const rules_words rules_indicator_words[] = {
    {"competitor_service_calls", "calls a competitor's service line", "no calls to a competitor's service line"},
    {"dual_sim", "competitor SIM in the same handset", "no competitor SIM in the handset"},
    {"forward_to_competitor", "forwards calls to a competitor", "no call forwarding to a competitor"},
    {"suspended_arrears", "suspended for unpaid bills", "not suspended for unpaid bills"},
    {"suspended_voluntary", "asked for a voluntary suspension", "no voluntary suspension"},
    {"suspended_high_bill", "suspended after a high bill", "not suspended after a high bill"},
    {"days_no_outgoing", "many days without an outgoing call", "calls out every day"},
    {"contract_ending", "contract ends within a month", "contract not ending"},
    {"contract_months_left", "contract far from its end", "contract ends soon"},
    {"onboarding", "new subscriber (first months)", "settled subscriber"},
    {"new_subscriber", "new subscriber (first months)", "settled subscriber"},
    {"tenure", "long-standing subscriber", "short time with us"},
    {"mou", "heavy call minutes", "usage falling/low call minutes"},
    {"out_calls", "many outgoing calls", "few outgoing calls"},
    {"data_mb", "heavy mobile data use", "low mobile data use"},
    {"sms", "many text messages", "few text messages"},
    {"voice_charge", "high call charges", "low call charges"},
    {"arpu", "high monthly spend", "low monthly spend"},
    {"complaints", "complaints and service problems", "few complaints"},
    {"service_calls", "calls our service line often", "rarely calls our service line"},
    {"network_drop", "dropped calls (poor network)", "few dropped calls"},
    {"nps", "high satisfaction score", "low satisfaction score"},
    {"offnet_call", "calls mostly to other networks", "calls mostly within our network"},
    {"offnet_sms", "texts mostly to other networks", "texts mostly within our network"},
    {"competitor_coverage", "strong competitor coverage nearby", "weak competitor coverage nearby"},
    {"vas", "many value-added services", "few value-added services"},
    {"points", "many unused loyalty points", "few loyalty points"},
    {"family_plan", "on a family plan", "not on a family plan"},
    {"group_member", "member of a group plan", "not in a group plan"},
    {"broadband", "has a broadband bundle", "no broadband bundle"},
    {"handset_installment", "handset instalments left", "handset paid off"},
    {"e_channel", "uses online channels a lot", "rarely uses online channels"},
    {"app_logins", "uses our app a lot", "rarely uses our app"},
    {"online_pay", "pays online", "rarely pays online"},
    {"roaming", "roams abroad", "no roaming"},
    {"intl_calls", "makes international calls", "no international calls"},
    {"age", "older subscriber", "younger subscriber"},
    {"brand", "brand with more leavers", "brand with fewer leavers"},
};

/* Words for a factor, by the indicators (or the truth's factor name) in its label. */
typedef struct {
    const char *const *stems;
    const char *high, *low;
} rules_topic;

static const char *const rules_usage_stems[] = {"usage", "mou", "out_calls", "data_mb", "sms",
                                                "voice_charge", "days_no_outgoing", NULL};
static const char *const rules_value_stems[] = {"value", "arpu", "vas", "points", NULL};
static const char *const rules_dissat_stems[] = {"dissatisfaction", "complaints", "service_calls",
                                                 "network_drop", "nps", NULL};
static const char *const rules_comp_stems[] = {"competitor", "offnet", NULL};
static const char *const rules_lock_stems[] = {"lock_in", "family_plan", "group_member", "broadband",
                                               "handset", "contract", "tenure", NULL};
static const char *const rules_eng_stems[] = {"engagement", "e_channel", "app_logins", "online_pay",
                                              NULL};

static const rules_topic rules_topics[] = {
    {rules_usage_stems, "heavy usage", "usage falling/low usage"},
    {rules_value_stems, "high spend", "low spend and few services"},
    {rules_dissat_stems, "complaints and service problems", "few complaints"},
    {rules_comp_stems, "drawn to competitors (calls to other networks)", "loyal calling pattern"},
    {rules_lock_stems, "many ties to us (plans, bundles)", "few ties to us (no family plan, group or bundle)"},
    {rules_eng_stems, "engaged in our app and online channels", "rarely uses our app and online channels"},
};

static int rules_starts(const char *s, const char *stem)
{
    return strncmp(s, stem, strlen(stem)) == 0;
}

/* The first indicator name in a factor label ("mou_m3+out_calls_m3", "mou_m3, data_mb_m3", "usage"):
 * skip separators, match stems at the start of each name. */
static const rules_topic *rules_factor_topic(const char *label)
{
    const char *s = label;
    while (*s) {
        while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) s++;
        if (!*s) break;
        for (size_t t = 0; t < sizeof rules_topics / sizeof rules_topics[0]; t++)
            for (const char *const *st = rules_topics[t].stems; *st; st++)
                if (rules_starts(s, *st)) return &rules_topics[t];
        while (*s && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
                      *s == '_'))
            s++;
    }
    return NULL;
}

size_t rules_reason_text(const char *name, double beta, char *buf, size_t size)
{
    int low = beta < 0;
    if (!name) name = "";
    if (rules_starts(name, "factor")) {
        const char *colon = strchr(name, ':');
        const rules_topic *t = colon ? rules_factor_topic(colon + 1) : NULL;
        if (t) return (size_t)snprintf(buf, size, "%s", low ? t->low : t->high);
        /* an unlabelled factor: say which one, without a leading formula character */
        return (size_t)snprintf(buf, size, "%s behaviour pattern %.*s", low ? "weak" : "strong",
                                colon ? (int)(colon - name) : (int)strlen(name), name);
    }
    for (size_t i = 0; i < sizeof rules_indicator_words / sizeof rules_indicator_words[0]; i++)
        if (rules_starts(name, rules_indicator_words[i].stem))
            return (size_t)snprintf(buf, size, "%s",
                                    low ? rules_indicator_words[i].low : rules_indicator_words[i].high);
    /* An unknown indicator: the text starts with a fixed word, so a name that begins with = + - @
     * cannot make the text a formula. A category indicator (column=level, from import) is had or
     * lacked; a number is high or low. */
    if (strchr(name, '=') && name[0] != '=') return (size_t)snprintf(buf, size, "%s %s", low ? "lacks" : "has", name);
    return (size_t)snprintf(buf, size, "%s %s", low ? "low" : "high", name);
}
