/* runtime_ops.c - the operators, one table entry each (see runtime_int.h).
 *
 * Keyed results are emitted sorted by key, so output is the same run after
 * run.  Windowed operators keep one pane per batch of the window (a ring); a
 * window is emitted every `slide`.  With an inverse function,
 * reduceByKeyAndWindow and reduceByWindow update a running result by adding
 * the newest pane and subtracting the one that left, so a slide costs the
 * size of the panes that changed, not the whole window; keys that are in no
 * pane any more are dropped (Spark keeps them with a zero unless given a
 * filter function). */
#include "runtime_int.h"
#include "map.h"
#include "serial.h"

#include <stdlib.h>
#include <string.h>

void sp_vec_grow(sp_vec *vec)
{
    vec->cap = vec->cap ? vec->cap * 2 : 256;
    vec->v = sp_xrealloc(vec->v, sizeof *vec->v * vec->cap);
}

void sp_vec_mark(sp_vec *vec, int64_t t)
{
    if (vec->nseg == vec->segcap) {
        vec->segcap = vec->segcap ? vec->segcap * 2 : 8;
        vec->seg_end = sp_xrealloc(vec->seg_end, sizeof *vec->seg_end * vec->segcap);
        vec->seg_time = sp_xrealloc(vec->seg_time, sizeof *vec->seg_time * vec->segcap);
    }
    vec->seg_end[vec->nseg] = vec->n;
    vec->seg_time[vec->nseg] = t;
    vec->nseg++;
}

void sp_vec_reset(sp_vec *vec)
{
    vec->n = 0;
    vec->nseg = 0;
    vec->present = 1;
}

void sp_vec_free(sp_vec *vec)
{
    free(vec->v);
    free(vec->seg_end);
    free(vec->seg_time);
    memset(vec, 0, sizeof *vec);
}

int sp_operator_is_singleton(int op)
{
    return op == SP_OP_COUNT || op == SP_OP_REDUCE || op == SP_OP_COUNT_BY_WINDOW ||
           op == SP_OP_REDUCE_BY_WINDOW;
}

/* ----- helpers ----- */

static const sp_expr *arg_expr(const sp_step *st, int i)
{
    const sp_arg *a = st->args;
    while (a && i-- > 0)
        a = a->next;
    return a ? a->value : NULL;
}

static const sp_expr *opt_expr(const sp_step *st, sp_opt_kind kind)
{
    for (const sp_opt *o = st->opts; o; o = o->next)
        if (o->kind == kind)
            return o->value;
    return NULL;
}

static int has_opt(const sp_step *st, sp_opt_kind kind)
{
    for (const sp_opt *o = st->opts; o; o = o->next)
        if (o->kind == kind)
            return 1;
    return 0;
}

static sp_value apply2(const sp_opctx *c, const sp_expr *f, sp_value a, sp_value b)
{
    sp_value args[2] = {a, b};
    return sp_eval_fn_arg(c->ev, f, c->step->nlocals, args, 2);
}

/* Is x a (key, value) pair?  Reports once per operator when it is not. */
static int is_pair(const sp_opctx *c, sp_value x)
{
    if (x.tag == SP_V_TUPLE && x.n == 2)
        return 1;
    sp_eval_error(c->ev, arg_expr(c->step, 0) ? arg_expr(c->step, 0) : NULL,
                  "'%s' needs (key, value) pairs, got a %s", sp_ops[c->step->op].name,
                  sp_value_type_name(x));
    return 0;
}

static void emit_sorted_map(const sp_opctx *c, const sp_map *m, sp_vec *out)
{
    size_t n;
    sp_value *pairs = sp_map_sorted_pairs(m, c->ev->arena, &n);
    for (size_t i = 0; i < n; i++)
        sp_vec_push(out, pairs[i]);
}

/* ----- stateless ----- */

/* Room for `more` elements after the end of vec, so a loop can store them
 * without sp_vec_push's check per element. */
static void vec_reserve(sp_vec *vec, size_t more)
{
    if (vec->cap - vec->n >= more)
        return;
    size_t cap = vec->cap ? vec->cap : 256;
    while (cap - vec->n < more)
        cap *= 2;
    vec->v = sp_xrealloc(vec->v, sizeof *vec->v * cap);
    vec->cap = cap;
}

static void op_map(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    const sp_expr *f = arg_expr(c->step, 0);
    if (in->n == 0)
        return; /* out->v may still be NULL */
    vec_reserve(out, in->n);
    sp_eval_elem_args(c->ev, f, c->step->nlocals, in->v, in->n, out->v + out->n);
    out->n += in->n;
}

static void op_flatmap(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    const sp_expr *f = arg_expr(c->step, 0);
    for (size_t i = 0; i < in->n; i++) {
        sp_value r = sp_eval_elem_arg(c->ev, f, c->step->nlocals, in->v[i]);
        if (r.tag == SP_V_LIST) {
            for (uint32_t k = 0; k < r.n; k++)
                sp_vec_push(out, r.u.items[k]);
        } else if (r.tag != SP_V_NULL) {
            sp_eval_error(c->ev, f, "'flatMap' needs a list, got a %s", sp_value_type_name(r));
        }
    }
}

static void op_filter(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    const sp_expr *f = arg_expr(c->step, 0);
    if (in->n == 0)
        return; /* out->v may still be NULL */
    /* the conditions go where the kept elements will: the k-th kept one is
     * stored over the k-th condition, after that was read */
    vec_reserve(out, in->n);
    sp_value *cond = out->v + out->n;
    sp_eval_elem_args(c->ev, f, c->step->nlocals, in->v, in->n, cond);
    size_t k = 0;
    for (size_t i = 0; i < in->n; i++)
        if (sp_truthy(cond[i]))
            cond[k++] = in->v[i];
    out->n += k;
}

static void op_count(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)c, (void)s, (void)in2;
    sp_vec_push(out, sp_int((int64_t)in->n));
}

static void op_reduce(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    if (in->n == 0)
        return;
    const sp_expr *f = arg_expr(c->step, 0);
    sp_value acc = in->v[0];
    for (size_t i = 1; i < in->n; i++)
        acc = apply2(c, f, acc, in->v[i]);
    sp_vec_push(out, acc);
}

