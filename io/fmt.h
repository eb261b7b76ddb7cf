/* fmt.h — numbers written for people: thousands separators, percentages, currency.
 *
 * The Markdown and CSV outputs keep numbers as a program reads them back (0.150895, 255909.05); the
 * HTML reports (html.h) and the labels of their charts (svg.h) are read by retention managers, who
 * want 15.1%, 255,909 and ¥255,909. Every function writes into the caller's buffer and returns it, so
 * a call can sit inside a printf argument list; a value that is not a number (NaN, infinite) is
 * written as an en dash, the usual mark of "not known" in a table. The grouping is the same in both
 * report languages (Chinese financial tables group by thousands with commas, too). Pure: no files.
 */
#ifndef CS_FMT_H
#define CS_FMT_H

#include <stddef.h>

/* Big enough for every value of the functions below (a double in %f has at most 309 digits before
 * the point, but a report's figures are far below that: longer values are cut, never overflowed). */
#define FMT_BUF 64

/* "–" (U+2013, in UTF-8): what a table shows for a value that is not known. */
#define FMT_NA "\xe2\x80\x93"

/* 1234567 -> "1,234,567"; -1234 -> "-1,234". */
char *fmt_int(char *buf, size_t n, long long v);
/* v rounded to dec decimals (0..9) with the integer part grouped: 12345.678, 2 -> "12,345.68". */
char *fmt_fix(char *buf, size_t n, double v, int dec);
/* A share as a percentage: 0.1234, 1 -> "12.3%". */
char *fmt_pct(char *buf, size_t n, double share, int dec);
/* An amount of money, whole units, the symbol before it: 255909.05, "¥" -> "¥255,909"; negative
 * amounts "-¥12". cur may be "" (no symbol). */
char *fmt_money(char *buf, size_t n, double v, const char *cur);
/* A figure with sig significant digits (1..17), for coefficients and statistics whose scale varies
 * (0.00012, 1.25e+05): %.*g, grouped when it is written without an exponent and has 5 or more
 * integer digits. */
char *fmt_sig(char *buf, size_t n, double v, int sig);

#endif
