/* checkpoint.c - writing, reading and fingerprinting checkpoints; see
 * checkpoint.h. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char magic[16] = "streampipe ckpt\n";
#define HEAD_LEN 32 /* magic, version, flags, length */

#define errmsg sp_xprintf

/* ----- writing ----- */

void sp_ckpt_begin(sp_wbuf *w, const sp_ckpt_header *h)
{
    w->n = 0;
    w->bad = 0;
    sp_put_bytes(w, magic, sizeof magic);
    sp_put_u32(w, SP_CKPT_VERSION);
    sp_put_u32(w, 0);
    sp_put_u64(w, 0); /* length: filled in by sp_ckpt_save */
    const char *name = h->pipeline ? h->pipeline : "";
    sp_put_str(w, name, strlen(name));
    sp_put_u64(w, h->next_batch);
    sp_put_i64(w, h->time_ms);
    sp_put_i64(w, h->written_ms);
    sp_put_u64(w, h->batches);
    sp_put_u64(w, h->records_in);
    sp_put_u64(w, h->malformed);
    sp_put_u64(w, h->eval_errors);
    sp_put_u64(w, h->late);
}

void sp_ckpt_entry(sp_wbuf *w, int kind, const char *name, uint64_t fingerprint, const sp_wbuf *blob)
{
    sp_put_u8(w, (unsigned)kind);
    sp_put_str(w, name, strlen(name));
    sp_put_u64(w, fingerprint);
    sp_put_str(w, (const char *)blob->p, blob->n);
}

/* write() all of it, or -1. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int sp_ckpt_save(const char *dir, sp_wbuf *w, char **err)
{
    sp_put_u8(w, SP_CKPT_END);
    uint64_t len = w->n + 4;
    for (int i = 0; i < 8; i++)
        w->p[24 + i] = (unsigned char)(len >> (8 * i));
    sp_put_u32(w, sp_crc32c(0, w->p, w->n));

    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        *err = errmsg("cannot create checkpoint directory '%s': %s", dir, strerror(errno));
        return -1;
    }
    size_t dl = strlen(dir);
    char *tmp = sp_xmalloc(dl + 32), *final = sp_xmalloc(dl + 32);
    snprintf(tmp, dl + 32, "%s/checkpoint.tmp", dir);
    snprintf(final, dl + 32, "%s/checkpoint", dir);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        *err = errmsg("cannot write checkpoint '%s': %s", tmp, strerror(errno));
        goto out;
    }
    if (write_all(fd, w->p, w->n) != 0 || fsync(fd) != 0) {
        *err = errmsg("cannot write checkpoint '%s': %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (close(fd) != 0) {
        *err = errmsg("cannot write checkpoint '%s': %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, final) != 0) {
        *err = errmsg("cannot rename '%s' to '%s': %s", tmp, final, strerror(errno));
        unlink(tmp);
        goto out;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0) {
        *err = errmsg("cannot sync checkpoint directory '%s': %s", dir, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        goto out;
    }
    close(dfd);
    rc = 0;
out:
    free(tmp);
    free(final);
    return rc;
}

int sp_ckpt_lock(const char *dir, char **err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        *err = errmsg("cannot create checkpoint directory '%s': %s", dir, strerror(errno));
        return -1;
    }
    size_t dl = strlen(dir);
    char *path = sp_xmalloc(dl + 32);
    snprintf(path, dl + 32, "%s/lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        *err = errmsg("cannot open '%s': %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        *err = e == EWOULDBLOCK ? errmsg("checkpoint directory '%s' is in use by another streampipe run; give each "
                                         "run a directory of its own",
                                         dir)
                                : errmsg("cannot lock '%s': %s", path, strerror(e));
        close(fd);
        free(path);
        return -1;
    }
    free(path);
    return fd;
}

/* ----- reading ----- */

typedef struct entry {
    int kind;
    const char *name;  /* in the arena */
    uint64_t fp;
    const void *blob;  /* into buf */
    size_t n;
    int taken;
} entry;

struct sp_ckpt {
    unsigned char *buf; /* the whole file; owned */
    size_t len;
    sp_arena *a;        /* names */
    sp_ckpt_header h;
    entry *e;           /* owned */
    int n;
};

void sp_ckpt_free(sp_ckpt *c)
{
    if (!c)
        return;
    free(c->buf);
    free(c->e);
    sp_arena_free(c->a);
    free(c);
}

