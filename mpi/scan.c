/* scan.c — see scan.h. */
#include "scan.h"

#include "comm.h"
#include "log.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int scan_passes_count;
/* score scans twice with two scan states: the layout is explained once per process */
static int scan_layout_told;

int scan_init(scan_state *s, snap_reader *r, const part_range *pr, size_t io_rows, unsigned what,
              int nranks)
{
    memset(s, 0, sizeof *s);
    s->r = r;
    s->pr = *pr;
    if (io_rows < PART_BLOCK_ROWS) io_rows = PART_BLOCK_ROWS;
    io_rows = (io_rows + PART_BLOCK_ROWS - 1) / PART_BLOCK_ROWS * PART_BLOCK_ROWS;
    s->io_rows = io_rows;
    s->what = what;
    s->nranks = nranks;
    size_t p = snap_schema_of(r)->p;
    int bad = 0;
    if (what & SCAN_ID) bad |= !(s->id = malloc(io_rows * sizeof(uint64_t)));
    if (what & SCAN_REGION) bad |= !(s->region = malloc(io_rows * sizeof(uint16_t)));
    if (what & SCAN_BRAND) bad |= !(s->brand = malloc(io_rows));
    if (what & SCAN_FEATURES) bad |= !(s->features = malloc(io_rows * (p ? p : 1) * sizeof(float)));
    if (what & SCAN_CHURNED) bad |= !(s->churned = malloc(io_rows));
    if ((what & SCAN_CHURN_TYPE) && snap_schema_of(r)->has_churn_type) bad |= !(s->churn_type = malloc(io_rows));
    if (what & SCAN_TRUTH) bad |= !(s->truth = malloc(io_rows * sizeof(float)));
    if (bad) {
        scan_clear(s);
        return CS_ERROR(CS_ENOMEM, "out of memory for a block of %zu rows x %zu indicators "
                        "(lower --block-rows)", io_rows, p);
    }
    return CS_OK;
}

/* The smallest prime >= n (HDF5 wants the slot count prime, and about 100x the chunks cached). */
static size_t scan_prime(size_t n)
{
    for (;; n++) {
        size_t d = 2;
        while (d * d <= n && n % d) d++;
        if (n > 1 && d * d > n) return n;
    }
}

int scan_layout(scan_state *s, uint64_t budget, size_t *cache_bytes)
{
    *cache_bytes = 0;
    if (!(s->what & SCAN_FEATURES)) return CS_OK;
    uint64_t cr = 0, cc = 0;
    int filtered = 0;
    CS_TRY(snap_feature_chunks(s->r, &cr, &cc, &filtered));
    const snap_schema *sc = snap_schema_of(s->r);
    size_t p = sc->p;
    /* an unfiltered chunk is read in part, straight from the file; a chunk no taller than a read is
     * decompressed at most twice per pass (once more where a read boundary cuts it): both linear */
    if (!filtered || cr <= s->io_rows || cc == 0 || p == 0) return CS_OK;
    /* from the global row count, not this rank's: every rank must take the same branch, since
     * reopening the dataset is collective under CS_READ_MPIO */
    uint64_t rows_here = s->pr.n < cr ? s->pr.n : cr;
    if (rows_here <= s->io_rows) return CS_OK; /* the whole file is one read: nothing re-read */
    uint64_t across = (p + cc - 1) / cc;              /* chunks side by side in one band of rows */
    double chunk = (double)cr * (double)cc * 4.0;     /* bytes of one decompressed chunk */
    double band = (double)across * chunk;             /* what one band of rows needs in the cache */
    double times = (double)((rows_here + s->io_rows - 1) / s->io_rows);
    const char *path = snap_path(s->r);
    if (band + chunk <= (double)budget) {
        size_t bytes = (size_t)(band + chunk);
        CS_TRY(snap_feature_cache(s->r, bytes, scan_prime((size_t)across * 100 + 1)));
        *cache_bytes = bytes;
        if (scan_layout_told++) return CS_OK;
        log_info("notice: %s: /subscribers/features is compressed in chunks of %llu rows x %llu columns, "
                 "taller than a read of %zu rows: reading through a %.0fM chunk cache so that each chunk "
                 "is decompressed once per pass (h5repack -l /subscribers/features:CHUNK=%dx%zu would need "
                 "none)", path, (unsigned long long)cr, (unsigned long long)cc, s->io_rows, ceil(bytes / 1048576.0),
                 PART_BLOCK_ROWS, p);
        return CS_OK;
    }
    if (scan_layout_told++) return CS_OK;
    log_info("warning: %s: /subscribers/features is compressed in chunks of %llu rows x %llu columns, "
             "taller than a read of %zu rows: each chunk is decompressed about %.0f times per pass (the "
             "reading time grows with the square of the rows), and a cache of one band of chunks would "
             "need %.0fM, over the %.0fM (a quarter of --memory) this run allows it. Repack the file "
             "once: h5repack -l /subscribers/features:CHUNK=%dx%zu %s OUT.h5 (or raise --memory to at "
             "least %.0fM)", path, (unsigned long long)cr, (unsigned long long)cc, s->io_rows, times,
             ceil((band + chunk) / 1048576), (double)budget / 1048576, PART_BLOCK_ROWS, p, path,
             ceil((band + chunk) * 4 / 1048576));
    return CS_OK;
}

void scan_clear(scan_state *s)
{
    free(s->id);
    free(s->region);
    free(s->brand);
    free(s->features);
    free(s->churned);
    free(s->churn_type);
    free(s->truth);
    s->id = NULL;
    s->region = NULL;
    s->brand = NULL;
    s->features = NULL;
    s->churned = NULL;
    s->churn_type = NULL;
    s->truth = NULL;
}

void scan_begin(scan_state *s, const char *stage)
{
    s->stage = stage;
    s->next = s->pr.row0;
    s->t0 = s->last_report = comm_now();
    scan_passes_count++;
}

int scan_passes(const scan_state *s)
{
    (void)s;
    return scan_passes_count;
}

int scan_next(scan_state *s)
{
    uint64_t end = s->pr.row0 + s->pr.rows;
    s->row0 = s->next;
    s->n = 0;
    if (s->next >= end) return CS_OK;
    uint64_t left = end - s->next;
    size_t n = left < s->io_rows ? (size_t)left : s->io_rows;
    CS_TRY(snap_read(s->r, s->next, n, s->id, s->region, s->brand, s->features, s->churned));
    if (s->churn_type) CS_TRY(snap_read_churn_type(s->r, s->next, n, s->churned, s->churn_type));
    if (s->truth) CS_TRY(snap_read_truth(s->r, s->next, n, s->truth));
    s->n = n;
    s->next += n;
    double now = comm_now();
    if (now - s->last_report > 10.0) {
        /* rank 0's progress stands for all: ranks hold equal shares of the rows */
        uint64_t done = s->next - s->pr.row0;
        log_info("%s: %.1f%% (%llu rows of this rank, %.0f rows/s over all ranks)", s->stage,
                 s->pr.rows ? 100.0 * (double)done / (double)s->pr.rows : 100.0,
                 (unsigned long long)done, (double)done * s->nranks / (now - s->t0));
        s->last_report = now;
    }
    return CS_OK;
}
