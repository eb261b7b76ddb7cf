/* scorein.c — SCORES.h5's rows read back (see scorein.h). */
#include "scorein.h"

#include "h5util.h"
#include "scores.h"
#include "status.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

struct scorein {
    char *path;
    hid_t f, d_id, d_region, d_phase, d_tier, d_prob, d_months; /* the last two opened when first read */
    uint64_t n;
    char month[16];
    char **region_names;
    size_t n_regions;
    char **action_codes; /* /actions/code, NULL (0) in a file written before issue 15's actions */
    size_t n_actions;
    hid_t d_action;
};

void scorein_close(scorein *r)
{
    if (!r) return;
    hid_t *d[] = {&r->d_id, &r->d_region, &r->d_phase, &r->d_tier, &r->d_prob, &r->d_months};
    for (int k = 0; k < 6; k++)
        if (*d[k] >= 0) H5Dclose(*d[k]);
    if (r->f >= 0) H5Fclose(r->f);
    h5util_strings_free(r->region_names, r->n_regions);
    h5util_strings_free(r->action_codes, r->n_actions);
    if (r->d_action >= 0) H5Dclose(r->d_action);
    free(r->path);
    free(r);
}

int scorein_open(const char *path, scorein **out)
{
    *out = NULL;
    scorein *r = calloc(1, sizeof *r);
    if (!r) return CS_ERROR(CS_ENOMEM, "out of memory");
    r->f = r->d_id = r->d_region = r->d_phase = r->d_tier = r->d_prob = r->d_months = r->d_action = -1;
    r->path = strdup(path);
    int rc = r->path ? h5util_open_read(path, MPI_COMM_NULL, &r->f) : CS_ERROR(CS_ENOMEM, "out of memory");
    char fmt[64] = "";
    int64_t ver = 0;
    if (rc == CS_OK && (h5util_attr_read_str(r->f, "format", fmt, sizeof fmt) != CS_OK ||
                        strcmp(fmt, SCORES_FORMAT) != 0))
        rc = CS_ERROR(CS_EFORMAT, "%s: not a churnscore scores file (--scores names the scored month's "
                      "SCORES.h5)", path);
    if (rc == CS_OK && (h5util_attr_read_i64(r->f, "format_version", &ver) != CS_OK || ver != SCORES_VERSION))
        rc = CS_ERROR(CS_EFORMAT, "%s: scores format version %lld is not supported (this build reads %d)", path,
                      (long long)ver, SCORES_VERSION);
    if (rc == CS_OK) {
        h5util_attr_read_str(r->f, "month", r->month, sizeof r->month);
        hid_t d = H5Dopen2(r->f, "/subscribers/id", H5P_DEFAULT);
        hsize_t dims[2] = {0, 0};
        if (d < 0) rc = CS_ERROR(CS_EFORMAT, "%s: has no /subscribers/id", path);
        else {
            hid_t sp = H5Dget_space(d);
            if (H5Sget_simple_extent_ndims(sp) == 1) H5Sget_simple_extent_dims(sp, dims, NULL);
            H5Sclose(sp);
            H5Dclose(d);
            r->n = dims[0];
        }
    }
    if (rc == CS_OK) rc = h5util_open_checked(r->f, "/subscribers/id", path, H5T_INTEGER, 8, 1, r->n, 0, &r->d_id);
    if (rc == CS_OK) rc = h5util_open_checked(r->f, "/subscribers/region", path, H5T_INTEGER, 0, 1, r->n, 0, &r->d_region);
    if (rc == CS_OK) rc = h5util_open_checked(r->f, "/subscribers/phase", path, H5T_INTEGER, 0, 1, r->n, 0, &r->d_phase);
    if (rc == CS_OK) rc = h5util_open_checked(r->f, "/subscribers/tier", path, H5T_INTEGER, 0, 1, r->n, 0, &r->d_tier);
    if (rc == CS_OK) rc = h5util_read_strings(r->f, "/regions/name", path, &r->region_names, &r->n_regions);
    if (rc == CS_OK && H5Lexists(r->f, "/actions", H5P_DEFAULT) > 0 && H5Lexists(r->f, "/actions/code", H5P_DEFAULT) > 0 &&
        H5Lexists(r->f, "/subscribers/action", H5P_DEFAULT) > 0) {
        rc = h5util_read_strings(r->f, "/actions/code", path, &r->action_codes, &r->n_actions);
        if (rc == CS_OK)
            rc = h5util_open_checked(r->f, "/subscribers/action", path, H5T_INTEGER, 2, 1, r->n, 0, &r->d_action);
    }
    if (rc != CS_OK) {
        scorein_close(r);
        return rc;
    }
    *out = r;
    return CS_OK;
}

