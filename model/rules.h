/* rules.h — the business rules an agent reads beside the churn probability.
 *
 * The model says how likely a subscriber is to leave; the rules say where the subscriber stands and
 * why, in terms an operator already uses: the lifecycle stage (onboarding, growth, maturity,
 * decline), the warning phase (alarm when hard signals show the subscriber is already leaving,
 * warning when the voluntary probability is above the cut-off, healthy otherwise), the value tier
 * from ARPU quintiles, and the reasons: facts of the row, in its own numbers, that back the model's
 * largest contributions (docs/rules.md). Everything works on one snapshot row
 * of named indicators: rules_cols_find maps the well-known names (io/snapshot.h) to column indices
 * once, and an indicator the snapshot lacks simply switches its rule off. Pure numerics: no MPI, no
 * files; mpi/cmd_score.c computes the tier cut-offs across ranks and applies these per row.
 */
#ifndef CS_RULES_H
#define CS_RULES_H

#include "cmodel.h"
#include "lang.h"

#include <stddef.h>
#include <stdint.h>

enum { RULES_ONBOARDING = 0, RULES_GROWTH = 1, RULES_MATURITY = 2, RULES_DECLINE = 3,
       RULES_N_STAGES = 4 };
enum { RULES_HEALTHY = 0, RULES_WARNING = 1, RULES_ALARM = 2, RULES_N_PHASES = 3 };
#define RULES_N_TIERS 5

/* Thresholds; rules_params_default gives the documented defaults (docs/formats.md). */
typedef struct {
    double onboarding_months;      /* onboarding: tenure_months <= this (3) */
    double growth_months;          /* growth without a contract: tenure_months <= this (12) */
    double contract_ending_months; /* decline: 0 <= contract_months_left <= this (3) */
    double traffic_fall;           /* decline: traffic m3 below (1 - this) times the m1-m2 mean
                                    * (0.5); also the fall a "down N%" reason needs */
    double idle_days;              /* decline: days_no_outgoing_m3 >= this (15); also the days a
                                    * "no outgoing call" reason needs */
    double collapse;               /* alarm: traffic m3 <= this times the m1-m2 mean (0.5) ... */
    double collapse_min;           /* ... when that mean is at least this (30 minutes or calls) */
    double warn_cutoff;            /* warning: voluntary probability >= this (the model's cut-off) */
} rules_params;

void rules_params_default(rules_params *p);
/* CS_EINVAL naming the threshold when one is out of range (negative months, fractions outside
 * [0, 1], a cut-off outside [0, 1]). */
int rules_params_check(const rules_params *p);

/* Column indices of the indicators the rules read (-1 where the snapshot lacks it). Traffic is
 * mou_m1..m3 (minutes), or out_calls_m1..m3 where minutes are absent. */
typedef struct {
    long tenure, contract_left, days_no_out;
    long traffic[3];
    long arpu[3];
    long dual_sim, competitor_calls, forward, susp_voluntary, susp_arrears, susp_high_bill;
} rules_cols;

/* Finds the well-known names among names[0..p). Never fails: absent indicators get -1. */
void rules_cols_find(const char *const *names, size_t p, rules_cols *c);

/* Hard signals of one row as a bit set; 0 when none. The first five are the retention alarms of seed
 * 001 (a competitor's SIM, calls to a competitor's service line, forwarding to a competitor, a
 * traffic collapse, a voluntary suspension); the suspensions for arrears and after a high bill are
 * collections' and billing's business (seed 000 counts the three suspensions apart): they are signal
 * bits for the queues (model/queue.h), never a retention alarm. */
enum { RULES_SIG_DUAL_SIM = 1, RULES_SIG_COMPETITOR_CALLS = 2, RULES_SIG_FORWARD = 4,
       RULES_SIG_COLLAPSE = 8, RULES_SIG_SUSP_VOLUNTARY = 16, RULES_SIG_SUSP_ARREARS = 32,
       RULES_SIG_SUSP_HIGH_BILL = 64 };
#define RULES_SIG_ALARM (RULES_SIG_DUAL_SIM | RULES_SIG_COMPETITOR_CALLS | RULES_SIG_FORWARD | \
                         RULES_SIG_COLLAPSE | RULES_SIG_SUSP_VOLUNTARY)
unsigned rules_signals(const rules_params *p, const rules_cols *c, const float *row);

/* The traffic of one row: the m1-m2 mean (*base) and m3 of the traffic indicator (minutes, or
 * outgoing calls); 0 when any of the three months is missing (NaN) or the snapshot lacks them. */
int rules_traffic(const rules_cols *c, const float *row, double *base, double *m3);

