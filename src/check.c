/* check.c - the checker: names, arity, types, windows and the DAG's shape.
 *
 * See check.h.  One pass over the program, in this order: collect the
 * definitions (reporting duplicates), apply -p overrides, check parameters
 * and the batch interval (windows are checked against it), check every
 * function body once with unknown parameter types, check sources, then every
 * pipeline (following stream references depth-first, which finds cycles), and
 * finally the graph as a whole. */
#include "check.h"
#include "builtins.h"
#include "ops.h"
#include "suggest.h"
#include "types.h"
#include "weblog.h"

#include <errno.h>
#include <inttypes.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOCALS 256
#define MAX_INSTANTIATIONS 20000
/* Function and lambda bodies are checked again for every call, so a few
 * lines can ask for exponential work (f1(x) = f0(f0(x)), f2(x) = f1(f1(x)),
 * ..., or y -> y(y)).  Past this many expressions checked in all, calls are
 * no longer followed into bodies: their results are of unknown type. */
#define MAX_CHECK_WORK 200000
#define MAX_EXPR_DEPTH 400

typedef struct local {
    const char *name;    /* as written */
    const sp_type *type; /* its type */
    int slot;            /* slot in the frame */
} local;

typedef struct checker {
    sp_diag *d;            /* where problems are reported; not owned */
    sp_arena *a;           /* owns types and messages; not owned */
    sp_program *p;         /* the program; annotated in place */
    sp_stmt **defs;        /* named definitions, heap array owned here */
    int ndefs, capdefs;    /* entries / capacity of defs */
    int64_t batch_ms;      /* the batch interval */
    int have_batch;        /* a `batch` statement was seen */
    local locals[MAX_LOCALS]; /* scope stack, innermost last */
    int nlocals;           /* entries in locals */
    int frame_base;        /* first local of the current function frame */
    int frame_max;         /* most slots the current frame has needed */
    const sp_type *it;     /* the implicit element, or NULL outside operators */
    int instantiations;    /* function and lambda bodies checked so far (a budget) */
    long work;             /* expressions checked so far (a budget) */
    int depth;             /* recursion depth of check_expr */
    int usage_errors;      /* errors caused by -p */
    int in_lambda;         /* checking the body of x -> ... */
    const sp_expr **misses; /* names and fields already reported unknown; heap, owned */
    int nmisses, capmisses; /* entries / capacity of misses */
} checker;

static const sp_type *check_expr(checker *c, sp_expr *e);

/* ----- definitions ----- */

static const char *def_kind_name(const sp_stmt *s)
{
    switch (s->kind) {
    case SP_S_PARAM: return "parameter";
    case SP_S_FN: return "function";
    case SP_S_SOURCE: return "source";
    case SP_S_PIPE: return "stream";
    default: return "name";
    }
}

static sp_stmt *find_def(const checker *c, const char *name)
{
    for (int i = 0; i < c->ndefs; i++)
        if (strcmp(c->defs[i]->name, name) == 0)
            return c->defs[i];
    return NULL;
}

static void add_def(checker *c, sp_stmt *s)
{
    sp_stmt *old = find_def(c, s->name);
    if (old && old->loc.file != c->p->main_file && s->loc.file == c->p->main_file) {
        /* the pipeline's own definitions hide library functions of the same name */
        for (int i = 0; i < c->ndefs; i++)
            if (c->defs[i] == old)
                c->defs[i] = s;
        return;
    }
    if (old) {
        char where[512];
        sp_diag_format_loc(c->d, old->name_loc, where, sizeof where);
        char *hint = sp_arena_printf(c->a, "the %s '%s' is defined at %s; choose another name",
                                     def_kind_name(old), old->name, where);
        sp_diag_error(c->d, s->name_loc, hint, "'%s' is already defined", s->name);
        return;
    }
    if (s->kind == SP_S_FN && sp_builtin_lookup(s->name) >= 0) {
        sp_diag_error(c->d, s->name_loc, "choose another name for your function",
                      "'%s' is a built-in function and cannot be redefined", s->name);
        return;
    }
    if (c->ndefs == c->capdefs) {
        c->capdefs = c->capdefs ? c->capdefs * 2 : 32;
        c->defs = sp_xrealloc(c->defs, sizeof *c->defs * (size_t)c->capdefs);
    }
    c->defs[c->ndefs++] = s;
}

/* Suggests a definition of one of the kinds in `kinds` (bit per sp_stmt_kind). */
static const char *suggest_def(checker *c, const char *word, unsigned kinds, sp_suggest *sg)
{
    for (int i = 0; i < c->ndefs; i++)
        if (kinds & (1u << c->defs[i]->kind))
            sp_suggest_offer(sg, c->defs[i]->name);
    (void)word;
    return sp_suggest_result(sg);
}

static char *did_you_mean(checker *c, const char *best)
{
    return best ? sp_arena_printf(c->a, "did you mean '%s'?", best) : NULL;
}

/* Returns 1 the first time it is called for `e`.  A function body is checked
 * again for every call (and a lambda's for every application), up to
 * MAX_INSTANTIATIONS times: an unknown name or field in it is reported once,
 * without searching for a suggestion again each time. */
static int first_miss(checker *c, const sp_expr *e)
{
    for (int i = 0; i < c->nmisses; i++)
        if (c->misses[i] == e)
            return 0;
    if (c->nmisses == c->capmisses) {
        c->capmisses = c->capmisses ? c->capmisses * 2 : 16;
        c->misses = sp_xrealloc(c->misses, sizeof *c->misses * (size_t)c->capmisses);
    }
    c->misses[c->nmisses++] = e;
    return 1;
}

/* ----- scopes ----- */

static int push_local(checker *c, const char *name, const sp_type *t, sp_loc loc)
{
    if (c->nlocals == MAX_LOCALS) {
        sp_diag_error(c->d, loc, NULL, "too many nested names (at most %d)", MAX_LOCALS);
        return -1;
    }
    int slot = c->nlocals - c->frame_base;
    c->locals[c->nlocals].name = name;
    c->locals[c->nlocals].type = t;
    c->locals[c->nlocals].slot = slot;
    c->nlocals++;
    if (slot + 1 > c->frame_max)
        c->frame_max = slot + 1;
    return slot;
}

static const local *find_local(const checker *c, const char *name)
{
    for (int i = c->nlocals - 1; i >= c->frame_base; i--)
        if (strcmp(c->locals[i].name, name) == 0)
            return &c->locals[i];
    return NULL;
}

/* ----- constants ----- */

/* Evaluates a constant expression: a literal, a parameter, or -literal.
 * Returns the literal node that holds the value (negation folded into
 * *negate), or NULL when the expression is not constant. */
static const sp_expr *const_literal(checker *c, const sp_expr *e, int *negate)
{
    *negate = 0;
    while (e->kind == SP_E_UNARY && e->u.unary.op == SP_NEG) {
        *negate = !*negate;
        e = e->u.unary.e;
    }
    if (e->kind == SP_E_NAME) {
        sp_stmt *s = find_def(c, e->u.name);
        if (!s || s->kind != SP_S_PARAM || !s->value)
            return NULL;
        s->used = 1;
        int neg2;
        const sp_expr *v = s->value;
        while (v->kind == SP_E_UNARY && v->u.unary.op == SP_NEG) {
            neg2 = 1;
            *negate ^= neg2;
            v = v->u.unary.e;
        }
        e = v;
    }
    switch (e->kind) {
    case SP_E_INT: case SP_E_FLOAT: case SP_E_STRING: case SP_E_BOOL:
    case SP_E_NULL: case SP_E_DURATION:
        return e;
    default:
        return NULL;
    }
}

static const char *literal_kind_name(sp_expr_kind k)
{
    switch (k) {
    case SP_E_INT: return "an integer";
    case SP_E_FLOAT: return "a number";
    case SP_E_STRING: return "a string";
    case SP_E_BOOL: return "true or false";
    case SP_E_NULL: return "null";
    case SP_E_DURATION: return "a duration";
    default: return "an expression";
    }
}

/* A duration constant in ms, or -1 after reporting what is wrong. */
static int64_t const_duration(checker *c, const sp_expr *e, const char *what)
{
    int neg;
    const sp_expr *v = const_literal(c, e, &neg);
    if (!v || v->kind != SP_E_DURATION) {
        sp_diag_error(c->d, e->loc, "write a duration such as 500ms, 10s, 5m or 1h",
                      "%s must be a duration, not %s", what,
                      v ? literal_kind_name(v->kind) : "a computed value");
        return -1;
    }
    if (neg || v->u.i <= 0) {
        sp_diag_error(c->d, e->loc, NULL, "%s must be longer than 0", what);
        return -1;
    }
    return v->u.i;
}

/* An integer constant, or -1 after reporting. */
static int64_t const_count(checker *c, const sp_expr *e, const char *what)
{
    int neg;
    const sp_expr *v = const_literal(c, e, &neg);
    if (!v || v->kind != SP_E_INT) {
        sp_diag_error(c->d, e->loc, NULL, "%s must be an integer, not %s", what,
                      v ? literal_kind_name(v->kind) : "a computed value");
        return -1;
    }
    if (neg || v->u.i <= 0) {
        sp_diag_error(c->d, e->loc, NULL, "%s must be at least 1", what);
        return -1;
    }
    return v->u.i;
}

