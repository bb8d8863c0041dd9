/* SPDX-License-Identifier: EUPL-1.2 */
/* Option parsing and data folder handling shared by the sub-commands. */
#include "cli/opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/log.h"

static const char *env_or(const char *name, const char *dflt) {
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

bool cli_opts_parse(int argc, char **argv, cli_opts *o) {
    memset(o, 0, sizeof *o);
    o->data_dir = env_or("PASSPORT_DATA", "./var");
    o->database = env_or("PASSPORT_DATABASE", NULL);
    o->web_dir = env_or("PASSPORT_WEB", "./web");
    o->courses_dir = env_or("PASSPORT_COURSES", "./courses");
    o->listen = env_or("PASSPORT_LISTEN", "127.0.0.1:8080");
    o->public_url = env_or("PASSPORT_PUBLIC_URL", NULL);
    o->request_deadline = env_or("PASSPORT_REQUEST_DEADLINE", NULL);
    o->shutdown_timeout = env_or("PASSPORT_SHUTDOWN_TIMEOUT", NULL);
    o->max_conns = env_or("PASSPORT_MAX_CONNECTIONS", NULL);
    o->max_conns_per_addr = env_or("PASSPORT_MAX_CONNECTIONS_PER_ADDRESS", NULL);
    o->threads = env_or("PASSPORT_THREADS", NULL);
    o->trusted_proxy = env_or("PASSPORT_TRUSTED_PROXY", NULL);
    o->metrics_allow = env_or("PASSPORT_METRICS_ALLOW", NULL);
    o->log_format = env_or("PASSPORT_LOG_FORMAT", NULL);
    o->issuer_name = env_or("PASSPORT_ISSUER_NAME", NULL);
    o->issuer_url = env_or("PASSPORT_ISSUER_URL", NULL);
    o->issuer_email = env_or("PASSPORT_ISSUER_EMAIL", NULL);
    o->issuer_image = env_or("PASSPORT_ISSUER_IMAGE", NULL);
    o->smtp_url = env_or("PASSPORT_SMTP_URL", NULL);
    o->smtp_from = env_or("PASSPORT_SMTP_FROM", NULL);
    o->smtp_credentials_file = env_or("PASSPORT_SMTP_CREDENTIALS_FILE", NULL);
    o->oidc_issuer = env_or("PASSPORT_OIDC_ISSUER", NULL);
    o->oidc_client_id = env_or("PASSPORT_OIDC_CLIENT_ID", NULL);
    o->oidc_client_secret_file = env_or("PASSPORT_OIDC_CLIENT_SECRET_FILE", NULL);
    o->oidc_scopes = env_or("PASSPORT_OIDC_SCOPES", NULL);
    o->oidc_roles_claim = env_or("PASSPORT_OIDC_ROLES_CLAIM", NULL);
    o->oidc_label = env_or("PASSPORT_OIDC_LABEL", NULL);
    o->oidc_default_unit = env_or("PASSPORT_OIDC_DEFAULT_UNIT", NULL);
    o->password_login = env_or("PASSPORT_PASSWORD_LOGIN", "on");
    const char *create = env_or("PASSPORT_OIDC_CREATE_ACCOUNTS", "");
    o->oidc_create_accounts = !strcmp(create, "1") || !strcmp(create, "on") || !strcmp(create, "true");
    static const struct {
        const char *flag;
        size_t off;
    } valued[] = {
        {"--data", offsetof(cli_opts, data_dir)},     {"--web", offsetof(cli_opts, web_dir)},
        {"--database", offsetof(cli_opts, database)},
        {"--courses", offsetof(cli_opts, courses_dir)}, {"--listen", offsetof(cli_opts, listen)},
        {"--public-url", offsetof(cli_opts, public_url)}, {"--role", offsetof(cli_opts, role)},
        {"--unit", offsetof(cli_opts, unit)},         {"--name", offsetof(cli_opts, name)},
        {"--request-deadline", offsetof(cli_opts, request_deadline)},
        {"--shutdown-timeout", offsetof(cli_opts, shutdown_timeout)},
        {"--max-connections", offsetof(cli_opts, max_conns)},
        {"--max-connections-per-address", offsetof(cli_opts, max_conns_per_addr)},
        {"--threads", offsetof(cli_opts, threads)},
        {"--trusted-proxy", offsetof(cli_opts, trusted_proxy)},
        {"--metrics-allow", offsetof(cli_opts, metrics_allow)},
        {"--log-format", offsetof(cli_opts, log_format)},
        {"--issuer-name", offsetof(cli_opts, issuer_name)}, {"--issuer-url", offsetof(cli_opts, issuer_url)},
        {"--issuer-email", offsetof(cli_opts, issuer_email)}, {"--issuer-image", offsetof(cli_opts, issuer_image)},
        {"--smtp-url", offsetof(cli_opts, smtp_url)}, {"--smtp-from", offsetof(cli_opts, smtp_from)},
        {"--smtp-credentials-file", offsetof(cli_opts, smtp_credentials_file)},
        {"--oidc-issuer", offsetof(cli_opts, oidc_issuer)}, {"--oidc-client-id", offsetof(cli_opts, oidc_client_id)},
        {"--oidc-client-secret-file", offsetof(cli_opts, oidc_client_secret_file)},
        {"--oidc-scopes", offsetof(cli_opts, oidc_scopes)}, {"--oidc-roles-claim", offsetof(cli_opts, oidc_roles_claim)},
        {"--oidc-label", offsetof(cli_opts, oidc_label)}, {"--oidc-default-unit", offsetof(cli_opts, oidc_default_unit)},
        {"--password-login", offsetof(cli_opts, password_login)},
        {"--from", offsetof(cli_opts, from)}, {"--to", offsetof(cli_opts, to)},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = true;
            continue;
        }
        if (!strcmp(a, "--no-demo")) {
            o->no_demo = true;
            continue;
        }
        if (!strcmp(a, "--oidc-create-accounts")) {
            o->oidc_create_accounts = true;
            continue;
        }
        if (!strcmp(a, "--invite")) {
            o->invite = true;
            continue;
        }
        if (!strcmp(a, "--quiet")) {
            o->quiet = true;
            continue;
        }
        bool matched = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
            size_t fl = strlen(valued[k].flag);
            const char *val = NULL;
            if (!strcmp(a, valued[k].flag)) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "passport: %s needs a value\n", a);
                    return false;
                }
                val = argv[++i];
            } else if (!strncmp(a, valued[k].flag, fl) && a[fl] == '=') {
                val = a + fl + 1;
            }
            if (val) {
                *(const char **)((char *)o + valued[k].off) = val;
                matched = true;
                break;
            }
        }
        if (matched) continue;
        if (a[0] == '-' && a[1]) {
            fprintf(stderr, "passport: unknown option %s (see --help)\n", a);
            return false;
        }
        if (o->nargs == 8) {
            fprintf(stderr, "passport: too many arguments\n");
            return false;
        }
        o->args[o->nargs++] = a;
    }
    log_format lf = LOG_TEXT;
    if (o->log_format && !log_format_parse(o->log_format, &lf)) {
        fprintf(stderr, "passport: --log-format must be text or json, not '%s'\n", o->log_format);
        return false;
    }
    log_set_format(lf);
    return true;
}

