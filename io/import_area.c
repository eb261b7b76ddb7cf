/* import_area.c — `import --area COL` (issue 16): the areas below the regions of a CSV extract.
 *
 * An area (a prefecture or county) is a name like a region's, kept in its own set; what is new is
 * that it lies inside one region. The first pass records each area's region from its first row
 * and refuses a row that puts it in another one (two regions' areas of the same name must be named
 * apart in the extract, e.g. 朝阳区 and 朝阳市); the finish gives the areas codes in byte order and
 * each its region's code; the second pass writes each row's code. Without --area nothing here runs.
 */
#include "import.h"
#include "import_int.h"

#include "status.h"

#include <stdlib.h>
#include <string.h>

#define IMP_MAX_AREAS 65535
#define IMP_NO_PARENT UINT32_MAX /* no --region: every area lies in the one region "all" */

/* The region set index of the row's region (IMP_NO_PARENT without --region). */
static uint32_t imp_area_row_region(const imp_schema *s, const csv_record *rec)
{
    if (s->region < 0) return IMP_NO_PARENT;
    const csv_field *r = &rec->fields[s->cols[s->region].csv_index];
    long i = imp_set_find(&s->region_set, r->data, r->len);
    return i < 0 ? IMP_NO_PARENT : (uint32_t)i;
}

static int imp_area_conflict(const imp_schema *s, const csv_record *rec, const csv_field *f, uint32_t parent,
                             uint32_t was)
{
    char ex[64];
    imp_excerpt(f->data, f->len, ex, sizeof ex);
    return CS_ERROR(CS_EDATA, "%s, line %zu: area '%s' lies in region '%s' on an earlier line and in '%s' "
                    "here (an area lies in one region: name two areas apart)", s->o.file, rec->line, ex,
                    imp_set_str(&s->region_set, was), imp_set_str(&s->region_set, parent));
}

int imp_area_add(imp_schema *s, const char *name, size_t len, uint32_t parent, long *index, int *added)
{
    size_t before = s->area_set.n;
    int rc = imp_set_add(&s->area_set, name, len, IMP_MAX_AREAS, (size_t)64 << 20);
    if (rc == 1)
        return CS_ERROR(CS_EFORMAT, "%s: column '%s' (--area) has more than %d distinct areas", s->o.file,
                        s->cols[s->area].name, IMP_MAX_AREAS);
    CS_TRY(rc);
    *index = imp_set_find(&s->area_set, name, len);
    *added = s->area_set.n > before;
    if (!*added) return CS_OK;
    if (s->area_set.n > s->area_cap) {
        size_t cap = s->area_cap ? 2 * s->area_cap : 64;
        uint32_t *t = realloc(s->area_parent, cap * sizeof *t);
        if (!t) return CS_ERROR(CS_ENOMEM, "out of memory");
        s->area_parent = t;
        s->area_cap = cap;
    }
    s->area_parent[*index] = parent;
    return CS_OK;
}

int imp_area_observe(imp_schema *s, const csv_record *rec)
{
    if (s->area < 0) return CS_OK;
    const csv_field *f = &rec->fields[s->cols[s->area].csv_index]; /* present: imp_schema_check */
    uint32_t parent = imp_area_row_region(s, rec); /* the row's region was added by this pass */
    long a;
    int added;
    CS_TRY(imp_area_add(s, f->data, f->len, parent, &a, &added));
    if (s->cell_row) s->cell_row[s->area] = (uint32_t)a;
    if (!added && s->area_parent[a] != parent) {
        if (s->area_provisional) {
            s->area_conflicts++; /* decided once every part's first regions are known */
            return CS_OK;
        }
        return imp_area_conflict(s, rec, f, parent, s->area_parent[a]);
    }
    return CS_OK;
}

int imp_area_check(const imp_schema *s, const csv_record *rec)
{
    if (s->area < 0) return CS_OK;
    const csv_field *f = &rec->fields[s->cols[s->area].csv_index];
    long a = imp_set_find(&s->area_set, f->data, f->len);
    uint32_t parent = imp_area_row_region(s, rec);
    if (a >= 0 && s->area_parent[a] != parent) return imp_area_conflict(s, rec, f, parent, s->area_parent[a]);
    return CS_OK;
}

int imp_area_finish(imp_schema *s)
{
    if (s->area < 0) return CS_OK;
    imp_set *t = &s->area_set;
    size_t *order = malloc((t->n ? t->n : 1) * sizeof *order);
    s->area_names = calloc(t->n ? t->n : 1, sizeof(char *));
    s->area_region = malloc((t->n ? t->n : 1) * sizeof *s->area_region);
    if (!order || !s->area_names || !s->area_region) {
        free(order);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    int rc = imp_set_codes(t, 0, order);
    s->n_areas = t->n;
    for (size_t k = 0; rc == CS_OK && k < t->n; k++) {
        size_t i = order[k];
        s->area_names[k] = strdup(imp_set_str(t, i));
        if (!s->area_names[k]) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        uint32_t p = s->area_parent[i];
        s->area_region[k] = (uint16_t)(p == IMP_NO_PARENT ? s->region_code : s->region_set.code[p]);
    }
    free(order);
    return rc;
}

int imp_area_encode(const imp_schema *s, const csv_record *rec, uint16_t *area)
{
    if (s->area < 0) return CS_OK;
    const csv_field *f = &rec->fields[s->cols[s->area].csv_index]; /* present: imp_schema_check */
    long i = imp_set_find(&s->area_set, f->data, f->len);
    if (i < 0)
        return CS_ERROR(CS_EDATA, "%s, line %zu: an area the first pass did not see (did the file "
                        "change?)", s->o.file, rec->line);
    *area = (uint16_t)s->area_set.code[i];
    return CS_OK;
}

void imp_area_clear(imp_schema *s)
{
    imp_set_clear(&s->area_set);
    free(s->area_parent);
    for (size_t k = 0; k < s->n_areas; k++) free(s->area_names ? s->area_names[k] : NULL);
    free(s->area_names);
    free(s->area_region);
}
