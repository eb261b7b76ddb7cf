/* cmd_import.c — `churnscore import`: an operator's CSV extract turned into a snapshot.
 *
 * Import is serial by design: rank 0 reads the CSV (one stream, io/csv.h) and writes the snapshot
 * alone, while the other ranks wait without spinning and then agree on the outcome. A CSV has no
 * index, so splitting it among ranks would need a scan for record boundaries that quoted newlines
 * make unreliable; one core reads well over 100 MB/s, and the snapshot it writes is what the parallel
 * commands then read in parallel. The passes, with the schema logic in io/import.h:
 *   1. every record: types, levels, missing counts, bad records (skipped or fatal), N;
 *      1b. only if a column turned to text after numbers: its levels, once more over the file;
 *   2. every record again, encoded into blocks of rows and written to "OUT.tmp" (bounded memory);
 *   3. with --id, every rank checks the ids for duplicates (mpi/dupcheck.h, hash-partitioned across
 *      ranks); a duplicate is traced back to its two lines by one more scan of the CSV;
 * then "OUT.tmp" is renamed to OUT on success and removed otherwise, so a file named OUT is always
 * complete and checked.
 */
#include "cmd.h"
#include "comm.h"
#include "csv.h"
#include "dupcheck.h"
#include "h5shared.h"
#include "h5util.h"
#include "import.h"
#include "log.h"
#include "opts.h"
#include "outguard.h"
#include "reduce.h"
#include "snapshot.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *csv, *out, *label, *positive, *id, *region, *brand, *categorical, *ignore;
    const char *area; /* issue 16 */
    const char *churn_type, *voluntary, *involuntary, *stayed;
    const char *delim_s, *month, *like, *on_bad;
    uint64_t memory;
    long max_levels, show_bad;
    char delim;
    int skip;
} imp_opts;

/* Bad records seen in one pass. */
typedef struct {
    uint64_t records; /* data records read, bad ones included (the ordinal of the last one) */
    uint64_t bad;
    uint64_t bytes;
} imp_pass;

static int imp_open(const imp_opts *o, csv_reader **r)
{
    csv_options co;
    csv_options_init(&co);
    co.delim = o->delim;
    /* the record buffer may grow to a quarter of --memory (it holds the record, and its unescaped
     * copy and field views come on top), never less than the reader's default of 16 MiB: a 17 MB
     * record is read with the default budget of 256 MiB instead of being refused */
    if (o->memory / 4 > co.max_record) co.max_record = (size_t)(o->memory / 4);
    return csv_reader_open(o->csv, &co, r);
}

/* One more record of a pass: CS_OK with a good record in *rec (*ordinal its number), CSV_END, or a
 * final error. Bad records are skipped here: with --on-bad-row skip they are counted (the first
 * show_bad logged when log is set), otherwise the first one is the error. check is called on each
 * record the reader accepts (NULL: accept all). */
typedef int (*imp_check_fn)(void *arg, const csv_record *rec);

static int imp_next(const imp_opts *o, csv_reader *r, imp_pass *ps, int log, imp_check_fn check,
                    void *arg, csv_record *rec, uint64_t *ordinal)
{
    for (;;) {
        int rc = csv_next(r, rec);
        if (rc == CSV_END) {
            ps->bytes = csv_offset(r);
            return CSV_END;
        }
        if (rc != CS_OK && rc != CS_EDATA) return rc;
        if (rc == CS_EDATA && csv_failed(r)) /* over a limit: final, never skipped */
            return CS_ERROR(CS_EDATA, "%s; import allows a record a quarter of --memory (at least 16 "
                            "MiB): raise --memory to read a longer one", status_reason());
        ps->records++;
        if (rc == CS_OK && check) rc = check(arg, rec);
        if (rc == CS_OK) {
            *ordinal = ps->records;
            return CS_OK;
        }
        if (rc != CS_EDATA) return rc;
        if (!o->skip) {
            char why[1024]; /* the reason lives in the buffer CS_ERROR writes */
            snprintf(why, sizeof why, "%s", status_reason());
            return CS_ERROR(CS_EDATA, "%s (--on-bad-row skip would skip it)", why);
        }
        if (log && ps->bad < (uint64_t)o->show_bad) log_info("skipped: %s", status_reason());
        ps->bad++;
        status_clear();
    }
}

