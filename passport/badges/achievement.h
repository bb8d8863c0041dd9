/* SPDX-License-Identifier: EUPL-1.2 */
/* Badge definitions (achievements) read from courses/badges/<slug>.yaml and .svg: names,
 * descriptions and criteria in French and English, alignment, award rule, validity. */
#ifndef PASSPORT_BADGES_ACHIEVEMENT_H
#define PASSPORT_BADGES_ACHIEVEMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "store/store.h"

/* A competency level the rule requires: the verified level of code is at least level. */
typedef struct achievement_level {
    char *code;
    int level;
} achievement_level;

/* One badge definition; every string is owned by its achievement_set. */
typedef struct achievement {
    long long id; /* achievements.id once synced (achievement_set_sync), else 0 */
    char *slug;
    char *name_fr, *name_en;
    char *description_fr, *description_en;
    char *criteria_fr, *criteria_en;
    char *image;  /* file name of the SVG beside the YAML */
    char *svg;    /* the SVG text */
    char **alignment; /* competency codes ("CRCN-4.1") */
    size_t nalignment;
    char **modules;   /* module ids that must all be passed */
    size_t nmodules;
    achievement_level *levels; /* verified levels that must all be reached */
    size_t nlevels;
    int valid_months; /* 0: no expiry */
} achievement;

typedef struct achievement_set {
    achievement *items;
    size_t n;
} achievement_set;

/* Loads every *.yaml of dir (sorted by name) with its SVG. A new set the caller frees
 * with achievement_set_free, or NULL with err naming the file and the problem (a missing
 * member, a bad rule item "CODE@LEVEL", an image that is not a readable .svg). A missing
 * folder gives an empty set. */
achievement_set *achievement_set_load(const char *dir, perr *err);
void achievement_set_free(achievement_set *set);
/* Parses one definition from YAML text; svg may be NULL. Fills *out (free its members
 * with achievement_clear). */
bool achievement_parse(const char *yaml, size_t len, achievement *out, perr *err);
void achievement_clear(achievement *a);

/* The achievement with slug, or NULL (owned by set). */
const achievement *achievement_find(const achievement_set *set, const char *slug);
/* The achievement with this store id, or NULL (owned by set). */
const achievement *achievement_by_id(const achievement_set *set, long long id);
/* Localised name / description / criteria ("en" gives English, anything else French). */
const char *achievement_name(const achievement *a, const char *locale);
const char *achievement_description(const achievement *a, const char *locale);
const char *achievement_criteria(const achievement *a, const char *locale);

/* Upserts every achievement of set into the achievements table (by slug) and records
 * their ids in the set. One transaction. */
bool achievement_set_sync(store *s, achievement_set *set, perr *err);

#endif
