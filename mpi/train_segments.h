/* train_segments.h — stage 5 of training: segments within each brand (seed 001 segments
 * subscribers by brand before it models them).
 *
 * The space: the design row's factor scores, or its standardised screened indicators when the model
 * has no factors (model/segment.h). The rows: a hash-of-id sample of every subscriber (at most
 * --segment-rows), taken on the way through the holdout's pass (a tap on train_pass), so it costs no
 * pass of its own. The fit: mpi/segment_fit.h. Then one pass over the snapshot assigns every row and
 * profiles each segment (size, churn rate, mean ARPU, the mean of each screened indicator), and the
 * segments are named by the indicators that set them apart. That pass is the one pass segmenting
 * adds to train: the design cache holds design rows only, not the raw indicators a profile needs.
 */
#ifndef CS_TRAIN_SEGMENTS_H
#define CS_TRAIN_SEGMENTS_H

#include "cmodel.h"
#include "segment.h"
#include "segment_fit.h"
#include "train_pass.h"

typedef struct {
    int on;               /* 0: --segments none or 0, or no space to segment in */
    segfit_params fp;
    double frac;          /* share of the rows in the sample */
    size_t d, n_brands;
    int space;            /* SEGMENT_SPACE_* */
    int32_t cols[SEGMENT_MAX_D];
    int32_t brand_col;    /* design column of brand 1's dummy, -1 without */
    /* the sample, in row order */
    float *x;
    uint8_t *brand;
    uint64_t *blk;
    double *u;
    size_t n, cap;
    char reason[256];     /* why there are no segments, or how K was chosen */
} train_seg;

/* Local, after the model's structure: the options (--segments, --segment-rows) and the space, and
 * the tap that collects the sample during the next pass (train_pass.h). n_rows: the snapshot's
 * rows. With segments off, g->reason says why and nothing is collected. CS_EINVAL for a bad value. */
int train_segments_prepare(train_run *t, const cmodel *m, const char *segments, uint64_t seg_rows,
                           train_seg *g);

/* Collective. Fits the segments on the sample, profiles them in one pass over the snapshot and hands
 * them to m->seg (NULL with segments off). Agreed. */
int train_segments(train_run *t, cmodel *m, train_seg *g);

void train_seg_clear(train_seg *g);

#endif
