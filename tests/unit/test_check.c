/* test_check.c - the checker (src/check.c): names and suggestions, arity,
 * windows against the batch interval, keyed operators, the shape of the DAG,
 * -p overrides, regular expressions and inferred types; and the diagnostics
 * machinery it reports through (src/suggest.c, src/diag.c). */
#include "test_util.h"

#include "suggest.h"

/* The out_type of step n of the k-th statement, as text. */
static const char *step_type(const sp_unit *u, int k, int n)
{
    sp_step *st = tu_step(tu_stmt(u, k), n);
    return st ? tu_type(u, st->out_type) : "(no step)";
}

/* The out_type of the last step before the sink of the k-th statement. */
static const char *before_sink_type(const sp_unit *u, int k)
{
    sp_step *prev = NULL;
    for (sp_step *st = tu_step(tu_stmt(u, k), 0); st && !st->is_sink; st = st->next)
        prev = st;
    return prev ? tu_type(u, prev->out_type) : "(no step)";
}

/* ----- names and suggestions ----- */

static void test_unknown_operator(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "lines | map (it, 1) | reduceByKy sum | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_COUNTS(u, 1, 0);
    int i = TU_EXPECT_ERROR(u, "unknown operator 'reduceByKy'", 2, 23, "did you mean 'reduceByKey'?");
    if (i >= 0)
        TU_EXPECT_STR(sp_diag_hint(u->d, i), "did you mean 'reduceByKey'?");
}

static void test_sink_written_as_operator(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "lines | stdout\n");
    TU_EXPECT_ERROR(u, "unknown operator 'stdout'", 2, 9, "to write to stdout, write: sink stdout");
}

static void test_unknown_operator_far_from_all(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "lines | frobnicate | sink stdout\n");
    TU_EXPECT_ERROR(u, "unknown operator 'frobnicate'", 2, 9, NULL);
}

static void test_unknown_stream(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "lines | sink stdout\n"
                          "lins | sink stdout\n"
                          "zzz | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_ERROR(u, "unknown stream 'lins'", 3, 1, "did you mean 'lines'?");
    TU_EXPECT_ERROR(u, "unknown stream 'zzz'", 4, 1,
                    "declare it first: source NAME = file(\"...\"), or NAME = stream | ...");
}

static void test_stream_head_not_a_stream(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "param limit = 3\n"
                          "lines | sink stdout\n"
                          "limit | sink stdout\n");
    TU_EXPECT_ERROR(u, "'limit' is a parameter, not a stream", 4, 1,
                    "a pipeline starts from a source or a named stream");
}

static void test_unknown_function_and_name(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "param limit = 3\n"
                          "lines | map lengt(it) + limt | sink stdout\n");
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_ERROR(u, "unknown function 'lengt'", 3, 13, "did you mean 'length'?");
    TU_EXPECT_ERROR(u, "unknown name 'limt'", 3, 25, "did you mean 'limit'?");
}

static void test_unknown_name_suggests_local(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "lines | map line -> upper(lien) | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unknown name 'lien'", 2, 27, "did you mean 'line'?");
}

static void test_stdlib_field_typo(void)
{
    sp_unit *u = tu_check("use weblog\n"
                          "source lines = stdin\n"
                          "lines | map parse_access_log | filter ok | map (stauts, 1) | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unknown name 'stauts'", 3, 49, "did you mean 'status'?");
}

static void test_stdlib_field_typo_through_it(void)
{
    sp_unit *u = tu_check("use weblog\n"
                          "source lines = stdin\n"
                          "lines | map parse_access_log | filter ok | map it.stauts | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    /* a record type too long to print is called "this record" */
    int i = tu_find_part(u, "no field 'stauts' in this record");
    tu_assert(i >= 0, __LINE__, __FILE__, __func__, "no \"no field 'stauts'\" message: %s", tu_messages(u));
    if (i >= 0) {
        TU_EXPECT_STR(sp_diag_hint(u->d, i), "did you mean 'status'?");
        TU_EXPECT_INT(sp_diag_line(u->d, i), 3);
        TU_EXPECT_INT(sp_diag_col(u->d, i), 51);
    }
}

static void test_unknown_field_lists_fields(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "lines | map {host: it, hits: 1} | map zzzzzz | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unknown name 'zzzzzz'", 2, 39, "the element's fields are: host, hits");
}

static void test_unknown_library(void)
{
    sp_unit *u = tu_check("use weblgo\n"
                          "source lines = stdin\n"
                          "lines | sink stdout\n");
    TU_EXPECT_ERROR(u, "cannot find library 'weblgo'", 1, 5, "did you mean 'weblog'?");
}

static void test_tuple_item_out_of_range(void)
{
    sp_unit *u = tu_check("source lines = stdin\n"
                          "lines | map (it, 1) | map it._3 | sink stdout\n");
    TU_EXPECT_ERROR(u, "no item '_3' in a tuple of type (string, int)", 2, 30,
                    "the items of a 2-tuple are _1 to _2");
}

/* ----- arity ----- */

