/* SPDX-License-Identifier: EUPL-1.2 */
/* Tests for core/dirlist: sorted names, files or folders, a suffix, hidden entries and
 * symbolic links left out, an unreadable folder. */
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

#include "core/dirlist.h"

static void touch(const char *dir, const char *name) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static void test_listing(void **state) {
    (void)state;
    char dir[] = "/tmp/test_dirlist.XXXXXX", sub[300], link[300];
    assert_non_null(mkdtemp(dir));
    touch(dir, "b.md");
    touch(dir, "a.md");
    touch(dir, "c.csv");
    touch(dir, ".hidden.md");
    snprintf(sub, sizeof sub, "%s/zfolder", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(link, sizeof link, "%s/link.md", dir);
    assert_int_equal(symlink("a.md", link), 0);
    size_t n;
    char **files = dirlist(dir, false, NULL, &n);
    assert_int_equal(n, 3);
    assert_string_equal(files[0], "a.md");
    assert_string_equal(files[1], "b.md");
    assert_string_equal(files[2], "c.csv");
    dirlist_free(files, n);
    files = dirlist(dir, false, ".md", &n);
    assert_int_equal(n, 2);
    assert_string_equal(files[1], "b.md");
    dirlist_free(files, n);
    char **dirs = dirlist(dir, true, NULL, &n);
    assert_int_equal(n, 1);
    assert_string_equal(dirs[0], "zfolder");
    dirlist_free(dirs, n);
    assert_null(dirlist(sub, false, NULL, &n)); /* empty */
    assert_int_equal(n, 0);
    assert_null(dirlist("/nonexistent-dirlist", false, NULL, &n));
    assert_int_equal(n, 0);
    dirlist_free(NULL, 0);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
