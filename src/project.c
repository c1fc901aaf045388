/* project.c - projection: which fields of the access-log records a checked
 * program reads (project.h).
 *
 * Access-log records (A below: a record type with exactly the fields of
 * sp_weblog_shape(), in order) are made only by scan_access_log calls,
 * whose type is always A.  The checker gives every expression a static
 * type, so A's values can be followed: an expression whose type holds A
 * (A itself, a tuple or list with A inside, maybe null) hands its value to
 * its parent, and the parent either
 *   - reads a field by name (`r.host`, or `host` when the element `it` is
 *     an A): that field is needed;
 *   - compares it with null (`r != null`): nothing is needed;
 *   - passes it on (a tuple, list or record item, a branch of `if`, the
 *     value or body of `let`): its own type must then hold A too, and its
 *     own parent is looked at in turn;
 *   - is a map or flatMap step (the value becomes the stream's element):
 *     the steps that read the stream are looked at, and each must be a map,
 *     filter or flatMap (any other operator or a sink takes the element
 *     whole);
 *   - or does anything else with it (a call's argument, an operator, ...):
 *     the record may be read whole.
 * Function and lambda bodies are checked again for every call, so their
 * types are those of the last one: inside them A may only be a body that
 * is a scan_access_log call (`fn parse_access_log(line) =
 * scan_access_log(line, "any")`), and a function made of such a call is
 * only called, never used as a value, except as a map's whole argument
 * (`map parse_access_log`).  Anything else counts as reading whole. */
#include "project.h"

#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "ops.h"
#include "types.h"
#include "weblog.h"

typedef struct proj {
    const sp_shape *shape; /* sp_weblog_shape() */
    uint32_t used;         /* fields read by name */
    int whole;             /* a record may be read whole */
    /* the functions the pipelines can reach (called or named), each walked
     * once: fns[0..walked) done, the rest to do; owned */
    const sp_stmt **fns;
    int nfns, capfns, walked;
} proj;

/* Where an expression's value goes. */
typedef enum use {
    USE_OTHER,    /* anything the analysis does not follow */
    USE_FIELD,    /* the object of a field read */
    USE_NULL_CMP, /* compared with null */
    USE_PASS,     /* an item, a branch, a let's value or body: the parent holds it */
    USE_STREAM    /* a map's or flatMap's result: the stream's element */
} use;

/* Is t the access-log record (null or not)? */
static int is_access(const proj *pr, const sp_type *t)
{
    if (!t || t->kind != SP_T_RECORD || t->n != pr->shape->n)
        return 0;
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->names[i], pr->shape->names[i]) != 0)
            return 0;
    return 1;
}

/* Does a value of type t hold an access-log record? */
static int holds_access(const proj *pr, const sp_type *t)
{
    if (!t)
        return 0;
    switch (t->kind) {
    case SP_T_RECORD:
        if (is_access(pr, t))
            return 1;
        /* fall through */
    case SP_T_TUPLE:
        for (int i = 0; i < t->n; i++)
            if (holds_access(pr, t->elems[i]))
                return 1;
        return 0;
    case SP_T_LIST: return holds_access(pr, t->elem);
    default: return 0;
    }
}

/* A function the pipelines reach: to be walked, once. */
static void reach(proj *pr, const sp_expr *name)
{
    if (name->resolution != SP_R_FUNCTION || !name->target)
        return;
    for (int i = 0; i < pr->nfns; i++)
        if (pr->fns[i] == name->target)
            return;
    if (pr->nfns == pr->capfns) {
        pr->capfns = pr->capfns ? 2 * pr->capfns : 16;
        pr->fns = sp_xrealloc(pr->fns, sizeof *pr->fns * (size_t)pr->capfns);
    }
    pr->fns[pr->nfns++] = name->target;
}

static void field_read(proj *pr, const char *name)
{
    for (int i = 0; i < pr->shape->n && i < 32; i++)
        if (strcmp(pr->shape->names[i], name) == 0)
            pr->used |= UINT32_C(1) << i;
}

