/* SPDX-License-Identifier: EUPL-1.2 */
/* The demo organisation's story: colleagues with passed modules, a path in progress, an
 * open call with applicants, badges earned. */
#include "people/demo_story.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "paths/assign.h"
#include "paths/path.h"
#include "people/account.h"
#include "people/unit.h"
#include "skills/evidence.h"
#include "talent/calls.h"
#include "talent/profile.h"

#define DAY 86400
#define NO_LOGIN "demo:no-login" /* matches no password: colleagues cannot sign in */

static const char *const courses[] = {"securite-numerique", "donnees-tableurs", "travailler-ensemble",
                                      "ecrire-publier",     "rechercher-verifier", "donnees-personnelles",
                                      "resoudre-problemes", "sobriete-bien-etre"};
#define NCOURSES (sizeof courses / sizeof courses[0])

#define USAGES "Direction générale / Direction du numérique / Service des usages"
#define FORMATION "Direction générale / Direction des ressources humaines / Service formation"
#define DSN "Direction générale / Direction du numérique"
#define DRH "Direction générale / Direction des ressources humaines"

/* Each colleague: the course passed in full, the course begun (first modules passed),
 * visible to HR or not, and a line about them. */
static const struct {
    const char *name, *email, *unit;
    int full, begun;
    bool visible;
    const char *bio;
} people[] = {
    {"Julien Moreau", "julien.moreau", USAGES, 0, 1, true, "Référent numérique du service, anime les ateliers du jeudi."},
    {"Sophie Lefèvre", "sophie.lefevre", USAGES, 1, 3, true, "Suit les indicateurs du service dans un tableur partagé."},
    {"Thomas Garnier", "thomas.garnier", USAGES, 2, 0, true, "Organise les réunions à distance de l’équipe projet."},
    {"Inès Haddad", "ines.haddad", USAGES, 3, 4, true, "Rédige les pages d’aide en langage clair."},
    {"Paul Roussel", "paul.roussel", USAGES, 4, 6, false, ""},
    {"Nadia Benamar", "nadia.benamar", USAGES, 0, 5, true, "Correspondante RGPD de la direction."},
    {"Camille Fontaine", "camille.fontaine", FORMATION, 3, 2, true, "Conçoit des supports de formation accessibles."},
    {"Hugo Lambert", "hugo.lambert", FORMATION, 1, 7, false, ""},
    {"Chloé Marchand", "chloe.marchand", FORMATION, 2, 3, true, "Anime des classes virtuelles."},
    {"Antoine Girard", "antoine.girard", FORMATION, 6, 0, true, "Premier niveau de support pour les stagiaires."},
    {"Yasmine Cherif", "yasmine.cherif", FORMATION, 4, 1, true, "Veille sur les usages numériques des agents."},
    {"Élodie Vasseur", "elodie.vasseur", DSN, 0, 6, true, "Cheffe de projet, sécurité des systèmes d’information."},
    {"Mathieu Caron", "mathieu.caron", DSN, 6, 1, true, "Automatise les tâches répétitives avec des scripts."},
    {"Aïcha Diallo", "aicha.diallo", DSN, 1, 5, true, "Publie les jeux de données ouverts de la collectivité."},
    {"Romain Perrin", "romain.perrin", DSN, 7, 2, false, ""},
    {"Lucie Bernard", "lucie.bernard", DRH, 5, 3, true, "Gestionnaire des dossiers agents, attentive aux données."},
    {"Olivier Renaud", "olivier.renaud", DRH, 2, 7, true, "Coordonne le télétravail de la direction."},
    {"Sarah Meyer", "sarah.meyer", DRH, 3, 0, true, "Rédige la lettre interne."},
    {"Bastien Colin", "bastien.colin", DRH, 7, 4, false, ""},
};
#define NPEOPLE (sizeof people / sizeof people[0])

/* The manager's path: the first four modules of the security course, for the colleagues
 * of the first unit (Service des usages). */
#define PATH_MODULES 4
#define TEAM 6

static bool db_fail(store *s, perr *err) {
    return perr_set(err, "database error: %s", store_errmsg(s));
}

/* Records a passed attempt of module id at time at, with its measured evidence, as a
 * passed quiz does (learn/attempt.c). */