static int imp_check_observe(void *arg, const csv_record *rec)
{
    return imp_schema_observe((imp_schema *)arg, rec);
}
static int imp_check_rescan(void *arg, const csv_record *rec)
{
    return imp_schema_rescan((imp_schema *)arg, rec); /* passes over the records pass 1 skipped */
}
static int imp_check_only(void *arg, const csv_record *rec)
{
    int rc = imp_schema_check((const imp_schema *)arg, rec);
    return rc == CS_OK ? imp_area_check((const imp_schema *)arg, rec) : rc; /* issue 16 */
}

/* A pass over the whole file with one check function per record. */
static int imp_scan(const imp_opts *o, imp_schema *s, int log, imp_check_fn fn, imp_pass *ps)
{
    csv_reader *r = NULL;
    memset(ps, 0, sizeof *ps);
    CS_TRY(imp_open(o, &r));
    csv_record rec;
    uint64_t ord;
    int rc;
    while ((rc = imp_next(o, r, ps, log, fn, s, &rec, &ord)) == CS_OK) {
    }
    csv_reader_free(r);
    return rc == CSV_END ? CS_OK : rc;
}

/* Pass 2: encode and write blocks of rows. */
static int imp_write(const imp_opts *o, imp_schema *s, snap_writer *w, uint64_t *written)
{
    size_t p = s->p ? s->p : 1;
    /* whole chunks of the features dataset per write, about 64 MiB of indicators at most */
    size_t chunks = (size_t)((64u << 20) / ((uint64_t)SNAP_CHUNK_ROWS * p * sizeof(float)));
    if (chunks < 1) chunks = 1;
    if (chunks > 8) chunks = 8;
    size_t block = chunks * SNAP_CHUNK_ROWS;
    uint64_t *id = malloc(block * sizeof *id);
    uint16_t *region = malloc(block * sizeof *region);
    uint16_t *area = malloc(block * sizeof *area); /* issue 16: --area */
    uint8_t *brand = malloc(block);
    float *x = malloc(block * p * sizeof *x);
    int8_t *label = malloc(block), *ctype = malloc(block);
    int has_ct = imp_schema_has_churn_type(s);
    csv_reader *r = NULL;
    int rc = (id && region && area && brand && x && label && ctype)
                 ? CS_OK
                 : CS_ERROR(CS_ENOMEM, "out of memory for a block of %zu rows x %zu indicators", block, p);
    if (rc == CS_OK) rc = imp_open(o, &r);
    imp_pass ps = {0};
    uint64_t row0 = 0;
    size_t n = 0;
    while (rc == CS_OK) {
        csv_record rec;
        uint64_t ord;
        rc = imp_next(o, r, &ps, 0, imp_check_only, s, &rec, &ord);
        if (rc == CSV_END) {
            rc = CS_OK;
            break;
        }
        if (rc != CS_OK) break;
        if (row0 + n >= s->rows) {
            rc = CS_ERROR(CS_EDATA, "%s: more good rows than in the first pass (did the file change?)", o->csv);
            break;
        }
        label[n] = -1;
        ctype[n] = 0;
        rc = imp_schema_encode(s, &rec, ord, &id[n], &region[n], &brand[n], x + n * s->p, &label[n],
                               &ctype[n]);
        if (rc == CS_OK) rc = imp_area_encode(s, &rec, &area[n]);
        if (rc != CS_OK) break;
        if (++n == block) {
            rc = snap_write(w, row0, n, id, region, brand, x, label);
            if (rc == CS_OK && has_ct) rc = snap_write_churn_type(w, row0, n, ctype);
            if (rc == CS_OK && s->n_areas) rc = snap_write_area(w, row0, n, area);
            row0 += n;
            n = 0;
        }
    }
    if (rc == CS_OK && n) rc = snap_write(w, row0, n, id, region, brand, x, label);
    if (rc == CS_OK && n && has_ct) rc = snap_write_churn_type(w, row0, n, ctype);
    if (rc == CS_OK && n && s->n_areas) rc = snap_write_area(w, row0, n, area);
    row0 += n;
    if (rc == CS_OK && row0 != s->rows)
        rc = CS_ERROR(CS_EDATA, "%s: %llu good rows in the second pass, %llu in the first (did the file "
                      "change?)", o->csv, (unsigned long long)row0, (unsigned long long)s->rows);
    *written = row0;
    csv_reader_free(r);
    free(id);
    free(region);
    free(area);
    free(brand);
    free(x);
    free(label);
    free(ctype);
    return rc;
}

