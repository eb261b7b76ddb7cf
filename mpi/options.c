/* options.c — the one option table of every churnscore command (see opts.h, "the one option table").
 *
 * Why one table: with a table per command the shared options drifted apart (--memory 0 was an error
 * in train, no limit in score and one pass in evaluate; --block-rows 0 passed in one command and not
 * the next; defaults were set in code, far from the help that named them). Here an option several
 * commands take is one row, so it has one kind, one default, one range and one help text wherever it
 * is used; a command only says which field of its own struct receives it (opt_bind). The defaults
 * are text read by the same parser as the command line, so every default is inside its own range.
 *
 * Two names keep two rows, on purpose, because their meaning differs by command and unifying the
 * default would change a default run's model or lists (tests/mpi/test_options.sh checks the rest):
 *   --contract-ending-months: in train the model's contract_ending input (default 1 month, stored in
 *     the model); in score the lifecycle rule's decline stage (default 3 months, model/rules.c).
 *   --out: a file in generate, import and score; a PREFIX of three files in evaluate.
 *   --month: generate writes that month (default 2026-10); import labels the snapshot (default
 *     none: 0000-00, unknown).
 *   --previous: in evaluate the scored month's snapshot (for recall, with --absent-means-churned);
 *     in analyze last month's snapshot, against which every figure's change is taken.
 *   --scores: in evaluate the scores the lists were written with; in analyze this month's scores,
 *     read row by row beside the snapshot for the big-customer grid; in select the scores whose rows
 *     are chosen (required there).
 *   --top: in score K per list (each queue of each region); in select K rows of the one file.
 */
#include "opts.h"

#include "gbm.h"
#include "import.h"
#include "segment.h"
#include "synth.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define G OPT_CMD_GENERATE
#define I OPT_CMD_INSPECT
#define T OPT_CMD_TRAIN
#define S OPT_CMD_SCORE
#define M OPT_CMD_IMPORT
#define E OPT_CMD_EVALUATE
#define R OPT_CMD_REPORT
#define A OPT_CMD_ANALYZE
#define X OPT_CMD_SELECT
#define INF HUGE_VAL
#define STR(x) #x
#define XSTR(x) STR(x)

