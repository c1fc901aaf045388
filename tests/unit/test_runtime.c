/* test_runtime.c - the micro-batch runtime (src/runtime*.c): every operator
 * of src/ops.def, window edge cases, the text and JSON sinks, run-time
 * errors.
 *
 * Each test writes its input lines to a temporary file, runs a pipeline that
 * reads it with `source lines = file(PATH)` (and `other` for a second input),
 * K records per batch, so that batch i holds records [iK, (i+1)K) and has the
 * time (i+1) x interval (start_ms 0), and compares the whole output with what
 * docs/operators.md and docs/language.md say it must be.  The expected
 * outputs were worked out by hand from those documents.
 *
 * Inputs are chosen so that the last batch is never full: whether a file
 * whose line count is a multiple of K ends with an extra empty batch is
 * tested once, on its own (test_run_ends_with_the_last_record). */
#include "test_util.h"

#include <unistd.h>

#include "runtime.h"

/* The JSON sink most tests use, and one line of its output:
 * J(batch, time, "value as JSON"). */
#define OUT "sink stdout(format: \"json\", name: \"o\")"
#define J(b, t, v) "{\"sink\":\"o\",\"batch\":" #b ",\"time\":" #t ",\"value\":" v "}\n"

/* The text sink's header of a batch. */
#define DASHES "-------------------------------------------\n"
#define HDR(t) DASHES "Time: " #t " ms\n" DASHES

/* "KEY VALUE" lines as (key, int) pairs. */
#define KV "fn kv(s) = (split(s, \" \")[0], to_int(split(s, \" \")[1], 0))\n"

/* ----- what a test leaves behind: freed by rt_teardown() ----- */

typedef struct rt_garbage {
    char *buf;                /* a captured output (heap), or NULL */
    char *path;               /* a temporary file to unlink, or NULL */
    struct rt_garbage *next;
} rt_garbage;

static rt_garbage *garbage;

static void keep(char *buf, char *path)
{
    rt_garbage *g = calloc(1, sizeof *g);
    if (!g) {
        fputs("test_runtime: out of memory\n", stderr);
        abort();
    }
    g->buf = buf;
    g->path = path;
    g->next = garbage;
    garbage = g;
}

static void rt_teardown(void)
{
    while (garbage) {
        rt_garbage *next = garbage->next;
        if (garbage->path) {
            unlink(garbage->path);
            free(garbage->path);
        }
        free(garbage->buf);
        free(garbage);
        garbage = next;
    }
    tu_teardown();
}

/* Writes `text` to a new temporary file; returns its path (freed and
 * unlinked by the teardown). */
static const char *temp_input(const char *text)
{
    char *path = sp_xstrdup("/tmp/sp-test-runtime-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        CU_FAIL_FATAL("mkstemp failed");
        return NULL;
    }
    keep(NULL, path);
    size_t len = strlen(text);
    ssize_t n = write(fd, text, len);
    close(fd);
    CU_ASSERT_FATAL(n == (ssize_t)len);
    return path;
}

/* ----- running a pipeline ----- */

typedef struct rt_opts {
    const char *input2;   /* lines of the second source `other`, or NULL */
    int64_t start_ms;     /* sp_run_options.start_ms */
    int64_t max_line;     /* sp_run_options.max_line (0: the default) */
    sp_run_stats *stats;  /* receives the run's counters, or NULL */
    sp_unit **unit;       /* receives the compiled unit (its diagnostics), or NULL */
    sp_batch_observer observer; /* given to sp_runtime_observe, or NULL */
    void *observer_ctx;
    void (*inspect)(const sp_runtime *rt); /* called after the run, before the free */
    int threads;          /* sp_run_options.threads (0: 1) */
} rt_opts;

/* The pipeline text: `source lines = file(...)` holding `input` (none when
 * input is NULL), `source other = file(...)` holding input2 (if not NULL),
 * then `body`.  Freed by the teardown. */
static const char *pipeline_text(const char *body, const char *input, const char *input2)
{
    const char *path = input ? temp_input(input) : NULL;
    const char *path2 = input2 ? temp_input(input2) : NULL;
    char *text = NULL;
    size_t tlen = 0;
    FILE *t = open_memstream(&text, &tlen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    if (path)
        fprintf(t, "source lines = file(\"%s\")\n", path);
    if (path2)
        fprintf(t, "source other = file(\"%s\")\n", path2);
    fputs(body, t);
    fclose(t);
    keep(text, NULL);
    return text;
}

/* Loads, checks (which must succeed) and plans `text`. */
static sp_plan *compile(const char *text, sp_unit **uout)
{
    sp_unit *u = tu_check(text);
    *uout = u;
    tu_assert(u->status == SP_CHECK_OK && tu_errors(u) == 0, __LINE__, __FILE__, __func__,
              "the pipeline does not check: %s\n%s", tu_messages(u), text);
    CU_ASSERT_FATAL(u->status == SP_CHECK_OK && tu_errors(u) == 0);
    sp_plan *plan = sp_plan_build(u->p, u->batch_ms, u->a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
    return plan;
}

/* Runs `body` (see pipeline_text), `k` records per batch.  Returns
 * everything the stdout sinks wrote (freed by the teardown). */
static const char *run_with(const char *body, const char *input, int64_t k, const rt_opts *o)
{
    const char *text = pipeline_text(body, input, o ? o->input2 : NULL);
    sp_unit *u;
    sp_plan *plan = compile(text, &u);
    if (o && o->unit)
        *o->unit = u;

    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    sp_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.out = out;
    opt.batch_records = k;
    opt.start_ms = o ? o->start_ms : 0;
    opt.max_line = o ? o->max_line : 0;
    opt.threads = o ? o->threads : 0;
    char *err = NULL;
    sp_runtime *rt = sp_runtime_new(u->p, plan, u->d, &opt, &err);
    tu_assert(rt != NULL, __LINE__, __FILE__, __func__, "sp_runtime_new failed: %s", err ? err : "(no message)");
    int rc = -1;
    if (rt) {
        if (o && o->observer)
            sp_runtime_observe(rt, o->observer, o->observer_ctx);
        rc = sp_runtime_run(rt);
        if (o && o->inspect)
            o->inspect(rt);
        if (o && o->stats)
            sp_runtime_stats(rt, o->stats);
        sp_runtime_free(rt);
    }
    free(err);
    fclose(out);
    keep(buf, NULL);
    TU_EXPECT_INT(rc, 0);
    return buf ? buf : "";
}

static const char *run(const char *body, const char *input, int64_t k)
{
    return run_with(body, input, k, NULL);
}

static const char *run2(const char *body, const char *input, const char *input2, int64_t k)
{
    rt_opts o = {.input2 = input2};
    return run_with(body, input, k, &o);
}

/* sp_runtime_new on a pipeline that checks: it must fail; returns its
 * message (freed by the teardown). */
static const char *start_fails(const char *text)
{
    sp_unit *u;
    sp_plan *plan = compile(text, &u);
    sp_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.out = stderr; /* nothing may be written */
    char *err = NULL;
    sp_runtime *rt = sp_runtime_new(u->p, plan, u->d, &opt, &err);
    tu_assert(rt == NULL, __LINE__, __FILE__, __func__, "sp_runtime_new succeeded on: %s", text);
    sp_runtime_free(rt);
    keep(err, NULL);
    return err ? err : "(no message)";
}

/* The contents of a file (freed by the teardown). */
static const char *file_contents(const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    FILE *f = fopen(path, "r");
    if (!f) {
        fclose(m);
        free(buf);
        CU_FAIL_FATAL("cannot read the output file");
    }
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(f);
    fclose(m);
    keep(buf, NULL);
    return buf;
}

/* ===== per element: map, flatMap, filter ===== */

static void test_map_expression(void)
{
    TU_EXPECT_STR(run("lines | map (it, length(it)) | " OUT "\n", "a\nbb\nccc\n", 2),
                  J(0, 1000, "[[\"a\",1],[\"bb\",2]]")
                  J(1, 2000, "[[\"ccc\",3]]"));
}

static void test_map_function_and_lambda(void)
{
    /* a function name is applied to the element; a lambda of two
     * parameters takes a pair apart */
    TU_EXPECT_STR(run("lines | map length | " OUT "\n", "a\nbb\nccc\n", 2),
                  J(0, 1000, "[1,2]")
                  J(1, 2000, "[3]"));
    TU_EXPECT_STR(run("lines | map (it, 10) | map (k, v) -> v + length(k) | " OUT "\n", "a\nbb\nccc\n", 2),
                  J(0, 1000, "[11,12]")
                  J(1, 2000, "[13]"));
}

static void test_flatmap_emits_items_in_order(void)
{
    TU_EXPECT_STR(run("lines | flatMap split(it, \" \") | " OUT "\n", "a b\nc\nd e f\n", 2),
                  J(0, 1000, "[\"a\",\"b\",\"c\"]")
                  J(1, 2000, "[\"d\",\"e\",\"f\"]"));
}

static void test_flatmap_null_and_empty_give_nothing(void)
{
    TU_EXPECT_STR(run("lines | flatMap if it == \"n\" then null else if it == \"e\" then [] else split(it, \" \") | " OUT "\n",
                      "n\ny z\ne\nw\n", 10),
                  J(0, 1000, "[\"y\",\"z\",\"w\"]"));
}

static void test_filter_keeps_true(void)
{
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | filter it > 2 | " OUT "\n", "1\n5\n3\n7\n0\n", 2),
                  J(0, 1000, "[5]")
                  J(1, 2000, "[3,7]")
                  J(2, 3000, "[]"));
}

static void test_filter_drops_null_condition(void)
{
    TU_EXPECT_STR(run("lines | filter if it == \"n\" then null else it != \"f\" | " OUT "\n", "a\nn\nf\nb\n", 10),
                  J(0, 1000, "[\"a\",\"b\"]"));
}

static void test_flatmap_non_list_is_an_error(void)
{
    /* a tuple where the checker could not know the type (any): a value of
     * the wrong type is a run-time error, the expression gives null, and
     * null gives nothing */
    sp_run_stats st;
    rt_opts o = {.stats = &st};
    TU_EXPECT_STR(run_with("lines | flatMap if it == \"t\" then (\"x\", \"y\") else [it] | " OUT "\n", "a\nt\nb\n", 10, &o),
                  J(0, 1000, "[\"a\",\"b\"]"));
    TU_EXPECT_INT(st.eval_errors, 1);
}

/* ===== per batch: count, reduce, countByValue ===== */

static void test_count_per_batch(void)
{
    TU_EXPECT_STR(run("lines | count | " OUT "\n", "a\nb\nc\nd\ne\n", 2),
                  J(0, 1000, "2")
                  J(1, 2000, "2")
                  J(2, 3000, "1"));
}

static void test_count_of_an_empty_batch_is_zero(void)
{
    TU_EXPECT_STR(run("lines | filter it != \"-\" | count | " OUT "\n", "a\n-\n-\n-\nb\n", 2),
                  J(0, 1000, "1")
                  J(1, 2000, "0")
                  J(2, 3000, "1"));
}

static void test_reduce_per_batch(void)
{
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | reduce sum | " OUT "\n", "1\n2\n3\n4\n5\n", 2),
                  J(0, 1000, "3")
                  J(1, 2000, "7")
                  J(2, 3000, "5"));
    /* combined from the first element to the last */
    TU_EXPECT_STR(run("lines | reduce (x, y) -> x + y | " OUT "\n", "a\nb\nc\nd\n", 3),
                  J(0, 1000, "\"abc\"")
                  J(1, 2000, "\"d\""));
}

