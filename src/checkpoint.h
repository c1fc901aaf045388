/* checkpoint.h - the checkpoint file: the state of every stateful operator
 * and the position of every source after a batch, as one atomic unit.
 *
 * Layout (integers little-endian; see docs/checkpoints.md):
 *   "streampipe ckpt\n"   16 bytes of magic
 *   u32 format version    SP_CKPT_VERSION
 *   u32 flags             0
 *   u64 length            of the whole file, checksum included
 *   body                  header fields, then entries (kind, name,
 *                         fingerprint, blob), then a 0 kind
 *   u32 CRC-32C           of every byte before it
 *
 * A checkpoint is written to DIR/checkpoint.tmp, fsync'd, renamed over
 * DIR/checkpoint, and the directory is fsync'd: a crash at any moment leaves
 * either the old checkpoint or the new one, whole.  Reading checks the magic,
 * the version, the length and the checksum before anything is used, and the
 * whole body is decoded before the caller restores a thing: a checkpoint is
 * loaded completely or refused, never half. */
#ifndef SP_CHECKPOINT_H
#define SP_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "serial.h"

#define SP_CKPT_VERSION 1

/* What an entry holds. */
enum sp_ckpt_kind {
    SP_CKPT_END = 0,      /* marks the end of the entries */
    SP_CKPT_SOURCE = 1,   /* a source's position */
    SP_CKPT_OPERATOR = 2, /* an operator's state */
    SP_CKPT_SINK = 3      /* a sink's held result (final: true) */
};

/* The run-wide part of a checkpoint. */
typedef struct sp_ckpt_header {
    const char *pipeline; /* the pipeline's display name (information only) */
    uint64_t next_batch;  /* number of the batch to run next */
    int64_t time_ms;      /* time of the last batch run */
    int64_t written_ms;   /* wall clock when written */
    uint64_t batches, records_in, malformed, eval_errors, late; /* the run's counters */
} sp_ckpt_header;

/* Writing: sp_ckpt_begin, then sp_ckpt_entry for each entry, then
 * sp_ckpt_save.  `w` is the caller's buffer (reset by begin). */
void sp_ckpt_begin(sp_wbuf *w, const sp_ckpt_header *h);
void sp_ckpt_entry(sp_wbuf *w, int kind, const char *name, uint64_t fingerprint, const sp_wbuf *blob);
/* Ends the body and writes it atomically as DIR/checkpoint (creating DIR
 * when missing).  Returns 0, or -1 with *err (malloc'd). */
int sp_ckpt_save(const char *dir, sp_wbuf *w, char **err);

/* Locks DIR (creating it when missing) for this process: a second run on
 * the same checkpoint would overwrite the first one's.  Returns a
 * descriptor to close when done, or -1 with *err (malloc'd) when DIR is in
 * use by another process or cannot be created. */
int sp_ckpt_lock(const char *dir, char **err);

/* A loaded checkpoint (opaque). */
typedef struct sp_ckpt sp_ckpt;

/* Loads DIR/checkpoint.  Returns 1 with *out set, 0 when there is none
 * (DIR or the file missing), -1 with *err (malloc'd) when it is unusable:
 * unreadable, truncated, corrupt, or of another format version. */
int sp_ckpt_load(const char *dir, sp_ckpt **out, char **err);
/* The same from bytes in memory (copied); `what` names them in messages. */
int sp_ckpt_parse(const void *buf, size_t n, const char *what, sp_ckpt **out, char **err);
void sp_ckpt_free(sp_ckpt *c);

const sp_ckpt_header *sp_ckpt_info(const sp_ckpt *c);
/* The blob of the first entry of this kind and fingerprint not yet taken,
 * which it marks taken; NULL when there is none.  *name gets its name. */
const void *sp_ckpt_take(sp_ckpt *c, int kind, uint64_t fingerprint, size_t *n, const char **name);
/* Entries never taken, one by one: returns 0 when there are no more. */
int sp_ckpt_untaken(const sp_ckpt *c, int *iter, int *kind, const char **name);

/* The fingerprint of plan node `i`: a hash of its definition (the
 * operator, its arguments and options with their resolved values, the
 * functions and parameters they use, the batch interval) and of its
 * inputs' fingerprints `fps` (indexed by node, filled for earlier nodes).
 * An operator whose fingerprint is unchanged computes exactly what it did,
 * so its state can be restored. */
uint64_t sp_ckpt_fingerprint(const sp_plan *plan, int i, const uint64_t *fps);

#endif
