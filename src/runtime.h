/* runtime.h - the micro-batch runtime: executes a plan batch after batch.
 *
 * Each batch the sources hand over what they have (for a bounded input read
 * as fast as possible: up to `batch_records` records, so batch boundaries and
 * thus every window are the same run after run), the operators run in plan
 * order, and the sinks write the results.  Bounded inputs end the run when
 * exhausted: the last batch is processed, its results written, and
 * sp_runtime_run() returns 0. */
#ifndef SP_RUNTIME_H
#define SP_RUNTIME_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"
#include "plan.h"
#include "value.h"

typedef struct sp_run_options {
    FILE *out;                 /* where stdout sinks write; NULL: stdout */
    int64_t batch_records;     /* bounded inputs: records per batch (0: 100000) */
    int64_t max_line;          /* longer lines are malformed (0: 1 MiB) */
    int64_t batch_bytes;       /* bytes a source hands over per batch at most (0: 64 MiB); with
                                  batch_records, what bounds a batch's memory: what a source does
                                  not take stays where it is (file, socket, broker) */
    int64_t start_ms;          /* time of the first batch of a bounded run (0: 0) */
    volatile sig_atomic_t *stop; /* set to stop after the current batch; may be NULL */
    int64_t batch_ms;          /* set by the runtime: the batch interval */
    const struct sp_config *config; /* the YAML configuration (Kafka settings), or NULL */
    const char *checkpoint_dir; /* resume from DIR/checkpoint and write one there; NULL: none */
    int64_t checkpoint_every;  /* batches between checkpoints (0: every batch) */
    int quiet;                 /* no resume summary on stderr */
    int threads;               /* threads for the stateless prefix of the plan (0: 1); the
                                * output is the same for any number */
} sp_run_options;

typedef struct sp_runtime sp_runtime;

/* Prepares a run of `plan` (from the checked program `p`).  Sources are
 * opened here: on failure returns NULL with *err set (malloc'd).  Run-time
 * warnings go to `d`.  The program, plan and diag must outlive the runtime. */
sp_runtime *sp_runtime_new(sp_program *p, const sp_plan *plan, sp_diag *d,
                           const sp_run_options *opt, char **err);

/* Runs until every source is exhausted or *opt->stop is set.  Returns 0, or 1
 * when a sink could not write or a checkpoint could not be written (reported
 * on stderr).  With a checkpoint directory, a checkpoint is written after
 * the sinks have written and flushed every `checkpoint_every`-th batch, and
 * after the last one: never past output that was not delivered. */
int sp_runtime_run(sp_runtime *rt);

/* Counters of a run. */
typedef struct sp_run_stats {
    uint64_t batches;      /* batches processed */
    uint64_t records_in;   /* records read by the sources */
    uint64_t malformed;    /* records the sources rejected (too long, ...) */
    uint64_t eval_errors;  /* run-time errors in expressions */
    uint64_t late;         /* elements event-time windows found too late */
    uint64_t stage_ns;     /* wall time in the parallel stage (all threads) */
    uint64_t serial_ns;    /* wall time in the operators and sinks after it (one thread) */
    uint64_t ahead_ns;     /* wall time the reads ahead took, on their thread */
    uint64_t ahead_wait_ns; /* wall time the batches waited for them to end */
} sp_run_stats;

void sp_runtime_stats(const sp_runtime *rt, sp_run_stats *st);

/* Counters of one plan node (by plan index), kept by the runtime for every
 * batch at the cost of two clock reads per node and batch: never per record.
 * For a SOURCE records_in counts what it read; for a SINK records_out counts
 * what it wrote. */
typedef struct sp_node_stats {
    uint64_t records_in;   /* elements given to it, over the run */
    uint64_t records_out;  /* elements it produced */
    uint64_t ns;           /* time spent in it, nanoseconds */
    uint64_t last_in;      /* the same for the last batch */
    uint64_t last_out;
    uint64_t last_ns;
} sp_node_stats;

int sp_runtime_node_count(const sp_runtime *rt);
/* The state an operator node holds now (0, 0 for a stateless node). */
void sp_runtime_node_state(const sp_runtime *rt, int i, uint64_t *entries, uint64_t *bytes);
void sp_runtime_node_stats(const sp_runtime *rt, int i, sp_node_stats *st);

/* What the scheduler knows of a batch once it is done. */
typedef struct sp_batch_info {
    uint64_t batch;        /* its number, from 0 */
    int64_t time_ms;       /* its time (the end of its interval) */
    int64_t due_ms;        /* wall clock when it was due to start */
    int64_t start_ms;      /* wall clock when it started */
    int64_t end_ms;        /* wall clock when its sinks were done */
    uint64_t records;      /* records the sources read for it */
    uint64_t malformed;    /* malformed records found in it */
    uint64_t late;         /* late elements found in it */
    int final;             /* the last batch of the run */
} sp_batch_info;

/* Called after every batch (from the thread running the pipeline); `rt` may
 * be queried with the functions above.  NULL removes the observer. */
typedef void (*sp_batch_observer)(void *ctx, const sp_runtime *rt, const sp_batch_info *b);
void sp_runtime_observe(sp_runtime *rt, sp_batch_observer fn, void *ctx);

/* SINK node i: its name (the `name:` argument, else its title, else the
 * stream's name), owned by the runtime; NULL for another kind of node. */
const char *sp_runtime_sink_name(const sp_runtime *rt, int i);

/* SINK node i: what it was given in the batch just run (for an event-time
 * window, its last window): *v and *n, the elements, valid only in the
 * batch observer (they live in the batch arena or operator state: copy them
 * with sp_value_copy to keep them); *singleton: the stream carries one value
 * per batch (count, reduce, ...), so at most one element.  Returns 1, 0 when
 * the sink was given nothing in this batch, -1 when node i is not a sink. */
int sp_runtime_sink_result(const sp_runtime *rt, int i, const sp_value **v, size_t *n, int *singleton);

/* SOURCE node i: records waiting to be read (Kafka consumer lag), -1 when
 * unknown or not a source.  Never blocks. */
int64_t sp_runtime_source_lag(const sp_runtime *rt, int i);

/* Stops the sources and frees everything.  Accepts NULL. */
void sp_runtime_free(sp_runtime *rt);

#endif
