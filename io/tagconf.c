/* tagconf.c — the tag rule file read, checked and bound to a snapshot (see tagconf.h). */
#include "tagconf.h"

#include "playbook.h"
#include "status.h"
#include "textfile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jobs/tags.conf at build time (CMakeLists.txt writes tags_builtin.c from it). */
extern const char tags_builtin_text[];
extern const size_t tags_builtin_len;

static const char *const tc_default_grade[LANG_N][TAGEVAL_N_GRADES] = {
    {"diamond", "gold", "silver", "standard", "basic"},
    {"钻石", "金", "银", "普通", "基础"},
};

/* 1 when s[0..len) is valid UTF-8 without control characters. */
static int tc_utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i], cp, min;
        size_t n;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) return 0;
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) n = 2, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0) n = 3, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0) n = 4, cp = c & 0x07, min = 0x10000;
        else return 0;
        if (i + n > len) return 0;
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        i += n;
    }
    return 1;
}

/* Column (characters, 1-based) of byte offset off in line. */
static size_t tc_col(const char *line, size_t off)
{
    size_t col = 1;
    for (size_t i = 0; i < off && line[i]; i++)
        if (((unsigned char)line[i] & 0xc0) != 0x80) col++;
    return col;
}

typedef struct {
    tagconf *tc;
    const char *line; /* the current line (NUL-terminated) */
    size_t lineno;
} tc_where;

#define TC_FAIL(w, off, ...) tc_fail((w), (off), __VA_ARGS__)

/* CS_EDATA with "file:line:column: " and the formatted reason; off is the byte offset in the line. */
static int tc_fail(const tc_where *w, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int tc_fail(const tc_where *w, size_t off, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return CS_ERROR(CS_EDATA, "%s:%zu:%zu: %s", w->tc->name, w->lineno, tc_col(w->line, off), msg);
}

static int tc_key_ok(const char *s, size_t n)
{
    if (n == 0 || n > TAGCONF_MAX_KEY || !(s[0] >= 'a' && s[0] <= 'z')) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    }
    return 1;
}

static size_t tc_skip_ws(const char *s, size_t i)
{
    while (s[i] == ' ' || s[i] == '\t') i++;
    return i;
}

static size_t tc_word_end(const char *s, size_t i)
{
    while (s[i] && s[i] != ' ' && s[i] != '\t') i++;
    return i;
}

/* The rest of the line from i, without trailing blanks: its offset in *at, its length returned. */
static size_t tc_rest(const char *s, size_t i, size_t *at)
{
    i = tc_skip_ws(s, i);
    size_t n = strlen(s + i);
    while (n && (s[i + n - 1] == ' ' || s[i + n - 1] == '\t')) n--;
    *at = i;
    return n;
}

static int tc_text(const tc_where *w, size_t at, size_t n, char *dst, size_t cap, const char *what)
{
    if (n == 0) return TC_FAIL(w, at, "%s is empty", what);
    if (n >= cap) return TC_FAIL(w, at, "%s is over %zu bytes", what, cap - 1);
    if (!tc_utf8_ok(w->line + at, n)) return TC_FAIL(w, at, "%s is not UTF-8 text", what);
    memcpy(dst, w->line + at, n);
    dst[n] = '\0';
    return CS_OK;
}

enum { F_ZH, F_EN, F_WHEN, F_CHANNEL, F_SAYZH, F_SAYEN, F_NEEDS, F_OPTIONAL, F_N };
static const char *const tc_fields[F_N] = {"zh", "en", "when", "channel", "say.zh", "say.en", "needs", "optional"};

typedef struct {
    size_t seen[F_N]; /* line of each field of the open tag, 0 when not yet */
} tc_open;

