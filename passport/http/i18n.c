/* SPDX-License-Identifier: EUPL-1.2 */
/* gettext .po catalogs: a line-oriented parser for the subset translation tools write,
 * per-locale hash tables for lookup, and Accept-Language negotiation. */
#include "http/i18n.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/utf8.h"

typedef struct entry {
    char *key;
    char *text;   /* msgstr, or msgstr[0] */
    char **forms; /* msgstr[0..nplurals) for a msgid_plural entry, else NULL */
} entry;

/* The plural rules of the Plural-Forms header that Passport knows. */
typedef enum plural_rule { PLURAL_UNSET, PLURAL_ONE, PLURAL_NOT_ONE, PLURAL_ABOVE_ONE } plural_rule;

#define PO_MAX_FORMS 4

typedef struct locale {
    char *name;
    plural_rule plural;
    size_t nplurals;
    entry *entries; /* in file order */
    size_t n, cap;
    uint32_t *slots; /* open addressing: entry index + 1, 0 = empty */
    size_t nslots;   /* power of two, >= 2n */
} locale;

struct i18n_catalog {
    locale *locales; /* sorted by name */
    size_t n;
    int fr;          /* index of the default locale, -1 if absent */
};

/* ---- hash table --------------------------------------------------------------------- */

static uint32_t hash_str(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static const entry *locale_find(const locale *l, const char *key) {
    if (!l->nslots) return NULL;
    size_t mask = l->nslots - 1;
    for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
        uint32_t s = l->slots[i];
        if (!s) return NULL;
        if (strcmp(l->entries[s - 1].key, key) == 0) return &l->entries[s - 1];
    }
}

static void locale_index(locale *l) {
    size_t want = 16;
    while (want < l->n * 2) want *= 2;
    free(l->slots);
    l->slots = xcalloc(want, sizeof *l->slots);
    l->nslots = want;
    for (size_t e = 0; e < l->n; e++) {
        size_t i = hash_str(l->entries[e].key) & (want - 1);
        while (l->slots[i]) i = (i + 1) & (want - 1);
        l->slots[i] = (uint32_t)(e + 1);
    }
}

/* Indexes the last entry of l (the whole index is rebuilt, twice as large, when it would
 * be more than half full): loading a catalog stays linear, duplicates found by lookup. */
static void locale_add_slot(locale *l) {
    if (l->n * 2 > l->nslots) {
        locale_index(l);
        return;
    }
    size_t mask = l->nslots - 1, i = hash_str(l->entries[l->n - 1].key) & mask;
    while (l->slots[i]) i = (i + 1) & mask;
    l->slots[i] = (uint32_t)l->n;
}

static void locale_clear(locale *l) {
    for (size_t i = 0; i < l->n; i++) {
        free(l->entries[i].key);
        free(l->entries[i].text);
        if (l->entries[i].forms)
            for (size_t k = 0; k < l->nplurals; k++) free(l->entries[i].forms[k]);
        free(l->entries[i].forms);
    }
    free(l->entries);
    free(l->slots);
    free(l->name);
}

/* ---- .po parsing -------------------------------------------------------------------- */

enum field { F_NONE, F_CTXT, F_ID, F_PLURAL, F_STR, F_STR_OTHER };

typedef struct po_parser {
    const char *fname;
    size_t line;
    locale *loc;
    perr *err;
    /* the entry being read */
    buf ctxt, id, str;
    buf forms[PO_MAX_FORMS]; /* msgstr[1..]: forms[k] is msgstr[k]; forms[0] unused */
    size_t nforms;           /* msgstr[N] read, msgstr[0] included */
    bool has_ctxt, has_id, has_str, has_plural, fuzzy;
    size_t id_line;
    enum field last; /* where a continuation string goes */
} po_parser;

