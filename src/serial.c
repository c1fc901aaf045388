/* serial.c - byte buffers for checkpoints; see serial.h. */
#include "serial.h"

#include <stdlib.h>
#include <string.h>

/* Values nest at most this deep in a checkpoint (a bound for the decoder,
 * which must survive any input). */
#define MAX_DEPTH 64

void sp_wbuf_free(sp_wbuf *w)
{
    free(w->p);
    w->p = NULL;
    w->n = w->cap = 0;
}

void sp_put_bytes(sp_wbuf *w, const void *s, size_t n)
{
    if (w->n + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->n + n)
            cap *= 2;
        w->p = sp_xrealloc(w->p, cap);
        w->cap = cap;
    }
    if (n)
        memcpy(w->p + w->n, s, n);
    w->n += n;
}

void sp_put_u8(sp_wbuf *w, unsigned v)
{
    unsigned char b = (unsigned char)v;
    sp_put_bytes(w, &b, 1);
}

void sp_put_u32(sp_wbuf *w, uint32_t v)
{
    unsigned char b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    sp_put_bytes(w, b, 4);
}

void sp_put_u64(sp_wbuf *w, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    sp_put_bytes(w, b, 8);
}

void sp_put_i64(sp_wbuf *w, int64_t v)
{
    sp_put_u64(w, (uint64_t)v);
}

void sp_put_str(sp_wbuf *w, const char *s, size_t n)
{
    sp_put_u64(w, n);
    sp_put_bytes(w, s, n);
}

void sp_put_value(sp_wbuf *w, sp_value v)
{
    sp_put_u8(w, v.tag);
    switch ((sp_vtag)v.tag) {
    case SP_V_NULL:
        break;
    case SP_V_BOOL:
    case SP_V_INT:
        sp_put_i64(w, v.u.i);
        break;
    case SP_V_FLOAT: {
        uint64_t bits;
        memcpy(&bits, &v.u.f, sizeof bits);
        sp_put_u64(w, bits);
        break;
    }
    case SP_V_STR:
        sp_put_str(w, v.u.s, v.n);
        break;
    case SP_V_TUPLE:
    case SP_V_LIST:
        sp_put_u32(w, v.n);
        for (uint32_t i = 0; i < v.n; i++)
            sp_put_value(w, v.u.items[i]);
        break;
    case SP_V_RECORD: {
        const sp_shape *sh = v.u.rec->shape;
        sp_put_u32(w, (uint32_t)sh->n);
        for (int i = 0; i < sh->n; i++) {
            sp_put_str(w, sh->names[i], strlen(sh->names[i]));
            sp_put_value(w, v.u.rec->vals[i]);
        }
        break;
    }
    case SP_V_FUNC:
    default:
        w->bad = 1;
        break;
    }
}

void sp_rbuf_init(sp_rbuf *r, const void *p, size_t n)
{
    r->p = p;
    r->n = n;
    r->pos = 0;
    r->bad = 0;
}

/* The next n bytes, or NULL (and bad) when fewer are left. */
static const unsigned char *take(sp_rbuf *r, size_t n)
{
    if (r->bad || n > r->n - r->pos) {
        r->bad = 1;
        return NULL;
    }
    const unsigned char *s = r->p + r->pos;
    r->pos += n;
    return s;
}

unsigned sp_get_u8(sp_rbuf *r)
{
    const unsigned char *s = take(r, 1);
    return s ? s[0] : 0;
}

uint32_t sp_get_u32(sp_rbuf *r)
{
    const unsigned char *s = take(r, 4);
    uint32_t v = 0;
    for (int i = 0; s && i < 4; i++)
        v |= (uint32_t)s[i] << (8 * i);
    return v;
}

uint64_t sp_get_u64(sp_rbuf *r)
{
    const unsigned char *s = take(r, 8);
    uint64_t v = 0;
    for (int i = 0; s && i < 8; i++)
        v |= (uint64_t)s[i] << (8 * i);
    return v;
}

int64_t sp_get_i64(sp_rbuf *r)
{
    return (int64_t)sp_get_u64(r);
}

