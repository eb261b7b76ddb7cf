/* h5util_int.h — what the three files of the HDF5 helpers share among themselves (h5util.c,
 * h5util_attr.c, h5util_data.c); the public interface is h5util.h.
 */
#ifndef CS_H5UTIL_INT_H
#define CS_H5UTIL_INT_H

#include <hdf5.h>
#include <stddef.h>

/* H5Ewalk2 callback: sets *(int *)arg when an error of the stack says a write failed for want of
 * space. HDF5 keeps errno only in the text of its error stack (sec2: "errno = 28, error message =
 * 'No space left on device'"; MPI-IO: the MPI error string). */
herr_t h5util_walk_nospace(unsigned n, const H5E_error2_t *e, void *arg);

/* Records a failed HDF5 write on obj (of file path; NULL: asked of obj) and returns CS_EIO: "no space
 * left on device: FILE (what)" when the error stack or the file system says so, else "FILE: what".
 * Call it right after the failing call: any HDF5 call clears the error stack. */
int h5util_fail(hid_t obj, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes a whole contiguous dataset of d0 rows (d1 columns; 0: 1-D) in file type ftype from v in
 * memory type mtype (nothing is written when d0 is 0 or v NULL). CS_EIO through h5util_fail. */
int h5util_write_whole(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const void *v,
                       size_t d0, size_t d1);

/* Opens dataset name of loc, or says which file lacks it, or holds something else under its name
 * (CS_EFORMAT). */
int h5util_open_ds(hid_t loc, const char *name, const char *file, hid_t *ds);

#endif
