/* h5util.c — HDF5 files: opening, creating (serially, or laid out by one process and reopened by
 * every rank), closing so that a full disk cannot crash HDF5, and the commit of a finished file
 * (see h5util.h). Also the one place that turns a failed HDF5 write into "no space left on device"
 * when that was the cause (h5util_fail, used by the dataset and attribute writers). Attributes and
 * string datasets are in h5util_attr.c, numeric datasets and rows in h5util_data.c.
 */
#define _GNU_SOURCE /* memfd_create */
#include "h5util.h"
#include "h5util_int.h"

#include "status.h"
#include "commit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void h5util_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* H5Ewalk2 callback: a write that failed for want of space. HDF5 keeps errno only in the text of its
 * error stack (sec2: "errno = 28, error message = 'No space left on device'"; MPI-IO: the MPI error
 * string). */
herr_t h5util_walk_nospace(unsigned n, const H5E_error2_t *e, void *arg)
{
    (void)n;
    const char *d = e->desc ? e->desc : "";
    if (strstr(d, "errno = 28,") || strstr(d, "No space left") || strstr(d, "no space left") ||
        strstr(d, "MPI_ERR_NO_SPACE") || strstr(d, "MPI_ERR_QUOTA") || strstr(d, "errno = 122,"))
        *(int *)arg = 1;
    return 0;
}

/* Records a failed HDF5 write on obj (of file path; NULL: asked of obj) and returns CS_EIO: "no space
 * left on device: FILE (what)" when the error stack or the file system says so, else "FILE: what".
 * Call it right after the failing call: any HDF5 call clears the error stack. */
int h5util_fail(hid_t obj, const char *path, const char *fmt, ...)
{
    int nospace = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, h5util_walk_nospace, &nospace);
    char what[512], file[1024] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (path) snprintf(file, sizeof file, "%s", path);
    else if (obj >= 0 && H5Fget_name(obj, file, sizeof file) < 0) file[0] = '\0';
    if (!nospace && file[0]) nospace = commit_fs_full(file, 0);
    if (nospace) return CS_ERROR(CS_EIO, "no space left on device: %s (%s)", file[0] ? file : "?", what);
    if (file[0]) return CS_ERROR(CS_EIO, "%s: %s", file, what);
    return CS_ERROR(CS_EIO, "%s", what);
}

/* Closes every dataset, group, named datatype and attribute still open in f (an error path that
 * left one): with one open, H5Fclose would only mark the file for closing, and its real close
 * would come later inside H5close or MPI_Finalize. */
static void h5util_close_objects(hid_t f)
{
    unsigned types = H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL;
    ssize_t n = H5Fget_obj_count(f, types);
    if (n <= 0) return;
    hid_t *ids = malloc((size_t)n * sizeof(hid_t));
    if (!ids) return;
    n = H5Fget_obj_ids(f, types, (size_t)n, ids);
    for (ssize_t i = 0; i < n; i++) {
        H5I_type_t t = H5Iget_type(ids[i]);
        if (t == H5I_DATASET) H5Dclose(ids[i]);
        else if (t == H5I_GROUP) H5Gclose(ids[i]);
        else if (t == H5I_DATATYPE) H5Tclose(ids[i]);
        else if (t == H5I_ATTR) H5Aclose(ids[i]);
    }
    free(ids);
}

int h5util_close_file(hid_t f, const char *path)
{
    if (f < 0) return CS_OK;
    haddr_t eoa = 0;
    int rc = CS_OK;
    unsigned intent = 0;
    if (H5Fget_intent(f, &intent) >= 0 && (intent & H5F_ACC_RDWR)) {
        /* The close writes the metadata cache out, at addresses below the end of allocation: with
         * those bytes allocated it cannot run out of space. HDF5 1.10 does not survive a failed
         * flush (the id stays half-closed and H5close or MPI_Finalize segfaults in H5F__close_cb),
         * so where they cannot be allocated the file is abandoned instead: its descriptor is
         * pointed at an anonymous memory file, the close "succeeds" there, and the caller removes
         * the temporary file. */
        if (H5Fget_eoa(f, &eoa) < 0) rc = CS_ERROR(CS_EIO, "%s: cannot size the file", path);
        else rc = commit_reserve(path, (uint64_t)eoa);
        if (rc != CS_OK) {
            hid_t fapl = H5Fget_access_plist(f);
            int *fd = NULL;
            int mfd = -1;
            if (fapl >= 0 && H5Pget_driver(fapl) == H5FD_SEC2 &&
                H5Fget_vfd_handle(f, fapl, (void **)&fd) >= 0 && fd &&
                (mfd = memfd_create("cs-abandoned", 0)) >= 0) {
                dup2(mfd, *fd);
                close(mfd);
            }
            if (fapl >= 0) H5Pclose(fapl);
        }
    }
    h5util_close_objects(f);
    if (H5Fclose(f) < 0 && rc == CS_OK) rc = h5util_fail(-1, path, "cannot close (flush) the file");
    return rc;
}

