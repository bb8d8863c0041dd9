/* SPDX-License-Identifier: EUPL-1.2 */
/* The course catalog in the store: syncing the loaded library (content hash as version,
 * removed modules archived, never deleted) and full-text search over titles and lessons
 * with accents folded (FTS5, unicode61 remove_diacritics 2). */
#ifndef PASSPORT_LEARN_CATALOG_H
#define PASSPORT_LEARN_CATALOG_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"
#include "learn/library.h"
#include "store/store.h"

/* Writes lib into the store in one transaction of its own: courses and modules upserted
 * (rows whose version hash is unchanged are left alone), competencies and the search
 * index refreshed for changed modules, and every stored course or module that lib no
 * longer holds archived (archived_at set, search entry removed). A module that comes back
 * is un-archived. On error nothing is written. */
bool catalog_sync(store *s, const learn_library *lib, perr *err);

/* The ids of the non-archived modules matching the words of q (each word stemmed by
 * catalog_stem, then a prefix; all required; accents and case ignored), at most limit.
 * ranked: modules whose title holds every word first, then the others, each group by
 * BM25 (title weighing ten times the lesson); else in no particular order, for callers
 * that only need the set (ranking costs most of a search that matches every module).
 * Returns a new JSON array of strings the caller owns (empty when q has no word), NULL
 * on error. */
json_t *catalog_search(store *s, const char *q, bool ranked, size_t limit, perr *err);

/* Builds the FTS5 query for q into out ("word"* "word2"*, each word stemmed; with column
 * non-NULL every phrase is limited to it: column : "word"*); false when q has no word. */
bool catalog_fts_query(const char *q, const char *column, buf *out);

/* Appends text's words to out, separated by one space, each ASCII-lower-cased and
 * stemmed for French plurals: final -s or -x dropped ("mots" -> "mot", "réseaux" ->
 * "réseau"), "-aux" -> "-al" ("journaux" -> "journal"), "-ée" -> "-é", "-ee" -> "-e" (the
 * same word typed without its accent); words of three
 * bytes or less are kept. Punctuation is dropped. With max_repeats > 0, a stem is written
 * at most that many times (the later ones are dropped); 0: no limit. */
void catalog_stem(const char *text, unsigned max_repeats, buf *out);

/* How many times the search index holds one stem of a lesson: BM25's term frequency
 * saturates (k1 = 1.2: the 8th occurrence of a word adds 2 % to its score) while every
 * occurrence kept costs ranking time on queries that match every module; 3 changed the
 * real library's rankings, 8 keeps them (docs/search.md). */
#define CATALOG_BODY_REPEATS 8

/* 1 when the module is in the store and archived, 0 when it is there and live, -1 when
 * the store does not know it. */
int catalog_module_archived(store *s, const char *id);

#endif
