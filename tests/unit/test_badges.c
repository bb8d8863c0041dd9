/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for badges/badges against a real store and a temporary badge folder: the award
 * rule (modules passed, verified levels; declared evidence does not count), issuance
 * once, signed credentials that verify, revocation flipping the status list bit (and its
 * ETag), export, revoke-all for erasure and the CLR; rotation and moves; the owners of the
 * lists of a 0.1.0 database after migration 10; the repair at start (badges/repair) of
 * badges whose rule is met but that were never issued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "badges/badges.h"
#include "badges/check.h"
#include "badges/repair.h"
#include "badges/statuslist.h"
#include "badges/verify.h"
#include "core/clock.h"
#include "people/account.h"
#include "people/inbox.h"
#include "skills/evidence.h"
#include "skills/skills.h"
#include "store/store_sqlite.h"
#include "testutil.h"

typedef struct fx {
    test_db *t;
    char courses[96], keys[96];
    badges_ctx *c;
    long long agent;
} fx;

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char rule_yaml[] =
    "slug: essai\n"
    "name: {fr: \"Essai « guillemets » \\\"ok\\\"\", en: \"Trial\"}\n"
    "description: {fr: \"Décrit.\\nSur deux lignes.\", en: \"Described.\"}\n"
    "criteria: {fr: \"Réussir m1 et avoir CRCN-1.1 au niveau 2.\", en: \"Pass m1, CRCN-1.1 at level 2.\"}\n"
    "image: essai.svg\n"
    "alignment: [CRCN-1.1, DIGCOMP-1.1]\n"
    "rule:\n  modules: [m1]\n  levels: [CRCN-1.1@2]\n"
    "valid_months: 12\n";

static int setup(void **state) {
    fx *f = calloc(1, sizeof *f);
    f->t = test_db_open();
    store *s = f->t->s;
    perr err = {{0}};
    if (!skills_sync_frameworks(s, "courses", &err)) return -1;
    snprintf(f->courses, sizeof f->courses, "%s/courses", f->t->dir);
    mkdir(f->courses, 0700);
    char p[160];
    snprintf(p, sizeof p, "%s/badges", f->courses);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/badges/essai.yaml", f->courses);
    write_file(p, rule_yaml);
    snprintf(p, sizeof p, "%s/badges/essai.svg", f->courses);
    write_file(p, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><circle r=\"4\"/></svg>\n");
    f->c = badges_ctx_new(s, f->t->dir, f->courses, "http://127.0.0.1:9/", &err);
    if (!f->c) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    if (!account_create(s, "alice@x.fr", "Alice Martin", 0, ROLE_AGENT, "fr", NULL, &f->agent, &err)) return -1;
    /* a course and module m1 as the catalog sync writes them */
    store_exec(s,
               "INSERT INTO courses (slug, title, lang, version_hash, updated_at) VALUES ('c', 'C', 'fr', 'h', 0);"
               "INSERT INTO modules (id, course_slug, position, title, minutes, lang, pass, version_hash, updated_at)"
               " VALUES ('m1', 'c', 1, 'M1', 5, 'fr', 0.8, 'h', 0);",
               &err);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fx *f = *state;
    badges_ctx_free(f->c);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/courses' '%s/keys'", f->t->dir, f->t->dir);
    if (system(cmd) != 0) return -1;
    test_db_close(f->t);
    free(f);
    return 0;
}

static void pass_m1(store *s, long long user, int passed) {
    store_query *st = NULL;
    st = store_prepare(s, "INSERT INTO attempts (user_id, module_id, module_version, answers_json, score, passed,"
                       " finished_at) VALUES (?, 'm1', 'h', '{}', 1.0, ?, 1)", NULL);
    store_bind_int64(st, 1, user);
    store_bind_int(st, 2, passed);
    assert_int_equal(store_step(st), STORE_DONE);
    store_finalize(st);
}

