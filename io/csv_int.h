/* csv_int.h — the CSV reader's state, shared by the two files of the reader and nobody else:
 * csv_read.c (opening, the buffer and its refills, the header, csv_next) and csv_parse.c (one record
 * parsed in place). The public interface is csv.h.
 */
#ifndef CS_CSV_INT_H
#define CS_CSV_INT_H

#include "csv.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NEED_MORE (-2) /* internal: the record continues past the bytes read so far */

/* SRC_MAP: a regular file read through a window mapped from the page cache (csv_read.c), the
 * others through a buffer the bytes are copied into. */
enum { SRC_MEM, SRC_FD, SRC_FILE, SRC_MAP };

/* Byte classes for the scanning loops; 0 means "ordinary byte, keep going". */
enum { C_NONE = 0, C_DELIM, C_QUOTE, C_LF, C_CR, C_HIGH };

/* Recoverable faults found while parsing a record; the first one is reported once the record's end
 * is known, so that the reader can resume after it. */
enum { E_NONE = 0, E_UTF8, E_AFTER_QUOTE, E_BARE_QUOTE };

struct csv_reader {
    unsigned char *buf; /* owned unless src == SRC_MEM */
    size_t cap;         /* allocated bytes of buf */
    size_t cap_max;     /* buf never grows past this */
    size_t pos, len;    /* unparsed bytes are buf[pos..len) */
    uint64_t base;      /* offset in the input of buf[0] */
    int eof;            /* no bytes are left to read beyond buf[len) */
    int src;
    int fd;
    int own_fd;
    FILE *file;
    char *name;
    void *map;       /* SRC_MAP: the mapping buf points into, and its length (0: none yet) */
    size_t maplen;
    uint64_t fsize;  /* SRC_MAP: the file's size when it was opened, where its bytes end */

    unsigned char ucls[256]; /* classes outside quotes */
    unsigned char qcls[256]; /* classes inside quotes */
    unsigned char delim;
    size_t max_record, max_fields;

    size_t line;     /* physical line of buf[pos] */
    size_t rec_line; /* line where the last record returned or rejected starts */
    size_t ncols;    /* expected field count, 0 until known */
    size_t cur_nf;   /* fields of the last record parsed */
    int fatal;       /* sticky final error, CS_OK while usable */

    csv_field *fields; /* the current record's fields */
    size_t fcap;
    char *scratch; /* collapsed copies of quoted fields with doubled quotes */
    size_t scap;

    int has_header;
    int header_known; /* a range reader (csv_reader_open_range): the header was read by another */
    uint64_t limit;   /* no record starts at or past this input offset (UINT64_MAX: none) */
    csv_record header;
    csv_field *hfields;
    char *hdata;
};


/* Parses the record at buf[pos] (csv_parse.c): CS_OK (fields in r->fields, r->cur_nf), CSV_END,
 * CS_EDATA for a bad record (skipped: the reader resumes after it), NEED_MORE when the record runs
 * past the bytes read so far (the caller refills and calls again), or a fatal status (r->fatal). */
int csv_parse_record(csv_reader *r);

/* Whether byte d can be a delimiter (not a quote, a line end, NUL or a non-ASCII byte). */
int csv_delim_ok(unsigned char d);

#endif
