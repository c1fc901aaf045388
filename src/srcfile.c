/* srcfile.c - pipeline source text and line table: see srcfile.h. */
#include "srcfile.h"
#include "arena.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sp_srcfile {
    char *name;       /* display name, owned */
    char *text;       /* contents plus a NUL, owned */
    size_t len;       /* bytes in text, without the added NUL */
    int *line_start;  /* byte offset where each line begins, owned */
    int nlines;       /* entries in line_start */
};

static sp_srcfile *srcfile_build(const char *name, char *text, size_t len)
{
    sp_srcfile *f = sp_xmalloc(sizeof *f);
    f->name = sp_xstrdup(name);
    f->text = text;
    f->len = len;
    int cap = 64;
    f->line_start = sp_xmalloc(sizeof(int) * (size_t)cap);
    f->nlines = 0;
    f->line_start[f->nlines++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' && i + 1 < len) {
            if (f->nlines == cap) {
                cap *= 2;
                f->line_start = sp_xrealloc(f->line_start, sizeof(int) * (size_t)cap);
            }
            f->line_start[f->nlines++] = (int)(i + 1);
        }
    }
    return f;
}

sp_srcfile *sp_srcfile_from_string(const char *name, const char *text, size_t len)
{
    char *copy = sp_xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    return srcfile_build(name, copy, len);
}

/* Pipeline files larger than this are refused: no real pipeline comes near. */
#define SRCFILE_MAX (16 * 1024 * 1024)

sp_srcfile *sp_srcfile_load(const char *path, char **err)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!fp) {
        size_t n = strlen(path) + 128;
        *err = sp_xmalloc(n);
        snprintf(*err, n, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = sp_xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = sp_xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, fp);
        len += got;
        if (len > SRCFILE_MAX) {
            free(buf);
            if (fp != stdin)
                fclose(fp);
            size_t n = strlen(path) + 128;
            *err = sp_xmalloc(n);
            snprintf(*err, n, "'%s' is larger than %d MiB; is it really a pipeline?", path,
                     SRCFILE_MAX / (1024 * 1024));
            return NULL;
        }
        if (got == 0)
            break;
    }
    int failed = ferror(fp);
    int saved = errno;
    if (fp != stdin)
        fclose(fp);
    if (failed) {
        free(buf);
        size_t n = strlen(path) + 128;
        *err = sp_xmalloc(n);
        snprintf(*err, n, "cannot read '%s': %s", path, strerror(saved));
        return NULL;
    }
    buf[len] = '\0';
    return srcfile_build(strcmp(path, "-") == 0 ? "<stdin>" : path, buf, len);
}

void sp_srcfile_free(sp_srcfile *f)
{
    if (!f)
        return;
    free(f->name);
    free(f->text);
    free(f->line_start);
    free(f);
}

const char *sp_srcfile_name(const sp_srcfile *f)
{
    return f->name;
}

const char *sp_srcfile_text(const sp_srcfile *f, size_t *len)
{
    if (len)
        *len = f->len;
    return f->text;
}

int sp_srcfile_line_count(const sp_srcfile *f)
{
    return f->nlines;
}

void sp_srcfile_position(const sp_srcfile *f, int offset, int *line, int *col)
{
    if (offset < 0)
        offset = 0;
    if ((size_t)offset > f->len)
        offset = (int)f->len;
    int lo = 0, hi = f->nlines - 1;
    while (lo < hi) { /* last line whose start <= offset */
        int mid = (lo + hi + 1) / 2;
        if (f->line_start[mid] <= offset)
            lo = mid;
        else
            hi = mid - 1;
    }
    int c = 1;
    for (int i = f->line_start[lo]; i < offset && f->text[i] != '\n'; i++)
        if (((unsigned char)f->text[i] & 0xC0) != 0x80)
            c++;
    *line = lo + 1;
    *col = c;
}

size_t sp_srcfile_line(const sp_srcfile *f, int line, const char **start)
{
    if (line < 1 || line > f->nlines) {
        *start = "";
        return 0;
    }
    int s = f->line_start[line - 1];
    size_t e = (size_t)s;
    while (e < f->len && f->text[e] != '\n')
        e++;
    if (e > (size_t)s && f->text[e - 1] == '\r')
        e--;
    *start = f->text + s;
    return e - (size_t)s;
}
