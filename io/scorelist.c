/* scorelist.c — SCORES.h5's rows and tables for list rows (see scorelist.h). */
#include "scorelist.h"

#include "h5util.h"
#include "queue.h"
#include "rules.h"
#include "scores.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { L_ID, L_REGION, L_BRAND, L_PROB, L_STAGE, L_PHASE, L_TIER, L_ARPU, L_REASON, L_FACT, L_TAGS,
       L_CONTRIB, L_QUEUE, L_NBASE, L_PVOL = L_NBASE, L_PINV, L_SEGMENT, L_NDS };

static const struct {
    const char *name;
    H5T_class_t cls;
    int cols;
} scl_ds[L_NDS] = {
    {"/subscribers/id", H5T_INTEGER, 0},          {"/subscribers/region", H5T_INTEGER, 0},
    {"/subscribers/brand", H5T_INTEGER, 0},       {"/subscribers/probability", H5T_FLOAT, 0},
    {"/subscribers/stage", H5T_INTEGER, 0},       {"/subscribers/phase", H5T_INTEGER, 0},
    {"/subscribers/tier", H5T_INTEGER, 0},        {"/subscribers/arpu", H5T_FLOAT, 0},
    {"/subscribers/reasons", H5T_INTEGER, 3},     {"/subscribers/reason_values", H5T_FLOAT, 3},
    {"/subscribers/tags", H5T_INTEGER, 0},        {"/subscribers/contribution", H5T_FLOAT, 0},
    {"/subscribers/queue", H5T_INTEGER, 0},       {"/subscribers/p_voluntary", H5T_FLOAT, 0},
    {"/subscribers/p_involuntary", H5T_FLOAT, 0}, {"/subscribers/segment", H5T_INTEGER, 0},
};

struct scl_file {
    char *path;
    hid_t file, ds[L_NDS];
    scl_meta m;
    char **regions, **brands, **facts;
    tagconf *tc;
    segment_model *seg;
};

void scl_close(scl_file *f)
{
    if (!f) return;
    for (int i = 0; i < L_NDS; i++)
        if (f->ds[i] > 0) H5Dclose(f->ds[i]);
    if (f->file > 0) H5Fclose(f->file);
    h5util_strings_free(f->regions, f->m.n_regions);
    h5util_strings_free(f->brands, f->m.n_brands);
    h5util_strings_free(f->facts, f->m.n_fact_names);
    tagconf_free(f->tc);
    segment_model_free(f->seg);
    free(f->path);
    free(f);
}

const scl_meta *scl_meta_of(const scl_file *f) { return &f->m; }

/* The model's inputs from /reasons/name: code RULES_FACT_INDICATOR + 2 i is "indicator_high:NAME"
 * of input i (rules_fact_name), so the table holds the names score rendered the reasons with. */
static int scl_fact_names(scl_file *f)
{
    char **names = NULL;
    size_t n = 0;
    CS_TRY(h5util_read_strings(f->file, "/reasons/name", f->path, &names, &n));
    size_t p = n > RULES_FACT_INDICATOR ? (n - RULES_FACT_INDICATOR) / 2 : 0;
    f->facts = calloc(p ? p : 1, sizeof(char *));
    int rc = f->facts ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == CS_OK && i < p; i++) {
        const char *s = names[RULES_FACT_INDICATOR + 2 * i], *colon = strchr(s, ':');
        if (!colon || strncmp(s, "indicator_high:", 15) != 0)
            rc = CS_ERROR(CS_EFORMAT, "%s: /reasons/name row %zu: '%s' is no indicator reason's name", f->path,
                          (size_t)RULES_FACT_INDICATOR + 2 * i, s);
        else if (!(f->facts[i] = strdup(colon + 1)))
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    f->m.n_fact_names = p;
    h5util_strings_free(names, n);
    return rc;
}

