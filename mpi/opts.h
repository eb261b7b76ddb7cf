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

#endif
