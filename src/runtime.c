/* runtime.c - the micro-batch scheduler: sources, operators and sinks run in
 * plan order once per batch; see runtime.h. */
#include "runtime_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_BATCH_RECORDS 100000

typedef struct node_rt {
    const sp_node *node;           /* the plan node */
    sp_vec out;                    /* what it produced this batch */
    const sp_operator_impl *op;    /* OP: its implementation */
    const sp_source_impl *source;  /* SOURCE: its implementation */
    const sp_sink_impl *sink;      /* SINK: its implementation */
    void *state;                   /* operator / source / sink state */
    int done;                      /* SOURCE: exhausted */
    int singleton;                 /* carries one value per batch */
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
};

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

sp_runtime *sp_runtime_new(sp_program *p, const sp_plan *plan, sp_diag *d,
                           const sp_run_options *opt, char **err)
{
    sp_runtime *rt = sp_xmalloc(sizeof *rt);
    memset(rt, 0, sizeof *rt);
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
                sp_opctx c = {&rt->ev, node, node->step, 0, batch_ms, 0};
                nr->state = nr->op->open(&c);
            }
            break;
        }
        case SP_NODE_SINK:
            nr->sink = &sp_sink_impls[node->op];
            nr->singleton = rt->nodes[node->inputs[0]].singleton;
            io_args_build(rt, &sp_sinks[node->op], node->step->args, &args);
            nr->state = nr->sink->open(&args, &rt->opt, sink_default_name(rt, node), rt->arena, err);
            if (!nr->state) {
                sp_runtime_free(rt);
                return NULL;
            }
            break;
        }
    }
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

/* Runs one batch.  Returns 1 when every source is exhausted, -1 on error. */
static int run_batch(sp_runtime *rt, uint64_t batch, int64_t time_ms, sp_arena *arena)
{
    rt->ev.arena = arena;
    rt->ev.now_ms = time_ms;
    int all_done = 1, header_done = 0;
    uint64_t records = 0;
    int64_t batch_ms = sp_plan_batch_ms(rt->plan);
    /* the sources first */
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        if (nr->node->kind != SP_NODE_SOURCE)
            continue;
        nr->out.n = 0;
        nr->out.present = 1;
        char *err = NULL;
        if (!nr->done) {
            int r = nr->source->read(nr->state, arena, &nr->out, rt->opt.batch_records,
                                     &rt->stats.malformed, &err);
            if (r < 0) {
                fprintf(stderr, "streampipe: source '%s': %s\n", nr->node->name, err);
                free(err);
                return -1;
            }
            if (r == 0)
                nr->done = 1;
            rt->stats.records_in += nr->out.n;
            records += nr->out.n;
        }
        if (!nr->done)
            all_done = 0;
    }
    /* A bounded input that ended exactly at the end of the previous batch
     * leaves an empty last batch: the run is over without it. */
    if (all_done && records == 0 && batch > 0)
        return 1;
    for (int i = 0; i < rt->n; i++) {
        node_rt *nr = &rt->nodes[i];
        const sp_node *node = nr->node;
        char *err = NULL;
        if (node->kind == SP_NODE_SOURCE)
            continue;
        nr->out.n = 0;
        nr->out.present = 1;
        switch (node->kind) {
        case SP_NODE_SOURCE:
            break; /* read above */
        case SP_NODE_OP: {
            const sp_vec *in = &rt->nodes[node->inputs[0]].out;
            const sp_vec *in2 = node->ninputs > 1 ? &rt->nodes[node->inputs[1]].out : NULL;
            int present = in->present || (in2 && in2->present);
            if (!present && !nr->op->open) {
                nr->out.present = 0;
                break;
            }
            sp_vec empty = {NULL, 0, 0, 1};
            sp_opctx c = {&rt->ev, node, node->step, batch, batch_ms, time_ms};
            nr->op->process(&c, nr->state, in->present ? in : &empty,
                            in2 ? (in2->present ? in2 : &empty) : NULL, &nr->out);
            break;
        }
        case SP_NODE_SINK: {
            const node_rt *src = &rt->nodes[node->inputs[0]];
            if (!src->out.present)
                break;
            sp_sink_ctx c = {rt->opt.out, batch, time_ms, nr->singleton, &header_done};
            if (nr->sink->write(nr->state, &c, &src->out, &err) != 0) {
                fprintf(stderr, "streampipe: %s\n", err);
                free(err);
                return -1;
            }
            break;
        }
        }
    }
    rt->stats.batches++;
    return all_done;
}

int sp_runtime_run(sp_runtime *rt)
{
    int64_t batch_ms = sp_plan_batch_ms(rt->plan);
    int64_t start = rt->live ? now_ms() : rt->opt.start_ms;
    for (uint64_t batch = 0;; batch++) {
        int64_t time_ms = start + (int64_t)(batch + 1) * batch_ms;
        if (rt->live)
            sleep_until(rt, time_ms);
        sp_arena *arena = sp_arena_new();
        int r = run_batch(rt, batch, time_ms, arena);
        sp_arena_free(arena);
        rt->ev.arena = rt->arena;
        if (r < 0)
            return 1;
        if (r == 1 || (rt->opt.stop && *rt->opt.stop))
            break;
    }
    rt->stats.eval_errors = rt->ev.errors;
    return 0;
}

void sp_runtime_stats(const sp_runtime *rt, sp_run_stats *st)
{
    *st = rt->stats;
    st->eval_errors = rt->ev.errors;
}

void sp_runtime_free(sp_runtime *rt)
{
    if (!rt)
        return;
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
    }
    free(rt->nodes);
    sp_eval_destroy(&rt->ev);
    sp_eval_unprepare(rt->program);
    sp_arena_free(rt->arena);
    free(rt);
}
