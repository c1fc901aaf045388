/* runtime_io.c - sources and sinks.
 *
 * Sources: file and stdin (line readers with large reads, lines as views into
 * chunks of the batch arena, CRLF handled, over-long lines counted as
 * malformed and skipped), a followed file (file(path, follow: true): read
 * live like `tail -F`, through rotation and truncation), tcp (connect to a
 * server, or listen for any number of clients), the log generator, and
 * input(URI), which picks one of them.  The live sources never block: each
 * batch they read what has arrived (non-blocking descriptors, poll()) and
 * hand over the complete lines, holding a partial last line until its
 * newline comes.  Sinks: stdout and file, in a text format like the Spark
 * sample's or as JSON lines.  The kafka source and sink, and input("demo")
 * (a generator thread producing into Kafka, read back by a kafka source),
 * live in kafka.c. */
#include "runtime_int.h"
#include "kafka.h"
#include "loggen.h"
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <time.h>
#include <unistd.h>

#define READ_CHUNK (1u << 20)

/* ----- arguments ----- */

const sp_value *sp_io_arg(const sp_io_args *args, const char *name)
{
    for (int i = 0; i < args->n; i++)
        if (strcmp(args->names[i], name) == 0)
            return &args->values[i];
    return NULL;
}

const char *sp_io_arg_str(const sp_io_args *args, const char *name, sp_arena *a, const char *def)
{
    const sp_value *v = sp_io_arg(args, name);
    if (!v || v->tag != SP_V_STR)
        return def;
    return sp_arena_strndup(a, v->u.s, v->n);
}

int64_t sp_io_arg_int(const sp_io_args *args, const char *name, int64_t def)
{
    const sp_value *v = sp_io_arg(args, name);
    return v && (v->tag == SP_V_INT || v->tag == SP_V_BOOL) ? v->u.i : def;
}

static char *errorf(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *s = sp_xmalloc(n);
    snprintf(s, n, fmt, a, b);
    return s;
}

/* A message in a malloc'd string, printf style. */
#define errmsg sp_xprintf

/* A notice of a live source on standard error (the run goes on). */
static void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void notice(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("streampipe: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    va_end(ap);
}

#define DEFAULT_BATCH_BYTES (64 << 20) /* bytes one source reads per batch at most */

static size_t batch_bytes_of(const sp_run_options *opt)
{
    return opt && opt->batch_bytes > 0 ? (size_t)opt->batch_bytes : (size_t)DEFAULT_BATCH_BYTES;
}

/* ----- line reader: file and stdin ----- */

typedef struct line_reader {
    int fd;               /* the descriptor */
    int own_fd;           /* close it at the end */
    int eof;              /* read() returned 0 */
    char *carry;          /* bytes read but not yet handed out; owned */
    size_t ncarry;        /* how many */
    int64_t max_line;     /* longer lines are malformed */
    int skipping;         /* inside an over-long line: drop up to the newline */
    const char *name;     /* for messages */
    volatile sig_atomic_t *stop; /* the run's stop request, or NULL */
    uint64_t off;         /* bytes read from fd (since it was opened or sought) */
    size_t batch_bytes;   /* bytes of lines handed out per batch at most */
    size_t handed;        /* bytes of lines handed out in this batch */
} line_reader;

static void *reader_open_fd(int fd, int own, const char *name, const sp_run_options *opt, sp_arena *a)
{
    line_reader *r = sp_xmalloc(sizeof *r);
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->own_fd = own;
    r->max_line = opt->max_line > 0 ? opt->max_line : (1 << 20);
    r->batch_bytes = batch_bytes_of(opt);
    r->stop = opt->stop;
    r->name = sp_arena_strdup(a, name);
    return r;
}

static void *stdin_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    (void)args, (void)err;
    return reader_open_fd(0, 0, "standard input", opt, a);
}

static void reader_close(void *p)
{
    line_reader *r = p;
    if (!r)
        return;
    if (r->own_fd)
        close(r->fd);
    free(r->carry);
    free(r);
}

/* Hands out one line (without its line end) unless it is too long;
 * returns whether it did. */
static inline int reader_emit(line_reader *r, const char *s, size_t n, sp_vec *out, uint64_t *malformed)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    r->handed += n + 1;
    if ((int64_t)n > r->max_line) {
        (*malformed)++;
        return 0;
    }
    sp_vec_push(out, sp_str(s, n));
    return 1;
}

/* Bit k set when p[k] is '\n', k < 64. */
static inline uint64_t newlines64(const char *p)
{
#if defined(__SSE2__)
    const __m128i nl = _mm_set1_epi8('\n');
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) << (16 * k);
    }
    return m;
#else
    uint64_t m = 0;
    for (int k = 0; k < 64; k++)
        m |= (uint64_t)(p[k] == '\n') << k;
    return m;
#endif
}

/* The lines of buf[*pos, len) that end in a newline, handed out while the
 * batch has room (count < max lines, r->handed < r->batch_bytes): the
 * newlines of 64 bytes at a time as the bits of a mask, a line per bit,
 * instead of a memchr call per line, which cost more than the search for
 * lines of a hundred bytes.  Stops before the last 64 bytes (the caller's
 * memchr takes those), or at the batch's end; *pos is then the next line's
 * start. */
static void reader_cut(line_reader *r, const char *buf, size_t *pos, size_t len, sp_vec *out, int64_t *count,
                       int64_t max, uint64_t *malformed)
{
    size_t line = *pos;
    for (size_t b = *pos; len - b >= 64; b += 64) {
        uint64_t m = newlines64(buf + b);
        while (m) {
            size_t nl = b + (size_t)__builtin_ctzll(m);
            m &= m - 1;
            *count += reader_emit(r, buf + line, nl - line, out, malformed);
            line = nl + 1;
            if (*count >= max || r->handed >= r->batch_bytes) {
                *pos = line;
                return;
            }
        }
    }
    *pos = line;
}

static int reader_read(void *p, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    line_reader *r = p;
    /* room for what the last batch left and one read: the buffers stay
     * READ_CHUNK long, whatever the batch (doubling the carry's size here
     * made them, and the memory of a run, grow batch after batch) */
    size_t cap = READ_CHUNK + r->ncarry;
    char *buf = sp_arena_alloc_raw(a, cap);
    size_t len = r->ncarry, pos = 0;
    if (r->ncarry)
        memcpy(buf, r->carry, r->ncarry);
    r->ncarry = 0;
    int64_t count = 0, count_at_buf = 0; /* lines handed out, and when `buf` was started */
    r->handed = 0;
    while (count < max && r->handed < r->batch_bytes) {
        sp_vec_publish(out); /* the lines cut so far (reading ahead, the stage may start on them) */
        if (!r->skipping && len - pos >= 128) {
            reader_cut(r, buf, &pos, len, out, &count, max, malformed);
            if (count >= max || r->handed >= r->batch_bytes)
                break;
        }
        char *nl = len > pos ? memchr(buf + pos, '\n', len - pos) : NULL;
        if (nl) {
            size_t end = (size_t)(nl - buf);
            if (r->skipping)
                r->skipping = 0;
            else
                count += reader_emit(r, buf + pos, end - pos, out, malformed);
            pos = end + 1;
            continue;
        }
        if (r->eof) {
            if (pos < len && !r->skipping) /* a last line without a newline */
                count += reader_emit(r, buf + pos, len - pos, out, malformed);
            return 0;
        }
        if ((int64_t)(len - pos) > r->max_line + 1) {
            /* too long to ever be a line, even with a final '\r': count it
             * once, drop the rest */
            if (!r->skipping)
                (*malformed)++;
            r->skipping = 1;
            pos = len;
        }
        if (pos == len) {
            /* nothing pending: start the buffer again from its beginning,
             * or a new buffer when lines handed out point into this one
             * (they live as long as the batch) */
            if (count > count_at_buf) {
                buf = sp_arena_alloc_raw(a, READ_CHUNK);
                cap = READ_CHUNK;
            }
            pos = len = 0;
            count_at_buf = count;
        }
        if (len == cap || (pos > 0 && len - pos < cap / 2 && cap - len < cap / 4)) {
            /* the buffer is full, or little room is left: start a new one
             * holding the partial line (lines already handed out point into
             * the old one); twice as big only when the partial line fills
             * the whole buffer (before, every full read doubled it) */
            size_t part = len - pos;
            size_t ncap = part == cap ? cap * 2 : READ_CHUNK > 2 * part ? READ_CHUNK : 2 * part;
            char *nbuf = sp_arena_alloc_raw(a, ncap);
            memcpy(nbuf, buf + pos, part);
            len = part;
            pos = 0;
            buf = nbuf;
            cap = ncap;
            count_at_buf = count;
        }
        ssize_t got = read(r->fd, buf + len, cap - len);
        if (got < 0) {
            if (errno == EINTR && r->stop && *r->stop) {
                r->eof = 1; /* asked to stop while waiting for input: end it here */
                continue;
            }
            if (errno == EINTR)
                continue;
            *err = errorf("reading %s failed: %s", r->name, strerror(errno));
            return -1;
        }
        if (got == 0)
            r->eof = 1;
        len += (size_t)got;
        r->off += (uint64_t)got;
    }
    /* the batch is full: keep the rest for the next one */
    if (pos < len) {
        r->carry = sp_xrealloc(r->carry, len - pos);
        memcpy(r->carry, buf + pos, len - pos);
        r->ncarry = len - pos;
    }
    return r->ncarry || !r->eof ? 1 : 0;
}

