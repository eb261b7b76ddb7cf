/* modelfile.h — the model file (HDF5, format "churnscore-model" v2, reads v1; see docs/formats.md).
 *
 * It holds everything scoring needs (the cmodel of model/cmodel.h: inputs by name, imputation,
 * standardisation, factor score coefficients, logistic coefficients, warning cut-off) and the story
 * of how it was made (training snapshot and month, N, git version, creation time, options, the
 * screening table, factor-analysis diagnostics and the holdout metrics), readable by h5py as plain
 * datasets and attributes. Version 2 adds the churn-type models (/types) and their holdout
 * metrics; a version 1 file reads as a model without types. Version 3 adds the segments within
 * each brand (/segments); versions 1 and 2 read as models without segments. Version 4 adds the
 * calibration of the probabilities (model/calib.h); older versions read as uncalibrated. Written by rank 0 only (it is small) under a temporary name and renamed
 * when complete.
 */
#ifndef CS_MODELFILE_H
#define CS_MODELFILE_H

#include "cmodel.h"
#include "diag.h"
#include "gains.h"

#include <stddef.h>
#include <stdint.h>

#define MODELFILE_FORMAT "churnscore-model"
#define MODELFILE_VERSION 5     /* what the writer writes (3: /segments, io/modelfile_seg.c; 4: calibration; 5: derived indicators) */
#define MODELFILE_VERSION_MIN 1 /* the oldest the reader reads (no churn types) */

/* How one churn-type model did on the holdout (0 / NaN when not computed). */
typedef struct {
    uint64_t n, pos;            /* holdout rows evaluated, leavers of the type among them */
    double auc, capture5, capture10;
    double expected_observed;   /* sum of the type's probabilities / its leavers, over the rows */
    uint64_t cal_n[10];         /* calibration by decile of the type's probability, bin 9 = top */
    double cal_pred[10], cal_obs[10];
    int irls_iterations;        /* the fit on the training rows */
    double loglik;
} modelfile_type_story;

typedef struct {
    /* provenance */
    int format_version;   /* of the file read (modelfile_read); the writer writes MODELFILE_VERSION */
    char snapshot[1024];
    char month[16];
    uint64_t n_rows, n_train, n_holdout;
    char version[128];
    char created[32];     /* ISO 8601 UTC */
    char options[2048];   /* every option in force, "name=value ..." */
    char inputs_reason[512];
    char model_choice[256];  /* which model and why (logistic or boosted trees) */ /* why these inputs (e.g. "KMO 0.50 < 0.6: factor analysis not advisable") */
    int irls_iterations;
    double loglik;
    double lambda;
    /* screening table over all snapshot indicators */
    size_t p_all;
    char **all_names;
    int32_t *kept;
    char **drop_reason;   /* "" when kept */
    double *missing_share, *mean, *sd, *min, *max, *mode_share;
    /* factor analysis diagnostics (k = model k) */
    double kmo, bartlett_chi2, bartlett_df, bartlett_p;
    /* --inputs best's candidates (train_candidates.c): validation AUC of the logistic model on the
     * factor scores, the raw indicators and both (NaN when not compared), and the sample they were
     * fitted on */
    double cand_auc[3];
    uint64_t cand_rows;
    size_t n_eigen;
    double *eigenvalues;  /* [n_eigen] of the correlation of the FA indicators */
    double *communality, *uniqueness; /* [p_fa] */
    double *ss_loadings, *prop_var;   /* [k] */
    /* holdout metrics (NaN when not computed) */
    uint64_t ho_n, ho_pos;
    double auc, lift10, capture5, capture10, capture20, ks, brier, oracle_auc;
    uint64_t cal_n[10];
    double cal_pred[10], cal_obs[10];
    double cal_pred_raw[10]; /* mean probability per bin before calibration (NaN without one) */
    char calibration[256];   /* how the probabilities were calibrated, or why not */
    /* drift reference (population stability index): for column 0 = the score and each design
     * column j >= 1, up to 9 ascending decile cut points (NaN-padded) and the training share of
     * each of the 10 bins, bin = number of cuts below the value */
    size_t drift_cols;
    double *drift_edges;    /* [drift_cols * 9] */
    double *drift_expected; /* [drift_cols * 10] */
    /* the churn-type models (CMODEL_TYPE_*), when the model has them; else why not */
    modelfile_type_story types[CMODEL_N_TYPES];
    char types_reason[256];
    /* the holdout's curves (gains.h: gains, lift, ROC, KS, confusion at the cut-off) for the report
     * charts; has_gains 0 without a holdout or in files written before they were kept */
    int has_gains;
    gains_report gains;
    /* the numerical diagnostics of the training (model/diag.h) and what was done about each;
     * empty when every check passed or in files written before they were kept (/diagnostics) */
    diag_list diag;
} modelfile_story;

/* "voluntary", "involuntary": the name of a CMODEL_TYPE_* in files, reports and messages. */
const char *modelfile_type_name(int type);
/* One line on a churn-type model's holdout: "N leavers: AUC .., capture@5% .., expected/observed ..
 * (top deciles a b c)", a decile without a leaver as "-", and "0 leavers: too few to measure" when
 * the holdout held none of the type (train's summary and inspect print the same words). */
void modelfile_type_story_format(const modelfile_type_story *t, char *buf, size_t cap);

void modelfile_story_init(modelfile_story *s);  /* zeros + NaN metrics */
void modelfile_story_clear(modelfile_story *s); /* frees the arrays */

/* Serial (rank 0). Writes "<path>.tmp" then renames it to path (fsync of both). CS_EIO, with "no
 * space left on device: PATH" when the disk is full. */
int modelfile_write(const char *path, const cmodel *m, const modelfile_story *s);
/* Serial. Writes the model complete and closed to tmp (path names it in messages) and leaves the
 * rename to the caller (a commit_set with the command's other outputs); removes tmp on failure. */
int modelfile_write_tmp(const char *tmp, const char *path, const cmodel *m, const modelfile_story *s);

/* Serial. Reads a model (story may be NULL). CS_EIO / CS_EFORMAT when path is not a churnscore
 * model of a supported version, with a message naming the file and what is wrong. */
int modelfile_read(const char *path, cmodel *m, modelfile_story *s);

#endif
