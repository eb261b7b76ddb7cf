/* lists.c — what is in a lists directory (see lists.h): safe file names, the list CSVs (one per
 * queue and region, one row a listed subscriber, in list order), their headers and texts in both
 * languages, and the summary files (CSV, JSON). The directory itself, its manifest and its commit
 * are in lists_dir.c.
 */
#include "lists.h"
#include "lists_int.h"

#include "commit.h"
#include "control.h"
#include "csv.h"
#include "json.h"
#include "queue.h"
#include "rules.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ---- */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid; *cp gets the code point. */
static size_t lists_utf8(const unsigned char *s, unsigned *cp)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, c &= 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, c &= 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

void lists_file_name(size_t r, size_t n_regions, const char *name, int queue, char *buf, size_t size)
{
    int digits = 2;
    for (size_t x = n_regions; x >= 100; x /= 10) digits++;
    char clean[128];
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(name ? name : "");
    while (*s) {
        unsigned cp;
        size_t n = lists_utf8(s, &cp);
        if (n == 0) { /* invalid byte: dropped */
            s++;
            continue;
        }
        int keep;
        if (cp < 0x80)
            keep = cp >= 0x20 && cp != 0x7f && !strchr("/\\:*?\"<>|", (int)cp);
        else
            keep = !(cp >= 0x80 && cp <= 0x9f) && cp != 0xfeff && cp != 0x2028 && cp != 0x2029;
        if (keep && o == 0 && cp == '.') keep = 0; /* no hidden files */
        if (keep) {
            if (o + n >= sizeof clean - 8 || o + n > 120) break; /* cut on a character boundary */
            if (cp == ' ') clean[o++] = '_';
            else {
                memcpy(clean + o, s, n);
                o += n;
            }
        }
        s += n;
    }
    clean[o] = '\0';
    snprintf(buf, size, "%0*zu-%s-%s.csv", digits, r, o ? clean : "region", queue_name(queue));
}

void lists_format_id(uint64_t id, int mask, char *buf)
{
    int n = snprintf(buf, 24, "%llu", (unsigned long long)id);
    if (mask)
        for (int i = 0; i < n - 4; i++) buf[i] = '*';
}

/* ---- texts ---- */

/* The headers: English machine names (what scripts and io/listin.c read), and Chinese. */
static const char *const lists_cols[LANG_N][LISTS_N_COLS] = {
    {"rank", "queue", "id", "region", "brand", "probability", "p_voluntary", "p_involuntary",
     "value_at_risk", "stage", "phase", "grade", "action_code", "action", "channel", "reason_1",
     "reason_2", "reason_3",
     /* ---- added after the reasons ---- */
     "tags", "new_on_list", "months_on_list", "prev_probability", "prev_phase"},
    {"排名", "队列", "用户编号", "地区", "品牌", "流失概率", "主动流失概率", "被动流失概率",
     "风险价值", "生命周期", "预警状态", "价值等级", "行动代码", "建议行动", "渠道", "原因1",
     "原因2", "原因3",
     /* ---- added after the reasons ---- */
     "客户标签", "本月新上榜", "连续上榜月数", "上月流失概率", "上月预警状态"},
};

const char *lists_column_label(int col, cs_lang lang)
{
    if (col < 0 || col >= LISTS_N_COLS) return NULL;
    return lists_cols[lang == LANG_ZH ? LANG_ZH : LANG_EN][col];
}

/* ---- issue 17 item 5: the segment column (after the fixed columns, before --list-columns) ---- */

const char *lists_segment_head(cs_lang lang) { return lang == LANG_ZH ? "细分群" : "segment"; }

/* The row's segment as "<number within the brand> <name>" in the list's language; empty without. */
static int lists_segment_cell(csv_writer *w, const lists_ctx *c, const topk_item *it)
{
    if (!c->seg || it->segment < 0 || (size_t)it->segment >= c->seg->n_seg) return csv_write_missing(w);
    char b[512];
    segment_label(c->seg, (size_t)it->segment, c->lang, b, sizeof b);
    return csv_write_text(w, b, strlen(b));
}

/* ---- region files ---- */

struct lists_file {
    FILE *f;
    char *path;
    csv_writer w;
    const lists_ctx *c;
    int rc;
    lists_file *ctl;     /* the retention list's control group (score --control), or NULL */
    control_state draw;  /* who goes to ctl */
};

