/* opts.c — see opts.h. Only rank 0 prints help; every rank parses the same argv identically, so
 * all ranks reach the same decision without communicating. */
#include "opts.h"

#include "log.h"
#include "status.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int opt_parse_bytes(const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0) return CS_EINVAL;
    double mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1024.0; end++; break;
    case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mul = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'i' || *end == 'B') end++;
    if (*end == 'B') end++;
    if (*end) return CS_EINVAL;
    double b = v * mul;
    /* a size is a whole number of bytes: "0.1" (0 bytes once truncated) is a typo, not a budget */
    if (b != floor(b) || b >= 9223372036854775808.0) return CS_EINVAL;
    *out = (uint64_t)b;
    return CS_OK;
}

/* The kind of value an option takes, for messages. */
static const char *opt_kind_name(opt_kind k)
{
    switch (k) {
    case OPT_INT:
    case OPT_U64: return "a whole number";
    case OPT_DOUBLE: return "a finite number";
    case OPT_BYTES: return "a size in bytes (e.g. 2G, 512M, 1000000)";
    default: return "a value";
    }
}

/* x in the shortest form that reads back exactly */
static void opt_num(double x, char *buf, size_t n)
{
    snprintf(buf, n, "%.15g", x);
    if (strtod(buf, NULL) != x) snprintf(buf, n, "%.17g", x);
}

/* The range of d as text (">= 1", "0 to 1", "> 0", ">= 0 and < 1", "1 to 64, or auto", "pa or ml"),
 * or "" when it has none. */
static void opt_range_text(const opt_def *d, char *buf, size_t n)
{
    buf[0] = '\0';
    if (d->choices) {
        /* "a|b|c" -> "a, b or c" */
        size_t k = 0;
        const char *c = d->choices;
        while (*c && k + 4 < n) {
            size_t len = strcspn(c, "|");
            const char *next = c[len] ? c + len + 1 : c + len;
            int last = !strchr(c, '|'), second_last = !last && !strchr(next, '|');
            k += (size_t)snprintf(buf + k, n - k, "%.*s%s", (int)len, c, last ? "" : second_last ? " or " : ", ");
            c = next;
        }
        return;
    }
    if (d->lo == 0 && d->hi == 0) return;
    const char *ge = d->open_lo ? ">" : ">=", *le = d->open_hi ? "<" : "<=";
    char lo[32], hi[32];
    opt_num(d->lo, lo, sizeof lo);
    opt_num(d->hi, hi, sizeof hi);
    if (isinf(d->hi)) snprintf(buf, n, "%s %s", ge, lo);
    else if (!d->open_lo && !d->open_hi) snprintf(buf, n, "%s to %s", lo, hi);
    else snprintf(buf, n, "%s %s and %s %s", ge, lo, le, hi);
    if (d->special) {
        size_t k = strlen(buf);
        snprintf(buf + k, n - k, ", or %s", d->special);
    }
}

/* Whether x lies in d's range (always, without one). */
static int opt_in_range(const opt_def *d, double x)
{
    if (d->lo == 0 && d->hi == 0) return 1;
    int lo_ok = d->open_lo ? x > d->lo : x >= d->lo, hi_ok = d->open_hi ? x < d->hi : x <= d->hi;
    return lo_ok && hi_ok;
}

/* YYYY-MM with a month 01..12 */
static int opt_month_ok(const char *m)
{
    if (strlen(m) != 7 || m[4] != '-') return 0;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit((unsigned char)m[i])) return 0;
    int mo = (m[5] - '0') * 10 + (m[6] - '0');
    return mo >= 1 && mo <= 12;
}

void opt_format_bytes(uint64_t bytes, char *buf, size_t n)
{
    static const char unit[] = "KMGT";
    int u = -1;
    while (bytes && u < 3 && bytes % 1024 == 0) {
        bytes /= 1024;
        u++;
    }
    if (u < 0) snprintf(buf, n, "%llu", (unsigned long long)bytes);
    else snprintf(buf, n, "%llu%c", (unsigned long long)bytes, unit[u]);
}