static bool po_error(po_parser *p, size_t line, const char *msg) {
    return perr_set(p->err, "%s:%zu: %s", p->fname, line, msg);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses a C string literal at s[0..len) (s[0] == '"'), appending its bytes to out;
 * nothing but spaces may follow the closing quote. */
static bool po_string(po_parser *p, const char *s, size_t len, buf *out) {
    size_t i = 1;
    if (len == 0 || s[0] != '"') return po_error(p, p->line, "expected a string in double quotes");
    for (;;) {
        if (i >= len) return po_error(p, p->line, "unterminated string");
        char c = s[i++];
        if (c == '"') break;
        if (c != '\\') {
            buf_putc(out, c);
            continue;
        }
        if (i >= len) return po_error(p, p->line, "unterminated string");
        c = s[i++];
        int v;
        switch (c) {
        case 'n': buf_putc(out, '\n'); break;
        case 't': buf_putc(out, '\t'); break;
        case 'r': buf_putc(out, '\r'); break;
        case 'a': buf_putc(out, '\a'); break;
        case 'b': buf_putc(out, '\b'); break;
        case 'f': buf_putc(out, '\f'); break;
        case 'v': buf_putc(out, '\v'); break;
        case '"': case '\\': case '\'': case '?': buf_putc(out, c); break;
        case 'x':
            if (i >= len || hexval(s[i]) < 0) return po_error(p, p->line, "bad \\x escape");
            v = 0;
            while (i < len && hexval(s[i]) >= 0 && v < 256) v = v * 16 + hexval(s[i++]);
            if (v == 0 || v > 255) return po_error(p, p->line, "bad \\x escape");
            buf_putc(out, (char)v);
            break;
        default:
            if (c < '0' || c > '7') return po_error(p, p->line, "unknown escape sequence");
            v = c - '0';
            for (int k = 0; k < 2 && i < len && s[i] >= '0' && s[i] <= '7'; k++)
                v = v * 8 + (s[i++] - '0');
            if (v == 0 || v > 255) return po_error(p, p->line, "bad octal escape");
            buf_putc(out, (char)v);
        }
    }
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i < len) return po_error(p, p->line, "unexpected text after string");
    return true;
}

static void po_reset_entry(po_parser *p) {
    buf_reset(&p->ctxt);
    buf_reset(&p->id);
    buf_reset(&p->str);
    for (size_t k = 0; k < PO_MAX_FORMS; k++) buf_reset(&p->forms[k]);
    p->nforms = 0;
    p->has_ctxt = p->has_id = p->has_str = p->has_plural = p->fuzzy = false;
    p->last = F_NONE;
}

/* Reads the Plural-Forms line of the header entry's text, if any, into the locale:
 * only the rules Passport knows are accepted (spaces and the final ";" ignored). */
static bool po_header(po_parser *p, const char *text) {
    static const struct { const char *spec; plural_rule rule; size_t n; } known[] = {
        {"nplurals=2;plural=(n>1)", PLURAL_ABOVE_ONE, 2}, {"nplurals=2;plural=n>1", PLURAL_ABOVE_ONE, 2},
        {"nplurals=2;plural=(n!=1)", PLURAL_NOT_ONE, 2},  {"nplurals=2;plural=n!=1", PLURAL_NOT_ONE, 2},
        {"nplurals=1;plural=0", PLURAL_ONE, 1},
    };
    const char *h = text;
    while (h && strncmp(h, "Plural-Forms:", 13)) {
        h = strchr(h, '\n');
        if (h) h++;
    }
    if (!h) return true;
    char spec[128];
    size_t n = 0;
    for (h += 13; *h && *h != '\n' && n + 1 < sizeof spec; h++)
        if (*h != ' ' && *h != '\t') spec[n++] = *h;
    while (n && spec[n - 1] == ';') n--;
    spec[n] = '\0';
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(spec, known[i].spec)) continue;
        if (p->loc->plural != PLURAL_UNSET && p->loc->plural != known[i].rule)
            return po_error(p, p->id_line, "conflicting Plural-Forms headers");
        p->loc->plural = known[i].rule;
        p->loc->nplurals = known[i].n;
        return true;
    }
    char msg[256];
    snprintf(msg, sizeof msg,
             "unsupported Plural-Forms \"%s\" (known: nplurals=2; plural=(n > 1) or (n != 1); nplurals=1; plural=0)",
             spec);
    return po_error(p, p->id_line, msg);
}

