/* value.h - runtime values: the elements that flow through a pipeline.
 *
 * A value is 16 bytes, passed by value.  Scalars live inside it; strings are
 * views (pointer + length) into an input buffer or an arena, never owned by
 * the value; tuples, lists and records point to items in an arena.  Whoever
 * owns the arena owns the value: the runtime allocates a batch's values from
 * the batch arena, and operator state copies what it keeps (sp_value_copy)
 * into its own arena. */
#ifndef SP_VALUE_H
#define SP_VALUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"

typedef enum sp_vtag {
    SP_V_NULL,
    SP_V_BOOL,   /* u.i is 0 or 1 */
    SP_V_INT,    /* u.i; also durations and times (milliseconds) */
    SP_V_FLOAT,  /* u.f */
    SP_V_STR,    /* u.s, n bytes (not NUL-terminated) */
    SP_V_TUPLE,  /* u.items[n] */
    SP_V_LIST,   /* u.items[n] */
    SP_V_RECORD, /* u.rec, n fields */
    SP_V_FUNC    /* u.fn: an sp_funcval */
} sp_vtag;

typedef struct sp_value sp_value;
typedef struct sp_record sp_record;
typedef struct sp_funcval sp_funcval;

struct sp_value {
    uint32_t tag; /* sp_vtag */
    uint32_t n;   /* STR: length; TUPLE/LIST/RECORD: number of items */
    union {
        int64_t i;
        double f;
        const char *s;
        sp_value *items;
        sp_record *rec;
        const sp_funcval *fn;
    } u;
};

/* The field names of a record, shared by all records of the same shape. */
typedef struct sp_shape {
    int n;              /* number of fields */
    const char **names; /* their names, in order */
    uint32_t id;        /* nonzero: made once before the run (sp_shape_id()) and
                         * kept as long as the runtime; field lookups cache by it
                         * and copies share it.  0: made at run time. */
} sp_shape;

/* A new nonzero shape id (thread-safe). */
uint32_t sp_shape_id(void);

struct sp_record {
    const sp_shape *shape; /* field names */
    sp_value vals[];       /* field values, in shape order */
};

/* A function value: a user function, a built-in, or a closure. */
struct sp_funcval {
    int kind;            /* 0 user fn (def: sp_stmt), 1 built-in (index), 2 closure (lambda: sp_expr) */
    const void *def;     /* the sp_stmt or sp_expr */
    int builtin;         /* kind 1: built-in index */
    sp_value *env;       /* kind 2: copy of the enclosing frame */
    int nenv;            /* its size */
};

static inline sp_value sp_null(void) { sp_value v = {SP_V_NULL, 0, {0}}; return v; }
static inline sp_value sp_bool(int b) { sp_value v = {SP_V_BOOL, 0, {.i = b ? 1 : 0}}; return v; }
static inline sp_value sp_int(int64_t i) { sp_value v = {SP_V_INT, 0, {.i = i}}; return v; }
static inline sp_value sp_float(double f) { sp_value v = {SP_V_FLOAT, 0, {.f = f}}; return v; }
static inline sp_value sp_str(const char *s, size_t n)
{
    sp_value v = {SP_V_STR, (uint32_t)n, {.s = s}};
    return v;
}
static inline int sp_is_null(sp_value v) { return v.tag == SP_V_NULL; }
static inline int sp_truthy(sp_value v) { return v.tag == SP_V_BOOL && v.u.i; }

/* A string value holding a copy of s[0..n) in `a`. */
sp_value sp_str_copy(sp_arena *a, const char *s, size_t n);
/* A tuple / list of n items (zeroed = nulls) in `a`; fill u.items. */
sp_value sp_tuple_new(sp_arena *a, uint32_t n);
sp_value sp_list_new(sp_arena *a, uint32_t n);
sp_value sp_pair(sp_arena *a, sp_value k, sp_value v);
/* A record of the given shape with null fields, in `a`. */
sp_value sp_record_new(sp_arena *a, const sp_shape *shape);

/* The value of field `name`, or NULL if there is none. */
const sp_value *sp_record_get(sp_value rec, const char *name);

/* A deep copy of v whose strings and items all live in `a`. */
sp_value sp_value_copy(sp_arena *a, sp_value v);

/* Total order used for sorting and ties: null < bool < numbers < strings <
 * tuples < lists < records; numbers compare by value across int and float. */
int sp_value_compare(sp_value a, sp_value b);
/* Equality as '==' in the language (1 == 1.0 is true). */
int sp_value_equal(sp_value a, sp_value b);
/* sp_value_equal, with strings and integers compared inline, without a
 * call: the probes of hash tables, where most comparisons are of short
 * string keys that are equal. */
static inline int sp_value_equal_inline(sp_value a, sp_value b)
{
    if (a.tag == SP_V_STR && b.tag == SP_V_STR) {
        size_t n = a.n;
        const char *x = a.u.s, *y = b.u.s;
        if (n != b.n)
            return 0;
        if (n >= 8) {
            uint64_t p, q;
            for (size_t i = 0; i + 8 < n; i += 8) {
                memcpy(&p, x + i, 8);
                memcpy(&q, y + i, 8);
                if (p != q)
                    return 0;
            }
            memcpy(&p, x + n - 8, 8); /* the last 8 bytes, overlapping what was compared */
            memcpy(&q, y + n - 8, 8);
            return p == q;
        }
        for (size_t i = 0; i < n; i++)
            if (x[i] != y[i])
                return 0;
        return 1;
    }
    if (a.tag == SP_V_INT && b.tag == SP_V_INT)
        return a.u.i == b.u.i;
    return sp_value_equal(a, b);
}

/* A hash consistent with sp_value_equal, for hash tables: fast, and free to
 * change between versions (nothing stores it). */
uint64_t sp_value_hash(sp_value v);
/* Another, stable across versions and machines: the built-in hash(). */
uint64_t sp_value_hash_stable(sp_value v);

/* Writes v as the text sinks print, like Spark's toString: strings bare
 * (never quoted), (a,b) for tuples, [a, b] for lists, {k: v} for records,
 * floats with up to 6 significant digits. */
void sp_value_print(sp_value v, FILE *out);
/* The same text in `a` (length in *len). */
const char *sp_value_text(sp_arena *a, sp_value v, size_t *len);

/* Writes v as JSON (tuples and lists as arrays, records as objects; invalid
 * UTF-8 bytes escaped as \u00XX so the output is always valid JSON). */
void sp_value_print_json(sp_value v, FILE *out);

/* The type name of a value, for runtime error messages. */
const char *sp_value_type_name(sp_value v);

#endif
