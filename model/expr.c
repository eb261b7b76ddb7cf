/* expr.c — the condition language: tokenizer, recursive-descent parser, binder of tag rules, evaluator
 * (expr.h; where conditions are bound in expr_where.c).
 *
 * The tree is a flat array of nodes (children by index), so freeing is one call and evaluation walks
 * no pointers it did not allocate. Nesting is bounded (EXPR_MAX_DEPTH) so that a hostile rule file
 * cannot overflow the stack of the parser or of the evaluator.
 */
#include "expr.h"

#include "expr_int.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPR_MAX_DEPTH 64

/* ---- tokens ---- */

enum { T_END, T_NUM, T_NAME, T_LP, T_RP, T_OP, T_STR, T_COMMA };

typedef struct {
    const char *s;
    size_t len, pos;     /* the text and the next unread byte */
    int tok;             /* the current token */
    size_t tpos, tlen;   /* its offset and length */
    double num;
    int op;              /* T_OP: N_ADD .. N_NE */
    size_t sbeg, slen;   /* T_STR: the text between the quotes */
    size_t nbeg, nlen;   /* T_NAME: the name's text (inside the backquotes of `a name`) */
    int quoted;          /* T_NAME written in backquotes */
    expr *e;
    expr_error *err;
    int depth;
    int where;           /* the where dialect: '=', quoted texts, UTF-8 words, in (...), tags has */
} expr_parser;

