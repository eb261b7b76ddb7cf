/* lists_dir.c — the directory the lists live in (see lists.h): "DIR.tmp" begun after checking
 * that a previous DIR holds only what this module wrote, the probe that tells whether other ranks see
 * the same directory, the manifest sealed into it, the commit and the drop of the previous one. The
 * files inside (region CSVs, summaries) are written by lists.c.
 */
#include "lists.h"
#include "lists_int.h"

#include "commit.h"
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the directory ---- */

#define LISTS_MANIFEST ".churnscore-manifest"
#define LISTS_MANIFEST_HEAD "churnscore lists manifest 1"

static char *lists_cat(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", a, b);
    return s;
}

static char *lists_join(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    if (p) sprintf(p, "%s/%s", dir, name);
    return p;
}

/* 1 for a name this program writes into a lists directory: the region files "NN-*.csv" (at least
 * two digits), the summaries, drift.csv, the manifest and the probe. What older versions wrote, too
 * (they had no manifest). */
static int lists_name_ours(const char *name)
{
    static const char *const fixed[] = {"summary.csv", "summary.json", "drift.csv", LISTS_MANIFEST, ".probe"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i]) == 0) return 1;
    size_t d = 0;
    while (name[d] >= '0' && name[d] <= '9') d++;
    size_t len = strlen(name);
    return d >= 2 && name[d] == '-' && len > d + 5 && strcmp(name + len - 4, ".csv") == 0 && !strchr(name, '/');
}

/* A name a manifest may list: a plain file name (no '/', not "." or ".."). */
static int lists_name_plain(const char *name)
{
    return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* The names a directory's manifest lists: *names (malloc'd array of malloc'd strings, *n of them),
 * or *n = 0 and *names NULL with *has 0 when there is no manifest. CS_EIO when there is one that is
 * not a manifest of ours, CS_ENOMEM. */
typedef struct {
    char **names;
    size_t n;
    int has;
} lists_manifest;

static void lists_manifest_clear(lists_manifest *m)
{
    for (size_t i = 0; i < m->n; i++) free(m->names[i]);
    free(m->names);
    memset(m, 0, sizeof *m);
}

static int lists_manifest_read(const char *dir, lists_manifest *m)
{
    memset(m, 0, sizeof *m);
    char *p = lists_join(dir, LISTS_MANIFEST);
    if (!p) return CS_ERROR(CS_ENOMEM, "out of memory");
    FILE *f = fopen(p, "rb");
    if (!f) {
        int e = errno;
        free(p);
        return e == ENOENT ? CS_OK : CS_ERROR(CS_EIO, "%s/%s: cannot open: %s", dir, LISTS_MANIFEST, strerror(e));
    }
    m->has = 1;
    char line[4096];
    int rc = CS_OK;
    if (!fgets(line, sizeof line, f) || strncmp(line, LISTS_MANIFEST_HEAD, strlen(LISTS_MANIFEST_HEAD)) != 0)
        rc = CS_ERROR(CS_EIO, "%s: is not a churnscore lists manifest (first line is not '%s')", p,
                      LISTS_MANIFEST_HEAD);
    size_t cap = 0;
    while (rc == CS_OK && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!lists_name_plain(line)) continue;
        if (m->n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            char **nn = realloc(m->names, nc * sizeof *nn);
            if (!nn) {
                rc = CS_ERROR(CS_ENOMEM, "out of memory");
                break;
            }
            m->names = nn;
            cap = nc;
        }
        if (!(m->names[m->n] = strdup(line))) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        else m->n++;
    }
    fclose(f);
    free(p);
    if (rc != CS_OK) lists_manifest_clear(m);
    return rc;
}

static int lists_manifest_has(const lists_manifest *m, const char *name)
{
    if (strcmp(name, LISTS_MANIFEST) == 0) return 1;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->names[i], name) == 0) return 1;
    return 0;
}

/* Whether churnscore may replace (and then remove) dir: empty; or with a manifest, every entry is in
 * it; or, written by an older version (summary.json, no manifest), every entry is a name of ours.
 * CS_OK when it may; otherwise CS_EIO naming the first entry that is not ours (what = "DIR: exists
 * and is not a lists directory..." for the existing lists, "... temporary directory" for a stale
 * DIR.tmp). */
