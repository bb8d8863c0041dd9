/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport user add|passwd|disable` and `passport import-users FILE`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/buf.h"
#include "people/account.h"
#include "people/account_link.h"
#include "people/audit.h"
#include "people/import.h"
#include "people/password.h"
#include "people/unit.h"

static const char usage[] =
    "usage: passport user add EMAIL --role ROLE[,ROLE] [--unit \"Dir / Service\"] [--name NAME] [--invite]\n"
    "       passport user passwd EMAIL\n"
    "       passport user disable EMAIL\n"
    "       passport user roles EMAIL --role ROLE[,ROLE]\n"
    "Roles: agent, manager, hr, admin. The password is read from standard input (one line)\n"
    "when it is not a terminal, else asked for twice without echo; with --invite, none is\n"
    "read and an invitation e-mail (one use, 7 days) lets the person choose it. All take --data DIR.\n";

/* Reads a password: a line from stdin, or twice from the terminal without echo. */
static char *read_password(void) {
    char line[1024];
    if (!isatty(STDIN_FILENO)) {
        if (!fgets(line, sizeof line, stdin)) return NULL;
        line[strcspn(line, "\r\n")] = '\0';
        return xstrdup(line);
    }
    struct termios old, noecho;
    tcgetattr(STDIN_FILENO, &old);
    noecho = old;
    noecho.c_lflag &= ~(tcflag_t)ECHO;
    char again[1024];
    fputs("Password: ", stderr);
    tcsetattr(STDIN_FILENO, TCSANOW, &noecho);
    bool ok = fgets(line, sizeof line, stdin) != NULL;
    fputs("\nAgain: ", stderr);
    ok = ok && fgets(again, sizeof again, stdin) != NULL;
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    fputs("\n", stderr);
    if (!ok) return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    again[strcspn(again, "\r\n")] = '\0';
    if (strcmp(line, again)) {
        fputs("passport: the passwords differ\n", stderr);
        return NULL;
    }
    return xstrdup(line);
}

static char *checked_hash(const char *email) {
    char *pw = read_password();
    if (!pw) return NULL;
    perr err = {{0}};
    char *hash = NULL;
    if (!password_acceptable(pw, email, &err))
        fprintf(stderr, "passport: password refused (%s): at least 12 characters, not a common one\n", err.msg);
    else if (!(hash = password_hash(pw, password_cost_default(), &err)))
        fprintf(stderr, "passport: %s\n", err.msg);
    free(pw);
    return hash;
}

static int user_add(store *db, const cli_opts *o, const char *email) {
    unsigned roles;
    perr err = {{0}};
    if (!o->role) {
        fputs("passport: --role is required (agent, manager, hr, admin)\n", stderr);
        return 2;
    }
    if (!account_roles_parse(o->role, &roles, &err)) {
        fprintf(stderr, "passport: %s\n", err.msg);
        return 2;
    }
    if (!account_email_valid(email)) {
        fprintf(stderr, "passport: invalid email '%s'\n", email);
        return 2;
    }
    char *hash = o->invite ? NULL : checked_hash(email);
    if (!hash && !o->invite) return 1;
    long long unit = 0, id = 0;
    int rc = 1;
    if (!store_begin(db, &err)) goto done;
    if ((o->unit && !unit_resolve_path(db, o->unit, true, &unit, &err)) ||
        !account_create(db, email, o->name ? o->name : email, unit, roles, "fr", hash, &id, &err)) {
        store_rollback(db);
        goto done;
    }
    audit_add(db, 0, "user.create", "user", id, "cli");
    if (o->invite && !account_invite(db, id, &err)) {
        store_rollback(db);
        goto done;
    }
    if (!store_commit(db, &err)) goto done;
    printf("Created account %lld for %s%s\n", id, email, o->invite ? " (invitation e-mail queued)" : "");
    rc = 0;
done:
    if (rc) fprintf(stderr, "passport: %s\n", !strcmp(err.msg, "account.duplicate_email") ? "an account with this email exists" : err.msg);
    free(hash);
    return rc;
}

int cli_user(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help || o.nargs < 2) {
        fputs(usage, o.help ? stdout : stderr);
        return o.help ? 0 : 2;
    }
    const char *verb = o.args[0], *email = o.args[1];
    store *db = cli_open_store(&o);
    if (!db) return 1;
    int rc = 1;
    perr err = {{0}};
    if (!strcmp(verb, "add")) {
        rc = user_add(db, &o, email);
        goto done;
    }
    account *a = account_by_email(db, email, &err);
    if (!a) {
        fprintf(stderr, "passport: no account for %s\n", email);
        goto done;
    }
    /* one transaction each: a running server sees the change at its next request
     * (store_generation_fresh), sessions and API tokens already ended */
    if (!strcmp(verb, "passwd")) {
        char *hash = checked_hash(email);
        if (hash && store_begin(db, &err)) {
            if (account_set_password(db, a->id, hash, &err) && account_end_access(db, a->id, NULL, &err) &&
                audit_add(db, 0, "user.password", "user", a->id, "cli") && store_commit(db, &err)) {
                printf("Password changed for %s; its sessions and API tokens are ended\n", email);
                rc = 0;
            } else {
                store_rollback(db);
            }
        }
        free(hash);
    } else if (!strcmp(verb, "disable")) {
        if (store_begin(db, &err)) {
            if (account_set_disabled(db, a->id, true, &err) && audit_add(db, 0, "user.disable", "user", a->id, "cli") &&
                store_commit(db, &err)) {
                printf("Disabled %s; its sessions and API tokens are ended\n", email);
                rc = 0;
            } else {
                store_rollback(db);
            }
        }
    } else if (!strcmp(verb, "roles")) {
        unsigned roles = 0;
        char from[32], to[32], detail[80];
        if (!o.role || !account_roles_parse(o.role, &roles, &err)) {
            fprintf(stderr, "passport: --role ROLE[,ROLE] is required (agent, manager, hr, admin)\n");
            rc = 2;
        } else if (store_begin(db, &err)) {
            account_roles_format(a->roles, from);
            account_roles_format(roles, to);
            snprintf(detail, sizeof detail, "%s -> %s (cli)", from, to);
            if (account_set_roles(db, a->id, roles, &err) && audit_add(db, 0, "user.roles", "user", a->id, detail) &&
                store_commit(db, &err)) {
                printf("Roles of %s: %s\n", email, to);
                rc = 0;
            } else {
                store_rollback(db);
            }
        }
    } else {
        fprintf(stderr, "passport: unknown verb '%s'\n%s", verb, usage);
        rc = 2;
    }
    if (rc == 1 && err.msg[0]) fprintf(stderr, "passport: %s\n", err.msg);
    account_free(a);
done:
    store_free(db);
    return rc;
}

static const char import_usage[] =
    "usage: passport import-users FILE.csv [--data DIR]\n"
    "Imports accounts (and their units) from CSV, all or nothing. Header row with columns\n"
    "email, name (required), unit (\"Direction / Service\", created if missing), roles\n"
    "(agent,manager,hr,admin; default agent), locale (fr|en). ',' or ';' separated.\n"
    "Every bad row is reported as FILE:LINE: message and nothing is written.\n";

int cli_import_users(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help || o.nargs != 1) {
        fputs(import_usage, o.help ? stdout : stderr);
        return o.help ? 0 : 2;
    }
    FILE *f = fopen(o.args[0], "rb");
    if (!f) {
        perror(o.args[0]);
        return 1;
    }
    buf data = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && data.len <= IMPORT_MAX_BYTES) buf_append(&data, chunk, n);
    fclose(f);
    store *db = cli_open_store(&o);
    if (!db) {
        buf_free(&data);
        return 1;
    }
    import_result r;
    perr err = {{0}};
    int rc = 1;
    if (!import_users(db, buf_cstr(&data), data.len, 0, &r, &err)) {
        fprintf(stderr, "passport: %s\n", err.msg);
    } else if (!r.applied) {
        size_t i;
        json_t *p;
        json_array_foreach(r.problems, i, p) {
            fprintf(stderr, "%s:%lld: %s\n", o.args[0], (long long)json_integer_value(json_object_get(p, "line")),
                    json_string_value(json_object_get(p, "message")));
        }
        fprintf(stderr, "passport: nothing imported (%zu problem%s)\n", json_array_size(r.problems),
                json_array_size(r.problems) > 1 ? "s" : "");
    } else {
        printf("Imported: %d created, %d updated, %d units created\n", r.created, r.updated, r.units_created);
        rc = 0;
    }
    json_decref(r.problems);
    buf_free(&data);
    store_free(db);
    return rc;
}
