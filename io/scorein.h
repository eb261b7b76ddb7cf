/* scorein.h — a scores file (SCORES.h5) read back row by row: id, region, phase and tier, for
 * `evaluate --scores` (issue 15: recall and lift within each phase and tier need the phase and tier
 * of the subscribers who were not listed, which only the scored month's SCORES.h5 holds), and for
 * `score --previous-scores`: last month's probability, phase and months on the lists.
 *
 * io/scores.c writes the file in parallel and reads its summaries for inspect; this is the streaming
 * reader of its per-row datasets, one POSIX open per rank (each rank reads its own rows).
 */
#ifndef CS_SCOREIN_H
#define CS_SCOREIN_H

#include <stddef.h>
#include <stdint.h>

typedef struct scorein scorein;

/* Opens path and checks it is a scores file (format, version) with the four datasets of one length.
 * *n rows; *month (16 bytes) the scored month; region_names (*n_regions, owned by the reader). CS_EIO,
 * CS_EFORMAT naming file and dataset, CS_ENOMEM; *out NULL on failure. */
int scorein_open(const char *path, scorein **out);
uint64_t scorein_rows(const scorein *r);
const char *scorein_month(const scorein *r);
size_t scorein_n_regions(const scorein *r);
const char *const *scorein_region_names(const scorein *r);
/* Reads rows [row0, row0+n). CS_EIO; CS_EDATA naming the row when a region, phase or tier is out of
 * range (phase < 3, tier < 6). */
int scorein_read(scorein *r, uint64_t row0, size_t n, uint64_t *id, uint16_t *region, uint8_t *phase,
                 uint8_t *tier);
/* issue 15 (score --previous-scores): rows [row0, row0+n) of /subscribers/probability and
 * /subscribers/months_on_list. CS_EFORMAT naming the file when it has no months_on_list (written by
 * a version before issue 15), CS_EIO. */
int scorein_read_prev(scorein *r, uint64_t row0, size_t n, double *prob, uint16_t *months);
/* issue 15 (evaluate's effect by action): the playbook action codes of /actions/code (0 of them in a
 * file written before, which has no /subscribers/action), and rows [row0, row0+n) of
 * /subscribers/action (an index into them, -1 off the lists). CS_EIO; CS_EDATA naming the row for
 * an index out of range. */
size_t scorein_n_actions(const scorein *r);
const char *const *scorein_action_codes(const scorein *r);
int scorein_read_action(scorein *r, uint64_t row0, size_t n, int16_t *action);
void scorein_close(scorein *r); /* accepts NULL */

#endif
