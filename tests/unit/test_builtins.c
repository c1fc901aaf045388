/* test_builtins.c - the built-in functions (src/builtins.c), called through
 * sp_builtin_call with a real evaluator, and a few through the checker and
 * the evaluator (the prelude, stdlib/weblog.sp).
 *
 * Every test gets a fresh arena and sp_eval (setup/teardown), so a result is
 * compared exactly and ev.errors counts the run-time errors of that test
 * alone: invalid data gives null without an error, a wrong argument type
 * gives null with one. */
#define _GNU_SOURCE /* open_memstream */
#include <CUnit/CUnit.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "builtins.h"
#include "check.h"
#include "diag.h"
#include "eval.h"
#include "map.h"
#include "parse.h"
#include "value.h"

#include "test_util.h"

/* ----- fixture ----- */

static sp_arena *arena;
static sp_eval ev;

#define NOW_MS INT64_C(1709205296789) /* 2024-02-29 11:14:56.789 UTC */

static void setup(void)
{
    arena = sp_arena_new();
    sp_eval_init(&ev, arena, NULL);
    ev.now_ms = NOW_MS;
}

static void teardown(void)
{
    sp_eval_destroy(&ev);
    sp_arena_free(arena);
    arena = NULL;
}

/* ----- building values and calls ----- */

static sp_value S(const char *s)
{
    return sp_str(s, strlen(s));
}

static sp_value SN(const char *s, size_t n)
{
    return sp_str(s, n);
}

static sp_value I(int64_t i)
{
    return sp_int(i);
}

static sp_value F(double f)
{
    return sp_float(f);
}

static sp_value B(int b)
{
    return sp_bool(b);
}

static sp_value N(void)
{
    return sp_null();
}

static sp_value list_of(int n, const sp_value *items)
{
    sp_value l = sp_list_new(arena, (uint32_t)n);
    for (int i = 0; i < n; i++)
        l.u.items[i] = items[i];
    return l;
}

static sp_value tuple_of(int n, const sp_value *items)
{
    sp_value t = sp_tuple_new(arena, (uint32_t)n);
    for (int i = 0; i < n; i++)
        t.u.items[i] = items[i];
    return t;
}

#define ARGS(...) ((const sp_value[]){__VA_ARGS__})
#define NARGS(...) ((int)(sizeof(ARGS(__VA_ARGS__)) / sizeof(sp_value)))
#define LIST(...) list_of(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__))
#define TUPLE(...) tuple_of(NARGS(__VA_ARGS__), ARGS(__VA_ARGS__))

/* A built-in function as a value (as `max` in fold(xs, 0, max)). */
static sp_value builtin_fn(int id)
{
    sp_funcval *f = sp_arena_alloc(arena, sizeof *f);
    f->kind = 1;
    f->builtin = id;
    sp_value v = {SP_V_FUNC, 0, {.fn = f}};
    return v;
}

static sp_value call_at(const sp_expr *at, int id, const sp_value *args, int n)
{
    return sp_builtin_call(&ev, id, args, n, at);
}

#define CALL(id, ...) call_at(NULL, SP_BUILTIN_##id, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__))
#define CALL_AT(at, id, ...) call_at((at), SP_BUILTIN_##id, ARGS(__VA_ARGS__), NARGS(__VA_ARGS__))

/* ----- assertions that say what they saw ----- */

/* "type text" of v, for failure reports (in the arena). */
static const char *describe(sp_value v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return "(?)";
    fprintf(f, "%s ", sp_value_type_name(v));
    sp_value_print(v, f);
    fclose(f);
    char *r = sp_arena_strndup(arena, buf, len);
    free(buf);
    return r;
}

