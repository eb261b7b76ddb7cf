/* evalrep.c — see evalrep.h. */
#include "evalrep.h"

#include "commit.h"

#include "csv.h"
#include "htmlrep.h"
#include "json.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void evalrep_stats_of(const evalrep_data *d, long r, int p, int t, evalrep_stats *out)
{
    memset(out, 0, sizeof *out);
    for (size_t ri = 0; ri < d->n_regions; ri++) {
        if (r >= 0 && (size_t)r != ri) continue;
        for (int pi = 0; pi < LISTIN_N_PHASES; pi++) {
            if (p >= 0 && p != pi) continue;
            for (int ti = 0; ti < LISTIN_N_TIERS; ti++) {
                if (t >= 0 && t != ti) continue;
                size_t c = (ri * LISTIN_N_PHASES + (size_t)pi) * LISTIN_N_TIERS + (size_t)ti;
                out->listed += d->listed[c];
                out->found += d->found[c];
                out->known += d->known[c];
                out->caught += d->caught[c];
                if (d->group_subscribers && (p >= 0 || t >= 0)) {
                    out->subscribers += d->group_subscribers[c];
                    out->leavers += d->group_leavers[c];
                }
            }
        }
        if (d->have_population && !(d->group_subscribers && (p >= 0 || t >= 0))) {
            out->subscribers += d->subscribers[ri];
            out->leavers += d->leavers[ri];
        }
    }
    out->precision = out->known ? (double)out->caught / (double)out->known : NAN;
    out->recall = d->have_population && out->leavers ? (double)out->caught / (double)out->leavers : NAN;
    out->base_rate = d->have_population && out->subscribers
                         ? (double)out->leavers / (double)out->subscribers : NAN;
    out->lift = out->base_rate > 0 ? out->precision / out->base_rate : NAN;
}

/* Tier 0 means "unknown" and is shown only where someone was listed with it; likewise the healthy
 * phase (lists hold alarm and warning subscribers, hand-made ones may differ). */
static int evalrep_show_phase(const evalrep_data *d, int p)
{
    if (p != LISTIN_HEALTHY) return 1;
    evalrep_stats s;
    evalrep_stats_of(d, -1, p, -1, &s);
    return s.listed > 0;
}

static int evalrep_show_tier(const evalrep_data *d, int t)
{
    if (t != 0) return 1;
    evalrep_stats s;
    evalrep_stats_of(d, -1, -1, t, &s);
    return s.listed > 0;
}

static void evalrep_tier_name(int t, char *buf, size_t size)
{
    if (t == 0) snprintf(buf, size, "unknown");
    else snprintf(buf, size, "%d", t);
}

/* Phases in the order an agent reads them: alarm first. */
static const int evalrep_phases[LISTIN_N_PHASES] = {LISTIN_ALARM, LISTIN_WARNING, LISTIN_HEALTHY};

/* ---- JSON ---- */

static void evalrep_json_stats(json_writer *w, const evalrep_data *d, const evalrep_stats *s)
{
    json_int(w, "listed", s->listed);
    json_int(w, "caught", s->caught);
    json_num(w, "precision", s->precision);
    if (d->have_population) json_int(w, "leavers", s->leavers);
    else json_null(w, "leavers");
    json_num(w, "recall", s->recall);
    if (d->have_population) json_int(w, "subscribers", s->subscribers);
    else json_null(w, "subscribers");
    json_num(w, "base_rate", s->base_rate);
    json_num(w, "lift", s->lift);
    if (!d->absent) {
        json_int(w, "not_in_outcomes", s->listed - s->found);
        json_int(w, "outcome_unknown", s->found - s->known);
    } else {
        json_int(w, "stayed", s->found);
    }
}

static void evalrep_json_scope(json_writer *w, const evalrep_data *d, long r)
{
    evalrep_stats s;
    evalrep_stats_of(d, r, -1, -1, &s);
    evalrep_json_stats(w, d, &s);
    json_obj_begin(w, "by_phase");
    for (int k = 0; k < LISTIN_N_PHASES; k++) {
        int p = evalrep_phases[k];
        if (!evalrep_show_phase(d, p)) continue;
        evalrep_stats_of(d, r, p, -1, &s);
        json_obj_begin(w, listin_phase_name(p));
        evalrep_json_stats(w, d, &s);
        json_obj_end(w);
    }
    json_obj_end(w);
    json_obj_begin(w, "by_tier");
    for (int t = 1; t <= LISTIN_N_TIERS; t++) {
        int tier = t % LISTIN_N_TIERS; /* 1..5, then 0 (unknown) last */
        if (!evalrep_show_tier(d, tier)) continue;
        char name[16];
        evalrep_tier_name(tier, name, sizeof name);
        evalrep_stats_of(d, r, -1, tier, &s);
        json_obj_begin(w, name);
        evalrep_json_stats(w, d, &s);
        json_obj_end(w);
    }
    json_obj_end(w);
}

