/* scores.c — writer and reader of the scores file v1 (see scores.h, docs/formats.md). */
#include "scores.h"

#include "h5util.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SC_PVOL and SC_PINV exist only in a file of a model with churn types (SC_NBASE datasets without) */
enum { SC_ID, SC_REGION, SC_BRAND, SC_PROB, SC_STAGE, SC_PHASE, SC_TIER, SC_ARPU, SC_VAR, SC_REASON,
       SC_FACT, SC_TAGS, SC_CONTRIB, SC_QUEUE, SC_MONTHS, SC_ACTION, SC_NBASE, SC_PVOL = SC_NBASE, SC_PINV, SC_NDS };

static const char *const scores_ds_name[SC_NDS] = {
    "/subscribers/id", "/subscribers/region", "/subscribers/brand", "/subscribers/probability",
    "/subscribers/stage", "/subscribers/phase", "/subscribers/tier", "/subscribers/arpu",
    "/subscribers/value_at_risk", "/subscribers/reasons", "/subscribers/reason_values",
    "/subscribers/tags", "/subscribers/contribution", "/subscribers/queue", "/subscribers/months_on_list",
    "/subscribers/action", "/subscribers/p_voluntary", "/subscribers/p_involuntary"};

struct scores_writer {
    char *path, *tmp;
    MPI_Comm comm;
    hid_t file;
    hid_t ds[SC_NDS];
    hid_t seg;        /* /subscribers/segment, -1 without segments */
    size_t n_regions;
};

/* Closes the datasets and the file (collective when the file is shared); this rank's status. */
static int scores_close_all(scores_writer *w)
{
    int rc = CS_OK;
    if (w->seg > 0 && H5Dclose(w->seg) < 0) rc = CS_ERROR(CS_EIO, "%s: cannot close /subscribers/segment", w->tmp);
    w->seg = -1;
    for (int i = 0; i < SC_NDS; i++) {
        if (w->ds[i] > 0 && H5Dclose(w->ds[i]) < 0 && rc == CS_OK)
            rc = CS_ERROR(CS_EIO, "%s: cannot close %s", w->tmp, scores_ds_name[i]);
        w->ds[i] = -1;
    }
    if (w->file > 0) {
        int crc = h5util_close_shared(w->file, w->tmp);
        if (rc == CS_OK) rc = crc;
    }
    w->file = -1;
    return rc;
}

static int scores_group(hid_t f, const char *name, const char *file)
{
    hid_t g = H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) return CS_ERROR(CS_EIO, "%s: cannot create group %s", file, name);
    H5Gclose(g);
    return CS_OK;
}

/* The tag table and the grade names (issue 17): bit k of /subscribers/tags is /tags/key[k]. */
static int scores_tag_table(hid_t f, const char *tmp, const scores_meta *m)
{
    CS_TRY(scores_group(f, "/tags", tmp));
    CS_TRY(scores_group(f, "/grades", tmp));
    static const char *const none[1] = {""};
    size_t n = m->n_tags;
    struct { const char *name; const char *const *v; } t[] = {
        {"/tags/key", m->tag_key}, {"/tags/label_en", m->tag_label_en}, {"/tags/label_zh", m->tag_label_zh},
        {"/tags/when", m->tag_when}, {"/tags/channel", m->tag_channel}, {"/tags/say_en", m->tag_say_en},
        {"/tags/say_zh", m->tag_say_zh}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) CS_TRY(h5util_write_strings(f, t[i].name, n ? t[i].v : none, n));
    CS_TRY(h5util_write_strings(f, "/grades/name_en", m->grade_name_en ? m->grade_name_en : none, m->grade_name_en ? 5 : 0));
    CS_TRY(h5util_write_strings(f, "/grades/name_zh", m->grade_name_zh ? m->grade_name_zh : none, m->grade_name_zh ? 5 : 0));
    CS_TRY(h5util_attr_write_str(f, "grade_mode", m->grade_mode ? m->grade_mode : "quantile"));
    CS_TRY(h5util_attr_write_str(f, "tag_rules", m->tag_rules ? m->tag_rules : ""));
    return h5util_attr_write_i64(f, "contribution_has_cost", m->has_cost);
}