static void report(int ok, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void report(int ok, unsigned line, const char *fmt, ...)
{
    char msg[2048] = "ok";
    if (!ok) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    }
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

static void expect_str(sp_value v, const char *want, size_t wn, const char *what, unsigned line)
{
    int ok = v.tag == SP_V_STR && v.n == wn && (wn == 0 || memcmp(v.u.s, want, wn) == 0);
    report(ok, line, "%s: expected string \"%.*s\", got %s", what, (int)wn, want, describe(v));
}

static void expect_int(sp_value v, int64_t want, const char *what, unsigned line)
{
    report(v.tag == SP_V_INT && v.u.i == want, line, "%s: expected int %" PRId64 ", got %s", what, want,
           describe(v));
}

static void expect_float(sp_value v, double want, const char *what, unsigned line)
{
    int ok = v.tag == SP_V_FLOAT && (v.u.f == want || (isnan(want) && isnan(v.u.f)));
    report(ok, line, "%s: expected float %.17g, got %s", what, want, describe(v));
}

static void expect_bool(sp_value v, int want, const char *what, unsigned line)
{
    report(v.tag == SP_V_BOOL && v.u.i == want, line, "%s: expected %s, got %s", what, want ? "true" : "false",
           describe(v));
}

static void expect_null(sp_value v, const char *what, unsigned line)
{
    report(v.tag == SP_V_NULL, line, "%s: expected null, got %s", what, describe(v));
}

/* The text of v as sp_value_print writes it equals `want`. */
static void expect_text(sp_value v, const char *want, const char *what, unsigned line)
{
    const char *d = describe(v);
    const char *text = strchr(d, ' ') + 1;
    report(strcmp(text, want) == 0, line, "%s: expected %s, got %s", what, want, d);
}

static void expect_errors(uint64_t want, unsigned line)
{
    report(ev.errors == want, line, "expected %" PRIu64 " run-time error(s) so far, got %" PRIu64, want,
           ev.errors);
}

#define EXPECT_STR(v, want) expect_str((v), (want), strlen(want), #v, __LINE__)
#define EXPECT_STRN(v, want, n) expect_str((v), (want), (n), #v, __LINE__)
#define EXPECT_INT(v, want) expect_int((v), (want), #v, __LINE__)
#define EXPECT_FLOAT(v, want) expect_float((v), (want), #v, __LINE__)
#define EXPECT_BOOL(v, want) expect_bool((v), (want), #v, __LINE__)
#define EXPECT_NULL(v) expect_null((v), #v, __LINE__)
#define EXPECT_TEXT(v, want) expect_text((v), (want), #v, __LINE__)
#define EXPECT_ERRORS(n) expect_errors((n), __LINE__)

/* The n-th item of a list (null when v is not a list that long). */
static sp_value item(sp_value v, uint32_t i)
{
    return (v.tag == SP_V_LIST || v.tag == SP_V_TUPLE) && i < v.n ? v.u.items[i] : sp_null();
}

/* Field `name` of a record, null when absent. */
static sp_value field(sp_value v, const char *name)
{
    const sp_value *f = sp_record_get(v, name);
    return f ? *f : sp_null();
}

/* ======================================================================
 * Strings
 * ====================================================================== */

static void test_length(void)
{
    EXPECT_INT(CALL(LENGTH, S("")), 0);
    EXPECT_INT(CALL(LENGTH, S("h\xc3\xa9llo")), 6); /* bytes, not characters */
    EXPECT_INT(CALL(LENGTH, LIST(I(1), N(), S("x"))), 3);
    EXPECT_INT(CALL(LENGTH, LIST()), 0);
    EXPECT_NULL(CALL(LENGTH, N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(LENGTH, I(5)));
    EXPECT_ERRORS(1);
}

static void test_lower_upper_ascii_only(void)
{
    EXPECT_STR(CALL(LOWER, S("HeLLo W\xc3\x89RLD 42")), "hello w\xc3\x89rld 42");
    EXPECT_STR(CALL(UPPER, S("hello w\xc3\xa9rld_42")), "HELLO W\xc3\xa9RLD_42");
    EXPECT_STR(CALL(LOWER, S("")), "");
    /* a view that is not NUL-terminated: only its bytes */
    EXPECT_STR(CALL(UPPER, SN("abcdef", 3)), "ABC");
    sp_value same = S("already lower");
    sp_value r = CALL(LOWER, same);
    EXPECT_STR(r, "already lower");
    EXPECT_NULL(CALL(UPPER, N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(UPPER, F(1.5)));
    EXPECT_ERRORS(1);
}

static void test_contains_starts_ends(void)
{
    EXPECT_BOOL(CALL(CONTAINS, S("GET /index.html"), S("index")), 1);
    EXPECT_BOOL(CALL(CONTAINS, S("GET /index.html"), S("Index")), 0);
    EXPECT_BOOL(CALL(CONTAINS, S("abc"), S("")), 1);
    EXPECT_BOOL(CALL(CONTAINS, S(""), S("a")), 0);
    EXPECT_BOOL(CALL(CONTAINS, SN("abcdef", 3), S("cd")), 0); /* never past the view */
    EXPECT_BOOL(CALL(STARTS_WITH, S("/api/v1"), S("/api")), 1);
    EXPECT_BOOL(CALL(STARTS_WITH, S("/ap"), S("/api")), 0);
    EXPECT_BOOL(CALL(STARTS_WITH, S("x"), S("")), 1);
    EXPECT_BOOL(CALL(ENDS_WITH, S("photo.JPG"), S(".JPG")), 1);
    EXPECT_BOOL(CALL(ENDS_WITH, S("photo.JPG"), S(".jpg")), 0);
    EXPECT_BOOL(CALL(ENDS_WITH, S("g"), S(".jpg")), 0);
    EXPECT_BOOL(CALL(ENDS_WITH, SN("abcdef", 4), S("cd")), 1);
    EXPECT_NULL(CALL(CONTAINS, N(), S("a")));
    EXPECT_NULL(CALL(ENDS_WITH, S("a"), N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(STARTS_WITH, S("a"), I(1)));
    EXPECT_ERRORS(1);
}

static void test_split(void)
{
    sp_value r = CALL(SPLIT, S("a,b,,c"), S(","));
    CU_ASSERT_EQUAL(r.tag, SP_V_LIST);
    CU_ASSERT_EQUAL(r.n, 4);
    EXPECT_STR(item(r, 0), "a");
    EXPECT_STR(item(r, 1), "b");
    EXPECT_STR(item(r, 2), "");
    EXPECT_STR(item(r, 3), "c");
    EXPECT_TEXT(CALL(SPLIT, S(",x,"), S(",")), "[, x, ]");
    EXPECT_TEXT(CALL(SPLIT, S("a::b:c"), S("::")), "[a, b:c]");
    EXPECT_TEXT(CALL(SPLIT, S("abc"), S(";")), "[abc]");
    EXPECT_TEXT(CALL(SPLIT, S(""), S(",")), "[]"); /* one empty string */
    CU_ASSERT_EQUAL(CALL(SPLIT, S(""), S(",")).n, 1);
    r = CALL(SPLIT, S("h\xc3\xa9"), S(""));
    CU_ASSERT_EQUAL(r.n, 3); /* single bytes */
    EXPECT_STR(item(r, 0), "h");
    EXPECT_STRN(item(r, 1), "\xc3", 1);
    EXPECT_STRN(item(r, 2), "\xa9", 1);
    CU_ASSERT_EQUAL(CALL(SPLIT, S(""), S("")).n, 0);
    EXPECT_TEXT(CALL(SPLIT, SN("a b c d", 3), S(" ")), "[a, b]");
    EXPECT_NULL(CALL(SPLIT, N(), S(",")));
    EXPECT_ERRORS(0);
}

static void test_substr(void)
{
    EXPECT_STR(CALL(SUBSTR, S("streampipe"), I(6), I(4)), "pipe");
    EXPECT_STR(CALL(SUBSTR, S("streampipe"), I(6)), "pipe");
    EXPECT_STR(CALL(SUBSTR, S("streampipe"), I(0), I(6)), "stream");
    EXPECT_STR(CALL(SUBSTR, S("streampipe"), I(-4)), "pipe");
    EXPECT_STR(CALL(SUBSTR, S("streampipe"), I(-4), I(2)), "pi");
    EXPECT_STR(CALL(SUBSTR, S("abc"), I(-10), I(2)), "ab"); /* clamped */
    EXPECT_STR(CALL(SUBSTR, S("abc"), I(1), I(100)), "bc");
    EXPECT_STR(CALL(SUBSTR, S("abc"), I(3)), "");
    EXPECT_STR(CALL(SUBSTR, S("abc"), I(50), I(2)), "");
    EXPECT_STR(CALL(SUBSTR, S("abc"), I(1), I(-1)), "");
    EXPECT_STR(CALL(SUBSTR, S("abc"), I(INT64_MIN), I(INT64_MAX)), "abc");
    EXPECT_STR(CALL(SUBSTR, S("abc"), I(INT64_MAX)), "");
    EXPECT_NULL(CALL(SUBSTR, S("abc"), N()));
    EXPECT_NULL(CALL(SUBSTR, S("abc"), I(1), N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(SUBSTR, S("abc"), F(1.0)));
    EXPECT_ERRORS(1);
}

static void test_trim(void)
{
    EXPECT_STR(CALL(TRIM, S(" \t hello world\r\n")), "hello world");
    EXPECT_STR(CALL(TRIM, S("x")), "x");
    EXPECT_STR(CALL(TRIM, S(" \n\t\v\f\r")), "");
    EXPECT_STR(CALL(TRIM, S("")), "");
    EXPECT_STR(CALL(TRIM, S("\xc2\xa0x\xc2\xa0")), "\xc2\xa0x\xc2\xa0"); /* ASCII only */
    EXPECT_STR(CALL(TRIM, SN("  ab  cd", 5)), "ab");
    EXPECT_ERRORS(0);
}

static void test_replace(void)
{
    EXPECT_STR(CALL(REPLACE, S("a-b-c"), S("-"), S("+")), "a+b+c");
    EXPECT_STR(CALL(REPLACE, S("a-b-c"), S("-"), S("")), "abc");
    EXPECT_STR(CALL(REPLACE, S("aaa"), S("aa"), S("b")), "ba"); /* left to right, no overlap */
    EXPECT_STR(CALL(REPLACE, S("x"), S("x"), S("long")), "long");
    EXPECT_STR(CALL(REPLACE, S("abc"), S(""), S("x")), "abc");
    EXPECT_STR(CALL(REPLACE, S("abc"), S("z"), S("x")), "abc");
    EXPECT_STR(CALL(REPLACE, S(""), S("a"), S("b")), "");
    EXPECT_STR(CALL(REPLACE, S("%20%20"), S("%20"), S(" ")), "  ");
    EXPECT_STR(CALL(REPLACE, SN("a.a.a", 3), S("a"), S("b")), "b.b");
    EXPECT_NULL(CALL(REPLACE, S("a"), S("a"), N()));
    EXPECT_ERRORS(0);
}

static void test_index_of(void)
{
    EXPECT_INT(CALL(INDEX_OF, S("hello world"), S("o")), 4);
    EXPECT_INT(CALL(INDEX_OF, S("hello world"), S("world")), 6);
    EXPECT_INT(CALL(INDEX_OF, S("hello"), S("z")), -1);
    EXPECT_INT(CALL(INDEX_OF, S("hello"), S("")), 0);
    EXPECT_INT(CALL(INDEX_OF, S(""), S("")), 0);
    EXPECT_INT(CALL(INDEX_OF, S("ab"), S("abc")), -1);
    EXPECT_INT(CALL(INDEX_OF, SN("abcdef", 3), S("de")), -1);
    EXPECT_INT(CALL(INDEX_OF, SN("a\0b", 3), SN("\0b", 2)), 1);
    EXPECT_NULL(CALL(INDEX_OF, N(), S("a")));
    EXPECT_ERRORS(0);
}

static void test_url_decode(void)
{
    EXPECT_STR(CALL(URL_DECODE, S("/search?q=a%20b%2Fc")), "/search?q=a b/c");
    EXPECT_STR(CALL(URL_DECODE, S("%41%62%7e")), "Ab~");
    EXPECT_STR(CALL(URL_DECODE, S("a+b")), "a+b"); /* '+' stays */
    EXPECT_STR(CALL(URL_DECODE, S("100%")), "100%");
    EXPECT_STR(CALL(URL_DECODE, S("%4")), "%4");
    EXPECT_STR(CALL(URL_DECODE, S("%zz%4g%%41")), "%zz%4g%A");
    EXPECT_STR(CALL(URL_DECODE, S("%C3%A9")), "\xc3\xa9");
    EXPECT_STRN(CALL(URL_DECODE, S("a%00b")), "a\0b", 3);
    EXPECT_STR(CALL(URL_DECODE, SN("%41%42", 5)), "A%4"); /* an escape cut by the view's end */
    EXPECT_STR(CALL(URL_DECODE, SN("%41%42", 4)), "A%");
    EXPECT_STR(CALL(URL_DECODE, S("")), "");
    EXPECT_NULL(CALL(URL_DECODE, N()));
    EXPECT_ERRORS(0);
}

/* ======================================================================
 * Regular expressions
 * ====================================================================== */

static void test_match(void)
{
    EXPECT_BOOL(CALL(MATCH, S("GET /a HTTP/1.1"), S("^(GET|POST) ")), 1);
    EXPECT_BOOL(CALL(MATCH, S("PUT /a HTTP/1.1"), S("^(GET|POST) ")), 0);
    EXPECT_BOOL(CALL(MATCH, S(""), S("^$")), 1);
    EXPECT_BOOL(CALL(MATCH, SN("abcdef", 3), S("d")), 0); /* the view only */
    EXPECT_BOOL(CALL(MATCH, SN("abcdef", 3), S("c$")), 1);
    EXPECT_BOOL(CALL(MATCH, S("caf\xc3\xa9"), S("^caf..$")), 1); /* bytes: \xc3\xa9 is two */
    EXPECT_NULL(CALL(MATCH, N(), S("x")));
    EXPECT_NULL(CALL(MATCH, S("x"), N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(MATCH, I(1), S("x")));
    EXPECT_ERRORS(1);
}

static void test_match_invalid_utf8_subject(void)
{
    /* Invalid UTF-8 is no error: patterns work on bytes, so any byte can be
     * part of a match (a log line with a raw \xe4 in its URL still parses). */
    const char *line = "\xff\xfe client 10.0.0.1 sent \xc3\x28 42 bytes \xed\xa0\x80";
    EXPECT_BOOL(CALL(MATCH, S(line), S("client")), 1);
    EXPECT_BOOL(CALL(MATCH, S(line), S("\\d+\\.\\d+\\.\\d+\\.\\d+")), 1);
    EXPECT_STR(CALL(EXTRACT, S(line), S("(\\d+) bytes")), "42");
    EXPECT_STR(CALL(EXTRACT, S(line), S("client (\\S+)")), "10.0.0.1");
    EXPECT_BOOL(CALL(MATCH, S(line), S("^\\S+ client")), 1); /* \\S matches the bad bytes too */
    EXPECT_BOOL(CALL(MATCH, S("\xc0"), S("^$")), 0);
    EXPECT_BOOL(CALL(MATCH, S("\xc0"), S("")), 1);
    EXPECT_ERRORS(0);
}

static void test_extract(void)
{
    sp_value line = S("GET /index.html?x=1 HTTP/1.0");
    EXPECT_STR(CALL(EXTRACT, line, S("^(\\S+) (\\S+)")), "GET");
    EXPECT_STR(CALL(EXTRACT, line, S("^(\\S+) (\\S+)"), I(2)), "/index.html?x=1");
    EXPECT_STR(CALL(EXTRACT, line, S("^(\\S+) (\\S+)"), I(0)), "GET /index.html?x=1");
    EXPECT_STR(CALL(EXTRACT, line, S("(?<proto>HTTP/[\\d.]+)"), S("proto")), "HTTP/1.0");
    EXPECT_STR(CALL(EXTRACT, line, S("^([^?]*)")), "GET /index.html");
    EXPECT_NULL(CALL(EXTRACT, line, S("^(POST) ")));             /* no match */
    EXPECT_NULL(CALL(EXTRACT, line, S("^GET (x)?"), I(1)));      /* unset group */
    EXPECT_STR(CALL(EXTRACT, line, S("^GET (x)?"), I(0)), "GET ");
    EXPECT_STR(CALL(EXTRACT, line, S("^(GET)|(POST)"), I(1)), "GET");
    EXPECT_NULL(CALL(EXTRACT, line, S("^(GET)|(POST)"), I(2)));  /* a trailing unset group */
    EXPECT_STR(CALL(EXTRACT, S("k="), S("k=(.*)")), "");        /* set but empty */
    /* a duplicated name: the group of that name that is set */
    EXPECT_STR(CALL(EXTRACT, S("b2"), S("(?J)(?:a(?<n>\\d)|b(?<n>\\d))"), S("n")), "2");
    EXPECT_NULL(CALL(EXTRACT, line, S("(x)"), N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(EXTRACT, line, S("^(\\S+)"), I(2)));
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(EXTRACT, line, S("^(\\S+)"), I(-1)));
    EXPECT_ERRORS(2);
    EXPECT_NULL(CALL(EXTRACT, line, S("^(?<a>\\S+)"), S("b")));
    EXPECT_ERRORS(3);
    EXPECT_NULL(CALL(EXTRACT, line, S("^(\\S+)"), F(1.0)));
    EXPECT_ERRORS(4);
}

static void test_captures_named_groups(void)
{
    /* names sort differently from their group numbers: fields follow the
     * group numbers; unnamed groups are not fields */
    sp_value r = CALL(CAPTURES, S("10.1.2.3 - frank [x] 200"),
                      S("^(?<zhost>\\S+) (\\S+) (?<auser>\\S+) \\[(?<mtime>[^\\]]*)\\] (?<code>\\d+)(?<opt> \\d+)?$"));
    CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
    CU_ASSERT_EQUAL_FATAL(r.n, 5);
    const sp_shape *sh = r.u.rec->shape;
    const char *want[] = {"zhost", "auser", "mtime", "code", "opt"};
    for (int i = 0; i < 5; i++)
        report(strcmp(sh->names[i], want[i]) == 0, __LINE__, "field %d is '%s', expected '%s'", i, sh->names[i],
               want[i]);
    EXPECT_STR(field(r, "zhost"), "10.1.2.3");
    EXPECT_STR(field(r, "auser"), "frank");
    EXPECT_STR(field(r, "mtime"), "x");
    EXPECT_STR(field(r, "code"), "200");
    EXPECT_NULL(field(r, "opt")); /* unset */
    EXPECT_TEXT(r, "{zhost: 10.1.2.3, auser: frank, mtime: x, code: 200, opt: null}");
    EXPECT_NULL(CALL(CAPTURES, S("no"), S("^(?<a>\\d+)$"))); /* no match */
    r = CALL(CAPTURES, S("abc"), S("b"));                      /* no names: an empty record */
    CU_ASSERT_EQUAL(r.tag, SP_V_RECORD);
    CU_ASSERT_EQUAL(r.n, 0);
    r = CALL(CAPTURES, S("a1"), S("(?J)(?:a(?<n>\\d)|b(?<n>\\d))(?<z>)"));
    CU_ASSERT_EQUAL(r.n, 2); /* one field per name */
    EXPECT_TEXT(r, "{n: 1, z: }");
    EXPECT_NULL(CALL(CAPTURES, N(), S("(?<a>x)")));
    EXPECT_ERRORS(0);
}

static void test_captures_invalid_utf8(void)
{
    const char *line = "\xc3\x28\xff host=web\xe2\x82\xac" "1 status=503 \xfe";
    sp_value r = CALL(CAPTURES, S(line), S("host=(?<host>\\S+) status=(?<status>\\d+)"));
    CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
    EXPECT_STR(field(r, "host"), "web\xe2\x82\xac" "1");
    EXPECT_STR(field(r, "status"), "503");
    /* a group over the invalid bytes captures them as they are */
    sp_value junk = CALL(CAPTURES, S(line), S("^(?<junk>\\S+) host"));
    CU_ASSERT_EQUAL_FATAL(junk.tag, SP_V_RECORD);
    EXPECT_STR(field(junk, "junk"), "\xc3\x28\xff");
    EXPECT_ERRORS(0);
}

static void test_captures_many_groups(void)
{
    /* more groups than the evaluator's match data holds (64 pairs) */
    char pat[1024] = "";
    for (int i = 0; i < 70; i++)
        strcat(pat, "(a)");
    strcat(pat, "(?<last>b)(?<after>c)?");
    char subject[128];
    memset(subject, 'a', 70);
    strcpy(subject + 70, "b");
    sp_value r = CALL(CAPTURES, S(subject), S(pat));
    CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
    EXPECT_STR(field(r, "last"), "b");
    EXPECT_NULL(field(r, "after"));
    EXPECT_STR(CALL(EXTRACT, S(subject), S(pat), I(71)), "b");
    EXPECT_STR(CALL(EXTRACT, S(subject), S(pat), I(70)), "a");
    EXPECT_ERRORS(0);
}

static void test_regex_compiled_at_run_time_is_cached(void)
{
    CU_ASSERT_PTR_NULL(ev.regex_scratch);
    EXPECT_BOOL(CALL(MATCH, S("abbc"), SN("b+c and more", 3)), 1);
    void **scratch = ev.regex_scratch;
    CU_ASSERT_PTR_NOT_NULL_FATAL(scratch);
    CU_ASSERT_PTR_NOT_NULL(scratch[0]);
    CU_ASSERT_STRING_EQUAL(scratch[1], "b+c"); /* a NUL-terminated copy of the view */
    void *code = scratch[0];
    EXPECT_BOOL(CALL(MATCH, S("xbc"), S("b+c")), 1);
    CU_ASSERT_PTR_EQUAL(((void **)ev.regex_scratch)[0], code); /* reused */
    EXPECT_STR(CALL(EXTRACT, S("k=v"), S("=(.)")), "v");
    CU_ASSERT_STRING_EQUAL(((void **)ev.regex_scratch)[1], "=(.)");
    EXPECT_BOOL(CALL(MATCH, S("b"), S("b+c")), 0);
    CU_ASSERT_STRING_EQUAL(((void **)ev.regex_scratch)[1], "b+c");
    /* a pattern with a NUL byte is used but not cached (the cache is
     * NUL-terminated); a prefix of it must not be taken for it */
    EXPECT_BOOL(CALL(MATCH, SN("a\0b", 3), SN("a\0b", 3)), 1);
    EXPECT_BOOL(CALL(MATCH, S("a"), SN("a\0b", 3)), 0);
    CU_ASSERT_STRING_EQUAL(((void **)ev.regex_scratch)[1], "b+c");
    EXPECT_BOOL(CALL(MATCH, S("a"), S("a")), 1);
    EXPECT_BOOL(CALL(MATCH, SN("a\0b", 3), SN("a\0c", 3)), 0);
    EXPECT_ERRORS(0);
}

static void test_regex_invalid_at_run_time(void)
{
    EXPECT_NULL(CALL(MATCH, S("abc"), S("(unclosed")));
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(EXTRACT, S("abc"), S("[z-a]")));
    EXPECT_ERRORS(2);
    EXPECT_NULL(CALL(CAPTURES, S("abc"), S("(?<1bad>x)")));
    EXPECT_ERRORS(3);
    EXPECT_BOOL(CALL(MATCH, S("abc"), S("b")), 1); /* still usable */
}

/* A call node as sp_eval_prepare leaves it: fn is the built-in's name and
 * rt the pattern compiled (with JIT) when the pattern was a constant. */
static sp_expr *prepared_call(int id, const char *pattern)
{
    sp_expr *fn = sp_arena_alloc(arena, sizeof *fn);
    fn->kind = SP_E_NAME;
    fn->u.name = sp_builtins[id].name;
    fn->resolution = SP_R_BUILTIN;
    fn->slot = id;
    sp_expr *call = sp_arena_alloc(arena, sizeof *call);
    call->kind = SP_E_CALL;
    call->u.call.fn = fn;
    call->resolution = SP_R_BUILTIN;
    call->slot = id;
    if (pattern) {
        sp_regex *re = sp_regex_prepare(pattern, strlen(pattern), arena);
        CU_ASSERT_PTR_NOT_NULL_FATAL(re);
        call->rt = re;
    }
    return call;
}

static void test_regex_precompiled_is_used(void)
{
    /* rt compiled from "^b" while the argument says "^a": which one runs
     * shows which one is used */
    sp_expr *m = prepared_call(SP_BUILTIN_MATCH, "^b");
    sp_expr *x = prepared_call(SP_BUILTIN_EXTRACT, "^(?<w>b+)");
    sp_expr *c = prepared_call(SP_BUILTIN_CAPTURES, "^(?<w>b+)");
    EXPECT_BOOL(CALL_AT(m, MATCH, S("bbb"), S("^a")), 1);
    EXPECT_STR(CALL_AT(x, EXTRACT, S("bbx"), S("^(a)")), "bb");
    EXPECT_STR(CALL_AT(x, EXTRACT, S("bbx"), S("^(a)"), S("w")), "bb");
    EXPECT_TEXT(CALL_AT(c, CAPTURES, S("bbx"), S("^(a)")), "{w: bb}");
    CU_ASSERT_PTR_NULL(ev.regex_scratch); /* nothing compiled at run time */
    /* a node for another built-in (fold calling match as a function value)
     * or not a call at all: the argument is compiled */
    EXPECT_BOOL(CALL_AT(x, MATCH, S("bbb"), S("^a")), 0);
    sp_expr *name = m->u.call.fn;
    EXPECT_BOOL(CALL_AT(name, MATCH, S("bbb"), S("^a")), 0);
    sp_expr *rec = sp_arena_alloc(arena, sizeof *rec);
    rec->kind = SP_E_RECORD;
    rec->rt = m->rt; /* a record's rt is its shape: never taken for a regex */
    EXPECT_BOOL(CALL_AT(rec, MATCH, S("aaa"), S("^a")), 1);
    EXPECT_ERRORS(0);
    sp_regex_free(m->rt);
    sp_regex_free(x->rt);
    sp_regex_free(c->rt);
}

/* In byte mode \S, \D and \W match each byte of a multi-byte character,
 * for prepared (JIT) patterns and run-time ones alike. */
static void test_regex_classes_match_multibyte_characters(void)
{
    sp_expr *c = prepared_call(SP_BUILTIN_CAPTURES, "^(?<host>\\S+) (?<n>caf\\D\\D)(?<w>\\W+)");
    EXPECT_TEXT(CALL_AT(c, CAPTURES, S("h\xc3\xa9 caf\xc3\xa9\xe2\x82\xac"), S("unused")),
                "{host: h\xc3\xa9, n: caf\xc3\xa9, w: \xe2\x82\xac}");
    sp_regex_free(c->rt);
    EXPECT_STR(CALL(EXTRACT, S("k=\xe2\x82\xac" "1 x"), S("=(\\S+)")), "\xe2\x82\xac" "1");
    EXPECT_BOOL(CALL(MATCH, S("\xc3\xa9"), S("^\\D\\D$")), 1);
    EXPECT_BOOL(CALL(MATCH, S("\xc3\xa9"), S("^\\W\\W$")), 1); /* \w is ASCII */
    EXPECT_ERRORS(0);
}

/* ======================================================================
 * Numbers
 * ====================================================================== */

static void test_to_int_from_strings(void)
{
    EXPECT_INT(CALL(TO_INT, S("42")), 42);
    EXPECT_INT(CALL(TO_INT, S("  -17 ")), -17);
    EXPECT_INT(CALL(TO_INT, S("+8")), 8);
    EXPECT_INT(CALL(TO_INT, S("007")), 7);
    EXPECT_INT(CALL(TO_INT, S("200\r\n")), 200);
    EXPECT_INT(CALL(TO_INT, S("9223372036854775807")), INT64_MAX);
    EXPECT_INT(CALL(TO_INT, S("-9223372036854775808")), INT64_MIN);
    EXPECT_NULL(CALL(TO_INT, S("9223372036854775808")));  /* overflow */
    EXPECT_NULL(CALL(TO_INT, S("-9223372036854775809")));
    EXPECT_NULL(CALL(TO_INT, S("99999999999999999999999")));
    EXPECT_INT(CALL(TO_INT, S("18446744073709551616"), I(-1)), -1);
    EXPECT_NULL(CALL(TO_INT, S("")));
    EXPECT_NULL(CALL(TO_INT, S("   ")));
    EXPECT_NULL(CALL(TO_INT, S("-")));
    EXPECT_NULL(CALL(TO_INT, S("12a")));
    EXPECT_NULL(CALL(TO_INT, S("1 2")));
    EXPECT_NULL(CALL(TO_INT, S("1.5")));
    EXPECT_NULL(CALL(TO_INT, S("0x10")));
    EXPECT_NULL(CALL(TO_INT, S("--1")));
    EXPECT_NULL(CALL(TO_INT, S("\xef\xbc\x91"))); /* a full-width digit */
    EXPECT_INT(CALL(TO_INT, S("-"), I(0)), 0);
    EXPECT_INT(CALL(TO_INT, SN("123456", 3)), 123);
    EXPECT_ERRORS(0);
}

static void test_to_int_from_other_values(void)
{
    EXPECT_INT(CALL(TO_INT, I(-5)), -5);
    EXPECT_INT(CALL(TO_INT, F(2.9)), 2);
    EXPECT_INT(CALL(TO_INT, F(-2.9)), -2); /* toward zero */
    EXPECT_INT(CALL(TO_INT, F(-0.5)), 0);
    EXPECT_INT(CALL(TO_INT, F(-9223372036854775808.0)), INT64_MIN);
    EXPECT_NULL(CALL(TO_INT, F(9223372036854775808.0)));
    EXPECT_INT(CALL(TO_INT, F(1e19), I(7)), 7);
    EXPECT_INT(CALL(TO_INT, F(-1e300), I(7)), 7);
    EXPECT_NULL(CALL(TO_INT, F(NAN)));
    EXPECT_NULL(CALL(TO_INT, F(INFINITY)));
    EXPECT_INT(CALL(TO_INT, B(1)), 1);
    EXPECT_INT(CALL(TO_INT, B(0)), 0);
    EXPECT_NULL(CALL(TO_INT, N()));
    EXPECT_INT(CALL(TO_INT, N(), I(3)), 3);
    EXPECT_NULL(CALL(TO_INT, S("x"), N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(TO_INT, LIST(I(1))));
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(TO_INT, S("1"), S("0"))); /* the default must be an int */
    EXPECT_ERRORS(2);
}

static void test_to_float(void)
{
    EXPECT_FLOAT(CALL(TO_FLOAT, S("1.5")), 1.5);
    EXPECT_FLOAT(CALL(TO_FLOAT, S(" -2e3 ")), -2000.0);
    EXPECT_FLOAT(CALL(TO_FLOAT, S(".25")), 0.25);
    EXPECT_FLOAT(CALL(TO_FLOAT, S("5.")), 5.0);
    EXPECT_FLOAT(CALL(TO_FLOAT, S("+1E-2")), 0.01);
    EXPECT_FLOAT(CALL(TO_FLOAT, S("42")), 42.0);
    EXPECT_FLOAT(CALL(TO_FLOAT, S("1e-400")), 0.0); /* underflow is fine */
    EXPECT_NULL(CALL(TO_FLOAT, S("1e999")));        /* overflow is not */
    EXPECT_NULL(CALL(TO_FLOAT, S("nan")));
    EXPECT_NULL(CALL(TO_FLOAT, S("NaN")));
    EXPECT_NULL(CALL(TO_FLOAT, S("inf")));
    EXPECT_NULL(CALL(TO_FLOAT, S("-Infinity")));
    EXPECT_NULL(CALL(TO_FLOAT, S("0x1p3")));
    EXPECT_NULL(CALL(TO_FLOAT, S("1.5kg")));
    EXPECT_NULL(CALL(TO_FLOAT, S("1e")));
    EXPECT_NULL(CALL(TO_FLOAT, S(".")));
    EXPECT_NULL(CALL(TO_FLOAT, S("")));
    EXPECT_NULL(CALL(TO_FLOAT, S("1,5")));
    EXPECT_FLOAT(CALL(TO_FLOAT, SN("2.5e3", 3)), 2.5); /* the view only */
    EXPECT_FLOAT(CALL(TO_FLOAT, S("x"), F(-1.0)), -1.0);
    EXPECT_FLOAT(CALL(TO_FLOAT, S("x"), I(-1)), -1.0); /* an int default as a float */
    EXPECT_FLOAT(CALL(TO_FLOAT, I(3)), 3.0);
    EXPECT_FLOAT(CALL(TO_FLOAT, F(-0.5)), -0.5);
    EXPECT_FLOAT(CALL(TO_FLOAT, B(1)), 1.0);
    EXPECT_NULL(CALL(TO_FLOAT, N()));
    EXPECT_FLOAT(CALL(TO_FLOAT, N(), F(0.5)), 0.5);
    /* longer than the stack buffer */
    char longnum[400];
    memset(longnum, '0', sizeof longnum - 3);
    strcpy(longnum + sizeof longnum - 3, "12");
    EXPECT_FLOAT(CALL(TO_FLOAT, S(longnum)), 12.0);
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(TO_FLOAT, TUPLE(I(1), I(2))));
    EXPECT_ERRORS(1);
}

/* to_string gives exactly what sp_value_print writes. */
static void test_to_string_matches_print(void)
{
    sp_shape *sh = sp_arena_alloc(arena, sizeof *sh);
    static const char *names[] = {"a", "b"};
    sh->n = 2;
    sh->names = names;
    sp_value rec = sp_record_new(arena, sh);
    rec.u.rec->vals[0] = I(1);
    rec.u.rec->vals[1] = LIST(S("x"), N(), F(0.5));
    sp_value values[] = {
        B(1), B(0), I(0), I(-42), I(INT64_MIN), F(2.0), F(-0.0), F(0.1), F(1.0 / 3), F(1e15), F(1e20), F(123456789.5),
        F(NAN), F(INFINITY), F(-INFINITY), S("plain"), TUPLE(I(1), S("a b"), F(1.5)), LIST(), LIST(I(1), LIST(I(2))),
        rec, builtin_fn(SP_BUILTIN_MAX),
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        sp_value v = CALL(TO_STRING, values[i]);
        const char *d = describe(values[i]);
        const char *want = strchr(d, ' ') + 1;
        expect_str(v, want, strlen(want), d, __LINE__);
    }
    EXPECT_STR(CALL(TO_STRING, F(2.0)), "2.0");
    EXPECT_STR(CALL(TO_STRING, F(0.1)), "0.1");
    EXPECT_STR(CALL(TO_STRING, F(1e20)), "1e+20");
    EXPECT_STR(CALL(TO_STRING, I(-42)), "-42");
    EXPECT_STR(CALL(TO_STRING, TUPLE(I(1), S("a"))), "(1,a)");
    EXPECT_STR(CALL(TO_STRING, rec), "{a: 1, b: [x, null, 0.5]}");
    EXPECT_STR(CALL(TO_STRING, SN("abc", 2)), "ab");
    EXPECT_NULL(CALL(TO_STRING, N()));
    EXPECT_ERRORS(0);
}

static void test_format(void)
{
    EXPECT_STR(CALL(FORMAT, S("%d items"), I(3)), "3 items");
    EXPECT_STR(CALL(FORMAT, S("[%5d|%-5d|%05d|%+d|% d]"), I(42), I(42), I(42), I(42), I(42)),
               "[   42|42   |00042|+42| 42]");
    EXPECT_STR(CALL(FORMAT, S("%i %d"), I(INT64_MIN), I(INT64_MAX)), "-9223372036854775808 9223372036854775807");
    EXPECT_STR(CALL(FORMAT, S("%#d|%#5i"), I(7), I(8)), "7|    8"); /* '#' means nothing for %d */
    EXPECT_STR(CALL(FORMAT, S("%x %X %#x %08x"), I(255), I(255), I(255), I(48879)), "ff FF 0xff 0000beef");
    EXPECT_STR(CALL(FORMAT, S("%x"), I(-1)), "ffffffffffffffff");
    EXPECT_STR(CALL(FORMAT, S("%.2f"), F(3.14159)), "3.14");
    EXPECT_STR(CALL(FORMAT, S("%8.3f|%-8.1f|"), F(2.5), F(-2.25)), "   2.500|-2.2    |");
    EXPECT_STR(CALL(FORMAT, S("%f"), F(1.5)), "1.500000");
    EXPECT_STR(CALL(FORMAT, S("%e"), F(12345.678)), "1.234568e+04");
    EXPECT_STR(CALL(FORMAT, S("%.3e"), F(0.00012345)), "1.234e-04");
    EXPECT_STR(CALL(FORMAT, S("%g %g"), F(0.0001), F(1e20)), "0.0001 1e+20");
    EXPECT_STR(CALL(FORMAT, S("%s=%s"), S("k"), S("v")), "k=v");
    EXPECT_STR(CALL(FORMAT, S("[%6s|%-6s|%.2s]"), S("ab"), S("ab"), S("abcdef")), "[    ab|ab    |ab]");
    EXPECT_STR(CALL(FORMAT, S("100%% done")), "100% done");
    EXPECT_STR(CALL(FORMAT, S("no spec")), "no spec");
    EXPECT_STR(CALL(FORMAT, S("")), "");
    EXPECT_STR(CALL(FORMAT, SN("%d%d", 2), I(1), I(2)), "1"); /* the view only */
    EXPECT_ERRORS(0);
}

static void test_format_converts_arguments(void)
{
    EXPECT_STR(CALL(FORMAT, S("%.1f"), I(2)), "2.0");
    EXPECT_STR(CALL(FORMAT, S("%d"), F(-2.9)), "-2");
    EXPECT_STR(CALL(FORMAT, S("%d"), S(" 17 ")), "17");
    EXPECT_STR(CALL(FORMAT, S("%.2f"), S("2.345e1")), "23.45");
    EXPECT_STR(CALL(FORMAT, S("%d %d"), B(1), B(0)), "1 0");
    EXPECT_STR(CALL(FORMAT, S("%s %s %s"), I(5), F(0.5), B(1)), "5 0.5 true");
    EXPECT_STR(CALL(FORMAT, S("%s"), LIST(I(1), I(2))), "[1, 2]");
    EXPECT_STR(CALL(FORMAT, S("%s|%d|%5.1f|"), N(), N(), N()), "null|null| null|"); /* null prints */
    EXPECT_STR(CALL(FORMAT, S("%d"), S("abc")), "abc");   /* not a number: its text */
    EXPECT_STR(CALL(FORMAT, S("%5d|"), F(NAN)), "  NaN|");
    EXPECT_STR(CALL(FORMAT, S("%s and %s"), I(1), I(2), I(3)), "1 and 2"); /* extra arguments are ignored */
    EXPECT_NULL(CALL(FORMAT, N(), I(1)));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(FORMAT, I(1)));
    EXPECT_ERRORS(1);
}

static void test_format_bad_specs_copied(void)
{
    EXPECT_STR(CALL(FORMAT, S("%q %d"), I(1)), "%q 1");
    EXPECT_STR(CALL(FORMAT, S("%ld"), I(1)), "%ld");
    EXPECT_STR(CALL(FORMAT, S("%*d"), I(1)), "%*d");
    EXPECT_STR(CALL(FORMAT, S("%n"), I(1)), "%n");
    EXPECT_STR(CALL(FORMAT, S("%d and %d"), I(1)), "1 and %d"); /* no argument left */
    EXPECT_STR(CALL(FORMAT, S("50%")), "50%");
    EXPECT_STR(CALL(FORMAT, S("%-")), "%-");
    EXPECT_STR(CALL(FORMAT, S("%5%d"), I(7)), "%57");
    EXPECT_STR(CALL(FORMAT, S("%99999d"), I(1)), "%99999d"); /* width beyond 4096 */
    EXPECT_STR(CALL(FORMAT, S("%.99999f"), F(1.0)), "%.99999f");
    EXPECT_ERRORS(0);
    sp_value wide = CALL(FORMAT, S("%4096d"), I(1));
    CU_ASSERT_EQUAL(wide.n, 4096);
}

static void test_min_max(void)
{
    EXPECT_INT(CALL(MIN, I(3), I(-7)), -7);
    EXPECT_INT(CALL(MAX, I(3), I(-7)), 3);
    EXPECT_INT(CALL(MAX, I(INT64_MIN), I(INT64_MAX)), INT64_MAX);
    EXPECT_FLOAT(CALL(MIN, I(1), F(2.5)), 1.0); /* int if both are */
    EXPECT_FLOAT(CALL(MAX, I(1), F(2.5)), 2.5);
    EXPECT_FLOAT(CALL(MAX, F(-0.5), F(-1.5)), -0.5);
    EXPECT_FLOAT(CALL(MIN, F(NAN), I(1)), NAN);
    EXPECT_NULL(CALL(MIN, N(), I(1)));
    EXPECT_NULL(CALL(MAX, I(1), N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(MAX, S("a"), S("b")));
    EXPECT_ERRORS(1);
}

static void test_abs_round_floor_ceil(void)
{
    EXPECT_INT(CALL(ABS, I(-5)), 5);
    EXPECT_INT(CALL(ABS, I(5)), 5);
    EXPECT_FLOAT(CALL(ABS, I(INT64_MIN)), 9223372036854775808.0);
    EXPECT_FLOAT(CALL(ABS, F(-2.5)), 2.5);
    EXPECT_INT(CALL(ROUND, F(2.5)), 3); /* half away from zero */
    EXPECT_INT(CALL(ROUND, F(-2.5)), -3);
    EXPECT_INT(CALL(ROUND, F(2.4999)), 2);
    EXPECT_INT(CALL(ROUND, F(0.49999999999999994)), 0);
    EXPECT_INT(CALL(ROUND, F(-0.4)), 0);
    EXPECT_INT(CALL(ROUND, I(7)), 7);
    EXPECT_INT(CALL(FLOOR, F(-1.5)), -2);
    EXPECT_INT(CALL(FLOOR, F(1.5)), 1);
    EXPECT_INT(CALL(CEIL, F(-1.5)), -1);
    EXPECT_INT(CALL(CEIL, F(1.2)), 2);
    EXPECT_INT(CALL(CEIL, F(-0.0)), 0);
    EXPECT_INT(CALL(FLOOR, I(INT64_MIN)), INT64_MIN);
    EXPECT_INT(CALL(FLOOR, F(-9223372036854775808.0)), INT64_MIN);
    EXPECT_NULL(CALL(ROUND, N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(CEIL, F(1e19))); /* out of range of an int */
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(ROUND, F(NAN)));
    EXPECT_ERRORS(2);
    EXPECT_NULL(CALL(FLOOR, S("1")));
    EXPECT_ERRORS(3);
    EXPECT_NULL(CALL(ABS, B(1)));
    EXPECT_ERRORS(4);
}

/* ======================================================================
 * Time
 * ====================================================================== */

#define APACHE "%d/%b/%Y:%H:%M:%S %z"

static void test_parse_time_apache_time_zones(void)
{
    EXPECT_INT(CALL(PARSE_TIME, S("10/Oct/2000:13:55:36 -0700"), S(APACHE)), INT64_C(971211336000));
    EXPECT_INT(CALL(PARSE_TIME, S("01/Mar/2024:09:15:00 +0330"), S(APACHE)), INT64_C(1709271900000));
    EXPECT_INT(CALL(PARSE_TIME, S("01/Mar/2024:05:45:00 +0000"), S(APACHE)), INT64_C(1709271900000));
    EXPECT_INT(CALL(PARSE_TIME, S("01/Mar/2024:05:45:00 Z"), S(APACHE)), INT64_C(1709271900000));
    EXPECT_INT(CALL(PARSE_TIME, S("01/Mar/2024:09:15:00 +03:30"), S(APACHE)), INT64_C(1709271900000));
    EXPECT_INT(CALL(PARSE_TIME, S("29/Feb/2024:23:30:00 -0630"), S(APACHE)),
               INT64_C(1709208000000) + (11 * 60 + 30 + 6 * 60 + 30) * 60000LL);
    EXPECT_INT(CALL(PARSE_TIME, S("10/oct/2000:13:55:36 -0700"), S(APACHE)), INT64_C(971211336000));
    EXPECT_INT(CALL(PARSE_TIME, S("10/OCT/2000:13:55:36 -0700"), S(APACHE)), INT64_C(971211336000));
    EXPECT_NULL(CALL(PARSE_TIME, S("10/Oct/2000:13:55:36 0700"), S(APACHE)));
    EXPECT_NULL(CALL(PARSE_TIME, S("10/Oct/2000:13:55:36 +07"), S(APACHE "x")));
    EXPECT_NULL(CALL(PARSE_TIME, S("10/Oct/2000:13:55:36 +2400"), S(APACHE)));
    EXPECT_NULL(CALL(PARSE_TIME, S("10/Oct/2000:13:55:36 +0760"), S(APACHE)));
    EXPECT_NULL(CALL(PARSE_TIME, S("10/Oct/2000:13:55:36 +070"), S(APACHE)));
    EXPECT_NULL(CALL(PARSE_TIME, S("10/Okt/2000:13:55:36 -0700"), S(APACHE)));
    EXPECT_ERRORS(0);
}

static void test_parse_time_leap_years(void)
{
    EXPECT_INT(CALL(PARSE_TIME, S("2024-02-29 12:00:00"), S("%Y-%m-%d %H:%M:%S")), INT64_C(1709208000000));
    EXPECT_INT(CALL(PARSE_TIME, S("2000-02-29"), S("%Y-%m-%d")), INT64_C(951782400000));
    EXPECT_NULL(CALL(PARSE_TIME, S("2023-02-29"), S("%Y-%m-%d")));
    EXPECT_NULL(CALL(PARSE_TIME, S("1900-02-29"), S("%Y-%m-%d"))); /* century, not a leap year */
    EXPECT_NULL(CALL(PARSE_TIME, S("2100-02-29"), S("%Y-%m-%d")));
    EXPECT_NULL(CALL(PARSE_TIME, S("2024-02-30"), S("%Y-%m-%d")));
    EXPECT_INT(CALL(PARSE_TIME, S("1900-03-01"), S("%F")), INT64_C(-2203891200000));
    EXPECT_INT(CALL(PARSE_TIME, S("29/Feb/2024:12:00:00 +0000"), S(APACHE)), INT64_C(1709208000000));
    EXPECT_NULL(CALL(PARSE_TIME, S("29/Feb/2023:12:00:00 +0000"), S(APACHE)));
    EXPECT_ERRORS(0);
}

static void test_parse_time_rejects_invalid(void)
{
    const char *fmt = "%Y-%m-%d %H:%M:%S";
    const char *bad[] = {
        "2024-13-01 00:00:00", "2024-00-10 00:00:00", "2024-04-31 00:00:00", "2024-01-00 00:00:00",
        "2024-01-32 00:00:00", "2024-01-01 24:00:00", "2024-01-01 23:60:00", "2024-01-01 23:59:61",
        "2024-01-01 23:59:59x", "2024-01-01 23:59", "2024-01-01", "", "2024-1x-01 00:00:00",
        "2024/01/01 00:00:00", "-2024-01-01 00:00:00", "2024-01-01 23:59:59 ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sp_value v = CALL(PARSE_TIME, S(bad[i]), S(fmt));
        report(v.tag == SP_V_NULL, __LINE__, "parse_time(\"%s\"): expected null, got %s", bad[i], describe(v));
    }
    EXPECT_INT(CALL(PARSE_TIME, S("2024-01-01 23:59:60"), S(fmt)), INT64_C(1704153600000)); /* a leap second */
    EXPECT_INT(CALL(PARSE_TIME, S("2024-1-2 3:4:5"), S(fmt)),
               INT64_C(1704153600000) + 3 * 3600000 + 4 * 60000 + 5000);
    /* the view only: "23:59:5" */
    EXPECT_INT(CALL(PARSE_TIME, SN("2024-01-01 23:59:59", 18), S(fmt)), INT64_C(1704153545000));
    EXPECT_NULL(CALL(PARSE_TIME, SN("2024-01-01 23:59:59", 17), S(fmt)));
    EXPECT_INT(CALL(PARSE_TIME, SN("2024-01-01 00:00:05", 19), S(fmt)), INT64_C(1704067205000));
    EXPECT_ERRORS(0);
}

static void test_parse_time_directives(void)
{
    EXPECT_INT(CALL(PARSE_TIME, S("915520089"), S("%s")), INT64_C(915520089000));
    EXPECT_INT(CALL(PARSE_TIME, S("-1"), S("%s")), -1000);
    EXPECT_INT(CALL(PARSE_TIME, S("1709205296.789"), S("%s.%L")), NOW_MS);
    EXPECT_NULL(CALL(PARSE_TIME, S("99999999999999999"), S("%s"))); /* beyond int64 milliseconds */
    EXPECT_INT(CALL(PARSE_TIME, S("05/01/99 07:08:09"), S("%d/%m/%y %T")), INT64_C(915520089000));
    EXPECT_INT(CALL(PARSE_TIME, S("05/01/68"), S("%d/%m/%y")), INT64_C(3092947200000)); /* 2068 */
    EXPECT_INT(CALL(PARSE_TIME, S("Jan  5 1999"), S("%b %e %Y")), INT64_C(915494400000));
    EXPECT_INT(CALL(PARSE_TIME, S("Jan 5 1999"), S("%b %e %Y")), INT64_C(915494400000));
    EXPECT_INT(CALL(PARSE_TIME, S("January 5 1999"), S("%B %d %Y")), INT64_C(915494400000));
    EXPECT_INT(CALL(PARSE_TIME, S("Tue, 05 Jan 1999"), S("%a, %d %b %Y")), INT64_C(915494400000));
    EXPECT_INT(CALL(PARSE_TIME, S("1999 005"), S("%Y %j")), INT64_C(915494400000));
    EXPECT_INT(CALL(PARSE_TIME, S("2024 366"), S("%Y %j")), INT64_C(1735603200000));
    EXPECT_NULL(CALL(PARSE_TIME, S("2023 366"), S("%Y %j")));
    EXPECT_INT(CALL(PARSE_TIME, S("100% 1999-01-05"), S("100%% %F")), INT64_C(915494400000));
    EXPECT_INT(CALL(PARSE_TIME, S("1999-01-05T07:08:09.123Z"), S("%FT%T.%L%z")), INT64_C(915520089123));
    EXPECT_NULL(CALL(PARSE_TIME, S("1999-01-05T07:08:09.12Z"), S("%FT%T.%L%z")));
    /* whitespace in the format matches any run of blanks (or none) */
    EXPECT_INT(CALL(PARSE_TIME, S("1999-01-05   \t07:08:09"), S("%F %T")), INT64_C(915520089000));
    EXPECT_INT(CALL(PARSE_TIME, S("1999-01-0507:08:09"), S("%F %T")), INT64_C(915520089000));
    EXPECT_INT(CALL(PARSE_TIME, S("1969-12-31 23:59:59"), S("%F %T")), -1000);
    EXPECT_INT(CALL(PARSE_TIME, S("0001-01-01"), S("%F")), INT64_C(-62135596800000));
    EXPECT_INT(CALL(PARSE_TIME, S("9999-12-31 23:59:59"), S("%F %T")), INT64_C(253402300799000));
    EXPECT_INT(CALL(PARSE_TIME, S("12:00"), S("%H:%M")), 12 * 3600000); /* 1970-01-01 by default */
    EXPECT_NULL(CALL(PARSE_TIME, N(), S("%F")));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(PARSE_TIME, S("2024"), S("%Q")));
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(PARSE_TIME, S("2024"), S("%Y%")));
    EXPECT_ERRORS(2);
    EXPECT_NULL(CALL(PARSE_TIME, I(2024), S("%Y")));
    EXPECT_ERRORS(3);
}

static void test_format_time(void)
{
    EXPECT_STR(CALL(FORMAT_TIME, I(NOW_MS), S("%a %A %b %B %d %e %j %y %Y %H:%M:%S.%L")),
               "Thu Thursday Feb February 29 29 060 24 2024 11:14:56.789");
    EXPECT_STR(CALL(FORMAT_TIME, I(NOW_MS), S("%FT%T%z %s %%")), "2024-02-29T11:14:56+0000 1709205296 %");
    EXPECT_STR(CALL(FORMAT_TIME, I(0), S("%F %T.%L %a")), "1970-01-01 00:00:00.000 Thu");
    EXPECT_STR(CALL(FORMAT_TIME, I(-1), S("%F %T.%L %s")), "1969-12-31 23:59:59.999 -1");
    EXPECT_STR(CALL(FORMAT_TIME, I(INT64_C(915494400000)), S("%e|%j|%y")), " 5|005|99");
    EXPECT_STR(CALL(FORMAT_TIME, I(INT64_C(1735603200000)), S("%j %a")), "366 Tue");
    EXPECT_STR(CALL(FORMAT_TIME, I(INT64_C(-2203891200000)), S("%F %A")), "1900-03-01 Thursday");
    EXPECT_STR(CALL(FORMAT_TIME, I(INT64_C(-62135596800000)), S("%F %a")), "0001-01-01 Mon");
    EXPECT_STR(CALL(FORMAT_TIME, I(INT64_C(-62135596800000) - 86400000), S("%F")), "0000-12-31");
    EXPECT_STR(CALL(FORMAT_TIME, I(INT64_C(-62198755200000)), S("%F %y")), "-0001-01-01 99");
    EXPECT_STR(CALL(FORMAT_TIME, I(INT64_MIN), S("%F %T.%L")), "-292275055-05-16 16:47:04.192");
    EXPECT_STR(CALL(FORMAT_TIME, I(INT64_MAX), S("%F %T.%L")), "292278994-08-17 07:12:55.807");
    EXPECT_STR(CALL(FORMAT_TIME, I(0), S("%Q %")), "%Q %"); /* unknown: as written */
    EXPECT_STR(CALL(FORMAT_TIME, I(0), S("")), "");
    EXPECT_STR(CALL(FORMAT_TIME, I(0), SN("%Y%m", 2)), "1970");
    EXPECT_NULL(CALL(FORMAT_TIME, N(), S("%F")));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(FORMAT_TIME, S("0"), S("%F")));
    EXPECT_ERRORS(1);
}

/* parse_time(format_time(t, f), f) == t over a wide range of times. */
static void test_time_round_trip(void)
{
    const char *fmt = "%Y-%m-%dT%H:%M:%S.%L%z";
    int failures = 0;
    for (int64_t t = INT64_C(-62135596800000); t < INT64_C(253402300799000); t += INT64_C(7777777777)) {
        sp_value text = CALL(FORMAT_TIME, I(t), S(fmt));
        sp_value back = CALL(PARSE_TIME, text, S(fmt));
        if ((back.tag != SP_V_INT || back.u.i != t) && failures++ < 5)
            report(0, __LINE__, "t=%" PRId64 ": \"%s\" parsed back as %s", t, describe(text), describe(back));
    }
    /* every day of 1999-2001 and 2099-2101 (leap-year rules) */
    for (int base = 0; base < 2; base++) {
        int64_t start = base ? INT64_C(4070908800000) : INT64_C(915148800000);
        for (int64_t d = -400; d < 1100; d++) {
            int64_t t = start + d * 86400000;
            sp_value text = CALL(FORMAT_TIME, I(t), S("%d/%b/%Y:%H:%M:%S %z"));
            sp_value back = CALL(PARSE_TIME, text, S(APACHE));
            if ((back.tag != SP_V_INT || back.u.i != t) && failures++ < 5)
                report(0, __LINE__, "t=%" PRId64 ": \"%s\" parsed back as %s", t, describe(text), describe(back));
        }
    }
    CU_ASSERT_EQUAL(failures, 0);
    EXPECT_ERRORS(0);
}

static void test_truncate_time_and_now(void)
{
    EXPECT_INT(CALL(TRUNCATE_TIME, I(NOW_MS), I(60000)), INT64_C(1709205240000));
    EXPECT_INT(CALL(TRUNCATE_TIME, I(NOW_MS), I(86400000)), INT64_C(1709164800000));
    EXPECT_INT(CALL(TRUNCATE_TIME, I(60000), I(60000)), 60000);
    EXPECT_INT(CALL(TRUNCATE_TIME, I(-1), I(1000)), -1000); /* floor, not toward zero */
    EXPECT_INT(CALL(TRUNCATE_TIME, I(-1000), I(1000)), -1000);
    EXPECT_INT(CALL(TRUNCATE_TIME, I(-1001), I(1000)), -2000);
    EXPECT_INT(CALL(TRUNCATE_TIME, I(INT64_MAX), I(1)), INT64_MAX);
    EXPECT_INT(CALL(TRUNCATE_TIME, I(INT64_MIN), I(2)), INT64_MIN);
    EXPECT_NULL(CALL(TRUNCATE_TIME, N(), I(1000)));
    EXPECT_INT(CALL(NOW), NOW_MS);
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(TRUNCATE_TIME, I(5), I(0)));
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(TRUNCATE_TIME, I(5), I(-10)));
    EXPECT_ERRORS(2);
    EXPECT_NULL(CALL(TRUNCATE_TIME, I(INT64_MIN), I(1000))); /* the floor is below INT64_MIN */
    EXPECT_ERRORS(3);
    EXPECT_NULL(CALL(TRUNCATE_TIME, F(5.0), I(1)));
    EXPECT_ERRORS(4);
}

