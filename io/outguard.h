/* outguard.h — outputs never touch inputs: every path a command reads or writes is resolved before
 * it writes anything, overlaps are refused, and each output is locked for the length of the run.
 *
 * Writing under "NAME.tmp" and renaming (h5util.h, lists.h) keeps a killed job from leaving a file
 * that looks finished, but it cannot stop `score --out` naming the snapshot it reads, or two runs
 * writing one file. So each command hands this module the paths it will read and write, with the
 * options that name them. Each is resolved the way the kernel will resolve it: realpath of the parent
 * directory plus the last component (the directory entry that the rename replaces), and where that
 * entry exists, realpath following it (the file a link names); files are also compared by device
 * and inode, so a hard link counts as the same file. An output is refused (CS_EINVAL, naming both
 * paths) when it, its temporary file (NAME.tmp, NAME.tmp.tmp), the name commit.h may keep the
 * previous output under (NAME.tmp.old) or its lock file is, contains or lies
 * inside an input or another output; a directory output (--lists) whose own entry is a symbolic link
 * is refused too, as replacing it would replace or empty the directory of another month.
 *
 * Locks: NAME.lock beside each output (NAME as resolved), held with flock(LOCK_EX | LOCK_NB) until
 * outguard_release, which removes it. A second run on the same output fails at once with CS_EIO
 * ("NAME is being written by another churnscore run (lock NAME.lock)"). The lock file is empty, so
 * it needs no space on a full disk; a NAME.lock that is not empty, or is not a regular file, is
 * someone else's: it is refused (CS_EIO), never written or removed. A lock file left by a killed run
 * is reused and removed by the next one. A script may hold the same lock (e.g. `flock -n NAME.lock
 * ...`) to keep churnscore off a file it is working on.
 *
 * No MPI here: rank 0 calls outguard_acquire and the command's red_agree spreads the status; rank 0
 * holds the locks (flock works across nodes on NFS and Lustre, both of which map it to POSIX locks).
 */
#ifndef CS_OUTGUARD_H
#define CS_OUTGUARD_H

#include <stddef.h>

typedef enum {
    OUTGUARD_INPUT = 0,      /* read: file or directory (evaluate --lists) */
    OUTGUARD_OUTPUT = 1,     /* a file written as NAME.tmp and renamed */
    OUTGUARD_OUTPUT_DIR = 2  /* a directory built as NAME.tmp and renamed (lists.h) */
} outguard_kind;

typedef struct {
    const char *opt;  /* the option that names it, e.g. "--out" (for the messages) */
    const char *path; /* as given; NULL: not given, skipped */
    outguard_kind kind;
} outguard_path;

typedef struct outguard outguard;

/* Resolves the n paths and refuses overlaps (see above) without taking locks. CS_OK, CS_EINVAL
 * naming both paths, CS_ENOMEM. Writes nothing. */
int outguard_check(const outguard_path *paths, size_t n);

/* outguard_check, then a lock per output. On success *g holds the locks (outguard_release frees it;
 * NULL when there are no outputs). On failure *g is NULL and every lock taken is released and its file
 * removed: CS_EINVAL (overlap), CS_EIO (lock held by another run, lock file not ours, cannot create
 * it), CS_ENOMEM. */
int outguard_acquire(const outguard_path *paths, size_t n, outguard **g);

/* Releases the locks and removes their files (only those still the files it locked). Accepts NULL. */
void outguard_release(outguard *g);

/* The resolved directory entry of path (realpath of its parent + "/" + its last component; a parent
 * that does not exist is kept as far as it does, the rest lexically), malloc'd; NULL when out of
 * memory. Exposed for the tests and for lists.h. */
char *outguard_entry(const char *path);

#endif
