/* modelfile_types.c — the churn-type models of the model file (/types; docs/formats.md): a logistic
 * model of leaving voluntarily and one of leaving involuntarily, over the churn model's design
 * columns, and the collections cut-off that goes with the involuntary one. A file without /types
 * (version 1, or a snapshot without churn types) reads as a model without types; a /types without the
 * cut-off (before it was kept) reads with coll_cutoff -1, which score takes as "use the warning
 * cut-off", as those files were always scored. */
#include "modelfile_int.h"

#include "h5util.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TYW(expr)                                                                                  \
    do {                                                                                           \
        if (rc == CS_OK) rc = (expr);                                                              \
    } while (0)

int mf_types_write(hid_t f, const cmodel *m, const modelfile_story *s)
{
    int rc = CS_OK;
    TYW(h5util_attr_write_i64(f, "churn_types", m->has_types));
    if (s) TYW(h5util_attr_write_str(f, "churn_types_reason", s->types_reason));
    if (!m->has_types || rc != CS_OK) return rc;
    hid_t gt = H5Gcreate2(f, "/types", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (gt < 0) return CS_ERROR(CS_EIO, "cannot create /types");
    if (m->coll_cutoff >= 0) TYW(h5util_attr_write_f64(gt, "collections_cutoff", m->coll_cutoff));
    for (int t = 0; t < CMODEL_N_TYPES && rc == CS_OK; t++) {
        hid_t gy = H5Gcreate2(gt, modelfile_type_name(t), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (gy < 0) rc = CS_ERROR(CS_EIO, "cannot create /types/%s", modelfile_type_name(t));
        TYW(h5util_write_f64(gy, "beta", m->type_beta[t], m->n_coef, 0));
        TYW(h5util_write_f64(gy, "se", m->type_se[t], m->n_coef, 0));
        TYW(h5util_write_f64(gy, "z", m->type_z[t], m->n_coef, 0));
        TYW(h5util_write_f64(gy, "p", m->type_p[t], m->n_coef, 0));
        if (s) {
            TYW(h5util_attr_write_i64(gy, "irls_iterations", s->types[t].irls_iterations));
            TYW(h5util_attr_write_f64(gy, "loglik", s->types[t].loglik));
        }
        if (gy >= 0) H5Gclose(gy);
    }
    H5Gclose(gt);
    return rc;
}

int mf_types_read(hid_t f, const char *path, cmodel *m)
{
    m->coll_cutoff = -1;
    if (H5Lexists(f, "/types", H5P_DEFAULT) <= 0) return CS_OK;
    /* each the same design columns as the churn model */
    char name[64];
    for (int t = 0; t < CMODEL_N_TYPES; t++) {
        const char *tn = modelfile_type_name(t);
        snprintf(name, sizeof name, "/types/%s", tn);
        if (H5Lexists(f, name, H5P_DEFAULT) <= 0) return CS_ERROR(CS_EFORMAT, "%s: /types has no %s model", path, tn);
        snprintf(name, sizeof name, "/types/%s/beta", tn);
        CS_TRY(mf_read_vec(f, name, path, m->n_coef, &m->type_beta[t]));
        CS_TRY(mf_check_finite(path, name, m->type_beta[t], m->n_coef));
        snprintf(name, sizeof name, "/types/%s/se", tn);
        CS_TRY(mf_read_vec(f, name, path, m->n_coef, &m->type_se[t]));
        snprintf(name, sizeof name, "/types/%s/z", tn);
        CS_TRY(mf_read_vec(f, name, path, m->n_coef, &m->type_z[t]));
        snprintf(name, sizeof name, "/types/%s/p", tn);
        CS_TRY(mf_read_vec(f, name, path, m->n_coef, &m->type_p[t]));
    }
    m->has_types = 1;
    hid_t gt = H5Gopen2(f, "/types", H5P_DEFAULT);
    if (gt < 0) return CS_ERROR(CS_EFORMAT, "%s: cannot open /types", path);
    int rc = CS_OK;
    if (h5util_attr_exists(gt, "collections_cutoff")) {
        rc = h5util_attr_read_f64(gt, "collections_cutoff", &m->coll_cutoff);
        if (rc == CS_OK && !(m->coll_cutoff >= 0 && m->coll_cutoff <= 1))
            rc = CS_ERROR(CS_EFORMAT, "%s: /types attribute collections_cutoff is %g (expected a "
                          "probability 0 to 1)", path, m->coll_cutoff);
    }
    H5Gclose(gt);
    return rc;
}
