/* SPDX-License-Identifier: EUPL-1.2 */
/* What a server checks against the others on the same database (store/cluster.h,
 * docs/deployment.md): it serves the course library and the data folder's secrets (issuer
 * keys, quiz-form key) that the database records as current, and says so at each tick
 * (the heartbeat); a server whose files differ is refused at start and at a reload while
 * another live server serves the current ones, and is "not ready" (/readyz) when the
 * current ones change under it, until it loads them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/badges.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"
#include "handlers/app.h"
#include "learn/library.h"
#include "store/cluster.h"

#define FACT_LIBRARY CLUSTER_LIBRARY
#define FACT_SECRETS CLUSTER_SECRETS

int app_tick_seconds(void) {
    const char *e = getenv("PASSPORT_TICK_SECONDS");
    int v = e ? atoi(e) : 0;
    return v > 0 && v <= 3600 ? v : 10;
}

/* A server that said nothing for three ticks no longer counts as live. */
static int64_t live_seconds(void) {
    return 3 * (int64_t)app_tick_seconds();
}

/* "quiz=<16 hex> keys=<multikey>,<multikey>...": the quiz-form key by an HMAC of it (the
 * key itself never leaves the data folder), the issuer keys by their public halves, in
 * creation order. New string. */
static char *secrets_value(app *a) {
    static const char label[] = "passport quiz-form key fingerprint";
    unsigned char mac[32];
    rand_hmac_sha256(a->nonce_key, sizeof a->nonce_key, label, sizeof label - 1, mac);
    buf b = BUF_INIT;
    buf_puts(&b, "quiz=");
    for (int i = 0; i < 8; i++) buf_printf(&b, "%02x", mac[i]);
    buf_puts(&b, " keys=");
    const keyring *kr = a->badges ? a->badges->keys : NULL;
    for (size_t i = 0; kr && i < keyring_count(kr); i++) {
        char *mk = keys_multikey(keyring_key(kr, i));
        buf_printf(&b, "%s%s", i ? "," : "", mk);
        free(mk);
    }
    return buf_detach(&b);
}

/* A key rotation adds a key: a set with the same quiz-form key and every current key,
 * plus newer ones, replaces the current one even while other servers serve it (they are
 * then not ready until they load the new key). */
static bool secrets_supersede(const char *mine, const char *current) {
    const char *mk = strstr(mine, " keys="), *ck = strstr(current, " keys=");
    if (!mk || !ck || mk - mine != ck - current || strncmp(mine, current, (size_t)(mk - mine))) return false;
    ck += 6;
    mk += 6;
    while (*ck) {
        size_t n = strcspn(ck, ",");
        bool found = false;
        for (const char *p = mk; *p && !found; p += strcspn(p, ","), p += *p == ',') {
            size_t m = strcspn(p, ",");
            found = m == n && !strncmp(p, ck, n);
        }
        if (!found) return false;
        ck += n;
        ck += *ck == ',';
    }
    return true;
}

/* Records what a->cluster_note says (/readyz) and logs a change of it. */
static void set_note(app *a, bool library_stale, bool secrets_stale, const char *note) {
    pthread_mutex_lock(&a->lib_mu);
    bool changed = a->library_stale != library_stale || a->secrets_stale != secrets_stale;
    a->library_stale = library_stale;
    a->secrets_stale = secrets_stale;
    snprintf(a->cluster_note, sizeof a->cluster_note, "%s", note);
    pthread_mutex_unlock(&a->lib_mu);
    if (changed && *note) log_error("not ready: %s", note);
    else if (changed) log_info("ready: this server serves the current course library and secrets");
}

