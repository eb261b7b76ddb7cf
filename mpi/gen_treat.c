/* gen_treat.c — who was treated last month and whom the treatment keeps (see gen_treat.h). */
#include "gen_treat.h"

#include "comm.h"
#include "idhash.h"
#include "listin.h"
#include "reduce.h"
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GEN_TREAT_SALT UINT64_C(0x7472656174)

static int gen_treat_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Rank 0: the treated ids of the lists in dir, sorted. */
static int gen_treat_read(const char *dir, const char *prev_month, gen_treat *t)
{
    char *sub = malloc(strlen(dir) + 8);
    if (!sub) return CS_ERROR(CS_ENOMEM, "out of memory");
    sprintf(sub, "%s/lists", dir);
    struct stat st;
    const char *lists = stat(sub, &st) == 0 && S_ISDIR(st.st_mode) ? sub : dir;
    listin_table *lt = NULL;
    int rc = listin_read(lists, &lt);
    if (rc == CS_OK && *lt->month && strcmp(lt->month, prev_month) != 0)
        rc = CS_ERROR(CS_EINVAL, "--treated %s: the lists are of %s but --follows is of %s: the treated are "
                      "the listed of the month that --follows holds", lists, lt->month, prev_month);
    size_t n = 0;
    for (size_t i = 0; rc == CS_OK && i < lt->n; i++) n += lt->arm[i] == LISTIN_ARM_LISTED;
    if (rc == CS_OK && n == 0)
        rc = CS_ERROR(CS_EINVAL, "--treated %s: holds no retention list (*-retention.csv) to treat", lists);
    if (rc == CS_OK && !(t->id = malloc(n * sizeof *t->id))) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == CS_OK && i < lt->n; i++)
        if (lt->arm[i] == LISTIN_ARM_LISTED) t->id[t->n++] = lt->id[i];
    if (rc == CS_OK) qsort(t->id, t->n, sizeof *t->id, gen_treat_cmp);
    listin_free(lt);
    free(sub);
    return rc;
}

int gen_treat_load(const cmd_ctx *ctx, const char *dir, const char *prev_month, double effect, uint64_t seed,
                   gen_treat *t)
{
    memset(t, 0, sizeof *t);
    t->effect = effect;
    t->salt = idhash_mix(seed ^ GEN_TREAT_SALT);
    int rc = ctx->rank == 0 ? gen_treat_read(dir, prev_month, t) : CS_OK;
    rc = red_agree(ctx->comm, rc);
    uint64_t n = t->n;
    if (rc == CS_OK) rc = red_agree(ctx->comm, comm_bcast(ctx->comm, 0, &n, sizeof n));
    if (rc == CS_OK && ctx->rank != 0) {
        t->n = (size_t)n;
        if (!(t->id = malloc((n ? n : 1) * sizeof *t->id))) rc = CS_ERROR(CS_ENOMEM, "out of memory");
    }
    rc = red_agree(ctx->comm, rc);
    if (rc == CS_OK) rc = red_agree(ctx->comm, comm_bcast(ctx->comm, 0, t->id, t->n * sizeof *t->id));
    if (rc != CS_OK) gen_treat_clear(t);
    return rc;
}

int gen_treat_has(const gen_treat *t, uint64_t id)
{
    return t->n && bsearch(&id, t->id, t->n, sizeof *t->id, gen_treat_cmp) != NULL;
}

int gen_treat_keeps(const gen_treat *t, uint64_t id)
{
    return gen_treat_has(t, id) && idhash_unit(id, t->salt) < t->effect;
}

void gen_treat_clear(gen_treat *t)
{
    free(t->id);
    t->id = NULL;
    t->n = 0;
}
