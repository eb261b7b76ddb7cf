/* opts.h — one option table per subcommand drives parsing, --help and the printed settings.
 *
 * Borrowed from IOR's option tables: each subcommand declares an array of opt_def (name, kind, where
 * to store, help text); opt_parse fills the values and rejects unknown or malformed options with a
 * message naming the option; opt_help prints the table; opt_describe renders the values actually in
 * force (the model file stores it as the run's story).
 */
#ifndef CS_OPTS_H
#define CS_OPTS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { OPT_STR, OPT_INT, OPT_U64, OPT_DOUBLE, OPT_FLAG, OPT_BYTES } opt_kind;

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
} opt_def;

/* Parses argv[first..argc) against defs (terminated by a NULL name). Positional arguments (those
 * not starting with "--") are stored in pos[] up to max_pos. Returns CS_OK, CS_EINVAL with a
 * message, or OPT_HELP when --help was asked (help already printed). */
#define OPT_HELP (-1)
int opt_parse(opt_def *defs, int argc, char **argv, int first, const char *usage, char **pos,
              int max_pos, int *npos);
void opt_help(const opt_def *defs, const char *usage);
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
 * TEXT. (No field in opt_def yet: the option-table rework will give each option its own.) */
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

#endif
