/* commit.c — see commit.h. */
#define _GNU_SOURCE /* renameat2, fallocate */
#include "commit.h"

#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

int commit_errno(int err, const char *path, const char *doing)
{
    if (err == ENOSPC) return CS_ERROR(CS_EIO, "no space left on device: %s", path);
#ifdef EDQUOT
    if (err == EDQUOT) return CS_ERROR(CS_EIO, "disk quota exceeded: %s", path);
#endif
    return CS_ERROR(CS_EIO, "%s: cannot %s: %s", path, doing, err ? strerror(err) : "I/O error");
}

/* The directory part of path ("." when it has none), malloc'd. */
static char *commit_dirname(const char *path)
{
    const char *sl = strrchr(path, '/');
    if (!sl) return strdup(".");
    if (sl == path) return strdup("/");
    return strndup(path, (size_t)(sl - path));
}

int commit_fs_full(const char *path, uint64_t need)
{
    struct statvfs v;
    int ok = statvfs(path, &v) == 0;
    if (!ok) {
        char *d = commit_dirname(path);
        ok = d && statvfs(d, &v) == 0;
        free(d);
    }
    if (!ok) return 0;
    uint64_t bs = v.f_frsize ? v.f_frsize : v.f_bsize;
    /* root may also write into the blocks ext4 keeps for it */
    uint64_t avail = (uint64_t)(geteuid() == 0 ? v.f_bfree : v.f_bavail) * bs;
    if (need < bs) need = bs;
    return avail < need;
}

int commit_reserve(const char *path, uint64_t size)
{
    if (size == 0) return CS_OK;
    int fd = open(path, O_WRONLY);
    if (fd < 0) return commit_errno(errno, path, "open");
    int rc = CS_OK;
    /* asked first: a fallocate that fails on ext4 keeps what it allocated, so trying a size that
     * cannot fit would fill the disk for everyone until the file is removed */
    struct stat st0;
    uint64_t held = fstat(fd, &st0) == 0 ? (uint64_t)st0.st_blocks * 512u : 0;
    if (held < size && commit_fs_full(path, size - held)) {
        close(fd);
        return commit_errno(ENOSPC, path, "");
    }
    if (fallocate(fd, 0, 0, (off_t)size) != 0) {
        int e = errno;
        if (e == EOPNOTSUPP || e == ENOSYS || e == EINVAL) {
            /* no allocation here (NFS < 4.2, some FUSE): at least the free space must cover what
             * the file does not hold yet */
            struct stat st;
            uint64_t have = fstat(fd, &st) == 0 ? (uint64_t)st.st_blocks * 512u : 0;
            if (have < size && commit_fs_full(path, size - have)) rc = commit_errno(ENOSPC, path, "");
        } else {
            rc = commit_errno(e, path, "reserve space for");
        }
    }
    close(fd);
    return rc;
}

int commit_writeback_open(const char *path) { return open(path, O_RDONLY); }

void commit_writeback(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
    if (fd >= 0) (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)fd;
#endif
}

void commit_writeback_close(int fd)
{
    if (fd >= 0) close(fd);
}

int commit_fsync(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return commit_errno(errno, path, "open for fsync");
    int rc = CS_OK;
    /* EINVAL: a file system (or special file) without fsync; nothing to wait for there */
    if (fsync(fd) != 0 && errno != EINVAL) rc = commit_errno(errno, path, "fsync");
    close(fd);
    return rc;
}

int commit_fsync_parent(const char *path)
{
    char *d = commit_dirname(path);
    if (!d) return CS_ERROR(CS_ENOMEM, "out of memory");
    int rc = commit_fsync(d);
    free(d);
    return rc;
}

int commit_fsync_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return commit_errno(errno, dir, "open");
    struct dirent *e;
    int rc = CS_OK;
    while (rc == CS_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        if (!p) {
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
            break;
        }
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISREG(st.st_mode)) rc = commit_fsync(p);
        free(p);
    }
    closedir(d);
    if (rc == CS_OK) rc = commit_fsync(dir);
    return rc;
}

int commit_write_all(int fd, const void *buf, size_t n, const char *path)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return commit_errno(errno, path, "write");
        }
        if (w == 0) return commit_errno(ENOSPC, path, "write");
        p += w;
        n -= (size_t)w;
    }
    return CS_OK;
}

int commit_memstream_save(FILE *f, char **text, const size_t *len, const char *path)
{
    int rc = ferror(f) ? CS_ERROR(CS_ENOMEM, "out of memory for the report") : CS_OK;
    if (fclose(f) != 0 && rc == CS_OK) rc = CS_ERROR(CS_ENOMEM, "out of memory for the report");
    int fd = rc == CS_OK ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : -1;
    if (rc == CS_OK && fd < 0) {
        rc = commit_errno(errno, path, "create the report");
    } else if (rc == CS_OK) {
        rc = commit_write_all(fd, *text, *len, path);
        if (close(fd) != 0 && rc == CS_OK) rc = commit_errno(errno, path, "close the report");
        if (rc != CS_OK) remove(path);
    }
    free(*text);
    *text = NULL;
    return rc;
}

/* ---- the set ---- */

enum { CS_PENDING, CS_SWAPPED, CS_MOVED, CS_ASIDE, CS_DONE };

typedef struct {
    char *tmp, *path, *aside;
    commit_drop_fn drop;
    int is_dir, state;
} commit_entry;

struct commit_set {
    commit_entry *e;
    size_t n, cap;
};

commit_set *commit_set_alloc(void) { return calloc(1, sizeof(commit_set)); }

/* Removes a file or (with drop) a directory of ours by name; missing is fine. */
static void commit_remove(const commit_entry *x, const char *name)
{
    if (x->drop) x->drop(name);
    else unlink(name);
}

