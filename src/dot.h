/* dot.h - the operator DAG as Graphviz DOT. */
#ifndef SP_DOT_H
#define SP_DOT_H

#include <stdio.h>

#include "plan.h"

/* Writes the plan as a DOT digraph: one node per source, operator and sink
 * (sources and sinks in shapes of their own), edges in the direction data
 * flows, labelled with the stream names of the pipeline file. */
void sp_dot_write(const sp_plan *plan, FILE *out);

#endif
