/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for skills/skills and skills/evidence against a real store: the start-up sync of
 * courses/frameworks, re-imports that keep evidence, all-or-nothing imports, evidence
 * validation and the verified level through the CRCN-DigComp mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "people/account.h"
#include "skills/evidence.h"
#include "skills/skills.h"
#include "testutil.h"

typedef struct fixture {
    char dir[64];
    store *db;
    long long user;
} fixture;

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state) {
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_skills.XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/p.db", fx->dir);
    perr err = {{0}};
    fx->db = store_open(path, &err);
    if (!fx->db) return -1;
    if (!account_create(fx->db, "lea@example.fr", "Léa", 0, ROLE_AGENT, "fr", NULL, &fx->user, &err)) return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    store_free(fx->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
    if (system(cmd) != 0) return -1;
    free(fx);
    return 0;
}

static void test_sync_shipped_frameworks(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    assert_true(skills_sync_frameworks(fx->db, "courses", &err));
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM frameworks"), 2); /* example skipped */
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competencies WHERE code LIKE 'CRCN-%'"), 16);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competencies WHERE code LIKE 'DIGCOMP-%'"), 21);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competency_map"), 27);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competency_levels WHERE text_fr <> '' AND text_en <> ''"),
                     37 * 8);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM framework_areas"), 10);
    assert_true(skills_competency_exists(fx->db, "CRCN-4.1"));
    assert_true(skills_competency_exists(fx->db, "DIGCOMP-5.4"));
    assert_false(skills_competency_exists(fx->db, "CRCN-9.9"));
    assert_false(skills_competency_exists(fx->db, "SIIN-1.1"));
    /* again: idempotent, and evidence survives */
    assert_true(evidence_add(fx->db, fx->user, "CRCN-4.1", 3, EVIDENCE_MEASURED, "module:x@1", 0, NULL, &err));
    assert_true(skills_sync_frameworks(fx->db, "courses", &err));
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competencies"), 37);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competency_map"), 27);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM evidence"), 1);
    assert_false(skills_sync_frameworks(fx->db, "/nonexistent", &err));
    assert_non_null(strstr(err.msg, "cannot open"));
}

#define HEADER                                                                                        \
    "framework,framework_name,version,area,area_title_fr,area_title_en,code,title_fr,title_en,"       \
    "description_fr,description_en,level_1_fr,level_1_en,level_2_fr,level_2_en,level_3_fr,"          \
    "level_3_en,level_4_fr,level_4_en,level_5_fr,level_5_en,level_6_fr,level_6_en,level_7_fr,"       \
    "level_7_en,level_8_fr,level_8_en\n"
#define EMPTY16 ",,,,,,,,,,,,,,,,"

static void test_reimport_updates_titles_keeps_evidence(void **state) {
    fixture *fx = *state;
    char path[128];
    snprintf(path, sizeof path, "%s/it.csv", fx->dir);
    write_file(path, HEADER "IT,Informatique,1,1,Exploitation,Operations,IT-1,Sauvegarder,Back up,," EMPTY16 "\n"
                            "IT,Informatique,1,1,Exploitation,Operations,IT-2,Superviser,Monitor,," EMPTY16 "\n");
    buf problems = BUF_INIT;
    skills_import_stats st;
    char *code = NULL;
    perr err = {{0}};
    assert_true(skills_import_framework(fx->db, path, &problems, &st, &code, &err));
    assert_string_equal(code, "IT");
    free(code);
    assert_int_equal(st.created, 2);
    assert_true(evidence_add(fx->db, fx->user, "IT-1", 4, EVIDENCE_ATTESTED, "", fx->user, "bien", &err));
    assert_true(evidence_add(fx->db, fx->user, "IT-2", 2, EVIDENCE_DECLARED, "", 0, NULL, &err));
    /* new title for IT-1, IT-2 gone, IT-3 new */
    write_file(path, HEADER "IT,Informatique,2,1,Exploitation,Operations,IT-1,Sauvegarder et restaurer,Back up,," EMPTY16 "\n"
                            "IT,Informatique,2,1,Exploitation,Operations,IT-3,Documenter,Document,," EMPTY16 "\n");
    assert_true(skills_import_framework(fx->db, path, &problems, &st, NULL, &err));
    assert_int_equal(st.created, 1);
    assert_int_equal(st.updated, 1);
    assert_int_equal(st.retired, 1);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competencies WHERE code = 'IT-1' AND title_fr = 'Sauvegarder et restaurer'"), 1);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM frameworks WHERE code = 'IT' AND version = '2'"), 1);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM evidence"), 2);
    assert_int_equal(skills_verified_level(fx->db, fx->user, "IT-1"), 4);
    assert_false(skills_competency_exists(fx->db, "IT-2")); /* retired: no new evidence */
    assert_false(evidence_add(fx->db, fx->user, "IT-2", 2, EVIDENCE_DECLARED, "", 0, NULL, &err));
    assert_string_equal(err.msg, "skills.unknown_competency");
    buf_free(&problems);
}

