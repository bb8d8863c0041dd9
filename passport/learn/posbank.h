/* SPDX-License-Identifier: EUPL-1.2 */
/* The item bank of the positioning test: courses/positioning/<CODE>.md (French, one file
 * per competence) and courses/positioning/en/<CODE>.md (English translations), items in
 * the quiz syntax under "## <item-id>" headings with a `level` and optional calibrated
 * parameters (format in docs/positioning.md). Loaded and validated once; immutable. */
#ifndef PASSPORT_LEARN_POSBANK_H
#define PASSPORT_LEARN_POSBANK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "learn/diag.h"
#include "learn/quiz.h"

#define POSBANK_MAX_ITEMS 4096

typedef struct posbank_item {
    char *id;         /* lowercase a-z, 0-9, '-' */
    char *code;       /* "CRCN-1.1" */
    size_t comp;      /* index of code in the bank's codes */
    int level;        /* 1..8 */
    double a, b;      /* IRT parameters: calibrated, or the defaults of learn/irt.h */
    bool has_a, has_b;/* given in the file (discrimination:, difficulty:) */
    char *file;       /* the French file, and the line of the item's heading */
    size_t line;
    quiz *fr;         /* exactly one question */
    quiz *en;         /* the English translation, or NULL */
    /* The question as shown, never with its answers: {kind, prompt_html, options: [{value,
     * id, html}]}, per language (view_en NULL without a translation). Read-only. */
    json_t *view_fr, *view_en;
} posbank_item;

typedef struct posbank {
    posbank_item *items; /* in file order, files sorted by name */
    size_t n;
    char **codes;        /* the competences with items, sorted */
    size_t ncodes;
} posbank;

/* Loads dir/positioning/ (dir: the courses folder). Every problem goes to d as
 * file:line: message: no or bad front matter, missing or bad level, bad parameters, a
 * malformed or duplicate item id, an item without exactly one valid question (no right
 * answer...), a competency unknown to the frameworks (CSV files) or different from the file's,
 * an English item without its French original. Items with a problem are left out. A
 * missing positioning folder is an empty bank without problem. Never NULL; free with
 * posbank_free. */
posbank *posbank_load(const char *dir, diag_list *d);
void posbank_free(posbank *b);
/* Parses one French bank file's text src[0..len) (named file in problems), with the known
 * competency codes codes[0..ncodes) (sorted, strcmp; borrowed): what posbank_load does for
 * each file, for tests and the fuzzer. Never NULL; free with posbank_free. */
posbank *posbank_parse(const char *src, size_t len, const char *file, char *const *codes, size_t ncodes, diag_list *d);

/* The item with this id, or NULL. */
const posbank_item *posbank_find(const posbank *b, const char *id);
/* The index of the item with this id, or SIZE_MAX. */
size_t posbank_index(const posbank *b, const char *id);
/* The index of competence code in b->codes, or SIZE_MAX. */
size_t posbank_comp(const posbank *b, const char *code);

#endif
