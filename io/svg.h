/* svg.h — our small plotting module: line charts, horizontal bars, interval (forest) charts and a
 * heat map, written as inline SVG for the HTML reports (html.h, htmlrep.h).
 *
 * Why hand-written: Debian ships no well-kept C library that draws charts as SVG (PLplot and
 * gnuplot draw SVG, but as a separate program or a large library with its own fonts and device
 * model, and neither gives an element per data point that a test can read back); the four chart
 * kinds the reports need are a few hundred lines. What the module promises:
 *   - every chart has labelled axes (the label says the unit: %, subscribers, ¥) and tick labels
 *     formatted for people (fmt.h);
 *   - series stay apart in greyscale print: each has its own dash pattern and marker shape besides
 *     its colour, and the colours differ in lightness; bars are one dark fill with their value
 *     written at the end; the heat map's lightness follows |value| and every cell prints its value;
 *   - the geometry can be read back: the plot area is <g class="plot"> with data-x0, data-x1,
 *     data-y0, data-y1 (the axis ranges, %.17g) and data-left, data-right, data-top, data-bottom
 *     (its pixel box); a value v is drawn at left + (v - x0) / (x1 - x0) * (right - left), and
 *     bottom - (v - y0) / (y1 - y0) * (bottom - top) upwards. A line is one <polyline
 *     class="series" data-name=...>, a bar a <rect class="bar" data-label=...> from x = 0, an
 *     interval a <line class="ci"> with a <circle class="est">, a heat-map cell a <rect class="cell">
 *     with its <text>. Coordinates are written to 0.01 px. tests/mpi/htmlcheck.py reads them back
 *     and compares them with the JSON outputs.
 * Every text is escaped (html_esc). Values outside the axis range are clamped to its edge (a curve
 * never leaves the plot). Output goes to a stream; write errors show in ferror (the page writer
 * checks). Pure otherwise: no allocation, no state.
 */
#ifndef CS_SVG_H
#define CS_SVG_H

#include <stddef.h>
#include <stdio.h>

/* How tick and value labels are written. */
enum { SVG_FMT_NUM = 0, /* 3 significant digits, grouped */
       SVG_FMT_PCT = 1, /* a share as a percentage: 0.25 -> 25% */
       SVG_FMT_INT = 2, /* whole numbers, grouped */
       SVG_FMT_MONEY = 3 /* the currency symbol (svg_axes.currency) then whole units */ };

/* Line patterns, one per series, so that they stay apart when printed in grey. */
enum { SVG_SOLID = 0, SVG_DASH = 1, SVG_DOT = 2, SVG_DASHDOT = 3 };

#define SVG_MAX_SERIES 6
#define SVG_MAX_REFS 4

typedef struct {
    const char *name;    /* legend text (escaped) */
    const double *x, *y; /* n points; a point with a NaN coordinate breaks the line */
    size_t n;
    int style;           /* SVG_SOLID .. SVG_DASHDOT */
    int ink;             /* 0 darkest .. 3 lightest of the palette; also picks the marker shape */
    int markers;         /* 0: none; k > 0: a marker on every k-th point (and the last) */
} svg_series;

/* A reference line: y = v in a line chart (vertical = 0) or x = v (vertical = 1); x = v in a bar
 * chart. label is written beside it (may be NULL). */
typedef struct {
    double v;
    int vertical;
    const char *label;
} svg_ref;

typedef struct {
    const char *id;             /* the chart's name: data-chart="id" (also the element's id) */
    const char *title;          /* accessible name (<title>, aria-label) */
    const char *xlabel, *ylabel;
    double x0, x1, y0, y1;      /* axis ranges (x0 < x1, y0 < y1) */
    int xfmt, yfmt;             /* SVG_FMT_* of the tick labels */
    const char *currency;       /* SVG_FMT_MONEY's symbol ("" when NULL) */
    /* x ticks at 0, 1, .. ncat-1 labelled with cats[] instead of numbers (months); 0: numeric */
    const char *const *cats;
    size_t ncat;
    int width, height;          /* pixels; 0: 560 x 340 */
    int square;                 /* 1: the plot area is square (ROC, calibration) */
} svg_axes;

/* A line chart of ns series (<= SVG_MAX_SERIES) with nr reference lines (<= SVG_MAX_REFS). */
void svg_line_chart(FILE *f, const svg_axes *a, const svg_series *s, size_t ns, const svg_ref *refs,
                    size_t nr);

typedef struct {
    const char *id, *title, *xlabel;
    const char *const *labels;  /* n bar labels (regions, inputs), top to bottom */
    const double *v;            /* n values, >= 0 drawn rightwards, < 0 leftwards from 0 */
    size_t n;
    double x1;                  /* axis end; <= 0: from the largest value (a round number above) */
    double x0;                  /* axis start (<= 0); 0 for counts */
    int fmt;                    /* SVG_FMT_* of the ticks and of the value written at each bar */
    const char *currency;
    const char *const *notes;   /* NULL, or n texts written after each value ("retrain"), may be NULL */
    const svg_ref *refs;        /* vertical lines (PSI 0.1 and 0.25) */
    size_t nr;
    int width;                  /* 0: 560 */
} svg_bars;

void svg_bar_chart(FILE *f, const svg_bars *b);

typedef struct {
    const char *id, *title, *xlabel;
    const char *const *labels;  /* n rows */
    const double *est, *lo, *hi; /* estimate and interval of each row (NaN: not drawn) */
    size_t n;
    int width;
} svg_intervals;

/* Estimates with their intervals, one row each, and a vertical line at 0. */
void svg_interval_chart(FILE *f, const svg_intervals *c);

typedef struct {
    const char *id, *title;
    const char *const *rows, *const *cols; /* nr row labels, nc column labels */
    size_t nr, nc;
    const double *v;            /* [nr * nc] row-major */
    double lim;                 /* |v| at which the colour is darkest (> 0) */
    double bold;                /* |v| at or above this is printed bold (<= 0: never) */
    const char *legend;         /* a line under the map (what the colours mean) */
} svg_heat;

void svg_heatmap(FILE *f, const svg_heat *h);

/* A round number at or above v > 0 (1, 2, 2.5, 5 times a power of ten): an axis end. 1 for v <= 0
 * or NaN. */
double svg_nice_ceil(double v);

/* Estimated width in pixels of s at font size px: Latin letters about 0.58 em, CJK characters one em. */
double svg_text_width(const char *s, double px);

#endif
