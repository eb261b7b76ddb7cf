/* opts.h — the option parser and the one option table of every command (options.c): parsing,
 * --help, the man pages (made from --help) and the printed settings all come from it.
 *
 * Borrowed from IOR's option tables. The parser works on an array of opt_def (name, kind, where to
 * store, help, range): opt_parse fills the values and rejects unknown or malformed options with a
 * message naming the option; opt_help prints the array; opt_describe renders the values actually in
 * force (model and scores files store it as the run's settings). The commands do not write opt_def
 * arrays themselves: options_parse builds one from options_table for a command (below).
 */
#ifndef CS_OPTS_H
#define CS_OPTS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* OPT_MONTH: a "YYYY-MM" text (month 01..12), stored as a string like OPT_STR. */
typedef enum { OPT_STR, OPT_INT, OPT_U64, OPT_DOUBLE, OPT_FLAG, OPT_BYTES, OPT_MONTH } opt_kind;

typedef struct {
    const char *name;  /* long name without dashes */
    opt_kind kind;
    void *value;       /* char** / long* / uint64_t* / double* / int* / uint64_t* */
    const char *help;  /* one line; --help adds "(required)" for required options */
    int required;
    int seen;          /* set by opt_parse */
    /* optional closed range [lo, hi] of an OPT_INT, OPT_U64, OPT_DOUBLE or OPT_BYTES value, checked
     * by opt_parse and printed by --help; lo = hi = 0 (left out of the initializer): none beyond the
     * kind's own (integers whole, doubles finite, sizes whole bytes). hi may be HUGE_VAL. */
    double lo, hi;
    /* the rest come from the one option table (options.c); NULL/0 in a hand-written table */
    const char *meta;     /* placeholder --help shows for the value: FILE, DIR, BYTES, K, YYYY-MM */
    const char *choices;  /* OPT_STR: "a|b|c", the only values accepted */
    const char *special;  /* more values accepted besides the range: "auto", "-1", "auto|none" (an OPT_STR
                           * with a range takes whole numbers in it, or this word) */
    int open_lo, open_hi; /* the range leaves out lo / hi: (0, inf), [0, 1) */
    const char *unset;    /* what --help says of a value with no default ("none") */
} opt_def;

/* Parses argv[first..argc) against defs (terminated by a NULL name). Positional arguments (those
 * not starting with "--") are stored in pos[] up to max_pos. Returns CS_OK, CS_EINVAL with a
 * message, or OPT_HELP when --help was asked (help already printed). */
#define OPT_HELP (-1)
int opt_parse(opt_def *defs, int argc, char **argv, int first, const char *usage, char **pos,
              int max_pos, int *npos);
void opt_help(const opt_def *defs, const char *usage);
/* Reads v into d's value as opt_parse does for "--name v" (kind, range, choices): CS_OK or
 * CS_EINVAL with the message. */
int opt_set_value(opt_def *d, const char *v);
/* "name=value name=value ..." of every option (defaults included). Caller frees. */
char *opt_describe(const opt_def *defs);
/* Parses sizes like 2G, 512M, 1.5G, 1000000 (K, M, G, T are powers of 1024, an optional i and B may
 * follow) into bytes: CS_EINVAL for anything that is not a whole number of bytes below 2^63 (0.1, a
 * negative size, nan, inf). Leaves no message: the caller names the option. */
int opt_parse_bytes(const char *s, uint64_t *out);
/* Writes bytes as the shortest exact size opt_parse_bytes reads back: 2G, 256M, 1536K, 1000. */
void opt_format_bytes(uint64_t bytes, char *buf, size_t n);
/* The placeholder --help shows for d's value, from the help text when it starts with one ("a|b|c:",
 * "COL,...:"), else from the option's name and kind: FILE, DIR, PREFIX, K, COL, YYYY-MM, BYTES, N, X,
 * TEXT; an option of the table has its own (opt_def.meta), which wins. */
const char *opt_meta(const opt_def *d);

