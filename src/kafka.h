/* kafka.h - Kafka through librdkafka: the embedded broker (librdkafka's own
 * mock cluster on loopback), a producer (the kafka sink, `streampipe gen`,
 * the demo's generator thread), and the kafka source of the runtime.
 *
 * Brokers.  A source or sink given brokers uses them; without, it uses the
 * configuration's (sp_config_brokers); without those either, the embedded
 * broker: one per process, started by the first client that needs it and
 * stopped when the last one is closed.  It keeps everything in memory: it is
 * for trying things out and for tests.
 *
 * Messages.  Every message names the topic and the brokers.  Errors that go
 * on (a broker down, a topic not there yet) are said once per kind on
 * standard error while the clients retry; what loses data (a message not
 * delivered, a fatal client error) makes the call fail. */
#ifndef SP_KAFKA_H
#define SP_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include "runtime_int.h"

struct sp_config;

/* ----- the embedded broker ----- */

/* Starts the embedded broker unless it runs, and takes a reference to it.
 * Returns its bootstrap address ("127.0.0.1:PORT"; valid while the
 * reference is held), or NULL with *err (malloc'd).  Says where it is on
 * standard error when it starts. */
const char *sp_kafka_embedded_acquire(char **err);

/* Drops a reference; the last one stops the broker (its data is lost). */
void sp_kafka_embedded_release(void);

/* The partition count of the topics streampipe creates on the embedded
 * broker (3 unless set; set it before the broker starts).  Topics that
 * other clients make it create automatically get librdkafka's default (4). */
void sp_kafka_embedded_set_partitions(int n);

/* Creates `topic` with `partitions` partitions (<= 0: the count above) on
 * the running embedded broker.  Returns 0 (also when it exists already), or
 * -1 with *err. */
int sp_kafka_embedded_create_topic(const char *topic, int partitions, char **err);

/* Takes the embedded broker down (refusing connections) or up again, to
 * test what clients do during an outage.  Returns 0, or -1 when it is not
 * running. */
int sp_kafka_embedded_set_down(int down);

/* ----- a producer ----- */

typedef struct sp_kafka_producer sp_kafka_producer;

/* An idempotent producer to `brokers` (NULL or "": the configuration's,
 * else the embedded broker's).  `config` may be NULL; its librdkafka
 * properties are applied.  `what` names the client in messages ("kafka
 * sink 'out'").  Returns NULL with *err. */
sp_kafka_producer *sp_kafka_producer_new(const char *brokers, const struct sp_config *config, const char *what,
                                         char **err);

/* The brokers it writes to (for messages). */
const char *sp_kafka_producer_brokers(const sp_kafka_producer *p);

/* Queues one message (copied; key may be NULL).  Waits while librdkafka's
 * queue is full.  Returns 0, or -1 with *err. */
int sp_kafka_produce(sp_kafka_producer *p, const char *topic, const char *key, size_t keylen, const void *value,
                     size_t len, char **err);

/* Waits up to timeout_ms for every queued message to be delivered.  Returns
 * 0 when all were, or -1 with *err naming the topic and the first error
 * (a message not delivered in time counts as a failure). */
int sp_kafka_producer_flush(sp_kafka_producer *p, int timeout_ms, char **err);

/* Messages delivered and failed so far. */
void sp_kafka_producer_counts(const sp_kafka_producer *p, uint64_t *delivered, uint64_t *failed);

/* Gives up on what is still queued, and frees everything.  Accepts NULL. */
void sp_kafka_producer_free(sp_kafka_producer *p);

/* ----- the kafka source ----- */

typedef struct sp_kafka_source_params {
    const char *brokers; /* NULL or "": the configuration's, else the embedded broker */
    const char *topic;   /* required */
    const char *group;   /* NULL: "streampipe" */
    const char *from;    /* earliest, latest (NULL), OFFSET, -N, @TIMESTAMP_MS */
    const char *until;   /* NULL: no end; "end": the end the topic has when the run starts */
    const char *what;    /* how the user wrote it, for messages (NULL: kafka("TOPIC")) */
} sp_kafka_source_params;

/* Opens a consumer of the topic: in its group; or, bounded (until "end")
 * and given no group, in none, reading every partition itself.  Returns
 * the source's state, or NULL with *err. */
void *sp_kafka_source_open(const sp_kafka_source_params *params, const sp_run_options *opt, char **err);

/* input("demo"): the Spark sample's architecture in one process: a thread
 * producing generated log lines (`rate` a second, from sp_loggen with
 * `seed` and `format`) into the topic spark-streaming-sample-topic, and a
 * source reading it in the group spark-streaming-sample-group, on the
 * configured brokers or the embedded one. */
void *sp_kafka_demo_open(int64_t rate, uint64_t seed, const char *format, const sp_run_options *opt, char **err);

/* The source's functions (see sp_source_impl). */
int sp_kafka_source_read(void *state, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err);
void sp_kafka_source_close(void *state);
int sp_kafka_source_unbounded(const void *state);
int sp_kafka_source_commit(void *state, char **err);
/* Checkpoints: the next offset of each partition read; seek makes a
 * source fresh from open go on from those offsets when the partitions are
 * assigned to it (see sp_source_impl in runtime_int.h). */
struct sp_wbuf;
struct sp_rbuf;
void sp_kafka_source_position(void *state, struct sp_wbuf *w);
int sp_kafka_source_seek(void *state, struct sp_rbuf *r, char **err);
/* The consumer lag: high watermark minus position, over the assigned
 * partitions, from librdkafka's cache (no broker request); -1 unknown. */
int64_t sp_kafka_source_lag(const void *state);

/* ----- the kafka sink ----- */

void *sp_kafka_sink_open(const sp_io_args *args, const sp_run_options *opt, const char *default_name, sp_arena *a,
                         char **err);
int sp_kafka_sink_write(void *state, const sp_sink_ctx *c, const sp_vec *in, char **err);
void sp_kafka_sink_close(void *state);

#endif
