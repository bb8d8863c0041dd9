/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for mail/smtp: the message's bytes (headers, RFC 2047 subject, base64 parts,
 * CRLF) and the credentials file (user:password, refused when others can read it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/b64.h"
#include "mail/smtp.h"

/* The base64 text of the part whose Content-Type starts with type, decoded. */
static char *part(const char *msg, const char *type) {
    char needle[64];
    snprintf(needle, sizeof needle, "Content-Type: %s", type);
    const char *p = strstr(msg, needle);
    assert_non_null(p);
    p = strstr(p, "\r\n\r\n") + 4;
    const char *end = strstr(p, "\r\n--");
    char b64[4096];
    size_t n = 0;
    for (; p < end; p++)
        if (*p != '\r' && *p != '\n') b64[n++] = *p;
    uint8_t *out = NULL;
    size_t len = 0;
    assert_true(b64_decode(b64, n, &out, &len, NULL));
    char *s = calloc(1, len + 1);
    memcpy(s, out, len);
    free(out);
    return s;
}

static void test_format(void **state) {
    (void)state;
    smtp_config c = {.url = "smtp://127.0.0.1:25", .from = "Passport <noreply@ex.fr>"};
    char text[400];
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    memcpy(text, "Bonjour Léa,", 13);
    smtp_message m = {"lea@ex.fr", "Échéance proche : Sécurité, les bons réflexes du quotidien", text,
                      "<p>Bonjour Léa &amp; co</p>", "<outbox-1.ab@ex.fr>"};
    buf out = BUF_INIT;
    smtp_format(&c, &m, 1796464800, &out); /* 2026-12-05T10:00:00Z */
    const char *s = buf_cstr(&out);
    assert_non_null(strstr(s, "Date: Sat, 05 Dec 2026 10:00:00 +0000\r\n"));
    assert_non_null(strstr(s, "\r\nFrom: Passport <noreply@ex.fr>\r\nTo: lea@ex.fr\r\n"));
    assert_non_null(strstr(s, "\r\nMessage-ID: <outbox-1.ab@ex.fr>\r\n"));
    assert_non_null(strstr(s, "Subject: =?UTF-8?B?"));
    /* no bare LF, no line over 78 characters (RFC 5322) */
    size_t col = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\n') {
            assert_true(p > s && p[-1] == '\r');
            col = 0;
        } else {
            col++;
            assert_true(col <= 79);
        }
    }
    /* the encoded words give the subject back, with no sequence cut in two */
    const char *subj = strstr(s, "Subject: ") + 9;
    char decoded[256] = "";
    for (const char *w = strstr(subj, "=?UTF-8?B?"); w && w < strstr(subj, "\r\nMessage-ID"); w = strstr(w + 1, "=?UTF-8?B?")) {
        const char *b = w + 10, *e = strstr(b, "?=");
        uint8_t *o = NULL;
        size_t len = 0;
        assert_true(b64_decode(b, (size_t)(e - b), &o, &len, NULL));
        strncat(decoded, (char *)o, len);
        free(o);
    }
    assert_string_equal(decoded, m.subject);
    char *t = part(s, "text/plain"), *h = part(s, "text/html");
    assert_string_equal(t, text);
    assert_string_equal(h, m.html);
    free(t);
    free(h);
    buf_free(&out);
}

static void test_ascii_subject(void **state) {
    (void)state;
    smtp_config c = {.url = "smtps://mail.ex.fr", .from = "noreply@ex.fr"};
    smtp_message m = {"a@ex.fr", "Hello", "t", "h", "<x@ex.fr>"};
    buf out = BUF_INIT;
    smtp_format(&c, &m, 0, &out);
    assert_non_null(strstr(buf_cstr(&out), "\r\nSubject: Hello\r\n"));
    buf_free(&out);
}

/* A CR or LF in a subject (a call's or a path's title is in some) cannot start a header:
 * it goes encoded; an address with one is refused before any connection. */
static void test_header_injection(void **state) {
    (void)state;
    smtp_config c = {.url = "smtp://127.0.0.1:1", .from = "noreply@ex.fr", .starttls = SMTP_STARTTLS_OFF};
    smtp_message m = {"a@ex.fr", "Appel : x\r\nBcc: victim@evil.example", "t", "h", "<x@ex.fr>"};
    buf out = BUF_INIT;
    smtp_format(&c, &m, 0, &out);
    assert_null(strstr(buf_cstr(&out), "\nBcc:"));
    assert_non_null(strstr(buf_cstr(&out), "\r\nSubject: =?UTF-8?B?"));
    buf_free(&out);
    perr err = {{0}};
    m.subject = "ok";
    m.to = "a@ex.fr\r\nRCPT TO:<victim@evil.example>";
    assert_int_equal(smtp_send(&c, &m, NULL, NULL, &err), SMTP_REFUSED);
    assert_non_null(strstr(err.msg, "control character"));
    m.to = "a@ex.fr";
    c.from = "Passport <noreply@ex.fr>\nBcc: victim@evil.example";
    assert_int_equal(smtp_send(&c, &m, NULL, NULL, &err), SMTP_REFUSED);
    /* a clean message goes as far as the connection (nobody listens on port 1) */
    c.from = "noreply@ex.fr";
    assert_int_equal(smtp_send(&c, &m, NULL, NULL, &err), SMTP_RETRY);
}

static void test_credentials(void **state) {
    (void)state;
    char path[] = "/tmp/passport-smtp-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "mailer:p:a:ss\n", 14), 14);
    close(fd);
    char *user = NULL, *pw = NULL;
    assert_true(smtp_credentials_load(path, &user, &pw, NULL));
    assert_string_equal(user, "mailer");
    assert_string_equal(pw, "p:a:ss");
    free(user);
    free(pw);
    chmod(path, 0644);
    perr err = {{0}};
    assert_false(smtp_credentials_load(path, &user, &pw, &err));
    assert_non_null(strstr(err.msg, "chmod 600"));
    unlink(path);
    assert_false(smtp_credentials_load(path, &user, &pw, NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_ascii_subject),
        cmocka_unit_test(test_header_injection),
        cmocka_unit_test(test_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