static void count_into(sp_map *m, sp_value x, int64_t by)
{
    int created;
    sp_value *slot = sp_map_put(m, x, &created);
    *slot = sp_int((created ? 0 : slot->u.i) + by);
}

static void op_count_by_value(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    sp_map m;
    sp_map_init(&m);
    for (size_t i = 0; i < in->n; i++)
        count_into(&m, in->v[i], 1);
    emit_sorted_map(c, &m, out);
    sp_map_free(&m);
}

/* Reduces the pairs of `in` by key into m with f (values stored as given). */
static void reduce_pairs(const sp_opctx *c, const sp_expr *f, const sp_vec *in, sp_map *m)
{
    if (in->n <= (1u << 17)) /* from a combine: about one pair per key */
        sp_map_reserve(m, m->n + in->n);
    for (size_t i = 0; i < in->n; i++) {
        sp_value x = in->v[i];
        if (!is_pair(c, x))
            continue;
        int created;
        sp_value *slot = sp_map_put(m, x.u.items[0], &created);
        *slot = created ? x.u.items[1] : apply2(c, f, *slot, x.u.items[1]);
    }
}

static void op_reduce_by_key(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    sp_map m;
    sp_map_init(&m);
    reduce_pairs(c, arg_expr(c->step, 0), in, &m);
    emit_sorted_map(c, &m, out);
    sp_map_free(&m);
}

/* Groups the values of pairs by key: key -> list, values in arrival order;
 * the keys sorted when `sorted` (else in an order that depends on the input
 * only).  Returns the pairs (key, list) in the batch arena. */
static sp_value *group_pairs(const sp_opctx *c, const sp_vec *in, size_t *ngroups, int sorted)
{
    sp_map counts;
    sp_map_init(&counts);
    if (in->n <= (1u << 17))
        sp_map_reserve(&counts, in->n);
    for (size_t i = 0; i < in->n; i++)
        if (is_pair(c, in->v[i]))
            count_into(&counts, in->v[i].u.items[0], 1);
    size_t n = 0;
    sp_value *pairs;
    if (sorted) {
        pairs = sp_map_sorted_pairs(&counts, c->ev->arena, &n);
    } else {
        pairs = sp_arena_alloc(c->ev->arena, sizeof *pairs * (counts.n ? counts.n : 1));
        for (size_t i = 0; i < counts.cap; i++)
            if (counts.hashes[i])
                pairs[n++] = sp_pair(c->ev->arena, counts.keys[i], counts.vals[i]);
    }
    /* reuse the count map: key -> (index of group, items filled) */
    for (size_t g = 0; g < n; g++) {
        sp_value list = sp_list_new(c->ev->arena, (uint32_t)pairs[g].u.items[1].u.i);
        list.n = 0;
        pairs[g].u.items[1] = list;
        *sp_map_get(&counts, pairs[g].u.items[0]) = sp_int((int64_t)g);
    }
    for (size_t i = 0; i < in->n; i++) {
        sp_value x = in->v[i];
        if (x.tag != SP_V_TUPLE || x.n != 2)
            continue;
        sp_value *idx = sp_map_get(&counts, x.u.items[0]);
        sp_value *list = &pairs[idx->u.i].u.items[1];
        list->u.items[list->n++] = x.u.items[1];
    }
    sp_map_free(&counts);
    *ngroups = n;
    return pairs;
}

static void op_group_by_key(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    size_t n;
    sp_value *groups = group_pairs(c, in, &n, 1);
    for (size_t i = 0; i < n; i++)
        sp_vec_push(out, groups[i]);
}

typedef struct sort_item {
    sp_value key;  /* what to order by */
    sp_value elem; /* the element */
    size_t index;  /* arrival order, for a stable sort */
} sort_item;

