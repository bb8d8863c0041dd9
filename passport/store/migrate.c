/* SPDX-License-Identifier: EUPL-1.2 */
/* Copy of a SQLite store into an empty store of the same schema, checked table by table
 * (store/migrate.h). The source's catalog (sqlite_master, pragma_table_info,
 * pragma_foreign_key_list) says which tables to copy, their columns and their parents;
 * the target is written through the store API alone, so that it may be any engine. */
#include "store/migrate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/rand.h"
#include "store/cluster.h"

#define MAX_COLS 64
#define MAX_TABLES 128

typedef struct table_info {
    char name[64];
    char *cols[MAX_COLS];
    char types[MAX_COLS + 1]; /* 'i', 'r' or 't' per column */
    size_t ncols;
    int pk;                   /* the single INTEGER primary key column, or -1 */
    char parents[16][64];     /* tables its foreign keys reference (not itself) */
    size_t nparents;
    char self_from[64], self_to[64]; /* a foreign key to itself (units.parent_id), or "" */
    bool logged;              /* written by the source's triggers (the change logs): copied last */
    bool done;
} table_info;

static bool db_fail(store *s, perr *err) {
    return perr_set(err, "database error: %s", store_errmsg(s));
}

static void table_free(table_info *t) {
    for (size_t i = 0; i < t->ncols; i++) free(t->cols[i]);
}

void migrate_report_free(migrate_report *r) {
    if (!r) return;
    free(r->tables);
    r->tables = NULL;
    r->n = 0;
}

/* Columns, primary key, foreign keys and trigger use of t->name in the source. */
static bool describe(store *src, table_info *t, perr *err) {
    t->pk = -1;
    store_query *q = store_prepare(src, "SELECT name, upper(type), pk FROM pragma_table_info(?1) ORDER BY cid", err);
    if (!q) return false;
    store_bind_text(q, 1, t->name);
    int npk = 0, pkcol = -1;
    while (store_step(q) == STORE_ROW && t->ncols < MAX_COLS) {
        const char *type = store_col_text(q, 1);
        t->types[t->ncols] = !strcmp(type, "INTEGER") ? 'i' : !strcmp(type, "REAL") ? 'r' : 't';
        if (store_col_int(q, 2) > 0) {
            npk++;
            pkcol = (int)t->ncols;
        }
        t->cols[t->ncols++] = strdup(store_col_text(q, 0));
    }
    store_finalize(q);
    if (npk == 1 && t->types[pkcol] == 'i') t->pk = pkcol;
    q = store_prepare(src, "SELECT DISTINCT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1)", err);
    if (!q) return false;
    store_bind_text(q, 1, t->name);
    while (store_step(q) == STORE_ROW) {
        const char *parent = store_col_text(q, 0);
        if (!strcmp(parent, t->name)) {
            snprintf(t->self_from, sizeof t->self_from, "%s", store_col_text(q, 1));
            snprintf(t->self_to, sizeof t->self_to, "%s", store_col_text(q, 2));
        } else if (t->nparents < 16) {
            snprintf(t->parents[t->nparents++], 64, "%s", parent);
        }
    }
    store_finalize(q);
    q = store_prepare(src,
                      "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                      " AND (sql LIKE '%INSERT INTO ' || ?1 || '(%' OR sql LIKE '%INSERT INTO ' || ?1 || ' %')",
                      err);
    if (!q) return false;
    store_bind_text(q, 1, t->name);
    t->logged = store_step(q) == STORE_ROW && store_col_int(q, 0) > 0;
    store_finalize(q);
    return true;
}

/* The source's tables to copy, described, into tables (*n of them): every table but
 * SQLite's own, the full-text indexes and their shadow tables. */
static bool list_tables(store *src, table_info *tables, size_t *n, perr *err) {
    *n = 0;
    store_query *q = store_prepare(src,
                                   "SELECT t.name FROM sqlite_master t WHERE t.type = 'table'"
                                   " AND t.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                                   " AND t.sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
                                   " AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table'"
                                   "  AND v.sql LIKE 'CREATE VIRTUAL TABLE%' AND t.name LIKE v.name || '\\_%' ESCAPE '\\')"
                                   " ORDER BY t.rowid",
                                   err);
    if (!q) return false;
    int rc;
    while ((rc = store_step(q)) == STORE_ROW) {
        if (*n == MAX_TABLES) {
            store_finalize(q);
            return perr_set(err, "more than %d tables", MAX_TABLES);
        }
        table_info *t = &tables[(*n)++];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "%s", store_col_text(q, 0));
    }
    store_finalize(q);
    if (rc != STORE_DONE) return db_fail(src, err);
    for (size_t i = 0; i < *n; i++)
        if (!describe(src, &tables[i], err)) return false;
    return true;
}

