/* capacity.c — the per-region (and per-queue) list sizes of score --capacity (see capacity.h). */
#include "capacity.h"

#include "csv.h"
#include "queue.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Column index of name in the header (ASCII case ignored), or -1. */
static long capacity_column(const csv_record *h, const char *name)
{
    for (size_t i = 0; i < h->nfields; i++)
        if (strcasecmp(h->fields[i].data, name) == 0) return (long)i;
    return -1;
}

/* A field as text for messages: at most 40 bytes. */
#define CAP_SHOW(f) (int)((f)->len > 40 ? 40 : (f)->len), (f)->data

int capacity_read(const char *path, const char *const *region_names, size_t n_regions, uint64_t *k)
{
    size_t ng = (size_t)QUEUE_N_LISTED * n_regions;
    uint64_t *nk = malloc((ng ? ng : 1) * sizeof *nk);
    size_t *line = calloc(ng ? ng : 1, sizeof *line);   /* where a region and queue was set */
    unsigned char *by_queue = calloc(ng ? ng : 1, 1);  /* set by a line that names the queue */
    if (!nk || !line || !by_queue) {
        free(nk);
        free(line);
        free(by_queue);
        return CS_ERROR(CS_ENOMEM, "out of memory");
    }
    memcpy(nk, k, ng * sizeof *nk);
    csv_reader *r = NULL;
    int rc = csv_reader_open(path, NULL, &r);
    long c_region = -1, c_k = -1, c_queue = -1;
    if (rc == CS_OK) {
        const csv_record *h = csv_header(r);
        c_region = capacity_column(h, "region");
        c_k = capacity_column(h, "k");
        c_queue = capacity_column(h, "queue");
        if (c_region < 0 || c_k < 0)
            rc = CS_ERROR(CS_EFORMAT, "%s: line 1: the header needs the columns region and k (and may have "
                          "queue): region,k[,queue]", path);
    }
    csv_record rec;
    while (rc == CS_OK) {
        int got = csv_next(r, &rec);
        if (got == CSV_END) break;
        if (got != CS_OK) {
            rc = got;
            break;
        }
        const csv_field *fr = &rec.fields[c_region], *fk = &rec.fields[c_k];
        long g = -1;
        for (size_t i = 0; i < n_regions && g < 0; i++)
            if (region_names[i] && strlen(region_names[i]) == fr->len && memcmp(region_names[i], fr->data, fr->len) == 0)
                g = (long)i;
        if (g < 0) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: region '%.*s' is not a region of the snapshot", path, rec.line,
                          CAP_SHOW(fr));
            break;
        }
        int q0 = QUEUE_RETENTION, q1 = QUEUE_N - 1;
        if (c_queue >= 0 && rec.fields[c_queue].len > 0) {
            const csv_field *fq = &rec.fields[c_queue];
            char qn[16];
            int q = -1;
            if (fq->len < sizeof qn) {
                memcpy(qn, fq->data, fq->len);
                qn[fq->len] = '\0';
                q = queue_parse(qn);
            }
            if (q < 0) {
                rc = CS_ERROR(CS_EDATA, "%s: line %zu: unknown queue '%.*s' (retention, collections, billing, "
                              "or empty for all three)", path, rec.line, CAP_SHOW(fq));
                break;
            }
            q0 = q1 = q;
        }
        double v = -1;
        if (!csv_parse_double(fk->data, fk->len, &v) || v != (double)(uint64_t)v || v < 0 || v > 9007199254740992.0) {
            rc = CS_ERROR(CS_EDATA, "%s: line %zu: k '%.*s' of region '%.*s' is not a whole number from 0 (all) "
                          "to 2^53", path, rec.line, CAP_SHOW(fk), CAP_SHOW(fr));
            break;
        }
        int named = q0 == q1;
        for (int q = q0; q <= q1; q++) {
            size_t at = (size_t)(q - QUEUE_RETENTION) * n_regions + (size_t)g;
            if (line[at] && by_queue[at] == named) {
                rc = CS_ERROR(CS_EDATA, "%s: line %zu: region '%.*s'%s%s is given twice (line %zu)", path, rec.line,
                              CAP_SHOW(fr), named ? ", queue " : "", named ? queue_name(q) : "", line[at]);
                break;
            }
            if (by_queue[at] && !named) continue; /* the queue's own line wins */
            nk[at] = (uint64_t)v;
            line[at] = rec.line;
            by_queue[at] = (unsigned char)named;
        }
    }
    csv_reader_free(r);
    if (rc == CS_OK) memcpy(k, nk, ng * sizeof *nk);
    free(nk);
    free(line);
    free(by_queue);
    return rc;
}