/* A call of the scan_access_log built-in. */
static int is_scan_call(const sp_expr *e)
{
    return sp_ast_calls_builtin(e, SP_BUILTIN_SCAN_ACCESS_LOG);
}

static int is_producer(const sp_expr *name)
{
    if (name->kind != SP_E_NAME)
        return 0;
    if (name->resolution == SP_R_BUILTIN)
        return name->slot == SP_BUILTIN_SCAN_ACCESS_LOG;
    if (name->resolution == SP_R_FUNCTION && name->target) {
        const sp_stmt *fn = name->target;
        return is_scan_call(fn->value);
    }
    return 0;
}

/* The context of the walk: the step's element type (for `it` and its
 * fields), and whether the expression is inside a function or lambda
 * body (whose types are the last call's). */
typedef struct ctx {
    const sp_type *it;
    int in_body;
} ctx;

static void walk(proj *pr, const sp_expr *e, use u, const sp_type *parent, ctx c);

static void walk_items(proj *pr, const sp_arg *g, use u, const sp_type *parent, ctx c)
{
    for (; g; g = g->next)
        walk(pr, g->value, u, parent, c);
}

static void walk(proj *pr, const sp_expr *e, use u, const sp_type *parent, ctx c)
{
    if (!e || pr->whole)
        return;
    /* an expression without a type was not checked (a window's length):
     * it holds no record unless it makes one, which the cases below see */
    if (holds_access(pr, e->type)) {
        if (c.in_body)
            pr->whole = 1; /* the body's types are only the last call's (its root is not walked) */
        else if (u == USE_PASS)
            pr->whole = !holds_access(pr, parent);
        else if (u == USE_OTHER)
            pr->whole = 1;
        if (pr->whole)
            return;
    }
    switch (e->kind) {
    case SP_E_NAME:
        if (e->resolution == SP_R_UNRESOLVED && holds_access(pr, c.it))
            pr->whole = 1; /* a field of the record the evaluator would look for */
        reach(pr, e);
        if (e->resolution == SP_R_FIELD && is_access(pr, c.it))
            field_read(pr, e->u.name);
        if (is_producer(e) && u != USE_STREAM)
            pr->whole = 1; /* a producer as a value: where its records go is not followed */
        break;
    case SP_E_FIELD:
        walk(pr, e->u.field.obj, USE_FIELD, NULL, c);
        if (is_access(pr, e->u.field.obj->type))
            field_read(pr, e->u.field.name);
        break;
    case SP_E_INDEX:
        walk(pr, e->u.index.obj, USE_OTHER, NULL, c);
        walk(pr, e->u.index.index, USE_OTHER, NULL, c);
        break;
    case SP_E_CALL:
        if (is_scan_call(e) || (e->u.call.fn->kind == SP_E_NAME && is_producer(e->u.call.fn))) {
            /* its result is an A, unless the checker gave up on it */
            if (!holds_access(pr, e->type))
                pr->whole = 1;
        }
        if (e->u.call.fn->kind == SP_E_NAME &&
            (e->u.call.fn->resolution == SP_R_BUILTIN || e->u.call.fn->resolution == SP_R_FUNCTION)) {
            reach(pr, e->u.call.fn); /* a callee, not a value */
        } else {
            walk(pr, e->u.call.fn, USE_OTHER, NULL, c);
        }
        walk_items(pr, e->u.call.args, USE_OTHER, NULL, c);
        break;
    case SP_E_UNARY: walk(pr, e->u.unary.e, USE_OTHER, NULL, c); break;
    case SP_E_BINARY: {
        const sp_expr *l = e->u.binary.l, *r = e->u.binary.r;
        int cmp = e->u.binary.op == SP_EQ || e->u.binary.op == SP_NE;
        walk(pr, l, cmp && r->kind == SP_E_NULL ? USE_NULL_CMP : USE_OTHER, NULL, c);
        walk(pr, r, cmp && l->kind == SP_E_NULL ? USE_NULL_CMP : USE_OTHER, NULL, c);
        break;
    }
    case SP_E_IF:
        walk(pr, e->u.cond.c, USE_OTHER, NULL, c);
        walk(pr, e->u.cond.t, USE_PASS, e->type, c);
        walk(pr, e->u.cond.e, USE_PASS, e->type, c);
        break;
    case SP_E_LET:
        /* the value goes to the name, whose every use is an expression of its own */
        walk(pr, e->u.let.value, USE_PASS, e->u.let.value->type, c);
        walk(pr, e->u.let.body, USE_PASS, e->type, c);
        break;
    case SP_E_LAMBDA: {
        ctx inner = c;
        inner.in_body = 1;
        walk(pr, e->u.lambda.body, USE_OTHER, NULL, inner);
        break;
    }
    case SP_E_TUPLE:
    case SP_E_RECORD:
    case SP_E_LIST: walk_items(pr, e->u.items.items, USE_PASS, e->type, c); break;
    default: break;
    }
}

