/* main.c - the streampipe command line: check, dag, run, help, version.
 *
 * Exit status: 0 success, 1 an invalid pipeline (or a failed run),
 * 2 bad usage (unknown command or option, a -p for no parameter). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "check.h"
#include "commands.h"
#include "config.h"
#include "diag.h"
#include "dot.h"
#include "graphviz.h"
#include "ops.h"
#include "parse.h"
#include "plan.h"
#include "project.h"
#include "pool.h"
#include "runtime.h"
#include "stats.h"
#include "ui.h"
#include "weblog.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0.0"
#endif

#define EXIT_INVALID 1
#define EXIT_USAGE 2

static const char usage_main[] =
    "usage: streampipe COMMAND [OPTIONS] FILE\n"
    "\n"
    "Compiles a pipeline file (.sp) and runs it as a stream-processing job.\n"
    "\n"
    "commands:\n"
    "  run FILE      run the pipeline\n"
    "  check FILE    check the pipeline; silent and exit 0 when it is valid\n"
    "  dag FILE      print the operator DAG as Graphviz DOT\n"
    "  gen ...       generate web-server log lines (to stdout or Kafka)\n"
    "  broker        run the embedded Kafka-protocol broker alone\n"
    "  help [CMD]    show this help, or a command's\n"
    "\n"
    "options:\n"
    "  -h, --help     show help\n"
    "  -V, --version  show the version\n"
    "\n"
    "Exit status: 0 success, 1 invalid pipeline, 2 bad usage.\n"
    "Documentation: docs/language.md (the language), docs/operators.md.\n";

static const char usage_common[] =
    "  -p, --param NAME=VALUE  set a parameter declared with 'param NAME = default'\n"
    "                          (also STREAMPIPE_PARAM_NAME=VALUE in the environment, and\n"
    "                          params: in the configuration; -p wins, then the environment)\n"
    "  -c, --config FILE       the YAML configuration (default: $STREAMPIPE_CONFIG,\n"
    "                          ./streampipe.yaml, ~/.config/streampipe/config.yaml)\n"
    "  -e, --env NAME          use the configuration's environment NAME\n"
    "  -I, --lib-dir DIR       look for 'use'd libraries in DIR first\n"
    "  -W, --no-warnings       do not print warnings\n"
    "  -h, --help              show this help\n";

static const char usage_check[] =
    "usage: streampipe check [OPTIONS] FILE\n"
    "\n"
    "Parses and checks FILE (names, types, operator arguments, windows against\n"
    "the batch interval, the shape of the DAG).  Prints nothing and exits 0 when\n"
    "it is valid; otherwise prints every problem as FILE:LINE:COL and exits 1.\n"
    "\n"
    "options:\n";

static const char usage_dag[] =
    "usage: streampipe dag [OPTIONS] FILE\n"
    "\n"
    "Prints the operator DAG of FILE as Graphviz DOT, for example:\n"
    "  streampipe dag pipelines/logs.sp | dot -Tsvg > logs.svg\n"
    "\n"
    "options:\n"
    "  -o, --output OUT        write to OUT instead of standard output\n"
    "  -f, --format FORMAT     dot (the default), or svg or png rendered by Graphviz's\n"
    "                          dot (when it is installed)\n";

static const char usage_run[] =
    "usage: streampipe run [OPTIONS] FILE\n"
    "\n"
    "Runs FILE as a micro-batch stream-processing job.  A bounded input (a file,\n"
    "stdin) is read in batches of at most --batch-records records, each standing\n"
    "for one batch interval, so results are the same on every run; the run ends\n"
    "when the input does.  An unbounded one (the generator, a followed file, tcp)\n"
    "follows the clock.\n"
    "Ctrl-C (SIGINT) or SIGTERM finishes the current batch, writes the checkpoint\n"
    "and exits 0; a second one exits at once.  --stats, --stats-file and --ui watch\n"
    "the run: the statistics, the metrics and the web console are in docs/ui.md.\n"
    "\n"
    "options:\n"
    "  -B, --batch-records N   records a source hands over per batch at most (100000)\n"
    "      --batch-bytes SIZE  bytes a source hands over per batch at most (64M); what a\n"
    "                          source does not take waits in the file, the socket or\n"
    "                          the broker: memory stays bounded when input outpaces\n"
    "                          processing\n"
    "  -t, --threads N         threads for the stateless steps (map, filter, flatMap\n"
    "                          fed by a source); default: the configuration's\n"
    "                          threads:, else the number of cores.  The output is\n"
    "                          the same for any N\n"
    "  -q, --quiet             no summary on standard error at the end\n"
    "      --checkpoint DIR    keep the state and the input positions in DIR/checkpoint,\n"
    "                          written after the sinks of every batch; a run started\n"
    "                          with the same DIR resumes from it (also checkpoint_dir:\n"
    "                          in the configuration); see docs/checkpoints.md\n"
    "      --checkpoint-every N  write the checkpoint every N batches (1)\n"
    "      --stats[=N]         print a line of statistics every N batches (1) on\n"
    "                          standard error, and a summary at the end\n"
    "      --stats-file FILE   write the statistics of every batch to FILE as JSON lines,\n"
    "                          and a summary line at the end\n"
    "      --ui[=[ADDR:]PORT]  serve the web console, /metrics (Prometheus) and /api/ on\n"
    "                          PORT (4040), on 127.0.0.1 unless ADDR is given (* for all);\n"
    "                          port 0: any free port; the address is said on standard error.\n"
    "                          '--ui PORT' works too when PORT is a number or ADDR:PORT\n"
    "      --ui-linger SECONDS with --ui: once the input has ended, keep serving for\n"
    "                          SECONDS (default: until Ctrl-C; 0: exit at once)\n";

typedef struct cli {
    const char *command;          /* check, dag, run */
    const char *file;             /* the pipeline */
    const char *output;           /* dag -o */
    const char *format;           /* dag -f */
    sp_param_override *params;    /* -p, heap array */
    int nparams;
    const char **lib_dirs;        /* -I, heap array */
    int nlib_dirs;
    int no_warnings;              /* -W */
    int quiet;                    /* run -q: no summary on stderr */
    int64_t batch_records;        /* run --batch-records */
    const char *checkpoint_dir;   /* run --checkpoint */
    int64_t checkpoint_every;     /* run --checkpoint-every */
    int64_t batch_bytes;          /* run --batch-bytes */
    int64_t stats_every;          /* run --stats: a line every N batches (0: none) */
    const char *stats_file;       /* run --stats-file */
    const char *ui_listen;        /* run --ui: [ADDR:]PORT, or NULL */
    int64_t ui_linger;            /* run --ui-linger: seconds, -1 until Ctrl-C */
    int threads;                  /* run --threads (0: not given) */
    const char *config_path;      /* --config */
    const char *env_name;         /* --env */
    sp_config *config;            /* the loaded configuration; owned */
    sp_program *program;          /* set by compile() */
} cli;

