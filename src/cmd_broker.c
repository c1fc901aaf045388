/* cmd_broker.c - `streampipe broker`: the embedded Kafka-protocol broker
 * (librdkafka's mock cluster) alone, so that kcat and several streampipe
 * runs can share one for a while.  It keeps everything in memory.
 *
 * Signals are taken with sigwait() in the main thread (they are blocked
 * before librdkafka starts its threads, which inherit the mask): SIGINT and
 * SIGTERM stop it, SIGUSR1 takes the broker down for a while (--down-ms) to
 * test what clients do during an outage. */
#include "commands.h"
#include "kafka.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_broker[] =
    "usage: streampipe broker [--partitions N] [--topic NAME[:PARTITIONS]]... [--port N]\n"
    "\n"
    "Runs the embedded Kafka broker alone (librdkafka's mock cluster on 127.0.0.1,\n"
    "one broker), until SIGINT or SIGTERM, and prints its bootstrap address\n"
    "(HOST:PORT) on standard output, one line.  It keeps every message in memory\n"
    "only and loses them when it stops: it is for trying things out and tests.\n"
    "\n"
    "options:\n"
    "  -P, --partitions N      partitions of the topics given as --topic NAME (3);\n"
    "                          topics that clients make it create get 4\n"
    "  -t, --topic NAME[:N]    create topic NAME (with N partitions) at the start\n"
    "  -p, --port N            the port to listen on; librdkafka's mock cluster picks\n"
    "                          its own, so this is only checked: a warning says the\n"
    "                          port it got when it differs\n"
    "      --down-ms N         SIGUSR1 takes the broker down for N ms (2000)\n"
    "  -h, --help              show this help\n"
    "\n"
    "SIGUSR1 takes the broker down for --down-ms ms, to see what clients do.\n"
    "Documentation: docs/broker.md.\n";

static int broker_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "streampipe broker: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'streampipe broker --help' for more information.\n");
    return 2;
}

static int parse_count(const char *s, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

int sp_cmd_broker(int argc, char **argv)
{
    static const struct option longopts[] = {{"partitions", required_argument, NULL, 'P'},
                                             {"topic", required_argument, NULL, 't'},
                                             {"port", required_argument, NULL, 'p'},
                                             {"down-ms", required_argument, NULL, 'D'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    long partitions = 3, port = 0, down_ms = 2000;
    char **topics = sp_xmalloc(sizeof *topics * (size_t)(argc + 1));
    int ntopics = 0, ch, rc = 0;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":P:t:p:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'P':
            if (parse_count(optarg, 100000, &partitions) != 0)
                rc = broker_usage("--partitions needs a number from 1 to 100000, not '%s'", optarg);
            break;
        case 't':
            topics[ntopics++] = optarg;
            break;
        case 'p':
            if (parse_count(optarg, 65535, &port) != 0)
                rc = broker_usage("--port needs a port from 1 to 65535, not '%s'", optarg);
            break;
        case 'D':
            if (parse_count(optarg, 3600 * 1000, &down_ms) != 0)
                rc = broker_usage("--down-ms needs a positive number of milliseconds, not '%s'", optarg);
            break;
        case 'h':
            fputs(usage_broker, stdout);
            free(topics);
            return 0;
        case ':':
            rc = broker_usage("option '%s' needs a value", argv[optind - 1]);
            break;
        default:
            rc = broker_usage("unknown option '%s'", argv[optind - 1]);
            break;
        }
        if (rc) {
            free(topics);
            return rc;
        }
    }
    if (optind < argc) {
        rc = broker_usage("unexpected argument '%s' (topics are given with --topic NAME)", argv[optind]);
        free(topics);
        return rc;
    }
    /* check the topics before starting anything */
    for (int i = 0; i < ntopics; i++) {
        const char *colon = strrchr(topics[i], ':');
        long n;
        if (topics[i][0] == '\0' || topics[i][0] == ':' || (colon && parse_count(colon + 1, 100000, &n) != 0)) {
            rc = broker_usage("--topic needs NAME or NAME:PARTITIONS (weblogs:3), not '%s'", topics[i]);
            free(topics);
            return rc;
        }
    }

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before librdkafka's threads exist */
    signal(SIGPIPE, SIG_IGN);

    sp_kafka_embedded_set_partitions((int)partitions);
    char *err = NULL;
    const char *addr = sp_kafka_embedded_acquire(&err);
    if (!addr) {
        fprintf(stderr, "streampipe broker: %s\n", err);
        free(err);
        free(topics);
        return 1;
    }
    for (int i = 0; i < ntopics && rc == 0; i++) {
        char *name = sp_xstrdup(topics[i]);
        char *colon = strrchr(name, ':');
        long n = 0;
        if (colon) {
            *colon = '\0';
            parse_count(colon + 1, 100000, &n);
        }
        if (sp_kafka_embedded_create_topic(name, (int)n, &err) != 0) {
            fprintf(stderr, "streampipe broker: %s\n", err);
            free(err);
            rc = 1;
        }
        free(name);
    }
    free(topics);
    if (rc == 0) {
        const char *colon = strrchr(addr, ':');
        if (port && colon && strtol(colon + 1, NULL, 10) != port)
            fprintf(stderr,
                    "streampipe broker: --port %ld: librdkafka's mock cluster picks its own port; it got %s "
                    "(use the address printed)\n",
                    port, colon + 1);
        printf("%s\n", addr);
        if (fflush(stdout) != 0)
            rc = 1;
    }
    while (rc == 0) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig != SIGUSR1)
            break;
        fprintf(stderr, "streampipe broker: down for %ld ms (SIGUSR1)\n", down_ms);
        sp_kafka_embedded_set_down(1);
        struct timespec ts = {down_ms / 1000, (down_ms % 1000) * 1000000L};
        siginfo_t info;
        int got = sigtimedwait(&set, &info, &ts); /* a stop request while down is still obeyed */
        sp_kafka_embedded_set_down(0);
        fprintf(stderr, "streampipe broker: up again\n");
        if (got == SIGINT || got == SIGTERM || got == SIGHUP)
            break;
    }
    sp_kafka_embedded_release();
    return rc;
}