void commit_set_abort(commit_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        commit_entry *x = &s->e[i];
        if (x->state == CS_PENDING) commit_remove(x, x->tmp);
        x->state = CS_DONE;
    }
}

void commit_set_free(commit_set *s)
{
    if (!s) return;
    commit_set_abort(s);
    for (size_t i = 0; i < s->n; i++) {
        free(s->e[i].tmp);
        free(s->e[i].path);
        free(s->e[i].aside);
    }
    free(s->e);
    free(s);
}

int commit_set_add(commit_set *s, const char *tmp, const char *path, commit_drop_fn drop)
{
    if (s->n == s->cap) {
        size_t c = s->cap ? 2 * s->cap : 4;
        commit_entry *e = realloc(s->e, c * sizeof *e);
        if (!e) return CS_ERROR(CS_ENOMEM, "out of memory");
        s->e = e;
        s->cap = c;
    }
    commit_entry *x = &s->e[s->n];
    memset(x, 0, sizeof *x);
    x->tmp = strdup(tmp);
    x->path = strdup(path);
    size_t n = strlen(tmp) + 5;
    x->aside = malloc(n);
    if (!x->tmp || !x->path || !x->aside) {
        free(x->tmp);
        free(x->path);
        free(x->aside);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    snprintf(x->aside, n, "%s.old", tmp);
    struct stat st;
    x->is_dir = stat(tmp, &st) == 0 && S_ISDIR(st.st_mode);
    x->drop = drop;
    x->state = CS_PENDING;
    s->n++;
    return CS_OK;
}

/* CS_TEST_NO_RENAME_EXCHANGE=1: the tests take the path of a file system that cannot exchange two
 * names (NFS), where the previous output is kept aside instead. */
static int commit_no_exchange(void)
{
    const char *v = getenv("CS_TEST_NO_RENAME_EXCHANGE");
    if (v && *v && strcmp(v, "0") != 0) {
        errno = EINVAL;
        return 1;
    }
    return 0;
}

/* Puts x in place, keeping the previous output where commit_unput can restore it. */
static int commit_put(commit_entry *x)
{
    struct stat st;
    if (lstat(x->path, &st) != 0) {
        if (errno != ENOENT) return commit_errno(errno, x->path, "replace");
        if (rename(x->tmp, x->path) != 0)
            return CS_ERROR(CS_EIO, "%s: cannot rename from %s: %s", x->path, x->tmp, strerror(errno));
        x->state = CS_MOVED;
        return CS_OK;
    }
    if (S_ISDIR(st.st_mode) != x->is_dir)
        return CS_ERROR(CS_EIO, "%s: exists and is %s: will not replace it with a %s", x->path,
                        x->is_dir ? "not a directory" : "a directory", x->is_dir ? "directory" : "file");
    /* one atomic step: the new output at path, the previous one under the temporary name */
    if (!commit_no_exchange() && renameat2(AT_FDCWD, x->tmp, AT_FDCWD, x->path, RENAME_EXCHANGE) == 0) {
        x->state = CS_SWAPPED;
        return CS_OK;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return CS_ERROR(CS_EIO, "%s: cannot rename from %s: %s", x->path, x->tmp, strerror(errno));
    /* no exchange on this file system: the previous output is kept aside first (a file by a second
     * link, so path never goes missing; a directory by a rename) */
    commit_remove(x, x->aside);
    int kept = x->is_dir ? rename(x->path, x->aside) : link(x->path, x->aside);
    if (kept != 0) return CS_ERROR(CS_EIO, "%s: cannot keep the previous output as %s: %s", x->path,
                                   x->aside, strerror(errno));
    if (rename(x->tmp, x->path) != 0) {
        int e = errno;
        if (x->is_dir) rename(x->aside, x->path);
        else unlink(x->aside);
        return CS_ERROR(CS_EIO, "%s: cannot rename from %s: %s", x->path, x->tmp, strerror(e));
    }
    x->state = CS_ASIDE;
    return CS_OK;
}

/* Undoes commit_put: the previous output back at path, the new one at the temporary name. */
static void commit_unput(commit_entry *x)
{
    if (x->state == CS_SWAPPED) renameat2(AT_FDCWD, x->tmp, AT_FDCWD, x->path, RENAME_EXCHANGE);
    else if (x->state == CS_MOVED) rename(x->path, x->tmp);
    else if (x->state == CS_ASIDE) {
        if (x->is_dir) rename(x->path, x->tmp);
        rename(x->aside, x->path);
    }
    x->state = CS_PENDING;
}

int commit_set_apply(commit_set *s)
{
    int rc = CS_OK;
    for (size_t i = 0; rc == CS_OK && i < s->n; i++)
        rc = s->e[i].is_dir ? commit_fsync_tree(s->e[i].tmp) : commit_fsync(s->e[i].tmp);
    size_t done = 0;
    for (; rc == CS_OK && done < s->n; done++) {
        rc = commit_put(&s->e[done]);
        if (rc != CS_OK) break;
    }
    if (rc != CS_OK) {
        while (done-- > 0) commit_unput(&s->e[done]);
        commit_set_abort(s);
        return rc;
    }
    /* the renames are on the disk before the previous outputs go; if that cannot be known, the
     * previous outputs are put back */
    for (size_t i = 0; rc == CS_OK && i < s->n; i++) rc = commit_fsync_parent(s->e[i].path);
    if (rc != CS_OK) {
        while (done-- > 0) commit_unput(&s->e[done]);
        commit_set_abort(s);
        return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        commit_entry *x = &s->e[i];
        if (x->state == CS_SWAPPED) commit_remove(x, x->tmp);
        else if (x->state == CS_ASIDE) commit_remove(x, x->aside);
        x->state = CS_DONE;
    }
    return rc;
}