static int credentials_of(store *s, long long user) {
    store_query *st = NULL;
    st = store_prepare(s, "SELECT count(*) FROM credentials WHERE user_id = ?", NULL);
    store_bind_int64(st, 1, user);
    int n = store_step(st) == STORE_ROW ? store_col_int(st, 0) : -1;
    store_finalize(st);
    return n;
}

static void loads_definition(void **state) {
    fx *f = *state;
    const achievement *a = achievement_find(f->c->set, "essai");
    assert_non_null(a);
    assert_true(a->id > 0);
    assert_int_equal(a->nmodules, 1);
    assert_int_equal(a->nlevels, 1);
    assert_string_equal(a->levels[0].code, "CRCN-1.1");
    assert_int_equal(a->levels[0].level, 2);
    assert_int_equal(a->valid_months, 12);
    assert_string_equal(achievement_name(a, "en"), "Trial");
    assert_non_null(strstr(a->svg, "<circle"));
}

static void rejects_bad_definitions(void **state) {
    (void)state;
    achievement a;
    perr err = {{0}};
    assert_false(achievement_parse("slug: x\n", 8, &a, &err));
    assert_non_null(strstr(err.msg, "name"));
    const char *bad_level = "slug: x\nname: {fr: a, en: b}\ndescription: {fr: a, en: b}\ncriteria: {fr: a, en: b}\n"
                            "image: x.svg\nrule: {levels: [CRCN-1.1@9]}\n";
    assert_false(achievement_parse(bad_level, strlen(bad_level), &a, &err));
    assert_non_null(strstr(err.msg, "CODE@LEVEL"));
    const char *no_rule = "slug: x\nname: {fr: a, en: b}\ndescription: {fr: a, en: b}\ncriteria: {fr: a, en: b}\n"
                          "image: x.svg\nrule: {modules: [], levels: []}\n";
    assert_false(achievement_parse(no_rule, strlen(no_rule), &a, &err));
}

static void awards_once_when_rule_holds(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    perr err = {{0}};
    int n = -1;
    assert_true(badges_check_awards(s, f->c, f->agent, &n, &err));
    assert_int_equal(n, 0);
    pass_m1(s, f->agent, 0); /* a failed attempt does not count */
    assert_true(evidence_add(s, f->agent, "CRCN-1.1", 5, EVIDENCE_DECLARED, "self", 0, NULL, &err));
    assert_true(badges_check_awards(s, f->c, f->agent, &n, &err));
    assert_int_equal(n, 0);
    pass_m1(s, f->agent, 1);
    assert_true(badges_check_awards(s, f->c, f->agent, &n, &err)); /* declared level only: not yet */
    assert_int_equal(n, 0);
    assert_true(evidence_add(s, f->agent, "CRCN-1.1", 2, EVIDENCE_MEASURED, "module:m1", 0, NULL, &err));
    assert_true(badges_check_awards(s, f->c, f->agent, &n, &err));
    assert_int_equal(n, 1);
    assert_true(badges_check_awards(s, f->c, f->agent, &n, &err));
    assert_int_equal(n, 0);
    assert_int_equal(credentials_of(s, f->agent), 1);
}

/* An agent who meets the rule: m1 passed and CRCN-1.1 measured at level 2. */
static long long agent_meeting_rule(fx *f, const char *email) {
    perr err = {{0}};
    long long id = 0;
    assert_true(account_create(f->t->s, email, email, 0, ROLE_AGENT, "fr", NULL, &id, &err));
    pass_m1(f->t->s, id, 1);
    assert_true(evidence_add(f->t->s, id, "CRCN-1.1", 2, EVIDENCE_MEASURED, "module:m1", 0, NULL, &err));
    return id;
}

/* A database from before awards joined the attempt's transaction: rules met, badges
 * missing. The repair issues each missing one once; revoked and disabled stay without. */