static void print_command_help(const char *command, FILE *out)
{
    if (strcmp(command, "check") == 0)
        fputs(usage_check, out);
    else if (strcmp(command, "dag") == 0)
        fputs(usage_dag, out);
    else if (strcmp(command, "run") == 0)
        fputs(usage_run, out);
    else {
        fputs(usage_main, out);
        return;
    }
    fputs(usage_common, out);
}

static int usage_error(const char *command, const char *fmt, const char *arg)
{
    fprintf(stderr, "streampipe%s%s: ", command ? " " : "", command ? command : "");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'streampipe %s%s--help' for more information.\n", command ? command : "",
            command ? " " : "");
    return EXIT_USAGE;
}

enum { OPT_STATS = 256, OPT_STATS_FILE, OPT_UI, OPT_UI_LINGER };

/* Does `s` look like the value of --ui ("8080", "0.0.0.0:8080", "[::1]:80")
 * rather than a pipeline file?  Only digits after the last ':'. */
static int looks_like_listen(const char *s)
{
    const char *colon = strrchr(s, ':');
    const char *port = colon ? colon + 1 : s;
    return *port && strspn(port, "0123456789") == strlen(port) && strlen(port) <= 5 &&
           (!colon || colon == s || strchr(s, '/') == NULL);
}

