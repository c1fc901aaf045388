/* ops.h - the operator, source and sink tables. */
#ifndef SP_OPS_H
#define SP_OPS_H

#define SP_OPTBIT_SLIDE 1
#define SP_OPTBIT_INVERSE 2
#define SP_OPTBIT_BY 4
#define SP_OPTBIT_DESC 8
#define SP_OPTBIT_ON 16
#define SP_OPTBIT_WATERMARK 32
#define SP_OPTBIT_LATE 64
/* the options of event-time windows */
#define SP_OPTBITS_EVENT_TIME (SP_OPTBIT_ON | SP_OPTBIT_WATERMARK | SP_OPTBIT_LATE)

typedef enum sp_op_id {
#define SP_OP(id, name, args, opts, usage, summary) SP_OP_##id,
#include "ops.def"
#undef SP_OP
    SP_OP_COUNT_
} sp_op_id;

typedef struct sp_op_info {
    const char *name;    /* the name written in pipelines */
    const char *args;    /* argument letters, see ops.def */
    int options;         /* SP_OPTBIT_* it accepts */
    const char *usage;   /* how it is written */
    const char *summary; /* one line */
} sp_op_info;

/* The operator table, indexed by sp_op_id. */
extern const sp_op_info sp_ops[SP_OP_COUNT_];

/* Operator id for `name`, or -1. */
int sp_op_lookup(const char *name);

/* Number of positional arguments required / allowed. */
int sp_op_min_args(const sp_op_info *op);
int sp_op_max_args(const sp_op_info *op);

/* Name of an option keyword (slide, inverse, by, desc). */
const char *sp_opt_name(int optbit);

/* Sources and sinks: a kind name and its arguments.
 * PARAMS is a comma-separated list of NAME:TYPE, where TYPE is s (string),
 * i (integer), b (bool), d (duration); a leading '?' marks a parameter that
 * may be left out, and positional arguments fill them in order. */
typedef struct sp_io_info {
    const char *name;    /* as written: file, stdin, ... */
    const char *params;  /* parameter spec */
    const char *summary; /* one line */
} sp_io_info;

#define SP_SOURCE_LIST(X)                                                                          \
    X(FILE, "file", "path:s,?follow:b,?from:s", "lines of a file ('-' for stdin); follow: keep reading as it grows, like tail -F") \
    X(STDIN, "stdin", "", "lines of standard input")                                               \
    X(TCP, "tcp", "address:s,?listen:b", "lines read from a TCP server (host:port), or from clients with listen") \
    X(GENERATOR, "generator", "?rate:i,?count:i,?seed:i,?format:s", "synthetic web-server log lines") \
    X(KAFKA, "kafka", "topic:s,?brokers:s,?group:s,?from:s,?until:s", "the messages of a Kafka topic, read in a consumer group") \
    X(INPUT, "input", "uri:s", "chosen by URI: a path, '-', tcp://, gen:, kafka://")

#define SP_SINK_LIST(X)                                                                            \
    X(STDOUT, "stdout", "?title:s,?format:s,?name:s,?final:b,?empty:s", "print each batch's results, under a title")  \
    X(STDERR, "stderr", "?title:s,?format:s,?name:s,?final:b,?empty:s", "the same on standard error")                \
    X(FILE, "file", "path:s,?format:s,?title:s,?name:s,?final:b,?empty:s", "append results to a file (text or json)") \
    X(KAFKA, "kafka", "topic:s,?brokers:s,?key:s,?keyed:b,?format:s,?name:s", "produce results to a Kafka topic, one message per element")

typedef enum sp_source_id {
#define X(id, name, params, summary) SP_SOURCE_##id,
    SP_SOURCE_LIST(X)
#undef X
    SP_SOURCE_COUNT_
} sp_source_id;

typedef enum sp_sink_id {
#define X(id, name, params, summary) SP_SINK_##id,
    SP_SINK_LIST(X)
#undef X
    SP_SINK_COUNT_
} sp_sink_id;

extern const sp_io_info sp_sources[SP_SOURCE_COUNT_];
extern const sp_io_info sp_sinks[SP_SINK_COUNT_];

/* Index of a source / sink kind, or -1. */
int sp_source_lookup(const char *name);
int sp_sink_lookup(const char *name);

#endif