const opt_spec options_table[] = {
    /* ---- shared: one meaning in every command that takes them ---- */
    {.name = "in", .cmds = T | S | A, .required = T | S | A, .kind = OPT_STR, .meta = "FILE",
     .help = "snapshot to read (train: a month whose outcomes are known)"},
    {.name = "model", .cmds = T | S, .required = T, .kind = OPT_STR, .meta = "FILE",
     .help = "model file: train writes it, score reads it (score: required but with --read-only)"},
    {.name = "out", .cmds = G | M | S, .required = G | M, .kind = OPT_STR, .meta = "FILE",
     .help = "file to write: the snapshot (generate, import), the scores (score: required but with --read-only)"},
    {.name = "lists", .cmds = S | E, .required = E, .kind = OPT_STR, .meta = "DIR",
     .help = "directory of the per-region lists: score writes it (required but with --read-only), evaluate reads it"},
    {.name = "block-rows", .cmds = G | I | T | S | E | A | X, .kind = OPT_U64, .meta = "N", .def = "65536",
     .lo = 1, .hi = 16777216,
     .help = "rows each rank reads (generate: writes) at a time; results do not depend on it"},
    {.name = "memory", .cmds = I | T | S | M | E | A | X, .kind = OPT_BYTES, .meta = "BYTES", .def = "2G",
     .lo = 1, .hi = INF,
     .help = "memory budget per rank, a size (2G, 512M): train and score refuse up front a run that "
             "needs more, the duplicate-id check, evaluate's --previous and score's --previous-scores joins "
             "take as many passes as fit, analyze's --previous join must fit in half of it, import allows a CSV record a quarter of it (at least 16M), "
             "select's chosen rows must fit in it"},
    {.name = "json", .cmds = I | E, .kind = OPT_FLAG,
     .help = "print one JSON object on stdout instead of text"},
    {.name = "onboarding-months", .cmds = T | S, .kind = OPT_DOUBLE, .meta = "MONTHS", .def = "3",
     .lo = 0, .hi = 1200,
     .help = "tenure up to this is onboarding (train: the model's onboarding input; score: the "
             "onboarding stage)"},
    {.name = "warn-cutoff", .cmds = T | S, .kind = OPT_DOUBLE, .meta = "P", .def = "-1", .lo = 0,
     .hi = 1, .special = "-1",
     .help = "warning phase at probability >= this, the voluntary probability where the model has churn "
             "types (-1: train sets it from --warn-top, score uses the model's)"},
    {.name = "lang", .cmds = T | S | E | R | A | X, .kind = OPT_STR, .meta = "en|zh", .choices = "en|zh", .def = "en",
     .help = "language of what people read: score's list headers, stage, phase, queue, action, channel "
             "and summary.csv; evaluate's PREFIX.md and PREFIX.html; the HTML reports of train and report; "
             "analyze's report.md; select's list"},
    {.name = "playbook", .cmds = T | S | X, .kind = OPT_STR, .meta = "FILE",
     .unset = "the built-in copy of jobs/playbook.conf",
     .help = "the next action of each listed row by stage, phase, queue and grade (train checks it, score "
             "and select use it); a hole or unknown word is refused naming file and line (docs/formats.md)"},
    {.name = "tags", .cmds = S | E, .kind = OPT_STR, .meta = "FILE", .unset = "the built-in copy of jobs/tags.conf",
     .help = "the customer tags and value grades (score writes them, evaluate validates each tag by the "
             "outcomes); an error is refused naming file:line:column (docs/formats.md)"},
    {.name = "validate-max", .cmds = T | S, .kind = OPT_U64, .meta = "N", .def = "1000000", .lo = 1,
     .hi = 100000000,
     .help = "labelled rows evaluated at most (train: holdout and validation rows; score: the "
             "validation); a hash-of-id sample beyond"},

    /* ---- generate ---- */
    {.name = "subscribers", .cmds = G, .kind = OPT_U64, .meta = "N", .def = "100000", .lo = 0,
     .hi = 8589934592.0 /* SYNTH_MAX_ROWS / 2 = 2^33 */, .help = "number of subscribers (first month)"},
    {.name = "seed", .cmds = G, .kind = OPT_U64, .meta = "N", .def = "42", .lo = 0,
     .hi = 9007199254740991.0, .help = "random seed: same seed, same operator"},
    {.name = "regions", .cmds = G, .kind = OPT_INT, .meta = "N", .def = "18", .lo = 1,
     .hi = SYNTH_MAX_REGIONS, .help = "number of regions (Chinese province names)"},
    {.name = "month", .cmds = G, .kind = OPT_MONTH, .meta = "YYYY-MM", .def = "2026-10",
     .help = "month of the snapshot"},
    {.name = "window", .cmds = G, .kind = OPT_INT, .meta = "MONTHS", .def = "1", .lo = 1, .hi = 12,
     .help = "churn window in months"},
    {.name = "drift", .cmds = G, .kind = OPT_DOUBLE, .meta = "X", .def = "0.05", .lo = 0, .hi = 1,
     .help = "behaviour drift per month"},
    {.name = "follows", .cmds = G, .kind = OPT_STR, .meta = "FILE",
     .help = "previous month's generated snapshot: write the next month"},
    {.name = "treated", .cmds = G, .kind = OPT_STR, .meta = "RUNS/YYYY-MM",
     .help = "with --follows: the month of --follows whose retention lists (not their control groups) "
             "were treated; the truth goes under /truth/"},
    {.name = "treatment-effect", .cmds = G, .kind = OPT_DOUBLE, .meta = "E", .def = "0", .lo = 0, .hi = 1,
     .help = "with --treated: relative reduction of the treated's voluntary churn probability"},
    {.name = "areas", .cmds = G, .kind = OPT_FLAG,
     .help = "areas below the regions (/subscribers/area): prefectures, or a province's districts and counties"},
    {.name = "competitors", .cmds = G, .kind = OPT_INT, .meta = "N", .def = "0", .lo = 0,
     .hi = SYNTH_MAX_COMPETITORS,
     .help = "competitors named by indicators (forward_to_K_m3, competitor_service_calls_K_m3, dual_sim_K)"},
    {.name = "operator", .cmds = G, .kind = OPT_STR, .meta = "national|province:NAME", .def = "national",
     .help = "a national operator (regions: provinces) or a provincial one (province:河南, province:广东; "
             "regions: its prefectures, --regions at most their number)"},

    /* ---- train ---- */
    {.name = "factors", .cmds = T, .kind = OPT_STR, .meta = "K|auto", .def = "auto", .lo = 1, .hi = INF,
     .special = "auto", .help = "number of factors, or auto (Kaiser: eigenvalue > 1)"},
    {.name = "segments", .cmds = T, .kind = OPT_STR, .meta = "K|auto|none", .def = "auto", .lo = 0,
     .hi = SEGMENT_MAX_K, .special = "auto|none",
     .help = "segments within each brand by k-means on the factor scores (or the standardised "
             "indicators): K per brand, auto (the largest K of 2..8 within 1% of the best silhouette), "
             "or none (0)"},
    {.name = "segment-rows", .cmds = T, .kind = OPT_U64, .meta = "N", .def = "200000", .lo = 1000, .hi = INF,
     .help = "segments: k-means on a hash sample of this many subscribers (the profile covers all)"},
    {.name = "extraction", .cmds = T, .kind = OPT_STR, .meta = "pa|ml", .choices = "pa|ml", .def = "pa",
     .help = "principal axis (psych::fa) or maximum likelihood (factanal)"},
    {.name = "derived", .cmds = T, .kind = OPT_STR, .meta = "none|default|FILE", .def = "none",
     .help = "derived indicators computed from each row (docs/formats.md): none, the built-in set "
             "(change of the last month against the two before, 3-month mean and minimum of every "
             "_m1.._m3 family, shares), or a file of 'name = formula' lines"},
    {.name = "inputs", .cmds = T, .kind = OPT_STR, .meta = "auto|factors|raw|both|best",
     .choices = "auto|factors|raw|both|best", .def = "auto",
     .help = "what the logistic model is fitted on; auto: factor scores where factor analysis is advisable, "
             "else the raw indicators; best: where it is advisable, the best of factors, raw and both by "
             "validation AUC (about 2x the training time; docs/design.md)"},
    {.name = "holdout", .cmds = T, .kind = OPT_DOUBLE, .meta = "SHARE", .def = "0.2", .lo = 0, .hi = 1,
     .open_hi = 1, .help = "share of subscribers (by id hash) kept out for evaluation"},
    {.name = "l2", .cmds = T, .kind = OPT_DOUBLE, .meta = "X", .def = "1", .lo = 0, .hi = INF,
     .help = "L2 penalty on the coefficients (not the intercept)"},
    {.name = "class-weight", .cmds = T, .kind = OPT_DOUBLE, .meta = "X", .def = "1", .lo = 0, .hi = INF,
     .open_lo = 1, .help = "weight of a churner relative to a stayer"},
    {.name = "max-missing", .cmds = T, .kind = OPT_DOUBLE, .meta = "SHARE", .def = "0.5", .lo = 0,
     .hi = 1, .help = "drop indicators with a larger missing share"},
    {.name = "max-mode-share", .cmds = T, .kind = OPT_DOUBLE, .meta = "SHARE", .def = "0.95", .lo = 0,
     .hi = 1, .help = "drop near-constant indicators (share of the most frequent value)"},
    {.name = "max-corr", .cmds = T, .kind = OPT_DOUBLE, .meta = "X", .def = "0.95", .lo = 0, .hi = 1,
     .help = "of two indicators correlated above this keep one"},
    {.name = "kmo-min", .cmds = T, .kind = OPT_DOUBLE, .meta = "X", .def = "0.6", .lo = 0, .hi = 1,
     .help = "inputs auto: factor analysis only when KMO is at least this"},
    {.name = "contract-ending-months", .cmds = T, .kind = OPT_DOUBLE, .meta = "MONTHS", .def = "1",
     .lo = 0, .hi = 1200,
     .help = "the model's contract_ending input: months left up to this (score's option of the same "
             "name is the decline stage's, default 3)"},
    {.name = "warn-top", .cmds = T, .kind = OPT_DOUBLE, .meta = "SHARE", .def = "0.05", .lo = 0, .hi = 1,
     .help = "without --warn-cutoff: the cut-off flags this share of the holdout (by the voluntary "
             "probability where the model has churn types)"},
    {.name = "max-iter", .cmds = T, .kind = OPT_INT, .meta = "N", .def = "30", .lo = 1, .hi = 10000,
     .help = "IRLS iteration limit"},
    {.name = "warm-rows", .cmds = T, .kind = OPT_U64, .meta = "N", .def = "1000000", .lo = 0, .hi = INF,
     .help = "IRLS first converges on a sample of this many rows (when there are more than twice as many)"},
    {.name = "cache", .cmds = T, .kind = OPT_STR, .meta = "auto|no", .choices = "auto|no", .def = "auto",
     .help = "keep the design matrix in memory between passes when it fits"},
    {.name = "report", .cmds = T, .kind = OPT_STR, .meta = "FILE",
     .help = "write a Markdown report here, and the same with charts as HTML beside it (R.md -> R.html)"},
    {.name = "model-kind", .cmds = T, .kind = OPT_STR, .meta = "auto|logit|gbm",
     .choices = "auto|logit|gbm", .def = "auto",
     .help = "logistic model, boosted trees, or the better of the two on a validation part of the "
             "training rows"},
    {.name = "trees", .cmds = T, .kind = OPT_INT, .meta = "N", .def = "300", .lo = 1, .hi = 100000,
     .help = "boosted trees: rounds"},
    {.name = "depth", .cmds = T, .kind = OPT_INT, .meta = "N", .def = "4", .lo = 1, .hi = GBM_MAX_DEPTH,
     .help = "boosted trees: depth"},
    {.name = "eta", .cmds = T, .kind = OPT_DOUBLE, .meta = "X", .def = "0.05", .lo = 0, .hi = INF,
     .open_lo = 1, .help = "boosted trees: learning rate"},
    {.name = "tree-l2", .cmds = T, .kind = OPT_DOUBLE, .meta = "X", .def = "1", .lo = 0, .hi = INF,
     .help = "boosted trees: L2 penalty on leaf values"},
    {.name = "min-leaf", .cmds = T, .kind = OPT_DOUBLE, .meta = "N", .def = "20", .lo = 0, .hi = INF,
     .help = "boosted trees: minimum rows in a leaf"},
    {.name = "bins", .cmds = T, .kind = OPT_INT, .meta = "N", .def = "64", .lo = 2, .hi = GBM_MAX_BINS,
     .help = "boosted trees: histogram bins per input"},
    {.name = "candidate-rows", .cmds = T, .kind = OPT_U64, .meta = "N", .def = "250000", .lo = 100, .hi = INF,
     .help = "inputs best: the logistic models on factor scores, raw indicators and both are compared "
             "after fits on a hash sample of at most this many training rows"},
    {.name = "gbm-rows", .cmds = T, .kind = OPT_U64, .meta = "N", .def = "250000", .lo = 100, .hi = INF,
     .help = "boosted trees: fitted on a hash sample of at most this many rows"},

    /* ---- score ---- */
    {.name = "top", .cmds = S, .kind = OPT_U64, .meta = "K", .def = "0", .lo = 0, .hi = INF,
     .help = "list at most K subscribers per region and queue (0: all of the queue)"},
    {.name = "rank-by", .cmds = S, .kind = OPT_STR, .meta = "probability|value_at_risk",
     .choices = "probability|value_at_risk", .def = "probability",
     .help = "order of the retention lists: voluntary risk, or voluntary value at risk (alarms first either way)"},
    {.name = "capacity", .cmds = S, .kind = OPT_STR, .meta = "FILE",
     .help = "CSV region,k[,queue]: a list size per region (and queue) overriding --top; k 0 is all"},
    {.name = "collections-cutoff", .cmds = S, .kind = OPT_DOUBLE, .meta = "P", .def = "-1", .lo = 0,
     .hi = 1, .special = "-1",
     .help = "with churn types: the collections queue also takes p_involuntary >= this when above "
             "p_voluntary (-1: the model's, the --warn-top share of the holdout by involuntary risk)"},
    {.name = "list-columns", .cmds = S | X, .kind = OPT_STR, .meta = "NAME,...",
     .help = "snapshot indicators copied into the lists (at most 16), e.g. arpu_m1,arpu_m2,arpu_m3,tenure_months"},
    {.name = "mask-ids", .cmds = S | X, .kind = OPT_FLAG, .help = "mask all but the last 4 digits of ids in the lists"},
    {.name = "bom", .cmds = S, .kind = OPT_FLAG,
     .help = "start the CSV files with a UTF-8 byte order mark (the default; kept for older scripts)"},
    {.name = "no-bom", .cmds = S | X, .kind = OPT_FLAG,
     .help = "no UTF-8 byte order mark at the start of the CSV files (Excel needs it for Chinese)"},
    {.name = "control", .cmds = S, .kind = OPT_DOUBLE, .meta = "SHARE", .def = "0", .lo = 0, .hi = 0.5,
     .help = "share of each region's retention list held out as a control group (its own file, not "
             "contacted; a hash of id and month, stratified by phase and tier) to measure the retention "
             "effect; 0.05 is the usual share, 0 none"},
    {.name = "previous-scores", .cmds = S, .kind = OPT_STR, .meta = "FILE",
     .help = "last month's SCORES.h5: each list row gets new_on_list, months_on_list, last month's "
             "probability and phase (joined by id), summary.csv last month's figures and the change"},
    {.name = "horizon", .cmds = S, .kind = OPT_DOUBLE, .meta = "MONTHS", .def = "12", .lo = 0, .hi = 1200,
     .help = "months of ARPU at risk: value at risk = p x ARPU x horizon"},
    {.name = "growth-months", .cmds = S, .kind = OPT_DOUBLE, .meta = "MONTHS", .def = "12", .lo = 0,
     .hi = 1200, .help = "growth stage without a contract: tenure <= this (with one: tenure < months left)"},
    {.name = "contract-ending-months", .cmds = S, .kind = OPT_DOUBLE, .meta = "MONTHS", .def = "3",
     .lo = 0, .hi = 1200,
     .help = "decline stage: contract ends within this many months (train's option of the same name "
             "is the model's input, default 1)"},
    {.name = "traffic-fall", .cmds = S, .kind = OPT_DOUBLE, .meta = "SHARE", .def = "0.5", .lo = 0, .hi = 1,
     .help = "decline: traffic of m3 below (1 - this) x the m1-m2 mean; the fall a \"down N%\" reason needs"},
    {.name = "idle-days", .cmds = S, .kind = OPT_DOUBLE, .meta = "DAYS", .def = "15", .lo = 0, .hi = 31,
     .help = "decline: days without an outgoing call >= this; the days a \"no outgoing call\" reason needs"},
    {.name = "collapse", .cmds = S, .kind = OPT_DOUBLE, .meta = "SHARE", .def = "0.5", .lo = 0, .hi = 1,
     .help = "alarm and decline: traffic of m3 <= this x the m1-m2 mean (0.5: halved)"},
    {.name = "collapse-min", .cmds = S, .kind = OPT_DOUBLE, .meta = "X", .def = "30", .lo = 0, .hi = 1e12,
     .help = "... when the m1-m2 mean is at least this"},
    {.name = "read-only", .cmds = S, .kind = OPT_FLAG,
     .help = "only read the datasets scoring reads and print the time"},

    /* ---- import ---- */
    {.name = "csv", .cmds = M, .required = M, .kind = OPT_STR, .meta = "FILE",
     .help = "CSV extract: header row, RFC 4180, UTF-8 (a file: it is read twice)"},
    {.name = "label", .cmds = M, .kind = OPT_STR, .meta = "COL",
     .help = "column that says who churned (none: a snapshot without labels)"},
    {.name = "positive", .cmds = M, .kind = OPT_STR, .meta = "VALUE",
     .help = "the --label value that means churned (others 0, missing -1)"},
    {.name = "churn-type", .cmds = M, .kind = OPT_STR, .meta = "COL",
     .help = "column that says how each leaver left (none: no churn types); gives the labels where "
             "there is no --label, and must agree with --label where there is"},
    {.name = "voluntary", .cmds = M, .kind = OPT_STR, .meta = "V1,V2",
     .help = "the --churn-type values of a voluntary leaver (ported out, cancelled: retention's)"},
    {.name = "involuntary", .cmds = M, .kind = OPT_STR, .meta = "W1,W2",
     .help = "the --churn-type values of an involuntary leaver (arrears, abandoned SIM)"},
    {.name = "stayed", .cmds = M, .kind = OPT_STR, .meta = "S1,S2",
     .help = "--churn-type values that mean no churn type, besides an empty field or NA; any other "
             "value is an error (exit 5, naming line and column)"},
    {.name = "id", .cmds = M, .kind = OPT_STR, .meta = "COL",
     .help = "column of subscriber ids, whole numbers, unique (none: 1-based row numbers)"},
    {.name = "region", .cmds = M, .kind = OPT_STR, .meta = "COL",
     .help = "column of region names (none: one region 'all')"},
    {.name = "area", .cmds = M, .kind = OPT_STR, .meta = "COL", .unset = "none: no areas",
     .help = "column of area names below the regions (prefectures, counties): each area in one region"},
    {.name = "brand", .cmds = M, .kind = OPT_STR, .meta = "COL",
     .help = "column of brand names (none: one brand 'all')"},
    {.name = "categorical", .cmds = M, .kind = OPT_STR, .meta = "COL,...",
     .help = "categories even if they hold numbers"},
    {.name = "ignore", .cmds = M, .kind = OPT_STR, .meta = "COL,...", .help = "columns left out"},
    {.name = "delimiter", .cmds = M, .kind = OPT_STR, .meta = "CHAR", .def = ",",
     .help = "field delimiter: one character, or tab"},
    {.name = "month", .cmds = M, .kind = OPT_MONTH, .meta = "YYYY-MM", .unset = "0000-00, unknown",
     .help = "month of the snapshot"},
    {.name = "like", .cmds = M, .kind = OPT_STR, .meta = "FILE",
     .help = "earlier imported snapshot: use exactly its columns and levels"},
    {.name = "on-bad-row", .cmds = M, .kind = OPT_STR, .meta = "fail|skip", .choices = "fail|skip",
     .def = "fail", .help = "a bad row stops the import, or is counted and skipped"},
    {.name = "show-bad", .cmds = M, .kind = OPT_INT, .meta = "N", .def = "5", .lo = 0, .hi = 1000000,
     .help = "with skip: log the first this many bad rows"},
    {.name = "max-levels", .cmds = M, .kind = OPT_INT, .meta = "N", .def = XSTR(IMP_MAX_LEVELS), .lo = 2,
     .hi = 65535, .help = "most levels a text column may have"},

    /* ---- evaluate ---- */
    {.name = "outcomes", .cmds = E, .required = E, .kind = OPT_STR, .meta = "FILE",
     .help = "snapshot whose labels (or absentees) say who left"},
    {.name = "out", .cmds = E, .kind = OPT_STR, .meta = "PREFIX",
     .help = "write PREFIX.csv, PREFIX.json, PREFIX.md and PREFIX.html"},
    {.name = "absent-means-churned", .cmds = E, .kind = OPT_FLAG,
     .help = "--outcomes is a later month: listed ids absent from it left"},
    {.name = "previous", .cmds = E, .kind = OPT_STR, .meta = "FILE",
     .help = "with --absent-means-churned: the scored month's snapshot (for recall)"},
    {.name = "scores", .cmds = E, .kind = OPT_STR, .meta = "SCORES.h5",
     .help = "the scores the lists were written with: recall and lift of each phase and tier use that "
             "group's own leavers and base rate (without it: all the region's leavers, the overall rate)"},
    {.name = "contacts", .cmds = E, .kind = OPT_STR, .meta = "FILE.csv",
     .help = "who the retention team reached: one row per subscriber (id, contacted 0/1, accepted 0/1, action "
             "code, date in the month after the lists'); the effect of the contacted and of the accepted too"},
    {.name = "contacts-id", .cmds = E, .kind = OPT_STR, .meta = "NAME", .def = "id",
     .help = "--contacts: the id column"},
    {.name = "contacts-contacted", .cmds = E, .kind = OPT_STR, .meta = "NAME", .def = "contacted",
     .help = "--contacts: the column saying 1 when the subscriber was reached"},
    {.name = "contacts-accepted", .cmds = E, .kind = OPT_STR, .meta = "NAME", .def = "accepted",
     .help = "--contacts: the column saying 1 when the offer was accepted"},
    {.name = "contacts-action", .cmds = E, .kind = OPT_STR, .meta = "NAME", .def = "action_code",
     .help = "--contacts: the action code column"},
    {.name = "contacts-date", .cmds = E, .kind = OPT_STR, .meta = "NAME", .def = "date",
     .help = "--contacts: the contact date column (YYYY-MM-DD)"},
    {.name = "any-month", .cmds = E, .kind = OPT_FLAG,
     .help = "do not check that the months of the files fit together"},

    /* ---- report ---- */
    {.name = "month-dir", .cmds = R, .required = R, .kind = OPT_STR, .meta = "DIR",
     .help = "the month's directory (RUNS/YYYY-MM, or its staging directory while the chain runs)"},
    {.name = "runs", .cmds = R, .kind = OPT_STR, .meta = "DIR", .unset = "none: no trend",
     .help = "the runs directory: the completed months before this one make the trend"},
    {.name = "out", .cmds = R, .kind = OPT_STR, .meta = "FILE", .unset = "DIR/report.html",
     .help = "the HTML page to write"},
    {.name = "currency", .cmds = R, .kind = OPT_STR, .meta = "SYMBOL", .def = "\xc2\xa5",
     .help = "written before amounts of value at risk"},

    /* ---- analyze ---- */
    {.name = "out", .cmds = A, .required = A, .kind = OPT_STR, .meta = "DIR",
     .help = "directory of the reports (built as DIR.tmp and renamed; an existing DIR is replaced only "
             "when it holds nothing but analyze's files)"},
    {.name = "previous", .cmds = A, .kind = OPT_STR, .meta = "FILE", .unset = "none: no change, new by tenure only",
     .help = "last month's snapshot: each figure's change, new subscribers (ids not in it) and who is gone"},
    {.name = "scores", .cmds = A, .kind = OPT_STR, .meta = "FILE", .unset = "none: the grid is unscored",
     .help = "this month's SCORES.h5 (score --out of the same snapshot): phase, tier and value at risk of the grid"},
    {.name = "traffic-change", .cmds = A, .kind = OPT_DOUBLE, .meta = "N", .def = "30", .lo = 0, .hi = 1000,
     .open_lo = 1, .help = "the traffic-change profile takes minutes or data up or down by N% or more"},

    /* ---- select ---- */
    {.name = "scores", .cmds = X, .required = X, .kind = OPT_STR, .meta = "SCORES.h5",
     .help = "the month's scores (score --out): queue, phase, grade, tags, reasons and probabilities of each row"},
    {.name = "snapshot", .cmds = X, .required = X, .kind = OPT_STR, .meta = "SNAP.h5",
     .help = "the snapshot those scores are of (score --in): areas and indicators, row by row beside the scores"},
    {.name = "where", .cmds = X, .required = X, .kind = OPT_STR, .meta = "EXPR",
     .help = "which subscribers, e.g. \"phase = alarm and suspended_arrears = 1 and region = 河南\": names region, "
             "area, brand, stage, phase, queue, tier, tags has KEY and every indicator (docs/formats.md, "
             "\"select\"); an error names its column"},
    {.name = "out", .cmds = X, .required = X, .kind = OPT_STR, .meta = "FILE.csv",
     .help = "the list to write (as FILE.csv.tmp, renamed when complete): the lists' columns, ranked like them"},
    {.name = "top", .cmds = X, .kind = OPT_U64, .meta = "K", .def = "0", .lo = 0, .hi = INF,
     .help = "write the first K rows at most (0: every chosen row; K also bounds each rank's memory)"},
    {.name = NULL},
};

