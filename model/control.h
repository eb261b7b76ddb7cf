/* control.h — the control group of a retention list: who is held out, so that the retention
 * effect can be measured (issue 15).
 *
 * A retention team that succeeds lowers the measured precision of its lists, so good work looks
 * like a worse model unless some listed subscribers are left alone and compared. This module decides,
 * row by row in list order, whether a listed subscriber goes to the control group. The decision is a
 * pure function of the list (its rows in list order) and the month: a hash of (id, month) draws
 * each row, so the group is the same for any rank count, reproducible, and independent of the
 * score; within each stratum (phase x tier) a quota keeps the group's size within one subscriber of
 * share x the stratum's size at every point of the list (a row is forced in when the group would
 * fall a whole subscriber behind, kept out when it would get a whole one ahead), so each phase and
 * tier keeps its proportion. The tier is whatever value the lists carry (its direction does not
 * matter). No MPI, no files: io/lists.c calls it while it writes a region's retention list.
 */
#ifndef CS_CONTROL_H
#define CS_CONTROL_H

#include <stdint.h>

#define CONTROL_PHASES 4
#define CONTROL_TIERS 16 /* tiers beyond share the last stratum */
#define CONTROL_STRATA (CONTROL_PHASES * CONTROL_TIERS)
#define CONTROL_SHARE_MAX 0.5

/* The state of one list's draw; the caller owns it (control_init, no allocation). */
typedef struct {
    double share;                  /* 0: nobody held out */
    uint64_t key;                  /* the month's salt */
    uint64_t n[CONTROL_STRATA];    /* rows of each stratum seen */
    uint64_t held[CONTROL_STRATA]; /* of which held out */
} control_state;

/* The salt of a month ("2026-10"; any text; NULL or "" give a fixed salt). */
uint64_t control_month_key(const char *month);

/* Starts the draw of one list. share in [0, CONTROL_SHARE_MAX]. */
void control_init(control_state *st, double share, uint64_t month_key);

/* The stratum of a phase and a tier. */
unsigned control_stratum(int phase, int tier);

/* Decides the next row of the list (in list order): 1 held out (control), 0 on the list. */
int control_pick(control_state *st, uint64_t id, int phase, int tier);

/* Held out so far, over all strata. */
uint64_t control_held(const control_state *st);

#endif
