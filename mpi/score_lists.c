/* score_lists.c — phase 3 of `churnscore score`: the lists of every queue and region, merged
 * across ranks.
 *
 * Each rank holds, per list (a queue of a region: score_group), its own sorted candidates
 * (model/topk.h). A list is the merge of every rank's candidates by topk_before, a total order, cut
 * at the list's K (--top or --capacity). Two ways to get there, the same bytes either way:
 *   - the owners' path (score_lists_owned): each list gets an owner rank by its candidate count
 *     (part_owners); every rank sends its candidates of a list to the owner in one exchange
 *     (gat_exchange), and the owners merge and write the lists' CSVs in parallel, so the
 *     formatting, the bulk of the work, runs on all ranks at once;
 *   - rank 0's path (score_lists_root): rank 0 k-way merges every list from all ranks in chunks
 *     (gat_merge_sorted) and writes it alone: memory on rank 0 is ranks x 4096 items whatever the
 *     lists, and no other rank touches the directory.
 * score_lists_plan chooses: the owners' path needs every rank to see rank 0's DIR.tmp (not so on
 * node-local disks) and every owner's share to fit --memory and MPI's int counts.
 */
#include "score_lists.h"

#include "comm.h"
#include "gather.h"
#include "idhash.h"
#include "log.h"
#include "status.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What list g may hold: its K, or every candidate with K = 0. */
static uint64_t score_list_limit(const score_job *j, size_t g)
{
    return j->in.k[g] ? j->in.k[g] : UINT64_MAX;
}

/* The list an item belongs to. */
static size_t score_item_group(const score_job *j, const topk_item *it)
{
    return score_group(it->queue, it->region, j->in.nreg);
}

typedef struct {
    lists_file *f;
    topk_item *last; /* the list's last row so far (score_prev.c cuts the candidates with it) */
} score_sink_arg;

static int score_sink(void *arg, uint64_t pos, const topk_item *it)
{
    score_sink_arg *a = arg;
    *a->last = *it;
    return lists_region_row(a->f, pos + 1, it);
}

/* Test hooks of the lists stage, read from the environment on every rank:
 *   CS_LISTS_ON_ROOT=1 takes rank 0's path for every region (the tests compare both paths);
 *   CS_TEST_LISTS_FAIL_RANK=r fails rank r's first region write, as a full disk would. */
static int score_env_int(const char *name, int dflt)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : dflt;
}

/* Opens list g's CSV for writing (with the failure hook). */
static int score_region_open(const score_job *j, const lists_ctx *lc, const char *tmpdir, size_t g,
                             lists_file **f)
{
    size_t nreg = j->in.nreg;
    CS_TRY(lists_region_open(lc, tmpdir, g % nreg, QUEUE_RETENTION + (int)(g / nreg), f));
    if (score_env_int("CS_TEST_LISTS_FAIL_RANK", -1) == j->ctx->rank)
        return CS_ERROR(CS_EIO, "rank %d: %s list of region %zu: cannot write: failure injected by "
                        "CS_TEST_LISTS_FAIL_RANK", j->ctx->rank, queue_name(QUEUE_RETENTION + (int)(g / nreg)),
                        g % nreg);
    return CS_OK;
}

/* Rank 0's path (collective): per list, rank 0 k-way merges the ranks' sorted candidates in chunks
 * and writes the CSV alone. listed[g] on rank 0. */
static int score_lists_root(score_job *j, const lists_ctx *lc, const char *tmpdir, int64_t *listed)
{
    int rc = CS_OK;
    for (size_t g = 0; g < SCORE_NGROUPS(j->in.nreg); g++) {
        size_t n = 0;
        topk_item *it = topk_group(j->cand, g, &n);
        score_sink_arg a = {NULL, &j->prev.last[g]};
        if (j->ctx->rank == 0 && rc == CS_OK) rc = score_region_open(j, lc, tmpdir, g, &a.f);
        uint64_t merged = 0;
        /* after a failure on rank 0 the merges still run (limit 0) so that no rank waits forever */
        int mrc = gat_merge_sorted(j->ctx->comm, it, n, rc == CS_OK ? score_list_limit(j, g) : 0, score_sink,
                                   &a, &merged);
        if (rc == CS_OK) rc = mrc;
        if (g < j->in.nreg) j->res.held[g] = (int64_t)lists_region_held(a.f);
        int crc = lists_region_close(a.f);
        if (rc == CS_OK) rc = crc;
        listed[g] = (int64_t)merged;
    }
    return red_agree(j->ctx->comm, rc);
}

