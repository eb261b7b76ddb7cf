/* cmd_generate.c — `churnscore generate`: a synthetic operator's snapshot, written in parallel.
 *
 * Each rank generates its own rows (part.h) block by block with synth_rows, whose output depends on
 * the global row index only, and writes them into the one shared file: the datasets are identical
 * for any rank count. With --follows the next month of the same operator is written: the previous
 * month's subscribers who did not churn (same ids, same latent profiles, drifted behaviour) followed
 * by this month's joiners.
 */
#include "cmd.h"
#include "comm.h"
#include "gen_treat.h"
#include "h5shared.h"
#include "h5util.h"
#include "log.h"
#include "opts.h"
#include "outguard.h"
#include "part.h"
#include "reduce.h"
#include "snapshot.h"
#include "status.h"
#include "synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    synth_params sp;
    uint64_t n;
    uint64_t block;
} gen_job;

/* Buffers for one block of rows. */
typedef struct {
    synth_out *o;
    float *prob32;
    int8_t *leaver8;
    int8_t *churn8;
    uint64_t *rows; /* --follows: synth row of each output row */
    int8_t *treated; /* --treated: /truth/treated of each output row */
    int8_t *ctype;   /* --treated: the previous month's churn types */
    double *pvol;    /* --treated: the previous month's true voluntary probabilities */
} gen_buf;

/* What --treated did, summed over ranks (integers: the same for any rank count). */
enum { GEN_T_TREATED, GEN_T_LEAVERS, GEN_T_KEPT, GEN_T_PVOL, GEN_T_N };
#define GEN_T_PVOL_SCALE 4294967296.0 /* pvol summed in units of 2^-32 */

static void gen_buf_free(gen_buf *b)
{
    synth_out_free(b->o);
    free(b->prob32);
    free(b->leaver8);
    free(b->churn8);
    free(b->rows);
    free(b->treated);
    free(b->ctype);
    free(b->pvol);
}

static int gen_buf_alloc(gen_buf *b, const synth_params *sp, size_t n)
{
    memset(b, 0, sizeof *b);
    b->o = synth_out_alloc(sp, n);
    b->prob32 = malloc(n * sizeof(float));
    b->leaver8 = malloc(n);
    b->churn8 = malloc(n);
    b->rows = malloc(n * sizeof(uint64_t));
    b->treated = calloc(n, 1);
    b->ctype = malloc(n);
    b->pvol = malloc(n * sizeof(double));
    if (!b->o || !b->prob32 || !b->leaver8 || !b->churn8 || !b->rows || !b->treated || !b->ctype || !b->pvol) {
        gen_buf_free(b);
        return CS_ERROR(CS_ENOMEM, "out of memory for a block of %zu rows", n);
    }
    return CS_OK;
}

/* Writes rows [out0, out0+n) of the new file from synth rows rows[0..n) (consecutive runs are
 * generated together). */
