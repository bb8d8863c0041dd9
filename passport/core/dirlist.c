/* SPDX-License-Identifier: EUPL-1.2 */
/* Sorted folder listings (see dirlist.h). */
#include "core/dirlist.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

char **dirlist(const char *dir, bool want_dirs, const char *suffix, size_t *n) {
    *n = 0;
    DIR *dp = opendir(dir);
    if (!dp) return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    buf path = BUF_INIT;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.' || (suffix && !ends_with(e->d_name, suffix))) continue;
        buf_reset(&path);
        buf_printf(&path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path.data, &st) != 0) continue;
        if (want_dirs ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(dp);
    buf_free(&path);
    if (*n) qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

void dirlist_free(char **names, size_t n) {
    for (size_t i = 0; names && i < n; i++) free(names[i]);
    free(names);
}
