/* types.c - static types: constructors, join, printing. */
#include "types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const sp_type sp_type_any = {.kind = SP_T_ANY};
const sp_type sp_type_null = {.kind = SP_T_NULL, .nullable = 1};
const sp_type sp_type_bool = {.kind = SP_T_BOOL};
const sp_type sp_type_int = {.kind = SP_T_INT};
const sp_type sp_type_float = {.kind = SP_T_FLOAT};
const sp_type sp_type_string = {.kind = SP_T_STRING};
const sp_type sp_type_duration = {.kind = SP_T_DURATION};

static sp_type *type_new(sp_arena *a, sp_type_kind kind)
{
    sp_type *t = sp_arena_alloc(a, sizeof *t);
    t->kind = kind;
    return t;
}

static int type_size(const sp_type *t)
{
    return t->size > 0 ? t->size : 1;
}

/* The size of a compound type of these parts, or 0 when it is too large. */
static int compound_size(int n, const sp_type *const *elems)
{
    int size = 1;
    for (int i = 0; i < n; i++) {
        size += type_size(elems[i]);
        if (size > SP_TYPE_MAX_SIZE)
            return 0;
    }
    return size;
}

const sp_type *sp_type_tuple(sp_arena *a, int n, const sp_type **elems)
{
    int size = compound_size(n, elems);
    if (!size)
        return &sp_type_any;
    sp_type *t = type_new(a, SP_T_TUPLE);
    t->size = size;
    t->n = n;
    t->elems = sp_arena_alloc(a, sizeof *t->elems * (size_t)(n ? n : 1));
    memcpy(t->elems, elems, sizeof *t->elems * (size_t)n);
    return t;
}

const sp_type *sp_type_pair(sp_arena *a, const sp_type *k, const sp_type *v)
{
    const sp_type *e[2] = {k, v};
    return sp_type_tuple(a, 2, e);
}

const sp_type *sp_type_record(sp_arena *a, int n, const char **names, const sp_type **elems)
{
    int size = compound_size(n, elems);
    if (!size)
        return &sp_type_any;
    sp_type *t = type_new(a, SP_T_RECORD);
    t->size = size;
    t->n = n;
    t->elems = sp_arena_alloc(a, sizeof *t->elems * (size_t)(n ? n : 1));
    t->names = sp_arena_alloc(a, sizeof *t->names * (size_t)(n ? n : 1));
    memcpy(t->elems, elems, sizeof *t->elems * (size_t)n);
    memcpy(t->names, names, sizeof *t->names * (size_t)n);
    return t;
}

const sp_type *sp_type_list(sp_arena *a, const sp_type *elem)
{
    int size = compound_size(1, &elem);
    if (!size)
        return &sp_type_any;
    sp_type *t = type_new(a, SP_T_LIST);
    t->size = size;
    t->elem = elem;
    return t;
}

const sp_type *sp_type_func(sp_arena *a, int fn_kind, const void *fn, int builtin, int arity)
{
    sp_type *t = type_new(a, SP_T_FUNC);
    t->fn_kind = fn_kind;
    t->fn = fn;
    t->builtin = builtin;
    t->arity = arity;
    return t;
}

const sp_type *sp_type_nullable(sp_arena *a, const sp_type *t)
{
    if (t->nullable || t->kind == SP_T_ANY)
        return t;
    sp_type *c = type_new(a, t->kind);
    *c = *t;
    c->nullable = 1;
    return c;
}

static int type_equal(const sp_type *x, const sp_type *y)
{
    if (x == y)
        return 1;
    if (x->kind != y->kind || x->nullable != y->nullable)
        return 0;
    switch (x->kind) {
    case SP_T_TUPLE:
    case SP_T_RECORD:
        if (x->n != y->n)
            return 0;
        for (int i = 0; i < x->n; i++) {
            if (x->kind == SP_T_RECORD && strcmp(x->names[i], y->names[i]) != 0)
                return 0;
            if (!type_equal(x->elems[i], y->elems[i]))
                return 0;
        }
        return 1;
    case SP_T_LIST:
        return type_equal(x->elem, y->elem);
    case SP_T_FUNC:
        return x->fn == y->fn && x->builtin == y->builtin;
    default:
        return 1;
    }
}

/* Equal but for whether null is allowed at the top. */
static int type_equal_ignoring_null(const sp_type *x, const sp_type *y)
{
    sp_type a = *x, b = *y;
    a.nullable = b.nullable = 0;
    return type_equal(&a, &b);
}

