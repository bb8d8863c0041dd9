/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for learn/catalog, learn/progress, learn/attempt and learn_continue against a real
 * store: sync with hash versions, archive and return of modules, accent-folded search,
 * progress, nonces (replay), rate limit, evidence written with a pass, nothing on refusal. */
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
#include "core/buf.h"
#include "core/clock.h"
#include "learn/attempt.h"
#include "learn/catalog.h"
#include "learn/learn.h"
#include "learn/library.h"
#include "learn/progress.h"
#include "skills/skills.h"
#include "people/account.h"
#include "store/store_sqlite.h"
#include "testutil.h"

typedef struct fixture {
    char dir[64];
    store *s;
    long long user;
} fixture;

static const char mod_a[] = "---\nid: hameconnage\ntitle: Reconnaître un hameçonnage\nminutes: 8\nlang: fr\n"
                            "competencies: [CRCN-4.1@2, CRCN-4.2@3]\npass: 0.5\nattempts: 20\n---\n# H\n\nLa sécurité numérique "
                            "commence par la vigilance, vos données et un mot de passe.\n\n## Quiz\nQ1?\n- [(X)] oui\n- [( )] non\n\nQ2?\n[[abc]]\n";
static const char mod_b[] = "---\nid: mots-de-passe\ntitle: Des mots de passe solides\nminutes: 6\nlang: fr\n"
                            "competencies: [CRCN-4.1@1]\npass: 1\nattempts: 2\ncooldown: 1h\n---\n# M\n\nUne phrase de passe.\n\n## Quiz\nQ?\n[[x]]\n";

