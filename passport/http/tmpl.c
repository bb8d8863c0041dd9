/* SPDX-License-Identifier: EUPL-1.2 */
/* The template engine's set (templates by name, partials resolved across them) and its
 * renderer, which walks a parsed tree (tmpl_parse.c) over a jansson value without
 * allocating (the output buffer aside). */
#include "http/tmpl.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/locale_fmt.h"
#include "http/tmpl_tree.h"

static void remember_partial(tmpl_set *set, tmpl_node *n, const tmpl *owner) {
    if (set->npartials == set->partials_cap) {
        set->partials_cap = set->partials_cap ? set->partials_cap * 2 : 16;
        set->partials = xrealloc(set->partials, set->partials_cap * sizeof *set->partials);
    }
    set->partials[set->npartials++] = (tmpl_partial_ref){n, owner};
}

static int find_index(const tmpl_set *set, const char *name, bool *found) {
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(set->items[mid]->name, name);
        if (c == 0) {
            *found = true;
            return (int)mid;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    *found = false;
    return (int)lo;
}

static const tmpl *find_tmpl(const tmpl_set *set, const char *name) {
    bool found;
    int i = find_index(set, name, &found);
    return found ? set->items[i] : NULL;
}

static void resolve_partials(tmpl_set *set) {
    for (size_t i = 0; i < set->npartials; i++) {
        tmpl_node *n = set->partials[i].n;
        if (!n->partial) n->partial = find_tmpl(set, n->pname);
    }
}

tmpl_set *tmpl_set_new(const i18n_catalog *i18n) {
    tmpl_set *set = xcalloc(1, sizeof *set);
    set->i18n = i18n;
    set->nlocales = i18n_locale_count(i18n);
    return set;
}

void tmpl_set_free(tmpl_set *set) {
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) tmpl_parse_free(set->items[i]);
    free(set->items);
    free(set->partials);
    free(set);
}

static bool add_template(tmpl_set *set, const char *name, const char *fname, const char *src,
                         size_t len, perr *err) {
    bool found;
    int at = find_index(set, name, &found);
    if (found) return perr_set(err, "%s: template %s defined twice", fname, name);
    tmpl *t = xcalloc(1, sizeof *t);
    t->name = xstrdup(name);
    t->fname = xstrdup(fname);
    t->src = xmalloc(len + 1);
    memcpy(t->src, src, len); /* may hold a NUL byte, which the parser reports */
    t->src[len] = '\0';
    tmpl_node_list partials = {0};
    if (!tmpl_parse_tree(set, t, len, &partials, err)) {
        free(partials.items);
        tmpl_parse_free(t);
        return false;
    }
    for (size_t i = 0; i < partials.n; i++) remember_partial(set, partials.items[i], t);
    free(partials.items);
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->items = xrealloc(set->items, set->cap * sizeof *set->items);
    }
    memmove(set->items + at + 1, set->items + at, (set->n - (size_t)at) * sizeof *set->items);
    set->items[at] = t;
    set->n++;
    resolve_partials(set);
    return true;
}

bool tmpl_set_add(tmpl_set *set, const char *name, const char *src, size_t len, perr *err) {
    return add_template(set, name, name, src, len, err);
}

bool tmpl_exists(const tmpl_set *set, const char *name) {
    return set && name && find_tmpl(set, name) != NULL;
}

