/* tagconf.h — the tag rule file (jobs/tags.conf): customer tags and value grades a site edits.
 *
 * Seed 004 (Henan Mobile) pushes tags to the front line — VIP, group key person, complaint-prone,
 * dissatisfied replier, new-business preference, family business, e-channel preference, negative
 * value, identity customer — each with a suggested channel and wording, and grades customers into
 * five grades by contribution and identity (issue 17). The rules live in a text file the operator
 * changes without a new build (the shipped one is also built into the binary, as the playbook is):
 * `tag` blocks (key, Chinese and English labels, a condition in the language of model/expr.h, a
 * channel, the wording in both languages, optionally `optional` and a `needs` note), `grade` lines
 * (names, and optionally the contribution thresholds), a `cost` line (the indicator that makes
 * contribution ARPU minus cost) and `lift` lines (identity tags that lift a customer to grade 1).
 * tagconf_parse checks everything that does not need a snapshot (syntax, duplicate keys, tags
 * naming unknown or cyclic tags, grades); tagconf_bind matches the conditions to a snapshot's
 * indicators and hands back the per-row evaluator (model/tageval.h). Every error names
 * file:line:column. Format: docs/formats.md, "The tag rules".
 */
#ifndef CS_TAGCONF_H
#define CS_TAGCONF_H

#include "expr.h"
#include "lang.h"
#include "tageval.h"

#include <stddef.h>

#define TAGCONF_MAX_KEY 32
#define TAGCONF_MAX_LABEL 128
#define TAGCONF_MAX_TEXT 400

typedef struct {
    char key[TAGCONF_MAX_KEY + 1];
    char label[LANG_N][TAGCONF_MAX_LABEL + 1];
    char say[LANG_N][TAGCONF_MAX_TEXT + 1];  /* the suggested wording */
    char when[1024];                         /* the condition's text */
    char needs[TAGCONF_MAX_TEXT + 1];        /* what the rule needs from a snapshot ("" when not said) */
    int channel;                             /* PB_* of io/playbook.h */
    int optional;                            /* skipped with a notice when an indicator is missing */
    size_t line, when_line, when_col;        /* the tag line; where the condition starts */
    expr *cond;
    /* after tagconf_bind: */
    int active;                              /* 0: skipped (optional, unknown indicator) */
    int bit;                                 /* its bit in /subscribers/tags, -1 when skipped */
    char note[512];                          /* why it was skipped */
} tagconf_tag;

typedef struct {
    char name[256];                          /* the file name messages use */
    size_t n;
    tagconf_tag tag[TAGEVAL_MAX_TAGS];
    size_t order[TAGEVAL_MAX_TAGS];          /* a tag after the tags it names */
    char grade_name[LANG_N][TAGEVAL_N_GRADES][65];
    int thresholds;                          /* grade lines gave the least contribution of grades 1..4 */
    double grade_min[TAGEVAL_N_GRADES - 1];
    char cost[128];                          /* the cost indicator ("" without a cost line) */
    size_t cost_line;
    size_t n_lift;
    size_t lift[TAGEVAL_MAX_TAGS];           /* tags (indices) that lift to grade 1 */
    /* after tagconf_bind: */
    long cost_col[3];                        /* cost_m1..3 columns (-1 absent), or cost_col[0] alone */
    int cost_family;                         /* 1: mean of the present months; 0: one column */
    int has_cost;
    uint64_t lift_bits;                      /* the bits of the active lift tags */
} tagconf;

/* Parses text[0..len) (name for messages). *out is malloc'd (tagconf_free). CS_EDATA naming
 * "name:line:column": an unknown line kind or field, a field outside a tag, a missing or repeated
 * field, a bad key, label or text, an unknown channel, a condition's syntax error (model/expr.h), a
 * duplicate tag key, a cycle through tags ("tag a depends on itself: a -> b -> a"), more than 64
 * tags, a lift naming no tag, a bad grade line (number, names, a threshold that is not a number or
 * rises, thresholds on some grades only). CS_ENOMEM. */
int tagconf_parse(const char *text, size_t len, const char *name, tagconf **out);
int tagconf_read(const char *path, tagconf **out);  /* CS_EIO when unreadable, then tagconf_parse's */
int tagconf_builtin(tagconf **out);                /* jobs/tags.conf as built */
void tagconf_free(tagconf *tc);                    /* accepts NULL */

/* Binds every tag to a snapshot's indicators names[0..p): a name is a tag key first, then an
 * indicator. An unknown indicator in a tag not marked optional is CS_EDATA at its file:line:column;
 * an optional tag (and a tag that names a skipped tag, when optional too) is skipped, its note says
 * why. The cost indicator: COST_m1..3 (mean of the present months) or a column COST; absent, the
 * contribution is ARPU. *out (tageval_free) evaluates blocks of up to rows rows. CS_ENOMEM. */
int tagconf_bind(tagconf *tc, const char *const *names, size_t p, size_t rows, tageval **out);

/* The cost of a row after tagconf_bind (NaN when unknown or without a cost indicator). */
double tagconf_cost(const tagconf *tc, const float *row);

/* The active tags' labels of bits in lang, joined by sep, into buf (always NUL-terminated). */
void tagconf_labels(const tagconf *tc, uint64_t bits, cs_lang lang, const char *sep, char *buf, size_t cap);

/* Active tag with bit b (NULL when none). */
const tagconf_tag *tagconf_by_bit(const tagconf *tc, int b);
size_t tagconf_n_active(const tagconf *tc);

/* A grade's name in lang ("" for grade 0 in zh and en: "unknown"/"未知"). */
const char *tagconf_grade_name(const tagconf *tc, int grade, cs_lang lang);

/* The grade of a name in either language, or a number "0".."5"; -1 when neither. */
int tagconf_grade_of(const tagconf *tc, const char *s);

#endif