void evalrep_json(const evalrep_data *d, FILE *f)
{
    json_writer w;
    json_init(&w, f, 1);
    json_obj_begin(&w, NULL);
    json_str(&w, "kind", "evaluation");
    json_str(&w, "lists", d->lists);
    json_str(&w, "lists_month", d->lists_month && *d->lists_month ? d->lists_month : NULL);
    json_str(&w, "outcomes", d->outcomes);
    json_str(&w, "outcomes_month", d->outcomes_month && *d->outcomes_month ? d->outcomes_month : NULL);
    json_str(&w, "outcome", d->absent ? "absent from the outcome snapshot"
                                      : "churned label of the outcome snapshot");
    json_str(&w, "previous", d->previous);
    json_obj_begin(&w, "overall");
    evalrep_json_scope(&w, d, -1);
    json_obj_end(&w);
    json_arr_begin(&w, "regions");
    for (size_t r = 0; r < d->n_regions; r++) {
        json_obj_begin(&w, NULL);
        json_str(&w, "region", d->region_names[r]);
        evalrep_json_scope(&w, d, (long)r);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    evalrep_tags_json(d, &w); /* issue 17 */
    json_obj_end(&w);
    fputc('\n', f);
}

/* ---- CSV ---- */

static int evalrep_csv_num(csv_writer *w, double v)
{
    return isnan(v) ? csv_write_missing(w) : csv_write_double(w, v);
}

static int evalrep_csv_row(csv_writer *w, const evalrep_data *d, long r, const char *breakdown,
                           const char *group, const evalrep_stats *s)
{
    const char *region = r >= 0 ? d->region_names[r] : "";
    int rc = csv_write_text(w, r >= 0 ? "region" : "overall", r >= 0 ? 6 : 7);
    if (rc == CS_OK) rc = r >= 0 ? csv_write_text(w, region, strlen(region)) : csv_write_missing(w);
    if (rc == CS_OK) rc = csv_write_text(w, breakdown, strlen(breakdown));
    if (rc == CS_OK) rc = csv_write_text(w, group, strlen(group));
    if (rc == CS_OK) rc = csv_write_long(w, s->listed);
    if (rc == CS_OK) rc = csv_write_long(w, s->caught);
    if (rc == CS_OK) rc = evalrep_csv_num(w, s->precision);
    if (rc == CS_OK) rc = d->have_population ? csv_write_long(w, s->leavers) : csv_write_missing(w);
    if (rc == CS_OK) rc = evalrep_csv_num(w, s->recall);
    if (rc == CS_OK) rc = d->have_population ? csv_write_long(w, s->subscribers) : csv_write_missing(w);
    if (rc == CS_OK) rc = evalrep_csv_num(w, s->base_rate);
    if (rc == CS_OK) rc = evalrep_csv_num(w, s->lift);
    if (rc == CS_OK) rc = d->absent ? csv_write_missing(w) : csv_write_long(w, s->listed - s->found);
    if (rc == CS_OK) rc = d->absent ? csv_write_missing(w) : csv_write_long(w, s->found - s->known);
    if (rc == CS_OK) rc = csv_write_row_end(w);
    return rc;
}

static int evalrep_csv_scope(csv_writer *w, const evalrep_data *d, long r)
{
    evalrep_stats s;
    evalrep_stats_of(d, r, -1, -1, &s);
    int rc = evalrep_csv_row(w, d, r, "all", "all", &s);
    for (int k = 0; rc == CS_OK && k < LISTIN_N_PHASES; k++) {
        int p = evalrep_phases[k];
        if (!evalrep_show_phase(d, p)) continue;
        evalrep_stats_of(d, r, p, -1, &s);
        rc = evalrep_csv_row(w, d, r, "phase", listin_phase_name(p), &s);
    }
    for (int t = 1; rc == CS_OK && t <= LISTIN_N_TIERS; t++) {
        int tier = t % LISTIN_N_TIERS;
        if (!evalrep_show_tier(d, tier)) continue;
        char name[16];
        evalrep_tier_name(tier, name, sizeof name);
        evalrep_stats_of(d, r, -1, tier, &s);
        rc = evalrep_csv_row(w, d, r, "tier", name, &s);
    }
    return rc;
}

static int evalrep_csv(const evalrep_data *d, FILE *f, const char *name)
{
    csv_writer w;
    CS_TRY(csv_writer_init(&w, f, name, ',', 0));
    static const char *const cols[] = {"scope", "region", "breakdown", "group", "listed", "caught",
                                       "precision", "leavers", "recall", "subscribers", "base_rate",
                                       "lift", "not_in_outcomes", "outcome_unknown"};
    int rc = CS_OK;
    for (size_t i = 0; rc == CS_OK && i < sizeof cols / sizeof cols[0]; i++)
        rc = csv_write_text(&w, cols[i], strlen(cols[i]));
    if (rc == CS_OK) rc = csv_write_row_end(&w);
    if (rc == CS_OK) rc = evalrep_csv_scope(&w, d, -1);
    for (size_t r = 0; rc == CS_OK && r < d->n_regions; r++) rc = evalrep_csv_scope(&w, d, (long)r);
    return rc;
}

/* ---- text and Markdown ---- */

static void evalrep_pct(char *buf, size_t size, double v)
{
    if (isnan(v)) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.1f%%", 100.0 * v);
}

static void evalrep_lift(char *buf, size_t size, double v)
{
    if (isnan(v)) snprintf(buf, size, "-");
    else snprintf(buf, size, "%.2f", v);
}

/* Region names are UTF-8 and may be Chinese: pad by characters, not bytes, so columns line up in a
 * terminal (wide characters still take two cells; close enough for a log). */
static void evalrep_pad(FILE *f, const char *s, int width)
{
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80) chars += *p >= 0xe0 ? 2 : 1;
    fputs(s, f);
    for (int i = chars; i < width; i++) fputc(' ', f);
}

