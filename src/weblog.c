/* weblog.c - the native access-log scanner: scan_access_log(), behind
 * parse_access_log, parse_combined, parse_common and parse_vhost_combined
 * of stdlib/weblog.sp.
 *
 * The language versions (parse_*_re in weblog.sp) are the reference: this
 * file reads a line as their PCRE2 patterns do and builds the record as
 * web_record() does, field for field.  Their patterns are deterministic
 * (possessive quoted fields, \S+ runs that must end at a blank), so each can
 * be read in one pass; the comments quote the part of the pattern each step
 * stands for.  PCRE2 runs in byte mode with its default tables and LF as the
 * newline: \s is [\t\n\v\f\r ], \S any other byte (NUL and bytes >= 0x80
 * included), '.' any byte but '\n', and '$' matches at the end or before a
 * '\n' that ends the subject.
 *
 * Nothing is allocated per line but the record (in the caller's arena); its
 * strings are views into the line. */
#include "weblog.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "builtins.h"

/* ======================================================================
 * Formats
 * ====================================================================== */

const char sp_weblog_format_names[] = "any, combined, common, vhost_combined";

/* ======================================================================
 * Scanning
 * ====================================================================== */

/* The steps of a line (scan_line, referer_agent, split_request) are
 * inlined into sp_weblog_record, whose positions and fields then stay in
 * registers instead of going through memory from call to call.  scan_core
 * stays a function of its own: inlined too, it made the code longer. */
#define SCAN_INLINE inline __attribute__((always_inline))

/* Byte classes: PCRE2's \s (its default tables: the C locale) and \d, and
 * the bytes that end a run inside a quoted field. */
enum { C_WS = 1, C_DIGIT = 2, C_QUOTE = 4 };
static const unsigned char byte_class[256] = {
    ['\t'] = C_WS, ['\n'] = C_WS, ['\v'] = C_WS, ['\f'] = C_WS, ['\r'] = C_WS, [' '] = C_WS,
    ['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT,
    ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT, ['8'] = C_DIGIT, ['9'] = C_DIGIT,
    ['"'] = C_QUOTE, ['\\'] = C_QUOTE,
};

/* \s */
static inline int is_ws(unsigned char c)
{
    return byte_class[c] & C_WS;
}

/* \d */
static inline int is_digit(unsigned char c)
{
    return byte_class[c] & C_DIGIT;
}

static inline sp_weblog_text text_of(const char *s, size_t from, size_t to)
{
    sp_weblog_text t = {s + from, to - from};
    return t;
}

/* Searches a chunk at a time: 16 bytes with SSE2, else 8 in a uint64_t
 * (SWAR).  A search in s[i..n) reads only s[0..n): whole chunks from i
 * while they fit, then one last chunk that ends at n and overlaps the one
 * before (or bytes before i: s[0..n) is all readable), with the bytes
 * before i dropped from its mask.  Only when n < CHUNK is the rest read a
 * byte at a time.  So the short fields of a line cost one or two chunks,
 * and nothing is read past the line.  (Defining SP_WEBLOG_PORTABLE selects
 * the SWAR code on x86-64 too, to test it.)
 *
 * A chunk's mask has the bytes that match: bit k for byte k (SSE2), bit
 * 8k+7 for byte k (SWAR). */
#if defined(__SSE2__) && !defined(SP_WEBLOG_PORTABLE)
enum { CHUNK = 16 };
typedef unsigned chunk_mask;

static inline __m128i chunk_load(const unsigned char *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* \s: c == ' ', or 9 <= c <= 13: c + 0x77 takes 9..13 to 0x80..0x84,
 * the five smallest signed bytes, and nothing else there */
static inline chunk_mask blanks_in(__m128i v)
{
    __m128i ctl = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(0x77)), _mm_set1_epi8(-0x7b));
    return (chunk_mask)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), ctl));
}

static inline chunk_mask bytes_in(__m128i v, unsigned char c)
{
    return (chunk_mask)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)c)));
}

/* not \d: below '0' or above '9' as signed bytes (the bytes >= 0x80 are
 * negative: below '0') */
static inline chunk_mask non_digits_in(__m128i v)
{
    __m128i out = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8('0')), _mm_cmpgt_epi8(v, _mm_set1_epi8('9')));
    return (chunk_mask)_mm_movemask_epi8(out);
}

/* the index of the first (lowest) byte in a nonzero mask */
static inline size_t mask_first(chunk_mask m)
{
    return (size_t)__builtin_ctz(m);
}

/* ... of the last */
static inline size_t mask_last(chunk_mask m)
{
    return (size_t)(31 - __builtin_clz(m));
}

/* m without bytes 0..k-1 (k < CHUNK), the others where they were */
static inline chunk_mask mask_drop_below(chunk_mask m, size_t k)
{
    return m & (~0u << k);
}
#else
enum { CHUNK = 8 };
typedef uint64_t chunk_mask;
typedef uint64_t chunk_bytes;

