/* ops.c - the operator, source and sink tables (from ops.def / ops.h). */
#include "ops.h"

#include <string.h>

const sp_op_info sp_ops[SP_OP_COUNT_] = {
#define SP_OP(id, name, args, opts, usage, summary) {name, args, opts, usage, summary},
#include "ops.def"
#undef SP_OP
};

const sp_io_info sp_sources[SP_SOURCE_COUNT_] = {
#define X(id, name, params, summary) {name, params, summary},
    SP_SOURCE_LIST(X)
#undef X
};

const sp_io_info sp_sinks[SP_SINK_COUNT_] = {
#define X(id, name, params, summary) {name, params, summary},
    SP_SINK_LIST(X)
#undef X
};

int sp_op_lookup(const char *name)
{
    for (int i = 0; i < SP_OP_COUNT_; i++)
        if (strcmp(sp_ops[i].name, name) == 0)
            return i;
    return -1;
}

int sp_op_min_args(const sp_op_info *op)
{
    const char *q = strchr(op->args, '?');
    return q ? (int)(q - op->args) : (int)strlen(op->args);
}

int sp_op_max_args(const sp_op_info *op)
{
    int n = 0;
    for (const char *p = op->args; *p; p++)
        if (*p != '?')
            n++;
    return n;
}

const char *sp_opt_name(int optbit)
{
    switch (optbit) {
    case SP_OPTBIT_SLIDE: return "slide";
    case SP_OPTBIT_INVERSE: return "inverse";
    case SP_OPTBIT_BY: return "by";
    case SP_OPTBIT_DESC: return "desc";
    case SP_OPTBIT_ON: return "on";
    case SP_OPTBIT_WATERMARK: return "watermark";
    case SP_OPTBIT_LATE: return "late";
    }
    return "?";
}

int sp_source_lookup(const char *name)
{
    for (int i = 0; i < SP_SOURCE_COUNT_; i++)
        if (strcmp(sp_sources[i].name, name) == 0)
            return i;
    return -1;
}

int sp_sink_lookup(const char *name)
{
    for (int i = 0; i < SP_SINK_COUNT_; i++)
        if (strcmp(sp_sinks[i].name, name) == 0)
            return i;
    return -1;
}
