/* anlrep.c — the CSV and JSON files of the monthly analyses (see anlrep.h); the Markdown is in
 * anlrep_md.c.
 *
 * A report is a table: key columns (the report's own — suspension type, competitor — then level,
 * region, area, brand) and figure columns. Each table is produced once as rows of doubles
 * (anlrep_table) and written twice, as CSV (numbers in the shortest form that reads back to the same
 * double, NaN empty) and as JSON (the same numbers, NaN null), so the two can never disagree.
 */
#include "anlrep.h"
#include "anlrep_int.h"

#include "commit.h"
#include "csv.h"
#include "json.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const anlrep_names[ANLREP_N_REPORTS] = {"churn", "suspension", "forwarding", "traffic-change",
                                                    "grid"};
const char *const anlrep_susp_names[ANL_N_SUSP] = {"voluntary", "arrears", "high_bill"};
const char *const anlrep_band_names[ANL_N_BANDS] = {"healthy", "warning", "alarm", "unscored"};
const char *const anlrep_traffic_names[ANL_N_TRAFFIC] = {"rose", "fell", "steady"};

int anlrep_name_ours(const char *name)
{
    if (strcmp(name, "report.md") == 0) return 1;
    for (int k = 0; k < ANLREP_N_REPORTS; k++) {
        size_t n = strlen(anlrep_names[k]);
        if (strncmp(name, anlrep_names[k], n) == 0 &&
            (strcmp(name + n, ".csv") == 0 || strcmp(name + n, ".json") == 0))
            return 1;
    }
    return 0;
}

/* ---- the drill-down rows ---- */

size_t anlrep_region_of(const anlrep_in *in, size_t g) { return in->n_areas ? in->area_region[g] : g; }

/* The rows of the drill-down, in order: the operator (all brands, then each brand), then each region
 * the same way, each region followed by its areas. */
int anlrep_specs(const anlrep_in *in, anlrep_spec **out, size_t *n)
{
    size_t B = in->l->brands, per = B + 1;
    size_t cap = (1 + in->n_regions + in->n_areas) * per;
    anlrep_spec *s = malloc(cap * sizeof *s);
    if (!s) return CS_ERROR(CS_ENOMEM, "out of memory for the report rows");
    size_t k = 0;
    for (long b = -1; b < (long)B; b++) s[k++] = (anlrep_spec){ANLREP_TOTAL, -1, -1, b};
    for (size_t r = 0; r < in->n_regions; r++) {
        for (long b = -1; b < (long)B; b++) s[k++] = (anlrep_spec){ANLREP_REGION, (long)r, -1, b};
        for (size_t a = 0; a < in->n_areas; a++) {
            if (in->area_region[a] != r) continue;
            for (long b = -1; b < (long)B; b++) s[k++] = (anlrep_spec){ANLREP_AREA, (long)r, (long)a, b};
        }
    }
    *out = s;
    *n = k;
    return CS_OK;
}

/* Sums figure block base[cells][K] over the cells of spec s into out[K], cells in increasing
 * order (so the bits are fixed by the reduced inputs alone). */
void anlrep_sum(const anlrep_in *in, const anlrep_spec *s, const double *base, size_t K, double *out)
{
    for (size_t k = 0; k < K; k++) out[k] = 0.0;
    size_t B = in->l->brands;
    for (size_t g = 0; g < in->l->groups; g++) {
        if (s->area >= 0 && (long)g != s->area) continue;
        if (s->region >= 0 && (long)anlrep_region_of(in, g) != s->region) continue;
        for (size_t b = 0; b < B; b++) {
            if (s->brand >= 0 && (long)b != s->brand) continue;
            const double *c = base + (g * B + b) * K;
            for (size_t k = 0; k < K; k++) out[k] += c[k];
        }
    }
}

