/* SPDX-License-Identifier: EUPL-1.2 */
/* The change log of the caches (docs/performance.md): which agents' data changed, read
 * from the `changes` table that triggers fill in the same transaction as each write
 * (store/schema_changes.c), whichever process commits. A cache entry is stamped with
 * changelog_stamp() before the reads it holds; it may serve while changelog_current()
 * says that nothing of its agent (and nothing shared by everyone) changed since. So one
 * agent's write voids that agent's entries only, and a commit by another process (the
 * command line, another server on the same database) is seen by the next request. */
#ifndef PASSPORT_STORE_CHANGELOG_H
#define PASSPORT_STORE_CHANGELOG_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

typedef struct changelog changelog;

/* A log of s's changes from now on (earlier ones concern no entry yet). The store is
 * borrowed and must outlive the log; free with changelog_free (NULL: no-op). NULL with err
 * set when the table cannot be read. */
changelog *changelog_new(store *s, perr *err);
void changelog_free(changelog *l);

/* Brings the log up to date with every commit visible now: when the store's generation
 * moved (store_generation_fresh: this process's commits, and another connection's seen
 * through PRAGMA data_version), reads the changes since the last seq applied. Call it once
 * at the start of each request, before any lookup. Thread-safe; false (caches must not be
 * trusted for this request) when the log could not be read. */
bool changelog_sync(changelog *l);

/* changelog_sync that does not rely on notifications still on their way: while the store
 * listens (store_listen_start), a commit made by another process just before this call
 * may not have moved the generation yet, so this asks the table for its last seq (one
 * query) and reads what is new. For requests that write: a role removed or an account
 * disabled by another process a moment before is seen, whatever the notification's delay.
 * Without the listener (and on SQLite), the same as changelog_sync. */
bool changelog_sync_exact(changelog *l);

/* The stamp of data read from now on: the last seq applied, which every read transaction
 * started after this call sees (it may see more: the stamp is then older than the data,
 * which only costs a miss). */
long long changelog_stamp(const changelog *l);

/* What a change of an agent's data is about (the `scope` column of `changes`, set by the
 * triggers of migration 19): an entry that shows only some of an agent's data names the
 * scopes it shows, and a change of another scope leaves it current. A change logged with
 * scope 0 (the account, a session, the inbox, badges...: everything not listed here) voids
 * every entry of its key, whatever it shows. */
enum {
    CHANGE_LEARN = 1,    /* attempts, module visits: progress, the module to continue (with the module's id) */
    CHANGE_EVIDENCE = 2, /* evidence: levels, passport counts, recommendations */
};
#define CHANGE_ANY (CHANGE_LEARN | CHANGE_EVIDENCE) /* an entry that may show anything of its key */

/* True when nothing of key's (a user id; 0: what everyone sees) changed after stamp, as
 * far as the last changelog_sync knows. Keys share hashed buckets: a change of another key
 * may void an entry too (a miss), never the other way round. Same as
 * changelog_current_for(l, key, CHANGE_ANY, stamp). */
bool changelog_current(const changelog *l, long long key, long long stamp);

/* Same, for an entry that shows only the scopes (CHANGE_* bits) of key's data: changes of
 * other scopes do not void it; unscoped changes of key and changes for everyone do. */
bool changelog_current_for(const changelog *l, long long key, unsigned scopes, long long stamp);

/* Same, for an entry that shows, of key's data, the learning data of the modules ids[0..n)
 * alone (a module page and the module's copies in other languages, whose failed attempts
 * count toward its cooldown): the learning changes of key's other modules (attempts,
 * visits: migration 24 logs their module) leave it current; a learning change that names
 * no module, an unscoped change of key and a change for everyone void it. Module ids share
 * hashed buckets too (with key): another module's change may void it, never the other way. */
bool changelog_current_modules(const changelog *l, long long key, const char *const *ids, size_t n,
                               long long stamp);

/* Counters since the log was made, for /metrics: syncs that read the table, changes read,
 * and times the log fell behind the table's pruning (every entry voided). */
typedef struct changelog_stats {
    unsigned long long syncs, changes, lost;
} changelog_stats;
void changelog_stats_get(const changelog *l, changelog_stats *out);

#endif