static int all_digits(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

/* Parses the options of a command; returns -1 to go on, else an exit code. */
static int parse_options(cli *c, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"param", required_argument, NULL, 'p'},
        {"lib-dir", required_argument, NULL, 'I'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'},
        {"no-warnings", no_argument, NULL, 'W'},
        {"quiet", no_argument, NULL, 'q'},
        {"batch-records", required_argument, NULL, 'B'},
        {"threads", required_argument, NULL, 't'},
        {"config", required_argument, NULL, 'c'},
        {"env", required_argument, NULL, 'e'},
        {"checkpoint", required_argument, NULL, 1001},
        {"checkpoint-every", required_argument, NULL, 1002},
        {"batch-bytes", required_argument, NULL, 1003},
        {"stats", optional_argument, NULL, OPT_STATS},
        {"stats-file", required_argument, NULL, OPT_STATS_FILE},
        {"ui", optional_argument, NULL, OPT_UI},
        {"ui-linger", required_argument, NULL, OPT_UI_LINGER},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int is_dag = strcmp(c->command, "dag") == 0, is_run = strcmp(c->command, "run") == 0;
    c->ui_linger = -1;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":p:I:o:f:WqB:t:c:e:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg)
                return usage_error(c->command, "-p needs NAME=VALUE, not '%s'", optarg);
            c->params = sp_xrealloc(c->params, sizeof *c->params * (size_t)(c->nparams + 1));
            c->params[c->nparams].name = strndup(optarg, (size_t)(eq - optarg));
            c->params[c->nparams].value = eq + 1;
            c->params[c->nparams].origin = NULL;
            c->params[c->nparams].optional = 0;
            c->nparams++;
            break;
        }
        case 'c':
            c->config_path = optarg;
            break;
        case 'e':
            c->env_name = optarg;
            break;
        case 'I':
            c->lib_dirs = sp_xrealloc(c->lib_dirs, sizeof *c->lib_dirs * (size_t)(c->nlib_dirs + 1));
            c->lib_dirs[c->nlib_dirs++] = optarg;
            break;
        case 'o':
        case 'f':
            if (!is_dag) {
                char opt[3] = {'-', (char)ch, '\0'};
                return usage_error(c->command, "option '%s' is only for 'dag'", opt);
            }
            if (ch == 'o')
                c->output = optarg;
            else
                c->format = optarg;
            break;
        case 'W':
            c->no_warnings = 1;
            break;
        case 1003: {
            if (strcmp(c->command, "run") != 0)
                return usage_error(c->command, "option '%s' is only for 'run'", "--batch-bytes");
            char *end;
            errno = 0;
            long long n = strtoll(optarg, &end, 10);
            long long unit = *end == 'k' || *end == 'K' ? 1LL << 10 : *end == 'M' ? 1LL << 20 : *end == 'G' ? 1LL << 30 : 1;
            if (unit > 1)
                end++;
            if (end == optarg || *end || errno || n < 1 || n > (1LL << 40) / unit)
                return usage_error(c->command, "--batch-bytes needs a size such as 64M, 512k or 1048576, not '%s'",
                                   optarg);
            c->batch_bytes = n * unit;
            break;
        }
        case 1001:
        case 1002: {
            const char *name = ch == 1001 ? "--checkpoint" : "--checkpoint-every";
            if (strcmp(c->command, "run") != 0)
                return usage_error(c->command, "option '%s' is only for 'run'", name);
            if (ch == 1001) {
                if (!*optarg)
                    return usage_error(c->command, "%s needs a directory", name);
                c->checkpoint_dir = optarg;
                break;
            }
            char *end;
            errno = 0;
            long long n = strtoll(optarg, &end, 10);
            if (*end || errno || n < 1 || n > 1000000)
                return usage_error(c->command, "--checkpoint-every needs a whole number of batches from 1 to "
                                               "1000000, not '%s'", optarg);
            c->checkpoint_every = n;
            break;
        }
        case 'q':
        case 'B':
        case 't':
            if (strcmp(c->command, "run") != 0) {
                char opt[3] = {'-', (char)ch, '\0'};
                return usage_error(c->command, "option '%s' is only for 'run'", opt);
            }
            if (ch == 'q')
                c->quiet = 1;
            else if (ch == 't') {
                char *end;
                long n = strtol(optarg, &end, 10);
                if (*end || n <= 0 || n > 1024)
                    return usage_error(c->command, "--threads needs a number from 1 to 1024, not '%s'", optarg);
                c->threads = (int)n;
            } else {
                char *end;
                long long n = strtoll(optarg, &end, 10);
                if (*end || n <= 0)
                    return usage_error(c->command, "--batch-records needs a positive number, not '%s'", optarg);
                c->batch_records = n;
            }
            break;
        case OPT_STATS:
        case OPT_STATS_FILE:
        case OPT_UI:
        case OPT_UI_LINGER: {
            const char *name = ch == OPT_STATS ? "--stats" : ch == OPT_STATS_FILE ? "--stats-file"
                             : ch == OPT_UI ? "--ui" : "--ui-linger";
            if (!is_run)
                return usage_error(c->command, "option '%s' is only for 'run'", name);
            /* `--ui 8080` and `--stats 5`: an optional value in the next word */
            const char *value = optarg;
            if (!value && optind < argc && argv[optind][0] != '-' &&
                (ch == OPT_UI ? looks_like_listen(argv[optind]) : ch == OPT_STATS && all_digits(argv[optind])))
                value = argv[optind++];
            if (ch == OPT_STATS) {
                c->stats_every = 1;
                if (value) {
                    char *end;
                    long long n = strtoll(value, &end, 10);
                    if (*end || n <= 0)
                        return usage_error(c->command, "--stats needs a positive number of batches, not '%s'", value);
                    c->stats_every = n;
                }
            } else if (ch == OPT_STATS_FILE)
                c->stats_file = value;
            else if (ch == OPT_UI)
                c->ui_listen = value ? value : "4040";
            else {
                char *end;
                long long n = strtoll(value, &end, 10);
                if (*end || n < 0)
                    return usage_error(c->command, "--ui-linger needs a number of seconds (0 or more), not '%s'",
                                       value);
                c->ui_linger = n;
            }
            break;
        }
        case 'h':
            print_command_help(c->command, stdout);
            return 0;
        case ':':
            return usage_error(c->command, "option '%s' needs a value", argv[optind - 1]);
        default:
            return usage_error(c->command, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error(c->command, "%s", "which pipeline file? give FILE");
    if (optind + 1 < argc)
        return usage_error(c->command, "one pipeline file at a time, but '%s' follows it", argv[optind + 1]);
    c->file = argv[optind];
    if (c->format && strcmp(c->format, "dot") != 0 && strcmp(c->format, "svg") != 0 &&
        strcmp(c->format, "png") != 0)
        return usage_error(c->command, "unknown format '%s' (dot, svg or png)", c->format);
    return -1;
}

/* Loads, checks and plans the pipeline.  Returns an exit status; on success
 * *plan is set.  Everything lives in `a` and `d`. */
extern char **environ;

/* The parameter values from outside the pipeline, lowest precedence first:
 * the configuration, the environment (STREAMPIPE_PARAM_NAME), then -p. */
static sp_param_override *collect_overrides(cli *c, sp_arena *a, int *n)
{
    int cap = c->nparams + 8, k = 0;
    sp_param_override *all = sp_arena_alloc(a, sizeof *all * (size_t)cap);
#define PUSH_OVERRIDE(...)                                                         \
    do {                                                                           \
        if (k == cap) {                                                            \
            sp_param_override *more = sp_arena_alloc(a, sizeof *all * (size_t)cap * 2); \
            memcpy(more, all, sizeof *all * (size_t)k);                            \
            all = more;                                                            \
            cap *= 2;                                                              \
        }                                                                          \
        all[k++] = (sp_param_override){__VA_ARGS__};                               \
    } while (0)
    for (int i = 0; c->config && i < sp_config_param_count(c->config); i++) {
        const char *name = sp_config_param_name(c->config, i);
        const char *value = sp_config_param(c->config, name);
        PUSH_OVERRIDE(name, value,
                      sp_arena_printf(a, "%s: params: %s: %s", sp_config_path(c->config), name, value), 1);
    }
    static const char prefix[] = "STREAMPIPE_PARAM_";
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, prefix, sizeof prefix - 1) != 0)
            continue;
        const char *name = *e + sizeof prefix - 1;
        const char *eq = strchr(name, '=');
        if (!eq || eq == name)
            continue;
        PUSH_OVERRIDE(sp_arena_strndup(a, name, (size_t)(eq - name)), eq + 1,
                      sp_arena_printf(a, "environment %s", *e), 1);
    }
    for (int i = 0; i < c->nparams; i++)
        PUSH_OVERRIDE(c->params[i].name, c->params[i].value, NULL, 0);