/* The tag table and grade names, as the tagconf the list writer labels with (entry k is bit k). */
static int scl_tags(scl_file *f)
{
    static const char *const tabs[5] = {"/tags/key", "/tags/label_en", "/tags/label_zh", "/tags/say_en",
                                        "/tags/say_zh"};
    char **t[5] = {NULL}, **gen = NULL, **gzh = NULL;
    size_t n[5] = {0}, ngen = 0, ngzh = 0;
    f->tc = calloc(1, sizeof *f->tc);
    int rc = f->tc ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    for (int k = 0; rc == CS_OK && k < 5; k++) rc = h5util_read_strings(f->file, tabs[k], f->path, &t[k], &n[k]);
    for (int k = 1; rc == CS_OK && k < 5; k++)
        if (n[k] != n[0])
            rc = CS_ERROR(CS_EFORMAT, "%s: %s has %zu entries, /tags/key %zu", f->path, tabs[k], n[k], n[0]);
    if (rc == CS_OK && n[0] > TAGEVAL_MAX_TAGS)
        rc = CS_ERROR(CS_EFORMAT, "%s: /tags/key has %zu tags, over %d", f->path, n[0], TAGEVAL_MAX_TAGS);
    if (rc == CS_OK) rc = h5util_read_strings(f->file, "/grades/name_en", f->path, &gen, &ngen);
    if (rc == CS_OK) rc = h5util_read_strings(f->file, "/grades/name_zh", f->path, &gzh, &ngzh);
    if (rc == CS_OK) {
        tagconf *tc = f->tc;
        snprintf(tc->name, sizeof tc->name, "%s /tags", f->path);
        tc->n = n[0];
        for (size_t b = 0; b < n[0]; b++) {
            tagconf_tag *g = &tc->tag[b];
            snprintf(g->key, sizeof g->key, "%s", t[0][b]);
            snprintf(g->label[LANG_EN], sizeof g->label[LANG_EN], "%s", t[1][b]);
            snprintf(g->label[LANG_ZH], sizeof g->label[LANG_ZH], "%s", t[2][b]);
            snprintf(g->say[LANG_EN], sizeof g->say[LANG_EN], "%s", t[3][b]);
            snprintf(g->say[LANG_ZH], sizeof g->say[LANG_ZH], "%s", t[4][b]);
            g->active = 1;
            g->bit = (int)b;
            tc->order[b] = b;
        }
        for (int g = 0; g < TAGEVAL_N_GRADES; g++) {
            /* a file without grade names: the built-in ones, as tagconf_grade_name gives them */
            const char *en = ngen == TAGEVAL_N_GRADES ? gen[g] : tagconf_grade_name(NULL, g + 1, LANG_EN);
            const char *zh = ngzh == TAGEVAL_N_GRADES ? gzh[g] : tagconf_grade_name(NULL, g + 1, LANG_ZH);
            snprintf(tc->grade_name[LANG_EN][g], sizeof tc->grade_name[LANG_EN][g], "%s", en);
            snprintf(tc->grade_name[LANG_ZH][g], sizeof tc->grade_name[LANG_ZH][g], "%s", zh);
        }
    }
    for (int k = 0; k < 5; k++) h5util_strings_free(t[k], n[k]);
    h5util_strings_free(gen, ngen);
    h5util_strings_free(gzh, ngzh);
    return rc;
}

/* The segments' names and brands: what segment_label needs (the number within the brand, the name). */
static int scl_segments(scl_file *f)
{
    if (!H5Lexists(f->file, "/segments", H5P_DEFAULT) || f->ds[L_SEGMENT] <= 0) return CS_OK;
    char **en = NULL, **zh = NULL;
    size_t nen = 0, nzh = 0, nb = 0;
    int32_t *brand = NULL;
    int rc = h5util_read_strings(f->file, "/segments/name", f->path, &en, &nen);
    if (rc == CS_OK) rc = h5util_read_strings(f->file, "/segments/name_zh", f->path, &zh, &nzh);
    if (rc == CS_OK) rc = h5util_read_i32(f->file, "/segments/brand", f->path, &brand, &nb);
    if (rc == CS_OK && (nzh != nen || nb != nen))
        rc = CS_ERROR(CS_EFORMAT, "%s: /segments: %zu names, %zu Chinese names, %zu brands", f->path, nen, nzh, nb);
    int32_t maxb = 0;
    for (size_t g = 0; rc == CS_OK && g < nb; g++) {
        if (brand[g] < 0 || brand[g] > 255) rc = CS_ERROR(CS_EFORMAT, "%s: /segments/brand row %zu: %d", f->path, g, brand[g]);
        else if (brand[g] > maxb) maxb = brand[g];
    }
    segment_model *s = rc == CS_OK ? calloc(1, sizeof *s) : NULL;
    if (rc == CS_OK && !s) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) {
        s->n_seg = nen;
        s->n_brands = (size_t)maxb + 1;
        s->brand = brand;
        brand = NULL;
        s->first = malloc(s->n_brands * sizeof *s->first);
        s->name_en = calloc(nen ? nen : 1, sizeof(char *));
        s->name_zh = calloc(nen ? nen : 1, sizeof(char *));
        if (!s->first || !s->name_en || !s->name_zh) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        for (size_t b = 0; rc == CS_OK && b < s->n_brands; b++) {
            s->first[b] = 0;
            for (size_t g = nen; g-- > 0;)
                if ((size_t)s->brand[g] == b) s->first[b] = (int32_t)g;
        }
        for (size_t g = 0; rc == CS_OK && g < nen; g++)
            if (!(s->name_en[g] = strdup(en[g])) || !(s->name_zh[g] = strdup(zh[g])))
                rc = CS_ERROR(CS_ENOMEM, "out of memory");
        f->seg = s;
    }
    free(brand);
    h5util_strings_free(en, nen);
    h5util_strings_free(zh, nzh);
    return rc;
}

