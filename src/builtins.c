/* builtins.c - the table of built-in functions. */
#include "builtins.h"

#include <string.h>

const sp_builtin_info sp_builtins[SP_BUILTIN_COUNT_] = {
#define SP_BUILTIN(id, name, min, max, result, summary) {name, min, max, result, summary},
#include "builtins.def"
#undef SP_BUILTIN
};

int sp_builtin_lookup(const char *name)
{
    for (int i = 0; i < SP_BUILTIN_COUNT_; i++)
        if (strcmp(sp_builtins[i].name, name) == 0)
            return i;
    return -1;
}
