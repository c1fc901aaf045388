/* config.c - the YAML configuration: see config.h and docs/config.md.
 *
 * The file is read with libyaml's event parser into a small tree (maps,
 * lists and scalars, each with its position), which is then checked against
 * the known keys and merged: the selected environment's section over the top
 * level.  Every problem is reported to the caller's sp_diag at FILE:LINE:COL;
 * the file is added to the diag so the message shows the line and a caret.
 *
 * libyaml's marks count characters (its `index` too, which also skips a
 * byte order mark), so positions are turned into byte offsets here from the
 * 0-based line and column, over the same line breaks libyaml recognises.
 *
 * Anchors and aliases are refused: a configuration is small enough to be
 * written out, and libyaml does not implement merge keys (<<) anyway. */
#include "config.h"
#include "arena.h"
#include "suggest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#define CONFIG_MAX_DEPTH 64     /* deeper nesting is refused (no key needs more than 4) */
#define CONFIG_MAX_THREADS 1024 /* threads: 1..CONFIG_MAX_THREADS */
#define CONFIG_MAX_EVERY 1000000 /* checkpoint_every: 1..CONFIG_MAX_EVERY */

/* ----- the configuration ----- */

typedef struct kv {
    const char *key;
    const char *value;
} kv;

struct sp_config {
    sp_arena *a;                /* owns everything below */
    const char *path;           /* the file read, or NULL */
    const char *brokers;        /* or NULL */
    const char *checkpoint_dir; /* or NULL */
    int threads;                /* 0: not set */
    long checkpoint_every;      /* 0: not set */
    kv *kafka;                  /* librdkafka properties, in file order */
    int nkafka;
    kv *params;                 /* parameter defaults, in file order */
    int nparams;
};

sp_config *sp_config_empty(void)
{
    sp_arena *a = sp_arena_new();
    sp_config *c = sp_arena_alloc(a, sizeof *c);
    c->a = a;
    return c;
}

void sp_config_free(sp_config *c)
{
    if (c)
        sp_arena_free(c->a);
}

const char *sp_config_path(const sp_config *c) { return c ? c->path : NULL; }
const char *sp_config_brokers(const sp_config *c) { return c ? c->brokers : NULL; }
const char *sp_config_checkpoint_dir(const sp_config *c) { return c ? c->checkpoint_dir : NULL; }
int sp_config_threads(const sp_config *c) { return c ? c->threads : 0; }
long sp_config_checkpoint_every(const sp_config *c) { return c ? c->checkpoint_every : 0; }

void sp_config_kafka_properties(const sp_config *c,
                                void (*set)(const char *key, const char *value, void *ud), void *ud)
{
    for (int i = 0; c && i < c->nkafka; i++)
        set(c->kafka[i].key, c->kafka[i].value, ud);
}

const char *sp_config_param(const sp_config *c, const char *name)
{
    for (int i = 0; c && name && i < c->nparams; i++)
        if (strcmp(c->params[i].key, name) == 0)
            return c->params[i].value;
    return NULL;
}

int sp_config_param_count(const sp_config *c) { return c ? c->nparams : 0; }

const char *sp_config_param_name(const sp_config *c, int i)
{
    return c && i >= 0 && i < c->nparams ? c->params[i].key : NULL;
}

/* ----- the YAML tree ----- */

typedef enum ykind { Y_SCALAR, Y_MAP, Y_LIST } ykind;

typedef struct ynode ynode;
typedef struct yentry {
    ynode *key;   /* map: the key; list: NULL */
    ynode *value; /* the value or item */
    struct yentry *next;
} yentry;

struct ynode {
    ykind kind;
    yaml_mark_t start, end;
    const char *text; /* scalar: its value (NUL-terminated; may hold NULs) */
    size_t len;
    int is_null;      /* a plain scalar "", "~" or "null" */
    yentry *items;    /* map entries or list items, in order */
};

/* ----- loading ----- */

typedef struct loader {
    sp_diag *d;
    sp_arena *a;     /* temporary: the tree, messages */
    int file;        /* index of the file in d */
    const char *name;
    const char *text;
    size_t len;
    int *line_start; /* byte offset of each line as libyaml counts them; heap */
    int nlines;
    yaml_parser_t parser;
    int errors;
} loader;

/* Splits the text into lines at the breaks libyaml knows: LF, CR LF, CR,
 * NEL (U+0085), LS (U+2028) and PS (U+2029). */
