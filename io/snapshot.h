/* snapshot.h — the subscriber snapshot file, format v2 (reads v1 too; see docs/formats.md).
 *
 * A snapshot is one month of an operator: per subscriber an id, a region, a brand, P float32
 * indicators (NaN = missing) and optionally whether they churned and, beside that, how each leaver
 * left (churn_type: 1 voluntary, 2 involuntary; version 2); generated snapshots also carry the
 * truth under /truth/. The reader validates the schema once at open (kind, version, every dataset's
 * type and shape) and then serves any row range by hyperslab, so each rank streams its own rows in
 * bounded blocks. The writer creates the file under a temporary name (rank 0 lays it out, every rank
 * reopens it: mpi/h5shared.c runs the two steps and agrees on them), lets every rank write its own
 * rows independently, and renames the file only when every rank succeeded.
 */
#ifndef CS_SNAPSHOT_H
#define CS_SNAPSHOT_H

#include "derived.h"

#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#define SNAP_FORMAT "churnscore-snapshot"
#define SNAP_VERSION 2     /* what the writer writes for a snapshot without areas */
#define SNAP_VERSION_AREAS 3 /* written when the snapshot has /subscribers/area: an older build
                              * then refuses the file instead of reading it without its areas */
#define SNAP_VERSION_MIN 1 /* the oldest version the reader reads: v1 has no churn_type */
#define SNAP_MAX_AREAS 65535
/* /subscribers/churn_type values */
enum { SNAP_STAYED = 0, SNAP_VOLUNTARY = 1, SNAP_INVOLUNTARY = 2 };
/* Rows per HDF5 chunk of /subscribers/features: one reduction block (PART_BLOCK_ROWS), so a read
 * block of 65,536 rows is 8 whole chunks. Measured on the 2-core development machine, 10M rows x 46,
 * page cache warm, 2 ranks (environment knobs CS_CHUNK_ROWS and CS_READ_MPIO, kept for sites):
 *   generate: chunks of 1,024 rows 8.5 s, 8,192 rows 5.4-8.1 s, 65,536 rows 7.1-8.5 s (noise ~1 s);
 *   read every row (inspect): 1 rank 1.58-1.63 s whatever the chunk; 2 ranks, 8,192-row chunks,
 *   one POSIX open per rank 0.85-0.89 s, MPI-IO independent 0.85-0.86 s (3 runs each).
 * No setting was measurably faster here, so the simplest stays: 8,192-row chunks, POSIX reads (no
 * collective open, works on any file system), MPI-IO only for the shared-file writes. On a parallel
 * file system (Lustre, GPFS) CS_READ_MPIO=1 and larger chunks are the first things to try. */
#define SNAP_CHUNK_ROWS 8192

typedef struct {
    uint64_t n;          /* subscribers */
    size_t p;            /* indicators */
    char **feature_names;
    size_t n_regions;
    char **region_names;
    size_t n_brands;
    char **brand_names;
    char month[16];      /* YYYY-MM */
    int64_t window;      /* churn window in months */
    int version;         /* format_version of the file (SNAP_VERSION_MIN .. SNAP_VERSION_AREAS) */
    size_t n_areas;      /* areas below the regions (version 3, optional): 0 when absent */
    char **area_names;   /* [n_areas] /areas/name */
    uint16_t *area_region; /* [n_areas] /areas/region: the parent region of each area */
    int has_labels;      /* /subscribers/churned present */
    int has_churn_type;  /* /subscribers/churn_type present (only beside churned) */
    int has_truth;       /* /truth/churn_prob present */
    int has_truth_types; /* /truth/p_voluntary and /truth/p_involuntary present */
    size_t truth_factors;        /* columns of /truth/loadings (0 if absent) */
    char **truth_factor_names;   /* truth_factors names, or NULL */
    double *truth_loadings;      /* p x truth_factors row-major, or NULL */
} snap_schema;

void snap_schema_clear(snap_schema *s); /* frees the members; s itself is the caller's */
/* Index of a feature by name, or -1. */
long snap_feature_index(const snap_schema *s, const char *name);

typedef struct snap_reader snap_reader;

/* Opens and validates path. comm may be MPI_COMM_NULL: each rank then opens the file on its own
 * (read-only, POSIX driver), which measured faster than MPI-IO for our independent block reads.
 * Returns CS_EIO (missing/unreadable), CS_EFORMAT (not HDF5, another kind or version, a dataset
 * missing or of the wrong type or shape) with a message naming the file and dataset. */
