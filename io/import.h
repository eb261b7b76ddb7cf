/* import.h — the schema of a CSV extract turned into a snapshot: which column is what, the type of
 * each column, the levels of each category, and the encoding of one record as a snapshot row.
 *
 * `churnscore import` (mpi/cmd_import.c) reads the CSV twice through io/csv.h; this module holds what
 * the passes learn and decide, and nothing that grows with the rows:
 *   pass 1 — imp_schema_observe on every record: missing counts, whether each column is all numbers,
 *            the distinct values of text columns (at most max_levels each), the label counts;
 *            where a column turned out to hold text after numbers, the numbers seen before were not
 *            kept as levels: imp_schema_needs_rescan says so and imp_schema_rescan collects them
 *            in one more pass (rare: a mostly numeric column with some text);
 *   finish — imp_schema_finish decides the types and levels (byte order), the indicators and their
 *            names (`column=level` for every level but the first), the region and brand names;
 *   pass 2 — imp_schema_encode turns a record into id, region, brand, indicators, label and churn type.
 * A churn-type column (--churn-type, with the values that mean each type) gives the snapshot's
 * /subscribers/churn_type and, without --label, its labels too; with --label the two must agree.
 * With --like the types and levels come from an earlier snapshot (imp_ref) instead of pass 1.
 *
 * Whether a record is bad (wrong id, text in a column that must be numeric, NUL bytes in text, a
 * churn type that is none of the values given or disagrees with the label) is
 * decided from the record's bytes and the fixed options only, never from what earlier records held,
 * so every pass skips exactly the same records. The description of the columns is stored in the
 * snapshot under /import (imp_meta_write) so that a later month can be imported --like it.
 *
 * The module is split by stage: import_schema.c (the column plan), import_infer.c (pass 1 and the
 * types), import_levels.c (the level sets), import_rows.c (checking and encoding a record),
 * import_report.c and import_meta.c (the /import description).
 *
 * Errors follow model/status.h. Messages name the file, the line where the record starts and the
 * column (1-based, with its name).
 */
#ifndef CS_IMPORT_H
#define CS_IMPORT_H

#include "csv.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IMP_MAX_LEVELS 1000          /* default cap on the levels of one category */
#define IMP_MAX_LEVEL_BYTES (256u << 10) /* cap on the bytes of one column's levels */
#define IMP_MAX_INDICATORS 10000     /* cap on the indicators of a snapshot */
#define IMP_MAX_REGIONS 65535        /* the snapshot format's limits */
#define IMP_MAX_BRANDS 255

/* What each column is. */
enum {
    IMP_AUTO = 0, /* pass 1 decides: numeric or category */
    IMP_NUMERIC,  /* one indicator, the value */
    IMP_CATEGORY, /* one 0/1 indicator per level but the first */
    IMP_ID,
    IMP_REGION,
    IMP_BRAND,
    IMP_LABEL,
    IMP_IGNORE, /* --ignore, or a column that --like's snapshot does not have */
    IMP_CHURN_TYPE, /* how each leaver left: values of --voluntary, --involuntary, --stayed */
    IMP_AREA        /* issue 16: the area below the region (--area; import_area.c) */
};

/* The options of one import; every string is borrowed for the life of the schema. */
typedef struct {
    const char *file;     /* the CSV's name in messages */
    const char *label;    /* label column, or NULL for a snapshot without labels */
    const char *positive; /* the label value that means churned (required with label) */
    const char *id;       /* id column, or NULL: ids are the 1-based data row numbers */
    const char *region;   /* region column, or NULL: one region "all" */
    const char *brand;    /* brand column, or NULL: one brand "all" */
    const char *area;     /* issue 16: area column (inside the region), or NULL: no areas */
    const char *const *categorical; /* columns that are categories even when they hold numbers */
    size_t n_categorical;
    const char *const *ignore; /* columns left out */
    size_t n_ignore;
    size_t max_levels; /* cap on the levels of a category (0: IMP_MAX_LEVELS) */
    /* the churn type: column, or NULL; the values of each type (both lists needed with the column);
     * an empty field or NA is "no type given", and so are the --stayed values, which say so */
    const char *churn_type;
    const char *const *voluntary, *const *involuntary, *const *stayed;
    size_t n_voluntary, n_involuntary, n_stayed;
} imp_options;