static int sort_asc(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    int c = sp_value_compare(x->key, y->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int sort_desc(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    int c = sp_value_compare(y->key, x->key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void op_sort_by_key(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    sort_item *items = sp_arena_alloc(c->ev->arena, sizeof *items * (in->n ? in->n : 1));
    size_t n = 0;
    for (size_t i = 0; i < in->n; i++) {
        if (!is_pair(c, in->v[i]))
            continue;
        items[n].key = in->v[i].u.items[0];
        items[n].elem = in->v[i];
        items[n].index = i;
        n++;
    }
    qsort(items, n, sizeof *items, has_opt(c->step, SP_OPT_DESC) ? sort_desc : sort_asc);
    for (size_t i = 0; i < n; i++)
        sp_vec_push(out, items[i].elem);
}

static void op_join(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s;
    int outer = c->step->op == SP_OP_LEFT_OUTER_JOIN;
    size_t n;
    sp_value *groups = group_pairs(c, in2, &n, 0); /* an index: its order does not matter */
    sp_map index;
    sp_map_init(&index);
    for (size_t g = 0; g < n; g++)
        *sp_map_put(&index, groups[g].u.items[0], NULL) = groups[g].u.items[1];
    for (size_t i = 0; i < in->n; i++) {
        sp_value x = in->v[i];
        if (!is_pair(c, x))
            continue;
        sp_value *ws = sp_map_get(&index, x.u.items[0]);
        if (!ws) {
            if (outer)
                sp_vec_push(out, sp_pair(c->ev->arena, x.u.items[0],
                                         sp_pair(c->ev->arena, x.u.items[1], sp_null())));
            continue;
        }
        for (uint32_t k = 0; k < ws->n; k++)
            sp_vec_push(out, sp_pair(c->ev->arena, x.u.items[0],
                                     sp_pair(c->ev->arena, x.u.items[1], ws->u.items[k])));
    }
    sp_map_free(&index);
}

static void op_union(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)c, (void)s;
    for (size_t i = 0; i < in->n; i++)
        sp_vec_push(out, in->v[i]);
    for (size_t i = 0; in2 && i < in2->n; i++)
        sp_vec_push(out, in2->v[i]);
}

static int top_compare(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    int c = sp_value_compare(y->key, x->key);
    if (c)
        return c;
    c = sp_value_compare(x->elem, y->elem);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static void op_top(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    const sp_expr *by = opt_expr(c->step, SP_OPT_BY);
    sort_item *items = sp_arena_alloc(c->ev->arena, sizeof *items * (in->n ? in->n : 1));
    for (size_t i = 0; i < in->n; i++) {
        items[i].elem = in->v[i];
        items[i].key = by ? sp_eval_elem_arg(c->ev, by, c->step->nlocals, in->v[i]) : in->v[i];
        items[i].index = i;
    }
    /* largest first; equal keys in ascending order of the element, so ties
     * are broken the same way every run */
    qsort(items, in->n, sizeof *items, top_compare);
    size_t n = in->n;
    int64_t limit = c->step->n;
    for (size_t i = 0; i < n && (int64_t)i < limit; i++)
        sp_vec_push(out, items[i].elem);
}

static void op_take(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)s, (void)in2;
    for (size_t i = 0; i < in->n && (int64_t)i < c->step->n; i++)
        sp_vec_push(out, in->v[i]);
}

/* ----- windows ----- */

/* One batch's contribution to a window. */
typedef struct pane {
    sp_arena *arena; /* owns what the pane holds */
    sp_vec items;    /* window: the elements */
    sp_map map;      /* keyed: key -> partial result / count */
    sp_value acc;    /* reduceByWindow: the batch's reduction */
    int has_acc;     /* acc is set */
    int64_t count;   /* countByWindow: the batch's count */
    int filled;      /* the pane holds a batch */
} pane;

typedef struct window_state {
    int nbatches;      /* batches in a window: length / batch */
    int every;         /* batches per slide */
    pane *panes;       /* ring of nbatches panes */
    int inverse;       /* an inverse function is given */
    sp_map running;    /* keyed + inverse: key -> running value */
    sp_map refs;       /* keyed + inverse: key -> number of panes holding it */
    sp_arena *run_arena;   /* owns running keys and values */
    size_t run_compacted;  /* bytes used right after the last compaction */
    sp_value run_acc;  /* reduceByWindow + inverse: running value */
    int has_run_acc;
    struct event_window *et; /* event-time windows: their state instead of the ring */
} window_state;

static void *event_window_open(const sp_opctx *c);
static void event_window_close(struct event_window *et);
static void event_window_process(const sp_opctx *c, struct event_window *et, const sp_vec *in, sp_vec *out);

static void pane_reset(pane *p)
{
    sp_arena_free(p->arena);
    p->arena = sp_arena_new();
    p->items.n = 0;
    sp_map_clear(&p->map);
    p->has_acc = 0;
    p->count = 0;
    p->filled = 0;
}

static void *window_open(const sp_opctx *c)
{
    window_state *w = sp_xmalloc(sizeof *w);
    memset(w, 0, sizeof *w);
    if (c->step->event_time) {
        w->et = event_window_open(c);
        return w;
    }
    int64_t len = c->step->length_ms > 0 ? c->step->length_ms : c->batch_ms;
    int64_t slide = c->step->slide_ms > 0 ? c->step->slide_ms : c->batch_ms;
    w->nbatches = (int)(len / c->batch_ms);
    if (w->nbatches < 1)
        w->nbatches = 1;
    w->every = (int)(slide / c->batch_ms);
    if (w->every < 1)
        w->every = 1;
    w->panes = sp_xmalloc(sizeof *w->panes * (size_t)w->nbatches);
    memset(w->panes, 0, sizeof *w->panes * (size_t)w->nbatches);
    for (int i = 0; i < w->nbatches; i++) {
        w->panes[i].arena = sp_arena_new();
        sp_map_init(&w->panes[i].map);
    }
    w->inverse = has_opt(c->step, SP_OPT_INVERSE);
    sp_map_init(&w->running);
    sp_map_init(&w->refs);
    w->run_arena = sp_arena_new();
    return w;
}

static void window_close(void *state)
{
    window_state *w = state;
    if (!w)
        return;
    if (w->et) {
        event_window_close(w->et);
        free(w);
        return;
    }
    for (int i = 0; i < w->nbatches; i++) {
        sp_arena_free(w->panes[i].arena);
        sp_vec_free(&w->panes[i].items);
        sp_map_free(&w->panes[i].map);
    }
    free(w->panes);
    sp_map_free(&w->running);
    sp_map_free(&w->refs);
    sp_arena_free(w->run_arena);
    free(w);
}

/* The pane for this batch, emptied; *old gets a copy of what it held
 * (its arena stays alive until the caller frees it) when `keep_old`. */
static pane *window_advance(window_state *w, uint64_t batch, pane *old)
{
    pane *p = &w->panes[batch % (uint64_t)w->nbatches];
    if (old) {
        *old = *p; /* take over its contents; give the ring a fresh pane */
        p->arena = sp_arena_new();
        memset(&p->items, 0, sizeof p->items);
        sp_map_init(&p->map);
        p->has_acc = 0;
        p->count = 0;
        p->filled = 0;
    } else {
        pane_reset(p);
    }
    p->filled = 1;
    return p;
}

static void pane_release(pane *p)
{
    sp_arena_free(p->arena);
    sp_vec_free(&p->items);
    sp_map_free(&p->map);
}

/* Panes in window order, oldest first. */
static pane *window_pane(window_state *w, uint64_t batch, int k)
{
    uint64_t idx = (batch + 1 + (uint64_t)k) % (uint64_t)w->nbatches;
    return &w->panes[idx];
}

static int window_emits(const window_state *w, uint64_t batch)
{
    return (batch + 1) % (uint64_t)w->every == 0;
}

/* The keys and values of m copied into `a` (an arena rebuilt: what m
 * held in the old one is garbage left behind). */
static void map_copy_into(sp_map *m, sp_arena *a)
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->hashes[i])
            continue;
        m->keys[i] = sp_value_copy(a, m->keys[i]);
        m->vals[i] = sp_value_copy(a, m->vals[i]);
    }
}

