/* runtime_par.c - the parallel stage of a batch: the stateless prefix of the
 * plan (map, filter and flatMap chains fed by a source) and a map-side
 * combine for the reducers it feeds, run over chunks of the batch by a pool
 * of threads.
 *
 * A batch is cut into chunks of PAR_CHUNK records of each source: the cut
 * depends on the batch only, never on the number of threads, and the chunks
 * are joined in chunk order, so the output is the same for any number of
 * threads (one included).  Threads take the next chunk as they become free.
 * Each thread has its own evaluator and arenas: nothing is locked and nothing
 * malloc'd per record.  A chunk is evaluated in a scratch arena, emptied
 * once what leaves the stage (the outputs read outside it, the partial
 * results) is copied out: the intermediate values of a batch (parsed
 * records, matches, tuples) never take more memory than one chunk's.
 *
 * Map-side combine: a reduce or reduceByWindow reading a stage node is given
 * one partial result per chunk (the chunk's elements reduced in order)
 * instead of the elements; a reduceByKey or reduceByKeyAndWindow one
 * (key, partial) pair per key and chunk.  The operator then runs as before
 * on these: for the associative reducers the language asks for
 * (docs/language.md), the result is the same as reducing every element in
 * order.  See runtime_int.h.
 *
 * Two combines need no evaluator per element, because their result does not
 * depend on how the elements are grouped:
 * - counting: a keyed combine of a fused `map (k, LITERAL)` whose reducer
 *   adds (core.sp's sum) counts each key's elements: the partial is the
 *   count times the literal, an exact integer whatever the order.  Each
 *   worker keeps one table of counts for the whole batch (not one per
 *   chunk), and the merge adds the workers' counts.  Its pairs come sorted
 *   by (hash, first element), each key as it first came in chunk order, so
 *   the order is the same for any number of threads.
 * - stats: a reduce by core.sp's merge_stats of a fused `map stats(x)`
 *   keeps (count, sum, min, max) of each chunk's integers unboxed; at the
 *   first element that is not an integer, or a sum that would overflow, it
 *   goes on with the functions themselves, in order, as without it. */
#include "runtime_int.h"
#include "map.h"
#include "pool.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAR_CHUNK 1024 /* records of a source per chunk */
/* A counting combine keeps a key's count (below 2^40: a trillion elements
 * in one batch) and the chunk it first came in (below 2^24) in one word:
 * it runs on batches of fewer chunks than this (16 G elements of a
 * source, 256 GiB of values); larger ones go through the general combine. */
#define PAR_COUNT_BITS 40
#define PAR_COUNT_CHUNKS (1u << (64 - PAR_COUNT_BITS))
#define PAR_PARTS 16   /* key partitions of a keyed combine's merge */

typedef struct par_chunk {
    sp_vec *outs;   /* per stage node: its output for the chunk */
    uint64_t *counts; /* per stage node: how many elements it produced (also when fused) */
    /* per keyed combiner m: its partials in combs[m] are by key partition,
     * partition k at [bounds[m][k], bounds[m][k + 1]) (what is not a pair
     * first, with partition 0) */
    size_t (*bounds)[PAR_PARTS + 1];
    sp_vec *combs;  /* per combiner: the chunk's partial results */
} par_chunk;

/* A key's count in a counting combine (see above). */
typedef struct par_count {
    uint64_t hash;  /* the key's hash as sp_map keeps it (never 0); 0: an empty entry */
    sp_value key;   /* its first element's key, copied into the worker's arena */
    /* first << PAR_COUNT_BITS | n: n, how many elements had it; first, the
     * chunk its first element came in (a worker runs its chunks in order,
     * and no two workers run the same chunk, so the chunk alone orders a
     * key's entries of different workers) */
    uint64_t count;
} par_count; /* 32 bytes, in a table aligned to 64: an entry is on one cache line */

#define PAR_COUNT_N(e) ((e)->count & ((UINT64_C(1) << PAR_COUNT_BITS) - 1))
#define PAR_COUNT_FIRST(e) ((e)->count >> PAR_COUNT_BITS)

/* A worker's counts of one counting combine, for the whole batch: open
 * addressing on `e`; then, once its chunks are done, the entries by key
 * partition in `parts` (partition k at [bounds[k], bounds[k + 1])). */
typedef struct par_counts {
    par_count *e;     /* cap entries; owned */
    size_t cap, n;
    par_count *parts; /* n entries; owned */
    size_t partcap;
    size_t bounds[PAR_PARTS + 1];
} par_counts;

typedef struct par_worker {
    _Alignas(64) sp_eval ev; /* its evaluator; ev.arena is `scratch` while a chunk runs (each worker on
                              * cache lines of its own: they are written all the time) */
    sp_arena *arena;  /* what its chunks hand on (kept outputs, partials) this batch; owned */
    sp_arena *scratch; /* everything else a chunk makes, emptied after each chunk; owned */
    sp_map map;       /* keyed combine of one chunk (reused) */
    uint64_t *ns;     /* per stage node, then per combiner: time spent this batch */
    sp_vec *views;    /* per stage node: its input in the chunk being run (views) */
    par_counts *counts; /* per combiner: its counts when it is a counting combine */
    sp_vec *outs;     /* per stage node not kept: its output for the chunk being run (the kept
                       * nodes' stay in their chunk's vector until the chunks are joined) */
    uint64_t fed_wait_ns; /* this batch: time it waited for a feed's elements */
} par_worker;

