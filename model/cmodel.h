/* cmodel.h — the churn model as data, and the per-row arithmetic that training and scoring share.
 *
 * A model reads a fixed list of snapshot indicators by name (in_names), imputes missing values with
 * the training means, standardises, and builds one design row per subscriber:
 *     [1, factor scores (k) or standardised indicators, hard signals, lifecycle flags, brand dummies]
 * The design row is rounded to float32 on purpose: training may cache the design matrix in float32
 * between IRLS passes, and scoring must compute exactly what training fitted, so both paths round
 * the same way. The probability is the logistic of the design row times beta. Reason codes are the
 * inputs with the largest positive contributions beta_j * (x_j - mean_j). Where the training
 * snapshot said how each leaver left, the model also holds a logistic model of each churn type
 * (voluntary, involuntary) on the same design row (cmodel_predict_types).
 * The struct is filled by the training pipeline (mpi/cmd_train.c) and stored by io/modelfile.c.
 */
#ifndef CS_CMODEL_H
#define CS_CMODEL_H

#include "gbm.h"
#include "segment.h"

#include <stddef.h>
#include <stdint.h>

/* Which model turns the design row into a probability. */
enum { CMODEL_KIND_LOGIT = 0, CMODEL_KIND_GBM = 1 };

enum { CMODEL_CAL_NONE = 0, CMODEL_CAL_PLATT = 1 };

enum { CMODEL_INPUTS_FACTORS = 0, CMODEL_INPUTS_RAW = 1, CMODEL_INPUTS_BOTH = 2 };

/* The churn types a model can tell apart: the snapshot's churn_type 1 and 2, less one. */
enum { CMODEL_TYPE_VOLUNTARY = 0, CMODEL_TYPE_INVOLUNTARY = 1, CMODEL_N_TYPES = 2 };

/* Kinds of design columns, for reason texts and reports. */
enum { CMODEL_COL_INTERCEPT = 0, CMODEL_COL_FACTOR = 1, CMODEL_COL_INDICATOR = 2,
       CMODEL_COL_SIGNAL = 3, CMODEL_COL_LIFECYCLE = 4, CMODEL_COL_BRAND = 5 };

