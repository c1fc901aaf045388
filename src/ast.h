/* ast.h - the abstract syntax tree of a pipeline file.
 *
 * The parser builds it; the checker annotates it (types, resolved names); the
 * planner reads it.  Every node carries the source range it came from, so any
 * later pass can point at the text.  All nodes and strings live in the
 * compilation's arena and are freed with it: nothing here is freed alone.
 * Lists are singly linked through `next`, in source order. */
#ifndef SP_AST_H
#define SP_AST_H

#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "srcfile.h"

typedef struct sp_expr sp_expr;
typedef struct sp_type sp_type;

typedef enum sp_expr_kind {
    SP_E_INT,      /* integer literal: u.i */
    SP_E_FLOAT,    /* floating-point literal: u.f */
    SP_E_STRING,   /* string literal: u.str */
    SP_E_BOOL,     /* true / false: u.b */
    SP_E_NULL,     /* null */
    SP_E_DURATION, /* 500ms, 10s, 5m, 1h, 1d: u.i milliseconds */
    SP_E_NAME,     /* identifier: u.name */
    SP_E_IT,       /* it: the element an operator is looking at */
    SP_E_FIELD,    /* e.name: u.field */
    SP_E_INDEX,    /* e[i]: u.index */
    SP_E_CALL,     /* f(args): u.call */
    SP_E_UNARY,    /* -e, not e: u.unary */
    SP_E_BINARY,   /* e op e: u.binary */
    SP_E_IF,       /* if c then a else b: u.cond */
    SP_E_LET,      /* let x = v in body: u.let */
    SP_E_LAMBDA,   /* x -> body, (a, b) -> body: u.lambda */
    SP_E_TUPLE,    /* (a, b, ...): u.items */
    SP_E_RECORD,   /* {name: e, ...}: u.items, each with a name */
    SP_E_LIST      /* [a, b, ...]: u.items */
} sp_expr_kind;

typedef enum sp_binop {
    SP_ADD, SP_SUB, SP_MUL, SP_DIV, SP_MOD,
    SP_EQ, SP_NE, SP_LT, SP_LE, SP_GT, SP_GE,
    SP_AND, SP_OR
} sp_binop;

typedef enum sp_unop { SP_NEG, SP_NOT } sp_unop;

/* A name with its place: parameter lists, `let` bindings. */
typedef struct sp_name {
    const char *name;     /* the identifier */
    sp_loc loc;           /* where it is written */
    struct sp_name *next; /* next in the list */
} sp_name;

/* An argument, tuple/list item or record field. */
typedef struct sp_arg {
    const char *name;    /* `name: value` form, else NULL */
    sp_loc name_loc;     /* where the name is written */
    sp_expr *value;      /* the value */
    struct sp_arg *next; /* next in the list */
} sp_arg;

/* How the checker resolved an SP_E_NAME. */
typedef enum sp_resolution {
    SP_R_UNRESOLVED, /* not (yet) resolved */
    SP_R_LOCAL,      /* lambda, let or function parameter: slot */
    SP_R_FIELD,      /* field of the implicit element `it`: u.name */
    SP_R_PARAM,      /* pipeline parameter: target is its statement */
    SP_R_FUNCTION,   /* function defined in the language: target is its statement */
    SP_R_BUILTIN,    /* built-in function: slot is its index */
    SP_R_STREAM      /* a stream name (join/union argument): target */
} sp_resolution;

