/* fuzz_frontend.c - libFuzzer target for the whole front end (`make fuzz`).
 *
 * Each input is taken as the text of a pipeline file and run through what
 * `streampipe dag` does: load it with the prelude (stdlib/core.sp, and any
 * `use`d library, found through STREAMPIPE_SRC_STDLIB_DIR), check it, and
 * when it is valid build the plan and write its DOT.  Diagnostics and DOT go
 * to /dev/null, so the message printer (excerpts, carets, hints) runs on
 * every error too.  Everything is freed, so LeakSanitizer sees any leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "dot.h"
#include "parse.h"
#include "plan.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Opened once and kept for the life of the process. */
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Libraries come from the source tree only, whatever the environment. */
    unsetenv("STREAMPIPE_PATH");
    devnull = fopen("/dev/null", "w");
    if (!devnull) {
        perror("fuzz_frontend: /dev/null");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_diag *d = sp_diag_new(devnull);
    sp_arena *a = sp_arena_new();
    sp_load_options opts = {NULL, 0, 0}; /* lib_dirs, nlib_dirs, no_prelude */

    sp_program *p = sp_load_string(d, a, "fuzz.sp", (const char *)data, size, &opts);
    if (p) {
        int64_t batch_ms = 0;
        sp_check_status st = sp_check(p, d, a, NULL, 0, &batch_ms);
        if (st == SP_CHECK_OK && sp_diag_errors(d) == 0) {
            sp_plan *plan = sp_plan_build(p, batch_ms, a);
            sp_dot_write(plan, devnull);
        }
    }

    /* Read back every recorded message, as the unit tests do. */
    for (int i = 0; i < sp_diag_count(d); i++) {
        const char *msg = sp_diag_message(d, i);
        const char *hint = sp_diag_hint(d, i);
        fprintf(devnull, "%d %d:%d %s %s\n", (int)sp_diag_severity(d, i), sp_diag_line(d, i),
                sp_diag_col(d, i), msg, hint ? hint : "");
    }

    sp_arena_free(a);
    sp_diag_free(d);
    return 0;
}
