/* ui.h - the web console of a run (`streampipe run --ui`): an HTTP server
 * (libmicrohttpd, on its own thread) serving the page (embedded HTML, CSS
 * and JavaScript), the DAG as SVG, /metrics for Prometheus and /api/... as
 * JSON.
 *
 * The pipeline thread publishes a snapshot after a batch (every document
 * rendered by the stats module, swapped in under a mutex); the HTTP thread
 * only copies the current snapshot under that mutex, so the pipeline never
 * waits on a client.  See docs/ui.md. */
#ifndef SP_UI_H
#define SP_UI_H

#include <stdint.h>

#include "plan.h"
#include "runtime.h"
#include "stats.h"

typedef struct sp_ui sp_ui;

/* Listens on `listen` ("PORT", "ADDR:PORT", "[IPV6]:PORT"; no address:
 * 127.0.0.1; port 0: any free port) and starts serving.  The DAG of `plan`
 * is rendered to SVG once, here, when Graphviz is installed.  Returns NULL
 * with *err (malloc'd), e.g. when the port is in use. */
sp_ui *sp_ui_start(const char *listen, const sp_plan *plan, char **err);

/* The address it serves, e.g. "http://127.0.0.1:4040/" (owned by the ui). */
const char *sp_ui_url(const sp_ui *ui);

/* Should a snapshot be published after batch b?  At most every 100 ms of
 * wall clock, and always after the last batch. */
int sp_ui_due(sp_ui *ui, const sp_batch_info *b);

/* Renders `s` into a new snapshot for the HTTP thread.  Call it on the
 * pipeline thread (in the batch observer, or after the run). */
void sp_ui_publish(sp_ui *ui, const sp_stats *s);

/* Stops serving and frees everything.  Accepts NULL. */
void sp_ui_stop(sp_ui *ui);

/* The web console's files, embedded at build time (ui_assets.c, generated
 * by src/ui/embed.sh from src/ui/). */
typedef struct sp_ui_asset {
    const char *path;          /* "/app.js"; NULL ends the table */
    const char *type;          /* its content type */
    const unsigned char *data; /* its bytes */
    unsigned long size;        /* how many */
} sp_ui_asset;

extern const sp_ui_asset sp_ui_assets[];

#endif
