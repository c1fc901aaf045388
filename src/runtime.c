/* runtime.c - the micro-batch scheduler: sources, operators and sinks run in
 * plan order once per batch; see runtime.h. */
#include "runtime_int.h"
#include "checkpoint.h"
#include "serial.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BATCH_RECORDS 100000

typedef struct node_rt {
    const sp_node *node;           /* the plan node */
    sp_vec out;                    /* what it produced this batch */
    sp_vec late;                   /* event-time window: its late elements this batch */
    const sp_operator_impl *op;    /* OP: its implementation */
    const sp_source_impl *source;  /* SOURCE: its implementation */
    const sp_sink_impl *sink;      /* SINK: its implementation */
    void *state;                   /* operator / source / sink state */
    int done;                      /* SOURCE: exhausted */
    int singleton;                 /* carries one value per batch */
    int final;                     /* SINK: write only the last result, when the run ends */
    sp_vec held;                   /* SINK with final: that result (values in held_arena) */
    sp_arena *held_arena;          /* owns them */
    int64_t held_time;             /* its batch or window time */
    uint64_t held_batch;           /* its batch */
    int have_held;                 /* something is held */
    const char *sink_name;         /* SINK: its name (in the runtime's arena) */
    sp_node_stats st;              /* counters */
    int par;                       /* 1 + its index in the parallel stage, or 0 */
    int comb;                      /* 1 + its index among the stage's combiners, or 0 */
} node_rt;

struct sp_runtime {
    sp_program *program;   /* the checked program; annotated by prepare */
    const sp_plan *plan;   /* what to run */
    sp_diag *diag;         /* run-time warnings */
    sp_run_options opt;    /* options, defaults filled in */
    node_rt *nodes;        /* one per plan node */
    int n;                 /* number of nodes */
    sp_arena *arena;       /* lives as long as the runtime: names, args */
    sp_eval ev;            /* the evaluator */
    int live;              /* some source has no end: batches follow the clock */
    sp_run_stats stats;    /* counters */
    uint64_t batch;        /* the batch being run (or just run) */
    sp_batch_observer observer; /* called after every batch, or NULL */
    void *observer_ctx;
    uint64_t *fps;         /* fingerprint of every node (checkpoints); owned */
    uint64_t first_batch;  /* number of the first batch to run: 0, or after a checkpoint's */
    int64_t last_time;     /* time of the last batch run */
    sp_wbuf ckpt;          /* the checkpoint being written (reused) */
    sp_wbuf blob;          /* one entry of it */
    uint64_t since_ckpt;   /* batches run since the last checkpoint */
    int ckpt_lock;         /* descriptor holding the checkpoint directory's lock, or -1 */
    sp_par *par;           /* the stateless prefix on several threads, or NULL */
    sp_par_node *par_nodes; /* its nodes; owned */
    sp_par_combiner *par_combs; /* its map-side combiners; owned */
    int par_ran;           /* the stage ran for this batch */
    /* Reading ahead: with one source, bounded and allowing it (a regular
     * file), the next batch's records are read on a thread of their own
     * while the batch before runs, into the other of two input arenas (the
     * lines of a batch stay in its input arena until the batch is done; the
     * rest of a batch uses the batch arena as usual).  The source's position
     * after each read is kept with it, for
     * the checkpoint of that batch (the source itself is a read ahead by
     * then, and busy). */
    struct {
        int node;          /* the source node, or -1: no reading ahead */
        int running;       /* a read is under way on `thread` */
        pthread_t thread;
        sp_arena *arena;   /* where it reads: the next batch's arena */
        sp_vec out;        /* what it read */
        int r;             /* the read's result */
        char *err;         /* and its error (malloc'd) */
        uint64_t malformed; /* records it rejected */
        sp_wbuf pos;       /* the source's position after it */
        uint64_t ns;       /* how long it took (written by its thread, read once it is joined) */
        int done;          /* its read returned (atomic: the stage's threads look) */
    } ahead;
    sp_wbuf pos;           /* the position of the source read ahead, after this batch's read */
};

/* Larger batches are read ahead whole before the stage starts (the room
 * made for them would be too much): 16 MiB of values. */
#define FEED_MAX_RECORDS (1u << 20)

/* Does the stage take a batch read ahead as it comes (sp_par_run_fed)?
 * Then `ahead.out` gets room for the whole batch before each read. */