static void test_reduce_of_an_empty_batch_prints_no_data(void)
{
    TU_EXPECT_STR(run("lines | filter it != \"-\" | map to_int(it, 0) | reduce sum | sink stdout \"total\"\n",
                      "1\n2\n-\n-\n3\n", 2),
                  HDR(1000) "total: 3\n"
                  HDR(2000) "total: no data in this interval\n"
                  HDR(3000) "total: 3\n");
}

static void test_count_by_value_sorted_by_value(void)
{
    TU_EXPECT_STR(run("lines | countByValue | " OUT "\n", "b\na\nb\nc\na\nb\nz\n", 6),
                  J(0, 1000, "[[\"a\",2],[\"b\",3],[\"c\",1]]")
                  J(1, 2000, "[[\"z\",1]]"));
    /* numbers by value, not as text */
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | countByValue | " OUT "\n", "10\n9\n100\n9\n", 10),
                  J(0, 1000, "[[9,2],[10,1],[100,1]]"));
}

static void test_count_by_value_orders_types(void)
{
    /* null < booleans < numbers (1 == 1.0) < strings < tuples < lists < records */
    TU_EXPECT_STR(run("lines | flatMap [{a: 1}, \"s\", [1], 2, (\"t\", 1), null, true, 1.5, 1, 1.0, false] | countByValue | " OUT "\n",
                      "x\n", 10),
                  J(0, 1000, "[[null,1],[false,1],[true,1],[1,2],[1.5,1],[2,1],[\"s\",1],[[\"t\",1],1],[[1],1],[{\"a\":1},1]]"));
}

/* ===== per key: reduceByKey, groupByKey, sortByKey ===== */

static void test_reduce_by_key_per_batch_sorted(void)
{
    TU_EXPECT_STR(run(KV "lines | map kv | reduceByKey sum | " OUT "\n", "b 1\na 2\nb 3\nc 4\na 5\nb 10\na 1\n", 3),
                  J(0, 1000, "[[\"a\",2],[\"b\",4]]")
                  J(1, 2000, "[[\"a\",5],[\"b\",10],[\"c\",4]]")
                  J(2, 3000, "[[\"a\",1]]"));
}

static void test_group_by_key_keeps_arrival_order(void)
{
    TU_EXPECT_STR(run(KV "lines | map kv | groupByKey | " OUT "\n", "b 1\na 2\nb 3\na 4\nc 5\n", 4),
                  J(0, 1000, "[[\"a\",[2,4]],[\"b\",[1,3]]]")
                  J(1, 2000, "[[\"c\",[5]]]"));
}

static void test_sort_by_key_ascending_stable(void)
{
    TU_EXPECT_STR(run(KV "lines | map kv | sortByKey | " OUT "\n", "b 1\na 2\nc 3\na 4\nb 5\nz 0\n", 5),
                  J(0, 1000, "[[\"a\",2],[\"a\",4],[\"b\",1],[\"b\",5],[\"c\",3]]")
                  J(1, 2000, "[[\"z\",0]]"));
}

static void test_sort_by_key_descending_stable(void)
{
    TU_EXPECT_STR(run(KV "lines | map kv | sortByKey desc | " OUT "\n", "b 1\na 2\nc 3\na 4\nb 5\n", 10),
                  J(0, 1000, "[[\"c\",3],[\"b\",1],[\"b\",5],[\"a\",2],[\"a\",4]]"));
}

/* ===== two streams: join, leftOuterJoin, union ===== */

static void test_join_every_pair_in_left_order(void)
{
    TU_EXPECT_STR(run2(KV "r = other | map kv\nlines | map kv | join r | " OUT "\n",
                       "k 1\nk 2\nj 3\nz 9\n", "k 10\nk 20\nk 30\nj 40\ny 0\n", 10),
                  J(0, 1000, "[[\"k\",[1,10]],[\"k\",[1,20]],[\"k\",[1,30]],[\"k\",[2,10]],[\"k\",[2,20]],[\"k\",[2,30]],[\"j\",[3,40]]]"));
}

static void test_join_works_batch_by_batch(void)
{
    /* a1 and b2 meet b5 and a6 in batch 0; a3 (batch 1) and b7 (batch 1)
     * have different keys, and nothing meets across batches */
    TU_EXPECT_STR(run2(KV "r = other | map kv\nlines | map kv | join r | " OUT "\n",
                       "a 1\nb 2\na 3\n", "b 5\na 6\nb 7\n", 2),
                  J(0, 1000, "[[\"a\",[1,6]],[\"b\",[2,5]]]")
                  J(1, 2000, "[]"));
}

static void test_left_outer_join_gives_null(void)
{
    TU_EXPECT_STR(run2(KV "r = other | map kv\nlines | map kv | leftOuterJoin r | " OUT "\n",
                       "a 1\nb 2\nc 3\n", "a 10\nc 30\nc 31\nd 40\n", 10),
                  J(0, 1000, "[[\"a\",[1,10]],[\"b\",[2,null]],[\"c\",[3,30]],[\"c\",[3,31]]]"));
}

static void test_union_left_first(void)
{
    TU_EXPECT_STR(run2("lines | union other | " OUT "\n", "a\nb\nc\n", "x\ny\nw\n", 2),
                  J(0, 1000, "[\"a\",\"b\",\"x\",\"y\"]")
                  J(1, 2000, "[\"c\",\"w\"]"));
}

static void test_union_with_a_window_between_slides(void)
{
    /* the windowed side counts as empty in the batches where it emits nothing */
    TU_EXPECT_STR(run2("w = other | window 2s slide 2s\nlines | union w | " OUT "\n",
                       "a\nb\nc\nd\ne\n", "x\ny\nz\n", 2),
                  J(0, 1000, "[\"a\",\"b\"]")
                  J(1, 2000, "[\"c\",\"d\",\"x\",\"y\",\"z\"]")
                  J(2, 3000, "[\"e\"]"));
}

static void test_join_with_a_window_between_slides(void)
{
    /* the right side emits only in batch 1; in batches 0 and 2 it counts
     * as empty, so every left element has no partner */
    TU_EXPECT_STR(run2(KV "r = other | map kv | window 2s slide 2s\nlines | map kv | leftOuterJoin r | " OUT "\n",
                       "a 1\nb 2\na 3\nc 4\nb 5\n", "a 10\nb 20\nc 30\n", 2),
                  J(0, 1000, "[[\"a\",[1,null]],[\"b\",[2,null]]]")
                  J(1, 2000, "[[\"a\",[3,10]],[\"c\",[4,30]]]")
                  J(2, 3000, "[[\"b\",[5,null]]]"));
}

/* ===== selection: top, take ===== */

static void test_top_largest_first(void)
{
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | top 3 | " OUT "\n", "3\n1\n4\n1\n5\n9\n2\n6\n8\n", 8),
                  J(0, 1000, "[9,6,5]")
                  J(1, 2000, "[8]"));
}

static void test_top_by_ties_broken_by_element(void)
{
    /* lengths 2, 1, 2, 1, 2: the three of length 2 in ascending order, then
     * of the two of length 1 the smaller */
    TU_EXPECT_STR(run("lines | top 4 by length(it) | " OUT "\n", "bb\nd\ncc\na\naa\n", 10),
                  J(0, 1000, "[\"aa\",\"bb\",\"cc\",\"a\"]"));
    /* the smallest by a negated number; fewer elements than N */
    TU_EXPECT_STR(run(KV "lines | map kv | top 5 by -_2 | " OUT "\n", "a 3\nb 1\nc 2\n", 10),
                  J(0, 1000, "[[\"b\",1],[\"c\",2],[\"a\",3]]"));
}

static void test_take_first_n_of_each_batch(void)
{
    TU_EXPECT_STR(run("param n = 1\nlines | take n | " OUT "\n", "a\nb\nc\n", 2),
                  J(0, 1000, "[\"a\"]")
                  J(1, 2000, "[\"c\"]"));
    TU_EXPECT_STR(run("lines | take 2 | " OUT "\n", "a\nb\nc\nd\ne\nf\ng\n", 3),
                  J(0, 1000, "[\"a\",\"b\"]")
                  J(1, 2000, "[\"d\",\"e\"]")
                  J(2, 3000, "[\"g\"]"));
}

/* ===== window ===== */

/* 1..7, two per batch: batch 0 [1,2], 1 [3,4], 2 [5,6], 3 [7] */
static const char seven[] = "1\n2\n3\n4\n5\n6\n7\n";
/* 1..11, two per batch: ..., 4 [9,10], 5 [11] */
static const char eleven[] = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n";

static void test_window_tumbling(void)
{
    TU_EXPECT_STR(run("param len = 2s\nlines | map to_int(it, 0) | window len slide len | " OUT "\n", seven, 2),
                  J(1, 2000, "[1,2,3,4]")
                  J(3, 4000, "[5,6,7]"));
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | window 2s slide 2s | " OUT "\n", seven, 2),
                  J(1, 2000, "[1,2,3,4]")
                  J(3, 4000, "[5,6,7]"));
}

static void test_window_sliding_partial_at_start(void)
{
    /* until 3s have passed the window holds what there is */
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | window 3s | " OUT "\n", seven, 2),
                  J(0, 1000, "[1,2]")
                  J(1, 2000, "[1,2,3,4]")
                  J(2, 3000, "[1,2,3,4,5,6]")
                  J(3, 4000, "[3,4,5,6,7]"));
}

static void test_window_slide_shorter_than_length(void)
{
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | window 4s slide 2s | " OUT "\n", eleven, 2),
                  J(1, 2000, "[1,2,3,4]")
                  J(3, 4000, "[1,2,3,4,5,6,7,8]")
                  J(5, 6000, "[5,6,7,8,9,10,11]"));
}