/* This rank's candidates in the order gat_exchange sends them: by owner rank and, for one owner, by
 * increasing list (score_group), each list's run sorted. *send is malloc'd (caller frees); nsend[q]
 * items go to rank q. CS_ENOMEM. */
static int score_lists_pack(score_job *j, const int *owner, topk_item **send, uint64_t *nsend)
{
    size_t R = (size_t)j->ctx->nranks, total = (size_t)topk_count(j->cand);
    topk_item *buf = malloc((total ? total : 1) * sizeof *buf);
    uint64_t *at = calloc(R, sizeof *at);
    if (!buf || !at) {
        free(buf);
        free(at);
        return CS_ERROR(CS_ENOMEM, "rank %d: out of memory packing %zu list candidates", j->ctx->rank, total);
    }
    size_t ng = SCORE_NGROUPS(j->in.nreg);
    for (size_t q = 0; q < R; q++) nsend[q] = 0;
    for (size_t g = 0; g < ng; g++) {
        size_t n = 0;
        topk_group(j->cand, g, &n);
        nsend[owner[g]] += n;
    }
    for (size_t q = 1; q < R; q++) at[q] = at[q - 1] + nsend[q - 1];
    /* lists in increasing order, so each owner's share lists its lists in increasing order */
    for (size_t g = 0; g < ng; g++) {
        size_t n = 0;
        const topk_item *it = topk_group(j->cand, g, &n);
        if (n) memcpy(buf + at[owner[g]], it, n * sizeof *it);
        at[owner[g]] += n;
    }
    free(at);
    *send = buf;
    return CS_OK;
}

/* Merges and writes this rank's lists from what it received: nrecv[q] items from rank q, one after
 * the other, each rank's share holding the runs of this rank's lists in increasing list order
 * (score_lists_pack). A run ends where the items' list changes; a list a sender has no candidates
 * of is an empty run. Local: no message, so a failure here cannot hang anyone. */
static int score_lists_write_owned(score_job *j, const lists_ctx *lc, const char *tmpdir, const int *owner,
                                   const topk_item *items, uint64_t *nrecv, int64_t *listed)
{
    size_t R = (size_t)j->ctx->nranks;
    topk_run *runs = malloc(R * sizeof *runs);
    size_t *heap = malloc(R * sizeof *heap);
    uint64_t *at = malloc(R * sizeof *at);
    int rc = runs && heap && at ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the list merge");
    for (size_t q = 0; rc == CS_OK && q < R; q++) at[q] = q ? at[q - 1] + nrecv[q - 1] : 0;
    for (size_t g = 0; rc == CS_OK && g < SCORE_NGROUPS(j->in.nreg); g++) {
        if (owner[g] != j->ctx->rank) continue;
        for (size_t q = 0; q < R; q++) {
            size_t n = 0;
            while (n < nrecv[q] && score_item_group(j, &items[at[q] + n]) == g) n++;
            runs[q] = (topk_run){items + at[q], n};
            at[q] += n;
            nrecv[q] -= n;
        }
        score_sink_arg a = {NULL, &j->prev.last[g]};
        uint64_t merged = 0;
        rc = score_region_open(j, lc, tmpdir, g, &a.f);
        if (rc == CS_OK) rc = topk_merge(runs, R, score_list_limit(j, g), heap, score_sink, &a, &merged);
        /* the retention lists are groups 0..nreg-1 (score_group) */
        if (g < j->in.nreg) j->res.held[g] = (int64_t)lists_region_held(a.f);
        int crc = lists_region_close(a.f);
        if (rc == CS_OK) rc = crc;
        listed[g] = (int64_t)merged;
    }
    for (size_t q = 0; rc == CS_OK && q < R; q++)
        if (nrecv[q] != 0)
            rc = CS_ERROR(CS_EINTERNAL, "rank %d: %llu list items from rank %zu belong to no list of "
                          "this rank", j->ctx->rank, (unsigned long long)nrecv[q], q);
    free(runs);
    free(heap);
    free(at);
    return rc;
}