static int feeds_stage(const sp_runtime *rt)
{
    return rt->par && (uint64_t)rt->opt.batch_records <= FEED_MAX_RECORDS;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Adds one batch's figures to a node's counters. */
static void count_node(node_rt *nr, uint64_t in, uint64_t out, uint64_t ns)
{
    nr->st.records_in += in;
    nr->st.records_out += out;
    nr->st.ns += ns;
    nr->st.last_in = in;
    nr->st.last_out = out;
    nr->st.last_ns = ns;
}

/* Evaluates the constant arguments of a source or sink against its spec. */
static void io_args_build(sp_runtime *rt, const sp_io_info *io, const sp_arg *args, sp_io_args *out)
{
    char names[16][32];
    int np = 0;
    const char *s = io->params;
    while (*s && np < 16) {
        if (*s == '?')
            s++;
        size_t n = strcspn(s, ":");
        snprintf(names[np], sizeof names[np], "%.*s", (int)n, s);
        s += n;
        s += strcspn(s, ",");
        if (*s == ',')
            s++;
        np++;
    }
    out->n = 0;
    int pos = 0;
    for (const sp_arg *a = args; a && out->n < 16; a = a->next) {
        const char *name = a->name;
        if (!name) {
            if (pos >= np)
                continue;
            name = names[pos++];
        }
        out->names[out->n] = sp_arena_strdup(rt->arena, name);
        out->values[out->n] = sp_value_copy(rt->arena, sp_eval_expr(&rt->ev, a->value));
        out->n++;
    }
}

/* The default name of a sink: the stream its pipeline starts from when the
 * sink is its only step, else "sink N". */
static const char *sink_default_name(sp_runtime *rt, const sp_node *node)
{
    const sp_stmt *s = node->stmt;
    if (s && s->steps == node->step && s->head)
        return s->head;
    return sp_arena_printf(rt->arena, "sink %d", node->id);
}

/* "reduceByKeyAndWindow (logs.sp:12)": a node as the resume summary names it. */
static const char *node_title(sp_runtime *rt, const sp_node *node)
{
    const char *what = node->kind == SP_NODE_SOURCE ? sp_arena_printf(rt->arena, "source %s", node->name)
                       : node->kind == SP_NODE_SINK ? sp_arena_printf(rt->arena, "sink %s", node->label)
                                                    : node->label;
    const sp_srcfile *f = sp_diag_file(rt->diag, node->loc.file);
    if (!f)
        return what;
    int line, col;
    sp_srcfile_position(f, node->loc.start, &line, &col);
    return sp_arena_printf(rt->arena, "%s (%s:%d)", what, sp_srcfile_name(f), line);
}

/* Appends "item" to a comma-separated list in the arena. */
static char *list_add(sp_arena *a, char *list, const char *item)
{
    return list ? sp_arena_printf(a, "%s, %s", list, item) : sp_arena_strdup(a, item);
}

/* Restores what DIR/checkpoint holds into the freshly opened nodes: every
 * operator and sink whose fingerprint it has, every source's position.
 * Returns 0 (nothing to restore included), or -1 with *err when the
 * checkpoint is unusable: then nothing may run. */
static int restore_checkpoint(sp_runtime *rt, char **err)
{
    sp_ckpt *ck;
    int r = sp_ckpt_load(rt->opt.checkpoint_dir, &ck, err);
    if (r <= 0) {
        if (r < 0) {
            char *m = sp_xprintf("%s; nothing was restored.  Move it away to start afresh (the state it holds is "
                                 "lost), or put back a good copy", *err);
            free(*err);
            *err = m;
        }
        return r;
    }
    const sp_ckpt_header *h = sp_ckpt_info(ck);
    char *kept = NULL, *reset = NULL, *notes = NULL;
    int rc = 0;
    for (int i = 0; i < rt->n && rc == 0; i++) {
        node_rt *nr = &rt->nodes[i];
        const sp_node *node = nr->node;
        size_t n;
        const void *blob = NULL;
        sp_rbuf rb;
        if (node->kind == SP_NODE_SOURCE && nr->source->seek) {
            blob = sp_ckpt_take(ck, SP_CKPT_SOURCE, rt->fps[i], &n, NULL);
            if (!blob) {
                reset = list_add(rt->arena, reset, node_title(rt, node));
                continue;
            }
            sp_rbuf_init(&rb, blob, n);
            char *why = NULL;
            int s = nr->source->seek(nr->state, &rb, &why);
            if (s < 0 || (s == 0 && !sp_rbuf_done(&rb))) {
                *err = sp_xstrdup(node->name);
                rc = -1;
            } else if (s > 0) {
                notes = list_add(rt->arena, notes, sp_arena_printf(rt->arena, "source %s: %s", node->name,
                                                                   why ? why : "cannot resume"));
                reset = list_add(rt->arena, reset, node_title(rt, node));
            } else
                kept = list_add(rt->arena, kept, node_title(rt, node));
            free(why);
        } else if (node->kind == SP_NODE_OP && nr->op->restore && nr->state) {
            blob = sp_ckpt_take(ck, SP_CKPT_OPERATOR, rt->fps[i], &n, NULL);
            if (!blob) {
                reset = list_add(rt->arena, reset, node_title(rt, node));
                continue;
            }
            sp_rbuf_init(&rb, blob, n);
            if (nr->op->restore(nr->state, &rb) != 0 || !sp_rbuf_done(&rb)) {
                *err = sp_xstrdup(node->label);
                rc = -1;
            } else
                kept = list_add(rt->arena, kept, node_title(rt, node));
        } else if (node->kind == SP_NODE_SINK && nr->final) {
            blob = sp_ckpt_take(ck, SP_CKPT_SINK, rt->fps[i], &n, NULL);
            if (!blob)
                continue;
            sp_rbuf_init(&rb, blob, n);
            unsigned have = sp_get_u8(&rb);
            if (have) {
                nr->held_batch = sp_get_u64(&rb);
                nr->held_time = sp_get_i64(&rb);
                uint64_t k = sp_get_u64(&rb);
                if (k > n)
                    rb.bad = 1;
                nr->held_arena = sp_arena_new();
                for (uint64_t j = 0; j < k && !rb.bad; j++)
                    sp_vec_push(&nr->held, sp_get_value(&rb, nr->held_arena));
                nr->have_held = 1;
            }
            if (have > 1 || !sp_rbuf_done(&rb)) {
                *err = sp_xstrdup(node->label);
                rc = -1;
            }
        }
    }
    if (rc != 0) {
        char *what = *err;
        *err = sp_xprintf("checkpoint '%s/checkpoint' is corrupt: the state of '%s' cannot be read; nothing was "
                          "restored.  Move it away to start afresh, or put back a good copy",
                          rt->opt.checkpoint_dir, what);
        free(what);
        sp_ckpt_free(ck);
        return -1;
    }
    rt->first_batch = h->next_batch;
    rt->last_time = h->time_ms;
    rt->stats.batches = h->batches;
    rt->stats.records_in = h->records_in;
    rt->stats.malformed = h->malformed;
    rt->stats.late = h->late;
    rt->ev.errors = h->eval_errors;
    if (!rt->opt.quiet) {
        fprintf(stderr, "streampipe: resuming from checkpoint %s/checkpoint, written after batch %" PRIu64 "\n",
                rt->opt.checkpoint_dir, h->next_batch ? h->next_batch - 1 : 0);
        fprintf(stderr, "streampipe:   kept: %s\n", kept ? kept : "nothing");
        if (reset)
            fprintf(stderr, "streampipe:   reset (new or changed since the checkpoint): %s\n", reset);
        if (notes)
            fprintf(stderr, "streampipe:   note: %s\n", notes);
        int iter = 0, kind, dropped = 0;
        const char *name;
        while (sp_ckpt_untaken(ck, &iter, &kind, &name))
            dropped++;
        if (dropped)
            fprintf(stderr, "streampipe:   dropped: the saved state of %d node%s no longer in the pipeline\n", dropped,
                    dropped > 1 ? "s" : "");
    }
    sp_ckpt_free(ck);
    return 0;
}

/* Writes the checkpoint of the batch just run: every stateful operator's
 * state, every source's position, every held final result. */
static int write_checkpoint(sp_runtime *rt, uint64_t next_batch)
{
    sp_ckpt_header h = {sp_plan_name(rt->plan), next_batch, rt->last_time, 0, rt->stats.batches,
                        rt->stats.records_in, rt->stats.malformed, rt->ev.errors, rt->stats.late};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    h.written_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    sp_ckpt_begin(&rt->ckpt, &h);
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        const sp_node *node = nr->node;
        rt->blob.n = 0;
        rt->blob.bad = 0;
        int kind;
        if (node->kind == SP_NODE_SOURCE && i == rt->ahead.node) {
            sp_put_bytes(&rt->blob, rt->pos.p, rt->pos.n);
            kind = SP_CKPT_SOURCE;
        } else if (node->kind == SP_NODE_SOURCE && nr->source->position) {
            nr->source->position(nr->state, &rt->blob);
            kind = SP_CKPT_SOURCE;
        } else if (node->kind == SP_NODE_OP && nr->op->snapshot && nr->state) {
            nr->op->snapshot(nr->state, &rt->blob);
            kind = SP_CKPT_OPERATOR;
        } else if (node->kind == SP_NODE_SINK && nr->final) {
            sp_put_u8(&rt->blob, (unsigned)nr->have_held);
            if (nr->have_held) {
                sp_put_u64(&rt->blob, nr->held_batch);
                sp_put_i64(&rt->blob, nr->held_time);
                sp_put_u64(&rt->blob, nr->held.n);
                for (size_t k = 0; k < nr->held.n; k++)
                    sp_put_value(&rt->blob, nr->held.v[k]);
            }
            kind = SP_CKPT_SINK;
        } else
            continue;
        if (rt->blob.bad) {
            fprintf(stderr, "streampipe: cannot write a checkpoint: the state of %s holds a function value\n",
                    node_title(rt, node));
            return -1;
        }
        sp_ckpt_entry(&rt->ckpt, kind, node->name ? node->name : node->label, rt->fps[i], &rt->blob);
    }
    char *err = NULL;
    if (sp_ckpt_save(rt->opt.checkpoint_dir, &rt->ckpt, &err) != 0) {
        fprintf(stderr, "streampipe: %s\n", err);
        free(err);
        return -1;
    }
    rt->since_ckpt = 0;
    return 0;
}

