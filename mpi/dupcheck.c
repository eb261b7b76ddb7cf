/* dupcheck.c — see dupcheck.h. */
#include "dupcheck.h"

#include "idhash.h"
#include "log.h"
#include "part.h"
#include "reduce.h"
#include "status.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of set per id held: 8-byte slots at a load between 0.35 and 0.7 (the capacity is a power of
 * two). The set holds ids only, not rows: a first version kept (id, row) pairs and a used-flag
 * array, 34 bytes per id at load 0.5, and its page faults and cache misses were most of the check's
 * 0.26 s for 5M ids on one rank. The rows are found again only when a duplicate is (dup_rows). */
#define DUP_BYTES_PER_ID 24

/* Collective: the two smallest rows of id over all ranks' partitions (UINT64_MAX where fewer). */
static int dup_rows(const cmd_ctx *ctx, snap_reader *r, const part_range *pr, uint64_t id,
                    uint64_t *ids, size_t io, uint64_t rows[2])
{
    rows[0] = rows[1] = UINT64_MAX;
    int rc = CS_OK;
    for (uint64_t row0 = pr->row0; rc == CS_OK && row0 < pr->row0 + pr->rows; row0 += io) {
        size_t n = (size_t)(pr->row0 + pr->rows - row0 < io ? pr->row0 + pr->rows - row0 : io);
        rc = snap_read(r, row0, n, ids, NULL, NULL, NULL, NULL);
        for (size_t i = 0; rc == CS_OK && i < n; i++) {
            if (ids[i] != id) continue;
            uint64_t row = row0 + i;
            if (row < rows[0]) {
                rows[1] = rows[0];
                rows[0] = row;
            } else if (row < rows[1]) {
                rows[1] = row;
            }
        }
    }
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;
    int R = ctx->nranks;
    uint64_t *all = malloc((size_t)R * 2 * sizeof(uint64_t));
    if (!all) LOG_FATAL(CS_ENOMEM, "out of memory in the id check");
    MPI_Allgather(rows, 2, MPI_UINT64_T, all, 2, MPI_UINT64_T, ctx->comm);
    rows[0] = rows[1] = UINT64_MAX;
    for (int q = 0; q < 2 * R; q++) {
        if (all[q] < rows[0]) {
            rows[1] = rows[0];
            rows[0] = all[q];
        } else if (all[q] < rows[1]) {
            rows[1] = all[q];
        }
    }
    free(all);
    return CS_OK;
}