/* What --like takes from an earlier snapshot (see imp_ref_read). */
typedef struct {
    char *file;
    size_t p;
    char **feature_names;
    size_t n_regions;
    char **region_names;
    size_t n_brands;
    char **brand_names;
    /* The /import description of that snapshot's columns, when it was imported (ncols 0 otherwise,
     * e.g. a generated snapshot: then each feature name is a numeric column of that name, or
     * `column=level` of a category whose first level is unknown). */
    size_t ncols;
    char **col_names;
    int32_t *col_kind;     /* IMP_NUMERIC or IMP_CATEGORY */
    int32_t *level_count;  /* levels of each column (0 for numeric) */
    size_t n_levels;
    char **levels;         /* every category's levels in order, first level included */
    /* the roles of that import ("" when none): defaults for a later month */
    char label[256], positive[256], id[256], region[256], brand[256];
    char churn_type[256], voluntary[1024], involuntary[1024], stayed[1024]; /* lists comma-joined */
} imp_ref;

/* A set of distinct byte strings (levels) with a hash index; after imp_schema_finish each has its
 * rank in byte order. Internal to import_*.c (import_int.h); in the header because imp_column embeds it. */
typedef struct {
    char *bytes;      /* the strings, each NUL-terminated */
    size_t used, cap; /* bytes */
    size_t *off;      /* [n] offset of string i in bytes */
    uint32_t *len;    /* [n] */
    size_t n, ncap;
    uint32_t *slot; /* hash table: string index + 1, 0 = empty */
    size_t nslot;   /* a power of two, at least 2n */
    uint32_t *code; /* [n] after finish: the output code of string i (sorted rank, or --like's) */
} imp_set;

/* One CSV column. Read-only for callers. */
typedef struct {
    char *name;
    size_t csv_index; /* 0-based position in the CSV */
    int kind;         /* IMP_*; IMP_AUTO until finish */
    int decl_kind;    /* the kind before pass 1 (what imp_schema_check goes by) */
    int like_kind;    /* --like: the kind in the earlier snapshot (0: not a feature there) */
    int extra;        /* --like: not in the earlier snapshot, ignored */
    int forced;       /* named by --categorical */
    uint64_t missing, numbers, texts;
    size_t text_line;   /* first value that is not a number (auto columns), for the messages */
    char text_value[48];
    int rescan;   /* text came after numbers: the numbers' levels need imp_schema_rescan */
    int regather; /* a part after the first text held numbers (imp_schema_absorb): rescan too */
    uint64_t text_row; /* the row (of this schema's records) of the first text: kept cells before
                        * it are floats, from it on level indices (import_cells.c) */
    int overflow; /* more distinct values than the cap: not usable as a category */
    uint64_t inexact; /* integers beyond 2^24 that float32 rounds */
    size_t range_line; /* first value beyond the float32 range (0: none) */
    char range_value[48];
    imp_set levels;
    size_t n_levels; /* levels after finish (categories; with --like the earlier snapshot's) */
    size_t ind0, nind; /* its indicators */
    long *ind_of_code; /* category: indicator of each code, -1 for the first level or unseen */
    int like_partial;  /* --like without /import: the first level is unknown */
    uint64_t unseen;   /* --like: values not among the earlier levels */
    char unseen_value[48];
    uint64_t unseen_line;
} imp_column;

typedef struct {
    imp_options o;
    size_t ncols;
    imp_column *cols;
    long id, region, brand, label; /* column index of each role, -1 if none */
    long ctype;                    /* the churn-type column, -1 if none */
    uint64_t n_voluntary, n_involuntary; /* pass 1: leavers of each type */
    const imp_ref *like;
    size_t max_levels;
    size_t positive_len;
    imp_set region_set, brand_set; /* region and brand names (with --like: the earlier ones first) */
    size_t like_regions, like_brands; /* --like: names taken from the earlier snapshot */
    uint32_t region_code, brand_code; /* without a region (brand) column: the code of "all" */
    uint64_t rows;      /* accepted records */
    uint64_t n_pos, n_neg, n_unlabelled;
    size_t n_label_values;
    char label_values[8][32]; /* the first distinct label values, for the report */
    /* the raw bytes of label fields already taken into label_values, so that a row whose label is
     * one of them costs a comparison instead of an excerpt and a search (issue 20) */
    char label_raw[8][32];
    size_t label_raw_len[8], n_label_raw;
    int finished;
    /* after finish */
    size_t p;
    char **feature_names;
    size_t n_regions;
    char **region_names;
    size_t n_brands;
    char **brand_names;
    size_t new_regions, new_brands; /* --like: names appended after the earlier snapshot's */
    uint64_t unseen_rows;           /* --like: rows with at least one unseen level */
    /* ---- issue 16: areas below the regions (--area; import_area.c) ---- */
    long area;                      /* the area column, -1 if none */
    imp_set area_set;
    uint32_t *area_parent;          /* [area_set.n] the region set index of each area's first row */
    size_t area_cap;
    size_t n_areas;                 /* after finish: names in byte order, each with its region */
    char **area_names;
    uint16_t *area_region;
    /* ---- issue 20: a part of the file read in parallel (import_merge.c) ---- */
    int area_provisional;   /* a part after the first: an area's region is not checked (the first
                             * region of an area may lie in an earlier part), only counted */
    uint64_t area_conflicts; /* rows of this part whose area lay in another region before */
    int area_irregular;      /* after absorbing: some part's regions of an area were not the first */
    uint32_t *cell_row;      /* when set, imp_schema_observe writes the record's cells here [ncols] */
    uint64_t cell_id;        /* and the id of an id column here (import_cells.c) */
    double *num_row; /* --like: [ncols] the numbers imp_schema_check parsed, which observe and encode
                      * take instead of parsing each field again (it was three parses a number) */
    uint32_t *num_cols; /* --like: the columns declared numeric, which observe takes in one loop
                         * after the others (issue 20: the switch over them cost --like a fifth
                         * more time than an import without it) */
    size_t n_num_cols;
    uint32_t *switch_cols; /* the columns observe's switch acts on (id, label, churn type, region,
                            * brand, categories): issue 20, the switch's jump for each of the
                            * other columns, numbers all, was a tenth of pass 1 */
    size_t n_switch_cols;
    uint32_t *auto_cols; /* without --like: the columns whose type pass 1 decides, which observe
                          * takes in one loop after the others, the same way */
    size_t n_auto_cols;
    float *x_row;           /* when set, observe writes the numbers of the num_cols (--like) or
                             * auto_cols here, number i at x_row[x_dst[i]], instead of their cells
                             * (import's one-pass write: the row of indicators it writes) */
    const uint32_t *x_dst;
} imp_schema;

