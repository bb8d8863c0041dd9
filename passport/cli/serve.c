/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport serve`: runs the web server until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/cli.h"
#include "badges/repair.h"
#include "cli/opts.h"
#include "core/atomic_file.h"
#include "core/clock.h"
#include "core/heap.h"
#include "core/log.h"
#include "core/metrics.h"
#include "handlers/app.h"
#include "handlers/mail_worker.h"
#include "oidc/oidc.h"
#include "http/server.h"
#include "learn/library.h"
#include "learn/positioning.h"
#include "mail/outbox.h"
#include "paths/assign.h"
#include "people/session.h"
#include "skills/skills.h"
#include "store/cluster.h"

#define SERVE_WRITE_WAIT_MS 250
/* Worker threads per core on PostgreSQL (--threads): a request that misses the caches
 * waits for the database's answers several times; more threads than cores keep the cores
 * busy meanwhile (docs/performance.md, measured there). */
#define SERVE_PG_THREADS_PER_CORE 4
#define STR_(x) #x
#define STR(x) STR_(x)

static const char usage[] =
    "usage: passport serve [--data DIR] [--database URL] [--listen ADDR:PORT] [--web DIR] [--courses DIR]\n"
    "                      [--public-url URL] [--smtp-url URL --smtp-from ADDR\n"
    "                      [--smtp-credentials-file FILE]] [--quiet] [--log-format text|json]\n"
    "                      [--request-deadline S] [--shutdown-timeout S] [--max-connections N]\n"
    "                      [--max-connections-per-address N] [--trusted-proxy ADDR[,ADDR]]\n"
    "                      [--metrics-allow ADDR[,ADDR]] [--threads N]\n"
    "Serves Passport over HTTP until SIGINT or SIGTERM (running requests finish and answer).\n"
    "  --data DIR          data folder (PASSPORT_DATA, default ./var)\n"
    "  --database URL      postgresql://... or sqlite:PATH (PASSPORT_DATABASE, default DATA/passport.db)\n"
    "  --listen ADDR:PORT  address to listen on (PASSPORT_LISTEN, default 127.0.0.1:8080)\n"
    "  --web DIR           templates, static files, translations (PASSPORT_WEB, ./web)\n"
    "  --courses DIR       course library (PASSPORT_COURSES, ./courses)\n"
    "  --public-url URL    the URL users reach (PASSPORT_PUBLIC_URL); https enables Secure cookies\n"
    "  --quiet             no per-request log lines, no summaries of refused connections\n"
    "  --log-format F      text (default) or json: one JSON object per line (PASSPORT_LOG_FORMAT)\n"
    "  --request-deadline S  seconds to receive a whole request, headers and body, and the\n"
    "                      longest a connection waits idle (PASSPORT_REQUEST_DEADLINE, 20)\n"
    "  --shutdown-timeout S  on SIGTERM, how long running requests get to finish and answer\n"
    "                      (PASSPORT_SHUTDOWN_TIMEOUT, 10)\n"
    "  --max-connections N   connections served at once; beyond, 503 + Retry-After\n"
    "                      (PASSPORT_MAX_CONNECTIONS, 4096)\n"
    "  --max-connections-per-address N  the same from one client address\n"
    "                      (PASSPORT_MAX_CONNECTIONS_PER_ADDRESS, 256)\n"
    "  --threads N         worker threads answering requests (PASSPORT_THREADS; default one per\n"
    "                      core on SQLite, " STR(SERVE_PG_THREADS_PER_CORE) " per core on PostgreSQL, whose queries\n"
    "                      wait on the network)\n"
    "  --trusted-proxy ADDR  a reverse proxy whose X-Forwarded-For names the client: limits,\n"
    "                      login throttling and logs use that address (PASSPORT_TRUSTED_PROXY)\n"
    "  --metrics-allow ADDR  client addresses that may read /metrics\n"
    "                      (PASSPORT_METRICS_ALLOW, default 127.0.0.1,::1)\n"
    "  --issuer-name NAME  the organisation named as issuer of new credentials (PASSPORT_ISSUER_NAME,\n"
    "                      default Passport); --issuer-url URL, --issuer-email ADDR, --issuer-image URL\n"
    "                      (PASSPORT_ISSUER_URL, _EMAIL, _IMAGE) complete its OB 3.0 Profile\n"
    "  --smtp-url URL      smtp://host:port (STARTTLS) or smtps://host:port (PASSPORT_SMTP_URL);\n"
    "                      without it, e-mails wait in the outbox (/admin/outbox)\n"
    "  --smtp-from ADDR    the sender, \"Passport <noreply@example.org>\" (PASSPORT_SMTP_FROM)\n"
    "  --smtp-credentials-file FILE  one line user:password, mode 0600 (PASSPORT_SMTP_CREDENTIALS_FILE)\n"
    "  --oidc-issuer URL   single sign-on with this OpenID Connect provider (PASSPORT_OIDC_ISSUER)\n"
    "  --oidc-client-id ID, --oidc-client-secret-file FILE (one line, mode 0600)\n"
    "  --oidc-scopes \"openid email given_name usual_name\"  --oidc-roles-claim NAME\n"
    "  --oidc-label TEXT   the login button (\"Se connecter avec ProConnect\")\n"
    "  --oidc-create-accounts [--oidc-default-unit \"Dir / Service\"]  make accounts at first\n"
    "                      sign-in (else only accounts whose verified e-mail exists sign in)\n"
    "  --password-login on|off  off: sign-in through the provider only (PASSPORT_PASSWORD_LOGIN)\n";

/* Parses a duration in seconds ("20", "1.5") into milliseconds within [min_ms, max_ms];
 * dflt when s is NULL. false with a message on stderr otherwise. */
static bool parse_seconds(const char *flag, const char *s, unsigned dflt, unsigned min_ms, unsigned max_ms,
                          unsigned *out) {
    if (!s) {
        *out = dflt;
        return true;
    }
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || *end || !(v * 1000 >= min_ms && v * 1000 <= max_ms)) {
        fprintf(stderr, "passport: %s must be a number of seconds between %g and %g, not '%s'\n", flag,
                min_ms / 1000.0, max_ms / 1000.0, s);
        return false;
    }
    *out = (unsigned)(v * 1000 + 0.5);
    return true;
}

static bool parse_count(const char *flag, const char *s, unsigned dflt, unsigned *out) {
    if (!s) {
        *out = dflt;
        return true;
    }
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > 1000000) {
        fprintf(stderr, "passport: %s must be a count between 1 and 1000000, not '%s'\n", flag, s);
        return false;
    }
    *out = (unsigned)v;
    return true;
}

/* --threads: 1 to 256; 0 (the default, chosen once the store is open) when absent. */
static bool parse_threads(const char *s, unsigned *out) {
    *out = 0;
    if (!s) return true;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > 256) {
        fprintf(stderr, "passport: --threads must be a count between 1 and 256, not '%s'\n", s);
        return false;
    }
    *out = (unsigned)v;
    return true;
}

/* Reads the server options of `serve` into h; false with a message on stderr. */
static bool server_opts(const cli_opts *o, http_server_opts *h) {
    memset(h, 0, sizeof *h);
    h->listen = o->listen;
    h->quiet = o->quiet;
    h->trusted_proxy = o->trusted_proxy;
    h->metrics_allow = o->metrics_allow;
    return parse_seconds("--request-deadline", o->request_deadline, 20000, 100, 3600000, &h->deadline_ms) &&
           parse_seconds("--shutdown-timeout", o->shutdown_timeout, 10000, 100, 3600000, &h->shutdown_ms) &&
           parse_count("--max-connections", o->max_conns, 4096, &h->conn_limit) &&
           parse_count("--max-connections-per-address", o->max_conns_per_addr, 256, &h->per_ip_limit) &&
           parse_threads(o->threads, &h->threads);
}

/* Raises the open-file limit to its ceiling: every connection holds a descriptor. */
static void raise_file_limit(unsigned wanted) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)wanted + 64)
        log_error("the open-file limit (%llu) is below --max-connections (%u): raise it (LimitNOFILE=)",
                  (unsigned long long)rl.rlim_cur, wanted);
}

/* The first line of a secret file (mode 0600), a new string; NULL with a message. */
static char *secret_line(const char *path) {
    FILE *f = fopen(path, "r");
    struct stat sb;
    char line[1024];
    if (!f) {
        fprintf(stderr, "passport: cannot read %s\n", path);
        return NULL;
    }
    bool open_to_others = fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077);
    bool ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (open_to_others) {
        fprintf(stderr, "passport: %s is readable by others: chmod 600 it\n", path);
        return NULL;
    }
    line[ok ? strcspn(line, "\r\n") : 0] = '\0';
    if (!*line) {
        fprintf(stderr, "passport: %s is empty\n", path);
        return NULL;
    }
    return xstrdup(line);
}

/* The single sign-on part of cfg from the options; false with a message when unusable. */
static bool sso_opts(const cli_opts *o, app_config *cfg, oidc_provider **provider) {
    *provider = NULL;
    bool off = !strcmp(o->password_login, "off");
    if (!off && strcmp(o->password_login, "on")) {
        fprintf(stderr, "passport: --password-login is on or off\n");
        return false;
    }
    if (off && !o->oidc_issuer) {
        fprintf(stderr, "passport: --password-login off needs --oidc-issuer (nobody could sign in)\n");
        return false;
    }
    cfg->password_login_off = off;
    if (!o->oidc_issuer) return true;
    char *secret = o->oidc_client_secret_file ? secret_line(o->oidc_client_secret_file) : NULL;
    if (!secret) {
        if (!o->oidc_client_secret_file) fprintf(stderr, "passport: --oidc-issuer needs --oidc-client-secret-file\n");
        return false;
    }
    buf redirect = BUF_INIT;
    buf_printf(&redirect, "%s/oidc/callback", cfg->public_url);
    oidc_config oc = {o->oidc_issuer, o->oidc_client_id, secret, o->oidc_scopes, buf_cstr(&redirect),
                      o->oidc_roles_claim, getenv("PASSPORT_OIDC_CA_FILE"), 0};
    perr err = {{0}};
    *provider = oidc_provider_new(&oc, &err);
    free(secret);
    buf_free(&redirect);
    if (!*provider) {
        fprintf(stderr, "passport: %s\n", err.msg);
        return false;
    }
    cfg->oidc = *provider;
    cfg->oidc_label = o->oidc_label;
    cfg->oidc_create_accounts = o->oidc_create_accounts;
    cfg->oidc_default_unit = o->oidc_default_unit;
    return true;
}

/* The worker's options from the command line and the environment (PASSPORT_SMTP_STARTTLS
 * off, PASSPORT_SMTP_CA_FILE, PASSPORT_SMTP_RETRY_SECONDS). The credentials are new strings
 * in *user and *password. false with a message when they are unusable. */
static bool mail_opts(const cli_opts *o, mail_worker_opts *m, char **user, char **password) {
    memset(m, 0, sizeof *m);
    *user = *password = NULL;
    if (!o->smtp_url) return true;
    if (strncmp(o->smtp_url, "smtp://", 7) && strncmp(o->smtp_url, "smtps://", 8)) {
        fprintf(stderr, "passport: --smtp-url must start with smtp:// or smtps://\n");
        return false;
    }
    if (!o->smtp_from) {
        fprintf(stderr, "passport: --smtp-url needs --smtp-from\n");
        return false;
    }
    perr err = {{0}};
    if (o->smtp_credentials_file && !smtp_credentials_load(o->smtp_credentials_file, user, password, &err)) {
        fprintf(stderr, "passport: %s\n", err.msg);
        return false;
    }
    const char *tls = getenv("PASSPORT_SMTP_STARTTLS"), *retry = getenv("PASSPORT_SMTP_RETRY_SECONDS");
    m->smtp = (smtp_config){.url = o->smtp_url, .from = o->smtp_from, .user = *user, .password = *password,
                            .ca_file = getenv("PASSPORT_SMTP_CA_FILE"),
                            .starttls = tls && !strcmp(tls, "off") ? SMTP_STARTTLS_OFF : SMTP_STARTTLS_REQUIRED};
    m->retry_seconds = retry ? atoi(retry) : 60;
    return true;
}

/* /metrics gauges of the e-mail outbox (mail/outbox.h): messages waiting to be sent
 * (queued, being sent) and messages that failed for good. ctx is the store. */
static long long outbox_states(void *ctx, const char *const *states) {
    json_t *o = outbox_counts(ctx);
    long long n = 0;
    for (; *states; states++) n += json_integer_value(json_object_get(o, *states));
    json_decref(o);
    return n;
}
static long long outbox_waiting(void *ctx) {
    static const char *const waiting[] = {"queued", "sending", "delivering", NULL};
    return outbox_states(ctx, waiting);
}
static long long outbox_failed(void *ctx) {
    static const char *const failed[] = {"failed", NULL};
    return outbox_states(ctx, failed);
}

/* Periodic work runs once across the servers on the database, not once per server: each
 * task takes a lease for its period (store/cluster.h) and runs only when it got it. */
static atomic_ullong housekeeping_runs;

static long long gauge_housekeeping(void *ctx) {
    (void)ctx;
    return (long long)housekeeping_runs;
}

static long long gauge_listening(void *ctx) {
    return store_listening(ctx);
}

static long long gauge_notifications(void *ctx) {
    return (long long)store_notifications(ctx);
}

/* True when this server took the lease `name` for the next `seconds` (logged otherwise). */
static bool lease(app *a, const char *name, int64_t now, int64_t seconds) {
    bool taken = false;
    perr err = {{0}};
    if (!cluster_lease_take(a->db, name, a->server, now, seconds, &taken, &err))
        store_log_failure(a->db, "lease", "%s: lease not taken: %s", name, err.msg); /* each tick while it fails */
    return taken;
}

/* The period of the minute's housekeeping (PASSPORT_HOUSEKEEPING_SECONDS, tests; default 60). */
static int64_t housekeeping_seconds(void) {
    const char *e = getenv("PASSPORT_HOUSEKEEPING_SECONDS");
    int v = e ? atoi(e) : 0;
    return v > 0 ? v : 60;
}

/* Due-date notices and expired sessions once a period; re-checks coming due
 * (learn/positioning.h) once an hour (due dates move by days, not minutes; the sweep reads
 * only what came due since the last one, every agent once a week). All idempotent, but two
 * servers racing would post a notice twice: the leases keep them apart. True when this
 * server ran the re-check sweep (housekeeping_done then gives back what it filled). */
static bool housekeeping(app *a) {
    int64_t now = clock_now();
    bool swept = false;
    if (lease(a, "housekeeping", now, housekeeping_seconds())) {
        housekeeping_runs++;
        perr herr = {{0}};
        if (!paths_notify_due(a->db, now, NULL, &herr)) log_error("due-date notices: %s", herr.msg);
        session_purge(a->db);
    }
    if (lease(a, "rechecks", now, 3600)) {
        swept = true;
        perr err = {{0}};
        learn_library *lib = app_library_acquire(a);
        int posted = 0;
        bool full = false;
        uint64_t t0 = clock_mono_us();
        if (!recheck_sweep(a->db, lib->bank, now, skills_stale_months(), &posted, &full, &err))
            log_error("re-check notices: %s", err.msg);
        else
            log_info("re-checks: swept %s in %llu ms, %d new", full ? "every agent" : "what came due",
                     (unsigned long long)((clock_mono_us() - t0) / 1000), posted);
        app_library_release(a, lib);
    }
    return swept;
}

/* Badges whose rule was met but that were never issued (badges/repair.h), at start, by one
 * server at a time (the lease is let go when done: the next start repairs again). It runs
 * on the main thread once the server listens: /healthz and the requests do not wait for
 * it (an award is one transaction per agent, which the rule check repeats inside, so a
 * quiz passed meanwhile is not issued twice). False when it failed (a write that waited
 * too long behind the requests' writes): the main loop tries again at its next tick. */
static bool repair_badges(app *a) {
    if (!a->badges || !lease(a, "badges-repair", clock_now(), 600)) return true;
    uint64_t t0 = clock_mono_us();
    int repaired = 0;
    perr rerr = {{0}};
    bool ok = badges_repair(a->db, a->badges, &repaired, &rerr);
    if (repaired) log_info("badges: %d issued at start, their rule met but never issued", repaired);
    cluster_lease_release(a->db, "badges-repair", a->server);
    if (!ok) log_error("badges not repaired (tried again in %d s): %s", app_tick_seconds(), rerr.msg);
    else log_info("badges: repair at start done in %llu ms", (unsigned long long)((clock_mono_us() - t0) / 1000));
    return ok;
}

/* glibc serves a block above M_MMAP_THRESHOLD from mmap and gives it back when freed, but
 * by default raises the threshold to the size of each such block freed (up to 32 MiB):
 * later blocks of that size (argon2's 19 MiB, a large page, a sweep's list) then come
 * from the threads' arenas and stay resident once freed. A fixed threshold keeps the
 * server's resident memory to what it holds (docs/performance.md). */
static void memory_policy(void) {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
}

/* After the main thread's sweeps over every agent (the badge repair at start, the hourly
 * re-check sweep): its connection's page cache, which they filled, and the memory they
 * freed go back to the system until the next sweep, which opens a connection again. Not
 * after the minute's housekeeping, which reads little: on PostgreSQL each close is a
 * reconnection. */
static void housekeeping_done(store *db) {
    store_thread_close(db);
    heap_give_back();
}

int cli_serve(int argc, char **argv) {
    memory_policy();
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    http_server_opts hopts;
    if (!server_opts(&o, &hopts)) return 2;
    raise_file_limit(hopts.conn_limit);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit (ulimit -f, LimitFSIZE=) reached by a write: an error the database
     * reports and the log shows, as a full disk, not a killed server. */
    signal(SIGXFSZ, SIG_IGN);

    mail_worker_opts mopts;
    char *smtp_user = NULL, *smtp_password = NULL;
    if (!mail_opts(&o, &mopts, &smtp_user, &smtp_password)) return 2;
    smtp_global_init();
    store *db = cli_open_store(&o);
    if (!db) {
        free(smtp_user);
        free(smtp_password);
        return 1;
    }
    atomic_file_warn_leftovers(o.data_dir);
    /* A write waits at most this long for the lock, then answers 503: no worker sleeps long
     * while another process (the CLI, a backup) writes. */
    const char *wait = getenv("PASSPORT_WRITE_WAIT_MS");
    store_set_write_wait(db, wait && atoi(wait) > 0 ? atoi(wait) : SERVE_WRITE_WAIT_MS);
    mail_worker *mailer = NULL;
    perr sync_err = {{0}};
    if (!skills_sync_frameworks(db, o.courses_dir, &sync_err))
        log_error("frameworks not updated (the stored ones keep serving): %s", sync_err.msg);
    char url[300];
    snprintf(url, sizeof url, "http://%s", o.listen);
    app_config cfg = {.data_dir = o.data_dir, .web_dir = o.web_dir, .courses_dir = o.courses_dir,
                      .public_url = o.public_url ? o.public_url : url, .version = PASSPORT_VERSION,
                      .issuer_name = o.issuer_name, .issuer_url = o.issuer_url,
                      .issuer_email = o.issuer_email, .issuer_image = o.issuer_image};
    perr err = {{0}};
    int rc = 1;
    http_server *srv = NULL;
    oidc_provider *provider = NULL;
    app *a = NULL;
    if (!sso_opts(&o, &cfg, &provider)) goto done;
    a = app_new(&cfg, db, &err);
    if (!a) {
        fprintf(stderr, "passport: %s\n", err.msg);
        goto done;
    }
    if (!hopts.threads && store_is_remote(db)) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        hopts.threads = (unsigned)(cores > 0 ? cores : 2) * SERVE_PG_THREADS_PER_CORE;
    }
    /* other servers' and commands' commits are notified (PostgreSQL): requests need not ask;
     * PASSPORT_PG_NOTIFY=0 keeps one question per request (docs/performance.md) */
    const char *notify = getenv("PASSPORT_PG_NOTIFY");
    if (!(notify && !strcmp(notify, "0")) && !store_listen_start(db, &err)) {
        fprintf(stderr, "passport: %s\n", err.msg);
        goto done;
    }
    srv = http_server_start(&a->http, &hopts, &err);
    if (!srv) {
        fprintf(stderr, "passport: %s\n", err.msg);
        goto done;
    }
    mailer = mail_worker_start(a, &mopts, &err);
    if (!mailer) {
        fprintf(stderr, "passport: %s\n", err.msg);
        goto done;
    }
    metrics_gauge_register("passport_outbox_waiting", "E-mails waiting to be sent (queued or being sent).",
                           outbox_waiting, db);
    metrics_gauge_register("passport_outbox_failed", "E-mails that could not be sent (see /admin/outbox).",
                           outbox_failed, db);
    metrics_gauge_register("passport_housekeeping_runs",
                           "Housekeeping periods this server ran (due-date notices, expired sessions); once "
                           "across all servers on the database",
                           gauge_housekeeping, NULL);
    metrics_gauge_register("passport_store_listening",
                           "1 while the notifications of other servers' commits are received (PostgreSQL); 0: "
                           "each signed-in request asks the database",
                           gauge_listening, db);
    metrics_gauge_register("passport_store_notifications", "Notifications of commits received (PostgreSQL).",
                           gauge_notifications, db);
    log_info("Passport %s listening on http://%.*s:%u/ (data: %s)", PASSPORT_VERSION,
             (int)(strrchr(o.listen, ':') - o.listen), o.listen, http_server_port(srv), o.data_dir);
    uint64_t t0 = clock_mono_us();
    app_cluster_tick(a, clock_now());
    bool repair_due = !repair_badges(a);
    bool swept = housekeeping(a);
    housekeeping_done(db);
    log_info("housekeeping at start done in %llu ms (re-check sweep %s)", (unsigned long long)((clock_mono_us() - t0) / 1000),
             swept ? "run" : "not run: its hourly lease is held");
    for (;;) {
        /* Wake up at each tick (10 s) for the heartbeat and the housekeeping whose period
         * is over: due-date notices, re-checks, expired sessions. */
        struct timespec tick = {app_tick_seconds(), 0};
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig < 0) {
            app_cluster_tick(a, clock_now());
            if (repair_due) repair_due = !repair_badges(a);
            if (housekeeping(a)) housekeeping_done(db); /* the hourly sweep ran */
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
    metrics_gauge_unregister("passport_outbox_waiting");
    metrics_gauge_unregister("passport_outbox_failed");
    metrics_gauge_unregister("passport_housekeeping_runs");
    if (a) app_cluster_leave(a);
    mail_worker_stop(mailer);
    free(smtp_user);
    free(smtp_password);
    app_free(a);
    oidc_provider_free(provider);
    store_free(db);
    if (rc == 0) log_info("stopped cleanly");
    return rc;
}
