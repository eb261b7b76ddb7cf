/* pick.c — the names of a where condition and the list rows of the chosen (see pick.h). */
#include "pick.h"

#include "queue.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a column holds: a negative code below, an indicator (0..p-1), or a tag (PICK_TAG + bit). */
enum { PICK_REGION = -1, PICK_AREA = -2, PICK_BRAND = -3, PICK_STAGE = -4, PICK_PHASE = -5, PICK_QUEUE = -6,
       PICK_TIER = -7, PICK_PROB = -8, PICK_PVOL = -9, PICK_PINV = -10, PICK_VAR = -11, PICK_ARPU = -12,
       PICK_CONTRIB = -13 };
#define PICK_TAG (1 << 20)

static const struct {
    const char *name;
    int src, kind;
} pick_names[] = {
    {"region", PICK_REGION, EXPR_KIND_NAMES},   {"area", PICK_AREA, EXPR_KIND_NAMES},
    {"brand", PICK_BRAND, EXPR_KIND_NAMES},     {"stage", PICK_STAGE, EXPR_KIND_NAMES},
    {"phase", PICK_PHASE, EXPR_KIND_NAMES},     {"queue", PICK_QUEUE, EXPR_KIND_NAMES},
    {"tier", PICK_TIER, EXPR_KIND_GRADE},       {"grade", PICK_TIER, EXPR_KIND_GRADE},
    {"probability", PICK_PROB, EXPR_KIND_NUMBER}, {"p_voluntary", PICK_PVOL, EXPR_KIND_NUMBER},
    {"p_involuntary", PICK_PINV, EXPR_KIND_NUMBER}, {"value_at_risk", PICK_VAR, EXPR_KIND_NUMBER},
    {"arpu", PICK_ARPU, EXPR_KIND_NUMBER},      {"contribution", PICK_CONTRIB, EXPR_KIND_NUMBER},
};
#define PICK_N_NAMES (sizeof pick_names / sizeof pick_names[0])

/* The column of src, added on first use: CS_OK, or 0 slots left (the caller's name fails). */
static int pick_slot(pick_where *w, int src, size_t *slot)
{
    for (size_t k = 0; k < w->n_cols; k++)
        if (w->src[k] == src) {
            *slot = k;
            return 1;
        }
    if (w->n_cols == PICK_MAX_COLS) return 0;
    w->src[w->n_cols] = src;
    *slot = w->n_cols++;
    return 1;
}

static int pick_name(void *arg, const char *name, size_t *slot, int *kind, char *why, size_t cap)
{
    pick_where *w = arg;
    for (size_t k = 0; k < PICK_N_NAMES; k++) {
        if (strcmp(name, pick_names[k].name) != 0) continue;
        if (pick_names[k].src == PICK_AREA && !w->s->n_areas) {
            snprintf(why, cap, "the snapshot has no areas (/subscribers/area)");
            return 0;
        }
        *kind = pick_names[k].kind;
        return pick_slot(w, pick_names[k].src, slot);
    }
    long j = snap_feature_index(w->s, name);
    if (j >= 0) {
        *kind = EXPR_KIND_NUMBER;
        return pick_slot(w, (int)j, slot);
    }
    snprintf(why, cap, "not region, area, brand, stage, phase, queue, tier (grade), probability, p_voluntary, "
             "p_involuntary, value_at_risk, arpu, contribution, 'tags has KEY', nor one of the snapshot's %zu "
             "indicators", w->s->p);
    return 0;
}

/* Names of a list in a message: the first few, then how many more. */
static void pick_some(const char *const *names, size_t n, const char *what, char *why, size_t cap)
{
    size_t at = (size_t)snprintf(why, cap, "%zu %s:", n, what);
    for (size_t k = 0; k < n && k < 6 && at < cap; k++)
        at += (size_t)snprintf(why + at, cap - at, "%s %s", k ? "," : "", names[k]);
    if (n > 6 && at < cap) snprintf(why + at, cap - at, ", ...");
}

/* value among names[0..n) (machine names) or its labels in both languages. */
static int pick_among(const char *value, int n, const char *(*label)(int, cs_lang), const char *const *machine,
                      double *code)
{
    for (int k = 0; k < n; k++)
        if (strcmp(value, machine[k]) == 0 || strcmp(value, label(k, LANG_EN)) == 0 ||
            strcmp(value, label(k, LANG_ZH)) == 0) {
            *code = k;
            return 1;
        }
    return 0;
}

