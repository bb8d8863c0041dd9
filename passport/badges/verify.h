/* SPDX-License-Identifier: EUPL-1.2 */
/* Verification of a credential as Passport's /verify page and `passport verify` need it:
 * the proof (badges/proof), the validity dates, the Bitstring Status List entry, and for a
 * ClrCredential every credential inside, mirroring what shared/tools/vc-verify checks. */
#ifndef PASSPORT_BADGES_VERIFY_H
#define PASSPORT_BADGES_VERIFY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "badges/keys.h"
#include "core/err.h"

/* Seconds of clock difference tolerated on validFrom and validUntil (of credentials and
 * status lists): a list signed by another server, or in the second after the verifier
 * read its clock, is not "not yet valid". */
#define VERIFY_CLOCK_SKEW 60

/* Fetches the status list credential at url: returns a new reference the caller releases,
 * or NULL with err set. The HTTP side (loopback, timeouts, caching) is the caller's. */
typedef json_t *(*verify_fetch_fn)(const char *url, void *ctx, perr *err);

/* The outcome of each check; a message is empty when that check passed (or did not
 * apply: no credentialStatus, no dates). */
typedef struct verify_report {
    bool verified;    /* every check passed */
    bool revoked;     /* the status bit is set */
    perr proof;       /* the signature, cryptosuite, purpose, issuer's key */
    perr dates;       /* "not yet valid" / "expired" / malformed */
    perr status;      /* the list could not be fetched, verified, read, or the bit is set */
    perr inner;       /* ClrCredential: "credential N: ..." for the first failing one */
} verify_report;

/* Checks doc at time now (seconds since the epoch, e.g. clock_now()). fetch may be NULL,
 * then a credentialStatus cannot be checked and is reported in status. Fills *out and
 * returns out->verified. */
bool verify_credential(const json_t *doc, int64_t now, verify_fetch_fn fetch, void *ctx, verify_report *out);

/* The public key of a verification method id (e.g. "did:web:host#z6Mk..."), borrowed,
 * or NULL to let proof_verify resolve a did:key itself (anything else then fails). */
typedef const keys *(*verify_resolve_fn)(const char *method, void *ctx);

/* As verify_credential, with resolve naming the keys of DID methods other than did:key
 * (the server's own did:web) for the credential, the credentials inside a CLR and the
 * status lists. ctx goes to both fetch and resolve. */
bool verify_credential_with(const json_t *doc, int64_t now, verify_fetch_fn fetch, verify_resolve_fn resolve, void *ctx,
                            verify_report *out);

/* Parses an XML Schema dateTime with a time zone ("2026-01-01T10:00:00Z",
 * "2026-01-01T12:00:00.5+02:00") into seconds since the epoch (fractions dropped). */
bool verify_parse_datetime(const char *s, int64_t *out);

#endif
