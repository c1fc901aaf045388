/* eval.h - the expression evaluator: runs the checked AST on values.
 *
 * One sp_eval per worker thread.  Results are allocated from the arena it is
 * given (the batch arena) and stay valid until that arena is freed.  Errors at
 * run time (a division by zero, a field of a number, ...) never stop the
 * pipeline: the expression yields null and the error is counted and reported
 * once per place. */
#ifndef SP_EVAL_H
#define SP_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "value.h"

#define SP_EVAL_STACK 65536

typedef struct sp_eval {
    sp_arena *arena;        /* where results are allocated; not owned */
    sp_diag *diag;          /* where run-time errors are reported; not owned */
    const sp_value *it;     /* the element an operator looks at, or NULL */
    sp_value *frame;        /* locals of the current frame (into stack) */
    sp_value *stack;        /* frame stack, SP_EVAL_STACK values; owned */
    int sp;                 /* values in use on the stack */
    int depth;              /* call depth */
    int64_t now_ms;         /* processing time of the batch */
    uint64_t errors;        /* run-time errors so far */
    void *match_data;       /* PCRE2 match data for this thread; owned */
    void *match_context;    /* PCRE2 match context with a big JIT stack; owned */
    void *jit_stack;        /* that stack: long quoted fields need more than 32 KiB; owned */
    void *regex_scratch;    /* a regex compiled at run time, with its pattern; owned */
    struct sp_weblog_state *weblog; /* scan_access_log's last timestamp (weblog.c), made on first use; owned */
} sp_eval;

/* Prepares an evaluator; `diag` may be NULL (errors are only counted). */
void sp_eval_init(sp_eval *ev, sp_arena *arena, sp_diag *diag);
/* Releases what sp_eval_init allocated. */
void sp_eval_destroy(sp_eval *ev);

/* Compiles the constant regular expressions of every call in `p` (with JIT)
 * and builds record shapes, once, before the first batch.  Returns 0, or -1
 * after reporting to `d`. */
int sp_eval_prepare(sp_program *p, sp_diag *d, sp_arena *a);
/* Frees what sp_eval_prepare made. */
void sp_eval_unprepare(sp_program *p);

/* The projection of the records a scan_access_log call makes (weblog.h,
 * project.h), as sp_eval_prepare found it; NULL for every field, and for
 * what is not such a call. */
const struct sp_weblog_proj *sp_eval_weblog_proj(const sp_expr *call);

/* Evaluates e in the current frame. */
sp_value sp_eval_expr(sp_eval *ev, const sp_expr *e);

/* An operator's per-element argument (see docs/language.md): a lambda is
 * applied to elem; any other expression is evaluated with elem as `it` and
 * its fields in scope, and if that gives a function it is applied to elem.
 * `nlocals` is the step's frame size. */
sp_value sp_eval_elem_arg(sp_eval *ev, const sp_expr *e, int nlocals, sp_value elem);

/* sp_eval_elem_arg of each of in[0..n), into out[0..n) (out may be in's
 * array); for a map or filter over a batch. */
void sp_eval_elem_args(sp_eval *ev, const sp_expr *e, int nlocals, const sp_value *in, size_t n, sp_value *out);

/* The two items of the tuple expression `e` ((k, v), not a lambda) with elem
 * as `it`, as sp_eval_elem_arg would give them, without making the tuple: a
 * keyed combine reads them directly.  Returns 0 when no frame was left (the
 * error is reported). */
int sp_eval_elem_pair(sp_eval *ev, const sp_expr *e, int nlocals, sp_value elem, sp_value *k, sp_value *v);
/* sp_eval_elem_pair of each of in[0..n), in order: k[i], v[i] and ok[i]
 * (its result).  One call for a block of elements (sp_eval_elem_keys
 * takes the usual (field, 1) faster). */
void sp_eval_elem_pairs(sp_eval *ev, const sp_expr *e, int nlocals, const sp_value *in, size_t n, sp_value *k,
                        sp_value *v, unsigned char *ok);
/* When `e` is (FIELD, CONSTANT), a field of the element and a constant (the
 * usual (host, 1)): the keys of in[0..n) into k, and 1 (every pair is made,
 * its value the constant).  Else 0, and nothing is evaluated. */
int sp_eval_elem_keys(sp_eval *ev, const sp_expr *e, int nlocals, const sp_value *in, size_t n, sp_value *k);

/* An operator's function argument applied to args[0..n): a reducer,
 * a state function, an inverse. */
sp_value sp_eval_fn_arg(sp_eval *ev, const sp_expr *e, int nlocals, const sp_value *args, int n);

/* Applies a function value. */
sp_value sp_eval_apply(sp_eval *ev, sp_value fn, const sp_value *args, int n, const sp_expr *at);

/* Reports a run-time error at `at` (once per place) and counts it. */
void sp_eval_error(sp_eval *ev, const sp_expr *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* What an operator's function argument is known to compute, for the
 * runtime's map-side combine (runtime_par.c): it may then apply it without
 * the evaluator where the values allow, giving the same results. */
typedef enum sp_eval_fn_kind {
    SP_EVAL_FN_OTHER,       /* anything else: only the evaluator knows */
    SP_EVAL_FN_ADD,         /* a function whose body is `a + b` on its two parameters (core.sp's sum) */
    SP_EVAL_FN_STATS,       /* core.sp's stats: x -> (1, x, x, x) */
    SP_EVAL_FN_MERGE_STATS  /* core.sp's merge_stats */
} sp_eval_fn_kind;

/* The kind of `f`, an operator's function argument or a call's callee (a
 * name resolved to a function of the program, as sp_eval_prepare found it). */
sp_eval_fn_kind sp_eval_fn_kind_of(const sp_expr *f);

/* e evaluated with elem as `it` (a step's frame of `nlocals`), as it is:
 * unlike sp_eval_elem_arg, a function value is not applied.  An argument of
 * a call in a step's expression is evaluated this way. */
sp_value sp_eval_elem_expr(sp_eval *ev, const sp_expr *e, int nlocals, sp_value elem);
/* The first argument of `call`, a step's expression f(x, ...), evaluated
 * as sp_eval_elem_expr would (its prepared fast form when it has one). */
sp_value sp_eval_elem_call_arg(sp_eval *ev, const sp_expr *call, int nlocals, sp_value elem);
/* sp_eval_elem_call_arg of in[0], in[1], ... as long as it gives an
 * integer, into out[]: returns how many did (m).  *stop is set when one
 * did not: the value of in[m], after which nothing was evaluated.  Several
 * only when the argument is a field of the element, which reports no error
 * when it gives an integer: else one at a time (m <= 1), so that errors
 * keep their order with the caller's. */
size_t sp_eval_elem_call_ints(sp_eval *ev, const sp_expr *call, int nlocals, const sp_value *in, size_t n,
                              int64_t *out, sp_value *stop, int *stopped);

/* Calls built-in `id` (builtins.c). */
sp_value sp_builtin_call(sp_eval *ev, int id, const sp_value *args, int n, const sp_expr *call);

#endif