/* ======================================================================
 * Nulls, lists, hashing
 * ====================================================================== */

static void test_coalesce_is_null(void)
{
    EXPECT_INT(CALL(COALESCE, N(), I(2), I(3)), 2);
    EXPECT_STR(CALL(COALESCE, S("a"), N()), "a");
    EXPECT_BOOL(CALL(COALESCE, N(), B(0)), 0);
    EXPECT_NULL(CALL(COALESCE, N(), N(), N()));
    EXPECT_BOOL(CALL(IS_NULL, N()), 1);
    EXPECT_BOOL(CALL(IS_NULL, I(0)), 0);
    EXPECT_BOOL(CALL(IS_NULL, S("")), 0);
    EXPECT_ERRORS(0);
}

static void test_fold_with_builtin_function(void)
{
    sp_value xs = LIST(I(3), I(9), I(-2), I(5));
    EXPECT_INT(CALL(FOLD, xs, I(0), builtin_fn(SP_BUILTIN_MAX)), 9);
    EXPECT_INT(CALL(FOLD, xs, I(100), builtin_fn(SP_BUILTIN_MIN)), -2);
    EXPECT_FLOAT(CALL(FOLD, xs, F(0.5), builtin_fn(SP_BUILTIN_MAX)), 9.0);
    EXPECT_INT(CALL(FOLD, LIST(), I(7), builtin_fn(SP_BUILTIN_MAX)), 7);
    EXPECT_INT(CALL(FOLD, N(), I(7), builtin_fn(SP_BUILTIN_MAX)), 7); /* null list: the start */
    EXPECT_NULL(CALL(FOLD, N(), N(), builtin_fn(SP_BUILTIN_MAX)));
    /* coalesce keeps the first non-null it has seen */
    EXPECT_STR(CALL(FOLD, LIST(N(), S("a"), S("b")), N(), builtin_fn(SP_BUILTIN_COALESCE)), "a");
    /* max with a null accumulator gives null, and null stays */
    EXPECT_NULL(CALL(FOLD, xs, N(), builtin_fn(SP_BUILTIN_MAX)));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(FOLD, I(1), I(0), builtin_fn(SP_BUILTIN_MAX)));
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(FOLD, xs, I(0), I(1)));
    EXPECT_ERRORS(2);
    /* a function of the wrong arity reports once per item and gives null */
    EXPECT_NULL(CALL(FOLD, LIST(I(1)), I(0), builtin_fn(SP_BUILTIN_LENGTH)));
    EXPECT_ERRORS(3);
}

