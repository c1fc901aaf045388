/* eval.c - the expression evaluator: a tree walk over the checked AST.
 *
 * Locals live in slots of a frame on a per-evaluator stack (no allocation per
 * call); names were resolved to slots, fields, parameters and functions by
 * the checker.  Null propagates: arithmetic on null is null, ordering
 * comparisons with null are false, a field of null is null. */
#include "eval.h"
#include "builtins.h"
#include "project.h"
#include "weblog.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CALL_DEPTH 200

void sp_eval_init(sp_eval *ev, sp_arena *arena, sp_diag *diag)
{
    memset(ev, 0, sizeof *ev);
    ev->arena = arena;
    ev->diag = diag;
    ev->stack = sp_xmalloc(sizeof(sp_value) * SP_EVAL_STACK);
    ev->frame = ev->stack;
    ev->match_data = pcre2_match_data_create(64, NULL);
    ev->match_context = pcre2_match_context_create(NULL);
    ev->jit_stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, NULL);
    if (ev->match_context && ev->jit_stack)
        pcre2_jit_stack_assign(ev->match_context, NULL, ev->jit_stack);
}

void sp_eval_destroy(sp_eval *ev)
{
    free(ev->stack);
    pcre2_match_data_free(ev->match_data);
    pcre2_match_context_free(ev->match_context);
    pcre2_jit_stack_free(ev->jit_stack);
    if (ev->regex_scratch) {
        void **scratch = ev->regex_scratch;
        pcre2_code_free(scratch[0]);
        free(scratch[1]);
        free(scratch);
    }
    sp_weblog_state_free(ev->weblog);
    ev->weblog = NULL;
    ev->stack = NULL;
}

void sp_eval_error(sp_eval *ev, const sp_expr *at, const char *fmt, ...)
{
    ev->errors++;
    if (!ev->diag)
        return;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sp_loc none = {-1, 0, 0};
    /* evaluators of several threads may report to the same diag */
    static pthread_mutex_t diag_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&diag_lock);
    sp_diag_warning(ev->diag, at ? at->loc : none,
                    "the expression gives null for this element; the error is reported once here",
                    "at run time: %s", msg);
    pthread_mutex_unlock(&diag_lock);
}

/* ----- frames ----- */

/* Pushes a frame of n null slots; returns the previous frame, or NULL when
 * the stack is full (reported). */
static int push_frame(sp_eval *ev, int n, sp_value **saved, const sp_expr *at)
{
    if (ev->sp + n > SP_EVAL_STACK || ev->depth >= MAX_CALL_DEPTH) {
        sp_eval_error(ev, at, "calls nested too deeply");
        return 0;
    }
    *saved = ev->frame;
    ev->frame = ev->stack + ev->sp;
    for (int i = 0; i < n; i++)
        ev->frame[i] = sp_null();
    ev->sp += n;
    ev->depth++;
    return 1;
}

static void pop_frame(sp_eval *ev, int n, sp_value *saved)
{
    ev->sp -= n;
    ev->depth--;
    ev->frame = saved;
}

/* Binds params at frame[first..]: one argument each, or the items of one
 * tuple argument.  Returns 0 on a mismatch (reported). */
static int bind_args(sp_eval *ev, int first, int nparams, const sp_value *args, int n, const sp_expr *at)
{
    if (n == nparams) {
        for (int i = 0; i < n; i++)
            ev->frame[first + i] = args[i];
        return 1;
    }
    if (n == 1 && nparams > 1 && args[0].tag == SP_V_TUPLE && (int)args[0].n == nparams) {
        for (int i = 0; i < nparams; i++)
            ev->frame[first + i] = args[0].u.items[i];
        return 1;
    }
    if (n == 1 && nparams > 1 && args[0].tag == SP_V_NULL) {
        return 1; /* all parameters null */
    }
    sp_eval_error(ev, at, "a function of %d parameter%s applied to %d value%s", nparams,
                  nparams == 1 ? "" : "s", n, n == 1 ? "" : "s");
    return 0;
}

static sp_value binary_values(sp_eval *ev, const sp_expr *e, sp_value l, sp_value r);

static int call_native(sp_eval *ev, const sp_stmt *fn, const sp_value *args, int n, sp_value *r);

static sp_value call_user(sp_eval *ev, const sp_stmt *fn, const sp_value *args, int n, const sp_expr *at)
{
    sp_value nr;
    if (fn->native && call_native(ev, fn, args, n, &nr))
        return nr;
    int size = fn->nlocals > fn->nparams ? fn->nlocals : fn->nparams;
    sp_value *saved;
    if (!push_frame(ev, size, &saved, at))
        return sp_null();
    const sp_value *saved_it = ev->it;
    ev->it = NULL;
    sp_value r = sp_null();
    if (bind_args(ev, 0, fn->nparams, args, n, at))
        r = sp_eval_expr(ev, fn->value);
    ev->it = saved_it;
    pop_frame(ev, size, saved);
    return r;
}

/* Applies lambda `lam` in a new frame of `size` slots initialised from env. */
static sp_value call_lambda(sp_eval *ev, const sp_expr *lam, const sp_value *env, int nenv,
                            const sp_value *args, int n)
{
    int need = lam->u.lambda.first_slot + lam->u.lambda.nparams;
    int size = nenv < need ? need : nenv;
    sp_value *saved;
    if (!push_frame(ev, size, &saved, lam))
        return sp_null();
    if (env && nenv > 0)
        memcpy(ev->frame, env, sizeof(sp_value) * (size_t)nenv);
    const sp_value *saved_it = ev->it;
    ev->it = NULL;
    sp_value r = sp_null();
    if (bind_args(ev, lam->u.lambda.first_slot, lam->u.lambda.nparams, args, n, lam))
        r = sp_eval_expr(ev, lam->u.lambda.body);
    ev->it = saved_it;
    pop_frame(ev, size, saved);
    return r;
}

sp_value sp_eval_apply(sp_eval *ev, sp_value fn, const sp_value *args, int n, const sp_expr *at)
{
    if (fn.tag == SP_V_NULL)
        return sp_null();
    if (fn.tag != SP_V_FUNC) {
        sp_eval_error(ev, at, "a %s is not a function", sp_value_type_name(fn));
        return sp_null();
    }
    const sp_funcval *f = fn.u.fn;
    switch (f->kind) {
    case 0: return call_user(ev, f->def, args, n, at);
    case 1: return sp_builtin_call(ev, f->builtin, args, n, at);
    default: return call_lambda(ev, f->def, f->env, f->nenv, args, n);
    }
}

static sp_value func_value(sp_eval *ev, int kind, const void *def, int builtin)
{
    sp_funcval *f = sp_arena_alloc(ev->arena, sizeof *f);
    f->kind = kind;
    f->def = def;
    f->builtin = builtin;
    sp_value v = {SP_V_FUNC, 0, {.fn = f}};
    return v;
}

/* ----- names and fields ----- */

/* k when `name` is _k (1 <= k < 100000, no leading zero), else 0: the item
 * names of tuples. */
static uint32_t tuple_item_number(const char *name)
{
    if (name[0] != '_' || name[1] < '1' || name[1] > '9')
        return 0;
    uint32_t k = 0;
    const char *p = name + 1;
    while (*p >= '0' && *p <= '9' && k < 100000)
        k = k * 10 + (uint32_t)(*p++ - '0');
    return *p == '\0' ? k : 0;
}

/* The field of record `rec` that the inline cache of `at` (a FIELD or NAME
 * expression) remembers: 1 and *v when the cache is for rec's shape, else 0.
 * The cache holds the last prepared shape seen and where the field was in
 * it (or that it has none: UINT32_MAX). */
static inline int field_cached(sp_value rec, const sp_expr *at, sp_value *v)
{
    const sp_shape *sh = rec.u.rec->shape;
    uint64_t c = __atomic_load_n(&at->field_cache, __ATOMIC_RELAXED);
    if (!sh->id || (uint32_t)(c >> 32) != sh->id)
        return 0;
    *v = (uint32_t)c == UINT32_MAX ? sp_null() : rec.u.rec->vals[(uint32_t)c];
    return 1;
}

/* Field `name` of obj; `at` is the FIELD or NAME expression, whose inline
 * cache (field_cached) is filled here. */
static sp_value field_of(sp_eval *ev, sp_value obj, const char *name, const sp_expr *at)
{
    switch (obj.tag) {
    case SP_V_NULL:
        return sp_null();
    case SP_V_RECORD: {
        const sp_shape *sh = obj.u.rec->shape;
        sp_value v;
        if (field_cached(obj, at, &v))
            return v;
        uint32_t found = UINT32_MAX; /* the shape has no such field */
        for (int i = 0; i < sh->n && found == UINT32_MAX; i++)
            if (strcmp(sh->names[i], name) == 0)
                found = (uint32_t)i;
        if (sh->id) /* a cache: expressions are otherwise read-only while running */
            __atomic_store_n(&((sp_expr *)at)->field_cache, (uint64_t)sh->id << 32 | found, __ATOMIC_RELAXED);
        return found == UINT32_MAX ? sp_null() : obj.u.rec->vals[found];
    }
    case SP_V_TUPLE: {
        uint32_t k = tuple_item_number(name);
        if (k >= 1 && k <= obj.n)
            return obj.u.items[k - 1];
        sp_eval_error(ev, at, "a tuple of %u items has no '%s'", obj.n, name);
        return sp_null();
    }
    default:
        sp_eval_error(ev, at, "a %s has no field '%s'", sp_value_type_name(obj), name);
        return sp_null();
    }
}