static void build_lines(loader *L)
{
    int cap = 64;
    L->line_start = sp_xmalloc(sizeof(int) * (size_t)cap);
    L->nlines = 0;
    L->line_start[L->nlines++] = 0;
    const unsigned char *t = (const unsigned char *)L->text;
    for (size_t i = 0; i < L->len;) {
        size_t brk = 0;
        if (t[i] == '\r')
            brk = i + 1 < L->len && t[i + 1] == '\n' ? 2 : 1;
        else if (t[i] == '\n')
            brk = 1;
        else if (t[i] == 0xC2 && i + 1 < L->len && t[i + 1] == 0x85)
            brk = 2;
        else if (t[i] == 0xE2 && i + 2 < L->len && t[i + 1] == 0x80 && (t[i + 2] == 0xA8 || t[i + 2] == 0xA9))
            brk = 3;
        if (!brk) {
            i++;
            continue;
        }
        i += brk;
        if (L->nlines == cap) {
            cap *= 2;
            L->line_start = sp_xrealloc(L->line_start, sizeof(int) * (size_t)cap);
        }
        L->line_start[L->nlines++] = (int)i;
    }
}

/* The byte offset of a libyaml mark (0-based line, column in characters). */
static int mark_offset(const loader *L, yaml_mark_t m)
{
    if (m.line >= (size_t)L->nlines)
        return (int)L->len;
    size_t i = (size_t)L->line_start[m.line];
    if (i == 0 && L->len >= 3 && memcmp(L->text, "\xEF\xBB\xBF", 3) == 0)
        i = 3; /* libyaml skips the byte order mark */
    const unsigned char *t = (const unsigned char *)L->text;
    for (size_t col = 0; col < m.column && i < L->len; col++) {
        i++;
        while (i < L->len && (t[i] & 0xC0) == 0x80)
            i++;
    }
    return (int)i;
}

static sp_loc span(const loader *L, yaml_mark_t start, yaml_mark_t end)
{
    sp_loc loc = {L->file, mark_offset(L, start), mark_offset(L, end)};
    if (loc.end < loc.start)
        loc.end = loc.start;
    return loc;
}

static sp_loc node_loc(const loader *L, const ynode *n)
{
    return span(L, n->start, n->end);
}

static const sp_loc no_loc = {-1, 0, 0};

