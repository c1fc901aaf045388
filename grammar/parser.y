/* parser.y - the grammar of streampipe's pipeline language.
 *
 * A pure, reentrant LALR(1) parser with no conflicts (%expect 0).  It only
 * builds the AST (ast.h); names, types and the DAG are later passes
 * (check.c, plan.c).  Statements end at a newline the scanner decides is
 * significant (see lexer.l), which is also where error recovery resumes, so
 * one bad line does not hide the errors on the next ones. */

%require "3.6"
%define api.pure full
%define api.prefix {sp_yy}
%define api.location.type {sp_loc}
%define parse.error custom
%define parse.trace false
%locations
%expect 0
%param {sp_scanner scanner}
%parse-param {sp_parse_ctx *ctx}

%code requires {
#include "lex.h"
}

%code provides {
int sp_yylex(SP_YYSTYPE *lval, sp_loc *lloc, sp_scanner scanner);
}

%code {
#include <string.h>

/* A range spanning the right-hand side; for an empty rule, an empty range at
 * the end of the previous symbol. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                     \
    do {                                                                \
        if (N) {                                                        \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                         \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                       \
            (Cur).end = YYRHSLOC(Rhs, N).end;                           \
        } else {                                                        \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                         \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;             \
        }                                                               \
    } while (0)

static void sp_yyerror(sp_loc *loc, sp_scanner scanner, sp_parse_ctx *ctx, const char *msg);
static void add_stmt(sp_parse_ctx *ctx, sp_stmt *s);
static sp_loc span(sp_loc a, sp_loc b);
static sp_expr *make_binary(sp_parse_ctx *ctx, sp_binop op, sp_expr *l, sp_expr *r, sp_loc whole, sp_loc op_loc);
static sp_expr *make_lambda(sp_parse_ctx *ctx, sp_expr *params, sp_expr *body, sp_loc whole);
static sp_expr *make_items(sp_parse_ctx *ctx, sp_expr_kind kind, sp_arg *items, sp_loc loc);
}

%union {
    int64_t i;        /* INT, DURATION */
    double f;         /* FLOAT */
    struct { const char *s; size_t len; } str; /* IDENT, STRING */
    sp_expr *expr;
    sp_arg *arg;
    sp_name *names;
    sp_step *step;
    sp_opt *opt;
    sp_stmt *stmt;
}

%token <str> IDENT "name"
%token <str> STRING "string"
%token <i> INT "integer"
%token <i> DURATION "duration"
%token <f> FLOAT "number"
%token NL "end of line"
%token USE "'use'" PARAM "'param'" BATCH "'batch'" FN "'fn'" SOURCE "'source'" SINK "'sink'"
%token LET "'let'" IN "'in'" IF "'if'" THEN "'then'" ELSE "'else'"
%token AND "'and'" OR "'or'" NOT "'not'" TRUE "'true'" FALSE "'false'" NUL "'null'" IT "'it'"
%token SLIDE "'slide'" INVERSE "'inverse'" BY "'by'" DESC "'desc'"
%token ON "'on'" WATERMARK "'watermark'" LATE "'late'"
%token ARROW "'->'" EQ "'=='" NE "'!='" LE "'<='" GE "'>='"
%token PIPE "'|'" LPAREN "'('" RPAREN "')'" LBRACK "'['" RBRACK "']'" LBRACE "'{'" RBRACE "'}'"
%token COMMA "','" COLON "':'" DOT "'.'" ASSIGN "'='"
%token PLUS "'+'" MINUS "'-'" STAR "'*'" SLASH "'/'" PERCENT "'%'" LT "'<'" GT "'>'"

%type <expr> expr postfix primary
%type <arg> args args_opt arg items fields field op_args
%type <names> params params_opt
%type <step> step steps
%type <opt> opts opt
%type <stmt> stmt pipe

%right ARROW
%precedence IN ELSE
%left OR
%left AND
%precedence NOT
%nonassoc EQ NE LT LE GT GE
%left PLUS MINUS
%left STAR SLASH PERCENT
%precedence UMINUS

%%

program
    : %empty
    | program stmt  { if ($2) add_stmt(ctx, $2); }
    ;