/* Serially, on the one process that creates the file (h5util_create_laid_out): attributes, name
 * tables, datasets. */
static int scores_layout(hid_t f, const char *tmp, const void *arg)
{
    const scores_meta *m = arg;
    static const char *const stages[] = {"onboarding", "growth", "maturity", "decline"};
    static const char *const phases[] = {"healthy", "warning", "alarm"};
    static const char *const queues[] = {"none", "retention", "collections", "billing"}; /* model/queue.h */
    CS_TRY(h5util_attr_write_str(f, "format", SCORES_FORMAT));
    CS_TRY(h5util_attr_write_i64(f, "format_version", SCORES_VERSION));
    CS_TRY(h5util_attr_write_str(f, "month", m->month ? m->month : "0000-00"));
    CS_TRY(h5util_attr_write_str(f, "snapshot", m->snapshot ? m->snapshot : ""));
    CS_TRY(h5util_attr_write_str(f, "model", m->model ? m->model : ""));
    CS_TRY(h5util_attr_write_str(f, "version", m->version ? m->version : ""));
    CS_TRY(h5util_attr_write_str(f, "created", m->created ? m->created : ""));
    CS_TRY(h5util_attr_write_str(f, "options", m->options ? m->options : ""));
    CS_TRY(h5util_attr_write_str(f, "rank_by", m->rank_by ? m->rank_by : "probability"));
    CS_TRY(h5util_attr_write_f64(f, "horizon_months", m->horizon_months));
    CS_TRY(h5util_attr_write_f64(f, "warn_cutoff", m->warn_cutoff));
    if (m->has_types) CS_TRY(h5util_attr_write_f64(f, "collections_cutoff", m->collections_cutoff));
    const char *groups[] = {"/subscribers", "/regions", "/brands", "/stages", "/phases", "/reasons", "/queues"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) CS_TRY(scores_group(f, groups[i], tmp));
    CS_TRY(h5util_write_strings(f, "/regions/name", m->region_names, m->n_regions));
    CS_TRY(h5util_write_strings(f, "/brands/name", m->brand_names, m->n_brands));
    CS_TRY(h5util_write_strings(f, "/stages/name", stages, 4));
    CS_TRY(h5util_write_strings(f, "/phases/name", phases, 3));
    CS_TRY(h5util_write_strings(f, "/queues/name", queues, 4));
    CS_TRY(h5util_write_strings(f, "/reasons/text", m->reason_text, m->n_reasons));
    CS_TRY(h5util_write_strings(f, "/reasons/name", m->reason_name, m->n_reasons));
    hid_t ft[SC_NDS] = {H5T_STD_U64LE, H5T_STD_U16LE, H5T_STD_U8LE, H5T_IEEE_F64LE, H5T_STD_U8LE,
                        H5T_STD_U8LE, H5T_STD_U8LE, H5T_IEEE_F32LE, H5T_IEEE_F64LE, H5T_STD_I16LE,
                        H5T_IEEE_F32LE, H5T_STD_U64LE, H5T_IEEE_F32LE, H5T_STD_U8LE, H5T_STD_U16LE,
                        H5T_STD_I16LE, H5T_IEEE_F64LE, H5T_IEEE_F64LE};
    CS_TRY(scores_tag_table(f, tmp, m));
    /* issue 15: the playbook's action codes, which /subscribers/action indexes */
    static const char *const none[1] = {""};
    CS_TRY(scores_group(f, "/actions", tmp));
    CS_TRY(h5util_write_strings(f, "/actions/code", m->n_actions ? m->action_code : none, m->n_actions));
    for (int i = 0; i < (m->has_types ? SC_NDS : SC_NBASE); i++) {
        /* contiguous: ranks write disjoint row ranges independently */
        hid_t d;
        int rc = h5util_create_rows(f, scores_ds_name[i], ft[i], m->n,
                                    i == SC_REASON || i == SC_FACT ? SCORES_NREASONS : 0, 0, &d);
        if (rc != CS_OK) return CS_ERROR(rc, "%s: %s", tmp, status_reason());
        H5Dclose(d);
    }
    if (m->n_segments > 0) {
        /* segments (issue 17): the row's segment and the table that names them */
        hid_t d;
        int rc = h5util_create_rows(f, "/subscribers/segment", H5T_STD_I16LE, m->n, 0, 0, &d);
        if (rc != CS_OK) return CS_ERROR(rc, "%s: %s", tmp, status_reason());
        H5Dclose(d);
        CS_TRY(scores_group(f, "/segments", tmp));
        CS_TRY(h5util_write_strings(f, "/segments/name", m->segment_name, m->n_segments));
        CS_TRY(h5util_write_strings(f, "/segments/name_zh", m->segment_name_zh, m->n_segments));
        CS_TRY(h5util_write_i32(f, "/segments/brand", m->segment_brand, m->n_segments));
    }
    return CS_OK;
}

