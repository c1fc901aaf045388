/* runtime_par.c - the parallel stage of a batch: the stateless prefix of the
 * plan (map, filter and flatMap chains fed by a source) run over contiguous
 * chunks of the batch, one chunk per thread.
 *
 * Each thread has its own evaluator and arena, so nothing is locked and
 * nothing is allocated with malloc per record.  The chunks' outputs are put
 * end to end in chunk order: each node's output is the same, element for
 * element, as a run on one thread, whatever the number of threads.  The
 * operators downstream (keyed, windowed, sinks) then run on the calling
 * thread as before.  See runtime_int.h. */
#include "runtime_int.h"
#include "pool.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct par_worker {
    sp_eval ev;       /* its evaluator; ev.arena is `arena` */
    sp_arena *arena;  /* what its chunk produced this batch; owned */
    sp_vec *outs;     /* per stage node: its output for the chunk; owned */
    uint64_t *ns;     /* per stage node: time spent in it this batch */
} par_worker;

struct sp_par {
    sp_pool *pool;        /* the threads; owned */
    sp_par_node *nodes;   /* the stage, in plan order; the caller's */
    int n;                /* how many */
    par_worker *workers;  /* one per thread; owned */
    int nworkers;
    /* the batch being run */
    uint64_t batch;
    int64_t batch_ms, time_ms;
    int final;
};

static uint64_t par_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

sp_par *sp_par_new(int threads, sp_par_node *nodes, int n, sp_diag *d)
{
    if (threads < 2 || n < 1)
        return NULL;
    sp_pool *pool = sp_pool_new(threads);
    if (!pool)
        return NULL; /* the caller runs everything on one thread */
    sp_par *p = sp_xmalloc(sizeof *p);
    memset(p, 0, sizeof *p);
    p->pool = pool;
    p->n = n;
    p->nodes = nodes;
    p->nworkers = threads;
    p->workers = sp_xmalloc(sizeof *p->workers * (size_t)threads);
    for (int k = 0; k < threads; k++) {
        par_worker *w = &p->workers[k];
        w->arena = sp_arena_new();
        sp_eval_init(&w->ev, w->arena, d);
        w->outs = sp_xmalloc(sizeof *w->outs * (size_t)n);
        memset(w->outs, 0, sizeof *w->outs * (size_t)n);
        w->ns = sp_xmalloc(sizeof *w->ns * (size_t)n);
    }
    return p;
}

int sp_par_threads(const sp_par *p)
{
    return p ? p->nworkers : 1;
}

/* Thread k: its chunk of every source, through every node of the stage. */
static void par_chunk(void *ctx, int k)
{
    sp_par *p = ctx;
    par_worker *w = &p->workers[k];
    for (int j = 0; j < p->n; j++) {
        const sp_par_node *pn = &p->nodes[j];
        sp_vec part = {0};
        const sp_vec *in;
        if (pn->input < 0) {
            size_t total = pn->src->n, nw = (size_t)p->nworkers;
            size_t lo = total * (size_t)k / nw, hi = total * (size_t)(k + 1) / nw;
            part.v = pn->src->v + lo;
            part.n = hi - lo;
            part.present = 1;
            in = &part;
        } else {
            in = &w->outs[pn->input];
        }
        uint64_t t0 = par_mono_ns();
        sp_vec_reset(&w->outs[j]);
        sp_opctx c = {&w->ev, pn->node, pn->node->step, p->batch, p->batch_ms, p->time_ms, p->final, NULL};
        pn->op->process(&c, NULL, in, NULL, &w->outs[j]);
        w->ns[j] = par_mono_ns() - t0;
    }
}

uint64_t sp_par_run(sp_par *p, uint64_t batch, int64_t batch_ms, int64_t time_ms, int final)
{
    p->batch = batch;
    p->batch_ms = batch_ms;
    p->time_ms = time_ms;
    p->final = final;
    for (int k = 0; k < p->nworkers; k++) {
        par_worker *w = &p->workers[k];
        /* last batch's values are no longer referenced: state and held
         * results were copied into their own arenas */
        sp_arena_free(w->arena);
        w->arena = sp_arena_new();
        w->ev.arena = w->arena;
        w->ev.now_ms = time_ms;
    }
    uint64_t errors0 = 0;
    for (int k = 0; k < p->nworkers; k++)
        errors0 += p->workers[k].ev.errors;
    sp_pool_run(p->pool, par_chunk, p);
    uint64_t errors = 0;
    for (int k = 0; k < p->nworkers; k++)
        errors += p->workers[k].ev.errors;
    /* each node's output: the chunks end to end, in order */
    for (int j = 0; j < p->n; j++) {
        sp_vec *out = p->nodes[j].out;
        size_t total = 0;
        p->nodes[j].ns = 0;
        for (int k = 0; k < p->nworkers; k++) {
            total += p->workers[k].outs[j].n;
            p->nodes[j].ns += p->workers[k].ns[j];
        }
        sp_vec_reset(out);
        if (total > out->cap) {
            out->cap = total;
            out->v = sp_xrealloc(out->v, sizeof *out->v * total);
        }
        for (int k = 0; k < p->nworkers; k++) {
            const sp_vec *part = &p->workers[k].outs[j];
            if (part->n)
                memcpy(out->v + out->n, part->v, sizeof *part->v * part->n);
            out->n += part->n;
        }
    }
    return errors - errors0;
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
        for (int j = 0; j < p->n; j++)
            sp_vec_free(&w->outs[j]);
        free(w->outs);
        free(w->ns);
    }
    free(p->workers);
    free(p);
}
