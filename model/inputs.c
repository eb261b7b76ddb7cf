/* inputs.c — see inputs.h. The lists of signal and lifecycle names are the generator's and the
 * import mapping's column names (docs/data.md); a snapshot without them simply has no such roles. */
#include "inputs.h"

#include "cmodel.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

/* Hard alarm signals: used in the model as they are, never screened as near-constant (they are rare
 * by nature) and never folded into factors. */
static const char *const inputs_signal_names[] = {
    "dual_sim", "competitor_service_calls_m3", "forward_to_competitor_m3", "suspended_voluntary",
    "suspended_arrears", "suspended_high_bill", "days_no_outgoing_m3", NULL};
/* Lifecycle columns: turned into flags, not factors. */
static const char *const inputs_lifecycle_names[] = {"tenure_months", "contract_months_left",
                                                     "contract_ending", "new_subscriber", NULL};

static int inputs_in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0) return 1;
    return 0;
}

int inputs_is_signal(const char *name)
{
    return inputs_in_list(inputs_signal_names, name);
}

int inputs_is_lifecycle(const char *name)
{
    return inputs_in_list(inputs_lifecycle_names, name);
}

inputs_choice *inputs_choice_alloc(size_t p)
{
    if (p == 0) return NULL;
    inputs_choice *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->p = p;
    c->pool = malloc(p * sizeof(size_t));
    c->sig = malloc(p * sizeof(size_t));
    c->tenure = c->contract = -1;
    if (!c->pool || !c->sig) {
        inputs_choice_free(c);
        return NULL;
    }
    return c;
}

void inputs_choice_free(inputs_choice *c)
{
    if (!c) return;
    free(c->pool);
    free(c->sig);
    free(c);
}

int inputs_choose(const char *const *names, const moments_summary *ms, const screen_result *sr,
                  double max_missing, inputs_choice *c)
{
    size_t p = c->p;
    if (ms->p != p || sr->p != p)
        return CS_ERROR(CS_EINVAL, "inputs: %zu columns, but a summary of %zu and a screening of %zu",
                        p, ms->p, sr->p);
    c->npool = c->nsig = c->n_constant = c->n_missing = 0;
    c->tenure = c->contract = -1;
    for (size_t j = 0; j < p; j++) {
        const char *nm = names[j];
        int present = ms->n_present[j] > 0;
        int usable = present && ms->missing_share[j] <= max_missing && ms->sd[j] > 0;
        if (inputs_is_signal(nm)) {
            if (usable) c->sig[c->nsig++] = j;
        } else if (inputs_is_lifecycle(nm)) {
            if (strcmp(nm, "tenure_months") == 0 && present) c->tenure = (long)j;
            if (strcmp(nm, "contract_months_left") == 0 && present) c->contract = (long)j;
        } else if (sr->kept[j]) {
            c->pool[c->npool++] = j;
        }
        if (!present || ms->missing_share[j] > max_missing) c->n_missing++;
        else if (!(ms->sd[j] > 0)) c->n_constant++;
    }
    return CS_OK;
}

int inputs_none(const inputs_choice *c, const moments_summary *ms)
{
    int lc_varies = (c->tenure >= 0 && ms->sd[c->tenure] > 0) || (c->contract >= 0 && ms->sd[c->contract] > 0);
    return c->npool == 0 && c->nsig == 0 && !lc_varies;
}

static int inputs_in_index(const size_t *idx, size_t n, size_t j)
{
    for (size_t i = 0; i < n; i++)
        if (idx[i] == j) return 1;
    return 0;
}

int inputs_used(const inputs_choice *c, size_t j)
{
    return inputs_in_index(c->sig, c->nsig, j) || (long)j == c->tenure || (long)j == c->contract ||
           inputs_in_index(c->pool, c->npool, j);
}

const char *inputs_why(const inputs_choice *c, const char *const *names, const screen_result *sr,
                       size_t j)
{
    int is_life = inputs_is_lifecycle(names[j]);
    if (inputs_used(c, j))
        return inputs_in_index(c->sig, c->nsig, j) ? "kept: hard signal, used as it is"
               : is_life                            ? "kept: lifecycle flag"
                                                    : "";
    if (is_life) return "not used: replaced by the lifecycle flags";
    if (inputs_is_signal(names[j])) return "dropped: signal without variation or mostly missing";
    return screen_result_text(sr, j);
}

size_t inputs_factor_count(const double *eigen, size_t n_eigen, long kfix, size_t npool)
{
    size_t kaiser = 0;
    for (size_t i = 0; i < n_eigen; i++) kaiser += eigen[i] > 1.0;
    size_t k = kfix > 0 ? (size_t)kfix : (kaiser ? kaiser : 1);
    if (k >= npool) k = npool > 1 ? npool - 1 : 1;
    return k;
}

const char *inputs_mode_name(int inputs)
{
    return inputs == CMODEL_INPUTS_RAW    ? "raw indicators"
           : inputs == CMODEL_INPUTS_BOTH ? "factors and raw indicators"
                                          : "factor scores";
}
