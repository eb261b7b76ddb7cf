/* dupcheck.c — see dupcheck.h. */
#include "dupcheck.h"

#include "comm.h"
#include "gather.h"
#include "idhash.h"
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
    /* The rows are distinct across ranks (each row lives on one rank): the smallest is the least of
     * the ranks' smallest, the second the least of what remains once that one is set aside. */
    uint64_t first = rows[0];
    int rc1 = red_min_u64(ctx->comm, &first, 1);
    uint64_t second = rows[0] == first ? rows[1] : rows[0];
    int rc2 = red_min_u64(ctx->comm, &second, 1); /* every rank takes part in both */
    rows[0] = first;
    rows[1] = second;
    return red_agree(ctx->comm, rc1 != CS_OK ? rc1 : rc2);
}

/* Collective. 1 when the ids rise strictly from the first row to the last (a warehouse extract is
 * usually in id order): then they are unique, and the hash set below is not needed (issue 20: its
 * random probes into 32 MB of fresh memory were 0.13 s of a 2.8M-row import on one rank; reading the
 * ids once in order costs a tenth of that). Each rank reads its rows in order; its first and last id
 * and whether they rose are shared, one slot a rank, as a maximum (reduce.h). */
static int dup_rising(const cmd_ctx *ctx, snap_reader *r, const part_range *pr, uint64_t *ids, size_t io,
                      int *rising)
{
    *rising = 0;
    int R = ctx->nranks, rc = CS_OK, up = 1;
    uint64_t first = 0, last = 0, prev = 0;
    for (uint64_t row0 = pr->row0; rc == CS_OK && up && row0 < pr->row0 + pr->rows; row0 += io) {
        size_t n = (size_t)(pr->row0 + pr->rows - row0 < io ? pr->row0 + pr->rows - row0 : io);
        rc = snap_read(r, row0, n, ids, NULL, NULL, NULL, NULL);
        if (rc != CS_OK) break;
        if (row0 == pr->row0) first = prev = ids[0];
        size_t i = row0 == pr->row0 ? 1 : 0;
        for (; i < n; i++) {
            if (ids[i] <= prev) up = 0;
            prev = ids[i];
        }
        last = prev;
    }
    uint64_t *v = calloc(3 * (size_t)R, sizeof *v);
    if (rc == CS_OK && !v) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) {
        free(v);
        return rc;
    }
    /* slot q: 1 + whether rank q's ids rose (0: no rows), its first and last id */
    v[3 * ctx->rank] = pr->rows ? 1 + (uint64_t)up : 0;
    v[3 * ctx->rank + 1] = first;
    v[3 * ctx->rank + 2] = last;
    rc = red_agree(ctx->comm, red_max_u64(ctx->comm, v, 3 * (size_t)R));
    if (rc == CS_OK) {
        int all = 1, any = 0;
        uint64_t before = 0;
        for (int q = 0; all && q < R; q++) {
            if (v[3 * q] == 0) continue;
            if (v[3 * q] != 2 || (any && v[3 * q + 1] <= before)) all = 0;
            before = v[3 * q + 2];
            any = 1;
        }
        *rising = all;
    }
    free(v);
    return rc;
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
    int *dest = malloc(io * sizeof(int));
    uint64_t *counts = calloc(3 * (size_t)R, sizeof(uint64_t)); /* sent, received, scratch */
    int rc = (ids && send && dest && counts) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    uint64_t *nsend = counts, *nrecv = counts + R, *work = counts + 2 * (size_t)R;
    int rising = 0;
    if (rc == CS_OK) rc = dup_rising(ctx, r, &pr, ids, io, &rising);
    if (rc == CS_OK && rising) passes = 0; /* unique: nothing more to check */
    uint64_t nblocks_mine = (pr.rows + io - 1) / io, nblocks_max = nblocks_mine;
    if (rc == CS_OK) rc = red_max_u64(ctx->comm, &nblocks_max, 1);
    /* the duplicate this rank found (valid when found) */
    int found = 0;
    uint64_t dup_id = 0;
    for (uint64_t pass = 0; rc == CS_OK && pass < passes; pass++) {
        /* capacity: a power of two with the load at most 0.7 */
        size_t want = (size_t)((per_rank / passes + 1) * 10 / 7) + 16, cap = 1024;
        while (cap < want) cap *= 2;
        /* 0 marks an empty slot; id 0 itself is tracked by zero_seen */
        uint64_t *set = calloc(cap, sizeof(uint64_t));
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
            /* this pass's ids, each to the rank that owns its hash */
            size_t m = 0;
            for (size_t i = 0; i < n; i++) {
                uint64_t h = idhash_mix(ids[i]);
                if (h % passes != pass) continue;
                ids[m] = ids[i];
                dest[m++] = (int)((h / passes) % (uint64_t)R);
            }
            gat_bin(ids, dest, m, sizeof *ids, R, send, nsend, work);
            /* every rank takes part in every exchange, whatever it found, so none waits forever; the
             * exchange agrees on its own failures, so all ranks leave the loop together */
            void *in = NULL;
            int xrc = gat_exchange(ctx->comm, send, nsend, sizeof *send, &in, nrecv);
            if (xrc != CS_OK) {
                if (lrc == CS_OK) lrc = xrc;
                break;
            }
            const uint64_t *recv = in;
            uint64_t tot = 0;
            for (int q = 0; q < R; q++) tot += nrecv[q];
            for (uint64_t i = 0; lrc == CS_OK && !found && i < tot; i++) {
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
            free(in);
        }
        free(set);
        rc = red_agree(ctx->comm, lrc);
        /* a duplicate ends the check after this pass: the lowest rank that found one names it */
        int first = found ? ctx->rank : INT_MAX;
        if (rc == CS_OK) rc = red_agree(ctx->comm, red_min_int(ctx->comm, &first, 1));
        if (rc == CS_OK && first != INT_MAX) {
            rc = red_agree(ctx->comm, comm_bcast(ctx->comm, first, &dup_id, sizeof dup_id));
            uint64_t rows[2];
            if (rc == CS_OK) rc = dup_rows(ctx, r, &pr, dup_id, ids, io, rows);
            if (rc == CS_OK)
                rc = CS_ERROR(CS_EDATA, "%s: /subscribers/id: id %llu appears twice (rows %llu and %llu)",
                              snap_path(r), (unsigned long long)dup_id, (unsigned long long)rows[0],
                              (unsigned long long)rows[1]);
        }
    }
    free(ids);
    free(send);
    free(dest);
    free(counts);
    return rc;
}
