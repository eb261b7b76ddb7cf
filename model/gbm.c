/* gbm.c — the numeric pieces of gbm.h: cut points, binning, level histograms, split choice, routing,
 * prediction and path contributions.
 *
 * Everything here is local and deterministic; the pipeline (mpi/train_gbm.c) owns the loop over trees
 * and levels and the cross-rank sum of the histograms. Two promises hold the pieces together:
 *  - bins and floats agree: bin(v) = #{cuts < v}, and every float test is written "thr < v" (go
 *    right), never "v > thr" or "v <= thr", so that a NaN, which the binning puts in bin 0, also goes
 *    left in gbm_predict_raw and gbm_contrib, and a split trained on bins routes floats identically;
 *  - a split is chosen only from the summed histogram, in a fixed order (node, column, bin) with
 *    strict ">" for improvement, so every rank that holds the same sums builds the same tree.
 * Gain follows LightGBM's convention (no factor 1/2): G_L^2/(H_L+lambda) + G_R^2/(H_R+lambda)
 * - G^2/(H+lambda); min_gain is compared against that.
 */
#include "gbm.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "radix.h"
#include "status.h"

#define GBM_CUTS_PER_COL (GBM_MAX_BINS - 1)
#define GBM_NODE_STRIDE(ncols) ((size_t)(ncols) * GBM_MAX_BINS * GBM_HIST_CELL)
#define GBM_COL_STRIDE (GBM_MAX_BINS * GBM_HIST_CELL)

/* A histogram cell as one vector (g, h, count, 0): each lane's addition is the scalar IEEE addition
 * it replaces, so the sums are the same bits. may_alias: the cells live in arrays of double;
 * aligned(8): the caller's arrays need no 32-byte alignment. */
typedef double gbm_cell __attribute__((vector_size(32), aligned(8), may_alias));

/* The histogram loops also get an AVX2 copy (picked at load time where the processor has it): the
 * default x86-64 build has SSE2 only, where a cell takes two vector adds instead of one. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define GBM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define GBM_CLONES
#endif

/* One row's update of a node's histogram q: columns 0 .. ncu-1, cell bin b[c] of each. */
static inline void gbm_add_row(double *q, const uint8_t *b, size_t ncu, double gi, double hi)
{
    const gbm_cell v = {gi, hi, 1.0, 0.0};
    for (size_t c = 0; c < ncu; c++, q += GBM_COL_STRIDE) *(gbm_cell *)(q + GBM_HIST_CELL * (size_t)b[c]) += v;
}

void gbm_params_default(gbm_params *p)
{
    p->n_trees = 300;
    p->max_depth = 4;
    p->learning_rate = 0.05;
    p->lambda = 1.0;
    p->min_child_hess = 1e-3;
    p->min_child_rows = 20;
    p->min_gain = 0.0;
    p->max_bins = GBM_MAX_BINS;
}

int gbm_params_check(const gbm_params *p)
{
    if (!p) return CS_ERROR(CS_EINVAL, "gbm: no parameters");
    if (p->n_trees == 0) return CS_ERROR(CS_EINVAL, "gbm: the number of trees must be at least 1");
    if (p->max_depth < 1 || p->max_depth > GBM_MAX_DEPTH)
        return CS_ERROR(CS_EINVAL, "gbm: max depth %zu is outside 1..%d", p->max_depth,
                        GBM_MAX_DEPTH);
    if (!(p->learning_rate > 0) || !isfinite(p->learning_rate))
        return CS_ERROR(CS_EINVAL, "gbm: learning rate %g must be positive and finite",
                        p->learning_rate);
    if (!(p->lambda >= 0) || !isfinite(p->lambda))
        return CS_ERROR(CS_EINVAL, "gbm: lambda %g must be >= 0 and finite", p->lambda);
    if (!(p->min_child_hess >= 0) || !isfinite(p->min_child_hess))
        return CS_ERROR(CS_EINVAL, "gbm: min child hessian %g must be >= 0 and finite",
                        p->min_child_hess);
    if (!(p->min_child_rows >= 0) || !isfinite(p->min_child_rows))
        return CS_ERROR(CS_EINVAL, "gbm: min child rows %g must be >= 0 and finite",
                        p->min_child_rows);
    if (!(p->min_gain >= 0) || !isfinite(p->min_gain))
        return CS_ERROR(CS_EINVAL, "gbm: min gain %g must be >= 0 and finite", p->min_gain);
    if (p->max_bins < 2 || p->max_bins > GBM_MAX_BINS)
        return CS_ERROR(CS_EINVAL, "gbm: max bins %zu is outside 2..%d", p->max_bins, GBM_MAX_BINS);
    return CS_OK;
}