#undef PUSH_OVERRIDE
    *n = k;
    return all;
}

static int compile(cli *c, sp_diag *d, sp_arena *a, sp_plan **plan)
{
    c->config = sp_config_load(c->config_path, c->env_name, d);
    if (!c->config)
        return EXIT_USAGE;
    sp_load_options opt = {c->lib_dirs, c->nlib_dirs, 0};
    sp_program *p = sp_load(d, a, c->file, &opt);
    if (!p)
        return EXIT_INVALID;
    int64_t batch_ms = 0;
    int noverrides = 0;
    sp_param_override *overrides = collect_overrides(c, a, &noverrides);
    sp_check_status st = sp_check(p, d, a, overrides, noverrides, &batch_ms);
    if (st == SP_CHECK_BAD_USAGE)
        return EXIT_USAGE;
    if (sp_diag_errors(d) > 0) {
        int n = sp_diag_errors(d);
        fprintf(stderr, "%s: %d error%s\n", strcmp(c->file, "-") == 0 ? "<stdin>" : c->file, n,
                n == 1 ? "" : "s");
        return EXIT_INVALID;
    }
    *plan = sp_plan_build(p, batch_ms, a);
    c->program = p;
    return 0;
}

static int command_check(cli *c, sp_diag *d, sp_arena *a)
{
    sp_plan *plan = NULL;
    return compile(c, d, a, &plan);
}