#define SWAR_ONES 0x0101010101010101u
#define SWAR_HIGH 0x8080808080808080u

static inline chunk_bytes chunk_load(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w); /* byte k in bits 8k..8k+7, as on little-endian */
#endif
    return w;
}

/* 0x80 in the bytes of w that are 0, exactly (no borrow crosses a byte,
 * so a byte above a zero byte is never taken for one) */
static inline uint64_t zero_bytes(uint64_t w)
{
    uint64_t low7 = SWAR_ONES * 0x7f;
    return ~(((w & low7) + low7) | w | low7);
}

static inline chunk_mask bytes_in(chunk_bytes w, unsigned char c)
{
    return zero_bytes(w ^ (SWAR_ONES * c));
}

/* \s: ' ', or 9 <= c <= 13: with the high bit cleared, c + (0x80 - 9) and
 * c + (0x80 - 14) set it when c >= 9 and c >= 14, without carrying into
 * the next byte; a byte whose own high bit is set is no blank */
static inline chunk_mask blanks_in(chunk_bytes w)
{
    uint64_t low7 = w & (SWAR_ONES * 0x7f);
    uint64_t ctl = (low7 + SWAR_ONES * (0x80 - 9)) & ~(low7 + SWAR_ONES * (0x80 - 14)) & ~w & SWAR_HIGH;
    return ctl | bytes_in(w, ' ');
}

/* not \d: as for the blanks, c >= '0' and c >= '9' + 1 on the low 7 bits,
 * and the high bit clear */
static inline chunk_mask non_digits_in(chunk_bytes w)
{
    uint64_t low7 = w & (SWAR_ONES * 0x7f);
    uint64_t digit = (low7 + SWAR_ONES * (0x80 - '0')) & ~(low7 + SWAR_ONES * (0x80 - '9' - 1)) & ~w & SWAR_HIGH;
    return digit ^ SWAR_HIGH;
}

static inline size_t mask_first(chunk_mask m)
{
    return (size_t)__builtin_ctzll(m) >> 3;
}

static inline size_t mask_last(chunk_mask m)
{
    return (size_t)(63 - __builtin_clzll(m)) >> 3;
}

static inline chunk_mask mask_drop_below(chunk_mask m, size_t k)
{
    return m & (~(uint64_t)0 << (8 * k));
}
#endif

/* What a search looks for. */
typedef enum find_kind {
    FIND_BLANK,          /* \s */
    FIND_BYTE,           /* the byte c */
    FIND_BLANK_OR_BYTE,  /* \s or the byte c */
    FIND_QUOTE_OR_ESCAPE, /* '"' or '\\': what ends a run inside a quoted field */
    FIND_NON_DIGIT,       /* not \d: what ends a number */
    FIND_NEWLINE_OR_QUERY /* '\n' or '?': what ends a request target's path, or the target */
} find_kind;

/* The bytes of the chunk at p that a search for `kind` (and c) stops at;
 * `kind` is a constant wherever this is inlined, so only one branch stays. */
static inline chunk_mask chunk_hits(const unsigned char *p, find_kind kind, unsigned char c)
{
    switch (kind) {
    case FIND_BLANK: return blanks_in(chunk_load(p));
    case FIND_BYTE: return bytes_in(chunk_load(p), c);
    case FIND_BLANK_OR_BYTE: return blanks_in(chunk_load(p)) | bytes_in(chunk_load(p), c);
    case FIND_NON_DIGIT: return non_digits_in(chunk_load(p));
    case FIND_NEWLINE_OR_QUERY: return bytes_in(chunk_load(p), '\n') | bytes_in(chunk_load(p), '?');
    default: return bytes_in(chunk_load(p), '"') | bytes_in(chunk_load(p), '\\');
    }
}

/* The same for one byte. */
static inline int byte_hits(unsigned char b, find_kind kind, unsigned char c)
{
    switch (kind) {
    case FIND_BLANK: return is_ws(b);
    case FIND_BYTE: return b == c;
    case FIND_BLANK_OR_BYTE: return is_ws(b) || b == c;
    case FIND_NON_DIGIT: return !is_digit(b);
    case FIND_NEWLINE_OR_QUERY: return b == '\n' || b == '?';
    default: return byte_class[b] & C_QUOTE;
    }
}

/* The first position in [i, n) where the search stops, or n; s[0..n) must
 * be readable and i <= n. */