gbm_model *gbm_model_alloc(size_t n_cols, size_t n_trees, size_t max_depth)
{
    if (n_cols == 0 || n_trees == 0 || max_depth > GBM_MAX_DEPTH) return NULL;
    size_t npt = ((size_t)1 << (max_depth + 1)) - 1;
    if (n_trees > SIZE_MAX / sizeof(gbm_node) / npt) return NULL;
    if (n_cols > SIZE_MAX / sizeof(float) / GBM_CUTS_PER_COL) return NULL;
    gbm_model *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n_cols = n_cols;
    m->max_depth = max_depth;
    m->nodes_per_tree = npt;
    m->n_trees_cap = n_trees;
    m->nodes = malloc(n_trees * npt * sizeof *m->nodes);
    m->n_cuts = calloc(n_cols, sizeof *m->n_cuts);
    m->cuts = calloc(n_cols * GBM_CUTS_PER_COL, sizeof *m->cuts);
    if (!m->nodes || !m->n_cuts || !m->cuts) {
        gbm_model_free(m);
        return NULL;
    }
    /* every node starts as a zero leaf: an unwritten node is never mistaken for a split on column 0 */
    for (size_t i = 0; i < n_trees * npt; i++)
        m->nodes[i] = (gbm_node){.col = -1, .bin = 0, .thr = 0.0f, .value = 0.0};
    return m;
}

void gbm_model_free(gbm_model *m)
{
    if (!m) return;
    free(m->nodes);
    free(m->n_cuts);
    free(m->cuts);
    free(m);
}

/* Sorts n finite floats ascending by radix_sort_hi32 (tmp: 2n words). -0.0 lands before 0.0, which
 * the callers treat as equal. 200k values: 2 ms, against 14 ms for qsort; the cut points of all
 * columns are computed on one rank, so this is serial time. */
static void gbm_sort_floats(float *v, size_t n, uint64_t *tmp)
{
    for (size_t i = 0; i < n; i++) tmp[i] = (uint64_t)radix_key_float(v[i]) << 32;
    const uint64_t *a = radix_sort_hi32(tmp, tmp + n, n);
    for (size_t i = 0; i < n; i++) v[i] = radix_float_of_key((uint32_t)(a[i] >> 32));
}

/* A float cut strictly below hi and not below lo, for lo < hi: the midpoint, computed in double and
 * rounded to float. Rounding can only land on lo or hi (both are floats); landing on hi (adjacent
 * floats, tie rounded to even) would put hi in lo's bin, so the cut falls back to lo, which still
 * keeps lo left (lo < lo is false) and hi right. */
static float gbm_mid_cut(float lo, float hi)
{
    float c = (float)(0.5 * ((double)lo + (double)hi));
    return c < hi ? c : lo;
}

