/* snapshot_int.h — the snapshot reader's state, shared by snapshot.c (opening, reading) and
 * snapshot_derive.c (derived indicators appended to its rows). */
#ifndef CS_SNAPSHOT_INT_H
#define CS_SNAPSHOT_INT_H

#include "snapshot.h"

struct snap_reader {
    char *path;
    hid_t file;
    hid_t d_id, d_region, d_brand, d_feat, d_churn, d_truth, d_ctype, d_tvol, d_tinv, d_area;
    int sg_id, sg_region, sg_brand, sg_churn, sg_ctype, sg_area; /* stored integer types signed? */
    int64_t *scratch;                         /* integer rows in int64, grown as needed */
    size_t scratch_n;
    snap_schema s;
    /* derived indicators (snap_derive): the file's p_file columns, then the set's, in every row */
    size_t p_file;
    const derived_set *derived;
    double *dwork;
};

#endif
