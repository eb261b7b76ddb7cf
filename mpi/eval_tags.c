/* eval_tags.c — how each tag did: subscribers, listed, leavers, voluntary leavers per tag and region.
 *
 * Seed 004 validates each tag by the outcomes of the campaigns it drove, so that a tag that predicts
 * nothing shows it. evaluate computes every subscriber's tags from the scored month's indicators with
 * the same rules score used (--tags; model/tageval.h), counts per (tag, region) in int64 and sums the
 * counts with red_sum_i64: integers, so the figures are the same for any rank count. io/evalrep.c
 * turns them into churn rates, lifts and voluntary shares.
 */
#include "eval_tags.h"

#include "log.h"
#include "part.h"
#include "reduce.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

int eval_tags_open(eval_tags *et, const char *path, const snap_schema *s, size_t nreg)
{
    memset(et, 0, sizeof *et);
    CS_TRY(path ? tagconf_read(path, &et->tc) : tagconf_builtin(&et->tc));
    CS_TRY(tagconf_bind(et->tc, (const char *const *)s->feature_names, s->p, PART_BLOCK_ROWS, &et->tv));
    for (size_t t = 0; t < et->tc->n; t++)
        if (!et->tc->tag[t].active) log_info("evaluate: notice: %s", et->tc->tag[t].note);
    et->nt = et->tv->n_tags;
    et->nreg = nreg;
    et->count = calloc((et->nt + 1) * (nreg ? nreg : 1) * EVALREP_TAG_NCOUNTS, sizeof(int64_t));
    et->bits = malloc(PART_BLOCK_ROWS * sizeof(uint64_t));
    if (!et->count || !et->bits) return CS_ERROR(CS_ENOMEM, "out of memory for the tag counts");
    return CS_OK;
}

void eval_tags_clear(eval_tags *et)
{
    tageval_free(et->tv);
    tagconf_free(et->tc);
    free(et->count);
    free(et->bits);
    memset(et, 0, sizeof *et);
}

void eval_tags_block(eval_tags *et, const float *x, size_t p, size_t n)
{
    tageval_block(et->tv, x, p, n, et->bits);
}

static void eval_tags_one(eval_tags *et, size_t t, size_t u, int listed, int left, int voluntary)
{
    int64_t *c = et->count + (t * et->nreg + u) * EVALREP_TAG_NCOUNTS;
    c[EVALREP_TAG_SUBS]++;
    c[EVALREP_TAG_LISTED] += listed != 0;
    c[EVALREP_TAG_LEAVERS] += left != 0;
    c[EVALREP_TAG_VOLUNTARY] += left && voluntary;
}

void eval_tags_add(eval_tags *et, uint64_t bits, size_t u, int listed, int left, int voluntary)
{
    for (size_t t = 0; t < et->nt; t++)
        if (bits >> t & 1) eval_tags_one(et, t, u, listed, left, voluntary);
    eval_tags_one(et, et->nt, u, listed, left, voluntary);
}

int eval_tags_reduce(eval_tags *et, MPI_Comm comm)
{
    return red_sum_i64(comm, et->count, (et->nt + 1) * et->nreg * EVALREP_TAG_NCOUNTS);
}

void eval_tags_report(const eval_tags *et, int have_types, evalrep_data *d)
{
    d->n_tags = et->nt;
    for (size_t b = 0; b < et->nt && b < TAGEVAL_MAX_TAGS; b++) {
        const tagconf_tag *t = tagconf_by_bit(et->tc, (int)b);
        d->tag_key[b] = t->key;
        d->tag_label[b] = t->label[d->lang == LANG_ZH ? LANG_ZH : LANG_EN];
    }
    d->tag_count = et->count;
    d->tag_types = have_types;
}