/* Copies the running map into a fresh arena when garbage dominates. */
static void window_compact(window_state *w)
{
    size_t used = sp_arena_used(w->run_arena);
    if (used < 2 * w->run_compacted + (1u << 20))
        return;
    sp_arena *fresh = sp_arena_new();
    map_copy_into(&w->running, fresh);
    for (size_t i = 0; i < w->refs.cap; i++)
        if (w->refs.hashes[i])
            w->refs.keys[i] = sp_value_copy(fresh, w->refs.keys[i]);
    if (w->has_run_acc)
        w->run_acc = sp_value_copy(fresh, w->run_acc);
    sp_arena_free(w->run_arena);
    w->run_arena = fresh;
    w->run_compacted = sp_arena_used(fresh);
}

static void op_window(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)in2;
    window_state *w = s;
    pane *p = window_advance(w, c->batch, NULL);
    for (size_t i = 0; i < in->n; i++)
        sp_vec_push(&p->items, sp_value_copy(p->arena, in->v[i]));
    if (!window_emits(w, c->batch)) {
        out->present = 0;
        return;
    }
    for (int k = 0; k < w->nbatches; k++) {
        pane *q = window_pane(w, c->batch, k);
        for (size_t i = 0; q->filled && i < q->items.n; i++)
            sp_vec_push(out, q->items.v[i]);
    }
}

static void op_count_by_window(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)in2;
    window_state *w = s;
    pane *p = window_advance(w, c->batch, NULL);
    p->count = (int64_t)in->n;
    if (!window_emits(w, c->batch)) {
        out->present = 0;
        return;
    }
    int64_t total = 0;
    for (int k = 0; k < w->nbatches; k++)
        total += window_pane(w, c->batch, k)->count;
    sp_vec_push(out, sp_int(total));
}

static void op_count_by_value_and_window(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)in2;
    window_state *w = s;
    pane *p = window_advance(w, c->batch, NULL);
    for (size_t i = 0; i < in->n; i++) {
        int created;
        sp_value *slot = sp_map_put(&p->map, in->v[i], &created);
        if (created)
            p->map.keys[slot - p->map.vals] = sp_value_copy(p->arena, in->v[i]);
        *slot = sp_int((created ? 0 : slot->u.i) + 1);
    }
    if (!window_emits(w, c->batch)) {
        out->present = 0;
        return;
    }
    sp_map total;
    sp_map_init(&total);
    for (int k = 0; k < w->nbatches; k++) {
        pane *q = window_pane(w, c->batch, k);
        for (size_t i = 0; q->filled && i < q->map.cap; i++)
            if (q->map.hashes[i])
                count_into(&total, q->map.keys[i], q->map.vals[i].u.i);
    }
    emit_sorted_map(c, &total, out);
    sp_map_free(&total);
}

static void op_reduce_by_window(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)in2;
    window_state *w = s;
    const sp_expr *f = arg_expr(c->step, 0);
    const sp_expr *inv = opt_expr(c->step, SP_OPT_INVERSE);
    pane old;
    pane *p = window_advance(w, c->batch, w->inverse ? &old : NULL);
    if (in->n) {
        sp_value acc = in->v[0];
        for (size_t i = 1; i < in->n; i++)
            acc = apply2(c, f, acc, in->v[i]);
        p->acc = sp_value_copy(p->arena, acc);
        p->has_acc = 1;
    }
    if (w->inverse) {
        if (old.filled && old.has_acc && w->has_run_acc)
            w->run_acc = sp_value_copy(w->run_arena, apply2(c, inv, w->run_acc, old.acc));
        if (p->has_acc) {
            w->run_acc = w->has_run_acc ? sp_value_copy(w->run_arena, apply2(c, f, w->run_acc, p->acc))
                                        : sp_value_copy(w->run_arena, p->acc);
            w->has_run_acc = 1;
        }
        pane_release(&old);
        /* an empty window has no value, whatever the inverse left behind */
        int any = 0;
        for (int k = 0; k < w->nbatches; k++)
            any |= window_pane(w, c->batch, k)->has_acc;
        if (!any)
            w->has_run_acc = 0;
        window_compact(w);
    }
    if (!window_emits(w, c->batch)) {
        out->present = 0;
        return;
    }
    if (w->inverse) {
        if (w->has_run_acc)
            sp_vec_push(out, w->run_acc);
        return;
    }
    int have = 0;
    sp_value acc = sp_null();
    for (int k = 0; k < w->nbatches; k++) {
        pane *q = window_pane(w, c->batch, k);
        if (!q->filled || !q->has_acc)
            continue;
        acc = have ? apply2(c, f, acc, q->acc) : q->acc;
        have = 1;
    }
    if (have)
        sp_vec_push(out, acc);
}

static void op_reduce_by_key_and_window(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)in2;
    window_state *w = s;
    const sp_expr *f = arg_expr(c->step, 0);
    const sp_expr *inv = opt_expr(c->step, SP_OPT_INVERSE);
    pane old;
    pane *p = window_advance(w, c->batch, w->inverse ? &old : NULL);
    /* this batch's partial results, copied into the pane */
    sp_map partial;
    sp_map_init(&partial);
    reduce_pairs(c, f, in, &partial);
    for (size_t i = 0; i < partial.cap; i++)
        if (partial.hashes[i])
            *sp_map_put(&p->map, sp_value_copy(p->arena, partial.keys[i]), NULL) =
                sp_value_copy(p->arena, partial.vals[i]);
    sp_map_free(&partial);

    if (w->inverse) {
        /* subtract the pane that left the window, add the new one */
        for (size_t i = 0; old.filled && i < old.map.cap; i++) {
            if (!old.map.hashes[i])
                continue;
            sp_value key = old.map.keys[i];
            sp_value *ref = sp_map_get(&w->refs, key);
            sp_value *run = sp_map_get(&w->running, key);
            if (!ref || !run)
                continue;
            if (--ref->u.i <= 0) {
                sp_map_remove(&w->running, key);
                sp_map_remove(&w->refs, key);
            } else {
                *run = sp_value_copy(w->run_arena, apply2(c, inv, *run, old.map.vals[i]));
            }
        }
        pane_release(&old);
        for (size_t i = 0; i < p->map.cap; i++) {
            if (!p->map.hashes[i])
                continue;
            int created;
            sp_value *run = sp_map_put(&w->running, p->map.keys[i], &created);
            if (created) {
                sp_value key = sp_value_copy(w->run_arena, p->map.keys[i]);
                w->running.keys[run - w->running.vals] = key;
                *run = sp_value_copy(w->run_arena, p->map.vals[i]);
                *sp_map_put(&w->refs, key, NULL) = sp_int(1);
            } else {
                *run = sp_value_copy(w->run_arena, apply2(c, f, *run, p->map.vals[i]));
                sp_map_get(&w->refs, p->map.keys[i])->u.i++;
            }
        }
        window_compact(w);
    }
    if (!window_emits(w, c->batch)) {
        out->present = 0;
        return;
    }
    if (w->inverse) {
        emit_sorted_map(c, &w->running, out);
        return;
    }
    sp_map total;
    sp_map_init(&total);
    for (int k = 0; k < w->nbatches; k++) {
        pane *q = window_pane(w, c->batch, k);
        for (size_t i = 0; q->filled && i < q->map.cap; i++) {
            if (!q->map.hashes[i])
                continue;
            int created;
            sp_value *slot = sp_map_put(&total, q->map.keys[i], &created);
            *slot = created ? q->map.vals[i] : apply2(c, f, *slot, q->map.vals[i]);
        }
    }
    emit_sorted_map(c, &total, out);
    sp_map_free(&total);
}

