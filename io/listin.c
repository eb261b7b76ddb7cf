/* listin.c — see listin.h. */
#include "listin.h"
#include "idhash.h"

#include "csv.h"
#include "lists.h"
#include "rules.h"
#include "status.h"

#include <dirent.h>
#include <math.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

listin_table *listin_alloc(void) { return calloc(1, sizeof(listin_table)); }

void listin_free(listin_table *t)
{
    if (!t) return;
    free(t->id);
    free(t->region);
    free(t->phase);
    free(t->tier);
    free(t->arm);
    free(t->worth);
    for (size_t i = 0; i < t->n_regions; i++) free(t->region_names[i]);
    free(t->region_names);
    free(t->slot);
    free(t);
}

int listin_reserve(listin_table *t, size_t n)
{
    if (n > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < n) cap *= 2;
        uint64_t *id = realloc(t->id, cap * sizeof *id);
        if (id) t->id = id;
        uint32_t *region = realloc(t->region, cap * sizeof *region);
        if (region) t->region = region;
        uint8_t *phase = realloc(t->phase, cap);
        if (phase) t->phase = phase;
        uint8_t *tier = realloc(t->tier, cap);
        if (tier) t->tier = tier;
        uint8_t *arm = realloc(t->arm, cap);
        if (arm) t->arm = arm;
        float *worth = realloc(t->worth, cap * sizeof *worth);
        if (worth) t->worth = worth;
        if (!id || !region || !phase || !tier || !arm || !worth)
            return CS_ERROR(CS_ENOMEM, "out of memory for %zu listed subscribers", n);
        t->cap = cap;
    }
    t->n = n;
    return CS_OK;
}

long listin_region_find(const listin_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_regions; i++)
        if (strcmp(t->region_names[i], name) == 0) return (long)i;
    return -1;
}

int listin_region_add(listin_table *t, const char *name, size_t *index)
{
    long r = listin_region_find(t, name);
    if (r >= 0) {
        *index = (size_t)r;
        return CS_OK;
    }
    if (t->n_regions == t->region_cap) {
        size_t cap = t->region_cap ? 2 * t->region_cap : 64;
        char **names = realloc(t->region_names, cap * sizeof *names);
        if (!names) return CS_ERROR(CS_ENOMEM, "out of memory for region names");
        t->region_names = names;
        t->region_cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) return CS_ERROR(CS_ENOMEM, "out of memory for region names");
    t->region_names[t->n_regions] = copy;
    *index = t->n_regions++;
    return CS_OK;
}

int listin_index(listin_table *t)
{
    if (t->n >= UINT32_MAX / 2)
        return CS_ERROR(CS_EDATA, "%zu listed subscribers: at most %u can be evaluated", t->n,
                        UINT32_MAX / 2 - 1);
    size_t slots = 16;
    while (slots < 2 * t->n) slots *= 2;
    uint32_t *slot = calloc(slots, sizeof *slot);
    if (!slot) return CS_ERROR(CS_ENOMEM, "out of memory for the index of %zu listed ids", t->n);
    free(t->slot);
    t->slot = slot;
    t->slots = slots;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = (size_t)idhash_mix(t->id[i]) & (slots - 1);
        while (slot[h]) {
            if (t->id[slot[h] - 1] == t->id[i])
                return CS_ERROR(CS_EDATA, "id %llu is listed twice (in %s and %s): a subscriber "
                                "is on one list once", (unsigned long long)t->id[i],
                                t->region_names[t->region[slot[h] - 1]], t->region_names[t->region[i]]);
            h = (h + 1) & (slots - 1);
        }
        slot[h] = (uint32_t)(i + 1);
    }
    return CS_OK;
}

long listin_find(const listin_table *t, uint64_t id)
{
    if (!t->slots) return -1;
    size_t h = (size_t)idhash_mix(id) & (t->slots - 1);
    while (t->slot[h]) {
        if (t->id[t->slot[h] - 1] == id) return (long)t->slot[h] - 1;
        h = (h + 1) & (t->slots - 1);
    }
    return -1;
}

