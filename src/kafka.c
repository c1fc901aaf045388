/* kafka.c - Kafka through librdkafka: see kafka.h.
 *
 * Every rd_kafka_t here has a `kclient` as its opaque: the names used in
 * messages and what has been said already.  librdkafka's own log lines are
 * mostly left out: what matters reaches us as error events, said once per
 * kind (a broker down, a missing topic) until messages flow again.
 *
 * The source is a high-level consumer in a group, without automatic
 * commits: the offsets of what a batch read are committed, synchronously,
 * by the commit hook, which the runtime calls once the batch's sinks have
 * written (at least once).  until=end makes it bounded: the high watermarks
 * of the topic's partitions are read when it opens, and it ends once every
 * partition has been read up to them (like kcat -e); messages past them are
 * left for the next run.  A bounded source given no group reads without one
 * ("direct"): it assigns itself every partition, from `from` or the
 * checkpoint's offsets, and commits nothing (as kcat -C does).
 *
 * The producer is idempotent; the sink flushes it at the end of every batch
 * and fails when a message was not delivered. */
#include "kafka.h"
#include "config.h"
#include "loggen.h"
#include "serial.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FLUSH_TIMEOUT_MS 10000   /* the sink: how long a batch's messages may take */
#define REQUEST_TIMEOUT_MS 10000 /* metadata, watermarks, offsets by time */
#define LIVE_POLL_MS 100         /* a live source never holds a batch longer than this, */
#define ASSIGNED_POLL_MS 250     /* except when partitions were just assigned: their first
                                  * messages take about 100 ms to come */
#define BOUNDED_WAIT_MS 10       /* until=end: a read waits this long for a message, then wakes the fetcher */
#define WAKE_EVERY_MS 50         /* at most this often */
#define TAKE_MAX 4096            /* direct: messages taken from librdkafka at once */
#define DEMO_TOPIC "spark-streaming-sample-topic"
#define DEMO_GROUP "spark-streaming-sample-group"

/* ----- small helpers ----- */

/* A message in a malloc'd string, printf style. */
#define errmsg sp_xprintf

static void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void notice(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "streampipe: %s\n", buf); /* one call: lines from threads do not mix */
    fflush(stderr);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ----- handles: every rd_kafka_t is counted, so that the last one gone
 * can wait for librdkafka's threads to end ----- */

static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;
static int handles_live;

static void handle_created(void)
{
    pthread_mutex_lock(&handles_lock);
    handles_live++;
    pthread_mutex_unlock(&handles_lock);
}

static void handle_destroy(rd_kafka_t *rk)
{
    if (!rk)
        return;
    rd_kafka_destroy(rk);
    pthread_mutex_lock(&handles_lock);
    int last = --handles_live == 0;
    pthread_mutex_unlock(&handles_lock);
    if (last && rd_kafka_wait_destroyed(5000) != 0)
        notice("kafka: librdkafka's threads did not end within 5 s");
}

/* ----- clients: names for messages, errors said once ----- */

#define SAID_MAX 32
#define LOGGED_MAX 16

typedef struct kclient {
    rd_kafka_t *rk;
    char *what;           /* "kafka 'weblogs'", "kafka sink 'out'" */
    char *brokers;        /* the bootstrap servers */
    int embedded;         /* holds a reference to the embedded broker */
    pthread_mutex_t lock; /* librdkafka's threads log: guards the lists below */
    int said[SAID_MAX];   /* kinds of errors said since things last worked */
    int nsaid;
    char logged[LOGGED_MAX][24]; /* log facilities said */
    int nlogged;
    char *fatal;          /* a fatal error of the client, or NULL */
    int quiet;            /* being closed: nothing more to say */
} kclient;

static void kclient_init(kclient *k, const char *what)
{
    memset(k, 0, sizeof *k);
    k->what = sp_xstrdup(what);
    pthread_mutex_init(&k->lock, NULL);
}

/* Errors of one kind are said once; errors that mean the same to a user
 * (a broker down) are one kind.  Kinds: librdkafka's error codes, and: */
#define KIND_OUTAGE 100000  /* the broker cannot be reached */
#define KIND_NO_TOPIC 100001 /* the topic does not exist */
#define KIND_COMMIT 100002  /* offsets could not be committed */
#define KIND_DROPPED 100003 /* the demo dropped lines */

static int error_kind(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
        return KIND_OUTAGE;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        return KIND_NO_TOPIC;
    default:
        return (int)e;
    }
}

/* Says an error unless one of its kind was said since things last worked. */
static void say_error(kclient *k, int kind, const char *text)
{
    int said = 0;
    pthread_mutex_lock(&k->lock);
    for (int i = 0; i < k->nsaid; i++)
        said |= k->said[i] == kind;
    if (!said && k->nsaid < SAID_MAX) {
        k->said[k->nsaid] = kind;
        __atomic_store_n(&k->nsaid, k->nsaid + 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&k->lock);
    if (said || k->quiet)
        return;
    if (kind == KIND_OUTAGE)
        notice("%s: cannot reach the Kafka broker at %s (%s); retrying", k->what, k->brokers, text);
    else
        notice("%s at %s: %s", k->what, k->brokers, text);
}

/* Things work (a message arrived or was delivered): errors are said again. */
static void errors_cleared(kclient *k)
{
    if (__atomic_load_n(&k->nsaid, __ATOMIC_RELAXED) == 0) /* the common case, without the lock */
        return;
    pthread_mutex_lock(&k->lock);
    int had_outage = 0;
    for (int i = 0; i < k->nsaid; i++)
        had_outage |= k->said[i] == KIND_OUTAGE;
    __atomic_store_n(&k->nsaid, 0, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&k->lock);
    if (had_outage)
        notice("%s: the Kafka broker at %s is reachable again", k->what, k->brokers);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    if (level > 4) /* notices, info and debug */
        return;
    /* said through error events (connection failures), or expected: the
     * configuration's kafka: settings serve producers and consumers alike */
    if (strcmp(fac, "FAIL") == 0 || strcmp(fac, "ERROR") == 0 || strstr(buf, "property and will be ignored"))
        return;
    kclient *k = rd_kafka_opaque(rk);
    if (k) {
        int said = 0;
        pthread_mutex_lock(&k->lock);
        for (int i = 0; i < k->nlogged; i++)
            said |= strcmp(k->logged[i], fac) == 0;
        if (!said && k->nlogged < LOGGED_MAX)
            snprintf(k->logged[k->nlogged++], sizeof k->logged[0], "%s", fac);
        pthread_mutex_unlock(&k->lock);
        if (said)
            return;
    }
    notice("%s: librdkafka: %s", k ? k->what : "embedded Kafka broker", buf);
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    kclient *k = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        rd_kafka_fatal_error(rk, buf, sizeof buf);
        if (!k->fatal)
            k->fatal = errmsg("%s at %s: %s", k->what, k->brokers, buf);
        return;
    }
    say_error(k, error_kind((rd_kafka_resp_err_t)err), reason);
}

/* ----- the embedded broker ----- */

static struct {
    pthread_mutex_t lock;
    rd_kafka_t *rk;              /* the handle the mock cluster lives in */
    rd_kafka_mock_cluster_t *mc; /* the cluster: one broker */
    char *bootstraps;            /* its address */
    int refs;                    /* clients using it */
    int partitions;              /* of the topics we create */
} emb = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, NULL, 0, 3};

const char *sp_kafka_embedded_acquire(char **err)
{
    pthread_mutex_lock(&emb.lock);
    if (!emb.mc) {
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(conf, log_cb);
        rd_kafka_conf_set(conf, "client.id", "streampipe-embedded-broker", errstr, sizeof errstr);
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        if (!rk) {
            rd_kafka_conf_destroy(conf);
            pthread_mutex_unlock(&emb.lock);
            *err = errmsg("cannot start the embedded Kafka broker: %s", errstr);
            return NULL;
        }
        handle_created();
        rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, 1);
        if (!mc) {
            handle_destroy(rk);
            pthread_mutex_unlock(&emb.lock);
            *err = errmsg("cannot start the embedded Kafka broker (librdkafka's mock cluster)");
            return NULL;
        }
        emb.rk = rk;
        emb.mc = mc;
        emb.bootstraps = sp_xstrdup(rd_kafka_mock_cluster_bootstraps(mc));
        notice("embedded Kafka broker at %s (in memory only; for trying things out and tests)", emb.bootstraps);
    }
    emb.refs++;
    const char *b = emb.bootstraps;
    pthread_mutex_unlock(&emb.lock);
    return b;
}

