/* SPDX-License-Identifier: EUPL-1.2 */
/* The PostgreSQL engine of the store (store_engine.h), through libpq: one connection per
 * thread (the front keeps them and their statement caches); the SQL's `?` and `?N` become `$N` once per statement, prepared on the server at
 * its first run on a connection and cached there by the SQL pointer, as SQLite's are;
 * results in text form, converted by the store_col_* calls (booleans read 1/0, bytea its
 * bytes); server errors mapped to the store's codes (constraints, lock waits) and counted
 * as SQLite's are.
 *
 * Write transactions: READ COMMITTED, and their first statement takes one transaction-level
 * advisory lock (pg_advisory_xact_lock) that every Passport server and command takes, so
 * that writes stay serialised as they are on SQLite (BEGIN IMMEDIATE): the domain code was
 * written for one writer at a time (read, decide, write) and stays correct with no
 * serialisation failures to retry; since the lock comes before any data is read, each
 * statement of the transaction sees every earlier writer's commit. The wait is bounded by
 * the store's write wait (lock_timeout) and answers busy, as on SQLite. Read transactions
 * (store_read_begin) are REPEATABLE READ: one snapshot; a write inside one (SQLite lets it
 * try) runs under a savepoint, so that its failure leaves the reads going. */
#include "store/store_engine.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

/* "Passport" in ASCII: the advisory lock of write transactions. */
#define WRITE_LOCK_KEY 0x50617373706f7274LL

/* Type numbers of PostgreSQL (pg_type.oid; stable across releases). */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_TEXT = 25,
       OID_OID = 26, OID_FLOAT4 = 700, OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

typedef struct pconn pconn;

/* One bound parameter: its text (NULL: SQL NULL) in num or in the grown buffer heap. */
typedef struct param {
    const char *val;
    Oid type; /* what was bound: OID_INT8, OID_FLOAT8 or OID_TEXT (for a parameter whose type
                 the server cannot infer) */
    char num[32];
    char *heap;
    size_t cap;
} param;

typedef struct pg_query {
    store_query base; /* engine ENGINE_PG */
    pconn *c;
    char *sql;        /* with $N placeholders */
    char name[24];    /* of the statement on the server */
    bool cached;      /* from store_stmt (else store_prepare: deallocated by store_finalize) */
    unsigned epoch;   /* c->epoch when prepared on the server; 0: not prepared */
    bool writes;      /* INSERT, UPDATE or DELETE */
    bool may_fail;    /* this run is store_step_may_fail's: under a savepoint in a transaction */
    int nparams;
    param *params;
    PGresult *res;    /* the current execution's rows; NULL: not run since the last reset */
    int row, nrows;   /* the current row (-1 before the first) */
    char **decoded;   /* per column of the current row: bytea decoded, or NULL */
    size_t *decoded_len;
} pg_query;

struct pconn {
    store_conn base;   /* owner, list, statement cache, write and busy flags (store.c) */
    PGconn *pg;
    unsigned epoch;    /* moves at each (re)connection: statements prepared before are gone */
    unsigned names;    /* statement names given */
    bool in_read;      /* the open transaction is a read transaction (store_read_begin) */
    int changes;       /* rows changed by the last INSERT, UPDATE or DELETE */
    char *snapshot;    /* pg_current_snapshot() at the last look (store_generation_fresh) */
    char errmsg[512];
    char failed[256];  /* the statement whose failure aborted the open transaction, and why */
};

#define Q(q) ((pg_query *)(q))
#define PCONN(c) ((pconn *)(c))

/* ---- errors ---- */

/* Keeps the failure's message on the connection (store_errmsg) and answers its store code:
 * constraints (class 23, and a trigger's RAISE, as SQLite's RAISE(ABORT) is a constraint),
 * busy (a lock wait past lock_timeout, a serialization failure or deadlock), else an error,
 * counted unless the caller expects it (SQL errors, data errors, an aborted transaction). */
static int fail_code_busy(pconn *c, PGresult *res, bool busy_counts);

static int fail_code(pconn *c, PGresult *res) {
    return fail_code_busy(c, res, true);
}

/* fail_code; busy_counts false: a lock or serialization failure is answered STORE_BUSY
 * but neither counted nor left in store_busy (a write that may fail, inside reads). */
