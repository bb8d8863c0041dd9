/* SPDX-License-Identifier: EUPL-1.2 */
/* Accounts in the users table. */
#include "people/account.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"
#include "core/text.h"
#include "people/account_link.h"
#include "people/apitoken.h"

static const struct {
    const char *name;
    unsigned role;
} role_names[] = {
    {"agent", ROLE_AGENT}, {"manager", ROLE_MANAGER}, {"hr", ROLE_HR},
    {"admin", ROLE_ADMIN}, {"rh", ROLE_HR},           {"gestionnaire", ROLE_MANAGER},
};

bool account_roles_parse(const char *text, unsigned *roles, perr *err) {
    unsigned r = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == ';' || *p == '|') p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ';' && *e != '|' && *e != ' ') e++;
        if (e == p) break;
        bool found = false;
        for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
            if (strlen(role_names[i].name) == (size_t)(e - p) &&
                !strncasecmp(p, role_names[i].name, (size_t)(e - p))) {
                r |= role_names[i].role;
                found = true;
            }
        if (!found) return perr_set(err, "unknown role '%.*s' (agent, manager, hr, admin)", (int)(e - p), p);
        p = e;
    }
    if (!r) return perr_set(err, "at least one role is needed (agent, manager, hr, admin)");
    *roles = r;
    return true;
}

void account_roles_format(unsigned roles, char out[32]) {
    out[0] = '\0';
    for (size_t i = 0; i < 4; i++)
        if (roles & role_names[i].role) {
            if (out[0]) strcat(out, ",");
            strcat(out, role_names[i].name);
        }
}

bool account_email_valid(const char *email) {
    if (!email) return false;
    size_t len = strlen(email);
    if (len < 3 || len > 254) return false;
    const char *at = strchr(email, '@');
    if (!at || at == email || strchr(at + 1, '@')) return false;
    const char *dot = strchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0' || email[len - 1] == '.') return false;
    for (const char *p = email; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == ',') return false;
    return true;
}

void account_free(account *a) {
    if (!a) return;
    free(a->email);
    free(a->display_name);
    free(a->password_hash);
    free(a->unit_name);
    free(a);
}

/* The fixed part of a packed account; its four strings follow, each with its NUL. */
typedef struct packed_head {
    long long id, unit_id;
    int64_t created_at;
    unsigned roles;
    bool disabled, has_password;
    char locale[8];
} packed_head;

void account_pack(const account *a, buf *out) {
    packed_head h = {a->id, a->unit_id, a->created_at, a->roles, a->disabled, a->password_hash != NULL, {0}};
    memcpy(h.locale, a->locale, sizeof h.locale);
    buf_append(out, &h, sizeof h);
    const char *texts[] = {a->email, a->display_name, a->password_hash, a->unit_name};
    for (size_t i = 0; i < 4; i++) buf_append(out, texts[i] ? texts[i] : "", strlen(texts[i] ? texts[i] : "") + 1);
}

/* The NUL-terminated string at *p within end, advancing *p past it; NULL if unterminated. */
static char *unpack_text(const char **p, const char *end) {
    const char *nul = memchr(*p, '\0', (size_t)(end - *p));
    if (!nul) return NULL;
    char *t = xstrdup(*p);
    *p = nul + 1;
    return t;
}

account *account_unpack(const char *data, size_t len, size_t *used) {
    packed_head h;
    if (len < sizeof h) return NULL;
    memcpy(&h, data, sizeof h);
    const char *p = data + sizeof h, *end = data + len;
    account *a = xcalloc(1, sizeof *a);
    a->id = h.id;
    a->unit_id = h.unit_id;
    a->created_at = h.created_at;
    a->roles = h.roles;
    a->disabled = h.disabled;
    memcpy(a->locale, h.locale, sizeof a->locale);
    a->locale[sizeof a->locale - 1] = '\0';
    if (!(a->email = unpack_text(&p, end)) || !(a->display_name = unpack_text(&p, end)) ||
        !(a->password_hash = unpack_text(&p, end)) || !(a->unit_name = unpack_text(&p, end))) {
        account_free(a);
        return NULL;
    }
    if (!h.has_password) {
        free(a->password_hash);
        a->password_hash = NULL;
    }
    if (used) *used = (size_t)(p - data);
    return a;
}

#define ACCOUNT_COLS                                                                       \
    "u.id, u.email, u.display_name, u.password_hash, coalesce(u.unit_id, 0), "            \
    "coalesce(n.name, ''), u.locale, u.roles, CASE WHEN u.disabled_at IS NULL THEN 0 ELSE 1 END, u.created_at "   \
    "FROM users u LEFT JOIN units n ON n.id = u.unit_id "