void sp_kafka_embedded_release(void)
{
    pthread_mutex_lock(&emb.lock);
    if (emb.refs > 0 && --emb.refs == 0) {
        rd_kafka_mock_cluster_destroy(emb.mc);
        handle_destroy(emb.rk);
        free(emb.bootstraps);
        emb.mc = NULL;
        emb.rk = NULL;
        emb.bootstraps = NULL;
    }
    pthread_mutex_unlock(&emb.lock);
}

void sp_kafka_embedded_set_partitions(int n)
{
    pthread_mutex_lock(&emb.lock);
    emb.partitions = n > 0 ? n : 3;
    pthread_mutex_unlock(&emb.lock);
}

int sp_kafka_embedded_create_topic(const char *topic, int partitions, char **err)
{
    pthread_mutex_lock(&emb.lock);
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__STATE;
    if (emb.mc)
        e = rd_kafka_mock_topic_create(emb.mc, topic, partitions > 0 ? partitions : emb.partitions, 1);
    pthread_mutex_unlock(&emb.lock);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        return 0;
    *err = errmsg("cannot create topic '%s' on the embedded Kafka broker: %s", topic,
                  e == RD_KAFKA_RESP_ERR__STATE ? "it is not running" : rd_kafka_err2str(e));
    return -1;
}

int sp_kafka_embedded_set_down(int down)
{
    pthread_mutex_lock(&emb.lock);
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__STATE;
    if (emb.mc)
        e = down ? rd_kafka_mock_broker_set_down(emb.mc, 1) : rd_kafka_mock_broker_set_up(emb.mc, 1);
    pthread_mutex_unlock(&emb.lock);
    return e == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
}

/* ----- configuration ----- */

/* The brokers a client uses: those given, else the configuration's, else
 * the embedded broker (a reference is taken).  Returns 0, or -1 with *err. */
static int kclient_brokers(kclient *k, const char *given, const struct sp_config *config, char **err)
{
    const char *b = given && *given ? given : config ? sp_config_brokers(config) : NULL;
    if (b && *b) {
        k->brokers = sp_xstrdup(b);
        return 0;
    }
    b = sp_kafka_embedded_acquire(err);
    if (!b)
        return -1;
    k->brokers = sp_xstrdup(b);
    k->embedded = 1;
    return 0;
}

/* Resolves the brokers (kclient_brokers) and sets them in `conf`; on
 * failure destroys conf.  Returns 0, or -1 with *err. */
