/* test_html.c — the HTML reports' building blocks: numbers for people (fmt.h: grouping, rounding,
 * percentages, money, the "not known" dash), escaping of every text (html.h: markup characters,
 * invalid UTF-8, control bytes), tables that remember their numeric columns, the page written to a
 * file and its failure on a path that cannot be created, every report text in both languages with the same
 * printf conversions (reptext.h), and the charts' geometry read back from the SVG (svg.h): a line
 * point and a bar land where the data-* attributes say, values outside the axis are clamped, labels
 * are escaped and long ones cut with their whole text kept. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "html.h"
#include "reptext.h"
#include "status.h"
#include "svg.h"

static void test_fmt(void **state)
{
    (void)state;
    char b[FMT_BUF];
    assert_string_equal(fmt_int(b, sizeof b, 0), "0");
    assert_string_equal(fmt_int(b, sizeof b, 999), "999");
    assert_string_equal(fmt_int(b, sizeof b, 1000), "1,000");
    assert_string_equal(fmt_int(b, sizeof b, -1234567), "-1,234,567");
    assert_string_equal(fmt_fix(b, sizeof b, 12345.678, 2), "12,345.68");
    assert_string_equal(fmt_fix(b, sizeof b, -0.0004, 2), "0.00"); /* no "-0.00" */
    assert_string_equal(fmt_fix(b, sizeof b, 2.385, 0), "2");
    assert_string_equal(fmt_fix(b, sizeof b, NAN, 2), FMT_NA);
    assert_string_equal(fmt_fix(b, sizeof b, INFINITY, 2), FMT_NA);
    assert_string_equal(fmt_pct(b, sizeof b, 0.15089514, 1), "15.1%");
    assert_string_equal(fmt_pct(b, sizeof b, 1, 0), "100%");
    assert_string_equal(fmt_pct(b, sizeof b, NAN, 1), FMT_NA);
    assert_string_equal(fmt_money(b, sizeof b, 255909.05, "\xc2\xa5"), "\xc2\xa5" "255,909");
    assert_string_equal(fmt_money(b, sizeof b, -12.4, "$"), "-$12");
    assert_string_equal(fmt_money(b, sizeof b, -0.2, ""), "0");
    assert_string_equal(fmt_sig(b, sizeof b, 0.000123456, 3), "0.000123");
    assert_string_equal(fmt_sig(b, sizeof b, 1.25e-9, 3), "1.25e-09");
    assert_string_equal(fmt_sig(b, sizeof b, 123456.7, 7), "123,456.7");
    assert_string_equal(fmt_sig(b, sizeof b, 1234.5, 5), "1234.5"); /* four integer digits: as printf */
    /* a buffer too small is cut, never overflowed */
    char small[4];
    fmt_int(small, sizeof small, 1234567);
    assert_int_equal(strlen(small), 3);
}

/* What html_esc writes for s. */
static char *esc_of(const char *s)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    html_esc(f, s);
    fclose(f);
    return buf;
}

static void test_escape(void **state)
{
    (void)state;
    char *e = esc_of("<b>A&B</b> \"x\" 'y'");
    assert_string_equal(e, "&lt;b&gt;A&amp;B&lt;/b&gt; &quot;x&quot; &#39;y&#39;");
    free(e);
    e = esc_of("\xe5\x8c\x97\xe4\xba\xac"); /* 北京 passes through */
    assert_string_equal(e, "\xe5\x8c\x97\xe4\xba\xac");
    free(e);
    e = esc_of("a\xff" "b\xc3(" "\x01" "c\td"); /* invalid bytes -> U+FFFD, control dropped, tab kept */
    assert_string_equal(e, "a\xef\xbf\xbd" "b\xef\xbf\xbd(c\td");
    free(e);
    e = esc_of("\xed\xa0\x80"); /* a surrogate is not UTF-8 */
    assert_string_equal(e, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    free(e);
    e = esc_of(NULL);
    assert_true(e == NULL || e[0] == '\0');
    free(e);
}

static void test_table_and_page(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    html_doc d;
    html_begin(&d, f, LANG_ZH, "T<1>");
    const char *heads[3] = {"region", "listed", "share"};
    html_table_begin(&d, NULL, "cap & more", heads, 3, "lr");
    html_tr(&d);
    html_td(&d, "\xe5\x8c\x97\xe4\xba\xac");
    html_td(&d, "1,173");
    html_td(&d, "x");
    html_table_end(&d);
    html_end(&d, "v1");
    fclose(f);
    assert_non_null(strstr(buf, "<html lang=\"zh-CN\">"));
    assert_non_null(strstr(buf, "<title>T&lt;1&gt;</title>"));
    assert_non_null(strstr(buf, "<caption>cap &amp; more</caption>"));
    /* the second column is a number: right-aligned head and cell; the third (not in align) text */
    assert_non_null(strstr(buf, "<th scope=\"col\" class=\"r\">listed</th><th scope=\"col\">share</th>"));
    assert_non_null(strstr(buf, "<td class=\"r\">1,173</td><td>x</td>"));
    assert_non_null(strstr(buf, "<footer>v1</footer>"));
    assert_null(strstr(buf, "http"));
    assert_null(strstr(buf, "<script"));
    free(buf);

    char *beside = html_path_beside("runs/2026-10/train-report.md");
    assert_string_equal(beside, "runs/2026-10/train-report.html");
    free(beside);
    beside = html_path_beside("r");
    assert_string_equal(beside, "r.html");
    free(beside);
}

static void build_one(html_doc *d, const void *arg) { html_p(d, NULL, arg); }

static void test_write_file(void **state)
{
    (void)state;
    char *dir = testutil_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/p.html.tmp", dir);
    assert_int_equal(html_write_file(path, LANG_EN, "t", NULL, build_one, "hello"), CS_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char text[8192];
    size_t got = fread(text, 1, sizeof text - 1, f);
    text[got] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "<p>hello</p>"));
    assert_non_null(strstr(text, "</html>\n"));
    remove(path);
    snprintf(path, sizeof path, "%s/no/such/dir/p.html.tmp", dir);
    assert_int_equal(html_write_file(path, LANG_EN, "t", NULL, build_one, "x"), CS_EIO);
    assert_message_has("no/such/dir/p.html.tmp", NULL);
    rmdir(dir);
    free(dir);
}

