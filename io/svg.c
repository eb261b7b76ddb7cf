/* svg.c — see svg.h. */
#include "svg.h"

#include "fmt.h"
#include "html.h"

#include <math.h>
#include <string.h>

/* Inks differ in lightness as well as hue (black, dark blue, orange, mid grey): printed in grey
 * they stay four different greys, and the dash patterns and markers tell them apart anyway. */
static const char *const svg_ink[4] = {"#111111", "#1f5fa8", "#d9822b", "#8a8a8a"};
static const char *const svg_dash[4] = {"", "7 4", "2 3", "8 3 2 3"};
#define SVG_FONT 11.0
#define SVG_BAR_FILL "#3d5f8c"

static double svg_clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

double svg_text_width(const char *s, double px)
{
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if ((*p & 0xc0) == 0x80) continue;
        w += *p >= 0xe3 ? 1.0 : *p >= 0x80 ? 0.7 : (*p == 'm' || *p == 'w' || *p == 'M' || *p == 'W') ? 0.85
             : (*p == 'i' || *p == 'l' || *p == '.' || *p == ',' || *p == ':' || *p == '1') ? 0.33 : 0.58;
    }
    return w * px;
}

double svg_nice_ceil(double v)
{
    if (!(v > 0) || !isfinite(v)) return 1;
    double e = pow(10, floor(log10(v)));
    static const double m[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i] * e >= v * (1 - 1e-12)) return m[i] * e;
    return 10 * e;
}

/* A tick step giving about `want` ticks over span (1, 2, 5 times a power of ten). */
static double svg_step(double span, int want)
{
    double raw = span / (want > 0 ? want : 5);
    double e = pow(10, floor(log10(raw)));
    double f = raw / e;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * e;
}

static void svg_fmt_value(char *buf, size_t n, double v, int fmt, const char *cur, double step)
{
    switch (fmt) {
    case SVG_FMT_PCT: {
        /* decimals enough to tell neighbouring ticks apart */
        int dec = step > 0 && step * 100 < 1 ? (int)ceil(-log10(step * 100) - 1e-9) : 0;
        if (step <= 0) dec = 1; /* a value at a bar: 3.5%, not 4% */
        fmt_pct(buf, n, v, dec > 3 ? 3 : dec);
        break;
    }
    case SVG_FMT_INT: fmt_int(buf, n, (long long)llround(v)); break;
    case SVG_FMT_MONEY: fmt_money(buf, n, v, cur ? cur : ""); break;
    default: {
        if (step > 0 && fabs(v) < step * 1e-9) v = 0;
        int dec = step > 0 && step < 1 ? (int)ceil(-log10(step) - 1e-9) : 0;
        /* a value written at a bar: a fixed number of decimals by its size, never an exponent */
        if (step <= 0) fmt_fix(buf, n, v, fabs(v) >= 100 ? 0 : fabs(v) >= 1 ? 2 : 4);
        else fmt_fix(buf, n, v, dec > 6 ? 6 : dec);
    }
    }
}

/* <text> at (x, y) with an anchor, escaped. */
static void svg_text(FILE *f, double x, double y, const char *anchor, const char *extra, const char *s)
{
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\"", x, y);
    if (anchor) fprintf(f, " text-anchor=\"%s\"", anchor);
    if (extra) fprintf(f, " %s", extra);
    fputc('>', f);
    html_esc(f, s);
    fputs("</text>\n", f);
}

/* A label cut to about max_w pixels (with an ellipsis), the whole label kept in a <title>. */
static void svg_label(FILE *f, double x, double y, const char *anchor, const char *s, double max_w)
{
    if (svg_text_width(s, SVG_FONT) <= max_w) {
        svg_text(f, x, y, anchor, NULL, s);
        return;
    }
    char cut[256];
    size_t o = 0;
    double w = svg_text_width("\xe2\x80\xa6", SVG_FONT);
    for (const unsigned char *p = (const unsigned char *)s; *p && o < sizeof cut - 8;) {
        size_t len = 1;
        while ((p[len] & 0xc0) == 0x80) len++;
        char one[8];
        memcpy(one, p, len < 7 ? len : 7);
        one[len < 7 ? len : 7] = '\0';
        w += svg_text_width(one, SVG_FONT);
        if (w > max_w) break;
        memcpy(cut + o, p, len);
        o += len;
        p += len;
    }
    memcpy(cut + o, "\xe2\x80\xa6", 4);
    fprintf(f, "<text x=\"%.2f\" y=\"%.2f\"", x, y);
    if (anchor) fprintf(f, " text-anchor=\"%s\"", anchor);
    fputs("><title>", f);
    html_esc(f, s);
    fputs("</title>", f);
    html_esc(f, cut);
    fputs("</text>\n", f);
}

