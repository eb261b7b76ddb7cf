/* reduce.c — the fixed-tree sums and the status agreement of reduce.h. */
#include "reduce.h"

#include "status.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2·64 nodes is more than any realistic stack: the stack holds at most one node per level on each
 * side of a rank's range. */
#define RED_MAX_NODES 130

typedef struct {
    int64_t level;
    int64_t index;
} red_key;

struct red_tree {
    size_t len;
    int n;                      /* nodes on the stack */
    red_key key[RED_MAX_NODES];
    double *vec[RED_MAX_NODES]; /* allocated lazily, kept for reuse */
    uint64_t next_block;        /* blocks must arrive in order */
    int started;
    double *recv;               /* [len]: rank 0 receives the other ranks' nodes here */
};

red_tree *red_tree_alloc(size_t len)
{
    red_tree *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->len = len;
    /* allocated here, not in red_tree_allreduce: there the other ranks are already sending, and a
     * failure could not be agreed */
    t->recv = malloc((len ? len : 1) * sizeof(double));
    if (!t->recv) {
        free(t);
        return NULL;
    }
    return t;
}

void red_tree_free(red_tree *t)
{
    if (!t) return;
    for (int i = 0; i < RED_MAX_NODES; i++) free(t->vec[i]);
    free(t->recv);
    free(t);
}

void red_tree_reset(red_tree *t)
{
    t->n = 0;
    t->started = 0;
    t->next_block = 0;
}

/* Pushes node (level, index) holding v and merges complete sibling pairs: the same merges the
 * canonical tree makes, in the same left + right order. */
static int red_push(red_tree *t, int64_t level, int64_t index, const double *v)
{
    if (t->n >= RED_MAX_NODES) return CS_ERROR(CS_EINTERNAL, "reduction tree too deep");
    if (!t->vec[t->n]) {
        t->vec[t->n] = malloc((t->len ? t->len : 1) * sizeof(double));
        if (!t->vec[t->n]) return CS_ERROR(CS_ENOMEM, "out of memory in reduction (%zu doubles)", t->len);
    }
    memcpy(t->vec[t->n], v, t->len * sizeof(double));
    t->key[t->n].level = level;
    t->key[t->n].index = index;
    t->n++;
    while (t->n >= 2) {
        red_key *a = &t->key[t->n - 2], *b = &t->key[t->n - 1];
        if (a->level != b->level || (a->index & 1) != 0 || b->index != a->index + 1) break;
        double *x = t->vec[t->n - 2];
        const double *y = t->vec[t->n - 1];
        for (size_t j = 0; j < t->len; j++) x[j] = x[j] + y[j];
        a->level += 1;
        a->index /= 2;
        t->n--;
    }
    return CS_OK;
}

int red_tree_add(red_tree *t, uint64_t b, const double *v)
{
    if (t->started && b < t->next_block)
        return CS_ERROR(CS_EINTERNAL, "reduction blocks out of order (%llu after %llu)",
                        (unsigned long long)b, (unsigned long long)t->next_block);
    t->started = 1;
    t->next_block = b + 1;
    return red_push(t, 0, (int64_t)b, v);
}

