/* runtime_int.h - internals shared by the runtime's files: the scheduler
 * (runtime.c), the operators (runtime_ops.c) and the sources and sinks
 * (runtime_io.c).  Each operator, source and sink plugs in through a table of
 * functions. */
#ifndef SP_RUNTIME_INT_H
#define SP_RUNTIME_INT_H

#include "eval.h"
#include "ops.h"
#include "runtime.h"
#include "serial.h"
#include "value.h"

/* The elements a node produced in the current batch.  The array is reused
 * from batch to batch (owned by the runtime); the values point into the
 * batch arena or into operator state. */
typedef struct sp_vec {
    sp_value *v;  /* elements */
    size_t n;     /* how many */
    size_t cap;   /* capacity of v */
    int present;  /* 0: the node emitted nothing this batch (a window between slides) */
    /* An event-time window emits the windows that closed in this batch, one
     * segment each; 0 segments means the whole vector is one batch. */
    size_t *seg_end;   /* end (exclusive) of each segment in v */
    int64_t *seg_time; /* its time: the end of its window (ms) */
    size_t nseg, segcap;
    /* A source reading ahead on a thread of its own (read_ahead below)
     * publishes here, now and then, how many elements of v are complete
     * (sp_vec_publish), so that the stage can start on them while it reads
     * on; left alone otherwise. */
    size_t ready;
} sp_vec;

/* Publishes vec->n in vec->ready (a release store: the elements before it
 * are written). */
static inline void sp_vec_publish(sp_vec *vec)
{
    __atomic_store_n(&vec->ready, vec->n, __ATOMIC_RELEASE);
}

/* Doubles vec's room (sp_vec_push's slow path). */
void sp_vec_grow(sp_vec *vec);
/* Appends x (inline: the readers push every line). */
static inline void sp_vec_push(sp_vec *vec, sp_value x)
{
    if (vec->n == vec->cap)
        sp_vec_grow(vec);
    vec->v[vec->n++] = x;
}
/* Ends a segment at the current end of the vector, with time `t`. */
void sp_vec_mark(sp_vec *vec, int64_t t);
/* Empties the vector (keeping its arrays). */
void sp_vec_reset(sp_vec *vec);
void sp_vec_free(sp_vec *vec);

/* What an operator sees of the batch being run. */
typedef struct sp_opctx {
    sp_eval *ev;            /* evaluator; ev->arena is the batch arena */
    const sp_node *node;    /* the plan node */
    const sp_step *step;    /* its step in the AST */
    uint64_t batch;         /* batch number, from 0 */
    int64_t batch_ms;       /* batch interval */
    int64_t time_ms;        /* the batch's time (its end) */
    int final;              /* the last batch: bounded inputs are exhausted */
    sp_vec *late;           /* event-time windows put elements that came too late here */
} sp_opctx;

/* An operator: open makes its state (NULL for a stateless one is fine),
 * process turns the input(s) of one batch into `out` (out->present is 1 on
 * entry; clear it to emit nothing), close frees the state. */
typedef struct sp_operator_impl {
    void *(*open)(const sp_opctx *c);
    void (*process)(const sp_opctx *c, void *state, const sp_vec *in, const sp_vec *in2, sp_vec *out);
    void (*close)(void *state);
    /* How much state it holds: entries (elements, keys, partial results)
     * and bytes of memory.  NULL for a stateless operator. */
    void (*state_size)(const void *state, uint64_t *entries, uint64_t *bytes);
    /* Checkpoints: snapshot writes the whole state to `w`; restore reads it
     * back into a state fresh from open and returns 0, or -1 when the bytes
     * are malformed (the caller then refuses the checkpoint and frees the
     * state).  NULL for a stateless operator. */
    void (*snapshot)(const void *state, sp_wbuf *w);
    int (*restore)(void *state, sp_rbuf *r);
} sp_operator_impl;

extern const sp_operator_impl sp_operator_impls[SP_OP_COUNT_];

/* Does the operator emit one value per batch (count, reduce, ...)? */
int sp_operator_is_singleton(int op);

/* Constant arguments of a source or sink, by parameter name. */
typedef struct sp_io_args {
    const char *names[16]; /* parameter names given */
    sp_value values[16];   /* their values */
    int n;
} sp_io_args;

/* The value of argument `name`, or NULL. */
const sp_value *sp_io_arg(const sp_io_args *args, const char *name);
/* Its value as a NUL-terminated string in `a`, or `def`. */
const char *sp_io_arg_str(const sp_io_args *args, const char *name, sp_arena *a, const char *def);
int64_t sp_io_arg_int(const sp_io_args *args, const char *name, int64_t def);

/* A source: open returns its state or NULL with *err (malloc'd); read
 * appends up to `max` records (string values in `a`) and returns 1 when more
 * may follow, 0 at the end of a bounded input, -1 on a read error (*err). */
