/* effectrep.h — the retention effect of last month's lists: the treated against their control
 * group (issue 15), as `churnscore evaluate` reports it (stdout, PREFIX-effect.csv and .json).
 *
 * mpi/cmd_evaluate.c counts, per arm and per cell of the lists (region, phase, tier), the listed
 * subscribers, those with a known outcome and those who left (voluntarily and involuntarily apart
 * where the outcome snapshot has churn types); the counts are integers summed across ranks, and
 * the worth (ARPU x horizon) sums come from the lists every rank holds, so every output is the same
 * for any rank count. This module turns them into rates, the uplift with its 95% interval
 * (model/effect.h) and the subscribers and value saved, per scope: overall, each region, each phase
 * and each tier, and (with the scored month's SCORES.h5) each playbook action: the treated who got
 * action A against the control subscribers who would have got A. Definitions: docs/operations.md,
 * "The retention effect". Serial: rank 0 writes.
 */
#ifndef CS_EFFECTREP_H
#define CS_EFFECTREP_H

#include "listin.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The arms: the retention list (intention to treat), its control group, and with --contacts the
 * listed who were reached and those who accepted the offer. */
enum { EFX_LISTED, EFX_CONTROL, EFX_CONTACTED, EFX_ACCEPTED, EFX_N_ARMS };
/* The counts of an arm's cell. */
enum { EFX_C_LISTED, EFX_C_KNOWN, EFX_C_LEFT, EFX_C_VOLUNTARY, EFX_C_INVOLUNTARY, EFX_N_COUNTS };
#define EFX_CELLS (LISTIN_N_PHASES * LISTIN_N_TIERS)

typedef struct {
    size_t n_regions;
    const char *const *region_names;
    int have_types;    /* the leavers' churn types are known (labels mode with churn types) */
    int have_contacts; /* --contacts was given */
    /* [EFX_N_ARMS][n_regions][EFX_CELLS][EFX_N_COUNTS] */
    const int64_t *counts;
    /* [EFX_N_ARMS][n_regions][EFX_CELLS]: the sum of the worth (ARPU x horizon) of the listed */
    const double *worth;
    /* --contacts: rows read, ids on no list (not fatal), listed contacted, control contacted */
    uint64_t contact_rows, contact_unknown, contacted, control_contacted;
    /* issue 15, by playbook action (evaluate --scores with a SCORES.h5 that has /subscribers/action):
     * each listed row's action, a control row's the one it would have had. n_actions 0: no rows by
     * action. [EFX_N_ARMS][n_actions][EFX_N_COUNTS] and [EFX_N_ARMS][n_actions] */
    size_t n_actions;
    const char *const *action_codes;
    const int64_t *counts_action;
    const double *worth_action;
} effectrep_data;

/* Index of a count. */
static inline size_t effectrep_at(size_t n_regions, int arm, size_t region, size_t cell, int count)
{
    return (((size_t)arm * n_regions + region) * EFX_CELLS + cell) * EFX_N_COUNTS + (size_t)count;
}

/* The table on f: one row per scope and treated arm. */
void effectrep_print(const effectrep_data *d, FILE *f);

/* Writes prefix "-effect.csv" and "-effect.json" under temporary names (*tmp[2] malloc'd, caller
 * frees); effectrep_commit renames them into place (ok) or removes them. CS_EIO, CS_ENOMEM. */
int effectrep_write_tmp(const effectrep_data *d, const char *prefix, char *tmp[2]);
int effectrep_commit(char *tmp[2], int ok);

#endif
