/* SPDX-License-Identifier: EUPL-1.2 */
/* Issuer keys on disk (see keyring.h): loading, creation, DIDs and the did:web document. */
#include "badges/keyring.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/atomic_file.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"

struct keyring {
    keys **keys;
    char **files;
    char **mks;
    size_t n;
};

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

bool keyring_add(const char *dir, char **path, perr *err) {
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return perr_set(err, "cannot create %s: %s", dir, strerror(errno));
    chmod(dir, 0700);
    keys *k = keys_generate(err);
    if (!k) return false;
    char day[21], rnd[9];
    clock_iso8601(clock_now(), day);
    rand_hex(rnd, 4);
    /* the sequence number first: two keys made in the same second still sort in order */
    size_t seq = 1;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".pem") && e->d_name[0] != '.') seq++;
    }
    if (d) closedir(d);
    buf p = BUF_INIT;
    buf_printf(&p, "%s/key-%04zu-", dir, seq);
    for (const char *c = day; *c; c++)
        if (*c != '-' && *c != ':') buf_putc(&p, *c);
    buf_printf(&p, "-%s.pem", rnd);
    bool ok = keys_save_private(k, buf_cstr(&p), err);
    keys_free(k);
    if (ok && path) *path = buf_detach(&p);
    buf_free(&p);
    return ok;
}

/* Adds to kr every usable key file of dir, in name order. A file that does not load (empty
 * or truncated by a crash of an older version, damaged) and a temporary file a crash left
 * behind are skipped with a warning: the other keys keep working. */
static void load_dir(keyring *kr, const char *dir) {
    atomic_file_warn_leftovers(dir);
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 4, ".pem") || e->d_name[0] == '.') continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    kr->files = xcalloc(n + 1, sizeof *kr->files);
    kr->keys = xcalloc(n + 1, sizeof *kr->keys);
    kr->mks = xcalloc(n + 1, sizeof *kr->mks);
    for (size_t i = 0; i < n; i++) {
        buf p = BUF_INIT;
        buf_printf(&p, "%s/%s", dir, names[i]);
        free(names[i]);
        perr why = {{0}};
        keys *k = keys_load_private(buf_cstr(&p), &why);
        if (!k) {
            log_error("warning: issuer key %s ignored (it does not load: %s); the other keys keep working", buf_cstr(&p), why.msg);
            buf_free(&p);
            continue;
        }
        kr->files[kr->n] = buf_detach(&p);
        kr->keys[kr->n] = k;
        kr->mks[kr->n++] = keys_multikey(k);
    }
    free(names);
}

keyring *keyring_load(const char *dir, bool create, perr *err) {
    keyring *kr = xcalloc(1, sizeof *kr);
    load_dir(kr, dir);
    if (kr->n == 0) {
        if (!create) {
            perr_set(err, "no usable issuer key in %s (passport keys new)", dir);
            goto fail;
        }
        keyring_free(kr);
        kr = xcalloc(1, sizeof *kr);
        if (!keyring_add(dir, NULL, err)) goto fail;
        load_dir(kr, dir);
        if (kr->n == 0) {
            perr_set(err, "the new issuer key in %s does not load", dir);
            goto fail;
        }
    }
    return kr;
fail:
    keyring_free(kr);
    return NULL;
}

void keyring_free(keyring *kr) {
    if (!kr) return;
    for (size_t i = 0; i < kr->n; i++) {
        keys_free(kr->keys[i]);
        free(kr->mks[i]);
        free(kr->files[i]);
    }
    free(kr->keys);
    free(kr->mks);
    free(kr->files);
    free(kr);
}

size_t keyring_count(const keyring *kr) {
    return kr ? kr->n : 0;
}
const keys *keyring_key(const keyring *kr, size_t i) {
    return i < kr->n ? kr->keys[i] : NULL;
}
const char *keyring_file(const keyring *kr, size_t i) {
    return i < kr->n ? kr->files[i] : NULL;
}
const keys *keyring_signing(const keyring *kr) {
    return kr->n ? kr->keys[kr->n - 1] : NULL;
}

const keys *keyring_find(const keyring *kr, const char *mk) {
    for (size_t i = 0; mk && i < kr->n; i++)
        if (!strcmp(kr->mks[i], mk)) return kr->keys[i];
    return NULL;
}

char *keyring_issuer_did(const keyring *kr, const char *public_url) {
    if (public_url && !strncmp(public_url, "https://", 8)) {
        const char *h = public_url + 8;
        size_t n = strcspn(h, "/?#");
        buf b = BUF_INIT;
        buf_puts(&b, "did:web:");
        for (size_t i = 0; i < n; i++) {
            if (h[i] == ':') buf_puts(&b, "%3A");
            else buf_putc(&b, h[i]);
        }
        return buf_detach(&b);
    }
    return keys_did(keyring_signing(kr));
}

char *keyring_verification_method(const keyring *kr, const char *did) {
    if (!strncmp(did, "did:key:", 8)) return keys_verification_method(keyring_signing(kr));
    buf b = BUF_INIT;
    buf_printf(&b, "%s#%s", did, kr->mks[kr->n - 1]);
    return buf_detach(&b);
}

const keys *keyring_resolve(const keyring *kr, const char *web_did, const char *method) {
    if (!method) return NULL;
    const char *hash = strchr(method, '#');
    if (!hash) return NULL;
    if (!strncmp(method, "did:key:", 8)) {
        size_t n = (size_t)(hash - method) - 8;
        if (strlen(hash + 1) != n || strncmp(method + 8, hash + 1, n)) return NULL;
        return keyring_find(kr, hash + 1);
    }
    if (web_did && strlen(web_did) == (size_t)(hash - method) && !strncmp(method, web_did, (size_t)(hash - method)))
        return keyring_find(kr, hash + 1);
    return NULL;
}

json_t *keyring_did_document(const keyring *kr, const char *web_did) {
    json_t *vms = json_array(), *am = json_array();
    for (size_t i = 0; i < kr->n; i++) {
        buf id = BUF_INIT;
        buf_printf(&id, "%s#%s", web_did, kr->mks[i]);
        json_array_append_new(vms, json_pack("{s:s, s:s, s:s, s:s}", "id", buf_cstr(&id), "type", "Multikey",
                                             "controller", web_did, "publicKeyMultibase", kr->mks[i]));
        json_array_append_new(am, json_string(buf_cstr(&id)));
        buf_free(&id);
    }
    return json_pack("{s:[s,s], s:s, s:o, s:o}", "@context", "https://www.w3.org/ns/did/v1",
                     "https://w3id.org/security/multikey/v1", "id", web_did, "verificationMethod", vms,
                     "assertionMethod", am);
}
