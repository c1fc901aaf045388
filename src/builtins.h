/* builtins.h - the table of built-in functions (from builtins.def). */
#ifndef SP_BUILTINS_H
#define SP_BUILTINS_H

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

#endif
