/* SPDX-License-Identifier: EUPL-1.2 */
/* A module's assessment policy, read from its front matter: how many questions an
 * attempt draws (`draw`), when explanations are shown (`reveal`), and how many failed
 * attempts are allowed (`attempts`) within a sliding window (`cooldown`); and the
 * evaluation of that window for one agent. Defaults are documented in courses/README.md. */
#ifndef PASSPORT_LEARN_POLICY_H
#define PASSPORT_LEARN_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learn/diag.h"
#include "learn/frontmatter.h"

#define POLICY_DEFAULT_ATTEMPTS 3
#define POLICY_DEFAULT_COOLDOWN (24 * 3600)
#define POLICY_MAX_ATTEMPTS 100
#define POLICY_MAX_COOLDOWN (90 * 24 * 3600)

typedef enum learn_reveal {
    REVEAL_AFTER_PASS, /* explanations once the agent has passed the module (default) */
    REVEAL_NEVER,      /* never: modules used as exams */
} learn_reveal;

typedef struct learn_policy {
    size_t draw;      /* questions per attempt; 0: all of them */
    size_t draw_line; /* line of `draw` in the file, for check-courses (0 when absent) */
    learn_reveal reveal;
    int attempts;     /* failed attempts allowed in any window of `cooldown` seconds */
    int64_t cooldown; /* seconds */
} learn_policy;

/* Reads draw, reveal, attempts and cooldown of fm into out (defaults for absent keys),
 * appending file:line: message to d for a value out of range or malformed. */
void policy_read(const frontmatter *fm, const char *file, learn_policy *out, diag_list *d);

/* Parses a duration "30m", "24h", "2d" (a whole number and one unit) into seconds. */
bool policy_parse_duration(const char *s, int64_t *out);

/* When the agent may try again, given the finish times of their failed attempts on the
 * module, newest first (fails_desc[0..n)): 0 when an attempt is allowed at now, else the
 * first second it is. An attempt is refused while `attempts` failures or more finished
 * less than `cooldown` seconds ago: a failure at t stops counting at exactly
 * t + cooldown. */
int64_t policy_locked_until(const learn_policy *p, const int64_t *fails_desc, size_t n, int64_t now);

#endif
