/* h5util.h — small HDF5 helpers shared by the snapshot, model and score files.
 *
 * HDF5's own error stack is silenced at start-up (h5util_quiet); every helper turns a failure into a
 * status code whose message names the file and the object, which is what a user can act on. Strings
 * are stored as variable-length UTF-8 so that h5py and h5dump read them as they are (Chinese region
 * names included). Files are always written under a temporary name and renamed when complete
 * (h5util_tmpname / h5util_commit_local), so a killed job never leaves a file that looks finished.
 * Nothing here calls MPI: a communicator is only handed to HDF5's MPI-IO driver; where the ranks
 * must agree (rank 0 created the file, rank 0 renamed it) mpi/h5shared.c does the agreeing.
 */
#ifndef CS_H5UTIL_H
#define CS_H5UTIL_H

#include <hdf5.h>
#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* Turns off HDF5's automatic error printing (we report our own messages). */
void h5util_quiet(void);

/* Opens path read-only: through MPI-IO over comm (collective then), or with the POSIX driver when
 * comm is MPI_COMM_NULL. Checks that the file exists and is HDF5 first so the message says which. */
int h5util_open_read(const char *path, MPI_Comm comm, hid_t *out);

/* Creates (truncating) tmp_path for writing by this process alone (POSIX driver). */
int h5util_create(const char *tmp_path, hid_t *out);

/* A file written by every rank is made in two steps; mpi/h5shared.c runs them and agrees on them.
 * First one process (rank 0) calls h5util_create_laid_out: it creates "<path>.tmp" serially and
 * calls layout(file, tmp, arg) to write the metadata and create the datasets (parallel HDF5 1.10 cannot write
 * variable-length strings through MPI-IO, and metadata is small; layout closes what it opens but the
 * file; tmp is the file's name for messages), then closes the file, reserving its bytes; on failure
 * the file is removed. Then, once every
 * rank knows that this succeeded, every rank calls h5util_reopen_shared: read-write, through MPI-IO
 * over comm, or the POSIX driver when comm is MPI_COMM_NULL (one process). */
typedef int (*h5util_layout_fn)(hid_t file, const char *tmp, const void *arg);
int h5util_create_laid_out(const char *path, h5util_layout_fn layout, const void *arg);
int h5util_reopen_shared(const char *tmp_path, MPI_Comm comm, hid_t *out);

/* Closes a file opened for writing serially (sec2) so that the close cannot fail for want of space
 * and leave HDF5 unable to finalise: the bytes below the end of allocation are reserved first
 * (commit_reserve); where they cannot be, the file is abandoned (the close writes into memory) and
 * the caller must remove path. CS_EIO, "no space left on device: PATH" when that was the cause.
 * path is the file's name. Read-only files are just closed. */
int h5util_close_file(hid_t f, const char *path);

/* Closes a file of h5util_reopen_shared: h5util_close_file when it was opened with the POSIX driver;
 * through MPI-IO (collective then) a checked H5Fclose. Returns this rank's status (to be agreed on
 * before the rename). */
int h5util_close_shared(hid_t f, const char *path);

/* "<path>.tmp": the name a file is written under until it is committed. Caller frees. */
char *h5util_tmpname(const char *path);

/* One process's part of committing a file (the collective h5util_commit of mpi/h5shared.h runs it
 * on rank 0): when ok, fsyncs tmp, renames it to path and fsyncs the directory (commit_set_apply),
 * else (or when that fails) removes tmp. Call it only after the file was closed everywhere. */
int h5util_commit_local(const char *tmp, const char *path, int ok);

/* Attributes on an object (file or group or dataset). Strings are UTF-8, variable length. */
int h5util_attr_write_str(hid_t obj, const char *name, const char *value);
int h5util_attr_write_i64(hid_t obj, const char *name, int64_t value);
int h5util_attr_write_f64(hid_t obj, const char *name, double value);
/* n double attributes, named prefix + names[i], in order; stops at the first that fails. */
int h5util_attr_write_f64s(hid_t obj, const char *prefix, const char *const *names, const double *v,
                           size_t n);
