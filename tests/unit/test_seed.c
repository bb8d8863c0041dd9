/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for talent/seed against a real store: counts, units, evidence within the rules,
 * accounts that cannot log in, a second run that adds after the first, and the index
 * built over the result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "people/account.h"
#include "people/password.h"
#include "skills/skills.h"
#include "talent/index.h"
#include "talent/seed.h"
#include "testutil.h"

static void seeds_an_organisation(void **state) {
    (void)state;
    test_db *t = test_db_open();
    perr err = {{0}};
    talent_seed_stats st;
    assert_false(talent_seed(t->s, 10, 1, &st, &err)); /* no framework loaded yet */
    assert_true(skills_sync_frameworks(t->s, "courses", &err));
    assert_true(talent_seed(t->s, 500, 1, &st, &err));
    assert_int_equal(st.agents, 500);
    assert_int_equal(test_count(t->s, "SELECT count(*) FROM users WHERE email LIKE 'agent%@seed.passport.test'"), 500);
    assert_int_equal(test_count(t->s, "SELECT count(*) FROM evidence"), st.evidence);
    assert_true(st.evidence >= 2 * 500 && st.evidence <= 12 * 500);
    assert_int_equal(test_count(t->s, "SELECT count(*) FROM users WHERE visibility <> 'hidden'"), st.visible);
    assert_true(st.visible > 100 && st.visible < 300); /* about 40 % */
    assert_int_equal(test_count(t->s, "SELECT count(*) FROM users WHERE unit_id IS NULL"), 0);
    assert_int_equal(test_count(t->s, "SELECT count(*) FROM evidence WHERE level NOT BETWEEN 1 AND 8"), 0);
    /* seeded accounts cannot log in */
    account *a = account_by_email(t->s, "agent1@seed.passport.test", &err);
    assert_non_null(a);
    assert_false(password_verify(a->password_hash, "seed:no-login"));
    account_free(a);
    /* a second run continues the numbering */
    assert_true(talent_seed(t->s, 20, 1, &st, &err));
    assert_int_equal(test_count(t->s, "SELECT count(*) FROM users WHERE email = 'agent520@seed.passport.test'"), 1);
    talent_index *ix = talent_index_new(t->s);
    assert_true(talent_index_refresh(ix, &err));
    assert_int_equal(talent_index_size(ix), 520);
    talent_index_free(ix);
    test_db_close(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seeds_an_organisation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
