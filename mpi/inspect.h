/* inspect.h — `churnscore inspect` for each kind of file; cmd_inspect.c dispatches on the file's
 * 'format' attribute. Each is collective and prints from rank 0 only (text or one JSON object). */
#ifndef CS_INSPECT_H
#define CS_INSPECT_H

#include "cmd.h"

int inspect_snapshot(const cmd_ctx *ctx, const char *path, int json);
int inspect_model(const cmd_ctx *ctx, const char *path, int json);
int inspect_scores(const cmd_ctx *ctx, const char *path, int json);

#endif