int scores_file_create(const char *path, const scores_meta *m)
{
    return h5util_create_laid_out(path, scores_layout, m);
}

int scores_writer_open(const char *path, MPI_Comm comm, const scores_meta *m, scores_writer **out)
{
    *out = NULL;
    scores_writer *w = calloc(1, sizeof *w);
    if (!w) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (int i = 0; i < SC_NDS; i++) w->ds[i] = -1;
    w->seg = -1;
    w->file = -1;
    w->comm = comm;
    w->n_regions = m->n_regions;
    w->path = strdup(path);
    w->tmp = h5util_tmpname(path);
    int rc = (w->path && w->tmp) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK) rc = h5util_reopen_shared(w->tmp, comm, &w->file);
    for (int i = 0; rc == CS_OK && i < (m->has_types ? SC_NDS : SC_NBASE); i++) {
        w->ds[i] = H5Dopen2(w->file, scores_ds_name[i], H5P_DEFAULT);
        if (w->ds[i] < 0) rc = CS_ERROR(CS_EIO, "%s: cannot reopen %s", w->tmp, scores_ds_name[i]);
    }
    if (rc == CS_OK && m->n_segments > 0) {
        w->seg = H5Dopen2(w->file, "/subscribers/segment", H5P_DEFAULT);
        if (w->seg < 0) rc = CS_ERROR(CS_EIO, "%s: cannot reopen /subscribers/segment", w->tmp);
    }
    /* on failure too: the caller frees it on every rank together, after agreeing (the close of a
     * file this rank did open is collective) */
    *out = w;
    return rc;
}

int scores_write(scores_writer *w, uint64_t row0, size_t n, const uint64_t *id,
                 const uint16_t *region, const uint8_t *brand, const double *prob,
                 const uint8_t *stage, const uint8_t *phase, const float *arpu, const double *var,
                 const int16_t *reason, const float *fact)
{
    CS_TRY(h5util_write_rows(w->ds[SC_ID], H5T_NATIVE_UINT64, row0, n, 0, id));
    CS_TRY(h5util_write_rows(w->ds[SC_REGION], H5T_NATIVE_UINT16, row0, n, 0, region));
    CS_TRY(h5util_write_rows(w->ds[SC_BRAND], H5T_NATIVE_UINT8, row0, n, 0, brand));
    CS_TRY(h5util_write_rows(w->ds[SC_PROB], H5T_NATIVE_DOUBLE, row0, n, 0, prob));
    CS_TRY(h5util_write_rows(w->ds[SC_STAGE], H5T_NATIVE_UINT8, row0, n, 0, stage));
    CS_TRY(h5util_write_rows(w->ds[SC_PHASE], H5T_NATIVE_UINT8, row0, n, 0, phase));
    CS_TRY(h5util_write_rows(w->ds[SC_ARPU], H5T_NATIVE_FLOAT, row0, n, 0, arpu));
    CS_TRY(h5util_write_rows(w->ds[SC_VAR], H5T_NATIVE_DOUBLE, row0, n, 0, var));
    CS_TRY(h5util_write_rows(w->ds[SC_REASON], H5T_NATIVE_INT16, row0, n, SCORES_NREASONS, reason));
    CS_TRY(h5util_write_rows(w->ds[SC_FACT], H5T_NATIVE_FLOAT, row0, n, SCORES_NREASONS, fact));
    return CS_OK;
}

