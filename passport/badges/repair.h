/* SPDX-License-Identifier: EUPL-1.2 */
/* Repair of badges whose rule is met but that were never issued: a database from before
 * awards moved into the earning attempt's transaction, a crash between an attestation and
 * its award check, an award that failed (an unreadable key) after its attempt committed.
 * `serve` runs it once at start, once it listens (cli/serve.c). */
#ifndef PASSPORT_BADGES_REPAIR_H
#define PASSPORT_BADGES_REPAIR_H

#include <stdbool.h>

#include "badges/badges.h"
#include "core/err.h"
#include "store/store.h"

/* Issues, by rule and one transaction per agent (badges_check_awards), every badge whose
 * rule holds for an active account that never received it (a revoked badge is not issued
 * again). Candidates come from the store, not from a scan of every account: for a rule
 * naming modules, the accounts that passed all of them; for a rule of levels only, the
 * accounts with evidence that is not declared. *issued (may be NULL) gets the count; each
 * issuance is logged. False with err at the first failure (what was issued stays). */
bool badges_repair(store *s, const badges_ctx *c, int *issued, perr *err);

#endif