static char *fmt_duration(checker *c, int64_t ms)
{
    char buf[64];
    sp_ast_format_duration(ms, buf, sizeof buf);
    return sp_arena_strdup(c->a, buf);
}

/* ----- types of built-ins ----- */

/* The record of scan_access_log: web_record's in stdlib/weblog.sp, whose
 * type the checker infers as this. */
static const sp_type *access_record_type(checker *c)
{
    const sp_shape *sh = sp_weblog_shape();
    const sp_type **elems = sp_arena_alloc(c->a, sizeof *elems * (size_t)sh->n);
    const char **names = sp_arena_alloc(c->a, sizeof *names * (size_t)sh->n);
    for (int i = 0; i < sh->n; i++) {
        names[i] = sh->names[i];
        if (strcmp(names[i], "time") == 0 || strcmp(names[i], "duration_us") == 0)
            elems[i] = sp_type_nullable(c->a, &sp_type_int);
        else if (strcmp(names[i], "status") == 0 || strcmp(names[i], "size") == 0 || strcmp(names[i], "port") == 0)
            elems[i] = &sp_type_int;
        else
            elems[i] = &sp_type_string;
    }
    return sp_type_record(c->a, sh->n, names, elems);
}

static const sp_type *builtin_result(checker *c, int b, const sp_type **args, int n)
{
    char r = sp_builtins[b].result;
    int nullable = r >= 'A' && r <= 'Z';
    if (nullable)
        r = (char)(r - 'A' + 'a');
    const sp_type *t;
    switch (r) {
    case 'i': case 't': t = &sp_type_int; break;
    case 'f': t = &sp_type_float; break;
    case 's': t = &sp_type_string; break;
    case 'b': t = &sp_type_bool; break;
    case 'l': t = sp_type_list(c->a, &sp_type_string); break;
    case 'e': t = n > 0 && args[0]->kind == SP_T_LIST ? args[0]->elem : &sp_type_any; break;
    case 'n':
        t = n > 0 && sp_type_is_numeric(args[0]) ? args[0] : &sp_type_any;
        if (n > 1)
            t = sp_type_join(c->a, t, args[1]);
        break;
    case 'w': t = access_record_type(c); break;
    default: t = &sp_type_any; break;
    }
    if ((b == SP_BUILTIN_TO_INT || b == SP_BUILTIN_TO_FLOAT) && n == 2 && !args[1]->nullable &&
        args[1]->kind != SP_T_NULL && args[1]->kind != SP_T_ANY)
        nullable = 0; /* the default stands in for an invalid value */
    return nullable ? sp_type_nullable(c->a, t) : t;
}

/* Regular expressions given as constants are compiled here, so a bad one is
 * reported by `check` at its place rather than when the pipeline runs. */
static void check_regex_arg(checker *c, int b, sp_arg *args)
{
    if (b != SP_BUILTIN_MATCH && b != SP_BUILTIN_EXTRACT && b != SP_BUILTIN_CAPTURES)
        return;
    if (!args || !args->next)
        return;
    int neg;
    const sp_expr *v = const_literal(c, args->next->value, &neg);
    if (!v || v->kind != SP_E_STRING)
        return;
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)v->u.str.s, v->u.str.len, 0 /* bytes: log lines may hold any bytes */,
                                   &err, &off, NULL);
    if (re) {
        pcre2_code_free(re);
        return;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    sp_diag_error(c->d, args->next->value->loc, NULL,
                  "invalid regular expression: %s (at offset %zu of the pattern)", (char *)msg, (size_t)off);
}

/* A constant format of scan_access_log must be one it knows. */
static void check_access_format_arg(checker *c, int b, sp_arg *args)
{
    if (b != SP_BUILTIN_SCAN_ACCESS_LOG || !args || !args->next)
        return;
    int neg;
    const sp_expr *v = const_literal(c, args->next->value, &neg);
    if (!v || v->kind != SP_E_STRING || sp_weblog_format_lookup(v->u.str.s, v->u.str.len) >= 0)
        return;
    sp_diag_error(c->d, args->next->value->loc, NULL, "scan_access_log knows no format '%.*s' (the formats: %s)",
                  (int)(v->u.str.len > 64 ? 64 : v->u.str.len), v->u.str.s, sp_weblog_format_names);
}

/* ----- applying functions ----- */

static const sp_type *apply_lambda(checker *c, sp_expr *lam, const sp_type **types, int n, sp_loc at);

static const char *plural(int n)
{
    return n == 1 ? "" : "s";
}

/* Binds `params` to the argument types: one each, or the items of a single
 * tuple argument ("destructuring", so (k, v) -> ... works on pairs).
 * Returns 0 after reporting a mismatch. */
static int bind_params(checker *c, const sp_name *params, int nparams, const sp_type **types,
                       int n, sp_loc at, const char *fname)
{
    const sp_type *bound[64];
    if (nparams > 64) {
        sp_diag_error(c->d, at, NULL, "too many parameters (at most 64)");
        return 0;
    }
    if (n == nparams) {
        for (int i = 0; i < n; i++)
            bound[i] = types[i];
    } else if (n == 1 && nparams > 1 &&
               (types[0]->kind == SP_T_ANY ||
                (types[0]->kind == SP_T_TUPLE && types[0]->n == nparams))) {
        for (int i = 0; i < nparams; i++)
            bound[i] = types[0]->kind == SP_T_ANY ? &sp_type_any : types[0]->elems[i];
    } else {
        if (n == 1 && nparams > 1)
            sp_diag_error(c->d, at, NULL,
                          "%s takes %d parameter%s, but is applied to one value of type %s",
                          fname, nparams, plural(nparams), sp_type_name(c->a, types[0]));
        else
            sp_diag_error(c->d, at, NULL, "%s takes %d argument%s but is given %d", fname,
                          nparams, plural(nparams), n);
        return 0;
    }
    int i = 0;
    for (const sp_name *p = params; p; p = p->next, i++)
        push_local(c, p->name, bound[i], p->loc);
    return 1;
}

/* Checks the body of user function `fn` for these argument types. */
static const sp_type *instantiate(checker *c, sp_stmt *fn, const sp_type **types, int n, sp_loc at)
{
    if (fn->checking) {
        sp_diag_error(c->d, at, "write it without recursion; a pipeline must finish every element",
                      "function '%s' calls itself, directly or through other functions", fn->name);
        return &sp_type_any;
    }
    if (++c->instantiations > MAX_INSTANTIATIONS || c->work > MAX_CHECK_WORK)
        return &sp_type_any;
    int saved_n = c->nlocals, saved_base = c->frame_base, saved_max = c->frame_max;
    const sp_type *saved_it = c->it;
    c->frame_base = c->nlocals;
    c->frame_max = 0;
    c->it = NULL;
    int saved_in_lambda = c->in_lambda;
    c->in_lambda = 0;
    const sp_type *r = &sp_type_any;
    char *fname = sp_arena_printf(c->a, "function '%s'", fn->name);
    if (bind_params(c, fn->params, fn->nparams, types, n, at, fname)) {
        fn->checking = 1;
        r = check_expr(c, fn->value);
        fn->checking = 0;
    }
    if (r->kind == SP_T_FUNC && r->fn_kind == 2) /* a closure leaving its scope: opaque */
        r = sp_type_func(c->a, 3, NULL, 0, r->arity);
    if (c->frame_max > fn->nlocals)
        fn->nlocals = c->frame_max;
    c->nlocals = saved_n;
    c->frame_base = saved_base;
    c->frame_max = saved_max;
    c->it = saved_it;
    c->in_lambda = saved_in_lambda;
    return r;
}

/* Applies a function value of type `ft` to arguments of the given types. */
static const sp_type *apply_func(checker *c, const sp_type *ft, const sp_type **types, int n, sp_loc at)
{
    if (ft->kind == SP_T_ANY)
        return &sp_type_any;
    if (ft->kind != SP_T_FUNC) {
        sp_diag_error(c->d, at, NULL, "a value of type %s is not a function", sp_type_name(c->a, ft));
        return &sp_type_any;
    }
    switch (ft->fn_kind) {
    case 0:
        return instantiate(c, (sp_stmt *)ft->fn, types, n, at);
    case 1: {
        const sp_builtin_info *b = &sp_builtins[ft->builtin];
        if (n < b->min_args || (b->max_args >= 0 && n > b->max_args)) {
            if (b->max_args == b->min_args)
                sp_diag_error(c->d, at, NULL, "built-in '%s' takes %d argument%s but is given %d", b->name,
                              b->min_args, plural(b->min_args), n);
            else if (b->max_args < 0)
                sp_diag_error(c->d, at, NULL, "built-in '%s' takes %d or more arguments but is given %d",
                              b->name, b->min_args, n);
            else
                sp_diag_error(c->d, at, NULL, "built-in '%s' takes %d to %d arguments but is given %d",
                              b->name, b->min_args, b->max_args, n);
            return &sp_type_any;
        }
        return builtin_result(c, ft->builtin, types, n);
    }
    case 2:
        /* the same budget as function bodies */
        if (++c->instantiations > MAX_INSTANTIATIONS || c->work > MAX_CHECK_WORK)
            return &sp_type_any;
        return apply_lambda(c, (sp_expr *)ft->fn, types, n, at);
    default: /* a closure returned by a function: only its arity is known */
        if (ft->arity >= 0 && n != ft->arity && !(n == 1 && types[0]->kind == SP_T_TUPLE))
            sp_diag_error(c->d, at, NULL, "this function takes %d argument%s but is given %d", ft->arity,
                          plural(ft->arity), n);
        return &sp_type_any;
    }
}

