/* contacts.c — the call centre's contacts read against the lists (see contacts.h). */
#include "contacts.h"

#include "csv.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* bit of flags marking an entry already met in the file */
#define CONTACTS_SEEN 0x80

static long contacts_column(const csv_record *h, const char *name)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (strcmp(h->fields[i].data, name) == 0) return (long)i;
    return -1;
}

/* 0 or 1, else -1. */
static int contacts_flag(const csv_field *f)
{
    if (f->len == 1 && (f->data[0] == '0' || f->data[0] == '1')) return f->data[0] - '0';
    return -1;
}

/* "YYYY-MM" of the month after month; "" when month is not YYYY-MM. */
static void contacts_next_month(const char *month, char out[16])
{
    int y, m;
    out[0] = '\0';
    if (!month || strlen(month) != 7 || sscanf(month, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12) return;
    if (++m > 12) m = 1, y++;
    snprintf(out, 16, "%04d-%02d", y % 10000, m);
}

/* 1 when f is a date YYYY-MM-DD (a time may follow after 'T' or a space). */
static int contacts_date(const csv_field *f)
{
    if (f->len < 10 || (f->len > 10 && f->data[10] != 'T' && f->data[10] != ' ')) return 0;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? f->data[i] != '-' : (f->data[i] < '0' || f->data[i] > '9')) return 0;
    int m = (f->data[5] - '0') * 10 + (f->data[6] - '0'), d = (f->data[8] - '0') * 10 + (f->data[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

int contacts_read(const char *path, const contacts_columns *cols, const listin_table *t, const char *month,
                  uint8_t *flags, contacts_stats *st)
{
    memset(st, 0, sizeof *st);
    memset(flags, 0, t->n);
    csv_reader *r = NULL;
    CS_TRY(csv_reader_open(path, NULL, &r));
    const csv_record *h = csv_header(r);
    const char *names[5] = {cols->id, cols->contacted, cols->accepted, cols->action, cols->date};
    static const char *const opt[5] = {"--contacts-id", "--contacts-contacted", "--contacts-accepted",
                                       "--contacts-action", "--contacts-date"};
    long c[5];
    int rc = CS_OK;
    for (int k = 0; rc == CS_OK && k < 5; k++)
        if ((c[k] = contacts_column(h, names[k])) < 0)
            rc = CS_ERROR(CS_EFORMAT, "%s: has no column '%s' (%s names it): the contacts need id, contacted, "
                          "accepted, action code and date columns", path, names[k], opt[k]);
    char worked[16];
    contacts_next_month(month, worked);
    csv_record rec;
    while (rc == CS_OK) {
        int k = csv_next(r, &rec);
        if (k == CSV_END) break;
        if (k != CS_OK) {
            rc = k;
            break;
        }
        st->rows++;
        const csv_field *fi = &rec.fields[c[0]];
        uint64_t id = 0;
        int ok = fi->len > 0 && fi->len <= 20;
        for (size_t i = 0; ok && i < fi->len; i++) {
            unsigned d = (unsigned char)fi->data[i] - '0';
            if (d > 9 || id > (UINT64_MAX - d) / 10) ok = 0;
            else id = id * 10 + d;
        }
        if (!ok) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: column %s: '%.*s' is not a subscriber id (digits)", path,
                          rec.line, names[0], (int)(fi->len > 40 ? 40 : fi->len), fi->data);
            break;
        }
        int con = contacts_flag(&rec.fields[c[1]]), acc = contacts_flag(&rec.fields[c[2]]);
        if (con < 0 || acc < 0) {
            int bad = con < 0 ? 1 : 2;
            const csv_field *fb = &rec.fields[c[bad]];
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: column %s: '%.*s' is not 0 or 1", path, rec.line, names[bad],
                          (int)(fb->len > 40 ? 40 : fb->len), fb->data);
            break;
        }
        if (acc && !con) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: subscriber %llu accepted an offer (%s 1) but was not "
                          "contacted (%s 0)", path, rec.line, (unsigned long long)id, names[2], names[1]);
            break;
        }
        const csv_field *fd = &rec.fields[c[4]];
        if (con && !contacts_date(fd)) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: column %s: '%.*s' is not a date (YYYY-MM-DD)", path, rec.line,
                          names[4], (int)(fd->len > 40 ? 40 : fd->len), fd->data);
            break;
        }
        if (con && *worked && memcmp(fd->data, worked, 7) != 0) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: column %s: %.10s is not in %s, the month the lists of %s "
                          "were worked", path, rec.line, names[4], fd->data, worked, month);
            break;
        }
        long e = listin_find(t, id);
        if (e < 0) {
            st->unknown++;
            continue;
        }
        if (flags[e] & CONTACTS_SEEN) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: subscriber %llu appears twice: one row per subscriber", path,
                          rec.line, (unsigned long long)id);
            break;
        }
        flags[e] = (uint8_t)(CONTACTS_SEEN | (con ? CONTACTS_CONTACTED : 0) | (acc ? CONTACTS_ACCEPTED : 0));
        if (con && t->arm[e] == LISTIN_ARM_CONTROL) st->control_contacted++;
        else if (con) st->contacted++;
        st->accepted += acc && t->arm[e] != LISTIN_ARM_CONTROL;
    }
    for (size_t k = 0; k < t->n; k++) flags[k] &= (uint8_t)~CONTACTS_SEEN;
    csv_reader_free(r);
    return rc;
}
