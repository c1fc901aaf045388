/* plan.c - the planner: checked AST -> operator DAG. */
#include "plan.h"
#include "ops.h"

#include <inttypes.h>
#include <string.h>

struct sp_plan {
    const char *name;  /* display name of the pipeline file */
    int64_t batch_ms;  /* batch interval */
    sp_node *nodes;    /* nodes, inputs first; arena-owned */
    int n, cap;        /* entries / capacity of nodes */
};

/* Which node carries the output of each statement already planned. */
typedef struct planner {
    sp_arena *a;
    sp_plan *plan;
    const sp_stmt **stmts; /* planned statements */
    int *out;              /* their output node ids */
    int nstmts, cap;
} planner;

#define LABEL_EXPR_MAX 48

static sp_node *new_node(planner *pl, sp_node_kind kind, int op, sp_loc loc)
{
    sp_plan *plan = pl->plan;
    if (plan->n == plan->cap) {
        int cap = plan->cap ? plan->cap * 2 : 16;
        sp_node *nodes = sp_arena_alloc(pl->a, sizeof *nodes * (size_t)cap);
        if (plan->n)
            memcpy(nodes, plan->nodes, sizeof *nodes * (size_t)plan->n);
        plan->nodes = nodes;
        plan->cap = cap;
    }
    sp_node *node = &plan->nodes[plan->n];
    memset(node, 0, sizeof *node);
    node->id = plan->n++;
    node->kind = kind;
    node->op = op;
    node->loc = loc;
    return node;
}

static char *args_text(sp_arena *a, const sp_arg *args)
{
    char *s = sp_arena_strdup(a, "");
    for (const sp_arg *g = args; g; g = g->next) {
        char *v = sp_ast_expr_string(a, g->value, LABEL_EXPR_MAX);
        s = g->name ? sp_arena_printf(a, "%s%s%s: %s", s, s[0] ? ", " : "", g->name, v)
                    : sp_arena_printf(a, "%s%s%s", s, s[0] ? ", " : "", v);
    }
    return s;
}

static char *duration_text(sp_arena *a, int64_t ms)
{
    char buf[64];
    sp_ast_format_duration(ms, buf, sizeof buf);
    return sp_arena_strdup(a, buf);
}

/* "window 30s / 10s", "reduceByKey sum", "top 10 by _2" ... */
static const char *op_label(sp_arena *a, const sp_step *st)
{
    const sp_op_info *op = &sp_ops[st->op];
    char *s = sp_arena_strdup(a, op->name);
    int arg = 0;
    for (const sp_arg *g = st->args; g; g = g->next, arg++) {
        char letter = op->args[arg];
        if (letter == 'd')
            continue; /* shown as LENGTH / SLIDE below */
        if (letter == 'n' && st->n > 0) /* the value, also when it is a parameter */
            s = sp_arena_printf(a, "%s %" PRId64, s, st->n);
        else
            s = sp_arena_printf(a, "%s %s", s, sp_ast_expr_string(a, g->value, LABEL_EXPR_MAX));
    }
    if (st->length_ms > 0)
        s = sp_arena_printf(a, "%s %s / %s", s, duration_text(a, st->length_ms), duration_text(a, st->slide_ms));
    for (const sp_opt *o = st->opts; o; o = o->next) {
        if (o->kind == SP_OPT_SLIDE)
            continue;
        s = o->value ? sp_arena_printf(a, "%s %s %s", s, sp_opt_name(1 << o->kind),
                                       sp_ast_expr_string(a, o->value, LABEL_EXPR_MAX))
                     : sp_arena_printf(a, "%s %s", s, sp_opt_name(1 << o->kind));
    }
    return s;
}

static int plan_stmt(planner *pl, const sp_program *p, const sp_stmt *s);

