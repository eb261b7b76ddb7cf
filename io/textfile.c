/* textfile.c — a small site file read whole (see textfile.h). */
#include "textfile.h"

#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int textfile_read(const char *path, const char *what, const char *kind, size_t max_mib, char **buf, size_t *n)
{
    *buf = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return CS_ERROR(CS_EIO, "%s: cannot open %s: %s", path, what, strerror(errno));
    size_t cap = 1 << 14, len = 0;
    char *b = malloc(cap);
    int rc = b ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for %s", what);
    while (rc == CS_OK) {
        if (len == cap) {
            /* a site file is a page of text: a huge file is not one */
            if (cap >= max_mib << 20) {
                rc = CS_ERROR(CS_EDATA, "%s: over %zu MiB: not %s", path, max_mib, kind);
                break;
            }
            char *nb = realloc(b, 2 * cap);
            if (!nb) {
                rc = CS_ERROR(CS_ENOMEM, "out of memory for %s", what);
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t k = fread(b + len, 1, cap - len, f);
        len += k;
        if (k == 0) {
            if (ferror(f)) rc = CS_ERROR(CS_EIO, "%s: cannot read: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc != CS_OK) {
        free(b);
        return rc;
    }
    *buf = b;
    *n = len;
    return CS_OK;
}
