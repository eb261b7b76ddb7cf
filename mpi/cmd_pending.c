/* cmd_pending.c — commands whose pipelines are being built; each is replaced by its own file. */
#include "cmd.h"
#include "inspect.h"
#include "status.h"

int cmd_import(const cmd_ctx *c, int argc, char **argv) { return CS_ERROR(CS_EINVAL, "import: not built yet"); }
