/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/jsonld: a complete Open Badges 3.0 credential reproduced byte
 * for byte, value kinds, and the documents jsonld.js safe mode refuses. */

/* The expected N-Quads were computed by jsonld.js 9 canonize (safe mode). The
 * differential test over random credentials is tests/e2e/canon.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/jsonld.h"

static const char *const CREDENTIAL_LINES[] = {
    "{\n",
    " \"@context\": [\n",
    "  \"https://www.w3.org/ns/credentials/v2\",\n",
    "  \"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"\n",
    " ],\n",
    " \"id\": \"urn:uuid:1\",\n",
    " \"type\": [\n",
    "  \"VerifiableCredential\",\n",
    "  \"OpenBadgeCredential\"\n",
    " ],\n",
    " \"issuer\": {\n",
    "  \"id\": \"did:key:z6MkTest\",\n",
    "  \"type\": [\n",
    "   \"Profile\"\n",
    "  ],\n",
    "  \"name\": \"DINUM\",\n",
    "  \"url\": \"https://ex.fr\"\n",
    " },\n",
    " \"validFrom\": \"2026-01-01T00:00:00Z\",\n",
    " \"name\": \"Badge \\\"é\\\"\\n😀\",\n",
    " \"credentialSubject\": {\n",
    "  \"type\": [\n",
    "   \"AchievementSubject\"\n",
    "  ],\n",
    "  \"identifier\": [\n",
    "   {\n",
    "    \"type\": \"IdentityObject\",\n",
    "    \"identityHash\": \"sha256$ab\",\n",
    "    \"identityType\": \"emailAddress\",\n",
    "    \"hashed\": true,\n",
    "    \"salt\": \"s\"\n",
    "   }\n",
    "  ],\n",
    "  \"achievement\": {\n",
    "   \"id\": \"https://ex.fr/a/1\",\n",
    "   \"type\": [\n",
    "    \"Achievement\"\n",
    "   ],\n",
    "   \"name\": \"A\",\n",
    "   \"description\": \"D\",\n",
    "   \"criteria\": {\n",
    "    \"narrative\": \"N\"\n",
    "   },\n",
    "   \"image\": {\n",
    "    \"id\": \"https://ex.fr/i.svg\",\n",
    "    \"type\": \"Image\"\n",
    "   },\n",
    "   \"alignment\": [\n",
    "    {\n",
    "     \"type\": [\n",
    "      \"Alignment\"\n",
    "     ],\n",
    "     \"targetName\": \"T\",\n",
    "     \"targetUrl\": \"https://ex.fr/f/1\",\n",
    "     \"targetCode\": \"1.1\",\n",
    "     \"targetFramework\": \"CRCN\",\n",
    "     \"targetType\": \"CFItem\"\n",
    "    }\n",
    "   ]\n",
    "  }\n",
    " },\n",
    " \"credentialStatus\": {\n",
    "  \"id\": \"https://ex.fr/s/1#5\",\n",
    "  \"type\": \"BitstringStatusListEntry\",\n",
    "  \"statusPurpose\": \"revocation\",\n",
    "  \"statusListIndex\": \"5\",\n",
    "  \"statusListCredential\": \"https://ex.fr/s/1\"\n",
    " },\n",
    " \"proof\": [\n",
    "  {\n",
    "   \"type\": \"DataIntegrityProof\",\n",
    "   \"cryptosuite\": \"eddsa-rdfc-2022\",\n",
    "   \"created\": \"2026-01-01T00:00:00Z\",\n",
    "   \"verificationMethod\": \"did:key:z6MkTest#z6MkTest\",\n",
    "   \"proofPurpose\": \"assertionMethod\",\n",
    "   \"proofValue\": \"z5\"\n",
    "  }\n",
    " ]\n",
    "}\n",
    NULL,
};

/* jsonld.canonize(CREDENTIAL without proof), one line per element */
static const char *const CANONICAL_NO_PROOF_LINES[] = {
    "<did:key:z6MkTest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile> .\n",
    "<did:key:z6MkTest> <https://schema.org/name> \"DINUM\" .\n",
    "<did:key:z6MkTest> <https://schema.org/url> \"https://ex.fr\"^^<https://www.w3.org/2001/XMLSchema#anyURI> .\n",
    "<https://ex.fr/a/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .\n",
    "<https://ex.fr/a/1> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria> _:c14n0 .\n",
    "<https://ex.fr/a/1> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#alignment> _:c14n1 .\n",
    "<https://ex.fr/a/1> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#image> <https://ex.fr/i.svg> .\n",
    "<https://ex.fr/a/1> <https://schema.org/description> \"D\" .\n",
    "<https://ex.fr/a/1> <https://schema.org/name> \"A\" .\n",
    "<https://ex.fr/i.svg> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Image> .\n",
    "<https://ex.fr/s/1#5> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/ns/credentials/status#BitstringStatusListEntry> .\n",
    "<https://ex.fr/s/1#5> <https://www.w3.org/ns/credentials/status#statusListCredential> <https://ex.fr/s/1> .\n",
    "<https://ex.fr/s/1#5> <https://www.w3.org/ns/credentials/status#statusListIndex> \"5\" .\n",
    "<https://ex.fr/s/1#5> <https://www.w3.org/ns/credentials/status#statusPurpose> \"revocation\" .\n",
    "<urn:uuid:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> .\n",
    "<urn:uuid:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n",
    "<urn:uuid:1> <https://schema.org/name> \"Badge \\\"é\\\"\\n😀\" .\n",
    "<urn:uuid:1> <https://www.w3.org/2018/credentials#credentialStatus> <https://ex.fr/s/1#5> .\n",
    "<urn:uuid:1> <https://www.w3.org/2018/credentials#credentialSubject> _:c14n3 .\n",
    "<urn:uuid:1> <https://www.w3.org/2018/credentials#issuer> <did:key:z6MkTest> .\n",
    "<urn:uuid:1> <https://www.w3.org/2018/credentials#validFrom> \"2026-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n",
    "_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> \"N\" .\n",
    "_:c14n1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/AlignmentObject> .\n",
    "_:c14n1 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetCode> \"1.1\" .\n",
    "_:c14n1 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetType> \"CFItem\" .\n",
    "_:c14n1 <https://schema.org/targetFramework> \"CRCN\" .\n",
    "_:c14n1 <https://schema.org/targetName> \"T\" .\n",
    "_:c14n1 <https://schema.org/targetUrl> \"https://ex.fr/f/1\"^^<https://www.w3.org/2001/XMLSchema#anyURI> .\n",
    "_:c14n2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#IdentityObject> .\n",
    "_:c14n2 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#hashed> \"true\"^^<https://www.w3.org/2001/XMLSchema#boolean> .\n",
    "_:c14n2 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityHash> \"sha256$ab\" .\n",
    "_:c14n2 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityType> \"emailAddress\" .\n",
    "_:c14n2 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#salt> \"s\" .\n",
    "_:c14n3 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .\n",
    "_:c14n3 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement> <https://ex.fr/a/1> .\n",
    "_:c14n3 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifier> _:c14n2 .\n",
    NULL,
};

