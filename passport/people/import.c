/* SPDX-License-Identifier: EUPL-1.2 */
/* The users CSV import: validate every row inside a transaction, commit only if none failed. */
#include "people/import.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/csv.h"
#include "people/account.h"
#include "people/account_link.h"
#include "people/audit.h"
#include "people/unit.h"

enum { COL_EMAIL, COL_NAME, COL_UNIT, COL_ROLES, COL_LOCALE, NCOLS };
static const char *const col_names[NCOLS] = {"email", "name", "unit", "roles", "locale"};

/* Problem messages: an i18n key (translated by the web page) and its English text for
 * the command line; {1}, {2} are filled from the arguments. */
static const struct {
    const char *key, *english;
} messages[] = {
    {"import.unknown_column", "unknown column '{1}' (expected email, name, unit, roles, locale)"},
    {"import.duplicate_column", "column '{1}' appears twice"},
    {"import.missing_column", "missing column '{1}'"},
    {"import.bad_email", "invalid email '{1}'"},
    {"import.duplicate_email", "email '{1}' already on line {2}"},
    {"import.bad_name", "missing or too long name"},
    {"import.bad_roles", "unknown roles '{1}' (agent, manager, hr, admin)"},
    {"import.bad_locale", "locale must be fr or en, got '{1}'"},
    {"import.bad_unit", "invalid unit '{1}'"},
    {"import.create_failed", "cannot create account '{1}'"},
    {"import.too_large", "file too large (limit {1} bytes)"},
    {"import.csv", "{1}"},
    {"import.empty", "empty file: a header row is required"},
    {"import.no_rows", "no rows to import"},
};

/* Records a problem at line with up to two string arguments (NULL for none). */
static void problem(import_result *r, size_t line, const char *key, const char *a1, const char *a2) {
    const char *english = key;
    for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
        if (!strcmp(messages[i].key, key)) english = messages[i].english;
    json_t *args = json_array();
    if (a1) json_array_append_new(args, json_string(a1));
    if (a2) json_array_append_new(args, json_string(a2));
    buf msg = BUF_INIT;
    for (const char *p = english; *p; p++) {
        if (*p == '{' && (p[1] == '1' || p[1] == '2') && p[2] == '}') {
            const char *v = p[1] == '1' ? a1 : a2;
            buf_puts(&msg, v ? v : "");
            p += 2;
        } else {
            buf_putc(&msg, *p);
        }
    }
    json_array_append_new(r->problems, json_pack("{s:I, s:s, s:o, s:s}", "line", (json_int_t)line, "key", key,
                                                 "args", args, "message", buf_cstr(&msg)));
    buf_free(&msg);
}

/* Maps header names to column indexes; reports unknown and missing columns. */
static bool read_header(size_t n, const char *const *fields, int idx[NCOLS], import_result *r) {
    for (int c = 0; c < NCOLS; c++) idx[c] = -1;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const char *h = fields[i];
        while (*h == ' ') h++;
        int found = -1;
        for (int c = 0; c < NCOLS; c++)
            if (!strcasecmp(h, col_names[c]) || (c == COL_NAME && !strcasecmp(h, "nom")) ||
                (c == COL_UNIT && !strcasecmp(h, "unité")) || (c == COL_ROLES && !strcasecmp(h, "rôles")))
                found = c;
        if (found < 0) {
            problem(r, 1, "import.unknown_column", h, NULL);
            ok = false;
        } else if (idx[found] >= 0) {
            problem(r, 1, "import.duplicate_column", col_names[found], NULL);
            ok = false;
        } else {
            idx[found] = (int)i;
        }
    }
    if (idx[COL_EMAIL] < 0) problem(r, 1, "import.missing_column", "email", NULL);
    if (idx[COL_NAME] < 0) problem(r, 1, "import.missing_column", "name", NULL);
    return ok && idx[COL_EMAIL] >= 0 && idx[COL_NAME] >= 0;
}

static const char *field(size_t n, const char *const *f, int i) {
    return i >= 0 && (size_t)i < n ? f[i] : "";
}