/* ----- updateStateByKey ----- */

typedef struct state_by_key {
    sp_map state;    /* key -> state */
    sp_arena *arena; /* owns keys and states, and the garbage of the states replaced */
    size_t live;     /* bytes of `arena` in use after it was last rebuilt (see state_compact) */
} state_by_key;

static void *state_open(const sp_opctx *c)
{
    (void)c;
    state_by_key *s = sp_xmalloc(sizeof *s);
    sp_map_init(&s->state);
    s->arena = sp_arena_new();
    s->live = 0;
    return s;
}

static void state_close(void *p)
{
    state_by_key *s = p;
    if (!s)
        return;
    sp_map_free(&s->state);
    sp_arena_free(s->arena);
    free(s);
}

static void state_size(const void *p, uint64_t *entries, uint64_t *bytes)
{
    const state_by_key *s = p;
    *entries = s->state.n;
    *bytes = sp_arena_used(s->arena) + s->state.cap * (2 * sizeof(sp_value) + sizeof(uint64_t));
}

/* The state's arena again, with only what the map holds, once the states
 * replaced in place take more than what is live (keys and states are
 * copied into it once, each changed state again). */
static void state_compact(state_by_key *s)
{
    size_t used = sp_arena_used(s->arena);
    if (used <= 2 * s->live + 65536)
        return;
    sp_arena *arena = sp_arena_new();
    map_copy_into(&s->state, arena);
    sp_arena_free(s->arena);
    s->arena = arena;
    s->live = sp_arena_used(arena);
}

static void op_update_state_by_key(const sp_opctx *c, void *p, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    (void)in2;
    state_by_key *s = p;
    const sp_expr *f = arg_expr(c->step, 0);
    size_t ngroups;
    sp_value *groups = group_pairs(c, in, &ngroups, 0); /* the state is emitted sorted */
    sp_map batch;
    sp_map_init(&batch);
    sp_map_reserve(&batch, ngroups);
    for (size_t g = 0; g < ngroups; g++)
        *sp_map_put(&batch, groups[g].u.items[0], NULL) = groups[g].u.items[1];

    /* The state is updated in place: every key it holds gets f(its values
     * of the batch or [], its state), then every key new in the batch
     * f(its values, null); a null drops the key.  The keys that go, and
     * those that come, wait until every function has run on the state as
     * it was (a key dropped in this batch is not new in it). */
    sp_value empty = sp_list_new(c->ev->arena, 0);
    sp_value *drop = NULL, *add = NULL;
    size_t ndrop = 0, nadd = 0;
    for (size_t i = 0; i < s->state.cap; i++) {
        if (!s->state.hashes[i])
            continue;
        sp_value *vals = sp_map_get(&batch, s->state.keys[i]);
        sp_value r = apply2(c, f, vals ? *vals : empty, s->state.vals[i]);
        if (r.tag == SP_V_NULL) {
            if (!drop)
                drop = sp_arena_alloc_raw(c->ev->arena, sizeof *drop * s->state.n);
            drop[ndrop++] = s->state.keys[i];
        } else {
            s->state.vals[i] = sp_value_copy(s->arena, r); /* a number takes no room; the rest is garbage later */
        }
    }
    for (size_t g = 0; g < ngroups; g++) {
        sp_value key = groups[g].u.items[0];
        if (sp_map_get(&s->state, key))
            continue;
        sp_value r = apply2(c, f, groups[g].u.items[1], sp_null());
        if (r.tag != SP_V_NULL) {
            if (!add)
                add = sp_arena_alloc_raw(c->ev->arena, sizeof *add * 2 * ngroups);
            add[2 * nadd] = key;
            add[2 * nadd + 1] = r;
            nadd++;
        }
    }
    sp_map_free(&batch);
    for (size_t k = 0; k < ndrop; k++)
        sp_map_remove(&s->state, drop[k]);
    if (nadd)
        sp_map_reserve(&s->state, s->state.n + nadd);
    for (size_t k = 0; k < nadd; k++)
        *sp_map_put(&s->state, sp_value_copy(s->arena, add[2 * k]), NULL) = sp_value_copy(s->arena, add[2 * k + 1]);
    state_compact(s);
    emit_sorted_map(c, &s->state, out);
}

/* ----- event-time windows -----
 *
 * With `on TIME`, elements are placed by their own time, not by the batch
 * they arrive in: in panes of one slide (pane p holds [p*slide, (p+1)*slide)),
 * and the window ending at E covers the length/slide panes before E.  The
 * watermark is the largest time seen so far minus the allowed lateness,
 * moved on element by element, so what counts as late does not depend on how
 * the input is cut into batches: a replay gives the same windows as the live
 * run.  An element older than the watermark is late: it is counted and handed
 * to the `late` stream, never silently dropped.  Each batch emits every
 * window whose end the watermark has passed (all of them at the end of a
 * bounded input), oldest first, one segment per window; a window with no
 * element in it is not emitted. */