static void test_sum_list(void)
{
    EXPECT_INT(CALL(SUM_LIST, LIST(I(1), I(2), I(3))), 6);
    EXPECT_INT(CALL(SUM_LIST, LIST()), 0);
    EXPECT_INT(CALL(SUM_LIST, LIST(I(1), N(), I(2))), 3); /* nulls skipped */
    EXPECT_FLOAT(CALL(SUM_LIST, LIST(I(1), F(0.5))), 1.5);
    EXPECT_FLOAT(CALL(SUM_LIST, LIST(I(INT64_MAX), I(1))), 9223372036854775808.0); /* overflow */
    EXPECT_FLOAT(CALL(SUM_LIST, LIST(I(INT64_MAX), I(INT64_MAX), I(-INT64_MAX))), 9223372036854775807.0);
    EXPECT_INT(CALL(SUM_LIST, LIST(I(INT64_MAX), I(-1), I(1))), INT64_MAX);
    EXPECT_NULL(CALL(SUM_LIST, N()));
    EXPECT_ERRORS(0);
    EXPECT_NULL(CALL(SUM_LIST, LIST(I(1), S("2"))));
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(SUM_LIST, I(1)));
    EXPECT_ERRORS(2);
}

/* A map's pairs come sorted by key, as sp_value_compare orders them: for
 * string keys (sorted by their first 16 bytes as numbers, then the rest),
 * keys that share long prefixes, prefixes of one another, high bytes and
 * NUL bytes; and for keys of mixed types. */