/* A function's body: a producer's root is its scan_access_log call. */
static void walk_function(proj *pr, const sp_stmt *fn)
{
    const sp_expr *body = fn->value;
    ctx c = {NULL, 1};
    if (is_scan_call(body)) /* its own type is always A, and where it goes is followed at its calls */
        walk_items(pr, body->u.call.args, USE_OTHER, NULL, c);
    else
        walk(pr, body, USE_OTHER, NULL, c);
}

static int passes_element(const sp_step *st)
{
    return !st->is_sink && (st->op == SP_OP_MAP || st->op == SP_OP_FILTER || st->op == SP_OP_FLATMAP);
}

static void walk_step(proj *pr, const sp_step *st)
{
    int carries = holds_access(pr, st->in_type);
    if (carries && !passes_element(st)) {
        pr->whole = 1; /* an operator or a sink takes the element whole */
        return;
    }
    if (st->other && holds_access(pr, st->other->type)) {
        pr->whole = 1;
        return;
    }
    ctx c = {st->in_type, 0};
    int maps = passes_element(st) && st->op != SP_OP_FILTER;
    for (const sp_arg *g = st->args; g; g = g->next) {
        const sp_expr *root = g->value;
        if (passes_element(st) && carries &&
            (root->kind == SP_E_LAMBDA || !root->type || root->type->kind == SP_T_FUNC ||
             root->type->kind == SP_T_ANY)) {
            pr->whole = 1; /* a function (or what may be one) applied to the record */
            return;
        }
        if (maps && root->type && (root->type->kind == SP_T_FUNC || root->type->kind == SP_T_ANY)) {
            /* applied to the element: what it gives is the stream's */
            if (is_producer(root) && !holds_access(pr, st->out_type))
                pr->whole = 1;
            walk(pr, root, is_producer(root) ? USE_STREAM : USE_OTHER, NULL, c);
            continue;
        }
        walk(pr, root, maps ? USE_STREAM : USE_OTHER, NULL, c);
    }
    for (const sp_opt *o = st->opts; o; o = o->next)
        walk(pr, o->value, USE_OTHER, NULL, c);
}

/* The pipelines and the parameters (not the functions: only those they
 * reach are walked). */
static void walk_statements(proj *pr, const sp_stmt *s)
{
    for (; s && !pr->whole; s = s->next) {
        if (s->kind == SP_S_PARAM) /* a record as a parameter's value is not followed */
            walk(pr, s->value, USE_OTHER, NULL, (ctx){NULL, 0});
        else if (s->kind == SP_S_PIPE)
            for (const sp_step *st = s->steps; st && !pr->whole; st = st->next)
                walk_step(pr, st);
    }
}

uint32_t sp_project_weblog(const sp_program *p)
{
    proj pr = {sp_weblog_shape(), 0, 0, NULL, 0, 0, 0};
    if (pr.shape->n > 32)
        return SP_PROJECT_ALL;
    walk_statements(&pr, p->stmts);
    walk_statements(&pr, p->late_streams);
    while (pr.walked < pr.nfns && !pr.whole)
        walk_function(&pr, pr.fns[pr.walked++]);
    free(pr.fns);
    return pr.whole ? SP_PROJECT_ALL : pr.used;
}
