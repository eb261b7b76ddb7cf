/* analyze.h — the figures of the operator's monthly analyses (seed 000's suspension, forwarding and
 * churn reports, seed 002's traffic-change profile and big-customer grid) as sums over rows.
 *
 * `churnscore analyze` (mpi/cmd_analyze.c) reads a month's rows block by block; for each fixed
 * reduction block it asks anl_block_add for the block's partial sums, one flat vector of doubles
 * laid out by anl_layout, and reduces the blocks by the fixed tree of mpi/reduce.h, so every figure
 * has the same bits for any number of ranks. Counts are sums of ones (exact in a double up to 2^53).
 * What a vector holds is decided here once: the cells are group x brand, a group being an area where
 * the snapshot has areas and a region otherwise (the drill-down to regions sums a region's areas
 * afterwards, io/anlrep.c). Nothing here does MPI or I/O.
 *
 * Vector layout (anl_layout's offsets), cells c = group * brands + brand:
 *   churn      [cells][ANL_CH_*]
 *   suspension [ANL_N_SUSP][cells][ANL_SU_*]       voluntary, arrears, high bill
 *   forwarding [competitors + 1][cells][ANL_FW_*]  each competitor, then all of them together
 *   traffic    [ANL_N_TRAFFIC][ANL_TR_HEAD + 3 * P] rose, fell, steady: counts, then per indicator
 *                                                  its present count, sum and sum of squares
 *   grid       [ANL_N_BANDS][ANL_N_TIERS][brands][products][ANL_GR_*]
 * products: 1, or with a plan indicator (import's `plan=LEVEL` columns, see anl_cols) each level
 * that has a column, then "other" (the import's first level, which has none, and rows with none).
 */
#ifndef CS_ANALYZE_H
#define CS_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

enum { ANL_CH_SUBS, ANL_CH_NEW_TENURE, ANL_CH_LABELLED, ANL_CH_LEAVERS, ANL_CH_VOLUNTARY,
       ANL_CH_INVOLUNTARY, ANL_CH_VALUE, ANL_CH_LEAVERS_VALUE, ANL_CH_N };
enum { ANL_SU_COUNT, ANL_SU_VALUE, ANL_SU_LABELLED, ANL_SU_LEFT, ANL_SU_N };
enum { ANL_FW_COUNT, ANL_FW_VALUE, ANL_FW_SERVICE_CALLS, ANL_FW_DUAL_SIM, ANL_FW_LABELLED, ANL_FW_LEFT,
       ANL_FW_N };
enum { ANL_TR_N, ANL_TR_LABELLED, ANL_TR_LEAVERS, ANL_TR_HEAD };
enum { ANL_GR_SUBS, ANL_GR_VALUE, ANL_GR_VAR, ANL_GR_EXPECTED, ANL_GR_LABELLED, ANL_GR_LEAVERS, ANL_GR_N };
#define ANL_N_SUSP 3
#define ANL_N_TRAFFIC 3 /* rose, fell, steady */
#define ANL_N_BANDS 4   /* phase healthy, warning, alarm; unscored */
#define ANL_N_TIERS 6   /* 0 (value unknown), 1..5 */
#define ANL_MAX_COMPETITORS 16
#define ANL_MAX_PLANS 32

/* The snapshot columns the analyses read (-1: absent) and the competitors found by name. */
typedef struct {
    long tenure, arpu;             /* tenure_months, arpu_m3 */
    long susp[ANL_N_SUSP];         /* suspended_voluntary, suspended_arrears, suspended_high_bill */
    long mou[3], data[3];          /* mou_m1..3, data_mb_m1..3 */
    size_t n_comp;                 /* competitors named by forward_to_<K>_m3 (K not "competitor") */
    char comp[ANL_MAX_COMPETITORS][48];
    long fwd[ANL_MAX_COMPETITORS], calls[ANL_MAX_COMPETITORS], dual[ANL_MAX_COMPETITORS];
    long fwd_all, calls_all, dual_all; /* forward_to_competitor_m3, competitor_service_calls_m3, dual_sim */
    /* the product (tariff plan) of the grid: the 0/1 columns NAME=LEVEL of the first of the category
     * columns plan, product, tariff, package the snapshot has (import names a category's levels so),
     * in column order, at most ANL_MAX_PLANS (n_plan 0: no product dimension) */
    size_t n_plan;
    char plan_col[16];
    long plan[ANL_MAX_PLANS];
    char plan_name[ANL_MAX_PLANS][64];
} anl_cols;