static void test_window_length_not_a_multiple_of_slide(void)
{
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | window 3s slide 2s | " OUT "\n", eleven, 2),
                  J(1, 2000, "[1,2,3,4]")
                  J(3, 4000, "[3,4,5,6,7,8]")
                  J(5, 6000, "[7,8,9,10,11]"));
}

static void test_window_slide_longer_than_length(void)
{
    /* the elements between two windows are in none */
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | window 1s slide 2s | " OUT "\n", eleven, 2),
                  J(1, 2000, "[3,4]")
                  J(3, 4000, "[7,8]")
                  J(5, 6000, "[11]"));
}

/* "1", then two empty batches, then "2" (after the filter):
 * batch 0 [1], 1 [], 2 [], 3 [2] */
static const char gappy[] = "1\n-\n-\n-\n-\n-\n2\n";
#define GAPPY "lines | filter it != \"-\" | map to_int(it, 0) | "

static void test_window_empty_windows(void)
{
    TU_EXPECT_STR(run(GAPPY "window 2s | " OUT "\n", gappy, 2),
                  J(0, 1000, "[1]")
                  J(1, 2000, "[1]")
                  J(2, 3000, "[]")
                  J(3, 4000, "[2]"));
}

static void test_window_then_count_only_at_slides(void)
{
    /* the operators after a window are skipped between its slides */
    TU_EXPECT_STR(run("lines | window 3s slide 2s | count | " OUT "\n", seven, 2),
                  J(1, 2000, "4")
                  J(3, 4000, "5"));
}

static void test_window_of_a_window(void)
{
    /* the outer window runs every batch, seeing [] [1,2,3,4] [] [5,6,7] */
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | window 2s slide 2s | window 4s slide 2s | " OUT "\n", seven, 2),
                  J(1, 2000, "[1,2,3,4]")
                  J(3, 4000, "[1,2,3,4,5,6,7]"));
}

static void test_window_with_batch_interval(void)
{
    /* batch 5s: times are multiples of 5000; a 10s window is two batches */
    TU_EXPECT_STR(run("batch 5s\nlines | map to_int(it, 0) | window 10s | " OUT "\n", "1\n2\n3\n4\n5\n", 2),
                  J(0, 5000, "[1,2]")
                  J(1, 10000, "[1,2,3,4]")
                  J(2, 15000, "[3,4,5]"));
}

static void test_output_only_at_slide_boundaries_text(void)
{
    /* between slides a windowed sink prints nothing, not even a header */
    TU_EXPECT_STR(run("lines | countByWindow 2s slide 2s | sink stdout \"n\"\n", seven, 2),
                  HDR(2000) "n: 4\n"
                  HDR(4000) "n: 3\n");
    /* with a sink that writes every batch, one header per batch */
    TU_EXPECT_STR(run("lines | count | sink stdout \"c\"\nlines | countByWindow 2s slide 2s | sink stdout \"n\"\n", seven, 2),
                  HDR(1000) "c: 2\n"
                  HDR(2000) "c: 2\nn: 4\n"
                  HDR(3000) "c: 2\n"
                  HDR(4000) "c: 1\nn: 3\n");
}

/* ===== countByWindow ===== */

static void test_count_by_window(void)
{
    TU_EXPECT_STR(run("lines | countByWindow 2s | " OUT "\n", seven, 2),
                  J(0, 1000, "2")
                  J(1, 2000, "4")
                  J(2, 3000, "4")
                  J(3, 4000, "3"));
    TU_EXPECT_STR(run("lines | countByWindow 3s slide 2s | " OUT "\n", seven, 2),
                  J(1, 2000, "4")
                  J(3, 4000, "5"));
    /* a window longer than all the data */
    TU_EXPECT_STR(run("lines | countByWindow 10s | " OUT "\n", "a\nb\nc\nd\ne\n", 2),
                  J(0, 1000, "2")
                  J(1, 2000, "4")
                  J(2, 3000, "5"));
}

static void test_count_by_window_empty_windows(void)
{
    TU_EXPECT_STR(run(GAPPY "countByWindow 2s | " OUT "\n", gappy, 2),
                  J(0, 1000, "1")
                  J(1, 2000, "1")
                  J(2, 3000, "0")
                  J(3, 4000, "1"));
}

static void test_windowed_operator_after_window_runs_every_batch(void)
{
    /* the window emits [1,2,3,4] in batch 1 and [5,6,7] in batch 3; the
     * countByWindow after it sees 0, 4, 0, 3 and emits every batch */
    TU_EXPECT_STR(run("lines | window 2s slide 2s | countByWindow 2s | " OUT "\n", seven, 2),
                  J(0, 1000, "0")
                  J(1, 2000, "4")
                  J(2, 3000, "4")
                  J(3, 4000, "3"));
}

/* ===== reduceByWindow ===== */

static void test_reduce_by_window_without_inverse(void)
{
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | reduceByWindow sum, 3s | " OUT "\n", seven, 2),
                  J(0, 1000, "3")
                  J(1, 2000, "10")
                  J(2, 3000, "21")
                  J(3, 4000, "25"));
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | reduceByWindow largest, 2s | " OUT "\n", "5\n1\n2\n3\n1\n1\n4\n", 2),
                  J(0, 1000, "5")
                  J(1, 2000, "5")
                  J(2, 3000, "3")
                  J(3, 4000, "4"));
}

static void test_reduce_by_window_with_inverse(void)
{
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | reduceByWindow sum, 3s inverse difference | " OUT "\n", seven, 2),
                  J(0, 1000, "3")
                  J(1, 2000, "10")
                  J(2, 3000, "21")
                  J(3, 4000, "25"));
    /* panes leave the window in batches that do not emit */
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | reduceByWindow sum, 2s slide 2s inverse difference | " OUT "\n", eleven, 2),
                  J(1, 2000, "10")
                  J(3, 4000, "26")
                  J(5, 6000, "30"));
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | reduceByWindow sum, 3s slide 2s inverse difference | " OUT "\n", seven, 2),
                  J(1, 2000, "10")
                  J(3, 4000, "25"));
    TU_EXPECT_STR(run("lines | map to_int(it, 0) | reduceByWindow sum, 1s slide 2s inverse difference | " OUT "\n", eleven, 2),
                  J(1, 2000, "7")
                  J(3, 4000, "15")
                  J(5, 6000, "11"));
}

static void test_reduce_by_window_empty_windows(void)
{
    /* an empty window gives nothing: the text sink says so */
    const char *want = HDR(1000) "r: 1\n"
                       HDR(2000) "r: 1\n"
                       HDR(3000) "r: no data in this interval\n"
                       HDR(4000) "r: 2\n";
    TU_EXPECT_STR(run(GAPPY "reduceByWindow sum, 2s | sink stdout \"r\"\n", gappy, 2), want);
    TU_EXPECT_STR(run(GAPPY "reduceByWindow sum, 2s inverse difference | sink stdout \"r\"\n", gappy, 2), want);
}

/* ===== countByValueAndWindow ===== */

static void test_count_by_value_and_window(void)
{
    /* batches [a,b] [a,c] [b,b] [d]: a and c leave the window, and are
     * no longer listed */
    TU_EXPECT_STR(run("lines | countByValueAndWindow 2s | " OUT "\n", "a\nb\na\nc\nb\nb\nd\n", 2),
                  J(0, 1000, "[[\"a\",1],[\"b\",1]]")
                  J(1, 2000, "[[\"a\",2],[\"b\",1],[\"c\",1]]")
                  J(2, 3000, "[[\"a\",1],[\"b\",2],[\"c\",1]]")
                  J(3, 4000, "[[\"b\",2],[\"d\",1]]"));
    TU_EXPECT_STR(run("lines | countByValueAndWindow 2s slide 2s | " OUT "\n", "a\nb\na\nc\nb\nb\nd\n", 2),
                  J(1, 2000, "[[\"a\",2],[\"b\",1],[\"c\",1]]")
                  J(3, 4000, "[[\"b\",2],[\"d\",1]]"));
}

static void test_count_by_value_and_window_empty_windows(void)
{
    TU_EXPECT_STR(run(GAPPY "countByValueAndWindow 2s | " OUT "\n", gappy, 2),
                  J(0, 1000, "[[1,1]]")
                  J(1, 2000, "[[1,1]]")
                  J(2, 3000, "[]")
                  J(3, 4000, "[[2,1]]"));
}

/* ===== reduceByKeyAndWindow ===== */

/* batches [a1,b2] [a3,c4] [b5,b6] [d7,a8] [z1] */
static const char keyed[] = "a 1\nb 2\na 3\nc 4\nb 5\nb 6\nd 7\na 8\nz 1\n";
static const char keyed_3s[] =
    J(0, 1000, "[[\"a\",1],[\"b\",2]]")
    J(1, 2000, "[[\"a\",4],[\"b\",2],[\"c\",4]]")
    J(2, 3000, "[[\"a\",4],[\"b\",13],[\"c\",4]]")
    J(3, 4000, "[[\"a\",11],[\"b\",11],[\"c\",4],[\"d\",7]]")
    J(4, 5000, "[[\"a\",8],[\"b\",11],[\"d\",7],[\"z\",1]]");

static void test_reduce_by_key_and_window_without_inverse(void)
{
    TU_EXPECT_STR(run(KV "lines | map kv | reduceByKeyAndWindow sum, 3s | " OUT "\n", keyed, 2), keyed_3s);
    TU_EXPECT_STR(run(KV "lines | map kv | reduceByKeyAndWindow largest, 2s slide 2s | " OUT "\n", keyed, 2),
                  J(1, 2000, "[[\"a\",3],[\"b\",2],[\"c\",4]]")
                  J(3, 4000, "[[\"a\",8],[\"b\",6],[\"d\",7]]"));
}

static void test_reduce_by_key_and_window_with_inverse(void)
{
    TU_EXPECT_STR(run(KV "lines | map kv | reduceByKeyAndWindow sum, 3s inverse difference | " OUT "\n", keyed, 2),
                  keyed_3s);
    TU_EXPECT_STR(run(KV "lines | map kv | reduceByKeyAndWindow sum, 2s slide 2s inverse difference | " OUT "\n", keyed, 2),
                  J(1, 2000, "[[\"a\",4],[\"b\",2],[\"c\",4]]")
                  J(3, 4000, "[[\"a\",8],[\"b\",11],[\"d\",7]]"));
    /* a slide longer than the length: only the last batch of each slide */
    TU_EXPECT_STR(run(KV "lines | map kv | reduceByKeyAndWindow sum, 1s slide 2s inverse difference | " OUT "\n", keyed, 2),
                  J(1, 2000, "[[\"a\",3],[\"c\",4]]")
                  J(3, 4000, "[[\"a\",8],[\"d\",7]]"));
}

