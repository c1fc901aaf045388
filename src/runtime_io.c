/* runtime_io.c - sources and sinks.
 *
 * Sources: file and stdin (line readers with large reads, lines as views into
 * chunks of the batch arena, CRLF handled, over-long lines counted as
 * malformed and skipped), the log generator, and input(URI), which picks one
 * of them.  Sinks: stdout and file, in a text format like the Spark sample's
 * or as JSON lines.  tcp and kafka arrive with their issues; opening them
 * says so. */
#include "runtime_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)

/* ----- arguments ----- */

const sp_value *sp_io_arg(const sp_io_args *args, const char *name)
{
    for (int i = 0; i < args->n; i++)
        if (strcmp(args->names[i], name) == 0)
            return &args->values[i];
    return NULL;
}

const char *sp_io_arg_str(const sp_io_args *args, const char *name, sp_arena *a, const char *def)
{
    const sp_value *v = sp_io_arg(args, name);
    if (!v || v->tag != SP_V_STR)
        return def;
    return sp_arena_strndup(a, v->u.s, v->n);
}

int64_t sp_io_arg_int(const sp_io_args *args, const char *name, int64_t def)
{
    const sp_value *v = sp_io_arg(args, name);
    return v && (v->tag == SP_V_INT || v->tag == SP_V_BOOL) ? v->u.i : def;
}

static char *errorf(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *s = sp_xmalloc(n);
    snprintf(s, n, fmt, a, b);
    return s;
}

/* ----- line reader: file and stdin ----- */

typedef struct line_reader {
    int fd;               /* the descriptor */
    int own_fd;           /* close it at the end */
    int eof;              /* read() returned 0 */
    char *carry;          /* bytes read but not yet handed out; owned */
    size_t ncarry;        /* how many */
    int64_t max_line;     /* longer lines are malformed */
    int skipping;         /* inside an over-long line: drop up to the newline */
    const char *name;     /* for messages */
    volatile sig_atomic_t *stop; /* the run's stop request, or NULL */
} line_reader;

static void *reader_open_fd(int fd, int own, const char *name, const sp_run_options *opt, sp_arena *a)
{
    line_reader *r = sp_xmalloc(sizeof *r);
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->own_fd = own;
    r->max_line = opt->max_line > 0 ? opt->max_line : (1 << 20);
    r->stop = opt->stop;
    r->name = sp_arena_strdup(a, name);
    return r;
}

static void *file_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    const char *path = sp_io_arg_str(args, "path", a, "-");
    if (sp_io_arg_int(args, "follow", 0)) {
        *err = errorf("file(\"%s\"%s): following a growing file arrives with the runtime's next step; read it whole without follow",
                      path, "");
        return NULL;
    }
    if (strcmp(path, "-") == 0)
        return reader_open_fd(0, 0, "standard input", opt, a);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err = errorf("cannot open input '%s': %s", path, strerror(errno));
        return NULL;
    }
    return reader_open_fd(fd, 1, path, opt, a);
}

static void *stdin_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    (void)args, (void)err;
    return reader_open_fd(0, 0, "standard input", opt, a);
}

static void reader_close(void *p)
{
    line_reader *r = p;
    if (!r)
        return;
    if (r->own_fd)
        close(r->fd);
    free(r->carry);
    free(r);
}

/* Hands out one line (without its line end) unless it is too long. */
static void reader_emit(line_reader *r, const char *s, size_t n, sp_vec *out, uint64_t *malformed)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if ((int64_t)n > r->max_line) {
        (*malformed)++;
        return;
    }
    sp_vec_push(out, sp_str(s, n));
}

