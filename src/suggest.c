/* suggest.c - edit distance for "did you mean" hints. */
#include "suggest.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define SUGGEST_MAXLEN 63

int sp_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > SUGGEST_MAXLEN || m > SUGGEST_MAXLEN)
        return 1000;
    int d[SUGGEST_MAXLEN + 1][SUGGEST_MAXLEN + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]);
            int cb = tolower((unsigned char)b[j - 1]);
            int cost = ca == cb ? 0 : 1;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[n][m];
}

void sp_suggest_init(sp_suggest *s, const char *word)
{
    s->word = word;
    s->best = NULL;
    s->best_distance = 1000;
}

void sp_suggest_offer(sp_suggest *s, const char *candidate)
{
    if (!candidate || strcmp(candidate, s->word) == 0)
        return;
    int dist = sp_edit_distance(s->word, candidate);
    if (strcasecmp(candidate, s->word) == 0)
        dist = 0; /* differs only in case: the likeliest slip of all */
    if (dist < s->best_distance) {
        s->best = candidate;
        s->best_distance = dist;
    }
}

const char *sp_suggest_result(const sp_suggest *s)
{
    if (!s->best)
        return NULL;
    size_t len = strlen(s->word);
    /* Allow about one edit per three characters, at least one, at most 3. */
    int limit = (int)(len / 3);
    if (limit < 1)
        limit = 1;
    if (limit > 3)
        limit = 3;
    return s->best_distance <= limit ? s->best : NULL;
}
