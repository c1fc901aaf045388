/* stats.c - streaming statistics of a run and their formats; see stats.h. */
#include "stats.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "value.h"

#define DEFAULT_RING 1000
#define MAX_SINK_JSON (256 * 1024) /* a longer latest result is replaced by a note */

struct sp_stats {
    const sp_plan *plan;     /* what runs */
    char *pipeline;          /* its label in metrics; owned */
    int64_t batch_ms;        /* the batch interval */
    int64_t created_ms;      /* wall clock when the statistics began */
    sp_stats_batch *ring;    /* the recent batches; owned */
    size_t cap;              /* ring size */
    size_t count;            /* batches in the ring */
    size_t head;             /* index of the oldest */
    sp_stats_node *nodes;    /* one per plan node; owned */
    int n;                   /* number of nodes */
    int keep_sinks;          /* copy each sink's latest result */
    /* totals over the run */
    uint64_t batches, records, malformed, late, eval_errors;
    int64_t processing_sum, processing_max;
    int64_t scheduling_sum, scheduling_max;
    int64_t total_sum, total_max;
    int finished;            /* the final batch was seen */
};

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "pipelines/logs.sp" -> "logs" */
static char *pipeline_label(const char *file)
{
    if (!file || !*file || strcmp(file, "-") == 0)
        return sp_xstrdup("stdin");
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".sp") == 0)
        n -= 3;
    char *s = sp_xmalloc(n + 1);
    memcpy(s, base, n);
    s[n] = '\0';
    return s;
}

sp_stats *sp_stats_new(const sp_plan *plan, const char *pipeline, size_t ring)
{
    sp_stats *s = sp_xmalloc(sizeof *s);
    memset(s, 0, sizeof *s);
    s->plan = plan;
    s->pipeline = pipeline ? sp_xstrdup(pipeline) : pipeline_label(sp_plan_name(plan));
    s->batch_ms = sp_plan_batch_ms(plan);
    s->created_ms = wall_ms();
    s->cap = ring ? ring : DEFAULT_RING;
    s->ring = sp_xmalloc(sizeof *s->ring * s->cap);
    s->n = sp_plan_node_count(plan);
    s->nodes = sp_xmalloc(sizeof *s->nodes * (size_t)(s->n ? s->n : 1));
    memset(s->nodes, 0, sizeof *s->nodes * (size_t)(s->n ? s->n : 1));
    for (int i = 0; i < s->n; i++) {
        sp_stats_node *sn = &s->nodes[i];
        sn->node = sp_plan_node(plan, i);
        sn->name = sn->node->kind == SP_NODE_SOURCE ? sn->node->name : sn->node->label;
        sn->lag = -1;
    }
    return s;
}

void sp_stats_free(sp_stats *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++) {
        free(s->nodes[i].sink_vals);
        sp_arena_free(s->nodes[i].sink_arena);
    }
    free(s->nodes);
    free(s->ring);
    free(s->pipeline);
    free(s);
}

void sp_stats_name_sinks(sp_stats *s, const sp_runtime *rt)
{
    for (int i = 0; i < s->n && i < sp_runtime_node_count(rt); i++)
        if (s->nodes[i].node->kind == SP_NODE_SINK)
            s->nodes[i].name = sp_runtime_sink_name(rt, i);
}

void sp_stats_keep_sinks(sp_stats *s, int keep)
{
    s->keep_sinks = keep;
}

void sp_stats_push(sp_stats *s, const sp_stats_batch *b)
{
    size_t at = (s->head + s->count) % s->cap;
    if (s->count == s->cap) {
        at = s->head;
        s->head = (s->head + 1) % s->cap;
    } else
        s->count++;
    s->ring[at] = *b;
    s->batches++;
    s->records += b->records;
    s->malformed += b->malformed;
    s->late += b->late;
    s->processing_sum += b->processing_ms;
    s->scheduling_sum += b->scheduling_delay_ms;
    s->total_sum += b->total_delay_ms;
    if (b->processing_ms > s->processing_max)
        s->processing_max = b->processing_ms;
    if (b->scheduling_delay_ms > s->scheduling_max)
        s->scheduling_max = b->scheduling_delay_ms;
    if (b->total_delay_ms > s->total_max)
        s->total_max = b->total_delay_ms;
    if (b->final)
        s->finished = 1;
}

