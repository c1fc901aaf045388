/* builtins.c - the built-in functions: their table (from builtins.def) and
 * their implementations (sp_builtin_call).
 *
 * Conventions of the implementations:
 * - a null argument gives null, except where a function says otherwise
 *   (coalesce, is_null, fold, to_int/to_float, format, hash);
 * - an argument of the wrong type is a run-time error (sp_eval_error, counted
 *   and reported once per place) and gives null; invalid data (a string that
 *   is not a number, a date that does not exist) just gives null;
 * - results live in ev->arena; strings are views (pointer + length, no NUL),
 *   so nothing here reads past a string's length; a result that is a part of
 *   an argument (trim, substr, split, extract) is a view into it;
 * - nothing is malloc'd per call except the one cached run-time regex. */
#define _GNU_SOURCE /* memmem */
#include "builtins.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "eval.h"
#include "value.h"
#include "weblog.h"

const sp_builtin_info sp_builtins[SP_BUILTIN_COUNT_] = {
#define SP_BUILTIN(id, name, min, max, result, summary) {name, min, max, result, summary},
#include "builtins.def"
#undef SP_BUILTIN
};

int sp_builtin_lookup(const char *name)
{
    for (int i = 0; i < SP_BUILTIN_COUNT_; i++)
        if (strcmp(sp_builtins[i].name, name) == 0)
            return i;
    return -1;
}

/* ======================================================================
 * Helpers
 * ====================================================================== */

