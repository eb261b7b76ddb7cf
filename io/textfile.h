/* textfile.h — a small site file (the playbook, the tag rules) read whole into memory.
 *
 * Both files are a page of text that a parser then reads from a buffer (so that the built-in copies,
 * compiled into the binary, go through the same parser); this is their one reader.
 */
#ifndef CS_TEXTFILE_H
#define CS_TEXTFILE_H

#include <stddef.h>

/* Reads path whole into *buf (malloc'd, the caller frees; not NUL-terminated) and its length into *n.
 * what names the file in messages ("the playbook"), kind says what a too large file is not ("a
 * playbook"): CS_EIO "PATH: cannot open WHAT: ..." or "PATH: cannot read: ...", CS_EDATA "PATH: over
 * M MiB: not KIND" beyond max_mib, CS_ENOMEM; *buf NULL on failure. */
int textfile_read(const char *path, const char *what, const char *kind, size_t max_mib, char **buf, size_t *n);

#endif
