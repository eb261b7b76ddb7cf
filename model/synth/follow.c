/* follow.c — the parameters of the synthetic operator and how one month follows another.
 *
 * A following month (synth_params_follow) keeps the seed, so the same rows carry the same ids and
 * latent profiles; it advances the month index (which drifts the factor means and keys the month's
 * draws) and the calendar label, and with a base population adds the month's joiners as new rows.
 * The ids are what ties a subscriber's months together: a seeded bijection of the row number into
 * [SYNTH_ID_BASE, SYNTH_ID_BASE + 2^34), inverted by synth_row_of_id.
 */
#include "synth_impl.h"

#include <stdio.h>
#include <string.h>

#include "status.h"

/* ---------------------------------------------------------------- parameters */

void synth_params_default(synth_params *p)
{
    memset(p, 0, sizeof *p);
    p->seed = 42;
    p->n_regions = 18;
    p->n_brands = SYNTH_N_BRANDS;
    memcpy(p->month, "2026-10", 8);
    p->month_index = 0;
    p->drift = 0.05;
    p->window_months = 1.0;
    p->n_base = 0;
    p->joiners_per_month = 0;
    p->churn_intercept = CHURN0_DEFAULT;
    p->active_intercept = ACTIVE0_DEFAULT;
    p->areas = 0;
    p->competitors = 0;
    p->province = -1;
}

/* Parses "YYYY-MM" strictly; 0 on success. */
static int month_parse(const char *s, int *year, int *mon)
{
    for (int i = 0; i < 7; i++) {
        if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return -1;
    }
    if (s[7] != '\0') return -1;
    *year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    *mon = (s[5] - '0') * 10 + (s[6] - '0');
    return (*mon >= 1 && *mon <= 12) ? 0 : -1;
}

int synth_params_check(const synth_params *p)
{
    int y, m;
    if (!p) return CS_ERROR(CS_EINVAL, "synth: no parameters");
    if (p->n_regions < 1 || p->n_regions > SYNTH_MAX_REGIONS)
        return CS_ERROR(CS_EINVAL, "synth: regions must be 1..%d, got %u", SYNTH_MAX_REGIONS,
                        p->n_regions);
    if (p->province >= 0 && p->n_regions > synth_province_regions(p->province))
        return CS_ERROR(CS_EINVAL, "synth: %s has %u prefectures, got %u regions",
                        synth_province_name(p->province) ? synth_province_name(p->province) : "?",
                        synth_province_regions(p->province), p->n_regions);
    if (p->competitors > SYNTH_MAX_COMPETITORS)
        return CS_ERROR(CS_EINVAL, "synth: competitors must be 0..%d, got %u", SYNTH_MAX_COMPETITORS,
                        p->competitors);
    if (p->n_brands != SYNTH_N_BRANDS)
        return CS_ERROR(CS_EINVAL, "synth: brands must be %d, got %u", SYNTH_N_BRANDS, p->n_brands);
    if (memchr(p->month, '\0', sizeof p->month) == NULL || month_parse(p->month, &y, &m) != 0)
        return CS_ERROR(CS_EINVAL, "synth: month must be YYYY-MM");
    if (p->month_index < 0 || p->month_index > 1200)
        return CS_ERROR(CS_EINVAL, "synth: month index must be 0..1200, got %d", p->month_index);
    if (!(p->drift >= 0.0 && p->drift <= 1.0))
        return CS_ERROR(CS_EINVAL, "synth: drift must be in [0, 1], got %g", p->drift);
    if (!(p->window_months > 0.0 && p->window_months <= 12.0))
        return CS_ERROR(CS_EINVAL, "synth: churn window must be in (0, 12] months, got %g",
                        p->window_months);
    if (!isfinite(p->churn_intercept) || !isfinite(p->active_intercept))
        return CS_ERROR(CS_EINVAL, "synth: intercepts must be finite");
    if (p->n_base > 0) {
        uint64_t extra = p->joiners_per_month * (uint64_t)p->month_index;
        if (p->n_base > SYNTH_MAX_ROWS ||
            (p->month_index > 0 && p->joiners_per_month > SYNTH_MAX_ROWS / (uint64_t)p->month_index) ||
            extra > SYNTH_MAX_ROWS - p->n_base)
            return CS_ERROR(CS_EINVAL, "synth: population exceeds 2^%d rows", SYNTH_ID_BITS);
    }
    return CS_OK;
}

