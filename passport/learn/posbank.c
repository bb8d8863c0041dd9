/* SPDX-License-Identifier: EUPL-1.2 */
/* Positioning item bank: reads the French files, then their English translations, item by
 * item ("## id", key lines, one question in the quiz syntax), and validates them. */
#include "learn/posbank.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/dirlist.h"
#include "learn/frontmatter.h"
#include "learn/irt.h"
#include "learn/library.h"
#include "learn/render.h"

#define POSBANK_MAX_FILE (1u << 20)
#define POSBANK_MAX_ID 64

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool valid_id(const char *s) {
    size_t n = strlen(s);
    if (!n || n > POSBANK_MAX_ID) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) return false;
    return true;
}

static void item_free(posbank_item *it) {
    free(it->id);
    free(it->code);
    free(it->file);
    quiz_free(it->fr);
    quiz_free(it->en);
    json_decref(it->view_fr);
    json_decref(it->view_en);
}

void posbank_free(posbank *b) {
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) item_free(&b->items[i]);
    free(b->items);
    for (size_t i = 0; i < b->ncodes; i++) free(b->codes[i]);
    free(b->codes);
    free(b);
}

size_t posbank_index(const posbank *b, const char *id) {
    for (size_t i = 0; b && id && i < b->n; i++)
        if (!strcmp(b->items[i].id, id)) return i;
    return SIZE_MAX;
}

const posbank_item *posbank_find(const posbank *b, const char *id) {
    size_t i = posbank_index(b, id);
    return i == SIZE_MAX ? NULL : &b->items[i];
}

size_t posbank_comp(const posbank *b, const char *code) {
    for (size_t i = 0; b && code && i < b->ncodes; i++)
        if (!strcmp(b->codes[i], code)) return i;
    return SIZE_MAX;
}

/* The answer-free view of the single question of q. */
static json_t *view_build(const char *id, const quiz *q) {
    static const char *const kinds[] = {[QUIZ_SINGLE] = "single", [QUIZ_MULTI] = "multi", [QUIZ_TEXT] = "text"};
    const quiz_question *qq = &q->questions[0];
    json_t *opts = json_array();
    for (size_t j = 0; j < qq->noptions; j++) {
        char value[24], oid[POSBANK_MAX_ID + 32];
        snprintf(value, sizeof value, "%zu", j + 1);
        snprintf(oid, sizeof oid, "%s-%zu", id, j + 1);
        char *html = render_inline(qq->options[j].text);
        json_array_append_new(opts, json_pack("{s:s, s:s, s:s}", "value", value, "id", oid, "html", html));
        free(html);
    }
    char *prompt = render_inline(qq->prompt);
    json_t *v = json_pack("{s:s, s:s, s:o}", "kind", kinds[qq->kind], "prompt_html", prompt, "options", opts);
    free(prompt);
    return v;
}

/* One item's text: the "## id" line at line `line`, then body[0..len). */
typedef struct raw_item {
    char *id;
    size_t line;
    const char *body;
    size_t len;
} raw_item;

/* Reads the key lines (level, discrimination, difficulty) at the start of r->body; returns
 * the offset of the question and the line where it starts. */
static size_t read_keys(const raw_item *r, const char *file, bool en, posbank_item *it, size_t *qline,
                        diag_list *d) {
    const char *s = r->body, *end = r->body + r->len;
    size_t line = r->line + 1;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl : end) - s);
        static const char *const keys[] = {"level", "discrimination", "difficulty"};
        int k = -1;
        for (int i = 0; i < 3; i++) {
            size_t kl = strlen(keys[i]);
            if (n > kl && !strncmp(s, keys[i], kl) && s[kl] == ':') k = i;
        }
        if (k < 0) break;
        size_t kl = strlen(keys[k]) + 1;
        char *v = xstrndup(s + kl, n - kl), *stop = NULL;
        errno = 0;
        double x = strtod(v, &stop);
        while (stop && (*stop == ' ' || *stop == '\t' || *stop == '\r')) stop++;
        bool num = stop && stop != v && !*stop && errno == 0 && isfinite(x);
        if (en) {
            /* the parameters are the French item's: an English copy of them is ignored */
        } else if (k == 0) {
            bool ok = num && x == floor(x) && x >= 1 && x <= 8;
            if (!ok) diag_add(d, file, line, "item %s: level must be a whole number 1-8", r->id);
            it->level = ok ? (int)x : -1;
        } else if (k == 1) {
            if (!num || x <= 0 || x > 4) diag_add(d, file, line, "item %s: discrimination must be a number in (0, 4]", r->id);
            else it->a = x, it->has_a = true;
        } else {
            if (!num || x < -8 || x > 8) diag_add(d, file, line, "item %s: difficulty must be a number in [-8, 8]", r->id);
            else it->b = x, it->has_b = true;
        }
        free(v);
        s += n + (nl != NULL);
        line++;
    }
    *qline = line;
    return (size_t)(s - r->body);
}