static void test_bad_import_writes_nothing(void **state) {
    fixture *fx = *state;
    char path[128];
    snprintf(path, sizeof path, "%s/bad.csv", fx->dir);
    write_file(path, HEADER "IT,Informatique,1,1,,,IT-1,Un,One,," EMPTY16 "\n"
                            "IT,Informatique,1,1,,,IT-1,Deux,Two,," EMPTY16 "\n");
    buf problems = BUF_INIT;
    perr err = {{0}};
    assert_false(skills_import_framework(fx->db, path, &problems, NULL, NULL, &err));
    assert_string_equal(err.msg, "");
    assert_non_null(strstr(buf_cstr(&problems), "bad.csv:3: duplicate code 'IT-1' (first on line 2)"));
    buf_reset(&problems);
    write_file(path, "framework,code\nIT,IT-1\n");
    assert_false(skills_import_framework(fx->db, path, &problems, NULL, NULL, &err));
    assert_non_null(strstr(buf_cstr(&problems), "bad.csv:1: unexpected header"));
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM frameworks"), 0);
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competencies"), 0);
    /* a mapping naming an unknown code: nothing stored */
    perr e2 = {{0}};
    assert_true(skills_sync_frameworks(fx->db, "courses", &e2));
    buf_reset(&problems);
    write_file(path, "crcn,digcomp\nCRCN-1.1,DIGCOMP-1.1\nCRCN-1.1,DIGCOMP-9.9\n");
    assert_false(skills_import_mapping(fx->db, path, &problems, NULL, &err));
    assert_non_null(strstr(buf_cstr(&problems), "bad.csv:3: unknown competency DIGCOMP-9.9"));
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competency_map"), 27);
    assert_false(skills_import_framework(fx->db, "/nonexistent.csv", &problems, NULL, NULL, &err));
    assert_non_null(strstr(err.msg, "cannot open"));
    buf_free(&problems);
}

static void test_sync_is_all_or_nothing(void **state) {
    fixture *fx = *state;
    char dir[128], path[160];
    snprintf(dir, sizeof dir, "%s/c", fx->dir);
    snprintf(path, sizeof path, "%s/frameworks", dir);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp courses/frameworks/crcn.csv %s/", path, path);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/frameworks/zz.csv", dir);
    write_file(path, HEADER "ZZ,Z,1,1,,,ZZ-1,,One,," EMPTY16 "\n");
    perr err = {{0}};
    assert_false(skills_sync_frameworks(fx->db, dir, &err));
    assert_non_null(strstr(err.msg, "zz.csv:2: required field is empty: title_fr"));
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM competencies"), 0);
}

static void test_evidence_validation(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    assert_true(skills_sync_frameworks(fx->db, "courses", &err));
    assert_false(evidence_add(fx->db, fx->user, "CRCN-4.1", 0, EVIDENCE_MEASURED, "", 0, NULL, &err));
    assert_string_equal(err.msg, "skills.bad_level");
    assert_false(evidence_add(fx->db, fx->user, "CRCN-4.1", 9, EVIDENCE_MEASURED, "", 0, NULL, &err));
    assert_string_equal(err.msg, "skills.bad_level");
    assert_false(evidence_add(fx->db, fx->user, "CRCN-9.1", 3, EVIDENCE_MEASURED, "", 0, NULL, &err));
    assert_string_equal(err.msg, "skills.unknown_competency");
    assert_false(evidence_add(fx->db, fx->user, NULL, 3, EVIDENCE_MEASURED, "", 0, NULL, &err));
    assert_string_equal(err.msg, "skills.unknown_competency");
    assert_false(evidence_add(fx->db, fx->user, "CRCN-4.1", 3, (evidence_kind)7, "", 0, NULL, &err));
    assert_string_equal(err.msg, "skills.bad_kind");
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM evidence"), 0);
    assert_true(evidence_add(fx->db, fx->user, "CRCN-4.1", 8, EVIDENCE_CREDENTIAL, "credential:abc", 0, NULL, &err));
    assert_int_equal(test_count(fx->db, "SELECT count(*) FROM evidence WHERE kind = 'credential' AND author_id IS NULL"
                                   " AND source_ref = 'credential:abc' AND comment = ''"), 1);
    assert_string_equal(evidence_kind_name(EVIDENCE_ATTESTED), "attested");
    assert_int_equal(evidence_kind_parse("declared"), EVIDENCE_DECLARED);
    assert_int_equal(evidence_kind_parse("other"), 0);
}

static void test_verified_level_through_mapping(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    assert_true(skills_sync_frameworks(fx->db, "courses", &err));
    assert_int_equal(skills_verified_level(fx->db, fx->user, "CRCN-4.3"), 0);
    assert_true(evidence_add(fx->db, fx->user, "CRCN-4.3", 7, EVIDENCE_DECLARED, "", 0, "je pense", &err));
    assert_int_equal(skills_verified_level(fx->db, fx->user, "CRCN-4.3"), 0); /* declared never counts */
    assert_true(evidence_add(fx->db, fx->user, "CRCN-4.3", 2, EVIDENCE_MEASURED, "module:a@1", 0, NULL, &err));
    assert_true(evidence_add(fx->db, fx->user, "DIGCOMP-4.4", 3, EVIDENCE_ATTESTED, "", fx->user, NULL, &err));
    assert_int_equal(skills_verified_level(fx->db, fx->user, "CRCN-4.3"), 3);     /* 4.4 maps to CRCN 4.3 */
    assert_int_equal(skills_verified_level(fx->db, fx->user, "DIGCOMP-4.3"), 2);  /* via CRCN-4.3 */
    assert_int_equal(skills_verified_level(fx->db, fx->user, "DIGCOMP-4.4"), 3);
    assert_int_equal(skills_verified_level(fx->db, fx->user, "DIGCOMP-4.2"), 0);
    assert_int_equal(skills_verified_level(fx->db, fx->user, "CRCN-4.2"), 0);
    assert_int_equal(skills_verified_level(fx->db, fx->user + 1, "CRCN-4.3"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sync_shipped_frameworks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reimport_updates_titles_keeps_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_import_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_evidence_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verified_level_through_mapping, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
