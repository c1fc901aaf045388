/* cmd_gen.c - `streampipe gen`: the sample's log generator as a command.
 *
 * The Spark sample ran its generator as
 *     spark-streaming-sample-groupid spark-streaming-sample-topic 50 1000
 * (group, topic, iterations, interval): 50 bursts of lines, one every
 * second.  `streampipe gen` takes the same arguments: each iteration writes
 * --rate lines (100), then waits INTERVAL_MS.  --count N writes N lines
 * instead (at once, unless ITERATIONS or INTERVAL_MS are given).  The lines
 * come from sp_loggen, so a seed always gives the same lines.  They go to a
 * Kafka topic, or to standard output. */
#include "commands.h"
#include "config.h"
#include "diag.h"
#include "kafka.h"
#include "loggen.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GEN_FLUSH_MS 10000 /* a burst's lines must be delivered within this */
#define GEN_FINAL_FLUSH_MS 30000

static const char usage_gen[] =
    "usage: streampipe gen [GROUP TOPIC ITERATIONS INTERVAL_MS] [OPTIONS]\n"
    "\n"
    "Generates web-server access-log lines, like the Spark sample's generator\n"
    "(spark-streaming-sample-groupid spark-streaming-sample-topic 50 1000):\n"
    "ITERATIONS bursts of --rate lines, one burst every INTERVAL_MS ms, written\n"
    "to the Kafka topic TOPIC, one message per line.  The same seed gives the same\n"
    "lines every time.\n"
    "\n"
    "arguments (each optional, in this order):\n"
    "  GROUP          the sample's consumer group: accepted, not used (producers have none)\n"
    "  TOPIC          the topic (spark-streaming-sample-topic)\n"
    "  ITERATIONS     how many bursts (50)\n"
    "  INTERVAL_MS    the pause after each burst (1000)\n"
    "\n"
    "options:\n"
    "  -r, --rate N           lines per burst, and per second of log time (100)\n"
    "  -n, --count N          write N lines, then stop; at once unless ITERATIONS\n"
    "                         or INTERVAL_MS are given\n"
    "  -s, --seed N           which lines (1)\n"
    "  -f, --format FORMAT    combined (the default) or common\n"
    "      --clients N        distinct client addresses (2000), up to 16777216\n"
    "  -b, --brokers HOSTS    Kafka bootstrap servers (host:port,...); default: the\n"
    "                         configuration's; with neither, standard output\n"
    "  -t, --topic TOPIC      the topic, as TOPIC above\n"
    "      --stdout           write the lines to standard output, not to Kafka\n"
    "  -c, --config FILE      the YAML configuration (brokers, Kafka properties)\n"
    "  -e, --env NAME         use the configuration's environment NAME\n"
    "  -q, --quiet            no summary on standard error\n"
    "  -h, --help             show this help\n"
    "\n"
    "Ctrl-C stops after the current line, once what was written is delivered.\n"
    "Exit status: 0 success, 1 lines could not be written, 2 bad usage.\n";

static volatile sig_atomic_t gen_stop;

static void gen_on_signal(int sig)
{
    if (gen_stop)
        _exit(128 + sig);
    gen_stop = 1;
}

static int gen_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "streampipe gen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'streampipe gen --help' for more information.\n");
    return 2;
}

/* A number >= min. */
static int parse_num(const char *s, int64_t min, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno || v < min)
        return -1;
    *out = v;
    return 0;
}