/* Reports an error at `loc` and counts it. */
static void report_error(loader *L, sp_loc loc, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report_error(loader *L, sp_loc loc, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = sp_arena_alloc(L->a, n > 0 ? (size_t)n + 1 : 1);
    va_start(ap, fmt);
    vsnprintf(buf, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    va_end(ap);
    sp_diag_error(L->d, loc, hint, "%s", buf);
    L->errors++;
}

/* Reports libyaml's error (the parser has failed). */
static void report_yaml_error(loader *L)
{
    yaml_parser_t *p = &L->parser;
    const char *problem = p->problem ? p->problem : "cannot parse the file";
    sp_loc loc;
    if (p->error == YAML_READER_ERROR) {
        int off = p->problem_offset < L->len ? (int)p->problem_offset : (int)L->len;
        loc = (sp_loc){L->file, off, off < (int)L->len ? off + 1 : off};
    } else if (p->error == YAML_SCANNER_ERROR || p->error == YAML_PARSER_ERROR) {
        loc = span(L, p->problem_mark, p->problem_mark);
        if (loc.start < (int)L->len && L->text[loc.start] != '\n' && L->text[loc.start] != '\r')
            loc.end = loc.start + 1;
    } else
        loc = no_loc;
    const char *hint = NULL;
    if (strstr(problem, "tab"))
        hint = "indent with spaces: YAML does not allow tabs there";
    else if (strstr(problem, "end of stream"))
        hint = "is a quote or a bracket left open?";
    else if (p->error == YAML_READER_ERROR)
        hint = "the configuration must be UTF-8 text";
    report_error(L, loc, hint, "invalid YAML: %s", problem);
    /* Where the construct that failed began: an unclosed quote or bracket.
     * (libyaml's "while scanning a plain scalar" only says that the line
     * before could have continued: noise.) */
    if (p->context && (p->error == YAML_SCANNER_ERROR || p->error == YAML_PARSER_ERROR) &&
        !strstr(p->context, "plain scalar")) {
        sp_loc ctx = span(L, p->context_mark, p->context_mark);
        if (ctx.start != loc.start)
            sp_diag_note(L->d, ctx, "%s that starts here", p->context);
    }
}

/* The next event; 0 after reporting a syntax error. */
static int next_event(loader *L, yaml_event_t *ev)
{
    if (yaml_parser_parse(&L->parser, ev))
        return 1;
    report_yaml_error(L);
    return 0;
}

/* Refuses anchors and tags other than YAML's own (!!str, !!int, ...). */
static void check_decorations(loader *L, const yaml_event_t *ev, const yaml_char_t *anchor,
                              const yaml_char_t *tag)
{
    sp_loc loc = span(L, ev->start_mark, ev->start_mark);
    if (anchor) {
        loc.end = loc.start + 1 + (int)strlen((const char *)anchor);
        report_error(L, loc, "write the values out in full where they are needed",
                     "anchors (&%s) are not supported in the configuration", (const char *)anchor);
    } else if (tag && strncmp((const char *)tag, "tag:yaml.org,2002:", 18) != 0) {
        loc.end = loc.start + 1;
        report_error(L, loc, "values are plain text; leave the tag out",
                     "tag '%s' is not supported in the configuration", (const char *)tag);
    }
}

static int is_null_scalar(const yaml_event_t *ev)
{
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = (const char *)ev->data.scalar.value;
    return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
           strcmp(v, "NULL") == 0;
}

/* Builds the node that starts with event `ev` (consumed).  Returns NULL after
 * a syntax error (reported); the tree is then abandoned. */
static ynode *parse_node(loader *L, yaml_event_t *ev, int depth)
{
    ynode *n = sp_arena_alloc(L->a, sizeof *n);
    n->start = ev->start_mark;
    n->end = ev->end_mark;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        check_decorations(L, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
        n->kind = Y_SCALAR;
        n->len = ev->data.scalar.length;
        n->text = sp_arena_strndup(L->a, (const char *)ev->data.scalar.value, n->len);
        n->is_null = is_null_scalar(ev);
        yaml_event_delete(ev);
        return n;
    case YAML_ALIAS_EVENT: {
        sp_loc loc = span(L, ev->start_mark, ev->end_mark);
        report_error(L, loc, "write the values out in full where they are needed",
                     "aliases (*%s) are not supported in the configuration", (const char *)ev->data.alias.anchor);
        n->kind = Y_SCALAR;
        n->text = "";
        n->is_null = 1;
        yaml_event_delete(ev);
        return n;
    }
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if (is_map)
            check_decorations(L, ev, ev->data.mapping_start.anchor, ev->data.mapping_start.tag);
        else
            check_decorations(L, ev, ev->data.sequence_start.anchor, ev->data.sequence_start.tag);
        n->kind = is_map ? Y_MAP : Y_LIST;
        yaml_event_delete(ev);
        if (depth >= CONFIG_MAX_DEPTH) {
            report_error(L, node_loc(L, n), NULL, "the configuration is nested too deeply (more than %d levels)",
                         CONFIG_MAX_DEPTH);
            return NULL;
        }
        yentry **tail = &n->items;
        for (;;) {
            yaml_event_t e;
            if (!next_event(L, &e))
                return NULL;
            if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
                n->end = e.end_mark;
                yaml_event_delete(&e);
                return n;
            }
            yentry *item = sp_arena_alloc(L->a, sizeof *item);
            ynode *first = parse_node(L, &e, depth + 1);
            if (!first)
                return NULL;
            if (is_map) {
                item->key = first;
                if (!next_event(L, &e))
                    return NULL;
                item->value = parse_node(L, &e, depth + 1);
                if (!item->value)
                    return NULL;
            } else
                item->value = first;
            *tail = item;
            tail = &item->next;
        }
    }
    default: /* cannot happen inside a document */
        report_error(L, span(L, ev->start_mark, ev->end_mark), NULL, "invalid YAML: unexpected event");
        yaml_event_delete(ev);
        return NULL;
    }
}

/* Parses the whole stream: at most one document.  Sets *root (NULL: no
 * document); returns 0 after a syntax error. */