static int imp_parse_opts(imp_opts *o)
{
    if (strcmp(o->delim_s, "tab") == 0 || strcmp(o->delim_s, "\\t") == 0) o->delim = '\t';
    else if (strlen(o->delim_s) == 1) o->delim = o->delim_s[0];
    else return CS_ERROR(CS_EINVAL, "option --delimiter: '%s' is not one character (or tab)", o->delim_s);
    /* --on-bad-row, --month, --max-levels and --show-bad are checked by the option table */
    o->skip = strcmp(o->on_bad, "skip") == 0;
    if (o->positive && !o->label && !o->like)
        return CS_ERROR(CS_EINVAL, "option --positive needs --label");
    if ((o->voluntary || o->involuntary || o->stayed) && !o->churn_type && !o->like)
        return CS_ERROR(CS_EINVAL, "options --voluntary, --involuntary and --stayed need --churn-type");
    return CS_OK;
}

static int imp_has_column(const csv_record *h, const char *name)
{
    for (size_t c = 0; c < h->nfields; c++)
        if (strcmp(h->fields[c].data, name) == 0) return 1;
    return 0;
}

/* Sets *opt to the earlier import's value when the user gave none; notes it in took. */
static void imp_take(const char **opt, const char *earlier, const char *flag, char *took, size_t size)
{
    if (*opt || !earlier[0]) return;
    *opt = earlier;
    size_t k = strlen(took);
    snprintf(took + k, size - k, " %s %s", flag, earlier);
}

/* --like: a later month takes the roles (id, region, brand, label) of the earlier import unless they
 * are given again. A label column the new file lacks is dropped (a month to score has no outcome
 * yet); the others must be there, which imp_schema_alloc checks. */
static void imp_like_roles(imp_opts *o, const imp_ref *ref, const csv_record *h)
{
    char took[4096] = "";
    imp_take(&o->id, ref->id, "--id", took, sizeof took);
    imp_take(&o->region, ref->region, "--region", took, sizeof took);
    imp_take(&o->brand, ref->brand, "--brand", took, sizeof took);
    if (!o->label && ref->label[0] && !imp_has_column(h, ref->label)) {
        log_info("import: %s has no column '%s' (the label of %s): a snapshot without labels",
                 o->csv, ref->label, ref->file);
    } else {
        imp_take(&o->label, ref->label, "--label", took, sizeof took);
        if (o->label && strcmp(o->label, ref->label) == 0)
            imp_take(&o->positive, ref->positive, "--positive", took, sizeof took);
    }
    /* the churn type like the label: dropped where the new file lacks the column */
    if (!o->churn_type && ref->churn_type[0] && !imp_has_column(h, ref->churn_type)) {
        log_info("import: %s has no column '%s' (the churn type of %s): a snapshot without churn types",
                 o->csv, ref->churn_type, ref->file);
    } else {
        imp_take(&o->churn_type, ref->churn_type, "--churn-type", took, sizeof took);
        if (o->churn_type && strcmp(o->churn_type, ref->churn_type) == 0) {
            imp_take(&o->voluntary, ref->voluntary, "--voluntary", took, sizeof took);
            imp_take(&o->involuntary, ref->involuntary, "--involuntary", took, sizeof took);
            imp_take(&o->stayed, ref->stayed, "--stayed", took, sizeof took);
        }
    }
    if (took[0]) log_info("import: as in %s:%s", ref->file, took);
}

