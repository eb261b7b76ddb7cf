/* import_infer.c — pass 1 of an import and the decision of types: what each column is.
 *
 * imp_schema_observe counts every record (missing values, numbers, texts, the levels of text
 * columns, the label values); imp_schema_rescan collects the numbers of a column that turned to text
 * after them; imp_schema_finish decides each column's type, its levels and their codes, the
 * indicators and their names, and the region and brand names. The levels themselves are kept in
 * the sets of import_levels.c.
 */
#include "import_int.h"

#include "status.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds a level; 1 from imp_set_add (cap reached) becomes the column's overflow. */
int imp_level_add(imp_schema *s, imp_column *col, const char *data, size_t len, long *idx)
{
    size_t max_n = s->max_levels, max_b = IMP_MAX_LEVEL_BYTES;
    if (col->kind == IMP_REGION) max_n = IMP_MAX_REGIONS, max_b = (size_t)64 << 20;
    if (col->kind == IMP_BRAND) max_n = IMP_MAX_BRANDS, max_b = (size_t)1 << 20;
    imp_set *t = col->kind == IMP_REGION ? &s->region_set
               : col->kind == IMP_BRAND  ? &s->brand_set
                                         : &col->levels;
    long at;
    int rc = imp_set_add_at(t, data, len, max_n, max_b, &at);
    if (idx) *idx = rc == CS_OK ? at : -1;
    if (rc == 1) {
        col->overflow = 1;
        return CS_OK;
    }
    return rc;
}

/* A column with more text values than a category may have. Reported by imp_schema_finish, not when
 * pass 1 meets it, so that a bad row further on is reported first whatever the rank count (a part
 * of the file cannot know where the whole file's levels overflow). */
int imp_overflow_error(const imp_schema *s, const imp_column *col)
{
    if (col->kind == IMP_REGION)
        return CS_ERROR(CS_EFORMAT, "%s: column '%s' (--region) has more than %d distinct regions",
                        s->o.file, col->name, IMP_MAX_REGIONS);
    if (col->kind == IMP_BRAND)
        return CS_ERROR(CS_EFORMAT, "%s: column '%s' (--brand) has more than %d distinct brands",
                        s->o.file, col->name, IMP_MAX_BRANDS);
    if (col->forced)
        return CS_ERROR(CS_EFORMAT, "%s: column '%s' (--categorical) has more than %zu distinct values "
                        "(or over %u bytes of them): too many for a category; if it identifies "
                        "subscribers use --id, else leave it out with --ignore", s->o.file, col->name,
                        s->max_levels, IMP_MAX_LEVEL_BYTES);
    return CS_ERROR(CS_EFORMAT, "%s: column '%s' holds text (first at line %zu: '%s') and more than "
                    "%zu distinct values (or over %u bytes of them): too many for a category; if it "
                    "identifies subscribers use --id, if it is free text leave it out with --ignore, "
                    "if it should hold numbers fix line %zu", s->o.file, col->name, col->text_line,
                    col->text_value, s->max_levels, IMP_MAX_LEVEL_BYTES, col->text_line);
}

/* A number of a numeric (or still numeric) column: range and float32 rounding. */
static inline void imp_count_number(imp_column *col, const csv_record *rec, const csv_field *f, double v)
{
    col->numbers++;
    double a = fabs(v);
    if (a < 16777216.0) return; /* the common case in one test: exact in float32 if whole */
    if (a > FLT_MAX) {
        if (!col->range_line) {
            col->range_line = rec->line;
            imp_excerpt(f->data, f->len, col->range_value, sizeof col->range_value);
        }
    } else if ((double)(float)v != v && v == floor(v)) {
        col->inexact++;
    }
}

