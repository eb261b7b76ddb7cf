/* import_cells.h — the rows of one part of an import kept from pass 1 (issue 20; import_cells.c).
 *
 * Pass 1 hands imp_schema_observe the buffer imp_cells_row gives (s->cell_row) and, for each record
 * observe accepts, calls imp_cells_keep; over the budget the cells are dropped and
 * imp_cells_complete says 0 (the caller then parses the CSV again in pass 2). After the file's schema
 * g is finished, imp_cells_prepare maps the part's level indices to g's codes, and imp_cells_decode
 * gives snapshot row `row` of the part exactly as imp_schema_encode gives it from the record.
 */
#ifndef CS_IMPORT_CELLS_H
#define CS_IMPORT_CELLS_H

#include "import.h"

#include <stddef.h>
#include <stdint.h>

typedef struct imp_cells imp_cells;

/* Cells for records of ncols fields, at most budget bytes. NULL when out of memory. */
imp_cells *imp_cells_alloc(size_t ncols, uint64_t budget);
/* Narrow cells: only the n columns cols (their cells as observe writes them) and the id are kept, for
 * an import that wrote the indicators while it read (issue 20); decode then gives everything but the
 * indicators (x NULL). */
imp_cells *imp_cells_alloc_narrow(size_t ncols, uint64_t budget, const uint32_t *cols, size_t n);
void imp_cells_free(imp_cells *c); /* accepts NULL */
/* The buffer observe writes a record's cells to (NULL once over the budget). */
uint32_t *imp_cells_row(imp_cells *c);
/* Keeps the cells in the buffer as the next row, with id (the id column's value, or the record's
 * ordinal in the part without one). Over the budget everything is dropped. */
void imp_cells_keep(imp_cells *c, uint64_t id);
/* 1 while every row is kept. */
int imp_cells_complete(const imp_cells *c);
uint64_t imp_cells_rows(const imp_cells *c);
/* After imp_schema_finish(g): the maps from part's indices (part: the schema pass 1 of this part
 * observed into) to g's codes. CS_ENOMEM, CS_EINTERNAL. */
int imp_cells_prepare(imp_cells *c, const imp_schema *part, const imp_schema *g);
/* Snapshot row `row` of the part (ord0: data records before the part, for ids without an id column);
 * the outputs as imp_schema_encode's, area as imp_area_encode's (may be NULL without --area); x NULL
 * leaves the indicators out (narrow cells hold none). */
int imp_cells_decode(const imp_cells *c, const imp_schema *part, const imp_schema *g, uint64_t row,
                     uint64_t ord0, uint64_t *id, uint16_t *region, uint8_t *brand, float *x,
                     int8_t *label, int8_t *ctype, uint16_t *area);
/* Frees the chunks that hold only rows before `row` (decoded and written: pass 2 goes in order), so
 * that the pages of the snapshot's writes can reuse their memory instead of fresh pages (fresh memory
 * is what a big import's system time goes to) and the peak is lower. Decoding such a row afterwards
 * is an error. */
void imp_cells_release(imp_cells *c, uint64_t row);

#endif
