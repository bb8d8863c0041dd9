/* SPDX-License-Identifier: EUPL-1.2 */
/* argon2id password hashing, the password policy and generated passwords. */
#include "people/password.h"

#include <argon2.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/b64.h"
#include "core/buf.h"
#include "core/rand.h"

/* Common passwords of 12+ characters that people actually choose (and their French
 * favourites); shorter ones are refused by length already. */
static const char *const common[] = {
    "123456789012", "1234567890123", "12345678901234", "123456123456", "azertyuiopqs",
    "azertyuiop123", "azertyuiop12", "qwertyuiop123", "qwertyuiop12", "motdepasse12",
    "motdepasse123", "motdepasse2024", "motdepasse2025", "motdepasse2026", "password1234",
    "password12345", "password123!", "passwordpassword", "iloveyou1234", "000000000000",
    "111111111111", "aaaaaaaaaaaa", "abcdefghijkl", "abcdef123456", "bonjour12345",
    "bonjour123456", "soleil123456", "marseille1234", "doudou123456", "chouchou1234",
    "administrateur", "administrator", "changeme1234", "welcome12345", "letmein12345",
    "qwerty123456", "azerty123456", "1q2w3e4r5t6y", "123qweasdzxc", "zaq12wsxcde3",
};

password_cost password_cost_default(void) {
    password_cost c = {19 * 1024, 2, 1};
    const char *m = getenv("PASSPORT_ARGON2_M"), *t = getenv("PASSPORT_ARGON2_T"),
               *p = getenv("PASSPORT_ARGON2_P");
    if (m && atoi(m) >= 8) c.m_kib = (unsigned)atoi(m);
    if (t && atoi(t) >= 1) c.t = (unsigned)atoi(t);
    if (p && atoi(p) >= 1) c.p = (unsigned)atoi(p);
    return c;
}

static size_t utf8_chars(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

bool password_acceptable(const char *password, const char *email, perr *err) {
    if (!password || utf8_chars(password) < 12)
        return perr_set(err, "password.too_short");
    if (strlen(password) > 256) return perr_set(err, "password.too_long");
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (!strcasecmp(password, common[i])) return perr_set(err, "password.too_common");
    bool all_same = true;
    for (const char *p = password + 1; *p; p++)
        if (*p != password[0]) all_same = false;
    if (all_same) return perr_set(err, "password.too_common");
    if (email) {
        const char *at = strchr(email, '@');
        size_t local = at ? (size_t)(at - email) : strlen(email);
        if (local >= 4 && strlen(password) == local && !strncasecmp(password, email, local))
            return perr_set(err, "password.like_email");
    }
    return true;
}

char *password_hash(const char *password, password_cost cost, perr *err) {
    unsigned char salt[16];
    rand_bytes(salt, sizeof salt);
    size_t len = argon2_encodedlen(cost.t, cost.m_kib, cost.p, sizeof salt, 32, Argon2_id);
    char *out = xmalloc(len);
    int rc = argon2id_hash_encoded(cost.t, cost.m_kib, cost.p, password, strlen(password), salt,
                                   sizeof salt, 32, out, len);
    if (rc != ARGON2_OK) {
        free(out);
        perr_set(err, "argon2: %s", argon2_error_message(rc));
        return NULL;
    }
    return out;
}

/* Appends the unpadded base64 of n random bytes, as argon2's encoded strings carry them. */
static void put_random_b64(buf *out, size_t n) {
    unsigned char raw[32];
    rand_bytes(raw, n);
    char *b = b64_encode(raw, n);
    buf_append(out, b, strcspn(b, "="));
    free(b);
}

char *password_decoy(password_cost cost) {
    buf out = BUF_INIT;
    buf_printf(&out, "$argon2id$v=19$m=%u,t=%u,p=%u$", cost.m_kib, cost.t, cost.p);
    put_random_b64(&out, 16);
    buf_putc(&out, '$');
    put_random_b64(&out, 32);
    return buf_detach(&out);
}

bool password_verify(const char *encoded, const char *password) {
    if (!encoded || !*encoded || !password) return false;
    return argon2id_verify(encoded, password, strlen(password)) == ARGON2_OK;
}

bool password_needs_rehash(const char *encoded, password_cost cost) {
    char want[96];
    snprintf(want, sizeof want, "$argon2id$v=19$m=%u,t=%u,p=%u$", cost.m_kib, cost.t, cost.p);
    return strncmp(encoded, want, strlen(want)) != 0;
}

void password_generate(char out[17]) {
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 16; i++) out[i] = alphabet[rand_below(sizeof alphabet - 1)];
    out[16] = '\0';
}
