/* synth.h — the synthetic operator: a month of a simulated telecom operator as pure numerics.
 *
 * `churnscore generate` needs a snapshot whose contents do not depend on how many ranks wrote it. So
 * every row is a pure function of (parameters, global row index): synth_rows fills any range
 * [row0, row0 + n) and the bytes of a row are the same whether it was produced alone or inside a big
 * block. Randomness is counter-based (a splitmix64 hash of seed, subscriber id and draw number), never a
 * sequential stream, so no rank has to skip ahead. Nothing here does MPI or file I/O: mpi/ splits the
 * rows across ranks and io/ writes them.
 *
 * The model. Each subscriber has six latent behaviour factors (synth_factor_name), standard normal and
 * independent, keyed by id so that they persist from one month to the next. Most observed indicators
 * are monotone transforms (linear, log-normal, Poisson-log-normal, threshold) of a standard normal
 * that loads on one factor (small cross-loadings); synth_true_loadings gives their correlations with
 * the factors, computed analytically. A rare latent "shopping around" state makes the competitor
 * signals (dual_sim, competitor_service_calls_m3, forward_to_competitor_m3) and a slight usage
 * softening; a rare "fading" state makes traffic collapse, days_no_outgoing_m3 high and
 * suspended_arrears. The true churn probability is logistic, LINEAR in the factors and in observed
 * columns (the SIGNAL columns: dual_sim, competitor_service_calls_m3, forward_to_competitor_m3,
 * days_no_outgoing_m3, suspended_voluntary/arrears/high_bill; and complaints_m3, contract_ending,
 * new_subscriber), so a logistic model on factor scores + those columns can approach the oracle (for
 * a window of other than one month, prob is a monotone function of that logistic); churned ~
 * Bernoulli(prob). Given churn, the leaver type (active port-out vs passive) is a second logistic
 * draw driven by the same signals. Default calibration: mean prob ~= 0.02, leavers ~1/5 active, 4/5
 * passive, oracle AUC ~0.79. The churn logit leans on the factors with linear indicators
 * (engagement, dissatisfaction, competitor_pull, lock_in) more than on usage and value, whose skewed
 * indicators a linear factor score recovers less well.
 *
 * Rows, ids and months. Row r is subscriber slot r; its id is a seeded bijection of r into
 * [SYNTH_ID_BASE, SYNTH_ID_BASE + 2^34) (phone-number-like, unique, not 0..N-1); synth_row_of_id
 * inverts it. A following month (synth_params_follow) keeps the seed, so the same rows have the same
 * ids and latent profiles; month-specific noise is keyed by (id, calendar month), factors drift by
 * `drift` per month. Subscribers who left in an earlier month are NOT removed here: the caller drops
 * their rows. With n_base > 0, rows [n_base + (m-1)*joiners_per_month, n_base + m*joiners_per_month)
 * are the subscribers who joined in month m (m >= 1): they get new ids and tenure counted from m.
 *
 * The code lives in model/synth/, one file per piece (synth_impl.h says which holds what).
 */
#ifndef CS_SYNTH_H
#define CS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#define SYNTH_N_FACTORS 6
#define SYNTH_N_BRANDS 3
#define SYNTH_MAX_REGIONS 31               /* mainland provincial-level divisions */
#define SYNTH_ID_BASE UINT64_C(13000000000) /* ids look like 11-digit phone numbers */
#define SYNTH_ID_BITS 34                   /* ids are a bijection of [0, 2^34) */
#define SYNTH_MAX_ROWS (UINT64_C(1) << SYNTH_ID_BITS)
#define SYNTH_MAX_AREAS 512                /* areas below the regions, all regions together */
#define SYNTH_MAX_COMPETITORS 3

