/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for skills/passport_view against a real store: levels per competency in CRCN and
 * DigComp terms (through the mapping), the radar's values and geometry, freshness,
 * summary, timeline, forms' data and the team list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/clock.h"
#include "people/account.h"
#include "people/unit.h"
#include "skills/evidence.h"
#include "skills/passport_view.h"
#include "skills/skills.h"

typedef struct fixture {
    char dir[64];
    store *db;
    long long agent, manager, other;
    long long dir_unit, service_unit, other_unit;
} fixture;

static int setup(void **state) {
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/test_pview.XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/p.db", fx->dir);
    perr err = {{0}};
    fx->db = store_open(path, &err);
    if (!fx->db || !skills_sync_frameworks(fx->db, "courses", &err)) return -1;
    bool ok = unit_resolve_path(fx->db, "Direction / Service", true, &fx->service_unit, &err) &&
              unit_resolve_path(fx->db, "Direction", false, &fx->dir_unit, &err) &&
              unit_resolve_path(fx->db, "Autre", true, &fx->other_unit, &err) &&
              account_create(fx->db, "lea@example.fr", "Léa", fx->service_unit, ROLE_AGENT, "fr", NULL, &fx->agent, &err) &&
              account_create(fx->db, "karim@example.fr", "Karim", fx->dir_unit, ROLE_MANAGER, "fr", NULL, &fx->manager, &err) &&
              account_create(fx->db, "marc@example.fr", "Marc", fx->other_unit, ROLE_AGENT, "fr", NULL, &fx->other, &err);
    if (!ok) return -1;
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

static json_t *find_comp(json_t *view, const char *code) {
    size_t i, j;
    json_t *a, *c;
    json_array_foreach(json_object_get(view, "areas"), i, a) json_array_foreach(json_object_get(a, "competencies"), j, c) {
        if (!strcmp(json_string_value(json_object_get(c, "code")), code)) return c;
    }
    return NULL;
}

static int level_of(json_t *view, const char *code, const char *which) {
    json_t *c = find_comp(view, code);
    assert_non_null(c);
    return (int)json_integer_value(json_object_get(c, which));
}

static const char *radar_level(json_t *view, int area) {
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(json_object_get(view, "radar"), "points"), i, p) {
        if (json_integer_value(json_object_get(p, "area")) == area) return json_string_value(json_object_get(p, "level"));
    }
    return NULL;
}

static void add(fixture *fx, const char *code, int level, evidence_kind kind) {
    perr err = {{0}};
    assert_true(evidence_add(fx->db, fx->agent, code, level, kind, "src", kind == EVIDENCE_ATTESTED ? fx->manager : 0,
                             NULL, &err));
}

static void test_empty_passport(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    passport_view_opts o = {.locale = "fr"};
    json_t *v = passport_view_build(fx->db, fx->agent, &o, &err);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "framework"), "code")), "CRCN");
    assert_int_equal(json_array_size(json_object_get(v, "areas")), 5);
    assert_int_equal(json_array_size(json_object_get(json_object_get(v, "radar"), "points")), 5);
    assert_string_equal(radar_level(v, 3), "0.0");
    assert_int_equal(json_array_size(json_object_get(v, "frameworks")), 2);
    assert_int_equal(json_array_size(json_object_get(v, "timeline")), 0);
    assert_int_equal(json_integer_value(json_object_get(v, "stale_months")), 24);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "areas"), 0), "title")),
                        "Information et données");
    json_decref(v);
    o.framework = "NOPE";
    assert_null(passport_view_build(fx->db, fx->agent, &o, &err));
    assert_string_equal(err.msg, "skills.unknown_framework");
}