static int fail_code_busy(pconn *c, PGresult *res, bool busy_counts) {
    const char *msg = res ? PQresultErrorMessage(res) : "";
    if (!*msg) msg = PQerrorMessage(c->pg);
    snprintf(c->errmsg, sizeof c->errmsg, "%s", *msg ? msg : "unknown PostgreSQL error");
    size_t n = strlen(c->errmsg);
    while (n && (c->errmsg[n - 1] == '\n' || c->errmsg[n - 1] == ' ')) c->errmsg[--n] = '\0';
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state) state = "08000"; /* no answer: the connection failed */
    if (!strncmp(state, "23", 2) || !strcmp(state, "P0001")) return STORE_CONSTRAINT;
    if (!strcmp(state, "55P03") || !strcmp(state, "40001") || !strcmp(state, "40P01")) {
        if (busy_counts && !c->base.busy) store_count_busy_refusal();
        if (busy_counts) c->base.busy = true;
        return STORE_BUSY;
    }
    int faults = FAULT_OTHER;
    if (!strncmp(state, "42", 2) && strcmp(state, "42501")) return STORE_ERROR; /* the SQL itself */
    if (!strncmp(state, "22", 2) || !strcmp(state, "25P02") || !strcmp(state, "57014")) return STORE_ERROR;
    if (!strcmp(state, "53100")) faults = FAULT_FULL;
    else if (!strncmp(state, "58", 2) || !strncmp(state, "08", 2)) faults = FAULT_IO;
    else if (!strcmp(state, "XX001") || !strcmp(state, "XX002")) faults = FAULT_CORRUPT;
    else if (!strcmp(state, "25006") || !strcmp(state, "42501")) faults = FAULT_READONLY;
    if (PQstatus(c->pg) == CONNECTION_BAD) { /* every call fails alike until it is back: rate-limited */
        store_count_error_unlogged(faults);
        log_gate_fail(&c->base.owner->conn_log, store_now_ms(), "database error: no connection to PostgreSQL: %s",
                      c->errmsg);
        return STORE_ERROR;
    }
    store_count_error(faults, c->errmsg, state);
    return STORE_ERROR;
}

/* PQexec of a statement without parameters: true when it succeeded; else err set. */
static bool run(pconn *c, const char *sql, perr *err) {
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) {
        fail_code(c, res);
        perr_set(err, "database error: %s", c->errmsg);
    }
    PQclear(res);
    return ok;
}

/* A transaction is open on the connection. A lost connection has none (libpq answers
 * PQTRANS_UNKNOWN): a read or write begun on it fails with the connection's error instead
 * of passing for nested in a transaction that no longer exists. */
static bool in_transaction(pconn *c) {
    PGTransactionStatusType t = PQtransactionStatus(c->pg);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* ---- connections ---- */

static void clear_result(pg_query *q);

void pgs_query_free(store_query *st) {
    pg_query *q = Q(st);
    clear_result(q);
    for (int i = 0; i < q->nparams; i++) free(q->params[i].heap);
    free(q->params);
    free(q->sql);
    free(q);
}

void pgs_conn_close(store_conn *base) {
    pconn *c = PCONN(base);
    PQfinish(c->pg);
    free(c->snapshot);
    free(c);
}

/* The session settings of a new connection: times in UTC as on SQLite, the default bound
 * of a lock wait outside write transactions (rows locked by another writer). */
static bool conn_setup(pconn *c, perr *err) {
    char sql[160];
    snprintf(sql, sizeof sql, "SET TimeZone = 'UTC'; SET lock_timeout = %d; SET client_min_messages = warning",
             atomic_load(&c->base.owner->write_wait_ms));
    c->epoch++;
    return run(c, sql, err);
}

/* The database must be encoded in UTF8: SQL_ASCII stores any bytes without checking them
 * and compares them bytewise (no case folding, no text search of accented words), LATIN1
 * and the others cannot hold every character an agent may type. The server says its
 * encoding at the connection (no query); false with what to do. */
static bool encoding_ok(pconn *c, perr *err) {
    const char *enc = PQparameterStatus(c->pg, "server_encoding");
    if (enc && !strcmp(enc, "UTF8")) return true;
    return perr_set(err,
                    "the PostgreSQL database %s is encoded in %s, not UTF8: Passport needs UTF8. Create the "
                    "database with CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0 (createdb -E UTF8 -T "
                    "template0), then give that one (docs/deployment.md)",
                    PQdb(c->pg) ? PQdb(c->pg) : "?", enc ? enc : "an unknown encoding",
                    PQdb(c->pg) ? PQdb(c->pg) : "name");
}

store_conn *pgs_conn_open(store *s, perr *err) {
    pconn *c = xcalloc(1, sizeof *c);
    c->base.owner = s;
    const char *keys[] = {"dbname", "fallback_application_name", "client_encoding", NULL};
    const char *vals[] = {s->path, "passport", "UTF8", NULL};
    c->pg = PQconnectdbParams(keys, vals, 1); /* expand_dbname: the URL's fields */
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
        /* the URL may hold a password: name the server by its parts */
        const char *m = c->pg ? PQerrorMessage(c->pg) : "out of memory";
        size_t n = strlen(m);
        while (n && m[n - 1] == '\n') n--;
        perr_set(err, "cannot connect to PostgreSQL (database %s on %s port %s): %.*s",
                 c->pg && PQdb(c->pg) ? PQdb(c->pg) : "?", c->pg && PQhost(c->pg) ? PQhost(c->pg) : "?",
                 c->pg && PQport(c->pg) ? PQport(c->pg) : "?", (int)n, m);
        goto fail;
    }
    if (!encoding_ok(c, err)) goto fail;
    if (!conn_setup(c, err)) goto fail;
    return &c->base;
fail:
    pgs_conn_close(&c->base);
    return NULL;
}