typedef struct event_pane {
    int64_t index;   /* p: the pane holds times [p*slide, (p+1)*slide) */
    sp_arena *arena; /* owns what it holds */
    sp_vec items;    /* window: the elements */
    sp_map map;      /* keyed: key -> partial result / count */
    sp_value acc;    /* reduceByWindow: the reduction so far */
    int has_acc;
    int64_t count;   /* countByWindow */
} event_pane;

typedef struct event_window {
    int64_t slide, panes_per_window, lateness; /* from the step */
    event_pane *panes; /* sorted by index */
    size_t n, cap;
    int64_t max_time;  /* largest event time seen */
    int have_time;     /* max_time is set */
    int64_t emitted;   /* end of the last window emitted */
    int have_emitted;
} event_window;

static void *event_window_open(const sp_opctx *c)
{
    event_window *et = sp_xmalloc(sizeof *et);
    memset(et, 0, sizeof *et);
    et->slide = c->step->slide_ms > 0 ? c->step->slide_ms : 1;
    et->panes_per_window = c->step->length_ms / et->slide;
    if (et->panes_per_window < 1)
        et->panes_per_window = 1;
    et->lateness = c->step->lateness_ms;
    return et;
}

static void event_pane_free(event_pane *p)
{
    sp_arena_free(p->arena);
    sp_vec_free(&p->items);
    sp_map_free(&p->map);
}