static sp_value literal_value(const sp_expr *e)
{
    switch (e->kind) {
    case SP_E_INT:
    case SP_E_DURATION: return sp_int(e->u.i);
    case SP_E_FLOAT: return sp_float(e->u.f);
    case SP_E_STRING: return sp_str(e->u.str.s, e->u.str.len);
    case SP_E_BOOL: return sp_bool(e->u.b);
    default: return sp_null();
    }
}

static sp_value eval_name(sp_eval *ev, const sp_expr *e)
{
    switch (e->resolution) {
    case SP_R_LOCAL:
        return ev->frame[e->slot];
    case SP_R_FIELD:
        if (!ev->it)
            return sp_null();
        return field_of(ev, *ev->it, e->u.name, e);
    case SP_R_PARAM: {
        const sp_stmt *p = e->target;
        return sp_eval_expr(ev, p->value);
    }
    case SP_R_FUNCTION:
        return func_value(ev, 0, e->target, 0);
    case SP_R_BUILTIN:
        return func_value(ev, 1, NULL, e->slot);
    default:
        return sp_null();
    }
}

/* ----- arithmetic ----- */

static int is_num(sp_value v)
{
    return v.tag == SP_V_INT || v.tag == SP_V_FLOAT;
}

static double as_double(sp_value v)
{
    return v.tag == SP_V_INT ? (double)v.u.i : v.u.f;
}

static sp_value concat(sp_eval *ev, sp_value a, sp_value b)
{
    if (a.tag == SP_V_STR) {
        if (a.n == 0) /* strings are immutable views: "" + s is s */
            return b;
        if (b.n == 0)
            return a;
        char *d = sp_arena_alloc_raw(ev->arena, (size_t)a.n + b.n + 1);
        memcpy(d, a.u.s, a.n);
        memcpy(d + a.n, b.u.s, b.n);
        d[a.n + b.n] = '\0';
        return sp_str(d, (size_t)a.n + b.n);
    }
    sp_value l = sp_list_new(ev->arena, a.n + b.n);
    memcpy(l.u.items, a.u.items, sizeof(sp_value) * a.n);
    memcpy(l.u.items + a.n, b.u.items, sizeof(sp_value) * b.n);
    return l;
}

static sp_value arith(sp_eval *ev, sp_binop op, sp_value a, sp_value b, const sp_expr *at)
{
    if (a.tag == SP_V_NULL || b.tag == SP_V_NULL)
        return sp_null();
    if (op == SP_ADD && a.tag == b.tag && (a.tag == SP_V_STR || a.tag == SP_V_LIST))
        return concat(ev, a, b);
    if (!is_num(a) || !is_num(b)) {
        sp_eval_error(ev, at, "'%s' on %s and %s", sp_ast_binop_text(op), sp_value_type_name(a),
                      sp_value_type_name(b));
        return sp_null();
    }
    if (a.tag == SP_V_INT && b.tag == SP_V_INT) {
        int64_t x = a.u.i, y = b.u.i, r;
        switch (op) {
        case SP_ADD:
            if (__builtin_add_overflow(x, y, &r))
                return sp_float((double)x + (double)y);
            return sp_int(r);
        case SP_SUB:
            if (__builtin_sub_overflow(x, y, &r))
                return sp_float((double)x - (double)y);
            return sp_int(r);
        case SP_MUL:
            if (__builtin_mul_overflow(x, y, &r))
                return sp_float((double)x * (double)y);
            return sp_int(r);
        case SP_DIV:
        case SP_MOD:
            if (y == 0) {
                sp_eval_error(ev, at, "division by zero");
                return sp_null();
            }
            if (x == INT64_MIN && y == -1)
                return op == SP_DIV ? sp_float(-(double)INT64_MIN) : sp_int(0);
            return sp_int(op == SP_DIV ? x / y : x % y);
        default:
            return sp_null();
        }
    }
    double x = as_double(a), y = as_double(b);
    switch (op) {
    case SP_ADD: return sp_float(x + y);
    case SP_SUB: return sp_float(x - y);
    case SP_MUL: return sp_float(x * y);
    case SP_DIV:
        if (y == 0) {
            sp_eval_error(ev, at, "division by zero");
            return sp_null();
        }
        return sp_float(x / y);
    case SP_MOD:
        if (y == 0) {
            sp_eval_error(ev, at, "division by zero");
            return sp_null();
        }
        return sp_float(x - y * (double)(int64_t)(x / y));
    default: return sp_null();
    }
}

/* l OP r, for any operator but `and` and `or`; errors are reported at e. */
static sp_value binary_values(sp_eval *ev, const sp_expr *e, sp_value l, sp_value r)
{
    sp_binop op = e->u.binary.op;
    switch (op) {
    case SP_EQ: return sp_bool(sp_value_equal(l, r));
    case SP_NE: return sp_bool(!sp_value_equal(l, r));
    case SP_LT: case SP_LE: case SP_GT: case SP_GE: {
        if (l.tag == SP_V_NULL || r.tag == SP_V_NULL)
            return sp_bool(0);
        int c = sp_value_compare(l, r);
        return sp_bool(op == SP_LT ? c < 0 : op == SP_LE ? c <= 0 : op == SP_GT ? c > 0 : c >= 0);
    }
    default:
        return arith(ev, op, l, r, e);
    }
}


static sp_value eval_binary(sp_eval *ev, const sp_expr *e)
{
    sp_binop op = e->u.binary.op;
    if (op == SP_AND) {
        sp_value l = sp_eval_expr(ev, e->u.binary.l);
        if (!sp_truthy(l))
            return sp_bool(0);
        return sp_bool(sp_truthy(sp_eval_expr(ev, e->u.binary.r)));
    }
    if (op == SP_OR) {
        sp_value l = sp_eval_expr(ev, e->u.binary.l);
        if (sp_truthy(l))
            return sp_bool(1);
        return sp_bool(sp_truthy(sp_eval_expr(ev, e->u.binary.r)));
    }
    /* The right operand first: the order gcc gave the two calls when they
     * were both arguments of binary_values, so the order of run-time errors
     * stays what it was, whatever the compiler; the frame-less path
     * (fast_eval) keeps it too. */
    sp_value r = sp_eval_expr(ev, e->u.binary.r);
    sp_value l = sp_eval_expr(ev, e->u.binary.l);
    return binary_values(ev, e, l, r);
}

/* -v or `not v` (the unary expression e); errors are reported at e. */
static sp_value unary_value(sp_eval *ev, const sp_expr *e, sp_value v)
{
    if (e->u.unary.op == SP_NOT)
        return v.tag == SP_V_NULL ? sp_bool(1) : sp_bool(!sp_truthy(v));
    if (v.tag == SP_V_INT)
        return v.u.i == INT64_MIN ? sp_float(-(double)v.u.i) : sp_int(-v.u.i);
    if (v.tag == SP_V_FLOAT)
        return sp_float(-v.u.f);
    if (v.tag != SP_V_NULL)
        sp_eval_error(ev, e, "cannot negate a %s", sp_value_type_name(v));
    return sp_null();
}

/* obj[idx] (the index expression e); errors are reported at e. */
static sp_value index_value(sp_eval *ev, const sp_expr *e, sp_value obj, sp_value idx)
{
    if (obj.tag == SP_V_NULL || (idx.tag != SP_V_INT && !(obj.tag == SP_V_RECORD && idx.tag == SP_V_STR)))
        return sp_null();
    int64_t k = idx.u.i;
    if (obj.tag == SP_V_LIST || obj.tag == SP_V_TUPLE) {
        if (k < 0)
            k += obj.n;
        return k >= 0 && k < (int64_t)obj.n ? obj.u.items[k] : sp_null();
    }
    if (obj.tag == SP_V_STR) {
        if (k < 0)
            k += obj.n;
        return k >= 0 && k < (int64_t)obj.n ? sp_str(obj.u.s + k, 1) : sp_null();
    }
    if (obj.tag == SP_V_RECORD && idx.tag == SP_V_STR) {
        const sp_shape *sh = obj.u.rec->shape;
        for (int i = 0; i < sh->n; i++)
            if (strlen(sh->names[i]) == idx.n && memcmp(sh->names[i], idx.u.s, idx.n) == 0)
                return obj.u.rec->vals[i];
        return sp_null();
    }
    sp_eval_error(ev, e, "a %s cannot be indexed", sp_value_type_name(obj));
    return sp_null();
}