int dup_check(const cmd_ctx *ctx, snap_reader *r, uint64_t memory)
{
    const snap_schema *s = snap_schema_of(r);
    int R = ctx->nranks;
    part_range pr;
    part_compute(s->n, R, ctx->rank, &pr);
    uint64_t per_rank = s->n / (uint64_t)R + 1;
    uint64_t budget = memory / 4 > 1024 ? memory / 4 : 1024;
    uint64_t passes = (per_rank * DUP_BYTES_PER_ID + budget - 1) / budget;
    if (passes < 1) passes = 1;
    const size_t io = 65536;
    uint64_t *ids = malloc(io * sizeof(uint64_t));
    uint64_t *send = malloc(io * sizeof(uint64_t));
    int *scount = calloc((size_t)R, sizeof(int)), *sdisp = calloc((size_t)R, sizeof(int));
    int *rcount = calloc((size_t)R, sizeof(int)), *rdisp = calloc((size_t)R, sizeof(int));
    int *fill = calloc((size_t)R, sizeof(int));
    int rc = (ids && send && scount && sdisp && rcount && rdisp && fill) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    uint64_t nblocks_mine = (pr.rows + io - 1) / io, nblocks_max = nblocks_mine;
    red_max_u64(ctx->comm, &nblocks_max, 1);
    /* the duplicate this rank found (valid when found) */
    int found = 0;
    uint64_t dup_id = 0;
    for (uint64_t pass = 0; rc == CS_OK && pass < passes; pass++) {
        /* capacity: a power of two with the load at most 0.7 */
        size_t want = (size_t)((per_rank / passes + 1) * 10 / 7) + 16, cap = 1024;
        while (cap < want) cap *= 2;
        /* 0 marks an empty slot; id 0 itself is tracked by zero_seen */
        uint64_t *set = calloc(cap, sizeof(uint64_t));
        uint64_t *recv = NULL;
        size_t rcap = 0;
        int zero_seen = 0;
        int lrc = set ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the id check");
        for (uint64_t b = 0; b < nblocks_max; b++) {
            uint64_t row0 = pr.row0 + b * io;
            size_t n = 0;
            if (b < nblocks_mine) {
                n = (size_t)(pr.row0 + pr.rows - row0 < io ? pr.row0 + pr.rows - row0 : io);
                if (lrc == CS_OK) lrc = snap_read(r, row0, n, ids, NULL, NULL, NULL, NULL);
                if (lrc != CS_OK) n = 0;
            }
            /* every rank takes part in every exchange, whatever it found, so none waits forever */
            memset(scount, 0, (size_t)R * sizeof(int));
            for (size_t i = 0; i < n; i++) {
                uint64_t h = idhash_mix(ids[i]);
                if (h % passes != pass) continue;
                scount[(h / passes) % (uint64_t)R]++;
            }
            sdisp[0] = 0;
            for (int q = 1; q < R; q++) sdisp[q] = sdisp[q - 1] + scount[q - 1];
            memcpy(fill, sdisp, (size_t)R * sizeof(int));
            for (size_t i = 0; i < n; i++) {
                uint64_t h = idhash_mix(ids[i]);
                if (h % passes != pass) continue;
                send[fill[(h / passes) % (uint64_t)R]++] = ids[i];
            }
            MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, ctx->comm);
            size_t tot = 0;
            for (int q = 0; q < R; q++) {
                rdisp[q] = (int)tot;
                tot += (size_t)rcount[q];
            }
            if (tot > rcap) {
                rcap = tot;
                uint64_t *nr = realloc(recv, rcap * sizeof(uint64_t));
                if (!nr) LOG_FATAL(CS_ENOMEM, "out of memory in the id check");
                recv = nr;
            }
            MPI_Alltoallv(send, scount, sdisp, MPI_UINT64_T, recv, rcount, rdisp, MPI_UINT64_T, ctx->comm);
            for (size_t i = 0; lrc == CS_OK && !found && i < tot; i++) {
                uint64_t id = recv[i];
                int seen;
                if (id == 0) {
                    seen = zero_seen;
                    zero_seen = 1;
                } else {
                    size_t h = (size_t)idhash_mix(id ^ 0x5bd1e995ull) & (cap - 1);
                    while (set[h] != 0 && set[h] != id) h = (h + 1) & (cap - 1);
                    seen = set[h] == id;
                    set[h] = id;
                }
                if (seen) {
                    found = 1;
                    dup_id = id;
                }
            }
        }
        free(set);
        free(recv);
        rc = red_agree(ctx->comm, lrc);
        /* a duplicate ends the check after this pass: the lowest rank that found one names it */
        int first = found ? ctx->rank : INT_MAX;
        if (rc == CS_OK) MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, ctx->comm);
        if (rc == CS_OK && first != INT_MAX) {
            MPI_Bcast(&dup_id, 1, MPI_UINT64_T, first, ctx->comm);
            uint64_t rows[2];
            rc = dup_rows(ctx, r, &pr, dup_id, ids, io, rows);
            if (rc == CS_OK)
                rc = CS_ERROR(CS_EDATA, "%s: /subscribers/id: id %llu appears twice (rows %llu and %llu)",
                              snap_path(r), (unsigned long long)dup_id, (unsigned long long)rows[0],
                              (unsigned long long)rows[1]);
        }
    }
    free(ids);
    free(send);
    free(scount);
    free(sdisp);
    free(rcount);
    free(rdisp);
    free(fill);
    return rc;
}
