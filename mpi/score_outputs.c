/* score_outputs.c — the outputs of `churnscore score`: SCORES.h5 and the lists directory DIR.
 *
 * Both are written under temporary names ("SCORES.h5.tmp", "DIR.tmp") by the stages, and only when
 * every rank has finished every stage are they renamed into place, together: a run that fails at
 * any point leaves the previous outputs as they were and no half-written one (STYLE.md). Rank 0
 * creates and commits; the other ranks write their rows of SCORES.h5 and, as region owners, list
 * files into DIR.tmp.
 */
#include "score_outputs.h"

#include "commit.h"
#include "control.h"
#include "h5shared.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int score_outputs_lists_begin(const score_job *j, score_outputs *out)
{
    const char *lists = j->o.lists;
    const snap_schema *s = j->in.s;
    memset(out, 0, sizeof *out);
    int rc = CS_OK;
    if (j->ctx->rank == 0) rc = lists_dir_begin(lists, &out->tmpdir);
    else if (!(out->tmpdir = lists_dir_tmp(lists))) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(j->ctx->comm, rc);
    if (rc != CS_OK) {
        if (j->ctx->rank == 0) lists_dir_commit(lists, out->tmpdir, 0);
        free(out->tmpdir);
        out->tmpdir = NULL;
        return rc;
    }
    /* the byte order mark is on unless --no-bom (--bom, once needed for it, is still accepted) */
    out->lc = (lists_ctx){.mask_ids = j->o.mask_ids, .bom = !j->o.no_bom, .lang = j->o.lang,
                          .n_regions = s->n_regions, .region_names = (const char *const *)s->region_names,
                          .n_brands = s->n_brands, .brand_names = (const char *const *)s->brand_names,
                          .n_fact_names = j->in.m.p_in, .fact_names = (const char *const *)j->in.m.in_names,
                          .pb = j->in.pb, .n_extra = j->in.n_extra, .extra_names = j->in.extra_name,
                          .seg = j->in.m.seg, .tc = j->in.tc,
                          .control = j->o.control, .control_key = control_month_key(s->month),
                          .n_areas = s->n_areas, .area_names = (const char *const *)s->area_names};
    return CS_OK;
}

int score_outputs_scores_begin(const score_job *j, const char *options, score_outputs *out)
{
    const score_opts *o = &j->o;
    const snap_schema *s = j->in.s;
    char created[32];
    time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    scores_meta meta = {
        .n = s->n, .n_regions = s->n_regions, .region_names = (const char *const *)s->region_names,
        .n_brands = s->n_brands, .brand_names = (const char *const *)s->brand_names,
        .n_reasons = j->in.n_reason_codes, .reason_text = (const char *const *)j->in.reason_text,
        .reason_name = (const char *const *)j->in.reason_name, .snapshot = o->in, .model = o->model,
        .month = s->month, .version = cmd_version(), .created = created, .options = options,
        .horizon_months = o->horizon, .warn_cutoff = o->rp.warn_cutoff,
        .collections_cutoff = o->collections_cutoff, .rank_by = o->rank_by_s,
        .has_types = j->in.has_types,
    };
    const segment_model *sg = j->in.m.seg;
    if (sg) {
        meta.n_segments = sg->n_seg;
        meta.segment_name = (const char *const *)sg->name_en;
        meta.segment_name_zh = (const char *const *)sg->name_zh;
        meta.segment_brand = sg->brand;
    }
    /* issue 17: the tag table in bit order, and the grade names */
    const tagconf *tc = j->in.tc;
    const char *key[TAGEVAL_MAX_TAGS], *len_[TAGEVAL_MAX_TAGS], *lzh[TAGEVAL_MAX_TAGS], *when[TAGEVAL_MAX_TAGS],
               *chan[TAGEVAL_MAX_TAGS], *sen[TAGEVAL_MAX_TAGS], *szh[TAGEVAL_MAX_TAGS], *gen[TAGEVAL_N_GRADES],
               *gzh[TAGEVAL_N_GRADES];
    size_t nt = tagconf_n_active(tc);
    for (size_t b = 0; b < nt; b++) {
        const tagconf_tag *t = tagconf_by_bit(tc, (int)b);
        key[b] = t->key, len_[b] = t->label[LANG_EN], lzh[b] = t->label[LANG_ZH], when[b] = t->when;
        chan[b] = playbook_channel_name(t->channel), sen[b] = t->say[LANG_EN], szh[b] = t->say[LANG_ZH];
    }
    for (int g = 0; g < TAGEVAL_N_GRADES; g++) gen[g] = tc->grade_name[LANG_EN][g], gzh[g] = tc->grade_name[LANG_ZH][g];
    meta.n_tags = nt;
    meta.tag_key = key, meta.tag_label_en = len_, meta.tag_label_zh = lzh, meta.tag_when = when;
    meta.tag_channel = chan, meta.tag_say_en = sen, meta.tag_say_zh = szh;
    meta.grade_name_en = gen, meta.grade_name_zh = gzh;
    meta.grade_mode = tc->thresholds ? "thresholds" : "quantile";
    meta.tag_rules = tc->name;
    meta.has_cost = tc->has_cost;
    /* issue 15: the action codes /subscribers/action indexes */
    const char *codes[PLAYBOOK_MAX_ACTIONS];
    for (size_t a = 0; a < j->in.pb->n_actions; a++) codes[a] = j->in.pb->actions[a].code;
    meta.n_actions = j->in.pb->n_actions;
    meta.action_code = codes;
    return red_agree(j->ctx->comm, scores_create(o->out, j->ctx->comm, &meta, &out->w));
}

int score_outputs_commit(const score_job *j, score_outputs *out, int rc, const scores_final *fin)
{
    MPI_Comm comm = j->ctx->comm;
    int root = j->ctx->rank == 0;
    int xrc = red_agree(comm, scores_close(out->w));
    if (rc == CS_OK) rc = xrc;
    commit_set *cs = root ? commit_set_alloc() : NULL;
    if (rc == CS_OK && root && !cs) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    int frc = scores_finish(out->w, rc == CS_OK, fin, cs);
    out->w = NULL;
    rc = red_agree(comm, rc != CS_OK ? rc : frc);
    int drc = CS_OK;
    if (root) {
        if (rc == CS_OK) drc = lists_dir_seal(out->tmpdir); /* the manifest: which files are ours */
        if (rc == CS_OK && drc == CS_OK) drc = commit_set_add(cs, out->tmpdir, j->o.lists, lists_dir_drop);
        if (rc == CS_OK && drc == CS_OK) drc = commit_set_apply(cs);
        commit_set_free(cs); /* removes what was not committed */
        if (rc != CS_OK || drc != CS_OK) lists_dir_commit(j->o.lists, out->tmpdir, 0);
    }
    free(out->tmpdir);
    out->tmpdir = NULL;
    return red_agree(comm, rc != CS_OK ? rc : drc);
}