static int setup(void **state) {
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/test_catalog_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    char cmd[256];
    /* the real frameworks, used in place */
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/frameworks' && cp courses/frameworks/crcn.csv '%s/frameworks/'", f->dir, f->dir);
    if (system(cmd) != 0) return -1;
    test_put(f->dir, "secu/course.md", "---\ntitle: Sécurité\nlang: fr\nsummary: s\n---\nIntro\n");
    test_put(f->dir, "secu/01-a.md", mod_a);
    test_put(f->dir, "secu/02-b.md", mod_b);
    buf db = BUF_INIT;
    buf_printf(&db, "%s/t.db", f->dir);
    perr err = {{0}};
    f->s = store_open(db.data, &err);
    buf_free(&db);
    if (!f->s) {
        fprintf(stderr, "store: %s\n", err.msg);
        return -1;
    }
    if (!skills_sync_frameworks(f->s, f->dir, &err)) {
        fprintf(stderr, "frameworks: %s\n", err.msg);
        return -1;
    }
    if (!account_create(f->s, "a@x.test", "Agent", 0, ROLE_AGENT, "fr", NULL, &f->user, &err)) {
        fprintf(stderr, "account: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    store_free(f->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static learn_library *load(fixture *f) {
    diag_list d = DIAG_LIST_INIT;
    learn_library *lib = library_load(f->dir, NULL, &d);
    diag_print(&d, stderr);
    assert_int_equal(d.n, 0);
    diag_list_free(&d);
    perr err = {{0}};
    if (!catalog_sync(f->s, lib, &err)) fail_msg("sync: %s", err.msg);
    return lib;
}

static long long count(fixture *f, const char *sql_literal) {
    store_query *st = store_stmt(f->s, sql_literal, NULL);
    assert_non_null(st);
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return n;
}

static size_t search_n(fixture *f, const char *q) {
    perr err = {{0}};
    json_t *ids = catalog_search(f->s, q, true, 50, &err);
    assert_non_null(ids);
    size_t n = json_array_size(ids);
    /* unranked (the API's course list): the same modules */
    json_t *set = catalog_search(f->s, q, false, 50, &err);
    assert_non_null(set);
    assert_int_equal(json_array_size(set), n);
    size_t i, k;
    json_t *v, *w;
    json_array_foreach(set, i, v) {
        bool found = false;
        json_array_foreach(ids, k, w) found = found || json_equal(v, w);
        assert_true(found);
    }
    json_decref(set);
    json_decref(ids);
    return n;
}

static void test_sync_search_archive(void **state) {
    fixture *f = *state;
    learn_library *lib = load(f);
    assert_int_equal(count(f, "SELECT count(*) FROM modules WHERE archived_at IS NULL"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM module_competencies"), 3);
    /* accents and case folded both ways, prefixes match, all words required */
    assert_int_equal(search_n(f, "sécurité"), 1);
    assert_int_equal(search_n(f, "SECURITE"), 1);
    assert_int_equal(search_n(f, "hamecon"), 1);
    assert_int_equal(search_n(f, "hameçonnage vigilance"), 1);
    assert_int_equal(search_n(f, "hameçonnage phrase"), 0);
    assert_int_equal(search_n(f, "passe"), 2);
    /* title matches first: the module titled with the words before the one whose lesson
     * has them, although that one comes first in the library */
    perr serr = {{0}};
    json_t *ranked = catalog_search(f->s, "mots de passe", true, 50, &serr);
    assert_non_null(ranked);
    assert_int_equal(json_array_size(ranked), 2);
    assert_string_equal(json_string_value(json_array_get(ranked, 0)), "mots-de-passe");
    json_decref(ranked);
    /* plurals folded both ways */
    assert_int_equal(search_n(f, "solide"), 1);
    assert_int_equal(search_n(f, "hameçonnages"), 1);
    assert_int_equal(search_n(f, "vigilances"), 1);
    /* "données" typed without its accent, singular or plural */
    assert_int_equal(search_n(f, "donnees"), 1);
    assert_int_equal(search_n(f, "DONNEE"), 1);
    assert_int_equal(search_n(f, "données"), 1);
    assert_int_equal(search_n(f, "\"'*()-: OR"), 0 + search_n(f, "OR"));
    assert_int_equal(search_n(f, "  ;;  "), 0);
    buf q = BUF_INIT;
    assert_true(catalog_fts_query("l'école \"x\" AND*", NULL, &q));
    assert_string_equal(buf_cstr(&q), "\"l\"* \"école\"* \"x\"* \"and\"*");
    buf_reset(&q);
    assert_true(catalog_fts_query("Mots, passe", "title", &q));
    assert_string_equal(buf_cstr(&q), "title : \"mot\"* title : \"passe\"*");
    buf_free(&q);
    /* an unchanged re-sync writes nothing new */
    long long before = count(f, "SELECT max(updated_at) FROM modules");
    perr err = {{0}};
    assert_true(catalog_sync(f->s, lib, &err));
    assert_int_equal(count(f, "SELECT max(updated_at) FROM modules"), before);
    /* an emptied index (migration 11) is refilled by the next sync, versions untouched */
    assert_true(store_exec(f->s, "DELETE FROM module_search", &err));
    assert_true(catalog_sync(f->s, lib, &err));
    assert_int_equal(search_n(f, "solides"), 1);
    assert_int_equal(count(f, "SELECT max(updated_at) FROM modules"), before);
    library_release(lib);
    /* remove a module from disk: archived, not deleted, not searchable */
    buf p = BUF_INIT;
    buf_printf(&p, "%s/secu/02-b.md", f->dir);
    assert_int_equal(unlink(p.data), 0);
    lib = load(f);
    assert_int_equal(count(f, "SELECT count(*) FROM modules"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM modules WHERE archived_at IS NOT NULL"), 1);
    assert_int_equal(catalog_module_archived(f->s, "mots-de-passe"), 1);
    assert_int_equal(catalog_module_archived(f->s, "hameconnage"), 0);
    assert_int_equal(catalog_module_archived(f->s, "nope"), -1);
    assert_int_equal(search_n(f, "solide"), 0);
    library_release(lib);
    /* it comes back */
    test_put(f->dir, "secu/02-b.md", mod_b);
    lib = load(f);
    assert_int_equal(catalog_module_archived(f->s, "mots-de-passe"), 0);
    assert_int_equal(search_n(f, "solide"), 1);
    library_release(lib);
    /* edited: its entry is replaced (the old words gone, the new ones found) */
    char *edited = xstrdup(mod_b);
    char *w = strstr(edited, "solide");
    assert_non_null(w);
    memcpy(w, "rugueu", 6);
    test_put(f->dir, "secu/02-b.md", edited);
    free(edited);
    lib = load(f);
    assert_int_equal(search_n(f, "solide"), 0);
    assert_int_equal(search_n(f, "rugueu"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM module_search"), 2);
    library_release(lib);
    buf_free(&p);
}

/* A nonce of lib for user and module id, issued for the attempts made so far (a fresh form). */
static void nonce_now(fixture *f, const learn_library *lib, long long user, const char *id, char out[ATTEMPT_NONCE_MAX]) {
    store_query *st = store_stmt(f->s, "SELECT count(*) FROM attempts WHERE user_id = ?1 AND module_id = ?2", NULL);
    assert_non_null(st);
    store_bind_int64(st, 1, user);
    store_bind_text(st, 2, id);
    assert_int_equal(store_step(st), STORE_ROW);
    long long seq = store_col_int64(st, 0);
    store_done(st);
    attempt_nonce_new(lib->nonce_key, user, id, seq, out);
}

static const learn_library *cur_lib; /* the library whose key signs the nonces */
static attempt_pass_hook cur_hook;    /* what try() passes to attempt_record */
static void *cur_arg;

/* answers with the file's option numbers, turned into the positions the draw shows */
static json_t *as_shown(const learn_module *m, const quiz_draw *draw, const char *answers) {
    json_t *a = json_loads(answers, 0, NULL);
    assert_non_null(a);
    const char *key;
    json_t *v;
    json_object_foreach(a, key, v) {
        size_t p = quiz_draw_position(draw, (size_t)atoi(key + 1) - 1);
        if (!json_is_integer(v) || p == (size_t)-1) continue;
        json_int_t orig = json_integer_value(v);
        for (size_t k = 0; k < m->quiz->questions[draw->q[p]].noptions; k++)
            if (draw->perm[p][k] == orig - 1) json_integer_set(v, (json_int_t)k + 1);
    }
    return a;
}

static attempt_status try_out(fixture *f, const learn_module *m, const char *nonce, const char *answers, bool *passed,
                              attempt_outcome *out) {
    quiz_draw *draw = attempt_draw(cur_lib->nonce_key, f->user, m, nonce);
    json_t *a = as_shown(m, draw, answers);
    grade_result g;
    perr err = {{0}};
    assert_true(grade_quiz(m->quiz, draw, a, m->pass, &g, &err));
    *passed = g.passed;
    attempt_status st = attempt_record(f->s, cur_lib, f->user, m, nonce, draw, &g, cur_hook, cur_arg, out, &err);
    grade_result_free(&g);
    quiz_draw_free(draw);
    json_decref(a);
    return st;
}

static attempt_status try(fixture *f, const learn_module *m, const char *nonce, const char *answers, bool *passed) {
    return try_out(f, m, nonce, answers, passed, NULL);
}

static void stem_capped_is(const char *in, unsigned cap, const char *out) {
    buf b = BUF_INIT;
    catalog_stem(in, cap, &b);
    assert_string_equal(buf_cstr(&b), out);
    buf_free(&b);
}

static void stem_is(const char *in, const char *out) {
    stem_capped_is(in, 0, out);
}

static void test_stem(void **state) {
    (void)state;
    stem_is("Mots de passe", "mot de passe");
    stem_is("tableurs tableur", "tableur tableur");
    stem_is("réseaux réseau", "réseau réseau");
    stem_is("journaux journal", "journal journal");
    stem_is("données donnée", "donné donné");
    stem_is("donnees Donnee", "donne donne");
    stem_is("des vos, les", "des vos les");
    stem_is("  ;; ", "");
    stem_is(NULL, "");
    /* the index keeps a lesson's stem at most cap times, plurals counted with it */
    stem_capped_is("mot mots Mot, mot. passe mot", 3, "mot mot mot passe");
    stem_capped_is("a b a b a b a", 2, "a b a b");
    stem_capped_is("mot mots", 0, "mot mot");
    /* past the table's first size (256 slots, half used): 300 distinct words, each twice
     * in a row, the second time dropped with cap 1 */
    buf in = BUF_INIT, want = BUF_INIT, got = BUF_INIT;
    for (int i = 0; i < 300; i++) {
        buf_printf(&in, "w%d w%d ", i, i);
        buf_printf(&want, "%sw%d", i ? " " : "", i);
    }
    catalog_stem(in.data, 1, &got);
    assert_string_equal(buf_cstr(&got), buf_cstr(&want));
    buf_free(&in);
    buf_free(&want);
    buf_free(&got);
    stem_is("CHEVAUX", "cheval");
    stem_is("a", "a");
    buf b = BUF_INIT; /* appends, and the text may be longer than any reservation */
    buf_puts(&b, "x:");
    buf big = BUF_INIT;
    for (int i = 0; i < 200; i++) buf_puts(&big, "Journaux, ");
    catalog_stem(buf_cstr(&big), 0, &b);
    assert_int_equal(b.len, 2 + 200 * 8 - 1);
    assert_memory_equal(b.data, "x:journal journal ", 18);
    assert_int_equal(strlen(b.data), b.len);
    buf_free(&b);
    buf_free(&big);
}

static void test_attempts_progress_evidence(void **state) {
    fixture *f = *state;
    learn_library *lib = load(f);
    const learn_module *m = library_module(lib, "hameconnage");
    perr err = {{0}};
    assert_null(learn_continue(f->s, lib, f->user));
    json_t *p = progress_by_module(f->s, f->user, &err);
    assert_string_equal(progress_status(p, m->id), "not_started");
    json_decref(p);
    assert_true(progress_visit(f->s, f->user, m->id, &err));
    json_t *next = learn_continue(f->s, lib, f->user);
    assert_non_null(next);
    assert_string_equal(json_string_value(json_object_get(next, "module_id")), "hameconnage");
    assert_string_equal(json_string_value(json_object_get(next, "url")), "/modules/hameconnage");
    json_decref(next);

    char n1[ATTEMPT_NONCE_MAX], n2[ATTEMPT_NONCE_MAX];
    bool passed;
    cur_lib = lib;
    nonce_now(f, lib, f->user, m->id, n1);
    assert_true(strlen(n1) > 40);
    assert_int_equal(try(f, m, n1, "{\"q1\": 2}", &passed), ATTEMPT_OK);
    assert_false(passed);
    assert_int_equal(count(f, "SELECT count(*) FROM evidence"), 0);
    /* replayed nonce, unknown nonce, nonce of another module: refused, nothing written;
     * the replay names the attempt the form already made */
    attempt_outcome out = {0};
    assert_int_equal(try_out(f, m, n1, "{\"q1\": 1}", &passed, &out), ATTEMPT_REPLAY);
    assert_int_equal(out.id, count(f, "SELECT max(id) FROM attempts"));
    assert_int_equal(try(f, m, "0123456789abcdef0123456789abcdef", "{\"q1\": 1}", &passed), ATTEMPT_REPLAY);
    assert_int_equal(try(f, m, NULL, "{\"q1\": 1}", &passed), ATTEMPT_REPLAY);
    const learn_module *mb = library_module(lib, "mots-de-passe");
    nonce_now(f, lib, f->user, mb->id, n2); /* another module's */
    assert_int_equal(try(f, m, n2, "{\"q1\": 1}", &passed), ATTEMPT_REPLAY);
    nonce_now(f, lib, f->user + 1, m->id, n2); /* another user's */
    assert_int_equal(try(f, m, n2, "{\"q1\": 1}", &passed), ATTEMPT_REPLAY);
    nonce_now(f, lib, f->user, m->id, n2);
    n2[strlen(n2) - 1] = n2[strlen(n2) - 1] == '0' ? '1' : '0'; /* forged MAC */
    assert_int_equal(try(f, m, n2, "{\"q1\": 1}", &passed), ATTEMPT_REPLAY);
    nonce_now(f, lib, f->user, m->id, n2);
    setenv("PASSPORT_CLOCK_OFFSET", "90000", 1); /* a day later: expired */
    assert_int_equal(try(f, m, n2, "{\"q1\": 1}", &passed), ATTEMPT_REPLAY);
    unsetenv("PASSPORT_CLOCK_OFFSET");
    /* a key from another library (another server run) does not validate */
    learn_library *other = library_load(f->dir, NULL, NULL);
    nonce_now(f, other, f->user, m->id, n2);
    assert_int_equal(try(f, m, n2, "{\"q1\": 1}", &passed), ATTEMPT_REPLAY);
    learn_library *reloaded = library_load(f->dir, lib, NULL); /* a reload keeps the key */
    assert_memory_equal(reloaded->nonce_key, lib->nonce_key, sizeof lib->nonce_key);
    library_release(reloaded);
    library_release(other);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 1);
    p = progress_by_module(f->s, f->user, &err);
    assert_string_equal(progress_status(p, m->id), "in_progress");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(p, m->id), "attempts")), 1);
    json_decref(p);
    /* a pass: attempt and measured evidence for each competency@level, in one go */
    nonce_now(f, lib, f->user, m->id, n1);
    assert_int_equal(try(f, m, n1, "{\"q1\": 1, \"q2\": \"ABC\"}", &passed), ATTEMPT_OK);
    assert_true(passed);
    assert_int_equal(count(f, "SELECT count(*) FROM evidence WHERE kind = 'measured'"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM evidence WHERE source_ref LIKE 'module:hameconnage@________'"), 2);
    assert_int_equal(count(f, "SELECT max(level) FROM evidence"), 3);
    p = progress_by_module(f->s, f->user, &err);
    assert_string_equal(progress_status(p, m->id), "passed");
    assert_true(json_real_value(json_object_get(json_object_get(p, m->id), "best_score")) > 0.99);
    int percent, left;
    progress_course(m->course, p, &percent, &left);
    assert_int_equal(percent, 50);
    assert_int_equal(left, 6);
    json_decref(p);
    /* continue: the next module of the course */
    next = learn_continue(f->s, lib, f->user);
    assert_non_null(next);
    assert_string_equal(json_string_value(json_object_get(next, "module_id")), "mots-de-passe");
    json_decref(next);
    /* rate limit: the 11th attempt within the hour is refused and writes nothing */
    for (int i = 0; i < 8; i++) {
        nonce_now(f, lib, f->user, m->id, n1);
        assert_int_equal(try(f, m, n1, "{}", &passed), ATTEMPT_OK);
    }
    assert_int_equal(attempt_count_recent(f->s, lib, f->user, m), 10);
    nonce_now(f, lib, f->user, m->id, n1);
    assert_int_equal(try(f, m, n1, "{}", &passed), ATTEMPT_RATE_LIMITED);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 10);
    library_release(lib);
    /* archived module: refused */
    buf path = BUF_INIT;
    buf_printf(&path, "%s/secu/02-b.md", f->dir);
    unlink(path.data);
    learn_library *lib2 = load(f);
    learn_library *old = library_load(f->dir, NULL, NULL);
    buf_free(&path);
    test_put(f->dir, "secu/02-b.md", mod_b);
    learn_library *with_b = library_load(f->dir, NULL, NULL);
    cur_lib = with_b;
    nonce_now(f, with_b, f->user, "mots-de-passe", n2);
    assert_int_equal(try(f, library_module(with_b, "mots-de-passe"), n2, "{\"q1\": \"x\"}", &passed), ATTEMPT_ARCHIVED);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts WHERE module_id = 'mots-de-passe'"), 0);
    library_release(with_b);
    library_release(old);
    library_release(lib2);
}

/* The attempt policy against the store: after `attempts: 2` failures the third attempt
 * is refused (nothing written) until exactly one `cooldown: 1h` after the older failure;
 * a replay during the cooldown still names its attempt. */
static void test_cooldown(void **state) {
    fixture *f = *state;
    learn_library *lib = load(f);
    const learn_module *m = library_module(lib, "mots-de-passe");
    assert_int_equal(m->policy.attempts, 2);
    assert_int_equal(m->policy.cooldown, 3600);
    cur_lib = lib;
    char n1[ATTEMPT_NONCE_MAX], n2[ATTEMPT_NONCE_MAX];
    bool passed;
    attempt_outcome out = {0};
    setenv("PASSPORT_CLOCK_OFFSET", "-10", 1);
    nonce_now(f, lib, f->user, m->id, n1);
    assert_int_equal(try(f, m, n1, "{}", &passed), ATTEMPT_OK);
    unsetenv("PASSPORT_CLOCK_OFFSET");
    /* the attempt's own time: clock_now() - 10 read after it could be a second later */
    int64_t first = count(f, "SELECT finished_at FROM attempts");
    assert_int_equal(attempt_locked_until(f->s, lib, f->user, m, clock_now()), 0);
    nonce_now(f, lib, f->user, m->id, n1);
    assert_int_equal(try(f, m, n1, "{\"q1\": \"no\"}", &passed), ATTEMPT_OK);
    assert_false(passed);
    assert_int_equal(attempt_locked_until(f->s, lib, f->user, m, clock_now()), first + 3600);
    nonce_now(f, lib, f->user, m->id, n2);
    assert_int_equal(try_out(f, m, n2, "{\"q1\": \"x\"}", &passed, &out), ATTEMPT_COOLDOWN);
    assert_int_equal(out.until, first + 3600);
    assert_int_equal(try_out(f, m, n1, "{}", &passed, &out), ATTEMPT_REPLAY);
    assert_true(out.id > 0);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM evidence"), 0);
    char off[32];
    int64_t now = clock_now(); /* the exact boundary is tested in test_policy */
    snprintf(off, sizeof off, "%lld", (long long)(first + 3600 - 5 - now));
    setenv("PASSPORT_CLOCK_OFFSET", off, 1); /* just before the end: still refused */
    nonce_now(f, lib, f->user, m->id, n2);
    assert_int_equal(try(f, m, n2, "{\"q1\": \"x\"}", &passed), ATTEMPT_COOLDOWN);
    snprintf(off, sizeof off, "%lld", (long long)(first + 3600 - now));
    setenv("PASSPORT_CLOCK_OFFSET", off, 1); /* at the end: allowed */
    assert_int_equal(try(f, m, n2, "{\"q1\": \"x\"}", &passed), ATTEMPT_OK);
    assert_true(passed);
    unsetenv("PASSPORT_CLOCK_OFFSET");
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 3);
    library_release(lib);
}

/* The draw is fixed by the attempts made so far, not by the form: two renderings before an
 * attempt show the same questions in the same orders (no shopping for a known draw), the
 * next attempt gets another draw, and a form rendered before an attempt was recorded is
 * refused (ATTEMPT_STALE) with nothing written. */
static const char mod_pool[] = "---\nid: pool\ntitle: Pool\nminutes: 5\nlang: fr\ncompetencies: [CRCN-4.1@1]\n"
                               "pass: 1\ndraw: 3\nattempts: 20\n---\n# P\n\n## Quiz\n"
                               "A?\n- [(X)] a1\n- [( )] a2\n- [( )] a3\n- [( )] a4\n\nB?\n- [(X)] b1\n- [( )] b2\n- [( )] b3\n- [( )] b4\n\n"
                               "C?\n- [(X)] c1\n- [( )] c2\n- [( )] c3\n- [( )] c4\n\nD?\n- [(X)] d1\n- [( )] d2\n- [( )] d3\n- [( )] d4\n\n"
                               "E?\n- [(X)] e1\n- [( )] e2\n- [( )] e3\n- [( )] e4\n\nF?\n- [(X)] f1\n- [( )] f2\n- [( )] f3\n- [( )] f4\n";

static bool same_draw(const quiz_draw *x, const quiz_draw *y) {
    if (x->n != y->n) return false;
    for (size_t p = 0; p < x->n; p++)
        if (x->q[p] != y->q[p] || memcmp(x->perm[p], y->perm[p], sizeof x->perm[p])) return false;
    return true;
}

static void test_draw_per_attempt(void **state) {
    fixture *f = *state;
    test_put(f->dir, "secu/03-pool.md", mod_pool);
    learn_library *lib = load(f);
    const learn_module *m = library_module(lib, "pool");
    assert_non_null(m);
    cur_lib = lib;
    char n1[ATTEMPT_NONCE_MAX], n2[ATTEMPT_NONCE_MAX];
    bool passed;
    nonce_now(f, lib, f->user, m->id, n1);
    nonce_now(f, lib, f->user, m->id, n2);
    assert_string_not_equal(n1, n2);
    quiz_draw *d1 = attempt_draw(lib->nonce_key, f->user, m, n1), *d2 = attempt_draw(lib->nonce_key, f->user, m, n2);
    assert_int_equal(d1->n, 3);
    assert_true(same_draw(d1, d2)); /* a reload: the same draw */
    quiz_draw *other = attempt_draw(lib->nonce_key, f->user + 1, m, n1);
    assert_false(same_draw(d1, other)); /* another agent's (1 chance in 20 * 24^3 to collide) */
    quiz_draw_free(other);
    assert_int_equal(try(f, m, n1, "{}", &passed), ATTEMPT_OK);
    assert_int_equal(try(f, m, n2, "{}", &passed), ATTEMPT_STALE); /* rendered before that attempt */
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 1);
    assert_int_equal(try(f, m, n1, "{}", &passed), ATTEMPT_REPLAY); /* a replay still names its attempt */
    nonce_now(f, lib, f->user, m->id, n2);
    quiz_draw *d3 = attempt_draw(lib->nonce_key, f->user, m, n2);
    assert_false(same_draw(d1, d3)); /* the next attempt: another draw */
    assert_int_equal(try(f, m, n2, "{}", &passed), ATTEMPT_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 2);
    quiz_draw_free(d1);
    quiz_draw_free(d2);
    quiz_draw_free(d3);
    library_release(lib);
}

/* Failures count across a module's copies in other languages: two failures of the French
 * module lock its English copy until the same time (and the other way round), and the
 * English copy refuses an attempt then, with nothing written. */
static const char mod_b_en[] = "---\nid: mots-de-passe-en\ntranslation_of: mots-de-passe\ntitle: Strong passwords\n"
                               "minutes: 6\nlang: en\ncompetencies: [CRCN-4.1@1]\npass: 1\nattempts: 2\ncooldown: 1h\n---\n"
                               "# M\n\nA passphrase.\n\n## Quiz\nQ?\n[[x]]\n";

static void test_cooldown_across_languages(void **state) {
    fixture *f = *state;
    test_put(f->dir, "secu-en/course.md", "---\ntitle: Security\nlang: en\nsummary: s\ntranslation_of: secu\n---\nIntro\n");
    test_put(f->dir, "secu-en/01-b.md", mod_b_en);
    learn_library *lib = load(f);
    const learn_module *fr = library_module(lib, "mots-de-passe"), *en = library_module(lib, "mots-de-passe-en");
    assert_non_null(fr);
    assert_non_null(en);
    const char *ids[LIBRARY_COPIES_MAX];
    assert_int_equal(library_copies(lib, fr, ids), 2);
    assert_string_equal(ids[0], "mots-de-passe");
    assert_string_equal(ids[1], "mots-de-passe-en");
    assert_int_equal(library_copies(lib, en, ids), 2);
    assert_string_equal(ids[0], "mots-de-passe-en");
    assert_string_equal(ids[1], "mots-de-passe");
    assert_int_equal(library_copies(lib, library_module(lib, "hameconnage"), ids), 1);
    cur_lib = lib;
    char n[ATTEMPT_NONCE_MAX];
    bool passed;
    attempt_outcome out = {0};
    nonce_now(f, lib, f->user, fr->id, n);
    assert_int_equal(try(f, fr, n, "{}", &passed), ATTEMPT_OK);
    assert_int_equal(attempt_locked_until(f->s, lib, f->user, en, clock_now()), 0);
    nonce_now(f, lib, f->user, en->id, n); /* one failure in each language */
    assert_int_equal(try(f, en, n, "{}", &passed), ATTEMPT_OK);
    int64_t first = count(f, "SELECT min(finished_at) FROM attempts");
    assert_int_equal(attempt_locked_until(f->s, lib, f->user, fr, clock_now()), first + 3600);
    assert_int_equal(attempt_locked_until(f->s, lib, f->user, en, clock_now()), first + 3600);
    nonce_now(f, lib, f->user, en->id, n);
    assert_int_equal(try_out(f, en, n, "{\"q1\": \"x\"}", &passed, &out), ATTEMPT_COOLDOWN);
    assert_int_equal(out.until, first + 3600);
    nonce_now(f, lib, f->user, fr->id, n);
    assert_int_equal(try(f, fr, n, "{\"q1\": \"x\"}", &passed), ATTEMPT_COOLDOWN);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM evidence"), 0);
    library_release(lib);
}

/* The hourly limit counts a module and its copies in other languages together, as the
 * cooldown does: attempts in French use up the English copy's hour too. */
static void test_rate_limit_across_languages(void **state) {
    fixture *f = *state;
    test_put(f->dir, "secu-en/course.md", "---\ntitle: Security\nlang: en\nsummary: s\ntranslation_of: secu\n---\nIntro\n");
    test_put(f->dir, "secu-en/01-a.md",
             "---\nid: hameconnage-en\ntranslation_of: hameconnage\ntitle: Phishing\nminutes: 8\nlang: en\n"
             "competencies: [CRCN-4.1@2]\npass: 0.5\nattempts: 20\n---\n# H\n\nVigilance.\n\n## Quiz\nQ?\n[[x]]\n");
    learn_library *lib = load(f);
    const learn_module *fr = library_module(lib, "hameconnage"), *en = library_module(lib, "hameconnage-en");
    assert_non_null(fr);
    assert_non_null(en);
    cur_lib = lib;
    char n[ATTEMPT_NONCE_MAX];
    bool passed;
    for (int i = 0; i < ATTEMPT_MAX_PER_HOUR - 1; i++) {
        nonce_now(f, lib, f->user, fr->id, n);
        assert_int_equal(try(f, fr, n, "{}", &passed), ATTEMPT_OK);
    }
    nonce_now(f, lib, f->user, en->id, n);
    assert_int_equal(try(f, en, n, "{}", &passed), ATTEMPT_OK);
    assert_int_equal(attempt_count_recent(f->s, lib, f->user, fr), ATTEMPT_MAX_PER_HOUR);
    assert_int_equal(attempt_count_recent(f->s, lib, f->user, en), ATTEMPT_MAX_PER_HOUR);
    nonce_now(f, lib, f->user, en->id, n);
    assert_int_equal(try(f, en, n, "{}", &passed), ATTEMPT_RATE_LIMITED);
    nonce_now(f, lib, f->user, fr->id, n);
    assert_int_equal(try(f, fr, n, "{}", &passed), ATTEMPT_RATE_LIMITED);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), ATTEMPT_MAX_PER_HOUR);
    /* another module is not held */
    assert_int_equal(attempt_count_recent(f->s, lib, f->user, library_module(lib, "mots-de-passe")), 0);
    library_release(lib);
}

/* A badge completed by a passed attempt is issued in the attempt's transaction: the hook
 * runs with the transaction open and the attempt visible; when something fails after the
 * badge was issued, neither the attempt, its evidence nor the badge remain. */
typedef struct hook_state {
    badges_ctx *badges;
    fixture *f;
    bool fail_after;
    int calls, earned;
} hook_state;

static bool award_hook(store *s, long long user_id, void *arg, perr *err) {
    hook_state *h = arg;
    h->calls++;
    assert_int_equal(sqlite3_get_autocommit(store_db(s)), 0); /* inside the attempt's transaction */
    assert_int_equal(count(h->f, "SELECT count(*) FROM attempts WHERE passed = 1"), 1);
    if (!badges_award_due(s, h->badges, user_id, &h->earned, err)) return false;
    assert_int_equal(h->earned, 1);
    if (h->fail_after) return perr_set(err, "a later failure");
    return true;
}

static void test_badge_with_the_attempt(void **state) {
    fixture *f = *state;
    char data[64], p[160];
    snprintf(data, sizeof data, "/tmp/test_catalog_data_XXXXXX");
    assert_non_null(mkdtemp(data));
    snprintf(p, sizeof p, "%s/badges", f->dir);
    mkdir(p, 0700);
    test_put(f->dir, "badges/essai.yaml",
        "slug: essai\nname: {fr: Essai, en: Trial}\ndescription: {fr: D, en: D}\ncriteria: {fr: C, en: C}\n"
        "image: essai.svg\nalignment: [CRCN-4.1]\nrule:\n  modules: [hameconnage]\n");
    test_put(f->dir, "badges/essai.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"/>\n");
    learn_library *lib = load(f);
    perr err = {{0}};
    hook_state h = {badges_ctx_new(f->s, data, f->dir, "http://127.0.0.1:9/", &err), f, true, 0, 0};
    if (!h.badges) fail_msg("badges: %s", err.msg);
    const learn_module *m = library_module(lib, "hameconnage");
    cur_lib = lib;
    cur_hook = award_hook;
    cur_arg = &h;
    char n1[ATTEMPT_NONCE_MAX];
    bool passed;
    nonce_now(f, lib, f->user, m->id, n1);
    assert_int_equal(try(f, m, n1, "{\"q1\": 1, \"q2\": \"ABC\"}", &passed), ATTEMPT_ERROR);
    assert_int_equal(h.calls, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM credentials"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM evidence"), 0);
    /* a failed attempt does not call the hook */
    nonce_now(f, lib, f->user, m->id, n1);
    assert_int_equal(try(f, m, n1, "{}", &passed), ATTEMPT_OK);
    assert_int_equal(h.calls, 1);
    h.fail_after = false;
    nonce_now(f, lib, f->user, m->id, n1);
    assert_int_equal(try(f, m, n1, "{\"q1\": 1, \"q2\": \"ABC\"}", &passed), ATTEMPT_OK);
    assert_true(passed);
    assert_int_equal(h.calls, 2);
    assert_int_equal(count(f, "SELECT count(*) FROM credentials"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM attempts"), 2);
    cur_hook = NULL;
    cur_arg = NULL;
    badges_ctx_free(h.badges);
    library_release(lib);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", data);
    assert_int_equal(system(cmd), 0);
}

/* Continue and "module suivant": a module passed in one language is done in the other
 * (never suggested again), an assigned path comes before the courses of past passes, and
 * the module after a pass is the path's next one. */
static void test_continue_languages_paths(void **state) {
    fixture *f = *state;
    test_put(f->dir, "secu-en/course.md", "---\ntitle: Security\nlang: en\nsummary: s\ntranslation_of: secu\n---\nIntro\n");
    test_put(f->dir, "secu-en/01-a.md",
        "---\nid: hameconnage-en\ntranslation_of: hameconnage\ntitle: Phishing\nminutes: 8\nlang: en\n"
        "competencies: [CRCN-4.1@2]\npass: 0.5\n---\n# H\n\nText.\n\n## Quiz\nQ1?\n- [(X)] yes\n- [( )] no\n");
    test_put(f->dir, "secu-en/02-b.md",
        "---\nid: mots-de-passe-en\ntranslation_of: mots-de-passe\ntitle: Passwords\nminutes: 6\nlang: en\n"
        "competencies: [CRCN-4.1@1]\npass: 1\n---\n# M\n\nText.\n\n## Quiz\nQ?\n[[x]]\n");
    learn_library *lib = load(f);
    perr err = {{0}};
    char sql[512];
    /* passed in English, then opened in French: the French copy is not "in progress" */
    snprintf(sql, sizeof sql,
             "INSERT INTO attempts (user_id, module_id, module_version, answers_json, score, passed, finished_at)"
             " VALUES (%lld, 'hameconnage-en', 'v', '{}', 1, 1, 100)",
             f->user);
    assert_true(store_exec(f->s, sql, &err));
    assert_true(progress_visit(f->s, f->user, "hameconnage", &err));
    json_t *next = learn_continue(f->s, lib, f->user);
    assert_non_null(next);
    assert_string_equal(json_string_value(json_object_get(next, "module_id")), "mots-de-passe-en");
    json_decref(next);
    /* the French copy of the next one passed: both courses are done, nothing to suggest */
    snprintf(sql, sizeof sql,
             "INSERT INTO attempts (user_id, module_id, module_version, answers_json, score, passed, finished_at)"
             " VALUES (%lld, 'mots-de-passe', 'v', '{}', 1, 1, 200)",
             f->user);
    assert_true(store_exec(f->s, sql, &err));
    assert_null(learn_continue(f->s, lib, f->user));
    assert_null(learn_next_after(f->s, lib, f->user, library_module(lib, "hameconnage")));
    /* another agent with a path [mots-de-passe, hameconnage]: continue names the path's
     * first module, and after passing it the path's next one (not the course's) */
    long long u2 = 0;
    assert_true(account_create(f->s, "b@x.test", "Agent B", 0, ROLE_AGENT, "fr", NULL, &u2, &err));
    snprintf(sql, sizeof sql,
             "INSERT INTO paths (id, title, created_at, updated_at) VALUES (7, 'Sécurité en deux temps', 1, 1);"
             "INSERT INTO path_modules VALUES (7, 1, 'mots-de-passe'), (7, 2, 'hameconnage');"
             "INSERT INTO assignments (id, path_id, due_on, due_at, created_at) VALUES (3, 7, '2030-01-01', 1, 1);"
             "INSERT INTO assignment_members (assignment_id, user_id, added_at) VALUES (3, %lld, 1);",
             u2);
    assert_true(store_exec(f->s, sql, &err));
    next = learn_continue(f->s, lib, u2);
    assert_non_null(next);
    assert_string_equal(json_string_value(json_object_get(next, "module_id")), "mots-de-passe");
    assert_string_equal(json_string_value(json_object_get(next, "status")), "path");
    assert_string_equal(json_string_value(json_object_get(next, "path_title")), "Sécurité en deux temps");
    json_decref(next);
    snprintf(sql, sizeof sql,
             "INSERT INTO attempts (user_id, module_id, module_version, answers_json, score, passed, finished_at)"
             " VALUES (%lld, 'mots-de-passe-en', 'v', '{}', 1, 1, 300)",
             u2);
    assert_true(store_exec(f->s, sql, &err));
    next = learn_next_after(f->s, lib, u2, library_module(lib, "mots-de-passe-en"));
    assert_non_null(next);
    assert_string_equal(json_string_value(json_object_get(next, "module_id")), "hameconnage");
    assert_string_equal(json_string_value(json_object_get(next, "status")), "path");
    json_decref(next);
    next = learn_continue(f->s, lib, u2);
    assert_non_null(next);
    assert_string_equal(json_string_value(json_object_get(next, "module_id")), "hameconnage");
    json_decref(next);
    library_release(lib);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sync_search_archive, setup, teardown),
        cmocka_unit_test(test_stem),
        cmocka_unit_test_setup_teardown(test_attempts_progress_evidence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continue_languages_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cooldown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cooldown_across_languages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit_across_languages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_draw_per_attempt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_badge_with_the_attempt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