static inline size_t find_first(const unsigned char *s, size_t i, size_t n, find_kind kind, unsigned char c)
{
    while (n - i >= CHUNK) {
        chunk_mask m = chunk_hits(s + i, kind, c);
        if (m)
            return i + mask_first(m);
        i += CHUNK;
    }
    if (i == n)
        return n;
    if (n >= CHUNK) {
        /* the chunk s[n - CHUNK..n), whose byte k is s[n - CHUNK + k]: the
         * bytes before i are its first CHUNK - (n - i) */
        size_t skip = CHUNK - (n - i);
        chunk_mask m = mask_drop_below(chunk_hits(s + n - CHUNK, kind, c), skip);
        return m ? n - CHUNK + mask_first(m) : n;
    }
    while (i < n && !byte_hits(s[i], kind, c))
        i++;
    return i;
}

/* The first position from i on where s[] is a blank (\s), or n. */
static inline size_t next_blank(const unsigned char *s, size_t i, size_t n)
{
    return find_first(s, i, n, FIND_BLANK, 0);
}

/* The first position from i on where s[] is c, or n. */
static inline size_t next_byte(const unsigned char *s, size_t i, size_t n, unsigned char c)
{
    return find_first(s, i, n, FIND_BYTE, c);
}

/* The first position from i on where s[] is a blank or c, or n. */
static inline size_t next_blank_or(const unsigned char *s, size_t i, size_t n, unsigned char c)
{
    return find_first(s, i, n, FIND_BLANK_OR_BYTE, c);
}

/* The first position from i on where s[] is a quote or a backslash, or n. */
static inline size_t next_quote_or_backslash(const unsigned char *s, size_t i, size_t n)
{
    return find_first(s, i, n, FIND_QUOTE_OR_ESCAPE, 0);
}

/* The first position from i on where s[] is not a digit, or n: the end
 * of a number, without a loop whose length changes from line to line (a
 * branch mispredicted at the end of most sizes). */
static inline size_t next_non_digit(const unsigned char *s, size_t i, size_t n)
{
    return find_first(s, i, n, FIND_NON_DIGIT, 0);
}

/* Where the run of non-blanks that ends at z begins: the position after
 * the last blank in [lo, z), or lo when there is none.  Reads s[0..z), as
 * find_first does, from the end. */
static inline size_t run_start(const unsigned char *s, size_t lo, size_t z)
{
    while (z - lo >= CHUNK) {
        chunk_mask m = blanks_in(chunk_load(s + z - CHUNK));
        if (m)
            return z - CHUNK + mask_last(m) + 1;
        z -= CHUNK;
    }
    if (z == lo)
        return lo;
    if (z >= CHUNK) {
        chunk_mask m = mask_drop_below(blanks_in(chunk_load(s + z - CHUNK)), CHUNK - (z - lo));
        return m ? z - CHUNK + mask_last(m) + 1 : lo;
    }
    while (z > lo && !is_ws(s[z - 1]))
        z--;
    return z;
}

/* For tests (weblog.h): the searches above, out of line. */
size_t sp_weblog_find(const char *s, size_t i, size_t n, int what)
{
    const unsigned char *u = (const unsigned char *)s;
    switch (what) {
    case SP_WEBLOG_FIND_BLANK: return next_blank(u, i, n);
    case SP_WEBLOG_FIND_QUOTE_OR_ESCAPE: return next_quote_or_backslash(u, i, n);
    case SP_WEBLOG_FIND_RUN_START: return run_start(u, i, n);
    case SP_WEBLOG_FIND_NON_DIGIT: return next_non_digit(u, i, n);
    default:
        if (what >= SP_WEBLOG_FIND_BLANK_OR)
            return next_blank_or(u, i, n, (unsigned char)(what - SP_WEBLOG_FIND_BLANK_OR));
        return next_byte(u, i, n, (unsigned char)what);
    }
}

/* ` +`: one or more spaces (only ' ') at *p; advances past them. */
static inline int spaces(const unsigned char *s, size_t n, size_t *p)
{
    size_t i = *p;
    if (i >= n || s[i] != ' ')
        return 0;
    do
        i++;
    while (i < n && s[i] == ' ');
    *p = i;
    return 1;
}

/* The blanks of one chunk, s[base..base + CHUNK), kept between the words
 * of a line: host, ident and user mostly end in the same chunk, which is
 * then classified once. */
typedef struct blank_chunk {
    size_t base;  /* where the chunk starts */
    chunk_mask m; /* its blanks ({0, 0} before the first: no blank) */
} blank_chunk;

/* next_blank(), from the chunk in *c when i is in it and a blank follows
 * i there (the chunk is inside s[0..n): its bits are exact); else a search
 * that keeps its first chunk in *c. */
static inline size_t next_blank_kept(const unsigned char *s, size_t i, size_t n, blank_chunk *c)
{
    if (i - c->base < CHUNK) {
        chunk_mask m = mask_drop_below(c->m, i - c->base);
        if (m)
            return c->base + mask_first(m);
    }
    if (n - i >= CHUNK) {
        c->base = i;
        c->m = blanks_in(chunk_load(s + i));
        if (c->m)
            return i + mask_first(c->m);
        return next_blank(s, i + CHUNK, n);
    }
    return next_blank(s, i, n);
}

