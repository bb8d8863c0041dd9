/* SPDX-License-Identifier: EUPL-1.2 */
/* Leases and shared facts of several servers on one database (store/cluster.h). Plain
 * SQL that SQLite and PostgreSQL read alike: ON CONFLICT upserts, times bound from C. */
#include "store/cluster.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool db_fail(store *s, perr *err) {
    return perr_set(err, "database error: %s", store_errmsg(s));
}

/* Runs a statement with no row to read; false with err when it fails. */
static bool run(store *s, store_query *st, perr *err) {
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE || db_fail(s, err);
}

void cluster_server_name(char *out, size_t n) {
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0) strcpy(host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(out, n, "%s:%ld", host, (long)getpid());
}

bool cluster_lease_take(store *s, const char *name, const char *holder, int64_t now, int64_t seconds, bool *taken,
                        perr *err) {
    *taken = false;
    if (!store_begin(s, err)) return false;
    store_query *st = store_stmt(s,
        "INSERT INTO leases (name, holder, expires_at) VALUES (?1, '', 0) ON CONFLICT (name) DO NOTHING", err);
    if (!st) goto fail;
    store_bind_text(st, 1, name);
    if (!run(s, st, err)) goto fail;
    st = store_stmt(s,
        "UPDATE leases SET holder = ?2, expires_at = ?3 + ?4 WHERE name = ?1 AND expires_at <= ?3",
        err);
    if (!st) goto fail;
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, holder);
    store_bind_int64(st, 3, now);
    store_bind_int64(st, 4, seconds);
    if (!run(s, st, err)) goto fail;
    bool mine = store_changes(s) == 1;
    if (!store_commit(s, err)) return false;
    *taken = mine;
    return true;
fail:
    store_rollback(s);
    return false;
}

void cluster_lease_release(store *s, const char *name, const char *holder) {
    store_query *st = store_stmt(s, "UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?", NULL);
    if (!st) return;
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, holder);
    store_step(st);
    store_done(st);
}

bool cluster_fact(store *s, const char *name, buf *out, buf *by, perr *err) {
    store_query *st = store_stmt(s, "SELECT value, set_by FROM shared_facts WHERE name = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, name);
    int rc = store_step(st);
    if (rc == STORE_ROW) {
        buf_puts(out, store_col_text(st, 0));
        if (by) buf_puts(by, store_col_text(st, 1));
    }
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE || db_fail(s, err);
}

/* Writes the current value of a fact (inside the caller's transaction). */
static bool fact_put(store *s, const char *name, const char *value, const char *by, int64_t now, perr *err) {
    store_query *st = store_stmt(s,
        "INSERT INTO shared_facts (name, value, set_by, set_at) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at",
        err);
    if (!st) return false;
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, value);
    store_bind_text(st, 3, by);
    store_bind_int64(st, 4, now);
    return run(s, st, err);
}

bool cluster_fact_set(store *s, const char *name, const char *value, const char *by, int64_t now, perr *err) {
    if (!store_begin(s, err)) return false;
    if (!fact_put(s, name, value, by, now, err)) {
        store_rollback(s);
        return false;
    }
    return store_commit(s, err);
}

/* Records that server serves value as fact name, seen now (inside the caller's transaction). */
static bool seen_put(store *s, const char *server, const char *name, const char *value, int64_t now, perr *err) {
    store_query *st = store_stmt(s,
        "INSERT INTO server_facts (server, name, value, seen_at) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (server, name) DO UPDATE SET value = excluded.value, seen_at = excluded.seen_at",
        err);
    if (!st) return false;
    store_bind_text(st, 1, server);
    store_bind_text(st, 2, name);
    store_bind_text(st, 3, value);
    store_bind_int64(st, 4, now);
    return run(s, st, err);
}

/* The name of another server that said within live seconds that it serves value, into
 * other (nothing appended when none). */
static bool live_other(store *s, const char *server, const char *name, const char *value, int64_t now, int64_t live,
                       buf *other, perr *err) {
    store_query *st = store_stmt(s,
        "SELECT server FROM server_facts WHERE name = ?1 AND value = ?2 AND server <> ?3 AND seen_at >= ?4"
        " ORDER BY seen_at DESC, server LIMIT 1",
        err);
    if (!st) return false;
    store_bind_text(st, 1, name);
    store_bind_text(st, 2, value);
    store_bind_text(st, 3, server);
    store_bind_int64(st, 4, now - live);
    int rc = store_step(st);
    if (rc == STORE_ROW) buf_puts(other, store_col_text(st, 0));
    store_done(st);
    return rc == STORE_ROW || rc == STORE_DONE || db_fail(s, err);
}

bool cluster_claim(store *s, const char *server, const char *name, const char *mine, int64_t now, int64_t live,
                   bool may_adopt, cluster_supersedes supersedes, cluster_verdict *v, buf *current, buf *other,
                   perr *err) {
    *v = CLUSTER_REFUSED;
    buf cur = BUF_INIT, who = BUF_INIT;
    if (!store_begin(s, err)) return false;
    if (!cluster_fact(s, name, &cur, NULL, err)) goto fail;
    if (!cur.len || !strcmp(buf_cstr(&cur), mine)) {
        if (!cur.len && !fact_put(s, name, mine, server, now, err)) goto fail;
        *v = CLUSTER_MATCH;
    } else {
        if (!live_other(s, server, name, buf_cstr(&cur), now, live, &who, err)) goto fail;
        bool wins = supersedes && supersedes(mine, buf_cstr(&cur));
        if (may_adopt && (!who.len || wins)) {
            if (!fact_put(s, name, mine, server, now, err)) goto fail;
            *v = CLUSTER_ADOPTED;
        }
    }
    if (*v != CLUSTER_REFUSED && !seen_put(s, server, name, mine, now, err)) goto fail;
    if (!store_commit(s, err)) goto out;
    if (current) buf_append(current, buf_cstr(&cur), cur.len);
    if (other) buf_append(other, buf_cstr(&who), who.len);
    buf_free(&cur);
    buf_free(&who);
    return true;
fail:
    store_rollback(s);
out:
    buf_free(&cur);
    buf_free(&who);
    return false;
}

bool cluster_report(store *s, const char *server, const char *name, const char *value, int64_t now, bool *is_current,
                    buf *current, perr *err) {
    buf cur = BUF_INIT;
    *is_current = true;
    if (!store_begin(s, err)) return false;
    if (!seen_put(s, server, name, value, now, err) || !cluster_fact(s, name, &cur, NULL, err)) {
        store_rollback(s);
        buf_free(&cur);
        return false;
    }
    bool ok = store_commit(s, err);
    if (ok) {
        *is_current = !cur.len || !strcmp(buf_cstr(&cur), value);
        if (current) buf_append(current, buf_cstr(&cur), cur.len);
    }
    buf_free(&cur);
    return ok;
}

void cluster_leave(store *s, const char *server) {
    store_query *st = store_stmt(s, "DELETE FROM server_facts WHERE server = ?", NULL);
    if (!st) return;
    store_bind_text(st, 1, server);
    store_step(st);
    store_done(st);
}
