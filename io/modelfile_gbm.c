/* modelfile_gbm.c — the /gbm group of the model file (docs/formats.md): the boosted trees in level
 * order (node column, bin, threshold, value) and each column's cut points, as plain arrays, and the
 * split gains the reports draw (modelfile_report.c). The reader checks every node's column and every
 * value, so a damaged file is refused naming the dataset rather than scored out of bounds. */
#include "modelfile_int.h"

#include "h5util.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>

#define GBW(expr)                                                                                  \
    do {                                                                                           \
        if (rc == CS_OK) rc = (expr);                                                              \
    } while (0)

/* The /gbm datasets as the file holds them (int32 and double), between the file and a gbm_model:
 * the nodes' column, bin, threshold and value, and each column's cut count and cut points. */
typedef struct {
    int32_t *col, *bin, *ncut;
    double *thr, *val, *cuts;
} gbm_arrays;

static void gbm_arrays_free(gbm_arrays *a)
{
    free(a->col);
    free(a->bin);
    free(a->ncut);
    free(a->thr);
    free(a->val);
    free(a->cuts);
}

/* /gbm: the trees in level order and the cut points, as plain arrays. */
int mf_gbm_write(hid_t f, const gbm_model *g)
{
    int rc = CS_OK;
    size_t nn = g->n_trees * g->nodes_per_tree, nc = g->n_cols * (GBM_MAX_BINS - 1);
    gbm_arrays a = {
        .col = malloc((nn ? nn : 1) * sizeof(int32_t)), .bin = malloc((nn ? nn : 1) * sizeof(int32_t)),
        .ncut = malloc((g->n_cols ? g->n_cols : 1) * sizeof(int32_t)),
        .thr = malloc((nn ? nn : 1) * sizeof(double)), .val = malloc((nn ? nn : 1) * sizeof(double)),
        .cuts = malloc((nc ? nc : 1) * sizeof(double)),
    };
    if (!a.col || !a.bin || !a.ncut || !a.thr || !a.val || !a.cuts) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == CS_OK && i < nn; i++) {
        a.col[i] = g->nodes[i].col;
        a.bin[i] = g->nodes[i].bin;
        a.thr[i] = g->nodes[i].thr;
        a.val[i] = g->nodes[i].value;
    }
    for (size_t j = 0; rc == CS_OK && j < g->n_cols; j++) a.ncut[j] = (int32_t)g->n_cuts[j];
    for (size_t i = 0; rc == CS_OK && i < nc; i++) a.cuts[i] = g->cuts[i];
    hid_t gg = rc == CS_OK ? H5Gcreate2(f, "/gbm", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : -1;
    GBW(h5util_attr_write_i64(gg, "n_cols", (int64_t)g->n_cols));
    GBW(h5util_attr_write_i64(gg, "max_depth", (int64_t)g->max_depth));
    GBW(h5util_attr_write_i64(gg, "n_trees", (int64_t)g->n_trees));
    GBW(h5util_attr_write_f64(gg, "base_score", g->base_score));
    GBW(h5util_write_i32(gg, "n_cuts", a.ncut, g->n_cols));
    GBW(h5util_write_f64(gg, "cuts", a.cuts, g->n_cols, GBM_MAX_BINS - 1));
    GBW(h5util_write_i32(gg, "node_col", a.col, nn));
    GBW(h5util_write_i32(gg, "node_bin", a.bin, nn));
    GBW(h5util_write_f64(gg, "node_thr", a.thr, nn, 0));
    GBW(h5util_write_f64(gg, "node_value", a.val, nn, 0));
    GBW(mf_gbm_gain_write(gg, g));
    if (gg >= 0) H5Gclose(gg);
    gbm_arrays_free(&a);
    return rc;
}

int mf_gbm_read(hid_t f, const char *path, size_t n_cols_expect, gbm_model **out)
{
    hid_t gg = H5Gopen2(f, "/gbm", H5P_DEFAULT);
    if (gg < 0) return CS_ERROR(CS_EFORMAT, "%s: model says gbm but /gbm is missing", path);
    int64_t nc = 0, depth = 0, nt = 0;
    double base = 0;
    int rc = h5util_attr_read_i64(gg, "n_cols", &nc);
    if (rc == CS_OK) rc = h5util_attr_read_i64(gg, "max_depth", &depth);
    if (rc == CS_OK) rc = h5util_attr_read_i64(gg, "n_trees", &nt);
    if (rc == CS_OK) rc = h5util_attr_read_f64(gg, "base_score", &base);
    if (rc == CS_OK && ((size_t)nc != n_cols_expect || depth < 1 || depth > GBM_MAX_DEPTH || nt < 0 ||
                        nt > 1000000 || !isfinite(base)))
        rc = CS_ERROR(CS_EFORMAT, "%s: /gbm does not fit the model's inputs (n_cols %lld for %zu design "
                      "columns, max_depth %lld: 1 to %d, n_trees %lld, base_score %g)", path, (long long)nc,
                      n_cols_expect, (long long)depth, GBM_MAX_DEPTH, (long long)nt, base);
    gbm_model *g = rc == CS_OK ? gbm_model_alloc((size_t)nc, (size_t)(nt ? nt : 1), (size_t)depth) : NULL;
    if (rc == CS_OK && !g) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    size_t nn = g ? (size_t)nt * g->nodes_per_tree : 0;
    gbm_arrays a = {0};
    if (rc == CS_OK) rc = mf_read_i32(gg, "n_cuts", path, (size_t)nc, &a.ncut, GBM_MAX_BINS);
    if (rc == CS_OK) rc = mf_read_vec(gg, "cuts", path, (size_t)nc * (GBM_MAX_BINS - 1), &a.cuts);
    if (rc == CS_OK) rc = mf_read_i32(gg, "node_col", path, nn, &a.col, 0);
    if (rc == CS_OK) rc = mf_read_i32(gg, "node_bin", path, nn, &a.bin, 0);
    if (rc == CS_OK) rc = mf_read_vec(gg, "node_thr", path, nn, &a.thr);
    if (rc == CS_OK) rc = mf_read_vec(gg, "node_value", path, nn, &a.val);
    for (size_t i = 0; rc == CS_OK && i < nn; i++) {
        if (a.col[i] < -1 || a.col[i] >= (int32_t)nc)
            rc = CS_ERROR(CS_EFORMAT, "%s: /gbm/node_col row %zu: %d out of range (-1 to %lld)", path,
                          i, a.col[i], (long long)nc - 1);
        else if (!isfinite(a.val[i]) || !isfinite(a.thr[i]))
            rc = CS_ERROR(CS_EDATA, "%s: /gbm/node_value or node_thr row %zu is not finite", path, i);
        g->nodes[i].col = a.col[i];
        g->nodes[i].bin = a.bin[i];
        g->nodes[i].thr = (float)a.thr[i];
        g->nodes[i].value = a.val[i];
    }
    if (rc == CS_OK) {
        for (int64_t j = 0; j < nc; j++) g->n_cuts[j] = (size_t)a.ncut[j];
        for (size_t i = 0; i < (size_t)nc * (GBM_MAX_BINS - 1); i++) g->cuts[i] = (float)a.cuts[i];
        g->n_trees = (size_t)nt;
        g->base_score = base;
        rc = mf_gbm_gain_read(gg, path, g);
    }
    if (rc == CS_OK) {
        *out = g;
    } else {
        gbm_model_free(g);
    }
    gbm_arrays_free(&a);
    H5Gclose(gg);
    return rc;
}
