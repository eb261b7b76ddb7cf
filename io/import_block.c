/* import_block.c — the block of encoded rows import's pass 2 writes (import_block.h): one allocation
 * and one write sequence for both forms of the pass, so the datasets a row goes to are listed once.
 */
#include "import_block.h"

#include "status.h"

#include <stdlib.h>

void imp_block_free(imp_block *b)
{
    free(b->id);
    free(b->region);
    free(b->area);
    free(b->brand);
    free(b->x);
    free(b->label);
    free(b->ctype);
}

int imp_block_alloc(imp_block *b, const imp_schema *s)
{
    size_t p = s->p ? s->p : 1;
    size_t chunks = (size_t)((64u << 20) / ((uint64_t)SNAP_CHUNK_ROWS * p * sizeof(float)));
    if (chunks < 1) chunks = 1;
    if (chunks > 8) chunks = 8;
    *b = (imp_block){.cap = chunks * SNAP_CHUNK_ROWS, .has_ct = imp_schema_has_churn_type(s),
                     .has_area = s->n_areas > 0};
    b->id = malloc(b->cap * sizeof *b->id);
    b->region = malloc(b->cap * sizeof *b->region);
    b->area = malloc(b->cap * sizeof *b->area);
    b->brand = malloc(b->cap);
    b->x = malloc(b->cap * p * sizeof *b->x);
    b->label = malloc(b->cap);
    b->ctype = malloc(b->cap);
    if (b->id && b->region && b->area && b->brand && b->x && b->label && b->ctype) return CS_OK;
    imp_block_free(b);
    return CS_ERROR(CS_ENOMEM, "out of memory for a block of %zu rows x %zu indicators", b->cap, p);
}

int imp_block_write(const imp_block *b, snap_writer *w, uint64_t row0, size_t n)
{
    if (n == 0) return CS_OK;
    int rc = snap_write(w, row0, n, b->id, b->region, b->brand, b->x, b->label);
    if (rc == CS_OK && b->has_ct) rc = snap_write_churn_type(w, row0, n, b->ctype);
    if (rc == CS_OK && b->has_area) rc = snap_write_area(w, row0, n, b->area);
    return rc;
}

