/* `passport canon`: placeholder until the badges module lands. */
#include <stdio.h>

#include "cli/cli.h"

int cli_canon(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fputs("passport canon: not built yet\n", stderr);
    return 1;
}