static void repair_issues_missing_badges_once(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    perr err = {{0}};
    int n = -1;
    long long never = agent_meeting_rule(f, "never@x.fr"), lost = agent_meeting_rule(f, "lost@x.fr");
    long long revoked = agent_meeting_rule(f, "revoked@x.fr"), gone = agent_meeting_rule(f, "gone@x.fr");
    pass_m1(s, f->agent, 1); /* m1 passed, no verified level: the rule is not met */
    assert_true(badges_check_awards(s, f->c, lost, &n, &err));
    assert_int_equal(n, 1);
    assert_true(badges_check_awards(s, f->c, revoked, &n, &err));
    assert_true(store_begin(s, &err));
    assert_true(badges_revoke_all_for_user(s, f->c, revoked, "test", &err));
    assert_true(store_commit(s, &err));
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM credentials WHERE user_id = %lld", lost); /* the badge row lost */
    assert_true(store_exec(s, sql, &err));
    snprintf(sql, sizeof sql, "UPDATE users SET disabled_at = 1 WHERE id = %lld", gone);
    assert_true(store_exec(s, sql, &err));
    assert_int_equal(credentials_of(s, never) + credentials_of(s, lost), 0);

    assert_true(badges_repair(s, f->c, &n, &err));
    assert_int_equal(n, 2);
    assert_int_equal(credentials_of(s, never), 1);
    assert_int_equal(credentials_of(s, lost), 1);
    assert_int_equal(credentials_of(s, revoked), 1); /* the revoked one, not a new one */
    assert_int_equal(credentials_of(s, gone), 0);
    assert_int_equal(credentials_of(s, f->agent), 0);
    assert_true(badges_repair(s, f->c, &n, &err)); /* once */
    assert_int_equal(n, 0);
    assert_int_equal(credentials_of(s, never), 1);
}

/* Issues one badge by hand and returns its id. */
static long long award(fx *f) {
    perr err = {{0}};
    long long id = 0;
    assert_true(badges_award(f->t->s, f->c, f->agent, "essai", 0, "à la main", &id, &err));
    assert_false(badges_award(f->t->s, f->c, f->agent, "inconnu", 0, "x", NULL, &err));
    assert_false(badges_award(f->t->s, f->c, f->agent, "essai", 0, "vu \xe2\x80\xae lave", NULL, &err));
    assert_string_equal(err.msg, "badges.error.narrative_text");
    return id;
}

static json_t *fetch_local(const char *url, void *ctx, perr *err) {
    fx *f = ctx;
    int list_id = badges_list_of_url(f->t->s, f->c, url);
    if (!list_id) return perr_set(err, "not ours"), NULL;
    return badges_status_list_json(f->t->s, f->c, list_id, err);
}

static void issued_credential_verifies_then_revoked(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    long long id = award(f);
    char *text = NULL;
    long long owner = 0;
    bool revoked = true;
    assert_true(badges_credential_get(s, id, &text, &owner, NULL, &revoked));
    assert_int_equal(owner, f->agent);
    assert_false(revoked);
    assert_null(strstr(text, "alice@x.fr")); /* hashed, never plain */
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    assert_non_null(json_object_get(doc, "validUntil"));
    const char *idx = json_string_value(json_object_get(json_object_get(doc, "credentialStatus"), "statusListIndex"));
    assert_non_null(idx);
    assert_true(strtoul(idx, NULL, 10) < STATUSLIST_MIN_BITS);
    verify_report r;
    assert_true(verify_credential(doc, clock_now(), fetch_local, f, &r));

    char *json1 = NULL, *etag1 = NULL, *json2 = NULL, *etag2 = NULL;
    perr err = {{0}};
    assert_true(badges_status_list(s, f->c, BADGES_FIRST_LIST, &json1, &etag1, &err));
    assert_false(badges_revoke(s, f->c, id, 0, "erreur \xe2\x80\xae", &err)); /* a bidi override */
    assert_string_equal(err.msg, "badges.error.reason_text");
    assert_true(badges_revoke(s, f->c, id, 0, "erreur", &err));
    assert_false(badges_revoke(s, f->c, id, 0, "encore", &err)); /* already revoked */
    assert_true(badges_status_list(s, f->c, BADGES_FIRST_LIST, &json2, &etag2, &err));
    assert_string_not_equal(etag1, etag2);
    assert_false(verify_credential(doc, clock_now(), fetch_local, f, &r));
    assert_true(r.revoked);
    /* the holder was told of both, newest first */
    json_t *box = inbox_list(s, f->agent, false, 10);
    assert_int_equal(json_array_size(box), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(box, 0), "key")), "badges.inbox.revoked");
    assert_string_equal(json_string_value(json_object_get(json_array_get(box, 1), "key")), "badges.inbox.awarded");
    json_decref(box);
    free(json1);
    free(etag1);
    free(json2);
    free(etag2);
    json_decref(doc);
    free(text);
}