static const sp_expr *first_arg(const sp_step *st)
{
    return st->args ? st->args->value : NULL;
}

/* Do two reducer arguments name the same function (a user function or a
 * built-in, by name, not a lambda or another expression)? */
static int same_function(const sp_expr *a, const sp_expr *b)
{
    if (a->kind != SP_E_NAME || b->kind != SP_E_NAME || a->resolution != b->resolution)
        return 0;
    if (a->resolution == SP_R_FUNCTION)
        return a->target == b->target;
    if (a->resolution == SP_R_BUILTIN)
        return a->slot == b->slot;
    return 0;
}

/* The parallel stage: every map, filter and flatMap fed by a source or by
 * another such node (a stream of many elements, not a singleton), and a
 * combiner for every reduce, reduceByWindow, reduceByKey and
 * reduceByKeyAndWindow (processing time) that reads one of them. */
static void par_plan(sp_runtime *rt)
{
    rt->par_nodes = sp_xmalloc(sizeof *rt->par_nodes * (size_t)rt->n);
    rt->par_combs = sp_xmalloc(sizeof *rt->par_combs * (size_t)rt->n);
    int n = 0, ncombs = 0;
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        const sp_node *node = nr->node;
        if (node->kind != SP_NODE_OP || node->ninputs != 1 || node->step->event_time)
            continue;
        const node_rt *from = &rt->nodes[node->inputs[0]];
        if (!nr->singleton && (node->op == SP_OP_MAP || node->op == SP_OP_FILTER || node->op == SP_OP_FLATMAP)) {
            if (from->node->kind != SP_NODE_SOURCE && !from->par)
                continue;
            sp_par_node *pn = &rt->par_nodes[n];
            memset(pn, 0, sizeof *pn);
            pn->node = node;
            pn->op = nr->op;
            pn->input = from->par ? from->par - 1 : -1;
            pn->src = &from->out;
            pn->out = &nr->out;
            nr->par = ++n;
        } else if (from->par && first_arg(node->step) &&
                   (node->op == SP_OP_REDUCE || node->op == SP_OP_REDUCE_BY_WINDOW ||
                    node->op == SP_OP_REDUCE_BY_KEY || node->op == SP_OP_REDUCE_BY_KEY_AND_WINDOW)) {
            int keyed = node->op == SP_OP_REDUCE_BY_KEY || node->op == SP_OP_REDUCE_BY_KEY_AND_WINDOW;
            const sp_expr *f = first_arg(node->step);
            /* a window and a running total of the same stream with the same
             * reducer (reduceByKey f and reduceByKeyAndWindow f) share the
             * combine: the same partials, computed once */
            int same = -1;
            for (int m = 0; m < ncombs && same < 0; m++)
                if (rt->par_combs[m].input == from->par - 1 && rt->par_combs[m].keyed == keyed &&
                    same_function(rt->par_combs[m].f, f))
                    same = m;
            if (same >= 0) {
                rt->par_combs[same].users++;
                nr->comb = same + 1;
                continue;
            }
            sp_par_combiner *cb = &rt->par_combs[ncombs];
            memset(cb, 0, sizeof *cb);
            cb->input = from->par - 1;
            cb->keyed = keyed;
            cb->f = f;
            cb->nlocals = node->step->nlocals;
            cb->users = 1;
            nr->comb = ++ncombs;
        }
    }
    /* a stage node's whole output is needed when something other than the
     * stage and its combiners reads it */
    for (int i = 0; i < rt->n; i++) {
        const node_rt *nr = &rt->nodes[i];
        if (nr->par || nr->comb || nr->node->kind == SP_NODE_LATE)
            continue;
        for (int k = 0; k < nr->node->ninputs; k++) {
            const node_rt *from = &rt->nodes[nr->node->inputs[k]];
            if (from->par)
                rt->par_nodes[from->par - 1].keep = 1;
        }
    }
    rt->par = sp_par_new(rt->opt.threads, rt->par_nodes, n, rt->par_combs, ncombs, rt->diag);
    if (!rt->par)
        for (int i = 0; i < rt->n; i++)
            rt->nodes[i].par = rt->nodes[i].comb = 0;
}

