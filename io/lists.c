/* lists.c — region CSVs, the summary files and the directory they live in (see lists.h). */
#include "lists.h"

#include "commit.h"
#include "csv.h"
#include "json.h"
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
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

/* ---- names ---- */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid; *cp gets the code point. */
static size_t lists_utf8(const unsigned char *s, unsigned *cp)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, c &= 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, c &= 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

void lists_file_name(size_t r, size_t n_regions, const char *name, char *buf, size_t size)
{
    int digits = 2;
    for (size_t x = n_regions; x >= 100; x /= 10) digits++;
    char clean[128];
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(name ? name : "");
    while (*s) {
        unsigned cp;
        size_t n = lists_utf8(s, &cp);
        if (n == 0) { /* invalid byte: dropped */
            s++;
            continue;
        }
        int keep;
        if (cp < 0x80)
            keep = cp >= 0x20 && cp != 0x7f && !strchr("/\\:*?\"<>|", (int)cp);
        else
            keep = !(cp >= 0x80 && cp <= 0x9f) && cp != 0xfeff && cp != 0x2028 && cp != 0x2029;
        if (keep && o == 0 && cp == '.') keep = 0; /* no hidden files */
        if (keep) {
            if (o + n >= sizeof clean - 8 || o + n > 120) break; /* cut on a character boundary */
            if (cp == ' ') clean[o++] = '_';
            else {
                memcpy(clean + o, s, n);
                o += n;
            }
        }
        s += n;
    }
    clean[o] = '\0';
    snprintf(buf, size, "%0*zu-%s.csv", digits, r, o ? clean : "region");
}

void lists_format_id(uint64_t id, int mask, char *buf)
{
    int n = snprintf(buf, 24, "%llu", (unsigned long long)id);
    if (mask)
        for (int i = 0; i < n - 4; i++) buf[i] = '*';
}

/* ---- region files ---- */

struct lists_file {
    FILE *f;
    char *path;
    csv_writer w;
    const lists_ctx *c;
    int rc;
};

/* A number in a fixed format. It goes through csv_write_text because csv_write_double picks the
 * shortest round-trip form, not a fixed one; the text starts with a digit (callers pass values >= 0)
 * so the writer never alters it. */
static int lists_fixed(csv_writer *w, const char *fmt, double v)
{
    char b[64];
    if (!(v > 0)) v = 0; /* never a leading '-': negatives, NaN and -0.0 ("-0.00") become 0 */
    int n = snprintf(b, sizeof b, fmt, v);
    return csv_write_text(w, b, (size_t)n);
}

static int lists_text(csv_writer *w, const char *s)
{
    return csv_write_text(w, s ? s : "", s ? strlen(s) : 0);
}

/* Creates tmpdir/name for writing: *path (malloc'd) and *f, or an error naming the file (and then
 * nothing to free). One place for the list files and the two summaries. */
static int lists_create(const char *tmpdir, const char *name, char **path, FILE **f)
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
static int lists_finish(FILE *f, char *path, int rc)
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
    if (rc == CS_OK) qsort(names, n, sizeof *names, lists_strcmp);
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

int lists_region_open(const lists_ctx *c, const char *tmpdir, size_t region, lists_file **out)
{
    *out = NULL;
    char name[256];
    lists_file_name(region, c->n_regions, c->region_names[region], name, sizeof name);
    lists_file *lf = calloc(1, sizeof *lf);
    if (!lf) return CS_ERROR(CS_ENOMEM, "out of memory");
    lf->c = c;
    int rc = lists_create(tmpdir, name, &lf->path, &lf->f);
    if (rc != CS_OK) {
        free(lf);
        return rc;
    }
    /* a large buffer: a list of millions of rows is written line by line */
    setvbuf(lf->f, NULL, _IOFBF, 1 << 20);
    if (c->bom) fputs("\xef\xbb\xbf", lf->f);
    rc = csv_writer_init(&lf->w, lf->f, lf->path, ',', 0);
    static const char *const cols[] = {"rank", "id", "region", "brand", "probability", "value_at_risk",
                                       "stage", "phase", "tier", "reason_1", "reason_2", "reason_3"};
    for (size_t i = 0; rc == CS_OK && i < sizeof cols / sizeof cols[0]; i++) rc = lists_text(&lf->w, cols[i]);
    if (rc == CS_OK) rc = csv_write_row_end(&lf->w);
    lf->rc = rc;
    *out = lf;
    return rc;
}

