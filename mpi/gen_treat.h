/* gen_treat.h — `generate --follows PREV --treatment-effect E --treated RUNS/M`: a known retention
 * effect in the synthetic operator, so that the uplift `evaluate` estimates can be checked (issue 15).
 *
 * The treated are the subscribers on month M's retention lists who are not in its control group
 * (io/listin.h's LISTIN_ARM_LISTED). Treatment lowers their voluntary churn probability by the
 * relative share E: of the treated who left PREV's month voluntarily (/subscribers/churn_type 1),
 * each stays with probability E, drawn by a hash of the id and the generator's seed (the same for
 * any rank count), and so appears in the next month. Involuntary leavers (arrears) are not kept: a
 * retention call does not pay a bill. The truth goes to the new snapshot: /truth/treated per row
 * (snapshot.h) and root attributes (treated_*, docs/formats.md).
 */
#ifndef CS_GEN_TREAT_H
#define CS_GEN_TREAT_H

#include "cmd.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double effect;
    uint64_t salt;
    uint64_t *id; /* sorted: the treated ids, on every rank */
    size_t n;
} gen_treat;

/* Collective. Rank 0 reads the lists of dir (dir/lists when it exists, else dir itself), checks
 * that they are of prev_month, and every rank gets the treated ids. CS_EINVAL (another month, or no
 * retention list), the errors of listin_read; *t empty on failure. */
int gen_treat_load(const cmd_ctx *ctx, const char *dir, const char *prev_month, double effect, uint64_t seed,
                   gen_treat *t);
/* 1 when id was treated. */
int gen_treat_has(const gen_treat *t, uint64_t id);
/* 1 when the treatment keeps id, a voluntary leaver who was treated. */
int gen_treat_keeps(const gen_treat *t, uint64_t id);
void gen_treat_clear(gen_treat *t);

#endif
