/* test_parser.c - the grammar (grammar/parser.y): the AST each statement and
 * expression builds, source locations, and syntax errors with recovery. */
#include "test_util.h"

/* The default of parameter `name`, or NULL. */
static sp_expr *param_value(const sp_unit *u, const char *name)
{
    sp_stmt *s = tu_named(u, name);
    return s && s->kind == SP_S_PARAM ? s->value : NULL;
}

/* The first argument of step n of statement s, or NULL. */
static sp_expr *step_arg(const sp_stmt *s, int n)
{
    sp_step *st = tu_step(s, n);
    return st && st->args ? st->args->value : NULL;
}

/* ----- statements ----- */

static void test_use(void)
{
    sp_unit *u = tu_parse("use weblog\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_INT(s->kind, SP_S_USE);
    TU_EXPECT_STR(s->name, "weblog");
    TU_EXPECT_STR(tu_text(u, s->name_loc), "weblog");
    TU_EXPECT_STR(tu_text(u, s->loc), "use weblog");
    CU_ASSERT_PTR_NULL(s->next);
}

static void test_param(void)
{
    sp_unit *u = tu_parse("param limit = 10\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_INT(s->kind, SP_S_PARAM);
    TU_EXPECT_STR(s->name, "limit");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->value);
    TU_EXPECT_INT(s->value->kind, SP_E_INT);
    TU_EXPECT_INT(s->value->u.i, 10);
    TU_EXPECT_STR(tu_text(u, s->loc), "param limit = 10");
    TU_EXPECT_STR(tu_text(u, s->name_loc), "limit");
    TU_EXPECT_STR(tu_text(u, s->value->loc), "10");
}

static void test_batch(void)
{
    sp_unit *u = tu_parse("batch 10s\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_INT(s->kind, SP_S_BATCH);
    CU_ASSERT_PTR_NULL(s->name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->value);
    TU_EXPECT_INT(s->value->kind, SP_E_DURATION);
    TU_EXPECT_INT(s->value->u.i, 10000);
    TU_EXPECT_STR(tu_text(u, s->loc), "batch 10s");
}

static void test_fn(void)
{
    sp_unit *u = tu_parse("fn add(a, b) = a + b\nfn zero() = 0\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_INT(s->kind, SP_S_FN);
    TU_EXPECT_STR(s->name, "add");
    TU_EXPECT_INT(s->nparams, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->params);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->params->next);
    TU_EXPECT_STR(s->params->name, "a");
    TU_EXPECT_STR(s->params->next->name, "b");
    CU_ASSERT_PTR_NULL(s->params->next->next);
    TU_EXPECT_STR(tu_text(u, s->params->next->loc), "b");
    TU_EXPECT_INT(s->value->kind, SP_E_BINARY);
    TU_EXPECT_INT(s->value->u.binary.op, SP_ADD);
    TU_EXPECT_STR(tu_text(u, s->loc), "fn add(a, b) = a + b");
    sp_stmt *z = tu_stmt(u, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    TU_EXPECT_INT(z->kind, SP_S_FN);
    TU_EXPECT_INT(z->nparams, 0);
    CU_ASSERT_PTR_NULL(z->params);
}

static void test_source_with_args(void)
{
    sp_unit *u = tu_parse("source lines = file(\"access.log\", follow: true)\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_INT(s->kind, SP_S_SOURCE);
    TU_EXPECT_STR(s->name, "lines");
    TU_EXPECT_STR(s->kind_name, "file");
    TU_EXPECT_STR(tu_text(u, s->kind_loc), "file");
    TU_EXPECT_INT(s->nargs, 2);
    sp_arg *a0 = tu_arg(s->args, 0), *a1 = tu_arg(s->args, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a1);
    CU_ASSERT_PTR_NULL(a0->name);
    TU_EXPECT_INT(a0->value->kind, SP_E_STRING);
    TU_EXPECT_STR(a0->value->u.str.s, "access.log");
    TU_EXPECT_STR(a1->name, "follow");
    TU_EXPECT_STR(tu_text(u, a1->name_loc), "follow");
    TU_EXPECT_INT(a1->value->kind, SP_E_BOOL);
    TU_EXPECT_INT(a1->value->u.b, 1);
    TU_EXPECT_STR(tu_text(u, s->loc), "source lines = file(\"access.log\", follow: true)");
}

static void test_source_without_parens(void)
{
    sp_unit *u = tu_parse("source input = stdin\nsource g = generator()\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0), *g = tu_stmt(u, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    TU_EXPECT_INT(s->kind, SP_S_SOURCE);
    TU_EXPECT_STR(s->kind_name, "stdin");
    TU_EXPECT_INT(s->nargs, 0);
    CU_ASSERT_PTR_NULL(s->args);
    TU_EXPECT_STR(g->kind_name, "generator");
    TU_EXPECT_INT(g->nargs, 0);
}

static void test_named_stream(void)
{
    sp_unit *u = tu_parse("errors = access | filter status >= 500 | map (status, 1)\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_INT(s->kind, SP_S_PIPE);
    TU_EXPECT_STR(s->name, "errors");
    TU_EXPECT_STR(s->head, "access");
    TU_EXPECT_STR(tu_text(u, s->head_loc), "access");
    TU_EXPECT_STR(tu_text(u, s->loc), "errors = access | filter status >= 500 | map (status, 1)");
    sp_step *f = tu_step(s, 0), *m = tu_step(s, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_PTR_NULL(m->next);
    TU_EXPECT_STR(f->name, "filter");
    CU_ASSERT_FALSE(f->is_sink);
    TU_EXPECT_INT(f->nargs, 1);
    TU_EXPECT_STR(tu_text(u, f->loc), "filter status >= 500");
    TU_EXPECT_STR(tu_text(u, f->name_loc), "filter");
    TU_EXPECT_STR(m->name, "map");
    TU_EXPECT_INT(m->args->value->kind, SP_E_TUPLE);
}

static void test_unnamed_pipeline(void)
{
    sp_unit *u = tu_parse("lines | count | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_INT(s->kind, SP_S_PIPE);
    CU_ASSERT_PTR_NULL(s->name);
    TU_EXPECT_STR(s->head, "lines");
    sp_step *c = tu_step(s, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    TU_EXPECT_STR(c->name, "count");
    TU_EXPECT_INT(c->nargs, 0);
    CU_ASSERT_PTR_NULL(c->args);
    CU_ASSERT_PTR_NULL(c->opts);
    TU_EXPECT_STR(tu_text(u, s->loc), "lines | count | sink stdout");
}

static void test_pipeline_without_steps(void)
{
    sp_unit *u = tu_parse("copy = lines\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_INT(s->kind, SP_S_PIPE);
    TU_EXPECT_STR(s->name, "copy");
    TU_EXPECT_STR(s->head, "lines");
    CU_ASSERT_PTR_NULL(s->steps);
}

static void test_sink_plain(void)
{
    sp_unit *u = tu_parse("lines | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_step *st = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_TRUE(st->is_sink);
    TU_EXPECT_STR(st->name, "stdout");
    TU_EXPECT_STR(tu_text(u, st->name_loc), "stdout");
    TU_EXPECT_STR(tu_text(u, st->loc), "sink stdout");
    TU_EXPECT_INT(st->nargs, 0);
    CU_ASSERT_PTR_NULL(st->args);
}

static void test_sink_title(void)
{
    sp_unit *u = tu_parse("lines | sink stdout \"Top pages\"\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_step *st = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_TRUE(st->is_sink);
    TU_EXPECT_STR(st->name, "stdout");
    TU_EXPECT_INT(st->nargs, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st->args);
    CU_ASSERT_PTR_NULL(st->args->name);
    TU_EXPECT_INT(st->args->value->kind, SP_E_STRING);
    TU_EXPECT_STR(st->args->value->u.str.s, "Top pages");
    TU_EXPECT_STR(tu_text(u, st->args->value->loc), "\"Top pages\"");
    TU_EXPECT_STR(tu_text(u, st->loc), "sink stdout \"Top pages\"");
}

static void test_sink_call(void)
{
    sp_unit *u = tu_parse("lines | sink file(\"x\", format: \"json\")\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_step *st = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    CU_ASSERT_TRUE(st->is_sink);
    TU_EXPECT_STR(st->name, "file");
    TU_EXPECT_INT(st->nargs, 2);
    sp_arg *a0 = tu_arg(st->args, 0), *a1 = tu_arg(st->args, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a1);
    CU_ASSERT_PTR_NULL(a0->name);
    TU_EXPECT_STR(a0->value->u.str.s, "x");
    TU_EXPECT_STR(a1->name, "format");
    TU_EXPECT_STR(a1->value->u.str.s, "json");
    TU_EXPECT_STR(tu_text(u, st->loc), "sink file(\"x\", format: \"json\")");
}

/* ----- operator options ----- */

static void test_window_slide(void)
{
    sp_unit *u = tu_parse("lines | window 30s slide 10s | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_step *st = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    TU_EXPECT_STR(st->name, "window");
    TU_EXPECT_INT(st->nargs, 1);
    TU_EXPECT_INT(st->args->value->u.i, 30000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st->opts);
    TU_EXPECT_INT(st->opts->kind, SP_OPT_SLIDE);
    TU_EXPECT_STR(tu_text(u, st->opts->loc), "slide");
    CU_ASSERT_PTR_NOT_NULL_FATAL(st->opts->value);
    TU_EXPECT_INT(st->opts->value->u.i, 10000);
    CU_ASSERT_PTR_NULL(st->opts->next);
    TU_EXPECT_STR(tu_text(u, st->loc), "window 30s slide 10s");
}

static void test_inverse_and_slide(void)
{
    sp_unit *u = tu_parse("codes | reduceByKeyAndWindow sum, 30s slide 10s inverse difference | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_step *st = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    TU_EXPECT_INT(st->nargs, 2);
    TU_EXPECT_INT(st->args->value->kind, SP_E_NAME);
    TU_EXPECT_STR(st->args->value->u.name, "sum");
    TU_EXPECT_INT(st->args->next->value->kind, SP_E_DURATION);
    sp_opt *o1 = st->opts;
    CU_ASSERT_PTR_NOT_NULL_FATAL(o1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o1->next);
    TU_EXPECT_INT(o1->kind, SP_OPT_SLIDE);
    TU_EXPECT_INT(o1->next->kind, SP_OPT_INVERSE);
    TU_EXPECT_INT(o1->next->value->kind, SP_E_NAME);
    TU_EXPECT_STR(o1->next->value->u.name, "difference");
    CU_ASSERT_PTR_NULL(o1->next->next);
}

static void test_by_and_desc(void)
{
    sp_unit *u = tu_parse("x | top 10 by _2 | sortByKey desc | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_step *top = tu_step(tu_stmt(u, 0), 0), *sort = tu_step(tu_stmt(u, 0), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(top);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sort);
    TU_EXPECT_INT(top->nargs, 1);
    TU_EXPECT_INT(top->args->value->u.i, 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(top->opts);
    TU_EXPECT_INT(top->opts->kind, SP_OPT_BY);
    TU_EXPECT_STR(top->opts->value->u.name, "_2");
    TU_EXPECT_STR(sort->name, "sortByKey");
    TU_EXPECT_INT(sort->nargs, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sort->opts);
    TU_EXPECT_INT(sort->opts->kind, SP_OPT_DESC);
    CU_ASSERT_PTR_NULL(sort->opts->value);
    TU_EXPECT_STR(tu_text(u, sort->loc), "sortByKey desc");
}

/* ----- expressions ----- */

static void test_lambda_one(void)
{
    sp_unit *u = tu_parse("l | map x -> x + 1 | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = step_arg(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_LAMBDA);
    TU_EXPECT_INT(e->u.lambda.nparams, 1);
    TU_EXPECT_STR(e->u.lambda.params->name, "x");
    TU_EXPECT_STR(tu_text(u, e->u.lambda.params->loc), "x");
    TU_EXPECT_INT(e->u.lambda.body->kind, SP_E_BINARY);
    TU_EXPECT_STR(tu_text(u, e->loc), "x -> x + 1");
}

static void test_lambda_two(void)
{
    sp_unit *u = tu_parse("l | reduce (a, b) -> a + b | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = step_arg(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_LAMBDA);
    TU_EXPECT_INT(e->u.lambda.nparams, 2);
    TU_EXPECT_STR(e->u.lambda.params->name, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e->u.lambda.params->next);
    TU_EXPECT_STR(e->u.lambda.params->next->name, "b");
    TU_EXPECT_STR(tu_text(u, e->u.lambda.params->next->loc), "b");
    TU_EXPECT_STR(tu_text(u, e->loc), "(a, b) -> a + b");
}

static void test_lambda_body_extends_right(void)
{
    /* '->' binds loosest: the body is the whole `a or b` */
    sp_unit *u = tu_parse("fn f() = x -> a or b\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = tu_stmt(u, 0)->value;
    TU_EXPECT_INT(e->kind, SP_E_LAMBDA);
    TU_EXPECT_INT(e->u.lambda.body->kind, SP_E_BINARY);
    TU_EXPECT_INT(e->u.lambda.body->u.binary.op, SP_OR);
}

static void test_mul_before_add(void)
{
    sp_unit *u = tu_parse("param a = 1 + 2 * 3\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_BINARY);
    TU_EXPECT_INT(e->u.binary.op, SP_ADD);
    TU_EXPECT_INT(e->u.binary.l->kind, SP_E_INT);
    TU_EXPECT_INT(e->u.binary.l->u.i, 1);
    TU_EXPECT_INT(e->u.binary.r->kind, SP_E_BINARY);
    TU_EXPECT_INT(e->u.binary.r->u.binary.op, SP_MUL);
    TU_EXPECT_STR(tu_text(u, e->u.binary.op_loc), "+");
    TU_EXPECT_STR(tu_text(u, e->u.binary.r->loc), "2 * 3");
    TU_EXPECT_STR(tu_text(u, e->loc), "1 + 2 * 3");
}

static void test_not_below_comparison(void)
{
    sp_unit *u = tu_parse("param a = not a == b\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_UNARY);
    TU_EXPECT_INT(e->u.unary.op, SP_NOT);
    TU_EXPECT_INT(e->u.unary.e->kind, SP_E_BINARY);
    TU_EXPECT_INT(e->u.unary.e->u.binary.op, SP_EQ);
    TU_EXPECT_STR(tu_text(u, e->loc), "not a == b");
}

static void test_and_before_or(void)
{
    sp_unit *u = tu_parse("param a = a or b and c\nparam b = a and b or c\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->u.binary.op, SP_OR);
    TU_EXPECT_INT(e->u.binary.l->kind, SP_E_NAME);
    TU_EXPECT_INT(e->u.binary.r->u.binary.op, SP_AND);
    sp_expr *f = param_value(u, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    TU_EXPECT_INT(f->u.binary.op, SP_OR);
    TU_EXPECT_INT(f->u.binary.l->u.binary.op, SP_AND);
    TU_EXPECT_INT(f->u.binary.r->kind, SP_E_NAME);
}

static void test_left_associative(void)
{
    sp_unit *u = tu_parse("param a = 10 - 2 - 3\nparam b = 8 / 4 / 2\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->u.binary.op, SP_SUB);
    TU_EXPECT_INT(e->u.binary.l->kind, SP_E_BINARY);
    TU_EXPECT_INT(e->u.binary.r->kind, SP_E_INT);
    TU_EXPECT_INT(e->u.binary.r->u.i, 3);
    TU_EXPECT_STR(tu_expr(u, param_value(u, "b")), "8 / 4 / 2");
    TU_EXPECT_INT(param_value(u, "b")->u.binary.r->u.i, 2);
}

static void test_unary_minus_binds_tight(void)
{
    sp_unit *u = tu_parse("param a = -x * y\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_BINARY);
    TU_EXPECT_INT(e->u.binary.op, SP_MUL);
    TU_EXPECT_INT(e->u.binary.l->kind, SP_E_UNARY);
    TU_EXPECT_INT(e->u.binary.l->u.unary.op, SP_NEG);
}

static void test_parentheses_group(void)
{
    sp_unit *u = tu_parse("param a = (1 + 2) * 3\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->u.binary.op, SP_MUL);
    TU_EXPECT_INT(e->u.binary.l->u.binary.op, SP_ADD);
    TU_EXPECT_STR(tu_expr(u, e), "(1 + 2) * 3");
}

static void test_comparisons(void)
{
    static const struct { const char *text; sp_binop op; } ops[] = {
        {"param a = x == 1\n", SP_EQ}, {"param a = x != 1\n", SP_NE}, {"param a = x < 1\n", SP_LT},
        {"param a = x <= 1\n", SP_LE}, {"param a = x > 1\n", SP_GT},  {"param a = x >= 1\n", SP_GE},
        {"param a = x % 2\n", SP_MOD}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        sp_unit *u = tu_parse(ops[i].text);
        TU_EXPECT_COUNTS(u, 0, 0);
        sp_expr *e = param_value(u, "a");
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        TU_EXPECT_INT(e->kind, SP_E_BINARY);
        TU_EXPECT_INT(e->u.binary.op, ops[i].op);
    }
}

static void test_if_and_let(void)
{
    sp_unit *u = tu_parse("param a = if x > 0 then \"pos\" else \"neg\"\n"
                          "param b = let y = x * 2 in y + 1\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *a = param_value(u, "a"), *b = param_value(u, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    TU_EXPECT_INT(a->kind, SP_E_IF);
    TU_EXPECT_INT(a->u.cond.c->u.binary.op, SP_GT);
    TU_EXPECT_STR(a->u.cond.t->u.str.s, "pos");
    TU_EXPECT_STR(a->u.cond.e->u.str.s, "neg");
    TU_EXPECT_INT(b->kind, SP_E_LET);
    TU_EXPECT_STR(b->u.let.name->name, "y");
    TU_EXPECT_STR(tu_text(u, b->u.let.name->loc), "y");
    TU_EXPECT_INT(b->u.let.value->u.binary.op, SP_MUL);
    TU_EXPECT_INT(b->u.let.body->u.binary.op, SP_ADD);
    TU_EXPECT_STR(tu_text(u, b->loc), "let y = x * 2 in y + 1");
}

static void test_record(void)
{
    sp_unit *u = tu_parse("param r = {host: h, \"the count\": 1, ok: true}\nparam e = {}\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *r = param_value(u, "r"), *e = param_value(u, "e");
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(r->kind, SP_E_RECORD);
    TU_EXPECT_INT(r->u.items.n, 3);
    TU_EXPECT_STR(tu_arg(r->u.items.items, 0)->name, "host");
    TU_EXPECT_STR(tu_arg(r->u.items.items, 1)->name, "the count");
    TU_EXPECT_STR(tu_arg(r->u.items.items, 2)->name, "ok");
    TU_EXPECT_INT(tu_arg(r->u.items.items, 2)->value->kind, SP_E_BOOL);
    TU_EXPECT_STR(tu_text(u, tu_arg(r->u.items.items, 0)->name_loc), "host");
    TU_EXPECT_STR(tu_text(u, r->loc), "{host: h, \"the count\": 1, ok: true}");
    TU_EXPECT_INT(e->kind, SP_E_RECORD);
    TU_EXPECT_INT(e->u.items.n, 0);
}

static void test_tuple_and_list(void)
{
    sp_unit *u = tu_parse("param t = (1, \"x\", null)\n"
                          "param l = [1, 2, 3]\n"
                          "param e = []\n"
                          "param p = (1)\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *t = param_value(u, "t"), *l = param_value(u, "l"), *e = param_value(u, "e"), *p = param_value(u, "p");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    TU_EXPECT_INT(t->kind, SP_E_TUPLE);
    TU_EXPECT_INT(t->u.items.n, 3);
    TU_EXPECT_INT(tu_arg(t->u.items.items, 2)->value->kind, SP_E_NULL);
    TU_EXPECT_STR(tu_text(u, t->loc), "(1, \"x\", null)");
    TU_EXPECT_INT(l->kind, SP_E_LIST);
    TU_EXPECT_INT(l->u.items.n, 3);
    TU_EXPECT_INT(tu_arg(l->u.items.items, 2)->value->u.i, 3);
    TU_EXPECT_INT(e->kind, SP_E_LIST);
    TU_EXPECT_INT(e->u.items.n, 0);
    /* a parenthesised expression is not a one-tuple */
    TU_EXPECT_INT(p->kind, SP_E_INT);
}

static void test_postfix_chain(void)
{
    sp_unit *u = tu_parse("param a = f(x).y[0]\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_INDEX);
    TU_EXPECT_INT(e->u.index.index->u.i, 0);
    sp_expr *fld = e->u.index.obj;
    TU_EXPECT_INT(fld->kind, SP_E_FIELD);
    TU_EXPECT_STR(fld->u.field.name, "y");
    TU_EXPECT_STR(tu_text(u, fld->u.field.name_loc), "y");
    TU_EXPECT_STR(tu_text(u, fld->loc), "f(x).y");
    sp_expr *call = fld->u.field.obj;
    TU_EXPECT_INT(call->kind, SP_E_CALL);
    TU_EXPECT_INT(call->u.call.fn->kind, SP_E_NAME);
    TU_EXPECT_STR(call->u.call.fn->u.name, "f");
    TU_EXPECT_INT(call->u.call.nargs, 1);
    TU_EXPECT_STR(tu_text(u, call->loc), "f(x)");
    TU_EXPECT_STR(tu_text(u, e->loc), "f(x).y[0]");
}

static void test_call_args(void)
{
    sp_unit *u = tu_parse("param a = substr(s, 1, len - 1)\nparam b = now()\nparam c = it._2\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *a = param_value(u, "a"), *b = param_value(u, "b"), *c = param_value(u, "c");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    TU_EXPECT_INT(a->kind, SP_E_CALL);
    TU_EXPECT_INT(a->u.call.nargs, 3);
    TU_EXPECT_STR(tu_arg(a->u.call.args, 0)->value->u.name, "s");
    TU_EXPECT_INT(tu_arg(a->u.call.args, 1)->value->u.i, 1);
    TU_EXPECT_INT(tu_arg(a->u.call.args, 2)->value->kind, SP_E_BINARY);
    TU_EXPECT_INT(b->kind, SP_E_CALL);
    TU_EXPECT_INT(b->u.call.nargs, 0);
    CU_ASSERT_PTR_NULL(b->u.call.args);
    TU_EXPECT_INT(c->kind, SP_E_FIELD);
    TU_EXPECT_INT(c->u.field.obj->kind, SP_E_IT);
    TU_EXPECT_STR(c->u.field.name, "_2");
}

static void test_literals_true_false_null(void)
{
    sp_unit *u = tu_parse("param a = true\nparam b = false\nparam c = null\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(param_value(u, "a")->kind, SP_E_BOOL);
    TU_EXPECT_INT(param_value(u, "a")->u.b, 1);
    TU_EXPECT_INT(param_value(u, "b")->u.b, 0);
    TU_EXPECT_INT(param_value(u, "c")->kind, SP_E_NULL);
}

static void test_print_round_trip(void)
{
    sp_unit *u = tu_parse("param a = if  not(x>1)  then {k:  [1,2], s: \"q\\\"\"}  else -(a-b)\n"
                          "param b = (a, b) -> a.x[0] + f(b, 2)\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_STR(tu_expr(u, param_value(u, "a")), "if not x > 1 then {k: [1, 2], s: \"q\\\"\"} else -(a - b)");
    TU_EXPECT_STR(tu_expr(u, param_value(u, "b")), "(a, b) -> a.x[0] + f(b, 2)");
}

/* ----- locations ----- */

static void test_positions(void)
{
    sp_unit *u = tu_parse("# header\n"
                          "param a = 1\n"
                          "\tx = lines | map a\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_named(u, "x");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    int line, col;
    sp_diag_position(u->d, s->name_loc, &line, &col);
    TU_EXPECT_INT(line, 3);
    TU_EXPECT_INT(col, 2); /* a tab counts as one column */
    sp_diag_position(u->d, tu_step(s, 0)->args->value->loc, &line, &col);
    TU_EXPECT_INT(line, 3);
    TU_EXPECT_INT(col, 18);
    sp_diag_position(u->d, tu_named(u, "a")->value->loc, &line, &col);
    TU_EXPECT_INT(line, 2);
    TU_EXPECT_INT(col, 11);
    TU_EXPECT_INT(s->name_loc.start, tu_offset(u, "x =", 0));
    TU_EXPECT_INT(s->head_loc.start, tu_offset(u, "lines", 0));
    TU_EXPECT_INT(s->head_loc.end, tu_offset(u, "lines", 0) + 5);
    char buf[64];
    sp_diag_format_loc(u->d, s->head_loc, buf, sizeof buf);
    TU_EXPECT_STR(buf, "test.sp:3:6");
}

static void test_multiline_statement_loc(void)
{
    sp_unit *u = tu_parse("errors = access\n"
                          "  | filter status >= 500\n"
                          "  | map (status, 1)\n"
                          "param z = 1\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_STR(tu_text(u, s->loc), "errors = access\n  | filter status >= 500\n  | map (status, 1)");
    sp_step *m = tu_step(s, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    int line, col;
    sp_diag_position(u->d, m->loc, &line, &col);
    TU_EXPECT_INT(line, 3);
    TU_EXPECT_INT(col, 5);
    TU_EXPECT_STR(tu_text(u, m->loc), "map (status, 1)");
}

/* Checks every location in an expression tree; appends problems to *out. */
typedef struct loc_walk {
    const sp_unit *u;
    int problems;
    char *report; /* arena string */
} loc_walk;

static void loc_problem(loc_walk *w, sp_loc loc, const char *what)
{
    char where[256];
    sp_diag_format_loc(w->u->d, loc, where, sizeof where);
    if (++w->problems <= 10)
        w->report = sp_arena_printf(w->u->a, "%s%s: %s [%d,%d); ", w->report, where, what, loc.start, loc.end);
}

/* loc is inside [outer) and non-empty, in the same file. */
static void loc_inside(loc_walk *w, sp_loc loc, sp_loc outer, const char *what)
{
    if (loc.file != outer.file || loc.start < outer.start || loc.end > outer.end || loc.start >= loc.end)
        loc_problem(w, loc, sp_arena_printf(w->u->a, "%s not inside [%d,%d)", what, outer.start, outer.end));
}

/* The text at loc is `want`. */
static void loc_text(loc_walk *w, sp_loc loc, const char *want, const char *what)
{
    const char *got = tu_text(w->u, loc);
    if (strcmp(got, want) != 0)
        loc_problem(w, loc, sp_arena_printf(w->u->a, "%s reads '%s', not '%s'", what, got, want));
}

static void walk_expr(loc_walk *w, const sp_expr *e, sp_loc outer)
{
    loc_inside(w, e->loc, outer, "expression");
    switch (e->kind) {
    case SP_E_NAME:
        loc_text(w, e->loc, e->u.name, "name");
        break;
    case SP_E_IT:
        loc_text(w, e->loc, "it", "'it'");
        break;
    case SP_E_STRING: {
        char q = tu_text(w->u, e->loc)[0];
        if (q != '"' && q != '\'')
            loc_problem(w, e->loc, "string without its quote");
        break;
    }
    case SP_E_FIELD:
        walk_expr(w, e->u.field.obj, e->loc);
        loc_inside(w, e->u.field.name_loc, e->loc, "field name");
        loc_text(w, e->u.field.name_loc, e->u.field.name, "field name");
        break;
    case SP_E_INDEX:
        walk_expr(w, e->u.index.obj, e->loc);
        walk_expr(w, e->u.index.index, e->loc);
        break;
    case SP_E_CALL:
        walk_expr(w, e->u.call.fn, e->loc);
        for (const sp_arg *a = e->u.call.args; a; a = a->next)
            walk_expr(w, a->value, e->loc);
        break;
    case SP_E_UNARY:
        walk_expr(w, e->u.unary.e, e->loc);
        break;
    case SP_E_BINARY:
        walk_expr(w, e->u.binary.l, e->loc);
        walk_expr(w, e->u.binary.r, e->loc);
        loc_inside(w, e->u.binary.op_loc, e->loc, "operator");
        loc_text(w, e->u.binary.op_loc, sp_ast_binop_text(e->u.binary.op), "operator");
        if (e->u.binary.l->loc.end > e->u.binary.op_loc.start || e->u.binary.op_loc.end > e->u.binary.r->loc.start)
            loc_problem(w, e->u.binary.op_loc, "operator not between its operands");
        break;
    case SP_E_IF:
        walk_expr(w, e->u.cond.c, e->loc);
        walk_expr(w, e->u.cond.t, e->loc);
        walk_expr(w, e->u.cond.e, e->loc);
        break;
    case SP_E_LET:
        loc_inside(w, e->u.let.name->loc, e->loc, "let name");
        loc_text(w, e->u.let.name->loc, e->u.let.name->name, "let name");
        walk_expr(w, e->u.let.value, e->loc);
        walk_expr(w, e->u.let.body, e->loc);
        break;
    case SP_E_LAMBDA:
        for (const sp_name *n = e->u.lambda.params; n; n = n->next) {
            loc_inside(w, n->loc, e->loc, "lambda parameter");
            loc_text(w, n->loc, n->name, "lambda parameter");
        }
        walk_expr(w, e->u.lambda.body, e->loc);
        break;
    case SP_E_TUPLE:
    case SP_E_RECORD:
    case SP_E_LIST:
        for (const sp_arg *a = e->u.items.items; a; a = a->next) {
            walk_expr(w, a->value, e->loc);
            if (a->name) {
                loc_inside(w, a->name_loc, e->loc, "field name");
                if (tu_text(w->u, a->name_loc)[0] != '"')
                    loc_text(w, a->name_loc, a->name, "field name");
            }
        }
        break;
    default:
        break;
    }
}

static void walk_stmt(loc_walk *w, const sp_stmt *s)
{
    const sp_srcfile *f = sp_diag_file(w->u->d, s->loc.file);
    if (!f) {
        loc_problem(w, s->loc, "statement in no file");
        return;
    }
    size_t len;
    sp_srcfile_text(f, &len);
    sp_loc whole = {s->loc.file, 0, (int)len};
    loc_inside(w, s->loc, whole, "statement");
    if (s->name) {
        loc_inside(w, s->name_loc, s->loc, "defined name");
        loc_text(w, s->name_loc, s->name, "defined name");
    }
    if (s->value)
        walk_expr(w, s->value, s->loc);
    for (const sp_name *n = s->params; n; n = n->next) {
        loc_inside(w, n->loc, s->loc, "parameter");
        loc_text(w, n->loc, n->name, "parameter");
    }
    if (s->kind == SP_S_SOURCE) {
        loc_text(w, s->kind_loc, s->kind_name, "source kind");
        for (const sp_arg *a = s->args; a; a = a->next) {
            walk_expr(w, a->value, s->loc);
            if (a->name)
                loc_text(w, a->name_loc, a->name, "argument name");
        }
    }
    if (s->kind == SP_S_PIPE) {
        loc_inside(w, s->head_loc, s->loc, "head");
        loc_text(w, s->head_loc, s->head, "head");
        for (const sp_step *st = s->steps; st; st = st->next) {
            loc_inside(w, st->loc, s->loc, "step");
            loc_inside(w, st->name_loc, st->loc, "step name");
            loc_text(w, st->name_loc, st->name, "step name");
            for (const sp_arg *a = st->args; a; a = a->next)
                walk_expr(w, a->value, st->loc);
            for (const sp_opt *o = st->opts; o; o = o->next) {
                static const char *const kw[] = {"slide", "inverse", "by", "desc"};
                loc_inside(w, o->loc, st->loc, "option");
                loc_text(w, o->loc, kw[o->kind], "option");
                if (o->value)
                    walk_expr(w, o->value, st->loc);
            }
        }
    }
}

static void test_every_node_has_its_location(void)
{
    sp_unit *u = tu_new();
    const char *path = tu_src_path(u, "pipelines/logs.sp");
    u->p = sp_load(u->d, u->a, path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u->p);
    u->file = u->p->main_file;
    u->stmts = u->p->stmts;
    TU_EXPECT_COUNTS(u, 0, 0);
    /* the checker only annotates: locations are the same after it */
    CU_ASSERT_EQUAL(sp_check(u->p, u->d, u->a, NULL, 0, NULL), SP_CHECK_OK);
    loc_walk w = {u, 0, sp_arena_strdup(u->a, "")};
    int nstmts = 0, nlib = 0;
    for (const sp_stmt *s = u->p->stmts; s; s = s->next, nstmts++)
        walk_stmt(&w, s);
    for (const sp_stmt *s = u->p->library; s; s = s->next, nlib++)
        walk_stmt(&w, s);
    CU_ASSERT(nstmts > 20);
    CU_ASSERT(nlib > 10);
    tu_assert(w.problems == 0, __LINE__, __FILE__, __func__, "%d location problem(s): %s", w.problems, w.report);
}

/* ----- syntax errors ----- */

static void test_missing_assign(void)
{
    sp_unit *u = tu_parse("param y 4\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected '4', expected '='", 1, 9, NULL);
    TU_EXPECT_INT(u->parse_errors, 1);
}

static void test_assign_for_compare(void)
{
    sp_unit *u = tu_parse("l | filter a = b | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected '=', expected end of line", 1, 14,
                    "to compare two values write '=='; to name a stream write 'name = source | ...' on its own line");
}

static void test_missing_pipe(void)
{
    sp_unit *u = tu_parse("l | map a b\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected name 'b', expected end of line", 1, 11,
                    "separate the steps of a pipeline with '|', and several arguments with ','");
}

static void test_sink_first(void)
{
    sp_unit *u = tu_parse("sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected 'sink'", 1, 1,
                    "a sink comes after '|' at the end of a pipeline: ... | sink stdout");
}

static void test_missing_operand(void)
{
    sp_unit *u = tu_parse("l | map (1 +) | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected ')', expected an expression", 1, 13, NULL);
}

static void test_unclosed_paren(void)
{
    sp_unit *u = tu_parse("l | map (a, b\n"
                          "m | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected end of line, expected ')'", 1, 14, "unclosed '(' opened at 1:9");
    /* recovery at the unindented next line: it is parsed on its own */
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_STR(s->head, "m");
    CU_ASSERT_PTR_NULL(s->next);
}

static void test_unclosed_paren_indented(void)
{
    sp_unit *u = tu_parse("l | map f(a, b\n"
                          "  | sink stdout\n"
                          "param x = 1\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected '|', expected ')'", 2, 3, "unclosed '(' opened at 1:10");
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "x"));
}

static void test_unclosed_bracket_kinds(void)
{
    sp_unit *u = tu_parse("param l = [1, 2\n"
                          "param r = {a: 1\n"
                          "param ok = 3\n");
    TU_EXPECT_COUNTS(u, 2, 0);
    int i = tu_find_part(u, "expected ']'");
    CU_ASSERT(i >= 0);
    if (i >= 0) {
        TU_EXPECT_INT(sp_diag_line(u->d, i), 1);
        TU_EXPECT_STR(sp_diag_hint(u->d, i), "unclosed '[' opened at 1:11");
    }
    i = tu_find_part(u, "expected '}'");
    CU_ASSERT(i >= 0);
    if (i >= 0) {
        TU_EXPECT_INT(sp_diag_line(u->d, i), 2);
        TU_EXPECT_STR(sp_diag_hint(u->d, i), "unclosed '{' opened at 2:11");
    }
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "ok"));
}

static void test_many_unclosed_brackets(void)
{
    /* more open brackets than the scanner keeps track of (256) */
    char text[400];
    size_t n = (size_t)snprintf(text, sizeof text, "param a = ");
    for (int i = 0; i < 300; i++)
        text[n++] = '(';
    text[n++] = '1';
    text[n] = '\0';
    sp_unit *u = tu_parse(text);
    TU_EXPECT_COUNTS(u, 1, 0);
    if (sp_diag_count(u->d) >= 1) {
        const char *h = sp_diag_hint(u->d, 0);
        tu_assert(h && strncmp(h, "unclosed '(' opened at 1:", 25) == 0, __LINE__, __FILE__, __func__,
                  "hint \"%s\", expected \"unclosed '(' opened at 1:...\" (message \"%s\")", h ? h : "(none)",
                  sp_diag_message(u->d, 0));
    }
}

static void test_closed_paren_no_unclosed_hint(void)
{
    /* the '(' is closed on the same line: the slip is the missing ',' */
    sp_unit *u = tu_parse("l | map f(a b) | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    CU_ASSERT_EQUAL(sp_diag_count(u->d), 1);
    if (sp_diag_count(u->d) >= 1) {
        TU_EXPECT_INT(sp_diag_line(u->d, 0), 1);
        TU_EXPECT_INT(sp_diag_col(u->d, 0), 13);
        const char *h = sp_diag_hint(u->d, 0);
        tu_assert(!h || strncmp(h, "unclosed", 8) != 0, __LINE__, __FILE__, __func__,
                  "the '(' is closed later on the line, but the hint says \"%s\" (message \"%s\")", h,
                  sp_diag_message(u->d, 0));
    }
}

static void test_lambda_param_not_name(void)
{
    sp_unit *u = tu_parse("l | map (1, b) -> b | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "a function parameter must be a name", 1, 10,
                    "write the parameters as plain names: (a, b) -> ...");
}

static void test_lambda_left_side(void)
{
    sp_unit *u = tu_parse("l | map f(x) -> 3 | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "the left side of '->' must be a parameter name or a tuple of names", 1, 9,
                    "write 'x -> ...' or '(a, b) -> ...'");
}

static void test_several_errors(void)
{
    sp_unit *u = tu_parse("param = 3\n"
                          "param good = 1\n"
                          "param y 4\n"
                          "l | map (1 +)\n"
                          "l | filter a = b\n"
                          "param also = 2\n");
    TU_EXPECT_COUNTS(u, 4, 0);
    TU_EXPECT_INT(u->parse_errors, 4);
    TU_EXPECT_ERROR(u, "syntax error: unexpected '=', expected name", 1, 7, "to compare two values write '=='");
    TU_EXPECT_ERROR(u, "syntax error: unexpected '4', expected '='", 3, 9, NULL);
    TU_EXPECT_ERROR(u, "syntax error: unexpected ')', expected an expression", 4, 13, NULL);
    TU_EXPECT_ERROR(u, "syntax error: unexpected '=', expected end of line", 5, 14,
                    "to compare two values write '=='; to name a stream write 'name = source | ...' on its own line");
    /* in source order */
    for (int i = 0; i + 1 < sp_diag_count(u->d); i++)
        CU_ASSERT(sp_diag_line(u->d, i) < sp_diag_line(u->d, i + 1));
    /* the good statements are kept, the bad ones dropped */
    TU_EXPECT_INT(tu_stmt_count(u), 2);
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "good"));
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "also"));
}

static void test_error_at_eof_without_newline(void)
{
    sp_unit *u = tu_parse("param a = (1");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected end of file, expected ')'", 1, 13, "unclosed '(' opened at 1:11");
}

static void test_error_at_eof_after_newline(void)
{
    /* the end of the file is just after the last character of line 1, not
     * a column beyond the newline */
    sp_unit *u = tu_parse("param a = (1\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "syntax error: unexpected end of file, expected ')'", 1, 13, "unclosed '(' opened at 1:11");
}

static void test_batch_without_interval(void)
{
    /* the interval is missing on line 1; the error belongs there, not on
     * the next statement */
    sp_unit *u = tu_parse("batch\n"
                          "param a = 1\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_INT(sp_diag_count(u->d), 1);
    if (sp_diag_count(u->d) >= 1) {
        tu_assert(sp_diag_line(u->d, 0) == 1, __LINE__, __FILE__, __func__,
                  "reported at %d:%d (\"%s\"), expected on line 1", sp_diag_line(u->d, 0),
                  sp_diag_col(u->d, 0), sp_diag_message(u->d, 0));
    }
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "a"));
}

CU_ErrorCode sp_test_register_parser(void)
{
    static const tu_test tests[] = {
        {"'use NAME' builds a use statement", test_use},
        {"'param NAME = EXPR' builds a parameter with its default", test_param},
        {"'batch DURATION' builds an unnamed batch statement", test_batch},
        {"'fn NAME(PARAMS) = EXPR' builds a function with its parameters in order", test_fn},
        {"'source NAME = KIND(ARGS)' keeps the kind and positional and named arguments", test_source_with_args},
        {"'source NAME = KIND' without parentheses has no arguments", test_source_without_parens},
        {"a named stream keeps its name, head and steps", test_named_stream},
        {"an unnamed pipeline has no name", test_unnamed_pipeline},
        {"a named stream may have no steps", test_pipeline_without_steps},
        {"'sink stdout' is a sink step without arguments", test_sink_plain},
        {"'sink stdout \"title\"' takes the title as its one argument", test_sink_title},
        {"'sink file(...)' takes positional and named arguments", test_sink_call},
        {"the slide option of a window is kept with its value", test_window_slide},
        {"two arguments with slide and inverse options are kept in order", test_inverse_and_slide},
        {"'top N by EXPR' and 'sortByKey desc' keep their options", test_by_and_desc},
        {"'x -> e' is a lambda of one parameter", test_lambda_one},
        {"'(a, b) -> e' is a lambda of two parameters", test_lambda_two},
        {"a lambda's body extends as far right as possible", test_lambda_body_extends_right},
        {"multiplication binds tighter than addition", test_mul_before_add},
        {"'not' applies to a whole comparison", test_not_below_comparison},
        {"'and' binds tighter than 'or'", test_and_before_or},
        {"subtraction and division associate to the left", test_left_associative},
        {"unary minus binds tighter than multiplication", test_unary_minus_binds_tight},
        {"parentheses group without making a node", test_parentheses_group},
        {"every comparison operator builds its own node", test_comparisons},
        {"'if then else' and 'let in' build their nodes", test_if_and_let},
        {"a record keeps its field names in order, quoted ones too", test_record},
        {"tuples and lists keep their items; '(e)' is not a tuple", test_tuple_and_list},
        {"calls, field access and indexing chain left to right", test_postfix_chain},
        {"a call keeps its arguments in order", test_call_args},
        {"true, false and null are literals", test_literals_true_false_null},
        {"an expression prints back as normalised source", test_print_round_trip},
        {"a location gives the line and column of its text", test_positions},
        {"a statement over several lines spans all of them", test_multiline_statement_loc},
        {"every node of pipelines/logs.sp and its libraries has its own location", test_every_node_has_its_location},
        {"a missing '=' is reported at the token found instead", test_missing_assign},
        {"'=' where a comparison is expected suggests '=='", test_assign_for_compare},
        {"two names in a row suggest '|' or ','", test_missing_pipe},
        {"'sink' at the start of a line explains where a sink goes", test_sink_first},
        {"a missing operand is reported at the token after the operator", test_missing_operand},
        {"an unclosed '(' is reported with where it was opened", test_unclosed_paren},
        {"an unclosed '(' before an indented line is reported on that line", test_unclosed_paren_indented},
        {"unclosed '[' and '{' are named in the hint", test_unclosed_bracket_kinds},
        {"more than 256 unclosed brackets still name the bracket in the hint", test_many_unclosed_brackets},
        {"a slip inside brackets closed on the same line does not claim they are unclosed", test_closed_paren_no_unclosed_hint},
        {"a lambda parameter that is not a name is reported", test_lambda_param_not_name},
        {"the left side of '->' must be a name or a tuple of names", test_lambda_left_side},
        {"errors on several lines are all reported and good lines kept", test_several_errors},
        {"an error at the end of a file without a newline points after its last character", test_error_at_eof_without_newline},
        {"an error at the end of a file ending in a newline points after the last character", test_error_at_eof_after_newline},
        {"'batch' without its interval is reported on its own line", test_batch_without_interval},
        {NULL, NULL}};
    return tu_add_suite("parser", tests);
}
