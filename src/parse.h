/* parse.h - the parse driver: reads a pipeline file and the library files it
 * uses (`use NAME`, plus the prelude stdlib/core.sp) into one sp_program. */
#ifndef SP_PARSE_H
#define SP_PARSE_H

#include "arena.h"
#include "ast.h"
#include "diag.h"

typedef struct sp_load_options {
    const char *const *lib_dirs; /* searched first for `use` (-I), may be NULL */
    int nlib_dirs;               /* entries in lib_dirs */
    int no_prelude;              /* do not load core.sp */
} sp_load_options;

/* Parses the text of file `file` (already added to d).  Statements are
 * allocated in `a` and returned through *out, even when there were syntax
 * errors (the good statements are kept).  Returns the number of errors. */
int sp_parse_file(sp_diag *d, sp_arena *a, int file, sp_stmt **out);

/* Loads the pipeline at `path` ("-" for stdin) and its libraries.  Returns
 * NULL only when the file itself cannot be read (reported to d).  Errors in
 * the text are reported to d; check sp_diag_errors(). */
sp_program *sp_load(sp_diag *d, sp_arena *a, const char *path, const sp_load_options *opt);

/* The same for pipeline text held in memory (tests, fuzzing). */
sp_program *sp_load_string(sp_diag *d, sp_arena *a, const char *name, const char *text,
                           size_t len, const sp_load_options *opt);

/* The directories searched for libraries, in order, one per line (for
 * --help and error hints); arena-owned. */
char *sp_library_path(sp_arena *a, const sp_program *p, const sp_load_options *opt);

#endif