/* A kept cell of a text column (import_cells.c): the level index in the part's set, or these. */
#define IMP_CELL_MISSING UINT32_MAX
#define IMP_CELL_UNSEEN (UINT32_MAX - 1)

/* ---- issue 20: pass 1 over parts of the file, merged as if one reader had read them in order ----
 * Each rank observes the records of its part into its own schema (imp_schema_observe, as in a serial
 * pass), packs what it learned into bytes (imp_schema_pack), and every rank absorbs the packs of all
 * parts in file order into one fresh schema (imp_schema_absorb), which then holds what a serial pass 1
 * would have: sums of the counts, the first text, label value and unseen level of the earliest part
 * that has one, the union of the levels and of the region, brand and area names. A column whose later
 * parts held numbers after the first text of an earlier part is marked for the level pass
 * (imp_schema_rescan), which then collects the same levels as a serial read. The level sets are in
 * another order than a serial read's, but codes are ranks in byte order, so the snapshot is the same. */
typedef struct {
    char *data;
    size_t len, cap;
    int failed; /* an allocation failed: the pack is incomplete */
} imp_pack;
typedef struct {
    const char *p, *end;
    int bad; /* read past the end */
} imp_unpack;
void imp_pack_u64(imp_pack *b, uint64_t v);
void imp_pack_str(imp_pack *b, const char *s, size_t n);
void imp_pack_clear(imp_pack *b); /* frees the bytes */
uint64_t imp_unpack_u64(imp_unpack *u);
const char *imp_unpack_str(imp_unpack *u, size_t *n); /* a view into the pack */

/* Appends pass 1's findings of s to b (levels_only: the levels of the columns marked for the level
 * pass, after imp_schema_rescan). CS_ENOMEM. */
int imp_schema_pack(const imp_schema *s, int levels_only, imp_pack *b);
/* Merges one pack, of the part after those absorbed so far, into g (a schema from the same header
 * and options, not finished). CS_EINTERNAL for a pack that does not fit g, CS_ENOMEM. */
int imp_schema_absorb(imp_schema *g, imp_unpack *u, int levels_only);
/* Marks s for the level pass like g (the columns to rescan), for a fresh schema of one part. */
void imp_schema_rescan_like(imp_schema *s, const imp_schema *g);

/* issue 16 (import_area.c). Pass 1: the row's area, and that it lies in one region only (CS_EDATA
 * naming the line and both regions). Finish: the area names and their regions. Pass 2: the row's
 * area code. Clear: frees the area members. All are no-ops without --area. */
int imp_area_observe(imp_schema *s, const csv_record *rec);
int imp_area_finish(imp_schema *s);
int imp_area_encode(const imp_schema *s, const csv_record *rec, uint16_t *area);
/* After pass 1: the row's area lies in the region pass 1 gave it (the same refusal as pass 1's, so
 * that --on-bad-row skip skips the same rows in pass 2). */
