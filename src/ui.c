/* ui.c - the web console: libmicrohttpd serving snapshots of the
 * statistics; see ui.h. */
#define _GNU_SOURCE /* open_memstream, accept4 flags in MHD */
#include "ui.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "dot.h"
#include "graphviz.h"
#include "value.h"

#define PUBLISH_EVERY_MS 100 /* at most 10 snapshots a second */
#define API_BATCHES 120      /* batches in /api/batches */

/* The documents of a snapshot. */
enum { DOC_METRICS, DOC_STATUS, DOC_BATCHES, DOC_OPERATORS, DOC_SINKS, DOC_COUNT_ };

static const struct {
    const char *path; /* where it is served */
    const char *type; /* its content type */
    const char *api;  /* what sp_stats_write_api writes (NULL: the metrics) */
} docs[DOC_COUNT_] = {
    [DOC_METRICS] = {"/metrics", "text/plain; version=0.0.4; charset=utf-8", NULL},
    [DOC_STATUS] = {"/api/status", "application/json", "status"},
    [DOC_BATCHES] = {"/api/batches", "application/json", "batches"},
    [DOC_OPERATORS] = {"/api/operators", "application/json", "operators"},
    [DOC_SINKS] = {"/api/sinks", "application/json", "sinks"},
};

struct sp_ui {
    struct MHD_Daemon *daemon; /* the server and its thread */
    char *url;                 /* http://HOST:PORT/ */
    pthread_mutex_t lock;      /* guards doc and len */
    char *doc[DOC_COUNT_];     /* the current snapshot (NULL: none yet); owned */
    size_t len[DOC_COUNT_];
    char *dag_json;            /* /api/dag: the DOT text and whether there is an SVG; owned, fixed */
    size_t dag_json_len;
    char *svg;                 /* /dag.svg, or NULL without Graphviz; owned, fixed */
    size_t svg_len;
    int64_t last_publish_ms;   /* monotonic ms of the last snapshot */
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *errorf(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *s = sp_xmalloc(n);
    snprintf(s, n, fmt, a, b);
    return s;
}

/* Answers with `len` bytes of `data`; copy: MHD copies them, else they
 * are static. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type, const void *data,
                              size_t len, int copy, int no_store)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)data, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (no_store)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *text)
{
    return answer(c, status, "text/plain; charset=utf-8", text, strlen(text), 0, 1);
}

/* Answers with a snapshot document, copied under the lock. */
static enum MHD_Result answer_doc(sp_ui *ui, struct MHD_Connection *c, int k)
{
    pthread_mutex_lock(&ui->lock);
    struct MHD_Response *r = NULL;
    if (ui->doc[k])
        r = MHD_create_response_from_buffer(ui->len[k], ui->doc[k], MHD_RESPMEM_MUST_COPY);
    pthread_mutex_unlock(&ui->lock);
    if (!r) { /* before the first batch */
        if (k != DOC_METRICS && k != DOC_STATUS)
            return answer_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no batch has run yet\n");
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, docs[k].type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static const char api_index[] =
    "{\"endpoints\":[\"/api/status\",\"/api/batches\",\"/api/operators\",\"/api/sinks\",\"/api/dag\","
    "\"/metrics\",\"/dag.svg\"]}";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version, (void)upload_data, (void)con_cls;
    sp_ui *ui = cls;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        *upload_data_size = 0;
        return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    }
    for (int k = 0; k < DOC_COUNT_; k++)
        if (strcmp(url, docs[k].path) == 0)
            return answer_doc(ui, c, k);
    if (strcmp(url, "/api/dag") == 0)
        return answer(c, MHD_HTTP_OK, "application/json", ui->dag_json, ui->dag_json_len, 0, 0);
    if (strcmp(url, "/api") == 0 || strcmp(url, "/api/") == 0)
        return answer(c, MHD_HTTP_OK, "application/json", api_index, sizeof api_index - 1, 0, 0);
    if (strcmp(url, "/dag.svg") == 0) {
        if (!ui->svg)
            return answer_text(c, MHD_HTTP_NOT_FOUND, "Graphviz is not installed: no SVG of the DAG\n");
        return answer(c, MHD_HTTP_OK, "image/svg+xml", ui->svg, ui->svg_len, 0, 0);
    }
    const char *path = strcmp(url, "/") == 0 ? "/index.html" : url;
    for (const sp_ui_asset *a = sp_ui_assets; a->path; a++)
        if (strcmp(path, a->path) == 0)
            return answer(c, MHD_HTTP_OK, a->type, a->data, a->size, 0, 0);
    return answer_text(c, MHD_HTTP_NOT_FOUND, "not found\n");
}

/* Splits "[ADDR]:PORT", "ADDR:PORT", "PORT" into host (NULL: loopback)
 * and port.  Returns 0, or -1. */
static int split_listen(const char *spec, char *host, size_t hsize, char *port, size_t psize)
{
    const char *p;
    host[0] = '\0';
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= hsize)
            return -1;
        memcpy(host, spec + 1, (size_t)(end - spec - 1));
        host[end - spec - 1] = '\0';
        p = end + 2;
    } else if ((p = strrchr(spec, ':')) != NULL) {
        if ((size_t)(p - spec) >= hsize || memchr(spec, ':', (size_t)(p - spec)))
            return -1; /* an IPv6 address needs brackets */
        memcpy(host, spec, (size_t)(p - spec));
        host[p - spec] = '\0';
        p++;
    } else
        p = spec;
    if (!*p || strlen(p) >= psize || strspn(p, "0123456789") != strlen(p) || atol(p) > 65535)
        return -1;
    snprintf(port, psize, "%s", p);
    return 0;
}

