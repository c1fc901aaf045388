/* fuzz_lines.c - libFuzzer target for the line readers of runtime_io.c
 * (`make fuzz`): how a byte stream becomes records.
 *
 * The first two bytes of an input choose the settings, the rest is the
 * content of a file:
 *   byte 0: the line length limit (max_line), 1..64, and (bit 7) whether the
 *           file is followed (file(path, follow: true): the live sources'
 *           line assembly, shared with tcp) or read whole;
 *   byte 1: records per batch, 1..16 (the `max` of each read call).
 * The file is written to a temporary file and read through the `file`
 * source, batch after batch, as the scheduler does, each batch with its own
 * arena.  The records and the count of rejected lines must be exactly those
 * of the documented rules (docs/sources/file.md), computed here
 * independently: split at '\n'; one '\r' before it removed; a line longer
 * than max_line rejected and counted once; the text after the last '\n' is a
 * last line when the file is read whole, and is held back (a partial line)
 * when it is followed, being counted once as rejected when already too long
 * to be a line even with a '\r'.  A difference aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "ops.h"
#include "runtime.h"
#include "runtime_int.h"
#include "value.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64]; /* the temporary file, reused by every input */

static void cleanup(void)
{
    unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/tmp/fuzz_lines.%ld", (long)getpid());
    atexit(cleanup);
    return 0;
}

static void fail(const char *what, size_t index)
{
    fprintf(stderr, "fuzz_lines: %s (record %zu)\n", what, index);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int64_t max_line = (data[0] & 63) + 1;
    int follow = (data[0] & 128) != 0;
    int64_t per_batch = (data[1] & 15) + 1;
    const char *text = (const char *)data + 2;
    size_t n = size - 2;

    FILE *fp = fopen(path, "w");
    if (!fp || fwrite(text, 1, n, fp) != n || fclose(fp) != 0) {
        perror("fuzz_lines: writing the temporary file");
        abort();
    }

    /* the expected records, as (start, length) in text */
    size_t *starts = malloc((n + 1) * sizeof *starts), *lens = malloc((n + 1) * sizeof *lens);
    size_t nexp = 0;
    uint64_t rejected_exp = 0;
    size_t pos = 0;
    while (pos < n) {
        const char *nl = memchr(text + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - text) : n, len = end - pos;
        if (!nl && follow) { /* a partial line, held back */
            if ((int64_t)len > max_line + 1)
                rejected_exp++;
            break;
        }
        if (len > 0 && text[end - 1] == '\r')
            len--;
        if ((int64_t)len > max_line)
            rejected_exp++;
        else {
            starts[nexp] = pos;
            lens[nexp++] = len;
        }
        pos = end + 1;
    }

    sp_arena *arena = sp_arena_new();
    sp_io_args args;
    memset(&args, 0, sizeof args);
    args.names[0] = "path";
    args.values[0] = sp_str(path, strlen(path));
    args.names[1] = "follow";
    args.values[1] = sp_bool(follow);
    args.n = 2;
    sp_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.max_line = max_line;
    opt.batch_records = per_batch;
    char *err = NULL;
    const sp_source_impl *impl = sp_source_impl_for(SP_SOURCE_FILE, &args, arena, &err);
    void *state = impl ? impl->open(&args, &opt, arena, &err) : NULL;
    if (!state) {
        fprintf(stderr, "fuzz_lines: cannot open the file source: %s\n", err ? err : "?");
        abort();
    }

    sp_vec out;
    memset(&out, 0, sizeof out);
    uint64_t rejected = 0;
    size_t got = 0;
    for (int batches = 0;; batches++) {
        if (batches > (int)n + 2)
            fail("the reader does not end", got);
        sp_arena *batch = sp_arena_new();
        sp_vec_reset(&out);
        int r = impl->read(state, batch, &out, per_batch, &rejected, &err);
        if (r < 0) {
            fprintf(stderr, "fuzz_lines: read error: %s\n", err ? err : "?");
            abort();
        }
        if ((int64_t)out.n > per_batch)
            fail("more records than asked for", got);
        for (size_t i = 0; i < out.n; i++, got++) {
            sp_value v = out.v[i];
            if (got >= nexp)
                fail("a record too many", got);
            if (v.tag != SP_V_STR || v.n != lens[got] || (v.n && memcmp(v.u.s, text + starts[got], v.n) != 0))
                fail("a record differs from the expected line", got);
        }
        sp_arena_free(batch);
        /* a bounded read ends with 0; a followed file has nothing more once
         * a read does not fill its batch */
        if (r == 0 || (follow && (int64_t)out.n < per_batch))
            break;
    }
    if (got != nexp)
        fail("records missing", got);
    if (rejected != rejected_exp) {
        fprintf(stderr, "fuzz_lines: %llu lines rejected, expected %llu\n", (unsigned long long)rejected,
                (unsigned long long)rejected_exp);
        abort();
    }
    impl->close(state);
    sp_vec_free(&out);
    sp_arena_free(arena);
    free(starts);
    free(lens);
    return 0;
}
