/* score_tags.c — the tag rules read and bound once, then every row's tags and contribution.
 *
 * The rules are a site file (io/tagconf.h); each rank reads it (it is a page of text) and binds it to
 * the snapshot's indicator names, so every rank holds the same table without a broadcast and the
 * bits mean the same tag everywhere. Per block the conditions run over the snapshot's own float rows
 * (model/tageval.h): a row's tags depend on that row only, so they are the same for any rank count.
 */
#include "score_tags.h"

#include "log.h"
#include "status.h"

#include <math.h>
#include <string.h>

/* The bit of a tag key (playbook_bind_tags): -1 skipped on this snapshot, -2 no such tag. */
static int score_tag_bit(void *arg, const char *key)
{
    const tagconf *tc = arg;
    for (size_t t = 0; t < tc->n; t++)
        if (strcmp(tc->tag[t].key, key) == 0) return tc->tag[t].active ? tc->tag[t].bit : -1;
    return -2;
}

int score_tags_open(score_job *j)
{
    const score_opts *o = &j->o;
    score_inputs *in = &j->in;
    CS_TRY(o->tags ? tagconf_read(o->tags, &in->tc) : tagconf_builtin(&in->tc));
    CS_TRY(tagconf_bind(in->tc, (const char *const *)in->s->feature_names, in->s->p, PART_BLOCK_ROWS, &in->tv));
    const tagconf *tc = in->tc;
    for (size_t t = 0; t < tc->n; t++)
        if (!tc->tag[t].active) log_info("score: notice: %s", tc->tag[t].note);
    if (*tc->cost && !tc->has_cost)
        log_info("score: notice: %s has no cost indicator (%s_m1..%s_m3 or %s; the tag rules' cost line): "
                 "contribution is ARPU", o->in, tc->cost, tc->cost, tc->cost);
    /* the playbook's rules keyed on tags (issue 17) */
    size_t off = 0;
    CS_TRY(playbook_bind_tags(in->pb, score_tag_bit, in->tc, &off));
    if (off)
        log_info("score: notice: %zu playbook rule(s) keyed on a tag skipped on this snapshot: they never apply", off);
    log_info("score: %zu of %zu tags from %s; value grades by %s of contribution%s", tagconf_n_active(tc), tc->n,
             tc->name, tc->thresholds ? "thresholds" : "quintiles", tc->has_cost ? " (ARPU - cost)" : " (ARPU)");
    return CS_OK;
}

void score_tags_block(score_job *j, const scan_state *sc, size_t off, size_t n)
{
    size_t p = j->in.s->p;
    tageval_block(j->in.tv, sc->features + off * p, p, n, j->buf.tags + off);
}

float score_tags_contrib(const score_job *j, const float *x, float arpu)
{
    const tagconf *tc = j->in.tc;
    return (float)tageval_contribution((double)arpu, tc->has_cost, tagconf_cost(tc, x));
}