static int lists_check_ours(const char *dir, int stale_tmp)
{
    lists_manifest m;
    CS_TRY(lists_manifest_read(dir, &m));
    DIR *d = opendir(dir);
    if (!d) {
        lists_manifest_clear(&m);
        return CS_ERROR(CS_EIO, "%s: cannot open: %s", dir, strerror(errno));
    }
    struct dirent *e;
    int entries = 0, summary = 0, rc = CS_OK;
    char foreign[256] = "";
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        entries++;
        if (strcmp(e->d_name, "summary.json") == 0) summary = 1;
        int ours = m.has ? lists_manifest_has(&m, e->d_name) : lists_name_ours(e->d_name);
        if (ours) {
            /* only plain files: we never write a subdirectory or a link there */
            char *p = lists_join(dir, e->d_name);
            struct stat st;
            if (!p) {
                rc = CS_ERROR(CS_ENOMEM, "out of memory");
                break;
            }
            ours = lstat(p, &st) == 0 && S_ISREG(st.st_mode);
            free(p);
        }
        if (!ours && !foreign[0]) snprintf(foreign, sizeof foreign, "%s", e->d_name);
    }
    closedir(d);
    if (rc == CS_OK && foreign[0])
        rc = stale_tmp
           ? CS_ERROR(CS_EIO, "%s: exists and holds %s, which churnscore did not write: it is not a "
                      "temporary lists directory of a killed run; will not remove it: move it away",
                      dir, foreign)
           : CS_ERROR(CS_EIO, "%s: exists and is not a lists directory churnscore may replace: it holds "
                      "%s, which churnscore did not write%s; will not replace it: move that away or "
                      "choose another --lists", dir, foreign, m.has ? " (it is not in " LISTS_MANIFEST ")" : "");
    else if (rc == CS_OK && !stale_tmp && entries && !m.has && !summary)
        rc = CS_ERROR(CS_EIO, "%s: exists and is not a lists directory (no summary.json and no %s); "
                      "will not replace it: choose another --lists", dir, LISTS_MANIFEST);
    lists_manifest_clear(&m);
    return rc;
}

/* Removes from dir the files churnscore wrote there (those in its manifest, or with none the names of
 * lists_name_ours), then dir itself when that leaves it empty. *kept = 1 when something else is left
 * (and dir with it). Missing dir is fine. */
static int lists_remove_ours(const char *dir, int *kept)
{
    *kept = 0;
    struct stat st;
    if (lstat(dir, &st) != 0) return errno == ENOENT ? CS_OK : CS_ERROR(CS_EIO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return CS_ERROR(CS_EIO, "%s: exists and is not a directory", dir);
    lists_manifest m;
    int rc = lists_manifest_read(dir, &m);
    if (rc != CS_OK) {
        *kept = 1;
        return rc;
    }
    DIR *d = opendir(dir);
    if (!d) {
        lists_manifest_clear(&m);
        return CS_ERROR(CS_EIO, "%s: cannot open: %s", dir, strerror(errno));
    }
    struct dirent *e;
    int manifest = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (strcmp(e->d_name, LISTS_MANIFEST) == 0) {
            manifest = 1; /* last: until then the directory still says what is ours */
            continue;
        }
        int ours = m.has ? lists_manifest_has(&m, e->d_name) : lists_name_ours(e->d_name);
        char *p = lists_join(dir, e->d_name);
        if (!p) {
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
            break;
        }
        struct stat fs;
        if (ours && lstat(p, &fs) == 0 && S_ISREG(fs.st_mode)) {
            if (unlink(p) != 0 && rc == CS_OK) rc = CS_ERROR(CS_EIO, "%s: cannot remove: %s", p, strerror(errno));
        } else {
            *kept = 1;
        }
        free(p);
    }
    closedir(d);
    lists_manifest_clear(&m);
    if (rc == CS_OK && manifest && !*kept) {
        char *p = lists_join(dir, LISTS_MANIFEST);
        if (!p) return CS_ERROR(CS_ENOMEM, "out of memory");
        if (unlink(p) != 0) rc = CS_ERROR(CS_EIO, "%s: cannot remove: %s", p, strerror(errno));
        free(p);
    }
    if (rc == CS_OK && !*kept && rmdir(dir) != 0) {
        if (errno == ENOTEMPTY || errno == EEXIST) *kept = 1; /* something appeared meanwhile */
        else rc = CS_ERROR(CS_EIO, "%s: cannot remove: %s", dir, strerror(errno));
    }
    return rc;
}