void lists_control_file_name(size_t r, size_t n_regions, const char *name, char *buf, size_t size)
{
    char b[256];
    lists_file_name(r, n_regions, name, QUEUE_RETENTION, b, sizeof b);
    size_t n = strlen(b);
    snprintf(buf, size, "%.*s-control.csv", (int)(n - 4), b);
}

uint64_t lists_region_held(const lists_file *lf)
{
    return lf ? control_held(&lf->draw) : 0;
}

/* A number in a fixed format. It goes through csv_write_text because csv_write_double picks the
 * shortest round-trip form, not a fixed one; the text starts with a digit (callers pass values >= 0)
 * so the writer never alters it. */
static int lists_fixed(csv_writer *w, const char *fmt, double v)
{
    char b[64];
    if (!(v > 0)) v = 0; /* never a leading '-': negatives, NaN and -0.0 ("-0.00") become 0 */
    int n = snprintf(b, sizeof b, fmt, v);
    return csv_write_text(w, b, (size_t)n);
}

/* A probability in the lists' fixed format, or an empty field when it is not known (NaN). */
static int lists_prob(csv_writer *w, double v)
{
    return isnan(v) ? csv_write_missing(w) : lists_fixed(w, "%.6f", v);
}

/* A snapshot indicator as the snapshot holds it (float32): plain decimals, the fewest (0 to 9) that
 * read back as the same float, so 0.1f is "0.1", 3 is "3" and -1 is "-1"; %.9g where no fixed form
 * does (tiny or huge values); an empty field for NaN (and for an infinity, which a snapshot never
 * holds). Written as a number (csv_write_number): a negative value is not text that could start a
 * formula. The same bytes on every machine with IEEE floats. */
static int lists_indicator(csv_writer *w, float v)
{
    if (!isfinite(v)) return csv_write_missing(w);
    char b[64];
    int ok = 0;
    if (fabsf(v) < 1e15f)
        for (int d = 0; d <= 9 && !ok; d++) {
            snprintf(b, sizeof b, "%.*f", d, (double)v);
            ok = (float)strtod(b, NULL) == v;
        }
    if (!ok) snprintf(b, sizeof b, "%.9g", (double)v);
    if (strcmp(b, "-0") == 0) snprintf(b, sizeof b, "0");
    return csv_write_number(w, b, strlen(b));
}

static int lists_text(csv_writer *w, const char *s)
{
    return csv_write_text(w, s ? s : "", s ? strlen(s) : 0);
}

/* Opens tmpdir/name, or the file path when tmpdir is NULL, and writes the BOM and the header. */
static int lists_file_open(const lists_ctx *c, const char *tmpdir, const char *name, lists_file **out)
{
    *out = NULL;
    lists_file *lf = calloc(1, sizeof *lf);
    if (!lf) return CS_ERROR(CS_ENOMEM, "out of memory");
    lf->c = c;
    int rc = CS_OK;
    if (tmpdir) {
        rc = lists_create(tmpdir, name, &lf->path, &lf->f);
    } else if (!(lf->path = strdup(name))) {
        rc = CS_ERROR(CS_ENOMEM, "out of memory");
    } else if (!(lf->f = fopen(name, "wb"))) {
        rc = commit_errno(errno, name, "create");
        free(lf->path);
    }
    if (rc != CS_OK) {
        free(lf);
        return rc;
    }
    /* a large buffer: a list of millions of rows is written line by line */
    setvbuf(lf->f, NULL, _IOFBF, 1 << 20);
    if (c->bom) fputs("\xef\xbb\xbf", lf->f);
    rc = csv_writer_init(&lf->w, lf->f, lf->path, ',', 0);
    for (int i = 0; rc == CS_OK && i < LISTS_N_COLS; i++) {
        rc = lists_text(&lf->w, lists_column_label(i, c->lang));
        /* ---- issue 16: the area column, only where the snapshot has areas ---- */
        if (rc == CS_OK && i == LISTS_COL_REGION && c->n_areas) rc = lists_text(&lf->w, c->lang == LANG_ZH ? "区县" : "area");
    }
    if (rc == CS_OK) rc = lists_text(&lf->w, lists_segment_head(c->lang)); /* issue 17: segment */
    for (size_t i = 0; rc == CS_OK && i < c->n_extra; i++) rc = lists_text(&lf->w, c->extra_names[i]);
    if (rc == CS_OK) rc = csv_write_row_end(&lf->w);
    lf->rc = rc;
    *out = lf;
    return rc;
}

