/* config.c - the YAML configuration: see config.h.
 * (Placeholder: no file is read yet; the configuration is empty.) */
#include "config.h"
#include "arena.h"

#include <stdlib.h>

struct sp_config {
    int unused; /* nothing configured yet */
};

sp_config *sp_config_empty(void)
{
    sp_config *c = sp_xmalloc(sizeof *c);
    c->unused = 0;
    return c;
}

sp_config *sp_config_load(const char *path, const char *env, sp_diag *d)
{
    (void)path, (void)env, (void)d;
    return sp_config_empty();
}

void sp_config_free(sp_config *c)
{
    free(c);
}

const char *sp_config_path(const sp_config *c) { (void)c; return NULL; }
const char *sp_config_brokers(const sp_config *c) { (void)c; return NULL; }
void sp_config_kafka_properties(const sp_config *c,
                                void (*set)(const char *key, const char *value, void *ud), void *ud)
{
    (void)c, (void)set, (void)ud;
}
const char *sp_config_checkpoint_dir(const sp_config *c) { (void)c; return NULL; }
int sp_config_threads(const sp_config *c) { (void)c; return 0; }
const char *sp_config_param(const sp_config *c, const char *name) { (void)c, (void)name; return NULL; }
int sp_config_param_count(const sp_config *c) { (void)c; return 0; }
const char *sp_config_param_name(const sp_config *c, int i) { (void)c, (void)i; return NULL; }
