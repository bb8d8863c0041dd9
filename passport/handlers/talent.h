/* SPDX-License-Identifier: EUPL-1.2 */
/* Shared pieces of the talent area's handlers (talent.c: search, profiles, heatmap;
 * talent_calls.c: intrapreneur calls; talent_me.c: the agent's profile, consent, views,
 * export and erasure). */
#ifndef PASSPORT_HANDLERS_TALENT_H
#define PASSPORT_HANDLERS_TALENT_H

#include "handlers/app.h"
#include "talent/index.h"

/* The process's talent index over a->db, created on first use (borrowed; lives until the
 * process ends). */
talent_index *talent_shared_index(app *a);
/* The viewer of a search: HR (or admin with HR) sees everything visible; a manager their
 * unit's subtree. */
talent_viewer talent_viewer_of(const account *u);
/* Appends one ';'-separated CSV field (csv_write_field: quoted, a leading = + - @ TAB CR
 * LF prefixed with ' so that spreadsheets do not run it as a formula). */
void talent_csv_field(buf *out, const char *s, bool last);

/* Sets, on each object of arr, key_member to prefix + the string value of member (an i18n
 * key for templates: "talent.app." + "applied"). arr may be an object (one item). */
void talent_add_keys(json_t *arr, const char *member, const char *prefix, const char *key_member);

/* Did the person open this page themself? False when a browser says another site (or a
 * sibling site) started the request (Sec-Fetch-Site: cross-site or same-site): a link on
 * another site must not record a profile view in someone's name. True for a bearer token,
 * a same-origin request, an address typed or bookmarked (none), and a client that sends
 * no Sec-Fetch-Site (not a browser, or one older than 2023: docs/privacy.md). */
bool talent_view_intended(http_req *req);
/* Answers a request that is not talent_view_intended, before anything is looked up (the
 * same for any id): the API 403 "privacy.cross_site"; a page, 200 with a link to the same
 * address, which the person follows if they meant to open it. */
void talent_view_confirm(app *a, http_req *req, http_resp *resp);

/* Sets "title" on each need {code, …} of needs: the competency's title from titles
 * ([{code, title}], as calls_competencies gives), else the code. */
void talent_name_needs(json_t *needs, const json_t *titles);

/* May viewer see target's talent profile (themself; a visible profile in their reach)?
 * False for a hidden or absent one alike. */
bool talent_may_view_profile(app *a, const account *viewer, long long target);

void talent_calls_routes(http_router *r);
void talent_me_routes(http_router *r);

#endif