int lists_region_open(const lists_ctx *c, const char *tmpdir, size_t region, int queue, lists_file **out)
{
    char name[256];
    lists_file_name(region, c->n_regions, c->region_names[region], queue, name, sizeof name);
    int rc = lists_file_open(c, tmpdir, name, out);
    if (rc == CS_OK && queue == QUEUE_RETENTION && c->control > 0) {
        lists_control_file_name(region, c->n_regions, c->region_names[region], name, sizeof name);
        rc = lists_file_open(c, tmpdir, name, &(*out)->ctl);
        if (rc != CS_OK) (*out)->rc = rc;
        control_init(&(*out)->draw, c->control, c->control_key);
    }
    return rc;
}

int lists_file_open_path(const lists_ctx *c, const char *path, lists_file **out)
{
    return lists_file_open(c, NULL, path, out);
}

/* How a control row reads in place of its action (lists_region_open's comment). */
static const char *const lists_control_text[LANG_N] = {
    "control group: do not contact (measures the retention effect)",
    "对照组：不联系（用于衡量挽留效果）",
};

/* ---- issue 15: the month-over-month cells (empty without last month's scores) ---- */
static int lists_prev_cells(csv_writer *w, const lists_ctx *c, const topk_item *it)
{
    if (!it->prev_known) {
        int rc = CS_OK;
        for (int k = 0; rc == CS_OK && k < 4; k++) rc = csv_write_missing(w);
        return rc;
    }
    int rc = csv_write_long(w, it->prev_months == 0);
    /* this month included; saturates with the stored count (uint16) */
    if (rc == CS_OK) rc = csv_write_long(w, (long long)it->prev_months + (it->prev_months < UINT16_MAX));
    if (rc == CS_OK) rc = lists_prob(w, it->prev_prob);
    if (rc == CS_OK)
        rc = it->prev_phase == TOPK_NO_PREV ? csv_write_missing(w) : lists_text(w, rules_phase_label(it->prev_phase, c->lang));
    return rc;
}

int lists_region_row(lists_file *lf, uint64_t rank, const topk_item *it)
{
    if (lf->rc != CS_OK) return lf->rc;
    const lists_ctx *c = lf->c;
    int held = lf->ctl && control_pick(&lf->draw, it->id, it->phase, it->tier);
    if (held) {
        lf = lf->ctl;
        if (lf->rc != CS_OK) return lf->rc;
    }
    csv_writer *w = &lf->w;
    char id[24];
    lists_format_id(it->id, c->mask_ids, id);
    const playbook_action *act =
        held ? NULL : playbook_lookup_tagged(c->pb, it->stage, it->phase, it->queue, it->tier, it->tags);
    int rc = csv_write_long(w, (long long)rank);
    if (rc == CS_OK) rc = lists_text(w, queue_label(it->queue, c->lang));
    if (rc == CS_OK) rc = lists_text(w, id);
    if (rc == CS_OK) rc = lists_text(w, it->region < c->n_regions ? c->region_names[it->region] : "");
    /* ---- issue 16: the area column, only where the snapshot has areas ---- */
    if (rc == CS_OK && c->n_areas) rc = lists_text(w, it->area < c->n_areas ? c->area_names[it->area] : "");
    if (rc == CS_OK) rc = lists_text(w, it->brand < c->n_brands ? c->brand_names[it->brand] : "");
    if (rc == CS_OK) rc = lists_prob(w, it->prob);
    if (rc == CS_OK) rc = lists_prob(w, it->pvol);
    if (rc == CS_OK) rc = lists_prob(w, it->pinv);
    if (rc == CS_OK) rc = lists_fixed(w, "%.2f", it->var);
    if (rc == CS_OK) rc = lists_text(w, rules_stage_label(it->stage, c->lang));
    if (rc == CS_OK) rc = lists_text(w, rules_phase_label(it->phase, c->lang));
    if (rc == CS_OK) rc = lists_text(w, tagconf_grade_name(c->tc, it->tier, c->lang)); /* grade 1 most valuable */
    if (rc == CS_OK && held) rc = lists_text(w, "control");
    if (rc == CS_OK && held) rc = lists_text(w, lists_control_text[c->lang == LANG_ZH ? LANG_ZH : LANG_EN]);
    if (rc == CS_OK && !held) rc = act ? lists_text(w, act->code) : csv_write_missing(w);
    if (rc == CS_OK && !held)
        rc = act ? lists_text(w, act->text[c->lang == LANG_ZH ? LANG_ZH : LANG_EN]) : csv_write_missing(w);
    if (rc == CS_OK)
        rc = act ? lists_text(w, playbook_channel_label(it->online ? act->online_channel : act->channel, c->lang))
                 : csv_write_missing(w);
    char text[512];
    for (int k = 0; rc == CS_OK && k < 3; k++) {
        /* the fact in the subscriber's own numbers, in the list's language */
        size_t n = rules_fact_text_named(it->reason[k], it->fact[k], c->fact_names, c->n_fact_names, c->lang,
                                         text, sizeof text);
        rc = n ? lists_text(w, text) : csv_write_missing(w);
    }
    /* ---- columns added after the reasons ---- */
    if (rc == CS_OK) { /* issue 17: the tags */
        char tags[2048];
        tagconf_labels(c->tc, it->tags, c->lang, ";", tags, sizeof tags);
        rc = *tags ? lists_text(w, tags) : csv_write_missing(w);
    }
    if (rc == CS_OK) rc = lists_prev_cells(w, c, it); /* issue 15: month over month */
    if (rc == CS_OK) rc = lists_segment_cell(w, c, it); /* issue 17: segment */
    for (size_t k = 0; rc == CS_OK && k < c->n_extra; k++) rc = lists_indicator(w, it->extra[k]);
    if (rc == CS_OK) rc = csv_write_row_end(w);
    if (rc != CS_OK && !strstr(status_reason(), lf->path)) rc = commit_errno(errno, lf->path, "write");
    lf->rc = rc;
    return rc;
}

