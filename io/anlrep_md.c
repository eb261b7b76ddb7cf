/* anlrep_md.c — report.md of `churnscore analyze`: a Markdown section per report, for the month's
 * report.md to include (jobs/month-steps.sh). The tables show every region and, below it, its areas,
 * all brands together (the brands are in the CSV files); the numbers are the CSV's, rounded for
 * reading. Composed in memory and written with one checked write (commit_memstream_save).
 */
#include "anlrep_int.h"

#include "commit.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text in the report's language. */
#define T(E, Z) (in->zh ? (Z) : (E))

/* Markdown table cells must not hold a '|' or a line end: names are data. */
static void md_text(FILE *f, const char *s)
{
    for (; *s; s++) fputc(*s == '|' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void md_num(FILE *f, double v, int decimals)
{
    if (isnan(v)) fputs(" –", f);
    else fprintf(f, " %.*f", decimals, v);
}

static void md_pct(FILE *f, double v, int sign)
{
    if (isnan(v)) fputs(" –", f);
    else fprintf(f, sign ? " %+.2f pp" : " %.2f%%", 100.0 * v);
}

static void md_delta(FILE *f, double v, int decimals)
{
    if (isnan(v)) fputs(" –", f);
    else fprintf(f, " %+.*f", decimals, v);
}

/* The place of a drill-down row: "**region**" for a region, "region / area" for an area, "all" for
 * the operator. keys are level, region, area. */
static void md_place(FILE *f, const char *const *k, int zh)
{
    fputs("| ", f);
    if (strcmp(k[0], "total") == 0) fputs(zh ? "**全部**" : "**all**", f);
    else if (strcmp(k[0], "region") == 0) {
        fputs("**", f);
        md_text(f, k[1]);
        fputs("**", f);
    } else {
        md_text(f, k[1]);
        fputs(" / ", f);
        md_text(f, k[2]);
    }
    fputs(" |", f);
}

/* Row i of t when its brand (key index kb) is "all". */
static int md_all_brands(const anlrep_table *t, size_t i, size_t kb) { return t->keys[i * t->nkeys + kb][0] == 0; }

static void md_churn(FILE *f, const anlrep_in *in, const anlrep_table *t)
{
    fprintf(f, T("## Churn, %s%s%s\n\n", "## 流失分析：%s%s%s\n\n"), in->month,
            in->prev_month ? T(" against ", "，对比 ") : "", in->prev_month ? in->prev_month : "");
    fputs(T("New subscribers: not in last month's snapshot, or tenure of at most 1 month. Churn rate: "
            "leavers among the labelled subscribers (the snapshot's outcome of the churn window).\n\n",
            "新入网：上月快照中没有，或在网不超过 1 个月。流失率：有标签用户中的离网用户（快照中流失窗口的结果）。\n\n"), f);
    fputs(T("| place | subscribers | change | new | new rate | leavers | churn rate | change | voluntary | "
            "involuntary | gone since last month |\n",
            "| 地区 | 用户数 | 变化 | 新入网 | 新入网率 | 离网 | 流失率 | 变化 | 主动 | 被动 | 上月在网本月不在 |\n"), f);
    fputs("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", f);
    for (size_t i = 0; i < t->n; i++) {
        if (!md_all_brands(t, i, 3)) continue;
        const double *v = t->vals + i * t->nvals;
        md_place(f, t->keys + i * t->nkeys, in->zh);
        md_num(f, v[0], 0), fputs(" |", f), md_delta(f, v[1], 0), fputs(" |", f);
        md_num(f, v[2], 0), fputs(" |", f), md_pct(f, v[4], 0), fputs(" |", f);
        md_num(f, v[7], 0), fputs(" |", f), md_pct(f, v[9], 0), fputs(" |", f), md_pct(f, v[10], 1);
        fputs(" |", f), md_num(f, v[11], 0), fputs(" |", f), md_num(f, v[13], 0), fputs(" |", f);
        md_num(f, v[15], 0), fputs(" |\n", f);
    }
    fputc('\n', f);
}

/* Suspension and forwarding: one table per type or competitor (key 0), places as rows. */
static void md_by_kind(FILE *f, const anlrep_in *in, const anlrep_table *t, const char *what,
                       const char *count_name, int left)
{
    const char *cur = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const char *const *k = t->keys + i * t->nkeys;
        if (!md_all_brands(t, i, 4)) continue;
        if (!cur || strcmp(cur, k[0]) != 0) {
            cur = k[0];
            fprintf(f, "%s### %s: ", i ? "\n" : "", what);
            md_text(f, cur);
            fprintf(f, T("\n\n| place | %s | change | monthly value | change | share left |\n",
                         "\n\n| 地区 | %s | 变化 | 月收入 | 变化 | 离网比例 |\n"), count_name);
            fputs("|---|---:|---:|---:|---:|---:|\n", f);
        }
        const double *v = t->vals + i * t->nvals;
        md_place(f, k + 1, in->zh);
        md_num(f, v[0], 0), fputs(" |", f), md_delta(f, v[1], 0), fputs(" |", f);
        md_num(f, v[2], 2), fputs(" |", f), md_delta(f, v[3], 2), fputs(" |", f);
        md_pct(f, v[left], 0), fputs(" |\n", f);
    }
    fputc('\n', f);
}

void anlrep_reading(const anlrep_in *in, const anlrep_profile *pr, int g, char *buf, size_t len)
{
    anlrep_reading_lang(in, pr, g, 0, buf, len);
}

void anlrep_reading_lang(const anlrep_in *in, const anlrep_profile *pr, int g, int zh, char *buf, size_t len)
{
    const double *tr = in->v + in->l->off_traffic;
    size_t w = ANL_TR_HEAD + 3 * in->l->p;
    const double *h = tr + (size_t)g * w, *s = tr + 2 * w;
    size_t o = zh ? (size_t)snprintf(buf, len, "%s %.0f%% 及以上：%.0f 户，流失率 ", g == 0 ? "上升" : "下降",
                                     100.0 * in->l->threshold, h[ANL_TR_N])
                  : (size_t)snprintf(buf, len, "%s by %.0f%% or more: %.0f subscribers, churn rate ",
                                     g == 0 ? "rose" : "fell", 100.0 * in->l->threshold, h[ANL_TR_N]);
    double cg = anlrep_ratio(h[ANL_TR_LEAVERS], h[ANL_TR_LABELLED]);
    double cs = anlrep_ratio(s[ANL_TR_LEAVERS], s[ANL_TR_LABELLED]);
    if (in->has_labels && !isnan(cg) && !isnan(cs))
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, zh ? "%.2f%%（平稳用户 %.2f%%）" :
                              "%.2f%% against %.2f%% of the steady", 100 * cg, 100 * cs);
    else
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, zh ? "未知" : "unknown");
    o += (size_t)snprintf(buf + o, o < len ? len - o : 0, zh ? "；差异最大：" : "; most apart:");
    int shown = 0;
    for (size_t r = 0; r < in->l->p && shown < 3; r++) {
        size_t j = pr[g].order[r];
        const char *name = in->feature_names[j];
        /* minutes and data define the groups: that they differ there says nothing */
        if (strncmp(name, "mou_m", 5) == 0 || strncmp(name, "data_mb_m", 9) == 0 || isnan(pr[g].d[j])) continue;
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s %s %s (d = %+.2f)", shown ? (zh ? "，" : ",") : "",
                              name, pr[g].d[j] > 0 ? (zh ? "偏高" : "higher") : (zh ? "偏低" : "lower"), pr[g].d[j]);
        shown++;
    }
    if (!shown) snprintf(buf + o, o < len ? len - o : 0, zh ? " 无" : " nothing");
}

