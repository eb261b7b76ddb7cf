/* effectrep.c — the retention effect's tables (see effectrep.h). */
#include "effectrep.h"

#include "commit.h"
#include "csv.h"
#include "effect.h"
#include "json.h"
#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One scope's sums of an arm: region -1 all, phase -1 all, tier -1 all. */
typedef struct {
    int64_t c[EFX_N_COUNTS];
    double worth;
} efx_sum;

static void efx_sum_of(const effectrep_data *d, int arm, long region, int phase, int tier, efx_sum *s)
{
    memset(s, 0, sizeof *s);
    for (size_t r = 0; r < d->n_regions; r++) {
        if (region >= 0 && (size_t)region != r) continue;
        for (int p = 0; p < LISTIN_N_PHASES; p++) {
            if (phase >= 0 && p != phase) continue;
            for (int t = 0; t < LISTIN_N_TIERS; t++) {
                if (tier >= 0 && t != tier) continue;
                size_t cell = (size_t)p * LISTIN_N_TIERS + (size_t)t;
                for (int k = 0; k < EFX_N_COUNTS; k++) s->c[k] += d->counts[effectrep_at(d->n_regions, arm, r, cell, k)];
                s->worth += d->worth[((size_t)arm * d->n_regions + r) * EFX_CELLS + cell];
            }
        }
    }
}

/* The sums of an arm's rows of one playbook action (issue 15). */
static void efx_sum_action(const effectrep_data *d, int arm, size_t a, efx_sum *s)
{
    memset(s, 0, sizeof *s);
    for (int k = 0; k < EFX_N_COUNTS; k++) s->c[k] = d->counts_action[((size_t)arm * d->n_actions + a) * EFX_N_COUNTS + k];
    s->worth = d->worth_action[(size_t)arm * d->n_actions + a];
}

/* One row of the report: the treated arm against the control group in a scope. */
typedef struct {
    const char *scope, *region, *by, *group, *arm;
    efx_sum t, c;
    effect_est e;
    double saved, value;
} efx_row;

static const char *const efx_arm_name[EFX_N_ARMS] = {"listed", "control", "contacted", "accepted"};

/* The estimate of a row whose sums are filled. */
static void efx_row_finish(efx_row *row, int arm);

static void efx_row_of(const effectrep_data *d, int arm, long region, int phase, int tier, efx_row *row)
{
    efx_sum_of(d, arm, region, phase, tier, &row->t);
    efx_sum_of(d, EFX_CONTROL, region, phase, tier, &row->c);
    efx_row_finish(row, arm);
}

static void efx_row_finish(efx_row *row, int arm)
{
    effect_estimate(row->t.c[EFX_C_KNOWN], row->t.c[EFX_C_LEFT], row->c.c[EFX_C_KNOWN], row->c.c[EFX_C_LEFT],
                    &row->e);
    /* subscribers saved: the uplift on every treated subscriber; value: each one's ARPU x horizon */
    double known = (double)row->t.c[EFX_C_KNOWN], listed = (double)row->t.c[EFX_C_LISTED];
    row->saved = row->e.uplift * known;
    row->value = listed > 0 ? row->e.uplift * row->t.worth * known / listed : NAN;
    row->arm = efx_arm_name[arm];
}

typedef void (*efx_visit)(const effectrep_data *d, const efx_row *row, void *arg);

/* Every row in order: per treated arm, overall, each region, each phase, each tier, each action. */
static void efx_each(const effectrep_data *d, efx_visit fn, void *arg)
{
    static const char *const phase_name[LISTIN_N_PHASES] = {"healthy", "warning", "alarm"};
    int arms[3] = {EFX_LISTED, EFX_CONTACTED, EFX_ACCEPTED};
    for (int a = 0; a < (d->have_contacts ? 3 : 1); a++) {
        efx_row row;
        efx_row_of(d, arms[a], -1, -1, -1, &row);
        row.scope = "overall", row.region = "", row.by = "all", row.group = "all";
        fn(d, &row, arg);
        for (size_t r = 0; r < d->n_regions; r++) {
            efx_row_of(d, arms[a], (long)r, -1, -1, &row);
            row.scope = "region", row.region = d->region_names[r], row.by = "all", row.group = "all";
            if (row.t.c[EFX_C_LISTED] || row.c.c[EFX_C_LISTED]) fn(d, &row, arg);
        }
        for (int p = LISTIN_N_PHASES - 1; p >= 0; p--) {
            efx_row_of(d, arms[a], -1, p, -1, &row);
            row.scope = "overall", row.region = "", row.by = "phase", row.group = phase_name[p];
            if (row.t.c[EFX_C_LISTED] || row.c.c[EFX_C_LISTED]) fn(d, &row, arg);
        }
        for (int t = 0; t < LISTIN_N_TIERS; t++) {
            static const char *const tier_name[LISTIN_N_TIERS] = {"unknown", "1", "2", "3", "4", "5"};
            efx_row_of(d, arms[a], -1, -1, t, &row);
            row.scope = "overall", row.region = "", row.by = "tier", row.group = tier_name[t];
            if (row.t.c[EFX_C_LISTED] || row.c.c[EFX_C_LISTED]) fn(d, &row, arg);
        }
        /* issue 15: by the playbook action (the control rows by the one they would have had) */
        for (size_t k = 0; k < d->n_actions; k++) {
            efx_sum_action(d, arms[a], k, &row.t);
            efx_sum_action(d, EFX_CONTROL, k, &row.c);
            efx_row_finish(&row, arms[a]);
            row.scope = "overall", row.region = "", row.by = "action", row.group = d->action_codes[k];
            if (row.t.c[EFX_C_LISTED] || row.c.c[EFX_C_LISTED]) fn(d, &row, arg);
        }
    }
}

