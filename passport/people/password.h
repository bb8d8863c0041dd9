/* SPDX-License-Identifier: EUPL-1.2 */
/* Password hashing with argon2id (libargon2): encoded hashes carry their parameters, so
 * a change of cost is detected at login and the hash is upgraded. */
#ifndef PASSPORT_PEOPLE_PASSWORD_H
#define PASSPORT_PEOPLE_PASSWORD_H

#include <stdbool.h>

#include "core/err.h"

/* Cost parameters; defaults (m=19 MiB, t=2, p=1) are overridden by the environment
 * variables PASSPORT_ARGON2_M (KiB), PASSPORT_ARGON2_T and PASSPORT_ARGON2_P. */
typedef struct password_cost {
    unsigned m_kib, t, p;
} password_cost;

password_cost password_cost_default(void);

/* Checks the password policy: at least 12 characters (code points), at most 256 bytes,
 * not in the list of common passwords, not the email's local part. */
bool password_acceptable(const char *password, const char *email, perr *err);
/* Hashes password into a new encoded string ("$argon2id$v=19$m=...") the caller frees,
 * or NULL with err set. */
char *password_hash(const char *password, password_cost cost, perr *err);
/* A new encoded argon2id string (caller frees) with cost's parameters, a random salt and
 * a random digest instead of one computed from a password: verifying any password against
 * it costs a real verification and fails (for unknown accounts, so that they take the
 * same time as known ones), and making it costs nothing. */
char *password_decoy(password_cost cost);
/* True when password matches encoded. */
bool password_verify(const char *encoded, const char *password);
/* True when encoded was made with other parameters than cost (rehash at next login). */
bool password_needs_rehash(const char *encoded, password_cost cost);
/* A random password of 16 characters from an unambiguous alphabet, into out[17]. */
void password_generate(char out[17]);

#endif
