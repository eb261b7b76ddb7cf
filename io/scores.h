/* scores.h — the scores file (HDF5, format "churnscore-scores" v1; see docs/formats.md).
 *
 * One row per input subscriber, in the snapshot's row order: id, region, brand, churn probability,
 * lifecycle stage, warning phase, value grade (1 = most valuable), monthly ARPU, value at risk and three reasons (fact
 * codes that index /reasons/text and /reasons/name, with their values); with a model of churn types
 * also each type's probability (p_voluntary, p_involuntary: optional datasets, the version stays 1);
 * and the tag bits and contribution of issue 17, with the tag table under /tags; the queue of each
 * row (issue 16: /subscribers/queue, named by /queues/name); the months on the lists of issue 15
 * (/subscribers/months_on_list, which next month's score reads back) and each listed row's playbook
 * action (/subscribers/action, /actions/code: evaluate's effect by action).
 * Written like the snapshot: rank 0 lays the file out serially under a
 * temporary name (variable-length strings cannot go through MPI-IO in HDF5 1.10), every rank reopens
 * it and writes its own rows independently (mpi/h5shared.c runs these steps and agrees on them), and
 * scores_file_finish adds what is known only at the end
 * (tier cut-offs, the per-region summary, the validation against labels) from rank 0 before the
 * rename. A failed run leaves no file behind. scores_info_read is the serial reader `inspect` uses.
 */
#ifndef CS_SCORES_H
#define CS_SCORES_H

#include "commit.h"
#include "metrics.h"

#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#define SCORES_FORMAT "churnscore-scores"
#define SCORES_VERSION 1
#define SCORES_NREASONS 3

/* What a new scores file holds; the writer copies what it needs. */
typedef struct {
    uint64_t n;
    size_t n_regions;
    const char *const *region_names;
    size_t n_brands;
    const char *const *brand_names;
    size_t n_reasons;               /* entries of the reason table: every fact code (rules.h) */
    const char *const *reason_text; /* English template of each code */
    const char *const *reason_name; /* machine name of each code */
    const char *snapshot, *model, *month;
    const char *version, *created, *options;
    double horizon_months, warn_cutoff;
    double collections_cutoff; /* the p_involuntary cut of the collections queue (with types) */
    const char *rank_by;
    int has_types;                  /* writes /subscribers/p_voluntary and /subscribers/p_involuntary */
    /* the model's segments (model/segment.h): with n_segments > 0, /subscribers/segment (int16, -1
     * for none) and the table /segments/name, /segments/name_zh, /segments/brand */
    size_t n_segments;
    const char *const *segment_name, *const *segment_name_zh;
    const int32_t *segment_brand;
    /* issue 17: the tag table (under /tags, bit k of /subscribers/tags is entry k) and grade names */
    size_t n_tags;
    const char *const *tag_key, *const *tag_label_en, *const *tag_label_zh, *const *tag_when;
    const char *const *tag_channel, *const *tag_say_en, *const *tag_say_zh;
    const char *const *grade_name_en, *const *grade_name_zh; /* [5] grade 1 .. 5 */
    const char *grade_mode;         /* "quantile" or "thresholds" */
    const char *tag_rules;          /* the tag rule file's name */
    int has_cost;                   /* contribution is ARPU minus a cost indicator */
    /* issue 15: the playbook's action codes (/actions/code), which /subscribers/action indexes */
    size_t n_actions;
    const char *const *action_code;
} scores_meta;

/* Known at the end of a run: written by rank 0 in scores_file_finish. Arrays are [n_regions]. */
typedef struct {
    double tier_cut[4];
    const int64_t *subscribers, *alarm, *warning, *listed;
    const double *expected_leavers, *value_at_risk;
    int validated;                 /* 0: no labels (the validation attributes are absent) */
    uint64_t labelled;             /* labelled (0/1) rows in the snapshot */
    const metrics_report *overall; /* on the validation rows (all labelled rows or a sample) */
    const metrics_report *region;  /* [n_regions] */
    const int *region_ok;          /* [n_regions] 1 where the region had both classes */
} scores_final;

typedef struct scores_writer scores_writer;

/* The writer is made in two steps, which mpi/h5shared.c runs as the collective scores_create: one
 * process (rank 0) calls scores_file_create, which creates "<path>.tmp" with every dataset sized for
 * meta->n rows and closes it (it removes the file when that fails); then, once every rank knows it
 * succeeded, every rank calls scores_writer_open, which reopens it for writing through MPI-IO over
 * comm, or with the POSIX driver when comm is MPI_COMM_NULL (one process). On failure *out is still
 * set (NULL only when it could not be allocated): the caller agrees on the status and then frees it
 * on every rank together (scores_writer_free; its close is collective where the file was opened),
 * and removes the file. */
