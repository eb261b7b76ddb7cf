/* htmlrep.h — the HTML reports: the model (training) report, the evaluation of last month's lists
 * and the month report, each a self-contained page (html.h) with SVG charts (svg.h) in the --lang
 * language (reptext.h), written beside the Markdown that stays for diffing.
 *
 * The numbers come from what the commands already computed, never from a second computation: the
 * model report from the model and its story (cmodel.h, modelfile.h: holdout metrics, the curves of
 * gains.h, coefficients or trees, loadings, the drift reference, the screening), the evaluation from
 * evaluate's exact counts (evalrep.h), the month report from the month's own files (month.json,
 * lists/summary.json, lists/drift.csv, evaluation.json, model.h5; htmlrep_month.c reads them). Each
 * body builder takes the heading level of its sections, so the month report can hold the model
 * report of a month that retrained, one level down. Serial (rank 0).
 */
#ifndef CS_HTMLREP_H
#define CS_HTMLREP_H

#include "cmodel.h"
#include "evalrep.h"
#include "html.h"
#include "modelfile.h"

/* ---- the model report (htmlrep_train.c) ---- */

/* The sections of the model report (holdout, charts, gains table, confusion matrix, calibration, the
 * scoring model's coefficients or trees, factor loadings, drift reference, screening) at heading
 * level lv (2 in its own page). */
void htmlrep_train_body(html_doc *d, const cmodel *m, const modelfile_story *s, int lv);
/* The model report as a whole page written to tmp (html_write_file: CS_EIO naming tmp). */
int htmlrep_train_write(const char *tmp, const cmodel *m, const modelfile_story *s, cs_lang lang);
/* "boosted trees" or "logistic regression", in the language. */
const char *htmlrep_model_name(const cmodel *m, cs_lang lang);

/* ---- the evaluation (htmlrep_eval.c) ---- */

/* The figures of one evaluation, however they were obtained: from evaluate's counts
 * (evalview_from_data) or read back from evaluation.json (evalview_from_json, htmlrep_month.c). The
 * phases are in the order alarm, warning, healthy; tiers 0 (unknown) to 5. */
typedef struct {
    const char *lists, *lists_month, *outcomes, *outcomes_month, *previous;
    int absent, have_population;
    evalrep_stats overall;
    int has_phase[3];
    evalrep_stats phase[3];
    int has_tier[LISTIN_N_TIERS];
    evalrep_stats tier[LISTIN_N_TIERS];
    size_t n_regions;
    const char *const *region_names;
    evalrep_stats *region; /* [n_regions] */
    evalrep_stats *region_alarm, *region_warning; /* [n_regions] each */
} evalview;

/* Fills v from evaluate's counts; v->region* are malloc'd (evalview_clear). CS_ENOMEM. */
int evalview_from_data(const evalrep_data *d, evalview *v);
void evalview_clear(evalview *v); /* frees the region arrays */

/* The evaluation's sections at level lv: the figures, precision, recall and lift by region as bars,
 * the tables by region, phase and value tier. */
void htmlrep_eval_body(html_doc *d, const evalview *v, int lv);
/* The evaluation as a whole page written to tmp. */
int htmlrep_eval_write(const char *tmp, const evalview *v, cs_lang lang);

/* ---- the month report (htmlrep_month.c) ---- */

typedef struct {
    const char *dir;       /* the month's directory (its staging directory while the chain runs) */
    const char *runs;      /* the runs directory, for the trend across months (NULL: this month only) */
    const char *currency;  /* the symbol of value at risk */
    const char *foot;      /* the page's last line (the program's version), may be NULL */
    cs_lang lang;
} htmlrep_month_opts;

/* Reads the month's files and writes its report to tmp. CS_EIO when a file cannot be read,
 * CS_EFORMAT when one is not what churnscore writes (naming it), both before anything is written;
 * CS_EIO naming tmp when writing fails. */
int htmlrep_month_write(const char *tmp, const htmlrep_month_opts *o);

#endif
