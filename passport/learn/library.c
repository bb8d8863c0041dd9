/* SPDX-License-Identifier: EUPL-1.2 */
/* Course library loader: reads course folders, validates front matter, lessons and
 * quizzes, renders HTML once, and keeps the previous version of a course that fails. */
#include "learn/library.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/dirlist.h"
#include "core/rand.h"
#include "core/utf8.h"
#include "learn/frontmatter.h"
#include "learn/posbank.h"
#include "learn/render.h"

#define LIB_MAX_FILE (1024u * 1024u)
#define LIB_MAX_MODULES 200

/* Sorted competency codes from the frameworks' CSV files. */
typedef struct code_set {
    char **codes;
    size_t n;
    bool loaded;
} code_set;

/* What a module's URL rewriting needs. */
typedef struct link_ctx {
    const learn_course *course;
    const char *file;
    size_t line0; /* file line of the rendered text's first line, minus one */
    diag_list *d;
    char **md_files; /* module file names of the course, and their ids */
    char **md_ids;
    size_t nmd;
    bool bad;
} link_ctx;

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool is_regular(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

/* Reads the `code` column of every dir/frameworks/NAME.csv. */
static void codes_load(const char *dir, code_set *cs, diag_list *d) {
    buf fdir = BUF_INIT, path = BUF_INIT, data = BUF_INIT;
    buf_printf(&fdir, "%s/frameworks", dir);
    size_t nf;
    char **files = dirlist(fdir.data, false, ".csv", &nf);
    size_t cap = 0;
    for (size_t i = 0; i < nf; i++) {
        buf_reset(&path);
        buf_reset(&data);
        buf_printf(&path, "%s/%s", fdir.data, files[i]);
        perr err = {{0}};
        if (!buf_read_file(&data, path.data, LIB_MAX_FILE, &err)) continue;
        csv_reader *r = csv_reader_new(buf_cstr(&data), data.len, CSV_SEP_AUTO);
        size_t nfields, line, col = (size_t)-1;
        const char *const *fields;
        while (csv_next(r, &nfields, &fields, &line, &err)) {
            if (col == (size_t)-1) {
                for (size_t c = 0; c < nfields; c++)
                    if (!strcmp(fields[c], "code")) col = c;
                if (col == (size_t)-1) break;
                continue;
            }
            if (col >= nfields || !*fields[col]) continue;
            if (cs->n == cap) {
                cap = cap ? cap * 2 : 64;
                cs->codes = xrealloc(cs->codes, cap * sizeof *cs->codes);
            }
            cs->codes[cs->n++] = xstrdup(fields[col]);
        }
        if (err.msg[0]) diag_add(d, path.data, 0, "%s", err.msg);
        csv_reader_free(r);
        cs->loaded = true;
    }
    dirlist_free(files, nf);
    if (cs->n) qsort(cs->codes, cs->n, sizeof *cs->codes, cmp_str);
    buf_free(&fdir);
    buf_free(&path);
    buf_free(&data);
}

static bool code_known(const code_set *cs, const char *code) {
    return bsearch(&code, cs->codes, cs->n, sizeof *cs->codes, cmp_str) != NULL;
}

bool library_asset_type(const char *name, const char **mime) {
    static const char *const types[][2] = {
        {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"},
        {".gif", "image/gif"}, {".webp", "image/webp"}, {".svg", "image/svg+xml"},
    };
    if (!name || !*name || name[0] == '.' || strchr(name, '/') || strchr(name, '\\') || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t a = strlen(name), b = strlen(types[i][0]);
        if (a > b && !strcasecmp(name + a - b, types[i][0])) {
            if (mime) *mime = types[i][1];
            return true;
        }
    }
    return false;
}

static bool has_scheme(const char *url) {
    const char *p = url;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return false;
    while (*p && *p != ':' && *p != '/' && *p != '?' && *p != '#') p++;
    return *p == ':';
}

/* Rewrites a relative link or image to the course's asset URL (or a module's page for a
 * link to a sibling .md file), reporting targets that are missing or not allowed. */
static bool rewrite_url(void *vctx, const char *url, bool image, size_t line, buf *out) {
    link_ctx *c = vctx;
    size_t fline = c->line0 + line;
    if (!*url || *url == '#' || *url == '/' || has_scheme(url)) return false;
    size_t n = strcspn(url, "?#");
    char *rel = xstrndup(url, n);
    char *p = rel;
    while (!strncmp(p, "./", 2)) p += 2;
    bool ok = true;
    /* at most one sub-folder; each segment a safe name */
    char *slash = strchr(p, '/');
    if (!*p || strstr(p, "..") || strchr(p, '\\') || (slash && (slash == p || strchr(slash + 1, '/') || slash[1] == '.')) ||
        p[0] == '.') {
        diag_add(c->d, c->file, fline, "%s \"%s\" must stay inside the course folder (a file or one sub-folder, no \"..\")",
                 image ? "image" : "link", url);
        ok = false;
        goto done;
    }
    buf path = BUF_INIT;
    buf_printf(&path, "%s/%s", c->course->dir, p);
    bool exists = is_regular(path.data);
    buf_free(&path);
    if (!exists) {
        diag_add(c->d, c->file, fline, "broken relative %s: \"%s\" does not exist in the course folder",
                 image ? "image" : "link", url);
        ok = false;
        goto done;
    }
    if (!image && ends_with(p, ".md") && !slash) {
        for (size_t i = 0; i < c->nmd; i++)
            if (!strcmp(c->md_files[i], p)) {
                buf_puts(out, "/modules/");
                buf_put_urlenc(out, c->md_ids[i], strlen(c->md_ids[i]));
                buf_puts(out, url + n);
                goto done;
            }
        if (!strcmp(p, "course.md")) {
            buf_puts(out, "/courses/");
            buf_put_urlenc(out, c->course->slug, strlen(c->course->slug));
            goto done;
        }
    }
    const char *base = slash ? slash + 1 : p;
    if (!library_asset_type(base, NULL)) {
        diag_add(c->d, c->file, fline, "%s \"%s\": only png, jpg, jpeg, gif, webp and svg files are served",
                 image ? "image" : "link", url);
        ok = false;
        goto done;
    }
    buf_puts(out, "/courses/");
    buf_put_urlenc(out, c->course->slug, strlen(c->course->slug));
    buf_puts(out, "/assets/");
    if (slash) {
        buf_put_urlenc(out, p, (size_t)(slash - p));
        buf_putc(out, '/');
    }
    buf_put_urlenc(out, base, strlen(base));
done:
    free(rel);
    if (!ok) c->bad = true;
    return ok && out->len > 0;
}

static void module_free(learn_module *m) {
    if (!m) return;
    if (m->quiz && m->qhtml) {
        for (size_t i = 0; i < m->quiz->n; i++) {
            free(m->qhtml[i].prompt);
            for (size_t j = 0; j < m->quiz->questions[i].noptions; j++) free(m->qhtml[i].options[j]);
            free(m->qhtml[i].options);
            free(m->qhtml[i].explanation);
        }
    }
    free(m->qhtml);
    json_decref(m->quiz_view);
    quiz_free(m->quiz);
    for (size_t i = 0; i < m->ncomps; i++) free(m->comps[i].code);
    free(m->comps);
    free(m->id);
    free(m->title);
    free(m->lang);
    free(m->translation_of);
    free(m->file);
    json_decref(m->lesson_html);
    free(m->lesson_text);
    free(m);
}

static void course_free(learn_course *c) {
    if (!c) return;
    for (size_t i = 0; i < c->nmodules; i++) module_free(c->modules[i]);
    free(c->modules);
    free(c->slug);
    free(c->dir);
    free(c->title);
    free(c->lang);
    free(c->summary);
    free(c->badge);
    free(c->translation_of);
    free(c->intro_html);
    free(c);
}

static void course_release(learn_course *c) {
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) course_free(c);
}

static bool valid_id(const char *s) {
    if (!*s || strlen(s) > 80) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) return false;
    return true;
}

