/* test_plan.c - the planner (src/plan.c) and the DOT printer (src/dot.c). */
#include "test_util.h"

#include "ops.h"

/* Checks `text` (which must be valid) and plans it. */
static sp_plan *plan_of(sp_unit **out, const char *text)
{
    sp_unit *u = tu_check(text);
    *out = u;
    TU_EXPECT_COUNTS(u, 0, 0);
    CU_ASSERT_EQUAL_FATAL(u->status, SP_CHECK_OK);
    sp_plan *plan = sp_plan_build(u->p, u->batch_ms, u->a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
    return plan;
}

/* The first node with this label, or NULL. */
static const sp_node *node_labelled(const sp_plan *plan, const char *label)
{
    for (int i = 0; i < sp_plan_node_count(plan); i++)
        if (strcmp(sp_plan_node(plan, i)->label, label) == 0)
            return sp_plan_node(plan, i);
    return NULL;
}

/* The DOT text of a plan (heap). */
static char *dot_of(const sp_plan *plan)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return NULL;
    sp_dot_write(plan, out);
    fclose(out);
    return buf;
}

static const char branch_join[] = "batch 5s\n"
                                  "source l = stdin\n"
                                  "source m = generator(rate: 5)\n"
                                  "e = l | map (it, 1)\n"
                                  "f = m | map (it, 2)\n"
                                  "e | join f | sink stdout\n"
                                  "e | union f | window 30s slide 10s | reduceByKey sum | sink file(\"out.json\", format: \"json\")\n";

static void test_late_stream_is_a_node_fed_by_its_window(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, "source l = stdin\n"
                                "l | map (it, 1) | countByValueAndWindow 10s slide 10s on 0 late tardy | sink stdout\n"
                                "tardy | sink stdout \"late\"\n");
    /* source, map, window, sink, late, sink */
    TU_EXPECT_INT(sp_plan_node_count(plan), 6);
    const sp_node *late = sp_plan_node(plan, 4);
    TU_EXPECT_INT(late->kind, SP_NODE_LATE);
    TU_EXPECT_INT(late->ninputs, 1);
    TU_EXPECT_INT(sp_plan_node(plan, late->inputs[0])->op, SP_OP_COUNT_BY_VALUE_AND_WINDOW);
    TU_EXPECT_STR(late->label, "late elements of countByValueAndWindow");
    const sp_node *sink = sp_plan_node(plan, 5);
    TU_EXPECT_INT(sink->inputs[0], 4);
    TU_EXPECT_STR(sink->input_names[0], "tardy");
    TU_EXPECT_STR(sp_plan_node(plan, 2)->label, "countByValueAndWindow 10s / 10s on 0 late tardy");
}

static void test_nodes_and_kinds(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, branch_join);
    /* 2 sources, 2 maps, join, sink, union, window, reduceByKey, sink */
    TU_EXPECT_INT(sp_plan_node_count(plan), 10);
    int sources = 0, ops = 0, sinks = 0;
    for (int i = 0; i < sp_plan_node_count(plan); i++) {
        const sp_node *n = sp_plan_node(plan, i);
        TU_EXPECT_INT(n->id, i);
        switch (n->kind) {
        case SP_NODE_SOURCE: sources++; break;
        case SP_NODE_OP: ops++; break;
        case SP_NODE_SINK: sinks++; break;
        case SP_NODE_LATE: CU_FAIL("no late node was asked for"); break;
        }
    }
    TU_EXPECT_INT(sources, 2);
    TU_EXPECT_INT(ops, 6);
    TU_EXPECT_INT(sinks, 2);
    TU_EXPECT_INT(sp_plan_batch_ms(plan), 5000);
    TU_EXPECT_STR(sp_plan_name(plan), "test.sp");
    /* sources come first, in the order written */
    const sp_node *n0 = sp_plan_node(plan, 0), *n1 = sp_plan_node(plan, 1);
    TU_EXPECT_INT(n0->kind, SP_NODE_SOURCE);
    TU_EXPECT_STR(n0->name, "l");
    TU_EXPECT_INT(n0->op, SP_SOURCE_STDIN);
    TU_EXPECT_INT(n0->ninputs, 0);
    TU_EXPECT_INT(n1->kind, SP_NODE_SOURCE);
    TU_EXPECT_STR(n1->name, "m");
    TU_EXPECT_INT(n1->op, SP_SOURCE_GENERATOR);
    TU_EXPECT_STR(n1->label, "generator(rate: 5)");
}

