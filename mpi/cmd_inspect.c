/* cmd_inspect.c — `churnscore inspect FILE [--json]`: what a file holds. The kind comes from the
 * root 'format' attribute; the snapshot's per-feature statistics are computed in parallel with the
 * rank-independent reductions, so the figures are the same for any rank count. */
#include "cmd.h"
#include "dupcheck.h"
#include "h5util.h"
#include "inspect.h"
#include "json.h"
#include "log.h"
#include "opts.h"
#include "reduce.h"
#include "scan.h"
#include "status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --block-rows and --memory of the snapshot pass (inspect_snapshot's reads and duplicate-id check),
 * set by cmd_inspect before it runs */
static uint64_t inspect_block, inspect_memory;

int cmd_inspect(const cmd_ctx *ctx, int argc, char **argv)
{
    int json = 0;
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"json", &json}, {"block-rows", &inspect_block}, {"memory", &inspect_memory}, {NULL, NULL},
    };
    opt_table defs;
    char *pos[1] = {NULL};
    int npos = 0;
    int rc = options_parse(OPT_CMD_INSPECT, binds, &defs, argc, argv, pos, 1, &npos);
    if (rc == OPT_HELP) return CS_OK;
    if (rc == CS_OK && npos != 1) rc = CS_ERROR(CS_EINVAL, "inspect needs one FILE (see --help)");
    char kind[64] = "";
    if (rc == CS_OK) {
        hid_t f = -1;
        rc = h5util_open_read(pos[0], MPI_COMM_NULL, &f);
        if (rc == CS_OK) {
            if (h5util_attr_read_str(f, "format", kind, sizeof kind) != CS_OK)
                rc = CS_ERROR(CS_EFORMAT, "%s: not a churnscore file (no 'format' attribute)", pos[0]);
            H5Fclose(f);
        }
    }
    rc = red_agree(ctx->comm, rc);
    if (rc != CS_OK) return rc;
    if (strcmp(kind, "churnscore-snapshot") == 0) return inspect_snapshot(ctx, pos[0], json);
    if (strcmp(kind, "churnscore-model") == 0) return inspect_model(ctx, pos[0], json);
    if (strcmp(kind, "churnscore-scores") == 0) return inspect_scores(ctx, pos[0], json);
    return CS_ERROR(CS_EFORMAT, "%s: unknown kind of file '%s'", pos[0], kind);
}

