/* evalrep_tags.c — the tag validation of `churnscore evaluate` in every format (issue 17).
 *
 * Beside evalrep.c's precision of the lists: per tag (and per tag and region) how many subscribers
 * carry it, how many were listed, how many left, their churn rate, its lift over the base rate of
 * the same regions and the voluntary share of its leavers, so that a tag that predicts nothing shows
 * a lift near 1 (seed 004 optimises its tags by such outcomes).
 */
#include "evalrep.h"

#include <math.h>
#include <stdio.h>

static void evalrep_tag_sum(const evalrep_data *d, size_t t, long r, int64_t c[EVALREP_TAG_NCOUNTS])
{
    for (int k = 0; k < EVALREP_TAG_NCOUNTS; k++) c[k] = 0;
    for (size_t u = 0; u < d->n_regions; u++) {
        if (r >= 0 && (size_t)r != u) continue;
        const int64_t *x = d->tag_count + (t * d->n_regions + u) * EVALREP_TAG_NCOUNTS;
        for (int k = 0; k < EVALREP_TAG_NCOUNTS; k++) c[k] += x[k];
    }
}

void evalrep_tag_stats_of(const evalrep_data *d, size_t t, long r, evalrep_tag_stats *s)
{
    int64_t c[EVALREP_TAG_NCOUNTS], all[EVALREP_TAG_NCOUNTS];
    evalrep_tag_sum(d, t, r, c);
    evalrep_tag_sum(d, d->n_tags, r, all);
    s->subscribers = c[EVALREP_TAG_SUBS];
    s->listed = c[EVALREP_TAG_LISTED];
    s->leavers = c[EVALREP_TAG_LEAVERS];
    s->voluntary = c[EVALREP_TAG_VOLUNTARY];
    s->churn_rate = s->subscribers ? (double)s->leavers / (double)s->subscribers : NAN;
    double base = all[EVALREP_TAG_SUBS] ? (double)all[EVALREP_TAG_LEAVERS] / (double)all[EVALREP_TAG_SUBS] : NAN;
    s->lift = base > 0 ? s->churn_rate / base : NAN;
    s->voluntary_share = d->tag_types && s->leavers ? (double)s->voluntary / (double)s->leavers : NAN;
}

static void evalrep_tag_json_stats(json_writer *w, const evalrep_tag_stats *s)
{
    json_int(w, "subscribers", s->subscribers);
    json_int(w, "listed", s->listed);
    json_int(w, "leavers", s->leavers);
    json_num(w, "churn_rate", s->churn_rate);
    json_num(w, "lift", s->lift);
    json_num(w, "voluntary_share", s->voluntary_share);
}

void evalrep_tags_json(const evalrep_data *d, json_writer *w)
{
    if (!d->tag_count) {
        json_null(w, "tags");
        return;
    }
    json_arr_begin(w, "tags");
    for (size_t t = 0; t <= d->n_tags; t++) {
        evalrep_tag_stats s;
        json_obj_begin(w, NULL);
        json_str(w, "tag", t < d->n_tags ? d->tag_key[t] : "*");
        json_str(w, "label", t < d->n_tags ? d->tag_label[t] : NULL);
        evalrep_tag_stats_of(d, t, -1, &s);
        evalrep_tag_json_stats(w, &s);
        json_arr_begin(w, "regions");
        for (size_t r = 0; r < d->n_regions; r++) {
            json_obj_begin(w, NULL);
            json_str(w, "region", d->region_names[r]);
            evalrep_tag_stats_of(d, t, (long)r, &s);
            evalrep_tag_json_stats(w, &s);
            json_obj_end(w);
        }
        json_arr_end(w);
        json_obj_end(w);
    }
    json_arr_end(w);
}

static void evalrep_tag_num(char *buf, size_t n, double v, int pct)
{
    if (isnan(v)) snprintf(buf, n, "-");
    else if (pct) snprintf(buf, n, "%.2f%%", 100 * v);
    else snprintf(buf, n, "%.2f", v);
}

/* One line: the text table (md 0) or a Markdown row. */
static void evalrep_tag_line(FILE *f, const char *name, const char *region, const evalrep_tag_stats *s, int md)
{
    char rate[32], lift[32], vol[32];
    evalrep_tag_num(rate, sizeof rate, s->churn_rate, 1);
    evalrep_tag_num(lift, sizeof lift, s->lift, 0);
    evalrep_tag_num(vol, sizeof vol, s->voluntary_share, 1);
    if (md)
        fprintf(f, "| %s | %s | %lld | %lld | %lld | %s | %s | %s |\n", name, region, (long long)s->subscribers,
                (long long)s->listed, (long long)s->leavers, rate, lift, vol);
    else
        fprintf(f, "  %-24s %-10s %10lld %8lld %8lld %8s %6s %8s\n", name, region, (long long)s->subscribers,
                (long long)s->listed, (long long)s->leavers, rate, lift, vol);
}

void evalrep_tags_md(const evalrep_data *d, FILE *f)
{
    if (!d->tag_count) return;
    int zh = d->lang == LANG_ZH;
    fprintf(f, "%s\n\n%s\n\n", zh ? "### 客户标签的效果验证" : "### Tags validated by outcomes",
            zh ? "每个标签：用户数、名单人数、流失人数、流失率、相对基准流失率的提升度（同一地区范围）、流失中主动流失的占比。"
               : "Per tag: subscribers, listed, leavers, churn rate, lift over the base rate of the same regions, "
                 "voluntary share of the leavers.");
    fprintf(f, "%s\n|---|---|---:|---:|---:|---:|---:|---:|\n",
            zh ? "| 标签 | 地区 | 用户数 | 名单人数 | 流失人数 | 流失率 | 提升度 | 主动流失占比 |"
               : "| tag | region | subscribers | listed | leavers | churn rate | lift | voluntary share |");
    const char *all = zh ? "全部" : "all";
    for (size_t t = 0; t <= d->n_tags; t++) {
        const char *name = t < d->n_tags ? d->tag_label[t] : (zh ? "（全部用户）" : "(every subscriber)");
        evalrep_tag_stats s;
        evalrep_tag_stats_of(d, t, -1, &s);
        evalrep_tag_line(f, name, all, &s, 1);
        for (size_t r = 0; t < d->n_tags && r < d->n_regions; r++) {
            evalrep_tag_stats_of(d, t, (long)r, &s);
            evalrep_tag_line(f, name, d->region_names[r], &s, 1);
        }
    }
    fputc('\n', f);
}

void evalrep_tags_print(const evalrep_data *d, FILE *f)
{
    if (!d->tag_count) return;
    fprintf(f, "tags validated by outcomes (all regions):\n");
    fprintf(f, "  %-24s %-10s %10s %8s %8s %8s %6s %8s\n", "tag", "region", "subs", "listed", "leavers", "rate",
            "lift", "vol.");
    for (size_t t = 0; t <= d->n_tags; t++) {
        evalrep_tag_stats s;
        evalrep_tag_stats_of(d, t, -1, &s);
        evalrep_tag_line(f, t < d->n_tags ? d->tag_key[t] : "(all)", "all", &s, 0);
    }
}