static void test_operator_arity(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | map | sink stdout\n"
                          "l | count 3 | sink stdout\n"
                          "l | take 1, 2 | sink stdout\n"
                          "l | reduceByWindow sum | sink stdout\n");
    TU_EXPECT_COUNTS(u, 4, 0);
    TU_EXPECT_ERROR(u, "'map' needs 1 argument but is given 0", 2, 5, "write: map EXPR");
    TU_EXPECT_ERROR(u, "'count' takes no arguments", 3, 11, "write: count");
    TU_EXPECT_ERROR(u, "'take' takes 1 argument but is given 2", 4, 13, "write: take N");
    TU_EXPECT_ERROR(u, "'reduceByWindow' needs 2 arguments but is given 1", 5, 5,
                    "write: reduceByWindow FUNCTION, LENGTH [slide INTERVAL] [inverse FUNCTION] [on TIME ...]");
}

static void test_operator_option_not_taken(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | map it slide 10s | sink stdout\n");
    TU_EXPECT_ERROR(u, "'map' has no 'slide' option", 2, 12, "write: map EXPR");
}

static void test_function_arity(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "fn twice(x) = x * 2\n"
                          "l | map twice(1, 2) | sink stdout\n"
                          "l | map (x -> sum(x)) | sink stdout\n"
                          "l | map length(it, it) | sink stdout\n"
                          "l | reduce (a -> a) | sink stdout\n");
    TU_EXPECT_COUNTS(u, 4, 0);
    TU_EXPECT_ERROR(u, "function 'twice' takes 1 argument but is given 2", 3, 9, NULL);
    TU_EXPECT_ERROR(u, "function 'sum' takes 2 arguments but is given 1", 4, 15, NULL);
    TU_EXPECT_ERROR(u, "built-in 'length' takes 1 argument but is given 2", 5, 9, NULL);
    TU_EXPECT_ERROR(u, "this function takes 1 argument but is given 2", 6, 13, NULL);
}

static void test_reducer_of_wrong_arity(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | map (it, 1) | reduceByKey upper | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_ERROR(u, "built-in 'upper' takes 1 argument but is given 2", 2, 31, NULL);
}

/* ----- windows ----- */

static void test_window_not_multiple(void)
{
    sp_unit *u = tu_check("batch 10s\n"
                          "source l = stdin\n"
                          "l | window 25s slide 15s | sink stdout\n"
                          "l | window 30s slide 10s | sink stdout\n");
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_ERROR(u, "window length 25s is not a multiple of the batch interval 10s", 3, 12,
                    "use 20s or 30s, or change the batch interval");
    TU_EXPECT_ERROR(u, "slide interval 15s is not a multiple of the batch interval 10s", 3, 22,
                    "use 10s or 20s, or change the batch interval");
    TU_EXPECT_INT(u->batch_ms, 10000);
}

static void test_window_shorter_than_batch(void)
{
    sp_unit *u = tu_check("batch 10s\n"
                          "source l = stdin\n"
                          "l | countByWindow 5s | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "window length 5s is not a multiple of the batch interval 10s", 3, 19,
                    "use 10s, or change the batch interval");
}

static void test_window_default_batch(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | window 1500ms | sink stdout\n");
    TU_EXPECT_INT(u->batch_ms, SP_DEFAULT_BATCH_MS);
    TU_EXPECT_ERROR(u, "window length 1500ms is not a multiple of the batch interval 1s", 2, 12,
                    "use 1s or 2s, or change the batch interval");
}

static void test_window_recorded_on_step(void)
{
    sp_unit *u = tu_check("batch 5s\n"
                          "param len = 1m\n"
                          "source l = stdin\n"
                          "l | map (it, 1) | reduceByKeyAndWindow sum, len slide 15s | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_step *st = tu_step(tu_stmt(u, 3), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    TU_EXPECT_INT(st->length_ms, 60000);
    TU_EXPECT_INT(st->slide_ms, 15000);
}

static void test_window_needs_duration(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | window 10 | sink stdout\n");
    TU_EXPECT_ERROR(u, "the window length must be a duration, not an integer", 2, 12,
                    "write a duration such as 500ms, 10s, 5m or 1h");
}

/* ----- keyed operators ----- */

static void test_keyed_needs_pairs(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | reduceByKey sum | sink stdout\n"
                          "l | map (it, 1, 2) | groupByKey | sink stdout\n"
                          "l | map (it, 1) | reduceByKey sum | sink stdout\n");
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_ERROR(u, "'reduceByKey' needs (key, value) pairs, but the stream carries string", 2, 5,
                    "make pairs first, for example: | map (key, 1)");
    TU_EXPECT_ERROR(u, "'groupByKey' needs (key, value) pairs, but the stream carries (string, int, int)", 3, 22,
                    "make pairs first, for example: | map (key, 1)");
}

static void test_join_needs_pairs(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "e = l | map (it, 1)\n"
                          "e | join l | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "'join' needs (key, value) pairs on both sides, but 'l' carries string", 3, 10,
                    "make pairs first, for example: | map (key, value)");
}

/* ----- the shape of the DAG ----- */

static void test_unused_stream_warning(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "x = l | map it\n"
                          "l | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_OK);
    TU_EXPECT_COUNTS(u, 0, 1);
    TU_EXPECT_WARNING(u, "stream 'x' is never used and reaches no sink", 2, 1, "send it somewhere: x | sink stdout");
}

static void test_unused_source_warning(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "source m = stdin\n"
                          "l | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_OK);
    TU_EXPECT_COUNTS(u, 0, 1);
    TU_EXPECT_WARNING(u, "source 'm' is never read", 2, 8, NULL);
}