static const sp_type *apply_lambda(checker *c, sp_expr *lam, const sp_type **types, int n, sp_loc at)
{
    for (const sp_name *x = lam->u.lambda.params; x; x = x->next)
        for (const sp_name *y = x->next; y; y = y->next)
            if (strcmp(x->name, y->name) == 0)
                sp_diag_error(c->d, y->loc, NULL, "parameter '%s' appears twice", y->name);
    int saved_n = c->nlocals;
    const sp_type *saved_it = c->it;
    const sp_type *r = &sp_type_any;
    c->it = NULL; /* inside x -> ..., fields are reached through x */
    int saved_in_lambda = c->in_lambda;
    c->in_lambda = 1;
    lam->u.lambda.first_slot = c->nlocals - c->frame_base;
    if (bind_params(c, lam->u.lambda.params, lam->u.lambda.nparams, types, n, at, "this function"))
        r = check_expr(c, lam->u.lambda.body);
    c->nlocals = saved_n;
    c->it = saved_it;
    c->in_lambda = saved_in_lambda;
    lam->type = sp_type_func(c->a, 2, lam, 0, lam->u.lambda.nparams);
    return r;
}

/* ----- names ----- */

/* Offers every name visible here to a suggestion. */
static void offer_scope(checker *c, sp_suggest *sg, int functions_only)
{
    for (int i = c->nlocals - 1; i >= c->frame_base; i--)
        sp_suggest_offer(sg, c->locals[i].name);
    if (!functions_only && c->it && c->it->kind == SP_T_RECORD)
        for (int i = 0; i < c->it->n; i++)
            sp_suggest_offer(sg, c->it->names[i]);
    for (int i = 0; i < c->ndefs; i++)
        if (c->defs[i]->kind == SP_S_FN || (!functions_only && c->defs[i]->kind == SP_S_PARAM))
            sp_suggest_offer(sg, c->defs[i]->name);
    for (int i = 0; i < SP_BUILTIN_COUNT_; i++)
        sp_suggest_offer(sg, sp_builtins[i].name);
}

static const sp_type *check_name(checker *c, sp_expr *e, int want_function)
{
    const char *name = e->u.name;
    const local *l = find_local(c, name);
    if (l) {
        e->resolution = SP_R_LOCAL;
        e->slot = l->slot;
        return l->type;
    }
    if (!want_function && c->it) {
        int idx = sp_type_field_index(c->it, name);
        if (idx >= 0) {
            e->resolution = SP_R_FIELD;
            e->slot = idx;
            const sp_type *t = c->it->elems[idx];
            return c->it->nullable ? sp_type_nullable(c->a, t) : t;
        }
    }
    sp_stmt *def = find_def(c, name);
    if (def && def->kind == SP_S_PARAM && !want_function) {
        def->used = 1;
        e->resolution = SP_R_PARAM;
        e->target = def;
        return def->type ? def->type : &sp_type_any;
    }
    if (def && def->kind == SP_S_FN) {
        def->used = 1;
        e->resolution = SP_R_FUNCTION;
        e->target = def;
        return sp_type_func(c->a, 0, def, 0, def->nparams);
    }
    int b = sp_builtin_lookup(name);
    if (b >= 0) {
        e->resolution = SP_R_BUILTIN;
        e->slot = b;
        return sp_type_func(c->a, 1, NULL, b, sp_builtins[b].max_args == sp_builtins[b].min_args ? sp_builtins[b].min_args : -1);
    }
    if (!want_function && c->it && c->it->kind == SP_T_ANY) {
        /* the element's type is not known: a field looked up when running */
        e->resolution = SP_R_FIELD;
        e->slot = -1;
        return &sp_type_any;
    }
    if (def && (def->kind == SP_S_SOURCE || def->kind == SP_S_PIPE)) {
        sp_diag_error(c->d, e->loc, "streams are read after '|' (stream | map ...) or named in join / union",
                      "'%s' is a stream, not a value", name);
        return &sp_type_any;
    }
    if (def && def->kind == SP_S_PARAM && want_function) {
        sp_diag_error(c->d, e->loc, NULL, "'%s' is a parameter, not a function", name);
        return &sp_type_any;
    }
    if (!first_miss(c, e))
        return &sp_type_any;
    sp_suggest sg;
    sp_suggest_init(&sg, name);
    offer_scope(c, &sg, want_function);
    const char *best = sp_suggest_result(&sg);
    char *hint = did_you_mean(c, best);
    if (!hint && c->it && c->it->kind == SP_T_RECORD && !want_function) {
        char *fields = sp_arena_strdup(c->a, "");
        for (int i = 0; i < c->it->n && i < 12; i++)
            fields = sp_arena_printf(c->a, "%s%s%s", fields, i ? ", " : "", c->it->names[i]);
        hint = sp_arena_printf(c->a, "the element's fields are: %s", fields);
    }
    if (want_function)
        sp_diag_error(c->d, e->loc, hint, "unknown function '%s'", name);
    else
        sp_diag_error(c->d, e->loc, hint, "unknown name '%s'", name);
    return &sp_type_any;
}

/* ----- expressions ----- */

static const sp_type *check_field(checker *c, sp_expr *e)
{
    const sp_type *t = check_expr(c, e->u.field.obj);
    const char *name = e->u.field.name;
    if (t->kind == SP_T_ANY || t->kind == SP_T_NULL)
        return &sp_type_any;
    if (t->kind == SP_T_RECORD || t->kind == SP_T_TUPLE) {
        int idx = sp_type_field_index(t, name);
        if (idx >= 0) {
            e->slot = idx;
            return t->nullable ? sp_type_nullable(c->a, t->elems[idx]) : t->elems[idx];
        }
        if (t->kind == SP_T_TUPLE) {
            sp_diag_error(c->d, e->u.field.name_loc,
                          sp_arena_printf(c->a, "the items of a %d-tuple are _1 to _%d", t->n, t->n),
                          "no item '%s' in a tuple of type %s", name, sp_type_name(c->a, t));
            return &sp_type_any;
        }
        if (!first_miss(c, e))
            return &sp_type_any;
        sp_suggest sg;
        sp_suggest_init(&sg, name);
        for (int i = 0; i < t->n; i++)
            sp_suggest_offer(&sg, t->names[i]);
        const char *tname = sp_type_name(c->a, t);
        if (strlen(tname) > 60)
            tname = "this record";
        sp_diag_error(c->d, e->u.field.name_loc, did_you_mean(c, sp_suggest_result(&sg)),
                      "no field '%s' in %s", name, tname);
        return &sp_type_any;
    }
    sp_diag_error(c->d, e->u.field.name_loc, NULL, "a value of type %s has no field '%s'",
                  sp_type_name(c->a, t), name);
    return &sp_type_any;
}

static const sp_type *check_call(checker *c, sp_expr *e)
{
    sp_expr *fn = e->u.call.fn;
    const sp_type *ft;
    if (fn->kind == SP_E_NAME)
        ft = check_name(c, fn, 1);
    else
        ft = check_expr(c, fn);
    fn->type = ft;
    const sp_type **types = sp_arena_alloc(c->a, sizeof *types * (size_t)(e->u.call.nargs + 1));
    int i = 0;
    for (sp_arg *a = e->u.call.args; a; a = a->next, i++) {
        if (a->name)
            sp_diag_error(c->d, a->name_loc, "pass the arguments in order",
                          "named arguments are only for sources and sinks");
        types[i] = check_expr(c, a->value);
    }
    if (ft->kind == SP_T_FUNC && ft->fn_kind == 1) {
        e->resolution = SP_R_BUILTIN;
        e->slot = ft->builtin;
        check_regex_arg(c, ft->builtin, e->u.call.args);
        check_access_format_arg(c, ft->builtin, e->u.call.args);
        if (ft->builtin == SP_BUILTIN_COALESCE && e->u.call.nargs >= 2) {
            /* the first non-null: null only if the last may be */
            const sp_type *t = &sp_type_null;
            for (int k = 0; k < e->u.call.nargs; k++)
                t = sp_type_join(c->a, t, types[k]);
            const sp_type *last = types[e->u.call.nargs - 1];
            if (t->nullable && !last->nullable && last->kind != SP_T_ANY) {
                sp_type *copy = sp_arena_alloc(c->a, sizeof *copy);
                *copy = *t;
                copy->nullable = 0;
                t = copy;
            }
            return t;
        }
        if (ft->builtin == SP_BUILTIN_FOLD && e->u.call.nargs == 3) {
            /* fold(list, start, f): f(accumulator, item) */
            const sp_type *f_args[2] = {types[1], types[0]->kind == SP_T_LIST ? types[0]->elem : &sp_type_any};
            if (types[0]->kind != SP_T_LIST && types[0]->kind != SP_T_ANY)
                sp_diag_error(c->d, e->u.call.args->value->loc, NULL, "fold needs a list, not %s",
                              sp_type_name(c->a, types[0]));
            const sp_type *r = apply_func(c, types[2], f_args, 2, e->u.call.args->next->next->value->loc);
            return sp_type_join(c->a, types[1], r);
        }
    }
    if (ft->kind == SP_T_FUNC && ft->fn_kind == 0 && ft->arity != e->u.call.nargs) {
        const sp_stmt *def = ft->fn;
        sp_diag_error(c->d, e->loc, NULL, "function '%s' takes %d argument%s but is given %d",
                      def->name, def->nparams, plural(def->nparams), e->u.call.nargs);
        return &sp_type_any;
    }
    return apply_func(c, ft, types, e->u.call.nargs, e->loc);
}

