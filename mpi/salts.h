/* salts.h — the salts of the id hashes (model/idhash.h) that put a subscriber in a sample.
 *
 * Each sample of the training and scoring pipelines is "idhash_unit(id, salt) < share": the salt
 * makes the draws independent of each other. They live here, apart from the stages that use them,
 * because training and scoring must draw the same subscribers for the drift sample (train stores the
 * reference, score compares with it), and scoring should not need the training code to know which.
 * Changing a value changes every model and score file: they are fixed.
 */
#ifndef CS_SALTS_H
#define CS_SALTS_H

/* train: the holdout, never fitted (--holdout share) */
#define SALT_HOLDOUT 0x686f6c646f7574ull
/* train --model-kind auto: the validation part of the training rows that chooses the model */
#define SALT_VALIDATION 0x76616c6964ull
/* train: the evaluated sample of the holdout and of the validation rows (--validate-max) */
#define SALT_SAMPLE 0x73616d706c65ull
/* train: the boosting sample (--gbm-rows) */
#define SALT_GBM 0x67626dull
/* train and score: the drift sample (reference in the model, comparison while scoring) */
#define SALT_DRIFT 0x6472696674ull
/* train: the IRLS warm-start sample (--warm-rows) */
#define SALT_WARM 0x7761726dull
/* train: the segment sample (--segment-rows), and the seeding rows drawn from it */
#define SALT_SEGMENT 0x7365676dull
#define SALT_SEGMENT_SEED 0x73656564ull

#endif
