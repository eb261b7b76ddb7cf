/* lists.h — the lists an agent opens: per region one CSV per queue (retention, collections, billing
 * check: model/queue.h) plus a summary (CSV, JSON).
 *
 * The lists leave the system for spreadsheets and call-centre tools, so this file owns what makes
 * them safe there: UTF-8 text written through the CSV writer of csv.h (quoting, and an apostrophe in
 * front of any text that could start a formula), a UTF-8 byte order mark by default (Excel on a
 * Chinese Windows reads a file without one in the local code page: 北京 becomes 鍖椾含), headers
 * and texts in the operator's language (model/lang.h; the machine names of files and summary.json
 * keys stay English), numbers in a fixed format (the same bytes for any rank count), ids masked on
 * request, the next action from the playbook (playbook.h), and file names that are safe for any
 * region name, Chinese included. The directory is built as "DIR.tmp" and renamed to DIR only when complete, with a
 * manifest (".churnscore-manifest": the line "churnscore lists manifest 1", then one file name a
 * line) of the files it holds. A previous DIR is replaced only when every file in it is in its
 * manifest (or, written by a version without manifests, holds summary.json and only names this
 * module writes); commit.h's commit_set swaps it with DIR.tmp (or moves it aside to DIR.tmp.old
 * where the file system cannot swap), and lists_dir_drop then removes only the files its manifest
 * names: a symbolic link is never followed to delete, DIR.old is never touched, and whatever else
 * appears is kept (in a new DIR.old-XXXXXX, with a warning). No MPI here: rank 0
 * creates, summarises and commits the directory; each list's CSV is written by one process, which
 * mpi/score_lists.c picks (the list's owner rank when every rank sees DIR.tmp, else rank 0) and feeds
 * with the merged candidates in list order through lists_region_row.
 */
#ifndef CS_LISTS_H
#define CS_LISTS_H

#include "lang.h"
#include "playbook.h"
#include "segment.h"
#include "tagconf.h"
#include "topk.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int mask_ids;                    /* all but the last 4 digits of ids become '*' */
    int bom;                         /* start each CSV with a UTF-8 byte order mark (for Excel) */
    cs_lang lang;                    /* headers, stage, phase, queue, action, channel and reason texts */
    size_t n_regions;
    const char *const *region_names;
    size_t n_brands;
    const char *const *brand_names;
    size_t n_fact_names;             /* the model's inputs, which name the indicator facts */
    const char *const *fact_names;  /* (rules_fact_text_named renders the items' reason codes) */
    const playbook *pb;              /* each row's action; NULL: the action columns stay empty */
    size_t n_extra;                  /* --list-columns: the items' extra[] values, under these names */
    const char *const *extra_names;
    const segment_model *seg;        /* the model's segments: the segment column (NULL: left empty) */
    const tagconf *tc;               /* grade names and tag labels (issue 17); NULL: default names, no tags */
    double control;                  /* score --control: the retention lists' held-out share (0: none) */
    uint64_t control_key;            /* control_month_key of the lists' month (model/control.h) */
    /* issue 16: with areas, an `area` column (区县) right after `region` */
    size_t n_areas;
    const char *const *area_names;
} lists_ctx;

/* The columns of a list file, in order, then the segment column (LISTS_SEGMENT_HEAD), then the n_extra
 * indicators. */
