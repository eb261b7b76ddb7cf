/* json.h — a tiny streaming JSON writer (inspect --json, list summaries, evaluation reports).
 *
 * It tracks nesting and commas so callers write keys and values in order; strings are escaped per
 * RFC 8259 and non-finite numbers are written as null (JSON has no NaN). UTF-8 passes through.
 */
#ifndef CS_JSON_H
#define CS_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct {
    FILE *f;
    int depth;
    int count[JSON_MAX_DEPTH]; /* items written at each depth, for commas */
    int pretty;
} json_writer;

void json_init(json_writer *w, FILE *f, int pretty);
void json_obj_begin(json_writer *w, const char *key); /* key NULL inside arrays / at top */
void json_obj_end(json_writer *w);
void json_arr_begin(json_writer *w, const char *key);
void json_arr_end(json_writer *w);
void json_str(json_writer *w, const char *key, const char *v); /* v NULL writes null */
void json_num(json_writer *w, const char *key, double v);      /* %.10g; NaN/inf -> null */
void json_int(json_writer *w, const char *key, int64_t v);
void json_bool(json_writer *w, const char *key, int v);
void json_null(json_writer *w, const char *key);
/* Writes s as a JSON string literal (with quotes) to f. */
void json_write_escaped(FILE *f, const char *s);

#endif
