/* logs.c - logs.sp's four statistics written by hand in C, for `make bench`.
 *
 * The same job as bench/logs.awk (and pipelines/logs.sp's cumulative
 * results), as a program made for this one job would do it: each thread
 * reads a share of the file with pread (1 MiB at a time), checks each line
 * against the format and counts it in its own tables; the tables are added
 * up at the end.  It shares no code with streampipe (it is the yardstick,
 * not a part).  No interpreter, no records, no batches: what code
 * generated for the pipeline could at best become.  It tells how far
 * streampipe is from the machine on this work (docs/performance.md).
 *
 * A line is an access-log line as tests/logs_totals.py (the tests' own
 * reference) and logs.awk say: NCSA combined, else common, else Apache
 * vhost_combined, fields separated by spaces, a blank being a space, tab,
 * CR, VT or FF.  The fields are the pattern's captures: host, status, size
 * (`-` is 0; a size or port beyond a signed 64-bit integer makes the line
 * malformed, as in logs_totals.py), and the endpoint taken from the request
 * as weblog.sp's ^ *(\S+) +(.*?)(?: +PROTOCOL)? *$ does.  Its output is
 * shaped like logs.awk's; the bench checks its totals against mawk's on
 * every run.  (logs.awk takes the request after the line's first ']', and
 * so differs when a host, ident or user holds one.)
 *
 *   logs [-t THREADS] FILE
 *
 * GCC or Clang on a 64-bit target (unsigned __int128), glibc (memrchr);
 * SSE2 where there is one, else a byte at a time. */
#define _GNU_SOURCE /* memrchr */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { MIN_HITS = 10, TOP_N = 10, READ_SIZE = 1 << 20, INLINE = 20 };

