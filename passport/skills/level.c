/* SPDX-License-Identifier: EUPL-1.2 */
/* The level rule: verified = the highest non-declared level, never raised by declarations;
 * dates of the newest supporting evidence; staleness after a number of calendar months. */
#include "skills/level.h"

#include <time.h>

/* The level piece i counts at: its own, capped by the re-checks newer than it. */
static int capped_level(const level_evidence *ev, size_t n, size_t i) {
    int level = ev[i].level;
    if (ev[i].kind == EVIDENCE_DECLARED) return level;
    for (size_t j = 0; j < n; j++)
        if (ev[j].recheck && ev[j].kind == EVIDENCE_MEASURED && ev[j].at > ev[i].at && ev[j].level >= 1 &&
            ev[j].level < level)
            level = ev[j].level;
    return level;
}

void level_compute(const level_evidence *ev, size_t n, int64_t stale_before, level_result *out) {
    *out = (level_result){0, 0, false, 0, 0, false, 0};
    for (size_t i = 0; i < n; i++) {
        level_evidence capped = ev[i];
        const level_evidence *e = &capped;
        if (e->level < 1 || e->level > 8) continue;
        capped.level = capped_level(ev, n, i);
        out->count++;
        if (e->kind == EVIDENCE_DECLARED) {
            if (!out->declared || e->at >= out->declared_at) {
                out->declared = e->level;
                out->declared_at = e->at;
            }
        } else if (e->kind == EVIDENCE_MEASURED || e->kind == EVIDENCE_ATTESTED || e->kind == EVIDENCE_CREDENTIAL) {
            if (e->level > out->verified) {
                out->verified = e->level;
                out->verified_at = e->at;
            } else if (e->level == out->verified && e->at > out->verified_at) {
                out->verified_at = e->at;
            }
        } else {
            out->count--; /* unknown kinds count for nothing */
        }
    }
    out->stale = out->verified && level_is_stale(out->verified_at, stale_before);
    out->declared_stale = out->declared && level_is_stale(out->declared_at, stale_before);
}

#define LEVEL_DAY 86400

int64_t level_day(int64_t t) {
    return t >= 0 ? t / LEVEL_DAY : -((-t + LEVEL_DAY - 1) / LEVEL_DAY);
}

bool level_is_stale(int64_t at, int64_t stale_before) {
    return level_day(at) < level_day(stale_before);
}

static bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t level_stale_before(int64_t now, int months) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    int total = tm.tm_year * 12 + tm.tm_mon - months;
    tm.tm_year = total / 12;
    tm.tm_mon = total % 12;
    if (tm.tm_mon < 0) {
        tm.tm_mon += 12;
        tm.tm_year--;
    }
    int mdays = days[tm.tm_mon] + (tm.tm_mon == 1 && leap(tm.tm_year + 1900));
    if (tm.tm_mday > mdays) tm.tm_mday = mdays;
    return (int64_t)timegm(&tm);
}