/* The list (from its statusListCredential URL) and the statusListIndex of credential id. */
static int list_of_credential(fx *f, long long id, size_t *index) {
    char *text = NULL;
    assert_true(badges_credential_get(f->t->s, id, &text, NULL, NULL, NULL));
    json_t *doc = json_loads(text, 0, NULL);
    const json_t *cs = json_object_get(doc, "credentialStatus");
    int list = badges_list_of_url(f->t->s, f->c, json_string_value(json_object_get(cs, "statusListCredential")));
    if (index) *index = (size_t)strtoul(json_string_value(json_object_get(cs, "statusListIndex")), NULL, 10);
    json_decref(doc);
    free(text);
    return list;
}

/* Credentials take the free indexes of list 1, found even when nearly all are taken; once
 * its 131 072 indexes are all given, a credential goes to list 2, which is served,
 * verifies and revokes like the first; list 1 stays served, no list 3 exists. */
static void full_list_opens_the_next(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    size_t x = 0, got = 0, got2 = 0;
    assert_int_equal(list_of_credential(f, award(f), &x), 1);
    size_t a = (x + 1) % STATUSLIST_MIN_BITS, b = (x + 2) % STATUSLIST_MIN_BITS;
    char sql[600];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
             " INSERT INTO credentials (uid, user_id, achievement_id, issued_at, list_id, status_index, json)"
             " SELECT 'urn:fill:' || i, NULL, (SELECT id FROM achievements WHERE slug = 'essai'), 0, 1, i, '{}'"
             " FROM n WHERE i NOT IN (%zu, %zu, %zu)",
             STATUSLIST_MIN_BITS - 1, x, a, b);
    perr err = {{0}};
    assert_true(store_exec(s, sql, &err));
    /* two free indexes left in list 1: the next two credentials take them */
    assert_int_equal(list_of_credential(f, award(f), &got), 1);
    assert_true(got == a || got == b);
    assert_int_equal(list_of_credential(f, award(f), &got2), 1);
    assert_true((got2 == a || got2 == b) && got2 != got);
    long long id = award(f);
    assert_int_equal(list_of_credential(f, id, NULL), 2);
    char *text = NULL;
    assert_true(badges_credential_get(s, id, &text, NULL, NULL, NULL));
    json_t *doc = json_loads(text, 0, NULL);
    verify_report r;
    assert_true(verify_credential(doc, clock_now(), fetch_local, f, &r));
    char *json = NULL, *etag = NULL;
    assert_true(badges_status_list(s, f->c, 1, &json, &etag, &err));
    free(json);
    free(etag);
    assert_false(badges_status_list(s, f->c, 3, &json, &etag, &err));
    assert_string_equal(err.msg, "badges.error.no_list");
    assert_true(badges_revoke(s, f->c, id, 0, "erreur", &err));
    assert_false(verify_credential(doc, clock_now(), fetch_local, f, &r));
    assert_true(r.revoked);
    json_decref(doc);
    free(text);
    assert_int_equal(badges_list_of_url(f->t->s, f->c, "http://127.0.0.1:9/status/0"), 0);
    assert_int_equal(badges_list_of_url(f->t->s, f->c, "http://127.0.0.1:9/status/2x"), 0);
    assert_int_equal(badges_list_of_url(f->t->s, f->c, "https://other.fr/status/2"), 0);
}

