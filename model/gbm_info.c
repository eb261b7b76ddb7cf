/* gbm_info.c — what a trained ensemble is (gbm.h, "what the trees are"): its size and which inputs
 * it splits on most, for the model report (htmlrep_train.c) and `churnscore inspect`. Kept apart from
 * gbm.c, which trains and predicts: nothing here is on a hot path. */
#include "gbm.h"

#include <math.h>

double gbm_gain_importance(const gbm_model *m, double *imp)
{
    for (size_t c = 0; c < m->n_cols; c++) imp[c] = 0;
    double total = 0;
    for (size_t t = 0; t < m->n_trees; t++) {
        const gbm_node *tree = m->nodes + t * m->nodes_per_tree;
        for (size_t i = 0; i < m->nodes_per_tree; i++) {
            if (tree[i].col < 0 || (size_t)tree[i].col >= m->n_cols) continue;
            /* only the nodes that exist: a root, or a child of a split node */
            if (i > 0 && tree[(i - 1) / 2].col < 0) continue;
            double g = tree[i].gain;
            if (!isfinite(g)) {
                for (size_t c = 0; c < m->n_cols; c++) imp[c] = NAN;
                return NAN;
            }
            imp[tree[i].col] += g;
            total += g;
        }
    }
    return total;
}

void gbm_size(const gbm_model *m, size_t *splits, size_t *leaves)
{
    size_t s = 0, l = 0;
    for (size_t t = 0; t < m->n_trees; t++) {
        const gbm_node *tree = m->nodes + t * m->nodes_per_tree;
        for (size_t i = 0; i < m->nodes_per_tree; i++) {
            if (i > 0 && tree[(i - 1) / 2].col < 0) continue;
            /* a node of the last level is a leaf whatever its col says */
            size_t level = 0;
            for (size_t k = i + 1; k > 1; k >>= 1) level++;
            if (tree[i].col >= 0 && level < m->max_depth) s++;
            else l++;
        }
    }
    *splits = s;
    *leaves = l;
}
