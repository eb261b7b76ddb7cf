/* import_kit.h — what the import unit tests share (test_import.c, test_import_ctype.c): the CSV
 * passes driven over in-memory text as cmd_import.c drives them, rows encoded into small arrays, and
 * lookups. Static inline, so a test program that does not use one gets no warning. */
#ifndef CS_IMPORT_KIT_H
#define CS_IMPORT_KIT_H

#include "testutil.h"

#include "csv.h"
#include "import.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* Helpers                                                                                        */

static inline csv_reader *open_text(const char *text)
{
    csv_reader *r = NULL;
    int rc = csv_reader_open_mem(text, strlen(text), "t.csv", NULL, &r);
    if (rc != CS_OK) print_error("open failed: %s\n", status_message());
    assert_int_equal(rc, CS_OK);
    return r;
}

static inline imp_options opts(void)
{
    imp_options o;
    memset(&o, 0, sizeof o);
    o.file = "t.csv";
    return o;
}

/* Pass 1 (and 1b) and finish, as cmd_import does. skip: bad records are counted in *bad instead of
 * failing. Returns the first failing status (the schema is kept in *out when it was built). */
static inline int import_text(const char *text, const imp_options *o, const imp_ref *like, int skip,
                       uint64_t *bad, imp_schema **out)
{
    *out = NULL;
    if (bad) *bad = 0;
    csv_reader *r = open_text(text);
    int rc = imp_schema_alloc(csv_header(r), o, like, out);
    csv_record rec;
    int c;
    while (rc == CS_OK && (c = csv_next(r, &rec)) != CSV_END) {
        if (c == CS_OK) c = imp_schema_observe(*out, &rec);
        if (c == CS_EDATA && skip) {
            (*bad)++;
            continue;
        }
        rc = c;
    }
    csv_reader_free(r);
    if (rc == CS_OK && imp_schema_needs_rescan(*out)) {
        r = open_text(text);
        while (rc == CS_OK && (c = csv_next(r, &rec)) != CSV_END) {
            if (c == CS_EDATA) continue;
            rc = imp_schema_rescan(*out, &rec);
        }
        csv_reader_free(r);
    }
    if (rc == CS_OK) rc = imp_schema_finish(*out);
    return rc;
}

/* Pass 2 into arrays of at most 16 rows. */
typedef struct {
    size_t n;
    uint64_t id[16];
    uint16_t region[16];
    uint8_t brand[16];
    float x[16 * 64];
    int8_t label[16];
    int8_t ctype[16];
} rows_t;

static inline void encode_text(const char *text, const imp_schema *s, rows_t *rw)
{
    memset(rw, 0, sizeof *rw);
    assert_true(s->p <= 64);
    csv_reader *r = open_text(text);
    csv_record rec;
    int c;
    uint64_t ord = 0;
    while ((c = csv_next(r, &rec)) != CSV_END) {
        ord++;
        if (c != CS_OK) continue;
        assert_true(rw->n < 16);
        rw->label[rw->n] = -7;
        rw->ctype[rw->n] = -7;
        c = imp_schema_encode(s, &rec, ord, &rw->id[rw->n], &rw->region[rw->n], &rw->brand[rw->n],
                              rw->x + rw->n * s->p, &rw->label[rw->n], &rw->ctype[rw->n]);
        if (c == CS_EDATA) {
            status_clear();
            continue;
        }
        assert_int_equal(c, CS_OK);
        rw->n++;
    }
    csv_reader_free(r);
}

static inline const imp_column *col_named(const imp_schema *s, const char *name)
{
    for (size_t c = 0; c < s->ncols; c++)
        if (strcmp(s->cols[c].name, name) == 0) return &s->cols[c];
    fail_msg("no column %s", name);
    return NULL;
}

static inline long feat(const imp_schema *s, const char *name)
{
    for (size_t j = 0; j < s->p; j++)
        if (strcmp(s->feature_names[j], name) == 0) return (long)j;
    print_error("no indicator %s\n", name);
    fail();
    return -1;
}

static inline char *report_of(const imp_schema *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    imp_schema_report(s, m);
    fclose(m);
    return buf;
}

#endif