static bool pass_module(store *s, long long user, const char *id, int64_t at, perr *err) {
    store_query *st = store_stmt(s, "SELECT version_hash FROM modules WHERE id = ? AND archived_at IS NULL", err);
    if (!st) return false;
    store_bind_text(st, 1, id);
    if (store_step(st) != STORE_ROW) {
        store_done(st);
        return perr_set(err, "demo: module %s is not in the catalogue", id);
    }
    char ref[128], version[65];
    snprintf(version, sizeof version, "%s", store_col_text(st, 0));
    store_done(st);
    snprintf(ref, sizeof ref, "module:%s@%.8s", id, version);
    st = store_stmt(s, "INSERT INTO attempts(user_id, module_id, module_version, answers_json, score, passed,"
                       " started_at, finished_at) VALUES (?, ?, ?, '{}', 1.0, 1, ?, ?)", err);
    if (!st) return false;
    store_bind_int64(st, 1, user);
    store_bind_text(st, 2, id);
    store_bind_text(st, 3, version);
    store_bind_int64(st, 4, at - 9 * 60);
    store_bind_int64(st, 5, at);
    int rc = store_step(st);
    store_done(st);
    if (rc != STORE_DONE) return db_fail(s, err);
    st = store_stmt(s, "SELECT code, level FROM module_competencies WHERE module_id = ? ORDER BY code", err);
    if (!st) return false;
    store_bind_text(st, 1, id);
    json_t *comps = json_array();
    while (store_step(st) == STORE_ROW)
        json_array_append_new(comps, json_pack("{s:s, s:i}", "code", store_col_text(st, 0), "level",
                                               store_col_int(st, 1)));
    store_done(st);
    bool ok = true;
    size_t i;
    json_t *c;
    json_array_foreach(comps, i, c) {
        if (ok && !evidence_add(s, user, json_string_value(json_object_get(c, "code")),
                                (int)json_integer_value(json_object_get(c, "level")), EVIDENCE_MEASURED, ref, 0, NULL, err))
            ok = false;
    }
    json_decref(comps);
    if (!ok) return false;
    /* the evidence dates from the attempt, not from the demo's creation */
    st = store_stmt(s, "UPDATE evidence SET created_at = ? WHERE user_id = ? AND source_ref = ?", err);
    if (!st) return false;
    store_bind_int64(st, 1, at);
    store_bind_int64(st, 2, user);
    store_bind_text(st, 3, ref);
    rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : db_fail(s, err);
}

/* The live modules of a course in order, into ids (at most max; caller frees each). */
static size_t course_modules(store *s, const char *slug, char **ids, size_t max) {
    store_query *st = store_stmt(s, "SELECT id FROM modules WHERE course_slug = ? AND archived_at IS NULL"
                                     " ORDER BY position", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, slug);
    size_t n = 0;
    while (n < max && store_step(st) == STORE_ROW) ids[n++] = xstrdup(store_col_text(st, 0));
    store_done(st);
    return n;
}

static void free_ids(char **ids, size_t n) {
    for (size_t i = 0; i < n; i++) free(ids[i]);
}

/* Passes the first `count` modules of course c (all when count < 0), day by day from
 * `from`. */
static bool pass_course(store *s, long long user, size_t c, int count, int64_t from, demo_story_stats *st,
                        perr *err) {
    char *ids[16];
    size_t n = course_modules(s, courses[c], ids, 16);
    bool ok = true;
    for (size_t m = 0; m < n && ok && (count < 0 || (int)m < count); m++) {
        ok = pass_module(s, user, ids[m], from + (int64_t)m * DAY + 3600 * (int64_t)(9 + m), err);
        if (ok) st->passes++;
    }
    free_ids(ids, n);
    return ok;
}

/* Adds the colleagues and their passes; ids[k] receives each one's account id. */
static bool add_colleagues(store *s, int64_t now, long long *ids, demo_story_stats *st, perr *err) {
    for (size_t k = 0; k < NPEOPLE; k++) {
        long long unit = 0;
        char email[96];
        snprintf(email, sizeof email, "%s@demo.passport.test", people[k].email);
        if (!unit_resolve_path(s, people[k].unit, true, &unit, err) ||
            !account_create(s, email, people[k].name, unit, ROLE_AGENT, "fr", NO_LOGIN, &ids[k], err))
            return false;
        if (people[k].visible && (!profile_save(s, ids[k], people[k].bio, "", "français", k % 3 == 0, err) ||
                                  !profile_set_visibility(s, ids[k], TALENT_VISIBLE_HR, err)))
            return false;
        int64_t start = now - (int64_t)(80 - 3 * k) * DAY;
        if (!pass_course(s, ids[k], (size_t)people[k].full, -1, start, st, err) ||
            !pass_course(s, ids[k], (size_t)people[k].begun, 2, start + 20 * DAY, st, err))
            return false;
        st->agents++;
    }
    return true;
}