/* Copy order into order[]: parents before children; the tables the triggers write (the
 * change logs) last, so that they are emptied of the rows the copy's own triggers add. */
static void copy_order(table_info *tables, size_t n, size_t *order) {
    size_t k = 0;
    for (int logged = 0; logged <= 1; logged++) {
        bool progress = true;
        while (progress) {
            progress = false;
            for (size_t i = 0; i < n; i++) {
                table_info *t = &tables[i];
                if (t->done || t->logged != logged) continue;
                bool ready = true;
                for (size_t p = 0; p < t->nparents && ready; p++)
                    for (size_t j = 0; j < n; j++)
                        if (!strcmp(tables[j].name, t->parents[p]) && !tables[j].done) ready = false;
                if (!ready) continue;
                t->done = true;
                order[k++] = i;
                progress = true;
            }
        }
    }
    for (size_t i = 0; i < n; i++) /* a cycle (none in the schema): in the source's order */
        if (!tables[i].done) order[k++] = i;
}

/* `"a", "b", ...` of t's columns (prefix each with p when not NULL). */
static void column_list(buf *b, const table_info *t, const char *p) {
    for (size_t i = 0; i < t->ncols; i++) buf_printf(b, "%s%s\"%s\"", i ? ", " : "", p ? p : "", t->cols[i]);
}

/* Adds the 32-byte big-endian number h to acc, modulo 2^256. */
static void add256(unsigned char acc[32], const unsigned char h[32]) {
    unsigned carry = 0;
    for (int i = 31; i >= 0; i--) {
        unsigned v = acc[i] + h[i] + carry;
        acc[i] = (unsigned char)v;
        carry = v >> 8;
    }
}

bool migrate_checksum(store *s, const char *table, const char *const *cols, const char *types, size_t ncols,
                      long long *rows, char out[65], perr *err) {
    buf sql = BUF_INIT, row = BUF_INIT;
    buf_puts(&sql, "SELECT ");
    for (size_t i = 0; i < ncols; i++) buf_printf(&sql, "%s\"%s\"", i ? ", " : "", cols[i]);
    buf_printf(&sql, " FROM \"%s\"", table);
    store_query *q = store_prepare(s, buf_cstr(&sql), err);
    buf_free(&sql);
    if (!q) return false;
    unsigned char acc[32] = {0}, h[32];
    *rows = 0;
    int rc;
    while ((rc = store_step(q)) == STORE_ROW) {
        buf_reset(&row);
        for (size_t i = 0; i < ncols; i++) {
            int c = (int)i;
            if (store_col_null(q, c)) buf_puts(&row, "n;");
            else if (types[i] == 'i') buf_printf(&row, "i%lld;", (long long)store_col_int64(q, c));
            else if (types[i] == 'r') buf_printf(&row, "r%.17g;", store_col_double(q, c));
            else {
                size_t len = store_col_bytes(q, c);
                buf_printf(&row, "t%zu:", len);
                buf_append(&row, store_col_text(q, c), len);
            }
        }
        rand_sha256(buf_cstr(&row), row.len, h);
        add256(acc, h);
        (*rows)++;
    }
    bool ok = rc == STORE_DONE || perr_set(err, "reading %s: %s", table, store_query_errmsg(q));
    store_finalize(q);
    buf_free(&row);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", acc[i]);
    return ok;
}

/* Refuses a target that a copy already filled, or in which a table to copy has rows. */
static bool target_empty(store *dst, const table_info *tables, size_t n, perr *err) {
    buf by = BUF_INIT, when = BUF_INIT;
    if (!cluster_fact(dst, "migrated_from", &when, &by, err)) return false;
    if (when.len) {
        perr_set(err, "the target was already filled by a copy (%s): a copy runs once, into an empty database",
                 buf_cstr(&when));
        buf_free(&by);
        buf_free(&when);
        return false;
    }
    buf_free(&by);
    buf_free(&when);
    for (size_t i = 0; i < n; i++) {
        buf sql = BUF_INIT;
        buf_printf(&sql, "SELECT 1 FROM \"%s\" LIMIT 1", tables[i].name);
        store_query *q = store_prepare(dst, buf_cstr(&sql), err);
        buf_free(&sql);
        if (!q) return perr_set(err, "the target has no table %s: is it at this release's schema?", tables[i].name);
        int rc = store_step(q);
        store_finalize(q);
        if (rc == STORE_ROW)
            return perr_set(err, "the target is not empty (table %s has rows): copy into a new, empty database",
                            tables[i].name);
        if (rc != STORE_DONE) return db_fail(dst, err);
    }
    return true;
}