static const sp_stmt *find_stream(const sp_program *p, const char *name)
{
    for (const sp_stmt *s = p->stmts; s; s = s->next)
        if ((s->kind == SP_S_SOURCE || s->kind == SP_S_PIPE) && s->name && strcmp(s->name, name) == 0)
            return s;
    for (const sp_stmt *s = p->late_streams; s; s = s->next)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static int plan_stream(planner *pl, const sp_program *p, const char *name)
{
    const sp_stmt *s = find_stream(p, name);
    return s ? plan_stmt(pl, p, s) : -1;
}

/* Plans statement s (once) and returns the id of the node carrying its output. */
static int plan_stmt(planner *pl, const sp_program *p, const sp_stmt *s)
{
    for (int i = 0; i < pl->nstmts; i++)
        if (pl->stmts[i] == s)
            return pl->out[i];
    int out = -1;
    if (s->late_parent) {
        plan_stmt(pl, p, s->late_parent);
        int window = -1;
        for (int i = 0; i < pl->plan->n; i++)
            if (pl->plan->nodes[i].step == s->late_step)
                window = i;
        sp_node *node = new_node(pl, SP_NODE_LATE, -1, s->loc);
        node->stmt = s;
        node->label = sp_arena_printf(pl->a, "late elements of %s", sp_ops[s->late_step->op].name);
        node->inputs[0] = window;
        node->ninputs = 1;
        out = node->id;
    } else if (s->kind == SP_S_SOURCE) {
        sp_node *node = new_node(pl, SP_NODE_SOURCE, sp_source_lookup(s->kind_name), s->loc);
        node->name = s->name;
        node->stmt = s;
        node->label = sp_arena_printf(pl->a, "%s(%s)", s->kind_name, args_text(pl->a, s->args));
        out = node->id;
    } else {
        int prev = plan_stream(pl, p, s->head);
        const char *prev_name = s->head;
        for (const sp_step *st = s->steps; st; st = st->next) {
            sp_node *node;
            if (st->is_sink) {
                node = new_node(pl, SP_NODE_SINK, st->op, st->loc);
                node->label = st->args ? sp_arena_printf(pl->a, "%s %s", st->name, args_text(pl->a, st->args))
                                       : st->name;
            } else {
                int other = -1;
                if (st->op == SP_OP_JOIN || st->op == SP_OP_LEFT_OUTER_JOIN || st->op == SP_OP_UNION)
                    other = plan_stream(pl, p, st->args->value->u.name);
                node = new_node(pl, SP_NODE_OP, st->op, st->loc);
                node->label = op_label(pl->a, st);
                if (other >= 0) {
                    node->inputs[1] = other;
                    node->input_names[1] = st->args->value->u.name;
                    node->ninputs = 2;
                }
            }
            node->stmt = s;
            node->step = st;
            node->inputs[0] = prev;
            node->input_names[0] = prev_name;
            if (node->ninputs == 0)
                node->ninputs = 1;
            prev = node->id;
            prev_name = NULL;
        }
        out = prev;
    }
    if (pl->nstmts == pl->cap) {
        pl->cap = pl->cap ? pl->cap * 2 : 16;
        const sp_stmt **stmts = sp_arena_alloc(pl->a, sizeof *stmts * (size_t)pl->cap);
        int *outs = sp_arena_alloc(pl->a, sizeof *outs * (size_t)pl->cap);
        if (pl->nstmts) {
            memcpy(stmts, pl->stmts, sizeof *stmts * (size_t)pl->nstmts);
            memcpy(outs, pl->out, sizeof *outs * (size_t)pl->nstmts);
        }
        pl->stmts = stmts;
        pl->out = outs;
    }
    pl->stmts[pl->nstmts] = s;
    pl->out[pl->nstmts] = out;
    pl->nstmts++;
    return out;
}

sp_plan *sp_plan_build(const sp_program *p, int64_t batch_ms, sp_arena *a)
{
    planner pl;
    memset(&pl, 0, sizeof pl);
    pl.a = a;
    pl.plan = sp_arena_alloc(a, sizeof *pl.plan);
    pl.plan->name = p->name;
    pl.plan->batch_ms = batch_ms;
    /* Sources first, in the order written, then every pipeline. */
    for (const sp_stmt *s = p->stmts; s; s = s->next)
        if (s->kind == SP_S_SOURCE)
            plan_stmt(&pl, p, s);
    for (const sp_stmt *s = p->stmts; s; s = s->next)
        if (s->kind == SP_S_PIPE)
            plan_stmt(&pl, p, s);
    return pl.plan;
}

int sp_plan_node_count(const sp_plan *plan) { return plan->n; }
const sp_node *sp_plan_node(const sp_plan *plan, int i) { return &plan->nodes[i]; }
int64_t sp_plan_batch_ms(const sp_plan *plan) { return plan->batch_ms; }
const char *sp_plan_name(const sp_plan *plan) { return plan->name; }
