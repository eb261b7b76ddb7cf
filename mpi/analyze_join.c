/* analyze_join.c — the distributed id map of analyze's --previous join (see analyze_join.h). */
#include "analyze_join.h"

#include "gather.h"
#include "idhash.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

/* One slot: the id (0 marks an empty slot, so id 0 is kept apart), its cell and whether this month
 * has it. */
typedef struct {
    uint64_t id;
    uint32_t cell;
    uint32_t seen;
} anj_slot;

struct anj_join {
    int nranks;
    anj_slot *slot;
    size_t slots, n;
    int has_zero, zero_seen;
    uint32_t zero_cell;
    /* exchange buffers of one round: items of 2 uint64 (id, cell | flag << 32) */
    uint64_t *items, *send, *nsend, *fill;
    int *owner;
};

/* The owner takes the high half of the hash, the slot the low half, scaled to the table's size by a
 * multiply (Lemire's range reduction): the table need not be a power of two, so it is sized to a
 * load of 1/2 exactly, not up to twice that many slots (at 10M ids on 1 rank the power of two
 * gave 537 MB, and zeroing its pages took a seventh of the run). */
static int anj_owner(uint64_t id, int nranks) { return (int)((idhash_mix(id) >> 32) % (uint64_t)nranks); }

static size_t anj_home(uint64_t id, size_t slots)
{
    return (size_t)(((idhash_mix(id) & 0xffffffffu) * (uint64_t)slots) >> 32);
}

/* How far ahead the loops over received ids prefetch their slots: the table is far larger than the
 * caches, so each probe is a miss; issued early, several misses overlap. */
#define ANJ_AHEAD 16

anj_join *anj_alloc(int nranks, size_t io_rows, uint64_t expect)
{
    anj_join *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    j->nranks = nranks;
    size_t m = io_rows ? io_rows : 1;
    j->items = malloc(2 * m * sizeof(uint64_t));
    j->send = malloc(2 * m * sizeof(uint64_t));
    j->nsend = calloc(2 * (size_t)nranks, sizeof(uint64_t));
    j->owner = malloc(m * sizeof(int));
    if (!j->items || !j->send || !j->nsend || !j->owner) {
        anj_free(j);
        return NULL;
    }
    j->fill = j->nsend + nranks;
    size_t slots = 2 * expect + 1024;
    if (slots > 0xffffffffu) slots = 0xffffffffu; /* anj_home's reach; the table then doubles no more */
    j->slot = calloc(slots, sizeof *j->slot);
    if (!j->slot) {
        anj_free(j);
        return NULL;
    }
    j->slots = slots;
    return j;
}

void anj_free(anj_join *j)
{
    if (!j) return;
    free(j->slot);
    free(j->items);
    free(j->send);
    free(j->nsend);
    free(j->owner);
    free(j);
}

static anj_slot *anj_find(const anj_join *j, uint64_t id)
{
    if (!j->slots) return NULL;
    size_t h = anj_home(id, j->slots);
    while (j->slot[h].id) {
        if (j->slot[h].id == id) return &j->slot[h];
        if (++h == j->slots) h = 0;
    }
    return NULL;
}

static int anj_insert(anj_join *j, uint64_t id, uint32_t cell)
{
    if (id == 0) {
        j->has_zero = 1;
        j->zero_cell = cell;
        return CS_OK;
    }
    if (2 * (j->n + 1) > j->slots) {
        size_t slots = j->slots ? 2 * j->slots : 1024;
        if (slots > 0xffffffffu || j->n + 1 >= 0xffffffffu)
            return CS_ERROR(CS_ENOMEM, "over 2^31 ids of the --previous join on one rank (use more ranks)");
        anj_slot *t = calloc(slots, sizeof *t);
        if (!t) return CS_ERROR(CS_ENOMEM, "out of memory for %zu ids of the --previous join (use more ranks)", j->n);
        for (size_t i = 0; i < j->slots; i++) {
            if (!j->slot[i].id) continue;
            size_t h = anj_home(j->slot[i].id, slots);
            while (t[h].id)
                if (++h == slots) h = 0;
            t[h] = j->slot[i];
        }
        free(j->slot);
        j->slot = t;
        j->slots = slots;
    }
    size_t h = anj_home(id, j->slots);
    while (j->slot[h].id) {
        /* a repeated id of last month: the duplicate check of the snapshot's writer forbids it, and
         * the first one stands */
        if (j->slot[h].id == id) return CS_OK;
        if (++h == j->slots) h = 0;
    }
    j->slot[h] = (anj_slot){id, cell, 0};
    j->n++;
    return CS_OK;
}