/* Checks a msgid_plural entry against the header; *complete is false when a form is empty
 * (the entry is untranslated). */
static bool po_plural_check(po_parser *p, bool *complete) {
    if (p->loc->plural == PLURAL_UNSET)
        return po_error(p, p->id_line, "msgid_plural without a Plural-Forms header before it");
    if (p->nforms != p->loc->nplurals) {
        char msg[80];
        snprintf(msg, sizeof msg, "expected %zu plural forms (msgstr[0] to msgstr[%zu]), found %zu", p->loc->nplurals,
                 p->loc->nplurals - 1, p->nforms);
        return po_error(p, p->id_line, msg);
    }
    *complete = p->str.len > 0;
    for (size_t k = 1; k < p->nforms; k++) {
        if (strlen(buf_cstr(&p->forms[k])) != p->forms[k].len) return po_error(p, p->id_line, "NUL in string");
        if (!utf8_valid(p->forms[k].data, p->forms[k].len)) return po_error(p, p->id_line, "invalid UTF-8 in string");
        if (!p->forms[k].len) *complete = false;
    }
    return true;
}

/* Stores the entry read so far (if complete) and starts a new one. */
static bool po_finish_entry(po_parser *p) {
    if (!p->has_id && !p->has_ctxt && !p->has_str) {
        po_reset_entry(p);
        return true;
    }
    if (!p->has_id) return po_error(p, p->line, "msgctxt without msgid");
    if (!p->has_str) return po_error(p, p->id_line, "msgid without msgstr");
    bool header = p->id.len == 0 && !p->has_ctxt;
    if (header && !p->fuzzy && !po_header(p, buf_cstr(&p->str))) return false;
    bool complete = p->str.len > 0;
    if (!header && p->has_plural && !po_plural_check(p, &complete)) return false;
    if (!header && !p->fuzzy && complete) {
        if (p->id.len == 0) return po_error(p, p->id_line, "empty msgid");
        buf key = BUF_INIT;
        if (p->has_ctxt) {
            buf_append(&key, p->ctxt.data ? p->ctxt.data : "", p->ctxt.len);
            buf_putc(&key, '\004');
        }
        buf_append(&key, p->id.data, p->id.len);
        if (strlen(buf_cstr(&key)) != key.len || strlen(buf_cstr(&p->str)) != p->str.len) {
            buf_free(&key);
            return po_error(p, p->id_line, "NUL in string");
        }
        if (!utf8_valid(key.data, key.len) || !utf8_valid(p->str.data, p->str.len)) {
            buf_free(&key);
            return po_error(p, p->id_line, "invalid UTF-8 in string");
        }
        locale *l = p->loc;
        if (locale_find(l, key.data)) { /* the index grows with the entries (locale_add_slot) */
            buf_free(&key);
            return po_error(p, p->id_line, "duplicate message definition");
        }
        if (l->n == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 64;
            l->entries = xrealloc(l->entries, l->cap * sizeof *l->entries);
        }
        l->entries[l->n].key = buf_detach(&key);
        l->entries[l->n].text = xstrndup(p->str.data, p->str.len);
        l->entries[l->n].forms = NULL;
        if (p->has_plural) {
            char **forms = xcalloc(p->nforms, sizeof *forms);
            forms[0] = xstrndup(p->str.data, p->str.len);
            for (size_t k = 1; k < p->nforms; k++) forms[k] = xstrndup(p->forms[k].data, p->forms[k].len);
            l->entries[l->n].forms = forms;
        }
        l->n++;
        locale_add_slot(l);
    }
    po_reset_entry(p);
    return true;
}