/* The manager's path, assigned 9 days ago to the first TEAM colleagues (Service des
 * usages), half-way through. */
static bool add_path(store *s, int64_t now, const long long *ids, demo_story_stats *st, perr *err) {
    account *manager = account_by_email(s, "manager@demo.passport.test", err);
    if (!manager) return perr_set(err, "demo: no manager account");
    char *mods[PATH_MODULES];
    size_t n = course_modules(s, "securite-numerique", mods, PATH_MODULES);
    if (!n || !skills_competency_exists(s, "CRCN-4.1")) { /* another library: no path to tell */
        account_free(manager);
        return true;
    }
    path_target target = {"CRCN-4.1", 3};
    path_input in = {"Sécurité numérique : les essentiels",
                     "Quatre modules pour les réflexes de base : hameçonnage, mots de passe, double authentification, "
                     "mises à jour et sauvegardes.",
                     (const char *const *)mods, n, &target, 1};
    long long path_id = 0, assignment = 0;
    bool ok = path_create(s, manager->id, &in, &path_id, NULL, err) == PATHS_OK;
    int64_t start = now - 9 * DAY;
    char due[11];
    clock_date(now + 21 * DAY, due);
    assign_input ai = {path_id, ids, TEAM, 0, false, due, "À terminer avant la fin du mois, à votre rythme."};
    ok = ok && assign_create(s, manager, &ai, start, &assignment, NULL, err) == PATHS_OK;
    for (size_t k = 0; ok && k < TEAM; k++) { /* 0 to 4 modules done each */
        for (size_t m = 0; ok && m < (k * 3) % 5 && m < n; m++) {
            ok = pass_module(s, ids[k], mods[m], start + (int64_t)(1 + m + k) * DAY, err);
            if (ok) st->passes++;
        }
    }
    free_ids(mods, n);
    account_free(manager);
    return ok;
}

/* HR's open call, opened 5 days ago, with three applicants. */
static bool add_call(store *s, int64_t now, const long long *ids, demo_story_stats *st, perr *err) {
    if (!skills_competency_exists(s, "CRCN-3.1") || !skills_competency_exists(s, "CRCN-1.3")) return true;
    account *hr = account_by_email(s, "rh@demo.passport.test", err);
    if (!hr) return perr_set(err, "demo: no HR account");
    int64_t today = now - now % DAY;
    call_draft d = {"Simplifier nos démarches en ligne",
                    "Nous cherchons **trois agents** pour repenser, avec les usagers, les formulaires en ligne "
                    "les plus utilisés : textes clairs, pages accessibles, données bien tenues.\n\n"
                    "Une journée par semaine pendant six mois, avec l’accord de votre responsable.",
                    today - 5 * DAY, today + 25 * DAY, {{"CRCN-3.1", 2, 2}, {"CRCN-1.3", 2, 1}}, 2};
    long long call = 0;
    bool ok = calls_create(s, hr->id, &d, &call, err) && calls_set_state(s, call, "open", err);
    static const struct { size_t who; const char *motivation; } apps[] = {
        {3, "J’écris déjà les pages d’aide du service : je voudrais aller jusqu’aux formulaires."},
        {6, "Je forme les agents aux documents accessibles et j’aimerais l’appliquer aux démarches."},
        {1, "Je tiens les tableaux de suivi des demandes : je sais où les usagers abandonnent."},
    };
    for (size_t i = 0; ok && i < sizeof apps / sizeof apps[0]; i++) {
        ok = calls_apply(s, call, ids[apps[i].who], apps[i].motivation, err);
        if (ok) st->applicants++;
    }
    account_free(hr);
    return ok;
}

bool demo_story(store *s, const badges_ctx *badges, int64_t now, demo_story_stats *stats, perr *err) {
    demo_story_stats z = {0};
    if (!stats) stats = &z;
    memset(stats, 0, sizeof *stats);
    long long ids[NPEOPLE] = {0};
    if (!store_begin(s, err)) return false;
    if (!add_colleagues(s, now, ids, stats, err) || !add_path(s, now, ids, stats, err) ||
        !add_call(s, now, ids, stats, err)) {
        store_rollback(s);
        return false;
    }
    if (!store_commit(s, err)) return false;
    for (size_t k = 0; badges && k < NPEOPLE; k++) { /* the badges their passes earned */
        int issued = 0;
        if (!badges_check_awards(s, badges, ids[k], &issued, err)) return false;
        stats->badges += issued;
    }
    return true;
}
