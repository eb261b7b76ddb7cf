/* import_cells.c — the rows of one part of an import kept from pass 1, so that pass 2 does not parse
 * the CSV again (issue 20).
 *
 * Parsing is most of an import's time, and a serial import parsed every field twice: pass 1 to learn
 * the types and levels, pass 2 to encode the rows once they were known. While pass 1 runs,
 * imp_schema_observe can write each good record as cells, one 32-bit word a column: the float32 bits
 * of a number (NaN: missing), the index of a level in the part's own level set (IMP_CELL_MISSING,
 * IMP_CELL_UNSEEN), a region, brand or area index, a label or churn type; the id beside them. Once the
 * whole file's schema is finished, imp_cells_decode maps the part's indices to the file's codes and
 * writes snapshot rows exactly as imp_schema_encode would have from the CSV. The cells are kept only
 * while they fit in the budget the caller gives (the bounded memory of STYLE.md); past it, or when a
 * column's levels need the level pass (numbers and text in one column), the caller parses again.
 */
#include "import_cells.h"

#include "import_int.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define CELLS_CHUNK_ROWS 65536

struct imp_cells {
    size_t ncols;
    uint64_t budget, bytes; /* bytes allowed and held */
    int over;               /* the budget ran out: the cells are incomplete */
    uint64_t rows;
    size_t nchunks, cchunks;
    uint32_t **cells; /* chunks of CELLS_CHUNK_ROWS x ncols */
    uint64_t **ids;   /* chunks of CELLS_CHUNK_ROWS ids */
    uint32_t *row;    /* where observe writes the current record */
    uint32_t **remap; /* [ncols] after imp_cells_prepare: the part's index -> the file's code */
    uint32_t *remap_region, *remap_brand, *remap_area;
    /* after imp_cells_prepare: the numeric columns (cell index, indicator index), which decode
     * copies in one tight loop, and the other columns, which take the switch (issue 20: the switch
     * over every column was most of pass 2's own time) */
    size_t nnum, nother;
    uint32_t *num_src, *num_dst, *other;
    /* narrow cells (imp_cells_alloc_narrow): only the columns keep[0..nkeep) are held, width words a
     * row; decode spreads a row back over wide[ncols] */
    uint32_t *keep, *wide;
    size_t nkeep, width;
};

imp_cells *imp_cells_alloc(size_t ncols, uint64_t budget)
{
    imp_cells *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->ncols = ncols;
    c->width = ncols;
    c->budget = budget;
    c->row = malloc((ncols ? ncols : 1) * sizeof *c->row);
    c->remap = calloc(ncols ? ncols : 1, sizeof *c->remap);
    if (!c->row || !c->remap) {
        imp_cells_free(c);
        return NULL;
    }
    return c;
}

imp_cells *imp_cells_alloc_narrow(size_t ncols, uint64_t budget, const uint32_t *cols, size_t n)
{
    imp_cells *c = imp_cells_alloc(ncols, budget);
    if (!c) return NULL;
    c->keep = malloc((n ? n : 1) * sizeof *c->keep);
    c->wide = calloc(ncols ? ncols : 1, sizeof *c->wide);
    if (!c->keep || !c->wide) {
        imp_cells_free(c);
        return NULL;
    }
    if (n) memcpy(c->keep, cols, n * sizeof *cols);
    c->nkeep = c->width = n;
    return c;
}

void imp_cells_free(imp_cells *c)
{
    if (!c) return;
    for (size_t k = 0; k < c->nchunks; k++) {
        free(c->cells[k]);
        free(c->ids[k]);
    }
    free(c->cells);
    free(c->ids);
    free(c->row);
    for (size_t k = 0; c->remap && k < c->ncols; k++) free(c->remap[k]);
    free(c->remap);
    free(c->remap_region);
    free(c->remap_brand);
    free(c->remap_area);
    free(c->num_src);
    free(c->num_dst);
    free(c->other);
    free(c->keep);
    free(c->wide);
    free(c);
}

int imp_cells_complete(const imp_cells *c) { return c && !c->over; }

uint32_t *imp_cells_row(imp_cells *c) { return c && !c->over ? c->row : NULL; }

/* A chunk of cells in transparent huge pages where the kernel offers them: the cells of a big part
 * are hundreds of megabytes of fresh memory, and their first touch one 4 KiB page at a time was a
 * visible part of the import's system time. posix_memalign's memory is freed with free(). */
