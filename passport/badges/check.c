/* SPDX-License-Identifier: EUPL-1.2 */
/* Server-side verification verdicts (see check.h) on top of badges/verify. */
#include "badges/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/credential.h"
#include "badges/verify.h"
#include "core/buf.h"
#include "core/clock.h"

typedef struct check_env {
    store *s;
    const badges_ctx *c;
} check_env;

/* Status lists: only our own, read from the store (never over the network). */
static json_t *local_fetch(const char *url, void *ctx, perr *err) {
    check_env *e = ctx;
    int list_id = e->s && e->c ? badges_list_of_url(e->s, e->c, url) : 0;
    if (!list_id) return perr_set(err, "status list not ours"), NULL;
    return badges_status_list_json(e->s, e->c, list_id, err);
}

/* Keys of a did:web of ours: the current one, or one we issued under before a move. */
static const keys *local_resolve(const char *method, void *ctx) {
    check_env *e = ctx;
    if (!e->c || !method || !strncmp(method, "did:key:", 8)) return NULL;
    const keys *k = keyring_resolve(e->c->keys, e->c->web_did, method);
    const char *hash = strchr(method, '#');
    if (k || !hash || strncmp(method, "did:web:", 8)) return k;
    char *did = xstrndup(method, (size_t)(hash - method));
    if (badges_issuer_recorded(e->s, did)) k = keyring_resolve(e->c->keys, did, method);
    free(did);
    return k;
}

static void add(json_t *checks, const char *name, int ok, const char *key, const char *detail) {
    json_array_append_new(checks, json_pack("{s:s, s:o, s:s, s:s}", "name", name, "ok",
                                            ok < 0 ? json_null() : json_boolean(ok), "key", key, "detail",
                                            detail ? detail : ""));
}

static bool has_type(const json_t *doc, const char *t) {
    const json_t *types = json_object_get(doc, "type");
    if (json_is_string(types)) return !strcmp(json_string_value(types), t);
    size_t i;
    const json_t *v;
    json_array_foreach(types, i, v) if (json_is_string(v) && !strcmp(json_string_value(v), t)) return true;
    return false;
}

/* The shape DESIGN §6 requires; false with the reason. */
static bool shape_ok(const json_t *doc, perr *why) {
    const json_t *ctx = json_object_get(doc, "@context");
    if (!json_is_array(ctx) || !json_is_string(json_array_get(ctx, 0)) ||
        strcmp(json_string_value(json_array_get(ctx, 0)), CREDENTIAL_VC2_CONTEXT))
        return perr_set(why, "@context must start with %s", CREDENTIAL_VC2_CONTEXT);
    if (!has_type(doc, "VerifiableCredential")) return perr_set(why, "type lacks VerifiableCredential");
    if (!has_type(doc, "OpenBadgeCredential") && !has_type(doc, "AchievementCredential") &&
        !has_type(doc, "ClrCredential") && !has_type(doc, "BitstringStatusListCredential"))
        return perr_set(why, "not an OpenBadgeCredential, ClrCredential or status list");
    const json_t *is = json_object_get(doc, "issuer");
    if (!json_is_string(is) && !json_is_string(json_object_get(is, "id"))) return perr_set(why, "issuer has no id");
    if (!json_is_object(json_object_get(doc, "credentialSubject"))) return perr_set(why, "credentialSubject missing");
    if (!json_is_string(json_object_get(doc, "validFrom"))) return perr_set(why, "validFrom missing");
    if (!json_object_get(doc, "proof")) return perr_set(why, "no proof");
    return true;
}

static const char *issuer_id(const json_t *doc) {
    const json_t *is = json_object_get(doc, "issuer");
    return json_is_string(is) ? json_string_value(is) : json_string_value(json_object_get(is, "id"));
}

/* Ours: the did:web of the server, the did:key of one of its keys (old ones too), or a
 * DID some list of ours was issued under (a did:web of a former public URL). */
static bool issuer_known(store *s, const badges_ctx *c, const char *id) {
    if (!id) return false;
    if (!c) return !strncmp(id, "did:key:z", 9);
    if (c->web_did && !strcmp(id, c->web_did)) return true;
    if (!strncmp(id, "did:key:", 8) && keyring_find(c->keys, id + 8) != NULL) return true;
    return badges_issuer_recorded(s, id);
}

