/* congruence.c — for test_train.sh: Tucker congruence between a model's rotated loadings and the
 * generator's true loadings (/truth/loadings of the snapshot), on the indicators both have, after
 * matching factors (fa_match). Prints one line per true factor and exits 1 if any is below the
 * threshold:  congruence MODEL.h5 SNAPSHOT.h5 THRESHOLD */
#include "cmodel.h"
#include "fa.h"
#include "h5util.h"
#include "modelfile.h"
#include "snapshot.h"
#include "status.h"

#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 4) return 2;
    MPI_Init(&argc, &argv);
    h5util_quiet();
    double thr = atof(argv[3]);
    cmodel m;
    snap_reader *r = NULL;
    if (modelfile_read(argv[1], &m, NULL) != CS_OK || snap_open(argv[2], MPI_COMM_NULL, &r) != CS_OK) {
        fprintf(stderr, "%s\n", status_message());
        return 2;
    }
    const snap_schema *s = snap_schema_of(r);
    size_t F = s->truth_factors, k = m.k;
    if (F == 0 || k == 0) {
        fprintf(stderr, "no loadings to compare (truth %zu, model %zu)\n", F, k);
        return 2;
    }
    /* rows: model FA indicators that carry a true loading */
    gsl_matrix *A = gsl_matrix_calloc(m.p_fa, F), *B = gsl_matrix_calloc(m.p_fa, k);
    for (size_t j = 0; j < m.p_fa; j++) {
        long c = snap_feature_index(s, m.in_names[m.fa_idx[j]]);
        for (size_t f = 0; f < F; f++) gsl_matrix_set(A, j, f, s->truth_loadings[c * F + f]);
        for (size_t f = 0; f < k; f++) gsl_matrix_set(B, j, f, m.loadings[j * k + f]);
    }
    size_t *match = calloc(F, sizeof(size_t));
    double *phi = calloc(F, sizeof(double));
    int rc = fa_match(A, B, match, phi);
    if (rc != CS_OK) {
        fprintf(stderr, "fa_match: %s\n", status_message());
        return 2;
    }
    int bad = 0;
    for (size_t f = 0; f < F; f++) {
        printf("%-20s -> model factor %zu (%s): congruence %.4f\n", s->truth_factor_names[f], match[f] + 1,
               m.factor_labels[match[f]], phi[f]);
        if (!(fabs(phi[f]) >= thr)) bad = 1; /* a factor is defined up to its sign */
    }
    free(match);
    free(phi);
    gsl_matrix_free(A);
    gsl_matrix_free(B);
    snap_close(r);
    cmodel_clear(&m);
    MPI_Finalize();
    return bad;
}
