/* SPDX-License-Identifier: EUPL-1.2 */
/* Builders of the credentials Passport issues, as jansson documents ready to be signed
 * with badges/proof: Open Badges 3.0 OpenBadgeCredential, the Bitstring Status List
 * credential, and the CLR 2.0 ClrCredential bundling signed badges. */
#ifndef PASSPORT_BADGES_CREDENTIAL_H
#define PASSPORT_BADGES_CREDENTIAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "badges/statuslist.h"
#include "core/err.h"

#define CREDENTIAL_VC2_CONTEXT "https://www.w3.org/ns/credentials/v2"
#define CREDENTIAL_OB_CONTEXT "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define CREDENTIAL_CLR_CONTEXT "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

/* The issuing organisation: a Profile whose id is the issuer DID (the controller of the
 * signing key). url, email and image (the URL of a logo: an Image {id, type}) may be
 * NULL. */
typedef struct credential_issuer {
    const char *did;
    const char *name;
    const char *url;
    const char *email;
    const char *image;
} credential_issuer;

/* An alignment of the achievement to a competency framework item (CRCN, DigComp). The
 * code, framework and type may be NULL; type is "CFItem" or "ext:...". */
typedef struct credential_alignment {
    const char *target_name;
    const char *target_url;
    const char *target_code;
    const char *target_framework;
    const char *target_type;
} credential_alignment;

/* Everything an Open Badge needs. Strings are UTF-8, borrowed for the call. Optional
 * members may be NULL (or 0 / false). */
typedef struct credential_badge {
    const char *id;                /* "urn:uuid:..."; NULL: a new random one */
    credential_issuer issuer;
    const char *valid_from;        /* "YYYY-MM-DDTHH:MM:SSZ"; NULL: now */
    const char *valid_until;       /* optional */
    const char *name;              /* credential name; NULL: the achievement's name */
    const char *recipient_email;   /* hashed: identityHash "sha256$" + hex(sha256(email + salt)) */
    const char *salt;              /* NULL: 16 random bytes in hex */
    /* the achievement (the badge definition) */
    const char *achievement_id;    /* an https URL of the server */
    const char *achievement_name;
    const char *achievement_description;
    const char *criteria_narrative;
    const char *image_url;         /* optional: {id, type "Image"} */
    const char *achievement_type;  /* optional, e.g. "Competency", "Badge", "ext:..." */
    const credential_alignment *alignments;
    size_t nalignments;
    /* revocation entry, when status_list_url is not NULL */
    const char *status_list_url;   /* the URL of the status list credential */
    size_t status_index;
} credential_badge;

/* A new OpenBadgeCredential (unsigned) the caller owns (json_decref). Contexts VC 2.0 then
 * OB 3.0.3; type [VerifiableCredential, OpenBadgeCredential]; credentialSubject an
 * AchievementSubject with a hashed email IdentityObject and the achievement;
 * credentialStatus a BitstringStatusListEntry {id "<list>#<index>", statusPurpose
 * "revocation", statusListIndex "<index>", statusListCredential "<list>"}. NULL with err
 * when a required member is missing. IRIs (ids, URLs) are not checked here: proof_add
 * refuses a document whose IRIs are not absolute, as JSON-LD processors do. */
json_t *credential_badge_new(const credential_badge *in, perr *err);

/* A new BitstringStatusListCredential (unsigned) for the revocation list l published at
 * list_url, the caller owns it: credentialSubject {id "<list_url>#list", type
 * BitstringStatusList, statusPurpose "revocation", encodedList}. valid_from NULL: now. */
json_t *credential_status_list_new(const char *list_url, const credential_issuer *issuer,
                                   const char *valid_from, const statuslist *l, perr *err);

/* A CLR 2.0 ClrCredential (unsigned), owned by the caller: contexts VC 2.0, CLR 2.0.1,
 * OB 3.0.3; credentialSubject {type [ClrSubject], identifier [hashed email] when
 * recipient_email is set, verifiableCredential: copies of the signed badges}. */
typedef struct credential_clr {
    const char *id;              /* NULL: a new urn:uuid */
    credential_issuer issuer;
    const char *valid_from;      /* NULL: now */
    const char *name;            /* e.g. "Passeport numérique de ..." */
    const char *recipient_email; /* optional */
    const char *salt;            /* NULL: random */
    json_t *const *badges;       /* signed OpenBadgeCredentials (borrowed) */
    size_t nbadges;
} credential_clr;

json_t *credential_clr_new(const credential_clr *in, perr *err);

/* Writes a new "urn:uuid:" + random version 4 UUID into out (46 bytes). */
void credential_new_urn_uuid(char out[46]);

/* The identityHash of email with salt: "sha256$" + lowercase hex. New string, caller frees. */
char *credential_identity_hash(const char *email, const char *salt);

#endif