/* `\S+` followed by a blank: the run of non-blanks at *p (a shorter one
 * would be followed by a non-blank, which the ` +` after it cannot take);
 * *c: as for next_blank_kept(). */
static inline int word_kept(const unsigned char *s, size_t n, size_t *p, sp_weblog_text *out, blank_chunk *c)
{
    size_t i = next_blank_kept(s, *p, n, c);
    if (i == *p)
        return 0;
    *out = text_of((const char *)s, *p, i);
    *p = i;
    return 1;
}

/* `"((?:[^"\\]++|\\.)*+)"` at *p: a quote, then bytes that are neither a
 * quote nor a backslash, or a backslash and any byte but '\n', then a
 * quote.  Possessive: a backslash at the end or before '\n' ends the
 * contents there, and the closing quote is missing. */
static inline int quoted(const unsigned char *s, size_t n, size_t *p, sp_weblog_text *out)
{
    size_t i = *p;
    if (i >= n || s[i] != '"')
        return 0;
    size_t start = ++i;
    for (;;) {
        i = next_quote_or_backslash(s, i, n);
        if (i >= n)
            return 0;
        if (s[i] == '"')
            break;
        if (i + 1 >= n || s[i + 1] == '\n')
            return 0;
        i += 2;
    }
    *out = text_of((const char *)s, start, i);
    *p = i + 1;
    return 1;
}

/* `\s*$`: only blanks from p on ('$' before a final '\n' changes nothing:
 * \s* takes the '\n'). */
static inline int blank_rest(const unsigned char *s, size_t n, size_t p)
{
    while (p < n && is_ws(s[p]))
        p++;
    return p == n;
}

/* `(?: +(?:"(?:[^"\\]++|\\.)*+"|[^\s"]++))*+`: the extra fields after the
 * agent, quoted or not.  Returns where they end: an iteration that does not
 * match (blanks then something else, a quote not closed) is not taken, and
 * the loop is possessive, so that is final. */
static size_t extra_fields(const unsigned char *s, size_t n, size_t p)
{
    for (;;) {
        size_t q = p;
        if (!spaces(s, n, &q))
            return p;
        if (q < n && s[q] == '"') {
            sp_weblog_text ignored;
            if (!quoted(s, n, &q, &ignored))
                return p;
        } else if (q < n && !is_ws(s[q])) {
            q = next_blank_or(s, q, n, '"');
        } else {
            return p;
        }
        p = q;
    }
}

/* What common, combined and vhost_combined share, from the client on:
 * `(?<host>\S+) +(?<ident>\S+) +(?<user>\S+) +\[(?<time>[^\]]+)\] +
 *  "(?<request>...)" +(?<status>\d{3}) +(?<size>\d+|-)`.
 * *p: where the client starts; set to the end of the size. */
static int scan_core(const unsigned char *s, size_t n, size_t *p, sp_weblog_fields *f)
{
    size_t i = *p;
    blank_chunk c = {0, 0};
    if (!word_kept(s, n, &i, &f->host, &c) || !spaces(s, n, &i) || !word_kept(s, n, &i, &f->ident, &c) ||
        !spaces(s, n, &i) || !word_kept(s, n, &i, &f->user, &c) || !spaces(s, n, &i))
        return 0;
    /* \[(?<time>[^\]]+)\]: up to the first ']', not empty */
    if (i >= n || s[i] != '[')
        return 0;
    size_t close = next_byte(s, i + 1, n, ']');
    if (close >= n || close == i + 1)
        return 0;
    f->time = text_of((const char *)s, i + 1, close);
    i = close + 1;
    if (!spaces(s, n, &i) || !quoted(s, n, &i, &f->request) || !spaces(s, n, &i))
        return 0;
    /* (?<status>\d{3}) followed by ` +` */
    if (n - i < 3 || !is_digit(s[i]) || !is_digit(s[i + 1]) || !is_digit(s[i + 2]))
        return 0;
    f->status = text_of((const char *)s, i, i + 3);
    i += 3;
    if (!spaces(s, n, &i))
        return 0;
    /* (?<size>\d+|-): all the digits (what follows is a blank or the end) */
    size_t start = i;
    if (i < n && s[i] == '-') {
        i++;
    } else {
        i = next_non_digit(s, i, n);
        if (i == start)
            return 0;
    }
    f->size = text_of((const char *)s, start, i);
    *p = i;
    return 1;
}

/* ` +"(?<referer>...)" +"(?<agent>...)"` then the extra fields, from p; the
 * fields are set and the position after them is in *end only when all of
 * that matches. */
