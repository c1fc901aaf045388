/* srcfile.h - pipeline source text held in memory, and source locations.
 *
 * Every AST node carries an sp_loc: a file number and a byte range.  Lines and
 * columns are computed only when a message is printed, from the line table
 * kept here (the approach of jq's locfile.c). */
#ifndef SP_SRCFILE_H
#define SP_SRCFILE_H

#include <stddef.h>

/* A range of bytes [start, end) in source file number `file`. */
typedef struct sp_loc {
    int file;  /* index in the compilation's file table (sp_diag) */
    int start; /* byte offset of the first byte */
    int end;   /* byte offset one past the last byte */
} sp_loc;

typedef struct sp_srcfile sp_srcfile;

/* Reads the file at `path`.  On failure returns NULL and sets *err to a
 * malloc'd message the caller frees. */
sp_srcfile *sp_srcfile_load(const char *path, char **err);

/* Wraps a copy of text[0..len) under the display name `name`. */
sp_srcfile *sp_srcfile_from_string(const char *name, const char *text, size_t len);

/* Frees the file.  Accepts NULL. */
void sp_srcfile_free(sp_srcfile *f);

const char *sp_srcfile_name(const sp_srcfile *f);
/* The text, NUL-terminated (len bytes, may contain other NULs). */
const char *sp_srcfile_text(const sp_srcfile *f, size_t *len);

/* 1-based line and column of byte `offset`; the column counts characters
 * (UTF-8 sequences count once, a tab counts once). */
void sp_srcfile_position(const sp_srcfile *f, int offset, int *line, int *col);

/* The text of 1-based `line` without its line end; returns its length. */
size_t sp_srcfile_line(const sp_srcfile *f, int line, const char **start);

/* Number of lines (a final line without newline counts). */
int sp_srcfile_line_count(const sp_srcfile *f);

#endif