static void *cells_chunk_alloc(size_t bytes)
{
    void *p = NULL;
    const size_t huge = (size_t)2 << 20;
    if (bytes < huge) return malloc(bytes);
    if (posix_memalign(&p, huge, (bytes + huge - 1) / huge * huge) != 0) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE);
#endif
    return p;
}

/* Drops what is held: over the budget the cells are of no use, and the memory is the next pass's. */
static void cells_drop(imp_cells *c)
{
    for (size_t k = 0; k < c->nchunks; k++) {
        free(c->cells[k]);
        free(c->ids[k]);
        c->cells[k] = NULL;
        c->ids[k] = NULL;
    }
    c->nchunks = 0;
    c->bytes = 0;
    c->over = 1;
}

void imp_cells_keep(imp_cells *c, uint64_t id)
{
    if (!c || c->over) return;
    size_t at = (size_t)(c->rows % CELLS_CHUNK_ROWS);
    if (at == 0) {
        uint64_t more = (uint64_t)CELLS_CHUNK_ROWS * (c->width * sizeof(uint32_t) + sizeof(uint64_t));
        if (c->bytes + more > c->budget) {
            cells_drop(c);
            return;
        }
        if (c->nchunks == c->cchunks) {
            size_t n = c->cchunks ? 2 * c->cchunks : 16;
            uint32_t **a = realloc(c->cells, n * sizeof *a);
            if (a) c->cells = a;
            uint64_t **b = realloc(c->ids, n * sizeof *b);
            if (b) c->ids = b;
            if (!a || !b) {
                cells_drop(c);
                return;
            }
            c->cchunks = n;
        }
        c->cells[c->nchunks] = cells_chunk_alloc((size_t)CELLS_CHUNK_ROWS * (c->width ? c->width : 1) * sizeof(uint32_t));
        c->ids[c->nchunks] = cells_chunk_alloc((size_t)CELLS_CHUNK_ROWS * sizeof(uint64_t));
        if (!c->cells[c->nchunks] || !c->ids[c->nchunks]) {
            c->nchunks++;
            cells_drop(c);
            return;
        }
        c->nchunks++;
        c->bytes += more;
    }
    uint32_t *dst = c->cells[c->nchunks - 1] + at * c->width;
    if (c->keep)
        for (size_t i = 0; i < c->nkeep; i++) dst[i] = c->row[c->keep[i]];
    else
        memcpy(dst, c->row, c->ncols * sizeof(uint32_t));
    c->ids[c->nchunks - 1][at] = id;
    c->rows++;
}

/* The file's code of each string of the part's set t, in g's set gt. */
static int cells_remap(const imp_set *t, const imp_set *gt, uint32_t **out)
{
    *out = malloc((t->n ? t->n : 1) * sizeof **out);
    if (!*out) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t k = 0; k < t->n; k++) {
        long i = imp_set_find(gt, imp_set_str(t, k), t->len[k]);
        if (i < 0 || !gt->code) return CS_ERROR(CS_EINTERNAL, "a level of a part is not in the file's set");
        (*out)[k] = gt->code[i];
    }
    return CS_OK;
}

int imp_cells_prepare(imp_cells *c, const imp_schema *part, const imp_schema *g)
{
    if (!c || c->over) return CS_ERROR(CS_EINTERNAL, "no cells kept");
    size_t n = c->ncols ? c->ncols : 1;
    free(c->num_src);
    free(c->num_dst);
    free(c->other);
    c->num_src = malloc(n * sizeof *c->num_src);
    c->num_dst = malloc(n * sizeof *c->num_dst);
    c->other = malloc(n * sizeof *c->other);
    if (!c->num_src || !c->num_dst || !c->other) return CS_ERROR(CS_ENOMEM, "out of memory");
    c->nnum = c->nother = 0;
    for (size_t k = 0; k < c->ncols; k++) {
        if (g->cols[k].kind == IMP_NUMERIC) {
            c->num_src[c->nnum] = (uint32_t)k;
            c->num_dst[c->nnum++] = (uint32_t)g->cols[k].ind0;
        } else {
            c->other[c->nother++] = (uint32_t)k;
        }
    }
    for (size_t k = 0; k < c->ncols; k++) {
        const imp_column *col = &g->cols[k];
        if (col->kind == IMP_CATEGORY && !g->like)
            CS_TRY(cells_remap(&part->cols[k].levels, &col->levels, &c->remap[k]));
    }
    if (g->region >= 0) CS_TRY(cells_remap(&part->region_set, &g->region_set, &c->remap_region));
    if (g->brand >= 0) CS_TRY(cells_remap(&part->brand_set, &g->brand_set, &c->remap_brand));
    if (g->area >= 0) CS_TRY(cells_remap(&part->area_set, &g->area_set, &c->remap_area));
    return CS_OK;
}

