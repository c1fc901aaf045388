/* test_checkpoint.c - checkpoints (src/serial.c, src/checkpoint.c): values
 * written and read back, the reader's defences against lying bytes, the
 * file written and loaded, every damaged variant of it refused, and
 * fingerprints that change exactly when an operator's definition or inputs
 * do. */
#include "test_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "plan.h"
#include "serial.h"

/* A value with every kind in it: nested tuple, list, record, a string
 * with a NUL, floats, negative and large integers. */
static sp_value sample(sp_arena *a)
{
    static const char *names[] = {"host", "size"};
    static sp_shape shape = {2, names, 0};
    sp_value rec = sp_record_new(a, &shape);
    rec.u.rec->vals[0] = sp_str_copy(a, "a\0b", 3);
    rec.u.rec->vals[1] = sp_int(INT64_MIN);
    sp_value list = sp_list_new(a, 3);
    list.u.items[0] = sp_float(-0.5);
    list.u.items[1] = sp_null();
    list.u.items[2] = sp_bool(1);
    sp_value t = sp_tuple_new(a, 3);
    t.u.items[0] = rec;
    t.u.items[1] = list;
    t.u.items[2] = sp_int(INT64_MAX);
    return t;
}

static void test_values_round_trip(void)
{
    sp_arena *a = sp_arena_new();
    sp_wbuf w = {0};
    sp_value v = sample(a);
    sp_put_value(&w, v);
    sp_put_value(&w, sp_str("", 0));
    CU_ASSERT_FALSE(w.bad);
    sp_rbuf r;
    sp_rbuf_init(&r, w.p, w.n);
    sp_value back = sp_get_value(&r, a);
    sp_value empty = sp_get_value(&r, a);
    CU_ASSERT_TRUE(sp_rbuf_done(&r));
    CU_ASSERT_TRUE(sp_value_equal(v, back));
    CU_ASSERT_EQUAL(empty.tag, SP_V_STR);
    CU_ASSERT_EQUAL(empty.n, 0);
    /* the record keeps its field names */
    const sp_value *host = sp_record_get(back.u.items[0], "host");
    CU_ASSERT_PTR_NOT_NULL_FATAL(host);
    CU_ASSERT_EQUAL(host->n, 3);
    CU_ASSERT_EQUAL(memcmp(host->u.s, "a\0b", 3), 0);
    sp_wbuf_free(&w);
    sp_arena_free(a);
}

static void test_a_function_value_cannot_be_written(void)
{
    sp_funcval fn = {1, NULL, 0, NULL, 0};
    sp_value v = {SP_V_FUNC, 0, {.fn = &fn}};
    sp_wbuf w = {0};
    sp_put_value(&w, v);
    CU_ASSERT_TRUE(w.bad);
    sp_wbuf_free(&w);
}

static void test_reader_refuses_lying_bytes(void)
{
    sp_arena *a = sp_arena_new();
    sp_wbuf w = {0};
    sp_put_value(&w, sample(a));
    /* every cut of a valid encoding is refused */
    for (size_t n = 0; n < w.n; n++) {
        sp_rbuf r;
        sp_rbuf_init(&r, w.p, n);
        (void)sp_get_value(&r, a);
        CU_ASSERT_TRUE(r.bad);
    }
    /* a list claiming 4 billion items in 5 bytes */
    unsigned char huge[] = {SP_V_LIST, 0xff, 0xff, 0xff, 0xff};
    sp_rbuf r;
    sp_rbuf_init(&r, huge, sizeof huge);
    (void)sp_get_value(&r, a);
    CU_ASSERT_TRUE(r.bad);
    /* a string longer than what is left */
    sp_wbuf s = {0};
    sp_put_u8(&s, SP_V_STR);
    sp_put_u64(&s, UINT64_MAX);
    sp_rbuf_init(&r, s.p, s.n);
    (void)sp_get_value(&r, a);
    CU_ASSERT_TRUE(r.bad);
    /* nesting deeper than the limit */
    sp_wbuf d = {0};
    for (int i = 0; i < 100; i++) {
        sp_put_u8(&d, SP_V_TUPLE);
        sp_put_u32(&d, 1);
    }
    sp_put_u8(&d, SP_V_NULL);
    sp_rbuf_init(&r, d.p, d.n);
    (void)sp_get_value(&r, a);
    CU_ASSERT_TRUE(r.bad);
    /* an unknown tag, a bool that is 2 */
    unsigned char tag[] = {42};
    sp_rbuf_init(&r, tag, 1);
    (void)sp_get_value(&r, a);
    CU_ASSERT_TRUE(r.bad);
    sp_wbuf b = {0};
    sp_put_u8(&b, SP_V_BOOL);
    sp_put_i64(&b, 2);
    sp_rbuf_init(&r, b.p, b.n);
    (void)sp_get_value(&r, a);
    CU_ASSERT_TRUE(r.bad);
    sp_wbuf_free(&w);
    sp_wbuf_free(&s);
    sp_wbuf_free(&d);
    sp_wbuf_free(&b);
    sp_arena_free(a);
}