static const struct {
    unsigned cmd;
    const char *usage;
} options_usages[] = {
    {G, "churnscore generate --out FILE [options]"},
    {I, "churnscore inspect FILE [--json]"},
    {T, "churnscore train --in SNAPSHOT.h5 --model MODEL.h5 [options]"},
    {S, "churnscore score --in SNAPSHOT.h5 --model MODEL.h5 --out SCORES.h5 --lists DIR [options]"},
    {M, "churnscore import --csv FILE --out SNAPSHOT.h5 --label COL --positive VALUE [options]\n\n"
        "Turns an operator's CSV extract into a snapshot. Numeric columns become indicators;\n"
        "text columns (and --categorical ones) one 0/1 indicator per level but the first\n"
        "(levels in byte order), named column=level. Empty fields and NA are missing.\n"
        "Reads the CSV twice with bounded memory. Runs on rank 0 alone (other ranks wait,\n"
        "then share the duplicate-id check): one rank is enough. See docs/import.md."},
    {E, "churnscore evaluate --lists DIR --outcomes SNAPSHOT.h5 [--out PREFIX] [--json]"},
    {A, "churnscore analyze --in SNAPSHOT.h5 --out DIR [--previous LAST.h5] [--scores SCORES.h5]\n\n"
        "The operator's monthly analyses in one pass over each file: churn, suspension, forwarding,\n"
        "traffic-change and grid reports, each as NAME.csv and NAME.json, and report.md; drilled\n"
        "down from the operator to each region and its areas, by brand (docs/formats.md)."},
    {X, "churnscore select --scores SCORES.h5 --snapshot SNAP.h5 --where EXPR --out FILE.csv [options]\n\n"
        "Saves any group of a scored month as a list: the subscribers for whom EXPR holds, with the\n"
        "retention lists' columns and rules (UTF-8 with a BOM, formula-safe text, --lang), ranked as the\n"
        "lists are (retention, collections, billing check, then those in no queue; in each, hard\n"
        "signals first, then the queue's risk). EXPR: comparisons (= != < <= > >=, in (...)) of region,\n"
        "area, brand, stage, phase, queue (names, quoted or not), tier/grade, probability, p_voluntary,\n"
        "p_involuntary, value_at_risk, arpu, contribution and any indicator, 'tags has KEY', joined by\n"
        "and, or, not; an error names its column. Never run by a shell. See docs/formats.md, \"select\"."},
    {R, "churnscore report --month-dir DIR [--runs RUNS] [--out FILE] [--lang en|zh]\n\n"
        "Writes a month's report as one self-contained HTML page (inline CSS and SVG charts, no\n"
        "script, nothing from the network) from the month's files: month.json, lists/summary.json,\n"
        "lists/drift.csv, evaluation.json and model.h5; with --runs, the months before it make the\n"
        "trend. The monthly chain runs it when a month completes. Runs on rank 0 alone."},
};

