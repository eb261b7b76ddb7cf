/* score_outputs.h — the two outputs of `churnscore score`, begun under temporary names and committed
 * together (score_outputs.c). */
#ifndef CS_SCORE_OUTPUTS_H
#define CS_SCORE_OUTPUTS_H

#include "lists.h"
#include "score_job.h"
#include "scores.h"

typedef struct {
    char *tmpdir;      /* DIR.tmp: every rank knows its name, as region owners may write there */
    scores_writer *w;  /* SCORES.h5.tmp */
    lists_ctx lc;      /* how the list and summary CSVs are written */
} score_outputs;

/* Collective. Rank 0 creates DIR.tmp afresh; the others learn its name. Agreed; on failure nothing
 * is left behind and out holds nothing to free. */
int score_outputs_lists_begin(const score_job *j, score_outputs *out);

/* Collective. SCORES.h5.tmp, every dataset sized for the snapshot, with the run's metadata (options
 * is the option settings, opt_describe) and the lists' format. Agreed. */
int score_outputs_scores_begin(const score_job *j, const char *options, score_outputs *out);

/* Collective. SCORES.h5.tmp is closed on every rank (that close writes its metadata); when rc is
 * CS_OK on every rank, rank 0 adds the final values fin, seals DIR.tmp (its manifest) and renames both
 * outputs into place together (commit.h: a failed second rename puts the first back); otherwise, or when that fails,
 * both temporaries are removed. Returns the agreed status (rc when it was not CS_OK). Frees what out
 * holds. */
int score_outputs_commit(const score_job *j, score_outputs *out, int rc, const scores_final *fin);

#endif