static void svg_open(FILE *f, const char *id, const char *title, double w, double h)
{
    fputs("<svg class=\"chart\" id=\"chart-", f);
    html_esc(f, id);
    fputs("\" data-chart=\"", f);
    html_esc(f, id);
    fprintf(f, "\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", w, h, w, h);
    html_esc(f, title);
    fputs("\">\n<title>", f);
    html_esc(f, title);
    fprintf(f, "</title>\n<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", w, h);
}

static void svg_plot_open(FILE *f, double x0, double x1, double y0, double y1, double l, double r, double t,
                          double b)
{
    fprintf(f, "<g class=\"plot\" data-x0=\"%.17g\" data-x1=\"%.17g\" data-y0=\"%.17g\" data-y1=\"%.17g\" "
               "data-left=\"%.2f\" data-right=\"%.2f\" data-top=\"%.2f\" data-bottom=\"%.2f\">\n",
            x0, x1, y0, y1, l, r, t, b);
}

/* A marker of shape k (circle, square, triangle, diamond) at (x, y). */
static void svg_marker(FILE *f, int k, double x, double y, const char *ink)
{
    switch (k & 3) {
    case 0: fprintf(f, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3.2\" fill=\"%s\"/>\n", x, y, ink); break;
    case 1: fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"6\" height=\"6\" fill=\"%s\"/>\n", x - 3, y - 3, ink); break;
    case 2:
        fprintf(f, "<path d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fZ\" fill=\"%s\"/>\n", x, y - 4, x + 3.6, y + 2.6,
                x - 3.6, y + 2.6, ink);
        break;
    default:
        fprintf(f, "<path d=\"M%.2f %.2fL%.2f %.2fL%.2f %.2fL%.2f %.2fZ\" fill=\"#ffffff\" stroke=\"%s\" "
                   "stroke-width=\"1.5\"/>\n", x, y - 4, x + 4, y, x, y + 4, x - 4, y, ink);
    }
}

/* The sample of series s in a legend entry at (x, y): a short line in its pattern and its marker. */
static void svg_legend_sample(FILE *f, const svg_series *s, double x, double y)
{
    int k = s->ink & 3;
    fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" stroke-width=\"2\"", x, y,
            x + 26, y, svg_ink[k]);
    if (s->style > 0) fprintf(f, " stroke-dasharray=\"%s\"", svg_dash[s->style & 3]);
    fputs("/>\n", f);
    if (s->markers) svg_marker(f, k, x + 13, y, svg_ink[k]);
}

