/* test_status.c — model/status.c: a message that wraps the previous one (the common
 * CS_ERROR(code, "context: %s", status_reason()) idiom) comes out whole. Before issue 12 status_set
 * formatted straight into the buffer status_reason() points into, so the argument was overwritten
 * while vsnprintf read it ("boosted-tree options: c:373: boosted-tree options: e positive"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "status.h"

static void test_wrap_reason(void **state)
{
    (void)state;
    CS_ERROR(CS_EINVAL, "gbm: learning rate %g must be positive and finite", 2.385);
    assert_int_equal(status_code(), CS_EINVAL);
    int rc = status_set(CS_EINVAL, "mpi/cmd_train.c", 373, "boosted-tree options: %s", status_reason());
    assert_int_equal(rc, CS_EINVAL);
    assert_string_equal(status_reason(), "boosted-tree options: gbm: learning rate 2.385 must be positive and finite");
    assert_string_equal(status_message(),
                        "cmd_train.c:373: boosted-tree options: gbm: learning rate 2.385 must be positive and finite");
}

/* Wrapping the whole message (file:line included), twice, and with the wrapped text first. */
static void test_wrap_message(void **state)
{
    (void)state;
    status_set(CS_EIO, "io/scores.c", 76, "cannot write %s", "/x/SCORES.h5.tmp");
    status_set(CS_EIO, "io/scores.c", 227, "%s: %s", "/x/SCORES.h5.tmp", status_reason());
    status_set(CS_EDATA, "a/b.c", 9, "%s (and more)", status_message());
    assert_string_equal(status_message(),
                        "b.c:9: scores.c:227: /x/SCORES.h5.tmp: cannot write /x/SCORES.h5.tmp (and more)");
    assert_string_equal(status_reason(), "scores.c:227: /x/SCORES.h5.tmp: cannot write /x/SCORES.h5.tmp (and more)");
    assert_int_equal(status_code(), CS_EDATA);
}

/* A reason as long as the buffer is cut, never overruns, and wrapping it keeps the prefix. */
static void test_long(void **state)
{
    (void)state;
    char big[4000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    status_set(CS_ENOMEM, "x.c", 1, "%s", big);
    size_t n = strlen(status_message());
    assert_true(n > 1000 && n < 4000);
    status_set(CS_ENOMEM, "y.c", 2, "wrapped: %s", status_reason());
    assert_memory_equal(status_reason(), "wrapped: qqq", 12);
    assert_int_equal(strlen(status_message()), n);
}

/* status_adopt of its own message (a rank adopting what it already holds) keeps it. */
static void test_adopt_self(void **state)
{
    (void)state;
    status_set(CS_EFORMAT, "io/h5util.c", 12, "%s: not an HDF5 file", "m.h5");
    status_adopt(CS_EFORMAT, status_message());
    assert_string_equal(status_message(), "h5util.c:12: m.h5: not an HDF5 file");
    assert_string_equal(status_reason(), "m.h5: not an HDF5 file");
    status_adopt(CS_EMPI, status_reason());
    assert_string_equal(status_message(), "m.h5: not an HDF5 file");
    status_clear();
    assert_string_equal(status_message(), "");
    assert_int_equal(status_code(), CS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_reason),
        cmocka_unit_test(test_wrap_message),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_adopt_self),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