static int pick_value(void *arg, const char *name, const char *value, double *code, char *why, size_t cap)
{
    pick_where *w = arg;
    static const char *const stages[RULES_N_STAGES] = {"onboarding", "growth", "maturity", "decline"};
    static const char *const phases[RULES_N_PHASES] = {"healthy", "warning", "alarm"};
    static const char *const queues[QUEUE_N] = {"none", "retention", "collections", "billing"};
    const scl_meta *m = w->m;
    if (strcmp(name, "region") == 0 || strcmp(name, "brand") == 0) {
        int reg = name[0] == 'r';
        const char *const *names = reg ? m->region_names : m->brand_names;
        size_t n = reg ? m->n_regions : m->n_brands;
        for (size_t k = 0; k < n; k++)
            if (strcmp(names[k], value) == 0) {
                *code = (double)k;
                return 1;
            }
        pick_some(names, n, reg ? "regions" : "brands", why, cap);
        return 0;
    }
    if (strcmp(name, "area") == 0) {
        for (size_t k = 0; k < w->s->n_areas; k++)
            if (strcmp(w->s->area_names[k], value) == 0) {
                *code = w->area_class[k];
                return 1;
            }
        pick_some((const char *const *)w->s->area_names, w->s->n_areas, "areas", why, cap);
        return 0;
    }
    if (strcmp(name, "stage") == 0) {
        if (pick_among(value, RULES_N_STAGES, rules_stage_label, stages, code)) return 1;
        snprintf(why, cap, "stages: onboarding, growth, maturity, decline");
        return 0;
    }
    if (strcmp(name, "phase") == 0) {
        if (pick_among(value, RULES_N_PHASES, rules_phase_label, phases, code)) return 1;
        snprintf(why, cap, "phases: healthy, warning, alarm");
        return 0;
    }
    if (strcmp(name, "queue") == 0) {
        if (pick_among(value, QUEUE_N, queue_label, queues, code)) return 1;
        snprintf(why, cap, "queues: retention, collections, billing, none");
        return 0;
    }
    /* tier, grade */
    int g = tagconf_grade_of(m->tc, value);
    if (g >= 0) {
        *code = g;
        return 1;
    }
    snprintf(why, cap, "grades: 1 to 5, %s, %s, %s, %s, %s", tagconf_grade_name(m->tc, 1, LANG_EN),
             tagconf_grade_name(m->tc, 2, LANG_EN), tagconf_grade_name(m->tc, 3, LANG_EN),
             tagconf_grade_name(m->tc, 4, LANG_EN), tagconf_grade_name(m->tc, 5, LANG_EN));
    return 0;
}

static int pick_tag(void *arg, const char *key, size_t *slot, char *why, size_t cap)
{
    pick_where *w = arg;
    const tagconf *tc = w->m->tc;
    for (size_t t = 0; t < tc->n; t++) {
        const tagconf_tag *g = &tc->tag[t];
        if (strcmp(g->key, key) == 0 || strcmp(g->label[LANG_EN], key) == 0 || strcmp(g->label[LANG_ZH], key) == 0)
            return pick_slot(w, PICK_TAG + g->bit, slot);
    }
    size_t at = (size_t)snprintf(why, cap, "the scores file's %zu tags:", tc->n);
    for (size_t t = 0; t < tc->n && at < cap; t++) at += (size_t)snprintf(why + at, cap - at, "%s %s", t ? "," : "", tc->tag[t].key);
    return 0;
}

int pick_where_init(pick_where *w, const char *text, const snap_schema *s, const scl_meta *m,
                    const playbook *pb, size_t io, expr_error *err)
{
    memset(w, 0, sizeof *w);
    w->s = s;
    w->m = m;
    w->pb = pb;
    w->io = io;
    w->by_value = strcmp(m->rank_by, "value_at_risk") == 0;
    rules_cols_find((const char *const *)s->feature_names, s->p, &w->rc);
    w->online_col = pb && pb->has_online ? snap_feature_index(s, pb->online_indicator) : -1;
    w->area_class = malloc((s->n_areas ? s->n_areas : 1) * sizeof *w->area_class);
    if (!w->area_class) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t k = 0; k < s->n_areas; k++) {
        size_t first = k;
        for (size_t q = 0; q < k && first == k; q++)
            if (strcmp(s->area_names[q], s->area_names[k]) == 0) first = q;
        w->area_class[k] = (uint16_t)first;
    }
    CS_TRY(expr_parse_where(text, strlen(text), &w->e, err));
    const expr_where_names names = {pick_name, pick_value, pick_tag};
    CS_TRY(expr_bind_where(w->e, &names, w, err));
    w->col = malloc((w->n_cols ? w->n_cols : 1) * (io ? io : 1) * sizeof(double));
    w->res = malloc((io ? io : 1) * sizeof(double));
    if (!w->col || !w->res) return CS_ERROR(CS_ENOMEM, "out of memory for the condition's columns");
    return CS_OK;
}

void pick_where_clear(pick_where *w)
{
    expr_free(w->e);
    free(w->col);
    free(w->res);
    free(w->area_class);
    memset(w, 0, sizeof *w);
}

int pick_list_columns(pick_where *w, const char *list, const char *snapshot, const char **names)
{
    w->n_extra = 0;
    if (!list) return CS_OK;
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 0) return CS_ERROR(CS_EINVAL, "option --list-columns: an empty name in '%s'", list);
        if (w->n_extra == TOPK_MAX_EXTRA)
            return CS_ERROR(CS_EINVAL, "option --list-columns: at most %d indicators", TOPK_MAX_EXTRA);
        long col = -1;
        for (size_t c = 0; c < w->s->p && col < 0; c++)
            if (strlen(w->s->feature_names[c]) == len && memcmp(w->s->feature_names[c], p, len) == 0) col = (long)c;
        if (col < 0) return CS_ERROR(CS_EINVAL, "option --list-columns: no indicator '%.*s' in %s", (int)len, p, snapshot);
        for (size_t k = 0; k < w->n_extra; k++)
            if (w->extra_col[k] == col)
                return CS_ERROR(CS_EINVAL, "option --list-columns: '%.*s' is named twice", (int)len, p);
        names[w->n_extra] = w->s->feature_names[col];
        w->extra_col[w->n_extra++] = col;
        if (!e) return CS_OK;
        p = e + 1;
    }
}