static int set_brokers(kclient *k, rd_kafka_conf_t *conf, const char *given, const struct sp_config *config,
                       char **err)
{
    char errstr[512];
    if (kclient_brokers(k, given, config, err) != 0) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    if (rd_kafka_conf_set(conf, "bootstrap.servers", k->brokers, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        *err = errmsg("%s: brokers '%s': %s", k->what, k->brokers, errstr);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    return 0;
}

static void kclient_fini(kclient *k)
{
    handle_destroy(k->rk);
    k->rk = NULL;
    if (k->embedded)
        sp_kafka_embedded_release();
    k->embedded = 0;
    free(k->what);
    free(k->brokers);
    free(k->fatal);
    pthread_mutex_destroy(&k->lock);
}

typedef struct prop_ctx {
    rd_kafka_conf_t *conf;
    const kclient *k;
    const char *origin; /* where the properties come from, for messages */
    char *err;
} prop_ctx;

static int secret_key(const char *key)
{
    return strstr(key, "password") || strstr(key, "secret") || strstr(key, "jaas") || strstr(key, "token");
}

static void set_config_property(const char *key, const char *value, void *ud)
{
    prop_ctx *c = ud;
    char errstr[512];
    if (c->err)
        return;
    if (rd_kafka_conf_set(c->conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
        c->err = secret_key(key) ? errmsg("%s: %s: kafka: %s: librdkafka refuses its value", c->k->what, c->origin, key)
                                 : errmsg("%s: %s: kafka: %s: %s", c->k->what, c->origin, key, errstr);
}

/* A configuration: `defaults` (NULL-terminated key, value pairs), then the
 * properties of the configuration file, then `required`.  Returns NULL with
 * *err.  (The brokers are set by set_brokers(), once the configuration is
 * known to be good: the embedded broker is not started for nothing.) */
static rd_kafka_conf_t *make_conf(kclient *k, const struct sp_config *config, const char *const *defaults,
                                  const char *const *required, char **err)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *path = config ? sp_config_path(config) : NULL;
    prop_ctx c = {conf, k, path ? path : "the configuration", NULL};
    for (const char *const *d = defaults; d && d[0]; d += 2)
        set_config_property(d[0], d[1], &c);
    if (config && !c.err)
        sp_config_kafka_properties(config, set_config_property, &c);
    for (const char *const *d = required; d && d[0] && !c.err; d += 2)
        if (rd_kafka_conf_set(conf, d[0], d[1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
            c.err = errmsg("%s: %s", k->what, errstr);
    if (c.err) {
        rd_kafka_conf_destroy(conf);
        *err = c.err;
        return NULL;
    }
    rd_kafka_conf_set_opaque(conf, k);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    return conf;
}

/* ----- the producer ----- */

struct sp_kafka_producer {
    kclient k;                /* first: the handle's opaque */
    uint64_t delivered;       /* messages delivered */
    uint64_t failed;          /* messages that failed */
    uint64_t failed_pending;  /* failures not reported by a flush yet */
    rd_kafka_resp_err_t first_err; /* the first of them */
    char *first_error;        /* its text */
};

static void dr_msg_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    sp_kafka_producer *p = opaque;
    if (m->err) {
        p->failed++;
        if (p->failed_pending++ == 0) {
            free(p->first_error);
            p->first_err = m->err;
            p->first_error = errmsg("%s", rd_kafka_err2str(m->err));
        }
    } else {
        p->delivered++;
        errors_cleared(&p->k);
    }
}

/* A producer; `linger_ms` is how long it waits to fill a batch of
 * messages (librdkafka's linger.ms: the configuration may change it). */
static sp_kafka_producer *producer_new(const char *brokers, const struct sp_config *config, const char *what,
                                       const char *linger_ms, char **err)
{
    const char *const defaults[] = {"client.id", "streampipe", "linger.ms", linger_ms,
                                    "log.connection.close", "false", "reconnect.backoff.max.ms", "1000",
                                    NULL};
    static const char *const required[] = {"enable.idempotence", "true", NULL};
    sp_kafka_producer *p = sp_xmalloc(sizeof *p);
    memset(p, 0, sizeof *p);
    kclient_init(&p->k, what);
    rd_kafka_conf_t *conf = make_conf(&p->k, config, defaults, required, err);
    if (!conf || set_brokers(&p->k, conf, brokers, config, err) != 0) {
        sp_kafka_producer_free(p);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, dr_msg_cb);
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        *err = errmsg("%s: cannot make a Kafka producer for %s: %s", what, p->k.brokers, errstr);
        sp_kafka_producer_free(p);
        return NULL;
    }
    handle_created();
    p->k.rk = rk;
    return p;
}

sp_kafka_producer *sp_kafka_producer_new(const char *brokers, const struct sp_config *config, const char *what,
                                         char **err)
{
    return producer_new(brokers, config, what, "5", err);
}

const char *sp_kafka_producer_brokers(const sp_kafka_producer *p)
{
    return p->k.brokers;
}

/* Queues a message; while the queue is full, waits up to wait_ms serving
 * delivery reports. */
static int produce(sp_kafka_producer *p, const char *topic, const char *key, size_t keylen, const void *value,
                   size_t len, int wait_ms, char **err)
{
    int64_t deadline = mono_ms() + wait_ms;
    for (;;) {
        rd_kafka_resp_err_t e =
            rd_kafka_producev(p->k.rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE((void *)value, len),
                              RD_KAFKA_V_KEY((void *)key, key ? keylen : 0), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return 0;
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && mono_ms() < deadline) {
            rd_kafka_poll(p->k.rk, 100);
            continue;
        }
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && wait_ms == 0)
            *err = errmsg("the producer's queue is full (is the broker reachable?); dropping lines");
        else if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            *err = errmsg("%s: cannot write to topic '%s' at %s: the producer's queue stayed full for %d s (is the "
                          "broker reachable?)",
                          p->k.what, topic, p->k.brokers, wait_ms / 1000);
        else if (e == RD_KAFKA_RESP_ERR__FATAL && p->k.fatal)
            *err = sp_xstrdup(p->k.fatal);
        else
            *err = errmsg("%s: cannot write to topic '%s' at %s: %s", p->k.what, topic, p->k.brokers,
                          rd_kafka_err2str(e));
        return -1;
    }
}

int sp_kafka_produce(sp_kafka_producer *p, const char *topic, const char *key, size_t keylen, const void *value,
                     size_t len, char **err)
{
    int rc = produce(p, topic, key, keylen, value, len, FLUSH_TIMEOUT_MS * 3, err);
    rd_kafka_poll(p->k.rk, 0); /* delivery reports, errors */
    return rc;
}

int sp_kafka_producer_flush(sp_kafka_producer *p, int timeout_ms, char **err)
{
    rd_kafka_resp_err_t e = rd_kafka_flush(p->k.rk, timeout_ms);
    if (p->k.fatal) {
        *err = sp_xstrdup(p->k.fatal);
        return -1;
    }
    if (p->failed_pending) {
        *err = errmsg("%s at %s: %" PRIu64 " message%s not delivered: %s", p->k.what, p->k.brokers, p->failed_pending,
                      p->failed_pending == 1 ? "" : "s", p->first_error ? p->first_error : "unknown error");
        p->failed_pending = 0;
        return -1;
    }
    int left = rd_kafka_outq_len(p->k.rk);
    if (e == RD_KAFKA_RESP_ERR__TIMED_OUT && left > 0) {
        *err = errmsg("%s at %s: %d message%s not delivered within %d s (is the broker reachable?)", p->k.what,
                      p->k.brokers, left, left == 1 ? "" : "s", timeout_ms / 1000);
        return -1;
    }
    return 0;
}

void sp_kafka_producer_counts(const sp_kafka_producer *p, uint64_t *delivered, uint64_t *failed)
{
    *delivered = p->delivered;
    *failed = p->failed;
}

void sp_kafka_producer_free(sp_kafka_producer *p)
{
    if (!p)
        return;
    if (p->k.rk && rd_kafka_outq_len(p->k.rk) > 0) {
        /* what is still queued is given up (the caller said so): do not wait */
        rd_kafka_purge(p->k.rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(p->k.rk, 1000);
    }
    kclient_fini(&p->k);
    free(p->first_error);
    free(p);
}

/* ----- the source ----- */

enum { FROM_LATEST, FROM_EARLIEST, FROM_OFFSET, FROM_TAIL, FROM_TIME };

typedef struct kpart {
    int64_t low;       /* until=end: the first offset kept when the run started */
    int64_t high;      /* until=end: the end to reach */
    int64_t next;      /* the offset after the last message handed out (-1: none; direct: where the
                        * partition starts, until a message is) */
    int64_t committed; /* the last offset committed (-1: none) */
    int assigned;      /* ours now */
    int positioned;    /* `from` (an offset or a time) applied */
    int at_end;        /* until=end: read up to `high` */
    int64_t restore;   /* from a checkpoint: the offset to go on from when assigned (-1: none) */
} kpart;

typedef struct demo demo;

typedef struct ksource {
    kclient k;             /* first: the handle's opaque */
    char *topic;
    int from;              /* FROM_* */
    int64_t from_value;    /* the offset, count or time */
    int bounded;           /* until=end */
    int direct;            /* until=end without a group: the partitions are assigned by the source itself,
                            * never by a group, and nothing is committed */
    int assigned_all;      /* direct: the partitions were assigned (by the first read) */
    rd_kafka_queue_t *queue; /* direct: the consumer queue, read TAKE_MAX messages at a time */
    rd_kafka_message_t **held; /* direct: messages taken from the queue, not handed out yet */
    int nheld, iheld;      /* how many, and the next one */
    int ended;             /* a partition reached its end since bounded_done() was last asked */
    int64_t woken_ms;      /* when the fetcher was last woken (wake_fetcher) */
    kpart *parts;          /* by partition id */
    int nparts;
    int64_t max_line;      /* longer messages are malformed */
    volatile sig_atomic_t *stop;
    int time_noted;        /* said that the embedded broker has no time index */
    int just_assigned;     /* partitions were assigned during this read */
    size_t batch_bytes;    /* bytes handed over per batch at most */
    int64_t assigned_ms;   /* when partitions were last assigned (monotonic) */
    int64_t settle_ms;     /* until=end in a group: how long an assignment must last before partitions
                            * nobody committed are taken for read (bounded_done) */
    int64_t others_ms;     /* until=end in a group: when others_state() last asked (0: never) */
    int others;            /* and what it found (OTHERS_*) */
    int behind_part;       /* OTHERS_BEHIND: a partition committed before its end, */
    int64_t behind_at;     /* and its committed offset */
    int behind_noted;      /* the wait for it was said */
    int paused;            /* a full batch paused fetching: resumed by the next read */
    demo *demo;            /* input("demo"): the generator thread */
} ksource;

static kpart *part(ksource *s, int32_t id)
{
    if (id < 0)
        id = 0;
    if (id >= s->nparts) {
        int n = id + 1;
        s->parts = sp_xrealloc(s->parts, sizeof *s->parts * (size_t)n);
        for (int i = s->nparts; i < n; i++) {
            kpart *kp = &s->parts[i];
            memset(kp, 0, sizeof *kp);
            kp->next = kp->committed = kp->restore = -1;
            kp->at_end = s->bounded; /* a partition that came after the start: nothing of it to read */
        }
        s->nparts = n;
    }
    return &s->parts[id];
}

/* until=end in a group: we have partitions, and all of them are read to
 * their end. */
static int ours_read(const ksource *s)
{
    int any = 0;
    for (int i = 0; i < s->nparts; i++) {
        if (s->parts[i].assigned && !s->parts[i].at_end)
            return 0;
        any |= s->parts[i].assigned;
    }
    return any;
}

/* What the group's committed offsets say of the partitions that are not
 * ours and that we have not read to their end. */
enum {
    OTHERS_READ,    /* all committed at their end (or past it): read */
    OTHERS_BEHIND,  /* one committed before its end: its owner is reading it, or died */
    OTHERS_UNKNOWN  /* one without a committed offset (or the group did not answer) */
};

/* OTHERS_*, asked of the group coordinator at most every OTHERS_EVERY_MS
 * (the answer is kept in between). */
enum { OTHERS_EVERY_MS = 500 };
static int others_state(ksource *s)
{
    int64_t now = mono_ms();
    if (s->others_ms && now - s->others_ms < OTHERS_EVERY_MS)
        return s->others;
    s->others_ms = now;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts > 0 ? s->nparts : 1);
    for (int i = 0; i < s->nparts; i++)
        if (!s->parts[i].at_end && !s->parts[i].assigned)
            rd_kafka_topic_partition_list_add(l, s->topic, i);
    int r = OTHERS_READ;
    if (l->cnt > 0 && rd_kafka_committed(s->k.rk, l, REQUEST_TIMEOUT_MS) != RD_KAFKA_RESP_ERR_NO_ERROR)
        r = OTHERS_UNKNOWN;
    for (int i = 0; r != OTHERS_UNKNOWN && i < l->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &l->elems[i];
        if (tp->err || tp->offset < 0)
            r = OTHERS_UNKNOWN;
        else if (tp->offset < s->parts[tp->partition].high) {
            r = OTHERS_BEHIND;
            s->behind_part = tp->partition;
            s->behind_at = tp->offset;
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return s->others = r;
}

/* until=end: has everything been read?  Yes when every partition is at its
 * end.  In a group, also when we have partitions, all of them are, and the
 * others have been read by the group as its committed offsets say: each
 * committed at its end.  A partition committed before its end is being
 * read by its owner, or was held by a member that died, whose partitions
 * the group gives out again after its session timeout: we wait for it.
 * One that has no committed offset at all tells nothing: then we end when
 * the assignment has lasted a session timeout and more (settle_ms), so
 * that a member that died before its first commit has been replaced. */
static int bounded_done(ksource *s)
{
    int all = 1;
    for (int i = 0; i < s->nparts && all; i++)
        all = s->parts[i].at_end;
    if (all)
        return 1;
    if (s->direct || !ours_read(s)) /* direct: every partition is ours */
        return 0;
    int others = others_state(s);
    int settled = mono_ms() - s->assigned_ms >= s->settle_ms;
    if (others == OTHERS_BEHIND && settled && !s->behind_noted && !s->k.quiet) {
        /* said once: why a run whose partitions are read goes on */
        s->behind_noted = 1;
        notice("%s: this run's partitions are read; waiting for the group to read partition %d to %" PRId64
               " (committed: %" PRId64 ")",
               s->k.what, s->behind_part, s->parts[s->behind_part].high, s->behind_at);
    }
    return others == OTHERS_READ || (others == OTHERS_UNKNOWN && settled);
}

/* A partition read up to its end: stop fetching it. */
static void reached_end(ksource *s, kpart *kp, int32_t id)
{
    if (kp->at_end)
        return;
    kp->at_end = 1;
    s->ended = 1;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, s->topic, id);
    rd_kafka_pause_partitions(s->k.rk, l);
    rd_kafka_topic_partition_list_destroy(l);
}

/* Applies `from` (an offset, the last N, a time) to newly assigned
 * partitions, once per partition and run; earliest and latest are left to
 * the committed offsets and auto.offset.reset. */
static void position_from(ksource *s, rd_kafka_topic_partition_list_t *parts)
{
    if (s->from == FROM_EARLIEST || s->from == FROM_LATEST)
        return;
    rd_kafka_topic_partition_list_t *times = NULL;
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &parts->elems[i];
        kpart *kp = part(s, tp->partition);
        if (kp->positioned)
            continue;
        kp->positioned = 1;
        if (s->from == FROM_OFFSET)
            tp->offset = s->from_value;
        else if (s->from == FROM_TAIL)
            tp->offset = RD_KAFKA_OFFSET_TAIL(s->from_value);
        else {
            if (!times)
                times = rd_kafka_topic_partition_list_new(parts->cnt);
            rd_kafka_topic_partition_list_add(times, tp->topic, tp->partition)->offset = s->from_value;
        }
    }
    if (!times)
        return;
    if (s->k.embedded && !s->time_noted) {
        notice("%s: the embedded broker cannot look offsets up by time: from=@%" PRId64
               " starts at the end of each partition",
               s->k.what, s->from_value);
        s->time_noted = 1;
    }
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(s->k.rk, times, REQUEST_TIMEOUT_MS);
    if (e)
        say_error(&s->k, error_kind(e), "cannot look the offsets of from=@TIME up; using the committed offsets");
    for (int i = 0; !e && i < times->cnt; i++) {
        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(parts, s->topic, times->elems[i].partition);
        if (tp && !times->elems[i].err)
            tp->offset = times->elems[i].offset >= 0 ? times->elems[i].offset : RD_KAFKA_OFFSET_END;
    }
    rd_kafka_topic_partition_list_destroy(times);
}

/* Partitions given (back) to us while messages read from them are not
 * committed yet (their commit failed, or they were taken away in the middle
 * of a batch): go on after those messages, which the batch hands to the
 * sinks and the next commit acknowledges, unless the group committed
 * further meanwhile.  Otherwise a rebalance (a broker down for a few
 * seconds can end the session) would read them twice. */
static void resume_pending(ksource *s, rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    for (int i = 0; i < parts->cnt; i++) {
        kpart *kp = part(s, parts->elems[i].partition);
        if (kp->next > kp->committed) {
            if (!l)
                l = rd_kafka_topic_partition_list_new(parts->cnt);
            rd_kafka_topic_partition_list_add(l, s->topic, parts->elems[i].partition);
        }
    }
    if (!l)
        return;
    rd_kafka_resp_err_t e = rd_kafka_committed(s->k.rk, l, REQUEST_TIMEOUT_MS);
    for (int i = 0; i < l->cnt; i++) {
        kpart *kp = part(s, l->elems[i].partition);
        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(parts, s->topic, l->elems[i].partition);
        if (e || l->elems[i].err || !tp) { /* not known: read them again rather than lose them */
            kp->next = kp->committed;
            continue;
        }
        kp->committed = l->elems[i].offset >= 0 ? l->elems[i].offset : -1;
        if (kp->next > kp->committed)
            tp->offset = kp->next;
        else
            kp->next = kp->committed;
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    ksource *s = opaque;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t ae = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        position_from(s, parts);
        resume_pending(s, parts);
        /* the checkpoint is the source of truth: where it says we were */
        for (int i = 0; i < parts->cnt; i++) {
            kpart *kp = part(s, parts->elems[i].partition);
            if (kp->restore < 0)
                continue;
            parts->elems[i].offset = kp->restore;
            kp->next = kp->restore;
            kp->positioned = 1;
            kp->restore = -1;
        }
        if (!cooperative) /* eager: the list is the whole assignment */
            for (int i = 0; i < s->nparts; i++)
                s->parts[i].assigned = 0;
        for (int i = 0; i < parts->cnt; i++)
            part(s, parts->elems[i].partition)->assigned = 1;
        s->just_assigned = parts->cnt > 0;
        s->assigned_ms = mono_ms();
        if (cooperative)
            error = rd_kafka_incremental_assign(rk, parts);
        else
            ae = rd_kafka_assign(rk, parts);
        /* partitions already read to their end stay paused */
        for (int i = 0; s->bounded && i < parts->cnt; i++) {
            kpart *kp = part(s, parts->elems[i].partition);
            if (kp->at_end) {
                kp->at_end = 0;
                reached_end(s, kp, parts->elems[i].partition);
            }
        }
    } else {
        /* revoked (or an error): what was read from these partitions and
         * not committed yet stays pending: if they come back to us, we go
         * on after it (resume_pending); if not, their next owner reads it
         * again */
        for (int i = 0; i < parts->cnt; i++)
            part(s, parts->elems[i].partition)->assigned = 0;
        if (e != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
            say_error(&s->k, error_kind(e), rd_kafka_err2str(e));
        if (cooperative)
            error = rd_kafka_incremental_unassign(rk, parts);
        else
            ae = rd_kafka_assign(rk, NULL);
    }
    if (error) {
        say_error(&s->k, error_kind(rd_kafka_error_code(error)), rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    } else if (ae)
        say_error(&s->k, error_kind(ae), rd_kafka_err2str(ae));
}

/* An error that the same request may not meet again soon: a connection
 * lost (a broker restarting, or one that dropped the connection under
 * load), a leader or coordinator moving, a request that timed out. */
static int transient(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
        return 1;
    default:
        return 0;
    }
}

/* Before a try of a request that must be answered by `deadline`
 * (mono_ms): its timeout, the time left; 0 when there is to be no try.
 * After a first try that failed with `e` (0: no try yet), another only
 * for a transient error, after a pause of RETRY_MS (it sleeps). */
enum { RETRY_MS = 200 };
static int next_try_ms(int64_t deadline, rd_kafka_resp_err_t e)
{
    if (e) {
        if (!transient(e) || mono_ms() + RETRY_MS >= deadline)
            return 0;
        struct timespec ts = {0, RETRY_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    int64_t left = deadline - mono_ms();
    return left > 0 ? (int)left : 0;
}

/* until=end: the end of every partition, now.  The broker has
 * REQUEST_TIMEOUT_MS to answer, transient errors tried again in that
 * time: one dropped connection does not end the run. */
static int query_ends(ksource *s, const char *what, char **err)
{
    int64_t deadline = mono_ms() + REQUEST_TIMEOUT_MS;
    int left;
    /* every topic: asking for this one alone may create it (the embedded
     * broker does, and brokers with auto.create.topics.enable) */
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    while ((left = next_try_ms(deadline, e)) > 0 &&
           (e = rd_kafka_metadata(s->k.rk, 1, NULL, &md, left)) != RD_KAFKA_RESP_ERR_NO_ERROR)
        ;
    if (e) {
        *err = errmsg("%s: cannot get the partitions of topic '%s' from the Kafka broker at %s: %s", what, s->topic,
                      s->k.brokers, rd_kafka_err2str(e));
        return -1;
    }
    const struct rd_kafka_metadata_topic *mt = NULL;
    for (int i = 0; i < md->topic_cnt && !mt; i++)
        if (strcmp(md->topics[i].topic, s->topic) == 0)
            mt = &md->topics[i];
    e = mt ? mt->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (e) {
        *err = e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART
                   ? errmsg("%s: topic '%s' does not exist at %s", what, s->topic, s->k.brokers)
                   : errmsg("%s: topic '%s' at %s: %s", what, s->topic, s->k.brokers, rd_kafka_err2str(e));
        rd_kafka_metadata_destroy(md);
        return -1;
    }
    for (int i = 0; i < mt->partition_cnt; i++) {
        int32_t id = mt->partitions[i].id;
        int64_t lo = 0, hi = 0;
        e = RD_KAFKA_RESP_ERR_NO_ERROR;
        deadline = mono_ms() + REQUEST_TIMEOUT_MS;
        while ((left = next_try_ms(deadline, e)) > 0 &&
               (e = rd_kafka_query_watermark_offsets(s->k.rk, s->topic, id, &lo, &hi, left)) != RD_KAFKA_RESP_ERR_NO_ERROR)
            ;
        if (e) {
            *err = errmsg("%s: cannot get the end of topic '%s' [%" PRId32 "] from %s: %s", what, s->topic, id,
                          s->k.brokers, rd_kafka_err2str(e));
            rd_kafka_metadata_destroy(md);
            return -1;
        }
        kpart *kp = part(s, id);
        kp->low = lo;
        kp->high = hi;
        kp->at_end = hi <= lo; /* empty */
    }
    rd_kafka_metadata_destroy(md);
    return 0;
}

/* Direct: where a partition starts without a checkpoint, from `from` and
 * the log it had when the run started ([low, high)).  An offset outside it
 * starts at its first message; @TIME is looked up by the caller. */
static int64_t direct_start(const ksource *s, const kpart *kp)
{
    switch (s->from) {
    case FROM_LATEST:
        return kp->high;
    case FROM_OFFSET:
        return s->from_value < kp->low || s->from_value > kp->high ? kp->low : s->from_value;
    case FROM_TAIL:
        return kp->high - s->from_value > kp->low ? kp->high - s->from_value : kp->low;
    default: /* FROM_EARLIEST */
        return kp->low;
    }
}

/* Direct: the offsets of the first messages at or after from=@TIME, in `l`
 * (those with an offset < 0 are looked up); the end of the partition where
 * there is none.  Returns 0, or -1 with *err. */
static int direct_times(ksource *s, rd_kafka_topic_partition_list_t *l, char **err)
{
    rd_kafka_topic_partition_list_t *times = rd_kafka_topic_partition_list_new(l->cnt > 0 ? l->cnt : 1);
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].offset < 0)
            rd_kafka_topic_partition_list_add(times, s->topic, l->elems[i].partition)->offset = s->from_value;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (times->cnt > 0 && s->k.embedded) {
        notice("%s: the embedded broker cannot look offsets up by time: from=@%" PRId64
               " starts at the end of each partition",
               s->k.what, s->from_value);
        for (int i = 0; i < times->cnt; i++)
            times->elems[i].offset = -1;
    } else if (times->cnt > 0)
        e = rd_kafka_offsets_for_times(s->k.rk, times, REQUEST_TIMEOUT_MS);
    for (int i = 0; !e && i < times->cnt; i++) {
        const rd_kafka_topic_partition_t *t = &times->elems[i];
        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(l, s->topic, t->partition);
        if (t->err)
            e = t->err;
        else
            tp->offset = t->offset >= 0 ? t->offset : part(s, t->partition)->high;
    }
    rd_kafka_topic_partition_list_destroy(times);
    if (e)
        *err = errmsg("%s: cannot look the offsets of from=@%" PRId64 " up at %s: %s", s->k.what, s->from_value,
                      s->k.brokers, rd_kafka_err2str(e));
    return e ? -1 : 0;
}

/* Direct: assigns every partition not read to its end yet, from the
 * checkpoint's offset, else from `from`; the offsets are set explicitly,
 * so the group's committed offsets are never looked at.  Returns 0, or -1
 * with *err. */
static int assign_direct(ksource *s, char **err)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts > 0 ? s->nparts : 1);
    for (int i = 0; i < s->nparts; i++) {
        kpart *kp = &s->parts[i];
        int64_t start = kp->restore >= 0 ? kp->restore : s->from == FROM_TIME ? -1 : direct_start(s, kp);
        rd_kafka_topic_partition_list_add(l, s->topic, i)->offset = start;
    }
    if (s->from == FROM_TIME && direct_times(s, l, err) != 0) {
        rd_kafka_topic_partition_list_destroy(l);
        return -1;
    }
    rd_kafka_topic_partition_list_t *a = rd_kafka_topic_partition_list_new(l->cnt > 0 ? l->cnt : 1);
    for (int i = 0; i < l->cnt; i++) {
        kpart *kp = part(s, l->elems[i].partition);
        /* the position of a partition never read is where it starts: a
         * checkpoint of this run makes the next one go on from there */
        kp->next = l->elems[i].offset;
        kp->restore = -1;
        if (kp->next >= kp->high)
            kp->at_end = 1;
        if (kp->at_end)
            continue;
        kp->assigned = 1;
        rd_kafka_topic_partition_list_add(a, s->topic, l->elems[i].partition)->offset = kp->next;
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_resp_err_t e = a->cnt > 0 ? rd_kafka_assign(s->k.rk, a) : RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_topic_partition_list_destroy(a);
    s->assigned_all = 1;
    if (e)
        *err = errmsg("%s: cannot assign the partitions of topic '%s' at %s: %s", s->k.what, s->topic, s->k.brokers,
                      rd_kafka_err2str(e));
    return e ? -1 : 0;
}

/* Parses from= / from:.  Returns 0, or -1. */
static int parse_from(const char *from, int *kind, int64_t *value)
{
    char *end;
    *value = 0;
    if (!from || !*from || strcmp(from, "latest") == 0)
        *kind = FROM_LATEST;
    else if (strcmp(from, "earliest") == 0)
        *kind = FROM_EARLIEST;
    else if (from[0] == '@' && from[1] >= '0' && from[1] <= '9') {
        *kind = FROM_TIME;
        *value = strtoll(from + 1, &end, 10);
        return *end ? -1 : 0;
    } else if (from[0] == '-' && from[1] >= '0' && from[1] <= '9') {
        *kind = FROM_TAIL;
        *value = strtoll(from + 1, &end, 10);
        return *end ? -1 : 0;
    } else if (from[0] >= '0' && from[0] <= '9') {
        *kind = FROM_OFFSET;
        *value = strtoll(from, &end, 10);
        return *end ? -1 : 0;
    } else
        return -1;
    return 0;
}

static void source_free(ksource *s);

void *sp_kafka_source_open(const sp_kafka_source_params *pp, const sp_run_options *opt, char **err)
{
    const char *topic = pp->topic ? pp->topic : "";
    char *what = pp->what ? sp_xstrdup(pp->what) : errmsg("kafka(\"%s\")", topic);
    int from = FROM_LATEST;
    int64_t from_value = 0;
    if (!*topic) {
        *err = errmsg("%s: which topic? give one", what);
        free(what);
        return NULL;
    }
    if (parse_from(pp->from, &from, &from_value) != 0) {
        *err = errmsg("%s: unknown from '%s' (write earliest, latest, an offset, -N for the last N messages of each "
                      "partition, or @TIME in ms since 1970)",
                      what, pp->from);
        free(what);
        return NULL;
    }
    if (pp->until && *pp->until && strcmp(pp->until, "end") != 0) {
        *err = errmsg("%s: unknown until '%s' (write end, or leave it out to read without end)", what, pp->until);
        free(what);
        return NULL;
    }
    ksource *s = sp_xmalloc(sizeof *s);
    memset(s, 0, sizeof *s);
    char *name = errmsg("kafka '%s'", topic);
    kclient_init(&s->k, name);
    free(name);
    s->topic = sp_xstrdup(topic);
    s->from = from;
    s->from_value = from_value;
    s->bounded = pp->until && strcmp(pp->until, "end") == 0;
    /* a bounded read without a group reads the topic as kcat -C -e does:
     * every partition, assigned by us, from `from` (by default its start:
     * `latest` would read nothing) or the checkpoint's offsets */
    s->direct = s->bounded && !(pp->group && *pp->group);
    if (s->direct && !(pp->from && *pp->from))
        s->from = FROM_EARLIEST;
    s->max_line = opt && opt->max_line > 0 ? opt->max_line : (1 << 20);
    s->batch_bytes = opt && opt->batch_bytes > 0 ? (size_t)opt->batch_bytes : (size_t)64 << 20;
    s->stop = opt ? opt->stop : NULL;
    const char *defaults[] = {"client.id", "streampipe", "log.connection.close", "false",
                              /* back soon after a short outage */
                              "reconnect.backoff.max.ms", "1000",
                              /* what librdkafka fetches ahead of the batches: bounded memory (16 MiB,
                               * and one fetch response of at most 8 MiB per broker past it) */
                              "queued.max.messages.kbytes", "16384", "fetch.max.bytes", "8388608",
                              /* a run that ends leaves its group; the next one to join may wait for up to the
                               * session timeout of the one before (the embedded broker does): keep it short */
                              "session.timeout.ms", "6000", "heartbeat.interval.ms", "2000",
                              /* until=end: see the end soon */
                              s->bounded ? "fetch.wait.max.ms" : NULL, "100", NULL};
    /* direct: librdkafka wants a group.id for rd_kafka_assign(); the group
     * is never joined and nothing is committed to it */
    const char *required[] = {"group.id", pp->group && *pp->group ? pp->group : "streampipe",
                              "enable.auto.commit", "false",
                              "enable.auto.offset.store", "false",
                              "enable.partition.eof", "true",
                              "auto.offset.reset", s->from == FROM_LATEST ? "latest" : "earliest",
                              NULL};
    rd_kafka_conf_t *conf = make_conf(&s->k, opt ? opt->config : NULL, defaults, required, err);
    if (!conf || set_brokers(&s->k, conf, pp->brokers, opt ? opt->config : NULL, err) != 0)
        goto fail;
    if (s->k.embedded && sp_kafka_embedded_create_topic(topic, 0, err) != 0) {
        rd_kafka_conf_destroy(conf);
        goto fail;
    }
    if (!s->direct)
        rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    char st[32];
    size_t stn = sizeof st;
    /* a dead member's partitions are given out again a session timeout
     * after its last heartbeat, plus the rebalance (the group waits for its
     * members to rejoin: seconds) */
    s->settle_ms = (rd_kafka_conf_get(conf, "session.timeout.ms", st, &stn) == RD_KAFKA_CONF_OK ? atoll(st) : 45000) +
                   10000;
    char errstr[512];
    s->k.rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!s->k.rk) {
        rd_kafka_conf_destroy(conf);
        *err = errmsg("%s: cannot make a Kafka consumer for %s: %s", what, s->k.brokers, errstr);
        goto fail;
    }
    handle_created();
    rd_kafka_poll_set_consumer(s->k.rk);
    if (s->bounded && query_ends(s, what, err) != 0)
        goto fail;
    if (s->direct) { /* the partitions are assigned by the first read, once a checkpoint has said where to start */
        s->queue = rd_kafka_queue_get_consumer(s->k.rk);
        free(what);
        return s;
    }
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->k.rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        *err = errmsg("%s: cannot subscribe to topic '%s' at %s: %s", what, topic, s->k.brokers, rd_kafka_err2str(e));
        goto fail;
    }
    free(what);
    return s;
fail:
    free(what);
    source_free(s);
    return NULL;
}

/* One message or event from the consumer.  Returns 1 when a record was
 * handed out, 0 otherwise, -1 on a fatal error (*err). */
static int take_message(ksource *s, rd_kafka_message_t *m, sp_arena *a, sp_vec *out, uint64_t *malformed,
                        char **err)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        kpart *kp = part(s, m->partition);
        if (s->bounded && m->offset >= kp->high)
            reached_end(s, kp, m->partition);
        return 0;
    }
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        rd_kafka_fatal_error(s->k.rk, buf, sizeof buf);
        *err = errmsg("%s at %s: %s", s->k.what, s->k.brokers, buf);
        return -1;
    }
    if (m->err) {
        int kind = error_kind(m->err);
        say_error(&s->k, kind, kind == KIND_NO_TOPIC ? "the topic does not exist (yet); waiting for it"
                                                     : rd_kafka_message_errstr(m));
        return 0;
    }
    errors_cleared(&s->k);
    kpart *kp = part(s, m->partition);
    if (s->bounded && (kp->at_end || m->offset >= kp->high)) {
        reached_end(s, kp, m->partition); /* past the end the run started with: for the next run */
        return 0;
    }
    kp->next = m->offset + 1;
    if (s->bounded && kp->next >= kp->high)
        reached_end(s, kp, m->partition);
    if ((int64_t)m->len > s->max_line) {
        (*malformed)++;
        return 0;
    }
    sp_vec_push(out, sp_str_copy(a, m->payload ? (const char *)m->payload : "", m->len));
    return 1;
}