uint64_t imp_cells_rows(const imp_cells *c) { return c ? c->rows : 0; }

int imp_cells_decode(const imp_cells *c, const imp_schema *part, const imp_schema *g, uint64_t row,
                     uint64_t ord0, uint64_t *id, uint16_t *region, uint8_t *brand, float *x,
                     int8_t *label, int8_t *ctype, uint16_t *area)
{
    if (row >= c->rows) return CS_ERROR(CS_EINTERNAL, "row %llu of %llu kept", (unsigned long long)row,
                                        (unsigned long long)c->rows);
    if (!c->num_src) return CS_ERROR(CS_EINTERNAL, "the kept cells were not prepared");
    if (!c->cells[row / CELLS_CHUNK_ROWS])
        return CS_ERROR(CS_EINTERNAL, "row %llu of the kept cells was released", (unsigned long long)row);
    const uint32_t *cell = c->cells[row / CELLS_CHUNK_ROWS] + (row % CELLS_CHUNK_ROWS) * c->width;
    if (c->keep) {
        if (x) return CS_ERROR(CS_EINTERNAL, "narrow cells hold no indicators");
        for (size_t i = 0; i < c->nkeep; i++) c->wide[c->keep[i]] = cell[i];
        cell = c->wide;
    }
    uint64_t kept_id = c->ids[row / CELLS_CHUNK_ROWS][row % CELLS_CHUNK_ROWS];
    int t = 0;
    *id = g->id >= 0 ? kept_id : ord0 + kept_id; /* without an id column: the record's ordinal */
    *region = (uint16_t)g->region_code;
    *brand = (uint8_t)g->brand_code;
    if (x)
        for (size_t i = 0; i < c->nnum; i++) memcpy(&x[c->num_dst[i]], &cell[c->num_src[i]], sizeof *x);
    for (size_t i = 0; i < c->nother; i++) {
        size_t k = c->other[i];
        const imp_column *col = &g->cols[k];
        uint32_t v = cell[k];
        switch (col->kind) {
        case IMP_CATEGORY: {
            if (!x) return CS_ERROR(CS_EINTERNAL, "category '%s' without its indicators", col->name);
            /* before the part's first text an auto column's cells are floats: all missing here, or
             * the column would have needed the level pass */
            int missing = v == IMP_CELL_MISSING;
            if (col->decl_kind == IMP_AUTO && (part->cols[k].texts == 0 || row < part->cols[k].text_row)) {
                float f;
                memcpy(&f, &v, sizeof f);
                if (!isnan(f)) return CS_ERROR(CS_EINTERNAL, "a number kept in category '%s'", col->name);
                missing = 1;
            }
            float fill = missing ? NAN : 0.0f;
            for (size_t q = 1; q < col->n_levels; q++)
                if (col->ind_of_code[q] >= 0) x[col->ind_of_code[q]] = fill;
            if (!missing && v != IMP_CELL_UNSEEN) {
                uint32_t code = g->like ? v : c->remap[k][v];
                long j = col->ind_of_code[code];
                if (j >= 0) x[j] = 1.0f;
            }
            break;
        }
        case IMP_REGION:
            *region = (uint16_t)c->remap_region[v];
            break;
        case IMP_BRAND:
            *brand = (uint8_t)c->remap_brand[v];
            break;
        case IMP_AREA:
            if (area) *area = (uint16_t)c->remap_area[v];
            break;
        case IMP_LABEL:
            *label = (int8_t)(int32_t)v;
            break;
        case IMP_CHURN_TYPE:
            t = (int)v;
            if (ctype) *ctype = (int8_t)t;
            break;
        default:
            break;
        }
    }
    if (g->ctype >= 0 && (g->label < 0 || (*label == -1 && t != 0))) *label = (int8_t)(t != 0);
    return CS_OK;
}

void imp_cells_release(imp_cells *c, uint64_t row)
{
    if (!c || c->over) return;
    for (uint64_t k = 0; k < row / CELLS_CHUNK_ROWS && k < c->nchunks; k++) {
        free(c->cells[k]);
        free(c->ids[k]);
        c->cells[k] = NULL;
        c->ids[k] = NULL;
    }
}
