/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport init`: creates the database and, unless --no-demo, the demo organisation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badges/badges.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/atomic_file.h"
#include "core/buf.h"
#include "core/clock.h"
#include "learn/catalog.h"
#include "learn/library.h"
#include "people/account.h"
#include "people/demo.h"
#include "people/demo_story.h"
#include "skills/skills.h"

static const char usage[] =
    "usage: passport init [--data DIR] [--database URL] [--courses DIR] [--no-demo]\n"
    "Creates DATA/passport.db (or the schema of --database). Unless --no-demo, adds a demo\n"
    "organisation with one account per role; their passwords are generated, printed once and\n"
    "kept in DATA/demo-logins.txt (mode 0600). PASSPORT_DEMO_PASSWORD, when set, is used for every demo account (tests).\n"
    "The demo tells a story: colleagues with passed modules and badges, a path in progress,\n"
    "an open intrapreneur call (PASSPORT_DEMO_STORY=0: the five accounts alone).\n";

/* The demo's story (people/demo_story.h): the course catalogue first (the server syncs it
 * again at start), then colleagues, a path, a call and the badges they earned, signed with
 * the data folder's first key for the public URL the server will use by default. */
static bool tell_story(store *db, const cli_opts *o) {
    const char *off = getenv("PASSPORT_DEMO_STORY");
    if (off && !strcmp(off, "0")) return true; /* tests that need the bare demo accounts */
    perr err = {{0}};
    learn_library *lib = library_load(o->courses_dir, NULL, NULL);
    bool ok = lib && catalog_sync(db, lib, &err);
    library_release(lib);
    buf url = BUF_INIT;
    if (o->public_url) buf_puts(&url, o->public_url);
    else buf_printf(&url, "http://%s", o->listen);
    badges_ctx *b = ok ? badges_ctx_new(db, o->data_dir, o->courses_dir, buf_cstr(&url), &err) : NULL;
    demo_story_stats st;
    ok = b && demo_story(db, b, clock_now(), &st, &err);
    badges_ctx_free(b);
    buf_free(&url);
    if (!ok) fprintf(stderr, "passport: demo story not told: %s\n", err.msg);
    return ok;
}

int cli_init(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    if (!cli_data_dir_ready(&o)) return 1;
    char *path = cli_db_path(&o), *label = cli_db_label(&o);
    bool existed = !path || access(path, F_OK) == 0; /* a PostgreSQL database exists beforehand */
    free(path);
    store *db = cli_open_store(&o);
    if (!db) {
        free(label);
        return 1;
    }
    int rc = 0;
    if (existed && account_count(db) > 0) {
        fprintf(stderr, "passport: %s already holds a database with accounts; nothing done\n", label);
        rc = 1;
        goto done;
    }
    perr sync_err = {{0}};
    if (!skills_sync_frameworks(db, o.courses_dir, &sync_err)) {
        fprintf(stderr, "passport: frameworks: %s\n", sync_err.msg);
        rc = 1;
        goto done;
    }
    printf("Database ready: %s (schema %d)\n", label, store_version(db));
    if (o.no_demo) goto done;
    perr err = {{0}};
    const char *pw = getenv("PASSPORT_DEMO_PASSWORD");
    json_t *logins = demo_create(db, pw && *pw ? pw : NULL, &err);
    if (!logins) {
        fprintf(stderr, "passport: demo: %s\n", err.msg);
        rc = 1;
        goto done;
    }
    buf text = BUF_INIT;
    size_t i;
    json_t *l;
    buf_puts(&text, "Demo logins (email / password / roles):\n");
    json_array_foreach(logins, i, l) {
        buf_printf(&text, "  %-28s %-18s %s\n", json_string_value(json_object_get(l, "email")),
                   json_string_value(json_object_get(l, "password")),
                   json_string_value(json_object_get(l, "roles")));
    }
    tell_story(db, &o); /* a story that cannot be told leaves the accounts usable */
    fputs(text.data, stdout);
    buf p = BUF_INIT;
    buf_printf(&p, "%s/demo-logins.txt", o.data_dir);
    perr werr = {{0}};
    if (!atomic_file_write(p.data, text.data, text.len, 0600, true, &werr))
        fprintf(stderr, "passport: demo logins not kept: %s\n", werr.msg);
    buf_free(&p);
    buf_free(&text);
    json_decref(logins);
done:
    free(label);
    store_free(db);
    return rc;
}