/* sp_value_equal_inline (the probes of the hash tables) compares strings
 * by words of 8 and 4 bytes: every length from 0 to 40, equal, and
 * different in each single byte; equal to what sp_value_compare says. */
static void test_string_equality_every_length(void)
{
    char a[41], b[41];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] = (char)('a' + (i * 7) % 26);
        sp_value x = sp_str(a, n), y = sp_str(b, n);
        CU_ASSERT_TRUE(sp_value_equal_inline(x, y));
        CU_ASSERT_TRUE(sp_value_equal(x, y));
        for (size_t i = 0; i < n; i++) {
            b[i] ^= 1;
            report(!sp_value_equal_inline(x, y) && sp_value_compare(x, y) != 0, __LINE__,
                   "strings of %zu bytes differing in byte %zu compare equal", n, i);
            b[i] ^= 1;
        }
        if (n) /* a shorter string is not equal */
            CU_ASSERT_FALSE(sp_value_equal_inline(x, sp_str(b, n - 1)));
    }
}

static void test_map_sorted_pairs(void)
{
    enum { N = 5000 };
    static const char *stems[] = {"", "a", "192.168.", "/images/NASA-logosmall", "\xff\xfe", "ab\0", "zz"};
    for (int mixed = 0; mixed < 2; mixed++) {
        sp_map m;
        sp_map_init(&m);
        unsigned seed = 7;
        for (int i = 0; i < N; i++) {
            seed = seed * 1103515245u + 12345u;
            const char *stem = stems[(seed >> 16) % 7];
            size_t sl = stem == stems[5] ? 3 : strlen(stem);
            size_t extra = (seed >> 8) % 24;
            char *k = sp_arena_alloc(arena, sl + extra + 1);
            memcpy(k, stem, sl);
            for (size_t j = 0; j < extra; j++) {
                seed = seed * 1103515245u + 12345u;
                k[sl + j] = (char)(j % 3 ? '0' + (seed >> 16) % 3 : (seed >> 16) & 0xff);
            }
            sp_value key = sp_str(k, sl + extra);
            if (mixed && i % 5 == 0)
                key = i % 10 ? sp_int(i) : sp_float(i + 0.5);
            *sp_map_put(&m, key, NULL) = sp_int(i);
        }
        size_t n;
        sp_value *pairs = sp_map_sorted_pairs(&m, arena, &n);
        CU_ASSERT_EQUAL(n, m.n);
        int ordered = 1, found = 1;
        for (size_t i = 0; i < n; i++) {
            if (i && sp_value_compare(pairs[i - 1].u.items[0], pairs[i].u.items[0]) >= 0)
                ordered = 0;
            const sp_value *v = sp_map_get(&m, pairs[i].u.items[0]);
            if (!v || v->u.i != pairs[i].u.items[1].u.i)
                found = 0;
        }
        CU_ASSERT(ordered);
        CU_ASSERT(found);
        CU_ASSERT(n > N / 2);
        sp_map_free(&m);
    }
}