/* p, or the end of the program when an allocation failed */
static void *checked(void *p)
{
    if (!p) {
        fputs("logs: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static void *xmalloc(size_t n)
{
    return checked(malloc(n));
}

/* ---- counting: open addressing, keys of up to INLINE bytes in the entry ---- */

typedef struct entry {
    uint64_t hash; /* 0: empty */
    uint64_t n;
    uint32_t len;
    char in[INLINE]; /* the key when len <= INLINE */
    const char *key; /* the key (its copy in the thread's key store) */
} entry;

typedef struct table {
    entry *e;
    size_t cap, n;
} table;

typedef struct keys { /* copies of the keys, in blocks freed at the end */
    char *at, *end;
    void *blocks; /* the last block; each begins with a pointer to the one before */
} keys;

static const char *keys_copy(keys *k, const char *s, size_t n)
{
    if ((size_t)(k->end - k->at) < n) {
        size_t size = sizeof(void *) + (n > READ_SIZE ? n : READ_SIZE);
        void **block = xmalloc(size);
        *block = k->blocks;
        k->blocks = block;
        k->at = (char *)(block + 1);
        k->end = (char *)block + size;
    }
    char *p = k->at;
    memcpy(p, s, n);
    k->at += n;
    return p;
}

static void table_init(table *t, size_t cap)
{
    t->e = checked(calloc(cap, sizeof *t->e));
    t->cap = cap;
    t->n = 0;
}

/* A hash of the key from at most three 8-byte loads (overlapping). */
static inline uint64_t hash_of(const char *s, size_t n)
{
    uint64_t a = 0, b = 0;
    if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        if (n > 16) {
            uint64_t c;
            memcpy(&c, s + n / 2 - 4, 8);
            a ^= c * 0x9E3779B97F4A7C15u;
        }
    } else if (n >= 4) {
        uint32_t x, y;
        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        a = x;
        b = y;
    } else if (n) {
        a = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
            (uint64_t)(unsigned char)s[n - 1] << 16;
    }
    unsigned __int128 m = (unsigned __int128)(a ^ 0xa0761d6478bd642fu) * (b ^ n ^ 0xe7037ed1a0b428dbu);
    uint64_t h = (uint64_t)m ^ (uint64_t)(m >> 64);
    return h | 1;
}

static inline const char *entry_key(const entry *e)
{
    return e->len <= INLINE ? e->in : e->key;
}

static void table_grow(table *t);

/* Adds n to the key's count (the key copied into `k` when new). */
static inline void table_add(table *t, keys *k, const char *s, size_t len, uint64_t h, uint64_t n)
{
    size_t i = h & (t->cap - 1);
    for (;;) {
        entry *e = &t->e[i];
        if (e->hash == h && e->len == len && memcmp(entry_key(e), s, len) == 0) {
            e->n += n;
            return;
        }
        if (!e->hash) {
            e->hash = h;
            e->len = (uint32_t)len;
            e->n = n;
            if (len <= INLINE)
                memcpy(e->in, s, len);
            else
                e->key = k ? keys_copy(k, s, len) : s;
            if (++t->n * 2 > t->cap)
                table_grow(t);
            return;
        }
        i = (i + 1) & (t->cap - 1);
    }
}

/* Adds every count of `from` to `to` (keys copied into `k`; NULL: `to`
 * points to from's copies). */
static void table_add_all(table *to, keys *k, const table *from)
{
    for (size_t i = 0; i < from->cap; i++)
        if (from->e[i].hash)
            table_add(to, k, entry_key(&from->e[i]), from->e[i].len, from->e[i].hash, from->e[i].n);
}

static void table_grow(table *t)
{
    table old = *t;
    table_init(t, old.cap * 2);
    /* the inline keys are copied into the new entries; the others keep their copy */
    table_add_all(t, NULL, &old);
    free(old.e);
}

/* ---- the format ---- */

static const unsigned char blanks[256] = {[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\v'] = 1, ['\f'] = 1};

static inline int blank(unsigned char c)
{
    return blanks[c];
}

static inline int digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* [^blank]+ from p: its end, or NULL when empty */
static inline const char *nonblanks(const char *p, const char *e)
{
    const char *s = p;
    while (p < e && !blank((unsigned char)*p))
        p++;
    return p > s ? p : NULL;
}

/* " +" from p */
static inline const char *spaces(const char *p, const char *e)
{
    const char *s = p;
    while (p < e && *p == ' ')
        p++;
    return p > s ? p : NULL;
}

/* The first '"' or '\\' in [p, e), or e. */
static inline const char *quote_or_backslash(const char *p, const char *e)
{
#if defined(__SSE2__)
    const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\');
    for (; p + 16 <= e; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, b)));
        if (m)
            return p + __builtin_ctz(m);
    }
#endif
    while (p < e && *p != '"' && *p != '\\')
        p++;
    return p;
}

/* "([^"\\]|\\.)*" from p: its end (after the closing quote), or NULL */
static inline const char *quoted(const char *p, const char *e)
{
    if (p >= e || *p != '"')
        return NULL;
    p++;
    for (;;) {
        p = quote_or_backslash(p, e);
        if (p >= e)
            return NULL;
        if (*p == '"')
            return p + 1;
        if (p + 1 >= e) /* a backslash needs a byte after it */
            return NULL;
        p += 2;
    }
}

/* What prefix() captures. */
typedef struct fields {
    const char *host, *host_end;
    const char *request, *request_end; /* inside the quotes */
    int status;
    int64_t size; /* '-' is 0 */
    int big;      /* the size is beyond 64 bits (signed): the line is malformed */
} fields;

/* NB +NB +NB +\[[^]]+\] +Q +[0-9]{3} +([0-9]+|-), logs.awk's PREFIX: its
 * end, or NULL; the fields into *f */
static const char *prefix(const char *p, const char *e, fields *f)
{
    f->host = p;
    for (int k = 0; k < 3; k++) {
        if (!(p = nonblanks(p, e)))
            return NULL;
        if (k == 0)
            f->host_end = p;
        if (!(p = spaces(p, e)))
            return NULL;
    }
    if (p >= e || *p != '[')
        return NULL;
    const char *close = memchr(p + 1, ']', (size_t)(e - p - 1));
    if (!close || close == p + 1 || !(p = spaces(close + 1, e)))
        return NULL;
    f->request = p + 1;
    if (!(p = quoted(p, e)))
        return NULL;
    f->request_end = p - 1;
    if (!(p = spaces(p, e)))
        return NULL;
    if (e - p < 3 || !digit((unsigned char)p[0]) || !digit((unsigned char)p[1]) || !digit((unsigned char)p[2]))
        return NULL;
    f->status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    if (!(p = spaces(p + 3, e)))
        return NULL;
    f->size = 0;
    f->big = 0;
    if (p < e && *p == '-')
        return p + 1;
    const char *s = p;
    for (; p < e && digit((unsigned char)*p); p++)
        if (__builtin_mul_overflow(f->size, 10, &f->size) || __builtin_add_overflow(f->size, *p - '0', &f->size))
            f->big = 1;
    return p > s ? p : NULL;
}

/* [blank]*$ from p */
static inline int at_end(const char *p, const char *e)
{
    while (p < e && blank((unsigned char)*p))
        p++;
    return p == e;
}

/* EXTRAS [blank]*$ from p: ( +(Q|[^blank"]+))* then blanks to the end */
static int extras_to_end(const char *p, const char *e)
{
    for (;;) {
        const char *b = p;
        while (b < e && blank((unsigned char)*b))
            b++;
        if (b == e)
            return 1;
        if (b == p)
            return 0;
        for (const char *c = p; c < b; c++)
            if (*c != ' ')
                return 0;
        if (*b == '"') {
            if (!(p = quoted(b, e)))
                return 0;
        } else {
            p = b;
            while (p < e && !blank((unsigned char)*p) && *p != '"')
                p++;
        }
    }
}

/* " +Q +Q EXTRAS [blank]*$" from p: the rest of a combined line */
static int combined_tail(const char *p, const char *e)
{
    return (p = spaces(p, e)) && (p = quoted(p, e)) && (p = spaces(p, e)) && (p = quoted(p, e)) &&
           extras_to_end(p, e);
}

/* ---- a thread's counts ---- */

typedef struct job {
    int fd;
    off_t from, to;   /* its share of the file */
    table hosts, endpoints;
    keys keys;
    uint64_t codes[1000];
    uint64_t count, malformed;
    __int128 total; /* sizes summed without overflow (each below 2^63) */
    int64_t min, max;
    int err;          /* errno of a failed read */
} job;

/* logs.awk's PROTO, HTTP/\S* or \S+/\d\S*, on a word without spaces */
static int protocol(const char *w, const char *e)
{
    for (const char *c = w; c < e; c++)
        if (blank((unsigned char)*c))
            return 0;
    if (e - w >= 5 && memcmp(w, "HTTP/", 5) == 0)
        return 1;
    for (const char *c = w + 1; c + 1 < e; c++)
        if (*c == '/' && digit((unsigned char)c[1]))
            return 1;
    return 0;
}

/* The endpoint of the request [r, re): the target of
 * ^ *(\S+) +(.*?)(?: +PROTOCOL)? *$, else the request itself. */
static void endpoint_of(const char *r, const char *re, const char **ep, const char **epe)
{
    *ep = r;
    *epe = re;
    const char *s = r;
    while (s < re && *s == ' ')
        s++;
    const char *m = s;
    while (m < re && !blank((unsigned char)*m))
        m++;
    if (m == s || m == re || *m != ' ') /* no method, or not followed by a space */
        return;
    const char *t = m, *te = re;
    while (t < te && *t == ' ')
        t++;
    while (te > t && te[-1] == ' ')
        te--;
    /* the last word, after the last space: a protocol with spaces before it? */
    const char *last = te > t ? memrchr(t, ' ', (size_t)(te - t)) : NULL;
    if (last && protocol(last + 1, te)) {
        while (last > t && last[-1] == ' ')
            last--;
        te = last;
    }
    *ep = t;
    *epe = te;
}

static void line(job *j, const char *s, const char *e)
{
    if (e > s && e[-1] == '\r') /* sub(/\r$/, "", line) */
        e--;
    fields f;
    const char *p = prefix(s, e, &f);
    int big = 0;
    if (!(p && (at_end(p, e) || combined_tail(p, e)))) {
        /* vhost_combined: [^blank,]+?(:[0-9]+)? + PREFIX ( +Q +Q EXTRAS)? [blank]*$ */
        const char *v = s;
        while (v < e && !blank((unsigned char)*v) && *v != ',')
            v++;
        const char *after = v > s ? spaces(v, e) : NULL;
        if (!after || !(p = prefix(after, e, &f)) || !(at_end(p, e) || combined_tail(p, e))) {
            j->malformed++;
            return;
        }
        /* the port: the digits after the token's first ':' that only digits follow */
        for (const char *c = s; c + 1 < v; c++) {
            if (*c != ':')
                continue;
            const char *d = c + 1;
            uint64_t port = 0;
            while (d < v && digit((unsigned char)*d)) {
                big |= __builtin_mul_overflow(port, 10, &port) || __builtin_add_overflow(port, (uint64_t)(*d - '0'), &port);
                d++;
            }
            if (d == v) {
                big |= port > INT64_MAX;
                break;
            }
            big = 0;
        }
    }
    if (f.big || big) { /* a number beyond 64 bits (signed) */
        j->malformed++;
        return;
    }
    const char *ep, *epe;
    endpoint_of(f.request, f.request_end, &ep, &epe);
    if (j->count == 0 || f.size < j->min)
        j->min = f.size;
    if (j->count == 0 || f.size > j->max)
        j->max = f.size;
    j->count++;
    j->total += f.size;
    j->codes[f.status]++;
    size_t hl = (size_t)(f.host_end - f.host), el = (size_t)(epe - ep);
    table_add(&j->hosts, &j->keys, f.host, hl, hash_of(f.host, hl), 1);
    table_add(&j->endpoints, &j->keys, ep, el, hash_of(ep, el), 1);
}

/* The next '\n' in [p, e), or e. */
static inline const char *newline(const char *p, const char *e)
{
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    for (; p + 16 <= e; p += 16) {
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), nl));
        if (m)
            return p + __builtin_ctz(m);
    }