/* How many elements node i produced this batch (a stage node may not keep
 * them). */
static uint64_t out_count(const sp_runtime *rt, int i)
{
    const node_rt *nr = &rt->nodes[i];
    return nr->par && rt->par_ran ? rt->par_nodes[nr->par - 1].n : nr->out.n;
}

sp_runtime *sp_runtime_new(sp_program *p, const sp_plan *plan, sp_diag *d,
                           const sp_run_options *opt, char **err)
{
    sp_runtime *rt = sp_xmalloc(sizeof *rt);
    memset(rt, 0, sizeof *rt);
    rt->ahead.node = -1;
    rt->program = p;
    rt->plan = plan;
    rt->diag = d;
    if (opt)
        rt->opt = *opt;
    if (!rt->opt.out)
        rt->opt.out = stdout;
    if (rt->opt.batch_records <= 0)
        rt->opt.batch_records = DEFAULT_BATCH_RECORDS;
    rt->opt.batch_ms = sp_plan_batch_ms(plan);
    rt->arena = sp_arena_new();
    sp_eval_prepare(p, d, rt->arena);
    sp_eval_init(&rt->ev, rt->arena, d);
    rt->n = sp_plan_node_count(plan);
    rt->nodes = sp_xmalloc(sizeof *rt->nodes * (size_t)(rt->n ? rt->n : 1));
    memset(rt->nodes, 0, sizeof *rt->nodes * (size_t)(rt->n ? rt->n : 1));
    int64_t batch_ms = sp_plan_batch_ms(plan);
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        const sp_node *node = sp_plan_node(plan, i);
        nr->node = node;
        sp_io_args args;
        switch (node->kind) {
        case SP_NODE_SOURCE:
            nr->source = sp_source_impl_for(node->op, NULL, rt->arena, err);
            io_args_build(rt, &sp_sources[node->op], node->stmt->args, &args);
            nr->state = nr->source->open(&args, &rt->opt, rt->arena, err);
            if (!nr->state) {
                sp_runtime_free(rt);
                return NULL;
            }
            if (nr->source->unbounded(nr->state))
                rt->live = 1;
            break;
        case SP_NODE_OP: {
            nr->op = &sp_operator_impls[node->op];
            nr->singleton = sp_operator_is_singleton(node->op) ||
                            ((node->op == SP_OP_MAP || node->op == SP_OP_FILTER || node->op == SP_OP_TAKE ||
                              node->op == SP_OP_TOP) && rt->nodes[node->inputs[0]].singleton);
            if (nr->op->open) {
                sp_opctx c = {&rt->ev, node, node->step, 0, batch_ms, 0, 0, NULL};
                nr->state = nr->op->open(&c);
            }
            break;
        }
        case SP_NODE_LATE:
            break;
        case SP_NODE_SINK:
            nr->sink = &sp_sink_impls[node->op];
            nr->singleton = rt->nodes[node->inputs[0]].singleton;
            io_args_build(rt, &sp_sinks[node->op], node->step->args, &args);
            nr->final = (int)sp_io_arg_int(&args, "final", 0);
            nr->sink_name = sp_io_arg_str(&args, "name", rt->arena,
                                          sp_io_arg_str(&args, "title", rt->arena, sink_default_name(rt, node)));
            nr->state = nr->sink->open(&args, &rt->opt, sink_default_name(rt, node), rt->arena, err);
            if (!nr->state) {
                sp_runtime_free(rt);
                return NULL;
            }
            break;
        }
    }
    rt->ckpt_lock = -1;
    if (rt->opt.checkpoint_dir && (rt->ckpt_lock = sp_ckpt_lock(rt->opt.checkpoint_dir, err)) < 0) {
        sp_runtime_free(rt);
        return NULL;
    }
    rt->fps = sp_xmalloc(sizeof *rt->fps * (size_t)(rt->n ? rt->n : 1));
    for (int i = 0; i < rt->n; i++)
        rt->fps[i] = sp_ckpt_fingerprint(plan, i, rt->fps);
    if (rt->opt.checkpoint_dir && restore_checkpoint(rt, err) != 0) {
        sp_runtime_free(rt);
        return NULL;
    }
    par_plan(rt);
    /* read ahead: with more than one thread (--threads 1 is one thread in
     * all), one source, bounded, which allows it */
    int sources = 0, src = -1;
    for (int i = 0; i < rt->n; i++)
        if (rt->nodes[i].node->kind == SP_NODE_SOURCE) {
            sources++;
            src = i;
        }
    if (sp_par_threads(rt->par) > 1 && sources == 1 && !rt->live && rt->nodes[src].source->read_ahead &&
        rt->nodes[src].source->read_ahead(rt->nodes[src].state))
        rt->ahead.node = src;
    return rt;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps until wall-clock time `deadline` (ms), waking to check for a stop. */