/* Copies sink i's latest result, when it was given one in this batch:
 * values, not text (cheaper every batch); printed when a writer asks. */
static void keep_sink(sp_stats_node *sn, const sp_runtime *rt, int i, const sp_batch_info *b)
{
    const sp_value *v;
    size_t n;
    int singleton;
    if (sp_runtime_sink_result(rt, i, &v, &n, &singleton) != 1)
        return;
    sp_arena_free(sn->sink_arena);
    sn->sink_arena = sp_arena_new();
    if (n > sn->sink_cap) {
        sn->sink_cap = n;
        sn->sink_vals = sp_xrealloc(sn->sink_vals, sizeof *sn->sink_vals * n);
    }
    for (size_t k = 0; k < n; k++)
        sn->sink_vals[k] = sp_value_copy(sn->sink_arena, v[k]);
    sn->sink_n = n;
    sn->sink_singleton = singleton;
    sn->has_sink = 1;
    sn->sink_batch = b->batch;
    sn->sink_time_ms = b->time_ms;
}

/* Writes a kept sink result as JSON: the value of a one-value stream, else
 * the list; longer than MAX_SINK_JSON: a note instead. */
static void write_sink_value(const sp_stats_node *sn, FILE *out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) {
        fputs("null", out);
        return;
    }
    if (sn->sink_singleton)
        sp_value_print_json(sn->sink_n ? sn->sink_vals[0] : sp_null(), mem);
    else {
        fputc('[', mem);
        for (size_t k = 0; k < sn->sink_n; k++) {
            if (k)
                fputc(',', mem);
            sp_value_print_json(sn->sink_vals[k], mem);
        }
        fputc(']', mem);
    }
    if (fclose(mem) != 0)
        fputs("null", out);
    else if (len > MAX_SINK_JSON)
        fprintf(out, "{\"truncated\":true,\"bytes\":%zu}", len);
    else
        fwrite(buf, 1, len, out);
    free(buf);
}

const sp_stats_batch *sp_stats_record(sp_stats *s, const sp_runtime *rt, const sp_batch_info *b)
{
    sp_stats_batch sb;
    memset(&sb, 0, sizeof sb);
    sb.batch = b->batch;
    sb.time_ms = b->time_ms;
    sb.due_ms = b->due_ms;
    sb.start_ms = b->start_ms;
    sb.end_ms = b->end_ms;
    sb.records = b->records;
    sb.malformed = b->malformed;
    sb.late = b->late;
    sb.final = b->final;
    sb.input_rate = s->batch_ms > 0 ? (double)b->records * 1000.0 / (double)s->batch_ms : 0;
    sb.scheduling_delay_ms = b->start_ms > b->due_ms ? b->start_ms - b->due_ms : 0;
    sb.processing_ms = b->end_ms - b->start_ms;
    sb.total_delay_ms = sb.scheduling_delay_ms + sb.processing_ms;
    sb.lag = -1;
    int n = sp_runtime_node_count(rt);
    for (int i = 0; i < n && i < s->n; i++) {
        sp_stats_node *sn = &s->nodes[i];
        sp_runtime_node_stats(rt, i, &sn->st);
        sp_runtime_node_state(rt, i, &sn->state_entries, &sn->state_bytes);
        sb.state_entries += sn->state_entries;
        sb.state_bytes += sn->state_bytes;
        if (sn->node->kind == SP_NODE_SOURCE) {
            sn->lag = sp_runtime_source_lag(rt, i);
            if (sn->lag >= 0)
                sb.lag = (sb.lag < 0 ? 0 : sb.lag) + sn->lag;
        } else if (sn->node->kind == SP_NODE_SINK) {
            sn->name = sp_runtime_sink_name(rt, i);
            if (s->keep_sinks)
                keep_sink(sn, rt, i, b);
        }
    }
    sp_run_stats rs;
    sp_runtime_stats(rt, &rs);
    s->eval_errors = rs.eval_errors;
    sp_stats_push(s, &sb);
    return sp_stats_at(s, s->count - 1);
}

size_t sp_stats_count(const sp_stats *s)
{
    return s->count;
}

