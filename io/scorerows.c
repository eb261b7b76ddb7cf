/* scorerows.c — SCORES.h5's per-row datasets in blocks (see scorerows.h). */
#include "scorerows.h"

#include "h5util.h"
#include "scores.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

struct scr_reader {
    char *path;
    hid_t file, d_id, d_phase, d_tier, d_prob, d_var, d_arpu;
};

void scr_close(scr_reader *r)
{
    if (!r) return;
    hid_t d[] = {r->d_id, r->d_phase, r->d_tier, r->d_prob, r->d_var, r->d_arpu};
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
        if (d[i] > 0) H5Dclose(d[i]);
    if (r->file > 0) H5Fclose(r->file);
    free(r->path);
    free(r);
}

int scr_open(const char *path, uint64_t n, scr_reader **out)
{
    *out = NULL;
    scr_reader *r = calloc(1, sizeof *r);
    if (!r) return CS_ERROR(CS_ENOMEM, "out of memory");
    r->file = r->d_id = r->d_phase = r->d_tier = r->d_prob = r->d_var = r->d_arpu = -1;
    r->path = strdup(path);
    int rc = r->path ? h5util_open_read(path, MPI_COMM_NULL, &r->file) : CS_ERROR(CS_ENOMEM, "out of memory");
    char kind[64] = "";
    int64_t ver = 0;
    if (rc == CS_OK && (h5util_attr_read_str(r->file, "format", kind, sizeof kind) != CS_OK ||
                        strcmp(kind, SCORES_FORMAT) != 0))
        rc = CS_ERROR(CS_EFORMAT, "%s: is not a scores file ('%s' expected)", path, SCORES_FORMAT);
    if (rc == CS_OK && (h5util_attr_read_i64(r->file, "format_version", &ver) != CS_OK || ver != SCORES_VERSION))
        rc = CS_ERROR(CS_EFORMAT, "%s: scores format version %lld is not supported (this build reads %d)",
                      path, (long long)ver, SCORES_VERSION);
    struct { const char *name; H5T_class_t cls; hid_t *d; } ds[] = {
        {"/subscribers/id", H5T_INTEGER, &r->d_id},       {"/subscribers/phase", H5T_INTEGER, &r->d_phase},
        {"/subscribers/tier", H5T_INTEGER, &r->d_tier},   {"/subscribers/probability", H5T_FLOAT, &r->d_prob},
        {"/subscribers/value_at_risk", H5T_FLOAT, &r->d_var}, {"/subscribers/arpu", H5T_FLOAT, &r->d_arpu}};
    for (size_t i = 0; rc == CS_OK && i < sizeof ds / sizeof ds[0]; i++)
        rc = h5util_open_checked(r->file, ds[i].name, path, ds[i].cls, 0, 1, n, 0, ds[i].d);
    if (rc != CS_OK) {
        scr_close(r);
        return rc;
    }
    *out = r;
    return CS_OK;
}

int scr_read(scr_reader *r, uint64_t row0, size_t n, const uint64_t *snap_id, uint64_t *id_buf,
             uint8_t *phase, uint8_t *tier, double *prob, double *var, float *arpu)
{
    CS_TRY(h5util_read_rows(r->d_id, H5T_NATIVE_UINT64, row0, n, 0, id_buf));
    for (size_t i = 0; i < n; i++)
        if (id_buf[i] != snap_id[i])
            return CS_ERROR(CS_EDATA, "%s: /subscribers/id row %llu: id %llu, but the snapshot's row has "
                            "id %llu (scores of another snapshot?)", r->path, (unsigned long long)(row0 + i),
                            (unsigned long long)id_buf[i], (unsigned long long)snap_id[i]);
    CS_TRY(h5util_read_rows(r->d_phase, H5T_NATIVE_UINT8, row0, n, 0, phase));
    CS_TRY(h5util_read_rows(r->d_tier, H5T_NATIVE_UINT8, row0, n, 0, tier));
    for (size_t i = 0; i < n; i++)
        if (phase[i] > 2 || tier[i] > 5)
            return CS_ERROR(CS_EDATA, "%s: row %llu: phase %u / tier %u out of range (0-2, 0-5)", r->path,
                            (unsigned long long)(row0 + i), phase[i], tier[i]);
    CS_TRY(h5util_read_rows(r->d_prob, H5T_NATIVE_DOUBLE, row0, n, 0, prob));
    CS_TRY(h5util_read_rows(r->d_var, H5T_NATIVE_DOUBLE, row0, n, 0, var));
    return h5util_read_rows(r->d_arpu, H5T_NATIVE_FLOAT, row0, n, 0, arpu);
}
