/* failalloc.c — an LD_PRELOAD library for tests/mpi/test_costs.sh: makes one allocation of
 * churnscore's own code fail on one rank, to show that a failed allocation ends every rank cleanly
 * (exit 2, one message, no model, no hang).
 *   CS_FAILALLOC_BYTES=N   the K-th request of exactly N bytes (malloc, calloc's product, realloc)
 *   CS_FAILALLOC_NTH=K     (default 1) made by the program itself fails, once;
 *   CS_FAILALLOC_RANK=R    only in the process whose OMPI_COMM_WORLD_RANK is R (default 0).
 * Requests from the libraries (Open MPI, HDF5, GSL) are never failed or counted: how those handle
 * their own allocation failures is theirs (Open MPI aborts the job), and their requests vary by
 * version. The caller is told apart by the object its return address lies in (dladdr): churnscore
 * links model/, io/ and mpi/ statically. Test-only: never linked into churnscore. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static int fa_state = -1; /* -1 unread, 0 off, 1 armed */
static size_t fa_bytes;
static long fa_nth = 1, fa_seen;

static int fa_fail(size_t n, void *caller)
{
    if (fa_state < 0) {
        fa_state = 0;
        const char *b = getenv("CS_FAILALLOC_BYTES"), *k = getenv("CS_FAILALLOC_NTH");
        const char *r = getenv("CS_FAILALLOC_RANK"), *me = getenv("OMPI_COMM_WORLD_RANK");
        if (b && strcmp(r ? r : "0", me ? me : "0") == 0) {
            fa_bytes = (size_t)strtoull(b, NULL, 10);
            if (k) fa_nth = atol(k);
            fa_state = 1;
        }
    }
    if (fa_state != 1 || n != fa_bytes) return 0;
    Dl_info di;
    if (!dladdr(caller, &di) || !di.dli_fname) return 0;
    const char *base = strrchr(di.dli_fname, '/');
    base = base ? base + 1 : di.dli_fname;
    if (strcmp(base, program_invocation_short_name) != 0) return 0;
    if (++fa_seen != fa_nth) return 0;
    errno = ENOMEM;
    return 1;
}

void *malloc(size_t n)
{
    return fa_fail(n, __builtin_return_address(0)) ? NULL : __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (b && a > (size_t)-1 / b) return NULL;
    return fa_fail(a * b, __builtin_return_address(0)) ? NULL : __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    return fa_fail(n, __builtin_return_address(0)) ? NULL : __libc_realloc(p, n);
}