static int is_bool_like(const sp_type *t)
{
    return t->kind == SP_T_BOOL || t->kind == SP_T_ANY || t->kind == SP_T_NULL;
}

static const sp_type *check_binary(checker *c, sp_expr *e)
{
    const sp_type *l = check_expr(c, e->u.binary.l);
    const sp_type *r = check_expr(c, e->u.binary.r);
    sp_binop op = e->u.binary.op;
    const char *optext = sp_ast_binop_text(op);
    int any = l->kind == SP_T_ANY || r->kind == SP_T_ANY || l->kind == SP_T_NULL || r->kind == SP_T_NULL;
    switch (op) {
    case SP_AND:
    case SP_OR:
        if (!is_bool_like(l) || !is_bool_like(r)) {
            const sp_type *bad = is_bool_like(l) ? r : l;
            sp_diag_error(c->d, e->u.binary.op_loc, "compare first, as in: x > 0 and y != \"\"",
                          "'%s' needs true or false on both sides, not %s", optext, sp_type_name(c->a, bad));
        }
        return &sp_type_bool;
    case SP_EQ:
    case SP_NE:
        return &sp_type_bool;
    case SP_LT: case SP_LE: case SP_GT: case SP_GE:
        if (!any && !(sp_type_is_numeric(l) && sp_type_is_numeric(r)) && l->kind != r->kind)
            sp_diag_error(c->d, e->u.binary.op_loc, "convert one side, e.g. with to_int(...) or to_string(...)",
                          "cannot compare %s with %s", sp_type_name(c->a, l), sp_type_name(c->a, r));
        return &sp_type_bool;
    case SP_ADD:
        if (any)
            return l->kind == SP_T_STRING || r->kind == SP_T_STRING ? &sp_type_string : &sp_type_any;
        if (l->kind == SP_T_STRING && r->kind == SP_T_STRING)
            return &sp_type_string;
        if (l->kind == SP_T_DURATION && r->kind == SP_T_DURATION)
            return &sp_type_duration;
        if ((l->kind == SP_T_INT && r->kind == SP_T_DURATION) || (l->kind == SP_T_DURATION && r->kind == SP_T_INT))
            return &sp_type_int; /* a time (ms) moved by a duration */
        if (sp_type_is_numeric(l) && sp_type_is_numeric(r))
            return sp_type_join(c->a, l, r);
        if (l->kind == SP_T_LIST && r->kind == SP_T_LIST)
            return sp_type_join(c->a, l, r);
        sp_diag_error(c->d, e->u.binary.op_loc,
                      l->kind == SP_T_STRING || r->kind == SP_T_STRING
                          ? "convert the other side with to_string(...)" : NULL,
                      "cannot add %s and %s", sp_type_name(c->a, l), sp_type_name(c->a, r));
        return &sp_type_any;
    default:
        if (any)
            return &sp_type_any;
        if (sp_type_is_numeric(l) && sp_type_is_numeric(r)) {
            if (op == SP_DIV)
                return l->kind == SP_T_INT && r->kind == SP_T_INT ? &sp_type_int : &sp_type_float;
            return sp_type_join(c->a, l, r);
        }
        if (op == SP_SUB && l->kind == SP_T_INT && r->kind == SP_T_DURATION)
            return &sp_type_int; /* a time moved back by a duration */
        if (op == SP_MUL && l->kind == SP_T_INT && r->kind == SP_T_DURATION)
            return &sp_type_duration;
        if (l->kind == SP_T_DURATION && (r->kind == SP_T_INT || r->kind == SP_T_DURATION))
            return r->kind == SP_T_DURATION && op == SP_DIV ? &sp_type_int : &sp_type_duration;
        sp_diag_error(c->d, e->u.binary.op_loc,
                      l->kind == SP_T_STRING || r->kind == SP_T_STRING
                          ? "convert text to a number with to_int(...) or to_float(...)" : NULL,
                      "'%s' needs numbers, not %s and %s", optext, sp_type_name(c->a, l), sp_type_name(c->a, r));
        return &sp_type_any;
    }
}

static const sp_type *check_items(checker *c, sp_expr *e)
{
    int n = e->u.items.n;
    const sp_type **types = sp_arena_alloc(c->a, sizeof *types * (size_t)(n ? n : 1));
    const char **names = sp_arena_alloc(c->a, sizeof *names * (size_t)(n ? n : 1));
    int i = 0;
    for (sp_arg *a = e->u.items.items; a; a = a->next, i++) {
        types[i] = check_expr(c, a->value);
        names[i] = a->name;
        if (e->kind == SP_E_RECORD)
            for (int j = 0; j < i; j++)
                if (strcmp(names[j], a->name) == 0)
                    sp_diag_error(c->d, a->name_loc, NULL, "field '%s' appears twice in this record", a->name);
    }
    if (e->kind == SP_E_TUPLE)
        return sp_type_tuple(c->a, n, types);
    if (e->kind == SP_E_RECORD)
        return sp_type_record(c->a, n, names, types);
    const sp_type *elem = n ? types[0] : &sp_type_any;
    for (int j = 1; j < n; j++)
        elem = sp_type_join(c->a, elem, types[j]);
    return sp_type_list(c->a, elem);
}

static const sp_type *check_expr_inner(checker *c, sp_expr *e)
{
    switch (e->kind) {
    case SP_E_INT: return &sp_type_int;
    case SP_E_FLOAT: return &sp_type_float;
    case SP_E_STRING: return &sp_type_string;
    case SP_E_BOOL: return &sp_type_bool;
    case SP_E_NULL: return &sp_type_null;
    case SP_E_DURATION: return &sp_type_duration;
    case SP_E_NAME: return check_name(c, e, 0);
    case SP_E_IT:
        if (!c->it) {
            sp_diag_error(c->d, e->loc,
                          c->in_lambda ? "inside 'x -> ...' the element is the parameter x; use it instead"
                                       : "inside a function use its parameter instead",
                          "'it' is only defined in an operator's argument, where it is the current element");
            return &sp_type_any;
        }
        return c->it;
    case SP_E_FIELD: return check_field(c, e);
    case SP_E_INDEX: {
        const sp_type *t = check_expr(c, e->u.index.obj);
        const sp_type *i = check_expr(c, e->u.index.index);
        if (t->kind == SP_T_LIST || t->kind == SP_T_STRING) {
            if (i->kind != SP_T_INT && i->kind != SP_T_ANY)
                sp_diag_error(c->d, e->u.index.index->loc, NULL, "an index must be an integer, not %s",
                              sp_type_name(c->a, i));
            return t->kind == SP_T_LIST ? sp_type_nullable(c->a, t->elem) : sp_type_nullable(c->a, &sp_type_string);
        }
        if (t->kind == SP_T_ANY || t->kind == SP_T_RECORD)
            return &sp_type_any;
        sp_diag_error(c->d, e->u.index.obj->loc, NULL, "a value of type %s cannot be indexed",
                      sp_type_name(c->a, t));
        return &sp_type_any;
    }
    case SP_E_CALL: return check_call(c, e);
    case SP_E_UNARY: {
        const sp_type *t = check_expr(c, e->u.unary.e);
        if (e->u.unary.op == SP_NOT) {
            if (!is_bool_like(t))
                sp_diag_error(c->d, e->loc, NULL, "'not' needs true or false, not %s", sp_type_name(c->a, t));
            return &sp_type_bool;
        }
        if (!sp_type_is_numeric(t) && t->kind != SP_T_ANY && t->kind != SP_T_DURATION) {
            sp_diag_error(c->d, e->loc, NULL, "cannot negate %s", sp_type_name(c->a, t));
            return &sp_type_any;
        }
        return t;
    }
    case SP_E_BINARY: return check_binary(c, e);
    case SP_E_IF: {
        const sp_type *ct = check_expr(c, e->u.cond.c);
        if (!is_bool_like(ct))
            sp_diag_error(c->d, e->u.cond.c->loc, "compare it, as in: if x > 0 then ...",
                          "the condition of 'if' must be true or false, not %s", sp_type_name(c->a, ct));
        const sp_type *t = check_expr(c, e->u.cond.t);
        const sp_type *f = check_expr(c, e->u.cond.e);
        return sp_type_join(c->a, t, f);
    }
    case SP_E_LET: {
        const sp_type *vt = check_expr(c, e->u.let.value);
        int saved = c->nlocals;
        e->slot = push_local(c, e->u.let.name->name, vt, e->u.let.name->loc);
        const sp_type *t = check_expr(c, e->u.let.body);
        c->nlocals = saved;
        return t;
    }
    case SP_E_LAMBDA: {
        /* as a value: check the body for names with unknown argument types */
        const sp_type *anys[64];
        int n = e->u.lambda.nparams < 64 ? e->u.lambda.nparams : 64;
        for (int i = 0; i < n; i++)
            anys[i] = &sp_type_any;
        apply_lambda(c, e, anys, n, e->loc);
        return sp_type_func(c->a, 2, e, 0, e->u.lambda.nparams);
    }
    case SP_E_TUPLE:
    case SP_E_RECORD:
    case SP_E_LIST:
        return check_items(c, e);
    }
    return &sp_type_any;
}

