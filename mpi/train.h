/* train.h — pieces of the training pipeline shared between its files (cmd_train.c and
 * train_report.c) and with scoring (the holdout hash). */
#ifndef CS_TRAIN_H
#define CS_TRAIN_H

#include "cmodel.h"
#include "modelfile.h"

#include <stdint.h>

/* A 64-bit mix (splitmix64 finaliser) and a uniform in [0, 1) from an id and a salt: picks the
 * holdout and validation samples independently of ranks and row order. */
uint64_t train_hash(uint64_t x);
double train_unit(uint64_t id, uint64_t salt);

/* Rank 0: the Markdown report (screening, loadings, coefficients, holdout metrics), written under a
 * temporary name and renamed. */
int train_report_write(const char *path, const cmodel *m, const modelfile_story *s);

#endif