const char *opt_meta(const opt_def *d)
{
    static const struct {
        const char *name, *meta;
    } by_name[] = {
        {"in", "FILE"}, {"model", "FILE"}, {"report", "FILE"}, {"csv", "FILE"}, {"follows", "FILE"},
        {"like", "FILE"}, {"outcomes", "FILE"}, {"previous", "FILE"}, {"snapshot", "FILE"},
        {"train", "FILE"}, {"lists", "DIR"}, {"month", "YYYY-MM"}, {"id", "COL"}, {"region", "COL"},
        {"brand", "COL"}, {"label", "COL"}, {"delimiter", "CHAR"}, {"positive", "VALUE"},
        {"factors", "K|auto"}, {"rank-by", "probability|value_at_risk"}, {"top", "K"},
    };
    /* the help text may start with its own placeholder: "fail|skip: ...", "COL,...: ..." */
    if (d->meta) return d->meta;
    static char own[64];
    const char *colon = strchr(d->help, ':');
    size_t len = colon ? (size_t)(colon - d->help) : 0;
    if (len > 0 && len < sizeof own && strcspn(d->help, " ") > len &&
        (memchr(d->help, '|', len) || isupper((unsigned char)d->help[0]))) {
        memcpy(own, d->help, len);
        own[len] = '\0';
        return own;
    }
    switch (d->kind) {
    case OPT_FLAG: return "";
    case OPT_BYTES: return "BYTES";
    case OPT_DOUBLE: return "X";
    default: break;
    }
    for (size_t i = 0; i < sizeof by_name / sizeof by_name[0]; i++)
        if (strcmp(d->name, by_name[i].name) == 0) return by_name[i].meta;
    if (strcmp(d->name, "out") == 0) return strstr(d->help, "PREFIX") ? "PREFIX" : "FILE";
    return d->kind == OPT_STR ? "TEXT" : "N";
}

/* The most tasks on one node in Slurm's compressed list "2(x3),1": 0 when it cannot be read. */
static long opt_slurm_max_tasks(const char *s)
{
    long most = 0;
    while (s && *s) {
        char *end = NULL;
        long t = strtol(s, &end, 10);
        if (end == s || t <= 0) return 0;
        if (t > most) most = t;
        s = end;
        if (*s == '(') s = strchr(s, ')') ? strchr(s, ')') + 1 : NULL;
        if (s && *s == ',') s++;
        else if (s && *s) return 0;
    }
    return most;
}

/* A positive count of megabytes from the environment (Slurm's unit for memory), else 0. */
static uint64_t opt_env_mb(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    return errno || end == v || *end || x == 0 ? 0 : (uint64_t)x;
}

int opt_slurm_memory(uint64_t *bytes, char *why, size_t n)
{
    if (!getenv("SLURM_JOB_ID")) return 0;
    uint64_t task = 0;
    char src[160];
    uint64_t per_cpu = opt_env_mb("SLURM_MEM_PER_CPU"), per_node = opt_env_mb("SLURM_MEM_PER_NODE");
    if (per_cpu) {
        uint64_t cpus = opt_env_mb("SLURM_CPUS_PER_TASK");  /* a count, read the same way */
        if (!cpus) cpus = 1;
        task = (per_cpu << 20) * cpus;
        snprintf(src, sizeof src, "SLURM_MEM_PER_CPU=%lluM x SLURM_CPUS_PER_TASK=%llu",
                 (unsigned long long)per_cpu, (unsigned long long)cpus);
    } else if (per_node) {
        const char *var = "SLURM_STEP_TASKS_PER_NODE";
        long tasks = opt_slurm_max_tasks(getenv(var));
        if (tasks <= 0) tasks = opt_slurm_max_tasks(getenv(var = "SLURM_TASKS_PER_NODE"));
        if (tasks <= 0) tasks = 1, var = "one task";
        task = (per_node << 20) / (uint64_t)tasks;
        snprintf(src, sizeof src, "SLURM_MEM_PER_NODE=%lluM / %ld tasks on a node (%s)",
                 (unsigned long long)per_node, tasks, var);
    } else {
        return 0;
    }
    uint64_t keep = task / 100 * OPT_SLURM_MARGIN_PCT + OPT_SLURM_MARGIN_FIXED;
    *bytes = keep < task / 2 ? task - keep : task / 2;
    char t[32];
    opt_format_bytes(task, t, sizeof t);
    snprintf(why, n, "Slurm job %s: %s = %s per task, less %d%% and 64M for MPI, HDF5 and the program",
             getenv("SLURM_JOB_ID"), src, t, OPT_SLURM_MARGIN_PCT);
    return 1;
}

/* Whether v is one of the special words ("auto", or "auto|none": any of them). */
static int opt_special_is(const char *special, const char *v)
{
    size_t len = strlen(v);
    for (const char *c = special; *c;) {
        size_t cl = strcspn(c, "|");
        if (cl == len && strncmp(c, v, len) == 0) return 1;
        c += cl;
        if (*c) c++;
    }
    return 0;
}

