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

typedef struct sp_run_options {
    FILE *out;                 /* where stdout sinks write; NULL: stdout */
    int64_t batch_records;     /* bounded inputs: records per batch (0: 100000) */
    int64_t max_line;          /* longer lines are malformed (0: 1 MiB) */
    int64_t start_ms;          /* time of the first batch of a bounded run (0: 0) */
    volatile sig_atomic_t *stop; /* set to stop after the current batch; may be NULL */
    int64_t batch_ms;          /* set by the runtime: the batch interval */
    const struct sp_config *config; /* the YAML configuration (Kafka settings), or NULL */
} sp_run_options;

typedef struct sp_runtime sp_runtime;

/* Prepares a run of `plan` (from the checked program `p`).  Sources are
 * opened here: on failure returns NULL with *err set (malloc'd).  Run-time
 * warnings go to `d`.  The program, plan and diag must outlive the runtime. */
sp_runtime *sp_runtime_new(sp_program *p, const sp_plan *plan, sp_diag *d,
                           const sp_run_options *opt, char **err);

/* Runs until every source is exhausted or *opt->stop is set.  Returns 0, or 1
 * when a sink could not write (reported on stderr). */
int sp_runtime_run(sp_runtime *rt);

/* Counters of a run. */
typedef struct sp_run_stats {
    uint64_t batches;      /* batches processed */
    uint64_t records_in;   /* records read by the sources */
    uint64_t malformed;    /* records the sources rejected (too long, ...) */
    uint64_t eval_errors;  /* run-time errors in expressions */
    uint64_t late;         /* elements event-time windows found too late */
} sp_run_stats;

void sp_runtime_stats(const sp_runtime *rt, sp_run_stats *st);

/* Stops the sources and frees everything.  Accepts NULL. */
void sp_runtime_free(sp_runtime *rt);

#endif
