/* test_outguard.c — io/outguard.h: the resolved entry of a path (relative, trailing slashes, a
 * parent that does not exist, a linked parent); every refusal (same name, a link, a hard link, a
 * temporary or lock file, inside, containing, two outputs, a linked directory output) and what is
 * allowed (a link output to an unrelated file, an output named like an input's temporary file); the
 * lock: a second holder fails at once, the file goes on release, a foreign NAME.lock is refused and
 * kept, a stale lock of ours is reused. */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outguard.h"
#include "status.h"

static char *dir;

/* dir/name in a buffer of its own for the whole run (the paths arrays keep the pointers) */
static char *at(const char *name)
{
    static char buf[256][512];
    static int k;
    if (k == 256) fail_msg("test_outguard: more than 256 paths");
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k++];
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(at(name), "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *slurp(const char *name)
{
    static char buf[256];
    FILE *f = fopen(at(name), "rb");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    char *d = testutil_tmpdir();
    dir = realpath(d, NULL); /* /tmp may itself be a link */
    free(d);
    put("in.h5", "input 2.385\n");
    mkdir(at("sub"), 0777);
    put("sub/in2.h5", "another input\n");
    return 0;
}

static void test_entry(void **state)
{
    (void)state;
    char *e = outguard_entry(at("sub//"));
    assert_string_equal(e, at("sub"));
    free(e);
    e = outguard_entry(at("no/such/x.h5"));
    assert_string_equal(e, at("no/such/x.h5"));
    free(e);
    assert_int_equal(symlink("sub", at("lnk")), 0);
    e = outguard_entry(at("lnk/x.h5"));
    assert_string_equal(e, at("sub/x.h5"));
    free(e);
    e = outguard_entry(at("lnk"));
    assert_string_equal(e, at("lnk")); /* the entry of a link is the link */
    free(e);
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    e = outguard_entry("sub/../in.h5");
    assert_string_equal(e, at("in.h5"));
    free(e);
    assert_int_equal(chdir(cwd), 0);
}

#define CHECK(expect, pat, ...)                                                                    \
    do {                                                                                           \
        outguard_path p_[] = {__VA_ARGS__};                                                        \
        int rc_ = outguard_check(p_, sizeof p_ / sizeof p_[0]);                                    \
        const char *pat_ = (pat);                                                                  \
        if (rc_ != (expect) || (pat_ && !strstr(status_reason(), pat_)))                           \
            fail_msg("rc %d (expected %d): %s", rc_, (expect), status_reason());                  \
    } while (0)

static void test_refusals(void **state)
{
    (void)state;
    const outguard_path in = {"--in", at("in.h5"), OUTGUARD_INPUT};
    CHECK(CS_EINVAL, "--out is the same file as --in", in, {"--out", at("in.h5"), OUTGUARD_OUTPUT});
    assert_int_equal(symlink("in.h5", at("l.h5")), 0);
    CHECK(CS_EINVAL, "l.h5: --out is the same file as --in", in, {"--out", at("l.h5"), OUTGUARD_OUTPUT});
    assert_int_equal(link(at("in.h5"), at("h.h5")), 0);
    CHECK(CS_EINVAL, "(a hard link)", in, {"--out", at("h.h5"), OUTGUARD_OUTPUT});
    CHECK(CS_EINVAL, "the temporary file of --out", {"--in", at("x.h5.tmp"), OUTGUARD_INPUT},
          {"--out", at("x.h5"), OUTGUARD_OUTPUT});
    CHECK(CS_EINVAL, "the lock file of --out", {"--in", at("x.h5.lock"), OUTGUARD_INPUT},
          {"--out", at("x.h5"), OUTGUARD_OUTPUT});
    CHECK(CS_EINVAL, "--lists contains --in", in, {"--lists", dir, OUTGUARD_OUTPUT_DIR});
    CHECK(CS_EINVAL, "--out lies inside --lists", {"--lists", at("sub"), OUTGUARD_INPUT},
          {"--out", at("sub/r.csv"), OUTGUARD_OUTPUT});
    CHECK(CS_EINVAL, "two outputs must not be one file", in, {"--model", at("m.h5"), OUTGUARD_OUTPUT},
          {"--report", at("sub/../m.h5"), OUTGUARD_OUTPUT});
    CHECK(CS_EINVAL, "an output must not lie inside another", {"--out", at("L/s.h5"), OUTGUARD_OUTPUT},
          {"--lists", at("L"), OUTGUARD_OUTPUT_DIR});
    CHECK(CS_EINVAL, "--lists is a symbolic link", in, {"--lists", at("lnk"), OUTGUARD_OUTPUT_DIR});
    /* a directory reached through a link counts as the same directory */
    CHECK(CS_EINVAL, "--lists contains --in", {"--in", at("lnk/in2.h5"), OUTGUARD_INPUT},
          {"--lists", at("sub"), OUTGUARD_OUTPUT_DIR});
    CHECK(CS_EINVAL, "--lists is a symbolic link", in, {"--lists", at("lnk/"), OUTGUARD_OUTPUT_DIR});
    CHECK(CS_EINVAL, "empty path", {"--out", "", OUTGUARD_OUTPUT});
    /* allowed: unrelated names, a link output to an unrelated file (the link is replaced), an
     * output named like an input's temporary file, a missing option */
    put("other.h5", "x");
    assert_int_equal(symlink("other.h5", at("lo.h5")), 0);
    CHECK(CS_OK, NULL, in, {"--out", at("lo.h5"), OUTGUARD_OUTPUT}, {"--lists", at("L"), OUTGUARD_OUTPUT_DIR},
          {"--model", NULL, OUTGUARD_INPUT});
    CHECK(CS_OK, NULL, in, {"--out", at("in.h5.tmp"), OUTGUARD_OUTPUT});
    CHECK(CS_OK, NULL, {"--lists", at("sub"), OUTGUARD_INPUT}, {"--out", at("subx"), OUTGUARD_OUTPUT});
    assert_string_equal(slurp("in.h5"), "input 2.385\n");
}

static void test_locks(void **state)
{
    (void)state;
    outguard_path p[] = {{"--in", at("in.h5"), OUTGUARD_INPUT}, {"--out", at("o.h5"), OUTGUARD_OUTPUT},
                         {"--lists", at("L"), OUTGUARD_OUTPUT_DIR}};
    outguard *g1 = NULL, *g2 = NULL;
    assert_int_equal(outguard_acquire(p, 3, &g1), CS_OK);
    assert_non_null(g1);
    assert_string_equal(slurp("o.h5.lock"), ""); /* empty: a lock needs no space */
    assert_non_null(slurp("L.lock"));
    /* made locked under a name of its own and linked (og_lock_create): no such name is left, and the
     * lock file is readable by all, as an open(O_CREAT, 0644) made it */
    DIR *dir = opendir(at("."));
    assert_non_null(dir);
    for (struct dirent *e; (e = readdir(dir));)
        if (strncmp(e->d_name, "o.h5.lock.", 10) == 0 || strncmp(e->d_name, "L.lock.", 7) == 0)
            fail_msg("a lock's temporary name was left: %s", e->d_name);
    closedir(dir);
    struct stat lst;
    assert_int_equal(stat(at("o.h5.lock"), &lst), 0);
    assert_int_equal(lst.st_mode & 0777, 0644);
    /* flock locks belong to the open file, so a second acquire in this process conflicts too */
    assert_int_equal(outguard_acquire(p, 3, &g2), CS_EIO);
    assert_null(g2);
    assert_non_null(strstr(status_reason(), "o.h5 is being written by another churnscore run (lock "));
    outguard_path only_l[] = {{"--lists", at("L"), OUTGUARD_OUTPUT_DIR}};
    assert_int_equal(outguard_acquire(only_l, 1, &g2), CS_EIO);
    assert_non_null(slurp("o.h5.lock")); /* a failed acquire removes no one else's lock */
    outguard_release(g1);
    assert_null(slurp("o.h5.lock"));
    assert_null(slurp("L.lock"));
    outguard_release(NULL);
    /* a stale lock of ours (a killed run; flock(1) makes the same): reused, then removed */
    put("o.h5.lock", "");
    put("L.lock", "");
    if (outguard_acquire(p, 3, &g1) != CS_OK) fail_msg("%s", status_reason());
    outguard_release(g1);
    assert_null(slurp("o.h5.lock"));
    assert_null(slurp("L.lock"));
    /* someone else's file named L.lock: refused, kept as it was; the lock already taken is undone */
    put("L.lock", "my shopping list\n");
    assert_int_equal(outguard_acquire(p, 3, &g1), CS_EIO);
    assert_non_null(strstr(status_reason(), "L.lock exists and is not a churnscore lock file"));
    assert_string_equal(slurp("L.lock"), "my shopping list\n");
    assert_null(slurp("o.h5.lock"));
    unlink(at("L.lock"));
    /* a link there: to an input it is an overlap, to another file not a lock; neither is followed */
    assert_int_equal(symlink("in.h5", at("L.lock")), 0);
    assert_int_equal(outguard_acquire(p, 3, &g1), CS_EINVAL);
    assert_non_null(strstr(status_reason(), "the lock file of --lists"));
    unlink(at("L.lock"));
    put("mine.txt", "mine\n");
    assert_int_equal(symlink("mine.txt", at("L.lock")), 0);
    assert_int_equal(outguard_acquire(p, 3, &g1), CS_EIO);
    assert_non_null(strstr(status_reason(), "is a symbolic link, not a churnscore lock file"));
    assert_string_equal(slurp("in.h5"), "input 2.385\n");
    assert_string_equal(slurp("mine.txt"), "mine\n");
    unlink(at("L.lock"));
    /* an overlap takes no lock at all */
    outguard_path bad[] = {{"--in", at("in.h5"), OUTGUARD_INPUT}, {"--out", at("o.h5"), OUTGUARD_OUTPUT},
                           {"--lists", at("in.h5"), OUTGUARD_OUTPUT_DIR}};
    assert_int_equal(outguard_acquire(bad, 3, &g1), CS_EINVAL);
    assert_null(slurp("o.h5.lock"));
    /* a directory that does not exist: the lock cannot be made, and the message says so */
    outguard_path nodir[] = {{"--out", at("no/such/o.h5"), OUTGUARD_OUTPUT}};
    assert_int_equal(outguard_acquire(nodir, 1, &g1), CS_EIO);
    assert_non_null(strstr(status_reason(), "cannot create the lock file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entry),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_locks),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
