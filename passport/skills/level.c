/* The level rule: verified = the highest non-declared level, never raised by declarations;
 * dates of the newest supporting evidence; staleness after a number of calendar months. */
#include "skills/level.h"

#include <time.h>

#define LEVEL_DAY 86400

int64_t level_day(int64_t t) {
    return t >= 0 ? t / LEVEL_DAY : -((-t + LEVEL_DAY - 1) / LEVEL_DAY);
}

bool level_is_stale(int64_t at, int64_t stale_before) {
    return level_day(at) < level_day(stale_before);
}

void level_start(level_result *r) {
    *r = (level_result){0, 0, false, 0, 0, false, 0};
}

void level_fold(level_result *r, evidence_kind kind, int level, int64_t at) {
    if (level < 1 || level > 8) return;
    if (kind == EVIDENCE_DECLARED) {
        if (!r->declared || at >= r->declared_at) {
            r->declared = level;
            r->declared_at = at;
        }
    } else if (kind == EVIDENCE_MEASURED || kind == EVIDENCE_ATTESTED || kind == EVIDENCE_CREDENTIAL) {
        if (level > r->verified) {
            r->verified = level;
            r->verified_at = at;
        } else if (level == r->verified && at > r->verified_at) {
            r->verified_at = at;
        }
    } else {
        return; /* unknown kinds count for nothing */
    }
    r->count++;
}

void level_finish(level_result *r, int64_t stale_before) {
    r->stale = r->verified && level_is_stale(r->verified_at, stale_before);
    r->declared_stale = r->declared && level_is_stale(r->declared_at, stale_before);
}

void level_compute(const level_evidence *ev, size_t n, int64_t stale_before, level_result *out) {
    level_start(out);
    for (size_t i = 0; i < n; i++) level_fold(out, ev[i].kind, ev[i].level, ev[i].at);
    level_finish(out, stale_before);
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