static void evalrep_md_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_' || *s == '`') fputc('\\', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
}

/* One line of the region table, as Markdown (md) or aligned text. */
static void evalrep_line(FILE *f, const evalrep_data *d, long r, int md)
{
    evalrep_stats s, a, w;
    evalrep_stats_of(d, r, -1, -1, &s);
    evalrep_stats_of(d, r, LISTIN_ALARM, -1, &a);
    evalrep_stats_of(d, r, LISTIN_WARNING, -1, &w);
    char prec[16], pa[16], pw[16], rec[16], base[16], lift[16], leavers[24];
    evalrep_pct(prec, sizeof prec, s.precision);
    evalrep_pct(pa, sizeof pa, a.precision);
    evalrep_pct(pw, sizeof pw, w.precision);
    evalrep_pct(rec, sizeof rec, s.recall);
    evalrep_pct(base, sizeof base, s.base_rate);
    evalrep_lift(lift, sizeof lift, s.lift);
    if (d->have_population) snprintf(leavers, sizeof leavers, "%lld", (long long)s.leavers);
    else snprintf(leavers, sizeof leavers, "-");
    const char *name = r >= 0 ? d->region_names[r] : "all regions";
    if (md) {
        fputs("| ", f);
        if (r < 0) fputs(d->lang == LANG_ZH ? "**全部地区**" : "**all regions**", f);
        else evalrep_md_text(f, name);
        fprintf(f, " | %lld | %lld | %s | %s | %s | %s | %s | %s | %s |\n", (long long)s.listed,
                (long long)s.caught, prec, pa, pw, leavers, rec, base, lift);
    } else {
        evalrep_pad(f, name, 22);
        fprintf(f, " %8lld %8lld %9s %9s %9s %9s %8s %9s %6s\n", (long long)s.listed,
                (long long)s.caught, prec, pa, pw, leavers, rec, base, lift);
    }
}

static const char *evalrep_outcome_words(const evalrep_data *d)
{
    return d->absent ? "a listed subscriber absent from the outcome snapshot counts as a leaver"
                     : "a listed subscriber whose churned label is 1 in the outcome snapshot counts "
                       "as caught";
}

void evalrep_print(const evalrep_data *d, FILE *f)
{
    fprintf(f, "\nevaluation of the lists in %s (month %s) against %s (month %s)\n", d->lists,
            d->lists_month && *d->lists_month ? d->lists_month : "?", d->outcomes,
            d->outcomes_month && *d->outcomes_month ? d->outcomes_month : "?");
    fprintf(f, "  %s\n", evalrep_outcome_words(d));
    if (!d->have_population)
        fprintf(f, "  recall and lift need the scored month's population: pass --previous SNAPSHOT\n");
    fputc('\n', f);
    evalrep_pad(f, "region", 22);
    fprintf(f, " %8s %8s %9s %9s %9s %9s %8s %9s %6s\n", "listed", "caught", "precision", "alarm",
            "warning", "leavers", "recall", "base_rate", "lift");
    for (size_t r = 0; r < d->n_regions; r++) evalrep_line(f, d, (long)r, 0);
    evalrep_line(f, d, -1, 0);
    fputs("by value grade, 1 = most valuable (all regions):", f);
    for (int t = 1; t <= LISTIN_N_TIERS; t++) {
        int tier = t % LISTIN_N_TIERS;
        if (!evalrep_show_tier(d, tier)) continue;
        evalrep_stats s;
        evalrep_stats_of(d, -1, -1, tier, &s);
        char name[16], prec[16];
        evalrep_tier_name(tier, name, sizeof name);
        evalrep_pct(prec, sizeof prec, s.precision);
        fprintf(f, "  %s: %lld listed, %s", name, (long long)s.listed, prec);
    }
    fputc('\n', f);
    evalrep_stats s;
    evalrep_stats_of(d, -1, -1, -1, &s);
    if (!d->absent && s.found < s.listed)
        fprintf(f, "note: %lld listed subscribers are not in the outcome snapshot (left out of "
                "precision)\n", (long long)(s.listed - s.found));
    if (!d->absent && s.known < s.found)
        fprintf(f, "note: %lld listed subscribers have no known outcome (label -1)\n",
                (long long)(s.found - s.known));
    evalrep_tags_print(d, f); /* issue 17 */
}

/* The Markdown report's words, in English and Chinese. */
typedef struct {
    const char *title, *lists, *population, *explain, *table, *tier_table, *unknown, *absent, *labels;
} evalrep_words;

static const evalrep_words evalrep_md_words[LANG_N] = {
    {"## Evaluation of last month's lists",
     "Lists `%s` (month %s) against `%s` (month %s): %s.", " Population of the scored month: `%s`.",
     " Precision: share of the listed who left; recall: share of the region's leavers who were listed; "
     "lift: precision over the region's base rate.",
     "| region | listed | caught | precision | alarm precision | warning precision | leavers | recall | "
     "base rate | lift |",
     "| value grade (1 = most valuable) | listed | caught | precision | recall | lift |", "unknown",
     "a listed subscriber absent from the outcome snapshot counts as a leaver",
     "a listed subscriber whose churned label is 1 in the outcome snapshot counts as caught"},
    {"## 上月名单的效果评估",
     "名单 `%s`（%s 月）对照 `%s`（%s 月）：%s。", "被评分月份的全体用户：`%s`。",
     "命中率：名单中已流失用户的占比；覆盖率：地区流失用户中在名单上的占比；提升度：命中率与地区基准流失率之比。",
     "| 地区 | 名单人数 | 命中人数 | 命中率 | 告警期命中率 | 预警期命中率 | 流失人数 | 覆盖率 | 基准流失率 | 提升度 |",
     "| 价值等级（1 为最高） | 名单人数 | 命中人数 | 命中率 | 覆盖率 | 提升度 |", "未知",
     "名单上的用户若不在结果快照中，即计为流失",
     "名单上的用户若在结果快照中的流失标签为 1，即计为命中"},
};

static void evalrep_md(const evalrep_data *d, FILE *f)
{
    const evalrep_words *w = &evalrep_md_words[d->lang == LANG_ZH ? LANG_ZH : LANG_EN];
    fprintf(f, "%s\n\n", w->title);
    fprintf(f, w->lists, d->lists, d->lists_month && *d->lists_month ? d->lists_month : "?", d->outcomes,
            d->outcomes_month && *d->outcomes_month ? d->outcomes_month : "?", d->absent ? w->absent : w->labels);
    if (d->previous) fprintf(f, w->population, d->previous);
    fprintf(f, "%s\n\n", w->explain);
    fprintf(f, "%s\n", w->table);
    fprintf(f, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    evalrep_line(f, d, -1, 1);
    for (size_t r = 0; r < d->n_regions; r++) evalrep_line(f, d, (long)r, 1);
    fprintf(f, "\n%s\n", w->tier_table);
    fprintf(f, "|---|---:|---:|---:|---:|---:|\n");
    for (int t = 1; t <= LISTIN_N_TIERS; t++) {
        int tier = t % LISTIN_N_TIERS;
        if (!evalrep_show_tier(d, tier)) continue;
        evalrep_stats s;
        evalrep_stats_of(d, -1, -1, tier, &s);
        char name[32], prec[16], rec[16], lift[16];
        if (tier == 0) snprintf(name, sizeof name, "%s", w->unknown);
        else evalrep_tier_name(tier, name, sizeof name);
        evalrep_pct(prec, sizeof prec, s.precision);
        evalrep_pct(rec, sizeof rec, s.recall);
        evalrep_lift(lift, sizeof lift, s.lift);
        char named[128];
        snprintf(named, sizeof named, "%s%s%s", name, tier && d->grade_name[tier] ? " " : "",
                 tier && d->grade_name[tier] ? d->grade_name[tier] : "");
        fprintf(f, "| %s | %lld | %lld | %s | %s | %s |\n", named, (long long)s.listed,
                (long long)s.caught, prec, rec, lift);
    }
    fputc('\n', f);
    evalrep_tags_md(d, f); /* issue 17 */
}

/* ---- files ---- */

/* Writes prefix+ext under a temporary name with the writer fn (status returned for CSV). *tmp is
 * malloc'd. */
static int evalrep_file(const evalrep_data *d, const char *prefix, const char *ext, int kind,
                        char **tmp)
{
    *tmp = malloc(strlen(prefix) + strlen(ext) + 5);
    if (!*tmp) return CS_ERROR(CS_ENOMEM, "out of memory");
    sprintf(*tmp, "%s%s.tmp", prefix, ext);
    if (kind == 3) {
        /* the page (htmlrep_eval.c) writes and checks its own file */
        evalview v;
        int rc = evalview_from_data(d, &v);
        if (rc == CS_OK) rc = htmlrep_eval_write(*tmp, &v, d->lang == LANG_ZH ? LANG_ZH : LANG_EN);
        evalview_clear(&v);
        return rc;
    }
    FILE *f = fopen(*tmp, "wb");
    if (!f) return commit_errno(errno, *tmp, "create");
    int rc = CS_OK;
    if (kind == 0) rc = evalrep_csv(d, f, *tmp);
    else if (kind == 1) evalrep_json(d, f);
    else evalrep_md(d, f);
    /* the flush is where a full disk shows: its errno says so */
    if (fflush(f) != 0 && rc == CS_OK) rc = commit_errno(errno, *tmp, "write");
    if (ferror(f) && rc == CS_OK) rc = commit_errno(EIO, *tmp, "write");
    if (fclose(f) != 0 && rc == CS_OK) rc = commit_errno(errno, *tmp, "close");
    return rc;
}

int evalrep_write(const evalrep_data *d, const char *prefix)
{
    static const char *const ext[4] = {".csv", ".json", ".md", ".html"};
    char *tmp[4] = {NULL, NULL, NULL, NULL};
    int rc = CS_OK;
    for (int k = 0; rc == CS_OK && k < 4; k++) rc = evalrep_file(d, prefix, ext[k], k, &tmp[k]);
    /* All four are complete before any is renamed, and they are renamed together (commit.h): a
     * failure leaves none half-written and a previous run's four files as they were. */
    commit_set *cs = rc == CS_OK ? commit_set_alloc() : NULL;
    if (rc == CS_OK && !cs) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    for (int k = 0; k < 4; k++) {
        if (!tmp[k]) continue;
        if (rc == CS_OK) {
            char *final = strndup(tmp[k], strlen(tmp[k]) - 4);
            rc = final ? commit_set_add(cs, tmp[k], final, NULL) : CS_ERROR(CS_ENOMEM, "out of memory");
            free(final);
        }
    }
    if (rc == CS_OK) rc = commit_set_apply(cs);
    commit_set_free(cs);
    for (int k = 0; k < 4; k++) {
        if (tmp[k] && rc != CS_OK) remove(tmp[k]);
        free(tmp[k]);
    }
    return rc;
}