/* One value of a row waiting in a batch (text copied). */
typedef struct cell {
    int type;
    int64_t i;
    double d;
    char *t;
    size_t n;
} cell;

/* Rows per INSERT: one round trip for many rows (PostgreSQL allows 65535 parameters). */
#define BATCH_ROWS 200
#define BATCH_PARAMS 30000

/* INSERT INTO t (cols) VALUES (?, ...), ... for rows rows: a new statement, NULL with err. */
static store_query *insert_stmt(store *dst, const table_info *t, size_t rows, perr *err) {
    buf sql = BUF_INIT;
    buf_printf(&sql, "INSERT INTO \"%s\" (", t->name);
    column_list(&sql, t, NULL);
    buf_puts(&sql, ") VALUES ");
    for (size_t r = 0; r < rows; r++) {
        buf_puts(&sql, r ? ", (" : "(");
        for (size_t i = 0; i < t->ncols; i++) buf_puts(&sql, i ? ", ?" : "?");
        buf_puts(&sql, ")");
    }
    store_query *q = store_prepare(dst, buf_cstr(&sql), err);
    buf_free(&sql);
    return q;
}

/* Inserts the rows batched in cells (rows of t->ncols) with q (made for that many rows). */
static bool flush(store_query *q, const table_info *t, cell *cells, size_t rows, perr *err) {
    for (size_t k = 0; k < rows * t->ncols; k++) {
        int p = (int)k + 1;
        switch (cells[k].type) {
        case STORE_NULL: store_bind_null(q, p); break;
        case STORE_INTEGER: store_bind_int64(q, p, cells[k].i); break;
        case STORE_FLOAT: store_bind_double(q, p, cells[k].d); break;
        default: store_bind_textn(q, p, cells[k].t, cells[k].n); break;
        }
    }
    int rc = store_step(q);
    store_done(q);
    for (size_t k = 0; k < rows * t->ncols; k++) {
        free(cells[k].t);
        cells[k].t = NULL;
    }
    return rc == STORE_DONE || perr_set(err, "copying %s: %s", t->name, store_query_errmsg(q));
}

/* Copies the rows of t (a self-referencing table parents first: by depth, and the batch
 * of a depth after those of the depths above), then moves the target's identity sequence
 * past the largest id. */
static bool copy_table(store *src, store *dst, const table_info *t, perr *err) {
    buf sql = BUF_INIT;
    bool ok = false;
    store_query *in = NULL, *out = NULL, *tail = NULL;
    size_t batch = BATCH_PARAMS / t->ncols < BATCH_ROWS ? BATCH_PARAMS / t->ncols : BATCH_ROWS;
    if (t->self_from[0]) batch = 1; /* a row may reference one of its own batch */
    cell *cells = calloc(batch * t->ncols, sizeof *cells);
    if (!cells) return perr_set(err, "out of memory");
    if (t->logged) { /* a change log: emptied of what the copy's triggers wrote, not copied */
        buf_printf(&sql, "DELETE FROM \"%s\"", t->name);
        ok = store_exec(dst, buf_cstr(&sql), err);
        goto done;
    }
    if (t->self_from[0]) {
        buf_printf(&sql,
                   "WITH RECURSIVE d(k, depth) AS (SELECT \"%s\", 0 FROM \"%s\" WHERE \"%s\" IS NULL"
                   " UNION ALL SELECT c.\"%s\", d.depth + 1 FROM \"%s\" c JOIN d ON c.\"%s\" = d.k) SELECT ",
                   t->self_to, t->name, t->self_from, t->self_to, t->name, t->self_from);
        column_list(&sql, t, "x.");
        buf_printf(&sql, " FROM \"%s\" x JOIN d ON d.k = x.\"%s\" ORDER BY d.depth", t->name, t->self_to);
    } else {
        buf_puts(&sql, "SELECT ");
        column_list(&sql, t, NULL);
        buf_printf(&sql, " FROM \"%s\"", t->name);
    }
    in = store_prepare(src, buf_cstr(&sql), err);
    out = in ? insert_stmt(dst, t, batch, err) : NULL;
    if (!out) goto done;
    int64_t max_id = 0;
    size_t rows = 0;
    int rc;
    while ((rc = store_step(in)) == STORE_ROW) {
        cell *row = cells + rows * t->ncols;
        for (size_t i = 0; i < t->ncols; i++) {
            int c = (int)i;
            row[i].type = store_col_type(in, c);
            if (row[i].type == STORE_INTEGER) row[i].i = store_col_int64(in, c);
            else if (row[i].type == STORE_FLOAT) row[i].d = store_col_double(in, c);
            else if (row[i].type != STORE_NULL) {
                row[i].n = store_col_bytes(in, c);
                row[i].t = malloc(row[i].n + 1);
                if (!row[i].t) {
                    perr_set(err, "out of memory");
                    goto done;
                }
                memcpy(row[i].t, store_col_text(in, c), row[i].n);
                row[i].t[row[i].n] = '\0';
            }
        }
        if (t->pk >= 0 && row[t->pk].i > max_id) max_id = row[t->pk].i;
        if (++rows == batch) {
            if (!flush(out, t, cells, rows, err)) goto done;
            rows = 0;
        }
    }
    if (rc != STORE_DONE) {
        perr_set(err, "reading %s: %s", t->name, store_query_errmsg(in));
        goto done;
    }
    if (rows && (!(tail = insert_stmt(dst, t, rows, err)) || !flush(tail, t, cells, rows, err))) goto done;
    if (t->pk >= 0 && max_id > 0) { /* SQLite continues after the largest rowid by itself */
        store_query *q = store_stmt2(dst, "SELECT ?1, ?2, ?3",
                                     "SELECT setval(pg_get_serial_sequence(?1, ?2), ?3)", err);
        if (!q) goto done;
        store_bind_text(q, 1, t->name);
        store_bind_text(q, 2, t->cols[t->pk]);
        store_bind_int64(q, 3, max_id);
        rc = store_step(q);
        store_done(q);
        if (rc != STORE_ROW) {
            db_fail(dst, err);
            goto done;
        }
    }
    ok = true;
done:
    for (size_t k = 0; k < batch * t->ncols; k++) free(cells[k].t);
    free(cells);
    store_finalize(in);
    store_finalize(out);
    store_finalize(tail);
    buf_free(&sql);
    return ok;
}