int imp_area_check(const imp_schema *s, const csv_record *rec);
/* Adds area name (len bytes) to s's areas with region index parent when it is new (*added 1; an area
 * already there keeps its region, *added 0); *index is its index. Over the snapshot's limit of
 * areas: CS_EFORMAT naming the column. Pass 1 and the merge of the parts' areas share it. */
int imp_area_add(imp_schema *s, const char *name, size_t len, uint32_t parent, long *index, int *added);
void imp_area_clear(imp_schema *s);

/* Builds the roles of the header's columns. like may be NULL; with it the types and levels are those
 * of the earlier snapshot, a column it needs but the header lacks is an error, a header column it
 * does not have is ignored (imp_schema_report says so). Empty header names become column_N. On
 * success *out is owned by the caller (imp_schema_free). Errors (CS_EINVAL, *out NULL): a named
 * column (--label, --id, ...) not in the header, one column given two roles, a header name used
 * twice, --positive missing, a category of --like's snapshot that cannot be matched. */
int imp_schema_alloc(const csv_record *header, const imp_options *o, const imp_ref *like,
                     imp_schema **out);
void imp_schema_free(imp_schema *s); /* accepts NULL */

/* Whether rec is a good record, from its bytes and the options alone (the same answer in every
 * pass): CS_OK, or CS_EDATA with a message naming the line, the column and the value. */
int imp_schema_check(const imp_schema *s, const csv_record *rec);

/* Pass 1: checks rec (CS_EDATA: nothing was counted, the caller may skip the record) and counts it.
 * CS_ENOMEM when a level cannot be stored. */
int imp_schema_observe(imp_schema *s, const csv_record *rec);

/* 1 if a column turned to text after holding numbers: call imp_schema_rescan on every good record
 * (those imp_schema_check accepts) of one more pass before finishing. */
int imp_schema_needs_rescan(const imp_schema *s);
int imp_schema_rescan(imp_schema *s, const csv_record *rec);

/* Decides types, levels, indicators and names. Errors (CS_EDATA) name the column and, where one
 * value is to blame, its line: a text column with more levels than the cap (suggesting --id or
 * --ignore), a number beyond the float32 range, more than IMP_MAX_INDICATORS indicators, too many
 * regions or brands, two indicators with the same name, no rows. */
int imp_schema_finish(imp_schema *s);

/* Pass 2: the snapshot row of record rec. ordinal is the 1-based number of the record among all data
 * records (bad ones included), the id when there is no id column. x receives s->p floats (NaN =
 * missing), *label 1, 0 or -1 (untouched without a label or churn-type column; with a churn type but
 * no label, 1 for a type, 0 for none), *ctype 0, 1 or 2 (ctype may be NULL; untouched without a
 * churn-type column). Returns imp_schema_check's answer for bad records (which the caller skips as
 * pass 1 did). */
int imp_schema_encode(const imp_schema *s, const csv_record *rec, uint64_t ordinal, uint64_t *id,
                      uint16_t *region, uint8_t *brand, float *x, int8_t *label, int8_t *ctype);
/* The same for a record imp_schema_check has just accepted (a pass whose own check skips the bad
 * records, as import's pass 2 does): without checking it again, which with --like parsed every
 * number of the pass twice. CS_EDATA only for a value pass 1 did not see (the file changed). */
int imp_schema_encode_checked(const imp_schema *s, const csv_record *rec, uint64_t ordinal, uint64_t *id,
                              uint16_t *region, uint8_t *brand, float *x, int8_t *label, int8_t *ctype);

/* Whether the snapshot of s has labels (a label or a churn-type column) and churn types. */
int imp_schema_has_labels(const imp_schema *s);
int imp_schema_has_churn_type(const imp_schema *s);

/* Writes what the import found: rows, label counts, one line per column (type, missing, levels,
 * indicators) and the notices (columns ignored, unseen levels, rounding). */
void imp_schema_report(const imp_schema *s, FILE *out);

/* Parses "a,b,c" into a NULL-terminated array of n strings (one allocation; free() it). NULL on an
 * allocation failure. An empty string gives n = 0. */
char **imp_split_list(const char *s, size_t *n);

/* Reads what --like needs from a snapshot: its feature, region and brand names and, when it was
 * imported, its /import description. CS_EIO / CS_EFORMAT naming the file. Free with imp_ref_free. */
int imp_ref_read(const char *path, imp_ref **out);
void imp_ref_free(imp_ref *r); /* accepts NULL */

/* Adds the /import description of s to the snapshot file at path (closed, written by one process):
 * attributes csv, label, positive, id, region, brand; datasets columns, kind, level_count, levels.
 * CS_EIO naming the file. */
int imp_meta_write(const char *path, const imp_schema *s);

#endif