/* Many batches through a window with inverse, so that its running state is
 * rebuilt (compacted) along the way: keys of 300 bytes, line j has key
 * number j mod 7, two lines per batch, a window of 2 batches, so each window
 * holds 4 distinct keys with 1 each, and every key leaves and comes back. */
static void test_reduce_by_key_and_window_inverse_long_run(void)
{
    enum { BATCHES = 4000 };
    char pad[301];
    memset(pad, 'x', 300);
    pad[300] = '\0';
    char *in = NULL, *want = NULL;
    size_t inlen = 0, wantlen = 0;
    FILE *fi = open_memstream(&in, &inlen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fi);
    FILE *fw = open_memstream(&want, &wantlen);
    if (!fw) {
        fclose(fi);
        free(in);
        CU_FAIL_FATAL("open_memstream failed");
    }
    for (int j = 0; j < 2 * BATCHES + 1; j++) /* the last batch holds one line */
        fprintf(fi, "%d%s 1\n", j % 7, pad);
    for (int b = 0; b <= BATCHES; b++) {
        int present[7] = {0};
        for (int j = 2 * b - 2; j <= 2 * b + 1 && j <= 2 * BATCHES; j++)
            if (j >= 0)
                present[j % 7]++;
        fprintf(fw, "{\"sink\":\"o\",\"batch\":%d,\"time\":%d,\"value\":[", b, (b + 1) * 1000);
        int first = 1;
        for (int k = 0; k < 7; k++)
            if (present[k]) {
                fprintf(fw, "%s[\"%d%s\",%d]", first ? "" : ",", k, pad, present[k]);
                first = 0;
            }
        fputs("]}\n", fw);
    }
    fclose(fi);
    fclose(fw);
    keep(in, NULL);
    keep(want, NULL);
    const char *got = run(KV "lines | map kv | reduceByKeyAndWindow sum, 2s inverse difference | " OUT "\n", in, 2);
    /* compare without printing megabytes on failure */
    size_t n = 0;
    while (got[n] && got[n] == want[n])
        n++;
    tu_assert(got[n] == want[n], __LINE__, __FILE__, __func__,
              "outputs differ at byte %zu of %zu: expected \"%.200s\", got \"%.200s\"", n, wantlen,
              want + n, got + n);
}

static void test_reduce_by_key_and_window_inverse_keys_leave(void)
{
    /* batches (after the filter) [a1,a-1] [b2] [] [c5]: a sums to 0 but is
     * in the window, so it is listed; once its pane has left, it is gone
     * (not kept with 0) */
    const char *input = "a 1\na -1\nb 2\n-\n-\n-\nc 5\n";
    const char *want = J(0, 1000, "[[\"a\",0]]")
                       J(1, 2000, "[[\"a\",0],[\"b\",2]]")
                       J(2, 3000, "[[\"b\",2]]")
                       J(3, 4000, "[[\"c\",5]]");
    TU_EXPECT_STR(run(KV "lines | filter it != \"-\" | map kv | reduceByKeyAndWindow sum, 2s inverse difference | " OUT "\n",
                      input, 2),
                  want);
    TU_EXPECT_STR(run(KV "lines | filter it != \"-\" | map kv | reduceByKeyAndWindow sum, 2s | " OUT "\n", input, 2),
                  want);
}

static void test_reduce_by_key_and_window_empty_windows(void)
{
    const char *want = J(0, 1000, "[[\"a\",1]]")
                       J(1, 2000, "[[\"a\",1]]")
                       J(2, 3000, "[]")
                       J(3, 4000, "[[\"b\",2]]");
    const char *input = "a 1\n-\n-\n-\n-\n-\nb 2\n";
    TU_EXPECT_STR(run(KV "lines | filter it != \"-\" | map kv | reduceByKeyAndWindow sum, 2s | " OUT "\n", input, 2), want);
    TU_EXPECT_STR(run(KV "lines | filter it != \"-\" | map kv | reduceByKeyAndWindow sum, 2s inverse difference | " OUT "\n",
                      input, 2),
                  want);
}

/* ===== updateStateByKey ===== */

/* after the filter: batches [a1,b2] [a3,c4] [] [b5] */
static const char stateful[] = "a 1\nb 2\na 3\nc 4\n-\n-\nb 5\n";
#define STATEFUL KV "lines | filter it != \"-\" | map kv | "

static void test_update_state_running_sum(void)
{
    TU_EXPECT_STR(run(STATEFUL "updateStateByKey running_sum | " OUT "\n", stateful, 2),
                  J(0, 1000, "[[\"a\",1],[\"b\",2]]")
                  J(1, 2000, "[[\"a\",4],[\"b\",2],[\"c\",4]]")
                  J(2, 3000, "[[\"a\",4],[\"b\",2],[\"c\",4]]")
                  J(3, 4000, "[[\"a\",4],[\"b\",7],[\"c\",4]]"));
}

static void test_update_state_values_in_arrival_order(void)
{
    /* state null for a new key; the values of the batch in arrival order */
    TU_EXPECT_STR(run(STATEFUL "updateStateByKey (values, state) -> coalesce(state, [0]) + values | " OUT "\n",
                      "a 1\nb 2\na 3\nc 4\n-\n-\nb 5\n", 4),
                  J(0, 1000, "[[\"a\",[0,1,3]],[\"b\",[0,2]],[\"c\",[0,4]]]")
                  J(1, 2000, "[[\"a\",[0,1,3]],[\"b\",[0,2,5]],[\"c\",[0,4]]]"));
}

static void test_update_state_null_drops_key(void)
{
    /* called with no values for a key that has a state; null drops it */
    TU_EXPECT_STR(run(STATEFUL "updateStateByKey (values, state) -> if length(values) == 0 then null "
                               "else coalesce(state, 0) + length(values) | " OUT "\n",
                      stateful, 2),
                  J(0, 1000, "[[\"a\",1],[\"b\",1]]")
                  J(1, 2000, "[[\"a\",2],[\"c\",1]]")
                  J(2, 3000, "[]")
                  J(3, 4000, "[[\"b\",1]]"));
}

static void test_update_state_named_stream_computed_once(void)
{
    /* two pipelines read the same stateful stream: it runs once per batch */
    TU_EXPECT_STR(run(KV "s = lines | filter it != \"-\" | map kv | updateStateByKey running_count\n"
                         "s | sink stdout(format: \"json\", name: \"x\")\n"
                         "s | map (k, n) -> n | reduce sum | " OUT "\n",
                      stateful, 4),
                  "{\"sink\":\"x\",\"batch\":0,\"time\":1000,\"value\":[[\"a\",2],[\"b\",1],[\"c\",1]]}\n"
                  J(0, 1000, "4")
                  "{\"sink\":\"x\",\"batch\":1,\"time\":2000,\"value\":[[\"a\",2],[\"b\",2],[\"c\",1]]}\n"
                  J(1, 2000, "5"));
}

static void test_update_state_after_window_runs_every_batch(void)
{
    TU_EXPECT_STR(run(STATEFUL "window 2s slide 2s | updateStateByKey running_sum | " OUT "\n", stateful, 2),
                  J(0, 1000, "[]")
                  J(1, 2000, "[[\"a\",4],[\"b\",2],[\"c\",4]]")
                  J(2, 3000, "[[\"a\",4],[\"b\",2],[\"c\",4]]")
                  J(3, 4000, "[[\"a\",4],[\"b\",7],[\"c\",4]]"));
}

/* States updated in place leave the states they replace behind in the
 * operator's arena, which is rebuilt once they take more room than the
 * live ones: long string states over many batches, some keys dropped and
 * coming back, must still give every running total exactly. */
