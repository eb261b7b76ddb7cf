/* train_report.h — the Markdown training report (train_report.c), written with the model by
 * train_write.c. */
#ifndef CS_TRAIN_REPORT_H
#define CS_TRAIN_REPORT_H

#include "cmodel.h"
#include "modelfile.h"

/* Rank 0: the Markdown report (screening, loadings, coefficients, holdout metrics), written complete
 * to "<path>.tmp" (removed on failure), which the caller commits with the model (commit.h). */
int train_report_write(const char *path, const cmodel *m, const modelfile_story *s);

#endif
