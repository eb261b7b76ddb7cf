/* expr_where.c — binding a where condition (expr_bind_where, expr.h): what each word of a `select
 * --where` is (an indicator, a list column, a name such as region, a grade), which values a name is
 * compared with (a quoted text or a word becomes that name's code), and the errors a user makes, the
 * leftmost first, each with its line and column. The parser and evaluator are expr.c's. */
#include "expr.h"

#include "expr_int.h"
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const expr *e;
    expr_error *err;
    int failed;
} expr_wbind;

/* Keeps the leftmost error: the one a reader meets first, whatever order the nodes are checked in. */
static void wfail(expr_wbind *w, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void wfail(expr_wbind *w, size_t off, const char *fmt, ...)
{
    if (w->failed && w->err->offset <= off) return;
    w->failed = 1;
    w->err->offset = off;
    expr_locate(w->e->text, off, &w->err->line, &w->err->column);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err->message, sizeof w->err->message, fmt, ap);
    va_end(ap);
}

/* The text a value node stands for: a quoted text, or a word read as a value. */
static const char *expr_value_text(const expr *e, const expr_node *x)
{
    return x->op == N_STR ? e->lits[x->name].text : e->names[x->name].text;
}

static int is_cmp(int op) { return op >= N_LT && op <= N_NE; }

/* Where an operand starts in the text: its leftmost token (a binary node's own is its operator). */
static size_t expr_start(const expr *e, size_t at)
{
    const expr_node *x = &e->node[at];
    while (x->op >= N_ADD && x->op <= N_OR && x->op != N_NOT) x = &e->node[x->a];
    return x->at;
}

/* One side of a comparison whose other side is a name of kind EXPR_KIND_NAMES or EXPR_KIND_GRADE:
 * a quoted text or a word becomes that name's value (its code). */
static void expr_bind_value(expr_wbind *w, const expr_where_names *t, void *arg, expr_node *nm, expr_node *x,
                            int op)
{
    const expr *e = w->e;
    const char *name = e->names[nm->name].text;
    if (x->op == N_NUM) {
        if (nm->kind == EXPR_KIND_NAMES)
            wfail(w, x->at, "%s is compared with a number, but it holds names: write %s = NAME (a word, or a "
                  "text in quotes)", name, name);
        return;
    }
    if (x->op != N_STR && x->op != N_NAME) {
        if (nm->kind == EXPR_KIND_NAMES)
            wfail(w, expr_start(e, (size_t)(x - e->node)), "%s holds names: compare it with a name (%s = NAME), "
                  "not a calculation", name, name);
        return;
    }
    if (x->op == N_NAME && nm->kind == EXPR_KIND_GRADE && x->kind >= 0 && x->kind != EXPR_KIND_NAMES) return;
    if (nm->kind == EXPR_KIND_NAMES && op != N_EQ && op != N_NE) {
        wfail(w, nm->at, "%s holds names: compare it with = or != (or in (...)), not an order", name);
        return;
    }
    char why[160] = "";
    double code;
    if (!t->value(arg, name, expr_value_text(e, x), &code, why, sizeof why)) {
        wfail(w, x->at, "no %s '%s'%s%s", name, expr_value_text(e, x), *why ? ": " : "", why);
        return;
    }
    x->value = 1;
    x->num = code;
}