stmt
    : NL                                            { $$ = NULL; }
    | USE IDENT NL
        { $$ = sp_ast_stmt(ctx->arena, SP_S_USE, span(@1, @2));
          $$->name = $2.s; $$->name_loc = @2; }
    | PARAM IDENT ASSIGN expr NL
        { $$ = sp_ast_stmt(ctx->arena, SP_S_PARAM, span(@1, @4));
          $$->name = $2.s; $$->name_loc = @2; $$->value = $4; }
    | BATCH expr NL
        { $$ = sp_ast_stmt(ctx->arena, SP_S_BATCH, span(@1, @2)); $$->value = $2; }
    | FN IDENT LPAREN params_opt RPAREN ASSIGN expr NL
        { $$ = sp_ast_stmt(ctx->arena, SP_S_FN, span(@1, @7));
          $$->name = $2.s; $$->name_loc = @2; $$->params = $4;
          $$->nparams = sp_ast_name_count($4); $$->value = $7; }
    | SOURCE IDENT ASSIGN IDENT LPAREN args_opt RPAREN NL
        { $$ = sp_ast_stmt(ctx->arena, SP_S_SOURCE, span(@1, @7));
          $$->name = $2.s; $$->name_loc = @2; $$->kind_name = $4.s; $$->kind_loc = @4;
          $$->args = $6; $$->nargs = sp_ast_arg_count($6); }
    | SOURCE IDENT ASSIGN IDENT NL
        { $$ = sp_ast_stmt(ctx->arena, SP_S_SOURCE, span(@1, @4));
          $$->name = $2.s; $$->name_loc = @2; $$->kind_name = $4.s; $$->kind_loc = @4; }
    | IDENT ASSIGN pipe NL
        { $$ = $3; $$->name = $1.s; $$->name_loc = @1; $$->loc = span(@1, @3); }
    | pipe NL                                       { $$ = $1; }
    | error NL                                      { $$ = NULL; yyerrok; }
    ;

pipe
    : IDENT steps
        { $$ = sp_ast_stmt(ctx->arena, SP_S_PIPE, @$);
          $$->head = $1.s; $$->head_loc = @1; $$->steps = $2; }
    ;

steps
    : %empty                { $$ = NULL; }
    | steps PIPE step       { $$ = sp_ast_step_append($1, $3); }
    ;

step
    : IDENT opts
        { $$ = sp_ast_step(ctx->arena, $1.s, @1); $$->opts = $2; $$->loc = @$; }
    | IDENT op_args opts
        { $$ = sp_ast_step(ctx->arena, $1.s, @1); $$->args = $2;
          $$->nargs = sp_ast_arg_count($2); $$->opts = $3; $$->loc = @$; }
    | SINK IDENT
        { $$ = sp_ast_step(ctx->arena, $2.s, @2); $$->is_sink = 1; $$->loc = @$; }
    | SINK IDENT STRING
        { $$ = sp_ast_step(ctx->arena, $2.s, @2); $$->is_sink = 1; $$->loc = @$;
          sp_expr *t = sp_ast_expr(ctx->arena, SP_E_STRING, @3);
          t->u.str.s = $3.s; t->u.str.len = $3.len;
          $$->args = sp_ast_arg(ctx->arena, NULL, @3, t); $$->nargs = 1; }
    | SINK IDENT LPAREN args_opt RPAREN
        { $$ = sp_ast_step(ctx->arena, $2.s, @2); $$->is_sink = 1; $$->loc = @$;
          $$->args = $4; $$->nargs = sp_ast_arg_count($4); }
    ;

op_args
    : expr                  { $$ = sp_ast_arg(ctx->arena, NULL, @1, $1); }
    | op_args COMMA expr    { $$ = sp_ast_arg_append($1, sp_ast_arg(ctx->arena, NULL, @3, $3)); }
    ;

opts
    : %empty                { $$ = NULL; }
    | opts opt              { $$ = sp_ast_opt_append($1, $2); }
    ;

opt
    : SLIDE expr            { $$ = sp_ast_opt(ctx->arena, SP_OPT_SLIDE, @1, $2); }
    | INVERSE expr          { $$ = sp_ast_opt(ctx->arena, SP_OPT_INVERSE, @1, $2); }
    | BY expr               { $$ = sp_ast_opt(ctx->arena, SP_OPT_BY, @1, $2); }
    | DESC                  { $$ = sp_ast_opt(ctx->arena, SP_OPT_DESC, @1, NULL); }
    | ON expr               { $$ = sp_ast_opt(ctx->arena, SP_OPT_ON, @1, $2); }
    | WATERMARK expr        { $$ = sp_ast_opt(ctx->arena, SP_OPT_WATERMARK, @1, $2); }
    | LATE IDENT
        { sp_expr *name = sp_ast_expr(ctx->arena, SP_E_NAME, @2);
          name->u.name = $2.s;
          $$ = sp_ast_opt(ctx->arena, SP_OPT_LATE, @1, name); }
    ;

