/* types.h - static types of pipeline values, as the checker infers them.
 *
 * The language is typed where it can be known (literals, records built by the
 * stdlib parsers, operator results) and dynamic where it cannot (SP_T_ANY);
 * the checker reports a mistake only when the types are known.  Types are
 * immutable and live in the compilation's arena. */
#ifndef SP_TYPES_H
#define SP_TYPES_H

#include <stddef.h>

#include "arena.h"

typedef enum sp_type_kind {
    SP_T_ANY,      /* not known statically */
    SP_T_NULL,     /* only null */
    SP_T_BOOL,
    SP_T_INT,      /* 64-bit signed */
    SP_T_FLOAT,    /* double */
    SP_T_STRING,   /* bytes, usually UTF-8 */
    SP_T_DURATION, /* milliseconds */
    SP_T_TUPLE,    /* (a, b, ...): elems[n]; fields _1.._n */
    SP_T_RECORD,   /* {name: type, ...}: names[n], elems[n] */
    SP_T_LIST,     /* [elem, ...]: elem */
    SP_T_FUNC      /* a function value: arity (-1 when variadic), fn */
} sp_type_kind;

typedef struct sp_type sp_type;
struct sp_type {
    sp_type_kind kind;      /* which type */
    int nullable;           /* may also be null */
    int n;                  /* TUPLE / RECORD: number of elements */
    const sp_type **elems;  /* TUPLE / RECORD element types */
    const char **names;     /* RECORD field names */
    const sp_type *elem;    /* LIST element type */
    int arity;              /* FUNC: parameter count, -1 variadic */
    int fn_kind;            /* FUNC: 0 user fn (fn: sp_stmt), 1 builtin (index), 2 lambda (fn: sp_expr) */
    const void *fn;         /* FUNC: what it refers to */
    int builtin;            /* FUNC, fn_kind 1: builtin index */
    int size;               /* nodes of the type written out as a tree (0: one) */
};

/* Types are shared, so a tuple of tuples of ... can be exponentially larger
 * written out than in memory; a compound type larger than this becomes ANY,
 * which keeps printing, comparing and joining types cheap. */
#define SP_TYPE_MAX_SIZE 256

/* Shared singletons for the simple types (never freed, never modified). */
extern const sp_type sp_type_any, sp_type_null, sp_type_bool, sp_type_int,
    sp_type_float, sp_type_string, sp_type_duration;

const sp_type *sp_type_tuple(sp_arena *a, int n, const sp_type **elems);
const sp_type *sp_type_pair(sp_arena *a, const sp_type *k, const sp_type *v);
const sp_type *sp_type_record(sp_arena *a, int n, const char **names, const sp_type **elems);
const sp_type *sp_type_list(sp_arena *a, const sp_type *elem);
const sp_type *sp_type_func(sp_arena *a, int fn_kind, const void *fn, int builtin, int arity);
/* The same type, also allowing null. */
const sp_type *sp_type_nullable(sp_arena *a, const sp_type *t);

/* The narrowest type holding values of both (ANY when there is none). */
const sp_type *sp_type_join(sp_arena *a, const sp_type *x, const sp_type *y);

int sp_type_is_numeric(const sp_type *t); /* int or float (not null) */
/* Could a value of type t be used where `want` is needed (ANY matches all)? */
int sp_type_accepts(const sp_type *want, const sp_type *t);

/* Index of field `name` in a RECORD, or of `_1`.. in a TUPLE; -1 if none. */
int sp_type_field_index(const sp_type *t, const char *name);

/* A readable spelling: int, (string, int), {host: string, ...}, list<int>. */
char *sp_type_name(sp_arena *a, const sp_type *t);

#endif
