/* playbook.c — the playbook file read, checked for holes, and looked up (see playbook.h). */
#include "playbook.h"

#include "status.h"
#include "textfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jobs/playbook.conf at build time (CMakeLists.txt writes playbook_builtin.c from it). */
extern const char playbook_builtin_text[];
extern const size_t playbook_builtin_len;

static const char *const pb_channel_names[PB_N_CHANNELS] = {"phone", "sms", "app", "store", "visit"};

const char *playbook_channel_name(int channel)
{
    return channel >= 0 && channel < PB_N_CHANNELS ? pb_channel_names[channel] : "?";
}

const char *playbook_channel_label(int channel, cs_lang lang)
{
    static const char *const l[LANG_N][PB_N_CHANNELS] = {
        {"phone call", "SMS", "app message", "in store", "account manager visit"},
        {"电话外呼", "短信", "手机营业厅推送", "营业厅", "客户经理上门"},
    };
    if (channel < 0 || channel >= PB_N_CHANNELS) return "?";
    return l[lang == LANG_ZH ? LANG_ZH : LANG_EN][channel];
}

/* ---- parsing ---- */

#define PB_MAX_FIELDS 8
#define PB_ANY (-1)
#define PB_NONE 255 /* a table cell no rule covers yet */

typedef struct {
    int stage, phase, queue, tier_lo, tier_hi; /* PB_ANY for '*' */
    char code[PLAYBOOK_MAX_CODE + 1];
    size_t line;
    char tag[33];                              /* "" or the tag the rule is keyed on (issue 17) */
} pb_rule;

typedef struct {
    const char *name;
    size_t line;
} pb_where;

/* 1 when s[0..len) is valid UTF-8 without control characters. */
static int pb_utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        size_t n;
        unsigned cp, min;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) return 0;
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            n = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
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

/* Splits s (NUL-terminated, modified) on spaces and tabs into at most max fields; the count, or
 * max + 1 when there are more. */
static size_t pb_split(char *s, char **f, size_t max)
{
    size_t n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t') s++;
        if (!*s) return n;
        if (n == max) return max + 1;
        f[n++] = s;
        while (*s && *s != ' ' && *s != '\t') s++;
        if (*s) *s++ = '\0';
    }
}

/* s without leading and trailing spaces and tabs (modifies s). */
static char *pb_trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

/* "*" or one of names[0..n): PB_ANY or the index; -1 - 1 = -2 when unknown. */
static int pb_word(const char *s, const char *const *names, int n)
{
    if (strcmp(s, "*") == 0) return PB_ANY;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -2;
}

static int pb_channel(const pb_where *w, const char *s, int *ch)
{
    for (int c = 0; c < PB_N_CHANNELS; c++)
        if (strcmp(s, pb_channel_names[c]) == 0) {
            *ch = c;
            return CS_OK;
        }
    return CS_ERROR(CS_EDATA, "%s:%zu: unknown channel '%s' (phone, sms, app, store or visit)", w->name, w->line, s);
}

static int pb_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > PLAYBOOK_MAX_CODE) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    }
    return 1;
}