/* A connection the server dropped is reconnected when no transaction was open on it (its
 * statements are prepared again: the epoch moves). While the server stays away every
 * call of every thread fails here: the store's conn_log lets the first line through,
 * then one per period with the count left out, and one line when a connection is back. */
void pgs_conn_revive(store_conn *base) {
    pconn *c = PCONN(base);
    if (PQstatus(c->pg) != CONNECTION_BAD || base->holds_write) return;
    PQreset(c->pg);
    if (PQstatus(c->pg) == CONNECTION_OK) {
        conn_setup(c, NULL);
        log_gate_ok(&base->owner->conn_log, "database: reconnected to PostgreSQL");
        return;
    }
    const char *m = PQerrorMessage(c->pg);
    int n = (int)strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' ')) n--;
    log_gate_fail(&base->owner->conn_log, store_now_ms(), "database error: cannot reconnect to PostgreSQL: %.*s", n,
                  m);
}

#define conn_get(s, err) PCONN(store_conn_get((s), (err)))

/* ---- statements ---- */

/* sql with each `?` and `?N` outside quotes and comments written `$N` (a bare `?` is one
 * more than the largest number before it, as SQLite numbers them); *n the largest. */
static char *translate(const char *sql, int *n) {
    buf b = BUF_INIT;
    int max = 0;
    for (const char *p = sql; *p;) {
        if (*p == '\'' || *p == '"') { /* a string or a quoted name: '' inside closes and reopens */
            const char *e = strchr(p + 1, *p);
            e = e ? e + 1 : p + strlen(p);
            buf_append(&b, p, (size_t)(e - p));
            p = e;
        } else if (p[0] == '-' && p[1] == '-') {
            const char *e = strchr(p, '\n');
            e = e ? e : p + strlen(p);
            buf_append(&b, p, (size_t)(e - p));
            p = e;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            e = e ? e + 2 : p + strlen(p);
            buf_append(&b, p, (size_t)(e - p));
            p = e;
        } else if (*p == '?') {
            int k = 0;
            p++;
            if (*p >= '0' && *p <= '9')
                while (*p >= '0' && *p <= '9') k = k * 10 + (*p++ - '0');
            else k = max + 1;
            if (k > max) max = k;
            buf_printf(&b, "$%d", k);
        } else {
            buf_append(&b, p++, 1);
        }
    }
    *n = max;
    return buf_detach(&b);
}

static bool is_write(const char *sql) {
    while (*sql == ' ' || *sql == '\n' || *sql == '\t' || *sql == '(') sql++;
    return !strncasecmp(sql, "INSERT", 6) || !strncasecmp(sql, "UPDATE", 6) || !strncasecmp(sql, "DELETE", 6);
}

static pg_query *query_new(pconn *c, const char *sql, bool cached) {
    pg_query *q = xcalloc(1, sizeof *q);
    q->base.engine = ENGINE_PG;
    q->c = c;
    q->cached = cached;
    q->sql = translate(sql, &q->nparams);
    q->writes = is_write(q->sql);
    q->params = xcalloc((size_t)q->nparams + 1, sizeof *q->params);
    q->row = -1;
    snprintf(q->name, sizeof q->name, "%c%u", cached ? 'p' : 'u', ++c->names);
    return q;
}

store_query *pgs_stmt_new(store_conn *c, const char *sql, perr *err) {
    (void)err;
    return &query_new(PCONN(c), sql, true)->base;
}

store_query *pgs_prepare(store *s, const char *sql, perr *err) {
    pconn *c = conn_get(s, err);
    if (!c) return NULL;
    return &query_new(c, sql, false)->base;
}

static void clear_row(pg_query *q) {
    if (!q->decoded || !q->res) return;
    for (int i = 0; i < PQnfields(q->res); i++) {
        free(q->decoded[i]);
        q->decoded[i] = NULL;
    }
}

static void clear_result(pg_query *q) {
    clear_row(q);
    free(q->decoded);
    free(q->decoded_len);
    q->decoded = NULL;
    q->decoded_len = NULL;
    PQclear(q->res);
    q->res = NULL;
    q->row = -1;
    q->nrows = 0;
}

void pgs_finalize(store_query *st) {
    pg_query *q = Q(st);
    if (q->epoch && q->epoch == q->c->epoch && PQstatus(q->c->pg) == CONNECTION_OK) {
        char sql[48];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", q->name);
        PQclear(PQexec(q->c->pg, sql));
    }
    pgs_query_free(st);
}

