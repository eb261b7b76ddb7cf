/* comm.h — the communication that is neither a reduction (reduce.h) nor a movement of rows
 * (gather.h, select.h): broadcasts from one rank, waiting for one rank, the rank and the clock.
 *
 * Together with reduce, gather, select, log and main this is the one communication layer: no other
 * file calls MPI (tests/mpi/test_layers.sh checks it). Each call returns a status from status.h
 * (CS_EMPI when MPI itself fails), never aborts, so the caller's agreement (red_agree) decides what
 * happens next on every rank together. Byte counts are size_t: what exceeds MPI's int counts is sent
 * in pieces.
 */
#ifndef CS_COMM_H
#define CS_COMM_H

#include <mpi.h>
#include <stddef.h>

/* Seconds since an arbitrary origin (MPI_Wtime): for the stage timings in logs and summaries. */
double comm_now(void);

/* This rank and the number of ranks of comm (0 and 1 when MPI is not initialised or comm is
 * MPI_COMM_NULL: io/ and model/ code paths that run without MPI). */
int comm_rank(MPI_Comm comm);
int comm_size(MPI_Comm comm);

/* Collective. Rank root's bytes buf[0..bytes) are copied to every rank's buf. CS_EMPI on failure. */
int comm_bcast(MPI_Comm comm, int root, void *buf, size_t bytes);

/* Collective. Rank root's status *rc reaches every rank: where only root did the work (created a
 * file, read a header), the others learn its outcome; their message says to look at root's. */
int comm_bcast_status(MPI_Comm comm, int root, int *rc, const char *what);

/* Collective. Every rank waits until rank 0 arrives, without spinning: a long serial step on rank 0
 * (an import's parse) would otherwise keep every other rank's core busy in MPI's progress loop. */
int comm_wait_root(MPI_Comm comm);

/* Collective. All ranks wait for each other (before a timed stage, so its time is the slowest rank's). */
int comm_barrier(MPI_Comm comm);

#endif
