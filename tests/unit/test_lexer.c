/* test_lexer.c - the scanner (grammar/lexer.l), seen through the parser:
 * literals, strings, comments, the newline rules and lexical errors. */
#include "test_util.h"

/* The default value of the parameter `name`, or NULL. */
static sp_expr *param_value(const sp_unit *u, const char *name)
{
    sp_stmt *s = tu_named(u, name);
    return s && s->kind == SP_S_PARAM ? s->value : NULL;
}

/* ----- numbers and durations ----- */

static void test_duration_in_ms(void)
{
    sp_unit *u = tu_parse("param a = 500ms\n"
                          "param b = 10s\n"
                          "param c = 5m\n"
                          "param d = 1h\n"
                          "param e = 1d\n"
                          "param f = 0ms\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    static const struct { const char *name; int64_t ms; } want[] = {
        {"a", 500}, {"b", 10000}, {"c", 300000}, {"d", 3600000}, {"e", 86400000}, {"f", 0}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sp_expr *e = param_value(u, want[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        TU_EXPECT_INT(e->kind, SP_E_DURATION);
        TU_EXPECT_INT(e->u.i, want[i].ms);
    }
}

static void test_integer_literals(void)
{
    sp_unit *u = tu_parse("param a = 0\n"
                          "param b = 42\n"
                          "param c = 9223372036854775807\n"
                          "param d = 007\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    static const struct { const char *name; int64_t v; } want[] = {
        {"a", 0}, {"b", 42}, {"c", INT64_MAX}, {"d", 7}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sp_expr *e = param_value(u, want[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        TU_EXPECT_INT(e->kind, SP_E_INT);
        TU_EXPECT_INT(e->u.i, want[i].v);
    }
}

static void test_float_literals(void)
{
    sp_unit *u = tu_parse("param a = 2.5\n"
                          "param b = 1e3\n"
                          "param c = 1.5e-2\n"
                          "param d = 2E+2\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    static const struct { const char *name; double v; } want[] = {
        {"a", 2.5}, {"b", 1000.0}, {"c", 0.015}, {"d", 200.0}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sp_expr *e = param_value(u, want[i].name);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        TU_EXPECT_INT(e->kind, SP_E_FLOAT);
        CU_ASSERT_DOUBLE_EQUAL(e->u.f, want[i].v, 1e-12);
    }
}

static void test_negative_number_is_unary_minus(void)
{
    sp_unit *u = tu_parse("param a = -3\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_UNARY);
    TU_EXPECT_INT(e->u.unary.op, SP_NEG);
    TU_EXPECT_INT(e->u.unary.e->kind, SP_E_INT);
    TU_EXPECT_INT(e->u.unary.e->u.i, 3);
}

/* ----- strings ----- */

static void test_string_escapes(void)
{
    sp_unit *u = tu_parse("param s = \"a\\\\b\\x41\\n\\t\\r\\\"q\\'\\0z\"\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "s");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_STRING);
    static const char want[] = "a\\bA\n\t\r\"q'\0z";
    TU_EXPECT_INT(e->u.str.len, sizeof want - 1);
    CU_ASSERT(e->u.str.len == sizeof want - 1 && memcmp(e->u.str.s, want, sizeof want - 1) == 0);
    TU_EXPECT_INT(e->u.str.s[e->u.str.len], '\0');
}

static void test_hex_escape_either_case(void)
{
    sp_unit *u = tu_parse("param s = \"\\x4a\\x4A\\x7e\\xff\"\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "s");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->u.str.len, 4);
    CU_ASSERT(memcmp(e->u.str.s, "JJ~\xff", 4) == 0);
}

static void test_raw_string(void)
{
    sp_unit *u = tu_parse("param re = '^(\\S+) \"\\d\" \\x41'\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "re");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_INT(e->kind, SP_E_STRING);
    TU_EXPECT_STR(e->u.str.s, "^(\\S+) \"\\d\" \\x41");
    TU_EXPECT_INT(e->u.str.len, strlen("^(\\S+) \"\\d\" \\x41"));
}

static void test_empty_strings(void)
{
    sp_unit *u = tu_parse("param a = \"\"\nparam b = ''\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *a = param_value(u, "a"), *b = param_value(u, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    TU_EXPECT_INT(a->u.str.len, 0);
    TU_EXPECT_STR(a->u.str.s, "");
    TU_EXPECT_INT(b->u.str.len, 0);
    TU_EXPECT_STR(b->u.str.s, "");
}

static void test_unicode_in_string(void)
{
    sp_unit *u = tu_parse("param s = \"caf\xc3\xa9\"\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_expr *e = param_value(u, "s");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    TU_EXPECT_STR(e->u.str.s, "caf\xc3\xa9");
    TU_EXPECT_INT(e->u.str.len, 5);
}

static void test_unknown_escape(void)
{
    sp_unit *u = tu_parse("param s = \"a\\qb\"\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unknown escape '\\q' in string", 1, 13,
                    "escapes are \\n \\t \\r \\0 \\\\ \\\" \\' \\xHH; for a regular expression use a raw '...' string");
}

static void test_short_hex_escape(void)
{
    sp_unit *u = tu_parse("param s = \"\\x4\"\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    int i = tu_find(u, "unknown escape '\\x' in string");
    CU_ASSERT(i >= 0);
    if (i >= 0) {
        TU_EXPECT_INT(sp_diag_line(u->d, i), 1);
        TU_EXPECT_INT(sp_diag_col(u->d, i), 12);
    }
}

/* ----- comments and newlines ----- */

static void test_comments(void)
{
    sp_unit *u = tu_parse("# a whole-line comment\n"
                          "param a = 1   # after a statement: param b = 2\n"
                          "\n"
                          "   # indented comment\n"
                          "param c = \"# not a comment\"\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(u), 2);
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "a"));
    CU_ASSERT_PTR_NULL(tu_named(u, "b"));
    sp_expr *c = param_value(u, "c");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    TU_EXPECT_STR(c->u.str.s, "# not a comment");
}

static void test_pipe_line_continues(void)
{
    sp_unit *u = tu_parse("errors = access\n"
                          "  | filter status >= 500\n"
                          "  # a comment between steps\n"
                          "  | map (status, 1)\n"
                          "errors | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(u), 2);
    sp_stmt *s = tu_stmt(u, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    TU_EXPECT_STR(s->name, "errors");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tu_step(s, 1));
    TU_EXPECT_STR(tu_step(s, 0)->name, "filter");
    TU_EXPECT_STR(tu_step(s, 1)->name, "map");
    CU_ASSERT_PTR_NULL(tu_step(s, 2));
}

static void test_keyword_line_continues(void)
{
    sp_unit *u = tu_parse("param a = if true\n"
                          "  then 1\n"
                          "  else 2\n"
                          "param b = true\n"
                          "  and false\n"
                          "  or true\n"
                          "fn f(x) = x\n"
                          "  .field\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(u), 3);
    sp_expr *a = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    TU_EXPECT_INT(a->kind, SP_E_IF);
    sp_expr *b = param_value(u, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    TU_EXPECT_INT(b->kind, SP_E_BINARY);
    TU_EXPECT_INT(b->u.binary.op, SP_OR);
    sp_stmt *f = tu_named(u, "f");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    TU_EXPECT_INT(f->value->kind, SP_E_FIELD);
}

static void test_operator_at_line_end_continues(void)
{
    sp_unit *u = tu_parse("param a = 1 +\n"
                          "  2\n"
                          "fn f(x, y) =\n"
                          "  x * y\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(u), 2);
    sp_expr *a = param_value(u, "a");
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    TU_EXPECT_INT(a->kind, SP_E_BINARY);
    TU_EXPECT_INT(a->u.binary.r->u.i, 2);
}

static void test_newlines_inside_brackets(void)
{
    sp_unit *u = tu_parse("param t = (1,\n"
                          "  2,\n"
                          "\n"
                          "  3)\n"
                          "param l = [\n"
                          "  \"a\"\n"
                          "  ]\n"
                          "param r = {\n"
                          "  x: 1,\n"
                          "  y: 2\n"
                          "}\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(u), 3);
    sp_expr *t = param_value(u, "t"), *l = param_value(u, "l"), *r = param_value(u, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    TU_EXPECT_INT(t->kind, SP_E_TUPLE);
    TU_EXPECT_INT(t->u.items.n, 3);
    TU_EXPECT_INT(l->kind, SP_E_LIST);
    TU_EXPECT_INT(l->u.items.n, 1);
    TU_EXPECT_INT(r->kind, SP_E_RECORD);
    TU_EXPECT_INT(r->u.items.n, 2);
}

static void test_last_line_without_newline(void)
{
    sp_unit *u = tu_parse("param a = 1\nparam b = 2");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(u), 2);
    sp_expr *b = param_value(u, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    TU_EXPECT_INT(b->u.i, 2);
    /* a pipeline too, and a last line ending in a comment */
    sp_unit *v = tu_parse("l | sink stdout");
    TU_EXPECT_COUNTS(v, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(v), 1);
    sp_unit *w = tu_parse("param a = 1 # done");
    TU_EXPECT_COUNTS(w, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(w), 1);
}

static void test_crlf_line_ends(void)
{
    sp_unit *u = tu_parse("param a = 1\r\nparam b = \"x\"\r\nl\r\n  | sink stdout\r\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(tu_stmt_count(u), 3);
    sp_expr *b = param_value(u, "b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    TU_EXPECT_STR(b->u.str.s, "x");
}

static void test_empty_input(void)
{
    sp_unit *u = tu_parse("");
    TU_EXPECT_COUNTS(u, 0, 0);
    TU_EXPECT_INT(u->parse_errors, 0);
    CU_ASSERT_PTR_NULL(u->stmts);
    sp_unit *v = tu_parse("\n\n# only a comment\n   \n");
    TU_EXPECT_COUNTS(v, 0, 0);
    CU_ASSERT_PTR_NULL(v->stmts);
}

static void test_keyword_prefix_is_a_name(void)
{
    sp_unit *u = tu_parse("param iffy = 1\nparam into = 2\nparam notes = 3\nparam items = 4\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "iffy"));
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "into"));
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "notes"));
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "items"));
}

/* ----- lexical errors ----- */

static void test_unterminated_string(void)
{
    sp_unit *u = tu_parse("param s = \"abc\n"
                          "param t = 1\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unterminated string", 1, 11,
                    "a string ends on the line it starts; close it with a matching quote");
    TU_EXPECT_INT(u->parse_errors, 1);
    /* the next line is still read */
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "t"));
}

static void test_unterminated_raw_string(void)
{
    sp_unit *u = tu_parse("param s = 1\n"
                          "param r = 'abc\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unterminated string", 2, 11,
                    "a string ends on the line it starts; close it with a matching quote");
}

static void test_unterminated_string_ending_in_backslash(void)
{
    sp_unit *u = tu_parse("param s = \"a\\");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unterminated string", 1, 11,
                    "a string ends on the line it starts; close it with a matching quote");
}

static void test_bad_unit(void)
{
    sp_unit *u = tu_parse("batch 10x\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "invalid number '10x'", 1, 7,
                    "durations are written with ms, s, m, h or d, as in 500ms, 10s, 5m");
}

static void test_fractional_duration(void)
{
    sp_unit *u = tu_parse("param d = 1.5s\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "invalid number '1.5s'", 1, 11,
                    "durations are whole numbers of a unit: write 1500ms, not 1.5s");
}

static void test_integer_too_large(void)
{
    sp_unit *u = tu_parse("param a = 9223372036854775808\n"
                          "param b = 99999999999999999999\n");
    TU_EXPECT_COUNTS(u, 2, 0);
    TU_EXPECT_ERROR(u, "integer '9223372036854775808' is too large", 1, 11,
                    "integers are 64-bit: at most 9223372036854775807");
    TU_EXPECT_ERROR(u, "integer '99999999999999999999' is too large", 2, 11,
                    "integers are 64-bit: at most 9223372036854775807");
}

static void test_duration_too_long(void)
{
    sp_unit *u = tu_parse("param d = 999999999999999d\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "duration '999999999999999d' is too long", 1, 11, NULL);
}

static void test_double_bar(void)
{
    sp_unit *u = tu_parse("l | filter a || b | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unknown operator '||'", 1, 14, "write 'or'");
    /* read as `or`, so the rest of the line is still parsed */
    sp_step *f = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    TU_EXPECT_INT(f->args->value->kind, SP_E_BINARY);
    TU_EXPECT_INT(f->args->value->u.binary.op, SP_OR);
    CU_ASSERT_PTR_NOT_NULL(tu_step(tu_stmt(u, 0), 1));
}

static void test_double_ampersand(void)
{
    sp_unit *u = tu_parse("l | filter a && b | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unknown operator '&&'", 1, 14, "write 'and'");
    sp_step *f = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    TU_EXPECT_INT(f->args->value->u.binary.op, SP_AND);
}

static void test_bang(void)
{
    sp_unit *u = tu_parse("l | filter !a | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unknown operator '!'", 1, 12, "write 'not'");
    sp_step *f = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    TU_EXPECT_INT(f->args->value->kind, SP_E_UNARY);
    TU_EXPECT_INT(f->args->value->u.unary.op, SP_NOT);
}

static void test_not_equal_is_not_bang(void)
{
    sp_unit *u = tu_parse("l | filter a != b | sink stdout\n");
    TU_EXPECT_COUNTS(u, 0, 0);
    sp_step *f = tu_step(tu_stmt(u, 0), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    TU_EXPECT_INT(f->args->value->u.binary.op, SP_NE);
}

static void test_stray_character(void)
{
    sp_unit *u = tu_parse("param a = 1\n"
                          "param b = 2 @\n");
    int i = TU_EXPECT_ERROR(u, "unexpected character '@'", 2, 13, NULL);
    TU_EXPECT_INT(i, 0);
}

static void test_control_byte(void)
{
    sp_unit *u = tu_parse("param a = 1\x01\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    TU_EXPECT_ERROR(u, "unexpected byte 0x01", 1, 12, NULL);
}

static void test_non_ascii_outside_string(void)
{
    sp_unit *u = tu_parse("l | map caf\xc3\xa9 | sink stdout\n");
    TU_EXPECT_COUNTS(u, 1, 0);
    /* one error for the whole word, at its start */
    TU_EXPECT_ERROR(u, "unexpected non-ASCII text outside a string", 1, 9,
                    "names are ASCII letters, digits and '_'; put other text in quotes");
}

static void test_columns_count_characters(void)
{
    /* the '@' is byte 16 but character 15: columns count UTF-8 characters */
    sp_unit *u = tu_parse("param s = \"\xc3\xa9\" @\n");
    TU_EXPECT_ERROR(u, "unexpected character '@'", 1, 15, NULL);
}

static void test_several_lexical_errors(void)
{
    sp_unit *u = tu_parse("param a = 10x\n"
                          "param b = \"\\q\"\n"
                          "param c = 1\n"
                          "l | filter a && b | sink stdout\n");
    TU_EXPECT_COUNTS(u, 3, 0);
    TU_EXPECT_INT(u->parse_errors, 3);
    CU_ASSERT(tu_find(u, "invalid number '10x'") >= 0);
    CU_ASSERT(tu_find(u, "unknown escape '\\q' in string") >= 0);
    CU_ASSERT(tu_find(u, "unknown operator '&&'") >= 0);
    CU_ASSERT_PTR_NOT_NULL(tu_named(u, "c"));
}

CU_ErrorCode sp_test_register_lexer(void)
{
    static const tu_test tests[] = {
        {"a duration literal is converted to milliseconds", test_duration_in_ms},
        {"an integer literal keeps its value up to 2^63-1", test_integer_literals},
        {"a literal with a fraction or an exponent is a float", test_float_literals},
        {"a negative number is a unary minus applied to a literal", test_negative_number_is_unary_minus},
        {"escapes in a double-quoted string are decoded", test_string_escapes},
        {"a \\xHH escape takes hex digits of either case", test_hex_escape_either_case},
        {"a single-quoted string is raw", test_raw_string},
        {"empty strings of both kinds are empty", test_empty_strings},
        {"UTF-8 inside a string is kept as bytes", test_unicode_in_string},
        {"an unknown escape is reported at its backslash", test_unknown_escape},
        {"a \\x escape with one hex digit is reported", test_short_hex_escape},
        {"a comment runs from '#' to the end of the line", test_comments},
        {"a line starting with '|' continues the statement", test_pipe_line_continues},
        {"a line starting with then, else, and, or, '.' continues the statement", test_keyword_line_continues},
        {"a line ending in an operator or '=' continues on the next", test_operator_at_line_end_continues},
        {"newlines inside brackets are ignored", test_newlines_inside_brackets},
        {"the last line needs no newline", test_last_line_without_newline},
        {"CRLF line ends are accepted", test_crlf_line_ends},
        {"empty input and comment-only input have no statements", test_empty_input},
        {"a name starting with a keyword is a name", test_keyword_prefix_is_a_name},
        {"an unterminated string is reported where it starts", test_unterminated_string},
        {"an unterminated raw string is reported where it starts", test_unterminated_raw_string},
        {"a string cut off after a backslash at the end of the file is unterminated", test_unterminated_string_ending_in_backslash},
        {"a number with an unknown unit is reported with the units", test_bad_unit},
        {"a fractional duration is reported with a hint to use a smaller unit", test_fractional_duration},
        {"an integer above 2^63-1 is reported as too large", test_integer_too_large},
        {"a duration above 2^63-1 ms is reported as too long", test_duration_too_long},
        {"'||' is reported with a hint to write 'or'", test_double_bar},
        {"'&&' is reported with a hint to write 'and'", test_double_ampersand},
        {"'!' is reported with a hint to write 'not'", test_bang},
        {"'!=' is the not-equal operator, not '!'", test_not_equal_is_not_bang},
        {"a stray character is reported at its line and column", test_stray_character},
        {"a control byte is reported by its code", test_control_byte},
        {"non-ASCII text outside a string is reported once", test_non_ascii_outside_string},
        {"columns count UTF-8 characters, not bytes", test_columns_count_characters},
        {"lexical errors on several lines are all reported", test_several_lexical_errors},
        {NULL, NULL}};
    return tu_add_suite("lexer", tests);
}
