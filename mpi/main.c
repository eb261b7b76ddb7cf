/* main.c — the `churnscore` command: MPI set-up, library error handlers, and dispatch to the
 * subcommands of cmd.h. The exit status is the agreed status code of the command (see README, "Exit
 * codes"): every rank returns the same one, and only rank 0 prints the error message.
 */
#include "cmd.h"
#include "h5util.h"
#include "log.h"
#include "status.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* OpenBLAS spawns its own threads; with one MPI rank per core they would oversubscribe the cores,
 * and a thread count that varies with the machine could change how BLAS splits (and rounds) a
 * product. Weak, so any other CBLAS links too. */
extern void openblas_set_num_threads(int) __attribute__((weak));

/* GSL's default handler calls abort(): turn its errors into our status instead. */
static void main_gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    status_set(CS_ENUM, file, line, "GSL: %s (%s)", reason, gsl_strerror(gsl_errno));
}

typedef struct {
    const char *name;
    cmd_fn fn;
    const char *summary;
} main_cmd;

static const main_cmd main_cmds[] = {
    {"generate", cmd_generate, "write a synthetic operator's snapshot (with the truth)"},
    {"inspect", cmd_inspect, "say what a snapshot, model or scores file holds (--json)"},
    {"train", cmd_train, "screen indicators, factor analysis, logistic churn model -> model file"},
    {"score", cmd_score, "score every subscriber and write ranked early-warning lists per region"},
    {"import", cmd_import, "turn an operator's CSV extract into a snapshot"},
    {"evaluate", cmd_evaluate, "check last month's lists against this month's outcomes"},
    {"report", cmd_report, "a month's report as a self-contained HTML page with charts"},
    {"analyze", cmd_analyze, "the month's churn, suspension, forwarding, traffic and big-customer reports"},
    {"select", cmd_select, "save any group of a scored month (--where EXPR) as a ranked list"},
    {NULL, NULL, NULL},
};

static void main_usage(void)
{
    printf("usage: [mpirun -n R] churnscore COMMAND [options]   (COMMAND --help for its options)\n\n"
           "commands:\n");
    for (const main_cmd *c = main_cmds; c->name; c++) printf("  %-10s %s\n", c->name, c->summary);
    printf("\nglobal options (before or after COMMAND): --verbose (every rank logs), --quiet, "
           "--version (-V), --help (-h)\n"
           "\nInside a Slurm job, --memory defaults to the job's memory per task less 10%% and 64M (see\n"
           "COMMAND --help and the log); elsewhere to the built-in default each command lists.\n");
}

/* A churnscore started without mpirun or srun is an MPI singleton: one rank, no peers, no spawn.
 * Open MPI 4 then starts a helper daemon (orted) and tries the UCX transport, which took 0.3 of the
 * 0.37 s of MPI_Init and MPI_Finalize, on every command of a one-rank run (issue 20, the 1-rank
 * import against fread). One rank needs neither: the daemon only serves MPI_Comm_spawn, and ob1
 * carries a rank's messages to itself. Set only when no launcher is seen (mpirun sets
 * OMPI_COMM_WORLD_SIZE, srun's PMIx or PMI2 set PMIX_RANK or PMI_RANK) and only where the user set
 * nothing (setenv does not overwrite); another MPI ignores the names. */
static void main_singleton_env(void)
{
    if (getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK") || getenv("PMI_FD"))
        return;
    setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
    setenv("OMPI_MCA_pml", "ob1", 0);
}

/* OpenBLAS starts its thread pool when it is loaded, before main, from OPENBLAS_NUM_THREADS (else
 * the core count), and each pool thread spins on sched_yield for about 0.1 s of CPU before it
 * sleeps: on every command, on every rank, taking a core from the ranks beside it (issue 20: a
 * second thread busy for the first 0.1 s of each import). openblas_set_num_threads comes too late
 * for that. So without the variable the program runs its binary again with it set to 1, before MPI is
 * started (the same process: a launcher sees nothing); where the exec fails it goes on as it is. */
static void main_blas_env(char **argv)
{
    if (getenv("OPENBLAS_NUM_THREADS")) return;
    /* the binary's own path, not /proc/self/exe, so that the process keeps its name (ps, pgrep -x
     * churnscore, Slurm's accounting) */
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0 || (size_t)n >= sizeof self - 1) return;
    self[n] = '\0';
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    execv(self, argv);
    unsetenv("OPENBLAS_NUM_THREADS"); /* the exec failed: as before, the pool and all */
}

int main(int argc, char **argv)
{
    main_blas_env(argv);
    main_singleton_env();
    MPI_Init(&argc, &argv);
    cmd_ctx ctx = {.comm = MPI_COMM_WORLD};
    MPI_Comm_rank(ctx.comm, &ctx.rank);
    MPI_Comm_size(ctx.comm, &ctx.nranks);
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    gsl_set_error_handler(main_gsl_handler);
    h5util_quiet();

    /* Global flags are removed from argv so the subcommands see only their own options. */
    int quiet = 0, version = 0, k = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--verbose") == 0) ctx.verbose = 1;
        else if (strcmp(argv[i], "--quiet") == 0) quiet = 1;
        else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) version = 1;
        else argv[k++] = argv[i];
    }
    argc = k;
    log_init(ctx.rank, ctx.nranks, ctx.verbose, quiet);

    int rc = CS_OK;
    if (version) {
        if (ctx.rank == 0) printf("%s\n", cmd_version());
    } else if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
               strcmp(argv[1], "help") == 0) {
        if (ctx.rank == 0) main_usage();
        if (argc < 2) rc = CS_EINVAL;
    } else {
        const main_cmd *c = main_cmds;
        while (c->name && strcmp(c->name, argv[1]) != 0) c++;
        if (!c->name) {
            rc = CS_ERROR(CS_EINVAL, "unknown command '%s' (see churnscore --help)", argv[1]);
            if (ctx.rank == 0) log_error("%s", status_reason());
        } else {
            rc = c->fn(&ctx, argc, argv);
            if (rc != CS_OK && ctx.rank == 0)
                log_error("%s", ctx.verbose ? status_message() : status_reason());
        }
    }
    /* HDF5 shut down here, on every rank, while MPI still works: left to the hook HDF5 hangs on
     * MPI_COMM_SELF, it would close what is left open from inside MPI_Finalize */
    H5close();
    MPI_Finalize();
    return rc;
}