/* A required non-empty text of the front matter; reports when missing. */
static const char *need_str(const frontmatter *fm, const char *key, const char *file, diag_list *d) {
    const fm_entry *e = frontmatter_get(fm, key);
    if (!e) {
        diag_add(d, file, 1, "missing \"%s\" in the front matter", key);
        return NULL;
    }
    if (!e->value || !*e->value) {
        diag_add(d, file, e->line, "\"%s\" must be a non-empty text", key);
        return NULL;
    }
    return e->value;
}

static const char *check_lang(const frontmatter *fm, const char *file, diag_list *d) {
    const char *lang = need_str(fm, "lang", file, d);
    if (lang && strcmp(lang, "fr") && strcmp(lang, "en")) {
        diag_add(d, file, frontmatter_line(fm, "lang", 2), "lang must be fr or en, not \"%s\"", lang);
        return NULL;
    }
    return lang;
}

/* Parses "CODE@LEVEL" items. */
static void parse_competencies(learn_module *m, const frontmatter *fm, const code_set *cs, const char *file,
                               diag_list *d) {
    const fm_entry *e = frontmatter_get(fm, "competencies");
    if (!e) {
        diag_add(d, file, 1, "missing \"competencies\" in the front matter (e.g. [CRCN-4.1@2])");
        return;
    }
    if (e->value || e->nitems == 0) {
        diag_add(d, file, e->line, "competencies must be a non-empty list such as [CRCN-4.1@2]");
        return;
    }
    m->comps = xcalloc(e->nitems, sizeof *m->comps);
    for (size_t i = 0; i < e->nitems; i++) {
        const char *it = e->items[i], *at = strrchr(it, '@');
        if (!at || at == it) {
            diag_add(d, file, e->line, "competency \"%s\" must read CODE@LEVEL, e.g. CRCN-4.1@2", it);
            continue;
        }
        char *end = NULL;
        long level = strtol(at + 1, &end, 10);
        char *code = xstrndup(it, (size_t)(at - it));
        if (!at[1] || *end || level < 1 || level > 8) {
            diag_add(d, file, e->line, "level of \"%s\" must be a whole number from 1 to 8", it);
            free(code);
            continue;
        }
        if (cs->loaded && !code_known(cs, code)) {
            diag_add(d, file, e->line, "unknown competency code \"%s\"", code);
            free(code);
            continue;
        }
        for (size_t j = 0; j < m->ncomps; j++)
            if (!strcmp(m->comps[j].code, code)) {
                diag_add(d, file, e->line, "competency \"%s\" is listed twice", code);
                free(code);
                code = NULL;
                break;
            }
        if (code) m->comps[m->ncomps++] = (learn_competency){code, (int)level};
    }
}

