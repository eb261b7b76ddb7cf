/* segment.c — see segment.h. */
#include "segment.h"

#include "kmeans.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void seg_free_strs(char **s, size_t n)
{
    if (!s) return;
    for (size_t i = 0; i < n; i++) free(s[i]);
    free(s);
}

void segment_model_free(segment_model *s)
{
    if (!s) return;
    free(s->cols);
    free(s->k);
    free(s->first);
    free(s->centroids);
    free(s->brand);
    free(s->silhouette);
    seg_free_strs(s->prof_names, s->p_prof);
    free(s->prof_sd);
    free(s->size);
    free(s->labelled);
    free(s->churned);
    free(s->value);
    free(s->mean);
    free(s->brand_mean);
    seg_free_strs(s->name_en, s->n_seg);
    seg_free_strs(s->name_zh, s->n_seg);
    free(s);
}

static double *seg_nan(size_t n)
{
    double *v = malloc((n ? n : 1) * sizeof(double));
    if (v)
        for (size_t i = 0; i < n; i++) v[i] = NAN;
    return v;
}

segment_model *segment_model_alloc(size_t n_brands, size_t d, const int32_t *k, size_t p_prof,
                                   const char *const *prof_names)
{
    if (n_brands == 0) return NULL;
    size_t n_seg = 0;
    for (size_t b = 0; b < n_brands; b++) {
        if (k[b] < 0 || k[b] > SEGMENT_MAX_K) return NULL;
        n_seg += (size_t)k[b];
    }
    segment_model *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->d = d;
    s->n_brands = n_brands;
    s->n_seg = n_seg;
    s->p_prof = p_prof;
    s->brand_col = -1;
    s->cols = calloc(d ? d : 1, sizeof(int32_t));
    s->k = malloc(n_brands * sizeof(int32_t));
    s->first = malloc(n_brands * sizeof(int32_t));
    s->centroids = calloc(n_seg * d + 1, sizeof(double));
    s->brand = calloc(n_seg ? n_seg : 1, sizeof(int32_t));
    s->silhouette = seg_nan(n_brands * (SEGMENT_AUTO_MAX + 1));
    s->prof_names = calloc(p_prof ? p_prof : 1, sizeof(char *));
    s->prof_sd = seg_nan(p_prof);
    s->size = calloc(n_seg ? n_seg : 1, sizeof(double));
    s->labelled = calloc(n_seg ? n_seg : 1, sizeof(double));
    s->churned = calloc(n_seg ? n_seg : 1, sizeof(double));
    s->value = seg_nan(n_seg);
    s->mean = seg_nan(n_seg * p_prof);
    s->brand_mean = seg_nan(n_brands * p_prof);
    s->name_en = calloc(n_seg ? n_seg : 1, sizeof(char *));
    s->name_zh = calloc(n_seg ? n_seg : 1, sizeof(char *));
    if (!s->cols || !s->k || !s->first || !s->centroids || !s->brand || !s->silhouette || !s->prof_names ||
        !s->prof_sd || !s->size || !s->labelled || !s->churned || !s->value || !s->mean || !s->brand_mean ||
        !s->name_en || !s->name_zh) {
        segment_model_free(s);
        return NULL;
    }
    int32_t g = 0;
    for (size_t b = 0; b < n_brands; b++) {
        s->k[b] = k[b];
        s->first[b] = g;
        for (int32_t j = 0; j < k[b]; j++) s->brand[g + j] = (int32_t)b;
        g += k[b];
    }
    for (size_t j = 0; prof_names && j < p_prof; j++) {
        s->prof_names[j] = strdup(prof_names[j] ? prof_names[j] : "");
        if (!s->prof_names[j]) {
            segment_model_free(s);
            return NULL;
        }
    }
    return s;
}

size_t segment_row_brand(const segment_model *s, const float *xrow)
{
    if (s->brand_col < 0) return 0;
    for (size_t b = 1; b < s->n_brands; b++)
        if (xrow[(size_t)s->brand_col + b - 1] == 1.0f) return b;
    return 0;
}

