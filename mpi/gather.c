/* gather.c — chunked k-way merge and ordered gathers to rank 0, the exchange to owners (see gather.h). */
#include "gather.h"

#include "reduce.h"
#include "status.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Items per chunk: 4096 x 64 bytes keeps a message well above the eager limit (so it is one
 * rendezvous transfer) and rank 0's buffers at 256 KiB per rank. */
#define GAT_CHUNK 4096
#define GAT_TAG_REQ 7101
#define GAT_TAG_DATA 7102

/* A rank other than 0: answer requests for the next chunk until rank 0 says stop (0). Every rank is
 * asked to stop exactly once per merge, so the message pattern is the same whatever the data. */
static void gat_serve(MPI_Comm comm, const topk_item *items, size_t n)
{
    size_t pos = 0;
    for (;;) {
        int cmd = 0;
        MPI_Recv(&cmd, 1, MPI_INT, 0, GAT_TAG_REQ, comm, MPI_STATUS_IGNORE);
        if (!cmd) return;
        size_t m = n - pos < GAT_CHUNK ? n - pos : GAT_CHUNK;
        MPI_Send(items + pos, (int)(m * sizeof(topk_item)), MPI_BYTE, 0, GAT_TAG_DATA, comm);
        pos += m;
    }
}

typedef struct {
    topk_item *buf;
    size_t n, at;
    int more; /* the source may have items beyond this chunk */
} gat_src;

static void gat_pull(MPI_Comm comm, int q, gat_src *s)
{
    int one = 1, bytes = 0;
    MPI_Status st;
    MPI_Send(&one, 1, MPI_INT, q, GAT_TAG_REQ, comm);
    MPI_Recv(s->buf, (int)(GAT_CHUNK * sizeof(topk_item)), MPI_BYTE, q, GAT_TAG_DATA, comm, &st);
    MPI_Get_count(&st, MPI_BYTE, &bytes);
    s->n = (size_t)bytes / sizeof(topk_item);
    s->at = 0;
    s->more = s->n == GAT_CHUNK; /* a short chunk is the last one */
}

int gat_merge_sorted(MPI_Comm comm, const topk_item *items, size_t n, uint64_t limit, gat_sink sink,
                     void *arg, uint64_t *merged)
{
    int rank = 0, nranks = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    if (merged) *merged = 0;
    if (rank != 0) {
        gat_serve(comm, items, n);
        return CS_OK;
    }
    int zero = 0, rc = CS_OK;
    gat_src *src = calloc((size_t)nranks, sizeof *src);
    topk_item *store = nranks > 1 ? malloc((size_t)(nranks - 1) * GAT_CHUNK * sizeof(topk_item)) : NULL;
    if (!src || (nranks > 1 && !store)) {
        /* Rank 0 cannot merge: release the others and report (limit 0 path below). */
        rc = CS_ERROR(CS_ENOMEM, "out of memory for the list merge buffers");
        limit = 0;
    }
    /* source 0 is rank 0's own list, read in place */
    if (src) {
        src[0].buf = (topk_item *)items;
        src[0].n = n;
        src[0].more = 0;
        for (int q = 1; q < nranks; q++) {
            src[q].buf = store + (size_t)(q - 1) * GAT_CHUNK;
            if (limit > 0) gat_pull(comm, q, &src[q]);
        }
    }
    uint64_t out = 0;
    while (rc == CS_OK && out < limit) {
        /* The best head among the sources: a linear scan is cheap next to writing a CSV line. */
        int best = -1;
        for (int q = 0; q < nranks; q++) {
            if (src[q].at >= src[q].n) continue;
            if (best < 0 || topk_before(&src[q].buf[src[q].at], &src[best].buf[src[best].at])) best = q;
        }
        if (best < 0) break;
        rc = sink(arg, out, &src[best].buf[src[best].at]);
        if (rc != CS_OK) break;
        out++;
        if (++src[best].at == src[best].n && src[best].more) gat_pull(comm, best, &src[best]);
    }
    for (int q = 1; q < nranks; q++) MPI_Send(&zero, 1, MPI_INT, q, GAT_TAG_REQ, comm);
    free(src);
    free(store);
    if (merged) *merged = out;
    return rc;
}

int gat_rows_to_rank(MPI_Comm comm, int root, const void *recs, size_t n, size_t size, void **out,
                     uint64_t *total)
{
    int rank = 0, nranks = 1;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    *out = NULL;
    *total = 0;
    int rc = CS_OK;
    if (n > INT_MAX) rc = CS_ERROR(CS_EINVAL, "gather: %zu records on one rank exceed MPI's int counts", n);
    int cnt = (int)n;
    int *counts = rank == root ? calloc((size_t)nranks, sizeof(int)) : NULL;
    int *displ = rank == root ? calloc((size_t)nranks, sizeof(int)) : NULL;
    if (rank == root && (!counts || !displ)) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(comm, rc);
    if (rc != CS_OK) {
        free(counts);
        free(displ);
        return rc;
    }
    MPI_Gather(&cnt, 1, MPI_INT, counts, 1, MPI_INT, root, comm);
    void *buf = NULL;
    if (rank == root) {
        uint64_t t = 0;
        for (int q = 0; q < nranks; q++) {
            if (t > INT_MAX) break;
            displ[q] = (int)t;
            t += (uint64_t)counts[q];
        }
        if (t > INT_MAX) rc = CS_ERROR(CS_EINVAL, "gather: %llu records exceed MPI's int counts",
                                       (unsigned long long)t);
        else if (!(buf = malloc((t ? t : 1) * size)))
            rc = CS_ERROR(CS_ENOMEM, "out of memory gathering %llu records of %zu bytes",
                          (unsigned long long)t, size);
        *total = t;
    }
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        MPI_Datatype rec;
        MPI_Type_contiguous((int)size, MPI_BYTE, &rec);
        MPI_Type_commit(&rec);
        MPI_Gatherv(recs, cnt, rec, buf, counts, displ, rec, root, comm);
        MPI_Type_free(&rec);
        *out = buf;
    } else {
        free(buf);
        *total = 0;
    }
    free(counts);
    free(displ);
    return rc;
}

