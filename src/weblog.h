/* weblog.h - the native access-log scanner behind scan_access_log().
 *
 * One pass over a line, no regular expression and no allocation: the fields
 * are views (pointer + length) into the line.  It reads the three fixed
 * formats of stdlib/weblog.sp (common, combined, vhost_combined) and gives
 * exactly what the language versions there (parse_common_re, ...) give for
 * every line: their patterns are deterministic, and each rule below says
 * which part of which pattern it stands for (tests/run_weblog_native.sh
 * compares the two over real, generated and mutated lines). */
#ifndef SP_WEBLOG_H
#define SP_WEBLOG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "value.h"

/* The formats, as scan_access_log's second argument names them. */
typedef enum sp_weblog_format {
    SP_WEBLOG_ANY,           /* "any": combined, else common, else vhost_combined */
    SP_WEBLOG_COMBINED,      /* "combined" */
    SP_WEBLOG_COMMON,        /* "common" */
    SP_WEBLOG_VHOST_COMBINED /* "vhost_combined" */
} sp_weblog_format;

/* The format called name[0..len), or -1.  Inline: scan_access_log looks
 * its format up for every line, and this is one comparison. */
static inline int sp_weblog_format_lookup(const char *name, size_t len)
{
    switch (len) {
    case 3: return memcmp(name, "any", 3) == 0 ? SP_WEBLOG_ANY : -1;
    case 6: return memcmp(name, "common", 6) == 0 ? SP_WEBLOG_COMMON : -1;
    case 8: return memcmp(name, "combined", 8) == 0 ? SP_WEBLOG_COMBINED : -1;
    case 14: return memcmp(name, "vhost_combined", 14) == 0 ? SP_WEBLOG_VHOST_COMBINED : -1;
    default: return -1;
    }
}
/* The names of the formats, for messages: "any, combined, common, vhost_combined". */
extern const char sp_weblog_format_names[];

/* A field of a line: a view into it; s == NULL when the line has no such
 * group (a regex group that did not take part in the match). */
typedef struct sp_weblog_text {
    const char *s; /* first byte, or NULL: unset */
    size_t n;      /* length */
} sp_weblog_text;

/* What one line holds, before conversion: the groups of the pattern that
 * matched (a format's absent fields are unset). */
typedef struct sp_weblog_fields {
    sp_weblog_format format; /* the format that matched (never ANY) */
    sp_weblog_text vhost, port, host, ident, user, time, request, status, size, referer, agent;
} sp_weblog_fields;

/* Scans line[0..n) in format `f`.  Returns 1 when the line is in the
 * format, its fields in *out (views into the line), else 0 (*out is then
 * meaningless).  Pure: no state, no allocation. */
int sp_weblog_scan(const char *line, size_t n, sp_weblog_format f, sp_weblog_fields *out);

/* The request line split as split_request() does: METHOD TARGET [PROTOCOL].
 * Returns 0 when it is not of that shape; protocol is unset for HTTP/0.9. */
int sp_weblog_split_request(const char *r, size_t n, sp_weblog_text *method, sp_weblog_text *target,
                            sp_weblog_text *protocol);

/* The scanner's searches, out of line, for tests (the scanner inlines its
 * own): in s[i..n), reading only s[0..n), the first position of
 *   what = 0..255: that byte;
 *   SP_WEBLOG_FIND_BLANK: a blank (\s);
 *   SP_WEBLOG_FIND_BLANK_OR + c: a blank or the byte c;
 *   SP_WEBLOG_FIND_QUOTE_OR_ESCAPE: '"' or '\\';
 *   SP_WEBLOG_FIND_NON_DIGIT: a byte that is not \d;
 * or n; and SP_WEBLOG_FIND_RUN_START: the position after the last blank in
 * s[i..n), or i when there is none. */
enum {
    SP_WEBLOG_FIND_BLANK = 256,
    SP_WEBLOG_FIND_QUOTE_OR_ESCAPE = 257,
    SP_WEBLOG_FIND_RUN_START = 258,
    SP_WEBLOG_FIND_NON_DIGIT = 259,
    SP_WEBLOG_FIND_BLANK_OR = 512
};
size_t sp_weblog_find(const char *s, size_t i, size_t n, int what);

/* Per-thread state of the conversions: the last timestamp converted.  One
 * per evaluator (sp_eval.weblog), never shared between threads. */
typedef struct sp_weblog_state sp_weblog_state;

/* A new state; the caller owns it (sp_weblog_state_free).  Never NULL. */
sp_weblog_state *sp_weblog_state_new(void);
/* Frees it.  Accepts NULL. */
void sp_weblog_state_free(sp_weblog_state *st);

/* An Apache %t time without its brackets, as time_of() in weblog.sp reads it:
 * milliseconds since the epoch in *ms and 1, or 0 when it cannot be read.
 * `st` (not NULL) caches the last text seen. */
int sp_weblog_time(sp_weblog_state *st, const char *s, size_t n, int64_t *ms);

/* A projection of the records (project.h): only the fields a program
 * reads, in a shape of their own (the kept fields, in the usual order).
 * Opaque, read-only once made; shared by every thread. */
typedef struct sp_weblog_proj sp_weblog_proj;

/* The projection keeping `fields` (bit i: field i of sp_weblog_shape()),
 * allocated in `a`; NULL when that is every field (no projection). */
const sp_weblog_proj *sp_weblog_proj_new(sp_arena *a, uint32_t fields);

/* The record parse_access_log (f ANY), parse_combined, parse_common or
 * parse_vhost_combined of weblog.sp gives for line[0..n): null when the line
 * is not in the format or a number does not fit in an int.  With `proj`
 * (not NULL), only its fields: which lines give null does not change.  The
 * record is allocated in `a`; its strings are views into the line, which
 * must outlive it. */
sp_value sp_weblog_record(sp_weblog_state *st, sp_arena *a, const char *line, size_t n, sp_weblog_format f,
                          const sp_weblog_proj *proj);

/* The shape of those records (host ident user time method endpoint path
 * protocol status size referer agent vhost port duration_us): made once,
 * read-only, shared by every thread. */
const sp_shape *sp_weblog_shape(void);

#endif
