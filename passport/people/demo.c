/* SPDX-License-Identifier: EUPL-1.2 */
/* Demo organisation: a small French administration with one account per role. */
#include "people/demo.h"

#include <stdlib.h>

#include "people/account.h"
#include "people/audit.h"
#include "people/password.h"
#include "people/unit.h"

static const struct {
    const char *email, *name, *unit;
    unsigned roles;
} people[] = {
    {"admin@demo.passport.test", "Alice Admin", "Direction générale", ROLE_ADMIN | ROLE_AGENT},
    {"rh@demo.passport.test", "Claire Martin", "Direction générale / Direction des ressources humaines",
     ROLE_HR | ROLE_AGENT},
    {"manager@demo.passport.test", "Karim Benali", "Direction générale / Direction du numérique",
     ROLE_MANAGER | ROLE_AGENT},
    {"agent@demo.passport.test", "Léa Dubois", "Direction générale / Direction du numérique / Service des usages",
     ROLE_AGENT},
    {"agent2@demo.passport.test", "Marc Petit",
     "Direction générale / Direction des ressources humaines / Service formation", ROLE_AGENT},
};

json_t *demo_create(store *s, const char *password, perr *err) {
    json_t *out = json_array();
    password_cost cost = password_cost_default();
    if (!store_begin(s, err)) goto fail;
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        char generated[17];
        password_generate(generated);
        const char *pw = password ? password : generated;
        char *hash = password_hash(pw, cost, err);
        long long unit_id = 0, id = 0;
        bool ok = hash && unit_resolve_path(s, people[i].unit, true, &unit_id, err) &&
                  account_create(s, people[i].email, people[i].name, unit_id, people[i].roles, "fr", hash, &id, err);
        free(hash);
        if (!ok) {
            store_rollback(s);
            goto fail;
        }
        char roles[32];
        account_roles_format(people[i].roles, roles);
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "email", people[i].email, "password", pw,
                                             "roles", roles, "name", people[i].name));
    }
    audit_add(s, 0, "demo.create", "", 0, "");
    if (!store_commit(s, err)) goto fail;
    return out;
fail:
    json_decref(out);
    return NULL;
}