/* Collective: sends n items (in j->items, owners in j->owner) and returns what arrived (*recv,
 * malloc'd, *nrecv items). */
static int anj_exchange(anj_join *j, MPI_Comm comm, size_t n, uint64_t **recv, size_t *nrecv)
{
    size_t size = 2 * sizeof(uint64_t);
    gat_bin(j->items, j->owner, n, size, j->nranks, j->send, j->nsend, j->fill);
    void *in = NULL;
    uint64_t *counts = calloc((size_t)j->nranks, sizeof(uint64_t));
    int rc = counts ? gat_exchange(comm, j->send, j->nsend, size, &in, counts) : CS_ERROR(CS_ENOMEM, "out of memory");
    uint64_t total = 0;
    for (int q = 0; counts && q < j->nranks; q++) total += counts[q];
    free(counts);
    *recv = in;
    *nrecv = (size_t)total;
    return rc;
}

int anj_add_previous(anj_join *j, MPI_Comm comm, const uint64_t *ids, const uint32_t *cell, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        j->items[2 * i] = ids[i];
        j->items[2 * i + 1] = cell[i];
        j->owner[i] = anj_owner(ids[i], j->nranks);
    }
    uint64_t *recv = NULL;
    size_t nrecv = 0;
    int rc = anj_exchange(j, comm, n, &recv, &nrecv);
    for (size_t i = 0; rc == CS_OK && i < nrecv; i++) {
        if (i + ANJ_AHEAD < nrecv) __builtin_prefetch(&j->slot[anj_home(recv[2 * (i + ANJ_AHEAD)], j->slots)], 1);
        rc = anj_insert(j, recv[2 * i], (uint32_t)recv[2 * i + 1]);
    }
    free(recv);
    return rc;
}

int anj_check_current(anj_join *j, MPI_Comm comm, const uint64_t *ids, const uint32_t *cell,
                      const uint8_t *tenure_new, size_t n, int64_t *new_join)
{
    for (size_t i = 0; i < n; i++) {
        j->items[2 * i] = ids[i];
        j->items[2 * i + 1] = (uint64_t)cell[i] | ((uint64_t)(tenure_new[i] != 0) << 32);
        j->owner[i] = anj_owner(ids[i], j->nranks);
    }
    uint64_t *recv = NULL;
    size_t nrecv = 0;
    int rc = anj_exchange(j, comm, n, &recv, &nrecv);
    for (size_t i = 0; rc == CS_OK && i < nrecv; i++) {
        if (i + ANJ_AHEAD < nrecv) __builtin_prefetch(&j->slot[anj_home(recv[2 * (i + ANJ_AHEAD)], j->slots)], 1);
        uint64_t id = recv[2 * i];
        uint32_t c = (uint32_t)recv[2 * i + 1];
        int by_tenure = (int)(recv[2 * i + 1] >> 32);
        int was = 0;
        if (id == 0) {
            was = j->has_zero;
            j->zero_seen = 1;
        } else {
            anj_slot *s = anj_find(j, id);
            if (s) {
                was = 1;
                s->seen = 1;
            }
        }
        if (!was && !by_tenure && c != ANJ_NO_CELL) new_join[c]++;
    }
    free(recv);
    return rc;
}

void anj_count_gone(const anj_join *j, int64_t *gone, int64_t *unmatched)
{
    for (size_t i = 0; i < j->slots; i++) {
        const anj_slot *s = &j->slot[i];
        if (!s->id || s->seen) continue;
        if (s->cell == ANJ_NO_CELL) (*unmatched)++;
        else gone[s->cell]++;
    }
    if (j->has_zero && !j->zero_seen) {
        if (j->zero_cell == ANJ_NO_CELL) (*unmatched)++;
        else gone[j->zero_cell]++;
    }
}