/* ----- the rest ----- */

/* The tuple, list or record of expression e, its items null, in the arena. */
static sp_value items_new(sp_eval *ev, const sp_expr *e)
{
    if (e->kind == SP_E_RECORD) {
        const sp_shape *shape = e->rt;
        if (!shape) { /* not prepared: build it now (tests, fuzzing) */
            sp_shape *sh = sp_arena_alloc(ev->arena, sizeof *sh);
            sh->n = e->u.items.n;
            sh->names = sp_arena_alloc(ev->arena, sizeof *sh->names * (size_t)(sh->n ? sh->n : 1));
            int i = 0;
            for (const sp_arg *a = e->u.items.items; a; a = a->next)
                sh->names[i++] = a->name;
            shape = sh;
        }
        return sp_record_new(ev->arena, shape);
    }
    return e->kind == SP_E_TUPLE ? sp_tuple_new(ev->arena, (uint32_t)e->u.items.n)
                                 : sp_list_new(ev->arena, (uint32_t)e->u.items.n);
}

static sp_value eval_items(sp_eval *ev, const sp_expr *e)
{
    sp_value v = items_new(ev, e);
    sp_value *items = v.tag == SP_V_RECORD ? v.u.rec->vals : v.u.items;
    int i = 0;
    for (const sp_arg *a = e->u.items.items; a; a = a->next)
        items[i++] = sp_eval_expr(ev, a->value);
    return v;
}

static sp_value eval_call(sp_eval *ev, const sp_expr *e)
{
    sp_value argv[16];
    sp_value *args = argv;
    int n = e->u.call.nargs;
    if (n > 16)
        args = sp_arena_alloc(ev->arena, sizeof(sp_value) * (size_t)n);
    int i = 0;
    for (const sp_arg *a = e->u.call.args; a; a = a->next)
        args[i++] = sp_eval_expr(ev, a->value);
    const sp_expr *fn = e->u.call.fn;
    if (fn->kind == SP_E_NAME && fn->resolution == SP_R_BUILTIN)
        return sp_builtin_call(ev, fn->slot, args, n, e);
    if (fn->kind == SP_E_NAME && fn->resolution == SP_R_FUNCTION)
        return call_user(ev, fn->target, args, n, e);
    return sp_eval_apply(ev, sp_eval_expr(ev, fn), args, n, e);
}

sp_value sp_eval_expr(sp_eval *ev, const sp_expr *e)
{
    switch (e->kind) {
    case SP_E_INT:
    case SP_E_DURATION:
    case SP_E_FLOAT:
    case SP_E_STRING:
    case SP_E_BOOL:
    case SP_E_NULL:
        return literal_value(e);
    case SP_E_NAME:
        return eval_name(ev, e);
    case SP_E_IT:
        return ev->it ? *ev->it : sp_null();
    case SP_E_FIELD:
        return field_of(ev, sp_eval_expr(ev, e->u.field.obj), e->u.field.name, e);
    case SP_E_INDEX: {
        sp_value obj = sp_eval_expr(ev, e->u.index.obj);
        sp_value idx = sp_eval_expr(ev, e->u.index.index);
        return index_value(ev, e, obj, idx);
    }
    case SP_E_CALL:
        return eval_call(ev, e);
    case SP_E_UNARY:
        return unary_value(ev, e, sp_eval_expr(ev, e->u.unary.e));
    case SP_E_BINARY:
        return eval_binary(ev, e);
    case SP_E_IF:
        return sp_truthy(sp_eval_expr(ev, e->u.cond.c)) ? sp_eval_expr(ev, e->u.cond.t)
                                                         : sp_eval_expr(ev, e->u.cond.e);
    case SP_E_LET:
        ev->frame[e->slot] = sp_eval_expr(ev, e->u.let.value);
        return sp_eval_expr(ev, e->u.let.body);
    case SP_E_LAMBDA: {
        /* a closure: the lambda and a copy of the frame it sees */
        sp_funcval *f = sp_arena_alloc(ev->arena, sizeof *f);
        f->kind = 2;
        f->def = e;
        int size = (int)(ev->stack + ev->sp - ev->frame); /* the current frame */
        f->env = sp_arena_alloc(ev->arena, sizeof(sp_value) * (size_t)(size ? size : 1));
        if (size)
            memcpy(f->env, ev->frame, sizeof(sp_value) * (size_t)size);
        f->nenv = size;
        sp_value v = {SP_V_FUNC, 0, {.fn = f}};
        return v;
    }
    case SP_E_TUPLE:
    case SP_E_RECORD:
    case SP_E_LIST:
        return eval_items(ev, e);
    }
    return sp_null();
}

/* ----- frame-less step expressions ----- */

/* Most operator arguments are small: `_2 != null`, `_2`, `stats(size)`,
 * `(status, 1)`, `x -> x.size > 10`.  For them the tree walk costs more than
 * the work: a frame pushed and cleared per element, `it` saved and restored,
 * a name such as `_2` parsed again for every tuple.  sp_eval_prepare turns
 * each operator argument made only of the shapes below into an sp_fast tree
 * (sp_expr.fast), which sp_eval_elem_arg(s) and sp_eval_elem_pair run with
 * the element in hand and no frame.  Every node computes what the tree walk
 * computes, with the same helpers (field_of, binary_values, unary_value,
 * index_value, call_user, sp_builtin_call) in the same order, so values,
 * errors and their places are those of the tree walk; only what no result
 * can show is skipped (the frame, `it`, the function value `map f` makes
 * before applying f).  A shape not listed (let, a nested lambda, a function
 * as a value, a call of a function that needs a frame) leaves the argument
 * to the tree walk.  tests/unit/test_builtins.c runs both on the same
 * expressions and elements. */
typedef enum fast_kind {
    FAST_ELEM,          /* the element: `it`, or the parameter of the lambda */
    FAST_CONST,         /* a literal (a parameter is its value's form): value */
    FAST_FIELD,         /* field `name` of kid[0] (tuple item `item` when it is _k) */
    FAST_IS_NULL,       /* kid[0] == null */
    FAST_NOT_NULL,      /* kid[0] != null */
    FAST_BINARY,        /* kid[0] OP kid[1], but `and` and `or` */
    FAST_AND,           /* kid[0] and kid[1] */
    FAST_OR,            /* kid[0] or kid[1] */
    FAST_UNARY,         /* -kid[0], not kid[0] */
    FAST_IF,            /* if kid[0] then kid[1] else kid[2] */
    FAST_INDEX,         /* kid[0][kid[1]] */
    FAST_CALL_FN,       /* fn(kids) of a function the evaluator runs in C (sp_stmt.native) */
    FAST_CALL_BUILTIN,  /* builtin(kids) */
    FAST_SCAN_LOG,      /* scan_access_log(kid[0], FORMAT), the format a constant (in `item`): the parser
                         * called directly when kid[0] is a string, else as CALL_BUILTIN */
    FAST_ITEMS,         /* (kids), [kids], {name: kid, ...} */
    /* only at the root, whose result is not applied again when a function: */
    FAST_APPLY_FN,      /* `map f`: f applied to the element */
    FAST_APPLY_BUILTIN, /* `map length`: the built-in applied to the element */
    FAST_LAMBDA         /* `x -> kid[0]`, x the element */
} fast_kind;

#define FAST_MAX_ARGS 8

typedef struct sp_fast sp_fast;

struct sp_fast {
    fast_kind kind;          /* which node */
    int n;                   /* number of kids */
    uint32_t item;           /* FIELD: k when the name is _k, else 0; SCAN_LOG: the format */
    int builtin;             /* CALL_BUILTIN, APPLY_BUILTIN: the built-in's index */
    int frame;               /* root: slots of the frame the tree walk would push, at least */
    const char *name;        /* FIELD: the field's name */
    const sp_expr *at;       /* the expression: errors are reported at it; FIELD: its cache */
    const sp_stmt *fn;       /* CALL_FN, APPLY_FN: the function */
    const sp_weblog_proj *proj; /* SCAN_LOG: the records' projection (sp_eval_weblog_proj), or NULL */
    sp_value value;          /* CONST */
    const struct sp_fast *kid[]; /* operands, n of them, in the expression's order */
};

static sp_value fast_eval(sp_eval *ev, const sp_fast *f, sp_value elem);

/* Field f (FAST_FIELD) of obj: an item of a tuple, or a field of a record
 * whose shape the cache knows, without a call; the rest through field_of. */
static inline sp_value fast_field_of(sp_eval *ev, const sp_fast *f, sp_value obj)
{
    sp_value v;
    if (obj.tag == SP_V_TUPLE && f->item - 1 < obj.n) /* item 0 (no _k) wraps around */
        return obj.u.items[f->item - 1];
    if (obj.tag == SP_V_RECORD && field_cached(obj, f->at, &v))
        return v;
    return field_of(ev, obj, f->name, f->at);
}