/* Finds the "## Quiz" heading line outside fenced code; returns its offset in body or
 * (size_t)-1, and its 0-based line index in *qline. */
static size_t find_quiz(const char *body, size_t len, size_t *qline) {
    size_t off = 0, line = 0, found = (size_t)-1;
    bool fence = false;
    while (off < len) {
        const char *nl = memchr(body + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (body + off)) : len - off;
        const char *s = body + off;
        size_t t = n;
        while (t && (s[t - 1] == ' ' || s[t - 1] == '\r' || s[t - 1] == '\t')) t--;
        if (t >= 3 && (!strncmp(s, "```", 3) || !strncmp(s, "~~~", 3))) fence = !fence;
        else if (!fence && t == 7 && !strncmp(s, "## Quiz", 7)) {
            found = off;
            *qline = line;
        }
        off += n + (nl != NULL);
        line++;
    }
    return found;
}

/* Pass 1: reads a module file's front matter; NULL when it cannot be used. */
static learn_module *module_read(const char *path, const code_set *cs, diag_list *d, buf *src) {
    perr err = {{0}};
    size_t line = 0;
    buf_reset(src);
    if (!buf_read_file(src, path, LIB_MAX_FILE, &err)) {
        diag_add(d, path, 0, "%s", err.msg);
        return NULL;
    }
    size_t bad;
    if (!utf8_check(buf_cstr(src), src->len, &bad)) {
        size_t l = 1;
        for (size_t i = 0; i < bad; i++) l += src->data[i] == '\n';
        diag_add(d, path, l, "invalid UTF-8");
        return NULL;
    }
    frontmatter *fm = frontmatter_parse(buf_cstr(src), src->len, &line, &err);
    if (!fm) {
        diag_add(d, path, line, "%s", err.msg);
        return NULL;
    }
    learn_module *m = xcalloc(1, sizeof *m);
    size_t before = d->n;
    m->file = xstrdup(path);
    rand_sha256_hex(buf_cstr(src), src->len, m->hash);
    const char *id = need_str(fm, "id", path, d);
    if (id && !valid_id(id)) diag_add(d, path, frontmatter_line(fm, "id", 2), "id \"%s\" may only hold a-z, 0-9 and -", id);
    m->id = xstrdup(id ? id : "");
    const char *title = need_str(fm, "title", path, d);
    m->title = xstrdup(title ? title : "");
    const char *lang = check_lang(fm, path, d);
    m->lang = xstrdup(lang ? lang : "fr");
    const char *tr = frontmatter_str(fm, "translation_of");
    m->translation_of = tr && *tr ? xstrdup(tr) : NULL;
    const char *minutes = need_str(fm, "minutes", path, d);
    if (minutes) {
        char *end;
        long v = strtol(minutes, &end, 10);
        if (*end || v < 3 || v > 15)
            diag_add(d, path, frontmatter_line(fm, "minutes", 2), "minutes must be a whole number from 3 to 15, not \"%s\"", minutes);
        else m->minutes = (int)v;
    }
    const char *pass = need_str(fm, "pass", path, d);
    if (pass) {
        char *end;
        double v = strtod(pass, &end);
        if (*end || !(v > 0.0 && v <= 1.0))
            diag_add(d, path, frontmatter_line(fm, "pass", 2), "pass must be a number above 0 and at most 1 (e.g. 0.8), not \"%s\"", pass);
        else m->pass = v;
    }
    parse_competencies(m, fm, cs, path, d);
    policy_read(fm, path, &m->policy, d);
    /* keep the body only: the caller renders it in pass 2 */
    size_t off = fm->body_offset;
    m->position = fm->body_line; /* temporarily: the body's first line */
    buf body = BUF_INIT;
    buf_append(&body, buf_cstr(src) + off, src->len - off);
    buf_reset(src);
    buf_append(src, buf_cstr(&body), body.len);
    buf_free(&body);
    frontmatter_free(fm);
    (void)before; /* problems make the course fail; the body is still checked */
    return m;
}

