/* rules.h — the business rules an agent reads beside the churn probability.
 *
 * The model says how likely a subscriber is to leave; the rules say where the subscriber stands and
 * why, in terms an operator already uses: the lifecycle stage (onboarding, growth, maturity,
 * decline), the warning phase (alarm when hard signals show the subscriber is already leaving,
 * warning when the probability is above the cut-off, healthy otherwise), the value tier from ARPU
 * quintiles, and reason texts for the model's design columns. Everything works on one snapshot row
 * of named indicators: rules_cols_find maps the well-known names (io/snapshot.h) to column indices
 * once, and an indicator the snapshot lacks simply switches its rule off. Pure numerics: no MPI, no
 * files; mpi/cmd_score.c computes the tier cut-offs across ranks and applies these per row.
 */
#ifndef CS_RULES_H
#define CS_RULES_H

#include <stddef.h>
#include <stdint.h>

enum { RULES_ONBOARDING = 0, RULES_GROWTH = 1, RULES_MATURITY = 2, RULES_DECLINE = 3,
       RULES_N_STAGES = 4 };
enum { RULES_HEALTHY = 0, RULES_WARNING = 1, RULES_ALARM = 2, RULES_N_PHASES = 3 };
#define RULES_N_TIERS 5

/* Thresholds; rules_params_default gives the documented defaults (docs/formats.md). */
typedef struct {
    double onboarding_months;      /* onboarding: tenure_months <= this (3) */
    double growth_months;          /* growth: tenure_months <= this, after onboarding (12) */
    double contract_ending_months; /* decline: 0 <= contract_months_left <= this (3) */
    double traffic_fall;           /* decline without a contract: traffic m3 below (1 - this) times
                                    * the m1-m2 mean (0.5) */
    double idle_days;              /* decline without a contract: days_no_outgoing_m3 >= this (15) */
    double collapse;               /* alarm: traffic m3 <= this times the m1-m2 mean (0.2) ... */
    double collapse_min;           /* ... when that mean is at least this (30 minutes or calls) */
    double warn_cutoff;            /* warning: probability >= this (the model's cut-off by default) */
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

/* Lifecycle stage of one row (RULES_ONBOARDING..RULES_DECLINE). Onboarding comes first (a new
 * subscriber is never in decline), then decline, then growth, then maturity; a row without tenure
 * is in maturity unless it declines. NaN values switch their rule off. */
int rules_stage(const rules_params *p, const rules_cols *c, const float *row);

/* Hard alarm signals of one row as a bit set (RULES_SIG_*); 0 when none. */
enum { RULES_SIG_DUAL_SIM = 1, RULES_SIG_COMPETITOR_CALLS = 2, RULES_SIG_FORWARD = 4,
       RULES_SIG_COLLAPSE = 8, RULES_SIG_SUSPENDED = 16 };
unsigned rules_signals(const rules_params *p, const rules_cols *c, const float *row);

/* Warning phase: RULES_ALARM with any hard signal, RULES_WARNING when prob >= warn_cutoff,
 * RULES_HEALTHY otherwise. */
int rules_phase(const rules_params *p, const rules_cols *c, const float *row, double prob);

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

/* Names of stages and phases ("onboarding", ..., "alarm"); "?" out of range. */
const char *rules_stage_name(int stage);
const char *rules_phase_name(int phase);

/* The reason text of a design column of the model (coef_names of model/cmodel.h), in words an agent
 * understands, written into buf (NUL-terminated, truncated to size). beta is the column's
 * coefficient: a reason is a column that pushes the score up, so for a column with a negative
 * coefficient the text speaks of a low value ("low usage"), for a positive one of a high value.
 * Factor columns "factorN:label" are worded after the indicators in the label; unknown names get
 * "unusual <name>". The text never starts with a character that could start a spreadsheet formula
 * (= + - @ TAB CR): such a leading character of an unknown name is dropped. Returns the length the
 * text would have (as snprintf). */
size_t rules_reason_text(const char *name, double beta, char *buf, size_t size);

#endif