/* ----- positions in files, for checkpoints -----
 *
 * A position is a byte offset in a regular file plus what identifies the
 * file: its device and inode, its size then, and a hash of its first bytes
 * (up to PREFIX_BYTES, never past the offset).  On resuming, the file is
 * taken for the same when those first bytes hash the same and it is at
 * least as long as the offset; a copy of the file restored from a backup
 * therefore resumes too, while a rotated or rewritten file does not. */

#define PREFIX_BYTES 4096

/* Hash of the first min(upto, PREFIX_BYTES) bytes of fd; 0 when unreadable. */
static uint64_t prefix_hash(int fd, uint64_t upto, uint32_t *n)
{
    char buf[PREFIX_BYTES];
    size_t want = upto < PREFIX_BYTES ? (size_t)upto : PREFIX_BYTES;
    ssize_t got = want ? pread(fd, buf, want, 0) : 0;
    *n = got > 0 ? (uint32_t)got : 0;
    return got == (ssize_t)want ? sp_fnv64(SP_FNV_START, buf, want) : 0;
}

/* Writes a position: 1, offset, skipping, identity; or 0 when fd is not a
 * regular file (a pipe: nothing to resume). */
static void put_file_position(sp_wbuf *w, int fd, uint64_t off, int skipping)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        sp_put_u8(w, 0);
        return;
    }
    uint32_t n;
    uint64_t h = prefix_hash(fd, off, &n);
    sp_put_u8(w, 1);
    sp_put_u64(w, off);
    sp_put_u8(w, (unsigned)skipping);
    sp_put_u64(w, (uint64_t)st.st_dev);
    sp_put_u64(w, (uint64_t)st.st_ino);
    sp_put_u32(w, n);
    sp_put_u64(w, h);
}

/* Reads a position and checks it against fd.  Returns 0 with *off and
 * *skipping when fd is the file it was taken in; 1 with *err when it is
 * not (or was not a regular file); -1 when malformed. */
static int get_file_position(sp_rbuf *r, int fd, const char *name, uint64_t *off, int *skipping, char **err)
{
    unsigned kind = sp_get_u8(r);
    if (kind == 0) {
        *err = errmsg("%s cannot be repositioned (not a regular file); reading what comes next", name);
        return r->bad ? -1 : 1;
    }
    *off = sp_get_u64(r);
    unsigned skip = sp_get_u8(r);
    (void)sp_get_u64(r); /* device and inode: information */
    (void)sp_get_u64(r);
    uint32_t n = sp_get_u32(r);
    uint64_t h = sp_get_u64(r);
    if (r->bad || kind != 1 || skip > 1 || n > PREFIX_BYTES || n > *off)
        return -1;
    *skipping = (int)skip;
    struct stat st;
    uint32_t now_n;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < *off ||
        prefix_hash(fd, n, &now_n) != h || now_n != n) {
        *err = errmsg("%s is not the file the checkpoint read (replaced, rotated or truncated); reading it from its "
                      "start", name);
        return 1;
    }
    return 0;
}

static void reader_position(void *p, sp_wbuf *w)
{
    line_reader *r = p;
    put_file_position(w, r->fd, r->off - r->ncarry, r->skipping);
}

static int reader_seek(void *p, sp_rbuf *rb, char **err)
{
    line_reader *r = p;
    uint64_t off;
    int skipping;
    int rc = get_file_position(rb, r->fd, r->name, &off, &skipping, err);
    if (rc != 0)
        return rc;
    if (lseek(r->fd, (off_t)off, SEEK_SET) != (off_t)off) {
        *err = errmsg("%s: cannot seek to byte %" PRIu64 ": %s; reading it from its start", r->name, off,
                      strerror(errno));
        lseek(r->fd, 0, SEEK_SET);
        return 1;
    }
    r->off = off;
    r->skipping = skipping;
    r->ncarry = 0;
    r->eof = 0;
    return 0;
}

/* ----- line assembly for the live sources (follow, tcp) ----- */

#define LIVE_READ (64u * 1024)      /* bytes per read() */


/* Bytes read but not handed out yet: complete lines a full batch left over,
 * then a partial line waiting for its newline.  The lines follow the rules of
 * the file reader (one '\r' before the '\n' removed, empty lines kept, bytes
 * passed through, over-long lines counted and dropped); they are copied into
 * the batch arena as they are handed out. */
typedef struct line_acc {
    char *buf;        /* owned */
    size_t len;       /* bytes in buf */
    size_t cap;       /* its size */
    size_t scan;      /* buf[0..scan) holds no '\n' */
    int skipping;     /* inside an over-long line: drop up to its newline */
    int64_t max_line; /* longer lines are malformed */
} line_acc;