static void revoke_all_export_and_clr(void **state) {
    fx *f = *state;
    store *s = f->t->s;
    award(f);
    award(f);
    perr err = {{0}};
    json_t *clr = badges_clr(s, f->c, f->agent, &err);
    assert_non_null(clr);
    assert_int_equal(json_array_size(json_object_get(json_object_get(clr, "credentialSubject"), "verifiableCredential")), 2);
    verify_report r;
    assert_true(verify_credential(clr, clock_now(), fetch_local, f, &r));
    json_decref(clr);
    assert_true(store_begin(s, &err));
    assert_true(badges_revoke_all_for_user(s, f->c, f->agent, "effacement", &err));
    assert_true(store_commit(s, &err));
    json_t *ex = badges_export_user(s, f->agent);
    assert_int_equal(json_array_size(ex), 2);
    assert_true(json_is_integer(json_object_get(json_array_get(ex, 0), "revoked_at")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(ex, 1), "reason")), "effacement");
    json_decref(ex);
    clr = badges_clr(s, f->c, f->agent, &err); /* nothing unrevoked left: said so, no empty CLR */
    assert_null(clr);
    assert_string_equal(err.msg, "badges.error.no_badge");
}

/* The verdict of check.c on credential id: the key of its status check ("" when absent). */
static const char *status_key(fx *f, long long id, bool *verified) {
    static char key[64];
    char *text = NULL;
    assert_true(badges_credential_get(f->t->s, id, &text, NULL, NULL, NULL));
    json_t *v = check_credential(f->t->s, f->c, text, strlen(text));
    *verified = json_is_true(json_object_get(v, "verified"));
    key[0] = 0;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(v, "checks"), i, c) if (!strcmp(json_string_value(json_object_get(c, "name")), "status"))
        snprintf(key, sizeof key, "%s", json_string_value(json_object_get(c, "key")));
    json_decref(v);
    free(text);
    return key;
}

/* The issuer id of credential id (new string). */
static char *issuer_of_credential(fx *f, long long id) {
    char *text = NULL;
    assert_true(badges_credential_get(f->t->s, id, &text, NULL, NULL, NULL));
    json_t *doc = json_loads(text, 0, NULL);
    char *is = strdup(json_string_value(json_object_get(json_object_get(doc, "issuer"), "id")));
    json_decref(doc);
    free(text);
    return is;
}

/* Restarts the badges context on the same data (as a server restart would). */
static void restart(fx *f, const char *public_url) {
    perr err = {{0}};
    badges_ctx_free(f->c);
    f->c = badges_ctx_new(f->t->s, f->t->dir, f->courses, public_url, &err);
    assert_non_null(f->c);
}

/* A did:key rotation, then a move to an https URL (did:web): each list stays signed by
 * the issuer of its credentials, at the URL they name; old and new credentials verify,
 * the revoked ones (one of each) report their bit, never an issuer mismatch. */