static void test_update_state_garbage_rebuilt(void)
{
    enum { KEYS = 40, BATCH = 100, LINES = 6000 };
    char *input = malloc((size_t)LINES * 16 + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(input);
    size_t len = 0;
    for (int i = 0; i < LINES; i++) {
        /* key k is missing from the batches b with (b + k) % 7 == 0 */
        int b = i / BATCH, k = (i * 13) % KEYS;
        if ((b + k) % 7 == 0)
            k = (k + 1) % KEYS;
        len += (size_t)sprintf(input + len, "k%d %d\n", k, i % 97);
    }
    input[len] = '\0';
    /* the state: the running total, as a 300-character string; a key
     * without values in a batch is dropped and starts again from 0 */
    const char *out = run(KV "lines | map kv | updateStateByKey (values, state) -> "
                             "if length(values) == 0 then null "
                             "else format(\"%0300d\", coalesce(to_int(state), 0) + sum_list(values)) | "
                             "map (k, v) -> (k, to_int(v)) | " OUT "\n",
                          input, BATCH);
    /* the same computed here, batch by batch; the last batch's result */
    int64_t state[KEYS];
    int have[KEYS] = {0};
    for (int b = 0; b < LINES / BATCH; b++) {
        int64_t got[KEYS] = {0};
        int seen[KEYS] = {0};
        for (int i = b * BATCH; i < (b + 1) * BATCH; i++) {
            int k = (i * 13) % KEYS;
            if ((b + k) % 7 == 0)
                k = (k + 1) % KEYS;
            got[k] += i % 97;
            seen[k] = 1;
        }
        for (int k = 0; k < KEYS; k++) {
            if (!seen[k]) {
                have[k] = 0;
                continue;
            }
            state[k] = (have[k] ? state[k] : 0) + got[k];
            have[k] = 1;
        }
    }
    char want[64];
    int checked = 0;
    for (int k = 0; k < KEYS; k++) {
        if (!have[k])
            continue;
        snprintf(want, sizeof want, "[\"k%d\",%lld]", k, (long long)state[k]);
        const char *last = strstr(out, "\"batch\":59,");
        CU_ASSERT_PTR_NOT_NULL_FATAL(last);
        if (!strstr(last, want))
            fprintf(stderr, "missing %s in the last batch: %.300s\n", want, last);
        CU_ASSERT_PTR_NOT_NULL(strstr(last, want));
        checked++;
    }
    CU_ASSERT(checked >= KEYS / 2);
    free(input);
}

/* ===== sinks ===== */

static void test_json_sink_format(void)
{
    TU_EXPECT_STR(run("lines | map {s: it, n: length(it)} | sink stdout(format: \"json\", name: \"recs\")\n"
                      "lines | count | sink stdout(title: \"Lines\", format: \"json\")\n",
                      "a\"b\nc\\d\ne\n", 2),
                  "{\"sink\":\"recs\",\"batch\":0,\"time\":1000,\"value\":[{\"s\":\"a\\\"b\",\"n\":3},{\"s\":\"c\\\\d\",\"n\":3}]}\n"
                  "{\"sink\":\"Lines\",\"batch\":0,\"time\":1000,\"value\":2}\n"
                  "{\"sink\":\"recs\",\"batch\":1,\"time\":2000,\"value\":[{\"s\":\"e\",\"n\":1}]}\n"
                  "{\"sink\":\"Lines\",\"batch\":1,\"time\":2000,\"value\":1}\n");
}

static void test_json_sink_name_defaults_to_title(void)
{
    TU_EXPECT_STR(run("lines | sink stdout(format: \"json\")\n", "a\n", 2),
                  "{\"sink\":\"lines\",\"batch\":0,\"time\":1000,\"value\":[\"a\"]}\n");
}

static void test_json_sink_start_time(void)
{
    rt_opts o = {.start_ms = 1000000};
    TU_EXPECT_STR(run_with("lines | map now() | " OUT "\n", "a\nb\nc\n", 2, &o),
                  J(0, 1001000, "[1001000,1001000]")
                  J(1, 1002000, "[1002000]"));
}

static void test_now_is_the_batch_time(void)
{
    TU_EXPECT_STR(run("batch 5s\nlines | map now() | " OUT "\n", "a\nb\nc\n", 2),
                  J(0, 5000, "[5000,5000]")
                  J(1, 10000, "[10000]"));
}

static void test_text_sink_format(void)
{
    TU_EXPECT_STR(run("lines | map (it, length(it)) | sink stdout \"Pairs\"\n"
                      "lines | count | sink stdout \"Count\"\n"
                      "lines | map stats(length(it)) | reduce merge_stats | map stats_summary | sink stdout \"Size\"\n",
                      "a\nbb\nccc\n", 2),
                  HDR(1000)
                  "Pairs: [(a,1), (bb,2)]\n"
                  "Count: 2\n"
                  "Size Avg: 1, Min: 1, Max: 2, Count: 2\n"
                  HDR(2000)
                  "Pairs: [(ccc,3)]\n"
                  "Count: 1\n"
                  "Size Avg: 3, Min: 3, Max: 3, Count: 1\n");
}

static void test_text_sink_default_title(void)
{
    /* the stream's name when the sink is the pipeline's only step */
    TU_EXPECT_STR(run("w = lines | map (it, [1, 2])\nlines | sink stdout\nw | sink stdout\n", "a\nb\nc\n", 2),
                  HDR(1000)
                  "lines: [a, b]\n"
                  "w: [(a,[1, 2]), (b,[1, 2])]\n"
                  HDR(2000)
                  "lines: [c]\n"
                  "w: [(c,[1, 2])]\n");
}

/* ===== the run ===== */

static void test_eval_error_gives_null_and_continues(void)
{
    sp_run_stats st;
    sp_unit *u = NULL;
    rt_opts o = {.stats = &st, .unit = &u};
    TU_EXPECT_STR(run_with("lines | map to_int(it, 0) | map 10 / (it - 2) | " OUT "\n", "1\n2\n3\n2\n5\n", 3, &o),
                  J(0, 1000, "[-10,null,10]")
                  J(1, 2000, "[null,3]"));
    TU_EXPECT_INT(st.eval_errors, 2);
    TU_EXPECT_INT(st.batches, 2);
    /* reported once, at its place */
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    TU_EXPECT_INT(tu_warnings(u), 1);
    TU_EXPECT_INT(tu_find_part(u, "at run time: ") >= 0, 1);
}

static void test_keyed_operator_skips_non_pairs(void)
{
    sp_unit *u = NULL;
    rt_opts o = {.unit = &u};
    TU_EXPECT_STR(run_with("lines | map if it == \"x\" then it else (it, 1) | reduceByKey sum | " OUT "\n",
                           "a\nx\na\nb\n", 10, &o),
                  J(0, 1000, "[[\"a\",2],[\"b\",1]]"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(u);
    TU_EXPECT_INT(tu_warnings(u) >= 1, 1);
}

static void test_run_stats(void)
{
    sp_run_stats st;
    rt_opts o = {.stats = &st};
    TU_EXPECT_STR(run_with("lines | count | " OUT "\n", "a\nb\nc\nd\ne\n", 2, &o),
                  J(0, 1000, "2") J(1, 2000, "2") J(2, 3000, "1"));
    TU_EXPECT_INT(st.batches, 3);
    TU_EXPECT_INT(st.records_in, 5);
    TU_EXPECT_INT(st.malformed, 0);
    TU_EXPECT_INT(st.eval_errors, 0);
}

/* The stateless steps fed by a source run on several threads over chunks of
 * each batch: the output, the run-time error count and the counters of the
 * nodes are those of one thread, element for element. */
static void test_threads_give_the_output_of_one_thread(void)
{
    const char *body = "parsed = lines | map (it, to_int(it)) | filter _2 != 3 | flatMap [_1, _1]\n"
                       "parsed | map 10 / to_int(it) | " OUT "\n"
                       "parsed | countByValue | " OUT "\n";
    const char *input = "1\n2\n3\n0\n5\n6\n7\n0\n9\n10\nx\n";
    sp_run_stats st1, st4;
    rt_opts one = {.stats = &st1, .threads = 1}, four = {.stats = &st4, .threads = 4};
    char *want = sp_xstrdup(run_with(body, input, 5, &one));
    TU_EXPECT_STR(run_with(body, input, 5, &four), want);
    TU_EXPECT_INT(st4.eval_errors, st1.eval_errors);
    TU_EXPECT_INT(st4.eval_errors, 4); /* 10 / 0 twice, to_int("x") is null: 10 / null is null */
    TU_EXPECT_INT(st4.records_in, 11);
    free(want);
}

/* A batch of many chunks: the map-side combine's partials are merged by key
 * partition on the threads.  Per key, the values must still be reduced in
 * arrival order (cat is associative, not commutative); a reduceByKey and a
 * second one with the same reducer share the combine; a map (k, v) read only
 * by a reducer is fused into it; nulls (not pairs) still reach the operator
 * and are reported. */
static void test_keyed_combine_over_many_chunks(void)
{
    enum { N = 30000, K = 7 };
    size_t cap = (size_t)N * 8 + 64;
    char *input = malloc(cap), *want[K];
    size_t len = 0, wlen[K] = {0};
    CU_ASSERT_PTR_NOT_NULL_FATAL(input);
    for (int r = 0; r < K; r++) {
        want[r] = malloc(cap);
        CU_ASSERT_PTR_NOT_NULL_FATAL(want[r]);
        wlen[r] = (size_t)sprintf(want[r], "[%d,\"", r);
    }
    for (int i = 0; i < N; i++) {
        len += (size_t)sprintf(input + len, "%d\n", i);
        wlen[i % K] += (size_t)sprintf(want[i % K] + wlen[i % K], "%s%d", i < K ? "" : ",", i);
        if (i % 9000 == 0)
            len += (size_t)sprintf(input + len, "x\n");
    }
    const char *body = "fn cat(a, b) = a + \",\" + b\n"
                       "nums = lines | map to_int(it)\n"
                       "pairs = nums | map if it == null then null else (it % 7, to_string(it))\n"
                       "pairs | reduceByKey cat | sink stdout(format: \"json\", name: \"cat\")\n"
                       "pairs | reduceByKey cat | map (_1, length(_2)) | sink stdout(format: \"json\", name: \"len\")\n"
                       "pairs | count | sink stdout(format: \"json\", name: \"n\")\n"
                       "nums | map (it % 5, 1) | reduceByKey sum | sink stdout(format: \"json\", name: \"fused\")\n";
    for (int threads = 1; threads <= 3; threads += 2) {
        sp_run_stats st;
        rt_opts o = {.stats = &st, .threads = threads};
        const char *got = run_with(body, input, N + 10, &o);
        for (int r = 0; r < K; r++) {
            char *w = sp_xprintf("%.*s\"]", (int)wlen[r], want[r]);
            tu_assert(strstr(got, w) != NULL, __LINE__, __FILE__, __func__, "threads %d: key %d not in order",
                      threads, r);
            free(w);
        }
        TU_EXPECT_INT(st.records_in, N + 4);
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "\"value\":30004}"));
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "[0,6000]"));
        CU_ASSERT_PTR_NOT_NULL(strstr(got, "[4,6000]]"));
        /* 4 lines "x": null from to_int, so 4 nulls that are not pairs for
         * the shared combine; the fused map's key is null % 5, null */
        CU_ASSERT(st.eval_errors >= 1);
    }
    for (int r = 0; r < K; r++)
        free(want[r]);
    free(input);
}

/* The combines that need no evaluator per element (runtime_par.c): a
 * count (map (k, LITERAL) reduced by sum), stats/merge_stats and sums of
 * integers added in place must give
 * what the same functions give as lambdas, which the runtime cannot see
 * through, for any number of threads: keys equal across int and float (the
 * first one in arrival order is the key), nulls, errors, floats, a sum
 * that overflows into a float, over many chunks. */