/* Parses the string after a keyword (or a continuation line) into the field p->last
 * names; msgid_plural's string is checked and dropped (keys are symbolic), msgstr[N>0]
 * goes to forms[N]. */
static bool po_keyword_string(po_parser *p, const char *s, size_t len) {
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    buf *target;
    buf ignored = BUF_INIT;
    switch (p->last) {
    case F_CTXT: target = &p->ctxt; break;
    case F_ID: target = &p->id; break;
    case F_STR: target = &p->str; break;
    case F_STR_OTHER: target = &p->forms[p->nforms - 1]; break;
    default: target = &ignored; break;
    }
    bool ok = po_string(p, s, len, target);
    buf_free(&ignored);
    return ok;
}

static bool starts_kw(const char *s, size_t len, const char *kw, size_t *kwlen) {
    size_t k = strlen(kw);
    if (len < k || memcmp(s, kw, k) != 0) return false;
    if (len > k && s[k] != ' ' && s[k] != '\t' && s[k] != '"') return false;
    *kwlen = k;
    return true;
}

/* Handles one line (without its line ending), already stripped of leading spaces. */
static bool po_line(po_parser *p, const char *s, size_t len) {
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    if (len == 0) return true;
    if (s[0] == '#') {
        /* comments precede an entry: the one before is complete */
        if (p->has_str && !po_finish_entry(p)) return false;
        if (len >= 2 && s[1] == ',') {
            /* flags: "#, fuzzy, c-format" */
            for (size_t i = 2; i + 5 <= len; i++)
                if (memcmp(s + i, "fuzzy", 5) == 0) p->fuzzy = true;
        }
        return true;
    }
    if (s[0] == '"') {
        if (p->last == F_NONE) return po_error(p, p->line, "string without keyword");
        return po_keyword_string(p, s, len);
    }
    size_t k;
    if (starts_kw(s, len, "msgctxt", &k)) {
        if (p->has_str && !po_finish_entry(p)) return false;
        if (p->has_ctxt || p->has_id) return po_error(p, p->line, "unexpected msgctxt");
        p->has_ctxt = true;
        p->last = F_CTXT;
        buf_append(&p->ctxt, "", 0);
        return po_keyword_string(p, s + k, len - k);
    }
    if (starts_kw(s, len, "msgid_plural", &k)) {
        if (!p->has_id || p->has_str || p->has_plural) return po_error(p, p->line, "unexpected msgid_plural");
        p->has_plural = true;
        p->last = F_PLURAL;
        return po_keyword_string(p, s + k, len - k);
    }
    if (starts_kw(s, len, "msgid", &k)) {
        if (p->has_str && !po_finish_entry(p)) return false;
        if (p->has_id) return po_error(p, p->id_line, "msgid without msgstr");
        p->has_id = true;
        p->id_line = p->line;
        p->last = F_ID;
        buf_append(&p->id, "", 0);
        return po_keyword_string(p, s + k, len - k);
    }
    if (len >= 6 && memcmp(s, "msgstr", 6) == 0) {
        if (!p->has_id) return po_error(p, p->line, "msgstr without msgid");
        k = 6;
        bool first = true;
        if (k < len && s[k] == '[') {
            size_t j = k + 1, n = 0;
            while (j < len && s[j] >= '0' && s[j] <= '9' && n < 1000) n = n * 10 + (size_t)(s[j++] - '0');
            if (j == k + 1 || j >= len || s[j] != ']') return po_error(p, p->line, "bad msgstr index");
            first = n == 0;
            k = j + 1;
        }
        if (k < len && s[k] != ' ' && s[k] != '\t' && s[k] != '"')
            return po_error(p, p->line, "unknown keyword");
        bool indexed = k > 6;
        if (indexed != p->has_plural)
            return po_error(p, p->line, indexed ? "msgstr[N] without msgid_plural" : "msgid_plural needs msgstr[N]");
        if (first) {
            if (p->has_str) return po_error(p, p->line, "duplicate msgstr");
            p->has_str = true;
            buf_append(&p->str, "", 0);
            p->nforms = indexed ? 1 : 0;
            p->last = F_STR;
        } else {
            if (!p->has_str) return po_error(p, p->line, "msgstr[N] before msgstr[0]");
            size_t idx = 0;
            for (size_t j = 7; s[j] != ']'; j++) idx = idx * 10 + (size_t)(s[j] - '0');
            if (idx != p->nforms) return po_error(p, p->line, "msgstr[N] out of order");
            if (idx >= PO_MAX_FORMS) return po_error(p, p->line, "too many plural forms");
            p->nforms++;
            buf_append(&p->forms[idx], "", 0);
            p->last = F_STR_OTHER;
        }
        return po_keyword_string(p, s + k, len - k);
    }
    return po_error(p, p->line, "unknown keyword");
}