const char *options_usage(unsigned cmd)
{
    for (size_t i = 0; i < sizeof options_usages / sizeof options_usages[0]; i++)
        if (options_usages[i].cmd == cmd) return options_usages[i].usage;
    return NULL;
}

int options_parse(unsigned cmd, const opt_bind *binds, opt_table *t, int argc, char **argv, char **pos,
                  int max_pos, int *npos)
{
    memset(t, 0, sizeof *t);
    t->cmd = cmd;
    t->usage = options_usage(cmd);
    if (!t->usage) return CS_ERROR(CS_EINTERNAL, "options: unknown command %u", cmd);
    size_t n = 0;
    for (const opt_spec *s = options_table; s->name; s++) {
        if (!(s->cmds & cmd)) continue;
        const opt_bind *b = binds;
        while (b->name && strcmp(b->name, s->name) != 0) b++;
        if (!b->name || !b->value)
            return CS_ERROR(CS_EINTERNAL, "options: --%s of %s has no field", s->name, t->usage);
        if (n >= OPT_MAX_PER_CMD) return CS_ERROR(CS_EINTERNAL, "options: more than %d", OPT_MAX_PER_CMD);
        opt_def *d = &t->defs[n++];
        *d = (opt_def){.name = s->name, .kind = s->kind, .value = b->value, .help = s->help,
                       .required = (s->required & cmd) != 0, .lo = s->lo, .hi = s->hi, .meta = s->meta,
                       .choices = s->choices, .special = s->special, .open_lo = s->open_lo,
                       .open_hi = s->open_hi, .unset = s->unset};
        /* the default, read as if given: a default outside its own range is a bug of the table */
        if (s->kind == OPT_FLAG) *(int *)d->value = 0;
        else if (!s->def && (s->kind == OPT_STR || s->kind == OPT_MONTH)) *(const char **)d->value = NULL;
        else if (!s->def)
            return CS_ERROR(CS_EINTERNAL, "options: --%s has no default", s->name);
        else if (opt_set_value(d, s->def) != CS_OK)
            return CS_ERROR(CS_EINTERNAL, "options: the default of --%s: %s", s->name, status_reason());
    }
    for (const opt_bind *b = binds; b->name; b++) {
        size_t k = 0;
        while (k < n && strcmp(t->defs[k].name, b->name) != 0) k++;
        if (k == n) return CS_ERROR(CS_EINTERNAL, "options: %s has no option --%s", t->usage, b->name);
    }
    return opt_parse(t->defs, argc, argv, 2, t->usage, pos, max_pos, npos);
}

char *options_describe(const opt_table *t)
{
    return opt_describe(t->defs);
}
