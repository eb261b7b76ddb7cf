/* eval_join.c — the distributed id join of `churnscore evaluate` and of score's month over month
 * (see eval_join.h): moved out of cmd_evaluate.c when evaluate --scores (eval_groups.c) needed it
 * too; the map (a value beside each id) and the answers' way back came with score --previous-scores
 * (score_prev.c), so that one join serves all three.
 */
#include "eval_join.h"

#include "gather.h"
#include "idhash.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

/* ---- the distributed id set of the join (--previous) ---- */

/* The owner rank takes the high half of the hash, the slot the low bits, so the ids one rank owns
 * do not all share their slot bits. */
int eval_owner(uint64_t id, int nranks) { return (int)((idhash_mix(id) >> 32) % (uint64_t)nranks); }

/* Which pass of a multi-pass join takes the id: another mix, so the parts are independent of the
 * owner and slot bits. */
uint64_t eval_part(uint64_t id, uint64_t parts)
{
    return parts > 1 ? idhash_mix(id ^ UINT64_C(0x5851f42d4c957f2d)) % parts : 0;
}


void eval_set_clear(eval_set *s)
{
    free(s->slot);
    free(s->val);
    memset(s, 0, sizeof *s);
}

/* Room for one more id: doubles the table (and its values, for a map) at load 1/2. */
static int eval_set_room(eval_set *s, int with_val)
{
    if (2 * (s->n + 1) <= s->slots) return CS_OK;
    size_t slots = s->slots ? 2 * s->slots : 1024;
    uint64_t *t = calloc(slots, sizeof *t), *tv = with_val ? calloc(slots, sizeof *tv) : NULL;
    if (!t || (with_val && !tv)) {
        free(t);
        free(tv);
        return CS_ERROR(CS_ENOMEM, "out of memory for %zu ids of the join (use more ranks)", s->n);
    }
    for (size_t i = 0; i < s->slots; i++) {
        if (!s->slot[i]) continue;
        size_t h = (size_t)idhash_mix(s->slot[i]) & (slots - 1);
        while (t[h]) h = (h + 1) & (slots - 1);
        t[h] = s->slot[i];
        if (tv) tv[h] = s->val[i];
    }
    free(s->slot);
    free(s->val);
    s->slot = t;
    s->val = tv;
    s->slots = slots;
    return CS_OK;
}

/* The slot of id (id != 0): where it is, or the empty slot where it would go. */
static size_t eval_set_slot(const eval_set *s, uint64_t id)
{
    size_t h = (size_t)idhash_mix(id) & (s->slots - 1);
    while (s->slot[h] && s->slot[h] != id) h = (h + 1) & (s->slots - 1);
    return h;
}

int eval_set_insert(eval_set *s, uint64_t id)
{
    if (id == 0) {
        s->has_zero = 1;
        return CS_OK;
    }
    CS_TRY(eval_set_room(s, 0));
    size_t h = eval_set_slot(s, id);
    if (!s->slot[h]) {
        s->slot[h] = id;
        s->n++;
    }
    return CS_OK;
}

int eval_set_has(const eval_set *s, uint64_t id)
{
    if (id == 0) return s->has_zero;
    if (!s->slots) return 0;
    return s->slot[eval_set_slot(s, id)] == id;
}

int eval_set_put(eval_set *s, uint64_t id, uint64_t v)
{
    if (id == 0) {
        s->has_zero = 1;
        s->zero_val = v;
        return CS_OK;
    }
    CS_TRY(eval_set_room(s, 1));
    size_t h = eval_set_slot(s, id);
    if (!s->slot[h]) {
        s->slot[h] = id;
        s->n++;
    }
    s->val[h] = v;
    return CS_OK;
}

int eval_set_get(const eval_set *s, uint64_t id, uint64_t *v)
{
    if (id == 0) {
        if (s->has_zero) *v = s->zero_val;
        return s->has_zero;
    }
    if (!s->slots || !s->val) return 0;
    size_t h = eval_set_slot(s, id);
    if (s->slot[h] != id) return 0;
    *v = s->val[h];
    return 1;
}


void eval_xchg_clear(eval_xchg *x)
{
    free(x->nsend);
    free(x->send);
    free(x->recv);
    memset(x, 0, sizeof *x);
}

int eval_xchg_init(eval_xchg *x, int nranks, int width, size_t rows)
{
    memset(x, 0, sizeof *x);
    x->nranks = nranks;
    x->width = width;
    x->nsend = calloc(3 * (size_t)nranks, sizeof(uint64_t));
    x->send = malloc((rows ? rows : 1) * (size_t)width * sizeof(uint64_t));
    if (!x->nsend || !x->send) {
        eval_xchg_clear(x);
        return CS_ERROR(CS_ENOMEM, "out of memory for the exchange buffers");
    }
    x->nrecv = x->nsend + nranks;
    x->fill = x->nsend + 2 * (size_t)nranks;
    return CS_OK;
}

/* Collective. Sends items[i] (width uint64 each, n of them) to rank owner[i]; on return x->recv holds
 * *nrecv items. Every rank calls it the same number of times (n may be 0); a failure is agreed. */
int eval_xchg_run(eval_xchg *x, const uint64_t *items, const int *owner, size_t n, MPI_Comm comm,
                         size_t *nrecv)
{
    size_t size = (size_t)x->width * sizeof(uint64_t);
    gat_bin(items, owner, n, size, x->nranks, x->send, x->nsend, x->fill);
    free(x->recv);
    void *in = NULL;
    int rc = gat_exchange(comm, x->send, x->nsend, size, &in, x->nrecv);
    x->recv = in;
    uint64_t total = 0;
    for (int q = 0; rc == CS_OK && q < x->nranks; q++) total += x->nrecv[q];
    *nrecv = (size_t)total;
    return rc;
}

void eval_xchg_sources(const eval_xchg *x, int *src)
{
    size_t at = 0;
    for (int q = 0; q < x->nranks; q++)
        for (uint64_t k = 0; k < x->nrecv[q]; k++) src[at++] = q;
}
