/* weblog_diff.c - the native access-log parsers against their language
 * versions, line by line (run by tests/run_weblog_native.sh).
 *
 * stdlib/weblog.sp is loaded, checked and prepared as for a run; every input
 * line goes through parse_access_log, parse_combined, parse_common and
 * parse_vhost_combined (native: scan_access_log, src/weblog.c) and through
 * their language versions parse_*_re, in one evaluator, and the two records
 * must be the same value exactly (tests/weblog_same.h: same fields, same
 * types, same bytes; null where the other is null).  The reference must also
 * raise no run-time error.
 *
 * usage: weblog_diff [-I DIR] [--seed N] [--generate N] [--mutate N]
 *                    [--write FILE] [INPUT...]
 *   INPUT        lines, split at '\n' only (a '\r' stays: the parsers see it
 *                when a line does not come from a file source); an INPUT
 *                named *.rec holds records "LENGTH:BYTES\n", for lines that
 *                hold a '\n'
 *   --generate N N synthetic lines of every format, assembled from tricky
 *                pieces (several blanks, escapes, HTTP/0.9, "-", ports,
 *                time variants, impossible dates, overflowing numbers, extra
 *                fields, CRLF, NUL, invalid UTF-8, ...)
 *   --mutate N   N mutations of each input and generated line: bytes
 *                replaced or inserted (blanks, quotes, backslashes,
 *                brackets, '\n', NUL, ...) mostly next to field boundaries,
 *                bytes deleted, the line cut, a piece doubled
 *   --seed N     the seed of both (default 1): a run is reproducible
 *   --write FILE also writes every line tried, one per line (those holding
 *                a '\n' are left out), for a run through the binary
 * Prints each disagreement (at most 20 in full) and a summary; exit status 0
 * when all agree, 1 when not, 2 on a usage or setup error. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "eval.h"
#include "parse.h"
#include "value.h"
#include "weblog_same.h"

enum { P_ACCESS, P_COMBINED, P_COMMON, P_VHOST, P_COUNT };
static const char *const parser_names[P_COUNT] = {"parse_access_log", "parse_combined", "parse_common",
                                                  "parse_vhost_combined"};

static const char program_text[] =
    "use weblog\n"
    "source s = stdin()\n"
    "s | map (parse_access_log(it), parse_access_log_re(it), parse_combined(it), parse_combined_re(it),\n"
    "         parse_common(it), parse_common_re(it), parse_vhost_combined(it), parse_vhost_combined_re(it))\n"
    "  | sink stdout\n";

typedef struct harness {
    sp_program *program;
    sp_funcval native[P_COUNT], reference[P_COUNT];
    sp_eval ev;
    sp_arena *scratch;   /* the values of the lines, emptied now and then */
    unsigned long lines, compared, records, disagreements;
    unsigned long per_parser_records[P_COUNT];
    FILE *write;
} harness;

/* ----- lines ----- */

/* A line for messages: printable ASCII as is, the rest escaped. */
static void print_line(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n && i < 600; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, f);
        else
            fprintf(f, "\\x%02x", c);
    }
    fputs(n > 600 ? "...\"" : "\"", f);
}

