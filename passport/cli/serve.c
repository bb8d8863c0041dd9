/* `passport serve`: runs the web server until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/atomic_file.h"
#include "core/clock.h"
#include "core/log.h"
#include "handlers/app.h"
#include "http/server.h"
#include "learn/library.h"
#include "learn/positioning.h"
#include "paths/assign.h"
#include "people/session.h"
#include "skills/skills.h"

#define SERVE_WRITE_WAIT_MS 250

static const char usage[] =
    "usage: passport serve [--data DIR] [--listen ADDR:PORT] [--web DIR] [--courses DIR]\n"
    "                      [--public-url URL] [--quiet]\n"
    "Serves Passport over HTTP until SIGINT or SIGTERM (in-flight requests finish).\n"
    "  --data DIR          data folder (PASSPORT_DATA, default ./var)\n"
    "  --listen ADDR:PORT  address to listen on (PASSPORT_LISTEN, default 127.0.0.1:8080)\n"
    "  --web DIR           templates, static files, translations (PASSPORT_WEB, ./web)\n"
    "  --courses DIR       course library (PASSPORT_COURSES, ./courses)\n"
    "  --public-url URL    the URL users reach (PASSPORT_PUBLIC_URL); https enables Secure cookies\n"
    "  --issuer-name NAME  the organisation named as issuer of new credentials (PASSPORT_ISSUER_NAME,\n"
    "                      default Passport); --issuer-url URL, --issuer-email ADDR, --issuer-image URL\n"
    "                      (PASSPORT_ISSUER_URL, _EMAIL, _IMAGE) complete its OB 3.0 Profile\n"
    "  --quiet             no per-request log lines\n";

/* Re-checks coming due (learn/positioning.h): idempotent; run at start and then once an hour
 * (the sweep reads every agent's verified levels; due dates move by days, not minutes). */
static void housekeeping_rechecks(app *a) {
    static int64_t last;
    int64_t now = clock_now();
    if (last && now >= last && now - last < 3600) return;
    last = now;
    perr err = {{0}};
    learn_library *lib = app_library_acquire(a);
    int posted = 0;
    if (!recheck_sweep(a->db, lib->bank, now, skills_stale_months(), &posted, &err))
        log_error("re-check notices: %s", err.msg);
    else if (posted)
        log_info("re-checks: %d new", posted);
    app_library_release(a, lib);
}

int cli_serve(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);

    store *db = cli_open_store(&o);
    if (!db) return 1;
    atomic_file_warn_leftovers(o.data_dir);
    /* A write waits at most this long for the lock, then answers 503: no worker sleeps long
     * while another process (the CLI, a backup) writes. */
    const char *wait = getenv("PASSPORT_WRITE_WAIT_MS");
    store_set_write_wait(db, wait && atoi(wait) > 0 ? atoi(wait) : SERVE_WRITE_WAIT_MS);
    perr sync_err = {{0}};
    if (!skills_sync_frameworks(db, o.courses_dir, &sync_err))
        log_error("frameworks not updated (the stored ones keep serving): %s", sync_err.msg);
    char url[300];
    snprintf(url, sizeof url, "http://%s", o.listen);
    app_config cfg = {o.data_dir,       o.web_dir,       o.courses_dir,    o.public_url ? o.public_url : url,
                      PASSPORT_VERSION, o.issuer_name,   o.issuer_url,     o.issuer_email,
                      o.issuer_image};
    perr err = {{0}};
    int rc = 1;
    http_server *srv = NULL;
    app *a = app_new(&cfg, db, &err);
    if (!a) {
        fprintf(stderr, "passport: %s\n", err.msg);
        goto done;
    }
    http_server_opts hopts = {.listen = o.listen, .quiet = o.quiet};
    srv = http_server_start(&a->http, &hopts, &err);
    if (!srv) {
        fprintf(stderr, "passport: %s\n", err.msg);
        goto done;
    }
    log_info("Passport %s listening on http://%.*s:%u/ (data: %s)", PASSPORT_VERSION,
             (int)(strrchr(o.listen, ':') - o.listen), o.listen, http_server_port(srv), o.data_dir);
    housekeeping_rechecks(a);
    for (;;) {
        /* Wake up every minute for housekeeping: due-date notices, re-checks, expired sessions. */
        struct timespec tick = {60, 0};
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig < 0) {
            perr herr = {{0}};
            if (!paths_notify_due(db, clock_now(), NULL, &herr)) log_error("due-date notices: %s", herr.msg);
            housekeeping_rechecks(a);
            session_purge(db);
            continue;
        }
        if (sig == SIGHUP) {
            perr rerr = {{0}};
            log_info("SIGHUP: reloading the courses");
            if (!app_library_reload(a, &rerr)) log_error("courses reload failed: %s", rerr.msg);
            continue;
        }
        log_info("signal %d: stopping", sig);
        break;
    }
    rc = 0;
done:
    http_server_stop(srv);
    app_free(a);
    store_free(db);
    if (rc == 0) log_info("stopped cleanly");
    return rc;
}
