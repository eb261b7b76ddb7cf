/* dupcheck.c — see dupcheck.h. */
#include "dupcheck.h"

#include "log.h"
#include "part.h"
#include "reduce.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t dup_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

typedef struct {
    uint64_t id, row;
} dup_entry;

int dup_check(const cmd_ctx *ctx, snap_reader *r, uint64_t memory)
{
    const snap_schema *s = snap_schema_of(r);
    int R = ctx->nranks;
    part_range pr;
    part_compute(s->n, R, ctx->rank, &pr);
    /* a set slot is 16 bytes at load <= 1/2: 32 bytes per id held */
    uint64_t per_rank = s->n / (uint64_t)R + 1;
    uint64_t budget = memory / 4 > 1024 ? memory / 4 : 1024;
    uint64_t passes = (per_rank * 32 + budget - 1) / budget;
    if (passes < 1) passes = 1;
    const size_t io = 65536;
    uint64_t *ids = malloc(io * sizeof(uint64_t));
    dup_entry *send = malloc(io * sizeof(dup_entry));
    int *scount = calloc((size_t)R, sizeof(int)), *sdisp = calloc((size_t)R, sizeof(int));
    int *rcount = calloc((size_t)R, sizeof(int)), *rdisp = calloc((size_t)R, sizeof(int));
    int *fill = calloc((size_t)R, sizeof(int));
    int rc = (ids && send && scount && sdisp && rcount && rdisp && fill) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    uint64_t nblocks_mine = (pr.rows + io - 1) / io, nblocks_max = 0;
    nblocks_max = nblocks_mine;
    red_max_u64(ctx->comm, &nblocks_max, 1);
    MPI_Datatype et;
    MPI_Type_contiguous(2, MPI_UINT64_T, &et);
    MPI_Type_commit(&et);
    for (uint64_t pass = 0; rc == CS_OK && pass < passes; pass++) {
        size_t cap = 1024;
        while (cap < 2 * (per_rank / passes + 1) + 16) cap *= 2;
        dup_entry *set = malloc(cap * sizeof(dup_entry));
        uint8_t *used = calloc(cap, 1);
        dup_entry *recv = NULL;
        size_t rcap = 0;
        int lrc = (set && used) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the id check");
        char found[512] = "";
        for (uint64_t b = 0; b < nblocks_max; b++) {
            uint64_t row0 = pr.row0 + b * io;
            size_t n = 0;
            if (b < nblocks_mine) {
                n = (size_t)(pr.row0 + pr.rows - row0 < io ? pr.row0 + pr.rows - row0 : io);
                if (lrc == CS_OK) lrc = snap_read(r, row0, n, ids, NULL, NULL, NULL, NULL);
                if (lrc != CS_OK) n = 0;
            }
            memset(scount, 0, (size_t)R * sizeof(int));
            for (size_t i = 0; i < n; i++) {
                uint64_t h = dup_mix(ids[i]);
                if (h % passes != pass) continue;
                scount[(h / passes) % (uint64_t)R]++;
            }
            sdisp[0] = 0;
            for (int q = 1; q < R; q++) sdisp[q] = sdisp[q - 1] + scount[q - 1];
            memcpy(fill, sdisp, (size_t)R * sizeof(int));
            for (size_t i = 0; i < n; i++) {
                uint64_t h = dup_mix(ids[i]);
                if (h % passes != pass) continue;
                int q = (int)((h / passes) % (uint64_t)R);
                send[fill[q]].id = ids[i];
                send[fill[q]].row = row0 + i;
                fill[q]++;
            }
            MPI_Alltoall(scount, 1, MPI_INT, rcount, 1, MPI_INT, ctx->comm);
            size_t tot = 0;
            for (int q = 0; q < R; q++) {
                rdisp[q] = (int)tot;
                tot += (size_t)rcount[q];
            }
            if (tot > rcap) {
                rcap = tot;
                dup_entry *nr = realloc(recv, rcap * sizeof(dup_entry));
                if (!nr) LOG_FATAL(CS_ENOMEM, "out of memory in the id check");
                recv = nr;
            }
            MPI_Alltoallv(send, scount, sdisp, et, recv, rcount, rdisp, et, ctx->comm);
            for (size_t i = 0; lrc == CS_OK && i < tot; i++) {
                uint64_t h = dup_mix(recv[i].id ^ 0x5bd1e995ull) & (cap - 1);
                while (used[h] && set[h].id != recv[i].id) h = (h + 1) & (cap - 1);
                if (used[h]) {
                    uint64_t a = set[h].row < recv[i].row ? set[h].row : recv[i].row;
                    uint64_t c = set[h].row < recv[i].row ? recv[i].row : set[h].row;
                    snprintf(found, sizeof found, "%s: /subscribers/id: id %llu appears twice (rows %llu and %llu)",
                             snap_path(r), (unsigned long long)recv[i].id, (unsigned long long)a,
                             (unsigned long long)c);
                    lrc = CS_ERROR(CS_EDATA, "%s", found);
                    break;
                }
                used[h] = 1;
                set[h] = recv[i];
            }
        }
        free(set);
        free(used);
        free(recv);
        rc = red_agree(ctx->comm, lrc);
    }
    MPI_Type_free(&et);
    free(ids);
    free(send);
    free(scount);
    free(sdisp);
    free(rcount);
    free(rdisp);
    free(fill);
    return rc;
}