static bool po_parse(po_parser *p, const char *src, size_t len) {
    size_t bad;
    if (!utf8_check(src, len, &bad)) {
        size_t line = 1;
        for (size_t i = 0; i < bad; i++) line += src[i] == '\n';
        return po_error(p, line, "invalid UTF-8");
    }
    size_t pos = 0;
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    p->line = 0;
    while (pos < len) {
        const char *nl = memchr(src + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - src) : len;
        size_t e = end;
        if (e > pos && src[e - 1] == '\r') e--;
        size_t b = pos;
        while (b < e && (src[b] == ' ' || src[b] == '\t')) b++;
        p->line++;
        if (!po_line(p, src + b, e - b)) return false;
        pos = nl ? end + 1 : len;
    }
    p->line++;
    return po_finish_entry(p);
}

/* ---- catalog ------------------------------------------------------------------------ */

/* Compares locale names case-insensitively with '_' equal to '-'; n limits the length
 * compared in a (SIZE_MAX for all). */
static int locale_cmp_n(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int ca = tolower((unsigned char)(a[i] == '_' ? '-' : a[i]));
        int cb = tolower((unsigned char)(b[i] == '_' ? '-' : b[i]));
        if (ca != cb || ca == 0) return ca - cb;
    }
    return 0;
}

static int locale_cmp(const char *a, const char *b) {
    return locale_cmp_n(a, b, SIZE_MAX);
}

static bool valid_locale_name(const char *s, size_t len) {
    if (len < 2 || len > 35) return false;
    size_t i = 0;
    while (i < len && isalpha((unsigned char)s[i])) i++;
    if (i < 2 || i > 8) return false;
    while (i < len) {
        if (s[i] != '-' && s[i] != '_') return false;
        size_t j = ++i;
        while (i < len && isalnum((unsigned char)s[i])) i++;
        if (i == j || i - j > 8) return false;
    }
    return true;
}

/* Length of the primary subtag ("en" in "en-GB"). */
static size_t primary_len(const char *s) {
    size_t i = 0;
    while (s[i] && s[i] != '-' && s[i] != '_') i++;
    return i;
}

static int find_exact(const i18n_catalog *c, const char *name) {
    for (size_t i = 0; c && i < c->n; i++)
        if (locale_cmp(c->locales[i].name, name) == 0) return (int)i;
    return -1;
}

i18n_catalog *i18n_new(void) {
    i18n_catalog *c = xcalloc(1, sizeof *c);
    c->fr = -1;
    return c;
}

void i18n_free(i18n_catalog *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) locale_clear(&c->locales[i]);
    free(c->locales);
    free(c);
}

