/* SPDX-License-Identifier: EUPL-1.2 */
/* Credential documents built member by member with jansson; field names follow the OB 3.0
 * JSON schema (shared/vc/schemas) and the VC 2.0 / OB 3.0.3 / CLR 2.0.1 contexts. */
#include "badges/credential.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"

void credential_new_urn_uuid(char out[46]) {
    unsigned char b[16];
    rand_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 46, "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

char *credential_identity_hash(const char *email, const char *salt) {
    buf in = BUF_INIT;
    buf_puts(&in, email);
    buf_puts(&in, salt);
    unsigned char md[32];
    rand_sha256(in.data ? in.data : "", in.len, md);
    buf_free(&in);
    buf out = BUF_INIT;
    buf_puts(&out, "sha256$");
    for (int i = 0; i < 32; i++) buf_printf(&out, "%02x", md[i]);
    return buf_detach(&out);
}

static bool need(const char *v, const char *what, perr *err) {
    return (v && *v) ? true : perr_set(err, "credential: %s is required", what);
}

static void set_str(json_t *o, const char *key, const char *v) {
    if (v) json_object_set_new(o, key, json_string(v));
}

/* Copies s (or now when NULL) as a dateTime string. */
static json_t *date_or_now(const char *s) {
    char now[21];
    if (!s) {
        clock_iso8601(clock_now(), now);
        s = now;
    }
    return json_string(s);
}

static json_t *issuer_profile(const credential_issuer *is, perr *err) {
    if (!need(is->did, "issuer.did", err) || !need(is->name, "issuer.name", err)) return NULL;
    json_t *p = json_pack("{s:s, s:[s], s:s}", "id", is->did, "type", "Profile", "name", is->name);
    set_str(p, "url", is->url);
    set_str(p, "email", is->email);
    if (is->image) json_object_set_new(p, "image", json_pack("{s:s, s:s}", "id", is->image, "type", "Image"));
    return p;
}

/* The IdentityObject array for a hashed email. */
static json_t *identity(const char *email, const char *salt) {
    char rnd[33];
    if (!salt) {
        rand_hex(rnd, 16);
        salt = rnd;
    }
    char *hash = credential_identity_hash(email, salt);
    json_t *id = json_pack("[{s:s, s:s, s:s, s:b, s:s}]", "type", "IdentityObject", "identityHash", hash,
                           "identityType", "emailAddress", "hashed", 1, "salt", salt);
    free(hash);
    return id;
}

static json_t *achievement(const credential_badge *in, perr *err) {
    if (!need(in->achievement_id, "achievement_id", err) || !need(in->achievement_name, "achievement_name", err) ||
        !need(in->achievement_description, "achievement_description", err) ||
        !need(in->criteria_narrative, "criteria_narrative", err))
        return NULL;
    json_t *a = json_pack("{s:s, s:[s], s:s, s:s, s:{s:s}}", "id", in->achievement_id, "type", "Achievement", "name",
                          in->achievement_name, "description", in->achievement_description, "criteria", "narrative",
                          in->criteria_narrative);
    if (in->image_url) json_object_set_new(a, "image", json_pack("{s:s, s:s}", "id", in->image_url, "type", "Image"));
    if (in->nalignments) {
        json_t *list = json_array();
        for (size_t i = 0; i < in->nalignments; i++) {
            const credential_alignment *al = &in->alignments[i];
            if (!need(al->target_name, "alignment target_name", err) || !need(al->target_url, "alignment target_url", err)) {
                json_decref(list);
                json_decref(a);
                return NULL;
            }
            json_t *o = json_pack("{s:[s], s:s, s:s}", "type", "Alignment", "targetName", al->target_name,
                                  "targetUrl", al->target_url);
            set_str(o, "targetCode", al->target_code);
            set_str(o, "targetFramework", al->target_framework);
            set_str(o, "targetType", al->target_type);
            json_array_append_new(list, o);
        }
        json_object_set_new(a, "alignment", list);
    }
    set_str(a, "achievementType", in->achievement_type);
    return a;
}

json_t *credential_badge_new(const credential_badge *in, perr *err) {
    if (!need(in->recipient_email, "recipient_email", err)) return NULL;
    json_t *issuer = issuer_profile(&in->issuer, err);
    if (!issuer) return NULL;
    json_t *ach = achievement(in, err);
    if (!ach) {
        json_decref(issuer);
        return NULL;
    }
    char uuid[46];
    if (!in->id) credential_new_urn_uuid(uuid);
    json_t *doc = json_pack("{s:[s,s], s:s, s:[s,s], s:o, s:o, s:s}", "@context", CREDENTIAL_VC2_CONTEXT,
                            CREDENTIAL_OB_CONTEXT, "id", in->id ? in->id : uuid, "type", "VerifiableCredential",
                            "OpenBadgeCredential", "issuer", issuer, "validFrom", date_or_now(in->valid_from), "name",
                            in->name ? in->name : in->achievement_name);
    set_str(doc, "validUntil", in->valid_until);
    json_object_set_new(doc, "credentialSubject",
                        json_pack("{s:[s], s:o, s:o}", "type", "AchievementSubject", "identifier",
                                  identity(in->recipient_email, in->salt), "achievement", ach));
    if (in->status_list_url) {
        buf id = BUF_INIT, idx = BUF_INIT;
        buf_printf(&id, "%s#%zu", in->status_list_url, in->status_index);
        buf_printf(&idx, "%zu", in->status_index);
        json_object_set_new(doc, "credentialStatus",
                            json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", buf_cstr(&id), "type",
                                      "BitstringStatusListEntry", "statusPurpose", "revocation", "statusListIndex",
                                      buf_cstr(&idx), "statusListCredential", in->status_list_url));
        buf_free(&id);
        buf_free(&idx);
    }
    return doc;
}

