/* value.c - runtime values: construction, copy, order, hash, printing. */
#include "value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

sp_value sp_str_copy(sp_arena *a, const char *s, size_t n)
{
    char *d = sp_arena_alloc_raw(a, n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return sp_str(d, n);
}

static sp_value items_new(sp_arena *a, sp_vtag tag, uint32_t n)
{
    sp_value v;
    v.tag = tag;
    v.n = n;
    v.u.items = sp_arena_alloc(a, sizeof(sp_value) * (n ? n : 1));
    return v;
}

sp_value sp_tuple_new(sp_arena *a, uint32_t n) { return items_new(a, SP_V_TUPLE, n); }
sp_value sp_list_new(sp_arena *a, uint32_t n) { return items_new(a, SP_V_LIST, n); }

sp_value sp_pair(sp_arena *a, sp_value k, sp_value v)
{
    sp_value t = items_new(a, SP_V_TUPLE, 2);
    t.u.items[0] = k;
    t.u.items[1] = v;
    return t;
}

sp_value sp_record_new(sp_arena *a, const sp_shape *shape)
{
    sp_value v;
    v.tag = SP_V_RECORD;
    v.n = (uint32_t)shape->n;
    v.u.rec = sp_arena_alloc(a, sizeof(sp_record) + sizeof(sp_value) * (size_t)shape->n);
    v.u.rec->shape = shape;
    return v;
}

const sp_value *sp_record_get(sp_value rec, const char *name)
{
    if (rec.tag != SP_V_RECORD)
        return NULL;
    const sp_shape *sh = rec.u.rec->shape;
    for (int i = 0; i < sh->n; i++)
        if (strcmp(sh->names[i], name) == 0)
            return &rec.u.rec->vals[i];
    return NULL;
}

uint32_t sp_shape_id(void)
{
    static uint32_t next;
    uint32_t id = __atomic_add_fetch(&next, 1, __ATOMIC_RELAXED);
    return id ? id : __atomic_add_fetch(&next, 1, __ATOMIC_RELAXED);
}

static const sp_shape *shape_copy(sp_arena *a, const sp_shape *sh)
{
    if (sh->id)
        return sh; /* prepared: outlives any state */
    sp_shape *c = sp_arena_alloc(a, sizeof *c);
    c->n = sh->n;
    c->names = sp_arena_alloc(a, sizeof *c->names * (size_t)(sh->n ? sh->n : 1));
    for (int i = 0; i < sh->n; i++)
        c->names[i] = sp_arena_strdup(a, sh->names[i]);
    return c;
}

sp_value sp_value_copy(sp_arena *a, sp_value v)
{
    switch (v.tag) {
    case SP_V_STR:
        return sp_str_copy(a, v.u.s, v.n);
    case SP_V_TUPLE:
    case SP_V_LIST: {
        sp_value c = items_new(a, v.tag, v.n);
        for (uint32_t i = 0; i < v.n; i++)
            c.u.items[i] = sp_value_copy(a, v.u.items[i]);
        return c;
    }
    case SP_V_RECORD: {
        /* Prepared shapes (records built by the pipeline, captures() of a
         * constant pattern) outlive any state and are shared; shapes made
         * at run time are copied along. */
        sp_value c = sp_record_new(a, shape_copy(a, v.u.rec->shape));
        for (uint32_t i = 0; i < v.n; i++)
            c.u.rec->vals[i] = sp_value_copy(a, v.u.rec->vals[i]);
        return c;
    }
    default:
        return v;
    }
}

static int tag_rank(sp_vtag t)
{
    switch (t) {
    case SP_V_NULL: return 0;
    case SP_V_BOOL: return 1;
    case SP_V_INT:
    case SP_V_FLOAT: return 2;
    case SP_V_STR: return 3;
    case SP_V_TUPLE: return 4;
    case SP_V_LIST: return 5;
    case SP_V_RECORD: return 6;
    default: return 7;
    }
}

static int cmp_num(sp_value a, sp_value b)
{
    if (a.tag == SP_V_INT && b.tag == SP_V_INT)
        return a.u.i < b.u.i ? -1 : a.u.i > b.u.i;
    double x = a.tag == SP_V_INT ? (double)a.u.i : a.u.f;
    double y = b.tag == SP_V_INT ? (double)b.u.i : b.u.f;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return x < y ? -1 : x > y;
}

int sp_value_compare(sp_value a, sp_value b)
{
    int ra = tag_rank(a.tag), rb = tag_rank(b.tag);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    switch (a.tag) {
    case SP_V_NULL: return 0;
    case SP_V_BOOL: return (a.u.i > b.u.i) - (a.u.i < b.u.i);
    case SP_V_INT:
    case SP_V_FLOAT: return cmp_num(a, b);
    case SP_V_STR: {
        size_t n = a.n < b.n ? a.n : b.n;
        int c = n ? memcmp(a.u.s, b.u.s, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return (a.n > b.n) - (a.n < b.n);
    }
    case SP_V_TUPLE:
    case SP_V_LIST: {
        uint32_t n = a.n < b.n ? a.n : b.n;
        for (uint32_t i = 0; i < n; i++) {
            int c = sp_value_compare(a.u.items[i], b.u.items[i]);
            if (c)
                return c;
        }
        return (a.n > b.n) - (a.n < b.n);
    }
    case SP_V_RECORD: {
        uint32_t n = a.n < b.n ? a.n : b.n;
        for (uint32_t i = 0; i < n; i++) {
            int c = strcmp(a.u.rec->shape->names[i], b.u.rec->shape->names[i]);
            if (c)
                return c < 0 ? -1 : 1;
            c = sp_value_compare(a.u.rec->vals[i], b.u.rec->vals[i]);
            if (c)
                return c;
        }
        return (a.n > b.n) - (a.n < b.n);
    }
    default:
        return (a.u.fn > b.u.fn) - (a.u.fn < b.u.fn);
    }
}

int sp_value_equal(sp_value a, sp_value b)
{
    if (a.tag == SP_V_NULL || b.tag == SP_V_NULL)
        return a.tag == b.tag;
    if (a.tag == b.tag && (a.tag == SP_V_STR || a.tag == SP_V_INT))
        return sp_value_equal_inline(a, b); /* strings and integers: one definition, in value.h */
    return sp_value_compare(a, b) == 0;
}

static uint64_t stable_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t stable_mix(uint64_t h, uint64_t x)
{
    return stable_bytes(h, &x, sizeof x);
}

uint64_t sp_value_hash_stable(sp_value v)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    switch (v.tag) {
    case SP_V_NULL: return stable_mix(h, 0);
    case SP_V_BOOL: return stable_mix(h, 1 + (uint64_t)v.u.i);
    case SP_V_FLOAT:
        /* an integral float hashes like the int it equals */
        if (v.u.f == floor(v.u.f) && fabs(v.u.f) < 9.2e18)
            return stable_mix(stable_mix(h, 2), (uint64_t)(int64_t)v.u.f);
        return stable_bytes(stable_mix(h, 3), &v.u.f, sizeof v.u.f);
    case SP_V_INT: return stable_mix(stable_mix(h, 2), (uint64_t)v.u.i);
    case SP_V_STR: return stable_bytes(stable_mix(h, 4), v.u.s, v.n);
    case SP_V_TUPLE:
    case SP_V_LIST:
        h = stable_mix(h, (uint64_t)tag_rank(v.tag) + 10);
        for (uint32_t i = 0; i < v.n; i++)
            h = stable_mix(h, sp_value_hash_stable(v.u.items[i]));
        return h;
    case SP_V_RECORD:
        for (uint32_t i = 0; i < v.n; i++) {
            const char *name = v.u.rec->shape->names[i];
            h = stable_bytes(h, name, strlen(name));
            h = stable_mix(h, sp_value_hash_stable(v.u.rec->vals[i]));
        }
        return h;
    default:
        return stable_mix(h, (uint64_t)(uintptr_t)v.u.fn);
    }
}

uint64_t sp_value_hash(sp_value v)
{
    switch (v.tag) {
    case SP_V_INT: return sp_hash_int(v.u.i);
    case SP_V_STR: return sp_hash_str(v.u.s, v.n);
    case SP_V_FLOAT:
        /* an integral float hashes like the int it equals */
        if (v.u.f == floor(v.u.f) && fabs(v.u.f) < 9.2e18)
            return sp_hash_int((int64_t)v.u.f);
        return sp_hash_mix(sp_hash_bytes(3, &v.u.f, sizeof v.u.f));
    case SP_V_TUPLE:
    case SP_V_LIST: {
        uint64_t h = (uint64_t)tag_rank(v.tag) + 10;
        for (uint32_t i = 0; i < v.n; i++)
            h = sp_hash_mix(h ^ sp_value_hash(v.u.items[i]));
        return h;
    }
    default:
        return sp_value_hash_stable(v);
    }
}

/* The shortest decimal that reads back as exactly f (0.1, not
 * 0.10000000000000001). */
static void shortest_double(double f, char *buf, size_t size)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, f);
        if (strtod(buf, NULL) == f)
            return;
    }
}