static const sp_stmt *find_fn(const sp_program *p, const char *name)
{
    for (const sp_stmt *s = p->library; s; s = s->next)
        if (s->kind == SP_S_FN && strcmp(s->name, name) == 0)
            return s;
    for (const sp_stmt *s = p->stmts; s; s = s->next)
        if (s->kind == SP_S_FN && strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static sp_value apply(harness *h, sp_funcval *f, sp_value line)
{
    sp_value fv = {SP_V_FUNC, 0, {.fn = f}};
    return sp_eval_apply(&h->ev, fv, &line, 1, NULL);
}

/* Runs every parser pair on s[0..n). */
static void try_line(harness *h, const char *s, size_t n)
{
    h->lines++;
    if (h->write && !memchr(s, '\n', n)) {
        fwrite(s, 1, n, h->write);
        fputc('\n', h->write);
    }
    /* a copy in an allocation of its own, of its size, so that AddressSanitizer
     * sees a read past its end (the arena's blocks are not poisoned) */
    char *copy = malloc(n ? n : 1);
    if (!copy) {
        perror("weblog_diff");
        exit(2);
    }
    memcpy(copy, s, n);
    sp_value line = sp_str(copy, n);
    for (int k = 0; k < P_COUNT; k++) {
        uint64_t errors = h->ev.errors;
        sp_value want = apply(h, &h->reference[k], line);
        int ref_error = h->ev.errors != errors;
        sp_value got = apply(h, &h->native[k], line);
        char why[400];
        int same = weblog_same(got, want, why, sizeof why);
        if (h->ev.errors != errors && same)
            snprintf(why, sizeof why, "a run-time error (%s)", ref_error ? "in the reference" : "native");
        h->compared++;
        if (got.tag == SP_V_RECORD) {
            h->records++;
            h->per_parser_records[k]++;
        }
        if (same && h->ev.errors == errors)
            continue;
        h->disagreements++;
        if (h->disagreements <= 20) {
            printf("DIFF: %s: %s: ", parser_names[k], why);
            print_line(stdout, s, n);
            printf("\n  native:    ");
            sp_value_print_json(got, stdout);
            printf("\n  reference: ");
            sp_value_print_json(want, stdout);
            printf("\n");
        }
    }
    free(copy);
    if (h->lines % 512 == 0)
        sp_arena_reset(h->scratch);
}

/* ----- a reproducible random source (splitmix64) ----- */

static uint64_t rng_state = 1;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static int chance(int percent)
{
    return (int)below(100) < percent;
}

#define PICK(arr) (arr)[below(sizeof(arr) / sizeof((arr)[0]))]

/* How often a generated line takes an odd piece rather than a usual one
 * (percent); set per line, so that many lines are valid and many are not. */
static int odd_percent = 10;

/* One of the first `usual` pieces of arr[0..n), or now and then any. */
static const char *pick_(const char *const *arr, size_t n, size_t usual)
{
    return chance(odd_percent) ? arr[below(n)] : arr[below(usual < n ? usual : n)];
}
#define PICK_USUAL(arr, usual) pick_((arr), sizeof(arr) / sizeof((arr)[0]), (usual))

/* ----- a growable buffer ----- */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            perror("weblog_diff");
            exit(2);
        }
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k > 0)
        put(b, tmp, (size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
}

/* ----- generated lines ----- */

/* The pieces (put with strlen: NUL bytes come from the mutations). */
static const char *const vhosts[] = {"www.example.com", "www.example.com:80", "example.org:443", "a:b:8080",
                                     "[::1]:8080", "host:", ":80", "h:0080", "x", "h:99999999999999999999999",
                                     "h:9223372036854775807", "h:9223372036854775808", "h,x:80", "::1",
                                     "v\xc3\xa9:1", "h:8a"};
static const char *const hosts[] = {"10.0.0.1", "::1", "2001:db8:85a3::8a2e:370:7334", "my_host.example_corp.com",
                                    "-", "10.0.0.2,", "a\"b", "x[y]", "\xc3\xa9t\xc3\xa9", "\xff\xfe", "h:80",
                                    "199.72.81.55", "monitoring-server"};
static const char *const idents[] = {"-", "-", "-", "ident", "a]b", "\"x\""};
static const char *const users[] = {"-", "-", "frank", "u[1", "user name", "[x"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                     "Nov", "Dec", "jan", "OCT", "October", "Sept", "Foo", "June", "Ma"};
static const char *const times_odd[] = {"-", "", "x", "a[b", "1700000000", "10/Oct/2000:13:55:36",
                                        "10/Oct/2000 13:55:36", "10/Oct/2000 13:55:36 -0700",
                                        "10/Oct/2000:13:55:36 +05:30", "10/Oct/2000:13:55:36 Z",
                                        "10/Oct/2000:13:55:36 UTC", "10/Oct/2000:13:55:36-0700",
                                        "10/Oct/2000:13:55:36  -0700", "10/Oct/2000:13:55:36\t-0700",
                                        "1/Oct/2000:1:5:6 +0000", "10/Oct/10000:13:55:36 +0000",
                                        "10/Oct/200013:55:36 +0000", "29/Feb/2023:00:00:00 +0000",
                                        "29/Feb/2024:00:00:00 +0000", "31/Apr/2020:00:00:00 +0000",
                                        "10/Oct/2000:13:55:60 +0000", "10/Oct/2000:24:00:00 +0000",
                                        "10/Oct/2000:13:55:36 +2400", "10/Oct/2000:13:55:36 +0060",
                                        "10/Oct/2000:13:55:36 +9999", "00/Oct/2000:13:55:36 +0000",
                                        "10/Oct/0000:13:55:36 +0000", "10/Oct/2000:13:55:36 +00",
                                        "10/Oct/2000:13:55:36 +00:", "10/Oct/2000:13:55:36 -0700 ",
                                        "10/Oct/2000:13:55:36.123 +0000", "10/oct/2000:13:55:36 +0000"};
static const char *const methods[] = {"GET", "POST", "HEAD", "-", "", "G\xc3\xa9T", "\\\"GET"};
static const char *const targets[] = {"/", "/a", "/a b", "/a?x=1&y=%20", "/search?q=a?b", "?x", "/a%20b",
                                      "/\\\"x\\\"", "/a\\\\", "/h\xff\xfe\xc3story", "*", "/x/1", "/x /1",
                                      "/a/HTTP/1.1", "", "/x\\\\\\\"y", "/\xc3\xa9"};
static const char *const protocols[] = {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/V1.0", "RTSP/1.0", "HTTP/",
                                        "http/1.1", "FOO/2", "a/1b", "/1", "X/y", "HTTP/1.1x", "1/1"};
static const char *const requests_odd[] = {"-", "", "GET", " GET /x HTTP/1.0", "GET   /a?x=1  HTTP/1.1  ",
                                           "\x16\x03\x01\x02\x00\x01", "GET\t/x HTTP/1.1", "GET /x HTTP/1.1 extra",
                                           "GET /x\\", "GET /x \\\\", "GET /x HTTP/1.1\\\"", "   ", "GET  ",
                                           "GET /x\\\"", "GET /x HTTP/1.1\t", "GET /x\t HTTP/1.1"};
static const char *const statuses[] = {"200", "200", "304", "404", "500", "2000", "20", "-", "abc", "099",
                                       "000", "2000000000"};
static const char *const sizes[] = {"123", "6245", "-", "0", "9223372036854775807", "9223372036854775808",
                                    "99999999999999999999999", "00000000000000000000001", "-1", "12a", "",
                                    "18446744073709551617", "--"};
static const char *const quoted_texts[] = {"-", "-", "http://www.example.com/start.html",
                                           "Mozilla/4.08 [en] (Win98; I ;Nav)", "http://x/?q=\\\"y\\\"",
                                           "a\\\\", "C:\\\\", "", "a\\\\\\\"b", "Mozilla/5.0 \\\"compatible\\\" bot",
                                           "\xff\xc0", "x  y"};
static const char *const extras[] = {" \"-\"", " 12", " \"a\" b \"c\"", " \"unterminated", " a\"b", "\t\"x\"",
                                     "  ", " \"x\\\"", " \"-\" 0.001", " -", " \"\"", " a b c", " \"a\"\"b\""};
static const char *const trailers[] = {"", "", "", " ", "\r", "\t", "\n", " x", "\r\n", "  \r", "\v", "\f"};
static const char *const seps[] = {" ", " ", " ", " ", "  ", "   ", "\t", ""};

static void put_sep(buf *b)
{
    puts_(b, chance(100 - odd_percent) ? " " : PICK(seps));
}

static void put_quoted(buf *b, const char *text)
{
    puts_(b, "\"");
    puts_(b, text);
    if (chance(100 - odd_percent / 4))
        puts_(b, "\"");
}

static void put_time(buf *b)
{
    if (chance(odd_percent)) {
        puts_(b, PICK(times_odd));
        return;
    }
    int day = (int)below(33), hour = (int)below(25), min = (int)below(61), sec = (int)below(62);
    int year = 1969 + (int)below(80);
    int zh = (int)below(15), zm = chance(80) ? 0 : (int)below(61);
    const char *mon = PICK_USUAL(months, 12);
    putf(b, "%02d/%s/%04d%c%02d:%02d:%02d", day, mon, year, chance(95) ? ':' : ' ', hour, min, sec);
    if (chance(95))
        putf(b, " %c%02d%02d", chance(50) ? '+' : '-', zh, zm);
}

static void put_request(buf *b)
{
    if (chance(odd_percent)) {
        puts_(b, PICK(requests_odd));
        return;
    }
    puts_(b, PICK_USUAL(methods, 3));
    puts_(b, chance(90) ? " " : "  ");
    puts_(b, PICK_USUAL(targets, 6));
    if (chance(85)) {
        puts_(b, chance(90) ? " " : "   ");
        puts_(b, PICK_USUAL(protocols, 5));
    }
    if (chance(odd_percent / 2))
        puts_(b, chance(50) ? " " : "\n");
}

/* One line: common, combined, vhost_combined (with or without the referer
 * and agent), or a mixture. */
static void generate(buf *b)
{
    b->n = 0;
    odd_percent = chance(40) ? 2 : 20;
    int vhost = chance(30), referer_agent = chance(65);
    if (vhost) {
        puts_(b, PICK_USUAL(vhosts, 5));
        put_sep(b);
    }
    puts_(b, PICK_USUAL(hosts, 4));
    put_sep(b);
    puts_(b, PICK_USUAL(idents, 4));
    put_sep(b);
    puts_(b, PICK_USUAL(users, 3));
    put_sep(b);
    puts_(b, "[");
    put_time(b);
    puts_(b, chance(100 - odd_percent / 4) ? "]" : "");
    put_sep(b);
    puts_(b, "\"");
    put_request(b);
    puts_(b, chance(100 - odd_percent / 4) ? "\"" : "");
    put_sep(b);
    puts_(b, PICK_USUAL(statuses, 5));
    put_sep(b);
    puts_(b, PICK_USUAL(sizes, 5));
    if (referer_agent) {
        put_sep(b);
        put_quoted(b, PICK_USUAL(quoted_texts, 4));
        put_sep(b);
        put_quoted(b, PICK_USUAL(quoted_texts, 4));
        for (int k = 0; chance(30) && k < 3; k++)
            puts_(b, PICK(extras));
    }
    puts_(b, PICK_USUAL(trailers, 3));
}

/* ----- mutations ----- */

static const char special[] = {' ', ' ', '"', '\\', '[', ']', ':', '\t', '\n', '\r', '\0', ',', '-', '/',
                               '?', '0', '9', 'H', '\xff', '\x0b'};

/* A position next to a field boundary (a blank, a quote, a bracket) most
 * of the time, anywhere otherwise. */
static size_t boundary(const buf *b)
{
    if (b->n == 0)
        return 0;
    if (chance(70)) {
        for (int tries = 0; tries < 8; tries++) {
            size_t i = below(b->n);
            char c = b->p[i];
            if (c == ' ' || c == '"' || c == '[' || c == ']' || c == ':' || c == '\\')
                return i + below(2);
        }
    }
    return below(b->n + 1);
}

static void mutate(buf *b)
{
    int ops = 1 + (int)below(3);
    for (int k = 0; k < ops; k++) {
        size_t i = boundary(b);
        switch (below(7)) {
        case 0: /* replace a byte */
            if (i < b->n)
                b->p[i] = chance(80) ? PICK(special) : (char)below(256);
            break;
        case 1:
        case 2: { /* insert one */
            char c = chance(85) ? PICK(special) : (char)below(256);
            put(b, &c, 1); /* room for it */
            memmove(b->p + i + 1, b->p + i, b->n - 1 - i);
            b->p[i] = c;
            break;
        }
        case 3: /* delete one */
            if (i < b->n) {
                memmove(b->p + i, b->p + i + 1, b->n - i - 1);
                b->n--;
            }
            break;
        case 4: /* cut the line */
            if (i < b->n)
                b->n = i;
            break;
        case 5: { /* double a piece */
            if (i >= b->n)
                break;
            size_t len = 1 + below(b->n - i < 12 ? b->n - i : 12);
            char tmp[12];
            memcpy(tmp, b->p + i, len);
            put(b, tmp, len);
            memmove(b->p + i + len, b->p + i, b->n - len - i);
            memcpy(b->p + i, tmp, len);
            break;
        }
        default: /* a blank doubled, or a backslash before a quote */
            if (i < b->n && b->p[i] == '"') {
                char c = '\\';
                put(b, &c, 1);
                memmove(b->p + i + 1, b->p + i, b->n - 1 - i);
                b->p[i] = c;
            } else if (i < b->n) {
                char c = ' ';
                put(b, &c, 1);
                memmove(b->p + i + 1, b->p + i, b->n - 1 - i);
                b->p[i] = c;
            }
            break;
        }
    }
}

static void try_with_mutations(harness *h, const char *s, size_t n, int mutations)
{
    try_line(h, s, n);
    buf b = {0};
    for (int k = 0; k < mutations; k++) {
        b.n = 0;
        put(&b, s, n);
        mutate(&b);
        try_line(h, b.p, b.n);
    }
    free(b.p);
}

/* ----- inputs ----- */

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "weblog_diff: %s: %s\n", path, strerror(errno));
        return 0;
    }
    buf b = {0};
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        put(&b, chunk, k);
    fclose(f);
    put(&b, "", 0);
    *data = b.p;
    *len = b.n;
    return 1;
}

