/* tageval.c — tags per row and value grades (see tageval.h). */
#include "tageval.h"

#include <math.h>
#include <stdlib.h>

tageval *tageval_alloc(size_t n_tags, size_t n_cols, size_t rows)
{
    if (n_tags > TAGEVAL_MAX_TAGS) return NULL;
    tageval *tv = calloc(1, sizeof *tv);
    if (!tv) return NULL;
    tv->n_tags = n_tags;
    tv->n_cols = n_cols;
    tv->rows = rows;
    tv->col = calloc(n_cols + 1, sizeof *tv->col);
    tv->ws = malloc((TAGEVAL_COL0 + n_cols + 1) * (rows ? rows : 1) * sizeof(double));
    tv->cols = calloc(TAGEVAL_COL0 + n_cols, sizeof *tv->cols);
    if (!tv->col || !tv->ws || !tv->cols) {
        tageval_free(tv);
        return NULL;
    }
    for (size_t s = 0; s < TAGEVAL_COL0 + n_cols; s++) tv->cols[s] = tv->ws + s * rows;
    return tv;
}

void tageval_free(tageval *tv)
{
    if (!tv) return;
    free(tv->col);
    free(tv->ws);
    free(tv->cols);
    free(tv);
}

void tageval_block(tageval *tv, const float *x, size_t p, size_t n, uint64_t *bits)
{
    for (size_t i = 0; i < n; i++) bits[i] = 0;
    if (!tv || tv->n_tags == 0) return;
    for (size_t c = 0; c < tv->n_cols; c++) {
        double *d = tv->ws + (TAGEVAL_COL0 + c) * tv->rows;
        for (size_t i = 0; i < n; i++) d[i] = (double)x[i * p + (size_t)tv->col[c]];
    }
    double *out = tv->ws + (TAGEVAL_COL0 + tv->n_cols) * tv->rows;
    for (size_t o = 0; o < tv->n_tags; o++) {
        size_t k = tv->order[o];
        expr_eval(tv->cond[k], tv->cols, n, out);
        double *mine = tv->ws + k * tv->rows;
        for (size_t i = 0; i < n; i++) {
            int on = expr_true(out[i]);
            mine[i] = on;
            if (on) bits[i] |= UINT64_C(1) << k;
        }
    }
}

int tageval_grade(const double cut[TAGEVAL_N_GRADES - 1], int thresholds, double v)
{
    if (isnan(v)) return 0;
    if (thresholds) {
        for (int g = 0; g < TAGEVAL_N_GRADES - 1; g++)
            if (v >= cut[g]) return g + 1;
        return TAGEVAL_N_GRADES;
    }
    int below = 0;
    for (int k = 0; k < TAGEVAL_N_GRADES - 1; k++)
        if (v > cut[k]) below++;
    return TAGEVAL_N_GRADES - below;
}

double tageval_contribution(double arpu, int has_cost, double cost)
{
    return has_cost ? arpu - cost : arpu;
}
