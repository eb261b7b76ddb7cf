/* modelfile_int.h — the parts of the model file kept in modelfile_report.c (shared with
 * modelfile.c only): the holdout's curves and the trees' split gains, which the reports draw. */
#ifndef CS_MODELFILE_INT_H
#define CS_MODELFILE_INT_H

#include "modelfile.h"

#include <hdf5.h>

/* Into the open /holdout group: gains_rows, gains_churned [101], confusion [4] and their attributes
 * (nothing when the story has no curves). */
int mf_gains_write(hid_t holdout, const modelfile_story *s);
/* From the open /holdout group: the curves when present (files before they were kept have none:
 * s->has_gains stays 0). CS_EFORMAT naming the file for a wrong shape or an impossible count. */
int mf_gains_read(hid_t holdout, const char *path, modelfile_story *s);
/* /gbm/node_gain [nodes] into the open /gbm group, and back (absent: every gain NaN). */
int mf_gbm_gain_write(hid_t gg, const gbm_model *g);
int mf_gbm_gain_read(hid_t gg, const char *path, gbm_model *g);

/* The story's tables only the reports read (factor diagnostics: Bartlett's df, eigenvalues,
 * communality, uniqueness, SS loadings, proportion of variance; the screening's min, max and mode
 * share), where the file has them. CS_EFORMAT for a wrong length. */
/* The segments (io/modelfile_seg.c): /segments written when m->seg is set; read into m->seg when the
 * file has the group (checked against m: its design columns and brands), else m->seg stays NULL. */
int mf_seg_write(hid_t f, const cmodel *m);
int mf_seg_read(hid_t f, const char *path, cmodel *m);

/* The derived indicators (io/modelfile_derived.c): into the open /inputs group when m has any; read
 * when the file has them (absent in files before version 5), each name checked to be an input. */
int mf_derived_write(hid_t inputs, const cmodel *m);
int mf_derived_read(hid_t f, const char *path, cmodel *m);

/* The churn-type models and the collections cut-off (io/modelfile_types.c): the churn_types
 * attributes and /types when m has types; read when the file has /types (m->coll_cutoff -1 when it
 * has no cut-off, or no types). */
int mf_types_write(hid_t f, const cmodel *m, const modelfile_story *s);
int mf_types_read(hid_t f, const char *path, cmodel *m);

/* A dataset of exactly expect doubles (CS_EFORMAT naming it otherwise); every value finite
 * (CS_EDATA naming the row). */
int mf_read_vec(hid_t loc, const char *name, const char *file, size_t expect, double **out);
int mf_check_finite(const char *file, const char *name, const double *v, size_t n);
/* A dataset of exactly expect int32 values, each in [0, bound) when bound is not 0. */
int mf_read_i32(hid_t loc, const char *name, const char *file, size_t expect, int32_t **out,
                size_t bound);

/* The trees (io/modelfile_gbm.c): /gbm written from g; read and checked against the model's
 * n_cols_expect design columns (CS_EFORMAT, or CS_EDATA for a value that is not finite). */
int mf_gbm_write(hid_t f, const gbm_model *g);
int mf_gbm_read(hid_t f, const char *path, size_t n_cols_expect, gbm_model **out);

int mf_story_extra_read(hid_t f, const char *path, const cmodel *m, modelfile_story *s);

#endif
