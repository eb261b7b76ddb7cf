/* contacts.h — who the retention team really reached: `evaluate --contacts FILE.csv` (issue 15).
 *
 * Without it the retention list is the treatment (intention to treat). With it, each listed
 * subscriber is marked contacted and accepted from the call centre's export: one row per
 * subscriber, the columns named by options (id, contacted 0/1, accepted offer 0/1, action code,
 * date YYYY-MM-DD). Ids on no list are counted and reported, not fatal (the team also calls people
 * who were never listed); a control subscriber who was contacted stays in the control group (the
 * comparison stays the randomised one) and is counted. Refused, naming file, line and column: a
 * missing column, an id twice, a value not 0/1, an offer accepted without a contact, a date that is
 * not a date of the month the lists were worked (the month after the lists' month). Serial: rank 0
 * reads and mpi/cmd_evaluate.c shares the flags.
 */
#ifndef CS_CONTACTS_H
#define CS_CONTACTS_H

#include "listin.h"

#include <stdint.h>

/* The column names (the defaults of the evaluate options). */
typedef struct {
    const char *id, *contacted, *accepted, *action, *date;
} contacts_columns;

enum { CONTACTS_CONTACTED = 1, CONTACTS_ACCEPTED = 2 };

typedef struct {
    uint64_t rows, unknown, contacted, accepted, control_contacted;
} contacts_stats;

/* Reads path against the lists t: flags[k] (t->n of them, zeroed here) gets CONTACTS_* of entry k.
 * month: the lists' month "YYYY-MM" ("" when unknown: dates are checked for form only). CS_EIO
 * (cannot read), CS_EFORMAT (a missing column), CS_EDATA (a bad row), CS_ENOMEM. */
int contacts_read(const char *path, const contacts_columns *cols, const listin_table *t, const char *month,
                  uint8_t *flags, contacts_stats *st);

#endif
