/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport import-framework FILE.csv`: validates a competency framework file (or a
 * mapping file between two loaded frameworks) completely, then upserts it, all or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/buf.h"
#include "skills/skills.h"

static const char usage[] =
    "usage: passport import-framework FILE.csv [--data DIR]\n"
    "Imports a competency framework in the CSV format of courses/frameworks/README.md\n"
    "(27 columns: framework,framework_name,version,area,... ,level_8_en), or a mapping file\n"
    "(header: two lowercase framework codes, e.g. crcn,digcomp). The whole file is checked\n"
    "first: on any problem nothing is written and each problem is printed as\n"
    "FILE:LINE: message. Importing a framework again updates its titles and descriptors;\n"
    "evidence recorded against its competencies is kept.\n";

/* True when the file's first line looks like a mapping header (two fields, no "framework"). */
static bool looks_like_mapping(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char line[256] = "";
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    if (!got) return false;
    line[strcspn(line, "\r\n")] = '\0';
    const char *comma = strchr(line, ',');
    return comma && !strchr(comma + 1, ',') && strncmp(line, "framework", 9);
}

int cli_import_framework(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    if (o.nargs != 1) {
        fputs(usage, stderr);
        return 2;
    }
    const char *path = o.args[0];
    store *db = cli_open_store(&o);
    if (!db) return 1;
    buf problems = BUF_INIT;
    perr err = {{0}};
    int rc = 0;
    if (looks_like_mapping(path)) {
        size_t n = 0;
        if (skills_import_mapping(db, path, &problems, &n, &err)) printf("Imported %zu mapping pairs from %s\n", n, path);
        else rc = 1;
    } else {
        skills_import_stats st;
        char *code = NULL;
        if (skills_import_framework(db, path, &problems, &st, &code, &err))
            printf("Imported framework %s: %zu competencies (%zu new, %zu updated, %zu retired)\n", code,
                   st.created + st.updated, st.created, st.updated, st.retired);
        else rc = 1;
        free(code);
    }
    if (rc) {
        if (problems.len) fputs(problems.data, stderr);
        if (err.msg[0]) fprintf(stderr, "passport: %s\n", err.msg);
        fprintf(stderr, "passport: nothing imported\n");
    }
    buf_free(&problems);
    store_free(db);
    return rc;
}