static void md_traffic(FILE *f, const anlrep_in *in, const anlrep_table *t, const anlrep_profile *pr)
{
    fprintf(f, T("## Traffic change of %.0f%% or more\n\n", "## 话务量变化 %.0f%% 及以上的用户\n\n"),
            100.0 * in->l->threshold);
    fputs(T("Minutes (`mou_m3`) or data (`data_mb_m3`) of the last month against the mean of the two "
            "before; each indicator's mean in the group and among the steady subscribers, and the "
            "standardised difference d.\n\n",
            "上月通话分钟（`mou_m3`）或流量（`data_mb_m3`）对比前两月均值；各指标在该群体与平稳用户中的均值及标准化差异 d。\n\n"), f);
    char line[1024];
    for (int g = 0; g < 2; g++) {
        anlrep_reading_lang(in, pr, g, in->zh, line, sizeof line);
        fputs("- ", f);
        md_text(f, line);
        fputc('\n', f);
    }
    fputc('\n', f);
    for (int g = 0; g < 2; g++) {
        fprintf(f, T("| %s: indicator | mean in group | mean steady | d |\n", "| %s：指标 | 群体均值 | 平稳用户均值 | d |\n"),
                in->zh ? (g == 0 ? "上升" : "下降") : anlrep_traffic_names[g]);
        fputs("|---|---:|---:|---:|\n", f);
        size_t shown = 0;
        for (size_t i = 0; i < t->n && shown < 10; i++) {
            const char *const *k = t->keys + i * t->nkeys;
            if (strcmp(k[0], anlrep_traffic_names[g]) != 0) continue;
            const double *v = t->vals + i * t->nvals;
            fputs("| ", f);
            md_text(f, k[1]);
            fputs(" |", f), md_num(f, v[1], 3), fputs(" |", f), md_num(f, v[2], 3), fputs(" |", f);
            md_delta(f, v[5], 2), fputs(" |\n", f);
            shown++;
        }
        fputc('\n', f);
    }
}