int expr_bind_where(expr *e, const expr_where_names *t, void *arg, expr_error *err)
{
    memset(err, 0, sizeof *err);
    e->bound = 0;
    expr_wbind w = {.e = e, .err = err};
    char why[160];
    /* the names first: what each word is, where the caller knows it */
    for (size_t i = 0; i < e->n; i++) {
        expr_node *x = &e->node[i];
        x->kind = -1;
        x->value = 0;
        if (x->op == N_NAME) {
            int kind = EXPR_KIND_NUMBER;
            why[0] = '\0';
            if (t->name(arg, e->names[x->name].text, &x->slot[0], &kind, why, sizeof why)) x->kind = kind;
        } else if (x->op >= N_MEAN && x->op <= N_CHANGE) {
            const expr_name_ref *nr = &e->names[x->name];
            for (int m = 0; m < 3; m++) {
                char buf[EXPR_MAX_NAME + 8];
                snprintf(buf, sizeof buf, "%s_m%d", nr->text, m + 1);
                int kind = EXPR_KIND_NUMBER;
                if (!t->name(arg, buf, &x->slot[m], &kind, why, sizeof why) || kind != EXPR_KIND_NUMBER) {
                    wfail(&w, nr->offset, "unknown indicator family '%s' (needs %s_m1, %s_m2 and %s_m3; no %s)",
                          nr->text, nr->text, nr->text, nr->text, buf);
                    break;
                }
            }
        } else if (x->op == N_HAS) {
            why[0] = '\0';
            if (!t->tag(arg, e->lits[x->name].text, &x->slot[0], why, sizeof why))
                wfail(&w, x->at, "no tag '%s'%s%s", e->lits[x->name].text, *why ? ": " : "", why);
        }
    }
    /* the comparisons: a side facing a name of names is that name's value */
    for (size_t i = 0; i < e->n; i++) {
        expr_node *x = &e->node[i];
        if (!is_cmp(x->op)) continue;
        expr_node *a = &e->node[x->a], *b = &e->node[x->b];
        int an = a->op == N_NAME && (a->kind == EXPR_KIND_NAMES || a->kind == EXPR_KIND_GRADE);
        int bn = b->op == N_NAME && (b->kind == EXPR_KIND_NAMES || b->kind == EXPR_KIND_GRADE);
        if (an && bn && a->kind == EXPR_KIND_NAMES && b->kind == EXPR_KIND_NAMES) {
            /* region = brand: the right side may still be a word that names a value */
            expr_bind_value(&w, t, arg, a, b, x->op);
            continue;
        }
        if (an) expr_bind_value(&w, t, arg, a, b, x->op);
        else if (bn) expr_bind_value(&w, t, arg, b, a, x->op);
        else if (a->op == N_STR || b->op == N_STR) {
            /* suspended_arrears = 'yes': a text against a number */
            const expr_node *str = a->op == N_STR ? a : b, *other = a->op == N_STR ? b : a;
            if (other->op == N_NAME && other->kind == EXPR_KIND_NUMBER)
                wfail(&w, str->at, "'%s' is a text, but %s holds numbers: compare it with a number",
                      e->lits[str->name].text, e->names[other->name].text);
            else if (other->op != N_STR && other->op != N_NAME)
                wfail(&w, str->at, "'%s' is a text compared with a number", e->lits[str->name].text);
        }
    }
    /* what is left: unknown words, texts and names of names in the wrong place */
    char *direct = calloc(e->n ? e->n : 1, 1); /* 1: a direct side of a comparison */
    if (!direct) return CS_ERROR(CS_ENOMEM, "out of memory for a condition");
    for (size_t i = 0; i < e->n; i++)
        if (is_cmp(e->node[i].op)) direct[e->node[i].a] = direct[e->node[i].b] = 1;
    for (size_t i = 0; i < e->n; i++) {
        expr_node *x = &e->node[i];
        if (x->value) continue;
        if (x->op == N_STR) {
            wfail(&w, x->at, "'%s' is a text: only a name that holds names (region, area, brand, stage, phase, "
                  "queue, grade) compares with a text", e->lits[x->name].text);
        } else if (x->op == N_NAME && x->kind < 0) {
            why[0] = '\0';
            size_t slot;
            int kind;
            t->name(arg, e->names[x->name].text, &slot, &kind, why, sizeof why);
            wfail(&w, x->at, "unknown name '%s'%s%s", e->names[x->name].text, *why ? ": " : "", why);
        } else if (x->op == N_NAME && x->kind == EXPR_KIND_NAMES && !direct[i]) {
            const char *nm = e->names[x->name].text;
            wfail(&w, x->at, "%s holds names: compare it (%s = NAME), it is no number or condition itself", nm, nm);
        }
    }
    for (size_t i = 0; i < e->n; i++) {
        const expr_node *x = &e->node[i];
        if (!is_cmp(x->op)) continue;
        const expr_node *a = &e->node[x->a], *b = &e->node[x->b];
        /* two names of names, or a name of names against a number-valued name */
        if (a->op == N_NAME && a->kind == EXPR_KIND_NAMES && !b->value && b->kind >= 0)
            wfail(&w, b->at, "%s holds names: compare it with a name, not with %s", e->names[a->name].text,
                  e->names[b->name].text);
        else if (b->op == N_NAME && b->kind == EXPR_KIND_NAMES && !a->value && a->kind >= 0)
            wfail(&w, a->at, "%s holds names: compare it with a name, not with %s", e->names[b->name].text,
                  e->names[a->name].text);
    }
    free(direct);
    if (w.failed) return CS_ERROR(CS_EDATA, "%s", err->message);
    e->bound = 1;
    return CS_OK;
}