int scl_open(const char *path, uint64_t n, scl_file **out)
{
    *out = NULL;
    scl_file *f = calloc(1, sizeof *f);
    if (!f) return CS_ERROR(CS_ENOMEM, "out of memory");
    f->file = -1;
    for (int i = 0; i < L_NDS; i++) f->ds[i] = -1;
    f->path = strdup(path);
    int rc = f->path ? h5util_open_read(path, MPI_COMM_NULL, &f->file) : CS_ERROR(CS_ENOMEM, "out of memory");
    char kind[64] = "";
    int64_t ver = 0;
    if (rc == CS_OK && (h5util_attr_read_str(f->file, "format", kind, sizeof kind) != CS_OK ||
                        strcmp(kind, SCORES_FORMAT) != 0))
        rc = CS_ERROR(CS_EFORMAT, "%s: is not a scores file ('%s' expected)", path, SCORES_FORMAT);
    if (rc == CS_OK && (h5util_attr_read_i64(f->file, "format_version", &ver) != CS_OK || ver != SCORES_VERSION))
        rc = CS_ERROR(CS_EFORMAT, "%s: scores format version %lld is not supported (this build reads %d)", path,
                      (long long)ver, SCORES_VERSION);
    if (rc == CS_OK && !H5Lexists(f->file, "/subscribers/queue", H5P_DEFAULT))
        rc = CS_ERROR(CS_EFORMAT, "%s: has no /subscribers/queue (written by a churnscore before select "
                      "existed): score the month again", path);
    f->m.has_types = rc == CS_OK && H5Lexists(f->file, "/subscribers/p_voluntary", H5P_DEFAULT) > 0;
    int has_seg = rc == CS_OK && H5Lexists(f->file, "/subscribers/segment", H5P_DEFAULT) > 0;
    for (int i = 0; rc == CS_OK && i < L_NDS; i++) {
        if ((i == L_PVOL || i == L_PINV) && !f->m.has_types) continue;
        if (i == L_SEGMENT && !has_seg) continue;
        rc = h5util_open_checked(f->file, scl_ds[i].name, path, scl_ds[i].cls, 0, scl_ds[i].cols ? 2 : 1, n,
                                 (uint64_t)scl_ds[i].cols, &f->ds[i]);
    }
    if (rc == CS_OK) rc = h5util_attr_read_str(f->file, "month", f->m.month, sizeof f->m.month);
    if (rc == CS_OK) rc = h5util_attr_read_str(f->file, "rank_by", f->m.rank_by, sizeof f->m.rank_by);
    if (rc == CS_OK) rc = h5util_attr_read_f64(f->file, "horizon_months", &f->m.horizon);
    if (rc == CS_OK) rc = h5util_read_strings(f->file, "/regions/name", path, &f->regions, &f->m.n_regions);
    if (rc == CS_OK) rc = h5util_read_strings(f->file, "/brands/name", path, &f->brands, &f->m.n_brands);
    if (rc == CS_OK) rc = scl_fact_names(f);
    if (rc == CS_OK) rc = scl_tags(f);
    if (rc == CS_OK) rc = scl_segments(f);
    if (rc != CS_OK) {
        scl_close(f);
        return rc;
    }
    f->m.n = n;
    f->m.region_names = (const char *const *)f->regions;
    f->m.brand_names = (const char *const *)f->brands;
    f->m.fact_names = (const char *const *)f->facts;
    f->m.tc = f->tc;
    f->m.seg = f->seg;
    *out = f;
    return CS_OK;
}

