/* check.h - the checker: names, arity, types and the shape of the DAG.
 *
 * It runs after parsing and before planning.  It resolves every name to what
 * it denotes (a local slot, a field, a parameter, a function, a stream),
 * infers types where they can be known, checks each operator's arguments and
 * window durations against the batch interval, and checks the graph (cycles,
 * streams that reach no sink, no source, no sink).  It reports every problem
 * it finds, not only the first, and annotates the AST in place. */
#ifndef SP_CHECK_H
#define SP_CHECK_H

#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

/* A `-p NAME=VALUE` from the command line. */
/* A parameter value from outside the pipeline: -p NAME=VALUE, an environment
 * variable or the configuration file.  Later ones win. */
typedef struct sp_param_override {
    const char *name;   /* parameter name */
    const char *value;  /* its value as text, parsed by the default's type */
    const char *origin; /* how it was given, for messages ("-p x=1", "STREAMPIPE_PARAM_x=1");
                           NULL: "-p NAME=VALUE" */
    int optional;       /* a name the pipeline does not declare is ignored (config, environment) */
} sp_param_override;

typedef enum sp_check_status {
    SP_CHECK_OK = 0,          /* valid; warnings may have been reported */
    SP_CHECK_INVALID = 1,     /* errors in the pipeline */
    SP_CHECK_BAD_USAGE = 2    /* a -p names no parameter or has a bad value */
} sp_check_status;

/* Checks `p` (annotating it; types live in `a`), reporting to `d`.
 * The overrides replace parameter defaults before anything else is checked.
 * On success *batch_ms (if not NULL) receives the batch interval. */
sp_check_status sp_check(sp_program *p, sp_diag *d, sp_arena *a,
                         const sp_param_override *overrides, int noverrides,
                         int64_t *batch_ms);

/* The default batch interval when a pipeline has no `batch` statement. */
#define SP_DEFAULT_BATCH_MS 1000

#endif