static const sp_type *check_expr(checker *c, sp_expr *e)
{
    c->work++;
    if (++c->depth > MAX_EXPR_DEPTH) {
        if (c->depth == MAX_EXPR_DEPTH + 1)
            sp_diag_error(c->d, e->loc, "split it into functions", "expression is nested too deeply");
        c->depth--;
        e->type = &sp_type_any;
        return e->type;
    }
    const sp_type *t = check_expr_inner(c, e);
    c->depth--;
    e->type = t;
    return t;
}

/* ----- operator arguments ----- */

/* An argument given per element: an expression over the element's fields
 * (`it` is the element), or a function applied to the element. */
static const sp_type *check_elem_arg(checker *c, sp_expr *e, const sp_type *in)
{
    if (e->kind == SP_E_LAMBDA) {
        const sp_type *r = apply_lambda(c, e, &in, 1, e->loc);
        return r;
    }
    const sp_type *saved = c->it;
    c->it = in;
    const sp_type *t = check_expr(c, e);
    c->it = saved;
    if (t->kind == SP_T_FUNC)
        return apply_func(c, t, &in, 1, e->loc);
    return t;
}

/* An argument that must be a function of `n` values. */
static const sp_type *check_fn_arg(checker *c, sp_expr *e, const sp_type **types, int n, const char *opname)
{
    if (e->kind == SP_E_LAMBDA)
        return apply_lambda(c, e, types, n, e->loc);
    const sp_type *t;
    if (e->kind == SP_E_NAME)
        t = check_name(c, e, 1);
    else
        t = check_expr(c, e);
    e->type = t;
    if (t->kind == SP_T_FUNC)
        return apply_func(c, t, types, n, e->loc);
    if (t->kind != SP_T_ANY)
        sp_diag_error(c->d, e->loc, "for example: sum, or (a, b) -> a + b",
                      "'%s' needs a function of %d arguments here, not %s", opname, n, sp_type_name(c->a, t));
    return &sp_type_any;
}

static const sp_stmt *check_stream_ref(checker *c, sp_expr *e, const sp_type **type);
static const sp_type *check_pipe(checker *c, sp_stmt *s);

static int is_pair(const sp_type *t)
{
    return t->kind == SP_T_ANY || (t->kind == SP_T_TUPLE && t->n == 2);
}

static const sp_type *key_of(const sp_type *t)
{
    return t->kind == SP_T_TUPLE ? t->elems[0] : &sp_type_any;
}

static const sp_type *value_of(const sp_type *t)
{
    return t->kind == SP_T_TUPLE ? t->elems[1] : &sp_type_any;
}

/* A duration that may be 0, or -1 after reporting. */
static int64_t const_duration_or_zero(checker *c, const sp_expr *e, const char *what)
{
    int neg;
    const sp_expr *v = const_literal(c, e, &neg);
    if (v && v->kind == SP_E_INT && v->u.i == 0 && !neg)
        return 0;
    if (v && v->kind == SP_E_DURATION && v->u.i == 0)
        return 0;
    return const_duration(c, e, what);
}

/* Event-time options: `on TIME` gives each element's time; windows are
 * aligned on that time, not on batches. */
static void check_event_time(checker *c, sp_step *st, const sp_type *in, const sp_opt *const *opt_of)
{
    const sp_opt *on = opt_of[SP_OPT_ON];
    if (!on) {
        const sp_opt *o = opt_of[SP_OPT_WATERMARK] ? opt_of[SP_OPT_WATERMARK] : opt_of[SP_OPT_LATE];
        if (o)
            sp_diag_error(c->d, o->loc, "add the element's time: on time (milliseconds since the epoch)",
                          "'%s' is for event-time windows, which need 'on TIME'",
                          o->kind == SP_OPT_WATERMARK ? "watermark" : "late");
        return;
    }
    st->event_time = 1;
    const sp_type *t = check_elem_arg(c, on->value, in);
    if (t->kind != SP_T_INT && t->kind != SP_T_ANY && t->kind != SP_T_NULL)
        sp_diag_error(c->d, on->value->loc, "for example: on parse_time(stamp, \"%d/%b/%Y:%H:%M:%S %z\")",
                      "the event time must be an integer (milliseconds since the epoch), not %s",
                      sp_type_name(c->a, t));
    if (opt_of[SP_OPT_WATERMARK])
        st->lateness_ms = const_duration_or_zero(c, opt_of[SP_OPT_WATERMARK]->value, "the watermark");
    if (opt_of[SP_OPT_INVERSE])
        sp_diag_warning(c->d, opt_of[SP_OPT_INVERSE]->loc, "remove it",
                        "an event-time window is combined from its panes; 'inverse' is not used");
}

static void check_window(checker *c, sp_step *st, const sp_expr *length, const sp_opt *slide)
{
    st->length_ms = const_duration(c, length, "the window length");
    st->slide_ms = c->batch_ms;
    if (slide)
        st->slide_ms = const_duration(c, slide->value, "the slide interval");
    if (st->event_time) {
        /* aligned on event time: panes of one slide, so the length must be
         * a whole number of slides (the batch interval does not matter) */
        if (!slide && st->length_ms > 0) {
            sp_diag_error(c->d, length->loc, "for example: window 30s slide 10s on time",
                          "an event-time window needs its slide interval");
        } else if (st->length_ms > 0 && st->slide_ms > 0 && st->length_ms % st->slide_ms != 0) {
            sp_diag_error(c->d, length->loc, NULL,
                          "the window length %s is not a multiple of the slide interval %s",
                          fmt_duration(c, st->length_ms), fmt_duration(c, st->slide_ms));
        }
        return;
    }
    struct { int64_t ms; const sp_expr *e; const char *what; } d[2] = {
        {st->length_ms, length, "window length"},
        {st->slide_ms, slide ? slide->value : NULL, "slide interval"}};
    for (int i = 0; i < 2; i++) {
        if (d[i].ms <= 0 || !d[i].e || d[i].ms % c->batch_ms == 0)
            continue;
        /* the multiples either side; the one above may not fit in 64 bits */
        int64_t lo = d[i].ms / c->batch_ms * c->batch_ms;
        int64_t hi = lo <= INT64_MAX - c->batch_ms ? lo + c->batch_ms : 0;
        char *hint = lo > 0 && hi > 0
                         ? sp_arena_printf(c->a, "use %s or %s, or change the batch interval",
                                           fmt_duration(c, lo), fmt_duration(c, hi))
                         : sp_arena_printf(c->a, "use %s, or change the batch interval",
                                           fmt_duration(c, lo > 0 ? lo : hi));
        sp_diag_error(c->d, d[i].e->loc, hint, "%s %s is not a multiple of the batch interval %s",
                      d[i].what, fmt_duration(c, d[i].ms), fmt_duration(c, c->batch_ms));
    }
}