static const char *lists_stage(int s)
{
    static const char *const n[] = {"onboarding", "growth", "maturity", "decline"};
    return s >= 0 && s < 4 ? n[s] : "";
}

static const char *lists_phase(int p)
{
    static const char *const n[] = {"healthy", "warning", "alarm"};
    return p >= 0 && p < 3 ? n[p] : "";
}

int lists_region_row(lists_file *lf, uint64_t rank, const topk_item *it)
{
    if (lf->rc != CS_OK) return lf->rc;
    const lists_ctx *c = lf->c;
    csv_writer *w = &lf->w;
    char id[24];
    lists_format_id(it->id, c->mask_ids, id);
    int rc = csv_write_long(w, (long long)rank);
    if (rc == CS_OK) rc = lists_text(w, id);
    if (rc == CS_OK) rc = lists_text(w, it->region < c->n_regions ? c->region_names[it->region] : "");
    if (rc == CS_OK) rc = lists_text(w, it->brand < c->n_brands ? c->brand_names[it->brand] : "");
    if (rc == CS_OK) rc = lists_fixed(w, "%.6f", it->prob);
    if (rc == CS_OK) rc = lists_fixed(w, "%.2f", it->var);
    if (rc == CS_OK) rc = lists_text(w, lists_stage(it->stage));
    if (rc == CS_OK) rc = lists_text(w, lists_phase(it->phase));
    if (rc == CS_OK) rc = csv_write_long(w, it->tier);
    for (int k = 0; rc == CS_OK && k < 3; k++) {
        int r = it->reason[k];
        if (r >= 0 && (size_t)r < c->n_reasons) rc = lists_text(w, c->reason_text[r]);
        else rc = csv_write_missing(w);
    }
    if (rc == CS_OK) rc = csv_write_row_end(w);
    if (rc != CS_OK && !strstr(status_reason(), lf->path)) rc = commit_errno(errno, lf->path, "write");
    lf->rc = rc;
    return rc;
}

int lists_region_close(lists_file *lf)
{
    if (!lf) return CS_OK;
    int rc = lists_finish(lf->f, lf->path, lf->rc);
    free(lf);
    return rc;
}

/* ---- summary ---- */

static int lists_summary_csv(const lists_ctx *c, const char *tmpdir, const lists_summary *s)
{
    char *path;
    FILE *f;
    CS_TRY(lists_create(tmpdir, "summary.csv", &path, &f));
    if (c->bom) fputs("\xef\xbb\xbf", f);
    csv_writer w;
    int rc = csv_writer_init(&w, f, path, ',', 0);
    static const char *const cols[] = {"region_index", "region", "file", "subscribers",
                                       "expected_leavers", "alarm", "warning", "listed",
                                       "value_at_risk", "validation_auc"};
    for (size_t i = 0; rc == CS_OK && i < sizeof cols / sizeof cols[0]; i++) rc = lists_text(&w, cols[i]);
    if (rc == CS_OK) rc = csv_write_row_end(&w);
    char name[256];
    for (size_t r = 0; rc == CS_OK && r < c->n_regions; r++) {
        lists_file_name(r, c->n_regions, c->region_names[r], name, sizeof name);
        rc = csv_write_long(&w, (long long)r);
        if (rc == CS_OK) rc = lists_text(&w, c->region_names[r]);
        if (rc == CS_OK) rc = lists_text(&w, name);
        if (rc == CS_OK) rc = csv_write_long(&w, s->subscribers[r]);
        if (rc == CS_OK) rc = lists_fixed(&w, "%.6f", s->expected_leavers[r]);
        if (rc == CS_OK) rc = csv_write_long(&w, s->alarm[r]);
        if (rc == CS_OK) rc = csv_write_long(&w, s->warning[r]);
        if (rc == CS_OK) rc = csv_write_long(&w, s->listed[r]);
        if (rc == CS_OK) rc = lists_fixed(&w, "%.2f", s->value_at_risk[r]);
        if (rc == CS_OK) {
            if (s->validated && s->region_auc && !isnan(s->region_auc[r]))
                rc = lists_fixed(&w, "%.6f", s->region_auc[r]);
            else rc = csv_write_missing(&w);
        }
        if (rc == CS_OK) rc = csv_write_row_end(&w);
    }
    return lists_finish(f, path, rc);
}

