/* SPDX-License-Identifier: EUPL-1.2 */
/* Prospects of an intrapreneur call: shortlisted or invited visible profiles. */
#include "talent/prospects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "people/inbox.h"

static bool db_fail(store *s, perr *err) {
    return perr_set(err, "database error: %s", store_errmsg(s));
}

/* The call's state and title (caller frees *title); false when there is no such call. */
static bool call_info(store *s, long long id, char state[16], char **title) {
    store_query *st = store_stmt(s, "SELECT state, title FROM calls WHERE id = ?", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    bool found = store_step(st) == STORE_ROW;
    if (found) {
        snprintf(state, 16, "%s", store_col_text(st, 0));
        *title = xstrdup(store_col_text(st, 1));
    }
    store_done(st);
    return found;
}

bool prospects_mark(store *s, long long call_id, long long user_id, const char *action, int64_t now, perr *err) {
    bool invite = action && !strcmp(action, "invite");
    if (!invite && !(action && !strcmp(action, "shortlist"))) return perr_set(err, "talent.prospect.bad_action");
    char state[16] = "";
    char *title = NULL;
    if (!call_info(s, call_id, state, &title)) return perr_set(err, "talent.call_not_found");
    bool ok = false;
    if (invite && strcmp(state, "open")) {
        perr_set(err, "talent.prospect.not_open");
        goto done;
    }
    store_query *st = store_stmt(s,
        "INSERT INTO call_prospects(call_id, user_id, shortlisted, invited_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(call_id, user_id) DO UPDATE SET shortlisted = CASE WHEN excluded.shortlisted"
        " > call_prospects.shortlisted THEN excluded.shortlisted ELSE call_prospects.shortlisted END,"
        " invited_at = coalesce(call_prospects.invited_at, excluded.invited_at)",
        err);
    if (!st) goto done;
    store_bind_int64(st, 1, call_id);
    store_bind_int64(st, 2, user_id);
    store_bind_int(st, 3, invite ? 0 : 1);
    if (invite) store_bind_int64(st, 4, now);
    else store_bind_null(st, 4);
    store_bind_int64(st, 5, now);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) {
        db_fail(s, err);
        goto done;
    }
    ok = true;
    if (invite) { /* once per call and agent: the dedup key makes a second post a no-op */
        char link[48], dedup[64];
        snprintf(link, sizeof link, "/calls/%lld", call_id);
        snprintf(dedup, sizeof dedup, "call-invite:%lld:%lld", call_id, user_id);
        json_t *args = json_pack("[s]", title);
        ok = inbox_post(s, user_id, "call_invite", "talent.inbox.invited", args, link, dedup, err);
        json_decref(args);
    }
done:
    free(title);
    return ok;
}

json_t *prospects_list(store *s, long long call_id, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT p.user_id, u.display_name, coalesce(un.name, ''), p.shortlisted, p.invited_at IS NOT NULL,"
        " coalesce(p.invited_at, 0) FROM call_prospects p JOIN users u ON u.id = p.user_id"
        " LEFT JOIN units un ON un.id = u.unit_id WHERE p.call_id = ? AND u.disabled_at IS NULL"
        " ORDER BY p.created_at DESC, p.user_id",
        err);
    if (!st) return NULL;
    store_bind_int64(st, 1, call_id);
    json_t *out = json_array();
    int rc;
    while ((rc = store_step(st)) == STORE_ROW)
        json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:b, s:b, s:I}", "user_id",
                                             (json_int_t)store_col_int64(st, 0), "name", store_col_text(st, 1),
                                             "unit", store_col_text(st, 2), "shortlisted", store_col_int(st, 3),
                                             "invited", store_col_int(st, 4), "invited_at",
                                             (json_int_t)store_col_int64(st, 5)));
    store_done(st);
    if (rc != STORE_DONE) {
        db_fail(s, err);
        json_decref(out);
        return NULL;
    }
    return out;
}