static sp_value fast_scan_log_call(sp_eval *ev, const sp_fast *f, sp_value elem);

/* fast_eval, with the leaves most operands are (the element, a constant, a
 * field of the element) done in place, and the parser's call without
 * fast_eval's frame. */
static inline sp_value fast_operand(sp_eval *ev, const sp_fast *f, sp_value elem)
{
    if (f->kind == FAST_ELEM)
        return elem;
    if (f->kind == FAST_CONST)
        return f->value;
    if (f->kind == FAST_FIELD && f->kid[0]->kind == FAST_ELEM)
        return fast_field_of(ev, f, elem);
    if (f->kind == FAST_SCAN_LOG)
        return fast_scan_log_call(ev, f, elem);
    return fast_eval(ev, f, elem);
}

/* A call (FAST_CALL_FN, FAST_CALL_BUILTIN), apart: its argument array
 * would make every fast_eval's frame bigger. */
static __attribute__((noinline)) sp_value fast_call(sp_eval *ev, const sp_fast *f, sp_value elem)
{
    sp_value args[FAST_MAX_ARGS];
    for (int i = 0; i < f->n; i++)
        args[i] = fast_operand(ev, f->kid[i], elem);
    if (f->kind != FAST_CALL_FN) /* CALL_BUILTIN, SCAN_LOG */
        return sp_builtin_call(ev, f->builtin, args, f->n, f->at);
    /* call_user, not call_native: a second caller keeps gcc from inlining
     * call_native into call_user, which every reducer call goes through */
    return call_user(ev, f->fn, args, f->n, f->at);
}

/* FAST_SCAN_LOG: the parser, or the built-in's call for what is not a
 * string (its checks and messages). */
static __attribute__((noinline)) sp_value fast_scan_log_call(sp_eval *ev, const sp_fast *f, sp_value elem)
{
    sp_value line = fast_operand(ev, f->kid[0], elem);
    if (line.tag != SP_V_STR) {
        sp_value args[2] = {line, f->kid[1]->value};
        return sp_builtin_call(ev, f->builtin, args, 2, f->at);
    }
    if (!ev->weblog)
        ev->weblog = sp_weblog_state_new();
    return sp_weblog_record(ev->weblog, ev->arena, line.u.s ? line.u.s : "", line.n, (sp_weblog_format)f->item,
                            f->proj);
}

/* FAST_ITEMS of a tuple: not zeroed first, as every item is set. */
static inline sp_value fast_tuple(sp_eval *ev, const sp_fast *f, sp_value elem)
{
    sp_value *items = sp_arena_alloc_raw(ev->arena, sizeof(sp_value) * (size_t)(f->n ? f->n : 1));
    sp_value v = {SP_V_TUPLE, (uint32_t)f->n, {.items = items}};
    if (f->n == 2) { /* the usual pair, unrolled: each operand inlined once */
        items[0] = fast_operand(ev, f->kid[0], elem);
        items[1] = fast_operand(ev, f->kid[1], elem);
        return v;
    }
    for (int i = 0; i < f->n; i++)
        items[i] = fast_operand(ev, f->kid[i], elem);
    return v;
}

static sp_value fast_eval(sp_eval *ev, const sp_fast *f, sp_value elem)
{
    switch (f->kind) {
    case FAST_ELEM:
        return elem;
    case FAST_CONST:
        return f->value;
    case FAST_FIELD:
        return fast_field_of(ev, f, fast_operand(ev, f->kid[0], elem));
    case FAST_IS_NULL:
        return sp_bool(fast_operand(ev, f->kid[0], elem).tag == SP_V_NULL);
    case FAST_NOT_NULL:
        return sp_bool(fast_operand(ev, f->kid[0], elem).tag != SP_V_NULL);
    case FAST_BINARY: { /* the right operand first, as eval_binary */
        sp_value r = fast_operand(ev, f->kid[1], elem);
        sp_value l = fast_operand(ev, f->kid[0], elem);
        return binary_values(ev, f->at, l, r);
    }
    case FAST_AND:
        if (!sp_truthy(fast_operand(ev, f->kid[0], elem)))
            return sp_bool(0);
        return sp_bool(sp_truthy(fast_operand(ev, f->kid[1], elem)));
    case FAST_OR:
        if (sp_truthy(fast_operand(ev, f->kid[0], elem)))
            return sp_bool(1);
        return sp_bool(sp_truthy(fast_operand(ev, f->kid[1], elem)));
    case FAST_UNARY:
        return unary_value(ev, f->at, fast_operand(ev, f->kid[0], elem));
    case FAST_IF:
        return sp_truthy(fast_operand(ev, f->kid[0], elem)) ? fast_operand(ev, f->kid[1], elem)
                                                             : fast_operand(ev, f->kid[2], elem);
    case FAST_INDEX: {
        sp_value obj = fast_operand(ev, f->kid[0], elem);
        sp_value idx = fast_operand(ev, f->kid[1], elem);
        return index_value(ev, f->at, obj, idx);
    }
    case FAST_SCAN_LOG:
        return fast_scan_log_call(ev, f, elem);
    case FAST_CALL_FN:
    case FAST_CALL_BUILTIN:
        return fast_call(ev, f, elem);
    case FAST_ITEMS: {
        if (f->at->kind == SP_E_TUPLE)
            return fast_tuple(ev, f, elem);
        sp_value v = items_new(ev, f->at);
        sp_value *items = v.tag == SP_V_RECORD ? v.u.rec->vals : v.u.items;
        for (int i = 0; i < f->n; i++)
            items[i] = fast_operand(ev, f->kid[i], elem);
        return v;
    }
    case FAST_APPLY_FN:
        return call_user(ev, f->fn, &elem, 1, f->at);
    case FAST_APPLY_BUILTIN:
        return sp_builtin_call(ev, f->builtin, &elem, 1, f->at);
    case FAST_LAMBDA:
        return fast_operand(ev, f->kid[0], elem);
    }
    return sp_null();
}

/* Would the frame of `size` slots the tree walk pushes for a step fit?
 * When it would not, the tree walk is left to report it. */
static int frame_fits(const sp_eval *ev, int size)
{
    return ev->sp + size <= SP_EVAL_STACK && ev->depth < MAX_CALL_DEPTH;
}

sp_value sp_eval_elem_arg(sp_eval *ev, const sp_expr *e, int nlocals, sp_value elem)
{
    const sp_fast *f = e->fast;
    if (f && frame_fits(ev, nlocals > f->frame ? nlocals : f->frame)) {
        sp_value r = fast_operand(ev, f, elem);
        if (r.tag == SP_V_FUNC && f->kind < FAST_APPLY_FN) /* as below: a function is applied */
            return sp_eval_apply(ev, r, &elem, 1, e);
        return r;
    }
    if (e->kind == SP_E_LAMBDA)
        return call_lambda(ev, e, NULL, nlocals, &elem, 1);
    sp_value r = sp_eval_elem_expr(ev, e, nlocals, elem);
    if (r.tag == SP_V_FUNC)
        return sp_eval_apply(ev, r, &elem, 1, e);
    return r;
}

void sp_eval_elem_args(sp_eval *ev, const sp_expr *e, int nlocals, const sp_value *in, size_t n, sp_value *out)
{
    const sp_fast *f = e->fast;
    /* the frame-less path leaves the stack as it found it: one look will do */
    if (!f || !frame_fits(ev, nlocals > f->frame ? nlocals : f->frame)) {
        for (size_t i = 0; i < n; i++)
            out[i] = sp_eval_elem_arg(ev, e, nlocals, in[i]);
        return;
    }
    /* `_k`, `_k == null`, `_k != null` of tuples (the (it, parse(it))
     * idiom): in one loop without a call per element; an element that is
     * not such a tuple goes the usual way */
    const sp_fast *g = f->kind == FAST_IS_NULL || f->kind == FAST_NOT_NULL ? f->kid[0] : f;
    if (g->kind == FAST_FIELD && g->item && g->kid[0]->kind == FAST_ELEM) {
        uint32_t k = g->item - 1;
        int test = g != f, is_null = f->kind == FAST_IS_NULL;
        for (size_t i = 0; i < n; i++) {
            sp_value x = in[i], r;
            if (x.tag == SP_V_TUPLE && k < x.n)
                r = x.u.items[k];
            else
                r = fast_field_of(ev, g, x);
            if (test)
                r = sp_bool((r.tag == SP_V_NULL) == is_null);
            else if (r.tag == SP_V_FUNC) /* as below */
                r = sp_eval_apply(ev, r, &in[i], 1, e);
            out[i] = r;
        }
        return;
    }
    if (f->kind == FAST_ITEMS && f->at->kind == SP_E_TUPLE) {
        /* a tuple, as the usual (it, parse(it)): without fast_eval's frame */
        for (size_t i = 0; i < n; i++)
            out[i] = fast_tuple(ev, f, in[i]);
        return;
    }
    int direct = f->kind >= FAST_APPLY_FN;
    for (size_t i = 0; i < n; i++) {
        sp_value r = fast_operand(ev, f, in[i]);
        if (r.tag == SP_V_FUNC && !direct) /* as sp_eval_elem_arg */
            r = sp_eval_apply(ev, r, &in[i], 1, e);
        out[i] = r;
    }
}

