/* eval_groups.h — `evaluate --scores SCORES.h5`: the leavers and subscribers of every region x phase x
 * tier, so that recall within a phase or tier divides by that group's own leavers and lift by its own
 * base rate (issue 15; docs/operations.md, "Evaluating last month's lists").
 *
 * The lists hold only the listed; the phase and tier of everyone else are in the scored month's
 * SCORES.h5. The outcomes are joined with it by id through the distributed join of eval_join.h: each
 * outcome id goes to its owner rank with whether it left (labels) or only that it is there (a later
 * month: absent means left); then each scored id goes to the same owner with its cell, and the owner
 * counts the cell's subscribers (with a known outcome) and leavers. Integer counts summed by
 * red_sum_i64: the same for any rank count. Memory: the owners' sets, in as many parts as --memory
 * needs (each part re-reads both files). The same pass reads each listed row's playbook action
 * (SCORES.h5's /subscribers/action) for the retention effect by action: the lists are on every rank,
 * so the rank that reads a row looks its id up there.
 */
#ifndef CS_EVAL_GROUPS_H
#define CS_EVAL_GROUPS_H

#include "cmd.h"
#include "listin.h"
#include "scorein.h"
#include "snapshot.h"

typedef struct {
    scorein *sc;
    size_t *map;       /* scores region -> table region */
    int64_t *subs;     /* [nreg * EVALREP_CELLS] */
    int64_t *leavers;  /* [nreg * EVALREP_CELLS] */
    int64_t *action;   /* [t->n] issue 15: each listed row's playbook action + 1 from SCORES.h5 (a control
                        * row's: the one it would have had), 0 unknown; summed over ranks (one rank
                        * reads each row). NULL when the file has no /subscribers/action */
} eval_groups;

/* Every rank opens path and adds its regions to t (the same way on every rank). CS_EINVAL when its
 * month is not the lists' (unless any_month); the errors of scorein_open. Agreed. */
int eval_groups_open(const cmd_ctx *ctx, const char *path, listin_table *t, int any_month, eval_groups *g);

/* Collective: the counts for nreg table regions; out_map maps the outcome snapshot's regions.
 * absent: the outcome snapshot is a later month. With actions in the file, also g->action of the
 * lists t (indexed on every rank). */
int eval_groups_count(const cmd_ctx *ctx, eval_groups *g, const listin_table *t, snap_reader *out, int absent,
                      size_t nreg, uint64_t block, uint64_t memory);

void eval_groups_clear(eval_groups *g);

#endif