static void sleep_until(const sp_runtime *rt, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0 || (rt->opt.stop && *rt->opt.stop))
            return;
        if (left > 100)
            left = 100;
        struct timespec ts = {left / 1000, (left % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
}

/* Runs an operator on this batch's input.  An input made of event-time
 * windows (segments) is processed one window at a time, as if each were a
 * batch of its own; the output keeps the segments. */
static void run_operator(sp_runtime *rt, node_rt *nr, uint64_t batch, int64_t time_ms, int final)
{
    const sp_node *node = nr->node;
    /* a reducer fed by the parallel stage reads the chunks' partial results */
    const sp_vec *in = nr->comb && rt->par_ran ? &rt->par_combs[nr->comb - 1].out : &rt->nodes[node->inputs[0]].out;
    const sp_vec *in2 = node->ninputs > 1 ? &rt->nodes[node->inputs[1]].out : NULL;
    int present = in->present || (in2 && in2->present);
    if (!present && !nr->op->open) {
        nr->out.present = 0;
        return;
    }
    sp_vec empty = {0};
    empty.present = 1;
    sp_opctx c = {&rt->ev, node, node->step, batch, sp_plan_batch_ms(rt->plan), time_ms, final, &nr->late};
    const sp_vec *second = in2 ? (in2->present ? in2 : &empty) : NULL;
    if (in->nseg == 0 || node->step->event_time) {
        nr->op->process(&c, nr->state, in->present ? in : &empty, second, &nr->out);
        rt->stats.late += nr->late.n;
        return;
    }
    size_t start = 0;
    for (size_t s = 0; s < in->nseg; s++) {
        sp_vec part = {0};
        part.v = in->v + start;
        part.n = in->seg_end[s] - start;
        part.present = 1;
        c.time_ms = in->seg_time[s];
        nr->op->process(&c, nr->state, &part, second, &nr->out);
        sp_vec_mark(&nr->out, in->seg_time[s]);
        start = in->seg_end[s];
    }
}

/* A sink with `final: true` keeps a copy of the last result it was given
 * (the last window of it, for event time) instead of writing it. */
static void hold_last(node_rt *nr, const sp_vec *in, uint64_t batch, int64_t time_ms)
{
    size_t start = in->nseg ? (in->nseg > 1 ? in->seg_end[in->nseg - 2] : 0) : 0;
    sp_arena_free(nr->held_arena);
    nr->held_arena = sp_arena_new();
    sp_vec_reset(&nr->held);
    for (size_t k = start; k < in->n; k++)
        sp_vec_push(&nr->held, sp_value_copy(nr->held_arena, in->v[k]));
    nr->held_time = in->nseg ? in->seg_time[in->nseg - 1] : time_ms;
    nr->held_batch = batch;
    nr->have_held = 1;
}

/* Hands a node's output to a sink: each event-time window on its own. */
static int run_sink(sp_runtime *rt, node_rt *nr, uint64_t batch, int64_t time_ms, int64_t *header_time)
{
    const sp_vec *in = &rt->nodes[nr->node->inputs[0]].out;
    if (!in->present)
        return 0;
    if (nr->final) {
        hold_last(nr, in, batch, time_ms);
        return 0;
    }
    char *err = NULL;
    sp_sink_ctx c = {rt->opt.out, batch, time_ms, nr->singleton, header_time, 0};
    int rc = 0;
    if (in->nseg == 0) {
        rc = nr->sink->write(nr->state, &c, in, &err);
    } else {
        size_t start = 0;
        c.event_time = 1;
        for (size_t s = 0; s < in->nseg && rc == 0; s++) {
            sp_vec part = {0};
            part.v = in->v + start;
            part.n = in->seg_end[s] - start;
            part.present = 1;
            c.time_ms = in->seg_time[s];
            rc = nr->sink->write(nr->state, &c, &part, &err);
            start = in->seg_end[s];
        }
    }
    if (rc != 0) {
        fprintf(stderr, "streampipe: %s\n", err);
        free(err);
        return -1;
    }
    return 0;
}

static void *read_ahead_main(void *arg)
{
    sp_runtime *rt = arg;
    uint64_t t0 = mono_ns();
    node_rt *nr = &rt->nodes[rt->ahead.node];
    sp_vec_reset(&rt->ahead.out);
    rt->ahead.malformed = 0;
    rt->ahead.r = nr->source->read(nr->state, rt->ahead.arena, &rt->ahead.out, rt->opt.batch_records,
                                   &rt->ahead.malformed, &rt->ahead.err);
    sp_vec_publish(&rt->ahead.out); /* all of it, then that the read is over */
    __atomic_store_n(&rt->ahead.done, 1, __ATOMIC_RELEASE);
    rt->ahead.pos.n = 0;
    if (rt->ahead.r >= 0 && nr->source->position)
        nr->source->position(nr->state, &rt->ahead.pos);
    rt->ahead.ns = mono_ns() - t0;
    return NULL;
}

/* Starts reading the next batch into `arena`; 0 when no thread could be
 * started (the next batch then reads as usual). */
static int read_ahead_start(sp_runtime *rt, sp_arena *arena)
{
    rt->ahead.arena = arena;
    rt->ahead.err = NULL;
    /* room for the whole batch, so that the stage can read the lines while
     * they come (the array must not move); not for huge batches */
    size_t max = (size_t)rt->opt.batch_records;
    if (feeds_stage(rt) && rt->ahead.out.cap < max) {
        rt->ahead.out.v = sp_xrealloc(rt->ahead.out.v, sizeof *rt->ahead.out.v * max);
        rt->ahead.out.cap = max;
    }
    rt->ahead.out.ready = 0;
    rt->ahead.done = 0;
    rt->ahead.running = pthread_create(&rt->ahead.thread, NULL, read_ahead_main, rt) == 0;
    return rt->ahead.running;
}

/* Waits for the read under way, if any; counts how long it took, and how
 * long this wait was (the time the batch could not go on). */
static void read_ahead_wait(sp_runtime *rt)
{
    if (rt->ahead.running) {
        uint64_t t0 = mono_ns();
        pthread_join(rt->ahead.thread, NULL);
        rt->stats.ahead_wait_ns += mono_ns() - t0;
        rt->stats.ahead_ns += rt->ahead.ns;
    }
    rt->ahead.running = 0;
}

/* The stage's feed (sp_feed.finish): the read ahead's end. */
static size_t feed_finish(void *ctx)
{
    sp_runtime *rt = ctx;
    read_ahead_wait(rt);
    return rt->ahead.out.n;
}

/* What the read ahead gave, once it ended, into source node nr's output.
 * Returns the read's result. */
static int read_ahead_take(sp_runtime *rt, node_rt *nr, char **err)
{
    sp_vec t = nr->out; /* the vectors swap: both keep their arrays */
    nr->out = rt->ahead.out;
    nr->out.present = 1;
    rt->ahead.out = t;
    rt->stats.malformed += rt->ahead.malformed;
    *err = rt->ahead.err;
    rt->ahead.err = NULL;
    rt->pos.n = 0;
    sp_put_bytes(&rt->pos, rt->ahead.pos.p, rt->ahead.pos.n);
    return rt->ahead.r;
}

/* Reads source node nr's records of this batch into nr->out (in `arena`):
 * what was read ahead, or a read now.  Returns the read's result. */
static int read_source(sp_runtime *rt, node_rt *nr, sp_arena *arena, char **err)
{
    int i = (int)(nr - rt->nodes);
    if (i != rt->ahead.node)
        return nr->source->read(nr->state, arena, &nr->out, rt->opt.batch_records, &rt->stats.malformed, err);
    if (!rt->ahead.running) { /* the first batch, or no thread */
        rt->ahead.arena = arena;
        read_ahead_main(rt);
    } else {
        read_ahead_wait(rt);
    }
    return read_ahead_take(rt, nr, err);
}

/* After source node i's read (result r, error err): its counts, whether
 * the next batch is read ahead (*ahead); -1 on an error (reported). */
static int source_read(sp_runtime *rt, int i, int r, char *err, int can_ahead, int *ahead, uint64_t *records)
{
    node_rt *nr = &rt->nodes[i];
    if (r < 0) {
        fprintf(stderr, "streampipe: source '%s': %s\n", nr->node->name, err);
        free(err);
        return -1;
    }
    if (r == 0)
        nr->done = 1;
    else if (i == rt->ahead.node && can_ahead && !(rt->opt.stop && *rt->opt.stop))
        *ahead = 1;
    rt->stats.records_in += nr->out.n;
    *records += nr->out.n;
    return 0;
}

/* Runs one batch.  Returns 1 when every source is exhausted, -1 on error.
 * The sources read into `input` (the batch arena, or an input arena when
 * reading ahead); `next_in` is the next batch's input arena, or NULL. */
static int run_batch(sp_runtime *rt, uint64_t batch, int64_t time_ms, sp_arena *arena, sp_arena *input,
                     sp_arena *next_in, sp_batch_info *info)
{
    uint64_t malformed0 = rt->stats.malformed, late0 = rt->stats.late;
    rt->ev.arena = arena;
    rt->ev.now_ms = time_ms;
    rt->batch = batch;
    int all_done = 1, ahead = 0;
    uint64_t records = 0;
    /* the sources first; a read ahead that runs on is taken by the stage as
     * it goes (fed), and finished after it */
    int fed = -1;
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        if (nr->node->kind != SP_NODE_SOURCE)
            continue;
        nr->out.n = 0;
        nr->out.present = 1;
        char *err = NULL;
        uint64_t t0 = mono_ns();
        if (!nr->done && i == rt->ahead.node && rt->ahead.running && feeds_stage(rt)) {
            fed = i;
            continue;
        }
        if (!nr->done && source_read(rt, i, read_source(rt, nr, input, &err), err, next_in != NULL, &ahead,
                                     &records) != 0)
            return -1;
        if (!nr->done)
            all_done = 0;
        count_node(nr, nr->out.n, nr->out.n, mono_ns() - t0);
    }
    uint64_t stage0 = mono_ns();
    if (fed >= 0) {
        /* the stage, over the lines as they come; then the read's end */
        node_rt *nr = &rt->nodes[fed];
        sp_feed feed = {&rt->ahead.out, &rt->ahead.done, (size_t)rt->opt.batch_records, feed_finish, rt};
        uint64_t waited0 = rt->stats.ahead_wait_ns;
        rt->ev.errors += sp_par_run_fed(rt->par, batch, sp_plan_batch_ms(rt->plan), time_ms, &feed);
        rt->stats.ahead_wait_ns += sp_par_fed_wait_ns(rt->par);
        char *err = NULL;
        if (source_read(rt, fed, read_ahead_take(rt, nr, &err), err, next_in != NULL, &ahead, &records) != 0)
            return -1;
        if (!nr->done)
            all_done = 0;
        count_node(nr, nr->out.n, nr->out.n, rt->stats.ahead_wait_ns - waited0);
    }
    /* A bounded input that ended exactly at the end of the previous batch
     * leaves an empty last batch: only event-time windows still have work,
     * emitting the windows they hold; nothing else runs. */
    int flush_only = all_done && records == 0 && batch > 0;
    if (flush_only)
        for (int i = 0; i < rt->n; i++)
            if (rt->nodes[i].node->kind == SP_NODE_SOURCE)
                rt->nodes[i].out.present = 0;
    /* the stateless prefix, on all threads (fed: it ran; its output is
     * empty when the read gave nothing) */
    rt->par_ran = rt->par && !flush_only;
    if (rt->par_ran && fed < 0)
        rt->ev.errors += sp_par_run(rt->par, batch, sp_plan_batch_ms(rt->plan), time_ms, all_done);
    /* the next batch's read, while this one's operators after the stage
     * leave a core free (reading ahead needs several threads: during the
     * stage, all of them work) */
    if (ahead)
        read_ahead_start(rt, next_in);
    uint64_t serial0 = mono_ns();
    rt->stats.stage_ns += serial0 - stage0;
    int64_t header_time = INT64_MIN;
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        const sp_node *node = nr->node;
        if (node->kind == SP_NODE_SOURCE)
            continue;
        if (nr->par && rt->par_ran) { /* done above */
            count_node(nr, out_count(rt, node->inputs[0]), out_count(rt, i), rt->par_nodes[nr->par - 1].ns);
            continue;
        }
        sp_vec_reset(&nr->out);
        sp_vec_reset(&nr->late);
        uint64_t t0 = mono_ns();
        uint64_t in = 0;
        for (int k = 0; k < node->ninputs; k++) {
            const sp_vec *iv = node->kind == SP_NODE_LATE ? &rt->nodes[node->inputs[k]].late
                                                          : &rt->nodes[node->inputs[k]].out;
            if (node->kind == SP_NODE_LATE)
                in += iv->n;
            else if (iv->present)
                in += out_count(rt, node->inputs[k]);
        }
        switch (node->kind) {
        case SP_NODE_SOURCE:
            break; /* read above */
        case SP_NODE_OP:
            if (flush_only && !node->step->event_time && !rt->nodes[node->inputs[0]].out.nseg) {
                nr->out.present = 0;
                break;
            }
            run_operator(rt, nr, batch, time_ms, all_done);
            break;
        case SP_NODE_LATE: {
            const sp_vec *from = &rt->nodes[node->inputs[0]].late;
            for (size_t k = 0; k < from->n; k++)
                sp_vec_push(&nr->out, from->v[k]);
            nr->out.present = from->n > 0;
            break;
        }
        case SP_NODE_SINK:
            if (run_sink(rt, nr, batch, time_ms, &header_time) != 0)
                return -1;
            break;
        }
        uint64_t ns = mono_ns() - t0;
        if (nr->comb && rt->par_ran) /* and its share of the stage */
            ns += rt->par_combs[nr->comb - 1].ns / (uint64_t)rt->par_combs[nr->comb - 1].users;
        count_node(nr, in, node->kind == SP_NODE_SINK ? (nr->final ? 0 : in) : (nr->out.present ? nr->out.n : 0),
                   ns);
    }
    rt->stats.serial_ns += mono_ns() - serial0;
    /* the results are out: the checkpoint may record the batch as done */
    rt->last_time = time_ms;
    rt->since_ckpt++;
    if (rt->opt.checkpoint_dir) {
        uint64_t every = rt->opt.checkpoint_every > 0 ? (uint64_t)rt->opt.checkpoint_every : 1;
        if ((rt->since_ckpt >= every || all_done || (rt->opt.stop && *rt->opt.stop)) &&
            write_checkpoint(rt, batch + 1) != 0)
            return -1;
    }
    /* and the sources may acknowledge what they read (for monitoring, when
     * there is a checkpoint: it is the source of truth) */
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        if (nr->node->kind != SP_NODE_SOURCE || !nr->source->commit)
            continue;
        char *err = NULL;
        if (nr->source->commit(nr->state, &err) != 0) {
            fprintf(stderr, "streampipe: source '%s': %s\n", nr->node->name, err ? err : "commit failed");
            free(err);
            return -1;
        }
    }
    if (!flush_only)
        rt->stats.batches++;
    info->records = records;
    info->malformed = rt->stats.malformed - malformed0;
    info->late = rt->stats.late - late0;
    info->final = all_done;
    return all_done;
}

