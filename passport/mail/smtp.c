/* SPDX-License-Identifier: EUPL-1.2 */
/* SMTP with libcurl: message formatting (RFC 5322, MIME multipart/alternative, RFC 2047
 * subjects) and one transfer per message, classified into sent / retry / refused /
 * uncertain for the outbox. */
#include "mail/smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/b64.h"
#include "core/rand.h"

void smtp_global_init(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool smtp_credentials_load(const char *path, char **user, char **password, perr *err) {
    *user = *password = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return perr_set(err, "cannot read the SMTP credentials file %s", path);
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077)) {
        fclose(f);
        return perr_set(err, "%s is readable by others: chmod 600 it", path);
    }
    char line[1024];
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    char *colon = ok ? strchr(line, ':') : NULL;
    if (!colon || colon == line) return perr_set(err, "%s: expected one line user:password", path);
    line[strcspn(line, "\r\n")] = '\0';
    *user = xstrndup(line, (size_t)(colon - line));
    *password = xstrdup(colon + 1);
    return true;
}

static bool is_ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n') return false;
    return true;
}

/* RFC 2047 "B" encoded words of at most 39 bytes of text each (whole UTF-8 sequences), so
 * that no header line passes 78 characters. */
static void put_header_text(buf *out, const char *s) {
    if (is_ascii(s)) {
        buf_puts(out, s);
        return;
    }
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t n = len - i < 39 ? len - i : 39;
        while (i + n < len && ((unsigned char)s[i + n] & 0xC0) == 0x80) n--; /* not inside a sequence */
        char *b = b64_encode(s + i, n);
        buf_printf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b);
        free(b);
        i += n;
    }
}

/* A body part: base64 in lines of 76 characters. */
static void put_part(buf *out, const char *boundary, const char *type, const char *body) {
    buf_printf(out, "--%s\r\nContent-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
               boundary, type);
    char *b = b64_encode(body, strlen(body));
    size_t n = strlen(b);
    for (size_t i = 0; i < n; i += 76) {
        buf_append(out, b + i, n - i < 76 ? n - i : 76);
        buf_puts(out, "\r\n");
    }
    free(b);
}

void smtp_format(const smtp_config *c, const smtp_message *m, int64_t date, buf *out) {
    time_t t = (time_t)date;
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    buf_printf(out, "Date: %s, %02d %s %d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: ", c->from, m->to);
    put_header_text(out, m->subject);
    char boundary[41] = "=_pp_";
    rand_hex(boundary + 5, 16);
    buf_printf(out, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
                    "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
               m->message_id, boundary);
    put_part(out, boundary, "text/plain", m->text);
    put_part(out, boundary, "text/html", m->html);
    buf_printf(out, "--%s--\r\n", boundary);
}

/* The bare address of "Name <addr>" (or the whole text), in angle brackets for curl. */
static void envelope_address(const char *from, char *out, size_t n) {
    const char *lt = strrchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt) snprintf(out, n, "%.*s", (int)(gt - lt + 1), lt);
    else snprintf(out, n, "<%s>", from);
}

typedef struct upload {
    const char *data;
    size_t len, pos;
    bool started, finished, stopped;
    bool (*on_data)(void *);
    void *ud;
} upload;

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *p) {
    upload *u = p;
    if (!u->started) {
        u->started = true;
        if (u->on_data && !u->on_data(u->ud)) {
            u->stopped = true;
            return CURL_READFUNC_ABORT;
        }
    }
    size_t n = size * nmemb, left = u->len - u->pos;
    if (n > left) n = left;
    memcpy(dst, u->data + u->pos, n);
    u->pos += n;
    if (u->pos == u->len) u->finished = true;
    return n;
}

/* True when s may stand in a header or an envelope command as it is: no control
 * character (a CR or LF would start a header or a command of its own). */
static bool header_safe(const char *s) {
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F) return false;
    return s != NULL;
}

smtp_result smtp_send(const smtp_config *c, const smtp_message *m, bool (*on_data)(void *ud), void *ud,
                      perr *err) {
    if (!header_safe(m->to) || !header_safe(c->from) || !header_safe(m->message_id)) {
        perr_set(err, "a control character in an address");
        return SMTP_REFUSED;
    }
    buf msg = BUF_INIT;
    smtp_format(c, m, (int64_t)time(NULL), &msg);
    upload u = {.data = msg.data, .len = msg.len, .on_data = on_data, .ud = ud};
    char from[320], to[320];
    envelope_address(c->from, from, sizeof from);
    snprintf(to, sizeof to, "<%s>", m->to);
    CURL *h = curl_easy_init();
    if (!h) {
        buf_free(&msg);
        perr_set(err, "curl_easy_init failed");
        return SMTP_RETRY;
    }
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_INFILESIZE, (long)msg.len);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_seconds > 0 ? c->timeout_seconds : 60L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    if (!strncmp(c->url, "smtp://", 7))
        curl_easy_setopt(h, CURLOPT_USE_SSL, c->starttls == SMTP_STARTTLS_OFF ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
    if (c->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
    if (c->user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    smtp_result r;
    if (rc == CURLE_OK) {
        r = SMTP_SENT;
    } else {
        perr_set(err, "%s (last reply %ld)%s", *errbuf ? errbuf : curl_easy_strerror(rc), code,
                 u.stopped ? ", stopped before the message" : "");
        if (u.stopped) r = SMTP_RETRY;
        else if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED) r = SMTP_REFUSED;
        else if (code >= 400 && code < 500) r = SMTP_RETRY;
        else if (u.finished) r = SMTP_UNCERTAIN; /* all bytes out, no answer to them */
        else r = SMTP_RETRY;
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    buf_free(&msg);
    return r;
}