int red_tree_allreduce(red_tree *t, MPI_Comm comm, uint64_t nblocks, double *out)
{
    int rank, nranks;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &nranks);
    const int TAG = 7301;
    int rc = CS_OK;
    if (rank != 0) {
        int n = t->n;
        MPI_Send(&n, 1, MPI_INT, 0, TAG, comm);
        for (int i = 0; i < n; i++) {
            MPI_Send(&t->key[i], 2, MPI_INT64_T, 0, TAG, comm);
            MPI_Send(t->vec[i], (int)t->len, MPI_DOUBLE, 0, TAG, comm);
        }
    } else {
        /* Rank 0's own stack holds the leftmost nodes; the other ranks' nodes follow in rank order,
         * which is block order, so pushing them continues the same fold. */
        double *buf = t->recv;
        for (int r = 1; r < nranks; r++) {
            int n = 0;
            MPI_Recv(&n, 1, MPI_INT, r, TAG, comm, MPI_STATUS_IGNORE);
            for (int i = 0; i < n; i++) {
                red_key k;
                MPI_Recv(&k, 2, MPI_INT64_T, r, TAG, comm, MPI_STATUS_IGNORE);
                MPI_Recv(buf, (int)t->len, MPI_DOUBLE, r, TAG, comm, MPI_STATUS_IGNORE);
                if (rc == CS_OK) rc = red_push(t, k.level, k.index, buf);
            }
        }
        /* The stack now tiles [0, nblocks) with levels decreasing left to right; the canonical tree
         * promotes the rightmost node until it meets its left neighbour's level, so fold right to
         * left: acc = node_k + acc. */
        /* The fold below is the canonical sum only if the nodes tile [0, nblocks) with no gap: a
         * rank that skipped a block would silently change the grouping, so check it. */
        uint64_t at = 0;
        for (int k = 0; rc == CS_OK && k < t->n; k++) {
            uint64_t start = (uint64_t)t->key[k].index << t->key[k].level;
            uint64_t end = ((uint64_t)t->key[k].index + 1) << t->key[k].level;
            if (start != at) rc = CS_ERROR(CS_EINTERNAL, "reduction: blocks %llu..%llu missing",
                                          (unsigned long long)at, (unsigned long long)start);
            at = end < nblocks ? end : nblocks;
        }
        if (rc == CS_OK && at != nblocks)
            rc = CS_ERROR(CS_EINTERNAL, "reduction: %llu of %llu blocks added", (unsigned long long)at,
                          (unsigned long long)nblocks);
        memset(out, 0, t->len * sizeof(double));
        if (rc == CS_OK && t->n > 0) {
            memcpy(out, t->vec[t->n - 1], t->len * sizeof(double));
            for (int k = t->n - 2; k >= 0; k--) {
                const double *x = t->vec[k];
                for (size_t j = 0; j < t->len; j++) out[j] = x[j] + out[j];
            }
        }
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, comm);
    if (rc != CS_OK) return rc;
    MPI_Bcast(out, (int)t->len, MPI_DOUBLE, 0, comm);
    return CS_OK;
}

/* The order-independent reductions: a plain in-place MPI_Allreduce. */
static int red_plain(MPI_Comm comm, void *v, size_t n, MPI_Datatype t, MPI_Op op)
{
    if (MPI_Allreduce(MPI_IN_PLACE, v, (int)n, t, op, comm) != MPI_SUCCESS)
        return CS_ERROR(CS_EMPI, "MPI_Allreduce failed");
    return CS_OK;
}

int red_sum_i64(MPI_Comm comm, int64_t *v, size_t n) { return red_plain(comm, v, n, MPI_INT64_T, MPI_SUM); }
int red_max_f64(MPI_Comm comm, double *v, size_t n) { return red_plain(comm, v, n, MPI_DOUBLE, MPI_MAX); }
int red_min_f64(MPI_Comm comm, double *v, size_t n) { return red_plain(comm, v, n, MPI_DOUBLE, MPI_MIN); }
int red_sum_exact_f64(MPI_Comm comm, double *v, size_t n) { return red_plain(comm, v, n, MPI_DOUBLE, MPI_SUM); }
int red_max_u64(MPI_Comm comm, uint64_t *v, size_t n) { return red_plain(comm, v, n, MPI_UINT64_T, MPI_MAX); }
int red_min_int(MPI_Comm comm, int *v, size_t n) { return red_plain(comm, v, n, MPI_INT, MPI_MIN); }
int red_min_u64(MPI_Comm comm, uint64_t *v, size_t n) { return red_plain(comm, v, n, MPI_UINT64_T, MPI_MIN); }

uint64_t red_exscan_u64(MPI_Comm comm, uint64_t v)
{
    int rank;
    uint64_t before = 0;
    MPI_Comm_rank(comm, &rank);
    MPI_Exscan(&v, &before, 1, MPI_UINT64_T, MPI_SUM, comm);
    return rank == 0 ? 0 : before; /* MPI leaves rank 0's result undefined */
}

int red_agree(MPI_Comm comm, int status)
{
    int rank;
    MPI_Comm_rank(comm, &rank);
    int mine = status != CS_OK ? rank : INT_MAX, first = INT_MAX;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
    if (first == INT_MAX) return CS_OK;
    char msg[2048];
    int code = status;
    if (rank == first) snprintf(msg, sizeof msg, "%s", status_message());
    MPI_Bcast(msg, sizeof msg, MPI_CHAR, first, comm);
    MPI_Bcast(&code, 1, MPI_INT, first, comm);
    if (rank != first) status_adopt(code, msg);
    return code;
}
