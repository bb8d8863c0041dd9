/* SPDX-License-Identifier: EUPL-1.2 */
/* Login throttling that slows down instead of locking out (docs/privacy.md): failures are
 * counted atomically per address, per account from one address, and per account from
 * anywhere; past a free allowance each key waits twice as long after every further
 * failure, up to a ceiling. A refusal looks the same whether the account exists. Keys are
 * stored hashed (no e-mail or address in clear). */
#ifndef PASSPORT_PEOPLE_THROTTLE_H
#define PASSPORT_PEOPLE_THROTTLE_H

#include <stdbool.h>

#include "store/store.h"

#define THROTTLE_WINDOW_SECONDS (15 * 60) /* a key's count starts again after this quiet time */
#define THROTTLE_FREE_PAIR 5              /* failures for one account from one address, then 2 s, 4 s, 8 s... */
#define THROTTLE_MAX_PAIR 900
#define THROTTLE_FREE_ADDRESS 20          /* failures from one address, any account */
#define THROTTLE_MAX_ADDRESS 900
#define THROTTLE_FREE_ACCOUNT 50          /* failures for one account from anywhere */
#define THROTTLE_MAX_ACCOUNT 60           /* so that a distributed attack slows the owner down by a minute at most */

/* Rate limits of other requests than logins, each with a counter of its own (a reset
 * request never uses up the login attempts of an address, nor the other way round):
 * kind names the counter, subject what it counts (an address, an IP; case folded). */
typedef enum throttle_kind {
    THROTTLE_RESET_ACCOUNT = 'r', /* "mot de passe oublié" for one e-mail address */
    THROTTLE_RESET_CLIENT = 'f',  /* "mot de passe oublié" from one IP */
    THROTTLE_OIDC_CLIENT = 'o',   /* sign-ins started with the OpenID provider from one IP */
} throttle_kind;

#define THROTTLE_RESET_ACCOUNT_LIMIT 3 /* reset e-mails per address and hour */
#define THROTTLE_RESET_ACCOUNT_WINDOW 3600
#define THROTTLE_RESET_CLIENT_LIMIT 20 /* reset requests per IP and 15 minutes */
#define THROTTLE_RESET_CLIENT_WINDOW (15 * 60)
#define THROTTLE_OIDC_CLIENT_LIMIT 100 /* provider sign-ins begun per IP and minute: many agents may */
#define THROTTLE_OIDC_CLIENT_WINDOW 60   /* share one address (an administration's proxy) */

/* Counts one request of kind for subject in a fixed window of window seconds opened by the
 * first one (one atomic statement) and says whether it is within limit. A store failure
 * lets the request through (a limit, not a lock), and is logged, rate-limited
 * (store_log_failure: a counter that never works must not pass unseen). */
bool throttle_allow(store *s, throttle_kind kind, const char *subject, int limit, int window);
/* The stored key of subject's counter of kind (as throttle_email_key), for erasure. */
void throttle_kind_key(throttle_kind kind, const char *subject, char out[65]);

/* Seconds before a login for email from ip may be tried (0: now). */
int throttle_wait(store *s, const char *email, const char *ip);
/* Records a failed login for email from ip (one atomic statement per key) and returns the
 * failure count of the account from that address. */
int throttle_fail(store *s, const char *email, const char *ip);
/* Forgets the failures of an email after a successful login from ip: its account-wide
 * count and its count from that address. */
void throttle_clear(store *s, const char *email, const char *ip);
/* The stored key of an email's account-wide count (hex SHA-256 of "e:" and the
 * lowercased email), for export and erasure. */
void throttle_email_key(const char *email, char out[65]);

#endif
