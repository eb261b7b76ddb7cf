/* log.c — see log.h. Writes to stderr so that stdout stays clean for --json output. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static int log_rank_ = 0, log_nranks_ = 1, log_verbose_ = 0, log_quiet_ = 0;
static double log_t0 = 0.0;

void log_init(int rank, int nranks, int verbose, int quiet)
{
    log_rank_ = rank;
    log_nranks_ = nranks;
    log_verbose_ = verbose;
    log_quiet_ = quiet;
    log_t0 = MPI_Wtime();
}

int log_rank(void) { return log_rank_; }
int log_nranks(void) { return log_nranks_; }
double log_elapsed(void) { return MPI_Wtime() - log_t0; }

static void log_vline(const char *tag, const char *fmt, va_list ap)
{
    char buf[4096];
    vsnprintf(buf, sizeof buf, fmt, ap);
    if (log_nranks_ > 1 && (log_verbose_ || log_rank_ != 0))
        fprintf(stderr, "[%8.2fs] [rank %d] %s%s\n", log_elapsed(), log_rank_, tag, buf);
    else
        fprintf(stderr, "[%8.2fs] %s%s\n", log_elapsed(), tag, buf);
    fflush(stderr);
}

void log_info(const char *fmt, ...)
{
    if (log_quiet_ || (log_rank_ != 0 && !log_verbose_)) return;
    va_list ap;
    va_start(ap, fmt);
    log_vline("", fmt, ap);
    va_end(ap);
}

void log_debug(const char *fmt, ...)
{
    if (!log_verbose_) return;
    va_list ap;
    va_start(ap, fmt);
    log_vline("debug: ", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[4096];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "churnscore: error: %s\n", buf);
    fflush(stderr);
}

void log_fatal_at(const char *file, int line, int code, const char *fmt, ...)
{
    const char *base = strrchr(file, '/');
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "[rank %d] %s:%d: %s\n", log_rank_, base ? base + 1 : file, line, buf);
    fflush(stderr);
    fflush(stdout);
    /* MPI_Abort, not exit(): exit on one rank would leave the others waiting in a collective. */
    MPI_Abort(MPI_COMM_WORLD, code ? code : 1);
    for (;;) {
    }
}

double log_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0.0;
    return (double)ru.ru_maxrss * 1024.0;
}
