/* status.c — the single place errors are recorded (see status.h). Also installs nothing by itself:
 * mpi/main.c replaces GSL's abort() handler with main_gsl_handler so GSL failures become CS_ENUM. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char status_msg[2048];
static const char *status_reason_ptr = status_msg;
static int status_last;

/* The message is formatted into a scratch buffer and copied in only when complete, because callers
 * often wrap the previous error ("boosted-tree options: %s", status_reason()): formatting straight
 * into status_msg would overwrite the argument while vsnprintf is still reading it (the garbled
 * "c:373: boosted-tree options: e positive" of issue 12). */
int status_set(int code, const char *file, int line, const char *fmt, ...)
{
    static char scratch[sizeof status_msg];
    const char *base = strrchr(file, '/');
    int n = snprintf(scratch, sizeof scratch, "%s:%d: ", base ? base + 1 : file, line);
    if (n < 0 || (size_t)n >= sizeof scratch) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(scratch + n, sizeof scratch - (size_t)n, fmt, ap);
    va_end(ap);
    memcpy(status_msg, scratch, sizeof status_msg);
    status_reason_ptr = status_msg + n;
    status_last = code;
    return code;
}

const char *status_message(void) { return status_msg; }
const char *status_reason(void) { return status_reason_ptr; }
int status_code(void) { return status_last; }

void status_clear(void)
{
    status_msg[0] = '\0';
    status_reason_ptr = status_msg;
    status_last = CS_OK;
}

void status_adopt(int code, const char *message)
{
    /* message may be status_msg itself or point into it: memmove, never snprintf onto itself */
    if (message != status_msg) {
        size_t len = strnlen(message, sizeof status_msg - 1);
        memmove(status_msg, message, len);
        status_msg[len] = '\0';
    }
    /* the reason is what follows "file:line: " when the message has that shape */
    const char *p = strstr(status_msg, ": ");
    status_reason_ptr = (p && strchr(status_msg, ':') < p + 1) ? p + 2 : status_msg;
    status_last = code;
}

const char *status_name(int code)
{
    switch (code) {
    case CS_OK: return "ok";
    case CS_EINVAL: return "invalid argument";
    case CS_ENOMEM: return "out of memory";
    case CS_EIO: return "i/o error";
    case CS_EFORMAT: return "format error";
    case CS_EDATA: return "data error";
    case CS_ENUM: return "numerical error";
    case CS_EMPI: return "error on another rank";
    default: return "internal error";
    }
}
