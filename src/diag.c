/* diag.c - diagnostics with file:line:col, the source line and a caret. */
#include "diag.h"
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DIAG_MAX_PRINTED_ERRORS 50

typedef struct diag_msg {
    sp_severity sev; /* kind of message */
    sp_loc loc;      /* where; loc.file < 0 for none */
    char *text;      /* the message, owned by the arena */
    char *hint;      /* how to fix it, or NULL; owned by the arena */
    int line, col;   /* computed position, 0 when none */
    uint64_t hash;   /* of sev, loc.file, loc.start and text, for `seen` */
} diag_msg;

struct sp_diag {
    FILE *out;            /* where messages go, or NULL; not owned */
    sp_arena *arena;      /* owns message texts */
    sp_srcfile **files;   /* owned source files */
    int nfiles, capfiles; /* entries / capacity of files */
    diag_msg *msgs;       /* every message, in order; owned */
    int nmsgs, capmsgs;   /* entries / capacity of msgs */
    int *seen;            /* hash table of msgs: index + 1, 0 when free; owned */
    size_t capseen;       /* its size, a power of two (0: none yet) */
    sp_loc *spans;        /* ranges of the errors so far, sorted by (file, start); owned */
    int nspans, capspans; /* entries / capacity of spans */
    int errors, warnings; /* counts, including suppressed ones */
    int quiet_warnings;   /* do not print warnings */
    int overflow_said;    /* "too many errors" already printed */
};

sp_diag *sp_diag_new(FILE *out)
{
    sp_diag *d = sp_xmalloc(sizeof *d);
    memset(d, 0, sizeof *d);
    d->out = out;
    d->arena = sp_arena_new();
    return d;
}

void sp_diag_free(sp_diag *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->nfiles; i++)
        sp_srcfile_free(d->files[i]);
    free(d->files);
    free(d->msgs);
    free(d->seen);
    free(d->spans);
    sp_arena_free(d->arena);
    free(d);
}

int sp_diag_add_file(sp_diag *d, sp_srcfile *f)
{
    if (d->nfiles == d->capfiles) {
        d->capfiles = d->capfiles ? d->capfiles * 2 : 4;
        d->files = sp_xrealloc(d->files, sizeof *d->files * (size_t)d->capfiles);
    }
    d->files[d->nfiles] = f;
    return d->nfiles++;
}

const sp_srcfile *sp_diag_file(const sp_diag *d, int idx)
{
    return idx >= 0 && idx < d->nfiles ? d->files[idx] : NULL;
}

int sp_diag_file_count(const sp_diag *d)
{
    return d->nfiles;
}

void sp_diag_position(const sp_diag *d, sp_loc loc, int *line, int *col)
{
    const sp_srcfile *f = sp_diag_file(d, loc.file);
    if (!f) {
        *line = *col = 0;
        return;
    }
    sp_srcfile_position(f, loc.start, line, col);
}

void sp_diag_format_loc(const sp_diag *d, sp_loc loc, char *buf, size_t size)
{
    const sp_srcfile *f = sp_diag_file(d, loc.file);
    if (!f) {
        snprintf(buf, size, "streampipe");
        return;
    }
    int line, col;
    sp_srcfile_position(f, loc.start, &line, &col);
    snprintf(buf, size, "%s:%d:%d", sp_srcfile_name(f), line, col);
}

/* Prints the source line of `loc` and a caret under its first character,
 * followed by '~' under the rest of the range on that line. */
