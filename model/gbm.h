/* gbm.h — gradient-boosted decision trees on histograms, split so that ranks can share the work the
 * way LightGBM's data-parallel learner does.
 *
 * Inputs are the model's design columns (cmodel.h, intercept excluded), binned by per-column cut
 * points: bin(v) = number of cuts c with c < v, so "bin <= b" is the same test as "v <= cut[b]" and a
 * tree trained on bins predicts on raw float values. A tree grows level by level (depth-wise) to
 * max_depth: for the nodes of one level, every rank adds its rows' gradient and hessian into a
 * histogram [node][column][bin] (gbm_hist_accumulate, per block, deterministic), the caller sums the
 * histograms across ranks with the rank-independent reduction, and every rank picks the same splits
 * (gbm_level_split) from the same sums. Leaves hold Newton steps -G/(H+lambda) times the learning rate.
 * Loss: logistic, raw score F, p = 1/(1+exp(-F)), g = p - y, h = p(1 - p).
 * Reason codes: the path contributions of each column (Saabas): the change of the node value along
 * the path, credited to the column split on.
 */
#ifndef CS_GBM_H
#define CS_GBM_H

#include <stddef.h>
#include <stdint.h>

#define GBM_MAX_BINS 64
#define GBM_MAX_DEPTH 8
/* Doubles per (column, bin) cell of a histogram: sum g, sum h, count and a zero, so that a row's
 * update of a cell is one 32-byte vector add (one instruction with AVX2, two with SSE2) instead of
 * three scalar read-modify-writes; the histograms were bound by those stores. */
#define GBM_HIST_CELL 4

typedef struct {
    size_t n_trees;      /* boosting rounds (300) */
    size_t max_depth;    /* (4) */
    double learning_rate;/* (0.05) */
    double lambda;       /* L2 on leaf values (1.0) */
    double min_child_hess; /* minimum sum of hessians in a child (1e-3) */
    double min_child_rows; /* minimum rows in a child (20) */
    double min_gain;     /* minimum gain to split (0) */
    size_t max_bins;     /* bins per column, <= GBM_MAX_BINS (64) */
} gbm_params;

void gbm_params_default(gbm_params *p);

/* CS_EINVAL unless n_trees >= 1, 1 <= max_depth <= GBM_MAX_DEPTH, learning_rate > 0, lambda,
 * min_child_hess, min_child_rows, min_gain >= 0 (all finite), 2 <= max_bins <= GBM_MAX_BINS. Lets the
 * pipeline reject options before any collective work; gbm_level_split checks the same. */
int gbm_params_check(const gbm_params *p);

/* A node of a tree, stored in level order: node i has children 2i+1, 2i+2 when it is split. */
typedef struct {
    int32_t col;        /* design column (0-based over the non-intercept columns), -1 for a leaf */
    int32_t bin;        /* go left when bin <= this */
    float thr;          /* ... equivalently when value <= thr (the cut point of that bin) */
    double value;       /* leaf value (learning rate applied); for inner nodes the value the node
                         * would have as a leaf (for path contributions) */
    double gain;        /* a split node's gain (gbm_level_split), 0 for a leaf: the trees' feature
                         * importance (gbm_gain_importance); NaN in files written before it was kept */
} gbm_node;

typedef struct {
    size_t n_cols;       /* input columns (design columns without the intercept) */
    size_t max_depth;
    size_t n_trees;      /* trees grown so far */
    size_t nodes_per_tree; /* 2^(max_depth+1) - 1 */
    double base_score;   /* initial raw score: logit of the training churn rate */
    gbm_node *nodes;     /* [n_trees_cap * nodes_per_tree] */
    size_t n_trees_cap;
    /* binning */
    size_t *n_cuts;      /* [n_cols] cut points per column (bins = n_cuts + 1) */
    float *cuts;         /* [n_cols * (GBM_MAX_BINS - 1)] ascending cut points per column */
} gbm_model;

/* Allocates an empty model for n_cols columns and up to n_trees trees of max_depth: n_trees = 0,
 * base_score = 0, no cuts, every node a leaf of value 0. NULL on failure, n_cols or n_trees 0, or
 * max_depth > GBM_MAX_DEPTH. */
gbm_model *gbm_model_alloc(size_t n_cols, size_t n_trees, size_t max_depth);
void gbm_model_free(gbm_model *m); /* accepts NULL */