/* jsonld.canonize(CREDENTIAL), one line per element */
static const char *const CANONICAL_LINES[] = {
    "<did:key:z6MkTest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile> .\n",
    "<did:key:z6MkTest> <https://schema.org/name> \"DINUM\" .\n",
    "<did:key:z6MkTest> <https://schema.org/url> \"https://ex.fr\"^^<https://www.w3.org/2001/XMLSchema#anyURI> .\n",
    "<https://ex.fr/a/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .\n",
    "<https://ex.fr/a/1> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria> _:c14n0 .\n",
    "<https://ex.fr/a/1> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#alignment> _:c14n1 .\n",
    "<https://ex.fr/a/1> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#image> <https://ex.fr/i.svg> .\n",
    "<https://ex.fr/a/1> <https://schema.org/description> \"D\" .\n",
    "<https://ex.fr/a/1> <https://schema.org/name> \"A\" .\n",
    "<https://ex.fr/i.svg> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Image> .\n",
    "<https://ex.fr/s/1#5> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/ns/credentials/status#BitstringStatusListEntry> .\n",
    "<https://ex.fr/s/1#5> <https://www.w3.org/ns/credentials/status#statusListCredential> <https://ex.fr/s/1> .\n",
    "<https://ex.fr/s/1#5> <https://www.w3.org/ns/credentials/status#statusListIndex> \"5\" .\n",
    "<https://ex.fr/s/1#5> <https://www.w3.org/ns/credentials/status#statusPurpose> \"revocation\" .\n",
    "<urn:uuid:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> .\n",
    "<urn:uuid:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n",
    "<urn:uuid:1> <https://schema.org/name> \"Badge \\\"é\\\"\\n😀\" .\n",
    "<urn:uuid:1> <https://w3id.org/security#proof> _:c14n3 .\n",
    "<urn:uuid:1> <https://www.w3.org/2018/credentials#credentialStatus> <https://ex.fr/s/1#5> .\n",
    "<urn:uuid:1> <https://www.w3.org/2018/credentials#credentialSubject> _:c14n5 .\n",
    "<urn:uuid:1> <https://www.w3.org/2018/credentials#issuer> <did:key:z6MkTest> .\n",
    "<urn:uuid:1> <https://www.w3.org/2018/credentials#validFrom> \"2026-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n",
    "_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> \"N\" .\n",
    "_:c14n1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://schema.org/AlignmentObject> .\n",
    "_:c14n1 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetCode> \"1.1\" .\n",
    "_:c14n1 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetType> \"CFItem\" .\n",
    "_:c14n1 <https://schema.org/targetFramework> \"CRCN\" .\n",
    "_:c14n1 <https://schema.org/targetName> \"T\" .\n",
    "_:c14n1 <https://schema.org/targetUrl> \"https://ex.fr/f/1\"^^<https://www.w3.org/2001/XMLSchema#anyURI> .\n",
    "_:c14n2 <http://purl.org/dc/terms/created> \"2026-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> _:c14n3 .\n",
    "_:c14n2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> _:c14n3 .\n",
    "_:c14n2 <https://w3id.org/security#cryptosuite> \"eddsa-rdfc-2022\"^^<https://w3id.org/security#cryptosuiteString> _:c14n3 .\n",
    "_:c14n2 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> _:c14n3 .\n",
    "_:c14n2 <https://w3id.org/security#proofValue> \"z5\"^^<https://w3id.org/security#multibase> _:c14n3 .\n",
    "_:c14n2 <https://w3id.org/security#verificationMethod> <did:key:z6MkTest#z6MkTest> _:c14n3 .\n",
    "_:c14n4 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#IdentityObject> .\n",
    "_:c14n4 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#hashed> \"true\"^^<https://www.w3.org/2001/XMLSchema#boolean> .\n",
    "_:c14n4 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityHash> \"sha256$ab\" .\n",
    "_:c14n4 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityType> \"emailAddress\" .\n",
    "_:c14n4 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#salt> \"s\" .\n",
    "_:c14n5 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .\n",
    "_:c14n5 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement> <https://ex.fr/a/1> .\n",
    "_:c14n5 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifier> _:c14n4 .\n",
    NULL,
};