/* Pauses or resumes fetching the partitions assigned (and not read to
 * their end).  A live run whose batch is full pauses: what the broker has
 * beyond the batch stays there instead of piling up in this process
 * (librdkafka goes on from the position of the last message handed out
 * when resumed). */
static void set_paused(ksource *s, int pause)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts > 0 ? s->nparts : 1);
    for (int i = 0; i < s->nparts; i++)
        if (s->parts[i].assigned && !s->parts[i].at_end)
            rd_kafka_topic_partition_list_add(l, s->topic, i);
    if (l->cnt > 0) {
        if (pause)
            rd_kafka_pause_partitions(s->k.rk, l);
        else
            rd_kafka_resume_partitions(s->k.rk, l);
    }
    rd_kafka_topic_partition_list_destroy(l);
    s->paused = pause;
}

/* until=end: wakes librdkafka's fetcher up.  librdkafka (2.0) stops fetching
 * while the consumer queue holds more than queued.min.messages or
 * queued.max.messages.kbytes, and a broker's thread looks at the queue again
 * only when something else wakes it (a request, a response, an operation on
 * a partition) or after a second (later versions have
 * fetch.queue.backoff.ms for this).  A read that has emptied the queue
 * would wait up to that second, several times a run: a drain of 1 M
 * messages took 1.5 to 3 s instead of 0.5.  Asking the leaders of the
 * partitions left for their ends (a ListOffsets request, answered at once)
 * wakes their threads, which fetch again. */
