/* train_holdout.h — stage 4 of training: the held-out subscribers scored, their exact metrics, the
 * warning cut-off and the drift reference (train_holdout.c). */
#ifndef CS_TRAIN_HOLDOUT_H
#define CS_TRAIN_HOLDOUT_H

#include "cmodel.h"
#include "modelfile.h"
#include "train_pass.h"

#include <stdint.h>

/* Collective. Scores the holdout (n_hold labelled rows; 0: the training rows stand in), fills story's
 * holdout metrics and drift reference and m->warn_cutoff. */
int train_holdout(train_run *t, cmodel *m, uint64_t n_hold, modelfile_story *story);

#endif