/* Joins a NULL-terminated array of lines (C89 limits the length of one literal). */
static char *join(const char *const *lines) {
    buf b = BUF_INIT;
    for (; *lines; lines++) buf_puts(&b, *lines);
    return buf_detach(&b);
}

static json_t *parse(const char *text) {
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    if (!doc) fail_msg("bad JSON in test: %s", jerr.text);
    return doc;
}

/* Canonicalises text; returns the N-Quads (caller frees) or NULL with err set. */
static char *canon(const char *text, perr *err) {
    json_t *doc = parse(text);
    char *out = NULL;
    bool ok = jsonld_canonize(doc, &out, err);
    json_decref(doc);
    return ok ? out : NULL;
}

static void test_credential(void **state) {
    (void)state;
    perr err = {""};
    char *credential = join(CREDENTIAL_LINES), *want = join(CANONICAL_LINES);
    char *want_no_proof = join(CANONICAL_NO_PROOF_LINES);
    char *out = canon(credential, &err);
    if (!out) fail_msg("%s", err.msg);
    assert_string_equal(out, want);
    free(out);
    json_t *doc = parse(credential);
    json_object_del(doc, "proof");
    assert_true(jsonld_canonize(doc, &out, &err));
    assert_string_equal(out, want_no_proof);
    free(out);
    json_decref(doc);
    free(credential);
    free(want);
    free(want_no_proof);
}