static void md_grid(FILE *f, const anlrep_in *in, const anlrep_table *t)
{
    fputs(T("## Big customers: risk band × value tier × brand\n\n", "## 大客户分级：风险 × 价值层级 × 品牌\n\n"), f);
    if (!in->has_scores)
        fputs(T("Without `--scores` every subscriber is in the band `unscored`, tier 0.\n\n",
                "未给 `--scores`：全部用户为 `unscored`，层级 0。\n\n"), f);
    if (t->nkeys > 3)
        fputs(T("| band | tier | brand / product | subscribers | monthly value | value at risk | churn rate |\n",
                "| 风险 | 层级 | 品牌 / 套餐 | 用户数 | 月收入 | 风险价值 | 流失率 |\n"), f);
    else
        fputs(T("| band | tier | brand | subscribers | monthly value | value at risk | churn rate |\n",
                "| 风险 | 层级 | 品牌 | 用户数 | 月收入 | 风险价值 | 流失率 |\n"), f);
    fputs("|---|---:|---|---:|---:|---:|---:|\n", f);
    for (size_t i = 0; i < t->n; i++) {
        const char *const *k = t->keys + i * t->nkeys;
        const double *v = t->vals + i * t->nvals;
        fprintf(f, "| %s | %s | ", k[0], k[1]);
        md_text(f, k[2]);
        if (t->nkeys > 3) fputs(" / ", f), md_text(f, k[3]); /* the product, after the brand */
        fputs(" |", f), md_num(f, v[0], 0), fputs(" |", f), md_num(f, v[1], 2), fputs(" |", f);
        md_num(f, v[2], 2), fputs(" |", f), md_pct(f, v[6], 0), fputs(" |\n", f);
    }
    fputc('\n', f);
}

int anlrep_markdown(const anlrep_in *in, const anlrep_table *t, const anlrep_profile *pr, const char *dir)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return CS_ERROR(CS_ENOMEM, "out of memory for report.md");
    fprintf(f, T("# Monthly analyses, %s\n\n", "# 月度分析：%s\n\n"), in->month);
    if (in->prev_unmatched)
        fprintf(f, T("Last month's snapshot has %llu subscribers in regions or areas this month lacks: they "
                     "are in no change.\n\n", "上月快照中有 %llu 户所在地区本月没有：不计入变化。\n\n"),
                (unsigned long long)in->prev_unmatched);
    md_churn(f, in, &t[0]);
    fputs(T("## Suspensions\n\n", "## 停机分析\n\n"), f);
    md_by_kind(f, in, &t[1], T("suspended", "停机"), T("suspended", "停机数"), 6);
    fputs(T("## Call forwarding to competitors\n\n", "## 呼叫转移至竞争对手\n\n"), f);
    if (!in->l->comps)
        fputs(T("The snapshot names no competitor (no `forward_to_K_m3`): the total only.\n\n",
                "快照未区分竞争对手（无 `forward_to_K_m3`）：仅有合计。\n\n"), f);
    md_by_kind(f, in, &t[2], T("forwarding to", "呼转至"), T("forwarding", "呼转数"), 8);
    md_traffic(f, in, &t[3], pr);
    md_grid(f, in, &t[4]);
    size_t n = strlen(dir) + 16;
    char *path = malloc(n);
    if (!path) {
        fclose(f);
        free(text);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    snprintf(path, n, "%s/report.md", dir);
    int rc = commit_memstream_save(f, &text, &len, path);
    free(path);
    return rc;
}