/* The bytes of a string value; never NULL (an empty view may have none). */
static const char *sptr(sp_value v)
{
    return v.u.s ? v.u.s : "";
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char to_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static int is_num(sp_value v)
{
    return v.tag == SP_V_INT || v.tag == SP_V_FLOAT;
}

static double as_double(sp_value v)
{
    return v.tag == SP_V_INT ? (double)v.u.i : v.u.f;
}

/* Floor division and modulo for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return a % b < 0 ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* Is f (after truncation toward zero) representable as an int64? */
static int double_fits_int(double f)
{
    return f >= -9223372036854775808.0 && f < 9223372036854775808.0;
}

/* Name of a builtin, for messages. */
static const char *bname(int id)
{
    return sp_builtins[id].name;
}

static const char *tag_name(sp_vtag t)
{
    sp_value v = {t, 0, {0}};
    return sp_value_type_name(v);
}

/* Reports that argument i (0-based) of builtin id is not of the kind wanted. */
static sp_value bad_arg(sp_eval *ev, const sp_expr *call, int id, int i, const char *want, sp_value got)
{
    sp_eval_error(ev, call, "%s() needs %s as argument %d, not a %s", bname(id), want, i + 1,
                  sp_value_type_name(got));
    return sp_null();
}

/* Argument i must have tag t; reports and returns 0 otherwise. */
static int want_tag(sp_eval *ev, const sp_expr *call, int id, const sp_value *args, int i, sp_vtag t)
{
    if (args[i].tag == t)
        return 1;
    const char *w = t == SP_V_STR ? "a string" : t == SP_V_INT ? "an int" : t == SP_V_LIST ? "a list" : tag_name(t);
    bad_arg(ev, call, id, i, w, args[i]);
    return 0;
}

static int want_str(sp_eval *ev, const sp_expr *call, int id, const sp_value *args, int i)
{
    return want_tag(ev, call, id, args, i, SP_V_STR);
}

static int want_int(sp_eval *ev, const sp_expr *call, int id, const sp_value *args, int i)
{
    return want_tag(ev, call, id, args, i, SP_V_INT);
}

/* Position of needle in hay[from..), or -1. */
static int64_t find_bytes(const char *hay, size_t hn, const char *needle, size_t nn, size_t from)
{
    if (from > hn || nn > hn - from)
        return -1;
    if (nn == 0)
        return (int64_t)from;
    const char *p = memmem(hay + from, hn - from, needle, nn);
    return p ? (int64_t)(p - hay) : -1;
}

/* ----- a growable string in the arena ----- */

typedef struct sbuf {
    sp_arena *a;
    char *p;
    size_t n, cap;
} sbuf;

static void sb_init(sbuf *b, sp_arena *a, size_t cap)
{
    b->a = a;
    b->n = 0;
    b->cap = cap ? cap : 16;
    b->p = sp_arena_alloc(a, b->cap);
}

/* Room for `extra` more bytes; returns where they go. */
static char *sb_reserve(sbuf *b, size_t extra)
{
    if (extra > b->cap - b->n) {
        size_t need = b->n + extra;
        if (need < b->n) { /* overflow */
            fputs("streampipe: string too long\n", stderr);
            abort();
        }
        size_t cap = b->cap * 2 > need ? b->cap * 2 : need;
        char *q = sp_arena_alloc(b->a, cap);
        if (b->n)
            memcpy(q, b->p, b->n);
        b->p = q;
        b->cap = cap;
    }
    return b->p + b->n;
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (!n)
        return;
    memcpy(sb_reserve(b, n), s, n);
    b->n += n;
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_putc(sbuf *b, char c)
{
    *sb_reserve(b, 1) = c;
    b->n++;
}

static void sb_pad(sbuf *b, char c, size_t n)
{
    if (!n)
        return;
    memset(sb_reserve(b, n), c, n);
    b->n += n;
}

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    if ((size_t)n < sizeof small) {
        sb_put(b, small, (size_t)n);
        return;
    }
    char *d = sb_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

/* The built string as a value; null (reported) if longer than a value holds. */
static sp_value sb_value(sbuf *b, sp_eval *ev, const sp_expr *call, int id)
{
    if (b->n > UINT32_MAX) {
        sp_eval_error(ev, call, "%s(): the result is longer than 4 GiB", bname(id));
        return sp_null();
    }
    return sp_str(b->p, b->n);
}

/* ----- text of values ----- */

/* Appends v as sp_value_print writes it (one formatter for sinks and
 * to_string / format). */
static void put_text(sbuf *b, sp_value v)
{
    size_t n;
    const char *t = sp_value_text(b->a, v, &n);
    sb_put(b, t, n);
}

/* ----- numbers from text ----- */

/* s[0..n) as a decimal int64: optional blanks around, an optional sign,
 * digits only.  Returns 0 when invalid or out of range. */
static int parse_int(const char *s, size_t n, int64_t *out)
{
    size_t i = 0, e = n;
    while (i < e && is_space((unsigned char)s[i]))
        i++;
    while (e > i && is_space((unsigned char)s[e - 1]))
        e--;
    int neg = 0;
    if (i < e && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == e)
        return 0;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t acc = 0;
    for (; i < e; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_digit(c))
            return 0;
        unsigned d = c - '0';
        if (acc > (limit - d) / 10)
            return 0;
        acc = acc * 10 + d;
    }
    if (!neg)
        *out = (int64_t)acc;
    else
        *out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    return 1;
}

/* s[0..n) as a finite decimal number: optional blanks around, an optional
 * sign, digits with an optional fraction and exponent (no hex, nan, inf).
 * Returns 0 when invalid or out of range. */
static int parse_float(sp_arena *a, const char *s, size_t n, double *out)
{
    size_t i = 0, e = n;
    while (i < e && is_space((unsigned char)s[i]))
        i++;
    while (e > i && is_space((unsigned char)s[e - 1]))
        e--;
    size_t start = i, digits = 0;
    if (i < e && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < e && is_digit((unsigned char)s[i]))
        i++, digits++;
    if (i < e && s[i] == '.') {
        i++;
        while (i < e && is_digit((unsigned char)s[i]))
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < e && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < e && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        while (i < e && is_digit((unsigned char)s[i]))
            i++, exp_digits++;
        if (!exp_digits)
            return 0;
    }
    if (i != e)
        return 0;
    size_t len = e - start;
    char small[256];
    char *copy = len < sizeof small ? small : sp_arena_alloc(a, len + 1);
    memcpy(copy, s + start, len);
    copy[len] = '\0';
    char *end;
    double f = strtod(copy, &end);
    if (end != copy + len || isinf(f) || isnan(f))
        return 0;
    *out = f;
    return 1;
}

/* ======================================================================
 * Strings
 * ====================================================================== */

static sp_value b_case(sp_eval *ev, sp_value s, int upper)
{
    const unsigned char *p = (const unsigned char *)sptr(s);
    uint32_t i = 0;
    for (; i < s.n; i++)
        if (upper ? (p[i] >= 'a' && p[i] <= 'z') : (p[i] >= 'A' && p[i] <= 'Z'))
            break;
    if (i == s.n)
        return s; /* nothing to change */
    char *d = sp_arena_alloc(ev->arena, s.n);
    memcpy(d, p, s.n);
    for (; i < s.n; i++) {
        unsigned char c = p[i];
        if (upper && c >= 'a' && c <= 'z')
            d[i] = (char)(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            d[i] = (char)(c - 'A' + 'a');
    }
    return sp_str(d, s.n);
}

static sp_value b_split(sp_eval *ev, sp_value s, sp_value sep)
{
    const char *p = sptr(s);
    if (sep.n == 0) { /* single bytes */
        sp_value l = sp_list_new(ev->arena, s.n);
        for (uint32_t i = 0; i < s.n; i++)
            l.u.items[i] = sp_str(p + i, 1);
        return l;
    }
    uint32_t count = 1;
    for (int64_t at = find_bytes(p, s.n, sptr(sep), sep.n, 0); at >= 0;
         at = find_bytes(p, s.n, sptr(sep), sep.n, (size_t)at + sep.n))
        count++;
    sp_value l = sp_list_new(ev->arena, count);
    size_t from = 0;
    for (uint32_t k = 0; k < count; k++) {
        int64_t at = k + 1 < count ? find_bytes(p, s.n, sptr(sep), sep.n, from) : (int64_t)s.n;
        l.u.items[k] = sp_str(p + from, (size_t)at - from);
        from = (size_t)at + sep.n;
    }
    return l;
}

static sp_value b_substr(sp_value s, int64_t start, int has_len, int64_t len)
{
    int64_t n = s.n;
    if (start < 0)
        start = start + n < 0 ? 0 : start + n;
    if (start > n)
        start = n;
    int64_t take = n - start;
    if (has_len)
        take = len < 0 ? 0 : len < take ? len : take;
    return sp_str(sptr(s) + start, (size_t)take);
}

static sp_value b_trim(sp_value s)
{
    const char *p = sptr(s);
    size_t i = 0, e = s.n;
    while (i < e && is_space((unsigned char)p[i]))
        i++;
    while (e > i && is_space((unsigned char)p[e - 1]))
        e--;
    return sp_str(p + i, e - i);
}

static sp_value b_replace(sp_eval *ev, const sp_expr *call, sp_value s, sp_value from, sp_value to)
{
    if (from.n == 0)
        return s;
    const char *p = sptr(s), *f = sptr(from);
    uint64_t count = 0;
    for (int64_t at = find_bytes(p, s.n, f, from.n, 0); at >= 0;
         at = find_bytes(p, s.n, f, from.n, (size_t)at + from.n))
        count++;
    if (!count)
        return s;
    uint64_t len = (uint64_t)s.n - count * from.n + count * to.n;
    if (len > UINT32_MAX) {
        sp_eval_error(ev, call, "replace(): the result is longer than 4 GiB");
        return sp_null();
    }
    char *d = sp_arena_alloc(ev->arena, len ? (size_t)len : 1);
    size_t w = 0, r = 0;
    for (int64_t at = find_bytes(p, s.n, f, from.n, 0); at >= 0;
         at = find_bytes(p, s.n, f, from.n, (size_t)at + from.n)) {
        memcpy(d + w, p + r, (size_t)at - r);
        w += (size_t)at - r;
        if (to.n)
            memcpy(d + w, sptr(to), to.n);
        w += to.n;
        r = (size_t)at + from.n;
    }
    memcpy(d + w, p + r, s.n - r);
    return sp_str(d, (size_t)len);
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = to_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static sp_value b_url_decode(sp_eval *ev, sp_value s)
{
    const unsigned char *p = (const unsigned char *)sptr(s);
    if (!memchr(p, '%', s.n))
        return s;
    char *d = sp_arena_alloc(ev->arena, s.n);
    size_t w = 0;
    for (uint32_t i = 0; i < s.n; i++) {
        int hi, lo;
        if (p[i] == '%' && (uint64_t)i + 2 < s.n && (hi = hex_value(p[i + 1])) >= 0 &&
            (lo = hex_value(p[i + 2])) >= 0) {
            d[w++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[w++] = (char)p[i];
        }
    }
    return sp_str(d, w);
}

/* ======================================================================
 * Regular expressions
 * ====================================================================== */

/* Patterns are compiled in byte mode, without PCRE2_UTF, in the checker, in
 * sp_eval_prepare and here: log lines are bytes, and one that is not valid
 * UTF-8 (a raw \xe4 in a URL) must still parse.  '.' and \S match any byte
 * but a line end or blank; the JIT is used for every subject. */
static void *arena_malloc(PCRE2_SIZE n, void *arena)
{
    return sp_arena_alloc(arena, n);
}

static void arena_free(void *p, void *arena)
{
    (void)p;
    (void)arena;
}

/* The compiled pattern for argument `pat` of builtin `id` when it was not
 * prepared: the cached run-time one, else compiled now (and cached).  *temp
 * is set when the caller must free it (a pattern with a NUL byte, which the
 * NUL-terminated cache cannot hold).  NULL after reporting an invalid
 * pattern. */
static pcre2_code *regex_for(sp_eval *ev, int id, sp_value pat, const sp_expr *call, int *temp)
{
    *temp = 0;
    const char *p = sptr(pat);
    size_t n = pat.n;
    void **scratch = ev->regex_scratch;
    if (scratch && scratch[0] && scratch[1] && strlen(scratch[1]) == n && memcmp(scratch[1], p, n) == 0)
        return scratch[0];
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)p, n, 0, &err, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        sp_eval_error(ev, call, "%s(): invalid regular expression: %s (at offset %zu of the pattern)", bname(id),
                      (char *)msg, (size_t)off);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter is used if this fails */
    if (memchr(p, '\0', n)) {
        *temp = 1;
        return re;
    }
    if (!scratch) {
        scratch = sp_xmalloc(2 * sizeof(void *));
        scratch[0] = scratch[1] = NULL;
        ev->regex_scratch = scratch;
    }
    char *copy = sp_xmalloc(n + 1);
    memcpy(copy, p, n);
    copy[n] = '\0';
    pcre2_code_free(scratch[0]);
    free(scratch[1]);
    scratch[0] = re;
    scratch[1] = copy;
    return re;
}

/* Runs re on s with room for `pairs` ovector pairs.  Returns the number of
 * pairs set (> 0) on a match, 0 when there is none, -1 after reporting an
 * error (a match limit, ...). */
static int run_regex(sp_eval *ev, const sp_expr *call, int id, pcre2_code *re, sp_value s, uint32_t pairs,
                     PCRE2_SIZE **ov)
{
    pcre2_match_data *md = ev->match_data;
    if (!md || pcre2_get_ovector_count(md) < pairs) {
        /* more groups than the thread's match data holds: one in the arena */
        pcre2_general_context *gc = pcre2_general_context_create(arena_malloc, arena_free, ev->arena);
        md = gc ? pcre2_match_data_create(pairs, gc) : NULL;
        if (!md) {
            sp_eval_error(ev, call, "%s(): cannot allocate match data", bname(id));
            return -1;
        }
    }
    int rc = pcre2_match(re, (PCRE2_SPTR)sptr(s), s.n, 0, 0, md, ev->match_context);
    if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
        return 0;
    if (rc < 0) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(rc, msg, sizeof msg);
        sp_eval_error(ev, call, "%s(): matching failed: %s", bname(id), (char *)msg);
        return -1;
    }
    if (rc == 0) /* the ovector was too small: all of it is set */
        rc = (int)pcre2_get_ovector_count(md);
    *ov = pcre2_get_ovector_pointer(md);
    return rc;
}

/* The text of group g after a match, or null when it is unset. */
static sp_value group_text(sp_value s, const PCRE2_SIZE *ov, int rc, uint32_t g)
{
    if (g >= (uint32_t)rc)
        return sp_null();
    PCRE2_SIZE a = ov[2 * g], b = ov[2 * g + 1];
    if (a == PCRE2_UNSET || b == PCRE2_UNSET || a > b || b > s.n)
        return sp_null();
    return sp_str(sptr(s) + a, b - a);
}

typedef struct name_table {
    uint32_t count, entry_size;
    PCRE2_SPTR table;
} name_table;

static void names_of(const pcre2_code *re, name_table *t)
{
    t->count = 0;
    t->entry_size = 0;
    t->table = NULL;
    pcre2_pattern_info(re, PCRE2_INFO_NAMECOUNT, &t->count);
    if (t->count) {
        pcre2_pattern_info(re, PCRE2_INFO_NAMEENTRYSIZE, &t->entry_size);
        pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &t->table);
    }
    if (!t->table)
        t->count = 0;
}

static uint32_t name_group(const name_table *t, uint32_t i)
{
    PCRE2_SPTR e = t->table + (size_t)i * t->entry_size;
    return (uint32_t)e[0] << 8 | e[1];
}

static const char *name_text(const name_table *t, uint32_t i)
{
    return (const char *)(t->table + (size_t)i * t->entry_size + 2);
}

static uint32_t capture_count(const pcre2_code *re)
{
    uint32_t n = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &n);
    return n;
}