void svg_line_chart(FILE *f, const svg_axes *a, const svg_series *s, size_t ns, const svg_ref *refs,
                    size_t nr)
{
    if (ns > SVG_MAX_SERIES) ns = SVG_MAX_SERIES;
    if (nr > SVG_MAX_REFS) nr = SVG_MAX_REFS;
    double W = a->width > 0 ? a->width : 560, H = a->height > 0 ? a->height : 340;
    double step_y = svg_step(a->y1 - a->y0, 5), step_x = a->ncat ? 1 : svg_step(a->x1 - a->x0, 5);
    /* room for the widest y tick label */
    double ytw = 0;
    for (double v = ceil(a->y0 / step_y - 1e-9) * step_y; v <= a->y1 + step_y * 1e-9; v += step_y) {
        char buf[FMT_BUF];
        svg_fmt_value(buf, sizeof buf, v, a->yfmt, a->currency, step_y);
        double w = svg_text_width(buf, SVG_FONT);
        if (w > ytw) ytw = w;
    }
    /* the legend: entries in rows under the x label */
    double lx = 0, rows = ns ? 1 : 0, avail = W - 20;
    for (size_t i = 0; i < ns; i++) {
        double w = 34 + svg_text_width(s[i].name, SVG_FONT) + 14;
        if (lx > 0 && lx + w > avail) rows++, lx = 0;
        lx += w;
    }
    double L = 28 + ytw + 6, R = W - 14, T = 12, B = H - 40 - rows * 18;
    if (a->square) {
        double side = fmin(R - L, B - T);
        R = L + side;
        B = T + side;
        H = B + 40 + rows * 18;
        /* the figure as wide as its plot (and its legend) */
        double lw = 0, x = 0;
        for (size_t i = 0; i < ns; i++) x += 34 + svg_text_width(s[i].name, SVG_FONT) + 14;
        lw = x + 20;
        W = fmax(R + 14, fmin(lw, W));
    }
    svg_open(f, a->id, a->title, W, H);
    double px = (R - L) / (a->x1 - a->x0), py = (B - T) / (a->y1 - a->y0);
#define SX(v) (L + (svg_clamp((v), a->x0, a->x1) - a->x0) * px)
#define SY(v) (B - (svg_clamp((v), a->y0, a->y1) - a->y0) * py)
    /* grid, ticks and their labels */
    fputs("<g class=\"axes\" fill=\"#222222\">\n", f);
    for (double v = ceil(a->y0 / step_y - 1e-9) * step_y; v <= a->y1 + step_y * 1e-9; v += step_y) {
        char buf[FMT_BUF];
        svg_fmt_value(buf, sizeof buf, v, a->yfmt, a->currency, step_y);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#dddddd\"/>\n", L, SY(v), R, SY(v));
        svg_text(f, L - 5, SY(v) + 4, "end", NULL, buf);
    }
    if (a->ncat) {
        size_t every = a->ncat > 12 ? (a->ncat + 11) / 12 : 1;
        for (size_t i = 0; i < a->ncat; i += every) {
            fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#dddddd\"/>\n", SX((double)i), T,
                    SX((double)i), B);
            svg_text(f, SX((double)i), B + 15, "middle", NULL, a->cats[i]);
        }
    } else {
        for (double v = ceil(a->x0 / step_x - 1e-9) * step_x; v <= a->x1 + step_x * 1e-9; v += step_x) {
            char buf[FMT_BUF];
            svg_fmt_value(buf, sizeof buf, v, a->xfmt, a->currency, step_x);
            fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#dddddd\"/>\n", SX(v), T, SX(v), B);
            svg_text(f, SX(v), B + 15, "middle", NULL, buf);
        }
    }
    fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" stroke=\"#444444\"/>\n", L, T,
            R - L, B - T);
    svg_text(f, (L + R) / 2, B + 31, "middle", "font-weight=\"bold\"", a->xlabel);
    char rot[96];
    snprintf(rot, sizeof rot, "font-weight=\"bold\" transform=\"rotate(-90 %.2f %.2f)\"", 13.0, (T + B) / 2);
    svg_text(f, 13, (T + B) / 2, "middle", rot, a->ylabel);
    fputs("</g>\n", f);

    svg_plot_open(f, a->x0, a->x1, a->y0, a->y1, L, R, T, B);
    for (size_t i = 0; i < nr; i++) {
        const svg_ref *r = &refs[i];
        if (r->vertical) {
            fprintf(f, "<line class=\"ref\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#555555\" "
                       "stroke-dasharray=\"3 3\"/>\n", SX(r->v), T, SX(r->v), B);
            if (r->label) svg_text(f, SX(r->v) + 4, T + 13, NULL, NULL, r->label);
        } else {
            fprintf(f, "<line class=\"ref\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#555555\" "
                       "stroke-dasharray=\"3 3\"/>\n", L, SY(r->v), R, SY(r->v));
            if (r->label) svg_text(f, R - 4, SY(r->v) - 4, "end", NULL, r->label);
        }
    }
    for (size_t i = 0; i < ns; i++) {
        const svg_series *q = &s[i];
        int k = q->ink & 3;
        fputs("<polyline class=\"series\" data-name=\"", f);
        html_esc(f, q->name);
        fputs("\" points=\"", f);
        int first = 1;
        for (size_t j = 0; j < q->n; j++) {
            if (isnan(q->x[j]) || isnan(q->y[j])) continue;
            fprintf(f, first ? "%.2f,%.2f" : " %.2f,%.2f", SX(q->x[j]), SY(q->y[j]));
            first = 0;
        }
        fprintf(f, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\"", svg_ink[k]);
        if (q->style > 0) fprintf(f, " stroke-dasharray=\"%s\"", svg_dash[q->style & 3]);
        fputs("/>\n", f);
        if (q->markers > 0)
            for (size_t j = 0; j < q->n; j++)
                if ((j % (size_t)q->markers == 0 || j + 1 == q->n) && !isnan(q->x[j]) && !isnan(q->y[j]))
                    svg_marker(f, k, SX(q->x[j]), SY(q->y[j]), svg_ink[k]);
    }
    fputs("</g>\n", f);
    /* the legend */
    fputs("<g class=\"legend\" fill=\"#222222\">\n", f);
    double x = 10, y = B + 50;
    for (size_t i = 0; i < ns; i++) {
        double w = 34 + svg_text_width(s[i].name, SVG_FONT) + 14;
        if (x > 10 && x + w > avail) x = 10, y += 18;
        svg_legend_sample(f, &s[i], x, y - 4);
        svg_text(f, x + 32, y, NULL, NULL, s[i].name);
        x += w;
    }
    fputs("</g>\n</svg>\n", f);