void expr_locate(const char *s, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            (*line)++;
            *col = 1;
        } else if ((c & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

static int expr_fail(const char *s, expr_error *err, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int expr_fail(const char *s, expr_error *err, size_t off, const char *fmt, ...)
{
    err->offset = off;
    expr_locate(s, off, &err->line, &err->column);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return CS_ERROR(CS_EDATA, "%s", err->message);
}

/* The length of the valid UTF-8 sequence at s[i] (2 to 4 bytes), or 0. */
static size_t expr_utf8_len(const char *str, size_t len, size_t i)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[i], cp, min;
    size_t n;
    if ((c & 0xe0) == 0xc0) n = 2, cp = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0) n = 3, cp = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0) n = 4, cp = c & 0x07, min = 0x10000;
    else return 0;
    if (i + n > len) return 0;
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

static int is_name0(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_name1(char c) { return is_name0(c) || (c >= '0' && c <= '9'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int expr_next(expr_parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
                               p->s[p->pos] == '\r'))
        p->pos++;
    p->tpos = p->pos;
    if (p->pos >= p->len) {
        p->tok = T_END;
        p->tlen = 0;
        return CS_OK;
    }
    const char *s = p->s;
    size_t i = p->pos;
    char c = s[i];
    if (is_digit(c) || (c == '.' && i + 1 < p->len && is_digit(s[i + 1]))) {
        /* digits [. digits] [e [+-] digits]: scanned here, converted by strtod (correctly rounded) */
        size_t k = i;
        while (k < p->len && is_digit(s[k])) k++;
        if (k < p->len && s[k] == '.') {
            k++;
            while (k < p->len && is_digit(s[k])) k++;
        }
        if (k < p->len && (s[k] == 'e' || s[k] == 'E')) {
            size_t m = k + 1;
            if (m < p->len && (s[m] == '+' || s[m] == '-')) m++;
            if (m < p->len && is_digit(s[m])) {
                while (m < p->len && is_digit(s[m])) m++;
                k = m;
            }
        }
        if (k < p->len && is_name0(s[k]))
            return expr_fail(s, p->err, k, "a number followed by '%c'", s[k]);
        char buf[64];
        if (k - i >= sizeof buf) return expr_fail(s, p->err, i, "a number of over 63 characters");
        memcpy(buf, s + i, k - i);
        buf[k - i] = '\0';
        errno = 0;
        p->num = strtod(buf, NULL);
        if (errno == ERANGE && isinf(p->num)) return expr_fail(s, p->err, i, "number %s out of range", buf);
        p->tok = T_NUM;
        p->tlen = k - i;
        p->pos = k;
        return CS_OK;
    }
    if (is_name0(c) || (p->where && (unsigned char)c >= 0x80)) {
        /* a where condition's words may be UTF-8 (region = 河南): each sequence checked, so that the
         * columns of later errors count characters right */
        size_t k = i;
        for (;;) {
            if (k < p->len && is_name1(s[k])) {
                k++;
                continue;
            }
            if (!p->where || k >= p->len || (unsigned char)s[k] < 0x80) break;
            size_t m = expr_utf8_len(s, p->len, k);
            if (!m) return expr_fail(s, p->err, k, "invalid UTF-8 (byte 0x%02x)", (unsigned char)s[k]);
            k += m;
        }
        if (k - i > EXPR_MAX_NAME) return expr_fail(s, p->err, i, "a name of over %d bytes", EXPR_MAX_NAME);
        p->tok = T_NAME;
        p->tlen = k - i;
        p->pos = k;
        p->nbeg = i;
        p->nlen = k - i;
        p->quoted = 0;
        return CS_OK;
    }
    if (p->where && c == '`') {
        /* `plan=5G`: an indicator whose name is no word (import names a category's levels
         * column=level); never a keyword */
        size_t k = i + 1;
        while (k < p->len && s[k] != '`' && s[k] != '\n') k++;
        if (k >= p->len || s[k] != '`')
            return expr_fail(s, p->err, i, "the backquote opened here is never closed (`a name`)");
        if (k == i + 1) return expr_fail(s, p->err, i, "an empty name in backquotes");
        if (k - i - 1 > EXPR_MAX_NAME) return expr_fail(s, p->err, i, "a name of over %d bytes", EXPR_MAX_NAME);
        p->tok = T_NAME;
        p->tlen = k + 1 - i;
        p->pos = k + 1;
        p->nbeg = i + 1;
        p->nlen = k - i - 1;
        p->quoted = 1;
        return CS_OK;
    }
    if (p->where && (c == '\'' || c == '"')) {
        /* a quoted text runs to the same quote; no escapes: a text holding ' is written in "" */
        size_t k = i + 1;
        while (k < p->len && s[k] != c) {
            if ((unsigned char)s[k] >= 0x80) {
                size_t m = expr_utf8_len(s, p->len, k);
                if (!m) return expr_fail(s, p->err, k, "invalid UTF-8 (byte 0x%02x)", (unsigned char)s[k]);
                k += m;
            } else {
                k++;
            }
        }
        if (k >= p->len)
            return expr_fail(s, p->err, i, "the quote %c opened here is never closed (a text runs from one %c to "
                             "the next)", c, c);
        p->tok = T_STR;
        p->sbeg = i + 1;
        p->slen = k - i - 1;
        p->tlen = k + 1 - i;
        p->pos = k + 1;
        return CS_OK;
    }
    p->tlen = 1;
    p->pos = i + 1;
    char d = i + 1 < p->len ? s[i + 1] : '\0';
    if (p->where && c == ',') {
        p->tok = T_COMMA;
        return CS_OK;
    }
    if (p->where && c == '=' && d != '=') {
        p->tok = T_OP;
        p->op = N_EQ;
        return CS_OK;
    }
    switch (c) {
    case '(': p->tok = T_LP; return CS_OK;
    case ')': p->tok = T_RP; return CS_OK;
    case '+': p->tok = T_OP; p->op = N_ADD; return CS_OK;
    case '-': p->tok = T_OP; p->op = N_SUB; return CS_OK;
    case '*': p->tok = T_OP; p->op = N_MUL; return CS_OK;
    case '/': p->tok = T_OP; p->op = N_DIV; return CS_OK;
    case '<':
    case '>':
        p->tok = T_OP;
        p->op = c == '<' ? (d == '=' ? N_LE : N_LT) : (d == '=' ? N_GE : N_GT);
        if (d == '=') p->pos++, p->tlen = 2;
        return CS_OK;
    case '=':
    case '!':
        if (d == '=') {
            p->tok = T_OP;
            p->op = c == '=' ? N_EQ : N_NE;
            p->pos++;
            p->tlen = 2;
            return CS_OK;
        }
        return expr_fail(s, p->err, i, "'%c' alone: write '%c=' (== equal, != not equal)", c, c);
    default:
        if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
            return expr_fail(s, p->err, i, "an unexpected character (byte 0x%02x)", (unsigned char)c);
        return expr_fail(s, p->err, i, "an unexpected character '%c'", c);
    }
}

static int tok_is_word(const expr_parser *p, const char *w)
{
    return p->tok == T_NAME && p->tlen == strlen(w) && memcmp(p->s + p->tpos, w, p->tlen) == 0;
}

/* ---- the tree ---- */

static int expr_add(expr_parser *p, int op, size_t a, size_t b, size_t where, size_t *at)
{
    expr *e = p->e;
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 16;
        expr_node *nn = realloc(e->node, cap * sizeof *nn);
        if (!nn) return CS_ERROR(CS_ENOMEM, "out of memory for a condition");
        e->node = nn;
        e->cap = cap;
    }
    expr_node *x = &e->node[e->n];
    memset(x, 0, sizeof *x);
    x->op = op;
    x->a = a;
    x->b = b;
    x->at = where;
    x->kind = -1;
    *at = e->n++;
    return CS_OK;
}

/* Appends text s[off, off+len) to a name table (names, or the where condition's literals). */
static int expr_add_ref(expr_name_ref **tab, size_t *n, const char *s, size_t off, size_t len, int family,
                        size_t *idx)
{
    expr_name_ref *nr = realloc(*tab, (*n + 1) * sizeof *nr);
    if (!nr) return CS_ERROR(CS_ENOMEM, "out of memory for a condition");
    *tab = nr;
    char *t = malloc(len + 1);
    if (!t) return CS_ERROR(CS_ENOMEM, "out of memory for a condition");
    memcpy(t, s + off, len);
    t[len] = '\0';
    nr[*n] = (expr_name_ref){t, off, family};
    *idx = (*n)++;
    return CS_OK;
}

/* The current token's name (its text without backquotes), located at the token. */
static int expr_add_name(expr_parser *p, size_t nbeg, size_t nlen, size_t at, int family, size_t *idx)
{
    CS_TRY(expr_add_ref(&p->e->names, &p->e->n_names, p->s, nbeg, nlen, family, idx));
    p->e->names[*idx].offset = at;
    return CS_OK;
}

static int expr_add_lit(expr_parser *p, size_t off, size_t len, size_t *idx)
{
    return expr_add_ref(&p->e->lits, &p->e->n_lits, p->s, off, len, 0, idx);
}

static int parse_or(expr_parser *p, size_t *at);

static const char *tok_what(const expr_parser *p)
{
    switch (p->tok) {
    case T_END: return "the end of the condition";
    case T_RP: return "')'";
    case T_OP: return "an operator";
    case T_STR: return "a quoted text";
    case T_COMMA: return "','";
    default: return "this";
    }
}

static int parse_primary(expr_parser *p, size_t *at)
{
    if (p->tok == T_NUM) {
        CS_TRY(expr_add(p, N_NUM, 0, 0, p->tpos, at));
        p->e->node[*at].num = p->num;
        return expr_next(p);
    }
    if (p->tok == T_LP) {
        size_t open = p->tpos;
        if (++p->depth > EXPR_MAX_DEPTH)
            return expr_fail(p->s, p->err, p->tpos, "nested over %d levels", EXPR_MAX_DEPTH);
        CS_TRY(expr_next(p));
        CS_TRY(parse_or(p, at));
        p->depth--;
        if (p->tok != T_RP) {
            size_t line, col;
            expr_locate(p->s, open, &line, &col);
            return expr_fail(p->s, p->err, p->tpos, "expected ')' to close the '(' at column %zu, found %s", col,
                             tok_what(p));
        }
        return expr_next(p);
    }
    if (p->tok == T_STR) {
        size_t idx;
        CS_TRY(expr_add_lit(p, p->sbeg, p->slen, &idx));
        CS_TRY(expr_add(p, N_STR, 0, 0, p->tpos, at));
        p->e->node[*at].name = idx;
        return expr_next(p);
    }
    if (p->tok == T_NAME) {
        if (tok_is_word(p, "and") || tok_is_word(p, "or") ||
            (p->where && (tok_is_word(p, "in") || tok_is_word(p, "has"))))
            return expr_fail(p->s, p->err, p->tpos, "expected a value before '%.*s'", (int)p->tlen, p->s + p->tpos);
        size_t off = p->tpos, nbeg = p->nbeg, nlen = p->nlen;
        int quoted = p->quoted;
        int tags = p->where && tok_is_word(p, "tags");
        CS_TRY(expr_next(p));
        if (tags) {
            /* tags has KEY: a row's tags are a set, so membership is its one question */
            if (!tok_is_word(p, "has"))
                return expr_fail(p->s, p->err, off, "tags is a set: ask 'tags has KEY' (a tag's key or label)");
            CS_TRY(expr_next(p));
            if (p->tok != T_NAME && p->tok != T_STR)
                return expr_fail(p->s, p->err, p->tpos, "expected a tag's key or label after 'tags has', found %s",
                                 tok_what(p));
            size_t idx;
            if (p->tok == T_STR) CS_TRY(expr_add_lit(p, p->sbeg, p->slen, &idx));
            else CS_TRY(expr_add_lit(p, p->nbeg, p->nlen, &idx));
            p->e->lits[idx].offset = p->tpos;
            CS_TRY(expr_add(p, N_HAS, 0, 0, p->tpos, at));
            p->e->node[*at].name = idx;
            return expr_next(p);
        }
        if (p->tok != T_LP) {
            size_t idx;
            CS_TRY(expr_add_name(p, nbeg, nlen, off, 0, &idx));
            CS_TRY(expr_add(p, N_NAME, 0, 0, off, at));
            p->e->node[*at].name = idx;
            return CS_OK;
        }
        static const char *const fn[4] = {"mean", "min", "max", "change"};
        int op = -1;
        for (int k = 0; k < 4; k++)
            if (!quoted && nlen == strlen(fn[k]) && memcmp(p->s + nbeg, fn[k], nlen) == 0) op = N_MEAN + k;
        if (op < 0)
            return expr_fail(p->s, p->err, off, "unknown function '%.*s' (mean, min, max or change of a family)",
                             (int)nlen, p->s + nbeg);
        CS_TRY(expr_next(p));
        if (p->tok != T_NAME || tok_is_word(p, "and") || tok_is_word(p, "or") || tok_is_word(p, "not"))
            return expr_fail(p->s, p->err, p->tpos, "%s() takes the name of an indicator family (e.g. "
                             "%s(arpu) for arpu_m1..arpu_m3)", fn[op - N_MEAN], fn[op - N_MEAN]);
        size_t idx;
        CS_TRY(expr_add_name(p, p->nbeg, p->nlen, p->tpos, 1, &idx));
        CS_TRY(expr_next(p));
        if (p->tok != T_RP)
            return expr_fail(p->s, p->err, p->tpos, "expected ')' after the family name, found %s", tok_what(p));
        CS_TRY(expr_add(p, op, 0, 0, off, at));
        p->e->node[*at].name = idx;
        return expr_next(p);
    }
    return expr_fail(p->s, p->err, p->tpos, "expected a value (a number, a name, a function or '('), found %s",
                     tok_what(p));
}

static int parse_unary(expr_parser *p, size_t *at)
{
    if (p->tok == T_OP && p->op == N_SUB) {
        size_t pos = p->tpos;
        if (++p->depth > EXPR_MAX_DEPTH)
            return expr_fail(p->s, p->err, p->tpos, "nested over %d levels", EXPR_MAX_DEPTH);
        CS_TRY(expr_next(p));
        size_t a;
        CS_TRY(parse_unary(p, &a));
        p->depth--;
        return expr_add(p, N_NEG, a, 0, pos, at);
    }
    return parse_primary(p, at);
}

static int parse_binary(expr_parser *p, size_t *at, int lo, int hi, int (*sub)(expr_parser *, size_t *))
{
    size_t a;
    CS_TRY(sub(p, &a));
    while (p->tok == T_OP && p->op >= lo && p->op <= hi) {
        int op = p->op;
        size_t pos = p->tpos;
        CS_TRY(expr_next(p));
        size_t b;
        CS_TRY(sub(p, &b));
        CS_TRY(expr_add(p, op, a, b, pos, &a));
    }
    *at = a;
    return CS_OK;
}

static int parse_mul(expr_parser *p, size_t *at) { return parse_binary(p, at, N_MUL, N_DIV, parse_unary); }
static int parse_add(expr_parser *p, size_t *at) { return parse_binary(p, at, N_ADD, N_SUB, parse_mul); }

/* a in (v1, v2, ...) is a = v1 or a = v2 ...; a not in (...) is a != v1 and a != v2 ... (the node of
 * a shared: evaluation is pure). The where dialect only. */
static int parse_in(expr_parser *p, size_t a, int negated, size_t *at)
{
    size_t in_pos = p->tpos;
    CS_TRY(expr_next(p));
    if (p->tok != T_LP)
        return expr_fail(p->s, p->err, p->tpos, "expected '(' after 'in' (in (v1, v2)), found %s", tok_what(p));
    size_t open = p->tpos;
    CS_TRY(expr_next(p));
    size_t acc = 0;
    for (int first = 1;; first = 0) {
        size_t pos = p->tpos, b, c;
        CS_TRY(parse_add(p, &b));
        CS_TRY(expr_add(p, negated ? N_NE : N_EQ, a, b, pos, &c));
        if (first) acc = c;
        else CS_TRY(expr_add(p, negated ? N_AND : N_OR, acc, c, in_pos, &acc));
        if (p->tok == T_COMMA) {
            CS_TRY(expr_next(p));
            continue;
        }
        if (p->tok == T_RP) break;
        size_t line, col;
        expr_locate(p->s, open, &line, &col);
        return expr_fail(p->s, p->err, p->tpos, "expected ',' or ')' in the list of the '(' at column %zu, found %s",
                         col, tok_what(p));
    }
    *at = acc;
    return expr_next(p);
}

static int parse_cmp(expr_parser *p, size_t *at)
{
    size_t a;
    CS_TRY(parse_add(p, &a));
    if (p->where && tok_is_word(p, "in")) return parse_in(p, a, 0, at);
    if (p->where && tok_is_word(p, "not")) {
        size_t not_pos = p->tpos;
        CS_TRY(expr_next(p));
        if (!tok_is_word(p, "in"))
            return expr_fail(p->s, p->err, not_pos, "'not' here must be 'not in (...)'; a negation goes first: "
                             "not (a = b)");
        return parse_in(p, a, 1, at);
    }
    if (p->tok == T_OP && p->op >= N_LT && p->op <= N_NE) {
        int op = p->op;
        size_t pos = p->tpos;
        CS_TRY(expr_next(p));
        size_t b;
        CS_TRY(parse_add(p, &b));
        if (p->tok == T_OP && p->op >= N_LT && p->op <= N_NE)
            return expr_fail(p->s, p->err, p->tpos, "comparisons do not chain: write 'a < b and b < c'");
        return expr_add(p, op, a, b, pos, at);
    }
    *at = a;
    return CS_OK;
}

static int parse_not(expr_parser *p, size_t *at)
{
    if (tok_is_word(p, "not")) {
        size_t pos = p->tpos;
        if (++p->depth > EXPR_MAX_DEPTH)
            return expr_fail(p->s, p->err, p->tpos, "nested over %d levels", EXPR_MAX_DEPTH);
        CS_TRY(expr_next(p));
        size_t a;
        CS_TRY(parse_not(p, &a));
        p->depth--;
        return expr_add(p, N_NOT, a, 0, pos, at);
    }
    return parse_cmp(p, at);
}

static int parse_word_chain(expr_parser *p, size_t *at, const char *word, int op, int (*sub)(expr_parser *, size_t *))
{
    size_t a;
    CS_TRY(sub(p, &a));
    while (tok_is_word(p, word)) {
        size_t pos = p->tpos;
        CS_TRY(expr_next(p));
        size_t b;
        CS_TRY(sub(p, &b));
        CS_TRY(expr_add(p, op, a, b, pos, &a));
    }
    *at = a;
    return CS_OK;
}

static int parse_and(expr_parser *p, size_t *at) { return parse_word_chain(p, at, "and", N_AND, parse_not); }
static int parse_or(expr_parser *p, size_t *at) { return parse_word_chain(p, at, "or", N_OR, parse_and); }

static int expr_parse_as(const char *text, size_t len, int where, expr **out, expr_error *err)
{
    *out = NULL;
    memset(err, 0, sizeof *err);
    expr *e = calloc(1, sizeof *e);
    if (!e) return CS_ERROR(CS_ENOMEM, "out of memory for a condition");
    e->text = malloc(len + 1);
    if (!e->text) {
        free(e);
        return CS_ERROR(CS_ENOMEM, "out of memory for a condition");
    }
    memcpy(e->text, text, len);
    e->text[len] = '\0';
    e->where = where;
    expr_parser p = {.s = text, .len = len, .e = e, .err = err, .where = where};
    int rc = expr_next(&p);
    if (rc == CS_OK && p.tok == T_END) rc = expr_fail(text, err, p.tpos, "an empty condition");
    if (rc == CS_OK) rc = parse_or(&p, &e->root);
    if (rc == CS_OK && p.tok != T_END) {
        if (p.tok == T_RP) rc = expr_fail(text, err, p.tpos, "a ')' without its '('");
        else rc = expr_fail(text, err, p.tpos, "expected an operator (and, or, a comparison, + - * /) before "
                            "'%.*s'", (int)p.tlen, text + p.tpos);
    }
    if (rc != CS_OK) {
        expr_free(e);
        return rc;
    }
    *out = e;
    return CS_OK;
}

int expr_parse(const char *text, size_t len, expr **out, expr_error *err)
{
    return expr_parse_as(text, len, 0, out, err);
}

int expr_parse_where(const char *text, size_t len, expr **out, expr_error *err)
{
    return expr_parse_as(text, len, 1, out, err);
}

int expr_bind(expr *e, expr_resolve_fn fn, void *arg, expr_error *err)
{
    memset(err, 0, sizeof *err);
    e->bound = 0;
    if (e->where) return CS_ERROR(CS_EINVAL, "a where condition is bound with expr_bind_where");
    for (size_t i = 0; i < e->n; i++) {
        expr_node *x = &e->node[i];
        if (x->op != N_NAME && !(x->op >= N_MEAN && x->op <= N_CHANGE)) continue;
        const expr_name_ref *nr = &e->names[x->name];
        if (!nr->family) {
            if (!fn(arg, nr->text, &x->slot[0])) {
                err->offset = nr->offset;
                expr_locate(e->text, nr->offset, &err->line, &err->column);
                snprintf(err->message, sizeof err->message, "unknown indicator '%s'", nr->text);
                return CS_ERROR(CS_EDATA, "%s", err->message);
            }
            continue;
        }
        for (int m = 0; m < 3; m++) {
            char buf[EXPR_MAX_NAME + 8];
            snprintf(buf, sizeof buf, "%s_m%d", nr->text, m + 1);
            if (!fn(arg, buf, &x->slot[m])) {
                err->offset = nr->offset;
                expr_locate(e->text, nr->offset, &err->line, &err->column);
                snprintf(err->message, sizeof err->message, "unknown indicator family '%s' (needs %s_m1, %s_m2 "
                         "and %s_m3; no %s)", nr->text, nr->text, nr->text, nr->text, buf);
                return CS_ERROR(CS_EDATA, "%s", err->message);
            }
        }
    }
    e->bound = 1;
    return CS_OK;
}

size_t expr_n_names(const expr *e) { return e ? e->n_names : 0; }

const char *expr_name(const expr *e, size_t k, size_t *offset)
{
    if (!e || k >= e->n_names) return NULL;
    if (offset) *offset = e->names[k].offset;
    return e->names[k].text;
}

int expr_true(double v) { return v != 0 && !isnan(v); }

static double expr_val(const expr *e, size_t at, const double *const *cols, size_t i)
{
    const expr_node *x = &e->node[at];
    switch (x->op) {
    case N_NUM:
    case N_STR: return x->num;
    case N_NAME: return x->value ? x->num : cols[x->slot[0]][i];
    case N_HAS: return cols[x->slot[0]][i];
    case N_MEAN:
    case N_MIN:
    case N_MAX: {
        /* the present months in order m1, m2, m3 (tests/mpi/tagcheck.py does the same) */
        double acc = NAN;
        int k = 0;
        for (int m = 0; m < 3; m++) {
            double v = cols[x->slot[m]][i];
            if (isnan(v)) continue;
            if (k++ == 0) acc = v;
            else if (x->op == N_MEAN) acc += v;
            else if (x->op == N_MIN ? v < acc : v > acc) acc = v;
        }
        return x->op == N_MEAN && k ? acc / k : acc;
    }
    case N_CHANGE: {
        double b = (cols[x->slot[0]][i] + cols[x->slot[1]][i]) / 2, m3 = cols[x->slot[2]][i];
        if (isnan(b) || isnan(m3) || b == 0) return NAN;
        return (m3 - b) / b;
    }
    case N_NEG: return -expr_val(e, x->a, cols, i);
    case N_NOT: return expr_true(expr_val(e, x->a, cols, i)) ? 0.0 : 1.0;
    case N_AND: return expr_true(expr_val(e, x->a, cols, i)) && expr_true(expr_val(e, x->b, cols, i)) ? 1.0 : 0.0;
    case N_OR: return expr_true(expr_val(e, x->a, cols, i)) || expr_true(expr_val(e, x->b, cols, i)) ? 1.0 : 0.0;
    default: break;
    }
    double a = expr_val(e, x->a, cols, i), b = expr_val(e, x->b, cols, i);
    switch (x->op) {
    case N_ADD: return a + b;
    case N_SUB: return a - b;
    case N_MUL: return a * b;
    case N_DIV: return a / b;
    case N_LT: return a < b;
    case N_LE: return a <= b;
    case N_GT: return a > b;
    case N_GE: return a >= b;
    case N_EQ: return a == b;
    case N_NE: return !isnan(a) && !isnan(b) && a != b; /* a comparison with a missing value is false */
    default: return NAN;
    }
}

void expr_eval(const expr *e, const double *const *cols, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) out[i] = e && e->bound ? expr_val(e, e->root, cols, i) : NAN;
}

void expr_free(expr *e)
{
    if (!e) return;
    for (size_t k = 0; k < e->n_names; k++) free(e->names[k].text);
    free(e->names);
    for (size_t k = 0; k < e->n_lits; k++) free(e->lits[k].text);
    free(e->lits);
    free(e->node);
    free(e->text);
    free(e);
}