void pgs_done(store_query *st) {
    pg_query *q = Q(st);
    clear_result(q);
    for (int i = 0; i < q->nparams; i++) q->params[i].val = NULL;
}

/* The parameter number whose type the server could not infer (SQLSTATE 42P18), from its
 * message "could not determine data type of parameter $N"; 0 if none. */
static int indeterminate_param(PGresult *res) {
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *d = msg ? strchr(msg, '$') : NULL;
    if (!state || strcmp(state, "42P18") || !d) return 0;
    return atoi(d + 1);
}

/* Prepares q on its connection. The parameters' types are left to the server; one it
 * cannot infer (`? IS NULL`, `SELECT ?`) takes the type of the value bound to it. Inside a
 * transaction, the attempts run under a savepoint: a failed one must not abort the
 * caller's transaction. */
static PGresult *prepare(pg_query *q) {
    pconn *c = q->c;
    bool sp = PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
    Oid *types = xcalloc((size_t)q->nparams + 1, sizeof *types);
    PGresult *res = NULL;
    if (sp) PQclear(PQexec(c->pg, "SAVEPOINT passport_prepare"));
    for (int attempt = 0; attempt <= q->nparams; attempt++) {
        PQclear(res);
        res = PQprepare(c->pg, q->name, q->sql, q->nparams, types);
        if (PQresultStatus(res) == PGRES_COMMAND_OK) break;
        int k = indeterminate_param(res);
        if (k >= 1 && k <= q->nparams && !types[k - 1])
            types[k - 1] = q->params[k - 1].type ? q->params[k - 1].type : OID_TEXT;
        else break;
        if (sp) PQclear(PQexec(c->pg, "ROLLBACK TO SAVEPOINT passport_prepare"));
    }
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (sp) {
        if (!ok) PQclear(PQexec(c->pg, "ROLLBACK TO SAVEPOINT passport_prepare"));
        PQclear(PQexec(c->pg, "RELEASE SAVEPOINT passport_prepare"));
    }
    if (ok) q->epoch = c->epoch;
    else if (PQstatus(c->pg) != CONNECTION_BAD) /* a lost connection: fail_code says it, rate-limited */
        log_error("sql prepare: %s in: %s", PQresultErrorMessage(res), q->sql);
    free(types);
    return res;
}

/* The command of a finished statement changed rows: INSERT, UPDATE, DELETE or MERGE. */
static bool changed_rows(PGresult *res) {
    const char *tag = PQcmdStatus(res);
    return !strncmp(tag, "INSERT", 6) || !strncmp(tag, "UPDATE", 6) || !strncmp(tag, "DELETE", 6) ||
           !strncmp(tag, "MERGE", 5);
}

/* Runs q with its bindings: its rows in q->res, or a store failure code. */
static int execute(pg_query *q) {
    pconn *c = q->c;
    if (PQstatus(c->pg) != CONNECTION_OK) return fail_code(c, NULL);
    if (q->epoch != c->epoch) {
        PGresult *p = prepare(q);
        bool ok = PQresultStatus(p) == PGRES_COMMAND_OK;
        int rc = ok ? STORE_DONE : fail_code(c, p);
        PQclear(p);
        if (!ok) return rc;
    }
    const char **vals = xcalloc((size_t)q->nparams + 1, sizeof *vals);
    for (int i = 0; i < q->nparams; i++) vals[i] = q->params[i].val;
    /* A write inside a read transaction (the session's idle-time refresh) may fail, as on
     * SQLite when another connection wrote since the snapshot, without ending the reads,
     * and so may a statement of store_step_may_fail: each runs under a savepoint. */
    bool intrans = PQtransactionStatus(c->pg) == PQTRANS_INTRANS;
    if (!in_transaction(c)) c->failed[0] = '\0';
    bool quiet = q->writes && c->in_read && intrans, sp = quiet || (q->may_fail && intrans);
    if (sp) PQclear(PQexec(c->pg, "SAVEPOINT passport_write"));
    PGresult *res = PQexecPrepared(c->pg, q->name, q->nparams, vals, NULL, NULL, 0);
    free(vals);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        int rc = fail_code_busy(c, res, !quiet);
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        bool after_failure = state && !strcmp(state, "25P02");
        PQclear(res);
        if (sp) PQclear(PQexec(c->pg, "ROLLBACK TO SAVEPOINT passport_write; RELEASE SAVEPOINT passport_write"));
        else if (after_failure) /* a caller went on after a failure: a bug to fix */
            log_error("database error: a statement after a failed one in the same transaction (PostgreSQL "
                      "refuses it; use store_step_may_fail for a failure the caller survives): %.120s; "
                      "the failure: %s",
                      q->sql, c->failed);
        else if (!c->failed[0] && PQtransactionStatus(c->pg) == PQTRANS_INERROR)
            snprintf(c->failed, sizeof c->failed, "%.120s: %.120s", q->sql, c->errmsg);
        return rc;
    }
    if (sp) PQclear(PQexec(c->pg, "RELEASE SAVEPOINT passport_write"));
    if (changed_rows(res)) {
        c->changes = atoi(PQcmdTuples(res));
        if (c->changes > 0 && !in_transaction(c)) store_bump_generation(c->base.owner);
    }
    if (st == PGRES_COMMAND_OK) {
        PQclear(res);
        return STORE_DONE;
    }
    q->res = res;
    q->nrows = PQntuples(res);
    q->decoded = xcalloc((size_t)PQnfields(res) + 1, sizeof *q->decoded);
    q->decoded_len = xcalloc((size_t)PQnfields(res) + 1, sizeof *q->decoded_len);
    return STORE_ROW;
}