json_t *credential_status_list_new(const char *list_url, const credential_issuer *issuer,
                                   const char *valid_from, const statuslist *l, perr *err) {
    if (!need(list_url, "list_url", err) || !need(issuer->did, "issuer.did", err)) return NULL;
    char *enc = statuslist_encode(l);
    buf sid = BUF_INIT;
    buf_printf(&sid, "%s#list", list_url);
    json_t *doc = json_pack("{s:[s], s:s, s:[s,s], s:s, s:o, s:{s:s, s:s, s:s, s:s}}", "@context",
                            CREDENTIAL_VC2_CONTEXT, "id", list_url, "type", "VerifiableCredential",
                            "BitstringStatusListCredential", "issuer", issuer->did, "validFrom",
                            date_or_now(valid_from), "credentialSubject", "id", buf_cstr(&sid), "type",
                            "BitstringStatusList", "statusPurpose", "revocation", "encodedList", enc);
    buf_free(&sid);
    free(enc);
    return doc;
}

json_t *credential_clr_new(const credential_clr *in, perr *err) {
    if (!need(in->name, "name", err)) return NULL;
    if (!in->nbadges) {
        perr_set(err, "credential: a ClrCredential holds at least one badge");
        return NULL;
    }
    json_t *issuer = issuer_profile(&in->issuer, err);
    if (!issuer) return NULL;
    char uuid[46];
    if (!in->id) credential_new_urn_uuid(uuid);
    json_t *vcs = json_array();
    for (size_t i = 0; i < in->nbadges; i++) {
        if (!json_is_object(in->badges[i]) || !json_object_get(in->badges[i], "proof")) {
            json_decref(vcs);
            json_decref(issuer);
            perr_set(err, "credential: badge %zu of the CLR is not a signed credential", i);
            return NULL;
        }
        json_array_append_new(vcs, json_deep_copy(in->badges[i]));
    }
    json_t *subject = json_pack("{s:[s], s:o}", "type", "ClrSubject", "verifiableCredential", vcs);
    if (in->recipient_email) json_object_set_new(subject, "identifier", identity(in->recipient_email, in->salt));
    return json_pack("{s:[s,s,s], s:s, s:[s,s], s:o, s:o, s:s, s:o}", "@context", CREDENTIAL_VC2_CONTEXT,
                     CREDENTIAL_CLR_CONTEXT, CREDENTIAL_OB_CONTEXT, "id", in->id ? in->id : uuid, "type",
                     "VerifiableCredential", "ClrCredential", "issuer", issuer, "validFrom",
                     date_or_now(in->valid_from), "name", in->name, "credentialSubject", subject);
}