static void test_inputs_come_first(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, branch_join);
    for (int i = 0; i < sp_plan_node_count(plan); i++) {
        const sp_node *n = sp_plan_node(plan, i);
        TU_EXPECT_INT(n->ninputs, n->kind == SP_NODE_SOURCE ? 0 : (n->op == SP_OP_JOIN || n->op == SP_OP_UNION) && n->kind == SP_NODE_OP ? 2 : 1);
        for (int k = 0; k < n->ninputs; k++) {
            tu_assert(n->inputs[k] >= 0 && n->inputs[k] < i, __LINE__, __FILE__, __func__,
                      "node %d (%s) input %d is node %d, not an earlier one", i, n->label, k, n->inputs[k]);
        }
        if (n->kind == SP_NODE_SINK)
            TU_EXPECT_INT(n->inputs[0], i - 1);
    }
}

static void test_branch_and_join(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, branch_join);
    const sp_node *me = node_labelled(plan, "map (it, 1)");
    const sp_node *mf = node_labelled(plan, "map (it, 2)");
    const sp_node *join = node_labelled(plan, "join f");
    const sp_node *uni = node_labelled(plan, "union f");
    CU_ASSERT_PTR_NOT_NULL_FATAL(me);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(join);
    CU_ASSERT_PTR_NOT_NULL_FATAL(uni);
    /* e and f are planned once and feed both join and union */
    TU_EXPECT_INT(me->inputs[0], 0);
    TU_EXPECT_INT(mf->inputs[0], 1);
    TU_EXPECT_INT(join->kind, SP_NODE_OP);
    TU_EXPECT_INT(join->op, SP_OP_JOIN);
    TU_EXPECT_INT(join->ninputs, 2);
    TU_EXPECT_INT(join->inputs[0], me->id);
    TU_EXPECT_INT(join->inputs[1], mf->id);
    TU_EXPECT_INT(uni->op, SP_OP_UNION);
    TU_EXPECT_INT(uni->ninputs, 2);
    TU_EXPECT_INT(uni->inputs[0], me->id);
    TU_EXPECT_INT(uni->inputs[1], mf->id);
    int uses_of_me = 0;
    for (int i = 0; i < sp_plan_node_count(plan); i++)
        for (int k = 0; k < sp_plan_node(plan, i)->ninputs; k++)
            uses_of_me += sp_plan_node(plan, i)->inputs[k] == me->id;
    TU_EXPECT_INT(uses_of_me, 2);
}

static void test_edge_names(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, branch_join);
    const sp_node *me = node_labelled(plan, "map (it, 1)");
    const sp_node *join = node_labelled(plan, "join f");
    const sp_node *win = node_labelled(plan, "window 30s / 10s");
    CU_ASSERT_PTR_NOT_NULL_FATAL(me);
    CU_ASSERT_PTR_NOT_NULL_FATAL(join);
    CU_ASSERT_PTR_NOT_NULL_FATAL(win);
    /* an edge leaving a named stream carries its name */
    TU_EXPECT_STR(me->input_names[0], "l");
    TU_EXPECT_STR(join->input_names[0], "e");
    TU_EXPECT_STR(join->input_names[1], "f");
    /* an edge inside one pipeline has none */
    CU_ASSERT_PTR_NULL(win->input_names[0]);
}

static void test_labels(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, "batch 10s\n"
                                "param n = 5\n"
                                "source l = file(\"access.log\", follow: true)\n"
                                "c = l | map (it, 1)\n"
                                "c | reduceByKeyAndWindow sum, 30s slide 10s inverse difference | sink stdout \"w\"\n"
                                "c | reduceByKey sum | top n by _2 | sink stdout\n"
                                "c | countByWindow 1m | sink stdout\n"
                                "c | sortByKey desc | take 3 | sink file(\"x\", format: \"json\")\n");
    static const char *const want[] = {
        "file(\"access.log\", follow: true)",
        "map (it, 1)",
        "reduceByKeyAndWindow sum 30s / 10s inverse difference",
        "stdout \"w\"",
        "reduceByKey sum",
        "top 5 by _2", /* the value of the parameter */
        "stdout",
        "countByWindow 1m / 10s",
        "stdout",
        "sortByKey desc",
        "take 3",
        "file \"x\", format: \"json\"",
    };
    TU_EXPECT_INT(sp_plan_node_count(plan), (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < sp_plan_node_count(plan) && i < (int)(sizeof want / sizeof want[0]); i++)
        TU_EXPECT_STR(sp_plan_node(plan, i)->label, want[i]);
}