const char *sp_get_str(sp_rbuf *r, size_t *n)
{
    uint64_t len = sp_get_u64(r);
    const unsigned char *s = r->bad || len > r->n - r->pos ? NULL : take(r, (size_t)len);
    if (!s) {
        r->bad = 1;
        *n = 0;
        return NULL;
    }
    *n = (size_t)len;
    return (const char *)s;
}

char *sp_get_cstr(sp_rbuf *r, sp_arena *a)
{
    size_t n;
    const char *s = sp_get_str(r, &n);
    return sp_arena_strndup(a, s ? s : "", s ? n : 0);
}

static sp_value get_value(sp_rbuf *r, sp_arena *a, int depth)
{
    if (depth > MAX_DEPTH) {
        r->bad = 1;
        return sp_null();
    }
    unsigned tag = sp_get_u8(r);
    if (r->bad)
        return sp_null();
    switch (tag) {
    case SP_V_NULL:
        return sp_null();
    case SP_V_BOOL: {
        int64_t i = sp_get_i64(r);
        if (i != 0 && i != 1)
            r->bad = 1;
        return sp_bool((int)i);
    }
    case SP_V_INT:
        return sp_int(sp_get_i64(r));
    case SP_V_FLOAT: {
        uint64_t bits = sp_get_u64(r);
        double f;
        memcpy(&f, &bits, sizeof f);
        return sp_float(f);
    }
    case SP_V_STR: {
        size_t n;
        const char *s = sp_get_str(r, &n);
        if (!s || n > UINT32_MAX)
            return r->bad = 1, sp_null();
        return sp_str_copy(a, s, n);
    }
    case SP_V_TUPLE:
    case SP_V_LIST: {
        uint32_t n = sp_get_u32(r);
        /* every item takes at least one byte: a count beyond what is left is a lie */
        if (r->bad || n > r->n - r->pos)
            return r->bad = 1, sp_null();
        sp_value v = tag == SP_V_TUPLE ? sp_tuple_new(a, n) : sp_list_new(a, n);
        for (uint32_t i = 0; i < n && !r->bad; i++)
            v.u.items[i] = get_value(r, a, depth + 1);
        return r->bad ? sp_null() : v;
    }
    case SP_V_RECORD: {
        uint32_t n = sp_get_u32(r);
        if (r->bad || n > (r->n - r->pos) / 9 || n > 4096)
            return r->bad = 1, sp_null();
        sp_shape *sh = sp_arena_alloc(a, sizeof *sh);
        sh->n = (int)n;
        sh->names = sp_arena_alloc(a, sizeof *sh->names * (n ? n : 1));
        sp_value *vals = sp_arena_alloc(a, sizeof *vals * (n ? n : 1));
        for (uint32_t i = 0; i < n && !r->bad; i++) {
            sh->names[i] = sp_get_cstr(r, a);
            vals[i] = get_value(r, a, depth + 1);
        }
        if (r->bad)
            return sp_null();
        sp_value v = sp_record_new(a, sh);
        for (uint32_t i = 0; i < n; i++)
            v.u.rec->vals[i] = vals[i];
        return v;
    }
    default:
        r->bad = 1;
        return sp_null();
    }
}

sp_value sp_get_value(sp_rbuf *r, sp_arena *a)
{
    return get_value(r, a, 0);
}

int sp_rbuf_done(const sp_rbuf *r)
{
    return !r->bad && r->pos == r->n;
}

/* The CRC-32C table, built on first use (checkpoints are written and read
 * by one thread at a time; building it twice gives the same table). */
static uint32_t crc_table[256];
static int crc_ready;

uint32_t sp_crc32c(uint32_t crc, const void *p, size_t n)
{
    if (!crc_ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
            crc_table[i] = c;
        }
        crc_ready = 1;
    }
    const unsigned char *s = p;
    crc = ~crc;
    while (n--)
        crc = (crc >> 8) ^ crc_table[(crc ^ *s++) & 0xffu];
    return ~crc;
}

uint64_t sp_fnv64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    while (n--) {
        h ^= *s++;
        h *= 0x100000001b3ull;
    }
    return h;
}
