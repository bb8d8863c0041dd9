/* SPDX-License-Identifier: EUPL-1.2 */
/* Share links (random tokens in share_links) and baked SVG badges (OB 3.0 §5.3.2.1:
 * an openbadges:credential element with the JSON in CDATA). */
#include "badges/share.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"

#define OB_NS "https://purl.imsglobal.org/ob/v3p0"

bool share_create(store *s, long long user_id, long long cred_id, bool show_name, char out[SHARE_TOKEN_LEN + 1],
                  perr *err) {
    store_query *st =
        store_stmt(s, "SELECT 1 FROM credentials WHERE id = ? AND user_id = ? AND revoked_at IS NULL", err);
    if (!st) return false;
    store_bind_int64(st, 1, cred_id);
    store_bind_int64(st, 2, user_id);
    bool mine = store_step(st) == STORE_ROW;
    store_done(st);
    if (!mine) return perr_set(err, "badges.error.not_found");
    unsigned char raw[32];
    rand_bytes(raw, sizeof raw);
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    /* 43 base64url characters carry 256 bits (the last one 4 bits of the final byte) */
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < sizeof raw; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 6) {
            out[o++] = al[(acc >> (bits - 6)) & 63];
            bits -= 6;
        }
    }
    if (bits) out[o++] = al[(acc << (6 - bits)) & 63];
    out[o] = 0;
    st = store_stmt(s, "INSERT INTO share_links (token, credential_id, created_at, show_name) VALUES (?, ?, ?, ?)", err);
    if (!st) return false;
    store_bind_text(st, 1, out);
    store_bind_int64(st, 2, cred_id);
    store_bind_int64(st, 3, clock_now());
    store_bind_int(st, 4, show_name);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE || perr_set(err, "database error: %s", store_errmsg(s));
}

bool share_revoke(store *s, long long user_id, long long cred_id, perr *err) {
    store_query *st = store_stmt(s, "SELECT 1 FROM credentials WHERE id = ? AND user_id = ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, cred_id);
    store_bind_int64(st, 2, user_id);
    bool mine = store_step(st) == STORE_ROW;
    store_done(st);
    if (!mine) return perr_set(err, "badges.error.not_found"); /* someone else's answers as absent */
    st = store_stmt(s,
                                  "UPDATE share_links SET revoked_at = ? WHERE revoked_at IS NULL AND credential_id ="
                                  " (SELECT id FROM credentials WHERE id = ? AND user_id = ?)",
                                  err);
    if (!st) return false;
    store_bind_int64(st, 1, clock_now());
    store_bind_int64(st, 2, cred_id);
    store_bind_int64(st, 3, user_id);
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE || perr_set(err, "database error: %s", store_errmsg(s));
}

long long share_find(store *s, const char *token) {
    if (!token || strlen(token) != SHARE_TOKEN_LEN) return 0;
    store_query *st = store_stmt(s, "SELECT credential_id FROM share_links WHERE token = ? AND revoked_at IS NULL", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, token);
    long long id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

char *share_holder_name(store *s, const char *token) {
    if (!token || strlen(token) != SHARE_TOKEN_LEN) return NULL;
    store_query *st = store_stmt(s,
                                  "SELECT u.display_name FROM share_links l JOIN credentials c ON c.id = l.credential_id"
                                  " JOIN users u ON u.id = c.user_id"
                                  " WHERE l.token = ? AND l.revoked_at IS NULL AND l.show_name = 1",
                                  NULL);
    if (!st) return NULL;
    store_bind_text(st, 1, token);
    char *name = store_step(st) == STORE_ROW ? xstrdup(store_col_text(st, 0)) : NULL;
    store_done(st);
    return name;
}

char *share_bake_svg(const char *svg, const char *json) {
    if (strstr(json, "]]>")) return NULL;
    const char *open = strstr(svg, "<svg");
    if (!open) return NULL;
    const char *end = strchr(open, '>');
    if (!end) return NULL;
    bool self_closing = end > open && end[-1] == '/';
    buf b = BUF_INIT;
    const char *tag_end = self_closing ? end - 1 : end;
    buf_append(&b, svg, (size_t)(tag_end - svg));
    /* declare the namespace on the root unless the image already does */
    char *decl = xstrndup(open, (size_t)(end - open));
    if (!strstr(decl, "xmlns:openbadges")) buf_puts(&b, " xmlns:openbadges=\"" OB_NS "\"");
    free(decl);
    buf_puts(&b, ">\n<openbadges:credential><![CDATA[");
    buf_puts(&b, json);
    buf_puts(&b, "]]></openbadges:credential>\n");
    if (self_closing) buf_puts(&b, "</svg>\n");
    else buf_puts(&b, end + 1);
    return buf_detach(&b);
}

char *share_unbake_svg(const char *svg) {
    const char *p = strstr(svg, "<openbadges:credential");
    if (!p || !(p = strstr(p, "<![CDATA["))) return NULL;
    p += 9;
    const char *e = strstr(p, "]]>");
    return e ? xstrndup(p, (size_t)(e - p)) : NULL;
}