static account *account_from_row(store_query *st) {
    account *a = xcalloc(1, sizeof *a);
    a->id = store_col_int64(st, 0);
    a->email = xstrdup(store_col_text(st, 1));
    a->display_name = xstrdup(store_col_text(st, 2));
    a->password_hash = store_col_type(st, 3) == STORE_NULL ? NULL : xstrdup(store_col_text(st, 3));
    a->unit_id = store_col_int64(st, 4);
    a->unit_name = xstrdup(store_col_text(st, 5));
    snprintf(a->locale, sizeof a->locale, "%s", store_col_text(st, 6));
    a->roles = (unsigned)store_col_int(st, 7);
    a->disabled = store_col_int(st, 8) != 0;
    a->created_at = store_col_int64(st, 9);
    return a;
}

static account *account_fetch(store_query *st, perr *err) {
    account *a = NULL;
    int rc = store_step(st);
    if (rc == STORE_ROW)
        a = account_from_row(st);
    else if (rc != STORE_DONE)
        perr_set(err, "database error: %s", store_query_errmsg(st));
    store_done(st);
    return a;
}

account *account_get(store *s, long long id, perr *err) {
    perr_clear(err);
    store_query *st = store_stmt(s, "SELECT " ACCOUNT_COLS "WHERE u.id = ?", err);
    if (!st) return NULL;
    store_bind_int64(st, 1, id);
    return account_fetch(st, err);
}

bool account_email_normalize(const char *email, char out[255]) {
    if (!email) return false;
    size_t len = strlen(email);
    if (!len || len > 254 || text_has_invisible(email, len)) return false;
    buf b = BUF_INIT;
    bool ok = text_nfkc_casefold(email, len, &b) && b.len <= 254 && account_email_valid(buf_cstr(&b));
    if (ok) memcpy(out, buf_cstr(&b), b.len + 1);
    buf_free(&b);
    return ok;
}

bool account_name_valid(const char *name) {
    size_t n = name ? strlen(name) : 0;
    return n && n <= 200 && text_clean(name, n, false);
}

account *account_by_email(store *s, const char *email, perr *err) {
    perr_clear(err);
    char norm[255];
    if (!account_email_normalize(email, norm)) return NULL; /* no account has such an email */
    store_query *st = store_stmt(s, "SELECT " ACCOUNT_COLS "WHERE u.email = ?", err);
    if (!st) return NULL;
    store_bind_text(st, 1, norm);
    return account_fetch(st, err);
}

/* Steps st once, expecting `want` (STORE_DONE, or STORE_ROW for an INSERT ... RETURNING id,
 * whose id goes to *id when id is not NULL); a unique key failure is a duplicate e-mail.
 * may_fail: the caller may report the failure and go on in its transaction (import_users
 * does, row after row), which store_step_may_fail keeps usable on PostgreSQL. */
static bool step_expect(store_query *st, int want, long long *id, bool may_fail, perr *err) {
    int rc = may_fail ? store_step_may_fail(st) : store_step(st);
    if (rc == STORE_ROW && id) *id = store_col_int64(st, 0);
    bool ok = rc == want;
    if (!ok) {
        if (rc == STORE_CONSTRAINT)
            perr_set(err, "account.duplicate_email");
        else
            perr_set(err, "database error: %s", store_query_errmsg(st));
    }
    store_done(st);
    return ok;
}

static bool step_done(store_query *st, perr *err) {
    return step_expect(st, STORE_DONE, NULL, false, err);
}

bool account_create(store *s, const char *email, const char *display_name, long long unit_id,
                    unsigned roles, const char *locale, const char *password_hash, long long *id,
                    perr *err) {
    char norm[255];
    if (!account_email_normalize(email, norm)) return perr_set(err, "account.bad_email");
    if (!account_name_valid(display_name)) return perr_set(err, "account.bad_name");
    store_query *st = store_stmt(s,
        "INSERT INTO users(email, display_name, password_hash, unit_id, locale, roles, created_at)"
        " VALUES (?, ?, ?, nullif(CAST(? AS BIGINT), 0), ?, ?, ?) RETURNING id", err);
    if (!st) return false;
    store_bind_text(st, 1, norm);
    store_bind_text(st, 2, display_name);
    store_bind_text(st, 3, password_hash);
    store_bind_int64(st, 4, unit_id);
    store_bind_text(st, 5, locale && *locale ? locale : "fr");
    store_bind_int(st, 6, (int)roles);
    store_bind_int64(st, 7, clock_now());
    return step_expect(st, STORE_ROW, id, true, err);
}