static void test_exact_combines_give_what_the_functions_give(void)
{
    enum { N = 20000 };
    char *input = malloc((size_t)N * 24 + 64);
    size_t len = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(input);
    for (int i = 0; i < N; i++) {
        if (i == 5000)
            len += (size_t)sprintf(input + len, "x\n"); /* null: not a number */
        if (i == 12000 || i == 12001)
            len += (size_t)sprintf(input + len, "9223372036854775000\n"); /* the sum overflows */
        if (i % 997 == 0 && i < 7000)
            len += (size_t)sprintf(input + len, "%d.5\n", i % 13); /* a float, in the first batch only */
        len += (size_t)sprintf(input + len, "%d\n", (i * 7919) % 10007);
    }
    const char *fast = "fn twice(a, b) = a + a\n" /* not a sum: adds only the first */
                       "nums = lines | map if contains(it, \".\") then to_float(it) else to_int(it)\n"
                       "nums | map (if it == null then null else if it % 2 == 0 then it % 9 else to_float(it % 9), 1)"
                       " | reduceByKey sum | sink stdout(name: \"k\")\n"
                       "nums | map (to_string(it % 101), 3) | reduceByKey sum | " OUT "\n"
                       "nums | map (100 / (it % 10), -2) | reduceByKey sum | " OUT "\n"
                       "nums | map stats(it) | reduce merge_stats | " OUT "\n"
                       "nums | map (it % 3, 1) | reduceByKey twice | " OUT "\n"
                       "nums | map (it % 7, it) | reduceByKey sum | " OUT "\n"
                       "nums | filter it != null | reduce sum | " OUT "\n"
                       "nums | filter it != null and (it < 9000 or it > 1e18) | map stats(it) | reduce merge_stats | " OUT "\n"
                       "recs = nums | map {v: it, w: 1}\n" /* a field of the element: evaluated by blocks */
                       "recs | map stats(v) | reduce merge_stats | " OUT "\n"
                       "recs | filter v != null and (v < 9000 or v > 1e18) | map stats(v) | reduce merge_stats | " OUT "\n"
                       "recs | map (v, 1) | reduceByKey sum | " OUT "\n";
    const char *slow = "nums = lines | map if contains(it, \".\") then to_float(it) else to_int(it)\n"
                       "nums | map (if it == null then null else if it % 2 == 0 then it % 9 else to_float(it % 9), 1)"
                       " | reduceByKey (a, b) -> a + b | sink stdout(name: \"k\")\n"
                       "nums | map (to_string(it % 101), 3) | reduceByKey (a, b) -> a + b | " OUT "\n"
                       "nums | map (100 / (it % 10), -2) | reduceByKey (a, b) -> a + b | " OUT "\n"
                       "nums | map (x -> stats(x)) | reduce (a, b) -> merge_stats(a, b) | " OUT "\n"
                       "nums | map (it % 3, 1) | reduceByKey (a, b) -> a + a | " OUT "\n"
                       "nums | map (it % 7, it) | reduceByKey (a, b) -> a + b | " OUT "\n"
                       "nums | filter it != null | reduce (a, b) -> a + b | " OUT "\n"
                       "nums | filter it != null and (it < 9000 or it > 1e18) | map (x -> stats(x)) | reduce (a, b) -> merge_stats(a, b)"
                       " | " OUT "\n"
                       "recs = nums | map {v: it, w: 1}\n"
                       "recs | map (r -> stats(r.v)) | reduce (a, b) -> merge_stats(a, b) | " OUT "\n"
                       "recs | filter v != null and (v < 9000 or v > 1e18) | map (r -> stats(r.v))"
                       " | reduce (a, b) -> merge_stats(a, b) | " OUT "\n"
                       "recs | map (r -> (r.v, 1)) | reduceByKey (a, b) -> a + b | " OUT "\n";
    input[len] = '\0';
    sp_run_stats st_slow;
    rt_opts o_slow = {.stats = &st_slow, .threads = 1};
    char *want = sp_xstrdup(run_with(slow, input, 7000, &o_slow));
    /* keys 1 and 1.0 are one key: as the first came, an int or a float */
    CU_ASSERT_PTR_NOT_NULL(strstr(want, "(1,778)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(want, "(2.0,776)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(want, "[6293,28280579,0,8996]")); /* stats, no null */
    CU_ASSERT_PTR_NOT_NULL(strstr(want, "e+19,")); /* the sum that overflowed, a float */
    CU_ASSERT(st_slow.eval_errors >= 1);            /* 100 / 0 */
    for (int threads = 1; threads <= 3; threads++) {
        sp_run_stats st;
        rt_opts o = {.stats = &st, .threads = threads};
        TU_EXPECT_STR(run_with(fast, input, 7000, &o), want);
        TU_EXPECT_INT(st.eval_errors, st_slow.eval_errors);
    }
    free(want);

    /* after a flatMap a chunk holds more elements than records: key 1 comes
     * first as 1.0, late in chunk 0, then as 1 early in chunk 1, which
     * another thread counts; the key kept is the first one, 1.0 */
    len = 0;
    for (int i = 0; i < 3000; i++)
        len += (size_t)sprintf(input + len, "%d\n", i);
    const char *fm_fast = "lines | map to_int(it) | flatMap [it, it, it]"
                          " | map (if it == 900 then 1.0 else if it == 1030 then 1 else it % 3 + 10, 1)"
                          " | reduceByKey sum | sink stdout(name: \"k\")\n";
    const char *fm_slow = "lines | map to_int(it) | flatMap [it, it, it]"
                          " | map (if it == 900 then 1.0 else if it == 1030 then 1 else it % 3 + 10, 1)"
                          " | reduceByKey (a, b) -> a + b | sink stdout(name: \"k\")\n";
    rt_opts o1 = {.threads = 1};
    want = sp_xstrdup(run_with(fm_slow, input, 7000, &o1));
    CU_ASSERT_PTR_NOT_NULL(strstr(want, "(1.0,6)"));
    for (int threads = 1; threads <= 3; threads++) {
        rt_opts o = {.threads = threads};
        TU_EXPECT_STR(run_with(fm_fast, input, 7000, &o), want);
    }
    free(want);
    free(input);
}

/* What the batch observer saw: per batch, its number, records and final flag. */
typedef struct seen_batches {
    uint64_t batch[8], records[8];
    int final[8];
    int n;
} seen_batches;

static void note_batch(void *ctx, const sp_runtime *rt, const sp_batch_info *b)
{
    (void)rt;
    seen_batches *s = ctx;
    if (s->n < 8) {
        s->batch[s->n] = b->batch;
        s->records[s->n] = b->records;
        s->final[s->n] = b->final;
        s->n++;
    }
}

static sp_node_stats node_st[8];
static uint64_t node_entries[8];
static int node_n;

static void keep_node_stats(const sp_runtime *rt)
{
    node_n = sp_runtime_node_count(rt);
    for (int i = 0; i < node_n && i < 8; i++) {
        uint64_t bytes;
        sp_runtime_node_stats(rt, i, &node_st[i]);
        sp_runtime_node_state(rt, i, &node_entries[i], &bytes);
    }
}

static void test_node_counters_and_observer(void)
{
    seen_batches seen = {0};
    rt_opts o = {.observer = note_batch, .observer_ctx = &seen, .inspect = keep_node_stats};
    /* plan: source, filter, countByValueAndWindow, sink */
    TU_EXPECT_STR(run_with("batch 1s\nlines | filter it != \"b\" | countByValueAndWindow(2s) | " OUT "\n",
                           "a\nb\nc\nd\ne\n", 2, &o),
                  J(0, 1000, "[[\"a\",1]]") J(1, 2000, "[[\"a\",1],[\"c\",1],[\"d\",1]]")
                      J(2, 3000, "[[\"c\",1],[\"d\",1],[\"e\",1]]"));
    TU_EXPECT_INT(seen.n, 3);
    TU_EXPECT_INT(seen.batch[2], 2);
    TU_EXPECT_INT(seen.records[0], 2);
    TU_EXPECT_INT(seen.records[2], 1);
    TU_EXPECT_INT(seen.final[1], 0);
    TU_EXPECT_INT(seen.final[2], 1);
    TU_EXPECT_INT(node_n, 4);
    TU_EXPECT_INT(node_st[0].records_out, 5);
    TU_EXPECT_INT(node_st[1].records_in, 5);
    TU_EXPECT_INT(node_st[1].records_out, 4);
    TU_EXPECT_INT(node_st[1].last_in, 1);
    TU_EXPECT_INT(node_st[2].records_in, 4);
    TU_EXPECT_INT(node_st[2].records_out, 1 + 3 + 3);
    TU_EXPECT_INT(node_st[3].records_in, 7);
    /* the window holds the panes of batches 1 and 2: c, d and e */
    TU_EXPECT_INT(node_entries[2], 3);
    TU_EXPECT_INT(node_entries[1], 0);
}

static void test_run_ends_with_the_last_record(void)
{
    /* 4 records, 2 per batch: the run ends after the batch in which the
     * input is exhausted, the second; no empty third batch */
    sp_run_stats st;
    rt_opts o = {.stats = &st};
    TU_EXPECT_STR(run_with("lines | count | " OUT "\n", "a\nb\nc\nd\n", 2, &o),
                  J(0, 1000, "2") J(1, 2000, "2"));
    TU_EXPECT_INT(st.batches, 2);
}

static void test_long_lines_are_rejected(void)
{
    sp_run_stats st;
    rt_opts o = {.max_line = 4, .stats = &st};
    TU_EXPECT_STR(run_with("lines | " OUT "\n", "abc\nabcdefgh\nabcd\nde\n", 10, &o),
                  J(0, 1000, "[\"abc\",\"abcd\",\"de\"]"));
    TU_EXPECT_INT(st.malformed, 1);
    TU_EXPECT_INT(st.records_in, 3);
}

static void test_input_uri_file(void)
{
    const char *path = temp_input("a\nb\nc\n");
    char body[512];
    snprintf(body, sizeof body, "source l = input(\"file:%s\")\nsource m = input(\"%s\")\nl | union m | " OUT "\n",
             path, path);
    TU_EXPECT_STR(run(body, NULL, 2),
                  J(0, 1000, "[\"a\",\"b\",\"a\",\"b\"]")
                  J(1, 2000, "[\"c\",\"c\"]"));
}

static void test_generator_with_count_is_bounded(void)
{
    /* a bounded input: K records per batch, the same lines for the same seed */
    TU_EXPECT_STR(run("source g = generator(count: 5)\ng | count | " OUT "\n", NULL, 2),
                  J(0, 1000, "2")
                  J(1, 2000, "2")
                  J(2, 3000, "1"));
    TU_EXPECT_STR(run("source g = input(\"gen:?count=3\")\ng | count | " OUT "\n", NULL, 2),
                  J(0, 1000, "2")
                  J(1, 2000, "1"));
    const char *a = run("source g = generator(count: 20, seed: 7)\ng | " OUT "\n", NULL, 8);
    const char *b = run("source g = generator(count: 20, seed: 7)\ng | " OUT "\n", NULL, 8);
    const char *c = run("source g = generator(count: 20, seed: 8)\ng | " OUT "\n", NULL, 8);
    TU_EXPECT_STR(a, b);
    tu_assert(strcmp(a, c) != 0, __LINE__, __FILE__, __func__, "seeds 7 and 8 give the same lines");
    tu_assert(strstr(a, "\"batch\":2,\"time\":3000,") != NULL && strstr(a, "\"batch\":3,") == NULL, __LINE__,
              __FILE__, __func__, "20 lines, 8 per batch: expected batches 0 to 2, got %s", a);
}

static void test_file_sink_appends(void)
{
    const char *jpath = temp_input("old\n");
    const char *tpath = temp_input("");
    char body[1024];
    snprintf(body, sizeof body,
             "lines | count | sink file(\"%s\", format: \"json\", name: \"o\")\n"
             "lines | take 1 | sink file(\"%s\", title: \"first\")\n"
             "lines | count | sink stdout \"n\"\n",
             jpath, tpath);
    /* each output has its own header */
    TU_EXPECT_STR(run(body, "a\nb\nc\n", 2), HDR(1000) "n: 2\n" HDR(2000) "n: 1\n");
    TU_EXPECT_STR(file_contents(jpath), "old\n" J(0, 1000, "2") J(1, 2000, "1"));
    TU_EXPECT_STR(file_contents(tpath), HDR(1000) "first: [a]\n" HDR(2000) "first: [c]\n");
}

/* A file sink that cannot write: opening a path under a missing directory
 * fails before the first batch, naming the sink and the path; /dev/full,
 * where fprintf only fills the buffer and the flush fails, makes the run
 * fail (exit status 1), in the first batch, also for a final sink. */
static void test_file_sink_write_errors(void)
{
    const char *err = start_fails("source lines = file(\"/dev/null\")\n"
                                  "lines | count | sink file(\"/nonexistent/sp-dir/out.txt\", name: \"o\")\n");
    tu_assert(strstr(err, "file sink 'o': cannot open output '/nonexistent/sp-dir/out.txt'") != NULL, __LINE__,
              __FILE__, __func__, "unexpected message: %s", err);
    FILE *probe = fopen("/dev/full", "a");
    if (!probe)
        return; /* no /dev/full here */
    fclose(probe);
    const char *bodies[] = {"lines | count | sink file(\"/dev/full\", name: \"o\")\n",
                            "lines | count | sink file(\"/dev/full\", format: \"json\")\n",
                            "lines | count | sink file(\"/dev/full\", final: true)\n"};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        sp_unit *u;
        sp_plan *plan = compile(pipeline_text(bodies[i], "a\nb\nc\n", NULL), &u);
        sp_run_options opt;
        memset(&opt, 0, sizeof opt);
        opt.batch_records = 1;
        char *e = NULL;
        sp_runtime *rt = sp_runtime_new(u->p, plan, u->d, &opt, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
        TU_EXPECT_INT(sp_runtime_run(rt), 1);
        sp_run_stats st;
        sp_runtime_stats(rt, &st);
        /* a sink after every batch stops in the first one */
        TU_EXPECT_INT(st.records_in, i < 2 ? 1 : 3);
        sp_runtime_free(rt);
        free(e);
    }
}

static void test_start_fails_with_a_message(void)
{
    /* (an unknown sink format is rejected by the checker already) */
    const char *path = temp_input("a\n");
    char text[512];
    const char *err = start_fails("source lines = file(\"/nonexistent/sp-test-input\")\nlines | sink stdout\n");
    tu_assert(strstr(err, "/nonexistent/sp-test-input") != NULL, __LINE__, __FILE__, __func__,
              "unexpected message: %s", err);
    /* follow and tcp start (a missing file or server is waited for); what
     * cannot work is refused */
    snprintf(text, sizeof text, "source lines = file(\"%s\", follow: true, from: \"middle\")\nlines | sink stdout\n",
             path);
    err = start_fails(text);
    tu_assert(strstr(err, "middle") != NULL, __LINE__, __FILE__, __func__, "unexpected message: %s", err);
    snprintf(text, sizeof text, "source lines = file(\"%s\", from: \"end\")\nlines | sink stdout\n", path);
    start_fails(text);
    err = start_fails("source lines = tcp(\"nohostport\")\nlines | sink stdout\n");
    tu_assert(strstr(err, "HOST:PORT") != NULL, __LINE__, __FILE__, __func__, "unexpected message: %s", err);
}

/* 30 integer keys, each twice, in a scrambled order (7i mod 30), as
 * "KEY 1" lines. */
static const char *scrambled_keys(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < 30; i++)
            fprintf(f, "%d 1\n", (i * 7 + pass * 11) % 30);
    fclose(f);
    keep(buf, NULL);
    return buf;
}

