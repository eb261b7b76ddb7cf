/* comm.c — see comm.h. */
#include "comm.h"

#include "status.h"

#include <limits.h>
#include <stdint.h>
#include <time.h>

double comm_now(void)
{
    return MPI_Wtime();
}

static int comm_live(MPI_Comm comm)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    if (init) MPI_Finalized(&fin);
    return init && !fin && comm != MPI_COMM_NULL;
}

int comm_rank(MPI_Comm comm)
{
    int r = 0;
    if (comm_live(comm)) MPI_Comm_rank(comm, &r);
    return r;
}

int comm_size(MPI_Comm comm)
{
    int n = 1;
    if (comm_live(comm)) MPI_Comm_size(comm, &n);
    return n;
}

int comm_bcast(MPI_Comm comm, int root, void *buf, size_t bytes)
{
    /* pieces of 256 MiB: MPI counts are int */
    const size_t piece = (size_t)1 << 28;
    char *p = buf;
    for (size_t done = 0; done < bytes; done += piece) {
        size_t k = bytes - done < piece ? bytes - done : piece;
        if (MPI_Bcast(p + done, (int)k, MPI_BYTE, root, comm) != MPI_SUCCESS)
            return CS_ERROR(CS_EMPI, "MPI_Bcast of %zu bytes from rank %d failed", bytes, root);
    }
    return CS_OK;
}

int comm_bcast_status(MPI_Comm comm, int root, int *rc, const char *what)
{
    int v = *rc;
    if (MPI_Bcast(&v, 1, MPI_INT, root, comm) != MPI_SUCCESS)
        return *rc = CS_ERROR(CS_EMPI, "MPI_Bcast of a status from rank %d failed", root);
    /* root keeps its own message; the others say where to look */
    if (v != CS_OK && comm_rank(comm) != root) *rc = CS_ERROR(v, "%s failed on rank %d", what, root);
    else *rc = v;
    return *rc;
}

int comm_wait_root(MPI_Comm comm)
{
    MPI_Request req;
    if (MPI_Ibarrier(comm, &req) != MPI_SUCCESS) return CS_ERROR(CS_EMPI, "MPI_Ibarrier failed");
    if (comm_rank(comm) == 0)
        return MPI_Wait(&req, MPI_STATUS_IGNORE) == MPI_SUCCESS ? CS_OK
                                                                : CS_ERROR(CS_EMPI, "MPI_Wait failed");
    int done = 0;
    while (!done) {
        if (MPI_Test(&req, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return CS_ERROR(CS_EMPI, "MPI_Test failed");
        /* 20 ms: short beside any step worth waiting for, long enough to leave the core idle */
        if (!done) nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    return CS_OK;
}

int comm_barrier(MPI_Comm comm)
{
    return MPI_Barrier(comm) == MPI_SUCCESS ? CS_OK : CS_ERROR(CS_EMPI, "MPI_Barrier failed");
}
