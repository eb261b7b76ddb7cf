/* snap2csv.c — writes a snapshot as the CSV extract an operator would send, fast:
 *   snap2csv IN.h5 OUT.csv [--min-bytes B] [--crlf] [--bom] [--no-labels] [--churn-type]
 * Columns: id, region, brand, every indicator, churned (yes / no / empty for unknown) and, with
 * --churn-type, leave_reason from /subscribers/churn_type (port_out / arrears / empty). Indicators are
 * written in the shortest decimal that `churnscore import` reads back to the same float32 (the same
 * csv_parse_double-then-round path), so import(snap2csv(S)) reproduces S's features bit for bit;
 * NaN is an empty field. With --min-bytes the rows are written again and again until the file holds
 * at least B bytes, ids renumbered 1, 2, ... so that they stay unique: how scripts/bench-import.sh
 * makes a 1 GB extract from a small generated snapshot in seconds. Serial (run it with one rank).
 * Used by tests/mpi/test_import.sh (round trip) and scripts/bench-import.sh.
 */
#include "csv.h"
#include "snapshot.h"
#include "status.h"

#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal digits of v (v < 10^19) into the end of buf; returns the start. */
static char *s2c_utoa(uint64_t v, char *end)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

static const double s2c_pow10[8] = {1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7};

/* Appends the shortest fixed-point text of x (up to 7 decimals) that reads back to x through
 * (float)strtod, or %.9g, which always does. */
static size_t s2c_float(float x, char *out)
{
    if (isnan(x)) return 0;
    double d = x;
    char tmp[32], *end = tmp + sizeof tmp;
    size_t n = 0;
    if (d < 0) {
        out[n++] = '-';
        d = -d;
    }
    if (d < 1e15) {
        for (int k = 0; k < 8; k++) {
            double r = nearbyint(d * s2c_pow10[k]);
            if (r >= 1e15 || (float)(r / s2c_pow10[k]) != (float)d) continue;
            uint64_t u = (uint64_t)r;
            char *p = s2c_utoa(u, end);
            size_t len = (size_t)(end - p);
            if (k == 0) {
                memcpy(out + n, p, len);
                return n + len;
            }
            if (len <= (size_t)k) { /* 0.000ddd */
                out[n++] = '0';
                out[n++] = '.';
                for (size_t z = len; z < (size_t)k; z++) out[n++] = '0';
                memcpy(out + n, p, len);
                return n + len;
            }
            memcpy(out + n, p, len - (size_t)k);
            n += len - (size_t)k;
            out[n++] = '.';
            memcpy(out + n, p + len - k, (size_t)k);
            return n + (size_t)k;
        }
    }
    return (size_t)snprintf(out, 32, "%.9g", (double)x);
}