/* Reads both sides' counts and checksums into r; false with err naming the tables that differ. */
static bool verify(store *src, store *dst, const table_info *tables, const size_t *order, size_t n,
                   migrate_report *r, perr *err) {
    r->tables = calloc(n, sizeof *r->tables);
    if (!r->tables) return perr_set(err, "out of memory");
    r->n = n;
    buf bad = BUF_INIT;
    for (size_t k = 0; k < n; k++) {
        const table_info *t = &tables[order[k]];
        migrate_table *m = &r->tables[k];
        snprintf(m->name, sizeof m->name, "%s", t->name);
        if (!migrate_checksum(src, t->name, (const char *const *)t->cols, t->types, t->ncols, &m->src_rows,
                              m->src_sum, err) ||
            !migrate_checksum(dst, t->name, (const char *const *)t->cols, t->types, t->ncols, &m->dst_rows,
                              m->dst_sum, err)) {
            buf_free(&bad);
            return false;
        }
        m->log = t->logged;
        if (t->logged ? m->dst_rows != 0 : m->src_rows != m->dst_rows || strcmp(m->src_sum, m->dst_sum))
            buf_printf(&bad, "%s%s", bad.len ? ", " : "", t->name);
    }
    bool ok = !bad.len || perr_set(err, "the copy differs from the source in: %s", buf_cstr(&bad));
    buf_free(&bad);
    return ok;
}

bool migrate_copy(store *src, store *dst, const char *src_name, migrate_report *r, perr *err) {
    memset(r, 0, sizeof *r);
    table_info *tables = calloc(MAX_TABLES, sizeof *tables);
    size_t order[MAX_TABLES], n = 0;
    bool ok = false, reading = false;
    if (!tables) return perr_set(err, "out of memory");
    if (!list_tables(src, tables, &n, err) || !target_empty(dst, tables, n, err)) goto done;
    copy_order(tables, n, order);
    if (!store_read_begin(src, err)) goto done; /* one snapshot of the source */
    reading = true;
    if (!store_begin(dst, err)) goto done;
    for (size_t k = 0; k < n; k++)
        if (!copy_table(src, dst, &tables[order[k]], err)) {
            store_rollback(dst);
            goto done;
        }
    if (!store_commit(dst, err) || !verify(src, dst, tables, order, n, r, err)) goto done;
    char when[320];
    time_t now = (time_t)clock_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    int w = (int)strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ from ", &tm);
    snprintf(when + w, sizeof when - (size_t)w, "%s", src_name);
    ok = cluster_fact_set(dst, "migrated_from", when, "migrate-to-postgresql", clock_now(), err);
done:
    if (reading) store_read_end(src);
    for (size_t i = 0; i < n; i++) table_free(&tables[i]);
    free(tables);
    return ok;
}
