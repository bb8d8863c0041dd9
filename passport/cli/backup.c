/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport backup FILE` and `passport restore FILE`: the database (a consistent copy taken
 * while the server runs) and the secrets of the data folder (issuer keys, the quiz form
 * key) in one .tar.gz archive (core/tar.h), and back into an empty data folder, checked. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badges/keyring.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/atomic_file.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/tar.h"
#include "store/backup.h"

static const char backup_usage[] =
    "usage: passport backup FILE [--data DIR]\n"
    "Writes FILE (a .tar.gz archive, mode 0600: it holds the issuer's private keys) with a\n"
    "consistent copy of DATA/passport.db, taken while the server keeps running, and the\n"
    "data folder's secrets: keys/*.pem and quiz-nonce.key. FILE is replaced atomically.\n"
    "`passport restore FILE` puts it back into an empty data folder (docs/deployment.md).\n"
    "SQLite only: a PostgreSQL database (--database, or the one migrate-to-postgresql moved\n"
    "DATA's to) is saved with pg_dump, the secrets with tar (docs/deployment.md).\n";

static const char restore_usage[] =
    "usage: passport restore FILE [--data DIR]\n"
    "Restores an archive of `passport backup` into DATA, which must be empty or absent, then\n"
    "checks it: the database's integrity, its upgrade to this release, the keys loading.\n"
    "Nothing is left in DATA when a check fails. SQLite only: a PostgreSQL database\n"
    "(--database) is restored with pg_restore.\n";

#define MANIFEST "BACKUP"

/* The key files of dir (*.pem, not hidden), sorted; *n their number. */
static char **key_files(const char *dir, size_t *n) {
    char **names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 5 || strcmp(e->d_name + l - 4, ".pem")) continue;
        names = xrealloc(names, (*n + 1) * sizeof *names);
        names[(*n)++] = xstrdup(e->d_name);
    }
    if (d) closedir(d);
    for (size_t i = 1; i < *n; i++) /* insertion sort: a handful of keys */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    return names;
}

static void free_names(char **names, size_t n) {
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

/* Adds the manifest, the snapshot and the secrets of data_dir to w. */
static bool archive_data(tar_writer *w, const cli_opts *o, const char *snapshot, int schema, size_t *nkeys,
                         perr *err) {
    long long now = (long long)clock_now();
    char when[21];
    clock_iso8601(clock_now(), when);
    buf m = BUF_INIT;
    buf_printf(&m, "Passport backup\nrelease %s\nschema %d\ncreated %s\n", PASSPORT_VERSION, schema, when);
    bool ok = tar_add(w, MANIFEST, 0600, now, m.data, m.len, err) && tar_add_file(w, "passport.db", snapshot, err);
    buf_free(&m);
    buf p = BUF_INIT;
    buf_printf(&p, "%s/quiz-nonce.key", o->data_dir);
    if (ok && access(p.data, F_OK) == 0) ok = tar_add_file(w, "quiz-nonce.key", p.data, err);
    buf_reset(&p);
    buf_printf(&p, "%s/keys", o->data_dir);
    size_t n = 0;
    char **names = key_files(p.data, &n);
    if (ok && n) ok = tar_add_dir(w, "keys", 0700, now, err);
    for (size_t i = 0; ok && i < n; i++) {
        buf f = BUF_INIT, name = BUF_INIT;
        buf_printf(&f, "%s/%s", p.data, names[i]);
        buf_printf(&name, "keys/%s", names[i]);
        ok = tar_add_file(w, name.data, f.data, err);
        buf_free(&f);
        buf_free(&name);
    }
    free_names(names, n);
    buf_free(&p);
    *nkeys = n;
    return ok;
}

int cli_backup(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help || o.nargs != 1) {
        fputs(backup_usage, o.help ? stdout : stderr);
        return o.help ? 0 : 2;
    }
    const char *file = o.args[0];
    char *db = cli_db_path(&o);
    perr err = {{0}};
    int rc = 1, schema = 0, fd = -1;
    size_t nkeys = 0;
    char *tmp = NULL, *moved = NULL;
    buf snap = BUF_INIT;
    if (!db) {
        perr_set(&err, "--database names a PostgreSQL database: back it up with pg_dump (docs/deployment.md); "
                       "this command copies a SQLite file");
        goto done;
    }
    if ((moved = cli_db_moved_to(&o))) { /* the file left there is stale: archiving it would mislead */
        perr_set(&err,
                 "the database of %s was moved to %s (migrate-to-postgresql): its old file is not backed up. "
                 "Back up that database with pg_dump -Fc, the secrets with `tar czf keys.tar.gz -C %s keys "
                 "quiz-nonce.key` (docs/deployment.md); the old file anyway: --database sqlite:%s",
                 o.data_dir, moved, o.data_dir, db);
        goto done;
    }
    if (access(db, R_OK) != 0) {
        perr_set(&err, "no database at %s: %s", db, strerror(errno));
        goto done;
    }
    /* The snapshot goes beside FILE (it may be large; the data folder may be short of room). */
    buf_printf(&snap, "%s.db-snapshot", file);
    unlink(snap.data); /* a leftover of an interrupted backup */
    if (!store_snapshot(db, snap.data, &err) || !store_check_file(snap.data, &schema, &err)) goto done;
    if ((fd = atomic_file_open(file, 0600, &tmp, &err)) < 0) goto done;
    tar_writer *w = tar_create(fd, &err);
    bool ok = w && archive_data(w, &o, snap.data, schema, &nkeys, &err);
    ok = tar_finish(w, ok ? &err : NULL) && ok;
    if (!ok) {
        atomic_file_abandon(fd, tmp);
        goto done;
    }
    if (!atomic_file_commit(fd, tmp, file, true, &err)) goto done;
    struct stat st;
    stat(file, &st);
    printf("backup %s: database (schema %d, integrity ok), %zu issuer key%s, %lld bytes\n", file, schema, nkeys,
           nkeys == 1 ? "" : "s", (long long)st.st_size);
    rc = 0;