static int reader_read(void *p, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    line_reader *r = p;
    size_t cap = READ_CHUNK > r->ncarry * 2 ? READ_CHUNK : r->ncarry * 2;
    char *buf = sp_arena_alloc(a, cap);
    size_t len = r->ncarry, pos = 0;
    if (r->ncarry)
        memcpy(buf, r->carry, r->ncarry);
    r->ncarry = 0;
    int64_t count = 0;
    while (count < max) {
        char *nl = len > pos ? memchr(buf + pos, '\n', len - pos) : NULL;
        if (nl) {
            size_t end = (size_t)(nl - buf);
            if (r->skipping)
                r->skipping = 0;
            else {
                size_t before = out->n;
                reader_emit(r, buf + pos, end - pos, out, malformed);
                count += out->n > before;
            }
            pos = end + 1;
            continue;
        }
        if (r->eof) {
            if (pos < len && !r->skipping) { /* a last line without a newline */
                size_t before = out->n;
                reader_emit(r, buf + pos, len - pos, out, malformed);
                count += out->n > before;
            }
            return 0;
        }
        if ((int64_t)(len - pos) > r->max_line) {
            /* too long to ever be a line: count it once, drop the rest */
            if (!r->skipping)
                (*malformed)++;
            r->skipping = 1;
            pos = len;
        }
        if (pos == len)
            pos = len = 0; /* nothing pending: reuse the buffer from its start */
        if (len == cap) { /* a partial line fills the buffer: move it to a bigger one */
            size_t ncap = cap * 2;
            char *nbuf = sp_arena_alloc(a, ncap);
            memcpy(nbuf, buf + pos, len - pos);
            len -= pos;
            pos = 0;
            buf = nbuf;
            cap = ncap;
        } else if (pos > 0 && len - pos < cap / 2 && cap - len < cap / 4) {
            /* little room left: start a new chunk holding the partial line
             * (lines already handed out point into the old one) */
            char *nbuf = sp_arena_alloc(a, cap);
            memcpy(nbuf, buf + pos, len - pos);
            len -= pos;
            pos = 0;
            buf = nbuf;
        }
        ssize_t got = read(r->fd, buf + len, cap - len);
        if (got < 0) {
            if (errno == EINTR && r->stop && *r->stop) {
                r->eof = 1; /* asked to stop while waiting for input: end it here */
                continue;
            }
            if (errno == EINTR)
                continue;
            *err = errorf("reading %s failed: %s", r->name, strerror(errno));
            return -1;
        }
        if (got == 0)
            r->eof = 1;
        len += (size_t)got;
    }
    /* the batch is full: keep the rest for the next one */
    if (pos < len) {
        r->carry = sp_xrealloc(r->carry, len - pos);
        memcpy(r->carry, buf + pos, len - pos);
        r->ncarry = len - pos;
    }
    return r->ncarry || !r->eof ? 1 : 0;
}

/* ----- the log generator ----- */

typedef struct generator {
    uint64_t rng;        /* xorshift64* state */
    int64_t count;       /* lines to make, -1 for no end */
    int64_t made;        /* lines made */
    int64_t rate;        /* lines per second (timestamps; live batches) */
    int common;          /* common instead of combined format */
    int64_t clock_ms;    /* timestamp of the next line */
    int64_t per_batch;   /* without end: lines per batch (rate x interval) */
} generator;

static uint64_t gen_next(generator *g)
{
    uint64_t x = g->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A number in [0, n) skewed towards 0 (popular clients and pages). */
static uint64_t gen_skewed(generator *g, uint64_t n)
{
    double u = (double)(gen_next(g) >> 11) / 9007199254740992.0;
    return (uint64_t)((double)n * u * u * u) % n;
}

static void *gen_open_params(int64_t rate, int64_t count, uint64_t seed, const char *format,
                             const sp_run_options *opt, char **err)
{
    if (format && strcmp(format, "combined") != 0 && strcmp(format, "common") != 0) {
        *err = errorf("generator: unknown format '%s'%s (combined or common)", format, "");
        return NULL;
    }
    generator *g = sp_xmalloc(sizeof *g);
    memset(g, 0, sizeof *g);
    g->rng = seed ? seed * 0x9E3779B97F4A7C15ULL : 0x853c49e6748fea9bULL;
    g->count = count;
    g->rate = rate > 0 ? rate : 100;
    g->common = format && strcmp(format, "common") == 0;
    g->clock_ms = 1767225600000LL; /* 2026-01-01T00:00:00Z: same lines every run */
    g->per_batch = g->rate * (opt->batch_ms > 0 ? opt->batch_ms : 1000) / 1000;
    if (g->per_batch < 1)
        g->per_batch = 1;
    return g;
}

static void *gen_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    return gen_open_params(sp_io_arg_int(args, "rate", 100), sp_io_arg_int(args, "count", -1),
                           (uint64_t)sp_io_arg_int(args, "seed", 1), sp_io_arg_str(args, "format", a, NULL), opt, err);
}

static const char *const gen_endpoints[] = {
    "/", "/index.html", "/about", "/products", "/products/42", "/products/7?color=red",
    "/cart", "/checkout", "/api/v1/items", "/api/v1/items/1001", "/search?q=shoes",
    "/login", "/logout", "/static/app.js", "/static/style.css", "/images/logo.png",
    "/blog", "/blog/2026/streams", "/contact", "/favicon.ico"};
static const char *const gen_agents[] = {
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "Mozilla/5.0 (Macintosh) Safari/605.1.15",
    "curl/8.5.0", "Googlebot/2.1 (+http://www.google.com/bot.html)"};
