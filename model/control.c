/* control.c — which listed subscribers form the control group (see control.h). */
#include "control.h"

#include "idhash.h"

#include <string.h>

/* the draw's own salt, apart from the samples of mpi/salts.h */
#define CONTROL_SALT UINT64_C(0x636f6e74726f6c)

uint64_t control_month_key(const char *month)
{
    uint64_t h = CONTROL_SALT;
    for (const unsigned char *s = (const unsigned char *)(month ? month : ""); *s; s++)
        h = idhash_mix(h ^ *s);
    return h;
}

void control_init(control_state *st, double share, uint64_t month_key)
{
    memset(st, 0, sizeof *st);
    st->share = share > 0 ? (share < CONTROL_SHARE_MAX ? share : CONTROL_SHARE_MAX) : 0;
    st->key = month_key;
}

unsigned control_stratum(int phase, int tier)
{
    unsigned p = phase < 0 ? 0u : (phase >= CONTROL_PHASES ? CONTROL_PHASES - 1u : (unsigned)phase);
    unsigned t = tier < 0 ? 0u : (tier >= CONTROL_TIERS ? CONTROL_TIERS - 1u : (unsigned)tier);
    return p * CONTROL_TIERS + t;
}

int control_pick(control_state *st, uint64_t id, int phase, int tier)
{
    if (!(st->share > 0)) return 0;
    unsigned s = control_stratum(phase, tier);
    double target = st->share * (double)(st->n[s] + 1);
    double held = (double)st->held[s];
    int pick;
    /* the quota: |held - share x n| stays below 1 after every row, so the stratum's group is within
     * one subscriber of share x its size whatever the list's length; between the two bounds the
     * hash of (id, month) decides, so who is held out does not follow the score */
    if (target - held >= 1.0) pick = 1;
    else if (held >= target) pick = 0;
    else pick = idhash_unit(id, st->key) < st->share;
    st->n[s]++;
    st->held[s] += (uint64_t)pick;
    return pick;
}

uint64_t control_held(const control_state *st)
{
    uint64_t t = 0;
    for (unsigned s = 0; s < CONTROL_STRATA; s++) t += st->held[s];
    return t;
}