static int tc_field(const tc_where *w, tagconf_tag *t, tc_open *o, int f, size_t vat)
{
    if (o->seen[f])
        return TC_FAIL(w, tc_skip_ws(w->line, 0), "tag %s: a second '%s' (the first is line %zu)", t->key, tc_fields[f], o->seen[f]);
    o->seen[f] = w->lineno;
    size_t at, n = tc_rest(w->line, vat, &at);
    const char *s = w->line;
    switch (f) {
    case F_ZH: return tc_text(w, at, n, t->label[LANG_ZH], sizeof t->label[0], "the Chinese label");
    case F_EN: return tc_text(w, at, n, t->label[LANG_EN], sizeof t->label[0], "the English label");
    case F_SAYZH: return tc_text(w, at, n, t->say[LANG_ZH], sizeof t->say[0], "the Chinese wording");
    case F_SAYEN: return tc_text(w, at, n, t->say[LANG_EN], sizeof t->say[0], "the English wording");
    case F_NEEDS: return tc_text(w, at, n, t->needs, sizeof t->needs, "the needs note");
    case F_OPTIONAL:
        if (n) return TC_FAIL(w, at, "'optional' takes nothing after it");
        t->optional = 1;
        return CS_OK;
    case F_CHANNEL:
        for (int c = 0; c < PB_N_CHANNELS; c++)
            if (n == strlen(playbook_channel_name(c)) && memcmp(s + at, playbook_channel_name(c), n) == 0) {
                t->channel = c;
                return CS_OK;
            }
        return TC_FAIL(w, at, "unknown channel '%.*s' (phone, sms, app, store or visit)", (int)(n > 40 ? 40 : n),
                       s + at);
    case F_WHEN: {
        if (n == 0) return TC_FAIL(w, at, "tag %s: an empty condition", t->key);
        if (n >= sizeof t->when) return TC_FAIL(w, at, "the condition is over %zu bytes", sizeof t->when - 1);
        memcpy(t->when, s + at, n);
        t->when[n] = '\0';
        t->when_line = w->lineno;
        t->when_col = tc_col(s, at);
        expr_error err;
        if (expr_parse(t->when, n, &t->cond, &err) != CS_OK) {
            if (status_code() == CS_ENOMEM) return CS_ENOMEM;
            return TC_FAIL(w, at + err.offset, "tag %s: %s", t->key, err.message);
        }
        return CS_OK;
    }
    default: return CS_EINTERNAL;
    }
}

/* Checks the open tag has every field it needs. */
static int tc_close(tagconf *tc, tc_open *o)
{
    if (tc->n == 0) return CS_OK;
    tagconf_tag *t = &tc->tag[tc->n - 1];
    for (int f = 0; f < F_NEEDS; f++)
        if (!o->seen[f])
            return CS_ERROR(CS_EDATA, "%s:%zu:1: tag %s has no '%s' line (every tag has zh, en, when, channel, "
                            "say.zh and say.en)", tc->name, t->line, t->key, tc_fields[f]);
    memset(o, 0, sizeof *o);
    return CS_OK;
}

static int tc_number(const char *s, size_t n, double *v)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end = NULL;
    errno = 0;
    *v = strtod(buf, &end);
    return end && !*end && isfinite(*v) && errno != ERANGE;
}

/* grade N ZH EN [MIN] */
static int tc_grade(const tc_where *w, size_t i, size_t *seen, int *with_min)
{
    tagconf *tc = w->tc;
    const char *s = w->line;
    size_t at[4], end[4], nf = 0;
    while (nf < 4) {
        i = tc_skip_ws(s, i);
        if (!s[i]) break;
        at[nf] = i;
        end[nf] = i = tc_word_end(s, i);
        nf++;
    }
    i = tc_skip_ws(s, i);
    if (s[i]) return TC_FAIL(w, i, "a grade line is 'grade N ZH_NAME EN_NAME [MIN]': too many fields");
    if (nf < 3) return TC_FAIL(w, 0, "a grade line is 'grade N ZH_NAME EN_NAME [MIN]': a field is missing");
    int g = end[0] - at[0] == 1 ? s[at[0]] - '0' : -1;
    if (g < 1 || g > TAGEVAL_N_GRADES) return TC_FAIL(w, at[0], "grade number must be 1 to %d", TAGEVAL_N_GRADES);
    if (seen[g - 1]) return TC_FAIL(w, at[0], "grade %d is already named (line %zu)", g, seen[g - 1]);
    seen[g - 1] = w->lineno;
    CS_TRY(tc_text(w, at[1], end[1] - at[1], tc->grade_name[LANG_ZH][g - 1], 65, "the Chinese grade name"));
    CS_TRY(tc_text(w, at[2], end[2] - at[2], tc->grade_name[LANG_EN][g - 1], 65, "the English grade name"));
    int has = nf == 4;
    if (has && g == TAGEVAL_N_GRADES)
        return TC_FAIL(w, at[3], "grade %d is the rest: it takes no threshold", TAGEVAL_N_GRADES);
    if (has && !tc_number(s + at[3], end[3] - at[3], &tc->grade_min[g - 1]))
        return TC_FAIL(w, at[3], "the threshold '%.*s' is not a finite number", (int)(end[3] - at[3]), s + at[3]);
    if (g < TAGEVAL_N_GRADES) {
        if (*with_min >= 0 && *with_min != has)
            return TC_FAIL(w, has ? at[3] : 0, "thresholds on some grades only: give grades 1 to %d each a "
                           "threshold, or none (quintiles)", TAGEVAL_N_GRADES - 1);
        *with_min = has;
    }
    return CS_OK;
}