const sp_stats_batch *sp_stats_at(const sp_stats *s, size_t k)
{
    return k < s->count ? &s->ring[(s->head + k) % s->cap] : NULL;
}

int sp_stats_node_count(const sp_stats *s)
{
    return s->n;
}

const sp_stats_node *sp_stats_node_at(const sp_stats *s, int i)
{
    return i >= 0 && i < s->n ? &s->nodes[i] : NULL;
}

const char *sp_stats_pipeline(const sp_stats *s)
{
    return s->pipeline;
}

int64_t sp_stats_batch_ms(const sp_stats *s)
{
    return s->batch_ms;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Quantile q of one field of the recent batches (nearest rank). */
static double quantile(const sp_stats *s, size_t offset, double q)
{
    if (s->count == 0)
        return 0;
    int64_t *v = sp_xmalloc(sizeof *v * s->count);
    for (size_t k = 0; k < s->count; k++)
        memcpy(&v[k], (const char *)sp_stats_at(s, k) + offset, sizeof v[k]);
    qsort(v, s->count, sizeof *v, cmp_i64);
    size_t rank = (size_t)ceil(q * (double)s->count);
    if (rank > 0)
        rank--;
    if (rank >= s->count)
        rank = s->count - 1;
    double r = (double)v[rank];
    free(v);
    return r;
}

double sp_stats_processing_quantile(const sp_stats *s, double q)
{
    return quantile(s, offsetof(sp_stats_batch, processing_ms), q);
}

/* 1234567 -> "1.2 MiB" */
static void format_bytes(uint64_t n, char *buf, size_t size)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%" PRIu64 " B", n);
    else
        snprintf(buf, size, "%.1f %s", v, units[u]);
}

char *sp_stats_format_line(const sp_stats_batch *b, char *buf, size_t size)
{
    char bytes[32], lag[32];
    format_bytes(b->state_bytes, bytes, sizeof bytes);
    if (b->lag >= 0)
        snprintf(lag, sizeof lag, "%" PRId64, b->lag);
    else
        snprintf(lag, sizeof lag, "-");
    snprintf(buf, size,
             "batch %" PRIu64 ": %" PRIu64 " records (%.1f/s), scheduling delay %" PRId64 " ms, processing %" PRId64
             " ms, total delay %" PRId64 " ms, %" PRIu64 " malformed, %" PRIu64 " late, state %" PRIu64
             " entries (%s), lag %s%s",
             b->batch, b->records, b->input_rate, b->scheduling_delay_ms, b->processing_ms, b->total_delay_ms,
             b->malformed, b->late, b->state_entries, bytes, lag, b->final ? " (last)" : "");
    return buf;
}

static const char *kind_name(sp_node_kind k)
{
    switch (k) {
    case SP_NODE_SOURCE:
        return "source";
    case SP_NODE_SINK:
        return "sink";
    case SP_NODE_LATE:
        return "late";
    case SP_NODE_OP:
        break;
    }
    return "operator";
}

void sp_stats_write_summary(const sp_stats *s, FILE *out)
{
    double n = s->batches ? (double)s->batches : 1;
    fprintf(out,
            "streampipe stats: %" PRIu64 " batch%s of %" PRId64 " ms, %" PRIu64 " records (%.1f/s of batch interval), %" PRIu64
            " malformed, %" PRIu64 " late, %" PRIu64 " run-time errors\n",
            s->batches, s->batches == 1 ? "" : "es", s->batch_ms, s->records,
            s->batches && s->batch_ms > 0 ? (double)s->records * 1000.0 / ((double)s->batches * (double)s->batch_ms) : 0.0,
            s->malformed, s->late, s->eval_errors);
    fprintf(out,
            "streampipe stats: processing avg %.1f ms, p50 %.0f ms, p99 %.0f ms, max %" PRId64
            " ms; scheduling delay avg %.1f ms, max %" PRId64 " ms; total delay avg %.1f ms, max %" PRId64 " ms\n",
            (double)s->processing_sum / n, sp_stats_processing_quantile(s, 0.5), sp_stats_processing_quantile(s, 0.99),
            s->processing_max, (double)s->scheduling_sum / n, s->scheduling_max, (double)s->total_sum / n,
            s->total_max);
    /* the nodes that took the most time */
    int top[5], ntop = 0;
    uint64_t all_ns = 0;
    for (int i = 0; i < s->n; i++) {
        all_ns += s->nodes[i].st.ns;
        int k = ntop < 5 ? ntop++ : 5;
        while (k > 0 && s->nodes[top[k - 1]].st.ns < s->nodes[i].st.ns) {
            if (k < 5)
                top[k] = top[k - 1];
            k--;
        }
        if (k < 5)
            top[k] = i;
    }
    if (all_ns == 0)
        return;
    fputs("streampipe stats: most time in", out);
    for (int k = 0; k < ntop && s->nodes[top[k]].st.ns > 0; k++) {
        const sp_stats_node *sn = &s->nodes[top[k]];
        fprintf(out, "%s n%d %s %s %.1f ms (%.0f%%)", k ? ";" : "", sn->node->id, kind_name(sn->node->kind),
                sn->name ? sn->name : "", (double)sn->st.ns / 1e6, 100.0 * (double)sn->st.ns / (double)all_ns);
    }
    fputc('\n', out);
}