/* One field of captures(): a distinct group name. */
typedef struct capture_field {
    uint32_t first, from, count; /* lowest group; its entries in the name table */
} capture_field;

/* The fields of captures() for `re`: one per distinct name (equal names are
 * adjacent in the table, which is sorted by name), ordered by first group.
 * Returns how many, the array in `a`. */
static uint32_t capture_fields(const name_table *t, sp_arena *a, capture_field **out)
{
    capture_field *f = sp_arena_alloc(a, sizeof *f * (t->count ? t->count : 1));
    uint32_t nf = 0;
    for (uint32_t i = 0; i < t->count; i++) {
        if (nf && strcmp(name_text(t, f[nf - 1].from), name_text(t, i)) == 0) {
            f[nf - 1].count++;
            if (name_group(t, i) < f[nf - 1].first)
                f[nf - 1].first = name_group(t, i);
            continue;
        }
        f[nf].first = name_group(t, i);
        f[nf].from = i;
        f[nf].count = 1;
        nf++;
    }
    for (uint32_t i = 1; i < nf; i++) { /* insertion sort by group */
        capture_field x = f[i];
        uint32_t j = i;
        while (j > 0 && f[j - 1].first > x.first) {
            f[j] = f[j - 1];
            j--;
        }
        f[j] = x;
    }
    *out = f;
    return nf;
}

static sp_shape *capture_shape(const name_table *t, const capture_field *f, uint32_t nf, sp_arena *a)
{
    sp_shape *sh = sp_arena_alloc(a, sizeof *sh);
    sh->n = (int)nf;
    sh->names = sp_arena_alloc(a, sizeof *sh->names * (nf ? nf : 1));
    for (uint32_t i = 0; i < nf; i++)
        sh->names[i] = sp_arena_strdup(a, name_text(t, f[i].from));
    return sh;
}

struct sp_regex {
    pcre2_code *code;      /* JIT-compiled; owned */
    uint32_t groups;       /* capture groups */
    name_table names;      /* its named groups (points into code) */
    capture_field *fields; /* captures(): the fields, nfields of them (in the arena) */
    uint32_t nfields;
    sp_shape *shape;       /* captures(): the record shape (in the arena, with an id) */
};

sp_regex *sp_regex_prepare(const char *pattern, size_t len, sp_arena *a)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, len, 0 /* bytes: log lines may hold any bytes */,
                                     &err, &off, NULL);
    if (!code)
        return NULL;
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* the interpreter is used if this fails */
    sp_regex *re = sp_xmalloc(sizeof *re);
    re->code = code;
    re->groups = capture_count(code);
    names_of(code, &re->names);
    re->nfields = capture_fields(&re->names, a, &re->fields);
    re->shape = capture_shape(&re->names, re->fields, re->nfields, a);
    re->shape->id = sp_shape_id();
    return re;
}

void sp_regex_free(sp_regex *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    free(re);
}

/* The regex prepared for this call of built-in `id`, or NULL. */
static const sp_regex *prepared_regex(const sp_expr *call, int id)
{
    if (!call || call->kind != SP_E_CALL || !call->rt)
        return NULL;
    const sp_expr *fn = call->u.call.fn;
    if (fn && fn->kind == SP_E_NAME && fn->resolution == SP_R_BUILTIN && fn->slot == id)
        return call->rt;
    return NULL;
}