static void rotation_and_move_keep_lists_with_their_issuer(void **state) {
    fx *f = *state;
    perr err = {{0}};
    long long old1 = award(f), old2 = award(f);
    char *k1 = issuer_of_credential(f, old1);
    assert_int_equal(list_of_credential(f, old1, NULL), 1);
    char dir[160];
    snprintf(dir, sizeof dir, "%s/keys", f->t->dir);
    assert_true(keyring_add(dir, NULL, &err));
    restart(f, "http://127.0.0.1:9");
    long long new1 = award(f), new2 = award(f);
    char *k2 = issuer_of_credential(f, new1);
    assert_string_not_equal(k1, k2);
    assert_int_equal(list_of_credential(f, new1, NULL), 2); /* the new did:key has its own list */
    assert_true(badges_revoke(f->t->s, f->c, old1, 0, "erreur", &err));
    assert_true(badges_revoke(f->t->s, f->c, new1, 0, "erreur", &err));
    json_t *l1 = badges_status_list_json(f->t->s, f->c, 1, &err);
    assert_string_equal(json_string_value(json_object_get(l1, "issuer")), k1);
    json_decref(l1);
    restart(f, "https://passport.example.fr");
    long long web = award(f);
    char *w = issuer_of_credential(f, web);
    assert_string_equal(w, "did:web:passport.example.fr");
    assert_int_equal(list_of_credential(f, web, NULL), 3);
    bool ok;
    assert_string_equal(status_key(f, old1, &ok), "badges.check.revoked");
    assert_false(ok);
    assert_string_equal(status_key(f, new1, &ok), "badges.check.revoked");
    assert_false(ok);
    assert_string_equal(status_key(f, old2, &ok), "badges.check.status_ok");
    assert_true(ok);
    assert_string_equal(status_key(f, new2, &ok), "badges.check.status_ok");
    assert_true(ok);
    assert_string_equal(status_key(f, web, &ok), "badges.check.status_ok");
    assert_true(ok);
    /* a list of another issuer is refused even when its proof and bit are fine */
    char *text = NULL;
    assert_true(badges_credential_get(f->t->s, old2, &text, NULL, NULL, NULL));
    json_t *doc = json_loads(text, 0, NULL);
    json_t *cs = json_object_get(doc, "credentialStatus");
    json_object_set_new(cs, "statusListCredential", json_string("http://127.0.0.1:9/status/2"));
    verify_report r;
    assert_false(verify_credential(doc, clock_now(), fetch_local, f, &r));
    assert_non_null(strstr(r.status.msg, "differs from the credential issuer"));
    json_decref(doc);
    free(text);
    free(k1);
    free(k2);
    free(w);
}

/* A status list signed a few seconds ahead of the verifier's clock (another server, or
 * the second after the verifier read its clock) is within the documented skew. */
static void status_list_within_clock_skew(void **state) {
    fx *f = *state;
    long long id = award(f);
    char *text = NULL;
    assert_true(badges_credential_get(f->t->s, id, &text, NULL, NULL, NULL));
    json_t *doc = json_loads(text, 0, NULL);
    verify_report r;
    assert_true(verify_credential(doc, clock_now() - VERIFY_CLOCK_SKEW + 2, fetch_local, f, &r));
    assert_false(verify_credential(doc, clock_now() - VERIFY_CLOCK_SKEW - 5, fetch_local, f, &r));
    assert_non_null(strstr(r.dates.msg, "not yet valid"));
    json_decref(doc);
    free(text);
}

/* The (issuer, url) owning list id in store s, as "issuer url" into out. */
static void owner_of_list(store *s, int id, char *out, size_t cap) {
    store_query *st = NULL;
    st = store_prepare(s, "SELECT issuer || ' ' || url FROM status_list_owners WHERE list_id = ?", NULL);
    store_bind_int(st, 1, id);
    snprintf(out, cap, "%s", store_step(st) == STORE_ROW ? store_col_text_or_null(st, 0) : "(none)");
    store_finalize(st);
}

/* "issuer statusListCredential" of credential id, as owner_of_list writes it. */
static void owner_named_by(fx *f, long long id, char *out, size_t cap) {
    char *text = NULL;
    assert_true(badges_credential_get(f->t->s, id, &text, NULL, NULL, NULL));
    json_t *doc = json_loads(text, 0, NULL);
    snprintf(out, cap, "%s %s", json_string_value(json_object_get(json_object_get(doc, "issuer"), "id")),
             json_string_value(json_object_get(json_object_get(doc, "credentialStatus"), "statusListCredential")));
    json_decref(doc);
    free(text);
}

/* Migration 10 on a database of release 0.1.0 (tests/fixtures/db-0.1.0.sql, schema 8)
 * holding credentials of two issuers (a did:key rotation: lists 1 and 2) and their status
 * lists, one credential revoked: after the upgrade, each list is owned by the issuer of its
 * credentials at the URL they name, and every credential verifies (proof and status) or
 * reports its revocation. Run from the repository root. */
