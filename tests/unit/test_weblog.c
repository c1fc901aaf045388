/* test_weblog.c - the native access-log scanner (src/weblog.c) on its own:
 * fields as views into the line, the request line, times and their cache.
 * That it agrees with the language versions on every line is
 * tests/run_weblog_native.sh's job; these pin a few rules by hand. */
#include "test_util.h"

#include "weblog.h"

/* t is the text `want` (NULL: unset). */
static void expect_text(sp_weblog_text t, const char *want, int line)
{
    if (!want) {
        tu_assert(t.s == NULL, line, __FILE__, __func__, "expected an unset field, got \"%.*s\"", (int)t.n,
                  t.s ? t.s : "");
        return;
    }
    tu_assert(t.s && t.n == strlen(want) && memcmp(t.s, want, t.n) == 0, line, __FILE__, __func__,
              "expected \"%s\", got %s%.*s%s", want, t.s ? "\"" : "", (int)t.n, t.s ? t.s : "(unset)",
              t.s ? "\"" : "");
}
#define EXPECT_TEXT(t, want) expect_text((t), (want), __LINE__)

static void test_a_combined_line_gives_views_into_it(void)
{
    const char *line = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a?b HTTP/1.0\" 200 2326 "
                       "\"http://x/\" \"Mozilla \\\"4\\\"\" \"extra\" 12\r";
    sp_weblog_fields f;
    TU_EXPECT_INT(sp_weblog_scan(line, strlen(line), SP_WEBLOG_ANY, &f), 1);
    TU_EXPECT_INT(f.format, SP_WEBLOG_COMBINED);
    EXPECT_TEXT(f.host, "127.0.0.1");
    CU_ASSERT_PTR_EQUAL(f.host.s, line);
    EXPECT_TEXT(f.user, "frank");
    EXPECT_TEXT(f.time, "10/Oct/2000:13:55:36 -0700");
    EXPECT_TEXT(f.request, "GET /a?b HTTP/1.0");
    EXPECT_TEXT(f.status, "200");
    EXPECT_TEXT(f.size, "2326");
    EXPECT_TEXT(f.referer, "http://x/");
    EXPECT_TEXT(f.agent, "Mozilla \\\"4\\\"");
    EXPECT_TEXT(f.vhost, NULL);
    /* the same line is no common line, and no vhost_combined one */
    TU_EXPECT_INT(sp_weblog_scan(line, strlen(line), SP_WEBLOG_COMMON, &f), 0);
    TU_EXPECT_INT(sp_weblog_scan(line, strlen(line), SP_WEBLOG_VHOST_COMBINED, &f), 0);
}

