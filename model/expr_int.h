/* expr_int.h — the tree of a parsed condition, shared by the parser and evaluator (expr.c) and the
 * binder of where conditions (expr_where.c). Not for callers: they use expr.h. */
#ifndef CS_EXPR_INT_H
#define CS_EXPR_INT_H

#include "expr.h"

#include <stddef.h>

#define EXPR_MAX_NAME 128 /* the longest name a binder looks up */

enum {
    N_NUM, N_NAME, N_MEAN, N_MIN, N_MAX, N_CHANGE, N_NEG, N_ADD, N_SUB, N_MUL, N_DIV,
    N_LT, N_LE, N_GT, N_GE, N_EQ, N_NE, N_AND, N_OR, N_NOT,
    /* where conditions only (expr_parse_where): a quoted text, `tags has KEY` */
    N_STR, N_HAS
};

typedef struct {
    int op;
    size_t a, b;      /* children */
    double num;       /* N_NUM; after expr_bind_where, the code of a value (N_STR, a word read as one) */
    size_t name;      /* N_NAME and the functions: index into names; N_STR, N_HAS: into lits */
    size_t slot[3];   /* bound slots: one for N_NAME and N_HAS, the three months for a function */
    size_t at;        /* the byte offset of its token (an operator's for a comparison): errors */
    int kind;         /* after expr_bind_where: EXPR_KIND_* of a name, -1 when not a name */
    int value;        /* after expr_bind_where: 1 when this node is a value compared with a name */
} expr_node;

typedef struct {
    char *text;
    size_t offset;
    int family;
} expr_name_ref;

struct expr {
    expr_node *node;
    size_t n, cap, root;
    expr_name_ref *names;
    size_t n_names;
    expr_name_ref *lits;  /* quoted texts and tag keys of a where condition */
    size_t n_lits;
    int where;            /* parsed by expr_parse_where */
    int bound;
    char *text; /* a copy of the parsed text: binding errors are located in it */
};

/* Line and column (characters) of byte offset off in s. */
void expr_locate(const char *s, size_t off, size_t *line, size_t *col);

#endif