static void acc_append(line_acc *c, const char *s, size_t n)
{
    if (c->skipping) {
        const char *nl = memchr(s, '\n', n);
        if (!nl)
            return;
        c->skipping = 0;
        n -= (size_t)(nl + 1 - s);
        s = nl + 1;
    }
    if (n == 0)
        return;
    if (c->len + n > c->cap) {
        size_t ncap = c->cap ? c->cap : 4096;
        while (ncap < c->len + n)
            ncap *= 2;
        c->buf = sp_xrealloc(c->buf, ncap);
        c->cap = ncap;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
}

/* Hands out the complete lines held, until *count reaches max; a partial
 * line already too long to be a line is dropped, and counted once. */
static void acc_take(line_acc *c, sp_arena *a, sp_vec *out, int64_t max, int64_t *count, uint64_t *malformed)
{
    size_t pos = 0;
    while (*count < max && c->scan < c->len) {
        char *nl = memchr(c->buf + c->scan, '\n', c->len - c->scan);
        if (!nl) {
            c->scan = c->len;
            break;
        }
        size_t end = (size_t)(nl - c->buf), n = end - pos;
        if (n > 0 && c->buf[end - 1] == '\r')
            n--;
        if ((int64_t)n > c->max_line)
            (*malformed)++;
        else {
            sp_vec_push(out, sp_str_copy(a, c->buf + pos, n));
            (*count)++;
        }
        pos = c->scan = end + 1;
    }
    if (pos > 0) {
        memmove(c->buf, c->buf + pos, c->len - pos);
        c->len -= pos;
        c->scan -= pos;
    }
    if (c->scan == c->len && (int64_t)c->len > c->max_line + 1) {
        /* no newline yet and longer than a line can be, even with a '\r' */
        (*malformed)++;
        c->skipping = 1;
        c->len = c->scan = 0;
    }
    if (c->len == 0 && c->cap > LIVE_READ) { /* after a long line: give the memory back */
        free(c->buf);
        c->buf = NULL;
        c->cap = 0;
    }
}

/* The bytes' input ended (a closed connection, a rotated or truncated
 * file): a partial last line becomes a line. */
static void acc_end(line_acc *c)
{
    if (c->skipping)
        c->skipping = 0; /* the over-long line ends here; it was counted */
    else if (c->len > 0 && c->buf[c->len - 1] != '\n')
        acc_append(c, "\n", 1);
}

static void acc_free(line_acc *c)
{
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = c->scan = 0;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = sp_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static int64_t max_line_of(const sp_run_options *opt)
{
    return opt->max_line > 0 ? opt->max_line : (1 << 20);
}

/* ----- a followed file: file(path, follow: true) ----- */

typedef struct follower {
    char *path;           /* owned; NULL: standard input */
    int fd;               /* -1 while the path cannot be opened */
    int regular;          /* a regular file: its size tells a truncation */
    dev_t dev;            /* the open file's device */
    ino_t ino;            /* and inode: a rotation gives the path another one */
    off_t off;            /* bytes read from fd */
    int missing;          /* the path is missing (said once) */
    int eof;              /* standard input ended */
    uint64_t truncations; /* times the file got shorter than what was read */
    line_acc acc;         /* bytes not handed out yet */
    char *scratch;        /* LIVE_READ bytes for read() */
    char tail[64];        /* the last bytes read, just before off: if they */
    size_t ntail;         /* change, the file was truncated and rewritten */
    size_t batch_bytes;   /* bytes read per batch at most */
} follower;

/* Reads `fd` (just opened, described by *st) from its start. */
static void follow_attach(follower *f, int fd, const struct stat *st)
{
    f->fd = fd;
    f->regular = S_ISREG(st->st_mode);
    f->dev = st->st_dev;
    f->ino = st->st_ino;
    f->off = 0;
    f->ntail = 0;
}

/* Remembers the last bytes read (they end at f->off). */
static void follow_keep_tail(follower *f, const char *s, size_t n)
{
    size_t cap = sizeof f->tail;
    if (n >= cap) {
        memcpy(f->tail, s + n - cap, cap);
        f->ntail = cap;
        return;
    }
    size_t keep = f->ntail + n > cap ? cap - n : f->ntail;
    memmove(f->tail, f->tail + f->ntail - keep, keep);
    memcpy(f->tail + keep, s, n);
    f->ntail = keep + n;
}

/* Has the file been cut below what was read, or cut and written again past
 * it (the bytes before f->off are not those read)? */
static int follow_truncated(follower *f)
{
    struct stat st;
    if (!f->regular || fstat(f->fd, &st) != 0)
        return 0;
    if (st.st_size < f->off)
        return 1;
    char now[sizeof f->tail];
    return f->ntail > 0 && (pread(f->fd, now, f->ntail, f->off - (off_t)f->ntail) != (ssize_t)f->ntail ||
                            memcmp(now, f->tail, f->ntail) != 0);
}

/* Opens the path: at the start of a run, after a rotation, or when it comes
 * back.  Returns 0 when it cannot be opened now (said once per outage). */
static int follow_open_path(follower *f)
{
    struct stat st;
    int fd = open(f->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 && fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        fd = -1;
        errno = e;
    }
    if (fd >= 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        fd = -1;
        errno = EISDIR;
    }
    if (fd < 0) {
        if (!f->missing)
            notice("file '%s': %s; waiting for it", f->path, strerror(errno));
        f->missing = 1;
        return 0;
    }
    if (f->missing)
        notice("file '%s' is there again; reading it from its start", f->path);
    f->missing = 0;
    follow_attach(f, fd, &st);
    return 1;
}

/* from: "end": skips the lines already complete.  A last line still being
 * written (no newline yet) is read from its start, so it comes whole; one
 * already too long is skipped up to its newline. */
static void follow_seek_end(follower *f, off_t size)
{
    off_t limit = (off_t)f->acc.max_line + 2;
    off_t lo = size > limit ? size - limit : 0, hi = size, start = -1;
    while (hi > lo && start < 0) {
        size_t n = hi - lo > (off_t)LIVE_READ ? LIVE_READ : (size_t)(hi - lo);
        if (pread(f->fd, f->scratch, n, hi - (off_t)n) != (ssize_t)n)
            break;
        for (size_t i = n; i > 0 && start < 0; i--)
            if (f->scratch[i - 1] == '\n')
                start = hi - (off_t)n + (off_t)i;
        hi -= (off_t)n;
    }
    if (start < 0) {
        if (hi == 0)
            start = 0; /* no newline at all: the one partial line, whole */
        else {
            start = size;
            f->acc.skipping = 1;
        }
    }
    if (lseek(f->fd, start, SEEK_SET) == start)
        f->off = start;
}

static void follow_close(void *p)
{
    follower *f = p;
    if (!f)
        return;
    if (f->path && f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f->scratch);
    acc_free(&f->acc);
    free(f);
}

/* Follows `path` ("-": standard input, read as it comes, until it ends). */
static void *follow_open(const char *path, int from_end, const sp_run_options *opt, char **err)
{
    follower *f = sp_xmalloc(sizeof *f);
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->acc.max_line = max_line_of(opt);
    f->batch_bytes = batch_bytes_of(opt);
    f->scratch = sp_xmalloc(LIVE_READ);
    if (strcmp(path, "-") == 0) {
        f->fd = 0;
        return f;
    }
    f->path = xstrndup(path, strlen(path));
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        notice("file '%s' does not exist (yet); waiting for it", path);
        f->missing = 1;
        return f;
    }
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        fd = -1;
        errno = e;
    }
    if (fd >= 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        fd = -1;
        errno = EISDIR;
    }
    if (fd < 0) {
        *err = errmsg("cannot open input '%s': %s", path, strerror(errno));
        follow_close(f);
        return NULL;
    }
    follow_attach(f, fd, &st);
    if (from_end && f->regular)
        follow_seek_end(f, st.st_size);
    return f;
}

/* Reads the open file until it has nothing more for now or the batch is
 * full.  Returns 0, or -1 on a read error (*err). */
