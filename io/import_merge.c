/* import_merge.c — pass 1 of an import read in parts, merged into what one serial pass would find.
 *
 * A parallel import (mpi/cmd_import.c) gives each rank a part of the file cut at record boundaries
 * (csv_split.c). Each rank observes its records into a schema of its own, exactly as a serial pass
 * would; imp_schema_pack turns the findings into bytes that travel between ranks, and
 * imp_schema_absorb merges them part by part, in file order, into one fresh schema. What a serial
 * pass decides record by record from what came before is rebuilt here from each part's summary:
 *   - counts add up; "first" things (first text of a column, first unseen level, first value beyond
 *     float32, the first 8 label values) come from the earliest part that has one;
 *   - a column of numbers turns to text at its first text: numbers after it are levels, not numbers.
 *     A later part that has not seen that text counted its numbers as numbers; they are dropped from
 *     the counts (as a serial pass never counted them) and the column is marked for the level pass
 *     (regather), which collects every value of the column as serial's rescan does;
 *   - levels and names are unions (each capped as in a serial pass: over the cap is the column's
 *     overflow, reported when the schema is finished); codes are ranks in byte order, so the order
 *     in which the union was built does not show in the snapshot;
 *   - an area's region is that of its first row in the file; a later part that found the area in
 *     another region first, or rows of an area in two regions, marks the merge irregular (the caller
 *     then reads the file serially: the rows to skip depend on the first region).
 */
#include "import_int.h"

#include "status.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* Bytes                                                                                          */