/* Per reduction block: for each feature, present count and sum; summed by the fixed tree. */
int inspect_snapshot(const cmd_ctx *ctx, const char *path, int json)
{
    snap_reader *r = NULL;
    int rc = snap_open(path, MPI_COMM_NULL, &r);
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = dup_check(ctx, r, inspect_memory);
    if (rc != CS_OK) {
        snap_close(r);
        return rc;
    }
    const snap_schema *s = snap_schema_of(r);
    size_t p = s->p, nreg = s->n_regions;
    part_range pr;
    part_compute(s->n, ctx->nranks, ctx->rank, &pr);
    scan_state sc;
    unsigned what = SCAN_REGION | SCAN_BRAND | SCAN_FEATURES | SCAN_ID |
                    (s->has_labels ? SCAN_CHURNED | SCAN_CHURN_TYPE : 0);
    rc = scan_init(&sc, r, &pr, inspect_block, what, ctx->nranks);
    size_t len = 2 * p;
    red_tree *t = red_tree_alloc(len);
    double *part = calloc(len, sizeof(double)), *tot = calloc(len, sizeof(double));
    double *mn = malloc((p + 1) * sizeof(double)), *mx = malloc((p + 1) * sizeof(double));
    /* counts: per region, per brand, labels 1/0/-1, churn types 1/2 */
    size_t nc = nreg + s->n_brands + 5;
    int64_t *cnt = calloc(nc, sizeof(int64_t));
    if (rc == CS_OK && (!t || !part || !tot || !mn || !mx || !cnt))
        rc = CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t j = 0; mn && mx && j < p; j++) {
        mn[j] = INFINITY;
        mx[j] = -INFINITY;
    }
    if (rc == CS_OK) scan_begin(&sc, "inspect");
    while (rc == CS_OK) {
        rc = scan_next(&sc);
        if (rc != CS_OK || sc.n == 0) break;
        for (size_t off = 0; off < sc.n; off += PART_BLOCK_ROWS) {
            size_t m = sc.n - off < PART_BLOCK_ROWS ? sc.n - off : PART_BLOCK_ROWS;
            memset(part, 0, len * sizeof(double));
            for (size_t i = off; i < off + m; i++) {
                const float *x = sc.features + i * p;
                for (size_t j = 0; j < p; j++) {
                    double v = x[j];
                    if (isnan(v)) continue;
                    part[j] += 1.0;
                    part[p + j] += v;
                    if (v < mn[j]) mn[j] = v;
                    if (v > mx[j]) mx[j] = v;
                }
                cnt[sc.region[i]]++;
                cnt[nreg + sc.brand[i]]++;
                if (s->has_labels) {
                    int c = sc.churned[i];
                    cnt[nreg + s->n_brands + (c == 1 ? 0 : c == 0 ? 1 : 2)]++;
                }
                if (sc.churn_type && sc.churn_type[i] != SNAP_STAYED)
                    cnt[nreg + s->n_brands + 2 + sc.churn_type[i]]++;
            }
            uint64_t b = (sc.row0 + off) / PART_BLOCK_ROWS;
            if (rc == CS_OK) rc = red_tree_add(t, b, part);
        }
    }
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = red_tree_allreduce(t, ctx->comm, pr.nblocks, tot);
    if (rc == CS_OK) rc = red_min_f64(ctx->comm, mn, p);
    if (rc == CS_OK) rc = red_max_f64(ctx->comm, mx, p);
    if (rc == CS_OK) rc = red_sum_i64(ctx->comm, cnt, nc);
    if (rc == CS_OK && ctx->rank == 0) {
        int64_t pos1 = s->has_labels ? cnt[nreg + s->n_brands] : 0;
        int64_t neg0 = s->has_labels ? cnt[nreg + s->n_brands + 1] : 0;
        double rate = (pos1 + neg0) > 0 ? (double)pos1 / (double)(pos1 + neg0) : NAN;
        if (json) {
            json_writer w;
            json_init(&w, stdout, 1);
            json_obj_begin(&w, NULL);
            json_str(&w, "kind", "snapshot");
            json_str(&w, "file", path);
            json_int(&w, "format_version", s->version);
            json_str(&w, "month", s->month);
            json_int(&w, "churn_window_months", s->window);
            json_int(&w, "subscribers", (int64_t)s->n);
            json_int(&w, "features", (int64_t)p);
            json_bool(&w, "labelled", s->has_labels);
            if (s->has_labels && (pos1 + neg0) > 0) json_num(&w, "churn_rate", rate);
            else json_null(&w, "churn_rate");
            if (s->has_labels) json_int(&w, "churned", pos1);
            if (s->has_labels) json_int(&w, "label_unknown", cnt[nreg + s->n_brands + 2]);
            json_bool(&w, "has_churn_type", s->has_churn_type);
            if (s->has_churn_type) {
                json_int(&w, "voluntary", cnt[nreg + s->n_brands + 3]);
                json_int(&w, "involuntary", cnt[nreg + s->n_brands + 4]);
            }
            json_bool(&w, "has_truth", s->has_truth);
            json_arr_begin(&w, "feature_stats");
            for (size_t j = 0; j < p; j++) {
                json_obj_begin(&w, NULL);
                json_str(&w, "name", s->feature_names[j]);
                json_int(&w, "count", (int64_t)tot[j]);
                json_int(&w, "missing", (int64_t)s->n - (int64_t)tot[j]);
                json_num(&w, "mean", tot[j] > 0 ? tot[p + j] / tot[j] : NAN);
                json_num(&w, "min", tot[j] > 0 ? mn[j] : NAN);
                json_num(&w, "max", tot[j] > 0 ? mx[j] : NAN);
                json_obj_end(&w);
            }
            json_arr_end(&w);
            json_arr_begin(&w, "regions");
            for (size_t i = 0; i < nreg; i++) {
                json_obj_begin(&w, NULL);
                json_str(&w, "name", s->region_names[i]);
                json_int(&w, "subscribers", cnt[i]);
                json_obj_end(&w);
            }
            json_arr_end(&w);
            json_arr_begin(&w, "brands");
            for (size_t i = 0; i < s->n_brands; i++) {
                json_obj_begin(&w, NULL);
                json_str(&w, "name", s->brand_names[i]);
                json_int(&w, "subscribers", cnt[nreg + i]);
                json_obj_end(&w);
            }
            json_arr_end(&w);
            json_obj_end(&w);
        } else {
            printf("%s: churnscore snapshot, format version %d, month %s, churn window %lld month(s)\n",
                   path, s->version, s->month, (long long)s->window);
            printf("subscribers: %llu   indicators: %zu   regions: %zu   brands: %zu\n",
                   (unsigned long long)s->n, p, nreg, s->n_brands);
            if (s->has_labels)
                printf("labelled: churn rate %.4f (%lld churned, %lld stayed, %lld unknown)\n", rate,
                       (long long)pos1, (long long)neg0, (long long)cnt[nreg + s->n_brands + 2]);
            else
                printf("unlabelled (no /subscribers/churned)\n");
            if (s->has_churn_type)
                printf("churn types: %lld voluntary, %lld involuntary\n",
                       (long long)cnt[nreg + s->n_brands + 3], (long long)cnt[nreg + s->n_brands + 4]);
            if (s->has_truth)
                printf("truth: /truth/churn_prob%s present (generated snapshot)\n",
                       s->has_truth_types ? ", /truth/p_voluntary and /truth/p_involuntary" : "");
            printf("\n%-32s %12s %9s %14s %14s %14s\n", "indicator", "count", "missing", "mean", "min", "max");
            for (size_t j = 0; j < p; j++)
                printf("%-32s %12lld %8.2f%% %14.4g %14.4g %14.4g\n", s->feature_names[j],
                       (long long)tot[j], s->n ? 100.0 * (1.0 - tot[j] / (double)s->n) : 0.0,
                       tot[j] > 0 ? tot[p + j] / tot[j] : NAN, tot[j] > 0 ? mn[j] : NAN,
                       tot[j] > 0 ? mx[j] : NAN);
            printf("\n%-24s %12s\n", "region", "subscribers");
            for (size_t i = 0; i < nreg; i++) printf("%-24s %12lld\n", s->region_names[i], (long long)cnt[i]);
            printf("\n%-24s %12s\n", "brand", "subscribers");
            for (size_t i = 0; i < s->n_brands; i++)
                printf("%-24s %12lld\n", s->brand_names[i], (long long)cnt[nreg + i]);
        }
        fflush(stdout);
    }
    scan_clear(&sc);
    red_tree_free(t);
    free(part);
    free(tot);
    free(mn);
    free(mx);
    free(cnt);
    snap_close(r);
    return rc;
}
