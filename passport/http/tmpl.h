/* SPDX-License-Identifier: EUPL-1.2 */
/* HTML templates: a mustache-like language, parsed once at start into a read-only set
 * that any number of threads render concurrently, escaping output by default.
 *
 * Syntax (data is a jansson value: objects, arrays, strings, numbers, booleans, null):
 *
 *   {{ path }}          the value, HTML-escaped (& < > " ' become entities). Strings as is,
 *                       integers as integers, reals with at most 2 decimals ("3.5", "2"),
 *                       true/false/null/missing/objects/arrays as nothing.
 *   {{{ path }}}        the value unescaped: only for HTML we produced (cmark, SVG).
 *   path                a.b.c (object members; a segment of digits also indexes arrays);
 *                       the first segment is looked up in the current `each` item, then
 *                       in the enclosing items, then in the root ("scope walk-up").
 *                       `.` or `this` is the current item, `this.a` looks in it only,
 *                       `@root.a` in the root only. Inside `each`: `@index` (from 0),
 *                       `@number` (from 1), `@key` (when iterating an object).
 *                       Anywhere: `@locale`, the catalog locale the render uses ("fr",
 *                       "en"; "fr" without a catalog), for <html lang="{{@locale}}">.
 *   literals            "text" (with \" and \\), integers, reals, true, false, null.
 *   {{#if C}} … {{else}} … {{/if}}
 *                       C is a path (truthy unless missing, false, null, 0, "", or an
 *                       empty array), or (eq A B) / (ne A B) with paths or literals:
 *                       {{#if (eq unit.id @root.selected)}} selected{{/if}}.
 *                       Equality: same JSON value, null equals missing, and a string
 *                       equals a number whose printed form it is ("3" eq 3), so that form
 *                       values match database ids.
 *   {{#unless C}} … {{else}} … {{/unless}}
 *   {{#each path}} … {{else}} … {{/each}}
 *                       over an array's items or an object's members (in order, @key);
 *                       the else branch when it is empty, missing or not iterable.
 *   {{> name}}          includes template `name` of the same set, in the current scope.
 *   {{t "msg.key"}}     the translation (http/i18n) in the render's locale, escaped;
 *   {{t "k" p1 p2}}     with {1}, {2} in the translation replaced by the escaped values of
 *                       p1, p2; {{t path}} translates a key taken from the data;
 *                       {{{t "k" p1}}} leaves the translation unescaped (args still escaped).
 *   {{tn "k" n p2}}     the plural form of "k" (msgid_plural in the .po) for the count n,
 *                       by the locale's Plural-Forms rule; n is also {1}.
 *   {{num x}}, {{num x 2}}
 *                       the number x (integer, real, or a string holding one) written per
 *                       the render's locale with at most 1 (or the given 0–6) decimals:
 *                       "0,7" in French, "0.7" in English (http/locale_fmt.h).
 *   {{date x}}          the date x (epoch seconds, or a string starting "YYYY-MM-DD")
 *                       written per the locale: "5 décembre 2026", "5 December 2026".
 *                       Other values print as {{x}} would. Inside {{t}} / {{tn}}, an
 *                       argument may be (num x [decimals]) or (date x).
 *   {{!-- comment --}}  and {{! comment }} are dropped.
 *
 * Whitespace: a block tag (#…, else, /…, >, comment) alone on its line, with only spaces
 * or tabs around it, removes that whole line including its line break ("standalone"
 * rule), so templates can be indented freely. Value tags never do.
 */
#ifndef PASSPORT_HTTP_TMPL_H
#define PASSPORT_HTTP_TMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/i18n.h"

typedef struct tmpl_set tmpl_set; /* all templates of a folder, parsed once */

/* Loads every *.html file under dir, recursively (names are the relative path without
 * ".html": "layout", "admin/users"; hidden files and folders are skipped) and parses it.
 * i18n (may be NULL: keys show as themselves) must outlive the set. On a syntax error,
 * an unreadable file or an include of an unknown partial, returns NULL with err
 * "path/file.html:line: message". The caller owns the set (tmpl_set_free). */
tmpl_set *tmpl_set_load(const char *dir, const i18n_catalog *i18n, perr *err);

/* An empty set, to fill with tmpl_set_add (tests, fuzzing). Caller owns it. */
tmpl_set *tmpl_set_new(const i18n_catalog *i18n);

/* Parses src[0..len) (copied) as template `name`; errors read "name:line: message" and
 * leave the set unchanged. Partials may name templates added later. */
bool tmpl_set_add(tmpl_set *set, const char *name, const char *src, size_t len, perr *err);

/* Frees the set; tmpl_set_free(NULL) is a no-op. */
void tmpl_set_free(tmpl_set *set);

bool tmpl_exists(const tmpl_set *set, const char *name);

/* Renders template `name` with data (the root scope; may be NULL) in locale (NULL: the
 * default) and appends the result to out. Returns false with err set for an unknown
 * template or partial, or nesting deeper than the limits (64 `each`, 16 partials); out
 * may then hold partial output, which the caller discards. Never modifies the set or
 * data: safe to call from many threads at once. */
bool tmpl_render(const tmpl_set *set, const char *name, json_t *data, const char *locale,
                 buf *out, perr *err);

#endif