static void event_window_close(event_window *et)
{
    for (size_t i = 0; i < et->n; i++)
        event_pane_free(&et->panes[i]);
    free(et->panes);
    free(et);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The pane with this index, made when missing. */
static event_pane *event_pane_get(event_window *et, int64_t index)
{
    size_t lo = 0, hi = et->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (et->panes[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < et->n && et->panes[lo].index == index)
        return &et->panes[lo];
    if (et->n == et->cap) {
        et->cap = et->cap ? et->cap * 2 : 16;
        et->panes = sp_xrealloc(et->panes, sizeof *et->panes * et->cap);
    }
    memmove(et->panes + lo + 1, et->panes + lo, sizeof *et->panes * (et->n - lo));
    event_pane *p = &et->panes[lo];
    memset(p, 0, sizeof *p);
    p->index = index;
    p->arena = sp_arena_new();
    sp_map_init(&p->map);
    et->n++;
    return p;
}

/* Adds one element to its pane, the way the operator combines. */
static void event_pane_add(const sp_opctx *c, event_pane *p, sp_value x)
{
    const sp_expr *f = arg_expr(c->step, 0);
    switch (c->step->op) {
    case SP_OP_WINDOW:
        sp_vec_push(&p->items, sp_value_copy(p->arena, x));
        break;
    case SP_OP_COUNT_BY_WINDOW:
        p->count++;
        break;
    case SP_OP_REDUCE_BY_WINDOW:
        p->acc = sp_value_copy(p->arena, p->has_acc ? apply2(c, f, p->acc, x) : x);
        p->has_acc = 1;
        break;
    case SP_OP_COUNT_BY_VALUE_AND_WINDOW: {
        int created;
        sp_value *slot = sp_map_put(&p->map, x, &created);
        if (created)
            p->map.keys[slot - p->map.vals] = sp_value_copy(p->arena, x);
        *slot = sp_int((created ? 0 : slot->u.i) + 1);
        break;
    }
    case SP_OP_REDUCE_BY_KEY_AND_WINDOW: {
        if (!is_pair(c, x))
            break;
        int created;
        sp_value *slot = sp_map_put(&p->map, x.u.items[0], &created);
        if (created)
            p->map.keys[slot - p->map.vals] = sp_value_copy(p->arena, x.u.items[0]);
        *slot = sp_value_copy(p->arena, created ? x.u.items[1] : apply2(c, f, *slot, x.u.items[1]));
        break;
    }
    default:
        break;
    }
}

/* Appends the result of the window made of panes [first, last) to out. */
static void event_window_emit(const sp_opctx *c, event_window *et, int64_t first, int64_t last, sp_vec *out)
{
    const sp_expr *f = arg_expr(c->step, 0);
    int64_t count = 0;
    int have = 0;
    sp_value acc = sp_null();
    sp_map total;
    sp_map_init(&total);
    for (size_t i = 0; i < et->n; i++) {
        event_pane *p = &et->panes[i];
        if (p->index < first || p->index >= last)
            continue;
        switch (c->step->op) {
        case SP_OP_WINDOW:
            for (size_t k = 0; k < p->items.n; k++)
                sp_vec_push(out, p->items.v[k]);
            break;
        case SP_OP_COUNT_BY_WINDOW:
            count += p->count;
            break;
        case SP_OP_REDUCE_BY_WINDOW:
            if (p->has_acc) {
                acc = have ? apply2(c, f, acc, p->acc) : p->acc;
                have = 1;
            }
            break;
        default: /* keyed: merge the panes' maps */
            for (size_t k = 0; k < p->map.cap; k++) {
                if (!p->map.hashes[k])
                    continue;
                int created;
                sp_value *slot = sp_map_put(&total, p->map.keys[k], &created);
                if (c->step->op == SP_OP_COUNT_BY_VALUE_AND_WINDOW)
                    *slot = sp_int((created ? 0 : slot->u.i) + p->map.vals[k].u.i);
                else
                    *slot = created ? p->map.vals[k] : apply2(c, f, *slot, p->map.vals[k]);
            }
        }
    }
    if (c->step->op == SP_OP_COUNT_BY_WINDOW)
        sp_vec_push(out, sp_int(count));
    else if (c->step->op == SP_OP_REDUCE_BY_WINDOW && have)
        sp_vec_push(out, acc);
    else if (c->step->op == SP_OP_COUNT_BY_VALUE_AND_WINDOW || c->step->op == SP_OP_REDUCE_BY_KEY_AND_WINDOW)
        emit_sorted_map(c, &total, out);
    sp_map_free(&total);
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void event_window_process(const sp_opctx *c, event_window *et, const sp_vec *in, sp_vec *out)
{
    const sp_expr *on = opt_expr(c->step, SP_OPT_ON);
    int64_t L = et->panes_per_window;
    /* panes whose every window went out in an earlier batch: freed only
     * now, since what was emitted points into them until its sinks ran */
    size_t keep = 0;
    for (size_t i = 0; i < et->n; i++) {
        int64_t last_end;
        int done = et->have_emitted && !__builtin_mul_overflow(et->panes[i].index + L, et->slide, &last_end) &&
                   last_end <= et->emitted;
        if (done)
            event_pane_free(&et->panes[i]);
        else
            et->panes[keep++] = et->panes[i];
    }
    et->n = keep;

    for (size_t i = 0; i < in->n; i++) {
        sp_value t = sp_eval_elem_arg(c->ev, on, c->step->nlocals, in->v[i]);
        int late = t.tag != SP_V_INT;
        if (!late && et->have_time && t.u.i < et->max_time - et->lateness)
            late = 1;
        if (!late && et->have_emitted && t.u.i < et->emitted)
            late = 1; /* its windows are already out */
        if (late) {
            if (c->late)
                sp_vec_push(c->late, in->v[i]);
            continue;
        }
        event_pane_add(c, event_pane_get(et, floor_div(t.u.i, et->slide)), in->v[i]);
        if (!et->have_time || t.u.i > et->max_time)
            et->max_time = t.u.i;
        et->have_time = 1;
    }
    if (!et->have_time) {
        out->present = 0;
        return;
    }
    /* the windows the watermark has passed: each ends at a pane boundary
     * after a pane with data */
    int64_t watermark = c->final ? INT64_MAX : et->max_time - et->lateness;
    int64_t *ends = sp_arena_alloc(c->ev->arena, sizeof *ends * (et->n * (size_t)L + 1));
    size_t nends = 0;
    for (size_t i = 0; i < et->n; i++) {
        for (int64_t k = 1; k <= L; k++) {
            int64_t idx = et->panes[i].index + k, end;
            if (__builtin_mul_overflow(idx, et->slide, &end))
                continue;
            if (end <= watermark && (!et->have_emitted || end > et->emitted))
                ends[nends++] = end;
        }
    }
    qsort(ends, nends, sizeof *ends, compare_i64);
    size_t emitted = 0;
    for (size_t i = 0; i < nends; i++) {
        if (i > 0 && ends[i] == ends[i - 1])
            continue;
        int64_t last = ends[i] / et->slide;
        event_window_emit(c, et, last - L, last, out);
        sp_vec_mark(out, ends[i]);
        et->emitted = ends[i];
        et->have_emitted = 1;
        emitted++;
    }
    if (!emitted)
        out->present = 0;
}

/* ----- the table ----- */

#define STATELESS(fn) {NULL, fn, NULL}
/* Processing-time windows by operator; event-time ones all go through
 * event_window_process. */
static void window_process(const sp_opctx *c, void *s, const sp_vec *in, const sp_vec *in2, sp_vec *out)
{
    window_state *w = s;
    if (w->et) {
        event_window_process(c, w->et, in, out);
        return;
    }
    switch (c->step->op) {
    case SP_OP_WINDOW: op_window(c, s, in, in2, out); break;
    case SP_OP_COUNT_BY_WINDOW: op_count_by_window(c, s, in, in2, out); break;
    case SP_OP_REDUCE_BY_WINDOW: op_reduce_by_window(c, s, in, in2, out); break;
    case SP_OP_COUNT_BY_VALUE_AND_WINDOW: op_count_by_value_and_window(c, s, in, in2, out); break;
    case SP_OP_REDUCE_BY_KEY_AND_WINDOW: op_reduce_by_key_and_window(c, s, in, in2, out); break;
    default: break;
    }
}

static uint64_t map_bytes(const sp_map *m)
{
    return m->cap * (2 * sizeof(sp_value) + sizeof(uint64_t));
}

static void window_state_size(const void *state, uint64_t *entries, uint64_t *bytes)
{
    const window_state *w = state;
    uint64_t e = 0, b = sizeof *w;
    if (w->et) {
        for (size_t i = 0; i < w->et->n; i++) {
            const event_pane *p = &w->et->panes[i];
            e += p->items.n + p->map.n + (uint64_t)p->has_acc + (p->count != 0);
            b += sp_arena_used(p->arena) + p->items.cap * sizeof(sp_value) + map_bytes(&p->map);
        }
    } else {
        for (int i = 0; i < w->nbatches; i++) {
            const pane *p = &w->panes[i];
            e += p->items.n + p->map.n + (uint64_t)p->has_acc + (p->count != 0);
            b += sp_arena_used(p->arena) + p->items.cap * sizeof(sp_value) + map_bytes(&p->map);
        }
        e += w->running.n;
        b += sp_arena_used(w->run_arena) + map_bytes(&w->running) + map_bytes(&w->refs);
    }
    *entries = e;
    *bytes = b;
}

/* ----- checkpoints: operator state as bytes ----- */

static void put_vec(sp_wbuf *w, const sp_vec *v)
{
    sp_put_u64(w, v->n);
    for (size_t i = 0; i < v->n; i++)
        sp_put_value(w, v->v[i]);
}

/* Reads a vector written by put_vec; values in `a`. */
static void get_vec(sp_rbuf *r, sp_vec *v, sp_arena *a)
{
    uint64_t n = sp_get_u64(r);
    if (n > r->n - r->pos) { /* every value takes a byte at least */
        r->bad = 1;
        return;
    }
    for (uint64_t i = 0; i < n && !r->bad; i++)
        sp_vec_push(v, sp_get_value(r, a));
}

static void put_map(sp_wbuf *w, const sp_map *m)
{
    sp_put_u64(w, m->n);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->hashes[i])
            continue;
        sp_put_value(w, m->keys[i]);
        sp_put_value(w, m->vals[i]);
    }
}

/* Reads a map written by put_map; keys and values in `a`. */
static void get_map(sp_rbuf *r, sp_map *m, sp_arena *a)
{
    uint64_t n = sp_get_u64(r);
    if (n > (r->n - r->pos) / 2) {
        r->bad = 1;
        return;
    }
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        sp_value k = sp_get_value(r, a);
        sp_value v = sp_get_value(r, a);
        int created;
        sp_value *slot = sp_map_put(m, k, &created);
        if (!created) /* a key twice: not something we wrote */
            r->bad = 1;
        *slot = v;
    }
}