struct sp_par {
    sp_pool *pool;            /* the threads; owned */
    sp_par_node *nodes;       /* the stage, in plan order; the caller's */
    int n;
    sp_par_combiner *combs;   /* the combiners; the caller's */
    int ncombs;
    /* Fusion: a map (k, v) read only by keyed combiners is not run; they
     * evaluate k and v on its input themselves, and no tuple is made.  Per
     * stage node: the (k, v) expression, or NULL. */
    const sp_expr **pair;
    /* Per stage node: the call stats(x) of a map fused into the reduces by
     * merge_stats reading it (see above), or NULL. */
    const sp_expr **stats;
    /* Per combiner: the literal of a counting combine (see above), and
     * whether it is one; whether its reducer is core.sp's sum (integers are
     * then added without the evaluator). */
    int64_t *count_by;
    char *counting, *adds;
    int count_ok;             /* this batch is small enough for counting combines (PAR_COUNT_CHUNKS) */
    par_worker *workers;      /* one per thread; owned */
    int nworkers;
    par_chunk *chunks;        /* per chunk of the batch; owned, reused */
    int nchunks, capchunks;
    int next_chunk;           /* the next chunk to take (atomic) */
    /* The merge of a keyed combiner's partials: PAR_PARTS tasks per keyed
     * combiner, each merging the keys of its partition over every chunk, in
     * chunk order, into one (key, value) pair per key. */
    int *merge_comb;          /* per task: its combiner */
    int nmerge;               /* tasks */
    sp_vec *merged;           /* per task: its pairs; owned */
    par_count **gather;       /* per task of a counting combine: its partition of every worker; owned */
    size_t *gathercap;
    int next_task;            /* the next task to take (atomic) */
    /* the batch being run */
    uint64_t batch;
    int64_t batch_ms, time_ms;
    int final;
    const sp_feed *feed;      /* the source still being read (sp_par_run_fed), or NULL */
};

/* Does combiner m count this batch (see PAR_COUNT_CHUNKS)? */
static inline int par_counting(const sp_par *p, int m)
{
    return p->counting[m] && p->count_ok;
}

static uint64_t par_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The key partition of a hash (its high bits: the tables index by the low
 * ones). */
static inline int par_part(uint64_t h)
{
    return (int)(h >> 58 & (PAR_PARTS - 1));
}

/* A reducer applied to two partials: core.sp's sum of two integers added in
 * place (`adds`; an overflow goes to the function, which gives a float),
 * anything else through the evaluator. */
static sp_value par_apply(par_worker *w, const sp_par_combiner *cb, int adds, sp_value a, sp_value b)
{
    int64_t r;
    if (adds && a.tag == SP_V_INT && b.tag == SP_V_INT && !__builtin_add_overflow(a.u.i, b.u.i, &r))
        return sp_int(r);
    sp_value args[2] = {a, b};
    return sp_eval_fn_arg(&w->ev, cb->f, cb->nlocals, args, 2);
}

/* Is stage node j read by combiners only (at least one), all keyed (for a
 * fused map (k, v)), or all reduces by merge_stats (stats: for a fused map
 * stats(x))? */
static int only_combiners_read(const sp_par_node *nodes, int n, const sp_par_combiner *combs, int ncombs, int j,
                               int stats)
{
    int ok = 1, readers = 0;
    for (int k = 0; k < n; k++)
        ok &= nodes[k].input != j;
    for (int m = 0; m < ncombs; m++)
        if (combs[m].input == j) {
            readers++;
            ok &= stats ? !combs[m].keyed && sp_eval_fn_kind_of(combs[m].f) == SP_EVAL_FN_MERGE_STATS
                        : combs[m].keyed;
        }
    return ok && readers;
}

