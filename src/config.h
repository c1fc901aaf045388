/* config.h - the YAML configuration: Kafka brokers and librdkafka properties,
 * the checkpoint directory, the thread count, default parameter values, and
 * named environments that override any of them (`--env NAME`).
 *
 * Precedence of parameter values: -p on the command line, then environment
 * variables (STREAMPIPE_PARAM_<NAME>), then the YAML file (the environment's
 * section over the top level), then the pipeline's own defaults. */
#ifndef SP_CONFIG_H
#define SP_CONFIG_H

#include "diag.h"

typedef struct sp_config sp_config;

/* Loads `path`, or when path is NULL the default location ($STREAMPIPE_CONFIG,
 * else ./streampipe.yaml, else $HOME/.config/streampipe/config.yaml; a
 * missing default file is not an error: an empty configuration results).
 * `env` selects a named environment (NULL: none; an unknown name is an
 * error).  Errors are reported to `d` as FILE:LINE:COL; returns NULL then.
 * The caller frees the result with sp_config_free(). */
sp_config *sp_config_load(const char *path, const char *env, sp_diag *d);

/* An empty configuration (nothing set). */
sp_config *sp_config_empty(void);

void sp_config_free(sp_config *c); /* accepts NULL */

/* The file it was read from, or NULL. */
const char *sp_config_path(const sp_config *c);

/* Kafka bootstrap servers ("host:port,..."), or NULL when none are set:
 * then the embedded broker is used. */
const char *sp_config_brokers(const sp_config *c);

/* Calls set(key, value, ud) for every librdkafka property configured (the
 * `kafka:` map, security settings included), in file order. */
void sp_config_kafka_properties(const sp_config *c,
                                void (*set)(const char *key, const char *value, void *ud), void *ud);

/* The checkpoint directory, or NULL. */
const char *sp_config_checkpoint_dir(const sp_config *c);

/* The number of worker threads, or 0 when not set. */
int sp_config_threads(const sp_config *c);

/* Batches between checkpoints, or 0 when not set. */
long sp_config_checkpoint_every(const sp_config *c);

/* Default value of pipeline parameter `name` from the file (environment
 * section first), or NULL. */
const char *sp_config_param(const sp_config *c, const char *name);

/* Number of parameters the file sets, and the i-th name (for -p style
 * overrides; the checker reports names the pipeline does not declare). */
int sp_config_param_count(const sp_config *c);
const char *sp_config_param_name(const sp_config *c, int i);

#endif