int scores_file_create(const char *path, const scores_meta *meta);
int scores_writer_open(const char *path, MPI_Comm comm, const scores_meta *meta, scores_writer **out);

/* Writes rows [row0, row0+n) (independent: each rank its own rows). reason and fact are [n * 3]. */
int scores_write(scores_writer *w, uint64_t row0, size_t n, const uint64_t *id,
                 const uint16_t *region, const uint8_t *brand, const double *prob,
                 const uint8_t *stage, const uint8_t *phase, const float *arpu, const double *var,
                 const int16_t *reason, const float *fact);
/* Writes rows [row0, row0+n) of /subscribers/p_voluntary and /subscribers/p_involuntary (a file
 * created with has_types; CS_EINVAL otherwise). */
int scores_write_types(scores_writer *w, uint64_t row0, size_t n, const double *pvol, const double *pinv);
/* Writes rows [row0, row0+n) of /subscribers/segment (a file created with segments; CS_EINVAL
 * otherwise). */
int scores_write_segment(scores_writer *w, uint64_t row0, size_t n, const int16_t *segment);
/* Writes the tag bits and the contribution of rows [row0, row0+n) (issue 17). */
int scores_write_tags(scores_writer *w, uint64_t row0, size_t n, const uint64_t *tags, const float *contrib);
/* Reads them back (rows this rank wrote), for the grades. */
int scores_read_tags(scores_writer *w, uint64_t row0, size_t n, uint64_t *tags, float *contrib);
/* Writes the queue of rows [row0, row0+n) (issue 16: model/queue.h's QUEUE_*, 0 none; what
 * `select` reads to rank a chosen group as the lists are ranked). */
int scores_write_queue(scores_writer *w, uint64_t row0, size_t n, const uint8_t *queue);
/* Writes the tier of rows [row0, row0+n) (known after the quantiles). */
int scores_write_tier(scores_writer *w, uint64_t row0, size_t n, const uint8_t *tier);
/* Writes rows [row0, row0+n) of /subscribers/months_on_list (issue 15: months in a row on a list,
 * this one included; 0 off the lists) and /subscribers/action (the playbook action of a listed row,
 * an index into /actions/code: for a control row the action it would have had; -1 off the lists),
 * known after the lists. */
int scores_write_listed(scores_writer *w, uint64_t row0, size_t n, const uint16_t *months, const int16_t *action);
/* Reads back rows of /subscribers/arpu this rank wrote (for the tier pass: the ARPU of a partition
 * is not kept in memory). */
int scores_read_arpu(scores_writer *w, uint64_t row0, size_t n, float *arpu);

/* Closes the datasets and the file (collective for a file shared through MPI-IO: the close is when
 * HDF5 writes its metadata) and returns this rank's status, to be agreed on before the finish.
 * Accepts NULL. */
int scores_close(scores_writer *w);

/* Rank 0's part of the finish (mpi/h5shared.c's collective scores_finish calls it after
 * scores_close on every rank): when ok, adds fin, closes the file so that the close cannot run out
 * of space (h5util_close_file) and adds "<path>.tmp" -> path to cs, which the caller applies with its
 * other outputs once the ranks agreed; when not ok, or when that fails, removes the temporary file.
 * Returns the status. */
int scores_file_finish(scores_writer *w, int ok, const scores_final *fin, commit_set *cs);
/* The comm given to scores_writer_open (MPI_COMM_NULL: one process). */
MPI_Comm scores_writer_comm(const scores_writer *w);
/* Closes the file if scores_close did not (collective then, as it is) and frees w; returns the
 * status of that close. The temporary file stays. Accepts NULL. */
int scores_writer_free(scores_writer *w);

/* What inspect shows: read serially from a finished file. */
typedef struct {
    uint64_t n;
    char month[16];
    char snapshot[1024], model[1024], created[32], version[128], rank_by[32];
    double horizon_months, warn_cutoff, tier_cut[4];
    double collections_cutoff; /* NaN in files before it was kept, or without types */
    size_t n_regions;
    char **region_names;
    double *subscribers, *alarm, *warning, *listed, *expected_leavers, *value_at_risk;
    int validated;
    int has_types;                 /* /subscribers/p_voluntary present */
    size_t n_segments;             /* entries of /segments/name (0: a file without segments) */
    uint64_t labelled, val_n, val_npos;
    double auc, lift10, capture5, capture10, capture20, ks, brier;
    double cal_pred[METRICS_NBINS], cal_obs[METRICS_NBINS];
    double *region_auc, *region_lift10, *region_n; /* [n_regions], NaN where not computed */
} scores_info;

/* Reads path. CS_EIO / CS_EFORMAT naming the file when it is not a scores file of this version. */
int scores_info_read(const char *path, scores_info *out);
void scores_info_clear(scores_info *s); /* accepts NULL */

#endif
