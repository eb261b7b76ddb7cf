/* testutil.h — small helpers shared by the cmocka unit tests. Debian's cmocka 1.1.5 has no float
 * assertion, so assert_close compares doubles with a stated absolute-or-relative tolerance. */
#ifndef CS_TESTUTIL_H
#define CS_TESTUTIL_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "csv.h"

/* Fails the test unless |a - b| <= tol * max(1, |b|). */
#define assert_close(a, b, tol) testutil_close((a), (b), (tol), #a, __FILE__, __LINE__)
void testutil_close(double a, double b, double tol, const char *what, const char *file, int line);

/* A fresh temporary directory for a test's files (created; caller frees the string). */
char *testutil_tmpdir(void);

/* Fails the test unless the last status message contains a (and b, when not NULL). */
void assert_message_has(const char *a, const char *b);

/* CSV helpers for the reader's and writer's tests: a reader over text (must open), and a field that
 * must hold exactly want with the given quoted flag. */
csv_reader *testutil_csv_open(const char *text, char delim, int header);
void testutil_csv_field(const csv_field *f, const char *want, int quoted);
#endif