/* A name as one CSV field (quoted where RFC 4180 needs it), through the csv writer. */
static char *s2c_field(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    csv_writer w;
    csv_writer_init(&w, m, "mem", ',', 0);
    csv_write_text(&w, s, strlen(s));
    fclose(m);
    return buf;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    if (argc < 3) {
        fprintf(stderr, "usage: snap2csv IN.h5 OUT.csv [--min-bytes B] [--crlf] [--bom] [--no-labels]\n");
        return 2;
    }
    uint64_t min_bytes = 0;
    int crlf = 0, bom = 0, labels = 1, ctypes = 0;
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--min-bytes") == 0 && i + 1 < argc) min_bytes = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--crlf") == 0) crlf = 1;
        else if (strcmp(argv[i], "--bom") == 0) bom = 1;
        else if (strcmp(argv[i], "--no-labels") == 0) labels = 0;
        else if (strcmp(argv[i], "--churn-type") == 0) ctypes = 1;
        else {
            fprintf(stderr, "snap2csv: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    snap_reader *r = NULL;
    if (snap_open(argv[1], MPI_COMM_NULL, &r) != CS_OK) {
        fprintf(stderr, "snap2csv: %s\n", status_message());
        return 1;
    }
    const snap_schema *s = snap_schema_of(r);
    labels = labels && s->has_labels;
    ctypes = ctypes && labels && s->has_churn_type;
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    static char obuf[1 << 22];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    const char *eol = crlf ? "\r\n" : "\n";
    if (bom) fputs("\xEF\xBB\xBF", out);
    fputs("id,region,brand", out);
    for (size_t j = 0; j < s->p; j++) {
        char *f = s2c_field(s->feature_names[j]);
        fprintf(out, ",%s", f);
        free(f);
    }
    fprintf(out, "%s%s%s", labels ? ",churned" : "", ctypes ? ",leave_reason" : "", eol);
    char **rn = malloc(s->n_regions * sizeof(char *)), **bn = malloc(s->n_brands * sizeof(char *));
    for (size_t k = 0; k < s->n_regions; k++) rn[k] = s2c_field(s->region_names[k]);
    for (size_t k = 0; k < s->n_brands; k++) bn[k] = s2c_field(s->brand_names[k]);

    const size_t block = 65536;
    uint64_t *id = malloc(block * sizeof *id);
    uint16_t *reg = malloc(block * sizeof *reg);
    uint8_t *br = malloc(block);
    float *x = malloc(block * (s->p ? s->p : 1) * sizeof(float));
    int8_t *ch = malloc(block), *ct = malloc(block);
    char *line = malloc(64 + s->p * 40 + 4096);
    uint64_t rowno = 0, bytes = 0;
    int rc = CS_OK;
    do {
        for (uint64_t r0 = 0; rc == CS_OK && r0 < s->n; r0 += block) {
            size_t n = (size_t)(s->n - r0 < block ? s->n - r0 : block);
            rc = snap_read(r, r0, n, id, reg, br, x, labels ? ch : NULL);
            if (rc == CS_OK && ctypes) rc = snap_read_churn_type(r, r0, n, ch, ct);
            for (size_t i = 0; rc == CS_OK && i < n; i++) {
                char tmp[24];
                size_t len = 0;
                uint64_t idv = min_bytes ? ++rowno : id[i];
                char *p = s2c_utoa(idv, tmp + sizeof tmp);
                memcpy(line, p, (size_t)(tmp + sizeof tmp - p));
                len += (size_t)(tmp + sizeof tmp - p);
                line[len++] = ',';
                size_t l = strlen(rn[reg[i]]);
                memcpy(line + len, rn[reg[i]], l);
                len += l;
                line[len++] = ',';
                l = strlen(bn[br[i]]);
                memcpy(line + len, bn[br[i]], l);
                len += l;
                for (size_t j = 0; j < s->p; j++) {
                    line[len++] = ',';
                    len += s2c_float(x[i * s->p + j], line + len);
                }
                if (labels) {
                    line[len++] = ',';
                    if (ch[i] == 1) memcpy(line + len, "yes", 3), len += 3;
                    else if (ch[i] == 0) memcpy(line + len, "no", 2), len += 2;
                }
                if (ctypes) {
                    line[len++] = ',';
                    if (ct[i] == 1) memcpy(line + len, "port_out", 8), len += 8;
                    else if (ct[i] == 2) memcpy(line + len, "arrears", 7), len += 7;
                }
                memcpy(line + len, eol, strlen(eol));
                len += strlen(eol);
                fwrite(line, 1, len, out);
                bytes += len;
            }
        }
    } while (rc == CS_OK && bytes < min_bytes && s->n > 0);
    if (rc != CS_OK) fprintf(stderr, "snap2csv: %s\n", status_message());
    if (fclose(out) != 0) {
        perror(argv[2]);
        rc = CS_EIO;
    }
    for (size_t k = 0; k < s->n_regions; k++) free(rn[k]);
    for (size_t k = 0; k < s->n_brands; k++) free(bn[k]);
    free(rn);
    free(bn);
    free(id);
    free(reg);
    free(br);
    free(x);
    free(ch);
    free(ct);
    free(line);
    snap_close(r);
    MPI_Finalize();
    return rc == CS_OK ? 0 : 1;
}