static json_t *summary(const json_t *doc) {
    const json_t *subj = json_object_get(doc, "credentialSubject");
    const json_t *ach = json_object_get(subj, "achievement");
    const json_t *is = json_object_get(doc, "issuer");
    json_t *o = json_object();
    const char *kind = has_type(doc, "ClrCredential") ? "ClrCredential" : has_type(doc, "OpenBadgeCredential") ? "OpenBadgeCredential" : "";
    json_object_set_new(o, "type", json_string(kind));
#define SET(k, v) if (json_is_string(v)) json_object_set_new(o, k, json_string(json_string_value(v)))
    SET("name", json_object_get(doc, "name"));
    SET("issuer", json_object_get(is, "name"));
    SET("issuer_id", json_is_string(is) ? is : json_object_get(is, "id"));
    SET("issuer_url", json_object_get(is, "url"));
    SET("issuer_email", json_object_get(is, "email"));
    const json_t *img = json_object_get(is, "image");
    SET("issuer_image", json_is_string(img) ? img : json_object_get(img, "id"));
    SET("achievement", json_object_get(ach, "name"));
    SET("description", json_object_get(ach, "description"));
    SET("valid_from", json_object_get(doc, "validFrom"));
    SET("valid_until", json_object_get(doc, "validUntil"));
#undef SET
    const json_t *inner = json_object_get(subj, "verifiableCredential");
    if (json_is_array(inner)) json_object_set_new(o, "count", json_integer((json_int_t)json_array_size(inner)));
    return o;
}

/* Counts the JSON values under v and the objects that become blank nodes; stops early
 * past the bounds. @context values are not data. */
static void count_nodes(const json_t *v, size_t *nodes, size_t *blank) {
    if (*nodes > CHECK_MAX_NODES || *blank > CHECK_MAX_BLANK) return;
    (*nodes)++;
    size_t i;
    const char *k;
    const json_t *x;
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) count_nodes(x, nodes, blank);
    } else if (json_is_object(v)) {
        if (!json_object_get(v, "id") && !json_object_get(v, "@id") && !json_object_get(v, "@value")) (*blank)++;
        json_object_foreach((json_t *)v, k, x) if (strcmp(k, "@context")) count_nodes(x, nodes, blank);
    }
}

json_t *check_credential(store *s, const badges_ctx *c, const char *text, size_t len) {
    json_t *out = json_object(), *checks = json_array();
    json_object_set_new(out, "checks", checks);
    json_error_t jerr;
    json_t *doc = len > CHECK_MAX_BYTES ? NULL : json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
    bool ok = false;
    if (!doc || !json_is_object(doc)) {
        char d[200];
        if (len > CHECK_MAX_BYTES) snprintf(d, sizeof d, "more than %u bytes", CHECK_MAX_BYTES);
        else if (!doc) snprintf(d, sizeof d, "line %d: %s", jerr.line, jerr.text);
        else snprintf(d, sizeof d, "not a JSON object");
        add(checks, "json", 0, len > CHECK_MAX_BYTES ? "badges.check.too_large" : "badges.check.json_bad", d);
        goto done;
    }
    size_t nodes = 0, blank = 0;
    count_nodes(doc, &nodes, &blank);
    if (nodes > CHECK_MAX_NODES || blank > CHECK_MAX_BLANK) {
        char d[200];
        snprintf(d, sizeof d, "more than %d JSON values or %d blank nodes", CHECK_MAX_NODES, CHECK_MAX_BLANK);
        add(checks, "json", 0, "badges.check.too_complex", d);
        goto done;
    }
    add(checks, "json", 1, "badges.check.json_ok", NULL);
    perr why = {{0}};
    bool shape = shape_ok(doc, &why);
    add(checks, "shape", shape, shape ? "badges.check.shape_ok" : "badges.check.shape_bad", why.msg);
    json_object_set_new(out, "summary", summary(doc));
    const char *iid = issuer_id(doc);
    bool known = issuer_known(s, c, iid);
    add(checks, "issuer", known, known ? "badges.check.issuer_ok" : "badges.check.issuer_unknown", iid ? iid : "");
    check_env env = {s, c};
    verify_report r;
    verify_credential_with(doc, clock_now(), local_fetch, local_resolve, &env, &r);
    add(checks, "proof", !r.proof.msg[0], r.proof.msg[0] ? "badges.check.proof_bad" : "badges.check.proof_ok", r.proof.msg);
    bool has_status = json_object_get(doc, "credentialStatus") != NULL;
    if (!has_status) add(checks, "status", -1, "badges.check.status_none", NULL);
    else if (r.revoked) add(checks, "status", 0, "badges.check.revoked", r.status.msg);
    else if (r.status.msg[0]) add(checks, "status", 0, strstr(r.status.msg, "not ours") ? "badges.check.status_foreign" : "badges.check.status_bad", r.status.msg);
    else add(checks, "status", 1, "badges.check.status_ok", NULL);
    add(checks, "dates", !r.dates.msg[0], r.dates.msg[0] ? (strstr(r.dates.msg, "expired") ? "badges.check.expired" : "badges.check.dates_bad") : "badges.check.dates_ok", r.dates.msg);
    if (has_type(doc, "ClrCredential"))
        add(checks, "inner", !r.inner.msg[0], r.inner.msg[0] ? "badges.check.inner_bad" : "badges.check.inner_ok", r.inner.msg);
    ok = shape && known && r.verified;
done:
    json_object_set_new(out, "verified", json_boolean(ok));
    json_decref(doc);
    return out;
}