/* match(s, re), extract(s, re[, group]), captures(s, re). */
static sp_value b_regex(sp_eval *ev, int id, const sp_value *args, int n, const sp_expr *call)
{
    if (!want_str(ev, call, id, args, 0) || !want_str(ev, call, id, args, 1))
        return sp_null();
    sp_value grp = n > 2 ? args[2] : sp_int(1);
    if (id == SP_BUILTIN_EXTRACT && grp.tag != SP_V_INT && grp.tag != SP_V_STR)
        return bad_arg(ev, call, id, 2, "a group number or name", grp);
    int temp = 0;
    const sp_regex *prep = prepared_regex(call, id);
    pcre2_code *re = prep ? prep->code : regex_for(ev, id, args[1], call, &temp);
    if (!re)
        return sp_null();
    sp_value s = args[0], result = sp_null();
    uint32_t groups = prep ? prep->groups : capture_count(re);
    PCRE2_SIZE *ov = NULL;
    int rc;
    if (id == SP_BUILTIN_MATCH) {
        rc = run_regex(ev, call, id, re, s, 1, &ov);
        if (rc >= 0)
            result = sp_bool(rc > 0);
    } else if (id == SP_BUILTIN_EXTRACT) {
        name_table t;
        if (prep)
            t = prep->names;
        else
            names_of(re, &t);
        if (grp.tag == SP_V_INT) {
            if (grp.u.i < 0 || grp.u.i > (int64_t)groups) {
                sp_eval_error(ev, call, "extract(): no group %lld in a pattern of %u group%s", (long long)grp.u.i,
                              groups, groups == 1 ? "" : "s");
                goto done;
            }
        } else {
            int found = 0;
            for (uint32_t i = 0; i < t.count && !found; i++)
                found = strlen(name_text(&t, i)) == grp.n && memcmp(name_text(&t, i), sptr(grp), grp.n) == 0;
            if (!found) {
                sp_eval_error(ev, call, "extract(): no group named '%.*s' in the pattern",
                              (int)(grp.n > 64 ? 64 : grp.n), sptr(grp));
                goto done;
            }
        }
        rc = run_regex(ev, call, id, re, s, groups + 1, &ov);
        if (rc <= 0)
            goto done;
        if (grp.tag == SP_V_INT) {
            result = group_text(s, ov, rc, (uint32_t)grp.u.i);
        } else { /* the first set group of that name (names may repeat with (?J)) */
            for (uint32_t i = 0; i < t.count && sp_is_null(result); i++)
                if (strlen(name_text(&t, i)) == grp.n && memcmp(name_text(&t, i), sptr(grp), grp.n) == 0)
                    result = group_text(s, ov, rc, name_group(&t, i));
        }
    } else { /* captures */
        rc = run_regex(ev, call, id, re, s, groups + 1, &ov);
        if (rc <= 0)
            goto done;
        name_table t;
        capture_field *f;
        uint32_t nf;
        const sp_shape *sh;
        if (prep) {
            t = prep->names;
            f = prep->fields;
            nf = prep->nfields;
            sh = prep->shape;
        } else {
            names_of(re, &t);
            nf = capture_fields(&t, ev->arena, &f);
            sh = capture_shape(&t, f, nf, ev->arena);
        }
        result = sp_record_new(ev->arena, sh);
        for (uint32_t i = 0; i < nf; i++) {
            sp_value v = sp_null();
            uint32_t best = UINT32_MAX;
            for (uint32_t k = f[i].from; k < f[i].from + f[i].count; k++) {
                uint32_t g = name_group(&t, k);
                sp_value x = group_text(s, ov, rc, g);
                if (!sp_is_null(x) && g < best) {
                    best = g;
                    v = x;
                }
            }
            result.u.rec->vals[i] = v;
        }
    }
done:
    if (temp)
        pcre2_code_free(re);
    return result;
}

/* ======================================================================
 * Numbers
 * ====================================================================== */

/* to_int / to_float: the value converted, or the default (args[1]) if any,
 * else null. */
static sp_value b_to_number(sp_eval *ev, int id, const sp_value *args, int n, const sp_expr *call)
{
    int as_int = id == SP_BUILTIN_TO_INT;
    sp_value dflt = sp_null();
    if (n > 1) {
        dflt = args[1];
        if (as_int && dflt.tag != SP_V_INT && dflt.tag != SP_V_NULL)
            return bad_arg(ev, call, id, 1, "an int (the default)", dflt);
        if (!as_int && !is_num(dflt) && dflt.tag != SP_V_NULL)
            return bad_arg(ev, call, id, 1, "a number (the default)", dflt);
        if (!as_int && dflt.tag == SP_V_INT)
            dflt = sp_float((double)dflt.u.i);
    }
    sp_value x = args[0];
    switch (x.tag) {
    case SP_V_NULL:
        return dflt;
    case SP_V_BOOL:
        return as_int ? sp_int(x.u.i) : sp_float((double)x.u.i);
    case SP_V_INT:
        return as_int ? x : sp_float((double)x.u.i);
    case SP_V_FLOAT:
        if (!as_int)
            return x;
        if (isnan(x.u.f) || !double_fits_int(x.u.f))
            return dflt;
        return sp_int((int64_t)x.u.f);
    case SP_V_STR: {
        if (as_int) {
            int64_t i;
            return parse_int(sptr(x), x.n, &i) ? sp_int(i) : dflt;
        }
        double f;
        return parse_float(ev->arena, sptr(x), x.n, &f) ? sp_float(f) : dflt;
    }
    default:
        return bad_arg(ev, call, id, 0, "a string or a number", x);
    }
}

/* round / floor / ceil of a number, as an int. */
static sp_value b_rounding(sp_eval *ev, int id, sp_value x, const sp_expr *call)
{
    if (x.tag == SP_V_INT)
        return x;
    if (x.tag != SP_V_FLOAT)
        return bad_arg(ev, call, id, 0, "a number", x);
    double r = id == SP_BUILTIN_ROUND ? round(x.u.f) : id == SP_BUILTIN_FLOOR ? floor(x.u.f) : ceil(x.u.f);
    if (isnan(r) || !double_fits_int(r)) {
        sp_eval_error(ev, call, "%s(): %g is out of the range of an int", bname(id), x.u.f);
        return sp_null();
    }
    return sp_int((int64_t)r);
}

static sp_value b_minmax(sp_eval *ev, int id, sp_value a, sp_value b, const sp_expr *call)
{
    if (!is_num(a))
        return bad_arg(ev, call, id, 0, "a number", a);
    if (!is_num(b))
        return bad_arg(ev, call, id, 1, "a number", b);
    int is_max = id == SP_BUILTIN_MAX;
    if (a.tag == SP_V_INT && b.tag == SP_V_INT)
        return sp_int(is_max ? (a.u.i >= b.u.i ? a.u.i : b.u.i) : (a.u.i <= b.u.i ? a.u.i : b.u.i));
    double x = as_double(a), y = as_double(b);
    if (isnan(x) || isnan(y))
        return sp_float(NAN);
    return sp_float(is_max ? (x >= y ? x : y) : (x <= y ? x : y));
}

/* ----- format ----- */

/* An int for %d/%x from v: 1, or 0 when it has none. */
static int format_int_arg(sp_value v, int64_t *out)
{
    switch (v.tag) {
    case SP_V_INT:
    case SP_V_BOOL: *out = v.u.i; return 1;
    case SP_V_FLOAT:
        if (isnan(v.u.f) || !double_fits_int(v.u.f))
            return 0;
        *out = (int64_t)v.u.f;
        return 1;
    case SP_V_STR: return parse_int(sptr(v), v.n, out);
    default: return 0;
    }
}

static int format_float_arg(sp_arena *a, sp_value v, double *out)
{
    switch (v.tag) {
    case SP_V_INT:
    case SP_V_BOOL: *out = (double)v.u.i; return 1;
    case SP_V_FLOAT: *out = v.u.f; return 1;
    case SP_V_STR: return parse_float(a, sptr(v), v.n, out);
    default: return 0;
    }
}