int synth_params_follow(const synth_params *prev, synth_params *next)
{
    int y, m;
    CS_TRY(synth_params_check(prev));
    synth_params tmp = *prev;
    month_parse(prev->month, &y, &m);
    if (++m > 12) {
        m = 1;
        y++;
    }
    if (y > 9999) return CS_ERROR(CS_EINVAL, "synth: month past 9999-12");
    tmp.month_index++;
    snprintf(tmp.month, sizeof tmp.month, "%04u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u);
    CS_TRY(synth_params_check(&tmp));
    *next = tmp;
    return CS_OK;
}

uint64_t synth_n_rows(const synth_params *p)
{
    if (p->n_base == 0) return SYNTH_MAX_ROWS;
    return p->n_base + p->joiners_per_month * (uint64_t)p->month_index;
}

/* ---------------------------------------------------------------- ids */

#define ID_MASK (SYNTH_MAX_ROWS - 1)
#define ID_M1 UINT64_C(0x2545F4914F)
#define ID_M2 UINT64_C(0x19E3779B97)

static uint64_t inv_odd(uint64_t a) /* inverse of odd a modulo 2^64 (Newton) */
{
    uint64_t x = a;
    for (int i = 0; i < 6; i++) x *= 2 - a * x;
    return x;
}

static uint64_t unxorshift(uint64_t y, unsigned s) /* inverse of y = x ^ (x >> s) on 34 bits */
{
    uint64_t x = y;
    for (unsigned i = 0; i * s < SYNTH_ID_BITS; i++) x = y ^ (x >> s);
    return x;
}

static void id_keys(uint64_t seed, uint64_t *k1, uint64_t *k2)
{
    *k1 = idhash_mix(seed ^ UINT64_C(0x6a09e667f3bcc908)) & ID_MASK;
    *k2 = idhash_mix(seed ^ UINT64_C(0xbb67ae8584caa73b)) & ID_MASK;
}

/* Each step (xor key, multiply by odd, xorshift, add key) is a bijection of [0, 2^34). */
uint64_t synth_id_of_row(const synth_params *p, uint64_t row)
{
    uint64_t k1, k2;
    if (row >= SYNTH_MAX_ROWS) return 0;
    id_keys(p->seed, &k1, &k2);
    uint64_t x = row ^ k1;
    x = (x * ID_M1) & ID_MASK;
    x ^= x >> 17;
    x = (x * ID_M2) & ID_MASK;
    x ^= x >> 13;
    x = (x + k2) & ID_MASK;
    return SYNTH_ID_BASE + x;
}

int synth_row_of_id(const synth_params *p, uint64_t id, uint64_t *row)
{
    uint64_t k1, k2;
    if (!p || !row) return CS_ERROR(CS_EINVAL, "synth: null argument");
    if (id < SYNTH_ID_BASE || id - SYNTH_ID_BASE >= SYNTH_MAX_ROWS)
        return CS_ERROR(CS_EINVAL, "synth: id %llu is outside the simulated id range",
                        (unsigned long long)id);
    id_keys(p->seed, &k1, &k2);
    uint64_t x = (id - SYNTH_ID_BASE - k2) & ID_MASK;
    x = unxorshift(x, 13);
    x = (x * inv_odd(ID_M2)) & ID_MASK;
    x = unxorshift(x, 17);
    x = (x * inv_odd(ID_M1)) & ID_MASK;
    *row = x ^ k1;
    return CS_OK;
}