static int command_dag(cli *c, sp_diag *d, sp_arena *a)
{
    sp_plan *plan = NULL;
    int rc = compile(c, d, a, &plan);
    if (rc != 0)
        return rc;
    /* svg, png: the DOT text through Graphviz, before the output is opened */
    char *picture = NULL;
    size_t picture_len = 0;
    if (c->format && strcmp(c->format, "dot") != 0) {
        char *dot = NULL, *err = NULL;
        size_t dot_len = 0;
        FILE *mem = open_memstream(&dot, &dot_len);
        if (!mem) {
            fprintf(stderr, "streampipe dag: out of memory\n");
            return EXIT_INVALID;
        }
        sp_dot_write(plan, mem);
        fclose(mem);
        signal(SIGPIPE, SIG_IGN);
        rc = sp_graphviz_render(dot, dot_len, c->format, &picture, &picture_len, &err);
        free(dot);
        if (rc != 0) {
            fprintf(stderr, "streampipe dag: --format %s: %s\n", c->format, err);
            free(err);
            return EXIT_INVALID;
        }
    }
    FILE *out = stdout;
    if (c->output && strcmp(c->output, "-") != 0) {
        out = fopen(c->output, "w");
        if (!out) {
            fprintf(stderr, "streampipe dag: cannot write '%s': %s\n", c->output, strerror(errno));
            free(picture);
            return EXIT_INVALID;
        }
    }
    if (picture)
        fwrite(picture, 1, picture_len, out);
    else
        sp_dot_write(plan, out);
    free(picture);
    int failed = ferror(out);
    if (out != stdout)
        failed |= fclose(out) != 0;
    else
        failed |= fflush(out) != 0;
    if (failed) {
        fprintf(stderr, "streampipe dag: writing '%s' failed: %s\n", c->output ? c->output : "standard output",
                strerror(errno));
        return EXIT_INVALID;
    }
    return 0;
}