/* Text padded to `width` (left-aligned with '-'), cut to `prec` bytes when
 * prec >= 0. */
static void put_padded(sbuf *b, const char *s, size_t n, int width, int left, int prec)
{
    if (prec >= 0 && (size_t)prec < n)
        n = (size_t)prec;
    size_t pad = width > 0 && (size_t)width > n ? (size_t)width - n : 0;
    if (!left)
        sb_pad(b, ' ', pad);
    sb_put(b, s, n);
    if (left)
        sb_pad(b, ' ', pad);
}

#define FORMAT_MAX_WIDTH 4096

static sp_value b_format(sp_eval *ev, const sp_value *args, int n, const sp_expr *call)
{
    sp_value fv = args[0];
    if (fv.tag == SP_V_NULL)
        return sp_null();
    if (!want_str(ev, call, SP_BUILTIN_FORMAT, args, 0))
        return sp_null();
    const char *f = sptr(fv);
    size_t fn = fv.n;
    sbuf b;
    sb_init(&b, ev->arena, fn + 32);
    int next = 1; /* next argument */
    for (size_t i = 0; i < fn;) {
        if (f[i] != '%') {
            const char *pct = memchr(f + i, '%', fn - i);
            size_t run = pct ? (size_t)(pct - (f + i)) : fn - i;
            sb_put(&b, f + i, run);
            i += run;
            continue;
        }
        size_t start = i++;
        if (i < fn && f[i] == '%') {
            sb_putc(&b, '%');
            i++;
            continue;
        }
        char flags[8];
        int nflags = 0, left = 0;
        while (i < fn && f[i] != '\0' && strchr("-+ 0#", f[i])) {
            if (!memchr(flags, f[i], (size_t)nflags) && nflags < 5)
                flags[nflags++] = f[i];
            if (f[i] == '-')
                left = 1;
            i++;
        }
        flags[nflags] = '\0';
        int width = 0, prec = -1, bad = 0;
        while (i < fn && is_digit((unsigned char)f[i])) {
            width = width * 10 + (f[i++] - '0');
            if (width > FORMAT_MAX_WIDTH)
                bad = 1, width = FORMAT_MAX_WIDTH;
        }
        if (i < fn && f[i] == '.') {
            i++;
            prec = 0;
            while (i < fn && is_digit((unsigned char)f[i])) {
                prec = prec * 10 + (f[i++] - '0');
                if (prec > FORMAT_MAX_WIDTH)
                    bad = 1, prec = FORMAT_MAX_WIDTH;
            }
        }
        char conv = i < fn ? f[i] : '\0';
        if (bad || !conv || !strchr("dixXfFeEgGs", conv) || next >= n) {
            /* a bad spec (or no argument left): copied as written */
            sb_put(&b, f + start, i - start);
            continue;
        }
        i++;
        sp_value v = args[next++];
        char spec[48], wp[32]; /* the C spec; its width and precision */
        int w = width ? snprintf(wp, sizeof wp, "%d", width) : 0;
        if (prec >= 0)
            snprintf(wp + w, sizeof wp - (size_t)w, ".%d", prec);
        else
            wp[w] = '\0';
        int64_t iv;
        double dv;
        if ((conv == 'd' || conv == 'i') && v.tag != SP_V_NULL && format_int_arg(v, &iv)) {
            char *hash = strchr(flags, '#'); /* undefined for %d in C: dropped */
            if (hash)
                memmove(hash, hash + 1, strlen(hash));
            snprintf(spec, sizeof spec, "%%%s%slld", flags, wp);
            sb_printf(&b, spec, (long long)iv);
        } else if ((conv == 'x' || conv == 'X') && v.tag != SP_V_NULL && format_int_arg(v, &iv)) {
            snprintf(spec, sizeof spec, "%%%s%sll%c", flags, wp, conv);
            sb_printf(&b, spec, (unsigned long long)iv);
        } else if (strchr("fFeEgG", conv) && v.tag != SP_V_NULL && format_float_arg(ev->arena, v, &dv)) {
            snprintf(spec, sizeof spec, "%%%s%s%c", flags, wp, conv);
            sb_printf(&b, spec, dv);
        } else {
            /* %s, or a value that is not a number: its text */
            const char *text = sptr(v);
            size_t tn = v.n;
            if (v.tag != SP_V_STR) {
                sbuf t;
                sb_init(&t, ev->arena, 32);
                put_text(&t, v);
                text = t.p;
                tn = t.n;
            }
            put_padded(&b, text, tn, width, left, conv == 's' ? prec : -1);
        }
    }
    return sb_value(&b, ev, call, SP_BUILTIN_FORMAT);
}

/* ======================================================================
 * Time
 * ====================================================================== */

#define MS_PER_DAY 86400000LL

static const char *const month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[7] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                       /* [0, 399] */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;     /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

/* The date of a day number (inverse of days_from_civil). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                    /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                  /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = era * 400 + yoe + (*m <= 2);
}

/* Case-insensitive match of `word` (or its first 3 letters) at s[*i..n). */
static int match_name(const char *s, size_t n, size_t *i, const char *word)
{
    size_t len = strlen(word);
    for (int pass = 0; pass < 2; pass++) {
        size_t k = pass == 0 ? len : 3;
        if (k > n - *i)
            continue;
        size_t j = 0;
        while (j < k && to_lower((unsigned char)s[*i + j]) == to_lower((unsigned char)word[j]))
            j++;
        if (j == k) {
            *i += k;
            return 1;
        }
    }
    return 0;
}