static int parse_stream(loader *L, ynode **root)
{
    *root = NULL;
    yaml_event_t ev;
    if (!next_event(L, &ev))
        return 0;
    if (ev.type == YAML_STREAM_START_EVENT && ev.data.stream_start.encoding != YAML_UTF8_ENCODING &&
        ev.data.stream_start.encoding != YAML_ANY_ENCODING) {
        yaml_event_delete(&ev);
        report_error(L, no_loc, "convert it, as with  iconv -f UTF-16 -t UTF-8",
                     "%s: the configuration must be UTF-8 text, not UTF-16", L->name);
        return 0;
    }
    yaml_event_delete(&ev);
    int documents = 0;
    for (;;) {
        if (!next_event(L, &ev))
            return 0;
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            return 1;
        }
        if (ev.type != YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            report_error(L, no_loc, NULL, "invalid YAML: a document was expected");
            return 0;
        }
        if (documents++) {
            report_error(L, span(L, ev.start_mark, ev.end_mark), "remove the '---' line and what follows, or merge them",
                         "the configuration is one YAML document, but a second one starts here");
            yaml_event_delete(&ev);
            return 0;
        }
        yaml_event_delete(&ev);
        if (!next_event(L, &ev))
            return 0;
        *root = parse_node(L, &ev, 0);
        if (!*root)
            return 0;
        if (!next_event(L, &ev)) /* document end */
            return 0;
        yaml_event_delete(&ev);
    }
}

/* ----- checking ----- */

/* One section of the file: the top level or an environment.  The has_*
 * flags say which keys it gives (a null value sets a key to "not set"). */
typedef struct kvlist {
    kv *v;
    int n, cap;
} kvlist;

typedef struct section {
    int has_brokers, has_checkpoint, has_threads, has_every;
    const char *brokers, *checkpoint_dir;
    int threads;
    long checkpoint_every;
    kvlist kafka, params; /* value NULL: unset */
} section;

static void kv_set(sp_arena *a, kvlist *l, const char *key, const char *value)
{
    for (int i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].key, key) == 0) {
            l->v[i].value = value;
            return;
        }
    }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        kv *more = sp_arena_alloc(a, sizeof *more * (size_t)cap);
        if (l->n)
            memcpy(more, l->v, sizeof *more * (size_t)l->n);
        l->v = more;
        l->cap = cap;
    }
    l->v[l->n++] = (kv){key, value};
}

static const char *kind_name(loader *L, const ynode *n)
{
    switch (n->kind) {
    case Y_MAP: return "a map";
    case Y_LIST: return "a list";
    case Y_SCALAR: break;
    }
    if (n->len > 40 || memchr(n->text, '\0', n->len) || strchr(n->text, '\n'))
        return "text";
    return sp_arena_printf(L->a, "'%s'", n->text);
}

/* Is the node a map (or null: an empty map)?  Reports it otherwise. */
static int want_map(loader *L, const char *what, const ynode *n, const char *hint)
{
    if (n->kind == Y_MAP || (n->kind == Y_SCALAR && n->is_null))
        return 1;
    report_error(L, node_loc(L, n), hint, "%s must be a map of NAME: VALUE entries, not %s", what,
                 n->kind == Y_LIST ? "a list" : "a scalar");
    return 0;
}

/* The text of a scalar value; NULL (and *ok = 1) for a null; reports a map or
 * a list (then *ok = 0). */
static const char *want_scalar(loader *L, const char *what, const ynode *n, const char *hint, int *ok)
{
    *ok = 1;
    if (n->kind == Y_SCALAR) {
        if (memchr(n->text, '\0', n->len)) {
            report_error(L, node_loc(L, n), NULL, "%s must not contain a NUL character", what);
            *ok = 0;
            return NULL;
        }
        return n->is_null ? NULL : n->text;
    }
    report_error(L, node_loc(L, n), hint, "%s must be a single value (text, a number or a boolean), not %s", what,
                 kind_name(L, n));
    *ok = 0;
    return NULL;
}

/* The key of a map entry as text, or NULL after reporting it.  Reports a key
 * that repeats an earlier one of the same map. */