static void put_opt_value(sp_wbuf *w, int has, sp_value v)
{
    sp_put_u8(w, has ? 1 : 0);
    if (has)
        sp_put_value(w, v);
}

static int get_opt_value(sp_rbuf *r, sp_value *v, sp_arena *a)
{
    unsigned has = sp_get_u8(r);
    if (has > 1)
        r->bad = 1;
    *v = has == 1 ? sp_get_value(r, a) : sp_null();
    return has == 1;
}

static void window_snapshot(const void *state, sp_wbuf *w)
{
    const window_state *ws = state;
    if (ws->et) {
        const event_window *et = ws->et;
        sp_put_u8(w, 1);
        sp_put_i64(w, et->max_time);
        sp_put_u8(w, (unsigned)et->have_time);
        sp_put_i64(w, et->emitted);
        sp_put_u8(w, (unsigned)et->have_emitted);
        sp_put_u64(w, et->n);
        for (size_t i = 0; i < et->n; i++) {
            const event_pane *p = &et->panes[i];
            sp_put_i64(w, p->index);
            put_vec(w, &p->items);
            put_map(w, &p->map);
            put_opt_value(w, p->has_acc, p->acc);
            sp_put_i64(w, p->count);
        }
        return;
    }
    sp_put_u8(w, 0);
    sp_put_u32(w, (uint32_t)ws->nbatches);
    for (int i = 0; i < ws->nbatches; i++) {
        const pane *p = &ws->panes[i];
        sp_put_u8(w, (unsigned)p->filled);
        put_vec(w, &p->items);
        put_map(w, &p->map);
        put_opt_value(w, p->has_acc, p->acc);
        sp_put_i64(w, p->count);
    }
    put_map(w, &ws->running);
    put_map(w, &ws->refs);
    put_opt_value(w, ws->has_run_acc, ws->run_acc);
}

static int window_restore(void *state, sp_rbuf *r)
{
    window_state *ws = state;
    unsigned event = sp_get_u8(r);
    if (event != (ws->et != NULL))
        return -1;
    if (ws->et) {
        event_window *et = ws->et;
        et->max_time = sp_get_i64(r);
        et->have_time = sp_get_u8(r) != 0;
        et->emitted = sp_get_i64(r);
        et->have_emitted = sp_get_u8(r) != 0;
        uint64_t n = sp_get_u64(r);
        if (n > r->n - r->pos)
            return -1;
        int64_t prev = INT64_MIN;
        for (uint64_t i = 0; i < n && !r->bad; i++) {
            int64_t index = sp_get_i64(r);
            if (i > 0 && index <= prev) /* panes are written sorted */
                return -1;
            prev = index;
            event_pane *p = event_pane_get(et, index);
            get_vec(r, &p->items, p->arena);
            get_map(r, &p->map, p->arena);
            p->has_acc = get_opt_value(r, &p->acc, p->arena);
            p->count = sp_get_i64(r);
        }
        return r->bad ? -1 : 0;
    }
    if (sp_get_u32(r) != (uint32_t)ws->nbatches)
        return -1;
    for (int i = 0; i < ws->nbatches && !r->bad; i++) {
        pane *p = &ws->panes[i];
        p->filled = sp_get_u8(r) != 0;
        get_vec(r, &p->items, p->arena);
        get_map(r, &p->map, p->arena);
        p->has_acc = get_opt_value(r, &p->acc, p->arena);
        p->count = sp_get_i64(r);
    }
    get_map(r, &ws->running, ws->run_arena);
    get_map(r, &ws->refs, ws->run_arena);
    ws->has_run_acc = get_opt_value(r, &ws->run_acc, ws->run_arena);
    ws->run_compacted = sp_arena_used(ws->run_arena);
    return r->bad ? -1 : 0;
}

static void state_snapshot(const void *p, sp_wbuf *w)
{
    const state_by_key *s = p;
    put_map(w, &s->state);
}

static int state_restore(void *p, sp_rbuf *r)
{
    state_by_key *s = p;
    get_map(r, &s->state, s->arena);
    s->live = sp_arena_used(s->arena);
    return r->bad ? -1 : 0;
}

/* fn names the processing-time implementation window_process calls */
#define WINDOWED(fn) {window_open, window_process, window_close, window_state_size, window_snapshot, window_restore}

const sp_operator_impl sp_operator_impls[SP_OP_COUNT_] = {
    [SP_OP_MAP] = STATELESS(op_map),
    [SP_OP_FLATMAP] = STATELESS(op_flatmap),
    [SP_OP_FILTER] = STATELESS(op_filter),
    [SP_OP_COUNT] = STATELESS(op_count),
    [SP_OP_REDUCE] = STATELESS(op_reduce),
    [SP_OP_COUNT_BY_VALUE] = STATELESS(op_count_by_value),
    [SP_OP_REDUCE_BY_KEY] = STATELESS(op_reduce_by_key),
    [SP_OP_GROUP_BY_KEY] = STATELESS(op_group_by_key),
    [SP_OP_SORT_BY_KEY] = STATELESS(op_sort_by_key),
    [SP_OP_JOIN] = STATELESS(op_join),
    [SP_OP_LEFT_OUTER_JOIN] = STATELESS(op_join),
    [SP_OP_UNION] = STATELESS(op_union),
    [SP_OP_WINDOW] = WINDOWED(op_window),
    [SP_OP_COUNT_BY_WINDOW] = WINDOWED(op_count_by_window),
    [SP_OP_REDUCE_BY_WINDOW] = WINDOWED(op_reduce_by_window),
    [SP_OP_COUNT_BY_VALUE_AND_WINDOW] = WINDOWED(op_count_by_value_and_window),
    [SP_OP_REDUCE_BY_KEY_AND_WINDOW] = WINDOWED(op_reduce_by_key_and_window),
    [SP_OP_UPDATE_STATE_BY_KEY] = {state_open, op_update_state_by_key, state_close, state_size, state_snapshot,
                                   state_restore},
    [SP_OP_TOP] = STATELESS(op_top),
    [SP_OP_TAKE] = STATELESS(op_take),
};