static void old_database_lists_get_their_owners(void **state) {
    fx *f = *state;
    perr err = {{0}};
    long long a1 = award(f), a2 = award(f);
    char dir[160];
    snprintf(dir, sizeof dir, "%s/keys", f->t->dir);
    assert_true(keyring_add(dir, NULL, &err));
    restart(f, "http://127.0.0.1:9");
    long long b1 = award(f);
    assert_true(badges_revoke(f->t->s, f->c, a1, 0, "erreur", &err));
    char want1[512], want2[512], got[512];
    owner_named_by(f, a1, want1, sizeof want1);
    owner_named_by(f, b1, want2, sizeof want2);
    assert_string_not_equal(want1, want2);
    /* the old database: the fixture, with these credentials and lists as 0.1.0 stored them */
    buf sql = BUF_INIT;
    assert_true(buf_read_file(&sql, "tests/fixtures/db-0.1.0.sql", 16u << 20, &err));
    char old[128], attach[200];
    snprintf(old, sizeof old, "%s/old.db", f->t->dir);
    sqlite3 *raw = NULL;
    assert_int_equal(sqlite3_open(old, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, buf_cstr(&sql), NULL, NULL, NULL), SQLITE_OK);
    buf_free(&sql);
    snprintf(attach, sizeof attach, "ATTACH '%s' AS cur", f->t->path);
    assert_int_equal(sqlite3_exec(raw, attach, NULL, NULL, NULL), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(raw,
                          "PRAGMA user_version = 8;" /* as the fixture says: its schema */
                          "INSERT INTO achievements SELECT id, slug, name, description, criteria_json, image"
                          "  FROM cur.achievements;"
                          "INSERT INTO credentials SELECT id, uid, 1, achievement_id, issued_at, list_id, status_index,"
                          "  NULL, narrative, revoked_at, reason, json FROM cur.credentials;"
                          "INSERT INTO status_lists SELECT id, encoded, json, etag, updated_at FROM cur.status_lists;"
                          "DETACH cur;",
                          NULL, NULL, &msg);
    if (rc != SQLITE_OK) fail_msg("%s", msg);
    sqlite3_close(raw);
    store *os = store_open(old, &err);
    if (!os) fail_msg("%s", err.msg);
    owner_of_list(os, 1, got, sizeof got);
    assert_string_equal(got, want1);
    owner_of_list(os, 2, got, sizeof got);
    assert_string_equal(got, want2);
    /* the upgraded database serves and verifies them (the helpers read f's store and context) */
    store *cur = f->t->s;
    badges_ctx *cur_c = f->c;
    f->t->s = os;
    f->c = badges_ctx_new(os, f->t->dir, f->courses, "http://127.0.0.1:9", &err);
    assert_non_null(f->c);
    bool ok;
    assert_string_equal(status_key(f, a1, &ok), "badges.check.revoked");
    assert_false(ok);
    assert_string_equal(status_key(f, a2, &ok), "badges.check.status_ok");
    assert_true(ok);
    assert_string_equal(status_key(f, b1, &ok), "badges.check.status_ok");
    assert_true(ok);
    badges_ctx_free(f->c);
    store_free(os);
    f->t->s = cur;
    f->c = cur_c;
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(attach, sizeof attach, "%s%s", old, suffix[i]);
        unlink(attach);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(loads_definition, setup, teardown),
        cmocka_unit_test(rejects_bad_definitions),
        cmocka_unit_test_setup_teardown(awards_once_when_rule_holds, setup, teardown),
        cmocka_unit_test_setup_teardown(repair_issues_missing_badges_once, setup, teardown),
        cmocka_unit_test_setup_teardown(issued_credential_verifies_then_revoked, setup, teardown),
        cmocka_unit_test_setup_teardown(revoke_all_export_and_clr, setup, teardown),
        cmocka_unit_test_setup_teardown(full_list_opens_the_next, setup, teardown),
        cmocka_unit_test_setup_teardown(rotation_and_move_keep_lists_with_their_issuer, setup, teardown),
        cmocka_unit_test_setup_teardown(status_list_within_clock_skew, setup, teardown),
        cmocka_unit_test_setup_teardown(old_database_lists_get_their_owners, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