/* Validates and applies one data row; reports its problems. */
static bool import_row(store *s, size_t line, size_t n, const char *const *f, const int idx[NCOLS],
                       json_t *seen, import_result *r, perr *err) {
    const char *email = field(n, f, idx[COL_EMAIL]), *name = field(n, f, idx[COL_NAME]);
    const char *unit = field(n, f, idx[COL_UNIT]), *roles_s = field(n, f, idx[COL_ROLES]);
    const char *locale = field(n, f, idx[COL_LOCALE]);
    bool ok = true;
    perr e = {{0}};
    if (!account_email_valid(email)) {
        problem(r, line, "import.bad_email", email, NULL);
        ok = false;
    } else {
        buf key = BUF_INIT;
        for (const char *p = email; *p; p++) buf_putc(&key, (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p));
        json_t *prev = json_object_get(seen, key.data);
        if (prev) {
            char prev_line[24];
            snprintf(prev_line, sizeof prev_line, "%lld", (long long)json_integer_value(prev));
            problem(r, line, "import.duplicate_email", email, prev_line);
            ok = false;
        } else {
            json_object_set_new(seen, key.data, json_integer((json_int_t)line));
        }
        buf_free(&key);
    }
    if (!*name || strlen(name) > 200) {
        problem(r, line, "import.bad_name", NULL, NULL);
        ok = false;
    }
    unsigned roles = ROLE_AGENT;
    if (*roles_s && !account_roles_parse(roles_s, &roles, &e)) {
        problem(r, line, "import.bad_roles", roles_s, NULL);
        ok = false;
    }
    if (*locale && strcmp(locale, "fr") && strcmp(locale, "en")) {
        problem(r, line, "import.bad_locale", locale, NULL);
        ok = false;
    }
    if (!ok) return true;
    long long unit_id = 0;
    if (*unit) {
        if (!unit_resolve_path(s, unit, true, &unit_id, &e)) {
            problem(r, line, "import.bad_unit", unit, NULL);
            return true;
        }
    }
    account *a = account_by_email(s, email, &e);
    if (e.msg[0]) return perr_set(err, "%s", e.msg);
    if (a) {
        bool done = account_update(s, a->id, name, unit_id, roles, *locale ? locale : a->locale, &e);
        account_free(a);
        if (!done) return perr_set(err, "%s", e.msg);
        r->updated++;
    } else {
        long long id = 0;
        if (!account_create(s, email, name, unit_id, roles, *locale ? locale : "fr", NULL, &id, &e)) {
            problem(r, line, "import.create_failed", email, NULL);
            return true;
        }
        /* no password: the person chooses one from an invitation e-mail */
        if (!account_invite(s, id, &e)) return perr_set(err, "%s", e.msg);
        r->created++;
    }
    return true;
}

static long long count_units(store *s) {
    store_query *st = store_stmt(s, "SELECT count(*) FROM units", NULL);
    if (!st) return 0;
    long long n = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return n;
}

bool import_users(store *s, const char *csv, size_t len, long long actor_id, import_result *result,
                  perr *err) {
    memset(result, 0, sizeof *result);
    result->problems = json_array();
    if (len > IMPORT_MAX_BYTES) {
        char limit[24];
        snprintf(limit, sizeof limit, "%u", IMPORT_MAX_BYTES);
        problem(result, 0, "import.too_large", limit, NULL);
        return true;
    }
    csv_reader *rd = csv_reader_new(csv, len, CSV_SEP_AUTO);
    json_t *seen = json_object();
    size_t n = 0, line = 0, rows = 0;
    const char *const *f;
    int idx[NCOLS];
    perr e = {{0}};
    bool store_ok = true;
    if (!store_begin(s, err)) {
        store_ok = false;
        goto done;
    }
    long long units_before = count_units(s);
    if (!csv_next(rd, &n, &f, &line, &e)) {
        if (e.msg[0])
            problem(result, 1, "import.csv", e.msg, NULL);
        else
            problem(result, 1, "import.empty", NULL, NULL);
        goto done;
    }
    if (!read_header(n, f, idx, result)) goto done;
    while (csv_next(rd, &n, &f, &line, &e)) {
        rows++;
        if (!import_row(s, line, n, f, idx, seen, result, err)) {
            store_ok = false;
            goto done;
        }
    }
    if (e.msg[0]) problem(result, line, "import.csv", e.msg, NULL);
    if (!rows && !json_array_size(result->problems)) problem(result, 2, "import.no_rows", NULL, NULL);
done:
    if (store_ok && json_array_size(result->problems) == 0) {
        result->units_created = (int)(count_units(s) - units_before);
        char detail[128];
        snprintf(detail, sizeof detail, "created=%d updated=%d units_created=%d", result->created,
                 result->updated, result->units_created);
        audit_add(s, actor_id, "users.import", "users", 0, detail);
        store_ok = store_commit(s, err);
        result->applied = store_ok;
    } else {
        store_rollback(s);
        result->created = result->updated = result->units_created = 0;
    }
    json_decref(seen);
    csv_reader_free(rd);
    return store_ok;
}