static void test_levels_and_mapping_view(void **state) {
    fixture *fx = *state;
    add(fx, "CRCN-4.3", 2, EVIDENCE_MEASURED);
    add(fx, "CRCN-4.3", 7, EVIDENCE_DECLARED);
    add(fx, "DIGCOMP-4.4", 5, EVIDENCE_ATTESTED);
    add(fx, "CRCN-1.1", 4, EVIDENCE_CREDENTIAL);
    perr err = {{0}};
    passport_view_opts o = {.framework = "CRCN", .locale = "en"};
    json_t *v = passport_view_build(fx->db, fx->agent, &o, &err);
    assert_non_null(v);
    assert_int_equal(level_of(v, "CRCN-4.3", "verified"), 5); /* via DIGCOMP-4.4 */
    assert_int_equal(level_of(v, "CRCN-4.3", "declared"), 7);
    assert_int_equal(level_of(v, "CRCN-1.1", "verified"), 4);
    assert_int_equal(level_of(v, "CRCN-4.1", "verified"), 0);
    json_t *c43 = find_comp(v, "CRCN-4.3");
    assert_int_equal(json_array_size(json_object_get(c43, "evidence")), 3);
    assert_int_equal(json_integer_value(json_object_get(c43, "evidence_count")), 3);
    json_t *first = json_array_get(json_object_get(c43, "evidence"), 0); /* newest first */
    assert_string_equal(json_string_value(json_object_get(first, "via")), "DIGCOMP-4.4");
    assert_string_equal(json_string_value(json_object_get(first, "author")), "Karim");
    assert_string_equal(json_string_value(json_object_get(c43, "title")), "Protect health, well-being and the environment");
    assert_non_null(json_string_value(json_object_get(c43, "verified_text")));
    /* radar: area 4 = (0 + 0 + 5) / 3 = 1.7; area 1 = 4 / 3 = 1.3 */
    assert_string_equal(radar_level(v, 4), "1.7");
    assert_string_equal(radar_level(v, 1), "1.3");
    assert_string_equal(radar_level(v, 2), "0.0");
    json_t *sum = json_object_get(v, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "verified")), 2);
    assert_int_equal(json_integer_value(json_object_get(sum, "declared")), 1);
    /* every entry of the timeline, and the pieces of evidence: the self-assessment is
     * shown, never counted as one */
    assert_int_equal(json_integer_value(json_object_get(sum, "evidence")), 4);
    assert_int_equal(json_integer_value(json_object_get(sum, "proofs")), 3);
    assert_int_equal(json_array_size(json_object_get(v, "timeline")), 4);
    json_decref(v);

    o.framework = "DIGCOMP";
    v = passport_view_build(fx->db, fx->agent, &o, &err);
    assert_non_null(v);
    assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(v, "areas"), 3), "competencies")), 4);
    assert_int_equal(level_of(v, "DIGCOMP-4.3", "verified"), 2);  /* from CRCN-4.3 */
    assert_int_equal(level_of(v, "DIGCOMP-4.3", "declared"), 7);
    assert_int_equal(level_of(v, "DIGCOMP-4.4", "verified"), 5);  /* direct, and CRCN-4.3's 2 */
    assert_int_equal(level_of(v, "DIGCOMP-1.1", "verified"), 4);  /* CRCN-1.1 -> 1.1 and 1.2 */
    assert_int_equal(level_of(v, "DIGCOMP-1.2", "verified"), 4);
    assert_int_equal(level_of(v, "DIGCOMP-1.3", "verified"), 0);
    /* DigComp area 4 has 4 competencies: (0 + 0 + 2 + 5) / 4 = 1.75 -> 1.8 */
    assert_string_equal(radar_level(v, 4), "1.8");
    /* one hop only: DIGCOMP-4.4's evidence does not reach DIGCOMP-4.3 through CRCN-4.3 */
    json_t *c = find_comp(v, "DIGCOMP-4.3");
    assert_int_equal(json_array_size(json_object_get(c, "evidence")), 2);
    json_decref(v);
}

static void test_radar_geometry(void **state) {
    fixture *fx = *state;
    add(fx, "CRCN-2.1", 8, EVIDENCE_MEASURED);
    add(fx, "CRCN-2.2", 8, EVIDENCE_MEASURED);
    add(fx, "CRCN-2.3", 8, EVIDENCE_MEASURED);
    add(fx, "CRCN-2.4", 8, EVIDENCE_MEASURED);
    perr err = {{0}};
    json_t *v = passport_view_build(fx->db, fx->agent, &(passport_view_opts){.framework = "CRCN", .locale = "fr"}, &err);
    json_t *r = json_object_get(v, "radar");
    assert_int_equal(json_integer_value(json_object_get(r, "size")), PASSPORT_VIEW_RADAR_SIZE);
    assert_int_equal(json_array_size(json_object_get(r, "rings")), 4);
    /* area 1 at level 0 sits just off the centre (8 % of the radius: a shape stays
     * visible at low levels); area 2 at 8 on the outer ring, 72 degrees on */
    json_t *p1 = json_array_get(json_object_get(r, "points"), 0), *p2 = json_array_get(json_object_get(r, "points"), 1);
    assert_string_equal(json_string_value(json_object_get(p1, "x")), "180.0");
    assert_string_equal(json_string_value(json_object_get(p1, "y")), "170.4");
    /* axes are named, long names on two lines */
    json_t *ax1 = json_array_get(json_object_get(r, "axes"), 0);
    assert_string_equal(json_string_value(json_object_get(ax1, "label")), "1. Information");
    assert_string_equal(json_string_value(json_object_get(ax1, "label2")), "et données");
    assert_string_equal(json_string_value(json_object_get(p2, "level")), "8.0");
    json_t *ax2 = json_array_get(json_object_get(r, "axes"), 1);
    assert_string_equal(json_string_value(json_object_get(p2, "x")), json_string_value(json_object_get(ax2, "x")));
    assert_string_equal(json_string_value(json_object_get(p2, "y")), json_string_value(json_object_get(ax2, "y")));
    assert_string_equal(json_string_value(json_object_get(p2, "x")), "294.1"); /* 180 + 120 cos(-18 deg) */
    assert_string_equal(json_string_value(json_object_get(p2, "y")), "142.9"); /* 180 + 120 sin(-18 deg) */
    assert_non_null(strstr(json_string_value(json_object_get(r, "polygon")), "294.1,142.9"));
    json_decref(v);
}

