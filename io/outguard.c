/* outguard.c — resolving a command's paths, refusing outputs that touch inputs, one lock per output
 * (see outguard.h). Plain POSIX: realpath, stat, flock. */
#include "outguard.h"

#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What each output writes besides itself: where the footprint of an output is checked. */
static const char *const og_suffix[] = {"", ".tmp", ".tmp.tmp", ".tmp.old", ".lock"};
static const char *const og_suffix_what[] = {"", "the temporary file", "the temporary file",
                                             "the name for the previous output (commit.h)", "the lock file"};
#define OG_NSUFFIX 5

static char *og_cat3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

char *outguard_entry(const char *path)
{
    size_t len = strlen(path);
    if (len == 0) return strdup("");
    char *p = strdup(path);
    if (!p) return NULL;
    while (len > 1 && p[len - 1] == '/') p[--len] = '\0';
    if (strcmp(p, "/") == 0) return p;
    char *slash = strrchr(p, '/');
    const char *base = slash ? slash + 1 : p;
    char *out = NULL;
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        /* the entry is a directory named through its parent's links: only realpath knows it */
        out = realpath(p, NULL);
        if (!out) {
            /* does not exist: the parent, lexically (it cannot be created either) */
            if (slash == p) out = strdup("/");
            else if (!slash) out = realpath(".", NULL);
            else {
                *slash = '\0';
                out = outguard_entry(p);
            }
        }
        free(p);
        return out;
    }
    char *parent;
    if (!slash) parent = realpath(".", NULL);
    else if (slash == p) parent = strdup("/");
    else {
        *slash = '\0';
        parent = realpath(p, NULL);
        if (!parent) parent = outguard_entry(p); /* a parent that does not exist (yet) */
    }
    if (parent) out = og_cat3(strcmp(parent, "/") == 0 ? "" : parent, "/", base);
    free(parent);
    free(p);
    return out;
}

/* One resolved name and what stat says of it. */
typedef struct {
    char *name;       /* absolute */
    int exists, isdir;
    dev_t dev;
    ino_t ino;
} og_name;

/* stat, or lstat for the entry of an output that is a link (its target is the item's other form):
 * a link and its target are two names, of which only the target is the file. */
static void og_name_stat(og_name *n, int nofollow)
{
    struct stat st;
    n->exists = (nofollow ? lstat(n->name, &st) : stat(n->name, &st)) == 0;
    if (n->exists) {
        n->isdir = S_ISDIR(st.st_mode) != 0;
        n->dev = st.st_dev;
        n->ino = st.st_ino;
    }
}

/* One item of the footprint of a path: the path itself, a derived name (NAME.tmp, NAME.lock), in
 * up to two resolved forms (the entry, and the file a link there names). */
typedef struct {
    const outguard_path *src;
    int suffix;   /* index into og_suffix */
    og_name form[2];
    int nform;
} og_item;

static void og_item_clear(og_item *it)
{
    for (int f = 0; f < it->nform; f++) free(it->form[f].name);
    it->nform = 0;
}

static int og_item_init(og_item *it, const outguard_path *src, int suffix)
{
    memset(it, 0, sizeof *it);
    it->src = src;
    it->suffix = suffix;
    char *given = og_cat3(src->path, og_suffix[suffix], "");
    if (!given) return CS_ERROR(CS_ENOMEM, "out of memory");
    char *entry = NULL, *target = NULL;
    if (src->kind == OUTGUARD_INPUT) {
        /* an input is what it names; one that does not exist is compared by its entry (its reader
         * will say it is missing, but an output of the same name is still refused first) */
        target = realpath(given, NULL);
        if (!target) entry = outguard_entry(given);
    } else {
        entry = outguard_entry(given);
        struct stat st;
        if (entry && lstat(entry, &st) == 0 && S_ISLNK(st.st_mode)) target = realpath(entry, NULL);
    }
    free(given);
    if (!entry && !target) return CS_ERROR(CS_ENOMEM, "out of memory");
    if (entry) it->form[it->nform++].name = entry;
    if (target) {
        if (entry && strcmp(entry, target) == 0) free(target);
        else it->form[it->nform++].name = target;
    }
    for (int f = 0; f < it->nform; f++) og_name_stat(&it->form[f], src->kind != OUTGUARD_INPUT && f == 0);
    return CS_OK;
}