/* Cycles through tags and the evaluation order: depth-first over the tags a condition names. */
static int tc_order(tagconf *tc)
{
    int color[TAGEVAL_MAX_TAGS] = {0}; /* 0 new, 1 on the path, 2 done */
    size_t path[TAGEVAL_MAX_TAGS], n_order = 0;
    size_t stack_k[TAGEVAL_MAX_TAGS], stack_j[TAGEVAL_MAX_TAGS];
    for (size_t root = 0; root < tc->n; root++) {
        if (color[root]) continue;
        size_t sp = 0;
        stack_k[0] = root;
        stack_j[0] = 0;
        color[root] = 1;
        path[0] = root;
        while (1) {
            size_t k = stack_k[sp];
            const expr *e = tc->tag[k].cond;
            size_t off = 0;
            const char *nm = NULL;
            long dep = -1;
            while (stack_j[sp] < expr_n_names(e) && dep < 0) {
                nm = expr_name(e, stack_j[sp]++, &off);
                for (size_t d = 0; d < tc->n; d++)
                    if (strcmp(tc->tag[d].key, nm) == 0) dep = (long)d;
            }
            if (dep < 0) {
                color[k] = 2;
                tc->order[n_order++] = k;
                if (sp == 0) break;
                sp--;
                continue;
            }
            if (color[dep] == 1) {
                char chain[400] = "";
                size_t from = 0;
                while (path[from] != (size_t)dep) from++;
                for (size_t q = from; q <= sp; q++) {
                    size_t l = strlen(chain);
                    snprintf(chain + l, sizeof chain - l, "%s -> ", tc->tag[path[q]].key);
                }
                size_t l = strlen(chain);
                snprintf(chain + l, sizeof chain - l, "%s", tc->tag[dep].key);
                const tagconf_tag *t = &tc->tag[k];
                return CS_ERROR(CS_EDATA, "%s:%zu:%zu: a cycle through tags: %s (a tag cannot depend on itself)",
                                tc->name, t->when_line, t->when_col + tc_col(t->when, off) - 1, chain);
            }
            if (color[dep] == 2) continue;
            color[dep] = 1;
            sp++;
            stack_k[sp] = (size_t)dep;
            stack_j[sp] = 0;
            path[sp] = (size_t)dep;
        }
    }
    return CS_OK;
}

