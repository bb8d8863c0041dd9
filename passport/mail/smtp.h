/* SPDX-License-Identifier: EUPL-1.2 */
/* Sending one e-mail over SMTP. The one header that hides libcurl's SMTP client: callers
 * give a URL, a sender, credentials and a message, and learn whether the server took it.
 *
 * smtp://host:port upgrades the connection with STARTTLS, and refuses to go on without
 * it unless starttls is SMTP_STARTTLS_OFF (a relay on the same machine); smtps://host:port
 * speaks TLS from the first byte. Certificates are verified (ca_file adds a private CA). */
#ifndef PASSPORT_MAIL_SMTP_H
#define PASSPORT_MAIL_SMTP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef enum smtp_starttls { SMTP_STARTTLS_REQUIRED, SMTP_STARTTLS_OFF } smtp_starttls;

typedef struct smtp_config {
    const char *url;      /* smtp://host:port or smtps://host:port */
    const char *from;     /* "Passport <noreply@example.org>" or a bare address */
    const char *user;     /* NULL: no authentication */
    const char *password;
    const char *ca_file;  /* NULL: the system's CAs */
    smtp_starttls starttls;
    long timeout_seconds; /* the whole transfer; 0: 60 */
} smtp_config;

typedef struct smtp_message {
    const char *to;         /* one address */
    const char *subject;    /* UTF-8 */
    const char *text, *html;/* UTF-8 bodies */
    const char *message_id; /* "<id@host>" */
} smtp_message;

typedef enum smtp_result {
    SMTP_SENT,      /* the server answered 250 to the message */
    SMTP_RETRY,     /* not accepted, try later (no connection, 4xx, cut before the end) */
    SMTP_REFUSED,   /* refused for good (5xx) */
    SMTP_UNCERTAIN, /* the whole message went out but no answer came back: it may be delivered */
} smtp_result;

/* Reads "user:password" (the first line; the user has no colon) from path into new
 * strings the caller frees. The file should be mode 0600; false with err otherwise. */
bool smtp_credentials_load(const char *path, char **user, char **password, perr *err);

/* Writes the message as RFC 5322 bytes into out: Date (date, UTC), From, To, Subject
 * (RFC 2047 encoded when not ASCII), Message-ID, and a multipart/alternative body with
 * the text then the HTML part, each UTF-8 in base64; CRLF line ends. */
void smtp_format(const smtp_config *c, const smtp_message *m, int64_t date, buf *out);

/* Sends m; an address (m->to, c->from) or message id holding a control character is
 * SMTP_REFUSED before any connection. on_data(ud), when not NULL, is called once just before the message's bytes
 * start to flow (the server accepted sender and recipient); returning false stops the
 * transfer (SMTP_RETRY). err gets a short reason on anything but SMTP_SENT. Blocking:
 * call it from a worker thread. */
smtp_result smtp_send(const smtp_config *c, const smtp_message *m, bool (*on_data)(void *ud), void *ud,
                      perr *err);

/* curl_global_init, once per process before any thread sends (cli/serve.c). */
void smtp_global_init(void);

#endif