static double efx_rate(const efx_sum *s, int k)
{
    return s->c[EFX_C_KNOWN] > 0 ? (double)s->c[k] / (double)s->c[EFX_C_KNOWN] : NAN;
}

/* ---- text ---- */

static void efx_print_row(const effectrep_data *d, const efx_row *r, void *arg)
{
    (void)d;
    FILE *f = arg;
    char name[96];
    snprintf(name, sizeof name, "%s%s%s%s%s", r->region, *r->region ? " " : "", strcmp(r->by, "all") ? r->by : "",
             strcmp(r->by, "all") ? " " : "", strcmp(r->group, "all") ? r->group : (*r->region ? "" : "all"));
    fprintf(f, "%-10s %-22s %8lld %7.4f %8lld %7.4f %8.4f [%7.4f, %7.4f] %9.1f %12.2f%s\n", r->arm, name,
            (long long)r->t.c[EFX_C_KNOWN], r->e.rate_treated, (long long)r->c.c[EFX_C_KNOWN], r->e.rate_control,
            r->e.uplift, r->e.lo, r->e.hi, r->saved, r->value, r->e.too_small ? "  too small to tell" : "");
}

void effectrep_print(const effectrep_data *d, FILE *f)
{
    fprintf(f, "\nretention effect (treated vs control group: churn rates, uplift = control - treated, 95%% interval)\n");
    fprintf(f, "%-10s %-22s %8s %7s %8s %7s %8s %18s %9s %12s\n", "treated", "group", "treated", "left",
            "control", "left", "uplift", "95% interval", "saved", "value saved");
    efx_each(d, efx_print_row, f);
    if (d->have_contacts)
        fprintf(f, "contacts: %llu rows, %llu listed contacted, %llu ids on no list (ignored), %llu control "
                "subscribers contacted (kept in the control group)\n", (unsigned long long)d->contact_rows,
                (unsigned long long)d->contacted, (unsigned long long)d->contact_unknown,
                (unsigned long long)d->control_contacted);
}

/* ---- CSV ---- */

typedef struct {
    csv_writer w;
    int rc;
} efx_csv;

static int efx_num(csv_writer *w, double v) { return isfinite(v) ? csv_write_double(w, v) : csv_write_missing(w); }

static void efx_csv_row(const effectrep_data *d, const efx_row *r, void *arg)
{
    efx_csv *c = arg;
    csv_writer *w = &c->w;
    int rc = c->rc;
    const char *texts[5] = {r->scope, r->region, r->by, r->group, r->arm};
    for (int k = 0; rc == CS_OK && k < 5; k++)
        rc = *texts[k] ? csv_write_text(w, texts[k], strlen(texts[k])) : csv_write_missing(w);
    const efx_sum *s[2] = {&r->t, &r->c};
    for (int a = 0; a < 2; a++) {
        if (rc == CS_OK) rc = csv_write_long(w, s[a]->c[EFX_C_LISTED]);
        if (rc == CS_OK) rc = csv_write_long(w, s[a]->c[EFX_C_KNOWN]);
        if (rc == CS_OK) rc = csv_write_long(w, s[a]->c[EFX_C_LEFT]);
        if (rc == CS_OK) rc = efx_num(w, efx_rate(s[a], EFX_C_LEFT));
        if (rc == CS_OK) rc = d->have_types ? csv_write_long(w, s[a]->c[EFX_C_VOLUNTARY]) : csv_write_missing(w);
        if (rc == CS_OK) rc = d->have_types ? csv_write_long(w, s[a]->c[EFX_C_INVOLUNTARY]) : csv_write_missing(w);
    }
    double v[6] = {r->e.uplift, r->e.se, r->e.lo, r->e.hi, r->saved, r->value};
    for (int k = 0; rc == CS_OK && k < 6; k++) rc = efx_num(w, v[k]);
    if (rc == CS_OK) rc = csv_write_long(w, r->e.too_small);
    if (rc == CS_OK) rc = csv_write_row_end(w);
    c->rc = rc;
}

