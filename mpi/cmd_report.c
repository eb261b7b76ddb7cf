/* cmd_report.c — `churnscore report --month-dir DIR [--runs RUNS] [--out FILE] [--lang en|zh]`: a
 * month's report as a self-contained HTML page (io/htmlrep_month.c), from the files the month's
 * steps wrote. jobs/month-steps.sh runs it in the export step, beside the report.md it builds in
 * shell, so the page says what the Markdown says, with charts and tables. Serial work on rank 0
 * (the page is small); the other ranks only agree. The page is written as FILE.tmp and renamed,
 * under FILE.lock like every output (outguard.h). */
#include "cmd.h"
#include "commit.h"
#include "h5util.h"
#include "htmlrep.h"
#include "lang.h"
#include "log.h"
#include "opts.h"
#include "outguard.h"
#include "reduce.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cmd_report(const cmd_ctx *ctx, int argc, char **argv)
{
    const char *dir = NULL, *runs = NULL, *out = NULL, *lang = NULL, *currency = NULL;
    /* every option, its default and its range: mpi/options.c */
    const opt_bind binds[] = {
        {"month-dir", &dir}, {"runs", &runs}, {"out", &out}, {"lang", &lang}, {"currency", &currency},
        {NULL, NULL},
    };
    opt_table defs;
    int rc = options_parse(OPT_CMD_REPORT, binds, &defs, argc, argv, NULL, 0, NULL);
    if (rc == OPT_HELP) return CS_OK;
    char *page = NULL, *tmp = NULL;
    outguard *guard = NULL;
    if (rc == CS_OK && ctx->rank == 0) {
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            rc = CS_ERROR(CS_EIO, "%s: --month-dir is not a directory", dir);
        if (rc == CS_OK && runs && (stat(runs, &st) != 0 || !S_ISDIR(st.st_mode)))
            rc = CS_ERROR(CS_EIO, "%s: --runs is not a directory", runs);
        if (rc == CS_OK) {
            size_t n = strlen(dir) + 16;
            page = out ? strdup(out) : malloc(n);
            if (page && !out) snprintf(page, n, "%s/report.html", dir);
            tmp = page ? h5util_tmpname(page) : NULL;
            if (!page || !tmp) rc = CS_ERROR(CS_ENOMEM, "out of memory");
        }
        /* the page must not be one of the month's files it reads (it goes beside them) */
        static const char *const reads[5] = {"month.json", "lists/summary.json", "lists/drift.csv",
                                             "evaluation.json", "model.h5"};
        char *in[5] = {NULL, NULL, NULL, NULL, NULL};
        outguard_path paths[6];
        for (int k = 0; rc == CS_OK && k < 5; k++) {
            size_t n = strlen(dir) + strlen(reads[k]) + 2;
            in[k] = malloc(n);
            if (!in[k]) rc = CS_ERROR(CS_ENOMEM, "out of memory");
            else snprintf(in[k], n, "%s/%s", dir, reads[k]);
            paths[k] = (outguard_path){"--month-dir", in[k], OUTGUARD_INPUT};
        }
        paths[5] = (outguard_path){"--out", page, OUTGUARD_OUTPUT};
        if (rc == CS_OK) rc = outguard_acquire(paths, 6, &guard);
        for (int k = 0; k < 5; k++) free(in[k]);
        if (rc == CS_OK) {
            htmlrep_month_opts mo = {.dir = dir, .runs = runs, .currency = currency, .foot = cmd_version(),
                                     .lang = lang_parse(lang) == LANG_ZH ? LANG_ZH : LANG_EN};
            rc = htmlrep_month_write(tmp, &mo);
        }
        if (rc == CS_OK) {
            commit_set *cs = commit_set_alloc();
            rc = cs ? commit_set_add(cs, tmp, page, NULL) : CS_ERROR(CS_ENOMEM, "out of memory");
            if (rc == CS_OK) rc = commit_set_apply(cs);
            commit_set_free(cs);
        }
        if (rc == CS_OK) log_info("report: %s", page);
    }
    rc = red_agree(ctx->comm, rc);
    outguard_release(guard);
    free(page);
    free(tmp);
    return rc;
}
