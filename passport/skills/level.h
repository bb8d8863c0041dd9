/* SPDX-License-Identifier: EUPL-1.2 */
/* The level rule of docs/skills.md, as a pure function over a competency's evidence:
 * verified level and its date, declared level and its date, freshness. */
#ifndef PASSPORT_SKILLS_LEVEL_H
#define PASSPORT_SKILLS_LEVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skills/evidence.h"

typedef struct level_evidence {
    evidence_kind kind;
    int level;   /* 1..8; other values are ignored */
    int64_t at;  /* seconds since the epoch */
    bool recheck;/* a measured re-check (source "recheck:<id>"): caps the older pieces */
} level_evidence;

typedef struct level_result {
    int verified;          /* 0 (none) .. 8: the highest measured, attested or credential level */
    int64_t verified_at;   /* the newest evidence at exactly the verified level; 0 if none */
    bool stale;            /* verified > 0 and verified_at < stale_before */
    int declared;          /* the newest declared level (0 if none), whatever its value */
    int64_t declared_at;
    bool declared_stale;   /* declared > 0 and declared_at < stale_before */
    int count;             /* pieces of evidence considered (valid levels only) */
} level_result;

/* Applies the rule to ev[0..n) (any order; among declared pieces of the same time the
 * later one in the array wins). stale_before: evidence dated before this day is stale
 * (level_is_stale). The one definition of a level: the passport view and the talent
 * index both call it per competency, mapped pieces included. A
 * re-check piece caps every non-declared piece older than itself at its own level: a
 * failed re-check lowers the verified level, a passed one (recorded at the level it
 * confirms) only refreshes its date. */
void level_compute(const level_evidence *ev, size_t n, int64_t stale_before, level_result *out);

/* The UTC day number of t (floor(t / 86400)). */
int64_t level_day(int64_t t);
/* True when evidence dated at is stale against the limit stale_before: freshness is a
 * date, so it is stale when its UTC date is before the limit's date (any time on the
 * limit's day is still fresh). */
bool level_is_stale(int64_t at, int64_t stale_before);

/* now minus months calendar months (UTC; the day is clamped to the target month's
 * length: 31 March minus one month is 28 or 29 February). */
int64_t level_stale_before(int64_t now, int months);

#endif
