/* scorerows.h — reading SCORES.h5 row by row beside its snapshot (`churnscore analyze --scores`).
 *
 * scores.h writes the file and reads its summary; a pass that joins each subscriber's score to his
 * snapshot row needs the per-row datasets in blocks, like snap_read. The rows of a scores file are
 * the snapshot's rows in the snapshot's order (score writes row i of the snapshot as row i), so the
 * join is by position, and checked by id: a scores file of another snapshot is refused at the first
 * row whose id differs.
 */
#ifndef CS_SCOREROWS_H
#define CS_SCOREROWS_H

#include <stddef.h>
#include <stdint.h>

typedef struct scr_reader scr_reader;

/* Opens path (POSIX driver, every rank its own) and checks kind, version and that it holds n rows
 * (the snapshot's count): CS_EIO, CS_EFORMAT naming the file. */
int scr_open(const char *path, uint64_t n, scr_reader **out);
void scr_close(scr_reader *r); /* accepts NULL */
/* Reads rows [row0, row0+n): phase, tier, probability, value at risk and ARPU, and checks each id
 * against the snapshot's (snap_id, the same rows): CS_EDATA naming the row and both ids. Phases
 * above 2 and tiers above 5 are CS_EDATA too. */
int scr_read(scr_reader *r, uint64_t row0, size_t n, const uint64_t *snap_id, uint64_t *id_buf,
             uint8_t *phase, uint8_t *tier, double *prob, double *var, float *arpu);

#endif