/* Lifecycle stage of one row (RULES_ONBOARDING..RULES_DECLINE), seed 003:
 *   onboarding  tenure <= onboarding_months: first, whatever else the row shows;
 *   decline     a contract ending (0 <= contract_months_left <= contract_ending_months), or the
 *               usage of a subscriber about to leave, with or without a contract: traffic m3 below
 *               (1 - traffic_fall) times the m1-m2 mean, a traffic collapse (RULES_SIG_COLLAPSE), or
 *               days_no_outgoing_m3 >= idle_days (a contract does not keep a subscriber whose usage
 *               collapsed: such a row is in decline, and its phase is an alarm by the collapse);
 *   growth      with a contract (months left >= 0): tenure < months left, the first half of a first
 *               contract term (a renewed subscriber's tenure exceeds any months left); without
 *               one: tenure <= growth_months;
 *   maturity    the rest, and a row without tenure that does not decline.
 * NaN values switch their rule off. */
int rules_stage(const rules_params *p, const rules_cols *c, const float *row);

/* Warning phase (seed 001): RULES_ALARM with any RULES_SIG_ALARM bit; else RULES_WARNING when the
 * voluntary churn probability pvol >= warn_cutoff (early care while traffic is still high); else
 * RULES_HEALTHY. Arrears and high-bill suspensions never make an alarm. */
int rules_phase(const rules_params *p, const rules_cols *c, const float *row, double pvol);
/* The same from the row's signals (rules_signals), for a caller that needs them anyway. */
int rules_phase_of(const rules_params *p, unsigned signals, double pvol);

/* Monthly ARPU: the mean of the present arpu_m1..m3 values; NaN when none is present or the
 * snapshot has no ARPU. */
double rules_arpu(const rules_cols *c, const float *row);

/* Orders ARPU values so that the unsigned key order is the numeric order of the float32 value:
 * the key the tier quantiles are computed on. rules_key_arpu inverts it. NaN has no key. */
uint32_t rules_arpu_key(float arpu);
float rules_key_arpu(uint32_t key);

/* Value tier 1..5 from the four quintile cut-offs (ascending): 1 + the number of cut-offs strictly
 * below arpu, so tier 5 is the top fifth by value. 0 when arpu is NaN (unknown value). */
int rules_tier(const double cut[4], double arpu);

/* Value at risk: prob * max(arpu, 0) * horizon_months (0 for unknown ARPU; a negative month of
 * refunds is not a negative risk). */
double rules_value_at_risk(double prob, double arpu, double horizon_months);

/* Names of stages and phases ("onboarding", ..., "alarm"): the English machine names SCORES.h5 and
 * summary.json carry; "?" out of range. */
const char *rules_stage_name(int stage);
const char *rules_phase_name(int phase);

/* The same for people, in the operator's language: the seeds' own terms, 入网期 成长期 成熟期 衰退期
 * (003) and 健康期 预警期 告警期 (001). "" out of range. */
const char *rules_stage_label(int stage, cs_lang lang);
const char *rules_phase_label(int phase, cs_lang lang);

/* ---- reasons: facts of the row ----
 *
 * A reason is a fact about the subscriber in the subscriber's own numbers ("no outgoing call for 22
 * days"), never a name of a model column: an int16 code and a float value (rules_reasons.c finds
 * them, rules_facts.c words them). Codes below RULES_FACT_LEVEL are facts of their own; from
 * RULES_FACT_LEVEL, 2 m + side is a level fact of measure m (RULES_MEASURE_*: "low call minutes last
 * month: 35", side 0 high, 1 low); from RULES_FACT_INDICATOR, 2 i + side is a level fact of the
 * model's input i under its own name ("high total_day_minutes: 265.1"; for a category level
 * "col=level": has / lacks). */
enum {
    RULES_FACT_DUAL_SIM = 0,         /* competitor SIM in the same handset (value 1) */
    RULES_FACT_COMPETITOR_CALLS = 1, /* N calls to a competitor's service line */
    RULES_FACT_FORWARD = 2,          /* forwards calls to a competitor (value: the indicator) */
    RULES_FACT_SUSP_VOLUNTARY = 3,   /* asked for a voluntary suspension */
    RULES_FACT_SUSP_ARREARS = 4,     /* suspended for unpaid bills */
    RULES_FACT_SUSP_HIGH_BILL = 5,   /* suspended after a high bill */
    RULES_FACT_IDLE_DAYS = 6,        /* no outgoing call for N days */
    RULES_FACT_MINUTES_DOWN = 7,     /* call minutes down N% against the two months before (value:
                                      * the fall, a share in (0, 1]) */
    RULES_FACT_CALLS_DOWN = 8,       /* outgoing calls down N% ... */
    RULES_FACT_DATA_DOWN = 9,        /* mobile data down N% ... */
    RULES_FACT_SMS_DOWN = 10,        /* text messages down N% ... */
    RULES_FACT_SPEND_DOWN = 11,      /* monthly spend down N% ... */
    RULES_FACT_COMPLAINTS = 12,      /* N complaints last month */
    RULES_FACT_CONTRACT_ENDS = 13,   /* contract ends in N months (this month for 0) */
    RULES_FACT_NEW_SUBSCRIBER = 14,  /* new subscriber, N months with us */
    RULES_FACT_NO_FAMILY_PLAN = 15,  /* not on a family plan (value 0) */
    RULES_FACT_NO_GROUP = 16,        /* not in a group plan */
    RULES_FACT_NO_BROADBAND = 17,    /* no broadband bundle */
    RULES_FACT_HANDSET_PAID = 18,    /* handset paid off: no instalments left */
    RULES_FACT_BRAND = 19,           /* on a brand with more leavers (value: the model's brand) */
    RULES_N_FACTS = 20,
    RULES_FACT_LEVEL = 32
};