/* action CODE CHANNEL ONLINE_CHANNEL | English | 中文 */
static int pb_action(playbook *pb, const pb_where *w, char *line)
{
    char *bar1 = strchr(line, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
    if (!bar1 || !bar2 || strchr(bar2 + 1, '|'))
        return CS_ERROR(CS_EDATA, "%s:%zu: an action line is 'action CODE CHANNEL ONLINE_CHANNEL | English text "
                        "| Chinese text' (two '|')", w->name, w->line);
    *bar1 = *bar2 = '\0';
    char *f[PB_MAX_FIELDS];
    size_t n = pb_split(line, f, PB_MAX_FIELDS);
    if (n != 4)
        return CS_ERROR(CS_EDATA, "%s:%zu: an action line has exactly CODE, CHANNEL and ONLINE_CHANNEL before "
                        "the first '|'", w->name, w->line);
    if (!pb_code_ok(f[1]))
        return CS_ERROR(CS_EDATA, "%s:%zu: action code '%.40s' is not 1 to %d letters, digits or '_'", w->name,
                        w->line, f[1], PLAYBOOK_MAX_CODE);
    for (size_t a = 0; a < pb->n_actions; a++)
        if (strcmp(pb->actions[a].code, f[1]) == 0)
            return CS_ERROR(CS_EDATA, "%s:%zu: action %s is already defined (line %zu)", w->name, w->line, f[1],
                            pb->actions[a].line);
    if (pb->n_actions == PLAYBOOK_MAX_ACTIONS)
        return CS_ERROR(CS_EDATA, "%s:%zu: more than %d actions", w->name, w->line, PLAYBOOK_MAX_ACTIONS);
    playbook_action *act = &pb->actions[pb->n_actions];
    memset(act, 0, sizeof *act);
    CS_TRY(pb_channel(w, f[2], &act->channel));
    CS_TRY(pb_channel(w, f[3], &act->online_channel));
    char *text[LANG_N] = {pb_trim(bar1 + 1), pb_trim(bar2 + 1)};
    for (int l = 0; l < LANG_N; l++) {
        size_t len = strlen(text[l]);
        const char *lang = l == LANG_ZH ? "Chinese" : "English";
        if (len == 0) return CS_ERROR(CS_EDATA, "%s:%zu: action %s has no %s text", w->name, w->line, f[1], lang);
        if (len > PLAYBOOK_MAX_TEXT)
            return CS_ERROR(CS_EDATA, "%s:%zu: the %s text of action %s is over %d bytes", w->name, w->line,
                            lang, f[1], PLAYBOOK_MAX_TEXT);
        if (!pb_utf8_ok(text[l], len))
            return CS_ERROR(CS_EDATA, "%s:%zu: the %s text of action %s is not UTF-8 text", w->name, w->line,
                            lang, f[1]);
        memcpy(act->text[l], text[l], len + 1);
    }
    snprintf(act->code, sizeof act->code, "%s", f[1]);
    act->line = w->line;
    pb->n_actions++;
    return CS_OK;
}

/* TIER: *, N or N-M with 0 <= N <= M <= 5. */
static int pb_tier(const pb_where *w, const char *s, int *lo, int *hi)
{
    if (strcmp(s, "*") == 0) {
        *lo = 0;
        *hi = RULES_N_TIERS;
        return CS_OK;
    }
    int a = -1, b = -1;
    if (s[0] >= '0' && s[0] <= '9' && s[1] == '\0') a = b = s[0] - '0';
    else if (s[0] >= '0' && s[0] <= '9' && s[1] == '-' && s[2] >= '0' && s[2] <= '9' && s[3] == '\0')
        a = s[0] - '0', b = s[2] - '0';
    if (a < 0 || a > b || b > RULES_N_TIERS)
        return CS_ERROR(CS_EDATA, "%s:%zu: unknown tier '%.40s' (0 to %d, N-M or *; 0 is an unknown value)",
                        w->name, w->line, s, RULES_N_TIERS);
    *lo = a;
    *hi = b;
    return CS_OK;
}

/* rule STAGE PHASE QUEUE TIER CODE */
static int pb_rule_line(const pb_where *w, char *line, pb_rule *r)
{
    char *f[PB_MAX_FIELDS];
    size_t n = pb_split(line, f, PB_MAX_FIELDS);
    if (n != 6 && n != 7)
        return CS_ERROR(CS_EDATA, "%s:%zu: a rule line is 'rule STAGE PHASE QUEUE TIER CODE [TAG]' (%s)", w->name,
                        w->line, n < 6 ? "a field is missing" : "too many fields");
    static const char *const stages[RULES_N_STAGES] = {"onboarding", "growth", "maturity", "decline"};
    static const char *const phases[RULES_N_PHASES] = {"healthy", "warning", "alarm"};
    static const char *const queues[QUEUE_N_LISTED] = {"retention", "collections", "billing"};
    memset(r, 0, sizeof *r);
    r->line = w->line;
    if ((r->stage = pb_word(f[1], stages, RULES_N_STAGES)) == -2)
        return CS_ERROR(CS_EDATA, "%s:%zu: unknown stage '%.40s' (onboarding, growth, maturity, decline or *)",
                        w->name, w->line, f[1]);
    if ((r->phase = pb_word(f[2], phases, RULES_N_PHASES)) == -2)
        return CS_ERROR(CS_EDATA, "%s:%zu: unknown phase '%.40s' (healthy, warning, alarm or *)", w->name, w->line,
                        f[2]);
    int q = pb_word(f[3], queues, QUEUE_N_LISTED);
    if (q == -2)
        return CS_ERROR(CS_EDATA, "%s:%zu: unknown queue '%.40s' (retention, collections, billing or *)", w->name,
                        w->line, f[3]);
    r->queue = q == PB_ANY ? PB_ANY : q + QUEUE_RETENTION;
    CS_TRY(pb_tier(w, f[4], &r->tier_lo, &r->tier_hi));
    if (!pb_code_ok(f[5]))
        return CS_ERROR(CS_EDATA, "%s:%zu: action code '%.40s' is not 1 to %d letters, digits or '_'", w->name,
                        w->line, f[5], PLAYBOOK_MAX_CODE);
    snprintf(r->code, sizeof r->code, "%s", f[5]);
    if (n == 7) {
        size_t k = strlen(f[6]);
        int ok = k >= 1 && k <= 32 && f[6][0] >= 'a' && f[6][0] <= 'z';
        for (size_t i = 0; ok && i < k; i++)
            ok = (f[6][i] >= 'a' && f[6][i] <= 'z') || (f[6][i] >= '0' && f[6][i] <= '9') || f[6][i] == '_';
        if (!ok)
            return CS_ERROR(CS_EDATA, "%s:%zu: tag '%.40s' is not a tag key (lower-case letters, digits, '_')",
                            w->name, w->line, f[6]);
        snprintf(r->tag, sizeof r->tag, "%s", f[6]);
    }
    return CS_OK;
}

/* online INDICATOR MIN */
static int pb_online(playbook *pb, const pb_where *w, char *line, size_t *seen)
{
    char *f[PB_MAX_FIELDS];
    size_t n = pb_split(line, f, PB_MAX_FIELDS);
    if (*seen)
        return CS_ERROR(CS_EDATA, "%s:%zu: a second online line (the first is line %zu)", w->name, w->line, *seen);
    if (n != 3)
        return CS_ERROR(CS_EDATA, "%s:%zu: the online line is 'online INDICATOR MIN'", w->name, w->line);
    char *end = NULL;
    errno = 0;
    double v = strtod(f[2], &end);
    if (!end || *end || end == f[2] || !isfinite(v) || errno == ERANGE)
        return CS_ERROR(CS_EDATA, "%s:%zu: the online line's MIN '%.40s' is not a finite number", w->name, w->line,
                        f[2]);
    if (strlen(f[1]) >= sizeof pb->online_indicator || !pb_utf8_ok(f[1], strlen(f[1])))
        return CS_ERROR(CS_EDATA, "%s:%zu: the online line's indicator name is too long or not UTF-8", w->name,
                        w->line);
    snprintf(pb->online_indicator, sizeof pb->online_indicator, "%s", f[1]);
    pb->online_min = v;
    pb->has_online = 1;
    *seen = w->line;
    return CS_OK;
}

static int pb_match(int want, int have)
{
    return want == PB_ANY || want == have;
}

/* Fills the table from the rules (first match wins) and finds the first hole. */
static int pb_fill(playbook *pb, const pb_rule *rules, size_t n_rules)
{
    for (size_t i = 0; i < n_rules; i++) {
        const pb_rule *r = &rules[i];
        size_t a = 0;
        while (a < pb->n_actions && strcmp(pb->actions[a].code, r->code) != 0) a++;
        if (a == pb->n_actions)
            return CS_ERROR(CS_EDATA, "%s:%zu: unknown action code '%s' (no action line defines it)", pb->name,
                            r->line, r->code);
        if (*r->tag) { /* keyed on a tag: checked before the table, not part of it */
            if (pb->n_tag_rules == PLAYBOOK_MAX_TAG_RULES)
                return CS_ERROR(CS_EDATA, "%s:%zu: more than %d rules keyed on tags", pb->name, r->line,
                                PLAYBOOK_MAX_TAG_RULES);
            size_t k = pb->n_tag_rules++;
            pb->tag_rule[k].stage = r->stage, pb->tag_rule[k].phase = r->phase, pb->tag_rule[k].queue = r->queue;
            pb->tag_rule[k].tier_lo = r->tier_lo, pb->tag_rule[k].tier_hi = r->tier_hi;
            pb->tag_rule[k].action = (unsigned char)a;
            snprintf(pb->tag_rule[k].key, sizeof pb->tag_rule[k].key, "%s", r->tag);
            pb->tag_rule[k].bit = -1;
            pb->tag_rule[k].line = r->line;
            continue;
        }
        for (int s = 0; s < RULES_N_STAGES; s++)
            for (int p = 0; p < RULES_N_PHASES; p++)
                for (int q = QUEUE_RETENTION; q < QUEUE_N; q++)
                    for (int t = r->tier_lo; t <= r->tier_hi; t++)
                        if (pb_match(r->stage, s) && pb_match(r->phase, p) && pb_match(r->queue, q) &&
                            pb->table[s][p][q][t] == PB_NONE)
                            pb->table[s][p][q][t] = (unsigned char)a;
    }
    for (int q = QUEUE_RETENTION; q < QUEUE_N; q++)
        for (int s = 0; s < RULES_N_STAGES; s++)
            for (int p = 0; p < RULES_N_PHASES; p++) {
                if (q == QUEUE_RETENTION && p == RULES_HEALTHY) continue; /* no such row */
                for (int t = 0; t < PLAYBOOK_N_TIERS; t++)
                    if (pb->table[s][p][q][t] == PB_NONE)
                        return CS_ERROR(CS_EDATA, "%s: a hole: no rule covers stage %s, phase %s, queue %s, "
                                        "tier %d (add a rule for it, or a last 'rule * * * * CODE')", pb->name,
                                        rules_stage_name(s), rules_phase_name(p), queue_name(q), t);
            }
    return CS_OK;
}

int playbook_parse(const char *text, size_t len, const char *name, playbook **out)
{
    *out = NULL;
    playbook *pb = calloc(1, sizeof *pb);
    size_t cap_rules = 64, n_rules = 0;
    pb_rule *rules = malloc(cap_rules * sizeof *rules);
    char *line = malloc(len + 1);
    if (!pb || !rules || !line) {
        free(pb);
        free(rules);
        free(line);
        return CS_ERROR(CS_ENOMEM, "out of memory for the playbook");
    }
    snprintf(pb->name, sizeof pb->name, "%s", name);
    memset(pb->table, PB_NONE, sizeof pb->table);
    pb_where w = {pb->name, 0};
    size_t online_seen = 0;
    int rc = CS_OK;
    size_t at = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) at = 3; /* a byte order mark an editor added */
    while (rc == CS_OK && at < len) {
        size_t e = at;
        while (e < len && text[e] != '\n') e++;
        size_t n = e - at;
        memcpy(line, text + at, n);
        line[n] = '\0';
        at = e + 1;
        w.line++;
        if (n && line[n - 1] == '\r') line[--n] = '\0';
        if (memchr(line, '\0', n))
            rc = CS_ERROR(CS_EDATA, "%s:%zu: a NUL byte: not a text file", w.name, w.line);
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        if (rc != CS_OK || *s == '\0' || *s == '#') continue;
        size_t k = 0;
        while (s[k] && s[k] != ' ' && s[k] != '\t') k++;
        if (k == 6 && strncmp(s, "action", 6) == 0) {
            rc = pb_action(pb, &w, s);
        } else if (k == 4 && strncmp(s, "rule", 4) == 0) {
            if (n_rules == cap_rules) {
                pb_rule *nr = realloc(rules, 2 * cap_rules * sizeof *nr);
                if (!nr) {
                    rc = CS_ERROR(CS_ENOMEM, "out of memory for the playbook");
                    break;
                }
                rules = nr;
                cap_rules *= 2;
            }
            rc = pb_rule_line(&w, s, &rules[n_rules]);
            if (rc == CS_OK) n_rules++;
        } else if (k == 6 && strncmp(s, "online", 6) == 0) {
            rc = pb_online(pb, &w, s, &online_seen);
        } else {
            rc = CS_ERROR(CS_EDATA, "%s:%zu: unknown line kind '%.*s' (action, rule or online; # starts a comment)",
                          w.name, w.line, (int)(k > 40 ? 40 : k), s);
        }
    }
    if (rc == CS_OK) rc = pb_fill(pb, rules, n_rules);
    free(rules);
    free(line);
    if (rc != CS_OK) {
        free(pb);
        return rc;
    }
    *out = pb;
    return CS_OK;
}