int pgs_step(store_query *st) {
    pg_query *q = Q(st);
    if (!q->res) {
        int rc = execute(q);
        if (rc != STORE_ROW) return rc;
    }
    clear_row(q);
    if (++q->row < q->nrows) return STORE_ROW;
    clear_result(q); /* a step after the last row runs the statement again, as SQLite does */
    return STORE_DONE;
}

const char *pgs_errmsg(store *s) {
    pconn *c = conn_get(s, NULL);
    return c ? c->errmsg : "no database connection";
}

const char *pgs_query_errmsg(store_query *q) {
    return Q(q)->c->errmsg;
}

int pgs_step_may_fail(store_query *st) {
    pg_query *q = Q(st);
    q->may_fail = true;
    int rc = pgs_step(st);
    q->may_fail = false;
    return rc;
}

/* ---- parameters ---- */

static param *param_at(store_query *st, int i) {
    pg_query *q = Q(st);
    return i >= 1 && i <= q->nparams ? &q->params[i - 1] : NULL;
}

void pgs_bind_int64(store_query *st, int i, int64_t v) {
    param *p = param_at(st, i);
    if (!p) return;
    snprintf(p->num, sizeof p->num, "%lld", (long long)v);
    p->val = p->num;
    p->type = OID_INT8;
}

void pgs_bind_double(store_query *st, int i, double v) {
    param *p = param_at(st, i);
    if (!p) return;
    snprintf(p->num, sizeof p->num, "%.17g", v);
    p->val = p->num;
    p->type = OID_FLOAT8;
}

void pgs_bind_null(store_query *st, int i) {
    param *p = param_at(st, i);
    if (p) p->val = NULL;
}

void pgs_bind_textn(store_query *st, int i, const char *text, int len) {
    param *p = param_at(st, i);
    if (!p) return;
    size_t n = len < 0 ? strlen(text) : (size_t)len;
    if (p->cap < n + 1) {
        p->cap = n + 1 < 64 ? 64 : n + 1;
        free(p->heap);
        p->heap = xmalloc(p->cap);
    }
    memcpy(p->heap, text, n);
    p->heap[n] = '\0';
    p->val = p->heap;
    p->type = OID_TEXT;
}

/* ---- columns ---- */

/* The column's text in the current row; NULL for NULL or when there is no row. */
static const char *cell(store_query *st, int i, Oid *type) {
    pg_query *q = Q(st);
    if (!q->res || q->row < 0 || q->row >= q->nrows || i < 0 || i >= PQnfields(q->res)) return NULL;
    if (PQgetisnull(q->res, q->row, i)) return NULL;
    *type = PQftype(q->res, i);
    return PQgetvalue(q->res, q->row, i);
}

static bool is_float(Oid t, const char *v) {
    return t == OID_FLOAT4 || t == OID_FLOAT8 || (t == OID_NUMERIC && strpbrk(v, ".eEN"));
}

int64_t pgs_col_int64(store_query *st, int i) {
    Oid t = 0;
    const char *v = cell(st, i, &t);
    if (!v) return 0;
    if (t == OID_BOOL) return *v == 't';
    if (is_float(t, v)) return (int64_t)strtod(v, NULL);
    return strtoll(v, NULL, 10);
}

int pgs_col_int(store_query *st, int i) {
    return (int)pgs_col_int64(st, i);
}

double pgs_col_double(store_query *st, int i) {
    Oid t = 0;
    const char *v = cell(st, i, &t);
    if (!v) return 0.0;
    if (t == OID_BOOL) return *v == 't' ? 1.0 : 0.0;
    return strtod(v, NULL);
}