static void print_float(double f, FILE *out)
{
    char buf[40];
    if (isnan(f))
        fputs("NaN", out);
    else if (isinf(f))
        fputs(f > 0 ? "Infinity" : "-Infinity", out);
    else if (f == floor(f) && fabs(f) < 1e15)
        fprintf(out, "%.1f", f);
    else {
        shortest_double(f, buf, sizeof buf);
        fputs(buf, out);
    }
}

static void print_text(sp_value v, FILE *out);

/* The items of a tuple or list between `open` and `close`. */
static void print_items(sp_value v, const char *open, const char *sep, const char *close, FILE *out)
{
    fputs(open, out);
    for (uint32_t i = 0; i < v.n; i++) {
        if (i)
            fputs(sep, out);
        print_text(v.u.items[i], out);
    }
    fputs(close, out);
}

static void print_text(sp_value v, FILE *out)
{
    switch (v.tag) {
    case SP_V_NULL: fputs("null", out); break;
    case SP_V_BOOL: fputs(v.u.i ? "true" : "false", out); break;
    case SP_V_INT: fprintf(out, "%lld", (long long)v.u.i); break;
    case SP_V_FLOAT: print_float(v.u.f, out); break;
    case SP_V_STR: fwrite(v.u.s, 1, v.n, out); break;
    case SP_V_TUPLE: print_items(v, "(", ",", ")", out); break;  /* (a,b), as Spark */
    case SP_V_LIST: print_items(v, "[", ", ", "]", out); break;
    case SP_V_RECORD:
        fputc('{', out);
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                fputs(", ", out);
            fprintf(out, "%s: ", v.u.rec->shape->names[i]);
            print_text(v.u.rec->vals[i], out);
        }
        fputc('}', out);
        break;
    default: fputs("<function>", out); break;
    }
}