static void test_quads_before_canonicalisation(void **state) {
    (void)state;
    char *credential = join(CREDENTIAL_LINES);
    json_t *doc = parse(credential);
    free(credential);
    rdf_quads *q = rdf_quads_new();
    perr err = {""};
    assert_true(jsonld_to_quads(doc, q, &err));
    assert_int_equal(q->len, 43); /* the 43 lines of CANONICAL: no duplicates here */
    size_t in_graph = 0;
    for (size_t i = 0; i < q->len; i++)
        if (q->items[i].g.kind == RDF_BLANK) in_graph++;
    assert_int_equal(in_graph, 6); /* the proof's six statements live in their own graph */
    rdf_quads_free(q);
    json_decref(doc);
}

#define CTX "\"@context\":[\"https://www.w3.org/ns/credentials/v2\"," \
            "\"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],\"id\":\"urn:x\","

static void test_value_kinds(void **state) {
    (void)state;
    perr err = {""};
    char *out = canon("{" CTX "\"type\":\"VerifiableCredential\",\"name\":{\"@value\":\"Bonjour\",\"@language\":\"FR-fr\"},"
                      "\"description\":[null,1,2.5,true,{\"@value\":\"x\",\"@type\":\"urn:t\"}],\"validFrom\":5}",
                      &err);
    if (!out) fail_msg("%s", err.msg);
    assert_string_equal(out,
        "<urn:x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n"
        "<urn:x> <https://schema.org/description> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
        "<urn:x> <https://schema.org/description> \"2.5E0\"^^<http://www.w3.org/2001/XMLSchema#double> .\n"
        "<urn:x> <https://schema.org/description> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n"
        "<urn:x> <https://schema.org/description> \"x\"^^<urn:t> .\n"
        "<urn:x> <https://schema.org/name> \"Bonjour\"@fr-fr .\n"
        "<urn:x> <https://www.w3.org/2018/credentials#validFrom> \"5\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n");
    free(out);
}