int opt_set_value(opt_def *d, const char *v)
{
    char *end = NULL;
    double x = 0; /* the value, for the range check */
    errno = 0;
    if (d->special && opt_special_is(d->special, v)) {
        /* the one value outside the range ("auto", "-1"): stored as the kind stores it */
        if (d->kind == OPT_STR) *(const char **)d->value = v;
        else if (d->kind == OPT_INT) *(long *)d->value = strtol(v, NULL, 10);
        else if (d->kind == OPT_DOUBLE) *(double *)d->value = strtod(v, NULL);
        else return CS_ERROR(CS_EINTERNAL, "option --%s: a special value of this kind", d->name);
        return CS_OK;
    }
    switch (d->kind) {
    case OPT_STR: {
        if (d->choices) {
            size_t len = strlen(v);
            for (const char *c = d->choices; *c;) {
                size_t cl = strcspn(c, "|");
                if (cl == len && strncmp(c, v, len) == 0) {
                    *(const char **)d->value = v;
                    return CS_OK;
                }
                c += cl;
                if (*c) c++;
            }
            goto range;
        }
        if (d->lo != 0 || d->hi != 0) {
            /* a whole number in the range (or the special word, above) */
            long l = strtol(v, &end, 10);
            if (errno || end == v || *end) goto range;
            if (!opt_in_range(d, (double)l)) goto range;
        }
        *(const char **)d->value = v;
        return CS_OK;
    }
    case OPT_MONTH:
        if (!opt_month_ok(v)) return CS_ERROR(CS_EINVAL, "option --%s: '%s' is not YYYY-MM", d->name, v);
        *(const char **)d->value = v;
        return CS_OK;
    case OPT_INT: {
        long l = strtol(v, &end, 10);
        if (errno || end == v || *end) goto bad;
        x = (double)l;
        if (!opt_in_range(d, x)) goto range;
        *(long *)d->value = l;
        return CS_OK;
    }
    case OPT_U64: {
        if (v[0] == '-') goto bad;
        unsigned long long u = strtoull(v, &end, 10);
        if (errno || end == v || *end) {
            /* 1e6 style counts, when they are whole numbers a double holds exactly (1.9, 0.7, nan
             * and inf are not counts) */
            errno = 0;
            double dv = strtod(v, &end);
            if (errno || end == v || *end || !isfinite(dv) || dv < 0 || dv != floor(dv) ||
                dv > 9007199254740992.0)
                goto bad;
            u = (unsigned long long)dv;
        }
        x = (double)u;
        if (!opt_in_range(d, x)) goto range;
        *(uint64_t *)d->value = u;
        return CS_OK;
    }
    case OPT_DOUBLE: {
        x = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(x)) goto bad;
        if (!opt_in_range(d, x)) goto range;
        *(double *)d->value = x;
        return CS_OK;
    }
    case OPT_BYTES: {
        uint64_t b = 0;
        if (opt_parse_bytes(v, &b) != CS_OK) goto bad;
        x = (double)b;
        if (!opt_in_range(d, x)) goto range;
        *(uint64_t *)d->value = b;
        return CS_OK;
    }
    case OPT_FLAG: *(int *)d->value = 1; return CS_OK;
    }
bad:
    return CS_ERROR(CS_EINVAL, "option --%s: '%s' is not %s", d->name, v, opt_kind_name(d->kind));
range: {
        char r[96];
        opt_range_text(d, r, sizeof r);
        if (d->choices) return CS_ERROR(CS_EINVAL, "option --%s: '%s' is not %s", d->name, v, r);
        return CS_ERROR(CS_EINVAL, "option --%s: '%s' is out of range (%s)", d->name, v, r);
    }
}