static volatile sig_atomic_t stop_requested;

/* The first SIGINT / SIGTERM asks the run to stop after the current batch;
 * a second one exits at once. */
static void on_signal(int sig)
{
    if (stop_requested)
        _exit(128 + sig);
    stop_requested = 1;
}

/* What watches a run: the statistics, their outputs, the web console. */
typedef struct run_watch {
    sp_stats *stats;     /* owned */
    int64_t every;       /* --stats: a line every N batches (0: none) */
    FILE *file;          /* --stats-file, or NULL; owned */
    const char *path;    /* its name */
    int file_failed;     /* a write to it failed (said once) */
    sp_ui *ui;           /* --ui, or NULL; owned */
} run_watch;

/* The batch observer: on the pipeline thread, right after each batch. */
static void on_batch(void *ctx, const sp_runtime *rt, const sp_batch_info *b)
{
    run_watch *w = ctx;
    const sp_stats_batch *sb = sp_stats_record(w->stats, rt, b);
    if (w->every && ((b->batch + 1) % (uint64_t)w->every == 0 || b->final)) {
        char line[512];
        fprintf(stderr, "streampipe stats: %s\n", sp_stats_format_line(sb, line, sizeof line));
    }
    if (w->file && !w->file_failed) {
        sp_stats_write_batch_json(w->stats, sb, w->file);
        if (fflush(w->file) != 0) {
            fprintf(stderr, "streampipe: writing the statistics to '%s' failed: %s\n", w->path, strerror(errno));
            w->file_failed = 1;
        }
    }
    if (w->ui && sp_ui_due(w->ui, b))
        sp_ui_publish(w->ui, w->stats);
}

/* Closes what watched the run; with a web console and a run that ended
 * well (not by Ctrl-C), first serves it for --ui-linger seconds or until
 * Ctrl-C. */
static int watch_end(cli *c, run_watch *w, int ok)
{
    int rc = 0;
    if (!w->stats)
        return 0;
    if (w->every)
        sp_stats_write_summary(w->stats, stderr);
    if (w->file) {
        if (!w->file_failed)
            sp_stats_write_summary_json(w->stats, w->file);
        if (fclose(w->file) != 0 || w->file_failed) {
            if (!w->file_failed)
                fprintf(stderr, "streampipe: writing the statistics to '%s' failed: %s\n", w->path, strerror(errno));
            rc = EXIT_INVALID;
        }
    }
    if (w->ui) {
        sp_ui_publish(w->ui, w->stats);
        if (ok && !stop_requested && c->ui_linger != 0) {
            if (c->ui_linger < 0)
                fprintf(stderr, "streampipe: the run is over; the web console stays at %s until Ctrl-C\n",
                        sp_ui_url(w->ui));
            else
                fprintf(stderr, "streampipe: the run is over; the web console stays at %s for %" PRId64 " s\n",
                        sp_ui_url(w->ui), c->ui_linger);
            for (int64_t waited = 0; !stop_requested && (c->ui_linger < 0 || waited < c->ui_linger * 10); waited++) {
                struct timespec ts = {0, 100000000};
                nanosleep(&ts, NULL);
            }
        }
        sp_ui_stop(w->ui);
    }
    sp_stats_free(w->stats);
    return rc;
}

/* STREAMPIPE_PROFILE=1: time and records per plan node on standard error,
 * for profiling (the statistics UI shows the same counters). */
