/* score_tiers.c — phase 2 of `churnscore score`: the value grades by contribution and identity.
 *
 * A subscriber's grade (issue 17, seed 004) is its contribution quintile over ALL subscribers —
 * grade 1 the top fifth — or the site's thresholds (jobs/tags.conf), and a customer with an identity
 * tag (a `lift` line) is grade 1 whatever the contribution. Contribution is ARPU, less the cost
 * where the site has a cost indicator (score_tags.c). The quintile cut-offs must not depend on how
 * the rows are spread over the ranks. They are found exactly with integer counts only, and
 * without holding the partition's values: the pass histogrammed the top 16 bits of each row's 32-bit
 * contribution key (rules_arpu_key orders them as the floats); the summed histogram names the bucket
 * of each quantile; then the contribution column is read back from SCORES.h5 (own rows, in blocks)
 * to histogram the low 16 bits inside those buckets, and a second sum across ranks names the key.
 * The same read-back (with the tag bits) then gives every own row its grade. Two passes over one
 * float column, two sums of integer histograms: cheaper than the radix select of select.h, which
 * would need the keys in memory.
 */
#include "score_tiers.h"

#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Own rows are read back in blocks of --block-rows, rounded up to whole reduction blocks (the pass's
 * buffers hold that many). */
static size_t score_tier_block(const score_job *j)
{
    size_t io = (size_t)j->o.block < PART_BLOCK_ROWS ? PART_BLOCK_ROWS : (size_t)j->o.block;
    return (io + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS * PART_BLOCK_ROWS;
}

/* Reads back the contribution and tags of the own rows [a, a + *n) into j->buf.contrib and
 * j->buf.tags, *n at most io. */
static int score_tier_read(score_job *j, scores_writer *w, uint64_t a, size_t io, size_t *n)
{
    uint64_t rows = j->in.pr.rows;
    *n = rows - a < io ? (size_t)(rows - a) : io;
    return scores_read_tags(w, j->in.pr.row0 + a, *n, j->buf.tags, j->buf.contrib);
}

/* The grade of a row: lifted to 1 by an identity tag, else by its contribution. */
static uint8_t score_grade(const score_job *j, uint64_t tags, float contrib)
{
    if (tags & j->in.tc->lift_bits) return 1;
    return (uint8_t)tageval_grade(j->res.cut, j->in.tc->thresholds, (double)contrib);
}

/* Collective. The cut-offs: cut[k] is the lower (k+1)/5 quantile of every rank's contribution. */
static int score_tier_cuts(score_job *j, scores_writer *w, double cut[SCORE_TIER_CUTS])
{
    MPI_Comm comm = j->ctx->comm;
    const size_t B = SCORE_ARPU_BUCKETS;
    int64_t *hist = j->arpu_hist;
    int64_t *lo = calloc(SCORE_TIER_CUTS * B, sizeof(int64_t));
    size_t io = score_tier_block(j);
    int rc = lo ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory for the contribution histograms");
    rc = red_agree(comm, rc);
    if (rc == CS_OK) rc = red_sum_i64(comm, hist, B);
    int64_t total = 0;
    for (size_t b = 0; rc == CS_OK && b < B; b++) total += hist[b];
    for (int k = 0; k < SCORE_TIER_CUTS; k++) cut[k] = NAN;
    uint32_t top[SCORE_TIER_CUTS] = {0};   /* the bucket (top half of the key) of each cut */
    int64_t rank_in[SCORE_TIER_CUTS] = {0}; /* its 0-based rank inside that bucket */
    if (rc == CS_OK && total > 0) {
        for (int k = 0; k < SCORE_TIER_CUTS; k++) {
            /* the lower (k+1)/5 quantile: the ceil((k+1) N / 5)-th smallest value (1-based) */
            int64_t want = ((int64_t)(k + 1) * total + RULES_N_TIERS - 1) / RULES_N_TIERS - 1, below = 0;
            uint32_t b = 0;
            while (below + hist[b] <= want) below += hist[b++];
            top[k] = b;
            rank_in[k] = want - below;
        }
        int lrc = CS_OK;
        for (uint64_t a = 0; lrc == CS_OK && a < j->in.pr.rows; a += io) {
            size_t n = 0;
            lrc = score_tier_read(j, w, a, io, &n);
            for (size_t i = 0; lrc == CS_OK && i < n; i++) {
                if (isnan(j->buf.contrib[i])) continue;
                uint32_t key = rules_arpu_key(j->buf.contrib[i]);
                for (int k = 0; k < SCORE_TIER_CUTS; k++)
                    if (key >> SCORE_KEY_HALF_BITS == top[k]) lo[k * B + (key & (B - 1))]++;
            }
        }
        rc = red_agree(comm, lrc);
        if (rc == CS_OK) rc = red_sum_i64(comm, lo, SCORE_TIER_CUTS * B);
        for (int k = 0; rc == CS_OK && k < SCORE_TIER_CUTS; k++) {
            int64_t below = 0;
            uint32_t b = 0;
            while (below + lo[k * B + b] <= rank_in[k]) below += lo[k * B + b++];
            cut[k] = (double)rules_key_arpu((top[k] << SCORE_KEY_HALF_BITS) | b);
        }
    }
    free(lo);
    return rc;
}

int score_tiers(score_job *j, scores_writer *w)
{
    double *cut = j->res.cut;
    if (j->in.tc->thresholds) memcpy(cut, j->in.tc->grade_min, sizeof j->res.cut);
    else CS_TRY(score_tier_cuts(j, w, cut));
    size_t io = score_tier_block(j);
    int rc = CS_OK;
    for (uint64_t a = 0; rc == CS_OK && a < j->in.pr.rows; a += io) {
        size_t n = 0;
        rc = score_tier_read(j, w, a, io, &n);
        for (size_t i = 0; rc == CS_OK && i < n; i++) j->buf.tier[i] = score_grade(j, j->buf.tags[i], j->buf.contrib[i]);
        if (rc == CS_OK) rc = scores_write_tier(w, j->in.pr.row0 + a, n, j->buf.tier);
    }
    for (size_t g = 0; g < SCORE_NGROUPS(j->in.nreg); g++) { /* every queue's candidates */
        size_t n = 0;
        topk_item *it = topk_group(j->cand, g, &n);
        for (size_t i = 0; i < n; i++) it[i].tier = score_grade(j, it[i].tags, it[i].contrib);
    }
    return red_agree(j->ctx->comm, rc);
}
