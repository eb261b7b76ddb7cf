/* test_listsdir.c — the lists directory's life (io/lists.h): begin creates DIR.tmp, commit writes
 * the manifest and replaces DIR, by swapping and by a unique sibling (CS_TEST_NO_RENAME_EXCHANGE);
 * a file someone adds to DIR during the run is kept (in DIR.old-XXXXXX), DIR.old is never touched;
 * a foreign file, a symbolic link, a user's DIR.tmp are refused before anything is written; a stale
 * DIR.tmp of ours is removed; a failed run removes DIR.tmp and leaves DIR as it was. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lists.h"
#include "status.h"

static char *base;

static const char *at(const char *name)
{
    static char buf[64][512];
    static int k;
    k = (k + 1) % 64;
    snprintf(buf[k], sizeof buf[k], "%s/%s", base, name);
    return buf[k];
}

static void put(const char *name, const char *text)
{
    FILE *f = fopen(at(name), "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *name)
{
    struct stat st;
    return lstat(at(name), &st) == 0;
}

/* the number of entries of base whose name starts with prefix */
static int count_prefix(const char *prefix)
{
    DIR *d = opendir(base);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static void rm_base(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
    free(base);
    base = NULL;
}

/* a run: begin, the files a score writes, commit */
static int one_run(const char *dir, const char *marker, int ok)
{
    char *tmp = NULL;
    int rc = lists_dir_begin(at(dir), &tmp);
    if (rc != CS_OK) return rc;
    char p[600];
    snprintf(p, sizeof p, "%s/00-north.csv", tmp);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(marker, f);
    fclose(f);
    snprintf(p, sizeof p, "%s/summary.json", tmp);
    f = fopen(p, "wb");
    assert_non_null(f);
    fputs("{\"kind\": \"lists\"}\n", f);
    fclose(f);
    rc = lists_dir_commit(at(dir), tmp, ok);
    free(tmp);
    return rc;
}

static void test_replace(void **state)
{
    (void)state;
    base = testutil_tmpdir();
    for (int swap = 1; swap >= 0; swap--) {
        setenv("CS_TEST_NO_RENAME_EXCHANGE", swap ? "0" : "1", 1);
        assert_int_equal(one_run("L", "first 2.385\n", 1), CS_OK);
        FILE *f = fopen(at("L/.churnscore-manifest"), "rb");
        assert_non_null(f);
        char buf[256] = "";
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        assert_string_equal(buf, "churnscore lists manifest 1\n00-north.csv\nsummary.json\n");
        mkdir(at("L.old"), 0777);
        put("L.old/notes.txt", "precious\n");
        assert_int_equal(one_run("L", "second\n", 1), CS_OK);
        assert_true(exists("L.old/notes.txt"));
        assert_false(exists("L.tmp"));
        assert_int_equal(count_prefix("L.old-"), 0);
        /* a failed run: DIR.tmp goes, DIR stays */
        assert_int_equal(one_run("L", "third\n", 0), CS_OK);
        assert_false(exists("L.tmp"));
        f = fopen(at("L/00-north.csv"), "rb");
        assert_non_null(f);
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        assert_string_equal(buf, "second\n");
        /* a file added to DIR while a run writes DIR.tmp: kept, in a unique DIR.old-XXXXXX */
        char *tmp = NULL;
        assert_int_equal(lists_dir_begin(at("L"), &tmp), CS_OK);
        put("L/added.txt", "mine\n");
        assert_int_equal(lists_dir_commit(at("L"), tmp, 1), CS_OK);
        free(tmp);
        assert_false(exists("L/added.txt"));
        assert_int_equal(count_prefix("L.old-"), 1);
        DIR *d = opendir(base);
        struct dirent *e;
        char kept[600] = "";
        while ((e = readdir(d)) != NULL)
            if (strncmp(e->d_name, "L.old-", 6) == 0) snprintf(kept, sizeof kept, "%s/added.txt", e->d_name);
        closedir(d);
        assert_true(exists(kept));
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf %s/L.old-* %s/L %s/L.old", base, base, base);
        assert_int_equal(system(cmd), 0);
    }
    unsetenv("CS_TEST_NO_RENAME_EXCHANGE");
    rm_base();
}

static void test_refusals(void **state)
{
    (void)state;
    base = testutil_tmpdir();
    char *tmp = NULL;
    /* a foreign file: refused, nothing created */
    mkdir(at("A"), 0777);
    put("A/summary.json", "{}\n");
    put("A/notes.txt", "mine\n");
    assert_int_equal(lists_dir_begin(at("A"), &tmp), CS_EIO);
    assert_non_null(strstr(status_reason(), "it holds notes.txt, which churnscore did not write"));
    assert_false(exists("A.tmp"));
    assert_true(exists("A/notes.txt"));
    /* lists of an older version (no manifest): accepted */
    unlink(at("A/notes.txt"));
    put("A/00-x.csv", "old\n");
    put("A/drift.csv", "old\n");
    assert_int_equal(one_run("A", "new\n", 1), CS_OK);
    assert_false(exists("A/drift.csv"));
    /* a file not in the manifest */
    put("A/extra.csv", "mine\n");
    assert_int_equal(lists_dir_begin(at("A"), &tmp), CS_EIO);
    assert_non_null(strstr(status_reason(), "(it is not in .churnscore-manifest)"));
    /* a directory that is not a lists directory at all */
    mkdir(at("B"), 0777);
    put("B/00-x.csv", "x\n");
    assert_int_equal(lists_dir_begin(at("B"), &tmp), CS_EIO);
    assert_non_null(strstr(status_reason(), "exists and is not a lists directory (no summary.json"));
    /* a symbolic link */
    assert_int_equal(symlink("A", at("C")), 0);
    assert_int_equal(lists_dir_begin(at("C"), &tmp), CS_EINVAL);
    assert_non_null(strstr(status_reason(), "--lists is a symbolic link"));
    assert_true(exists("A/extra.csv"));
    /* a user's DIR.tmp, and a stale one of ours */
    mkdir(at("D.tmp"), 0777);
    put("D.tmp/plan.txt", "mine\n");
    assert_int_equal(lists_dir_begin(at("D"), &tmp), CS_EIO);
    assert_non_null(strstr(status_reason(), "D.tmp: exists and holds plan.txt"));
    assert_true(exists("D.tmp/plan.txt"));
    unlink(at("D.tmp/plan.txt"));
    put("D.tmp/03-half.csv", "killed\n");
    put("D.tmp/.probe", "0000000000000001\n");
    assert_int_equal(one_run("D", "x\n", 1), CS_OK);
    assert_false(exists("D/03-half.csv"));
    assert_true(exists("D/00-north.csv"));
    rm_base();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