static SCAN_INLINE int referer_agent(const unsigned char *s, size_t n, size_t p, sp_weblog_fields *f, size_t *end)
{
    sp_weblog_text referer, agent;
    if (!spaces(s, n, &p) || !quoted(s, n, &p, &referer) || !spaces(s, n, &p) || !quoted(s, n, &p, &agent))
        return 0;
    f->referer = referer;
    f->agent = agent;
    *end = extra_fields(s, n, p);
    return 1;
}

/* vhost_combined: `^(?<vhost>[^\s,]+?)(?::(?<port>\d+))? +` then the core,
 * then `(?: +"referer" +"agent" extra fields)?\s*$`. */
static int scan_vhost(const unsigned char *s, size_t n, sp_weblog_fields *f)
{
    /* The server name and the port are one run of bytes that are neither
     * blanks nor commas, followed by a space.  The lazy name stops at the
     * first ':' whose digits reach that space; only the last ':' can have
     * nothing but digits after it, and the name takes at least one byte. */
    size_t w = next_blank_or(s, 0, n, ',');
    if (w == 0 || w >= n || s[w] != ' ')
        return 0;
    size_t k = w;
    while (k > 0 && is_digit(s[k - 1]))
        k--;
    if (k < w && k >= 2 && s[k - 1] == ':') {
        f->vhost = text_of((const char *)s, 0, k - 1);
        f->port = text_of((const char *)s, k, w);
    } else {
        f->vhost = text_of((const char *)s, 0, w);
    }
    size_t i = w;
    if (!spaces(s, n, &i) || !scan_core(s, n, &i, f))
        return 0;
    /* the optional group is tried first: when it matches, \s*$ must hold
     * after it (without it, \s*$ would meet its quote) */
    size_t end;
    if (referer_agent(s, n, i, f, &end))
        return blank_rest(s, n, end);
    return blank_rest(s, n, i);
}

static SCAN_INLINE int scan_line(const char *line, size_t n, sp_weblog_format format, sp_weblog_fields *f)
{
    const unsigned char *s = (const unsigned char *)(line ? line : "");
    const sp_weblog_text unset = {NULL, 0};
    /* the core sets the other fields when it matches */
    /* one by one: a chain (a = b = unset) stores one field in two halves
     * and reads it back whole for the next, which stalls */
    f->vhost = unset;
    f->port = unset;
    f->referer = unset;
    f->agent = unset;
    if (format != SP_WEBLOG_VHOST_COMBINED) {
        /* combined and common read the same up to the size; combined is
         * tried first (parse_access_log's order) */
        size_t i = 0, end;
        if (scan_core(s, n, &i, f)) {
            if (format != SP_WEBLOG_COMMON && referer_agent(s, n, i, f, &end)) {
                if (blank_rest(s, n, end)) {
                    f->format = SP_WEBLOG_COMBINED;
                    return 1;
                }
                f->referer = unset;
                f->agent = unset;
            }
            if (format != SP_WEBLOG_COMBINED && blank_rest(s, n, i)) {
                f->format = SP_WEBLOG_COMMON;
                return 1;
            }
        }
        if (format != SP_WEBLOG_ANY)
            return 0;
    }
    if (!scan_vhost(s, n, f))
        return 0;
    f->format = SP_WEBLOG_VHOST_COMBINED;
    return 1;
}

int sp_weblog_scan(const char *line, size_t n, sp_weblog_format format, sp_weblog_fields *f)
{
    return scan_line(line, n, format, f);
}

/* ======================================================================
 * The request line
 * ====================================================================== */

/* split_request: '^ *(?<method>\S+) +(?<target>.*?)(?: +(?<protocol>HTTP/\S*|\S+/\d\S*))? *$'.
 *
 * The method is the run of non-blanks after the leading spaces, and a space
 * must follow it.  The target is lazy: the first end t (from the first
 * non-space after the method, never past a '\n', which '.' does not take)
 * where either the protocol group and ` *$` match, or ` *$` alone does.
 * ` *$` holds at x exactly when x >= z, z being where the spaces before the
 * end (or before a final '\n') begin.  The protocol is a run of non-blanks
 * followed by ` *$`, so it can only be the last run, ending at z; the group
 * matches from any t in the spaces before it, the first of which is the
 * earliest. */
/* split_request on s[from..n): the positions are in s, whose bytes from 0
 * on may be read (the searches read whole chunks: the request is inside its
 * line, which they may read back into).  Also sets *query, when it returns
 * 1: the position of the target's first '?', or the target's end. */