static int efx_csv_file(const effectrep_data *d, FILE *f, const char *name)
{
    static const char *const head[] = {
        "scope", "region", "breakdown", "group", "treated", "treated_listed", "treated_known", "treated_left",
        "treated_rate", "treated_voluntary", "treated_involuntary", "control_listed", "control_known",
        "control_left", "control_rate", "control_voluntary", "control_involuntary", "uplift", "uplift_se",
        "uplift_lo95", "uplift_hi95", "saved_subscribers", "saved_value", "too_small"};
    efx_csv c;
    c.rc = csv_writer_init(&c.w, f, name, ',', 0);
    for (size_t k = 0; c.rc == CS_OK && k < sizeof head / sizeof *head; k++)
        c.rc = csv_write_text(&c.w, head[k], strlen(head[k]));
    if (c.rc == CS_OK) c.rc = csv_write_row_end(&c.w);
    if (c.rc == CS_OK) efx_each(d, efx_csv_row, &c);
    return c.rc;
}

/* ---- JSON ---- */

static void efx_json_row(const effectrep_data *d, const efx_row *r, void *arg)
{
    json_writer *j = arg;
    json_obj_begin(j, NULL);
    json_str(j, "scope", r->scope);
    if (*r->region) json_str(j, "region", r->region);
    json_str(j, "breakdown", r->by);
    json_str(j, "group", r->group);
    json_str(j, "treated", r->arm);
    const efx_sum *s[2] = {&r->t, &r->c};
    static const char *const key[2] = {"treated_arm", "control"};
    for (int a = 0; a < 2; a++) {
        json_obj_begin(j, key[a]);
        json_int(j, "listed", s[a]->c[EFX_C_LISTED]);
        json_int(j, "known", s[a]->c[EFX_C_KNOWN]);
        json_int(j, "left", s[a]->c[EFX_C_LEFT]);
        json_num(j, "rate", efx_rate(s[a], EFX_C_LEFT));
        if (d->have_types) {
            json_int(j, "voluntary", s[a]->c[EFX_C_VOLUNTARY]);
            json_int(j, "involuntary", s[a]->c[EFX_C_INVOLUNTARY]);
        }
        json_obj_end(j);
    }
    json_num(j, "uplift", r->e.uplift);
    json_num(j, "uplift_se", r->e.se);
    json_num(j, "uplift_lo95", r->e.lo);
    json_num(j, "uplift_hi95", r->e.hi);
    json_num(j, "saved_subscribers", r->saved);
    json_num(j, "saved_value", r->value);
    json_bool(j, "too_small", r->e.too_small);
    json_obj_end(j);
}

static void efx_json_file(const effectrep_data *d, FILE *f)
{
    json_writer j;
    json_init(&j, f, 1);
    json_obj_begin(&j, NULL);
    json_str(&j, "kind", "retention_effect");
    json_bool(&j, "churn_types", d->have_types);
    if (d->have_contacts) {
        json_obj_begin(&j, "contacts");
        json_int(&j, "rows", (int64_t)d->contact_rows);
        json_int(&j, "unknown_ids", (int64_t)d->contact_unknown);
        json_int(&j, "listed_contacted", (int64_t)d->contacted);
        json_int(&j, "control_contacted", (int64_t)d->control_contacted);
        json_obj_end(&j);
    }
    json_arr_begin(&j, "rows");
    efx_each(d, efx_json_row, &j);
    json_arr_end(&j);
    json_obj_end(&j);
    fputc('\n', f);
}

int effectrep_write_tmp(const effectrep_data *d, const char *prefix, char *tmp[2])
{
    static const char *const ext[2] = {"-effect.csv", "-effect.json"};
    int rc = CS_OK;
    tmp[0] = tmp[1] = NULL;
    for (int k = 0; rc == CS_OK && k < 2; k++) {
        tmp[k] = malloc(strlen(prefix) + strlen(ext[k]) + 5);
        if (!tmp[k]) return CS_ERROR(CS_ENOMEM, "out of memory");
        sprintf(tmp[k], "%s%s.tmp", prefix, ext[k]);
        FILE *f = fopen(tmp[k], "wb");
        if (!f) return commit_errno(errno, tmp[k], "create");
        if (k == 0) rc = efx_csv_file(d, f, tmp[k]);
        else efx_json_file(d, f);
        if (fflush(f) != 0 && rc == CS_OK) rc = commit_errno(errno, tmp[k], "write");
        if (ferror(f) && rc == CS_OK) rc = commit_errno(EIO, tmp[k], "write");
        if (fclose(f) != 0 && rc == CS_OK) rc = commit_errno(errno, tmp[k], "close");
    }
    return rc;
}

int effectrep_commit(char *tmp[2], int ok)
{
    int rc = CS_OK;
    commit_set *cs = ok ? commit_set_alloc() : NULL;
    if (ok && !cs) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    for (int k = 0; ok && rc == CS_OK && k < 2; k++) {
        char *final = tmp[k] ? strndup(tmp[k], strlen(tmp[k]) - 4) : NULL;
        rc = final ? commit_set_add(cs, tmp[k], final, NULL) : CS_ERROR(CS_ENOMEM, "out of memory");
        free(final);
    }
    if (ok && rc == CS_OK) rc = commit_set_apply(cs);
    commit_set_free(cs);
    for (int k = 0; k < 2; k++) {
        if (tmp[k] && (!ok || rc != CS_OK)) remove(tmp[k]);
        free(tmp[k]);
        tmp[k] = NULL;
    }
    return rc;
}
