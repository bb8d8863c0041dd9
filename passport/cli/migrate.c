/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport migrate-to-postgresql --from DATA --to URL`: copies the SQLite store of a data
 * folder into an empty database (store/migrate.h) and prints, per table, the rows and the
 * checksum read back from each side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/atomic_file.h"
#include "core/buf.h"
#include "store/migrate.h"

static const char usage[] =
    "usage: passport migrate-to-postgresql --from DATA --to URL\n"
    "Copies the database of the data folder DATA (DATA/passport.db, upgraded to this release's\n"
    "schema first) into the empty database at URL (postgresql://user@host:port/db; made and\n"
    "migrated to the same schema), in one transaction, then reads every table back on both\n"
    "sides and compares its row count and checksum. Stop the servers first. Refuses a target\n"
    "that has rows or that a copy already filled. Exit 0 when every table is identical.\n"
    "The data folder's keys/ and quiz-nonce.key are not in the database: copy them to every\n"
    "server (docs/deployment.md). After the copy, DATA/" CLI_DB_MOVED " names the new database\n"
    "(without its password), and commands on DATA refuse its old SQLite file unless given\n"
    "--database.\n";

int cli_migrate(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    if (!o.from || !o.to || o.nargs) {
        fputs(usage, stderr);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/passport.db", o.from);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "passport: no database at %s\n", path);
        return 1;
    }
    fclose(f);
    perr err = {{0}};
    int rc = 1;
    store *dst = NULL, *src = store_open(path, &err);
    if (!src) goto done;
    dst = store_open(o.to, &err);
    if (!dst) goto done;
    migrate_report r;
    bool ok = migrate_copy(src, dst, path, &r, &err);
    for (size_t i = 0; i < r.n; i++) {
        const migrate_table *t = &r.tables[i];
        bool same = t->src_rows == t->dst_rows && !strcmp(t->src_sum, t->dst_sum);
        if (t->log) same = t->dst_rows == 0;
        printf("%-24s %10lld rows  %.16s", t->name, t->src_rows, t->src_sum);
        if (t->log && same) printf("  change log: left empty\n");
        else if (same) printf("  identical\n");
        else printf("  DIFFERS: target %lld rows %.16s\n", t->dst_rows, t->dst_sum);
    }
    if (ok) fprintf(stderr, "%zu tables copied and identical\n", r.n);
    migrate_report_free(&r);
    if (ok) { /* the folder remembers where its database went */
        cli_opts to = {.database = o.to};
        char *label = cli_db_label(&to);
        buf line = BUF_INIT;
        buf_printf(&line, "%s\n", label);
        char moved[4096];
        snprintf(moved, sizeof moved, "%s/" CLI_DB_MOVED, o.from);
        ok = atomic_file_write(moved, line.data, line.len, 0600, true, &err);
        buf_free(&line);
        free(label);
    }
    rc = ok ? 0 : 1;
done:
    if (rc) fprintf(stderr, "passport: %s\n", err.msg[0] ? err.msg : "the copy failed");
    store_free(dst);
    store_free(src);
    return rc;
}