int lists_region_close(lists_file *lf)
{
    if (!lf) return CS_OK;
    int crc = lists_region_close(lf->ctl);
    int rc = lists_finish(lf->f, lf->path, lf->rc);
    if (rc == CS_OK) rc = crc;
    free(lf);
    return rc;
}

/* ---- summary ---- */

/* summary.csv's columns: one row per region; per queue its subscribers, listed rows and file; then
 * (issue 15) the listed rows new this month and, per figure, last month's value and the change. */
enum { SUM_INDEX, SUM_REGION, SUM_SUBSCRIBERS, SUM_LEAVERS, SUM_ALARM, SUM_WARNING, SUM_RISK,
       SUM_QUEUE0, SUM_LISTED = SUM_QUEUE0 + 3 * QUEUE_N_LISTED, SUM_AUC,
       /* ---- issue 15: month over month ---- */
       SUM_NEW, SUM_PREV0, SUM_N = SUM_PREV0 + 12 };

static const char *const lists_sum_cols[LANG_N][SUM_N] = {
    {"region_index", "region", "subscribers", "expected_leavers", "alarm", "warning", "value_at_risk",
     "retention", "retention_listed", "retention_file", "collections", "collections_listed",
     "collections_file", "billing", "billing_listed", "billing_file", "listed", "validation_auc",
     "new_on_list", "subscribers_last_month", "subscribers_change", "listed_last_month", "listed_change",
     "expected_leavers_last_month", "expected_leavers_change", "value_at_risk_last_month",
     "value_at_risk_change", "alarm_last_month", "alarm_change", "warning_last_month", "warning_change"},
    {"地区序号", "地区", "用户数", "预计流失人数", "告警期人数", "预警期人数", "风险价值",
     "挽留人数", "挽留名单人数", "挽留名单文件", "催缴人数", "催缴名单人数",
     "催缴名单文件", "账单核查人数", "账单核查名单人数", "账单核查名单文件", "名单合计", "验证AUC",
     "本月新上榜人数", "上月用户数", "用户数增减", "上月名单合计", "名单合计增减",
     "上月预计流失人数", "预计流失人数增减", "上月风险价值", "风险价值增减",
     "上月告警期人数", "告警期人数增减", "上月预警期人数", "预警期人数增减"},
};

/* The total row's region cell. */
static const char *const lists_sum_total[LANG_N] = {"total", "合计"};

/* A signed figure in a fixed format (lists_fixed writes only values >= 0): the change of a figure.
 * Written as a number, so a leading '-' is not taken for a formula; -0 and NaN become "0" and empty. */
