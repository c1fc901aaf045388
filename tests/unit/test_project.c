/* test_project.c - the projection of access-log records (src/project.c):
 * which fields a checked program reads, and when a record may be read whole
 * (every field kept). */
#include "test_util.h"

#include "project.h"
#include "weblog.h"

/* The bit of field `name` of the access-log record. */
static uint32_t bit(const char *name)
{
    const sp_shape *sh = sp_weblog_shape();
    for (int i = 0; i < sh->n; i++)
        if (strcmp(sh->names[i], name) == 0)
            return UINT32_C(1) << i;
    CU_FAIL("no such field");
    return 0;
}

/* The fields `body` (steps after `source lines = stdin`) reads, the
 * program checked without errors. */
static uint32_t fields_of(const char *body)
{
    char text[4096];
    snprintf(text, sizeof text, "use weblog\nsource lines = stdin\n%s", body);
    sp_unit *u = tu_check(text);
    if (tu_errors(u)) {
        fprintf(stderr, "\n%s\n%s\n", text, tu_messages(u));
        CU_FAIL("the program has errors");
        return 0;
    }
    return sp_project_weblog(u->p);
}

#define EXPECT_FIELDS(body, want) TU_EXPECT_INT((long long)fields_of(body), (long long)(want))
#define EXPECT_WHOLE(body) TU_EXPECT_INT((long long)fields_of(body), (long long)SP_PROJECT_ALL)

static void test_logs_sp_reads_four_fields(void)
{
    EXPECT_FIELDS("parsed = lines | map (it, parse_access_log(it))\n"
                  "access = parsed | filter _2 != null | map _2\n"
                  "parsed | filter _2 == null | map _1 | count | sink stdout\n"
                  "access | map stats(size) | reduce merge_stats | sink stdout\n"
                  "access | map (status, 1) | reduceByKey sum | sink stdout\n"
                  "access | map (host, 1) | reduceByKeyAndWindow sum, 30s slide 10s | sink stdout\n"
                  "access | map (endpoint, 1) | reduceByKey sum | top 10 by _2 | sink stdout\n",
                  bit("host") | bit("endpoint") | bit("status") | bit("size"));
}

static void test_fields_are_read_in_every_form(void)
{
    /* a field of `it`, of a name bound by let, of a tuple's item, in an if */
    EXPECT_FIELDS("lines | map parse_access_log(it) | filter it != null and it.status >= 500\n"
                  "  | map let r = it in (r.path, if r.time == null then 0 else r.time)\n"
                  "  | sink stdout\n",
                  bit("status") | bit("path") | bit("time"));
    EXPECT_FIELDS("lines | map (1, parse_access_log(it)) | filter _2 != null | map _2.agent | sink stdout\n",
                  bit("agent"));
    EXPECT_FIELDS("lines | map [parse_access_log(it)] | flatMap it | filter it != null | map referer"
                  " | sink stdout\n",
                  bit("referer"));
    /* a map's whole argument that is a function giving records */
    EXPECT_FIELDS("lines | map parse_combined | filter it != null | map method | sink stdout\n", bit("method"));
    EXPECT_FIELDS("lines | map scan_access_log(it, \"common\") | filter it != null | map user | sink stdout\n",
                  bit("user"));
    /* nothing read: only tested against null */
    EXPECT_FIELDS("lines | map parse_access_log(it) | filter it == null | map 1 | count | sink stdout\n", 0);
    /* an operator's element is the record: taken whole, even by count */
    EXPECT_WHOLE("lines | map parse_access_log(it) | filter it == null | count | sink stdout\n");
}

static void test_a_record_read_whole_keeps_every_field(void)
{
    /* a sink, an operator, a call, a comparison, a function applied to it */
    EXPECT_WHOLE("lines | map parse_access_log(it) | sink stdout\n");
    EXPECT_WHOLE("lines | map parse_access_log(it) | filter it != null | map (host, it) | reduceByKey "
                 "(a, b) -> a | sink stdout\n");
    EXPECT_WHOLE("lines | map parse_access_log(it) | filter it != null | map to_string(it) | sink stdout\n");
    EXPECT_WHOLE("lines | map parse_access_log(it) | map coalesce(it, 0) | sink stdout\n");
    EXPECT_WHOLE("lines | map parse_access_log(it) | filter it != null | map it == it | sink stdout\n");
    EXPECT_WHOLE("lines | map parse_access_log(it) | filter it != null | map x -> x.host | sink stdout\n");
    EXPECT_WHOLE("fn h(r) = r.host\n"
                 "lines | map parse_access_log(it) | filter it != null | map h(it) | sink stdout\n");
    EXPECT_WHOLE("fn h(r) = r.host\n"
                 "lines | map parse_access_log(it) | filter it != null | map h | sink stdout\n");
    EXPECT_WHOLE("lines | map parse_access_log(it) | filter it != null | map [it] | sink stdout\n");
    EXPECT_WHOLE("lines | map parse_access_log(it) | take 5 | map host | sink stdout\n");
    /* a record that ends up where its type is lost */
    EXPECT_WHOLE("lines | map if it == \"\" then 0 else parse_access_log(it) | sink stdout\n");
}