int sp_ckpt_parse(const void *buf, size_t n, const char *what, sp_ckpt **out, char **err)
{
    *out = NULL;
    const unsigned char *p = buf;
    if (n < HEAD_LEN + 4 || memcmp(p, magic, sizeof magic) != 0) {
        if (n >= sizeof magic && memcmp(p, magic, sizeof magic) == 0)
            *err = errmsg("checkpoint '%s' is truncated (%zu bytes)", what, n);
        else
            *err = errmsg("'%s' is not a streampipe checkpoint", what);
        return -1;
    }
    sp_rbuf r;
    sp_rbuf_init(&r, p + sizeof magic, n - sizeof magic);
    uint32_t version = sp_get_u32(&r);
    (void)sp_get_u32(&r); /* flags */
    uint64_t len = sp_get_u64(&r);
    if (version != SP_CKPT_VERSION) {
        *err = errmsg("checkpoint '%s' has format version %u; this streampipe reads version %d", what,
                      (unsigned)version, SP_CKPT_VERSION);
        return -1;
    }
    if (len != n) {
        *err = len > n ? errmsg("checkpoint '%s' is truncated (%zu of %llu bytes)", what, n, (unsigned long long)len)
                       : errmsg("checkpoint '%s' has %zu bytes, %llu expected", what, n, (unsigned long long)len);
        return -1;
    }
    uint32_t want = (uint32_t)p[n - 4] | (uint32_t)p[n - 3] << 8 | (uint32_t)p[n - 2] << 16 | (uint32_t)p[n - 1] << 24;
    if (sp_crc32c(0, p, n - 4) != want) {
        *err = errmsg("checkpoint '%s' is corrupt (checksum mismatch)", what);
        return -1;
    }
    sp_ckpt *c = sp_xmalloc(sizeof *c);
    memset(c, 0, sizeof *c);
    c->buf = sp_xmalloc(n);
    memcpy(c->buf, buf, n);
    c->len = n;
    c->a = sp_arena_new();
    sp_rbuf_init(&r, c->buf + HEAD_LEN, n - HEAD_LEN - 4);
    c->h.pipeline = sp_get_cstr(&r, c->a);
    c->h.next_batch = sp_get_u64(&r);
    c->h.time_ms = sp_get_i64(&r);
    c->h.written_ms = sp_get_i64(&r);
    c->h.batches = sp_get_u64(&r);
    c->h.records_in = sp_get_u64(&r);
    c->h.malformed = sp_get_u64(&r);
    c->h.eval_errors = sp_get_u64(&r);
    c->h.late = sp_get_u64(&r);
    int cap = 0;
    for (;;) {
        unsigned kind = sp_get_u8(&r);
        if (r.bad || kind == SP_CKPT_END)
            break;
        if (kind > SP_CKPT_SINK) {
            r.bad = 1;
            break;
        }
        if (c->n == cap) {
            cap = cap ? cap * 2 : 16;
            c->e = sp_xrealloc(c->e, sizeof *c->e * (size_t)cap);
        }
        entry *e = &c->e[c->n];
        e->kind = (int)kind;
        e->name = sp_get_cstr(&r, c->a);
        e->fp = sp_get_u64(&r);
        e->blob = sp_get_str(&r, &e->n);
        e->taken = 0;
        if (r.bad)
            break;
        c->n++;
    }
    if (!sp_rbuf_done(&r)) {
        *err = errmsg("checkpoint '%s' is corrupt (malformed contents)", what);
        sp_ckpt_free(c);
        return -1;
    }
    *out = c;
    return 1;
}

int sp_ckpt_load(const char *dir, sp_ckpt **out, char **err)
{
    *out = NULL;
    size_t dl = strlen(dir);
    char *path = sp_xmalloc(dl + 32);
    snprintf(path, dl + 32, "%s/checkpoint", dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) {
            free(path);
            return 0;
        }
        *err = errmsg("cannot read checkpoint '%s': %s", path, strerror(e));
        free(path);
        return -1;
    }
    struct stat st;
    unsigned char *buf = NULL;
    size_t n = 0;
    int rc = -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *err = errmsg("cannot read checkpoint '%s': %s", path, S_ISREG(st.st_mode) ? strerror(errno) : "not a file");
        goto out;
    }
    buf = sp_xmalloc((size_t)st.st_size + 1);
    while (n < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + n, (size_t)st.st_size - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            *err = errmsg("cannot read checkpoint '%s': %s", path, strerror(errno));
            goto out;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    rc = sp_ckpt_parse(buf, n, path, out, err);
out:
    close(fd);
    free(buf);
    free(path);
    return rc;
}

const sp_ckpt_header *sp_ckpt_info(const sp_ckpt *c)
{
    return &c->h;
}

const void *sp_ckpt_take(sp_ckpt *c, int kind, uint64_t fingerprint, size_t *n, const char **name)
{
    for (int i = 0; i < c->n; i++) {
        entry *e = &c->e[i];
        if (e->taken || e->kind != kind || e->fp != fingerprint)
            continue;
        e->taken = 1;
        *n = e->n;
        if (name)
            *name = e->name;
        return e->blob ? e->blob : "";
    }
    return NULL;
}

int sp_ckpt_untaken(const sp_ckpt *c, int *iter, int *kind, const char **name)
{
    while (*iter < c->n) {
        const entry *e = &c->e[(*iter)++];
        if (!e->taken) {
            *kind = e->kind;
            *name = e->name;
            return 1;
        }
    }
    return 0;
}

/* ----- fingerprints ----- */

/* What a fingerprint hashes, as text: easy to reason about, and what is
 * printed the same is computed the same. */
