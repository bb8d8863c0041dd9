/* SPDX-License-Identifier: EUPL-1.2 */
/* Question draws: stratified sampling without replacement and option shuffles driven by
 * splitmix64, a small generator whose whole state is the seed (reproducible draws). */
#include "learn/draw.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

static uint64_t next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A number in [0, n) (n > 0); the modulo bias is below 2^-50 for our sizes. */
static size_t below(uint64_t *s, size_t n) {
    return (size_t)(next(s) % n);
}

size_t quiz_draw_stratum(size_t qi, size_t nstrata) {
    return nstrata > 1 ? qi % nstrata : 0;
}

static int cmp_size(const void *x, const void *y) {
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? -1 : a > b;
}

quiz_draw *quiz_draw_make(const quiz *q, size_t nstrata, size_t want, uint64_t seed) {
    size_t total = q->n, ns = nstrata ? nstrata : 1;
    if (ns > total && total) ns = total;
    if (!ns) ns = 1;
    if (!want || want > total) want = total;
    quiz_draw *d = xcalloc(1, sizeof *d);
    d->q = xcalloc(want ? want : 1, sizeof *d->q);
    d->perm = xcalloc(want ? want : 1, sizeof *d->perm);
    size_t *quota = xcalloc(ns, sizeof *quota), *size = xcalloc(ns, sizeof *size);
    for (size_t i = 0; i < total; i++) size[quiz_draw_stratum(i, ns)]++;
    size_t given = 0;
    for (size_t k = 0; k < ns; k++) {
        quota[k] = want / ns < size[k] ? want / ns : size[k];
        given += quota[k];
    }
    while (given < want) { /* the rest, one at a time, to a random stratum with room */
        size_t open = 0;
        for (size_t k = 0; k < ns; k++) open += quota[k] < size[k];
        size_t pick = below(&seed, open);
        for (size_t k = 0; k < ns; k++)
            if (quota[k] < size[k] && pick-- == 0) {
                quota[k]++;
                given++;
                break;
            }
    }
    size_t *members = xcalloc(total ? total : 1, sizeof *members);
    for (size_t k = 0; k < ns; k++) { /* partial Fisher-Yates inside each stratum */
        size_t m = 0;
        for (size_t i = k; i < total; i += ns) members[m++] = i;
        for (size_t j = 0; j < quota[k]; j++) {
            size_t r = j + below(&seed, m - j), t = members[j];
            members[j] = members[r];
            members[r] = t;
            d->q[d->n++] = members[j];
        }
    }
    qsort(d->q, d->n, sizeof *d->q, cmp_size);
    for (size_t p = 0; p < d->n; p++) {
        size_t no = q->questions[d->q[p]].noptions;
        for (size_t k = 0; k < no; k++) d->perm[p][k] = (unsigned char)k;
        for (size_t k = no; k > 1; k--) {
            size_t r = below(&seed, k);
            unsigned char t = d->perm[p][k - 1];
            d->perm[p][k - 1] = d->perm[p][r];
            d->perm[p][r] = t;
        }
    }
    free(members);
    free(quota);
    free(size);
    return d;
}

void quiz_draw_free(quiz_draw *d) {
    if (!d) return;
    free(d->q);
    free(d->perm);
    free(d);
}

size_t quiz_draw_position(const quiz_draw *d, size_t qi) {
    for (size_t p = 0; p < d->n; p++)
        if (d->q[p] == qi) return p;
    return (size_t)-1;
}
