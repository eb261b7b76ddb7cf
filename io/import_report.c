/* import_report.c — what an import found, for the console: rows, label counts, one line per column
 * (type, missing, levels, indicators) and the notices (columns ignored, unseen levels, rounding).
 * Names are padded by their width on a terminal (CJK characters take two columns).
 */
#include "import_int.h"

#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* Report                                                                                         */

/* Terminal columns of a UTF-8 string: continuation bytes take none, East Asian wide characters (CJK,
 * Hangul, full-width forms: Chinese region names) two. */
static size_t imp_width(const char *s)
{
    size_t w = 0;
    const unsigned char *q = (const unsigned char *)s;
    while (*q) {
        unsigned c = *q;
        int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (n == 2) c = (c & 0x1F) << 6 | (q[1] & 0x3F);
        else if (n == 3) c = (c & 0x0F) << 12 | (unsigned)(q[1] & 0x3F) << 6 | (q[2] & 0x3F);
        else if (n == 4) c = 0x10000; /* beyond the BMP: count as wide */
        w += (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
                     (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
                     (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || c >= 0x10000
                 ? 2
                 : 1;
        for (int k = 0; k < n && *q; k++) q++;
    }
    return w;
}

/* Prints a name padded to width terminal columns. */
static void imp_pad(FILE *out, const char *s, size_t width)
{
    size_t chars = imp_width(s);
    fputs(s, out);
    for (size_t k = chars; k < width; k++) fputc(' ', out);
}

static void imp_print_levels(FILE *out, const imp_set *t, size_t first_code, size_t max)
{
    size_t n = t->n;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order || !t->code) {
        free(order);
        return;
    }
    for (size_t k = 0; k < n; k++) order[t->code[k]] = k;
    fputs("  ", out);
    size_t shown = 0;
    for (size_t k = first_code; k < n && shown < max; k++, shown++) {
        char ex[64];
        imp_excerpt(imp_set_str(t, order[k]), t->len[order[k]], ex, sizeof ex);
        fprintf(out, "%s%s", shown ? " | " : "", k == 0 && ex[0] == '\0' ? "(unknown first level)" : ex);
    }
    if (n - first_code > max) fprintf(out, " | ... (%zu in all)", n - first_code);
    free(order);
}

void imp_schema_report(const imp_schema *s, FILE *out)
{
    size_t used = 0, ignored = 0;
    for (size_t c = 0; c < s->ncols; c++) {
        int k = s->cols[c].kind;
        if (k == IMP_IGNORE) ignored++;
        else used++;
    }
    fprintf(out, "import: %s: %llu rows, %zu columns (%zu used, %zu ignored) -> %zu indicators, "
            "%zu region%s, %zu brand%s\n", s->o.file, (unsigned long long)s->rows, s->ncols, used,
            ignored, s->p, s->n_regions, s->n_regions == 1 ? "" : "s", s->n_brands,
            s->n_brands == 1 ? "" : "s");
    if (s->label >= 0) {
        fprintf(out, "label '%s': %llu churned ('%s'), %llu other, %llu missing (-1); values:",
                s->cols[s->label].name, (unsigned long long)s->n_pos, s->o.positive,
                (unsigned long long)s->n_neg, (unsigned long long)s->n_unlabelled);
        for (size_t k = 0; k < s->n_label_values; k++) fprintf(out, " '%s'", s->label_values[k]);
        fprintf(out, "%s\n", s->n_label_values == 8 ? " ..." : "");
    } else if (s->ctype >= 0) {
        fprintf(out, "label: from the churn type (a voluntary or involuntary value: churned; none: stayed)\n");
    } else {
        fprintf(out, "label: none (the snapshot has no labels)\n");
    }
    if (s->ctype >= 0)
        fprintf(out, "churn type '%s': %llu voluntary, %llu involuntary leavers\n", s->cols[s->ctype].name,
                (unsigned long long)s->n_voluntary, (unsigned long long)s->n_involuntary);
    fprintf(out, "  %-4s ", "col");
    imp_pad(out, "name", 30);
    fprintf(out, " %-9s %10s %7s %5s\n", "type", "missing", "levels", "ind");
    for (size_t c = 0; c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        fprintf(out, "  %-4zu ", c + 1);
        imp_pad(out, col->name, 30);
        fprintf(out, " %-9s ", imp_kind_name(col->kind));
        if (col->kind == IMP_NUMERIC || col->kind == IMP_CATEGORY)
            fprintf(out, "%10llu ", (unsigned long long)col->missing);
        else
            fprintf(out, "%10s ", "-");
        if (col->kind == IMP_CATEGORY) fprintf(out, "%7zu %5zu", col->n_levels, col->nind);
        else if (col->kind == IMP_REGION) fprintf(out, "%7zu %5s", s->n_regions, "-");
        else if (col->kind == IMP_BRAND) fprintf(out, "%7zu %5s", s->n_brands, "-");
        else if (col->kind == IMP_NUMERIC) fprintf(out, "%7s %5zu", "-", col->nind);
        else fprintf(out, "%7s %5s", "-", "-");
        if (col->kind == IMP_CATEGORY) imp_print_levels(out, &col->levels, 0, 6);
        else if (col->kind == IMP_REGION) imp_print_levels(out, &s->region_set, 0, 6);
        else if (col->kind == IMP_BRAND) imp_print_levels(out, &s->brand_set, 0, 6);
        fputc('\n', out);
    }
    /* notices */
    if (s->label >= 0 && s->n_pos == 0 && s->n_neg > 0)
        fprintf(out, "warning: the --positive value '%s' never appears in column '%s': every "
                "labelled row is 0\n", s->o.positive, s->cols[s->label].name);
    for (size_t c = 0; c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        if (col->kind == IMP_CATEGORY && col->decl_kind == IMP_AUTO && col->numbers > 0 && col->texts > 0)
            fprintf(out, "notice: column '%s' holds numbers and text (first text at line %zu: '%s'): "
                    "read as a category\n", col->name, col->text_line, col->text_value);
        if (col->kind == IMP_CATEGORY && col->n_levels == 1 && !s->like)
            fprintf(out, "notice: column '%s' has one level: no indicator\n", col->name);
        if (col->inexact)
            fprintf(out, "notice: column '%s': %llu whole numbers beyond 2^24 are rounded in float32 "
                    "(an identifier? use --id or --ignore)\n", col->name,
                    (unsigned long long)col->inexact);
        if (col->unseen)
            fprintf(out, "notice: column '%s': %llu rows hold a level %s does not know (first at line "
                    "%llu: '%s'): all-zero indicators%s\n", col->name, (unsigned long long)col->unseen,
                    s->like->file, (unsigned long long)col->unseen_line, col->unseen_value,
                    col->like_partial ? " (that snapshot does not record the first level, which "
                                        "reads the same)" : "");
        if (col->extra)
            fprintf(out, "notice: column '%s' is not in %s: ignored\n", col->name, s->like->file);
    }
    if (s->like && s->unseen_rows)
        fprintf(out, "notice: %llu rows hold at least one level unknown to %s\n",
                (unsigned long long)s->unseen_rows, s->like->file);
    if (s->new_regions && s->like)
        fprintf(out, "notice: %zu region%s not in %s, added after its %zu\n", s->new_regions,
                s->new_regions == 1 ? "" : "s", s->like->file, s->like_regions);
    if (s->new_brands && s->like)
        fprintf(out, "notice: %zu brand%s not in %s, added after its %zu\n", s->new_brands,
                s->new_brands == 1 ? "" : "s", s->like->file, s->like_brands);
}
