/* csv_number.c — the strict number grammar of CSV fields (csv_parse_double, csv_number_overflows).
 *
 * A field is a number only when all of it is one: optional sign, digits with an optional point, an
 * optional exponent (no inf, nan or hex: csv_number_overflows names those, and numbers beyond a
 * double, so that messages can say why a field is not a usable number). A short decimal is computed
 * exactly from an integer mantissa and an exact power of ten (Clinger's fast path); anything else goes
 * to strtod, which only ever sees text the grammar accepted, so the result is always strtod's.
 */
#include "csv.h"

#include "status.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------------------------------- */
/* Numbers                                                                                        */

/* The strict grammar is checked first, so strtod only ever sees text it parses completely. */
static int parse_double_slow(const char *s, size_t len, double *out, int *overflow)
{
    char small[128];
    char *copy = len < sizeof small ? small : malloc(len + 1); /* rare: over 127 characters */
    if (!copy) return 0;
    memcpy(copy, s, len);
    copy[len] = '\0';
    char *endp;
    double v = strtod(copy, &endp);
    int ok = endp == copy + len && isfinite(v);
    if (overflow) *overflow = endp == copy + len && isinf(v);
    if (copy != small) free(copy);
    if (ok) *out = v;
    return ok;
}

static int parse_double_general(const char *s, size_t len, double *out, int *overflow);

/* Powers of ten that are exact doubles (10^22 < 2^53 * 2^22 is the last one), for the inline fast
 * path (csv.h) and the general one. */
const double csv_pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int csv_parse_double_general(const char *s, size_t len, double *out)
{
    return parse_double_general(s, len, out, NULL);
}

static int parse_double(const char *s, size_t len, double *out, int *overflow)
{
    return csv_parse_double_fast(s, len, out) || parse_double_general(s, len, out, overflow);
}

int csv_number_overflows(const char *s, size_t len)
{
    double v;
    int ovf = 0;
    if (parse_double(s, len, &v, &ovf)) return 0;
    if (ovf) return 1;
    /* inf, -Infinity, NaN: what printf and numpy write for non-finite values */
    size_t i = len > 0 && (s[0] == '+' || s[0] == '-');
    const char *w[] = {"inf", "infinity", "nan"};
    for (int k = 0; k < 3; k++)
        if (len - i == strlen(w[k]) && strncasecmp(s + i, w[k], len - i) == 0) return 1;
    return 0;
}

static int parse_double_general(const char *s, size_t len, double *out, int *overflow)
{
    const unsigned char *p = (const unsigned char *)s, *const end = p + len;
    int neg = 0;
    if (p < end && (*p == '+' || *p == '-')) neg = *p++ == '-';
    uint64_t m = 0;   /* up to 19 significant digits */
    int nsig = 0;     /* significant digits in m */
    int ndig = 0;     /* mantissa digits seen */
    int inexact = 0;  /* a nonzero digit did not fit in m */
    long e10 = 0;     /* value = m * 10^e10 (when !inexact) */
    for (; p < end && (unsigned)(*p - '0') < 10; p++, ndig++) {
        if (nsig < 19) {
            m = m * 10 + (unsigned)(*p - '0');
            nsig += m != 0;
        } else {
            e10++;
            inexact |= *p != '0';
        }
    }
    if (p < end && *p == '.') {
        for (p++; p < end && (unsigned)(*p - '0') < 10; p++, ndig++) {
            if (nsig < 19) {
                m = m * 10 + (unsigned)(*p - '0');
                nsig += m != 0;
                e10--;
            } else {
                inexact |= *p != '0';
            }
        }
    }
    if (ndig == 0) return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (p == end || (unsigned)(*p - '0') >= 10) return 0;
        long ev = 0;
        for (; p < end && (unsigned)(*p - '0') < 10; p++)
            if (ev < 100000) ev = ev * 10 + (*p - '0'); /* far past any double's range */
        e10 += eneg ? -ev : ev;
    }
    if (p != end) return 0;
    /* Clinger's fast path: m and 10^|e10| are exact doubles, so one IEEE multiply or divide rounds
     * the exact decimal value correctly, giving strtod's bits. */
    if (!inexact && m <= ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)m;
        v = e10 < 0 ? v / csv_pow10_exact[-e10] : v * csv_pow10_exact[e10];
        *out = neg ? -v : v;
        return 1;
    }
    if (m == 0 && !inexact) {
        *out = neg ? -0.0 : 0.0;
        return 1;
    }
    return parse_double_slow(s, len, out, overflow);
}

