/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for badges/jsonld_ctx: the transcribed context tables resolve the terms
 * Passport uses to the IRIs of the published contexts, with their coercions, containers
 * and scoped contexts, and are sorted for binary search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/jsonld_ctx.h"

#define VC2 "https://www.w3.org/ns/credentials/v2"
#define OB "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#define CLR "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
#define OBV "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"

static void test_known_urls(void **state) {
    (void)state;
    assert_non_null(jsonld_ctx_find(VC2));
    assert_non_null(jsonld_ctx_find(OB));
    assert_non_null(jsonld_ctx_find(CLR));
    assert_non_null(jsonld_ctx_find("https://w3id.org/security/data-integrity/v2"));
    assert_non_null(jsonld_ctx_find("https://www.w3.org/ns/credentials/status/v1"));
    assert_null(jsonld_ctx_find("https://www.w3.org/2018/credentials/v1"));
    assert_null(jsonld_ctx_find(""));
}

static void test_vc_terms(void **state) {
    (void)state;
    const jsonld_context *vc = jsonld_ctx_find(VC2);
    assert_true(vc->protected_terms);
    const jsonld_term *t = jsonld_ctx_term(vc, "type");
    assert_int_equal(t->kind, JSONLD_ALIAS_TYPE);
    const jsonld_term *cred = jsonld_ctx_term(vc, "VerifiableCredential");
    assert_string_equal(cred->iri, "https://www.w3.org/2018/credentials#VerifiableCredential");
    assert_non_null(cred->scoped);
    const jsonld_term *proof = jsonld_ctx_term(cred->scoped, "proof");
    assert_int_equal(proof->container, JSONLD_GRAPH);
    assert_int_equal(proof->kind, JSONLD_ID);
    const jsonld_term *vf = jsonld_ctx_term(cred->scoped, "validFrom");
    assert_int_equal(vf->kind, JSONLD_TYPED);
    assert_string_equal(vf->datatype, "http://www.w3.org/2001/XMLSchema#dateTime");
    /* no @vocab: an unknown term is not in the table */
    assert_null(jsonld_ctx_term(vc, "foo"));
    /* proofPurpose is @vocab-typed with a property-scoped context defining assertionMethod */
    const jsonld_term *dip = jsonld_ctx_term(vc, "DataIntegrityProof");
    const jsonld_term *pp = jsonld_ctx_term(dip->scoped, "proofPurpose");
    assert_int_equal(pp->kind, JSONLD_VOCAB);
    assert_string_equal(jsonld_ctx_term(pp->scoped, "assertionMethod")->iri, "https://w3id.org/security#assertionMethod");
    /* the same scoped context object in VC 2.0 and Data Integrity v2: equal definitions */
    const jsonld_term *dip2 = jsonld_ctx_term(jsonld_ctx_find("https://w3id.org/security/data-integrity/v2"), "DataIntegrityProof");
    assert_true(jsonld_ctx_term_equal(dip, dip2));
    assert_false(jsonld_ctx_term_equal(dip, cred));
}

static void test_ob_terms(void **state) {
    (void)state;
    const jsonld_context *ob = jsonld_ctx_find(OB);
    /* "AchievementCredential": {"@id": "OpenBadgeCredential"} refers to another term */
    assert_string_equal(jsonld_ctx_term(ob, "AchievementCredential")->iri, OBV "OpenBadgeCredential");
    const jsonld_term *ach = jsonld_ctx_term(ob, "Achievement");
    const jsonld_term *crit = jsonld_ctx_term(ach->scoped, "criteria");
    assert_string_equal(crit->iri, OBV "Criteria");
    assert_int_equal(crit->kind, JSONLD_ID);
    assert_int_equal(jsonld_ctx_term(ach->scoped, "alignment")->container, JSONLD_SET);
    const jsonld_term *al = jsonld_ctx_term(ob, "Alignment");
    assert_string_equal(al->iri, "https://schema.org/AlignmentObject");
    assert_string_equal(jsonld_ctx_term(al->scoped, "targetUrl")->datatype, "https://www.w3.org/2001/XMLSchema#anyURI");
    const jsonld_term *io = jsonld_ctx_term(ob, "IdentityObject");
    assert_int_equal(jsonld_ctx_term(io->scoped, "hashed")->kind, JSONLD_TYPED);
    const jsonld_term *rd = jsonld_ctx_term(ob, "ResultDescription");
    assert_int_equal(jsonld_ctx_term(rd->scoped, "allowedValue")->container, JSONLD_LIST);
    /* a compact IRI whose prefix is undefined stays as written */
    assert_string_equal(jsonld_ctx_term(ob, "awardedDate")->datatype, "xsd:dateTime");
}

static void test_clr_terms(void **state) {
    (void)state;
    const jsonld_context *clr = jsonld_ctx_find(CLR);
    assert_false(clr->protected_terms);
    const jsonld_term *subj = jsonld_ctx_term(clr, "ClrSubject");
    const jsonld_term *vc = jsonld_ctx_term(subj->scoped, "verifiableCredential");
    assert_string_equal(vc->iri, "https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential");
    assert_string_equal(vc->datatype, "https://www.w3.org/2018/credentials#verifiableCredential");
    assert_true(jsonld_ctx_term(subj->scoped, "obi")->prefix);
    assert_false(jsonld_ctx_term(subj->scoped, "achievement")->prefix);
}

static void test_tables_sorted(void **state) {
    (void)state;
    const char *urls[] = {VC2, OB, CLR};
    for (size_t u = 0; u < 3; u++) {
        const jsonld_context *c = jsonld_ctx_find(urls[u]);
        for (size_t i = 1; i < c->nterms; i++) assert_true(strcmp(c->terms[i - 1].name, c->terms[i].name) < 0);
        for (size_t i = 0; i < c->nterms; i++) assert_ptr_equal(jsonld_ctx_term(c, c->terms[i].name), &c->terms[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_urls),
        cmocka_unit_test(test_vc_terms),
        cmocka_unit_test(test_ob_terms),
        cmocka_unit_test(test_clr_terms),
        cmocka_unit_test(test_tables_sorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