#endif
    const char *n = memchr(p, '\n', (size_t)(e - p));
    return n ? n : e;
}

static void *run(void *arg)
{
    job *j = arg;
    char *buf = xmalloc(READ_SIZE);
    size_t cap = READ_SIZE, have = 0;
    off_t at = j->from;
    for (;;) {
        if (have == cap) { /* a line longer than the buffer */
            cap *= 2;
            char *bigger = xmalloc(cap);
            memcpy(bigger, buf, have);
            free(buf);
            buf = bigger;
        }
        size_t want = cap - have;
        if ((off_t)want > j->to - at)
            want = (size_t)(j->to - at);
        ssize_t got = want ? pread(j->fd, buf + have, want, at) : 0;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            j->err = errno;
            break;
        }
        at += got;
        have += (size_t)got;
        const char *s = buf, *e = buf + have;
        for (;;) {
            const char *n = newline(s, e);
            if (n == e)
                break;
            line(j, s, n);
            s = n + 1;
        }
        if (got == 0) {
            if (s < e)
                line(j, s, e);
            break;
        }
        have = (size_t)(e - s);
        memmove(buf, s, have);
    }
    free(buf);
    return NULL;
}

/* ---- output, as logs.awk's END ---- */

static void json_string(const char *s, size_t n)
{
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] == '"')
            putchar('\\');
        putchar(s[i]);
    }
    putchar('"');
}

