/* `passport canon [--strip-proof] FILE|DIR|- ...`: prints the RDFC-1.0 canonical N-Quads
 * of credentials (JSON-LD), as jsonld.js canonize does. With one file the output is the
 * N-Quads alone; with several (or a directory, read as its *.json files in name order)
 * each result is preceded by a line "# FILE", and a failure by "# FILE" then "! message". */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "badges/jsonld.h"
#include "cli/cli.h"
#include "core/buf.h"

/* Canonicalises one file; prints the result or the error. Returns true on success. */
static bool canon_file(const char *path, bool strip, bool header) {
    json_error_t jerr;
    json_t *doc = !strcmp(path, "-") ? json_loadf(stdin, 0, &jerr) : json_load_file(path, 0, &jerr);
    char *out = NULL;
    perr err = {""};
    bool ok = false;
    if (!doc) {
        perr_set(&err, "invalid JSON at line %d: %s", jerr.line, jerr.text);
    } else {
        if (strip && json_is_object(doc)) json_object_del(doc, "proof");
        ok = jsonld_canonize(doc, &out, &err);
    }
    if (header) printf("# %s\n", path);
    if (ok) {
        fputs(out, stdout);
    } else if (header) {
        printf("! %s\n", err.msg);
    } else {
        fprintf(stderr, "passport canon: %s: %s\n", path, err.msg);
    }
    free(out);
    json_decref(doc);
    return ok;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Canonicalises every *.json file of dir in name order. Returns the number of failures. */
static int canon_dir(const char *dir, bool strip) {
    DIR *d = opendir(dir);
    if (!d) {
        printf("# %s\n! cannot open directory\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json")) continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        buf p = BUF_INIT;
        buf_printf(&p, "%s/%s", dir, e->d_name);
        names[n++] = buf_detach(&p);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        if (!canon_file(names[i], strip, true)) failures++;
        free(names[i]);
    }
    free(names);
    return failures;
}

int cli_canon(int argc, char **argv) {
    bool strip = false;
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: passport canon [--strip-proof] FILE|DIR|- ...\n"
                 "Prints the RDFC-1.0 canonical N-Quads of JSON-LD credentials (Open Badges 3.0,\n"
                 "CLR 2.0, status lists). --strip-proof drops the \"proof\" member first.\n"
                 "With several files or a directory, each result follows a line \"# FILE\";\n"
                 "a failure is reported as \"! message\" after it.");
            return 0;
        }
        if (!strcmp(argv[i], "--strip-proof")) strip = true;
        else nfiles++;
    }
    if (!nfiles) {
        fputs("usage: passport canon [--strip-proof] FILE|DIR|- ...\n", stderr);
        return 2;
    }
    int failures = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--strip-proof")) continue;
        struct stat st;
        if (strcmp(argv[i], "-") && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            failures += canon_dir(argv[i], strip);
        else if (!canon_file(argv[i], strip, nfiles > 1))
            failures++;
    }
    fflush(stdout);
    return failures ? 1 : 0;
}