bool account_update(store *s, long long id, const char *display_name, long long unit_id,
                    unsigned roles, const char *locale, perr *err) {
    if (!account_name_valid(display_name)) return perr_set(err, "account.bad_name");
    store_query *st = store_stmt(s,
        "UPDATE users SET display_name = ?, unit_id = nullif(CAST(? AS BIGINT), 0), roles = ?, locale = ? WHERE id = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, display_name);
    store_bind_int64(st, 2, unit_id);
    store_bind_int(st, 3, (int)roles);
    store_bind_text(st, 4, locale && *locale ? locale : "fr");
    store_bind_int64(st, 5, id);
    return step_done(st, err);
}

bool account_set_password(store *s, long long id, const char *password_hash, perr *err) {
    store_query *st = store_stmt(s, "UPDATE users SET password_hash = ? WHERE id = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, password_hash);
    store_bind_int64(st, 2, id);
    return step_done(st, err);
}

bool account_end_sessions(store *s, long long id, perr *err) {
    store_query *st = store_stmt(s, "DELETE FROM sessions WHERE user_id = ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    return step_done(st, err);
}

bool account_set_locale(store *s, long long id, const char *locale, perr *err) {
    if (!locale || (strcmp(locale, "fr") && strcmp(locale, "en"))) return perr_set(err, "account.bad_locale");
    store_query *st = store_stmt(s, "UPDATE users SET locale = ? WHERE id = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, locale);
    store_bind_int64(st, 2, id);
    return step_done(st, err);
}

bool account_set_roles(store *s, long long id, unsigned roles, perr *err) {
    if (!roles) return perr_set(err, "account.bad_roles");
    store_query *st = store_stmt(s, "UPDATE users SET roles = ? WHERE id = ?", err);
    if (!st) return false;
    store_bind_int(st, 1, (int)roles);
    store_bind_int64(st, 2, id);
    return step_done(st, err);
}

const char *account_state(const account *a) {
    return a->disabled ? "disabled" : a->password_hash ? "active" : "invited";
}

bool account_end_access(store *s, long long id, const char *keep_session, perr *err) {
    char keep[65] = "";
    if (keep_session) rand_sha256_hex(keep_session, strlen(keep_session), keep);
    store_query *st = store_stmt(s, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    store_bind_text(st, 2, keep);
    return step_done(st, err) && apitoken_revoke_all(s, id, err) && account_links_void(s, id, err);
}

bool account_set_disabled(store *s, long long id, bool disabled, perr *err) {
    store_query *st = store_stmt(s,
        "UPDATE users SET disabled_at = CASE WHEN ? = 1 THEN coalesce(disabled_at, ?) END WHERE id = ?", err);
    if (!st) return false;
    store_bind_int(st, 1, disabled);
    store_bind_int64(st, 2, clock_now());
    store_bind_int64(st, 3, id);
    if (!step_done(st, err)) return false;
    return disabled ? account_end_access(s, id, NULL, err) : true;
}

/* True when the account signs in through an identity provider (people/sso.h): no
 * password is expected of it. */
static bool signs_in_elsewhere(store *s, long long id) {
    store_query *st = store_stmt(s, "SELECT 1 FROM oidc_identities WHERE user_id = ?", NULL);
    if (!st) return false;
    store_bind_int64(st, 1, id);
    bool found = store_step(st) == STORE_ROW;
    store_done(st);
    return found;
}

json_t *account_list(store *s, const char *q, int limit, int offset, perr *err) {
    store_query *st = store_stmt2(s,
        "SELECT " ACCOUNT_COLS
        "WHERE ?1 = '' OR instr(lower(u.email), lower(?1)) OR instr(lower(u.display_name), lower(?1))"
        " ORDER BY u.display_name COLLATE NOCASE, u.id LIMIT ?2 OFFSET ?3",
        "SELECT " ACCOUNT_COLS
        "WHERE ?1 = '' OR strpos(lower(u.email), lower(?1)) > 0 OR strpos(lower(u.display_name), lower(?1)) > 0"
        " ORDER BY lower(u.display_name), u.id LIMIT ?2 OFFSET ?3", err);
    if (!st) return NULL;
    store_bind_text(st, 1, q ? q : "");
    store_bind_int(st, 2, limit);
    store_bind_int(st, 3, offset);
    json_t *arr = json_array();
    while (store_step(st) == STORE_ROW) {
        account *a = account_from_row(st);
        char roles[32];
        account_roles_format(a->roles, roles);
        const char *state = account_state(a);
        if (!strcmp(state, "invited") && signs_in_elsewhere(s, a->id)) state = "active";
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:b, s:s}", "id", (json_int_t)a->id,
                                             "email", a->email, "name", a->display_name, "unit",
                                             a->unit_name, "unit_id", (json_int_t)a->unit_id, "roles",
                                             roles, "disabled", a->disabled, "state", state));
        account_free(a);
    }
    store_done(st);
    return arr;
}

long long account_count(store *s) {
    store_query *st = store_stmt(s, "SELECT count(*) FROM users", NULL);
    if (!st) return 0;
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return n;
}
