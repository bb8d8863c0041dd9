/* SPDX-License-Identifier: EUPL-1.2 */
/* The checks of verify.mjs, in C: proof, dates, status list bit, CLR contents. */
#include "badges/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "badges/proof.h"
#include "badges/statuslist.h"

#define VERIFY_MAX_DEPTH 4 /* a CLR inside a CLR inside ... */

static bool digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool verify_parse_datetime(const char *s, int64_t *out) {
    int y, mo, d, h, mi, se;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') return false;
        while (*p >= '0' && *p <= '9') p++;
    }
    int offset = 0;
    if (!strcmp(p, "Z")) {
        offset = 0;
    } else if ((p[0] == '+' || p[0] == '-') && p[3] == ':' && !p[6]) {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 14 || om > 59) return false;
        offset = (oh * 60 + om) * 60 * (p[0] == '-' ? -1 : 1);
    } else {
        return false;
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    time_t t = timegm(&tm);
    if (tm.tm_mday != d && se != 60) return false; /* 31 February */
    *out = (int64_t)t - offset;
    return true;
}

static void check_dates(const json_t *doc, int64_t now, perr *err) {
    const char *names[2] = {"validFrom", "validUntil"};
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(doc, names[i]);
        if (!v) continue;
        int64_t t;
        if (!json_is_string(v) || !verify_parse_datetime(json_string_value(v), &t)) {
            perr_set(err, "%s is not a dateTime", names[i]);
            return;
        }
        if (i == 0 && t > now + VERIFY_CLOCK_SKEW) {
            perr_set(err, "not yet valid (validFrom %s)", json_string_value(v));
            return;
        }
        if (i == 1 && t < now - VERIFY_CLOCK_SKEW) {
            perr_set(err, "expired (validUntil %s)", json_string_value(v));
            return;
        }
    }
}

/* The key proof_verify needs for doc: the resolver's answer for its verificationMethod
 * (NULL: proof_verify resolves a did:key itself). */
static const keys *key_for(const json_t *doc, verify_resolve_fn resolve, void *ctx) {
    if (!resolve) return NULL;
    const json_t *p = json_object_get(doc, "proof");
    if (json_is_array(p)) p = json_array_get(p, 0);
    return resolve(json_string_value(json_object_get(p, "verificationMethod")), ctx);
}

/* The id of an issuer given as a string or as a Profile, or NULL. */
static const char *issuer_of(const json_t *doc) {
    const json_t *is = json_object_get(doc, "issuer");
    return json_is_string(is) ? json_string_value(is) : json_string_value(json_object_get(is, "id"));
}

/* One BitstringStatusListEntry of a credential issued by issuer. As the Bitstring Status
 * List spec (and Digital Bazaar's checker) require, the list must be issued by the same
 * DID and serve the entry's purpose. Sets *revoked when its bit is set. */
static void check_entry(const json_t *s, const char *issuer, int64_t now, verify_fetch_fn fetch,
                        verify_resolve_fn resolve, void *ctx, bool *revoked, perr *err) {
    const char *type = json_string_value(json_object_get(s, "type"));
    const char *url = json_string_value(json_object_get(s, "statusListCredential"));
    const char *purpose = json_string_value(json_object_get(s, "statusPurpose"));
    const char *index = json_string_value(json_object_get(s, "statusListIndex"));
    if (!type || strcmp(type, "BitstringStatusListEntry")) {
        perr_set(err, "unsupported status type: %s", type ? type : "(none)");
        return;
    }
    if (!url || !purpose || !index) {
        perr_set(err, "the status entry lacks statusListCredential, statusPurpose or statusListIndex");
        return;
    }
    char *end = NULL;
    unsigned long long i = strtoull(index, &end, 10);
    if (!*index || *end || index[0] == '-' || index[0] == '+' || (index[0] == '0' && index[1])) {
        perr_set(err, "status index is not a non-negative integer: %s", index);
        return;
    }
    if (!fetch) {
        perr_set(err, "cannot fetch the status list %s", url);
        return;
    }
    perr ferr = {""};
    json_t *list = fetch(url, ctx, &ferr);
    if (!list) {
        perr_set(err, "status list %s: %.300s", url, ferr.msg);
        return;
    }
    const json_t *subject = json_object_get(list, "credentialSubject");
    const char *enc = json_string_value(json_object_get(subject, "encodedList"));
    const char *lpurpose = json_string_value(json_object_get(subject, "statusPurpose"));
    perr why = {""};
    statuslist *l = NULL;
    if (!proof_verify(list, key_for(list, resolve, ctx), &why)) {
        perr_set(err, "status list credential did not verify: %.300s", why.msg);
        goto done;
    }
    check_dates(list, now, &why);
    if (why.msg[0]) {
        perr_set(err, "status list credential: %.300s", why.msg);
        goto done;
    }
    const char *lissuer = issuer_of(list);
    if (!lissuer || !issuer || strcmp(lissuer, issuer)) {
        perr_set(err, "status list issuer %.200s differs from the credential issuer %.200s", lissuer ? lissuer : "(none)",
                 issuer ? issuer : "(none)");
        goto done;
    }
    const json_t *purposes = json_object_get(subject, "statusPurpose");
    bool served = lpurpose && !strcmp(lpurpose, purpose);
    size_t pi;
    const json_t *pv;
    json_array_foreach(purposes, pi, pv) served = served || (json_is_string(pv) && !strcmp(json_string_value(pv), purpose));
    if (!served) {
        perr_set(err, "the status list is for '%s', the entry for '%s'", lpurpose ? lpurpose : "(none)", purpose);
        goto done;
    }
    if (!enc) {
        perr_set(err, "the status list has no encodedList");
        goto done;
    }
    if (!(l = statuslist_decode(enc, err))) goto done;
    if (i >= statuslist_size(l)) {
        perr_set(err, "status index out of range: %s", index);
    } else if (statuslist_get(l, (size_t)i)) {
        *revoked = true;
        perr_set(err, "%s bit is set (index %s)", purpose, index);
    }
done:
    statuslist_free(l);
    json_decref(list);
}