/* The %s conversions of a text (the only ones the _FMT keys use; a literal % elsewhere, as in
 * "share (%)", is text, not a conversion). */
static int count_conv(const char *s)
{
    int n = 0;
    for (const char *p = strstr(s, "%s"); p; p = strstr(p + 2, "%s")) n++;
    return n;
}

static void test_texts(void **state)
{
    (void)state;
    for (int k = 0; k < RT_N; k++) {
        const char *en = rt(LANG_EN, (rt_key)k), *zh = rt(LANG_ZH, (rt_key)k);
        assert_non_null(en);
        assert_non_null(zh);
        assert_true(en[0] != '\0' && zh[0] != '\0');
        /* the same printf conversions, so a format key works in both languages */
        assert_int_equal(count_conv(en), count_conv(zh));
    }
    /* a Chinese text really is Chinese (a byte of a CJK character), an English one plain ASCII */
    assert_true((unsigned char)rt(LANG_ZH, RT_TRAIN_TITLE)[0] >= 0xe0);
    assert_string_equal(rt(LANG_EN, RT_TRAIN_TITLE), "Churn model report");
    assert_string_equal(rt((cs_lang)7, RT_TRAIN_TITLE), "Churn model report"); /* unknown: English */
    assert_string_equal(rt(LANG_EN, RT_N), "");
}

/* A number attribute name="..." after *from in s; moves *from past it. NaN when absent. */
static double attr(const char *s, const char **from, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(from && *from ? *from : s, key);
    if (!p) return NAN;
    p += strlen(key);
    if (from) *from = p;
    return strtod(p, NULL);
}

/* The chart draw(arg) writes, in a malloc'd string (the caller frees). */
static char *chart_of(void (*draw)(FILE *, const void *), const void *arg)
{
    char *tmp = testutil_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/chart.svg", tmp);
    FILE *f = fopen(path, "w+");
    assert_non_null(f);
    draw(f, arg);
    long n = ftell(f);
    rewind(f);
    char *out = malloc((size_t)n + 1);
    assert_int_equal(fread(out, 1, (size_t)n, f), (size_t)n);
    out[n] = '\0';
    fclose(f);
    remove(path);
    rmdir(tmp);
    free(tmp);
    return out;
}

typedef struct {
    const svg_axes *a;
    const svg_series *s;
    size_t ns;
    const svg_ref *r;
    size_t nr;
} line_args;

static void draw_line(FILE *f, const void *arg)
{
    const line_args *l = arg;
    svg_line_chart(f, l->a, l->s, l->ns, l->r, l->nr);
}

static void draw_bars(FILE *f, const void *arg) { svg_bar_chart(f, arg); }