/* Writes v in decimal at o, NUL-terminated; returns the end (the NUL). snprintf's
 * format parsing cost 2 % of a cold start's instructions here (25 numbers a module). */
static char *put_count(char *o, size_t v) {
    char rev[24];
    size_t n = 0;
    do rev[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n) *o++ = rev[--n];
    *o = '\0';
    return o;
}

/* The answer-free view of m's quiz (see learn_module.quiz_view). The HTML was produced
 * by cmark from validated UTF-8, so strings are not checked again. */
static json_t *quiz_view_build(const learn_module *m) {
    static const char *const kinds[] = {[QUIZ_SINGLE] = "single", [QUIZ_MULTI] = "multi", [QUIZ_TEXT] = "text"};
    json_t *qs = json_array();
    for (size_t i = 0; i < m->quiz->n; i++) {
        const quiz_question *qq = &m->quiz->questions[i];
        char name[24] = "q";
        char *name_end = put_count(name + 1, i + 1);
        json_t *opts = json_array();
        for (size_t j = 0; j < qq->noptions; j++) {
            char value[24], id[56];
            put_count(value, j + 1);
            memcpy(id, name, (size_t)(name_end - name));
            id[name_end - name] = '-';
            put_count(id + (name_end - name) + 1, j + 1); /* "q3-2" */
            json_t *o = json_object();
            json_object_set_new_nocheck(o, "value", json_string_nocheck(value));
            json_object_set_new_nocheck(o, "id", json_string_nocheck(id));
            json_object_set_new_nocheck(o, "html", json_string_nocheck(m->qhtml[i].options[j]));
            json_array_append_new(opts, o);
        }
        json_t *q = json_object();
        json_object_set_new_nocheck(q, "name", json_string_nocheck(name));
        json_object_set_new_nocheck(q, "number", json_integer((json_int_t)(i + 1)));
        json_object_set_new_nocheck(q, "kind", json_string_nocheck(kinds[qq->kind]));
        json_object_set_new_nocheck(q, "prompt_html", json_string_nocheck(m->qhtml[i].prompt));
        /* the author already wrote "(plusieurs réponses)": the page does not add its hint */
        if (qq->kind == QUIZ_MULTI)
            json_object_set_new_nocheck(q, "prompt_says_multi",
                                        json_boolean(strstr(m->qhtml[i].prompt, "plusieurs réponses") ||
                                                     strstr(m->qhtml[i].prompt, "several answers")));
        json_object_set_new_nocheck(q, "options", opts);
        json_array_append_new(qs, q);
    }
    return qs;
}