static int lists_signed(csv_writer *w, const char *fmt, double v)
{
    if (isnan(v)) return csv_write_missing(w);
    char b[64];
    int n = snprintf(b, sizeof b, fmt, v);
    if (b[0] == '-' && strspn(b + 1, "0.") == (size_t)(n - 1)) n = snprintf(b, sizeof b, fmt, 0.0);
    return csv_write_number(w, b, (size_t)n);
}

/* One row's figures, a region's or the total's (issue 15's month over month at the end). */
typedef struct {
    int64_t subscribers, alarm, warning, queued[QUEUE_N_LISTED], listed[QUEUE_N_LISTED], new_listed;
    double leavers, risk, auc;
    double prev[6]; /* subscribers, listed, expected leavers, value at risk, alarm, warning; NaN: none */
} lists_sum_row;

static int lists_sum_row_write(csv_writer *w, const lists_summary *s, const lists_sum_row *x,
                               long long index, const char *region, const char *const *file)
{
    int rc = index >= 0 ? csv_write_long(w, index) : csv_write_missing(w);
    if (rc == CS_OK) rc = lists_text(w, region);
    if (rc == CS_OK) rc = csv_write_long(w, x->subscribers);
    if (rc == CS_OK) rc = lists_fixed(w, "%.6f", x->leavers);
    if (rc == CS_OK) rc = csv_write_long(w, x->alarm);
    if (rc == CS_OK) rc = csv_write_long(w, x->warning);
    if (rc == CS_OK) rc = lists_fixed(w, "%.2f", x->risk);
    int64_t listed = 0;
    for (int q = 0; rc == CS_OK && q < QUEUE_N_LISTED; q++) {
        rc = csv_write_long(w, x->queued[q]);
        if (rc == CS_OK) rc = csv_write_long(w, x->listed[q]);
        if (rc == CS_OK) rc = file ? lists_text(w, file[q]) : csv_write_missing(w);
        listed += x->listed[q];
    }
    if (rc == CS_OK) rc = csv_write_long(w, listed);
    if (rc == CS_OK) rc = !isnan(x->auc) ? lists_fixed(w, "%.6f", x->auc) : csv_write_missing(w);
    /* ---- issue 15: month over month, empty without last month's scores ---- */
    if (rc == CS_OK) rc = s->has_prev ? csv_write_long(w, x->new_listed) : csv_write_missing(w);
    const double now[6] = {(double)x->subscribers, (double)listed, x->leavers, x->risk, (double)x->alarm,
                           (double)x->warning};
    /* the counts as integers, the sums in their own columns' formats */
    static const char *const fmt[6] = {"%.0f", "%.0f", "%.6f", "%.2f", "%.0f", "%.0f"};
    for (int k = 0; rc == CS_OK && k < 6; k++) {
        double p = s->has_prev ? x->prev[k] : NAN;
        rc = isnan(p) ? csv_write_missing(w) : lists_fixed(w, fmt[k], p);
        if (rc == CS_OK) rc = lists_signed(w, fmt[k], now[k] - p);
    }
    return rc == CS_OK ? csv_write_row_end(w) : rc;
}

