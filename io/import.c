/* import.c — the CSV-to-snapshot schema (see import.h).
 *
 * Levels live in one imp_set per column: the strings in one growing byte area, an open-addressing
 * hash index, and after imp_schema_finish the output code of each string. Nothing here grows with
 * the rows of the file; a set grows with the distinct values of one column and stops at its cap.
 */
#include "import.h"

#include "h5util.h"
#include "snapshot.h"
#include "status.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* imp_set: distinct byte strings                                                                 */

static uint64_t imp_hash(const char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t v = 0;
    memcpy(&v, p, n);
    h = (h ^ v) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

static void imp_set_clear(imp_set *t)
{
    free(t->bytes);
    free(t->off);
    free(t->len);
    free(t->slot);
    free(t->code);
    memset(t, 0, sizeof *t);
}

static const char *imp_set_str(const imp_set *t, size_t i) { return t->bytes + t->off[i]; }

/* Index of s[0..n) in t, or -1. */
static long imp_set_find(const imp_set *t, const char *s, size_t n)
{
    if (t->nslot == 0) return -1;
    size_t mask = t->nslot - 1, h = (size_t)imp_hash(s, n) & mask;
    for (;;) {
        uint32_t k = t->slot[h];
        if (k == 0) return -1;
        k--;
        if (t->len[k] == n && memcmp(t->bytes + t->off[k], s, n) == 0) return (long)k;
        h = (h + 1) & mask;
    }
}

/* Adds s[0..n) unless present. Returns CS_OK, 1 when adding it would exceed max_n strings or
 * max_bytes bytes (nothing added), or CS_ENOMEM. */
static int imp_set_add(imp_set *t, const char *s, size_t n, size_t max_n, size_t max_bytes)
{
    if (imp_set_find(t, s, n) >= 0) return CS_OK;
    if (t->n >= max_n || t->used + n + 1 > max_bytes) return 1;
    if (t->n == t->ncap) {
        size_t nc = t->ncap ? 2 * t->ncap : 16;
        size_t *o = realloc(t->off, nc * sizeof *o);
        if (o) t->off = o;
        uint32_t *l = realloc(t->len, nc * sizeof *l);
        if (l) t->len = l;
        if (!o || !l) return CS_ERROR(CS_ENOMEM, "out of memory for the levels of a column");
        t->ncap = nc;
    }
    if (t->used + n + 1 > t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 256;
        while (nc < t->used + n + 1) nc *= 2;
        char *b = realloc(t->bytes, nc);
        if (!b) return CS_ERROR(CS_ENOMEM, "out of memory for the levels of a column");
        t->bytes = b;
        t->cap = nc;
    }
    if (2 * (t->n + 1) > t->nslot) {
        size_t ns = t->nslot ? 2 * t->nslot : 32;
        uint32_t *sl = calloc(ns, sizeof *sl);
        if (!sl) return CS_ERROR(CS_ENOMEM, "out of memory for the levels of a column");
        for (size_t k = 0; k < t->n; k++) {
            size_t h = (size_t)imp_hash(t->bytes + t->off[k], t->len[k]) & (ns - 1);
            while (sl[h]) h = (h + 1) & (ns - 1);
            sl[h] = (uint32_t)(k + 1);
        }
        free(t->slot);
        t->slot = sl;
        t->nslot = ns;
    }
    memcpy(t->bytes + t->used, s, n);
    t->bytes[t->used + n] = '\0';
    t->off[t->n] = t->used;
    t->len[t->n] = (uint32_t)n;
    t->used += n + 1;
    size_t h = (size_t)imp_hash(s, n) & (t->nslot - 1);
    while (t->slot[h]) h = (h + 1) & (t->nslot - 1);
    t->slot[h] = (uint32_t)(t->n + 1);
    t->n++;
    return CS_OK;
}

/* Byte order, a prefix before the longer string: what `sort` does under LC_ALL=C. */
static int imp_cmp_idx(const imp_set *t, size_t i, size_t j)
{
    size_t li = t->len[i], lj = t->len[j];
    int c = memcmp(t->bytes + t->off[i], t->bytes + t->off[j], li < lj ? li : lj);
    if (c) return c;
    return li < lj ? -1 : li > lj;
}

/* Sorts the string indices a[0..n) by imp_cmp_idx: a bottom-up merge sort, because qsort's
 * comparator has no context argument and the set would have to travel in a global. tmp holds n. */
static void imp_sort_idx(const imp_set *t, size_t *a, size_t n, size_t *tmp)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = imp_cmp_idx(t, a[j], a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* Gives strings [first, n) the codes first + their rank in byte order among themselves, strings
 * [0, first) keep code = index (the earlier snapshot's order). order (n entries) receives the
 * indices by code. */
static int imp_set_codes(imp_set *t, size_t first, size_t *order)
{
    free(t->code);
    t->code = malloc((t->n ? t->n : 1) * sizeof *t->code);
    size_t *tmp = malloc((t->n ? t->n : 1) * sizeof *tmp);
    if (!t->code || !tmp) {
        free(tmp);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->n; i++) order[i] = i;
    imp_sort_idx(t, order + first, t->n - first, tmp);
    for (size_t k = 0; k < t->n; k++) t->code[order[k]] = (uint32_t)k;
    free(tmp);
    return CS_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Helpers                                                                                        */

/* A printable excerpt of a field for messages: at most 40 bytes, cut at a UTF-8 boundary, control
 * characters shown as '?'. */
static void imp_excerpt(const char *s, size_t n, char *out, size_t size)
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

/* A decimal id: digits only, below 2^64. */
static int imp_parse_id(const char *s, size_t n, uint64_t *out)
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

static int imp_field_missing(const csv_field *f) { return csv_field_missing(f); }

static const char *imp_kind_name(int k)
{
    switch (k) {
    case IMP_NUMERIC: return "numeric";
    case IMP_CATEGORY: return "category";
    case IMP_ID: return "id";
    case IMP_REGION: return "region";
    case IMP_BRAND: return "brand";
    case IMP_LABEL: return "label";
    case IMP_IGNORE: return "ignored";
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
    imp_set_clear(&s->region_set);
    imp_set_clear(&s->brand_set);
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
    s->id = s->region = s->brand = s->label = -1;
    s->like = like;
    s->max_levels = o->max_levels ? o->max_levels : IMP_MAX_LEVELS;
    s->positive_len = o->positive ? strlen(o->positive) : 0;
    s->ncols = header->nfields;
    s->cols = calloc(s->ncols ? s->ncols : 1, sizeof *s->cols);
    int rc = s->cols ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
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
    if (rc == CS_OK && o->brand) rc = imp_assign(s, o->brand, IMP_BRAND, "--brand", &s->brand);
    if (rc == CS_OK && o->label) rc = imp_assign(s, o->label, IMP_LABEL, "--label", &s->label);
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
    *out = s;
    return CS_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Records                                                                                        */

static int imp_bad(const imp_schema *s, const csv_record *rec, const imp_column *col,
                   const csv_field *f, const char *what)
{
    char ex[64];
    int show = !imp_field_missing(f);
    imp_excerpt(f->data, show ? f->len : 0, ex, sizeof ex);
    return CS_ERROR(CS_EDATA, "%s, line %zu, column %zu (%s): %s%s%s%s", s->o.file, rec->line,
                    col->csv_index + 1, col->name, show ? "'" : "", ex, show ? "' " : "", what);
}

/* Why a number that csv_number_overflows or the float32 check caught cannot be an indicator. */
static const char *imp_nonfinite_why(const char *text)
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
    if (s->brand >= 0) {
        const imp_column *col = &s->cols[s->brand];
        const csv_field *f = &rec->fields[col->csv_index];
        if (imp_field_missing(f)) return imp_bad(s, rec, col, f, "the brand is missing");
    }
    if (s->like) {
        for (size_t c = 0; c < s->ncols; c++) {
            const imp_column *col = &s->cols[c];
            if (col->decl_kind != IMP_NUMERIC) continue;
            const csv_field *f = &rec->fields[c];
            double v;
            if (imp_field_missing(f)) continue;
            if (csv_number_overflows(f->data, f->len)) {
                char ex[64];
                imp_excerpt(f->data, f->len, ex, sizeof ex);
                return imp_bad(s, rec, col, f, imp_nonfinite_why(ex));
            }
            if (!csv_parse_double(f->data, f->len, &v))
                return imp_bad(s, rec, col, f, "is not a number (the column is numeric in the "
                               "snapshot imported like)");
            if (fabs(v) > FLT_MAX) return imp_bad(s, rec, col, f, "is beyond the float32 range");
        }
    }
    return CS_OK;
}

/* Adds a level; 1 from imp_set_add (cap reached) becomes the column's overflow. */
static int imp_add_level(imp_schema *s, imp_column *col, const csv_field *f)
{
    size_t max_n = s->max_levels, max_b = IMP_MAX_LEVEL_BYTES;
    if (col->kind == IMP_REGION) max_n = IMP_MAX_REGIONS, max_b = (size_t)64 << 20;
    if (col->kind == IMP_BRAND) max_n = IMP_MAX_BRANDS, max_b = (size_t)1 << 20;
    imp_set *t = col->kind == IMP_REGION ? &s->region_set
               : col->kind == IMP_BRAND  ? &s->brand_set
                                         : &col->levels;
    int rc = imp_set_add(t, f->data, f->len, max_n, max_b);
    if (rc == 1) {
        col->overflow = 1;
        return CS_OK;
    }
    return rc;
}

/* Stops pass 1 early when a column is certain to fail: more text values than a category may have. */
static int imp_overflow_error(const imp_schema *s, const imp_column *col)
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
static void imp_count_number(imp_column *col, const csv_record *rec, const csv_field *f, double v)
{
    col->numbers++;
    double a = fabs(v);
    if (a > FLT_MAX) {
        if (!col->range_line) {
            col->range_line = rec->line;
            imp_excerpt(f->data, f->len, col->range_value, sizeof col->range_value);
        }
    } else if (a >= 16777216.0 && (double)(float)v != v && v == floor(v)) {
        col->inexact++;
    }
}

int imp_schema_observe(imp_schema *s, const csv_record *rec)
{
    CS_TRY(imp_schema_check(s, rec));
    int unseen = 0;
    for (size_t c = 0; c < s->ncols; c++) {
        imp_column *col = &s->cols[c];
        const csv_field *f = &rec->fields[c];
        switch (col->kind) {
        case IMP_ID:
        case IMP_IGNORE:
            break;
        case IMP_LABEL:
            if (imp_field_missing(f)) {
                s->n_unlabelled++;
                break;
            }
            if (f->len == s->positive_len && memcmp(f->data, s->o.positive, f->len) == 0) s->n_pos++;
            else s->n_neg++;
            if (s->n_label_values < 8) {
                char ex[32];
                imp_excerpt(f->data, f->len, ex, sizeof ex);
                size_t k = 0;
                while (k < s->n_label_values && strcmp(s->label_values[k], ex) != 0) k++;
                if (k == s->n_label_values) strcpy(s->label_values[s->n_label_values++], ex);
            }
            break;
        case IMP_REGION:
        case IMP_BRAND:
            CS_TRY(imp_add_level(s, col, f));
            if (col->overflow) return imp_overflow_error(s, col);
            break;
        case IMP_NUMERIC: { /* --like: checked to be a number */
            double v = 0;
            if (imp_field_missing(f)) col->missing++;
            else if (csv_parse_double(f->data, f->len, &v)) imp_count_number(col, rec, f, v);
            else if (csv_number_overflows(f->data, f->len)) imp_count_number(col, rec, f, HUGE_VAL);
            break;
        }
        case IMP_CATEGORY:
            if (imp_field_missing(f)) {
                col->missing++;
            } else if (s->like) {
                col->texts++;
                if (imp_set_find(&col->levels, f->data, f->len) < 0) {
                    if (!col->unseen++) {
                        col->unseen_line = rec->line;
                        imp_excerpt(f->data, f->len, col->unseen_value, sizeof col->unseen_value);
                    }
                    unseen = 1;
                }
            } else {
                col->texts++;
                CS_TRY(imp_add_level(s, col, f));
                if (col->overflow) return imp_overflow_error(s, col);
            }
            break;
        default: { /* IMP_AUTO */
            double v;
            if (imp_field_missing(f)) {
                col->missing++;
            } else if (col->texts == 0 && csv_parse_double(f->data, f->len, &v)) {
                imp_count_number(col, rec, f, v);
            } else if (col->texts == 0 && csv_number_overflows(f->data, f->len)) {
                /* 1e400 is a number out of range, not text: counted as one beyond float32, which
                 * imp_schema_finish refuses with its line if the column stays numeric (it once
                 * made the column a category of every value) */
                imp_count_number(col, rec, f, HUGE_VAL);
            } else {
                if (col->texts++ == 0) {
                    col->text_line = rec->line;
                    imp_excerpt(f->data, f->len, col->text_value, sizeof col->text_value);
                    if (col->numbers > 0) col->rescan = 1;
                }
                CS_TRY(imp_add_level(s, col, f));
                if (col->overflow) return imp_overflow_error(s, col);
            }
            break;
        }
        }
    }
    s->unseen_rows += (uint64_t)unseen;
    s->rows++;
    return CS_OK;
}

int imp_schema_needs_rescan(const imp_schema *s)
{
    for (size_t c = 0; c < s->ncols; c++)
        if (s->cols[c].rescan) return 1;
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
        if (!col->rescan || imp_field_missing(f)) continue;
        CS_TRY(imp_add_level(s, col, f));
        if (col->overflow) return imp_overflow_error(s, col);
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
        if (col->kind == IMP_CATEGORY && col->overflow) return imp_overflow_error(s, col);
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

int imp_schema_encode(const imp_schema *s, const csv_record *rec, uint64_t ordinal, uint64_t *id,
                      uint16_t *region, uint8_t *brand, float *x, int8_t *label)
{
    CS_TRY(imp_schema_check(s, rec));
    *id = ordinal;
    *region = (uint16_t)s->region_code;
    *brand = (uint8_t)s->brand_code;
    for (size_t c = 0; c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        const csv_field *f = &rec->fields[c];
        switch (col->kind) {
        case IMP_NUMERIC: {
            double v;
            if (imp_field_missing(f)) x[col->ind0] = NAN;
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
            *label = imp_field_missing(f) ? -1
                   : (f->len == s->positive_len && memcmp(f->data, s->o.positive, f->len) == 0) ? 1
                                                                                               : 0;
            break;
        default:
            break;
        }
    }
    return CS_OK;
}

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
    } else {
        fprintf(out, "label: none (the snapshot has no labels)\n");
    }
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

/* ---------------------------------------------------------------------------------------------- */
/* The /import description                                                                        */

void imp_ref_free(imp_ref *r)
{
    if (!r) return;
    h5util_strings_free(r->feature_names, r->p);
    h5util_strings_free(r->region_names, r->n_regions);
    h5util_strings_free(r->brand_names, r->n_brands);
    h5util_strings_free(r->col_names, r->ncols);
    h5util_strings_free(r->levels, r->n_levels);
    free(r->col_kind);
    free(r->level_count);
    free(r->file);
    free(r);
}

static int imp_ref_names(imp_ref *r, const snap_schema *sc)
{
    r->p = sc->p;
    r->n_regions = sc->n_regions;
    r->n_brands = sc->n_brands;
    r->feature_names = calloc(sc->p ? sc->p : 1, sizeof(char *));
    r->region_names = calloc(sc->n_regions ? sc->n_regions : 1, sizeof(char *));
    r->brand_names = calloc(sc->n_brands ? sc->n_brands : 1, sizeof(char *));
    if (!r->feature_names || !r->region_names || !r->brand_names)
        return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t j = 0; j < sc->p; j++)
        if (!(r->feature_names[j] = strdup(sc->feature_names[j]))) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t j = 0; j < sc->n_regions; j++)
        if (!(r->region_names[j] = strdup(sc->region_names[j]))) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t j = 0; j < sc->n_brands; j++)
        if (!(r->brand_names[j] = strdup(sc->brand_names[j]))) return CS_ERROR(CS_ENOMEM, "out of memory");
    return CS_OK;
}

static int imp_ref_meta(imp_ref *r, hid_t f)
{
    const char *fn = r->file;
    size_t nk = 0, nc = 0, nl = 0;
    char **kinds = NULL;
    CS_TRY(h5util_read_strings(f, "/import/columns", fn, &r->col_names, &r->ncols));
    CS_TRY(h5util_read_strings(f, "/import/kind", fn, &kinds, &nk));
    int rc = h5util_read_i32(f, "/import/level_count", fn, &r->level_count, &nc);
    if (rc == CS_OK) rc = h5util_read_strings(f, "/import/levels", fn, &r->levels, &r->n_levels);
    if (rc == CS_OK && (nk != r->ncols || nc != r->ncols))
        rc = CS_ERROR(CS_EFORMAT, "%s: /import/columns, kind and level_count differ in length", fn);
    if (rc == CS_OK) {
        r->col_kind = malloc((r->ncols ? r->ncols : 1) * sizeof(int32_t));
        if (!r->col_kind) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t c = 0; rc == CS_OK && c < r->ncols; c++) {
        if (strcmp(kinds[c], "numeric") == 0) r->col_kind[c] = IMP_NUMERIC;
        else if (strcmp(kinds[c], "category") == 0) r->col_kind[c] = IMP_CATEGORY;
        else rc = CS_ERROR(CS_EFORMAT, "%s: /import/kind: '%s' is not numeric or category", fn, kinds[c]);
        if (rc == CS_OK && (r->level_count[c] < 0 ||
                            (r->col_kind[c] == IMP_CATEGORY) != (r->level_count[c] > 0)))
            rc = CS_ERROR(CS_EFORMAT, "%s: /import/level_count of '%s' is %d", fn, r->col_names[c],
                          (int)r->level_count[c]);
        if (rc == CS_OK) nl += (size_t)r->level_count[c];
    }
    if (rc == CS_OK && nl != r->n_levels)
        rc = CS_ERROR(CS_EFORMAT, "%s: /import/levels holds %zu names, level_count sums to %zu", fn,
                      r->n_levels, nl);
    const char *an[5] = {"label", "positive", "id", "region", "brand"};
    char *dst[5] = {r->label, r->positive, r->id, r->region, r->brand};
    hid_t g = rc == CS_OK ? H5Gopen2(f, "/import", H5P_DEFAULT) : -1;
    for (int k = 0; rc == CS_OK && k < 5; k++)
        if (h5util_attr_exists(g, an[k]) > 0) rc = h5util_attr_read_str(g, an[k], dst[k], 256);
    if (g >= 0) H5Gclose(g);
    h5util_strings_free(kinds, nk);
    return rc;
}

int imp_ref_read(const char *path, imp_ref **out)
{
    *out = NULL;
    imp_ref *r = calloc(1, sizeof *r);
    if (!r || !(r->file = strdup(path))) {
        free(r);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    snap_reader *sr = NULL;
    int rc = snap_open(path, MPI_COMM_NULL, &sr);
    if (rc == CS_OK) rc = imp_ref_names(r, snap_schema_of(sr));
    snap_close(sr);
    hid_t f = -1;
    if (rc == CS_OK) rc = h5util_open_read(path, MPI_COMM_NULL, &f);
    if (rc == CS_OK && H5Lexists(f, "/import", H5P_DEFAULT) > 0) rc = imp_ref_meta(r, f);
    if (f >= 0) H5Fclose(f);
    if (rc != CS_OK) {
        imp_ref_free(r);
        return rc;
    }
    *out = r;
    return CS_OK;
}

int imp_meta_write(const char *path, const imp_schema *s)
{
    size_t nc = 0, nl = 0;
    for (size_t c = 0; c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        if (col->kind == IMP_NUMERIC) nc++;
        if (col->kind == IMP_CATEGORY) nc++, nl += col->levels.n;
    }
    const char **names = malloc((nc ? nc : 1) * sizeof(char *));
    const char **kinds = malloc((nc ? nc : 1) * sizeof(char *));
    int32_t *count = malloc((nc ? nc : 1) * sizeof(int32_t));
    const char **levels = malloc((nl ? nl : 1) * sizeof(char *));
    size_t *order = NULL;
    int rc = (names && kinds && count && levels) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    size_t k = 0, l = 0;
    for (size_t c = 0; rc == CS_OK && c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        if (col->kind != IMP_NUMERIC && col->kind != IMP_CATEGORY) continue;
        names[k] = col->name;
        kinds[k] = col->kind == IMP_NUMERIC ? "numeric" : "category";
        count[k] = col->kind == IMP_CATEGORY ? (int32_t)col->levels.n : 0;
        k++;
        if (col->kind != IMP_CATEGORY) continue;
        free(order);
        order = malloc((col->levels.n ? col->levels.n : 1) * sizeof *order);
        if (!order) {
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
            break;
        }
        for (size_t q = 0; q < col->levels.n; q++) order[col->levels.code[q]] = q;
        for (size_t q = 0; q < col->levels.n; q++) levels[l++] = imp_set_str(&col->levels, order[q]);
    }
    free(order);
    hid_t f = -1, g = -1;
    if (rc == CS_OK) {
        f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
        if (f < 0) rc = CS_ERROR(CS_EIO, "%s: cannot open to add /import", path);
    }
    if (rc == CS_OK) {
        g = H5Gcreate2(f, "/import", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0) rc = CS_ERROR(CS_EIO, "%s: cannot create /import", path);
    }
    const char *an[6] = {"csv", "label", "positive", "id", "region", "brand"};
    const char *av[6] = {s->o.file, s->o.label, s->o.positive, s->o.id, s->o.region, s->o.brand};
    for (int a = 0; rc == CS_OK && a < 6; a++)
        rc = h5util_attr_write_str(g, an[a], av[a] ? av[a] : "");
    if (rc == CS_OK) rc = h5util_write_strings(f, "/import/columns", names, nc);
    if (rc == CS_OK) rc = h5util_write_strings(f, "/import/kind", kinds, nc);
    if (rc == CS_OK) rc = h5util_write_i32(f, "/import/level_count", count, nc);
    if (rc == CS_OK) rc = h5util_write_strings(f, "/import/levels", levels, nl);
    if (g >= 0) H5Gclose(g);
    if (f >= 0) {
        /* reserved, or abandoned, before the close: a full disk cannot crash HDF5 */
        int crc = h5util_close_file(f, path);
        if (rc == CS_OK) rc = crc;
    }
    if (rc != CS_OK && status_code() == CS_EIO && !strstr(status_message(), path)) {
        char why[512]; /* the reason lives in the buffer CS_ERROR writes */
        snprintf(why, sizeof why, "%s", status_reason());
        rc = CS_ERROR(CS_EIO, "%s: %s", path, why);
    }
    free(names);
    free(kinds);
    free(count);
    free(levels);
    return rc;
}