static SCAN_INLINE int split_request(const unsigned char *s, size_t from, size_t n, sp_weblog_text *method,
                                      sp_weblog_text *target, sp_weblog_text *protocol, size_t *query)
{
    size_t i = from;
    while (i < n && s[i] == ' ')
        i++;
    size_t ms = i;
    i = next_blank(s, i, n);
    if (i == ms || i >= n || s[i] != ' ')
        return 0;
    size_t me = i;
    while (i < n && s[i] == ' ')
        i++;
    size_t pos = i;

    /* z: the trailing spaces, before a final '\n' if there is one */
    size_t z = n > from && s[n - 1] == '\n' ? n - 1 : n;
    while (z > from && s[z - 1] == ' ')
        z--;

    /* the last run of non-blanks, [v, z), and the spaces before it, [t0, v):
     * the protocol when it looks like one */
    size_t t = z > pos ? z : pos; /* without a protocol: the first t >= z */
    size_t u = t;                 /* the protocol is [u, z) when u < z */
    if (z > pos && !is_ws(s[z - 1])) {
        size_t v = run_start(s, pos, z);
        size_t t0 = v;
        while (t0 > pos && s[t0 - 1] == ' ')
            t0--;
        /* HTTP/\S* or \S+/\d\S*: "HTTP/" first, else a '/' after the
         * first byte with a digit after it */
        int proto = 0;
        if (t0 < v && v > pos) {
            if (z - v >= 5 && memcmp(s + v, "HTTP/", 5) == 0)
                proto = 1;
            for (size_t j = v + 1; !proto && j + 1 < z; j++)
                proto = s[j] == '/' && is_digit(s[j + 1]);
        }
        if (proto) {
            t = t0;
            u = v;
        }
    }
    /* the target may not hold a '\n'; path_of() needs its first '?' (or
     * t), the record's path ends there: one search finds the first of the
     * two, and only a '?' makes a second search for a '\n' after it */
    size_t q = find_first(s, pos, t, FIND_NEWLINE_OR_QUERY, 0);
    if (q < t && (s[q] == '\n' || next_byte(s, q + 1, t, '\n') < t))
        return 0;
    *query = q;
    *method = text_of((const char *)s, ms, me);
    *target = text_of((const char *)s, pos, t);
    protocol->s = NULL;
    protocol->n = 0;
    if (u < z)
        *protocol = text_of((const char *)s, u, z);
    return 1;
}

int sp_weblog_split_request(const char *r, size_t n, sp_weblog_text *method, sp_weblog_text *target,
                            sp_weblog_text *protocol)
{
    size_t query;
    return split_request((const unsigned char *)(r ? r : ""), 0, n, method, target, protocol, &query);
}

/* ======================================================================
 * Times
 * ====================================================================== */

struct sp_weblog_state {
    size_t len;     /* the last timestamp text converted, text[0..len); SIZE_MAX: none yet */
    char text[48];
    int ok;         /* its result: 1 and ms, or 0 (no time) */
    int64_t ms;
    const sp_shape *shape; /* sp_weblog_shape(), looked up once */
};

sp_weblog_state *sp_weblog_state_new(void)
{
    sp_weblog_state *st = sp_xmalloc(sizeof *st);
    memset(st, 0, sizeof *st);
    st->len = SIZE_MAX; /* no text has that length: nothing cached */
    st->shape = sp_weblog_shape();
    return st;
}

void sp_weblog_state_free(sp_weblog_state *st)
{
    free(st);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int two_digits(const unsigned char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The usual form, exactly: "10/Oct/2000:13:55:36 -0700" (26 bytes, the
 * month as Apache writes it).  What parse_time(text, "%d/%b/%Y:%H:%M:%S %z")
 * gives for it; 0 for anything else, which the general path then reads. */
static int apache_time(const unsigned char *s, size_t n, int64_t *ms)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const unsigned char digit_at[] = {0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19, 22, 23, 24, 25};
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':' || s[20] != ' ' ||
        (s[21] != '+' && s[21] != '-'))
        return 0;
    for (size_t k = 0; k < sizeof digit_at; k++)
        if (!is_digit(s[digit_at[k]]))
            return 0;
    int mon = 0;
    while (mon < 12 && memcmp(months + 3 * mon, s + 3, 3) != 0)
        mon++;
    if (mon == 12)
        return 0;
    int day = two_digits(s), hour = two_digits(s + 12), min = two_digits(s + 15), sec = two_digits(s + 18);
    int64_t year = two_digits(s + 7) * 100 + two_digits(s + 9);
    int zh = two_digits(s + 22), zm = two_digits(s + 24);
    int dim = mon == 1 && is_leap(year) ? 29 : mdays[mon];
    if (day < 1 || day > dim || hour > 23 || min > 59 || sec > 60 || zh > 23 || zm > 59)
        return 0;
    int64_t offset_min = (s[21] == '-' ? -1 : 1) * (zh * 60 + zm);
    *ms = sp_days_from_civil(year, mon + 1, day) * 86400000LL + hour * 3600000LL + min * 60000LL + sec * 1000LL -
          offset_min * 60000;
    return 1;
}