/* The same for integer counts per cell. */
double anlrep_sum_i64(const anlrep_in *in, const anlrep_spec *s, const int64_t *cnt)
{
    if (!cnt) return 0.0;
    int64_t t = 0;
    size_t B = in->l->brands;
    for (size_t g = 0; g < in->l->groups; g++) {
        if (s->area >= 0 && (long)g != s->area) continue;
        if (s->region >= 0 && (long)anlrep_region_of(in, g) != s->region) continue;
        for (size_t b = 0; b < B; b++)
            if (s->brand < 0 || (long)b == s->brand) t += cnt[g * B + b];
    }
    return (double)t;
}

static const char *const level_names[3] = {"total", "region", "area"};

void anlrep_spec_keys(const anlrep_in *in, const anlrep_spec *s, const char **keys)
{
    keys[0] = level_names[s->level];
    keys[1] = s->region >= 0 ? in->region_names[s->region] : "";
    keys[2] = s->area >= 0 ? in->area_names[s->area] : "";
    keys[3] = s->brand >= 0 ? in->brand_names[s->brand] : "";
}

double anlrep_ratio(double a, double b) { return b > 0.0 ? a / b : NAN; }

/* ---- writing a table ---- */

static int anlrep_open(const char *dir, const char *name, char **path, FILE **f)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    *path = malloc(n);
    if (!*path) return CS_ERROR(CS_ENOMEM, "out of memory");
    snprintf(*path, n, "%s/%s", dir, name);
    *f = fopen(*path, "w");
    if (!*f) {
        int rc = commit_errno(errno, *path, "create");
        free(*path);
        return rc;
    }
    return CS_OK;
}

/* Closes f, making a write error or a failed close the status when rc is still CS_OK. */
int anlrep_close(FILE *f, char *path, int rc)
{
    int bad = ferror(f);
    int err = errno;
    if (fclose(f) != 0 && rc == CS_OK) rc = commit_errno(errno, path, "write");
    if (bad && rc == CS_OK) rc = commit_errno(err ? err : EIO, path, "write");
    free(path);
    return rc;
}

int anlrep_table_alloc(anlrep_table *t, size_t nkeys, const char *const *keys, size_t nvals,
                       const char *const *vals, size_t rows)
{
    memset(t, 0, sizeof *t);
    t->nkeys = nkeys;
    t->nvals = nvals;
    t->key_names = keys;
    t->val_names = vals;
    t->keys = calloc(rows * nkeys + 1, sizeof *t->keys);
    t->vals = calloc(rows * nvals + 1, sizeof *t->vals);
    t->cap = rows;
    if (!t->keys || !t->vals) {
        anlrep_table_free(t);
        return CS_ERROR(CS_ENOMEM, "out of memory for a report of %zu rows", rows);
    }
    return CS_OK;
}

void anlrep_table_free(anlrep_table *t)
{
    free(t->keys);
    free(t->vals);
    memset(t, 0, sizeof *t);
}

/* The next row's slots (the table was sized for every row). */
void anlrep_table_row(anlrep_table *t, const char ***keys, double **vals)
{
    *keys = t->keys + t->n * t->nkeys;
    *vals = t->vals + t->n * t->nvals;
    t->n++;
}

static int anlrep_csv(const anlrep_table *t, const char *dir, const char *name)
{
    char file[64];
    snprintf(file, sizeof file, "%s.csv", name);
    char *path;
    FILE *f;
    CS_TRY(anlrep_open(dir, file, &path, &f));
    csv_writer w;
    int rc = csv_writer_init(&w, f, path, ',', 0);
    for (size_t k = 0; rc == CS_OK && k < t->nkeys; k++) rc = csv_write_text(&w, t->key_names[k], strlen(t->key_names[k]));
    for (size_t k = 0; rc == CS_OK && k < t->nvals; k++) rc = csv_write_text(&w, t->val_names[k], strlen(t->val_names[k]));
    if (rc == CS_OK) rc = csv_write_row_end(&w);
    for (size_t i = 0; rc == CS_OK && i < t->n; i++) {
        for (size_t k = 0; rc == CS_OK && k < t->nkeys; k++) {
            const char *s = t->keys[i * t->nkeys + k];
            rc = s[0] ? csv_write_text(&w, s, strlen(s)) : csv_write_missing(&w);
        }
        for (size_t k = 0; rc == CS_OK && k < t->nvals; k++) rc = csv_write_double(&w, t->vals[i * t->nvals + k]);
        if (rc == CS_OK) rc = csv_write_row_end(&w);
    }
    return anlrep_close(f, path, rc);
}