/* Rank 0: the passes and the staged snapshot. */
static int imp_rank0(imp_opts *o, const char *stage, imp_schema **sout, imp_ref **refout)
{
    double t0 = comm_now();
    imp_ref *ref = NULL;
    csv_reader *r = NULL;
    CS_TRY(imp_open(o, &r));
    if (o->like) {
        int lrc = imp_ref_read(o->like, &ref);
        if (lrc != CS_OK) {
            csv_reader_free(r);
            return lrc;
        }
        *refout = ref;
        imp_like_roles(o, ref, csv_header(r));
    }
    size_t ncat = 0, nign = 0, nvol = 0, ninv = 0, nst = 0;
    char **cat = imp_split_list(o->categorical ? o->categorical : "", &ncat);
    char **ign = imp_split_list(o->ignore ? o->ignore : "", &nign);
    char **vol = imp_split_list(o->voluntary ? o->voluntary : "", &nvol);
    char **inv = imp_split_list(o->involuntary ? o->involuntary : "", &ninv);
    char **st = imp_split_list(o->stayed ? o->stayed : "", &nst);
    int rc = (cat && ign && vol && inv && st) ? CS_OK : CS_ERROR(CS_ENOMEM, "out of memory");
    imp_schema *s = NULL;
    if (rc == CS_OK) {
        imp_options io = {
            .file = o->csv, .label = o->label, .positive = o->positive, .id = o->id,
            .region = o->region, .brand = o->brand, .area = o->area, .categorical = (const char *const *)cat,
            .n_categorical = ncat, .ignore = (const char *const *)ign, .n_ignore = nign,
            .max_levels = (size_t)o->max_levels, .churn_type = o->churn_type,
            .voluntary = (const char *const *)vol, .n_voluntary = nvol,
            .involuntary = (const char *const *)inv, .n_involuntary = ninv,
            .stayed = (const char *const *)st, .n_stayed = nst,
        };
        rc = imp_schema_alloc(csv_header(r), &io, ref, &s);
        *sout = s;
    }
    csv_reader_free(r); /* pass 1 opens the file again, from its first record */
    imp_pass p1 = {0}, p1b = {0};
    if (rc == CS_OK) rc = imp_scan(o, s, 1, imp_check_observe, &p1);
    double t1 = comm_now();
    if (rc == CS_OK)
        log_info("import: pass 1 (types, levels): %llu records, %.1f MB in %.2f s (%.0f MB/s)",
                 (unsigned long long)p1.records, (double)p1.bytes / 1e6, t1 - t0,
                 (double)p1.bytes / 1e6 / (t1 - t0 > 0 ? t1 - t0 : 1e-9));
    if (rc == CS_OK && imp_schema_needs_rescan(s)) {
        log_info("import: a column turned to text after numbers: one more pass for its levels");
        rc = imp_scan(o, s, 0, imp_check_rescan, &p1b);
    }
    if (rc == CS_OK) rc = imp_schema_finish(s);
    if (rc == CS_OK) {
        imp_schema_report(s, stdout);
        if (p1.bad) printf("skipped %llu bad rows (--on-bad-row skip)\n", (unsigned long long)p1.bad);
        fflush(stdout);
    }
    snap_writer *w = NULL;
    if (rc == CS_OK) {
        char gen[512];
        snprintf(gen, sizeof gen, "%s import %s", cmd_version(), o->csv);
        snap_meta meta = {
            .n = s->rows, .p = s->p, .feature_names = (const char *const *)s->feature_names,
            .n_regions = s->n_regions, .region_names = (const char *const *)s->region_names,
            .n_brands = s->n_brands, .brand_names = (const char *const *)s->brand_names,
            .month = o->month, .window = 1, .has_labels = imp_schema_has_labels(s),
            .has_churn_type = imp_schema_has_churn_type(s), .generator = gen,
            .n_areas = s->n_areas, .area_names = (const char *const *)s->area_names,
            .area_region = s->area_region,
        };
        rc = snap_create(stage, MPI_COMM_SELF, &meta, &w);
    }
    uint64_t written = 0;
    if (rc == CS_OK) {
        rc = imp_write(o, s, w, &written);
        int frc = snap_finish(w, rc == CS_OK);
        if (rc == CS_OK) rc = frc;
    }
    if (rc == CS_OK) rc = imp_meta_write(stage, s);
    double t2 = comm_now();
    if (rc == CS_OK)
        log_info("import: pass 2 (write): %llu rows x %zu indicators in %.2f s; in all %.2f s, "
                 "%.0f MB/s of CSV", (unsigned long long)written, s->p, t2 - t1, t2 - t0,
                 (double)p1.bytes / 1e6 / (t2 - t0 > 0 ? t2 - t0 : 1e-9));
    free(cat);
    free(ign);
    free(vol);
    free(inv);
    free(st);
    return rc;
}