uint64_t scorein_rows(const scorein *r) { return r->n; }
const char *scorein_month(const scorein *r) { return r->month; }
size_t scorein_n_regions(const scorein *r) { return r->n_regions; }
const char *const *scorein_region_names(const scorein *r) { return (const char *const *)r->region_names; }

int scorein_read(scorein *r, uint64_t row0, size_t n, uint64_t *id, uint16_t *region, uint8_t *phase,
                 uint8_t *tier)
{
    CS_TRY(h5util_read_rows(r->d_id, H5T_NATIVE_UINT64, row0, n, 0, id));
    CS_TRY(h5util_read_rows(r->d_region, H5T_NATIVE_UINT16, row0, n, 0, region));
    CS_TRY(h5util_read_rows(r->d_phase, H5T_NATIVE_UINT8, row0, n, 0, phase));
    CS_TRY(h5util_read_rows(r->d_tier, H5T_NATIVE_UINT8, row0, n, 0, tier));
    for (size_t i = 0; i < n; i++)
        if (region[i] >= r->n_regions || phase[i] >= 3 || tier[i] >= 6)
            return CS_ERROR(CS_EDATA, "%s: row %llu: region %u, phase %u or tier %u out of range", r->path,
                            (unsigned long long)(row0 + i), region[i], phase[i], tier[i]);
    return CS_OK;
}

int scorein_read_prev(scorein *r, uint64_t row0, size_t n, double *prob, uint16_t *months)
{
    if (r->d_prob < 0)
        CS_TRY(h5util_open_checked(r->f, "/subscribers/probability", r->path, H5T_FLOAT, 8, 1, r->n, 0, &r->d_prob));
    if (r->d_months < 0) {
        if (H5Lexists(r->f, "/subscribers/months_on_list", H5P_DEFAULT) <= 0)
            return CS_ERROR(CS_EFORMAT, "%s: has no /subscribers/months_on_list (written by a churnscore before "
                            "month over month): score that month again with this version, or leave out "
                            "--previous-scores", r->path);
        CS_TRY(h5util_open_checked(r->f, "/subscribers/months_on_list", r->path, H5T_INTEGER, 2, 1, r->n, 0,
                                   &r->d_months));
    }
    CS_TRY(h5util_read_rows(r->d_prob, H5T_NATIVE_DOUBLE, row0, n, 0, prob));
    return h5util_read_rows(r->d_months, H5T_NATIVE_UINT16, row0, n, 0, months);
}

size_t scorein_n_actions(const scorein *r) { return r->n_actions; }
const char *const *scorein_action_codes(const scorein *r) { return (const char *const *)r->action_codes; }

int scorein_read_action(scorein *r, uint64_t row0, size_t n, int16_t *action)
{
    if (r->d_action < 0) {
        for (size_t i = 0; i < n; i++) action[i] = -1;
        return CS_OK;
    }
    CS_TRY(h5util_read_rows(r->d_action, H5T_NATIVE_INT16, row0, n, 0, action));
    for (size_t i = 0; i < n; i++)
        if (action[i] < -1 || (action[i] >= 0 && (size_t)action[i] >= r->n_actions))
            return CS_ERROR(CS_EDATA, "%s: row %llu: action %d out of range (%zu actions in /actions/code)", r->path,
                            (unsigned long long)(row0 + i), action[i], r->n_actions);
    return CS_OK;
}