const char *pgs_col_text_or_null(store_query *st, int i) {
    Oid t = 0;
    const char *v = cell(st, i, &t);
    if (!v) return NULL;
    if (t == OID_BOOL) return *v == 't' ? "1" : "0";
    if (t != OID_BYTEA) return v;
    pg_query *q = Q(st);
    if (!q->decoded[i]) {
        size_t n = 0;
        unsigned char *raw = PQunescapeBytea((const unsigned char *)v, &n);
        q->decoded[i] = xmalloc(n + 1);
        if (raw) memcpy(q->decoded[i], raw, n);
        else n = 0;
        q->decoded[i][n] = '\0';
        q->decoded_len[i] = n;
        PQfreemem(raw);
    }
    return q->decoded[i];
}

size_t pgs_col_bytes(store_query *st, int i) {
    Oid t = 0;
    const char *v = cell(st, i, &t);
    if (!v) return 0;
    if (t == OID_BYTEA) {
        pgs_col_text_or_null(st, i);
        return Q(st)->decoded_len[i];
    }
    if (t == OID_BOOL) return 1;
    return (size_t)PQgetlength(Q(st)->res, Q(st)->row, i);
}

int pgs_col_type(store_query *st, int i) {
    Oid t = 0;
    const char *v = cell(st, i, &t);
    if (!v) return STORE_NULL;
    switch (t) {
    case OID_BOOL:
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID: return STORE_INTEGER;
    case OID_BYTEA: return STORE_BLOB;
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC: return is_float(t, v) ? STORE_FLOAT : STORE_INTEGER;
    default: return STORE_TEXT;
    }
}

int pgs_col_count(store_query *st) {
    pg_query *q = Q(st);
    return q->res ? PQnfields(q->res) : 0;
}

const char *pgs_col_name(store_query *st, int i) {
    pg_query *q = Q(st);
    return q->res && i >= 0 && i < PQnfields(q->res) ? PQfname(q->res, i) : NULL;
}

/* ---- transactions ---- */

bool pgs_in_transaction(store_conn *c) {
    return in_transaction(PCONN(c));
}

bool pgs_begin(store_conn *base, perr *err) {
    pconn *c = PCONN(base);
    store *s = base->owner;
    if (in_transaction(c)) return perr_set(err, "database error: a read transaction is open");
    /* The front's mutex is held: this one writer of the process waits for the database's
     * lock, the others wait for the mutex, or fail at once while this one waits for
     * another server. */
    char sql[200];
    snprintf(sql, sizeof sql,
             "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = %d;"
             " SELECT pg_try_advisory_xact_lock(%lld)",
             atomic_load(&s->write_wait_ms), WRITE_LOCK_KEY);
    PGresult *res = PQexec(c->pg, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fail_code(c, res);
        perr_set(err, "database error: %s", c->errmsg);
        goto fail;
    }
    if (strcmp(PQgetvalue(res, 0, 0), "t")) { /* another server or command writes: wait, bounded */
        atomic_store(&s->foreign_lock, true);
        store_count_busy_wait();
        PQclear(res);
        snprintf(sql, sizeof sql, "SELECT pg_advisory_xact_lock(%lld)", WRITE_LOCK_KEY);
        res = PQexec(c->pg, sql);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            if (fail_code(c, res) == STORE_BUSY)
                perr_set(err, "database busy: another process holds the write lock (try again)");
            else perr_set(err, "database error: %s", c->errmsg);
            goto fail;
        }
    }
    PQclear(res);
    return true;
fail:
    PQclear(res);
    if (in_transaction(c)) PQclear(PQexec(c->pg, "ROLLBACK"));
    return false;
}

bool pgs_commit(store_conn *base, perr *err) {
    pconn *c = PCONN(base);
    PGresult *res = PQexec(c->pg, "COMMIT");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) {
        fail_code(c, res);
        perr_set(err, "database error: %s", c->errmsg);
    } else if (strcmp(PQcmdStatus(res), "COMMIT")) { /* an earlier statement failed: PostgreSQL rolled back */
        ok = false;
        perr_set(err, "database error: the transaction failed and was rolled back (%s)", c->errmsg);
    }
    PQclear(res);
    if (in_transaction(c)) PQclear(PQexec(c->pg, "ROLLBACK"));
    if (ok) store_bump_generation(base->owner);
    return ok;
}

void pgs_rollback(store_conn *base) {
    pconn *c = PCONN(base);
    if (in_transaction(c)) PQclear(PQexec(c->pg, "ROLLBACK"));
    c->in_read = false;
}

bool pgs_read_begin(store_conn *base, perr *err) {
    pconn *c = PCONN(base);
    c->in_read = run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ", err);
    return c->in_read;
}

bool pgs_read_end(store_conn *base) {
    pconn *c = PCONN(base);
    c->in_read = false;
    return run(c, "COMMIT", NULL);
}

bool pgs_exec(store *s, const char *sql, perr *err) {
    pconn *c = conn_get(s, err);
    if (!c) return false;
    bool ok = run(c, sql, err);
    if (ok && !in_transaction(c)) store_bump_generation(s);
    return ok;
}