/* Reads a string attribute (variable or fixed length, ASCII or UTF-8, padding removed) into buf
 * (truncated to size). CS_EFORMAT when absent, not a string (the message says which type it has) or
 * not valid UTF-8. The i64 reader takes integers of any width and floats holding whole numbers. */
int h5util_attr_read_str(hid_t obj, const char *name, char *buf, size_t size);
int h5util_attr_read_i64(hid_t obj, const char *name, int64_t *value);
int h5util_attr_read_f64(hid_t obj, const char *name, double *value);
int h5util_attr_exists(hid_t obj, const char *name);

/* Writes a 1-D dataset of n UTF-8 strings (serially: call from one rank or on a serial file). */
int h5util_write_strings(hid_t loc, const char *name, const char *const *s, size_t n);
/* Reads a 1-D string dataset: *out is an array of *n malloc'd strings (free with h5util_strings_free).
 * Fixed-length (NULLTERM, NULLPAD, SPACEPAD; padding removed) and variable-length, ASCII or UTF-8;
 * a string that is not valid UTF-8 is CS_EFORMAT naming the row. file is used in messages. */
int h5util_read_strings(hid_t loc, const char *name, const char *file, char ***out, size_t *n);
void h5util_strings_free(char **s, size_t n);

/* Small whole datasets (model parameters): write/read a contiguous dataset of doubles with rank 1
 * or 2 (dims[1] = 0 for rank 1). read checks the shape when expect_dims is given (0 = any). */
int h5util_write_f64(hid_t loc, const char *name, const double *v, size_t d0, size_t d1);
int h5util_read_f64(hid_t loc, const char *name, const char *file, double **out, size_t *d0,
                    size_t *d1);
int h5util_write_i32(hid_t loc, const char *name, const int32_t *v, size_t n);
int h5util_write_i64(hid_t loc, const char *name, const int64_t *v, size_t n);
int h5util_read_i32(hid_t loc, const char *name, const char *file, int32_t **out, size_t *n);

/* CS_EFORMAT "FILE: DATASET row j: name 'x' repeats row k" when two of the n names are equal (names
 * that select rows, files or columns must each appear once). */
int h5util_names_unique(const char *file, const char *dataset, char *const *names, size_t n);

/* Whether n bytes at s are valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
int h5util_utf8_valid(const char *s, size_t n);
/* "integer", "float", "string", ... for messages. */
const char *h5util_class_name(H5T_class_t c);

/* Whether an integer dataset's stored type is signed. */
int h5util_int_is_signed(hid_t dset);
/* Reads rows [row0, row0+n) of a 1-D integer dataset of any width into int64 exactly: is_signed from
 * h5util_int_is_signed. An unsigned value above INT64_MAX cannot be held: *big is then the first
 * such row (relative to row0, its buf entry reinterprets the uint64), else UINT64_MAX. */
int h5util_read_rows_int(hid_t dset, int is_signed, uint64_t row0, uint64_t n, int64_t *buf,
                         uint64_t *big);

/* Opens dataset name under loc and checks its class (H5T_INTEGER/H5T_FLOAT), element size (0: any), rank and
 * leading dimension n (and second dimension p when rank 2). Message names file, dataset and what is
 * wrong. */
int h5util_open_checked(hid_t loc, const char *name, const char *file, H5T_class_t cls, size_t size,
                        int rank, uint64_t n, uint64_t p, hid_t *out);

/* Hyperslab I/O of rows [row0, row0+n) of a 1-D or 2-D (ncols > 0) dataset in memory type mtype. */
int h5util_read_rows(hid_t dset, hid_t mtype, uint64_t row0, uint64_t n, uint64_t ncols, void *buf);
int h5util_write_rows(hid_t dset, hid_t mtype, uint64_t row0, uint64_t n, uint64_t ncols,
                      const void *buf);

/* Creates a 1-D (ncols = 0) or 2-D dataset of n rows; chunk_rows > 0 makes it chunked by rows. */
int h5util_create_rows(hid_t loc, const char *name, hid_t ftype, uint64_t n, uint64_t ncols,
                       uint64_t chunk_rows, hid_t *out);

#endif
