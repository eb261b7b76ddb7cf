/* modelfile_derived.c — the derived indicators of a model file (version 5): /inputs/derived_names
 * and /inputs/derived_formulas, the formulas score evaluates on its snapshot (model/derived.h). */
#include "modelfile_int.h"

#include "h5util.h"
#include "status.h"

#include <string.h>

int mf_derived_write(hid_t inputs, const cmodel *m)
{
    if (!m->n_derived) return CS_OK;
    CS_TRY(h5util_write_strings(inputs, "derived_names", (const char *const *)m->derived_names, m->n_derived));
    return h5util_write_strings(inputs, "derived_formulas", (const char *const *)m->derived_formulas,
                                m->n_derived);
}

/* /inputs/derived_names and derived_formulas (version 5, optional): the same count, each name one
 * of the inputs, each formula a formula (checked again when score binds it to its snapshot). */
int mf_derived_read(hid_t f, const char *path, cmodel *m)
{
    if (H5Lexists(f, "/inputs/derived_names", H5P_DEFAULT) <= 0) return CS_OK;
    size_t nf = 0;
    CS_TRY(h5util_read_strings(f, "/inputs/derived_names", path, &m->derived_names, &m->n_derived));
    CS_TRY(h5util_read_strings(f, "/inputs/derived_formulas", path, &m->derived_formulas, &nf));
    if (nf != m->n_derived)
        return CS_ERROR(CS_EFORMAT, "%s: /inputs/derived_formulas has %zu entries, derived_names %zu", path, nf,
                        m->n_derived);
    for (size_t k = 0; k < m->n_derived; k++) {
        size_t i = 0;
        while (i < m->p_in && strcmp(m->in_names[i], m->derived_names[k]) != 0) i++;
        if (i == m->p_in)
            return CS_ERROR(CS_EFORMAT, "%s: /inputs/derived_names row %zu: '%s' is not one of /inputs/names",
                            path, k, m->derived_names[k]);
    }
    return CS_OK;
}
