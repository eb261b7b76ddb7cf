/* synth_impl.h — what the pieces of the synthetic operator share (private to model/synth/).
 *
 * The generator (contracts in synth.h) is one row at a time, a pure function of the parameters and
 * the row's global index, built in this order by synth_rows (rows.c):
 *   random.c     counter-based randomness: uniforms and normals keyed by (key, draw number), Poisson
 *   follow.c     the parameters and the month-to-month follow: defaults, checks, the next month, the
 *                population of a month, and the ids that carry a subscriber from month to month
 *   profile.c    who a subscriber is: the latent factors (with their drift), region, age, brand,
 *                tenure and contract; the region and brand names
 *   indicators.c the column table and the observed indicators drawn from it; the true loadings
 *   churn.c      this month's latent states, the alarm signals, the churn probability and draw, the
 *                leaver type
 *   rows.c       the row assembled from those pieces, synth_rows, the output buffers
 *
 * Every quantity of a row is drawn from a counter-based generator: draw k of key K is splitmix64's
 * finaliser applied to K + (k+1)*golden. The keys are
 *   kp      = mix(seed key ^ id)                 the subscriber's persistent profile
 *   kc(c)   = mix(kp ^ mix(calendar month c))    what happens to that subscriber in month c
 * so a row never depends on its neighbours (any rank can produce any row) and a subscriber keeps his
 * latent profile from one month to the next. Draw numbers are fixed per quantity (the D_* enum below):
 * adding a quantity must take a new number, never renumber, or every snapshot changes. Because each
 * draw is keyed by its number, the order in which the pieces run changes no value; only the data one
 * piece reads from another (synth_draw) orders them.
 */
#ifndef CS_SYNTH_IMPL_H
#define CS_SYNTH_IMPL_H

#include "synth.h"

#include "idhash.h"

#include <math.h>
#include <stdint.h>

#define F SYNTH_N_FACTORS
#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

enum { FU = 0, FV, FE, FD, FC, FL }; /* factor order, as in synth_factor_name */

/* ---------------------------------------------------------------- counter-based randomness */

/* Uniform in (0, 1), never 0 or 1 (the inverse normal needs both ends open). */
static inline double unif(uint64_t key, unsigned k)
{
    uint64_t u = idhash_mix(key + (uint64_t)(k + 1) * GOLDEN);
    return ((double)(u >> 11) + 0.5) * 0x1p-53;
}

/* Acklam's inverse normal CDF (random.c). */
double synth_norm_inv(double p);
/* Poisson(mu) from one uniform u (random.c). */
double synth_poisson(double mu, double u);

static inline double gauss(uint64_t key, unsigned k) { return synth_norm_inv(unif(key, k)); }

static inline double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Draw numbers. Profile draws (key kp) and month draws (key kc) have separate ranges. Never renumber. */
enum {
    /* profile */
    D_F0 = 0,        /* .. D_F0 + 5: latent factors */
    D_REGION = 8,
    D_AGE,
    D_BRAND,
    D_TENURE,
    D_TENURE2,
    D_CONTRACT,
    D_CONTRACT_LEN,
    D_CONTRACT_PHASE, /* unused: the months left follow from the tenure (kept: never renumber) */
    D_AREA,          /* the area inside the region (areas.c) */
    D_COMPETITOR,    /* the competitor that pulls the subscriber (areas.c) */
    D_PERSIST = 32,  /* .. + column index: persistent part of an indicator's noise (by group) */
    /* month */
    D_WOBBLE = 100,  /* .. + 5: month wobble of the factors */
    D_SHOP = 110,
    D_FADE,
    D_DUAL,
    D_COMPCALLS,
    D_COMPCALLS2,
    D_FORWARD,
    D_SUSP_VOL,
    D_SUSP_ARR,
    D_SUSP_BILL,
    D_DAYS,
    D_DAYS2,
    D_COMPLAINT_X,
    D_CHARGE,
    D_ROAM,
    D_ROAM2,
    D_INTL,
    D_INTL2,
    D_CHURN,
    D_TYPE,
    D_NOISE = 200,   /* .. + group: monthly part of an indicator's noise */
    D_POIS = 300,    /* .. + group: Poisson draw */
    D_MISS = 400     /* .. + column: missingness */
};

/* ---------------------------------------------------------------- the column table (indicators.c) */

enum { K_NONE = 0, K_LIN, K_LOGN, K_POIS, K_BIN };

enum {
    C_TENURE = 0, C_CONTRACT_LEFT, C_CONTRACT_ENDING, C_NEW_SUB, C_AGE,
    C_ARPU1, C_ARPU2, C_ARPU3, C_MOU1, C_MOU2, C_MOU3, C_OUT1, C_OUT2, C_OUT3,
    C_DAYS_NO_OUT, C_DATA1, C_DATA2, C_DATA3, C_SMS1, C_SMS2, C_SMS3, C_VOICE_CHARGE,
    C_COMPLAINTS, C_SERVICE_CALLS, C_DROP_RATE, C_NPS, C_COMP_CALLS, C_FORWARD, C_DUAL_SIM,
    C_OFFNET_CALL, C_OFFNET_SMS, C_COMP_COVER, C_SUSP_VOL, C_SUSP_ARR, C_SUSP_BILL,
    C_VAS, C_POINTS, C_FAMILY, C_GROUP, C_BROADBAND, C_INSTALLMENT,
    C_ECHANNEL, C_APP_LOGINS, C_ONLINE_PAY, C_ROAMING, C_INTL,
    P_COLS
};