static void pack_put(imp_pack *b, const void *src, size_t n)
{
    if (b->failed) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

void imp_pack_u64(imp_pack *b, uint64_t v) { pack_put(b, &v, sizeof v); }

void imp_pack_str(imp_pack *b, const char *s, size_t n)
{
    imp_pack_u64(b, n);
    pack_put(b, s, n);
}

void imp_pack_clear(imp_pack *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

uint64_t imp_unpack_u64(imp_unpack *u)
{
    uint64_t v = 0;
    if (u->bad || (size_t)(u->end - u->p) < sizeof v) {
        u->bad = 1;
        return 0;
    }
    memcpy(&v, u->p, sizeof v);
    u->p += sizeof v;
    return v;
}

const char *imp_unpack_str(imp_unpack *u, size_t *n)
{
    uint64_t len = imp_unpack_u64(u);
    if (u->bad || (uint64_t)(u->end - u->p) < len) {
        u->bad = 1;
        *n = 0;
        return "";
    }
    const char *s = u->p;
    u->p += len;
    *n = (size_t)len;
    return s;
}

static void pack_set(imp_pack *b, const imp_set *t)
{
    imp_pack_u64(b, t->n);
    for (size_t k = 0; k < t->n; k++) imp_pack_str(b, imp_set_str(t, k), t->len[k]);
}

/* The text of a fixed-size message field (text_value and its kind). */
static void pack_cstr(imp_pack *b, const char *s) { imp_pack_str(b, s, strlen(s)); }

static void unpack_cstr(imp_unpack *u, char *out, size_t size)
{
    size_t n;
    const char *s = imp_unpack_str(u, &n);
    if (n >= size) n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* ---------------------------------------------------------------------------------------------- */
/* Packing                                                                                        */

int imp_schema_pack(const imp_schema *s, int levels_only, imp_pack *b)
{
    imp_pack_u64(b, s->ncols);
    imp_pack_u64(b, (uint64_t)levels_only);
    if (levels_only) {
        for (size_t c = 0; c < s->ncols; c++) {
            const imp_column *col = &s->cols[c];
            imp_pack_u64(b, (uint64_t)col->overflow);
            pack_set(b, &col->levels);
        }
        return b->failed ? CS_ERROR(CS_ENOMEM, "out of memory packing the levels") : CS_OK;
    }
    const uint64_t head[] = {s->rows, s->n_pos, s->n_neg, s->n_unlabelled, s->n_voluntary,
                             s->n_involuntary, s->unseen_rows, s->area_conflicts, s->n_label_values};
    for (size_t k = 0; k < sizeof head / sizeof head[0]; k++) imp_pack_u64(b, head[k]);
    for (size_t k = 0; k < s->n_label_values; k++) pack_cstr(b, s->label_values[k]);
    for (size_t c = 0; c < s->ncols; c++) {
        const imp_column *col = &s->cols[c];
        const uint64_t v[] = {col->missing,  col->numbers,   col->texts,  col->text_line,
                              (uint64_t)col->rescan, (uint64_t)col->overflow, col->inexact,
                              col->range_line, col->unseen, col->unseen_line};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) imp_pack_u64(b, v[k]);
        pack_cstr(b, col->text_value);
        pack_cstr(b, col->range_value);
        pack_cstr(b, col->unseen_value);
        pack_set(b, &col->levels);
    }
    pack_set(b, &s->region_set);
    pack_set(b, &s->brand_set);
    imp_pack_u64(b, s->area_set.n);
    for (size_t k = 0; k < s->area_set.n; k++) {
        imp_pack_str(b, imp_set_str(&s->area_set, k), s->area_set.len[k]);
        uint32_t par = s->area_parent[k];
        imp_pack_u64(b, par == UINT32_MAX ? 0 : 1);
        if (par != UINT32_MAX) imp_pack_str(b, imp_set_str(&s->region_set, par), s->region_set.len[par]);
    }
    return b->failed ? CS_ERROR(CS_ENOMEM, "out of memory packing pass 1 of the import") : CS_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Absorbing                                                                                      */

/* The levels of the pack's next set into column col of g (capped as imp_level_add caps them). */
static int absorb_levels(imp_schema *g, imp_column *col, imp_unpack *u, int keep)
{
    uint64_t n = imp_unpack_u64(u);
    for (uint64_t k = 0; k < n && !u->bad; k++) {
        size_t len;
        const char *str = imp_unpack_str(u, &len);
        if (keep) CS_TRY(imp_level_add(g, col, str, len, NULL));
    }
    return CS_OK;
}

/* Region or brand names: the union, in the order met (codes come from byte order at finish). */
static int absorb_names(imp_schema *g, long role, imp_set *t, imp_unpack *u)
{
    uint64_t n = imp_unpack_u64(u);
    for (uint64_t k = 0; k < n && !u->bad; k++) {
        size_t len;
        const char *str = imp_unpack_str(u, &len);
        if (role >= 0) {
            CS_TRY(imp_level_add(g, &g->cols[role], str, len, NULL));
        } else {
            int rc = imp_set_add(t, str, len, SIZE_MAX, SIZE_MAX); /* --like's names */
            if (rc != CS_OK) return rc == 1 ? CS_ERROR(CS_EINTERNAL, "names over their cap") : rc;
        }
    }
    return CS_OK;
}

static int absorb_areas(imp_schema *g, imp_unpack *u)
{
    uint64_t n = imp_unpack_u64(u);
    for (uint64_t k = 0; k < n && !u->bad; k++) {
        size_t len, rlen = 0;
        const char *name = imp_unpack_str(u, &len);
        const char *rname = NULL;
        if (imp_unpack_u64(u)) rname = imp_unpack_str(u, &rlen);
        uint32_t par = UINT32_MAX;
        if (rname) {
            long r = imp_set_find(&g->region_set, rname, rlen);
            if (r < 0) return CS_ERROR(CS_EINTERNAL, "an area's region is not among the regions");
            par = (uint32_t)r;
        }
        long a = imp_set_find(&g->area_set, name, len);
        if (a >= 0) {
            if (g->area_parent[a] != par) g->area_irregular = 1;
            continue;
        }
        int added;
        CS_TRY(imp_area_add(g, name, len, par, &a, &added)); /* new: not found above */
    }
    return CS_OK;
}

int imp_schema_absorb(imp_schema *g, imp_unpack *u, int levels_only)
{
    if (imp_unpack_u64(u) != g->ncols || imp_unpack_u64(u) != (uint64_t)levels_only)
        return CS_ERROR(CS_EINTERNAL, "a pack of another schema");
    if (levels_only) {
        for (size_t c = 0; c < g->ncols && !u->bad; c++) {
            imp_column *col = &g->cols[c];
            col->overflow |= (int)imp_unpack_u64(u);
            CS_TRY(absorb_levels(g, col, u, col->rescan || col->regather));
        }
        return u->bad ? CS_ERROR(CS_EINTERNAL, "a short pack") : CS_OK;
    }
    uint64_t head[9];
    for (size_t k = 0; k < 9; k++) head[k] = imp_unpack_u64(u);
    g->rows += head[0];
    g->n_pos += head[1];
    g->n_neg += head[2];
    g->n_unlabelled += head[3];
    g->n_voluntary += head[4];
    g->n_involuntary += head[5];
    g->unseen_rows += head[6];
    /* only a provisional part counts conflicts, judged against its own first regions */
    if (head[7]) g->area_irregular = 1;
    g->area_conflicts += head[7];
    for (uint64_t k = 0; k < head[8] && !u->bad; k++) {
        char ex[32];
        unpack_cstr(u, ex, sizeof ex);
        size_t q = 0;
        while (q < g->n_label_values && strcmp(g->label_values[q], ex) != 0) q++;
        if (q == g->n_label_values && g->n_label_values < 8) strcpy(g->label_values[g->n_label_values++], ex);
    }
    for (size_t c = 0; c < g->ncols && !u->bad; c++) {
        imp_column *col = &g->cols[c];
        uint64_t missing = imp_unpack_u64(u), numbers = imp_unpack_u64(u), texts = imp_unpack_u64(u);
        uint64_t text_line = imp_unpack_u64(u), rescan = imp_unpack_u64(u);
        uint64_t overflow = imp_unpack_u64(u), inexact = imp_unpack_u64(u);
        uint64_t range_line = imp_unpack_u64(u), unseen = imp_unpack_u64(u);
        uint64_t unseen_line = imp_unpack_u64(u);
        char text_value[sizeof col->text_value], range_value[sizeof col->range_value];
        char unseen_value[sizeof col->unseen_value];
        unpack_cstr(u, text_value, sizeof text_value);
        unpack_cstr(u, range_value, sizeof range_value);
        unpack_cstr(u, unseen_value, sizeof unseen_value);
        col->missing += missing;
        col->overflow |= (int)overflow;
        if (unseen && !col->unseen) {
            col->unseen_line = unseen_line;
            memcpy(col->unseen_value, unseen_value, sizeof unseen_value);
        }
        col->unseen += unseen;
        int keep = 1;
        if (col->kind == IMP_AUTO && col->texts > 0) {
            /* after the column's first text every value is a level: this part's numbers too */
            col->texts += texts + numbers;
            if (numbers) col->regather = 1;
        } else {
            if (col->kind == IMP_AUTO && texts > 0) {
                col->text_line = (size_t)text_line;
                memcpy(col->text_value, text_value, sizeof text_value);
                if (col->numbers > 0 || rescan) col->rescan = 1;
            }
            col->numbers += numbers;
            col->texts += texts;
            col->inexact += inexact;
            if (range_line && !col->range_line) {
                col->range_line = (size_t)range_line;
                memcpy(col->range_value, range_value, sizeof range_value);
            }
        }
        /* --like's categories keep the earlier levels (the pack holds those same levels) */
        if (g->like && col->kind == IMP_CATEGORY) keep = 0;
        CS_TRY(absorb_levels(g, col, u, keep));
    }
    CS_TRY(absorb_names(g, g->region, &g->region_set, u));
    CS_TRY(absorb_names(g, g->brand, &g->brand_set, u));
    CS_TRY(absorb_areas(g, u));
    return u->bad ? CS_ERROR(CS_EINTERNAL, "a short pack") : CS_OK;
}

void imp_schema_rescan_like(imp_schema *s, const imp_schema *g)
{
    for (size_t c = 0; c < s->ncols && c < g->ncols; c++) {
        s->cols[c].rescan = g->cols[c].rescan;
        s->cols[c].regather = g->cols[c].regather;
    }
}
