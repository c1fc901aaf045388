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
        if (n >= 4) { /* the first 4 bytes and the last 4, which may overlap */
            uint32_t p0, q0, p1, q1;
            memcpy(&p0, x, 4);
            memcpy(&q0, y, 4);
            memcpy(&p1, x + n - 4, 4);
            memcpy(&q1, y + n - 4, 4);
            return p0 == q0 && p1 == q1;
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

/* The hash of the hash tables: 8 bytes at a time, finished by a full
 * avalanche (the tables index by the low bits). */
static inline uint64_t sp_hash_mix(uint64_t x)
{
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return x;
}

/* The high and low halves of a * b folded together: one multiplication
 * mixes every bit of both into the result. */
static inline uint64_t sp_hash_fold(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t sp_hash_load8(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static inline uint64_t sp_hash_load4(const unsigned char *s)
{
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

/* Strings are mostly short keys (addresses, paths, codes): up to 16 bytes
 * take two loads that may overlap and two multiplications, with no loop
 * and no call; longer ones 16 bytes per multiplication. */
static inline uint64_t sp_hash_bytes(uint64_t seed, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t a, b;
    if (n <= 16) {
        if (n >= 8) {
            a = sp_hash_load8(s);
            b = sp_hash_load8(s + n - 8);
        } else if (n >= 4) {
            a = sp_hash_load4(s) << 32 | sp_hash_load4(s + n - 4);
            b = 0;
        } else if (n) {
            a = (uint64_t)s[0] << 16 | (uint64_t)s[n >> 1] << 8 | s[n - 1];
            b = 0;
        } else {
            a = b = 0;
        }
    } else {
        size_t i = n;
        while (i > 16) {
            seed = sp_hash_fold(sp_hash_load8(s) ^ 0xa0761d6478bd642fULL, sp_hash_load8(s + 8) ^ seed);
            s += 16;
            i -= 16;
        }
        a = sp_hash_load8(s + i - 16);
        b = sp_hash_load8(s + i - 8);
    }
    return sp_hash_fold(0xe7037ed1a0b428dbULL ^ n, sp_hash_fold(a ^ 0x8ebc6af09c88c6e3ULL, b ^ seed));
}

/* sp_value_hash of an integer (and of a float equal to one), and of a
 * string. */
static inline uint64_t sp_hash_int(int64_t i)
{
    return sp_hash_mix((uint64_t)i ^ 0x2545f4914f6cdd1dULL);
}

static inline uint64_t sp_hash_str(const char *s, size_t n)
{
    return sp_hash_bytes(0x4f1bbcdcbfa53e0bULL, s, n);
}

/* sp_value_hash, with integers and strings hashed inline, without a call:
 * the keys of the counting combines. */
static inline uint64_t sp_value_hash_inline(sp_value v)
{
    if (v.tag == SP_V_STR)
        return sp_hash_str(v.u.s, v.n);
    if (v.tag == SP_V_INT)
        return sp_hash_int(v.u.i);
    return sp_value_hash(v);
}
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