/* Splits body (from line body_line) into items; text before the first "## " heading other
 * than blank lines and one "# Title" is a problem. */
static raw_item *split_items(const char *body, size_t len, size_t body_line, const char *file, size_t *n,
                             diag_list *d) {
    raw_item *v = NULL;
    size_t cap = 0;
    *n = 0;
    const char *s = body, *end = body + len;
    size_t line = body_line;
    bool stray = false;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t ln = (size_t)((nl ? nl : end) - s);
        const char *next = s + ln + (nl != NULL);
        if (ln >= 3 && !strncmp(s, "## ", 3)) {
            if (*n) v[*n - 1].len = (size_t)(s - v[*n - 1].body);
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                v = xrealloc(v, cap * sizeof *v);
            }
            size_t a = 3, b = ln;
            while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r')) b--;
            v[(*n)++] = (raw_item){xstrndup(s + a, b - a), line, next, 0};
        } else if (!*n && !stray) {
            size_t k = 0;
            while (k < ln && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')) k++;
            bool title = ln >= 2 && s[0] == '#' && s[1] == ' ';
            if (k < ln && !title) {
                diag_add(d, file, line, "text before the first item: an item starts with a line \"## item-id\"");
                stray = true;
            }
        }
        s = next;
        line++;
    }
    if (*n) v[*n - 1].len = (size_t)(end - v[*n - 1].body);
    return v;
}

typedef struct loader {
    posbank *b;
    size_t cap;
    char **codes; /* known competency codes, sorted */
    size_t ncodes;
    diag_list *d;
} loader;

static bool code_known(const loader *l, const char *code) {
    return l->ncodes && bsearch(&code, l->codes, l->ncodes, sizeof *l->codes, cmp_str) != NULL;
}

/* Reads one file's text src[0..len) of language lang ("fr" or "en"); path names it. */
static void load_text(loader *l, const char *path, const char *lang, const buf *srcb) {
    const buf src = *srcb;
    perr err = {{0}};
    size_t fline = 1;
    frontmatter *fm = NULL;
    raw_item *raw = NULL;
    size_t nraw = 0;
    bool en = !strcmp(lang, "en");
    fm = frontmatter_parse(buf_cstr(&src), src.len, &fline, &err);
    if (!fm) {
        diag_add(l->d, path, fline, "%s", err.msg);
        goto done;
    }
    const char *code = frontmatter_str(fm, "competency"), *flang = frontmatter_str(fm, "lang");
    if (!code) {
        diag_add(l->d, path, 1, "missing \"competency: CRCN-x.y\" in the front matter");
        goto done;
    }
    if (!code_known(l, code)) {
        diag_add(l->d, path, frontmatter_line(fm, "competency", 1), "unknown competency %s (not in frameworks/*.csv)", code);
        goto done;
    }
    if (!flang || strcmp(flang, lang))
        diag_add(l->d, path, frontmatter_line(fm, "lang", 1), "lang must be %s in this folder", lang);
    raw = split_items(buf_cstr(&src) + fm->body_offset, src.len - fm->body_offset, fm->body_line, path, &nraw, l->d);
    if (!nraw) diag_add(l->d, path, 0, "no item: each item starts with a line \"## item-id\"");
    for (size_t i = 0; i < nraw; i++) {
        raw_item *r = &raw[i];
        size_t before = l->d->n, qline = 0;
        if (!valid_id(r->id)) {
            diag_add(l->d, path, r->line, "item id \"%s\": use 1-%d characters a-z, 0-9 and -", r->id, POSBANK_MAX_ID);
            continue;
        }
        posbank_item it = {0};
        size_t off = read_keys(r, path, en, &it, &qline, l->d);
        quiz *q = quiz_parse(r->body + off, r->len - off, qline, path, l->d);
        if (q->n > 1) diag_add(l->d, path, r->line, "item %s: an item holds exactly one question (%zu found)", r->id, q->n);
        size_t at = posbank_index(l->b, r->id);
        if (!en) {
            if (!it.level) diag_add(l->d, path, r->line, "item %s: missing \"level: N\" (1-8) under the heading", r->id);
            if (at != SIZE_MAX)
                diag_add(l->d, path, r->line, "duplicate item id %s (first at %s:%zu)", r->id, l->b->items[at].file,
                         l->b->items[at].line);
        } else if (at == SIZE_MAX) {
            diag_add(l->d, path, r->line, "English item %s has no French original (the same id in positioning/%s.md)", r->id,
                     code);
        } else if (strcmp(l->b->items[at].code, code)) {
            diag_add(l->d, path, r->line, "English item %s is about %s but its French original about %s", r->id, code,
                     l->b->items[at].code);
        } else if (l->b->items[at].en) {
            diag_add(l->d, path, r->line, "duplicate English item id %s", r->id);
        }
        if (l->d->n != before || q->n != 1) {
            quiz_free(q);
            continue;
        }
        if (en) {
            posbank_item *fr = &l->b->items[at];
            fr->en = q;
            fr->view_en = view_build(fr->id, q);
            continue;
        }
        if (l->b->n >= POSBANK_MAX_ITEMS) {
            diag_add(l->d, path, r->line, "too many items (at most %d)", POSBANK_MAX_ITEMS);
            quiz_free(q);
            break;
        }
        if (!it.has_a) it.a = IRT_DEFAULT_A;
        if (!it.has_b) it.b = irt_default_b(it.level);
        it.id = xstrdup(r->id);
        it.code = xstrdup(code);
        it.file = xstrdup(path);
        it.line = r->line;
        it.fr = q;
        it.view_fr = view_build(it.id, q);
        if (l->b->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 64;
            l->b->items = xrealloc(l->b->items, l->cap * sizeof *l->b->items);
        }
        l->b->items[l->b->n++] = it;
    }
done:
    for (size_t i = 0; i < nraw; i++) free(raw[i].id);
    free(raw);
    frontmatter_free(fm);
}