struct sp_expr {
    sp_expr_kind kind; /* which union member is used */
    sp_loc loc;        /* the whole expression's text */
    union {
        int64_t i; /* SP_E_INT, SP_E_DURATION (ms) */
        double f;  /* SP_E_FLOAT */
        int b;     /* SP_E_BOOL */
        struct {
            const char *s; /* decoded bytes, NUL-terminated */
            size_t len;    /* length (may contain NULs) */
        } str;
        const char *name; /* SP_E_NAME */
        struct {
            sp_expr *obj;     /* the record or tuple */
            const char *name; /* field name */
            sp_loc name_loc;  /* where the name is written */
        } field;
        struct {
            sp_expr *obj, *index;
        } index;
        struct {
            sp_expr *fn;  /* callee (usually an SP_E_NAME) */
            sp_arg *args; /* arguments */
            int nargs;    /* number of arguments */
        } call;
        struct {
            sp_unop op;
            sp_expr *e;
        } unary;
        struct {
            sp_binop op;
            sp_expr *l, *r;
            sp_loc op_loc; /* where the operator is written */
        } binary;
        struct {
            sp_expr *c, *t, *e;
        } cond;
        struct {
            sp_name *name;
            sp_expr *value, *body;
        } let;
        struct {
            sp_name *params; /* one or more names */
            int nparams;
            sp_expr *body;
            int first_slot; /* checker: slot of the first parameter */
        } lambda;
        struct {
            sp_arg *items;
            int n;
        } items;
    } u;
    /* Filled by the checker. */
    const sp_type *type;      /* static type, never NULL after checking */
    sp_resolution resolution; /* SP_E_NAME / SP_E_CALL callee */
    int slot;                 /* local slot or builtin index */
    const void *target;       /* resolved statement, when there is one */
    /* Filled by the runtime's preparation (sp_eval_prepare). */
    void *rt;                 /* CALL: prepared regex (sp_regex); RECORD: shape */
    /* FIELD, NAME of a field: an inline cache of the evaluator, the id of the
     * last prepared record shape seen << 32 | the field's index in it; read
     * and written atomically (evaluators of several threads share it). */
    uint64_t field_cache;
    /* An operator's argument, when it is of a shape the evaluator runs
     * without a frame (eval.c, "frame-less step expressions"): that form,
     * made by sp_eval_prepare in its arena; else NULL. */
    const struct sp_fast *fast;
};

typedef enum sp_opt_kind {
    SP_OPT_SLIDE,   /* slide DURATION */
    SP_OPT_INVERSE, /* inverse FUNCTION */
    SP_OPT_BY,      /* by EXPR */
    SP_OPT_DESC,    /* desc (no value) */
    SP_OPT_ON,      /* on EXPR: the event time of an element (ms) */
    SP_OPT_WATERMARK, /* watermark DURATION: how late an element may come */
    SP_OPT_LATE     /* late NAME: a stream of the elements that came too late */
} sp_opt_kind;

/* A keyword option after an operator's arguments. */
typedef struct sp_opt {
    sp_opt_kind kind;    /* which option */
    sp_loc loc;          /* the keyword */
    sp_expr *value;      /* its value, NULL for desc; late: the name (an SP_E_NAME) */
    struct sp_opt *next; /* next option */
} sp_opt;

/* One `| step` of a pipeline: an operator or the final sink. */
typedef struct sp_step {
    sp_loc loc;           /* the whole step */
    const char *name;     /* operator name, or the sink kind */
    sp_loc name_loc;      /* where the name is written */
    int is_sink;          /* `sink KIND ...` */
    sp_arg *args;         /* arguments */
    int nargs;            /* number of arguments */
    sp_opt *opts;         /* keyword options */
    struct sp_step *next; /* next step */
    int op;               /* checker: operator id (sp_op_id) or sink id */
    const sp_type *in_type;  /* checker: element type flowing in */
    const sp_type *out_type; /* checker: element type flowing out */
    int nlocals;             /* checker: local slots its expressions need */
    int64_t length_ms;       /* checker: window length, 0 when not windowed */
    int64_t slide_ms;        /* checker: window slide */
    int64_t n;               /* checker: N of top / take */
    int event_time;          /* checker: windows over `on TIME`, not batches */
    int64_t lateness_ms;     /* checker: the watermark's allowed lateness */
    const struct sp_stmt *other; /* checker: the other stream of join / union */
} sp_step;

typedef enum sp_stmt_kind {
    SP_S_USE,    /* use NAME */
    SP_S_PARAM,  /* param NAME = EXPR */
    SP_S_BATCH,  /* batch DURATION */
    SP_S_FN,     /* fn NAME(PARAMS) = EXPR */
    SP_S_SOURCE, /* source NAME = KIND(ARGS) */
    SP_S_PIPE    /* [NAME =] HEAD | step | ... */
} sp_stmt_kind;