params_opt
    : %empty                { $$ = NULL; }
    | params                { $$ = $1; }
    ;

params
    : IDENT                 { $$ = sp_ast_name(ctx->arena, $1.s, @1); }
    | params COMMA IDENT    { $$ = sp_ast_name_append($1, sp_ast_name(ctx->arena, $3.s, @3)); }
    ;

args_opt
    : %empty                { $$ = NULL; }
    | args                  { $$ = $1; }
    ;

args
    : arg                   { $$ = $1; }
    | args COMMA arg        { $$ = sp_ast_arg_append($1, $3); }
    ;

arg
    : expr                  { $$ = sp_ast_arg(ctx->arena, NULL, @1, $1); }
    | IDENT COLON expr      { $$ = sp_ast_arg(ctx->arena, $1.s, @1, $3); }
    ;

expr
    : expr ARROW expr       { $$ = make_lambda(ctx, $1, $3, @$); }
    | LET IDENT ASSIGN expr IN expr
        { $$ = sp_ast_expr(ctx->arena, SP_E_LET, @$);
          $$->u.let.name = sp_ast_name(ctx->arena, $2.s, @2);
          $$->u.let.value = $4; $$->u.let.body = $6; }
    | IF expr THEN expr ELSE expr
        { $$ = sp_ast_expr(ctx->arena, SP_E_IF, @$);
          $$->u.cond.c = $2; $$->u.cond.t = $4; $$->u.cond.e = $6; }
    | expr OR expr          { $$ = make_binary(ctx, SP_OR, $1, $3, @$, @2); }
    | expr AND expr         { $$ = make_binary(ctx, SP_AND, $1, $3, @$, @2); }
    | NOT expr              { $$ = sp_ast_expr(ctx->arena, SP_E_UNARY, @$);
                              $$->u.unary.op = SP_NOT; $$->u.unary.e = $2; }
    | expr EQ expr          { $$ = make_binary(ctx, SP_EQ, $1, $3, @$, @2); }
    | expr NE expr          { $$ = make_binary(ctx, SP_NE, $1, $3, @$, @2); }
    | expr LT expr          { $$ = make_binary(ctx, SP_LT, $1, $3, @$, @2); }
    | expr LE expr          { $$ = make_binary(ctx, SP_LE, $1, $3, @$, @2); }
    | expr GT expr          { $$ = make_binary(ctx, SP_GT, $1, $3, @$, @2); }
    | expr GE expr          { $$ = make_binary(ctx, SP_GE, $1, $3, @$, @2); }
    | expr PLUS expr        { $$ = make_binary(ctx, SP_ADD, $1, $3, @$, @2); }
    | expr MINUS expr       { $$ = make_binary(ctx, SP_SUB, $1, $3, @$, @2); }
    | expr STAR expr        { $$ = make_binary(ctx, SP_MUL, $1, $3, @$, @2); }
    | expr SLASH expr       { $$ = make_binary(ctx, SP_DIV, $1, $3, @$, @2); }
    | expr PERCENT expr     { $$ = make_binary(ctx, SP_MOD, $1, $3, @$, @2); }
    | MINUS expr %prec UMINUS
        { $$ = sp_ast_expr(ctx->arena, SP_E_UNARY, @$);
          $$->u.unary.op = SP_NEG; $$->u.unary.e = $2; }
    | postfix               { $$ = $1; }
    ;

postfix
    : primary               { $$ = $1; }
    | postfix DOT IDENT
        { $$ = sp_ast_expr(ctx->arena, SP_E_FIELD, @$);
          $$->u.field.obj = $1; $$->u.field.name = $3.s; $$->u.field.name_loc = @3; }
    | postfix LBRACK expr RBRACK
        { $$ = sp_ast_expr(ctx->arena, SP_E_INDEX, @$);
          $$->u.index.obj = $1; $$->u.index.index = $3; }
    | postfix LPAREN args_opt RPAREN
        { $$ = sp_ast_expr(ctx->arena, SP_E_CALL, @$);
          $$->u.call.fn = $1; $$->u.call.args = $3; $$->u.call.nargs = sp_ast_arg_count($3); }
    ;

