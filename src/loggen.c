/* loggen.c - the web-server log generator: see loggen.h. */
#include "loggen.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static uint64_t gen_next(sp_loggen *g)
{
    uint64_t x = g->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    g->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* A number in [0, n) skewed towards 0 (popular clients and pages). */
static uint64_t gen_skewed(sp_loggen *g, uint64_t n)
{
    double u = (double)(gen_next(g) >> 11) / 9007199254740992.0;
    return (uint64_t)((double)n * u * u * u) % n;
}

int sp_loggen_init(sp_loggen *g, uint64_t seed, int64_t rate, const char *format)
{
    if (format && strcmp(format, "combined") != 0 && strcmp(format, "common") != 0)
        return -1;
    memset(g, 0, sizeof *g);
    g->rng = seed ? seed * 0x9E3779B97F4A7C15ULL : 0x853c49e6748fea9bULL;
    g->rate = rate > 0 ? rate : 100;
    g->common = format && strcmp(format, "common") == 0;
    g->clients = 2000;
    g->start_ms = 1767225600000LL; /* 2026-01-01T00:00:00Z: same lines every run */
    return 0;
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

size_t sp_loggen_next(sp_loggen *g, char *line, size_t size)
{
    uint64_t r = gen_next(g) % 1000;
    int64_t t = g->start_ms + g->made * 1000 / g->rate; /* no drift for any rate */
    g->made++;
    int n;
    if (r < 5) { /* about 0.5% malformed lines, as real logs have */
        n = snprintf(line, size, "%s", r < 3 ? "-- garbled line --" : "GET /index.html");
    } else {
        uint64_t host = gen_skewed(g, g->clients);
        const char *ep = gen_endpoints[gen_skewed(g, sizeof gen_endpoints / sizeof gen_endpoints[0])];
        uint64_t s = gen_next(g) % 100;
        int status = s < 78 ? 200 : s < 83 ? 304 : s < 91 ? 404 : s < 93 ? 401 : s < 96 ? 500 : 302;
        int64_t bytes = 100 + (int64_t)(gen_next(g) % 4900);
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
            snprintf(sizebuf, sizeof sizebuf, "%" PRId64, bytes);
        n = snprintf(line, size, "10.%u.%u.%u - - [%s] \"%s %s HTTP/1.1\" %d %s",
                     (unsigned)(host >> 16) & 255, (unsigned)(host >> 8) & 255, (unsigned)host & 255,
                     when, gen_next(g) % 10 == 0 ? "POST" : "GET", ep, status, sizebuf);
        if (!g->common && n > 0 && (size_t)n < size)
            n += snprintf(line + n, size - (size_t)n, " \"-\" \"%s\"",
                          gen_agents[gen_next(g) % (sizeof gen_agents / sizeof gen_agents[0])]);
    }
    if (n < 0)
        n = 0;
    if ((size_t)n >= size)
        n = size ? (int)size - 1 : 0;
    return (size_t)n;
}
