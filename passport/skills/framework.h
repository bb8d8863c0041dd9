/* SPDX-License-Identifier: EUPL-1.2 */
/* Competency frameworks as data: parsing and validating the framework CSV format of
 * courses/frameworks/README.md (27 columns, one row per competency) into memory, and the
 * display order of competency codes. No database here: see skills/skills.h. */
#ifndef PASSPORT_SKILLS_FRAMEWORK_H
#define PASSPORT_SKILLS_FRAMEWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define FRAMEWORK_LEVELS 8
#define FRAMEWORK_COLUMNS 27
#define FRAMEWORK_MAX_CODE 64
#define FRAMEWORK_MAX_ROWS 2000
#define FRAMEWORK_MAX_DESCRIPTOR 160 /* code points */

/* One competency row. Every string is owned by the framework and never NULL ("" when the
 * optional column is empty). */
typedef struct framework_competency {
    char *code;           /* "CRCN-4.1" */
    int area;             /* >= 1 */
    char *area_title_fr, *area_title_en;
    char *title_fr, *title_en;
    char *description_fr, *description_en;
    char *level_fr[FRAMEWORK_LEVELS], *level_en[FRAMEWORK_LEVELS]; /* index 0 = level 1 */
    size_t line;          /* line of the row in the file */
} framework_competency;

typedef struct framework {
    char *code;    /* "CRCN" */
    char *name;
    char *version;
    framework_competency *items; /* sorted by framework_code_cmp */
    size_t n;
} framework;

/* Parses and validates a whole framework file data[0..len). filename prefixes every
 * problem. On success returns a new framework the caller frees with framework_free. On
 * any problem returns NULL and appends to problems one line "filename:line: message\n"
 * per problem found (all lines are checked, not only the first bad one). */
framework *framework_parse(const char *data, size_t len, const char *filename, buf *problems);

/* Frees f; framework_free(NULL) is a no-op. */
void framework_free(framework *f);

/* Orders competency codes segment by segment ('.' and '-' separate segments), numeric
 * segments numerically ("1.10" after "1.9"), others bytewise; codes equal that way ("X-01",
 * "X-1") are ordered bytewise, so that 0 means identical. strcmp-like result. */
int framework_code_cmp(const char *a, const char *b);

/* True when s is a framework code: an uppercase ASCII letter, then uppercase letters,
 * digits or '_', 16 characters at most. */
bool framework_code_valid(const char *s);

/* True when code is "<fw>-" followed by 1+ ASCII letters, digits, '.', '_' or '-', and at
 * most FRAMEWORK_MAX_CODE bytes. */
bool framework_competency_code_valid(const char *fw, const char *code);

/* Appends s to b for quoting in a problem line: at most 60 characters (then "..."),
 * control characters (line breaks in quoted fields) shown as '?'. */
void framework_put_value(buf *b, const char *s);

#endif