/* Whether f was opened through MPI-IO (a file shared by several ranks). */
static int h5util_is_mpio(hid_t f)
{
    hid_t fapl = H5Fget_access_plist(f);
    int mpio = fapl >= 0 && H5Pget_driver(fapl) == H5FD_MPIO;
    if (fapl >= 0) H5Pclose(fapl);
    return mpio;
}

int h5util_close_shared(hid_t f, const char *path)
{
    if (!h5util_is_mpio(f)) return h5util_close_file(f, path);
    /* MPI-IO: the bytes were reserved when rank 0 created the file (h5util_create_laid_out) and
     * the ranks wrote raw rows only, so the close has no metadata of its own to place */
    h5util_close_objects(f);
    if (H5Fclose(f) < 0) return h5util_fail(-1, path, "cannot close (flush) the file");
    return CS_OK;
}

/* A file access list: MPI-IO over comm, or the default (POSIX) driver for MPI_COMM_NULL. */
static hid_t h5util_fapl(MPI_Comm comm)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (comm != MPI_COMM_NULL) H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
    return fapl;
}

int h5util_open_read(const char *path, MPI_Comm comm, hid_t *out)
{
    if (access(path, R_OK) != 0)
        return CS_ERROR(CS_EIO, "%s: cannot open: %s", path, strerror(errno));
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) return CS_ERROR(CS_EFORMAT, "%s: not an HDF5 file", path);
    hid_t fapl = h5util_fapl(comm);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f < 0) return CS_ERROR(CS_EIO, "%s: cannot open as HDF5", path);
    *out = f;
    return CS_OK;
}

int h5util_create(const char *tmp_path, hid_t *out)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* Objects of 64 KiB and more start on a 4 KiB file-system block. (1 MiB alignment, tried
     * first, left a hole after every 1.5 MB feature chunk: files 40% larger than their data.) */
    H5Pset_alignment(fapl, 1 << 16, 1 << 12);
    hid_t f = H5Fcreate(tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f < 0) {
        if (commit_fs_full(tmp_path, 0))
            return CS_ERROR(CS_EIO, "no space left on device: %s", tmp_path);
        return CS_ERROR(CS_EIO, "%s: cannot create (directory missing or not writable?)", tmp_path);
    }
    *out = f;
    return CS_OK;
}

int h5util_create_laid_out(const char *path, h5util_layout_fn layout, const void *arg)
{
    char *tmp = h5util_tmpname(path);
    if (!tmp) return CS_ERROR(CS_ENOMEM, "out of memory");
    hid_t f = -1;
    int rc = h5util_create(tmp, &f);
    if (rc == CS_OK) {
        rc = layout(f, tmp, arg);
        /* reserves every byte of the file, the rows every rank writes later included (they are
         * allocated at creation): a disk too small fails here, before any work */
        int crc = h5util_close_file(f, tmp);
        if (rc == CS_OK) rc = crc;
    }
    /* a create that failed (a full disk) may still have left the file's first bytes */
    if (rc != CS_OK) unlink(tmp);
    free(tmp);
    return rc;
}

int h5util_reopen_shared(const char *tmp_path, MPI_Comm comm, hid_t *out)
{
    *out = -1;
    hid_t fapl = h5util_fapl(comm);
    hid_t f = H5Fopen(tmp_path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    if (f < 0) return CS_ERROR(CS_EIO, "%s: cannot reopen for writing", tmp_path);
    *out = f;
    return CS_OK;
}

char *h5util_tmpname(const char *path)
{
    size_t n = strlen(path) + 5;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s.tmp", path);
    return s;
}

int h5util_commit_local(const char *tmp, const char *path, int ok)
{
    int rc = CS_OK;
    if (ok) {
        commit_set *cs = commit_set_alloc();
        rc = cs ? commit_set_add(cs, tmp, path, NULL) : CS_ERROR(CS_ENOMEM, "out of memory");
        if (rc == CS_OK) rc = commit_set_apply(cs);
        commit_set_free(cs);
        if (rc != CS_OK) unlink(tmp);
    } else {
        unlink(tmp);
    }
    return rc;
}