int listin_phase_code(const char *s, size_t len)
{
    /* in any language the lists are written in (lists.h): "alarm" or "告警期" */
    for (int l = 0; l < LANG_N; l++)
        for (int i = 0; i < LISTIN_N_PHASES; i++) {
            const char *name = rules_phase_label(i, (cs_lang)l);
            if (strlen(name) == len && memcmp(name, s, len) == 0) return i;
        }
    return -1;
}

const char *listin_phase_name(int phase)
{
    static const char *const names[LISTIN_N_PHASES] = {"healthy", "warning", "alarm"};
    return phase >= 0 && phase < LISTIN_N_PHASES ? names[phase] : "?";
}

/* ---- reading a directory ---- */

static char *listin_cat(const char *a, const char *b)
{
    char *s = malloc(strlen(a) + strlen(b) + 2);
    if (s) sprintf(s, "%s/%s", a, b);
    return s;
}

/* The text of a field as the writer meant it: csv_write_text puts an apostrophe in front of text that
 * could start a spreadsheet formula (= + - @ TAB CR), which is not part of the name. Copies into buf
 * (NUL-terminated, truncated to size). */
static void listin_text(const csv_field *f, char *buf, size_t size)
{
    const char *s = f->data;
    size_t len = f->len;
    if (len >= 2 && s[0] == '\'' && strchr("=+-@\t\r", s[1])) {
        s++;
        len--;
    }
    if (len >= size) len = size - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
}

/* Column index of list column col (LISTS_COL_*) in the header, by its name in any language the lists
 * are written in ("phase", "预警状态"), or -1. */
static long listin_column(const csv_record *h, int col)
{
    for (int l = 0; l < LANG_N; l++) {
        const char *name = lists_column_label(col, (cs_lang)l);
        for (size_t i = 0; i < h->nfields; i++)
            if (strcmp(h->fields[i].data, name) == 0) return (long)i;
    }
    return -1;
}

/* The next record of r into rec while *rc is CS_OK: 1, or 0 at the end of the file or on an error
 * (then in *rc). */
static int listin_next(csv_reader *r, csv_record *rec, int *rc)
{
    if (*rc != CS_OK) return 0;
    int k = csv_next(r, rec);
    if (k == CSV_END) return 0;
    if (k != CS_OK) *rc = k;
    return k == CS_OK;
}

/* summary.json's "month": a targeted look-up, not a JSON parser; the file is our own output
 * (io/lists.c) and the key appears once at the top level. Leaves month "" when absent or null. */