/* time_of(text) of weblog.sp: the first of its four formats that reads. */
static int time_of(const char *s, size_t n, int64_t *ms)
{
    static const char *const formats[] = {"%d/%b/%Y:%H:%M:%S %z", "%d/%b/%Y %H:%M:%S %z", "%d/%b/%Y:%H:%M:%S",
                                          "%d/%b/%Y %H:%M:%S"};
    if (apache_time((const unsigned char *)s, n, ms))
        return 1;
    for (size_t k = 0; k < sizeof formats / sizeof formats[0]; k++)
        if (sp_time_parse(s, n, formats[k], strlen(formats[k]), ms, NULL) == 1)
            return 1;
    return 0;
}

/* sp_weblog_time() when the usual 26 bytes are not those of the last line:
 * out of line, as it is seldom called. */
static __attribute__((noinline)) int time_convert(sp_weblog_state *st, const char *s, size_t n, int64_t *ms)
{
    if (st->len == n && memcmp(st->text, s, n) == 0) {
        *ms = st->ms;
        return st->ok;
    }
    int64_t t = 0;
    int ok = time_of(s, n, &t);
    if (n <= sizeof st->text) {
        memcpy(st->text, s, n);
        st->len = n;
        st->ok = ok;
        st->ms = t;
    }
    *ms = t;
    return ok;
}

/* sp_weblog_time, inline in the record's path: consecutive lines mostly
 * share their second, so mostly one comparison of 26 bytes. */
static inline int time_cached(sp_weblog_state *st, const char *s, size_t n, int64_t *ms)
{
    if (n == 26 && st->len == 26 && memcmp(st->text, s, 26) == 0) {
        *ms = st->ms;
        return st->ok;
    }
    return time_convert(st, s, n, ms);
}

int sp_weblog_time(sp_weblog_state *st, const char *s, size_t n, int64_t *ms)
{
    return time_cached(st, s, n, ms);
}

/* ======================================================================
 * Records
 * ====================================================================== */

enum {
    F_HOST, F_IDENT, F_USER, F_TIME, F_METHOD, F_ENDPOINT, F_PATH, F_PROTOCOL, F_STATUS, F_SIZE, F_REFERER,
    F_AGENT, F_VHOST, F_PORT, F_DURATION_US, F_COUNT
};

/* web_record's fields, in its order */
static const char *field_names[F_COUNT] = {"host",     "ident",  "user",    "time",  "method",
                                           "endpoint", "path",   "protocol", "status", "size",
                                           "referer",  "agent",  "vhost",   "port",  "duration_us"};
static sp_shape access_shape = {F_COUNT, field_names, 0};
static pthread_once_t access_shape_once = PTHREAD_ONCE_INIT;

static void access_shape_init(void)
{
    access_shape.id = sp_shape_id();
}

const sp_shape *sp_weblog_shape(void)
{
    pthread_once(&access_shape_once, access_shape_init);
    return &access_shape;
}

/* to_int() of a run of digits: 0 when it does not fit in an int64. */
static inline int digits_value(sp_weblog_text t, int64_t *out)
{
    uint64_t acc = 0;
    if (t.n <= 18) { /* below 10^18: fits, no check needed */
        for (size_t i = 0; i < t.n; i++)
            acc = acc * 10 + (unsigned)((unsigned char)t.s[i] - '0');
        *out = (int64_t)acc;
        return 1;
    }
    for (size_t i = 0; i < t.n; i++) {
        unsigned d = (unsigned char)t.s[i] - '0';
        if (acc > ((uint64_t)INT64_MAX - d) / 10)
            return 0;
        acc = acc * 10 + d;
    }
    *out = (int64_t)acc;
    return 1;
}

/* digits_value of t, a run of 1 to 8 digits that ends at least 8 bytes
 * into `line`: the 8 bytes that end with it are read at once (those before
 * it are the line's), and converted without a loop, whose length would
 * change with the number (a branch mispredicted on most lines).  Else
 * digits_value(). */
