/* SPDX-License-Identifier: EUPL-1.2 */
/* Badge definitions: a small YAML (libyaml document API) reader of the YAML files of courses/badges
 * into achievement structs, and their sync into the achievements table. */
#include "badges/achievement.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"

/* Converts a YAML node into JSON (scalars stay strings). New reference or NULL. */
static json_t *node_json(yaml_document_t *doc, yaml_node_t *n, int depth) {
    if (!n || depth > 16) return NULL;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return json_stringn((const char *)n->data.scalar.value, n->data.scalar.length);
    case YAML_SEQUENCE_NODE: {
        json_t *arr = json_array();
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
            json_t *v = node_json(doc, yaml_document_get_node(doc, *it), depth + 1);
            if (!v) {
                json_decref(arr);
                return NULL;
            }
            json_array_append_new(arr, v);
        }
        return arr;
    }
    case YAML_MAPPING_NODE: {
        json_t *obj = json_object();
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(doc, p->key);
            json_t *v = node_json(doc, yaml_document_get_node(doc, p->value), depth + 1);
            if (!k || k->type != YAML_SCALAR_NODE || !v) {
                json_decref(v);
                json_decref(obj);
                return NULL;
            }
            json_object_set_new(obj, (const char *)k->data.scalar.value, v);
        }
        return obj;
    }
    default: return NULL;
    }
}

static json_t *yaml_to_json(const char *text, size_t len, perr *err) {
    yaml_parser_t p;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&p)) return perr_set(err, "out of memory"), NULL;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    json_t *out = NULL;
    if (!yaml_parser_load(&p, &doc)) {
        perr_set(err, "invalid YAML at line %zu: %s", p.problem_mark.line + 1, p.problem ? p.problem : "?");
        yaml_parser_delete(&p);
        return NULL;
    }
    out = node_json(&doc, yaml_document_get_root_node(&doc), 0);
    if (!out || !json_is_object(out)) {
        perr_set(err, "the definition must be a mapping of texts, lists and mappings");
        json_decref(out);
        out = NULL;
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return out;
}

/* A required non-empty string member path "a" or "a.b". New string or NULL with err. */
static char *req_str(const json_t *o, const char *key, const char *sub, perr *err) {
    const json_t *v = json_object_get(o, key);
    if (sub) v = json_object_get(v, sub);
    const char *s = json_string_value(v);
    if (!s || !*s) {
        if (sub) perr_set(err, "missing %s.%s", key, sub);
        else perr_set(err, "missing %s", key);
        return NULL;
    }
    return xstrdup(s);
}

/* The string list at o[key] (absent: empty) into *items; false on a non-string item. */
static bool str_list(const json_t *o, const char *key, char ***items, size_t *n, perr *err) {
    const json_t *v = json_object_get(o, key);
    *items = NULL;
    *n = 0;
    if (!v) return true;
    if (!json_is_array(v)) return perr_set(err, "%s must be a list", key);
    *items = xcalloc(json_array_size(v) + 1, sizeof **items);
    size_t i;
    json_t *it;
    json_array_foreach(v, i, it) {
        if (!json_is_string(it) || !*json_string_value(it)) return perr_set(err, "%s: item %zu is not a text", key, i + 1);
        (*items)[(*n)++] = xstrdup(json_string_value(it));
    }
    return true;
}

bool achievement_parse(const char *yaml, size_t len, achievement *a, perr *err) {
    memset(a, 0, sizeof *a);
    json_t *o = yaml_to_json(yaml, len, err);
    if (!o) return false;
    bool ok = false;
    if (!(a->slug = req_str(o, "slug", NULL, err)) || !(a->name_fr = req_str(o, "name", "fr", err)) ||
        !(a->name_en = req_str(o, "name", "en", err)) || !(a->description_fr = req_str(o, "description", "fr", err)) ||
        !(a->description_en = req_str(o, "description", "en", err)) ||
        !(a->criteria_fr = req_str(o, "criteria", "fr", err)) || !(a->criteria_en = req_str(o, "criteria", "en", err)) ||
        !(a->image = req_str(o, "image", NULL, err)))
        goto fail;
    for (const char *p = a->slug; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-')) {
            perr_set(err, "slug: only a-z, 0-9 and '-'");
            goto fail;
        }
    if (!str_list(o, "alignment", &a->alignment, &a->nalignment, err)) goto fail;
    const json_t *rule = json_object_get(o, "rule");
    if (!json_is_object(rule)) {
        perr_set(err, "missing rule");
        goto fail;
    }
    if (!str_list(rule, "modules", &a->modules, &a->nmodules, err)) goto fail;
    char **lv = NULL;
    size_t nlv = 0;
    bool lok = str_list(rule, "levels", &lv, &nlv, err);
    a->levels = xcalloc(nlv + 1, sizeof *a->levels);
    for (size_t i = 0; i < nlv; i++) {
        const char *at = strrchr(lv[i], '@');
        char *end = NULL;
        long l = at ? strtol(at + 1, &end, 10) : 0;
        if (lok && (!at || at == lv[i] || !end || *end || l < 1 || l > 8)) {
            lok = perr_set(err, "rule.levels: \"%s\" is not CODE@LEVEL (1 to 8)", lv[i]);
        } else if (lok) {
            a->levels[a->nlevels].code = xstrndup(lv[i], (size_t)(at - lv[i]));
            a->levels[a->nlevels++].level = (int)l;
        }
    }
    for (size_t i = 0; i < nlv; i++) free(lv[i]);
    free(lv);
    if (!lok) goto fail;
    if (!a->nmodules && !a->nlevels) {
        perr_set(err, "rule: at least one module or level");
        goto fail;
    }
    const char *vm = json_string_value(json_object_get(o, "valid_months"));
    if (vm) {
        char *end;
        long m = strtol(vm, &end, 10);
        if (*end || m < 0 || m > 1200) {
            perr_set(err, "valid_months: a number of months (0: no expiry)");
            goto fail;
        }
        a->valid_months = (int)m;
    }
    ok = true;
fail:
    json_decref(o);
    if (!ok) achievement_clear(a);
    return ok;
}