int sp_runtime_run(sp_runtime *rt)
{
    int64_t batch_ms = sp_plan_batch_ms(rt->plan);
    /* after a checkpoint, batch numbers go on: the first batch run now is
     * due one interval from now (live), or has the time it would have had
     * in one uninterrupted run (bounded) */
    int64_t start = rt->live ? now_ms() - (int64_t)rt->first_batch * batch_ms : rt->opt.start_ms;
    /* one arena for every batch, emptied after each: its blocks are reused;
     * and when the source reads ahead, two input arenas taken in turn */
    sp_arena *arena = sp_arena_new();
    sp_arena *inputs[2] = {NULL, NULL};
    if (rt->ahead.node >= 0) {
        inputs[0] = sp_arena_new();
        inputs[1] = sp_arena_new();
    }
    for (uint64_t batch = rt->first_batch;; batch++) {
        int turn = (int)((batch - rt->first_batch) % 2);
        sp_arena *in = inputs[0] ? inputs[turn] : arena, *next_in = inputs[0] ? inputs[1 - turn] : NULL;
        int64_t time_ms = start + (int64_t)(batch + 1) * batch_ms;
        if (rt->live)
            sleep_until(rt, time_ms);
        sp_batch_info info = {batch, time_ms, rt->live ? time_ms : now_ms(), now_ms(), 0, 0, 0, 0, 0};
        int r = run_batch(rt, batch, time_ms, arena, in, next_in, &info);
        if (r < 0) {
            read_ahead_wait(rt);
            sp_arena_free(arena);
            sp_arena_free(inputs[0]);
            sp_arena_free(inputs[1]);
            rt->ev.arena = rt->arena;
            return 1;
        }
        info.end_ms = now_ms();
        /* before the batch arena goes: the observer may read the results */
        if (rt->observer)
            rt->observer(rt->observer_ctx, rt, &info);
        sp_arena_reset(arena);
        if (in != arena)
            sp_arena_reset(in);
        rt->ev.arena = rt->arena;
        if (r == 1 || (rt->opt.stop && *rt->opt.stop))
            break;
    }
    read_ahead_wait(rt); /* a read ahead the run no longer needs (stopped) */
    free(rt->ahead.err);
    rt->ahead.err = NULL;
    sp_arena_free(arena);
    sp_arena_free(inputs[0]);
    sp_arena_free(inputs[1]);
    /* the sinks that only write the final result */
    int64_t header_time = INT64_MIN;
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        if (!nr->final || !nr->have_held)
            continue;
        char *err = NULL;
        sp_sink_ctx c = {rt->opt.out, nr->held_batch, nr->held_time, nr->singleton, &header_time, 0};
        if (nr->sink->write(nr->state, &c, &nr->held, &err) != 0) {
            fprintf(stderr, "streampipe: %s\n", err);
            free(err);
            return 1;
        }
    }
    rt->stats.eval_errors = rt->ev.errors;
    return 0;
}