int playbook_read(const char *path, playbook **out)
{
    *out = NULL;
    char *buf;
    size_t n;
    int rc = textfile_read(path, "the playbook", "a playbook", 16, &buf, &n);
    if (rc == CS_OK) rc = playbook_parse(buf, n, path, out);
    free(buf);
    return rc;
}

int playbook_builtin(playbook **out)
{
    return playbook_parse(playbook_builtin_text, playbook_builtin_len, "built-in playbook (jobs/playbook.conf)",
                          out);
}

void playbook_free(playbook *pb)
{
    free(pb);
}

const playbook_action *playbook_lookup(const playbook *pb, int stage, int phase, int queue, int tier)
{
    if (!pb || stage < 0 || stage >= RULES_N_STAGES || phase < 0 || phase >= RULES_N_PHASES ||
        queue < QUEUE_RETENTION || queue >= QUEUE_N || tier < 0 || tier >= PLAYBOOK_N_TIERS)
        return NULL;
    unsigned a = pb->table[stage][phase][queue][tier];
    return a < pb->n_actions ? &pb->actions[a] : NULL;
}

int playbook_bind_tags(playbook *pb, int (*key_bit)(void *arg, const char *key), void *arg, size_t *n_off)
{
    *n_off = 0;
    for (size_t k = 0; pb && k < pb->n_tag_rules; k++) {
        int b = key_bit(arg, pb->tag_rule[k].key);
        if (b == -2)
            return CS_ERROR(CS_EDATA, "%s:%zu: unknown tag '%s' (no tag of the tag rules has this key)", pb->name,
                            pb->tag_rule[k].line, pb->tag_rule[k].key);
        pb->tag_rule[k].bit = b;
        *n_off += b < 0;
    }
    return CS_OK;
}

const playbook_action *playbook_lookup_tagged(const playbook *pb, int stage, int phase, int queue, int tier,
                                              uint64_t tags)
{
    for (size_t k = 0; pb && tags && k < pb->n_tag_rules; k++) {
        const int b = pb->tag_rule[k].bit;
        if (b < 0 || !(tags >> b & 1)) continue;
        if (pb_match(pb->tag_rule[k].stage, stage) && pb_match(pb->tag_rule[k].phase, phase) &&
            pb_match(pb->tag_rule[k].queue, queue) && tier >= pb->tag_rule[k].tier_lo && tier <= pb->tag_rule[k].tier_hi)
            return &pb->actions[pb->tag_rule[k].action];
    }
    return playbook_lookup(pb, stage, phase, queue, tier);
}

int playbook_online(const playbook *pb, double value)
{
    return pb && pb->has_online && value >= pb->online_min; /* false for NaN */
}
