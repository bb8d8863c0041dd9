/* SPDX-License-Identifier: EUPL-1.2 */
/* `passport calibrate [OUTDIR]`: fits the positioning items' parameters from the answers
 * recorded in the database (learn/calibrate.h), prints the items that misfit, and writes
 * the parameters for review: OUTDIR/calibration.csv and a copy of the French bank files
 * with updated `discrimination:` / `difficulty:` lines. Never writes to the database nor
 * to the course folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/buf.h"
#include "learn/calibrate.h"
#include "learn/library.h"
#include "learn/posbank.h"

#define CALIBRATE_MIN_RESPONSES 30 /* an item with fewer keeps its parameters */
#define CALIBRATE_ROUNDS 15

static const char usage[] =
    "usage: passport calibrate [OUTDIR] [--data DIR] [--courses DIR]\n"
    "Fits the positioning items' discrimination and difficulty from the answers recorded so\n"
    "far (items with at least 30 answers), prints the items that misfit as file:line, and\n"
    "writes for review OUTDIR/calibration.csv and OUTDIR/positioning/<CODE>.md (copies of\n"
    "the French bank files with updated parameter lines). OUTDIR defaults to ./calibration.\n"
    "Nothing is written to the database or to the courses folder (docs/positioning.md).\n";

/* Reads the recorded answers of positioning tests as responses over b's items. */
static bool read_responses(store *s, const posbank *b, calib_response **out, size_t *n, size_t *npersons) {
    perr err = {{0}};
    store_query *st = store_stmt(s,
        "SELECT r.test_id, r.item_id, r.correct FROM positioning_responses r JOIN positioning_tests t ON t.id = r.test_id"
        " WHERE t.kind = 'positioning' ORDER BY r.test_id, r.position", &err);
    if (!st) {
        fprintf(stderr, "passport: %s\n", err.msg);
        return false;
    }
    size_t cap = 0;
    long long last = -1;
    *out = NULL;
    *n = *npersons = 0;
    int rc;
    while ((rc = store_step(st)) == STORE_ROW) {
        size_t item = posbank_index(b, store_col_text(st, 1));
        if (item == SIZE_MAX) continue; /* an item no longer in the bank */
        long long test = store_col_int64(st, 0);
        if (test != last) (*npersons)++, last = test;
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = (calib_response){*npersons - 1, item, store_col_int(st, 2) != 0};
    }
    store_done(st);
    if (rc != STORE_DONE) fprintf(stderr, "passport: database: %s\n", store_errmsg(s));
    return rc == STORE_DONE;
}

static bool is_key(const char *line, size_t n) {
    static const char *const keys[] = {"level:", "discrimination:", "difficulty:"};
    for (int i = 0; i < 3; i++)
        if (n >= strlen(keys[i]) && !strncmp(line, keys[i], strlen(keys[i]))) return true;
    return false;
}

/* Copies the bank file src to dst with the fitted items' parameter lines replaced. */
static bool copy_with_params(const posbank *b, const calib_item *items, const char *src, const char *dst) {
    FILE *in = fopen(src, "rb");
    if (!in) return false;
    buf text = BUF_INIT, out = BUF_INIT;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, in)) > 0) buf_append(&text, chunk, got);
    fclose(in);
    const char *s = buf_cstr(&text), *end = s + text.len;
    const calib_item *pending = NULL; /* a fitted item whose key lines are being read */
    bool in_keys = false;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl : end) - s), full = n + (nl != NULL);
        if (in_keys && is_key(s, n)) {
            if (!pending || !strncmp(s, "level:", 6)) buf_append(&out, s, full);
            s += full;
            continue;
        }
        if (in_keys && pending) buf_printf(&out, "discrimination: %.2f\ndifficulty: %.2f\n", pending->a, pending->b);
        in_keys = false;
        pending = NULL;
        buf_append(&out, s, full);
        if (n > 3 && !strncmp(s, "## ", 3)) {
            char id[80];
            size_t idn = n - 3 < sizeof id - 1 ? n - 3 : sizeof id - 1;
            memcpy(id, s + 3, idn);
            while (idn && (id[idn - 1] == ' ' || id[idn - 1] == '\r')) idn--;
            id[idn] = '\0';
            size_t i = posbank_index(b, id);
            in_keys = true;
            pending = i != SIZE_MAX && items[i].fitted ? &items[i] : NULL;
        }
        s += full;
    }
    if (in_keys && pending) buf_printf(&out, "discrimination: %.2f\ndifficulty: %.2f\n", pending->a, pending->b);
    FILE *f = fopen(dst, "wb");
    bool ok = f && fwrite(out.data ? out.data : "", 1, out.len, f) == out.len;
    if (f && fclose(f) != 0) ok = false;
    buf_free(&text);
    buf_free(&out);
    return ok;
}