sp_par *sp_par_new(int threads, sp_par_node *nodes, int n, sp_par_combiner *combs, int ncombs, sp_diag *d)
{
    if (threads < 1 || n < 1)
        return NULL;
    sp_pool *pool = sp_pool_new(threads);
    if (!pool)
        return NULL; /* the caller runs everything itself */
    sp_par *p = sp_xmalloc(sizeof *p);
    memset(p, 0, sizeof *p);
    p->pool = pool;
    p->nodes = nodes;
    p->n = n;
    p->combs = combs;
    p->ncombs = ncombs;
    p->nworkers = threads;
    p->workers = sp_xmalloc_aligned(64, sizeof *p->workers * (size_t)threads);
    for (int k = 0; k < threads; k++) {
        par_worker *w = &p->workers[k];
        w->arena = sp_arena_new();
        w->scratch = sp_arena_new();
        sp_eval_init(&w->ev, w->scratch, d);
        sp_map_init(&w->map);
        w->ns = sp_xmalloc(sizeof *w->ns * (size_t)(n + ncombs));
        w->views = sp_xmalloc(sizeof *w->views * (size_t)n);
        w->outs = sp_xmalloc(sizeof *w->outs * (size_t)n);
        memset(w->outs, 0, sizeof *w->outs * (size_t)n);
    }
    p->pair = sp_xmalloc(sizeof *p->pair * (size_t)n);
    p->stats = sp_xmalloc(sizeof *p->stats * (size_t)n);
    for (int j = 0; j < n; j++) {
        const sp_par_node *pn = &nodes[j];
        const sp_expr *e = pn->node->step->args ? pn->node->step->args->value : NULL;
        p->pair[j] = p->stats[j] = NULL;
        if (pn->keep || pn->node->op != SP_OP_MAP || !e)
            continue;
        if (e->kind == SP_E_TUPLE && e->u.items.n == 2 && only_combiners_read(nodes, n, combs, ncombs, j, 0))
            p->pair[j] = e;
        else if (e->kind == SP_E_CALL && e->u.call.nargs == 1 && !e->u.call.args->name &&
                 sp_eval_fn_kind_of(e->u.call.fn) == SP_EVAL_FN_STATS &&
                 only_combiners_read(nodes, n, combs, ncombs, j, 1))
            p->stats[j] = e;
    }
    p->count_by = sp_xmalloc(sizeof *p->count_by * (size_t)(ncombs ? ncombs : 1));
    p->counting = sp_xmalloc((size_t)(ncombs ? ncombs : 1));
    p->adds = sp_xmalloc((size_t)(ncombs ? ncombs : 1));
    for (int m = 0; m < ncombs; m++) {
        const sp_expr *pair = p->pair[combs[m].input];
        const sp_expr *v = pair ? pair->u.items.items->next->value : NULL;
        p->adds[m] = sp_eval_fn_kind_of(combs[m].f) == SP_EVAL_FN_ADD;
        /* |literal| <= 2^23: no count (below 2^40) times it overflows */
        p->counting[m] = combs[m].keyed && p->adds[m] && v && v->kind == SP_E_INT && v->u.i <= (1 << 23) &&
                         v->u.i >= -(1 << 23);
        p->count_by[m] = p->counting[m] ? v->u.i : 0;
    }
    for (int k = 0; k < threads; k++) {
        p->workers[k].counts = sp_xmalloc(sizeof(par_counts) * (size_t)(ncombs ? ncombs : 1));
        memset(p->workers[k].counts, 0, sizeof(par_counts) * (size_t)(ncombs ? ncombs : 1));
    }
    p->merge_comb = sp_xmalloc(sizeof *p->merge_comb * (size_t)(ncombs ? ncombs : 1) * PAR_PARTS);
    for (int m = 0; m < ncombs; m++)
        if (combs[m].keyed)
            for (int k = 0; k < PAR_PARTS; k++)
                p->merge_comb[p->nmerge++] = m;
    p->merged = sp_xmalloc(sizeof *p->merged * (size_t)(p->nmerge ? p->nmerge : 1));
    memset(p->merged, 0, sizeof *p->merged * (size_t)(p->nmerge ? p->nmerge : 1));
    p->gather = sp_xmalloc(sizeof *p->gather * (size_t)(p->nmerge ? p->nmerge : 1));
    p->gathercap = sp_xmalloc(sizeof *p->gathercap * (size_t)(p->nmerge ? p->nmerge : 1));
    memset(p->gather, 0, sizeof *p->gather * (size_t)(p->nmerge ? p->nmerge : 1));
    memset(p->gathercap, 0, sizeof *p->gathercap * (size_t)(p->nmerge ? p->nmerge : 1));
    return p;
}

int sp_par_threads(const sp_par *p)
{
    return p ? p->nworkers : 1;
}

/* Makes room in t for `more` keys. */
static void par_count_room(par_counts *t, size_t more)
{
    if ((t->n + more) * 4 > t->cap * 3) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        par_count *e = sp_xmalloc_aligned(64, cap * sizeof *e);
        memset(e, 0, cap * sizeof *e);
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->e[i].hash)
                continue;
            size_t j = t->e[i].hash & (cap - 1);
            while (e[j].hash)
                j = (j + 1) & (cap - 1);
            e[j] = t->e[i];
        }
        free(t->e);
        t->e = e;
        t->cap = cap;
        par_count_room(t, more); /* doubled once: maybe not enough */
    }
}

/* The entry of `key` (hash h) in t, added with n = 0 when absent; t has
 * room for it (par_count_room). */
static inline par_count *par_count_put(par_counts *t, sp_value key, uint64_t h)
{
    size_t i = h & (t->cap - 1);
    while (t->e[i].hash) {
        if (t->e[i].hash == h && sp_value_equal_inline(t->e[i].key, key))
            return &t->e[i];
        i = (i + 1) & (t->cap - 1);
    }
    t->n++;
    t->e[i].hash = h;
    t->e[i].count = 0;
    return &t->e[i];
}

/* Counts the keys of a fused map (k, LITERAL) over the chunk's elements
 * `in` into the worker's table for the batch; what the map gives when it
 * fails (null, not a pair) goes to `out`, for the operator to report. */