static void wake_fetcher(ksource *s)
{
    int64_t now = mono_ms();
    if (now - s->woken_ms < WAKE_EVERY_MS)
        return;
    s->woken_ms = now;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts > 0 ? s->nparts : 1);
    for (int i = 0; i < s->nparts; i++)
        if (s->parts[i].assigned && !s->parts[i].at_end)
            rd_kafka_topic_partition_list_add(l, s->topic, i)->offset = RD_KAFKA_OFFSET_END;
    if (l->cnt > 0)
        rd_kafka_offsets_for_times(s->k.rk, l, 2 * BOUNDED_WAIT_MS); /* the answer is not needed */
    rd_kafka_topic_partition_list_destroy(l);
}

/* Direct: the next message, from those taken from the queue, else from the
 * queue (up to TAKE_MAX at once: one lock and one wake-up for thousands of
 * messages, against one each for rd_kafka_consumer_poll()), waiting up to
 * BOUNDED_WAIT_MS for one, then waking the fetcher.  Returns 1 with *m, 0
 * when none came, -1 with *err.
 * (The batch API is used for direct reads only: librdkafka 2.0 can lose
 * messages with it when partitions are paused and resumed, or reassigned,
 * as live reads and groups do; a direct read only pauses partitions it has
 * read to their end.) */