primary
    : INT                   { $$ = sp_ast_expr(ctx->arena, SP_E_INT, @$); $$->u.i = $1; }
    | FLOAT                 { $$ = sp_ast_expr(ctx->arena, SP_E_FLOAT, @$); $$->u.f = $1; }
    | DURATION              { $$ = sp_ast_expr(ctx->arena, SP_E_DURATION, @$); $$->u.i = $1; }
    | STRING                { $$ = sp_ast_expr(ctx->arena, SP_E_STRING, @$);
                              $$->u.str.s = $1.s; $$->u.str.len = $1.len; }
    | TRUE                  { $$ = sp_ast_expr(ctx->arena, SP_E_BOOL, @$); $$->u.b = 1; }
    | FALSE                 { $$ = sp_ast_expr(ctx->arena, SP_E_BOOL, @$); $$->u.b = 0; }
    | NUL                   { $$ = sp_ast_expr(ctx->arena, SP_E_NULL, @$); }
    | IT                    { $$ = sp_ast_expr(ctx->arena, SP_E_IT, @$); }
    | IDENT                 { $$ = sp_ast_expr(ctx->arena, SP_E_NAME, @$); $$->u.name = $1.s; }
    | LPAREN expr RPAREN    { $$ = $2; }
    | LPAREN expr COMMA items RPAREN
        { $$ = make_items(ctx, SP_E_TUPLE,
                          sp_ast_arg_append(sp_ast_arg(ctx->arena, NULL, @2, $2), $4), @$); }
    | LBRACK RBRACK         { $$ = make_items(ctx, SP_E_LIST, NULL, @$); }
    | LBRACK items RBRACK   { $$ = make_items(ctx, SP_E_LIST, $2, @$); }
    | LBRACE RBRACE         { $$ = make_items(ctx, SP_E_RECORD, NULL, @$); }
    | LBRACE fields RBRACE  { $$ = make_items(ctx, SP_E_RECORD, $2, @$); }
    ;

items
    : expr                  { $$ = sp_ast_arg(ctx->arena, NULL, @1, $1); }
    | items COMMA expr      { $$ = sp_ast_arg_append($1, sp_ast_arg(ctx->arena, NULL, @3, $3)); }
    ;

fields
    : field                 { $$ = $1; }
    | fields COMMA field    { $$ = sp_ast_arg_append($1, $3); }
    ;

field
    : IDENT COLON expr      { $$ = sp_ast_arg(ctx->arena, $1.s, @1, $3); }
    | STRING COLON expr     { $$ = sp_ast_arg(ctx->arena, $1.s, @1, $3); }
    ;

%%

static sp_loc span(sp_loc a, sp_loc b)
{
    sp_loc r = a;
    if (b.end > r.end)
        r.end = b.end;
    return r;
}

static void add_stmt(sp_parse_ctx *ctx, sp_stmt *s)
{
    if (ctx->last)
        ctx->last->next = s;
    else
        ctx->stmts = s;
    ctx->last = s;
}

static sp_expr *make_binary(sp_parse_ctx *ctx, sp_binop op, sp_expr *l, sp_expr *r,
                            sp_loc whole, sp_loc op_loc)
{
    sp_expr *e = sp_ast_expr(ctx->arena, SP_E_BINARY, whole);
    e->u.binary.op = op;
    e->u.binary.l = l;
    e->u.binary.r = r;
    e->u.binary.op_loc = op_loc;
    return e;
}

static sp_expr *make_items(sp_parse_ctx *ctx, sp_expr_kind kind, sp_arg *items, sp_loc loc)
{
    sp_expr *e = sp_ast_expr(ctx->arena, kind, loc);
    e->u.items.items = items;
    e->u.items.n = sp_ast_arg_count(items);
    return e;
}

/* `x -> body` and `(a, b) -> body` are parsed as `expr -> expr` (a cover
 * grammar, which keeps the parser LALR(1)); here the left side must turn out
 * to be one name or a tuple of names. */