int gbm_set_cuts(gbm_model *m, size_t c, float *sample, size_t n, size_t max_bins)
{
    if (!m) return CS_ERROR(CS_EINVAL, "gbm_set_cuts: no model");
    if (c >= m->n_cols)
        return CS_ERROR(CS_EINVAL, "gbm_set_cuts: column %zu outside 0..%zu", c, m->n_cols - 1);
    if (max_bins < 2 || max_bins > GBM_MAX_BINS)
        return CS_ERROR(CS_EINVAL, "gbm_set_cuts: max bins %zu is outside 2..%d", max_bins,
                        GBM_MAX_BINS);
    if (n > 0 && !sample) return CS_ERROR(CS_EINVAL, "gbm_set_cuts: no sample");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(sample[i]))
            return CS_ERROR(CS_EDATA, "gbm_set_cuts: column %zu: sample value %zu is %g", c, i,
                            (double)sample[i]);
    float *cut = m->cuts + c * GBM_CUTS_PER_COL;
    size_t nc = 0;
    if (n > 1) {
        uint64_t *tmp = malloc(2 * n * sizeof *tmp);
        if (!tmp) return CS_ERROR(CS_ENOMEM, "gbm_set_cuts: out of memory for %zu values", n);
        gbm_sort_floats(sample, n, tmp);
        free(tmp);
    }

    size_t distinct = n > 0;
    for (size_t i = 1; i < n; i++) distinct += sample[i] > sample[i - 1];

    if (distinct <= max_bins) {
        /* few values (flags, counts): every distinct value gets its own bin */
        for (size_t i = 1; i < n; i++)
            if (sample[i] > sample[i - 1]) cut[nc++] = gbm_mid_cut(sample[i - 1], sample[i]);
    } else {
        /* quantile q = i/max_bins: values <= sample[j] go left, j = floor(i n / max_bins); the cut
         * sits between sample[j] and the next larger value (k, moving forward only since j grows).
         * A value repeated across several quantiles yields one cut (dedup). */
        size_t k = 0;
        for (size_t i = 1; i < max_bins; i++) {
            /* floor(i n / max_bins) without forming i n: n = q max_bins + r */
            size_t j = i * (n / max_bins) + i * (n % max_bins) / max_bins;
            float v = sample[j];
            if (k <= j) k = j + 1;
            while (k < n && !(sample[k] > v)) k++;
            if (k >= n) break; /* v is the maximum: nothing above it to split off */
            float cv = gbm_mid_cut(v, sample[k]);
            if (nc == 0 || cv > cut[nc - 1]) cut[nc++] = cv;
        }
    }
    m->n_cuts[c] = nc;
    return CS_OK;
}

