/* dupcheck.h — are the subscriber ids of a snapshot unique? A collective check with bounded memory.
 *
 * Ids are sent to an owner rank by a hash, so each rank holds 1/R of them in an open-addressing set;
 * when that would exceed the memory given, the id space is split into several passes by the same
 * hash. Only the id column is read (8 bytes a row). The set holds ids alone; when one turns up twice,
 * a second read of the id column finds the two smallest rows that hold it, for the message.
 */
#ifndef CS_DUPCHECK_H
#define CS_DUPCHECK_H

#include "cmd.h"
#include "snapshot.h"

#include <stdint.h>

/* Collective. CS_OK when every id of r is unique, CS_EDATA naming the file, the id and two rows
 * otherwise (agreed on every rank). memory bounds the set of one rank in bytes. */
int dup_check(const cmd_ctx *ctx, snap_reader *r, uint64_t memory);

#endif
