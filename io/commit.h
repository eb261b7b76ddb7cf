/* commit.h — getting an output onto the disk for good: errors that say "no space left on device",
 * space reserved before HDF5 needs it, fsync of files and directories, and the renames of every
 * output of one command done together (all land or none).
 *
 * Every output is written under a temporary name (h5util_tmpname, lists_dir_begin, ...). A disk that
 * fills up shows in different places: a write(2) or fclose(3) with errno ENOSPC, an HDF5 call whose
 * error stack hides errno, or the metadata flush inside H5Fclose — and HDF5 1.10 cannot recover from
 * a failed flush (the file id stays half-closed and MPI_Finalize then segfaults inside HDF5). So the
 * HDF5 writers reserve the file's space (commit_reserve) before the close that flushes, and report
 * a shortage as CS_EIO "no space left on device: PATH". When everything is written, closed and agreed
 * across ranks, a commit_set renames the temporary names into place together: it fsyncs each one
 * first, swaps it with the previous output (renameat2 RENAME_EXCHANGE, so a later failure can put
 * every earlier output back exactly), fsyncs the directories and only then drops the previous
 * outputs. No MPI here: rank 0 applies the set after the ranks agreed.
 */
#ifndef CS_COMMIT_H
#define CS_COMMIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Records the failure err (an errno) of doing something to path and returns CS_EIO: "no space left
 * on device: PATH" for ENOSPC, "disk quota exceeded: PATH" for EDQUOT, else "PATH: cannot DOING:
 * strerror". */
int commit_errno(int err, const char *path, const char *doing);

/* 1 when the file system holding path (or, when path does not exist, its directory) has less than
 * need bytes (at least one block) free for this user: the explanation of a failed HDF5 write whose
 * errno HDF5 did not keep. */
int commit_fs_full(const char *path, uint64_t need);

/* Allocates the first size bytes of the existing file path on the disk (fallocate), so that later
 * writes inside them cannot fail for want of space. Where the file system cannot allocate
 * (EOPNOTSUPP), checks that its free space covers what the file still lacks instead. CS_EIO, with
 * "no space left on device: PATH" when the space is not there. */
int commit_reserve(const char *path, uint64_t size);

/* The write-out of a file being written, started early (Linux sync_file_range without waiting) so
 * that the fsync of its commit finds little left to write: import calls it after each block it
 * writes while it still parses (issue 20: the commit's fsync of a 524 MB snapshot took 0.22 s, on
 * the critical path; started early it runs beside the parse). commit_writeback_open gives -1 where
 * the file cannot be opened, and commit_writeback then does nothing: it only ever saves time. */
int commit_writeback_open(const char *path);
void commit_writeback(int fd);
void commit_writeback_close(int fd); /* accepts -1 */

/* fsync of a file or directory by name; of the directory holding path; of every regular file of a
 * directory and the directory. CS_EIO naming the path. */
int commit_fsync(const char *path);
int commit_fsync_parent(const char *path);
int commit_fsync_tree(const char *dir);

/* Writes n bytes to fd (retrying short writes). CS_EIO via commit_errno naming path. */
int commit_write_all(int fd, const void *buf, size_t n, const char *path);

/* Closes the memory stream f (open_memstream over *text, *len) and writes what it holds to path in
 * one checked write, then frees *text. A report is composed in memory because a stdio stream that
 * fails in one of its own flushes (the disk full halfway) keeps only ferror, not the errno that
 * says why; the write and the close are where a full disk shows. On failure path is removed.
 * CS_ENOMEM when the stream failed, CS_EIO via commit_errno naming path. */
int commit_memstream_save(FILE *f, char **text, const size_t *len, const char *path);

/* The outputs of one command, each written complete under a temporary name. */
typedef struct commit_set commit_set;

/* Removes a previous output of a directory kind once the new one is in place (lists_dir_drop). */
typedef void (*commit_drop_fn)(const char *old);

/* NULL when out of memory. */
commit_set *commit_set_alloc(void);
/* Removes what is still pending (the temporary names), frees s; accepts NULL. */
void commit_set_free(commit_set *s);
/* Adds tmp -> path (copied). drop is NULL for a file; for a directory the function that removes a
 * previous one (and what it held). CS_ENOMEM. */
int commit_set_add(commit_set *s, const char *tmp, const char *path, commit_drop_fn drop);
/* Puts every output in place: fsyncs each temporary (a directory with its files), renames each over
 * its path in the order added, fsyncs the directories, then drops the previous outputs. When one
 * rename fails, the outputs already renamed are put back as they were (where the file system can
 * exchange two names; see README) and every temporary is removed. CS_EIO naming the path. */
int commit_set_apply(commit_set *s);
/* Removes every temporary of s (a run that failed); the previous outputs stay as they were. */
void commit_set_abort(commit_set *s);

#endif
