/* SPDX-License-Identifier: EUPL-1.2 */
/* Framework and mapping upserts, the start-up sync of courses/frameworks/ and the
 * single-file import: validation first, then one transaction, so nothing half-written. */
#include "skills/skills.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

#define SKILLS_MAX_FILE (8u * 1024 * 1024)

int skills_stale_months(void) {
    const char *v = getenv("PASSPORT_STALE_MONTHS");
    if (!v || !*v) return SKILLS_STALE_MONTHS_DEFAULT;
    char *end;
    long m = strtol(v, &end, 10);
    return *end || m < 1 || m > 600 ? SKILLS_STALE_MONTHS_DEFAULT : (int)m;
}

static bool step_done(store_query *st, store *s, perr *err) {
    int rc = store_step(st);
    store_done(st);
    if (rc == STORE_DONE || rc == STORE_ROW) return true;
    return perr_set(err, "database: %s", store_errmsg(s));
}

static long long framework_id(store *s, const char *code) {
    store_query *st = store_stmt(s, "SELECT id FROM frameworks WHERE code = ?", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, code);
    long long id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

static long long competency_id(store *s, const char *code) {
    store_query *st = store_stmt(s, "SELECT id FROM competencies WHERE code = ?", NULL);
    if (!st) return 0;
    store_bind_text(st, 1, code);
    long long id = store_step(st) == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    return id;
}

static bool store_area(store *s, long long fw, const framework_competency *c, perr *err) {
    store_query *st = store_stmt(s,
        "INSERT INTO framework_areas(framework_id, area, title_fr, title_en) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(framework_id, area) DO UPDATE SET title_fr = excluded.title_fr, title_en = excluded.title_en",
        err);
    if (!st) return false;
    store_bind_int64(st, 1, fw);
    store_bind_int(st, 2, c->area);
    store_bind_text(st, 3, c->area_title_fr);
    store_bind_text(st, 4, c->area_title_en);
    return step_done(st, s, err);
}

static bool store_levels(store *s, long long id, const framework_competency *c, perr *err) {
    for (int l = 0; l < FRAMEWORK_LEVELS; l++) {
        store_query *st = store_stmt(s,
            "INSERT INTO competency_levels(competency_id, level, text_fr, text_en) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(competency_id, level) DO UPDATE SET text_fr = excluded.text_fr, text_en = excluded.text_en",
            err);
        if (!st) return false;
        store_bind_int64(st, 1, id);
        store_bind_int(st, 2, l + 1);
        store_bind_text(st, 3, c->level_fr[l]);
        store_bind_text(st, 4, c->level_en[l]);
        if (!step_done(st, s, err)) return false;
    }
    return true;
}

/* Upserts one competency at display position pos; writes its id. */
static bool store_competency(store *s, long long fw, const framework_competency *c, int pos, long long *id,
                             bool *created, perr *err) {
    long long existing = competency_id(s, c->code);
    store_query *st = store_stmt(s,
        "INSERT INTO competencies(framework_id, code, area, position, title_fr, title_en, description_fr,"
        " description_en, retired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)"
        " ON CONFLICT(code) DO UPDATE SET framework_id = excluded.framework_id, area = excluded.area,"
        " position = excluded.position, title_fr = excluded.title_fr, title_en = excluded.title_en,"
        " description_fr = excluded.description_fr, description_en = excluded.description_en, retired = 0"
        " RETURNING id",
        err);
    if (!st) return false;
    store_bind_int64(st, 1, fw);
    store_bind_text(st, 2, c->code);
    store_bind_int(st, 3, c->area);
    store_bind_int(st, 4, pos);
    store_bind_text(st, 5, c->title_fr);
    store_bind_text(st, 6, c->title_en);
    store_bind_text(st, 7, c->description_fr);
    store_bind_text(st, 8, c->description_en);
    int rc = store_step(st);
    *id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
    store_done(st);
    if (rc != STORE_ROW) return perr_set(err, "database: %s", store_errmsg(s));
    *created = !existing;
    return store_levels(s, *id, c, err);
}

/* Marks retired the active competencies of framework fw whose id is not in ids[0..n). */
static bool retire_missing(store *s, long long fw, const long long *ids, size_t n, size_t *retired, perr *err) {
    store_query *st = store_stmt(s, "SELECT id FROM competencies WHERE framework_id = ? AND retired = 0", err);
    if (!st) return false;
    store_bind_int64(st, 1, fw);
    long long *gone = NULL;
    size_t ngone = 0;
    while (store_step(st) == STORE_ROW) {
        long long id = store_col_int64(st, 0);
        bool kept = false;
        for (size_t i = 0; i < n && !kept; i++) kept = ids[i] == id;
        if (kept) continue;
        gone = xrealloc(gone, (ngone + 1) * sizeof *gone);
        gone[ngone++] = id;
    }
    store_done(st);
    bool ok = true;
    for (size_t i = 0; ok && i < ngone; i++) {
        st = store_stmt(s, "UPDATE competencies SET retired = 1 WHERE id = ?", err);
        if (!st) ok = false;
        else {
            store_bind_int64(st, 1, gone[i]);
            ok = step_done(st, s, err);
        }
    }
    free(gone);
    *retired = ngone;
    return ok;
}

bool skills_store_framework(store *s, const framework *f, skills_import_stats *stats, perr *err) {
    skills_import_stats local = {0, 0, 0};
    long long *ids = xcalloc(f->n ? f->n : 1, sizeof *ids);
    store_query *st = store_stmt(s,
        "INSERT INTO frameworks(code, name, version, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT(code) DO UPDATE SET name = excluded.name, version = excluded.version,"
        " updated_at = CASE WHEN excluded.updated_at > frameworks.updated_at THEN excluded.updated_at"
        " ELSE frameworks.updated_at + 1 END",
        err);
    if (!st) goto fail;
    store_bind_text(st, 1, f->code);
    store_bind_text(st, 2, f->name);
    store_bind_text(st, 3, f->version);
    store_bind_int64(st, 4, clock_now());
    if (!step_done(st, s, err)) goto fail;
    long long fw = framework_id(s, f->code);
    if (!fw) {
        perr_set(err, "framework %s not stored", f->code);
        goto fail;
    }
    for (size_t i = 0; i < f->n; i++) {
        const framework_competency *c = &f->items[i];
        bool created = false;
        if ((i == 0 || f->items[i - 1].area != c->area) && !store_area(s, fw, c, err)) goto fail;
        if (!store_competency(s, fw, c, (int)i, &ids[i], &created, err)) goto fail;
        if (created) local.created++;
        else local.updated++;
    }
    if (!retire_missing(s, fw, ids, f->n, &local.retired, err)) goto fail;
    free(ids);
    if (stats) *stats = local;
    return true;
fail:
    free(ids);
    return false;
}

bool skills_store_mapping(store *s, const mapping *m, const char *filename, buf *problems, perr *err) {
    long long from_fw = framework_id(s, m->from_fw), to_fw = framework_id(s, m->to_fw);
    if (!from_fw || !to_fw) {
        buf_printf(problems, "%s:1: unknown framework %s\n", filename, from_fw ? m->to_fw : m->from_fw);
        return false;
    }
    store_query *st = store_stmt(s, "UPDATE frameworks SET updated_at = CASE WHEN updated_at + 1 > ?3 THEN updated_at + 1"
                                    " ELSE ?3 END WHERE id IN (?1, ?2)", err);
    if (!st) return false;
    store_bind_int64(st, 1, from_fw);
    store_bind_int64(st, 2, to_fw);
    store_bind_int64(st, 3, clock_now());
    if (!step_done(st, s, err)) return false;
    st = store_stmt(s,
        "DELETE FROM competency_map WHERE from_id IN (SELECT id FROM competencies WHERE framework_id = ?1)"
        " AND to_id IN (SELECT id FROM competencies WHERE framework_id = ?2)",
        err);
    if (!st) return false;
    store_bind_int64(st, 1, from_fw);
    store_bind_int64(st, 2, to_fw);
    if (!step_done(st, s, err)) return false;
    bool ok = true;
    for (size_t i = 0; i < m->n; i++) {
        long long a = competency_id(s, m->pairs[i].from), b = competency_id(s, m->pairs[i].to);
        if (!a || !b) {
            buf_printf(problems, "%s:%zu: unknown competency %s\n", filename, m->pairs[i].line,
                       a ? m->pairs[i].to : m->pairs[i].from);
            ok = false;
            continue;
        }
        st = store_stmt(s, "INSERT INTO competency_map(from_id, to_id) VALUES (?, ?)", err);
        if (!st) return false;
        store_bind_int64(st, 1, a);
        store_bind_int64(st, 2, b);
        if (!step_done(st, s, err)) return false;
    }
    return ok;
}

/* Reads a whole file (at most SKILLS_MAX_FILE bytes) into out. */
static bool read_file(const char *path, buf *out, perr *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return perr_set(err, "cannot open %s", path);
    char chunk[16384];
    size_t n;
    bool ok = true;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > SKILLS_MAX_FILE) {
            ok = perr_set(err, "%s: larger than %u bytes", path, SKILLS_MAX_FILE);
            break;
        }
        buf_append(out, chunk, n);
    }
    if (ok && ferror(f)) ok = perr_set(err, "cannot read %s", path);
    fclose(f);
    return ok;
}