/* JSON: {"kind", "month", "previous_month", extra (the caller's, may be NULL), "rows": [...]}. */
static int anlrep_json(const anlrep_in *in, const anlrep_table *t, const char *dir, const char *name,
                       void (*extra)(json_writer *, const anlrep_in *, void *), void *arg)
{
    char file[64];
    snprintf(file, sizeof file, "%s.json", name);
    char *path;
    FILE *f;
    CS_TRY(anlrep_open(dir, file, &path, &f));
    json_writer w;
    json_init(&w, f, 1);
    json_obj_begin(&w, NULL);
    json_str(&w, "kind", name);
    json_str(&w, "month", in->month);
    json_str(&w, "previous_month", in->prev_month);
    if (extra) extra(&w, in, arg);
    json_arr_begin(&w, "rows");
    for (size_t i = 0; i < t->n; i++) {
        json_obj_begin(&w, NULL);
        for (size_t k = 0; k < t->nkeys; k++) {
            const char *s = t->keys[i * t->nkeys + k];
            if (s[0]) json_str(&w, t->key_names[k], s);
            else json_null(&w, t->key_names[k]);
        }
        for (size_t k = 0; k < t->nvals; k++) json_num(&w, t->val_names[k], t->vals[i * t->nvals + k]);
        json_obj_end(&w);
    }
    json_arr_end(&w);
    json_obj_end(&w);
    fputc('\n', f);
    return anlrep_close(f, path, CS_OK);
}

/* ---- the five tables ---- */

static double anlrep_chg(const anlrep_in *in, double now, double last) { return in->pv ? now - last : NAN; }

static int anlrep_churn(const anlrep_in *in, const anlrep_spec *sp, size_t ns, anlrep_table *t)
{
    static const char *const keys[] = {"level", "region", "area", "brand"};
    static const char *const vals[] = {
        "subscribers", "subscribers_change", "new", "new_change", "new_rate", "new_rate_change",
        "labelled", "leavers", "leavers_change", "churn_rate", "churn_rate_change", "voluntary",
        "voluntary_change", "involuntary", "involuntary_change", "gone_since_last", "monthly_value",
        "leavers_value"};
    CS_TRY(anlrep_table_alloc(t, 4, keys, sizeof vals / sizeof *vals, vals, ns));
    const double *base = in->v + in->l->off_churn, *pbase = in->pv ? in->pv + in->l->off_churn : NULL;
    for (size_t i = 0; i < ns; i++) {
        double a[ANL_CH_N], p[ANL_CH_N] = {0};
        anlrep_sum(in, &sp[i], base, ANL_CH_N, a);
        if (pbase) anlrep_sum(in, &sp[i], pbase, ANL_CH_N, p);
        const char **k;
        double *v;
        anlrep_table_row(t, &k, &v);
        anlrep_spec_keys(in, &sp[i], k);
        double nw = a[ANL_CH_NEW_TENURE] + anlrep_sum_i64(in, &sp[i], in->new_join);
        double pnw = p[ANL_CH_NEW_TENURE];
        double cr = in->has_labels ? anlrep_ratio(a[ANL_CH_LEAVERS], a[ANL_CH_LABELLED]) : NAN;
        double pcr = in->has_labels ? anlrep_ratio(p[ANL_CH_LEAVERS], p[ANL_CH_LABELLED]) : NAN;
        double vol = in->has_types ? a[ANL_CH_VOLUNTARY] : NAN, inv = in->has_types ? a[ANL_CH_INVOLUNTARY] : NAN;
        double x[] = {a[ANL_CH_SUBS], anlrep_chg(in, a[ANL_CH_SUBS], p[ANL_CH_SUBS]), nw,
                      anlrep_chg(in, nw, pnw), anlrep_ratio(nw, a[ANL_CH_SUBS]),
                      anlrep_chg(in, anlrep_ratio(nw, a[ANL_CH_SUBS]), anlrep_ratio(pnw, p[ANL_CH_SUBS])),
                      a[ANL_CH_LABELLED], in->has_labels ? a[ANL_CH_LEAVERS] : NAN,
                      in->has_labels ? anlrep_chg(in, a[ANL_CH_LEAVERS], p[ANL_CH_LEAVERS]) : NAN, cr,
                      anlrep_chg(in, cr, pcr), vol, anlrep_chg(in, vol, p[ANL_CH_VOLUNTARY]), inv,
                      anlrep_chg(in, inv, p[ANL_CH_INVOLUNTARY]),
                      in->gone ? anlrep_sum_i64(in, &sp[i], in->gone) : NAN, a[ANL_CH_VALUE],
                      in->has_labels ? a[ANL_CH_LEAVERS_VALUE] : NAN};
        memcpy(v, x, sizeof x);
    }
    return CS_OK;
}

