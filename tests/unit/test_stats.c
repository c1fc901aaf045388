/* test_stats.c - the streaming statistics (src/stats.c): the --stats line,
 * the ring of recent batches and its quantiles, the JSON lines, the
 * Prometheus exposition (names, types, label escaping), and the figures a
 * real run gives through the batch observer (sink results as JSON). */
#include "test_util.h"

#include <unistd.h>

#include "runtime.h"
#include "stats.h"

/* `hay` contains `needle`; the failure report shows both. */
#define TU_EXPECT_CONTAINS(hay, needle)                                                            \
    tu_assert((hay) && strstr((hay), (needle)) != NULL, __LINE__, __FILE__, __func__,              \
              "expected to contain:\n%s\ngot:\n%s", (needle), (hay) ? (hay) : "(null)")

/* A checked and planned pipeline; the unit is freed by the teardown. */
static sp_plan *plan_of(const char *text)
{
    sp_unit *u = tu_check(text);
    CU_ASSERT_FATAL(u->status == SP_CHECK_OK && tu_errors(u) == 0);
    sp_plan *plan = sp_plan_build(u->p, u->batch_ms, u->a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
    return plan;
}

static const char simple[] = "batch 2s\n"
                             "source lines = generator(count: 10)\n"
                             "lines | filter it != \"x\\\\y\" | sink stdout(name: \"out\")\n";

static sp_stats_batch batch(uint64_t n, int64_t processing, int64_t sched, uint64_t records)
{
    sp_stats_batch b;
    memset(&b, 0, sizeof b);
    b.batch = n;
    b.time_ms = 2000 * (int64_t)(n + 1);
    b.due_ms = 1000000 + 2000 * (int64_t)n;
    b.start_ms = b.due_ms + sched;
    b.end_ms = b.start_ms + processing;
    b.records = records;
    b.input_rate = (double)records / 2.0;
    b.scheduling_delay_ms = sched;
    b.processing_ms = processing;
    b.total_delay_ms = sched + processing;
    b.lag = -1;
    return b;
}

/* Everything `write` writes, as a string (freed by the caller). */
#define CAPTURE(var, stmt)                                                                         \
    do {                                                                                           \
        size_t cap_len_ = 0;                                                                       \
        FILE *out = open_memstream(&(var), &cap_len_);                                             \
        CU_ASSERT_PTR_NOT_NULL_FATAL(out);                                                         \
        stmt;                                                                                      \
        fclose(out);                                                                               \
    } while (0)

static void test_stats_line_says_every_figure_of_a_batch(void)
{
    sp_stats_batch b = batch(12, 35, 1, 2000);
    b.malformed = 3;
    b.late = 4;
    b.state_entries = 1234;
    b.state_bytes = 3 * 1024 * 1024 / 2;
    b.lag = 17;
    char line[512];
    TU_EXPECT_STR(sp_stats_format_line(&b, line, sizeof line),
                  "batch 12: 2000 records (1000.0/s), scheduling delay 1 ms, processing 35 ms, total delay 36 ms, "
                  "3 malformed, 4 late, state 1234 entries (1.5 MiB), lag 17");
    b.lag = -1;
    b.final = 1;
    b.state_bytes = 100;
    TU_EXPECT_STR(sp_stats_format_line(&b, line, sizeof line),
                  "batch 12: 2000 records (1000.0/s), scheduling delay 1 ms, processing 35 ms, total delay 36 ms, "
                  "3 malformed, 4 late, state 1234 entries (100 B), lag - (last)");
}

static void test_ring_keeps_the_latest_batches_and_totals_keep_all(void)
{
    sp_stats *s = sp_stats_new(plan_of(simple), NULL, 3);
    for (uint64_t i = 0; i < 5; i++) {
        sp_stats_batch b = batch(i, (int64_t)(10 * (i + 1)), 0, 100);
        sp_stats_push(s, &b);
    }
    TU_EXPECT_INT(sp_stats_count(s), 3);
    TU_EXPECT_INT(sp_stats_at(s, 0)->batch, 2);
    TU_EXPECT_INT(sp_stats_at(s, 2)->batch, 4);
    CU_ASSERT_PTR_NULL(sp_stats_at(s, 3));
    /* nearest rank over 30, 40, 50 */
    CU_ASSERT_DOUBLE_EQUAL(sp_stats_processing_quantile(s, 0.5), 40, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(sp_stats_processing_quantile(s, 0.99), 50, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(sp_stats_processing_quantile(s, 0.0), 30, 1e-9);
    char *text = NULL;
    CAPTURE(text, sp_stats_write_summary(s, out));
    TU_EXPECT_CONTAINS(text, "5 batches of 2000 ms, 500 records (50.0/s of batch interval)");
    TU_EXPECT_CONTAINS(text, "processing avg 30.0 ms, p50 40 ms, p99 50 ms, max 50 ms");
    free(text);
    sp_stats_free(s);
}

static void test_json_lines_carry_the_batch_and_its_operators(void)
{
    sp_stats *s = sp_stats_new(plan_of(simple), "p\"q", 0);
    sp_stats_batch b = batch(0, 7, 2, 10);
    b.final = 1;
    sp_stats_push(s, &b);
    char *text = NULL;
    CAPTURE(text, sp_stats_write_batch_json(s, sp_stats_at(s, 0), out));
    TU_EXPECT_CONTAINS(text, "{\"type\":\"batch\",\"pipeline\":\"p\\\"q\",\"batch\":0,\"time_ms\":2000,");
    TU_EXPECT_CONTAINS(text, "\"records\":10,\"input_rate\":5.000,\"scheduling_delay_ms\":2,\"processing_ms\":7,"
                             "\"total_delay_ms\":9,");
    TU_EXPECT_CONTAINS(text, "\"kafka_lag\":null,\"final\":true,\"operators\":[{\"node\":\"n0\",\"kind\":\"source\","
                             "\"name\":\"lines\",\"inputs\":[],");
    TU_EXPECT_CONTAINS(text, "{\"node\":\"n1\",\"kind\":\"operator\",\"name\":\"filter it != \\\"x\\\\\\\\y\\\"\","
                             "\"inputs\":[\"n0\"]");
    CU_ASSERT_EQUAL(text[strlen(text) - 1], '\n');
    CU_ASSERT(strchr(text, '\n') + 1 == text + strlen(text)); /* one line */
    free(text);
    CAPTURE(text, sp_stats_write_summary_json(s, out));
    TU_EXPECT_CONTAINS(text, "{\"type\":\"summary\",\"pipeline\":\"p\\\"q\",\"batch_interval_ms\":2000,\"batches\":1,"
                             "\"records_in\":10,");
    TU_EXPECT_CONTAINS(text, "\"processing_ms\":{\"avg\":7.000,\"p50\":7,\"p90\":7,\"p99\":7,\"max\":7}");
    free(text);
    sp_stats_free(s);
}

static void test_prometheus_names_types_and_escaped_labels(void)
{
    sp_stats *s = sp_stats_new(plan_of(simple), NULL, 0);
    sp_stats_batch b0 = batch(0, 1500, 0, 4), b1 = batch(1, 500, 250, 6);
    sp_stats_push(s, &b0);
    sp_stats_push(s, &b1);
    char *text = NULL;
    CAPTURE(text, sp_stats_write_prometheus(s, out));
    TU_EXPECT_CONTAINS(text, "# HELP streampipe_batches_total Batches processed.\n"
                             "# TYPE streampipe_batches_total counter\n"
                             "streampipe_batches_total{pipeline=\"test\"} 2\n");
    TU_EXPECT_CONTAINS(text, "streampipe_records_in_total{pipeline=\"test\"} 10\n");
    TU_EXPECT_CONTAINS(text, "streampipe_batch_interval_seconds{pipeline=\"test\"} 2\n");
    TU_EXPECT_CONTAINS(text, "# TYPE streampipe_batch_processing_seconds summary\n");
    TU_EXPECT_CONTAINS(text, "streampipe_batch_processing_seconds{pipeline=\"test\",quantile=\"0.5\"} 0.5\n");
    TU_EXPECT_CONTAINS(text, "streampipe_batch_processing_seconds_sum{pipeline=\"test\"} 2\n");
    TU_EXPECT_CONTAINS(text, "streampipe_batch_processing_seconds_count{pipeline=\"test\"} 2\n");
    TU_EXPECT_CONTAINS(text, "streampipe_scheduling_delay_seconds_sum{pipeline=\"test\"} 0.25\n");
    TU_EXPECT_CONTAINS(text, "streampipe_last_batch_processing_seconds{pipeline=\"test\"} 0.5\n");
    TU_EXPECT_CONTAINS(text, "streampipe_operator_records_in_total{pipeline=\"test\",node=\"n1\","
                             "operator=\"filter it != \\\"x\\\\\\\\y\\\"\",kind=\"operator\"} 0\n");
    TU_EXPECT_CONTAINS(text, "# TYPE streampipe_state_bytes gauge\n");
    TU_EXPECT_CONTAINS(text, "# TYPE streampipe_kafka_consumer_lag gauge\n");
    /* no lag known: no sample */
    CU_ASSERT_PTR_NULL(strstr(text, "streampipe_kafka_consumer_lag{"));
    /* every counter ends in _total */
    for (const char *p = strstr(text, "# TYPE "); p; p = strstr(p + 1, "# TYPE ")) {
        const char *sp = strchr(p + 7, ' ');
        if (strncmp(sp + 1, "counter", 7) == 0)
            CU_ASSERT(sp - 6 > p && strncmp(sp - 6, "_total", 6) == 0);
    }
    free(text);
    sp_stats_free(s);
}

/* ----- a real run ----- */

typedef struct watched {
    sp_stats *stats;
    int calls;
    char *sinks;  /* /api/sinks after the last batch */
    char *prom;   /* the exposition after the last batch */
} watched;

static void observe(void *ctx, const sp_runtime *rt, const sp_batch_info *b)
{
    watched *w = ctx;
    sp_stats_record(w->stats, rt, b);
    w->calls++;
    free(w->sinks);
    free(w->prom);
    CAPTURE(w->sinks, sp_stats_write_api(w->stats, "sinks", 0, out));
    CAPTURE(w->prom, sp_stats_write_prometheus(w->stats, out));
}

static void test_a_run_gives_each_sink_latest_result_and_node_counters(void)
{
    char path[] = "/tmp/sp-test-stats-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(write(fd, "a\nb\nc\n", 6) == 6);
    close(fd);
    char text[512];
    snprintf(text, sizeof text,
             "batch 1s\nsource lines = file(\"%s\")\n"
             "lines | count | sink stdout(name: \"n\")\n"
             "lines | map (it, 1) | sink stdout(\"pairs\")\n",
             path);
    sp_unit *u = tu_check(text);
    CU_ASSERT_FATAL(u->status == SP_CHECK_OK && tu_errors(u) == 0);
    sp_plan *plan = sp_plan_build(u->p, u->batch_ms, u->a);
    char *buf = NULL;
    size_t len = 0;
    FILE *devnull = open_memstream(&buf, &len);
    sp_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.out = devnull;
    opt.batch_records = 2;
    char *err = NULL;
    sp_runtime *rt = sp_runtime_new(u->p, plan, u->d, &opt, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
    watched w = {sp_stats_new(plan, NULL, 0), 0, NULL, NULL};
    sp_stats_keep_sinks(w.stats, 1);
    sp_runtime_observe(rt, observe, &w);
    CU_ASSERT_EQUAL(sp_runtime_run(rt), 0);
    TU_EXPECT_INT(w.calls, 2);
    TU_EXPECT_STR(w.sinks, "{\"sinks\":[{\"node\":\"n2\",\"name\":\"n\",\"label\":\"stdout name: \\\"n\\\"\","
                           "\"batch\":1,\"time_ms\":2000,\"value\":1},"
                           "{\"node\":\"n4\",\"name\":\"pairs\",\"label\":\"stdout \\\"pairs\\\"\","
                           "\"batch\":1,\"time_ms\":2000,\"value\":[[\"c\",1]]}]}");
    TU_EXPECT_CONTAINS(w.prom, "streampipe_sink_records_total{pipeline=\"test\",node=\"n2\",sink=\"n\"} 2\n");
    TU_EXPECT_CONTAINS(w.prom, "streampipe_sink_records_total{pipeline=\"test\",node=\"n4\",sink=\"pairs\"} 3\n");
    TU_EXPECT_CONTAINS(w.prom, "streampipe_records_in_total{pipeline=\"test\"} 3\n");
    TU_EXPECT_CONTAINS(w.prom, "streampipe_operator_records_out_total{pipeline=\"test\",node=\"n0\","
                               "operator=\"lines\",kind=\"source\"} 3\n");
    TU_EXPECT_CONTAINS(w.prom, "streampipe_finished{pipeline=\"test\"} 1\n");
    sp_runtime_free(rt);
    sp_stats_free(w.stats);
    free(w.sinks);
    free(w.prom);
    fclose(devnull);
    free(buf);
    unlink(path);
}

CU_ErrorCode sp_test_register_stats(void)
{
    static const tu_test tests[] = {
        {"the --stats line says every figure of a batch", test_stats_line_says_every_figure_of_a_batch},
        {"the ring keeps the latest batches, the totals keep all", test_ring_keeps_the_latest_batches_and_totals_keep_all},
        {"JSON lines carry the batch and its operators", test_json_lines_carry_the_batch_and_its_operators},
        {"the Prometheus exposition has its names, types and escaped labels", test_prometheus_names_types_and_escaped_labels},
        {"a run gives each sink's latest result and the nodes' counters", test_a_run_gives_each_sink_latest_result_and_node_counters},
        {NULL, NULL},
    };
    return tu_add_suite("stats", tests);
}