int sp_eval_elem_pair(sp_eval *ev, const sp_expr *e, int nlocals, sp_value elem, sp_value *k, sp_value *v)
{
    const sp_fast *f = e->fast;
    if (f && f->kind == FAST_ITEMS && f->n == 2 && frame_fits(ev, nlocals)) {
        *k = fast_operand(ev, f->kid[0], elem);
        *v = fast_operand(ev, f->kid[1], elem);
        return 1;
    }
    sp_value *saved;
    if (!push_frame(ev, nlocals, &saved, e))
        return 0;
    const sp_value *saved_it = ev->it;
    ev->it = &elem;
    const sp_arg *a = e->u.items.items;
    *k = sp_eval_expr(ev, a->value);
    *v = sp_eval_expr(ev, a->next->value);
    ev->it = saved_it;
    pop_frame(ev, nlocals, saved);
    return 1;
}

/* fast_field_of(f, x) for a loop over elements: *cache is f's field
 * cache as the loop last read it, so that a record of the shape it knows
 * is read without looking at the cache again (fast_field_of may fill it:
 * it is read again then). */
static inline sp_value field_in_loop(sp_eval *ev, const sp_fast *f, sp_value x, uint64_t *cache)
{
    uint32_t id = (uint32_t)(*cache >> 32), slot = (uint32_t)*cache;
    if (x.tag == SP_V_RECORD && id && x.u.rec->shape->id == id && slot != UINT32_MAX)
        return x.u.rec->vals[slot];
    sp_value v = fast_field_of(ev, f, x);
    *cache = __atomic_load_n(&f->at->field_cache, __ATOMIC_RELAXED);
    return v;
}

/* fast_field_of(f, in[i]) for each of in[0..n) (f: a field of the
 * element), into out. */
static void fields_of(sp_eval *ev, const sp_fast *f, const sp_value *in, size_t n, sp_value *out)
{
    uint64_t cache = __atomic_load_n(&f->at->field_cache, __ATOMIC_RELAXED);
    for (size_t i = 0; i < n; i++)
        out[i] = field_in_loop(ev, f, in[i], &cache);
}

void sp_eval_elem_pairs(sp_eval *ev, const sp_expr *e, int nlocals, const sp_value *in, size_t n, sp_value *k,
                        sp_value *v, unsigned char *ok)
{
    const sp_fast *f = e->fast;
    /* the frame-less path leaves the stack as it found it: one look will do */
    if (!f || f->kind != FAST_ITEMS || f->n != 2 || !frame_fits(ev, nlocals)) {
        for (size_t i = 0; i < n; i++)
            ok[i] = (unsigned char)sp_eval_elem_pair(ev, e, nlocals, in[i], &k[i], &v[i]);
        return;
    }
    const sp_fast *fk = f->kid[0], *fv = f->kid[1];
    for (size_t i = 0; i < n; i++) {
        k[i] = fast_operand(ev, fk, in[i]);
        v[i] = fast_operand(ev, fv, in[i]);
        ok[i] = 1;
    }
}

int sp_eval_elem_keys(sp_eval *ev, const sp_expr *e, int nlocals, const sp_value *in, size_t n, sp_value *k)
{
    const sp_fast *f = e->fast;
    if (!f || f->kind != FAST_ITEMS || f->n != 2 || f->kid[0]->kind != FAST_FIELD ||
        f->kid[0]->kid[0]->kind != FAST_ELEM || f->kid[1]->kind != FAST_CONST || !frame_fits(ev, nlocals))
        return 0;
    fields_of(ev, f->kid[0], in, n, k);
    return 1;
}

sp_value sp_eval_fn_arg(sp_eval *ev, const sp_expr *e, int nlocals, const sp_value *args, int n)
{
    if (e->kind == SP_E_LAMBDA)
        return call_lambda(ev, e, NULL, nlocals, args, n);
    if (e->kind == SP_E_NAME && e->resolution == SP_R_FUNCTION)
        return call_user(ev, e->target, args, n, e);
    if (e->kind == SP_E_NAME && e->resolution == SP_R_BUILTIN)
        return sp_builtin_call(ev, e->slot, args, n, e);
    sp_value *saved;
    if (!push_frame(ev, nlocals, &saved, e))
        return sp_null();
    sp_value f = sp_eval_expr(ev, e);
    pop_frame(ev, nlocals, saved);
    return sp_eval_apply(ev, f, args, n, e);
}

/* ----- the prelude's statistics in C ----- */

/* Functions of stdlib/core.sp the evaluator runs in C: the per-record
 * reducers of logs.sp, where the tree walk cost more than the work, and
 * running_sum, which updateStateByKey applies to every key every batch (on
 * integers; anything else goes to its definition).  Each is
 * used only for a definition that is this text to the letter (blanks
 * aside) and whose min and max are the built-ins, so the C code is that
 * definition; any other definition, or an edited core.sp, is evaluated as
 * written.  tests/unit/test_builtins.c checks both give the same values.
 * Two shapes of any function are applied without a frame too: `a OP b` on
 * its parameters (SP_NATIVE_BINARY) and a call of a built-in on its
 * parameters and constants (SP_NATIVE_FORWARD).  sp_eval_prepare sets
 * sp_stmt.native; call_user asks call_native first. */
enum { SP_NATIVE_STATS = 1, SP_NATIVE_MERGE_STATS, SP_NATIVE_RUNNING_SUM, SP_NATIVE_FORWARD, SP_NATIVE_BINARY };

static const struct {
    const char *name;
    const char *text;
} natives[] = {
    {NULL, NULL},
    {"stats", "fn stats(x) = (1, x, x, x)"},
    {"merge_stats", "fn merge_stats(a, b) = if a == null then b else if b == null then a "
                    "else (a._1 + b._1, a._2 + b._2, min(a._3, b._3), max(a._4, b._4))"},
    /* updateStateByKey's usual function, applied to every key every batch */
    {"running_sum", "fn running_sum(values, state) = fold(values, coalesce(state, 0), sum)"},
};

/* The i-th item of a tuple expression. */
static const sp_expr *tuple_item(const sp_expr *t, int i)
{
    const sp_arg *a = t->u.items.items;
    while (i-- > 0 && a)
        a = a->next;
    return a ? a->value : NULL;
}

/* Is `text` (n bytes) `want`, blanks aside? */
static int same_text(const char *text, size_t n, const char *want)
{
    size_t i = 0;
    for (;;) {
        while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
            i++;
        while (*want == ' ')
            want++;
        if (i == n || !*want)
            return i == n && !*want;
        if (text[i++] != *want++)
            return 0;
    }
}

static int is_literal(const sp_expr *e)
{
    return e->kind == SP_E_INT || e->kind == SP_E_DURATION || e->kind == SP_E_FLOAT || e->kind == SP_E_STRING ||
           e->kind == SP_E_BOOL || e->kind == SP_E_NULL;
}

/* A function that only passes its parameters (and constants) on to a
 * built-in: fn parse_access_log(line) = scan_access_log(line, "any").  Its
 * calls go to the built-in without a frame. */
static int is_forward(const sp_stmt *s)
{
    const sp_expr *b = s->value;
    if (b->kind != SP_E_CALL || b->u.call.fn->kind != SP_E_NAME || b->u.call.fn->resolution != SP_R_BUILTIN ||
        b->u.call.nargs > 8)
        return 0;
    for (const sp_arg *a = b->u.call.args; a; a = a->next)
        if (!(a->value->kind == SP_E_NAME && a->value->resolution == SP_R_LOCAL && a->value->slot < s->nparams) &&
            !is_literal(a->value))
            return 0;
    return 1;
}

/* A function whose body is `p OP q` on its two parameters (fn sum(a, b) =
 * a + b): the reducers of most pipelines.  Applied without a frame. */
static int is_binary(const sp_stmt *s)
{
    const sp_expr *b = s->value;
    if (s->nparams != 2 || b->kind != SP_E_BINARY || b->u.binary.op == SP_AND || b->u.binary.op == SP_OR)
        return 0;
    const sp_expr *l = b->u.binary.l, *r = b->u.binary.r;
    return l->kind == SP_E_NAME && l->resolution == SP_R_LOCAL && l->slot < 2 && r->kind == SP_E_NAME &&
           r->resolution == SP_R_LOCAL && r->slot < 2;
}

