/* SPDX-License-Identifier: EUPL-1.2 */
/* Unit tests for core/atomic_file: whole content and mode, replace or never overwrite,
 * temporaries removed on success and recognised when a crash leaves one. */
#include <dirent.h>
#include <errno.h>
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

#include "core/atomic_file.h"

static size_t read_file(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = fread(out, 1, cap, f);
    fclose(f);
    return n;
}

/* Number of entries of dir other than . and .. */
static int entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    if (d) closedir(d);
    return n;
}

static void writes_replaces_or_refuses(void **state) {
    (void)state;
    char dir[] = "/tmp/passport-atomic-XXXXXX", path[64], got[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/f.txt", dir);
    perr err = {{0}};
    umask(022);
    assert_true(atomic_file_write(path, "first", 5, 0600, false, &err));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(read_file(path, got, sizeof got), 5);
    assert_memory_equal(got, "first", 5);
    /* no replace: the file stays as it was, EEXIST tells the caller why */
    assert_false(atomic_file_write(path, "second", 6, 0600, false, &err));
    assert_int_equal(errno, EEXIST);
    assert_non_null(strstr(err.msg, "already exists"));
    assert_int_equal(read_file(path, got, sizeof got), 5);
    /* replace: the whole new content, the mode asked for */
    assert_true(atomic_file_write(path, "second!", 7, 0640, true, &err));
    assert_int_equal(read_file(path, got, sizeof got), 7);
    assert_memory_equal(got, "second!", 7);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(entries(dir), 1); /* no temporary left behind */
    /* a folder that does not exist: an error naming the file */
    assert_false(atomic_file_write("/nonexistent-dir/x/f.txt", "a", 1, 0600, true, &err));
    assert_non_null(strstr(err.msg, "/nonexistent-dir/x/f.txt"));
    unlink(path);
    rmdir(dir);
}

static void temporaries_are_recognised(void **state) {
    (void)state;
    assert_true(atomic_file_is_temp(".key-0002-x.pem.tmp-a1B2c3"));
    assert_false(atomic_file_is_temp("key-0002-x.pem"));
    assert_false(atomic_file_is_temp("key.tmp-a1B2c3")); /* not hidden: not ours */
    assert_false(atomic_file_is_temp(".key.pem.tmp-a1B2c3x"));
    /* a leftover in a folder is found (and logged) */
    char dir[] = "/tmp/passport-atomic-XXXXXX", path[96];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(atomic_file_warn_leftovers(dir), 0);
    snprintf(path, sizeof path, "%s/.quiz-nonce.key.tmp-Ab12Cd", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    assert_int_equal(atomic_file_warn_leftovers(dir), 1);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_replaces_or_refuses),
        cmocka_unit_test(temporaries_are_recognised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