static const char *entry_key(loader *L, const ynode *map, const yentry *e, const char *what)
{
    const ynode *k = e->key;
    if (k->kind != Y_SCALAR || k->is_null || memchr(k->text, '\0', k->len)) {
        report_error(L, node_loc(L, k), NULL, "%s%sa key must be a name, not %s", what ? what : "", what ? ": " : "",
                     k->kind == Y_SCALAR ? "empty" : kind_name(L, k));
        return NULL;
    }
    for (const yentry *p = map->items; p != e; p = p->next) {
        if (p->key->kind == Y_SCALAR && strcmp(p->key->text, k->text) == 0) {
            char where[512];
            sp_diag_format_loc(L->d, node_loc(L, p->key), where, sizeof where);
            report_error(L, node_loc(L, k), sp_arena_printf(L->a, "the first is at %s", where), "%s%sduplicate key '%s'",
                         what ? what : "", what ? ": " : "", k->text);
            return NULL;
        }
    }
    return k->text;
}

/* A map of NAME: VALUE with scalar values into `out` (null values: unset). */
static void read_pairs(loader *L, const ynode *map, const char *what, kvlist *out, int is_kafka)
{
    for (const yentry *e = map->items; e; e = e->next) {
        const char *key = entry_key(L, map, e, what);
        if (!key)
            continue;
        if (is_kafka && (strcmp(key, "bootstrap.servers") == 0 || strcmp(key, "metadata.broker.list") == 0)) {
            report_error(L, node_loc(L, e->key), "write  brokers: \"host:9092\"  beside 'kafka:' instead",
                         "kafka: '%s' is set with the key 'brokers'", key);
            continue;
        }
        if (!*key) {
            report_error(L, node_loc(L, e->key), NULL, "%s: a key must not be empty", what);
            continue;
        }
        int ok;
        const char *what_value = sp_arena_printf(L->a, is_kafka ? "the value of Kafka property '%s'"
                                                                : "the value of parameter '%s'", key);
        const char *v = want_scalar(L, what_value, e->value,
                                    is_kafka ? NULL : "a parameter is given as one value, as with -p NAME=VALUE", &ok);
        if (ok)
            kv_set(L->a, out, key, v);
    }
}

static const char *const top_keys[] = {"brokers", "kafka", "checkpoint_dir", "checkpoint_every", "threads",
                                       "params", "environments"};
#define NKEYS ((int)(sizeof top_keys / sizeof top_keys[0]))

/* Reads one section (a map checked by the caller).  env: the environment's
 * name, NULL at the top level.  *envs receives the `environments:` entry. */
static void read_section(loader *L, const ynode *map, const char *env, section *s, const yentry **envs)
{
    const char *where = env ? sp_arena_printf(L->a, "environment '%s'", env) : NULL;
    for (const yentry *e = map->items; e; e = e->next) {
        const char *key = entry_key(L, map, e, where);
        if (!key)
            continue;
        const ynode *v = e->value;
        int ok;
        if (strcmp(key, "brokers") == 0) {
            const char *b = want_scalar(L, "brokers", v, "list several as one string: \"host1:9092,host2:9092\"", &ok);
            if (!ok)
                continue;
            if (b && !*b) {
                report_error(L, node_loc(L, v), "leave 'brokers' out (or set it to ~) to use the embedded broker",
                             "brokers must not be empty");
                continue;
            }
            s->has_brokers = 1;
            s->brokers = b;
        } else if (strcmp(key, "checkpoint_dir") == 0) {
            const char *dir = want_scalar(L, "checkpoint_dir", v, NULL, &ok);
            if (!ok)
                continue;
            if (dir && !*dir) {
                report_error(L, node_loc(L, v), NULL, "checkpoint_dir must not be empty");
                continue;
            }
            s->has_checkpoint = 1;
            s->checkpoint_dir = dir;
        } else if (strcmp(key, "threads") == 0 || strcmp(key, "checkpoint_every") == 0) {
            int threads = strcmp(key, "threads") == 0;
            long max = threads ? CONFIG_MAX_THREADS : CONFIG_MAX_EVERY;
            const char *t = want_scalar(L, key, v, NULL, &ok);
            if (!ok)
                continue;
            long n = 0;
            if (t) {
                char *end;
                errno = 0;
                n = strtol(t, &end, 10);
                if (*t < '0' || *t > '9' || *end || errno || n < 1 || n > max) {
                    report_error(L, node_loc(L, v), NULL, "%s must be a whole number from 1 to %ld, not %s", key,
                                 max, kind_name(L, v));
                    continue;
                }
            }
            if (threads) {
                s->has_threads = 1;
                s->threads = (int)n;
            } else {
                s->has_every = 1;
                s->checkpoint_every = n;
            }
        } else if (strcmp(key, "kafka") == 0) {
            if (want_map(L, "kafka", v, "write one librdkafka property per line, as  security.protocol: SSL"))
                read_pairs(L, v, "kafka", &s->kafka, 1);
        } else if (strcmp(key, "params") == 0) {
            if (want_map(L, "params", v, "write one parameter per line, as  window_length: 30s"))
                read_pairs(L, v, "params", &s->params, 0);
        } else if (strcmp(key, "environments") == 0 && !env) {
            if (want_map(L, "environments", v, "write each environment as a map under its name"))
                *envs = e;
        } else if (strcmp(key, "environments") == 0) {
            report_error(L, node_loc(L, e->key), "define every environment under the top-level 'environments'",
                         "environments cannot be nested (in %s)", where);
        } else {
            sp_suggest sg;
            sp_suggest_init(&sg, key);
            for (int i = 0; i < NKEYS; i++)
                if (!env || strcmp(top_keys[i], "environments") != 0)
                    sp_suggest_offer(&sg, top_keys[i]);
            const char *best = sp_suggest_result(&sg);
            char *hint = best ? sp_arena_printf(L->a, "did you mean '%s'?", best)
                              : env ? "an environment may set: brokers, kafka, checkpoint_dir, checkpoint_every, threads, params"
                                    : "the keys are: brokers, kafka, checkpoint_dir, checkpoint_every, threads, params, environments";
            if (env)
                report_error(L, node_loc(L, e->key), hint, "unknown key '%s' in %s", key, where);
            else
                report_error(L, node_loc(L, e->key), hint, "unknown key '%s'", key);
        }
    }
}

