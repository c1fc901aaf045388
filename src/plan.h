/* plan.h - the planner: a checked program becomes the operator DAG the
 * runtime executes, one node per source, operator and sink, in an order where
 * every node comes after its inputs. */
#ifndef SP_PLAN_H
#define SP_PLAN_H

#include <stdint.h>

#include "arena.h"
#include "ast.h"

typedef enum sp_node_kind {
    SP_NODE_SOURCE, /* reads records: op is an sp_source_id */
    SP_NODE_OP,     /* an operator: op is an sp_op_id */
    SP_NODE_SINK,   /* writes results: op is an sp_sink_id */
    SP_NODE_LATE    /* the elements its input (an event-time window) found too late */
} sp_node_kind;

typedef struct sp_node {
    int id;                  /* index in the plan */
    sp_node_kind kind;       /* what it is */
    int op;                  /* source, operator or sink id (see kind) */
    const char *label;       /* what it does, e.g. "window 30s / 10s" */
    const char *name;        /* SOURCE: its name; else NULL */
    int inputs[2];           /* ids of the nodes feeding it */
    const char *input_names[2]; /* the stream name on each input edge, or NULL */
    int ninputs;             /* 0 for a source, 2 for join / union, else 1 */
    const sp_stmt *stmt;     /* the statement it comes from */
    const sp_step *step;     /* OP / SINK: the step it comes from */
    sp_loc loc;              /* where it is written */
} sp_node;

typedef struct sp_plan sp_plan;

/* Builds the DAG of a program that passed sp_check() without errors.  The
 * plan and its strings live in `a`; it refers to the AST, which must live as
 * long. */
sp_plan *sp_plan_build(const sp_program *p, int64_t batch_ms, sp_arena *a);

int sp_plan_node_count(const sp_plan *plan);
const sp_node *sp_plan_node(const sp_plan *plan, int i);
int64_t sp_plan_batch_ms(const sp_plan *plan);
const char *sp_plan_name(const sp_plan *plan);

#endif