static int tc_line(tagconf *tc, tc_where *w, tc_open *o, size_t *grade_seen, int *with_min)
{
    const char *s = w->line;
    size_t i = tc_skip_ws(s, 0);
    if (!s[i] || s[i] == '#') return CS_OK;
    size_t e = tc_word_end(s, i), k = e - i;
    if (k == 3 && memcmp(s + i, "tag", 3) == 0) {
        CS_TRY(tc_close(tc, o));
        size_t at = tc_skip_ws(s, e), ke = tc_word_end(s, at);
        if (!tc_key_ok(s + at, ke - at))
            return TC_FAIL(w, at, "a tag key is 1 to %d lower-case letters, digits or '_', starting with a letter",
                           TAGCONF_MAX_KEY);
        for (size_t t = 0; t < tc->n; t++)
            if (strlen(tc->tag[t].key) == ke - at && memcmp(tc->tag[t].key, s + at, ke - at) == 0)
                return TC_FAIL(w, at, "a duplicate tag key '%s' (first defined at line %zu)", tc->tag[t].key,
                               tc->tag[t].line);
        if (s[tc_skip_ws(s, ke)]) return TC_FAIL(w, tc_skip_ws(s, ke), "a tag line is 'tag KEY'");
        if (tc->n == TAGEVAL_MAX_TAGS) return TC_FAIL(w, i, "more than %d tags", TAGEVAL_MAX_TAGS);
        tagconf_tag *t = &tc->tag[tc->n++];
        memset(t, 0, sizeof *t);
        memcpy(t->key, s + at, ke - at);
        t->line = w->lineno;
        t->bit = -1;
        return CS_OK;
    }
    for (int f = 0; f < F_N; f++)
        if (k == strlen(tc_fields[f]) && memcmp(s + i, tc_fields[f], k) == 0) {
            if (tc->n == 0) return TC_FAIL(w, i, "'%s' outside a tag (start one with 'tag KEY')", tc_fields[f]);
            return tc_field(w, &tc->tag[tc->n - 1], o, f, e);
        }
    if (k == 5 && memcmp(s + i, "grade", 5) == 0) return tc_grade(w, e, grade_seen, with_min);
    if (k == 4 && memcmp(s + i, "cost", 4) == 0) {
        size_t at, n = tc_rest(s, e, &at);
        if (tc->cost_line) return TC_FAIL(w, i, "a second cost line (the first is line %zu)", tc->cost_line);
        if (n == 0 || n >= sizeof tc->cost || tc_word_end(s, at) != at + n)
            return TC_FAIL(w, at, "a cost line is 'cost INDICATOR' (one name)");
        CS_TRY(tc_text(w, at, n, tc->cost, sizeof tc->cost, "the cost indicator"));
        tc->cost_line = w->lineno;
        return CS_OK;
    }
    if (k == 4 && memcmp(s + i, "lift", 4) == 0) {
        size_t at, n = tc_rest(s, e, &at);
        if (n == 0 || tc_word_end(s, at) != at + n) return TC_FAIL(w, at, "a lift line is 'lift TAG' (one tag key)");
        /* the tag may be defined further down: resolved at the end (tc_lifts) */
        if (tc->n_lift == TAGEVAL_MAX_TAGS) return TC_FAIL(w, i, "more than %d lift lines", TAGEVAL_MAX_TAGS);
        if (at > 0xffff) return TC_FAIL(w, i, "a lift line of over 65535 bytes");
        tc->lift[tc->n_lift++] = (w->lineno << 16) | (at & 0xffff); /* line and offset until resolved */
        return CS_OK;
    }
    return TC_FAIL(w, i, "unknown line kind '%.*s' (tag, its fields %s, %s, %s, %s, %s, %s, %s, %s; grade, cost, "
                   "lift; # starts a comment)", (int)(k > 40 ? 40 : k), s + i, tc_fields[0], tc_fields[1],
                   tc_fields[2], tc_fields[3], tc_fields[4], tc_fields[5], tc_fields[6], tc_fields[7]);
}

/* Lift lines name tags: resolved once every tag is known (the lines are read again for the names). */
static int tc_lifts(tagconf *tc, const char *text, size_t len)
{
    for (size_t l = 0; l < tc->n_lift; l++) {
        size_t lineno = tc->lift[l] >> 16, off = tc->lift[l] & 0xffff, at = 0, cur = 1;
        if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) at = 3;
        while (cur < lineno && at < len) {
            if (text[at++] == '\n') cur++;
        }
        const char *s = text + at;
        size_t n = 0;
        while (at + off + n < len && s[off + n] != '\n' && s[off + n] != '\r' && s[off + n] != ' ' &&
               s[off + n] != '\t')
            n++;
        long hit = -1;
        for (size_t t = 0; t < tc->n; t++)
            if (strlen(tc->tag[t].key) == n && memcmp(tc->tag[t].key, s + off, n) == 0) hit = (long)t;
        if (hit < 0) {
            char line[1024];
            size_t m = 0;
            while (at + m < len && s[m] != '\n' && m + 1 < sizeof line) line[m] = s[m], m++;
            line[m] = '\0';
            return CS_ERROR(CS_EDATA, "%s:%zu:%zu: lift names no tag '%.*s'", tc->name, lineno, tc_col(line, off),
                            (int)(n > 40 ? 40 : n), s + off);
        }
        tc->lift[l] = (size_t)hit;
    }
    return CS_OK;
}