/* Reads one file of language lang ("fr" or "en"). */
static void load_file(loader *l, const char *path, const char *lang) {
    buf src = BUF_INIT;
    perr err = {{0}};
    if (!buf_read_file(&src, path, POSBANK_MAX_FILE, &err)) diag_add(l->d, path, 0, "%s", err.msg);
    else load_text(l, path, lang, &src);
    buf_free(&src);
}

/* Loads every file of folder (language lang). */
static void load_folder(loader *l, const char *folder, const char *lang) {
    size_t nf;
    char **files = dirlist(folder, false, ".md", &nf);
    buf path = BUF_INIT;
    for (size_t i = 0; i < nf; i++) {
        if (!strcasecmp(files[i], "README.md")) continue;
        buf_reset(&path);
        buf_printf(&path, "%s/%s", folder, files[i]);
        load_file(l, path.data, lang);
    }
    dirlist_free(files, nf);
    buf_free(&path);
}

/* The competences with items, sorted, and each item's index among them. */
static void index_codes(posbank *b) {
    for (size_t i = 0; i < b->n; i++) {
        if (posbank_comp(b, b->items[i].code) != SIZE_MAX) continue;
        b->codes = xrealloc(b->codes, (b->ncodes + 1) * sizeof *b->codes);
        b->codes[b->ncodes++] = xstrdup(b->items[i].code);
    }
    if (b->ncodes) qsort(b->codes, b->ncodes, sizeof *b->codes, cmp_str);
    for (size_t i = 0; i < b->n; i++) b->items[i].comp = posbank_comp(b, b->items[i].code);
}

posbank *posbank_parse(const char *src, size_t len, const char *file, char *const *codes, size_t ncodes, diag_list *d) {
    loader l = {xcalloc(1, sizeof(posbank)), 0, (char **)codes, ncodes, d};
    buf text = BUF_INIT;
    buf_append(&text, src, len);
    load_text(&l, file, "fr", &text);
    buf_free(&text);
    index_codes(l.b);
    return l.b;
}

posbank *posbank_load(const char *dir, diag_list *d) {
    diag_list local = DIAG_LIST_INIT;
    if (!d) d = &local;
    loader l = {xcalloc(1, sizeof(posbank)), 0, NULL, 0, d};
    buf folder = BUF_INIT;
    buf_printf(&folder, "%s/positioning", dir);
    struct stat st;
    if (stat(folder.data, &st) == 0 && S_ISDIR(st.st_mode)) {
        l.codes = library_competency_codes(dir, &l.ncodes, d);
        load_folder(&l, folder.data, "fr");
        buf_puts(&folder, "/en");
        load_folder(&l, folder.data, "en");
    }
    index_codes(l.b);
    for (size_t i = 0; i < l.ncodes; i++) free(l.codes[i]);
    free(l.codes);
    buf_free(&folder);
    diag_list_free(&local);
    return l.b;
}
