/* cmd_import.c — `churnscore import`: an operator's CSV extract turned into a snapshot.
 *
 * Every rank reads its own part of the CSV (issue 20). The parts are cut at exact record boundaries
 * (import_split.h: quote parity, not a guess), so that a record holding quoted line breaks is read
 * whole by the rank in whose part it starts. The passes, with the schema logic in io/import.h:
 *   1. every rank observes the records of its part (types, levels, missing counts, bad records,
 *      skipped or fatal) and keeps them as cells while they fit in half of --memory
 *      (io/import_cells.h); the parts' findings are merged in file order (io/import_merge.c), so every
 *      rank holds what one serial pass would have found;
 *      1b. only if a column turned to text after numbers: its levels, once more over the parts;
 *   2. every rank writes its rows, after those of the parts before it, into "OUT.tmp" through
 *      MPI-IO: from the kept cells, or by parsing its part again (over the memory budget, or after
 *      1b), in blocks;
 *   3. with --id, every rank checks the ids for duplicates (mpi/dupcheck.h, hash-partitioned across
 *      ranks); a duplicate is traced back to its two lines by one more scan of the CSV;
 * then "OUT.tmp" is renamed to OUT on success and removed otherwise, so a file named OUT is always
 * complete and checked. A bad record stops every rank with the message of the first one in file order
 * (the lowest failing rank's: parts are in rank order). Two cases are read by rank 0 alone instead,
 * because a part cannot know them: a quote that breaks RFC 4180 (a part then ends past the next one's
 * start, which is checked), and --area rows whose area lies in two regions (which row is bad depends on
 * the area's first region in the file). The snapshot is the same, bit for bit, for any rank count.
 */
#include "cmd.h"
#include "comm.h"
#include "commit.h"
#include "csv.h"
#include "dupcheck.h"
#include "h5shared.h"
#include "h5util.h"
#include "gather.h"
#include "import.h"
#include "import_block.h"
#include "import_cells.h"
#include "import_split.h"
#include "log.h"
#include "opts.h"
#include "outguard.h"
#include "reduce.h"
#include "snapshot.h"
#include "status.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Bad records seen in one pass over a part. */
typedef struct {
    uint64_t records; /* data records read, bad ones included (the ordinal of the last one) */
    uint64_t bad;
    uint64_t end;     /* the input offset where the part's reading stopped */
    imp_pack *skipped; /* when set, the first show_bad messages of skipped rows (for rank 0's log) */
    uint64_t nkept;
} imp_pass;

static void imp_csv_options(const imp_opts *o, csv_options *co)
{
    csv_options_init(co);
    co->delim = o->delim;
    /* the record buffer may grow to a quarter of --memory (it holds the record, and its unescaped
     * copy and field views come on top), never less than the reader's default of 16 MiB: a 17 MB
     * record is read with the default budget of 256 MiB instead of being refused */
    if (o->memory / 4 > co->max_record) co->max_record = (size_t)(o->memory / 4);
}

static int imp_open(const imp_opts *o, csv_reader **r)
{
    csv_options co;
    imp_csv_options(o, &co);
    return csv_reader_open(o->csv, &co, r);
}

/* A reader of this rank's part (NULL *r for an empty part). */
static int imp_open_part(const imp_opts *o, const imp_part *pt, size_t ncols, csv_reader **r)
{
    *r = NULL;
    if (pt->stream) return imp_open(o, r); /* each open of a pipe reads what is fed to it next */
    if (pt->offset >= pt->limit) return CS_OK;
    csv_options co;
    imp_csv_options(o, &co);
    csv_range rg = {.offset = pt->offset, .limit = pt->limit, .line = pt->line, .ncols = ncols};
    return csv_reader_open_range(o->csv, &co, &rg, r);
}

/* One more record of a pass: CS_OK with a good record in *rec (*ordinal its number within the
 * part), CSV_END, or a final error. Bad records are skipped here: with --on-bad-row skip they are
 * counted (the first show_bad kept in ps->skipped when set), otherwise the first one is the error.
 * check is called on each record the reader accepts (NULL: accept all). */
typedef int (*imp_check_fn)(void *arg, const csv_record *rec);

