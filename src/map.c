/* map.c - open-addressing hash table from values to values. */
#include "map.h"

#include <stdlib.h>
#include <string.h>

void sp_map_init(sp_map *m)
{
    memset(m, 0, sizeof *m);
}

void sp_map_free(sp_map *m)
{
    free(m->keys);
    free(m->vals);
    free(m->hashes);
    memset(m, 0, sizeof *m);
}

void sp_map_clear(sp_map *m)
{
    if (m->hashes)
        memset(m->hashes, 0, sizeof *m->hashes * m->cap);
    m->n = 0;
}

static uint64_t key_hash(sp_value k)
{
    uint64_t h = sp_value_hash(k);
    return h ? h : 1; /* 0 marks an empty slot */
}

static void map_grow(sp_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    sp_value *keys = sp_xmalloc(sizeof *keys * cap);
    sp_value *vals = sp_xmalloc(sizeof *vals * cap);
    uint64_t *hashes = calloc(cap, sizeof *hashes);
    if (!hashes)
        hashes = sp_xrealloc(NULL, 0); /* reports out of memory */
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->hashes[i])
            continue;
        size_t j = m->hashes[i] & (cap - 1);
        while (hashes[j])
            j = (j + 1) & (cap - 1);
        hashes[j] = m->hashes[i];
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    free(m->keys);
    free(m->vals);
    free(m->hashes);
    m->keys = keys;
    m->vals = vals;
    m->hashes = hashes;
    m->cap = cap;
}

sp_value *sp_map_get(const sp_map *m, sp_value key)
{
    if (!m->n)
        return NULL;
    uint64_t h = key_hash(key);
    size_t i = h & (m->cap - 1);
    while (m->hashes[i]) {
        if (m->hashes[i] == h && sp_value_equal(m->keys[i], key))
            return &m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

sp_value *sp_map_put(sp_map *m, sp_value key, int *created)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        map_grow(m);
    uint64_t h = key_hash(key);
    size_t i = h & (m->cap - 1);
    while (m->hashes[i]) {
        if (m->hashes[i] == h && sp_value_equal(m->keys[i], key)) {
            if (created)
                *created = 0;
            return &m->vals[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->hashes[i] = h;
    m->keys[i] = key;
    m->vals[i] = sp_null();
    m->n++;
    if (created)
        *created = 1;
    return &m->vals[i];
}

void sp_map_remove(sp_map *m, sp_value key)
{
    if (!m->n)
        return;
    uint64_t h = key_hash(key);
    size_t mask = m->cap - 1, i = h & mask;
    while (m->hashes[i]) {
        if (m->hashes[i] == h && sp_value_equal(m->keys[i], key))
            break;
        i = (i + 1) & mask;
    }
    if (!m->hashes[i])
        return;
    m->hashes[i] = 0;
    m->n--;
    /* Move later entries of the probe run back into the hole. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & mask;
        if (!m->hashes[j])
            break;
        size_t home = m->hashes[j] & mask;
        int between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (between)
            continue;
        m->hashes[i] = m->hashes[j];
        m->keys[i] = m->keys[j];
        m->vals[i] = m->vals[j];
        m->hashes[j] = 0;
        i = j;
    }
}

static int pair_key_compare(const void *a, const void *b)
{
    const sp_value *x = a, *y = b;
    return sp_value_compare(x->u.items[0], y->u.items[0]);
}

sp_value *sp_map_sorted_pairs(const sp_map *m, sp_arena *a, size_t *n)
{
    sp_value *out = sp_arena_alloc(a, sizeof *out * (m->n ? m->n : 1));
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->hashes[i])
            out[k++] = sp_pair(a, m->keys[i], m->vals[i]);
    qsort(out, k, sizeof *out, pair_key_compare);
    *n = k;
    return out;
}