static int native_of(const sp_stmt *s, const sp_diag *d)
{
    if (s->kind == SP_S_FN && is_forward(s))
        return SP_NATIVE_FORWARD;
    if (s->kind == SP_S_FN && is_binary(s))
        return SP_NATIVE_BINARY;
    if (s->kind != SP_S_FN || !d || s->loc.file < 0 || s->loc.file >= sp_diag_file_count(d))
        return 0;
    size_t len;
    const char *text = sp_srcfile_text(sp_diag_file(d, s->loc.file), &len);
    if (!text || s->loc.start < 0 || (size_t)s->loc.end > len || s->loc.end < s->loc.start)
        return 0;
    for (int k = 1; k < (int)(sizeof natives / sizeof natives[0]); k++) {
        if (strcmp(s->name, natives[k].name) != 0 ||
            !same_text(text + s->loc.start, (size_t)(s->loc.end - s->loc.start), natives[k].text))
            continue;
        if (k == SP_NATIVE_MERGE_STATS) {
            const sp_expr *t = s->value->u.cond.e->u.cond.e;
            if (!sp_ast_calls_builtin(tuple_item(t, 2), SP_BUILTIN_MIN) ||
                !sp_ast_calls_builtin(tuple_item(t, 3), SP_BUILTIN_MAX))
                return 0;
        }
        if (k == SP_NATIVE_RUNNING_SUM) {
            const sp_expr *f = s->value;
            if (!sp_ast_calls_builtin(f, SP_BUILTIN_FOLD) ||
                !sp_ast_calls_builtin(f->u.call.args->next->value, SP_BUILTIN_COALESCE))
                return 0;
        }
        return k;
    }
    return 0;
}

/* Is `f` (a NAME) core.sp's sum, a + b, applied in C (SP_NATIVE_BINARY)?
 * A pipeline may define a sum of its own. */
static int is_core_sum(const sp_expr *f)
{
    if (f->kind != SP_E_NAME || f->resolution != SP_R_FUNCTION || !f->target)
        return 0;
    const sp_stmt *s = f->target;
    const sp_expr *b = s->value;
    return s->native == SP_NATIVE_BINARY && b->u.binary.op == SP_ADD && b->u.binary.l->slot == 0 &&
           b->u.binary.r->slot == 1;
}

/* running_sum(values, state): the state (0 when null) plus the values, all
 * integers, added in order; 0 (the written definition) for anything else,
 * an overflow included (sum gives a float then), and when its `sum` is not
 * core.sp's. */
static int running_sum(const sp_stmt *fn, const sp_value *args, int n, sp_value *r)
{
    if (n != 2 || args[0].tag != SP_V_LIST || (args[1].tag != SP_V_NULL && args[1].tag != SP_V_INT) ||
        !is_core_sum(fn->value->u.call.args->next->next->value))
        return 0;
    int64_t total = args[1].tag == SP_V_INT ? args[1].u.i : 0;
    const sp_value *v = args[0].u.items;
    for (uint32_t i = 0; i < args[0].n; i++)
        if (v[i].tag != SP_V_INT || __builtin_add_overflow(total, v[i].u.i, &total))
            return 0;
    *r = sp_int(total);
    return 1;
}

/* Applies native function fn->native into *r; 0 when these arguments are
 * left to the written definition (the cases that report errors). */
static int call_native(sp_eval *ev, const sp_stmt *fn, const sp_value *args, int n, sp_value *r)
{
    if (fn->native == SP_NATIVE_BINARY) {
        if (n != 2)
            return 0; /* a tuple spread into the parameters: the usual way */
        const sp_expr *b = fn->value;
        *r = binary_values(ev, b, args[b->u.binary.l->slot], args[b->u.binary.r->slot]);
        return 1;
    }
    if (fn->native == SP_NATIVE_FORWARD) {
        if (n != fn->nparams)
            return 0; /* a tuple spread into the parameters: the usual way */
        const sp_expr *call = fn->value;
        sp_value argv[8];
        int i = 0;
        for (const sp_arg *a = call->u.call.args; a; a = a->next)
            argv[i++] = a->value->kind == SP_E_NAME ? args[a->value->slot] : literal_value(a->value);
        *r = sp_builtin_call(ev, call->u.call.fn->slot, argv, i, call);
        return 1;
    }
    if (fn->native == SP_NATIVE_STATS) {
        if (n != 1)
            return 0;
        *r = sp_tuple_new(ev->arena, 4);
        r->u.items[0] = sp_int(1);
        r->u.items[1] = r->u.items[2] = r->u.items[3] = args[0];
        return 1;
    }
    if (fn->native == SP_NATIVE_RUNNING_SUM)
        return running_sum(fn, args, n, r);
    /* merge_stats */
    if (n != 2)
        return 0;
    sp_value a = args[0], b = args[1];
    if (a.tag == SP_V_NULL) {
        *r = b;
        return 1;
    }
    if (b.tag == SP_V_NULL) {
        *r = a;
        return 1;
    }
    if (a.tag != SP_V_TUPLE || b.tag != SP_V_TUPLE || a.n < 4 || b.n < 4)
        return 0;
    const sp_expr *t = fn->value->u.cond.e->u.cond.e;
    sp_value v = sp_tuple_new(ev->arena, 4);
    v.u.items[0] = binary_values(ev, tuple_item(t, 0), a.u.items[0], b.u.items[0]);
    v.u.items[1] = binary_values(ev, tuple_item(t, 1), a.u.items[1], b.u.items[1]);
    sp_value lo[2] = {a.u.items[2], b.u.items[2]}, hi[2] = {a.u.items[3], b.u.items[3]};
    v.u.items[2] = sp_builtin_call(ev, SP_BUILTIN_MIN, lo, 2, tuple_item(t, 2));
    v.u.items[3] = sp_builtin_call(ev, SP_BUILTIN_MAX, hi, 2, tuple_item(t, 3));
    *r = v;
    return 1;
}

/* ----- frame-less step expressions: making them ----- */

/* Does a call of fn with nargs arguments run in C (call_native), and
 * whatever it does, need nothing of the caller's frame?  Its written
 * definition runs only for merge_stats on values that are not tuples, and
 * calls min and max; fold is left out because it applies a function, whose
 * calls would then be one level less deep than under the tree walk. */
static int native_call_fits(const sp_stmt *fn, int nargs)
{
    switch (fn->native) {
    case SP_NATIVE_STATS: return nargs == 1;
    case SP_NATIVE_MERGE_STATS:
    case SP_NATIVE_BINARY: return nargs == 2;
    case SP_NATIVE_FORWARD:
        return nargs == fn->nparams && fn->value->u.call.fn->slot != SP_BUILTIN_FOLD;
    default: return 0;
    }
}

static sp_fast *fast_node(sp_arena *a, fast_kind kind, const sp_expr *at, int n)
{
    sp_fast *f = sp_arena_alloc(a, sizeof *f + sizeof f->kid[0] * (size_t)n);
    f->kind = kind;
    f->at = at;
    f->n = n;
    return f;
}

static sp_fast *fast_field(sp_arena *a, const sp_expr *at, const char *name, const sp_fast *obj)
{
    sp_fast *f = fast_node(a, FAST_FIELD, at, 1);
    f->name = name;
    f->item = tuple_item_number(name);
    f->kid[0] = obj;
    return f;
}

/* The sp_fast form of e, or NULL when e has a shape it does not cover.
 * `lam` is the lambda whose body e is (its parameter is the element, and
 * `it` is not set there), or NULL for the step's expression itself. */
static const sp_fast *fast_compile(const sp_expr *e, const sp_expr *lam, sp_arena *a);

/* Is fn a function that hands its parameters to a built-in
 * (SP_NATIVE_FORWARD) called with n arguments, whose built-in call names
 * each parameter once, in order (constants anywhere between)?  Its calls
 * can then be the built-in's call itself: each argument is still evaluated
 * once, in order. */
static int forward_in_order(const sp_stmt *fn, int n)
{
    if (fn->native != SP_NATIVE_FORWARD || !native_call_fits(fn, n) || fn->value->u.call.nargs > FAST_MAX_ARGS)
        return 0;
    int next = 0;
    for (const sp_arg *g = fn->value->u.call.args; g; g = g->next)
        if (g->value->kind == SP_E_NAME && g->value->slot != next++)
            return 0;
    return next == n;
}

/* A call of scan_access_log whose format is a constant string naming a
 * format: the parser is called directly (FAST_SCAN_LOG).  f is complete. */
static sp_fast *fast_scan_log(sp_fast *f)
{
    if (f->kind != FAST_CALL_BUILTIN || f->builtin != SP_BUILTIN_SCAN_ACCESS_LOG || f->n != 2 ||
        f->kid[1]->kind != FAST_CONST || f->kid[1]->value.tag != SP_V_STR)
        return f;
    sp_value fmt = f->kid[1]->value;
    int format = sp_weblog_format_lookup(fmt.u.s ? fmt.u.s : "", fmt.n);
    if (format >= 0) {
        f->kind = FAST_SCAN_LOG;
        f->item = (uint32_t)format;
        f->proj = sp_eval_weblog_proj(f->at);
    }
    return f;
}

