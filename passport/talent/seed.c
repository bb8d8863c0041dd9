/* SPDX-License-Identifier: EUPL-1.2 */
/* The synthetic organisation of talent/seed.h. */
#include "talent/seed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"

#define BATCH 20000
#define DIRECTIONS 10
#define YEAR (365LL * 86400)

/* xorshift64*: small, fast, deterministic */
static uint64_t next(uint64_t *x) {
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ULL;
}

static int below(uint64_t *x, int n) {
    return (int)(next(x) % (uint64_t)n);
}

static const char *const interests[] = {
    "données ouvertes", "accessibilité numérique", "cybersécurité", "animation d'ateliers", "tableurs",
    "rédaction web", "visioconférence", "protection des données", "intelligence artificielle", "logiciels libres",
    "gestion de projet", "design de services", "automatisation", "cartographie", "formation des collègues",
    "communication interne", "archivage électronique", "sobriété numérique", "vidéo", "enquêtes usagers",
};
static const char *const bios[] = {
    "J'accompagne les usagers dans leurs démarches en ligne.",
    "Je gère les tableaux de bord du service et aime faire parler les données.",
    "Référent numérique de mon équipe, j'anime des sessions de prise en main.",
    "Je participe à la refonte du site intranet et à sa mise en accessibilité.",
    "Passionnée de sécurité informatique, je sensibilise mes collègues au hameçonnage.",
    "J'organise des réunions hybrides et des formations à distance.",
    "Je rédige des contenus clairs pour le site de la direction.",
    "J'automatise des traitements répétitifs avec des scripts simples.",
};
static const char *const languages[] = {"français", "français, anglais", "français, espagnol", "français, allemand",
                                        "français, anglais, arabe"};

