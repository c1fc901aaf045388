/* test_util.h - helpers shared by the front-end unit tests (CUnit).
 *
 * Each test file registers one suite (prototypes below).  A test compiles
 * pipeline text with tu_parse() (scanner and parser only), tu_load() (plus the
 * prelude and `use`d libraries) or tu_check() (plus the checker); each returns
 * an sp_unit owning a fresh collect-only sp_diag and a fresh arena.  Units are
 * kept on a per-file list and freed by tu_teardown(), which every suite
 * registers as its test teardown, so a test never frees them itself and a
 * failed CU_ASSERT_FATAL leaks nothing either.
 *
 * The TU_EXPECT_* macros are CU_ASSERTs that print the observed value in the
 * failure report ("expected X, got Y"), so a failure says what the front end
 * actually did. */
#ifndef SP_TEST_UTIL_H
#define SP_TEST_UTIL_H

#include <CUnit/CUnit.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "ast.h"
#include "check.h"
#include "diag.h"
#include "dot.h"
#include "parse.h"
#include "plan.h"
#include "srcfile.h"
#include "types.h"

/* ----- suite registration (one per test file) ----- */

/* Each adds its suite to the CUnit registry; returns CUE_SUCCESS or the
 * CUnit error. */
CU_ErrorCode sp_test_register_lexer(void);
CU_ErrorCode sp_test_register_parser(void);
CU_ErrorCode sp_test_register_check(void);
CU_ErrorCode sp_test_register_plan(void);
CU_ErrorCode sp_test_register_builtins(void);
CU_ErrorCode sp_test_register_runtime(void);
CU_ErrorCode sp_test_register_checkpoint(void);
CU_ErrorCode sp_test_register_stats(void);
CU_ErrorCode sp_test_register_weblog(void);
CU_ErrorCode sp_test_register_project(void);

/* Adds the tests of `tests` (terminated by {NULL, NULL}) as suite `name`,
 * with tu_teardown() after each test. */
typedef struct tu_test {
    const char *name; /* reads as a sentence */
    CU_TestFunc fn;
} tu_test;

/* ----- compiled units ----- */

/* The display name given to test input. */
#define TU_FILE_NAME "test.sp"

typedef struct sp_unit {
    sp_diag *d;             /* collect-only diagnostics; owns the source files */
    sp_arena *a;            /* owns the AST, types and plan */
    int file;               /* index of the main file in d */
    sp_program *p;          /* tu_load / tu_check: the program (NULL for tu_parse) */
    sp_stmt *stmts;         /* statements of the main file */
    int parse_errors;       /* tu_parse: what sp_parse_file returned */
    sp_check_status status; /* tu_check: what sp_check returned */
    int64_t batch_ms;       /* tu_check: the batch interval */
    struct sp_unit *next;   /* next unit to free */
} sp_unit;

/* The units of this translation unit, freed by tu_teardown(). */
static inline sp_unit **tu_list(void)
{
    static sp_unit *head;
    return &head;
}

static inline sp_unit *tu_new(void)
{
    sp_unit *u = calloc(1, sizeof *u);
    if (!u) {
        fputs("test_frontend: out of memory\n", stderr);
        abort();
    }
    u->d = sp_diag_new(NULL);
    u->a = sp_arena_new();
    u->next = *tu_list();
    *tu_list() = u;
    return u;
}

/* Frees every unit created since the last call; the suites' teardown. */
static inline void tu_teardown(void)
{
    sp_unit *u = *tu_list();
    while (u) {
        sp_unit *next = u->next;
        sp_arena_free(u->a);
        sp_diag_free(u->d);
        free(u);
        u = next;
    }
    *tu_list() = NULL;
}

static inline CU_ErrorCode tu_add_suite(const char *name, const tu_test *tests)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown(name, NULL, NULL, NULL, tu_teardown);
    if (!s)
        return CU_get_error();
    for (const tu_test *t = tests; t->name; t++)
        if (!CU_add_test(s, t->name, t->fn))
            return CU_get_error();
    return CUE_SUCCESS;
}

/* Scans and parses `text` alone (no prelude, no libraries, no checker). */
static inline sp_unit *tu_parse(const char *text)
{
    sp_unit *u = tu_new();
    u->file = sp_diag_add_file(u->d, sp_srcfile_from_string(TU_FILE_NAME, text, strlen(text)));
    u->parse_errors = sp_parse_file(u->d, u->a, u->file, &u->stmts);
    return u;
}

