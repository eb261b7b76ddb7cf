/* cmd_pending.c — commands whose pipelines are being built; each is replaced by its own file. */
#include "cmd.h"
#include "inspect.h"
#include "status.h"

int cmd_score(const cmd_ctx *c, int argc, char **argv) { return CS_ERROR(CS_EINVAL, "score: not built yet"); }
int cmd_import(const cmd_ctx *c, int argc, char **argv) { return CS_ERROR(CS_EINVAL, "import: not built yet"); }
int cmd_evaluate(const cmd_ctx *c, int argc, char **argv) { return CS_ERROR(CS_EINVAL, "evaluate: not built yet"); }
int inspect_scores(const cmd_ctx *c, const char *p, int j) { return CS_ERROR(CS_EINVAL, "inspect scores: not built yet"); }