static void test_records_made_in_functions_are_followed_only_as_calls(void)
{
    /* a function that does more than forward to scan_access_log */
    EXPECT_WHOLE("fn p(l) = let r = parse_access_log(l) in r\n"
                 "lines | map p(it) | filter it != null | map host | sink stdout\n");
    EXPECT_WHOLE("fn p(l) = parse_access_log(l).host\n"
                 "lines | map p(it) | sink stdout\n");
    /* a lambda whose body holds a record */
    EXPECT_WHOLE("lines | map x -> parse_access_log(x) | filter it != null | map host | sink stdout\n");
    /* a function giving records, as a value */
    EXPECT_WHOLE("lines | map [it] | map fold(it, 0, (acc, l) -> parse_access_log(l)) | sink stdout\n");
    EXPECT_WHOLE("lines | map coalesce(null, parse_access_log) | filter it != null | map host | sink stdout\n");
    EXPECT_WHOLE("fn apply(f, x) = f(x)\n"
                 "lines | map apply(parse_access_log, it) | filter it != null | map host | sink stdout\n");
    /* a forwarding function of the user's is followed like the library's */
    EXPECT_FIELDS("fn p(l) = scan_access_log(l, \"combined\")\n"
                  "lines | map p(it) | filter it != null | map size | sink stdout\n",
                  bit("size"));
}

static void test_the_kept_fields_are_the_full_records(void)
{
    /* every field alone and all but one: the projection's record holds the
     * full record's values of the fields it keeps, in order, and gives
     * null for the same lines */
    static const char *lines[] = {
        "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif?x=1 HTTP/1.0\" 200 2326 \"http://r/\" \"UA 1\"",
        "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 404 -",
        "www.example.com:8080 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"POST /l HTTP/1.1\" 302 0 \"-\" \"-\"",
        "not a log line",
        "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 99999999999999999999",
    };
    const sp_shape *sh = sp_weblog_shape();
    sp_arena *a = sp_arena_new();
    sp_weblog_state *st = sp_weblog_state_new();
    uint32_t all = (UINT32_C(1) << sh->n) - 1;
    CU_ASSERT_PTR_NULL(sp_weblog_proj_new(a, all));
    CU_ASSERT_PTR_NULL(sp_weblog_proj_new(a, SP_PROJECT_ALL));
    for (int f = 0; f < 2 * sh->n; f++) {
        uint32_t keep = f < sh->n ? UINT32_C(1) << f : all & ~(UINT32_C(1) << (f - sh->n));
        const sp_weblog_proj *proj = sp_weblog_proj_new(a, keep);
        CU_ASSERT_PTR_NOT_NULL_FATAL(proj);
        for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
            sp_value full = sp_weblog_record(st, a, lines[l], strlen(lines[l]), SP_WEBLOG_ANY, NULL);
            sp_value part = sp_weblog_record(st, a, lines[l], strlen(lines[l]), SP_WEBLOG_ANY, proj);
            TU_EXPECT_INT(part.tag, full.tag);
            if (full.tag != SP_V_RECORD)
                continue;
            int k = 0;
            for (int i = 0; i < sh->n; i++) {
                if (!(keep >> i & 1))
                    continue;
                CU_ASSERT_FATAL(k < part.u.rec->shape->n);
                TU_EXPECT_STR(part.u.rec->shape->names[k], sh->names[i]);
                CU_ASSERT(sp_value_equal(part.u.rec->vals[k], full.u.rec->vals[i]));
                k++;
            }
            TU_EXPECT_INT(part.u.rec->shape->n, k);
            TU_EXPECT_INT(part.n, k);
        }
    }
    sp_weblog_state_free(st);
    sp_arena_free(a);
}

CU_ErrorCode sp_test_register_project(void)
{
    static const tu_test tests[] = {
        {"logs.sp reads four fields of the records", test_logs_sp_reads_four_fields},
        {"fields are read in every form the language has", test_fields_are_read_in_every_form},
        {"a record read whole keeps every field", test_a_record_read_whole_keeps_every_field},
        {"records made in functions are followed only as their calls",
         test_records_made_in_functions_are_followed_only_as_calls},
        {"the kept fields are the full records' fields", test_the_kept_fields_are_the_full_records},
        {NULL, NULL},
    };
    return tu_add_suite("projection", tests);
}
