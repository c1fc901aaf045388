/* weblog_same.h - strict equality of two values, for the tests that compare
 * the native access-log parsers with their language versions
 * (tests/weblog_diff.c, tests/fuzz/fuzz_weblog.c).
 *
 * Stricter than sp_value_equal (the language's ==): the tags must be the
 * same (1 is not 1.0), strings byte for byte, records field for field with
 * the same names in the same order.  Header-only: each includer gets its own
 * static copy. */
#ifndef SP_TESTS_WEBLOG_SAME_H
#define SP_TESTS_WEBLOG_SAME_H

#include <stdio.h>
#include <string.h>

#include "value.h"

/* Are a and b the same value?  When not and `why` is given, writes there
 * (up to `size` bytes) the field where they first differ. */
static inline int weblog_same(sp_value a, sp_value b, char *why, size_t size)
{
    if (why && size)
        why[0] = '\0';
    if (a.tag != b.tag) {
        if (why)
            snprintf(why, size, "a %s and a %s", sp_value_type_name(a), sp_value_type_name(b));
        return 0;
    }
    switch ((sp_vtag)a.tag) {
    case SP_V_NULL:
        return 1;
    case SP_V_BOOL:
    case SP_V_INT:
        if (a.u.i == b.u.i)
            return 1;
        if (why)
            snprintf(why, size, "%lld and %lld", (long long)a.u.i, (long long)b.u.i);
        return 0;
    case SP_V_FLOAT:
        if (memcmp(&a.u.f, &b.u.f, sizeof a.u.f) == 0)
            return 1;
        if (why)
            snprintf(why, size, "%.17g and %.17g", a.u.f, b.u.f);
        return 0;
    case SP_V_STR:
        if (a.n == b.n && (a.n == 0 || memcmp(a.u.s, b.u.s, a.n) == 0))
            return 1;
        if (why)
            snprintf(why, size, "strings of %u and %u bytes", a.n, b.n);
        return 0;
    case SP_V_TUPLE:
    case SP_V_LIST:
        if (a.n != b.n) {
            if (why)
                snprintf(why, size, "%u and %u items", a.n, b.n);
            return 0;
        }
        for (uint32_t i = 0; i < a.n; i++)
            if (!weblog_same(a.u.items[i], b.u.items[i], why, size))
                return 0;
        return 1;
    case SP_V_RECORD: {
        const sp_shape *sa = a.u.rec->shape, *sb = b.u.rec->shape;
        if (sa->n != sb->n || a.n != b.n) {
            if (why)
                snprintf(why, size, "records of %d and %d fields", sa->n, sb->n);
            return 0;
        }
        for (int i = 0; i < sa->n; i++) {
            if (strcmp(sa->names[i], sb->names[i]) != 0) {
                if (why)
                    snprintf(why, size, "field %d is '%s' and '%s'", i + 1, sa->names[i], sb->names[i]);
                return 0;
            }
            if (!weblog_same(a.u.rec->vals[i], b.u.rec->vals[i], why, size)) {
                if (why) {
                    char inner[200];
                    snprintf(inner, sizeof inner, "%s", why);
                    snprintf(why, size, "%s: %s", sa->names[i], inner);
                }
                return 0;
            }
        }
        return 1;
    }
    case SP_V_FUNC:
        return a.u.fn == b.u.fn;
    }
    return 0;
}

#endif
