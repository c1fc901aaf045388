/* ast.c - AST constructors and the expression printer. */
#include "ast.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

sp_expr *sp_ast_expr(sp_arena *a, sp_expr_kind kind, sp_loc loc)
{
    sp_expr *e = sp_arena_alloc(a, sizeof *e);
    e->kind = kind;
    e->loc = loc;
    e->slot = -1;
    return e;
}

sp_arg *sp_ast_arg(sp_arena *a, const char *name, sp_loc name_loc, sp_expr *value)
{
    sp_arg *g = sp_arena_alloc(a, sizeof *g);
    g->name = name;
    g->name_loc = name_loc;
    g->value = value;
    return g;
}

sp_name *sp_ast_name(sp_arena *a, const char *name, sp_loc loc)
{
    sp_name *n = sp_arena_alloc(a, sizeof *n);
    n->name = name;
    n->loc = loc;
    return n;
}

sp_stmt *sp_ast_stmt(sp_arena *a, sp_stmt_kind kind, sp_loc loc)
{
    sp_stmt *s = sp_arena_alloc(a, sizeof *s);
    s->kind = kind;
    s->loc = loc;
    return s;
}

sp_step *sp_ast_step(sp_arena *a, const char *name, sp_loc name_loc)
{
    sp_step *s = sp_arena_alloc(a, sizeof *s);
    s->name = name;
    s->name_loc = name_loc;
    s->loc = name_loc;
    s->op = -1;
    return s;
}

sp_opt *sp_ast_opt(sp_arena *a, sp_opt_kind kind, sp_loc loc, sp_expr *value)
{
    sp_opt *o = sp_arena_alloc(a, sizeof *o);
    o->kind = kind;
    o->loc = loc;
    o->value = value;
    return o;
}

#define LIST_APPEND(type, list, item)      \
    do {                                   \
        if (!(list))                       \
            return (item);                 \
        type *last_ = (list);              \
        while (last_->next)                \
            last_ = last_->next;           \
        last_->next = (item);              \
        return (list);                     \
    } while (0)

sp_arg *sp_ast_arg_append(sp_arg *list, sp_arg *item) { LIST_APPEND(sp_arg, list, item); }
sp_name *sp_ast_name_append(sp_name *list, sp_name *item) { LIST_APPEND(sp_name, list, item); }
sp_step *sp_ast_step_append(sp_step *list, sp_step *item) { LIST_APPEND(sp_step, list, item); }
sp_opt *sp_ast_opt_append(sp_opt *list, sp_opt *item) { LIST_APPEND(sp_opt, list, item); }

int sp_ast_arg_count(const sp_arg *list)
{
    int n = 0;
    for (; list; list = list->next)
        n++;
    return n;
}

int sp_ast_name_count(const sp_name *list)
{
    int n = 0;
    for (; list; list = list->next)
        n++;
    return n;
}

const char *sp_ast_binop_text(sp_binop op)
{
    static const char *const text[] = {"+", "-", "*", "/", "%", "==", "!=", "<",
                                       "<=", ">", ">=", "and", "or"};
    return text[op];
}

/* Binding strength, higher binds tighter; matches grammar/parser.y. */
static int expr_precedence(const sp_expr *e)
{
    switch (e->kind) {
    case SP_E_LAMBDA: return 1;
    case SP_E_LET:
    case SP_E_IF: return 2;
    case SP_E_BINARY:
        switch (e->u.binary.op) {
        case SP_OR: return 3;
        case SP_AND: return 4;
        case SP_EQ: case SP_NE: case SP_LT: case SP_LE: case SP_GT: case SP_GE: return 6;
        case SP_ADD: case SP_SUB: return 7;
        default: return 8;
        }
    case SP_E_UNARY: return e->u.unary.op == SP_NOT ? 5 : 9;
    default: return 10;
    }
}

