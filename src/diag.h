/* diag.h - diagnostics: errors, warnings and notes with source positions.
 *
 * A compilation owns one sp_diag.  It holds the table of source files (so an
 * sp_loc can be turned into FILE:LINE:COL), prints each message as
 *
 *     FILE:LINE:COL: error: MESSAGE
 *         LINE | the source line
 *              |       ^~~~~
 *              = hint: how to fix it
 *
 * and keeps every message so callers (and tests) can inspect them. */
#ifndef SP_DIAG_H
#define SP_DIAG_H

#include <stdio.h>

#include "srcfile.h"

typedef struct sp_diag sp_diag;

typedef enum sp_severity {
    SP_ERROR,
    SP_WARNING,
    SP_NOTE
} sp_severity;

/* Creates a diagnostics context printing to `out` (NULL: collect only).  The
 * caller keeps ownership of `out`. */
sp_diag *sp_diag_new(FILE *out);

/* Frees the context and every file added to it.  Accepts NULL. */
void sp_diag_free(sp_diag *d);

/* Adds a source file; the context takes ownership of it.  Returns its index
 * for sp_loc.file. */
int sp_diag_add_file(sp_diag *d, sp_srcfile *f);

/* The file with index `idx`, or NULL. */
const sp_srcfile *sp_diag_file(const sp_diag *d, int idx);
int sp_diag_file_count(const sp_diag *d);

/* Reports a message at `loc` (loc.file < 0: no position).  `hint` may be
 * NULL.  An identical message at the same place is reported once; an error
 * or warning whose range overlaps the range of an earlier error is dropped
 * as a consequence of it.  After the error limit further errors are counted
 * but not printed. */
void sp_diag_report(sp_diag *d, sp_severity sev, sp_loc loc, const char *hint,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define sp_diag_error(d, loc, hint, ...) sp_diag_report((d), SP_ERROR, (loc), (hint), __VA_ARGS__)
#define sp_diag_warning(d, loc, hint, ...) sp_diag_report((d), SP_WARNING, (loc), (hint), __VA_ARGS__)
#define sp_diag_note(d, loc, ...) sp_diag_report((d), SP_NOTE, (loc), NULL, __VA_ARGS__)

/* Number of errors / warnings reported so far. */
int sp_diag_errors(const sp_diag *d);
int sp_diag_warnings(const sp_diag *d);

/* Turns warnings off (they are still counted). */
void sp_diag_set_quiet_warnings(sp_diag *d, int quiet);

/* The recorded messages, in order.  Strings are owned by the context. */
int sp_diag_count(const sp_diag *d);
sp_severity sp_diag_severity(const sp_diag *d, int i);
const char *sp_diag_message(const sp_diag *d, int i);
const char *sp_diag_hint(const sp_diag *d, int i); /* NULL if none */
/* 1-based line and column of message i; 0 when it has no position. */
int sp_diag_line(const sp_diag *d, int i);
int sp_diag_col(const sp_diag *d, int i);

/* Formats `loc` as "FILE:LINE:COL" into buf. */
void sp_diag_format_loc(const sp_diag *d, sp_loc loc, char *buf, size_t size);

/* Sets `*line`/`*col` for loc (0 when it has none). */
void sp_diag_position(const sp_diag *d, sp_loc loc, int *line, int *col);

#endif