static void free_list(char **items, size_t n) {
    for (size_t i = 0; i < n; i++) free(items[i]);
    free(items);
}

void achievement_clear(achievement *a) {
    if (!a) return;
    free(a->slug);
    free(a->name_fr);
    free(a->name_en);
    free(a->description_fr);
    free(a->description_en);
    free(a->criteria_fr);
    free(a->criteria_en);
    free(a->image);
    free(a->svg);
    free_list(a->alignment, a->nalignment);
    free_list(a->modules, a->nmodules);
    for (size_t i = 0; i < a->nlevels; i++) free(a->levels[i].code);
    free(a->levels);
    memset(a, 0, sizeof *a);
}

static char *read_file(const char *path, size_t max, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= max) buf_append(&b, chunk, n);
    fclose(f);
    if (b.len > max) {
        buf_free(&b);
        return NULL;
    }
    if (len) *len = b.len;
    buf_puts(&b, "");
    return buf_detach(&b);
}

static int cmp_str(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

achievement_set *achievement_set_load(const char *dir, perr *err) {
    achievement_set *set = xcalloc(1, sizeof *set);
    DIR *d = opendir(dir);
    if (!d) return set;
    char **names = NULL;
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml") && e->d_name[0] != '.') {
            names = xrealloc(names, (nn + 1) * sizeof *names);
            names[nn++] = xstrdup(e->d_name);
        }
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str);
    set->items = xcalloc(nn + 1, sizeof *set->items);
    bool ok = true;
    for (size_t i = 0; i < nn && ok; i++) {
        buf path = BUF_INIT;
        buf_printf(&path, "%s/%s", dir, names[i]);
        size_t len = 0;
        char *text = read_file(buf_cstr(&path), 1u << 20, &len);
        achievement *a = &set->items[set->n];
        perr why = {{0}};
        if (!text) {
            ok = perr_set(err, "%s: cannot read", buf_cstr(&path));
        } else if (!achievement_parse(text, len, a, &why)) {
            ok = perr_set(err, "%s: %s", buf_cstr(&path), why.msg);
        } else {
            set->n++;
            size_t il = strlen(a->image);
            buf_reset(&path);
            buf_printf(&path, "%s/%s", dir, a->image);
            if (il < 5 || strcmp(a->image + il - 4, ".svg") || strchr(a->image, '/') ||
                !(a->svg = read_file(buf_cstr(&path), 1u << 20, NULL)))
                ok = perr_set(err, "%s: image %s is not a readable .svg beside it", names[i], a->image);
            else if (achievement_find(set, a->slug) != a)
                ok = perr_set(err, "%s: duplicate slug %s", names[i], a->slug);
        }
        free(text);
        buf_free(&path);
    }
    free_list(names, nn);
    if (!ok) {
        achievement_set_free(set);
        return NULL;
    }
    return set;
}

void achievement_set_free(achievement_set *set) {
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) achievement_clear(&set->items[i]);
    free(set->items);
    free(set);
}

const achievement *achievement_find(const achievement_set *set, const char *slug) {
    for (size_t i = 0; set && slug && i < set->n; i++)
        if (!strcmp(set->items[i].slug, slug)) return &set->items[i];
    return NULL;
}

const achievement *achievement_by_id(const achievement_set *set, long long id) {
    for (size_t i = 0; set && i < set->n; i++)
        if (set->items[i].id == id) return &set->items[i];
    return NULL;
}

const char *achievement_name(const achievement *a, const char *locale) {
    return locale && !strcmp(locale, "en") ? a->name_en : a->name_fr;
}
const char *achievement_description(const achievement *a, const char *locale) {
    return locale && !strcmp(locale, "en") ? a->description_en : a->description_fr;
}
const char *achievement_criteria(const achievement *a, const char *locale) {
    return locale && !strcmp(locale, "en") ? a->criteria_en : a->criteria_fr;
}

bool achievement_set_sync(store *s, achievement_set *set, perr *err) {
    if (!store_begin(s, err)) return false;
    for (size_t i = 0; i < set->n; i++) {
        achievement *a = &set->items[i];
        json_t *crit = json_pack("{s:s, s:s}", "fr", a->criteria_fr, "en", a->criteria_en);
        char *cj = json_dumps(crit, JSON_COMPACT);
        json_decref(crit);
        store_query *st = store_stmt(s,
                                      "INSERT INTO achievements (slug, name, description, criteria_json, image)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(slug) DO UPDATE SET name = ?2,"
                                      " description = ?3, criteria_json = ?4, image = ?5 RETURNING id",
                                      err);
        bool ok = st != NULL;
        if (ok) {
            store_bind_text(st, 1, a->slug);
            store_bind_text(st, 2, a->name_fr);
            store_bind_text(st, 3, a->description_fr);
            store_bind_text(st, 4, cj);
            store_bind_text(st, 5, a->image);
            if (store_step(st) == STORE_ROW) a->id = store_col_int64(st, 0);
            else ok = perr_set(err, "achievements: %s", store_errmsg(s));
            store_done(st);
        }
        free(cj);
        if (!ok) {
            store_rollback(s);
            return false;
        }
    }
    return store_commit(s, err);
}