static void test_hash(void)
{
    sp_value vals[] = {S("abc"), I(42), F(1.5), N(), LIST(I(1), S("x")), TUPLE(B(1), I(2))};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        EXPECT_INT(CALL(HASH, vals[i]), (int64_t)sp_value_hash_stable(vals[i]));
    /* documented in docs/language.md: stable across versions */
    EXPECT_INT(CALL(HASH, S("10.0.0.1")), -1991534554907812239);
    /* the tables' hash agrees with equality: 1 == 1.0, equal strings at
     * other addresses, equal tuples; and tells apart what differs */
    char buf[32] = "a longer string, 9+ bytes";
    CU_ASSERT_EQUAL(sp_value_hash(I(7)), sp_value_hash(F(7.0)));
    CU_ASSERT_EQUAL(sp_value_hash(S("a longer string, 9+ bytes")), sp_value_hash(SN(buf, strlen(buf))));
    CU_ASSERT_EQUAL(sp_value_hash(TUPLE(I(1), S("x"))), sp_value_hash(TUPLE(F(1.0), S("x"))));
    CU_ASSERT_NOT_EQUAL(sp_value_hash(S("abcdefgh1")), sp_value_hash(S("abcdefgh2")));
    CU_ASSERT_NOT_EQUAL(sp_value_hash(S("ab")), sp_value_hash(SN("ab\0", 3)));
    CU_ASSERT_NOT_EQUAL(sp_value_hash(I(1)), sp_value_hash(I(2)));
    sp_value a = CALL(HASH, I(1)), b = CALL(HASH, F(1.0));
    CU_ASSERT_EQUAL(a.tag, SP_V_INT);
    CU_ASSERT_EQUAL(a.u.i, b.u.i); /* 1 == 1.0 */
    a = CALL(HASH, SN("abcdef", 3));
    b = CALL(HASH, S("abc"));
    CU_ASSERT_EQUAL(a.u.i, b.u.i);
    CU_ASSERT_NOT_EQUAL(CALL(HASH, S("abc")).u.i, CALL(HASH, S("abd")).u.i);
    EXPECT_ERRORS(0);
}

/* ======================================================================
 * Calling conventions
 * ====================================================================== */

static void test_arity_and_function_values(void)
{
    EXPECT_NULL(call_at(NULL, SP_BUILTIN_LENGTH, NULL, 0));
    EXPECT_ERRORS(1);
    EXPECT_NULL(CALL(LENGTH, S("a"), S("b")));
    EXPECT_ERRORS(2);
    EXPECT_NULL(CALL(SUBSTR, S("a"), I(0), I(1), I(2)));
    EXPECT_ERRORS(3);
    EXPECT_NULL(CALL(NOW, I(1)));
    EXPECT_ERRORS(4);
    EXPECT_NULL(call_at(NULL, -1, NULL, 0));
    EXPECT_ERRORS(5);
    EXPECT_NULL(call_at(NULL, SP_BUILTIN_COUNT_, NULL, 0));
    EXPECT_ERRORS(6);
    /* applied to one tuple, as `map max` on pairs: its items are the arguments */
    EXPECT_INT(CALL(MAX, TUPLE(I(3), I(8))), 8);
    EXPECT_STR(CALL(SUBSTR, TUPLE(S("abcdef"), I(1), I(2))), "bc");
    EXPECT_INT(CALL(COALESCE, TUPLE(N(), N(), I(4))), 4);
    EXPECT_NULL(CALL(MAX, N())); /* a null pair: null arguments */
    EXPECT_ERRORS(6);
    EXPECT_NULL(CALL(MAX, TUPLE(I(1), I(2), I(3))));
    EXPECT_ERRORS(7);
    EXPECT_INT(CALL(LENGTH, LIST(TUPLE(I(1), I(2)))), 1);
    /* through sp_eval_apply, as the evaluator calls a function value */
    sp_value r = sp_eval_apply(&ev, builtin_fn(SP_BUILTIN_UPPER), ARGS(S("ab")), 1, NULL);
    EXPECT_STR(r, "AB");
    EXPECT_ERRORS(7);
}

/* ======================================================================
 * Through the checker and the evaluator
 * ====================================================================== */

typedef struct program {
    sp_diag *d;
    sp_arena *a;
    sp_program *p;
} program;

/* Loads (with the prelude), checks and prepares `text`. */
static int program_load(program *pg, const char *text)
{
    pg->d = sp_diag_new(NULL);
    pg->a = sp_arena_new();
    pg->p = sp_load_string(pg->d, pg->a, "test.sp", text, strlen(text), NULL);
    if (!pg->p || sp_diag_errors(pg->d))
        return 0;
    if (sp_check(pg->p, pg->d, pg->a, NULL, 0, NULL) != SP_CHECK_OK)
        return 0;
    return sp_eval_prepare(pg->p, pg->d, pg->a) == 0;
}

static void program_free(program *pg)
{
    if (pg->p)
        sp_eval_unprepare(pg->p);
    sp_arena_free(pg->a);
    sp_diag_free(pg->d);
}

/* Calls the language function `name` (of the main file or a library). */
static sp_value program_call(program *pg, const char *name, const sp_value *args, int n)
{
    const sp_stmt *lists[2] = {pg->p->stmts, pg->p->library};
    for (int k = 0; k < 2; k++)
        for (const sp_stmt *s = lists[k]; s; s = s->next)
            if (s->kind == SP_S_FN && strcmp(s->name, name) == 0) {
                sp_funcval *f = sp_arena_alloc(arena, sizeof *f);
                f->kind = 0;
                f->def = s;
                sp_value fv = {SP_V_FUNC, 0, {.fn = f}};
                return sp_eval_apply(&ev, fv, args, n, NULL);
            }
    report(0, __LINE__, "no function '%s'", name);
    return sp_null();
}

#define PCALL(pg, name, ...) program_call((pg), (name), ARGS(__VA_ARGS__), NARGS(__VA_ARGS__))

/* fn (`name`), a function the evaluator runs in C, applied to args in C
 * (*fast) and by its written definition (*slow); 1 when both give the same
 * value of the same type and report as many errors. */
static int native_same(program *pg, sp_stmt *fn, const char *name, const sp_value *args, int n, sp_value *fast,
                       sp_value *slow)
{
    uint64_t e0 = ev.errors;
    *fast = program_call(pg, name, args, n);
    uint64_t e1 = ev.errors;
    int keep = fn->native;
    fn->native = 0;
    *slow = program_call(pg, name, args, n);
    fn->native = keep;
    return fast->tag == slow->tag && sp_value_compare(*fast, *slow) == 0 && e1 - e0 == ev.errors - e1;
}

static void test_through_evaluator_prelude(void)
{
    program pg;
    int ok = program_load(&pg, "fn biggest(xs) = fold(xs, 0, max)\n"
                               "fn total(xs) = fold(xs, 0, sum)\n"
                               "fn ip(line) = extract(line, '^(\\d+\\.\\d+\\.\\d+\\.\\d+) ')\n"
                               "source s = stdin()\n"
                               "s | map ip | map [length(it), 2] | map (biggest(it), total(it))"
                               " | sink stdout\n");
    report(ok, __LINE__, "the program does not load or check: %s",
           sp_diag_count(pg.d) ? sp_diag_message(pg.d, 0) : "(no message)");
    if (ok) {
        sp_value xs = LIST(I(4), I(11), I(6));
        EXPECT_INT(PCALL(&pg, "biggest", xs), 11);
        EXPECT_INT(PCALL(&pg, "total", xs), 21);
        EXPECT_INT(PCALL(&pg, "running_sum", xs, I(100)), 121);
        EXPECT_INT(PCALL(&pg, "running_sum", xs, N()), 21);
        EXPECT_INT(PCALL(&pg, "running_count", xs, I(1)), 4);
        EXPECT_STR(PCALL(&pg, "ip", S("10.0.0.7 - - x")), "10.0.0.7");
        EXPECT_NULL(PCALL(&pg, "ip", S("localhost - - x")));
        CU_ASSERT_PTR_NULL(ev.regex_scratch); /* the constant pattern was prepared */
        EXPECT_ERRORS(0);
    }
    program_free(&pg);
}

/* The prelude's stats and merge_stats run in C (eval.c) when their
 * definition is core.sp's to the letter: the C code must give what the
 * written definition gives, errors included, for every kind of value. */
static sp_stmt *find_fn(program *pg, const char *name)
{
    for (sp_stmt *s = pg->p->library; s; s = s->next)
        if (s->kind == SP_S_FN && strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

static void test_native_prelude_stats(void)
{
    program pg;
    int ok = program_load(&pg, "source s = stdin()\ns | map stats(length(it)) | reduce merge_stats | sink stdout\n");
    report(ok, __LINE__, "the program does not load or check");
    sp_stmt *st = ok ? find_fn(&pg, "stats") : NULL, *ms = ok ? find_fn(&pg, "merge_stats") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ms);
    CU_ASSERT(st->native != 0);
    CU_ASSERT(ms->native != 0);
    sp_value vals[] = {N(), I(0), I(-5), I(7), I(INT64_MAX), I(INT64_MIN), F(1.5), F(-0.25), S("a"), S("b"), B(1),
                       LIST(I(1))};
    int nv = (int)(sizeof vals / sizeof vals[0]);
    sp_value tuples[64];
    int nt = 0;
    tuples[nt++] = N();
    for (int i = 0; i < nv; i++)
        for (int j = 0; j < nv && nt < 60; j += 3)
            tuples[nt++] = TUPLE(I(i), vals[i], vals[j], vals[(i + j) % nv]);
    tuples[nt++] = TUPLE(I(1), I(2), I(3));        /* too short: an error */
    tuples[nt++] = TUPLE(I(1), I(2), I(3), I(4), I(5)); /* longer: fine */
    tuples[nt++] = S("not a tuple");
    tuples[nt++] = I(3);
    int compared = 0;
    for (int i = 0; i < nv; i++) { /* stats(x) */
        sp_value fast, slow;
        report(native_same(&pg, st, "stats", &vals[i], 1, &fast, &slow), __LINE__,
               "stats(%s): C and the definition differ", describe(vals[i]));
        compared++;
    }
    for (int i = 0; i < nt; i++)
        for (int j = 0; j < nt; j++) { /* merge_stats(a, b) */
            sp_value args[2] = {tuples[i], tuples[j]}, fast, slow;
            int same = native_same(&pg, ms, "merge_stats", args, 2, &fast, &slow);
            for (uint32_t k = 0; same && fast.tag == SP_V_TUPLE && k < fast.n; k++)
                same = fast.u.items[k].tag == slow.u.items[k].tag; /* 2 and 2.0 compare equal */
            report(same, __LINE__, "merge_stats(%s, %s): C gives %s, the definition %s", describe(tuples[i]),
                   describe(tuples[j]), describe(fast), describe(slow));
            compared++;
        }
    CU_ASSERT(compared > 2500);
    program_free(&pg);

    /* another definition under the same name is evaluated as written */
    sp_load_options none = {.no_prelude = 1};
    pg.d = sp_diag_new(NULL);
    pg.a = sp_arena_new();
    const char *text = "fn merge_stats(a, b) = if a == null then b else a\n"
                       "fn stats(x) = (1, x, x, x + 1)\n"
                       "source s = stdin()\ns | map stats(length(it)) | reduce merge_stats | sink stdout\n";
    pg.p = sp_load_string(pg.d, pg.a, "test.sp", text, strlen(text), &none);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pg.p);
    CU_ASSERT_EQUAL_FATAL(sp_check(pg.p, pg.d, pg.a, NULL, 0, NULL), SP_CHECK_OK);
    CU_ASSERT_EQUAL(sp_eval_prepare(pg.p, pg.d, pg.a), 0);
    for (sp_stmt *s = pg.p->stmts; s; s = s->next)
        if (s->kind == SP_S_FN)
            CU_ASSERT_EQUAL(s->native, 0);
    program_free(&pg);
}