static bool verify_at(const json_t *doc, int64_t now, verify_fetch_fn fetch, verify_resolve_fn resolve, void *ctx,
                      verify_report *out, int depth) {
    memset(out, 0, sizeof *out);
    if (!json_is_object(doc)) {
        perr_set(&out->proof, "the credential is not a JSON object");
        return false;
    }
    proof_verify(doc, key_for(doc, resolve, ctx), &out->proof);
    check_dates(doc, now, &out->dates);
    const json_t *st = json_object_get(doc, "credentialStatus");
    if (st) {
        json_t *arr = json_is_array(st) ? json_incref((json_t *)st) : json_pack("[O]", st);
        size_t i;
        const json_t *e;
        json_array_foreach(arr, i, e) {
            if (out->status.msg[0]) break;
            check_entry(e, issuer_of(doc), now, fetch, resolve, ctx, &out->revoked, &out->status);
        }
        json_decref(arr);
    }
    const json_t *types = json_object_get(doc, "type");
    bool clr = false;
    size_t i;
    const json_t *t;
    if (json_is_string(types)) clr = !strcmp(json_string_value(types), "ClrCredential");
    json_array_foreach(types, i, t) if (json_is_string(t) && !strcmp(json_string_value(t), "ClrCredential")) clr = true;
    if (clr) {
        const json_t *inner = json_object_get(json_object_get(doc, "credentialSubject"), "verifiableCredential");
        json_t *arr = json_is_array(inner) ? json_incref((json_t *)inner) : inner ? json_pack("[O]", inner) : json_array();
        if (!json_array_size(arr)) perr_set(&out->inner, "the ClrCredential holds no verifiableCredential");
        if (depth >= VERIFY_MAX_DEPTH) perr_set(&out->inner, "credentials nested too deeply");
        const json_t *c;
        json_array_foreach(arr, i, c) {
            if (out->inner.msg[0]) break;
            verify_report r;
            if (!verify_at(c, now, fetch, resolve, ctx, &r, depth + 1)) {
                const perr *why = r.proof.msg[0] ? &r.proof : r.dates.msg[0] ? &r.dates : r.status.msg[0] ? &r.status : &r.inner;
                perr_set(&out->inner, "credential %zu: %.400s", i, why->msg);
            }
        }
        json_decref(arr);
    }
    out->verified = !out->proof.msg[0] && !out->dates.msg[0] && !out->status.msg[0] && !out->inner.msg[0];
    return out->verified;
}

bool verify_credential(const json_t *doc, int64_t now, verify_fetch_fn fetch, void *ctx, verify_report *out) {
    return verify_at(doc, now, fetch, NULL, ctx, out, 0);
}

bool verify_credential_with(const json_t *doc, int64_t now, verify_fetch_fn fetch, verify_resolve_fn resolve, void *ctx,
                            verify_report *out) {
    return verify_at(doc, now, fetch, resolve, ctx, out, 0);
}
