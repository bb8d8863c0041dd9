/* SPDX-License-Identifier: EUPL-1.2 */
/* Term definition tables of the contexts Passport reads and writes, transcribed
 * mechanically from the published documents. */

/* Sources: the npm packages @digitalbazaar/credentials-context 3.2.0,
 * data-integrity-context 2.0.1, vc-bitstring-status-list-context 1.1.0, and the 1EdTech
 * OB 3.0.3 / CLR 2.0.1 files in shared/vc/contexts. Terms are sorted by name; compact
 * IRIs and term references in "@id"/"@type" are already expanded. */
#include "badges/jsonld_ctx.h"

#include <stdlib.h>
#include <string.h>

static const jsonld_term S2_VC2_BitstringStatusList_terms[] = {
    {"encodedList", "https://www.w3.org/ns/credentials/status#encodedList", JSONLD_TYPED, "https://w3id.org/security#multibase", JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"statusPurpose", "https://www.w3.org/ns/credentials/status#statusPurpose", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"ttl", "https://www.w3.org/ns/credentials/status#ttl", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S2_VC2_BitstringStatusList = {true, S2_VC2_BitstringStatusList_terms, 5};

static const jsonld_term S4_VC2_BitstringStatusListEntry_statusMessage_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"message", "https://www.w3.org/ns/credentials/status#message", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"status", "https://www.w3.org/ns/credentials/status#status", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S4_VC2_BitstringStatusListEntry_statusMessage = {true, S4_VC2_BitstringStatusListEntry_statusMessage_terms, 4};

static const jsonld_term S3_VC2_BitstringStatusListEntry_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"statusListCredential", "https://www.w3.org/ns/credentials/status#statusListCredential", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"statusListIndex", "https://www.w3.org/ns/credentials/status#statusListIndex", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"statusMessage", "https://www.w3.org/ns/credentials/status#statusMessage", JSONLD_PLAIN, NULL, JSONLD_NONE, &S4_VC2_BitstringStatusListEntry_statusMessage, false, false},
    {"statusPurpose", "https://www.w3.org/ns/credentials/status#statusPurpose", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"statusReference", "https://www.w3.org/ns/credentials/status#statusReference", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"statusSize", "https://www.w3.org/ns/credentials/status#statusSize", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#integer", JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S3_VC2_BitstringStatusListEntry = {true, S3_VC2_BitstringStatusListEntry_terms, 8};

static const jsonld_term S6_VC2_DataIntegrityProof_proofPurpose_terms[] = {
    {"assertionMethod", "https://w3id.org/security#assertionMethod", JSONLD_ID, NULL, JSONLD_SET, NULL, false, false},
    {"authentication", "https://w3id.org/security#authenticationMethod", JSONLD_ID, NULL, JSONLD_SET, NULL, false, false},
    {"capabilityDelegation", "https://w3id.org/security#capabilityDelegationMethod", JSONLD_ID, NULL, JSONLD_SET, NULL, false, false},
    {"capabilityInvocation", "https://w3id.org/security#capabilityInvocationMethod", JSONLD_ID, NULL, JSONLD_SET, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"keyAgreement", "https://w3id.org/security#keyAgreementMethod", JSONLD_ID, NULL, JSONLD_SET, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S6_VC2_DataIntegrityProof_proofPurpose = {true, S6_VC2_DataIntegrityProof_proofPurpose_terms, 7};

static const jsonld_term S5_VC2_DataIntegrityProof_terms[] = {
    {"challenge", "https://w3id.org/security#challenge", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"created", "http://purl.org/dc/terms/created", JSONLD_TYPED, "http://www.w3.org/2001/XMLSchema#dateTime", JSONLD_NONE, NULL, false, false},
    {"cryptosuite", "https://w3id.org/security#cryptosuite", JSONLD_TYPED, "https://w3id.org/security#cryptosuiteString", JSONLD_NONE, NULL, false, false},
    {"domain", "https://w3id.org/security#domain", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"expires", "https://w3id.org/security#expiration", JSONLD_TYPED, "http://www.w3.org/2001/XMLSchema#dateTime", JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"nonce", "https://w3id.org/security#nonce", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"previousProof", "https://w3id.org/security#previousProof", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"proofPurpose", "https://w3id.org/security#proofPurpose", JSONLD_VOCAB, NULL, JSONLD_NONE, &S6_VC2_DataIntegrityProof_proofPurpose, false, false},
    {"proofValue", "https://w3id.org/security#proofValue", JSONLD_TYPED, "https://w3id.org/security#multibase", JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"verificationMethod", "https://w3id.org/security#verificationMethod", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S5_VC2_DataIntegrityProof = {true, S5_VC2_DataIntegrityProof_terms, 12};

static const jsonld_term S7_VC2_JsonSchema_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"jsonSchema", "https://www.w3.org/2018/credentials#jsonSchema", JSONLD_JSON, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S7_VC2_JsonSchema = {true, S7_VC2_JsonSchema_terms, 3};

static const jsonld_term S8_VC2_VerifiableCredential_terms[] = {
    {"confidenceMethod", "https://www.w3.org/2018/credentials#confidenceMethod", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"credentialSchema", "https://www.w3.org/2018/credentials#credentialSchema", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"credentialStatus", "https://www.w3.org/2018/credentials#credentialStatus", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"credentialSubject", "https://www.w3.org/2018/credentials#credentialSubject", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"description", "https://schema.org/description", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"evidence", "https://www.w3.org/2018/credentials#evidence", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"issuer", "https://www.w3.org/2018/credentials#issuer", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"name", "https://schema.org/name", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"proof", "https://w3id.org/security#proof", JSONLD_ID, NULL, JSONLD_GRAPH, NULL, false, false},
    {"refreshService", "https://www.w3.org/2018/credentials#refreshService", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"relatedResource", "https://www.w3.org/2018/credentials#relatedResource", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"renderMethod", "https://www.w3.org/2018/credentials#renderMethod", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"termsOfUse", "https://www.w3.org/2018/credentials#termsOfUse", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"validFrom", "https://www.w3.org/2018/credentials#validFrom", JSONLD_TYPED, "http://www.w3.org/2001/XMLSchema#dateTime", JSONLD_NONE, NULL, false, false},
    {"validUntil", "https://www.w3.org/2018/credentials#validUntil", JSONLD_TYPED, "http://www.w3.org/2001/XMLSchema#dateTime", JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S8_VC2_VerifiableCredential = {true, S8_VC2_VerifiableCredential_terms, 17};

static const jsonld_term S9_VC2_VerifiablePresentation_terms[] = {
    {"holder", "https://www.w3.org/2018/credentials#holder", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"proof", "https://w3id.org/security#proof", JSONLD_ID, NULL, JSONLD_GRAPH, NULL, false, false},
    {"termsOfUse", "https://www.w3.org/2018/credentials#termsOfUse", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"verifiableCredential", "https://www.w3.org/2018/credentials#verifiableCredential", JSONLD_ID, NULL, JSONLD_GRAPH, NULL, false, true},
};
static const jsonld_context S9_VC2_VerifiablePresentation = {true, S9_VC2_VerifiablePresentation_terms, 6};

static const jsonld_term S10_VC2_cnf_terms[] = {
    {"jwk", "https://www.iana.org/assignments/jwt#jwk", JSONLD_JSON, NULL, JSONLD_NONE, NULL, false, false},
    {"kid", "https://www.iana.org/assignments/jwt#kid", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S10_VC2_cnf = {true, S10_VC2_cnf_terms, 2};

static const jsonld_term S1_VC2_terms[] = {
    {"...", "https://www.iana.org/assignments/jwt#...", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"BitstringStatusList", "https://www.w3.org/ns/credentials/status#BitstringStatusList", JSONLD_PLAIN, NULL, JSONLD_NONE, &S2_VC2_BitstringStatusList, false, false},
    {"BitstringStatusListCredential", "https://www.w3.org/ns/credentials/status#BitstringStatusListCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"BitstringStatusListEntry", "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry", JSONLD_PLAIN, NULL, JSONLD_NONE, &S3_VC2_BitstringStatusListEntry, false, false},
    {"DataIntegrityProof", "https://w3id.org/security#DataIntegrityProof", JSONLD_PLAIN, NULL, JSONLD_NONE, &S5_VC2_DataIntegrityProof, false, false},
    {"EnvelopedVerifiableCredential", "https://www.w3.org/2018/credentials#EnvelopedVerifiableCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"EnvelopedVerifiablePresentation", "https://www.w3.org/2018/credentials#EnvelopedVerifiablePresentation", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"JsonSchema", "https://www.w3.org/2018/credentials#JsonSchema", JSONLD_PLAIN, NULL, JSONLD_NONE, &S7_VC2_JsonSchema, false, false},
    {"JsonSchemaCredential", "https://www.w3.org/2018/credentials#JsonSchemaCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"VerifiableCredential", "https://www.w3.org/2018/credentials#VerifiableCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, &S8_VC2_VerifiableCredential, false, false},
    {"VerifiablePresentation", "https://www.w3.org/2018/credentials#VerifiablePresentation", JSONLD_PLAIN, NULL, JSONLD_NONE, &S9_VC2_VerifiablePresentation, false, false},
    {"_sd", "https://www.iana.org/assignments/jwt#_sd", JSONLD_JSON, NULL, JSONLD_NONE, NULL, false, false},
    {"_sd_alg", "https://www.iana.org/assignments/jwt#_sd_alg", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"aud", "https://www.iana.org/assignments/jwt#aud", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"cnf", "https://www.iana.org/assignments/jwt#cnf", JSONLD_PLAIN, NULL, JSONLD_NONE, &S10_VC2_cnf, false, false},
    {"description", "https://schema.org/description", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"digestMultibase", "https://w3id.org/security#digestMultibase", JSONLD_TYPED, "https://w3id.org/security#multibase", JSONLD_NONE, NULL, false, false},
    {"digestSRI", "https://www.w3.org/2018/credentials#digestSRI", JSONLD_TYPED, "https://www.w3.org/2018/credentials#sriString", JSONLD_NONE, NULL, false, false},
    {"exp", "https://www.iana.org/assignments/jwt#exp", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#nonNegativeInteger", JSONLD_NONE, NULL, false, false},
    {"iat", "https://www.iana.org/assignments/jwt#iat", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#nonNegativeInteger", JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"iss", "https://www.iana.org/assignments/jose#iss", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"jku", "https://www.iana.org/assignments/jose#jku", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"kid", "https://www.iana.org/assignments/jose#kid", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"mediaType", "https://schema.org/encodingFormat", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"name", "https://schema.org/name", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"nbf", "https://www.iana.org/assignments/jwt#nbf", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#nonNegativeInteger", JSONLD_NONE, NULL, false, false},
    {"sub", "https://www.iana.org/assignments/jose#sub", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"x5u", "https://www.iana.org/assignments/jose#x5u", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S1_VC2 = {true, S1_VC2_terms, 30};

static const jsonld_term S11_DI2_terms[] = {
    {"DataIntegrityProof", "https://w3id.org/security#DataIntegrityProof", JSONLD_PLAIN, NULL, JSONLD_NONE, &S5_VC2_DataIntegrityProof, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"proof", "https://w3id.org/security#proof", JSONLD_ID, NULL, JSONLD_GRAPH, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S11_DI2 = {true, S11_DI2_terms, 4};

static const jsonld_term S12_BSL1_terms[] = {
    {"BitstringStatusList", "https://www.w3.org/ns/credentials/status#BitstringStatusList", JSONLD_PLAIN, NULL, JSONLD_NONE, &S2_VC2_BitstringStatusList, false, false},
    {"BitstringStatusListCredential", "https://www.w3.org/ns/credentials/status#BitstringStatusListCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"BitstringStatusListEntry", "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry", JSONLD_PLAIN, NULL, JSONLD_NONE, &S3_VC2_BitstringStatusListEntry, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S12_BSL1 = {true, S12_BSL1_terms, 5};

static const jsonld_term S14_OB303_Achievement_terms[] = {
    {"achievementType", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"alignment", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#alignment", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"creator", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#creator", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"creditsAvailable", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsAvailable", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#float", JSONLD_NONE, NULL, false, false},
    {"criteria", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"fieldOfStudy", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#fieldOfStudy", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"humanCode", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#humanCode", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"image", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"inLanguage", "https://schema.org/inLanguage", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"otherIdentifier", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#otherIdentifier", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"related", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#related", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"resultDescription", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#resultDescription", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"specialization", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#specialization", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"tag", "https://schema.org/keywords", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"version", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#version", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S14_OB303_Achievement = {true, S14_OB303_Achievement_terms, 17};

static const jsonld_term S15_OB303_AchievementSubject_terms[] = {
    {"achievement", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"activityEndDate", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#activityEndDate", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#date", JSONLD_NONE, NULL, false, false},
    {"activityStartDate", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#activityStartDate", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#date", JSONLD_NONE, NULL, false, false},
    {"creditsEarned", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#creditsEarned", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#float", JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"identifier", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifier", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"image", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"licenseNumber", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#licenseNumber", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"result", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#result", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"role", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#role", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"source", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#source", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"term", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#term", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S15_OB303_AchievementSubject = {true, S15_OB303_AchievementSubject_terms, 13};

static const jsonld_term S16_OB303_Address_terms[] = {
    {"addressCountry", "https://schema.org/addressCountry", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"addressCountryCode", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#CountryCode", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"addressLocality", "https://schema.org/addressLocality", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"addressRegion", "https://schema.org/addressRegion", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"geo", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#GeoCoordinates", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"postOfficeBoxNumber", "https://schema.org/postOfficeBoxNumber", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"postalCode", "https://schema.org/postalCode", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"streetAddress", "https://schema.org/streetAddress", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S16_OB303_Address = {true, S16_OB303_Address_terms, 10};

static const jsonld_term S17_OB303_Alignment_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"targetCode", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetCode", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"targetDescription", "https://schema.org/targetDescription", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"targetFramework", "https://schema.org/targetFramework", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"targetName", "https://schema.org/targetName", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"targetType", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetType", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"targetUrl", "https://schema.org/targetUrl", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#anyURI", JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S17_OB303_Alignment = {true, S17_OB303_Alignment_terms, 8};

static const jsonld_term S18_OB303_EndorsementSubject_terms[] = {
    {"endorsementComment", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsementComment", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S18_OB303_EndorsementSubject = {true, S18_OB303_EndorsementSubject_terms, 3};

static const jsonld_term S19_OB303_Evidence_terms[] = {
    {"audience", "https://schema.org/audience", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"genre", "https://schema.org/genre", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S19_OB303_Evidence = {true, S19_OB303_Evidence_terms, 4};

static const jsonld_term S20_OB303_GeoCoordinates_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"latitude", "https://schema.org/latitude", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"longitude", "https://schema.org/longitude", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S20_OB303_GeoCoordinates = {true, S20_OB303_GeoCoordinates_terms, 4};

static const jsonld_term S21_OB303_IdentifierEntry_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"identifier", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifier", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"identifierType", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifierType", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S21_OB303_IdentifierEntry = {true, S21_OB303_IdentifierEntry_terms, 4};

static const jsonld_term S22_OB303_IdentityObject_terms[] = {
    {"hashed", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#hashed", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#boolean", JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"identityHash", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityHash", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"identityType", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityType", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"salt", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#salt", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S22_OB303_IdentityObject = {true, S22_OB303_IdentityObject_terms, 6};

static const jsonld_term S23_OB303_Image_terms[] = {
    {"caption", "https://schema.org/caption", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S23_OB303_Image = {true, S23_OB303_Image_terms, 3};

static const jsonld_term S24_OB303_Profile_terms[] = {
    {"additionalName", "https://schema.org/additionalName", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"address", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#address", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"dateOfBirth", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#dateOfBirth", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#date", JSONLD_NONE, NULL, false, false},
    {"email", "https://schema.org/email", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"familyName", "https://schema.org/familyName", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"familyNamePrefix", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#familyNamePrefix", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"givenName", "https://schema.org/givenName", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"honorificPrefix", "https://schema.org/honorificPrefix", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"honorificSuffix", "https://schema.org/honorificSuffix", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"image", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"official", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#official", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"otherIdentifier", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#otherIdentifier", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"parentOrg", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#parentOrg", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"patronymicName", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#patronymicName", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"phone", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#phone", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S24_OB303_Profile = {true, S24_OB303_Profile_terms, 17};

static const jsonld_term S25_OB303_Related_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"inLanguage", "https://schema.org/inLanguage", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"version", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#version", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S25_OB303_Related = {true, S25_OB303_Related_terms, 4};

static const jsonld_term S26_OB303_Result_terms[] = {
    {"achievedLevel", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievedLevel", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#anyURI", JSONLD_NONE, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"resultDescription", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#resultDescription", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#anyURI", JSONLD_NONE, NULL, false, false},
    {"status", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#status", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"value", "https://schema.org/value", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S26_OB303_Result = {true, S26_OB303_Result_terms, 6};

static const jsonld_term S27_OB303_ResultDescription_terms[] = {
    {"allowedValue", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#allowedValue", JSONLD_PLAIN, NULL, JSONLD_LIST, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"requiredLevel", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#requiredLevel", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#anyURI", JSONLD_NONE, NULL, false, false},
    {"requiredValue", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#requiredValue", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"resultType", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#resultType", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"rubricCriterionLevel", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#rubricCriterionLevel", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"valueMax", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#valueMax", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"valueMin", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#valueMin", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S27_OB303_ResultDescription = {true, S27_OB303_ResultDescription_terms, 9};

static const jsonld_term S28_OB303_RubricCriterionLevel_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"level", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#level", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"points", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#points", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S28_OB303_RubricCriterionLevel = {true, S28_OB303_RubricCriterionLevel_terms, 4};

static const jsonld_term S13_OB303_terms[] = {
    {"Achievement", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement", JSONLD_PLAIN, NULL, JSONLD_NONE, &S14_OB303_Achievement, false, false},
    {"AchievementCredential", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"AchievementSubject", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject", JSONLD_PLAIN, NULL, JSONLD_NONE, &S15_OB303_AchievementSubject, false, false},
    {"Address", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Address", JSONLD_PLAIN, NULL, JSONLD_NONE, &S16_OB303_Address, false, false},
    {"Alignment", "https://schema.org/AlignmentObject", JSONLD_PLAIN, NULL, JSONLD_NONE, &S17_OB303_Alignment, false, false},
    {"Criteria", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"EndorsementCredential", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#EndorsementCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"EndorsementSubject", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#EndorsementSubject", JSONLD_PLAIN, NULL, JSONLD_NONE, &S18_OB303_EndorsementSubject, false, false},
    {"Evidence", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Evidence", JSONLD_PLAIN, NULL, JSONLD_NONE, &S19_OB303_Evidence, false, false},
    {"GeoCoordinates", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#GeoCoordinates", JSONLD_PLAIN, NULL, JSONLD_NONE, &S20_OB303_GeoCoordinates, false, false},
    {"IdentifierEntry", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#IdentifierEntry", JSONLD_PLAIN, NULL, JSONLD_NONE, &S21_OB303_IdentifierEntry, false, false},
    {"IdentityObject", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#IdentityObject", JSONLD_PLAIN, NULL, JSONLD_NONE, &S22_OB303_IdentityObject, false, false},
    {"Image", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Image", JSONLD_PLAIN, NULL, JSONLD_NONE, &S23_OB303_Image, false, false},
    {"OpenBadgeCredential", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"Profile", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile", JSONLD_PLAIN, NULL, JSONLD_NONE, &S24_OB303_Profile, false, false},
    {"Related", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Related", JSONLD_PLAIN, NULL, JSONLD_NONE, &S25_OB303_Related, false, false},
    {"Result", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Result", JSONLD_PLAIN, NULL, JSONLD_NONE, &S26_OB303_Result, false, false},
    {"ResultDescription", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#ResultDescription", JSONLD_PLAIN, NULL, JSONLD_NONE, &S27_OB303_ResultDescription, false, false},
    {"RubricCriterionLevel", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#RubricCriterionLevel", JSONLD_PLAIN, NULL, JSONLD_NONE, &S28_OB303_RubricCriterionLevel, false, false},
    {"alignment", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#alignment", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"awardedDate", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#awardedDate", JSONLD_TYPED, "xsd:dateTime", JSONLD_NONE, NULL, false, false},
    {"description", "https://schema.org/description", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"endorsement", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsement", JSONLD_PLAIN, NULL, JSONLD_SET, NULL, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"image", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image", JSONLD_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"inLanguage", "https://schema.org/inLanguage", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"name", "https://schema.org/name", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"narrative", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"url", "https://schema.org/url", JSONLD_TYPED, "https://www.w3.org/2001/XMLSchema#anyURI", JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S13_OB303 = {true, S13_OB303_terms, 30};

static const jsonld_term S30_CLR201_Association_terms[] = {
    {"associationType", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#AssociationType", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, false, false},
    {"sourceId", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#sourceId", JSONLD_TYPED, "xsd:anyURI", JSONLD_NONE, NULL, false, false},
    {"targetId", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#targetId", JSONLD_TYPED, "xsd:anyURI", JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S30_CLR201_Association = {false, S30_CLR201_Association_terms, 3};

static const jsonld_term S31_CLR201_ClrCredential_terms[] = {
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S31_CLR201_ClrCredential = {false, S31_CLR201_ClrCredential_terms, 2};

static const jsonld_term S32_CLR201_ClrSubject_terms[] = {
    {"achievement", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#achievement", JSONLD_TYPED, "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement", JSONLD_SET, NULL, false, false},
    {"association", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#association", JSONLD_TYPED, "https://purl.imsglobal.org/spec/vc/clr/vocab.html#Association", JSONLD_SET, NULL, false, false},
    {"cred", "https://www.w3.org/2018/credentials#", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, true, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"identifier", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#identifier-1", JSONLD_TYPED, "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Identifier", JSONLD_SET, NULL, false, false},
    {"obi", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#", JSONLD_PLAIN, NULL, JSONLD_NONE, NULL, true, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
    {"verifiableCredential", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential", JSONLD_TYPED, "https://www.w3.org/2018/credentials#verifiableCredential", JSONLD_SET, NULL, false, false},
};
static const jsonld_context S32_CLR201_ClrSubject = {false, S32_CLR201_ClrSubject_terms, 8};

static const jsonld_term S29_CLR201_terms[] = {
    {"Association", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#Association", JSONLD_PLAIN, NULL, JSONLD_NONE, &S30_CLR201_Association, false, false},
    {"ClrCredential", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#ClrCredential", JSONLD_PLAIN, NULL, JSONLD_NONE, &S31_CLR201_ClrCredential, false, false},
    {"ClrSubject", "https://purl.imsglobal.org/spec/vc/clr/vocab.html#ClrSubject", JSONLD_PLAIN, NULL, JSONLD_NONE, &S32_CLR201_ClrSubject, false, false},
    {"id", "@id", JSONLD_ALIAS_ID, NULL, JSONLD_NONE, NULL, false, false},
    {"type", "@type", JSONLD_ALIAS_TYPE, NULL, JSONLD_NONE, NULL, false, false},
};
static const jsonld_context S29_CLR201 = {false, S29_CLR201_terms, 5};

static const jsonld_context *const KNOWN[] = {
    &S1_VC2,
    &S11_DI2,
    &S12_BSL1,
    &S13_OB303,
    &S29_CLR201,
};
static const char *const KNOWN_URLS[] = {
    "https://www.w3.org/ns/credentials/v2",
    "https://w3id.org/security/data-integrity/v2",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
};

const jsonld_context *jsonld_ctx_find(const char *url) {
    for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++)
        if (!strcmp(url, KNOWN_URLS[i])) return KNOWN[i];
    return NULL;
}

static int cmp_term(const void *key, const void *elem) {
    return strcmp(key, ((const jsonld_term *)elem)->name);
}

const jsonld_term *jsonld_ctx_term(const jsonld_context *ctx, const char *name) {
    return bsearch(name, ctx->terms, ctx->nterms, sizeof ctx->terms[0], cmp_term);
}

static bool str_eq(const char *a, const char *b) {
    return a == b || (a && b && !strcmp(a, b));
}

bool jsonld_ctx_term_equal(const jsonld_term *a, const jsonld_term *b) {
    return str_eq(a->iri, b->iri) && a->kind == b->kind && str_eq(a->datatype, b->datatype) &&
           a->container == b->container && a->scoped == b->scoped && a->prefix == b->prefix &&
           a->null_context == b->null_context;
}