bool i18n_add_po(i18n_catalog *c, const char *name, const char *src, size_t len,
                 const char *fname, perr *err) {
    if (!valid_locale_name(name, strlen(name)))
        return perr_set(err, "%s: invalid locale name \"%s\"", fname, name);
    if (find_exact(c, name) >= 0) return perr_set(err, "%s: locale %s loaded twice", fname, name);
    locale loc = {0};
    loc.name = xstrdup(name);
    po_parser p = {.fname = fname, .loc = &loc, .err = err};
    bool ok = po_parse(&p, src, len);
    buf_free(&p.ctxt);
    buf_free(&p.id);
    buf_free(&p.str);
    for (size_t k = 0; k < PO_MAX_FORMS; k++) buf_free(&p.forms[k]);
    if (!ok) {
        locale_clear(&loc);
        return false;
    }
    locale_index(&loc);
    c->locales = xrealloc(c->locales, (c->n + 1) * sizeof *c->locales);
    size_t at = c->n;
    while (at > 0 && locale_cmp(c->locales[at - 1].name, name) > 0) {
        c->locales[at] = c->locales[at - 1];
        at--;
    }
    c->locales[at] = loc;
    c->n++;
    c->fr = find_exact(c, I18N_DEFAULT_LOCALE);
    return true;
}

static bool read_file(const char *path, buf *out, perr *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return perr_set(err, "%s: %s", path, strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(out, chunk, n);
    bool ok = !ferror(f);
    fclose(f);
    if (!ok) return perr_set(err, "%s: read error", path);
    return true;
}

i18n_catalog *i18n_load_dir(const char *dir, perr *err) {
    i18n_catalog *c = i18n_new();
    buf path = BUF_INIT, text = BUF_INIT;
    DIR *d = opendir(dir);
    if (!d) {
        perr_set(err, "%s: %s", dir, strerror(errno));
        goto fail;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 4 || strcmp(de->d_name + n - 3, ".po") != 0) continue;
        if (!valid_locale_name(de->d_name, n - 3)) continue;
        char name[40];
        snprintf(name, sizeof name, "%.*s", (int)(n - 3), de->d_name);
        buf_reset(&path);
        buf_printf(&path, "%s/%s", dir, de->d_name);
        buf_reset(&text);
        if (!read_file(path.data, &text, err)) goto fail;
        if (!i18n_add_po(c, name, buf_cstr(&text), text.len, path.data, err)) goto fail;
    }
    closedir(d);
    buf_free(&path);
    buf_free(&text);
    return c;
fail:
    if (d) closedir(d);
    buf_free(&path);
    buf_free(&text);
    i18n_free(c);
    return NULL;
}

int i18n_locale_index(const i18n_catalog *c, const char *name) {
    if (!c || !name) return c ? c->fr : -1;
    int i = find_exact(c, name);
    if (i >= 0) return i;
    size_t pl = primary_len(name);
    for (size_t k = 0; k < c->n; k++) {
        const char *ln = c->locales[k].name;
        if (strlen(ln) == pl && locale_cmp_n(ln, name, pl) == 0) return (int)k;
    }
    return c->fr;
}

const char *i18n_get_at(const i18n_catalog *c, int index, const char *key) {
    if (!c) return key;
    if (index >= 0 && (size_t)index < c->n) {
        const entry *e = locale_find(&c->locales[index], key);
        if (e) return e->text;
    }
    if (c->fr >= 0 && c->fr != index) {
        const entry *e = locale_find(&c->locales[c->fr], key);
        if (e) return e->text;
    }
    return key;
}

/* The form of e for the count n under l's rule. */
static const char *entry_form(const locale *l, const entry *e, long long n) {
    if (!e->forms) return e->text;
    size_t k = l->plural == PLURAL_NOT_ONE ? n != 1 : l->plural == PLURAL_ABOVE_ONE ? n > 1 : 0;
    return e->forms[k];
}

const char *i18n_nget_at(const i18n_catalog *c, int index, const char *key, long long n) {
    if (!c) return key;
    if (index >= 0 && (size_t)index < c->n) {
        const entry *e = locale_find(&c->locales[index], key);
        if (e) return entry_form(&c->locales[index], e, n);
    }
    if (c->fr >= 0 && c->fr != index) {
        const entry *e = locale_find(&c->locales[c->fr], key);
        if (e) return entry_form(&c->locales[c->fr], e, n);
    }
    return key;
}

const char *i18n_nget(const i18n_catalog *c, const char *name, const char *key, long long n) {
    return i18n_nget_at(c, i18n_locale_index(c, name), key, n);
}

