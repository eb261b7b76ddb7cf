/* train_candidates.h — --inputs best: the logistic model's inputs (factor scores, raw indicators or
 * both) chosen by validation AUC after fits on a shared sample (train_candidates.c). */
#ifndef CS_TRAIN_CANDIDATES_H
#define CS_TRAIN_CANDIDATES_H

#include "train_fa.h"
#include "train_pass.h"

/* Collective, after train_choose with --inputs best. When the factor analysis was advisable (ch->inputs
 * factors), fits the three candidates and sets ch->inputs to the winner (dropping ch->fa for raw),
 * appends their AUCs to ch->reason and puts them in story->cand_auc, cand_rows. Otherwise nothing.
 * Leaves t's design state as it found it (no blocks, no sample). The comparison is skipped (factors
 * kept, the reason says why) when the design of "both" would not fit --memory (train_design_need_whole,
 * with feat_cache: on one rank holding every row, so that the choice does not depend on the rank count): the minimum --memory a refusal names stays the one the factors need. */
int train_candidates(train_run *t, const train_stats *st, train_choice *ch, modelfile_story *story,
                     size_t feat_cache);

#endif