static int next_held(ksource *s, rd_kafka_message_t **m, char **err)
{
    *m = NULL;
    if (s->iheld < s->nheld) {
        *m = s->held[s->iheld++];
        return 1;
    }
    if (!s->held)
        s->held = sp_xmalloc(sizeof *s->held * TAKE_MAX);
    s->iheld = s->nheld = 0;
    ssize_t n = rd_kafka_consume_batch_queue(s->queue, 0, s->held, TAKE_MAX);
    if (n == 0) {
        n = rd_kafka_consume_batch_queue(s->queue, BOUNDED_WAIT_MS, s->held, 1);
        if (n == 0)
            wake_fetcher(s);
    }
    if (n < 0) {
        *err = errmsg("%s at %s: cannot read the consumer queue: %s", s->k.what, s->k.brokers, strerror(errno));
        return -1;
    }
    s->nheld = (int)n;
    if (n == 0)
        return 0;
    *m = s->held[s->iheld++];
    return 1;
}

/* take_message, then the message freed and counted in *count (records)
 * and *bytes.  Returns 0, or -1 with *err. */
static int take_counted(ksource *s, rd_kafka_message_t *m, sp_arena *a, sp_vec *out, uint64_t *malformed,
                        int64_t *count, size_t *bytes, char **err)
{
    *bytes += m->len;
    int r = take_message(s, m, a, out, malformed, err);
    rd_kafka_message_destroy(m);
    if (r < 0)
        return -1;
    *count += r;
    return 0;
}