typedef struct sp_stmt {
    sp_stmt_kind kind;    /* which statement */
    sp_loc loc;           /* the whole statement */
    const char *name;     /* defined name; NULL for an unnamed pipeline, batch */
    sp_loc name_loc;      /* where the name is written */
    sp_expr *value;       /* PARAM default, BATCH interval, FN body */
    sp_name *params;      /* FN parameters */
    int nparams;          /* FN parameter count */
    const char *kind_name; /* SOURCE kind (file, stdin, ...) */
    sp_loc kind_loc;      /* where the kind is written */
    sp_arg *args;         /* SOURCE arguments */
    int nargs;            /* SOURCE argument count */
    const char *head;     /* PIPE: the stream it reads */
    sp_loc head_loc;      /* where the head is written */
    sp_step *steps;       /* PIPE: its steps */
    struct sp_stmt *next; /* next statement */
    /* Filled by the checker. */
    const sp_type *type;  /* PARAM: value type; PIPE/SOURCE: element type */
    int checking;         /* cycle detection while checking */
    int checked;          /* done */
    int used;             /* some pipeline or call refers to it */
    int nlocals;          /* FN: local slots needed by the body */
    /* Filled by sp_eval_prepare: FN whose definition is, to the letter, one
     * the evaluator has in C (SP_NATIVE_*), else 0. */
    int native;
    const char *param_override; /* PARAM: the -p value, if any */
    const struct sp_stmt *late_parent; /* a `late NAME` stream: the pipeline holding the window */
    const struct sp_step *late_step;   /* ... and the windowed step whose late elements it carries */
} sp_stmt;

/* A whole compilation: the main file and every library file it uses. */
typedef struct sp_program {
    const char *name;  /* display name of the main file */
    int main_file;     /* its file index */
    sp_stmt *stmts;    /* statements of the main file */
    sp_stmt *library;  /* `fn` statements of the prelude and used files */
    sp_stmt *late_streams; /* made by the checker: one per `late NAME` option */
} sp_program;

/* Is e (checked) a call of the built-in whose index is `builtin`? */
int sp_ast_calls_builtin(const sp_expr *e, int builtin);

/* Constructors used by the parser; every result lives in `a`. */
sp_expr *sp_ast_expr(sp_arena *a, sp_expr_kind kind, sp_loc loc);
sp_arg *sp_ast_arg(sp_arena *a, const char *name, sp_loc name_loc, sp_expr *value);
sp_name *sp_ast_name(sp_arena *a, const char *name, sp_loc loc);
sp_stmt *sp_ast_stmt(sp_arena *a, sp_stmt_kind kind, sp_loc loc);
sp_step *sp_ast_step(sp_arena *a, const char *name, sp_loc name_loc);
sp_opt *sp_ast_opt(sp_arena *a, sp_opt_kind kind, sp_loc loc, sp_expr *value);

/* Appends to a list; returns the head. */
sp_arg *sp_ast_arg_append(sp_arg *list, sp_arg *item);
sp_name *sp_ast_name_append(sp_name *list, sp_name *item);
sp_step *sp_ast_step_append(sp_step *list, sp_step *item);
sp_opt *sp_ast_opt_append(sp_opt *list, sp_opt *item);
int sp_ast_arg_count(const sp_arg *list);
int sp_ast_name_count(const sp_name *list);

/* Writes e as source text (normalised spacing), at most `max` bytes of it,
 * ending with "..." when cut; used for DAG labels and fingerprints. */
void sp_ast_expr_print(const sp_expr *e, FILE *out);
/* Same into an arena string, cut to at most `max` characters. */
char *sp_ast_expr_string(sp_arena *a, const sp_expr *e, size_t max);

/* Writes a duration in the most readable unit: 500ms, 10s, 5m, 1h, 1d. */
void sp_ast_format_duration(int64_t ms, char *buf, size_t size);

const char *sp_ast_binop_text(sp_binop op);

#endif
