/* SPDX-License-Identifier: EUPL-1.2 */
/* Evidence rows: validation, insertion, and the verified level through the mapping. */
#include "skills/evidence.h"

#include <string.h>

#include "core/clock.h"
#include "core/text.h"

static const char *const kind_names[] = {NULL, "measured", "declared", "attested", "credential"};

const char *evidence_kind_name(evidence_kind kind) {
    return kind >= EVIDENCE_MEASURED && kind <= EVIDENCE_CREDENTIAL ? kind_names[kind] : NULL;
}

evidence_kind evidence_kind_parse(const char *name) {
    for (int k = EVIDENCE_MEASURED; name && k <= EVIDENCE_CREDENTIAL; k++)
        if (!strcmp(name, kind_names[k])) return (evidence_kind)k;
    return 0;
}

/* The id of an active (not retired) competency, 0 if none. */
static long long active_competency(store *s, const char *code) {
    if (!code) return 0;
    store_query *st = store_stmt(s, "SELECT id FROM competencies WHERE code = ? AND retired = 0", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, code);
    long long id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

bool skills_competency_exists(store *s, const char *code) {
    return active_competency(s, code) != 0;
}

json_t *skills_competency_titles(store *s, const char *locale) {
    json_t *out = json_object();
    bool en = locale && !strncmp(locale, "en", 2);
    store_query *st = store_stmt(s, "SELECT code, title_fr, title_en FROM competencies", NULL);
    if (!st) return out;
    while (store_step(st) == STORE_ROW) {
        const char *t = store_col_text(st, en ? 2 : 1);
        json_object_set_new(out, store_col_text(st, 0), json_string(*t ? t : store_col_text(st, 1)));
    }
    store_done(st);
    return out;
}

void skills_name_competencies(store *s, json_t *comps, const char *locale) {
    bool en = locale && !strncmp(locale, "en", 2);
    size_t i;
    json_t *c;
    json_array_foreach(comps, i, c) {
        store_query *st = store_stmt(s, "SELECT title_fr, title_en FROM competencies WHERE code = ?", NULL);
        if (!st) return;
        store_bind_text(st, 1, json_string_value(json_object_get(c, "code")));
        if (store_step(st) == STORE_ROW) {
            const char *t = store_col_text(st, en ? 1 : 0);
            json_object_set_new(c, "title", json_string(*t ? t : store_col_text(st, 0)));
        }
        store_done(st);
    }
}

bool evidence_add(store *s, long long user_id, const char *code, int level, evidence_kind kind,
                  const char *source_ref, long long author_id, const char *comment, perr *err) {
    if (level < 1 || level > 8) return perr_set(err, "skills.bad_level");
    if (!evidence_kind_name(kind)) return perr_set(err, "skills.bad_kind");
    if ((source_ref && strlen(source_ref) > EVIDENCE_MAX_SOURCE) || (comment && strlen(comment) > EVIDENCE_MAX_COMMENT))
        return perr_set(err, "skills.too_long");
    if (comment && !text_clean(comment, strlen(comment), true)) return perr_set(err, "skills.bad_comment");
    long long cid = active_competency(s, code);
    if (!cid) return perr_set(err, "skills.unknown_competency");
    store_query *st = store_stmt(s,
        "INSERT INTO evidence(user_id, competency_id, level, kind, source_ref, author_id, comment, created_at)"
        " VALUES (?, ?, ?, ?, ?, nullif(CAST(? AS BIGINT), 0), ?, ?)",
        err);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    store_bind_int64(st, 2, cid);
    store_bind_int(st, 3, level);
    store_bind_text(st, 4, evidence_kind_name(kind));
    store_bind_text(st, 5, source_ref ? source_ref : "");
    store_bind_int64(st, 6, author_id);
    store_bind_text(st, 7, comment ? comment : "");
    store_bind_int64(st, 8, clock_now());
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return perr_set(err, "database: %s", store_errmsg(s));
    return true;
}

int skills_verified_level(store *s, long long user_id, const char *code) {
    store_query *st = store_stmt(s,
        "WITH c(id) AS (SELECT id FROM competencies WHERE code = ?2),"
        " related(id) AS (SELECT id FROM c"
        "  UNION SELECT m.to_id FROM competency_map m JOIN c ON m.from_id = c.id"
        "  UNION SELECT m.from_id FROM competency_map m JOIN c ON m.to_id = c.id)"
        /* each piece capped by the lowest later re-check (the smaller of the two: written
         * as a CASE, PostgreSQL having no two-argument min) */
        " SELECT coalesce(max(CASE WHEN lvl < cap THEN lvl ELSE cap END), 0) FROM (SELECT e.level AS lvl,"
        "  coalesce((SELECT min(x.level) FROM evidence x JOIN related rx"
        "  ON x.competency_id = rx.id WHERE x.user_id = ?1 AND x.kind = 'measured' AND x.source_ref LIKE 'recheck:%'"
        "  AND x.created_at > e.created_at), 8) AS cap"
        " FROM evidence e JOIN related r ON e.competency_id = r.id"
        " WHERE e.user_id = ?1 AND e.kind <> 'declared') AS t",
        NULL);
    if (!st) return 0;
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, code);
    int level = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return level;
}

bool skills_counts(store *s, long long user_id, int *verified, int *declared, int *pieces) {
    store_query *st = store_stmt(s,
        "SELECT count(DISTINCT CASE WHEN kind <> 'declared' THEN competency_id END),"
        " count(DISTINCT CASE WHEN kind = 'declared' THEN competency_id END), count(*)"
        " FROM evidence WHERE user_id = ?", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, user_id);
    bool ok = store_step(st) == STORE_ROW;
    if (ok) {
        *verified = store_col_int(st, 0);
        *declared = store_col_int(st, 1);
        *pieces = store_col_int(st, 2);
    }
    store_done(st);
    return ok;
}
