/* import_int.h — what the import_*.c files share among themselves and nobody else uses: the level
 * sets (import_levels.c) and the helpers of the messages (import_schema.c, import_rows.c). The public
 * interface of the import is import.h.
 */
#ifndef CS_IMPORT_INT_H
#define CS_IMPORT_INT_H

#include "import.h"

#include <stddef.h>
#include <stdint.h>

/* imp_set (import_levels.c). */
void imp_set_clear(imp_set *t); /* frees the members */
const char *imp_set_str(const imp_set *t, size_t i);
/* Index of s[0..n) in t, or -1. */
long imp_set_find(const imp_set *t, const char *s, size_t n);
/* Adds s[0..n) unless present. Returns CS_OK, 1 when adding it would exceed max_n strings or
 * max_bytes bytes (nothing added), or CS_ENOMEM. */
int imp_set_add(imp_set *t, const char *s, size_t n, size_t max_n, size_t max_bytes);
/* As imp_set_add, and *idx receives the string's index (-1 when it was not added: the cap). */
int imp_set_add_at(imp_set *t, const char *s, size_t n, size_t max_n, size_t max_bytes, long *idx);
/* A decimal id: digits only, below 2^64 (import_rows.c). 1 and *out, or 0. */
int imp_parse_id(const char *s, size_t n, uint64_t *out);
/* The label a field of the label column says: -1 missing, 1 the --positive value, 0 otherwise. */
int imp_label_value(const imp_schema *s, const csv_field *f);
/* Gives strings [first, n) the codes first + their rank in byte order among themselves, strings
 * [0, first) keep code = index (the earlier snapshot's order). order (n entries) receives the
 * indices by code. CS_ENOMEM. */
int imp_set_codes(imp_set *t, size_t first, size_t *order);

/* Adds a level to a category, region or brand column (each with its cap; over it the column's
 * overflow is set and nothing added) (import_infer.c); *idx (idx may be NULL) its index in the set, -1
 * when it was not added. CS_OK or CS_ENOMEM. */
int imp_level_add(imp_schema *s, imp_column *col, const char *data, size_t len, long *idx);
/* The message of a column with too many levels (import_infer.c). */
int imp_overflow_error(const imp_schema *s, const imp_column *col);

/* A printable excerpt of a field for messages: at most 40 bytes, cut at a UTF-8 boundary, control
 * characters shown as '?' (import_schema.c). */
void imp_excerpt(const char *s, size_t n, char *out, size_t size);
/* Whether a field is a missing value (empty or NA). */
static inline int imp_field_missing(const csv_field *f) { return csv_field_missing(f); }
/* "numeric", "category", "id", ... for messages and the report. */
const char *imp_kind_name(int k);
/* The churn type a field of the churn-type column says: 0 none (empty, NA or a --stayed value),
 * 1 voluntary, 2 involuntary, -1 a value of none of the lists (import_rows.c). */
int imp_churn_value(const imp_schema *s, const csv_field *f);
/* Why a number that csv_number_overflows or the float32 check caught cannot be an indicator
 * (import_rows.c). */
const char *imp_nonfinite_why(const char *text);

#endif