/* A listening socket for `listen`; -1 with *err. */
static int open_listener(const char *spec, char **url, char **err)
{
    char host[256], port[16];
    if (split_listen(spec, host, sizeof host, port, sizeof port) != 0) {
        *err = errorf("--ui '%s': write PORT, ADDR:PORT or [IPV6]:PORT (a port from 0 to 65535)%s", spec, "");
        return -1;
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    const char *h = host[0] ? (strcmp(host, "*") == 0 ? NULL : host) : "127.0.0.1";
    int gai = getaddrinfo(h, port, &hints, &res);
    if (gai != 0) {
        *err = errorf("--ui '%s': %s", spec, gai_strerror(gai));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 64) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *err = errorf("--ui: cannot listen on %s: %s", spec, strerror(saved));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char nhost[NI_MAXHOST] = "127.0.0.1", nport[NI_MAXSERV] = "0";
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        getnameinfo((struct sockaddr *)&ss, sl, nhost, sizeof nhost, nport, sizeof nport,
                    NI_NUMERICHOST | NI_NUMERICSERV);
    int v6 = strchr(nhost, ':') != NULL;
    size_t n = strlen(nhost) + strlen(nport) + 16;
    *url = sp_xmalloc(n);
    snprintf(*url, n, "http://%s%s%s:%s/", v6 ? "[" : "", nhost, v6 ? "]" : "", nport);
    return fd;
}

/* The DAG as DOT, and as SVG when Graphviz is installed. */
static void render_dag(sp_ui *ui, const sp_plan *plan)
{
    char *dot = NULL, *err = NULL;
    size_t dot_len = 0;
    FILE *mem = open_memstream(&dot, &dot_len);
    if (!mem)
        return;
    sp_dot_write(plan, mem);
    fclose(mem);
    if (sp_graphviz_render(dot, dot_len, "svg", &ui->svg, &ui->svg_len, &err) != 0) {
        ui->svg = NULL;
        ui->svg_len = 0;
    }
    char *json = NULL;
    size_t json_len = 0;
    mem = open_memstream(&json, &json_len);
    if (mem) {
        fputs("{\"dot\":", mem);
        sp_value_print_json(sp_str(dot, dot_len), mem);
        fprintf(mem, ",\"svg\":%s,\"graphviz_error\":", ui->svg ? "true" : "false");
        if (err)
            sp_value_print_json(sp_str(err, strlen(err)), mem);
        else
            fputs("null", mem);
        fputc('}', mem);
        fclose(mem);
        ui->dag_json = json;
        ui->dag_json_len = json_len;
    }
    free(err);
    free(dot);
}

sp_ui *sp_ui_start(const char *listen, const sp_plan *plan, char **err)
{
    char *url = NULL;
    int fd = open_listener(listen, &url, err);
    if (fd < 0)
        return NULL;
    sp_ui *ui = sp_xmalloc(sizeof *ui);
    memset(ui, 0, sizeof *ui);
    pthread_mutex_init(&ui->lock, NULL);
    ui->url = url;
    render_dag(ui, plan);
    if (!ui->dag_json) {
        ui->dag_json = sp_xstrdup("{\"dot\":\"\",\"svg\":false,\"graphviz_error\":null}");
        ui->dag_json_len = strlen(ui->dag_json);
    }
    ui->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, ui,
                                  MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                                  MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    if (!ui->daemon) {
        *err = errorf("--ui: cannot start the HTTP server on %s%s", listen, "");
        sp_ui_stop(ui);
        return NULL;
    }
    return ui;
}

const char *sp_ui_url(const sp_ui *ui)
{
    return ui->url;
}

int sp_ui_due(sp_ui *ui, const sp_batch_info *b)
{
    return b->final || mono_ms() - ui->last_publish_ms >= PUBLISH_EVERY_MS;
}

void sp_ui_publish(sp_ui *ui, const sp_stats *s)
{
    char *doc[DOC_COUNT_];
    size_t len[DOC_COUNT_];
    for (int k = 0; k < DOC_COUNT_; k++) {
        doc[k] = NULL;
        len[k] = 0;
        FILE *mem = open_memstream(&doc[k], &len[k]);
        if (!mem)
            continue;
        if (docs[k].api)
            sp_stats_write_api(s, docs[k].api, API_BATCHES, mem);
        else
            sp_stats_write_prometheus(s, mem);
        if (fclose(mem) != 0) {
            free(doc[k]);
            doc[k] = NULL;
        }
    }
    pthread_mutex_lock(&ui->lock);
    for (int k = 0; k < DOC_COUNT_; k++) {
        if (!doc[k])
            continue;
        char *old = ui->doc[k];
        ui->doc[k] = doc[k];
        ui->len[k] = len[k];
        doc[k] = old; /* freed below, outside the lock */
    }
    pthread_mutex_unlock(&ui->lock);
    for (int k = 0; k < DOC_COUNT_; k++)
        free(doc[k]);
    ui->last_publish_ms = mono_ms();
}

void sp_ui_stop(sp_ui *ui)
{
    if (!ui)
        return;
    if (ui->daemon)
        MHD_stop_daemon(ui->daemon); /* closes the listening socket too */
    for (int k = 0; k < DOC_COUNT_; k++)
        free(ui->doc[k]);
    free(ui->dag_json);
    free(ui->svg);
    free(ui->url);
    pthread_mutex_destroy(&ui->lock);
    free(ui);
}