/* Cut points of one column from a sample of its values (any order, no NaN): up to max_bins - 1
 * distinct quantile cuts (midpoints between distinct neighbouring sample values at the quantiles),
 * deterministic for the same sample. With at most max_bins distinct values, one cut between each
 * neighbouring pair, so every distinct value has its own bin. Midpoints are rounded to float and
 * never equal the upper value, so bin(v) separates every pair of distinct sample values. Writes them
 * to m->cuts for column c and sets m->n_cuts[c] (0 for an empty or constant sample).
 * sample is reordered (sorted). CS_EINVAL for c >= n_cols or max_bins outside 2..GBM_MAX_BINS,
 * CS_EDATA for a NaN or infinite value. */
int gbm_set_cuts(gbm_model *m, size_t c, float *sample, size_t n, size_t max_bins);

/* Bins of n rows of row-major float design rows X [n * stride], columns col0 .. col0+n_cols-1 are
 * the model's inputs (col0 = 1 skips the intercept): out [n * n_cols] uint8. A NaN goes to bin 0
 * (and left at every split, in gbm_predict_raw and gbm_contrib alike). */
void gbm_bin_rows(const gbm_model *m, const float *X, size_t n, size_t stride, size_t col0,
                  uint8_t *out);

/* Histogram length for one level: n_nodes * n_cols * GBM_MAX_BINS * GBM_HIST_CELL (sum g, sum h,
 * count, 0). */
size_t gbm_hist_len(const gbm_model *m, size_t n_nodes);

/* Adds rows to the level's histogram. node[i] is the row's node index within the level
 * (0 .. n_nodes-1) or -1 when the row is not in the tree (finished leaf, holdout, unlabelled, not
 * sampled). bins [n * n_cols]. hist must hold gbm_hist_len doubles (caller zeroes it per block). */
void gbm_hist_accumulate(const gbm_model *m, const uint8_t *bins, const double *g, const double *h,
                         const int32_t *node, size_t n, size_t n_nodes, double *hist);

/* The histogram-subtraction variant (as LightGBM and XGBoost do): only the smaller child of each split
 * node is accumulated, the larger one is its parent minus it. slot[k] (k < n_nodes) is where node k's
 * histogram goes in hist (slot order), or -1 to skip the node's rows; only the first n_cols_used
 * columns are accumulated, into slots of n_cols_used * GBM_MAX_BINS * GBM_HIST_CELL doubles (the last level needs
 * column 0 alone, for the leaf totals). The caller zeroes hist. */
void gbm_hist_accumulate_slots(const gbm_model *m, const uint8_t *bins, const double *g, const double *h,
                               const int32_t *node, size_t n, const int32_t *slot, size_t n_nodes,
                               size_t n_cols_used, double *hist);

/* gbm_hist_accumulate_slots over a list of rows: rows[0 .. n_rows-1] are indices into bins, g, h
 * and node, every one of them in a node with slot[node[row]] >= 0 (the list gbm_route_rows writes),
 * so no row is looked at that is not accumulated. */
void gbm_hist_accumulate_rows(const gbm_model *m, const uint8_t *bins, const double *g, const double *h,
                              const int32_t *node, const int32_t *rows, size_t n_rows, const int32_t *slot,
                              size_t n_cols_used, double *hist);

/* gbm_hist_accumulate_rows for quantised gradients, as the boosting loop has them (red_quantize):
 * every g and h a multiple of 2^-30 with |g| <= 1 and 0 <= h <= 1. Sums in 64-bit integers (exact),
 * then added to hist, which the caller zeroes: the same bits as gbm_hist_accumulate_rows, faster.
 * rows NULL: rows 0 .. n-1, each with slot[node[i]] >= 0 (the root level: node 0, slot {0}).
 * n_slots: the slots in use; work holds gbm_hist_work_len(m, n_slots) words. */
size_t gbm_hist_work_len(const gbm_model *m, size_t n_nodes);
void gbm_hist_accumulate_q(const gbm_model *m, const uint8_t *bins, const double *g, const double *h,
                           const int32_t *node, const int32_t *rows, size_t n, const int32_t *slot,
                           size_t n_slots, size_t n_cols_used, int64_t *work, double *hist);

/* Rows of node k's left child, from the level's summed histogram and the split just chosen (node k
 * of the level of tree t must be split: col >= 0). */
