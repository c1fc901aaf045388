/* dot.c - the operator DAG as Graphviz DOT. */
#include "dot.h"

#include <inttypes.h>

/* Writes s as the inside of a DOT double-quoted string: quotes and
 * backslashes escaped, newlines as \n, control bytes and invalid UTF-8 as
 * '?', so `dot` never warns about the label. */
static void dot_escape(const char *s, FILE *out)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            fputc('\\', out);
            fputc(c, out);
            p++;
        } else if (c == '\n') {
            fputs("\\n", out);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            fputc('?', out);
            p++;
        } else if (c < 0x80) {
            fputc(c, out);
            p++;
        } else {
            int n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            int ok = n > 0;
            for (int i = 1; ok && i < n; i++)
                ok = (p[i] & 0xC0) == 0x80;
            if (ok) {
                fwrite(p, 1, (size_t)n, out);
                p += n;
            } else {
                fputc('?', out);
                p++;
            }
        }
    }
}

void sp_dot_write(const sp_plan *plan, FILE *out)
{
    char batch[64];
    sp_ast_format_duration(sp_plan_batch_ms(plan), batch, sizeof batch);
    fputs("digraph \"", out);
    dot_escape(sp_plan_name(plan), out);
    fputs("\" {\n", out);
    fputs("  graph [rankdir=TB, fontname=\"Helvetica\", labelloc=t, label=\"", out);
    dot_escape(sp_plan_name(plan), out);
    fprintf(out, " (batch %s)\"];\n", batch);
    fputs("  node [fontname=\"Helvetica\", fontsize=11];\n", out);
    fputs("  edge [fontname=\"Helvetica\", fontsize=10];\n", out);
    int n = sp_plan_node_count(plan);
    for (int i = 0; i < n; i++) {
        const sp_node *node = sp_plan_node(plan, i);
        fprintf(out, "  n%d [label=\"", node->id);
        switch (node->kind) {
        case SP_NODE_SOURCE:
            fputs("source ", out);
            dot_escape(node->name, out);
            fputs("\\n", out);
            dot_escape(node->label, out);
            fputs("\", shape=invhouse, style=filled, fillcolor=\"#dbeafe\"];\n", out);
            break;
        case SP_NODE_SINK:
            fputs("sink ", out);
            dot_escape(node->label, out);
            fputs("\", shape=house, style=filled, fillcolor=\"#dcfce7\"];\n", out);
            break;
        case SP_NODE_OP:
            dot_escape(node->label, out);
            fputs("\", shape=box, style=rounded];\n", out);
            break;
        case SP_NODE_LATE:
            dot_escape(node->label, out);
            fputs("\", shape=box, style=\"rounded,dashed\"];\n", out);
            break;
        }
    }
    for (int i = 0; i < n; i++) {
        const sp_node *node = sp_plan_node(plan, i);
        for (int k = 0; k < node->ninputs; k++) {
            if (node->inputs[k] < 0)
                continue;
            fprintf(out, "  n%d -> n%d", node->inputs[k], node->id);
            if (node->input_names[k]) {
                fputs(" [label=\"", out);
                dot_escape(node->input_names[k], out);
                fputs("\"]", out);
            }
            fputs(";\n", out);
        }
    }
    fputs("}\n", out);
}
