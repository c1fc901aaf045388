/* lex.h - state shared by the scanner (grammar/lexer.l), the parser
 * (grammar/parser.y) and the parse driver (parse.c).
 *
 * There are no globals in the front end: everything the scanner and parser
 * need lives in one sp_parse_ctx, reached through flex's yyextra and bison's
 * %parse-param. */
#ifndef SP_LEX_H
#define SP_LEX_H

#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

#define SP_LEX_MAX_BRACKETS 256

/* An open bracket waiting for its partner. */
typedef struct sp_bracket {
    char open;  /* '(', '[' or '{' */
    sp_loc loc; /* where it is */
} sp_bracket;

typedef struct sp_parse_ctx {
    sp_diag *diag;      /* where errors go; not owned */
    sp_arena *arena;    /* owns the AST; not owned */
    int file;           /* index of the file being parsed */
    const char *text;   /* its text; not owned */
    size_t len;         /* its length */
    int off;            /* byte offset of the scanner */
    int last_ends;      /* the last token can end a statement */
    int any_token;      /* a token was returned (the file is not empty) */
    int in_statement;   /* tokens were returned since the last newline token */
    int eof_done;       /* the end-of-file newline was returned */
    sp_bracket brackets[SP_LEX_MAX_BRACKETS]; /* open brackets, innermost last */
    int depth;          /* number of open brackets (may exceed the array) */
    sp_bracket unclosed; /* a bracket abandoned by recovery, for a hint */
    int have_unclosed;   /* unclosed is set */
    int unclosed_at;     /* offset of the line break where it was abandoned */
    int lex_error;       /* the scanner reported an error in this statement */
    int prev_tokens[2];  /* the last two tokens returned, newest last */
    sp_stmt *stmts;     /* parsed statements, in order */
    sp_stmt *last;      /* last of them */
} sp_parse_ctx;

/* The scanner's handle (flex's yyscan_t). */
typedef void *sp_scanner;

/* Creates a scanner over ctx->text; returns NULL on failure. */
sp_scanner sp_lex_new(sp_parse_ctx *ctx);
/* Frees it.  Accepts NULL. */
void sp_lex_free(sp_scanner s);

/* Runs the bison parser; returns 0 when the file parsed without errors. */
int sp_parser_run(sp_scanner s, sp_parse_ctx *ctx);

#endif