int tagconf_parse(const char *text, size_t len, const char *name, tagconf **out)
{
    *out = NULL;
    tagconf *tc = calloc(1, sizeof *tc);
    char *line = malloc(len + 1);
    if (!tc || !line) {
        free(tc);
        free(line);
        return CS_ERROR(CS_ENOMEM, "out of memory for the tag rules");
    }
    snprintf(tc->name, sizeof tc->name, "%s", name);
    for (int l = 0; l < LANG_N; l++)
        for (int g = 0; g < TAGEVAL_N_GRADES; g++)
            snprintf(tc->grade_name[l][g], sizeof tc->grade_name[l][g], "%s", tc_default_grade[l][g]);
    tc_where w = {tc, line, 0};
    tc_open o = {0};
    size_t grade_seen[TAGEVAL_N_GRADES] = {0};
    int with_min = -1, rc = CS_OK;
    size_t at = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) at = 3; /* a byte order mark an editor added */
    while (rc == CS_OK && at < len) {
        size_t e = at;
        while (e < len && text[e] != '\n') e++;
        size_t n = e - at;
        memcpy(line, text + at, n);
        line[n] = '\0';
        at = e + 1;
        w.lineno++;
        if (n && line[n - 1] == '\r') line[--n] = '\0';
        if (memchr(text + at - n - 1, '\0', n)) rc = TC_FAIL(&w, 0, "a NUL byte: not a text file");
        else rc = tc_line(tc, &w, &o, grade_seen, &with_min);
    }
    if (rc == CS_OK) rc = tc_close(tc, &o);
    if (rc == CS_OK) {
        int some = 0, all = 1;
        for (int g = 0; g < TAGEVAL_N_GRADES; g++) some |= grade_seen[g] != 0, all &= grade_seen[g] != 0;
        if (some && !all)
            rc = CS_ERROR(CS_EDATA, "%s:%zu:1: grade lines name some grades only: name all %d or none", tc->name,
                          w.lineno, TAGEVAL_N_GRADES);
        tc->thresholds = with_min == 1;
        for (int g = 1; rc == CS_OK && tc->thresholds && g < TAGEVAL_N_GRADES - 1; g++)
            if (tc->grade_min[g] > tc->grade_min[g - 1])
                rc = CS_ERROR(CS_EDATA, "%s:%zu:1: the threshold of grade %d (%g) is above that of grade %d (%g): "
                              "grade 1 is the most valuable", tc->name, grade_seen[g], g + 1, tc->grade_min[g], g,
                              tc->grade_min[g - 1]);
    }
    if (rc == CS_OK) rc = tc_lifts(tc, text, len);
    if (rc == CS_OK) rc = tc_order(tc);
    free(line);
    if (rc != CS_OK) {
        tagconf_free(tc);
        return rc;
    }
    *out = tc;
    return CS_OK;
}

int tagconf_read(const char *path, tagconf **out)
{
    *out = NULL;
    char *buf;
    size_t n;
    int rc = textfile_read(path, "the tag rules", "a tag rule file", 4, &buf, &n);
    if (rc == CS_OK) rc = tagconf_parse(buf, n, path, out);
    free(buf);
    return rc;
}

int tagconf_builtin(tagconf **out)
{
    return tagconf_parse(tags_builtin_text, tags_builtin_len, "built-in tag rules (jobs/tags.conf)", out);
}

void tagconf_free(tagconf *tc)
{
    if (!tc) return;
    for (size_t t = 0; t < tc->n; t++) expr_free(tc->tag[t].cond);
    free(tc);
}

/* ---- binding ---- */

typedef struct {
    tagconf *tc;
    const char *const *names;
    size_t p;
    long *cols;    /* [p] the slot of each used snapshot column, -1 unused */
    size_t n_cols;
    long *used;    /* [p] */
    const char *skipped_tag; /* set when a name is a skipped tag */
} tc_bind_ctx;

