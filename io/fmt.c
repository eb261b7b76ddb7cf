/* fmt.c — see fmt.h. */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static char *fmt_na(char *buf, size_t n)
{
    snprintf(buf, n, "%s", FMT_NA);
    return buf;
}

/* Copies the plain number s ("-12345.678", no exponent) into buf with commas every three digits of
 * its integer part. */
static char *fmt_group(char *buf, size_t n, const char *s, const char *prefix)
{
    char out[2 * FMT_BUF];
    size_t o = 0;
    if (*s == '-') out[o++] = *s++;
    for (const char *p = prefix; p && *p && o < sizeof out - 1; p++) out[o++] = *p;
    size_t digits = strspn(s, "0123456789");
    for (size_t i = 0; i < digits && o < sizeof out - 2; i++) {
        if (i > 0 && (digits - i) % 3 == 0) out[o++] = ',';
        out[o++] = s[i];
    }
    for (const char *p = s + digits; *p && o < sizeof out - 1; p++) out[o++] = *p;
    out[o] = '\0';
    snprintf(buf, n, "%s", out);
    return buf;
}

char *fmt_int(char *buf, size_t n, long long v)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", v);
    return fmt_group(buf, n, s, NULL);
}

char *fmt_fix(char *buf, size_t n, double v, int dec)
{
    if (!isfinite(v) || fabs(v) >= 1e30) return fmt_na(buf, n);
    if (dec < 0) dec = 0;
    if (dec > 9) dec = 9;
    char s[FMT_BUF];
    snprintf(s, sizeof s, "%.*f", dec, v);
    /* "-0.0" reads as a loss that is not there */
    if (s[0] == '-' && strspn(s + 1, "0.") == strlen(s + 1)) memmove(s, s + 1, strlen(s));
    return fmt_group(buf, n, s, NULL);
}

char *fmt_pct(char *buf, size_t n, double share, int dec)
{
    if (!isfinite(share)) return fmt_na(buf, n);
    char s[FMT_BUF];
    fmt_fix(s, sizeof s, 100.0 * share, dec);
    snprintf(buf, n, "%s%%", s);
    return buf;
}

char *fmt_money(char *buf, size_t n, double v, const char *cur)
{
    if (!isfinite(v) || fabs(v) >= 1e30) return fmt_na(buf, n);
    char s[FMT_BUF];
    snprintf(s, sizeof s, "%.0f", v);
    if (s[0] == '-' && strcmp(s, "-0") == 0) memmove(s, s + 1, strlen(s));
    return fmt_group(buf, n, s, cur);
}

char *fmt_sig(char *buf, size_t n, double v, int sig)
{
    if (!isfinite(v)) return fmt_na(buf, n);
    if (sig < 1) sig = 1;
    if (sig > 17) sig = 17;
    char s[FMT_BUF];
    snprintf(s, sizeof s, "%.*g", sig, v);
    if (strchr(s, 'e') || strspn(s + (s[0] == '-'), "0123456789") < 5) {
        snprintf(buf, n, "%s", s);
        return buf;
    }
    return fmt_group(buf, n, s, NULL);
}