/* The measures of the level facts (label and number format in rules_facts.c). */
enum {
    RULES_MEASURE_MINUTES, RULES_MEASURE_CALLS, RULES_MEASURE_DATA, RULES_MEASURE_SMS,
    RULES_MEASURE_SPEND, RULES_MEASURE_SERVICE_CALLS, RULES_MEASURE_DROP_RATE, RULES_MEASURE_NPS,
    RULES_MEASURE_OFFNET_CALLS, RULES_MEASURE_OFFNET_SMS, RULES_MEASURE_COVERAGE, RULES_MEASURE_VAS,
    RULES_MEASURE_POINTS, RULES_MEASURE_INSTALMENTS, RULES_MEASURE_E_CHANNEL, RULES_MEASURE_APP,
    RULES_MEASURE_ONLINE_PAY, RULES_MEASURE_AGE, RULES_MEASURE_ROAMING, RULES_MEASURE_INTL,
    RULES_MEASURE_CHARGE, RULES_N_MEASURES
};
#define RULES_FACT_INDICATOR (RULES_FACT_LEVEL + 2 * RULES_N_MEASURES)

/* The number of codes a model with p_in inputs can produce (the size of a code table). */
size_t rules_fact_count(size_t p_in);

/* A fact's text in a language, written into buf (NUL-terminated, truncated to size); returns the
 * length it would have (as snprintf). value is the fact's value as the row has it (a count, a share,
 * months). For codes from RULES_FACT_INDICATOR, names[(code - RULES_FACT_INDICATOR) / 2] is the
 * indicator's name (n_names of them; without it the text says "indicator N"). A code that is no
 * fact (-1, out of range) gives "". The text never starts with a character that could start a
 * spreadsheet formula (= + - @ TAB CR). */
size_t rules_fact_text_named(int code, double value, const char *const *names, size_t n_names,
                             cs_lang lang, char *buf, size_t size);
/* The same without names (issue 14's contract): the facts of their own and the level facts. */
size_t rules_fact_text(int code, double value, cs_lang lang, char *buf, size_t size);

/* A machine name of each code ("idle_days", "level_low:call_minutes", "indicator_high:NAME"), for
 * SCORES.h5's /reasons/name, and the English wording with "N" standing for the value, for
 * /reasons/text. Same conventions as rules_fact_text_named. */
size_t rules_fact_name(int code, const char *const *names, size_t n_names, char *buf, size_t size);
size_t rules_fact_template(int code, const char *const *names, size_t n_names, char *buf, size_t size);

/* What the facts of one model need, prepared once per run from the model and the snapshot's
 * indicator names (rules_reasons.c). NULL when out of memory; pick[i] is the snapshot column of the
 * model's input i (all present: score_open checks). */
typedef struct rules_reasoner rules_reasoner;
rules_reasoner *rules_reasoner_alloc(const cmodel *m, const long *pick, const char *const *names,
                                     size_t p, const rules_params *rp);
void rules_reasoner_free(rules_reasoner *r); /* accepts NULL */

/* The reasons of one row: row is its snapshot features, xd its design row (cmodel_design). The
 * candidates are the model's largest contributions (cmodel_reasons, up to 8), each turned into a fact
 * of this row and kept only when the row shows it (docs/rules.md: the factor's dominant indicators in
 * order of their loadings, the first the row shows; a brand only when the row is of that brand and it
 * raises the risk); never one code twice. Then the row's hard signals (suspensions, then alarms) fill
 * the slots left, and a row with a hard signal none of whose facts made the three gets its first one
 * in the last slot. code[k] = -1 and fact[k] = NaN past the returned count (at most 3). */
size_t rules_reasons(const rules_reasoner *r, const float *row, const float *xd, int16_t code[3],
                     float fact[3]);

#endif
