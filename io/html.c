/* html.c — see html.h. */
#include "html.h"

#include "commit.h"
#include "status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The one style sheet: system fonts only (the CJK families Debian ships first for Chinese pages),
 * black text on white, rules and zebra rows light enough to print, numbers right-aligned with
 * tabular figures so that columns of figures line up; charts scale down with the window. */
static const char html_css[] =
    "body{margin:0;background:#fff;color:#111;font:15px/1.45 \"Noto Sans\",\"Noto Sans CJK SC\","
    "\"WenQuanYi Zen Hei\",\"DejaVu Sans\",Arial,sans-serif}\n"
    "main{max-width:1100px;margin:0 auto;padding:16px 24px}\n"
    "h1{font-size:26px;margin:8px 0 12px}h2{font-size:21px;margin:28px 0 8px;border-bottom:2px solid #333}"
    "h3{font-size:17px;margin:20px 0 6px}h4{font-size:15px;margin:14px 0 4px}\n"
    "table{border-collapse:collapse;margin:8px 0 14px;font-size:13px}"
    "caption{text-align:left;font-weight:bold;padding:4px 0}\n"
    "th,td{border:1px solid #bbb;padding:3px 7px;vertical-align:top}th{background:#e8e8e8;text-align:left}"
    "tbody tr:nth-child(even){background:#f5f5f5}\n"
    "td.r,th.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "div.figures{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 14px}"
    "div.fig{border:1px solid #999;padding:6px 12px;min-width:120px}"
    "div.fig span{display:block}span.k{font-size:12px;color:#444}span.v{font-size:20px;font-weight:bold}\n"
    "p.warn{border:2px solid #000;padding:6px 10px;font-weight:bold;background:#fff3d6}"
    "p.note{color:#333;font-size:13px}\n"
    "figure{margin:10px 0 18px;break-inside:avoid}figcaption{font-size:13px;color:#333}"
    "svg.chart{max-width:100%;height:auto;display:block;font-size:11px}\n"
    "div.charts{display:flex;flex-wrap:wrap;gap:12px}div.charts figure{margin:4px 0}\n"
    "code{font-family:\"DejaVu Sans Mono\",monospace;font-size:12px;word-break:break-all}\n"
    "footer{max-width:1100px;margin:0 auto;padding:8px 24px 24px;font-size:12px;color:#555}\n"
    "@media print{main{max-width:none;padding:0}h2{break-after:avoid}table{break-inside:auto}"
    "tr{break-inside:avoid}}\n";

/* The length of the UTF-8 sequence starting at p (1..4), or 0 when it is not a valid one. */
static size_t html_utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80) return 1;
    size_t n = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] < 0xe0 ? 2 : 0;
    if (n == 0) return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    /* overlong three-byte forms, surrogates, beyond U+10FFFF */
    if (n == 3 && p[0] == 0xe0 && p[1] < 0xa0) return 0;
    if (n == 3 && p[0] == 0xed && p[1] >= 0xa0) return 0;
    if (n == 4 && p[0] == 0xf0 && p[1] < 0x90) return 0;
    if (n == 4 && p[0] == 0xf4 && p[1] >= 0x90) return 0;
    return n;
}

void html_esc(FILE *f, const char *s)
{
    if (!s) return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        switch (*p) {
        case '&': fputs("&amp;", f); p++; continue;
        case '<': fputs("&lt;", f); p++; continue;
        case '>': fputs("&gt;", f); p++; continue;
        case '"': fputs("&quot;", f); p++; continue;
        case '\'': fputs("&#39;", f); p++; continue;
        default: break;
        }
        if (*p < 0x20 && *p != '\t' && *p != '\n') {
            p++;
            continue;
        }
        size_t n = html_utf8_len(p);
        if (n == 0) {
            fputs("\xef\xbf\xbd", f);
            p++;
            continue;
        }
        fwrite(p, 1, n, f);
        p += n;
    }
}

void html_begin(html_doc *d, FILE *f, cs_lang lang, const char *title)
{
    memset(d, 0, sizeof *d);
    d->f = f;
    d->lang = lang;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
            lang == LANG_ZH ? "zh-CN" : "en");
    html_esc(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", html_css);
    html_esc(f, title);
    fputs("</h1>\n", f);
}

void html_end(html_doc *d, const char *foot)
{
    fputs("</main>\n", d->f);
    if (foot) {
        fputs("<footer>", d->f);
        html_esc(d->f, foot);
        fputs("</footer>\n", d->f);
    }
    fputs("</body>\n</html>\n", d->f);
}