done:
    if (snap.data) unlink(snap.data);
    buf_free(&snap);
    if (rc) fprintf(stderr, "passport backup: %s\n", err.msg);
    free(moved);
    free(db);
    return rc;
}

/* True when name is what a backup holds; *dir set for the keys folder. Anything else
 * (another path, "..", a hidden file) is refused. */
static bool restorable(const tar_entry *e, bool *dir) {
    *dir = false;
    if (e->type == '5') return *dir = !strcmp(e->name, "keys");
    if (e->type != '0') return false;
    if (!strcmp(e->name, MANIFEST) || !strcmp(e->name, "passport.db") || !strcmp(e->name, "quiz-nonce.key"))
        return true;
    const char *k = !strncmp(e->name, "keys/", 5) ? e->name + 5 : NULL;
    size_t l = k ? strlen(k) : 0;
    return k && l > 4 && k[0] != '.' && !strchr(k, '/') && !strcmp(k + l - 4, ".pem");
}

/* Extracts the archive into data_dir (existing, empty). *saw_db, *nkeys: what it held. */
static bool extract(const char *file, const char *data_dir, bool *saw_db, bool *saw_manifest, size_t *nkeys,
                    perr *err) {
    tar_reader *r = tar_open(file, err);
    if (!r) return false;
    bool ok = true;
    tar_entry e;
    int got;
    while (ok && (got = tar_next(r, &e, err)) == 1) {
        bool dir;
        if (!restorable(&e, &dir)) {
            fprintf(stderr, "passport restore: warning: %s skipped (not part of a Passport backup)\n", e.name);
            continue;
        }
        if (!strcmp(e.name, MANIFEST)) { /* says what the archive is; not a file of the data folder */
            *saw_manifest = true;
            continue;
        }
        buf path = BUF_INIT;
        buf_printf(&path, "%s/%s", data_dir, e.name);
        if (dir) {
            if (mkdir(path.data, 0700) != 0 && errno != EEXIST)
                ok = perr_set(err, "cannot create %s: %s", path.data, strerror(errno));
            buf_free(&path);
            continue;
        }
        if (!strncmp(e.name, "keys/", 5)) {
            buf kd = BUF_INIT;
            buf_printf(&kd, "%s/keys", data_dir);
            mkdir(kd.data, 0700);
            buf_free(&kd);
        }
        char *tmp = NULL;
        int fd = atomic_file_open(path.data, 0600, &tmp, err);
        if (fd < 0) ok = false;
        else if (!tar_read_to_fd(r, fd, err)) {
            atomic_file_abandon(fd, tmp);
            ok = false;
        } else {
            ok = atomic_file_commit(fd, tmp, path.data, false, err);
        }
        if (ok && !strcmp(e.name, "passport.db")) *saw_db = true;
        if (ok && !strncmp(e.name, "keys/", 5)) (*nkeys)++;
        buf_free(&path);
    }
    if (ok && got < 0) ok = false;
    tar_close(r);
    return ok;
}