typedef struct synth_params {
    uint64_t seed;              /* default 42 */
    unsigned n_regions;         /* 1..SYNTH_MAX_REGIONS, default 18; sizes unequal (by population) */
    unsigned n_brands;          /* must be SYNTH_N_BRANDS (3); kept for the schema */
    char month[8];              /* "YYYY-MM" label of the latest month m3, default "2026-10" */
    int month_index;            /* 0 for the first snapshot, +1 per following month; >= 0 */
    double drift;               /* factor drift per month (mean shift and month wobble sd), default
                                 * 0.05; 0..1 */
    double window_months;       /* churn window in months (> 0, <= 12), default 1: the probability is
                                 * 1 - (1 - p1)^window, p1 the (logistic) monthly probability */
    uint64_t n_base;            /* subscribers in month 0; 0 = every row is a base subscriber */
    uint64_t joiners_per_month; /* new subscribers per following month (used only if n_base > 0) */
    double churn_intercept;     /* churn logit intercept; default calibrated for mean prob ~= 0.02 */
    double active_intercept;    /* logit intercept of P(active | churn); default calibrated for ~0.2 */
    int areas;                  /* 1: areas below the regions (synth_n_areas), default 0 */
    unsigned competitors;       /* 0..SYNTH_MAX_COMPETITORS: per-competitor columns appended after
                                 * the 46 (3 each, synth_competitor_column), default 0 */
    int province;               /* -1 (default): a national operator whose regions are provinces;
                                 * else synth_province_index: the province's prefectures */
} synth_params;

/* Output buffers for n rows, owned by the caller (synth_out_alloc or views on its own storage). Any
 * pointer may be NULL: that output is skipped. */
typedef struct synth_out {
    uint64_t *id;     /* [n] unique subscriber id */
    uint16_t *region; /* [n] index < n_regions, see synth_region_name */
    uint8_t *brand;   /* [n] index < 3, see synth_brand_name */
    float *features;  /* [n * P] row-major, P = synth_n_features; NaN = missing */
    int8_t *churned;  /* [n] 0/1 */
    double *prob;     /* [n] true churn probability within the window */
    uint8_t *leaver;  /* [n] 0 stays, 1 active port-out, 2 passive leaver (abandoned SIM, arrears) */
    double *factors;  /* [n * SYNTH_N_FACTORS] row-major: the true latent factors of this month */
    double *pvol;     /* [n] true probability of leaving voluntarily (active port-out) within the
                       * window: prob * P(active | churn) */
    double *pinv;     /* [n] true probability of leaving involuntarily (passive): prob * (1 - P(active
                       * | churn)); pvol + pinv = prob up to rounding */
    uint16_t *area;   /* [n] index < synth_n_areas (only with p->areas; else left alone); last, so
                       * that positional initialisers of the fields above still hold */
} synth_out;

/* Roles of feature columns, for tests and for picking columns (synth_feature_role). */
enum {
    SYNTH_ROLE_INDICATOR = 0, /* loads on the factors (nonzero row in synth_true_loadings) */
    SYNTH_ROLE_DERIVED = 1,   /* near-exact linear function of an indicator (collinear copy) */
    SYNTH_ROLE_SIGNAL = 2,    /* rare alarm signal, concentrated among leavers; enters the churn logit */
    SYNTH_ROLE_LIFECYCLE = 3, /* tenure and contract */
    SYNTH_ROLE_SPARSE = 4,    /* near-constant (~99% zero), pure noise */
    SYNTH_ROLE_OTHER = 5      /* demographic, unrelated to the factors and to churn */
};

/* Fills p with the defaults: seed 42, 18 regions, 3 brands, month "2026-10", index 0, drift 0.05,
 * window 1 month, no joiners, calibrated intercepts. p must not be NULL. */
void synth_params_default(synth_params *p);

/* Checks p: CS_OK or CS_EINVAL with a reason. */
int synth_params_check(const synth_params *p);

/* The parameters of the month after prev: same seed and population, month_index + 1, month label
 * advanced by one calendar month. next may alias prev. CS_EINVAL if prev is invalid. */
int synth_params_follow(const synth_params *prev, synth_params *next);

/* Rows that exist in p's month: n_base + month_index * joiners_per_month if n_base > 0, else
 * SYNTH_MAX_ROWS (any row count may be asked for). */