/* JSON numbers in the same fixed formats as the CSV (json_num uses %.10g): written as raw text. */
static void lists_json_fixed(json_writer *j, const char *key, const char *fmt, double v)
{
    char b[64];
    snprintf(b, sizeof b, fmt, v);
    /* json.h has no raw-number call; strtod of the fixed text gives back the printed value, and
     * %.10g of that value reproduces the fixed text for up to 10 significant digits */
    json_num(j, key, strtod(b, NULL));
}

static int lists_summary_json(const lists_ctx *c, const char *tmpdir, const lists_summary *s)
{
    char *path;
    FILE *f;
    CS_TRY(lists_create(tmpdir, "summary.json", &path, &f));
    json_writer j;
    json_init(&j, f, 1);
    json_obj_begin(&j, NULL);
    json_str(&j, "kind", "lists");
    json_str(&j, "month", s->month);
    json_str(&j, "rank_by", s->rank_by);
    if (s->top) json_int(&j, "top", (int64_t)s->top);
    else json_null(&j, "top");
    int64_t t_sub = 0, t_al = 0, t_wa = 0, t_li = 0;
    double t_exp = 0, t_var = 0;
    char name[256];
    json_arr_begin(&j, "regions");
    for (size_t r = 0; r < c->n_regions; r++) {
        lists_file_name(r, c->n_regions, c->region_names[r], name, sizeof name);
        json_obj_begin(&j, NULL);
        json_int(&j, "index", (int64_t)r);
        json_str(&j, "region", c->region_names[r]);
        json_str(&j, "file", name);
        json_int(&j, "subscribers", s->subscribers[r]);
        lists_json_fixed(&j, "expected_leavers", "%.6f", s->expected_leavers[r]);
        json_int(&j, "alarm", s->alarm[r]);
        json_int(&j, "warning", s->warning[r]);
        json_int(&j, "listed", s->listed[r]);
        lists_json_fixed(&j, "value_at_risk", "%.2f", s->value_at_risk[r]);
        if (s->validated && s->region_auc) {
            json_num(&j, "validation_auc", s->region_auc[r]);
            json_num(&j, "validation_lift_top10", s->region_lift10[r]);
        }
        json_obj_end(&j);
        /* totals in region order: the same additions for any rank count */
        t_sub += s->subscribers[r];
        t_al += s->alarm[r];
        t_wa += s->warning[r];
        t_li += s->listed[r];
        t_exp += s->expected_leavers[r];
        t_var += s->value_at_risk[r];
    }
    json_arr_end(&j);
    json_obj_begin(&j, "total");
    json_int(&j, "subscribers", t_sub);
    lists_json_fixed(&j, "expected_leavers", "%.6f", t_exp);
    json_int(&j, "alarm", t_al);
    json_int(&j, "warning", t_wa);
    json_int(&j, "listed", t_li);
    lists_json_fixed(&j, "value_at_risk", "%.2f", t_var);
    json_obj_end(&j);
    if (s->validated) {
        json_obj_begin(&j, "validation");
        json_int(&j, "labelled", (int64_t)s->labelled);
        json_int(&j, "n", (int64_t)s->val_n);
        json_int(&j, "churned", (int64_t)s->val_npos);
        json_num(&j, "auc", s->auc);
        json_num(&j, "lift_top10", s->lift10);
        json_num(&j, "capture5", s->capture5);
        json_num(&j, "capture10", s->capture10);
        json_num(&j, "capture20", s->capture20);
        json_num(&j, "ks", s->ks);
        json_num(&j, "brier", s->brier);
        json_obj_end(&j);
    } else {
        json_null(&j, "validation");
    }
    json_obj_end(&j);
    fputc('\n', f);
    return lists_finish(f, path, CS_OK);
}

int lists_summary_write(const lists_ctx *c, const char *tmpdir, const lists_summary *s)
{
    CS_TRY(lists_summary_csv(c, tmpdir, s));
    return lists_summary_json(c, tmpdir, s);
}