#undef SX
#undef SY
}

/* Widest label of n, capped. */
static double svg_label_col(const char *const *labels, size_t n, double cap)
{
    double w = 0;
    for (size_t i = 0; i < n; i++) {
        double t = svg_text_width(labels[i], SVG_FONT);
        if (t > w) w = t;
    }
    return w > cap ? cap : w;
}

/* The axes of a chart with one row per label (bars, intervals): vertical grid lines every step on
 * [x0, x1] with their values (fmt, currency, precision of tick_prec as svg_fmt_value takes it), the
 * zero line, the x label, and the row labels right-aligned left of the plot (at most lab wide). */
static void svg_row_axes(FILE *f, double x0, double x1, double step, double L, double R, double T, double B,
                         double row, int fmt, const char *currency, double tick_prec, const char *xlabel,
                         const char *const *labels, size_t n, double lab)
{
    double px = (R - L) / (x1 - x0);
#define SX(v) (L + (svg_clamp((v), x0, x1) - x0) * px)
    fputs("<g class=\"axes\" fill=\"#222222\">\n", f);
    for (double v = ceil(x0 / step - 1e-9) * step; v <= x1 + step * 1e-9; v += step) {
        char buf[FMT_BUF];
        svg_fmt_value(buf, sizeof buf, v, fmt, currency, tick_prec);
        fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#dddddd\"/>\n", SX(v), T, SX(v), B);
        svg_text(f, SX(v), B + 14, "middle", NULL, buf);
    }
    fprintf(f, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#444444\"/>\n", SX(0), T, SX(0), B);
    svg_text(f, (L + R) / 2, B + 31, "middle", "font-weight=\"bold\"", xlabel);
    for (size_t i = 0; i < n; i++) svg_label(f, L - 6, T + row * (double)i + 12, "end", labels[i], lab);
    fputs("</g>\n", f);
#undef SX
}

void svg_bar_chart(FILE *f, const svg_bars *b)
{
    double W = b->width > 0 ? b->width : 560, row = 16;
    double x0 = b->x0 < 0 ? b->x0 : 0, x1 = b->x1;
    if (!(x1 > 0)) {
        double m = 0;
        for (size_t i = 0; i < b->n; i++)
            if (b->v[i] > m) m = b->v[i];
        for (size_t i = 0; i < b->nr; i++)
            if (b->refs[i].v * 1.1 > m) m = b->refs[i].v * 1.1;
        x1 = svg_nice_ceil(m * 1.02);
    }
    double lab = svg_label_col(b->labels, b->n, 170);
    /* room at the right for the value (and note) written after the longest bar */
    double vw = 0;
    for (size_t i = 0; i < b->n; i++) {
        char buf[FMT_BUF];
        svg_fmt_value(buf, sizeof buf, b->v[i], b->fmt, b->currency, 0);
        double w = svg_text_width(buf, SVG_FONT) + (b->notes && b->notes[i] ? svg_text_width(b->notes[i], SVG_FONT) + 6 : 0);
        if (w > vw) vw = w;
    }
    double L = 8 + lab + 8, R = W - vw - 14, T = 22, B = T + row * (double)(b->n ? b->n : 1);
    double H = B + 42;
    svg_open(f, b->id, b->title, W, H);
    double px = (R - L) / (x1 - x0), step = svg_step(x1 - x0, 4);
#define SX(v) (L + (svg_clamp((v), x0, x1) - x0) * px)
    svg_row_axes(f, x0, x1, step, L, R, T, B, row, b->fmt, b->currency,
                 b->fmt == SVG_FMT_NUM || b->fmt == SVG_FMT_PCT ? step : 0, b->xlabel, b->labels, b->n, lab);
    svg_plot_open(f, x0, x1, 0, (double)b->n, L, R, T, B);
    for (size_t i = 0; i < b->n; i++) {
        double v = b->v[i], y = T + row * (double)i + 2;
        if (isnan(v)) continue;
        double a = SX(v < 0 ? v : 0), e = SX(v < 0 ? 0 : v);
        fputs("<rect class=\"bar\" data-label=\"", f);
        html_esc(f, b->labels[i]);
        fprintf(f, "\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>\n", a, y, e - a, row - 4,
                SVG_BAR_FILL);
        char buf[FMT_BUF], txt[FMT_BUF + 64];
        svg_fmt_value(buf, sizeof buf, v, b->fmt, b->currency, 0);
        snprintf(txt, sizeof txt, "%s%s%s", buf, b->notes && b->notes[i] ? " " : "",
                 b->notes && b->notes[i] ? b->notes[i] : "");
        svg_text(f, e + 4, y + 10, NULL, NULL, txt);
    }
    for (size_t i = 0; i < b->nr; i++) {
        fprintf(f, "<line class=\"ref\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000000\" "
                   "stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n", SX(b->refs[i].v), T - 4, SX(b->refs[i].v), B);
        if (b->refs[i].label) svg_text(f, SX(b->refs[i].v), T - 8, "middle", NULL, b->refs[i].label);
    }
    fputs("</g>\n</svg>\n", f);
#undef SX
}

void svg_interval_chart(FILE *f, const svg_intervals *c)
{
    double W = c->width > 0 ? c->width : 560, row = 16;
    double m = 0;
    for (size_t i = 0; i < c->n; i++) {
        double e[3] = {c->est[i], c->lo[i], c->hi[i]};
        for (int k = 0; k < 3; k++)
            if (isfinite(e[k]) && fabs(e[k]) > m) m = fabs(e[k]);
    }
    double x1 = svg_nice_ceil(m * 1.02), x0 = -x1;
    double lab = svg_label_col(c->labels, c->n, 200);
    double L = 8 + lab + 8, R = W - 16, T = 10, B = T + row * (double)(c->n ? c->n : 1), H = B + 42;
    svg_open(f, c->id, c->title, W, H);
    double px = (R - L) / (x1 - x0), step = svg_step(x1 - x0, 6);
#define SX(v) (L + (svg_clamp((v), x0, x1) - x0) * px)
    svg_row_axes(f, x0, x1, step, L, R, T, B, row, SVG_FMT_NUM, NULL, step, c->xlabel, c->labels, c->n, lab);
    svg_plot_open(f, x0, x1, 0, (double)c->n, L, R, T, B);
    for (size_t i = 0; i < c->n; i++) {
        double y = T + row * (double)i + row / 2;
        fputs("<g data-label=\"", f);
        html_esc(f, c->labels[i]);
        fputs("\">", f);
        if (isfinite(c->lo[i]) && isfinite(c->hi[i]))
            fprintf(f, "<line class=\"ci\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#111111\" "
                       "stroke-width=\"1.5\"/>", SX(c->lo[i]), y, SX(c->hi[i]), y);
        if (isfinite(c->est[i]))
            fprintf(f, "<circle class=\"est\" cx=\"%.2f\" cy=\"%.2f\" r=\"3.5\" fill=\"%s\"/>", SX(c->est[i]), y,
                    svg_ink[1]);
        fputs("</g>\n", f);
    }
    fputs("</g>\n</svg>\n", f);
#undef SX
}

/* Colour of a heat-map cell: white at 0, darkest at |v| = lim; blue for positive, red for negative
 * (the lightness alone carries |v|, so a grey print keeps the pattern; the value is printed). */
static void svg_heat_colour(double v, double lim, char *buf, size_t n, int *dark)
{
    double t = isfinite(v) ? fmin(fabs(v) / lim, 1.0) : 0;
    /* ends: positive #1f4f8f, negative #a8322d */
    double r1 = v >= 0 ? 0x1f : 0xa8, g1 = v >= 0 ? 0x4f : 0x32, b1 = v >= 0 ? 0x8f : 0x2d;
    int r = (int)lround(255 + (r1 - 255) * t), g = (int)lround(255 + (g1 - 255) * t), b = (int)lround(255 + (b1 - 255) * t);
    snprintf(buf, n, "#%02x%02x%02x", r, g, b);
    *dark = t > 0.55;
}

void svg_heatmap(FILE *f, const svg_heat *h)
{
    double cw = 46, ch = 18;
    double lab = svg_label_col(h->rows, h->nr, 210);
    double colh = 0;
    for (size_t k = 0; k < h->nc; k++) {
        double w = svg_text_width(h->cols[k], SVG_FONT);
        if (w > colh) colh = w;
    }
    int turn = colh > cw - 4; /* long column labels are turned */
    if (colh > 120) colh = 120;
    double L = 8 + lab + 8, T = 8 + (turn ? colh * 0.75 + 8 : 16), R = L + cw * (double)h->nc;
    double B = T + ch * (double)h->nr, W = R + 12, H = B + 30;
    if (W < 320) W = 320;
    svg_open(f, h->id, h->title, W, H);
    fputs("<g class=\"axes\" fill=\"#222222\">\n", f);
    for (size_t k = 0; k < h->nc; k++) {
        double x = L + cw * ((double)k + 0.5);
        if (turn) {
            char rot[96];
            snprintf(rot, sizeof rot, "transform=\"rotate(-40 %.2f %.2f)\"", x, T - 4);
            fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" %s>", x, T - 4, rot);
            html_esc(f, h->cols[k]);
            fputs("</text>\n", f);
        } else {
            svg_text(f, x, T - 5, "middle", NULL, h->cols[k]);
        }
    }
    for (size_t i = 0; i < h->nr; i++) svg_label(f, L - 6, T + ch * (double)i + 13, "end", h->rows[i], lab);
    svg_text(f, 8, B + 20, NULL, NULL, h->legend);
    fputs("</g>\n", f);
    svg_plot_open(f, 0, (double)h->nc, 0, (double)h->nr, L, R, T, B);
    for (size_t i = 0; i < h->nr; i++)
        for (size_t k = 0; k < h->nc; k++) {
            double v = h->v[i * h->nc + k];
            char col[16], buf[FMT_BUF];
            int dark;
            svg_heat_colour(v, h->lim > 0 ? h->lim : 1, col, sizeof col, &dark);
            double x = L + cw * (double)k, y = T + ch * (double)i;
            fprintf(f, "<rect class=\"cell\" data-row=\"%zu\" data-col=\"%zu\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                       "height=\"%.2f\" fill=\"%s\" stroke=\"#ffffff\"/>", i, k, x, y, cw, ch, col);
            fmt_fix(buf, sizeof buf, v, 2);
            fprintf(f, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" fill=\"%s\"%s>", x + cw / 2, y + 13,
                    dark ? "#ffffff" : "#111111", h->bold > 0 && fabs(v) >= h->bold ? " font-weight=\"bold\"" : "");
            html_esc(f, buf);
            fputs("</text>\n", f);
        }
    fputs("</g>\n</svg>\n", f);
}
