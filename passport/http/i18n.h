/* SPDX-License-Identifier: EUPL-1.2 */
/* Translation catalogs: one gettext .po file per locale (web/i18n/fr.po, en.po), whose
 * msgids are symbolic keys ("login.title") and msgstrs the text; lookup with fallback to
 * French then to the key, and Accept-Language negotiation. A loaded catalog is read-only:
 * any number of threads may query it at once. */
#ifndef PASSPORT_HTTP_I18N_H
#define PASSPORT_HTTP_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The locale every lookup falls back to, and the answer when negotiation finds nothing. */
#define I18N_DEFAULT_LOCALE "fr"

typedef struct i18n_catalog i18n_catalog;

/* Loads every <locale>.po file directly under dir (locale names such as "fr", "en",
 * "pt-BR" or "pt_BR"; other files are ignored). On a syntax error returns NULL with
 * err "path/fr.po:12: message". The caller owns the catalog (i18n_free). */
i18n_catalog *i18n_load_dir(const char *dir, perr *err);

/* An empty catalog, for building one from strings (tests, tools). Caller owns it. */
i18n_catalog *i18n_new(void);

/* Parses a .po text into the catalog under locale (which must not exist yet); fname is
 * only used in error messages ("fname:line: message"). On error the catalog is unchanged.
 * Supported: comments (# ...; "#, fuzzy" entries are skipped as gettext does), msgctxt
 * (the key becomes ctxt "\004" msgid, gettext's convention), msgid, msgid_plural with
 * msgstr[0..nplurals) (all forms kept; i18n_nget picks one), multi-line strings, C escapes (\n \t \r \" \\ \a \b \f
 * \v \' \? octal \ooo and \xHH, but no NUL), the header entry (msgid ""), which is not a
 * message but whose Plural-Forms line sets the plural rule: only "nplurals=2;
 * plural=(n > 1);" (French), "nplurals=2; plural=(n != 1);" (English) and "nplurals=1;
 * plural=0;" are known, any other is an error naming them. A msgid_plural before such a
 * header, or with another number of msgstr[N] than nplurals, is an error. Entries with an
 * empty msgstr (or an empty form) are untranslated and skipped. Duplicate msgids,
 * a msgid without msgstr, stray strings and invalid UTF-8 are errors. */
bool i18n_add_po(i18n_catalog *c, const char *locale, const char *src, size_t len,
                 const char *fname, perr *err);

/* Frees c; i18n_free(NULL) is a no-op. */
void i18n_free(i18n_catalog *c);

/* The text for key in locale, falling back to "fr", then to key itself. locale matching
 * is case-insensitive, "_" equals "-", and "en-GB" uses "en" when there is no "en-GB".
 * Never NULL: the result is owned by the catalog, or is key. c may be NULL (gives key). */
const char *i18n_get(const i18n_catalog *c, const char *locale, const char *key);

/* The form of the msgid_plural entry key for the count n, by the rule of the locale that
 * has the entry (locale, then "fr" as i18n_get falls back); for a singular entry its text;
 * else key. Never NULL. */
const char *i18n_nget(const i18n_catalog *c, const char *locale, const char *key, long long n);

/* i18n_nget with a locale index from i18n_locale_index (-1 allowed). */
const char *i18n_nget_at(const i18n_catalog *c, int index, const char *key, long long n);

/* Picks a supported locale from an Accept-Language header value: q-values honoured
 * (q=0 ranges are ignored), ties go to the earlier range, "en-GB" matches "en" and "en" matches
 * "en-GB", "*" means the default. Returns the catalog's locale name (valid while c lives)
 * or the static string "fr" when nothing matches or accept_language is NULL. */
const char *i18n_negotiate(const i18n_catalog *c, const char *accept_language);

/* True when the catalog has a .po file for exactly this locale (case-insensitive, "_"
 * equals "-"). */
bool i18n_has_locale(const i18n_catalog *c, const char *locale);

/* Calls cb(key, ud) for every key of "fr" that locale does not translate, in the order of
 * fr.po, and returns how many there were (cb may be NULL to just count). A locale absent
 * from the catalog misses every key. */
size_t i18n_missing(const i18n_catalog *c, const char *locale,
                    void (*cb)(const char *key, void *ud), void *ud);

/* Locales by index, sorted by name: for callers (the template engine) that resolve texts
 * once per locale. i18n_locale_name's result is owned by the catalog. */
size_t i18n_locale_count(const i18n_catalog *c);
const char *i18n_locale_name(const i18n_catalog *c, size_t i);

/* The index i18n_get would use first for locale (exact, then primary subtag, then "fr"),
 * or -1 when none applies. */
int i18n_locale_index(const i18n_catalog *c, const char *locale);

/* i18n_get with a locale index from i18n_locale_index (-1 allowed): the text in that
 * locale, else in "fr", else key. Never NULL: owned by the catalog, or is key. */
const char *i18n_get_at(const i18n_catalog *c, int index, const char *key);

#endif
