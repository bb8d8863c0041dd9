/* SPDX-License-Identifier: EUPL-1.2 */
/* OpenID Connect relying party over libcurl: discovery and key set kept under a mutex,
 * the authorization URL, the code exchange, token and userinfo checks, claim mapping. */
#include "oidc/oidc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/b64.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"
#include "oidc/jwt.h"

#define OIDC_MAX_RESPONSE (1 << 20) /* bytes of any answer from the provider */
#define OIDC_TIMEOUT 10L            /* seconds for one request */
#define OIDC_JWKS_MIN_INTERVAL 1    /* seconds between two fetches of the key set */
#define OIDC_MAX_AGE 600            /* an ID token issued longer ago than this is refused */

struct oidc_provider {
    char *issuer, *client_id, *client_secret, *scopes, *redirect_uri, *roles_claim, *ca_file;
    int skew;
    pthread_mutex_t mu;
    json_t *discovery; /* NULL until fetched */
    json_t *jwks;      /* NULL until fetched */
    time_t jwks_at;
};

/* http://127.0.0.1[:port][/...] or http://localhost[...]: the host itself, not a name
 * that begins with it ("http://127.0.0.1.evil.example", "http://localhost@evil.example"). */
static bool loopback_http(const char *url) {
    const char *rest = !strncmp(url, "http://127.0.0.1", 16) || !strncmp(url, "http://localhost", 16) ? url + 16 : NULL;
    return rest && (!*rest || *rest == ':' || *rest == '/');
}

oidc_provider *oidc_provider_new(const oidc_config *c, perr *err) {
    if (!c->issuer || (strncmp(c->issuer, "https://", 8) && !loopback_http(c->issuer))) {
        perr_set(err, "--oidc-issuer must be an https:// URL");
        return NULL;
    }
    if (!c->client_id || !*c->client_id || !c->client_secret) {
        perr_set(err, "--oidc-issuer needs --oidc-client-id and --oidc-client-secret-file");
        return NULL;
    }
    oidc_provider *p = xcalloc(1, sizeof *p);
    size_t n = strlen(c->issuer);
    p->issuer = xstrndup(c->issuer, n);
    p->client_id = xstrdup(c->client_id);
    p->client_secret = xstrdup(c->client_secret);
    buf scopes = BUF_INIT;
    const char *sc = c->scopes && *c->scopes ? c->scopes : "openid email given_name usual_name";
    if (strncmp(sc, "openid", 6) || (sc[6] && sc[6] != ' ')) buf_puts(&scopes, "openid ");
    buf_puts(&scopes, sc);
    p->scopes = buf_detach(&scopes);
    p->redirect_uri = xstrdup(c->redirect_uri);
    p->roles_claim = xstrdup(c->roles_claim);
    p->ca_file = xstrdup(c->ca_file);
    p->skew = c->skew > 0 ? c->skew : 60;
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

void oidc_provider_free(oidc_provider *p) {
    if (!p) return;
    free(p->issuer);
    free(p->client_id);
    free(p->client_secret);
    free(p->scopes);
    free(p->redirect_uri);
    free(p->roles_claim);
    free(p->ca_file);
    json_decref(p->discovery);
    json_decref(p->jwks);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

const char *oidc_provider_issuer(const oidc_provider *p) {
    return p->issuer;
}

/* ---- HTTP ---------------------------------------------------------------------------- */

typedef struct answer {
    buf body;
    bool too_big;
} answer;

static size_t write_cb(char *data, size_t size, size_t nmemb, void *ud) {
    answer *a = ud;
    size_t n = size * nmemb;
    if (a->body.len + n > OIDC_MAX_RESPONSE) {
        a->too_big = true;
        return 0;
    }
    buf_append(&a->body, data, n);
    return n;
}

/* GET url (form NULL) or POST form; bearer/basic credentials optional. The body into
 * *out (JSON parsed when json_out, else the raw text into raw), the content type into
 * ctype. false with err "oidc.provider" when unreachable or not 2xx (the status in
 * *status; a 4xx JSON error body is still parsed into json_out). */
static bool fetch(oidc_provider *p, const char *url, const char *form, const char *bearer, bool basic, long *status,
                  char ctype[96], buf *raw, perr *err) {
    CURL *h = curl_easy_init();
    if (!h) return perr_set(err, "oidc.provider");
    answer a = {BUF_INIT, false};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: application/json, application/jwt");
    char auth[2200];
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        hdrs = curl_slist_append(hdrs, auth);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, OIDC_TIMEOUT);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (p->ca_file) curl_easy_setopt(h, CURLOPT_CAINFO, p->ca_file);
    if (form) curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
    if (basic) {
        /* RFC 6749 §2.3.1: id and secret form-encoded, then HTTP Basic */
        char *id = curl_easy_escape(h, p->client_id, 0), *secret = curl_easy_escape(h, p->client_secret, 0);
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERNAME, id);
        curl_easy_setopt(h, CURLOPT_PASSWORD, secret);
        curl_free(id);
        curl_free(secret);
    }
    CURLcode rc = curl_easy_perform(h);
    *status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    const char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(ctype, 96, "%s", ct ? ct : "");
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK || a.too_big) {
        log_error("oidc: %s: %s", url, a.too_big ? "answer too large" : curl_easy_strerror(rc));
        buf_free(&a.body);
        return perr_set(err, "oidc.provider");
    }
    *raw = a.body;
    return true;
}