void sp_ast_format_duration(int64_t ms, char *buf, size_t size)
{
    static const struct { int64_t ms; const char *unit; } units[] = {
        {86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (ms != 0 && ms % units[i].ms == 0) {
            snprintf(buf, size, "%" PRId64 "%s", ms / units[i].ms, units[i].unit);
            return;
        }
    }
    snprintf(buf, size, "%" PRId64 "ms", ms);
}

static void print_string(const char *s, size_t len, FILE *out)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        default:
            if (c < 0x20 || c == 0x7f)
                fprintf(out, "\\x%02x", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

static void print_items(const sp_arg *a, FILE *out)
{
    for (; a; a = a->next) {
        if (a->name)
            fprintf(out, "%s: ", a->name);
        sp_ast_expr_print(a->value, out);
        if (a->next)
            fputs(", ", out);
    }
}

static void print_sub(const sp_expr *e, int min_prec, FILE *out)
{
    if (expr_precedence(e) < min_prec) {
        fputc('(', out);
        sp_ast_expr_print(e, out);
        fputc(')', out);
    } else {
        sp_ast_expr_print(e, out);
    }
}

void sp_ast_expr_print(const sp_expr *e, FILE *out)
{
    char buf[64];
    switch (e->kind) {
    case SP_E_INT: fprintf(out, "%" PRId64, e->u.i); break;
    case SP_E_FLOAT: fprintf(out, "%.17g", e->u.f); break;
    case SP_E_STRING: print_string(e->u.str.s, e->u.str.len, out); break;
    case SP_E_BOOL: fputs(e->u.b ? "true" : "false", out); break;
    case SP_E_NULL: fputs("null", out); break;
    case SP_E_DURATION:
        sp_ast_format_duration(e->u.i, buf, sizeof buf);
        fputs(buf, out);
        break;
    case SP_E_NAME: fputs(e->u.name, out); break;
    case SP_E_IT: fputs("it", out); break;
    case SP_E_FIELD:
        print_sub(e->u.field.obj, 10, out);
        fprintf(out, ".%s", e->u.field.name);
        break;
    case SP_E_INDEX:
        print_sub(e->u.index.obj, 10, out);
        fputc('[', out);
        sp_ast_expr_print(e->u.index.index, out);
        fputc(']', out);
        break;
    case SP_E_CALL:
        print_sub(e->u.call.fn, 10, out);
        fputc('(', out);
        print_items(e->u.call.args, out);
        fputc(')', out);
        break;
    case SP_E_UNARY:
        fputs(e->u.unary.op == SP_NOT ? "not " : "-", out);
        print_sub(e->u.unary.e, expr_precedence(e), out);
        break;
    case SP_E_BINARY: {
        int p = expr_precedence(e);
        print_sub(e->u.binary.l, p, out);
        fprintf(out, " %s ", sp_ast_binop_text(e->u.binary.op));
        print_sub(e->u.binary.r, p + 1, out);
        break;
    }
    case SP_E_IF:
        fputs("if ", out);
        sp_ast_expr_print(e->u.cond.c, out);
        fputs(" then ", out);
        sp_ast_expr_print(e->u.cond.t, out);
        fputs(" else ", out);
        sp_ast_expr_print(e->u.cond.e, out);
        break;
    case SP_E_LET:
        fprintf(out, "let %s = ", e->u.let.name->name);
        sp_ast_expr_print(e->u.let.value, out);
        fputs(" in ", out);
        sp_ast_expr_print(e->u.let.body, out);
        break;
    case SP_E_LAMBDA: {
        const sp_name *p = e->u.lambda.params;
        if (e->u.lambda.nparams == 1) {
            fputs(p->name, out);
        } else {
            fputc('(', out);
            for (; p; p = p->next)
                fprintf(out, "%s%s", p->name, p->next ? ", " : "");
            fputc(')', out);
        }
        fputs(" -> ", out);
        sp_ast_expr_print(e->u.lambda.body, out);
        break;
    }
    case SP_E_TUPLE:
        fputc('(', out);
        print_items(e->u.items.items, out);
        fputc(')', out);
        break;
    case SP_E_RECORD:
        fputc('{', out);
        print_items(e->u.items.items, out);
        fputc('}', out);
        break;
    case SP_E_LIST:
        fputc('[', out);
        print_items(e->u.items.items, out);
        fputc(']', out);
        break;
    }
}

char *sp_ast_expr_string(sp_arena *a, const sp_expr *e, size_t max)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem)
        return sp_arena_strdup(a, "?");
    sp_ast_expr_print(e, mem);
    fclose(mem);
    char *r;
    if (max >= 4 && len > max) {
        /* cut on a character boundary */
        size_t cut = max - 3;
        while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
            cut--;
        r = sp_arena_printf(a, "%.*s...", (int)cut, buf);
    } else {
        r = sp_arena_strndup(a, buf, len);
    }
    free(buf);
    return r;
}

int sp_ast_calls_builtin(const sp_expr *e, int builtin)
{
    return e && e->kind == SP_E_CALL && e->u.call.fn->kind == SP_E_NAME && e->u.call.fn->resolution == SP_R_BUILTIN &&
           e->u.call.fn->slot == builtin;
}
