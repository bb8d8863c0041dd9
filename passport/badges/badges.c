/* SPDX-License-Identifier: EUPL-1.2 */
/* Badges at run time (see badges.h): issuance and signing inside the awarding
 * transaction, award rules, revocation and the signed status list, listing, CLR. */
#include "badges/badges.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "badges/credential.h"
#include "badges/proof.h"
#include "badges/statuslist.h"
#include "badges/verify.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/text.h"
#include "core/utf8.h"
#include "people/account.h"
#include "people/audit.h"
#include "people/inbox.h"

/* Readers of the status list skip rebuilding it (a scan of every credential and a gzip)
 * while the number of revoked credentials is the one it was last checked at: revocations
 * are never undone, so an unchanged count means unchanged bits. */
struct badges_list_memo {
    pthread_mutex_t mu;
    int list_id;       /* the list the count is of */
    long long revoked; /* -1: unknown */
};

badges_ctx *badges_ctx_new(store *s, const char *data_dir, const char *courses_dir, const char *public_url, perr *err) {
    badges_ctx *c = xcalloc(1, sizeof *c);
    buf p = BUF_INIT;
    buf_printf(&p, "%s/badges", courses_dir ? courses_dir : "./courses");
    c->set = achievement_set_load(buf_cstr(&p), err);
    buf_reset(&p);
    buf_printf(&p, "%s/keys", data_dir ? data_dir : "./var");
    if (c->set) c->keys = keyring_load(buf_cstr(&p), true, err);
    buf_free(&p);
    if (!c->set || !c->keys || !achievement_set_sync(s, c->set, err)) goto fail;
    const char *u = public_url ? public_url : "http://127.0.0.1:8080";
    size_t n = strlen(u);
    while (n && u[n - 1] == '/') n--;
    c->public_url = xstrndup(u, n);
    c->issuer_did = keyring_issuer_did(c->keys, c->public_url);
    if (!strncmp(c->issuer_did, "did:web:", 8)) c->web_did = xstrdup(c->issuer_did);
    c->vm = keyring_verification_method(c->keys, c->issuer_did);
    c->issuer_name = xstrdup("Passport");
    c->memo = xcalloc(1, sizeof *c->memo);
    pthread_mutex_init(&c->memo->mu, NULL);
    c->memo->revoked = -1;
    return c;
fail:
    badges_ctx_free(c);
    return NULL;
}

void badges_ctx_free(badges_ctx *c) {
    if (!c) return;
    achievement_set_free(c->set);
    keyring_free(c->keys);
    free(c->public_url);
    free(c->issuer_did);
    free(c->web_did);
    free(c->vm);
    free(c->issuer_name);
    free(c->issuer_url);
    free(c->issuer_email);
    free(c->issuer_image);
    if (c->memo) {
        pthread_mutex_destroy(&c->memo->mu);
        free(c->memo);
    }
    free(c);
}

static bool http_url(const char *u) {
    return (!strncmp(u, "https://", 8) && u[8]) || (!strncmp(u, "http://", 7) && u[7]);
}

bool badges_ctx_set_issuer(badges_ctx *c, const char *name, const char *url, const char *email, const char *image,
                           perr *err) {
    if (url && *url && !http_url(url)) return perr_set(err, "issuer url must be an http(s) URL: %.200s", url);
    if (image && *image && !http_url(image))
        return perr_set(err, "issuer image must be the http(s) URL of an image: %.200s", image);
    if (email && *email && (!strchr(email, '@') || strpbrk(email, " <>\"")))
        return perr_set(err, "issuer email is not an email address: %.200s", email);
    if (name && *name) {
        free(c->issuer_name);
        c->issuer_name = xstrdup(name);
    }
    char **fields[3] = {&c->issuer_url, &c->issuer_email, &c->issuer_image};
    const char *values[3] = {url, email, image};
    for (int i = 0; i < 3; i++) {
        free(*fields[i]);
        *fields[i] = values[i] && *values[i] ? xstrdup(values[i]) : NULL;
    }
    return true;
}

credential_issuer badges_issuer(const badges_ctx *c) {
    return (credential_issuer){c->issuer_did, c->issuer_name, c->issuer_url ? c->issuer_url : c->public_url,
                               c->issuer_email, c->issuer_image};
}

char *badges_status_url(const badges_ctx *c, int list_id) {
    buf b = BUF_INIT;
    buf_printf(&b, "%s/status/%d", c->public_url, list_id);
    return buf_detach(&b);
}

static bool db_fail(store *s, perr *err) {
    return perr_set(err, "database error: %s", store_errmsg(s));
}