int scores_write_types(scores_writer *w, uint64_t row0, size_t n, const double *pvol, const double *pinv)
{
    if (w->ds[SC_PVOL] < 0) return CS_ERROR(CS_EINVAL, "%s: created without churn types", w->tmp);
    CS_TRY(h5util_write_rows(w->ds[SC_PVOL], H5T_NATIVE_DOUBLE, row0, n, 0, pvol));
    return h5util_write_rows(w->ds[SC_PINV], H5T_NATIVE_DOUBLE, row0, n, 0, pinv);
}

int scores_write_segment(scores_writer *w, uint64_t row0, size_t n, const int16_t *segment)
{
    if (w->seg < 0) return CS_ERROR(CS_EINVAL, "%s: created without segments", w->tmp);
    return h5util_write_rows(w->seg, H5T_NATIVE_INT16, row0, n, 0, segment);
}

int scores_write_tags(scores_writer *w, uint64_t row0, size_t n, const uint64_t *tags, const float *contrib)
{
    CS_TRY(h5util_write_rows(w->ds[SC_TAGS], H5T_NATIVE_UINT64, row0, n, 0, tags));
    return h5util_write_rows(w->ds[SC_CONTRIB], H5T_NATIVE_FLOAT, row0, n, 0, contrib);
}

int scores_read_tags(scores_writer *w, uint64_t row0, size_t n, uint64_t *tags, float *contrib)
{
    CS_TRY(h5util_read_rows(w->ds[SC_TAGS], H5T_NATIVE_UINT64, row0, n, 0, tags));
    return h5util_read_rows(w->ds[SC_CONTRIB], H5T_NATIVE_FLOAT, row0, n, 0, contrib);
}

int scores_write_queue(scores_writer *w, uint64_t row0, size_t n, const uint8_t *queue)
{
    return h5util_write_rows(w->ds[SC_QUEUE], H5T_NATIVE_UINT8, row0, n, 0, queue);
}

int scores_write_tier(scores_writer *w, uint64_t row0, size_t n, const uint8_t *tier)
{
    return h5util_write_rows(w->ds[SC_TIER], H5T_NATIVE_UINT8, row0, n, 0, tier);
}

int scores_write_listed(scores_writer *w, uint64_t row0, size_t n, const uint16_t *months, const int16_t *action)
{
    CS_TRY(h5util_write_rows(w->ds[SC_MONTHS], H5T_NATIVE_UINT16, row0, n, 0, months));
    return h5util_write_rows(w->ds[SC_ACTION], H5T_NATIVE_INT16, row0, n, 0, action);
}

int scores_read_arpu(scores_writer *w, uint64_t row0, size_t n, float *arpu)
{
    return h5util_read_rows(w->ds[SC_ARPU], H5T_NATIVE_FLOAT, row0, n, 0, arpu);
}


