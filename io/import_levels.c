/* import_levels.c — the levels of a CSV column: a set of distinct byte strings (imp_set).
 *
 * Each category, and the region and brand names, keep their distinct values in one imp_set: the
 * strings in one growing byte area, an open-addressing hash index, and after imp_schema_finish the
 * output code of each string (its rank in byte order, after --like's earlier levels). Nothing here
 * grows with the rows of the file; a set grows with the distinct values of one column and stops at
 * its cap. The other import_*.c files use it through import_int.h.
 */
#include "import_int.h"

#include "status.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* imp_set: distinct byte strings                                                                 */

/* Up to 8 bytes of p[0..n) as one word, without reading past n: two overlapping loads from either
 * end (or three bytes below 4), never a call to memcpy with a variable length, which the tail of
 * each region and brand name was (issue 20: the lookups of the two were a twentieth of pass 1). */
static inline uint64_t imp_word(const char *p, size_t n)
{
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return (uint64_t)a | (uint64_t)b << 32;
    }
    if (n == 0) return 0;
    const unsigned char *u = (const unsigned char *)p;
    return (uint64_t)u[0] | (uint64_t)u[n / 2] << 8 | (uint64_t)u[n - 1] << 16;
}

static uint64_t imp_hash(const char *p, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    while (n > 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    h = (h ^ imp_word(p, n)) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 29);
}

/* Whether a[0..n) and b[0..n) are the same bytes: up to 16 of them compared as words (the names and
 * levels of a CSV are short), longer ones by memcmp. */
static inline int imp_same(const char *a, const char *b, size_t n)
{
    if (n <= 8) return imp_word(a, n) == imp_word(b, n);
    if (n <= 16) {
        uint64_t a0, a1, b0, b1;
        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        memcpy(&a1, a + n - 8, 8);
        memcpy(&b1, b + n - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    return memcmp(a, b, n) == 0;
}

void imp_set_clear(imp_set *t)
{
    free(t->bytes);
    free(t->off);
    free(t->len);
    free(t->slot);
    free(t->code);
    memset(t, 0, sizeof *t);
}

const char *imp_set_str(const imp_set *t, size_t i) { return t->bytes + t->off[i]; }

/* Index of s[0..n) in t, or -1. */
long imp_set_find(const imp_set *t, const char *s, size_t n)
{
    if (t->nslot == 0) return -1;
    size_t mask = t->nslot - 1, h = (size_t)imp_hash(s, n) & mask;
    for (;;) {
        uint32_t k = t->slot[h];
        if (k == 0) return -1;
        k--;
        if (t->len[k] == n && imp_same(t->bytes + t->off[k], s, n)) return (long)k;
        h = (h + 1) & mask;
    }
}

/* Adds s[0..n) unless present. Returns CS_OK, 1 when adding it would exceed max_n strings or
 * max_bytes bytes (nothing added), or CS_ENOMEM. */
int imp_set_add(imp_set *t, const char *s, size_t n, size_t max_n, size_t max_bytes)
{
    long idx;
    return imp_set_add_at(t, s, n, max_n, max_bytes, &idx);
}

int imp_set_add_at(imp_set *t, const char *s, size_t n, size_t max_n, size_t max_bytes, long *idx)
{
    if ((*idx = imp_set_find(t, s, n)) >= 0) return CS_OK;
    if (t->n >= max_n || t->used + n + 1 > max_bytes) return 1;
    if (t->n == t->ncap) {
        size_t nc = t->ncap ? 2 * t->ncap : 16;
        size_t *o = realloc(t->off, nc * sizeof *o);
        if (o) t->off = o;
        uint32_t *l = realloc(t->len, nc * sizeof *l);
        if (l) t->len = l;
        if (!o || !l) return CS_ERROR(CS_ENOMEM, "out of memory for the levels of a column");
        t->ncap = nc;
    }
    if (t->used + n + 1 > t->cap) {
        size_t nc = t->cap ? 2 * t->cap : 256;
        while (nc < t->used + n + 1) nc *= 2;
        char *b = realloc(t->bytes, nc);
        if (!b) return CS_ERROR(CS_ENOMEM, "out of memory for the levels of a column");
        t->bytes = b;
        t->cap = nc;
    }
    if (2 * (t->n + 1) > t->nslot) {
        size_t ns = t->nslot ? 2 * t->nslot : 32;
        uint32_t *sl = calloc(ns, sizeof *sl);
        if (!sl) return CS_ERROR(CS_ENOMEM, "out of memory for the levels of a column");
        for (size_t k = 0; k < t->n; k++) {
            size_t h = (size_t)imp_hash(t->bytes + t->off[k], t->len[k]) & (ns - 1);
            while (sl[h]) h = (h + 1) & (ns - 1);
            sl[h] = (uint32_t)(k + 1);
        }
        free(t->slot);
        t->slot = sl;
        t->nslot = ns;
    }
    memcpy(t->bytes + t->used, s, n);
    t->bytes[t->used + n] = '\0';
    t->off[t->n] = t->used;
    t->len[t->n] = (uint32_t)n;
    t->used += n + 1;
    size_t h = (size_t)imp_hash(s, n) & (t->nslot - 1);
    while (t->slot[h]) h = (h + 1) & (t->nslot - 1);
    t->slot[h] = (uint32_t)(t->n + 1);
    *idx = (long)t->n;
    t->n++;
    return CS_OK;
}

/* Byte order, a prefix before the longer string: what `sort` does under LC_ALL=C. */
static int imp_cmp_idx(const imp_set *t, size_t i, size_t j)
{
    size_t li = t->len[i], lj = t->len[j];
    int c = memcmp(t->bytes + t->off[i], t->bytes + t->off[j], li < lj ? li : lj);
    if (c) return c;
    return li < lj ? -1 : li > lj;
}

/* Sorts the string indices a[0..n) by imp_cmp_idx: a bottom-up merge sort, because qsort's
 * comparator has no context argument and the set would have to travel in a global. tmp holds n. */
static void imp_sort_idx(const imp_set *t, size_t *a, size_t n, size_t *tmp)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = imp_cmp_idx(t, a[j], a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, n * sizeof *a);
    }
}

/* Gives strings [first, n) the codes first + their rank in byte order among themselves, strings
 * [0, first) keep code = index (the earlier snapshot's order). order (n entries) receives the
 * indices by code. */
int imp_set_codes(imp_set *t, size_t first, size_t *order)
{
    free(t->code);
    t->code = malloc((t->n ? t->n : 1) * sizeof *t->code);
    size_t *tmp = malloc((t->n ? t->n : 1) * sizeof *tmp);
    if (!t->code || !tmp) {
        free(tmp);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->n; i++) order[i] = i;
    imp_sort_idx(t, order + first, t->n - first, tmp);
    for (size_t k = 0; k < t->n; k++) t->code[order[k]] = (uint32_t)k;
    free(tmp);
    return CS_OK;
}