bool cli_opts_count(const cli_opts *o, long max, long *n) {
    if (o->nargs != 1) return false;
    char *end = NULL;
    long v = strtol(o->args[0], &end, 10);
    if (end == o->args[0] || *end || v < 1 || v > max) return false;
    *n = v;
    return true;
}

bool cli_data_dir_ready(const cli_opts *o) {
    if (mkdir(o->data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "passport: cannot create %s: %s\n", o->data_dir, strerror(errno));
        return false;
    }
    return true;
}

static bool is_pg(const char *db) {
    return db && (!strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11));
}

char *cli_db_path(const cli_opts *o) {
    if (is_pg(o->database)) return NULL;
    if (o->database) return xstrdup(strncmp(o->database, "sqlite:", 7) ? o->database : o->database + 7);
    buf b = BUF_INIT;
    buf_printf(&b, "%s/passport.db", o->data_dir);
    return buf_detach(&b);
}

char *cli_db_label(const cli_opts *o) {
    if (!is_pg(o->database)) return cli_db_path(o);
    /* postgresql://user:secret@host/... -> postgresql://user:***@host/... */
    const char *scheme = strstr(o->database, "://") + 3, *at = strchr(scheme, '@');
    const char *colon = at ? memchr(scheme, ':', (size_t)(at - scheme)) : NULL;
    buf b = BUF_INIT;
    if (colon) buf_printf(&b, "%.*s:***%s", (int)(colon - o->database), o->database, at);
    else buf_printf(&b, "%s", o->database);
    return buf_detach(&b);
}

char *cli_db_moved_to(const cli_opts *o) {
    if (o->database) return NULL;
    buf b = BUF_INIT;
    buf_printf(&b, "%s/" CLI_DB_MOVED, o->data_dir);
    FILE *f = fopen(buf_cstr(&b), "r");
    buf_free(&b);
    if (!f) return NULL;
    char where[1024] = "";
    if (!fgets(where, sizeof where, f)) where[0] = '\0';
    where[strcspn(where, "\r\n")] = '\0';
    fclose(f);
    return xstrdup(*where ? where : "another database");
}

/* Without --database: refuses DATA/passport.db once migrate-to-postgresql copied it
 * elsewhere (CLI_DB_MOVED), naming where; true when the folder's own file may be used. */
static bool db_not_moved(const cli_opts *o) {
    char *where = cli_db_moved_to(o);
    if (!where) return true;
    fprintf(stderr,
            "passport: the database of %s was moved to %s (passport migrate-to-postgresql): give it with "
            "--database or PASSPORT_DATABASE. The SQLite file left in %s is the copy's source, no longer "
            "the database (to open it anyway: --database sqlite:%s/passport.db)\n",
            o->data_dir, where, o->data_dir, o->data_dir);
    free(where);
    return false;
}

store *cli_open_store(const cli_opts *o) {
    if (!cli_data_dir_ready(o)) return NULL; /* keys and secrets live there whatever the database */
    if (!db_not_moved(o)) return NULL;
    char *path = o->database ? NULL : cli_db_path(o);
    perr err = {{0}};
    store *s = store_open(path ? path : o->database, &err);
    if (!s) fprintf(stderr, "passport: %s\n", err.msg);
    free(path);
    return s;
}
