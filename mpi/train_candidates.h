/* train_candidates.h — --inputs auto: the logistic model's inputs (factor scores, raw indicators or
 * both) chosen by validation AUC after fits on a shared sample (train_candidates.c). */
#ifndef CS_TRAIN_CANDIDATES_H
#define CS_TRAIN_CANDIDATES_H

#include "train_fa.h"
#include "train_pass.h"

/* Collective, after train_choose with --inputs auto. When the factor analysis was advisable (ch->inputs
 * factors), fits the three candidates and sets ch->inputs to the winner (dropping ch->fa for raw),
 * appends their AUCs to ch->reason and puts them in story->cand_auc, cand_rows. Otherwise nothing.
 * Leaves t's design state as it found it (no blocks, no sample). */
int train_candidates(train_run *t, const train_stats *st, train_choice *ch, modelfile_story *story);

#endif