/* #{cuts < v}: the first index whose cut is not below v (NaN compares false, so it lands in bin 0). */
static inline uint8_t gbm_bin_of(const float *cut, size_t nc, float v)
{
    size_t lo = 0, hi = nc;
    while (lo < hi) {
        size_t mid = (lo + hi) >> 1;
        if (cut[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint8_t)lo;
}

void gbm_bin_rows(const gbm_model *m, const float *X, size_t n, size_t stride, size_t col0,
                  uint8_t *out)
{
    size_t nc = m->n_cols;
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * stride + col0;
        uint8_t *o = out + i * nc;
        for (size_t c = 0; c < nc; c++)
            o[c] = gbm_bin_of(m->cuts + c * GBM_CUTS_PER_COL, m->n_cuts[c], x[c]);
    }
}

size_t gbm_hist_len(const gbm_model *m, size_t n_nodes)
{
    return n_nodes * GBM_NODE_STRIDE(m->n_cols);
}

GBM_CLONES
void gbm_hist_accumulate(const gbm_model *m, const uint8_t *bins, const double *g, const double *h,
                         const int32_t *node, size_t n, size_t n_nodes, double *hist)
{
    const size_t nc = m->n_cols;
    const size_t node_stride = GBM_NODE_STRIDE(nc);
    const uint8_t *b = bins;
    for (size_t i = 0; i < n; i++, b += nc) {
        /* one unsigned compare drops both -1 (not in the tree) and out-of-range node indices */
        uint32_t k = (uint32_t)node[i];
        if (k >= n_nodes) continue;
        gbm_add_row(hist + (size_t)k * node_stride, b, nc, g[i], h[i]);
    }
}

GBM_CLONES
void gbm_hist_accumulate_slots(const gbm_model *m, const uint8_t *bins, const double *g, const double *h,
                               const int32_t *node, size_t n, const int32_t *slot, size_t n_nodes,
                               size_t n_cols_used, double *hist)
{
    const size_t nc = m->n_cols, ncu = n_cols_used < nc ? n_cols_used : nc;
    const size_t stride = ncu * GBM_COL_STRIDE;
    const uint8_t *b = bins;
    for (size_t i = 0; i < n; i++, b += nc) {
        uint32_t k = (uint32_t)node[i];
        if (k >= n_nodes || slot[k] < 0) continue;
        gbm_add_row(hist + (size_t)slot[k] * stride, b, ncu, g[i], h[i]);
    }
}

GBM_CLONES
void gbm_hist_accumulate_rows(const gbm_model *m, const uint8_t *bins, const double *g, const double *h,
                              const int32_t *node, const int32_t *rows, size_t n_rows, const int32_t *slot,
                              size_t n_cols_used, double *hist)
{
    const size_t nc = m->n_cols, ncu = n_cols_used < nc ? n_cols_used : nc;
    const size_t stride = ncu * GBM_COL_STRIDE;
    for (size_t r = 0; r < n_rows; r++) {
        size_t i = (size_t)rows[r];
        gbm_add_row(hist + (size_t)slot[node[i]] * stride, bins + i * nc, ncu, g[i], h[i]);
    }
}

/* The quantised histograms: 64-bit integer sums in units of 2^-30, the hessian and the count packed
 * in one lane (count above bit GBM_Q_SHIFT), so that a cell is 16 bytes and a node's histogram of
 * 43 columns (about 1,700 cells used) stays in a 48 KB L1 cache; with 32-byte double cells it did
 * not, and the accumulation waited on L2 for every cell. A chunk of rows is small enough that no
 * lane overflows (|g| <= 1 and h <= 1 give sums below 2^44), then added to the double histogram:
 * integer sums are exact, so the doubles get the same exact sums, the same bits, as adding row by
 * row. */
#define GBM_Q_SHIFT 45
#define GBM_Q_CHUNK ((size_t)1 << 14)
typedef int64_t gbm_qcell __attribute__((vector_size(16), aligned(8), may_alias));

size_t gbm_hist_work_len(const gbm_model *m, size_t n_nodes)
{
    return n_nodes * m->n_cols * GBM_MAX_BINS * 2;
}

/* Adds the integer sums of n_slots slots to hist (only the bins a column has) and zeroes them. */
static void gbm_q_flush(const gbm_model *m, size_t n_slots, size_t ncu, int64_t *w, double *hist)
{
    const int64_t mask = ((int64_t)1 << GBM_Q_SHIFT) - 1;
    for (size_t s = 0; s < n_slots; s++)
        for (size_t c = 0; c < ncu; c++) {
            int64_t *q = w + (s * ncu + c) * GBM_MAX_BINS * 2;
            double *d = hist + (s * ncu + c) * GBM_COL_STRIDE;
            for (size_t b = 0; b < GBM_MAX_BINS; b++) {
                int64_t p = q[2 * b + 1];
                if (p == 0) continue; /* no rows (a row adds at least 2^GBM_Q_SHIFT) */
                d[GBM_HIST_CELL * b] += (double)q[2 * b] * 0x1p-30;
                d[GBM_HIST_CELL * b + 1] += (double)(p & mask) * 0x1p-30;
                d[GBM_HIST_CELL * b + 2] += (double)(p >> GBM_Q_SHIFT);
                q[2 * b] = q[2 * b + 1] = 0;
            }
        }
}

GBM_CLONES
void gbm_hist_accumulate_q(const gbm_model *m, const uint8_t *bins, const double *g, const double *h,
                           const int32_t *node, const int32_t *rows, size_t n, const int32_t *slot,
                           size_t n_slots, size_t n_cols_used, int64_t *work, double *hist)
{
    const size_t nc = m->n_cols, ncu = n_cols_used < nc ? n_cols_used : nc;
    const size_t ws = ncu * GBM_MAX_BINS * 2;
    memset(work, 0, n_slots * ws * sizeof *work);
    for (size_t r0 = 0; r0 < n; r0 += GBM_Q_CHUNK) {
        const size_t r1 = n - r0 > GBM_Q_CHUNK ? r0 + GBM_Q_CHUNK : n;
        for (size_t r = r0; r < r1; r++) {
            const size_t i = rows ? (size_t)rows[r] : r;
            const uint8_t *b = bins + i * nc;
            int64_t *q = work + (size_t)slot[node[i]] * ws;
            const gbm_qcell v = {(int64_t)(g[i] * 0x1p30), (int64_t)(h[i] * 0x1p30) + ((int64_t)1 << GBM_Q_SHIFT)};
            for (size_t c = 0; c < ncu; c++, q += GBM_MAX_BINS * 2) *(gbm_qcell *)(q + 2 * (size_t)b[c]) += v;
        }
        gbm_q_flush(m, n_slots, ncu, work, hist);
    }
}

double gbm_left_rows(const gbm_model *m, size_t t, size_t level, size_t k, const double *hist)
{
    const size_t n_nodes = (size_t)1 << level;
    const gbm_node *nd = m->nodes + t * m->nodes_per_tree + (n_nodes - 1) + k;
    if (nd->col < 0) return 0.0;
    const double *hc = hist + k * GBM_NODE_STRIDE(m->n_cols) + (size_t)nd->col * GBM_COL_STRIDE;
    double nl = 0;
    for (int32_t b = 0; b <= nd->bin; b++) nl += hc[GBM_HIST_CELL * b + 2];
    return nl;
}

static inline double gbm_leaf_value(double G, double H, const gbm_params *p)
{
    double d = H + p->lambda;
    return d > 0 ? -p->learning_rate * G / d : 0.0;
}

int gbm_level_split(gbm_model *m, size_t t, size_t level, const double *hist, const int *active,
                    int *split, const gbm_params *p)
{
    if (!m || !hist || !active || !split) return CS_ERROR(CS_EINVAL, "gbm_level_split: NULL argument");
    CS_TRY(gbm_params_check(p));
    if (p->max_depth != m->max_depth)
        return CS_ERROR(CS_EINVAL, "gbm_level_split: parameters say depth %zu, the model %zu",
                        p->max_depth, m->max_depth);
    if (t >= m->n_trees_cap)
        return CS_ERROR(CS_EINVAL, "gbm_level_split: tree %zu beyond the capacity %zu", t,
                        m->n_trees_cap);
    if (level > m->max_depth)
        return CS_ERROR(CS_EINVAL, "gbm_level_split: level %zu beyond max depth %zu", level,
                        m->max_depth);

    const size_t nc = m->n_cols, n_nodes = (size_t)1 << level;
    const size_t node_stride = GBM_NODE_STRIDE(nc);
    const int last = level == m->max_depth;
    gbm_node *tree = m->nodes + t * m->nodes_per_tree + (n_nodes - 1);

    for (size_t i = 0; i < n_nodes; i++) {
        gbm_node *nd = &tree[i];
        *nd = (gbm_node){.col = -1, .bin = 0, .thr = 0.0f, .value = 0.0};
        split[i] = 0;
        if (!active[i]) continue;
        const double *hn = hist + i * node_stride;
        /* the node's totals from column 0 (every row lands in exactly one bin of every column) */
        double G = 0, H = 0;
        for (size_t b = 0; b < GBM_MAX_BINS; b++) G += hn[GBM_HIST_CELL * b], H += hn[GBM_HIST_CELL * b + 1];
        nd->value = gbm_leaf_value(G, H, p);
        if (last) continue;

        const double parent = H + p->lambda > 0 ? G * G / (H + p->lambda) : 0.0;
        double best = 0.0;
        int32_t best_c = -1, best_b = 0;
        for (size_t c = 0; c < nc; c++) {
            const double *hc = hn + c * GBM_COL_STRIDE;
            const size_t ncut = m->n_cuts[c];
            /* the right side is the column's own total minus the prefix, so that left + right is
             * this column's sum exactly as accumulated */
            double Gc = 0, Hc = 0, Nc = 0;
            for (size_t b = 0; b <= ncut; b++)
                Gc += hc[GBM_HIST_CELL * b], Hc += hc[GBM_HIST_CELL * b + 1], Nc += hc[GBM_HIST_CELL * b + 2];
            double GL = 0, HL = 0, NL = 0;
            for (size_t b = 0; b < ncut; b++) { /* b = ncut would send every row left */
                GL += hc[GBM_HIST_CELL * b], HL += hc[GBM_HIST_CELL * b + 1], NL += hc[GBM_HIST_CELL * b + 2];
                double GR = Gc - GL, HR = Hc - HL, NR = Nc - NL;
                if (NL < p->min_child_rows || NR < p->min_child_rows) continue;
                if (HL < p->min_child_hess || HR < p->min_child_hess) continue;
                double dl = HL + p->lambda, dr = HR + p->lambda;
                if (!(dl > 0) || !(dr > 0)) continue;
                double gain = GL * GL / dl + GR * GR / dr - parent;
                /* strict: a tie keeps the earlier (lower column, then lower bin) candidate */
                if (gain > best) {
                    best = gain;
                    best_c = (int32_t)c;
                    best_b = (int32_t)b;
                }
            }
        }
        if (best_c < 0 || !(best > p->min_gain)) continue;
        nd->col = best_c;
        nd->bin = best_b;
        nd->gain = best;
        nd->thr = m->cuts[(size_t)best_c * GBM_CUTS_PER_COL + (size_t)best_b];
        split[i] = 1;
    }
    return CS_OK;
}

void gbm_route(const gbm_model *m, size_t t, size_t level, const uint8_t *bins, size_t n,
               int32_t *node)
{
    const size_t nc = m->n_cols, n_nodes = (size_t)1 << level;
    const gbm_node *tree = m->nodes + t * m->nodes_per_tree + (n_nodes - 1);
    const uint8_t *b = bins;
    for (size_t i = 0; i < n; i++, b += nc) {
        uint32_t k = (uint32_t)node[i];
        if (k >= n_nodes) {
            node[i] = -1;
            continue;
        }
        const gbm_node *nd = &tree[k];
        if (nd->col < 0 || level >= m->max_depth)
            node[i] = -1;
        else
            node[i] = (int32_t)(2 * k + (b[nd->col] > nd->bin));
    }
}

size_t gbm_route_rows(const gbm_model *m, size_t t, size_t level, const uint8_t *bins_cm, size_t n,
                      int32_t *node, double *F, const int32_t *slot, int32_t *rows)
{
    /* Branch-free, from per-node tables with one more entry (index n_nodes) for rows not in the
     * tree: a leaf (or that entry) has base -1 and bin 255 (no bin is above it), so its rows get -1;
     * a split node has base 2k. A split node's value is -0.0, which leaves every F[i] as it was
     * (x + -0.0 == x, -0.0 included). The data-dependent branches of gbm_route cost more than the
     * rest of the pass, and reading one byte of every row-major row streamed the whole binned
     * sample through the cache once per level: column-major, a level reads the split columns only. */
    enum { MAXN = 1 << GBM_MAX_DEPTH };
    const size_t n_nodes = (size_t)1 << level;
    const gbm_node *tree = m->nodes + t * m->nodes_per_tree + (n_nodes - 1);
    int32_t base[MAXN + 1], nslot[2 * MAXN + 1];
    const uint8_t *colp[MAXN + 1];
    uint8_t bin[MAXN + 1];
    double val[MAXN + 1];
    const int last = level >= m->max_depth;
    int any = 0;
    for (size_t k = 0; k <= n_nodes; k++) {
        int split = k < n_nodes && !last && tree[k].col >= 0;
        any |= split;
        colp[k] = bins_cm + (split ? (size_t)tree[k].col * n : 0);
        bin[k] = split ? (uint8_t)tree[k].bin : 255;
        base[k] = split ? (int32_t)(2 * k) : -1;
        val[k] = split || k == n_nodes ? -0.0 : tree[k].value;
    }
    if (!any) { /* every node a leaf: no bins to read, no rows to list */
        for (size_t i = 0; i < n; i++) {
            uint32_t k = (uint32_t)node[i];
            F[i] += val[k < n_nodes ? k : n_nodes];
            node[i] = -1;
        }
        return 0;
    }
    /* nslot[1 + j]: slot of next-level node j, nslot[0] for -1 */
    nslot[0] = -1;
    for (size_t j = 0; j < 2 * n_nodes; j++) nslot[1 + j] = slot ? slot[j] : -1;
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)node[i];
        k = k < n_nodes ? k : (uint32_t)n_nodes;
        int32_t to = base[k] + (colp[k][i] > bin[k]);
        F[i] += val[k];
        node[i] = to;
        if (slot) {
            rows[nr] = (int32_t)i;
            nr += nslot[to + 1] >= 0;
        }
    }
    return nr;
}