int32_t segment_assign(const segment_model *s, const float *xrow)
{
    size_t b = segment_row_brand(s, xrow);
    if (b >= s->n_brands || s->k[b] == 0) return -1;
    /* the row's coordinates in the segments' space: a few design columns, gathered */
    float x[64];
    size_t d = s->d < 64 ? s->d : 64;
    for (size_t j = 0; j < d; j++) x[j] = xrow[s->cols[j]];
    size_t c = kmeans_nearest(x, d, s->centroids + (size_t)s->first[b] * s->d, (size_t)s->k[b], NULL);
    return s->first[b] + (int32_t)c;
}

/* The length of an indicator's name without a month suffix "_m<digits>" (arpu_m3 -> arpu): the
 * months of one indicator move together, and a name should not say "high arpu_m3 / high arpu_m2". */
static size_t seg_stem_len(const char *name)
{
    size_t n = strlen(name), k = n;
    while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9') k--;
    if (k < n && k >= 2 && name[k - 1] == 'm' && name[k - 2] == '_') return k - 2;
    return n;
}

size_t segment_marks(const segment_model *s, size_t g, int32_t *idx, double *z)
{
    size_t n = 0;
    if (g >= s->n_seg) return 0;
    size_t b = (size_t)s->brand[g];
    /* greedily the largest |z| (an earlier indicator wins a tie) whose stem is not taken yet */
    while (n < SEGMENT_MARKS) {
        size_t best = s->p_prof;
        double bz = 0;
        for (size_t j = 0; j < s->p_prof; j++) {
            double sd = s->prof_sd[j], v = (s->mean[g * s->p_prof + j] - s->brand_mean[b * s->p_prof + j]) / sd;
            if (!(sd > 0) || !isfinite(v) || fabs(v) < 0.25 || fabs(v) <= fabs(bz)) continue;
            size_t sl = seg_stem_len(s->prof_names[j]);
            int taken = 0;
            for (size_t m = 0; m < n && !taken; m++) {
                const char *o = s->prof_names[idx[m]];
                taken = seg_stem_len(o) == sl && strncmp(o, s->prof_names[j], sl) == 0;
            }
            if (taken) continue;
            best = j;
            bz = v;
        }
        if (best == s->p_prof) break;
        idx[n] = (int32_t)best;
        z[n] = bz;
        n++;
    }
    return n;
}

void segment_name(const segment_model *s, size_t g, cs_lang lang, char *buf, size_t len)
{
    int32_t idx[SEGMENT_MARKS];
    double z[SEGMENT_MARKS];
    size_t n = segment_marks(s, g, idx, z), at = 0;
    if (len == 0) return;
    buf[0] = 0;
    if (n == 0) {
        snprintf(buf, len, "%s", lang == LANG_ZH ? "一般" : "typical");
        return;
    }
    for (size_t m = 0; m < n && at < len; m++) {
        const char *name = s->prof_names[idx[m]];
        int sl = (int)seg_stem_len(name);
        int w;
        if (lang == LANG_ZH)
            w = snprintf(buf + at, len - at, "%s%.*s%s", m ? " / " : "", sl, name, z[m] > 0 ? "高" : "低");
        else w = snprintf(buf + at, len - at, "%s%s %.*s", m ? " / " : "", z[m] > 0 ? "high" : "low", sl, name);
        if (w < 0) break;
        at += (size_t)w;
    }
}

int segment_name_all(segment_model *s)
{
    char b[512];
    for (size_t g = 0; g < s->n_seg; g++) {
        free(s->name_en[g]);
        free(s->name_zh[g]);
        segment_name(s, g, LANG_EN, b, sizeof b);
        s->name_en[g] = strdup(b);
        segment_name(s, g, LANG_ZH, b, sizeof b);
        s->name_zh[g] = strdup(b);
        if (!s->name_en[g] || !s->name_zh[g]) return CS_ERROR(CS_ENOMEM, "out of memory for segment names");
    }
    return CS_OK;
}

void segment_label(const segment_model *s, size_t g, cs_lang lang, char *buf, size_t len)
{
    if (len == 0) return;
    if (g >= s->n_seg) {
        buf[0] = 0;
        return;
    }
    char **names = lang == LANG_ZH ? s->name_zh : s->name_en;
    int local = (int)g - s->first[s->brand[g]] + 1;
    snprintf(buf, len, "%d %s", local, names[g] ? names[g] : "");
}
