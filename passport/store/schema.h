/* SPDX-License-Identifier: EUPL-1.2 */
/* The SQL of each domain's migrations, one file per domain so that areas evolve apart.
 * Each is a sequence of statements run in one transaction by migrations_apply, in the
 * dialect of each engine: schema_x for SQLite, schema_x_pg for PostgreSQL 15 (same tables,
 * columns in the same order, indexes, constraints and triggers under the same names). */
#ifndef PASSPORT_STORE_SCHEMA_H
#define PASSPORT_STORE_SCHEMA_H

/* Migration 2: frameworks, competencies, levels, mapping, evidence. */
#define SCHEMA_SKILLS schema_skills
extern const char schema_skills[];
#define SCHEMA_SKILLS_PG schema_skills_pg
extern const char schema_skills_pg[];
/* Migration 3: courses, modules, module competencies, attempts, progress, search. */
#define SCHEMA_LEARN schema_learn
extern const char schema_learn[];
#define SCHEMA_LEARN_PG schema_learn_pg
extern const char schema_learn_pg[];

/* Migration 4: the in-app inbox. */
#define SCHEMA_PEOPLE schema_people
extern const char schema_people[];
#define SCHEMA_PEOPLE_PG schema_people_pg
extern const char schema_people_pg[];
/* Migration 5: talent profiles, consent, profile views, intrapreneur calls. */
#define SCHEMA_TALENT schema_talent
extern const char schema_talent[];
#define SCHEMA_TALENT_PG schema_talent_pg
extern const char schema_talent_pg[];
/* Migration 6: training paths and assignments. */
#define SCHEMA_PATHS schema_paths
extern const char schema_paths[];
#define SCHEMA_PATHS_PG schema_paths_pg
extern const char schema_paths_pg[];
/* Migration 7: achievements, credentials, status lists, share links. */
#define SCHEMA_BADGES schema_badges
extern const char schema_badges[];
#define SCHEMA_BADGES_PG schema_badges_pg
extern const char schema_badges_pg[];
/* Migration 8: personal API tokens. */
#define SCHEMA_TOKENS schema_tokens
extern const char schema_tokens[];
#define SCHEMA_TOKENS_PG schema_tokens_pg
extern const char schema_tokens_pg[];
/* Migration 9: positioning tests, their answers, re-checks. */
#define SCHEMA_POSITIONING schema_positioning
extern const char schema_positioning[];
#define SCHEMA_POSITIONING_PG schema_positioning_pg
extern const char schema_positioning_pg[];
/* Migration 10: the issuer DID and URL each revocation list is published under; whether a
 * share page names the holder. */
#define SCHEMA_STATUS schema_status
extern const char schema_status[];
#define SCHEMA_STATUS_PG schema_status_pg
extern const char schema_status_pg[];
/* Migration 11: outbox, mail preference, invitation/reset links, OIDC identities. */
#define SCHEMA_IDENTITY schema_identity
extern const char schema_identity[];
#define SCHEMA_IDENTITY_PG schema_identity_pg
extern const char schema_identity_pg[];
#define SCHEMA_RESET_REQUESTS schema_reset_requests
extern const char schema_reset_requests[];
#define SCHEMA_RESET_REQUESTS_PG schema_reset_requests_pg
extern const char schema_reset_requests_pg[];
/* Migration 12: privacy: profile views of passports, with a reason. */
#define SCHEMA_PRIVACY schema_privacy
extern const char schema_privacy[];
#define SCHEMA_PRIVACY_PG schema_privacy_pg
extern const char schema_privacy_pg[];
/* Migration 13: the questions an attempt drew; the attempt a quiz form produced. */
#define SCHEMA_LEARN_DRAWS schema_learn_draws
extern const char schema_learn_draws[];
#define SCHEMA_LEARN_DRAWS_PG schema_learn_draws_pg
extern const char schema_learn_draws_pg[];
/* Migration 14: the module search index emptied, to be refilled with stemmed words. */
#define SCHEMA_LEARN_STEMS schema_learn_stems
extern const char schema_learn_stems[];
#define SCHEMA_LEARN_STEMS_PG schema_learn_stems_pg
extern const char schema_learn_stems_pg[];
/* Migration 15: the prospects of a call (shortlisted or invited before applying). */
#define SCHEMA_TALENT_PROSPECTS schema_talent_prospects
extern const char schema_talent_prospects[];
#define SCHEMA_TALENT_PROSPECTS_PG schema_talent_prospects_pg
extern const char schema_talent_prospects_pg[];
/* Migration 16: the change log of the caches, filled by triggers (store/changelog.h). */
#define SCHEMA_CHANGES schema_changes
extern const char schema_changes[];
#define SCHEMA_CHANGES_PG schema_changes_pg
extern const char schema_changes_pg[];
/* Migration 17: leases, shared facts and server facts of several servers (store/cluster.h). */
#define SCHEMA_CLUSTER schema_cluster
#define SCHEMA_CLUSTER_PG schema_cluster_pg
extern const char schema_cluster[];
extern const char schema_cluster_pg[];
/* Migration 19: PostgreSQL's search: the title's own tsvector, bm25's counts in the key's
 * index (nothing on SQLite). */
#define SCHEMA_LEARN_SEARCH schema_learn_search
#define SCHEMA_LEARN_SEARCH_PG schema_learn_search_pg
extern const char schema_learn_search[];
extern const char schema_learn_search_pg[];
/* Migration 21: the scope of a change of the caches' log (store/changelog.h, CHANGE_*). */
#define SCHEMA_CHANGES_SCOPE schema_changes_scope
#define SCHEMA_CHANGES_SCOPE_PG schema_changes_scope_pg
extern const char schema_changes_scope[];
extern const char schema_changes_scope_pg[];
/* Migration 22: verified evidence by date, for the incremental re-check sweep. */
#define SCHEMA_RECHECK_DATES schema_recheck_dates
#define SCHEMA_RECHECK_DATES_PG schema_recheck_dates_pg
extern const char schema_recheck_dates[];
extern const char schema_recheck_dates_pg[];
/* Migration 23: PostgreSQL notifies the listening servers of each commit that logs a
 * change (store_listen_start; nothing on SQLite). */
#define SCHEMA_CHANGES_NOTIFY schema_changes_notify
#define SCHEMA_CHANGES_NOTIFY_PG schema_changes_notify_pg
extern const char schema_changes_notify[];
extern const char schema_changes_notify_pg[];
/* Migration 24: the module of a learning change (store/changelog.h, changelog_current_modules). */
#define SCHEMA_CHANGES_MODULE schema_changes_module
#define SCHEMA_CHANGES_MODULE_PG schema_changes_module_pg
extern const char schema_changes_module[];
extern const char schema_changes_module_pg[];
/* Migration 25: failed invitations and resets forget their secret link (one text for both). */
#define SCHEMA_OUTBOX_FAILED_LINKS schema_outbox_failed_links
extern const char schema_outbox_failed_links[];
/* Migration 26: PostgreSQL finds a search's matches through the GIN index of module_search
 * (passport_search_hits), never reading every lesson's tsvector (nothing on SQLite). */
#define SCHEMA_LEARN_HITS schema_learn_search
#define SCHEMA_LEARN_HITS_PG schema_learn_hits_pg
extern const char schema_learn_hits_pg[];

#endif