/* The status list of list_id as stored now: allocated indexes, revoked bits set. */
static statuslist *load_list(store *s, int list_id, perr *err) {
    store_query *st =
        store_stmt(s, "SELECT status_index, revoked_at IS NOT NULL FROM credentials WHERE list_id = ?", err);
    if (!st) return NULL;
    statuslist *l = statuslist_new(0);
    store_bind_int(st, 1, list_id);
    bool ok = true;
    while (ok && store_step(st) == STORE_ROW) {
        size_t i = (size_t)store_col_int64(st, 0);
        ok = statuslist_mark_allocated(l, i, err) && (!store_col_int(st, 1) || statuslist_set(l, i, true, err));
    }
    store_done(st);
    if (!ok) {
        statuslist_free(l);
        return NULL;
    }
    return l;
}

/* The issuer DID and URL list_id is published under (new strings), false when no
 * credential ever pointed at it. */
static bool list_owner(store *s, int list_id, char **issuer, char **url) {
    store_query *st = store_stmt(s, "SELECT issuer, url FROM status_list_owners WHERE list_id = ?", NULL);
    if (!st) return false;
    store_bind_int(st, 1, list_id);
    bool got = store_step(st) == STORE_ROW;
    if (got) {
        *issuer = xstrdup(store_col_text(st, 0));
        *url = xstrdup(store_col_text(st, 1));
    }
    store_done(st);
    return got;
}

/* The list new credentials go to: the newest one owned by the current issuer DID at the
 * current public URL; 0 when there is none yet (first start, rotation of a did:key, new
 * URL), -1 on error. */
static int owned_list(store *s, const badges_ctx *c, perr *err) {
    store_query *st = store_stmt(s,
                                  "SELECT list_id FROM status_list_owners WHERE issuer = ?1"
                                  " AND url = ?2 || '/status/' || list_id ORDER BY list_id DESC LIMIT 1",
                                  err);
    if (!st) return -1;
    store_bind_text(st, 1, c->issuer_did);
    store_bind_text(st, 2, c->public_url);
    int rc = store_step(st);
    int id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (rc != STORE_ROW && rc != STORE_DONE) return db_fail(s, err), -1;
    return id;
}

/* Opens a new list owned by the current issuer at the current URL (inside the caller's
 * transaction): its number, or 0 with err. */
static int open_list(store *s, const badges_ctx *c, perr *err) {
    store_query *st = store_stmt(s,
                                  "SELECT max(n) + 1 FROM (SELECT coalesce(max(list_id), 0) AS n FROM status_list_owners"
                                  " UNION ALL SELECT coalesce(max(list_id), 0) FROM credentials) AS t",
                                  err);
    if (!st) return 0;
    int id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    if (id < BADGES_FIRST_LIST) return db_fail(s, err), 0;
    char *url = badges_status_url(c, id);
    st = store_stmt(s, "INSERT INTO status_list_owners (list_id, issuer, url, created_at) VALUES (?,?,?,?)", err);
    if (st) {
        store_bind_int(st, 1, id);
        store_bind_text(st, 2, c->issuer_did);
        store_bind_text(st, 3, url);
        store_bind_int64(st, 4, clock_now());
        if (store_step(st) != STORE_DONE) id = (db_fail(s, err), 0);
        store_done(st);
    } else {
        id = 0;
    }
    free(url);
    return id;
}

int badges_list_of_url(store *s, const badges_ctx *c, const char *url) {
    (void)c;
    if (!s || !url) return 0;
    store_query *st = store_stmt(s, "SELECT list_id FROM status_list_owners WHERE url = ?", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, url);
    int id = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return id;
}

bool badges_issuer_recorded(store *s, const char *did) {
    if (!s || !did) return false;
    store_query *st = store_stmt(s, "SELECT 1 FROM status_list_owners WHERE issuer = ? LIMIT 1", NULL);
    if (!st) return false;
    store_bind_text(st, 1, did);
    bool got = store_step(st) == STORE_ROW;
    store_done(st);
    return got;
}

