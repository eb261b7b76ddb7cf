/* derived.c — derived indicators (derived.h): the built-in set, a site file's formulas, binding to a
 * snapshot's columns and evaluation over a block of rows.
 *
 * The formulas are expr.h trees, evaluated on double columns: each block is copied, DERIVED_CHUNK rows
 * at a time, from its row-major floats into one double column per source indicator (the layout
 * expr_eval reads), and the results are written back into the block's trailing columns.
 */
#include "derived.h"

#include "status.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAYS_NAME "days_in_month"

derived_set *derived_alloc(void) { return calloc(1, sizeof(derived_set)); }

void derived_free(derived_set *d)
{
    if (!d) return;
    for (size_t k = 0; k < d->n; k++) {
        free(d->names[k]);
        free(d->formulas[k]);
        expr_free(d->e[k]);
    }
    free(d->names);
    free(d->formulas);
    free(d->e);
    free(d->src);
    free((void *)d->colp);
    free(d);
}

static int is_word(const char *s, size_t len)
{
    if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return 0;
    return 1;
}

static int has_name(const char *const *names, size_t p, const char *s)
{
    for (size_t j = 0; j < p; j++)
        if (strcmp(names[j], s) == 0) return 1;
    return 0;
}

int derived_add(derived_set *d, const char *name, const char *formula, expr_error *err)
{
    memset(err, 0, sizeof *err);
    size_t len = strlen(name);
    if (!is_word(name, len) || len >= DERIVED_MAX_NAME) {
        snprintf(err->message, sizeof err->message, "'%s' is not a name for an indicator (letters, digits "
                 "and _, not starting with a digit, at most %d bytes)", name, DERIVED_MAX_NAME - 1);
        return CS_ERROR(CS_EDATA, "%s", err->message);
    }
    if (has_name((const char *const *)d->names, d->n, name)) {
        snprintf(err->message, sizeof err->message, "derived indicator '%s' is defined twice", name);
        return CS_ERROR(CS_EDATA, "%s", err->message);
    }
    if (d->n >= DERIVED_MAX) {
        snprintf(err->message, sizeof err->message, "more than %d derived indicators", DERIVED_MAX);
        return CS_ERROR(CS_EDATA, "%s", err->message);
    }
    expr *e = NULL;
    CS_TRY(expr_parse(formula, strlen(formula), &e, err));
    char **nn = realloc(d->names, (d->n + 1) * sizeof *nn);
    if (nn) d->names = nn;
    char **nf = nn ? realloc(d->formulas, (d->n + 1) * sizeof *nf) : NULL;
    if (nf) d->formulas = nf;
    expr **ne = nf ? realloc(d->e, (d->n + 1) * sizeof *ne) : NULL;
    if (ne) d->e = ne;
    char *a = ne ? strdup(name) : NULL, *b = a ? strdup(formula) : NULL;
    if (!b) {
        free(a);
        expr_free(e);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    d->names[d->n] = a;
    d->formulas[d->n] = b;
    d->e[d->n] = e;
    d->n++;
    d->bound = 0;
    return CS_OK;
}

/* Adds name = formula unless the snapshot has the name already (its own column wins). */
static int add_builtin(derived_set *d, const char *const *names, size_t p, const char *name,
                       const char *formula)
{
    if (has_name(names, p, name) || has_name((const char *const *)d->names, d->n, name)) return CS_OK;
    expr_error err;
    return derived_add(d, name, formula, &err);
}

int derived_default(derived_set *d, const char *const *names, size_t p)
{
    char name[DERIVED_MAX_NAME + 16], f[4 * DERIVED_MAX_NAME + 64], a[DERIVED_MAX_NAME + 8];
    for (size_t j = 0; j < p; j++) {
        size_t len = strlen(names[j]);
        if (len < 4 || strcmp(names[j] + len - 3, "_m1") != 0) continue;
        size_t bl = len - 3;
        /* a family whose name the formulas can hold (expr names are words) and whose derived names fit */
        if (!is_word(names[j], bl) || bl + 8 >= DERIVED_MAX_NAME) continue;
        const char *b = names[j];
        snprintf(a, sizeof a, "%.*s_m2", (int)bl, b);
        if (!has_name(names, p, a)) continue;
        snprintf(a, sizeof a, "%.*s_m3", (int)bl, b);
        if (!has_name(names, p, a)) continue;
        snprintf(name, sizeof name, "%.*s_chg", (int)bl, b);
        snprintf(f, sizeof f, "%.*s_m3 - (%.*s_m1 + %.*s_m2) / 2", (int)bl, b, (int)bl, b, (int)bl, b);
        CS_TRY(add_builtin(d, names, p, name, f));
        snprintf(name, sizeof name, "%.*s_chg_rel", (int)bl, b);
        snprintf(f, sizeof f, "change(%.*s)", (int)bl, b);
        CS_TRY(add_builtin(d, names, p, name, f));
        snprintf(name, sizeof name, "%.*s_mean3", (int)bl, b);
        snprintf(f, sizeof f, "mean(%.*s)", (int)bl, b);
        CS_TRY(add_builtin(d, names, p, name, f));
        snprintf(name, sizeof name, "%.*s_min3", (int)bl, b);
        snprintf(f, sizeof f, "min(%.*s)", (int)bl, b);
        CS_TRY(add_builtin(d, names, p, name, f));
    }
    if (has_name(names, p, "data_mb_m3") && has_name(names, p, "mou_m3"))
        CS_TRY(add_builtin(d, names, p, "data_voice_share_m3", "data_mb_m3 / (data_mb_m3 + mou_m3)"));
    for (size_t j = 0; j < p; j++) {
        if (strncmp(names[j], "onnet_", 6) != 0) continue;
        const char *x = names[j] + 6;
        size_t xl = strlen(x);
        if (!is_word(x, xl) || xl + 20 >= DERIVED_MAX_NAME) continue;
        snprintf(a, sizeof a, "offnet_%s", x);
        if (!has_name(names, p, a)) continue;
        snprintf(name, sizeof name, "offnet_share_%s", x);
        snprintf(f, sizeof f, "offnet_%s / (onnet_%s + offnet_%s)", x, x, x);
        CS_TRY(add_builtin(d, names, p, name, f));
    }
    if (has_name(names, p, "days_no_outgoing_m3"))
        CS_TRY(add_builtin(d, names, p, "days_no_outgoing_share_m3", "days_no_outgoing_m3 / " DAYS_NAME));
    return CS_OK;
}

static size_t trim_left(const char *s, size_t i, size_t end)
{
    while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
    return i;
}

static size_t trim_right(const char *s, size_t beg, size_t end)
{
    while (end > beg && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\r')) end--;
    return end;
}

int derived_parse(derived_set *d, const char *text, size_t len, const char *source)
{
    size_t line = 0, i = 0;
    while (i < len) {
        line++;
        size_t eol = i;
        while (eol < len && text[eol] != '\n') eol++;
        size_t end = eol;
        for (size_t k = i; k < eol; k++)
            if (text[k] == '#') { end = k; break; }
        size_t b = trim_left(text, i, end), e = trim_right(text, b, end);
        if (b < e) {
            const char *eq = memchr(text + b, '=', e - b);
            if (!eq)
                return CS_ERROR(CS_EDATA, "%s line %zu: expected 'name = formula'", source, line);
            size_t ne = trim_right(text, b, (size_t)(eq - text)), fb = trim_left(text, (size_t)(eq - text) + 1, e);
            if (ne == b) return CS_ERROR(CS_EDATA, "%s line %zu: no name before '='", source, line);
            if (fb == e) return CS_ERROR(CS_EDATA, "%s line %zu: no formula after '='", source, line);
            char *name = strndup(text + b, ne - b), *formula = strndup(text + fb, e - fb);
            if (!name || !formula) {
                free(name);
                free(formula);
                return CS_ERROR(CS_ENOMEM, "out of memory");
            }
            expr_error err;
            int rc = derived_add(d, name, formula, &err);
            free(name);
            free(formula);
            if (rc == CS_EDATA) {
                /* the formula's column counted from the line's start (bytes before it are ASCII or
                 * part of the name, counted as characters alike) */
                size_t col = err.column ? fb - i + err.column : 1;
                return CS_ERROR(CS_EDATA, "%s line %zu column %zu: %s", source, line, col, err.message);
            }
            if (rc != CS_OK) return rc;
        }
        i = eol + 1;
    }
    return CS_OK;
}

typedef struct {
    const char *const *names;
    size_t p;
    long *slot_of;  /* [p] slot of snapshot column j, or -1 */
    size_t *src, nsrc;
} bind_arg;

static int bind_name(void *arg, const char *name, size_t *slot)
{
    bind_arg *b = arg;
    for (size_t j = 0; j < b->p; j++) {
        if (strcmp(b->names[j], name) != 0) continue;
        if (b->slot_of[j] < 0) {
            b->src[b->nsrc] = j;
            b->slot_of[j] = (long)++b->nsrc; /* slot 0 is days_in_month */
        }
        *slot = (size_t)b->slot_of[j];
        return 1;
    }
    if (strcmp(name, DAYS_NAME) == 0) {
        *slot = 0;
        return 1;
    }
    return 0;
}

int derived_bind(derived_set *d, const char *const *names, size_t p, double days_in_month,
                 const char *source)
{
    d->bound = 0;
    for (size_t k = 0; k < d->n; k++)
        if (has_name(names, p, d->names[k]))
            return CS_ERROR(CS_EDATA, "%s: derived indicator '%s': %s already has an indicator of that "
                            "name (rename the formula)", source, d->names[k], "the snapshot");
    bind_arg b = {names, p, malloc((p ? p : 1) * sizeof(long)), malloc((p ? p : 1) * sizeof(size_t)), 0};
    if (!b.slot_of || !b.src) {
        free(b.slot_of);
        free(b.src);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < p; j++) b.slot_of[j] = -1;
    int rc = CS_OK;
    for (size_t k = 0; k < d->n && rc == CS_OK; k++) {
        expr_error err;
        if (expr_bind(d->e[k], bind_name, &b, &err) != CS_OK)
            rc = CS_ERROR(CS_EDATA, "%s: derived indicator '%s' = %s: %s (column %zu of the formula)", source,
                          d->names[k], d->formulas[k], err.message, err.column);
    }
    free(b.slot_of);
    free(d->src);
    free((void *)d->colp);
    d->src = b.src;
    d->nsrc = b.nsrc;
    d->colp = rc == CS_OK ? malloc((d->nsrc + 1) * sizeof *d->colp) : NULL;
    if (rc == CS_OK && !d->colp) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    d->days_in_month = days_in_month;
    d->bound = rc == CS_OK;
    return rc;
}

size_t derived_work_len(const derived_set *d) { return (d->nsrc + 2) * (size_t)DERIVED_CHUNK; }

void derived_eval(const derived_set *d, float *rows, size_t n, size_t p0, size_t stride, double *work)
{
    if (!d->bound || d->n == 0) return;
    const double **colp = d->colp;
    for (size_t s = 0; s <= d->nsrc; s++) colp[s] = work + s * DERIVED_CHUNK;
    double *out = work + (d->nsrc + 1) * DERIVED_CHUNK;
    for (size_t i = 0; i < DERIVED_CHUNK; i++) work[i] = d->days_in_month;
    for (size_t i0 = 0; i0 < n; i0 += DERIVED_CHUNK) {
        size_t m = n - i0 < DERIVED_CHUNK ? n - i0 : DERIVED_CHUNK;
        float *blk = rows + i0 * stride;
        for (size_t s = 0; s < d->nsrc; s++) {
            double *c = work + (s + 1) * DERIVED_CHUNK;
            const float *x = blk + d->src[s];
            for (size_t i = 0; i < m; i++) c[i] = x[i * stride];
        }
        for (size_t k = 0; k < d->n; k++) {
            expr_eval(d->e[k], colp, m, out);
            float *y = blk + p0 + k;
            for (size_t i = 0; i < m; i++) {
                float v = (float)out[i];
                y[i * stride] = isinf(v) ? NAN : v;
            }
        }
    }
}

double derived_month_days(const char *month)
{
    int y = 0, mo = 0;
    if (!month || sscanf(month, "%4d-%2d", &y, &mo) != 2 || mo < 1 || mo > 12) return 30;
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[mo - 1] + (mo == 2 && leap);
}