static const char *const gen_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* civil date from days since 1970-01-01 (Howard Hinnant's algorithm) */
static void gen_civil(int64_t days, int *y, int *m, int *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static sp_value gen_line(generator *g, sp_arena *a)
{
    char line[512];
    uint64_t r = gen_next(g) % 1000;
    int64_t t = g->clock_ms + g->made * 1000 / g->rate; /* no drift for any rate */
    if (r < 5) { /* about 0.5% malformed lines, as real logs have */
        int n = snprintf(line, sizeof line, "%s", r < 3 ? "-- garbled line --" : "GET /index.html");
        return sp_str_copy(a, line, (size_t)n);
    }
    uint64_t host = gen_skewed(g, 2000);
    const char *ep = gen_endpoints[gen_skewed(g, sizeof gen_endpoints / sizeof gen_endpoints[0])];
    uint64_t s = gen_next(g) % 100;
    int status = s < 78 ? 200 : s < 83 ? 304 : s < 91 ? 404 : s < 93 ? 401 : s < 96 ? 500 : 302;
    int64_t size = 100 + (int64_t)(gen_next(g) % 4900);
    int dash = status == 304 || (status == 404 && gen_next(g) % 4 == 0);
    int64_t secs = t / 1000, days = secs / 86400, rem = secs % 86400;
    int y, mo, d;
    gen_civil(days, &y, &mo, &d);
    char when[64];
    snprintf(when, sizeof when, "%02d/%s/%04d:%02d:%02d:%02d +0000", d, gen_months[mo - 1], y,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    char sizebuf[32];
    if (dash)
        snprintf(sizebuf, sizeof sizebuf, "-");
    else
        snprintf(sizebuf, sizeof sizebuf, "%" PRId64, size);
    int n = snprintf(line, sizeof line, "10.%u.%u.%u - - [%s] \"%s %s HTTP/1.1\" %d %s",
                     (unsigned)(host >> 16) & 255, (unsigned)(host >> 8) & 255, (unsigned)host & 255,
                     when, gen_next(g) % 10 == 0 ? "POST" : "GET", ep, status, sizebuf);
    if (!g->common && n > 0 && (size_t)n < sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, " \"-\" \"%s\"",
                      gen_agents[gen_next(g) % (sizeof gen_agents / sizeof gen_agents[0])]);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    return sp_str_copy(a, line, (size_t)n);
}

static int gen_read(void *p, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    (void)malformed, (void)err;
    generator *g = p;
    if (g->count < 0 && max > g->per_batch)
        max = g->per_batch; /* following the clock: `rate` lines a second */
    for (int64_t i = 0; i < max && (g->count < 0 || g->made < g->count); i++, g->made++)
        sp_vec_push(out, gen_line(g, a));
    return g->count < 0 || g->made < g->count;
}

static void gen_close(void *p)
{
    free(p);
}

/* ----- input(URI) ----- */

/* Query parameter `key` of a URI ("...?a=1&b=2"), or NULL; in `a`. */
static const char *uri_query(const char *uri, const char *key, sp_arena *a)
{
    const char *q = strchr(uri, '?');
    if (!q && strncmp(uri, "gen:", 4) == 0 && uri[4])
        q = uri + 3; /* gen:count=3 reads like gen:?count=3 */
    size_t klen = strlen(key);
    while (q && *q) {
        q++;
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        if (n > klen && strncmp(q, key, klen) == 0 && q[klen] == '=')
            return sp_arena_strndup(a, q + klen + 1, n - klen - 1);
        q = amp;
    }
    return NULL;
}

/* An integer query parameter; `true`/`false` count as 1/0.  *bad is set
 * when the value is neither. */
static int64_t uri_query_int(const char *uri, const char *key, sp_arena *a, int64_t def, int *bad)
{
    const char *v = uri_query(uri, key, a);
    if (!v)
        return def;
    if (strcmp(v, "true") == 0)
        return 1;
    if (strcmp(v, "false") == 0)
        return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end) {
        *bad = 1;
        return def;
    }
    return x;
}

typedef struct input_state {
    const sp_source_impl *impl; /* the source chosen by the URI */
    void *state;                /* its state */
} input_state;

static int reader_unbounded(const void *p)
{
    (void)p;
    return 0;
}

static int gen_unbounded(const void *p)
{
    const generator *g = p;
    return g->count < 0;
}

static const sp_source_impl reader_impl = {NULL, reader_read, reader_close, reader_unbounded};
static const sp_source_impl gen_impl = {NULL, gen_read, gen_close, gen_unbounded};

static void *input_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    const char *uri = sp_io_arg_str(args, "uri", a, "-");
    input_state *in = sp_xmalloc(sizeof *in);
    in->state = NULL;
    int bad = 0;
    if (strcmp(uri, "-") == 0 || strncmp(uri, "stdin:", 6) == 0) {
        in->impl = &reader_impl;
        in->state = reader_open_fd(0, 0, "standard input", opt, a);
    } else if (strcmp(uri, "demo") == 0 || strncmp(uri, "gen:", 4) == 0) {
        int demo = strcmp(uri, "demo") == 0; /* the generator, without end */
        in->impl = &gen_impl;
        in->state = gen_open_params(uri_query_int(uri, "rate", a, 100, &bad),
                                    demo ? -1 : uri_query_int(uri, "count", a, -1, &bad),
                                    (uint64_t)uri_query_int(uri, "seed", a, 1, &bad), uri_query(uri, "format", a), opt, err);
    } else if (strncmp(uri, "tcp://", 6) == 0 || strncmp(uri, "kafka://", 8) == 0) {
        *err = errorf("input '%s': %s", uri,
                      strncmp(uri, "tcp", 3) == 0 ? "tcp inputs arrive with the runtime's next step"
                                                  : "Kafka inputs arrive with the Kafka issue (#4)");
    } else {
        const char *path = strncmp(uri, "file:", 5) == 0 ? uri + 5 : uri;
        char *q = strchr(path, '?');
        char *clean = sp_arena_strndup(a, path, q ? (size_t)(q - path) : strlen(path));
        if (q && uri_query_int(uri, "follow", a, 0, &bad)) {
            *err = errorf("input '%s': following a growing file arrives with the runtime's next step%s", uri, "");
        } else {
            int fd = open(clean, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                *err = errorf("cannot open input '%s': %s", clean, strerror(errno));
            else {
                in->impl = &reader_impl;
                in->state = reader_open_fd(fd, 1, clean, opt, a);
            }
        }
    }
    if (bad && in->state) {
        in->impl->close(in->state);
        in->state = NULL;
        if (!*err)
            *err = errorf("input '%s': a query value is not a number%s (write ?count=1000&seed=7)", uri, "");
    }
    if (!in->state) {
        free(in);
        return NULL;
    }
    return in;
}

static int input_read(void *p, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    input_state *in = p;
    return in->impl->read(in->state, a, out, max, malformed, err);
}

static void input_close(void *p)
{
    input_state *in = p;
    if (!in)
        return;
    in->impl->close(in->state);
    free(in);
}

static int input_unbounded(const void *p)
{
    const input_state *in = p;
    return in->impl->unbounded(in->state);
}

static void *unsupported_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    (void)args, (void)opt, (void)a;
    *err = errorf("%s%s", "this source arrives with its issue (tcp: the runtime's next step; kafka: #4)", "");
    return NULL;
}

static const sp_source_impl source_impls[SP_SOURCE_COUNT_] = {
    [SP_SOURCE_FILE] = {file_open, reader_read, reader_close, reader_unbounded},
    [SP_SOURCE_STDIN] = {stdin_open, reader_read, reader_close, reader_unbounded},
    [SP_SOURCE_TCP] = {unsupported_open, NULL, NULL, NULL},
    [SP_SOURCE_GENERATOR] = {gen_open, gen_read, gen_close, gen_unbounded},
    [SP_SOURCE_KAFKA] = {unsupported_open, NULL, NULL, NULL},
    [SP_SOURCE_INPUT] = {input_open, input_read, input_close, input_unbounded},
};

const sp_source_impl *sp_source_impl_for(int kind, const sp_io_args *args, sp_arena *a, char **err)
{
    (void)args, (void)a, (void)err;
    return kind >= 0 && kind < SP_SOURCE_COUNT_ ? &source_impls[kind] : NULL;
}

/* ----- sinks ----- */

typedef struct text_sink {
    FILE *fp;          /* where to write */
    int own;           /* fclose it at the end */
    int json;          /* JSON lines instead of text */
    const char *title; /* text heading */
    const char *name;  /* JSON "sink" */
    const char *path;  /* for messages */
} text_sink;

static void *sink_open_common(const sp_io_args *args, const char *default_name, sp_arena *a,
                              FILE *fp, int own, const char *path, char **err)
{
    const char *format = sp_io_arg_str(args, "format", a, "text");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        *err = errorf("unknown output format '%s'%s: use text or json", format, "");
        if (own)
            fclose(fp);
        return NULL;
    }
    text_sink *s = sp_xmalloc(sizeof *s);
    s->fp = fp;
    s->own = own;
    s->json = strcmp(format, "json") == 0;
    s->title = sp_io_arg_str(args, "title", a, default_name);
    s->name = sp_io_arg_str(args, "name", a, s->title);
    s->path = path;
    return s;
}

