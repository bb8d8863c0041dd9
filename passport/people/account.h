/* SPDX-License-Identifier: EUPL-1.2 */
/* Accounts: email (unique, case-insensitive), display name, unit, locale, roles, disabled
 * flag, password hash. Roles are a bit set; an account may hold several. */
#ifndef PASSPORT_PEOPLE_ACCOUNT_H
#define PASSPORT_PEOPLE_ACCOUNT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

enum {
    ROLE_AGENT = 1,
    ROLE_MANAGER = 2,
    ROLE_HR = 4,
    ROLE_ADMIN = 8,
    ROLE_ALL = 15,
};

typedef struct account {
    long long id;
    char *email;
    char *display_name;
    char *password_hash; /* NULL: no password set, cannot log in */
    long long unit_id;   /* 0: no unit */
    char *unit_name;     /* "" when no unit */
    char locale[8];
    unsigned roles;
    bool disabled;
    int64_t created_at;
} account;

/* Parses "agent,manager" (also French "agent,manager,rh,admin") into a role set; false
 * on an unknown name or an empty list. */
bool account_roles_parse(const char *text, unsigned *roles, perr *err);
/* Writes the role set as "agent,manager" into out (size >= 32). */
void account_roles_format(unsigned roles, char out[32]);
/* Checks an email's shape (one @, a dot in the domain, no spaces, <= 254 bytes). */
bool account_email_valid(const char *email);
/* The stored form of an email typed by someone: NFKC case-folded ("ＡＬＩＣＥ@X.FR" ->
 * "alice@x.fr"), refused (false) when it holds an invisible or direction-changing
 * character (text_has_invisible) or is not a valid email once normalised. */
bool account_email_normalize(const char *email, char out[255]);
/* True when name is fit for a display name: 1..200 bytes of UTF-8 without control
 * characters or bidirectional overrides. */
bool account_name_valid(const char *name);

/* Loads an account; NULL if absent (err empty) or on error (err set). Caller frees. */
account *account_get(store *s, long long id, perr *err);
account *account_by_email(store *s, const char *email, perr *err);
void account_free(account *a);
/* Appends a into out as bytes that account_unpack turns back into an equal account (for
 * in-memory caches of this process only: the layout is not a storage format). */
void account_pack(const account *a, buf *out);
/* The account packed at data[0..len), which the caller frees, and in *used (may be NULL)
 * the bytes it took; NULL when the bytes are not a whole packed account. */
account *account_unpack(const char *data, size_t len, size_t *used);

/* Creates an account; password_hash may be NULL. Writes the new id. The email is stored
 * normalised (account_email_normalize; else "account.bad_email"), the name checked
 * (account_name_valid; else "account.bad_name"). Fails on a duplicate email
 * ("account.duplicate_email"). Call inside a transaction if combined with others. */
bool account_create(store *s, const char *email, const char *display_name, long long unit_id,
                    unsigned roles, const char *locale, const char *password_hash, long long *id,
                    perr *err);
/* Updates name, unit, roles, locale of an account. */
bool account_update(store *s, long long id, const char *display_name, long long unit_id,
                    unsigned roles, const char *locale, perr *err);
bool account_set_password(store *s, long long id, const char *password_hash, perr *err);
/* Sets the locale alone ("fr" or "en"; else "account.bad_locale"): nothing else of the
 * row is written, so that no other field goes back to an older value. */
bool account_set_locale(store *s, long long id, const char *locale, perr *err);
/* Sets the roles alone (a non-empty role set; else "account.bad_roles"). */
bool account_set_roles(store *s, long long id, unsigned roles, perr *err);
/* Deletes every session of the account. */
bool account_end_sessions(store *s, long long id, perr *err);
/* Ends every way into the account but its password: deletes its sessions but the one
 * whose cookie token is keep_session (NULL: all of them), revokes its API tokens and voids
 * its unused invitation and reset links (for good: re-enabling the account does not bring
 * them back). The one place for
 * "a password reset, a password change or a disabling ends access" (admin, CLI, password
 * flows). Call in the transaction that makes the change. */
bool account_end_access(store *s, long long id, const char *keep_session, perr *err);
/* "disabled", "invited" (no password yet: waits for an invitation to be used) or "active". */
const char *account_state(const account *a);
/* Disables (or re-enables) an account; disabling ends its access (account_end_access). */
bool account_set_disabled(store *s, long long id, bool disabled, perr *err);

/* Lists accounts matching q (substring of email or name; NULL/"" for all), at most
 * limit from offset, as a JSON array of objects {id, email, name, unit, roles, disabled,
 * state (account_state, but "active" for an account that signs in through an identity
 * provider)}.
 * New reference. */
json_t *account_list(store *s, const char *q, int limit, int offset, perr *err);
/* Counts accounts. */
long long account_count(store *s);

#endif
