/* SPDX-License-Identifier: EUPL-1.2 */
/* The in-memory talent index: per agent their unit, visibility, availability and, per
 * competency, verified and declared levels with the day of their newest evidence, folded
 * by the passport's own level rule (skills/level.h, mapped competencies included); built
 * from the store in the background from talent_index_new on, and patched from the
 * talent_changes log (filled by triggers) before each read. Talent search, call matching
 * and the heatmap scan it in C. */
#ifndef PASSPORT_TALENT_INDEX_H
#define PASSPORT_TALENT_INDEX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

#define TALENT_MAX_NEEDS 8
#define TALENT_MAX_PER_PAGE 100
#define TALENT_MAX_PAGE 200
#define TALENT_SMALL_COUNT 5 /* aggregate counts below this are shown as "< 5" */

typedef struct talent_index talent_index;

/* Visibility of a profile (users.visibility): hidden (default), hr, all. */
typedef enum talent_visibility { TALENT_HIDDEN = 0, TALENT_VISIBLE_HR = 1, TALENT_VISIBLE_ALL = 2 } talent_visibility;

/* "hidden", "hr", "all" (static strings). */
const char *talent_visibility_name(talent_visibility v);
/* The visibility named by name; false when name is none of the three. */
bool talent_visibility_parse(const char *name, talent_visibility *out);

/* One need of a search or a call: a competency (by code, resolved by the index), the
 * minimum level 1..8 and a weight 1..5. */
typedef struct talent_need {
    char code[48];
    int min_level;
    int weight;
} talent_need;

/* Who searches: HR sees visible profiles everywhere; a manager (hr false) only those in
 * the subtree of scope_unit (0: nothing). */
typedef struct talent_viewer {
    long long user_id;
    bool hr;
    long long scope_unit;
} talent_viewer;

typedef struct talent_query {
    talent_need needs[TALENT_MAX_NEEDS];
    size_t nneeds;
    bool declared;        /* declared (self-assessed) evidence counts too */
    int fresh_months;     /* > 0: the level's newest evidence is at most this old */
    long long unit_id;    /* > 0: only this unit's subtree */
    bool available_only;  /* only agents available for calls */
    const char *text;     /* free text over bio, interests, passed module titles; may be NULL */
    const char *badge;    /* an achievement slug the agent holds (when badges exist); may be NULL */
    bool require_levels;  /* true: every need's minimum must be met (search); false: rank all (calls) */
    long long only_user;  /* > 0: consider this user only (explain one applicant) */
    bool no_hidden_units; /* leave the "hidden" list out, hidden_total stays (an export, a
                           * call's suggestions: 2 515 units at a million agents) */
    int page;             /* from 1 */
    int per_page;         /* 1..TALENT_MAX_PER_PAGE */
} talent_query;

/* A new index over s (borrowed: it must outlive the index). Its first build starts at
 * once in a thread of its own (a store connection of that thread): it reads the agents a
 * search can show (opted in, active) first, and a search that comes before waits for
 * those only; then it folds the other agents' levels in steps (a read that needs them, the
 * heatmap or an applicant's explanation, waits for the rest). The caller frees it with
 * talent_index_free (NULL: no-op), which stops a build still running and waits for its
 * thread. */
talent_index *talent_index_new(store *s);
/* The same without the thread (tests): the first read builds it as the thread would, the
 * agents a search can show first; the others' levels wait for a read that needs them. */
talent_index *talent_index_new_lazy(store *s);
void talent_index_free(talent_index *ix);

/* Brings the index up to date with the store (cheap when nothing changed). Thread-safe. */
bool talent_index_refresh(talent_index *ix, perr *err);

/* Parses "CRCN-4.1:3,CRCN-3.2:2:2" (code:min_level[:weight], comma-separated) into q's
 * needs, appending. Errors: "talent.unknown_competency", "talent.bad_level",
 * "talent.bad_weight", "talent.too_many_needs". */
bool talent_query_add_needs(talent_index *ix, talent_query *q, const char *spec, perr *err);
/* Adds one need; same errors. */
bool talent_query_add_need(talent_index *ix, talent_query *q, const char *code, int min_level, int weight,
                           perr *err);

/* Runs q for viewer. Returns a new JSON object the caller owns, or NULL with err set:
 *   {total, page, per_page, pages, results: [{user_id, name, unit, unit_id, available,
 *    visibility, score, needs: [{code, level, required, weight, points, kind}]}],
 *    hidden: [{unit_id, unit, count}] (count an integer >= 5 or the string "< 5"),
 *    hidden_total (string: exact when >= 5, else "< 5")}
 * Only profiles visible to the viewer appear in results. hidden counts every hidden
 * agent in the viewer's reach per unit, whatever q asks: the counts never depend on a
 * filter, a need or a word (docs/privacy.md, "no oracle"). Results are sorted by score
 * (desc), then name. */
json_t *talent_search(talent_index *ix, const talent_viewer *viewer, const talent_query *q, perr *err);

/* talent_search as JSON text: appends to out exactly what json_dumps(talent_search(...),
 * JSON_COMPACT | JSON_ENSURE_ASCII) writes, the hidden part copied from a text kept per
 * reach (HR, or a manager's subtree) while the index does not change (most of the answer
 * at a million agents: one entry per unit). False with err set (out then unspecified). */
bool talent_search_dump(talent_index *ix, const talent_viewer *viewer, const talent_query *q, buf *out, perr *err);

/* Explains the score of one user against needs whatever their visibility (applicants who
 * consented by applying): {score, needs: [...]} as in talent_search, or NULL when the
 * user is not in the index. New reference. */
json_t *talent_explain(talent_index *ix, long long user_id, const talent_query *q, perr *err);

/* The verified levels of one user: [{code, level, declared, date}] for competencies with
 * any evidence, or NULL when absent. New reference. */
json_t *talent_levels(talent_index *ix, long long user_id, perr *err);

/* The skills heatmap: per unit (direct members, agents only) and per area 1..5 of the
 * framework fw ("CRCN"), the agents' average verified level (mean over the area's
 * competencies, then over agents) and headcount. Cells of fewer than TALENT_SMALL_COUNT
 * agents are suppressed (average null, count "< 5"). New reference:
 *   {areas: [1..5], rows: [{unit_id, unit, headcount, suppressed, cells: [{area, average,
 *    level (rounded 0..8), suppressed}]}]} */
json_t *talent_heatmap(talent_index *ix, const char *fw, perr *err);

/* The bytes the index holds in its arrays (strings aside): for the log and benchmarks. */
size_t talent_index_bytes(talent_index *ix);

/* Number of agents in the index (after a refresh). */
size_t talent_index_size(talent_index *ix);

#endif