static void test_long_label_cut(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, "source l = stdin\n"
                                "l | map {aaaaaaaaaa: 1, bbbbbbbbbb: 2, cccccccccc: 3, dddddddddd: 4} | sink stdout\n");
    const sp_node *m = sp_plan_node(plan, 1);
    TU_EXPECT_STR(m->label, "map {aaaaaaaaaa: 1, bbbbbbbbbb: 2, cccccccccc: 3,...");
}

static void test_nodes_point_at_ast(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, "source l = stdin\n"
                                "l | count | sink stdout\n");
    TU_EXPECT_INT(sp_plan_node_count(plan), 3);
    const sp_node *c = sp_plan_node(plan, 1), *s = sp_plan_node(plan, 2);
    CU_ASSERT_PTR_EQUAL(sp_plan_node(plan, 0)->stmt, tu_named(u, "l"));
    CU_ASSERT_PTR_EQUAL(c->stmt, tu_stmt(u, 1));
    CU_ASSERT_PTR_EQUAL(c->step, tu_step(tu_stmt(u, 1), 0));
    TU_EXPECT_INT(c->op, SP_OP_COUNT);
    TU_EXPECT_INT(s->kind, SP_NODE_SINK);
    TU_EXPECT_INT(s->op, SP_SINK_STDOUT);
    TU_EXPECT_STR(tu_text(u, c->loc), "count");
    TU_EXPECT_STR(tu_text(u, s->loc), "sink stdout");
}

static void test_logs_plan(void)
{
    sp_unit *u = tu_new();
    u->p = sp_load(u->d, u->a, tu_src_path(u, "pipelines/logs.sp"), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u->p);
    u->stmts = u->p->stmts;
    int64_t batch = 0;
    CU_ASSERT_EQUAL_FATAL(sp_check(u->p, u->d, u->a, NULL, 0, &batch), SP_CHECK_OK);
    sp_plan *plan = sp_plan_build(u->p, batch, u->a);
    /* what the file says: one node per source and per step */
    int want_sources = 0, want_sinks = 0, want_nodes = 0;
    for (const sp_stmt *s = u->stmts; s; s = s->next) {
        if (s->kind == SP_S_SOURCE) {
            want_sources++;
            want_nodes++;
        }
        for (const sp_step *st = s->kind == SP_S_PIPE ? s->steps : NULL; st; st = st->next) {
            want_nodes++;
            want_sinks += st->is_sink;
        }
    }
    CU_ASSERT(want_sources >= 1);
    CU_ASSERT(want_sinks >= 1);
    TU_EXPECT_INT(sp_plan_node_count(plan), want_nodes);
    int sources = 0, sinks = 0, windows = 0;
    for (int i = 0; i < sp_plan_node_count(plan); i++) {
        const sp_node *n = sp_plan_node(plan, i);
        sources += n->kind == SP_NODE_SOURCE;
        sinks += n->kind == SP_NODE_SINK;
        for (int k = 0; k < n->ninputs; k++)
            tu_assert(n->inputs[k] >= 0 && n->inputs[k] < i, __LINE__, __FILE__, __func__,
                      "node %d (%s) input %d is node %d, not an earlier one", i, n->label, k, n->inputs[k]);
        if (n->kind == SP_NODE_OP && n->step->length_ms > 0) {
            /* a windowed operator shows "LENGTH / SLIDE" */
            char len[32], slide[32];
            sp_ast_format_duration(n->step->length_ms, len, sizeof len);
            sp_ast_format_duration(n->step->slide_ms, slide, sizeof slide);
            const char *part = sp_arena_printf(u->a, " %s / %s", len, slide);
            tu_assert(strstr(n->label, part) != NULL, __LINE__, __FILE__, __func__, "label \"%s\" lacks \"%s\"",
                      n->label, part);
            windows++;
        }
    }
    TU_EXPECT_INT(sources, want_sources);
    TU_EXPECT_INT(sinks, want_sinks);
    CU_ASSERT(windows >= 1);
    TU_EXPECT_INT(sp_plan_batch_ms(plan), batch);
}

/* ----- DOT ----- */