/* An indicator is g(z), z = sum_k lam_k f_k + psi * (sqrt(persist) s_group + sqrt(1-persist) e_month),
 * psi = sqrt(1 - sum lam^2), so z is standard normal around the factor means. g by kind:
 *   K_LIN  loc + scale z;  K_LOGN exp(loc + scale z);  K_POIS Poisson(exp(loc + scale z));
 *   K_BIN  z > loc.
 * then rounded to a multiple of step (if > 0) and clamped to [lo, hi]. The three months of a measure
 * share a group (persistent noise) and differ by tmonth (1..3, 3 = latest = the snapshot month). */
typedef struct colspec {
    const char *name;
    int role;
    int kind;
    double loc, scale, step, lo, hi;
    double lam[F];
    double persist;
    int group;
    int tmonth;
    double miss;
} colspec;

extern const colspec synth_cols[P_COLS];

/* ---------------------------------------------------------------- calibration (follow.c) */

/* Calibrated by bisection on 2M rows (seed 42, month 0, drift 0.05, defaults otherwise): mean prob
 * 0.0200, churn rate 0.0200, active share of leavers 0.20. Recalibrated when the months left on a
 * contract came to follow from the tenure (issue 14: half as many contracts end within a month). */
#define CHURN0_DEFAULT (-4.722)
#define ACTIVE0_DEFAULT (-1.33)

/* ---------------------------------------------------------------- one row in the making */

/* What is shared by all rows of one call, derived once from the parameters (synth_ctx_init). */
typedef struct synth_ctx {
    uint64_t seedkey;
    int month;
    double wobble, shrink; /* f = shrink * (f0 + wobble * w) + mean */
    double fmean[F];
    double psi[P_COLS], sp[P_COLS], sm[P_COLS]; /* noise sd, persistent and monthly shares */
    double inv_step[P_COLS];
    double cumw[SYNTH_MAX_REGIONS];
    unsigned n_regions;
    double window;
    double churn0, active0;
    uint64_t n_base, joiners;
    unsigned n_areas, area0[SYNTH_MAX_REGIONS], area_n[SYNTH_MAX_REGIONS];
    double area_cumw[SYNTH_MAX_AREAS];
} synth_ctx;

/* The quantities of one row, filled piece by piece: each piece reads what the earlier ones wrote. */
typedef struct synth_draw {
    uint64_t kp;       /* profile key */
    uint64_t kc[3];    /* month keys of calendar months M-2, M-1, M: the window's m1, m2, m3 */
    uint64_t km;       /* kc[2], the snapshot month's */
    double f[F];       /* latent factors of this month */
    double x[P_COLS];  /* the columns, as doubles until the row is written */
    double pers[P_COLS]; /* persistent noise per indicator group (indexed by the group's column) */
    unsigned region;
    int brand;
    int ending, newsub; /* contract ends within a month; tenure of at most 3 months */
    int shop, fade;     /* this month's latent states */
    double dual, compcalls, fwd, svol, sarr, sbill, days; /* the alarm signals */
    double prob;        /* true churn probability within the window */
    double pactive;     /* P(active port-out | churn), the leaver type's probability */
    int churned, leaver;
} synth_draw;

/* profile.c */
void synth_ctx_init(const synth_params *p, synth_ctx *c);
/* Keys, latent factors, region, age, brand and lifecycle (x[C_TENURE .. C_AGE]). */
void synth_profile(const synth_ctx *c, uint64_t row, uint64_t id, synth_draw *d);

/* areas.c */
void synth_areas_init(const synth_params *p, synth_ctx *c);
/* The area (global index) of a subscriber of region `region` with profile key kp. */
unsigned synth_area_draw(const synth_ctx *c, uint64_t kp, unsigned region);
/* The 3 * p->competitors per-competitor columns of a finished row (after synth_missing). */
void synth_competitor_columns(const synth_params *p, const synth_draw *d, float *out);

/* churn.c */
/* The latent shopping-around and fading states of this month (before the indicators, which soften). */
void synth_states(const synth_ctx *c, synth_draw *d);
/* The alarm signals, written to their columns. */
void synth_signals(const synth_ctx *c, synth_draw *d);
/* The churn probability, the churn draw and the leaver type. */
void synth_churn(const synth_ctx *c, synth_draw *d);

/* indicators.c */
/* Every column of the table drawn by its transform (K_NONE columns left alone). */
void synth_indicators(const synth_ctx *c, synth_draw *d);
/* The derived and sparse columns: voice charge, roaming, international calls. */
void synth_derived(const synth_ctx *c, synth_draw *d);
/* Missing completely at random, and the m1/m2 history of subscribers of one or two months, after the
 * truth used the values. */
void synth_missing(const synth_ctx *c, synth_draw *d);

/* Rounds x >= 0 to the nearest multiple of step given inv = 1/step (0: no rounding). Truncation instead
 * of floor() and a product instead of a division: this line was a sixth of the generation time. Values
 * here are below 1e9, far inside int64_t. */
static inline double round_pos(double x, double step, double inv)
{
    return inv > 0.0 ? (double)(int64_t)(x * inv + 0.5) * step : x;
}

static inline double clampd(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

#endif