/* dup_check names two rows of the staged snapshot; the CSV lines are what the user can act on. */
static int imp_dup_lines(const imp_opts *o, imp_schema *s)
{
    unsigned long long a = 0, b = 0, idv = 0;
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", status_reason());
    const char *q = strstr(msg, ": id ");
    if (!q || sscanf(q, ": id %llu appears twice (rows %llu and %llu)", &idv, &a, &b) != 3)
        return status_code(); /* keep dup_check's message as it is */
    csv_reader *r = NULL;
    CS_TRY(imp_open(o, &r));
    imp_pass ps = {0};
    csv_record rec;
    uint64_t ord, row = 0;
    size_t la = 0, lb = 0;
    int rc;
    while ((rc = imp_next(o, r, &ps, 0, imp_check_only, s, &rec, &ord)) == CS_OK && row <= b) {
        if (row == a) la = rec.line;
        if (row == b) lb = rec.line;
        row++;
    }
    csv_reader_free(r);
    if (la && lb)
        return CS_ERROR(CS_EDATA, "%s, lines %zu and %zu, column %ld (%s): id %llu appears twice (ids "
                        "must be unique)", o->csv, la, lb, s->id + 1, s->cols[s->id].name, idv);
    return CS_ERROR(CS_EDATA, "%s", msg);
}

int cmd_import(const cmd_ctx *ctx, int argc, char **argv)
{
    imp_opts o = {0};
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"csv", &o.csv}, {"out", &o.out}, {"label", &o.label}, {"positive", &o.positive}, {"id", &o.id},
        {"region", &o.region}, {"area", &o.area}, {"brand", &o.brand}, {"categorical", &o.categorical},
        {"ignore", &o.ignore}, {"delimiter", &o.delim_s}, {"month", &o.month}, {"like", &o.like},
        {"churn-type", &o.churn_type}, {"voluntary", &o.voluntary}, {"involuntary", &o.involuntary},
        {"stayed", &o.stayed},
        {"on-bad-row", &o.on_bad}, {"show-bad", &o.show_bad}, {"max-levels", &o.max_levels},
        {"memory", &o.memory}, {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_IMPORT, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    if (rc == CS_OK) rc = imp_parse_opts(&o);
    if (rc == CS_OK && strcmp(o.csv, "-") == 0)
        rc = CS_ERROR(CS_EINVAL, "option --csv: standard input cannot be read twice; give a file");
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;
    /* before anything is written: --out (and OUT.tmp, OUT.tmp.tmp) must not touch --csv or --like,
     * and is locked against a second run (outguard.h) */
    outguard *guard = NULL;
    outguard_path paths[] = {{"--csv", o.csv, OUTGUARD_INPUT}, {"--like", o.like, OUTGUARD_INPUT},
                             {"--out", o.out, OUTGUARD_OUTPUT}};
    if (ctx->rank == 0) rc = outguard_acquire(paths, 3, &guard);
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;

    char *stage = h5util_tmpname(o.out); /* OUT.tmp; the writer itself uses OUT.tmp.tmp */
    if (!stage) {
        outguard_release(guard);
        return red_agree(ctx->comm, CS_ERROR(CS_ENOMEM, "out of memory"));
    }
    imp_schema *s = NULL;
    imp_ref *ref = NULL;
    rc = CS_OK;
    if (ctx->rank == 0) rc = imp_rank0(&o, stage, &s, &ref);
    /* the other ranks wait without spinning through rank 0's serial passes */
    int wrc = comm_wait_root(ctx->comm);
    rc = red_agree(ctx->comm, rc != CS_OK ? rc : wrc);
    /* the id column is known to rank 0 only (--like may name it) */
    int has_id = ctx->rank == 0 && s && s->id >= 0;
    if (rc == CS_OK) rc = red_agree(ctx->comm, comm_bcast(ctx->comm, 0, &has_id, sizeof has_id));
    if (rc == CS_OK && has_id) {
        double t0 = comm_now();
        snap_reader *sr = NULL;
        rc = red_agree(ctx->comm, snap_open(stage, snap_read_comm(ctx->comm), &sr));
        if (rc == CS_OK) rc = dup_check(ctx, sr, o.memory);
        snap_close(sr);
        if (rc == CS_EDATA) {
            int lrc = ctx->rank == 0 ? imp_dup_lines(&o, s) : CS_OK;
            wrc = comm_wait_root(ctx->comm);
            rc = red_agree(ctx->comm, lrc != CS_OK ? lrc : wrc);
            if (rc == CS_OK) rc = CS_ERROR(CS_EINTERNAL, "duplicate id lost");
        }
        if (rc == CS_OK) log_info("import: ids unique (%.2f s)", comm_now() - t0);
    }
    int crc = h5util_commit(stage, o.out, ctx->comm, rc == CS_OK);
    if (rc == CS_OK) rc = crc;
    if (rc == CS_OK) log_info("import: wrote %s", o.out);
    imp_schema_free(s);
    imp_ref_free(ref);
    free(stage);
    outguard_release(guard);
    return rc;
}