static void json_str(const char *s, FILE *out)
{
    sp_value_print_json(sp_str(s ? s : "", s ? strlen(s) : 0), out);
}

static void json_lag(int64_t lag, FILE *out)
{
    if (lag >= 0)
        fprintf(out, "%" PRId64, lag);
    else
        fputs("null", out);
}

/* A double in JSON (no inf or nan). */
static void json_num(double v, FILE *out)
{
    if (!isfinite(v))
        v = 0;
    fprintf(out, "%.3f", v);
}

static void write_batch_fields(const sp_stats_batch *b, FILE *out)
{
    fprintf(out,
            "\"batch\":%" PRIu64 ",\"time_ms\":%" PRId64 ",\"due_ms\":%" PRId64 ",\"start_ms\":%" PRId64
            ",\"end_ms\":%" PRId64 ",\"records\":%" PRIu64 ",\"input_rate\":",
            b->batch, b->time_ms, b->due_ms, b->start_ms, b->end_ms, b->records);
    json_num(b->input_rate, out);
    fprintf(out,
            ",\"scheduling_delay_ms\":%" PRId64 ",\"processing_ms\":%" PRId64 ",\"total_delay_ms\":%" PRId64
            ",\"malformed\":%" PRIu64 ",\"late\":%" PRIu64 ",\"state_entries\":%" PRIu64 ",\"state_bytes\":%" PRIu64
            ",\"kafka_lag\":",
            b->scheduling_delay_ms, b->processing_ms, b->total_delay_ms, b->malformed, b->late, b->state_entries,
            b->state_bytes);
    json_lag(b->lag, out);
    fprintf(out, ",\"final\":%s", b->final ? "true" : "false");
}

/* The operators as a JSON array: the last batch's figures (last = 1) or the
 * run's totals. */
static void write_nodes(const sp_stats *s, int last, FILE *out)
{
    fputc('[', out);
    for (int i = 0; i < s->n; i++) {
        const sp_stats_node *sn = &s->nodes[i];
        fprintf(out, "%s{\"node\":\"n%d\",\"kind\":\"%s\",\"name\":", i ? "," : "", sn->node->id,
                kind_name(sn->node->kind));
        json_str(sn->name, out);
        fputs(",\"inputs\":[", out);
        for (int k = 0; k < sn->node->ninputs; k++)
            fprintf(out, "%s\"n%d\"", k ? "," : "", sn->node->inputs[k]);
        fprintf(out, "],\"records_in\":%" PRIu64 ",\"records_out\":%" PRIu64 ",\"ms\":",
                last ? sn->st.last_in : sn->st.records_in, last ? sn->st.last_out : sn->st.records_out);
        json_num((double)(last ? sn->st.last_ns : sn->st.ns) / 1e6, out);
        if (!last) {
            fprintf(out, ",\"last_records_in\":%" PRIu64 ",\"last_records_out\":%" PRIu64 ",\"last_ms\":",
                    sn->st.last_in, sn->st.last_out);
            json_num((double)sn->st.last_ns / 1e6, out);
        }
        fprintf(out, ",\"state_entries\":%" PRIu64 ",\"state_bytes\":%" PRIu64, sn->state_entries, sn->state_bytes);
        if (sn->node->kind == SP_NODE_SOURCE) {
            fputs(",\"kafka_lag\":", out);
            json_lag(sn->lag, out);
        }
        fputc('}', out);
    }
    fputc(']', out);
}

