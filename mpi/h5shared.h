/* h5shared.h — HDF5 files that several ranks write together: the agreement io/ leaves to mpi/.
 *
 * io/ never calls MPI (STYLE.md): it offers each shared file in parts — what one process does (lay
 * the file out, rename it into place) and what every rank does (reopen it, write its rows, close
 * it) — and returns statuses. This module runs rank 0's part, tells every rank its outcome
 * (comm_bcast_status), runs the all-ranks part and agrees on it (red_agree), so that all ranks go on
 * or all clean up and no rank is left alone inside a collective HDF5 call. The names are those the
 * pipelines called before io/ lost its MPI calls (snap_create, scores_create, ...), so the call sites
 * stay as they were. With one rank (or MPI_COMM_SELF) every file is written with the POSIX driver;
 * MPI-IO is used only where more than one rank shares the file.
 */
#ifndef CS_H5SHARED_H
#define CS_H5SHARED_H

#include "commit.h"
#include "scores.h"
#include "snapshot.h"

#include <mpi.h>

/* Collective over comm. Creates "<path>.tmp" with every dataset sized for meta->n rows: rank 0 lays
 * it out (snap_file_create), every rank reopens it (snap_writer_open). Every rank returns the same
 * status; on failure *out is NULL and the temporary file is gone. */
int snap_create(const char *path, MPI_Comm comm, const snap_meta *meta, snap_writer **out);

/* Collective over the writer's ranks. Closes the file if snap_close_writer did not, then, when ok
 * (on every rank) is nonzero and the close succeeded, rank 0 renames it into place after an fsync of
 * the file and before one of its directory (h5util_commit_local), otherwise removes the temporary
 * file; every rank returns rank 0's status, or its own failed close. Frees w; accepts NULL. A failed
 * close here (one rank: call snap_close_writer and agree first when the file is shared) removes the
 * file and is returned. */
int snap_finish(snap_writer *w, int ok);

/* Collective over comm. As snap_create, for the scores file (scores_file_create, then
 * scores_writer_open on every rank). */
int scores_create(const char *path, MPI_Comm comm, const scores_meta *meta, scores_writer **out);

/* Collective over the writer's ranks (it closes the file if scores_close did not). When ok is nonzero
 * on every rank, rank 0 adds fin (only rank 0 needs to pass it; others may pass NULL), closes the file
 * and adds "<path>.tmp" -> path to cs (rank 0's; others may pass NULL), which the caller applies with
 * its other outputs once the ranks agreed (scores_file_finish); otherwise, or when that fails, the
 * temporary file is removed. Returns this rank's status (not agreed). Frees w; accepts NULL. */
int scores_finish(scores_writer *w, int ok, const scores_final *fin, commit_set *cs);

/* Collective over comm (MPI_COMM_NULL: this process alone). Rank 0 runs h5util_commit_local(tmp,
 * path, ok) — renames tmp into place when ok, else removes it — and every rank returns its status.
 * Call it only after the file was closed on every rank. */
int h5util_commit(const char *tmp, const char *path, MPI_Comm comm, int ok);

#endif