static int gen_emit(const gen_job *job, snap_writer *w, gen_buf *b, uint64_t out0, size_t n,
                    const uint64_t *rows, int consecutive, int treated)
{
    size_t P = synth_n_features(&job->sp);
    if (consecutive) {
        CS_TRY(synth_rows(&job->sp, rows[0], n, b->o));
    } else {
        /* gather single rows into the block buffers: synth_rows writes one row at a time */
        synth_out one;
        for (size_t i = 0; i < n; i++) {
            one.id = b->o->id + i;
            one.region = b->o->region + i;
            one.area = b->o->area + i;
            one.brand = b->o->brand + i;
            one.features = b->o->features + i * P;
            one.churned = b->o->churned + i;
            one.prob = b->o->prob + i;
            one.leaver = b->o->leaver + i;
            one.factors = NULL;
            one.pvol = b->o->pvol + i;
            one.pinv = b->o->pinv + i;
            size_t run = 1;
            while (i + run < n && rows[i + run] == rows[i] + run) run++;
            synth_out view = one;
            CS_TRY(synth_rows(&job->sp, rows[i], run, &view));
            i += run - 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        b->prob32[i] = (float)b->o->prob[i];
        b->leaver8[i] = (int8_t)b->o->leaver[i];
        b->churn8[i] = b->o->churned[i];
    }
    CS_TRY(snap_write(w, out0, n, b->o->id, b->o->region, b->o->brand, b->o->features, b->churn8));
    if (job->sp.areas) CS_TRY(snap_write_area(w, out0, n, b->o->area));
    /* the leaver type is data an operator has (how each leaver left: /subscribers/churn_type); the
     * probability of each type only the generator knows (/truth/) */
    CS_TRY(snap_write_churn_type(w, out0, n, b->leaver8));
    CS_TRY(snap_write_truth(w, out0, n, b->prob32, b->leaver8));
    CS_TRY(snap_write_truth_types(w, out0, n, b->o->pvol, b->o->pinv));
    if (treated) {
        if (consecutive) memset(b->treated, 0, n); /* joiners were on no list */
        CS_TRY(snap_write_truth_treated(w, out0, n, b->treated));
    }
    return CS_OK;
}

static int gen_read_params(const char *path, synth_params *sp)
{
    hid_t f = -1;
    CS_TRY(h5util_open_read(path, MPI_COMM_NULL, &f));
    double seed = 0, mi = 0, nb = 0, jo = 0, nr = 0;
    int rc = h5util_attr_read_f64(f, "synth_seed", &seed);
    if (rc == CS_OK) rc = h5util_attr_read_f64(f, "synth_month_index", &mi);
    if (rc == CS_OK) rc = h5util_attr_read_f64(f, "synth_n_base", &nb);
    if (rc == CS_OK) rc = h5util_attr_read_f64(f, "synth_joiners_per_month", &jo);
    if (rc == CS_OK) rc = h5util_attr_read_f64(f, "synth_regions", &nr);
    if (rc == CS_OK) rc = h5util_attr_read_f64(f, "synth_drift", &sp->drift);
    if (rc == CS_OK) rc = h5util_attr_read_f64(f, "synth_window", &sp->window_months);
    if (rc == CS_OK) rc = h5util_attr_read_str(f, "month", sp->month, sizeof sp->month);
    /* written since issue 16; a month generated before has none of them */
    double ar = 0, co = 0, pv = -1;
    if (rc == CS_OK && h5util_attr_exists(f, "synth_areas") > 0) rc = h5util_attr_read_f64(f, "synth_areas", &ar);
    if (rc == CS_OK && h5util_attr_exists(f, "synth_competitors") > 0)
        rc = h5util_attr_read_f64(f, "synth_competitors", &co);
    if (rc == CS_OK && h5util_attr_exists(f, "synth_province") > 0)
        rc = h5util_attr_read_f64(f, "synth_province", &pv);
    H5Fclose(f);
    if (rc != CS_OK)
        return CS_ERROR(CS_EFORMAT, "%s: not written by churnscore generate (%s)", path, status_reason());
    sp->areas = ar != 0;
    sp->competitors = (unsigned)co;
    sp->province = (int)pv;
    sp->seed = (uint64_t)seed;
    sp->month_index = (int)mi;
    sp->n_base = (uint64_t)nb;
    sp->joiners_per_month = (uint64_t)jo;
    sp->n_regions = (unsigned)nr;
    return CS_OK;
}

/* --follows: count this rank's survivors of the previous snapshot (block by block, bounded memory),
 * so every rank knows where its rows go in the new file. */
static int gen_follow_pass(snap_reader *prev, const part_range *pr,
                           uint64_t block, gen_job *job, snap_writer *w, gen_buf *b,
                           uint64_t out0, uint64_t *kept, const gen_treat *treat, int64_t *tstat)
{
    uint64_t *ids = malloc(block * sizeof(uint64_t));
    int8_t *ch = malloc(block);
    int rc = (ids && ch) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    uint64_t k = 0;
    for (uint64_t r = pr->row0; rc == CS_OK && r < pr->row0 + pr->rows; r += block) {
        size_t n = (size_t)((pr->row0 + pr->rows - r) < block ? (pr->row0 + pr->rows - r) : block);
        rc = snap_read(prev, r, n, ids, NULL, NULL, NULL, ch);
        if (rc == CS_OK && treat) rc = snap_read_churn_type(prev, r, n, ch, b->ctype);
        if (rc == CS_OK && treat) rc = snap_read_truth_types(prev, r, n, b->pvol, NULL);
        size_t m = 0;
        for (size_t i = 0; rc == CS_OK && i < n; i++) {
            int treated = treat && gen_treat_has(treat, ids[i]), keep = 0;
            if (treated) {
                /* a voluntary leaver the treatment keeps stays: gen_treat.h */
                keep = ch[i] == 1 && b->ctype[i] == 1 && gen_treat_keeps(treat, ids[i]);
                tstat[GEN_T_TREATED]++;
                tstat[GEN_T_LEAVERS] += ch[i] == 1 && b->ctype[i] == 1;
                tstat[GEN_T_KEPT] += keep;
                tstat[GEN_T_PVOL] += (int64_t)llround(b->pvol[i] * GEN_T_PVOL_SCALE);
            }
            if (ch[i] == 1 && !keep) continue;
            b->treated[m] = (int8_t)(keep ? 2 : treated);
            uint64_t row;
            rc = synth_row_of_id(&job->sp, ids[i], &row);
            if (rc != CS_OK)
                rc = CS_ERROR(CS_EDATA, "%s: row %llu: id %llu is not from this generator",
                              snap_path(prev), (unsigned long long)(r + i), (unsigned long long)ids[i]);
            b->rows[m++] = row;
        }
        if (rc == CS_OK && w && m) rc = gen_emit(job, w, b, out0 + k, m, b->rows, 0, treat != NULL);
        k += m;
    }
    free(ids);
    free(ch);
    *kept = k;
    return rc;
}

/* Whether the command line gave option name (not its default). */
static int gen_seen(const opt_table *t, const char *name)
{
    for (const opt_def *d = t->defs; d->name; d++)
        if (strcmp(d->name, name) == 0) return d->seen;
    return 0;
}

int cmd_generate(const cmd_ctx *ctx, int argc, char **argv)
{
    const char *out, *month, *follows, *treated, *operator;
    uint64_t n, seed, block;
    long regions, window, competitors;
    int areas;
    double drift, effect;
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"out", &out}, {"subscribers", &n}, {"seed", &seed}, {"regions", &regions}, {"month", &month},
        {"window", &window}, {"drift", &drift}, {"follows", &follows}, {"block-rows", &block}, {"treated", &treated},
        {"treatment-effect", &effect}, {"areas", &areas}, {"competitors", &competitors},
        {"operator", &operator}, {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_GENERATE, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    if (rc == CS_OK && treated && !follows)
        rc = CS_ERROR(CS_EINVAL, "option --treated goes with --follows (the treated are the listed of the "
                      "month --follows holds)");
    if (rc == CS_OK && effect > 0 && !treated)
        rc = CS_ERROR(CS_EINVAL, "option --treatment-effect needs --treated RUNS/YYYY-MM (whose lists were treated)");
    /* before anything is read or written: --out must not touch --follows, and is locked against a
     * second run (outguard.h); rank 0 decides and holds the lock */
    outguard *guard = NULL;
    outguard_path paths[] = {{"--follows", follows, OUTGUARD_INPUT}, {"--treated", treated, OUTGUARD_INPUT},
                             {"--out", out, OUTGUARD_OUTPUT}};
    if (rc == CS_OK && ctx->rank == 0) rc = outguard_acquire(paths, 3, &guard);
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;
    gen_job job;
    synth_params_default(&job.sp);
    snap_reader *prev = NULL;
    gen_treat treat = {0};
    int64_t tstat[GEN_T_N] = {0};
    char prev_month[8] = "";
    if (rc == CS_OK && follows) {
        rc = gen_read_params(follows, &job.sp);
        memcpy(prev_month, job.sp.month, sizeof prev_month);
        if (rc == CS_OK) rc = synth_params_follow(&job.sp, &job.sp);
        if (rc == CS_OK) rc = snap_open(follows, MPI_COMM_NULL, &prev);
        if (rc == CS_OK && !snap_schema_of(prev)->has_labels)
            rc = CS_ERROR(CS_EFORMAT, "%s: has no labels, cannot tell who left", follows);
        if (rc == CS_OK && treated && !(snap_schema_of(prev)->has_churn_type && snap_schema_of(prev)->has_truth_types))
            rc = CS_ERROR(CS_EFORMAT, "%s: has no churn types and their truth: --treated needs a generated "
                          "month", follows);
    } else if (rc == CS_OK) {
        job.sp.seed = seed;
        job.sp.n_regions = (unsigned)regions;
        job.sp.areas = areas;
        job.sp.competitors = (unsigned)competitors;
        if (strncmp(operator, "province:", 9) == 0) {
            job.sp.province = synth_province_index(operator + 9);
            if (job.sp.province < 0)
                rc = CS_ERROR(CS_EINVAL, "option --operator: no province '%s' in the generator (%s, %s)",
                              operator + 9, synth_province_name(0), synth_province_name(1));
            /* a provincial operator has all its prefectures unless --regions asks for fewer */
            else if (!gen_seen(&defs, "regions"))
                job.sp.n_regions = synth_province_regions(job.sp.province);
        } else if (strcmp(operator, "national") != 0) {
            rc = CS_ERROR(CS_EINVAL, "option --operator: '%s' is neither national nor province:NAME",
                          operator);
        }
        job.sp.drift = drift;
        job.sp.window_months = (double)window;
        job.sp.n_base = n;
        /* about as many join as leave, so the operator keeps its size month to month */
        job.sp.joiners_per_month = (uint64_t)llround((double)n * 0.02);
        snprintf(job.sp.month, sizeof job.sp.month, "%s", month);
    }
    if (rc == CS_OK) rc = synth_params_check(&job.sp);
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK && treated) rc = gen_treat_load(ctx, treated, prev_month, effect, job.sp.seed, &treat);
    if (rc != CS_OK) {
        gen_treat_clear(&treat);
        snap_close(prev);
        outguard_release(guard);
        return rc;
    }

    /* Rows of the new file: survivors of the previous month (if any), then this month's joiners. */
    part_range pr = {0};
    uint64_t survivors_mine = 0, survivors_before = 0, survivors_all = 0;
    uint64_t joiner0 = 0, joiners = 0;
    gen_buf b = {0};
    rc = gen_buf_alloc(&b, &job.sp, (size_t)block);
    if (prev) {
        part_compute(snap_schema_of(prev)->n, ctx->nranks, ctx->rank, &pr);
        if (rc == CS_OK)
            rc = gen_follow_pass(prev, &pr, block, &job, NULL, &b, 0, &survivors_mine, treated ? &treat : NULL, tstat);
        joiner0 = job.sp.n_base + (uint64_t)(job.sp.month_index - 1) * job.sp.joiners_per_month;
        joiners = job.sp.joiners_per_month;
    } else {
        joiner0 = 0;
        joiners = n;
    }
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) {
        gen_buf_free(&b);
        gen_treat_clear(&treat);
        snap_close(prev);
        outguard_release(guard);
        return rc;
    }
    survivors_before = red_exscan_u64(ctx->comm, survivors_mine);
    int64_t all_i = (int64_t)survivors_mine;
    red_sum_i64(ctx->comm, &all_i, 1);
    survivors_all = (uint64_t)all_i;
    if (treated) red_sum_i64(ctx->comm, tstat, GEN_T_N);
    uint64_t total = survivors_all + joiners;

    size_t P = synth_n_features(&job.sp);
    const char **fnames = malloc(P * sizeof(char *));
    const char *rnames[SYNTH_MAX_REGIONS], *bnames[SYNTH_N_BRANDS], *fac[SYNTH_N_FACTORS];
    unsigned n_areas = synth_n_areas(&job.sp);
    static char area_buf[SYNTH_MAX_AREAS][64];
    const char *anames_area[SYNTH_MAX_AREAS];
    uint16_t area_region[SYNTH_MAX_AREAS];
    for (unsigned a = 0; a < n_areas; a++) {
        unsigned r = 0;
        synth_area(&job.sp, a, area_buf[a], sizeof area_buf[a], &r);
        anames_area[a] = area_buf[a];
        area_region[a] = (uint16_t)r;
    }
    double *load = malloc(P * SYNTH_N_FACTORS * sizeof(double));
    for (size_t j = 0; j < P; j++) fnames[j] = synth_feature_name(&job.sp, j);
    for (unsigned i = 0; i < job.sp.n_regions; i++) rnames[i] = synth_region_name_of(&job.sp, i);
    for (unsigned i = 0; i < SYNTH_N_BRANDS; i++) bnames[i] = synth_brand_name(i);
    for (unsigned i = 0; i < SYNTH_N_FACTORS; i++) fac[i] = synth_factor_name(&job.sp, i);
    synth_true_loadings(&job.sp, load);
    char gen_desc[256];
    snprintf(gen_desc, sizeof gen_desc, "%s generate seed=%llu month_index=%d", cmd_version(),
             (unsigned long long)job.sp.seed, job.sp.month_index);
    /* the generator's parameters, so that generate --follows continues the same operator */
    /* with --treated, the truth of the treatment (docs/formats.md): E, the treated, those of them who
     * left voluntarily before the treatment, those it kept, and the uplift expected on the treated
     * (E x their mean true voluntary probability) and realised (kept / treated) */
    double n_tr = (double)tstat[GEN_T_TREATED];
    const char *anames[16] = {"synth_seed", "synth_month_index", "synth_n_base",
                              "synth_joiners_per_month", "synth_regions", "synth_drift", "synth_window",
                              "treatment_effect", "treated", "treated_voluntary_leavers", "treated_kept",
                              "treated_expected_uplift", "treated_realised_uplift"};
    double avals[16] = {(double)job.sp.seed, job.sp.month_index, (double)job.sp.n_base,
                        (double)job.sp.joiners_per_month, job.sp.n_regions, job.sp.drift,
                        job.sp.window_months, effect, n_tr, (double)tstat[GEN_T_LEAVERS],
                        (double)tstat[GEN_T_KEPT],
                        n_tr > 0 ? effect * (double)tstat[GEN_T_PVOL] / GEN_T_PVOL_SCALE / n_tr : 0,
                        n_tr > 0 ? (double)tstat[GEN_T_KEPT] / n_tr : 0};
    /* issue 16's attributes after them, only where they say something: a default month's file keeps
     * the bytes it had */
    size_t n_attrs = treated ? 13 : 7;
    if (job.sp.areas || job.sp.competitors || job.sp.province >= 0) {
        static const char *const area_attr[3] = {"synth_areas", "synth_competitors", "synth_province"};
        double area_val[3] = {job.sp.areas, job.sp.competitors, job.sp.province};
        for (int k = 0; k < 3; k++, n_attrs++) {
            anames[n_attrs] = area_attr[k];
            avals[n_attrs] = area_val[k];
        }
    }
    snap_meta meta = {
        .n = total, .p = P, .feature_names = fnames, .n_regions = job.sp.n_regions,
        .region_names = rnames, .n_brands = SYNTH_N_BRANDS, .brand_names = bnames,
        .month = job.sp.month, .window = (int64_t)job.sp.window_months, .has_labels = 1,
        .has_churn_type = 1, .has_truth = 1, .truth_factors = SYNTH_N_FACTORS, .truth_factor_names = fac,
        .truth_loadings = load, .generator = gen_desc, .n_attrs = n_attrs, .attr_names = anames,
        .has_treated = treated != NULL,
        .n_areas = n_areas, .area_names = anames_area, .area_region = area_region,
        .attr_values = avals,
    };
    double t0 = comm_now();
    snap_writer *w = NULL;
    rc = snap_create(out, ctx->comm, &meta, &w);
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) {
        log_info("generate: %llu subscribers (%llu staying from %s, %llu new), %zu indicators, "
                 "%u regions, month %s, %d ranks", (unsigned long long)total,
                 (unsigned long long)survivors_all, follows ? follows : "-", (unsigned long long)joiners,
                 P, job.sp.n_regions, job.sp.month, ctx->nranks);
        int lrc = CS_OK;
        uint64_t kept = 0;
        if (prev)
            lrc = gen_follow_pass(prev, &pr, block, &job, w, &b, survivors_before, &kept,
                                  treated ? &treat : NULL, (int64_t[GEN_T_N]){0});
        /* joiners: spread over ranks like any rows */
        part_range jr;
        part_compute(joiners, ctx->nranks, ctx->rank, &jr);
        for (uint64_t r = jr.row0; lrc == CS_OK && r < jr.row0 + jr.rows; r += block) {
            size_t m = (size_t)((jr.row0 + jr.rows - r) < block ? (jr.row0 + jr.rows - r) : block);
            b.rows[0] = joiner0 + r;
            lrc = gen_emit(&job, w, &b, survivors_all + r, m, b.rows, 1, treated != NULL);
        }
        rc = red_agree(ctx->comm, lrc);
        /* the close is collective and is when HDF5 writes the file's metadata: agreed before the
         * rename like every write */
        int xrc = red_agree(ctx->comm, snap_close_writer(w));
        if (rc == CS_OK) rc = xrc;
        int frc = snap_finish(w, rc == CS_OK);
        if (rc == CS_OK) rc = frc;
    }
    double dt = comm_now() - t0;
    if (rc == CS_OK) {
        double bytes = (double)total * (double)(P * 4 + 8 + 2 + 1 + 1 + 1 + 4 + 1 + 16);
        log_info("generate: wrote %s in %.2f s (%.0f rows/s, %.0f MB/s)", out, dt,
                 dt > 0 ? (double)total / dt : 0.0, dt > 0 ? bytes / dt / 1e6 : 0.0);
    }
    free(fnames);
    free(load);
    gen_buf_free(&b);
    gen_treat_clear(&treat);
    snap_close(prev);
    outguard_release(guard);
    return rc;
}