/* J(0, 1000, "[[0,V],[1,V],...,[29,V]]") for sink "o". */
static const char *sorted_keys(const char *value)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("{\"sink\":\"o\",\"batch\":0,\"time\":1000,\"value\":[", f);
    for (int k = 0; k < 30; k++)
        fprintf(f, "%s[%d,%s]", k ? "," : "", k, value);
    fputs("]}\n", f);
    fclose(f);
    keep(buf, NULL);
    return buf;
}

static void test_keyed_results_sorted_by_key(void)
{
    /* numbers sorted by value (9 before 10), whatever the arrival or hash order */
    static const struct {
        const char *op;
        const char *value;
    } cases[] = {
        {"reduceByKey sum", "2"},
        {"groupByKey", "[1,1]"},
        {"reduceByKeyAndWindow sum, 2s", "2"},
        {"reduceByKeyAndWindow sum, 2s inverse difference", "2"},
        {"updateStateByKey running_sum", "2"},
        {"map (k, v) -> k | countByValue", "2"},
        {"map (k, v) -> k | countByValueAndWindow 2s", "2"},
    };
    const char *input = scrambled_keys();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[256];
        snprintf(body, sizeof body, "lines | map (to_int(split(it, \" \")[0], 0), 1) | %s | %s\n", cases[i].op, OUT);
        const char *got = run(body, input, 100);
        tu_assert(strcmp(got, sorted_keys(cases[i].value)) == 0, __LINE__, __FILE__, __func__,
                  "%s: expected the keys 0..29 in order, got \"%s\"", cases[i].op, got);
    }
}

static void test_file_source_lines(void)
{
    /* a final \r is removed; a last line without a newline is read */
    TU_EXPECT_STR(run("lines | map (it, length(it)) | " OUT "\n", "a\r\nbb\r\n\nc", 10),
                  J(0, 1000, "[[\"a\",1],[\"bb\",2],[\"\",0],[\"c\",1]]"));
}

/* 1024 lines of 1024 bytes fill a 1 MiB read exactly: the reader starts
 * the next read in a new buffer, not over the lines it handed out. */
static void test_file_source_lines_filling_a_read_stay_intact(void)
{
    size_t n = 3000, len = 1024;
    char *text = sp_xmalloc(n * len + 1);
    for (size_t i = 0; i < n; i++) {
        char *line = text + i * len;
        memset(line, 'x', len - 1);
        char head[16];
        snprintf(head, sizeof head, "line%06zu", i);
        memcpy(line, head, strlen(head));
        line[len - 1] = '\n';
    }
    text[n * len] = '\0';
    TU_EXPECT_STR(run("lines | map substr(it, 0, 10) | countByValue | count | " OUT "\n", text, 10000),
                  J(0, 1000, "3000"));
    free(text);
}

static void test_empty_input_gives_one_batch(void)
{
    sp_run_stats st;
    rt_opts o = {.stats = &st};
    TU_EXPECT_STR(run_with("lines | count | " OUT "\n", "", 2, &o), J(0, 1000, "0"));
    TU_EXPECT_INT(st.batches, 1);
    TU_EXPECT_INT(st.records_in, 0);
}

static void test_final_sink_writes_the_last_result_once(void)
{
    /* a running count over three batches: only the last one is written, at
     * the end of the run, with its batch and time */
    TU_EXPECT_STR(run("lines | count | map (\"n\", it) | updateStateByKey running_sum | map _2 | reduce sum"
                      " | sink stdout(format: \"json\", name: \"o\", final: true)\n",
                      "a\nb\nc\nd\ne\n", 2),
                  J(2, 3000, "5"));
}

static void test_empty_text_replaces_no_data_line(void)
{
    /* a reduce of an empty batch has no value: the sink's `empty` text is
     * written instead of "Title: no data in this interval" */
    TU_EXPECT_STR(run("lines | filter it != \"-\" | map length(it) | reduce sum"
                      " | sink stdout(\"Size\", empty: \"No access logs in this time interval\")\n",
                      "ab\n-\n", 1),
                  HDR(1000) "Size: 2\n" HDR(2000) "No access logs in this time interval\n");
}

/* ----- event-time windows ----- */

/* "TIME KEY" lines as records {t, k}. */
#define EV "fn ev(s) = {t: to_int(split(s, \" \")[0], 0), k: split(s, \" \")[1]}\n"
/* Out of order: 9000 comes after 12000, 3000 after that. */
#define EV_INPUT "1000 a\n2000 b\n6000 a\n4000 b\n12000 a\n9000 c\n3000 z\n20000 a\n"
#define LATE_OUT "sink stdout(format: \"json\", name: \"late\")"

static void test_event_time_late_elements_are_counted_and_routed(void)
{
    /* watermark 2s: 9000 arrives when the largest time is 12000 (watermark
     * 10000) and 3000 later still: both late, handed to `stragglers` in the
     * batch they arrive in; each window is emitted once the watermark has
     * passed its end, the rest when the input ends */
    sp_run_stats st;
    rt_opts o = {.stats = &st};
    const char *want = J(2, 5000, "3") J(2, 10000, "4")
                       "{\"sink\":\"late\",\"batch\":2,\"time\":3000,\"value\":[\"c\"]}\n"
                       J(3, 15000, "2")
                       "{\"sink\":\"late\",\"batch\":3,\"time\":4000,\"value\":[\"z\"]}\n"
                       J(4, 20000, "1") J(4, 25000, "1") J(4, 30000, "1");
    TU_EXPECT_STR(run_with(EV "lines | map ev | countByWindow 10s slide 5s on t watermark 2s late stragglers | " OUT "\n"
                              "stragglers | map k | " LATE_OUT "\n",
                           EV_INPUT, 2, &o),
                  want);
    TU_EXPECT_INT(st.late, 2);
}

/* The lines of sink "o" without their batch numbers. */
static char *windows_only(const char *out)
{
    char *r = sp_xmalloc(strlen(out) + 1), *w = r;
    for (const char *line = out; *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line + 1) : strlen(line);
        if (strncmp(line, "{\"sink\":\"o\",\"batch\":", 20) == 0) {
            const char *rest = strchr(line + 20, ',');
            memcpy(w, "{\"sink\":\"o\"", 11);
            w += 11;
            size_t m = (size_t)(line + n - rest);
            memcpy(w, rest, m);
            w += m;
        }
        line += n;
    }
    *w = '\0';
    keep(r, NULL);
    return r;
}