static void *stdout_open(const sp_io_args *args, const sp_run_options *opt, const char *default_name,
                         sp_arena *a, char **err)
{
    return sink_open_common(args, default_name, a, opt->out ? opt->out : stdout, 0, "standard output", err);
}

static void *file_sink_open(const sp_io_args *args, const sp_run_options *opt, const char *default_name,
                            sp_arena *a, char **err)
{
    (void)opt;
    const char *path = sp_io_arg_str(args, "path", a, "");
    FILE *fp = fopen(path, "a");
    if (!fp) {
        *err = errorf("cannot open output '%s': %s", path, strerror(errno));
        return NULL;
    }
    return sink_open_common(args, default_name, a, fp, 1, path, err);
}

static void print_title_value(FILE *fp, const char *title, const sp_vec *in, int singleton)
{
    if (!singleton) {
        fprintf(fp, "%s: [", title);
        for (size_t i = 0; i < in->n; i++) {
            if (i)
                fputs(", ", fp);
            sp_value_print(in->v[i], fp);
        }
        fputs("]\n", fp);
        return;
    }
    if (in->n == 0) {
        fprintf(fp, "%s: no data in this interval\n", title);
        return;
    }
    sp_value v = in->v[0];
    if (v.tag == SP_V_RECORD) {
        /* Content Size Avg: 1552, Min: 100, Max: 2500 */
        fputs(title, fp);
        for (uint32_t i = 0; i < v.n; i++) {
            const char *name = v.u.rec->shape->names[i];
            fprintf(fp, "%s%c%s: ", i ? ", " : " ", name[0] >= 'a' && name[0] <= 'z' ? name[0] - 32 : name[0],
                    name + 1);
            sp_value_print(v.u.rec->vals[i], fp);
        }
        fputc('\n', fp);
        return;
    }
    fprintf(fp, "%s: ", title);
    sp_value_print(v, fp);
    fputc('\n', fp);
}

