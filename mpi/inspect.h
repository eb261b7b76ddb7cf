/* inspect.h — `churnscore inspect` for each kind of file; cmd_inspect.c dispatches on the file's
 * 'format' attribute. Each is collective and prints from rank 0 only (text or one JSON object). */
#ifndef CS_INSPECT_H
#define CS_INSPECT_H

#include "cmd.h"
#include "cmodel.h"
#include "json.h"

int inspect_snapshot(const cmd_ctx *ctx, const char *path, int json);
int inspect_model(const cmd_ctx *ctx, const char *path, int json);
int inspect_scores(const cmd_ctx *ctx, const char *path, int json);

/* Rank 0, within inspect_model: the model's segments as text, or as the "segments" member (null
 * without) of the JSON object being written (inspect_segments.c). */
void inspect_segments_text(const cmodel *m);
void inspect_segments_json(json_writer *w, const cmodel *m);

#endif
