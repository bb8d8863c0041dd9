/* SPDX-License-Identifier: EUPL-1.2 */
/* The course library: every course folder under the courses directory, validated, with
 * each module's lesson and quiz rendered to HTML once at load. Immutable once built and
 * reference-counted, so that a reload can swap in a new library while requests in flight
 * finish with the old one. */
#ifndef PASSPORT_LEARN_LIBRARY_H
#define PASSPORT_LEARN_LIBRARY_H

#include <stdatomic.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "learn/diag.h"
#include "learn/policy.h"
#include "learn/quiz.h"

typedef struct learn_competency {
    char *code; /* "CRCN-4.1" */
    int level;  /* 1..8 */
} learn_competency;

/* The HTML of one question, rendered at load (no right answers in it). */
typedef struct learn_question_html {
    char *prompt;
    char **options;
    char *explanation; /* NULL when none */
} learn_question_html;

typedef struct learn_course learn_course;

typedef struct learn_module {
    char *id;
    char *title;
    char *lang;
    char *translation_of; /* NULL when none */
    char *file;           /* path of the Markdown file */
    char hash[65];        /* sha256 of the file (hex): the version */
    int minutes;
    double pass;
    learn_policy policy;  /* draw, reveal, attempts, cooldown (learn/policy.h) */
    size_t position;      /* 0-based rank in its course */
    learn_competency *comps;
    size_t ncomps;
    /* The lesson's HTML (without the title and the quiz) as a JSON string, made once at
     * load from validated UTF-8: read-only and shared, take a reference (json_incref). */
    json_t *lesson_html;
    char *lesson_text;    /* the lesson's Markdown source, for full-text search */
    quiz *quiz;
    learn_question_html *qhtml; /* quiz->n items */
    /* The quiz as shown before answering, never with the right answers: [{name, number,
     * kind, prompt_html, options: [{value, id, html}]}]. Built once at load, read-only and
     * shared: take a reference (json_incref), never modify it. */
    json_t *quiz_view;
    learn_course *course; /* the course holding it */
} learn_module;

struct learn_course {
    char *slug;
    char *dir;   /* folder path */
    char *title;
    char *lang;
    char *summary;
    char *badge;          /* NULL when none */
    char *translation_of; /* NULL when none */
    char *intro_html;
    char hash[65];        /* sha256 over the course's files */
    int minutes;          /* total of its modules */
    learn_module **modules;
    size_t nmodules;
    atomic_int refs;      /* libraries holding it */
};

typedef struct learn_library {
    char *dir;
    learn_course **courses; /* in folder-name order */
    size_t ncourses;
    learn_module **index;   /* every module, sorted by id */
    size_t nindex;
    unsigned char nonce_key[32]; /* signs quiz nonces; random, kept across reloads */
    struct posbank *bank;   /* the positioning item bank of dir/positioning/ (learn/posbank.h) */
    atomic_int refs;
} learn_library;

/* Loads and validates the library in dir (see courses/README.md for the format). Every
 * problem is appended to d as file:line: message; a course with any problem is left out
 * of the library. When prev is given, a course of prev whose folder now fails to load is
 * kept as it was in prev (the previous version keeps serving). Competency codes are
 * checked against the `code` column of dir/frameworks/NAME.csv. The quiz nonce key is
 * prev's (so that open quiz forms survive a reload) or new random bytes. Returns a new library with
 * one reference (library_release); never NULL (empty when dir cannot be read, with a
 * problem in d). d may be NULL (problems are then dropped). */
learn_library *library_load(const char *dir, const learn_library *prev, diag_list *d);

/* Adds a reference to lib and returns it. NULL: returns NULL. */
learn_library *library_retain(learn_library *lib);
/* Drops a reference; the last one frees the library (and the courses it alone holds).
 * NULL: no-op. */
void library_release(learn_library *lib);

/* The module with this id, or NULL (owned by lib). */
const learn_module *library_module(const learn_library *lib, const char *id);
/* At most this many copies of one module in other languages are counted together. */
#define LIBRARY_COPIES_MAX 8

/* The ids of m and of its copies in other languages in lib (translation_of, either way:
 * the module it translates, and every module that translates the same one or m), m's
 * own id first; returns their number (at least 1, at most LIBRARY_COPIES_MAX). The
 * strings are owned by lib. */
size_t library_copies(const learn_library *lib, const learn_module *m, const char *ids[LIBRARY_COPIES_MAX]);

/* The course with this slug, or NULL (owned by lib). */
const learn_course *library_course(const learn_library *lib, const char *slug);

/* The library's version: the lowercase hex SHA-256 over each course's slug and hash (the
 * hash of its files), in folder-name order, into out. Two servers serve the same courses
 * when their libraries have the same hash (docs/deployment.md). */
void library_hash(const learn_library *lib, char out[65]);

/* The competency codes of dir/frameworks/NAME.csv, sorted (strcmp), in a new array of new
 * strings the caller frees (each, then the array); *n their number (0 and NULL when none).
 * Problems reading the files go to d (may be NULL). */
char **library_competency_codes(const char *dir, size_t *n, diag_list *d);

/* True when name is a safe asset file name for a course folder: not hidden, no "/", no
 * "..", and an allowed image extension. Sets *mime to its type (a static string). */
bool library_asset_type(const char *name, const char **mime);

#endif
