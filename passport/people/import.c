/* The users CSV import: validate every row inside a transaction, commit only if none failed. */
#include "people/import.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/csv.h"
#include "people/account.h"
#include "people/audit.h"
#include "people/unit.h"

enum { COL_EMAIL, COL_NAME, COL_UNIT, COL_ROLES, COL_LOCALE, NCOLS };
static const char *const col_names[NCOLS] = {"email", "name", "unit", "roles", "locale"};

static void problem(import_result *r, size_t line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void problem(import_result *r, size_t line, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_array_append_new(r->problems, json_pack("{s:I, s:s}", "line", (json_int_t)line, "message", msg));
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
            problem(r, 1, "unknown column '%s' (expected email, name, unit, roles, locale)", h);
            ok = false;
        } else if (idx[found] >= 0) {
            problem(r, 1, "column '%s' appears twice", col_names[found]);
            ok = false;
        } else {
            idx[found] = (int)i;
        }
    }
    if (idx[COL_EMAIL] < 0) problem(r, 1, "missing column 'email'");
    if (idx[COL_NAME] < 0) problem(r, 1, "missing column 'name'");
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
        problem(r, line, "invalid email '%s'", email);
        ok = false;
    } else {
        buf key = BUF_INIT;
        for (const char *p = email; *p; p++) buf_putc(&key, (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p));
        json_t *prev = json_object_get(seen, key.data);
        if (prev) {
            problem(r, line, "email '%s' already on line %lld", email, (long long)json_integer_value(prev));
            ok = false;
        } else {
            json_object_set_new(seen, key.data, json_integer((json_int_t)line));
        }
        buf_free(&key);
    }
    if (!*name || strlen(name) > 200) {
        problem(r, line, "missing or too long name");
        ok = false;
    }
    unsigned roles = ROLE_AGENT;
    if (*roles_s && !account_roles_parse(roles_s, &roles, &e)) {
        problem(r, line, "%s", e.msg);
        ok = false;
    }
    if (*locale && strcmp(locale, "fr") && strcmp(locale, "en")) {
        problem(r, line, "locale must be fr or en, got '%s'", locale);
        ok = false;
    }
    if (!ok) return true;
    long long unit_id = 0;
    if (*unit) {
        if (!unit_resolve_path(s, unit, true, &unit_id, &e)) {
            problem(r, line, "invalid unit '%s'", unit);
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
        if (!account_create(s, email, name, unit_id, roles, *locale ? locale : "fr", NULL, NULL, &e)) {
            problem(r, line, "cannot create account '%s': %s", email, e.msg);
            return true;
        }
        r->created++;
    }
    return true;
}

static long long count_units(store *s) {
    sqlite3_stmt *st = store_stmt(s, "SELECT count(*) FROM units", NULL);
    if (!st) return 0;
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_done(st);
    return n;
}

bool import_users(store *s, const char *csv, size_t len, long long actor_id, import_result *result,
                  perr *err) {
    memset(result, 0, sizeof *result);
    result->problems = json_array();
    if (len > IMPORT_MAX_BYTES) {
        problem(result, 0, "file too large (limit %u bytes)", IMPORT_MAX_BYTES);
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
        problem(result, 1, "%s", e.msg[0] ? e.msg : "empty file: a header row is required");
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
    if (e.msg[0]) problem(result, line, "%s", e.msg);
    if (!rows && !json_array_size(result->problems)) problem(result, 2, "no rows to import");
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