void sp_stats_write_batch_json(const sp_stats *s, const sp_stats_batch *b, FILE *out)
{
    fputs("{\"type\":\"batch\",\"pipeline\":", out);
    json_str(s->pipeline, out);
    fputc(',', out);
    write_batch_fields(b, out);
    fputs(",\"operators\":", out);
    write_nodes(s, 1, out);
    fputs("}\n", out);
}

/* "name":{"avg":..,"p50":..,"p90":..,"p99":..,"max":..} */
static void write_dist(const sp_stats *s, const char *name, size_t offset, int64_t sum, int64_t max, FILE *out)
{
    fprintf(out, "\"%s\":{\"avg\":", name);
    json_num(s->batches ? (double)sum / (double)s->batches : 0, out);
    fprintf(out, ",\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,\"max\":%" PRId64 "}", quantile(s, offset, 0.5),
            quantile(s, offset, 0.9), quantile(s, offset, 0.99), max);
}

/* The totals of the run as JSON fields. */
static void write_totals(const sp_stats *s, FILE *out)
{
    fputs("\"pipeline\":", out);
    json_str(s->pipeline, out);
    fprintf(out,
            ",\"batch_interval_ms\":%" PRId64 ",\"batches\":%" PRIu64 ",\"records_in\":%" PRIu64
            ",\"malformed\":%" PRIu64 ",\"late\":%" PRIu64 ",\"eval_errors\":%" PRIu64 ",",
            s->batch_ms, s->batches, s->records, s->malformed, s->late, s->eval_errors);
    write_dist(s, "processing_ms", offsetof(sp_stats_batch, processing_ms), s->processing_sum, s->processing_max,
               out);
    fputc(',', out);
    write_dist(s, "scheduling_delay_ms", offsetof(sp_stats_batch, scheduling_delay_ms), s->scheduling_sum,
               s->scheduling_max, out);
    fputc(',', out);
    write_dist(s, "total_delay_ms", offsetof(sp_stats_batch, total_delay_ms), s->total_sum, s->total_max, out);
}

void sp_stats_write_summary_json(const sp_stats *s, FILE *out)
{
    fputs("{\"type\":\"summary\",", out);
    write_totals(s, out);
    fputs(",\"operators\":", out);
    write_nodes(s, 0, out);
    fputs("}\n", out);
}

/* ----- Prometheus ----- */

/* Writes s as a label value: backslash, quote and newline escaped. */
static void prom_label(const char *s, FILE *out)
{
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            fputc('\\', out), fputc(*p, out);
        else if (*p == '\n')
            fputs("\\n", out);
        else
            fputc(*p, out);
    }
}

/* A sample's value and the end of its line: integers exactly, the rest
 * with 9 significant digits. */
static void prom_value(double v, FILE *out)
{
    if (v == floor(v) && fabs(v) < 1e15)
        fprintf(out, "%.0f\n", v);
    else
        fprintf(out, "%.9g\n", v);
}

static void prom_head(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{pipeline="P"} value */
static void prom_pipeline(const sp_stats *s, FILE *out, const char *name, const char *suffix, double v)
{
    fprintf(out, "%s%s{pipeline=\"", name, suffix);
    prom_label(s->pipeline, out);
    fputs("\"} ", out);
    prom_value(v, out);
}

static void prom_scalar(const sp_stats *s, FILE *out, const char *name, const char *type, const char *help, double v)
{
    prom_head(out, name, type, help);
    prom_pipeline(s, out, name, "", v);
}

/* A summary of one field of the batches: quantiles over the recent ones,
 * sum and count over the run, in seconds. */
static void prom_summary(const sp_stats *s, FILE *out, const char *name, const char *help, size_t offset,
                         int64_t sum_ms)
{
    static const double qs[] = {0.5, 0.9, 0.99};
    prom_head(out, name, "summary", help);
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        fprintf(out, "%s{pipeline=\"", name);
        prom_label(s->pipeline, out);
        fprintf(out, "\",quantile=\"%g\"} ", qs[k]);
        prom_value(quantile(s, offset, qs[k]) / 1000.0, out);
    }
    prom_pipeline(s, out, name, "_sum", (double)sum_ms / 1000.0);
    prom_pipeline(s, out, name, "_count", (double)s->batches);
}