static void test_event_time_windows_do_not_depend_on_batches(void)
{
    /* the watermark moves element by element, so a replay cut into other
     * batches gives the same windows with the same contents */
    const char *body = EV "lines | map ev | map (k, t) | reduceByKeyAndWindow max, 10s slide 5s on _2 watermark 3s | " OUT "\n";
    const char *one = windows_only(run(body, EV_INPUT, 1));
    TU_EXPECT_STR(windows_only(run(body, EV_INPUT, 3)), one);
    TU_EXPECT_STR(windows_only(run(body, EV_INPUT, 100)), one);
    /* [-5s,5s) [0,10s) [5s,15s) [10s,20s) [15s,25s) [20s,30s); 3000 z is late */
    TU_EXPECT_STR(one, "{\"sink\":\"o\",\"time\":5000,\"value\":[[\"a\",1000],[\"b\",4000]]}\n"
                       "{\"sink\":\"o\",\"time\":10000,\"value\":[[\"a\",6000],[\"b\",4000],[\"c\",9000]]}\n"
                       "{\"sink\":\"o\",\"time\":15000,\"value\":[[\"a\",12000],[\"c\",9000]]}\n"
                       "{\"sink\":\"o\",\"time\":20000,\"value\":[[\"a\",12000]]}\n"
                       "{\"sink\":\"o\",\"time\":25000,\"value\":[[\"a\",20000]]}\n"
                       "{\"sink\":\"o\",\"time\":30000,\"value\":[[\"a\",20000]]}\n");
}

static void test_event_time_tumbling_windows_close_with_the_watermark(void)
{
    /* tumbling 10s, watermark 5s: the window ending 10000 closes in batch 3
     * (largest time 20000); the others when the input ends */
    const char *want = J(3, 10000, "[[\"a\",6000],[\"b\",4000],[\"c\",9000]]")
                       J(4, 20000, "[[\"a\",12000]]")
                       J(4, 30000, "[[\"a\",20000]]");
    TU_EXPECT_STR(run(EV "lines | map ev | map (k, t) | reduceByKeyAndWindow max, 10s slide 10s on _2 watermark 5s | " OUT "\n",
                      EV_INPUT, 2),
                  want);
}

static void test_event_time_window_feeds_per_window_operators(void)
{
    /* downstream operators run once per window: count after window counts
     * each window's elements; watermark 0, so every element older than the
     * largest time so far is late */
    const char *want = J(0, 10000, "3") J(0, 20000, "1") J(0, 30000, "1");
    TU_EXPECT_STR(run(EV "lines | map ev | window 10s slide 10s on t | count | " OUT "\n", EV_INPUT, 100), want);
}

static void test_event_time_without_a_time_is_late(void)
{
    sp_run_stats st;
    rt_opts o = {.stats = &st};
    /* the window's own sink comes first: it is planned before `no_time` */
    TU_EXPECT_STR(run_with(EV "lines | map ev | window 10s slide 10s on to_int(split(it.k, \"-\")[1]) late no_time | map k | " OUT "\n"
                              "no_time | map k | " LATE_OUT "\n",
                           "0 a-5000\n0 x\n", 10, &o),
                  J(0, 10000, "[\"a-5000\"]")
                  "{\"sink\":\"late\",\"batch\":0,\"time\":1000,\"value\":[\"x\"]}\n");
    TU_EXPECT_INT(st.late, 1);
}


CU_ErrorCode sp_test_register_runtime(void)
{
    static const tu_test tests[] = {
        {"a sink with final: true writes only the last result, when the run ends", test_final_sink_writes_the_last_result_once},
        {"a sink's empty text stands for a missing one-value result", test_empty_text_replaces_no_data_line},
        {"event-time windows count late elements and hand them to the late stream", test_event_time_late_elements_are_counted_and_routed},
        {"event-time windows are the same however the input is cut into batches", test_event_time_windows_do_not_depend_on_batches},
        {"event-time tumbling windows close when the watermark passes their end", test_event_time_tumbling_windows_close_with_the_watermark},
        {"operators after an event-time window run once per window", test_event_time_window_feeds_per_window_operators},
        {"an element without an event time is late", test_event_time_without_a_time_is_late},
        {"map evaluates an expression per element", test_map_expression},
        {"map applies a function name or a lambda that takes a pair apart", test_map_function_and_lambda},
        {"flatMap emits the items of each list in order", test_flatmap_emits_items_in_order},
        {"flatMap gives nothing for null or an empty list", test_flatmap_null_and_empty_give_nothing},
        {"flatMap of a value that is not a list is a run-time error", test_flatmap_non_list_is_an_error},
        {"filter keeps the elements whose condition is true", test_filter_keeps_true},
        {"filter drops an element whose condition is null", test_filter_drops_null_condition},
        {"count gives one number per batch", test_count_per_batch},
        {"count of an empty batch is 0", test_count_of_an_empty_batch_is_zero},
        {"reduce combines a batch from first to last", test_reduce_per_batch},
        {"reduce of an empty batch prints no data", test_reduce_of_an_empty_batch_prints_no_data},
        {"countByValue counts per batch, sorted by value", test_count_by_value_sorted_by_value},
        {"countByValue orders values of different types", test_count_by_value_orders_types},
        {"reduceByKey reduces per batch, sorted by key", test_reduce_by_key_per_batch_sorted},
        {"groupByKey keeps the values in arrival order", test_group_by_key_keeps_arrival_order},
        {"sortByKey sorts ascending, equal keys in order", test_sort_by_key_ascending_stable},
        {"sortByKey desc sorts descending, equal keys in order", test_sort_by_key_descending_stable},
        {"join gives every pair of a key, in the order of the left", test_join_every_pair_in_left_order},
        {"join works batch by batch", test_join_works_batch_by_batch},
        {"leftOuterJoin gives null without a partner", test_left_outer_join_gives_null},
        {"leftOuterJoin with a window treats it as empty between slides", test_join_with_a_window_between_slides},
        {"union gives the left stream's elements first", test_union_left_first},
        {"union with a window treats it as empty between slides", test_union_with_a_window_between_slides},
        {"top gives the largest first", test_top_largest_first},
        {"top by breaks ties by the element, smallest first", test_top_by_ties_broken_by_element},
        {"take gives the first N of each batch", test_take_first_n_of_each_batch},
        {"window with slide equal to length is tumbling", test_window_tumbling},
        {"window holds what there is until its length has passed", test_window_sliding_partial_at_start},
        {"window with a slide shorter than its length", test_window_slide_shorter_than_length},
        {"window whose length is not a multiple of the slide", test_window_length_not_a_multiple_of_slide},
        {"window with a slide longer than its length", test_window_slide_longer_than_length},
        {"window over empty batches", test_window_empty_windows},
        {"operators after a window run only at its slides", test_window_then_count_only_at_slides},
        {"a window of a window", test_window_of_a_window},
        {"window counts in batches of the interval", test_window_with_batch_interval},
        {"sinks print only at slide boundaries", test_output_only_at_slide_boundaries_text},
        {"countByWindow counts the window", test_count_by_window},
        {"countByWindow of an empty window is 0", test_count_by_window_empty_windows},
        {"a windowed operator after a window runs every batch", test_windowed_operator_after_window_runs_every_batch},
        {"reduceByWindow without inverse", test_reduce_by_window_without_inverse},
        {"reduceByWindow with inverse", test_reduce_by_window_with_inverse},
        {"reduceByWindow of an empty window gives nothing", test_reduce_by_window_empty_windows},
        {"countByValueAndWindow counts the values of the window", test_count_by_value_and_window},
        {"countByValueAndWindow of an empty window is empty", test_count_by_value_and_window_empty_windows},
        {"reduceByKeyAndWindow without inverse", test_reduce_by_key_and_window_without_inverse},
        {"reduceByKeyAndWindow with inverse", test_reduce_by_key_and_window_with_inverse},
        {"reduceByKeyAndWindow with inverse drops keys that left", test_reduce_by_key_and_window_inverse_keys_leave},
        {"reduceByKeyAndWindow with inverse over a long run", test_reduce_by_key_and_window_inverse_long_run},
        {"reduceByKeyAndWindow of an empty window is empty", test_reduce_by_key_and_window_empty_windows},
        {"updateStateByKey keeps a running sum", test_update_state_running_sum},
        {"updateStateByKey gets null state and values in arrival order", test_update_state_values_in_arrival_order},
        {"updateStateByKey drops a key whose state becomes null", test_update_state_null_drops_key},
        {"a stateful named stream read twice is computed once per batch", test_update_state_named_stream_computed_once},
        {"updateStateByKey after a window runs every batch", test_update_state_after_window_runs_every_batch},
        {"updateStateByKey's replaced states are dropped when its arena is rebuilt", test_update_state_garbage_rebuilt},
        {"the JSON sink writes one object per batch and sink", test_json_sink_format},
        {"the JSON sink's name defaults to the title", test_json_sink_name_defaults_to_title},
        {"batch times count from start_ms", test_json_sink_start_time},
        {"now() is the time of the batch", test_now_is_the_batch_time},
        {"the text sink prints a header, lists and singletons", test_text_sink_format},
        {"the text sink's title defaults to the stream's name", test_text_sink_default_title},
        {"a run-time error gives null, is counted, and the run goes on", test_eval_error_gives_null_and_continues},
        {"keyed operators skip elements that are not pairs", test_keyed_operator_skips_non_pairs},
        {"lines longer than max_line are rejected and counted", test_long_lines_are_rejected},
        {"input(URI) reads files", test_input_uri_file},
        {"the generator with a count is a bounded input", test_generator_with_count_is_bounded},
        {"the file sink appends, in JSON or text", test_file_sink_appends},
        {"a file sink that cannot write fails the run, also at the flush", test_file_sink_write_errors},
        {"sp_runtime_new fails with a message", test_start_fails_with_a_message},
        {"keyed results are sorted by key", test_keyed_results_sorted_by_key},
        {"the file source reads lines, without a final CR", test_file_source_lines},
        {"lines that fill a read exactly are not overwritten by the next", test_file_source_lines_filling_a_read_stay_intact},
        {"an empty input gives one empty batch", test_empty_input_gives_one_batch},
        {"the run counts batches and records", test_run_stats},
        {"several threads give the output of one thread", test_threads_give_the_output_of_one_thread},
        {"a keyed combine over many chunks keeps each key's order", test_keyed_combine_over_many_chunks},
        {"counting and stats combines give what the functions give", test_exact_combines_give_what_the_functions_give},
        {"per-node counters, state size and the batch observer", test_node_counters_and_observer},
        {"the run ends with the batch holding the last record", test_run_ends_with_the_last_record},
        {NULL, NULL},
    };
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("runtime", NULL, NULL, NULL, rt_teardown);
    if (!s)
        return CU_get_error();
    for (const tu_test *t = tests; t->name; t++)
        if (!CU_add_test(s, t->name, t->fn))
            return CU_get_error();
    return CUE_SUCCESS;
}