static bool step(store *s, store_query *st, perr *err) {
    int rc = store_step(st);
    store_done(st);
    return rc == STORE_DONE ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

/* Steps an INSERT … RETURNING id: writes the new row's id. */
static bool step_id(store *s, store_query *st, long long *id, perr *err) {
    int rc = store_step(st);
    *id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return rc == STORE_ROW ? true : perr_set(err, "database error: %s", store_errmsg(s));
}

static long long count_of(store *s, const char *sql_literal_count) {
    store_query *st = store_stmt(s, sql_literal_count, NULL);
    if (!st) return -1;
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : -1;
    store_done(st);
    return n;
}

/* Creates (or finds) the unit name under parent; writes its id. */
static bool unit_get(store *s, const char *name, long long parent, long long *id, perr *err) {
    store_query *st = store_stmt(s, "SELECT id FROM units WHERE name = ? AND coalesce(parent_id, 0) = ?", err);
    if (!st) return false;
    store_bind_text(st, 1, name);
    store_bind_int64(st, 2, parent);
    *id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    if (*id) return true;
    st = store_stmt(s, "INSERT INTO units(name, parent_id, created_at) VALUES (?1, nullif(CAST(?2 AS BIGINT), 0), ?3)"
                       " RETURNING id", err);
    if (!st) return false;
    store_bind_text(st, 1, name);
    store_bind_int64(st, 2, parent);
    store_bind_int64(st, 3, clock_now());
    return step_id(s, st, id, err);
}

bool talent_seed(store *s, long n, unsigned seed, talent_seed_stats *stats, perr *err) {
    talent_seed_stats z = {0};
    if (!stats) stats = &z;
    memset(stats, 0, sizeof *stats);
    /* the CRCN competencies */
    long long comps[64];
    int ncomp = 0;
    store_query *st = store_stmt(s,
                                  "SELECT c.id FROM competencies c JOIN frameworks f ON f.id = c.framework_id"
                                  " WHERE f.code = 'CRCN' AND c.retired = 0 ORDER BY c.position",
                                  err);
    if (!st) return false;
    while (store_step(st) == STORE_ROW && ncomp < 64) comps[ncomp++] = store_col_int64(st, 0);
    store_done(st);
    if (!ncomp) return perr_set(err, "no CRCN competencies loaded: import courses/frameworks/crcn.csv first");
    long long first = count_of(s, "SELECT count(*) FROM users WHERE email LIKE 'agent%@seed.passport.test'");
    if (first < 0) return perr_set(err, "database error");
    uint64_t x = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)seed << 1) ^ (uint64_t)first;
    if (!x) x = 1;
    long nservices = n / 400 > 20 ? n / 400 : 20;
    long long *services = xmalloc((size_t)nservices * sizeof *services);
    int64_t now = clock_now();
    if (!store_begin(s, err)) goto fail_nobegin;
    for (long i = 0; i < nservices; i++) {
        char name[64];
        long long dir;
        snprintf(name, sizeof name, "Direction synthétique %ld", i % DIRECTIONS + 1);
        if (!unit_get(s, name, 0, &dir, err)) goto fail;
        snprintf(name, sizeof name, "Service synthétique %ld", i + 1);
        if (!unit_get(s, name, dir, &services[i], err)) goto fail;
        stats->units++;
    }
    for (long k = 0; k < n; k++) {
        if (k && k % BATCH == 0) {
            if (!store_commit(s, err) || !store_begin(s, err)) goto fail_nobegin;
        }
        long num = (long)first + k + 1;
        char email[80], name[64];
        snprintf(email, sizeof email, "agent%ld@seed.passport.test", num);
        snprintf(name, sizeof name, "Agent synthétique %ld", num);
        int r = below(&x, 100);
        const char *vis = r < 30 ? "hr" : r < 40 ? "all" : "hidden";
        bool has_profile = below(&x, 100) < 45;
        st = store_stmt(s,
                        "INSERT INTO users(email, display_name, password_hash, unit_id, locale, roles, visibility, bio,"
                        " created_at) VALUES (?, ?, 'seed:no-login', ?, 'fr', 1, ?, ?, ?) RETURNING id",
                        err);
        if (!st) goto fail;
        store_bind_text(st, 1, email);
        store_bind_text(st, 2, name);
        store_bind_int64(st, 3, services[below(&x, (int)nservices)]);
        store_bind_text(st, 4, vis);
        store_bind_text(st, 5, has_profile ? bios[below(&x, (int)(sizeof bios / sizeof bios[0]))] : "");
        store_bind_int64(st, 6, now - below(&x, 3 * 365) * 86400LL);
        long long uid;
        if (!step_id(s, st, &uid, err)) goto fail;
        stats->agents++;
        if (strcmp(vis, "hidden")) stats->visible++;
        if (has_profile) {
            char inter[160];
            snprintf(inter, sizeof inter, "%s, %s", interests[below(&x, 20)], interests[below(&x, 20)]);
            st = store_stmt(s,
                            "INSERT INTO profiles(user_id, interests, languages, available, updated_at)"
                            " VALUES (?, ?, ?, ?, ?)",
                            err);
            if (!st) goto fail;
            store_bind_int64(st, 1, uid);
            store_bind_text(st, 2, inter);
            store_bind_text(st, 3, languages[below(&x, 5)]);
            store_bind_int(st, 4, below(&x, 100) < 50);
            store_bind_int64(st, 5, now);
            if (!step(s, st, err)) goto fail;
            stats->profiles++;
        }
        /* 2..12 pieces of evidence; a profile leans on a few strong competencies */
        int pieces = 2 + below(&x, 11);
        int strong = below(&x, ncomp);
        for (int p = 0; p < pieces; p++) {
            int c = below(&x, 3) == 0 ? strong : below(&x, ncomp);
            int kr = below(&x, 100);
            const char *kind = kr < 55 ? "measured" : kr < 75 ? "attested" : "declared";
            int level = 1 + below(&x, 3) + below(&x, 3) + (c == strong ? 2 : 0);
            if (level > 8) level = 8;
            st = store_stmt(s,
                            "INSERT INTO evidence(user_id, competency_id, level, kind, source_ref, created_at)"
                            " VALUES (?, ?, ?, ?, 'seed', ?)",
                            err);
            if (!st) goto fail;
            store_bind_int64(st, 1, uid);
            store_bind_int64(st, 2, comps[c]);
            store_bind_int(st, 3, level);
            store_bind_text(st, 4, kind);
            store_bind_int64(st, 5, now - (int64_t)below(&x, 3 * 365) * 86400LL);
            if (!step(s, st, err)) goto fail;
            stats->evidence++;
        }
    }
    if (!store_commit(s, err)) goto fail_nobegin;
    free(services);
    return true;
fail:
    store_rollback(s);
fail_nobegin:
    free(services);
    return false;
}