static void test_no_source_no_sink(void)
{
    sp_unit *u = tu_check("param a = 1\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_ERROR(u, "the pipeline has no source", 1, 1,
                    "declare one, for example: source lines = file(\"access.log\")");
    TU_EXPECT_ERROR(u, "the pipeline has no sink", 1, 1,
                    "end a pipeline with a sink, for example: lines | sink stdout");
}

static void test_pipeline_without_sink(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | sink stdout\n"
                          "l | map it\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "this pipeline has no sink, so its results would be lost", 3, 1,
                    "end it with a sink, for example: | sink stdout");
}

static void test_sink_not_last(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | sink stdout | map it\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_ERROR(u, "a sink must be the last step of a pipeline", 2, 19,
                    "to send a stream to two places, name it and write two pipelines");
}

static void test_sink_not_last_only_error(void)
{
    /* the pipeline does have a sink, only in the wrong place */
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | sink stdout | map it\n");
    TU_EXPECT_COUNTS(u, 1, 0);
}

static void test_named_stream_with_sink(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "x = l | map it | sink stdout\n"
                          "l | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_ERROR(u, "a named stream cannot end in a sink", 2, 18,
                    "write 'x = ...' without the sink, then 'x | sink ...'");
}

static void test_named_stream_with_sink_no_unused_warning(void)
{
    /* it does end in a sink: "never used and reaches no sink" is wrong */
    sp_unit *u = tu_check("source l = stdin\n"
                          "x = l | map it | sink stdout\n"
                          "l | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
}

static void test_duplicate_definition(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "param l = 3\n"
                          "fn f(a) = a\n"
                          "fn f(b) = b\n"
                          "l | sink stdout\n");
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_ERROR(u, "'l' is already defined", 2, 7,
                    "the source 'l' is defined at test.sp:1:8; choose another name");
    TU_EXPECT_ERROR(u, "'f' is already defined", 4, 4,
                    "the function 'f' is defined at test.sp:3:4; choose another name");
}

static void test_redefine_prelude_function(void)
{
    /* the pipeline's own definition hides the prelude's, without an error */
    sp_unit *u = tu_check("source l = stdin\n"
                          "fn sum(a, b) = a - b\n"
                          "l | map (it, 1) | reduceByKey sum | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(u->status, SP_CHECK_OK);
}

static void test_redefine_builtin(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "fn length(x) = 1\n"
                          "l | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "'length' is a built-in function and cannot be redefined", 2, 4,
                    "choose another name for your function");
}

static void test_recursion(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "fn f(n) = if n == 0 then 0 else f(n - 1)\n"
                          "l | map f(1) | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "function 'f' calls itself, directly or through other functions", 2, 33,
                    "write it without recursion; a pipeline must finish every element");
}

static void test_mutual_recursion(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "fn f(a) = g(a)\n"
                          "fn g(a) = f(a)\n"
                          "l | map f(it) | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    /* each at the call closing the loop, in the function bodies, not at the use */
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_ERROR(u, "function 'f' calls itself, directly or through other functions", 3, 11,
                    "write it without recursion; a pipeline must finish every element");
    TU_EXPECT_ERROR(u, "function 'g' calls itself, directly or through other functions", 2, 11,
                    "write it without recursion; a pipeline must finish every element");
}

static void test_stream_cycle(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "a = b | map it\n"
                          "b = a | map it\n"
                          "a | union l | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "stream 'a' depends on itself", 3, 5,
                    "a stream cannot be computed from itself; break the cycle");
}

static void test_stream_reads_itself(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "a = a | union l\n"
                          "a | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "stream 'a' depends on itself", 2, 5,
                    "a stream cannot be computed from itself; break the cycle");
}

static void test_batch_twice(void)
{
    sp_unit *u = tu_check("batch 1s\n"
                          "batch 2s\n"
                          "source l = stdin\n"
                          "l | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "only one 'batch' statement is allowed", 2, 1,
                    "the batch interval is already set at test.sp:1:1");
    TU_EXPECT_INT(u->batch_ms, 1000);
}

static void test_param_not_constant(void)
{
    sp_unit *u = tu_check("param p = x\n"
                          "source l = stdin\n"
                          "l | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "the default of parameter 'p' must be a constant", 1, 11,
                    "write a literal: a number, string, duration, true or false");
}

static void test_source_and_sink_arguments(void)
{
    sp_unit *u = tu_check("source f = file()\n"
                          "source g = filee(\"x\")\n"
                          "source h = file(\"x\", folow: true)\n"
                          "source i = file(1)\n"
                          "f | union g | union h | union i | sink stdot\n");
    TU_EXPECT_COUNTS(u, 5, 0);
    TU_EXPECT_ERROR(u, "source 'file' needs its 'path' argument", 1, 12, "for example: file(\"...\")");
    TU_EXPECT_ERROR(u, "unknown source 'filee'", 2, 12, "did you mean 'file'?");
    TU_EXPECT_ERROR(u, "source 'file' has no option 'folow'", 3, 22, "did you mean 'follow'?");
    TU_EXPECT_ERROR(u, "'path' must be a string, not an integer", 4, 17, NULL);
    TU_EXPECT_ERROR(u, "unknown sink 'stdot'", 5, 40, "did you mean 'stdout'?");
}

/* ----- -p overrides ----- */

