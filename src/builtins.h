/* builtins.h - the table of built-in functions (from builtins.def). */
#ifndef SP_BUILTINS_H
#define SP_BUILTINS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef enum sp_builtin_id {
#define SP_BUILTIN(id, name, min, max, result, summary) SP_BUILTIN_##id,
#include "builtins.def"
#undef SP_BUILTIN
    SP_BUILTIN_COUNT_
} sp_builtin_id;

typedef struct sp_builtin_info {
    const char *name;    /* as called in pipelines */
    int min_args;        /* fewest arguments */
    int max_args;        /* most arguments, -1 for any number */
    char result;         /* result type letter, see builtins.def */
    const char *summary; /* one line */
} sp_builtin_info;

extern const sp_builtin_info sp_builtins[SP_BUILTIN_COUNT_];

/* Index of the built-in called `name`, or -1. */
int sp_builtin_lookup(const char *name);

/* A constant pattern of match(), extract() or captures(), compiled once
 * before the run (with JIT), with what the calls would otherwise work out for
 * every element: its group count, its name table, and the record shape
 * captures() returns.  Read-only while the run goes on, so evaluators of
 * several threads share it.  sp_eval_prepare keeps it in the call's `rt`. */
typedef struct sp_regex sp_regex;

/* Compiles pattern[0..len); NULL when it does not compile (the checker has
 * reported it).  The shape and tables are allocated in `a`, which must
 * outlive the result; the result itself is freed by sp_regex_free. */
sp_regex *sp_regex_prepare(const char *pattern, size_t len, sp_arena *a);
/* Frees what sp_regex_prepare made outside the arena.  Accepts NULL. */
void sp_regex_free(sp_regex *re);

/* parse_time(s, fmt) without the values: 1 and the time (ms since the epoch)
 * in *ms when s[0..n) reads as fmt[0..fn) and is a date that exists, 0 when
 * not, -1 when the format is invalid (*bad, if given, is the unknown
 * directive, or '\0' for a lone '%' at its end).  Shared with weblog.c. */
int sp_time_parse(const char *s, size_t n, const char *fmt, size_t fn, int64_t *ms, char *bad);

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar. */
int64_t sp_days_from_civil(int64_t y, int m, int d);

#endif