/* 1..maxw digits at s[*i..n). */
static int read_num(const char *s, size_t n, size_t *i, int maxw, int64_t *out)
{
    int64_t v = 0;
    int k = 0;
    while (k < maxw && *i < n && is_digit((unsigned char)s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    *out = v;
    return k > 0;
}

typedef struct tm_parts {
    int64_t year;
    int64_t mon, day, hour, min, sec, ms, yday;
    int64_t offset_min;
    int have_md, have_yday, have_epoch;
    int64_t epoch_s;
} tm_parts;

enum { PT_OK, PT_NOMATCH, PT_BADFMT };

/* Parses s by fmt into p.  *bad is the offending directive for PT_BADFMT. */
static int parse_fields(const char *s, size_t n, const char *f, size_t fn, tm_parts *p, char *bad)
{
    size_t i = 0;
    for (size_t k = 0; k < fn; k++) {
        unsigned char c = (unsigned char)f[k];
        if (is_space(c)) {
            while (i < n && is_space((unsigned char)s[i]))
                i++;
            continue;
        }
        if (c != '%') {
            if (i >= n || s[i] != f[k])
                return PT_NOMATCH;
            i++;
            continue;
        }
        if (++k >= fn) {
            *bad = '\0';
            return PT_BADFMT;
        }
        int64_t v;
        switch (f[k]) {
        case '%':
            if (i >= n || s[i] != '%')
                return PT_NOMATCH;
            i++;
            break;
        case 'Y':
            if (!read_num(s, n, &i, 4, &p->year))
                return PT_NOMATCH;
            break;
        case 'y':
            if (!read_num(s, n, &i, 2, &v))
                return PT_NOMATCH;
            p->year = v < 69 ? 2000 + v : 1900 + v;
            break;
        case 'm':
            if (!read_num(s, n, &i, 2, &p->mon))
                return PT_NOMATCH;
            p->have_md = 1;
            break;
        case 'e':
            while (i < n && s[i] == ' ')
                i++;
            /* fall through */
        case 'd':
            if (!read_num(s, n, &i, 2, &p->day))
                return PT_NOMATCH;
            p->have_md = 1;
            break;
        case 'b':
        case 'B':
        case 'h': {
            int found = 0;
            for (int m = 0; m < 12 && !found; m++)
                if (match_name(s, n, &i, month_names[m])) {
                    p->mon = m + 1;
                    found = 1;
                }
            if (!found)
                return PT_NOMATCH;
            p->have_md = 1;
            break;
        }
        case 'a':
        case 'A': { /* a day name: read, not checked against the date */
            int found = 0;
            for (int d = 0; d < 7 && !found; d++)
                found = match_name(s, n, &i, day_names[d]);
            if (!found)
                return PT_NOMATCH;
            break;
        }
        case 'j':
            if (!read_num(s, n, &i, 3, &p->yday))
                return PT_NOMATCH;
            p->have_yday = 1;
            break;
        case 'H':
            if (!read_num(s, n, &i, 2, &p->hour))
                return PT_NOMATCH;
            break;
        case 'M':
            if (!read_num(s, n, &i, 2, &p->min))
                return PT_NOMATCH;
            break;
        case 'S':
            if (!read_num(s, n, &i, 2, &p->sec))
                return PT_NOMATCH;
            break;
        case 'L': { /* milliseconds: exactly 3 digits */
            size_t at = i;
            if (!read_num(s, n, &i, 3, &p->ms) || i - at != 3)
                return PT_NOMATCH;
            break;
        }
        case 'T':
            if (!read_num(s, n, &i, 2, &p->hour) || i >= n || s[i++] != ':' || !read_num(s, n, &i, 2, &p->min) ||
                i >= n || s[i++] != ':' || !read_num(s, n, &i, 2, &p->sec))
                return PT_NOMATCH;
            break;
        case 'F':
            if (!read_num(s, n, &i, 4, &p->year) || i >= n || s[i++] != '-' || !read_num(s, n, &i, 2, &p->mon) ||
                i >= n || s[i++] != '-' || !read_num(s, n, &i, 2, &p->day))
                return PT_NOMATCH;
            p->have_md = 1;
            break;
        case 'z': {
            if (i < n && s[i] == 'Z') {
                i++;
                p->offset_min = 0;
                break;
            }
            if (n - i >= 3 && (memcmp(s + i, "UTC", 3) == 0 || memcmp(s + i, "GMT", 3) == 0)) {
                i += 3;
                p->offset_min = 0;
                break;
            }
            if (i >= n || (s[i] != '+' && s[i] != '-'))
                return PT_NOMATCH;
            int neg = s[i++] == '-';
            int64_t hh, mm = 0;
            size_t at = i;
            if (!read_num(s, n, &i, 2, &hh) || i - at != 2)
                return PT_NOMATCH;
            if (i < n && s[i] == ':')
                i++;
            if (i < n && is_digit((unsigned char)s[i])) {
                at = i;
                if (!read_num(s, n, &i, 2, &mm) || i - at != 2)
                    return PT_NOMATCH;
            } else if (s[i - 1] == ':') {
                return PT_NOMATCH;
            }
            if (hh > 23 || mm > 59)
                return PT_NOMATCH;
            p->offset_min = (neg ? -1 : 1) * (hh * 60 + mm);
            break;
        }
        case 's': {
            int neg = 0;
            if (i < n && (s[i] == '-' || s[i] == '+'))
                neg = s[i++] == '-';
            if (i >= n || !is_digit((unsigned char)s[i]))
                return PT_NOMATCH;
            int64_t acc = 0;
            while (i < n && is_digit((unsigned char)s[i])) {
                if (acc > (INT64_MAX / 1000 - (s[i] - '0')) / 10)
                    return PT_NOMATCH; /* too far for milliseconds */
                acc = acc * 10 + (s[i++] - '0');
            }
            p->epoch_s = neg ? -acc : acc;
            p->have_epoch = 1;
            break;
        }
        default:
            *bad = f[k];
            return PT_BADFMT;
        }
    }
    return i == n ? PT_OK : PT_NOMATCH;
}

int sp_time_parse(const char *s, size_t n, const char *fmt, size_t fn, int64_t *ms, char *bad)
{
    tm_parts p;
    memset(&p, 0, sizeof p);
    p.year = 1970;
    p.mon = 1;
    p.day = 1;
    char badc = 0;
    int rc = parse_fields(s ? s : "", n, fmt ? fmt : "", fn, &p, &badc);
    if (rc == PT_BADFMT) {
        if (bad)
            *bad = badc;
        return -1;
    }
    if (rc != PT_OK)
        return 0;
    if (p.have_epoch) {
        int64_t t;
        if (__builtin_add_overflow(p.epoch_s * 1000, p.ms, &t))
            return 0;
        *ms = t;
        return 1;
    }
    if (p.have_yday && !p.have_md) {
        int64_t ndays = is_leap(p.year) ? 366 : 365;
        if (p.yday < 1 || p.yday > ndays)
            return 0;
        int64_t left = p.yday;
        p.mon = 1;
        while (left > days_in_month(p.year, (int)p.mon)) {
            left -= days_in_month(p.year, (int)p.mon);
            p.mon++;
        }
        p.day = left;
    }
    if (p.mon < 1 || p.mon > 12 || p.day < 1 || p.day > days_in_month(p.year, (int)p.mon) || p.hour > 23 ||
        p.min > 59 || p.sec > 60)
        return 0;
    int64_t days = days_from_civil(p.year, (int)p.mon, (int)p.day);
    *ms = days * MS_PER_DAY + p.hour * 3600000 + p.min * 60000 + p.sec * 1000 + p.ms - p.offset_min * 60000;
    return 1;
}

int64_t sp_days_from_civil(int64_t y, int m, int d)
{
    return days_from_civil(y, m, d);
}

static sp_value b_parse_time(sp_eval *ev, sp_value s, sp_value fmt, const sp_expr *call)
{
    int64_t t;
    char bad = 0;
    int rc = sp_time_parse(sptr(s), s.n, sptr(fmt), fmt.n, &t, &bad);
    if (rc < 0) {
        if (bad)
            sp_eval_error(ev, call, "parse_time(): unknown directive '%%%c' in the format", bad);
        else
            sp_eval_error(ev, call, "parse_time(): the format ends with a lone '%%'");
        return sp_null();
    }
    return rc ? sp_int(t) : sp_null();
}

static void put_year(sbuf *b, int64_t y)
{
    if (y < 0)
        sb_printf(b, "-%04lld", (long long)-y);
    else
        sb_printf(b, "%04lld", (long long)y);
}

static sp_value b_format_time(sp_eval *ev, int64_t t, sp_value fmt, const sp_expr *call)
{
    int64_t days = floor_div(t, MS_PER_DAY), ms_of_day = floor_mod(t, MS_PER_DAY);
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int hour = (int)(ms_of_day / 3600000), min = (int)(ms_of_day / 60000 % 60), sec = (int)(ms_of_day / 1000 % 60);
    int ms = (int)(ms_of_day % 1000);
    int wday = (int)floor_mod(days + 4, 7); /* 1970-01-01 was a Thursday */
    int yday = (int)(days - days_from_civil(y, 1, 1)) + 1;
    const char *f = sptr(fmt);
    size_t fn = fmt.n;
    sbuf b;
    sb_init(&b, ev->arena, fn + 32);
    for (size_t i = 0; i < fn; i++) {
        if (f[i] != '%' || i + 1 >= fn) {
            sb_putc(&b, f[i]);
            continue;
        }
        char c = f[++i];
        switch (c) {
        case '%': sb_putc(&b, '%'); break;
        case 'Y': put_year(&b, y); break;
        case 'y': sb_printf(&b, "%02d", (int)floor_mod(y, 100)); break;
        case 'm': sb_printf(&b, "%02d", m); break;
        case 'd': sb_printf(&b, "%02d", d); break;
        case 'e': sb_printf(&b, "%2d", d); break;
        case 'j': sb_printf(&b, "%03d", yday); break;
        case 'H': sb_printf(&b, "%02d", hour); break;
        case 'M': sb_printf(&b, "%02d", min); break;
        case 'S': sb_printf(&b, "%02d", sec); break;
        case 'L': sb_printf(&b, "%03d", ms); break;
        case 'T': sb_printf(&b, "%02d:%02d:%02d", hour, min, sec); break;
        case 'F':
            put_year(&b, y);
            sb_printf(&b, "-%02d-%02d", m, d);
            break;
        case 'z': sb_puts(&b, "+0000"); break;
        case 's': sb_printf(&b, "%lld", (long long)floor_div(t, 1000)); break;
        case 'b':
        case 'h': sb_put(&b, month_names[m - 1], 3); break;
        case 'B': sb_puts(&b, month_names[m - 1]); break;
        case 'a': sb_put(&b, day_names[wday], 3); break;
        case 'A': sb_puts(&b, day_names[wday]); break;
        default: /* unknown: copied as written */
            sb_putc(&b, '%');
            sb_putc(&b, c);
            break;
        }
    }
    return sb_value(&b, ev, call, SP_BUILTIN_FORMAT_TIME);
}

/* ======================================================================
 * Lists
 * ====================================================================== */

static sp_value b_sum_list(sp_eval *ev, sp_value l, const sp_expr *call)
{
    if (l.tag != SP_V_LIST)
        return bad_arg(ev, call, SP_BUILTIN_SUM_LIST, 0, "a list", l);
    int all_int = 1;
    int64_t isum = 0;
    double fsum = 0;
    for (uint32_t i = 0; i < l.n; i++) {
        sp_value v = l.u.items[i];
        if (v.tag == SP_V_NULL)
            continue;
        if (!is_num(v)) {
            sp_eval_error(ev, call, "sum_list(): item %u is a %s, not a number", i + 1, sp_value_type_name(v));
            return sp_null();
        }
        if (all_int && v.tag == SP_V_INT) {
            int64_t r;
            if (!__builtin_add_overflow(isum, v.u.i, &r)) {
                isum = r;
                continue;
            }
        }
        if (all_int) {
            all_int = 0;
            fsum = (double)isum;
        }
        fsum += as_double(v);
    }
    return all_int ? sp_int(isum) : sp_float(fsum);
}

static sp_value b_fold(sp_eval *ev, const sp_value *args, const sp_expr *call)
{
    sp_value l = args[0], acc = args[1], fn = args[2];
    if (l.tag == SP_V_NULL)
        return acc;
    if (l.tag != SP_V_LIST)
        return bad_arg(ev, call, SP_BUILTIN_FOLD, 0, "a list", l);
    if (fn.tag != SP_V_FUNC && fn.tag != SP_V_NULL)
        return bad_arg(ev, call, SP_BUILTIN_FOLD, 2, "a function", fn);
    for (uint32_t i = 0; i < l.n; i++) {
        sp_value pair[2] = {acc, l.u.items[i]};
        acc = sp_eval_apply(ev, fn, pair, 2, call);
    }
    return acc;
}

/* ======================================================================
 * Dispatch
 * ====================================================================== */

/* Does a null argument make the result null? */
static int null_propagates(int id)
{
    switch (id) {
    case SP_BUILTIN_COALESCE:
    case SP_BUILTIN_IS_NULL:
    case SP_BUILTIN_FOLD:
    case SP_BUILTIN_TO_INT:
    case SP_BUILTIN_TO_FLOAT:
    case SP_BUILTIN_FORMAT:
    case SP_BUILTIN_HASH:
        return 0;
    default:
        return 1;
    }
}

/* scan_access_log(line [, format]), its arguments checked: strings. */
static sp_value scan_access_log(sp_eval *ev, const sp_value *args, int n, const sp_expr *call)
{
    int format = n > 1 ? sp_weblog_format_lookup(sptr(args[1]), args[1].n) : SP_WEBLOG_ANY;
    if (format < 0) {
        sp_eval_error(ev, call, "scan_access_log(): no format '%.*s' (the formats: %s)",
                      (int)(args[1].n > 64 ? 64 : args[1].n), sptr(args[1]), sp_weblog_format_names);
        return sp_null();
    }
    if (!ev->weblog)
        ev->weblog = sp_weblog_state_new();
    return sp_weblog_record(ev->weblog, ev->arena, sptr(args[0]), args[0].n, (sp_weblog_format)format,
                            sp_eval_weblog_proj(call));
}

static sp_value builtin_call(sp_eval *ev, int id, const sp_value *args, int n, const sp_expr *call);

sp_value sp_builtin_call(sp_eval *ev, int id, const sp_value *args, int n, const sp_expr *call)
{
    /* scan_access_log(line, format) runs once per line of a log pipeline:
     * called as parse_access_log() and the like call it (two strings), it
     * needs none of the general checks of builtin_call (they would let it
     * through), nor its stack frame */
    if (id == SP_BUILTIN_SCAN_ACCESS_LOG && n == 2 && args[0].tag == SP_V_STR && args[1].tag == SP_V_STR)
        return scan_access_log(ev, args, n, call);
    return builtin_call(ev, id, args, n, call);
}

/* sp_builtin_call for every call the above does not take. */
static __attribute__((noinline)) sp_value builtin_call(sp_eval *ev, int id, const sp_value *args, int n,
                                                       const sp_expr *call)
{
    if (id < 0 || id >= SP_BUILTIN_COUNT_) {
        sp_eval_error(ev, call, "no built-in function number %d", id);
        return sp_null();
    }
    const sp_builtin_info *info = &sp_builtins[id];
    sp_value nulls[4] = {{SP_V_NULL, 0, {0}}, {SP_V_NULL, 0, {0}}, {SP_V_NULL, 0, {0}}, {SP_V_NULL, 0, {0}}};
    if (n == 1 && info->min_args > 1) {
        /* applied as a function value to one tuple: its items are the
         * arguments (as for functions of the language); a null gives
         * null arguments */
        if (args[0].tag == SP_V_TUPLE && (int)args[0].n >= info->min_args &&
            (info->max_args < 0 || (int)args[0].n <= info->max_args)) {
            n = (int)args[0].n;
            args = args[0].u.items;
        } else if (args[0].tag == SP_V_NULL && info->min_args <= 4) {
            n = info->min_args;
            args = nulls;
        }
    }
    if (n < info->min_args || (info->max_args >= 0 && n > info->max_args)) {
        if (info->min_args == info->max_args)
            sp_eval_error(ev, call, "%s() takes %d argument%s but is given %d", info->name, info->min_args,
                          info->min_args == 1 ? "" : "s", n);
        else
            sp_eval_error(ev, call, "%s() takes %d to %d arguments but is given %d", info->name, info->min_args,
                          info->max_args, n);
        return sp_null();
    }
    if (null_propagates(id))
        for (int i = 0; i < n; i++)
            if (args[i].tag == SP_V_NULL)
                return sp_null();

    switch ((sp_builtin_id)id) {
    /* ----- strings ----- */
    case SP_BUILTIN_LENGTH:
        if (args[0].tag == SP_V_STR || args[0].tag == SP_V_LIST)
            return sp_int(args[0].n);
        return bad_arg(ev, call, id, 0, "a string or a list", args[0]);
    case SP_BUILTIN_LOWER:
    case SP_BUILTIN_UPPER:
        if (!want_str(ev, call, id, args, 0))
            return sp_null();
        return b_case(ev, args[0], id == SP_BUILTIN_UPPER);
    case SP_BUILTIN_CONTAINS:
    case SP_BUILTIN_STARTS_WITH:
    case SP_BUILTIN_ENDS_WITH:
    case SP_BUILTIN_INDEX_OF: {
        if (!want_str(ev, call, id, args, 0) || !want_str(ev, call, id, args, 1))
            return sp_null();
        sp_value s = args[0], t = args[1];
        if (id == SP_BUILTIN_STARTS_WITH)
            return sp_bool(t.n <= s.n && (t.n == 0 || memcmp(sptr(s), sptr(t), t.n) == 0));
        if (id == SP_BUILTIN_ENDS_WITH)
            return sp_bool(t.n <= s.n && (t.n == 0 || memcmp(sptr(s) + (s.n - t.n), sptr(t), t.n) == 0));
        int64_t at = find_bytes(sptr(s), s.n, sptr(t), t.n, 0);
        return id == SP_BUILTIN_CONTAINS ? sp_bool(at >= 0) : sp_int(at);
    }
    case SP_BUILTIN_SPLIT:
        if (!want_str(ev, call, id, args, 0) || !want_str(ev, call, id, args, 1))
            return sp_null();
        return b_split(ev, args[0], args[1]);
    case SP_BUILTIN_SUBSTR:
        if (!want_str(ev, call, id, args, 0) || !want_int(ev, call, id, args, 1) ||
            (n > 2 && !want_int(ev, call, id, args, 2)))
            return sp_null();
        return b_substr(args[0], args[1].u.i, n > 2, n > 2 ? args[2].u.i : 0);
    case SP_BUILTIN_TRIM:
        if (!want_str(ev, call, id, args, 0))
            return sp_null();
        return b_trim(args[0]);
    case SP_BUILTIN_REPLACE:
        if (!want_str(ev, call, id, args, 0) || !want_str(ev, call, id, args, 1) || !want_str(ev, call, id, args, 2))
            return sp_null();
        return b_replace(ev, call, args[0], args[1], args[2]);

    /* ----- regular expressions ----- */
    case SP_BUILTIN_MATCH:
    case SP_BUILTIN_EXTRACT:
    case SP_BUILTIN_CAPTURES:
        return b_regex(ev, id, args, n, call);

    /* ----- numbers ----- */
    case SP_BUILTIN_TO_INT:
    case SP_BUILTIN_TO_FLOAT:
        return b_to_number(ev, id, args, n, call);
    case SP_BUILTIN_TO_STRING: {
        if (args[0].tag == SP_V_STR)
            return args[0];
        sbuf b;
        sb_init(&b, ev->arena, 32);
        put_text(&b, args[0]);
        return sb_value(&b, ev, call, id);
    }
    case SP_BUILTIN_FORMAT:
        return b_format(ev, args, n, call);
    case SP_BUILTIN_MIN:
    case SP_BUILTIN_MAX:
        return b_minmax(ev, id, args[0], args[1], call);
    case SP_BUILTIN_ABS:
        if (args[0].tag == SP_V_INT)
            return args[0].u.i == INT64_MIN ? sp_float(-(double)INT64_MIN)
                                            : sp_int(args[0].u.i < 0 ? -args[0].u.i : args[0].u.i);
        if (args[0].tag == SP_V_FLOAT)
            return sp_float(fabs(args[0].u.f));
        return bad_arg(ev, call, id, 0, "a number", args[0]);
    case SP_BUILTIN_ROUND:
    case SP_BUILTIN_FLOOR:
    case SP_BUILTIN_CEIL:
        return b_rounding(ev, id, args[0], call);

    /* ----- time ----- */
    case SP_BUILTIN_PARSE_TIME:
        if (!want_str(ev, call, id, args, 0) || !want_str(ev, call, id, args, 1))
            return sp_null();
        return b_parse_time(ev, args[0], args[1], call);
    case SP_BUILTIN_FORMAT_TIME:
        if (!want_int(ev, call, id, args, 0) || !want_str(ev, call, id, args, 1))
            return sp_null();
        return b_format_time(ev, args[0].u.i, args[1], call);
    case SP_BUILTIN_TRUNCATE_TIME: {
        if (!want_int(ev, call, id, args, 0) || !want_int(ev, call, id, args, 1))
            return sp_null();
        int64_t t = args[0].u.i, d = args[1].u.i, r;
        if (d <= 0) {
            sp_eval_error(ev, call, "truncate_time(): the duration must be positive, not %lld", (long long)d);
            return sp_null();
        }
        if (__builtin_sub_overflow(t, floor_mod(t, d), &r)) {
            sp_eval_error(ev, call, "truncate_time(): %lld is out of range", (long long)t);
            return sp_null();
        }
        return sp_int(r);
    }
    case SP_BUILTIN_NOW:
        return sp_int(ev->now_ms);

    /* ----- conditionals and nulls ----- */
    case SP_BUILTIN_COALESCE:
        for (int i = 0; i < n; i++)
            if (args[i].tag != SP_V_NULL)
                return args[i];
        return sp_null();
    case SP_BUILTIN_IS_NULL:
        return sp_bool(args[0].tag == SP_V_NULL);

    /* ----- lists ----- */
    case SP_BUILTIN_FOLD:
        return b_fold(ev, args, call);
    case SP_BUILTIN_SUM_LIST:
        return b_sum_list(ev, args[0], call);

    /* ----- hashing, urls ----- */
    case SP_BUILTIN_HASH:
        return sp_int((int64_t)sp_value_hash_stable(args[0]));
    case SP_BUILTIN_URL_DECODE:
        if (!want_str(ev, call, id, args, 0))
            return sp_null();
        return b_url_decode(ev, args[0]);

    /* ----- access logs ----- */
    case SP_BUILTIN_SCAN_ACCESS_LOG:
        if (!want_str(ev, call, id, args, 0) || (n > 1 && !want_str(ev, call, id, args, 1)))
            return sp_null();
        return scan_access_log(ev, args, n, call);

    case SP_BUILTIN_COUNT_:
        break;
    }
    return sp_null();
}