const sp_type *sp_type_join(sp_arena *a, const sp_type *x, const sp_type *y)
{
    if (x->kind == SP_T_ANY || y->kind == SP_T_ANY)
        return &sp_type_any;
    if (x->kind == SP_T_NULL)
        return sp_type_nullable(a, y);
    if (y->kind == SP_T_NULL)
        return sp_type_nullable(a, x);
    int nullable = x->nullable || y->nullable;
    const sp_type *r = NULL;
    if (type_equal_ignoring_null(x, y))
        r = x;
    else if (sp_type_is_numeric(x) && sp_type_is_numeric(y))
        r = &sp_type_float;
    else if (x->kind == y->kind && x->kind == SP_T_LIST)
        r = sp_type_list(a, sp_type_join(a, x->elem, y->elem));
    else if (x->kind == y->kind && (x->kind == SP_T_TUPLE || x->kind == SP_T_RECORD) && x->n == y->n) {
        const sp_type **e = sp_arena_alloc(a, sizeof *e * (size_t)(x->n ? x->n : 1));
        for (int i = 0; i < x->n; i++) {
            if (x->kind == SP_T_RECORD && strcmp(x->names[i], y->names[i]) != 0)
                return &sp_type_any;
            e[i] = sp_type_join(a, x->elems[i], y->elems[i]);
        }
        r = x->kind == SP_T_TUPLE ? sp_type_tuple(a, x->n, e) : sp_type_record(a, x->n, x->names, e);
    } else
        return &sp_type_any;
    if (nullable && !r->nullable)
        r = sp_type_nullable(a, r);
    else if (!nullable && r->nullable) {
        sp_type *c = type_new(a, r->kind);
        *c = *r;
        c->nullable = 0;
        r = c;
    }
    return r;
}

int sp_type_is_numeric(const sp_type *t)
{
    return t->kind == SP_T_INT || t->kind == SP_T_FLOAT;
}

int sp_type_accepts(const sp_type *want, const sp_type *t)
{
    if (want->kind == SP_T_ANY || t->kind == SP_T_ANY)
        return 1;
    if (t->kind == SP_T_NULL)
        return want->nullable;
    if (want->kind == SP_T_FLOAT && t->kind == SP_T_INT)
        return 1;
    if (want->kind != t->kind)
        return 0;
    if (want->kind == SP_T_TUPLE) {
        if (want->n != t->n)
            return 0;
        for (int i = 0; i < t->n; i++)
            if (!sp_type_accepts(want->elems[i], t->elems[i]))
                return 0;
    }
    return 1;
}

int sp_type_field_index(const sp_type *t, const char *name)
{
    if (t->kind == SP_T_RECORD) {
        for (int i = 0; i < t->n; i++)
            if (strcmp(t->names[i], name) == 0)
                return i;
        return -1;
    }
    if (t->kind == SP_T_TUPLE && name[0] == '_' && name[1] >= '1' && name[1] <= '9') {
        char *end;
        long k = strtol(name + 1, &end, 10);
        if (*end == '\0' && k >= 1 && k <= t->n)
            return (int)k - 1;
    }
    return -1;
}

static void type_print(const sp_type *t, FILE *out)
{
    switch (t->kind) {
    case SP_T_ANY: fputs("any", out); return;
    case SP_T_NULL: fputs("null", out); return;
    case SP_T_BOOL: fputs("bool", out); break;
    case SP_T_INT: fputs("int", out); break;
    case SP_T_FLOAT: fputs("float", out); break;
    case SP_T_STRING: fputs("string", out); break;
    case SP_T_DURATION: fputs("duration", out); break;
    case SP_T_TUPLE:
        fputc('(', out);
        for (int i = 0; i < t->n; i++) {
            type_print(t->elems[i], out);
            if (i + 1 < t->n)
                fputs(", ", out);
        }
        fputc(')', out);
        break;
    case SP_T_RECORD:
        fputc('{', out);
        for (int i = 0; i < t->n; i++) {
            fprintf(out, "%s: ", t->names[i]);
            type_print(t->elems[i], out);
            if (i + 1 < t->n)
                fputs(", ", out);
        }
        fputc('}', out);
        break;
    case SP_T_LIST:
        fputs("list<", out);
        type_print(t->elem, out);
        fputc('>', out);
        break;
    case SP_T_FUNC:
        if (t->arity < 0)
            fputs("function", out);
        else
            fprintf(out, "function of %d argument%s", t->arity, t->arity == 1 ? "" : "s");
        break;
    }
    if (t->nullable)
        fputs(" or null", out);
}

char *sp_type_name(sp_arena *a, const sp_type *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return sp_arena_strdup(a, "?");
    type_print(t, mem);
    fclose(mem);
    char *r = sp_arena_strndup(a, buf, len);
    free(buf);
    return r;
}
