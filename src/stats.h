/* stats.h - streaming statistics of a run: what each batch took, like the
 * Streaming tab of Spark's console.
 *
 * The batch observer of the runtime hands every batch to sp_stats_record(),
 * which keeps the batch's figures in a ring of recent batches, the totals of
 * the run, and a copy of each node's counters (and, when asked, of each
 * sink's latest results).  The writers then format them: the compact
 * `--stats` line, the summary at the end, JSON lines (`--stats-file`), the
 * Prometheus text exposition (`/metrics`) and the JSON of the web console's
 * API.  Everything here runs on one thread (the pipeline's): the web console
 * renders its snapshots with these writers in the observer.  See docs/ui.md
 * for every field and metric. */
#ifndef SP_STATS_H
#define SP_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "plan.h"
#include "runtime.h"

/* One batch, as the statistics see it.  Times are wall-clock ms. */
typedef struct sp_stats_batch {
    uint64_t batch;              /* its number, from 0 */
    int64_t time_ms;             /* its time (the end of its interval) */
    int64_t due_ms;              /* when it was due to start */
    int64_t start_ms;            /* when it started */
    int64_t end_ms;              /* when its sinks were done */
    uint64_t records;            /* records the sources read for it */
    uint64_t malformed;          /* records the sources rejected */
    uint64_t late;               /* elements too late for their window */
    double input_rate;           /* records per second of batch interval */
    int64_t scheduling_delay_ms; /* start - due */
    int64_t processing_ms;       /* end - start */
    int64_t total_delay_ms;      /* end - due */
    uint64_t state_entries;      /* state held by every operator after it */
    uint64_t state_bytes;
    int64_t lag;                 /* records waiting in the sources (Kafka), -1 unknown */
    int final;                   /* the last batch of the run */
} sp_stats_batch;

/* One plan node, as of the latest batch. */
typedef struct sp_stats_node {
    const sp_node *node;    /* the plan node */
    const char *name;       /* metric label: source name, sink name or operator label */
    sp_node_stats st;       /* its counters (run totals and last batch) */
    uint64_t state_entries; /* operator state now */
    uint64_t state_bytes;
    int64_t lag;            /* SOURCE: records waiting, -1 unknown */
    sp_arena *sink_arena;   /* SINK (with sinks kept): owns the copy of its latest result */
    sp_value *sink_vals;    /* that result's elements (heap array), in sink_arena */
    size_t sink_n, sink_cap;
    int sink_singleton;     /* one value per batch: print the value, not a list */
    int has_sink;           /* a result was kept */
    uint64_t sink_batch;    /* the batch that gave it */
    int64_t sink_time_ms;   /* that batch's time */
} sp_stats_node;

typedef struct sp_stats sp_stats;

/* Statistics for a run of `plan`, keeping the last `ring` batches (0: 1000).
 * `pipeline` is the pipeline's label in metrics (NULL: the plan's file name
 * without directory and .sp).  The plan must outlive the statistics. */
sp_stats *sp_stats_new(const sp_plan *plan, const char *pipeline, size_t ring);

/* Accepts NULL. */
void sp_stats_free(sp_stats *s);

/* Names the sinks as the runtime does (their `name:`), before the first
 * batch; sp_stats_record does it too.  The names belong to the runtime. */
void sp_stats_name_sinks(sp_stats *s, const sp_runtime *rt);

/* Also keep each sink's latest result as JSON (for the web console). */
void sp_stats_keep_sinks(sp_stats *s, int keep);

/* Records a batch: call it from the batch observer.  Returns the batch's
 * figures (valid until the next call). */
const sp_stats_batch *sp_stats_record(sp_stats *s, const sp_runtime *rt, const sp_batch_info *b);

/* Adds a batch's figures as they are (what sp_stats_record does once it
 * has them; tests use it directly). */
void sp_stats_push(sp_stats *s, const sp_stats_batch *b);

/* The recent batches: k from 0 (the oldest kept) to count - 1 (the latest). */
size_t sp_stats_count(const sp_stats *s);
const sp_stats_batch *sp_stats_at(const sp_stats *s, size_t k);

int sp_stats_node_count(const sp_stats *s);
const sp_stats_node *sp_stats_node_at(const sp_stats *s, int i);
const char *sp_stats_pipeline(const sp_stats *s);
int64_t sp_stats_batch_ms(const sp_stats *s);

/* The compact `--stats` line for batch b (no newline), in buf (always
 * NUL-terminated).  Returns buf. */
char *sp_stats_format_line(const sp_stats_batch *b, char *buf, size_t size);

/* The summary printed at the end of a run with --stats: a few lines. */
void sp_stats_write_summary(const sp_stats *s, FILE *out);

/* One JSON line ("type":"batch") for batch b, with the operators' figures
 * for that batch (call right after sp_stats_record). */
void sp_stats_write_batch_json(const sp_stats *s, const sp_stats_batch *b, FILE *out);

/* One JSON line ("type":"summary") with the run's totals. */
void sp_stats_write_summary_json(const sp_stats *s, FILE *out);

/* The Prometheus text exposition (format 0.0.4) of everything. */
void sp_stats_write_prometheus(const sp_stats *s, FILE *out);

/* The web console's API: "status" (totals and the latest batch),
 * "batches" (the recent ones, oldest first, at most `max`), "operators"
 * (every node), "sinks" (each sink's latest result).  Writes one JSON
 * object.  Returns 0, or -1 for an unknown `what`. */
int sp_stats_write_api(const sp_stats *s, const char *what, size_t max, FILE *out);

/* Quantile q (0..1) of the processing times of the recent batches, ms
 * (nearest rank); 0 when there is none. */
double sp_stats_processing_quantile(const sp_stats *s, double q);

#endif