static int follow_drain(follower *f, sp_arena *a, sp_vec *out, int64_t max, int64_t *count, uint64_t *malformed,
                        char **err)
{
    if (follow_truncated(f)) {
        f->truncations++;
        notice("file '%s' was truncated; reading it again from its start (truncations so far: %" PRIu64 ")",
               f->path, f->truncations);
        acc_end(&f->acc); /* a partial line read before is a line */
        if (lseek(f->fd, 0, SEEK_SET) != 0) {
            *err = errmsg("reading %s failed: %s", f->path, strerror(errno));
            return -1;
        }
        f->off = 0;
        f->ntail = 0;
    }
    size_t budget = f->batch_bytes;
    for (;;) {
        acc_take(&f->acc, a, out, max, count, malformed);
        if (*count >= max || budget == 0)
            return 0;
        if (!f->path) { /* standard input: only what is there (it is not ours to make non-blocking) */
            struct pollfd pfd = {f->fd, POLLIN, 0};
            if (poll(&pfd, 1, 0) <= 0)
                return 0;
        }
        ssize_t got = read(f->fd, f->scratch, LIVE_READ);
        if (got > 0) {
            f->off += got;
            if (f->regular)
                follow_keep_tail(f, f->scratch, (size_t)got);
            budget = (size_t)got >= budget ? 0 : budget - (size_t)got;
            acc_append(&f->acc, f->scratch, (size_t)got);
            continue;
        }
        if (got == 0) {
            if (!f->path)
                f->eof = 1;
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        *err = errmsg("reading %s failed: %s", f->path ? f->path : "standard input", strerror(errno));
        return -1;
    }
}

/* After reading to the end: is the open file finished with?  Yes when the
 * path names another file now (rotated), or when the path is gone and the
 * file was deleted; a renamed file may still grow, so it is kept. */
static int follow_finished(follower *f)
{
    struct stat st;
    if (stat(f->path, &st) == 0) {
        if (st.st_dev == f->dev && st.st_ino == f->ino) {
            if (f->missing)
                notice("file '%s' is there again", f->path);
            f->missing = 0;
            return 0;
        }
        return 1;
    }
    if (!f->missing)
        notice("file '%s' is gone (%s); waiting for it to come back", f->path, strerror(errno));
    f->missing = 1;
    return fstat(f->fd, &st) == 0 && st.st_nlink == 0;
}

static int follow_read(void *p, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    follower *f = p;
    int64_t count = 0;
    acc_take(&f->acc, a, out, max, &count, malformed);
    while (count < max) {
        if (f->fd < 0 && !follow_open_path(f))
            break; /* missing: try again next batch */
        if (follow_drain(f, a, out, max, &count, malformed, err) < 0)
            return -1;
        if (count >= max)
            break;
        if (!f->path) { /* standard input */
            if (!f->eof)
                break;
            acc_end(&f->acc);
            acc_take(&f->acc, a, out, max, &count, malformed);
            return f->acc.len > 0;
        }
        if (!follow_finished(f))
            break;
        /* read the old file to its very end (a writer may have added a last
         * line meanwhile), then go on with the file the path names now */
        if (follow_drain(f, a, out, max, &count, malformed, err) < 0)
            return -1;
        if (count >= max)
            break;
        acc_end(&f->acc);
        acc_take(&f->acc, a, out, max, &count, malformed);
        close(f->fd);
        f->fd = -1;
    }
    return 1;
}

static void follow_position(void *p, sp_wbuf *w)
{
    follower *f = p;
    if (f->fd < 0) {
        sp_put_u8(w, 0);
        return;
    }
    put_file_position(w, f->fd, (uint64_t)f->off - f->acc.len, f->acc.skipping);
}

static int follow_seek(void *p, sp_rbuf *r, char **err)
{
    follower *f = p;
    const char *name = f->path ? f->path : "standard input";
    if (f->fd < 0) {
        *err = errmsg("file '%s' is missing; it will be read from its start when it comes", name);
        return 1;
    }
    uint64_t off;
    int skipping;
    int rc = get_file_position(r, f->fd, name, &off, &skipping, err);
    if (rc != 0)
        return rc;
    if (lseek(f->fd, (off_t)off, SEEK_SET) != (off_t)off) {
        *err = errmsg("file '%s': cannot seek to byte %" PRIu64 ": %s; reading it from its start", name, off,
                      strerror(errno));
        lseek(f->fd, 0, SEEK_SET);
        return 1;
    }
    f->off = (off_t)off;
    f->acc.len = f->acc.scan = 0;
    f->acc.skipping = skipping;
    f->ntail = 0;
    size_t nt = off < sizeof f->tail ? (size_t)off : sizeof f->tail;
    if (nt > 0 && pread(f->fd, f->tail, nt, (off_t)off - (off_t)nt) == (ssize_t)nt)
        f->ntail = nt;
    return 0;
}

static int follow_unbounded(const void *p)
{
    (void)p;
    return 1;
}

/* ----- tcp: connect to a server, or listen for clients ----- */

#define TCP_CONNECT_TIMEOUT_MS 5000
#define TCP_MAX_LISTEN 8

typedef struct tcp_peer {
    int fd;       /* -1: closed, with lines still to hand out */
    line_acc acc; /* bytes not handed out yet */
} tcp_peer;

typedef struct tcp_source {
    char *address;            /* as written, for messages; owned */
    char *host;               /* NULL: every address (listen), this machine (connect); owned */
    char *port;               /* owned */
    int listening;            /* listen instead of connect */
    int lfd[TCP_MAX_LISTEN];  /* listen: the sockets (IPv4, IPv6) */
    int nlfd;                 /* how many */
    tcp_peer *peers;          /* connect: the connection, if any; listen: the clients */
    size_t npeers;            /* how many */
    size_t cappeers;          /* room in peers */
    size_t next;              /* listen: the client read first (each gets a turn) */
    struct addrinfo *ai;      /* connect: the addresses being tried; owned */
    struct addrinfo *ai_cur;  /* the one being tried */
    int cfd;                  /* connect: a connection in progress, or -1 */
    int64_t cstart;           /* when it started (ms, monotonic) */
    int down;                 /* connect: an outage has been reported */
    int accept_noted;         /* listen: failing accept() has been reported */
    int64_t max_line;         /* longer lines are malformed */
    size_t batch_bytes;       /* bytes read from one connection per batch at most */
    char *scratch;            /* LIVE_READ bytes for read() */
} tcp_source;

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Connect mode: an outage is said once, until connected again. */
static void tcp_outage(tcp_source *t, const char *what, const char *detail)
{
    if (!t->down)
        notice("tcp '%s': %s%s%s; trying again every batch", t->address, what, detail ? ": " : "",
               detail ? detail : "");
    t->down = 1;
}

static void tcp_add_peer(tcp_source *t, int fd)
{
    if (t->npeers == t->cappeers) {
        t->cappeers = t->cappeers ? t->cappeers * 2 : 4;
        t->peers = sp_xrealloc(t->peers, sizeof *t->peers * t->cappeers);
    }
    tcp_peer *p = &t->peers[t->npeers++];
    memset(p, 0, sizeof *p);
    p->fd = fd;
    p->acc.max_line = t->max_line;
}

static void tcp_connected(tcp_source *t, int fd)
{
    tcp_add_peer(t, fd);
    t->cfd = -1;
    freeaddrinfo(t->ai);
    t->ai = t->ai_cur = NULL;
    if (t->down)
        notice("tcp '%s': connected", t->address);
    t->down = 0;
}

/* Connect mode: starts or goes on connecting, without waiting. */
static void tcp_connect_step(tcp_source *t)
{
    int err = ECONNREFUSED;
    if (t->cfd < 0) {
        struct addrinfo hints;
        memset(&hints, 0, sizeof hints);
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        int rc = getaddrinfo(t->host, t->port, &hints, &t->ai);
        if (rc != 0) {
            t->ai = NULL;
            tcp_outage(t, "cannot find the host", gai_strerror(rc));
            return;
        }
        t->ai_cur = t->ai;
    }
    for (;;) {
        while (t->cfd < 0 && t->ai_cur) {
            int fd = socket(t->ai_cur->ai_family, t->ai_cur->ai_socktype, t->ai_cur->ai_protocol);
            if (fd >= 0 && set_nonblock(fd) == 0) {
                if (connect(fd, t->ai_cur->ai_addr, t->ai_cur->ai_addrlen) == 0) {
                    tcp_connected(t, fd);
                    return;
                }
                if (errno == EINPROGRESS) {
                    t->cfd = fd;
                    t->cstart = monotonic_ms();
                    break;
                }
            }
            err = errno;
            if (fd >= 0)
                close(fd);
            t->ai_cur = t->ai_cur->ai_next;
        }
        if (t->cfd < 0) { /* every address failed */
            freeaddrinfo(t->ai);
            t->ai = t->ai_cur = NULL;
            tcp_outage(t, "cannot connect", strerror(err));
            return;
        }
        struct pollfd pfd = {t->cfd, POLLOUT, 0};
        int pr = poll(&pfd, 1, 0);
        if (pr < 0 && errno == EINTR)
            return;
        if (pr == 0) {
            if (monotonic_ms() - t->cstart < TCP_CONNECT_TIMEOUT_MS)
                return; /* still connecting: see next batch */
            err = ETIMEDOUT;
        } else {
            socklen_t len = sizeof err;
            if (pr < 0 || getsockopt(t->cfd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
                err = errno;
            if (err == 0) {
                tcp_connected(t, t->cfd);
                return;
            }
        }
        close(t->cfd);
        t->cfd = -1;
        t->ai_cur = t->ai_cur->ai_next;
    }
}

/* Listen mode: the sockets, for every address of the host (IPv4 and IPv6). */
static int tcp_listen(tcp_source *t, char **err)
{
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(t->host, t->port, &hints, &res);
    if (rc != 0) {
        *err = errmsg("tcp '%s': cannot listen: %s", t->address, gai_strerror(rc));
        return -1;
    }
    int any_port = strtol(t->port, NULL, 10) == 0;
    unsigned chosen = 0; /* port 0: the port the system picked for the first socket */
    int failed = 0;
    for (ai = res; ai && t->nlfd < TCP_MAX_LISTEN; ai = ai->ai_next) {
        if (chosen && ai->ai_family == AF_INET)
            ((struct sockaddr_in *)(void *)ai->ai_addr)->sin_port = htons((uint16_t)chosen);
        else if (chosen && ai->ai_family == AF_INET6)
            ((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_port = htons((uint16_t)chosen);
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol), one = 1;
        if (fd < 0)
            continue; /* (no IPv6 here, say) */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0 || set_nonblock(fd) != 0) {
            int e = errno;
            close(fd);
            if (e != EAFNOSUPPORT && e != EADDRNOTAVAIL && !(any_port && chosen) && !failed)
                failed = e;
            continue;
        }
        if (any_port && !chosen) {
            struct sockaddr_storage ss;
            socklen_t len = sizeof ss;
            if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
                chosen = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                                  : ntohs(((struct sockaddr_in *)&ss)->sin_port);
        }
        t->lfd[t->nlfd++] = fd;
    }
    freeaddrinfo(res);
    if (failed || t->nlfd == 0) {
        *err = errmsg("tcp '%s': cannot listen: %s", t->address, strerror(failed ? failed : EADDRNOTAVAIL));
        return -1;
    }
    if (any_port)
        notice("tcp '%s': listening on port %u", t->address, chosen);
    return 0;
}

static void tcp_accept_all(tcp_source *t)
{
    for (int i = 0; i < t->nlfd; i++) {
        for (;;) {
            int fd = accept(t->lfd[i], NULL, NULL);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED)
                    continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK && !t->accept_noted) {
                    notice("tcp '%s': cannot accept a client: %s", t->address, strerror(errno));
                    t->accept_noted = 1;
                }
                break;
            }
            t->accept_noted = 0;
            if (set_nonblock(fd) != 0) {
                close(fd);
                continue;
            }
            tcp_add_peer(t, fd);
        }
    }
}

