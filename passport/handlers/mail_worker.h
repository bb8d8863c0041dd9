/* SPDX-License-Identifier: EUPL-1.2 */
/* The outbox's sender: a background thread that renders each queued message with the
 * mail templates (web/templates/mail/<kind>.html and <kind>_text.html, in the recipient's
 * locale) and sends it through mail/smtp.h, retrying with backoff (mail/outbox.h). It also
 * turns the pending "mot de passe oublié" requests into reset links and e-mails
 * (account_reset_resolve), so that the page does the same work for every address. Without
 * an SMTP URL it still does that, folds digests and recovers leases, but sends nothing:
 * messages wait in the outbox, visible at /admin/outbox. */
#ifndef PASSPORT_HANDLERS_MAIL_WORKER_H
#define PASSPORT_HANDLERS_MAIL_WORKER_H

#include <stdbool.h>

#include "core/buf.h"
#include "handlers/app.h"
#include "mail/outbox.h"
#include "mail/smtp.h"

typedef struct mail_worker mail_worker;

typedef struct mail_worker_opts {
    smtp_config smtp;  /* smtp.url NULL: nothing is sent; strings borrowed for the worker's life */
    int retry_seconds; /* backoff base (PASSPORT_SMTP_RETRY_SECONDS, default 60) */
    int poll_ms;       /* how often the outbox is looked at (default 1000) */
} mail_worker_opts;

/* Starts the thread; a borrows nothing new (the app must outlive the worker). NULL with
 * err when the thread cannot start. */
mail_worker *mail_worker_start(app *a, const mail_worker_opts *o, perr *err);
/* Asks the thread to stop after the message in flight, waits for it, frees. NULL: no-op. */
void mail_worker_stop(mail_worker *w);

/* Renders m in its locale into a subject, a text body and an HTML body (appended to the
 * three buffers). false with err when a template is missing or fails. */
bool mail_render(app *a, const outbox_msg *m, buf *subject, buf *text, buf *html, perr *err);

#endif
