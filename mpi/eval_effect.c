/* eval_effect.c — the counts of the retention effect (see eval_effect.h). */
#include "eval_effect.h"

#include "comm.h"
#include "reduce.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

int eval_effect_init(eval_effect *x, size_t nreg, size_t n_rows)
{
    memset(x, 0, sizeof *x);
    x->nreg = nreg;
    x->counts = calloc(EFX_N_ARMS * nreg * EFX_CELLS * EFX_N_COUNTS + 1, sizeof *x->counts);
    x->worth = calloc(EFX_N_ARMS * nreg * EFX_CELLS + 1, sizeof *x->worth);
    x->row_state = calloc(n_rows + 1, sizeof *x->row_state);
    if (!x->counts || !x->worth || !x->row_state) {
        eval_effect_clear(x);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    return CS_OK;
}

void eval_effect_clear(eval_effect *x)
{
    free(x->counts);
    free(x->worth);
    free(x->contact);
    free(x->row_state);
    free(x->counts_action);
    free(x->worth_action);
    memset(x, 0, sizeof *x);
}

int eval_effect_contacts(const cmd_ctx *ctx, const char *path, const contacts_columns *cols,
                         const listin_table *t, eval_effect *x)
{
    x->contact = malloc(t->n + 1);
    int rc = x->contact ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    if (rc == CS_OK && ctx->rank == 0) rc = contacts_read(path, cols, t, t->month, x->contact, &x->cst);
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = red_agree(ctx->comm, comm_bcast(ctx->comm, 0, x->contact, t->n));
    if (rc == CS_OK) rc = red_agree(ctx->comm, comm_bcast(ctx->comm, 0, &x->cst, sizeof x->cst));
    return rc;
}

/* The arms entry k belongs to (at most three: listed, contacted, accepted); their number. */
static int eval_effect_arms(const eval_effect *x, const listin_table *t, size_t k, int arms[3])
{
    if (t->arm[k] == LISTIN_ARM_CONTROL) {
        arms[0] = EFX_CONTROL;
        return 1;
    }
    if (t->arm[k] != LISTIN_ARM_LISTED) return 0;
    int n = 0;
    arms[n++] = EFX_LISTED;
    if (x->contact && (x->contact[k] & CONTACTS_CONTACTED)) arms[n++] = EFX_CONTACTED;
    if (x->contact && (x->contact[k] & CONTACTS_ACCEPTED)) arms[n++] = EFX_ACCEPTED;
    return n;
}

static size_t eval_effect_cell(const listin_table *t, size_t k)
{
    return (size_t)t->phase[k] * LISTIN_N_TIERS + t->tier[k];
}

void eval_effect_row(eval_effect *x, const listin_table *t, size_t k, int known, int left, int ctype)
{
    int arms[3];
    int n = eval_effect_arms(x, t, k, arms);
    size_t cell = eval_effect_cell(t, k);
    x->row_state[k] = EVAL_EFFECT_MET | (known ? EVAL_EFFECT_KNOWN : 0) | (known && left ? EVAL_EFFECT_LEFT : 0) |
                      (known && left && ctype == 1 ? EVAL_EFFECT_VOL : 0) | (known && left && ctype == 2 ? EVAL_EFFECT_INV : 0);
    for (int a = 0; a < n; a++) {
        int64_t *c = x->counts + effectrep_at(x->nreg, arms[a], t->region[k], cell, 0);
        c[EFX_C_KNOWN] += known;
        c[EFX_C_LEFT] += known && left;
        c[EFX_C_VOLUNTARY] += known && left && ctype == 1;
        c[EFX_C_INVOLUNTARY] += known && left && ctype == 2;
    }
}

void eval_effect_finish(eval_effect *x, const listin_table *t, int absent)
{
    for (size_t k = 0; k < t->n; k++) {
        int arms[3];
        int n = eval_effect_arms(x, t, k, arms);
        size_t cell = eval_effect_cell(t, k);
        for (int a = 0; a < n; a++) {
            x->counts[effectrep_at(x->nreg, arms[a], t->region[k], cell, EFX_C_LISTED)]++;
            x->worth[((size_t)arms[a] * x->nreg + t->region[k]) * EFX_CELLS + cell] += (double)t->worth[k];
        }
    }
    if (!absent) return;
    /* the pass counted who was met in the later month under KNOWN: they stayed */
    for (size_t i = 0; i < EFX_N_ARMS * x->nreg * EFX_CELLS; i++) {
        int64_t *c = x->counts + i * EFX_N_COUNTS;
        int64_t met = c[EFX_C_KNOWN];
        c[EFX_C_KNOWN] = c[EFX_C_LISTED];
        c[EFX_C_LEFT] = c[EFX_C_LISTED] - met;
    }
}

int eval_effect_actions(eval_effect *x, const listin_table *t, int absent, const int64_t *action, size_t n_actions)
{
    x->n_actions = n_actions;
    x->counts_action = calloc(EFX_N_ARMS * n_actions * EFX_N_COUNTS + 1, sizeof *x->counts_action);
    x->worth_action = calloc(EFX_N_ARMS * n_actions + 1, sizeof *x->worth_action);
    if (!x->counts_action || !x->worth_action) return CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t k = 0; k < t->n; k++) {
        if (action[k] <= 0 || (size_t)action[k] > n_actions) continue;
        size_t act = (size_t)action[k] - 1;
        int arms[3];
        int n = eval_effect_arms(x, t, k, arms);
        int64_t st = x->row_state[k];
        /* as eval_effect_row and eval_effect_finish count: with absent, everyone is known and who was
         * not met in the later month left */
        int known = absent ? 1 : (st & EVAL_EFFECT_KNOWN) != 0;
        int left = absent ? !(st & EVAL_EFFECT_MET) : (st & EVAL_EFFECT_LEFT) != 0;
        for (int a = 0; a < n; a++) {
            int64_t *c = x->counts_action + ((size_t)arms[a] * n_actions + act) * EFX_N_COUNTS;
            c[EFX_C_LISTED]++;
            c[EFX_C_KNOWN] += known;
            c[EFX_C_LEFT] += known && left;
            c[EFX_C_VOLUNTARY] += !absent && (st & EVAL_EFFECT_VOL) != 0;
            c[EFX_C_INVOLUNTARY] += !absent && (st & EVAL_EFFECT_INV) != 0;
            x->worth_action[(size_t)arms[a] * n_actions + act] += (double)t->worth[k];
        }
    }
    return CS_OK;
}