/* Reads a connection until it has nothing more for now or the batch is
 * full.  Returns 1 when it ended (*why: 0 closed by the peer, else errno). */
static int tcp_peer_drain(tcp_source *t, tcp_peer *p, sp_arena *a, sp_vec *out, int64_t max, int64_t *count,
                          uint64_t *malformed, int *why)
{
    size_t budget = t->batch_bytes;
    for (;;) {
        acc_take(&p->acc, a, out, max, count, malformed);
        if (*count >= max || p->fd < 0 || budget == 0)
            return 0;
        ssize_t got = read(p->fd, t->scratch, LIVE_READ);
        if (got > 0) {
            budget = (size_t)got >= budget ? 0 : budget - (size_t)got;
            acc_append(&p->acc, t->scratch, (size_t)got);
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        *why = got < 0 ? errno : 0;
        close(p->fd);
        p->fd = -1;
        acc_end(&p->acc); /* a last line without newline is a line */
        acc_take(&p->acc, a, out, max, count, malformed);
        return 1;
    }
}

static int tcp_read(void *p, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    (void)err;
    tcp_source *t = p;
    int64_t count = 0;
    if (t->listening)
        tcp_accept_all(t);
    else if (t->npeers == 0)
        tcp_connect_step(t);
    size_t n = t->npeers, first = n ? t->next % n : 0;
    for (size_t i = 0; i < n && count < max; i++) {
        int why = 0;
        if (tcp_peer_drain(t, &t->peers[(first + i) % n], a, out, max, &count, malformed, &why) && !t->listening)
            tcp_outage(t, why ? "the connection failed" : "the server closed the connection",
                       why ? strerror(why) : NULL);
    }
    t->next = first + 1;
    size_t k = 0; /* forget the connections closed and handed out */
    for (size_t i = 0; i < t->npeers; i++) {
        if (t->peers[i].fd < 0 && t->peers[i].acc.len == 0)
            acc_free(&t->peers[i].acc);
        else
            t->peers[k++] = t->peers[i];
    }
    t->npeers = k;
    return 1;
}

static void tcp_close(void *p)
{
    tcp_source *t = p;
    if (!t)
        return;
    for (int i = 0; i < t->nlfd; i++)
        close(t->lfd[i]);
    for (size_t i = 0; i < t->npeers; i++) {
        if (t->peers[i].fd >= 0)
            close(t->peers[i].fd);
        acc_free(&t->peers[i].acc);
    }
    if (t->cfd >= 0)
        close(t->cfd);
    if (t->ai)
        freeaddrinfo(t->ai);
    free(t->peers);
    free(t->address);
    free(t->host);
    free(t->port);
    free(t->scratch);
    free(t);
}

/* HOST:PORT, [IPV6]:PORT or :PORT; listening, PORT may be 0 (any free
 * port, said on standard error). */
static void *tcp_open_params(const char *address, int listening, const sp_run_options *opt, char **err)
{
    const char *host = address, *colon;
    size_t hlen;
    if (address[0] == '[') {
        const char *rb = strchr(address, ']');
        colon = rb && rb[1] == ':' ? rb + 1 : NULL;
        host = address + 1;
        hlen = rb ? (size_t)(rb - host) : 0;
    } else {
        colon = strrchr(address, ':');
        hlen = colon ? (size_t)(colon - address) : 0;
    }
    const char *port = colon ? colon + 1 : "";
    char *end;
    long pn = strtol(port, &end, 10);
    if (!colon || !*port || *end || port[0] == '-' || port[0] == '+' || pn > 65535 || (pn == 0 && !listening)) {
        *err = errmsg("tcp address '%s': write HOST:PORT (localhost:9999, [::1]:9999%s), with a port from %d to 65535",
                      address, listening ? ", :9999 for every address" : "", listening ? 0 : 1);
        return NULL;
    }
    tcp_source *t = sp_xmalloc(sizeof *t);
    memset(t, 0, sizeof *t);
    t->cfd = -1;
    t->listening = listening;
    t->address = xstrndup(address, strlen(address));
    t->host = hlen ? xstrndup(host, hlen) : NULL;
    t->port = xstrndup(port, strlen(port));
    t->max_line = max_line_of(opt);
    t->batch_bytes = batch_bytes_of(opt);
    t->scratch = sp_xmalloc(LIVE_READ);
    if (listening) {
        if (tcp_listen(t, err) != 0) {
            tcp_close(t);
            return NULL;
        }
    } else
        tcp_connect_step(t); /* connected by the first batch, with luck */
    return t;
}

static void *tcp_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    return tcp_open_params(sp_io_arg_str(args, "address", a, ""), (int)sp_io_arg_int(args, "listen", 0), opt, err);
}

