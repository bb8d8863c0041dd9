/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for core/tar: what the writer writes reads back (names, types, modes,
 * contents across block boundaries), the system's tar reads it too, and a damaged or
 * truncated archive is an error, not a short read. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/tar.h"

static char dir[] = "/tmp/passport-tar-XXXXXX";

/* Writes an archive with a folder, a small file, a 70 000-byte file from disk. */
static void write_sample(const char *path, const char *big) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    perr err = {{0}};
    tar_writer *w = tar_create(fd, &err);
    assert_non_null(w);
    assert_true(tar_add(w, "BACKUP", 0600, 1700000000, "hello\n", 6, &err));
    assert_true(tar_add_dir(w, "keys", 0700, 1700000000, &err));
    assert_true(tar_add_file(w, "keys/big.pem", big, &err));
    assert_false(tar_add(w, "x/" "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", 0600, 0, "", 0, &err));
    assert_true(tar_finish(w, &err));
    close(fd);
}

static void round_trip(void **state) {
    (void)state;
    assert_non_null(mkdtemp(dir));
    char big[96], arc[96], out[96];
    snprintf(big, sizeof big, "%s/big", dir);
    snprintf(arc, sizeof arc, "%s/a.tar.gz", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    FILE *f = fopen(big, "wb");
    for (int i = 0; i < 70000; i++) fputc('a' + i % 26, f);
    fclose(f);
    chmod(big, 0640);
    write_sample(arc, big);
    perr err = {{0}};
    tar_reader *r = tar_open(arc, &err);
    assert_non_null(r);
    tar_entry e;
    assert_int_equal(tar_next(r, &e, &err), 1);
    assert_string_equal(e.name, "BACKUP");
    assert_int_equal(e.type, '0');
    assert_int_equal(e.size, 6);
    assert_int_equal(e.mode, 0600);
    /* its content not read: skipped by the next call */
    assert_int_equal(tar_next(r, &e, &err), 1);
    assert_string_equal(e.name, "keys");
    assert_int_equal(e.type, '5');
    assert_int_equal(tar_next(r, &e, &err), 1);
    assert_string_equal(e.name, "keys/big.pem");
    assert_int_equal(e.size, 70000);
    assert_int_equal(e.mode, 0640);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(tar_read_to_fd(r, fd, &err));
    close(fd);
    assert_int_equal(tar_next(r, &e, &err), 0);
    tar_close(r);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", big, out);
    assert_int_equal(system(cmd), 0);
    /* GNU tar agrees */
    snprintf(cmd, sizeof cmd, "tar -tzf '%s' | tr '\\n' ' ' > '%s'", arc, out);
    assert_int_equal(system(cmd), 0);
    char listed[200] = {0};
    f = fopen(out, "r");
    assert_non_null(fgets(listed, sizeof listed, f));
    fclose(f);
    assert_string_equal(listed, "BACKUP keys/ keys/big.pem ");
}

static void damage_is_an_error(void **state) {
    (void)state;
    char big[96], arc[96], cut[96];
    snprintf(big, sizeof big, "%s/big", dir);
    snprintf(arc, sizeof arc, "%s/a.tar.gz", dir);
    snprintf(cut, sizeof cut, "%s/cut.tar.gz", dir);
    /* truncated: the compressed stream ends in the middle of the big file */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "head -c 300 '%s' > '%s'", arc, cut);
    assert_int_equal(system(cmd), 0);
    perr err = {{0}};
    tar_reader *r = tar_open(cut, &err);
    assert_non_null(r);
    tar_entry e;
    int got;
    while ((got = tar_next(r, &e, &err)) == 1) {}
    assert_int_equal(got, -1);
    assert_non_null(strstr(err.msg, "truncated or damaged"));
    tar_close(r);
    /* an uncompressed header with a wrong checksum */
    snprintf(cmd, sizeof cmd, "gzip -dc '%s' | sed '1s/BACKUP/BACKUQ/' | gzip > '%s'", arc, cut);
    assert_int_equal(system(cmd), 0);
    r = tar_open(cut, &err);
    assert_int_equal(tar_next(r, &e, &err), -1);
    assert_non_null(strstr(err.msg, "damaged entry header"));
    tar_close(r);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(damage_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