/* The owners' path (collective): every rank sends its candidates of list g to owner[g] in one
 * exchange; each owner merges the runs it received and writes its lists' CSVs. listed[g] on g's
 * owner. */
static int score_lists_owned(score_job *j, const lists_ctx *lc, const char *tmpdir, const int *owner,
                             int64_t *listed)
{
    MPI_Comm comm = j->ctx->comm;
    size_t R = (size_t)j->ctx->nranks;
    uint64_t *nsend = calloc(R, sizeof *nsend), *nrecv = calloc(R, sizeof *nrecv);
    topk_item *send = NULL;
    void *recv = NULL;
    int rc = nsend && nrecv ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = score_lists_pack(j, owner, &send, nsend);
    rc = red_agree(comm, rc);
    if (rc == CS_OK) {
        /* the packed copy is all that is needed from here: free the candidates before receiving, so
         * a rank holds its own candidates twice only while packing (score_lists_plan counts both) */
        topk_free(j->cand);
        j->cand = NULL;
        rc = gat_exchange(comm, send, nsend, sizeof(topk_item), &recv, nrecv);
    }
    free(send);
    if (rc == CS_OK) rc = score_lists_write_owned(j, lc, tmpdir, owner, recv, nrecv, listed);
    free(recv);
    free(nsend);
    free(nrecv);
    /* an owner's failed write stops everyone here, before rank 0 writes the summaries; cmd_score
     * then removes DIR.tmp instead of committing it */
    return red_agree(comm, rc);
}

/* A token only this run knows, for the probe file. */
static uint64_t score_token(void)
{
    uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(comm_now() * 1e9);
    return idhash_splitmix(t) | 1;
}

/* What the owners' path needs, each 1 when it holds on every rank (score_lists_plan). */
enum { SCORE_OWNED_ASKED, SCORE_OWNED_SEEN, SCORE_OWNED_FITS, SCORE_OWNED_COUNTS, SCORE_OWNED_NEEDS };

/* Collective. Which path the lists take, the same on every rank, logged by rank 0: *owned is 1 for
 * the owners' path. It needs
 *  - every rank to see rank 0's DIR.tmp: on a cluster with node-local disks the other nodes would
 *    write their CSVs into a directory rank 0 never commits. Rank 0 writes a probe holding a token
 *    only this run knows (a stale DIR.tmp of an earlier run on another node's disk holds another)
 *    and every rank reads it back;
 *  - every rank's candidates, packed copy and received candidates to fit --memory (and MPI's int
 *    counts): an owner may receive a large region from every rank, where rank 0's chunked merge
 *    holds only ranks x 4096 items;
 *  - CS_LISTS_ON_ROOT not to ask for rank 0's path. */