static int scores_write_final(hid_t f, const char *file, size_t nr, const scores_final *fin)
{
    CS_TRY(h5util_write_f64(f, "/tier_cutoffs", fin->tier_cut, 4, 0));
    CS_TRY(scores_group(f, "/summary", file));
    CS_TRY(h5util_write_i64(f, "/summary/subscribers", fin->subscribers, nr));
    CS_TRY(h5util_write_i64(f, "/summary/alarm", fin->alarm, nr));
    CS_TRY(h5util_write_i64(f, "/summary/warning", fin->warning, nr));
    CS_TRY(h5util_write_i64(f, "/summary/listed", fin->listed, nr));
    CS_TRY(h5util_write_f64(f, "/summary/expected_leavers", fin->expected_leavers, nr, 0));
    CS_TRY(h5util_write_f64(f, "/summary/value_at_risk", fin->value_at_risk, nr, 0));
    CS_TRY(h5util_attr_write_i64(f, "validated", fin->validated));
    if (!fin->validated) return CS_OK;
    const metrics_report *o = fin->overall;
    CS_TRY(h5util_attr_write_i64(f, "validation_labelled", (int64_t)fin->labelled));
    CS_TRY(h5util_attr_write_i64(f, "validation_n", (int64_t)o->n));
    CS_TRY(h5util_attr_write_i64(f, "validation_npos", (int64_t)o->npos));
    static const char *const vnames[] = {"auc", "lift_top10", "capture5", "capture10", "capture20",
                                         "ks", "brier"};
    const double vv[] = {o->auc, o->lift10, o->capture5, o->capture10, o->capture20, o->ks, o->brier};
    CS_TRY(h5util_attr_write_f64s(f, "validation_", vnames, vv, 7));
    CS_TRY(scores_group(f, "/validation", file));
    double cn[METRICS_NBINS];
    for (int b = 0; b < METRICS_NBINS; b++) cn[b] = (double)o->cal_n[b];
    CS_TRY(h5util_write_f64(f, "/validation/calibration_n", cn, METRICS_NBINS, 0));
    CS_TRY(h5util_write_f64(f, "/validation/calibration_pred", o->cal_pred, METRICS_NBINS, 0));
    CS_TRY(h5util_write_f64(f, "/validation/calibration_obs", o->cal_obs, METRICS_NBINS, 0));
    /* per region: NaN where a region had no positives or no negatives */
    static const char *const names[] = {"n", "npos", "auc", "lift_top10", "capture10", "ks", "brier"};
    double *v = malloc((nr ? nr : 1) * sizeof(double));
    if (!v) return CS_ERROR(CS_ENOMEM, "out of memory");
    int rc = CS_OK;
    char path[64];
    for (size_t q = 0; rc == CS_OK && q < sizeof names / sizeof names[0]; q++) {
        for (size_t r = 0; r < nr; r++) {
            const metrics_report *m = &fin->region[r];
            double x = NAN;
            if (fin->region_ok[r]) {
                switch (q) {
                case 0: x = (double)m->n; break;
                case 1: x = (double)m->npos; break;
                case 2: x = m->auc; break;
                case 3: x = m->lift10; break;
                case 4: x = m->capture10; break;
                case 5: x = m->ks; break;
                default: x = m->brier; break;
                }
            }
            v[r] = x;
        }
        snprintf(path, sizeof path, "/validation/region_%s", names[q]);
        rc = h5util_write_f64(f, path, v, nr, 0);
    }
    free(v);
    return rc;
}

int scores_close(scores_writer *w) { return w ? scores_close_all(w) : CS_OK; }

MPI_Comm scores_writer_comm(const scores_writer *w) { return w->comm; }

int scores_file_finish(scores_writer *w, int ok, const scores_final *fin, commit_set *cs)
{
    int rc = CS_OK;
    if (ok) {
        hid_t f = H5Fopen(w->tmp, H5F_ACC_RDWR, H5P_DEFAULT);
        if (f < 0) rc = CS_ERROR(CS_EIO, "%s: cannot reopen to finish", w->tmp);
        else {
            rc = fin ? scores_write_final(f, w->tmp, w->n_regions, fin)
                     : CS_ERROR(CS_EINTERNAL, "scores_finish: no final values on rank 0");
            if (rc != CS_OK && !strstr(status_reason(), w->tmp))
                rc = CS_ERROR(rc, "%s: %s", w->tmp, status_reason());
            int crc = h5util_close_file(f, w->tmp);
            if (rc == CS_OK) rc = crc;
        }
        if (rc == CS_OK) rc = cs ? commit_set_add(cs, w->tmp, w->path, NULL)
                                 : CS_ERROR(CS_EINTERNAL, "scores_finish: no commit set on rank 0");
    }
    if (!ok || rc != CS_OK) unlink(w->tmp);
    return rc;
}