/* ranks endpoints: count descending, ties by the bytes ascending */
static int before(const entry *a, const entry *b)
{
    if (a->n != b->n)
        return a->n > b->n;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(entry_key(a), entry_key(b), n);
    return c ? c < 0 : a->len < b->len;
}

int main(int argc, char **argv)
{
    int threads = (int)sysconf(_SC_NPROCESSORS_ONLN), opt;
    while ((opt = getopt(argc, argv, "t:")) != -1) {
        if (opt != 't' || (threads = atoi(optarg)) < 1) {
            fputs("usage: logs [-t THREADS] FILE\n", stderr);
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fputs("usage: logs [-t THREADS] FILE\n", stderr);
        return 2;
    }
    if (threads < 1)
        threads = 1;
    const char *path = argv[optind];
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, "logs: %s: %s\n", path, strerror(errno));
        return 2;
    }
    /* shares cut after a newline */
    job *jobs = calloc((size_t)threads, sizeof *jobs);
    off_t from = 0;
    for (int i = 0; i < threads; i++) {
        off_t to = st.st_size;
        if (i < threads - 1) {
            to = st.st_size / threads * (i + 1);
            if (to < from)
                to = from;
            char c;
            while (to < st.st_size && pread(fd, &c, 1, to) == 1 && c != '\n')
                to++;
            if (to < st.st_size)
                to++;
        }
        jobs[i].fd = fd;
        jobs[i].from = from;
        jobs[i].to = to;
        table_init(&jobs[i].hosts, 1 << 12);
        table_init(&jobs[i].endpoints, 1 << 12);
        from = to;
    }
    pthread_t *tid = xmalloc(sizeof *tid * (size_t)threads);
    for (int i = 1; i < threads; i++)
        if (pthread_create(&tid[i], NULL, run, &jobs[i]) != 0) {
            fputs("logs: cannot start a thread\n", stderr);
            return 2;
        }
    run(&jobs[0]);
    for (int i = 1; i < threads; i++)
        pthread_join(tid[i], NULL);

    job *all = &jobs[0];
    for (int i = 0; i < threads; i++) {
        job *j = &jobs[i];
        if (j->err) {
            fprintf(stderr, "logs: %s: %s\n", path, strerror(j->err));
            return 2;
        }
        if (i == 0)
            continue;
        if (j->count && (all->count == 0 || j->min < all->min))
            all->min = j->min;
        if (j->count && (all->count == 0 || j->max > all->max))
            all->max = j->max;
        all->count += j->count;
        all->total += j->total;
        all->malformed += j->malformed;
        for (int c = 0; c < 1000; c++)
            all->codes[c] += j->codes[c];
        table_add_all(&all->hosts, &all->keys, &j->hosts);
        table_add_all(&all->endpoints, &all->keys, &j->endpoints);
    }

    if (all->count)
        printf("{\"sink\":\"total_content_size\",\"value\":{\"avg\":%lld,\"min\":%lld,\"max\":%lld,\"count\":%llu}}\n",
               (long long)(all->total / (int64_t)all->count), (long long)all->min, (long long)all->max,
               (unsigned long long)all->count);
    printf("{\"sink\":\"total_response_codes\",\"value\":[");
    const char *sep = "";
    for (int c = 0; c <= 999; c++)
        if (all->codes[c]) {
            printf("%s[%d,%llu]", sep, c, (unsigned long long)all->codes[c]);
            sep = ",";
        }
    printf("]}\n{\"sink\":\"total_frequent_ips\",\"unordered\":true,\"value\":[");
    sep = "";
    for (size_t k = 0; k < all->hosts.cap; k++) {
        const entry *h = &all->hosts.e[k];
        if (h->hash && h->n > MIN_HITS) {
            fputs(sep, stdout);
            json_string(entry_key(h), h->len);
            sep = ",";
        }
    }
    printf("]}\n{\"sink\":\"total_top_endpoints\",\"value\":[");
    /* TOP_N passes of a selection, as logs.awk */
    const entry *top[TOP_N];
    int ntop = 0;
    for (; ntop < TOP_N; ntop++) {
        const entry *best = NULL;
        for (size_t k = 0; k < all->endpoints.cap; k++) {
            const entry *x = &all->endpoints.e[k];
            int taken = 0;
            for (int t = 0; t < ntop; t++)
                taken |= top[t] == x;
            if (x->hash && !taken && (!best || before(x, best)))
                best = x;
        }
        if (!best)
            break;
        top[ntop] = best;
        printf("%s[", ntop ? "," : "");
        json_string(entry_key(best), best->len);
        printf(",%llu]", (unsigned long long)best->n);
    }
    printf("]}\n{\"sink\":\"malformed_lines\",\"value\":%llu}\n", (unsigned long long)all->malformed);
    for (int i = 0; i < threads; i++) {
        free(jobs[i].hosts.e);
        free(jobs[i].endpoints.e);
        for (void *b = jobs[i].keys.blocks; b;) {
            void *before = *(void **)b;
            free(b);
            b = before;
        }
    }
    free(jobs);
    free(tid);
    close(fd);
    return ferror(stdout) || fflush(stdout) ? 2 : 0;
}