/* GET url as a JSON object (new reference), or NULL with err. */
static json_t *get_json(oidc_provider *p, const char *url, perr *err) {
    long status;
    char ctype[96];
    buf raw = BUF_INIT;
    if (!fetch(p, url, NULL, NULL, false, &status, ctype, &raw, err)) return NULL;
    json_t *j = status == 200 ? json_loadb(raw.data ? raw.data : "", raw.len, 0, NULL) : NULL;
    buf_free(&raw);
    if (!json_is_object(j)) {
        log_error("oidc: %s: status %ld, not a JSON object", url, status);
        json_decref(j);
        perr_set(err, "oidc.provider");
        return NULL;
    }
    return j;
}

/* ---- discovery and keys ---------------------------------------------------------------- */

/* The discovery document (a new reference), fetched once. */
static json_t *discovery(oidc_provider *p, perr *err) {
    pthread_mutex_lock(&p->mu);
    json_t *d = json_incref(p->discovery);
    pthread_mutex_unlock(&p->mu);
    if (d) return d;
    buf url = BUF_INIT;
    size_t n = strlen(p->issuer);
    buf_printf(&url, "%.*s/.well-known/openid-configuration", (int)(n && p->issuer[n - 1] == '/' ? n - 1 : n),
               p->issuer);
    d = get_json(p, buf_cstr(&url), err);
    buf_free(&url);
    if (!d) return NULL;
    const char *iss = json_string_value(json_object_get(d, "issuer"));
    if (!iss || strcmp(iss, p->issuer) || !json_is_string(json_object_get(d, "authorization_endpoint")) ||
        !json_is_string(json_object_get(d, "token_endpoint")) || !json_is_string(json_object_get(d, "jwks_uri"))) {
        log_error("oidc: the discovery document of %s is not for this issuer or lacks endpoints", p->issuer);
        json_decref(d);
        perr_set(err, "oidc.provider");
        return NULL;
    }
    pthread_mutex_lock(&p->mu);
    if (!p->discovery) p->discovery = json_incref(d);
    pthread_mutex_unlock(&p->mu);
    return d;
}

static const char *endpoint(const json_t *d, const char *name) {
    return json_string_value(json_object_get(d, name));
}

/* The key set (new reference): the kept one, or fetched when none is kept or refresh
 * is asked (at most once a OIDC_JWKS_MIN_INTERVAL). */
static json_t *jwks(oidc_provider *p, const json_t *d, bool refresh, perr *err) {
    pthread_mutex_lock(&p->mu);
    json_t *k = json_incref(p->jwks);
    bool recent = time(NULL) - p->jwks_at < OIDC_JWKS_MIN_INTERVAL;
    pthread_mutex_unlock(&p->mu);
    if (k && (!refresh || recent)) return k;
    json_decref(k);
    k = get_json(p, endpoint(d, "jwks_uri"), err);
    if (!k || !json_is_array(json_object_get(k, "keys"))) {
        json_decref(k);
        perr_set(err, "oidc.provider");
        return NULL;
    }
    pthread_mutex_lock(&p->mu);
    json_decref(p->jwks);
    p->jwks = json_incref(k);
    p->jwks_at = time(NULL);
    pthread_mutex_unlock(&p->mu);
    return k;
}

/* Verifies a signed token with the provider's keys, fetching them again once when it
 * names an unknown key (the provider rotated its keys). */
static json_t *verify(oidc_provider *p, const json_t *d, const char *token, perr *err) {
    json_t *keys = jwks(p, d, false, err);
    if (!keys) return NULL;
    perr why = {{0}};
    json_t *claims = jwt_verify(token, keys, &why);
    json_decref(keys);
    if (claims) return claims;
    if (strcmp(why.msg, "jwt.unknown_kid")) {
        perr_set(err, "%s", why.msg);
        return NULL;
    }
    keys = jwks(p, d, true, err);
    if (!keys) return NULL;
    claims = jwt_verify(token, keys, err);
    json_decref(keys);
    return claims;
}