static int run_file(harness *h, const char *path, int mutations)
{
    char *data;
    size_t len;
    if (!read_file(path, &data, &len))
        return 0;
    size_t nlen = strlen(path);
    if (nlen > 4 && strcmp(path + nlen - 4, ".rec") == 0) {
        size_t i = 0;
        while (i < len) {
            char *end;
            unsigned long n = strtoul(data + i, &end, 10);
            if (end == data + i || *end != ':' || n > len - (size_t)(end + 1 - data)) {
                fprintf(stderr, "weblog_diff: %s: a bad record at byte %zu\n", path, i);
                free(data);
                return 0;
            }
            try_with_mutations(h, end + 1, n, mutations);
            i = (size_t)(end + 1 - data) + n + 1; /* the '\n' after it */
        }
    } else {
        size_t i = 0;
        while (i < len) {
            const char *nl = memchr(data + i, '\n', len - i);
            size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
            try_with_mutations(h, data + i, n, mutations);
            i += n + 1;
        }
    }
    free(data);
    return 1;
}

static void usage(void)
{
    fputs("usage: weblog_diff [-I DIR] [--seed N] [--generate N] [--mutate N] [--write FILE] "
          "[INPUT...]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    const char *libs[8];
    int nlibs = 0;
    unsigned long generate_n = 0, seed = 1;
    int mutations = 0;
    harness h;
    memset(&h, 0, sizeof h);
    int first_input = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-I") == 0 && i + 1 < argc && nlibs < 8)
            libs[nlibs++] = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--generate") == 0 && i + 1 < argc)
            generate_n = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--mutate") == 0 && i + 1 < argc)
            mutations = atoi(argv[++i]);
        else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
            h.write = fopen(argv[++i], "wb");
            if (!h.write) {
                perror(argv[i]);
                return 2;
            }
        } else if (argv[i][0] == '-' && argv[i][1])
            usage();
        else {
            first_input = i;
            break;
        }
    }
    rng_state = seed;

    sp_diag *diag = sp_diag_new(stderr);
    sp_arena *arena = sp_arena_new();
    sp_load_options opt = {libs, nlibs, 0};
    h.program = sp_load_string(diag, arena, "weblog_diff.sp", program_text, strlen(program_text), &opt);
    if (!h.program || sp_diag_errors(diag) || sp_check(h.program, diag, arena, NULL, 0, NULL) != SP_CHECK_OK ||
        sp_eval_prepare(h.program, diag, arena) != 0) {
        fprintf(stderr, "weblog_diff: stdlib/weblog.sp does not load, check or prepare\n");
        return 2;
    }
    for (int k = 0; k < P_COUNT; k++) {
        char name[64];
        snprintf(name, sizeof name, "%s_re", parser_names[k]);
        const sp_stmt *native = find_fn(h.program, parser_names[k]), *ref = find_fn(h.program, name);
        if (!native || !ref) {
            fprintf(stderr, "weblog_diff: %s or %s is missing from stdlib/weblog.sp\n", parser_names[k], name);
            return 2;
        }
        h.native[k].kind = 0;
        h.native[k].def = native;
        h.reference[k].kind = 0;
        h.reference[k].def = ref;
    }
    h.scratch = sp_arena_new();
    sp_eval_init(&h.ev, h.scratch, NULL); /* errors counted, not printed */

    for (int i = first_input; i < argc; i++)
        if (!run_file(&h, argv[i], mutations))
            return 2;
    buf b = {0};
    for (unsigned long k = 0; k < generate_n; k++) {
        generate(&b);
        try_with_mutations(&h, b.p, b.n, mutations);
    }
    free(b.p);

    if (h.write)
        fclose(h.write);
    printf("weblog_diff: %lu lines, %lu comparisons (%lu records: access_log %lu, combined %lu, common %lu, "
           "vhost_combined %lu), %lu disagreements\n",
           h.lines, h.compared, h.records, h.per_parser_records[P_ACCESS], h.per_parser_records[P_COMBINED],
           h.per_parser_records[P_COMMON], h.per_parser_records[P_VHOST], h.disagreements);
    sp_eval_destroy(&h.ev);
    sp_eval_unprepare(h.program);
    sp_arena_free(h.scratch);
    sp_arena_free(arena);
    sp_diag_free(diag);
    return h.disagreements ? 1 : 0;
}