static const sp_type *check_op(checker *c, sp_step *st, const sp_type *in)
{
    const sp_op_info *op = &sp_ops[st->op];
    int min = sp_op_min_args(op), max = sp_op_max_args(op);
    char *usage = sp_arena_printf(c->a, "write: %s", op->usage);
    if (st->nargs < min) {
        sp_diag_error(c->d, st->name_loc, usage, "'%s' needs %d argument%s but is given %d",
                      op->name, min, plural(min), st->nargs);
        return &sp_type_any;
    }
    if (st->nargs > max) {
        sp_arg *extra = st->args;
        for (int i = 0; i < max; i++)
            extra = extra->next;
        if (max == 0)
            sp_diag_error(c->d, extra->value->loc, usage, "'%s' takes no arguments", op->name);
        else
            sp_diag_error(c->d, extra->value->loc, usage, "'%s' takes %d argument%s but is given %d",
                          op->name, max, plural(max), st->nargs);
        return &sp_type_any;
    }
    const sp_opt *opt_of[16] = {0};
    for (const sp_opt *o = st->opts; o; o = o->next) {
        int bit = 1 << o->kind;
        if (!(op->options & bit)) {
            sp_diag_error(c->d, o->loc, usage, "'%s' has no '%s' option", op->name, sp_opt_name(bit));
            continue;
        }
        if (opt_of[o->kind]) {
            sp_diag_error(c->d, o->loc, NULL, "'%s' is given twice", sp_opt_name(bit));
            continue;
        }
        opt_of[o->kind] = o;
    }
    sp_expr *a1 = st->args ? st->args->value : NULL;
    sp_expr *a2 = st->args && st->args->next ? st->args->next->value : NULL;
    if (op->options & SP_OPTBIT_ON)
        check_event_time(c, st, in, opt_of);

    const int keyed = st->op == SP_OP_REDUCE_BY_KEY || st->op == SP_OP_GROUP_BY_KEY ||
                      st->op == SP_OP_SORT_BY_KEY || st->op == SP_OP_JOIN ||
                      st->op == SP_OP_LEFT_OUTER_JOIN || st->op == SP_OP_REDUCE_BY_KEY_AND_WINDOW ||
                      st->op == SP_OP_UPDATE_STATE_BY_KEY;
    if (keyed && !is_pair(in)) {
        sp_diag_error(c->d, st->name_loc, "make pairs first, for example: | map (key, 1)",
                      "'%s' needs (key, value) pairs, but the stream carries %s", op->name,
                      sp_type_name(c->a, in));
        return &sp_type_any;
    }
    const sp_type *pair2[2];
    switch ((sp_op_id)st->op) {
    case SP_OP_MAP:
        return check_elem_arg(c, a1, in);
    case SP_OP_FLATMAP: {
        const sp_type *t = check_elem_arg(c, a1, in);
        if (t->kind == SP_T_LIST)
            return t->elem;
        if (t->kind != SP_T_ANY)
            sp_diag_error(c->d, a1->loc, "return a list, for example: split(it, \" \")",
                          "'flatMap' needs a list for each element, not %s", sp_type_name(c->a, t));
        return &sp_type_any;
    }
    case SP_OP_FILTER: {
        const sp_type *t = check_elem_arg(c, a1, in);
        if (!is_bool_like(t))
            sp_diag_error(c->d, a1->loc, "compare it, for example: filter status >= 500",
                          "'filter' needs true or false for each element, not %s", sp_type_name(c->a, t));
        return in;
    }
    case SP_OP_COUNT:
        return &sp_type_int;
    case SP_OP_REDUCE:
        pair2[0] = pair2[1] = in;
        check_fn_arg(c, a1, pair2, 2, op->name);
        return in;
    case SP_OP_COUNT_BY_VALUE:
        return sp_type_pair(c->a, in, &sp_type_int);
    case SP_OP_REDUCE_BY_KEY:
        pair2[0] = pair2[1] = value_of(in);
        return sp_type_pair(c->a, key_of(in), sp_type_join(c->a, value_of(in), check_fn_arg(c, a1, pair2, 2, op->name)));
    case SP_OP_GROUP_BY_KEY:
        return sp_type_pair(c->a, key_of(in), sp_type_list(c->a, value_of(in)));
    case SP_OP_SORT_BY_KEY:
        return in;
    case SP_OP_JOIN:
    case SP_OP_LEFT_OUTER_JOIN:
    case SP_OP_UNION: {
        const sp_type *other = &sp_type_any;
        st->other = check_stream_ref(c, a1, &other);
        if (st->op == SP_OP_UNION)
            return sp_type_join(c->a, in, other);
        if (!is_pair(other)) {
            sp_diag_error(c->d, a1->loc, "make pairs first, for example: | map (key, value)",
                          "'%s' needs (key, value) pairs on both sides, but '%s' carries %s", op->name,
                          a1->u.name, sp_type_name(c->a, other));
            return &sp_type_any;
        }
        const sp_type *w = value_of(other);
        if (st->op == SP_OP_LEFT_OUTER_JOIN)
            w = sp_type_nullable(c->a, w);
        return sp_type_pair(c->a, key_of(in), sp_type_pair(c->a, value_of(in), w));
    }
    case SP_OP_WINDOW:
        check_window(c, st, a1, opt_of[SP_OPT_SLIDE]);
        return in;
    case SP_OP_COUNT_BY_WINDOW:
        check_window(c, st, a1, opt_of[SP_OPT_SLIDE]);
        return &sp_type_int;
    case SP_OP_COUNT_BY_VALUE_AND_WINDOW:
        check_window(c, st, a1, opt_of[SP_OPT_SLIDE]);
        return sp_type_pair(c->a, in, &sp_type_int);
    case SP_OP_REDUCE_BY_WINDOW:
    case SP_OP_REDUCE_BY_KEY_AND_WINDOW: {
        const sp_type *v = st->op == SP_OP_REDUCE_BY_WINDOW ? in : value_of(in);
        pair2[0] = pair2[1] = v;
        const sp_type *r = check_fn_arg(c, a1, pair2, 2, op->name);
        if (opt_of[SP_OPT_INVERSE])
            check_fn_arg(c, opt_of[SP_OPT_INVERSE]->value, pair2, 2, "inverse");
        check_window(c, st, a2, opt_of[SP_OPT_SLIDE]);
        v = sp_type_join(c->a, v, r);
        return st->op == SP_OP_REDUCE_BY_WINDOW ? v : sp_type_pair(c->a, key_of(in), v);
    }
    case SP_OP_UPDATE_STATE_BY_KEY: {
        pair2[0] = sp_type_list(c->a, value_of(in));
        pair2[1] = &sp_type_any; /* the previous state, null for a new key */
        const sp_type *s = check_fn_arg(c, a1, pair2, 2, op->name);
        if (s->kind == SP_T_NULL)
            s = &sp_type_any;
        return sp_type_pair(c->a, key_of(in), s);
    }
    case SP_OP_TOP:
        st->n = const_count(c, a1, "the N of 'top'");
        if (opt_of[SP_OPT_BY]) {
            const sp_type *k = check_elem_arg(c, opt_of[SP_OPT_BY]->value, in);
            if (k->kind == SP_T_LIST || k->kind == SP_T_RECORD || k->kind == SP_T_FUNC)
                sp_diag_error(c->d, opt_of[SP_OPT_BY]->value->loc, NULL,
                              "'top' needs a number or string to order by, not %s", sp_type_name(c->a, k));
        }
        return in;
    case SP_OP_TAKE:
        st->n = const_count(c, a1, "the N of 'take'");
        return in;
    case SP_OP_COUNT_:
        break;
    }
    return &sp_type_any;
}

/* ----- sources and sinks ----- */

/* Checks arguments against an sp_io_info parameter spec. */
static void check_io_args(checker *c, const sp_io_info *io, const char *what, sp_loc at, sp_arg *args)
{
    struct { char name[32]; char type; int optional; const sp_arg *given; } p[16];
    int np = 0;
    const char *s = io->params;
    while (*s && np < 16) {
        p[np].optional = *s == '?';
        if (*s == '?')
            s++;
        size_t n = strcspn(s, ":");
        snprintf(p[np].name, sizeof p[np].name, "%.*s", (int)n, s);
        s += n + (s[n] ? 1 : 0);
        p[np].type = *s;
        if (*s)
            s++;
        if (*s == ',')
            s++;
        p[np].given = NULL;
        np++;
    }
    int pos = 0;
    for (sp_arg *a = args; a; a = a->next) {
        int k = -1;
        if (a->name) {
            for (int i = 0; i < np; i++)
                if (strcmp(p[i].name, a->name) == 0)
                    k = i;
            if (k < 0) {
                sp_suggest sg;
                sp_suggest_init(&sg, a->name);
                for (int i = 0; i < np; i++)
                    sp_suggest_offer(&sg, p[i].name);
                const char *best = sp_suggest_result(&sg);
                char *list = sp_arena_strdup(c->a, "");
                for (int i = 0; i < np; i++)
                    list = sp_arena_printf(c->a, "%s%s%s", list, i ? ", " : "", p[i].name);
                sp_diag_error(c->d, a->name_loc,
                              best ? did_you_mean(c, best)
                                   : np ? sp_arena_printf(c->a, "it takes: %s", list) : NULL,
                              "%s '%s' has no option '%s'", what, io->name, a->name);
                continue;
            }
        } else {
            while (pos < np && p[pos].given)
                pos++;
            if (pos >= np) {
                if (np == 0)
                    sp_diag_error(c->d, a->value->loc, NULL, "%s '%s' takes no arguments", what, io->name);
                else
                    sp_diag_error(c->d, a->value->loc, NULL, "%s '%s' takes at most %d argument%s", what,
                                  io->name, np, plural(np));
                continue;
            }
            k = pos;
        }
        if (p[k].given) {
            sp_diag_error(c->d, a->name ? a->name_loc : a->value->loc, NULL, "'%s' is given twice", p[k].name);
            continue;
        }
        p[k].given = a;
        int neg;
        const sp_expr *v = const_literal(c, a->value, &neg);
        check_expr(c, a->value);
        sp_expr_kind want = p[k].type == 's' ? SP_E_STRING : p[k].type == 'i' ? SP_E_INT
                          : p[k].type == 'b' ? SP_E_BOOL : SP_E_DURATION;
        if (!v) {
            sp_diag_error(c->d, a->value->loc, "use a literal or a parameter (param NAME = ...)",
                          "'%s' must be a constant", p[k].name);
        } else if (v->kind != want) {
            sp_diag_error(c->d, a->value->loc, NULL, "'%s' must be %s, not %s", p[k].name,
                          literal_kind_name(want), literal_kind_name(v->kind));
        }
    }
    for (int i = 0; i < np; i++)
        if (!p[i].optional && !p[i].given)
            sp_diag_error(c->d, at, sp_arena_printf(c->a, "for example: %s(\"...\")", io->name),
                          "%s '%s' needs its '%s' argument", what, io->name, p[i].name);
}

/* The argument given for parameter `name` of a source or sink, by name or
 * by position (the spec's order), or NULL. */
static const sp_arg *io_arg_for(const sp_io_info *io, const sp_arg *args, const char *name)
{
    int index = -1, i = 0;
    for (const char *s = io->params; *s; i++) {
        if (*s == '?')
            s++;
        size_t n = strcspn(s, ":");
        if (strlen(name) == n && strncmp(s, name, n) == 0)
            index = i;
        s += strcspn(s, ",");
        if (*s == ',')
            s++;
    }
    int pos = 0;
    for (const sp_arg *a = args; a; a = a->next) {
        if (a->name ? strcmp(a->name, name) == 0 : pos == index)
            return a;
        if (!a->name)
            pos++;
    }
    return NULL;
}