int opt_parse(opt_def *defs, int argc, char **argv, int first, const char *usage, char **pos,
              int max_pos, int *npos)
{
    int np = 0;
    /* A --memory budget left to its default follows the Slurm job's memory per task: set before the
     * options are read, so --help shows it and --memory still overrides it. */
    opt_def *mem = NULL;
    char mem_why[256] = "";
    for (opt_def *x = defs; x->name; x++)
        if (x->kind == OPT_BYTES && strcmp(x->name, "memory") == 0) mem = x;
    if (mem && !opt_slurm_memory((uint64_t *)mem->value, mem_why, sizeof mem_why))
        snprintf(mem_why, sizeof mem_why, "the built-in default: not in a Slurm job that states its memory");
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            if (log_rank() == 0) opt_help(defs, usage);
            return OPT_HELP;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (np >= max_pos) return CS_ERROR(CS_EINVAL, "unexpected argument '%s' (see --help)", a);
            pos[np++] = argv[i];
            continue;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        opt_def *d = NULL;
        for (opt_def *x = defs; x->name; x++)
            if (strlen(x->name) == len && strncmp(x->name, name, len) == 0) d = x;
        if (!d) return CS_ERROR(CS_EINVAL, "unknown option '%s' (see --help)", a);
        d->seen = 1;
        if (d->kind == OPT_FLAG) {
            if (eq) return CS_ERROR(CS_EINVAL, "option --%s takes no value", d->name);
            *(int *)d->value = 1;
            continue;
        }
        const char *v = eq ? eq + 1 : NULL;
        if (!v) {
            if (i + 1 >= argc) return CS_ERROR(CS_EINVAL, "option --%s needs a value", d->name);
            v = argv[++i];
        }
        CS_TRY(opt_set_value(d, v));
    }
    for (opt_def *x = defs; x->name; x++)
        if (x->required && !x->seen)
            return CS_ERROR(CS_EINVAL, "option --%s is required (see --help)", x->name);
    if (mem) {
        /* "churnscore score --in ..." -> "score" */
        const char *cmd = strchr(usage, ' ');
        cmd = cmd ? cmd + 1 : usage;
        char b[32];
        opt_format_bytes(*(uint64_t *)mem->value, b, sizeof b);
        log_info("%.*s: memory budget %s per rank (%s)", (int)strcspn(cmd, " "), cmd, b,
                 mem->seen ? "--memory" : mem_why);
    }
    if (npos) *npos = np;
    return CS_OK;
}

static void opt_value(const opt_def *d, char *buf, size_t n)
{
    switch (d->kind) {
    case OPT_STR:
    case OPT_MONTH: {
        const char *s = *(const char **)d->value;
        snprintf(buf, n, "%s", s ? s : "");
        break;
    }
    case OPT_INT: snprintf(buf, n, "%ld", *(long *)d->value); break;
    case OPT_U64: snprintf(buf, n, "%llu", (unsigned long long)*(uint64_t *)d->value); break;
    /* sizes as an admin writes them (2G), exact: opt_format_bytes uses a unit only when it divides */
    case OPT_BYTES: opt_format_bytes(*(uint64_t *)d->value, buf, n); break;
    case OPT_DOUBLE: {
        /* shortest form that reads back exactly */
        double v = *(double *)d->value;
        snprintf(buf, n, "%.15g", v);
        if (strtod(buf, NULL) != v) snprintf(buf, n, "%.17g", v);
        break;
    }
    case OPT_FLAG: snprintf(buf, n, "%s", *(int *)d->value ? "yes" : "no"); break;
    }
}

void opt_help(const opt_def *defs, const char *usage)
{
    printf("usage: %s\n\noptions:\n", usage);
    for (const opt_def *d = defs; d->name; d++) {
        char v[256];
        opt_value(d, v, sizeof v);
        char left[96];
        snprintf(left, sizeof left, "--%s%s%s", d->name, d->kind == OPT_FLAG ? "" : " ", opt_meta(d));
        /* a long placeholder pushes the text to the next line, where it starts in the same column */
        if (strlen(left) > 24) printf("  %s\n  %-24s", left, "");
        else printf("  %-24s", left);
        printf(" %s%s", d->help,
               d->required && !strstr(d->help, "(required)") ? " (required)" : "");
        char r[96];
        opt_range_text(d, r, sizeof r);
        /* choices are the placeholder already (pa|ml) */
        if (r[0] && !(d->choices && d->meta && strcmp(d->meta, d->choices) == 0)) printf(" [%s]", r);
        if (!d->required && d->kind != OPT_FLAG)
            printf(" [default: %s]", v[0] ? v : d->unset ? d->unset : "none");
        printf("\n");
    }
    printf("  %-24s %s\n", "--help, -h", "print this help");
    printf("\nglobal options (any command): --verbose (every rank logs), --quiet (errors only), "
           "--version (-V)\n");
}

char *opt_describe(const opt_def *defs)
{
    size_t cap = 256, len = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    s[0] = '\0';
    for (const opt_def *d = defs; d->name; d++) {
        char v[512];
        opt_value(d, v, sizeof v);
        size_t need = strlen(d->name) + strlen(v) + 3;
        if (len + need + 1 > cap) {
            cap = (len + need + 1) * 2;
            char *t = realloc(s, cap);
            if (!t) {
                free(s);
                return NULL;
            }
            s = t;
        }
        len += (size_t)snprintf(s + len, cap - len, "%s%s=%s", len ? " " : "", d->name, v);
    }
    return s;
}
