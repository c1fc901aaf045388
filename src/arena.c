/* arena.c - bump allocator: see arena.h. */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (64 * 1024)

typedef struct arena_block {
    struct arena_block *next; /* older block, or NULL */
    size_t size;              /* usable bytes in data[] */
    size_t used;              /* bytes handed out from data[] */
    _Alignas(SP_ARENA_ALIGN) unsigned char data[];
} arena_block;

struct sp_arena {
    sp_arena_bump bump; /* the free space of `head` (first: arena.h reads it); head->used is
                         * brought up to date only when another block becomes the head */
    arena_block *head;  /* block allocations come from; owns the chain */
    size_t total;       /* bytes handed out since the last reset, but in head */
    arena_block *spare; /* emptied standard blocks kept by sp_arena_reset for reuse; owned */
    arena_block *spare_big; /* emptied large blocks (one request each) likewise; owned */
};

static void out_of_memory(size_t n)
{
    fprintf(stderr, "streampipe: out of memory (allocating %zu bytes)\n", n);
    abort();
}

void *sp_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *sp_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n * size);
    return p;
}

void *sp_xmalloc_aligned(size_t align, size_t n)
{
    size_t size = (n + align - 1) & ~(align - 1);
    void *p = size >= n ? aligned_alloc(align, size ? size : align) : NULL;
    if (!p)
        out_of_memory(n);
    return p;
}

void *sp_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *sp_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = sp_xmalloc(n);
    memcpy(d, s, n);
    return d;
}

sp_arena *sp_arena_new(void)
{
    /* a cache line of its own: the threads' arenas are written at every
     * allocation, and two of them on one line would make it bounce */
    sp_arena *a = sp_xmalloc_aligned(64, sizeof *a);
    a->bump.next = a->bump.end = NULL;
    a->head = NULL;
    a->total = 0;
    a->spare = NULL;
    a->spare_big = NULL;
    return a;
}

static void free_chain(arena_block *b)
{
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
}

void sp_arena_reset(sp_arena *a)
{
    /* spare blocks the last round did not need go; the round's own blocks
     * become the spares: the footprint follows the last round's */
    free_chain(a->spare);
    free_chain(a->spare_big);
    a->spare = a->spare_big = NULL;
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        b->used = 0;
        arena_block **list = b->size == ARENA_BLOCK ? &a->spare : &a->spare_big;
        b->next = *list;
        *list = b;
        b = next;
    }
    a->head = NULL;
    a->bump.next = a->bump.end = NULL;
    a->total = 0;
}

void sp_arena_free(sp_arena *a)
{
    if (!a)
        return;
    free_chain(a->head);
    free_chain(a->spare);
    free_chain(a->spare_big);
    free(a);
}

void *sp_arena_alloc_block(sp_arena *a, size_t n)
{
    size_t need = (n + SP_ARENA_ALIGN - 1) & ~(size_t)(SP_ARENA_ALIGN - 1);
    if (need < n)
        out_of_memory(n);
    size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    /* a spare block: a standard one, or for a large request the smallest
     * large one that fits */
    arena_block **pick = NULL;
    if (size == ARENA_BLOCK) {
        if (a->spare)
            pick = &a->spare;
    } else {
        for (arena_block **s = &a->spare_big; *s; s = &(*s)->next)
            if ((*s)->size >= need && (!pick || (*s)->size < (*pick)->size))
                pick = s;
    }
    arena_block *b;
    if (pick) {
        b = *pick;
        *pick = b->next;
    } else {
        b = sp_xmalloc(sizeof *b + size);
        b->size = size;
    }
    /* A large request gets its own block behind the current one so the
     * space left in the current block is not wasted. */
    if (a->head && need > ARENA_BLOCK) {
        b->used = need;
        a->total += need;
        b->next = a->head->next;
        a->head->next = b;
        return b->data;
    }
    if (a->head) {
        a->head->used = (size_t)(a->bump.next - a->head->data);
        a->total += a->head->used;
    }
    b->used = 0;
    b->next = a->head;
    a->head = b;
    a->bump.next = b->data + need;
    a->bump.end = b->data + b->size;
    return b->data;
}

char *sp_arena_strndup(sp_arena *a, const char *s, size_t n)
{
    char *d = sp_arena_alloc_raw(a, n + 1);
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sp_arena_strdup(sp_arena *a, const char *s)
{
    return sp_arena_strndup(a, s, strlen(s));
}

char *sp_arena_printf(sp_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return sp_arena_strdup(a, "");
    char *d = sp_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

size_t sp_arena_used(const sp_arena *a)
{
    return a->total + (a->head ? (size_t)(a->bump.next - a->head->data) : 0);
}

char *sp_xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = sp_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    va_start(ap, fmt);
    vsnprintf(s, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    va_end(ap);
    return s;
}
