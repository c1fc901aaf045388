/* parse.c - the parse driver: one file through the scanner and parser, then
 * the prelude and every `use`d library, found on the library path. */
#include "parse.h"
#include "lex.h"
#include "suggest.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef STREAMPIPE_STDLIB_DIR
#define STREAMPIPE_STDLIB_DIR "/usr/local/share/streampipe/stdlib"
#endif
#ifndef STREAMPIPE_SRC_STDLIB_DIR
#define STREAMPIPE_SRC_STDLIB_DIR "stdlib"
#endif

#define PRELUDE "core"

int sp_parse_file(sp_diag *d, sp_arena *a, int file, sp_stmt **out)
{
    sp_parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.diag = d;
    ctx.arena = a;
    ctx.file = file;
    ctx.text = sp_srcfile_text(sp_diag_file(d, file), &ctx.len);
    int before = sp_diag_errors(d);
    sp_scanner s = sp_lex_new(&ctx);
    if (!s) {
        sp_loc none = {-1, 0, 0};
        sp_diag_error(d, none, NULL, "cannot create the scanner");
        *out = NULL;
        return 1;
    }
    sp_parser_run(s, &ctx);
    sp_lex_free(s);
    *out = ctx.stmts;
    return sp_diag_errors(d) - before;
}

/* The library path, in search order. */
typedef struct libpath {
    const char *dirs[64]; /* directories; arena strings or static */
    int n;                /* entries */
    const char *main_dir; /* the entry that is the pipeline's directory, or NULL */
} libpath;

static void libpath_add(libpath *lp, const char *dir)
{
    if (dir && *dir && lp->n < (int)(sizeof lp->dirs / sizeof lp->dirs[0]))
        lp->dirs[lp->n++] = dir;
}

static void libpath_build(libpath *lp, sp_arena *a, const char *main_path, const sp_load_options *opt)
{
    lp->n = 0;
    if (opt)
        for (int i = 0; i < opt->nlib_dirs; i++)
            libpath_add(lp, opt->lib_dirs[i]);
    const char *env = getenv("STREAMPIPE_PATH");
    if (env) {
        const char *p = env;
        while (*p) {
            const char *colon = strchr(p, ':');
            size_t n = colon ? (size_t)(colon - p) : strlen(p);
            if (n)
                libpath_add(lp, sp_arena_strndup(a, p, n));
            p += n + (colon ? 1 : 0);
        }
    }
    lp->main_dir = NULL;
    if (main_path) {
        const char *slash = strrchr(main_path, '/');
        libpath_add(lp, slash ? sp_arena_strndup(a, main_path, (size_t)(slash - main_path) + 1) : ".");
        lp->main_dir = lp->dirs[lp->n - 1];
    }
    libpath_add(lp, STREAMPIPE_SRC_STDLIB_DIR);
    libpath_add(lp, STREAMPIPE_STDLIB_DIR);
}

/* The first NAME.sp on the path from entry `from` on that is not the file
 * `not` (the pipeline file: a pipeline called weblog.sp can still `use
 * weblog`), skipping the pipeline's own directory when `skip_dir` (the
 * prelude comes from the stdlib only).  *at: the entry it was found in. */
static char *libpath_find(const libpath *lp, sp_arena *a, const char *name, int from,
                          const struct stat *not, const char *skip_dir, int *at)
{
    for (int i = from; i < lp->n; i++) {
        if (skip_dir && lp->dirs[i] == skip_dir)
            continue;
        const char *dir = lp->dirs[i];
        char *path = sp_arena_printf(a, "%s%s%s.sp", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (not && st.st_dev == not->st_dev && st.st_ino == not->st_ino)
            continue;
        *at = i;
        return path;
    }
    return NULL;
}

/* Offers every library name on the path to a suggestion search. */
static void libpath_offer(const libpath *lp, sp_arena *a, sp_suggest *sg)
{
    for (int i = 0; i < lp->n; i++) {
        DIR *dir = opendir(lp->dirs[i]);
        if (!dir)
            continue;
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            size_t len = strlen(de->d_name);
            if (len > 3 && strcmp(de->d_name + len - 3, ".sp") == 0)
                sp_suggest_offer(sg, sp_arena_strndup(a, de->d_name, len - 3));
        }
        closedir(dir);
    }
}

typedef struct loader {
    sp_diag *d;
    sp_arena *a;
    libpath path;
    const char *loaded[128]; /* library names already loaded */
    int nloaded;
    sp_stmt *lib_last;       /* tail of program->library */
    sp_program *prog;
    struct stat main_st;     /* identity of the pipeline file */
    int have_main_st;        /* main_st is set */
} loader;

static int loader_seen(loader *L, const char *name)
{
    for (int i = 0; i < L->nloaded; i++)
        if (strcmp(L->loaded[i], name) == 0)
            return 1;
    return 0;
}

static void loader_add_lib_stmt(loader *L, sp_stmt *s)
{
    s->next = NULL;
    if (L->lib_last)
        L->lib_last->next = s;
    else
        L->prog->library = s;
    L->lib_last = s;
}

static void load_uses(loader *L, sp_stmt *stmts);