/* Has the client met a fatal error?  Then *err says it (malloc'd). */
static int fatal_error(const ksource *s, char **err)
{
    if (!s->k.fatal)
        return 0;
    *err = sp_xstrdup(s->k.fatal);
    return 1;
}

/* Direct: the read of a batch: `max` messages, or batch_bytes of them, or
 * what is left before the ends.  Returns as sp_kafka_source_read. */
static int read_direct(ksource *s, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    int64_t count = 0;
    size_t bytes = 0;
    while (count < max && bytes < s->batch_bytes) {
        rd_kafka_message_t *m;
        int got = next_held(s, &m, err);
        if (got < 0)
            return -1;
        if ((got && take_counted(s, m, a, out, malformed, &count, &bytes, err) < 0) || fatal_error(s, err))
            return -1;
        if ((!got || s->ended) && bounded_done(s))
            break;
        s->ended = 0;
        if (s->stop && *s->stop)
            break;
    }
    return bounded_done(s) ? 0 : 1;
}

int sp_kafka_source_read(void *state, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    ksource *s = state;
    if (s->paused)
        set_paused(s, 0);
    if (fatal_error(s, err))
        return -1;
    if (s->direct && !s->assigned_all && assign_direct(s, err) != 0)
        return -1;
    if (s->bounded && bounded_done(s))
        return 0;
    if (s->direct)
        return read_direct(s, a, out, max, malformed, err);
    int64_t count = 0, deadline = mono_ms() + LIVE_POLL_MS;
    size_t bytes = 0;
    s->just_assigned = 0;
    while (count < max && bytes < s->batch_bytes) {
        /* bounded: wait for the messages (a batch is `max` of them, as from
         * a file); live: take what has come, for at most LIVE_POLL_MS, and
         * when partitions were just assigned, give their first messages
         * up to ASSIGNED_POLL_MS to come (the first batch of a run is not
         * empty for nothing) */
        int was_assigned = s->just_assigned;
        rd_kafka_message_t *m =
            rd_kafka_consumer_poll(s->k.rk, s->bounded ? BOUNDED_WAIT_MS : s->just_assigned ? 10 : 0);
        if (!was_assigned && s->just_assigned)
            deadline = mono_ms() + ASSIGNED_POLL_MS;
        if ((m && take_counted(s, m, a, out, malformed, &count, &bytes, err) < 0) || fatal_error(s, err))
            return -1;
        if (s->bounded) {
            if (!m)
                wake_fetcher(s);
            /* our partitions read: the batch ends, so that its offsets are
             * committed, which the other members wait for */
            if (bounded_done(s) || (s->stop && *s->stop) || (count > 0 && ours_read(s)))
                break;
        } else if ((!m && !s->just_assigned) || mono_ms() >= deadline)
            break;
    }
    if (!s->bounded && (count >= max || bytes >= s->batch_bytes))
        set_paused(s, 1); /* falling behind: leave the rest at the broker */
    return s->bounded && bounded_done(s) ? 0 : 1;
}

int sp_kafka_source_commit(void *state, char **err)
{
    (void)err;
    ksource *s = state;
    if (s->direct) /* no group: the checkpoint alone says where the next run starts */
        return 0;
    rd_kafka_topic_partition_list_t *l = NULL;
    for (int i = 0; i < s->nparts; i++) {
        kpart *kp = &s->parts[i];
        if (!kp->assigned || kp->next <= kp->committed)
            continue;
        if (!l)
            l = rd_kafka_topic_partition_list_new(4);
        rd_kafka_topic_partition_list_add(l, s->topic, i)->offset = kp->next;
    }
    if (!l)
        return 0;
    rd_kafka_resp_err_t e = rd_kafka_commit(s->k.rk, l, 0);
    for (int i = 0; i < l->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &l->elems[i];
        if (!e && !tp->err)
            part(s, tp->partition)->committed = tp->offset;
        else if (!e)
            e = tp->err;
    }
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        char text[300];
        snprintf(text, sizeof text,
                 "cannot commit the offsets read (%s); trying again after the next batch (a restart before that "
                 "reads these messages again)",
                 rd_kafka_err2str(e));
        say_error(&s->k, KIND_COMMIT, text);
    }
    return 0;
}

/* Where partition kp stands: the next offset to read, or, for a partition
 * the checkpoint named but this run was not given yet (another member of
 * the group still held it), the checkpoint's offset, kept for the next run
 * (dropping it sent that run to the group's committed offset, a batch behind
 * when the last run was killed between its checkpoint and its commit: that
 * batch was read twice). */
static int64_t part_position(const kpart *kp)
{
    return kp->next >= 0 ? kp->next : kp->restore;
}

/* The position: the next offset of every partition read so far.  The
 * topic is part of the source's fingerprint, so it is not repeated. */
void sp_kafka_source_position(void *state, struct sp_wbuf *w)
{
    ksource *s = state;
    uint32_t n = 0;
    for (int i = 0; i < s->nparts; i++)
        n += part_position(&s->parts[i]) >= 0;
    sp_put_u32(w, n);
    for (int i = 0; i < s->nparts; i++)
        if (part_position(&s->parts[i]) >= 0) {
            sp_put_u32(w, (uint32_t)i);
            sp_put_i64(w, part_position(&s->parts[i]));
        }
}

int sp_kafka_source_seek(void *state, struct sp_rbuf *r, char **err)
{
    (void)err;
    ksource *s = state;
    uint32_t n = sp_get_u32(r);
    if (r->bad || n > 1u << 20)
        return -1;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t id = sp_get_u32(r);
        int64_t next = sp_get_i64(r);
        if (r->bad || id >= 1u << 20 || next < 0)
            return -1;
        kpart *kp = part(s, (int32_t)id);
        kp->restore = next;
        if (s->bounded && kp->high >= 0 && next >= kp->high)
            kp->at_end = 1;
    }
    return 0;
}

