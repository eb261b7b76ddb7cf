/* jsonread.c — see jsonread.h. A recursive-descent parser over the whole text. */
#include "jsonread.h"

#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s, *end, *name;
    size_t line;
} jv_in;

static int jv_fail(jv_in *in, const char *what)
{
    return CS_ERROR(CS_EFORMAT, "%s: line %zu: not valid JSON: %s", in->name, in->line, what);
}

static void jv_ws(jv_in *in)
{
    while (in->s < in->end && (*in->s == ' ' || *in->s == '\t' || *in->s == '\n' || *in->s == '\r')) {
        if (*in->s == '\n') in->line++;
        in->s++;
    }
}

static void jv_clear(jv *v)
{
    if (!v) return;
    free(v->str);
    for (size_t i = 0; v->items && i < v->len; i++) {
        jv_clear(&v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

void jv_free(jv *v)
{
    jv_clear(v);
    free(v);
}

static void jv_put_utf8(char *o, size_t *k, unsigned long c)
{
    if (c < 0x80) o[(*k)++] = (char)c;
    else if (c < 0x800) {
        o[(*k)++] = (char)(0xc0 | (c >> 6));
        o[(*k)++] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
        o[(*k)++] = (char)(0xe0 | (c >> 12));
        o[(*k)++] = (char)(0x80 | ((c >> 6) & 0x3f));
        o[(*k)++] = (char)(0x80 | (c & 0x3f));
    } else {
        o[(*k)++] = (char)(0xf0 | (c >> 18));
        o[(*k)++] = (char)(0x80 | ((c >> 12) & 0x3f));
        o[(*k)++] = (char)(0x80 | ((c >> 6) & 0x3f));
        o[(*k)++] = (char)(0x80 | (c & 0x3f));
    }
}

static int jv_hex4(jv_in *in, unsigned long *c)
{
    if (in->end - in->s < 4) return jv_fail(in, "a \\u escape needs four hex digits");
    *c = 0;
    for (int i = 0; i < 4; i++) {
        char h = *in->s++;
        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
        if (d < 0) return jv_fail(in, "a \\u escape needs four hex digits");
        *c = *c * 16 + (unsigned long)d;
    }
    return CS_OK;
}

/* A string literal (in->s at the opening quote) into a malloc'd buffer. */
static int jv_string(jv_in *in, char **out, size_t *len)
{
    in->s++;
    const char *p = in->s;
    while (p < in->end && *p != '"') p += *p == '\\' && p + 1 < in->end ? 2 : 1;
    if (p >= in->end) return jv_fail(in, "a string is not closed");
    /* escapes only shorten (\uXXXX: 6 bytes to at most 3, a pair 12 to 4) */
    char *o = malloc((size_t)(p - in->s) + 1);
    if (!o) return CS_ERROR(CS_ENOMEM, "out of memory");
    size_t k = 0;
    int rc = CS_OK;
    while (rc == CS_OK && *in->s != '"') {
        unsigned char c = (unsigned char)*in->s++;
        if (c < 0x20) {
            rc = jv_fail(in, "a control character inside a string");
            break;
        }
        if (c != '\\') {
            o[k++] = (char)c;
            continue;
        }
        char e = *in->s++;
        switch (e) {
        case '"': o[k++] = '"'; break;
        case '\\': o[k++] = '\\'; break;
        case '/': o[k++] = '/'; break;
        case 'b': o[k++] = '\b'; break;
        case 'f': o[k++] = '\f'; break;
        case 'n': o[k++] = '\n'; break;
        case 'r': o[k++] = '\r'; break;
        case 't': o[k++] = '\t'; break;
        case 'u': {
            unsigned long cp;
            rc = jv_hex4(in, &cp);
            if (rc == CS_OK && cp >= 0xd800 && cp < 0xdc00) {
                unsigned long lo = 0;
                if (in->end - in->s >= 6 && in->s[0] == '\\' && in->s[1] == 'u') {
                    in->s += 2;
                    rc = jv_hex4(in, &lo);
                }
                if (rc == CS_OK && !(lo >= 0xdc00 && lo < 0xe000)) rc = jv_fail(in, "a lone surrogate in a \\u escape");
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (rc == CS_OK && cp >= 0xdc00 && cp < 0xe000) {
                rc = jv_fail(in, "a lone surrogate in a \\u escape");
            }
            if (rc == CS_OK) jv_put_utf8(o, &k, cp);
            break;
        }
        default: rc = jv_fail(in, "an unknown escape in a string");
        }
    }
    if (rc != CS_OK) {
        free(o);
        return rc;
    }
    in->s++; /* the closing quote */
    o[k] = '\0';
    *out = o;
    *len = k;
    return CS_OK;
}

static int jv_value(jv_in *in, jv *v, int depth);

/* Appends one item to an array or object being built (capacity doubles). */
static int jv_push(jv *v, size_t *cap, int obj)
{
    if (v->len < *cap) return CS_OK;
    size_t nc = *cap ? 2 * *cap : 8;
    jv *it = realloc(v->items, nc * sizeof *it);
    if (!it) return CS_ERROR(CS_ENOMEM, "out of memory");
    v->items = it;
    if (obj) {
        char **ks = realloc(v->keys, nc * sizeof *ks);
        if (!ks) return CS_ERROR(CS_ENOMEM, "out of memory");
        v->keys = ks;
    }
    *cap = nc;
    return CS_OK;
}

static int jv_container(jv_in *in, jv *v, int depth, int obj)
{
    if (depth >= JV_MAX_DEPTH) return jv_fail(in, "nested too deeply");
    v->type = obj ? JV_OBJ : JV_ARR;
    in->s++;
    size_t cap = 0;
    jv_ws(in);
    if (in->s < in->end && *in->s == (obj ? '}' : ']')) {
        in->s++;
        return CS_OK;
    }
    for (;;) {
        CS_TRY(jv_push(v, &cap, obj));
        jv *it = &v->items[v->len];
        memset(it, 0, sizeof *it);
        if (obj) {
            jv_ws(in);
            if (in->s >= in->end || *in->s != '"') return jv_fail(in, "an object key must be a string");
            size_t kl;
            CS_TRY(jv_string(in, &v->keys[v->len], &kl));
            v->len++;
            jv_ws(in);
            if (in->s >= in->end || *in->s != ':') return jv_fail(in, "':' expected after an object key");
            in->s++;
        } else {
            v->len++;
        }
        CS_TRY(jv_value(in, it, depth + 1));
        jv_ws(in);
        if (in->s < in->end && *in->s == ',') {
            in->s++;
            continue;
        }
        if (in->s < in->end && *in->s == (obj ? '}' : ']')) {
            in->s++;
            return CS_OK;
        }
        return jv_fail(in, obj ? "',' or '}' expected in an object" : "',' or ']' expected in an array");
    }
}

static int jv_word(jv_in *in, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(in->end - in->s) < n || memcmp(in->s, w, n) != 0) return 0;
    in->s += n;
    return 1;
}

static int jv_number(jv_in *in, jv *v)
{
    const char *p = in->s;
    if (p < in->end && *p == '-') p++;
    if (p >= in->end || !(*p >= '0' && *p <= '9')) return jv_fail(in, "a value expected");
    if (*p == '0') p++;
    else while (p < in->end && *p >= '0' && *p <= '9') p++;
    if (p < in->end && *p == '.') {
        p++;
        if (p >= in->end || !(*p >= '0' && *p <= '9')) return jv_fail(in, "digits expected after '.'");
        while (p < in->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < in->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < in->end && (*p == '+' || *p == '-')) p++;
        if (p >= in->end || !(*p >= '0' && *p <= '9')) return jv_fail(in, "digits expected in an exponent");
        while (p < in->end && *p >= '0' && *p <= '9') p++;
    }
    char buf[64];
    size_t n = (size_t)(p - in->s);
    if (n >= sizeof buf) return jv_fail(in, "a number too long");
    memcpy(buf, in->s, n);
    buf[n] = '\0';
    v->type = JV_NUM;
    v->num = strtod(buf, NULL);
    in->s = p;
    return CS_OK;
}

static int jv_value(jv_in *in, jv *v, int depth)
{
    jv_ws(in);
    if (in->s >= in->end) return jv_fail(in, "a value expected, the text ended");
    switch (*in->s) {
    case '{': return jv_container(in, v, depth, 1);
    case '[': return jv_container(in, v, depth, 0);
    case '"':
        v->type = JV_STR;
        return jv_string(in, &v->str, &v->len);
    case 't':
        if (!jv_word(in, "true")) break;
        v->type = JV_BOOL;
        v->boolean = 1;
        return CS_OK;
    case 'f':
        if (!jv_word(in, "false")) break;
        v->type = JV_BOOL;
        return CS_OK;
    case 'n':
        if (!jv_word(in, "null")) break;
        v->type = JV_NULL;
        return CS_OK;
    default: return jv_number(in, v);
    }
    return jv_fail(in, "a value expected");
}

int jv_parse(const char *text, size_t len, const char *name, jv **out)
{
    *out = NULL;
    jv_in in = {.s = text, .end = text + len, .name = name, .line = 1};
    jv *v = calloc(1, sizeof *v);
    if (!v) return CS_ERROR(CS_ENOMEM, "out of memory");
    int rc = jv_value(&in, v, 0);
    if (rc == CS_OK) {
        jv_ws(&in);
        if (in.s != in.end) rc = jv_fail(&in, "text after the value");
    }
    if (rc != CS_OK) {
        jv_free(v);
        return rc;
    }
    *out = v;
    return CS_OK;
}

int jv_read_file(const char *path, jv **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return CS_ERROR(CS_EIO, "%s: cannot open: %s", path, strerror(errno));
    char *buf = malloc(JV_MAX_FILE + 1);
    if (!buf) {
        fclose(f);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, JV_MAX_FILE + 1, f);
    int err = ferror(f) ? errno : 0;
    fclose(f);
    int rc = CS_OK;
    if (err) rc = CS_ERROR(CS_EIO, "%s: cannot read: %s", path, strerror(err));
    else if (n > JV_MAX_FILE) rc = CS_ERROR(CS_EFORMAT, "%s: over %u MB: not one of churnscore's JSON files", path, JV_MAX_FILE >> 20);
    if (rc == CS_OK) rc = jv_parse(buf, n, path, out);
    free(buf);
    return rc;
}

const jv *jv_get(const jv *v, const char *key)
{
    if (!v || v->type != JV_OBJ) return NULL;
    for (size_t i = 0; i < v->len; i++)
        if (strcmp(v->keys[i], key) == 0) return &v->items[i];
    return NULL;
}

const jv *jv_at(const jv *v, size_t i)
{
    if (!v || v->type != JV_ARR || i >= v->len) return NULL;
    return &v->items[i];
}

size_t jv_len(const jv *v) { return v && (v->type == JV_ARR || v->type == JV_OBJ) ? v->len : 0; }
double jv_num(const jv *v) { return v && v->type == JV_NUM ? v->num : NAN; }
const char *jv_str(const jv *v) { return v && v->type == JV_STR ? v->str : NULL; }
int jv_true(const jv *v) { return v && v->type == JV_BOOL && v->boolean; }