static int tc_resolve(void *arg, const char *name, size_t *slot)
{
    tc_bind_ctx *b = arg;
    for (size_t t = 0; t < b->tc->n; t++)
        if (strcmp(b->tc->tag[t].key, name) == 0) {
            if (!b->tc->tag[t].active) {
                b->skipped_tag = b->tc->tag[t].key;
                return 0;
            }
            *slot = (size_t)b->tc->tag[t].bit;
            return 1;
        }
    for (size_t c = 0; c < b->p; c++)
        if (strcmp(b->names[c], name) == 0) {
            if (b->cols[c] < 0) {
                b->cols[c] = (long)b->n_cols;
                b->used[b->n_cols++] = (long)c;
            }
            *slot = TAGEVAL_COL0 + (size_t)b->cols[c];
            return 1;
        }
    return 0;
}

static long tc_find(const char *const *names, size_t p, const char *name)
{
    for (size_t c = 0; c < p; c++)
        if (strcmp(names[c], name) == 0) return (long)c;
    return -1;
}

int tagconf_bind(tagconf *tc, const char *const *names, size_t p, size_t rows, tageval **out)
{
    *out = NULL;
    tc_bind_ctx b = {.tc = tc, .names = names, .p = p};
    b.cols = malloc((p + 1) * sizeof(long));
    b.used = malloc((p + 1) * sizeof(long));
    if (!b.cols || !b.used) {
        free(b.cols);
        free(b.used);
        return CS_ERROR(CS_ENOMEM, "out of memory for the tag rules");
    }
    for (size_t c = 0; c < p; c++) b.cols[c] = -1;
    /* bits are given in file order to the tags that bind; a tag is bound after the tags it names */
    for (size_t t = 0; t < tc->n; t++) tc->tag[t].active = 0, tc->tag[t].bit = -1, tc->tag[t].note[0] = '\0';
    int rc = CS_OK, bit = 0;
    for (size_t o = 0; rc == CS_OK && o < tc->n; o++) {
        tagconf_tag *t = &tc->tag[tc->order[o]];
        tc->tag[tc->order[o]].bit = 0; /* provisional: renumbered below */
        expr_error err;
        b.skipped_tag = NULL;
        size_t n_cols_before = b.n_cols;
        if (expr_bind(t->cond, tc_resolve, &b, &err) == CS_OK) {
            t->active = 1;
            continue;
        }
        char why[300];
        if (b.skipped_tag) snprintf(why, sizeof why, "it names tag '%s', which is skipped", b.skipped_tag);
        else snprintf(why, sizeof why, "%s in the snapshot", err.message);
        size_t col = t->when_col + err.column - 1;
        if (!t->optional) {
            rc = CS_ERROR(CS_EDATA, "%s:%zu:%zu: tag %s: %s%s%s%s", tc->name, t->when_line, col, t->key, why,
                          *t->needs ? " (it needs " : "", t->needs, *t->needs ? ")" : " (mark the tag 'optional' to skip it "
                          "on such a snapshot)");
            break;
        }
        /* columns a failed binding reached stay counted: harmless, they are only read */
        (void)n_cols_before;
        char note[sizeof t->note + 1024];
        snprintf(note, sizeof note, "%s:%zu:%zu: tag %s skipped: %s%s%s%s", tc->name, t->when_line, col, t->key, why,
                 *t->needs ? " (it needs " : "", t->needs, *t->needs ? ")" : "");
        snprintf(t->note, sizeof t->note, "%.500s", note);
    }
    /* the bits: active tags in file order; then bind again so the tag slots are the final bits */
    for (size_t t = 0; t < tc->n; t++) tc->tag[t].bit = tc->tag[t].active ? bit++ : -1;
    for (size_t o = 0; rc == CS_OK && o < tc->n; o++) {
        tagconf_tag *t = &tc->tag[tc->order[o]];
        expr_error err;
        if (t->active && expr_bind(t->cond, tc_resolve, &b, &err) != CS_OK)
            rc = CS_ERROR(CS_EINTERNAL, "tag %s bound once but not twice", t->key);
    }
    tc->has_cost = 0;
    tc->cost_col[0] = tc->cost_col[1] = tc->cost_col[2] = -1;
    if (rc == CS_OK && *tc->cost) {
        char nm[160];
        int all = 1;
        for (int m = 0; m < 3; m++) {
            snprintf(nm, sizeof nm, "%s_m%d", tc->cost, m + 1);
            tc->cost_col[m] = tc_find(names, p, nm);
            all &= tc->cost_col[m] >= 0;
        }
        if (all) {
            tc->cost_family = 1;
            tc->has_cost = 1;
        } else {
            tc->cost_col[0] = tc_find(names, p, tc->cost);
            tc->cost_col[1] = tc->cost_col[2] = -1;
            tc->cost_family = 0;
            tc->has_cost = tc->cost_col[0] >= 0;
        }
    }
    tc->lift_bits = 0;
    for (size_t l = 0; l < tc->n_lift; l++)
        if (tc->tag[tc->lift[l]].active) tc->lift_bits |= UINT64_C(1) << tc->tag[tc->lift[l]].bit;
    tageval *tv = NULL;
    if (rc == CS_OK) {
        tv = tageval_alloc((size_t)bit, b.n_cols, rows);
        if (!tv) rc = CS_ERROR(CS_ENOMEM, "out of memory for the tag rules");
    }
    if (rc == CS_OK) {
        for (size_t c = 0; c < b.n_cols; c++) tv->col[c] = b.used[c];
        size_t k = 0;
        for (size_t o = 0; o < tc->n; o++) {
            const tagconf_tag *t = &tc->tag[tc->order[o]];
            if (!t->active) continue;
            tv->cond[t->bit] = t->cond;
            tv->order[k++] = (size_t)t->bit;
        }
        *out = tv;
    }
    free(b.cols);
    free(b.used);
    return rc;
}

