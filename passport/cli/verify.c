/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport verify FILE`: the server's verdict on a credential (JSON or baked SVG), each
 * check on its own line; exit 0 iff valid. With --data, status lists and keys of that
 * Passport are read locally; nothing is fetched. --bench N times the verification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "badges/badges.h"
#include "badges/check.h"
#include "badges/share.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/buf.h"
#include "core/clock.h"

static const char usage[] =
    "usage: passport verify [--data DIR] [--public-url URL] [--json] [--bench N] FILE|-\n"
    "Verifies an Open Badges 3.0 or CLR 2.0 credential (JSON, or an SVG with the credential\n"
    "baked in): structure, issuer, proof (eddsa-rdfc-2022), revocation status, dates.\n"
    "The issuer must be this Passport (keys and status list of --data, default ./var);\n"
    "without a database there, any did:key issuer is accepted and status cannot be read.\n"
    "Exit status 0 iff every check passed. --json prints the verdict as JSON.\n"
    "--bench N verifies the file N times and prints verifications per second.\n";

static char *slurp(const char *path, size_t *len) {
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return NULL;
    buf b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= 8 * CHECK_MAX_BYTES) buf_append(&b, chunk, n);
    if (f != stdin) fclose(f);
    *len = b.len;
    buf_puts(&b, "");
    return buf_detach(&b);
}

int cli_verify(int argc, char **argv) {
    bool as_json = false;
    int bench = 0;
    char **rest = xcalloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !strcmp(argv[i], "--json")) as_json = true;
        else if (i > 0 && !strcmp(argv[i], "--bench") && i + 1 < argc) bench = atoi(argv[++i]);
        else rest[nrest++] = argv[i];
    }
    cli_opts o;
    int rc = 2;
    store *db = NULL;
    badges_ctx *bc = NULL;
    char *text = NULL, *inner = NULL;
    json_t *v = NULL;
    if (!cli_opts_parse(nrest, rest, &o)) goto done;
    if (o.help || o.nargs != 1) {
        fputs(usage, o.help ? stdout : stderr);
        rc = o.help ? 0 : 2;
        goto done;
    }
    size_t len = 0;
    if (!(text = slurp(o.args[0], &len))) {
        fprintf(stderr, "passport verify: cannot read %s\n", o.args[0]);
        goto done;
    }
    if (strstr(text, "<svg") && (inner = share_unbake_svg(text))) len = strlen(inner);
    const char *doc = inner ? inner : text;
    char *path = cli_db_path(&o);
    struct stat st;
    bool have_db = !path || stat(path, &st) == 0; /* PostgreSQL (no path): there */
    free(path);
    if (have_db && (db = cli_open_store(&o))) {
        char url[300];
        snprintf(url, sizeof url, "http://%s", o.listen);
        perr err = {{0}};
        bc = badges_ctx_new(db, o.data_dir, o.courses_dir, o.public_url ? o.public_url : url, &err);
        if (!bc) fprintf(stderr, "passport verify: %s (issuer and status checked without it)\n", err.msg);
    }
    if (bench > 0) {
        uint64_t t0 = clock_mono_us();
        for (int i = 0; i < bench; i++) json_decref(check_credential(db, bc, doc, len));
        double s = (double)(clock_mono_us() - t0) / 1e6;
        printf("verified %d credentials in %.3f s: %.0f verifications/s (one core)\n", bench, s, bench / s);
    }
    v = check_credential(db, bc, doc, len);
    if (as_json) {
        char *out = json_dumps(v, JSON_INDENT(2));
        puts(out);
        free(out);
    } else {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(v, "checks"), i, c) {
            const json_t *ok = json_object_get(c, "ok");
            const char *d = json_string_value(json_object_get(c, "detail"));
            printf("%-6s %-7s %s\n", json_is_true(ok) ? "ok" : json_is_false(ok) ? "FAILED" : "n/a",
                   json_string_value(json_object_get(c, "name")), d && *d ? d : "");
        }
        printf("%s\n", json_is_true(json_object_get(v, "verified")) ? "VALID" : "NOT VALID");
    }
    rc = json_is_true(json_object_get(v, "verified")) ? 0 : 1;
done:
    json_decref(v);
    free(text);
    free(inner);
    badges_ctx_free(bc);
    store_free(db);
    free(rest);
    return rc;
}
