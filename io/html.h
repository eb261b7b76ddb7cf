/* html.h — a self-contained HTML page, written as a stream: the reports people open in a browser.
 *
 * The month report, the training report and the evaluation (htmlrep.h) are read from a file share,
 * often on a machine with no internet, and printed. So a page is one file: inline CSS, inline SVG
 * charts (svg.h), no script, no web font, no link or image that leaves the file; fonts are the
 * system's (Noto CJK or WenQuanYi on Debian for Chinese). The markup is HTML5 that `tidy -e` accepts
 * without a warning (tests/mpi/test_html.sh). Every text written through this module is escaped
 * (& < > " '), whatever it comes from: a region name, an option value, a file name.
 *
 * Tables are written row by row; the table remembers which columns are numbers (right-aligned, with
 * tabular figures) from the alignment string given when it starts. Write errors show in the stream
 * (ferror) and are reported once, by html_write_file or by whoever owns the stream.
 */
#ifndef CS_HTML_H
#define CS_HTML_H

#include "lang.h"

#include <stddef.h>
#include <stdio.h>

#define HTML_MAX_COLS 32

typedef struct {
    FILE *f;
    cs_lang lang;
    /* the open table: its columns' alignment ('l' text, 'r' number) and the next cell's column */
    char align[HTML_MAX_COLS + 1];
    int col;
} html_doc;

/* Writes the text s with & < > " ' escaped: safe inside an element and inside a quoted attribute.
 * Bytes that are not valid UTF-8 are written as U+FFFD, control characters (but tab and newline) are
 * dropped, so a file name with odd bytes cannot make the page invalid. NULL writes nothing. */
void html_esc(FILE *f, const char *s);

/* Starts the page: doctype, <html lang>, head (charset, viewport, title, the style sheet), <body>,
 * <main> and the <h1> title. */
void html_begin(html_doc *d, FILE *f, cs_lang lang, const char *title);
/* Ends <main>, the body and the page; foot (escaped, may be NULL) is a small line under the main
 * part, e.g. the program's version. */
void html_end(html_doc *d, const char *foot);

/* A heading <hN id="id"> (level 2..6; id may be NULL). */
void html_h(html_doc *d, int level, const char *id, const char *text);
/* A paragraph of escaped text, with class cls (NULL: none; "warn" is the style of a warning). */
void html_p(html_doc *d, const char *cls, const char *text);
/* A paragraph of printf-formatted text, escaped after formatting. */
void html_pf(html_doc *d, const char *cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Raw markup (the caller's own, already safe), e.g. "<figure>". */
void html_raw(html_doc *d, const char *markup);

/* A table: caption (escaped, may be NULL), n column heads (escaped), align one letter per column
 * ('l' or 'r'; shorter than n: the rest 'l'). cls may be NULL. At most HTML_MAX_COLS columns. */
void html_table_begin(html_doc *d, const char *cls, const char *caption, const char *const *heads,
                      size_t n, const char *align);
void html_tr(html_doc *d);      /* starts a row (ends the row before) */
void html_th_row(html_doc *d, const char *text); /* the row's first cell as a row header */
void html_td(html_doc *d, const char *text);     /* one cell, escaped */
void html_tdf(html_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void html_table_end(html_doc *d);

/* A row of key figures (<div class="figures">, one box each): html_fig_begin, then pairs of label and
 * value, then html_fig_end. */
void html_fig_begin(html_doc *d);
void html_fig(html_doc *d, const char *label, const char *value);
void html_fig_end(html_doc *d);

/* Writes a whole page to the file tmp: build(d, arg) writes its body between html_begin(title) and
 * html_end(foot), into memory; the page is then written with one checked write. CS_EIO naming tmp
 * (commit_errno: "no space left on device: tmp" on a full disk) when writing failed, and tmp is then
 * removed; CS_ENOMEM. The caller renames tmp (commit.h) with its other outputs. */
typedef void (*html_build_fn)(html_doc *d, const void *arg);
int html_write_file(const char *tmp, cs_lang lang, const char *title, const char *foot,
                    html_build_fn build, const void *arg);

/* "REPORT.md" -> "REPORT.html", any other name gets ".html" appended; malloc'd (NULL out of memory). */
char *html_path_beside(const char *md_path);

#endif