static int score_lists_plan(score_job *j, const char *tmpdir, const int64_t *count, const int *owner,
                            int *owned)
{
    MPI_Comm comm = j->ctx->comm;
    int me = j->ctx->rank;
    *owned = 0;
    uint64_t token = 0;
    int rc = CS_OK;
    if (me == 0) {
        token = score_token();
        rc = lists_probe_write(tmpdir, token);
    }
    rc = red_agree(comm, rc);
    /* rank 0's token to every rank: the others hold 0 */
    if (rc == CS_OK) rc = red_max_u64(comm, &token, 1);
    if (rc != CS_OK) return rc;
    uint64_t mine = topk_count(j->cand), recv = 0;
    for (size_t g = 0; g < SCORE_NGROUPS(j->in.nreg); g++)
        if (owner[g] == me) recv += (uint64_t)count[g];
    uint64_t need = (uint64_t)score_mem_in_use(j) + (mine + recv) * sizeof(topk_item);
    int ok[SCORE_OWNED_NEEDS];
    ok[SCORE_OWNED_ASKED] = score_env_int("CS_LISTS_ON_ROOT", 0) != 1;
    ok[SCORE_OWNED_SEEN] = lists_probe_seen(tmpdir, token);
    ok[SCORE_OWNED_FITS] = need <= j->o.memory;
    ok[SCORE_OWNED_COUNTS] = mine <= INT_MAX && recv <= INT_MAX;
    rc = red_min_int(comm, ok, SCORE_OWNED_NEEDS);
    if (rc == CS_OK) rc = red_max_u64(comm, &need, 1);
    /* every rank has read the probe (the reductions above wait for all) */
    if (me == 0) lists_probe_remove(tmpdir);
    if (rc != CS_OK) return rc;
    *owned = 1;
    for (int k = 0; k < SCORE_OWNED_NEEDS; k++) *owned = *owned && ok[k];
    unsigned long long need_b = (unsigned long long)need, budget = (unsigned long long)j->o.memory;
    if (*owned)
        log_info("score: lists: each region merged and written by its owner rank (%zu lists of %zu regions "
                 "over %d ranks; list memory up to %llu bytes per rank, --memory %llu)",
                 SCORE_NGROUPS(j->in.nreg), j->in.nreg, j->ctx->nranks, need_b, budget);
    else if (!ok[SCORE_OWNED_ASKED])
        log_info("score: lists: merged and written by rank 0 (CS_LISTS_ON_ROOT=1)");
    else if (!ok[SCORE_OWNED_SEEN])
        log_info("score: lists: merged and written by rank 0: not every rank sees %s (node-local disks?)",
                 tmpdir);
    else if (!ok[SCORE_OWNED_FITS])
        log_info("score: lists: merged and written by rank 0 in chunks: a region owner would hold %llu "
                 "bytes of lists, over --memory %llu", need_b, budget);
    else
        log_info("score: lists: merged and written by rank 0 in chunks: a region owner would receive "
                 "more candidates than MPI's int counts");
    return CS_OK;
}

int score_lists(score_job *j, const lists_ctx *lc, const char *tmpdir)
{
    MPI_Comm comm = j->ctx->comm;
    size_t ng = SCORE_NGROUPS(j->in.nreg); /* the lists: every queue of every region */
    int64_t *listed = j->res.listed;
    topk_sort(j->cand);
    int64_t *count = calloc(ng + 1, sizeof *count);
    int *owner = calloc(ng + 1, sizeof *owner);
    int rc = count && owner ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(comm, rc);
    for (size_t g = 0; rc == CS_OK && g < ng; g++) {
        size_t n = 0;
        topk_group(j->cand, g, &n);
        count[g] = (int64_t)n;
    }
    if (rc == CS_OK) rc = red_sum_i64(comm, count, ng);
    if (rc == CS_OK) rc = red_agree(comm, part_owners(count, ng, j->ctx->nranks, owner));
    int owned = 0;
    if (rc == CS_OK) rc = score_lists_plan(j, tmpdir, count, owner, &owned);
    if (rc == CS_OK)
        rc = owned ? score_lists_owned(j, lc, tmpdir, owner, listed) : score_lists_root(j, lc, tmpdir, listed);
    /* each list's count is non-zero on the one rank that wrote it */
    if (rc == CS_OK) rc = red_sum_i64(comm, listed, ng);
    if (rc == CS_OK) rc = red_sum_i64(comm, j->res.held, j->in.nreg);
    for (size_t g = 0; rc == CS_OK && g < ng; g++)
        j->res.listed_region[g % j->in.nreg] += listed[g];
    free(count);
    free(owner);
    return rc;
}
