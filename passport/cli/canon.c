/* SPDX-License-Identifier: EUPL-1.2 */
/* Credential debugging sub-commands: `passport canon` prints the RDFC-1.0 canonical
 * N-Quads of credentials, `passport vc-demo` issues signed demo credentials. */

/* `passport canon [--strip-proof] FILE|DIR|- ...`: as jsonld.js canonize does. With one
 * file the output is the N-Quads alone; with several (or a directory, read as its *.json
 * files in name order) each result is preceded by a line "# FILE", and a failure by
 * "# FILE" then "! message". --nquads reads N-Quads instead (RDFC-1.0 alone), with
 * --work-factor N (default 1, as jsonld.js; negative: unlimited) bounding the work on
 * blank nodes with tied hashes.
 * `passport vc-demo --out DIR ...`: a signed demo badge, a revoked one, their status list
 * and a CLR, for interoperability tests with independent verifiers. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "badges/credential.h"
#include "badges/jsonld.h"
#include "badges/keys.h"
#include "badges/proof.h"
#include "badges/rdfc.h"
#include "badges/statuslist.h"
#include "cli/cli.h"
#include "core/buf.h"

typedef struct canon_opts {
    bool strip;      /* drop "proof" first */
    bool nquads;     /* input is N-Quads, not JSON-LD */
    int work_factor; /* RDFC-1.0 work bound for --nquads */
    bool sha384;     /* --hash sha384 (--nquads) */
    bool map;        /* --map: print the issued identifiers map instead (--nquads) */
} canon_opts;

/* Reads a whole file ("-": standard input) into a new string; NULL on error. */
static char *read_all(const char *path) {
    FILE *f = !strcmp(path, "-") ? stdin : fopen(path, "rb");
    if (!f) return NULL;
    buf b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(&b, chunk, n);
    bool bad = ferror(f);
    if (f != stdin) fclose(f);
    if (bad) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static bool canon_nquads(const char *path, const canon_opts *o, char **out, perr *err) {
    char *text = read_all(path);
    if (!text) return perr_set(err, "cannot read the file");
    rdf_quads *q = rdf_quads_new();
    char *map = NULL;
    rdfc_opts ro = {o->work_factor, o->sha384, o->map ? &map : NULL};
    bool ok = rdf_quads_parse(q, text, err) && rdfc_canonicalize_opts(q, &ro, out, err);
    if (ok && map) { /* the map instead of the N-Quads */
        free(*out);
        *out = map;
    }
    rdf_quads_free(q);
    free(text);
    return ok;
}

/* Canonicalises one file; prints the result or the error. Returns true on success. */
static bool canon_file(const char *path, const canon_opts *o, bool header) {
    json_t *doc = NULL;
    char *out = NULL;
    perr err = {""};
    bool ok = false;
    if (o->nquads) {
        ok = canon_nquads(path, o, &out, &err);
    } else {
        json_error_t jerr;
        doc = !strcmp(path, "-") ? json_loadf(stdin, JSON_DECODE_INT_AS_REAL, &jerr) : json_load_file(path, JSON_DECODE_INT_AS_REAL, &jerr);
        if (!doc) {
            perr_set(&err, "invalid JSON at line %d: %s", jerr.line, jerr.text);
        } else {
            if (o->strip && json_is_object(doc)) json_object_del(doc, "proof");
            ok = jsonld_canonize(doc, &out, &err);
        }
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

/* Canonicalises every *.json (*.nq with --nquads) file of dir in name order. Returns
 * the number of failures. */
static int canon_dir(const char *dir, const canon_opts *o) {
    const char *ext = o->nquads ? ".nq" : ".json";
    size_t elen = strlen(ext);
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
        if (len <= elen || strcmp(e->d_name + len - elen, ext)) continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        buf p = BUF_INIT;
        buf_printf(&p, "%s/%s", dir, e->d_name);
        names[n++] = buf_detach(&p);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        if (!canon_file(names[i], o, true)) failures++;
        free(names[i]);
    }
    free(names);
    return failures;
}

int cli_canon(int argc, char **argv) {
    canon_opts o = {false, false, RDFC_WORK_DEFAULT, false, false};
    const char **files = xcalloc((size_t)argc, sizeof *files);
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: passport canon [--strip-proof] [--nquads [--work-factor N] [--hash sha256|sha384] [--map]]\n"
                 "                      FILE|DIR|- ...\n"
                 "Prints the RDFC-1.0 canonical N-Quads of JSON-LD credentials (Open Badges 3.0,\n"
                 "CLR 2.0, status lists). --strip-proof drops the \"proof\" member first.\n"
                 "--nquads canonicalises N-Quads files (*.nq in a directory) instead, with the\n"
                 "hash chosen by --hash (default sha256); --map prints the issued identifiers map\n"
                 "(JSON: input blank node label -> canonical label) instead of the N-Quads.\n"
                 "With several files or a directory, each result follows a line \"# FILE\";\n"
                 "a failure is reported as \"! message\" after it.");
            free(files);
            return 0;
        }
        if (!strcmp(argv[i], "--strip-proof")) o.strip = true;
        else if (!strcmp(argv[i], "--nquads")) o.nquads = true;
        else if (!strcmp(argv[i], "--work-factor") && i + 1 < argc) o.work_factor = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--map")) o.map = true;
        else if (!strcmp(argv[i], "--hash") && i + 1 < argc && (!strcmp(argv[i + 1], "sha256") || !strcmp(argv[i + 1], "sha384")))
            o.sha384 = !strcmp(argv[++i], "sha384");
        else files[nfiles++] = argv[i];
    }
    if (!nfiles) {
        fputs("usage: passport canon [--strip-proof] [--nquads [--work-factor N] [--hash sha256|sha384] [--map]]"
              " FILE|DIR|- ...\n", stderr);
        free(files);
        return 2;
    }
    int failures = 0;
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        if (strcmp(files[i], "-") && stat(files[i], &st) == 0 && S_ISDIR(st.st_mode))
            failures += canon_dir(files[i], &o);
        else if (!canon_file(files[i], &o, nfiles > 1))
            failures++;
    }
    free(files);
    fflush(stdout);
    return failures ? 1 : 0;
}

