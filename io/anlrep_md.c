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
static void md_place(FILE *f, const char *const *k)
{
    fputs("| ", f);
    if (strcmp(k[0], "total") == 0) fputs("**all**", f);
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
    fprintf(f, "## Churn, %s%s%s\n\n", in->month, in->prev_month ? " against " : "",
            in->prev_month ? in->prev_month : "");
    fputs("New subscribers: not in last month's snapshot, or tenure of at most 1 month. Churn rate: "
          "leavers among the labelled subscribers (the snapshot's outcome of the churn window).\n\n", f);
    fputs("| place | subscribers | change | new | new rate | leavers | churn rate | change | voluntary | "
          "involuntary | gone since last month |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n", f);
    for (size_t i = 0; i < t->n; i++) {
        if (!md_all_brands(t, i, 3)) continue;
        const double *v = t->vals + i * t->nvals;
        md_place(f, t->keys + i * t->nkeys);
        md_num(f, v[0], 0), fputs(" |", f), md_delta(f, v[1], 0), fputs(" |", f);
        md_num(f, v[2], 0), fputs(" |", f), md_pct(f, v[4], 0), fputs(" |", f);
        md_num(f, v[7], 0), fputs(" |", f), md_pct(f, v[9], 0), fputs(" |", f), md_pct(f, v[10], 1);
        fputs(" |", f), md_num(f, v[11], 0), fputs(" |", f), md_num(f, v[13], 0), fputs(" |", f);
        md_num(f, v[15], 0), fputs(" |\n", f);
    }
    fputc('\n', f);
}

/* Suspension and forwarding: one table per type or competitor (key 0), places as rows. */
static void md_by_kind(FILE *f, const anlrep_table *t, const char *what, const char *count_name)
{
    const char *cur = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const char *const *k = t->keys + i * t->nkeys;
        if (!md_all_brands(t, i, 4)) continue;
        if (!cur || strcmp(cur, k[0]) != 0) {
            cur = k[0];
            fprintf(f, "%s### %s: ", i ? "\n" : "", what);
            md_text(f, cur);
            fprintf(f, "\n\n| place | %s | change | monthly value | change | share left |\n"
                       "|---|---:|---:|---:|---:|---:|\n", count_name);
        }
        const double *v = t->vals + i * t->nvals;
        int left = strcmp(count_name, "forwarding") == 0 ? 8 : 6;
        md_place(f, k + 1);
        md_num(f, v[0], 0), fputs(" |", f), md_delta(f, v[1], 0), fputs(" |", f);
        md_num(f, v[2], 2), fputs(" |", f), md_delta(f, v[3], 2), fputs(" |", f);
        md_pct(f, v[left], 0), fputs(" |\n", f);
    }
    fputc('\n', f);
}

void anlrep_reading(const anlrep_in *in, const anlrep_profile *pr, int g, char *buf, size_t len)
{
    const double *tr = in->v + in->l->off_traffic;
    size_t w = ANL_TR_HEAD + 3 * in->l->p;
    const double *h = tr + (size_t)g * w, *s = tr + 2 * w;
    size_t o = (size_t)snprintf(buf, len, "%s by %.0f%% or more: %.0f subscribers, churn rate ",
                                g == 0 ? "rose" : "fell", 100.0 * in->l->threshold, h[ANL_TR_N]);
    double cg = anlrep_ratio(h[ANL_TR_LEAVERS], h[ANL_TR_LABELLED]);
    double cs = anlrep_ratio(s[ANL_TR_LEAVERS], s[ANL_TR_LABELLED]);
    if (in->has_labels && !isnan(cg) && !isnan(cs))
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%.2f%% against %.2f%% of the steady", 100 * cg, 100 * cs);
    else
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "unknown");
    o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "; most apart:");
    int shown = 0;
    for (size_t r = 0; r < in->l->p && shown < 3; r++) {
        size_t j = pr[g].order[r];
        const char *name = in->feature_names[j];
        /* minutes and data define the groups: that they differ there says nothing */
        if (strncmp(name, "mou_m", 5) == 0 || strncmp(name, "data_mb_m", 9) == 0 || isnan(pr[g].d[j])) continue;
        o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s %s %s (d = %+.2f)", shown ? "," : "", name,
                              pr[g].d[j] > 0 ? "higher" : "lower", pr[g].d[j]);
        shown++;
    }
    if (!shown) snprintf(buf + o, o < len ? len - o : 0, " nothing");
}

static void md_traffic(FILE *f, const anlrep_in *in, const anlrep_table *t, const anlrep_profile *pr)
{
    fprintf(f, "## Traffic change of %.0f%% or more\n\n", 100.0 * in->l->threshold);
    fputs("Minutes (`mou_m3`) or data (`data_mb_m3`) of the last month against the mean of the two "
          "before; each indicator's mean in the group and among the steady subscribers, and the "
          "standardised difference d.\n\n", f);
    char line[1024];
    for (int g = 0; g < 2; g++) {
        anlrep_reading(in, pr, g, line, sizeof line);
        fputs("- ", f);
        md_text(f, line);
        fputc('\n', f);
    }
    fputc('\n', f);
    for (int g = 0; g < 2; g++) {
        fprintf(f, "| %s: indicator | mean in group | mean steady | d |\n|---|---:|---:|---:|\n",
                anlrep_traffic_names[g]);
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
    fputs("## Big customers: risk band × value tier × brand\n\n", f);
    if (!in->has_scores) fputs("Without `--scores` every subscriber is in the band `unscored`, tier 0.\n\n", f);
    fputs("| band | tier | brand | subscribers | monthly value | value at risk | churn rate |\n"
          "|---|---:|---|---:|---:|---:|---:|\n", f);
    for (size_t i = 0; i < t->n; i++) {
        const char *const *k = t->keys + i * t->nkeys;
        const double *v = t->vals + i * t->nvals;
        fprintf(f, "| %s | %s | ", k[0], k[1]);
        md_text(f, k[2]);
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
    fprintf(f, "# Monthly analyses, %s\n\n", in->month);
    if (in->prev_unmatched)
        fprintf(f, "Last month's snapshot has %llu subscribers in regions or areas this month lacks: they "
                   "are in no change.\n\n", (unsigned long long)in->prev_unmatched);
    md_churn(f, in, &t[0]);
    fputs("## Suspensions\n\n", f);
    md_by_kind(f, &t[1], "suspended", "suspended");
    fputs("## Call forwarding to competitors\n\n", f);
    if (!in->l->comps) fputs("The snapshot names no competitor (no `forward_to_K_m3`): the total only.\n\n", f);
    md_by_kind(f, &t[2], "forwarding to", "forwarding");
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