static bool write_outputs(const posbank *b, const calib_item *items, const char *outdir) {
    buf p = BUF_INIT;
    buf_printf(&p, "%s/positioning", outdir);
    if ((mkdir(outdir, 0755) != 0 && errno != EEXIST) || (mkdir(p.data, 0755) != 0 && errno != EEXIST)) {
        fprintf(stderr, "passport: cannot create %s: %s\n", p.data, strerror(errno));
        buf_free(&p);
        return false;
    }
    buf_reset(&p);
    buf_printf(&p, "%s/calibration.csv", outdir);
    FILE *f = fopen(p.data, "wb");
    bool ok = f != NULL;
    if (f) {
        fputs("item,competency,level,responses,p_right,a,b,default_b,outfit,fitted,misfit\n", f);
        for (size_t i = 0; i < b->n; i++) {
            const calib_item *c = &items[i];
            fprintf(f, "%s,%s,%d,%zu,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d\n", b->items[i].id, b->items[i].code,
                    b->items[i].level, c->n, c->p_right, c->a, c->b, c->b0, c->outfit, c->fitted, c->misfit);
        }
        ok = fclose(f) == 0;
    }
    for (size_t i = 0; ok && i < b->n; i++) {
        bool first = true; /* each file once, at its first item */
        for (size_t j = 0; j < i && first; j++) first = strcmp(b->items[j].file, b->items[i].file) != 0;
        if (!first) continue;
        const char *base = strrchr(b->items[i].file, '/');
        buf_reset(&p);
        buf_printf(&p, "%s/positioning/%s", outdir, base ? base + 1 : b->items[i].file);
        ok = copy_with_params(b, items, b->items[i].file, p.data);
        if (!ok) fprintf(stderr, "passport: cannot write %s\n", p.data);
    }
    buf_free(&p);
    return ok;
}

int cli_calibrate(int argc, char **argv) {
    cli_opts o;
    if (!cli_opts_parse(argc, argv, &o)) return 2;
    if (o.help) {
        fputs(usage, stdout);
        return 0;
    }
    if (o.nargs > 1) {
        fputs(usage, stderr);
        return 2;
    }
    const char *outdir = o.nargs ? o.args[0] : "calibration";
    diag_list d = DIAG_LIST_INIT;
    posbank *b = posbank_load(o.courses_dir, &d);
    diag_print(&d, stderr); /* items with problems are left out (check-courses lists them) */
    diag_list_free(&d);
    store *s = cli_open_store(&o);
    calib_response *r = NULL;
    calib_item *items = NULL;
    size_t n = 0, npersons = 0;
    int rc = 1;
    if (!s || !read_responses(s, b, &r, &n, &npersons)) goto done;
    if (!b->n) {
        fprintf(stderr, "passport: no positioning item under %s/positioning\n", o.courses_dir);
        goto done;
    }
    items = xcalloc(b->n, sizeof *items);
    for (size_t i = 0; i < b->n; i++) items[i] = (calib_item){.a0 = b->items[i].a, .b0 = b->items[i].b, .comp = b->items[i].comp};
    if (!calibrate_items(items, b->n, r, n, npersons ? npersons : 1, b->ncodes, CALIBRATE_MIN_RESPONSES, CALIBRATE_ROUNDS))
        goto done;
    size_t fitted = 0, misfit = 0;
    for (size_t i = 0; i < b->n; i++) {
        const calib_item *c = &items[i];
        fitted += c->fitted;
        if (!c->misfit) continue;
        misfit++;
        printf("%s:%zu: item %s misfits: outfit %.2f, a %.2f, b %.2f (level %d expects about %.2f), %zu answers, %.0f %% right\n",
               b->items[i].file, b->items[i].line, b->items[i].id, c->outfit, c->a, c->b, b->items[i].level, c->b0, c->n,
               100 * c->p_right);
    }
    if (!write_outputs(b, items, outdir)) goto done;
    fprintf(stderr, "%zu answers from %zu tests; %zu of %zu items fitted (at least %d answers), %zu misfit;"
                    " parameters written to %s/calibration.csv and %s/positioning/ for review\n",
            n, npersons, fitted, b->n, CALIBRATE_MIN_RESPONSES, misfit, outdir, outdir);
    rc = 0;
done:
    free(r);
    free(items);
    store_free(s);
    posbank_free(b);
    return rc;
}
