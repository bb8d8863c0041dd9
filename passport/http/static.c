/* SPDX-License-Identifier: EUPL-1.2 */
/* In-memory static file set: read once, looked up by exact name, so no request path can
 * reach the filesystem. */
#include "http/static.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/rand.h"

struct static_set {
    static_file *files;
    size_t n, cap;
    size_t total;
};

const char *static_mime(const char *name) {
    static const struct {
        const char *ext, *mime;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
        {".json", "application/json"},
        {".pdf", "application/pdf"},
    };
    const char *dot = strrchr(name, '.');
    if (!dot) return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(dot, types[i].ext)) return types[i].mime;
    return NULL;
}

static bool read_file(const char *path, char **data, size_t *len) {
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return false;
    }
    char *d = xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, d + got, (size_t)st.st_size - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    d[got] = '\0';
    *data = d;
    *len = got;
    return true;
}

static void add_file(static_set *s, const char *rel, char *data, size_t len) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->files = xrealloc(s->files, s->cap * sizeof *s->files);
    }
    static_file *f = &s->files[s->n++];
    f->name = xstrdup(rel);
    f->mime = static_mime(rel);
    f->data = data;
    f->len = len;
    char hex[65];
    rand_sha256_hex(data, len, hex);
    snprintf(f->etag, sizeof f->etag, "\"%.16s\"", hex);
    const char *dot = strrchr(rel, '.');
    snprintf(f->url, sizeof f->url, "/static/%.*s.%.8s%s", (int)(dot - rel), rel, hex, dot);
    s->total += len;
}

static bool walk(static_set *s, const char *root, const char *rel, size_t max_bytes, int depth,
                 perr *err) {
    if (depth > 8) return true;
    buf path = BUF_INIT;
    buf_printf(&path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path.data);
    if (!d) {
        buf_free(&path);
        return depth == 0 ? perr_set(err, "cannot open static folder %s", root) : true;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        buf child = BUF_INIT, full = BUF_INIT;
        buf_printf(&child, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        buf_printf(&full, "%s/%s", root, child.data);
        struct stat st;
        if (lstat(full.data, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                ok = walk(s, root, child.data, max_bytes, depth + 1, err);
            } else if (S_ISREG(st.st_mode) && static_mime(e->d_name)) {
                char *data;
                size_t len;
                if (s->total + (size_t)st.st_size > max_bytes)
                    ok = perr_set(err, "static files exceed %zu bytes", max_bytes);
                else if (read_file(full.data, &data, &len))
                    add_file(s, child.data, data, len);
            }
        }
        buf_free(&child);
        buf_free(&full);
    }
    closedir(d);
    buf_free(&path);
    return ok;
}

static_set *static_set_load(const char *dir, size_t max_bytes, perr *err) {
    static_set *s = xcalloc(1, sizeof *s);
    if (!walk(s, dir, "", max_bytes, 0, err)) {
        static_set_free(s);
        return NULL;
    }
    return s;
}

void static_set_free(static_set *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free((char *)s->files[i].name);
        free((char *)s->files[i].data);
    }
    free(s->files);
    free(s);
}

const static_file *static_lookup(const static_set *s, const char *rel, bool *immutable) {
    for (size_t i = 0; i < s->n; i++) {
        const static_file *f = &s->files[i];
        if (!strcmp(f->name, rel)) {
            *immutable = false;
            return f;
        }
        if (!strcmp(f->url + 8, rel)) {
            *immutable = true;
            return f;
        }
    }
    return NULL;
}

const char *static_url(const static_set *s, const char *name) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->files[i].name, name)) return s->files[i].url;
    return NULL;
}
