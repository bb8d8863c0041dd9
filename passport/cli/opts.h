/* Options shared by the sub-commands: --data DIR (PASSPORT_DATA, default ./var),
 * --web DIR (PASSPORT_WEB, ./web), --courses DIR (PASSPORT_COURSES, ./courses),
 * --listen ADDR:PORT (PASSPORT_LISTEN, 127.0.0.1:8080), --public-url URL
 * (PASSPORT_PUBLIC_URL, http://<listen>), --issuer-name|--issuer-url|--issuer-email|
 * --issuer-image (PASSPORT_ISSUER_NAME, _URL, _EMAIL, _IMAGE). */
#ifndef PASSPORT_CLI_OPTS_H
#define PASSPORT_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

typedef struct cli_opts {
    const char *data_dir;
    const char *web_dir;
    const char *courses_dir;
    const char *listen;
    const char *public_url;
    bool no_demo;
    bool help;
    bool quiet;
    /* arguments that are not options, in order */
    const char *args[8];
    int nargs;
    /* --role, --unit, --name for `user add` */
    const char *role, *unit, *name;
    /* the issuing organisation (--issuer-name|url|email|image, PASSPORT_ISSUER_*) */
    const char *issuer_name, *issuer_url, *issuer_email, *issuer_image;
} cli_opts;

/* Parses argv (after the sub-command name). false with a message on stderr for an
 * unknown option or a missing value. */
bool cli_opts_parse(int argc, char **argv, cli_opts *o);
/* The single argument as a count in 1..max (seeding commands); false when absent,
 * not a number, out of range, or when there are other arguments. */
bool cli_opts_count(const cli_opts *o, long max, long *n);
/* Creates the data folder (mode 0700) when missing. */
bool cli_data_dir_ready(const cli_opts *o);
/* Opens DATA/passport.db (migrating it). NULL with a message on stderr. */
store *cli_open_store(const cli_opts *o);
/* The path of DATA/passport.db into a new string the caller frees. */
char *cli_db_path(const cli_opts *o);

#endif
