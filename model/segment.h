/* segment.h — the segments within each brand as data: the centroids the model keeps, the row's
 * segment, and each segment's profile and name.
 *
 * Training (mpi/train_segments.c) fits k-means per brand (model/kmeans.h through
 * mpi/segment_fit.c) in one space of the design row: the factor scores, or the standardised
 * screened indicators when the model has no factors. A segment has one global id (0..n_seg-1),
 * brand b's segments being first[b] .. first[b] + k[b] - 1; the model file stores all of it
 * (io/modelfile_seg.c) and scoring assigns each subscriber the nearest centroid of its brand. The
 * profile (size, churn rate, mean ARPU and the mean of each profiled indicator) comes from the
 * training snapshot; the indicators that set a segment apart are those whose segment mean lies
 * furthest, in training standard deviations, from the brand's mean, and the name is made of them.
 */
#ifndef CS_SEGMENT_H
#define CS_SEGMENT_H

#include "lang.h"

#include <stddef.h>
#include <stdint.h>

#define SEGMENT_MAX_K 16  /* segments per brand at most (--segments) */
#define SEGMENT_AUTO_MIN 2 /* --segments auto tries K = 2 .. SEGMENT_AUTO_MAX */
#define SEGMENT_AUTO_MAX 8
#define SEGMENT_MARKS 3   /* indicators in a segment's name */
#define SEGMENT_MAX_D 64  /* dimensions of the space at most (more: the first 64 columns) */

/* The space the centroids live in. */
enum { SEGMENT_SPACE_FACTORS = 0, SEGMENT_SPACE_INDICATORS = 1 };

typedef struct {
    int space;          /* SEGMENT_SPACE_* */
    size_t d;
    int32_t *cols;      /* [d] the design columns (cmodel coef index) the centroids are over */
    int32_t brand_col;  /* design column of brand 1's dummy, -1 without brand dummies */
    size_t n_brands;    /* the model's brands (at least 1) */
    int32_t *k;         /* [n_brands] segments of each brand (0: its rows get no segment) */
    int32_t *first;     /* [n_brands] global id of the brand's first segment */
    size_t n_seg;
    double *centroids;  /* [n_seg * d] */
    int32_t *brand;     /* [n_seg] the brand of each segment */
    double *silhouette; /* [n_brands * (SEGMENT_AUTO_MAX + 1)] mean silhouette of each K tried on the
                         * brand's sample (NaN where not tried) */
    char criterion[160]; /* how K was chosen, in words */
    /* the profile over the training snapshot's rows */
    size_t p_prof;
    char **prof_names;  /* [p_prof] the profiled indicators (the screened pool) */
    double *prof_sd;    /* [p_prof] their training standard deviations */
    double *size;       /* [n_seg] rows */
    double *labelled, *churned; /* [n_seg] rows with a 0/1 label, leavers among them */
    double *value;      /* [n_seg] mean ARPU (NaN without an ARPU indicator) */
    double *mean;       /* [n_seg * p_prof] mean of each profiled indicator (missing left out) */
    double *brand_mean; /* [n_brands * p_prof] the same over the brand's rows */
    char **name_en, **name_zh; /* [n_seg] from segment_name, stored so scoring need not rebuild them */
} segment_model;

/* An empty model for n_brands brands, d dimensions and k[b] segments of brand b (p_prof profiled
 * indicators, names copied; NULL names leave them unset): every array allocated, names NULL,
 * numbers NaN or 0. NULL when out of memory or k[b] > SEGMENT_MAX_K. */
segment_model *segment_model_alloc(size_t n_brands, size_t d, const int32_t *k, size_t p_prof,
                                   const char *const *prof_names);
void segment_model_free(segment_model *s); /* accepts NULL */

/* The brand of a design row (1 + the index of the brand dummy that is 1, else 0). */
size_t segment_row_brand(const segment_model *s, const float *xrow);

/* The global segment of a design row: the nearest centroid of its brand over s->cols; -1 when the
 * brand has no segments. */
int32_t segment_assign(const segment_model *s, const float *xrow);

/* The up to SEGMENT_MARKS profiled indicators that set segment g apart: largest |z| first, z =
 * (segment mean - brand mean) / sd, only |z| >= 0.25 (less is not "apart"), one per indicator stem
 * (arpu_m1..arpu_m3 are one: the largest of them). Fills idx and z, returns how many. */
size_t segment_marks(const segment_model *s, size_t g, int32_t *idx, double *z);

/* Segment g's name from its marks in lang, by their stems: "high arpu / low tenure_months"
 * ("arpu高 / tenure_months低"), "typical" ("一般") without marks. Writes at most len bytes (NUL included). */
void segment_name(const segment_model *s, size_t g, cs_lang lang, char *buf, size_t len);

/* Fills name_en and name_zh of every segment from the profile. CS_ENOMEM. */
int segment_name_all(segment_model *s);

/* The label lists and inspect show: "<brand-local number> <name>", e.g. "2 high data_mb_m1". */
void segment_label(const segment_model *s, size_t g, cs_lang lang, char *buf, size_t len);

#endif