/* Copies `s` over `c` (strings into c's arena). */
static void apply_section(sp_config *c, const section *s)
{
    if (s->has_brokers)
        c->brokers = s->brokers ? sp_arena_strdup(c->a, s->brokers) : NULL;
    if (s->has_checkpoint)
        c->checkpoint_dir = s->checkpoint_dir ? sp_arena_strdup(c->a, s->checkpoint_dir) : NULL;
    if (s->has_threads)
        c->threads = s->threads;
    if (s->has_every)
        c->checkpoint_every = s->checkpoint_every;
    kvlist lists[2] = {{c->kafka, c->nkafka, c->nkafka}, {c->params, c->nparams, c->nparams}};
    const kvlist *from[2] = {&s->kafka, &s->params};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < from[k]->n; i++)
            kv_set(c->a, &lists[k], sp_arena_strdup(c->a, from[k]->v[i].key),
                   from[k]->v[i].value ? sp_arena_strdup(c->a, from[k]->v[i].value) : NULL);
        /* drop what a null unset */
        int n = 0;
        for (int i = 0; i < lists[k].n; i++)
            if (lists[k].v[i].value)
                lists[k].v[n++] = lists[k].v[i];
        lists[k].n = n;
    }
    c->kafka = lists[0].v;
    c->nkafka = lists[0].n;
    c->params = lists[1].v;
    c->nparams = lists[1].n;
}