/* Loads `text` with sp_load_string: the prelude and `use`d libraries too. */
static inline sp_unit *tu_load(const char *text)
{
    sp_unit *u = tu_new();
    u->p = sp_load_string(u->d, u->a, TU_FILE_NAME, text, strlen(text), NULL);
    if (u->p) {
        u->file = u->p->main_file;
        u->stmts = u->p->stmts;
    }
    return u;
}

/* Loads and checks `text` with -p overrides. */
static inline sp_unit *tu_check_with(const char *text, const sp_param_override *ov, int nov)
{
    sp_unit *u = tu_load(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u->p);
    u->status = sp_check(u->p, u->d, u->a, ov, nov, &u->batch_ms);
    return u;
}

/* Loads and checks `text`. */
static inline sp_unit *tu_check(const char *text)
{
    return tu_check_with(text, NULL, 0);
}

/* ----- looking at results ----- */

static inline int tu_errors(const sp_unit *u) { return sp_diag_errors(u->d); }
static inline int tu_warnings(const sp_unit *u) { return sp_diag_warnings(u->d); }

/* Index of the first message equal to `msg`, or -1. */
static inline int tu_find(const sp_unit *u, const char *msg)
{
    for (int i = 0; i < sp_diag_count(u->d); i++)
        if (strcmp(sp_diag_message(u->d, i), msg) == 0)
            return i;
    return -1;
}

/* Index of the first message containing `part`, or -1. */
static inline int tu_find_part(const sp_unit *u, const char *part)
{
    for (int i = 0; i < sp_diag_count(u->d); i++)
        if (strstr(sp_diag_message(u->d, i), part))
            return i;
    return -1;
}

/* All messages as one line each ("L:C: severity: message [hint]"), for
 * failure reports; owned by the unit's arena. */
static inline const char *tu_messages(const sp_unit *u)
{
    static const char *const sev[] = {"error", "warning", "note"};
    char *s = sp_arena_strdup(u->a, "");
    for (int i = 0; i < sp_diag_count(u->d); i++) {
        const char *h = sp_diag_hint(u->d, i);
        s = sp_arena_printf(u->a, "%s%s%d:%d: %s: %s%s%s%s", s, i ? " | " : "", sp_diag_line(u->d, i),
                            sp_diag_col(u->d, i), sev[sp_diag_severity(u->d, i)],
                            sp_diag_message(u->d, i), h ? " [hint: " : "", h ? h : "", h ? "]" : "");
    }
    return s[0] ? s : "(no messages)";
}

/* The n-th statement (0-based) of the main file, or NULL. */
static inline sp_stmt *tu_stmt(const sp_unit *u, int n)
{
    sp_stmt *s = u->stmts;
    while (s && n-- > 0)
        s = s->next;
    return s;
}

static inline int tu_stmt_count(const sp_unit *u)
{
    int n = 0;
    for (const sp_stmt *s = u->stmts; s; s = s->next)
        n++;
    return n;
}