/* Pass 2: renders the lesson and parses the quiz of body (starting at line body_line). */
static bool module_render(learn_module *m, const char *body, size_t len, size_t body_line, link_ctx *lc,
                          diag_list *d) {
    size_t before = d->n, qline = 0;
    size_t q = find_quiz(body, len, &qline);
    bool has_quiz = q != (size_t)-1;
    if (!has_quiz) {
        diag_add(d, m->file, 0, "module without a quiz: add a \"## Quiz\" section at the end");
        q = len; /* still check the lesson's links */
    }
    lc->file = m->file;
    lc->line0 = body_line - 1;
    char *lesson = render_markdown(body, q, true, rewrite_url, lc);
    m->lesson_html = json_string_nocheck(lesson); /* cmark's output of validated UTF-8 */
    free(lesson);
    m->lesson_text = xstrndup(body, q);
    if (!has_quiz) return false;
    const char *qs = memchr(body + q, '\n', len - q);
    size_t qoff = qs ? (size_t)(qs + 1 - body) : len;
    m->quiz = quiz_parse(body + qoff, len - qoff, body_line + qline + 1, m->file, d);
    if (m->policy.draw > m->quiz->n)
        diag_add(d, m->file, m->policy.draw_line, "draw: %zu but the quiz holds only %zu question(s): the bank must be at least as large as the draw",
                 m->policy.draw, m->quiz->n);
    m->qhtml = xcalloc(m->quiz->n ? m->quiz->n : 1, sizeof *m->qhtml);
    for (size_t i = 0; i < m->quiz->n; i++) {
        const quiz_question *qq = &m->quiz->questions[i];
        m->qhtml[i].prompt = render_inline(qq->prompt);
        m->qhtml[i].options = xcalloc(qq->noptions ? qq->noptions : 1, sizeof(char *));
        for (size_t j = 0; j < qq->noptions; j++) m->qhtml[i].options[j] = render_inline(qq->options[j].text);
        m->qhtml[i].explanation = qq->explanation ? render_inline(qq->explanation) : NULL;
    }
    m->quiz_view = quiz_view_build(m);
    return d->n == before;
}