/* ---- vc-demo ---- */

static bool write_json(const char *dir, const char *name, const json_t *doc, perr *err) {
    buf path = BUF_INIT;
    buf_printf(&path, "%s/%s", dir, name);
    bool ok = json_dump_file(doc, buf_cstr(&path), JSON_INDENT(2)) == 0;
    if (!ok) perr_set(err, "cannot write %s", buf_cstr(&path));
    buf_free(&path);
    return ok;
}

/* Builds and signs one demo badge with status index idx. Returns a new document or NULL. */
static json_t *demo_badge(const keys *k, const credential_issuer *is, const char *status_url, size_t idx,
                          const char *title, perr *err) {
    static const credential_alignment al[] = {
        {"Protéger les données personnelles et la vie privée", "https://pix.fr/competences/4.2", "4.2",
         "CRCN", "CFItem"},
        {"Sécuriser l'environnement numérique", "https://pix.fr/competences/4.1", "4.1", "CRCN", NULL},
    };
    credential_badge b = {
        .issuer = *is,
        .recipient_email = "agent@demo.passport.test",
        .achievement_id = "https://passport.example.fr/achievements/securite-numerique",
        .achievement_name = title,
        .achievement_description = "Reconnaître un hameçonnage, protéger ses comptes « au quotidien ».",
        .criteria_narrative = "Réussir les cinq modules du parcours \"Sécurité numérique\" avec 80 % de bonnes réponses.",
        .image_url = "https://passport.example.fr/badges/securite-numerique.svg",
        .achievement_type = "Competency",
        .alignments = al,
        .nalignments = 2,
        .status_list_url = status_url,
        .status_index = idx,
    };
    json_t *doc = credential_badge_new(&b, err);
    if (doc && !proof_add(doc, k, NULL, NULL, err)) {
        json_decref(doc);
        doc = NULL;
    }
    return doc;
}

int cli_vc_demo(int argc, char **argv) {
    const char *out = NULL, *status_url = "http://127.0.0.1:8089/status/1", *key_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--status-url") && i + 1 < argc) status_url = argv[++i];
        else if (!strcmp(argv[i], "--key") && i + 1 < argc) key_file = argv[++i];
        else {
            fputs("usage: passport vc-demo --out DIR [--status-url URL] [--key PEM]\n"
                  "Writes into DIR (which must exist) a signed OpenBadgeCredential (badge.json), a\n"
                  "revoked one (badge-revoked.json), their signed status list (status-list.json, to be\n"
                  "served at URL) and a signed ClrCredential holding the first badge (clr.json).\n"
                  "Without --key a new Ed25519 key is generated and saved as DIR/issuer.pem.\n",
                  strcmp(argv[i], "--help") ? stderr : stdout);
            return strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    if (!out) {
        fputs("passport vc-demo: --out DIR is required\n", stderr);
        return 2;
    }
    perr err = {""};
    keys *k = NULL;
    statuslist *l = statuslist_new(0);
    json_t *good = NULL, *revoked = NULL, *list = NULL, *clr = NULL;
    char *did = NULL;
    int rc = 1;
    if (key_file) {
        k = keys_load_private(key_file, &err);
    } else if ((k = keys_generate(&err))) {
        buf p = BUF_INIT;
        buf_printf(&p, "%s/issuer.pem", out);
        if (!keys_save_private(k, buf_cstr(&p), &err)) {
            keys_free(k);
            k = NULL;
        }
        buf_free(&p);
    }
    if (!k) goto fail;
    did = keys_did(k);
    credential_issuer is = {did, "Passport — démonstration (DINUM)", "https://passport.example.fr", NULL, NULL};
    size_t i_good, i_revoked;
    if (!statuslist_allocate(l, &i_good, &err) || !statuslist_allocate(l, &i_revoked, &err)) goto fail;
    if (!statuslist_set(l, i_revoked, true, &err)) goto fail;
    if (!(good = demo_badge(k, &is, status_url, i_good, "Sécurité numérique au quotidien", &err))) goto fail;
    if (!(revoked = demo_badge(k, &is, status_url, i_revoked, "Badge révoqué", &err))) goto fail;
    if (!(list = credential_status_list_new(status_url, &is, NULL, l, &err)) || !proof_add(list, k, NULL, NULL, &err))
        goto fail;
    credential_clr c = {.issuer = is, .name = "Passeport numérique — export", .recipient_email = "agent@demo.passport.test",
                        .badges = &good, .nbadges = 1};
    if (!(clr = credential_clr_new(&c, &err)) || !proof_add(clr, k, NULL, NULL, &err)) goto fail;
    if (!write_json(out, "badge.json", good, &err) || !write_json(out, "badge-revoked.json", revoked, &err) ||
        !write_json(out, "status-list.json", list, &err) || !write_json(out, "clr.json", clr, &err))
        goto fail;
    printf("%s\n", did);
    rc = 0;
fail:
    if (rc) fprintf(stderr, "passport vc-demo: %s\n", err.msg);
    json_decref(good);
    json_decref(revoked);
    json_decref(list);
    json_decref(clr);
    free(did);
    statuslist_free(l);
    keys_free(k);
    return rc;
}
