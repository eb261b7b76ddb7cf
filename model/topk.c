/* topk.c — per-group bounded heaps in a total order (see topk.h). */
#include "topk.h"

#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    topk_item *v;
    size_t n, cap;
} topk_grp;

struct topk {
    size_t n_groups;
    uint64_t *k; /* [n_groups] */
    topk_grp *g;
};

int topk_before(const topk_item *a, const topk_item *b)
{
    if (a->band != b->band) return a->band > b->band;
    int na = isnan(a->key), nb = isnan(b->key);
    if (na != nb) return nb;
    if (!na && a->key != b->key) return a->key > b->key;
    if (a->id != b->id) return a->id < b->id;
    return a->row < b->row;
}

topk *topk_alloc(size_t n_groups, const uint64_t *k)
{
    if (n_groups == 0) return NULL;
    topk *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->g = calloc(n_groups, sizeof *t->g);
    t->k = malloc(n_groups * sizeof *t->k);
    if (!t->g || !t->k) {
        free(t->g);
        free(t->k);
        free(t);
        return NULL;
    }
    memcpy(t->k, k, n_groups * sizeof *t->k);
    t->n_groups = n_groups;
    return t;
}

void topk_free(topk *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_groups; i++) free(t->g[i].v);
    free(t->g);
    free(t->k);
    free(t);
}

/* The heap keeps the worst kept item at the root: "parent is worse than child", i.e. the child
 * ranks before the parent. */
static void topk_sift_up(topk_item *v, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!topk_before(&v[p], &v[i])) break;
        topk_item x = v[p];
        v[p] = v[i];
        v[i] = x;
        i = p;
    }
}

static void topk_sift_down(topk_item *v, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && topk_before(&v[w], &v[l])) w = l;
        if (r < n && topk_before(&v[w], &v[r])) w = r;
        if (w == i) break;
        topk_item x = v[w];
        v[w] = v[i];
        v[i] = x;
        i = w;
    }
}

static int topk_grow(topk_grp *g, size_t want)
{
    if (want <= g->cap) return CS_OK;
    size_t cap = g->cap ? g->cap : 64;
    while (cap < want) cap *= 2;
    topk_item *v = realloc(g->v, cap * sizeof *v);
    if (!v) return CS_ERROR(CS_ENOMEM, "out of memory for %zu listed subscribers of one region", want);
    g->v = v;
    g->cap = cap;
    return CS_OK;
}

int topk_push(topk *t, size_t gi, const topk_item *it)
{
    if (gi >= t->n_groups)
        return CS_ERROR(CS_EINVAL, "top-K: group %zu out of range (%zu groups)", gi, t->n_groups);
    topk_grp *g = &t->g[gi];
    uint64_t k = t->k[gi];
    if (k == 0) {
        CS_TRY(topk_grow(g, g->n + 1));
        g->v[g->n++] = *it;
        return CS_OK;
    }
    if (g->n < k) {
        /* grow by doubling up to k: a region smaller than K never costs K items */
        size_t want = g->n + 1;
        if (want > g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 64;
            if (cap > k) cap = (size_t)k;
            CS_TRY(topk_grow(g, cap));
        }
        g->v[g->n] = *it;
        topk_sift_up(g->v, g->n);
        g->n++;
        return CS_OK;
    }
    if (topk_before(it, &g->v[0])) {
        g->v[0] = *it;
        topk_sift_down(g->v, g->n, 0);
    }
    return CS_OK;
}

uint64_t topk_count(const topk *t)
{
    uint64_t n = 0;
    for (size_t i = 0; i < t->n_groups; i++) n += t->g[i].n;
    return n;
}

size_t topk_bytes(const topk *t)
{
    size_t b = 0;
    for (size_t i = 0; i < t->n_groups; i++) b += t->g[i].cap * sizeof(topk_item);
    return b;
}

static int topk_cmp(const void *a, const void *b)
{
    const topk_item *x = a, *y = b;
    if (topk_before(x, y)) return -1;
    if (topk_before(y, x)) return 1;
    return 0;
}

void topk_sort(topk *t)
{
    for (size_t i = 0; i < t->n_groups; i++)
        if (t->g[i].n > 1) qsort(t->g[i].v, t->g[i].n, sizeof(topk_item), topk_cmp);
}

topk_item *topk_group(topk *t, size_t g, size_t *n)
{
    if (g >= t->n_groups) {
        *n = 0;
        return NULL;
    }
    *n = t->g[g].n;
    return t->g[g].v;
}

/* ---- k-way merge ---- */

/* The heap holds the indices of the non-empty runs with the best head at the root. */
static int topk_head_before(const topk_run *runs, size_t a, size_t b)
{
    return topk_before(&runs[a].v[0], &runs[b].v[0]);
}

static void topk_run_sift_down(const topk_run *runs, size_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && topk_head_before(runs, heap[l], heap[w])) w = l;
        if (r < n && topk_head_before(runs, heap[r], heap[w])) w = r;
        if (w == i) return;
        size_t x = heap[w];
        heap[w] = heap[i];
        heap[i] = x;
        i = w;
    }
}

int topk_merge(topk_run *runs, size_t n_runs, uint64_t limit, size_t *heap, topk_sink sink, void *arg,
               uint64_t *merged)
{
    size_t h = 0;
    for (size_t q = 0; q < n_runs; q++)
        if (runs[q].n > 0) heap[h++] = q;
    for (size_t i = h / 2; i-- > 0;) topk_run_sift_down(runs, heap, h, i);
    uint64_t out = 0;
    int rc = CS_OK;
    while (h > 0 && out < limit) {
        topk_run *r = &runs[heap[0]];
        rc = sink(arg, out, r->v);
        if (rc != CS_OK) break;
        out++;
        r->v++;
        if (--r->n == 0) heap[0] = heap[--h];
        topk_run_sift_down(runs, heap, h, 0);
    }
    if (merged) *merged = out;
    return rc;
}
