/* graphviz.c - DOT text through Graphviz's `dot`; see graphviz.h. */
#define _GNU_SOURCE /* pipe2 */
#include "graphviz.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"

extern char **environ;

char *sp_graphviz_find(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char *cand = sp_xmalloc(n + 5);
        if (n == 0)
            memcpy(cand, ".", 2), n = 1; /* an empty entry is the current directory */
        else
            memcpy(cand, path, n);
        memcpy(cand + n, "/dot", 5);
        if (access(cand, X_OK) == 0)
            return cand;
        free(cand);
        path += strcspn(path, ":");
        if (*path == ':')
            path++;
    }
    return NULL;
}

/* A growing buffer. */
typedef struct gbuf {
    char *p;
    size_t n, cap;
} gbuf;

static int gbuf_read(gbuf *b, int fd)
{
    if (b->cap - b->n < 4096) {
        b->cap = b->cap ? b->cap * 2 : 16384;
        b->p = sp_xrealloc(b->p, b->cap);
    }
    ssize_t r = read(fd, b->p + b->n, b->cap - b->n - 1);
    if (r > 0)
        b->n += (size_t)r;
    return r > 0 ? 1 : r == 0 ? 0 : (errno == EINTR || errno == EAGAIN) ? 1 : -1;
}

static char *msg(const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *s = sp_xmalloc(n);
    snprintf(s, n, fmt, a, b);
    return s;
}

int sp_graphviz_render(const char *dot_text, size_t len, const char *format, char **out, size_t *outlen,
                       char **err)
{
    *out = NULL;
    *outlen = 0;
    char *dot = sp_graphviz_find();
    if (!dot) {
        *err = msg("Graphviz is not installed (no 'dot' on PATH%s%s); install the Debian package 'graphviz'", "", "");
        return -1;
    }
    int in[2] = {-1, -1}, res[2] = {-1, -1}, ers[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(res, O_CLOEXEC) != 0 || pipe2(ers, O_CLOEXEC) != 0) {
        *err = msg("cannot run %s: %s", dot, strerror(errno));
        for (int k = 0; k < 2; k++) {
            if (in[k] >= 0)
                close(in[k]);
            if (res[k] >= 0)
                close(res[k]);
            if (ers[k] >= 0)
                close(ers[k]);
        }
        free(dot);
        return -1;
    }
    char tflag[32];
    snprintf(tflag, sizeof tflag, "-T%s", format);
    char *argv[] = {"dot", tflag, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, res[1], 1);
    posix_spawn_file_actions_adddup2(&fa, ers[1], 2);
    pid_t pid;
    int rc = posix_spawn(&pid, dot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(res[1]);
    close(ers[1]);
    if (rc != 0) {
        *err = msg("cannot run %s: %s", dot, strerror(rc));
        close(in[1]);
        close(res[0]);
        close(ers[0]);
        free(dot);
        return -1;
    }
    /* write the graph while reading the picture and the messages: neither
     * side waits on a full pipe */
    gbuf o = {0}, e = {0};
    size_t written = 0;
    int wfd = in[1], open_out = 1, open_err = 1;
    fcntl(wfd, F_SETFL, O_NONBLOCK);
    if (len == 0)
        close(wfd), wfd = -1;
    while (open_out || open_err) {
        struct pollfd p[3] = {{res[0], POLLIN, 0}, {ers[0], POLLIN, 0}, {wfd, POLLOUT, 0}};
        p[0].fd = open_out ? res[0] : -1;
        p[1].fd = open_err ? ers[0] : -1;
        if (poll(p, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[0].revents && gbuf_read(&o, res[0]) <= 0)
            open_out = 0;
        if (p[1].revents && gbuf_read(&e, ers[0]) <= 0)
            open_err = 0;
        if (wfd >= 0 && p[2].revents) {
            ssize_t w = write(wfd, dot_text + written, len - written);
            if (w > 0)
                written += (size_t)w;
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == len)
                close(wfd), wfd = -1;
        }
    }
    if (wfd >= 0)
        close(wfd);
    close(res[0]);
    close(ers[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || o.n == 0) {
        if (e.p)
            e.p[e.n] = '\0';
        while (e.n > 0 && (e.p[e.n - 1] == '\n' || e.p[e.n - 1] == ' '))
            e.p[--e.n] = '\0';
        *err = msg("%s failed: %s", dot, e.n ? e.p : "no output");
        free(o.p);
        free(e.p);
        free(dot);
        return -1;
    }
    o.p[o.n] = '\0';
    *out = o.p;
    *outlen = o.n;
    free(e.p);
    free(dot);
    return 0;
}