static int anlrep_susp(const anlrep_in *in, const anlrep_spec *sp, size_t ns, anlrep_table *t)
{
    static const char *const keys[] = {"type", "level", "region", "area", "brand"};
    static const char *const vals[] = {"suspended", "suspended_change", "monthly_value",
                                       "monthly_value_change", "labelled", "left", "share_left"};
    CS_TRY(anlrep_table_alloc(t, 5, keys, 7, vals, ns * ANL_N_SUSP));
    size_t cells = in->l->groups * in->l->brands;
    for (int ty = 0; ty < ANL_N_SUSP; ty++) {
        const double *base = in->v + in->l->off_susp + (size_t)ty * cells * ANL_SU_N;
        const double *pbase = in->pv ? in->pv + in->l->off_susp + (size_t)ty * cells * ANL_SU_N : NULL;
        for (size_t i = 0; i < ns; i++) {
            double a[ANL_SU_N], p[ANL_SU_N] = {0};
            anlrep_sum(in, &sp[i], base, ANL_SU_N, a);
            if (pbase) anlrep_sum(in, &sp[i], pbase, ANL_SU_N, p);
            const char **k;
            double *v;
            anlrep_table_row(t, &k, &v);
            k[0] = anlrep_susp_names[ty];
            anlrep_spec_keys(in, &sp[i], k + 1);
            double x[] = {a[ANL_SU_COUNT], anlrep_chg(in, a[ANL_SU_COUNT], p[ANL_SU_COUNT]), a[ANL_SU_VALUE],
                          anlrep_chg(in, a[ANL_SU_VALUE], p[ANL_SU_VALUE]), a[ANL_SU_LABELLED],
                          in->has_labels ? a[ANL_SU_LEFT] : NAN,
                          in->has_labels ? anlrep_ratio(a[ANL_SU_LEFT], a[ANL_SU_LABELLED]) : NAN};
            memcpy(v, x, sizeof x);
        }
    }
    return CS_OK;
}

const char *anlrep_comp_name(const anlrep_in *in, size_t k)
{
    return k < in->l->comps ? in->c->comp[k] : "all";
}

