/* suggest.h - "did you mean ...?" from edit distance over names in scope. */
#ifndef SP_SUGGEST_H
#define SP_SUGGEST_H

#include <stddef.h>

/* Collects candidate names and picks the closest to a misspelt word. */
typedef struct sp_suggest {
    const char *word;  /* the misspelt word; not owned */
    const char *best;  /* closest candidate so far, or NULL; not owned */
    int best_distance; /* its distance */
} sp_suggest;

/* Starts a search for names close to `word`. */
void sp_suggest_init(sp_suggest *s, const char *word);

/* Offers one candidate; it must stay valid while s is used. */
void sp_suggest_offer(sp_suggest *s, const char *candidate);

/* The best candidate if it is close enough to be a likely typo, else NULL. */
const char *sp_suggest_result(const sp_suggest *s);

/* Damerau-Levenshtein (optimal string alignment) distance, case-insensitive
 * for letters; strings longer than 63 bytes compare as far apart. */
int sp_edit_distance(const char *a, const char *b);

#endif
