/* segrep.c — see segrep.h. The texts are here in both languages rather than in reptext.c: they are
 * few, and only this section uses them. */
#include "segrep.h"

#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *segrep_brand(const cmodel *m, size_t b, char *buf, size_t n)
{
    if (m->brand_names && b < m->n_brands) return m->brand_names[b];
    snprintf(buf, n, "brand %zu", b);
    return buf;
}

/* The brand's rows: its segments' sizes together. */
static double segrep_brand_rows(const segment_model *s, size_t b)
{
    double n = 0;
    for (int32_t c = 0; c < s->k[b]; c++) n += s->size[s->first[b] + c];
    return n;
}

/* "name: 812 vs 405 (+1.9 sd)" for each mark of segment g, joined by "; ". */
static void segrep_marks(const segment_model *s, size_t g, cs_lang lang, char *buf, size_t len)
{
    int32_t idx[SEGMENT_MARKS];
    double z[SEGMENT_MARKS];
    size_t n = segment_marks(s, g, idx, z), at = 0;
    buf[0] = 0;
    for (size_t k = 0; k < n && at < len; k++) {
        size_t j = (size_t)idx[k], b = (size_t)s->brand[g];
        int w = snprintf(buf + at, len - at, lang == LANG_ZH ? "%s%s: %.4g（品牌 %.4g，%+.2f 标准差）"
                                                             : "%s%s: %.4g (brand %.4g, %+.2f sd)",
                         k ? "; " : "", s->prof_names[j], s->mean[g * s->p_prof + j],
                         s->brand_mean[b * s->p_prof + j], z[k]);
        if (w < 0) break;
        at += (size_t)w;
    }
    if (n == 0) snprintf(buf, len, "%s", lang == LANG_ZH ? "与品牌均值接近" : "close to the brand's means");
}

void segrep_markdown(FILE *f, const cmodel *m)
{
    const segment_model *s = m->seg;
    fprintf(f, "\n## Segments within each brand\n\n");
    if (!s) {
        fprintf(f, "None (--segments none, or a model without segments).\n");
        return;
    }
    fprintf(f, "k-means per brand on the %s (%zu dimensions); %s. Sizes, churn rates, values and means over "
               "every subscriber of the training snapshot; a segment is set apart by the indicators whose "
               "mean lies furthest from the brand's, in training standard deviations.\n\n",
            s->space == SEGMENT_SPACE_FACTORS ? "factor scores" : "standardised screened indicators", s->d,
            s->criterion);
    fprintf(f, "| brand | segment | name | subscribers | share of brand | churn rate | mean ARPU | sets it apart |\n"
               "|---|---|---|---|---|---|---|---|\n");
    char bb[32], marks[1024];
    for (size_t g = 0; g < s->n_seg; g++) {
        size_t b = (size_t)s->brand[g];
        double nb = segrep_brand_rows(s, b);
        segrep_marks(s, g, LANG_EN, marks, sizeof marks);
        fprintf(f, "| %s | %d | %s | %.0f | %.1f%% | %.2f%% | %.2f | %s |\n", segrep_brand(m, b, bb, sizeof bb),
                (int)(g - (size_t)s->first[b]) + 1, s->name_en[g] ? s->name_en[g] : "", s->size[g],
                nb > 0 ? 100 * s->size[g] / nb : NAN, s->labelled[g] > 0 ? 100 * s->churned[g] / s->labelled[g] : NAN,
                s->value[g], marks);
    }
    int any = 0;
    for (size_t b = 0; b < s->n_brands; b++)
        for (int k = SEGMENT_AUTO_MIN; k <= SEGMENT_AUTO_MAX; k++) any |= isfinite(s->silhouette[b * (SEGMENT_AUTO_MAX + 1) + k]);
    if (!any) return;
    fprintf(f, "\nMean silhouette of each K tried (on each brand's seeding sample):\n\n| brand |");
    for (int k = SEGMENT_AUTO_MIN; k <= SEGMENT_AUTO_MAX; k++) fprintf(f, " K=%d |", k);
    fprintf(f, " chosen |\n|---|");
    for (int k = SEGMENT_AUTO_MIN; k <= SEGMENT_AUTO_MAX + 1; k++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (size_t b = 0; b < s->n_brands; b++) {
        fprintf(f, "| %s |", segrep_brand(m, b, bb, sizeof bb));
        for (int k = SEGMENT_AUTO_MIN; k <= SEGMENT_AUTO_MAX; k++) {
            double v = s->silhouette[b * (SEGMENT_AUTO_MAX + 1) + k];
            if (isfinite(v)) fprintf(f, " %.4f |", v);
            else fprintf(f, " |");
        }
        fprintf(f, " %d |\n", s->k[b]);
    }
}

void segrep_html(html_doc *d, const cmodel *m, int lv)
{
    const segment_model *s = m->seg;
    int zh = d->lang == LANG_ZH;
    html_h(d, lv, "segments", zh ? "品牌内客户细分" : "Segments within each brand");
    if (!s) {
        html_p(d, "note", zh ? "无细分（--segments none，或模型没有细分）。" : "None (--segments none, or a model without segments).");
        return;
    }
    html_pf(d, NULL, zh ? "按品牌在%s上做 k-means（%zu 维）；%s。" : "k-means per brand on the %s (%zu dimensions); %s.",
            s->space == SEGMENT_SPACE_FACTORS ? (zh ? "因子得分" : "factor scores")
                                              : (zh ? "标准化的筛选指标" : "standardised screened indicators"),
            s->d, s->criterion);
    const char *heads[8] = {zh ? "品牌" : "brand", zh ? "细分" : "segment", zh ? "名称" : "name",
                            zh ? "用户数" : "subscribers", zh ? "占品牌" : "share of brand",
                            zh ? "流失率" : "churn rate", zh ? "平均 ARPU" : "mean ARPU",
                            zh ? "区别所在" : "sets it apart"};
    html_table_begin(d, NULL, NULL, heads, 8, "lrlrrrrl");
    char bb[32], a[FMT_BUF], marks[1024];
    for (size_t g = 0; g < s->n_seg; g++) {
        size_t b = (size_t)s->brand[g];
        double nb = segrep_brand_rows(s, b);
        html_tr(d);
        html_td(d, segrep_brand(m, b, bb, sizeof bb));
        html_tdf(d, "%d", (int)(g - (size_t)s->first[b]) + 1);
        html_td(d, (zh ? s->name_zh[g] : s->name_en[g]) ? (zh ? s->name_zh[g] : s->name_en[g]) : "");
        html_td(d, fmt_int(a, sizeof a, (long long)s->size[g]));
        html_td(d, fmt_pct(a, sizeof a, nb > 0 ? s->size[g] / nb : NAN, 1));
        html_td(d, fmt_pct(a, sizeof a, s->labelled[g] > 0 ? s->churned[g] / s->labelled[g] : NAN, 2));
        html_td(d, fmt_fix(a, sizeof a, s->value[g], 2));
        segrep_marks(s, g, d->lang, marks, sizeof marks);
        html_td(d, marks);
    }
    html_table_end(d);
}