static int imp_next(const imp_opts *o, csv_reader *r, imp_pass *ps, imp_check_fn check, void *arg,
                    csv_record *rec, uint64_t *ordinal)
{
    for (;;) {
        int rc = r ? csv_next(r, rec) : CSV_END;
        if (rc == CSV_END) {
            size_t line;
            if (r) csv_position(r, &ps->end, &line);
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
        if (ps->skipped && ps->nkept < (uint64_t)o->show_bad) {
            const char *why = status_reason();
            imp_pack_str(ps->skipped, why, strlen(why));
            ps->nkept++;
        }
        ps->bad++;
        status_clear();
    }
}

/* The one-pass write (issue 20): where every line of the CSV is one record (no quote in the data) and
 * the indicators are known before the read (every column that may hold numbers is taken to be
 * numeric: no --categorical column, no --area; or --like's columns, none of them a category), the
 * snapshot is created before pass 1, sized for the guessed rows (import_split.h), and pass 1 writes
 * each part's indicators at the guessed rows while it reads them, in blocks; only the id, region,
 * brand, label and churn type of each row are kept (narrow cells). After pass 1 the guess is checked
 * (the same rows, the same indicators: a column that turned to text, a bad, skipped or blank line
 * breaks it); if it holds, pass 2 writes only those small columns, else the file is thrown away and
 * pass 2 parses the CSV again into a new one. Either way the file is the same bit for bit: import
 * always creates it with the names last (snap_meta.names_later). This saves the kept indicators'
 * memory (at size they did not fit, and pass 2 parsed the whole CSV a second time) and their copy. */
typedef struct {
    int on;     /* the file is created and pass 1 writes the indicators */
    int broken; /* pass 1 found the guess wrong: what it wrote is of no use */
    snap_writer *w;
    snap_meta meta; /* what the file was created with (no names) */
    char gen[512];
    size_t nnum;    /* the numeric columns: column num_src[i] is indicator num_dst[i] */
    uint32_t *num_src, *num_dst;
    float *x;       /* a block of cap rows x meta.p */
    size_t cap, n;
    uint64_t row0, rows, done; /* the part's guessed first row and rows; rows written */
    int wb;                    /* the file, for its early write-out (commit_writeback), or -1 */
} imp_direct;

static void imp_direct_clear(imp_direct *d)
{
    free(d->num_src);
    free(d->num_dst);
    free(d->x);
    d->num_src = d->num_dst = NULL;
    d->x = NULL;
    commit_writeback_close(d->wb);
    d->wb = -1;
}

/* Writes the block's rows where the guess puts them; past the guessed rows the guess is wrong. */
static int imp_direct_flush(imp_direct *d)
{
    if (!d->on || d->broken || d->n == 0) return CS_OK;
    size_t n = d->n;
    d->n = 0;
    if (d->done + n > d->rows) {
        d->broken = 1;
        return CS_OK;
    }
    int rc = snap_write_features(d->w, d->row0 + d->done, n, d->x);
    d->done += n;
    commit_writeback(d->wb);
    return rc;
}

/* Pass 1 keeping the rows as cells (import_cells.h) while they fit. */
typedef struct {
    imp_schema *s;
    imp_cells *cells;
    const imp_pass *ps;
    imp_direct *d; /* NULL, or the one-pass write */
} imp_keep_arg;
static int imp_check_keep(void *arg, const csv_record *rec)
{
    imp_keep_arg *k = arg;
    imp_direct *d = k->d;
    int direct = d && d->on && !d->broken;
    const uint32_t *cell = k->s->cell_row = imp_cells_row(k->cells);
    if (direct) { /* observe writes the row of indicators itself */
        k->s->x_row = d->x + d->n * d->meta.p;
        k->s->x_dst = d->num_dst;
    }
    int rc = imp_schema_observe(k->s, rec);
    if (rc == CS_OK && cell) imp_cells_keep(k->cells, k->s->id >= 0 ? k->s->cell_id : k->ps->records);
    k->s->cell_row = NULL;
    k->s->x_row = NULL;
    if (rc == CS_OK && direct) {
        if (!cell) { /* the narrow cells ran over the budget: pass 2 parses again */
            d->broken = 1;
            return rc;
        }
        if (++d->n == d->cap) rc = imp_direct_flush(d);
    }
    return rc;
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

/* A pass over this rank's part with one check function per record. */
static int imp_scan(const imp_opts *o, const imp_part *pt, size_t ncols, void *s,
                    imp_check_fn fn, imp_pass *ps)
{
    csv_reader *r = NULL;
    ps->records = ps->bad = 0;
    ps->end = pt->limit;
    CS_TRY(imp_open_part(o, pt, ncols, &r));
    csv_record rec;
    uint64_t ord;
    int rc;
    while ((rc = imp_next(o, r, ps, fn, s, &rec, &ord)) == CS_OK) {
    }
    csv_reader_free(r);
    return rc == CSV_END ? CS_OK : rc;
}

/* Pass 2: encode this rank's rows and write them in blocks from row0 on; ord0 is the number of data
 * records before the part (the ids without an id column), rows the part's good rows in pass 1. */
static int imp_write(const imp_opts *o, const imp_part *pt, size_t ncols, const imp_schema *s,
                     snap_writer *w, uint64_t row0, uint64_t ord0, uint64_t rows)
{
    imp_block b;
    CS_TRY(imp_block_alloc(&b, s));
    csv_reader *r = NULL;
    int rc = imp_open_part(o, pt, ncols, &r);
    imp_pass ps = {0};
    uint64_t done = 0;
    size_t n = 0;
    while (rc == CS_OK) {
        csv_record rec;
        uint64_t ord;
        rc = imp_next(o, r, &ps, imp_check_only, (void *)s, &rec, &ord);
        if (rc == CSV_END) {
            rc = CS_OK;
            break;
        }
        if (rc != CS_OK) break;
        if (done + n >= rows) {
            rc = CS_ERROR(CS_EDATA, "%s: more good rows than in the first pass (did the file change?)", o->csv);
            break;
        }
        b.label[n] = -1;
        b.ctype[n] = 0;
        /* imp_check_only accepted the record just now */
        rc = imp_schema_encode_checked(s, &rec, ord0 + ord, &b.id[n], &b.region[n], &b.brand[n], b.x + n * s->p,
                                       &b.label[n], &b.ctype[n]);
        if (rc == CS_OK) rc = imp_area_encode(s, &rec, &b.area[n]);
        if (rc != CS_OK) break;
        if (++n == b.cap) {
            rc = imp_block_write(&b, w, row0 + done, n);
            done += n;
            n = 0;
        }
    }
    if (rc == CS_OK) rc = imp_block_write(&b, w, row0 + done, n);
    done += n;
    if (rc == CS_OK && done != rows)
        rc = CS_ERROR(CS_EDATA, "%s: %llu good rows in the second pass, %llu in the first (did the file "
                      "change?)", o->csv, (unsigned long long)done, (unsigned long long)rows);
    csv_reader_free(r);
    imp_block_free(&b);
    return rc;
}

/* Pass 2 from the cells pass 1 kept: the same rows as imp_write, without parsing the CSV again. */
static int imp_write_cells(imp_cells *c, const imp_schema *part, const imp_schema *s,
                           snap_writer *w, uint64_t row0, uint64_t ord0, int with_x)
{
    imp_block b;
    CS_TRY(imp_block_alloc(&b, s));
    int rc = CS_OK;
    uint64_t rows = imp_cells_rows(c);
    for (uint64_t r0 = 0; rc == CS_OK && r0 < rows; r0 += b.cap) {
        size_t n = rows - r0 < b.cap ? (size_t)(rows - r0) : b.cap;
        for (size_t i = 0; rc == CS_OK && i < n; i++) {
            b.label[i] = -1;
            b.ctype[i] = 0;
            rc = imp_cells_decode(c, part, s, r0 + i, ord0, &b.id[i], &b.region[i], &b.brand[i],
                                  with_x ? b.x + i * s->p : NULL, &b.label[i], &b.ctype[i], &b.area[i]);
        }
        imp_block bw = b;
        if (!with_x) bw.x = NULL; /* written by pass 1 (imp_direct) */
        if (rc == CS_OK) rc = imp_block_write(&bw, w, row0 + r0, n);
        imp_cells_release(c, r0 + n);
    }
    imp_block_free(&b);
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

/* What the passes learn, the same on every rank except the part and its counts. */
typedef struct {
    imp_ref *ref;
    csv_record head;   /* a copy of the header (the reader is closed at once: a named pipe is fed
                        * once per open, and a reader left open would hold the next feed back) */
    csv_field *head_fields;
    char *head_data;
    uint64_t data;     /* where the data records start, and their first line */
    size_t line0;
    imp_schema *g;     /* the whole file, as a serial pass would have found it */
    imp_schema *own;   /* this rank's part in pass 1 */
    imp_cells *cells;  /* its rows kept by pass 1 (NULL, or incomplete: pass 2 parses again) */
    imp_part part;
    size_t ncols;
    uint64_t records;      /* data records of the whole file, bad ones included */
    uint64_t bad;          /* skipped in the whole file */
    uint64_t part_records; /* of this rank's part */
    uint64_t end;          /* the input offset where pass 1 of this part stopped */
    char **lists[5];       /* categorical, ignore, voluntary, involuntary, stayed (imp_split_list) */
    imp_options io;
    const char *stage;     /* the file the passes write (OUT.tmp) */
    imp_direct direct;     /* the one-pass write, when it applies */
} imp_job;

static void imp_job_clear(imp_job *j)
{
    imp_schema_free(j->g);
    imp_schema_free(j->own);
    imp_cells_free(j->cells);
    imp_direct_clear(&j->direct);
    free(j->head_fields);
    free(j->head_data);
    imp_ref_free(j->ref);
    for (int k = 0; k < 5; k++) free(j->lists[k]);
    memset(j, 0, sizeof *j);
}

/* Every rank: the header, --like's snapshot and the column plan (no pass over the records yet). */
static int imp_plan(const cmd_ctx *ctx, imp_opts *o, imp_job *j)
{
    csv_reader *hdr = NULL;
    int rc = imp_open(o, &hdr);
    if (rc == CS_OK) {
        const csv_record *h = csv_header(hdr);
        size_t bytes = 0;
        for (size_t k = 0; k < h->nfields; k++) bytes += h->fields[k].len + 1;
        j->head_fields = malloc((h->nfields ? h->nfields : 1) * sizeof *j->head_fields);
        j->head_data = malloc(bytes ? bytes : 1);
        if (!j->head_fields || !j->head_data) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        for (size_t k = 0, at = 0; rc == CS_OK && k < h->nfields; k++) {
            memcpy(j->head_data + at, h->fields[k].data, h->fields[k].len + 1); /* NUL-terminated */
            j->head_fields[k] = h->fields[k];
            j->head_fields[k].data = j->head_data + at;
            at += h->fields[k].len + 1;
        }
        j->head = *h;
        j->head.fields = j->head_fields;
        csv_position(hdr, &j->data, &j->line0);
    }
    csv_reader_free(hdr);
    if (rc == CS_OK && o->like) rc = imp_ref_read(o->like, &j->ref);
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;
    if (o->like) imp_like_roles(o, j->ref, &j->head);
    const char *src[5] = {o->categorical, o->ignore, o->voluntary, o->involuntary, o->stayed};
    size_t n[5] = {0};
    for (int k = 0; k < 5; k++) {
        j->lists[k] = imp_split_list(src[k] ? src[k] : "", &n[k]);
        if (!j->lists[k]) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    if (rc == CS_OK) {
        imp_options io = {
            .file = o->csv, .label = o->label, .positive = o->positive, .id = o->id,
            .region = o->region, .brand = o->brand, .area = o->area,
            .categorical = (const char *const *)j->lists[0], .n_categorical = n[0],
            .ignore = (const char *const *)j->lists[1], .n_ignore = n[1],
            .max_levels = (size_t)o->max_levels, .churn_type = o->churn_type,
            .voluntary = (const char *const *)j->lists[2], .n_voluntary = n[2],
            .involuntary = (const char *const *)j->lists[3], .n_involuntary = n[3],
            .stayed = (const char *const *)j->lists[4], .n_stayed = n[4],
        };
        j->io = io;
        j->ncols = j->head.nfields;
        rc = imp_schema_alloc(&j->head, &j->io, j->ref, &j->g);
    }
    return red_agree(ctx->comm, rc);
}

/* Collective. Every rank's pack (pass 1 of its part, or with levels_only the level pass) is merged
 * into g in rank order, which is file order. Pass 1 also brings each part's record counts and the
 * messages of its first skipped rows, which rank 0 logs (the first show_bad of the file). */
static int imp_merge(const cmd_ctx *ctx, const imp_opts *o, imp_job *j, const imp_schema *part,
                     const imp_pass *ps, const imp_pack *skipped, int levels_only)
{
    imp_pack b = {0};
    int rc = imp_schema_pack(part, levels_only, &b);
    if (!levels_only) {
        imp_pack_u64(&b, ps->records);
        imp_pack_u64(&b, ps->bad);
        imp_pack_u64(&b, ps->nkept);
        imp_pack_str(&b, skipped->data ? skipped->data : "", skipped->len);
        if (b.failed) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    rc = red_agree(ctx->comm, rc);
    void *all = NULL;
    size_t *lens = calloc((size_t)ctx->nranks, sizeof *lens);
    if (rc == CS_OK && !lens) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = gat_allgather_bytes(ctx->comm, b.data, b.len, &all, lens);
    imp_pack_clear(&b);
    uint64_t shown = 0;
    const char *at = all;
    for (int q = 0; rc == CS_OK && q < ctx->nranks; q++) {
        imp_unpack u = {at, at + lens[q], 0};
        rc = imp_schema_absorb(j->g, &u, levels_only);
        if (rc == CS_OK && !levels_only) {
            j->records += imp_unpack_u64(&u);
            j->bad += imp_unpack_u64(&u);
            uint64_t kept = imp_unpack_u64(&u);
            size_t len;
            const char *msgs = imp_unpack_str(&u, &len);
            imp_unpack m = {msgs, msgs + len, 0};
            for (uint64_t k = 0; k < kept && !m.bad; k++) {
                size_t ml;
                const char *s = imp_unpack_str(&m, &ml);
                if (shown++ < (uint64_t)o->show_bad) log_info("skipped: %.*s", (int)ml, s);
            }
            if (u.bad || m.bad) rc = CS_ERROR(CS_EINTERNAL, "a short pack from rank %d", q);
        }
        at += lens[q];
    }
    free(all);
    free(lens);
    return red_agree(ctx->comm, rc);
}

/* Rank 0: 0 when a column taken to be numeric holds text in the first IMP_DIRECT_SAMPLE records (a
 * column of names or plans: the one-pass guess would fail and cost a second parse; fread samples the
 * same way), else 1. A column whose text comes later is found after pass 1. */
#define IMP_DIRECT_SAMPLE 1000
static int imp_direct_sample(const imp_opts *o, const imp_direct *d, int *numeric)
{
    *numeric = 1;
    csv_reader *r = NULL;
    CS_TRY(imp_open(o, &r));
    csv_record rec;
    int rc = CS_OK;
    for (int k = 0; *numeric && k < IMP_DIRECT_SAMPLE; k++) {
        rc = csv_next(r, &rec);
        if (rc == CSV_END) {
            rc = CS_OK;
            break;
        }
        if (rc == CS_EDATA) { /* a bad record is pass 1's to report */
            status_clear();
            rc = CS_OK;
            continue;
        }
        if (rc != CS_OK) break;
        for (size_t i = 0; *numeric && i < d->nnum; i++) {
            if (d->num_src[i] >= rec.nfields) continue;
            const csv_field *f = &rec.fields[d->num_src[i]];
            double v;
            if (!csv_field_missing(f) && !csv_parse_double(f->data, f->len, &v) &&
                !csv_number_overflows(f->data, f->len))
                *numeric = 0;
        }
    }
    csv_reader_free(r);
    return rc;
}

/* Collective. Whether the one-pass write applies (the same answer on every rank: from the options,
 * the header, the whole file's quotes and line ends) and, if so, the file created for the guessed rows
 * and the narrow cells (j->cells). d->on says which; an error is agreed. */
static int imp_direct_start(const cmd_ctx *ctx, const imp_opts *o, imp_job *j, int eligible)
{
    imp_direct *d = &j->direct;
    imp_direct_clear(d);
    memset(d, 0, sizeof *d);
    d->wb = -1;
    const imp_schema *g = j->g;
    const char *knob = getenv("CS_IMPORT_DIRECT"); /* 0: never (the tests compare both ways) */
    int ok = eligible && !(knob && strcmp(knob, "0") == 0) && g->area < 0 &&
             j->part.total_guess != IMP_NO_GUESS && j->part.total_guess > 0 &&
             (ctx->nranks == 1 || j->part.rows_guess != IMP_NO_GUESS);
    size_t p = 0, nkeep = 0;
    uint32_t *keep = NULL;
    int rc = CS_OK;
    if (ok) {
        d->num_src = malloc((j->ncols ? j->ncols : 1) * sizeof *d->num_src);
        d->num_dst = malloc((j->ncols ? j->ncols : 1) * sizeof *d->num_dst);
        keep = malloc((j->ncols ? j->ncols : 1) * sizeof *keep);
        if (!d->num_src || !d->num_dst || !keep) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    /* the guessed indicators: every column that may hold numbers, in column order (or --like's) */
    size_t *covered = NULL;
    if (ok && rc == CS_OK && g->like) {
        p = g->like->p;
        covered = calloc(p ? p : 1, sizeof *covered);
        if (!covered) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    for (size_t c = 0; ok && rc == CS_OK && c < j->ncols; c++) {
        const imp_column *col = &g->cols[c];
        switch (col->kind) {
        case IMP_CATEGORY:
        case IMP_AREA:
            ok = 0;
            break;
        case IMP_AUTO:
        case IMP_NUMERIC:
            if (g->like && (col->kind != IMP_NUMERIC || col->ind0 >= p || covered[col->ind0]++)) ok = 0;
            d->num_src[d->nnum] = (uint32_t)c;
            d->num_dst[d->nnum++] = (uint32_t)(g->like ? col->ind0 : p++);
            break;
        case IMP_REGION:
        case IMP_BRAND:
        case IMP_LABEL:
        case IMP_CHURN_TYPE:
            keep[nkeep++] = (uint32_t)c;
            break;
        default: /* the id (kept beside the cells), ignored columns */
            break;
        }
    }
    if (ok && rc == CS_OK && (p == 0 || d->nnum != p)) ok = 0; /* --like: every indicator from a column */
    /* observe writes the indicators itself (imp_schema.x_row), number i of its loop over numbers
     * (--like's numeric columns, or the columns whose type it decides) as indicator num_dst[i]: that
     * loop must go over num_src's columns */
    const imp_schema *own = j->own;
    const uint32_t *list = g->like ? own->num_cols : own->auto_cols;
    size_t nl = g->like ? own->n_num_cols : own->n_auto_cols;
    if (ok && rc == CS_OK &&
        !((g->like ? own->n_auto_cols == 0 : own->n_num_cols == 0) && nl == d->nnum &&
          memcmp(list, d->num_src, nl * sizeof *list) == 0))
        ok = 0;
    free(covered);
    if (ok && rc == CS_OK && ctx->rank == 0 && !g->like) rc = imp_direct_sample(o, d, &ok);
    if (ok && rc == CS_OK) {
        /* blocks of whole chunks, as pass 2's (import_block.c), of about 16 MiB */
        size_t chunks = (size_t)((16u << 20) / ((uint64_t)SNAP_CHUNK_ROWS * p * sizeof(float)));
        d->cap = (chunks ? chunks : 1) * SNAP_CHUNK_ROWS;
        d->x = malloc(d->cap * p * sizeof *d->x);
        imp_cells_free(j->cells);
        j->cells = imp_cells_alloc_narrow(j->ncols, o->memory / 2, keep, nkeep);
        if (!d->x || !j->cells) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    free(keep);
    rc = red_agree(ctx->comm, rc);
    int all = ok;
    if (rc == CS_OK) red_min_int(ctx->comm, &all, 1);
    if (rc != CS_OK || !all) {
        imp_direct_clear(d);
        memset(d, 0, sizeof *d);
        d->wb = -1;
        imp_cells_free(j->cells);
        j->cells = NULL;
        return rc;
    }
    d->rows = j->part.rows_guess != IMP_NO_GUESS ? j->part.rows_guess : j->part.total_guess;
    d->row0 = red_exscan_u64(ctx->comm, d->rows);
    snprintf(d->gen, sizeof d->gen, "%s import %s", cmd_version(), o->csv);
    d->meta = (snap_meta){
        .n = j->part.total_guess, .p = p, .month = o->month, .window = 1,
        .has_labels = imp_schema_has_labels(g), .has_churn_type = imp_schema_has_churn_type(g),
        .generator = d->gen, .names_later = 1,
    };
    rc = red_agree(ctx->comm, snap_create(j->stage, ctx->comm, &d->meta, &d->w));
    if (rc != CS_OK) {
        d->w = NULL;
        return rc;
    }
    d->on = 1;
    d->wb = commit_writeback_open(snap_writer_tmp(d->w));
    return CS_OK;
}

/* Collective: the one-pass write's file thrown away (its guess was wrong, or the passes failed). */
static void imp_direct_abandon(imp_direct *d)
{
    if (!d->on) return;
    snap_finish(d->w, 0);
    d->w = NULL;
    d->on = 0;
    commit_writeback_close(d->wb);
    d->wb = -1;
}

/* Every rank: pass 1 over its part, merged; the level pass where needed; the types decided. Returns
 * 1 (nothing reported) when the parts were not cut at record boundaries or --area's regions need the
 * file's order: then the caller goes again with serial set. */
static int imp_pass1(const cmd_ctx *ctx, imp_opts *o, imp_job *j, int serial)
{
    uint64_t data = j->data;
    size_t line0 = j->line0;
    struct stat st;
    int rc = stat(o->csv, &st) == 0 ? CS_OK : CS_ERROR(CS_EIO, "cannot stat %s: %s", o->csv, strerror(errno));
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;
    const char *knob = getenv("CS_IMPORT_PART_BYTES");
    uint64_t part_bytes = knob ? strtoull(knob, NULL, 10) : 0;
    /* a named pipe (or anything but a regular file) has no byte offsets to cut at: rank 0 reads it */
    int regular = S_ISREG(st.st_mode);
    CS_TRY(imp_split(ctx->comm, o->csv, data, line0, (uint64_t)st.st_size, part_bytes,
                     serial || !regular, !serial && regular, &j->part));
    if (!regular) {
        j->part.stream = ctx->rank == 0;
        if (ctx->rank != 0) j->part.offset = j->part.limit = 0;
    }
    int parallel = !serial && regular && ctx->nranks > 1;

    rc = imp_schema_alloc(&j->head, &j->io, j->ref, &j->own);
    if (rc == CS_OK) j->own->area_provisional = parallel && ctx->rank > 0;
    imp_pack skipped = {0};
    imp_pass ps = {.skipped = &skipped};
    /* the rows are kept while they take at most half of --memory: then pass 2 need not parse */
    imp_cells_free(j->cells);
    j->cells = NULL;
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = imp_direct_start(ctx, o, j, !serial && regular);
    if (rc == CS_OK && !j->direct.on) j->cells = imp_cells_alloc(j->ncols, o->memory / 2);
    imp_keep_arg keep = {j->own, j->cells, &ps, j->direct.on ? &j->direct : NULL};
    if (rc == CS_OK) rc = imp_scan(o, &j->part, j->ncols, &keep, imp_check_keep, &ps);
    if (rc == CS_OK) rc = imp_direct_flush(&j->direct);
    j->part_records = ps.records;
    j->end = ps.end;
    /* the first rank, in file order, whose part failed or did not end where the next one starts */
    int first[2] = {rc != CS_OK ? ctx->rank : INT_MAX,
                    rc == CS_OK && ps.end != j->part.limit ? ctx->rank : INT_MAX};
    int mrc = red_min_int(ctx->comm, first, 2);
    if (mrc == CS_OK && parallel &&
        (first[1] < first[0] || (first[0] != INT_MAX && j->g->area >= 0))) {
        imp_pack_clear(&skipped);
        status_clear();
        if (first[1] < first[0])
            log_info("import: a quote of %s does not follow RFC 4180 (it is not a field's first or "
                     "last byte, nor doubled): the ranks' parts were not cut at record boundaries, "
                     "so rank 0 reads the file alone", o->csv);
        return 1;
    }
    rc = red_agree(ctx->comm, mrc != CS_OK ? mrc : rc);
    if (rc == CS_OK) rc = imp_merge(ctx, o, j, j->own, &ps, &skipped, 0);
    imp_pack_clear(&skipped);
    if (rc != CS_OK) return rc;
    if (parallel && j->g->area_irregular) return 1; /* the same on every rank */

    if (imp_schema_needs_rescan(j->g)) {
        log_info("import: a column turned to text after numbers: one more pass for its levels");
        imp_cells_free(j->cells); /* its numbers are not levels: pass 2 parses the CSV */
        j->cells = NULL;
        imp_schema *l = NULL;
        rc = imp_schema_alloc(&j->head, &j->io, j->ref, &l);
        imp_pass p2 = {0};
        if (rc == CS_OK) {
            imp_schema_rescan_like(l, j->g);
            rc = imp_scan(o, &j->part, j->ncols, l, imp_check_rescan, &p2);
        }
        rc = red_agree(ctx->comm, rc);
        if (rc == CS_OK) rc = imp_merge(ctx, o, j, l, &p2, NULL, 1);
        imp_schema_free(l);
        if (rc != CS_OK) return rc;
    }
    return red_agree(ctx->comm, imp_schema_finish(j->g));
}

/* Every rank: the passes and the staged snapshot, written by every rank together. */
static int imp_run(const cmd_ctx *ctx, imp_opts *o, const char *stage, imp_job *j)
{
    double t0 = comm_now();
    CS_TRY(imp_plan(ctx, o, j));
    j->stage = stage;
    int rc = imp_pass1(ctx, o, j, 0);
    if (rc != CS_OK) imp_direct_abandon(&j->direct); /* agreed: every rank is here */
    if (rc == 1) {
        /* a fresh start: the merged schema of the parallel try is thrown away */
        imp_schema_free(j->g);
        imp_schema_free(j->own);
        j->g = j->own = NULL;
        j->records = j->bad = 0;
        rc = red_agree(ctx->comm, imp_schema_alloc(&j->head, &j->io, j->ref, &j->g));
        if (rc == CS_OK) rc = imp_pass1(ctx, o, j, 1);
    }
    if (rc != CS_OK) return rc;
    imp_schema *s = j->g;
    double t1 = comm_now();
    uint64_t bytes = j->end; /* every part ends where the next starts: the last part's end */
    red_max_u64(ctx->comm, &bytes, 1);
    log_info("import: pass 1 (types, levels): %llu records, %.1f MB in %.2f s (%.0f MB/s, %d rank%s, "
             "parts found in %.2f s)", (unsigned long long)j->records, (double)bytes / 1e6, t1 - t0,
             (double)bytes / 1e6 / (t1 - t0 > 0 ? t1 - t0 : 1e-9), ctx->nranks,
             ctx->nranks == 1 ? "" : "s", j->part.split_s);
    if (ctx->rank == 0) {
        imp_schema_report(s, stdout);
        if (j->bad) printf("skipped %llu bad rows (--on-bad-row skip)\n", (unsigned long long)j->bad);
        fflush(stdout);
    }
    char gen[512];
    snprintf(gen, sizeof gen, "%s import %s", cmd_version(), o->csv);
    snap_meta meta = {
        .names_later = 1,
        .n = s->rows, .p = s->p, .feature_names = (const char *const *)s->feature_names,
        .n_regions = s->n_regions, .region_names = (const char *const *)s->region_names,
        .n_brands = s->n_brands, .brand_names = (const char *const *)s->brand_names,
        .month = o->month, .window = 1, .has_labels = imp_schema_has_labels(s),
        .has_churn_type = imp_schema_has_churn_type(s), .generator = gen,
        .n_areas = s->n_areas, .area_names = (const char *const *)s->area_names,
        .area_region = s->area_region,
    };
    /* each part's rows follow those of the parts before it: file order */
    uint64_t row0 = red_exscan_u64(ctx->comm, j->own->rows);
    uint64_t ord0 = red_exscan_u64(ctx->comm, j->part_records);
    /* pass 2 from the kept cells when every rank kept all its rows (the same choice on every rank) */
    int kept = imp_cells_complete(j->cells) && imp_cells_rows(j->cells) == j->own->rows;
    if (kept && imp_cells_prepare(j->cells, j->own, s) != CS_OK) {
        status_clear();
        kept = 0;
    }
    red_min_int(ctx->comm, &kept, 1);
    imp_direct *d = &j->direct;
    int direct = d->on;
    if (direct) {
        /* the guess held: the same rows at the same places, the same indicators */
        int ok = kept && !d->broken && d->done == d->rows && j->own->rows == d->rows && row0 == d->row0 &&
                 s->rows == d->meta.n && s->p == d->meta.p && s->n_areas == 0 &&
                 meta.has_labels == d->meta.has_labels && meta.has_churn_type == d->meta.has_churn_type;
        for (size_t i = 0; ok && i < d->nnum; i++) {
            const imp_column *col = &s->cols[d->num_src[i]];
            ok = col->kind == IMP_NUMERIC && col->ind0 == d->num_dst[i];
        }
        for (size_t c = 0; ok && c < s->ncols; c++) ok = s->cols[c].kind != IMP_CATEGORY;
        red_min_int(ctx->comm, &ok, 1);
        if (!ok) {
            log_info("import: the rows were not where the line count put them, or a column was not "
                     "numeric: the snapshot is written again from the CSV");
            imp_direct_abandon(d);
            direct = kept = 0;
        }
    }
    snap_writer *w = direct ? d->w : NULL;
    if (!direct) {
        rc = red_agree(ctx->comm, snap_create(stage, ctx->comm, &meta, &w));
        if (rc != CS_OK) return rc;
    }
    d->w = NULL;
    d->on = 0;
    commit_writeback_close(d->wb);
    d->wb = -1;
    if (kept) rc = imp_write_cells(j->cells, j->own, s, w, row0, ord0, !direct);
    else rc = imp_write(o, &j->part, j->ncols, s, w, row0, ord0, j->own->rows);
    rc = red_agree(ctx->comm, rc);
    int xrc = red_agree(ctx->comm, snap_close_writer(w));
    if (rc == CS_OK) rc = xrc;
    int frc = snap_finish(w, rc == CS_OK);
    if (rc == CS_OK) rc = frc;
    if (rc == CS_OK) rc = red_agree(ctx->comm, ctx->rank == 0 ? snap_file_add_names(stage, &meta) : CS_OK);
    if (rc == CS_OK) rc = red_agree(ctx->comm, ctx->rank == 0 ? imp_meta_write(stage, s) : CS_OK);
    double t2 = comm_now();
    if (rc == CS_OK)
        log_info("import: pass 2 (%s): %llu rows x %zu indicators in %.2f s; in all %.2f s, "
                 "%.0f MB/s of CSV", direct ? "the indicators were written by pass 1; the other columns "
                 "from the rows it kept" : kept ? "write the rows pass 1 kept" : "parse again and write",
                 (unsigned long long)s->rows, s->p, t2 - t1, t2 - t0,
                 (double)bytes / 1e6 / (t2 - t0 > 0 ? t2 - t0 : 1e-9));
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
    while ((rc = imp_next(o, r, &ps, imp_check_only, s, &rec, &ord)) == CS_OK && row <= b) {
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
    imp_job job = {0};
    job.direct.wb = -1;
    rc = imp_run(ctx, &o, stage, &job);
    imp_schema *s = job.g;
    int has_id = rc == CS_OK && s->id >= 0;
    if (rc == CS_OK && has_id) {
        double t0 = comm_now();
        snap_reader *sr = NULL;
        rc = red_agree(ctx->comm, snap_open(stage, snap_read_comm(ctx->comm), &sr));
        if (rc == CS_OK) rc = dup_check(ctx, sr, o.memory);
        snap_close(sr);
        if (rc == CS_EDATA) {
            int lrc = ctx->rank == 0 ? imp_dup_lines(&o, s) : CS_OK;
            int wrc = comm_wait_root(ctx->comm);
            rc = red_agree(ctx->comm, lrc != CS_OK ? lrc : wrc);
            if (rc == CS_OK) rc = CS_ERROR(CS_EINTERNAL, "duplicate id lost");
        }
        if (rc == CS_OK) log_info("import: ids unique (%.2f s)", comm_now() - t0);
    }
    int crc = h5util_commit(stage, o.out, ctx->comm, rc == CS_OK);
    if (rc == CS_OK) rc = crc;
    if (rc == CS_OK) log_info("import: wrote %s", o.out);
    imp_job_clear(&job);
    free(stage);
    outguard_release(guard);
    return rc;
}
