/* serial.h - byte buffers for checkpoints: a growable writer and a bounded
 * reader, with integers in little-endian order and values encoded by tag.
 *
 * The reader never reads past its end and never trusts a length: any
 * inconsistency sets r->bad, after which every read returns zero/empty, so a
 * decoder can read on and check `bad` once at the end.  This is what makes a
 * corrupt checkpoint refused instead of half-loaded. */
#ifndef SP_SERIAL_H
#define SP_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "value.h"

/* A growable output buffer; owns p (free with sp_wbuf_free). */
typedef struct sp_wbuf {
    unsigned char *p;
    size_t n, cap;
    int bad; /* something could not be encoded (a function value) */
} sp_wbuf;

void sp_wbuf_free(sp_wbuf *w);
void sp_put_bytes(sp_wbuf *w, const void *s, size_t n);
void sp_put_u8(sp_wbuf *w, unsigned v);
void sp_put_u32(sp_wbuf *w, uint32_t v);
void sp_put_u64(sp_wbuf *w, uint64_t v);
void sp_put_i64(sp_wbuf *w, int64_t v);
/* A length-prefixed byte string. */
void sp_put_str(sp_wbuf *w, const char *s, size_t n);
/* A value, recursively; a function value cannot be saved and sets w->bad. */
void sp_put_value(sp_wbuf *w, sp_value v);

/* A reader over bytes it does not own. */
typedef struct sp_rbuf {
    const unsigned char *p;
    size_t n, pos;
    int bad; /* read past the end, or malformed data */
} sp_rbuf;

void sp_rbuf_init(sp_rbuf *r, const void *p, size_t n);
unsigned sp_get_u8(sp_rbuf *r);
uint32_t sp_get_u32(sp_rbuf *r);
uint64_t sp_get_u64(sp_rbuf *r);
int64_t sp_get_i64(sp_rbuf *r);
/* A length-prefixed byte string: a pointer into the buffer (not
 * NUL-terminated), *n its length; NULL (and bad) when it does not fit. */
const char *sp_get_str(sp_rbuf *r, size_t *n);
/* The same copied into `a`, NUL-terminated. */
char *sp_get_cstr(sp_rbuf *r, sp_arena *a);
/* A value written by sp_put_value, allocated in `a` (strings included). */
sp_value sp_get_value(sp_rbuf *r, sp_arena *a);
/* Has the reader used every byte without error? */
int sp_rbuf_done(const sp_rbuf *r);

/* CRC-32C (Castagnoli) of n bytes, continuing from `crc` (start with 0). */
uint32_t sp_crc32c(uint32_t crc, const void *p, size_t n);

/* 64-bit FNV-1a, continuing from `h` (start with SP_FNV_START). */
#define SP_FNV_START 0xcbf29ce484222325ull
uint64_t sp_fnv64(uint64_t h, const void *p, size_t n);

#endif
