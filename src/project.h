/* project.h - projection: which fields of the access-log records a checked
 * program reads.
 *
 * scan_access_log (and parse_access_log & co., which forward to it) makes a
 * record of 15 fields for every line; logs.sp reads four of them.  When no
 * record can ever be read whole (printed, keyed, stored in state, handed to
 * a function, ...), only the fields read by name are needed, and the scanner
 * builds records of those alone (weblog.h, sp_weblog_proj).  The analysis is
 * conservative: whatever it cannot follow counts as read whole. */
#ifndef SP_PROJECT_H
#define SP_PROJECT_H

#include <stdint.h>

#include "ast.h"

/* Every field: a record may be read whole. */
#define SP_PROJECT_ALL UINT32_MAX

/* The fields of sp_weblog_shape() that `p` (checked) may read: bit i for
 * field i; SP_PROJECT_ALL when a record may be read whole. */
uint32_t sp_project_weblog(const sp_program *p);

#endif