/* updateStateByKey's running_sum in C gives what its definition gives:
 * integers, null states, overflows, floats, non-lists, spread tuples; and a
 * pipeline's own sum makes it the written definition. */
static void test_native_running_sum(void)
{
    program pg;
    int ok = program_load(&pg, "source s = stdin()\n"
                               "s | map (it, 1) | reduceByKey sum | updateStateByKey running_sum | sink stdout\n");
    report(ok, __LINE__, "the program does not load or check");
    sp_stmt *rs = ok ? find_fn(&pg, "running_sum") : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
    CU_ASSERT(rs->native != 0);
    sp_value lists[] = {LIST(I(1)), LIST(I(1), I(2), I(3)), LIST(I(INT64_MAX), I(1)), LIST(I(-4), I(INT64_MIN)),
                        LIST(I(2), F(0.5)), LIST(I(1), S("x")), LIST(I(1), N()), sp_list_new(arena, 0),
                        I(3), N(), S("ab")};
    sp_value states[] = {N(), I(0), I(10), I(INT64_MAX), I(INT64_MIN), F(1.5), S("s"), TUPLE(I(1), I(2))};
    int compared = 0;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        for (size_t j = 0; j < sizeof states / sizeof states[0]; j++) {
            sp_value args[2] = {lists[i], states[j]}, fast, slow;
            report(native_same(&pg, rs, "running_sum", args, 2, &fast, &slow), __LINE__,
                   "running_sum(%s, %s): C gives %s, the definition %s", describe(lists[i]),
                   describe(states[j]), describe(fast), describe(slow));
            compared++;
        }
    EXPECT_INT(PCALL(&pg, "running_sum", LIST(I(1), I(2), I(3)), I(10)), 16);
    EXPECT_INT(PCALL(&pg, "running_sum", LIST(I(5)), N()), 5);
    CU_ASSERT(compared == 88);
    program_free(&pg);

    /* with a sum of the pipeline's own, running_sum is its definition */
    ok = program_load(&pg, "fn sum(a, b) = a * 10 + b\n"
                           "source s = stdin()\n"
                           "s | map (it, 1) | reduceByKey sum | updateStateByKey running_sum | sink stdout\n");
    report(ok, __LINE__, "the program does not load or check");
    if (ok)
        EXPECT_INT(PCALL(&pg, "running_sum", LIST(I(1), I(2)), I(3)), 312);
    program_free(&pg);
}

/* A function that only hands its parameters and constants to a built-in is
 * called without a frame: the same results, spread tuples included. */
static void test_forwarding_functions(void)
{
    program pg;
    int ok = program_load(&pg, "fn up(s) = upper(s)\n"
                               "fn mid(s) = substr(s, 1, 2)\n"
                               "fn bigger(a, b) = max(b, a)\n"
                               "fn not_fwd(s) = upper(s + \"!\")\n"
                               "source s = stdin()\n"
                               "s | map (up(it), mid(it), bigger(1, 2), not_fwd(it)) | sink stdout\n");
    report(ok, __LINE__, "the program does not load or check");
    if (ok) {
        const char *fwd[] = {"up", "mid", "bigger"};
        for (int i = 0; i < 3; i++) {
            const sp_stmt *f = NULL;
            for (const sp_stmt *st = pg.p->stmts; st; st = st->next)
                if (st->kind == SP_S_FN && strcmp(st->name, fwd[i]) == 0)
                    f = st;
            CU_ASSERT(f && f->native != 0);
        }
        for (const sp_stmt *st = pg.p->stmts; st; st = st->next)
            if (st->kind == SP_S_FN && strcmp(st->name, "not_fwd") == 0)
                CU_ASSERT_EQUAL(st->native, 0);
        EXPECT_STR(PCALL(&pg, "up", S("ab")), "AB");
        EXPECT_STR(PCALL(&pg, "mid", S("abcd")), "bc");
        EXPECT_INT(PCALL(&pg, "bigger", I(7), I(3)), 7);
        EXPECT_INT(PCALL(&pg, "bigger", TUPLE(I(2), I(9))), 9); /* one tuple spread into (a, b) */
        EXPECT_STR(PCALL(&pg, "not_fwd", S("x")), "X!");
        EXPECT_ERRORS(0);
        EXPECT_NULL(PCALL(&pg, "up", I(3))); /* the built-in's error, reported as before */
        EXPECT_ERRORS(1);
    }
    program_free(&pg);
}

/* ----- operator arguments without a frame (eval.c: sp_fast) ----- */

/* Each `c | map EXPR` below is run twice: as prepared (the arguments of
 * simple shapes frame-less) and with every sp_expr.fast taken away (the tree
 * walk); both must give the same values, the same run-time errors in the
 * same order and at the same places, on elements of every kind.  The
 * elements' type is unknown to the checker (captures gives a record of
 * fields known only when running), so any element may come. */
static const char *const fast_exprs[] = {
    /* frame-less: */
    "it", "_1", "_2", "_3", "_10", "_02", "it._1", "it._2.size", "size", "it.size", "_2.size", "nope",
    "_2 != null", "_2 == null", "null == _1", "null != it", "size > 10", "_2 > lim", "_1 >= lim",
    "_1 + _2", "_1 - 1.5", "_1 * _2", "_1 / _2", "_1 % _2", "_1 == 1", "_1 == 1.0", "_1 < \"m\"",
    "_1 + \"x\"", "_1.a + _2.b", "_1 + lim", "_1 and _2", "_1 or _2.x", "not _1", "-_1", "-_2.x",
    "if _1 then _2 else _3.x", "it[1]", "_1[0]", "it[\"size\"]", "stats(size)", "stats(_2)",
    "merge_stats(_1, _2)", "add(_1, _2)", "up(_1)", "sub2(_1, _2)", "rev(_1, _2)", "sub2(_2.x, -1)", "length(_1)", "upper(_2)", "coalesce(_1, _2, 0)",
    "(_1, 1)", "(status, size)", "[_1, _2]", "{a: _1, b: _2 + 1}", "(it, length(_1))", "((_1, _2), _3)",
    "scan_access_log(it, \"any\")", "(it, scan_access_log(it, \"combined\"))", "scan_access_log(_2, \"common\")",
    "scan_access_log(it, _1)",
    "stats", "length", "add", "x -> x._2 * 2", "x -> x.size", "x -> (x, 1)", "x -> x", "x -> lim",
    "1", "\"s\"", "null", "lim", "2.5", "true", "3s", "now()",
    /* left to the tree walk: */
    "let y = _1 in y + 1", "fold(_1, 0, add)", "(a, b) -> a + b", "(_1, add)",
    "x -> y -> x",
};

/* The first of fast_exprs left to the tree walk. */
#define FAST_EXPRS_WALKED "let y = _1 in y + 1"

/* a and b are the same value, tags included (2 and 2.0 compare equal). */
static int same_value(sp_value a, sp_value b)
{
    if (a.tag != b.tag || a.n != b.n)
        return 0;
    switch (a.tag) {
    case SP_V_TUPLE:
    case SP_V_LIST:
        for (uint32_t i = 0; i < a.n; i++)
            if (!same_value(a.u.items[i], b.u.items[i]))
                return 0;
        return 1;
    case SP_V_RECORD:
        if (a.u.rec->shape->n != b.u.rec->shape->n)
            return 0;
        for (int i = 0; i < a.u.rec->shape->n; i++)
            if (strcmp(a.u.rec->shape->names[i], b.u.rec->shape->names[i]) != 0 ||
                !same_value(a.u.rec->vals[i], b.u.rec->vals[i]))
                return 0;
        return 1;
    case SP_V_FUNC: /* functions of the two programs: the same by name */
        if (a.u.fn->kind != b.u.fn->kind || a.u.fn->builtin != b.u.fn->builtin)
            return 0;
        return a.u.fn->kind != 0 || strcmp(((const sp_stmt *)a.u.fn->def)->name, ((const sp_stmt *)b.u.fn->def)->name) == 0;
    default:
        return sp_value_compare(a, b) == 0;
    }
}

/* A record of `n` fields named names[] holding vals[], of a prepared shape
 * (id) or one made at run time (no id). */
static sp_value record_of(int n, const char **names, const sp_value *vals, int prepared)
{
    sp_shape *sh = sp_arena_alloc(arena, sizeof *sh);
    sh->n = n;
    sh->names = sp_arena_alloc(arena, sizeof *sh->names * (size_t)n);
    memcpy(sh->names, names, sizeof *sh->names * (size_t)n);
    sh->id = prepared ? sp_shape_id() : 0;
    sp_value r = sp_record_new(arena, sh);
    memcpy(r.u.rec->vals, vals, sizeof *vals * (size_t)n);
    return r;
}

/* The argument of the first step of each `c | ...` pipeline, in order. */
static int step_args(program *pg, sp_expr **out, int max)
{
    int n = 0;
    for (sp_stmt *s = pg->p->stmts; s; s = s->next)
        if (s->kind == SP_S_PIPE && s->head && strcmp(s->head, "c") == 0 && n < max)
            out[n++] = s->steps->args->value;
    return n;
}