/* Loads one course folder; NULL (problems in d) when anything is wrong. */
static learn_course *course_load(const char *dir, const char *slug, const code_set *cs, diag_list *d) {
    buf path = BUF_INIT, src = BUF_INIT, hashes = BUF_INIT;
    size_t before = d->n, nf = 0;
    perr err = {{0}};
    learn_course *c = xcalloc(1, sizeof *c);
    link_ctx lc = {0};
    buf *bodies = NULL;
    size_t *body_lines = NULL;
    c->slug = xstrdup(slug);
    buf_printf(&path, "%s/%s", dir, slug);
    c->dir = xstrdup(path.data);
    char **files = dirlist(c->dir, false, NULL, &nf);
    buf_printf(&path, "/course.md");
    if (!valid_id(slug)) diag_add(d, c->dir, 0, "course folder names may only hold a-z, 0-9 and -");
    if (!buf_read_file(&src, path.data, LIB_MAX_FILE, &err)) {
        diag_add(d, path.data, 0, "every course folder needs a course.md (%s)", err.msg);
        goto fail;
    }
    {
        size_t line = 0;
        frontmatter *fm = frontmatter_parse(buf_cstr(&src), src.len, &line, &err);
        if (!fm) {
            diag_add(d, path.data, line, "%s", err.msg);
            goto fail;
        }
        const char *title = need_str(fm, "title", path.data, d);
        const char *lang = check_lang(fm, path.data, d);
        const char *summary = need_str(fm, "summary", path.data, d);
        const char *badge = frontmatter_str(fm, "badge"), *tr = frontmatter_str(fm, "translation_of");
        c->title = xstrdup(title ? title : "");
        c->lang = xstrdup(lang ? lang : "fr");
        c->summary = xstrdup(summary ? summary : "");
        c->translation_of = tr && *tr ? xstrdup(tr) : NULL;
        if (badge && *badge) {
            buf b = BUF_INIT;
            buf_printf(&b, "%s/badges/%s.yaml", dir, badge);
            if (!valid_id(badge) || !is_regular(b.data))
                diag_add(d, path.data, frontmatter_line(fm, "badge", 2), "badge \"%s\": no file badges/%s.yaml", badge, badge);
            c->badge = xstrdup(badge);
            buf_free(&b);
        }
        lc.course = c;
        lc.d = d;
        lc.file = path.data;
        lc.line0 = fm->body_line - 1;
        c->intro_html = render_markdown(buf_cstr(&src) + fm->body_offset, src.len - fm->body_offset, false,
                                        rewrite_url, &lc);
        char h[65];
        rand_sha256_hex(buf_cstr(&src), src.len, h);
        buf_puts(&hashes, h);
        frontmatter_free(fm);
    }
    /* pass 1: front matter of every module */
    c->modules = xcalloc(nf ? nf : 1, sizeof *c->modules);
    bodies = xcalloc(nf ? nf : 1, sizeof *bodies);
    body_lines = xcalloc(nf ? nf : 1, sizeof *body_lines);
    lc.md_files = xcalloc(nf ? nf : 1, sizeof(char *));
    lc.md_ids = xcalloc(nf ? nf : 1, sizeof(char *));
    for (size_t i = 0; i < nf; i++) {
        if (!ends_with(files[i], ".md") || !strcmp(files[i], "course.md") || !strcasecmp(files[i], "README.md")) continue;
        if (c->nmodules >= LIB_MAX_MODULES) {
            diag_add(d, c->dir, 0, "too many modules (at most %d)", LIB_MAX_MODULES);
            break;
        }
        buf_reset(&path);
        buf_printf(&path, "%s/%s", c->dir, files[i]);
        buf mb = BUF_INIT;
        learn_module *m = module_read(path.data, cs, d, &mb);
        if (!m) {
            buf_free(&mb);
            continue;
        }
        for (size_t j = 0; j < c->nmodules; j++)
            if (!strcmp(c->modules[j]->id, m->id))
                diag_add(d, m->file, 2, "duplicate id \"%s\" (also in %s)", m->id, c->modules[j]->file);
        if (strcmp(m->lang, c->lang))
            diag_add(d, m->file, 0, "module language %s differs from the course's (%s)", m->lang, c->lang);
        body_lines[c->nmodules] = m->position;
        bodies[c->nmodules] = mb;
        lc.md_files[c->nmodules] = files[i];
        lc.md_ids[c->nmodules] = m->id;
        m->position = c->nmodules;
        m->course = c;
        c->modules[c->nmodules++] = m;
        buf_puts(&hashes, m->hash);
    }
    lc.nmd = c->nmodules;
    if (c->nmodules == 0 && d->n == before) diag_add(d, c->dir, 0, "the course has no module (files NN-name.md)");
    /* pass 2: lessons and quizzes */
    for (size_t i = 0; i < c->nmodules; i++) {
        learn_module *m = c->modules[i];
        module_render(m, buf_cstr(&bodies[i]), bodies[i].len, body_lines[i], &lc, d);
        c->minutes += m->minutes;
    }
    rand_sha256_hex(buf_cstr(&hashes), hashes.len, c->hash);
    if (d->n > before) goto fail;
    for (size_t i = 0; i < c->nmodules; i++) buf_free(&bodies[i]);
    free(bodies);
    free(body_lines);
    free(lc.md_files);
    free(lc.md_ids);
    dirlist_free(files, nf);
    buf_free(&path);
    buf_free(&src);
    buf_free(&hashes);
    atomic_init(&c->refs, 1);
    return c;
fail:
    for (size_t i = 0; bodies && i < c->nmodules; i++) buf_free(&bodies[i]);
    free(bodies);
    free(body_lines);
    free(lc.md_files);
    free(lc.md_ids);
    dirlist_free(files, nf);
    buf_free(&path);
    buf_free(&src);
    buf_free(&hashes);
    course_free(c);
    return NULL;
}