/* One sample per node of the kinds in `kinds` (a bit set of 1 << kind). */
static void prom_nodes(const sp_stats *s, FILE *out, const char *name, const char *type, const char *help,
                       unsigned kinds, const char *label, double (*value)(const sp_stats_node *))
{
    prom_head(out, name, type, help);
    for (int i = 0; i < s->n; i++) {
        const sp_stats_node *sn = &s->nodes[i];
        if (!(kinds & (1u << sn->node->kind)))
            continue;
        double v = value(sn);
        if (v < 0)
            continue; /* unknown */
        fprintf(out, "%s{pipeline=\"", name);
        prom_label(s->pipeline, out);
        fprintf(out, "\",node=\"n%d\",%s=\"", sn->node->id, label);
        prom_label(sn->name, out);
        if (strcmp(label, "operator") == 0)
            fprintf(out, "\",kind=\"%s", kind_name(sn->node->kind));
        fputs("\"} ", out);
        prom_value(v, out);
    }
}

static double node_in(const sp_stats_node *sn) { return (double)sn->st.records_in; }
static double node_out(const sp_stats_node *sn) { return (double)sn->st.records_out; }
static double node_seconds(const sp_stats_node *sn) { return (double)sn->st.ns / 1e9; }
static double node_entries(const sp_stats_node *sn) { return (double)sn->state_entries; }
static double node_bytes(const sp_stats_node *sn) { return (double)sn->state_bytes; }
static double node_lag(const sp_stats_node *sn) { return (double)sn->lag; }

void sp_stats_write_prometheus(const sp_stats *s, FILE *out)
{
    const sp_stats_batch *last = s->count ? sp_stats_at(s, s->count - 1) : NULL;
    prom_scalar(s, out, "streampipe_batch_interval_seconds", "gauge", "The batch interval of the pipeline.",
                (double)s->batch_ms / 1000.0);
    prom_scalar(s, out, "streampipe_batches_total", "counter", "Batches processed.", (double)s->batches);
    prom_scalar(s, out, "streampipe_records_in_total", "counter", "Records read by the sources.", (double)s->records);
    prom_scalar(s, out, "streampipe_malformed_records_total", "counter",
                "Records the sources rejected (too long, ...).", (double)s->malformed);
    prom_scalar(s, out, "streampipe_late_records_total", "counter",
                "Elements that came too late for their event-time window.", (double)s->late);
    prom_scalar(s, out, "streampipe_eval_errors_total", "counter", "Run-time errors in expressions.",
                (double)s->eval_errors);
    prom_scalar(s, out, "streampipe_last_batch_records", "gauge", "Records read for the latest batch.",
                last ? (double)last->records : 0);
    prom_scalar(s, out, "streampipe_input_rate_records_per_second", "gauge",
                "Records of the latest batch per second of batch interval.", last ? last->input_rate : 0);
    prom_scalar(s, out, "streampipe_last_batch_processing_seconds", "gauge",
                "Processing time of the latest batch.", last ? (double)last->processing_ms / 1000.0 : 0);
    prom_scalar(s, out, "streampipe_last_batch_scheduling_delay_seconds", "gauge",
                "Scheduling delay of the latest batch.", last ? (double)last->scheduling_delay_ms / 1000.0 : 0);
    prom_scalar(s, out, "streampipe_last_batch_total_delay_seconds", "gauge",
                "Total delay (scheduling delay plus processing time) of the latest batch.",
                last ? (double)last->total_delay_ms / 1000.0 : 0);
    prom_summary(s, out, "streampipe_batch_processing_seconds",
                 "Processing time of the batches (quantiles over the recent ones).",
                 offsetof(sp_stats_batch, processing_ms), s->processing_sum);
    prom_summary(s, out, "streampipe_scheduling_delay_seconds",
                 "How late the batches started (quantiles over the recent ones).",
                 offsetof(sp_stats_batch, scheduling_delay_ms), s->scheduling_sum);
    prom_summary(s, out, "streampipe_total_delay_seconds",
                 "Scheduling delay plus processing time of the batches (quantiles over the recent ones).",
                 offsetof(sp_stats_batch, total_delay_ms), s->total_sum);
    unsigned all = 1u << SP_NODE_SOURCE | 1u << SP_NODE_OP | 1u << SP_NODE_SINK | 1u << SP_NODE_LATE;
    prom_nodes(s, out, "streampipe_operator_records_in_total", "counter",
               "Elements given to each node of the DAG (for a source: records read).", all, "operator", node_in);
    prom_nodes(s, out, "streampipe_operator_records_out_total", "counter",
               "Elements each node of the DAG produced (for a sink: written).", all, "operator", node_out);
    prom_nodes(s, out, "streampipe_operator_seconds_total", "counter", "Time spent in each node of the DAG.", all,
               "operator", node_seconds);
    unsigned ops = 1u << SP_NODE_OP;
    prom_nodes(s, out, "streampipe_state_entries", "gauge",
               "Entries (elements, keys, partial results) of the state an operator keeps.", ops, "operator",
               node_entries);
    prom_nodes(s, out, "streampipe_state_bytes", "gauge", "Memory of the state an operator keeps.", ops,
               "operator", node_bytes);
    prom_nodes(s, out, "streampipe_sink_records_total", "counter", "Elements written by each sink.",
               1u << SP_NODE_SINK, "sink", node_out);
    prom_nodes(s, out, "streampipe_kafka_consumer_lag", "gauge",
               "Messages waiting in the assigned partitions (high watermark minus position).",
               1u << SP_NODE_SOURCE, "source", node_lag);
    prom_scalar(s, out, "streampipe_start_time_seconds", "gauge", "When the run started (Unix time).",
                (double)s->created_ms / 1000.0);
    prom_scalar(s, out, "streampipe_finished", "gauge", "1 once the input has ended and the run is over.",
                s->finished);
}