static int anlrep_fwd(const anlrep_in *in, const anlrep_spec *sp, size_t ns, anlrep_table *t)
{
    static const char *const keys[] = {"competitor", "level", "region", "area", "brand"};
    static const char *const vals[] = {"forwarding", "forwarding_change", "monthly_value",
                                       "monthly_value_change", "service_calls", "dual_sim", "labelled",
                                       "left", "share_left"};
    size_t nc = in->l->comps + 1;
    CS_TRY(anlrep_table_alloc(t, 5, keys, 9, vals, ns * nc));
    size_t cells = in->l->groups * in->l->brands;
    for (size_t c = 0; c < nc; c++) {
        const double *base = in->v + in->l->off_fwd + c * cells * ANL_FW_N;
        const double *pbase = in->pv ? in->pv + in->l->off_fwd + c * cells * ANL_FW_N : NULL;
        for (size_t i = 0; i < ns; i++) {
            double a[ANL_FW_N], p[ANL_FW_N] = {0};
            anlrep_sum(in, &sp[i], base, ANL_FW_N, a);
            if (pbase) anlrep_sum(in, &sp[i], pbase, ANL_FW_N, p);
            const char **k;
            double *v;
            anlrep_table_row(t, &k, &v);
            k[0] = anlrep_comp_name(in, c);
            anlrep_spec_keys(in, &sp[i], k + 1);
            double x[] = {a[ANL_FW_COUNT], anlrep_chg(in, a[ANL_FW_COUNT], p[ANL_FW_COUNT]), a[ANL_FW_VALUE],
                          anlrep_chg(in, a[ANL_FW_VALUE], p[ANL_FW_VALUE]), a[ANL_FW_SERVICE_CALLS],
                          a[ANL_FW_DUAL_SIM], a[ANL_FW_LABELLED], in->has_labels ? a[ANL_FW_LEFT] : NAN,
                          in->has_labels ? anlrep_ratio(a[ANL_FW_LEFT], a[ANL_FW_LABELLED]) : NAN};
            memcpy(v, x, sizeof x);
        }
    }
    return CS_OK;
}

int anlrep_traffic_table(const anlrep_in *in, anlrep_table *t, anlrep_profile *pr)
{
    static const char *const keys[] = {"group", "indicator"};
    static const char *const vals[] = {"rank", "mean_group", "mean_steady", "sd_group", "sd_steady",
                                       "std_diff", "present_group", "present_steady"};
    size_t P = in->l->p;
    CS_TRY(anlrep_table_alloc(t, 2, keys, 8, vals, 2 * P));
    const double *tr = in->v + in->l->off_traffic;
    size_t w = ANL_TR_HEAD + 3 * P;
    for (int g = 0; g < 2; g++) {
        anlrep_profile *q = &pr[g];
        anl_profile(in->l, tr, g, q->mg, q->mr, q->sg, q->sr, q->d, q->order);
        for (size_t r = 0; r < P; r++) {
            size_t j = q->order[r];
            const char **k;
            double *v;
            anlrep_table_row(t, &k, &v);
            k[0] = anlrep_traffic_names[g];
            k[1] = in->feature_names[j];
            double x[] = {(double)(r + 1), q->mg[j], q->mr[j], q->sg[j], q->sr[j], q->d[j],
                          tr[g * w + ANL_TR_HEAD + 3 * j], tr[2 * w + ANL_TR_HEAD + 3 * j]};
            memcpy(v, x, sizeof x);
        }
    }
    return CS_OK;
}

static void anlrep_traffic_extra(json_writer *w, const anlrep_in *in, void *arg)
{
    const anlrep_profile *pr = arg;
    const double *tr = in->v + in->l->off_traffic;
    size_t wd = ANL_TR_HEAD + 3 * in->l->p;
    json_num(w, "threshold", in->l->threshold);
    json_arr_begin(w, "groups");
    for (int g = 0; g < ANL_N_TRAFFIC; g++) {
        const double *h = tr + g * wd;
        json_obj_begin(w, NULL);
        json_str(w, "group", anlrep_traffic_names[g]);
        json_num(w, "subscribers", h[ANL_TR_N]);
        json_num(w, "labelled", h[ANL_TR_LABELLED]);
        json_num(w, "leavers", in->has_labels ? h[ANL_TR_LEAVERS] : NAN);
        json_num(w, "churn_rate", in->has_labels ? anlrep_ratio(h[ANL_TR_LEAVERS], h[ANL_TR_LABELLED]) : NAN);
        if (g < 2) {
            char line[1024];
            anlrep_reading(in, pr, g, line, sizeof line);
            json_str(w, "reading", line);
        }
        json_obj_end(w);
    }
    json_arr_end(w);
}

