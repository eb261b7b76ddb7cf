/* scan.c — see scan.h. */
#include "scan.h"

#include "log.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

static int scan_passes_count;

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
    if (what & SCAN_TRUTH) bad |= !(s->truth = malloc(io_rows * sizeof(float)));
    if (bad) {
        scan_clear(s);
        return CS_ERROR(CS_ENOMEM, "out of memory for a block of %zu rows x %zu indicators "
                        "(lower --block-rows)", io_rows, p);
    }
    return CS_OK;
}

void scan_clear(scan_state *s)
{
    free(s->id);
    free(s->region);
    free(s->brand);
    free(s->features);
    free(s->churned);
    free(s->truth);
    s->id = NULL;
    s->region = NULL;
    s->brand = NULL;
    s->features = NULL;
    s->churned = NULL;
    s->truth = NULL;
}

void scan_begin(scan_state *s, const char *stage)
{
    s->stage = stage;
    s->next = s->pr.row0;
    s->t0 = s->last_report = MPI_Wtime();
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
    if (s->truth) CS_TRY(snap_read_truth(s->r, s->next, n, s->truth));
    s->n = n;
    s->next += n;
    double now = MPI_Wtime();
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