double gbm_left_rows(const gbm_model *m, size_t t, size_t level, size_t k, const double *hist);

/* Given the level's summed histogram, decides every node of the level of tree t (level L: nodes
 * 2^L-1 .. 2^(L+1)-2 in level order): the best split by gain, or a leaf. Ties go to the lower column,
 * then the lower bin. Writes t's nodes (value of every node of the level; col/bin/thr of the split
 * ones, col = -1 otherwise; inactive nodes get col = -1, value 0). hist holds
 * gbm_hist_len(m, 2^L) doubles (gbm_hist_accumulate with n_nodes = 2^L); active and split hold
 * 2^L ints: active[i] says whether level node i exists (level 0: active[0] = 1; below, the
 * parent's split flag: active[2i] = active[2i+1] = parent split[i]); on return split[i] says whether
 * it was split. At L == max_depth every node becomes a leaf. Gain = G_L^2/(H_L+lambda) +
 * G_R^2/(H_R+lambda) - G^2/(H+lambda) (no factor 1/2), must be > 0 and > min_gain, with both children
 * having >= min_child_rows rows and >= min_child_hess hessian. Does not touch m->n_trees: the caller
 * sets m->n_trees = t + 1 once tree t is complete (gbm_predict_raw and gbm_contrib use trees
 * 0 .. n_trees-1). CS_EINVAL for bad parameters (gbm_params_check), p->max_depth != m->max_depth,
 * t >= n_trees_cap or L > max_depth. Deterministic. */
int gbm_level_split(gbm_model *m, size_t t, size_t level, const double *hist, const int *active,
                    int *split, const gbm_params *p);

/* Moves rows one level down tree t: node_in_level -> child's index in the next level (2i left,
 * 2i+1 right; -1 if the node became a leaf; -1 stays -1). Call after gbm_level_split of that level. */
void gbm_route(const gbm_model *m, size_t t, size_t level, const uint8_t *bins, size_t n,
               int32_t *node);

/* gbm_route on column-major bins (bins_cm: column c of the n rows at bins_cm + c * n), and the
 * boosting update in the same pass: a row whose node of this level is a leaf (not
 * split, or level == max_depth) gets the leaf's value added to F[i] (the same addition, hence the
 * same bits, as F[i] += gbm_tree_value_bins once the tree is complete; a row in a split node gets
 * nothing added). With slot non-NULL (2^(level+1) entries, the next level's slots as in
 * gbm_hist_accumulate_slots) the rows whose new node has a slot >= 0 are listed in rows (n entries
 * at most), in increasing order, and their number returned; 0 with slot NULL. */
size_t gbm_route_rows(const gbm_model *m, size_t t, size_t level, const uint8_t *bins_cm, size_t n,
                      int32_t *node, double *F, const int32_t *slot, int32_t *rows);

/* Leaf value of tree t reached by a binned row. */
double gbm_tree_value_bins(const gbm_model *m, size_t t, const uint8_t *bins_row);

/* Raw score (base_score + all trees) of float design rows (stride, col0 as in gbm_bin_rows). */
void gbm_predict_raw(const gbm_model *m, const float *X, size_t n, size_t stride, size_t col0,
                     double *raw);

/* Path contributions of one float design row: contrib[c] for each input column (n_cols doubles).
 * Each split on the path credits value(child) - value(node) to its column, so within a tree they
 * telescope to leaf - root value: the contributions sum to raw - gbm_contrib_bias(m), i.e.
 * raw - base_score - sum over trees of the root node's value (up to rounding). */
void gbm_contrib(const gbm_model *m, const float *xrow, size_t col0, double *contrib);

/* ---- what the trees are (gbm_info.c): for the report and inspect ---- */

/* Feature importance by gain: imp[c] = the sum of the gains of the splits on column c over trees
 * 0 .. n_trees-1 (imp has n_cols entries). Returns the total gain; NaN when a split's gain is not
 * known (a model file written before gains were kept), and imp is then all NaN. */
double gbm_gain_importance(const gbm_model *m, double *imp);

/* The size of the trees: split nodes and leaves over trees 0 .. n_trees-1 (a node exists when it is
 * a root or its parent is split). */
void gbm_size(const gbm_model *m, size_t *splits, size_t *leaves);

/* The part of every raw score no column is credited with: base_score + the root values of trees
 * 0 .. n_trees-1. */
double gbm_contrib_bias(const gbm_model *m);

#endif
