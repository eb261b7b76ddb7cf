/* evalrep.h — the evaluation of last month's lists, formatted: CSV, JSON, Markdown, a text table, and
 * (through htmlrep.h) an HTML page.
 *
 * mpi/cmd_evaluate.c counts, across ranks, how the listed subscribers turned out (by list region,
 * warning phase and value tier) and how many subscribers of each region left; this module turns those
 * exact integer counts into precision, recall, base rate and lift, and writes them in every format in
 * one place (as IOR keeps all its output in one file), so the four always agree. Files are written
 * under "<name>.tmp" and renamed when complete. Serial: rank 0 calls it.
 */
#ifndef CS_EVALREP_H
#define CS_EVALREP_H

#include "lang.h"
#include "listin.h"
#include "json.h"
#include "tageval.h"

#include <stdint.h>
#include <stdio.h>

/* Counts are kept per cell = (region, phase, tier): cell index (r * LISTIN_N_PHASES + phase) *
 * LISTIN_N_TIERS + tier. */
#define EVALREP_CELLS (LISTIN_N_PHASES * LISTIN_N_TIERS)

typedef struct {
    const char *lists, *lists_month;       /* the lists' directory and month ("" unknown) */
    const char *outcomes, *outcomes_month; /* the outcome snapshot and its month */
    const char *previous;                  /* absent mode: the scored month's snapshot, or NULL */
    int absent;            /* 1: listed ids absent from the outcome snapshot count as leavers */
    int have_population;   /* subscribers and leavers per region are known (recall, base rate) */
    size_t n_regions;
    const char *const *region_names;
    /* [n_regions * EVALREP_CELLS]; the region is the list's region.
     * listed: on the lists; found: present in the outcome snapshot; known: with a known outcome
     * (labels mode: found with a 0/1 label; absent mode: every listed id); caught: known and left. */
    const int64_t *listed, *found, *known, *caught;
    /* [n_regions], with have_population: subscribers with a known outcome, and those who left. */
    const int64_t *subscribers, *leavers;
    /* [n_regions * EVALREP_CELLS], or NULL: with evaluate --scores, the subscribers (with a known
     * outcome) and leavers of each region x phase x tier, by the scores' phase and tier; a phase's or
     * tier's recall and lift then use its own leavers and base rate */
    const int64_t *group_subscribers, *group_leavers;
    cs_lang lang;          /* of the Markdown report and the HTML page (evaluate --lang); CSV, JSON
                            * and the printed table stay English */
    /* issue 17, the tags validated by outcomes (evalrep_tags.c): tag_count[((t * n_regions) + r) *
     * EVALREP_TAG_NCOUNTS + k], t = n_tags for every subscriber; NULL when not computed */
    size_t n_tags;
    const char *tag_key[TAGEVAL_MAX_TAGS], *tag_label[TAGEVAL_MAX_TAGS];
    const int64_t *tag_count;
    int tag_types;         /* the outcomes tell voluntary leavers (churn types) */
    const char *grade_name[LISTIN_N_TIERS]; /* [g] the name of grade g (1..5) in d->lang; [0] unknown; NULL:
                                             * numbers only */
} evalrep_data;

enum { EVALREP_TAG_SUBS, EVALREP_TAG_LISTED, EVALREP_TAG_LEAVERS, EVALREP_TAG_VOLUNTARY, EVALREP_TAG_NCOUNTS };

/* One tag's figures over region r (-1: all): counts, churn rate, lift against the base rate of the
 * same regions (all subscribers), voluntary share of its leavers (NaN without churn types or
 * leavers). Tag t = d->n_tags is every subscriber. */
typedef struct {
    int64_t subscribers, listed, leavers, voluntary;
    double churn_rate, lift, voluntary_share;
} evalrep_tag_stats;

void evalrep_tag_stats_of(const evalrep_data *d, size_t t, long r, evalrep_tag_stats *out);
/* The tag sections of each format (evalrep_tags.c). */
void evalrep_tags_json(const evalrep_data *d, json_writer *w);
void evalrep_tags_md(const evalrep_data *d, FILE *f);
void evalrep_tags_print(const evalrep_data *d, FILE *f);

/* The figures of one selection of cells. NaN where undefined (nothing known, no leavers, no
 * population). */
typedef struct {
    int64_t listed, found, known, caught, subscribers, leavers;
    double precision, recall, base_rate, lift;
} evalrep_stats;

/* Sums the cells of region r (-1: all regions), phase p (-1: all) and tier t (-1: all). */
void evalrep_stats_of(const evalrep_data *d, long r, int p, int t, evalrep_stats *out);

/* Writes the JSON document (kind "evaluation") to f. */
void evalrep_json(const evalrep_data *d, FILE *f);
/* Writes the text table a user reads at the end of a run to f. */
void evalrep_print(const evalrep_data *d, FILE *f);
/* Writes prefix.csv, prefix.json, prefix.md and prefix.html (htmlrep.h, in d->lang), each under a
 * temporary name renamed when complete. CS_EIO naming the file; a failure leaves none of the four
 * half-written. */
int evalrep_write(const evalrep_data *d, const char *prefix);

#endif