int gat_rows_to_root(MPI_Comm comm, const void *recs, size_t n, size_t size, void **out,
                     uint64_t *total)
{
    return gat_rows_to_rank(comm, 0, recs, n, size, out, total);
}

/* MPI counts and displacements are int (in records here): n[q] records per rank as counts and their
 * prefix sums as displacements; CS_EINVAL when the total does not fit. */
static int gat_counts(const uint64_t *n, int nranks, int *cnt, int *displ, const char *what)
{
    uint64_t t = 0;
    for (int q = 0; q < nranks; q++) {
        displ[q] = (int)t;
        cnt[q] = (int)n[q];
        t += n[q];
        if (t > INT_MAX)
            return CS_ERROR(CS_EINVAL, "exchange: %s over %d records exceeds MPI's int counts", what, INT_MAX);
    }
    return CS_OK;
}

int gat_exchange(MPI_Comm comm, const void *send, const uint64_t *nsend, size_t size, void **out,
                 uint64_t *nrecv)
{
    int nranks = 1;
    MPI_Comm_size(comm, &nranks);
    *out = NULL;
    MPI_Alltoall(nsend, 1, MPI_UINT64_T, nrecv, 1, MPI_UINT64_T, comm);
    /* send counts, send displacements, receive counts, receive displacements */
    int *sc = malloc(4 * (size_t)nranks * sizeof(int)), *sd = NULL, *rcnt = NULL, *rd = NULL;
    int rc = sc ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) {
        sd = sc + nranks;
        rcnt = sc + 2 * nranks;
        rd = sc + 3 * nranks;
        rc = gat_counts(nsend, nranks, sc, sd, "sending");
    }
    if (rc == CS_OK) rc = gat_counts(nrecv, nranks, rcnt, rd, "receiving");
    void *buf = NULL;
    if (rc == CS_OK) {
        size_t t = (size_t)rd[nranks - 1] + (size_t)rcnt[nranks - 1];
        if (!(buf = malloc((t ? t : 1) * size)))
            rc = CS_ERROR(CS_ENOMEM, "out of memory receiving %zu records of %zu bytes", t, size);
    }
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        MPI_Datatype rec;
        MPI_Type_contiguous((int)size, MPI_BYTE, &rec);
        MPI_Type_commit(&rec);
        MPI_Alltoallv(send, sc, sd, rec, buf, rcnt, rd, rec, comm);
        MPI_Type_free(&rec);
        *out = buf;
    } else {
        free(buf);
    }
    free(sc);
    return rc;
}

void gat_bin(const void *recs, const int *dest, size_t n, size_t size, int nranks, void *send,
             uint64_t *nsend, uint64_t *work)
{
    const char *in = recs;
    char *out = send;
    memset(nsend, 0, (size_t)nranks * sizeof *nsend);
    for (size_t i = 0; i < n; i++) nsend[dest[i]]++;
    uint64_t o = 0;
    for (int q = 0; q < nranks; q++) {
        work[q] = o;
        o += nsend[q];
    }
    for (size_t i = 0; i < n; i++) memcpy(out + (size_t)work[dest[i]]++ * size, in + i * size, size);
}

int gat_helper_rank(MPI_Comm comm)
{
    int nr = 1;
    MPI_Comm_size(comm, &nr);
    return nr > 1 ? 1 : 0;
}

int gat_allgather_bytes(MPI_Comm comm, const void *mine, size_t n, void **all, size_t *lens)
{
    int nranks = 1;
    MPI_Comm_size(comm, &nranks);
    *all = NULL;
    int rc = CS_OK;
    uint64_t len = n;
    uint64_t *got = calloc((size_t)nranks, sizeof *got);
    int *counts = calloc((size_t)nranks, sizeof(int)), *displ = calloc((size_t)nranks, sizeof(int));
    if (!got || !counts || !displ) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(comm, rc);
    if (rc == CS_OK && MPI_Allgather(&len, 1, MPI_UINT64_T, got, 1, MPI_UINT64_T, comm) != MPI_SUCCESS)
        rc = CS_ERROR(CS_EMPI, "MPI_Allgather failed");
    uint64_t t = 0;
    void *buf = NULL;
    if (rc == CS_OK) {
        for (int q = 0; q < nranks; q++) {
            lens[q] = (size_t)got[q];
            displ[q] = (int)(t <= INT_MAX ? t : 0);
            counts[q] = (int)(got[q] <= INT_MAX ? got[q] : 0);
            t += got[q];
        }
        /* every rank computed the same t: the same answer everywhere, no agreement needed */
        if (t > INT_MAX) rc = CS_ERROR(CS_EINVAL, "allgather: %llu bytes exceed MPI's int counts",
                                       (unsigned long long)t);
        else if (!(buf = malloc(t ? t : 1)))
            rc = CS_ERROR(CS_ENOMEM, "out of memory gathering %llu bytes", (unsigned long long)t);
    }
    rc = red_agree(comm, rc);
    if (rc == CS_OK && MPI_Allgatherv(mine, (int)n, MPI_BYTE, buf, counts, displ, MPI_BYTE, comm) != MPI_SUCCESS)
        rc = CS_ERROR(CS_EMPI, "MPI_Allgatherv failed");
    if (rc == CS_OK) *all = buf;
    else free(buf);
    free(got);
    free(counts);
    free(displ);
    return rc;
}
