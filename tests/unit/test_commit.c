/* test_commit.c — io/commit.h: the messages of a full disk and of other write errors; space
 * reserved or refused; a set of outputs renamed together (new files, replaced files, a replaced
 * directory whose previous content is dropped), a failing second rename that puts the first output
 * back byte for byte and leaves no temporary, and a set freed without applying it. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "commit.h"
#include "status.h"

static char *path_of(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The file's content, "" when it cannot be read (a static buffer). */
static const char *got(const char *path)
{
    static char b[256];
    b[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f) return "<missing>";
    size_t n = fread(b, 1, sizeof b - 1, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void assert_reason(const char *want)
{
    if (!strstr(status_reason(), want)) fail_msg("message \"%s\" lacks \"%s\"", status_reason(), want);
}

static void test_errno_messages(void **state)
{
    (void)state;
    assert_int_equal(commit_errno(ENOSPC, "d/x.h5.tmp", "write"), CS_EIO);
    assert_reason("no space left on device: d/x.h5.tmp");
    assert_int_equal(commit_errno(EDQUOT, "d/q.csv", "close"), CS_EIO);
    assert_reason("disk quota exceeded: d/q.csv");
    assert_int_equal(commit_errno(EACCES, "d/r.md", "create"), CS_EIO);
    assert_reason("d/r.md: cannot create: Permission denied");
    /* a full device through write(2) */
    int fd = open("/dev/full", O_WRONLY);
    if (fd < 0) skip();
    assert_int_equal(commit_write_all(fd, "2.385", 5, "full.bin"), CS_EIO);
    assert_reason("no space left on device: full.bin");
    close(fd);
}

static void test_reserve(void **state)
{
    (void)state;
    char *d = testutil_tmpdir(), *p = path_of(d, "r.bin");
    put(p, "x");
    assert_int_equal(commit_reserve(p, 3 * 4096 + 17), CS_OK);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_true((uint64_t)st.st_blocks * 512u >= 3 * 4096 + 17); /* the bytes are allocated */
    /* more than the file system has free: refused as a full disk before anything is allocated
     * (asked of statvfs first: a failed fallocate on ext4 would keep what it got, filling the disk) */
    struct statvfs v;
    assert_int_equal(statvfs(d, &v), 0);
    uint64_t too_much = (uint64_t)v.f_bfree * v.f_frsize + ((uint64_t)1 << 30);
    status_clear();
    assert_int_equal(commit_reserve(p, too_much), CS_EIO);
    assert_reason("no space left on device: ");
    assert_int_equal(stat(p, &st), 0);
    assert_true((uint64_t)st.st_blocks * 512u < ((uint64_t)1 << 20)); /* nothing more was allocated */
    assert_true(commit_fs_full(p, too_much));
    assert_false(commit_fs_full(p, 1));
    assert_int_equal(commit_reserve(d, 0), CS_OK); /* nothing to reserve */
    unlink(p);
    rmdir(d);
    free(p);
    free(d);
}

/* drop function for directories in the set: their files, then the directory */
static void drop_dir(const char *old)
{
    char *a = path_of(old, "a.csv"), *b = path_of(old, "b.csv");
    unlink(a);
    unlink(b);
    rmdir(old);
    free(a);
    free(b);
}

static void test_set_commits_together(void **state)
{
    (void)state;
    char *d = testutil_tmpdir();
    char *m = path_of(d, "m.h5"), *mt = path_of(d, "m.h5.tmp");
    char *r = path_of(d, "r.md"), *rt = path_of(d, "r.md.tmp");
    char *l = path_of(d, "L"), *lt = path_of(d, "L.tmp");
    put(m, "old model");
    put(mt, "new model");
    put(rt, "new report"); /* no previous report */
    assert_int_equal(mkdir(l, 0777), 0);
    assert_int_equal(mkdir(lt, 0777), 0);
    char *la = path_of(l, "a.csv"), *lta = path_of(lt, "b.csv");
    put(la, "old list");
    put(lta, "new list");
    commit_set *s = commit_set_alloc();
    assert_non_null(s);
    assert_int_equal(commit_set_add(s, mt, m, NULL), CS_OK);
    assert_int_equal(commit_set_add(s, rt, r, NULL), CS_OK);
    assert_int_equal(commit_set_add(s, lt, l, drop_dir), CS_OK);
    assert_int_equal(commit_set_apply(s), CS_OK);
    commit_set_free(s);
    assert_string_equal(got(m), "new model");
    assert_string_equal(got(r), "new report");
    char *lb = path_of(l, "b.csv");
    assert_string_equal(got(lb), "new list");
    assert_false(exists(la)); /* the previous lists went with their directory */
    assert_false(exists(mt));
    assert_false(exists(rt));
    assert_false(exists(lt));
    drop_dir(l);
    unlink(m);
    unlink(r);
    rmdir(d);
    free(m), free(mt), free(r), free(rt), free(l), free(lt), free(la), free(lta), free(lb), free(d);
}

static void test_set_undo(void **state)
{
    (void)state;
    char *d = testutil_tmpdir();
    char *m = path_of(d, "m.h5"), *mt = path_of(d, "m.h5.tmp");
    char *r = path_of(d, "r.md"), *rt = path_of(d, "r.md.tmp");
    put(m, "old model");
    put(mt, "new model");
    put(rt, "new report");
    assert_int_equal(mkdir(r, 0777), 0); /* the second output's path is a directory: its rename fails */
    commit_set *s = commit_set_alloc();
    assert_int_equal(commit_set_add(s, mt, m, NULL), CS_OK);
    assert_int_equal(commit_set_add(s, rt, r, NULL), CS_OK);
    status_clear();
    assert_int_equal(commit_set_apply(s), CS_EIO);
    assert_reason("r.md: exists and is a directory");
    commit_set_free(s);
    assert_string_equal(got(m), "old model"); /* the first output put back */
    assert_false(exists(mt));
    assert_false(exists(rt));
    struct stat st;
    assert_int_equal(stat(r, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* freed without applying: the temporaries go, the outputs stay */
    put(mt, "newer model");
    s = commit_set_alloc();
    assert_int_equal(commit_set_add(s, mt, m, NULL), CS_OK);
    commit_set_free(s);
    assert_false(exists(mt));
    assert_string_equal(got(m), "old model");
    commit_set_free(NULL);
    rmdir(r);
    unlink(m);
    rmdir(d);
    free(m), free(mt), free(r), free(rt), free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errno_messages),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_set_commits_together),
        cmocka_unit_test(test_set_undo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
