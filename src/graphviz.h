/* graphviz.h - renders DOT text with Graphviz's `dot` program, when it is
 * installed (found on PATH): for `streampipe dag --format svg|png` and the
 * DAG of the web console. */
#ifndef SP_GRAPHVIZ_H
#define SP_GRAPHVIZ_H

#include <stddef.h>

/* The path of `dot` on PATH (malloc'd), or NULL when Graphviz is not
 * installed. */
char *sp_graphviz_find(void);

/* Runs `dot -TFORMAT` on `dot_text` (len bytes).  On success returns 0 with
 * *out (malloc'd, NUL-terminated; *outlen bytes without the NUL).  On
 * failure returns -1 with *err (malloc'd): Graphviz missing, or what dot
 * said.  SIGPIPE must be ignored by the caller (dot may exit early). */
int sp_graphviz_render(const char *dot_text, size_t len, const char *format, char **out, size_t *outlen,
                       char **err);

#endif