/* t plus months calendar months (day clamped to the month's length). */
static int64_t add_months(int64_t t, int months) {
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    int mon = tm.tm_mon + months;
    tm.tm_year += mon / 12;
    tm.tm_mon = mon % 12;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = tm.tm_year + 1900;
    int dim = days[tm.tm_mon] + (tm.tm_mon == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (tm.tm_mday > dim) tm.tm_mday = dim;
    return (int64_t)timegm(&tm);
}

/* Alignment entries of a (titles from the competencies table). Strings live in names. */
static credential_alignment *alignments(store *s, const badges_ctx *c, const achievement *a, char **names) {
    credential_alignment *al = xcalloc(a->nalignment + 1, sizeof *al);
    for (size_t i = 0; i < a->nalignment; i++) {
        const char *code = a->alignment[i];
        store_query *st = store_stmt(s, "SELECT title_fr FROM competencies WHERE code = ?", NULL);
        char *title = NULL;
        if (st) {
            store_bind_text(st, 1, code);
            if (store_step(st) == STORE_ROW) title = xstrdup(store_col_text(st, 0));
            store_done(st);
        }
        buf u = BUF_INIT;
        buf_printf(&u, "%s/competencies/%s", c->public_url, code);
        const char *dash = strchr(code, '-');
        names[3 * i] = title ? title : xstrdup(code);
        names[3 * i + 1] = buf_detach(&u);
        names[3 * i + 2] = dash ? xstrndup(code, (size_t)(dash - code)) : NULL;
        al[i] = (credential_alignment){names[3 * i], names[3 * i + 1], dash ? dash + 1 : code, names[3 * i + 2], NULL};
    }
    return al;
}

#define PICK_TRIES 32 /* random draws checked one by one before the whole list is read */

/* A free status index for a new credential, uniform over the free indexes of the newest
 * list, or of a new list when that one is full. Random draws are checked against the
 * (list_id, status_index) index: one point query each while the list is not nearly full,
 * instead of reading every credential of the list; when every draw is taken, the whole
 * list is read and the index drawn from its free ones. */
static bool pick_index(store *s, const badges_ctx *c, int *list_id, size_t *index, perr *err) {
    int list = owned_list(s, c, err);
    if (list < 0) return false;
    if (!list && !(list = open_list(s, c, err))) return false;
    store_query *st = store_stmt(s, "SELECT 1 FROM credentials WHERE list_id = ? AND status_index = ?", err);
    if (!st) return false;
    for (int i = 0; i < PICK_TRIES; i++) {
        size_t r = (size_t)rand_below(STATUSLIST_MIN_BITS);
        store_bind_int(st, 1, list);
        store_bind_int64(st, 2, (int64_t)r);
        int rc = store_step(st);
        store_done(st);
        if (rc == STORE_DONE) {
            *list_id = list;
            *index = r;
            return true;
        }
        if (rc != STORE_ROW) return db_fail(s, err);
    }
    statuslist *l = load_list(s, list, err);
    if (!l) return false;
    if (statuslist_is_full(l)) { /* the newest list is full: open the next one */
        statuslist_free(l);
        l = statuslist_new(0);
        if (!(list = open_list(s, c, err))) return false;
    }
    bool ok = statuslist_allocate(l, index, err);
    statuslist_free(l);
    *list_id = list;
    return ok;
}

bool badges_issue(store *s, const badges_ctx *c, long long user_id, const achievement *a, long long awarded_by,
                  const char *narrative, long long *cred_id, perr *err) {
    bool ok = false;
    account *u = account_get(s, user_id, err);
    json_t *doc = NULL;
    char *text = NULL, *status_url = NULL;
    char **names = xcalloc(3 * a->nalignment + 1, sizeof *names);
    credential_alignment *al = alignments(s, c, a, names);
    if (!u) goto fail;
    int list_id = 0;
    size_t index;
    if (!pick_index(s, c, &list_id, &index, err)) goto fail;
    status_url = badges_status_url(c, list_id);
    int64_t now = clock_now();
    char from[21], until[21], uid[46];
    clock_iso8601(now, from);
    if (a->valid_months) clock_iso8601(add_months(now, a->valid_months), until);
    credential_new_urn_uuid(uid);
    buf aid = BUF_INIT, img = BUF_INIT;
    buf_printf(&aid, "%s/achievements/%s", c->public_url, a->slug);
    buf_printf(&img, "%s/badges/images/%s.svg", c->public_url, a->slug);
    credential_badge b = {
        .id = uid,
        .issuer = badges_issuer(c),
        .valid_from = from,
        .valid_until = a->valid_months ? until : NULL,
        .recipient_email = u->email,
        .achievement_id = buf_cstr(&aid),
        .achievement_name = a->name_fr,
        .achievement_description = a->description_fr,
        .criteria_narrative = a->criteria_fr,
        .image_url = buf_cstr(&img),
        .achievement_type = "Badge",
        .alignments = al,
        .nalignments = a->nalignment,
        .status_list_url = status_url,
        .status_index = index,
    };
    doc = credential_badge_new(&b, err);
    buf_free(&aid);
    buf_free(&img);
    if (!doc || !proof_add(doc, keyring_signing(c->keys), c->vm, from, err)) goto fail;
    text = json_dumps(doc, JSON_COMPACT);
    store_query *st = store_stmt(s,
                                  "INSERT INTO credentials (uid, user_id, achievement_id, issued_at, list_id,"
                                  " status_index, awarded_by, narrative, json) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                                  err);
    if (!st) goto fail;
    store_bind_text(st, 1, uid);
    store_bind_int64(st, 2, user_id);
    store_bind_int64(st, 3, a->id);
    store_bind_int64(st, 4, now);
    store_bind_int(st, 5, list_id);
    store_bind_int64(st, 6, (int64_t)index);
    if (awarded_by) store_bind_int64(st, 7, awarded_by);
    else store_bind_null(st, 7);
    store_bind_text(st, 8, narrative ? narrative : "");
    store_bind_text(st, 9, text);
    int rc = store_step(st);
    long long id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    if (rc != STORE_ROW) {
        db_fail(s, err);
        goto fail;
    }
    if (cred_id) *cred_id = id;
    char detail[200];
    snprintf(detail, sizeof detail, "%s to user %lld%s", a->slug, user_id, awarded_by ? " (by hand)" : " (rule)");
    if (!audit_add(s, awarded_by, "badge.issue", "credential", id, detail)) {
        db_fail(s, err);
        goto fail;
    }
    /* the badge named in the holder's language (the notice is stored with its words) */
    bool en = !strcmp(u->locale, "en") && a->name_en && *a->name_en;
    json_t *args = json_pack("[s]", en ? a->name_en : a->name_fr);
    snprintf(detail, sizeof detail, "badge.issue.%lld", id);
    /* the inbox notice is also mailed (people/inbox.h), with the kind's own template */
    ok = inbox_post(s, user_id, "badge_awarded", "badges.inbox.awarded", args, "/badges", detail, err);
    json_decref(args);
    if (!ok) goto fail;
fail:
    for (size_t i = 0; i < 3 * a->nalignment; i++) free(names[i]);
    free(names);
    free(al);
    free(text);
    free(status_url);
    json_decref(doc);
    account_free(u);
    return ok;
}

/* The highest verified level of code for the user (0: none). */
static int verified_level(store *s, long long user_id, const char *code, perr *err) {
    store_query *st = store_stmt(s,
                                  "SELECT max(e.level) FROM evidence e JOIN competencies c ON c.id = e.competency_id"
                                  " WHERE e.user_id = ? AND c.code = ? AND e.kind IN ('measured', 'attested', 'credential')",
                                  err);
    if (!st) return -1;
    store_bind_int64(st, 1, user_id);
    store_bind_text(st, 2, code);
    int lv = store_step(st) == STORE_ROW ? store_col_int(st, 0) : 0;
    store_done(st);
    return lv;
}

bool badges_rule_met(store *s, const achievement *a, long long user_id, perr *err) {
    for (size_t i = 0; i < a->nmodules; i++) {
        store_query *st =
            store_stmt(s, "SELECT 1 FROM attempts WHERE user_id = ? AND module_id = ? AND passed = 1 LIMIT 1", err);
        if (!st) return false;
        store_bind_int64(st, 1, user_id);
        store_bind_text(st, 2, a->modules[i]);
        bool passed = store_step(st) == STORE_ROW;
        store_done(st);
        if (!passed) return false;
    }
    for (size_t i = 0; i < a->nlevels; i++)
        if (verified_level(s, user_id, a->levels[i].code, err) < a->levels[i].level) return false;
    return true;
}

/* True when the user ever received a (revoked or not). */
static bool ever_issued(store *s, long long user_id, long long achievement_id) {
    store_query *st = store_stmt(s, "SELECT 1 FROM credentials WHERE user_id = ? AND achievement_id = ? LIMIT 1", NULL);
    if (!st) return true;
    store_bind_int64(st, 1, user_id);
    store_bind_int64(st, 2, achievement_id);
    bool got = store_step(st) == STORE_ROW;
    store_done(st);
    return got;
}

/* Issues the due badges in the open transaction; false with err at the first failure. */
static bool award_due(store *s, const badges_ctx *c, long long user_id, int *issued, perr *err) {
    for (size_t i = 0; i < c->set->n; i++) {
        const achievement *a = &c->set->items[i];
        perr why = {{0}};
        if (ever_issued(s, user_id, a->id) || !badges_rule_met(s, a, user_id, &why)) {
            if (why.msg[0]) return perr_set(err, "%s", why.msg);
            continue;
        }
        if (!badges_issue(s, c, user_id, a, 0, NULL, NULL, err)) return false;
        if (issued) (*issued)++;
        log_info("badge %s issued to user %lld", a->slug, user_id);
    }
    return true;
}

bool badges_check_awards(store *s, const badges_ctx *c, long long user_id, int *issued, perr *err) {
    if (issued) *issued = 0;
    if (!c || !c->set->n) return true;
    if (!store_begin(s, err)) return false;
    if (!award_due(s, c, user_id, issued, err)) {
        store_rollback(s);
        if (issued) *issued = 0;
        return false;
    }
    return store_commit(s, err);
}

bool badges_award_due(store *s, const badges_ctx *c, long long user_id, int *issued, perr *err) {
    if (issued) *issued = 0;
    if (!c || !c->set->n) return true;
    if (!store_exec(s, "SAVEPOINT badges_due", err)) return false;
    if (award_due(s, c, user_id, issued, err)) return store_exec(s, "RELEASE badges_due", err);
    if (issued) *issued = 0;
    store_exec(s, "ROLLBACK TO badges_due", NULL);
    store_exec(s, "RELEASE badges_due", NULL);
    return false;
}

bool badges_award(store *s, const badges_ctx *c, long long user_id, const char *slug, long long actor,
                  const char *narrative, long long *cred_id, perr *err) {
    const achievement *a = achievement_find(c->set, slug);
    if (!a) return perr_set(err, "badges.error.unknown_badge");
    if (narrative && !text_clean(narrative, strlen(narrative), true)) return perr_set(err, "badges.error.narrative_text");
    if (!store_begin(s, err)) return false;
    if (!badges_issue(s, c, user_id, a, actor, narrative, cred_id, err)) {
        store_rollback(s);
        return false;
    }
    return store_commit(s, err);
}

/* Re-signs the stored status list when its encodedList differs from the revocations in
 * the store (inside the caller's transaction for a write, or its own). */
static bool refresh_list(store *s, const badges_ctx *c, int list_id, bool in_tx, perr *err);

static bool revoke_where(store *s, const badges_ctx *c, long long cred_id, long long user_id, long long actor,
                         const char *reason, int *count, perr *err) {
    store_query *st = cred_id ? store_stmt(s,
                                            "UPDATE credentials SET revoked_at = ?, reason = ? WHERE id = ?"
                                            " AND revoked_at IS NULL RETURNING id, list_id, user_id, achievement_id",
                                            err)
                               : store_stmt(s,
                                            "UPDATE credentials SET revoked_at = ?, reason = ? WHERE user_id = ?"
                                            " AND revoked_at IS NULL RETURNING id, list_id",
                                            err);
    if (!st) return false;
    store_bind_int64(st, 1, clock_now());
    store_bind_text(st, 2, reason ? reason : "");
    store_bind_int64(st, 3, cred_id ? cred_id : user_id);
    long long ids[256], holder = 0, ach = 0;
    int lists[256];
    int n = 0, rc;
    while ((rc = store_step(st)) == STORE_ROW)
        if (n < 256) {
            ids[n] = store_col_int64(st, 0);
            lists[n++] = store_col_int(st, 1);
            if (cred_id && store_col_type(st, 2) != STORE_NULL) {
                holder = store_col_int64(st, 2);
                ach = store_col_int64(st, 3);
            }
        }
    store_done(st);
    if (rc != STORE_DONE) return db_fail(s, err);
    /* one credential revoked by an admin: its holder is told (an erasure tells no one) */
    const achievement *a = holder ? achievement_by_id(c->set, ach) : NULL;
    if (a) {
        json_t *args = json_pack("[s,s]", a->name_fr, reason ? reason : "");
        bool posted = inbox_post(s, holder, "badge_revoked", "badges.inbox.revoked", args, "/badges", NULL, err);
        json_decref(args);
        if (!posted) return false;
    }
    for (int i = 0; i < n; i++)
        if (!audit_add(s, actor, "badge.revoke", "credential", ids[i], reason ? reason : "")) return db_fail(s, err);
    *count = n;
    for (int i = 0; i < n; i++) { /* each list touched, once */
        bool seen = false;
        for (int j = 0; j < i; j++) seen = seen || lists[j] == lists[i];
        if (!seen && !refresh_list(s, c, lists[i], true, err)) return false;
    }
    return true;
}

bool badges_revoke(store *s, const badges_ctx *c, long long cred_id, long long actor, const char *reason, perr *err) {
    if (reason && !text_clean(reason, strlen(reason), true)) return perr_set(err, "badges.error.reason_text");
    if (!store_begin(s, err)) return false;
    int n = 0;
    if (!revoke_where(s, c, cred_id, 0, actor, reason, &n, err)) goto fail;
    if (!n) {
        perr_set(err, "badges.error.not_revocable");
        goto fail;
    }
    return store_commit(s, err);
fail:
    store_rollback(s);
    return false;
}

bool badges_revoke_all_for_user(store *s, const badges_ctx *c, long long user_id, const char *reason, perr *err) {
    int n = 0;
    return revoke_where(s, c, 0, user_id, 0, reason, &n, err);
}

/* The key that signs a list of issuer and its verification method (new string): the
 * did:key's own key, even retired (it re-signs only the lists of its credentials), or the
 * newest key under a did:web of ours. False with err when that key is gone. */
static bool list_signer(const badges_ctx *c, const char *issuer, const keys **k, char **vm, perr *err) {
    if (!strncmp(issuer, "did:key:", 8)) {
        if (!(*k = keyring_find(c->keys, issuer + 8)))
            return perr_set(err, "the key of %.200s is no longer in the keys folder: its status list cannot be re-signed",
                            issuer);
        *vm = keys_verification_method(*k);
        return true;
    }
    if (!strncmp(issuer, "did:web:", 8)) {
        *k = keyring_signing(c->keys);
        *vm = keyring_verification_method(c->keys, issuer);
        return true;
    }
    return perr_set(err, "status list issuer %.200s is not a DID of ours", issuer);
}

/* Builds and signs the list credential from l, published at url by issuer; returns its
 * JSON text. */
static char *sign_list(const badges_ctx *c, const char *issuer, const char *url, const keys *k, const char *vm,
                       const statuslist *l, perr *err) {
    credential_issuer is = badges_issuer(c);
    is.did = issuer;
    json_t *doc = credential_status_list_new(url, &is, NULL, l, err);
    char *text = NULL;
    if (doc && proof_add(doc, k, vm, NULL, err)) text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* The stored encoded list, json and etag of list_id (new strings) or false. */
static bool stored_list(store *s, int list_id, char **enc, char **json, char **etag) {
    store_query *st = store_stmt(s, "SELECT encoded, json, etag FROM status_lists WHERE id = ?", NULL);
    if (!st) return false;
    store_bind_int(st, 1, list_id);
    bool got = store_step(st) == STORE_ROW;
    if (got) {
        *enc = xstrdup(store_col_text(st, 0));
        if (json) *json = xstrdup(store_col_text(st, 1));
        if (etag) *etag = xstrdup(store_col_text(st, 2));
    }
    store_done(st);
    return got;
}

/* The number of revoked credentials of list_id (-1 on error). */
static long long count_revoked(store *s, int list_id) {
    store_query *st =
        store_stmt(s, "SELECT count(*) FROM credentials WHERE list_id = ? AND revoked_at IS NOT NULL", NULL);
    if (!st) return -1;
    store_bind_int(st, 1, list_id);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return n;
}

static void memo_set(const badges_ctx *c, int list_id, long long revoked) {
    pthread_mutex_lock(&c->memo->mu);
    c->memo->list_id = list_id;
    c->memo->revoked = revoked;
    pthread_mutex_unlock(&c->memo->mu);
}

static bool refresh_list(store *s, const badges_ctx *c, int list_id, bool in_tx, perr *err) {
    long long revoked = in_tx ? -1 : count_revoked(s, list_id);
    if (in_tx) {
        memo_set(c, 0, -1); /* this transaction may still roll back */
    } else if (revoked >= 0) {
        pthread_mutex_lock(&c->memo->mu);
        bool same = c->memo->list_id == list_id && c->memo->revoked == revoked;
        pthread_mutex_unlock(&c->memo->mu);
        if (same) return true;
    }
    char *issuer = NULL, *url = NULL, *vm = NULL;
    const keys *k = NULL;
    if (!list_owner(s, list_id, &issuer, &url)) return perr_set(err, "badges.error.no_list");
    statuslist *l = list_signer(c, issuer, &k, &vm, err) ? load_list(s, list_id, err) : NULL;
    char *enc = l ? statuslist_encode(l) : NULL, *old = NULL, *text = NULL;
    bool ok = false, began = false;
    if (!l) goto done;
    /* a did:web list signed by an older key is re-signed by the newest one */
    if (stored_list(s, list_id, &old, &text, NULL) && !strcmp(old, enc) && strstr(text, vm)) {
        ok = true;
        goto done;
    }
    free(text);
    if (!(text = sign_list(c, issuer, url, k, vm, l, err))) goto done;
    if (!in_tx) {
        if (!store_begin(s, err)) goto done;
        began = true;
    }
    char etag[65], quoted[20];
    rand_sha256_hex(text, strlen(text), etag);
    snprintf(quoted, sizeof quoted, "\"%.16s\"", etag);
    store_query *st = store_stmt(s,
                                  "INSERT INTO status_lists (id, encoded, json, etag, updated_at) VALUES (?1,?2,?3,?4,?5)"
                                  " ON CONFLICT(id) DO UPDATE SET encoded = ?2, json = ?3, etag = ?4, updated_at = ?5",
                                  err);
    if (!st) goto done;
    store_bind_int(st, 1, list_id);
    store_bind_text(st, 2, enc);
    store_bind_text(st, 3, text);
    store_bind_text(st, 4, quoted);
    store_bind_int64(st, 5, clock_now());
    ok = store_step(st) == STORE_DONE || db_fail(s, err);
    store_done(st);
    if (began) ok = ok ? store_commit(s, err) : (store_rollback(s), false);
done:
    if (!ok && began) store_rollback(s);
    if (ok && !in_tx) memo_set(c, list_id, revoked);
    free(text);
    free(enc);
    free(old);
    free(issuer);
    free(url);
    free(vm);
    statuslist_free(l);
    return ok;
}

bool badges_status_list(store *s, const badges_ctx *c, int list_id, char **json, char **etag, perr *err) {
    if (list_id < BADGES_FIRST_LIST) return perr_set(err, "badges.error.no_list");
    if (!refresh_list(s, c, list_id, false, err)) return false;
    char *enc = NULL;
    if (!stored_list(s, list_id, &enc, json, etag)) return perr_set(err, "badges.error.no_list");
    free(enc);
    return true;
}

json_t *badges_status_list_json(store *s, const badges_ctx *c, int list_id, perr *err) {
    char *text = NULL, *etag = NULL;
    if (!badges_status_list(s, c, list_id, &text, &etag, err)) return NULL;
    json_t *doc = json_loads(text, 0, NULL);
    free(text);
    free(etag);
    if (!doc) perr_set(err, "stored status list is not JSON");
    return doc;
}

static json_t *date_or_null(store_query *st, int i) {
    if (store_col_type(st, i) == STORE_NULL) return json_null();
    char d[11];
    clock_date(store_col_int64(st, i), d);
    return json_string(d);
}

json_t *badges_list_user(store *s, const badges_ctx *c, long long user_id, const char *locale) {
    return badges_list_user_page(s, c, user_id, locale, NULL);
}

json_t *badges_list_user_page(store *s, const badges_ctx *c, long long user_id, const char *locale, store_page *pg) {
    json_t *arr = json_array();
#define LIST_USER_COLUMNS "SELECT c.id, c.achievement_id, c.issued_at, c.revoked_at, c.reason,"
#define LIST_USER_REST                                                                                   \
    " (SELECT token FROM share_links l WHERE l.credential_id = c.id AND l.revoked_at IS NULL"            \
    "  ORDER BY created_at DESC LIMIT 1)"                                                                \
    " FROM credentials c WHERE c.user_id = ?1"                                                           \
    " AND (?2 = 0 OR c.issued_at < ?3 OR (c.issued_at = ?3 AND c.id < ?4))"                            \
    " ORDER BY c.issued_at DESC, c.id DESC LIMIT ?5"
    /* the credential's validUntil, read from its JSON (a text column on both engines) */
    store_query *st = store_stmt2(s, LIST_USER_COLUMNS " json_extract(c.json, '$.validUntil')," LIST_USER_REST,
                                  LIST_USER_COLUMNS " (c.json::jsonb ->> 'validUntil')," LIST_USER_REST, NULL);
    if (!st) return arr;
    store_bind_int64(st, 1, user_id);
    store_page_bind(st, 2, pg);
    size_t rows = 0;
    if (pg) pg->more = false;
    while (store_step(st) == STORE_ROW) {
        if (!store_page_row(pg, &rows, store_col_int64(st, 2), store_col_int64(st, 0))) break;
        const achievement *a = achievement_by_id(c->set, store_col_int64(st, 1));
        if (!a) continue; /* a badge whose definition was removed: not listed */
        const char *until = store_col_text_or_null(st, 5);
        int64_t u = 0;
        bool expired = until && verify_parse_datetime(until, &u) && u < clock_now();
        json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:b, s:s}", "id",
                              (json_int_t)store_col_int64(st, 0), "slug", a->slug, "name",
                              achievement_name(a, locale), "description", achievement_description(a, locale),
                              "criteria", achievement_criteria(a, locale), "issued", date_or_null(st, 2), "revoked_on",
                              date_or_null(st, 3), "revoked", store_col_type(st, 3) != STORE_NULL, "expired",
                              expired, "reason", store_col_text(st, 4));
        if (until) json_object_set_new(o, "expires", json_stringn(until, 10));
        if (store_col_type(st, 6) != STORE_NULL) json_object_set_new(o, "share_token", json_string(store_col_text(st, 6)));
        json_array_append_new(arr, o);
    }
    store_done(st);
    return arr;
}

/* Does the folded needle occur in the fold of any of the strings (NULL ones skipped)? */
static bool folded_match(const char *needle, const char *const *hay, size_t n) {
    bool found = false;
    buf f = BUF_INIT;
    for (size_t i = 0; i < n && !found; i++) {
        if (!hay[i]) continue;
        buf_reset(&f);
        utf8_fold(&f, hay[i], strlen(hay[i]));
        found = strstr(buf_cstr(&f), needle) != NULL;
    }
    buf_free(&f);
    return found;
}

json_t *badges_search_all(store *s, const badges_ctx *c, const char *q, long offset, int limit, long *total) {
    json_t *arr = json_array();
    long matched = 0;
    buf needle = BUF_INIT;
    if (q) utf8_fold(&needle, q, strlen(q));
    store_query *st = store_stmt(s,
                                  "SELECT c.id, c.achievement_id, c.issued_at, c.revoked_at, c.reason, u.email,"
                                  " u.display_name FROM credentials c LEFT JOIN users u ON u.id = c.user_id"
                                  " ORDER BY c.id DESC",
                                  NULL);
    while (st && store_step(st) == STORE_ROW) {
        const achievement *a = achievement_by_id(c->set, store_col_int64(st, 1));
        if (needle.len) {
            const char *hay[] = {store_col_text(st, 5), store_col_text(st, 6), a ? a->name_fr : NULL,
                                 a ? a->name_en : NULL, a ? a->slug : NULL};
            if (!folded_match(buf_cstr(&needle), hay, sizeof hay / sizeof hay[0])) continue;
        }
        if (matched++ < offset || (long)json_array_size(arr) >= limit) continue;
        json_array_append_new(arr, json_pack("{s:I, s:s, s:o, s:o, s:b, s:s, s:s, s:s}", "id",
                                             (json_int_t)store_col_int64(st, 0), "name", a ? a->name_fr : "?",
                                             "issued", date_or_null(st, 2), "revoked_on", date_or_null(st, 3), "revoked",
                                             store_col_type(st, 3) != STORE_NULL, "reason", store_col_text(st, 4),
                                             "email", store_col_text(st, 5), "holder", store_col_text(st, 6)));
    }
    if (st) store_done(st);
    buf_free(&needle);
    if (total) *total = matched;
    return arr;
}

bool badges_credential_get(store *s, long long cred_id, char **json, long long *user_id, long long *achievement_id,
                           bool *revoked) {
    store_query *st =
        store_stmt(s, "SELECT json, user_id, achievement_id, revoked_at IS NOT NULL FROM credentials WHERE id = ?", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, cred_id);
    bool got = store_step(st) == STORE_ROW;
    if (got) {
        if (json) *json = xstrdup(store_col_text(st, 0));
        if (user_id) *user_id = store_col_int64(st, 1);
        if (achievement_id) *achievement_id = store_col_int64(st, 2);
        if (revoked) *revoked = store_col_int(st, 3);
    }
    store_done(st);
    return got;
}

json_t *badges_export_user(store *s, long long user_id) {
    json_t *arr = json_array();
    store_query *st = store_stmt(s,
                                  "SELECT c.id, a.slug, c.issued_at, c.revoked_at, c.reason, c.narrative, c.json"
                                  " FROM credentials c JOIN achievements a ON a.id = c.achievement_id"
                                  " WHERE c.user_id = ? ORDER BY c.id",
                                  NULL);
    if (!st) return arr;
    store_bind_int64(st, 1, user_id);
    while (store_step(st) == STORE_ROW) {
        json_t *cred = json_loads(store_col_text(st, 6), 0, NULL);
        json_array_append_new(arr, json_pack("{s:I, s:s, s:I, s:o, s:s, s:s, s:o}", "id",
                                             (json_int_t)store_col_int64(st, 0), "achievement", store_col_text(st, 1),
                                             "issued_at", (json_int_t)store_col_int64(st, 2), "revoked_at",
                                             store_col_type(st, 3) == STORE_NULL
                                                 ? json_null()
                                                 : json_integer(store_col_int64(st, 3)),
                                             "reason", store_col_text(st, 4), "narrative", store_col_text(st, 5),
                                             "credential", cred ? cred : json_null()));
    }
    store_done(st);
    return arr;
}

json_t *badges_clr(store *s, const badges_ctx *c, long long user_id, perr *err) {
    account *u = account_get(s, user_id, err);
    if (!u) return NULL;
    json_t **docs = NULL;
    size_t n = 0;
    json_t *clr = NULL;
    store_query *st =
        store_stmt(s, "SELECT json FROM credentials WHERE user_id = ? AND revoked_at IS NULL ORDER BY id", err);
    if (!st) goto done;
    store_bind_int64(st, 1, user_id);
    while (store_step(st) == STORE_ROW) {
        json_t *d = json_loads(store_col_text(st, 0), 0, NULL);
        if (!d) continue;
        docs = xrealloc(docs, (n + 1) * sizeof *docs);
        docs[n++] = d;
    }
    store_done(st);
    if (!n) {
        perr_set(err, "badges.error.no_badge");
        goto done;
    }
    buf name = BUF_INIT;
    buf_printf(&name, "Passeport numérique de %s", u->display_name);
    credential_clr in = {.issuer = badges_issuer(c),
                         .name = buf_cstr(&name),
                         .recipient_email = u->email,
                         .badges = docs,
                         .nbadges = n};
    clr = credential_clr_new(&in, err);
    buf_free(&name);
    if (clr && !proof_add(clr, keyring_signing(c->keys), c->vm, NULL, err)) {
        json_decref(clr);
        clr = NULL;
    }
done:
    for (size_t i = 0; i < n; i++) json_decref(docs[i]);
    free(docs);
    account_free(u);
    return clr;
}
