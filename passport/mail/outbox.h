/* SPDX-License-Identifier: EUPL-1.2 */
/* The e-mail outbox: every message Passport mails is a row written in the transaction of
 * the change it tells about, then sent by a background worker (handlers/mail_worker.c)
 * through mail/smtp.h. A row moves:
 *
 *   held ──(the recipient's daily digest is due)──> digested  (folded into a "digest" row)
 *   queued ──claim──> sending ──DATA phase began──> delivering ──250 OK──> sent
 *      ^                 │                              │
 *      └──retry later────┘ (failure before DATA)        └─ failure or lease ran out: failed
 *
 * A claim is a lease (OUTBOX_LEASE_SECONDS): a worker that dies leaves its row behind, and
 * outbox_recover puts a "sending" row back in the queue (the mail server never received
 * the message) but marks a "delivering" one failed, since the server may have accepted it:
 * no message is sent twice, and an uncertain one shows in /admin/outbox for a person to
 * resend. Several workers (several servers on one database) may claim at once: a claim is
 * one UPDATE, so each row goes to one of them. */
#ifndef PASSPORT_MAIL_OUTBOX_H
#define PASSPORT_MAIL_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define OUTBOX_LEASE_SECONDS 300 /* longer than one SMTP transfer may take (mail/smtp.h) */
#define OUTBOX_MAX_ATTEMPTS 8    /* then the row is failed */
#define OUTBOX_BACKOFF_MAX 3600  /* seconds: the longest wait between two attempts */

/* What an agent chose in Mon profil. */
typedef enum outbox_pref {
    OUTBOX_PREF_EACH,      /* every message at once */
    OUTBOX_PREF_DIGEST,    /* notices gathered into one message a day */
    OUTBOX_PREF_ESSENTIAL, /* only invitation and reset */
} outbox_pref;

/* "each", "digest", "essential"; false for another text. */
bool outbox_pref_parse(const char *text, outbox_pref *out);
const char *outbox_pref_name(outbox_pref p);
/* The account's preference (OUTBOX_PREF_EACH when absent). */
outbox_pref outbox_pref_get(store *s, long long user_id);
bool outbox_pref_set(store *s, long long user_id, outbox_pref p, perr *err);

/* Queues a notice for account user_id, to its address in its locale, as its preference
 * says: at once, held for the daily digest, or not at all (essential only). Disabled
 * accounts get nothing. kind names the templates (web/templates/mail/<kind>.html and
 * <kind>_text.html: "assignment", "due_soon", "overdue", "badge_awarded",
 * "badge_revoked", "call_decision", "recheck"); msg_key is an i18n key whose {1},
 * {2}... are filled from args (a JSON array of strings, borrowed, may be NULL) to say what
 * happened in one sentence; link is a local path ("/me/assignments") or NULL. Runs in the
 * caller's transaction, so the message exists exactly when the change it tells does. */
bool outbox_enqueue(store *s, long long user_id, const char *kind, const char *msg_key, json_t *args,
                    const char *link, perr *err);
/* Queues an essential message ("invitation", "reset") for user_id whatever its preference;
 * link carries a secret token: it is wiped from the row once sent, and once failed for
 * good (outbox_mark_failed, outbox_recover). */
bool outbox_enqueue_essential(store *s, long long user_id, const char *kind, const char *link, perr *err);

/* A claimed message; the strings and args belong to it (outbox_msg_clear). */
typedef struct outbox_msg {
    long long id, user_id;
    char *to, *locale, *kind, *msg_key, *link, *name;
    json_t *args; /* the row's args: a JSON array (for a digest: its items) */
    int attempts; /* including this one */
} outbox_msg;
void outbox_msg_clear(outbox_msg *m);

/* Claims the oldest queued message whose time has come: it becomes "sending" with a
 * lease until now + OUTBOX_LEASE_SECONDS and one more attempt. true with *out filled;
 * false when there is none (err empty) or on a database error (err set). */
bool outbox_claim(store *s, int64_t now, outbox_msg *out, perr *err);
/* The mail server accepted the envelope and the message's bytes start to flow: from now
 * on, a crash leaves the message failed rather than sent again. false when the row is not
 * "sending" any more (its lease ran out and someone else took it): stop the transfer. */
bool outbox_mark_delivering(store *s, long long id, perr *err);
/* The server answered 250 to the message: sent. */
bool outbox_mark_sent(store *s, long long id, int64_t now, perr *err);
/* The attempt failed with error (a short text kept for /admin/outbox). When the server
 * cannot have accepted the message (maybe_delivered false: it refused it, or the transfer
 * stopped before its end) and the failure is not permanent, the row is queued again for now + outbox_backoff(attempts, base); otherwise, or after
 * OUTBOX_MAX_ATTEMPTS, it is failed. */
bool outbox_mark_failed(store *s, long long id, int64_t now, bool permanent, bool maybe_delivered, const char *error,
                        int base, perr *err);
/* The wait before attempt n+1 after n failures: base * 2^(n-1) seconds, at most
 * OUTBOX_BACKOFF_MAX. */
int64_t outbox_backoff(int attempts, int base);
/* Rows whose lease ran out before now: "sending" back to queued, "delivering" to failed.
 * Returns how many moved (-1 on a database error). */
int outbox_recover(store *s, int64_t now);
/* For each account with held notices due by now, one "digest" row (queued) listing them,
 * the held rows becoming "digested". Returns the number of digests (-1 on error). */
int outbox_fold_digests(store *s, int64_t now, perr *err);
/* Puts a failed row back in the queue (an admin's "send again"); "outbox.link_gone" for
 * an invitation or reset whose link was wiped (a new one is sent from the account). */
bool outbox_retry(store *s, long long id, perr *err);

/* The newest rows in state (NULL: any), at most limit: a new JSON array of {id, to, kind,
 * state, attempts, created_at, next_at, sent_at, error} (times ISO 8601, "" when none).
 * Links are never listed. */
json_t *outbox_list(store *s, const char *state, int limit);
/* {held, queued, sending, delivering, sent, failed, digested}: counts per state. */
json_t *outbox_counts(store *s);

#endif