/* The call e of such a function as its built-in's call (what call_native
 * does at every call: the arguments in the built-in's order, errors
 * reported at the function's body). */
static const sp_fast *fast_forward(const sp_expr *e, const sp_stmt *fn, const sp_expr *lam, sp_arena *a)
{
    const sp_expr *body = fn->value;
    sp_fast *f = fast_node(a, FAST_CALL_BUILTIN, body, body->u.call.nargs);
    f->builtin = body->u.call.fn->slot;
    const sp_arg *arg = e->u.call.args;
    int i = 0;
    for (const sp_arg *g = body->u.call.args; g; g = g->next, i++) {
        if (g->value->kind == SP_E_NAME) { /* the next parameter: the call's next argument */
            if (!(f->kid[i] = fast_compile(arg->value, lam, a)))
                return NULL;
            arg = arg->next;
        } else {
            sp_fast *c = fast_node(a, FAST_CONST, g->value, 0);
            c->value = literal_value(g->value);
            f->kid[i] = c;
        }
    }
    return fast_scan_log(f);
}

static const sp_fast *fast_compile(const sp_expr *e, const sp_expr *lam, sp_arena *a)
{
    sp_fast *f = NULL;
    if (is_literal(e)) {
        f = fast_node(a, FAST_CONST, e, 0);
        f->value = literal_value(e);
        return f;
    }
    switch (e->kind) {
    case SP_E_IT:
        return lam ? NULL : fast_node(a, FAST_ELEM, e, 0);
    case SP_E_NAME:
        if (e->resolution == SP_R_PARAM) { /* its value, as eval_name: a literal, maybe negated */
            const sp_expr *v = ((const sp_stmt *)e->target)->value;
            return v ? fast_compile(v, lam, a) : NULL;
        }
        if (e->resolution == SP_R_LOCAL && lam && e->slot == lam->u.lambda.first_slot)
            return fast_node(a, FAST_ELEM, e, 0);
        if (e->resolution == SP_R_FIELD && !lam)
            return fast_field(a, e, e->u.name, fast_node(a, FAST_ELEM, e, 0));
        return NULL;
    case SP_E_FIELD: {
        const sp_fast *obj = fast_compile(e->u.field.obj, lam, a);
        return obj ? fast_field(a, e, e->u.field.name, obj) : NULL;
    }
    case SP_E_INDEX: {
        const sp_fast *obj = fast_compile(e->u.index.obj, lam, a);
        const sp_fast *idx = obj ? fast_compile(e->u.index.index, lam, a) : NULL;
        if (!idx)
            return NULL;
        f = fast_node(a, FAST_INDEX, e, 2);
        f->kid[0] = obj;
        f->kid[1] = idx;
        return f;
    }
    case SP_E_UNARY: {
        const sp_fast *x = fast_compile(e->u.unary.e, lam, a);
        if (!x)
            return NULL;
        f = fast_node(a, FAST_UNARY, e, 1);
        f->kid[0] = x;
        return f;
    }
    case SP_E_BINARY: {
        const sp_fast *l = fast_compile(e->u.binary.l, lam, a);
        const sp_fast *r = l ? fast_compile(e->u.binary.r, lam, a) : NULL;
        if (!r)
            return NULL;
        sp_binop op = e->u.binary.op;
        if ((op == SP_EQ || op == SP_NE) && (e->u.binary.l->kind == SP_E_NULL || e->u.binary.r->kind == SP_E_NULL)) {
            /* x == null is x's tag (sp_value_equal), and never an error */
            f = fast_node(a, op == SP_EQ ? FAST_IS_NULL : FAST_NOT_NULL, e, 1);
            f->kid[0] = e->u.binary.l->kind == SP_E_NULL ? r : l;
            return f;
        }
        f = fast_node(a, op == SP_AND ? FAST_AND : op == SP_OR ? FAST_OR : FAST_BINARY, e, 2);
        f->kid[0] = l;
        f->kid[1] = r;
        return f;
    }
    case SP_E_IF:
        f = fast_node(a, FAST_IF, e, 3);
        f->kid[0] = fast_compile(e->u.cond.c, lam, a);
        f->kid[1] = f->kid[0] ? fast_compile(e->u.cond.t, lam, a) : NULL;
        f->kid[2] = f->kid[1] ? fast_compile(e->u.cond.e, lam, a) : NULL;
        return f->kid[2] ? f : NULL;
    case SP_E_CALL: {
        const sp_expr *fn = e->u.call.fn;
        int n = e->u.call.nargs;
        if (fn->kind != SP_E_NAME || n > FAST_MAX_ARGS)
            return NULL;
        if (fn->resolution == SP_R_FUNCTION && forward_in_order(fn->target, n))
            return fast_forward(e, fn->target, lam, a);
        if (fn->resolution == SP_R_BUILTIN && fn->slot != SP_BUILTIN_FOLD) {
            f = fast_node(a, FAST_CALL_BUILTIN, e, n);
            f->builtin = fn->slot;
        } else if (fn->resolution == SP_R_FUNCTION && native_call_fits(fn->target, n)) {
            f = fast_node(a, FAST_CALL_FN, e, n);
            f->fn = fn->target;
        } else {
            return NULL;
        }
        int i = 0;
        for (const sp_arg *g = e->u.call.args; g; g = g->next)
            if (!(f->kid[i++] = fast_compile(g->value, lam, a)))
                return NULL;
        return i == n ? fast_scan_log(f) : NULL;
    }
    case SP_E_TUPLE:
    case SP_E_LIST:
    case SP_E_RECORD: {
        f = fast_node(a, FAST_ITEMS, e, e->u.items.n);
        int i = 0;
        for (const sp_arg *g = e->u.items.items; g; g = g->next)
            if (i >= f->n || !(f->kid[i++] = fast_compile(g->value, lam, a)))
                return NULL;
        return i == f->n ? f : NULL;
    }
    default:
        return NULL;
    }
}

/* The sp_fast form of an operator's argument e (see sp_eval_elem_arg), or
 * NULL. */
static const sp_fast *fast_compile_arg(const sp_expr *e, sp_arena *a)
{
    sp_fast *f;
    if (e->kind == SP_E_LAMBDA) {
        if (e->u.lambda.nparams != 1) /* a tuple spread into parameters: the tree walk */
            return NULL;
        const sp_fast *body = fast_compile(e->u.lambda.body, e, a);
        if (!body)
            return NULL;
        f = fast_node(a, FAST_LAMBDA, e, 1);
        f->kid[0] = body;
        f->frame = e->u.lambda.first_slot + 1; /* call_lambda's frame, at least */
        return f;
    }
    if (e->kind == SP_E_NAME && e->resolution == SP_R_FUNCTION) {
        f = fast_node(a, FAST_APPLY_FN, e, 0);
        f->fn = e->target;
        return f;
    }
    if (e->kind == SP_E_NAME && e->resolution == SP_R_BUILTIN) {
        f = fast_node(a, FAST_APPLY_BUILTIN, e, 0);
        f->builtin = e->slot;
        return f;
    }
    return fast_compile(e, NULL, a);
}

/* ----- preparation ----- */

/* What sp_eval_prepare hands down the tree. */
typedef struct prep {
    sp_arena *a;                  /* where what it makes lives */
    const sp_weblog_proj *weblog; /* the projection of scan_access_log's records, or NULL */
} prep;

/* A call of the scan_access_log built-in. */
static int is_scan_call(const sp_expr *e)
{
    return sp_ast_calls_builtin(e, SP_BUILTIN_SCAN_ACCESS_LOG);
}

const sp_weblog_proj *sp_eval_weblog_proj(const sp_expr *call)
{
    return is_scan_call(call) ? call->rt : NULL;
}

static void prepare_expr(sp_expr *e, const prep *pp);

static void prepare_args(sp_arg *args, const prep *pp)
{
    for (sp_arg *g = args; g; g = g->next)
        prepare_expr(g->value, pp);
}

/* Compiles the regular expression of a match/extract/captures call when it
 * is a constant string. */
static void prepare_regex(sp_expr *e, const prep *pp)
{
    const sp_expr *fn = e->u.call.fn;
    if (fn->kind != SP_E_NAME || fn->resolution != SP_R_BUILTIN)
        return;
    if (fn->slot != SP_BUILTIN_MATCH && fn->slot != SP_BUILTIN_EXTRACT && fn->slot != SP_BUILTIN_CAPTURES)
        return;
    if (!e->u.call.args || !e->u.call.args->next)
        return;
    const sp_expr *pat = e->u.call.args->next->value;
    while (pat->kind == SP_E_NAME && pat->resolution == SP_R_PARAM)
        pat = ((const sp_stmt *)pat->target)->value;
    if (pat->kind != SP_E_STRING)
        return;
    sp_regex *re = sp_regex_prepare(pat->u.str.s, pat->u.str.len, pp->a);
    if (!re)
        return; /* the checker has reported it */
    e->rt = re;
}