static void print_profile(const sp_runtime *rt, const sp_plan *plan, const sp_program *program)
{
    uint64_t total = 0;
    for (int i = 0; i < sp_runtime_node_count(rt); i++) {
        sp_node_stats st;
        sp_runtime_node_stats(rt, i, &st);
        total += st.ns;
    }
    fprintf(stderr, "%4s %10s %10s %9s %6s %10s  %s\n", "node", "in", "out", "ms", "%", "state KiB", "what");
    for (int i = 0; i < sp_runtime_node_count(rt); i++) {
        sp_node_stats st;
        sp_runtime_node_stats(rt, i, &st);
        const sp_node *node = sp_plan_node(plan, i);
        uint64_t entries, bytes;
        sp_runtime_node_state(rt, i, &entries, &bytes);
        fprintf(stderr, "%4d %10" PRIu64 " %10" PRIu64 " %9.1f %5.1f%% %10" PRIu64 "  %s\n", i, st.records_in,
                st.records_out, (double)st.ns / 1e6, total ? 100.0 * (double)st.ns / (double)total : 0.0,
                bytes / 1024, node->label ? node->label : node->name ? node->name : "");
    }
    /* CPU time of this thread (the scheduler, the sequential operators and
     * its share of the chunks) and of the pool's threads: on an idle machine
     * the run takes about the larger of the two */
    struct timespec self, all;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &self);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &all);
    double main_s = (double)self.tv_sec + (double)self.tv_nsec / 1e9;
    double all_s = (double)all.tv_sec + (double)all.tv_nsec / 1e9;
    fprintf(stderr, "cpu: main thread %.3f s, other threads %.3f s\n", main_s, all_s - main_s);
    sp_run_stats rs;
    sp_runtime_stats(rt, &rs);
    fprintf(stderr, "wall: parallel stage %.3f s, the operators after it (one thread) %.3f s\n",
            (double)rs.stage_ns / 1e9, (double)rs.serial_ns / 1e9);
    if (rs.ahead_ns) /* the next batch read on a thread of its own during the operators after the stage */
        fprintf(stderr, "read ahead: %.3f s on its thread, of which the batches waited %.3f s\n",
                (double)rs.ahead_ns / 1e9, (double)rs.ahead_wait_ns / 1e9);
    /* the projection of the access-log records (project.h) */
    uint32_t fields = sp_project_weblog(program);
    const sp_shape *sh = sp_weblog_shape();
    if (fields == SP_PROJECT_ALL) {
        fputs("access-log records: every field (a record may be read whole)\n", stderr);
        return;
    }
    fprintf(stderr, "access-log records: %d of %d fields read:", __builtin_popcount(fields), sh->n);
    for (int i = 0; i < sh->n; i++)
        if (fields >> i & 1)
            fprintf(stderr, " %s", sh->names[i]);
    fputc('\n', stderr);
}

