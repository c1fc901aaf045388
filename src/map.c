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

static void map_resize(sp_map *m, size_t cap)
{
    sp_value *keys = sp_xmalloc(sizeof *keys * cap);
    sp_value *vals = sp_xmalloc(sizeof *vals * cap);
    uint64_t *hashes = sp_xcalloc(cap, sizeof *hashes);
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

static void map_grow(sp_map *m)
{
    map_resize(m, m->cap ? m->cap * 2 : 64);
}

void sp_map_reserve(sp_map *m, size_t n)
{
    size_t cap = m->cap ? m->cap : 64;
    while ((n + 1) * 4 > cap * 3)
        cap *= 2;
    if (cap > m->cap)
        map_resize(m, cap);
}

sp_value *sp_map_get(const sp_map *m, sp_value key)
{
    if (!m->n)
        return NULL;
    uint64_t h = key_hash(key);
    size_t i = h & (m->cap - 1);
    while (m->hashes[i]) {
        if (m->hashes[i] == h && sp_value_equal_inline(m->keys[i], key))
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
        if (m->hashes[i] == h && sp_value_equal_inline(m->keys[i], key)) {
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
        if (m->hashes[i] == h && sp_value_equal_inline(m->keys[i], key))
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

/* Sorting string keys.  Keys are the bulk of the work of a keyed operator
 * with many keys (every batch emits its keys in order), and most string
 * keys differ in their first 16 bytes: each entry carries them as two
 * big-endian numbers, so most comparisons are integer comparisons, and the
 * sort is inlined (no call per comparison).  The order is sp_value_compare's:
 * bytes as unsigned, a prefix before what it begins. */
typedef struct sort_ent {
    uint64_t hi, lo; /* bytes 0..7 and 8..15 of the key, big-endian, zero-padded */
    sp_value key, val;
} sort_ent;

static uint64_t be_bytes(const char *s, size_t n)
{
    unsigned char b[8] = {0};
    if (n)
        memcpy(b, s, n < 8 ? n : 8);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

static inline int ent_less(const sort_ent *x, const sort_ent *y)
{
    if (x->hi != y->hi)
        return x->hi < y->hi;
    if (x->lo != y->lo)
        return x->lo < y->lo;
    size_t n = x->key.n < y->key.n ? x->key.n : y->key.n;
    int c = n > 16 ? memcmp(x->key.u.s + 16, y->key.u.s + 16, n - 16) : 0;
    return c ? c < 0 : x->key.n < y->key.n;
}

static void ent_swap(sort_ent *a, sort_ent *b)
{
    sort_ent t = *a;
    *a = *b;
    *b = t;
}

static void ent_sift(sort_ent *e, size_t i, size_t n)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && ent_less(&e[c], &e[c + 1]))
            c++;
        if (!ent_less(&e[i], &e[c]))
            return;
        ent_swap(&e[i], &e[c]);
        i = c;
    }
}

/* Introsort: quicksort with a median of three, insertion sort for short
 * runs, heapsort when the recursion goes too deep (no quadratic case). */
static void ent_sort(sort_ent *e, size_t n, int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            for (size_t i = n / 2; i-- > 0;)
                ent_sift(e, i, n);
            for (size_t i = n - 1; i > 0; i--) {
                ent_swap(&e[0], &e[i]);
                ent_sift(e, 0, i);
            }
            return;
        }
        size_t mid = n / 2;
        if (ent_less(&e[mid], &e[0]))
            ent_swap(&e[mid], &e[0]);
        if (ent_less(&e[n - 1], &e[0]))
            ent_swap(&e[n - 1], &e[0]);
        if (ent_less(&e[n - 1], &e[mid]))
            ent_swap(&e[n - 1], &e[mid]);
        sort_ent pivot = e[mid];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (ent_less(&e[i], &pivot))
                i++;
            while (ent_less(&pivot, &e[j]))
                j--;
            if (i >= j)
                break;
            ent_swap(&e[i], &e[j]);
            i++;
            j--;
        }
        /* [0, j] <= pivot <= [j + 1, n): recurse on the smaller side */
        size_t left = j + 1;
        if (left < n - left) {
            ent_sort(e, left, depth);
            e += left;
            n -= left;
        } else {
            ent_sort(e + left, n - left, depth);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        sort_ent t = e[i];
        size_t k = i;
        while (k > 0 && ent_less(&t, &e[k - 1])) {
            e[k] = e[k - 1];
            k--;
        }
        e[k] = t;
    }
}

/* Many keys: a radix sort of their first 16 bytes (passes of 11 bits,
 * least significant first, each stable; no comparison, so no mispredicted
 * branch per element), then the runs that share them by the comparison
 * sort.  From `e` into `tmp` and back. */
static void ent_radix(sort_ent *e, sort_ent *tmp, size_t n)
{
    size_t count[2048];
    sort_ent *from = e, *to = tmp;
    for (int pass = 0; pass < 12; pass++) {
        int shift = pass % 6 * 11, high = pass >= 6;
#define DIGIT(x) ((high ? (x).hi : (x).lo) >> shift & 2047)
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[DIGIT(from[i])]++;
        if (count[DIGIT(from[0])] == n)
            continue; /* every key has this digit */
        size_t at = 0;
        for (int d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            to[count[DIGIT(from[i])]++] = from[i];
#undef DIGIT
        sort_ent *t = from;
        from = to;
        to = t;
    }
    if (from != e)
        memcpy(e, from, sizeof *e * n);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && e[j].hi == e[i].hi && e[j].lo == e[i].lo)
            j++;
        if (j - i > 1)
            ent_sort(e + i, j - i, 64);
        i = j;
    }
}

sp_value *sp_map_sorted_pairs(const sp_map *m, sp_arena *a, size_t *n)
{
    sp_value *out = sp_arena_alloc(a, sizeof *out * (m->n ? m->n : 1));
    size_t k = 0;
    int strings = 1;
    for (size_t i = 0; i < m->cap && strings; i++)
        if (m->hashes[i] && m->keys[i].tag != SP_V_STR)
            strings = 0;
    if (strings && m->n > 1) {
        sort_ent *e = sp_xmalloc(sizeof *e * m->n);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->hashes[i])
                continue;
            sp_value key = m->keys[i];
            e[k].hi = be_bytes(key.u.s, key.n);
            e[k].lo = key.n > 8 ? be_bytes(key.u.s + 8, key.n - 8) : 0;
            e[k].key = key;
            e[k].val = m->vals[i];
            k++;
        }
        if (k >= 1024) {
            sort_ent *tmp = sp_xmalloc(sizeof *tmp * k);
            ent_radix(e, tmp, k);
            free(tmp);
        } else {
            int depth = 2;
            for (size_t x = k; x > 1; x >>= 1)
                depth += 2;
            ent_sort(e, k, depth);
        }
        for (size_t i = 0; i < k; i++)
            out[i] = sp_pair(a, e[i].key, e[i].val);
        free(e);
        *n = k;
        return out;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->hashes[i])
            out[k++] = sp_pair(a, m->keys[i], m->vals[i]);
    qsort(out, k, sizeof *out, pair_key_compare);
    *n = k;
    return out;
}