int snap_open(const char *path, MPI_Comm comm, snap_reader **out);
/* The comm to pass to snap_open for a file that every rank of `all` opens together (collective):
 * `all` when CS_READ_MPIO=1 (read through MPI-IO, with one rank too: io/ does not ask MPI how many
 * ranks there are; the rows read are the same either way), else MPI_COMM_NULL (one POSIX open per
 * rank). A file opened by some ranks only is always opened with MPI_COMM_NULL. */
MPI_Comm snap_read_comm(MPI_Comm all);
void snap_close(snap_reader *r);
const snap_schema *snap_schema_of(const snap_reader *r);
/* Appends derived indicators (model/derived.h) to every row snap_read gives: binds d to the file's
 * indicators (CS_EDATA naming the file: a formula names an indicator the file lacks, a derived name
 * the file has), then the schema's p and feature_names grow by d->n and snap_read computes them after
 * the file's own columns. d must outlive r. At most once per reader (CS_EINVAL); d NULL or empty does
 * nothing. CS_ENOMEM. */
int snap_derive(snap_reader *r, derived_set *d);
/* The chunk shape of /subscribers/features (rows x columns; both 0 when it is contiguous) and whether
 * its chunks pass through a filter (compression). A filtered chunk is always decompressed whole, so a
 * chunk taller than a read of rows is decompressed once per read that touches it unless it stays in
 * the chunk cache (mpi/scan.c decides, and warns). */
int snap_feature_chunks(const snap_reader *r, uint64_t *rows, uint64_t *cols, int *filtered);
/* Reopens /subscribers/features with a chunk cache of bytes and slots hash slots (HDF5's default is
 * 1 MiB). Collective when the file was opened with a communicator. CS_EIO on failure. */
int snap_feature_cache(snap_reader *r, size_t bytes, size_t slots);
const char *snap_path(const snap_reader *r);

/* Reads rows [row0, row0+n); any output pointer may be NULL to skip that dataset. features is
 * [n, p] row-major. Checks region and brand indices: CS_EDATA naming the file, dataset and row. */
int snap_read(snap_reader *r, uint64_t row0, size_t n, uint64_t *id, uint16_t *region,
              uint8_t *brand, float *features, int8_t *churned);
/* Reads rows of /subscribers/area (indices into /areas/name) and checks each index and that the
 * area's parent region is the row's region (region: the same rows as snap_read gives them, or NULL
 * to skip that check): CS_EDATA naming the row. CS_EFORMAT when the snapshot has no areas. */
int snap_read_area(snap_reader *r, uint64_t row0, size_t n, const uint16_t *region, uint16_t *area);
/* Reads /truth/churn_prob rows (CS_EFORMAT if the snapshot has no truth). */
int snap_read_truth(snap_reader *r, uint64_t row0, size_t n, float *prob);
/* Reads rows [row0, row0+n) of /subscribers/churn_type into ct (CS_EFORMAT if the snapshot has
 * none) and checks them: each 0, 1 or 2, else CS_EDATA naming the file, the row and the stored value;
 * and, when churned (the same rows, as snap_read gives them) is not NULL, that they agree with it:
 * churned 0 or -1 (unknown) with type 0, churned 1 with type 1 or 2, else CS_EDATA naming the row
 * ("/subscribers/churn_type row 17: 2 (involuntary), but /subscribers/churned is 0"). */
int snap_read_churn_type(snap_reader *r, uint64_t row0, size_t n, const int8_t *churned, int8_t *ct);
/* Reads /truth/p_voluntary and /truth/p_involuntary rows (either may be NULL; CS_EFORMAT if the
 * snapshot has no type truth). */
int snap_read_truth_types(snap_reader *r, uint64_t row0, size_t n, double *pvol, double *pinv);
/* The name of a churn_type value ("stayed", "voluntary", "involuntary"; "?" otherwise). */
const char *snap_churn_type_name(int v);