static void listin_month(const char *dir, char *month, size_t size)
{
    month[0] = '\0';
    char *path = listin_cat(dir, "summary.json");
    FILE *f = path ? fopen(path, "rb") : NULL;
    free(path);
    if (!f) return;
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strstr(buf, "\"month\"");
    if (!p) return;
    p += 7;
    while (*p == ' ' || *p == ':' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    if (*p != '"') return;
    p++;
    size_t k = 0;
    while (p[k] && p[k] != '"' && k + 1 < size) k++;
    if (p[k] != '"') return;
    memcpy(month, p, k);
    month[k] = '\0';
}

/* summary.csv: the regions in the scored snapshot's order, those with empty lists included. */
static int listin_summary(listin_table *t, const char *dir)
{
    char *path = listin_cat(dir, "summary.csv");
    if (!path) return CS_ERROR(CS_ENOMEM, "out of memory");
    struct stat st;
    if (stat(path, &st) != 0) {
        free(path);
        return CS_OK;
    }
    csv_reader *r = NULL;
    int rc = csv_reader_open(path, NULL, &r);
    long col = rc == CS_OK ? listin_column(csv_header(r), LISTS_COL_REGION) : -1;
    if (rc == CS_OK && col < 0) rc = CS_ERROR(CS_EFORMAT, "%s: no region column", path);
    csv_record rec;
    while (listin_next(r, &rec, &rc)) {
        char name[1024];
        size_t idx;
        /* the total row (issue 15) has no region_index: it is no region */
        if (col > 0 && rec.nfields > 0 && csv_field_missing(&rec.fields[0])) continue;
        listin_text(&rec.fields[col], name, sizeof name);
        rc = listin_region_add(t, name, &idx);
    }
    csv_reader_free(r);
    free(path);
    return rc;
}

static int listin_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The arm of a file by its name (listin.h). */
static int listin_arm_of(const char *path)
{
    size_t n = strlen(path);
    static const char ctl[] = "-retention-control.csv", ret[] = "-retention.csv";
    if (n >= sizeof ctl - 1 && strcmp(path + n - (sizeof ctl - 1), ctl) == 0) return LISTIN_ARM_CONTROL;
    if (n >= sizeof ret - 1 && strcmp(path + n - (sizeof ret - 1), ret) == 0) return LISTIN_ARM_LISTED;
    return LISTIN_ARM_OTHER;
}

/* A number of a row, or NaN when the column is absent, empty or not a number. */
static double listin_number(const csv_record *rec, long col)
{
    double v;
    if (col < 0 || csv_field_missing(&rec->fields[col])) return NAN;
    const csv_field *f = &rec->fields[col];
    return csv_parse_double(f->data, f->len, &v) ? v : NAN;
}

/* One region file: every row becomes an entry; grades are read by name through tc (NULL: the default
 * names), or as numbers. */
static int listin_file(listin_table *t, const char *path, const tagconf *tc)
{
    int arm = listin_arm_of(path);
    csv_reader *r = NULL;
    CS_TRY(csv_reader_open(path, NULL, &r));
    const csv_record *h = csv_header(r);
    long c_id = listin_column(h, LISTS_COL_ID), c_region = listin_column(h, LISTS_COL_REGION),
         c_phase = listin_column(h, LISTS_COL_PHASE), c_tier = listin_column(h, LISTS_COL_TIER);
    /* lists written before issue 17 have a "tier" column (价值层级) numbered the other way: tier 5 was
     * the top fifth, which is grade 1 now */
    int legacy = 0;
    for (size_t i = 0; c_tier < 0 && i < h->nfields; i++)
        if (strcmp(h->fields[i].data, "tier") == 0 || strcmp(h->fields[i].data, "价值层级") == 0) c_tier = (long)i, legacy = 1;
    /* the value of keeping the subscriber: value_at_risk = p x ARPU x horizon, p the queue's
     * probability (the voluntary one for retention, model/queue.h) */
    long c_var = listin_column(h, LISTS_COL_VALUE_AT_RISK),
         c_p = listin_column(h, arm == LISTIN_ARM_OTHER ? LISTS_COL_PROBABILITY : LISTS_COL_P_VOLUNTARY);
    int rc = CS_OK;
    if (c_id < 0 || c_region < 0 || c_phase < 0)
        rc = CS_ERROR(CS_EFORMAT, "%s: not a list written by churnscore score: the header needs id, "
                      "region and phase columns", path);
    csv_record rec;
    while (listin_next(r, &rec, &rc)) {
        const csv_field *fi = &rec.fields[c_id];
        uint64_t id = 0;
        int ok = fi->len > 0 && fi->len <= 20;
        for (size_t i = 0; i < fi->len; i++) {
            if (fi->data[i] == '*') {
                rc = CS_ERROR(CS_EINVAL, "%s: line %zu: the ids are masked (score --mask-ids): they "
                              "cannot be matched with the outcomes; evaluate the lists of a run "
                              "without --mask-ids", path, rec.line);
                break;
            }
            unsigned d = (unsigned char)fi->data[i] - '0';
            if (d > 9 || id > (UINT64_MAX - d) / 10) ok = 0;
            else id = id * 10 + d;
        }
        if (rc != CS_OK) break;
        if (!ok) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: id '%.*s' is not a subscriber id (digits)", path,
                          rec.line, (int)(fi->len > 40 ? 40 : fi->len), fi->data);
            break;
        }
        const csv_field *fp = &rec.fields[c_phase];
        int phase = listin_phase_code(fp->data, fp->len);
        if (phase < 0) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: phase '%.*s' is not alarm, warning or healthy",
                          path, rec.line, (int)(fp->len > 40 ? 40 : fp->len), fp->data);
            break;
        }
        int tier = 0;
        if (c_tier >= 0 && !csv_field_missing(&rec.fields[c_tier])) {
            /* the value grade by its name in either language (issue 17), or its number */
            const csv_field *ft = &rec.fields[c_tier];
            char g[128];
            listin_text(ft, g, sizeof g);
            tier = legacy ? (g[0] >= '0' && g[0] <= '5' && !g[1] ? g[0] - '0' : -1) : tagconf_grade_of(tc, g);
            if (legacy && tier > 0) tier = LISTIN_N_TIERS - tier;
            if (tier < 0 || tier >= LISTIN_N_TIERS) {
                rc = CS_ERROR(CS_EDATA, "%s: line %zu: grade '%.*s' is not a grade name of %s nor 0 to 5", path,
                              rec.line, (int)(ft->len > 40 ? 40 : ft->len), ft->data,
                              tc ? tc->name : "the built-in tag rules");
                break;
            }
        }
        char name[1024];
        size_t region;
        listin_text(&rec.fields[c_region], name, sizeof name);
        rc = listin_region_add(t, name, &region);
        size_t i = t->n;
        if (rc == CS_OK) rc = listin_reserve(t, i + 1);
        if (rc == CS_OK) {
            t->id[i] = id;
            t->region[i] = (uint32_t)region;
            t->phase[i] = (uint8_t)phase;
            t->tier[i] = (uint8_t)tier;
            t->arm[i] = (uint8_t)arm;
            double var = listin_number(&rec, c_var), p = listin_number(&rec, c_p);
            t->worth[i] = var > 0 && p > 0 ? (float)(var / p) : 0.0f;
        }
    }
    csv_reader_free(r);
    return rc;
}