static int cmp_names(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static bool has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && !strcmp(s + n - m, suffix);
}

/* Copies the first line of problems (without its newline) into err. */
static bool first_problem(const buf *problems, perr *err) {
    const char *p = buf_cstr(problems);
    return perr_set(err, "%.*s", (int)strcspn(p, "\n"), p);
}

/* Parses and stores one file of the frameworks folder (pass 0: frameworks, 1: mappings). */
static bool sync_file(store *s, const char *dir, const char *name, int pass, buf *problems, perr *err) {
    bool is_mapping = !strncmp(name, "mapping", 7);
    if (is_mapping != (pass == 1)) return true;
    buf path = BUF_INIT, data = BUF_INIT;
    buf_printf(&path, "%s/%s", dir, name);
    bool ok = read_file(path.data, &data, err);
    if (ok && is_mapping) {
        mapping *m = mapping_parse(buf_cstr(&data), data.len, path.data, problems);
        ok = m && skills_store_mapping(s, m, path.data, problems, err);
        mapping_free(m);
    } else if (ok) {
        framework *f = framework_parse(buf_cstr(&data), data.len, path.data, problems);
        ok = f && skills_store_framework(s, f, NULL, err);
        framework_free(f);
    }
    if (!ok && !err->msg[0]) first_problem(problems, err);
    buf_free(&path);
    buf_free(&data);
    return ok;
}

