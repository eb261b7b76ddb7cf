/* import_rows.c — one CSV record checked and turned into a snapshot row.
 *
 * imp_schema_check decides from a record's bytes and the fixed options alone whether it is good
 * (the same answer in every pass, so every pass skips the same records); imp_schema_encode turns a
 * good record into id, region, brand, the indicators, the label and the churn type, with the types
 * and levels that import_infer.c decided (or --like took from an earlier snapshot).
 */
#include "import_int.h"

#include "status.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* Records                                                                                        */

/* A decimal id: digits only, below 2^64. */
int imp_parse_id(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d > 9) return 0;
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

static int imp_bad(const imp_schema *s, const csv_record *rec, const imp_column *col,
                   const csv_field *f, const char *what)
{
    char ex[64];
    int show = !imp_field_missing(f);
    imp_excerpt(f->data, show ? f->len : 0, ex, sizeof ex);
    return CS_ERROR(CS_EDATA, "%s, line %zu, column %zu (%s): %s%s%s%s", s->o.file, rec->line,
                    col->csv_index + 1, col->name, show ? "'" : "", ex, show ? "' " : "", what);
}

/* Whether field f is one of the n values in list. */
static int imp_in_list(const csv_field *f, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == f->len && memcmp(list[i], f->data, f->len) == 0) return 1;
    return 0;
}

int imp_churn_value(const imp_schema *s, const csv_field *f)
{
    if (imp_field_missing(f) || imp_in_list(f, s->o.stayed, s->o.n_stayed)) return 0;
    if (imp_in_list(f, s->o.voluntary, s->o.n_voluntary)) return 1;
    if (imp_in_list(f, s->o.involuntary, s->o.n_involuntary)) return 2;
    return -1;
}

/* The label a field of the label column says: -1 missing, 1 the --positive value, 0 otherwise. */
int imp_label_value(const imp_schema *s, const csv_field *f)
{
    if (imp_field_missing(f)) return -1;
    return f->len == s->positive_len && memcmp(f->data, s->o.positive, f->len) == 0;
}

/* "a, b" of a value list, for the messages (cut short past size). */
static void imp_join(const char *const *list, size_t n, char *out, size_t size)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && k + 1 < size; i++)
        k += (size_t)snprintf(out + k, size - k, "%s%s", i ? ", " : "", list[i]);
}

/* A record's churn type against the options and its label (imp_schema_check). */
static int imp_check_churn_type(const imp_schema *s, const csv_record *rec)
{
    const imp_column *col = &s->cols[s->ctype];
    const csv_field *f = &rec->fields[col->csv_index];
    int t = imp_churn_value(s, f);
    if (t < 0) {
        char v[256], q[256], st[256];
        imp_join(s->o.voluntary, s->o.n_voluntary, v, sizeof v);
        imp_join(s->o.involuntary, s->o.n_involuntary, q, sizeof q);
        imp_join(s->o.stayed, s->o.n_stayed, st, sizeof st);
        char why[900];
        snprintf(why, sizeof why, "is not a churn type (voluntary: %s; involuntary: %s%s%s; or empty "
                 "for none)", v, q, s->o.n_stayed ? "; stayed: " : "", st);
        return imp_bad(s, rec, col, f, why);
    }
    if (s->label < 0) return CS_OK;
    const imp_column *lc = &s->cols[s->label];
    int l = imp_label_value(s, &rec->fields[lc->csv_index]);
    char why[512];
    if (l == 1 && t == 0) {
        snprintf(why, sizeof why, "says no churn type, but the label (column %zu, %s) says the "
                 "subscriber left: a leaver needs a --voluntary or --involuntary value",
                 lc->csv_index + 1, lc->name);
        return imp_bad(s, rec, col, f, why);
    }
    if (l == 0 && t != 0) {
        snprintf(why, sizeof why, "is a churn type (%s), but the label (column %zu, %s) says the "
                 "subscriber stayed", t == 1 ? "voluntary" : "involuntary", lc->csv_index + 1, lc->name);
        return imp_bad(s, rec, col, f, why);
    }
    return CS_OK;
}

int imp_schema_has_labels(const imp_schema *s) { return s->label >= 0 || s->ctype >= 0; }
int imp_schema_has_churn_type(const imp_schema *s) { return s->ctype >= 0; }

/* Why a number that csv_number_overflows or the float32 check caught cannot be an indicator. */
const char *imp_nonfinite_why(const char *text)
{
    const char *t = text + (text[0] == '+' || text[0] == '-');
    if ((*t >= '0' && *t <= '9') || *t == '.') return "beyond the float32 range of a snapshot indicator";
    return "not a finite number (a missing value is an empty field or NA)";
}