/* Finds the columns by name among p feature names. */
void anl_cols_find(anl_cols *c, const char *const *names, size_t p);

/* The columns the cells of anl_rows.cells_only read (tenure, ARPU, suspensions, forwarding), each
 * once, into out (room for ANL_MAX_CELL_COLS); returns how many. */
#define ANL_MAX_CELL_COLS (2 + ANL_N_SUSP + 3 * ANL_MAX_COMPETITORS + 3)
size_t anl_cell_cols(const anl_cols *c, long *out);

typedef struct {
    size_t groups, brands, p, comps; /* comps: competitors (the "all" row comes on top) */
    double threshold;                /* traffic change: |change| >= threshold (0.3 = 30%) */
    size_t off_churn, off_susp, off_fwd, off_traffic, off_grid, len;
    size_t products;                 /* the grid's products: 1, or n_plan + 1 (anl_layout_products) */
} anl_layout;

void anl_layout_init(anl_layout *l, size_t groups, size_t brands, size_t p, size_t comps, double threshold);
/* Gives the grid a product dimension of n products (1: none; a plan indicator's n_plan + 1). */
void anl_layout_products(anl_layout *l, size_t n);
/* The product of a row: the first plan level whose column is set, else n_plan ("other"); 0 without. */
size_t anl_product(const anl_cols *c, const float *x);

/* One block of rows (views of the caller's buffers). group[i] may be SIZE_MAX: the row belongs to
 * no cell of this layout (last month's rows of an area this month does not have) and is skipped.
 * churned/ctype may be NULL (no labels / no churn types); phase/tier/prob/var/sarpu NULL without
 * scores (the grid then counts the row as unscored, tier 0, its value from arpu_m3). */
typedef struct {
    size_t n;
    const size_t *group;
    const uint8_t *brand;
    const float *x; /* [n * p] */
    const int8_t *churned, *ctype;
    const uint8_t *phase, *tier;
    const double *prob, *var;
    const float *sarpu;
    /* last month's rows: only what the reports compare with last month (churn, suspension and
     * forwarding cells); the traffic profile and the grid are this month's alone, and skipping them
     * is most of what the second pass would compute (issue 16's speed target) */
    int cells_only;
} anl_rows;

/* Adds the block's rows into v (len doubles, which the caller zeroed for the block). */
void anl_block_add(const anl_layout *l, const anl_cols *c, const anl_rows *r, double *v);

/* The traffic group of a row: bit 1 rose, bit 2 fell (both possible: minutes up, data down), 0
 * steady; -1 when neither minutes nor data have the three months to compare. */
int anl_traffic_group(const anl_cols *c, const float *x, double threshold);

/* Whether a row is a new subscriber by its own record (tenure_months <= 1). */
int anl_new_by_tenure(const anl_cols *c, const float *x);

/* The profile of traffic group g against the steady group: for each indicator j, means and
 * standard deviations (population) of both, and the standardised difference d = (mg - mr) /
 * sqrt((vg + vr) / 2) (NaN where a side has no value or both vary not at all). order[] gets the
 * indicators by |d| descending (NaN last, ties by index), skipping none. tr = v + off_traffic. */
void anl_profile(const anl_layout *l, const double *tr, int g, double *mg, double *mr, double *sg,
                 double *sr, double *d, size_t *order);

#endif
