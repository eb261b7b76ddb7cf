/* train_structure.h — the model's structure from the choice of stage 2 (train_fa.h): which snapshot
 * columns it reads and how it imputes, centres and scales them, the factor loadings and score
 * coefficients, the factors' labels, the brands and the design columns (model/cmodel.h). */
#ifndef CS_TRAIN_STRUCTURE_H
#define CS_TRAIN_STRUCTURE_H

#include "cmodel.h"
#include "modelfile.h"
#include "train_fa.h"

/* Local. Fills m (initialised by the caller, freed with cmodel_clear even after a failure), t->in_col
 * (the snapshot column of each model input) and story's communalities, uniquenesses and factor
 * variances. CS_ENOMEM on failure. */
int train_structure(train_run *t, const train_stats *st, const train_choice *c, cmodel *m,
                    modelfile_story *story);

#endif