static sp_expr *make_lambda(sp_parse_ctx *ctx, sp_expr *params, sp_expr *body, sp_loc whole)
{
    sp_expr *e = sp_ast_expr(ctx->arena, SP_E_LAMBDA, whole);
    e->u.lambda.body = body;
    if (params->kind == SP_E_NAME) {
        e->u.lambda.params = sp_ast_name(ctx->arena, params->u.name, params->loc);
        e->u.lambda.nparams = 1;
        return e;
    }
    if (params->kind == SP_E_TUPLE) {
        sp_name *list = NULL;
        for (sp_arg *a = params->u.items.items; a; a = a->next) {
            if (a->value->kind != SP_E_NAME) {
                sp_diag_error(ctx->diag, a->value->loc, "write the parameters as plain names: (a, b) -> ...",
                              "a function parameter must be a name");
                return e;
            }
            list = sp_ast_name_append(list, sp_ast_name(ctx->arena, a->value->u.name, a->value->loc));
        }
        e->u.lambda.params = list;
        e->u.lambda.nparams = sp_ast_name_count(list);
        return e;
    }
    sp_diag_error(ctx->diag, params->loc, "write 'x -> ...' or '(a, b) -> ...'",
                  "the left side of '->' must be a parameter name or a tuple of names");
    /* keep a usable node: one dummy parameter */
    e->u.lambda.params = sp_ast_name(ctx->arena, "_", params->loc);
    e->u.lambda.nparams = 1;
    return e;
}

static void sp_yyerror(sp_loc *loc, sp_scanner scanner, sp_parse_ctx *ctx, const char *msg)
{
    (void)scanner;
    sp_diag_error(ctx->diag, *loc, NULL, "%s", msg);
}

/* Describes the offending token the way a user wrote it. */
static const char *token_text(sp_parse_ctx *ctx, yysymbol_kind_t kind, sp_loc loc)
{
    switch (kind) {
    case YYSYMBOL_YYEOF: return "end of file";
    case YYSYMBOL_NL: return (size_t)loc.start >= ctx->len ? "end of file" : "end of line";
    case YYSYMBOL_IDENT: return sp_arena_printf(ctx->arena, "name '%.*s'", loc.end - loc.start, ctx->text + loc.start);
    case YYSYMBOL_STRING: return "string";
    case YYSYMBOL_INT: case YYSYMBOL_FLOAT: case YYSYMBOL_DURATION:
        return sp_arena_printf(ctx->arena, "'%.*s'", loc.end - loc.start, ctx->text + loc.start);
    default: return yysymbol_name(kind);
    }
}

/* Is the innermost open bracket closed later on the line of `off`?  Then a
 * syntax error inside it is not about the bracket.  (Brackets inside strings
 * are skipped roughly; this only decides whether to show a hint.) */
static int closes_on_this_line(const sp_parse_ctx *ctx, int off)
{
    int depth = 0;
    char quote = 0;
    for (size_t i = (size_t)off; i < ctx->len && ctx->text[i] != '\n'; i++) {
        char c = ctx->text[i];
        if (quote) {
            if (c == '\\' && quote == '"')
                i++;
            else if (c == quote)
                quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#') {
            break;
        } else if (c == '(' || c == '[' || c == '{') {
            depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            if (--depth < 0)
                return 1;
        }
    }
    return 0;
}

/* Syntax errors read "unexpected X, expected Y", with the set of expected
 * tokens summarised when it is large, and a hint when a common slip is
 * recognised (an unclosed bracket, '=' for '==', a missing '|'). */