static int cmp_module(const void *x, const void *y) {
    return strcmp((*(learn_module *const *)x)->id, (*(learn_module *const *)y)->id);
}

/* Adds c (already referenced for lib) unless one of its module ids is taken. */
static bool library_add(learn_library *lib, learn_course *c, diag_list *d, size_t *cap_c, size_t *cap_i) {
    for (size_t i = 0; i < c->nmodules; i++)
        for (size_t j = 0; j < lib->nindex; j++)
            if (!strcmp(lib->index[j]->id, c->modules[i]->id)) {
                diag_add(d, c->modules[i]->file, 2, "duplicate id \"%s\" (also in %s)", c->modules[i]->id,
                         lib->index[j]->file);
                return false;
            }
    if (lib->ncourses == *cap_c) {
        *cap_c = *cap_c ? *cap_c * 2 : 16;
        lib->courses = xrealloc(lib->courses, *cap_c * sizeof *lib->courses);
    }
    lib->courses[lib->ncourses++] = c;
    for (size_t i = 0; i < c->nmodules; i++) {
        if (lib->nindex == *cap_i) {
            *cap_i = *cap_i ? *cap_i * 2 : 64;
            lib->index = xrealloc(lib->index, *cap_i * sizeof *lib->index);
        }
        lib->index[lib->nindex++] = c->modules[i];
    }
    return true;
}

/* Reports translation_of values that name no loaded course or module (warnings only:
 * the original may be in a course that failed). */
static void check_translations(const learn_library *lib, diag_list *d) {
    for (size_t i = 0; i < lib->ncourses; i++) {
        const learn_course *c = lib->courses[i];
        if (c->translation_of && !library_course(lib, c->translation_of)) {
            buf p = BUF_INIT;
            buf_printf(&p, "%s/course.md", c->dir);
            diag_add(d, p.data, 0, "translation_of \"%s\": no such course folder", c->translation_of);
            buf_free(&p);
        }
        for (size_t j = 0; j < c->nmodules; j++) {
            const learn_module *m = c->modules[j];
            if (m->translation_of && !library_module(lib, m->translation_of))
                diag_add(d, m->file, 0, "translation_of \"%s\": no module has this id", m->translation_of);
        }
    }
}