typedef struct {
    /* inputs read from the snapshot, by name */
    size_t p_in;
    char **in_names;
    double *impute;   /* [p_in] value used for a missing entry (training mean) */
    double *center;   /* [p_in] mean */
    double *scale;    /* [p_in] sd (1 where sd is 0) */
    /* the derived indicators among in_names (model/derived.h): each one's name and formula, which
     * score evaluates on its snapshot's rows; 0 and NULL in files written before them */
    size_t n_derived;
    char **derived_names, **derived_formulas;

    int inputs;       /* CMODEL_INPUTS_* */
    /* the screened, continuous indicators: indices into in_names */
    size_t p_fa;
    int32_t *fa_idx;
    /* factor analysis (k = 0 when inputs are raw) */
    size_t k;
    double *loadings;   /* [p_fa * k] rotated loadings */
    double *score_coef; /* [p_fa * k] regression score coefficients */
    char **factor_labels; /* [k] */
    /* hard signals used as they are: indices into in_names */
    size_t n_signal;
    int32_t *signal_idx;
    /* lifecycle flags derived from tenure_months and contract_months_left (index -1 if absent) */
    int32_t tenure_idx, contract_idx;
    double onboarding_months;     /* onboarding: tenure <= this */
    double contract_ending_months; /* contract ends: 0 <= months left <= this */
    /* brands: dummies for brands 1..n_brands-1; names so that scoring maps a snapshot's brands by
     * name, not by position (NULL in files written before names were stored) */
    size_t n_brands;
    char **brand_names;

    /* the logistic model over the design columns */
    size_t n_coef;
    char **coef_names;  /* [n_coef] */
    int32_t *coef_kind; /* [n_coef] CMODEL_COL_* */
    double *beta, *se, *zval, *pval; /* [n_coef] */
    double *coef_mean;  /* [n_coef] training mean of each design column (for reasons) */
    double warn_cutoff; /* probability at or above which a subscriber is in the warning phase */

    /* boosted trees on the same design columns (intercept excluded), when kind is CMODEL_KIND_GBM;
     * the logistic coefficients are then kept for the report only */
    int kind;
    gbm_model *gbm;
    /* calibration of the scoring model's probability (model/calib.h): with cal CMODEL_CAL_PLATT the
     * log-odds eta become cal_a * eta + cal_b (cal_a > 0: the order is kept); CMODEL_CAL_NONE
     * (files before it, or no validation rows to fit it on) leaves them alone */
    int cal;
    double cal_a, cal_b;

    /* the churn types: when has_types, a logistic model of each type (CMODEL_TYPE_*: leaving
     * voluntarily, leaving involuntarily, each against everything else) over the same n_coef design
     * columns; NULL arrays without types */
    int has_types;
    double *type_beta[CMODEL_N_TYPES], *type_se[CMODEL_N_TYPES];
    double *type_z[CMODEL_N_TYPES], *type_p[CMODEL_N_TYPES];
    /* with types: p_involuntary at or above which (and above p_voluntary) a subscriber is a
     * predicted non-payer for the collections list, the --warn-top quantile of the holdout's
     * p_involuntary as warn_cutoff is of p_voluntary; -1: not set (files before it), score then uses
     * warn_cutoff. The two probabilities have their own base rates (about 4 involuntary leavers to
     * one voluntary), so one cut-off for both put half the base in collections. */
    double coll_cutoff;

    /* the segments within each brand (model/segment.h), over design columns of this model; NULL
     * without (--segments none, or a file written before them) */
    segment_model *seg;
} cmodel;

/* Number of design columns for the structure fields set above (before n_coef is known). */
size_t cmodel_design_width(const cmodel *m);

/* Fills names and kinds of the design columns (n_coef must equal cmodel_design_width); allocates
 * coef_names and coef_kind. CS_ENOMEM. */
int cmodel_name_columns(cmodel *m);

/* Builds the design rows of n subscribers. xin is [n * p_in] row-major: the model's input columns
 * already picked from the snapshot in in_names order (NaN = missing). brand is [n]. X is
 * [n * n_coef] float32. ws is scratch of cmodel_work_len(m, n) doubles. */
size_t cmodel_work_len(const cmodel *m, size_t n);
void cmodel_design(const cmodel *m, const float *xin, const uint8_t *brand, size_t n, float *X,
                   double *ws);

/* Churn probability of n design rows (logistic or trees, by m->kind), calibrated as m->cal says. */
void cmodel_predict(const cmodel *m, const float *X, size_t n, double *prob);

/* The probability of each churn type for n design rows (m->has_types): pvol and pinv the logistic
 * of each type model's beta . row; where their sum exceeds 1 both are divided by the sum, so that
 * pvol + pinv <= 1 for every row. Without types, pvol = prob (given: the row's churn probability;
 * every leaver counts as voluntary) and pinv = NaN; prob may be NULL with types. */
void cmodel_predict_types(const cmodel *m, const float *X, size_t n, const double *prob,
                          double *pvol, double *pinv);

/* The top (up to) nr design columns by positive contribution of one design row — beta_j * (x_j -
 * coef_mean_j) for the logistic model, the trees' path contributions for boosted trees; writes column
 * indices into top and returns how many (contributions <= 0 are not reasons). */
size_t cmodel_reasons(const cmodel *m, const float *xrow, size_t nr, int32_t *top);

/* Hands s to m (m owns it from now; a segment model m held before is freed). */
void cmodel_set_segments(cmodel *m, segment_model *s);

/* Frees every member (the struct itself is the caller's); accepts NULL. */
void cmodel_clear(cmodel *m);

#endif