static inline int size_value(const char *line, sp_weblog_text t, int64_t *out)
{
    size_t to = (size_t)(t.s - line) + t.n;
    if (t.n > 8 || to < 8)
        return digits_value(t, out);
    uint64_t w;
    memcpy(&w, line + to - 8, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    /* byte k is line[to - 8 + k]: the digits are the last t.n bytes; the
     * ones before them become leading zeros */
    w &= ~(uint64_t)0 << (8 * (8 - t.n));
    w &= 0x0F0F0F0F0F0F0F0Fu;               /* '0'..'9' -> 0..9 */
    w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFu;       /* pairs: 10a + b in every other byte */
    w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFu;     /* fours */
    w = (w * 10000 + (w >> 32)) & 0xFFFFFFFFu;          /* eight */
    *out = (int64_t)w;
    return 1;
}

/* "" + coalesce(group, ""): an unset group is "". */
static sp_value str_or_empty(sp_weblog_text t)
{
    return t.s ? sp_str(t.s, t.n) : sp_str("", 0);
}

/* A projection (weblog.h): the fields kept, in shape order. */
struct sp_weblog_proj {
    sp_shape shape;  /* the kept fields' names; its own id */
    uint32_t fields; /* bit k: field k (F_*) is kept */
};

#define ALL_FIELDS ((UINT32_C(1) << F_COUNT) - 1)

const sp_weblog_proj *sp_weblog_proj_new(sp_arena *a, uint32_t fields)
{
    fields &= ALL_FIELDS;
    if (fields == ALL_FIELDS)
        return NULL;
    sp_weblog_proj *p = sp_arena_alloc(a, sizeof *p);
    const char **names = sp_arena_alloc(a, sizeof *names * F_COUNT);
    int n = 0;
    for (int k = 0; k < F_COUNT; k++)
        if (fields >> k & 1)
            names[n++] = field_names[k];
    p->shape.n = n;
    p->shape.names = names;
    p->shape.id = sp_shape_id();
    p->fields = fields;
    return p;
}

sp_value sp_weblog_record(sp_weblog_state *st, sp_arena *a, const char *line, size_t n, sp_weblog_format format,
                          const sp_weblog_proj *proj)
{
    sp_weblog_fields m;
    if (!scan_line(line, n, format, &m))
        return sp_null();
    /* numbers_fit: the size (unless '-') and the port must fit in an int */
    int64_t size = 0, port = 0, status;
    if (!(m.size.n == 1 && m.size.s[0] == '-') && !size_value(line, m.size, &size))
        return sp_null();
    if (m.port.s && !digits_value(m.port, &port))
        return sp_null();
    status = (m.status.s[0] - '0') * 100 + (m.status.s[1] - '0') * 10 + (m.status.s[2] - '0'); /* \d{3} */

    /* the request, its target and its path are searched as parts of the
     * line (positions in it), so that the searches can read whole chunks */
    const unsigned char *s = (const unsigned char *)line;
    size_t request = (size_t)(m.request.s - line);
    sp_weblog_text method = {NULL, 0}, target, protocol = {NULL, 0};
    size_t query;
    int split = split_request(s, request, request + m.request.n, &method, &target, &protocol, &query);
    sp_weblog_text endpoint = split ? target : m.request; /* coalesce(r.target, m.request) */
    size_t endpoint_at = (size_t)(endpoint.s - line);
    if (!split) /* split_request found the target's '?' */
        query = next_byte(s, endpoint_at, endpoint_at + endpoint.n, '?');
    sp_weblog_text path = text_of(line, endpoint_at, query); /* path_of */

    /* the fields kept, in order: all of them, or a projection's, in a
     * shape of their own; the tests of `keep` go the same way on every line */
    uint32_t keep = proj ? proj->fields : ALL_FIELDS;
    int nkeep = proj ? proj->shape.n : F_COUNT;
    /* sp_record_new() without its memset: every field is set below */
    sp_record *rec = sp_arena_alloc_raw(a, sizeof(sp_record) + (size_t)(nkeep ? nkeep : 1) * sizeof(sp_value));
    rec->shape = proj ? &proj->shape : st->shape;
    sp_value *v = rec->vals;
#define KEEP(k, value)           \
    if (keep >> (k) & 1)         \
        *v++ = (value)
    KEEP(F_HOST, sp_str(m.host.s, m.host.n)); /* the core sets it */
    KEEP(F_IDENT, sp_str(m.ident.s, m.ident.n)); /* the core sets it */
    KEEP(F_USER, sp_str(m.user.s, m.user.n)); /* the core sets it */
    int64_t t;
    KEEP(F_TIME, time_cached(st, m.time.s, m.time.n, &t) ? sp_int(t) : sp_null());
    KEEP(F_METHOD, str_or_empty(method));
    KEEP(F_ENDPOINT, sp_str(endpoint.s, endpoint.n)); /* set: the target or the request */
    KEEP(F_PATH, sp_str(path.s, path.n));
    KEEP(F_PROTOCOL, str_or_empty(protocol));
    KEEP(F_STATUS, sp_int(status));
    KEEP(F_SIZE, sp_int(size));
    KEEP(F_REFERER, str_or_empty(m.referer));
    KEEP(F_AGENT, str_or_empty(m.agent));
    KEEP(F_VHOST, str_or_empty(m.vhost));
    KEEP(F_PORT, sp_int(port));
    KEEP(F_DURATION_US, sp_null());
#undef KEEP
    sp_value r = {SP_V_RECORD, (uint32_t)nkeep, {.rec = rec}};
    return r;
}
