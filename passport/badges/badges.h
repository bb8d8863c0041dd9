/* SPDX-License-Identifier: EUPL-1.2 */
/* Badges at run time: the loaded achievements and issuer keys, issuance (signed in the
 * awarding transaction, stored as issued), automatic awarding by rule, manual award,
 * revocation with the signed Bitstring Status List, listing, export and the CLR. */
#ifndef PASSPORT_BADGES_BADGES_H
#define PASSPORT_BADGES_BADGES_H

#include <jansson.h>
#include <stdbool.h>

#include "badges/achievement.h"
#include "badges/credential.h"
#include "badges/keyring.h"
#include "core/err.h"
#include "store/store.h"

/* Revocation lists are numbered from 1, each of STATUSLIST_MIN_BITS entries. A list
 * belongs to one issuer DID at one URL (status_list_owners) and is always signed by that
 * issuer: credentials go to the newest list of the current issuer and public URL until it
 * is full, then to a new one; a new issuer (did:key rotation) or URL opens a new list. */
#define BADGES_FIRST_LIST 1

typedef struct badges_ctx {
    achievement_set *set;
    keyring *keys;
    char *public_url;  /* without a trailing '/' */
    char *issuer_did;  /* did:key of the signing key, or did:web:<host> */
    char *web_did;     /* issuer_did when it is a did:web, else NULL */
    char *vm;          /* verification method of the signing key */
    char *issuer_name;  /* the organisation's issuer Profile, for new credentials */
    char *issuer_url;   /* NULL: the public URL */
    char *issuer_email; /* may be NULL */
    char *issuer_image; /* URL of a logo, may be NULL */
    struct badges_list_memo *memo; /* revocation count the stored list was last checked at */
} badges_ctx;

/* Loads <courses_dir>/badges and <data_dir>/keys (creating a first key when there is
 * none), syncs the achievements into the store. The caller frees with badges_ctx_free. */
badges_ctx *badges_ctx_new(store *s, const char *data_dir, const char *courses_dir, const char *public_url, perr *err);
void badges_ctx_free(badges_ctx *c);
/* Names the organisation that issues (OB 3.0 issuer Profile): name (NULL keeps
 * "Passport"), url (NULL: the public URL), email, image (an http(s) URL of a logo); new
 * credentials and CLRs only, issued ones stay as signed. False with err for an email
 * without '@' or a url/image that is not an absolute http(s) URL. */
bool badges_ctx_set_issuer(badges_ctx *c, const char *name, const char *url, const char *email, const char *image,
                           perr *err);
/* The issuer Profile of new credentials (strings owned by c). */
credential_issuer badges_issuer(const badges_ctx *c);

/* The URL of revocation list list_id ("<public>/status/1"). New string. */
char *badges_status_url(const badges_ctx *c, int list_id);
/* The number of our revocation list published at url (the statusListCredential our
 * credentials name, under the public URL of the day they were issued), or 0 when url is
 * not one of ours. */
int badges_list_of_url(store *s, const badges_ctx *c, const char *url);
/* True when some revocation list of ours is issued by did: a DID this server issued
 * under (a did:key of a key, a did:web of a former public URL). */
bool badges_issuer_recorded(store *s, const char *did);

/* Issues achievement a to user_id inside the caller's transaction: builds the credential
 * (random status index), signs it, inserts it. awarded_by 0 = by rule. *cred_id may be NULL. */
bool badges_issue(store *s, const badges_ctx *c, long long user_id, const achievement *a, long long awarded_by,
                  const char *narrative, long long *cred_id, perr *err);
/* True when the rule of a holds for the user now (every module passed, every level
 * verified by measured, attested or credential evidence). */
bool badges_rule_met(store *s, const achievement *a, long long user_id, perr *err);
/* Issues, in one transaction of its own, every badge whose rule now holds and that the
 * user never received (a revoked badge is not issued again by rule). *issued (may be
 * NULL) gets the count. */
bool badges_check_awards(store *s, const badges_ctx *c, long long user_id, int *issued, perr *err);
/* The same inside the caller's transaction (the write that makes a rule true, such as a
 * passed attempt, commits with its badge or not at all). On failure the badges' own writes
 * are undone (a savepoint), the caller's stay, *issued is 0 and err is set. */
bool badges_award_due(store *s, const badges_ctx *c, long long user_id, int *issued, perr *err);
/* Awards by hand (admin), audited, one transaction. Refuses an unknown slug
 * ("badges.error.unknown_badge") and a narrative holding a control character (TAB and
 * line breaks allowed) or a bidirectional override ("badges.error.narrative_text"). */
bool badges_award(store *s, const badges_ctx *c, long long user_id, const char *slug, long long actor,
                  const char *narrative, long long *cred_id, perr *err);
/* Revokes one credential (admin or erasure), audited, re-signs the status list, one
 * transaction. Fails when it is unknown or already revoked, or when the reason holds a
 * control character or a bidirectional override ("badges.error.reason_text"). */
bool badges_revoke(store *s, const badges_ctx *c, long long cred_id, long long actor, const char *reason, perr *err);
/* Revokes every unrevoked credential of the user and re-signs the status list, INSIDE the
 * caller's transaction (privacy erasure). */
bool badges_revoke_all_for_user(store *s, const badges_ctx *c, long long user_id, const char *reason, perr *err);
/* Everything held about the user's badges: [{id, achievement, issued_at, revoked_at,
 * reason, narrative, credential (the signed JSON)}]. New reference. */
json_t *badges_export_user(store *s, long long user_id);

/* The user's badges for pages, newest first: [{id, slug, name, description, criteria,
 * issued, expires, revoked, reason, share_token}]. New reference. */
json_t *badges_list_user(store *s, const badges_ctx *c, long long user_id, const char *locale);
/* One page of that list (the API), read by key in (issued_at, id) order: pg->limit rows
 * after pg->after; sets pg->more and pg->last. A row whose badge definition was removed
 * takes its place in the page but is not listed (the page is then shorter). */
json_t *badges_list_user_page(store *s, const badges_ctx *c, long long user_id, const char *locale, store_page *pg);
/* The admin's list of issued credentials, newest first: those whose holder's name or
 * e-mail, or badge name (French or English) or slug contains q (accents and case folded;
 * NULL or "": all), rows [offset, offset + limit) of them as [{id, name, issued,
 * revoked_on, revoked, reason, email, holder}], *total (may be NULL) the number matched.
 * New reference. */
json_t *badges_search_all(store *s, const badges_ctx *c, const char *q, long offset, int limit, long *total);

/* The stored signed JSON of a credential, its owner and achievement. *json is a new
 * string. False when unknown. */
bool badges_credential_get(store *s, long long cred_id, char **json, long long *user_id, long long *achievement_id,
                           bool *revoked);

/* The signed status list credential (re-signed when the stored one no longer matches the
 * revocations) as text with its ETag; both new strings. */
bool badges_status_list(store *s, const badges_ctx *c, int list_id, char **json, char **etag, perr *err);
/* The signed status list credential as JSON (new reference) or NULL with err. */
json_t *badges_status_list_json(store *s, const badges_ctx *c, int list_id, perr *err);

/* A signed ClrCredential holding every unrevoked badge of the user. New reference, or NULL
 * with err "badges.error.no_badge" when the user holds none (a CLR holds at least one). */
json_t *badges_clr(store *s, const badges_ctx *c, long long user_id, perr *err);

#endif
