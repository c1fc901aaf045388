/* fuzz_checkpoint.c - libFuzzer target for the checkpoint reader
 * (src/checkpoint.c, src/serial.c).
 *
 * A checkpoint comes from disk, where anything may happen to it; reading
 * one must never crash, hang or read out of bounds, whatever the bytes.
 * The first byte chooses how the rest is used:
 *   even: as a whole file, given to sp_ckpt_parse as it is (the magic,
 *         version, length and checksum checks);
 *   odd:  as the body of a file: wrapped in a valid header, length and
 *         checksum, so that mutations reach the body's decoder and, for
 *         every entry, the value decoder the operators' restore uses.
 * Run with `make fuzz` (FUZZ_SECONDS). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "serial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every entry's blob read as values, until the bytes run out or lie. */
static void decode_entries(sp_ckpt *c)
{
    for (int kind = SP_CKPT_SOURCE; kind <= SP_CKPT_SINK; kind++) {
        int iter = 0, k;
        const char *name;
        while (sp_ckpt_untaken(c, &iter, &k, &name)) {
            (void)name;
        }
    }
    /* the entries' fingerprints are unknown here: walk them with take by
     * trying the fingerprints 0..3, which the seeds use */
    for (uint64_t fp = 0; fp < 4; fp++) {
        for (int kind = SP_CKPT_SOURCE; kind <= SP_CKPT_SINK; kind++) {
            size_t n;
            const void *b;
            while ((b = sp_ckpt_take(c, kind, fp, &n, NULL)) != NULL) {
                sp_arena *a = sp_arena_new();
                sp_rbuf r;
                sp_rbuf_init(&r, b, n);
                while (!r.bad && r.pos < r.n)
                    (void)sp_get_value(&r, a);
                sp_arena_free(a);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    sp_ckpt *c = NULL;
    char *err = NULL;
    if ((data[0] & 1) == 0) {
        if (sp_ckpt_parse(data + 1, size - 1, "fuzz", &c, &err) == 1)
            decode_entries(c);
    } else {
        /* header, then the body as given, then the end mark, length, CRC */
        sp_wbuf w = {0};
        sp_ckpt_header h = {"fuzz", 1, 0, 0, 0, 0, 0, 0, 0};
        sp_ckpt_begin(&w, &h);
        size_t head = w.n;
        w.n = 32; /* keep magic, version, flags, length; the body is the input */
        (void)head;
        sp_put_bytes(&w, data + 1, size - 1);
        sp_put_u8(&w, SP_CKPT_END);
        uint64_t len = w.n + 4;
        for (int i = 0; i < 8; i++)
            w.p[24 + i] = (unsigned char)(len >> (8 * i));
        sp_put_u32(&w, sp_crc32c(0, w.p, w.n));
        if (sp_ckpt_parse(w.p, w.n, "fuzz", &c, &err) == 1)
            decode_entries(c);
        sp_wbuf_free(&w);
    }
    sp_ckpt_free(c);
    free(err);
    return 0;
}