int imp_schema_check(const imp_schema *s, const csv_record *rec)
{
    if (rec->nfields != s->ncols)
        return CS_ERROR(CS_EDATA, "%s, line %zu: %zu fields where the header has %zu", s->o.file,
                        rec->line, rec->nfields, s->ncols);
    if (s->id >= 0) {
        const imp_column *col = &s->cols[s->id];
        const csv_field *f = &rec->fields[col->csv_index];
        uint64_t v;
        if (imp_field_missing(f)) return imp_bad(s, rec, col, f, "the id is missing");
        if (!imp_parse_id(f->data, f->len, &v))
            return imp_bad(s, rec, col, f, "is not a subscriber id (a whole number from 0 to "
                           "18446744073709551615)");
    }
    if (s->region >= 0) {
        const imp_column *col = &s->cols[s->region];
        const csv_field *f = &rec->fields[col->csv_index];
        if (imp_field_missing(f)) return imp_bad(s, rec, col, f, "the region is missing");
    }
    if (s->area >= 0) { /* issue 16 */
        const imp_column *col = &s->cols[s->area];
        const csv_field *f = &rec->fields[col->csv_index];
        if (imp_field_missing(f)) return imp_bad(s, rec, col, f, "the area is missing");
    }
    if (s->brand >= 0) {
        const imp_column *col = &s->cols[s->brand];
        const csv_field *f = &rec->fields[col->csv_index];
        if (imp_field_missing(f)) return imp_bad(s, rec, col, f, "the brand is missing");
    }
    if (s->ctype >= 0) CS_TRY(imp_check_churn_type(s, rec));
    if (s->like) {
        for (size_t i = 0; i < s->n_num_cols; i++) { /* the columns declared numeric, in file order */
            size_t c = s->num_cols[i];
            const imp_column *col = &s->cols[c];
            const csv_field *f = &rec->fields[c];
            double v = NAN;
            if (!imp_field_missing(f) && !csv_parse_double(f->data, f->len, &v)) {
                char ex[64];
                imp_excerpt(f->data, f->len, ex, sizeof ex);
                if (csv_number_overflows(f->data, f->len)) return imp_bad(s, rec, col, f, imp_nonfinite_why(ex));
                return imp_bad(s, rec, col, f, "is not a number (the column is numeric in the "
                               "snapshot imported like)");
            }
            if (fabs(v) > FLT_MAX) return imp_bad(s, rec, col, f, "is beyond the float32 range");
            if (s->num_row) s->num_row[c] = v; /* observe and encode take it from here */
        }
    }
    return CS_OK;
}

int imp_schema_encode(const imp_schema *s, const csv_record *rec, uint64_t ordinal, uint64_t *id,
                      uint16_t *region, uint8_t *brand, float *x, int8_t *label, int8_t *ctype)
{
    CS_TRY(imp_schema_check(s, rec));
    return imp_schema_encode_checked(s, rec, ordinal, id, region, brand, x, label, ctype);
}

int imp_schema_encode_checked(const imp_schema *s, const csv_record *rec, uint64_t ordinal, uint64_t *id,
                              uint16_t *region, uint8_t *brand, float *x, int8_t *label, int8_t *ctype)
{
    int t = 0;
    *id = ordinal;
    *region = (uint16_t)s->region_code;
    *brand = (uint8_t)s->brand_code;
    for (size_t c = 0; c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        const csv_field *f = &rec->fields[c];
        switch (col->kind) {
        case IMP_NUMERIC: {
            double v;
            if (s->num_row && col->decl_kind == IMP_NUMERIC) x[col->ind0] = (float)s->num_row[c]; /* checked; NaN: missing */
            else if (imp_field_missing(f)) x[col->ind0] = NAN;
            else if (csv_parse_double(f->data, f->len, &v)) x[col->ind0] = (float)v;
            else return imp_bad(s, rec, col, f, "is not a number, but the column held only numbers "
                                "in the first pass (did the file change?)");
            break;
        }
        case IMP_CATEGORY: {
            float fill = imp_field_missing(f) ? NAN : 0.0f;
            for (size_t k = 1; k < col->n_levels; k++)
                if (col->ind_of_code[k] >= 0) x[col->ind_of_code[k]] = fill;
            if (fill == 0.0f) {
                long i = imp_set_find(&col->levels, f->data, f->len);
                if (i >= 0) {
                    long j = col->ind_of_code[col->levels.code[i]];
                    if (j >= 0) x[j] = 1.0f;
                } else if (!s->like) {
                    return imp_bad(s, rec, col, f, "is a level the first pass did not see (did the "
                                   "file change?)");
                }
            }
            break;
        }
        case IMP_ID:
            imp_parse_id(f->data, f->len, id); /* checked */
            break;
        case IMP_REGION:
        case IMP_BRAND: {
            const imp_set *t = col->kind == IMP_REGION ? &s->region_set : &s->brand_set;
            long i = imp_set_find(t, f->data, f->len);
            if (i < 0)
                return imp_bad(s, rec, col, f, "is a name the first pass did not see (did the file "
                               "change?)");
            if (col->kind == IMP_REGION) *region = (uint16_t)t->code[i];
            else *brand = (uint8_t)t->code[i];
            break;
        }
        case IMP_LABEL:
            *label = (int8_t)imp_label_value(s, f);
            break;
        case IMP_CHURN_TYPE:
            t = imp_churn_value(s, f); /* checked: 0, 1 or 2 */
            if (ctype) *ctype = (int8_t)t;
            break;
        default:
            break;
        }
    }
    /* the churn type gives the label where there is none, or fills a missing one: a subscriber who
     * left in some way has left (imp_schema_check refused the disagreements) */
    if (s->ctype >= 0 && (s->label < 0 || (*label == -1 && t != 0))) *label = (int8_t)(t != 0);
    return CS_OK;
}
