/* log.h — the logger: the only global mutable state of the program.
 *
 * Lines carry the elapsed time and, for messages from other ranks, the rank. By default only rank 0
 * prints informational lines (one voice for a job of hundreds of ranks); --verbose lets every rank
 * speak. Errors are printed by whoever calls log_error; the pipelines agree on every status
 * (red_agree in reduce.h), so that a failure reaches the user once, from rank 0.
 */
#ifndef CS_LOG_H
#define CS_LOG_H

#include <mpi.h>

/* Sets the rank and verbosity; called once after MPI_Init. quiet suppresses informational lines. */
void log_init(int rank, int nranks, int verbose, int quiet);
int log_rank(void);
int log_nranks(void);
double log_elapsed(void); /* seconds since log_init */

/* Informational line, printed by rank 0 (every rank with --verbose), to stderr. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Debug line, printed only with --verbose, by every rank. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Error line from this rank, always printed: "churnscore: error: ..." */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Where ranks cannot agree on a failure (a collective is already under way): print
 * "[rank r] file:line: message", flush, and MPI_Abort the whole job with the status code. Used only
 * where a normal agreement would hang. */
_Noreturn void log_fatal_at(const char *file, int line, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define LOG_FATAL(code, ...) log_fatal_at(__FILE__, __LINE__, (code), __VA_ARGS__)

/* Peak resident set size of this process in bytes (from getrusage). */
double log_peak_rss(void);

#endif