static void test_svg_line(void **state)
{
    (void)state;
    const double x[4] = {0, 0.25, 0.5, 1.0}, y[4] = {0, 0.4, 2.0 /* above the axis */, 1.0};
    svg_axes a = {.id = "t", .title = "A <b>", .xlabel = "share (%)", .ylabel = "y", .x0 = 0, .x1 = 1, .y0 = 0,
                  .y1 = 1, .xfmt = SVG_FMT_PCT, .yfmt = SVG_FMT_PCT};
    svg_series s = {.name = "model & co", .x = x, .y = y, .n = 4, .style = SVG_DASH, .ink = 1, .markers = 2};
    svg_ref r = {.v = 0.5, .vertical = 1, .label = "KS"};
    line_args la = {&a, &s, 1, &r, 1};
    char *svg = chart_of(draw_line, &la);
    assert_non_null(strstr(svg, "data-chart=\"t\""));
    assert_non_null(strstr(svg, "aria-label=\"A &lt;b&gt;\""));
    assert_non_null(strstr(svg, "data-name=\"model &amp; co\""));
    assert_non_null(strstr(svg, "stroke-dasharray=\"7 4\""));
    assert_non_null(strstr(svg, ">40%</text>")); /* a tick label as a percentage */
    const char *plot = strstr(svg, "class=\"plot\"");
    assert_non_null(plot);
    double L = attr(plot, NULL, "data-left"), R = attr(plot, NULL, "data-right"), T = attr(plot, NULL, "data-top"),
           B = attr(plot, NULL, "data-bottom");
    assert_true(R > L && B > T);
    const char *pts = strstr(svg, "points=\"");
    assert_non_null(pts);
    pts += 8;
    for (int i = 0; i < 4; i++) {
        char *end;
        double px = strtod(pts, &end), py = strtod(end + 1, &end);
        pts = end;
        double yv = y[i] > 1 ? 1 : y[i]; /* clamped to the axis */
        /* written to 0.01 px */
        assert_true(fabs(px - (L + x[i] * (R - L))) <= 0.005 + 1e-9);
        assert_true(fabs(py - (B - yv * (B - T))) <= 0.005 + 1e-9);
    }
    /* the reference line at x = 0.5 */
    const char *ref = strstr(svg, "class=\"ref\"");
    assert_non_null(ref);
    assert_close(attr(ref, NULL, "x1"), L + 0.5 * (R - L), 1e-4);
    free(svg);
}

static void test_svg_bars(void **state)
{
    (void)state;
    const char *labels[3] = {"\xe5\x8c\x97\xe4\xba\xac", "a\"b",
                             "a very long input name that will not fit in the label column at all, really"};
    const double v[3] = {101, 570, NAN};
    svg_bars b = {.id = "b", .title = "t", .xlabel = "x", .labels = labels, .v = v, .n = 3, .fmt = SVG_FMT_INT};
    char *svg = chart_of(draw_bars, &b);
    const char *plot = strstr(svg, "class=\"plot\"");
    double x0 = attr(plot, NULL, "data-x0"), x1 = attr(plot, NULL, "data-x1"), L = attr(plot, NULL, "data-left"),
           R = attr(plot, NULL, "data-right");
    assert_close(x0, 0, 0);
    assert_true(x1 >= 570);
    const char *p = plot;
    int bars = 0;
    for (int i = 0; i < 2; i++) {
        p = strstr(p, "class=\"bar\"");
        assert_non_null(p);
        double w = attr(p, &p, "width");
        assert_close(attr(strstr(svg, "class=\"plot\""), NULL, "data-left"), L, 0);
        assert_close(x0 + w / (R - L) * (x1 - x0), v[i], (x1 - x0) / (R - L) * 0.006);
        bars++;
    }
    assert_null(strstr(p, "class=\"bar\"")); /* NaN: no bar */
    assert_non_null(strstr(svg, "data-label=\"a&quot;b\""));
    assert_non_null(strstr(svg, ">570</text>"));
    /* the long label is cut with an ellipsis, its whole text in a <title> */
    assert_non_null(strstr(svg, "<title>a very long input name that will not fit in the label column at all, really</title>"));
    assert_non_null(strstr(svg, "\xe2\x80\xa6</text>"));
    assert_int_equal(bars, 2);
    free(svg);
}

static void test_svg_nice(void **state)
{
    (void)state;
    assert_close(svg_nice_ceil(0.43), 0.5, 1e-15);
    assert_close(svg_nice_ceil(29), 30, 1e-15);
    assert_close(svg_nice_ceil(1), 1, 1e-15);
    assert_close(svg_nice_ceil(101), 120, 1e-12);
    assert_close(svg_nice_ceil(0), 1, 0);
    assert_close(svg_nice_ceil(NAN), 1, 0);
    /* CJK characters are wider than Latin letters */
    assert_true(svg_text_width("\xe5\x8c\x97\xe4\xba\xac", 11) > svg_text_width("ab", 11));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt),        cmocka_unit_test(test_escape),   cmocka_unit_test(test_table_and_page),
        cmocka_unit_test(test_write_file), cmocka_unit_test(test_texts),    cmocka_unit_test(test_svg_line),
        cmocka_unit_test(test_svg_bars),   cmocka_unit_test(test_svg_nice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