typedef struct fp_text {
    FILE *f;
    const void *seen[64]; /* functions and parameters already written */
    int nseen;
} fp_text;

static void fp_expr(fp_text *t, const sp_expr *e);

static int fp_seen(fp_text *t, const void *p)
{
    for (int i = 0; i < t->nseen; i++)
        if (t->seen[i] == p)
            return 1;
    if (t->nseen < 64)
        t->seen[t->nseen++] = p;
    return 0;
}

/* Writes the definitions of the functions and parameters `e` uses. */
static void fp_uses(fp_text *t, const sp_expr *e)
{
    if (!e)
        return;
    switch (e->kind) {
    case SP_E_NAME:
        if (e->resolution == SP_R_FUNCTION && e->target && !fp_seen(t, e->target)) {
            const sp_stmt *fn = e->target;
            fprintf(t->f, "\nfn %s(", fn->name);
            for (const sp_name *n = fn->params; n; n = n->next)
                fprintf(t->f, "%s%s", n->name, n->next ? ", " : "");
            fputs(") = ", t->f);
            fp_expr(t, fn->value);
        } else if (e->resolution == SP_R_PARAM && e->target && !fp_seen(t, e->target)) {
            const sp_stmt *pm = e->target;
            fprintf(t->f, "\nparam %s = ", pm->name);
            if (pm->param_override)
                fprintf(t->f, "%s", pm->param_override);
            else
                sp_ast_expr_print(pm->value, t->f);
        }
        break;
    case SP_E_FIELD:
        fp_uses(t, e->u.field.obj);
        break;
    case SP_E_INDEX:
        fp_uses(t, e->u.index.obj);
        fp_uses(t, e->u.index.index);
        break;
    case SP_E_CALL:
        fp_uses(t, e->u.call.fn);
        for (const sp_arg *a = e->u.call.args; a; a = a->next)
            fp_uses(t, a->value);
        break;
    case SP_E_UNARY:
        fp_uses(t, e->u.unary.e);
        break;
    case SP_E_BINARY:
        fp_uses(t, e->u.binary.l);
        fp_uses(t, e->u.binary.r);
        break;
    case SP_E_IF:
        fp_uses(t, e->u.cond.c);
        fp_uses(t, e->u.cond.t);
        fp_uses(t, e->u.cond.e);
        break;
    case SP_E_LET:
        fp_uses(t, e->u.let.value);
        fp_uses(t, e->u.let.body);
        break;
    case SP_E_LAMBDA:
        fp_uses(t, e->u.lambda.body);
        break;
    case SP_E_TUPLE:
    case SP_E_RECORD:
    case SP_E_LIST:
        for (const sp_arg *a = e->u.items.items; a; a = a->next)
            fp_uses(t, a->value);
        break;
    default:
        break;
    }
}

static void fp_expr(fp_text *t, const sp_expr *e)
{
    if (!e)
        return;
    sp_ast_expr_print(e, t->f);
    fp_uses(t, e);
}

static void fp_args(fp_text *t, const sp_arg *args)
{
    for (const sp_arg *a = args; a; a = a->next) {
        fprintf(t->f, "\narg %s: ", a->name ? a->name : "");
        fp_expr(t, a->value);
    }
}

uint64_t sp_ckpt_fingerprint(const sp_plan *plan, int i, const uint64_t *fps)
{
    const sp_node *node = sp_plan_node(plan, i);
    char *text = NULL;
    size_t len = 0;
    fp_text t;
    memset(&t, 0, sizeof t);
    t.f = open_memstream(&text, &len);
    if (!t.f)
        return 0;
    fprintf(t.f, "streampipe %d\nkind %d\nbatch %lld\n", SP_CKPT_VERSION, (int)node->kind,
            (long long)sp_plan_batch_ms(plan));
    switch (node->kind) {
    case SP_NODE_SOURCE:
        fprintf(t.f, "source %s = %s", node->name ? node->name : "", node->stmt->kind_name);
        fp_args(&t, node->stmt->args);
        break;
    case SP_NODE_OP:
    case SP_NODE_SINK: {
        const sp_step *st = node->step;
        fprintf(t.f, "%s %s\nlength %lld slide %lld n %lld event %d lateness %lld", node->kind == SP_NODE_SINK ? "sink" : "op",
                st->name, (long long)st->length_ms, (long long)st->slide_ms, (long long)st->n, st->event_time,
                (long long)st->lateness_ms);
        fp_args(&t, st->args);
        for (const sp_opt *o = st->opts; o; o = o->next) {
            fprintf(t.f, "\nopt %d ", (int)o->kind);
            fp_expr(&t, o->value);
        }
        break;
    }
    case SP_NODE_LATE:
        fputs("late", t.f);
        break;
    }
    for (int k = 0; k < node->ninputs; k++)
        fprintf(t.f, "\ninput %d %016llx", k, (unsigned long long)fps[node->inputs[k]]);
    fclose(t.f);
    uint64_t h = sp_fnv64(SP_FNV_START, text, len);
    free(text);
    return h;
}

