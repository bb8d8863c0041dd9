/* SPDX-License-Identifier: EUPL-1.2 */
/* Accounts signed in through an identity provider (OpenID Connect): the account a
 * provider's stable subject belongs to, matched once by verified e-mail or made at first
 * sign-in when allowed; the pending sign-ins between the redirect and the callback; the
 * ID token kept with a session for the logout. Knows no protocol: handlers/sso.c passes
 * plain strings from oidc/oidc.h. */
#ifndef PASSPORT_PEOPLE_SSO_H
#define PASSPORT_PEOPLE_SSO_H

#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

#define SSO_LOGIN_SECONDS 600 /* a sign-in at the provider must come back within this */

typedef struct sso_identity {
    const char *issuer, *subject;
    const char *email;
    bool email_verified;
    const char *display_name; /* "" or NULL: the e-mail */
    const char *roles;        /* "agent,manager" from the provider, or NULL: roles kept as they are */
} sso_identity;

typedef struct sso_policy {
    bool create_accounts; /* make an account at first sign-in (else only existing ones) */
    long long unit_id;    /* its unit (0: none) */
} sso_policy;

/* The account of id, in its own transaction: the one linked to (issuer, subject); else
 * the account of its e-mail, which must be verified, then linked; else a new one (agent,
 * or the provider's roles) when the policy allows. When roles are given they replace the
 * account's (unknown names ignored; none known: agent). *user_id set on success; false
 * with "sso.unverified_email", "sso.no_account", "sso.disabled", "sso.linked_elsewhere"
 * (the e-mail's account is linked to another subject of this issuer) or a database error. */
bool sso_sign_in(store *s, const sso_identity *id, const sso_policy *pol, long long *user_id, perr *err);

/* Keeps a pending sign-in under state (only its SHA-256) for SSO_LOGIN_SECONDS; expired
 * ones are purged. */
bool sso_login_save(store *s, const char *state, const char *nonce, const char *verifier, const char *next,
                    perr *err);
/* Takes (deletes) the pending sign-in of state: true with nonce, verifier (44 bytes each)
 * and next (512 bytes) filled; false when unknown, used or expired (err empty). */
bool sso_login_take(store *s, const char *state, char nonce[44], char verifier[44], char next[512], perr *err);

/* Keeps id_token with the session of cookie token session_token. */
bool sso_session_set(store *s, const char *session_token, const char *id_token, perr *err);
/* The ID token kept with that session, a new string the caller frees, or NULL. */
char *sso_session_id_token(store *s, const char *session_token);

#endif