/* A constant string argument that must be one of two words. */
static void check_choice(checker *c, const sp_io_info *io, const sp_arg *args, const char *name,
                         const char *one, const char *other, const char *what)
{
    const sp_arg *a = io_arg_for(io, args, name);
    int neg;
    const sp_expr *v = a ? const_literal(c, a->value, &neg) : NULL;
    if (v && v->kind == SP_E_STRING && strcmp(v->u.str.s, one) != 0 && strcmp(v->u.str.s, other) != 0)
        sp_diag_error(c->d, a->value->loc, sp_arena_printf(c->a, "write \"%s\" or \"%s\"", one, other),
                      "unknown %s '%s'", what, v->u.str.s);
}

/* input(URI): a URI with a scheme must name a known one; anything else is
 * a file path. */
static void check_input_uri(checker *c, const sp_expr *e)
{
    static const char *const schemes[] = {"file", "stdin", "tcp", "gen", "kafka"};
    int neg;
    const sp_expr *v = const_literal(c, e, &neg);
    if (!v || v->kind != SP_E_STRING)
        return;
    const char *uri = v->u.str.s;
    size_t n = 0;
    while ((uri[n] >= 'a' && uri[n] <= 'z') || (uri[n] >= 'A' && uri[n] <= 'Z') ||
           (n > 0 && ((uri[n] >= '0' && uri[n] <= '9') || uri[n] == '+' || uri[n] == '-' || uri[n] == '.')))
        n++;
    if (n < 2 || uri[n] != ':')
        return; /* a path, "-" or "demo" */
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strlen(schemes[i]) == n && strncmp(schemes[i], uri, n) == 0)
            return;
    char *scheme = sp_arena_strndup(c->a, uri, n);
    const sp_stmt *param = e->kind == SP_E_NAME ? find_def(c, e->u.name) : NULL;
    const char *via = "";
    if (param && param->kind == SP_S_PARAM && param->param_override) {
        /* the value came from the command line: say so, and it is a usage error */
        via = sp_arena_printf(c->a, "-p %s=%s: ", param->name, param->param_override);
        c->usage_errors++;
    }
    sp_suggest sg;
    sp_suggest_init(&sg, scheme);
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        sp_suggest_offer(&sg, schemes[i]);
    const char *best = sp_suggest_result(&sg);
    sp_diag_error(c->d, v->loc,
                  best ? did_you_mean(c, best)
                       : "inputs are a path, '-', file:PATH, stdin:, tcp://HOST:PORT, gen:?rate=N or kafka://BROKERS/TOPIC",
                  "%sunknown input scheme '%s:'", via, scheme);
}

static void check_source(checker *c, sp_stmt *s)
{
    int k = sp_source_lookup(s->kind_name);
    if (k < 0) {
        sp_suggest sg;
        sp_suggest_init(&sg, s->kind_name);
        char *list = sp_arena_strdup(c->a, "");
        for (int i = 0; i < SP_SOURCE_COUNT_; i++) {
            sp_suggest_offer(&sg, sp_sources[i].name);
            list = sp_arena_printf(c->a, "%s%s%s", list, i ? ", " : "", sp_sources[i].name);
        }
        const char *best = sp_suggest_result(&sg);
        sp_diag_error(c->d, s->kind_loc,
                      best ? did_you_mean(c, best) : sp_arena_printf(c->a, "sources are: %s", list),
                      "unknown source '%s'", s->kind_name);
        s->type = &sp_type_string;
        return;
    }
    check_io_args(c, &sp_sources[k], "source", s->kind_loc, s->args);
    if (k == SP_SOURCE_GENERATOR)
        check_choice(c, &sp_sources[k], s->args, "format", "combined", "common", "log format");
    if (k == SP_SOURCE_INPUT && s->args)
        check_input_uri(c, s->args->value);
    s->type = &sp_type_string;
}

static void check_sink(checker *c, sp_step *st)
{
    int k = sp_sink_lookup(st->name);
    if (k < 0) {
        sp_suggest sg;
        sp_suggest_init(&sg, st->name);
        char *list = sp_arena_strdup(c->a, "");
        for (int i = 0; i < SP_SINK_COUNT_; i++) {
            sp_suggest_offer(&sg, sp_sinks[i].name);
            list = sp_arena_printf(c->a, "%s%s%s", list, i ? ", " : "", sp_sinks[i].name);
        }
        const char *best = sp_suggest_result(&sg);
        sp_diag_error(c->d, st->name_loc,
                      best ? did_you_mean(c, best) : sp_arena_printf(c->a, "sinks are: %s", list),
                      "unknown sink '%s'", st->name);
        return;
    }
    st->op = k;
    check_io_args(c, &sp_sinks[k], "sink", st->name_loc, st->args);
    check_choice(c, &sp_sinks[k], st->args, "format", "text", "json", "output format");
}

/* ----- pipelines ----- */

static void unknown_stream(checker *c, const char *name, sp_loc loc)
{
    sp_stmt *def = find_def(c, name);
    if (def) {
        sp_diag_error(c->d, loc, "a pipeline starts from a source or a named stream",
                      "'%s' is a %s, not a stream", name, def_kind_name(def));
        return;
    }
    sp_suggest sg;
    sp_suggest_init(&sg, name);
    const char *best = suggest_def(c, name, (1u << SP_S_SOURCE) | (1u << SP_S_PIPE), &sg);
    sp_diag_error(c->d, loc,
                  best ? did_you_mean(c, best)
                       : "declare it first: source NAME = file(\"...\"), or NAME = stream | ...",
                  "unknown stream '%s'", name);
}

/* The stream `name` refers to; sets *type to its element type. */
static const sp_stmt *resolve_stream(checker *c, const char *name, sp_loc loc, const sp_type **type)
{
    sp_stmt *def = find_def(c, name);
    *type = &sp_type_any;
    if (!def || (def->kind != SP_S_SOURCE && def->kind != SP_S_PIPE)) {
        unknown_stream(c, name, loc);
        return NULL;
    }
    def->used = 1;
    if (def->kind == SP_S_SOURCE) {
        *type = def->type ? def->type : &sp_type_string;
        return def;
    }
    if (def->late_parent) { /* the late elements of a window: its input type */
        if (def->late_parent->checking) {
            sp_diag_error(c->d, loc, "a stream cannot be computed from itself; break the cycle",
                          "stream '%s' depends on itself", name);
            return def;
        }
        check_pipe(c, (sp_stmt *)def->late_parent);
        *type = def->late_step->in_type ? def->late_step->in_type : &sp_type_any;
        return def;
    }
    if (def->checking) {
        sp_diag_error(c->d, loc, "a stream cannot be computed from itself; break the cycle",
                      "stream '%s' depends on itself", name);
        return def;
    }
    *type = check_pipe(c, def);
    return def;
}

static const sp_stmt *check_stream_ref(checker *c, sp_expr *e, const sp_type **type)
{
    *type = &sp_type_any;
    if (e->kind != SP_E_NAME) {
        sp_diag_error(c->d, e->loc, "name the other stream first: other = source | ...",
                      "expected the name of a stream");
        return NULL;
    }
    e->resolution = SP_R_STREAM;
    const sp_stmt *s = resolve_stream(c, e->u.name, e->loc, type);
    e->target = s;
    return s;
}

static const sp_type *check_pipe(checker *c, sp_stmt *s)
{
    if (s->checked)
        return s->type;
    if (s->checking)
        return &sp_type_any;
    s->checking = 1;
    const sp_type *t;
    resolve_stream(c, s->head, s->head_loc, &t);
    for (sp_step *st = s->steps; st; st = st->next) {
        st->in_type = t;
        if (st->is_sink) {
            check_sink(c, st);
            if (st->next)
                sp_diag_error(c->d, st->next->name_loc,
                              "to send a stream to two places, name it and write two pipelines",
                              "a sink must be the last step of a pipeline");
            else if (s->name)
                sp_diag_error(c->d, st->loc,
                              sp_arena_printf(c->a, "write '%s = ...' without the sink, then '%s | sink ...'",
                                              s->name, s->name),
                              "a named stream cannot end in a sink");
            st->out_type = t;
            continue;
        }
        st->op = sp_op_lookup(st->name);
        if (st->op < 0) {
            const char *hint = NULL;
            if (sp_sink_lookup(st->name) >= 0)
                hint = sp_arena_printf(c->a, "to write to %s, write: sink %s", st->name, st->name);
            else {
                sp_suggest sg;
                sp_suggest_init(&sg, st->name);
                for (int i = 0; i < SP_OP_COUNT_; i++)
                    sp_suggest_offer(&sg, sp_ops[i].name);
                hint = did_you_mean(c, sp_suggest_result(&sg));
            }
            sp_diag_error(c->d, st->name_loc, hint, "unknown operator '%s'", st->name);
            t = &sp_type_any;
            st->out_type = t;
            continue;
        }
        int saved_base = c->frame_base, saved_max = c->frame_max;
        c->frame_base = c->nlocals;
        c->frame_max = 0;
        t = check_op(c, st, t);
        st->nlocals = c->frame_max;
        c->frame_base = saved_base;
        c->frame_max = saved_max;
        st->out_type = t;
    }
    s->type = t;
    s->checking = 0;
    s->checked = 1;
    return t;
}

/* ----- parameters ----- */

