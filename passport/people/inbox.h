/* SPDX-License-Identifier: EUPL-1.2 */
/* The in-app inbox: notifications for one user (a new assignment, a due date, a decision
 * on an application). A message is an i18n key plus arguments, translated when shown, so
 * that each reader sees it in their own language. */
#ifndef PASSPORT_PEOPLE_INBOX_H
#define PASSPORT_PEOPLE_INBOX_H

#include <jansson.h>
#include <stdbool.h>

#include "core/err.h"
#include "store/store.h"

/* Posts a message to user_id: kind is a short category ("assignment", "due_soon",
 * "overdue", "call_decision"...), msg_key an i18n key whose {1}, {2}... are filled from
 * args (a JSON array of strings, borrowed, may be NULL), link a local path or NULL.
 * dedup, when not NULL, makes the post idempotent: a second post with the same dedup for
 * the same user does nothing and succeeds. Runs in the caller's transaction. A new message
 * is also mailed as the user's preference says (mail/outbox.h: outbox_enqueue with kind,
 * msg_key, args and link), so kind also names its mail template. */
bool inbox_post(store *s, long long user_id, const char *kind, const char *msg_key, json_t *args,
                const char *link, const char *dedup, perr *err);
/* The newest messages of user_id (at most limit), unread ones only when unread_only: a
 * new JSON array of {id, kind, key, args, link, at, read}. */
json_t *inbox_list(store *s, long long user_id, bool unread_only, int limit);
/* One page of that list (the API), read by key in (created_at, id) order: pg->limit
 * messages after pg->after; sets pg->more and pg->last. */
json_t *inbox_list_page(store *s, long long user_id, bool unread_only, store_page *pg);
int inbox_unread_count(store *s, long long user_id);
/* Marks one message (id > 0) or all of them (id == 0) as read; only the user's own. */
bool inbox_mark_read(store *s, long long user_id, long long id, perr *err);

#endif