bool skills_sync_frameworks(store *s, const char *courses_dir, perr *err) {
    perr local = {{0}};
    if (!err) err = &local;
    perr_clear(err);
    buf dir = BUF_INIT, problems = BUF_INIT;
    buf_printf(&dir, "%s/frameworks", courses_dir);
    char **names = NULL;
    size_t n = 0;
    bool ok = false, began = false;
    DIR *d = opendir(dir.data);
    if (!d) {
        perr_set(err, "cannot open %s", dir.data);
        goto done;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".csv") || !strncmp(e->d_name, "example", 7)) continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    if (!store_begin(s, err)) goto done;
    began = true;
    ok = true;
    for (int pass = 0; ok && pass < 2; pass++)
        for (size_t i = 0; ok && i < n; i++) ok = sync_file(s, dir.data, names[i], pass, &problems, err);
    if (ok) ok = store_commit(s, err);
done:
    if (began && !ok) store_rollback(s);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    buf_free(&dir);
    buf_free(&problems);
    return ok;
}

bool skills_import_framework(store *s, const char *path, buf *problems, skills_import_stats *stats,
                             char **code, perr *err) {
    buf data = BUF_INIT;
    framework *f = NULL;
    bool ok = false;
    if (code) *code = NULL;
    perr_clear(err);
    if (!read_file(path, &data, err)) goto done;
    f = framework_parse(buf_cstr(&data), data.len, path, problems);
    if (!f) goto done;
    if (!store_begin(s, err)) goto done;
    if (!skills_store_framework(s, f, stats, err)) {
        store_rollback(s);
        goto done;
    }
    if (!store_commit(s, err)) goto done;
    if (code) *code = xstrdup(f->code);
    ok = true;
done:
    framework_free(f);
    buf_free(&data);
    return ok;
}

bool skills_import_mapping(store *s, const char *path, buf *problems, size_t *npairs, perr *err) {
    buf data = BUF_INIT;
    mapping *m = NULL;
    bool ok = false;
    perr_clear(err);
    if (!read_file(path, &data, err)) goto done;
    m = mapping_parse(buf_cstr(&data), data.len, path, problems);
    if (!m) goto done;
    if (!store_begin(s, err)) goto done;
    if (!skills_store_mapping(s, m, path, problems, err)) {
        store_rollback(s);
        goto done;
    }
    if (!store_commit(s, err)) goto done;
    if (npairs) *npairs = m->n;
    ok = true;
done:
    mapping_free(m);
    buf_free(&data);
    return ok;
}