int lists_dir_begin(const char *dir, char **tmp)
{
    *tmp = NULL;
    struct stat st;
    if (dir[0] == '\0') return CS_ERROR(CS_EINVAL, "option --lists: empty directory name");
    if (lstat(dir, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return CS_ERROR(CS_EINVAL, "%s: --lists is a symbolic link: churnscore replaces the directory "
                            "it writes, and will not replace or empty the one a link points to; give "
                            "the directory itself, or a new name", dir);
        if (!S_ISDIR(st.st_mode)) return CS_ERROR(CS_EIO, "%s: exists and is not a directory", dir);
        CS_TRY(lists_check_ours(dir, 0));
    }
    char *t = lists_dir_tmp(dir);
    if (!t) return CS_ERROR(CS_ENOMEM, "out of memory");
    int rc = CS_OK;
    /* a stale one from a killed run: removed only when it holds nothing but our files */
    if (lstat(t, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            rc = CS_ERROR(CS_EIO, "%s: exists and is not a directory churnscore made; will not remove "
                          "it: move it away", t);
        if (rc == CS_OK) rc = lists_check_ours(t, 1);
        int kept = 0;
        if (rc == CS_OK) rc = lists_remove_ours(t, &kept);
        if (rc == CS_OK && kept)
            rc = CS_ERROR(CS_EIO, "%s: files appeared in it while it was removed: move it away", t);
    }
    if (rc == CS_OK && mkdir(t, 0777) != 0)
        rc = CS_ERROR(CS_EIO, "%s: cannot create: %s", t, strerror(errno));
    if (rc != CS_OK) {
        free(t);
        return rc;
    }
    *tmp = t;
    return CS_OK;
}

char *lists_dir_tmp(const char *dir) { return lists_cat(dir, ".tmp"); }

/* ---- the probe: does another process see the same directory? ---- */

int lists_probe_write(const char *tmp, uint64_t token)
{
    char *p = lists_cat(tmp, "/.probe");
    if (!p) return CS_ERROR(CS_ENOMEM, "out of memory");
    FILE *f = fopen(p, "wb");
    int rc = CS_OK;
    if (!f) rc = commit_errno(errno, p, "create");
    /* fclose flushes: on NFS, close-to-open consistency then shows the content to a later open
     * on another node */
    else {
        int bad = fprintf(f, "%016llx\n", (unsigned long long)token) != 17 || fflush(f) != 0;
        int e = errno;
        if (fclose(f) != 0 && !bad) bad = 1, e = errno;
        if (bad) rc = commit_errno(e, p, "write");
    }
    free(p);
    return rc;
}

int lists_probe_seen(const char *tmp, uint64_t token)
{
    char *p = lists_cat(tmp, "/.probe");
    if (!p) return 0;
    FILE *f = fopen(p, "rb");
    free(p);
    if (!f) return 0;
    unsigned long long got = 0;
    int n = fscanf(f, "%16llx", &got);
    fclose(f);
    return n == 1 && (uint64_t)got == token;
}

void lists_probe_remove(const char *tmp)
{
    char *p = lists_cat(tmp, "/.probe");
    if (p) unlink(p);
    free(p);
}

/* Creates tmpdir/name for writing: *path (malloc'd) and *f, or an error naming the file (and then
 * nothing to free). One place for the list files and the two summaries. */
int lists_create(const char *tmpdir, const char *name, char **path, FILE **f)
{
    *f = NULL;
    *path = malloc(strlen(tmpdir) + strlen(name) + 2);
    if (!*path) return CS_ERROR(CS_ENOMEM, "out of memory");
    sprintf(*path, "%s/%s", tmpdir, name);
    *f = fopen(*path, "wb");
    if (*f) return CS_OK;
    int rc = commit_errno(errno, *path, "create");
    free(*path);
    *path = NULL;
    return rc;
}

/* Closes a file lists_create opened, turning a write or close failure into an error when rc is
 * still CS_OK; frees path. Returns the first failure. */
int lists_finish(FILE *f, char *path, int rc)
{
    /* the flush is where a full disk shows for the last buffer: its errno names the cause (the
     * fsync comes with the directory's, when it is committed) */
    if (fflush(f) != 0 && rc == CS_OK) rc = commit_errno(errno, path, "write");
    if (ferror(f) && rc == CS_OK) rc = commit_errno(EIO, path, "write");
    if (fclose(f) != 0 && rc == CS_OK) rc = commit_errno(errno, path, "close");
    free(path);
    return rc;
}


static int lists_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes tmp/.churnscore-manifest: the head line, then every file in tmp in byte order (the same
 * bytes for any rank count, whoever wrote which file). */
static int lists_manifest_write(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d) return CS_ERROR(CS_EIO, "%s: cannot open: %s", tmp, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = CS_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!lists_name_plain(e->d_name) || strcmp(e->d_name, LISTS_MANIFEST) == 0 ||
            strcmp(e->d_name, ".probe") == 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 64;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) {
                rc = CS_ERROR(CS_ENOMEM, "out of memory");
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = CS_ERROR(CS_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == CS_OK && n > 1) qsort(names, n, sizeof *names, lists_strcmp); /* names is NULL when empty */
    char *path = NULL;
    FILE *f = NULL;
    if (rc == CS_OK) rc = lists_create(tmp, LISTS_MANIFEST, &path, &f);
    if (rc == CS_OK) {
        fprintf(f, "%s\n", LISTS_MANIFEST_HEAD);
        for (size_t i = 0; i < n; i++) fprintf(f, "%s\n", names[i]);
        rc = lists_finish(f, path, CS_OK);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* The previous lists (or a temporary directory that is given up), now under old: the files
 * churnscore wrote go (those its manifest names; without one, the names of lists_name_ours), and
 * the directory with them; anything else a user put there is kept, under a new name of its own
 * beside the lists (DIR.old-XXXXXX, never one that could hold a user's files already, such as
 * DIR.old), and a warning says where. */
void lists_dir_drop(const char *old)
{
    int kept = 0;
    int rc = lists_remove_ours(old, &kept);
    if (rc == CS_OK && !kept) return;
    struct stat st;
    if (lstat(old, &st) != 0 || !S_ISDIR(st.st_mode)) return;
    /* old is DIR.tmp (after the swap) or DIR.tmp.old (commit.h's aside): the kept copy goes by DIR */
    size_t len = strlen(old);
    char *dir = strdup(old);
    if (!dir) return;
    if (len > 8 && strcmp(old + len - 8, ".tmp.old") == 0) dir[len - 8] = '\0';
    else if (len > 4 && strcmp(old + len - 4, ".tmp") == 0) dir[len - 4] = '\0';
    char *keep = lists_cat(dir, ".old-XXXXXX");
    const char *where = old;
    if (keep && mkdtemp(keep)) {
        if (rename(old, keep) == 0) where = keep; /* onto the empty directory mkdtemp made */
        else rmdir(keep);
    }
    fprintf(stderr, "churnscore: warning: %s held files churnscore did not write: kept them in %s\n",
            dir, where);
    free(keep);
    free(dir);
}

int lists_dir_seal(const char *tmp) { return lists_manifest_write(tmp); }

int lists_dir_commit(const char *dir, const char *tmp, int ok)
{
    if (!tmp) return CS_OK;
    if (!ok) {
        lists_dir_drop(tmp);
        return CS_OK;
    }
    CS_TRY(lists_dir_seal(tmp));
    commit_set *cs = commit_set_alloc();
    if (!cs) return CS_ERROR(CS_ENOMEM, "out of memory");
    int rc = commit_set_add(cs, tmp, dir, lists_dir_drop);
    if (rc == CS_OK) rc = commit_set_apply(cs);
    commit_set_free(cs);
    return rc;
}