double tagconf_cost(const tagconf *tc, const float *row)
{
    if (!tc || !tc->has_cost) return NAN;
    if (!tc->cost_family) return (double)row[tc->cost_col[0]];
    /* the mean of the present months, in order (as rules_arpu does for ARPU) */
    double s = 0.0;
    int n = 0;
    for (int m = 0; m < 3; m++) {
        double v = (double)row[tc->cost_col[m]];
        if (isnan(v)) continue;
        s += v;
        n++;
    }
    return n ? s / n : NAN;
}

size_t tagconf_n_active(const tagconf *tc)
{
    size_t n = 0;
    for (size_t t = 0; tc && t < tc->n; t++) n += tc->tag[t].active;
    return n;
}

const tagconf_tag *tagconf_by_bit(const tagconf *tc, int b)
{
    for (size_t t = 0; tc && t < tc->n; t++)
        if (tc->tag[t].active && tc->tag[t].bit == b) return &tc->tag[t];
    return NULL;
}

void tagconf_labels(const tagconf *tc, uint64_t bits, cs_lang lang, const char *sep, char *buf, size_t cap)
{
    if (!cap) return;
    buf[0] = '\0';
    size_t at = 0;
    for (int b = 0; b < TAGEVAL_MAX_TAGS && bits; b++) {
        if (!(bits >> b & 1)) continue;
        const tagconf_tag *t = tagconf_by_bit(tc, b);
        if (!t) continue;
        int w = snprintf(buf + at, cap - at, "%s%s", at ? sep : "", t->label[lang == LANG_ZH ? LANG_ZH : LANG_EN]);
        if (w < 0 || (size_t)w >= cap - at) {
            buf[at] = '\0'; /* a whole label or none */
            return;
        }
        at += (size_t)w;
    }
}

const char *tagconf_grade_name(const tagconf *tc, int grade, cs_lang lang)
{
    int l = lang == LANG_ZH ? LANG_ZH : LANG_EN;
    if (grade < 1 || grade > TAGEVAL_N_GRADES) return l == LANG_ZH ? "未知" : "unknown";
    return tc ? tc->grade_name[l][grade - 1] : tc_default_grade[l][grade - 1];
}

int tagconf_grade_of(const tagconf *tc, const char *s)
{
    if (s[0] >= '0' && s[0] <= '0' + TAGEVAL_N_GRADES && s[1] == '\0') return s[0] - '0';
    for (int l = 0; l < LANG_N; l++) {
        if (strcmp(s, l == LANG_ZH ? "未知" : "unknown") == 0) return 0;
        for (int g = 0; g < TAGEVAL_N_GRADES; g++)
            if (strcmp(s, tc ? tc->grade_name[l][g] : tc_default_grade[l][g]) == 0) return g + 1;
    }
    return -1;
}
