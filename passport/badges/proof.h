/* SPDX-License-Identifier: EUPL-1.2 */
/* Data Integrity proofs (W3C VC Data Integrity 1.0) of type DataIntegrityProof with the
 * cryptosuite eddsa-rdfc-2022, on jansson documents. */
#ifndef PASSPORT_BADGES_PROOF_H
#define PASSPORT_BADGES_PROOF_H

#include <jansson.h>
#include <stdbool.h>

#include "badges/keys.h"
#include "core/err.h"

/* Signs doc with key k and sets doc["proof"] to an array holding the one new proof:
 * {type, cryptosuite, created, verificationMethod, proofPurpose: "assertionMethod",
 * proofValue}. The proof options (with the document's @context) and the document
 * without its proof are canonicalised (RDFC-1.0), hashed with SHA-256, and
 * sha256(options) || sha256(document) is signed; proofValue is "z" + base58btc.
 * verification_method NULL means the did:key method of k; created NULL means now
 * ("YYYY-MM-DDTHH:MM:SSZ"). An existing proof is replaced. */
bool proof_add(json_t *doc, const keys *k, const char *verification_method, const char *created, perr *err);

/* Checks the proof of doc: exactly one proof (an object or an array of one), of type
 * DataIntegrityProof, cryptosuite eddsa-rdfc-2022, proofPurpose assertionMethod, a
 * dateTime "created", a verificationMethod controlled by the issuer (the DID before '#'
 * equals the issuer's id) and a signature that verifies over the canonical forms.
 * key NULL resolves a did:key verification method from the proof itself; pass the key
 * for other DID methods. On failure err says why. */
bool proof_verify(const json_t *doc, const keys *key, perr *err);

#endif
