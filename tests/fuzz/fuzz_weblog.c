/* fuzz_weblog.c - libFuzzer target for the access-log parsers of
 * stdlib/weblog.sp (`make fuzz`).
 *
 * stdlib/weblog.sp is loaded, checked and prepared once (its constant
 * regular expressions compiled with JIT, as before a run).  Each input is
 * split at its first '\n': the text before it is a log line (a file source
 * never hands out a '\n'), the text after it, if any, an Apache LogFormat
 * string.  The line goes through parse_access_log, parse_common,
 * parse_combined, parse_vhost_combined, and parse_logformat with a fixed
 * format and with the input's format, through the evaluator, as a pipeline
 * runs them.
 *
 * Beyond what ASan and UBSan catch, it checks what weblog.sp promises:
 *  - the four fixed parsers are native (scan_access_log, src/weblog.c) and
 *    give exactly what their language versions (parse_*_re) give: the same
 *    record, field for field and byte for byte (tests/weblog_same.h), or
 *    null for both;
 *  - the fixed parsers never raise a run-time error, whatever the line
 *    (bad data gives null, silently: logs.sp counts it as malformed);
 *  - parse_access_log gives the record of parse_combined, else of
 *    parse_common, else of parse_vhost_combined, else null;
 *  - a record has a status of 0..999 and a size >= 0 (an int: a number that
 *    does not fit in 64 bits makes the line malformed, see numbers_fit).
 * A broken promise aborts, so libFuzzer keeps the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "eval.h"
#include "parse.h"
#include "value.h"
#include "../weblog_same.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char program_text[] = "use weblog\n"
                                   "source s = stdin()\n"
                                   "s | map parse_access_log | sink stdout\n";

/* A LogFormat with most directives: %D, %T, %v:%p, %{...}t and conditions. */
static const char fixed_format[] =
    "%v:%p %h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D %{ms}T %!200{X-Forwarded-For}i";

enum { P_ACCESS, P_COMMON, P_COMBINED, P_VHOST, P_LOGFORMAT, P_ACCESS_RE, P_COMMON_RE, P_COMBINED_RE, P_VHOST_RE,
       P_COUNT };
static const char *const parser_names[P_COUNT] = {"parse_access_log",     "parse_common",        "parse_combined",
                                                  "parse_vhost_combined", "parse_logformat",     "parse_access_log_re",
                                                  "parse_common_re",      "parse_combined_re",   "parse_vhost_combined_re"};

/* Built once, kept for the life of the process. */
static sp_diag *diag;
static sp_arena *program_arena;
static sp_program *program;
static sp_funcval parsers[P_COUNT];
static sp_eval ev;

static void die(const char *what)
{
    fprintf(stderr, "fuzz_weblog: %s\n", what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    unsetenv("STREAMPIPE_PATH"); /* stdlib/ of the source tree only */
    diag = sp_diag_new(stderr);
    program_arena = sp_arena_new();
    program = sp_load_string(diag, program_arena, "fuzz_weblog.sp", program_text, strlen(program_text), NULL);
    if (!program || sp_diag_errors(diag) ||
        sp_check(program, diag, program_arena, NULL, 0, NULL) != SP_CHECK_OK ||
        sp_eval_prepare(program, diag, program_arena) != 0)
        die("stdlib/weblog.sp does not load, check or prepare");
    for (int k = 0; k < P_COUNT; k++) {
        const sp_stmt *s = program->library;
        while (s && !(s->kind == SP_S_FN && strcmp(s->name, parser_names[k]) == 0))
            s = s->next;
        if (!s)
            die("a parser is missing from stdlib/weblog.sp");
        parsers[k].kind = 0;
        parsers[k].def = s;
    }
    sp_eval_init(&ev, program_arena, NULL); /* errors are counted, not printed */
    return 0;
}

static sp_value call(int k, sp_value line, const char *fmt, size_t fmtlen)
{
    sp_value fv = {SP_V_FUNC, 0, {.fn = &parsers[k]}};
    sp_value args[2] = {line, sp_str(fmt, fmtlen)};
    return sp_eval_apply(&ev, fv, args, k == P_LOGFORMAT ? 2 : 1, NULL);
}

static void check_record(sp_value r, const char *parser)
{
    if (r.tag == SP_V_NULL)
        return;
    if (r.tag != SP_V_RECORD) {
        fprintf(stderr, "fuzz_weblog: %s gave a %s\n", parser, sp_value_type_name(r));
        abort();
    }
    const sp_value *status = sp_record_get(r, "status");
    const sp_value *size = sp_record_get(r, "size");
    if (!status || status->tag != SP_V_INT || status->u.i < 0 || status->u.i > 999) {
        fprintf(stderr, "fuzz_weblog: %s gave a status that is not 0..999\n", parser);
        abort();
    }
    if (!size || size->tag != SP_V_INT || size->u.i < 0) {
        fprintf(stderr, "fuzz_weblog: %s gave a size that is not an int >= 0\n", parser);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t linelen = nl ? (size_t)(nl - text) : size;
    sp_arena *a = sp_arena_new();
    ev.arena = a;
    /* the line in its own allocation of its size, so ASan sees any read past
     * its end (an arena block would hide it: it is not poisoned) */
    char *copy = malloc(linelen ? linelen : 1);
    if (!copy)
        die("out of memory");
    memcpy(copy, text, linelen);
    sp_value line = sp_str(copy, linelen);

    uint64_t errors0 = ev.errors;
    sp_value r[P_COUNT];
    for (int k = 0; k < P_LOGFORMAT; k++) {
        r[k] = call(k, line, NULL, 0);
        check_record(r[k], parser_names[k]);
    }
    if (ev.errors != errors0)
        die("a fixed parser raised a run-time error (bad data must give null silently)");
    sp_value want = r[P_COMBINED].tag != SP_V_NULL ? r[P_COMBINED]
                    : r[P_COMMON].tag != SP_V_NULL ? r[P_COMMON]
                                                   : r[P_VHOST];
    if (!sp_value_equal(r[P_ACCESS], want))
        die("parse_access_log disagrees with parse_combined / parse_common / parse_vhost_combined");
    /* the native parsers against their language versions */
    for (int k = 0; k < 4; k++) {
        sp_value ref = call(P_ACCESS_RE + k, line, NULL, 0);
        char why[400];
        if (!weblog_same(r[P_ACCESS + k], ref, why, sizeof why)) {
            fprintf(stderr, "fuzz_weblog: %s and %s differ: %s\n", parser_names[P_ACCESS + k],
                    parser_names[P_ACCESS_RE + k], why);
            abort();
        }
    }
    if (ev.errors != errors0)
        die("a language version of a fixed parser raised a run-time error");

    r[P_LOGFORMAT] = call(P_LOGFORMAT, line, fixed_format, strlen(fixed_format));
    check_record(r[P_LOGFORMAT], "parse_logformat (fixed format)");
    if (ev.errors != errors0)
        die("parse_logformat raised a run-time error with a valid format");
    if (nl) {
        /* any format: run-time errors are allowed (an unknown strftime
         * directive in %{...}t), crashes and hangs are not */
        size_t fmtlen = size - linelen - 1;
        char *fmt = sp_arena_alloc(a, fmtlen ? fmtlen : 1);
        memcpy(fmt, nl + 1, fmtlen);
        check_record(call(P_LOGFORMAT, line, fmt, fmtlen), "parse_logformat");
    }
    ev.arena = program_arena;
    sp_arena_free(a);
    free(copy);
    return 0;
}