/* ---- the flow -------------------------------------------------------------------------- */

static void random_b64url(char out[44]) {
    unsigned char raw[32];
    rand_bytes(raw, sizeof raw);
    char *s = b64url_encode(raw, sizeof raw);
    snprintf(out, 44, "%s", s);
    free(s);
}

static void put_param(buf *b, const char *name, const char *value) {
    char last = b->len ? b->data[b->len - 1] : '?';
    buf_printf(b, "%s%s=", last != '?' && last != '&' ? "&" : "", name);
    buf_put_urlenc(b, value, strlen(value));
}

bool oidc_login_start(oidc_provider *p, oidc_login *l, buf *url, perr *err) {
    json_t *d = discovery(p, err);
    if (!d) return false;
    random_b64url(l->state);
    random_b64url(l->nonce);
    random_b64url(l->verifier);
    unsigned char digest[32];
    rand_sha256(l->verifier, strlen(l->verifier), digest);
    char *challenge = b64url_encode(digest, sizeof digest);
    const char *auth = endpoint(d, "authorization_endpoint");
    buf_puts(url, auth);
    buf_putc(url, strchr(auth, '?') ? '&' : '?');
    put_param(url, "response_type", "code");
    put_param(url, "client_id", p->client_id);
    put_param(url, "redirect_uri", p->redirect_uri);
    put_param(url, "scope", p->scopes);
    put_param(url, "state", l->state);
    put_param(url, "nonce", l->nonce);
    put_param(url, "code_challenge", challenge);
    put_param(url, "code_challenge_method", "S256");
    free(challenge);
    json_decref(d);
    return true;
}

void oidc_identity_clear(oidc_identity *id) {
    free(id->subject);
    free(id->email);
    free(id->given_name);
    free(id->family_name);
    free(id->roles);
    free(id->id_token);
    memset(id, 0, sizeof *id);
}

static const char *claim_str(const json_t *userinfo, const json_t *id_claims, const char *name) {
    const char *v = json_string_value(json_object_get(userinfo, name));
    return v ? v : json_string_value(json_object_get(id_claims, name));
}

static char *roles_of(const json_t *v) {
    if (!v) return NULL;
    buf b = BUF_INIT;
    if (json_is_string(v)) {
        for (const char *s = json_string_value(v); *s; s++) buf_putc(&b, *s == ' ' ? ',' : *s);
    } else if (json_is_array(v)) {
        size_t i;
        const json_t *r;
        json_array_foreach(v, i, r) if (json_is_string(r)) buf_printf(&b, "%s%s", b.len ? "," : "", json_string_value(r));
    }
    return buf_detach(&b);
}

bool oidc_map_claims(const json_t *id_claims, const json_t *userinfo, const char *roles_claim, oidc_identity *out,
                     perr *err) {
    memset(out, 0, sizeof *out);
    const char *sub = json_string_value(json_object_get(id_claims, "sub"));
    if (!sub || !*sub) return perr_set(err, "oidc.claims");
    const char *usub = json_string_value(json_object_get(userinfo, "sub"));
    if (userinfo && (!usub || strcmp(usub, sub))) return perr_set(err, "oidc.userinfo");
    out->subject = xstrdup(sub);
    const char *email = claim_str(userinfo, id_claims, "email");
    out->email = xstrdup(email ? email : "");
    const json_t *ev = json_object_get(userinfo, "email_verified");
    if (!ev) ev = json_object_get(id_claims, "email_verified");
    out->email_verified = json_is_true(ev) || (json_is_string(ev) && !strcmp(json_string_value(ev), "true"));
    const char *given = claim_str(userinfo, id_claims, "given_name");
    out->given_name = xstrdup(given ? given : "");
    const char *family = claim_str(userinfo, id_claims, "usual_name");
    if (!family) family = claim_str(userinfo, id_claims, "family_name");
    out->family_name = xstrdup(family ? family : "");
    if (roles_claim && *roles_claim) {
        const json_t *r = json_object_get(userinfo, roles_claim);
        out->roles = roles_of(r ? r : json_object_get(id_claims, roles_claim));
    }
    return true;
}

/* Reads the userinfo endpoint with the access token: JSON, or a JWT signed by the
 * provider (application/jwt) whose iss and aud must be ours. NULL with err. */