static void par_count_chunk(par_worker *w, par_counts *t, const sp_vec *in, const sp_expr *pair, int nlocals,
                            int c, sp_vec *out)
{
    /* By blocks: the keys of a block and their hashes first, each key's
     * entry asked of the memory at once (a table of many keys is larger
     * than the cache), then the counts, once the entries have come. */
    enum { BLOCK = 32 };
    sp_value keys[BLOCK], vals[BLOCK];
    unsigned char ok[BLOCK];
    uint64_t hashes[BLOCK];
    for (size_t i0 = 0; i0 < in->n; i0 += BLOCK) {
        size_t end = i0 + BLOCK < in->n ? i0 + BLOCK : in->n;
        /* (field, 1): every element gives a pair; else some may not */
        int all = sp_eval_elem_keys(&w->ev, pair, nlocals, in->v + i0, end - i0, keys);
        if (!all)
            sp_eval_elem_pairs(&w->ev, pair, nlocals, in->v + i0, end - i0, keys, vals, ok);
        par_count_room(t, end - i0);
        int nk = 0;
        for (size_t i = i0; i < end; i++) {
            if (!all) {
                if (!ok[i - i0]) {
                    sp_vec_push(out, sp_null());
                    continue;
                }
                if (nk != (int)(i - i0))
                    keys[nk] = keys[i - i0]; /* nk < i - i0 */
            }
            uint64_t h = sp_value_hash_inline(keys[nk]);
            hashes[nk] = h ? h : 1;
            __builtin_prefetch(&t->e[hashes[nk] & (t->cap - 1)]);
            nk++;
        }
        for (int k = 0; k < nk; k++) {
            par_count *e = par_count_put(t, keys[k], hashes[k]);
            if (!e->count) {
                e->key = sp_value_copy(w->arena, keys[k]);
                e->count = (uint64_t)c << PAR_COUNT_BITS;
            }
            e->count++;
        }
    }
}

/* The worker's counts by key partition, once its chunks are done. */
static void par_count_parts(par_counts *t)
{
    size_t count[PAR_PARTS] = {0};
    for (size_t i = 0; i < t->cap; i++)
        if (t->e[i].hash)
            count[par_part(t->e[i].hash)]++;
    t->bounds[0] = 0;
    for (int k = 0; k < PAR_PARTS; k++) {
        t->bounds[k + 1] = t->bounds[k] + count[k];
        count[k] = t->bounds[k];
    }
    if (t->partcap < t->n) {
        t->partcap = t->n;
        free(t->parts);
        t->parts = sp_xmalloc(sizeof *t->parts * t->n);
    }
    for (size_t i = 0; i < t->cap; i++)
        if (t->e[i].hash)
            t->parts[count[par_part(t->e[i].hash)]++] = t->e[i];
}

/* Reduces a fused map stats(x) by merge_stats over the chunk's elements
 * `in`: one partial into `out`, (count, sum, min, max) of the integers x
 * gives, unboxed; from the first x that is not an integer (or would
 * overflow the sum) on, stats and merge_stats themselves, in order. */
