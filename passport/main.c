/* SPDX-License-Identifier: EUPL-1.2 */
/* passport: the server binary and its sub-commands (serve, init, user, keys, ...). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} command;

static const command commands[] = {
    {"serve", cli_serve, "run the web server"},
    {"init", cli_init, "create the database and the demo organisation"},
    {"user", cli_user, "add an account, change its password, disable it"},
    {"import-users", cli_import_users, "import accounts and units from CSV (all or nothing)"},
    {"import-framework", cli_import_framework, "import a competency framework or mapping from CSV (all or nothing)"},
    {"check-courses", cli_check_courses, "validate the course library and print file:line: problems"},
    {"publish-courses", cli_publish_courses, "make a checked course library the current one of every server on the database"},
    {"calibrate", cli_calibrate, "fit the positioning items' parameters from recorded answers into files for review"},
    {"seed", cli_seed, "add a synthetic organisation of N agents with evidence (benchmarks)"},
    {"seed-paths", cli_seed_paths, "dev/bench: an assignment to N seeded agents with progress (dashboard benchmark)"},
    {"canon", cli_canon, "print the RDFC-1.0 canonical N-Quads of a credential"},
    {"keys", cli_keys, "issuer keys: new, list, rotate (old keys stay valid), bench-sign N"},
    {"verify", cli_verify, "verify a badge or CLR credential (JSON or baked SVG); exit 0 iff valid"},
    {"vc-demo", cli_vc_demo, "issue signed demo credentials into a folder (interoperability tests)"},
    {"backup", cli_backup, "write a consistent backup of the database and keys (the server may run)"},
    {"restore", cli_restore, "restore a backup into an empty data folder, checked"},
    {"migrate-to-postgresql", cli_migrate, "copy the data folder's database into an empty PostgreSQL database, checked"},
    {"routes", cli_routes, "print the web application's routes, one \"METHOD PATTERN\" line each, sorted"},
};

static void usage(FILE *f) {
    fputs("usage: passport COMMAND [OPTIONS]\n\ncommands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].help);
    fputs("\n`passport COMMAND --help` describes one command; `passport --version` prints the release.\n", f);
}

int main(int argc, char **argv) {
    /* Before any other SQLite call: no global mutex around every SQLite allocation, and
     * SQLite's errors logged and counted (store_stats). */
    store_library_init();
    if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
        printf("passport %s (database schema %d)\n", PASSPORT_VERSION, store_latest_version());
        return 0;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "passport: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