static int tcp_unbounded(const void *p)
{
    (void)p;
    return 1;
}

/* ----- the log generator (lines from loggen.c) ----- */

typedef struct generator {
    sp_loggen lines;     /* the line maker */
    int64_t count;       /* lines to make, -1 for no end */
    int64_t per_batch;   /* without end: lines per batch (rate x interval) */
} generator;

static void *gen_open_params(int64_t rate, int64_t count, uint64_t seed, const char *format,
                             const sp_run_options *opt, char **err)
{
    generator *g = sp_xmalloc(sizeof *g);
    memset(g, 0, sizeof *g);
    if (sp_loggen_init(&g->lines, seed, rate, format) != 0) {
        free(g);
        *err = errorf("generator: unknown format '%s'%s (combined or common)", format, "");
        return NULL;
    }
    g->count = count;
    g->per_batch = g->lines.rate * (opt->batch_ms > 0 ? opt->batch_ms : 1000) / 1000;
    if (g->per_batch < 1)
        g->per_batch = 1;
    return g;
}

static void *gen_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    return gen_open_params(sp_io_arg_int(args, "rate", 100), sp_io_arg_int(args, "count", -1),
                           (uint64_t)sp_io_arg_int(args, "seed", 1), sp_io_arg_str(args, "format", a, NULL), opt, err);
}

static sp_value gen_line(generator *g, sp_arena *a)
{
    char line[512];
    size_t n = sp_loggen_next(&g->lines, line, sizeof line);
    return sp_str_copy(a, line, n);
}

static int gen_read(void *p, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    (void)malformed, (void)err;
    generator *g = p;
    if (g->count < 0 && max > g->per_batch)
        max = g->per_batch; /* following the clock: `rate` lines a second */
    for (int64_t i = 0; i < max && (g->count < 0 || g->lines.made < g->count); i++)
        sp_vec_push(out, gen_line(g, a));
    return g->count < 0 || g->lines.made < g->count;
}

static void gen_position(void *p, sp_wbuf *w)
{
    generator *g = p;
    sp_put_u64(w, g->lines.rng);
    sp_put_i64(w, g->lines.made);
}

static int gen_seek(void *p, sp_rbuf *r, char **err)
{
    (void)err;
    generator *g = p;
    uint64_t rng = sp_get_u64(r);
    int64_t made = sp_get_i64(r);
    if (r->bad || made < 0 || rng == 0)
        return -1;
    g->lines.rng = rng;
    g->lines.made = made;
    return 0;
}

static void gen_close(void *p)
{
    free(p);
}

/* ----- input(URI) ----- */

/* Query parameter `key` of a URI ("...?a=1&b=2"), or NULL; in `a`. */
static const char *uri_query(const char *uri, const char *key, sp_arena *a)
{
    const char *q = strchr(uri, '?');
    if (!q && strncmp(uri, "gen:", 4) == 0 && uri[4])
        q = uri + 3; /* gen:count=3 reads like gen:?count=3 */
    size_t klen = strlen(key);
    while (q && *q) {
        q++;
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        if (n > klen && strncmp(q, key, klen) == 0 && q[klen] == '=')
            return sp_arena_strndup(a, q + klen + 1, n - klen - 1);
        q = amp;
    }
    return NULL;
}

/* An integer query parameter; `true`/`false` count as 1/0.  *bad is set
 * when the value is neither. */
static int64_t uri_query_int(const char *uri, const char *key, sp_arena *a, int64_t def, int *bad)
{
    const char *v = uri_query(uri, key, a);
    if (!v)
        return def;
    if (strcmp(v, "true") == 0)
        return 1;
    if (strcmp(v, "false") == 0)
        return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end) {
        *bad = 1;
        return def;
    }
    return x;
}

typedef struct input_state {
    const sp_source_impl *impl; /* the source chosen by the URI or the arguments */
    void *state;                /* its state */
} input_state;

static int reader_unbounded(const void *p)
{
    (void)p;
    return 0;
}

/* A regular file: its reads never wait on anyone. */
static int reader_read_ahead(const void *p)
{
    const line_reader *r = p;
    struct stat st;
    return fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode);
}

static int gen_unbounded(const void *p)
{
    const generator *g = p;
    return g->count < 0;
}

static const sp_source_impl reader_impl = {.open = NULL, .read = reader_read, .close = reader_close,
                                           .unbounded = reader_unbounded, .position = reader_position,
                                           .seek = reader_seek, .read_ahead = reader_read_ahead};
static const sp_source_impl gen_impl = {.open = NULL, .read = gen_read, .close = gen_close, .unbounded = gen_unbounded,
                                        .position = gen_position, .seek = gen_seek};
static const sp_source_impl follow_impl = {.open = NULL, .read = follow_read, .close = follow_close,
                                           .unbounded = follow_unbounded, .position = follow_position,
                                           .seek = follow_seek};
static const sp_source_impl tcp_impl = {.open = NULL, .read = tcp_read, .close = tcp_close, .unbounded = tcp_unbounded};
static const sp_source_impl kafka_impl = {.open = NULL, .read = sp_kafka_source_read, .close = sp_kafka_source_close,
                                          .unbounded = sp_kafka_source_unbounded, .commit = sp_kafka_source_commit,
                                          .position = sp_kafka_source_position, .seek = sp_kafka_source_seek,
                                          .lag = sp_kafka_source_lag};

/* kafka(topic, brokers:, group:, from:, until:) */
static void *kafka_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    sp_kafka_source_params pp = {sp_io_arg_str(args, "brokers", a, NULL), sp_io_arg_str(args, "topic", a, ""),
                                 sp_io_arg_str(args, "group", a, NULL),   sp_io_arg_str(args, "from", a, NULL),
                                 sp_io_arg_str(args, "until", a, NULL),   NULL};
    return sp_kafka_source_open(&pp, opt, err);
}

/* kafka://BROKERS/TOPIC?group=G&from=F&until=end; kafka:///TOPIC: the
 * configured brokers, else the embedded one. */
static void *kafka_uri_open(const char *uri, const sp_run_options *opt, sp_arena *a, char **err)
{
    static const char *const keys[] = {"group", "from", "until"};
    const char *hosts = uri + 8, *q = strchr(hosts, '?');
    size_t len = q ? (size_t)(q - hosts) : strlen(hosts);
    const char *slash = memchr(hosts, '/', len);
    const char *topic = slash ? slash + 1 : "";
    size_t tlen = slash ? len - (size_t)(topic - hosts) : 0;
    if (tlen > 0 && topic[tlen - 1] == '/')
        tlen--;
    if (!slash || tlen == 0 || memchr(topic, '/', tlen)) {
        *err = errmsg("input '%s': write kafka://BROKERS/TOPIC (kafka://localhost:9092/weblogs; kafka:///weblogs for "
                      "the configured or the embedded broker)",
                      uri);
        return NULL;
    }
    for (const char *k = q; k && *k;) { /* every key must be known: a typo must not go unnoticed */
        k++;
        size_t n = strcspn(k, "=&");
        int known = 0;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            known |= strlen(keys[i]) == n && strncmp(keys[i], k, n) == 0;
        if (!known) {
            *err = errmsg("input '%s': unknown query key '%.*s' (kafka:// takes group, from and until)", uri, (int)n, k);
            return NULL;
        }
        k = strchr(k, '&');
    }
    sp_kafka_source_params pp = {sp_arena_strndup(a, hosts, (size_t)(slash - hosts)), sp_arena_strndup(a, topic, tlen),
                                 uri_query(uri, "group", a), uri_query(uri, "from", a), uri_query(uri, "until", a),
                                 sp_arena_printf(a, "input '%s'", uri)};
    return sp_kafka_source_open(&pp, opt, err);
}

