/* loggen.h - the web-server log generator: realistic, deterministic access-log
 * lines (many clients and endpoints with skewed popularity, a mix of status
 * codes, '-' sizes, about 0.5% malformed lines).  Used by the `generator`
 * source, `streampipe gen` and the Kafka demo. */
#ifndef SP_LOGGEN_H
#define SP_LOGGEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct sp_loggen {
    uint64_t rng;     /* xorshift64* state */
    int64_t made;     /* lines made so far */
    int64_t rate;     /* lines per second of log time */
    int common;       /* common instead of combined format */
    int64_t start_ms; /* time of the first line */
    uint64_t clients; /* distinct client addresses (2000; at most 2^24) */
} sp_loggen;

/* Starts a generator.  `format` is "combined" (or NULL) or "common"; returns
 * -1 for any other.  Line N is stamped start + N * 1000 / rate ms, from
 * 2026-01-01T00:00:00Z. */
int sp_loggen_init(sp_loggen *g, uint64_t seed, int64_t rate, const char *format);

/* Writes the next line (without newline) into buf and returns its length
 * (at most size - 1). */
size_t sp_loggen_next(sp_loggen *g, char *buf, size_t size);

#endif