static int command_run(cli *c, sp_diag *d, sp_arena *a)
{
    sp_plan *plan = NULL;
    int rc = compile(c, d, a, &plan);
    if (rc != 0)
        return rc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed pipe is a write error, reported */

    sp_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.batch_records = c->batch_records;
    opt.batch_bytes = c->batch_bytes;
    opt.stop = &stop_requested;
    opt.config = c->config;
    opt.checkpoint_dir = c->checkpoint_dir ? c->checkpoint_dir : sp_config_checkpoint_dir(c->config);
    opt.checkpoint_every = c->checkpoint_every ? c->checkpoint_every : sp_config_checkpoint_every(c->config);
    opt.quiet = c->quiet;
    opt.threads = c->threads ? c->threads : sp_config_threads(c->config);
    if (opt.threads <= 0)
        opt.threads = sp_pool_cores();
    char *err = NULL;
    run_watch w;
    memset(&w, 0, sizeof w);
    if (c->stats_every || c->stats_file || c->ui_listen) {
        if (c->stats_file) {
            w.file = fopen(c->stats_file, "w");
            if (!w.file) {
                fprintf(stderr, "streampipe run: cannot write '%s': %s\n", c->stats_file, strerror(errno));
                return EXIT_INVALID;
            }
            w.path = c->stats_file;
        }
        w.stats = sp_stats_new(plan, NULL, 0);
        w.every = c->stats_every;
        /* before the sources start: a port in use is said at once */
        if (c->ui_listen && !(w.ui = sp_ui_start(c->ui_listen, plan, &err))) {
            fprintf(stderr, "streampipe run: %s\n", err);
            free(err);
            if (w.file)
                fclose(w.file);
            sp_stats_free(w.stats);
            return EXIT_INVALID;
        }
        if (w.ui) {
            sp_stats_keep_sinks(w.stats, 1);
            sp_ui_publish(w.ui, w.stats); /* "waiting for the first batch" while the sources start */
            fprintf(stderr, "streampipe: web console at %s\n", sp_ui_url(w.ui));
        }
    }
    sp_runtime *rt = sp_runtime_new(c->program, plan, d, &opt, &err);
    if (!rt) {
        fprintf(stderr, "streampipe run: %s\n", err ? err : "cannot start");
        free(err);
        sp_ui_stop(w.ui);
        if (w.file)
            fclose(w.file);
        sp_stats_free(w.stats);
        return EXIT_INVALID;
    }
    if (w.stats) {
        sp_stats_name_sinks(w.stats, rt);
        if (w.ui)
            sp_ui_publish(w.ui, w.stats);
        sp_runtime_observe(rt, on_batch, &w);
    }
    rc = sp_runtime_run(rt) ? EXIT_INVALID : 0;
    sp_run_stats st;
    sp_runtime_stats(rt, &st);
    if (!c->quiet)
        fprintf(stderr,
                "streampipe: %" PRIu64 " batch%s, %" PRIu64 " records read, %" PRIu64
                " rejected by the source (too long), %" PRIu64 " run-time errors, %" PRIu64
                " late for their window\n",
                st.batches, st.batches == 1 ? "" : "es", st.records_in, st.malformed, st.eval_errors,
                st.late);
    if (getenv("STREAMPIPE_PROFILE") && *getenv("STREAMPIPE_PROFILE"))
        print_profile(rt, plan, c->program);
    int wrc = watch_end(c, &w, rc == 0);
    sp_runtime_free(rt);
    return rc ? rc : wrc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
#ifdef SP_PGO_BUILD
        printf("streampipe %s (profile-guided build)\n", PACKAGE_VERSION);
#else
        printf("streampipe %s\n", PACKAGE_VERSION);
#endif
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc > 2 && (strcmp(argv[2], "gen") == 0 || strcmp(argv[2], "broker") == 0)) {
            char *help_argv[] = {argv[2], "--help", NULL};
            return strcmp(argv[2], "gen") == 0 ? sp_cmd_gen(2, help_argv) : sp_cmd_broker(2, help_argv);
        }
        print_command_help(argc > 2 ? argv[2] : "", stdout);
        return 0;
    }
    if (strcmp(cmd, "gen") == 0)
        return sp_cmd_gen(argc - 1, argv + 1);
    if (strcmp(cmd, "broker") == 0)
        return sp_cmd_broker(argc - 1, argv + 1);
    int (*run)(cli *, sp_diag *, sp_arena *) = NULL;
    if (strcmp(cmd, "check") == 0)
        run = command_check;
    else if (strcmp(cmd, "dag") == 0)
        run = command_dag;
    else if (strcmp(cmd, "run") == 0)
        run = command_run;
    else {
        fprintf(stderr, "streampipe: unknown command '%s'\n", cmd);
        fputs("commands: run, check, dag, gen, broker, help; try 'streampipe --help'\n", stderr);
        return EXIT_USAGE;
    }
    cli c;
    memset(&c, 0, sizeof c);
    c.command = cmd;
    int rc = parse_options(&c, argc - 1, argv + 1);
    if (rc < 0) {
        sp_diag *d = sp_diag_new(stderr);
        sp_diag_set_quiet_warnings(d, c.no_warnings);
        sp_arena *a = sp_arena_new();
        rc = run(&c, d, a);
        sp_arena_free(a);
        sp_diag_free(d);
    }
    sp_config_free(c.config);
    for (int i = 0; i < c.nparams; i++)
        free((char *)c.params[i].name);
    free(c.params);
    free(c.lib_dirs);
    return rc;
}