double gbm_tree_value_bins(const gbm_model *m, size_t t, const uint8_t *bins_row)
{
    const gbm_node *tree = m->nodes + t * m->nodes_per_tree;
    size_t j = 0;
    for (size_t d = 0; d < m->max_depth && tree[j].col >= 0; d++)
        j = 2 * j + 1 + (bins_row[tree[j].col] > tree[j].bin);
    return tree[j].value;
}

/* Node index reached from node j by a float row: right exactly when bin(v) > bin, i.e. thr < v. */
static inline size_t gbm_child(const gbm_node *nd, size_t j, const float *x)
{
    return 2 * j + 1 + (nd->thr < x[nd->col]);
}

void gbm_predict_raw(const gbm_model *m, const float *X, size_t n, size_t stride, size_t col0,
                     double *raw)
{
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * stride + col0;
        double s = m->base_score;
        for (size_t t = 0; t < m->n_trees; t++) {
            const gbm_node *tree = m->nodes + t * m->nodes_per_tree;
            size_t j = 0;
            for (size_t d = 0; d < m->max_depth && tree[j].col >= 0; d++)
                j = gbm_child(&tree[j], j, x);
            s += tree[j].value;
        }
        raw[i] = s;
    }
}

double gbm_contrib_bias(const gbm_model *m)
{
    double s = m->base_score;
    for (size_t t = 0; t < m->n_trees; t++) s += m->nodes[t * m->nodes_per_tree].value;
    return s;
}

void gbm_contrib(const gbm_model *m, const float *xrow, size_t col0, double *contrib)
{
    const float *x = xrow + col0;
    for (size_t c = 0; c < m->n_cols; c++) contrib[c] = 0.0;
    for (size_t t = 0; t < m->n_trees; t++) {
        const gbm_node *tree = m->nodes + t * m->nodes_per_tree;
        size_t j = 0;
        for (size_t d = 0; d < m->max_depth && tree[j].col >= 0; d++) {
            size_t k = gbm_child(&tree[j], j, x);
            contrib[tree[j].col] += tree[k].value - tree[j].value;
            j = k;
        }
    }
}