void html_h(html_doc *d, int level, const char *id, const char *text)
{
    if (level < 2) level = 2;
    if (level > 6) level = 6;
    fprintf(d->f, "<h%d", level);
    if (id) {
        fputs(" id=\"", d->f);
        html_esc(d->f, id);
        fputc('"', d->f);
    }
    fputc('>', d->f);
    html_esc(d->f, text);
    fprintf(d->f, "</h%d>\n", level);
}

void html_p(html_doc *d, const char *cls, const char *text)
{
    if (cls) fprintf(d->f, "<p class=\"%s\">", cls);
    else fputs("<p>", d->f);
    html_esc(d->f, text);
    fputs("</p>\n", d->f);
}

void html_pf(html_doc *d, const char *cls, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    html_p(d, cls, buf);
}

void html_raw(html_doc *d, const char *markup) { fputs(markup, d->f); }

void html_table_begin(html_doc *d, const char *cls, const char *caption, const char *const *heads,
                      size_t n, const char *align)
{
    if (n > HTML_MAX_COLS) n = HTML_MAX_COLS;
    size_t na = align ? strlen(align) : 0;
    for (size_t i = 0; i < n; i++) d->align[i] = i < na && align[i] == 'r' ? 'r' : 'l';
    d->align[n] = '\0';
    d->col = -1;
    if (cls) fprintf(d->f, "<table class=\"%s\">\n", cls);
    else fputs("<table>\n", d->f);
    if (caption) {
        fputs("<caption>", d->f);
        html_esc(d->f, caption);
        fputs("</caption>\n", d->f);
    }
    fputs("<thead><tr>", d->f);
    for (size_t i = 0; i < n; i++) {
        fputs(d->align[i] == 'r' ? "<th scope=\"col\" class=\"r\">" : "<th scope=\"col\">", d->f);
        html_esc(d->f, heads[i]);
        fputs("</th>", d->f);
    }
    fputs("</tr></thead>\n<tbody>\n", d->f);
}

void html_tr(html_doc *d)
{
    if (d->col >= 0) fputs("</tr>\n", d->f);
    fputs("<tr>", d->f);
    d->col = 0;
}

static int html_col_right(const html_doc *d)
{
    return d->col >= 0 && (size_t)d->col < strlen(d->align) && d->align[d->col] == 'r';
}

void html_th_row(html_doc *d, const char *text)
{
    fputs(html_col_right(d) ? "<th scope=\"row\" class=\"r\">" : "<th scope=\"row\">", d->f);
    html_esc(d->f, text);
    fputs("</th>", d->f);
    d->col++;
}

void html_td(html_doc *d, const char *text)
{
    fputs(html_col_right(d) ? "<td class=\"r\">" : "<td>", d->f);
    html_esc(d->f, text);
    fputs("</td>", d->f);
    d->col++;
}

void html_tdf(html_doc *d, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    html_td(d, buf);
}

void html_table_end(html_doc *d)
{
    if (d->col >= 0) fputs("</tr>\n", d->f);
    fputs("</tbody>\n</table>\n", d->f);
    d->col = -1;
    d->align[0] = '\0';
}

void html_fig_begin(html_doc *d) { fputs("<div class=\"figures\">\n", d->f); }

void html_fig(html_doc *d, const char *label, const char *value)
{
    fputs("<div class=\"fig\"><span class=\"k\">", d->f);
    html_esc(d->f, label);
    fputs("</span><span class=\"v\">", d->f);
    html_esc(d->f, value);
    fputs("</span></div>\n", d->f);
}

void html_fig_end(html_doc *d) { fputs("</div>\n", d->f); }

int html_write_file(const char *tmp, cs_lang lang, const char *title, const char *foot,
                    html_build_fn build, const void *arg)
{
    /* composed in memory, then one checked write (commit_memstream_save says why) */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return CS_ERROR(CS_ENOMEM, "out of memory for the report");
    html_doc d;
    html_begin(&d, f, lang, title);
    build(&d, arg);
    html_end(&d, foot);
    return commit_memstream_save(f, &text, &len, tmp);
}

char *html_path_beside(const char *md_path)
{
    size_t n = strlen(md_path);
    int md = n > 3 && strcmp(md_path + n - 3, ".md") == 0;
    size_t keep = md ? n - 3 : n;
    char *out = malloc(keep + 6);
    if (!out) return NULL;
    memcpy(out, md_path, keep);
    memcpy(out + keep, ".html", 6);
    return out;
}