static void diag_print_excerpt(const sp_diag *d, const diag_msg *m)
{
    const sp_srcfile *f = sp_diag_file(d, m->loc.file);
    if (!f)
        return;
    const char *text;
    size_t len = sp_srcfile_line(f, m->line, &text);
    size_t tlen;
    const char *all = sp_srcfile_text(f, &tlen);
    size_t line_off = (size_t)(text - all);
    char gutter[16];
    int gw = snprintf(gutter, sizeof gutter, "%d", m->line);
    fprintf(d->out, " %*s | ", gw + 3, gutter);
    /* Control bytes and NULs are shown as '?' so the excerpt stays one line. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        fputc(c == '\t' || c >= 0x20 ? c : '?', d->out);
    }
    fputc('\n', d->out);
    fprintf(d->out, " %*s | ", gw + 3, "");
    size_t start = (size_t)m->loc.start - line_off;
    size_t end = m->loc.end > m->loc.start ? (size_t)m->loc.end - line_off : start + 1;
    if (start > len)
        start = len;
    if (end > len)
        end = len > start ? len : start + 1;
    for (size_t i = 0; i < start; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\t')
            fputc('\t', d->out);
        else if ((c & 0xC0) != 0x80)
            fputc(' ', d->out);
    }
    fputc('^', d->out);
    for (size_t i = start + 1; i < end; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            fputc('~', d->out);
    fputc('\n', d->out);
}

/* FNV-1a over what makes two messages the same. */
static uint64_t msg_hash(sp_severity sev, sp_loc loc, const char *text)
{
    uint64_t h = 14695981039346656037u;
    const uint64_t prime = 1099511628211u;
    h = (h ^ (uint64_t)sev) * prime;
    h = (h ^ (uint64_t)(unsigned)loc.file) * prime;
    h = (h ^ (uint64_t)(unsigned)loc.start) * prime;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * prime;
    return h;
}

static void seen_insert(sp_diag *d, int idx)
{
    size_t i = (size_t)d->msgs[idx].hash & (d->capseen - 1);
    while (d->seen[i])
        i = (i + 1) & (d->capseen - 1);
    d->seen[i] = idx + 1;
}

/* Is there already a message like this one?  A checker that visits a function
 * body once per call can report thousands: a linear search would be
 * quadratic. */
static int seen_find(const sp_diag *d, uint64_t h, sp_severity sev, sp_loc loc, const char *text)
{
    if (!d->capseen)
        return 0;
    for (size_t i = (size_t)h & (d->capseen - 1); d->seen[i]; i = (i + 1) & (d->capseen - 1)) {
        const diag_msg *o = &d->msgs[d->seen[i] - 1];
        if (o->hash == h && o->sev == sev && o->loc.file == loc.file && o->loc.start == loc.start &&
            strcmp(o->text, text) == 0)
            return 1;
    }
    return 0;
}

static const char *severity_name(sp_severity s)
{
    switch (s) {
    case SP_ERROR: return "error";
    case SP_WARNING: return "warning";
    case SP_NOTE: return "note";
    }
    return "error";
}

/* Position of the first span after (file, start) in the sorted spans. */
static int span_upper(const sp_diag *d, int file, int start)
{
    int lo = 0, hi = d->nspans;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        const sp_loc *s = &d->spans[mid];
        if (s->file < file || (s->file == file && s->start <= start))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Does `loc` overlap the text of an earlier error?  Empty ranges count as
 * the one character they stand before.  Looks at the nearest spans only
 * (errors rarely nest deeply), so this stays cheap with thousands. */
static int overlaps_error(const sp_diag *d, sp_loc loc)
{
    if (loc.file < 0)
        return 0;
    int end = loc.end > loc.start ? loc.end : loc.start + 1;
    int i = span_upper(d, loc.file, end - 1);
    for (int k = i - 1; k >= 0 && k >= i - 32; k--) {
        const sp_loc *s = &d->spans[k];
        if (s->file != loc.file)
            break;
        int send = s->end > s->start ? s->end : s->start + 1;
        if (s->start < end && loc.start < send)
            return 1;
    }
    return 0;
}

static void add_span(sp_diag *d, sp_loc loc)
{
    if (loc.file < 0 || loc.end <= loc.start)
        return; /* about no text (a whole file, the end of input): hides nothing */
    if (d->nspans == d->capspans) {
        d->capspans = d->capspans ? d->capspans * 2 : 16;
        d->spans = sp_xrealloc(d->spans, sizeof *d->spans * (size_t)d->capspans);
    }
    int i = span_upper(d, loc.file, loc.start);
    memmove(d->spans + i + 1, d->spans + i, sizeof *d->spans * (size_t)(d->nspans - i));
    d->spans[i] = loc;
    d->nspans++;
}

void sp_diag_report(sp_diag *d, sp_severity sev, sp_loc loc, const char *hint,
                    const char *fmt, ...)
{
    /* A problem in text already reported as wrong is a consequence of that
     * error ("the window length must be a duration" after "invalid number
     * '30sec'"): saying it again would only mislead. */
    if (sev != SP_NOTE && overlaps_error(d, loc))
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *text = sp_arena_alloc(d->arena, n > 0 ? (size_t)n + 1 : 1);
    va_start(ap, fmt);
    vsnprintf(text, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    va_end(ap);

    uint64_t h = msg_hash(sev, loc, text);
    if (seen_find(d, h, sev, loc, text)) /* the same message twice is noise */
        return;
    if ((size_t)d->nmsgs + 1 > d->capseen / 2) { /* keep the table at most half full */
        free(d->seen);
        d->capseen = d->capseen ? d->capseen * 2 : 64;
        d->seen = sp_xmalloc(sizeof *d->seen * d->capseen);
        memset(d->seen, 0, sizeof *d->seen * d->capseen);
        for (int i = 0; i < d->nmsgs; i++)
            seen_insert(d, i);
    }
    if (d->nmsgs == d->capmsgs) {
        d->capmsgs = d->capmsgs ? d->capmsgs * 2 : 16;
        d->msgs = sp_xrealloc(d->msgs, sizeof *d->msgs * (size_t)d->capmsgs);
    }
    diag_msg *m = &d->msgs[d->nmsgs++];
    m->sev = sev;
    m->loc = loc;
    m->text = text;
    m->hash = h;
    seen_insert(d, d->nmsgs - 1);
    m->hint = hint ? sp_arena_strdup(d->arena, hint) : NULL;
    sp_diag_position(d, loc, &m->line, &m->col);

    if (sev == SP_ERROR) {
        d->errors++;
        add_span(d, loc);
    }
    else if (sev == SP_WARNING)
        d->warnings++;
    if (!d->out)
        return;
    if (sev == SP_WARNING && d->quiet_warnings)
        return;
    if (d->errors > DIAG_MAX_PRINTED_ERRORS) {
        if (!d->overflow_said)
            fprintf(d->out, "streampipe: too many errors, stopping here\n");
        d->overflow_said = 1;
        return;
    }
    char where[512];
    sp_diag_format_loc(d, loc, where, sizeof where);
    fprintf(d->out, "%s: %s: %s\n", where, severity_name(sev), text);
    diag_print_excerpt(d, m);
    if (hint) {
        int gw = snprintf(NULL, 0, "%d", m->line > 0 ? m->line : 1);
        fprintf(d->out, " %*s = hint: %s\n", gw + 3, "", hint);
    }
}

int sp_diag_errors(const sp_diag *d) { return d->errors; }
int sp_diag_warnings(const sp_diag *d) { return d->warnings; }
void sp_diag_set_quiet_warnings(sp_diag *d, int quiet) { d->quiet_warnings = quiet; }
int sp_diag_count(const sp_diag *d) { return d->nmsgs; }
sp_severity sp_diag_severity(const sp_diag *d, int i) { return d->msgs[i].sev; }
const char *sp_diag_message(const sp_diag *d, int i) { return d->msgs[i].text; }
const char *sp_diag_hint(const sp_diag *d, int i) { return d->msgs[i].hint; }
int sp_diag_line(const sp_diag *d, int i) { return d->msgs[i].line; }
int sp_diag_col(const sp_diag *d, int i) { return d->msgs[i].col; }