/* Loads library `name` (requested at `at`, or by the prelude when at is
 * NULL) and what it uses; only its `fn` statements are kept. */
static void load_library(loader *L, const char *name, const sp_loc *at)
{
    if (loader_seen(L, name))
        return;
    if (L->nloaded == (int)(sizeof L->loaded / sizeof L->loaded[0])) {
        if (at)
            sp_diag_error(L->d, *at, NULL, "too many libraries (at most 128)");
        return;
    }
    L->loaded[L->nloaded++] = name;
    int found;
    char *path = libpath_find(&L->path, L->a, name, 0, L->have_main_st ? &L->main_st : NULL,
                              at ? NULL : L->path.main_dir, &found);
    if (path && at && L->path.dirs[found] == L->path.main_dir) {
        /* found next to the pipeline, which nobody asked for by name: say
         * so when it hides a library of the standard one (a stale copy left
         * there would otherwise change the pipeline's results silently) */
        struct stat st;
        int later;
        const char *std = stat(path, &st) == 0 ? libpath_find(&L->path, L->a, name, found + 1, &st, NULL, &later)
                                               : NULL;
        if (std)
            sp_diag_warning(L->d, *at,
                            "rename it to use the standard library's, or name its directory with -I to keep it and "
                            "silence this",
                            "'use %s' loads %s, next to the pipeline, instead of %s", name, path, std);
    }
    if (!path) {
        if (!at)
            return; /* no prelude installed: the built-ins still work */
        sp_suggest sg;
        sp_suggest_init(&sg, name);
        libpath_offer(&L->path, L->a, &sg);
        const char *best = sp_suggest_result(&sg);
        char *hint = best ? sp_arena_printf(L->a, "did you mean '%s'?", best)
                          : sp_arena_printf(L->a, "libraries are NAME.sp files in %s, or a directory given with -I or STREAMPIPE_PATH",
                                            STREAMPIPE_STDLIB_DIR);
        sp_diag_error(L->d, *at, hint, "cannot find library '%s'", name);
        return;
    }
    char *err = NULL;
    sp_srcfile *f = sp_srcfile_load(path, &err);
    if (!f) {
        sp_loc none = {-1, 0, 0};
        sp_diag_error(L->d, at ? *at : none, NULL, "%s", err);
        free(err);
        return;
    }
    int idx = sp_diag_add_file(L->d, f);
    sp_stmt *stmts = NULL;
    sp_parse_file(L->d, L->a, idx, &stmts);
    load_uses(L, stmts);
    for (sp_stmt *s = stmts, *next; s; s = next) {
        next = s->next;
        if (s->kind == SP_S_FN)
            loader_add_lib_stmt(L, s);
        else if (s->kind != SP_S_USE)
            sp_diag_error(L->d, s->loc, "move it to the pipeline file that uses this library",
                          "a library may only define functions ('fn') and use other libraries");
    }
}

static void load_uses(loader *L, sp_stmt *stmts)
{
    for (sp_stmt *s = stmts; s; s = s->next)
        if (s->kind == SP_S_USE)
            load_library(L, s->name, &s->name_loc);
}

static sp_program *load_main(sp_diag *d, sp_arena *a, int idx, const char *path,
                             const sp_load_options *opt)
{
    loader *L = sp_arena_alloc(a, sizeof *L);
    L->d = d;
    L->a = a;
    libpath_build(&L->path, a, path, opt);
    L->have_main_st = path && stat(path, &L->main_st) == 0;
    L->prog = sp_arena_alloc(a, sizeof *L->prog);
    L->prog->name = sp_srcfile_name(sp_diag_file(d, idx));
    L->prog->main_file = idx;
    sp_parse_file(d, a, idx, &L->prog->stmts);
    if (!opt || !opt->no_prelude)
        load_library(L, PRELUDE, NULL);
    load_uses(L, L->prog->stmts);
    return L->prog;
}

sp_program *sp_load(sp_diag *d, sp_arena *a, const char *path, const sp_load_options *opt)
{
    char *err = NULL;
    sp_srcfile *f = sp_srcfile_load(path, &err);
    if (!f) {
        sp_loc none = {-1, 0, 0};
        sp_diag_error(d, none, NULL, "%s", err);
        free(err);
        return NULL;
    }
    int idx = sp_diag_add_file(d, f);
    return load_main(d, a, idx, strcmp(path, "-") == 0 ? NULL : path, opt);
}

sp_program *sp_load_string(sp_diag *d, sp_arena *a, const char *name, const char *text,
                           size_t len, const sp_load_options *opt)
{
    int idx = sp_diag_add_file(d, sp_srcfile_from_string(name, text, len));
    return load_main(d, a, idx, NULL, opt);
}

char *sp_library_path(sp_arena *a, const sp_program *p, const sp_load_options *opt)
{
    libpath lp;
    libpath_build(&lp, a, p ? p->name : NULL, opt);
    char *r = sp_arena_strdup(a, "");
    for (int i = 0; i < lp.n; i++)
        r = sp_arena_printf(a, "%s%s\n", r, lp.dirs[i]);
    return r;
}
