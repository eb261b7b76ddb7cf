/* json.c — see json.h. */
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void json_init(json_writer *w, FILE *f, int pretty)
{
    w->f = f;
    w->depth = 0;
    w->count[0] = 0;
    w->pretty = pretty;
}

void json_write_escaped(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void json_sep(json_writer *w, const char *key)
{
    if (w->count[w->depth]++ > 0) fputc(',', w->f);
    if (w->pretty && w->depth > 0) {
        fputc('\n', w->f);
        for (int i = 0; i < w->depth; i++) fputs("  ", w->f);
    }
    if (key) {
        json_write_escaped(w->f, key);
        fputs(w->pretty ? ": " : ":", w->f);
    }
}

static void json_open(json_writer *w, const char *key, char c)
{
    json_sep(w, key);
    fputc(c, w->f);
    if (w->depth < JSON_MAX_DEPTH - 1) w->depth++;
    w->count[w->depth] = 0;
}

static void json_close(json_writer *w, char c)
{
    int had = w->count[w->depth];
    if (w->depth > 0) w->depth--;
    if (w->pretty && had) {
        fputc('\n', w->f);
        for (int i = 0; i < w->depth; i++) fputs("  ", w->f);
    }
    fputc(c, w->f);
    if (w->depth == 0) fputc('\n', w->f);
}

void json_obj_begin(json_writer *w, const char *key) { json_open(w, key, '{'); }
void json_obj_end(json_writer *w) { json_close(w, '}'); }
void json_arr_begin(json_writer *w, const char *key) { json_open(w, key, '['); }
void json_arr_end(json_writer *w) { json_close(w, ']'); }

void json_str(json_writer *w, const char *key, const char *v)
{
    json_sep(w, key);
    if (v) json_write_escaped(w->f, v);
    else fputs("null", w->f);
}

void json_num(json_writer *w, const char *key, double v)
{
    json_sep(w, key);
    if (!isfinite(v)) {
        fputs("null", w->f);
        return;
    }
    /* the shortest of 15, 16 or 17 significant digits that reads back as the same double: full
     * precision (a consumer recomputing a figure gets our bits) without 0.10000000000000001 */
    char buf[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, w->f);
}

void json_int(json_writer *w, const char *key, int64_t v)
{
    json_sep(w, key);
    fprintf(w->f, "%" PRId64, v);
}

void json_bool(json_writer *w, const char *key, int v)
{
    json_sep(w, key);
    fputs(v ? "true" : "false", w->f);
}

void json_null(json_writer *w, const char *key)
{
    json_sep(w, key);
    fputs("null", w->f);
}