/* The statement named `name` in the main file, or NULL. */
static inline sp_stmt *tu_named(const sp_unit *u, const char *name)
{
    for (sp_stmt *s = u->stmts; s; s = s->next)
        if (s->name && strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

/* The n-th step (0-based) of a pipeline, or NULL. */
static inline sp_step *tu_step(const sp_stmt *s, int n)
{
    sp_step *st = s ? s->steps : NULL;
    while (st && n-- > 0)
        st = st->next;
    return st;
}

/* The n-th argument (0-based) of a list, or NULL. */
static inline sp_arg *tu_arg(sp_arg *list, int n)
{
    while (list && n-- > 0)
        list = list->next;
    return list;
}

/* The source text at loc (in the unit's arena). */
static inline const char *tu_text(const sp_unit *u, sp_loc loc)
{
    const sp_srcfile *f = sp_diag_file(u->d, loc.file);
    if (!f || loc.start < 0 || loc.end < loc.start)
        return "(bad location)";
    size_t len;
    const char *text = sp_srcfile_text(f, &len);
    if ((size_t)loc.end > len)
        return "(bad location)";
    return sp_arena_strndup(u->a, text + loc.start, (size_t)(loc.end - loc.start));
}

/* The byte offset of the n-th (0-based) occurrence of `needle` in the main
 * file's text, or -1. */
static inline int tu_offset(const sp_unit *u, const char *needle, int n)
{
    size_t len;
    const char *text = sp_srcfile_text(sp_diag_file(u->d, u->file), &len);
    const char *p = text;
    for (;;) {
        const char *hit = strstr(p, needle);
        if (!hit)
            return -1;
        if (n-- == 0)
            return (int)(hit - text);
        p = hit + 1;
    }
}

/* A type's spelling, in the unit's arena. */
static inline const char *tu_type(const sp_unit *u, const sp_type *t)
{
    return t ? sp_type_name(u->a, t) : "(no type)";
}

/* An expression printed back as source text, in the unit's arena. */
static inline const char *tu_expr(const sp_unit *u, const sp_expr *e)
{
    return e ? sp_ast_expr_string(u->a, e, 1000) : "(no expression)";
}

/* ----- assertions that report what they saw ----- */

static inline void tu_assert(int ok, unsigned line, const char *file, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static inline void tu_assert(int ok, unsigned line, const char *file, const char *func, const char *fmt, ...)
{
    char buf[4096];
    buf[0] = '\0';
    if (!ok) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
    }
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, ok ? "ok" : buf, file, func, CU_FALSE);
}

static inline void tu_expect_str(const char *got, const char *want, const char *what, unsigned line,
                                 const char *file, const char *func)
{
    int ok = got && want ? strcmp(got, want) == 0 : got == want;
    tu_assert(ok, line, file, func, "%s: expected \"%s\", got \"%s\"", what, want ? want : "(null)",
              got ? got : "(null)");
}

static inline void tu_expect_int(long long got, long long want, const char *what, unsigned line,
                                 const char *file, const char *func)
{
    tu_assert(got == want, line, file, func, "%s: expected %lld, got %lld", what, want, got);
}

#define TU_EXPECT_STR(got, want) tu_expect_str((got), (want), #got, __LINE__, __FILE__, __func__)
#define TU_EXPECT_INT(got, want) tu_expect_int((long long)(got), (long long)(want), #got, __LINE__, __FILE__, __func__)

/* The unit has exactly `errors` errors and `warnings` warnings. */
static inline void tu_expect_counts(const sp_unit *u, int errors, int warnings, unsigned line,
                                    const char *file, const char *func)
{
    tu_assert(tu_errors(u) == errors && tu_warnings(u) == warnings, line, file, func,
              "expected %d error(s) and %d warning(s), got %d and %d: %s", errors, warnings,
              tu_errors(u), tu_warnings(u), tu_messages(u));
}
#define TU_EXPECT_COUNTS(u, errors, warnings) \
    tu_expect_counts((u), (errors), (warnings), __LINE__, __FILE__, __func__)

/* A message with exactly this text was reported with this severity, at
 * line:col, with this hint (NULL: no hint).  Returns its index or -1. */
static inline int tu_expect_diag(const sp_unit *u, sp_severity sev, const char *msg, int line, int col,
                                 const char *hint, unsigned at, const char *file, const char *func)
{
    int i = tu_find(u, msg);
    tu_assert(i >= 0, at, file, func, "no message \"%s\"; got: %s", msg, tu_messages(u));
    if (i < 0)
        return -1;
    tu_assert(sp_diag_severity(u->d, i) == sev, at, file, func, "\"%s\": severity %d, expected %d", msg,
              (int)sp_diag_severity(u->d, i), (int)sev);
    tu_assert(sp_diag_line(u->d, i) == line && sp_diag_col(u->d, i) == col, at, file, func,
              "\"%s\": at %d:%d, expected %d:%d", msg, sp_diag_line(u->d, i), sp_diag_col(u->d, i), line, col);
    const char *h = sp_diag_hint(u->d, i);
    int hint_ok = hint && h ? strcmp(h, hint) == 0 : hint == h;
    tu_assert(hint_ok, at, file, func, "\"%s\": hint \"%s\", expected \"%s\"", msg, h ? h : "(none)",
              hint ? hint : "(none)");
    return i;
}
#define TU_EXPECT_ERROR(u, msg, line, col, hint) \
    tu_expect_diag((u), SP_ERROR, (msg), (line), (col), (hint), __LINE__, __FILE__, __func__)
#define TU_EXPECT_WARNING(u, msg, line, col, hint) \
    tu_expect_diag((u), SP_WARNING, (msg), (line), (col), (hint), __LINE__, __FILE__, __func__)

/* ----- paths ----- */

/* "<abs srcdir>/<rel>", derived from STREAMPIPE_SRC_STDLIB_DIR
 * ("<abs srcdir>/stdlib"), in the unit's arena. */
static inline const char *tu_src_path(const sp_unit *u, const char *rel)
{
    const char *stdlib = STREAMPIPE_SRC_STDLIB_DIR;
    size_t n = strlen(stdlib);
    const char *slash = strrchr(stdlib, '/');
    if (slash && strcmp(slash, "/stdlib") == 0)
        n = (size_t)(slash - stdlib);
    return sp_arena_printf(u->a, "%.*s/%s", (int)n, stdlib, rel);
}

#endif
