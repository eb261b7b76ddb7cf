/* testutil.c — see testutil.h. */
#include "testutil.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void testutil_close(double a, double b, double tol, const char *what, const char *file, int line)
{
    double scale = fabs(b) > 1.0 ? fabs(b) : 1.0;
    if (!(fabs(a - b) <= tol * scale)) {
        print_error("%s:%d: %s = %.17g, expected %.17g (tol %g)\n", file, line, what, a, b, tol);
        _fail(file, line);
    }
}

char *testutil_tmpdir(void)
{
    char tmpl[] = "/tmp/cs_test_XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}