static void test_dot_output(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, branch_join);
    char *dot = dot_of(plan);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    static const char *const lines[] = {
        "digraph \"test.sp\" {\n",
        "  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label=\"test.sp (batch 5s)\"];\n",
        "\n  n0 [label=\"source l\\nstdin()\", shape=invhouse, style=filled, fillcolor=\"#dbeafe\"];\n",
        "\n  n1 [label=\"source m\\ngenerator(rate: 5)\", shape=invhouse, style=filled, fillcolor=\"#dbeafe\"];\n",
        "\n  n2 [label=\"map (it, 1)\", shape=box, style=rounded];\n",
        "\n  n4 [label=\"join f\", shape=box, style=rounded];\n",
        "\n  n5 [label=\"sink stdout\", shape=house, style=filled, fillcolor=\"#dcfce7\"];\n",
        "\n  n7 [label=\"window 30s / 10s\", shape=box, style=rounded];\n",
        "\n  n0 -> n2 [label=\"l\"];\n",
        "\n  n2 -> n4 [label=\"e\"];\n",
        "\n  n3 -> n4 [label=\"f\"];\n",
        "\n  n4 -> n5;\n",
        "\n  n6 -> n7;\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        tu_assert(strstr(dot, lines[i]) != NULL, __LINE__, __FILE__, __func__, "no line %s in:\n%s", lines[i], dot);
    /* one edge per input */
    int edges = 0;
    for (const char *p = dot; (p = strstr(p, " -> ")) != NULL; p++)
        edges++;
    TU_EXPECT_INT(edges, 10);
    size_t len = strlen(dot);
    CU_ASSERT(len >= 2 && strcmp(dot + len - 2, "}\n") == 0);
    free(dot);
}

static void test_dot_escapes_labels(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, "source l = stdin\n"
                                "l | filter it == \"a\\\"b\\\\c\" | sink stdout \"say \\\"hi\\\"\"\n");
    char *dot = dot_of(plan);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    /* the label is filter it == "a\"b\\c"; in DOT every " and \ is escaped */
    static const char want_filter[] = "  n1 [label=\"filter it == \\\"a\\\\\\\"b\\\\\\\\c\\\"\", shape=box, style=rounded];\n";
    static const char want_sink[] = "  n2 [label=\"sink stdout \\\"say \\\\\\\"hi\\\\\\\"\\\"\", shape=house";
    tu_assert(strstr(dot, want_filter) != NULL, __LINE__, __FILE__, __func__, "no %s in:\n%s", want_filter, dot);
    tu_assert(strstr(dot, want_sink) != NULL, __LINE__, __FILE__, __func__, "no %s in:\n%s", want_sink, dot);
    free(dot);
}

static void test_dot_escapes_control_and_utf8(void)
{
    sp_unit *u;
    sp_plan *plan = plan_of(&u, "source l = stdin\n"
                                "l | filter it != \"caf\xc3\xa9\" | sink stdout\n");
    char *dot = dot_of(plan);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "[label=\"filter it != \\\"caf\xc3\xa9\\\"\""));
    free(dot);
}

static void test_dot_escapes_graph_name(void)
{
    sp_unit *u = tu_new();
    static const char text[] = "source l = stdin\nl | sink stdout\n";
    u->p = sp_load_string(u->d, u->a, "my \"odd\" name.sp", text, strlen(text), NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(u->p);
    int64_t batch = 0;
    CU_ASSERT_EQUAL_FATAL(sp_check(u->p, u->d, u->a, NULL, 0, &batch), SP_CHECK_OK);
    char *dot = dot_of(sp_plan_build(u->p, batch, u->a));
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    TU_EXPECT_INT(strncmp(dot, "digraph \"my \\\"odd\\\" name.sp\" {\n", 31), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "label=\"my \\\"odd\\\" name.sp (batch 1s)\""));
    free(dot);
}

CU_ErrorCode sp_test_register_plan(void)
{
    static const tu_test tests[] = {
        {"a late stream is a node fed by its event-time window", test_late_stream_is_a_node_fed_by_its_window},
        {"a DAG with a branch and a join has one node per source, operator and sink", test_nodes_and_kinds},
        {"every node's inputs are earlier nodes", test_inputs_come_first},
        {"a named stream feeding two operators is planned once", test_branch_and_join},
        {"edges leaving named streams carry the stream's name", test_edge_names},
        {"operator, source and sink labels say what they do", test_labels},
        {"a long expression in a label is cut with '...'", test_long_label_cut},
        {"nodes point back at their statement, step and source text", test_nodes_point_at_ast},
        {"pipelines/logs.sp plans into one node per source and step, inputs first", test_logs_plan},
        {"the DOT output has the graph, node and edge lines", test_dot_output},
        {"quotes and backslashes in DOT labels are escaped", test_dot_escapes_labels},
        {"UTF-8 in DOT labels is kept", test_dot_escapes_control_and_utf8},
        {"quotes in the graph name are escaped", test_dot_escapes_graph_name},
        {NULL, NULL}};
    return tu_add_suite("plan", tests);
}