/* Checks the tree and builds the configuration into c. */
static void interpret(loader *L, const ynode *root, const char *env, sp_config *c)
{
    section top;
    memset(&top, 0, sizeof top);
    const yentry *envs = NULL;
    if (root && !(root->kind == Y_SCALAR && root->is_null)) {
        if (root->kind != Y_MAP) {
            report_error(L, node_loc(L, root), "start with keys such as  brokers:  or  params:",
                         "the configuration must be a map of keys, not %s", root->kind == Y_LIST ? "a list" : "a scalar");
            return;
        }
        read_section(L, root, NULL, &top, &envs);
    }
    /* every environment is checked; the selected one is kept */
    section chosen;
    memset(&chosen, 0, sizeof chosen);
    int found = 0;
    const ynode *emap = envs ? envs->value : NULL;
    for (const yentry *e = emap && emap->kind == Y_MAP ? emap->items : NULL; e; e = e->next) {
        const char *name = entry_key(L, emap, e, "environments");
        if (!name)
            continue;
        if (!want_map(L, sp_arena_printf(L->a, "environment '%s'", name), e->value,
                      "write the keys it overrides under it, as  brokers: \"host:9092\""))
            continue;
        section s;
        memset(&s, 0, sizeof s);
        const yentry *nested = NULL;
        if (e->value->kind == Y_MAP)
            read_section(L, e->value, name, &s, &nested);
        if (env && strcmp(name, env) == 0) {
            chosen = s;
            found = 1;
        }
    }
    if (L->errors)
        return;
    if (env && !found) {
        sp_suggest sg;
        sp_suggest_init(&sg, env);
        char *list = "";
        int n = 0;
        for (const yentry *e = emap && emap->kind == Y_MAP ? emap->items : NULL; e; e = e->next) {
            sp_suggest_offer(&sg, e->key->text);
            list = sp_arena_printf(L->a, "%s%s%s", list, n++ ? ", " : "", e->key->text);
        }
        const char *best = sp_suggest_result(&sg);
        char *hint = best ? sp_arena_printf(L->a, "did you mean '%s'? (the environments are: %s)", best, list)
                     : n  ? sp_arena_printf(L->a, "the environments are: %s", list)
                          : "define it under 'environments:' in the configuration";
        if (envs)
            report_error(L, node_loc(L, envs->key), hint, "--env %s: there is no environment '%s' in %s", env, env, L->name);
        else
            report_error(L, no_loc, hint, "--env %s: %s defines no environments", env, L->name);
        return;
    }
    apply_section(c, &top);
    if (found)
        apply_section(c, &chosen);
}

/* Reads `path` (display name too) into a new configuration, or NULL after
 * reporting errors.  `origin` says how the file was chosen, for messages. */
static sp_config *load_file(const char *path, const char *origin, const char *env, sp_diag *d)
{
    char *err = NULL;
    sp_srcfile *f = sp_srcfile_load(path, &err);
    if (!f) {
        sp_diag_error(d, no_loc,
                      strcmp(origin, "STREAMPIPE_CONFIG") == 0 ? "set STREAMPIPE_CONFIG to an existing file, or unset it"
                                                              : NULL,
                      "%s: %s", origin,
                      err ? err : "cannot read the configuration");
        free(err);
        return NULL;
    }
    loader L;
    memset(&L, 0, sizeof L);
    L.d = d;
    L.a = sp_arena_new();
    L.file = sp_diag_add_file(d, f);
    L.name = sp_srcfile_name(f);
    L.text = sp_srcfile_text(f, &L.len);
    build_lines(&L);
    if (!yaml_parser_initialize(&L.parser)) {
        sp_diag_error(d, no_loc, NULL, "%s: cannot initialise the YAML parser", L.name);
        free(L.line_start);
        sp_arena_free(L.a);
        return NULL;
    }
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)L.text, L.len);
    ynode *root = NULL;
    sp_config *c = NULL;
    if (parse_stream(&L, &root) && !L.errors) {
        c = sp_config_empty();
        c->path = sp_arena_strdup(c->a, L.name);
        interpret(&L, root, env, c);
    }
    if (L.errors) {
        sp_config_free(c);
        c = NULL;
    }
    yaml_parser_delete(&L.parser);
    free(L.line_start);
    sp_arena_free(L.a);
    return c;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 || errno != ENOENT;
}

sp_config *sp_config_load(const char *path, const char *env, sp_diag *d)
{
    if (path)
        return load_file(path, "--config", env, d);
    const char *var = getenv("STREAMPIPE_CONFIG");
    if (var && *var) /* set explicitly: it must exist */
        return load_file(var, "STREAMPIPE_CONFIG", env, d);
    if (file_exists("streampipe.yaml"))
        return load_file("streampipe.yaml", "./streampipe.yaml", env, d);
    const char *home = getenv("HOME");
    if (home && *home) {
        size_t n = strlen(home) + sizeof "/.config/streampipe/config.yaml";
        char *p = sp_xmalloc(n);
        snprintf(p, n, "%s/.config/streampipe/config.yaml", home);
        sp_config *c = NULL;
        int exists = file_exists(p);
        if (exists)
            c = load_file(p, "~/.config/streampipe/config.yaml", env, d);
        free(p);
        if (exists)
            return c;
    }
    if (env) {
        sp_diag_error(d, no_loc,
                      "give one with --config FILE (looked for $STREAMPIPE_CONFIG, ./streampipe.yaml and "
                      "~/.config/streampipe/config.yaml)",
                      "--env %s: there is no configuration file", env);
        return NULL;
    }
    return sp_config_empty();
}