static void test_crc32c_known_value(void)
{
    /* the check value of CRC-32C (RFC 3720) */
    TU_EXPECT_INT(sp_crc32c(0, "123456789", 9), 0xe3069283u);
    TU_EXPECT_INT(sp_crc32c(sp_crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
}

/* A temporary directory (removed with its files by rm_dir). */
static char *temp_dir(void)
{
    char tmpl[] = "/tmp/sp-ckpt-test.XXXXXX";
    char *d = mkdtemp(tmpl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return sp_xstrdup(d);
}

static void rm_dir(char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/checkpoint.tmp", dir);
    unlink(path);
    rmdir(dir);
    free(dir);
}

/* A small checkpoint: two entries. */
static void build(sp_wbuf *w)
{
    sp_ckpt_header h = {"logs.sp", 42, 420000, 1700000000000, 41, 8200, 3, 1, 2};
    sp_ckpt_begin(w, &h);
    sp_wbuf blob = {0};
    sp_put_u64(&blob, 1234);
    sp_ckpt_entry(w, SP_CKPT_SOURCE, "lines", 0x1111, &blob);
    blob.n = 0;
    sp_put_value(&blob, sp_str("state", 5));
    sp_ckpt_entry(w, SP_CKPT_OPERATOR, "updateStateByKey", 0x2222, &blob);
    sp_wbuf_free(&blob);
}

static void test_checkpoint_saved_and_loaded(void)
{
    char *dir = temp_dir();
    sp_wbuf w = {0};
    build(&w);
    char *err = NULL;
    TU_EXPECT_INT(sp_ckpt_save(dir, &w, &err), 0);
    sp_ckpt *c = NULL;
    TU_EXPECT_INT(sp_ckpt_load(dir, &c, &err), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const sp_ckpt_header *h = sp_ckpt_info(c);
    TU_EXPECT_STR(h->pipeline, "logs.sp");
    TU_EXPECT_INT(h->next_batch, 42);
    TU_EXPECT_INT(h->time_ms, 420000);
    TU_EXPECT_INT(h->records_in, 8200);
    TU_EXPECT_INT(h->late, 2);
    size_t n;
    const char *name = NULL;
    CU_ASSERT_PTR_NULL(sp_ckpt_take(c, SP_CKPT_SOURCE, 0x2222, &n, &name)); /* kind and print must both match */
    const void *b = sp_ckpt_take(c, SP_CKPT_SOURCE, 0x1111, &n, &name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    TU_EXPECT_STR(name, "lines");
    TU_EXPECT_INT(n, 8);
    sp_rbuf r;
    sp_rbuf_init(&r, b, n);
    TU_EXPECT_INT(sp_get_u64(&r), 1234);
    CU_ASSERT_PTR_NULL(sp_ckpt_take(c, SP_CKPT_SOURCE, 0x1111, &n, &name)); /* taken once */
    int iter = 0, kind;
    CU_ASSERT_TRUE(sp_ckpt_untaken(c, &iter, &kind, &name));
    TU_EXPECT_STR(name, "updateStateByKey");
    CU_ASSERT_FALSE(sp_ckpt_untaken(c, &iter, &kind, &name));
    sp_ckpt_free(c);
    /* no temporary file is left */
    char path[512];
    snprintf(path, sizeof path, "%s/checkpoint.tmp", dir);
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
    sp_wbuf_free(&w);
    free(err);
    rm_dir(dir);
}

static void test_no_checkpoint_is_not_an_error(void)
{
    char *dir = temp_dir();
    sp_ckpt *c = (sp_ckpt *)1;
    char *err = NULL;
    TU_EXPECT_INT(sp_ckpt_load(dir, &c, &err), 0);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NULL(err);
    rm_dir(dir);
}

static void test_every_damaged_byte_and_cut_is_refused(void)
{
    sp_wbuf w = {0};
    build(&w);
    char *err = NULL;
    char *dir = temp_dir();
    TU_EXPECT_INT(sp_ckpt_save(dir, &w, &err), 0); /* fills in the length and checksum */
    sp_ckpt *c = NULL;
    TU_EXPECT_INT(sp_ckpt_parse(w.p, w.n, "x", &c, &err), 1);
    sp_ckpt_free(c);
    int refused = 0, total = 0;
    for (size_t i = 0; i < w.n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            w.p[i] ^= (unsigned char)(1u << bit);
            c = NULL;
            err = NULL;
            int rc = sp_ckpt_parse(w.p, w.n, "x", &c, &err);
            refused += rc == -1 && c == NULL && err != NULL;
            total++;
            sp_ckpt_free(c);
            free(err);
            w.p[i] ^= (unsigned char)(1u << bit);
        }
    }
    TU_EXPECT_INT(refused, total);
    refused = 0;
    for (size_t n = 0; n < w.n; n++) {
        c = NULL;
        err = NULL;
        refused += sp_ckpt_parse(w.p, n, "x", &c, &err) == -1 && c == NULL;
        sp_ckpt_free(c);
        free(err);
    }
    TU_EXPECT_INT(refused, w.n);
    sp_wbuf_free(&w);
    rm_dir(dir);
}

/* The fingerprints of the plan of `text` (in the unit's arena). */
static const uint64_t *prints(const char *text, int *n)
{
    sp_unit *u = tu_check(text);
    tu_assert(u->status == SP_CHECK_OK && tu_errors(u) == 0, __LINE__, __FILE__, __func__, "does not check: %s",
              tu_messages(u));
    CU_ASSERT_FATAL(u->status == SP_CHECK_OK && tu_errors(u) == 0);
    sp_plan *plan = sp_plan_build(u->p, u->batch_ms, u->a);
    *n = sp_plan_node_count(plan);
    uint64_t *fps = sp_arena_alloc(u->a, sizeof *fps * (size_t)*n);
    for (int i = 0; i < *n; i++)
        fps[i] = sp_ckpt_fingerprint(plan, i, fps);
    return fps;
}

#define PIPE(fn, win, sink)                                                                                       \
    "batch 1s\nfn key(s) = " fn "\nsource lines = stdin()\n"                                                     \
    "lines | map (key(it), 1) | reduceByKeyAndWindow sum, " win " | " sink "\n"

static void test_fingerprints_follow_definitions_and_inputs(void)
{
    int n, n2;
    /* nodes: source, map, window, sink */
    const uint64_t *a = prints(PIPE("split(s, \" \")[0]", "3s", "sink stdout"), &n);
    const uint64_t *same = prints(PIPE("split(s, \" \")[0]", "3s", "sink stdout"), &n2);
    TU_EXPECT_INT(n, 4);
    for (int i = 0; i < n; i++)
        CU_ASSERT_EQUAL(a[i], same[i]);
    /* spacing does not matter: the text is normalised */
    const uint64_t *spaced = prints(PIPE("split(s,  \" \")[0]", "3s", "sink stdout"), &n2);
    CU_ASSERT_EQUAL(a[1], spaced[1]);
    CU_ASSERT_EQUAL(a[2], spaced[2]);
    /* another window length: the window changes, not what feeds it */
    const uint64_t *win = prints(PIPE("split(s, \" \")[0]", "4s", "sink stdout"), &n2);
    CU_ASSERT_EQUAL(a[0], win[0]);
    CU_ASSERT_EQUAL(a[1], win[1]);
    CU_ASSERT_NOT_EQUAL(a[2], win[2]);
    CU_ASSERT_NOT_EQUAL(a[3], win[3]);
    /* another body of a function the map calls: the map and all after it */
    const uint64_t *fn = prints(PIPE("split(s, \" \")[1]", "3s", "sink stdout"), &n2);
    CU_ASSERT_EQUAL(a[0], fn[0]);
    CU_ASSERT_NOT_EQUAL(a[1], fn[1]);
    CU_ASSERT_NOT_EQUAL(a[2], fn[2]);
    /* another sink: only the sink */
    const uint64_t *sink = prints(PIPE("split(s, \" \")[0]", "3s", "sink stderr"), &n2);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(a[i], sink[i]);
    CU_ASSERT_NOT_EQUAL(a[3], sink[3]);
    /* all four differ from one another */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            CU_ASSERT_NOT_EQUAL(a[i], a[j]);
}

static void test_fingerprints_follow_parameter_values(void)
{
    const char *text = "param w = 3s\nbatch 1s\nsource lines = stdin()\nlines | countByValueAndWindow(w) | sink stdout\n";
    int n;
    const uint64_t *a = prints(text, &n);
    sp_param_override ov = {"w", "4s", NULL, 0};
    sp_unit *u = tu_check_with(text, &ov, 1);
    CU_ASSERT_FATAL(u->status == SP_CHECK_OK && tu_errors(u) == 0);
    sp_plan *plan = sp_plan_build(u->p, u->batch_ms, u->a);
    uint64_t fps[8];
    for (int i = 0; i < sp_plan_node_count(plan) && i < 8; i++)
        fps[i] = sp_ckpt_fingerprint(plan, i, fps);
    CU_ASSERT_EQUAL(a[0], fps[0]);
    CU_ASSERT_NOT_EQUAL(a[1], fps[1]);
}

CU_ErrorCode sp_test_register_checkpoint(void)
{
    static const tu_test tests[] = {
        {"values are written and read back whole", test_values_round_trip},
        {"a function value cannot be written", test_a_function_value_cannot_be_written},
        {"the reader refuses cut, oversized, too deep and unknown encodings", test_reader_refuses_lying_bytes},
        {"CRC-32C gives the standard check value", test_crc32c_known_value},
        {"a checkpoint is saved atomically and loaded entry by entry", test_checkpoint_saved_and_loaded},
        {"a directory without a checkpoint is not an error", test_no_checkpoint_is_not_an_error},
        {"every flipped bit and every cut of a checkpoint is refused", test_every_damaged_byte_and_cut_is_refused},
        {"fingerprints change with an operator's definition and inputs only", test_fingerprints_follow_definitions_and_inputs},
        {"fingerprints change with the values of the parameters used", test_fingerprints_follow_parameter_values},
        {NULL, NULL}};
    return tu_add_suite("checkpoint", tests);
}