bool app_cluster_library(app *a, const learn_library *lib, bool may_adopt, perr *err) {
    char hash[65];
    library_hash(lib, hash);
    buf cur = BUF_INIT, other = BUF_INIT;
    cluster_verdict v;
    bool ok = cluster_claim(a->db, a->server, FACT_LIBRARY, hash, clock_now(), live_seconds(), may_adopt, NULL, &v,
                            &cur, &other, err);
    if (ok && v == CLUSTER_ADOPTED)
        log_info("courses: this library (%.12s) is now the current one (was %.12s)", hash, buf_cstr(&cur));
    if (ok && v == CLUSTER_REFUSED) {
        ok = perr_set(err,
                      "the course library in %s (version %.12s) differs from the current one (version %.12s%s%s): "
                      "install the same library on every server, or make this one current with "
                      "`passport publish-courses`",
                      a->cfg.courses_dir ? a->cfg.courses_dir : "./courses", hash, buf_cstr(&cur),
                      other.len ? ", served by " : "", buf_cstr(&other));
    }
    buf_free(&cur);
    buf_free(&other);
    return ok;
}

bool app_cluster_secrets(app *a, perr *err) {
    char *mine = secrets_value(a);
    buf cur = BUF_INIT, other = BUF_INIT;
    cluster_verdict v;
    bool ok = cluster_claim(a->db, a->server, FACT_SECRETS, mine, clock_now(), live_seconds(), true, secrets_supersede,
                            &v, &cur, &other, err);
    if (ok && v == CLUSTER_ADOPTED) log_info("keys: this server's issuer keys are now the current ones");
    if (ok && v == CLUSTER_REFUSED)
        ok = perr_set(err,
                      "the issuer keys or the quiz-form key in %s differ from those of server %s: copy %s/keys/ and "
                      "%s/quiz-nonce.key from a server that runs, so that every server has the same ones",
                      a->cfg.data_dir, buf_cstr(&other), a->cfg.data_dir, a->cfg.data_dir);
    free(mine);
    buf_free(&cur);
    buf_free(&other);
    return ok;
}

void app_cluster_tick(app *a, int64_t now) {
    perr err = {{0}};
    learn_library *lib = app_library_acquire(a);
    char hash[65];
    library_hash(lib, hash);
    app_library_release(a, lib);
    bool lib_current = true, keys_current = true;
    buf cur = BUF_INIT;
    if (!cluster_report(a->db, a->server, FACT_LIBRARY, hash, now, &lib_current, &cur, &err)) {
        store_log_failure(a->db, "heartbeat", "heartbeat: %s", err.msg);
        goto done;
    }
    /* Published by `passport publish-courses` or another server: load it if the files are
     * here; at once for a new current hash, then once a minute (the files may come later). */
    if (!lib_current && (strcmp(a->lib_tried, buf_cstr(&cur)) || now >= a->lib_retry_at)) {
        perr rerr = {{0}};
        snprintf(a->lib_tried, sizeof a->lib_tried, "%s", buf_cstr(&cur));
        a->lib_retry_at = now + 60;
        log_info("courses: the current library is %.12s, this server serves %.12s: reloading", buf_cstr(&cur), hash);
        lib_current = app_library_reload_as(a, false, &rerr);
        if (!lib_current) log_error("courses: %s", rerr.msg);
    }
    char *mine = secrets_value(a);
    buf_reset(&cur);
    if (!cluster_report(a->db, a->server, FACT_SECRETS, mine, now, &keys_current, &cur, &err))
        store_log_failure(a->db, "heartbeat", "heartbeat: %s", err.msg);
    free(mine);
    char note[300] = "";
    if (!lib_current)
        snprintf(note, sizeof note, "the course library differs from the current one: install it and reload (SIGHUP)");
    else if (!keys_current)
        snprintf(note, sizeof note,
                 "the issuer keys differ from the current ones (rotated on another server): copy the data folder's "
                 "keys/ and restart");
    set_note(a, !lib_current, !keys_current, note);
done:
    buf_free(&cur);
}

void app_cluster_leave(app *a) {
    cluster_leave(a->db, a->server);
}

bool app_cluster_ready(app *a, char *detail, size_t n) {
    pthread_mutex_lock(&a->lib_mu);
    bool ok = !a->library_stale && !a->secrets_stale;
    snprintf(detail, n, "%s", ok ? a->server : a->cluster_note);
    pthread_mutex_unlock(&a->lib_mu);
    return ok;
}