static int lists_summary_csv(const lists_ctx *c, const char *tmpdir, const lists_summary *s)
{
    char *path;
    FILE *f;
    CS_TRY(lists_create(tmpdir, "summary.csv", &path, &f));
    if (c->bom) fputs("\xef\xbb\xbf", f);
    csv_writer w;
    int rc = csv_writer_init(&w, f, path, ',', 0);
    int lang = c->lang == LANG_ZH ? LANG_ZH : LANG_EN;
    for (int i = 0; rc == CS_OK && i < SUM_N; i++) rc = lists_text(&w, lists_sum_cols[lang][i]);
    if (rc == CS_OK) rc = csv_write_row_end(&w);
    size_t nr = c->n_regions;
    lists_sum_row tot = {.auc = s->validated ? s->auc : NAN};
    /* a region last month did not have gives the total no last-month figure of its own (NaN + x) */
    for (size_t r = 0; rc == CS_OK && r < nr; r++) {
        lists_sum_row x = {.subscribers = s->subscribers[r], .alarm = s->alarm[r], .warning = s->warning[r],
                           .leavers = s->expected_leavers[r], .risk = s->value_at_risk[r],
                           .new_listed = s->new_listed ? s->new_listed[r] : 0,
                           .auc = s->validated && s->region_auc ? s->region_auc[r] : NAN};
        char names[QUEUE_N_LISTED][256];
        const char *file[QUEUE_N_LISTED];
        for (int q = QUEUE_RETENTION; q < QUEUE_N; q++) {
            size_t at = (size_t)(q - QUEUE_RETENTION) * nr + r;
            lists_file_name(r, nr, c->region_names[r], q, names[q - QUEUE_RETENTION], sizeof names[0]);
            file[q - QUEUE_RETENTION] = names[q - QUEUE_RETENTION];
            x.queued[q - QUEUE_RETENTION] = s->queued[at];
            x.listed[q - QUEUE_RETENTION] = s->listed[at];
        }
        const double *const prev[6] = {s->prev_subscribers, s->prev_listed, s->prev_expected_leavers,
                                       s->prev_value_at_risk, s->prev_alarm, s->prev_warning};
        for (int k = 0; k < 6; k++) x.prev[k] = s->has_prev ? prev[k][r] : NAN;
        rc = lists_sum_row_write(&w, s, &x, (long long)r, c->region_names[r], file);
        /* totals in region order: the same additions for any rank count */
        tot.subscribers += x.subscribers;
        tot.alarm += x.alarm;
        tot.warning += x.warning;
        tot.leavers += x.leavers;
        tot.risk += x.risk;
        tot.new_listed += x.new_listed;
        for (int q = 0; q < QUEUE_N_LISTED; q++) {
            tot.queued[q] += x.queued[q];
            tot.listed[q] += x.listed[q];
        }
        /* last month's total: over the regions of last month that this month still has (a region
         * gone since is in neither month's total of this file) */
        for (int k = 0; k < 6; k++)
            if (!isnan(x.prev[k])) tot.prev[k] += x.prev[k];
    }
    if (rc == CS_OK) rc = lists_sum_row_write(&w, s, &tot, -1, lists_sum_total[lang], NULL);
    return lists_finish(f, path, rc);
}

/* JSON numbers in the same fixed formats as the CSV (json_num uses %.10g): written as raw text. */
static void lists_json_fixed(json_writer *j, const char *key, const char *fmt, double v)
{
    char b[64];
    snprintf(b, sizeof b, fmt, v);
    /* json.h has no raw-number call; strtod of the fixed text gives back the printed value, and
     * %.10g of that value reproduces the fixed text for up to 10 significant digits */
    json_num(j, key, strtod(b, NULL));
}

