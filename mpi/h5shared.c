/* h5shared.c — see h5shared.h: rank 0's part of a shared HDF5 file, its outcome broadcast, every
 * rank's part, and the agreement that keeps the ranks together. */
#include "h5shared.h"

#include "comm.h"
#include "h5util.h"
#include "reduce.h"
#include "status.h"

#include <stdlib.h>

/* What io/ hands to HDF5: the ranks' communicator when they share the file, MPI_COMM_NULL (the POSIX
 * driver) for one process: the serial close reserves the file's bytes first (h5util_close_file). */
static MPI_Comm h5shared_file_comm(MPI_Comm comm)
{
    return comm_size(comm) > 1 ? comm : MPI_COMM_NULL;
}

/* Collective. Rank 0's status of creating path's temporary file, on every rank. */
static int h5shared_created(MPI_Comm comm, int rc)
{
    if (comm_size(comm) > 1) comm_bcast_status(comm, 0, &rc, "creating the output file");
    return rc;
}

/* Collective. Every rank's status of reopening the file, agreed before any rank frees its writer:
 * the close of a file opened through MPI-IO is collective, so a rank that failed alone must not close
 * while the others go on. */
static int h5shared_opened(MPI_Comm comm, int rc)
{
    return comm_size(comm) > 1 ? red_agree(comm, rc) : rc;
}

/* Rank 0 removes path's temporary file (after every rank freed its writer). */
static void h5shared_remove(MPI_Comm comm, const char *path)
{
    if (comm_rank(comm) != 0) return;
    char *tmp = h5util_tmpname(path);
    if (tmp) h5util_commit_local(tmp, path, 0);
    free(tmp);
}

int snap_create(const char *path, MPI_Comm comm, const snap_meta *m, snap_writer **out)
{
    *out = NULL;
    int rc = h5shared_created(comm, comm_rank(comm) == 0 ? snap_file_create(path, m) : CS_OK);
    if (rc != CS_OK) return rc;
    rc = h5shared_opened(comm, snap_writer_open(path, h5shared_file_comm(comm), m, out));
    if (rc != CS_OK) {
        snap_writer_free(*out);
        *out = NULL;
        h5shared_remove(comm, path);
    }
    return rc;
}

int snap_finish(snap_writer *w, int ok)
{
    if (!w) return CS_OK;
    int xrc = snap_close_writer(w); /* CS_OK when the caller closed it */
    if (xrc != CS_OK) ok = 0;
    int rc = h5util_commit(snap_writer_tmp(w), snap_writer_path(w), snap_writer_comm(w), ok);
    if (xrc != CS_OK) rc = xrc;
    snap_writer_free(w);
    return rc;
}

int scores_create(const char *path, MPI_Comm comm, const scores_meta *m, scores_writer **out)
{
    *out = NULL;
    int rc = h5shared_created(comm, comm_rank(comm) == 0 ? scores_file_create(path, m) : CS_OK);
    if (rc != CS_OK) return rc;
    rc = h5shared_opened(comm, scores_writer_open(path, h5shared_file_comm(comm), m, out));
    if (rc != CS_OK) {
        scores_writer_free(*out);
        *out = NULL;
        h5shared_remove(comm, path);
    }
    return rc;
}

int scores_finish(scores_writer *w, int ok, const scores_final *fin, commit_set *cs)
{
    if (!w) return CS_OK;
    int rc = scores_close(w); /* CS_OK when the caller closed it */
    if (comm_rank(scores_writer_comm(w)) == 0) {
        int frc = scores_file_finish(w, ok && rc == CS_OK, fin, cs);
        if (rc == CS_OK) rc = frc;
    }
    scores_writer_free(w);
    return rc;
}

int h5util_commit(const char *tmp, const char *path, MPI_Comm comm, int ok)
{
    int rc = comm_rank(comm) == 0 ? h5util_commit_local(tmp, path, ok) : CS_OK;
    if (comm_size(comm) > 1) comm_bcast_status(comm, 0, &rc, "committing the output file");
    return rc;
}