int listin_read(const char *dir, listin_table **out)
{
    return listin_read_graded(dir, NULL, out);
}

int listin_read_graded(const char *dir, const tagconf *tc, listin_table **out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        char *tmp = malloc(strlen(dir) + 5);
        struct stat st;
        int stale = tmp && (sprintf(tmp, "%s.tmp", dir), stat(tmp, &st) == 0);
        free(tmp);
        return CS_ERROR(CS_EIO, "%s: cannot open the lists directory: %s%s", dir, strerror(e),
                        stale ? " (there is a .tmp beside it: the scoring run that wrote it did not "
                                "finish)" : "");
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = CS_OK;
    struct dirent *e;
    while (rc == CS_OK && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0 || e->d_name[0] == '.' ||
            strcmp(e->d_name, "summary.csv") == 0 || strcmp(e->d_name, "drift.csv") == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = CS_ERROR(CS_ENOMEM, "out of memory");
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        else n++;
    }
    closedir(d);
    if (rc == CS_OK && n == 0)
        rc = CS_ERROR(CS_EFORMAT, "%s: holds no list (no region .csv file)", dir);
    if (n) qsort(names, n, sizeof *names, listin_cmp);
    listin_table *t = rc == CS_OK ? listin_alloc() : NULL;
    if (rc == CS_OK && !t) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = listin_summary(t, dir);
    for (size_t i = 0; rc == CS_OK && i < n; i++) {
        char *path = listin_cat(dir, names[i]);
        rc = path ? listin_file(t, path, tc) : CS_ERROR(CS_ENOMEM, "out of memory");
        free(path);
        t->n_files++;
    }
    if (rc == CS_OK) rc = listin_index(t);
    if (rc == CS_OK) listin_month(dir, t->month, sizeof t->month);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    if (rc != CS_OK) {
        listin_free(t);
        return rc;
    }
    *out = t;
    return CS_OK;
}