learn_library *library_load(const char *dir, const learn_library *prev, diag_list *d) {
    diag_list local = DIAG_LIST_INIT;
    if (!d) d = &local;
    learn_library *lib = xcalloc(1, sizeof *lib);
    atomic_init(&lib->refs, 1);
    lib->dir = xstrdup(dir);
    if (prev) memcpy(lib->nonce_key, prev->nonce_key, sizeof lib->nonce_key);
    else rand_bytes(lib->nonce_key, sizeof lib->nonce_key);
    code_set cs = {0};
    size_t nd = 0, cap_c = 0, cap_i = 0;
    char **dirs = dirlist(dir, true, NULL, &nd);
    if (!dirs && nd == 0) {
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) diag_add(d, dir, 0, "cannot open the courses folder");
    }
    codes_load(dir, &cs, d);
    if (!cs.loaded && nd) diag_add(d, dir, 0, "no frameworks/*.csv: competency codes cannot be checked");
    for (size_t i = 0; i < nd; i++) {
        if (!strcmp(dirs[i], "frameworks") || !strcmp(dirs[i], "badges") || !strcmp(dirs[i], "positioning")) continue;
        learn_course *c = course_load(dir, dirs[i], &cs, d);
        if (c && !library_add(lib, c, d, &cap_c, &cap_i)) {
            course_release(c);
            c = NULL;
        }
        const learn_course *old = c ? NULL : library_course(prev, dirs[i]);
        if (old) {
            learn_course *keep = (learn_course *)old;
            atomic_fetch_add(&keep->refs, 1);
            if (!library_add(lib, keep, d, &cap_c, &cap_i)) course_release(keep);
        }
    }
    if (lib->nindex) qsort(lib->index, lib->nindex, sizeof *lib->index, cmp_module);
    check_translations(lib, d);
    lib->bank = posbank_load(dir, d);
    dirlist_free(dirs, nd);
    dirlist_free(cs.codes, cs.n);
    diag_list_free(&local);
    return lib;
}

learn_library *library_retain(learn_library *lib) {
    if (lib) atomic_fetch_add(&lib->refs, 1);
    return lib;
}

void library_release(learn_library *lib) {
    if (!lib || atomic_fetch_sub(&lib->refs, 1) != 1) return;
    for (size_t i = 0; i < lib->ncourses; i++) course_release(lib->courses[i]);
    posbank_free(lib->bank);
    free(lib->courses);
    free(lib->index);
    free(lib->dir);
    free(lib);
}

const learn_module *library_module(const learn_library *lib, const char *id) {
    if (!lib || !id || !lib->nindex) return NULL;
    learn_module key = {0}, *kp = &key;
    key.id = (char *)id;
    learn_module **hit = bsearch(&kp, lib->index, lib->nindex, sizeof *lib->index, cmp_module);
    return hit ? *hit : NULL;
}

size_t library_copies(const learn_library *lib, const learn_module *m, const char *ids[LIBRARY_COPIES_MAX]) {
    const char *root = m->translation_of ? m->translation_of : m->id;
    size_t n = 0;
    ids[n++] = m->id;
    if (strcmp(root, m->id)) ids[n++] = root; /* counted even when the original failed to load */
    for (size_t i = 0; lib && i < lib->nindex && n < LIBRARY_COPIES_MAX; i++) {
        const learn_module *x = lib->index[i];
        if (x->translation_of && !strcmp(x->translation_of, root) && strcmp(x->id, m->id)) ids[n++] = x->id;
    }
    return n;
}

const learn_course *library_course(const learn_library *lib, const char *slug) {
    for (size_t i = 0; lib && slug && i < lib->ncourses; i++)
        if (!strcmp(lib->courses[i]->slug, slug)) return lib->courses[i];
    return NULL;
}

char **library_competency_codes(const char *dir, size_t *n, diag_list *d) {
    code_set cs = {0};
    codes_load(dir, &cs, d);
    *n = cs.n;
    return cs.codes;
}

void library_hash(const learn_library *lib, char out[65]) {
    buf b = BUF_INIT;
    for (size_t i = 0; i < lib->ncourses; i++) buf_printf(&b, "%s %s\n", lib->courses[i]->slug, lib->courses[i]->hash);
    rand_sha256_hex(buf_cstr(&b), b.len, out);
    buf_free(&b);
}
