/* lists_int.h — what lists.c and lists_dir.c share: the one way a file inside the lists directory is
 * created and closed. The public interface is lists.h.
 */
#ifndef CS_LISTS_INT_H
#define CS_LISTS_INT_H

#include <stdio.h>

/* Creates tmpdir/name for writing: *path (malloc'd) and *f, or an error naming the file (and then
 * nothing to free). One place for the list files, the two summaries and the manifest. */
int lists_create(const char *tmpdir, const char *name, char **path, FILE **f);

/* Closes a file lists_create opened, turning a write or close failure into an error when rc is
 * still CS_OK; frees path. Returns the first failure. */
int lists_finish(FILE *f, char *path, int rc);

#endif