static bool read_file(const char *path, buf *out, perr *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return perr_set(err, "%s: %s", path, strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(out, chunk, n);
    bool ok = !ferror(f);
    fclose(f);
    return ok ? true : perr_set(err, "%s: read error", path);
}

/* Loads the *.html files of dir/rel (rel "" at the top) into set, recursing into folders. */
static bool load_tree(tmpl_set *set, const char *dir, const char *rel, int depth, perr *err) {
    if (depth > 16) return perr_set(err, "%s/%s: folders nested too deeply", dir, rel);
    buf path = BUF_INIT, child = BUF_INIT, text = BUF_INIT;
    buf_printf(&path, "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(path.data);
    bool ok = false;
    if (!d) {
        perr_set(err, "%s: %s", path.data, strerror(errno));
        goto fail;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') continue;
        buf_reset(&child);
        buf_printf(&child, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        buf full = BUF_INIT;
        buf_printf(&full, "%s/%s", dir, child.data);
        struct stat st;
        int rc = stat(full.data, &st);
        bool step = true;
        if (rc == 0 && S_ISDIR(st.st_mode)) {
            step = load_tree(set, dir, child.data, depth + 1, err);
        } else if (rc == 0 && S_ISREG(st.st_mode) && child.len > 5 &&
                   strcmp(child.data + child.len - 5, ".html") == 0) {
            buf_reset(&text);
            step = read_file(full.data, &text, err);
            if (step) {
                child.data[child.len - 5] = '\0';
                step = add_template(set, child.data, full.data, buf_cstr(&text), text.len, err);
            }
        }
        buf_free(&full);
        if (!step) goto fail;
    }
    ok = true;
fail:
    if (d) closedir(d);
    buf_free(&path);
    buf_free(&child);
    buf_free(&text);
    return ok;
}

tmpl_set *tmpl_set_load(const char *dir, const i18n_catalog *i18n, perr *err) {
    tmpl_set *set = tmpl_set_new(i18n);
    if (!load_tree(set, dir, "", 0, err)) goto fail;
    for (size_t i = 0; i < set->npartials; i++) {
        const tmpl_partial_ref *r = &set->partials[i];
        if (!r->n->partial) {
            perr_set(err, "%s:%zu: unknown partial \"%s\"", r->owner->fname, r->n->line, r->n->pname);
            goto fail;
        }
    }
    return set;
fail:
    tmpl_set_free(set);
    return NULL;
}

/* ---- rendering ---------------------------------------------------------------------- */

typedef enum { V_NONE, V_JSON, V_INT, V_STR } val_kind;

typedef struct val {
    val_kind kind;
    json_t *j;
    long long num;
    const char *s;
} val;

typedef struct frame {
    json_t *item;
    size_t index;
    const char *key;
    bool is_each;
} frame;

typedef struct render_ctx {
    const tmpl_set *set;
    size_t loc; /* index into texts: a locale, or nlocales for none */
    int loc_index;
    const char *locale; /* the catalog locale used, for @locale */
    buf *out;
    perr *err;
    frame frames[TMPL_MAX_EACH_DEPTH + 1];
    size_t nframes;
    int partial_depth;
} render_ctx;

static json_t *seg_get(json_t *j, const tmpl_seg *sg) {
    if (json_is_object(j)) return json_object_get(j, sg->name);
    if (json_is_array(j) && sg->idx >= 0) return json_array_get(j, (size_t)sg->idx);
    return NULL;
}

static val walk(json_t *j, const tmpl_operand *o, size_t from) {
    for (size_t i = from; j && i < o->nseg; i++) j = seg_get(j, &o->segs[i]);
    return j ? (val){V_JSON, j, 0, NULL} : (val){V_NONE, NULL, 0, NULL};
}

static const frame *nearest_each(const render_ctx *c) {
    for (size_t f = c->nframes; f-- > 0;)
        if (c->frames[f].is_each) return &c->frames[f];
    return NULL;
}

static val resolve(const render_ctx *c, const tmpl_operand *o) {
    const val none = {V_NONE, NULL, 0, NULL};
    const frame *f;
    switch (o->kind) {
    case P_LIT: return (val){V_JSON, o->lit, 0, NULL};
    case P_THIS: return walk(c->frames[c->nframes - 1].item, o, 0);
    case P_ROOT: return walk(c->frames[0].item, o, 0);
    case P_NAMED:
        for (size_t i = c->nframes; i-- > 0;) {
            json_t *j = seg_get(c->frames[i].item, &o->segs[0]);
            if (j) return walk(j, o, 1);
        }
        return none;
    case P_INDEX:
    case P_NUMBER:
        f = nearest_each(c);
        if (!f) return none;
        return (val){V_INT, NULL, (long long)f->index + (o->kind == P_NUMBER), NULL};
    case P_KEY:
        f = nearest_each(c);
        return f && f->key ? (val){V_STR, NULL, 0, f->key} : none;
    case P_LOCALE: return (val){V_STR, NULL, 0, c->locale};
    }
    return none;
}

/* Formats a number as templates print it into tmp; returns its length. */
static size_t format_real(double d, char *tmp, size_t size) {
    int n = snprintf(tmp, size, "%.2f", d);
    size_t len = n > 0 ? (size_t)n : 0;
    if (len >= size) len = size - 1;
    if (memchr(tmp, '.', len)) {
        while (len && tmp[len - 1] == '0') len--;
        if (len && tmp[len - 1] == '.') len--;
    }
    tmp[len] = '\0';
    if (strcmp(tmp, "-0") == 0) {
        tmp[0] = '0';
        tmp[1] = '\0';
        len = 1;
    }
    return len;
}

/* Writes v in decimal into tmp (at least 21 bytes); returns the length. */
static size_t format_int(long long v, char *tmp) {
    char rev[24];
    size_t n = 0, len = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        rev[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[len++] = '-';
    while (n) tmp[len++] = rev[--n];
    tmp[len] = '\0';
    return len;
}

/* Appends s[0..len) with & < > " ' replaced by entities, in runs (no per-byte call). */
static void put_escaped(buf *out, const char *s, size_t len) {
    static const char *const ent[256] = {
        ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
    };
    static const unsigned char entlen[256] = {['&'] = 5, ['<'] = 4, ['>'] = 4, ['"'] = 6, ['\''] = 5};
    buf_reserve(out, len);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!entlen[c]) continue;
        buf_append(out, s + run, i - run);
        buf_append(out, ent[c], entlen[c]);
        run = i + 1;
    }
    buf_append(out, s + run, len - run);
}

/* The printed form of a scalar: a pointer to its bytes (in tmp or in the value) and a
 * length; NULL for values that print as nothing. */
static const char *printed(val v, char *tmp, size_t size, size_t *len) {
    switch (v.kind) {
    case V_NONE: return NULL;
    case V_STR: *len = strlen(v.s); return v.s;
    case V_INT: *len = format_int(v.num, tmp); return tmp;
    case V_JSON:
        if (json_is_string(v.j)) {
            *len = json_string_length(v.j);
            return json_string_value(v.j);
        }
        if (json_is_integer(v.j)) {
            *len = format_int((long long)json_integer_value(v.j), tmp);
            return tmp;
        }
        if (json_is_real(v.j)) {
            *len = format_real(json_real_value(v.j), tmp, size);
            return tmp;
        }
        return NULL;
    }
    return NULL;
}

static void emit(render_ctx *c, val v, bool raw) {
    char tmp[64];
    size_t len = 0;
    const char *s = printed(v, tmp, sizeof tmp, &len);
    if (!s) return;
    if (raw) buf_append(c->out, s, len);
    else put_escaped(c->out, s, len);
}

/* The epoch seconds of a date value: an integer, or a string starting "YYYY-MM-DD"
 * (midnight UTC). False for anything else. */
static bool date_of(val v, int64_t *t) {
    if (v.kind == V_INT) return *t = v.num, true;
    if (v.kind != V_JSON) return false;
    if (json_is_integer(v.j)) return *t = (int64_t)json_integer_value(v.j), true;
    return locale_parse_date(json_string_value(v.j), t);
}

/* The number a value stands for: integers, reals, and strings that are a whole number. */
static bool number_of(val v, double *d) {
    if (v.kind == V_INT) return *d = (double)v.num, true;
    if (v.kind != V_JSON) return false;
    if (json_is_number(v.j)) return *d = json_number_value(v.j), true;
    const char *s = json_string_value(v.j);
    if (!s || !*s) return false;
    char *end;
    *d = strtod(s, &end);
    return *end == '\0' && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
}

/* Emits the operand's value, through the locale's number or date format when it asks for
 * one (values that are not numbers or dates print as they are). */
static void emit_operand(render_ctx *c, const tmpl_operand *o, bool raw) {
    val v = resolve(c, o);
    int64_t t;
    double d;
    if (o->fmt == F_DATE && date_of(v, &t)) locale_fmt_date(c->out, c->locale, t);
    else if (o->fmt == F_NUM && number_of(v, &d)) locale_fmt_number(c->out, c->locale, d, o->decimals);
    else emit(c, v, raw);
}

static bool truthy(val v) {
    switch (v.kind) {
    case V_NONE: return false;
    case V_INT: return v.num != 0;
    case V_STR: return v.s[0] != '\0';
    case V_JSON:
        switch (json_typeof(v.j)) {
        case JSON_NULL:
        case JSON_FALSE: return false;
        case JSON_TRUE:
        case JSON_OBJECT: return true;
        case JSON_INTEGER: return json_integer_value(v.j) != 0;
        case JSON_REAL: return json_real_value(v.j) != 0.0;
        case JSON_STRING: return json_string_length(v.j) > 0;
        case JSON_ARRAY: return json_array_size(v.j) > 0;
        }
    }
    return false;
}

typedef enum { S_NULL, S_BOOL, S_NUM, S_STR, S_OTHER } scalar_kind;

static scalar_kind scalar_of(val v, double *num, bool *b) {
    if (v.kind == V_NONE) return S_NULL;
    if (v.kind == V_INT) {
        *num = (double)v.num;
        return S_NUM;
    }
    if (v.kind == V_STR) return S_STR;
    switch (json_typeof(v.j)) {
    case JSON_NULL: return S_NULL;
    case JSON_TRUE: *b = true; return S_BOOL;
    case JSON_FALSE: *b = false; return S_BOOL;
    case JSON_INTEGER: *num = (double)json_integer_value(v.j); return S_NUM;
    case JSON_REAL: *num = json_real_value(v.j); return S_NUM;
    case JSON_STRING: return S_STR;
    default: return S_OTHER;
    }
}

static bool values_equal(val a, val b) {
    double na = 0, nb = 0;
    bool ba = false, bb = false;
    scalar_kind ka = scalar_of(a, &na, &ba), kb = scalar_of(b, &nb, &bb);
    if (ka == S_NULL || kb == S_NULL) return ka == kb;
    if (ka == S_BOOL || kb == S_BOOL) return ka == kb && ba == bb;
    if (ka == S_NUM && kb == S_NUM) {
        if (a.kind == V_JSON && b.kind == V_JSON && json_is_integer(a.j) && json_is_integer(b.j))
            return json_integer_value(a.j) == json_integer_value(b.j);
        return na == nb;
    }
    if (ka == S_OTHER || kb == S_OTHER) return ka == kb && json_equal(a.j, b.j);
    /* strings, or a string and a number: compare printed forms */
    char ta[64], tb[64];
    size_t la = 0, lb = 0;
    const char *sa = printed(a, ta, sizeof ta, &la), *sb = printed(b, tb, sizeof tb, &lb);
    return sa && sb && la == lb && memcmp(sa, sb, la) == 0;
}

static bool render_list(render_ctx *c, const tmpl_node_list *l);

static bool render_each(render_ctx *c, const tmpl_node *n) {
    val v = resolve(c, &n->a);
    json_t *j = v.kind == V_JSON ? v.j : NULL;
    bool empty = !(json_is_array(j) && json_array_size(j) > 0) &&
                 !(json_is_object(j) && json_object_size(j) > 0);
    if (empty) return render_list(c, &n->alt);
    if (c->nframes > TMPL_MAX_EACH_DEPTH) return perr_set(c->err, "each nested too deeply");
    frame *f = &c->frames[c->nframes++];
    bool ok = true;
    if (json_is_array(j)) {
        size_t i;
        json_t *item;
        json_array_foreach(j, i, item) {
            *f = (frame){item, i, NULL, true};
            if (!(ok = render_list(c, &n->body))) break;
        }
    } else {
        const char *key;
        json_t *item;
        size_t i = 0;
        json_object_foreach(j, key, item) {
            *f = (frame){item, i++, key, true};
            if (!(ok = render_list(c, &n->body))) break;
        }
    }
    c->nframes--;
    return ok;
}

/* The count a value stands for in {{tn}}: integers as they are, reals rounded toward
 * zero unless fractional (1.5 counts as plural, like 2), anything else 0. */
static long long count_of(val v) {
    if (v.kind == V_INT) return v.num;
    if (v.kind != V_JSON) return 0;
    if (json_is_integer(v.j)) return (long long)json_integer_value(v.j);
    if (!json_is_real(v.j)) return 0;
    double d = json_real_value(v.j);
    if (!(d > -1e15 && d < 1e15)) return 0;
    long long t = (long long)d;
    return (double)t == d ? t : 2;
}

/* Appends a translation with {N} replaced by the escaped N-th argument; for {{tn}} the
 * plural form for the count args[0] (which is also {1}). */
static void render_translation(render_ctx *c, const tmpl_node *n) {
    const char *text;
    if (n->plural) {
        val k = resolve(c, &n->a);
        char tmp[64];
        size_t len = 0;
        const char *key = printed(k, tmp, sizeof tmp, &len);
        if (!key || key == tmp || memchr(key, '\0', len)) return;
        text = i18n_nget_at(c->set->i18n, c->loc_index, key, count_of(resolve(c, &n->args[0])));
    } else if (n->texts) {
        text = n->texts[c->loc];
    } else {
        val k = resolve(c, &n->a);
        char tmp[64];
        size_t len = 0;
        const char *key = printed(k, tmp, sizeof tmp, &len);
        if (!key) return;
        if (key == tmp || memchr(key, '\0', len)) {
            put_escaped(c->out, key, len);
            return;
        }
        text = i18n_get_at(c->set->i18n, c->loc_index, key);
    }
    const char *p = text, *run = text;
    while ((p = strchr(p, '{')) != NULL) {
        size_t d = 0, num = 0;
        while (p[1 + d] >= '0' && p[1 + d] <= '9' && d < 3) num = num * 10 + (size_t)(p[1 + d++] - '0');
        if (d == 0 || p[1 + d] != '}' || num == 0 || num > n->nargs) {
            p++;
            continue;
        }
        if (n->raw) buf_append(c->out, run, (size_t)(p - run));
        else put_escaped(c->out, run, (size_t)(p - run));
        emit_operand(c, &n->args[num - 1], false);
        p += d + 2;
        run = p;
    }
    if (n->raw) buf_puts(c->out, run);
    else put_escaped(c->out, run, strlen(run));
}

static bool render_node(render_ctx *c, const tmpl_node *n) {
    switch (n->kind) {
    case N_TEXT: buf_append(c->out, n->text, n->len); return true;
    case N_VAR: emit_operand(c, &n->a, false); return true;
    case N_RAW: emit_operand(c, &n->a, true); return true;
    case N_T: render_translation(c, n); return true;
    case N_IF:
    case N_UNLESS: {
        val a = resolve(c, &n->a);
        bool cond = n->op == C_TRUTHY ? truthy(a)
                    : n->op == C_EQ   ? values_equal(a, resolve(c, &n->b))
                                      : !values_equal(a, resolve(c, &n->b));
        if (n->kind == N_UNLESS) cond = !cond;
        return render_list(c, cond ? &n->body : &n->alt);
    }
    case N_EACH: return render_each(c, n);
    case N_PARTIAL: {
        if (!n->partial) return perr_set(c->err, "unknown partial \"%s\"", n->pname);
        if (c->partial_depth >= TMPL_MAX_PARTIAL_DEPTH) return perr_set(c->err, "partials nested too deeply");
        c->partial_depth++;
        bool ok = render_list(c, &n->partial->root);
        c->partial_depth--;
        return ok;
    }
    }
    return true;
}

static bool render_list(render_ctx *c, const tmpl_node_list *l) {
    for (size_t i = 0; i < l->n; i++)
        if (!render_node(c, l->items[i])) return false;
    return true;
}

bool tmpl_render(const tmpl_set *set, const char *name, json_t *data, const char *locale,
                 buf *out, perr *err) {
    perr_clear(err);
    const tmpl *t = set && name ? find_tmpl(set, name) : NULL;
    if (!t) return perr_set(err, "unknown template \"%s\"", name ? name : "(null)");
    render_ctx c = {.set = set, .out = out, .err = err};
    c.loc_index = i18n_locale_index(set->i18n, locale);
    c.loc = c.loc_index >= 0 ? (size_t)c.loc_index : set->nlocales;
    c.locale = c.loc_index >= 0 ? i18n_locale_name(set->i18n, (size_t)c.loc_index) : I18N_DEFAULT_LOCALE;
    c.frames[0] = (frame){data, 0, NULL, false};
    c.nframes = 1;
    buf_append(out, "", 0);
    return render_list(&c, &t->root);
}
