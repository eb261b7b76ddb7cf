/* train_fa.h — stage 2 of training, the same arithmetic on every rank: screening (model/screen.h),
 * each indicator's role (model/inputs.h), and on the screened pool the correlation matrix, KMO,
 * Bartlett's test, its eigenvalues and the factor analysis (model/fa.h), or the decision that factor
 * analysis is not advisable and the model takes the screened indicators raw. */
#ifndef CS_TRAIN_FA_H
#define CS_TRAIN_FA_H

#include "fa.h"
#include "inputs.h"
#include "modelfile.h"
#include "screen.h"
#include "train_moments.h"

typedef struct {
    screen_result *sr;  /* screening of every indicator */
    inputs_choice *in;  /* the roles: pool, signals, lifecycle sources */
    int inputs;         /* CMODEL_INPUTS_* the model takes */
    fa_result *fa;      /* the factor analysis of the pool; NULL without one */
    size_t k;           /* its factors */
    char reason[512];   /* why these inputs, for the summary, the report and the model file */
} train_choice;

/* Local. Fills c (zeroed by the caller, freed with train_choice_clear) and story's KMO, Bartlett
 * test and eigenvalues. kfix: --factors (0: auto); inputs: --inputs, unless inputs_auto, when KMO
 * and the factor analysis decide. Errors: CS_ENOMEM; CS_EDATA when no indicator is left to fit on;
 * a failing factor analysis when --inputs asked for factors. */
int train_choose(const train_run *t, const train_stats *st, long kfix, int inputs_auto, int inputs,
                 modelfile_story *story, train_choice *c);

void train_choice_clear(train_choice *c);

#endif