static void print_json_string_plain(FILE *fp, const char *s)
{
    sp_value_print_json(sp_str(s, strlen(s)), fp);
}

static int text_sink_write(void *p, const sp_sink_ctx *c, const sp_vec *in, char **err)
{
    text_sink *s = p;
    if (s->json) {
        fputs("{\"sink\":", s->fp);
        print_json_string_plain(s->fp, s->name);
        fprintf(s->fp, ",\"batch\":%" PRIu64 ",\"time\":%" PRId64 ",\"value\":", c->batch, c->time_ms);
        if (c->singleton)
            sp_value_print_json(in->n ? in->v[0] : sp_null(), s->fp);
        else {
            fputc('[', s->fp);
            for (size_t i = 0; i < in->n; i++) {
                if (i)
                    fputc(',', s->fp);
                sp_value_print_json(in->v[i], s->fp);
            }
            fputc(']', s->fp);
        }
        fputs("}\n", s->fp);
    } else {
        /* one header per batch (or event-time window) on standard output;
         * a file sink writes its own */
        int64_t *last = s->fp == c->out ? c->header_time : NULL;
        if (!last || *last != c->time_ms) {
            fprintf(s->fp, "-------------------------------------------\n%s: %" PRId64
                           " ms\n-------------------------------------------\n",
                    c->event_time ? "Window ending" : "Time", c->time_ms);
            if (last)
                *last = c->time_ms;
        }
        print_title_value(s->fp, s->title, in, c->singleton);
    }
    if (fflush(s->fp) != 0 || ferror(s->fp)) {
        *err = errorf("writing to %s failed: %s", s->path, strerror(errno));
        return -1;
    }
    return 0;
}

static void text_sink_close(void *p)
{
    text_sink *s = p;
    if (!s)
        return;
    if (s->own)
        fclose(s->fp);
    free(s);
}

static void *kafka_sink_open(const sp_io_args *args, const sp_run_options *opt, const char *default_name,
                             sp_arena *a, char **err)
{
    (void)args, (void)opt, (void)default_name, (void)a;
    *err = errorf("%s%s", "the Kafka sink arrives with the Kafka issue (#4)", "");
    return NULL;
}

const sp_sink_impl sp_sink_impls[SP_SINK_COUNT_] = {
    [SP_SINK_STDOUT] = {stdout_open, text_sink_write, text_sink_close},
    [SP_SINK_FILE] = {file_sink_open, text_sink_write, text_sink_close},
    [SP_SINK_KAFKA] = {kafka_sink_open, NULL, NULL},
};
