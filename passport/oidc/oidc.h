/* SPDX-License-Identifier: EUPL-1.2 */
/* OpenID Connect relying party: the authorization code flow with PKCE (S256), state and
 * nonce; the provider's discovery document and key set (JWKS), fetched on first use and
 * kept, the key set fetched again when a token names a key it lacks (rotation); ID tokens
 * signed RS256, ES256 or EdDSA, checked for issuer, audience, expiry, issued-at (clock
 * skew bounded) and nonce; the userinfo endpoint, answered as JSON or as a signed JWT
 * (application/jwt, as ProConnect does); logout at the provider (end_session_endpoint
 * with id_token_hint). The one header that hides libcurl, cjose and OpenSSL from the rest
 * of Passport: it knows nothing of accounts or sessions. A provider object is shared by
 * every request thread. */
#ifndef PASSPORT_OIDC_OIDC_H
#define PASSPORT_OIDC_OIDC_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct oidc_config {
    const char *issuer;        /* https://… (http:// only on 127.0.0.1 or localhost) */
    const char *client_id;
    const char *client_secret; /* client_secret_basic (client_secret_post when only that is offered) */
    const char *scopes;        /* "openid email given_name usual_name"; openid is added when missing */
    const char *redirect_uri;  /* <public URL>/oidc/callback */
    const char *roles_claim;   /* NULL: roles are not taken from the provider */
    const char *ca_file;       /* NULL: the system's CAs */
    int skew;                  /* seconds of clock difference tolerated; 0: 60 */
} oidc_config;

typedef struct oidc_provider oidc_provider;

/* A provider for c (strings copied); contacts nobody yet. NULL with err when the issuer
 * or the client is unusable. */
oidc_provider *oidc_provider_new(const oidc_config *c, perr *err);
void oidc_provider_free(oidc_provider *p);
const char *oidc_provider_issuer(const oidc_provider *p);

/* The secrets of one sign-in, kept by the caller between the redirect and the callback. */
typedef struct oidc_login {
    char state[44], nonce[44], verifier[44]; /* 32 random bytes each, base64url */
} oidc_login;

/* Makes new state, nonce and PKCE verifier into *l and writes the authorization URL to
 * send the browser to into url. false with err when the discovery document cannot be
 * had. */
bool oidc_login_start(oidc_provider *p, oidc_login *l, buf *url, perr *err);

/* Who signed in, from the ID token and the userinfo answer (claim mapping below). */
typedef struct oidc_identity {
    char *subject;       /* sub: stable at this provider */
    char *email;         /* "" when none */
    bool email_verified; /* email_verified true (boolean or "true") */
    char *given_name;    /* given_name, "" when none */
    char *family_name;   /* usual_name, else family_name; "" when none */
    char *roles;         /* the roles claim's names joined by commas; NULL when absent */
    char *id_token;      /* as received, for the logout's id_token_hint */
} oidc_identity;
void oidc_identity_clear(oidc_identity *id);

/* Exchanges code (with l's verifier) at the token endpoint, verifies the ID token (l's
 * nonce), reads the userinfo endpoint when there is one, and maps the claims into *out.
 * false with err: "oidc.provider" (unreachable, or a bad answer), "oidc.token" (the code
 * was refused: used already, expired, not ours), "jwt.*" (jwt.h: a token check failed),
 * "oidc.userinfo" (its sub differs), "oidc.claims" (no sub). */
bool oidc_login_finish(oidc_provider *p, const oidc_login *l, const char *code, oidc_identity *out, perr *err);

/* Claim mapping: subject from id_claims' sub; email, email_verified, given_name,
 * usual_name|family_name from userinfo (may be NULL) then id_claims; roles from the claim
 * named roles_claim (an array of strings, or one string of names separated by spaces or
 * commas). false with "oidc.claims" when sub is missing or userinfo names another sub. */
bool oidc_map_claims(const json_t *id_claims, const json_t *userinfo, const char *roles_claim, oidc_identity *out,
                     perr *err);

/* The provider's logout URL for id_token, coming back to post_logout_uri, into out; false
 * when the provider has no end_session_endpoint (or its discovery failed). */
bool oidc_logout_url(oidc_provider *p, const char *id_token, const char *post_logout_uri, buf *out);

#endif