void sp_runtime_stats(const sp_runtime *rt, sp_run_stats *st)
{
    *st = rt->stats;
    st->eval_errors = rt->ev.errors;
}

int sp_runtime_node_count(const sp_runtime *rt)
{
    return rt->n;
}

void sp_runtime_node_stats(const sp_runtime *rt, int i, sp_node_stats *st)
{
    *st = rt->nodes[i].st;
}

void sp_runtime_node_state(const sp_runtime *rt, int i, uint64_t *entries, uint64_t *bytes)
{
    const node_rt *nr = &rt->nodes[i];
    *entries = *bytes = 0;
    if (nr->op && nr->op->state_size && nr->state)
        nr->op->state_size(nr->state, entries, bytes);
}

const char *sp_runtime_sink_name(const sp_runtime *rt, int i)
{
    return rt->nodes[i].node->kind == SP_NODE_SINK ? rt->nodes[i].sink_name : NULL;
}

int sp_runtime_sink_result(const sp_runtime *rt, int i, const sp_value **v, size_t *n, int *singleton)
{
    const node_rt *nr = &rt->nodes[i];
    *v = NULL;
    *n = 0;
    *singleton = nr->singleton;
    if (nr->node->kind != SP_NODE_SINK)
        return -1;
    /* final: true holds a copy of its input (the last window of it) */
    const sp_vec *in = nr->final ? &nr->held : &rt->nodes[nr->node->inputs[0]].out;
    if (nr->final ? !nr->have_held || nr->held_batch != rt->batch : !in->present)
        return 0;
    size_t start = !nr->final && in->nseg > 1 ? in->seg_end[in->nseg - 2] : 0; /* the last window */
    *v = in->v + start;
    *n = in->n - start;
    return 1;
}