static json_t *userinfo(oidc_provider *p, const json_t *d, const char *access_token, perr *err) {
    long status;
    char ctype[96];
    buf raw = BUF_INIT;
    if (!fetch(p, endpoint(d, "userinfo_endpoint"), NULL, access_token, false, &status, ctype, &raw, err)) return NULL;
    json_t *u = NULL;
    if (status != 200) {
        log_error("oidc: userinfo answered %ld", status);
        perr_set(err, "oidc.provider");
    } else if (!strncasecmp(ctype, "application/jwt", 15)) {
        u = verify(p, d, buf_cstr(&raw), err);
        if (u && !jwt_check_userinfo(u, p->issuer, p->client_id, err)) {
            json_decref(u);
            u = NULL;
        }
    } else {
        u = json_loadb(raw.data ? raw.data : "", raw.len, 0, NULL);
        if (!json_is_object(u)) {
            json_decref(u);
            u = NULL;
            perr_set(err, "oidc.provider");
        }
    }
    buf_free(&raw);
    return u;
}

/* POSTs the code to the token endpoint; the answer's JSON object or NULL with err. */
static json_t *exchange(oidc_provider *p, const json_t *d, const oidc_login *l, const char *code, perr *err) {
    const json_t *methods = json_object_get(d, "token_endpoint_auth_methods_supported");
    bool post_only = false;
    if (json_is_array(methods)) {
        bool basic = false, post = false;
        size_t i;
        const json_t *m;
        json_array_foreach(methods, i, m) {
            basic = basic || (json_is_string(m) && !strcmp(json_string_value(m), "client_secret_basic"));
            post = post || (json_is_string(m) && !strcmp(json_string_value(m), "client_secret_post"));
        }
        post_only = post && !basic;
    }
    buf form = BUF_INIT;
    put_param(&form, "grant_type", "authorization_code");
    put_param(&form, "code", code);
    put_param(&form, "redirect_uri", p->redirect_uri);
    put_param(&form, "code_verifier", l->verifier);
    put_param(&form, "client_id", p->client_id);
    if (post_only) put_param(&form, "client_secret", p->client_secret);
    long status;
    char ctype[96];
    buf raw = BUF_INIT;
    bool ok = fetch(p, endpoint(d, "token_endpoint"), buf_cstr(&form), NULL, !post_only, &status, ctype, &raw, err);
    buf_free(&form);
    if (!ok) return NULL;
    json_t *t = json_loadb(raw.data ? raw.data : "", raw.len, 0, NULL);
    buf_free(&raw);
    if (status != 200 || !json_is_string(json_object_get(t, "id_token"))) {
        const char *e = json_string_value(json_object_get(t, "error"));
        log_error("oidc: the token endpoint answered %ld%s%s", status, e ? ": " : "", e ? e : "");
        json_decref(t);
        perr_set(err, status >= 400 && status < 500 ? "oidc.token" : "oidc.provider");
        return NULL;
    }
    return t;
}

bool oidc_login_finish(oidc_provider *p, const oidc_login *l, const char *code, oidc_identity *out, perr *err) {
    memset(out, 0, sizeof *out);
    perr_clear(err);
    if (!code || !*code) return perr_set(err, "oidc.token");
    json_t *d = discovery(p, err), *tokens = NULL, *claims = NULL, *info = NULL;
    bool ok = false;
    if (!d) return false;
    if (!(tokens = exchange(p, d, l, code, err))) goto done;
    const char *id_token = json_string_value(json_object_get(tokens, "id_token"));
    if (!(claims = verify(p, d, id_token, err))) goto done;
    jwt_expect e = {p->issuer, p->client_id, l->nonce, clock_now(), p->skew, OIDC_MAX_AGE};
    if (!jwt_check_claims(claims, &e, err)) goto done;
    const char *access = json_string_value(json_object_get(tokens, "access_token"));
    if (endpoint(d, "userinfo_endpoint") && access && !(info = userinfo(p, d, access, err))) goto done;
    if (!oidc_map_claims(claims, info, p->roles_claim, out, err)) goto done;
    out->id_token = xstrdup(id_token);
    ok = true;
done:
    if (!ok) oidc_identity_clear(out);
    json_decref(d);
    json_decref(tokens);
    json_decref(claims);
    json_decref(info);
    return ok;
}

bool oidc_logout_url(oidc_provider *p, const char *id_token, const char *post_logout_uri, buf *out) {
    json_t *d = discovery(p, NULL);
    const char *end = d ? endpoint(d, "end_session_endpoint") : NULL;
    if (end) {
        buf_puts(out, end);
        buf_putc(out, strchr(end, '?') ? '&' : '?');
        if (id_token && *id_token) put_param(out, "id_token_hint", id_token);
        put_param(out, "client_id", p->client_id);
        put_param(out, "post_logout_redirect_uri", post_logout_uri);
    }
    json_decref(d);
    return end != NULL;
}