int64_t sp_kafka_source_lag(const void *state)
{
    const ksource *s = state;
    if (!s->k.rk)
        return -1;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(s->nparts > 0 ? s->nparts : 1);
    for (int i = 0; i < s->nparts; i++)
        if (s->parts[i].assigned)
            rd_kafka_topic_partition_list_add(l, s->topic, i);
    int64_t lag = -1;
    /* both from the client's cache: the position of what was handed out,
     * the high watermarks of the last fetch responses */
    if (l->cnt > 0 && rd_kafka_position(s->k.rk, l) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < l->cnt; i++) {
            const rd_kafka_topic_partition_t *tp = &l->elems[i];
            const kpart *kp = &s->parts[tp->partition];
            int64_t pos = tp->offset >= 0 ? tp->offset : kp->next >= 0 ? kp->next : kp->committed;
            int64_t lo = -1, hi = -1;
            if (pos < 0 || rd_kafka_get_watermark_offsets(s->k.rk, s->topic, tp->partition, &lo, &hi) != 0 || hi < 0)
                continue;
            if (s->bounded && kp->high < hi)
                hi = kp->high; /* until=end: what comes after is for the next run */
            lag = (lag < 0 ? 0 : lag) + (hi > pos ? hi - pos : 0);
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return lag;
}

int sp_kafka_source_unbounded(const void *state)
{
    const ksource *s = state;
    return !s->bounded;
}

static void demo_stop(demo *d);

static void source_free(ksource *s)
{
    if (s->demo)
        demo_stop(s->demo);
    while (s->iheld < s->nheld)
        rd_kafka_message_destroy(s->held[s->iheld++]);
    free(s->held);
    if (s->queue)
        rd_kafka_queue_destroy(s->queue);
    if (s->k.rk) {
        s->k.quiet = 1;
        rd_kafka_resp_err_t e = rd_kafka_consumer_close(s->k.rk);
        if (e && e != RD_KAFKA_RESP_ERR__TRANSPORT)
            notice("%s: leaving the consumer group: %s", s->k.what, rd_kafka_err2str(e));
    }
    kclient_fini(&s->k);
    free(s->topic);
    free(s->parts);
    free(s);
}

void sp_kafka_source_close(void *state)
{
    if (state)
        source_free(state);
}

/* ----- the demo: a generator thread producing, the source consuming ----- */

struct demo {
    sp_kafka_producer *producer; /* used by the thread only, until it ends */
    sp_loggen lines;             /* the same */
    int64_t rate;                /* lines a second */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;                    /* under lock */
};

static void *demo_main(void *arg)
{
    demo *d = arg;
    int64_t start = mono_ms(), made = 0;
    uint64_t failed_said = 0;
    char line[512];
    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        pthread_mutex_unlock(&d->lock);
        int64_t due = d->rate * (mono_ms() - start) / 1000;
        for (; made < due; made++) {
            size_t n = sp_loggen_next(&d->lines, line, sizeof line);
            char *err = NULL;
            if (produce(d->producer, DEMO_TOPIC, NULL, 0, line, n, 0, &err) != 0) {
                say_error(&d->producer->k, KIND_DROPPED, err);
                free(err);
            }
        }
        rd_kafka_poll(d->producer->k.rk, 0); /* delivery reports */
        if (d->producer->failed > failed_said) {
            say_error(&d->producer->k, error_kind(d->producer->first_err),
                      d->producer->first_error ? d->producer->first_error : "lines not delivered");
            failed_said = d->producer->failed;
            d->producer->failed_pending = 0;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 20 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&d->lock);
        if (!d->stop)
            pthread_cond_timedwait(&d->wake, &d->lock, &ts);
    }
    pthread_mutex_unlock(&d->lock);
    rd_kafka_flush(d->producer->k.rk, 2000); /* the last lines, if the broker is there */
    return NULL;
}

static void demo_stop(demo *d)
{
    pthread_mutex_lock(&d->lock);
    d->stop = 1;
    pthread_cond_signal(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    sp_kafka_producer_free(d->producer);
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

void *sp_kafka_demo_open(int64_t rate, uint64_t seed, const char *format, const sp_run_options *opt, char **err)
{
    demo *d = sp_xmalloc(sizeof *d);
    memset(d, 0, sizeof *d);
    if (sp_loggen_init(&d->lines, seed, rate, format) != 0) {
        *err = errmsg("demo: unknown format '%s' (combined or common)", format);
        free(d);
        return NULL;
    }
    d->rate = d->lines.rate;
    sp_kafka_source_params pp = {NULL, DEMO_TOPIC, DEMO_GROUP, "earliest", NULL, "input 'demo'"};
    ksource *s = sp_kafka_source_open(&pp, opt, err);
    if (!s) {
        free(d);
        return NULL;
    }
    /* lines come a few at a time: batch them (fewer, larger requests) */
    d->producer = producer_new(NULL, opt ? opt->config : NULL, "demo generator", "100", err);
    if (!d->producer) {
        free(d);
        source_free(s);
        return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->wake, NULL);
    /* signals (Ctrl-C) are for the main thread: the new one blocks them */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&d->thread, NULL, demo_main, d);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        *err = errmsg("demo: cannot start the generator thread: %s", strerror(e));
        sp_kafka_producer_free(d->producer);
        pthread_cond_destroy(&d->wake);
        pthread_mutex_destroy(&d->lock);
        free(d);
        source_free(s);
        return NULL;
    }
    s->demo = d;
    notice("demo: %" PRId64 " generated lines a second into topic '%s' at %s, read in group '%s'", d->rate,
           DEMO_TOPIC, s->k.brokers, DEMO_GROUP);
    return s;
}

/* ----- the sink ----- */

typedef struct ksink {
    sp_kafka_producer *producer;
    char *topic;
    char *key;  /* a constant message key, or NULL: none */
    int keyed;  /* elements are (key, value): key from each element */
    int json;   /* {"sink":...,"batch":N,"time":T,"value":V} per element */
    char *name; /* its "sink" */
} ksink;

void sp_kafka_sink_close(void *state)
{
    ksink *k = state;
    if (!k)
        return;
    sp_kafka_producer_free(k->producer);
    free(k->topic);
    free(k->key);
    free(k->name);
    free(k);
}

void *sp_kafka_sink_open(const sp_io_args *args, const sp_run_options *opt, const char *default_name, sp_arena *a,
                         char **err)
{
    const char *topic = sp_io_arg_str(args, "topic", a, "");
    const char *format = sp_io_arg_str(args, "format", a, "text");
    if (!*topic) {
        *err = errmsg("kafka sink: which topic? give one");
        return NULL;
    }
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        *err = errmsg("kafka sink '%s': unknown output format '%s': use text or json", topic, format);
        return NULL;
    }
    const char *key = sp_io_arg_str(args, "key", a, NULL);
    ksink *k = sp_xmalloc(sizeof *k);
    memset(k, 0, sizeof *k);
    k->topic = sp_xstrdup(topic);
    k->key = key ? sp_xstrdup(key) : NULL;
    k->keyed = (int)sp_io_arg_int(args, "keyed", 0);
    k->json = strcmp(format, "json") == 0;
    k->name = sp_xstrdup(sp_io_arg_str(args, "name", a, default_name));
    char *what = errmsg("kafka sink '%s'", topic);
    k->producer = sp_kafka_producer_new(sp_io_arg_str(args, "brokers", a, NULL), opt ? opt->config : NULL, what, err);
    free(what);
    if (!k->producer || (k->producer->k.embedded && sp_kafka_embedded_create_topic(topic, 0, err) != 0)) {
        sp_kafka_sink_close(k);
        return NULL;
    }
    return k;
}

int sp_kafka_sink_write(void *state, const sp_sink_ctx *c, const sp_vec *in, char **err)
{
    ksink *k = state;
    int rc = 0;
    sp_arena *scratch = sp_arena_new();
    for (size_t i = 0; i < in->n && rc == 0; i++) {
        /* keyed: the element is (key, value): the key's text is the message key */
        sp_value v = in->v[i];
        const char *key = k->key;
        size_t keylen = key ? strlen(key) : 0;
        if (k->keyed) {
            if (v.tag != SP_V_TUPLE || v.n != 2) {
                *err = errmsg("kafka sink '%s': keyed: true needs (key, value) pairs, not a %s", k->topic,
                              sp_value_type_name(v));
                rc = -1;
                break;
            }
            key = sp_value_text(scratch, v.u.items[0], &keylen);
            v = v.u.items[1];
        }
        if (k->json) { /* {"sink":...,"batch":N,"time":T,"value":V} */
            char *buf = NULL;
            size_t size = 0;
            FILE *ms = open_memstream(&buf, &size);
            if (!ms) {
                *err = errmsg("kafka sink '%s': out of memory", k->topic);
                rc = -1;
                break;
            }
            fputs("{\"sink\":", ms);
            sp_value_print_json(sp_str(k->name, strlen(k->name)), ms);
            fprintf(ms, ",\"batch\":%" PRIu64 ",\"time\":%" PRId64 ",\"value\":", c->batch, c->time_ms);
            sp_value_print_json(v, ms);
            fputc('}', ms);
            fclose(ms);
            rc = sp_kafka_produce(k->producer, k->topic, key, keylen, buf, size, err);
            free(buf);
        } else {
            size_t len = 0;
            const char *text = sp_value_text(scratch, v, &len);
            rc = sp_kafka_produce(k->producer, k->topic, key, keylen, text, len, err);
        }
    }
    sp_arena_free(scratch);
    if (rc != 0)
        return -1;
    return sp_kafka_producer_flush(k->producer, FLUSH_TIMEOUT_MS, err);
}