static void test_frameless_arguments_give_what_the_tree_walk_gives(void)
{
    enum { NE = sizeof fast_exprs / sizeof fast_exprs[0] };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("param lim = 10\nfn add(a, b) = a + b\nfn up(s) = upper(s)\n"
          "fn sub2(s, n) = substr(s, n, 2)\nfn rev(a, b) = substr(b, a)\nsource s = stdin()\n"
          "c = s | map captures(it, '(?<a>x)')\n", f);
    for (int i = 0; i < NE; i++)
        fprintf(f, "c | map %s | sink stdout\n", fast_exprs[i]);
    fclose(f);
    program fast, slow;
    int ok = program_load(&fast, text) && program_load(&slow, text);
    report(ok, __LINE__, "the program does not load or check: %s",
           sp_diag_count(fast.d) ? sp_diag_message(fast.d, 0) : "(no message)");
    free(text);
    if (!ok) {
        program_free(&fast);
        program_free(&slow);
        return;
    }
    sp_expr *fe[NE], *se[NE];
    CU_ASSERT_EQUAL_FATAL(step_args(&fast, fe, NE), NE);
    CU_ASSERT_EQUAL_FATAL(step_args(&slow, se, NE), NE);
    int walked = 0;
    for (int i = 0; i < NE; i++) {
        walked |= strcmp(fast_exprs[i], FAST_EXPRS_WALKED) == 0;
        report((fe[i]->fast != NULL) == !walked, __LINE__, "'%s': a frame-less form %s", fast_exprs[i],
               fe[i]->fast ? "made, for the tree walk" : "not made");
        se[i]->fast = NULL;
    }

    /* elements of every kind; records of a prepared shape twice, so the
     * field caches are used, and of another shape after them */
    const char *rn[] = {"size", "_1", "_2", "status", "a"};
    const char *rn2[] = {"status", "size"};
    sp_value rv[] = {I(120), I(3), F(2.5), I(200), S("x")};
    sp_value rv2[] = {S("404"), N()};
    sp_value rec = record_of(5, rn, rv, 1), rec2 = record_of(2, rn2, rv2, 1), rec3 = record_of(5, rn, rv, 0);
    sp_value elems[] = {
        N(), I(0), I(7), I(INT64_MIN), F(-0.5), S(""), S("abc"), B(1), B(0), LIST(I(1), I(2)),
        TUPLE(I(1), N()), TUPLE(N(), I(2)), TUPLE(I(6), I(4), I(1)), TUPLE(I(7), I(0), S("z")),
        TUPLE(F(1.5), I(2), B(1)), TUPLE(I(1), F(1.0)), TUPLE(S("a"), S("b"), N()), TUPLE(B(1), S("y"), I(3)),
        TUPLE(B(0), S("y"), rec), TUPLE(rec, rec2), TUPLE(I(1)), TUPLE(N(), N(), N(), N(), N(), N(), N(), N(), N(), I(10)),
        TUPLE(I(INT64_MAX), I(1)), TUPLE(I(INT64_MIN), I(-1)), TUPLE(LIST(I(1)), LIST(I(2))),
        TUPLE(TUPLE(I(1), I(2), I(3), I(4)), TUPLE(I(5), I(6), I(7), I(8))), TUPLE(TUPLE(I(1)), N()),
        TUPLE(builtin_fn(SP_BUILTIN_LENGTH), S("abcd")), builtin_fn(SP_BUILTIN_UPPER),
        rec, rec, rec2, rec3, rec, rec2,
        /* access-log lines (scan_access_log): combined, common, neither */
        S("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a?b=1 HTTP/1.0\" 200 2326 \"-\" \"curl\""),
        TUPLE(S("x"), S("5.6.7.8 - bob [10/Oct/2000:13:55:37 -0700] \"POST /b HTTP/1.1\" 404 -")),
        TUPLE(I(1), S("not a log line")),
    };
    int nel = (int)(sizeof elems / sizeof elems[0]);

    sp_eval evf, evs;
    sp_eval_init(&evf, arena, fast.d);
    sp_eval_init(&evs, arena, slow.d);
    evf.now_ms = evs.now_ms = NOW_MS;
    int compared = 0;
    sp_value got[64];
    for (int i = 0; i < NE; i++) {
        uint64_t ef = evf.errors, es = evs.errors;
        sp_eval_elem_args(&evf, fe[i], 1, elems, (size_t)nel, got); /* as op_map */
        for (int k = 0; k < nel; k++) {
            sp_value want = sp_eval_elem_arg(&evs, se[i], 1, elems[k]);
            report(same_value(got[k], want), __LINE__, "'%s' of %s: frame-less %s, tree walk %s", fast_exprs[i],
                   describe(elems[k]), describe(got[k]), describe(want));
            compared++;
        }
        report(evf.errors - ef == evs.errors - es, __LINE__, "'%s': %" PRIu64 " errors frame-less, %" PRIu64
               " by the tree walk", fast_exprs[i], evf.errors - ef, evs.errors - es);
        /* one at a time, as top and `on` ask; and as a keyed combine asks */
        ef = evf.errors, es = evs.errors;
        for (int k = 0; k < nel; k++) {
            sp_value a = sp_eval_elem_arg(&evf, fe[i], 1, elems[k]), b = sp_eval_elem_arg(&evs, se[i], 1, elems[k]);
            report(same_value(a, b), __LINE__, "'%s' of %s, alone: %s and %s", fast_exprs[i], describe(elems[k]),
                   describe(a), describe(b));
            if (fe[i]->kind == SP_E_TUPLE && fe[i]->u.items.n == 2) {
                sp_value k1, v1, k2, v2;
                CU_ASSERT(sp_eval_elem_pair(&evf, fe[i], 1, elems[k], &k1, &v1));
                CU_ASSERT(sp_eval_elem_pair(&evs, se[i], 1, elems[k], &k2, &v2));
                report(same_value(k1, k2) && same_value(v1, v2), __LINE__, "'%s' of %s as a pair: (%s, %s) and (%s, %s)",
                       fast_exprs[i], describe(elems[k]), describe(k1), describe(v1), describe(k2), describe(v2));
            }
        }
        CU_ASSERT_EQUAL(evf.errors - ef, evs.errors - es);
    }
    CU_ASSERT(compared > 2500);
    CU_ASSERT(evs.errors > 100); /* the elements did reach the error paths */
    CU_ASSERT_EQUAL(evf.sp, 0);
    CU_ASSERT_EQUAL(evf.depth, 0);
    /* the same messages, in the same order, at the same places */
    CU_ASSERT_EQUAL(sp_diag_count(fast.d), sp_diag_count(slow.d));
    for (int i = 0; i < sp_diag_count(fast.d) && i < sp_diag_count(slow.d); i++)
        report(strcmp(sp_diag_message(fast.d, i), sp_diag_message(slow.d, i)) == 0 &&
                   sp_diag_line(fast.d, i) == sp_diag_line(slow.d, i) && sp_diag_col(fast.d, i) == sp_diag_col(slow.d, i),
               __LINE__, "message %d: %d:%d %s (frame-less) and %d:%d %s (tree walk)", i, sp_diag_line(fast.d, i),
               sp_diag_col(fast.d, i), sp_diag_message(fast.d, i), sp_diag_line(slow.d, i), sp_diag_col(slow.d, i),
               sp_diag_message(slow.d, i));
    CU_ASSERT(sp_diag_count(fast.d) > 20);

    /* a frame that would not fit: the tree walk reports it, as always */
    uint64_t e0 = evf.errors;
    EXPECT_NULL(sp_eval_elem_arg(&evf, fe[1], SP_EVAL_STACK + 1, elems[10]));
    CU_ASSERT_EQUAL(evf.errors, e0 + 1);
    sp_eval_destroy(&evf);
    sp_eval_destroy(&evs);
    program_free(&fast);
    program_free(&slow);
}

static void test_through_evaluator_weblog(void)
{
    program pg;
    int ok = program_load(&pg, "use weblog\n"
                               "source s = stdin()\n"
                               "s | map parse_access_log | sink stdout\n");
    report(ok, __LINE__, "the program does not load or check: %s",
           sp_diag_count(pg.d) ? sp_diag_message(pg.d, 0) : "(no message)");
    if (ok) {
        sp_value r = PCALL(&pg, "parse_access_log",
                           S("199.72.81.55 - frank [01/Jul/1995:00:00:01 -0400] \"GET /history/apollo/?x=1 HTTP/1.0\" "
                             "200 6245 \"-\" \"Mozilla/5.0\""));
        CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
        EXPECT_STR(field(r, "host"), "199.72.81.55");
        EXPECT_STR(field(r, "user"), "frank");
        EXPECT_INT(field(r, "time"), INT64_C(804571201000));
        EXPECT_STR(field(r, "method"), "GET");
        EXPECT_STR(field(r, "endpoint"), "/history/apollo/?x=1");
        EXPECT_STR(field(r, "path"), "/history/apollo/");
        EXPECT_STR(field(r, "protocol"), "HTTP/1.0");
        EXPECT_INT(field(r, "status"), 200);
        EXPECT_INT(field(r, "size"), 6245);
        EXPECT_STR(field(r, "agent"), "Mozilla/5.0");
        r = PCALL(&pg, "parse_access_log", S("unicomp6.unicomp.net - - [01/Jul/1995:00:00:06 +0330] \"GET "
                                             "/shuttle/countdown/ HTTP/1.0\" 304 -"));
        CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
        EXPECT_INT(field(r, "time"), INT64_C(804544206000));
        EXPECT_INT(field(r, "size"), 0);
        EXPECT_STR(field(r, "referer"), "");
        /* UTF-8 text in the line */
        r = PCALL(&pg, "parse_access_log",
                  S("h\xc3\xa9 - - [29/Feb/2024:00:00:00 +0000] \"GET /caf\xc3\xa9 HTTP/1.1\" 200 1"));
        CU_ASSERT_EQUAL(r.tag, SP_V_RECORD);
        EXPECT_STR(field(r, "host"), "h\xc3\xa9");
        EXPECT_STR(field(r, "path"), "/caf\xc3\xa9");
        EXPECT_INT(field(r, "time"), INT64_C(1709164800000));
        EXPECT_NULL(PCALL(&pg, "parse_access_log", S("not a log line")));
        /* a date that does not exist: a record whose time is null */
        r = PCALL(&pg, "parse_access_log", S("h - - [30/Feb/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1"));
        CU_ASSERT_EQUAL(r.tag, SP_V_RECORD);
        EXPECT_NULL(field(r, "time"));
        /* numbers that do not fit in 64 bits: no record (malformed), never
         * size 0 or a wrapped number; the largest that fits is exact */
        EXPECT_NULL(PCALL(&pg, "parse_access_log",
                          S("h - - [29/Feb/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 99999999999999999999999")));
        EXPECT_NULL(PCALL(&pg, "parse_access_log",
                          S("h - - [29/Feb/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 9223372036854775808")));
        EXPECT_NULL(PCALL(&pg, "parse_access_log",
                          S("h - - [29/Feb/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 2000000000 1")));
        EXPECT_NULL(PCALL(&pg, "parse_vhost_combined",
                          S("v:99999999999999999999 h - - [29/Feb/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 1")));
        r = PCALL(&pg, "parse_access_log",
                  S("h - - [29/Feb/2024:00:00:00 +0000] \"GET / HTTP/1.1\" 200 9223372036854775807"));
        CU_ASSERT_EQUAL_FATAL(r.tag, SP_V_RECORD);
        EXPECT_INT(field(r, "size"), INT64_MAX);
        EXPECT_ERRORS(0);
    }
    program_free(&pg);
}

/* ======================================================================
 * Registration
 * ====================================================================== */

static const struct {
    const char *name;
    CU_TestFunc fn;
} tests[] = {
    {"length counts bytes or items", test_length},
    {"lower and upper change ASCII letters only", test_lower_upper_ascii_only},
    {"contains, starts_with and ends_with stay inside the view", test_contains_starts_ends},
    {"split keeps empty fields; an empty separator gives bytes", test_split},
    {"substr is 0-based, clamped, negative from the end", test_substr},
    {"trim strips ASCII whitespace", test_trim},
    {"replace replaces every occurrence left to right", test_replace},
    {"index_of gives the position or -1", test_index_of},
    {"url_decode decodes %XX and keeps invalid escapes", test_url_decode},
    {"match tells whether the pattern matches", test_match},
    {"match works on invalid UTF-8 subjects", test_match_invalid_utf8_subject},
    {"extract gives a group by number or name, null when unset", test_extract},
    {"captures gives the named groups in group order", test_captures_named_groups},
    {"captures works on invalid UTF-8 subjects", test_captures_invalid_utf8},
    {"captures and extract handle more than 63 groups", test_captures_many_groups},
    {"a pattern compiled at run time is cached in regex_scratch", test_regex_compiled_at_run_time_is_cached},
    {"an invalid pattern at run time is an error", test_regex_invalid_at_run_time},
    {"the pattern prepared for the call is used", test_regex_precompiled_is_used},
    {"\\S, \\D and \\W match the bytes of multi-byte characters", test_regex_classes_match_multibyte_characters},
    {"to_int parses decimal strings and rejects overflow", test_to_int_from_strings},
    {"to_int converts floats, bools and nulls", test_to_int_from_other_values},
    {"to_float parses decimal numbers only", test_to_float},
    {"to_string writes what sp_value_print writes", test_to_string_matches_print},
    {"format supports printf conversions", test_format},
    {"format converts its arguments as needed", test_format_converts_arguments},
    {"format copies bad specs as written", test_format_bad_specs_copied},
    {"min and max of two numbers", test_min_max},
    {"abs, round, floor and ceil", test_abs_round_floor_ceil},
    {"parse_time reads Apache times with their offsets", test_parse_time_apache_time_zones},
    {"parse_time knows leap years", test_parse_time_leap_years},
    {"parse_time rejects invalid dates and trailing text", test_parse_time_rejects_invalid},
    {"parse_time supports every documented directive", test_parse_time_directives},
    {"format_time writes UTC, also before 1970", test_format_time},
    {"format_time and parse_time round-trip", test_time_round_trip},
    {"truncate_time floors to a multiple; now is the batch time", test_truncate_time_and_now},
    {"coalesce and is_null", test_coalesce_is_null},
    {"fold applies a built-in function value", test_fold_with_builtin_function},
    {"sum_list sums numbers, skipping nulls", test_sum_list},
    {"hash() is the stable hash; the tables' hash agrees with equality", test_hash},
    {"a map's pairs come sorted by key, strings by their bytes", test_map_sorted_pairs},
    {"strings of every length compare equal exactly when their bytes are", test_string_equality_every_length},
    {"arity is checked; a tuple spreads into arguments", test_arity_and_function_values},
    {"built-ins through the evaluator and the prelude", test_through_evaluator_prelude},
    {"the prelude's stats and merge_stats in C give what their definitions give", test_native_prelude_stats},
    {"the prelude's running_sum in C gives what its definition gives", test_native_running_sum},
    {"functions that hand their parameters to a built-in are called without a frame", test_forwarding_functions},
    {"operator arguments without a frame give what the tree walk gives, errors included",
     test_frameless_arguments_give_what_the_tree_walk_gives},
    {"stdlib/weblog.sp parses access-log lines", test_through_evaluator_weblog},
};

CU_ErrorCode sp_test_register_builtins(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("builtins", NULL, NULL, setup, teardown);
    if (!s)
        return CU_get_error();
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (!CU_add_test(s, tests[i].name, tests[i].fn))
            return CU_get_error();
    return CUE_SUCCESS;
}