static void test_a_server_name_and_its_port(void)
{
    static const struct {
        const char *token, *vhost, *port;
    } cases[] = {
        {"www.example.com:80", "www.example.com", "80"},
        {"www.example.com", "www.example.com", NULL},
        {"a:b:8080", "a:b", "8080"},
        {"[::1]:443", "[::1]", "443"},
        {":80", ":80", NULL}, /* the name takes at least one byte */
        {"::1", ":", "1"},
        {"host:", "host:", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s 10.0.0.1 - - [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5",
                 cases[i].token);
        sp_weblog_fields f;
        TU_EXPECT_INT(sp_weblog_scan(line, strlen(line), SP_WEBLOG_VHOST_COMBINED, &f), 1);
        EXPECT_TEXT(f.vhost, cases[i].vhost);
        EXPECT_TEXT(f.port, cases[i].port);
        EXPECT_TEXT(f.referer, NULL);
    }
    const char *list = "10.0.0.2, 10.0.0.1 - - [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5";
    sp_weblog_fields f;
    TU_EXPECT_INT(sp_weblog_scan(list, strlen(list), SP_WEBLOG_ANY, &f), 0);
}

static void test_the_request_line_is_split_as_split_request_does(void)
{
    static const struct {
        const char *request, *method, *target, *protocol;
        int ok;
    } cases[] = {
        {"GET /x HTTP/1.1", "GET", "/x", "HTTP/1.1", 1},
        {"GET /a b HTTP/1.0", "GET", "/a b", "HTTP/1.0", 1},
        {"GET /x", "GET", "/x", NULL, 1},                   /* HTTP/0.9 */
        {" GET   /x  RTSP/1.0  ", "GET", "/x", "RTSP/1.0", 1},
        {"GET /x y/z", "GET", "/x y/z", NULL, 1},           /* no digit after the '/' */
        {"GET HTTP/1.1", "GET", "HTTP/1.1", NULL, 1},       /* the protocol needs a target before it */
        {"GET /x HTTP/1.1\n", "GET", "/x", "HTTP/1.1", 1},  /* '$' before a final '\n' */
        {"GET /x\n/y HTTP/1.1", NULL, NULL, NULL, 0},       /* '.' takes no '\n' */
        {"GET /x?a\nb HTTP/1.1", NULL, NULL, NULL, 0},      /* nor after the query's '?' */
        {"GET /x?a?\n HTTP/1.1", NULL, NULL, NULL, 0},
        {"GET /x?a?b HTTP/1.1", "GET", "/x?a?b", "HTTP/1.1", 1},
        {"GET\t/x", NULL, NULL, NULL, 0},
        {"-", NULL, NULL, NULL, 0},
        {"", NULL, NULL, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sp_weblog_text m = {NULL, 0}, t = {NULL, 0}, p = {NULL, 0};
        int ok = sp_weblog_split_request(cases[i].request, strlen(cases[i].request), &m, &t, &p);
        TU_EXPECT_INT(ok, cases[i].ok);
        if (!ok || !cases[i].ok)
            continue;
        EXPECT_TEXT(m, cases[i].method);
        EXPECT_TEXT(t, cases[i].target);
        EXPECT_TEXT(p, cases[i].protocol);
    }
}

static void test_times_are_read_as_time_of_reads_them(void)
{
    sp_weblog_state *st = sp_weblog_state_new();
    static const struct {
        const char *text;
        int ok;
        int64_t ms;
    } cases[] = {
        {"10/Oct/2000:13:55:36 -0700", 1, 971211336000},
        {"10/Oct/2000 13:55:36 -0700", 1, 971211336000}, /* a blank before the hour */
        {"10/Oct/2000:13:55:36", 1, 971186136000},       /* no zone: UTC */
        {"10/oct/2000:13:55:36 -0700", 1, 971211336000}, /* any case */
        {"10/Oct/2000:13:55:36 +0530", 1, 971166336000},
        {"29/Feb/2024:00:00:00 +0000", 1, 1709164800000},
        {"29/Feb/2023:00:00:00 +0000", 0, 0},            /* no such day */
        {"10/Oct/2000:24:00:00 +0000", 0, 0},
        {"10/Oct/2000:13:55:36 +2400", 0, 0},
        {"-", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (int again = 0; again < 2; again++) { /* the second time from the cache */
            int64_t ms = -1;
            TU_EXPECT_INT(sp_weblog_time(st, cases[i].text, strlen(cases[i].text), &ms), cases[i].ok);
            if (cases[i].ok)
                TU_EXPECT_INT(ms, cases[i].ms);
        }
    sp_weblog_state_free(st);
}

static void test_numbers_that_do_not_fit_make_the_line_null(void)
{
    sp_arena *a = sp_arena_new();
    sp_weblog_state *st = sp_weblog_state_new();
    const char *fits = "h - - [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.1\" 200 9223372036854775807";
    const char *over = "h - - [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.1\" 200 9223372036854775808";
    const char *port = "v:99999999999999999999 h - - [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1";
    sp_value r = sp_weblog_record(st, a, fits, strlen(fits), SP_WEBLOG_ANY, NULL);
    CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
    const sp_value *size = sp_record_get(r, "size");
    CU_ASSERT_PTR_NOT_NULL_FATAL(size);
    TU_EXPECT_INT(size->u.i, INT64_MAX);
    CU_ASSERT_EQUAL(sp_weblog_record(st, a, over, strlen(over), SP_WEBLOG_ANY, NULL).tag, SP_V_NULL);
    CU_ASSERT_EQUAL(sp_weblog_record(st, a, port, strlen(port), SP_WEBLOG_ANY, NULL).tag, SP_V_NULL);
    sp_weblog_state_free(st);
    sp_arena_free(a);
}

/* The path is the endpoint up to its first '?' (path_of): the target's,
 * or the whole request's when it is not a request line. */
static void test_the_path_ends_at_the_first_question_mark(void)
{
    static const struct {
        const char *request, *endpoint, *path;
    } cases[] = {
        {"GET /a?b HTTP/1.1", "/a?b", "/a"},
        {"GET /a?b?c HTTP/1.1", "/a?b?c", "/a"},
        {"GET ?x HTTP/1.1", "?x", ""},
        {"GET /a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w?x HTTP/1.1", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w?x",
         "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w"},
        {"GET /a", "/a", "/a"},
        {"-", "-", "-"},
        {"junk?x", "junk?x", "junk"},         /* no request line: the request itself */
        {"GET /a?x\nHTTP/1.1", "GET /a?x\nHTTP/1.1", "GET /a"}, /* a '\n' in the target: the same */
    };
    sp_arena *a = sp_arena_new();
    sp_weblog_state *st = sp_weblog_state_new();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "h - - [01/Jan/2020:00:00:00 +0000] \"%s\" 200 5", cases[i].request);
        sp_value r = sp_weblog_record(st, a, line, strlen(line), SP_WEBLOG_COMMON, NULL);
        CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
        const sp_value *endpoint = sp_record_get(r, "endpoint"), *path = sp_record_get(r, "path");
        CU_ASSERT_PTR_NOT_NULL_FATAL(endpoint);
        CU_ASSERT_PTR_NOT_NULL_FATAL(path);
        sp_weblog_text e = {endpoint->u.s, endpoint->n}, pa = {path->u.s, path->n};
        EXPECT_TEXT(e, cases[i].endpoint);
        EXPECT_TEXT(pa, cases[i].path);
    }
    sp_weblog_state_free(st);
    sp_arena_free(a);
}

/* Host, ident and user mostly end in the chunk the host's search read,
 * which the next words reuse: words of every length up to past two chunks,
 * with one or more spaces between them, and a tab (a blank, but not the
 * ` +` the pattern needs) that makes the line no line. */
static void test_the_first_words_end_anywhere_in_a_chunk(void)
{
    static const char *const gaps[] = {" ", "  ", " \t"};
    for (size_t host = 1; host <= 36; host++)
        for (size_t ident = 1; ident <= 20; ident += 3)
            for (size_t g = 0; g < 3; g++) {
                char text[200];
                int len = snprintf(text, sizeof text, "%.*s%s%.*s %.*s [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.1\" 200 5",
                                   (int)host, "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh", gaps[g], (int)ident,
                                   "iiiiiiiiiiiiiiiiiiiiiiiii", (int)(21 - ident), "uuuuuuuuuuuuuuuuuuuuuuuuuuu");
                char *line = malloc((size_t)len);
                CU_ASSERT_PTR_NOT_NULL_FATAL(line);
                memcpy(line, text, (size_t)len);
                sp_weblog_fields f;
                int ok = sp_weblog_scan(line, (size_t)len, SP_WEBLOG_COMMON, &f);
                TU_EXPECT_INT(ok, g < 2);
                if (ok) {
                    TU_EXPECT_INT(f.host.n, host);
                    TU_EXPECT_INT(f.ident.n, ident);
                    TU_EXPECT_INT(f.user.n, 21 - ident);
                    CU_ASSERT_PTR_EQUAL(f.user.s, line + host + 1 + g + ident + 1);
                }
                free(line);
            }
}

/* The size is read 8 bytes at a time when it has at most 8 digits: every
 * length, leading zeros, and the longer ones read digit by digit. */
static void test_sizes_of_every_length_are_read(void)
{
    sp_arena *a = sp_arena_new();
    sp_weblog_state *st = sp_weblog_state_new();
    static const char *const sizes[] = {"0", "7", "10", "99", "305", "4096", "12345", "987654", "1234567",
                                        "99999999", "00000042", "0000000", "100000000", "123456789012",
                                        "9223372036854775807"};
    static const int64_t values[] = {0, 7, 10, 99, 305, 4096, 12345, 987654, 1234567,
                                     99999999, 42, 0, 100000000, 123456789012, INT64_MAX};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int combined = 0; combined < 2; combined++) {
            char text[160];
            int len = snprintf(text, sizeof text, "9 - - [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.1\" 200 %s%s",
                               sizes[i], combined ? " \"-\" \"a\"" : "");
            char *line = malloc((size_t)len); /* exactly the line: nothing after the size to read */
            CU_ASSERT_PTR_NOT_NULL_FATAL(line);
            memcpy(line, text, (size_t)len);
            sp_value r = sp_weblog_record(st, a, line, (size_t)len, SP_WEBLOG_ANY, NULL);
            CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
            const sp_value *size = sp_record_get(r, "size");
            CU_ASSERT_PTR_NOT_NULL_FATAL(size);
            TU_EXPECT_INT(size->u.i, values[i]);
            free(line);
        }
    sp_weblog_state_free(st);
    sp_arena_free(a);
}

static void test_format_names(void)
{
    TU_EXPECT_INT(sp_weblog_format_lookup("any", 3), SP_WEBLOG_ANY);
    TU_EXPECT_INT(sp_weblog_format_lookup("combined", 8), SP_WEBLOG_COMBINED);
    TU_EXPECT_INT(sp_weblog_format_lookup("common", 6), SP_WEBLOG_COMMON);
    TU_EXPECT_INT(sp_weblog_format_lookup("vhost_combined", 14), SP_WEBLOG_VHOST_COMBINED);
    TU_EXPECT_INT(sp_weblog_format_lookup("Common", 6), -1);
    TU_EXPECT_INT(sp_weblog_format_lookup("", 0), -1);
}

/* What sp_weblog_find(s, i, n, what) must give, a byte at a time. */
static size_t naive_find(const unsigned char *s, size_t i, size_t n, int what)
{
    static const char blanks[] = " \t\n\v\f\r";
    if (what == SP_WEBLOG_FIND_RUN_START) {
        size_t z = n;
        while (z > i && !memchr(blanks, s[z - 1], 6))
            z--;
        return z;
    }
    for (; i < n; i++) {
        int blank = s[i] != 0 && memchr(blanks, s[i], 6) != NULL;
        if (what == SP_WEBLOG_FIND_BLANK ? blank
            : what == SP_WEBLOG_FIND_QUOTE_OR_ESCAPE ? s[i] == '"' || s[i] == '\\'
            : what == SP_WEBLOG_FIND_NON_DIGIT ? s[i] < '0' || s[i] > '9'
            : what >= SP_WEBLOG_FIND_BLANK_OR ? blank || s[i] == what - SP_WEBLOG_FIND_BLANK_OR
            : s[i] == what)
            break;
    }
    return i;
}

/* The searches read chunks (8 or 16 bytes) and then a last one that ends at
 * the end of the buffer: each buffer here is a heap block of exactly n
 * bytes, so that ASan or valgrind sees a read past it.  The bytes: hits of
 * every search, their neighbours (0x08, 0x0e, 0x1f, 0x21: next to the
 * blanks), the same with the high bit set, NUL and 0xff, among letters. */
static void test_the_searches_find_what_a_byte_loop_finds(void)
{
    static const unsigned char special[] = {' ',  '\t', '\n', '\v', '\f', '\r', '"',  '\\', ']',  '?',  ',',
                                            0x00, 0x08, 0x0e, 0x1f, 0x21, 0x7f, 0x89, 0x8d, 0xa0, 0xa2, 0xdc,
                                            0xff, 0x80, 0xdd, 0x0a + 0x80, '0', '9', '/', ':', 0xb0, 0xb9};
    static const int whats[] = {SP_WEBLOG_FIND_BLANK,
                                SP_WEBLOG_FIND_QUOTE_OR_ESCAPE,
                                SP_WEBLOG_FIND_RUN_START,
                                SP_WEBLOG_FIND_NON_DIGIT,
                                SP_WEBLOG_FIND_BLANK_OR + ',',
                                SP_WEBLOG_FIND_BLANK_OR + '"',
                                ']',
                                '?',
                                '\n',
                                0,
                                0xff,
                                0x80};
    uint64_t seed = 88172645463325252u;
    int failures = 0;
    for (size_t n = 0; n <= 72; n++) {
        for (int trial = 0; trial < 60; trial++) {
            unsigned char *s = malloc(n ? n : 1);
            CU_ASSERT_PTR_NOT_NULL_FATAL(s);
            /* trial 0: no hit at all; 1..n: one hit at n - trial; then random */
            for (size_t k = 0; k < n; k++) {
                seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
                if (trial == 0 || (trial <= (int)n && k != n - (size_t)trial))
                    s[k] = (unsigned char)(k % 2 ? 'a' + seed % 26 : 0xc0 + seed % 32);
                else if (trial <= (int)n)
                    s[k] = special[seed % 11]; /* one of the hits */
                else if (trial % 2)
                    s[k] = seed % 4 ? (unsigned char)('a' + seed % 26) : special[(seed >> 8) % sizeof special];
                else /* runs of digits, for the end of a number */
                    s[k] = seed % 8 ? (unsigned char)('0' + seed % 10) : special[(seed >> 8) % sizeof special];
            }
            for (size_t w = 0; w < sizeof whats / sizeof whats[0]; w++)
                for (size_t i = 0; i <= n; i++) {
                    size_t got = sp_weblog_find((const char *)s, i, n, whats[w]);
                    size_t want = naive_find(s, i, n, whats[w]);
                    if (got != want && failures++ < 5)
                        CU_FAIL_FATAL("a search disagrees with the byte loop");
                    if (got != want)
                        fprintf(stderr, "n %zu trial %d what %d from %zu: %zu, not %zu\n", n, trial, whats[w], i,
                                got, want);
                }
            free(s);
        }
    }
    TU_EXPECT_INT(failures, 0);
}

/* A line whose fields end at each place of a chunk, up to the last byte:
 * the words, the quoted fields and the digits are read whether or not a
 * whole chunk is left after them. */
static void test_fields_that_end_anywhere_near_the_end_of_a_line(void)
{
    for (size_t pad = 0; pad < 40; pad++) {
        char agent[64];
        memset(agent, 'A', pad);
        agent[pad] = '\0';
        char text[256];
        int len = snprintf(text, sizeof text, "h - - [01/Jan/2020:00:00:00 +0000] \"GET /%s HTTP/1.1\" 200 %zu \"-\" \"%s\"",
                           agent, pad, agent);
        for (int cut = 0; cut <= 2; cut++) {
            /* cut 0: the whole line; 1: without its closing quote (no line); 2: common, cut after the size */
            size_t n = (size_t)len;
            if (cut == 1)
                n--;
            if (cut == 2)
                n = (size_t)(strstr(text, " \"-\"") - text);
            char *line = malloc(n);
            CU_ASSERT_PTR_NOT_NULL_FATAL(line);
            memcpy(line, text, n);
            sp_weblog_fields f;
            int ok = sp_weblog_scan(line, n, SP_WEBLOG_ANY, &f);
            TU_EXPECT_INT(ok, cut != 1);
            if (ok) {
                TU_EXPECT_INT(f.format, cut == 0 ? SP_WEBLOG_COMBINED : SP_WEBLOG_COMMON);
                TU_EXPECT_INT(f.request.n, 14 + pad);
                if (cut == 0)
                    TU_EXPECT_INT(f.agent.n, pad);
                sp_weblog_text m, t, p;
                TU_EXPECT_INT(sp_weblog_split_request(f.request.s, f.request.n, &m, &t, &p), 1);
                TU_EXPECT_INT(t.n, 1 + pad);
                EXPECT_TEXT(p, "HTTP/1.1");
            }
            free(line);
        }
    }
}

CU_ErrorCode sp_test_register_weblog(void)
{
    static const tu_test tests[] = {
        {"a combined line gives its fields as views into it", test_a_combined_line_gives_views_into_it},
        {"a server name and its port are split at the last ':' before digits", test_a_server_name_and_its_port},
        {"the request line is split as split_request does", test_the_request_line_is_split_as_split_request_does},
        {"times are read as time_of reads them, again from the cache", test_times_are_read_as_time_of_reads_them},
        {"a size or a port that does not fit in an int makes the line null",
         test_numbers_that_do_not_fit_make_the_line_null},
        {"a format is one of four names", test_format_names},
        {"sizes of every length are read, 8 digits at a time or one by one", test_sizes_of_every_length_are_read},
        {"the first words end anywhere in a chunk, or past it", test_the_first_words_end_anywhere_in_a_chunk},
        {"the path ends at the endpoint's first '?'", test_the_path_ends_at_the_first_question_mark},
        {"the searches find what a byte loop finds, and read nothing past the end",
         test_the_searches_find_what_a_byte_loop_finds},
        {"fields that end anywhere near the end of a line are read", test_fields_that_end_anywhere_near_the_end_of_a_line},
        {NULL, NULL},
    };
    return tu_add_suite("weblog", tests);
}