/* ----- the web console's API ----- */

int sp_stats_write_api(const sp_stats *s, const char *what, size_t max, FILE *out)
{
    if (strcmp(what, "status") == 0) {
        fputc('{', out);
        write_totals(s, out);
        fprintf(out, ",\"started_ms\":%" PRId64 ",\"now_ms\":%" PRId64 ",\"finished\":%s,\"latest\":",
                s->created_ms, wall_ms(), s->finished ? "true" : "false");
        if (s->count) {
            fputc('{', out);
            write_batch_fields(sp_stats_at(s, s->count - 1), out);
            fputc('}', out);
        } else
            fputs("null", out);
        fputs("}", out);
    } else if (strcmp(what, "batches") == 0) {
        size_t from = max && s->count > max ? s->count - max : 0;
        fprintf(out, "{\"batch_interval_ms\":%" PRId64 ",\"batches\":[", s->batch_ms);
        for (size_t k = from; k < s->count; k++) {
            fputs(k > from ? ",{" : "{", out);
            write_batch_fields(sp_stats_at(s, k), out);
            fputc('}', out);
        }
        fputs("]}", out);
    } else if (strcmp(what, "operators") == 0) {
        fputs("{\"operators\":", out);
        write_nodes(s, 0, out);
        fputc('}', out);
    } else if (strcmp(what, "sinks") == 0) {
        fputs("{\"sinks\":[", out);
        int first = 1;
        for (int i = 0; i < s->n; i++) {
            const sp_stats_node *sn = &s->nodes[i];
            if (sn->node->kind != SP_NODE_SINK)
                continue;
            fprintf(out, "%s{\"node\":\"n%d\",\"name\":", first ? "" : ",", sn->node->id);
            json_str(sn->name, out);
            fputs(",\"label\":", out);
            json_str(sn->node->label, out);
            if (sn->has_sink) {
                fprintf(out, ",\"batch\":%" PRIu64 ",\"time_ms\":%" PRId64 ",\"value\":", sn->sink_batch,
                        sn->sink_time_ms);
                write_sink_value(sn, out);
            } else
                fputs(",\"batch\":null,\"time_ms\":null,\"value\":null", out);
            fputc('}', out);
            first = 0;
        }
        fputs("]}", out);
    } else
        return -1;
    return 0;
}
