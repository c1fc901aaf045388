/* arena.h - bump allocator: many small allocations released together.
 *
 * The front end allocates the whole AST, its strings and the checker's types
 * from one arena, so error recovery in the parser can never leak: the arena is
 * freed at once when the compilation is done.  The runtime uses one arena per
 * micro-batch the same way. */
#ifndef SP_ARENA_H
#define SP_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct sp_arena sp_arena;

/* Returns a new, empty arena; the caller owns it and frees it with
 * sp_arena_free().  Never returns NULL (out of memory aborts). */
sp_arena *sp_arena_new(void);

/* Releases the arena and every block allocated from it.  Accepts NULL. */
void sp_arena_free(sp_arena *a);

/* Empties the arena: everything allocated from it is released at once, but
 * its blocks are kept for the next allocations (an arena reset per batch or
 * per chunk of work touches no new memory, and its footprint stays that of
 * the largest batch).  sp_arena_used() counts from 0 again. */
void sp_arena_reset(sp_arena *a);

#define SP_ARENA_ALIGN 16

/* The one part of an arena visible here, its first member: the free space
 * of the block allocations come from, which the inline allocation below
 * takes from (every value the runtime builds comes this way: a call per
 * allocation cost more than the allocation).  The rest is arena.c's. */
typedef struct sp_arena_bump {
    unsigned char *next; /* the next free byte, aligned; NULL: no block yet */
    unsigned char *end;  /* the end of the block */
} sp_arena_bump;

/* sp_arena_alloc_raw when the current block has no room (or n is too
 * large to be aligned: out of memory): a new block. */
void *sp_arena_alloc_block(sp_arena *a, size_t n);

/* Returns n bytes aligned for any type, owned by the arena, not zeroed: for
 * what the caller fills at once. */
static inline void *sp_arena_alloc_raw(sp_arena *a, size_t n)
{
    sp_arena_bump *b = (sp_arena_bump *)(void *)a;
    size_t need = (n + SP_ARENA_ALIGN - 1) & ~(size_t)(SP_ARENA_ALIGN - 1);
    if (need >= n && (uintptr_t)b->end - (uintptr_t)b->next >= need) {
        void *p = b->next;
        b->next += need;
        return p;
    }
    return sp_arena_alloc_block(a, n);
}

/* The same, zeroed. */
static inline void *sp_arena_alloc(sp_arena *a, size_t n)
{
    void *p = sp_arena_alloc_raw(a, n);
    memset(p, 0, n);
    return p;
}

/* Copies s[0..n) into the arena and NUL-terminates it. */
char *sp_arena_strndup(sp_arena *a, const char *s, size_t n);

/* Copies the NUL-terminated s into the arena. */
char *sp_arena_strdup(sp_arena *a, const char *s);

/* printf into the arena. */
char *sp_arena_printf(sp_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Total bytes handed out so far (for statistics and tests). */
size_t sp_arena_used(const sp_arena *a);

/* malloc/realloc that abort with a message when memory is exhausted; for the
 * few heap objects that outlive an arena. */
void *sp_xmalloc(size_t n);
/* calloc that aborts likewise. */
void *sp_xcalloc(size_t n, size_t size);
/* sp_xmalloc aligned to `align` (a power of two, at least sizeof(void *));
 * n is rounded up to a multiple of it.  Freed with free(). */
void *sp_xmalloc_aligned(size_t align, size_t n);
void *sp_xrealloc(void *p, size_t n);
char *sp_xstrdup(const char *s);
/* printf into a malloc'd string (exits when out of memory, like the rest). */
char *sp_xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