static int yyreport_syntax_error(const yypcontext_t *yyctx, sp_scanner scanner, sp_parse_ctx *ctx)
{
    (void)scanner;
    yysymbol_kind_t got = yypcontext_token(yyctx);
    sp_loc loc = *yypcontext_location(yyctx);
    if (ctx->lex_error) /* the scanner has explained what is wrong here */
        return 0;
    yysymbol_kind_t expected[64];
    int n = yypcontext_expected_tokens(yyctx, expected, 64);
    int wants_expr = 0, wants_nl = 0, wants_name = 0, wants_else = 0, wants_in = 0, wants_then = 0;
    for (int i = 0; i < n; i++) {
        if (expected[i] == YYSYMBOL_INT)
            wants_expr = 1;
        if (expected[i] == YYSYMBOL_NL)
            wants_nl = 1;
        if (expected[i] == YYSYMBOL_IDENT)
            wants_name = 1;
        if (expected[i] == YYSYMBOL_ELSE)
            wants_else = 1;
        if (expected[i] == YYSYMBOL_IN)
            wants_in = 1;
        if (expected[i] == YYSYMBOL_THEN)
            wants_then = 1;
    }
    char what[256];
    if (n <= 0)
        what[0] = '\0';
    else if (wants_expr)
        snprintf(what, sizeof what, ", expected an expression");
    else if (wants_else)
        snprintf(what, sizeof what, ", expected 'else'");
    else if (wants_in)
        snprintf(what, sizeof what, ", expected 'in'");
    else if (wants_then)
        snprintf(what, sizeof what, ", expected 'then'");
    else if (n <= 4) {
        size_t used = (size_t)snprintf(what, sizeof what, ", expected ");
        for (int i = 0; i < n && used < sizeof what; i++)
            used += (size_t)snprintf(what + used, sizeof what - used, "%s%s",
                                     i == 0 ? "" : i == n - 1 ? " or " : ", ",
                                     yysymbol_name(expected[i]));
    } else
        what[0] = '\0';

    const char *hint = NULL;
    char hintbuf[160];
    /* An opening bracket that is itself the unexpected token is not the one
     * to blame. */
    int depth = ctx->depth;
    if (got == YYSYMBOL_LPAREN || got == YYSYMBOL_LBRACK || got == YYSYMBOL_LBRACE)
        depth--;
    int at_abandoned = ctx->have_unclosed && loc.start == ctx->unclosed_at;
    ctx->have_unclosed = 0;
    int prev = ctx->prev_tokens[0]; /* the token before the unexpected one */
    int keyword = got >= YYSYMBOL_USE && got <= YYSYMBOL_LATE;
    if ((depth > 0 && !closes_on_this_line(ctx, loc.start)) || at_abandoned) {
        sp_bracket b = depth > 0 ? ctx->brackets[(depth <= SP_LEX_MAX_BRACKETS ? depth : SP_LEX_MAX_BRACKETS) - 1]
                                 : ctx->unclosed;
        int line, col;
        sp_diag_position(ctx->diag, b.loc, &line, &col);
        snprintf(hintbuf, sizeof hintbuf, "unclosed '%c' opened at %d:%d", b.open, line, col);
        hint = hintbuf;
        /* Of a long list of possibilities, the closing bracket is the one
         * that matters. */
        yysymbol_kind_t closer = b.open == '(' ? YYSYMBOL_RPAREN : b.open == '[' ? YYSYMBOL_RBRACK : YYSYMBOL_RBRACE;
        for (int i = 0; i < n && !wants_expr; i++)
            if (expected[i] == closer)
                snprintf(what, sizeof what, ", expected %s", yysymbol_name(closer));
    } else if (wants_else) {
        hint = "an 'if' needs both branches: if CONDITION then A else B";
    } else if (wants_in) {
        hint = "write: let NAME = VALUE in EXPRESSION";
    } else if (got == YYSYMBOL_ASSIGN && prev == BATCH) {
        hint = "the batch interval is written without '=': batch 10s";
    } else if (got == YYSYMBOL_ASSIGN && prev == SOURCE) {
        hint = "a source needs a name: source NAME = file(\"...\")";
    } else if (got == YYSYMBOL_SINK) {
        hint = "a sink comes after '|' at the end of a pipeline: ... | sink stdout";
    } else if (keyword && wants_name && n == 1) {
        snprintf(hintbuf, sizeof hintbuf, "%s is a keyword; choose another name", yysymbol_name(got));
        hint = hintbuf;
    } else if (got == YYSYMBOL_ASSIGN && !wants_nl) {
        hint = "to compare two values write '=='";
    } else if (got == YYSYMBOL_ASSIGN) {
        hint = "to compare two values write '=='; to name a stream write 'name = source | ...' on its own line";
    } else if (wants_nl && got == YYSYMBOL_IDENT) {
        hint = "separate the steps of a pipeline with '|', and several arguments with ','";
    } else if (got == YYSYMBOL_SINK) {
        hint = "a sink comes after '|' at the end of a pipeline: ... | sink stdout";
    }
    sp_diag_error(ctx->diag, loc, hint, "syntax error: unexpected %s%s",
                  token_text(ctx, got, loc), what);
    return 0;
}

int sp_parser_run(sp_scanner scanner, sp_parse_ctx *ctx)
{
    return sp_yyparse(scanner, ctx);
}
