/* import_block.h — one block of encoded rows on their way to the snapshot (issue 20; import_block.c).
 *
 * Both forms of import's pass 2 (mpi/cmd_import.c: parsing the CSV again, or decoding the cells pass 1
 * kept, import_cells.h) fill the same block of ids, regions, areas, brands, indicators, labels and
 * churn types and write it to the snapshot the same way; this is that block.
 */
#ifndef CS_IMPORT_BLOCK_H
#define CS_IMPORT_BLOCK_H

#include "import.h"
#include "snapshot.h"

#include <stddef.h>
#include <stdint.h>

/* Whole chunks of the features dataset per write, about 64 MiB of indicators at most. */
typedef struct {
    size_t cap;
    uint64_t *id;
    uint16_t *region, *area; /* area: issue 16, --area */
    uint8_t *brand;
    float *x;
    int8_t *label, *ctype;
    int has_ct, has_area;
} imp_block;

/* Sizes and allocates b for schema s (caller's storage); on failure frees what it got and returns
 * CS_ENOMEM with a message. */
int imp_block_alloc(imp_block *b, const imp_schema *s);
/* Frees b's buffers (b itself is the caller's). */
void imp_block_free(imp_block *b);
/* Writes the block's first n rows as snapshot rows [row0, row0+n); nothing when n is 0. */
int imp_block_write(const imp_block *b, snap_writer *w, uint64_t row0, size_t n);

#endif
