/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport keys new|list|rotate|bench-sign`: the issuer's Ed25519 keys in DATA/keys
 * (folder 0700, PEM files 0600). The newest key signs; older ones keep verifying. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badges/credential.h"
#include "badges/keyring.h"
#include "badges/proof.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/buf.h"
#include "core/clock.h"

static const char usage[] =
    "usage: passport keys new|list|rotate [--data DIR] [--public-url URL]\n"
    "       passport keys bench-sign [N] [--data DIR]\n"
    "  new         create a key (it signs from the next server start)\n"
    "  rotate      same as new, and says which key it replaces and what happens to the issuer and\n"
    "              status lists; old keys stay valid for verification and re-sign their own lists\n"
    "  list        every key: file, Multikey, did:key, and which one signs\n"
    "  bench-sign  signs N (default 2000) Open Badges credentials on one core, prints credentials/s\n"
    "A running server picks a new signing key up at its next start.\n";

static int bench_sign(const keys *k, int n) {
    char *did = keys_did(k);
    credential_alignment al = {"Protéger les données personnelles", "https://example.fr/c/4.2", "4.2", "CRCN", NULL};
    credential_badge b = {.issuer = {did, "Passport", "https://example.fr", NULL, NULL},
                          .valid_from = "2026-01-01T00:00:00Z",
                          .recipient_email = "agent@example.fr",
                          .salt = "0123456789abcdef",
                          .achievement_id = "https://example.fr/achievements/securite-numerique",
                          .achievement_name = "Sécurité numérique au quotidien",
                          .achievement_description = "Le titulaire sait repérer un hameçonnage.",
                          .criteria_narrative = "Réussir les cinq modules.",
                          .image_url = "https://example.fr/badges/images/securite-numerique.svg",
                          .achievement_type = "Badge",
                          .alignments = &al,
                          .nalignments = 1,
                          .status_list_url = "https://example.fr/status/1"};
    perr err = {{0}};
    uint64_t t0 = clock_mono_us();
    int done = 0;
    for (int i = 0; i < n; i++) {
        b.status_index = (size_t)i;
        json_t *doc = credential_badge_new(&b, &err);
        bool ok = doc && proof_add(doc, k, NULL, "2026-01-01T00:00:00Z", &err);
        json_decref(doc);
        if (!ok) break;
        done++;
    }
    double s = (double)(clock_mono_us() - t0) / 1e6;
    free(did);
    if (done < n) {
        fprintf(stderr, "passport keys bench-sign: %s\n", err.msg);
        return 1;
    }
    printf("signed %d credentials in %.3f s: %.0f credentials/s (one core)\n", n, s, n / s);
    return 0;
}

int cli_keys(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help || o.nargs < 1) {
        fputs(usage, o.help ? stdout : stderr);
        return o.help ? 0 : 2;
    }
    const char *cmd = o.args[0];
    buf dir = BUF_INIT;
    buf_printf(&dir, "%s/keys", o.data_dir);
    int rc = 1;
    perr err = {{0}};
    keyring *kr = NULL;
    if (!strcmp(cmd, "new") || !strcmp(cmd, "rotate")) {
        if (!cli_data_dir_ready(&o)) goto done;
        keyring *old = !strcmp(cmd, "rotate") ? keyring_load(buf_cstr(&dir), false, &err) : NULL;
        char *path = NULL;
        if (keyring_add(buf_cstr(&dir), &path, &err) && (kr = keyring_load(buf_cstr(&dir), false, &err))) {
            char *mk = keys_multikey(keyring_signing(kr));
            printf("new signing key %s (%s)\n", mk, path);
            if (old) {
                char *omk = keys_multikey(keyring_signing(old));
                printf("replaces %s, which stays valid for verification\n", omk);
                if (o.public_url && !strncmp(o.public_url, "https://", 8)) {
                    char *web = keyring_issuer_did(kr, o.public_url);
                    printf("issuer stays %s: from the next server start the new key signs new credentials and\n"
                           "re-signs every status list of %s; /.well-known/did.json lists both keys\n",
                           web, web);
                    free(web);
                } else {
                    printf("with the did:key issuer, from the next server start:\n"
                           "  new credentials name did:key:%s as issuer and go to a new status list\n"
                           "  credentials issued so far keep did:key:%s; their status lists stay signed by\n"
                           "  that key, which now signs nothing else: keep its file in %s\n",
                           mk, omk, buf_cstr(&dir));
                }
                free(omk);
            }
            free(mk);
            rc = 0;
        }
        free(path);
        keyring_free(old);
    } else if (!strcmp(cmd, "list")) {
        if ((kr = keyring_load(buf_cstr(&dir), false, &err))) {
            char *web = o.public_url ? keyring_issuer_did(kr, o.public_url) : NULL;
            if (web && strncmp(web, "did:web:", 8)) {
                free(web);
                web = NULL;
            }
            for (size_t i = 0; i < keyring_count(kr); i++) {
                char *did = keys_did(keyring_key(kr, i));
                printf("%s%s  %s  %s\n", i + 1 == keyring_count(kr) ? "* " : "  ", keyring_file(kr, i), did + 8, did);
                free(did);
            }
            if (web) printf("issuer: %s (did:web, every key listed in /.well-known/did.json)\n", web);
            else printf("issuer: did:key of the key marked *\n");
            free(web);
            rc = 0;
        }
    } else if (!strcmp(cmd, "bench-sign")) {
        int n = o.nargs > 1 ? atoi(o.args[1]) : 2000;
        if (n < 1) n = 2000;
        /* without a key in the data folder, a throw-away key in memory is enough */
        kr = keyring_load(buf_cstr(&dir), false, NULL);
        keys *tmp = kr ? NULL : keys_generate(&err);
        if (kr || tmp) rc = bench_sign(kr ? keyring_signing(kr) : tmp, n);
        keys_free(tmp);
    } else {
        fputs(usage, stderr);
        rc = 2;
    }
done:
    if (rc == 1 && err.msg[0]) fprintf(stderr, "passport keys: %s\n", err.msg);
    keyring_free(kr);
    buf_free(&dir);
    return rc;
}