static void apply_override(checker *c, sp_stmt *s, const char *text, const char *origin)
{
    int neg;
    const sp_expr *def = const_literal(c, s->value, &neg);
    sp_expr_kind kind = def ? def->kind : SP_E_STRING;
    sp_expr *v = sp_ast_expr(c->a, kind, s->value->loc);
    char *end = NULL;
    const char *want = NULL;
    errno = 0;
    switch (kind) {
    case SP_E_INT: {
        long long x = strtoll(text, &end, 10);
        if (!*text || *end || errno)
            want = "an integer";
        v->u.i = x;
        break;
    }
    case SP_E_FLOAT: {
        double x = strtod(text, &end);
        if (!*text || *end || errno)
            want = "a number";
        v->u.f = x;
        break;
    }
    case SP_E_BOOL:
        if (strcmp(text, "true") == 0)
            v->u.b = 1;
        else if (strcmp(text, "false") == 0)
            v->u.b = 0;
        else
            want = "true or false";
        break;
    case SP_E_DURATION: {
        unsigned long long x = strtoull(text, &end, 10);
        static const struct { const char *u; int64_t ms; } units[] = {
            {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
        int64_t scale = 0;
        if (end != text && !errno)
            for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
                if (strcmp(end, units[i].u) == 0)
                    scale = units[i].ms;
        if (!scale || x == 0 || x > (unsigned long long)(INT64_MAX / scale))
            want = "a duration such as 500ms, 10s or 5m";
        else
            v->u.i = (int64_t)x * scale;
        break;
    }
    default:
        v->kind = SP_E_STRING;
        v->u.str.s = sp_arena_strdup(c->a, text);
        v->u.str.len = strlen(text);
        break;
    }
    if (want) {
        sp_diag_error(c->d, s->value->loc, sp_arena_printf(c->a, "the default here is %s", literal_kind_name(kind)),
                      "%s: the value must be %s",
                      origin ? origin : sp_arena_printf(c->a, "-p %s=%s", s->name, text), want);
        c->usage_errors++;
        return;
    }
    s->value = v;
    s->param_override = text;
}

static void check_param(checker *c, sp_stmt *s)
{
    int neg;
    const sp_expr *v = const_literal(c, s->value, &neg);
    if (!v || s->value->kind == SP_E_NAME) {
        sp_diag_error(c->d, s->value->loc, "write a literal: a number, string, duration, true or false",
                      "the default of parameter '%s' must be a constant", s->name);
        s->type = &sp_type_any;
        return;
    }
    if (neg && v->kind != SP_E_INT && v->kind != SP_E_FLOAT && v->kind != SP_E_DURATION) {
        sp_diag_error(c->d, s->value->loc, NULL, "cannot negate %s", literal_kind_name(v->kind));
    }
    s->type = check_expr(c, s->value);
}

/* ----- the program ----- */

sp_check_status sp_check(sp_program *p, sp_diag *d, sp_arena *a,
                         const sp_param_override *overrides, int noverrides, int64_t *batch_ms)
{
    checker ck;
    memset(&ck, 0, sizeof ck);
    checker *c = &ck;
    c->d = d;
    c->a = a;
    c->p = p;
    c->batch_ms = SP_DEFAULT_BATCH_MS;
    int errors_before = sp_diag_errors(d);

    /* 1. definitions */
    for (sp_stmt *s = p->library; s; s = s->next)
        add_def(c, s);
    sp_stmt *batch = NULL;
    for (sp_stmt *s = p->stmts; s; s = s->next) {
        if (s->kind == SP_S_BATCH) {
            if (batch) {
                char where[512];
                sp_diag_format_loc(d, batch->loc, where, sizeof where);
                sp_diag_error(d, s->loc, sp_arena_printf(a, "the batch interval is already set at %s", where),
                              "only one 'batch' statement is allowed");
            } else
                batch = s;
        } else if (s->name && s->kind != SP_S_USE)
            add_def(c, s);
        /* `late NAME` on a window defines the stream NAME */
        for (sp_step *st = s->kind == SP_S_PIPE ? s->steps : NULL; st; st = st->next) {
            for (sp_opt *o = st->opts; o; o = o->next) {
                if (o->kind != SP_OPT_LATE)
                    continue;
                sp_stmt *late = sp_ast_stmt(a, SP_S_PIPE, o->value->loc);
                late->name = o->value->u.name;
                late->name_loc = o->value->loc;
                late->late_parent = s;
                late->late_step = st;
                late->checked = 1;
                late->next = p->late_streams;
                p->late_streams = late;
                add_def(c, late);
            }
        }
    }

    /* 2. -p overrides */
    for (int i = 0; i < noverrides; i++) {
        sp_stmt *s = find_def(c, overrides[i].name);
        if ((!s || s->kind != SP_S_PARAM) && overrides[i].optional)
            continue; /* a shared configuration may set parameters of other pipelines */
        if (!s || s->kind != SP_S_PARAM) {
            sp_suggest sg;
            sp_suggest_init(&sg, overrides[i].name);
            const char *best = suggest_def(c, overrides[i].name, 1u << SP_S_PARAM, &sg);
            sp_loc none = {-1, 0, 0};
            char *list = sp_arena_strdup(a, "");
            int n = 0;
            for (int j = 0; j < c->ndefs; j++)
                if (c->defs[j]->kind == SP_S_PARAM)
                    list = sp_arena_printf(a, "%s%s%s", list, n++ ? ", " : "", c->defs[j]->name);
            sp_diag_error(d, none,
                          best ? did_you_mean(c, best)
                               : n ? sp_arena_printf(a, "its parameters are: %s", list)
                                   : "it declares no parameters",
                          "-p %s: %s has no parameter '%s'", overrides[i].name, p->name, overrides[i].name);
            c->usage_errors++;
            continue;
        }
        apply_override(c, s, overrides[i].value, overrides[i].origin);
    }

    /* 3. parameters and the batch interval */
    for (int i = 0; i < c->ndefs; i++)
        if (c->defs[i]->kind == SP_S_PARAM)
            check_param(c, c->defs[i]);
    if (batch) {
        int64_t ms = const_duration(c, batch->value, "the batch interval");
        if (ms > 0) {
            c->batch_ms = ms;
            c->have_batch = 1;
        }
    }

    /* 4. function bodies, once each with unknown argument types */
    for (int i = 0; i < c->ndefs; i++) {
        sp_stmt *s = c->defs[i];
        if (s->kind != SP_S_FN)
            continue;
        for (sp_name *x = s->params; x; x = x->next)
            for (sp_name *y = x->next; y; y = y->next)
                if (strcmp(x->name, y->name) == 0)
                    sp_diag_error(d, y->loc, NULL, "parameter '%s' appears twice", y->name);
        const sp_type *anys[64];
        int n = s->nparams < 64 ? s->nparams : 64;
        for (int j = 0; j < n; j++)
            anys[j] = &sp_type_any;
        instantiate(c, s, anys, n, s->name_loc);
    }

    /* 5. sources and pipelines */
    int nsources = 0, nsinks = 0;
    for (sp_stmt *s = p->stmts; s; s = s->next) {
        if (s->kind == SP_S_SOURCE) {
            check_source(c, s);
            nsources++;
        }
    }
    for (sp_stmt *s = p->stmts; s; s = s->next) {
        if (s->kind != SP_S_PIPE)
            continue;
        check_pipe(c, s);
        int has_sink = 0;
        for (const sp_step *st = s->steps; st; st = st->next)
            has_sink |= st->is_sink;
        if (has_sink) {
            nsinks++;
            s->used = 1; /* its sink is its use, even where misplaced */
        } else if (!s->name)
            sp_diag_error(d, s->loc, "end it with a sink, for example: | sink stdout",
                          "this pipeline has no sink, so its results would be lost");
    }

    /* 6. the graph (after a syntax error, statements are missing: then
     * "unused" and "no sink" would be false alarms) */
    int parse_clean = errors_before == 0;
    for (sp_stmt *s = p->stmts; parse_clean && s; s = s->next) {
        if (s->kind == SP_S_PIPE && s->name && !s->used)
            sp_diag_warning(d, s->name_loc,
                            sp_arena_printf(a, "send it somewhere: %s | sink stdout", s->name),
                            "stream '%s' is never used and reaches no sink", s->name);
        if (s->kind == SP_S_SOURCE && !s->used)
            sp_diag_warning(d, s->name_loc, NULL, "source '%s' is never read", s->name);
    }
    for (sp_stmt *s = p->late_streams; parse_clean && s; s = s->next)
        if (!s->used)
            sp_diag_warning(d, s->name_loc, sp_arena_printf(a, "send them somewhere: %s | sink stdout", s->name),
                            "the late elements '%s' are never used", s->name);
    if (parse_clean && sp_diag_errors(d) == errors_before) {
        sp_loc top = {p->main_file, 0, 0};
        if (nsources == 0)
            sp_diag_error(d, top, "declare one, for example: source lines = file(\"access.log\")",
                          "the pipeline has no source");
        if (nsinks == 0)
            sp_diag_error(d, top, "end a pipeline with a sink, for example: lines | sink stdout",
                          "the pipeline has no sink");
    }

    free(c->defs);
    free(c->misses);
    if (batch_ms)
        *batch_ms = c->batch_ms;
    if (c->usage_errors)
        return SP_CHECK_BAD_USAGE;
    return sp_diag_errors(d) > errors_before ? SP_CHECK_INVALID : SP_CHECK_OK;
}