int scores_writer_free(scores_writer *w)
{
    if (!w) return CS_OK;
    int rc = scores_close_all(w); /* CS_OK when scores_close did it */
    free(w->path);
    free(w->tmp);
    free(w);
    return rc;
}

/* ---- reader ---- */

static int scores_read_vec(hid_t f, const char *name, const char *file, size_t n, double **out)
{
    size_t d0 = 0, d1 = 0;
    CS_TRY(h5util_read_f64(f, name, file, out, &d0, &d1));
    if (d0 != n || d1 != 0) {
        free(*out);
        *out = NULL;
        return CS_ERROR(CS_EFORMAT, "%s: %s has %zu entries, expected %zu (one per region)", file,
                        name, d0, n);
    }
    return CS_OK;
}

int scores_info_read(const char *path, scores_info *s)
{
    memset(s, 0, sizeof *s);
    hid_t f = -1;
    CS_TRY(h5util_open_read(path, MPI_COMM_NULL, &f));
    char fmt[64] = "";
    int64_t ver = 0;
    int rc = CS_OK;
    if (h5util_attr_read_str(f, "format", fmt, sizeof fmt) != CS_OK || strcmp(fmt, SCORES_FORMAT) != 0)
        rc = CS_ERROR(CS_EFORMAT, "%s: not a churnscore scores file", path);
    else if (h5util_attr_read_i64(f, "format_version", &ver) != CS_OK || ver != SCORES_VERSION)
        rc = CS_ERROR(CS_EFORMAT, "%s: scores format version %lld is not supported (this build reads %d)",
                      path, (long long)ver, SCORES_VERSION);
    if (rc == CS_OK) {
        h5util_attr_read_str(f, "month", s->month, sizeof s->month);
        h5util_attr_read_str(f, "snapshot", s->snapshot, sizeof s->snapshot);
        h5util_attr_read_str(f, "model", s->model, sizeof s->model);
        h5util_attr_read_str(f, "created", s->created, sizeof s->created);
        h5util_attr_read_str(f, "version", s->version, sizeof s->version);
        h5util_attr_read_str(f, "rank_by", s->rank_by, sizeof s->rank_by);
        h5util_attr_read_f64(f, "horizon_months", &s->horizon_months);
        h5util_attr_read_f64(f, "warn_cutoff", &s->warn_cutoff);
        s->collections_cutoff = NAN;
        if (h5util_attr_exists(f, "collections_cutoff"))
            h5util_attr_read_f64(f, "collections_cutoff", &s->collections_cutoff);
        s->has_types = H5Lexists(f, "/subscribers/p_voluntary", H5P_DEFAULT) > 0;
        if (H5Lexists(f, "/segments", H5P_DEFAULT) > 0 && H5Lexists(f, "/segments/name", H5P_DEFAULT) > 0) {
            char **nm = NULL;
            size_t k = 0;
            if (h5util_read_strings(f, "/segments/name", path, &nm, &k) == CS_OK) s->n_segments = k;
            for (size_t i = 0; nm && i < k; i++) free(nm[i]);
            free(nm);
        }
        hid_t ds = H5Lexists(f, "/subscribers/id", H5P_DEFAULT) > 0
                       ? H5Dopen2(f, "/subscribers/id", H5P_DEFAULT) : -1;
        if (ds < 0) {
            rc = CS_ERROR(CS_EFORMAT, "%s: dataset /subscribers/id is missing", path);
        } else {
            hid_t sp = H5Dget_space(ds);
            hsize_t d = 0;
            if (H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, &d, NULL);
            else rc = CS_ERROR(CS_EFORMAT, "%s: /subscribers/id must be 1-D", path);
            H5Sclose(sp);
            H5Dclose(ds);
            s->n = d;
        }
    }
    if (rc == CS_OK) rc = h5util_read_strings(f, "/regions/name", path, &s->region_names, &s->n_regions);
    size_t nr = s->n_regions;
    if (rc == CS_OK) {
        double *cut = NULL;
        size_t d0 = 0, d1 = 0;
        rc = h5util_read_f64(f, "/tier_cutoffs", path, &cut, &d0, &d1);
        if (rc == CS_OK && d0 != 4) rc = CS_ERROR(CS_EFORMAT, "%s: /tier_cutoffs must hold 4 values", path);
        if (rc == CS_OK) memcpy(s->tier_cut, cut, sizeof s->tier_cut);
        free(cut);
    }
    if (rc == CS_OK) rc = scores_read_vec(f, "/summary/subscribers", path, nr, &s->subscribers);
    if (rc == CS_OK) rc = scores_read_vec(f, "/summary/alarm", path, nr, &s->alarm);
    if (rc == CS_OK) rc = scores_read_vec(f, "/summary/warning", path, nr, &s->warning);
    if (rc == CS_OK) rc = scores_read_vec(f, "/summary/listed", path, nr, &s->listed);
    if (rc == CS_OK) rc = scores_read_vec(f, "/summary/expected_leavers", path, nr, &s->expected_leavers);
    if (rc == CS_OK) rc = scores_read_vec(f, "/summary/value_at_risk", path, nr, &s->value_at_risk);
    int64_t v = 0;
    if (rc == CS_OK && h5util_attr_read_i64(f, "validated", &v) != CS_OK)
        rc = CS_ERROR(CS_EFORMAT, "%s: attribute 'validated' is missing", path);
    s->validated = (int)v;
    if (rc == CS_OK && s->validated) {
        int64_t a = 0, b = 0, c = 0;
        rc = h5util_attr_read_i64(f, "validation_labelled", &a);
        if (rc == CS_OK) rc = h5util_attr_read_i64(f, "validation_n", &b);
        if (rc == CS_OK) rc = h5util_attr_read_i64(f, "validation_npos", &c);
        s->labelled = (uint64_t)a;
        s->val_n = (uint64_t)b;
        s->val_npos = (uint64_t)c;
        struct { const char *n; double *v; } at[] = {
            {"validation_auc", &s->auc}, {"validation_lift_top10", &s->lift10},
            {"validation_capture5", &s->capture5}, {"validation_capture10", &s->capture10},
            {"validation_capture20", &s->capture20}, {"validation_ks", &s->ks},
            {"validation_brier", &s->brier}};
        for (size_t i = 0; rc == CS_OK && i < sizeof at / sizeof at[0]; i++)
            rc = h5util_attr_read_f64(f, at[i].n, at[i].v);
        double *p = NULL, *o = NULL;
        if (rc == CS_OK) rc = scores_read_vec(f, "/validation/calibration_pred", path, METRICS_NBINS, &p);
        if (rc == CS_OK) rc = scores_read_vec(f, "/validation/calibration_obs", path, METRICS_NBINS, &o);
        if (rc == CS_OK) {
            memcpy(s->cal_pred, p, sizeof s->cal_pred);
            memcpy(s->cal_obs, o, sizeof s->cal_obs);
        }
        free(p);
        free(o);
        if (rc == CS_OK) rc = scores_read_vec(f, "/validation/region_auc", path, nr, &s->region_auc);
        if (rc == CS_OK) rc = scores_read_vec(f, "/validation/region_lift_top10", path, nr, &s->region_lift10);
        if (rc == CS_OK) rc = scores_read_vec(f, "/validation/region_n", path, nr, &s->region_n);
        if (rc != CS_OK && status_code() == rc && !strstr(status_reason(), path))
            rc = CS_ERROR(rc, "%s: %s", path, status_reason());
    }
    H5Fclose(f);
    if (rc != CS_OK) scores_info_clear(s);
    return rc;
}

void scores_info_clear(scores_info *s)
{
    if (!s) return;
    h5util_strings_free(s->region_names, s->n_regions);
    free(s->subscribers);
    free(s->alarm);
    free(s->warning);
    free(s->listed);
    free(s->expected_leavers);
    free(s->value_at_risk);
    free(s->region_auc);
    free(s->region_lift10);
    free(s->region_n);
    memset(s, 0, sizeof *s);
}