/* The float bits of a cell (import_cells.c keeps the rows pass 1 read). */
static uint32_t imp_float_cell(double v)
{
    float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* One field of a column whose type pass 1 decides that is not a number of a column still numeric
 * (observe's loop takes those itself): missing, out of range or text. Counted, its cell in *cell,
 * its number (NaN when missing or text) in *x. */
static int imp_observe_auto(imp_schema *s, imp_column *col, const csv_record *rec, const csv_field *f,
                            uint32_t *cell, float *x)
{
    if (imp_field_missing(f)) {
        col->missing++;
        *cell = col->texts == 0 ? imp_float_cell(NAN) : IMP_CELL_MISSING;
        *x = NAN;
    } else if (col->texts == 0 && csv_number_overflows(f->data, f->len)) {
        /* 1e400 is a number out of range, not text: counted as one beyond float32, which
         * imp_schema_finish refuses with its line if the column stays numeric (it once
         * made the column a category of every value) */
        imp_count_number(col, rec, f, HUGE_VAL);
        *cell = imp_float_cell(HUGE_VAL);
        *x = HUGE_VALF;
    } else {
        if (col->texts++ == 0) {
            col->text_line = rec->line;
            col->text_row = s->rows; /* the cells from this row on are levels */
            imp_excerpt(f->data, f->len, col->text_value, sizeof col->text_value);
            if (col->numbers > 0) col->rescan = 1;
        }
        long idx = -1;
        CS_TRY(imp_level_add(s, col, f->data, f->len, &idx));
        *cell = idx < 0 ? IMP_CELL_UNSEEN : (uint32_t)idx;
        *x = NAN; /* a column with text has no one number: the one-pass write finds that later */
    }
    return CS_OK;
}

int imp_schema_observe(imp_schema *s, const csv_record *rec)
{
    CS_TRY(imp_schema_check(s, rec));
    int unseen = 0;
    uint32_t *cell = s->cell_row; /* NULL unless the rows are kept */
    for (size_t i = 0; i < s->n_switch_cols; i++) { /* id, label, churn type, region, brand, categories */
        size_t c = s->switch_cols[i];
        imp_column *col = &s->cols[c];
        const csv_field *f = &rec->fields[c];
        long idx = -1;
        switch (col->kind) {
        case IMP_ID:
            if (cell) imp_parse_id(f->data, f->len, &s->cell_id); /* checked */
            break;
        case IMP_CHURN_TYPE: { /* checked: none, or one of the two types */
            int t = imp_churn_value(s, f);
            s->n_voluntary += t == 1;
            s->n_involuntary += t == 2;
            if (cell) cell[c] = (uint32_t)t;
            break;
        }
        case IMP_LABEL:
            if (cell) cell[c] = (uint32_t)(int32_t)imp_label_value(s, f);
            if (imp_field_missing(f)) {
                s->n_unlabelled++;
                break;
            }
            if (f->len == s->positive_len && memcmp(f->data, s->o.positive, f->len) == 0) s->n_pos++;
            else s->n_neg++;
            size_t r = 0;
            while (r < s->n_label_raw && (s->label_raw_len[r] != f->len || memcmp(s->label_raw[r], f->data, f->len) != 0)) r++;
            if (r == s->n_label_raw && s->n_label_values < 8) {
                if (s->n_label_raw < 8 && f->len <= sizeof s->label_raw[0]) {
                    memcpy(s->label_raw[s->n_label_raw], f->data, f->len);
                    s->label_raw_len[s->n_label_raw++] = f->len;
                }
                char ex[32];
                imp_excerpt(f->data, f->len, ex, sizeof ex);
                size_t k = 0;
                while (k < s->n_label_values && strcmp(s->label_values[k], ex) != 0) k++;
                if (k == s->n_label_values) strcpy(s->label_values[s->n_label_values++], ex);
            }
            break;
        case IMP_REGION:
        case IMP_BRAND:
            CS_TRY(imp_level_add(s, col, f->data, f->len, &idx));
            if (cell) cell[c] = idx < 0 ? IMP_CELL_MISSING : (uint32_t)idx;
            break;
        case IMP_CATEGORY:
            if (imp_field_missing(f)) {
                col->missing++;
                if (cell) cell[c] = IMP_CELL_MISSING;
            } else if (s->like) {
                col->texts++;
                if ((idx = imp_set_find(&col->levels, f->data, f->len)) < 0) {
                    if (!col->unseen++) {
                        col->unseen_line = rec->line;
                        imp_excerpt(f->data, f->len, col->unseen_value, sizeof col->unseen_value);
                    }
                    unseen = 1;
                }
                if (cell) cell[c] = idx < 0 ? IMP_CELL_UNSEEN : (uint32_t)idx;
            } else {
                col->texts++;
                CS_TRY(imp_level_add(s, col, f->data, f->len, &idx));
                if (cell) cell[c] = idx < 0 ? IMP_CELL_UNSEEN : (uint32_t)idx;
            }
            break;
        default: /* not in switch_cols: --like's numbers and the inferred columns below, each in
                  * a loop of its own; the area after the row's region (imp_area_observe) */
            break;
        }
    }
    /* --like's numeric columns: imp_schema_check parsed them into num_row, NaN exactly where the
     * field is missing (csv_parse_double gives finite numbers only) */
    for (size_t i = 0; i < s->n_num_cols; i++) {
        size_t c = s->num_cols[i];
        imp_column *col = &s->cols[c];
        double v = s->num_row[c];
        if (isnan(v)) col->missing++;
        else imp_count_number(col, rec, &rec->fields[c], v);
        if (s->x_row) s->x_row[s->x_dst[i]] = (float)v;
        else if (cell) cell[c] = imp_float_cell(v);
    }
    /* the columns whose type pass 1 decides, without the switch (issue 20: its jump a field) */
    uint32_t spare;
    /* the schema's pointers read once: the counts the loop stores could otherwise alias them */
    const uint32_t *const auto_cols = s->auto_cols, *const x_dst = s->x_dst;
    float *const x_row = s->x_row;
    imp_column *const cols = s->cols;
    const csv_field *const fields = rec->fields;
    for (size_t i = 0, n = s->n_auto_cols; i < n; i++) {
        size_t c = auto_cols[i];
        imp_column *col = &cols[c];
        const csv_field *f = &fields[c];
        float xv;
        double v;
        /* a number of a column that has held only numbers, nearly every field: counted and stored
         * here (no missing value parses as a number); the rest by imp_observe_auto */
        if (col->texts == 0 && csv_parse_double(f->data, f->len, &v)) {
            imp_count_number(col, rec, f, v);
            xv = (float)v;
            if (cell) cell[c] = imp_float_cell(v);
        } else {
            CS_TRY(imp_observe_auto(s, col, rec, f, cell ? &cell[c] : &spare, &xv));
        }
        if (x_row) x_row[x_dst[i]] = xv;
    }
    CS_TRY(imp_area_observe(s, rec));
    s->unseen_rows += (uint64_t)unseen;
    s->rows++;
    return CS_OK;
}

int imp_schema_needs_rescan(const imp_schema *s)
{
    for (size_t c = 0; c < s->ncols; c++)
        if (s->cols[c].rescan || s->cols[c].regather) return 1;
    return 0;
}

int imp_schema_rescan(imp_schema *s, const csv_record *rec)
{
    if (imp_schema_check(s, rec) != CS_OK) {
        status_clear();
        return CS_OK; /* skipped in pass 1 as well */
    }
    for (size_t c = 0; c < s->ncols; c++) {
        imp_column *col = &s->cols[c];
        const csv_field *f = &rec->fields[c];
        if (!(col->rescan || col->regather) || imp_field_missing(f)) continue;
        CS_TRY(imp_level_add(s, col, f->data, f->len, NULL));
    }
    return CS_OK;
}

/* Region or brand names and codes at finish: the earlier snapshot's first (keeping their codes), the
 * new ones after them in byte order; without a column the one name "all". */
static int imp_finish_names(imp_set *t, size_t first, long col, char ***names, size_t *n,
                            size_t *added)
{
    if (col < 0) {
        int rc = imp_set_add(t, "all", 3, SIZE_MAX, SIZE_MAX);
        if (rc != CS_OK) return rc;
    }
    size_t *order = malloc((t->n ? t->n : 1) * sizeof *order);
    *names = calloc(t->n ? t->n : 1, sizeof(char *));
    if (!order || !*names) {
        free(order);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    int rc = imp_set_codes(t, first, order);
    *n = t->n;
    for (size_t k = 0; rc == CS_OK && k < t->n; k++) {
        (*names)[k] = strdup(imp_set_str(t, order[k]));
        if (!(*names)[k]) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    *added = t->n - first;
    free(order);
    return rc;
}

static int imp_no_nul(const imp_schema *s, const imp_column *col, const imp_set *t)
{
    for (size_t k = 0; k < t->n; k++)
        if (strlen(imp_set_str(t, k)) != t->len[k])
            return CS_ERROR(CS_EDATA, "%s: column '%s': a value holds a NUL byte, which a name in "
                            "the snapshot cannot hold", s->o.file, col->name);
    return CS_OK;
}

int imp_schema_finish(imp_schema *s)
{
    if (s->finished) return CS_ERROR(CS_EINTERNAL, "imp_schema_finish called twice");
    if (s->rows == 0)
        return CS_ERROR(CS_EDATA, "%s: no data rows (only a header, or every row was bad)", s->o.file);
    /* Types. */
    for (size_t c = 0; c < s->ncols; c++) {
        imp_column *col = &s->cols[c];
        if (col->kind == IMP_AUTO) col->kind = col->texts ? IMP_CATEGORY : IMP_NUMERIC;
        if ((col->kind == IMP_CATEGORY || col->kind == IMP_REGION || col->kind == IMP_BRAND) &&
            col->overflow)
            return imp_overflow_error(s, col);
        if (col->kind == IMP_NUMERIC && col->range_line)
            return CS_ERROR(CS_EDATA, "%s, line %zu, column %zu (%s): '%s' is %s", s->o.file,
                            col->range_line, col->csv_index + 1, col->name, col->range_value,
                            imp_nonfinite_why(col->range_value));
        if (col->kind == IMP_CATEGORY || col->kind == IMP_REGION || col->kind == IMP_BRAND)
            CS_TRY(imp_no_nul(s, col, col->kind == IMP_REGION  ? &s->region_set
                                      : col->kind == IMP_BRAND ? &s->brand_set
                                                               : &col->levels));
    }
    CS_TRY(imp_finish_names(&s->region_set, s->like_regions, s->region, &s->region_names,
                            &s->n_regions, &s->new_regions));
    CS_TRY(imp_finish_names(&s->brand_set, s->like_brands, s->brand, &s->brand_names, &s->n_brands,
                            &s->new_brands));
    if (s->n_regions > IMP_MAX_REGIONS)
        return CS_ERROR(CS_EDATA, "%s: more than %d regions", s->o.file, IMP_MAX_REGIONS);
    if (s->n_brands > IMP_MAX_BRANDS)
        return CS_ERROR(CS_EDATA, "%s: more than %d brands", s->o.file, IMP_MAX_BRANDS);
    if (s->region < 0) s->region_code = s->region_set.code[imp_set_find(&s->region_set, "all", 3)];
    if (s->brand < 0) s->brand_code = s->brand_set.code[imp_set_find(&s->brand_set, "all", 3)];
    CS_TRY(imp_area_finish(s));

    if (s->like) {
        /* indicators are fixed by the earlier snapshot; the codes of a category are its indices */
        s->p = s->like->p;
        s->feature_names = calloc(s->p ? s->p : 1, sizeof(char *));
        if (!s->feature_names) return CS_ERROR(CS_ENOMEM, "out of memory");
        for (size_t j = 0; j < s->p; j++)
            if (!(s->feature_names[j] = strdup(s->like->feature_names[j])))
                return CS_ERROR(CS_ENOMEM, "out of memory");
        for (size_t c = 0; c < s->ncols; c++) {
            imp_column *col = &s->cols[c];
            if (col->kind != IMP_CATEGORY) continue;
            col->levels.code = malloc((col->levels.n ? col->levels.n : 1) * sizeof(uint32_t));
            if (!col->levels.code) return CS_ERROR(CS_ENOMEM, "out of memory");
            for (size_t k = 0; k < col->levels.n; k++) col->levels.code[k] = (uint32_t)k;
        }
        s->finished = 1;
        return CS_OK;
    }

    /* Levels in byte order, indicators in column order. */
    size_t p = 0;
    for (size_t c = 0; c < s->ncols; c++) {
        imp_column *col = &s->cols[c];
        if (col->kind == IMP_NUMERIC) {
            col->ind0 = p;
            col->nind = 1;
            p++;
        } else if (col->kind == IMP_CATEGORY) {
            size_t n = col->levels.n;
            size_t *order = malloc((n ? n : 1) * sizeof *order);
            col->ind_of_code = malloc((n ? n : 1) * sizeof(long));
            if (!order || !col->ind_of_code) {
                free(order);
                return CS_ERROR(CS_ENOMEM, "out of memory");
            }
            int rc = imp_set_codes(&col->levels, 0, order);
            free(order);
            CS_TRY(rc);
            col->n_levels = n;
            col->ind0 = p;
            col->nind = n ? n - 1 : 0;
            for (size_t k = 0; k < n; k++) col->ind_of_code[k] = k == 0 ? -1 : (long)(p + k - 1);
            p += col->nind;
        }
        if (p > IMP_MAX_INDICATORS)
            return CS_ERROR(CS_EDATA, "%s: more than %d indicators (column '%s' brings the count to "
                            "%zu): leave columns out with --ignore or merge rare levels", s->o.file,
                            IMP_MAX_INDICATORS, col->name, p);
    }
    s->p = p;
    s->feature_names = calloc(p ? p : 1, sizeof(char *));
    if (!s->feature_names) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t c = 0; c < s->ncols; c++) {
        imp_column *col = &s->cols[c];
        if (col->kind == IMP_NUMERIC) {
            if (!(s->feature_names[col->ind0] = strdup(col->name)))
                return CS_ERROR(CS_ENOMEM, "out of memory");
        } else if (col->kind == IMP_CATEGORY) {
            size_t *order = malloc((col->levels.n ? col->levels.n : 1) * sizeof *order);
            if (!order) return CS_ERROR(CS_ENOMEM, "out of memory");
            for (size_t k = 0; k < col->levels.n; k++) order[col->levels.code[k]] = k;
            for (size_t k = 1; k < col->n_levels; k++) {
                const char *lv = imp_set_str(&col->levels, order[k]);
                size_t len = strlen(col->name) + strlen(lv) + 2;
                char *nm = malloc(len);
                if (!nm) {
                    free(order);
                    return CS_ERROR(CS_ENOMEM, "out of memory");
                }
                snprintf(nm, len, "%s=%s", col->name, lv);
                s->feature_names[col->ind_of_code[k]] = nm;
            }
            free(order);
        }
    }
    /* `a=b` of a category a could meet a numeric column named `a=b`. */
    imp_set names = {0};
    int rc = CS_OK;
    for (size_t j = 0; rc == CS_OK && j < p; j++) {
        size_t before = names.n;
        rc = imp_set_add(&names, s->feature_names[j], strlen(s->feature_names[j]), SIZE_MAX, SIZE_MAX);
        if (rc == CS_OK && names.n == before)
            rc = CS_ERROR(CS_EDATA, "%s: two indicators would be named '%s' (a column and a level of "
                          "another column): rename one column", s->o.file, s->feature_names[j]);
    }
    imp_set_clear(&names);
    CS_TRY(rc);
    s->finished = 1;
    return CS_OK;
}