/* 1 when a lies strictly inside directory b: by name, or an existing ancestor of a is b's inode
 * (a bind mount or another name of the same directory). */
static int og_inside(const og_name *a, const og_name *b)
{
    size_t lb = strlen(b->name);
    if (lb == 1 && b->name[0] == '/') return a->name[1] != '\0';
    if (strncmp(a->name, b->name, lb) == 0 && a->name[lb] == '/') return 1;
    if (!b->exists || !b->isdir) return 0;
    char *p = strdup(a->name);
    if (!p) return 0;
    int hit = 0;
    for (char *s = strrchr(p, '/'); s && !hit; s = strrchr(p, '/')) {
        if (s == p) s[1] = '\0';
        else *s = '\0';
        struct stat st;
        if (stat(p, &st) == 0 && st.st_dev == b->dev && st.st_ino == b->ino) hit = 1;
        if (s == p) break;
    }
    free(p);
    return hit;
}

enum { OG_NONE, OG_SAME, OG_LINK, OG_A_INSIDE, OG_A_CONTAINS };

static int og_relate(const og_name *a, const og_name *b)
{
    if (strcmp(a->name, b->name) == 0) return OG_SAME;
    if (a->exists && b->exists && a->dev == b->dev && a->ino == b->ino) return OG_LINK;
    if (og_inside(a, b)) return OG_A_INSIDE;
    if (og_inside(b, a)) return OG_A_CONTAINS;
    return OG_NONE;
}

/* The given name of an item: the path as the user wrote it, plus the suffix. */
static void og_given(const og_item *it, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", it->src->path, og_suffix[it->suffix]);
}

/* "--out" or "the temporary file of --out X" */
static void og_who(const og_item *it, char *buf, size_t size)
{
    if (it->suffix == 0) snprintf(buf, size, "%s", it->src->opt);
    else snprintf(buf, size, "%s of %s %s", og_suffix_what[it->suffix], it->src->opt, it->src->path);
}

/* The refusal of output item a (form fa) against item b (form fb: an input, or another output),
 * as "A: WHO RELATION WHOM B[ (RESOLVED)]: why; choose another OPT". The resolved names are shown
 * where the given ones differ, as they then say why the two are one. */
static int og_refuse(const og_item *a, int fa, const og_item *b, int fb, int rel)
{
    static char ga[PATH_MAX + 16], gb[PATH_MAX + 16], wa[2 * PATH_MAX], wb[2 * PATH_MAX],
        res[3 * PATH_MAX];
    og_given(a, ga, sizeof ga);
    og_given(b, gb, sizeof gb);
    og_who(a, wa, sizeof wa);
    og_who(b, wb, sizeof wb);
    const char *na = a->form[fa].name, *nb = b->form[fb].name;
    res[0] = '\0';
    if (strcmp(ga, gb) != 0 && (strcmp(ga, na) != 0 || strcmp(gb, nb) != 0)) {
        if (strcmp(na, nb) == 0) snprintf(res, sizeof res, " (both %s)", na);
        else snprintf(res, sizeof res, " (%s and %s)", na, nb);
    }
    int input = b->src->kind == OUTGUARD_INPUT;
    const char *how, *why;
    if (rel == OG_SAME || rel == OG_LINK) {
        how = rel == OG_SAME ? "is the same file as" : "is the same file (a hard link) as";
        why = input ? "an output must never overwrite an input" : "two outputs must not be one file";
    } else if (rel == OG_A_INSIDE) {
        how = "lies inside";
        why = input ? "an output must never be written inside an input" : "an output must not lie inside another";
    } else {
        how = "contains";
        why = input ? "an output must never contain an input" : "an output must not contain another";
    }
    return CS_ERROR(CS_EINVAL, "%s: %s %s %s %s%s: %s; choose another %s", ga, wa, how, wb, gb, res, why,
                    a->src->opt);
}