/* What a new snapshot holds; the writer copies what it needs. */
typedef struct {
    uint64_t n;
    size_t p;
    const char *const *feature_names;
    size_t n_regions;
    const char *const *region_names;
    size_t n_brands;
    const char *const *brand_names;
    size_t n_areas;                /* > 0: writes /areas/name, /areas/region, /subscribers/area */
    const char *const *area_names;
    const uint16_t *area_region;
    const char *month;
    int64_t window;
    int has_labels;
    int has_churn_type;            /* writes /subscribers/churn_type (needs has_labels) */
    int has_truth;                 /* writes /truth/churn_prob, /truth/leaver_type, /truth/p_voluntary
                                    * and /truth/p_involuntary */
    int has_treated;               /* with has_truth: writes /truth/treated (generate --treated) */
    size_t truth_factors;          /* writes /truth/loadings when > 0 */
    const char *const *truth_factor_names;
    const double *truth_loadings;  /* p x truth_factors */
    const char *generator;         /* free text stored as an attribute, may be NULL */
    size_t n_attrs;                /* extra numeric root attributes (e.g. generator parameters) */
    int names_later;               /* 1: snap_file_create leaves out the names (feature, region,
                                    * brand and area names, /areas/region), which snap_file_add_names
                                    * writes once the rows are in: import creates the file before it
                                    * knows them (issue 20: the rows are written while the CSV is
                                    * read); the rows' chunks are then placed before the names */
    const char *const *attr_names;
    const double *attr_values;
} snap_meta;

typedef struct snap_writer snap_writer;

/* The writer is made in two steps, which mpi/h5shared.c runs as the collective snap_create (and
 * ends with snap_finish): one process (rank 0) calls snap_file_create, which creates "<path>.tmp"
 * with every dataset sized for meta->n rows and closes it (it removes the file when that fails);
 * then, once every rank knows it succeeded, every rank calls snap_writer_open, which reopens it for
 * writing through MPI-IO over comm, or with the POSIX driver when comm is MPI_COMM_NULL (one
 * process). On failure *out is still set (NULL only when it could not be allocated): the caller
 * agrees on the status and then frees it on every rank together (snap_writer_free; its close is
 * collective where the file was opened), and removes the file. */
int snap_file_create(const char *path, const snap_meta *meta);
/* For a meta with names_later: opens path itself (one process, the POSIX driver) and adds the names
 * snap_file_create left out. CS_EIO naming the file. */
int snap_file_add_names(const char *path, const snap_meta *meta);
int snap_writer_open(const char *path, MPI_Comm comm, const snap_meta *meta, snap_writer **out);
/* Writes rows [row0, row0+n) (independent: each rank its own rows). churned may be NULL only when
 * the snapshot has no labels; features NULL leaves /subscribers/features alone (written by
 * snap_write_features). */
int snap_write(snap_writer *w, uint64_t row0, size_t n, const uint64_t *id, const uint16_t *region,
               const uint8_t *brand, const float *features, const int8_t *churned);
/* Writes rows [row0, row0+n) of /subscribers/features alone (n x p floats, row-major). */
int snap_write_features(snap_writer *w, uint64_t row0, size_t n, const float *features);
int snap_write_truth(snap_writer *w, uint64_t row0, size_t n, const float *prob,
                     const int8_t *leaver_type);
/* Writes rows of /subscribers/area (the snapshot must have been created with areas). */
int snap_write_area(snap_writer *w, uint64_t row0, size_t n, const uint16_t *area);
/* Writes rows of /subscribers/churn_type (the snapshot must have been created with it). */
int snap_write_churn_type(snap_writer *w, uint64_t row0, size_t n, const int8_t *ct);
/* Writes rows of /truth/p_voluntary and /truth/p_involuntary (a snapshot with truth). */
int snap_write_truth_types(snap_writer *w, uint64_t row0, size_t n, const double *pvol,
                           const double *pinv);
/* Writes rows of /truth/treated (generate --treated: 0 not treated last month, 1 treated and
 * would have stayed anyway, 2 treated and kept by the treatment; a snapshot made with has_treated). */
int snap_write_truth_treated(snap_writer *w, uint64_t row0, size_t n, const int8_t *treated);
/* Closes the datasets and the file (collective for a file shared through MPI-IO: the close is when
 * HDF5 writes its metadata) and returns this rank's status, which the caller agrees on across ranks
 * before committing. Accepts NULL. */
int snap_close_writer(snap_writer *w);
/* The temporary name the file is written under, its final name, and the comm given to
 * snap_writer_open (MPI_COMM_NULL: one process). */
const char *snap_writer_tmp(const snap_writer *w);
const char *snap_writer_path(const snap_writer *w);
MPI_Comm snap_writer_comm(const snap_writer *w);
/* Closes the file if snap_close_writer did not (collective then, as it is) and frees w; returns the
 * status of that close. The temporary file stays. Accepts NULL. */
int snap_writer_free(snap_writer *w);

#endif
