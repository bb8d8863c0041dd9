/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for badges/share: baked SVG (OB 3.0 openbadges:credential in CDATA, namespace on
 * the root, round trip), and share links (unguessable, owner only, revocable). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "badges/share.h"
#include "people/account.h"
#include "testutil.h"

static void bakes_after_the_root_tag(void **state) {
    (void)state;
    const char *svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 8 8\">"
                      "<circle r=\"3\"/></svg>\n";
    const char *json = "{\"name\":\"Sécurité « numérique »\",\"a\":\"<b>&\"}";
    char *out = share_bake_svg(svg, json);
    assert_non_null(out);
    assert_non_null(strstr(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 8 8\" "
                                "xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">\n"
                                "<openbadges:credential><![CDATA["));
    assert_true(strstr(out, "<openbadges:credential>") < strstr(out, "<circle"));
    assert_non_null(strstr(out, "</svg>"));
    char *back = share_unbake_svg(out);
    assert_string_equal(back, json);
    free(back);
    free(out);
}

static void bakes_self_closing_and_refuses_cdata_end(void **state) {
    (void)state;
    char *out = share_bake_svg("<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "{}");
    assert_non_null(out);
    assert_non_null(strstr(out, "<![CDATA[{}]]></openbadges:credential>\n</svg>"));
    free(out);
    assert_null(share_bake_svg("<svg>", "{\"a\":\"]]>\"}"));
    assert_null(share_bake_svg("<html>", "{}"));
    assert_null(share_unbake_svg("<svg></svg>"));
}

static void share_links(void **state) {
    (void)state;
    test_db *t = test_db_open();
    store *s = t->s;
    perr err = {{0}};
    long long alice = 0, bob = 0;
    assert_true(account_create(s, "alice@x.fr", "Alice", 0, ROLE_AGENT, "fr", NULL, &alice, &err));
    assert_true(account_create(s, "bob@x.fr", "Bob", 0, ROLE_AGENT, "fr", NULL, &bob, &err));
    assert_true(store_exec(s,
                           "INSERT INTO achievements (slug, name) VALUES ('a', 'A');"
                           "INSERT INTO credentials (uid, user_id, achievement_id, issued_at, status_index, json)"
                           " VALUES ('urn:uuid:1', 1, 1, 0, 5, '{}');",
                           &err));
    char tok[SHARE_TOKEN_LEN + 1], tok2[SHARE_TOKEN_LEN + 1];
    assert_false(share_create(s, bob, 1, false, tok, &err)); /* not Bob's */
    assert_true(share_create(s, alice, 1, false, tok, &err));
    assert_true(share_create(s, alice, 1, true, tok2, &err));
    char *holder = share_holder_name(s, tok2); /* Alice chose to show her name on this one */
    assert_non_null(holder);
    free(holder);
    assert_null(share_holder_name(s, tok));
    assert_int_equal(strlen(tok), SHARE_TOKEN_LEN);
    assert_string_not_equal(tok, tok2);
    assert_int_equal(share_find(s, tok), 1);
    assert_int_equal(share_find(s, "short"), 0);
    assert_false(share_revoke(s, bob, 1, &err)); /* not his: refused as absent */
    assert_string_equal(err.msg, "badges.error.not_found");
    assert_false(share_revoke(s, alice, 4242, &err));
    assert_string_equal(err.msg, "badges.error.not_found");
    assert_int_equal(share_find(s, tok), 1);
    assert_true(share_revoke(s, alice, 1, &err));
    assert_int_equal(share_find(s, tok), 0);
    assert_int_equal(share_find(s, tok2), 0);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bakes_after_the_root_tag),
        cmocka_unit_test(bakes_self_closing_and_refuses_cdata_end),
        cmocka_unit_test(share_links),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