int scl_read(scl_file *f, uint64_t row0, size_t n, const uint64_t *snap_id, scl_rows *r)
{
    hid_t *d = f->ds;
    CS_TRY(h5util_read_rows(d[L_ID], H5T_NATIVE_UINT64, row0, n, 0, r->id));
    for (size_t i = 0; i < n; i++)
        if (r->id[i] != snap_id[i])
            return CS_ERROR(CS_EDATA, "%s: /subscribers/id row %llu: id %llu, but the snapshot's row has id %llu "
                            "(scores of another snapshot?)", f->path, (unsigned long long)(row0 + i),
                            (unsigned long long)r->id[i], (unsigned long long)snap_id[i]);
    CS_TRY(h5util_read_rows(d[L_REGION], H5T_NATIVE_UINT16, row0, n, 0, r->region));
    CS_TRY(h5util_read_rows(d[L_BRAND], H5T_NATIVE_UINT8, row0, n, 0, r->brand));
    CS_TRY(h5util_read_rows(d[L_STAGE], H5T_NATIVE_UINT8, row0, n, 0, r->stage));
    CS_TRY(h5util_read_rows(d[L_PHASE], H5T_NATIVE_UINT8, row0, n, 0, r->phase));
    CS_TRY(h5util_read_rows(d[L_TIER], H5T_NATIVE_UINT8, row0, n, 0, r->tier));
    CS_TRY(h5util_read_rows(d[L_QUEUE], H5T_NATIVE_UINT8, row0, n, 0, r->queue));
    for (size_t i = 0; i < n; i++)
        if (r->region[i] >= f->m.n_regions || r->brand[i] >= f->m.n_brands || r->stage[i] >= RULES_N_STAGES ||
            r->phase[i] >= RULES_N_PHASES || r->tier[i] > RULES_N_TIERS || r->queue[i] >= QUEUE_N)
            return CS_ERROR(CS_EDATA, "%s: row %llu: region %u, brand %u, stage %u, phase %u, grade %u or queue %u "
                            "out of range", f->path, (unsigned long long)(row0 + i), r->region[i], r->brand[i],
                            r->stage[i], r->phase[i], r->tier[i], r->queue[i]);
    CS_TRY(h5util_read_rows(d[L_PROB], H5T_NATIVE_DOUBLE, row0, n, 0, r->prob));
    CS_TRY(h5util_read_rows(d[L_ARPU], H5T_NATIVE_FLOAT, row0, n, 0, r->arpu));
    CS_TRY(h5util_read_rows(d[L_REASON], H5T_NATIVE_INT16, row0, n, SCORES_NREASONS, r->reason));
    CS_TRY(h5util_read_rows(d[L_FACT], H5T_NATIVE_FLOAT, row0, n, SCORES_NREASONS, r->fact));
    CS_TRY(h5util_read_rows(d[L_TAGS], H5T_NATIVE_UINT64, row0, n, 0, r->tags));
    CS_TRY(h5util_read_rows(d[L_CONTRIB], H5T_NATIVE_FLOAT, row0, n, 0, r->contrib));
    if (f->m.has_types) {
        CS_TRY(h5util_read_rows(d[L_PVOL], H5T_NATIVE_DOUBLE, row0, n, 0, r->pvol));
        CS_TRY(h5util_read_rows(d[L_PINV], H5T_NATIVE_DOUBLE, row0, n, 0, r->pinv));
    } else {
        /* as cmodel_predict_types gives a model without types */
        for (size_t i = 0; i < n; i++) r->pvol[i] = r->prob[i], r->pinv[i] = NAN;
    }
    if (d[L_SEGMENT] > 0) CS_TRY(h5util_read_rows(d[L_SEGMENT], H5T_NATIVE_INT16, row0, n, 0, r->segment));
    else
        for (size_t i = 0; i < n; i++) r->segment[i] = -1;
    return CS_OK;
}
