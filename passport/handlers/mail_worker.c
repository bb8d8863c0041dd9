/* SPDX-License-Identifier: EUPL-1.2 */
/* The outbox worker thread and the rendering of mail templates. */
#include "handlers/mail_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"
#include "http/locale_fmt.h"
#include "people/account_link.h"

struct mail_worker {
    app *a;
    mail_worker_opts o;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* key's translation in locale with {1}, {2}... taken from args (a JSON array); dates
 * written in the locale's words, as the inbox shows them. */
static void fill(app *a, const char *locale, const char *key, const json_t *args, buf *out) {
    const char *text = i18n_get(a->i18n, locale, key);
    for (const char *p = text; *p; p++) {
        if (*p == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}') {
            json_t *v = json_array_get(args, (size_t)(p[1] - '1'));
            if (json_is_string(v)) locale_fmt_arg(out, locale, json_string_value(v));
            p += 2;
        } else {
            buf_putc(out, *p);
        }
    }
}

/* Undoes the five entities the template engine writes: the text part is plain text. */
static void html_unescape(buf *b) {
    static const struct { const char *ent; char c; } ents[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    size_t w = 0;
    for (size_t r = 0; r < b->len;) {
        bool done = false;
        if (b->data[r] == '&')
            for (size_t k = 0; k < sizeof ents / sizeof ents[0] && !done; k++) {
                size_t n = strlen(ents[k].ent);
                if (r + n <= b->len && !memcmp(b->data + r, ents[k].ent, n)) {
                    b->data[w++] = ents[k].c;
                    r += n;
                    done = true;
                }
            }
        if (!done) b->data[w++] = b->data[r++];
    }
    b->len = w;
    if (b->data) b->data[w] = '\0';
}

static json_t *abs_link(app *a, const char *link) {
    if (!link || !*link) return json_string("");
    buf b = BUF_INIT;
    buf_printf(&b, "%s%s", a->cfg.public_url, link);
    json_t *j = json_string(buf_cstr(&b));
    buf_free(&b);
    return j;
}

/* The data the templates see: name, link, message (the filled msg_key), site, items. */
static json_t *render_data(app *a, const outbox_msg *m) {
    buf msg = BUF_INIT;
    if (m->msg_key && *m->msg_key) fill(a, m->locale, m->msg_key, m->args, &msg);
    json_t *d = json_pack("{s:s, s:o, s:s, s:s}", "name", m->name ? m->name : "", "link", abs_link(a, m->link),
                          "message", buf_cstr(&msg), "site", a->cfg.public_url);
    buf_free(&msg);
    if (!strcmp(m->kind, "digest")) {
        json_t *items = json_array();
        size_t i;
        json_t *it;
        json_array_foreach(m->args, i, it) {
            buf t = BUF_INIT;
            fill(a, m->locale, json_string_value(json_object_get(it, "key")), json_object_get(it, "args"), &t);
            json_array_append_new(items, json_pack("{s:s, s:o}", "text", buf_cstr(&t), "link",
                                                   abs_link(a, json_string_value(json_object_get(it, "link")))));
            buf_free(&t);
        }
        json_object_set_new(d, "items", items);
    }
    return d;
}

/* Renders mail/<kind><suffix> inside mail/layout<suffix>. */
static bool render_part(app *a, const outbox_msg *m, json_t *data, const char *suffix, buf *out, perr *err) {
    char name[96], layout[32];
    snprintf(name, sizeof name, "mail/%s%s", m->kind, suffix);
    snprintf(layout, sizeof layout, "mail/layout%s", suffix);
    buf body = BUF_INIT;
    if (!tmpl_render(a->tmpl, name, data, m->locale, &body, err)) {
        buf_free(&body);
        return false;
    }
    json_object_set_new(data, "body", json_stringn_nocheck(body.data ? body.data : "", body.len));
    buf_free(&body);
    return tmpl_render(a->tmpl, layout, data, m->locale, out, err);
}

bool mail_render(app *a, const outbox_msg *m, buf *subject, buf *text, buf *html, perr *err) {
    char key[96];
    snprintf(key, sizeof key, "mail.%s.subject", m->kind);
    fill(a, m->locale, key, m->args, subject);
    json_t *data = render_data(a, m);
    json_object_set_new(data, "subject", json_string(buf_cstr(subject)));
    size_t text_start = text->len;
    bool ok = render_part(a, m, data, "", html, err) && render_part(a, m, data, "_text", text, err);
    json_decref(data);
    if (ok) {
        buf tail = BUF_INIT;
        buf_append(&tail, text->data + text_start, text->len - text_start);
        html_unescape(&tail);
        text->len = text_start;
        buf_append(text, tail.data ? tail.data : "", tail.len);
        buf_free(&tail);
    }
    return ok;
}

typedef struct delivery {
    store *db;
    long long id;
} delivery;

static bool on_data(void *ud) {
    delivery *d = ud;
    perr err = {{0}};
    if (outbox_mark_delivering(d->db, d->id, &err)) return true;
    log_error("outbox %lld: %s", d->id, err.msg);
    return false;
}

/* Sends one claimed message and records the outcome. */
static void deliver(mail_worker *w, outbox_msg *m) {
    app *a = w->a;
    buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT;
    perr err = {{0}};
    if (!mail_render(a, m, &subject, &text, &html, &err)) {
        log_error("outbox %lld (%s): cannot render: %s", m->id, m->kind, err.msg);
        outbox_mark_failed(a->db, m->id, clock_now(), true, false, err.msg, w->o.retry_seconds, NULL);
        goto done;
    }
    char mid[128], rnd[17];
    rand_hex(rnd, 8);
    const char *host = strstr(a->cfg.public_url, "://");
    host = host ? host + 3 : "passport";
    snprintf(mid, sizeof mid, "<outbox-%lld.%s@%.*s>", m->id, rnd, (int)strcspn(host, ":/"), host);
    smtp_message msg = {m->to, buf_cstr(&subject), buf_cstr(&text), buf_cstr(&html), mid};
    delivery d = {a->db, m->id};
    smtp_result r = smtp_send(&w->o.smtp, &msg, on_data, &d, &err);
    perr serr = {{0}};
    bool ok = r == SMTP_SENT ? outbox_mark_sent(a->db, m->id, clock_now(), &serr)
                             : outbox_mark_failed(a->db, m->id, clock_now(), r == SMTP_REFUSED, r == SMTP_UNCERTAIN,
                                                  err.msg, w->o.retry_seconds, &serr);
    if (r != SMTP_SENT) log_error("outbox %lld to %s: %s (attempt %d)", m->id, m->to, err.msg, m->attempts);
    if (!ok) log_error("outbox %lld: %s", m->id, serr.msg);
done:
    buf_free(&subject);
    buf_free(&text);
    buf_free(&html);
}

/* One pass: recover leases, turn reset requests into links and e-mails, fold digests,
 * send what is due. */
static void pass(mail_worker *w) {
    store *db = w->a->db;
    int64_t now = clock_now();
    outbox_recover(db, now);
    perr err = {{0}};
    /* each second while the database is away: rate-limited (store_log_failure) */
    if (account_reset_resolve(db, now, &err) < 0) store_log_failure(db, "reset requests", "reset requests: %s", err.msg);
    if (outbox_fold_digests(db, now, &err) < 0) store_log_failure(db, "outbox digests", "outbox digests: %s", err.msg);
    if (!w->o.smtp.url) return;
    for (int i = 0; i < 50; i++) {
        pthread_mutex_lock(&w->mu);
        bool stop = w->stop;
        pthread_mutex_unlock(&w->mu);
        if (stop) return;
        outbox_msg m;
        if (!outbox_claim(db, clock_now(), &m, &err)) {
            if (err.msg[0]) log_error("outbox claim: %s", err.msg);
            return;
        }
        deliver(w, &m);
        outbox_msg_clear(&m);
    }
}

static void *run(void *p) {
    mail_worker *w = p;
    for (;;) {
        pass(w);
        pthread_mutex_lock(&w->mu);
        if (!w->stop) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            long ns = until.tv_nsec + (long)(w->o.poll_ms % 1000) * 1000000L;
            until.tv_sec += w->o.poll_ms / 1000 + ns / 1000000000L;
            until.tv_nsec = ns % 1000000000L;
            pthread_cond_timedwait(&w->cv, &w->mu, &until);
        }
        bool stop = w->stop;
        pthread_mutex_unlock(&w->mu);
        if (stop) break;
    }
    return NULL;
}

mail_worker *mail_worker_start(app *a, const mail_worker_opts *o, perr *err) {
    mail_worker *w = xcalloc(1, sizeof *w);
    w->a = a;
    w->o = *o;
    if (w->o.retry_seconds <= 0) w->o.retry_seconds = 60;
    if (w->o.poll_ms <= 0) w->o.poll_ms = 1000;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    int rc = pthread_create(&w->thread, NULL, run, w);
    if (rc) {
        perr_set(err, "cannot start the mail worker: %s", strerror(rc));
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return NULL;
    }
    return w;
}

void mail_worker_stop(mail_worker *w) {
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
