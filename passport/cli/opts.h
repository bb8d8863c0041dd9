/* SPDX-License-Identifier: EUPL-1.2 */
/* Options shared by the sub-commands: --data DIR (PASSPORT_DATA, default ./var),
 * --web DIR (PASSPORT_WEB, ./web), --courses DIR (PASSPORT_COURSES, ./courses),
 * --listen ADDR:PORT (PASSPORT_LISTEN, 127.0.0.1:8080), --public-url URL
 * (PASSPORT_PUBLIC_URL, http://<listen>), --issuer-name|--issuer-url|--issuer-email|
 * --issuer-image (PASSPORT_ISSUER_NAME, _URL, _EMAIL, _IMAGE), --database URL
 * (PASSPORT_DATABASE: sqlite:PATH, a path, or postgresql://...; default DATA/passport.db). */
#ifndef PASSPORT_CLI_OPTS_H
#define PASSPORT_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

typedef struct cli_opts {
    const char *data_dir;
    const char *database; /* NULL: DATA/passport.db */
    const char *web_dir;
    const char *courses_dir;
    const char *listen;
    const char *public_url;
    bool no_demo;
    bool help;
    bool quiet;
    bool invite; /* `user add --invite`: no password, an invitation e-mail instead */
    /* arguments that are not options, in order */
    const char *args[8];
    int nargs;
    /* `serve`: connections, shutdown, proxy, metrics (strings checked by serve) */
    const char *request_deadline, *shutdown_timeout, *max_conns, *max_conns_per_addr, *threads;
    const char *trusted_proxy, *metrics_allow;
    /* --log-format text|json (PASSPORT_LOG_FORMAT), applied by cli_opts_parse */
    const char *log_format;
    /* --role, --unit, --name for `user add` */
    const char *role, *unit, *name;
    /* the issuing organisation (--issuer-name|url|email|image, PASSPORT_ISSUER_*) */
    const char *issuer_name, *issuer_url, *issuer_email, *issuer_image;
    /* e-mail (serve): --smtp-url (PASSPORT_SMTP_URL), --smtp-from (PASSPORT_SMTP_FROM),
     * --smtp-credentials-file (PASSPORT_SMTP_CREDENTIALS_FILE) */
    const char *smtp_url, *smtp_from, *smtp_credentials_file;
    /* single sign-on (serve): --oidc-issuer, --oidc-client-id, --oidc-client-secret-file,
     * --oidc-scopes, --oidc-roles-claim, --oidc-label, --oidc-default-unit (PASSPORT_OIDC_*),
     * --oidc-create-accounts (PASSPORT_OIDC_CREATE_ACCOUNTS=1), --password-login on|off
     * (PASSPORT_PASSWORD_LOGIN) */
    const char *oidc_issuer, *oidc_client_id, *oidc_client_secret_file, *oidc_scopes, *oidc_roles_claim,
        *oidc_label, *oidc_default_unit, *password_login;
    bool oidc_create_accounts;
    /* `migrate-to-postgresql --from DATA --to URL` */
    const char *from, *to;
} cli_opts;

/* Parses argv (after the sub-command name). false with a message on stderr for an
 * unknown option or a missing value. */
bool cli_opts_parse(int argc, char **argv, cli_opts *o);
/* The single argument as a count in 1..max (seeding commands); false when absent,
 * not a number, out of range, or when there are other arguments. */
bool cli_opts_count(const cli_opts *o, long max, long *n);
/* Creates the data folder (mode 0700) when missing. */
bool cli_data_dir_ready(const cli_opts *o);
/* Opens the database of --database (a PostgreSQL URL, sqlite:PATH or a path), else
 * DATA/passport.db, migrating it. NULL with a message on stderr; also, without
 * --database, when DATA's database was moved (CLI_DB_MOVED: the old SQLite file would
 * silently diverge from the one the servers use). */
store *cli_open_store(const cli_opts *o);
/* The file migrate-to-postgresql leaves in the data folder it copied: one line, where the
 * database went (cli_db_label: no password). */
#define CLI_DB_MOVED "database-moved"
/* Without --database, where DATA's database went when CLI_DB_MOVED says it was moved (its
 * line, or "another database"), a new string the caller frees; else NULL. */
char *cli_db_moved_to(const cli_opts *o);
/* The path of the SQLite database file (--database sqlite:PATH or a path, else
 * DATA/passport.db) into a new string the caller frees; NULL when --database names a
 * PostgreSQL database. */
char *cli_db_path(const cli_opts *o);
/* The database as an operator reads it (the file, or the PostgreSQL URL without its
 * password), into a new string the caller frees. */
char *cli_db_label(const cli_opts *o);

#endif
