/* SPDX-License-Identifier: EUPL-1.2 */
/* Assessment policy: front matter values checked with their line, and the sliding window
 * of failed attempts. */
#include "learn/policy.h"

#include <stdlib.h>
#include <string.h>

bool policy_parse_duration(const char *s, int64_t *out) {
    if (!s || *s < '0' || *s > '9') return false;
    char *end;
    long long v = strtoll(s, &end, 10);
    int64_t unit = !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600 : !strcmp(end, "d") ? 86400 : 0;
    if (!unit || v <= 0 || v > POLICY_MAX_COOLDOWN / unit) return false;
    *out = (int64_t)v * unit;
    return true;
}

/* A whole number in [lo, hi] from the scalar of key; false (and a problem) otherwise. */
static bool whole(const frontmatter *fm, const char *key, long lo, long hi, const char *file, diag_list *d,
                  long *out) {
    const fm_entry *e = frontmatter_get(fm, key);
    if (!e) return false;
    char *end = NULL;
    long v = e->value && *e->value ? strtol(e->value, &end, 10) : 0;
    if (!e->value || !*e->value || *end || v < lo || v > hi) {
        diag_add(d, file, e->line, "%s must be a whole number from %ld to %ld, not \"%s\"", key, lo, hi,
                 e->value ? e->value : "(a list)");
        return false;
    }
    *out = v;
    return true;
}

void policy_read(const frontmatter *fm, const char *file, learn_policy *out, diag_list *d) {
    *out = (learn_policy){0, 0, REVEAL_AFTER_PASS, POLICY_DEFAULT_ATTEMPTS, POLICY_DEFAULT_COOLDOWN};
    long v;
    if (whole(fm, "draw", 1, 200, file, d, &v)) {
        out->draw = (size_t)v;
        out->draw_line = frontmatter_line(fm, "draw", 0);
    }
    if (whole(fm, "attempts", 1, POLICY_MAX_ATTEMPTS, file, d, &v)) out->attempts = (int)v;
    const fm_entry *e = frontmatter_get(fm, "reveal");
    if (e) {
        if (e->value && !strcmp(e->value, "never")) out->reveal = REVEAL_NEVER;
        else if (!e->value || strcmp(e->value, "after-pass"))
            diag_add(d, file, e->line, "reveal must be after-pass or never, not \"%s\"", e->value ? e->value : "(a list)");
    }
    e = frontmatter_get(fm, "cooldown");
    if (e && !policy_parse_duration(e->value, &out->cooldown)) {
        diag_add(d, file, e->line, "cooldown must be a duration such as 30m, 24h or 2d (at most 90d), not \"%s\"",
                 e->value ? e->value : "(a list)");
        out->cooldown = POLICY_DEFAULT_COOLDOWN;
    }
}

int64_t policy_locked_until(const learn_policy *p, const int64_t *fails_desc, size_t n, int64_t now) {
    size_t recent = 0;
    for (size_t i = 0; i < n; i++)
        if (fails_desc[i] > now - p->cooldown) recent++;
    if (p->attempts <= 0 || recent < (size_t)p->attempts) return 0;
    /* the window frees a place when the attempts-th newest failure leaves it */
    return fails_desc[p->attempts - 1] + p->cooldown;
}