static int anlrep_grid(const anlrep_in *in, anlrep_table *t)
{
    /* with a plan indicator a fourth key, the product: its level, or "other" */
    static const char *const keys[] = {"risk_band", "tier", "brand", "product"};
    static const char *const vals[] = {"subscribers", "monthly_value", "value_at_risk", "expected_leavers",
                                       "labelled", "leavers", "churn_rate"};
    size_t B = in->l->brands, P = in->l->products;
    CS_TRY(anlrep_table_alloc(t, P > 1 ? 4 : 3, keys, 7, vals, ANL_N_BANDS * ANL_N_TIERS * B * P));
    static const char *const tiers[ANL_N_TIERS] = {"0", "1", "2", "3", "4", "5"};
    const double *g = in->v + in->l->off_grid;
    for (size_t band = 0; band < ANL_N_BANDS; band++)
        for (size_t tier = 0; tier < ANL_N_TIERS; tier++)
            for (size_t bp = 0; bp < B * P; bp++) {
                size_t b = bp / P, pr = bp % P;
                const double *a = g + (((band * ANL_N_TIERS + tier) * B + b) * P + pr) * ANL_GR_N;
                if (a[ANL_GR_SUBS] == 0.0) continue; /* only the cells that hold someone */
                const char **k;
                double *v;
                anlrep_table_row(t, &k, &v);
                k[0] = anlrep_band_names[band];
                k[1] = tiers[tier];
                k[2] = in->brand_names[b];
                if (P > 1) k[3] = pr < in->c->n_plan ? in->c->plan_name[pr] : "other";
                double x[] = {a[ANL_GR_SUBS], a[ANL_GR_VALUE], in->has_scores ? a[ANL_GR_VAR] : NAN,
                              in->has_scores ? a[ANL_GR_EXPECTED] : NAN, a[ANL_GR_LABELLED],
                              in->has_labels ? a[ANL_GR_LEAVERS] : NAN,
                              in->has_labels ? anlrep_ratio(a[ANL_GR_LEAVERS], a[ANL_GR_LABELLED]) : NAN};
                memcpy(v, x, sizeof x);
            }
    return CS_OK;
}

int anlrep_write(const anlrep_in *in, const char *dir)
{
    anlrep_spec *sp = NULL;
    size_t ns = 0;
    CS_TRY(anlrep_specs(in, &sp, &ns));
    anlrep_table t[ANLREP_N_REPORTS];
    memset(t, 0, sizeof t);
    size_t P = in->l->p;
    anlrep_profile pr[2];
    double *work = calloc(2 * (5 * P + 1), sizeof(double));
    size_t *order = calloc(2 * P + 1, sizeof(size_t));
    int rc = work && order ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    for (int g = 0; rc == CS_OK && g < 2; g++) {
        double *b = work + (size_t)g * 5 * P;
        pr[g] = (anlrep_profile){b, b + P, b + 2 * P, b + 3 * P, b + 4 * P, order + (size_t)g * P};
    }
    if (rc == CS_OK) rc = anlrep_churn(in, sp, ns, &t[0]);
    if (rc == CS_OK) rc = anlrep_susp(in, sp, ns, &t[1]);
    if (rc == CS_OK) rc = anlrep_fwd(in, sp, ns, &t[2]);
    if (rc == CS_OK) rc = anlrep_traffic_table(in, &t[3], pr);
    if (rc == CS_OK) rc = anlrep_grid(in, &t[4]);
    for (int k = 0; rc == CS_OK && k < ANLREP_N_REPORTS; k++) {
        rc = anlrep_csv(&t[k], dir, anlrep_names[k]);
        if (rc == CS_OK)
            rc = anlrep_json(in, &t[k], dir, anlrep_names[k], k == 3 ? anlrep_traffic_extra : NULL, pr);
    }
    if (rc == CS_OK) rc = anlrep_markdown(in, t, pr, dir);
    for (int k = 0; k < ANLREP_N_REPORTS; k++) anlrep_table_free(&t[k]);
    free(work);
    free(order);
    free(sp);
    return rc;
}
