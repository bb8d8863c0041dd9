/* SPDX-License-Identifier: EUPL-1.2 */
/* One-use links that let a person choose a password without anyone typing it for them:
 * an invitation (7 days) for an account made without a password, and a password reset
 * (15 minutes) asked from the login page. The link carries a random token; only its
 * SHA-256 is stored. A new link of the same purpose replaces the account's previous one. */
#ifndef PASSPORT_PEOPLE_ACCOUNT_LINK_H
#define PASSPORT_PEOPLE_ACCOUNT_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define ACCOUNT_LINK_INVITE_SECONDS (7 * 24 * 3600)
#define ACCOUNT_LINK_RESET_SECONDS (15 * 60)
#define ACCOUNT_LINK_TOKEN_LEN 64 /* lowercase hex */
/* The page a link opens; the token follows in the query ("?t=..."). */
#define ACCOUNT_LINK_PATH "/password/set"

typedef enum account_link_purpose { ACCOUNT_LINK_INVITE, ACCOUNT_LINK_RESET } account_link_purpose;

/* Makes a link for user_id (the previous unused one of that purpose stops working) and
 * writes its path with the token ("/password/set?t=...") into path. Writes: call in the
 * caller's transaction. */
bool account_link_create(store *s, long long user_id, account_link_purpose purpose, char path[96], perr *err);
/* The account a live link (unused, not expired) belongs to; 0 when the token is unknown,
 * used or expired (err empty) or on a database error (err set). Reads only. */
long long account_link_peek(store *s, const char *token, perr *err);
/* Uses the link: marks it used and returns its account, with its purpose in *purpose; 0
 * as for account_link_peek. A token works once: call it in the transaction that sets the
 * password, so that two submissions cannot both succeed. */
long long account_link_use(store *s, const char *token, account_link_purpose *purpose, perr *err);

/* Voids every unused link of user_id (a password was changed, or the account disabled:
 * an older invitation or reset e-mail must not set another password). In the caller's
 * transaction. */
bool account_links_void(store *s, long long user_id, perr *err);

/* Invites user_id: a new invitation link and its e-mail in the outbox (mail/outbox.h,
 * kind "invitation"). In the caller's transaction. */
bool account_invite(store *s, long long user_id, perr *err);
/* Records a "mot de passe oublié" request for email, whatever it names: one row, the
 * same work for an address with an account or without, so that neither the answer nor
 * its time tells them apart (the link and e-mail are made later, by
 * account_reset_resolve). One statement; call outside a transaction or in the caller's. */
bool account_reset_request(store *s, const char *email, perr *err);
/* Takes the pending requests (at most 100) in one transaction: for each address whose
 * account exists and is not disabled, a reset link and its e-mail (one per account per
 * call); others, and requests older than ACCOUNT_LINK_RESET_SECONDS, are dropped. Run by
 * the mail worker at each pass (handlers/mail_worker.c); several servers may run it at
 * once, each request is taken once. Returns the number of reset e-mails queued, -1 with
 * err on a database error (the requests then stay). */
int account_reset_resolve(store *s, int64_t now, perr *err);

#endif
