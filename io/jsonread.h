/* jsonread.h — reads back the small JSON files churnscore writes (json.h): the month report
 * (`churnscore report`) is built from a month's month.json, lists/summary.json and evaluation.json.
 *
 * A whole document is parsed into a tree (RFC 8259: objects, arrays, strings with every escape,
 * numbers, true, false, null; nesting up to JV_MAX_DEPTH), which the accessors walk without ever
 * failing: a missing key, a wrong type or an index out of range reads as NULL, NaN or 0, so a
 * report can say "not known" instead of stopping. Parse errors are CS_EFORMAT naming the file, line
 * and what was expected. Pure but for jv_read_file.
 */
#ifndef CS_JSONREAD_H
#define CS_JSONREAD_H

#include <stddef.h>

#define JV_MAX_DEPTH 64
#define JV_MAX_FILE (64u << 20) /* a larger file is refused: ours are kilobytes */

typedef enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ } jv_type;

typedef struct jv {
    jv_type type;
    int boolean;
    double num;
    char *str;          /* JV_STR: NUL-terminated UTF-8 (may hold a NUL from \u0000: len says) */
    size_t len;         /* JV_STR: bytes; JV_ARR, JV_OBJ: items */
    struct jv *items;   /* JV_ARR, JV_OBJ */
    char **keys;        /* JV_OBJ: one per item */
} jv;

/* Parses len bytes (name is used in messages). *out is the tree (jv_free), NULL on failure:
 * CS_EFORMAT "name: line L: ...", CS_ENOMEM. */
int jv_parse(const char *text, size_t len, const char *name, jv **out);
/* Reads and parses a file: CS_EIO when it cannot be read, CS_EFORMAT when it is not JSON. */
int jv_read_file(const char *path, jv **out);
void jv_free(jv *v); /* accepts NULL */

/* The value of key in an object (the first, if repeated); NULL when v is not an object or lacks it. */
const jv *jv_get(const jv *v, const char *key);
/* Item i of an array; NULL when v is not an array or i is out of range. */
const jv *jv_at(const jv *v, size_t i);
/* Items of an array or object, 0 otherwise. */
size_t jv_len(const jv *v);
/* The number, NaN when v is NULL or not a number (null reads as NaN: json.h writes NaN as null). */
double jv_num(const jv *v);
/* The string, NULL when v is NULL or not a string. */
const char *jv_str(const jv *v);
/* 1 for true, 0 for anything else. */
int jv_true(const jv *v);

#endif
