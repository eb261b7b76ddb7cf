/* test_csv_split.c — the exact cut of a CSV extract into parts (io/csv_split.c, issue 20): quote
 * and line-end counts in memory and from a file mapped a window at a time, and the first record after
 * every cut of a file with quoted line breaks. */
#include "testutil.h"
#include "csv.h"
#include "status.h"
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Issue 20: csv_split_count_mem against a byte-by-byte count at every length (the SSE2 blocks, their
 * byte counters over runs longer than 127 steps, CR LF pairs across blocks, the scalar tail, next);
 * csv_split_find_mem at every cut of a file with quoted line breaks: the part after each cut, read by
 * a range reader, gives the records a whole read gives from the first record starting at or after
 * the cut, with the same lines. */
static void test_split(void **state)
{
    (void)state;
    char buf[300];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = "a\"\r\n,x\r\r\n\n"[(i * 7 + i / 13) % 11];
    for (size_t n = 0; n <= sizeof buf; n++) {
        for (int next = -1; next <= '\n'; next += '\n' + 1) {
            uint64_t q = 0, l = 0;
            for (size_t i = 0; i < n; i++) {
                q += buf[i] == '"';
                l += buf[i] == '\n' || (buf[i] == '\r' && (i + 1 < n ? buf[i + 1] : next) != '\n');
            }
            csv_split_counts c = {5, 7};
            csv_split_count_mem(buf, n, next, &c);
            assert_int_equal(c.quotes, q + 5);
            assert_int_equal(c.lines, l + 7);
        }
    }
    /* long runs of one class: a byte counter that is not summed before its 256th match wraps */
    static char big[9000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = i < 4500 ? '"' : "\r\n"[i % 2];
    /* from byte 1 as well: CR LF pairs then straddle the count's runs of 127 32-byte steps */
    for (size_t n = 4070; n <= sizeof big; n += 1231) for (size_t o = 0; o < 2; o++) {
        uint64_t q = 0, l = 0;
        for (size_t i = o; i < n; i++) {
            q += big[i] == '"';
            l += big[i] == '\n' || (big[i] == '\r' && (i + 1 < n ? big[i + 1] : -1) != '\n');
        }
        csv_split_counts c = {0, 0};
        csv_split_count_mem(big + o, n - o, -1, &c);
        assert_int_equal(c.quotes, q);
        assert_int_equal(c.lines, l);
    }
    const char *text = "id,note,x\n1,\"a\nb\",2\r\n\n2,\"q\"\"\r\n,\",3\r4,\"\",5\n5,\"x\ry\",6\n";
    size_t n = strlen(text);
    csv_reader *all;
    assert_int_equal(csv_reader_open_mem(text, n, "t.csv", NULL, &all), CS_OK);
    uint64_t data;
    size_t line0;
    csv_position(all, &data, &line0);
    assert_int_equal(data, 10);
    assert_int_equal(line0, 2);
    uint64_t starts[16];
    size_t lines[16], nrec = 0;
    csv_record rec;
    for (;;) {
        uint64_t off;
        size_t ln;
        csv_position(all, &off, &ln);
        if (csv_next(all, &rec) != CS_OK) break;
        lines[nrec] = rec.line;
        /* empty lines before a record: its start is where its first field begins */
        while (text[off] == '\n' || text[off] == '\r') off++;
        starts[nrec++] = off;
    }
    csv_reader_free(all);
    assert_int_equal(nrec, 4);
    for (uint64_t cut = data + 1; cut < n; cut++) {
        csv_split_counts before = {0, 0}, c = {0, 0};
        csv_split_count_mem(text + data, (size_t)(cut - data), text[cut], &before);
        size_t i = csv_split_find_mem(text + cut, n - cut, (unsigned char)text[cut - 1], -1,
                                      (int)(before.quotes & 1), &c);
        size_t k = 0;
        while (k < nrec && starts[k] < cut) k++;
        if (k == nrec) {
            /* no record starts after the cut: only line ends outside quotes may follow */
            if (i < n - cut) assert_true(strspn(text + cut + i, "\r\n") == n - cut - i);
            continue;
        }
        assert_true(i < n - cut);
        csv_range rg = {.offset = cut + i, .limit = n, .line = line0 + (size_t)(before.lines + c.lines), .ncols = 3};
        csv_reader *r;
        assert_int_equal(csv_reader_open_mem_range(text, n, "t.csv", NULL, &rg, &r), CS_OK);
        assert_int_equal(csv_next(r, &rec), CS_OK);
        assert_int_equal(rec.line, lines[k]);
        csv_reader_free(r);
    }
}

/* Issue 20: the file count maps a part a window at a time (its peak RSS): any window gives the count
 * of the whole part, CRs at window ends (a CR LF split across two windows is one line end) and the
 * file's last byte included. */
static void test_split_windows(void **state)
{
    (void)state;
    enum { N = 3 * 4096 + 123 };
    char *buf = malloc(N);
    assert_non_null(buf);
    for (size_t i = 0; i < N; i++) buf[i] = "a\"\r\n,x\r\r\n\n"[(i * 7 + i / 13) % 11];
    buf[4095] = '\r', buf[4096] = '\n'; /* a CR LF across the page and window boundary */
    buf[N - 1] = '\r';
    char *dir = testutil_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/w.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, N, f), N);
    fclose(f);
    const uint64_t ranges[][2] = {{0, N}, {1, N}, {100, 8192}, {4095, 4097}, {4000, N - 1}};
    const uint64_t windows[] = {1, 7, 4096, 5000, (uint64_t)64 << 20};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        uint64_t from = ranges[r][0], to = ranges[r][1];
        csv_split_counts want = {0, 0};
        csv_split_count_mem(buf + from, (size_t)(to - from), to < N ? buf[to] : -1, &want);
        for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
            csv_split_counts c = {0, 0};
            assert_int_equal(csv_split_count_file_window(path, from, to, windows[w], &c), CS_OK);
            assert_int_equal(c.quotes, want.quotes);
            assert_int_equal(c.lines, want.lines);
        }
        csv_split_counts c = {0, 0};
        assert_int_equal(csv_split_count_file(path, from, to, &c), CS_OK);
        assert_int_equal(c.lines, want.lines);
    }
    remove(path);
    remove(dir);
    free(dir);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