static void test_lists_and_blank_ids(void **state) {
    (void)state;
    perr err = {""};
    char *out = canon("{" CTX "\"type\":\"VerifiableCredential\",\"credentialSubject\":[{},{\"id\":\"_:foo\"},"
                      "{\"id\":\"_:foo\",\"name\":\"n\"}],\"evidence\":{\"@list\":[]}}",
                      &err);
    if (!out) fail_msg("%s", err.msg);
    assert_string_equal(out,
        "<urn:x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .\n"
        "<urn:x> <https://www.w3.org/2018/credentials#credentialSubject> _:c14n0 .\n"
        "<urn:x> <https://www.w3.org/2018/credentials#credentialSubject> _:c14n1 .\n"
        "<urn:x> <https://www.w3.org/2018/credentials#evidence> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .\n"
        "_:c14n0 <https://schema.org/name> \"n\" .\n");
    free(out);
    /* ResultDescription.allowedValue is an @list container */
    out = canon("{" CTX "\"type\":\"VerifiableCredential\",\"credentialSubject\":{\"type\":\"AchievementSubject\","
                "\"achievement\":{\"id\":\"urn:a\",\"type\":\"Achievement\",\"resultDescription\":"
                "{\"type\":\"ResultDescription\",\"allowedValue\":[\"a\",\"b\"]}}}}",
                &err);
    if (!out) fail_msg("%s", err.msg);
    assert_non_null(strstr(out, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> \"a\" .\n"));
    assert_non_null(strstr(out, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> \"b\" .\n"));
    assert_non_null(strstr(out, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .\n"));
    free(out);
}

/* CTX followed by an inline context object with the members m. */
#define CTX_INLINE(m) \
    "\"@context\":[\"https://www.w3.org/ns/credentials/v2\",{" m "}],\"id\":\"urn:x\","

/* Inline context objects: prefixes, typed and @id terms, a reference to a term of the
 * active context, an alias of "id" (expected quads as jsonld.js gives them). */
static void test_inline_context(void **state) {
    (void)state;
    const char *doc = "{" CTX_INLINE("\"ex\":\"https://ex.org/v#\",\"lvl\":{\"@id\":\"ex:lvl\",\"@type\":"
                                     "\"http://www.w3.org/2001/XMLSchema#integer\"},\"home\":{\"@id\":\"ex:home\","
                                     "\"@type\":\"@id\"},\"label\":\"name\"")
                      "\"type\":\"VerifiableCredential\",\"lvl\":\"3\",\"home\":\"https://h.org/\",\"label\":\"L\"}";
    json_t *d = json_loads(doc, 0, NULL);
    assert_non_null(d);
    char *out = NULL;
    perr err = {""};
    if (!jsonld_canonize(d, &out, &err)) fail_msg("%s", err.msg);
    assert_non_null(strstr(out, "<urn:x> <https://ex.org/v#lvl> \"3\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"));
    assert_non_null(strstr(out, "<urn:x> <https://ex.org/v#home> <https://h.org/> .\n"));
    assert_non_null(strstr(out, "<urn:x> <https://schema.org/name> \"L\" .\n"));
    free(out);
    json_decref(d);
}

static void test_rejections(void **state) {
    (void)state;
    static const struct {
        const char *doc, *msg;
    } cases[] = {
        {"{" CTX "\"type\":\"VerifiableCredential\",\"mystery\":1}", "unknown term 'mystery'"},
        {"{" CTX "\"type\":[\"VerifiableCredential\",\"Foo\"]}", "unknown type 'Foo'"},
        {"{" CTX "\"type\":\"VerifiableCredential\",\"issuer\":\"relative/x\"}", "not an absolute IRI"},
        {"{" CTX "\"type\":\"VerifiableCredential\",\"issuer\":{\"id\":\"https://exa mple\"}}", "not an absolute IRI"},
        {"{\"@context\":\"https://example.org/unknown\",\"id\":\"urn:x\",\"name\":\"x\"}", "unknown @context"},
        {"{\"@context\":{\"@vocab\":\"urn:v\"},\"name\":\"x\"}", "@vocab is not supported"},
        {"{\"@context\":{\"name\":\"relative\"},\"name\":\"x\"}", "does not expand to an absolute IRI"},
        {"{" CTX_INLINE("\"name\":\"urn:other\"") "\"type\":\"VerifiableCredential\",\"name\":\"x\"}",
         "protected term redefinition"},
        {"{\"id\":\"urn:x\",\"name\":\"x\"}", "no @context"},
        {"{" CTX "\"type\":\"VerifiableCredential\",\"description\":{\"@value\":null}}", "null @value"},
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\",\"id\":\"urn:x\"}", "only an id"},
        {"{\"@context\":\"https://www.w3.org/ns/credentials/v2\"}", "empty object"},
        {"{" CTX "\"type\":\"VerifiableCredential\",\"proof\":[\"https://p\"]}", "only an id"},
        {"{" CTX "\"type\":\"VerifiableCredential\",\"name\":{\"@value\":\"x\",\"@language\":\"not a tag\"}}", "invalid @language"},
        {"{" CTX "\"type\":\"VerifiableCredential\",\"@reverse\":{}}", "not supported"},
        {"[]", "must be a JSON object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t jerr;
        json_t *doc = json_loads(cases[i].doc, 0, &jerr);
        assert_non_null(doc);
        char *out = NULL;
        perr err = {""};
        if (jsonld_canonize(doc, &out, &err)) fail_msg("case %zu accepted: %s", i, out);
        if (!strstr(err.msg, cases[i].msg)) fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
        json_decref(doc);
    }
}

/* Every JSON number as jsonld.js writes it (read as JavaScript reads JSON: integers beyond
 * 2^53 rounded): xsd:integer by toFixed(0) when String(v) has no '.' and |v| < 1e21, else
 * the canonical xsd:double of toExponential(15). */
static void test_numbers(void **state) {
    (void)state;
    static const struct {
        const char *json, *lexical;
    } cases[] = {
        {"1e20", "\"100000000000000000000\"^^<http://www.w3.org/2001/XMLSchema#integer>"},
        {"1.5e-7", "\"1.5E-7\"^^<http://www.w3.org/2001/XMLSchema#double>"},
        {"1e-7", "\"0\"^^<http://www.w3.org/2001/XMLSchema#integer>"},
        {"-1e-7", "\"-0\"^^<http://www.w3.org/2001/XMLSchema#integer>"},
        {"1e21", "\"1.0E21\"^^<http://www.w3.org/2001/XMLSchema#double>"},
        {"0.000001", "\"1.0E-6\"^^<http://www.w3.org/2001/XMLSchema#double>"},
        {"9007199254740993", "\"9007199254740992\"^^<http://www.w3.org/2001/XMLSchema#integer>"},
        {"123456789012345678901234", "\"1.234567890123457E23\"^^<http://www.w3.org/2001/XMLSchema#double>"},
        {"2.5", "\"2.5E0\"^^<http://www.w3.org/2001/XMLSchema#double>"},
        {"-0.0", "\"0\"^^<http://www.w3.org/2001/XMLSchema#integer>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[300];
        snprintf(text, sizeof text, "{" CTX "\"type\":\"VerifiableCredential\",\"name\":%s}", cases[i].json);
        json_error_t jerr;
        json_t *doc = json_loads(text, JSON_DECODE_INT_AS_REAL, &jerr);
        assert_non_null(doc);
        char *out = NULL;
        perr err = {""};
        if (!jsonld_canonize(doc, &out, &err)) fail_msg("%s refused: %s", cases[i].json, err.msg);
        if (!strstr(out, cases[i].lexical)) fail_msg("%s gave %s, not %s", cases[i].json, out, cases[i].lexical);
        free(out);
        json_decref(doc);
    }
}

static void test_protected_redefinition(void **state) {
    (void)state;
    /* Data Integrity v2 after VC 2.0 redefines its protected terms identically: fine */
    perr err = {""};
    char *out = canon("{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://w3id.org/security/data-integrity/v2\","
                      "\"https://www.w3.org/ns/credentials/status/v1\"],\"id\":\"urn:x\",\"type\":\"VerifiableCredential\"}",
                      &err);
    if (!out) fail_msg("%s", err.msg);
    free(out);
    /* CLR 2.0.1's ClrSubject scope has prefixes: obi:Foo expands inside it only */
    out = canon("{\"@context\":[\"https://www.w3.org/ns/credentials/v2\",\"https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json\"],"
                "\"id\":\"urn:x\",\"type\":[\"VerifiableCredential\",\"ClrCredential\"],"
                "\"credentialSubject\":{\"type\":\"ClrSubject\",\"obi:extra\":\"e\"}}",
                &err);
    if (!out) fail_msg("%s", err.msg);
    assert_non_null(strstr(out, "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#extra> \"e\""));
    free(out);
}

static void test_deep_nesting(void **state) {
    (void)state;
    buf b = BUF_INIT;
    buf_puts(&b, "{" CTX "\"type\":\"VerifiableCredential\"");
    for (int i = 0; i < 200; i++) buf_puts(&b, ",\"description\":{\"name\":\"x\"");
    for (int i = 0; i < 200; i++) buf_putc(&b, '}');
    buf_putc(&b, '}');
    perr err = {""};
    char *out = canon(buf_cstr(&b), &err);
    assert_null(out);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    buf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_credential),
        cmocka_unit_test(test_quads_before_canonicalisation),
        cmocka_unit_test(test_value_kinds),
        cmocka_unit_test(test_lists_and_blank_ids),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_inline_context),
        cmocka_unit_test(test_protected_redefinition),
        cmocka_unit_test(test_deep_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