static void test_freshness(void **state) {
    fixture *fx = *state;
    add(fx, "CRCN-5.1", 3, EVIDENCE_MEASURED);
    perr err = {{0}};
    int64_t now = clock_now();
    passport_view_opts o = {.framework = "CRCN", .locale = "fr", .stale_months = 24, .now = now};
    json_t *v = passport_view_build(fx->db, fx->agent, &o, &err);
    json_t *c = find_comp(v, "CRCN-5.1");
    assert_false(json_is_true(json_object_get(c, "stale")));
    char today[11];
    clock_date(now, today);
    assert_string_equal(json_string_value(json_object_get(c, "verified_date")), today);
    json_decref(v);
    o.now = now + 25 * 31 * 86400LL; /* more than 24 months later */
    v = passport_view_build(fx->db, fx->agent, &o, &err);
    assert_true(json_is_true(json_object_get(find_comp(v, "CRCN-5.1"), "stale")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "summary"), "stale")), 1);
    json_decref(v);
    o.stale_months = 48;
    v = passport_view_build(fx->db, fx->agent, &o, &err);
    assert_false(json_is_true(json_object_get(find_comp(v, "CRCN-5.1"), "stale")));
    json_decref(v);
}

static void test_competency_forms_and_team(void **state) {
    fixture *fx = *state;
    perr err = {{0}};
    json_t *list = passport_view_competencies(fx->db, "DIGCOMP", "fr", &err);
    assert_int_equal(json_array_size(list), 21);
    assert_int_equal(json_array_size(json_object_get(json_array_get(list, 0), "levels")), 8);
    json_decref(list);
    assert_null(passport_view_competencies(fx->db, "X", "fr", &err));
    add(fx, "CRCN-3.1", 2, EVIDENCE_DECLARED);
    add(fx, "CRCN-3.1", 6, EVIDENCE_DECLARED);
    json_t *c = passport_view_competency(fx->db, "CRCN-3.1", fx->agent, "fr", &err);
    assert_non_null(c);
    assert_int_equal(json_integer_value(json_object_get(c, "declared")), 6);
    assert_string_equal(json_string_value(json_object_get(c, "framework")), "CRCN");
    assert_int_equal(json_array_size(json_object_get(c, "levels")), 8);
    json_decref(c);
    assert_null(passport_view_competency(fx->db, "CRCN-3.9", fx->agent, "fr", &err));
    assert_string_equal(err.msg, "skills.unknown_competency");
    add(fx, "CRCN-3.1", 4, EVIDENCE_MEASURED);
    json_t *team = passport_view_team(fx->db, fx->dir_unit, &err);
    assert_int_equal(json_array_size(team), 2); /* Karim (Direction) and Léa (Service), not Marc */
    json_t *lea = json_array_get(team, 1);
    assert_string_equal(json_string_value(json_object_get(lea, "name")), "Léa");
    assert_int_equal(json_integer_value(json_object_get(lea, "verified")), 1);
    json_decref(team);
    team = passport_view_team(fx->db, 0, &err);
    assert_int_equal(json_array_size(team), 0);
    json_decref(team);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_passport, setup, teardown),
        cmocka_unit_test_setup_teardown(test_levels_and_mapping_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_radar_geometry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_freshness, setup, teardown),
        cmocka_unit_test_setup_teardown(test_competency_forms_and_team, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
