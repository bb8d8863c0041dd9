/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport check-courses [DIR]`: validates a course library without a database and
 * prints every problem as file:line: message; exit status 1 when there is any. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "learn/diag.h"
#include "learn/library.h"
#include "learn/posbank.h"

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