/* True when dir is absent or empty. */
static bool empty_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d))) empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    return empty;
}

int cli_restore(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help || o.nargs != 1) {
        fputs(restore_usage, o.help ? stdout : stderr);
        return o.help ? 0 : 2;
    }
    perr err = {{0}};
    int rc = 1, schema = 0;
    bool created = false, saw_db = false, saw_manifest = false;
    size_t nkeys = 0;
    char *db = cli_db_path(&o);
    buf kd = BUF_INIT;
    buf_printf(&kd, "%s/keys", o.data_dir);
    if (!db) {
        perr_set(&err, "--database names a PostgreSQL database: restore it with pg_restore (docs/deployment.md); "
                       "this command restores a SQLite file");
        goto done;
    }
    if (access(o.args[0], R_OK) != 0) {
        perr_set(&err, "cannot read %s: %s", o.args[0], strerror(errno));
        goto done;
    }
    if (!empty_dir(o.data_dir)) {
        perr_set(&err, "%s is not empty: restore into an empty or new data folder (move the old one aside)",
                 o.data_dir);
        goto done;
    }
    if (!cli_data_dir_ready(&o)) goto done;
    created = true;
    if (!extract(o.args[0], o.data_dir, &saw_db, &saw_manifest, &nkeys, &err)) goto done;
    if (!saw_manifest || !saw_db) {
        perr_set(&err, "%s is not a Passport backup (no %s)", o.args[0], saw_db ? MANIFEST : "passport.db");
        goto done;
    }
    if (!store_check_file(db, &schema, &err)) goto done;
    store *s = store_open(db, &err); /* upgrades a backup of an earlier release */
    if (!s) goto done;
    int now = store_version(s);
    store_free(s);
    if (nkeys) {
        keyring *kr = keyring_load(kd.data, false, &err);
        if (!kr) goto done;
        nkeys = keyring_count(kr);
        keyring_free(kr);
    }
    printf("restored %s into %s: database schema %d%s (integrity ok), %zu issuer key%s\n", o.args[0], o.data_dir,
           schema, schema != now ? " upgraded" : "", nkeys, nkeys == 1 ? "" : "s");
    if (!nkeys) printf("warning: the backup holds no issuer key: a new one is made at the next start\n");
    rc = 0;
done:
    if (rc) {
        fprintf(stderr, "passport restore: %s\n", err.msg);
        if (created) { /* leave the folder as empty as it was */
            size_t n = 0;
            char **names = key_files(kd.data, &n);
            for (size_t i = 0; i < n; i++) {
                buf f = BUF_INIT;
                buf_printf(&f, "%s/%s", kd.data, names[i]);
                unlink(f.data);
                buf_free(&f);
            }
            free_names(names, n);
            rmdir(kd.data);
            const char *files[] = {"passport.db", "passport.db-wal", "passport.db-shm", "quiz-nonce.key"};
            for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
                buf f = BUF_INIT;
                buf_printf(&f, "%s/%s", o.data_dir, files[i]);
                unlink(f.data);
                buf_free(&f);
            }
        }
    }
    buf_free(&kd);
    free(db);
    return rc;
}