/* The queue's probability, value at risk and ranking key of row i, as mpi/score_pass.c has them
 * for its candidates; a row in no queue by its probability of leaving at all. */
static void pick_key(const pick_where *w, const scl_rows *sc, size_t i, double *qp, double *qrisk, double *key)
{
    int q = sc->queue[i];
    double h = w->m->horizon;
    if (q == QUEUE_NONE) {
        *qp = sc->prob[i];
        *qrisk = rules_value_at_risk(*qp, (double)sc->arpu[i], h);
        *key = w->by_value ? *qrisk : *qp;
        return;
    }
    *qp = queue_prob(q, sc->prob[i], sc->pvol[i], sc->pinv[i]);
    *qrisk = rules_value_at_risk(*qp, (double)sc->arpu[i], h);
    *key = queue_key(q, w->by_value, *qp, *qrisk);
}

void pick_where_eval(pick_where *w, const pick_block *b, uint8_t *out)
{
    const scl_rows *sc = b->sc;
    size_t n = b->n, p = w->s->p;
    const double *cols[PICK_MAX_COLS];
    for (size_t k = 0; k < w->n_cols; k++) {
        double *c = w->col + k * w->io;
        cols[k] = c;
        int src = w->src[k];
        for (size_t i = 0; i < n; i++) {
            double v, qp, qrisk, key;
            switch (src) {
            case PICK_REGION: v = sc->region[i]; break;
            case PICK_AREA: v = b->area && b->area[i] < w->s->n_areas ? w->area_class[b->area[i]] : NAN; break;
            case PICK_BRAND: v = sc->brand[i]; break;
            case PICK_STAGE: v = sc->stage[i]; break;
            case PICK_PHASE: v = sc->phase[i]; break;
            case PICK_QUEUE: v = sc->queue[i]; break;
            case PICK_TIER: v = sc->tier[i]; break;
            case PICK_PROB: v = sc->prob[i]; break;
            case PICK_PVOL: v = sc->pvol[i]; break;
            case PICK_PINV: v = sc->pinv[i]; break;
            case PICK_VAR: pick_key(w, sc, i, &qp, &qrisk, &key); v = qrisk; break;
            case PICK_ARPU: v = sc->arpu[i]; break;
            case PICK_CONTRIB: v = sc->contrib[i]; break;
            default:
                if (src >= PICK_TAG) v = (double)(sc->tags[i] >> (src - PICK_TAG) & 1);
                else v = b->x[i * p + (size_t)src];
            }
            c[i] = v;
        }
    }
    expr_eval(w->e, cols, n, w->res);
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)expr_true(w->res[i]);
}

void pick_item(const pick_where *w, const pick_block *b, size_t i, topk_item *it)
{
    const scl_rows *sc = b->sc;
    const float *x = b->x + i * w->s->p;
    double qp, qrisk, key;
    pick_key(w, sc, i, &qp, &qrisk, &key);
    int q = sc->queue[i];
    /* the band reads the row's suspension signals; only the arrears bit matters to it (collections),
     * and that bit has no threshold: the default parameters give score's */
    rules_params rp;
    rules_params_default(&rp);
    unsigned sig = rules_signals(&rp, &w->rc, x);
    memset(it, 0, sizeof *it);
    it->key = key;
    it->id = sc->id[i];
    it->row = b->row0 + i;
    it->prob = sc->prob[i];
    it->var = qrisk;
    it->pvol = sc->pvol[i];
    it->pinv = sc->pinv[i];
    it->arpu = sc->arpu[i];
    it->contrib = sc->contrib[i];
    it->tags = sc->tags[i];
    for (size_t k = 0; k < w->n_extra; k++) it->extra[k] = x[w->extra_col[k]];
    memcpy(it->reason, sc->reason + i * 3, sizeof it->reason);
    memcpy(it->fact, sc->fact + i * 3, sizeof it->fact);
    it->region = sc->region[i];
    it->area = b->area ? b->area[i] : TOPK_NO_AREA;
    it->brand = sc->brand[i];
    it->stage = sc->stage[i];
    it->phase = sc->phase[i];
    it->tier = sc->tier[i];
    it->queue = (uint8_t)q;
    it->band = (uint8_t)queue_band(q, sig, sc->phase[i]);
    it->online = w->online_col >= 0 && playbook_online(w->pb, (double)x[w->online_col]);
    it->segment = sc->segment[i];
}

size_t pick_group(const topk_item *it)
{
    return it->queue == QUEUE_NONE ? 3 : (size_t)(it->queue - QUEUE_RETENTION);
}