const char *i18n_get(const i18n_catalog *c, const char *name, const char *key) {
    return i18n_get_at(c, i18n_locale_index(c, name), key);
}

bool i18n_has_locale(const i18n_catalog *c, const char *name) {
    return name && find_exact(c, name) >= 0;
}

size_t i18n_locale_count(const i18n_catalog *c) {
    return c ? c->n : 0;
}

const char *i18n_locale_name(const i18n_catalog *c, size_t i) {
    return c && i < c->n ? c->locales[i].name : NULL;
}

size_t i18n_missing(const i18n_catalog *c, const char *name,
                    void (*cb)(const char *key, void *ud), void *ud) {
    if (!c || c->fr < 0) return 0;
    int li = find_exact(c, name);
    const locale *fr = &c->locales[c->fr];
    size_t count = 0;
    for (size_t i = 0; i < fr->n; i++) {
        if (li >= 0 && locale_find(&c->locales[li], fr->entries[i].key)) continue;
        count++;
        if (cb) cb(fr->entries[i].key, ud);
    }
    return count;
}

/* ---- Accept-Language ---------------------------------------------------------------- */

/* Parses a q-value ("1", "0.8", "1.000"); returns -1 when malformed. */
static int parse_q(const char *s, size_t len) {
    if (len == 0 || len > 5 || (s[0] != '0' && s[0] != '1')) return -1;
    int q = (s[0] - '0') * 1000;
    if (len == 1) return q;
    if (s[1] != '.') return -1;
    int scale = 100;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (s[i] < '0' || s[i] > '9') return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

/* The catalog locale a language range selects, or -1. */
static int match_range(const i18n_catalog *c, const char *r, size_t len) {
    if (len == 1 && r[0] == '*') return c->fr >= 0 ? c->fr : (c->n ? 0 : -1);
    for (size_t k = 0; k < c->n; k++) {
        const char *ln = c->locales[k].name;
        if (strlen(ln) == len && locale_cmp_n(ln, r, len) == 0) return (int)k;
    }
    size_t pl = 0;
    while (pl < len && r[pl] != '-' && r[pl] != '_') pl++;
    for (size_t k = 0; k < c->n; k++) { /* en-GB -> en */
        const char *ln = c->locales[k].name;
        if (strlen(ln) == pl && locale_cmp_n(ln, r, pl) == 0) return (int)k;
    }
    if (pl == len) {
        for (size_t k = 0; k < c->n; k++) { /* en -> en-GB */
            const char *ln = c->locales[k].name;
            if (primary_len(ln) == len && locale_cmp_n(ln, r, len) == 0) return (int)k;
        }
    }
    return -1;
}

const char *i18n_negotiate(const i18n_catalog *c, const char *al) {
    if (!c || !al) return I18N_DEFAULT_LOCALE;
    int best = -1, best_q = 0;
    const char *p = al;
    for (int items = 0; *p && items < 64; items++) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        /* range */
        const char *r = p;
        while (r < end && (*r == ' ' || *r == '\t')) r++;
        const char *re = r;
        while (re < end && *re != ';' && *re != ' ' && *re != '\t') re++;
        int q = 1000;
        /* parameters: look for q= */
        for (const char *s = re; s < end;) {
            while (s < end && (*s == ';' || *s == ' ' || *s == '\t')) s++;
            const char *pe = s;
            while (pe < end && *pe != ';') pe++;
            const char *ve = pe;
            while (ve > s && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            if (ve - s >= 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=')
                q = parse_q(s + 2, (size_t)(ve - s - 2));
            s = pe;
        }
        if (q > best_q && re > r) {
            int m = match_range(c, r, (size_t)(re - r));
            if (m >= 0) {
                best = m;
                best_q = q;
            }
        }
        p = *end ? end + 1 : end;
    }
    return best >= 0 ? c->locales[best].name : I18N_DEFAULT_LOCALE;
}