uint64_t synth_n_rows(const synth_params *p);

/* Fills rows [row0, row0 + n) of every non-NULL buffer in out. The content of a row depends only on p
 * and its global index, never on row0 or n. n == 0 is a no-op. Returns CS_EINVAL if p is invalid, out
 * is NULL or row0 + n exceeds synth_n_rows(p); nothing is written then. Allocates nothing. */
int synth_rows(const synth_params *p, uint64_t row0, size_t n, synth_out *out);

/* Id of global row `row` (row < SYNTH_MAX_ROWS; returns 0 otherwise) and its inverse: *row for id, or
 * CS_EINVAL if id is not an id of this seed's id space. Ids depend on the seed only. */
uint64_t synth_id_of_row(const synth_params *p, uint64_t row);
int synth_row_of_id(const synth_params *p, uint64_t id, uint64_t *row);

/* Allocates every buffer of an out for n rows (factors and type probabilities included); NULL on failure or n == 0. */
synth_out *synth_out_alloc(const synth_params *p, size_t n);
/* Frees what synth_out_alloc returned; NULL is accepted. */
void synth_out_free(synth_out *out);

/* Feature columns: their count P (46, plus 3 per competitor), name and role for 0 <= j < P; NULL / -1 out of range. */
size_t synth_n_features(const synth_params *p);
const char *synth_feature_name(const synth_params *p, size_t j);
int synth_feature_role(const synth_params *p, size_t j);
/* Column index of a feature name, or -1. */
long synth_feature_index(const synth_params *p, const char *name);

/* Latent factors: SYNTH_N_FACTORS, names "usage", "value", "engagement", "dissatisfaction",
 * "competitor_pull", "lock_in"; NULL out of range. */
size_t synth_n_factors(const synth_params *p);
const char *synth_factor_name(const synth_params *p, size_t k);

/* Writes the P x F (row-major) true loadings: out[j*F + k] = corr(feature j, factor k) in the
 * population of p's month, computed analytically from the generating model (for a monotone transform
 * g of z = sum_k lam_k f_k + noise, corr(g(z), f_k) = lam_k * corr(g(z), z)). Rows of roles other than
 * INDICATOR and DERIVED are 0. Ignored by the formula, hence approximate by a few hundredths: the
 * rounding and clamping of counts and scores, and the rare shopping/fading states that soften usage.
 * CS_EINVAL if p is invalid or out is NULL. */
int synth_true_loadings(const synth_params *p, double *out);

/* Display names (UTF-8): regions 0..SYNTH_MAX_REGIONS-1 (北京, 上海, 广东, ...), brands 0..2
 * (全球通, 动感地带, 神州行) and their Latin names (GoTone, M-Zone, Easyown). NULL out of range. */
const char *synth_region_name(unsigned i);
const char *synth_brand_name(unsigned i);
const char *synth_brand_name_latin(unsigned i);

/* Areas (areas.c): how many (0 without p->areas), and area a's name (written into name) and parent
 * region: 0, or -1 out of range. Names are unique within an operator. */
unsigned synth_n_areas(const synth_params *p);
int synth_area(const synth_params *p, unsigned a, char *name, size_t len, unsigned *region);
/* Region names of p's operator: provinces (synth_region_name) or the province's prefectures. */
const char *synth_region_name_of(const synth_params *p, unsigned i);
/* Provincial operators: the index of a province ("河南", "广东"), -1 if none is known; its name and
 * its number of prefectures (0 out of range). */
int synth_province_index(const char *name);
const char *synth_province_name(int i);
unsigned synth_province_regions(int i);
/* Competitors: the i-th key ("telecom", "unicom", "broadnet"); column j (3 per competitor:
 * forward_to_K_m3, competitor_service_calls_K_m3, dual_sim_K) written into buf. NULL out of range. */
const char *synth_competitor_name(unsigned i);
const char *synth_competitor_column(unsigned j, char *buf, size_t len);

#endif