int64_t sp_runtime_source_lag(const sp_runtime *rt, int i)
{
    const node_rt *nr = &rt->nodes[i];
    if (nr->node->kind != SP_NODE_SOURCE || !nr->source->lag || !nr->state)
        return -1;
    return nr->source->lag(nr->state);
}

void sp_runtime_observe(sp_runtime *rt, sp_batch_observer fn, void *ctx)
{
    rt->observer = fn;
    rt->observer_ctx = ctx;
}

void sp_runtime_free(sp_runtime *rt)
{
    if (!rt)
        return;
    read_ahead_wait(rt);
    free(rt->ahead.err);
    sp_vec_free(&rt->ahead.out);
    sp_wbuf_free(&rt->ahead.pos);
    sp_wbuf_free(&rt->pos);
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        if (nr->state) {
            if (nr->op && nr->op->close)
                nr->op->close(nr->state);
            else if (nr->source && nr->source->close)
                nr->source->close(nr->state);
            else if (nr->sink && nr->sink->close)
                nr->sink->close(nr->state);
        }
        sp_vec_free(&nr->out);
        sp_vec_free(&nr->late);
        sp_vec_free(&nr->held);
        sp_arena_free(nr->held_arena);
    }
    sp_par_free(rt->par);
    free(rt->par_nodes);
    free(rt->par_combs);
    free(rt->nodes);
    free(rt->fps);
    if (rt->ckpt_lock > 0)
        close(rt->ckpt_lock);
    sp_wbuf_free(&rt->ckpt);
    sp_wbuf_free(&rt->blob);
    sp_eval_destroy(&rt->ev);
    sp_eval_unprepare(rt->program);
    sp_arena_free(rt->arena);
    free(rt);
}