static int og_items_alloc(const outguard_path *paths, size_t n, og_item **items, size_t *nitems)
{
    *items = NULL;
    *nitems = 0;
    og_item *it = calloc(n * OG_NSUFFIX + 1, sizeof *it);
    if (!it) return CS_ERROR(CS_ENOMEM, "out of memory");
    size_t k = 0;
    int rc = CS_OK;
    for (size_t i = 0; rc == CS_OK && i < n; i++) {
        if (!paths[i].path) continue;
        if (paths[i].path[0] == '\0') {
            rc = CS_ERROR(CS_EINVAL, "option %s: empty path", paths[i].opt);
            break;
        }
        int ns = paths[i].kind == OUTGUARD_INPUT ? 1 : OG_NSUFFIX;
        for (int s = 0; rc == CS_OK && s < ns; s++) {
            rc = og_item_init(&it[k], &paths[i], s);
            if (rc == CS_OK) k++;
        }
    }
    if (rc != CS_OK) {
        for (size_t i = 0; i < k; i++) og_item_clear(&it[i]);
        free(it);
        return rc;
    }
    *items = it;
    *nitems = k;
    return CS_OK;
}

static void og_items_free(og_item *it, size_t n)
{
    for (size_t i = 0; it && i < n; i++) og_item_clear(&it[i]);
    free(it);
}

int outguard_check(const outguard_path *paths, size_t n)
{
    og_item *it;
    size_t m;
    CS_TRY(og_items_alloc(paths, n, &it, &m));
    int rc = CS_OK;
    /* a directory output whose entry is a link: its replacement would replace the linked one */
    for (size_t i = 0; rc == CS_OK && i < m; i++) {
        if (it[i].src->kind != OUTGUARD_OUTPUT_DIR || it[i].suffix != 0) continue;
        struct stat st;
        if (lstat(it[i].form[0].name, &st) == 0 && S_ISLNK(st.st_mode))
            rc = CS_ERROR(CS_EINVAL, "%s: %s is a symbolic link (to %s): churnscore replaces the directory "
                          "it writes, and will not replace or empty the one a link points to; give "
                          "the directory itself, or a new name", it[i].src->path, it[i].src->opt,
                          it[i].nform > 1 ? it[i].form[1].name : "a missing directory");
    }
    /* outputs against inputs first (the data loss), then outputs against each other; the final
     * names of both before their temporary and lock files, so that the message names the clash a
     * user made */
    for (int pass = 0; pass < 2 && rc == CS_OK; pass++)
        for (int sa = 0; sa < OG_NSUFFIX && rc == CS_OK; sa++)
            for (size_t i = 0; i < m && rc == CS_OK; i++) {
                const og_item *a = &it[i];
                if (a->src->kind == OUTGUARD_INPUT || a->suffix != sa) continue;
                for (int sb = 0; sb < OG_NSUFFIX && rc == CS_OK; sb++)
                    for (size_t j = 0; j < m && rc == CS_OK; j++) {
                        const og_item *b = &it[j];
                        if (b->suffix != sb || b->src == a->src) continue;
                        if (pass == 0 ? b->src->kind != OUTGUARD_INPUT
                                      : b->src->kind == OUTGUARD_INPUT || b->src < a->src)
                            continue;
                        for (int fa = 0; fa < a->nform && rc == CS_OK; fa++)
                            for (int fb = 0; fb < b->nform && rc == CS_OK; fb++) {
                                int rel = og_relate(&a->form[fa], &b->form[fb]);
                                if (rel != OG_NONE) rc = og_refuse(a, fa, b, fb, rel);
                            }
                    }
            }
    og_items_free(it, m);
    return rc;
}

/* ---- locks ---- */

typedef struct {
    char *path;   /* NAME.lock, resolved */
    char *target; /* NAME, for messages */
    int fd;
} og_lock;

struct outguard {
    og_lock *locks;
    size_t n;
};