/* Sleeps ms, waking up early for a stop request. */
static void gen_sleep(int64_t ms)
{
    while (ms > 0 && !gen_stop) {
        int64_t step = ms > 100 ? 100 : ms;
        struct timespec ts = {step / 1000, (step % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

int sp_cmd_gen(int argc, char **argv)
{
    static const struct option longopts[] = {{"rate", required_argument, NULL, 'r'},
                                             {"count", required_argument, NULL, 'n'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"brokers", required_argument, NULL, 'b'},
                                             {"topic", required_argument, NULL, 't'},
                                             {"stdout", no_argument, NULL, 'O'},
                                             {"clients", required_argument, NULL, 'C'},
                                             {"config", required_argument, NULL, 'c'},
                                             {"env", required_argument, NULL, 'e'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int64_t rate = 100, count = -1, seed = 1, iterations = 50, interval = 1000, clients = 2000;
    const char *format = "combined", *brokers = NULL, *topic = "spark-streaming-sample-topic";
    const char *config_path = NULL, *env = NULL;
    int to_stdout = 0, quiet = 0, paced = 0, ch;
    optind = 1;
    opterr = 0;
    /* "+": options may not be mixed into the positional arguments' order,
     * but may come before or after them (handled below) */
    int npos = 0;
    const char *pos[4];
    while (optind < argc) {
        ch = getopt_long(argc, argv, "+:r:n:s:f:b:t:c:e:qh", longopts, NULL);
        if (ch == -1) {
            if (npos == 4)
                return gen_usage("too many arguments: '%s' (GROUP TOPIC ITERATIONS INTERVAL_MS at most)",
                                 argv[optind]);
            pos[npos++] = argv[optind++];
            continue;
        }
        switch (ch) {
        case 'r':
            if (parse_num(optarg, 1, &rate) != 0)
                return gen_usage("--rate needs a positive number, not '%s'", optarg);
            break;
        case 'n':
            if (parse_num(optarg, 0, &count) != 0)
                return gen_usage("--count needs a number (0 or more), not '%s'", optarg);
            break;
        case 's':
            if (parse_num(optarg, INT64_MIN, &seed) != 0)
                return gen_usage("--seed needs a number, not '%s'", optarg);
            break;
        case 'f':
            if (strcmp(optarg, "combined") != 0 && strcmp(optarg, "common") != 0)
                return gen_usage("unknown --format '%s' (combined or common)", optarg);
            format = optarg;
            break;
        case 'C':
            if (parse_num(optarg, 1, &clients) != 0 || clients > (1 << 24))
                return gen_usage("--clients needs a number from 1 to 16777216, not '%s'", optarg);
            break;
        case 'b':
            brokers = optarg;
            break;
        case 't':
            topic = optarg;
            break;
        case 'O':
            to_stdout = 1;
            break;
        case 'c':
            config_path = optarg;
            break;
        case 'e':
            env = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(usage_gen, stdout);
            return 0;
        case ':':
            return gen_usage("option '%s' needs a value", argv[optind - 1]);
        default:
            return gen_usage("unknown option '%s'", argv[optind - 1]);
        }
    }
    /* pos[0] is the group: the sample's consumer group, unused */
    if (npos > 1)
        topic = pos[1];
    if (npos > 2) {
        if (parse_num(pos[2], 0, &iterations) != 0)
            return gen_usage("ITERATIONS needs a number (0 or more), not '%s'", pos[2]);
        paced = 1;
    }
    if (npos > 3) {
        if (parse_num(pos[3], 0, &interval) != 0)
            return gen_usage("INTERVAL_MS needs a number of milliseconds (0 or more), not '%s'", pos[3]);
        paced = 1;
    }
    if (!*topic)
        return gen_usage("%s", "the topic is empty");
    if (count < 0) {
        count = iterations * rate;
        paced = 1;
    } else if (paced && iterations * rate < count)
        count = iterations * rate;

    sp_loggen lines;
    sp_loggen_init(&lines, (uint64_t)seed, rate, format);
    lines.clients = (uint64_t)clients;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = gen_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    sp_config *config = NULL;
    sp_kafka_producer *producer = NULL;
    char *err = NULL;
    if (!to_stdout) {
        sp_diag *d = sp_diag_new(stderr);
        config = sp_config_load(config_path, env, d);
        sp_diag_free(d);
        if (!config)
            return 2;
        if (!brokers || !*brokers)
            brokers = sp_config_brokers(config);
        if (!brokers || !*brokers) {
            fprintf(stderr, "streampipe gen: no Kafka brokers given (--brokers) or configured: writing to standard "
                            "output\n");
            to_stdout = 1;
        } else {
            char *what = sp_xmalloc(strlen(topic) + 32);
            sprintf(what, "gen: topic '%s'", topic);
            producer = sp_kafka_producer_new(brokers, config, what, &err);
            free(what);
            if (!producer) {
                fprintf(stderr, "streampipe %s\n", err);
                free(err);
                sp_config_free(config);
                return 1;
            }
        }
    }

    char line[512];
    int rc = 0;
    int64_t made = 0;
    while (made < count && !gen_stop && rc == 0) {
        int64_t burst = paced ? rate : count;
        for (int64_t i = 0; i < burst && made < count && !gen_stop; i++, made++) {
            size_t n = sp_loggen_next(&lines, line, sizeof line);
            if (producer) {
                if (sp_kafka_produce(producer, topic, NULL, 0, line, n, &err) != 0) {
                    rc = 1;
                    break;
                }
            } else {
                line[n] = '\n';
                if (fwrite(line, 1, n + 1, stdout) != n + 1) {
                    rc = 1;
                    break;
                }
            }
        }
        if (rc != 0 || made >= count)
            break;
        if (producer && sp_kafka_producer_flush(producer, GEN_FLUSH_MS, &err) != 0) {
            rc = 1;
            break;
        }
        if (!producer && fflush(stdout) != 0) {
            rc = 1;
            break;
        }
        gen_sleep(interval);
    }
    if (producer) {
        if (rc == 0 && sp_kafka_producer_flush(producer, GEN_FINAL_FLUSH_MS, &err) != 0)
            rc = 1;
        if (rc != 0) {
            fprintf(stderr, "streampipe %s\n", err);
            free(err);
        }
        uint64_t delivered, failed;
        sp_kafka_producer_counts(producer, &delivered, &failed);
        if (!quiet)
            fprintf(stderr, "streampipe gen: %" PRIu64 " line%s written to topic '%s' at %s%s\n", delivered,
                    delivered == 1 ? "" : "s", topic, sp_kafka_producer_brokers(producer),
                    gen_stop ? " (stopped)" : "");
        sp_kafka_producer_free(producer);
    } else if (rc != 0 || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "streampipe gen: writing to standard output failed: %s\n", strerror(errno));
        rc = 1;
    }
    sp_config_free(config);
    return rc;
}