void sp_value_print(sp_value v, FILE *out)
{
    print_text(v, out);
}

const char *sp_value_text(sp_arena *a, sp_value v, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    if (!mem) {
        *len = 0;
        return "";
    }
    print_text(v, mem);
    fclose(mem);
    char *r = sp_arena_strndup(a, buf, n);
    free(buf);
    *len = n;
    return r;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (len > n)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

static void print_json_string(const char *s, size_t n, FILE *out)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    for (size_t i = 0; i < n;) {
        /* a run of printable ASCII that needs no escape, in one write (a
         * call per byte, each locking the stream, was most of the time of
         * a sink printing many addresses) */
        size_t j = i;
        while (j < n && p[j] >= 0x20 && p[j] < 0x7f && p[j] != '"' && p[j] != '\\')
            j++;
        if (j > i) {
            fwrite(p + i, 1, j - i, out);
            i = j;
            continue;
        }
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            i++;
        } else if (c == '\n') {
            fputs("\\n", out);
            i++;
        } else if (c == '\r') {
            fputs("\\r", out);
            i++;
        } else if (c == '\t') {
            fputs("\\t", out);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(out, "\\u%04x", c);
            i++;
        } else {
            size_t len = utf8_len(p + i, n - i);
            if (len) {
                fwrite(p + i, 1, len, out);
                i += len;
            } else {
                /* a raw byte that is not UTF-8: keep it visible, keep JSON valid */
                fprintf(out, "\\u%04x", c);
                i++;
            }
        }
    }
    fputc('"', out);
}

void sp_value_print_json(sp_value v, FILE *out)
{
    switch (v.tag) {
    case SP_V_NULL: fputs("null", out); break;
    case SP_V_BOOL: fputs(v.u.i ? "true" : "false", out); break;
    case SP_V_INT: fprintf(out, "%lld", (long long)v.u.i); break;
    case SP_V_FLOAT:
        if (isnan(v.u.f) || isinf(v.u.f)) {
            fputs("null", out);
        } else {
            char buf[40];
            shortest_double(v.u.f, buf, sizeof buf);
            fputs(buf, out);
        }
        break;
    case SP_V_STR: print_json_string(v.u.s, v.n, out); break;
    case SP_V_TUPLE:
    case SP_V_LIST:
        fputc('[', out);
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                fputc(',', out);
            sp_value_print_json(v.u.items[i], out);
        }
        fputc(']', out);
        break;
    case SP_V_RECORD:
        fputc('{', out);
        for (uint32_t i = 0; i < v.n; i++) {
            if (i)
                fputc(',', out);
            const char *name = v.u.rec->shape->names[i];
            print_json_string(name, strlen(name), out);
            fputc(':', out);
            sp_value_print_json(v.u.rec->vals[i], out);
        }
        fputc('}', out);
        break;
    default: fputs("null", out); break;
    }
}

const char *sp_value_type_name(sp_value v)
{
    static const char *const names[] = {"null", "bool", "int", "float", "string",
                                        "tuple", "list", "record", "function"};
    return v.tag <= SP_V_FUNC ? names[v.tag] : "?";
}