static void prepare_expr(sp_expr *e, const prep *pp)
{
    if (!e)
        return;
    switch (e->kind) {
    case SP_E_FIELD: prepare_expr(e->u.field.obj, pp); break;
    case SP_E_INDEX:
        prepare_expr(e->u.index.obj, pp);
        prepare_expr(e->u.index.index, pp);
        break;
    case SP_E_CALL:
        prepare_expr(e->u.call.fn, pp);
        prepare_args(e->u.call.args, pp);
        if (is_scan_call(e))
            e->rt = (void *)pp->weblog; /* read-only */
        else if (!e->rt)
            prepare_regex(e, pp);
        break;
    case SP_E_UNARY: prepare_expr(e->u.unary.e, pp); break;
    case SP_E_BINARY:
        prepare_expr(e->u.binary.l, pp);
        prepare_expr(e->u.binary.r, pp);
        break;
    case SP_E_IF:
        prepare_expr(e->u.cond.c, pp);
        prepare_expr(e->u.cond.t, pp);
        prepare_expr(e->u.cond.e, pp);
        break;
    case SP_E_LET:
        prepare_expr(e->u.let.value, pp);
        prepare_expr(e->u.let.body, pp);
        break;
    case SP_E_LAMBDA: prepare_expr(e->u.lambda.body, pp); break;
    case SP_E_RECORD:
        if (!e->rt) {
            sp_shape *sh = sp_arena_alloc(pp->a, sizeof *sh);
            sh->n = e->u.items.n;
            sh->names = sp_arena_alloc(pp->a, sizeof *sh->names * (size_t)(sh->n ? sh->n : 1));
            int i = 0;
            for (const sp_arg *g = e->u.items.items; g; g = g->next)
                sh->names[i++] = g->name;
            sh->id = sp_shape_id();
            e->rt = sh;
        }
        prepare_args(e->u.items.items, pp);
        break;
    case SP_E_TUPLE:
    case SP_E_LIST:
        prepare_args(e->u.items.items, pp);
        break;
    default:
        break;
    }
}

static void unprepare_expr(sp_expr *e);

static void unprepare_args(sp_arg *args)
{
    for (sp_arg *g = args; g; g = g->next)
        unprepare_expr(g->value);
}

static void unprepare_expr(sp_expr *e)
{
    if (!e)
        return;
    switch (e->kind) {
    case SP_E_FIELD: unprepare_expr(e->u.field.obj); break;
    case SP_E_INDEX:
        unprepare_expr(e->u.index.obj);
        unprepare_expr(e->u.index.index);
        break;
    case SP_E_CALL:
        unprepare_expr(e->u.call.fn);
        unprepare_args(e->u.call.args);
        if (is_scan_call(e)) {
            e->rt = NULL; /* the projection: in sp_eval_prepare's arena */
        } else if (e->rt) {
            sp_regex_free(e->rt);
            e->rt = NULL;
        }
        break;
    case SP_E_UNARY: unprepare_expr(e->u.unary.e); break;
    case SP_E_BINARY:
        unprepare_expr(e->u.binary.l);
        unprepare_expr(e->u.binary.r);
        break;
    case SP_E_IF:
        unprepare_expr(e->u.cond.c);
        unprepare_expr(e->u.cond.t);
        unprepare_expr(e->u.cond.e);
        break;
    case SP_E_LET:
        unprepare_expr(e->u.let.value);
        unprepare_expr(e->u.let.body);
        break;
    case SP_E_LAMBDA: unprepare_expr(e->u.lambda.body); break;
    case SP_E_RECORD:
    case SP_E_TUPLE:
    case SP_E_LIST:
        unprepare_args(e->u.items.items);
        break;
    default:
        break;
    }
}

static void walk_program(sp_program *p, const prep *pp, int prepare)
{
    sp_stmt *lists[2] = {p->library, p->stmts};
    for (int k = 0; k < 2; k++) {
        for (sp_stmt *s = lists[k]; s; s = s->next) {
            if (s->kind == SP_S_FN || s->kind == SP_S_PARAM) {
                if (prepare)
                    prepare_expr(s->value, pp);
                else
                    unprepare_expr(s->value);
            }
            if (s->kind != SP_S_PIPE)
                continue;
            for (sp_step *st = s->steps; st; st = st->next) {
                for (sp_arg *g = st->args; g; g = g->next) {
                    prepare ? prepare_expr(g->value, pp) : unprepare_expr(g->value);
                    g->value->fast = NULL; /* sp_eval_prepare makes it, after this walk */
                }
                for (sp_opt *o = st->opts; o; o = o->next) {
                    prepare ? prepare_expr(o->value, pp) : unprepare_expr(o->value);
                    if (o->value)
                        o->value->fast = NULL;
                }
            }
        }
    }
}

int sp_eval_prepare(sp_program *p, sp_diag *d, sp_arena *a)
{
    prep pp = {a, sp_weblog_proj_new(a, sp_project_weblog(p))};
    walk_program(p, &pp, 1);
    for (sp_stmt *s = p->library; s; s = s->next)
        s->native = native_of(s, d);
    for (sp_stmt *s = p->stmts; s; s = s->next)
        s->native = native_of(s, d);
    /* after the natives: a call is frame-less only when its function is one */
    for (sp_stmt *s = p->stmts; s; s = s->next)
        for (sp_step *st = s->kind == SP_S_PIPE ? s->steps : NULL; st; st = st->next) {
            for (sp_arg *g = st->args; g; g = g->next)
                g->value->fast = fast_compile_arg(g->value, a);
            for (sp_opt *o = st->opts; o; o = o->next)
                if (o->value)
                    o->value->fast = fast_compile_arg(o->value, a);
        }
    return 0;
}

void sp_eval_unprepare(sp_program *p)
{
    walk_program(p, NULL, 0);
}


sp_eval_fn_kind sp_eval_fn_kind_of(const sp_expr *f)
{
    if (!f || f->kind != SP_E_NAME || f->resolution != SP_R_FUNCTION || !f->target)
        return SP_EVAL_FN_OTHER;
    const sp_stmt *s = f->target;
    switch (s->native) {
    case SP_NATIVE_BINARY: /* a + b or b + a; not a + a */
        return s->value->u.binary.op == SP_ADD && s->value->u.binary.l->slot != s->value->u.binary.r->slot
                   ? SP_EVAL_FN_ADD
                   : SP_EVAL_FN_OTHER;
    case SP_NATIVE_STATS: return SP_EVAL_FN_STATS;
    case SP_NATIVE_MERGE_STATS: return SP_EVAL_FN_MERGE_STATS;
    default: return SP_EVAL_FN_OTHER;
    }
}

sp_value sp_eval_elem_expr(sp_eval *ev, const sp_expr *e, int nlocals, sp_value elem)
{
    sp_value *saved;
    if (!push_frame(ev, nlocals, &saved, e))
        return sp_null();
    const sp_value *saved_it = ev->it;
    ev->it = &elem;
    sp_value r = sp_eval_expr(ev, e);
    ev->it = saved_it;
    pop_frame(ev, nlocals, saved);
    return r;
}

sp_value sp_eval_elem_call_arg(sp_eval *ev, const sp_expr *call, int nlocals, sp_value elem)
{
    const sp_fast *f = call->fast;
    if (f && (f->kind == FAST_CALL_FN || f->kind == FAST_CALL_BUILTIN) && f->n >= 1 && frame_fits(ev, nlocals))
        return fast_operand(ev, f->kid[0], elem);
    return sp_eval_elem_expr(ev, call->u.call.args->value, nlocals, elem);
}

size_t sp_eval_elem_call_ints(sp_eval *ev, const sp_expr *call, int nlocals, const sp_value *in, size_t n,
                              int64_t *out, sp_value *stop, int *stopped)
{
    *stopped = 0;
    const sp_fast *f = call->fast;
    int fast = f && (f->kind == FAST_CALL_FN || f->kind == FAST_CALL_BUILTIN) && f->n >= 1 && frame_fits(ev, nlocals);
    const sp_fast *a = fast ? f->kid[0] : NULL;
    int field = a && a->kind == FAST_FIELD && a->kid[0]->kind == FAST_ELEM;
    uint64_t cache = field ? __atomic_load_n(&a->at->field_cache, __ATOMIC_RELAXED) : 0;
    if (!field && n > 1)
        n = 1;
    for (size_t i = 0; i < n; i++) {
        sp_value x = field ? field_in_loop(ev, a, in[i], &cache)
                   : a     ? fast_operand(ev, a, in[i])
                           : sp_eval_elem_expr(ev, call->u.call.args->value, nlocals, in[i]);
        if (x.tag != SP_V_INT) {
            *stop = x;
            *stopped = 1;
            return i;
        }
        out[i] = x.u.i;
    }
    return n;
}