static void og_unlock(og_lock *l)
{
    if (l->fd >= 0) {
        /* remove it only while it is still the file this run locked: a user may have removed it
         * and another run made a new one */
        struct stat a, b;
        if (fstat(l->fd, &a) == 0 && stat(l->path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            unlink(l->path);
        close(l->fd); /* releases the lock */
        l->fd = -1;
    }
    free(l->path);
    free(l->target);
    l->path = l->target = NULL;
}

/* Creates the lock file path already locked: an empty file made under a name of its own, locked, then
 * linked to path, so that path never exists unlocked (with open(O_EXCL) and flock after it, a second
 * run that came between the two took the lock of a run stopped there, and the first then failed:
 * test_paths saw it on a loaded machine). -1 with errno EEXIST when path exists. A file system
 * without hard links gets open(O_EXCL) and flock, as before. */
static int og_lock_create(const char *path)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        int rc = fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fchmod(fd, 0644) == 0 &&
                 flock(fd, LOCK_EX | LOCK_NB) == 0 ? link(tmp, path) : -1;
        int e = errno;
        unlink(tmp);
        free(tmp);
        if (rc == 0) return fd;
        close(fd);
        if (e == EEXIST) {
            errno = EEXIST;
            return -1;
        }
    } else {
        free(tmp);
    }
    return open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

/* Takes the lock l->path for l->target (with opt for messages). */
static int og_lock_take(og_lock *l, const char *opt)
{
    /* a run that finishes removes its lock file; one that opened it just before must then try the
     * new file, or two runs would each hold a lock on a different file: hence the loop */
    for (int attempt = 0; attempt < 16; attempt++) {
        int created = 1;
        int fd = og_lock_create(l->path);
        if (fd < 0 && errno == EEXIST) {
            created = 0;
            fd = open(l->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
            if (fd < 0 && errno == ENOENT) continue;
            if (fd < 0 && errno == ELOOP)
                return CS_ERROR(CS_EIO, "%s: %s exists and is a symbolic link, not a churnscore lock file: "
                                "will not touch it; remove it or choose another %s", l->target, l->path, opt);
        }
        if (fd < 0)
            return CS_ERROR(CS_EIO, "%s: cannot create the lock file %s: %s", l->target, l->path, strerror(errno));
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return CS_ERROR(CS_EIO, "%s: %s exists and is not a churnscore lock file: will not touch it; "
                            "remove it or choose another %s", l->target, l->path, opt);
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                return CS_ERROR(CS_EIO, "%s is being written by another churnscore run (lock %s): wait "
                                "for it to finish or choose another %s", l->target, l->path, opt);
            return CS_ERROR(CS_EIO, "%s: cannot lock %s: %s", l->target, l->path, strerror(e));
        }
        struct stat now;
        if (stat(l->path, &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
            close(fd);
            continue;
        }
        /* the file stays empty: a lock needs no space (a full disk is then reported by the
         * output's own write, as "no space left on device"), and anything with bytes in it is
         * not ours */
        if (!created && st.st_size > 0) {
            close(fd);
            return CS_ERROR(CS_EIO, "%s: %s exists and is not a churnscore lock file (those are empty): "
                            "will not touch it; remove it or choose another %s", l->target, l->path, opt);
        }
        l->fd = fd;
        return CS_OK;
    }
    return CS_ERROR(CS_EIO, "%s is being written by other churnscore runs (lock %s changes hands "
                    "constantly): choose another %s", l->target, l->path, opt);
}

void outguard_release(outguard *g)
{
    if (!g) return;
    for (size_t i = g->n; i-- > 0;) og_unlock(&g->locks[i]);
    free(g->locks);
    free(g);
}

int outguard_acquire(const outguard_path *paths, size_t n, outguard **out)
{
    *out = NULL;
    CS_TRY(outguard_check(paths, n));
    size_t nout = 0;
    for (size_t i = 0; i < n; i++) nout += paths[i].path && paths[i].kind != OUTGUARD_INPUT;
    if (nout == 0) return CS_OK;
    outguard *g = calloc(1, sizeof *g);
    if (g) g->locks = calloc(nout, sizeof *g->locks);
    if (!g || !g->locks) {
        free(g);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    int rc = CS_OK;
    for (size_t i = 0; i < n && rc == CS_OK; i++) {
        if (!paths[i].path || paths[i].kind == OUTGUARD_INPUT) continue;
        og_lock *l = &g->locks[g->n];
        l->fd = -1;
        l->target = outguard_entry(paths[i].path);
        l->path = l->target ? og_cat3(l->target, ".lock", "") : NULL;
        if (!l->path) {
            free(l->target);
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
            break;
        }
        rc = og_lock_take(l, paths[i].opt);
        if (rc != CS_OK) {
            free(l->path);
            free(l->target);
            break;
        }
        g->n++;
    }
    if (rc != CS_OK) {
        outguard_release(g);
        return rc;
    }
    *out = g;
    return CS_OK;
}