static int lists_summary_json(const lists_ctx *c, const char *tmpdir, const lists_summary *s)
{
    char *path;
    FILE *f;
    CS_TRY(lists_create(tmpdir, "summary.json", &path, &f));
    json_writer j;
    json_init(&j, f, 1);
    json_obj_begin(&j, NULL);
    json_str(&j, "kind", "lists");
    json_str(&j, "month", s->month);
    json_str(&j, "rank_by", s->rank_by);
    if (s->top) json_int(&j, "top", (int64_t)s->top);
    else json_null(&j, "top");
    json_str(&j, "lang", lang_code(c->lang));
    json_bool(&j, "mask_ids", c->mask_ids != 0);
    json_num(&j, "control", s->control);
    size_t nr = c->n_regions;
    int64_t t_sub = 0, t_al = 0, t_wa = 0, t_li = 0, t_q[QUEUE_N_LISTED] = {0}, t_ql[QUEUE_N_LISTED] = {0};
    double t_exp = 0, t_var = 0;
    int64_t t_new = 0;
    char name[256];
    if (s->has_prev) json_str(&j, "last_month", s->prev_month);
    else json_null(&j, "last_month");
    json_arr_begin(&j, "regions");
    for (size_t r = 0; r < nr; r++) {
        json_obj_begin(&j, NULL);
        json_int(&j, "index", (int64_t)r);
        json_str(&j, "region", c->region_names[r]);
        json_int(&j, "subscribers", s->subscribers[r]);
        lists_json_fixed(&j, "expected_leavers", "%.6f", s->expected_leavers[r]);
        json_int(&j, "alarm", s->alarm[r]);
        json_int(&j, "warning", s->warning[r]);
        lists_json_fixed(&j, "value_at_risk", "%.2f", s->value_at_risk[r]);
        int64_t listed = 0;
        json_obj_begin(&j, "queues");
        for (int q = QUEUE_RETENTION; q < QUEUE_N; q++) {
            size_t at = (size_t)(q - QUEUE_RETENTION) * nr + r;
            lists_file_name(r, nr, c->region_names[r], q, name, sizeof name);
            json_obj_begin(&j, queue_name(q));
            json_str(&j, "file", name);
            json_int(&j, "subscribers", s->queued[at]);
            json_int(&j, "listed", s->listed[at]);
            /* the listed include the control group, which its own file holds (lists_region_open) */
            if (q == QUEUE_RETENTION && s->control > 0) {
                char cname[256];
                lists_control_file_name(r, nr, c->region_names[r], cname, sizeof cname);
                json_int(&j, "control", s->held ? s->held[r] : 0);
                json_str(&j, "control_file", cname);
            }
            if (s->k && s->k[at]) json_int(&j, "k", (int64_t)s->k[at]);
            else json_null(&j, "k");
            json_obj_end(&j);
            listed += s->listed[at];
            t_q[q - QUEUE_RETENTION] += s->queued[at];
            t_ql[q - QUEUE_RETENTION] += s->listed[at];
        }
        json_obj_end(&j);
        json_int(&j, "listed", listed);
        if (s->validated && s->region_auc) {
            json_num(&j, "validation_auc", s->region_auc[r]);
            json_num(&j, "validation_lift_top10", s->region_lift10[r]);
        }
        if (s->has_prev) { /* issue 15: month over month (null: a region last month did not have) */
            json_int(&j, "new_on_list", s->new_listed ? s->new_listed[r] : 0);
            t_new += s->new_listed ? s->new_listed[r] : 0;
            if (isnan(s->prev_subscribers[r])) json_null(&j, "last_month");
            else {
                json_obj_begin(&j, "last_month");
                json_int(&j, "subscribers", (int64_t)s->prev_subscribers[r]);
                json_int(&j, "listed", (int64_t)s->prev_listed[r]);
                lists_json_fixed(&j, "expected_leavers", "%.6f", s->prev_expected_leavers[r]);
                lists_json_fixed(&j, "value_at_risk", "%.2f", s->prev_value_at_risk[r]);
                json_int(&j, "alarm", (int64_t)s->prev_alarm[r]);
                json_int(&j, "warning", (int64_t)s->prev_warning[r]);
                json_obj_end(&j);
            }
        }
        json_obj_end(&j);
        /* totals in region order: the same additions for any rank count */
        t_sub += s->subscribers[r];
        t_al += s->alarm[r];
        t_wa += s->warning[r];
        t_li += listed;
        t_exp += s->expected_leavers[r];
        t_var += s->value_at_risk[r];
    }
    json_arr_end(&j);
    json_obj_begin(&j, "total");
    json_int(&j, "subscribers", t_sub);
    lists_json_fixed(&j, "expected_leavers", "%.6f", t_exp);
    json_int(&j, "alarm", t_al);
    json_int(&j, "warning", t_wa);
    json_int(&j, "listed", t_li);
    lists_json_fixed(&j, "value_at_risk", "%.2f", t_var);
    if (s->has_prev) json_int(&j, "new_on_list", t_new);
    json_obj_begin(&j, "queues");
    for (int q = QUEUE_RETENTION; q < QUEUE_N; q++) {
        json_obj_begin(&j, queue_name(q));
        json_int(&j, "subscribers", t_q[q - QUEUE_RETENTION]);
        json_int(&j, "listed", t_ql[q - QUEUE_RETENTION]);
        json_obj_end(&j);
    }
    json_obj_end(&j);
    json_obj_end(&j);
    if (s->validated) {
        json_obj_begin(&j, "validation");
        json_int(&j, "labelled", (int64_t)s->labelled);
        json_int(&j, "n", (int64_t)s->val_n);
        json_int(&j, "churned", (int64_t)s->val_npos);
        json_num(&j, "auc", s->auc);
        json_num(&j, "lift_top10", s->lift10);
        json_num(&j, "capture5", s->capture5);
        json_num(&j, "capture10", s->capture10);
        json_num(&j, "capture20", s->capture20);
        json_num(&j, "ks", s->ks);
        json_num(&j, "brier", s->brier);
        json_obj_end(&j);
    } else {
        json_null(&j, "validation");
    }
    json_obj_end(&j);
    fputc('\n', f);
    return lists_finish(f, path, CS_OK);
}

int lists_summary_write(const lists_ctx *c, const char *tmpdir, const lists_summary *s)
{
    CS_TRY(lists_summary_csv(c, tmpdir, s));
    return lists_summary_json(c, tmpdir, s);
}

