/* map.h - an open-addressing hash table from values to values.
 *
 * Linear probing over power-of-two arrays, no allocation per entry.  Keys and
 * values are stored as given (the caller decides which arena owns what they
 * point to).  Used by the keyed operators, per batch and as state. */
#ifndef SP_MAP_H
#define SP_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "value.h"

typedef struct sp_map {
    sp_value *keys;   /* cap entries; owned */
    sp_value *vals;   /* cap entries; owned */
    uint64_t *hashes; /* cap entries, 0 marks an empty slot; owned */
    size_t cap;       /* a power of two */
    size_t n;         /* entries in use */
} sp_map;

void sp_map_init(sp_map *m);
void sp_map_free(sp_map *m);
/* Empties the map, keeping its arrays. */
void sp_map_clear(sp_map *m);
/* Makes room for n entries in all, so that putting them does not grow
 * the arrays again and again (a map rebuilt every batch). */
void sp_map_reserve(sp_map *m, size_t n);

/* The value slot of `key`, or NULL when absent. */
sp_value *sp_map_get(const sp_map *m, sp_value key);
/* The value slot of `key`, inserted (null) when absent; *created says which. */
sp_value *sp_map_put(sp_map *m, sp_value key, int *created);

/* Removes `key` if present (backward-shift deletion: no tombstones). */
void sp_map_remove(sp_map *m, sp_value key);

/* Iteration: for (size_t i = 0; i < m->cap; i++) if (m->hashes[i]) ... */

/* The entries as (key, value) pairs sorted by key, in `a` (n of them). */
sp_value *sp_map_sorted_pairs(const sp_map *m, sp_arena *a, size_t *n);

#endif