/* The per-rank memory budget inside a Slurm job, from the environment Slurm gives each task: the
 * task's memory is SLURM_MEM_PER_CPU x SLURM_CPUS_PER_TASK (1 when unset), or else
 * SLURM_MEM_PER_NODE / the most tasks of the step (or job) on one node (SLURM_STEP_TASKS_PER_NODE,
 * SLURM_TASKS_PER_NODE, e.g. "2(x3),1"); the budget keeps back a margin of OPT_SLURM_MARGIN_PCT
 * percent plus OPT_SLURM_MARGIN_FIXED bytes for what --memory does not count (MPI and HDF5
 * buffers, the program, the C library), and is half the task's memory when that leaves less. Returns
 * 1 and fills *bytes and why (what it came from, for the log) inside a job that states its memory;
 * 0 (nothing written) outside Slurm or where it does not. The same on every rank of a job: it reads
 * job-wide variables only. */
#define OPT_SLURM_MARGIN_PCT 10
#define OPT_SLURM_MARGIN_FIXED ((uint64_t)64 << 20)
int opt_slurm_memory(uint64_t *bytes, char *why, size_t n);

/* ---- the one option table (options.c) ----
 * Every option of every command is one row of options_table: its kind, placeholder, default (text,
 * read by the same parser as the command line, so a default is in its own range), range or
 * choices, help, and the commands it belongs to. An option several commands take is one row with
 * one meaning. A command binds the rows of its commands to the fields of its own options struct by
 * name (opt_bind) and calls options_parse, which sets every default, parses argv and checks every
 * range; --help (options_help) and the settings a model or scores file records (options_describe)
 * come from the same rows. */
enum {
    OPT_CMD_GENERATE = 1 << 0,
    OPT_CMD_INSPECT = 1 << 1,
    OPT_CMD_TRAIN = 1 << 2,
    OPT_CMD_SCORE = 1 << 3,
    OPT_CMD_IMPORT = 1 << 4,
    OPT_CMD_EVALUATE = 1 << 5,
    OPT_CMD_REPORT = 1 << 6,
    OPT_CMD_ANALYZE = 1 << 7,
    OPT_CMD_SELECT = 1 << 8,
};

typedef struct {
    const char *name;   /* long name without dashes */
    unsigned cmds;      /* OPT_CMD_* it belongs to */
    unsigned required;  /* OPT_CMD_* where it must be given */
    opt_kind kind;
    const char *meta;   /* placeholder (NULL: from the kind: N, X, BYTES, TEXT) */
    const char *def;    /* default as it would be written on the command line; NULL: none */
    double lo, hi;      /* range, as in opt_def; lo = hi = 0: none */
    int open_lo, open_hi;
    const char *special, *choices, *unset; /* as in opt_def */
    const char *help;
} opt_spec;

typedef struct {
    const char *name;
    void *value; /* char** / long* / uint64_t* / double* / int* by the row's kind */
} opt_bind;

#define OPT_MAX_PER_CMD 48
typedef struct {
    unsigned cmd;
    const char *usage;
    opt_def defs[OPT_MAX_PER_CMD + 1];
} opt_table;

extern const opt_spec options_table[];  /* terminated by a NULL name */
/* "churnscore train --in FILE ..." of one OPT_CMD_* (NULL for an unknown one). */
const char *options_usage(unsigned cmd);
/* Builds t for cmd from the table and binds (NULL-name terminated; CS_EINTERNAL when a row of cmd
 * has no binding or a binding no row), sets every default, then parses argv from argv[2] on as
 * opt_parse does: CS_OK, CS_EINVAL with a message, or OPT_HELP (help printed on rank 0). */
int options_parse(unsigned cmd, const opt_bind *binds, opt_table *t, int argc, char **argv, char **pos,
                  int max_pos, int *npos);
/* opt_describe of the command's values (what a model or scores file records). Caller frees. */
char *options_describe(const opt_table *t);

#endif