static void par_stats(par_worker *w, const sp_par_combiner *cb, const sp_vec *in, const sp_expr *call, int nlocals,
                      sp_vec *out)
{
    if (in->n == 0)
        return;
    const sp_expr *fn = call->u.call.fn;
    int64_t count = 0, sum = 0, lo = 0, hi = 0;
    size_t i = 0;
    sp_value x = sp_null();
    /* the integers x gives, a block at a time; at the first that is not
     * one (x holds it) or would overflow the sum (x is made again from it),
     * i is its element's index */
    enum { BLOCK = 64 };
    int64_t xs[BLOCK];
    int more = 1;
    while (more && i < in->n) {
        size_t len = in->n - i < BLOCK ? in->n - i : BLOCK;
        int stopped;
        size_t m = sp_eval_elem_call_ints(&w->ev, call, nlocals, in->v + i, len, xs, &x, &stopped);
        more = !stopped;
        for (size_t j = 0; j < m; j++) {
            int64_t v = xs[j], next;
            if (!count) {
                sum = lo = hi = v;
            } else {
                if (__builtin_add_overflow(sum, v, &next)) {
                    x = sp_int(v);
                    m = j; /* the elements after it in the block were evaluated: integers, without errors */
                    more = 0;
                    break;
                }
                sum = next;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            count++;
        }
        i += m;
    }
    sp_value acc = sp_null();
    if (count) {
        acc = sp_tuple_new(w->ev.arena, 4);
        acc.u.items[0] = sp_int(count);
        acc.u.items[1] = sp_int(sum);
        acc.u.items[2] = sp_int(lo);
        acc.u.items[3] = sp_int(hi);
    }
    /* from element i on (x is its value), as without the combine */
    while (i < in->n) {
        sp_value v = sp_eval_fn_arg(&w->ev, fn, nlocals, &x, 1);
        if (i == 0) {
            acc = v;
        } else {
            acc = par_apply(w, cb, 0, acc, v);
        }
        if (++i < in->n)
            x = sp_eval_elem_call_arg(&w->ev, call, nlocals, in->v[i]);
    }
    sp_vec_push(out, acc);
}

/* Reduces the chunk's elements `in` into `out`: one partial result, or for
 * a keyed combiner one (key, partial) pair per key, in the order the map
 * holds them (the order among keys does not matter: each key's partials
 * stay in chunk order).  Elements that are not pairs go through as they are,
 * for the operator to report.  `adds`: the reducer is core.sp's sum. */
static void par_combine(par_worker *w, const sp_par_combiner *cb, int adds, const sp_vec *in, const sp_expr *pair,
                        int pair_nlocals, sp_vec *out, size_t *bounds)
{
    if (in->n == 0)
        return;
    if (!cb->keyed) {
        sp_value acc = in->v[0];
        for (size_t i = 1; i < in->n; i++)
            acc = par_apply(w, cb, adds, acc, in->v[i]);
        sp_vec_push(out, acc);
        return;
    }
    sp_map *m = &w->map;
    sp_map_clear(m);
    for (size_t i = 0; i < in->n; i++) {
        sp_value key, val;
        if (pair) { /* `in` is the input of a fused map (k, v) */
            if (!sp_eval_elem_pair(&w->ev, pair, pair_nlocals, in->v[i], &key, &val)) {
                sp_vec_push(out, sp_null()); /* what the map gives then */
                continue;
            }
        } else {
            sp_value x = in->v[i];
            if (x.tag != SP_V_TUPLE || x.n != 2) {
                sp_vec_push(out, x);
                continue;
            }
            key = x.u.items[0];
            val = x.u.items[1];
        }
        int created;
        sp_value *slot = sp_map_put(m, key, &created);
        *slot = created ? val : par_apply(w, cb, adds, *slot, val);
    }
    /* by partition: the high bits of the hash the map keeps (see par_part) */
    size_t count[PAR_PARTS] = {0};
    for (size_t i = 0; i < m->cap; i++)
        if (m->hashes[i])
            count[par_part(m->hashes[i])]++;
    bounds[0] = 0;
    size_t at = out->n;
    for (int k = 0; k < PAR_PARTS; k++) {
        bounds[k + 1] = at + count[k];
        count[k] = k ? bounds[k] : at; /* where partition k's next pair goes */
        at = bounds[k + 1];
    }
    if (out->cap < at) {
        out->cap = at;
        out->v = sp_xrealloc(out->v, sizeof *out->v * at);
    }
    out->n = at;
    for (size_t i = 0; i < m->cap; i++)
        if (m->hashes[i])
            out->v[count[par_part(m->hashes[i])]++] = sp_pair(w->ev.arena, m->keys[i], m->vals[i]);
}

/* Where stage node j's output for chunk ch is, on worker w: in the
 * chunk's vector when something outside the stage reads it (kept until the
 * chunks are joined), else in the worker's (for one chunk at a time). */
static sp_vec *par_node_out(sp_par *p, par_worker *w, par_chunk *ch, int j)
{
    return p->nodes[j].keep ? &ch->outs[j] : &w->outs[j];
}

/* Chunk c on worker w: its records of every source, through every node of
 * the stage, then the combiners.  fed: with a feed, how many of its
 * elements are complete (at least up to the chunk's end, or all). */
static void par_run_chunk(sp_par *p, par_worker *w, int c, size_t fed)
{
    par_chunk *ch = &p->chunks[c];
    w->ev.arena = w->scratch;
    for (int j = 0; j < p->n; j++) {
        const sp_par_node *pn = &p->nodes[j];
        sp_vec part = {0};
        const sp_vec *in;
        if (pn->input < 0) {
            const sp_vec *src = p->feed ? p->feed->vec : pn->src;
            size_t total = p->feed ? fed : src->n, lo = (size_t)c * PAR_CHUNK, hi = lo + PAR_CHUNK;
            if (lo > total)
                lo = total;
            if (hi > total)
                hi = total;
            part.v = src->v + lo;
            part.n = hi - lo;
            part.present = 1;
            in = &part;
        } else {
            in = par_node_out(p, w, ch, pn->input);
        }
        sp_vec *out = par_node_out(p, w, ch, j);
        sp_vec_reset(out);
        if (p->pair[j] || p->stats[j]) { /* fused into its combiners: a map gives one element per element */
            w->views[j] = *in;
            ch->counts[j] = in->n;
            continue;
        }
        uint64_t t0 = par_mono_ns();
        if (in->n) {
            sp_opctx ctx = {&w->ev, pn->node, pn->node->step, p->batch, p->batch_ms, p->time_ms, p->final, NULL};
            pn->op->process(&ctx, NULL, in, NULL, out);
        }
        ch->counts[j] = out->n;
        w->ns[j] += par_mono_ns() - t0;
    }
    for (int m = 0; m < p->ncombs; m++) {
        uint64_t t0 = par_mono_ns();
        int from = p->combs[m].input;
        const sp_expr *pair = p->pair[from];
        int nlocals = p->nodes[from].node->step->nlocals;
        sp_vec_reset(&ch->combs[m]);
        if (par_counting(p, m))
            par_count_chunk(w, &w->counts[m], &w->views[from], pair, nlocals, c, &ch->combs[m]);
        else if (p->stats[from])
            par_stats(w, &p->combs[m], &w->views[from], p->stats[from], nlocals, &ch->combs[m]);
        else
            par_combine(w, &p->combs[m], p->adds[m], pair ? &w->views[from] : par_node_out(p, w, ch, from), pair,
                        nlocals, &ch->combs[m], ch->bounds[m]);
        w->ns[p->n + m] += par_mono_ns() - t0;
    }
    /* what leaves the stage moves to the batch-long arena; the rest goes */
    for (int j = 0; j < p->n; j++) {
        if (!p->nodes[j].keep)
            continue;
        sp_vec *v = &ch->outs[j];
        for (size_t i = 0; i < v->n; i++)
            v->v[i] = sp_value_copy(w->arena, v->v[i]);
    }
    for (int m = 0; m < p->ncombs; m++) {
        sp_vec *v = &ch->combs[m];
        for (size_t i = 0; i < v->n; i++)
            v->v[i] = sp_value_copy(w->arena, v->v[i]);
    }
    sp_arena_reset(w->scratch);
}

/* With a feed: waits until chunk c's elements are all there, or the read
 * ended; returns whether the chunk has any (*fed: how many elements are
 * complete).  The reader is several times faster than a worker: the wait is
 * for the first chunks of a batch, while the thread that ran the operators
 * after the stage catches up with it. */
static int par_feed_wait(const sp_par *p, par_worker *w, int c, size_t *fed)
{
    size_t need = (size_t)(c + 1) * PAR_CHUNK;
    uint64_t t0 = 0;
    for (int tries = 0;; tries++) {
        int done = __atomic_load_n(p->feed->done, __ATOMIC_ACQUIRE);
        size_t ready = __atomic_load_n(&p->feed->vec->ready, __ATOMIC_ACQUIRE);
        if (ready >= need || done) { /* done: `ready` is the read's final count */
            *fed = ready;
            if (tries)
                w->fed_wait_ns += par_mono_ns() - t0;
            return (size_t)c * PAR_CHUNK < ready;
        }
        if (!tries)
            t0 = par_mono_ns();
        if (tries < 16) {
            sched_yield(); /* the reader may want this core */
        } else {
            struct timespec ts = {0, 20000};
            nanosleep(&ts, NULL);
        }
    }
}

/* Thread k: chunks, as long as there are some. */
static void par_thread(void *ctx, int k)
{
    sp_par *p = ctx;
    par_worker *w = &p->workers[k];
    for (;;) {
        int c = __atomic_fetch_add(&p->next_chunk, 1, __ATOMIC_RELAXED);
        if (c >= p->nchunks)
            break;
        size_t fed = 0;
        if (p->feed && !par_feed_wait(p, w, c, &fed))
            break; /* the read ended before this chunk */
        par_run_chunk(p, w, c, fed);
    }
    for (int m = 0; m < p->ncombs; m++)
        if (par_counting(p, m))
            par_count_parts(&w->counts[m]);
}

static int par_count_order(const void *a, const void *b)
{
    const par_count *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    if (PAR_COUNT_FIRST(x) != PAR_COUNT_FIRST(y))
        return PAR_COUNT_FIRST(x) < PAR_COUNT_FIRST(y) ? -1 : 1;
    /* two keys of one hash first seen in one chunk (by one worker) */
    return sp_value_compare(x->key, y->key);
}

/* Merge task t of a counting combine on worker w: the counts of its
 * partition over every worker, added by key, sorted by (hash, first
 * element): an order that depends on the batch only. */
static void par_merge_counts(sp_par *p, par_worker *w, int t)
{
    int part = t % PAR_PARTS, m = p->merge_comb[t];
    size_t n = 0;
    for (int k = 0; k < p->nworkers; k++) {
        const par_counts *c = &p->workers[k].counts[m];
        n += c->bounds[part + 1] - c->bounds[part]; /* 0 when it has none (bounds are reset each batch) */
    }
    if (p->gathercap[t] < n) {
        p->gathercap[t] = n;
        free(p->gather[t]);
        p->gather[t] = sp_xmalloc(sizeof *p->gather[t] * n);
    }
    par_count *e = p->gather[t];
    n = 0;
    for (int k = 0; k < p->nworkers; k++) {
        const par_counts *c = &p->workers[k].counts[m];
        if (c->bounds[part + 1] == c->bounds[part])
            continue;
        memcpy(e + n, c->parts + c->bounds[part], sizeof *e * (c->bounds[part + 1] - c->bounds[part]));
        n += c->bounds[part + 1] - c->bounds[part];
    }
    if (n > 1)
        qsort(e, n, sizeof *e, par_count_order);
    sp_vec *out = &p->merged[t];
    sp_vec_reset(out);
    for (size_t i = 0; i < n; i++) {
        if (!e[i].count)
            continue; /* added to an equal key before it */
        /* equal keys have equal hashes: the same key from other workers
         * is further on in this run of equal hashes */
        int64_t count = (int64_t)PAR_COUNT_N(&e[i]);
        for (size_t j = i + 1; j < n && e[j].hash == e[i].hash; j++)
            if (e[j].count && sp_value_equal(e[i].key, e[j].key)) {
                count += (int64_t)PAR_COUNT_N(&e[j]);
                e[j].count = 0;
            }
        sp_vec_push(out, sp_pair(w->arena, e[i].key, sp_int(count * p->count_by[m])));
    }
}

/* Merge task t on worker w: the partials of its combiner whose key is in its
 * partition, chunk after chunk, reduced by key.  What is not a pair goes
 * with partition 0, for the operator to report. */
static void par_merge(sp_par *p, par_worker *w, int t)
{
    const sp_par_combiner *cb = &p->combs[p->merge_comb[t]];
    int part = t % PAR_PARTS, m = p->merge_comb[t];
    sp_vec *out = &p->merged[t];
    sp_vec_reset(out);
    w->ev.arena = w->arena; /* the results live until the operators ran */
    sp_map *map = &w->map;
    sp_map_clear(map);
    for (int c = 0; c < p->nchunks; c++) {
        const sp_vec *in = &p->chunks[c].combs[m];
        const size_t *b = p->chunks[c].bounds[m];
        for (size_t i = b[part]; i < b[part + 1]; i++) {
            sp_value x = in->v[i];
            if (x.tag != SP_V_TUPLE || x.n != 2) {
                sp_vec_push(out, x);
                continue;
            }
            int created;
            sp_value *slot = sp_map_put(map, x.u.items[0], &created);
            *slot = created ? x.u.items[1] : par_apply(w, cb, p->adds[m], *slot, x.u.items[1]);
        }
    }
    for (size_t i = 0; i < map->cap; i++)
        if (map->hashes[i])
            sp_vec_push(out, sp_pair(w->arena, map->keys[i], map->vals[i]));
}

/* Thread k: merge tasks, as long as there are some. */
static void par_merge_thread(void *ctx, int k)
{
    sp_par *p = ctx;
    par_worker *w = &p->workers[k];
    for (;;) {
        int t = __atomic_fetch_add(&p->next_task, 1, __ATOMIC_RELAXED);
        if (t >= p->nmerge)
            break;
        int m = p->merge_comb[t];
        if (!par_counting(p, m) && p->nchunks < 2)
            continue; /* one chunk's partials are already one per key */
        uint64_t t0 = par_mono_ns();
        if (par_counting(p, m))
            par_merge_counts(p, w, t);
        else
            par_merge(p, w, t);
        w->ns[p->n + p->merge_comb[t]] += par_mono_ns() - t0;
    }
}

/* Puts the chunks' vectors `pick` end to end into `out`. */
static uint64_t par_join(sp_par *p, sp_vec *out, int stage, int index)
{
    size_t total = 0;
    for (int c = 0; c < p->nchunks; c++)
        total += stage ? p->chunks[c].counts[index] : p->chunks[c].combs[index].n;
    if (!out)
        return total;
    sp_vec_reset(out);
    if (total > out->cap) {
        out->cap = total;
        out->v = sp_xrealloc(out->v, sizeof *out->v * total);
    }
    for (int c = 0; c < p->nchunks; c++) {
        const sp_vec *part = stage ? &p->chunks[c].outs[index] : &p->chunks[c].combs[index];
        if (part->n)
            memcpy(out->v + out->n, part->v, sizeof *part->v * part->n);
        out->n += part->n;
    }
    return total;
}

static uint64_t par_run(sp_par *p, uint64_t batch, int64_t batch_ms, int64_t time_ms, int final,
                        const sp_feed *feed)
{
    p->batch = batch;
    p->batch_ms = batch_ms;
    p->time_ms = time_ms;
    p->final = final;
    p->feed = feed;
    /* the chunks: as many as the longest source needs (with a feed, as
     * many as its read may give, until it ended) */
    size_t most = 0;
    if (feed)
        most = feed->max;
    else
        for (int j = 0; j < p->n; j++)
            if (p->nodes[j].input < 0 && p->nodes[j].src->n > most)
                most = p->nodes[j].src->n;
    p->nchunks = (int)((most + PAR_CHUNK - 1) / PAR_CHUNK);
    p->count_ok = (size_t)p->nchunks < PAR_COUNT_CHUNKS;
    if (p->nchunks > p->capchunks) {
        p->chunks = sp_xrealloc(p->chunks, sizeof *p->chunks * (size_t)p->nchunks);
        for (int c = p->capchunks; c < p->nchunks; c++) {
            p->chunks[c].outs = sp_xmalloc(sizeof(sp_vec) * (size_t)p->n);
            p->chunks[c].counts = sp_xmalloc(sizeof(uint64_t) * (size_t)p->n);
            p->chunks[c].bounds = sp_xmalloc(sizeof *p->chunks[c].bounds * (size_t)(p->ncombs ? p->ncombs : 1));
            memset(p->chunks[c].outs, 0, sizeof(sp_vec) * (size_t)p->n);
            p->chunks[c].combs = sp_xmalloc(sizeof(sp_vec) * (size_t)(p->ncombs ? p->ncombs : 1));
            memset(p->chunks[c].combs, 0, sizeof(sp_vec) * (size_t)(p->ncombs ? p->ncombs : 1));
        }
        p->capchunks = p->nchunks;
    }
    uint64_t errors0 = 0;
    for (int k = 0; k < p->nworkers; k++) {
        par_worker *w = &p->workers[k];
        /* last batch's values are no longer referenced: operator state and
         * held results were copied into their own arenas */
        sp_arena_reset(w->arena);
        w->ev.now_ms = time_ms;
        w->fed_wait_ns = 0;
        memset(w->ns, 0, sizeof *w->ns * (size_t)(p->n + p->ncombs));
        for (int m = 0; m < p->ncombs; m++) {
            par_counts *c = &w->counts[m];
            if (c->n)
                memset(c->e, 0, sizeof *c->e * c->cap);
            c->n = 0;
            memset(c->bounds, 0, sizeof c->bounds);
        }
        errors0 += w->ev.errors;
    }
    p->next_chunk = 0;
    sp_pool_run(p->pool, par_thread, p);
    if (feed) { /* the chunks that ran: those the read filled */
        size_t n = feed->finish(feed->ctx);
        p->nchunks = (int)((n + PAR_CHUNK - 1) / PAR_CHUNK);
        p->feed = NULL;
    }
    if (p->nmerge) {
        p->next_task = 0;
        sp_pool_run(p->pool, par_merge_thread, p);
    }
    uint64_t errors = 0;
    for (int k = 0; k < p->nworkers; k++)
        errors += p->workers[k].ev.errors;
    /* each node's output and each combiner's partials: the chunks in order */
    for (int j = 0; j < p->n; j++) {
        sp_par_node *pn = &p->nodes[j];
        pn->n = par_join(p, pn->keep ? pn->out : NULL, 1, j);
        if (!pn->keep) {
            sp_vec_reset(pn->out);
        }
        pn->ns = 0;
        for (int k = 0; k < p->nworkers; k++)
            pn->ns += p->workers[k].ns[j];
    }
    for (int m = 0; m < p->ncombs; m++) {
        sp_par_combiner *cb = &p->combs[m];
        if (par_counting(p, m) || (cb->keyed && p->nchunks > 1)) {
            /* counting: what is not a pair, in chunk order, before the
             * counts; then the merge tasks' pairs, partition after partition */
            if (par_counting(p, m))
                par_join(p, &cb->out, 0, m);
            else
                sp_vec_reset(&cb->out);
            for (int t = 0; t < p->nmerge; t++)
                if (p->merge_comb[t] == m)
                    for (size_t i = 0; i < p->merged[t].n; i++)
                        sp_vec_push(&cb->out, p->merged[t].v[i]);
        } else {
            par_join(p, &cb->out, 0, m);
        }
        cb->out.present = 1;
        cb->ns = 0;
        for (int k = 0; k < p->nworkers; k++)
            cb->ns += p->workers[k].ns[p->n + m];
    }
    return errors - errors0;
}

uint64_t sp_par_run(sp_par *p, uint64_t batch, int64_t batch_ms, int64_t time_ms, int final)
{
    return par_run(p, batch, batch_ms, time_ms, final, NULL);
}

uint64_t sp_par_fed_wait_ns(const sp_par *p)
{
    return p ? p->workers[0].fed_wait_ns : 0;
}

uint64_t sp_par_run_fed(sp_par *p, uint64_t batch, int64_t batch_ms, int64_t time_ms, const sp_feed *feed)
{
    return par_run(p, batch, batch_ms, time_ms, 0, feed);
}

void sp_par_free(sp_par *p)
{
    if (!p)
        return;
    sp_pool_free(p->pool);
    for (int k = 0; k < p->nworkers; k++) {
        par_worker *w = &p->workers[k];
        sp_eval_destroy(&w->ev);
        sp_arena_free(w->arena);
        sp_arena_free(w->scratch);
        sp_map_free(&w->map);
        free(w->ns);
        free(w->views);
        for (int j = 0; j < p->n; j++)
            sp_vec_free(&w->outs[j]);
        free(w->outs);
        for (int m = 0; m < p->ncombs; m++) {
            free(w->counts[m].e);
            free(w->counts[m].parts);
        }
        free(w->counts);
    }
    for (int c = 0; c < p->capchunks; c++) {
        for (int j = 0; j < p->n; j++)
            sp_vec_free(&p->chunks[c].outs[j]);
        for (int m = 0; m < p->ncombs; m++)
            sp_vec_free(&p->chunks[c].combs[m]);
        free(p->chunks[c].outs);
        free(p->chunks[c].counts);
        free(p->chunks[c].bounds);
        free(p->chunks[c].combs);
    }
    free(p->chunks);
    for (int m = 0; m < p->ncombs; m++)
        sp_vec_free(&p->combs[m].out);
    free(p->workers);
    free(p->pair);
    free(p->stats);
    free(p->count_by);
    free(p->counting);
    free(p->adds);
    for (int t = 0; t < p->nmerge; t++)
        free(p->gather[t]);
    free(p->gather);
    free(p->gathercap);
    for (int t = 0; t < p->nmerge; t++)
        sp_vec_free(&p->merged[t]);
    free(p->merged);
    free(p->merge_comb);
    free(p);
}