static const char override_text[] = "param n = 10\n"
                                    "param w = 30s\n"
                                    "param title = \"x\"\n"
                                    "param flag = false\n"
                                    "batch 10s\n"
                                    "source l = stdin\n"
                                    "l | filter flag | take n | window w | sink stdout(title)\n";

static void test_override_valid(void)
{
    sp_param_override ov[] = {{"n", "5", NULL, 0}, {"w", "1m", NULL, 0}, {"title", "hello", NULL, 0}, {"flag", "true", NULL, 0}};
    sp_unit *u = tu_check_with(override_text, ov, 4);
    TU_EXPECT_INT(u->status, SP_CHECK_OK);
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *n = tu_named(u, "n"), *w = tu_named(u, "w"), *t = tu_named(u, "title"), *f = tu_named(u, "flag");
    CU_ASSERT_PTR_NOT_NULL_FATAL(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    TU_EXPECT_INT(n->value->kind, SP_E_INT);
    TU_EXPECT_INT(n->value->u.i, 5);
    TU_EXPECT_STR(n->param_override, "5");
    TU_EXPECT_INT(w->value->kind, SP_E_DURATION);
    TU_EXPECT_INT(w->value->u.i, 60000);
    TU_EXPECT_INT(t->value->kind, SP_E_STRING);
    TU_EXPECT_STR(t->value->u.str.s, "hello");
    TU_EXPECT_INT(f->value->kind, SP_E_BOOL);
    TU_EXPECT_INT(f->value->u.b, 1);
    /* the operators see the new values */
    sp_step *take = tu_step(tu_stmt(u, 6), 1), *win = tu_step(tu_stmt(u, 6), 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(take);
    CU_ASSERT_PTR_NOT_NULL_FATAL(win);
    TU_EXPECT_INT(take->n, 5);
    TU_EXPECT_INT(win->length_ms, 60000);
}

static void test_override_checked_like_the_default(void)
{
    sp_param_override ov[] = {{"w", "15s", NULL, 0}};
    sp_unit *u = tu_check_with(override_text, ov, 1);
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_ERROR(u, "window length 15s is not a multiple of the batch interval 10s", 7, 35,
                    "use 10s or 20s, or change the batch interval");
}

static void test_override_unknown_name(void)
{
    sp_param_override near[] = {{"nn", "5", NULL, 0}};
    sp_unit *u = tu_check_with(override_text, near, 1);
    TU_EXPECT_INT(u->status, SP_CHECK_BAD_USAGE);
    TU_EXPECT_ERROR(u, "-p nn: test.sp has no parameter 'nn'", 0, 0, "did you mean 'n'?");
    sp_param_override far[] = {{"zzzz", "5", NULL, 0}};
    sp_unit *v = tu_check_with(override_text, far, 1);
    TU_EXPECT_INT(v->status, SP_CHECK_BAD_USAGE);
    TU_EXPECT_ERROR(v, "-p zzzz: test.sp has no parameter 'zzzz'", 0, 0,
                    "its parameters are: n, w, title, flag");
    /* the default is kept */
    TU_EXPECT_INT(tu_named(v, "n")->value->u.i, 10);
}

static void test_override_names_a_stream(void)
{
    sp_param_override ov[] = {{"l", "x", NULL, 0}};
    sp_unit *u = tu_check_with(override_text, ov, 1);
    TU_EXPECT_INT(u->status, SP_CHECK_BAD_USAGE);
    CU_ASSERT(tu_find(u, "-p l: test.sp has no parameter 'l'") >= 0);
}

static void test_override_bad_value(void)
{
    static const struct { const char *name, *value, *msg, *hint; int line, col; } cases[] = {
        {"n", "five", "-p n=five: the value must be an integer", "the default here is an integer", 1, 11},
        {"n", "", "-p n=: the value must be an integer", "the default here is an integer", 1, 11},
        {"w", "10", "-p w=10: the value must be a duration such as 500ms, 10s or 5m",
         "the default here is a duration", 2, 11},
        {"w", "0s", "-p w=0s: the value must be a duration such as 500ms, 10s or 5m",
         "the default here is a duration", 2, 11},
        {"flag", "yes", "-p flag=yes: the value must be true or false", "the default here is true or false", 4, 14},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sp_param_override ov[] = {{cases[k].name, cases[k].value, NULL, 0}};
        sp_unit *u = tu_check_with(override_text, ov, 1);
        TU_EXPECT_INT(u->status, SP_CHECK_BAD_USAGE);
        TU_EXPECT_ERROR(u, cases[k].msg, cases[k].line, cases[k].col, cases[k].hint);
        CU_ASSERT_PTR_NULL(tu_named(u, cases[k].name)->param_override);
    }
}

/* ----- regular expressions ----- */

static void test_invalid_regex(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | filter match(it, \"a(b\") | map extract(it, '[z-a]') | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_INVALID);
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_ERROR(u, "invalid regular expression: missing closing parenthesis (at offset 3 of the pattern)",
                    2, 22, NULL);
    TU_EXPECT_ERROR(u, "invalid regular expression: range out of order in character class (at offset 3 of the pattern)",
                    2, 47, NULL);
}

static void test_invalid_regex_through_param(void)
{
    sp_unit *u = tu_check("param re = '(?<x'\n"
                          "source l = stdin\n"
                          "l | map captures(it, re) | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    int i = tu_find_part(u, "invalid regular expression: ");
    CU_ASSERT(i >= 0);
    if (i >= 0) {
        TU_EXPECT_INT(sp_diag_line(u->d, i), 3);
        TU_EXPECT_INT(sp_diag_col(u->d, i), 22);
    }
}

static void test_valid_regex(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | filter match(it, '^\\d{3} (?<x>[a-z]+)$') | sink stdout\n");
    TU_EXPECT_INT(u->status, SP_CHECK_OK);
    TU_EXPECT_COUNTS(u, 0, 0);
}

/* ----- type errors ----- */

static void test_type_errors(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | filter length(it) | sink stdout\n"
                          "l | map it + 1 | sink stdout\n"
                          "l | map it * 2 | sink stdout\n"
                          "l | flatMap length(it) | sink stdout\n");
    TU_EXPECT_COUNTS(u, 4, 0);
    TU_EXPECT_ERROR(u, "'filter' needs true or false for each element, not int", 2, 12,
                    "compare it, for example: filter status >= 500");
    TU_EXPECT_ERROR(u, "cannot add string and int", 3, 12, "convert the other side with to_string(...)");
    TU_EXPECT_ERROR(u, "'*' needs numbers, not string and int", 4, 12,
                    "convert text to a number with to_int(...) or to_float(...)");
    TU_EXPECT_ERROR(u, "'flatMap' needs a list for each element, not int", 5, 13,
                    "return a list, for example: split(it, \" \")");
}

static void test_it_outside_operator(void)
{
    sp_unit *u = tu_check("fn f(x) = it\n"
                          "source l = stdin\n"
                          "l | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "'it' is only defined in an operator's argument, where it is the current element", 1, 11,
                    "inside a function use its parameter instead");
}

/* ----- inferred types ----- */

static void test_weblog_key_counts_type(void)
{
    sp_unit *u = tu_check("use weblog\n"
                          "source lines = stdin\n"
                          "lines | map parse_access_log | filter ok | map (status, 1) | reduceByKey sum | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    /* status comes from to_int(...), which may be null; `filter ok` does not
     * narrow the record's type */
    TU_EXPECT_STR(step_type(u, 2, 2), "(int or null, int)");
    TU_EXPECT_STR(step_type(u, 2, 3), "(int or null, int)");
    sp_step *first = tu_step(tu_stmt(u, 2), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    TU_EXPECT_STR(tu_type(u, first->in_type), "string");
    CU_ASSERT_EQUAL(first->out_type->kind, SP_T_RECORD);
    CU_ASSERT_TRUE(first->out_type->nullable);
}

static void test_weblog_size_is_int(void)
{
    /* size_of(text) = if text == "-" then 0 else to_int(text, 0): an integer */
    sp_unit *u = tu_check("use weblog\n"
                          "source lines = stdin\n"
                          "lines | map parse_access_log | filter ok | map size | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_STR(step_type(u, 2, 2), "int or null");
}

static void test_join_of_int_and_nullable_int(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | map if it == \"\" then 0 else to_int(it) | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_STR(step_type(u, 1, 0), "int or null");
}

static void test_coalesce_removes_null(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | map coalesce(extract(it, '(a)'), \"\") | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_STR(step_type(u, 1, 0), "string");
}

static void test_record_literal_types(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "l | map {status: 200, path: it} | map (status, 1) | reduceByKey sum | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_STR(step_type(u, 1, 0), "{status: int, path: string}");
    TU_EXPECT_STR(step_type(u, 1, 1), "(int, int)");
    TU_EXPECT_STR(step_type(u, 1, 2), "(int, int)");
}

static void test_operator_result_types(void)
{
    static const struct { const char *pipe; const char *type; } cases[] = {
        {"l | count", "int"},
        {"l | countByValue", "(string, int)"},
        {"l | map (it, length(it)) | groupByKey", "(string, list<int>)"},
        {"l | flatMap split(it, \" \")", "string"},
        {"l | map x -> length(x) / 2", "int"},
        {"l | map to_float(it)", "float or null"},
        {"l | map [1, 2.5]", "list<float>"},
        {"l | map (it, 1) | reduceByKey (a, b) -> a + b", "(string, int)"},
        {"l | map (it, 1) | updateStateByKey running_sum", "(string, any)"},
        {"l | countByWindow 10s", "int"},
        {"l | map (it, 1.5) | sortByKey desc", "(string, float)"},
        {"l | map {a: 1} | top 3 by a", "{a: int}"},
        {"l | map extract(it, '(a)')", "string or null"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fprintf(f, "source l = stdin\n%s | sink stdout\n", cases[k].pipe);
        fclose(f);
        sp_unit *u = tu_check(text);
        free(text);
        TU_EXPECT_COUNTS(u, 0, 0);
        const char *got = before_sink_type(u, 1);
        tu_assert(strcmp(got, cases[k].type) == 0, __LINE__, __FILE__, __func__,
                  "'%s' carries \"%s\", expected \"%s\"", cases[k].pipe, got, cases[k].type);
    }
}

static void test_join_types(void)
{
    sp_unit *u = tu_check("source l = stdin\n"
                          "a = l | map (it, 1)\n"
                          "b = l | map (it, \"x\")\n"
                          "a | join b | sink stdout\n"
                          "a | leftOuterJoin b | sink stdout\n"
                          "a | union a | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_STR(step_type(u, 3, 0), "(string, (int, string))");
    TU_EXPECT_STR(step_type(u, 4, 0), "(string, (int, string or null))");
    TU_EXPECT_STR(step_type(u, 5, 0), "(string, int)");
    sp_step *j = tu_step(tu_stmt(u, 3), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_PTR_EQUAL(j->other, tu_named(u, "b"));
}

static void test_names_resolved(void)
{
    sp_unit *u = tu_check("param limit = 3\n"
                          "source l = stdin\n"
                          "l | map {n: length(it)} | filter n > limit | map x -> sum(x.n, 1) | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 2);
    sp_expr *cmp = tu_step(s, 1)->args->value;
    TU_EXPECT_INT(cmp->u.binary.l->resolution, SP_R_FIELD);
    TU_EXPECT_INT(cmp->u.binary.l->slot, 0);
    TU_EXPECT_INT(cmp->u.binary.r->resolution, SP_R_PARAM);
    CU_ASSERT_PTR_EQUAL(cmp->u.binary.r->target, tu_named(u, "limit"));
    sp_expr *lam = tu_step(s, 2)->args->value;
    sp_expr *call = lam->u.lambda.body;
    TU_EXPECT_INT(call->u.call.fn->resolution, SP_R_FUNCTION);
    sp_expr *x = call->u.call.args->value->u.field.obj;
    TU_EXPECT_INT(x->resolution, SP_R_LOCAL);
    sp_expr *len = tu_step(s, 0)->args->value->u.items.items->value;
    TU_EXPECT_INT(len->resolution, SP_R_BUILTIN);
}

/* ----- the shipped pipeline ----- */

static void test_logs_pipeline(void)
{
    sp_unit *u = tu_new();
    const char *path = tu_src_path(u, "pipelines/logs.sp");
    u->p = sp_load(u->d, u->a, path, NULL);
    tu_assert(u->p != NULL, __LINE__, __FILE__, __func__, "cannot load %s: %s", path, tu_messages(u));
    CU_ASSERT_PTR_NOT_NULL_FATAL(u->p);
    u->stmts = u->p->stmts;
    u->status = sp_check(u->p, u->d, u->a, NULL, 0, &u->batch_ms);
    TU_EXPECT_INT(u->status, SP_CHECK_OK);
    TU_EXPECT_COUNTS(u, 0, 0);
    /* its libraries came from the source tree */
    int weblog = 0;
    for (int i = 0; i < sp_diag_file_count(u->d); i++)
        if (strstr(sp_srcfile_name(sp_diag_file(u->d, i)), "stdlib/weblog.sp"))
            weblog = 1;
    CU_ASSERT_TRUE(weblog);
}

/* ----- suggestions (suggest.c) ----- */

static void test_edit_distance(void)
{
    TU_EXPECT_INT(sp_edit_distance("", ""), 0);
    TU_EXPECT_INT(sp_edit_distance("abc", "abc"), 0);
    TU_EXPECT_INT(sp_edit_distance("", "abc"), 3);
    TU_EXPECT_INT(sp_edit_distance("kitten", "sitting"), 3);
    TU_EXPECT_INT(sp_edit_distance("status", "stauts"), 1);  /* a transposition is one edit */
    TU_EXPECT_INT(sp_edit_distance("reduceByKy", "reduceByKey"), 1);
    TU_EXPECT_INT(sp_edit_distance("Count", "count"), 0);   /* letters compare without case */
    TU_EXPECT_INT(sp_edit_distance("ca", "abc"), 3);        /* optimal string alignment */
    TU_EXPECT_INT(sp_edit_distance("map", "filter"), 6);
    char longer[80];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    CU_ASSERT(sp_edit_distance(longer, longer + 1) >= 64);
}

static void test_suggest_thresholds(void)
{
    static const struct { const char *word, *cand, *want; } cases[] = {
        {"mp", "map", "map"},             /* 2 letters: one edit allowed */
        {"xy", "map", NULL},
        {"fitler", "filter", "filter"},   /* 6 letters: two edits allowed */
        {"fltr", "filter", NULL},         /* 4 letters, two edits: too far */
        {"reduceByKy", "reduceByKey", "reduceByKey"},
        {"reduceByKeyAndWindo", "reduceByKeyAndWindow", "reduceByKeyAndWindow"},
        {"COUNT", "count", "count"},      /* case only */
        {"count", "count", NULL},         /* the word itself is not a suggestion */
        {"abcdefghijkl", "abcdefghixyz", "abcdefghixyz"}, /* 12 letters: at most 3 */
        {"abcdefghijklmnop", "abcdefghijklwxyz", NULL},   /* 4 edits: never */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sp_suggest s;
        sp_suggest_init(&s, cases[k].word);
        sp_suggest_offer(&s, cases[k].cand);
        const char *got = sp_suggest_result(&s);
        int ok = cases[k].want ? got && strcmp(got, cases[k].want) == 0 : got == NULL;
        tu_assert(ok, __LINE__, __FILE__, __func__, "'%s' offered '%s': got %s, expected %s", cases[k].word,
                  cases[k].cand, got ? got : "NULL", cases[k].want ? cases[k].want : "NULL");
    }
}

static void test_suggest_closest(void)
{
    sp_suggest s;
    sp_suggest_init(&s, "windw");
    sp_suggest_offer(&s, "count");
    sp_suggest_offer(&s, NULL);
    sp_suggest_offer(&s, "window");
    sp_suggest_offer(&s, "windows");
    TU_EXPECT_STR(sp_suggest_result(&s), "window");
    TU_EXPECT_INT(s.best_distance, 1);
    sp_suggest e;
    sp_suggest_init(&e, "x");
    CU_ASSERT_PTR_NULL(sp_suggest_result(&e));
}

/* ----- printing diagnostics (diag.c) ----- */

/* Reports through a context printing into memory; returns the text (heap). */
static char *print_report(const char *name, const char *text, sp_severity sev, int start, int end,
                          const char *hint, const char *msg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return NULL;
    sp_diag *d = sp_diag_new(out);
    int file = sp_diag_add_file(d, sp_srcfile_from_string(name, text, strlen(text)));
    sp_loc loc = {file, start, end};
    sp_diag_report(d, sev, loc, hint, "%s", msg);
    sp_diag_free(d);
    fclose(out);
    return buf;
}

static void test_diag_print_error(void)
{
    char *s = print_report("name.sp", "param a = 1\nl | mpa it\n", SP_ERROR, 16, 19, "did you mean 'map'?",
                           "unknown operator 'mpa'");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_STR(s, "name.sp:2:5: error: unknown operator 'mpa'\n"
                     "    2 | l | mpa it\n"
                     "      |     ^~~\n"
                     "      = hint: did you mean 'map'?\n");
    free(s);
}

static void test_diag_print_warning_without_hint(void)
{
    char *s = print_report("w.sp", "x = y\n", SP_WARNING, 0, 1, NULL, "stream 'x' is never used");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_STR(s, "w.sp:1:1: warning: stream 'x' is never used\n"
                     "    1 | x = y\n"
                     "      | ^\n");
    free(s);
}

static void test_diag_print_wide_gutter(void)
{
    char text[2048] = "";
    for (int i = 1; i < 120; i++)
        strcat(text, "#\n");
    strcat(text, "\tfoo bar\n");
    int start = (int)strlen(text) - 4; /* "bar" */
    char *s = print_report("g.sp", text, SP_NOTE, start, start + 3, NULL, "here");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_STR(s, "g.sp:120:6: note: here\n"
                     "    120 | \tfoo bar\n"
                     "        | \t    ^~~\n");
    free(s);
}

static void test_diag_print_without_position(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    sp_diag *d = sp_diag_new(out);
    sp_loc none = {-1, 0, 0};
    sp_diag_error(d, none, "did you mean 'n'?", "-p %s: %s has no parameter '%s'", "nn", "x.sp", "nn");
    TU_EXPECT_INT(sp_diag_line(d, 0), 0);
    TU_EXPECT_INT(sp_diag_col(d, 0), 0);
    sp_diag_free(d);
    fclose(out);
    TU_EXPECT_STR(buf, "streampipe: error: -p nn: x.sp has no parameter 'nn'\n"
                       "      = hint: did you mean 'n'?\n");
    free(buf);
}

static void test_diag_collects(void)
{
    sp_diag *d = sp_diag_new(NULL);
    int f = sp_diag_add_file(d, sp_srcfile_from_string("c.sp", "ab\ncd\n", 6));
    TU_EXPECT_INT(f, 0);
    TU_EXPECT_INT(sp_diag_file_count(d), 1);
    sp_loc at = {f, 4, 5};
    sp_diag_error(d, at, NULL, "first %d", 1);
    sp_diag_error(d, at, NULL, "first %d", 1); /* the same again: kept once */
    sp_loc at2 = {f, 0, 1};
    sp_diag_warning(d, at2, "h", "second");
    sp_diag_warning(d, at, NULL, "hidden"); /* in the text of an error: a consequence, dropped */
    sp_diag_note(d, at, "third");
    TU_EXPECT_INT(sp_diag_count(d), 3);
    TU_EXPECT_INT(sp_diag_errors(d), 1);
    TU_EXPECT_INT(sp_diag_warnings(d), 1);
    TU_EXPECT_STR(sp_diag_message(d, 0), "first 1");
    TU_EXPECT_INT(sp_diag_severity(d, 1), SP_WARNING);
    TU_EXPECT_STR(sp_diag_hint(d, 1), "h");
    CU_ASSERT_PTR_NULL(sp_diag_hint(d, 0));
    TU_EXPECT_INT(sp_diag_severity(d, 2), SP_NOTE);
    TU_EXPECT_INT(sp_diag_line(d, 2), 2);
    TU_EXPECT_INT(sp_diag_col(d, 2), 2);
    sp_diag_free(d);
}

static void test_diag_quiet_warnings(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    sp_diag *d = sp_diag_new(out);
    sp_diag_set_quiet_warnings(d, 1);
    sp_loc none = {-1, 0, 0};
    sp_diag_warning(d, none, NULL, "hidden");
    TU_EXPECT_INT(sp_diag_warnings(d), 1);
    sp_diag_free(d);
    fclose(out);
    TU_EXPECT_STR(buf, "");
    free(buf);
}

CU_ErrorCode sp_test_register_check(void)
{
    static const tu_test tests[] = {
        {"an unknown operator suggests the closest one", test_unknown_operator},
        {"a sink kind written as an operator suggests 'sink'", test_sink_written_as_operator},
        {"an unknown operator far from every name gets no suggestion", test_unknown_operator_far_from_all},
        {"an unknown stream suggests a defined one or explains how to declare it", test_unknown_stream},
        {"a pipeline starting from a parameter is reported", test_stream_head_not_a_stream},
        {"unknown functions and names suggest close names in scope", test_unknown_function_and_name},
        {"an unknown name suggests a lambda parameter", test_unknown_name_suggests_local},
        {"a misspelt field of a stdlib parser's record suggests the field", test_stdlib_field_typo},
        {"a misspelt field after 'it.' suggests the field", test_stdlib_field_typo_through_it},
        {"an unknown name on a known record lists its fields", test_unknown_field_lists_fields},
        {"an unknown library suggests a close one", test_unknown_library},
        {"a tuple item past the end is reported with the valid range", test_tuple_item_out_of_range},
        {"operators given too few or too many arguments are reported with their usage", test_operator_arity},
        {"an option an operator does not take is reported", test_operator_option_not_taken},
        {"functions given the wrong number of arguments are reported", test_function_arity},
        {"a reducer of one argument is reported", test_reducer_of_wrong_arity},
        {"window length and slide must be multiples of the batch, with values to use", test_window_not_multiple},
        {"a window shorter than the batch suggests the batch interval", test_window_shorter_than_batch},
        {"without a batch statement windows are checked against 1s", test_window_default_batch},
        {"the checked length and slide are recorded on the step", test_window_recorded_on_step},
        {"a window length that is not a duration is reported", test_window_needs_duration},
        {"keyed operators on a stream of non-pairs are reported", test_keyed_needs_pairs},
        {"join with a stream of non-pairs is reported", test_join_needs_pairs},
        {"a named stream never used is a warning", test_unused_stream_warning},
        {"a source never read is a warning", test_unused_source_warning},
        {"a file without source or sink is reported", test_no_source_no_sink},
        {"an unnamed pipeline without a sink is reported", test_pipeline_without_sink},
        {"a sink must be the last step", test_sink_not_last},
        {"a sink before the last step is the only error reported", test_sink_not_last_only_error},
        {"a named stream cannot end in a sink", test_named_stream_with_sink},
        {"a named stream ending in a sink is not also warned about as unused", test_named_stream_with_sink_no_unused_warning},
        {"a name defined twice is reported with where it was first defined", test_duplicate_definition},
        {"the pipeline's own function hides a prelude function of the same name", test_redefine_prelude_function},
        {"a built-in function cannot be redefined", test_redefine_builtin},
        {"a function calling itself is reported", test_recursion},
        {"mutually recursive functions are reported", test_mutual_recursion},
        {"streams defined from each other are reported as a cycle", test_stream_cycle},
        {"a stream reading itself is reported", test_stream_reads_itself},
        {"a second batch statement is reported", test_batch_twice},
        {"a parameter default must be a constant", test_param_not_constant},
        {"source and sink arguments are checked against their kind", test_source_and_sink_arguments},
        {"a valid -p override replaces the default", test_override_valid},
        {"an overridden value is checked like the default", test_override_checked_like_the_default},
        {"a -p naming no parameter is bad usage, with a suggestion or the list", test_override_unknown_name},
        {"a -p naming a stream is bad usage", test_override_names_a_stream},
        {"a -p value of the wrong type is bad usage", test_override_bad_value},
        {"an invalid regex constant in match() or extract() is reported at the pattern", test_invalid_regex},
        {"an invalid regex given by a parameter is reported where it is used", test_invalid_regex_through_param},
        {"a valid regex is accepted", test_valid_regex},
        {"type errors in operator arguments are reported", test_type_errors},
        {"'it' outside an operator is reported", test_it_outside_operator},
        {"(status, 1) counted by key on weblog records is (int or null, int)", test_weblog_key_counts_type},
        {"the size field of a parsed access log is an integer", test_weblog_size_is_int},
        {"an if joining int and int-or-null is int or null", test_join_of_int_and_nullable_int},
        {"coalesce of a string-or-null and a string is a string", test_coalesce_removes_null},
        {"a record literal's field types flow through map and reduceByKey", test_record_literal_types},
        {"each operator's result type is inferred", test_operator_result_types},
        {"join, leftOuterJoin and union combine both sides' types", test_join_types},
        {"names are resolved to fields, parameters, functions, locals and built-ins", test_names_resolved},
        {"pipelines/logs.sp checks with no errors and no warnings", test_logs_pipeline},
        {"the edit distance counts insertions, deletions, changes and swaps", test_edit_distance},
        {"a suggestion is made only within about one edit per three letters", test_suggest_thresholds},
        {"the closest of several candidates is suggested", test_suggest_closest},
        {"an error prints as file:line:col, the line, a caret and the hint", test_diag_print_error},
        {"a warning without a hint prints no hint line", test_diag_print_warning_without_hint},
        {"the gutter widens with the line number and tabs are kept", test_diag_print_wide_gutter},
        {"a message without a position prints under the program's name", test_diag_print_without_position},
        {"messages are collected, counted and deduplicated", test_diag_collects},
        {"quiet warnings are counted but not printed", test_diag_quiet_warnings},
        {NULL, NULL}};
    return tu_add_suite("check", tests);
}
