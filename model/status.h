/* status.h — the one status enum and error macro shared by every module.
 *
 * Every function that can fail returns an int from this enum (0 is success) and sends results out
 * through pointers; allocators return NULL. CS_ERROR records file, line and a formatted reason in one
 * place (status_set) and returns the code, so a single breakpoint on status_set catches every error.
 * The message buffer is the only error state; the pipeline in mpi/ reads it when ranks agree to stop.
 * This file lives in model/ because model/ is the lowest layer: io/ and mpi/ include it too.
 */
#ifndef CS_STATUS_H
#define CS_STATUS_H

#include <stddef.h>

enum {
    CS_OK = 0,
    CS_EINVAL = 1,   /* bad argument or option */
    CS_ENOMEM = 2,   /* allocation failed or memory budget exceeded */
    CS_EIO = 3,      /* file cannot be opened, read or written */
    CS_EFORMAT = 4,  /* file is not what it should be: kind, version, dataset, type, shape */
    CS_EDATA = 5,    /* the content is wrong: out-of-range index, duplicate id, bad value */
    CS_ENUM = 6,     /* numerical failure: singular matrix, no convergence */
    CS_EMPI = 7,     /* another rank failed or MPI itself failed */
    CS_EINTERNAL = 8 /* a bug: an invariant did not hold */
};

/* Records the reason for an error and returns code. fmt is printf-style. Thread-unsafe by design:
 * one rank is one thread. */
int status_set(int code, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The last recorded message ("file:line: reason") and code; "" and 0 after status_clear. */
const char *status_message(void);
const char *status_reason(void); /* the reason alone, without file:line */
int status_code(void);
void status_clear(void);
/* Replaces the message and code with ones received from another rank (message already formatted). */
void status_adopt(int code, const char *message);

/* A short name for a code, e.g. "format error". */
const char *status_name(int code);

#define CS_ERROR(code, ...) status_set((code), __FILE__, __LINE__, __VA_ARGS__)

/* Propagate a failing status unchanged. */
#define CS_TRY(expr)                                                                               \
    do {                                                                                           \
        int cs_try_rc_ = (expr);                                                                   \
        if (cs_try_rc_ != CS_OK) return cs_try_rc_;                                                \
    } while (0)

#endif