/* The source reading `path` ("-": standard input) into `in`: read whole, or
 * followed. */
static void path_source(input_state *in, const char *path, int follow, int from_end, const sp_run_options *opt,
                        sp_arena *a, char **err)
{
    if (follow) {
        in->impl = &follow_impl;
        in->state = follow_open(path, from_end, opt, err);
    } else if (strcmp(path, "-") == 0) {
        in->impl = &reader_impl;
        in->state = reader_open_fd(0, 0, "standard input", opt, a);
    } else {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            *err = errorf("cannot open input '%s': %s", path, strerror(errno));
        else {
            /* read from start to end: the kernel may read further ahead
             * (a file not in the page cache is then read in larger pieces) */
            (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
            in->impl = &reader_impl;
            in->state = reader_open_fd(fd, 1, path, opt, a);
        }
    }
}

static void *file_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    const char *path = sp_io_arg_str(args, "path", a, "-");
    int follow = sp_io_arg_int(args, "follow", 0) != 0;
    const char *from = sp_io_arg_str(args, "from", a, "start");
    if (strcmp(from, "start") != 0 && strcmp(from, "end") != 0) {
        *err = errmsg("file(\"%s\"): unknown from: \"%s\" (write \"start\" or \"end\")", path, from);
        return NULL;
    }
    int from_end = strcmp(from, "end") == 0;
    if (from_end && !follow) {
        *err = errmsg("file(\"%s\"): from: \"end\" needs follow: true", path);
        return NULL;
    }
    if (from_end && strcmp(path, "-") == 0) {
        *err = errmsg("file(\"-\"): from: \"end\" needs a file, not standard input");
        return NULL;
    }
    input_state *in = sp_xmalloc(sizeof *in);
    in->impl = NULL;
    in->state = NULL;
    path_source(in, path, follow, from_end, opt, a, err);
    if (!in->state) {
        free(in);
        return NULL;
    }
    return in;
}

static void *input_open(const sp_io_args *args, const sp_run_options *opt, sp_arena *a, char **err)
{
    const char *uri = sp_io_arg_str(args, "uri", a, "-");
    input_state *in = sp_xmalloc(sizeof *in);
    in->state = NULL;
    int bad = 0;
    if (strcmp(uri, "-") == 0 || strncmp(uri, "stdin:", 6) == 0) {
        in->impl = &reader_impl;
        in->state = reader_open_fd(0, 0, "standard input", opt, a);
    } else if (strcmp(uri, "demo") == 0 || strncmp(uri, "demo?", 5) == 0) {
        /* the Spark sample's architecture: generated lines through Kafka */
        int64_t rate = uri_query_int(uri, "rate", a, 100, &bad);
        uint64_t seed = (uint64_t)uri_query_int(uri, "seed", a, 1, &bad);
        if (!bad) {
            in->impl = &kafka_impl;
            in->state = sp_kafka_demo_open(rate, seed, uri_query(uri, "format", a), opt, err);
        }
    } else if (strncmp(uri, "gen:", 4) == 0) {
        in->impl = &gen_impl;
        in->state = gen_open_params(uri_query_int(uri, "rate", a, 100, &bad), uri_query_int(uri, "count", a, -1, &bad),
                                    (uint64_t)uri_query_int(uri, "seed", a, 1, &bad), uri_query(uri, "format", a), opt, err);
    } else if (strncmp(uri, "tcp://", 6) == 0) {
        /* tcp://HOST:PORT, tcp://[::1]:PORT, tcp://:PORT?listen=1 (a final '/' is allowed) */
        const char *addr = uri + 6;
        size_t n = strcspn(addr, "?");
        if (n > 0 && addr[n - 1] == '/')
            n--;
        int listening = uri_query_int(uri, "listen", a, 0, &bad) != 0;
        if (!bad) {
            in->impl = &tcp_impl;
            in->state = tcp_open_params(sp_arena_strndup(a, addr, n), listening, opt, err);
        }
    } else if (strncmp(uri, "kafka://", 8) == 0) {
        in->impl = &kafka_impl;
        in->state = kafka_uri_open(uri, opt, a, err);
    } else {
        const char *path = strncmp(uri, "file:", 5) == 0 ? uri + 5 : uri;
        char *q = strchr(path, '?');
        char *clean = sp_arena_strndup(a, path, q ? (size_t)(q - path) : strlen(path));
        int follow = q && uri_query_int(uri, "follow", a, 0, &bad) != 0;
        const char *from = q ? uri_query(uri, "from", a) : NULL;
        if (bad)
            ; /* said below */
        else if (from && strcmp(from, "start") != 0 && strcmp(from, "end") != 0)
            *err = errmsg("input '%s': unknown from=%s (write from=start or from=end)", uri, from);
        else if (from && strcmp(from, "end") == 0 && !follow)
            *err = errmsg("input '%s': from=end needs follow=1", uri);
        else
            path_source(in, clean, follow, from && strcmp(from, "end") == 0, opt, a, err);
    }
    if (bad && in->state) {
        in->impl->close(in->state);
        in->state = NULL;
    }
    if (bad && !*err)
        *err = errorf("input '%s': a query value is not a number%s (write ?count=1000&seed=7, ?follow=1, ?listen=1)", uri, "");
    if (!in->state) {
        free(in);
        return NULL;
    }
    return in;
}

static int input_read(void *p, sp_arena *a, sp_vec *out, int64_t max, uint64_t *malformed, char **err)
{
    input_state *in = p;
    return in->impl->read(in->state, a, out, max, malformed, err);
}

static void input_close(void *p)
{
    input_state *in = p;
    if (!in)
        return;
    in->impl->close(in->state);
    free(in);
}

static int input_commit(void *p, char **err)
{
    input_state *in = p;
    return in->impl->commit ? in->impl->commit(in->state, err) : 0;
}

/* A source chosen at run time may have no position (tcp): a first byte
 * says whether one follows. */
static void input_position(void *p, sp_wbuf *w)
{
    input_state *in = p;
    sp_put_u8(w, in->impl->position != NULL);
    if (in->impl->position)
        in->impl->position(in->state, w);
}

static int input_seek(void *p, sp_rbuf *r, char **err)
{
    input_state *in = p;
    unsigned has = sp_get_u8(r);
    if (r->bad || has > 1)
        return -1;
    if (!has || !in->impl->position) {
        *err = errmsg("the input %s; reading what comes next",
                      has ? "has no position to resume from now" : "had no position to resume from");
        return 1;
    }
    return in->impl->seek(in->state, r, err);
}

static int64_t input_lag(const void *p)
{
    const input_state *in = p;
    return in->impl->lag ? in->impl->lag(in->state) : -1;
}

static int input_read_ahead(const void *p)
{
    const input_state *in = p;
    return in->impl->read_ahead ? in->impl->read_ahead(in->state) : 0;
}

static int input_unbounded(const void *p)
{
    const input_state *in = p;
    return in->impl->unbounded(in->state);
}