typedef struct sp_source_impl {
    void *(*open)(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err);
    int (*read)(void *state, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err);
    void (*close)(void *state);
    int (*unbounded)(const void *state); /* has no end: batches follow the clock */
    /* Called after every sink has written the batch's results: a source
     * that acknowledges what it read (Kafka offsets) does it here, so
     * nothing is acknowledged before it was delivered.  May be NULL.
     * Returns 0, or -1 with *err (malloc'd) to stop the run. */
    int (*commit)(void *state, char **err);
    /* Checkpoints.  position writes where the source stands: what its next
     * read returns first.  seek moves a source fresh from open to a position
     * position wrote: 0 done; 1 it cannot (the input was replaced, or cannot
     * be repositioned), *err (malloc'd) says what it does instead; -1 the
     * bytes are malformed.  NULL: the source has no position to resume
     * from (tcp: what was sent is gone). */
    void (*position)(void *state, sp_wbuf *w);
    int (*seek)(void *state, sp_rbuf *r, char **err);
    /* How many records are waiting to be read (Kafka: the consumer lag over
     * its partitions), from what the client already knows: never a
     * blocking call.  -1 when unknown.  May be NULL (unknown). */
    int64_t (*lag)(const void *state);
    /* May the next read run on a thread of its own while the batch before
     * runs?  Only when it touches nothing but the source's own state and
     * cannot block for long (a regular file).  May be NULL (no).  Such a
     * read gets `out` with room for `max` elements, which it must not
     * exceed (the array must not move: the stage reads it meanwhile), and
     * should sp_vec_publish(out) as it goes. */
    int (*read_ahead)(const void *state);
} sp_source_impl;

/* Opens the source of statement `s` (kind input() resolved by its URI). */
const sp_source_impl *sp_source_impl_for(int kind, const sp_io_args *args, sp_arena *a, char **err);

/* A sink: write gets the results of one batch (only when its input emitted);
 * returns 0, or -1 with *err (malloc'd). */
typedef struct sp_sink_ctx {
    FILE *out;              /* standard output of the run */
    uint64_t batch;         /* batch number */
    int64_t time_ms;        /* batch time */
    int singleton;          /* the stream carries one value per batch */
    int64_t *header_time;   /* time of the last text header printed on `out` */
    int event_time;         /* time_ms is the end of an event-time window */
} sp_sink_ctx;

typedef struct sp_sink_impl {
    void *(*open)(const sp_io_args *args, const sp_run_options *opt, const char *default_name,
                  sp_arena *a, char **err);
    int (*write)(void *state, const sp_sink_ctx *c, const sp_vec *in, char **err);
    void (*close)(void *state);
} sp_sink_impl;
/* write returns only once its output is delivered (handed to the system:
 * flushed; to the broker: acknowledged), so the scheduler may take a
 * checkpoint as soon as every sink has written. */

extern const sp_sink_impl sp_sink_impls[SP_SINK_COUNT_];

/* ----- runtime_par.c: the stateless prefix of the plan on several threads ----- */

/* A node of the parallel stage: a map, filter or flatMap whose input is a
 * source or another node of the stage. */
typedef struct sp_par_node {
    const sp_node *node;        /* the plan node */
    const sp_operator_impl *op; /* its implementation (stateless) */
    int input;                  /* its input: index of a stage node before it, or -1 for `src` */
    const sp_vec *src;          /* input -1: the source's output (read only) */
    sp_vec *out;                /* where its output for the whole batch goes */
    int keep;                   /* something outside the stage reads `out` (else it stays empty) */
    uint64_t n;                 /* set by sp_par_run: elements it produced */
    uint64_t ns;                /* set by sp_par_run: time spent in it, over all threads */
} sp_par_node;

/* A map-side combine: a reducer reading a stage node gets, instead of the
 * elements, their partial results per chunk in `out`. */
typedef struct sp_par_combiner {
    int input;            /* the stage node it reads */
    int keyed;            /* 1: (key, value) pairs reduced by key; 0: all elements to one */
    const sp_expr *f;     /* the reducer */
    int nlocals;          /* the frame size of its step */
    int users;            /* how many operators read `out` (they share it: read only) */
    sp_vec out;           /* set by sp_par_run; owned by the stage (sp_par_free frees it) */
    uint64_t ns;          /* set by sp_par_run: time spent combining, over all threads */
} sp_par_combiner;

typedef struct sp_par sp_par;

/* A stage of nodes[0..n) and combiners combs[0..ncombs) (the caller's, kept
 * until sp_par_free) run by `threads` threads (the caller's one of them),
 * each with its own evaluator reporting to `d`.  NULL when n < 1 or threads
 * cannot be started: the caller then runs the nodes itself. */
sp_par *sp_par_new(int threads, sp_par_node *nodes, int n, sp_par_combiner *combs, int ncombs, sp_diag *d);
/* Runs the stage over the sources' outputs of this batch, filling each
 * node's `out` (when kept) and each combiner's; the values live until the
 * next sp_par_run or sp_par_free.  Returns the run-time errors counted. */
uint64_t sp_par_run(sp_par *p, uint64_t batch, int64_t batch_ms, int64_t time_ms, int final);

/* The stage's one source while a thread still reads its batch (reading
 * ahead): that thread pushes into `vec` (room for `max` elements was made
 * before it started: the array does not move) and publishes how many are
 * complete (sp_vec_publish), then sets `done` (a release store) once its
 * read returned.  Each chunk runs once its elements are all there. */
typedef struct sp_feed {
    const sp_vec *vec;
    const int *done;
    size_t max;
    /* called once the chunks ran: waits for the read to end and returns
     * how many elements it gave */
    size_t (*finish)(void *ctx);
    void *ctx;
} sp_feed;

/* sp_par_run over a source still being read: the sources' outputs are not
 * read, the feed is (operators see final = 0: it is not known yet). */
uint64_t sp_par_run_fed(sp_par *p, uint64_t batch, int64_t batch_ms, int64_t time_ms, const sp_feed *feed);
/* How long the calling thread waited for the feed's elements in the last
 * sp_par_run_fed (the time the batch could not go on). */
uint64_t sp_par_fed_wait_ns(const sp_par *p);
/* Threads of the stage (1 for NULL). */
int sp_par_threads(const sp_par *p);
/* Stops the threads, frees the stage.  Accepts NULL. */
void sp_par_free(sp_par *p);

#endif
