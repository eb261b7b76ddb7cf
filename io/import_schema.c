/* import_schema.c — the column plan of an import: which CSV column plays which role.
 *
 * imp_schema_alloc reads the header and the options (--id, --label, --region, --brand,
 * --categorical, --ignore) into one imp_column per CSV column, and with --like takes the types and
 * levels of an earlier snapshot instead (imp_apply_like). The passes over the records live in
 * import_infer.c (pass 1 and the decision of types) and import_rows.c (checking and encoding a
 * record); the small helpers they share (message excerpts, kind names, the list parser) are here.
 */
#include "import_int.h"

#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* Helpers                                                                                        */

/* A printable excerpt of a field for messages: at most 40 bytes, cut at a UTF-8 boundary, control
 * characters shown as '?'. */
void imp_excerpt(const char *s, size_t n, char *out, size_t size)
{
    size_t k = n < 40 ? n : 40;
    if (k >= size) k = size - 1;
    while (k > 0 && k < n && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    for (size_t i = 0; i < k; i++) out[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    if (k < n && k + 4 < size) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}


const char *imp_kind_name(int k)
{
    switch (k) {
    case IMP_NUMERIC: return "numeric";
    case IMP_CATEGORY: return "category";
    case IMP_ID: return "id";
    case IMP_REGION: return "region";
    case IMP_AREA: return "area";
    case IMP_BRAND: return "brand";
    case IMP_LABEL: return "label";
    case IMP_IGNORE: return "ignored";
    case IMP_CHURN_TYPE: return "churn type";
    default: return "auto";
    }
}

char **imp_split_list(const char *s, size_t *n)
{
    size_t len = strlen(s), parts = len ? 1 : 0;
    for (size_t i = 0; i < len; i++) parts += s[i] == ',';
    char **v = malloc((parts + 1) * sizeof(char *) + len + 1);
    if (!v) return NULL;
    char *d = (char *)(v + parts + 1);
    memcpy(d, s, len + 1);
    size_t k = 0;
    if (len) {
        v[k++] = d;
        for (char *q = d; *q; q++)
            if (*q == ',') {
                *q = '\0';
                v[k++] = q + 1;
            }
    }
    v[k] = NULL;
    *n = k;
    return v;
}

/* ---------------------------------------------------------------------------------------------- */
/* The schema                                                                                     */

void imp_schema_free(imp_schema *s)
{
    if (!s) return;
    for (size_t c = 0; c < s->ncols; c++) {
        free(s->cols[c].name);
        imp_set_clear(&s->cols[c].levels);
        free(s->cols[c].ind_of_code);
    }
    free(s->cols);
    free(s->num_row);
    free(s->num_cols);
    free(s->auto_cols);
    free(s->switch_cols);
    imp_set_clear(&s->region_set);
    imp_set_clear(&s->brand_set);
    imp_area_clear(s);
    for (size_t j = 0; j < s->p; j++) free(s->feature_names ? s->feature_names[j] : NULL);
    free(s->feature_names);
    for (size_t j = 0; j < s->n_regions; j++) free(s->region_names ? s->region_names[j] : NULL);
    free(s->region_names);
    for (size_t j = 0; j < s->n_brands; j++) free(s->brand_names ? s->brand_names[j] : NULL);
    free(s->brand_names);
    free(s);
}

static long imp_col_by_name(const imp_schema *s, const char *name)
{
    for (size_t c = 0; c < s->ncols; c++)
        if (strcmp(s->cols[c].name, name) == 0) return (long)c;
    return -1;
}

/* Gives column `name` the role kind (option names it for messages). */
/* The churn-type options: the column with the values of both types, no value in two lists, no list
 * without the column. CS_EINVAL (exit 1) naming the option. */
static int imp_churn_type_check(const imp_options *o)
{
    if (!o->churn_type) {
        if (o->n_voluntary || o->n_involuntary || o->n_stayed)
            return CS_ERROR(CS_EINVAL, "options --voluntary, --involuntary and --stayed need --churn-type");
        return CS_OK;
    }
    if (!o->n_voluntary || !o->n_involuntary)
        return CS_ERROR(CS_EINVAL, "option --churn-type needs --voluntary and --involuntary (the values "
                        "of column '%s' that mean each type, e.g. --voluntary port_out,cancel "
                        "--involuntary arrears,abandoned)", o->churn_type);
    const char *const *lists[3] = {o->voluntary, o->involuntary, o->stayed};
    const size_t nl[3] = {o->n_voluntary, o->n_involuntary, o->n_stayed};
    static const char *const opt[3] = {"--voluntary", "--involuntary", "--stayed"};
    for (int a = 0; a < 3; a++)
        for (size_t i = 0; i < nl[a]; i++) {
            if (!lists[a][i][0])
                return CS_ERROR(CS_EINVAL, "option %s: an empty value (an empty field already means "
                                "no type)", opt[a]);
            for (int b = a; b < 3; b++)
                for (size_t k = (b == a ? i + 1 : 0); k < nl[b]; k++)
                    if (strcmp(lists[a][i], lists[b][k]) == 0)
                        return CS_ERROR(CS_EINVAL, "value '%s' is given twice (%s and %s)", lists[a][i],
                                        opt[a], opt[b]);
        }
    return CS_OK;
}

static int imp_assign(imp_schema *s, const char *name, int kind, const char *option, long *where)
{
    long c = imp_col_by_name(s, name);
    if (c < 0)
        return CS_ERROR(CS_EINVAL, "%s: option %s: no column '%s' in the header", s->o.file, option,
                        name);
    if (s->cols[c].kind != IMP_AUTO)
        return CS_ERROR(CS_EINVAL, "%s: column '%s' is given two roles (%s and %s)", s->o.file, name,
                        imp_kind_name(s->cols[c].kind), option);
    s->cols[c].kind = kind;
    if (where) *where = c;
    return CS_OK;
}

/* --like: the types and levels of the earlier snapshot. Each of its features must be covered by one
 * column of this file; the file's other columns are ignored. */
static int imp_apply_like(imp_schema *s, const imp_ref *ref)
{
    imp_set fi = {0}; /* the earlier snapshot's feature names, for lookups */
    int rc = CS_OK;
    for (size_t j = 0; rc == CS_OK && j < ref->p; j++) {
        const char *f = ref->feature_names[j];
        rc = imp_set_add(&fi, f, strlen(f), SIZE_MAX, SIZE_MAX);
    }
    int8_t *covered = calloc(ref->p ? ref->p : 1, 1);
    if (rc == CS_OK && !covered) rc = CS_ERROR(CS_ENOMEM, "out of memory");

    /* Mark the columns that hold features; the rest of the AUTO columns are ignored. */
    for (size_t c = 0; rc == CS_OK && c < s->ncols; c++) {
        imp_column *col = &s->cols[c];
        if (col->kind != IMP_AUTO) continue;
        if (ref->ncols > 0) {
            long k = -1;
            for (size_t q = 0; q < ref->ncols; q++)
                if (strcmp(ref->col_names[q], col->name) == 0) k = (long)q;
            if (k < 0) {
                col->kind = IMP_IGNORE;
                col->extra = 1;
                continue;
            }
            size_t l0 = 0;
            for (long q = 0; q < k; q++) l0 += (size_t)ref->level_count[q];
            if (ref->col_kind[k] == IMP_NUMERIC) {
                col->kind = IMP_NUMERIC;
                col->like_kind = IMP_NUMERIC;
            } else {
                col->kind = IMP_CATEGORY;
                col->like_kind = IMP_CATEGORY;
                for (size_t l = 0; rc == CS_OK && l < (size_t)ref->level_count[k]; l++) {
                    const char *lv = ref->levels[l0 + l];
                    if (l == 0 && lv[0] == '\0') col->like_partial = 1; /* first level unknown */
                    rc = imp_set_add(&col->levels, lv, strlen(lv), SIZE_MAX, SIZE_MAX);
                }
                if (rc == CS_OK && col->levels.n != (size_t)ref->level_count[k])
                    rc = CS_ERROR(CS_EFORMAT, "%s: /import/levels of column '%s' repeat a level",
                                  ref->file, col->name);
            }
        } else {
            long j = imp_set_find(&fi, col->name, strlen(col->name));
            if (j >= 0) {
                col->kind = col->like_kind = IMP_NUMERIC;
                continue;
            }
            /* column=level features of a category whose first level the snapshot does not record */
            size_t nl = strlen(col->name);
            int any = 0;
            for (size_t k = 0; rc == CS_OK && k < ref->p; k++) {
                const char *f = ref->feature_names[k];
                if (strncmp(f, col->name, nl) == 0 && f[nl] == '=') {
                    if (!any) rc = imp_set_add(&col->levels, "", 0, SIZE_MAX, SIZE_MAX);
                    any = 1;
                    if (rc == CS_OK) rc = imp_set_add(&col->levels, f + nl + 1, strlen(f + nl + 1),
                                                      SIZE_MAX, SIZE_MAX);
                }
            }
            if (any) {
                col->kind = col->like_kind = IMP_CATEGORY;
                col->like_partial = 1;
            } else {
                col->kind = IMP_IGNORE;
                col->extra = 1;
            }
        }
    }
    /* Every level of the earlier snapshot must map to one of its features. */
    for (size_t c = 0; rc == CS_OK && c < s->ncols; c++) {
        imp_column *col = &s->cols[c];
        if (col->kind == IMP_NUMERIC) {
            long j = imp_set_find(&fi, col->name, strlen(col->name));
            if (j < 0) {
                rc = CS_ERROR(CS_EFORMAT, "%s: column '%s' is described in /import but is not a "
                              "feature", ref->file, col->name);
                break;
            }
            col->ind0 = (size_t)j;
            col->nind = 1;
            covered[j]++;
        } else if (col->kind == IMP_CATEGORY) {
            col->n_levels = col->levels.n;
            col->ind_of_code = malloc((col->n_levels ? col->n_levels : 1) * sizeof(long));
            if (!col->ind_of_code) {
                rc = CS_ERROR(CS_ENOMEM, "out of memory");
                break;
            }
            col->nind = col->n_levels ? col->n_levels - 1 : 0;
            col->ind_of_code[0] = -1;
            for (size_t l = 1; rc == CS_OK && l < col->n_levels; l++) {
                char *nm = malloc(strlen(col->name) + col->levels.len[l] + 2);
                if (!nm) {
                    rc = CS_ERROR(CS_ENOMEM, "out of memory");
                    break;
                }
                sprintf(nm, "%s=%s", col->name, imp_set_str(&col->levels, l));
                long j = imp_set_find(&fi, nm, strlen(nm));
                if (j < 0)
                    rc = CS_ERROR(CS_EFORMAT, "%s: level '%s' of column '%s' is described in /import "
                                  "but '%s' is not a feature", ref->file, imp_set_str(&col->levels, l),
                                  col->name, nm);
                else {
                    col->ind_of_code[l] = j;
                    covered[j]++;
                }
                free(nm);
            }
        }
    }
    /* Every feature of the earlier snapshot must come from exactly one column of this file. */
    for (size_t j = 0; rc == CS_OK && j < ref->p; j++) {
        if (covered[j] == 1) continue;
        if (covered[j] > 1) {
            rc = CS_ERROR(CS_EFORMAT, "%s: feature '%s' of %s would be filled by two columns",
                          s->o.file, ref->feature_names[j], ref->file);
            break;
        }
        /* name the missing column: from /import if there is one, else the feature itself */
        const char *miss = ref->feature_names[j];
        for (size_t q = 0; q < ref->ncols; q++) {
            const char *cn = ref->col_names[q];
            size_t nl = strlen(cn);
            if (strcmp(cn, miss) == 0 || (strncmp(miss, cn, nl) == 0 && miss[nl] == '=')) {
                miss = cn;
                break;
            }
        }
        if (imp_col_by_name(s, miss) >= 0)
            rc = CS_ERROR(CS_EINVAL, "%s: column '%s' (feature '%s' of %s) is given another role here",
                          s->o.file, miss, ref->feature_names[j], ref->file);
        else if (ref->ncols > 0)
            rc = CS_ERROR(CS_EDATA, "%s: column '%s' of %s is missing (the file must have the "
                          "columns of the snapshot it is imported like)", s->o.file, miss, ref->file);
        else
            rc = CS_ERROR(CS_EDATA, "%s: no column gives feature '%s' of %s (a column of that name, "
                          "or for NAME=LEVEL a column NAME, must be there)", s->o.file, miss, ref->file);
    }
    /* Regions and brands: the earlier snapshot's names keep their codes; new ones come after. */
    for (size_t k = 0; rc == CS_OK && k < ref->n_regions; k++)
        rc = imp_set_add(&s->region_set, ref->region_names[k], strlen(ref->region_names[k]),
                         SIZE_MAX, SIZE_MAX);
    for (size_t k = 0; rc == CS_OK && k < ref->n_brands; k++)
        rc = imp_set_add(&s->brand_set, ref->brand_names[k], strlen(ref->brand_names[k]), SIZE_MAX,
                         SIZE_MAX);
    s->like_regions = s->region_set.n;
    s->like_brands = s->brand_set.n;
    imp_set_clear(&fi);
    free(covered);
    return rc;
}

int imp_schema_alloc(const csv_record *header, const imp_options *o, const imp_ref *like,
                     imp_schema **out)
{
    *out = NULL;
    imp_schema *s = calloc(1, sizeof *s);
    if (!s) return CS_ERROR(CS_ENOMEM, "out of memory");
    s->o = *o;
    if (!s->o.file) s->o.file = "(csv)";
    s->id = s->region = s->brand = s->label = s->ctype = s->area = -1;
    s->like = like;
    s->max_levels = o->max_levels ? o->max_levels : IMP_MAX_LEVELS;
    s->positive_len = o->positive ? strlen(o->positive) : 0;
    s->ncols = header->nfields;
    s->cols = calloc(s->ncols ? s->ncols : 1, sizeof *s->cols);
    if (like) s->num_row = calloc(s->ncols ? s->ncols : 1, sizeof *s->num_row);
    int rc = s->cols && (!like || s->num_row) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t c = 0; rc == CS_OK && c < s->ncols; c++) {
        const csv_field *f = &header->fields[c];
        imp_column *col = &s->cols[c];
        col->csv_index = c;
        if (memchr(f->data, '\0', f->len)) {
            rc = CS_ERROR(CS_EDATA, "%s, line %zu, column %zu: the column name holds a NUL byte",
                          s->o.file, header->line, c + 1);
            break;
        }
        if (f->len == 0) {
            col->name = malloc(32);
            if (col->name) snprintf(col->name, 32, "column_%zu", c + 1);
        } else {
            col->name = strdup(f->data); /* csv_header's fields are NUL-terminated */
        }
        if (!col->name) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t c = 0; rc == CS_OK && c < s->ncols; c++)
        for (size_t k = 0; k < c; k++)
            if (strcmp(s->cols[c].name, s->cols[k].name) == 0) {
                rc = CS_ERROR(CS_EDATA, "%s, line %zu: column name '%s' appears twice (columns %zu "
                              "and %zu)", s->o.file, header->line, s->cols[c].name, k + 1, c + 1);
                break;
            }
    if (rc == CS_OK && o->label && !o->positive)
        rc = CS_ERROR(CS_EINVAL, "option --label needs --positive (the value that means churned)");
    if (rc == CS_OK && o->id) rc = imp_assign(s, o->id, IMP_ID, "--id", &s->id);
    if (rc == CS_OK && o->region) rc = imp_assign(s, o->region, IMP_REGION, "--region", &s->region);
    if (rc == CS_OK && o->area) rc = imp_assign(s, o->area, IMP_AREA, "--area", &s->area); /* issue 16 */
    if (rc == CS_OK && o->brand) rc = imp_assign(s, o->brand, IMP_BRAND, "--brand", &s->brand);
    if (rc == CS_OK && o->label) rc = imp_assign(s, o->label, IMP_LABEL, "--label", &s->label);
    if (rc == CS_OK) rc = imp_churn_type_check(o);
    if (rc == CS_OK && o->churn_type)
        rc = imp_assign(s, o->churn_type, IMP_CHURN_TYPE, "--churn-type", &s->ctype);
    for (size_t k = 0; rc == CS_OK && k < o->n_ignore; k++)
        rc = imp_assign(s, o->ignore[k], IMP_IGNORE, "--ignore", NULL);
    if (rc == CS_OK && like && o->n_categorical)
        rc = CS_ERROR(CS_EINVAL, "option --categorical cannot be used with --like (the types come "
                      "from %s)", like->file);
    for (size_t k = 0; rc == CS_OK && k < o->n_categorical; k++) {
        long c = -1;
        rc = imp_assign(s, o->categorical[k], IMP_CATEGORY, "--categorical", &c);
        if (rc == CS_OK) s->cols[c].forced = 1;
    }
    if (rc == CS_OK && like) rc = imp_apply_like(s, like);
    if (rc != CS_OK) {
        imp_schema_free(s);
        return rc;
    }
    for (size_t c = 0; c < s->ncols; c++) s->cols[c].decl_kind = s->cols[c].kind;
    s->num_cols = malloc((s->ncols ? s->ncols : 1) * sizeof *s->num_cols);
    s->auto_cols = malloc((s->ncols ? s->ncols : 1) * sizeof *s->auto_cols);
    s->switch_cols = malloc((s->ncols ? s->ncols : 1) * sizeof *s->switch_cols);
    if (!s->num_cols || !s->auto_cols || !s->switch_cols) {
        imp_schema_free(s);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t c = 0; c < s->ncols; c++) {
        if (like && s->cols[c].decl_kind == IMP_NUMERIC) s->num_cols[s->n_num_cols++] = (uint32_t)c;
        if (s->cols[c].decl_kind == IMP_AUTO) s->auto_cols[s->n_auto_cols++] = (uint32_t)c;
        /* the kinds observe's switch does something for (they change only at imp_schema_finish) */
        switch (s->cols[c].decl_kind) {
        case IMP_ID: case IMP_CHURN_TYPE: case IMP_LABEL: case IMP_REGION: case IMP_BRAND: case IMP_CATEGORY:
            s->switch_cols[s->n_switch_cols++] = (uint32_t)c;
            break;
        default:
            break;
        }
    }
    *out = s;
    return CS_OK;
}
