/* expr.h — a small condition language over a subscriber's indicators: parsed once, evaluated per row.
 *
 * The tag rules of jobs/tags.conf (io/tagconf.h, issue 17) say who is a "sensitive customer" or an
 * "e-channel preference" in a line a site edits, e.g. `complaints_m3 >= 2 or mean(service_calls) > 4`;
 * `churnscore select --where EXPR` (issue 16) reuses the module in a dialect of its own (below). So
 * it knows nothing of files, snapshots or tags: expr_parse turns a string into a tree (syntax errors with the byte offset,
 * line and column of the offending token), expr_bind resolves every name through a function the caller
 * gives (a column of its block, or another tag's result column), and expr_eval evaluates the tree for
 * every row of a block given as one double column per bound slot. Pure: no MPI, no I/O.
 *
 * The language (docs/formats.md, "The tag rules"), loosest binding first:
 *   a or b      a and b      not a
 *   a < b   a <= b   a > b   a >= b   a == b   a != b     (not chained: `a < b < c` is an error)
 *   a + b   a - b            a * b   a / b               -a
 *   NUMBER   NAME   (expr)   mean(F)  min(F)  max(F)  change(F)
 * F names an indicator family: F_m1, F_m2, F_m3 (m3 the latest month). mean, min and max take the
 * months that are present (NaN when none is); change(F) = (F_m3 - b) / b with b = mean(F_m1, F_m2),
 * NaN when a month is missing or b is 0. Values are doubles (float32 indicators widen exactly);
 * arithmetic is IEEE, a NaN (missing value) propagates; a comparison with a NaN is false (0); and, or
 * and not read a value as true when it is neither 0 nor NaN and give 1 or 0. A row satisfies a
 * condition when its value is true (expr_true). The where dialect (below) adds texts, lists and tags.
 */
#ifndef CS_EXPR_H
#define CS_EXPR_H

#include <stddef.h>

typedef struct expr expr;

/* Where and why parsing or binding failed: offset is the byte offset into the text, line and column
 * (1-based; the column counts characters, a UTF-8 sequence being one) locate it for people. */
typedef struct {
    size_t offset, line, column;
    char message[200];
} expr_error;

/* Parses text[0..len) into *out (expr_free). CS_EDATA with *err filled on a syntax error (an empty
 * condition, a stray character, a missing operand or ')', an unknown function, a chained comparison,
 * a function argument that is not a family name, input after the end); CS_ENOMEM. */
int expr_parse(const char *text, size_t len, expr **out, expr_error *err);

/* The caller's name table: puts name's slot (0 <= slot < the caller's column count) in *slot and
 * returns 1, or returns 0 when it does not know the name. */
typedef int (*expr_resolve_fn)(void *arg, const char *name, size_t *slot);

/* Resolves every name of e (a family F as F_m1, F_m2, F_m3). CS_EDATA with *err at the first name
 * fn does not know ("unknown indicator 'x'", "unknown indicator family 'x' (x_m1..x_m3)"); the slots
 * of an earlier call are replaced. */
int expr_bind(expr *e, expr_resolve_fn fn, void *arg, expr_error *err);

/* The names e mentions, in text order (families once each, as written), each with its offset; for
 * a caller checking what the names depend on (tag references, cycles). */
size_t expr_n_names(const expr *e);
const char *expr_name(const expr *e, size_t k, size_t *offset);

/* After expr_bind: out[i] = the value of e on row i, where slot s's value on row i is cols[s][i]. */
void expr_eval(const expr *e, const double *const *cols, size_t n, double *out);

/* ---- where conditions (`churnscore select --where`, issue 16) ----
 * The same language and the same evaluator, with what a condition over a list's columns needs:
 *   a = b              '=' is '==' (SQL's habit; the tag rules keep '==')
 *   'text'  "text"     a text in quotes (no escapes: a text holding ' is written in "")
 *   河南                words may be UTF-8, so a name of a region, area or brand needs no quotes
 *   a in (v1, v2)      a = v1 or a = v2;  a not in (...): a != v1 and a != v2
 *   tags has KEY       the row has that tag (KEY a word or a quoted text)
 * Names are of three kinds, which the caller says (expr_where_names.name): numbers (indicators),
 * names of names (region, brand, phase: compared only with = != in against values: a word or a
 * quoted text, which the caller turns into its code), and grades (numbers that also have names:
 * tier = 1, tier = gold). Checked at binding, each with its column: an unknown name, a value that
 * does not exist (no region '湖南'), a name of names compared with a number, an order or a
 * calculation, a text compared with a number; a parse error (an unclosed quote, a ',' outside a
 * list) at parsing. Evaluation is numeric throughout: a name of names is its code column. */
enum { EXPR_KIND_NUMBER = 0, EXPR_KIND_NAMES = 1, EXPR_KIND_GRADE = 2 };

typedef struct {
    /* name: 1 with *slot and *kind (EXPR_KIND_*) when the caller knows it; 0 when not, why may say
     * more ("the snapshot has no areas", what names exist): at most cap bytes, NUL-terminated. */
    int (*name)(void *arg, const char *name, size_t *slot, int *kind, char *why, size_t cap);
    /* value: the code of value for name (a name of names or a grade): 1 with *code; 0 (why) */
    int (*value)(void *arg, const char *name, const char *value, double *code, char *why, size_t cap);
    /* tag: the slot of the 0/1 column of the tag key (or label): 1; 0 (why) */
    int (*tag)(void *arg, const char *key, size_t *slot, char *why, size_t cap);
} expr_where_names;

/* Parses a where condition (the dialect above): errors as expr_parse's, and an unclosed quote, a
 * word after 'tags' other than 'has', 'in' without a list. CS_EDATA, CS_ENOMEM. */
int expr_parse_where(const char *text, size_t len, expr **out, expr_error *err);

/* Binds a condition of expr_parse_where through t; CS_EDATA with *err at the leftmost error (the
 * checks above). CS_ENOMEM. A condition of expr_parse is bound with expr_bind, and one of
 * expr_parse_where only here (expr_bind refuses it: CS_EINVAL). */
int expr_bind_where(expr *e, const expr_where_names *t, void *arg, expr_error *err);

/* 1 when v reads as true: neither 0 nor NaN. */
int expr_true(double v);

void expr_free(expr *e); /* accepts NULL */

#endif