/* ---- the rest of store.h ---- */

/* ---- notifications (store_listen_start) ---- */

/* The channel the change log's trigger notifies (migration 23, store/schema_changes.c). */
#define LISTEN_CHANNEL "passport_changes"
#define LISTEN_RETRY_MS 1000 /* between two connection attempts */

struct pg_listener {
    store *s;
    pthread_t thread;
    int stop[2];              /* a pipe: a byte written there ends the thread */
    pthread_mutex_t mu;       /* guards pg: the thread and the requests that read it */
    PGconn *pg;               /* the listening connection, NULL while there is none */
    bool ended;               /* the server said it ends pg (listen_notice) */
    char why[160];            /* what it said */
    atomic_bool live;         /* LISTEN is in force on a connection that is up */
    atomic_ullong received;   /* notifications */
};

/* Waits until fd (none when < 0) can be read or ms pass (-1: no bound): 1 readable, 0
 * time out, -1 the thread must stop. */
static int listen_wait(struct pg_listener *l, int fd, int ms) {
    struct pollfd p[2] = {{.fd = l->stop[0], .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    int n;
    do n = poll(p, fd >= 0 ? 2 : 1, ms);
    while (n < 0 && errno == EINTR);
    if (n < 0 || p[0].revents) return -1;
    return n > 0 ? 1 : 0;
}

/* Reads what arrived on l->pg (never waits: libpq's sockets do not block), under l->mu;
 * the generation moves once for any notifications read. False when the connection failed
 * (live is then false: requests ask the database until the thread reconnects). */
static bool listen_drain(struct pg_listener *l) {
    if (!l->pg || l->ended || !PQconsumeInput(l->pg) || l->ended || PQstatus(l->pg) != CONNECTION_OK) {
        atomic_store(&l->live, false);
        return false;
    }
    unsigned long long n = 0;
    for (PGnotify *note; (note = PQnotifies(l->pg)); n++) PQfreemem(note);
    if (n) {
        store_bump_generation(l->s);
        atomic_fetch_add(&l->received, n);
    }
    return true;
}

/* The listening connection runs no query after LISTEN: a message the server sends unasked
 * is its last (FATAL: terminated by an administrator, shutting down), read before the
 * end of the connection itself. It counts as lost at once (under l->mu: libpq calls this
 * from PQconsumeInput). */
static void listen_notice(void *arg, const char *message) {
    struct pg_listener *l = arg;
    l->ended = true;
    atomic_store(&l->live, false);
    size_t n = strcspn(message, "\n");
    snprintf(l->why, sizeof l->why, "%.*s", (int)(n < sizeof l->why ? n : sizeof l->why - 1), message);
}

/* A connection that LISTENs on the channel, or NULL (the failure logged once an outage:
 * *logged). TCP keepalives notice a peer that vanished without closing. */
static PGconn *listen_connect(struct pg_listener *l, bool *logged) {
    const char *keys[] = {"dbname", "application_name", "client_encoding", "connect_timeout", "keepalives",
                          "keepalives_idle", "keepalives_interval", "keepalives_count", NULL};
    const char *vals[] = {l->s->path, "passport-listen", "UTF8", "5", "1", "10", "2", "3", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (pg && PQstatus(pg) == CONNECTION_OK) {
        PGresult *res = PQexec(pg, "LISTEN " LISTEN_CHANNEL);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (ok) {
            PQsetNoticeProcessor(pg, listen_notice, l);
            return pg;
        }
    }
    if (!*logged)
        log_error("database: cannot listen for other servers' commits (%s); each request asks the database "
                  "until it can",
                  pg ? PQerrorMessage(pg) : "out of memory");
    *logged = true;
    PQfinish(pg);
    return NULL;
}

/* The thread: connect and LISTEN, move the generation (what was committed meanwhile),
 * then move it at each notification, until the connection fails (reconnect after
 * LISTEN_RETRY_MS) or the store stops it. */
static void *listen_main(void *arg) {
    struct pg_listener *l = arg;
    bool logged = false;
    for (;;) {
        PGconn *pg = listen_connect(l, &logged);
        if (pg) {
            /* the generation moves before `live`: a request that finds live true has a
             * generation newer than every commit made before LISTEN took effect */
            pthread_mutex_lock(&l->mu);
            l->pg = pg;
            l->ended = false;
            store_bump_generation(l->s);
            atomic_store(&l->live, true);
            pthread_mutex_unlock(&l->mu);
            if (logged) log_info("database: listening for other servers' commits again");
            logged = false;
            /* A request's listen_drain may find the connection lost (and libpq close its
             * socket) while this thread waits: it looks again every LISTEN_RETRY_MS. */
            bool up = true;
            for (;;) {
                pthread_mutex_lock(&l->mu);
                int fd = atomic_load(&l->live) ? PQsocket(pg) : -1;
                pthread_mutex_unlock(&l->mu);
                if (fd < 0) {
                    up = false;
                    break;
                }
                if (listen_wait(l, fd, LISTEN_RETRY_MS) < 0) break; /* stopped */
                pthread_mutex_lock(&l->mu);
                up = listen_drain(l);
                pthread_mutex_unlock(&l->mu);
                if (!up) break;
            }
            pthread_mutex_lock(&l->mu);
            atomic_store(&l->live, false);
            l->pg = NULL;
            pthread_mutex_unlock(&l->mu);
            if (!up) {
                const char *m = PQerrorMessage(pg);
                log_error("database: the connection that listens for other servers' commits failed (%.*s); "
                          "each request asks the database until it is back",
                          (int)strcspn(l->why[0] ? l->why : m, "\n"), l->why[0] ? l->why : m);
                l->why[0] = '\0';
                logged = true;
            }
            PQfinish(pg);
            if (up) return NULL; /* stopped */
        }
        if (listen_wait(l, -1, LISTEN_RETRY_MS) < 0) return NULL;
    }
}

bool pgs_listen_start(store *s, perr *err) {
    if (s->listener) return true;
    struct pg_listener *l = xcalloc(1, sizeof *l);
    l->s = s;
    pthread_mutex_init(&l->mu, NULL);
    if (pipe(l->stop) != 0) {
        pthread_mutex_destroy(&l->mu);
        free(l);
        return perr_set(err, "cannot start listening for other servers' commits: %s", strerror(errno));
    }
    if (pthread_create(&l->thread, NULL, listen_main, l) != 0) {
        close(l->stop[0]);
        close(l->stop[1]);
        pthread_mutex_destroy(&l->mu);
        free(l);
        return perr_set(err, "cannot start the thread that listens for other servers' commits");
    }
    s->listener = l;
    return true;
}

bool pgs_listening(store *s) {
    return s->listener && atomic_load(&s->listener->live);
}

unsigned long long pgs_notifications(store *s) {
    return s->listener ? atomic_load(&s->listener->received) : 0;
}

void pgs_listen_stop(store *s) {
    struct pg_listener *l = s->listener;
    if (!l) return;
    ssize_t w;
    do w = write(l->stop[1], "x", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(l->thread, NULL);
    close(l->stop[0]);
    close(l->stop[1]);
    pthread_mutex_destroy(&l->mu);
    free(l);
    s->listener = NULL;
}

/* While the listener is up, what arrived on its connection is read first (no query, no
 * wait: a notification already sent needs no wake-up of the listening thread), and a commit
 * of another process that logged a change has moved the generation. Else another
 * connection committed
 * a write when the database's snapshot moved: a transaction that wrote ended (it left the
 * running list or raised xmin) or began (the next transaction id moved). Cheap (no table
 * read), and it sees any server's commit; other databases' writes on the same PostgreSQL
 * move it too (only a cache re-check). */
unsigned long long pgs_generation_fresh(store *s) {
    struct pg_listener *l = s->listener;
    if (l && atomic_load(&l->live)) {
        pthread_mutex_lock(&l->mu);
        bool up = listen_drain(l);
        pthread_mutex_unlock(&l->mu);
        if (up) return store_generation(s);
    }
    pconn *c = conn_get(s, NULL);
    store_query *st = c ? store_stmt(s, "SELECT pg_current_snapshot()::text", NULL) : NULL;
    if (st && pgs_step(st) == STORE_ROW) {
        const char *now = pgs_col_text_or_null(st, 0);
        if (now && (!c->snapshot || strcmp(now, c->snapshot))) {
            store_bump_generation(s);
            free(c->snapshot);
            c->snapshot = xstrdup(now);
        }
    }
    if (st) pgs_done(st);
    return store_generation(s);
}

bool pgs_schema_version(store *s, int *version, perr *err) {
    pconn *c = conn_get(s, err);
    if (!c) return false;
    if (!run(c,
             "CREATE TABLE IF NOT EXISTS passport_schema (version integer NOT NULL);"
             "INSERT INTO passport_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM passport_schema)",
             err))
        return false;
    PGresult *res = PQexec(c->pg, "SELECT max(version) FROM passport_schema");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok) *version = atoi(PQgetvalue(res, 0, 0));
    else {
        fail_code(c, res);
        perr_set(err, "database error: %s", c->errmsg);
    }
    PQclear(res);
    return ok;
}

bool pgs_set_schema_version(store *s, int version, perr *err) {
    pconn *c = conn_get(s, err);
    if (!c) return false;
    char sql[64];
    snprintf(sql, sizeof sql, "UPDATE passport_schema SET version = %d", version);
    return run(c, sql, err);
}

int pgs_changes(store *s) {
    pconn *c = conn_get(s, NULL);
    return c ? c->changes : 0;
}
