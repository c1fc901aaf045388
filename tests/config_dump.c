/* config_dump.c - prints what sp_config_load() makes of a configuration, for
 * tests/run_config.sh: the values that only the Kafka client and the runtime
 * read (brokers, kafka properties, threads, checkpoint_dir) and the params.
 *
 *   config_dump [-c FILE] [-e NAME]
 *
 * Output, one item per line (unset items are left out):
 *   path FILE / brokers B / checkpoint_dir D / threads N /
 *   kafka KEY=VALUE (file order) / param NAME=VALUE (file order)
 * Exit status 0, or 2 when the configuration is refused (errors on stderr). */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "diag.h"

static void print_property(const char *key, const char *value, void *ud)
{
    (void)ud;
    printf("kafka %s=%s\n", key, value);
}

int main(int argc, char **argv)
{
    const char *path = NULL, *env = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc)
            env = argv[++i];
        else {
            fprintf(stderr, "usage: config_dump [-c FILE] [-e NAME]\n");
            return 2;
        }
    }
    sp_diag *d = sp_diag_new(stderr);
    sp_config *c = sp_config_load(path, env, d);
    int rc = 2;
    if (c) {
        if (sp_config_path(c))
            printf("path %s\n", sp_config_path(c));
        if (sp_config_brokers(c))
            printf("brokers %s\n", sp_config_brokers(c));
        if (sp_config_checkpoint_dir(c))
            printf("checkpoint_dir %s\n", sp_config_checkpoint_dir(c));
        if (sp_config_threads(c))
            printf("threads %d\n", sp_config_threads(c));
        sp_config_kafka_properties(c, print_property, NULL);
        for (int i = 0; i < sp_config_param_count(c); i++) {
            const char *name = sp_config_param_name(c, i);
            printf("param %s=%s\n", name, sp_config_param(c, name));
        }
        rc = 0;
    }
    sp_config_free(c);
    sp_diag_free(d);
    return rc;
}
