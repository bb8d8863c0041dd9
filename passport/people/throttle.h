/* Login throttling: failures are counted per account key and per client address over a
 * window; past a limit, logins are refused the same way whether the account exists. */
#ifndef PASSPORT_PEOPLE_THROTTLE_H
#define PASSPORT_PEOPLE_THROTTLE_H

#include <stdbool.h>

#include "store/store.h"

#define THROTTLE_WINDOW_SECONDS (15 * 60)
#define THROTTLE_MAX_PER_ACCOUNT 5
#define THROTTLE_MAX_PER_IP 20

/* True when a login for this email from this address must be refused now. */
bool throttle_blocked(store *s, const char *email, const char *ip);
/* Records a failed login for email and ip. */
void throttle_fail(store *s, const char *email, const char *ip);
/* Forgets the failures of an email after a successful login. */
void throttle_clear(store *s, const char *email);

#endif