enum { LISTS_COL_RANK, LISTS_COL_QUEUE, LISTS_COL_ID, LISTS_COL_REGION, LISTS_COL_BRAND,
       LISTS_COL_PROBABILITY, LISTS_COL_P_VOLUNTARY, LISTS_COL_P_INVOLUNTARY, LISTS_COL_VALUE_AT_RISK,
       LISTS_COL_STAGE, LISTS_COL_PHASE, LISTS_COL_TIER, LISTS_COL_ACTION_CODE, LISTS_COL_ACTION,
       LISTS_COL_CHANNEL, LISTS_COL_REASON_1, LISTS_COL_REASON_2, LISTS_COL_REASON_3,
       /* ---- columns added after the reasons (one place, so that merges stay easy) ---- */
       LISTS_COL_TAGS,   /* issue 17: the row's tags, labels in the list's language joined by ';' */
       /* issue 15, month over month (score --previous-scores; empty without it) */
       LISTS_COL_NEW_ON_LIST,      /* 1: on no list of last month, 0: on one */
       LISTS_COL_MONTHS_ON_LIST,   /* months in a row on a list, this one included */
       LISTS_COL_PREV_PROBABILITY, /* last month's probability (empty: not scored last month) */
       LISTS_COL_PREV_PHASE,       /* last month's phase (empty: not scored last month) */
       LISTS_N_COLS };

/* The segment column's header: "segment", "细分群" (issue 17; after reason_3, before --list-columns). */
const char *lists_segment_head(cs_lang lang);

/* A list column's header in a language ("rank", "排名"); for LANG_EN the machine name. NULL out of
 * range. io/listin.c finds columns by these names in either language. */
const char *lists_column_label(int col, cs_lang lang);

/* Stage and phase names for people are model/rules.h's rules_stage_label and rules_phase_label. */

/* Checks that dir can be (re)placed and creates "<dir>.tmp" afresh (a stale one from a killed run
 * is removed first, when it holds only files of ours). *tmp is malloc'd (caller frees). CS_EINVAL
 * when dir is a symbolic link; CS_EIO naming the directory and the first file not ours when dir
 * (or a stale dir.tmp) holds files churnscore did not write, or dir cannot be created. Writes
 * nothing before these checks pass. */
int lists_dir_begin(const char *dir, char **tmp);

/* "<dir>.tmp", the name lists_dir_begin gives the temporary directory, malloc'd (caller frees);
 * NULL when out of memory. For the processes that write into it without having created it. */
char *lists_dir_tmp(const char *dir);

/* A probe that tells whether other processes (on other nodes) see the same temporary directory:
 * lists_probe_write (by the process that created tmp) writes tmp/.probe holding token;
 * lists_probe_seen returns 1 when tmp/.probe exists here and holds token, else 0 (a node-local
 * disk, a stale directory of another run); lists_probe_remove deletes it before the directory is
 * committed. lists_probe_write: CS_EIO. */
int lists_probe_write(const char *tmp, uint64_t token);
int lists_probe_seen(const char *tmp, uint64_t token);
void lists_probe_remove(const char *tmp);

/* Removes a lists directory of ours (the previous lists once new ones are in place, a temporary
 * one given up: the commit_drop_fn of commit.h for the lists): only the files its manifest names
 * (without one, the names this module writes), then the directory; a directory that still holds
 * other files is kept under a new "DIR.old-XXXXXX" and a warning on stderr says so. Missing is fine. */
void lists_dir_drop(const char *old);

/* Writes tmp's manifest (".churnscore-manifest": every file in tmp, in byte order): the last file
 * written before tmp is committed. CS_EIO, CS_ENOMEM. */
int lists_dir_seal(const char *tmp);

/* With ok: lists_dir_seal, then tmp renamed to dir by a commit_set of its own, replacing a previous
 * lists directory (lists_dir_drop removes its files); without: lists_dir_drop(tmp). CS_EIO. */
int lists_dir_commit(const char *dir, const char *tmp, int ok);

/* The file name of queue q's list of region r: "NN-<name>-<queue>.csv" (queue_name: retention,
 * collections, billing, in English whatever the language, so that scripts can find them), NN
 * zero-padded to the digits of n_regions (at least 2). The name keeps UTF-8 letters and digits;
 * '/', '\', control characters, characters Windows refuses (:*?"<>|), invalid UTF-8 and leading
 * dots are dropped, spaces become '_', and it is cut at 120 bytes on a character boundary; "region"
 * when nothing is left. */
