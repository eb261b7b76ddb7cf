/* cmd.h — the subcommands of `churnscore`, one file each (cmd_*.c), dispatched by main.c.
 *
 * Each command is collective over comm: every rank calls it with the same argv and every rank
 * returns the same, already agreed status (red_agree), so main can exit with one code and rank 0
 * alone prints the error.
 */
#ifndef CS_CMD_H
#define CS_CMD_H

#include <mpi.h>

typedef struct {
    MPI_Comm comm;
    int rank, nranks;
    int verbose;
} cmd_ctx;

typedef int (*cmd_fn)(const cmd_ctx *ctx, int argc, char **argv);

int cmd_generate(const cmd_ctx *ctx, int argc, char **argv);
int cmd_inspect(const cmd_ctx *ctx, int argc, char **argv);
int cmd_train(const cmd_ctx *ctx, int argc, char **argv);
int cmd_score(const cmd_ctx *ctx, int argc, char **argv);
int cmd_import(const cmd_ctx *ctx, int argc, char **argv);
int cmd_evaluate(const cmd_ctx *ctx, int argc, char **argv);
int cmd_report(const cmd_ctx *ctx, int argc, char **argv);
int cmd_analyze(const cmd_ctx *ctx, int argc, char **argv);
int cmd_select(const cmd_ctx *ctx, int argc, char **argv);

/* Version string "churnscore X.Y.Z (git ...)". */
const char *cmd_version(void);

#endif
