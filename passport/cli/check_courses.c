/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport check-courses [DIR]`: validates a course library without a database and
 * prints every problem as file:line: message; exit status 1 when there is any.
 * `passport publish-courses [DIR]`: the same, then makes that library the database's
 * current one, which every server on the database loads (docs/deployment.md). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "learn/diag.h"
#include "learn/library.h"
#include "core/clock.h"
#include "learn/catalog.h"
#include "learn/posbank.h"
#include "store/cluster.h"

static const char usage[] =
    "usage: passport check-courses [DIR] [--courses DIR]\n"
    "Validates every course under DIR (default: the --courses folder, ./courses): front\n"
    "matter, competency codes (frameworks/NAME.csv), quizzes, relative links and images,\n"
    "and the positioning item bank (DIR/positioning/, docs/positioning.md).\n"
    "Prints each problem as file:line: message; exits 1 if there is any, 0 otherwise.\n";

int cli_check_courses(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    const char *dir = o.nargs > 0 ? o.args[0] : o.courses_dir;
    diag_list d = DIAG_LIST_INIT;
    learn_library *lib = library_load(dir, NULL, &d);
    diag_print(&d, stdout);
    int rc = d.n ? 1 : 0;
    if (rc) fprintf(stderr, "%zu problem%s\n", d.n, d.n > 1 ? "s" : "");
    else
        fprintf(stderr, "%zu courses, %zu modules, %zu positioning items: no problem\n", lib->ncourses, lib->nindex,
                lib->bank->n);
    diag_list_free(&d);
    library_release(lib);
    return rc;
}

static const char publish_usage[] =
    "usage: passport publish-courses [DIR] [--courses DIR] [--data DIR]\n"
    "Checks the course library in DIR (default: the --courses folder) as check-courses does\n"
    "and, when it has no problem, makes it the current library of the database: the catalog\n"
    "is updated and every running server loads it from its own --courses folder within a\n"
    "tick (10 s); a server whose folder holds another library is not ready (/readyz) until\n"
    "it has this one. Several servers: copy the new library to every server first.\n";

int cli_publish_courses(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(publish_usage, stdout);
        return 0;
    }
    const char *dir = o.nargs > 0 ? o.args[0] : o.courses_dir;
    diag_list d = DIAG_LIST_INIT;
    learn_library *lib = library_load(dir, NULL, &d);
    diag_print(&d, stdout);
    int rc = 1;
    store *db = NULL;
    if (d.n) {
        fprintf(stderr, "%zu problem%s: the library is not published\n", d.n, d.n > 1 ? "s" : "");
        goto done;
    }
    db = cli_open_store(&o);
    if (!db) goto done;
    char hash[65], by[320] = "cli:";
    library_hash(lib, hash);
    cluster_server_name(by + 4, sizeof by - 4);
    perr err = {{0}};
    if (!catalog_sync(db, lib, &err) || !cluster_fact_set(db, CLUSTER_LIBRARY, hash, by, clock_now(), &err)) {
        fprintf(stderr, "passport: %s\n", err.msg);
        goto done;
    }
    fprintf(stderr, "%zu courses, %zu modules: library %.12s is now the current one\n", lib->ncourses, lib->nindex,
            hash);
    rc = 0;
done:
    store_free(db);
    diag_list_free(&d);
    library_release(lib);
    return rc;
}