void lists_file_name(size_t r, size_t n_regions, const char *name, int queue, char *buf, size_t size);

/* The id as written in the lists (masked or not), NUL-terminated in buf (at least 24 bytes). */
void lists_format_id(uint64_t id, int mask, char *buf);

typedef struct lists_file lists_file;

/* Creates tmpdir/<lists_file_name> of queue q (QUEUE_RETENTION..QUEUE_BILLING) of region, writes
 * the byte order mark (c->bom) and the header. CS_EIO, CS_ENOMEM. */
int lists_region_open(const lists_ctx *c, const char *tmpdir, size_t region, int queue, lists_file **out);
/* Creates path (any file: `churnscore select --out`, written as FILE.tmp by its caller) with the
 * byte order mark and the header of a list file; rows through lists_region_row, never split into a
 * control group. CS_EIO naming the file, CS_ENOMEM. */
int lists_file_open_path(const lists_ctx *c, const char *path, lists_file **out);
/* With c->control > 0 the retention list of a region is split as it is written: each row goes
 * either to the list or, drawn by model/control.h (a hash of id and month, a quota per phase x tier),
 * to the region's control group "NN-<name>-retention-control.csv", the same columns with the action
 * code "control", the action "control group: do not contact" and no channel, so that no agent calls
 * them; both files keep the rank of the unsplit list, so their union is the list --control 0 writes.
 * lists_region_held gives the rows held out so far. */
uint64_t lists_region_held(const lists_file *f);
/* The control group's file name of region r (lists_file_name's, "-control" before ".csv"). */
void lists_control_file_name(size_t r, size_t n_regions, const char *name, char *buf, size_t size);

/* Writes one ranked row (rank is 1-based): the queue and phase it says are the item's, its action and
 * channel the playbook's for its stage, phase, queue, tier and channel preference. CS_EIO. */
int lists_region_row(lists_file *f, uint64_t rank, const topk_item *it);
/* Closes the file; CS_EIO if anything failed to reach the disk. Frees f; accepts NULL. */
int lists_region_close(lists_file *f);

/* Per-region totals and the validation for the summary files. Arrays are [n_regions], but queued,
 * listed and k: [QUEUE_N_LISTED x n_regions], queue q of region r at (q - QUEUE_RETENTION) x
 * n_regions + r. */
typedef struct {
    const char *month, *rank_by;
    uint64_t top;                         /* 0: all */
    const uint64_t *k;                    /* each list's bound (--top or --capacity; 0: all) */
    const int64_t *subscribers, *alarm, *warning;
    const int64_t *queued, *listed;       /* subscribers in each queue, and on its list */
    const int64_t *held;                  /* of the listed, held out as the control group (NULL: none) */
    double control;                       /* score --control */
    const double *expected_leavers, *value_at_risk;
    int validated;
    uint64_t val_n, val_npos, labelled;
    double auc, lift10, capture5, capture10, capture20, ks, brier;
    const double *region_auc, *region_lift10; /* NaN where not computed; NULL without validation */
    /* issue 15, month over month: with last month's scores (has_prev), per region the listed rows new
     * this month and last month's figures (NaN for a region last month did not have), each followed
     * in summary.csv by the change */
    int has_prev;
    const int64_t *new_listed;
    const double *prev_subscribers, *prev_listed, *prev_expected_leavers, *prev_value_at_risk,
        *prev_alarm, *prev_warning;
    const char *prev_month;
} lists_summary;

/* Writes tmpdir/summary.csv (one row per region and a last row "total" / "合计" with an empty
 * region_index: the regions' sums, the overall validation AUC; headers in c->lang, with c->bom) and
 * tmpdir/summary.json (English keys; "lang" says the lists' language). CS_EIO. */
int lists_summary_write(const lists_ctx *c, const char *tmpdir, const lists_summary *s);

#endif