static const sp_source_impl source_impls[SP_SOURCE_COUNT_] = {
    [SP_SOURCE_FILE] = {.open = file_open, .read = input_read, .close = input_close, .unbounded = input_unbounded,
                        .commit = input_commit, .position = input_position, .seek = input_seek, .lag = input_lag,
                        .read_ahead = input_read_ahead},
    [SP_SOURCE_STDIN] = {.open = stdin_open, .read = reader_read, .close = reader_close, .unbounded = reader_unbounded,
                         .position = reader_position, .seek = reader_seek, .read_ahead = reader_read_ahead},
    [SP_SOURCE_TCP] = {.open = tcp_open, .read = tcp_read, .close = tcp_close, .unbounded = tcp_unbounded},
    [SP_SOURCE_GENERATOR] = {.open = gen_open, .read = gen_read, .close = gen_close, .unbounded = gen_unbounded,
                             .position = gen_position, .seek = gen_seek},
    [SP_SOURCE_KAFKA] = {.open = kafka_open, .read = sp_kafka_source_read, .close = sp_kafka_source_close,
                         .unbounded = sp_kafka_source_unbounded, .commit = sp_kafka_source_commit,
                         .position = sp_kafka_source_position, .seek = sp_kafka_source_seek, .lag = sp_kafka_source_lag},
    [SP_SOURCE_INPUT] = {.open = input_open, .read = input_read, .close = input_close, .unbounded = input_unbounded,
                         .commit = input_commit, .position = input_position, .seek = input_seek, .lag = input_lag,
                         .read_ahead = input_read_ahead},
};

const sp_source_impl *sp_source_impl_for(int kind, const sp_io_args *args, sp_arena *a, char **err)
{
    (void)args, (void)a, (void)err;
    return kind >= 0 && kind < SP_SOURCE_COUNT_ ? &source_impls[kind] : NULL;
}

/* ----- sinks ----- */

typedef struct text_sink {
    FILE *fp;          /* where to write */
    int own;           /* fclose it at the end */
    int json;          /* JSON lines instead of text */
    const char *title; /* text heading */
    const char *name;  /* JSON "sink" */
    const char *kind;  /* "stdout", "stderr" or "file": for messages */
    const char *path;  /* for messages */
    const char *empty; /* text: the line for a one-value stream with no value, or NULL */
} text_sink;

static void *sink_open_common(const sp_io_args *args, const char *default_name, sp_arena *a,
                              FILE *fp, int own, const char *kind, const char *path, char **err)
{
    const char *format = sp_io_arg_str(args, "format", a, "text");
    if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
        *err = errorf("unknown output format '%s'%s: use text or json", format, "");
        if (own)
            fclose(fp);
        return NULL;
    }
    text_sink *s = sp_xmalloc(sizeof *s);
    s->fp = fp;
    s->own = own;
    s->json = strcmp(format, "json") == 0;
    s->title = sp_io_arg_str(args, "title", a, default_name);
    s->name = sp_io_arg_str(args, "name", a, s->title);
    s->empty = sp_io_arg_str(args, "empty", a, NULL);
    s->kind = kind;
    s->path = path;
    return s;
}

static void *stdout_open(const sp_io_args *args, const sp_run_options *opt, const char *default_name,
                         sp_arena *a, char **err)
{
    return sink_open_common(args, default_name, a, opt->out ? opt->out : stdout, 0, "stdout", "standard output", err);
}

static void *stderr_open(const sp_io_args *args, const sp_run_options *opt, const char *default_name,
                         sp_arena *a, char **err)
{
    (void)opt;
    return sink_open_common(args, default_name, a, stderr, 0, "stderr", "standard error", err);
}

static void *file_sink_open(const sp_io_args *args, const sp_run_options *opt, const char *default_name,
                            sp_arena *a, char **err)
{
    (void)opt;
    const char *path = sp_io_arg_str(args, "path", a, "");
    FILE *fp = fopen(path, "a");
    if (!fp) {
        int e = errno;
        *err = errmsg("file sink '%s': cannot open output '%s': %s",
                      sp_io_arg_str(args, "name", a, sp_io_arg_str(args, "title", a, default_name)), path,
                      strerror(e));
        return NULL;
    }
    return sink_open_common(args, default_name, a, fp, 1, "file", path, err);
}

static void print_title_value(FILE *fp, const char *title, const char *empty, const sp_vec *in, int singleton)
{
    if (!singleton) {
        fprintf(fp, "%s: [", title);
        for (size_t i = 0; i < in->n; i++) {
            if (i)
                fputs(", ", fp);
            sp_value_print(in->v[i], fp);
        }
        fputs("]\n", fp);
        return;
    }
    if (in->n == 0) {
        if (empty)
            fprintf(fp, "%s\n", empty);
        else
            fprintf(fp, "%s: no data in this interval\n", title);
        return;
    }
    sp_value v = in->v[0];
    if (v.tag == SP_V_RECORD) {
        /* Content Size Avg: 1552, Min: 100, Max: 2500 */
        fputs(title, fp);
        for (uint32_t i = 0; i < v.n; i++) {
            const char *name = v.u.rec->shape->names[i];
            fprintf(fp, "%s%c%s: ", i ? ", " : " ", name[0] >= 'a' && name[0] <= 'z' ? name[0] - 32 : name[0],
                    name + 1);
            sp_value_print(v.u.rec->vals[i], fp);
        }
        fputc('\n', fp);
        return;
    }
    fprintf(fp, "%s: ", title);
    sp_value_print(v, fp);
    fputc('\n', fp);
}

static void print_json_string_plain(FILE *fp, const char *s)
{
    sp_value_print_json(sp_str(s, strlen(s)), fp);
}

static int text_sink_write(void *p, const sp_sink_ctx *c, const sp_vec *in, char **err)
{
    text_sink *s = p;
    if (s->json) {
        fputs("{\"sink\":", s->fp);
        print_json_string_plain(s->fp, s->name);
        fprintf(s->fp, ",\"batch\":%" PRIu64 ",\"time\":%" PRId64 ",\"value\":", c->batch, c->time_ms);
        if (c->singleton)
            sp_value_print_json(in->n ? in->v[0] : sp_null(), s->fp);
        else {
            fputc('[', s->fp);
            for (size_t i = 0; i < in->n; i++) {
                if (i)
                    fputc(',', s->fp);
                sp_value_print_json(in->v[i], s->fp);
            }
            fputc(']', s->fp);
        }
        fputs("}\n", s->fp);
    } else {
        /* one header per batch (or event-time window) on standard output;
         * a file sink writes its own; standard error gets none (it carries
         * the run's messages, one line each) */
        int64_t *last = s->fp == c->out ? c->header_time : NULL;
        if (s->fp != stderr && (!last || *last != c->time_ms)) {
            fprintf(s->fp, "-------------------------------------------\n%s: %" PRId64
                           " ms\n-------------------------------------------\n",
                    c->event_time ? "Window ending" : "Time", c->time_ms);
            if (last)
                *last = c->time_ms;
        }
        print_title_value(s->fp, s->title, s->empty, in, c->singleton);
    }
    /* Everything is flushed here, every batch: a full disk or /dev/full,
     * where fprintf only fills the buffer, fails now, not at fclose. */
    if (fflush(s->fp) != 0 || ferror(s->fp)) {
        int e = errno;
        *err = errmsg("%s sink '%s': writing to %s failed: %s", s->kind, s->name, s->path,
                      strerror(e ? e : EIO));
        return -1;
    }
    return 0;
}

static void text_sink_close(void *p)
{
    text_sink *s = p;
    if (!s)
        return;
    if (s->own)
        fclose(s->fp);
    free(s);
}

const sp_sink_impl sp_sink_impls[SP_SINK_COUNT_] = {
    [SP_SINK_STDOUT] = {stdout_open, text_sink_write, text_sink_close},
    [SP_SINK_STDERR] = {stderr_open, text_sink_write, text_sink_close},
    [SP_SINK_FILE] = {file_sink_open, text_sink_write, text_sink_close},
    [SP_SINK_KAFKA] = {sp_kafka_sink_open, sp_kafka_sink_write, sp_kafka_sink_close},
};
